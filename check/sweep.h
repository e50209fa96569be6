/* The matcher sweep (sweep.c), used by `pvfuzz sweep` and its test. */
#ifndef PVF_SWEEP_H
#define PVF_SWEEP_H

#include <stdint.h>

#include "pv.h"

#define PVF_SWEEP_FIRST 8

struct pvf_sweep {
	uint64_t words, matched, sampled, failures;
	uint64_t per_class[PV_NCLASSES];
	uint32_t first[PVF_SWEEP_FIRST]; /* the first failing words */
	char first_msg[PVF_SWEEP_FIRST][256];
	uint64_t internal;     /* words no check could judge (capstone did not open) */
	char internal_msg[256]; /* why, for the first */
};

/* Words lo..hi-1; progress (if given) is updated every 2^24 words. */
void pvf_sweep_range(const struct pv_ctx *ctx, uint64_t lo, uint64_t hi, unsigned sample_every,
		     volatile uint64_t *progress, struct pvf_sweep *s);
/* n words from a seeded generator, then the neighbourhood of every encoding. */
void pvf_sweep_sample(const struct pv_ctx *ctx, uint64_t seed, uint64_t n, unsigned sample_every, struct pvf_sweep *s);
void pvf_sweep_neighbourhood(const struct pv_ctx *ctx, struct pvf_sweep *s);
/* Every word sharing opcode and extended opcode with a row of the class,
 * and the single-bit neighbours of its encodings (pvfuzz validate). */
void pvf_sweep_class(const struct pv_ctx *ctx, enum pv_class cls, struct pvf_sweep *s);
void pvf_sweep_merge(struct pvf_sweep *into, const struct pvf_sweep *from);

#endif
