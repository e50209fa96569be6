/* fuzz_diff: the differential oracle. No divergence between the original
 * code and the engine's rewrite, from any start state.
 *
 * Input: the platform byte; a count byte (1-8 words); per word a selector
 * byte and 4 bytes (pvf_word: raw, a rewritable encoding of the platform,
 * or a plain instruction, so privileged and ordinary code mix often); the
 * rest is the start state (pv_state_from_bytes). Any divergence fails, after
 * the full report.
 */
#include <stdlib.h>
#include <string.h>

#include "emu.h"
#include "pvf.h"
#include "report.h"

#define MAX_WORDS 8
#define WORDS_AT 2 /* header, count byte */

bool pvf_diff_focus_seed(uint8_t *b, size_t n)
{
	if (n < WORDS_AT + 5)
		return false;
	unsigned count = 1 + b[1] % MAX_WORDS;
	for (unsigned i = 0; i < count && WORDS_AT + 5 * i < n; i += 2)
		b[WORDS_AT + 5 * i] = 0;
	return true;
}

void pvf_check_diff(const struct pv_ctx *ctx, struct pvf_in *in, bool verbose, FILE *out, struct pvf_result *r)
{
	static struct pv_oracle *oracle[PV_NFLAVORS];
	static struct pv_diff *d;
	char err[160];
	if (!oracle[ctx->flavor] && !(oracle[ctx->flavor] = pv_oracle_new(ctx->flavor, err, sizeof err))) {
		fprintf(stderr, "pvfuzz: %s\n", err);
		abort();
	}
	if (!d && !(d = calloc(1, sizeof(*d))))
		abort();

	unsigned n = 1 + (unsigned)pvf_take(in, 1) % MAX_WORDS;
	uint32_t w[MAX_WORDS];
	for (unsigned i = 0; i < n; i++)
		w[i] = pvf_word(ctx, in);
	struct pv_state st;
	pv_state_from_bytes(ctx->flavor, in->p + in->pos, pvf_left(in), &st);
	if (pv_diff_run(oracle[ctx->flavor], ctx, w, n, &st, NULL, d) != 0) {
		fprintf(stderr, "pvfuzz: the emulator failed\n");
		abort();
	}
	if (d->divergent) {
		pv_print_divergence(out ? out : stderr, ctx, "fuzz input", &st, d);
		return pvf_fail(r, out, "divergence: %s: original %s, patched %s", d->item, d->orig, d->patched);
	}
	if (verbose)
		pv_print_diff_runs(out, ctx, &st, d);
}
