/* fuzz_diff: the differential oracle. No divergence between the original
 * code and the engine's rewrite, from any start state, with or without
 * interrupts inside template instances.
 *
 * Input: the header (target, platform); a count byte (1-8 words); per word a selector
 * byte and 4 bytes (pvf_word: raw, a rewritable encoding of the platform,
 * or a plain instruction, so privileged and ordinary code mix often; or, for
 * a selector whose low four bits are 0xe, the MSR idiom below); then
 * PV_STATE_BYTES of start state (pv_state_from_bytes); then 8 bytes, the
 * interrupt mask: an interrupt arrives at the k-th instruction boundary
 * inside a template instance when bit k % 64 is set (missing bytes: none).
 * Any divergence fails, after the full report.
 */
#include <stdlib.h>
#include <string.h>

#include "emu.h"
#include "pvf.h"
#include "report.h"

#define MAX_WORDS PVF_DIFF_MAX_WORDS
#define COUNT_AT PVF_HEADER_BYTES
#define WORDS_AT (COUNT_AT + 1)

/* The encoder of what pvf_check_diff reads below. */
void pvf_diff_encode(struct pvf_out *o, const struct pvf_diff_input *in)
{
	pvf_put_header(o, PVF_DIFF, in->platform);
	pvf_put(o, (in->nwords - 1) % MAX_WORDS, 1);
	for (unsigned i = 0; i < in->nitems && i < MAX_WORDS; i++)
		pvf_put_word(o, in->item[i].sel, in->item[i].word);
	for (size_t i = 0; i < in->state_len && i < PV_STATE_BYTES; i++)
		pvf_put(o, in->state[i], 1);
	if (in->has_irq_mask)
		pvf_put(o, in->irq_mask, 8);
}

bool pvf_diff_focus_seed(uint8_t *b, size_t n)
{
	if (n < WORDS_AT + 5)
		return false;
	unsigned count = 1 + b[COUNT_AT] % MAX_WORDS;
	for (unsigned i = 0; i < count && WORDS_AT + 5 * i < n; i += 2)
		b[WORDS_AT + 5 * i] = PVF_SEL_REWRITABLE;
	return true;
}

/* The shape of irq save/restore code, where an MSR write's "stays in the
 * guest" mask decides: mfmsr rX; xori/xoris/ori/oris rX,rX,1<<k; then
 * mtmsr rX, mtmsrd rX,0, mtmsrd rX,1 or (BookE) wrtee rX. From 32 raw bits:
 * register (never r1 or r2), operation, bit, form. Writes up to room words. */
static unsigned msr_idiom(const struct pv_ctx *ctx, uint32_t raw, uint32_t *w, unsigned room)
{
	static const unsigned logic_op[4] = {26 /* xori */, 27 /* xoris */, 24 /* ori */, 25 /* oris */};
	unsigned rx = raw % 32, op = logic_op[(raw >> 5) % 4], bit = (raw >> 7) % 16, form = (raw >> 11) % 4;
	if (rx == 1 || rx == 2)
		rx += 2;
	uint32_t write;
	switch (form) {
	case 0: write = 0x7c000124u | rx << 21; break;              /* mtmsr rX */
	case 1: write = 0x7c000164u | rx << 21; break;              /* mtmsrd rX,0 */
	case 2: write = 0x7c010164u | rx << 21; break;              /* mtmsrd rX,1 */
	default: write = ctx->fi->booke ? 0x7c000106u | rx << 21   /* wrtee rX */
				       : 0x7c000124u | rx << 21;
	}
	uint32_t seq[3] = {0x7c0000a6u | rx << 21 /* mfmsr rX */, op << 26 | rx << 21 | rx << 16 | 1u << bit, write};
	unsigned n = room < 3 ? room : 3;
	memcpy(w, seq, 4 * n);
	return n;
}

void pvf_check_diff(const struct pv_ctx *ctx, struct pvf_in *in, bool verbose, FILE *out, struct pvf_result *r)
{
	static struct pv_oracle *oracle[PV_NFLAVORS];
	static struct pv_diff *d;
	char err[160];
	if (!oracle[ctx->flavor] && !(oracle[ctx->flavor] = pv_oracle_new(ctx->flavor, err, sizeof err))) {
		pvf_internal(r, out, "%s", err);
		return;
	}
	if (!d && !(d = calloc(1, sizeof(*d))))
		abort();

	unsigned n = 1 + (unsigned)pvf_take(in, 1) % MAX_WORDS;
	uint32_t w[MAX_WORDS];
	for (unsigned i = 0; i < n;) {
		if (in->pos < in->n && (in->p[in->pos] & 0x0fu) == PVF_SEL_MSR_IDIOM) {
			pvf_take(in, 1);
			i += msr_idiom(ctx, (uint32_t)pvf_take(in, 4), w + i, n - i);
		} else {
			w[i++] = pvf_word(ctx, in);
		}
	}
	struct pv_state st;
	size_t state_bytes = pvf_left(in) < PV_STATE_BYTES ? pvf_left(in) : PV_STATE_BYTES;
	pv_state_from_bytes(ctx->flavor, in->p + in->pos, state_bytes, &st);
	in->pos += state_bytes;
	struct pv_diff_opts o = {.irq = PV_IRQ_MASK, .irq_mask = pvf_take(in, 8)};
	if (pv_diff_run(oracle[ctx->flavor], ctx, w, n, &st, &o, d) != 0) {
		pvf_internal(r, out, "the emulator failed: %s", pv_oracle_error(oracle[ctx->flavor]));
		return;
	}
	if (d->divergent) {
		if (out) /* NULL: the caller wants the verdict only (pvfuzz repro --json) */
			pv_print_divergence(out, ctx, "fuzz input", &st, d);
		/* the crash's identity: the first word the patch changed (one word,
		 * once minimised) */
		int cls = -1;
		for (unsigned i = 0; i < n && cls < 0; i++) {
			const struct pv_row *row = pv_match(ctx, w[i]);
			if (row && d->patched_code.text[i] != w[i])
				cls = row->cls;
		}
		return pvf_fail(r, out, ctx, PVF_K_divergence, cls, "divergence: %s: original %s, patched %s", d->item,
				d->orig, d->patched);
	}
	if (verbose)
		pv_print_diff_runs(out, ctx, &st, d);
}
