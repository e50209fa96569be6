/* The hypervisor model (spec section 6): one definition of what the
 * hypervisor does, used for the original instruction in the original run and
 * for a template's orig-ins slot in the patched run. */
#ifndef PV_HV_H
#define PV_HV_H

#include "emu.h"

#define MSR_EE 0x8000u
#define MSR_PR 0x4000u
#define MSR_RI 0x0002u
#define MSR_IR 0x0020u
#define MSR_DR 0x0010u

/* Guest registers the model reads and writes. */
struct hv_regs {
	uint64_t rs, rb; /* source operands of the instruction */
	uint64_t rt;     /* result of a load class */
	bool writes_rt;
};

/* Emulates `word` (matched by row) against page. Returns true and fills
 * *ev (kind PV_EV_MUST_ACT) when the hypervisor must act on this trap. */
bool pv_hv_emulate(const struct pv_ctx *ctx, const struct pv_row *row, uint32_t word, struct hv_regs *r,
		   uint8_t *page, struct pv_event *ev);

enum hv_delivery { HV_NONE, HV_DELIVER, HV_PRECOND };

/* At a trap or exit: is an external interrupt delivered now? c0 is the
 * critical marker of the start state. */
enum hv_delivery pv_hv_delivery(enum pv_flavor f, const uint8_t *page, uint64_t r1, uint64_t r2, uint64_t c0);

/* Privileged instructions the model does not emulate (rfi, mtspr of other
 * supervisor SPRs, tlbie, ...): the run ends at them. */
bool pv_hv_unmodelled(uint32_t word);

#endif
