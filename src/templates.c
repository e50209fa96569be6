/* Template layouts and per-site slot filling (spec section 5).
 *
 * The template code is src/templates.S, assembled at build time into
 * pv_templates_gen.h (see the comment at the top of templates.S for why).
 * This file maps its pvt_* symbols to slot offsets and fills one instance.
 */
#include <string.h>

#include "mutant.h"
#include "pv.h"
#include "ppc_insn.h"
#include "pv_templates_gen.h"

#define NONE -1
#define SPAN(w, t) .words = &pvt_text##w[PVT##w##_##t##_start], \
	.nwords = PVT##w##_##t##_end - PVT##w##_##t##_start
#define AT(w, t, slot) (PVT##w##_##t##_##slot - PVT##w##_##t##_start)

#define NO_SRIN .rb_load = NONE, .rb_use = NONE, .rs_load = NONE, .rs_use = NONE, .rt_set = NONE
#define LAYOUT_REG(w, t, nm) { .name = nm, SPAN(w, t), .reg = AT(w, t, reg), .reg2 = NONE, \
	.orig = AT(w, t, orig), .branch = AT(w, t, branch), NO_SRIN }
#define LAYOUT_REG2(w, t, nm) { .name = nm, SPAN(w, t), .reg = AT(w, t, reg), .reg2 = AT(w, t, reg2), \
	.orig = AT(w, t, orig), .branch = AT(w, t, branch), NO_SRIN }
#define LAYOUT_WRTEEI_0(w, t) { .name = "wrteei_0", SPAN(w, t), .reg = NONE, .reg2 = NONE, \
	.orig = NONE, .branch = AT(w, t, branch), NO_SRIN }
#define LAYOUT_MTSRIN(w) { .name = "mtsrin", SPAN(w, mtsrin), .reg = NONE, .reg2 = NONE, \
	.orig = AT(w, mtsrin, orig), .branch = AT(w, mtsrin, branch), \
	.rb_load = AT(w, mtsrin, rb_load), .rb_use = AT(w, mtsrin, rb_use), \
	.rs_load = AT(w, mtsrin, rs_load), .rs_use = AT(w, mtsrin, rs_use), .rt_set = NONE }
#define LAYOUT_MTSRIN_LINUX(w) { .name = "mtsrin", SPAN(w, mtsrin_linux), .reg = NONE, .reg2 = NONE, \
	.orig = AT(w, mtsrin_linux, orig), .branch = AT(w, mtsrin_linux, branch), \
	.rb_load = NONE, .rb_use = AT(w, mtsrin_linux, rb_use), \
	.rs_load = NONE, .rs_use = AT(w, mtsrin_linux, rs_use), .rt_set = NONE }
#define LAYOUT_MFSRIN(w) { .name = "mfsrin", SPAN(w, mfsrin), .reg = NONE, .reg2 = NONE, \
	.orig = AT(w, mfsrin, orig), .branch = AT(w, mfsrin, branch), \
	.rb_load = AT(w, mfsrin, rb_load), .rb_use = AT(w, mfsrin, rb_use), \
	.rs_load = NONE, .rs_use = NONE, .rt_set = AT(w, mfsrin, rt_set) }

#define FIXED_LAYOUTS(w) {                                          \
	[PV_T_MTMSRD_L1] = LAYOUT_REG(w, mtmsrd_l1, "mtmsrd_l1"),   \
	[PV_T_MTMSR]     = LAYOUT_REG(w, mtmsr, "mtmsr"),           \
	[PV_T_WRTEE]     = LAYOUT_REG(w, wrtee, "wrtee"),           \
	[PV_T_WRTEEI_0]  = LAYOUT_WRTEEI_0(w, wrteei_0),            \
	[PV_T_MTSRIN]    = LAYOUT_MTSRIN(w),                        \
	[PV_T_MFSRIN]    = LAYOUT_MFSRIN(w),                        \
}
/* the kernel's routines (templates.S, "the linux profile's templates");
 * mfsrin is not upstream and its row is fixed-only */
#define LINUX_LAYOUTS(w) {                                                \
	[PV_T_MTMSRD_L1] = LAYOUT_REG(w, mtmsrd_l1_linux, "mtmsrd_l1"),   \
	[PV_T_MTMSR]     = LAYOUT_REG2(w, mtmsr_linux, "mtmsr"),          \
	[PV_T_WRTEE]     = LAYOUT_REG(w, wrtee_linux, "wrtee"),           \
	[PV_T_WRTEEI_0]  = LAYOUT_WRTEEI_0(w, wrteei_0_linux),            \
	[PV_T_MTSRIN]    = LAYOUT_MTSRIN_LINUX(w),                        \
	[PV_T_MFSRIN]    = LAYOUT_MFSRIN(w),                              \
}

/* [is64][profile][template] */
static const struct pv_tmpl_layout layouts[2][PV_NPROFILES][PV_NTMPL] = {
	{ [PV_PROFILE_FIXED] = FIXED_LAYOUTS(32), [PV_PROFILE_LINUX] = LINUX_LAYOUTS(32) },
	{ [PV_PROFILE_FIXED] = FIXED_LAYOUTS(64), [PV_PROFILE_LINUX] = LINUX_LAYOUTS(64) },
};

const struct pv_tmpl_layout *pv_tmpl_layout(const struct pv_ctx *ctx, enum pv_tmpl t)
{
	if (ctx->layouts) /* a profile implementation's own (the kernel profile) */
		return &ctx->layouts[t];
	return &layouts[ctx->fi->is64][ctx->profile][t];
}

/* r30 and r31 are the template's scratch registers: their guest values sit
 * in scratch2 and scratch1 once ENTER has run. */
static enum pv_field saved_in(unsigned r)
{
	return r == 30 && !PV_MUTANT_ON(r30_from_scratch1) ? PV_F_SCRATCH2 : PV_F_SCRATCH1;
}

/* An instruction that leaves guest register r's value in `dst`. The linux
 * profile's are the kernel's: `ori dst,r,0`, and for r30/r31 a load of the
 * whole register from the start of its scratch field (KLEAVE's layout). */
static uint32_t fetch_reg(const struct pv_ctx *ctx, unsigned dst, unsigned r)
{
	bool upstream = ctx->profile == PV_PROFILE_LINUX;
	bool scratch = (r == 30 || r == 31) && !PV_MUTANT_ON(no_scratch_loads);
	if (scratch && upstream) {
		int d = PV_MAGIC_PAGE_EA + pv_field_info(saved_in(r))->offset;
		return ppc_dform(ctx->fi->is64 ? PPC_OP_LD : PPC_OP_LWZ, dst, 0, d); /* d % 4 == 0: ld's XO 0 */
	}
	if (scratch)
		return pv_field_access(ctx->flavor, saved_in(r), dst, false);
	return upstream ? ppc_dform(PPC_OP_ORI, r, dst, 0) : ppc_mr(dst, r);
}

static void fill_mtsrin(const struct pv_ctx *ctx, const struct pv_tmpl_layout *l,
			uint32_t word, uint32_t *out)
{
	unsigned rs = ppc_rt(word), rb = ppc_rb(word);
	bool fix = ctx->profile == PV_PROFILE_FIXED;

	/* index register r30 = (rB >> 28) * 4 */
	if (fix && rb >= 30) {
		out[l->rb_load] = fetch_reg(ctx, 30, rb);
		rb = 30;
	}
	out[l->rb_use] = ppc_with_rt(out[l->rb_use], rb); /* rlwinm's RS field */
	if (PV_MUTANT_ON(mtsrin_shift_27))
		out[l->rb_use] = (out[l->rb_use] & ~0xf800u) | 5u << 11; /* rotate by 5: rB >> 27 */
	/* value register: r31 is free on this path (it held the masked MSR) */
	if (fix && rs >= 30) {
		out[l->rs_load] = fetch_reg(ctx, 31, rs);
		rs = 31;
	}
	out[l->rs_use] = ppc_with_rt(out[l->rs_use], rs); /* stw's RS field */
}

/* mfsrin exists in the fixed profile only, so r30/r31 are always handled. */
static void fill_mfsrin(const struct pv_ctx *ctx, const struct pv_tmpl_layout *l,
			uint32_t word, uint32_t *out)
{
	unsigned rt = ppc_rt(word), rb = ppc_rb(word);

	/* index register r30 = (rB >> 28) * 4 */
	if (rb >= 30) {
		out[l->rb_load] = fetch_reg(ctx, 30, rb);
		rb = 30;
	}
	out[l->rb_use] = ppc_with_rt(out[l->rb_use], rb); /* rlwinm's RS field */
	if (PV_MUTANT_ON(mfsrin_index_27)) /* rlwinm r30,rB,7,25,29: (rB >> 27) * 4 */
		out[l->rb_use] = (out[l->rb_use] & ~(0x1fu << 11 | 0x1fu << 6)) | 7u << 11 | 25u << 6;
	/* the value, in r30: to rT, or to the copy LEAVE restores rT from */
	out[l->rt_set] = rt >= 30 ? pv_field_access(ctx->flavor, saved_in(rt), 30, true) : ppc_mr(rt, 30);
}

unsigned pv_tmpl_fill(const struct pv_ctx *ctx, const struct pv_row *row, uint32_t word,
		      uint64_t site, uint64_t at, uint32_t *out)
{
	const struct pv_tmpl_layout *l = pv_tmpl_layout(ctx, row->target);

	memcpy(out, l->words, l->nwords * sizeof(uint32_t));
	if (row->target == PV_T_MTSRIN)
		fill_mtsrin(ctx, l, word, out);
	else if (row->target == PV_T_MFSRIN)
		fill_mfsrin(ctx, l, word, out);
	else if (l->reg != NONE)
		out[l->reg] = row->ee_imm ? ppc_li(30, PV_MUTANT(wrteei1_pr_bit, 0x4000, -0x8000)) /* EE set */
					  : fetch_reg(ctx, 30, ppc_rt(word));
	if (l->reg2 != NONE)
		out[l->reg2] = out[l->reg]; /* the kernel loads rS again (mtmsr) */
	if (l->orig != NONE && !PV_MUTANT_ON(orig_slot_unfilled))
		out[l->orig] = word;
	if (PV_MUTANT_ON(return_to_site))
		site -= 4;
	uint64_t from = at + 4u * (unsigned)l->branch;
	if (ctx->profile == PV_PROFILE_LINUX) { /* upstream: the return is not checked */
		out[l->branch] = pv_branch_masked(from, site + 4);
		return l->nwords;
	}
	if (!pv_branch_encode(ctx->fi->is64, from, site + 4, &out[l->branch]))
		return 0;
	return l->nwords;
}
