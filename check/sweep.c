/* The matcher sweep behind `pvfuzz sweep`: every word (or a seeded sample)
 * through the matcher; every matched word through the checks of
 * fuzz_check_ins and fuzz_disasm_xcheck; one unmatched word in
 * `sample_every` through the capstone cross-check, so the sweep runs at
 * matcher speed. */
#include <string.h>

#include "pvf.h"
#include "sweep.h"

static void one_word(const struct pv_ctx *ctx, uint32_t w, unsigned sample_every, struct pvf_sweep *s)
{
	const struct pv_row *row = pv_match(ctx, w);
	s->words++;
	bool check = row != NULL;
	if (row) {
		s->matched++;
		s->per_class[row->cls]++;
	} else if (sample_every && (w * 0x9e3779b1u) % sample_every == 0) {
		check = true;
		s->sampled++;
	}
	if (!check)
		return;
	struct pvf_result r = {0};
	if (row)
		pvf_check_word(ctx, w, false, NULL, &r);
	if (!r.failed && !r.internal)
		pvf_xcheck_word(ctx, w, false, NULL, &r);
	if (r.internal && !s->internal++)
		snprintf(s->internal_msg, sizeof s->internal_msg, "%s", r.what);
	if (r.failed) {
		if (s->failures < PVF_SWEEP_FIRST) {
			s->first[s->failures] = w;
			snprintf(s->first_msg[s->failures], sizeof s->first_msg[0], "%s", r.what);
		}
		s->failures++;
	}
}

void pvf_sweep_range(const struct pv_ctx *ctx, uint64_t lo, uint64_t hi, unsigned sample_every,
		     volatile uint64_t *progress, struct pvf_sweep *s)
{
	for (uint64_t w = lo; w < hi; w++) {
		one_word(ctx, (uint32_t)w, sample_every, s);
		if (progress && (w & 0xffffff) == 0)
			*progress = w - lo;
	}
}

/* Words near every encoding the engine knows, on any flavor: every value
 * of the carried register fields, and every single-bit change of the
 * encoding (near misses). */
void pvf_sweep_neighbourhood(const struct pv_ctx *ctx, struct pvf_sweep *s)
{
	for (size_t i = 0; i < pv_nrows; i++) {
		const struct pv_row *r = &pv_rows[i];
		unsigned nrt, nrb;
		pv_row_regs(r, &nrt, &nrb);
		for (unsigned rt = 0; rt < nrt; rt++)
			for (unsigned rb = 0; rb < nrb; rb++)
				one_word(ctx, pv_row_word(r, rt, rb), 1, s);
		for (unsigned bit = 0; bit < 32; bit++)
			one_word(ctx, r->match ^ (1u << bit), 1, s);
	}
}

/* Every word with the opcode and extended opcode of one of the class's rows:
 * all 2^16 values of the RT, RA, RB and Rc fields, so every encoding of
 * the class and every near miss that keeps its opcode; then every single-bit
 * change of each row's encoding. Each word goes through the checks. */
void pvf_sweep_class(const struct pv_ctx *ctx, enum pv_class cls, struct pvf_sweep *s)
{
	bool done_xo[1024] = {false};
	for (size_t i = 0; i < pv_nrows; i++) {
		const struct pv_row *r = &pv_rows[i];
		if (r->cls != cls)
			continue;
		unsigned xo = (r->match >> 1) & 0x3ff;
		if (!done_xo[xo]) {
			done_xo[xo] = true;
			uint32_t base = r->match & 0xfc0007feu;
			for (uint32_t v = 0; v < 0x10000; v++)
				one_word(ctx, base | (v & 0x7fffu) << 11 | v >> 15, 1, s);
		}
		for (unsigned bit = 0; bit < 32; bit++)
			one_word(ctx, r->match ^ (1u << bit), 1, s);
	}
}

void pvf_sweep_sample(const struct pv_ctx *ctx, uint64_t seed, uint64_t n, unsigned sample_every, struct pvf_sweep *s)
{
	uint64_t x = seed;
	for (uint64_t i = 0; i < n; i++) {
		x = x * 6364136223846793005ull + 1442695040888963407ull;
		one_word(ctx, (uint32_t)(x >> 32), sample_every, s);
	}
	pvf_sweep_neighbourhood(ctx, s);
}

void pvf_sweep_merge(struct pvf_sweep *into, const struct pvf_sweep *from)
{
	into->words += from->words;
	into->matched += from->matched;
	into->sampled += from->sampled;
	for (unsigned c = 0; c < PV_NCLASSES; c++)
		into->per_class[c] += from->per_class[c];
	for (uint64_t i = 0; i < from->failures && into->failures < PVF_SWEEP_FIRST; i++, into->failures++) {
		into->first[into->failures] = from->first[i];
		memcpy(into->first_msg[into->failures], from->first_msg[i], sizeof into->first_msg[0]);
	}
	if (from->internal && !into->internal)
		memcpy(into->internal_msg, from->internal_msg, sizeof into->internal_msg);
	into->internal += from->internal;
	if (from->failures > PVF_SWEEP_FIRST)
		into->failures += from->failures - PVF_SWEEP_FIRST;
}
