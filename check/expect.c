/* What the spec says a rewrite must look like, checked with capstone.
 *
 * The page offsets here are this file's own copy of spec section 3, not the
 * engine's table: a wrong offset in src/magic_page.c must not be able to
 * agree with itself. Used by fuzz_check_ins, fuzz_image and the unit tests.
 */
#include <capstone/capstone.h>
#include <stdio.h>
#include <string.h>

#include "disasm.h"
#include "pvf.h"

static const struct {
	enum pv_class cls;
	unsigned offset, size;
} spec_fields[] = {
	{PV_C_MFMSR, 88, 8},
	{PV_C_MFSPR_SPRG0, 32, 8}, {PV_C_MTSPR_SPRG0, 32, 8}, {PV_C_MFSPR_SPRG1, 40, 8}, {PV_C_MTSPR_SPRG1, 40, 8},
	{PV_C_MFSPR_SPRG2, 48, 8}, {PV_C_MTSPR_SPRG2, 48, 8}, {PV_C_MFSPR_SPRG3, 56, 8}, {PV_C_MTSPR_SPRG3, 56, 8},
	{PV_C_MFSPR_SRR0, 64, 8}, {PV_C_MTSPR_SRR0, 64, 8}, {PV_C_MFSPR_SRR1, 72, 8}, {PV_C_MTSPR_SRR1, 72, 8},
	{PV_C_MFSPR_DAR, 80, 8}, {PV_C_MTSPR_DAR, 80, 8}, {PV_C_MFSPR_DEAR, 80, 8}, {PV_C_MTSPR_DEAR, 80, 8},
	{PV_C_MFSPR_DSISR, 96, 4}, {PV_C_MTSPR_DSISR, 96, 4},
	{PV_C_MFSPR_SPRG4, 208, 8}, {PV_C_MTSPR_SPRG4, 208, 8}, {PV_C_MFSPR_SPRG5, 216, 8}, {PV_C_MTSPR_SPRG5, 216, 8},
	{PV_C_MFSPR_SPRG6, 224, 8}, {PV_C_MTSPR_SPRG6, 224, 8}, {PV_C_MFSPR_SPRG7, 232, 8}, {PV_C_MTSPR_SPRG7, 232, 8},
	{PV_C_MFSPR_SPRG4R, 208, 8}, {PV_C_MFSPR_SPRG5R, 216, 8}, {PV_C_MFSPR_SPRG6R, 224, 8}, {PV_C_MFSPR_SPRG7R, 232, 8},
	{PV_C_MFSPR_PIR, 204, 4}, {PV_C_MFSPR_ESR, 200, 4}, {PV_C_MTSPR_ESR, 200, 4},
	{PV_C_MFSPR_MAS0, 168, 4}, {PV_C_MTSPR_MAS0, 168, 4}, {PV_C_MFSPR_MAS1, 172, 4}, {PV_C_MTSPR_MAS1, 172, 4},
	{PV_C_MFSPR_MAS2, 184, 8}, {PV_C_MTSPR_MAS2, 184, 8}, {PV_C_MFSPR_MAS3, 180, 4}, {PV_C_MTSPR_MAS3, 180, 4},
	{PV_C_MFSPR_MAS4, 192, 4}, {PV_C_MTSPR_MAS4, 192, 4}, {PV_C_MFSPR_MAS6, 196, 4}, {PV_C_MTSPR_MAS6, 196, 4},
	{PV_C_MFSPR_MAS7, 176, 4}, {PV_C_MTSPR_MAS7, 176, 4},
};

bool pvf_spec_field(enum pv_class c, unsigned *offset, unsigned *size)
{
	for (size_t i = 0; i < sizeof spec_fields / sizeof spec_fields[0]; i++)
		if (spec_fields[i].cls == c) {
			*offset = spec_fields[i].offset;
			*size = spec_fields[i].size;
			return true;
		}
	return false;
}

struct dec {
	unsigned id;
	char text[96];
	cs_ppc ppc;
};

/* capstone's reading of one word (the handle: report/disasm.c's cache,
 * whose opening the checks test first, pvf_capstone_ready) */
static bool decode_uncached(bool is64, uint32_t w, uint64_t addr, struct dec *d)
{
	size_t h;
	if (!pv_capstone(is64, &h))
		return false;
	uint8_t b[4]; /* capstone reads the word big-endian: an instruction value */
	pv_store(b, 4, false, w);
	cs_insn *insn;
	if (cs_disasm(h, b, 4, addr, 1, &insn) != 1)
		return false;
	d->id = insn->id;
	snprintf(d->text, sizeof d->text, "%s %s", insn->mnemonic, insn->op_str);
	d->ppc = insn->detail->ppc;
	cs_free(insn, 1);
	return true;
}

/* The same, remembered: capstone's reading is a function of the mode, the
 * word and the address alone, and the rewrites these checks read are few
 * (a load or store per class and register, the templates' fixed slots),
 * so nearly every reading is one made before. Each entry holds its whole
 * key; a word capstone does not decode is not remembered. Per thread, like
 * the handles. capstone with the strcmp calls inside it that libFuzzer
 * intercepts was a fifth of fuzz_check_ins's time and half of
 * fuzz_image's, and is 1% and 5% with it (docs/performance.md). */
#define MEMO_BITS 10

/* b or bc with AA clear: the only words capstone reads differently at
 * another address (it shows their target) */
static bool relative_branch(uint32_t w) { return (w >> 26 == 18 || w >> 26 == 16) && !(w & 2); }

static _Thread_local struct memo {
	bool used, is64;
	uint32_t w;
	uint64_t addr;
	struct dec d;
} memo[1u << MEMO_BITS];

static bool decode(bool is64, uint32_t w, uint64_t addr, struct dec *d)
{
	/* any other word is remembered once, wherever a template instance puts it */
	if (!relative_branch(w))
		addr = 0;
	uint64_t k = ((uint64_t)w << 1 | is64) ^ addr * 0x9e3779b97f4a7c15ull;
	struct memo *m = &memo[(k * 0xff51afd7ed558ccdull) >> (64 - MEMO_BITS)];
	if (m->used && m->w == w && m->addr == addr && m->is64 == is64) {
		*d = m->d;
		return true;
	}
	if (!decode_uncached(is64, w, addr, d))
		return false;
	*m = (struct memo){true, is64, w, addr, *d};
	return true;
}

#define GPR(n) (PPC_REG_R0 + (n))

static bool mem_is(const struct dec *d, unsigned id, unsigned reg, unsigned base, int disp)
{
	return d->id == id && d->ppc.op_count == 2 && d->ppc.operands[0].type == PPC_OP_REG &&
	       d->ppc.operands[0].reg == GPR(reg) && d->ppc.operands[1].type == PPC_OP_MEM &&
	       d->ppc.operands[1].mem.base == GPR(base) && d->ppc.operands[1].mem.disp == disp;
}

static bool branch_to(const struct dec *d, uint64_t target, bool is64)
{
	uint64_t got = (uint64_t)d->ppc.operands[0].imm;
	if (!is64)
		got &= 0xffffffffu, target &= 0xffffffffu;
	return d->id == PPC_INS_B && d->ppc.op_count == 1 && got == target;
}

/* A relative branch (b, bc with AA clear) reads differently at every
 * address, so each instance's branches would be read by capstone anew.
 * They are read at one fixed address instead, and a branch's target is
 * checked as a displacement from it: capstone's `b` at READ_AT shows
 * READ_AT + d, and the word at `at` reaches `target` exactly when d equals
 * target - at in the flavor's width. READ_AT is 64 MiB, past any backward
 * reach, so no reading wraps. */
#define READ_AT 0x4000000ull

static uint64_t read_addr(uint32_t w, uint64_t at) { return relative_branch(w) ? READ_AT : at; }

/* Whether d, read at read_addr(w, at), is `b target` for the word at `at`. */
static bool returns_to(const struct dec *d, uint32_t w, uint64_t at, uint64_t target, bool is64)
{
	if (!relative_branch(w))
		return branch_to(d, target, is64);
	uint64_t rel = target - at;
	if (!is64)
		rel = (uint64_t)(int64_t)(int32_t)(uint32_t)rel;
	return branch_to(d, READ_AT + rel, is64);
}

/* capstone's text of w at its real address, for a message */
static const char *text_at(bool is64, uint32_t w, uint64_t at, struct dec *d)
{
	if (!decode(is64, w, at, d))
		snprintf(d->text, sizeof d->text, "(not decoded)");
	return d->text;
}

bool pvf_expect_simple(const struct pv_ctx *ctx, enum pv_class c, uint32_t word, uint32_t now, char *buf, size_t n)
{
	bool is64 = ctx->fi->is64;
	struct dec d;
	if (!decode(is64, now, 0, &d)) {
		snprintf(buf, n, "%s 0x%08x became 0x%08x, which capstone cannot decode", pv_class_name(c), word, now);
		return false;
	}
	if (c == PV_C_TLBSYNC) {
		if (d.id == PPC_INS_NOP)
			return true;
		snprintf(buf, n, "tlbsync became '%s', want nop", d.text);
		return false;
	}
	unsigned off, size;
	if (!pvf_spec_field(c, &off, &size)) {
		snprintf(buf, n, "%s is not a single-word class in the spec", pv_class_name(c));
		return false;
	}
	bool wide = size == 8 && is64, store = pv_class_name(c)[1] == 't'; /* mtspr_* */
	int disp = -4096 + (int)off + (size == 8 && !is64 ? 4 : 0);
	unsigned id = wide ? (store ? PPC_INS_STD : PPC_INS_LD) : (store ? PPC_INS_STW : PPC_INS_LWZ);
	if (mem_is(&d, id, (word >> 21) & 31, 0, disp))
		return true;
	snprintf(buf, n, "%s 0x%08x on %s became 0x%08x '%s', want %s r%u, %d(0)", pv_class_name(c), word,
		 ctx->fi->name, now, d.text, wide ? (store ? "std" : "ld") : (store ? "stw" : "lwz"), (word >> 21) & 31,
		 disp);
	return false;
}

/* A register fetch into dst: `mr dst,r`, or for r30/r31 a load of the
 * saved copy (scratch2/scratch1: ld, or lwz of the low word). Upstream
 * (linux profile) writes `ori dst,r,0` and loads a 32-bit guest's copy from
 * the field's first word, where its KENTER stored it. */
static bool fetch_is(const struct dec *d, unsigned dst, unsigned r, bool is64, bool upstream)
{
	if (r >= 30) {
		int disp = -4096 + (r == 30 ? 8 : 0) + (is64 || upstream ? 0 : 4);
		return mem_is(d, is64 ? PPC_INS_LD : PPC_INS_LWZ, dst, 0, disp);
	}
	if (upstream)
		return d->id == PPC_INS_ORI && d->ppc.op_count == 3 && d->ppc.operands[0].reg == GPR(dst) &&
		       d->ppc.operands[1].reg == GPR(r) && d->ppc.operands[2].imm == 0;
	return d->id == PPC_INS_MR && d->ppc.operands[0].reg == GPR(dst) && d->ppc.operands[1].reg == GPR(r);
}

/* The index slots of mtsrin/mfsrin: r30 = (rB >> 28) * 4, rB fetched first
 * when it is r30/r31 (fix). */
static bool index_slots_ok(bool is64, const struct pv_tmpl_layout *l, unsigned rb, bool fix, const uint32_t *inst,
			   const char *cls, char *buf, size_t n)
{
	struct dec d;
	unsigned rb_reg = fix && rb >= 30 ? 30 : rb;
	if (fix && rb >= 30 && (!decode(is64, inst[l->rb_load], 0, &d) || !fetch_is(&d, 30, rb, is64, false))) {
		snprintf(buf, n, "%s rB load slot for r%u", cls, rb);
		return false;
	}
	if (!decode(is64, inst[l->rb_use], 0, &d) || d.id != PPC_INS_RLWINM || d.ppc.op_count != 5 ||
	    d.ppc.operands[0].reg != GPR(30) || d.ppc.operands[1].reg != GPR(rb_reg) || d.ppc.operands[2].imm != 6 ||
	    d.ppc.operands[3].imm != 26 || d.ppc.operands[4].imm != 29) {
		snprintf(buf, n, "%s rB slot '%s', want rlwinm r30, r%u, 6, 26, 29", cls, d.text, rb_reg);
		return false;
	}
	return true;
}

/* mfsrin rT,rB: after the index, r30 = sr[index] from the page, then r30
 * goes to rT, or for rT = r30/r31 to rT's saved copy (scratch2/scratch1). */
static bool expect_mfsrin(bool is64, const struct pv_tmpl_layout *l, uint32_t word, const uint32_t *inst, char *buf,
			  size_t n)
{
	unsigned rt = (word >> 21) & 31, rb = (word >> 11) & 31;
	struct dec d;
	if (!index_slots_ok(is64, l, rb, true, inst, "mfsrin", buf, n))
		return false;
	if (!decode(is64, inst[l->rb_use + 1], 0, &d) || !mem_is(&d, PPC_INS_LWZ, 30, 30, -4096 + 104)) {
		snprintf(buf, n, "mfsrin page load '%s', want lwz r30, -3992(r30)", d.text);
		return false;
	}
	bool ok = decode(is64, inst[l->rt_set], 0, &d);
	if (ok && rt >= 30)
		ok = mem_is(&d, PPC_INS_STW, 30, 0, -4096 + (rt == 30 ? 8 : 0) + (is64 ? 0 : 4));
	else if (ok)
		ok = d.id == PPC_INS_MR && d.ppc.operands[0].reg == GPR(rt) && d.ppc.operands[1].reg == GPR(30);
	if (!ok) {
		snprintf(buf, n, "mfsrin rT slot '%s' for r%u", d.text, rt);
		return false;
	}
	return true;
}

/* The kernel profile (docs/kernel-mode.md): the kernel's templates are
 * its own, so only what holds for any layout is checked, at the slots its
 * own kvm_emulate_*_offs symbols name: the original instruction where it
 * traps, and the branch back to the site's successor. Register slots and
 * everything else are the oracle's to judge. */
static bool expect_instance_layout_free(const struct pv_ctx *ctx, const struct pv_row *row, uint32_t word,
					uint64_t site, uint64_t at, const uint32_t *inst, const struct pv_tmpl_layout *l,
					char *buf, size_t n)
{
	bool is64 = ctx->fi->is64;
	struct dec d;
	const char *cls = pv_class_name(row->cls);
	if (l->orig >= 0 && inst[l->orig] != word) {
		snprintf(buf, n, "%s: the kernel's orig-ins slot (word %d) holds 0x%08x, not the site's 0x%08x", cls, l->orig,
			 inst[l->orig], word);
		return false;
	}
	uint64_t b_at = at + 4ull * (unsigned)l->branch;
	if (l->branch < 0 || !decode(is64, inst[l->branch], read_addr(inst[l->branch], b_at), &d) ||
	    !returns_to(&d, inst[l->branch], b_at, site + 4, is64)) {
		snprintf(buf, n, "%s: the kernel's branch slot (word %d) does not return to 0x%llx", cls, l->branch,
			 (unsigned long long)site + 4);
		return false;
	}
	return true;
}

bool pvf_expect_instance(const struct pv_ctx *ctx, const struct pv_row *row, uint32_t word, uint64_t site, uint64_t at,
			 const uint32_t *inst, unsigned ninst, char *buf, size_t n)
{
	bool is64 = ctx->fi->is64;
	const struct pv_tmpl_layout *l = pv_tmpl_layout(ctx, row->target);
	struct dec d, orig;
	const char *cls = pv_class_name(row->cls);
	if (ninst != l->nwords) {
		snprintf(buf, n, "%s instance has %u words, its template %u", cls, ninst, l->nwords);
		return false;
	}
	if (ctx->impl) /* a kernel's own templates: what does not depend on their layout */
		return expect_instance_layout_free(ctx, row, word, site, at, inst, l, buf, n);
	if (!decode(is64, word, 0, &orig))
		orig.text[0] = 0, orig.id = 0;
	for (unsigned i = 0; i < ninst; i++) {
		uint64_t a = at + 4ull * i;
		if (!decode(is64, inst[i], read_addr(inst[i], a), &d)) {
			snprintf(buf, n, "%s instance word %u (0x%08x) does not decode", cls, i, inst[i]);
			return false;
		}
		if ((int)i == l->orig && (inst[i] != word || d.id != orig.id)) {
			snprintf(buf, n, "%s orig-ins slot holds '%s', want '%s'", cls, text_at(is64, inst[i], a, &d),
				 orig.text);
			return false;
		}
		if ((int)i == l->branch && !returns_to(&d, inst[i], a, site + 4, is64)) {
			snprintf(buf, n, "%s branch slot '%s', want b 0x%llx", cls, text_at(is64, inst[i], a, &d),
				 (unsigned long long)site + 4);
			return false;
		}
		if ((int)i == l->reg || (int)i == l->reg2) {
			bool ok = row->ee_imm ? d.id == PPC_INS_LI && d.ppc.operands[0].reg == GPR(30) &&
						(d.ppc.operands[1].imm & 0x8000)
					      : fetch_is(&d, 30, (word >> 21) & 31, is64,
							 ctx->profile == PV_PROFILE_LINUX);
			if (!ok) {
				snprintf(buf, n, "%s register slot '%s' for 0x%08x", cls, text_at(is64, inst[i], a, &d),
					 word);
				return false;
			}
		}
	}
	if (row->target == PV_T_MFSRIN)
		return expect_mfsrin(is64, l, word, inst, buf, n);
	if (row->target != PV_T_MTSRIN)
		return true;
	unsigned rs = (word >> 21) & 31, rb = (word >> 11) & 31;
	bool fix = ctx->profile == PV_PROFILE_FIXED;
	unsigned rs_reg = fix && rs >= 30 ? 31 : rs;
	if (!index_slots_ok(is64, l, rb, fix, inst, "mtsrin", buf, n))
		return false;
	if (fix && rs >= 30 && (!decode(is64, inst[l->rs_load], 0, &d) || !fetch_is(&d, 31, rs, is64, false))) {
		snprintf(buf, n, "mtsrin rS load slot for r%u", rs);
		return false;
	}
	if (!decode(is64, inst[l->rs_use], 0, &d) || !mem_is(&d, PPC_INS_STW, rs_reg, 30, -4096 + 104)) {
		snprintf(buf, n, "mtsrin rS slot '%s', want stw r%u, -3992(r30)", d.text, rs_reg);
		return false;
	}
	return true;
}
