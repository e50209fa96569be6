/* The template area: exact fit, exhaustion through the patch loop, and guard
 * words around the area that must stay untouched. */
#include "test_util.h"

#define GUARD 0xdeadbeefu
#define NGUARD 4
#define MTMSR_R5 0x7ca00124u

static void exact_fit_then_full(void **state)
{
	(void)state;
	uint8_t mem[12];
	struct pv_area a;
	uint64_t at = 0;
	pv_area_init(&a, 0x1000, mem, sizeof mem);
	assert_true(pv_area_alloc(&a, 2, &at));
	assert_int_equal(at, 0x1000);
	assert_true(pv_area_alloc(&a, 1, &at)); /* the last word */
	assert_int_equal(at, 0x1008);
	assert_false(pv_area_alloc(&a, 1, &at)); /* one word past the end */
	assert_int_equal(a.used, 12);
}

static void too_big_for_empty_area(void **state)
{
	(void)state;
	uint8_t mem[8];
	struct pv_area a;
	uint64_t at;
	pv_area_init(&a, 0x1000, mem, sizeof mem);
	assert_false(pv_area_alloc(&a, 3, &at));
	assert_int_equal(a.used, 0);
}

/* Five mtmsr sites, room for two instances and a bit: two patched, three
 * left alone and counted as "template area full"; guard words intact. */
static void exhaustion_with_guard_words(void **state)
{
	(void)state;
	struct pv_ctx ctx;
	ctx_or_die(&ctx, PV_BOOKE32, 0, PV_PROFILE_FIXED);
	unsigned n = pv_tmpl_layout(&ctx, PV_T_MTMSR)->nwords;
	unsigned area_words = 2 * n + (n - 1);
	uint8_t img[5 * 4];
	uint8_t buf[4 * (NGUARD + 3 * PV_TMPL_MAX_WORDS + NGUARD)];
	uint64_t area_addr = 0x20000;

	for (unsigned i = 0; i < 5; i++)
		pv_put_word(&ctx, img + 4 * i, MTMSR_R5);
	for (unsigned i = 0; i < sizeof buf / 4; i++)
		pv_put_word(&ctx, buf + 4 * i, GUARD);
	uint8_t *area_mem = buf + 4 * NGUARD;
	memset(area_mem, 0, 4 * area_words);

	struct pv_image image = {img, sizeof img, 0x10000};
	struct pv_area a;
	struct pv_report rep = {0};
	pv_area_init(&a, area_addr, area_mem, 4 * area_words);
	assert_int_equal(pv_patch_image(&ctx, &image, &a, NULL, &rep), PV_OK);

	assert_int_equal(rep.patched[PV_C_MTMSR], 2);
	assert_int_equal(rep.skipped[PV_C_MTMSR], 3);
	assert_int_equal(rep.by_reason[PV_SKIP_AREA_FULL], 3);
	assert_int_equal(a.used, 4 * 2 * n);
	for (unsigned i = 2; i < 5; i++)
		assert_int_equal(pv_get_word(&ctx, img + 4 * i), MTMSR_R5);
	/* guard words before and after the area */
	for (unsigned i = 0; i < NGUARD; i++) {
		assert_int_equal(pv_get_word(&ctx, buf + 4 * i), GUARD);
		assert_int_equal(pv_get_word(&ctx, area_mem + 4 * (area_words + i)), GUARD);
	}
	/* the unused tail of the area is untouched */
	for (unsigned i = 2 * n; i < area_words; i++)
		assert_int_equal(pv_get_word(&ctx, area_mem + 4 * i), 0);
	pv_report_free(&rep);
}

/* An area inside the image: instances go into the image's own bytes, the
 * words around the area are untouched guards, and full is still full. */
static void area_inside_image(void **state)
{
	(void)state;
	struct pv_ctx ctx;
	ctx_or_die(&ctx, PV_BOOK3S64, 0, PV_PROFILE_FIXED);
	unsigned n = pv_tmpl_layout(&ctx, PV_T_MTMSRD_L1)->nwords;
	enum { SITES = 3, G = NGUARD };
	unsigned area_words = n; /* room for one */
	unsigned total = SITES + G + area_words + G;
	uint8_t img[4 * (SITES + G + 2 * PV_TMPL_MAX_WORDS + G)];
	uint64_t base = 0xc000000000000000ull;

	for (unsigned i = 0; i < total; i++)
		pv_put_word(&ctx, img + 4 * i, i < SITES ? 0x7ca10164u /* mtmsrd r5,1 */ : GUARD);
	uint64_t area_addr = base + 4 * (SITES + G);
	struct pv_image image = {img, 4 * total, base};
	struct pv_area a;
	struct pv_report rep = {0};
	pv_area_init(&a, area_addr, img + 4 * (SITES + G), 4 * area_words);
	assert_int_equal(pv_patch_image(&ctx, &image, &a, NULL, &rep), PV_OK);

	assert_int_equal(rep.patched[PV_C_MTMSRD_L1], 1);
	assert_int_equal(rep.by_reason[PV_SKIP_AREA_FULL], 2);
	for (unsigned i = SITES; i < SITES + G; i++)
		assert_int_equal(pv_get_word(&ctx, img + 4 * i), GUARD);
	for (unsigned i = SITES + G + area_words; i < total; i++)
		assert_int_equal(pv_get_word(&ctx, img + 4 * i), GUARD);
	/* the instance is in place: it starts with std r1,critical */
	assert_int_equal(pv_get_word(&ctx, img + 4 * (SITES + G)), 0xf820f018);
	pv_report_free(&rep);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(exact_fit_then_full),
		cmocka_unit_test(too_big_for_empty_area),
		cmocka_unit_test(exhaustion_with_guard_words),
		cmocka_unit_test(area_inside_image),
	};
	return cmocka_run_group_tests_name("tmpl_area", tests, NULL, NULL);
}
