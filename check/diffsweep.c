/* The differential sweep (diffsweep.h). */
#include <stdio.h>
#include <stdlib.h>

#include "diffsweep.h"
#include "isa.h"

bool sweep_init(struct sweep *w)
{
	w->d = calloc(1, sizeof *w->d);
	w->first = calloc(1, sizeof *w->first);
	return w->d && w->first;
}

void sweep_free(struct sweep *w)
{
	pv_diff_free(w->d);
	pv_diff_free(w->first);
	free(w->d);
	free(w->first);
	w->d = w->first = NULL;
}

/* Whether the model reads word as an MSR write (isa.h): those get the
 * single-bit-flip states too, so that a "stays in the guest" mask that is
 * too wide shows at the bit it lets through. */
static bool writes_msr(const struct pv_ctx *ctx, uint32_t word)
{
	struct isa_insn in;
	isa_decode(ctx->flavor, ctx->features, word, &in);
	return in.op == ISA_MTMSR || in.op == ISA_MTMSR_L1 || in.op == ISA_WRTEE || in.op == ISA_WRTEEI;
}

/* One state: 1 divergent (kept as the first if it is), 0 not, -1 the
 * emulator failed (message printed). */
static int run_one(struct sweep *w, struct pv_oracle *or, const struct pv_ctx *ctx, uint32_t word,
		   const struct pv_state *st)
{
	if (pv_diff_run(or, ctx, &word, 1, st, NULL, w->d) != 0) {
		fprintf(stderr, "pvfuzz: the emulator failed: %s\n", pv_oracle_error(or));
		return -1;
	}
	w->runs++;
	if (!w->d->divergent)
		return 0;
	if (!w->have_first) {
		struct pv_diff *t = w->first;
		w->first = w->d, w->d = t;
		w->first_state = *st, w->first_ctx = *ctx;
		w->have_first = true;
	}
	return 1;
}

/* Every state of the sweep for one word: the corner states, then for an
 * MSR write every single-bit flip of the MSR in rS. */
static int run_word(struct sweep *w, struct pv_oracle *or, const struct pv_ctx *ctx, uint32_t word)
{
	struct pv_state st;
	int r = 0;
	for (uint64_t s = 0; s < w->states && !r; s++) {
		pv_state_corner(ctx->flavor, s + 1, (unsigned)s, &st);
		r = run_one(w, or, ctx, word, &st);
	}
	unsigned bits = ctx->fi->is64 ? 64 : 32;
	for (unsigned bit = 0; bit < bits && !r && writes_msr(ctx, word); bit++) {
		pv_state_msr_flip(ctx->flavor, bit + 1, bit, bit, &st);
		r = run_one(w, or, ctx, word, &st);
	}
	return r;
}

/* Every class, register and feature set of one flavor. 0, or -1 when the
 * emulator failed (the command exits PVF_EXIT_INTERNAL). */
int sweep_flavor(struct sweep *w, enum pv_flavor flavor, struct pv_oracle *or)
{
	unsigned char (*verdict)[NFEAT] = w->verdict[flavor];
	for (unsigned feat = 0; feat < NFEAT; feat++) {
		if (w->only_features >= 0 && feat != (unsigned)w->only_features)
			continue;
		struct pv_ctx ctx;
		if (w->ctx_init)
			w->ctx_init(&ctx, flavor, feat, w->profile);
		else
			pv_ctx_init(&ctx, flavor, feat, w->profile);
		for (unsigned i = 0; i < ctx.nactive; i++) {
			const struct pv_row *r = ctx.active[i];
			if (w->only_class >= 0 && r->cls != (unsigned)w->only_class)
				continue;
			if (verdict[r->cls][feat] == DS_DIVERGES)
				continue; /* the PIR class has a row per family: one verdict */
			verdict[r->cls][feat] = DS_OK;
			unsigned nrt, nrb;
			pv_row_regs(r, &nrt, &nrb);
			for (unsigned rt = 0; rt < nrt && verdict[r->cls][feat] == DS_OK; rt++)
				for (unsigned rb = 0; rb < nrb && verdict[r->cls][feat] == DS_OK; rb++) {
					uint32_t word = pv_row_word(r, rt, rb);
					int res = run_word(w, or, &ctx, word);
					if (res < 0)
						return -1;
					if (res)
						verdict[r->cls][feat] = DS_DIVERGES;
				}
		}
		if (!w->quiet)
			fprintf(stderr, "pvfuzz diffsweep: %s, features %s done (%llu runs)\n", pv_flavor_info(flavor)->name,
				pv_features_name(feat), w->runs);
	}
	return 0;
}
