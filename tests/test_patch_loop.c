/* The patch loop: template-area skip, extra skip ranges, the end-of-vectors
 * rule, idempotence, flush ranges that cover every change, byte order, and
 * the arguments it refuses. */
#include <stdlib.h>

#include "test_util.h"

#define MFMSR_R3 0x7c6000a6u
#define MTMSR_R5 0x7ca00124u

/* A text image with guard-free layout: `n` words at `base`, area separate. */
struct fixture {
	struct pv_ctx ctx;
	uint8_t *img, *area_mem;
	size_t nwords, area_size;
	struct pv_image image;
	struct pv_area area;
	struct pv_report rep;
};

static void fx_init(struct fixture *fx, enum pv_flavor f, size_t nwords, uint64_t base, size_t area_size)
{
	memset(fx, 0, sizeof(*fx));
	ctx_or_die(&fx->ctx, f, PV_FEAT_ALL, PV_PROFILE_FIXED);
	fx->nwords = nwords;
	fx->img = calloc(nwords, 4);
	fx->area_mem = calloc(1, area_size ? area_size : 4);
	fx->area_size = area_size;
	fx->image = (struct pv_image){fx->img, 4 * nwords, base};
	pv_area_init(&fx->area, base + 4 * nwords + 0x1000, fx->area_mem, area_size);
}

static void fx_put(struct fixture *fx, size_t i, uint32_t w) { pv_put_word(&fx->ctx, fx->img + 4 * i, w); }
static uint32_t fx_get(struct fixture *fx, size_t i) { return pv_get_word(&fx->ctx, fx->img + 4 * i); }

static void fx_free(struct fixture *fx)
{
	pv_report_free(&fx->rep);
	free(fx->img);
	free(fx->area_mem);
}

/* Privileged words inside the template area are never patched. */
static void skips_template_area(void **state)
{
	(void)state;
	struct fixture fx;
	fx_init(&fx, PV_BOOK3S32, 64, 0x10000, 0);
	for (size_t i = 0; i < 64; i++)
		fx_put(&fx, i, i % 2 ? MFMSR_R3 : MTMSR_R5);
	/* area = words 32..63 of the image itself */
	pv_area_init(&fx.area, 0x10000 + 4 * 32, fx.img + 4 * 32, 4 * 32);
	assert_int_equal(pv_patch_image(&fx.ctx, &fx.image, &fx.area, NULL, &fx.rep), PV_OK);
	assert_int_equal(fx.rep.words, 32);
	assert_int_equal(fx.rep.patched[PV_C_MFMSR], 16);
	/* the area holds one mtmsr instance: the first site gets it */
	assert_int_equal(fx.rep.patched[PV_C_MTMSR], 1);
	assert_int_equal(fx.rep.by_reason[PV_SKIP_AREA_FULL], 15);
	assert_int_equal(fx_get(&fx, 0) >> 26, 18); /* b */
	/* no word of the area beyond the instance was rewritten */
	for (size_t i = 32 + fx.area.used / 4; i < 64; i++)
		assert_int_equal(fx_get(&fx, i), i % 2 ? MFMSR_R3 : MTMSR_R5);
	fx_free(&fx);
}

/* Caller-given ranges (the template sources in a kernel) are left alone. */
static void skips_given_ranges(void **state)
{
	(void)state;
	struct fixture fx;
	fx_init(&fx, PV_BOOK3S64, 16, 0x100000, 4096);
	for (size_t i = 0; i < 16; i++)
		fx_put(&fx, i, MFMSR_R3);
	struct pv_range skip = {0x100000 + 4 * 4, 4 * 4}; /* words 4..7 */
	struct pv_patch_opts opts = {.skip = &skip, .nskip = 1};
	assert_int_equal(pv_patch_image(&fx.ctx, &fx.image, &fx.area, &opts, &fx.rep), PV_OK);
	for (size_t i = 0; i < 16; i++)
		assert_int_equal(fx_get(&fx, i), i >= 4 && i < 8 ? MFMSR_R3 : 0xe860f058 /* ld r3,-4008(0) */);
	fx_free(&fx);
}

/* Below end-of-vectors only branch patching is withheld. */
static void end_of_vectors_rule(void **state)
{
	(void)state;
	struct fixture fx;
	uint64_t base = 0xc000000000000000ull;
	fx_init(&fx, PV_BOOK3S64, 0x200 / 4, base, 4096);
	fx_put(&fx, 0x80 / 4, MTMSR_R5);  /* below: stays */
	fx_put(&fx, 0x84 / 4, MFMSR_R3);  /* below: single-word rewrite still done */
	fx_put(&fx, 0xfc / 4, MTMSR_R5);  /* last word below: stays */
	fx_put(&fx, 0x100 / 4, MTMSR_R5); /* at the end of vectors: patched */
	struct pv_patch_opts opts = {.has_vectors_end = true, .vectors_end = base + 0x100};
	assert_int_equal(pv_patch_image(&fx.ctx, &fx.image, &fx.area, &opts, &fx.rep), PV_OK);
	assert_int_equal(fx_get(&fx, 0x80 / 4), MTMSR_R5);
	assert_int_equal(fx_get(&fx, 0x84 / 4), 0xe860f058);
	assert_int_equal(fx_get(&fx, 0xfc / 4), MTMSR_R5);
	assert_int_equal(fx_get(&fx, 0x100 / 4) >> 26, 18); /* b */
	assert_int_equal(fx.rep.by_reason[PV_SKIP_BELOW_VECTORS], 2);
	assert_int_equal(fx.rep.nskips, 2);
	assert_int_equal(fx.rep.skips[0].addr, base + 0x80);
	assert_int_equal(fx.rep.skips[1].addr, base + 0xfc);
	fx_free(&fx);
}

static uint32_t lcg(uint64_t *s)
{
	*s = *s * 6364136223846793005ull + 1442695040888963407ull;
	return (uint32_t)(*s >> 32);
}

/* Mostly ordinary words with every rewritable encoding mixed in. */
static void random_text(struct fixture *fx, uint64_t seed)
{
	static const uint32_t priv[] = {
		0x7c6000a6, 0x7ca00124, 0x7ca00164, 0x7ca10164, 0x7c00046c, 0x7c7042a6, 0x7c7043a6,
		0x7c7a02a6, 0x7c7b03a6, 0x7c7242a6, 0x7c7302a6, 0x7c7d0aa6, 0x7c7442a6, 0x7c7ffaa6,
		0x7c00f9e4, 0x7fc0f1e4, 0x7c000106, 0x7c008146, 0x7c000146, 0x7c709aa6, 0x7c7e4aa6,
	};
	for (size_t i = 0; i < fx->nwords; i++) {
		uint32_t r = lcg(&seed);
		fx_put(fx, i, r % 4 == 0 ? priv[(r >> 8) % (sizeof priv / sizeof priv[0])] : lcg(&seed));
	}
}

static bool covered(const struct pv_report *rep, uint64_t addr)
{
	for (size_t i = 0; i < rep->nflush; i++)
		if (addr - rep->flush[i].addr < rep->flush[i].len)
			return true;
	return false;
}

/* Patching twice equals patching once, on every flavor, with the area
 * running full part way (so skipped sites exist on the second pass). */
static void idempotent(void **state)
{
	(void)state;
	FOR_EACH_FLAVOR(f) {
		for (uint64_t seed = 1; seed <= 8; seed++) {
			struct fixture fx;
			fx_init(&fx, f, 2048, f == PV_BOOK3S32 || f == PV_BOOKE32 ? 0xc0000000 : 0xc000000000000000ull,
				4096);
			random_text(&fx, seed);
			assert_int_equal(pv_patch_image(&fx.ctx, &fx.image, &fx.area, NULL, &fx.rep), PV_OK);
			uint8_t *once = malloc(fx.image.len), *area_once = malloc(fx.area_size);
			memcpy(once, fx.img, fx.image.len);
			memcpy(area_once, fx.area_mem, fx.area_size);
			size_t used = fx.area.used;
			unsigned skipped = 0;
			for (unsigned c = 0; c < PV_NCLASSES; c++)
				skipped += fx.rep.skipped[c];
			assert_true(skipped > 0); /* the area did run full */

			struct pv_report again = {0};
			assert_int_equal(pv_patch_image(&fx.ctx, &fx.image, &fx.area, NULL, &again), PV_OK);
			for (unsigned c = 0; c < PV_NCLASSES; c++)
				assert_int_equal(again.patched[c], 0);
			assert_int_equal(again.nskips, skipped);
			assert_memory_equal(once, fx.img, fx.image.len);
			assert_memory_equal(area_once, fx.area_mem, fx.area_size);
			assert_int_equal(used, fx.area.used);
			pv_report_free(&again);
			free(once);
			free(area_once);
			fx_free(&fx);
		}
	}
}

/* Every changed byte, in the image and in the area, lies in a flush range. */
static void flush_ranges_cover_changes(void **state)
{
	(void)state;
	FOR_EACH_FLAVOR(f) {
		struct fixture fx;
		fx_init(&fx, f, 4096, 0x100000, 65536);
		random_text(&fx, 42 + f);
		uint8_t *before = malloc(fx.image.len);
		memcpy(before, fx.img, fx.image.len);
		assert_int_equal(pv_patch_image(&fx.ctx, &fx.image, &fx.area, NULL, &fx.rep), PV_OK);
		size_t changed = 0;
		for (size_t i = 0; i < fx.image.len; i++)
			if (before[i] != fx.img[i]) {
				changed++;
				if (!covered(&fx.rep, fx.image.base + i))
					fail_msg("%s: changed byte at 0x%llx not in a flush range", fx.ctx.fi->name,
						 (unsigned long long)(fx.image.base + i));
			}
		for (size_t i = 0; i < fx.area.used; i++)
			if (!covered(&fx.rep, fx.area.addr + i))
				fail_msg("%s: area byte at 0x%llx not in a flush range", fx.ctx.fi->name,
					 (unsigned long long)(fx.area.addr + i));
		assert_true(changed > 0);
		free(before);
		fx_free(&fx);
	}
}

/* book3s64le: the image holds words little-endian, and so do the rewrites. */
static void little_endian_image(void **state)
{
	(void)state;
	struct fixture fx;
	fx_init(&fx, PV_BOOK3S64LE, 1, 0x10000, 4096);
	const uint8_t mfmsr_le[4] = {0xa6, 0x00, 0x60, 0x7c};
	const uint8_t ld_le[4] = {0x58, 0xf0, 0x60, 0xe8}; /* ld r3,-4008(0) */
	memcpy(fx.img, mfmsr_le, 4);
	assert_int_equal(pv_patch_image(&fx.ctx, &fx.image, &fx.area, NULL, &fx.rep), PV_OK);
	assert_memory_equal(fx.img, ld_le, 4);
	fx_free(&fx);
}

/* The same bytes read big-endian are a different word: nothing to patch. */
static void big_endian_bytes_on_le_flavor(void **state)
{
	(void)state;
	struct fixture fx;
	fx_init(&fx, PV_BOOK3S64LE, 1, 0x10000, 4096);
	const uint8_t mfmsr_be[4] = {0x7c, 0x60, 0x00, 0xa6};
	memcpy(fx.img, mfmsr_be, 4);
	assert_int_equal(pv_patch_image(&fx.ctx, &fx.image, &fx.area, NULL, &fx.rep), PV_OK);
	assert_memory_equal(fx.img, mfmsr_be, 4);
	fx_free(&fx);
}

static void refuses_bad_arguments(void **state)
{
	(void)state;
	struct fixture fx;
	fx_init(&fx, PV_BOOK3S32, 4, 0x10000, 4096);
	fx.image.len = 6; /* not a multiple of 4 */
	assert_int_equal(pv_patch_image(&fx.ctx, &fx.image, &fx.area, NULL, &fx.rep), PV_ERR_ARG);
	fx.image.len = 16;
	fx.image.base = 0xfffffff8; /* runs past 4 GiB on a 32-bit flavor */
	assert_int_equal(pv_patch_image(&fx.ctx, &fx.image, &fx.area, NULL, &fx.rep), PV_ERR_ARG);
	fx.image.base = 0x10000;
	pv_area_init(&fx.area, 0x10000 - 8, fx.area_mem, 64); /* straddles the image start */
	assert_int_equal(pv_patch_image(&fx.ctx, &fx.image, &fx.area, NULL, &fx.rep), PV_ERR_ARG);
	pv_area_init(&fx.area, 0x10004, fx.area_mem, 8); /* inside, but not the image's bytes */
	assert_int_equal(pv_patch_image(&fx.ctx, &fx.image, &fx.area, NULL, &fx.rep), PV_ERR_ARG);
	fx_free(&fx);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(skips_template_area),
		cmocka_unit_test(skips_given_ranges),
		cmocka_unit_test(end_of_vectors_rule),
		cmocka_unit_test(idempotent),
		cmocka_unit_test(flush_ranges_cover_changes),
		cmocka_unit_test(little_endian_image),
		cmocka_unit_test(big_endian_bytes_on_le_flavor),
		cmocka_unit_test(refuses_bad_arguments),
	};
	return cmocka_run_group_tests_name("patch_loop", tests, NULL, NULL);
}
