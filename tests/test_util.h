/* Shared helpers for the cmocka tests: patch one word through the real
 * patch loop and read back what it produced. */
#ifndef PV_TEST_UTIL_H
#define PV_TEST_UTIL_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "pv.h"

#define ALL_FLAVORS 0x1fu
#define BOOK3S (PV_FL(PV_BOOK3S32) | PV_FL(PV_BOOK3S64) | PV_FL(PV_BOOK3S64LE))
#define BOOKE (PV_FL(PV_BOOKE32) | PV_FL(PV_BOOKE64))
#define ALL ALL_FLAVORS
#define MAS PV_FEAT_MAS0_TO_SPRG7
#define SR PV_FEAT_SR

#define SITE32 0xc0001000ull
#define SITE64 0xc000000000001000ull
#define AREA_OFFSET 0x10000ull /* the area sits 64 KiB after the site */

struct one_site {
	const struct pv_row *row;            /* NULL: unmatched */
	uint32_t now;                        /* the site word after patching */
	uint64_t site, at;                   /* site and instance addresses */
	const struct pv_tmpl_layout *l;      /* template sites only */
	uint32_t inst[PV_TMPL_MAX_WORDS];
};

static inline void ctx_or_die(struct pv_ctx *ctx, enum pv_flavor f, unsigned feat, enum pv_profile p)
{
	assert_int_equal(pv_ctx_init(ctx, f, feat, p), 0);
}

static inline uint64_t default_site(const struct pv_ctx *ctx)
{
	return ctx->fi->is64 ? SITE64 : SITE32;
}

/* Patches the single word w placed at `site`, with a 4 KiB area at `area`. */
static inline void patch_one_at(const struct pv_ctx *ctx, uint32_t w, uint64_t site, uint64_t area,
				struct one_site *o)
{
	static uint8_t area_mem[4096];
	uint8_t img[4];
	struct pv_image image = {img, 4, site};
	struct pv_area a;
	struct pv_report rep = {0};

	memset(o, 0, sizeof(*o));
	memset(area_mem, 0, sizeof area_mem);
	pv_put_word(ctx, img, w);
	pv_area_init(&a, area, area_mem, sizeof area_mem);
	assert_int_equal(pv_patch_image(ctx, &image, &a, NULL, &rep), PV_OK);
	o->row = pv_match(ctx, w);
	o->now = pv_get_word(ctx, img);
	o->site = site;
	if (o->row && o->row->kind == PV_K_TEMPLATE && a.used) {
		o->l = pv_tmpl_layout(ctx, o->row->target);
		o->at = area;
		assert_int_equal(a.used, 4u * o->l->nwords);
		for (unsigned i = 0; i < o->l->nwords; i++)
			o->inst[i] = pv_get_word(ctx, area_mem + 4 * i);
	}
	pv_report_free(&rep);
}

static inline void patch_one(const struct pv_ctx *ctx, uint32_t w, struct one_site *o)
{
	uint64_t site = default_site(ctx);
	patch_one_at(ctx, w, site, site + AREA_OFFSET, o);
}

#define FOR_EACH_FLAVOR(f) for (enum pv_flavor f = 0; f < PV_NFLAVORS; f++)

#endif
