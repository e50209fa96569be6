/* Feature gating both ways, which flavors a class applies to, exact matching,
 * and the exact places where the linux and fixed profiles differ
 * (docs/profiles.md). */
#include "test_util.h"

static const struct pv_row *match(enum pv_flavor f, unsigned feat, uint32_t w)
{
	struct pv_ctx ctx;
	ctx_or_die(&ctx, f, feat, PV_PROFILE_FIXED);
	return pv_match(&ctx, w);
}

/* Named spot checks, literal words. */
static void gating_spot_checks(void **state)
{
	(void)state;
	/* mfspr r5,SPRG4 on booke32: unchanged without MAS0_TO_SPRG7 ... */
	assert_null(match(PV_BOOKE32, 0, 0x7cb442a6));
	assert_null(match(PV_BOOKE32, SR, 0x7cb442a6));
	/* ... and a load of sprg4's low word with it */
	assert_non_null(match(PV_BOOKE32, MAS, 0x7cb442a6));
	/* mtsrin r5,r6 on book3s32: only with SR, MAS does not open it */
	assert_null(match(PV_BOOK3S32, 0, 0x7ca031e4));
	assert_null(match(PV_BOOK3S32, MAS, 0x7ca031e4));
	assert_non_null(match(PV_BOOK3S32, SR, 0x7ca031e4));
	/* ungated classes need no feature: mfmsr, mtspr SRR0, tlbsync */
	FOR_EACH_FLAVOR(f) {
		assert_non_null(match(f, 0, 0x7ca000a6));
		assert_non_null(match(f, 0, 0x7cba03a6));
		assert_non_null(match(f, 0, 0x7c00046c));
	}
}

static void flavor_applicability(void **state)
{
	(void)state;
	/* DAR (SPR 19) is Book3S only, DEAR (SPR 61) BookE only */
	assert_non_null(match(PV_BOOK3S64, 0, 0x7cb302a6));
	assert_null(match(PV_BOOKE64, 0, 0x7cb302a6));
	assert_non_null(match(PV_BOOKE64, 0, 0x7cbd0aa6));
	assert_null(match(PV_BOOK3S64, 0, 0x7cbd0aa6));
	/* mtsrin: book3s32 only, even with SR */
	assert_null(match(PV_BOOK3S64, SR, 0x7ca031e4));
	assert_null(match(PV_BOOKE32, SR, 0x7ca031e4));
	/* wrtee r5 / wrteei 1 / wrteei 0: BookE only */
	assert_null(match(PV_BOOK3S32, 0, 0x7ca00106));
	assert_null(match(PV_BOOK3S64LE, 0, 0x7c008146));
	assert_non_null(match(PV_BOOKE64, 0, 0x7c000146));
	/* SPRG4R-7R (260-263) read aliases: BookE only */
	assert_null(match(PV_BOOK3S32, MAS, 0x7ca442a6));
	assert_non_null(match(PV_BOOKE32, MAS, 0x7ca442a6));
	/* PIR is SPR 1023 on Book3S and 286 on BookE */
	assert_non_null(match(PV_BOOK3S64, MAS, 0x7cbffaa6));
	assert_null(match(PV_BOOKE64, MAS, 0x7cbffaa6));
	assert_non_null(match(PV_BOOKE64, MAS, 0x7cbe42a6));
	assert_null(match(PV_BOOK3S64, MAS, 0x7cbe42a6));
	/* MAS and ESR: BookE only */
	assert_null(match(PV_BOOK3S32, MAS, 0x7cb09aa6));
	assert_non_null(match(PV_BOOKE32, MAS, 0x7cb09aa6));
	/* mtspr PIR does not exist as a rewrite */
	assert_null(match(PV_BOOK3S64, MAS, 0x7cbffba6));
}

/* A match compares the whole word except the register fields. */
static void exact_matching(void **state)
{
	(void)state;
	assert_null(match(PV_BOOK3S64, 0, 0x7cb042a7)); /* mfspr with Rc=1 */
	assert_null(match(PV_BOOK3S64, 0, 0x7cb142a6 | 0x1)); /* same for SPRG1 */
	assert_null(match(PV_BOOKE32, 0, 0x7c208146)); /* wrteei 1, reserved bits set */
	assert_null(match(PV_BOOK3S64, 0, 0x7ca10124)); /* mtmsr with L=1 */
	assert_null(match(PV_BOOK3S64, 0, 0x7c20046c)); /* tlbsync, reserved bits set */
	assert_null(match(PV_BOOK3S64, 0, 0x7ca100a6)); /* mfmsr, RA field set */
	assert_non_null(match(PV_BOOK3S64, 0, 0x7fe000a6)); /* mfmsr r31 */
}

/* Every gated row, on every flavor it applies to: absent feature, unchanged;
 * present, matched to that row. Ungated rows match under no features. */
static void gating_every_row(void **state)
{
	(void)state;
	for (size_t i = 0; i < pv_nrows; i++) {
		const struct pv_row *r = &pv_rows[i];
		uint32_t w = r->match | (r->carried & 0x00a00000u); /* r5 where a register goes */
		FOR_EACH_FLAVOR(f) {
			if (!(r->flavors & PV_FL(f))) {
				if (match(f, PV_FEAT_ALL, w) != NULL)
					fail_msg("%s matched on %s", pv_class_name(r->cls), pv_flavor_info(f)->name);
				continue;
			}
			const struct pv_row *without = match(f, PV_FEAT_ALL & ~r->gate, w);
			const struct pv_row *with = match(f, r->gate, w);
			if (r->gate && without)
				fail_msg("%s on %s: matched without its feature", pv_class_name(r->cls),
					 pv_flavor_info(f)->name);
			if (with != r)
				fail_msg("%s on %s: not matched with feature %s", pv_class_name(r->cls),
					 pv_flavor_info(f)->name, pv_features_name(r->gate));
		}
	}
}

/* Fill one instance of row for word at fixed addresses. */
static unsigned fill(enum pv_flavor f, enum pv_profile p, const struct pv_row *row, uint32_t w, uint32_t *out)
{
	struct pv_ctx ctx;
	ctx_or_die(&ctx, f, PV_FEAT_ALL, p);
	uint64_t site = default_site(&ctx);
	return pv_tmpl_fill(&ctx, row, w, site, site + AREA_OFFSET, out);
}

/* The profiles differ exactly where docs/profiles.md says: the wrteei 0
 * template (every BookE flavor), mtsrin when rS or rB is r30 or r31, and
 * the rows of our own that only the fixed profile has (mfsrin). */
static void profiles_differ_exactly(void **state)
{
	(void)state;
	unsigned wrteei0_diffs = 0, mtsrin_diffs = 0;
	for (size_t i = 0; i < pv_nrows; i++) {
		const struct pv_row *r = &pv_rows[i];
		if (r->profiles) { /* a fixed-only row: never active under linux */
			assert_int_equal(r->profiles, PV_PR(PV_PROFILE_FIXED));
			assert_int_equal(r->cls, PV_C_MFSRIN);
			struct pv_ctx cl;
			ctx_or_die(&cl, PV_BOOK3S32, PV_FEAT_ALL, PV_PROFILE_LINUX);
			assert_null(pv_match(&cl, r->match));
			continue;
		}
		FOR_EACH_FLAVOR(f) {
			if (!(r->flavors & PV_FL(f)))
				continue;
			unsigned nrb = r->carried & 0x0000f800u ? 32 : 1, nrt = r->carried ? 32 : 1;
			for (unsigned rt = 0; rt < nrt; rt++)
				for (unsigned rb = 0; rb < nrb; rb++) {
					uint32_t w = r->match | rt << 21 | (nrb > 1 ? rb << 11 : 0);
					struct pv_ctx cf, cl;
					ctx_or_die(&cf, f, PV_FEAT_ALL, PV_PROFILE_FIXED);
					ctx_or_die(&cl, f, PV_FEAT_ALL, PV_PROFILE_LINUX);
					bool differ;
					if (r->kind != PV_K_TEMPLATE) {
						differ = pv_rewrite_simple(&cf, r, w) != pv_rewrite_simple(&cl, r, w);
					} else {
						uint32_t a[PV_TMPL_MAX_WORDS], b[PV_TMPL_MAX_WORDS];
						unsigned na = fill(f, PV_PROFILE_FIXED, r, w, a);
						unsigned nb = fill(f, PV_PROFILE_LINUX, r, w, b);
						differ = na != nb || memcmp(a, b, na * 4) != 0;
					}
					bool expected = r->cls == PV_C_WRTEEI_0 ||
							(r->cls == PV_C_MTSRIN && (rt >= 30 || rb >= 30));
					if (differ != expected)
						fail_msg("%s 0x%08x on %s: profiles %s", pv_class_name(r->cls), w,
							 pv_flavor_info(f)->name, differ ? "differ" : "agree");
					wrteei0_diffs += differ && r->cls == PV_C_WRTEEI_0;
					mtsrin_diffs += differ && r->cls == PV_C_MTSRIN;
				}
		}
	}
	assert_int_equal(wrteei0_diffs, 2);         /* booke32, booke64 */
	assert_int_equal(mtsrin_diffs, 32 * 32 - 30 * 30); /* rS or rB in {30,31} */
}

/* The linux wrteei 0 clears EE with rlwinm r31,r31,0,17,15 (spec section 8);
 * the fixed one with ori/xori r31,r31,0x8000. */
static void wrteei0_variants(void **state)
{
	(void)state;
	const struct pv_row *r = match(PV_BOOKE64, 0, 0x7c000146);
	uint32_t a[PV_TMPL_MAX_WORDS], b[PV_TMPL_MAX_WORDS];
	unsigned na = fill(PV_BOOKE64, PV_PROFILE_FIXED, r, 0x7c000146, a);
	unsigned nb = fill(PV_BOOKE64, PV_PROFILE_LINUX, r, 0x7c000146, b);
	bool has_rlwinm = false, has_ori = false, has_xori = false;
	for (unsigned i = 0; i < nb; i++)
		has_rlwinm |= b[i] == 0x57ff045e;
	for (unsigned i = 0; i < na; i++) {
		has_ori |= a[i] == 0x63ff8000;
		has_xori |= a[i] == 0x6bff8000;
		assert_int_not_equal(a[i], 0x57ff045e);
	}
	assert_true(has_rlwinm);
	assert_true(has_ori && has_xori);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(gating_spot_checks),
		cmocka_unit_test(flavor_applicability),
		cmocka_unit_test(exact_matching),
		cmocka_unit_test(gating_every_row),
		cmocka_unit_test(profiles_differ_exactly),
		cmocka_unit_test(wrteei0_variants),
	};
	return cmocka_run_group_tests_name("gating_profiles", tests, NULL, NULL);
}
