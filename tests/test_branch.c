/* Branches: the reach of `b` in both directions and one word past each,
 * for the site's branch to its instance and the instance's branch back. */
#include "test_util.h"

#define MTMSR_R5 0x7ca00124u
#define PPC_B_OPCODE 0x48000000u
/* the b word for a distance, the way the ISA lays it out */
#define PPC_B_OPCODE_FOR(d) (PPC_B_OPCODE | ((uint32_t)(int64_t)(d) & 0x03fffffcu))

/* ---- the branch helper ---------------------------------------------------- */

static void maximum_positive_branch(void **state)
{
	(void)state;
	uint32_t b = 0;
	assert_true(pv_branch_encode(true, 0x10000000, 0x10000000 + 0x1fffffc, &b));
	assert_int_equal(b, 0x49fffffc);
	assert_true(pv_branch_encode(false, 0x10000000, 0x10000000 + 0x1fffffc, &b));
	assert_int_equal(b, 0x49fffffc);
}

static void one_word_past_positive(void **state)
{
	(void)state;
	uint32_t b;
	assert_false(pv_branch_encode(true, 0x10000000, 0x12000000, &b));
	assert_false(pv_branch_encode(false, 0x10000000, 0x12000000, &b));
}

static void maximum_negative_branch(void **state)
{
	(void)state;
	uint32_t b = 0;
	assert_true(pv_branch_encode(true, 0x10000000, 0x0e000000, &b));
	assert_int_equal(b, 0x4a000000);
}

static void one_word_past_negative(void **state)
{
	(void)state;
	uint32_t b;
	assert_false(pv_branch_encode(true, 0x10000000, 0x0dfffffc, &b));
	assert_false(pv_branch_encode(false, 0x10000000, 0x0dfffffc, &b));
}

static void unaligned_target(void **state)
{
	(void)state;
	uint32_t b;
	assert_false(pv_branch_encode(true, 0x10000000, 0x10000002, &b));
	assert_false(pv_branch_encode(true, 0x10000001, 0x10000008, &b));
}

/* A 32-bit guest computes branch targets modulo 2^32. */
static void wraps_at_4gib_on_32bit_only(void **state)
{
	(void)state;
	uint32_t b = 0;
	assert_true(pv_branch_encode(false, 0xfffffff8, 0x8, &b));
	assert_int_equal(b, 0x48000010);
	assert_false(pv_branch_encode(true, 0xfffffff8, 0x8, &b));
	/* 64-bit: crossing zero backwards is an ordinary short branch */
	assert_true(pv_branch_encode(true, 0x4, 0xfffffffffffffff0ull, &b));
	assert_int_equal(b, 0x4bffffec);
}

/* ---- the instance's branch back (pv_tmpl_fill) --------------------------- */

static unsigned fill_at(uint64_t site, uint64_t at, uint32_t *ret)
{
	struct pv_ctx ctx;
	uint32_t inst[PV_TMPL_MAX_WORDS];
	ctx_or_die(&ctx, PV_BOOK3S64, 0, PV_PROFILE_FIXED);
	const struct pv_row *row = pv_match(&ctx, MTMSR_R5);
	unsigned n = pv_tmpl_fill(&ctx, row, MTMSR_R5, site, at, inst);
	*ret = n ? inst[pv_tmpl_layout(&ctx, row->target)->branch] : 0;
	return n;
}

static void return_branch_limits(void **state)
{
	(void)state;
	struct pv_ctx ctx;
	ctx_or_die(&ctx, PV_BOOK3S64, 0, PV_PROFILE_FIXED);
	uint64_t br = 4u * (unsigned)pv_tmpl_layout(&ctx, PV_T_MTMSR)->branch;
	uint64_t site = 0x40000000, next = site + 4;
	uint32_t ret;
	/* copy below the site: return branch of exactly +0x1fffffc, then one word more */
	assert_true(fill_at(site, next - 0x1fffffc - br, &ret) > 0);
	assert_int_equal(ret, 0x49fffffc);
	assert_int_equal(fill_at(site, next - 0x2000000 - br, &ret), 0);
	/* copy above the site: return branch of exactly -0x2000000, then one word more */
	assert_true(fill_at(site, next + 0x2000000 - br, &ret) > 0);
	assert_int_equal(ret, 0x4a000000);
	assert_int_equal(fill_at(site, next + 0x2000004 - br, &ret), 0);
}

/* ---- through the patch loop ---------------------------------------------- */

/* Patches mtmsr r5 at `site` with an area of exactly one instance at `area`.
 * Returns the site word afterwards; *reason is PV_NSKIP when patched. */
static uint32_t loop_once(enum pv_flavor f, uint64_t site, uint64_t area, enum pv_skip_reason *reason)
{
	struct pv_ctx ctx;
	ctx_or_die(&ctx, f, 0, PV_PROFILE_FIXED);
	unsigned n = pv_tmpl_layout(&ctx, PV_T_MTMSR)->nwords;
	uint8_t img[4], mem[4 * PV_TMPL_MAX_WORDS];
	struct pv_image image = {img, 4, site};
	struct pv_area a;
	struct pv_report rep = {0};
	pv_put_word(&ctx, img, MTMSR_R5);
	pv_area_init(&a, area, mem, 4u * n);
	assert_int_equal(pv_patch_image(&ctx, &image, &a, NULL, &rep), PV_OK);
	*reason = rep.nskips ? (enum pv_skip_reason)rep.skips[0].reason : PV_NSKIP;
	assert_int_equal(rep.patched[PV_C_MTMSR] + rep.skipped[PV_C_MTMSR], 1);
	pv_report_free(&rep);
	return pv_get_word(&ctx, img);
}

/* Area above the site: its last word must be within +0x1fffffc (the whole
 * area must be in reach, docs/engine.md), so the instance start is at most
 * 0x1fffffc - 4*(n-1) away. */
/* pv_branch_target: every relative branch, for cutting blocks out of real
 * text; absolute and register branches are none */
static void relative_branch_targets(void **state)
{
	(void)state;
	uint64_t to;
	/* b +8 (0x48000008) and bl -4 (0x4bfffffd) */
	assert_true(pv_branch_target(true, 0x1000, 0x48000008, &to));
	assert_int_equal(to, 0x1008);
	assert_true(pv_branch_target(true, 0x1000, 0x4bfffffd, &to));
	assert_int_equal(to, 0xffc);
	/* bne cr0,+0x10 (0x40820010) and bdnz -8 (0x4200fff8) */
	assert_true(pv_branch_target(true, 0x2000, 0x40820010, &to));
	assert_int_equal(to, 0x2010);
	assert_true(pv_branch_target(true, 0x2000, 0x4200fff8, &to));
	assert_int_equal(to, 0x1ff8);
	/* maximum negative bc: -0x8000 */
	assert_true(pv_branch_target(true, 0x10000, 0x41808000, &to));
	assert_int_equal(to, 0x8000);
	/* 32-bit: b -8 from 0 wraps to the top of 4 GiB, 64-bit to the top of 2^64 */
	assert_true(pv_branch_target(false, 0, 0x4bfffff8, &to));
	assert_int_equal(to, 0xfffffff8u);
	assert_true(pv_branch_target(true, 0, 0x4bfffff8, &to));
	assert_true(to == 0xfffffffffffffff8ull);
	/* ba 0x100 (0x48000102), bca (0x42000102), blr (0x4e800020), bctr (0x4e800420): none */
	assert_false(pv_branch_target(true, 0x1000, 0x48000102, &to));
	assert_false(pv_branch_target(true, 0x1000, 0x42000102, &to));
	assert_false(pv_branch_target(true, 0x1000, 0x4e800020, &to));
	assert_false(pv_branch_target(true, 0x1000, 0x4e800420, &to));
	/* a non-branch: addi r3,r3,1 */
	assert_false(pv_branch_target(true, 0x1000, 0x38630001, &to));
}

static void loop_area_above_site(void **state)
{
	(void)state;
	struct pv_ctx ctx;
	ctx_or_die(&ctx, PV_BOOK3S64, 0, PV_PROFILE_FIXED);
	uint64_t span = 4u * (pv_tmpl_layout(&ctx, PV_T_MTMSR)->nwords - 1);
	uint64_t site = 0x40000000;
	enum pv_skip_reason why;
	uint32_t w = loop_once(PV_BOOK3S64, site, site + 0x1fffffc - span, &why);
	assert_int_equal(why, PV_NSKIP);
	assert_int_equal(w, PPC_B_OPCODE_FOR(0x1fffffc - span));
	w = loop_once(PV_BOOK3S64, site, site + 0x2000000 - span, &why);
	assert_int_equal(why, PV_SKIP_OUT_OF_RANGE);
	assert_int_equal(w, MTMSR_R5); /* left as it was */
}

/* Area below the site: the binding branch is the return from the area's
 * first word to site+4, at most +0x1fffffc. */
static void loop_area_below_site(void **state)
{
	(void)state;
	uint64_t site = 0x40000000;
	enum pv_skip_reason why;
	uint32_t w = loop_once(PV_BOOK3S64, site, site - 0x1fffff8, &why);
	assert_int_equal(why, PV_NSKIP);
	assert_int_equal(w, 0x4a000008); /* b -0x1fffff8 */
	w = loop_once(PV_BOOK3S64, site, site - 0x1fffffc, &why);
	assert_int_equal(why, PV_SKIP_OUT_OF_RANGE);
	assert_int_equal(w, MTMSR_R5);
}

/* book3s32: an area just below 4 GiB is in reach of a site just above 0. */
static void loop_area_across_4gib_on_32bit(void **state)
{
	(void)state;
	enum pv_skip_reason why;
	uint32_t w = loop_once(PV_BOOK3S32, 0x100, 0xfff00000, &why);
	assert_int_equal(why, PV_NSKIP);
	assert_int_equal(w, PPC_B_OPCODE_FOR(-0x100100));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(maximum_positive_branch),
		cmocka_unit_test(one_word_past_positive),
		cmocka_unit_test(maximum_negative_branch),
		cmocka_unit_test(one_word_past_negative),
		cmocka_unit_test(unaligned_target),
		cmocka_unit_test(wraps_at_4gib_on_32bit_only),
		cmocka_unit_test(return_branch_limits),
		cmocka_unit_test(relative_branch_targets),
		cmocka_unit_test(loop_area_above_site),
		cmocka_unit_test(loop_area_below_site),
		cmocka_unit_test(loop_area_across_4gib_on_32bit),
	};
	return cmocka_run_group_tests_name("branch", tests, NULL, NULL);
}
