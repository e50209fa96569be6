/* fuzz_image: the patch loop on a random text image and layout.
 *
 * Input: the header (target, platform); the layout (base address; a placement byte: the
 * area above, below or inside the text, inside it at an offset, at the
 * start, in the middle or at the end, and whether the area already holds
 * the instances of a first pass over the same text; position and size, a
 * byte that may size the area to k instances less one word, end of
 * vectors, word count); then the words, each a selector byte and 4 bytes
 * (pvf_word). Invariants:
 *  - nothing outside matched sites changes, and a site changes only to its
 *    rewrite: the spec's load/store/nop, or a `b` into the area;
 *  - fixed profile: every single-word site is rewritten, wherever the end
 *    of vectors is; a template site left alone has a skip reason that the
 *    layout bears out (below the end of vectors, area not wholly in reach,
 *    no room left for its template);
 *  - instances already in the area (a first pass's) are left as they are:
 *    a loop that walks into its own area rewrites their orig-ins slots;
 *  - every branch lands at a template instance in the used part of the area
 *    whose slots are filled and which branches back to the site's successor;
 *  - fixed profile: a branch-patched site reaches both ends of the area and
 *    both ends reach its successor (the whole-area rule, docs/engine.md); a
 *    layout bit puts the area's ends on either side of the 32 MiB reach to
 *    test it (upstream has no such rule: finding 3 of docs/findings.md);
 *  - below end-of-vectors no site is branch patched;
 *  - the area never overflows: guard words around it stay intact;
 *  - the flush ranges cover every changed byte;
 *  - fixed profile: patching twice equals patching once (upstream spends
 *    area on sites it leaves alone, so a second pass may patch more).
 */
#include <stdlib.h>
#include <string.h>

#include "pvf.h"
#include "report.h"

#define MAX_WORDS 1024
#define GUARD 0xa5u
#define NGUARD 64
#define LAYOUT_BYTES 21 /* base 8, place 1, gap 4, area 2, fit 1, vec 1, vec_off 2, word count 2 */
#define WORDS_AT (PVF_HEADER_BYTES + LAYOUT_BYTES)

/* The layout as the input carries it: pvf_image_encode's inverse. */
static void take_layout(struct pvf_in *in, struct pvf_image_layout *l, unsigned *count_m1)
{
	l->base = pvf_take(in, 8);
	l->place = (uint8_t)pvf_take(in, 1);
	l->gap = (uint32_t)pvf_take(in, 4);
	l->area_words_m1 = (uint16_t)pvf_take(in, 2);
	l->fit = (uint8_t)pvf_take(in, 1);
	l->vec = (uint8_t)pvf_take(in, 1);
	l->vec_off = (uint16_t)pvf_take(in, 2);
	*count_m1 = (unsigned)pvf_take(in, 2);
}

void pvf_image_encode(struct pvf_out *o, unsigned platform, const struct pvf_image_layout *l, const uint32_t *w,
		      size_t n, uint8_t selector)
{
	pvf_put_header(o, PVF_IMAGE, platform);
	pvf_put(o, l->base, 8);
	pvf_put(o, l->place, 1);
	pvf_put(o, l->gap, 4);
	pvf_put(o, l->area_words_m1, 2);
	pvf_put(o, l->fit, 1);
	pvf_put(o, l->vec, 1);
	pvf_put(o, l->vec_off, 2);
	pvf_put(o, n - 1, 2);
	for (size_t i = 0; i < n; i++)
		pvf_put_word(o, selector, w[i]);
}

bool pvf_image_focus_seed(uint8_t *b, size_t n)
{
	if (n < WORDS_AT + 5)
		return false;
	for (size_t at = WORDS_AT; at < n; at += 4 * 5)
		b[at] = PVF_SEL_REWRITABLE;
	return true;
}

/* Whether `b to` at `from` is in reach: -32 MiB .. +32 MiB - 4, computed
 * here in the flavor's address width, apart from the engine's helper. */
static bool in_reach(bool is64, uint64_t from, uint64_t to)
{
	int64_t d = is64 ? (int64_t)(to - from) : (int64_t)(int32_t)(uint32_t)(to - from);
	return d >= -0x2000000 && d <= 0x1fffffc;
}

/* Which words of a region [base, base + 4 * nwords) the report's flush
 * ranges cover: a word is covered when its first byte lies in a range
 * (a - range.addr < range.len, modulo the 64-bit space, as a range may
 * wrap). Worked out once per pass, range by range, instead of searching
 * every range for every site: that search grew with the square of the
 * image (docs/performance.md). */
struct coverage {
	uint64_t base;
	size_t nwords;
	uint8_t *word; /* 1: covered */
};

static void mark_words(struct coverage *c, uint64_t lo, uint64_t hi) /* byte offsets [lo, hi) */
{
	for (uint64_t i = (lo + 3) / 4; i < c->nwords && 4 * i < hi; i++)
		c->word[i] = 1;
}

static void cover(struct coverage *c, const struct pv_report *rep)
{
	uint64_t size = 4ull * c->nwords;
	memset(c->word, 0, c->nwords);
	for (size_t i = 0; i < rep->nflush; i++) {
		uint64_t addr = rep->flush[i].addr, len = rep->flush[i].len;
		/* offsets o of the region with (base + o - addr) mod 2^64 < len:
		 * the part from the region's start, if the range begins at or
		 * before it, and the part from where the range begins inside it */
		uint64_t before = c->base - addr, off = addr - c->base;
		if (before < len)
			mark_words(c, 0, len - before < size ? len - before : size);
		if (off < size)
			mark_words(c, off, len < size - off ? off + len : size);
	}
}

static bool covered(const struct coverage *c, uint64_t a)
{
	uint64_t off = a - c->base;
	return off < 4ull * c->nwords && c->word[off / 4];
}

/* Fixed profile: a matched site that the pass left as it was (skip_of:
 * the index of the report's first skip record for it, or -1). Single-word
 * rewrites are never withheld; a template site needs a skip record whose
 * reason the layout bears out: below the end of vectors, the area not
 * wholly in reach both ways, or too little room left at the end for its
 * template (the area's use only grows, so less room then than now). */
static bool left_alone_justly(const struct pv_ctx *ctx, const struct pv_row *row, uint64_t a, const struct pv_area *area,
			      const struct pv_patch_opts *opts, const struct pv_report *rep, int skip_of, bool is64,
			      char *msg, size_t n)
{
	if (row->kind != PV_K_TEMPLATE) {
		snprintf(msg, n, "%s site 0x%llx was not rewritten (single-word rewrites are never withheld%s)",
			 pv_class_name(row->cls), (unsigned long long)a,
			 opts->has_vectors_end && a < opts->vectors_end ? ", not even below the end of vectors" : "");
		return false;
	}
	const struct pv_skip *sk = skip_of >= 0 ? &rep->skips[skip_of] : NULL;
	if (!sk) {
		snprintf(msg, n, "%s site 0x%llx was left alone without a reason in the report", pv_class_name(row->cls),
			 (unsigned long long)a);
		return false;
	}
	uint64_t last = area->addr + area->size - 4;
	bool ok = false;
	switch (sk->reason) {
	case PV_SKIP_BELOW_VECTORS: ok = opts->has_vectors_end && a < opts->vectors_end; break;
	case PV_SKIP_OUT_OF_RANGE:
		ok = area->size < 4 || !in_reach(is64, a, area->addr) || !in_reach(is64, a, last) ||
		     !in_reach(is64, area->addr, a + 4) || !in_reach(is64, last, a + 4);
		break;
	case PV_SKIP_AREA_FULL: ok = area->size - area->used < 4ull * pv_tmpl_layout(ctx, row->target)->nwords; break;
	}
	if (!ok)
		snprintf(msg, n, "%s site 0x%llx was left alone as '%s', which the layout does not bear out "
			 "(area 0x%llx, %zu bytes, %zu used; vectors end %s0x%llx)", pv_class_name(row->cls),
			 (unsigned long long)a, pv_skip_reason_name(sk->reason), (unsigned long long)area->addr, area->size,
			 area->used, opts->has_vectors_end ? "" : "(none) ", (unsigned long long)opts->vectors_end);
	return ok;
}

/* Everything one pass over the image is checked for. */
struct pass {
	const struct pv_ctx *ctx;
	struct pv_image *img;
	struct pv_area *area;
	const struct pv_patch_opts *opts;
	uint8_t *before, *area_before, *area_mem, *box;
	uint8_t *cov_img, *cov_area; /* a byte per word of the image and of the area (struct coverage) */
	int *skip_of;                /* per image word */
	bool inside; /* the area is part of the image (no guard words) */
	struct pvf_result *r;
	FILE *out;
};

/* One pass of the patch loop over the image, from its current state, and
 * every invariant of the header comment but "twice equals once". 1: all
 * hold; 0: a check failed (r says which); -1: the profile cannot run the
 * layout (the kernel profile), nothing to check. */
static int one_pass(const struct pass *p, struct pv_report *rep, bool verbose)
{
	const struct pv_ctx *ctx = p->ctx;
	struct pv_area *area = p->area;
	struct pvf_result *r = p->r;
	FILE *out = p->out;
	bool is64 = ctx->fi->is64;
	uint64_t space = is64 ? ~0ull : 0xffffffffull, base = p->img->base;
	size_t n = p->img->len / 4, used_before = area->used;
	uint8_t *img = p->img->bytes, *before = p->before, *area_mem = p->area_mem;
	char msg[200];

	memcpy(before, img, p->img->len);
	memcpy(p->area_before, area_mem, area->size);
	enum pv_status st = pv_patch_image(ctx, p->img, area, p->opts, rep);
	if (st == PV_ERR_UNSUPPORTED) { /* the kernel profile cannot place this layout */
		if (verbose)
			fprintf(out, "not runnable under this profile: the layout overlaps memory the emulator needs\n");
		return -1;
	}
	if (st == PV_ERR_HOOK && ctx->impl) { /* not a finding: the profile's code cannot run */
		pvf_internal(r, out, "the emulator failed: %s: %s", ctx->impl->kind, pv_ctx_patch_error(ctx));
		return -1;
	}
	if (st != PV_OK) {
		pvf_fail(r, out, ctx, PVF_K_layout_refused, -1, "the patch loop refused a valid layout (base 0x%llx, area 0x%llx)",
			 (unsigned long long)base, (unsigned long long)area->addr);
		return 0;
	}
	if (area->used > area->size) {
		pvf_fail(r, out, ctx, PVF_K_area_overrun, -1, "area used %zu of %zu bytes", area->used, area->size);
		return 0;
	}
	for (size_t g = 0; !p->inside && g < NGUARD; g++)
		if (p->box[g] != GUARD || p->box[NGUARD + area->size + g] != GUARD) {
			pvf_fail(r, out, ctx, PVF_K_guard_bytes, -1, "a guard byte around the template area changed");
			return 0;
		}
	if (used_before > area->used || memcmp(p->area_before, area_mem, used_before) != 0) {
		size_t k = 0;
		while (k + 4 < used_before && !memcmp(p->area_before + k, area_mem + k, 4))
			k += 4;
		pvf_fail(r, out, ctx, PVF_K_instance_rewritten, -1, "the pass changed an instance already in the area: 0x%llx was 0x%08x, is 0x%08x",
			 (unsigned long long)(area->addr + k), pv_get_word(ctx, p->area_before + k),
			 pv_get_word(ctx, area_mem + k));
		return 0;
	}
	/* the report's flush ranges over the image and the area, and each
	 * image word's first skip record */
	struct coverage img_cov = {base, n, p->cov_img}, area_cov = {area->addr, area->size / 4, p->cov_area};
	int *skip_of = p->skip_of;
	cover(&img_cov, rep);
	cover(&area_cov, rep);
	for (size_t i = 0; i < n; i++)
		skip_of[i] = -1;
	for (size_t k = rep->nskips; k-- > 0;) /* backwards: the first record wins */
		if (rep->skips[k].addr - base < 4ull * n && rep->skips[k].addr % 4 == 0)
			skip_of[(rep->skips[k].addr - base) / 4] = (int)k;
	unsigned sites = 0, patched = 0, foreign = 0;
	for (size_t i = 0; i < n; i++) {
		uint64_t a = base + 4 * i;
		uint32_t w0 = pv_get_word(ctx, before + 4 * i), w1 = pv_get_word(ctx, img + 4 * i);
		bool in_area = a - area->addr < area->size;
		if (in_area)
			continue; /* instances live there */
		const struct pv_row *row = pv_match(ctx, w0);
		if (w0 == w1) {
			sites += row != NULL;
			if (row && ctx->profile == PV_PROFILE_FIXED &&
			    !left_alone_justly(ctx, row, a, area, p->opts, rep, skip_of[i], is64, msg, sizeof msg)) {
				pvf_fail(r, out, ctx, PVF_K_left_alone_unjustly, row->cls, "%s", msg);
				return 0;
			}
			continue;
		}
		if (!row && ctx->impl) { /* a kernel's handler of its own: the oracle judges it */
			foreign++;
			if (!covered(&img_cov, a)) {
				pvf_fail(r, out, ctx, PVF_K_no_flush, -1, "rewritten word 0x%llx has no flush range", (unsigned long long)a);
				return 0;
			}
			continue;
		}
		if (!row) {
			pvf_fail(r, out, ctx, PVF_K_unmatched_changed, -1, "unmatched word 0x%08x at 0x%llx changed to 0x%08x", w0, (unsigned long long)a, w1);
			return 0;
		}
		sites++, patched++;
		if (!covered(&img_cov, a)) {
			pvf_fail(r, out, ctx, PVF_K_no_flush, row->cls, "changed site 0x%llx has no flush range", (unsigned long long)a);
			return 0;
		}
		if (row->kind != PV_K_TEMPLATE) {
			if (!pvf_expect_simple(ctx, row->cls, w0, w1, msg, sizeof msg)) {
				pvf_fail(r, out, ctx, PVF_K_single_word_rewrite, row->cls, "at 0x%llx: %s", (unsigned long long)a, msg);
				return 0;
			}
			continue;
		}
		if (p->opts->has_vectors_end && a < p->opts->vectors_end) {
			pvf_fail(r, out, ctx, PVF_K_below_vectors, row->cls, "site 0x%llx below end of vectors 0x%llx was branch patched", (unsigned long long)a,
				 (unsigned long long)p->opts->vectors_end);
			return 0;
		}
		if ((w1 & 0xfc000003u) != 0x48000000u) {
			pvf_fail(r, out, ctx, PVF_K_site_not_branch, row->cls, "template site 0x%llx became 0x%08x, not a b", (unsigned long long)a, w1);
			return 0;
		}
		/* the whole-area rule is ours (docs/engine.md); upstream only needs
		 * this site's own branches right, which the checks below see */
		uint64_t last = area->addr + area->size - 4;
		if (ctx->profile == PV_PROFILE_FIXED &&
		    (!in_reach(is64, a, area->addr) || !in_reach(is64, a, last) || !in_reach(is64, area->addr, a + 4) ||
		     !in_reach(is64, last, a + 4))) {
			pvf_fail(r, out, ctx, PVF_K_out_of_reach, row->cls, "site 0x%llx was branch patched but the area 0x%llx..0x%llx is not wholly in reach",
				 (unsigned long long)a, (unsigned long long)area->addr, (unsigned long long)last);
			return 0;
		}
		int32_t d = (int32_t)((w1 & 0x03fffffcu) << 6) >> 6;
		uint64_t at = (a + (uint64_t)(int64_t)d) & space;
		unsigned nw = pv_tmpl_layout(ctx, row->target)->nwords;
		/* offsets into the area, not addresses: an area may end at 2^64 */
		if (at - area->addr >= area->used || 4ull * nw > area->used - (at - area->addr)) {
			pvf_fail(r, out, ctx, PVF_K_branch_outside_area, -1, /* the loop's, whatever the class */ "site 0x%llx branches to 0x%llx, outside the used area", (unsigned long long)a,
				 (unsigned long long)at);
			return 0;
		}
		uint32_t inst[PV_TMPL_MAX_WORDS];
		for (unsigned k = 0; k < nw; k++) {
			inst[k] = pv_get_word(ctx, area_mem + (at - area->addr) + 4 * k);
			if (!covered(&area_cov, at + 4 * k)) {
				pvf_fail(r, out, ctx, PVF_K_no_flush, row->cls, "instance word 0x%llx has no flush range", (unsigned long long)(at + 4 * k));
				return 0;
			}
		}
		if (!pvf_expect_instance(ctx, row, w0, a, at, inst, nw, msg, sizeof msg)) {
			pvf_fail(r, out, ctx, PVF_K_instance_slots, row->cls, "site 0x%llx: %s", (unsigned long long)a, msg);
			return 0;
		}
	}
	unsigned counted = 0, skipped = 0;
	for (unsigned c = 0; c < PV_NCLASSES; c++)
		counted += rep->patched[c], skipped += rep->skipped[c];
	if (counted != patched || counted + skipped != sites || foreign != rep->foreign) {
		pvf_fail(r, out, ctx, PVF_K_report_counts, -1, "report says %u patched and %u skipped, the image shows %u of %u sites changed", counted,
			 skipped, patched, sites);
		return 0;
	}
	if (verbose)
		fprintf(out, "%u sites, %u patched, %u skipped, %zu flush ranges, area %zu of %zu bytes used\n", sites,
			patched, skipped, rep->nflush, area->used, area->size);
	return 1;
}


/* Whether the layout is one the patch loop must take, worked out in 128-bit
 * arithmetic apart from the engine's helpers: the image and the area each
 * end at or below the top of the flavor's space (2^32 or 2^64), and the area
 * lies apart from the image or wholly inside it. */
static bool layout_valid(bool is64, uint64_t base, size_t len, uint64_t area, size_t size, bool inside)
{
	unsigned __int128 top = (unsigned __int128)1 << (is64 ? 64 : 32);
	unsigned __int128 img_end = (unsigned __int128)base + len, area_end = (unsigned __int128)area + size;
	if (img_end > top || area_end > top)
		return false;
	if (inside)
		return area >= base && area_end <= img_end;
	return area_end <= base || area >= img_end;
}

void pvf_check_image(const struct pv_ctx *ctx, struct pvf_in *in, bool verbose, FILE *out, struct pvf_result *r)
{
	bool is64 = ctx->fi->is64;
	uint64_t space = is64 ? ~0ull : 0xffffffffull;

	/* layout */
	struct pvf_image_layout l;
	unsigned count_m1;
	take_layout(in, &l, &count_m1);
	uint64_t base = l.base & space & ~3ull;
	uint8_t place = l.place;
	bool prefill = place & 0x80;
	unsigned mode = (place & 0x7f) % 3, inside_at = (place & 0x7f) / 3 % 4; /* inside: at gap, start, middle, end */
	uint64_t gap = l.gap & 0x03fffffcu; /* up to 64 MiB away: in and out of reach */
	size_t area_size = 4 * (1 + (size_t)(l.area_words_m1 % 1024));
	uint8_t fit = l.fit;
	/* room for k instances of a template but one word: where off-by-ones
	 * live (a template a kernel's build lacks has no words: no change) */
	unsigned fit_nw = pv_tmpl_layout(ctx, (enum pv_tmpl)((fit >> 1) % PV_NTMPL))->nwords;
	if ((fit & 1) && fit_nw)
		area_size = 4 * ((1 + (fit >> 5)) * fit_nw - 1);
	uint8_t vec_byte = l.vec;
	bool has_vec = vec_byte & 1, straddle = vec_byte & 2;
	/* the ends of the address space: 0 keep clear of them; 1 the image at
	 * the top (ending exactly there or a few words below); 2 the image at
	 * the bottom; 3 the area across the top, wrapping through 0 */
	unsigned edge = (vec_byte >> 2) & 3;
	uint64_t vec_off = l.vec_off;
	size_t n = 1 + (size_t)(count_m1 % MAX_WORDS);
	if (n > pvf_left(in) / 5 + 1)
		n = pvf_left(in) / 5 + 1;
	if (mode == 2 && n * 4 < area_size + 4)
		mode = 0; /* too small to hold the area */
	size_t len = 4 * n;
	/* focused on one class (pvfuzz validate) under an upstream profile:
	 * the area stays within reach, because the branches that wrap beyond
	 * it are the patch loop's (finding 3 of docs/findings.md), no class's */
	if (pvf_focus_class() >= 0 && ctx->profile == PV_PROFILE_LINUX) {
		straddle = false;
		gap %= 0x1000000;
	}
	if (straddle && mode != 2) /* the far end of the area just out of reach, the near end in */
		gap = (0x2000000 - len - area_size / 2) & ~3ull;
	uint64_t room = len + area_size + gap + 8;
	if (edge == 1) {
		base = (space - len + 1 - 4 * (vec_off % 4)) & space;
	} else if (edge == 2) {
		base = 4 * (vec_off % 4);
	} else { /* keep everything inside the address space */
		if (base > space - room)
			base = (space - room) & ~3ull;
		if (mode == 1 && base < area_size + gap)
			base = (area_size + gap + 3) & ~3ull;
	}

	uint8_t *img = malloc(len), *before = malloc(len), *box = malloc(area_size + 2 * NGUARD);
	uint8_t *area_before = malloc(area_size), *cov_img = malloc(n), *cov_area = malloc(area_size / 4 + 1);
	int *skip_of = malloc(sizeof(int) * n);
	if (!img || !before || !box || !area_before || !cov_img || !cov_area || !skip_of)
		abort();
	for (size_t i = 0; i < n; i++)
		pv_put_word(ctx, img + 4 * i, pvf_word(ctx, in));
	memcpy(before, img, len);
	memset(box, GUARD, area_size + 2 * NGUARD);
	uint8_t *area_mem = box + NGUARD;
	memset(area_mem, 0, area_size);

	struct pv_area area;
	uint64_t area_addr;
	if (mode == 2) { /* inside the image, at a word offset */
		size_t slots = n - area_size / 4; /* n * 4 >= area_size + 4 */
		size_t off = 4 * (inside_at == 1 ? 0 : inside_at == 2 ? slots / 2 : inside_at == 3 ? slots : (size_t)gap / 4 % slots);
		area_addr = base + off;
		area_mem = img + off;
	} else if (edge == 3) {
		area_addr = (space - area_size / 2 + 1) & space & ~3ull; /* half below the top, half past it */
	} else if (mode == 1) {
		area_addr = (base - gap - area_size) & space; /* may wrap below 0 */
	} else {
		area_addr = (base + len + gap) & space; /* may wrap past the top */
	}
	pv_area_init(&area, area_addr, area_mem, area_size);
	bool valid = layout_valid(is64, base, len, area_addr, area_size, mode == 2);
	/* a kernel built without the rule (CONFIG_RELOCATABLE on Book3S) is
	 * not given an end of vectors: it would not honour it */
	has_vec = has_vec && pv_ctx_vectors_rule(ctx);
	/* the end of the vectors may be the end of the image, unless that is the top of the space */
	struct pv_patch_opts opts = {.has_vectors_end = has_vec,
				     .vectors_end = base + 4 * (vec_off % (n + (edge != 1)))};
	struct pv_image image = {img, len, base};
	struct pv_report rep = {0}, again = {0};

	if (verbose)
		fprintf(out, "image 0x%llx, %zu words; area 0x%llx, %zu bytes (%s%s); vectors end %s0x%llx\n",
			(unsigned long long)base, n, (unsigned long long)area_addr, area_size,
			mode == 2 ? "inside the image" : mode == 1 ? "below" : "above",
			prefill ? ", holding a first pass's instances" : "", has_vec ? "" : "(none) ",
			(unsigned long long)opts.vectors_end);
	/* a layout that runs past an end of the space, or an area that overlaps
	 * the image without lying inside it, is refused, and nothing changes */
	if (!valid) {
		enum pv_status st = pv_patch_image(ctx, &image, &area, &opts, &rep);
		bool guards = true;
		for (size_t g = 0; mode != 2 && g < NGUARD; g++)
			guards &= box[g] == GUARD && box[NGUARD + area_size + g] == GUARD;
		if (st != PV_ERR_ARG)
			pvf_fail(r, out, ctx, PVF_K_bad_layout_accepted, -1, "the patch loop accepted a layout outside the address space or overlapping badly "
				 "(image 0x%llx + %zu, area 0x%llx + %zu): status %d", (unsigned long long)base, len,
				 (unsigned long long)area_addr, area_size, (int)st);
		else if (memcmp(before, img, len) || !guards || area.used)
			pvf_fail(r, out, ctx, PVF_K_refused_but_changed, -1, "the patch loop refused the layout but changed memory");
		else if (verbose)
			fprintf(out, "refused, as it must be: the layout does not fit the address space\n");
		goto done;
	}
	/* the checked pass; with prefill, a second one over its result, so
	 * that the area holds instances already when that pass walks the text */
	struct pass p = {ctx, &image, &area, &opts, before, area_before, area_mem, box, cov_img, cov_area, skip_of, mode == 2, r, out};
	int done1 = one_pass(&p, &rep, verbose);
	if (done1 > 0 && prefill) {
		pv_report_free(&rep);
		memcpy(before, img, len);
		done1 = one_pass(&p, &rep, verbose);
	}
	if (done1 <= 0)
		goto done;

	/* patching twice equals patching once: our rule (docs/engine.md), not
	 * upstream's, which spends area on sites it leaves alone and reads an
	 * instance at address 0 as no room, so that a second pass may patch
	 * more (the linux profile and the kernel profile do the same) */
	size_t used = area.used;
	if (ctx->profile == PV_PROFILE_FIXED) {
		memcpy(before, img, len);
		uint8_t *area_copy = malloc(area_size);
		if (!area_copy)
			abort();
		memcpy(area_copy, area_mem, area_size);
		bool ok = pv_patch_image(ctx, &image, &area, &opts, &again) == PV_OK;
		size_t off = 0;
		for (; ok && off < len; off += 4)
			ok = !memcmp(before + off, img + off, 4);
		if (!ok)
			pvf_fail(r, out, ctx, PVF_K_not_idempotent, -1, "patching the patched image changed it again: 0x%llx was 0x%08x, is 0x%08x",
				 (unsigned long long)(base + off - 4), pv_get_word(ctx, before + off - 4),
				 pv_get_word(ctx, img + off - 4));
		else if (memcmp(area_copy, area_mem, area_size) || used != area.used)
			pvf_fail(r, out, ctx, PVF_K_not_idempotent, -1, "patching the patched image changed the area again (used %zu, then %zu bytes)",
				 used, area.used);
		free(area_copy);
	}
done:
	pv_report_free(&rep);
	pv_report_free(&again);
	free(area_before);
	free(cov_img);
	free(cov_area);
	free(skip_of);
	free(img);
	free(before);
	free(box);
}
