/* The differential sweep behind `pvfuzz diffsweep` and `pvfuzz validate`:
 * the oracle over every class (or one), every register number (every rS and
 * rB of two-register classes) and every feature set of a flavor, from the
 * corner start states (pv_state_corner), plus, for MSR writes, a state per
 * MSR bit with that bit flipped in rS (pv_state_msr_flip). Each run also
 * delivers an interrupt at every boundary inside a template instance where
 * one could arrive (pv_diff_run's default, docs/emulator.md). */
#ifndef PV_DIFFSWEEP_H
#define PV_DIFFSWEEP_H

#include <stdbool.h>
#include <stdint.h>

#include "emu.h"

#define NFEAT (PV_FEAT_ALL + 1)

/* verdicts: 0 not applicable, 1 ok, 2 diverges */
enum { DS_NA, DS_OK, DS_DIVERGES };

struct sweep {
	enum pv_profile profile;
	/* makes each context: pv_ctx_init() when NULL; the tool passes
	 * cli_ctx_init(), which attaches a kernel profile's code */
	void (*ctx_init)(struct pv_ctx *ctx, enum pv_flavor f, unsigned features, enum pv_profile p);
	int only_features; /* -1: every feature set */
	int only_class;    /* -1: every class */
	uint64_t states;
	bool quiet;        /* no progress lines */
	unsigned char verdict[PV_NFLAVORS][PV_NCLASSES][NFEAT];
	unsigned long long runs;
	/* the first divergence, for its report */
	bool have_first;
	struct pv_diff *d, *first;
	struct pv_state first_state;
	struct pv_ctx first_ctx;
};

/* Allocates the run buffers of a zeroed sweep: false when out of memory. */
bool sweep_init(struct sweep *w);
void sweep_free(struct sweep *w);
/* Every class, register and feature set of one flavor. 0, or -1 when the
 * emulator failed (the command exits PVF_EXIT_INTERNAL). */
int sweep_flavor(struct sweep *w, enum pv_flavor flavor, struct pv_oracle *or);

#endif
