/* Everything pvfuzz prints about code and runs for a person to read:
 * listings disassembled with capstone, start states, events, and the
 * divergence report in text and JSON. Shared by the commands and the fuzz
 * targets. */
#ifndef PV_REPORT_H
#define PV_REPORT_H

#include <stdio.h>

#include "emu.h"
#include "pv.h"

/* One instruction line: address, word, disassembly, a page-field note, tag. */
void pv_print_insn(FILE *f, const char *indent, bool is64, uint64_t addr, uint32_t w, const char *tag);
/* "<- register slot" and so on for word i of a template, or "". */
const char *pv_slot_tag(const struct pv_tmpl_layout *l, int i);

void pv_print_state(FILE *f, enum pv_flavor fl, const struct pv_state *st);
void pv_print_code(FILE *f, const struct pv_ctx *ctx, const struct pv_code *c);
void pv_print_run(FILE *f, const char *title, const struct pv_run *r);

/* The start state, both listings and both event sequences of a diff. */
void pv_print_diff_runs(FILE *f, const struct pv_ctx *ctx, const struct pv_state *st, const struct pv_diff *d);

/* origin: how to get the state again, e.g. "seed 42" or "input file x". */
void pv_print_divergence(FILE *f, const struct pv_ctx *ctx, const char *origin, const struct pv_state *st,
			 const struct pv_diff *d);
void pv_print_divergence_json(FILE *f, const struct pv_ctx *ctx, const char *origin, const struct pv_state *st,
			      const struct pv_diff *d);

/* How a command's runs ended, for its summary: every reason a run ends
 * early (docs/emulator.md, "Why a run ends early"), counted over the
 * original runs, and the interrupts inside instances of the patched runs. */
struct pv_tally {
	unsigned long long runs, fell_through, budget, by_event[PV_NEVENT_KINDS];
	unsigned long long delivered, must_act; /* events anywhere in the runs */
	unsigned long long irq_runs, irq_windows; /* patched runs with instance boundaries open to an interrupt */
};
void pv_tally_add(struct pv_tally *t, const struct pv_diff *d);
/* "  ended early: 12 memory fault, 3 CPU exception" and so on, one line. */
void pv_print_tally(FILE *f, const char *indent, const struct pv_tally *t);
/* "\"fell_through\":N,...,\"ended_by\":{...}" without braces around it */
void pv_print_tally_json(FILE *f, const struct pv_tally *t);

/* What one patch pass did: flavor, profile (as profile_label names it),
 * image and area, per class patched and skipped, skipped sites, flush
 * ranges, the largest branch, the time; and the same as one JSON object
 * (extra: members to put first, or NULL). pvfuzz patch prints these. */
void pv_print_patch_report(FILE *f, const struct pv_ctx *ctx, const char *profile_label, const struct pv_image *img,
			   const struct pv_area *area, const struct pv_report *rep, double secs);
void pv_print_patch_report_json(FILE *f, const struct pv_ctx *ctx, const struct pv_image *img, const struct pv_area *area,
				const struct pv_report *rep, double secs, const char *extra);

/* s as the inside of a JSON string (quotes, backslashes and control
 * characters escaped) into out; truncated to fit. */
void pv_json_escape(const char *s, char *out, size_t n);

#endif
