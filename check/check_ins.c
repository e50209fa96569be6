/* fuzz_check_ins: matcher and rewrite invariants for any 32-bit word.
 *
 * Input: the header (target, platform), then the word (4 bytes, big-endian);
 * fuzz_disasm_xcheck's inputs have the same form.
 * Invariants, on every flavor, feature set and profile:
 *  - matching and patching are deterministic;
 *  - a matched row applies to the flavor, and its feature gate is among the
 *    features (and without that feature the word is not matched);
 *  - an unmatched word is left alone and takes no template space;
 *  - a single-word rewrite decodes with capstone to the load, store or nop
 *    the spec wants, with the word's register and the field's displacement;
 *  - a template site becomes a `b` to its instance, and every slot of the
 *    instance is filled: original instruction, register fetch, branch back;
 *  - the branch helper reaches exactly what `b` reaches, at distances from
 *    the word and at the limits, and its words decode back to the target.
 */
#include <string.h>

#include "disasm.h"
#include "pvf.h"
#include "report.h"

#define AREA_OFF 0x10000u

struct patched {
	uint32_t now;
	uint8_t mem[4 * PV_TMPL_MAX_WORDS]; /* the area memory after the pass */
	uint32_t inst[PV_TMPL_MAX_WORDS];
	size_t used;
	struct pv_report rep;
};

static void patch_once(const struct pv_ctx *ctx, uint32_t w, uint64_t site, struct patched *p)
{
	uint8_t img[4], mem[4 * PV_TMPL_MAX_WORDS];
	struct pv_image image = {img, 4, site};
	struct pv_area area;
	memset(mem, 0, sizeof mem);
	memset(p, 0, sizeof(*p));
	pv_put_word(ctx, img, w);
	pv_area_init(&area, site + AREA_OFF, mem, sizeof mem);
	if (pv_patch_image(ctx, &image, &area, NULL, &p->rep) != PV_OK)
		return;
	p->now = pv_get_word(ctx, img);
	p->used = area.used;
	memcpy(p->mem, mem, sizeof mem); /* all of it, for the determinism check */
	/* as word values, the words the pass used (the instance checks read no more) */
	for (unsigned i = 0; i < PV_TMPL_MAX_WORDS && 4 * i < area.used; i++)
		p->inst[i] = pv_get_word(ctx, mem + 4 * i);
}

/* the input: the word */
void pvf_encode_word_input(struct pvf_out *o, enum pvf_target t, unsigned platform, uint32_t w)
{
	pvf_put_header(o, t, platform);
	pvf_put(o, w, 4);
}

void pvf_check_ins(const struct pv_ctx *ctx, struct pvf_in *in, bool verbose, FILE *out, struct pvf_result *r)
{
	pvf_check_word(ctx, (uint32_t)pvf_take(in, 4), verbose, out, r);
}

/* The branch helper against the ISA: b reaches [-32 MiB, +32 MiB - 4] in
 * words, in the flavor's address width, and decodes back to its target.
 * Tried at distances from the word and at the four limits. */
static void check_branch_helper(const struct pv_ctx *ctx, uint32_t w, FILE *out, struct pvf_result *r)
{
	bool is64 = ctx->fi->is64;
	uint64_t from = is64 ? 0xc000000004000000ull + (w & 0xfff0u) : 0x40000000u + (w & 0xfff0u);
	int64_t ds[] = {(int64_t)((int32_t)(w << 4) >> 4), 0x1fffffc, 0x2000000, -0x2000000, -0x2000004};
	for (size_t i = 0; i < sizeof ds / sizeof ds[0]; i++) {
		uint64_t to = from + (uint64_t)ds[i];
		uint32_t b = 0;
		bool want = !(ds[i] & 3) && ds[i] >= -0x2000000 && ds[i] <= 0x1fffffc;
		bool got = pv_branch_encode(is64, from, to, &b);
		int64_t back = (int32_t)((b & 0x03fffffcu) << 6) >> 6;
		if (got != want || (got && ((b & 0xfc000003u) != 0x48000000u || back != ds[i])))
			return pvf_fail(r, out, ctx, PVF_K_branch_helper, -1, "b from 0x%llx by %lld: helper says %s (0x%08x), the ISA %s",
					(unsigned long long)from, (long long)ds[i], got ? "yes" : "no", b, want ? "yes" : "no");
	}
}

void pvf_check_word(const struct pv_ctx *ctx, uint32_t w, bool verbose, FILE *out, struct pvf_result *r)
{
	size_t cs;
	if (!pv_capstone(ctx->fi->is64, &cs)) { /* the expectations read through capstone */
		pvf_internal(r, out, "capstone could not open a PowerPC handle");
		return;
	}
	check_branch_helper(ctx, w, out, r);
	if (r->failed)
		return;
	uint64_t site = ctx->fi->is64 ? 0xc000000000001000ull : 0xc0001000ull;
	char msg[200];
	const struct pv_row *row = pv_match(ctx, w);

	if (verbose) {
		pv_print_insn(out, "word: ", ctx->fi->is64, site, w, "");
		fprintf(out, "class: %s\n", row ? pv_class_name(row->cls) : "unchanged");
	}
	if (pv_match(ctx, w) != row)
		return pvf_fail(r, out, ctx, PVF_K_matcher_nondeterministic, row ? row->cls : -1,
				"0x%08x: the matcher is not deterministic", w);
	if (row) {
		if ((w & ~row->carried) != row->match)
			return pvf_fail(r, out, ctx, PVF_K_matcher_bits, row->cls, "0x%08x matched %s with other bits than its encoding 0x%08x",
					w, pv_class_name(row->cls), row->match);
		if (!(row->flavors & PV_FL(ctx->flavor)) || (row->gate & ~ctx->features))
			return pvf_fail(r, out, ctx, PVF_K_matcher_gate, row->cls, "0x%08x matched %s on %s/%s outside its flavors or gate", w,
					pv_class_name(row->cls), ctx->fi->name, pv_features_name(ctx->features));
		if (row->gate && pv_match(pvf_ctx(ctx->flavor, ctx->features & ~row->gate, ctx->profile), w))
			return pvf_fail(r, out, ctx, PVF_K_matcher_feature, row->cls, "0x%08x (%s) matched on %s without feature %s", w,
					pv_class_name(row->cls), ctx->fi->name, pv_features_name(row->gate));
	}

	struct patched a, b;
	patch_once(ctx, w, site, &a);
	patch_once(ctx, w, site, &b);
	bool same = a.now == b.now && a.used == b.used && !memcmp(a.mem, b.mem, sizeof a.mem);
	pv_report_free(&a.rep);
	pv_report_free(&b.rep);
	if (!same)
		return pvf_fail(r, out, ctx, PVF_K_patch_nondeterministic, row ? row->cls : -1,
				"0x%08x on %s: patching is not deterministic", w, ctx->fi->name);

	if (!row) {
		if (a.now != w || a.used)
			return pvf_fail(r, out, ctx, PVF_K_unmatched_changed, -1, "unmatched 0x%08x on %s became 0x%08x (area use %zu)", w, ctx->fi->name,
					a.now, a.used);
		return;
	}
	if (verbose)
		pv_print_insn(out, "rewrite: ", ctx->fi->is64, site, a.now, "");
	if (row->kind != PV_K_TEMPLATE) {
		if (!pvf_expect_simple(ctx, row->cls, w, a.now, msg, sizeof msg))
			return pvf_fail(r, out, ctx, PVF_K_single_word_rewrite, row->cls, "%s", msg);
		return;
	}
	uint32_t want_b;
	pv_branch_encode(ctx->fi->is64, site, site + AREA_OFF, &want_b);
	if (a.now != want_b)
		return pvf_fail(r, out, ctx, PVF_K_site_not_branch, row->cls, "%s 0x%08x: site became 0x%08x, want b to the instance (0x%08x)",
				pv_class_name(row->cls), w, a.now, want_b);
	unsigned n = (unsigned)(a.used / 4);
	if (verbose)
		for (unsigned i = 0; i < n; i++)
			pv_print_insn(out, "  ", ctx->fi->is64, site + AREA_OFF + 4 * i, a.inst[i],
				      pv_slot_tag(pv_tmpl_layout(ctx, row->target), (int)i));
	if (!pvf_expect_instance(ctx, row, w, site, site + AREA_OFF, a.inst, n, msg, sizeof msg))
		return pvf_fail(r, out, ctx, PVF_K_instance_slots, row->cls, "%s", msg);
}
