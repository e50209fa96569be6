/* The hypervisor model (spec section 6): one definition of what the
 * hypervisor does, used for the original instruction in the original run and
 * for a template's orig-ins slot in the patched run. What an instruction
 * means comes from the model's own description of the machine (isa.h), not
 * from the engine's tables. */
#ifndef PV_HV_H
#define PV_HV_H

#include "emu.h"
#include "isa.h"

/* Guest registers the model reads and writes. */
struct hv_regs {
	uint64_t rs, rb; /* source operands of the instruction */
	uint64_t rt;     /* result of a read */
	bool writes_rt;
};

/* Emulates the decoded instruction against page. Returns true and fills
 * *ev (kind PV_EV_MUST_ACT) when the hypervisor must act on this trap. */
bool pv_hv_emulate(enum pv_flavor f, const struct isa_insn *in, struct hv_regs *r, uint8_t *page,
		   struct pv_event *ev);

enum hv_delivery { HV_NONE, HV_DELIVER, HV_PRECOND };

/* At a trap or exit: is the pending external interrupt delivered now? c0 is
 * the critical marker of the start state. */
enum hv_delivery pv_hv_delivery(enum pv_flavor f, const uint8_t *page, uint64_t r1, uint64_t r2, uint64_t c0);

/* Could an interrupt that arrives now be delivered (page MSR[EE] set,
 * MSR[PR] clear, not in a critical section)? The asynchronous deliveries
 * inside template instances (docs/emulator.md, "Interrupts inside an
 * instance") happen exactly where this holds. */
bool pv_hv_async_deliverable(enum pv_flavor f, const uint8_t *page, uint64_t r1);

/* What the guest's interrupt handler leaves behind in the page: its own
 * patched code used scratch1-3 (k and salt choose the junk it left there)
 * and its template instances left critical = r2. */
void pv_hv_handler_effect(enum pv_flavor f, uint8_t *page, uint64_t r2, uint64_t salt, unsigned k);

/* Privileged instructions the model does not emulate (rfi, mtspr of other
 * supervisor SPRs, tlbie, ...): the run ends at them. */
bool pv_hv_unmodelled(uint32_t word);

#endif
