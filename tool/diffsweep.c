/* The differential sweep (diffsweep.h). */
#include <stdio.h>
#include <stdlib.h>

#include "diffsweep.h"

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

/* Every class, register and feature set of one flavor. 0, or 70 when the
 * emulator failed. */
int sweep_flavor(struct sweep *w, enum pv_flavor flavor, struct pv_oracle *or)
{
	unsigned char (*verdict)[NFEAT] = w->verdict[flavor];
	struct pv_state st;
	for (unsigned feat = 0; feat < NFEAT; feat++) {
		if (w->only_features >= 0 && feat != (unsigned)w->only_features)
			continue;
		struct pv_ctx ctx;
		pv_ctx_init(&ctx, flavor, feat, w->profile);
		for (unsigned i = 0; i < ctx.nactive; i++) {
			const struct pv_row *r = ctx.active[i];
			if (w->only_class >= 0 && r->cls != (unsigned)w->only_class)
				continue;
			if (verdict[r->cls][feat] == 2)
				continue; /* the PIR class has a row per family: one verdict */
			verdict[r->cls][feat] = 1;
			unsigned nrt = r->carried & 0x03e00000u ? 32 : 1, nrb = r->carried & 0x0000f800u ? 32 : 1;
			for (unsigned rt = 0; rt < nrt && verdict[r->cls][feat] == 1; rt++)
				for (unsigned rb = 0; rb < nrb && verdict[r->cls][feat] == 1; rb++) {
					uint32_t word = r->match | (nrt > 1 ? rt << 21 : 0) | (nrb > 1 ? rb << 11 : 0);
					for (uint64_t s = 0; s < w->states; s++) {
						pv_state_corner(flavor, s + 1, (unsigned)s, &st);
						if (pv_diff_run(or, &ctx, &word, 1, &st, NULL, w->d) != 0) {
							fprintf(stderr, "pvfuzz: the emulator failed\n");
							return 70;
						}
						w->runs++;
						if (!w->d->divergent)
							continue;
						verdict[r->cls][feat] = 2;
						if (!w->have_first) {
							struct pv_diff *t = w->first;
							w->first = w->d, w->d = t;
							w->first_state = st, w->first_ctx = ctx;
							w->have_first = true;
						}
						break;
					}
				}
		}
		if (!w->quiet)
			fprintf(stderr, "pvfuzz diffsweep: %s, features %s done (%llu runs)\n", pv_flavor_info(flavor)->name,
				pv_features_name(feat), w->runs);
	}
	return 0;
}

