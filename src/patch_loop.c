/* The patch loop: one walk over a text image, as the guest does at boot.
 *
 * Rules (spec section 5): the template area and any other given range are
 * never patched; below the end of the interrupt vectors only branch patching
 * is withheld (single-word rewrites still happen); every change is recorded
 * as a range where an icache flush would go; a site that cannot be branch
 * patched stays as it is and is counted with its reason.
 */
#include <stdlib.h>

#include "mutant.h"
#include "pv.h"

static const char *const skip_names[PV_NSKIP] = {
	[PV_SKIP_AREA_FULL] = "template area full",
	[PV_SKIP_OUT_OF_RANGE] = "branch out of range",
	[PV_SKIP_BELOW_VECTORS] = "below end of vectors",
	[PV_SKIP_NO_HANDLER] = "no handler",
};

const char *pv_skip_reason_name(enum pv_skip_reason r)
{
	return (unsigned)r < PV_NSKIP ? skip_names[r] : "invalid";
}

static bool grow(void **p, size_t *cap, size_t n, size_t elem)
{
	if (n < *cap)
		return true;
	size_t ncap = *cap ? *cap * 2 : 64;
	void *np = realloc(*p, ncap * elem);
	if (!np)
		return false;
	*p = np;
	*cap = ncap;
	return true;
}

bool pv_report_add_flush(struct pv_report *rep, uint64_t addr, uint64_t len)
{
	if (rep->nflush) {
		struct pv_range *last = &rep->flush[rep->nflush - 1];
		if (addr - last->addr == last->len) { /* adjacent: no addr + len that could wrap */
			last->len += len;
			return true;
		}
	}
	if (!grow((void **)&rep->flush, &rep->cap_flush, rep->nflush, sizeof(*rep->flush)))
		return false;
	rep->flush[rep->nflush++] = (struct pv_range){addr, len};
	return true;
}

void pv_report_note_branch(struct pv_report *rep, int64_t d)
{
	uint64_t mag = d < 0 ? (uint64_t)-d : (uint64_t)d;
	if (mag > rep->max_branch)
		rep->max_branch = mag;
}

bool pv_report_add_skip(struct pv_report *rep, uint64_t addr, enum pv_class c, enum pv_skip_reason r)
{
	if (!grow((void **)&rep->skips, &rep->cap_skips, rep->nskips, sizeof(*rep->skips)))
		return false;
	rep->skips[rep->nskips++] = (struct pv_skip){addr, (uint8_t)c, (uint8_t)r};
	rep->skipped[c]++;
	rep->by_reason[r]++;
	return true;
}

static bool in_range(uint64_t a, uint64_t start, uint64_t len) { return a - start < len; }

bool pv_patch_leaves(const struct pv_patch_opts *opts, const struct pv_area *area, uint64_t addr)
{
	if (area && in_range(addr, area->addr, area->size))
		return true;
	for (size_t i = 0; opts && i < opts->nskip; i++)
		if (in_range(addr, opts->skip[i].addr, opts->skip[i].len))
			return true;
	return false;
}

/* Branch-patches one site. Returns PV_NSKIP when patched, else the reason. */
static enum pv_skip_reason patch_template(const struct pv_ctx *ctx, uint8_t *site_mem, uint64_t site,
					  const struct pv_row *row, uint32_t word, struct pv_area *area,
					  const struct pv_patch_opts *opts, struct pv_report *rep, bool *nomem)
{
	uint32_t inst[PV_TMPL_MAX_WORDS], b;
	uint64_t at;
	bool is64 = ctx->fi->is64;

	if (opts && opts->has_vectors_end && PV_MUTANT(vectors_rule_inverted, site >= opts->vectors_end,
							site < opts->vectors_end))
		return PV_SKIP_BELOW_VECTORS;
	if (!pv_area_reachable(area, is64, site))
		return PV_SKIP_OUT_OF_RANGE;
	if (!pv_area_alloc(area, pv_tmpl_layout(ctx, row->target)->nwords, &at))
		return PV_SKIP_AREA_FULL;
	/* reachability of the whole area makes both branches encodable */
	unsigned n = pv_tmpl_fill(ctx, row, word, site, at, inst);
	pv_branch_encode(is64, site, at, &b);

	uint8_t *dst = area->mem + (at - area->addr);
	for (unsigned i = 0; i < n; i++)
		pv_put_word(ctx, dst + 4 * i, inst[i]);
	pv_put_word(ctx, site_mem, b);
	pv_report_note_branch(rep, pv_branch_distance(is64, site, at));
	*nomem = !pv_report_add_flush(rep, at, 4ull * n - PV_MUTANT(flush_short, 4, 0)) ||
		 !pv_report_add_flush(rep, site, 4);
	return PV_NSKIP;
}

/* The linux profile's order, upstream's (arch/powerpc/kernel/kvm.c, checked
 * word for word by `pvfuzz agree`): allocate first; refuse only an instance
 * more than 32 MiB *above* its site, its space spent and nothing written;
 * fill the instance; withhold the site's branch below the end of the
 * vectors only then (space spent, instance written). An instance at address
 * 0 is a NULL pointer to upstream: no room, space spent. Branches are encoded by
 * masking the displacement, so an instance far below its site, or a return
 * out of reach, gets a branch that wraps. docs/kernel-mode.md, findings. */
static enum pv_skip_reason patch_template_upstream(const struct pv_ctx *ctx, uint8_t *site_mem, uint64_t site,
						   const struct pv_row *row, uint32_t word, struct pv_area *area,
						   const struct pv_patch_opts *opts, struct pv_report *rep, bool *nomem)
{
	uint32_t inst[PV_TMPL_MAX_WORDS];
	uint64_t at;
	if (!pv_area_alloc(area, pv_tmpl_layout(ctx, row->target)->nwords, &at))
		return PV_SKIP_AREA_FULL;
	if (at == 0) /* kvm_alloc()'s pointer is NULL: read as no room, space spent */
		return PV_SKIP_AREA_FULL;
	int32_t start = (int32_t)(uint32_t)(at - site); /* kvm.c: int distance_start */
	if (start > 0x01ffffff)
		return PV_SKIP_OUT_OF_RANGE;
	unsigned n = pv_tmpl_fill(ctx, row, word, site, at, inst);
	uint8_t *dst = area->mem + (at - area->addr);
	for (unsigned i = 0; i < n; i++)
		pv_put_word(ctx, dst + 4 * i, inst[i]);
	*nomem = !pv_report_add_flush(rep, at, 4ull * n);
	if (opts && opts->has_vectors_end && site < opts->vectors_end)
		return PV_SKIP_BELOW_VECTORS;
	pv_put_word(ctx, site_mem, pv_branch_masked(site, at));
	pv_report_note_branch(rep, start);
	*nomem = *nomem || !pv_report_add_flush(rep, site, 4);
	return PV_NSKIP;
}

/* The area fits the flavor's space, and lies apart from the image or,
 * through the image's own bytes, wholly inside it. */
static bool area_fits(const struct pv_ctx *ctx, const struct pv_image *img, const struct pv_area *a)
{
	if (a->addr & 3 || (!a->mem && a->size) || !pv_range_fits(ctx->fi->is64, a->addr, a->size))
		return false;
	if (!pv_ranges_overlap(a->addr, a->size, img->base, img->len))
		return true;
	return pv_range_within(img->base, img->len, a->addr, a->size) &&
	       a->mem == img->bytes + (a->addr - img->base);
}

enum pv_status pv_patch_image(const struct pv_ctx *ctx, struct pv_image *img, struct pv_area *area,
			      const struct pv_patch_opts *opts, struct pv_report *rep)
{
	if (img->len % 4 || img->base % 4 || !pv_range_fits(ctx->fi->is64, img->base, img->len))
		return PV_ERR_ARG;
	if (!area_fits(ctx, img, area))
		return PV_ERR_ARG;
	if (ctx->impl)
		return (enum pv_status)ctx->impl->patch(ctx->impl_self, ctx, img, area, opts, rep);

	if (PV_MUTANT_ON(area_reset_each_run))
		area->used = 0;
	for (size_t off = 0; off < img->len; off += 4) {
		uint64_t addr = img->base + off;
		if (pv_patch_leaves(opts, PV_MUTANT(loop_patches_area, NULL, area), addr))
			continue;
		rep->words++;

		uint8_t *p = img->bytes + off;
		uint32_t w = pv_get_word(ctx, p);
		const struct pv_row *row = pv_match(ctx, w);
		if (!row)
			continue;
		bool nomem = false;
		if (PV_MUTANT_ON(vectors_rule_single_word) && row->kind != PV_K_TEMPLATE && opts &&
		    opts->has_vectors_end && addr < opts->vectors_end) {
			if (!pv_report_add_skip(rep, addr, row->cls, PV_SKIP_BELOW_VECTORS))
				return PV_ERR_NOMEM;
			continue;
		}
		if (row->kind != PV_K_TEMPLATE) {
			pv_put_word(ctx, p, pv_rewrite_simple(ctx, row, w));
			nomem = !pv_report_add_flush(rep, addr, 4);
		} else {
			enum pv_skip_reason r = ctx->profile == PV_PROFILE_LINUX
				? patch_template_upstream(ctx, p, addr, row, w, area, opts, rep, &nomem)
				: patch_template(ctx, p, addr, row, w, area, opts, rep, &nomem);
			if (nomem)
				return PV_ERR_NOMEM;
			if (r != PV_NSKIP) {
				if (!pv_report_add_skip(rep, addr, row->cls, r))
					return PV_ERR_NOMEM;
				continue;
			}
		}
		if (nomem)
			return PV_ERR_NOMEM;
		rep->patched[row->cls]++;
	}
	return PV_OK;
}

void pv_report_free(struct pv_report *rep)
{
	free(rep->skips);
	free(rep->flush);
	*rep = (struct pv_report){0};
}
