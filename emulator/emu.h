/* pvfuzz emulator: run guest code on unicorn with a simulated magic page and
 * a model of the hypervisor, and compare an original run with a patched one
 * (spec sections 6 and 7; docs/emulator.md).
 *
 * Layering: this uses the engine (src/) and unicorn; it prints nothing and
 * never disassembles (the tool and the fuzzers do, with capstone).
 */
#ifndef PV_EMU_H
#define PV_EMU_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "pv.h"

/* ---- memory layout (the same for every flavor) --------------------------- */
#define PV_EMU_TEXT_BASE 0x10000u  /* the code under test */
#define PV_EMU_TEXT_WORDS 1024u
#define PV_EMU_AREA_BASE 0x20000u  /* template area, well within b's reach */
#define PV_EMU_AREA_SIZE 0x10000u
#define PV_EMU_DATA_BASE 0x100000u /* data and stack */
#define PV_EMU_DATA_SIZE 0x2000u
/* the magic page is at EA -4096; see pv_emu_page_phys() */

#define PV_EMU_MAX_EVENTS 16
#define PV_EMU_DEFAULT_BUDGET 256 /* text instructions per run */

/* ---- start states (state.c) ---------------------------------------------- */

/* What the hypervisor hands the guest when the code starts: the guest's
 * registers, the magic page and the data region. Preconditions in
 * docs/emulator.md, "Start states". */
struct pv_state {
	uint64_t gpr[32];
	uint64_t lr, ctr;
	uint32_t cr, xer;
	uint8_t page[PV_MAGIC_PAGE_SIZE]; /* guest byte order */
	uint64_t data_seed;               /* fills the data region */
};

/* Bytes consumed by pv_state_from_bytes(); shorter input is padded with 0. */
#define PV_STATE_BYTES 600
void pv_state_from_bytes(enum pv_flavor f, const uint8_t *b, size_t n, struct pv_state *st);
void pv_state_from_seed(enum pv_flavor f, uint64_t seed, struct pv_state *st);
/* The state's data region (PV_EMU_DATA_SIZE bytes from its data_seed), from
 * a cache of the last state's (this thread's; valid until the next call
 * with another seed). */
const uint8_t *pv_state_data(const struct pv_state *st);

/* State number i of a corner sweep: a seeded state with, by i, MSR[EE] set
 * or clear, an interrupt pending or not (never both with EE set: the
 * hypervisor would have delivered it), MSR[IR]/[DR] set or clear, the
 * registers r3-r31 holding the MSR (with EE flipped in half of them) or
 * not, on 64-bit flavors upper MSR bits set or not, and r1 equal to the
 * critical marker or not. The first 12 cover the first three dimensions;
 * PV_CORNERS consecutive i cover every combination. */
#define PV_CORNERS 48
void pv_state_corner(enum pv_flavor f, uint64_t seed, unsigned i, struct pv_state *st);
/* Corner state i (of the first PV_CORNERS / 2: r1 is not the critical
 * marker) with r0 and r3-r31 all holding the page MSR with exactly bit
 * `bit` flipped (bit 0 the least significant): an MSR write whose "stays
 * in the guest" mask is too wide shows at the bit it lets through. */
void pv_state_msr_flip(enum pv_flavor f, uint64_t seed, unsigned i, unsigned bit, struct pv_state *st);

/* Page field access in the flavor's byte order. */
uint64_t pv_page_get(enum pv_flavor f, const uint8_t *page, unsigned off, unsigned size);
void pv_page_set(enum pv_flavor f, uint8_t *page, unsigned off, unsigned size, uint64_t v);

/* ---- events and runs ------------------------------------------------------- */

enum pv_event_kind {
	PV_EV_MUST_ACT,   /* a trap the hypervisor must act on (MSR critical bits, mtsrin with translation) */
	PV_EV_DELIVER,    /* external interrupt delivered: ends the run */
	PV_EV_PRECOND,    /* the guest broke a precondition (r1 == r2, r1 == critical marker): ends */
	PV_EV_UNMODELLED, /* a privileged instruction the model does not emulate: ends */
	PV_EV_EXCEPTION,  /* a CPU exception (illegal instruction, sc, ...): ends */
	PV_EV_FAULT,      /* an access to unmapped or protected memory: ends */
	PV_EV_CODE_ACCESS,    /* guest load or store to the code or template area: ends */
	PV_EV_PAGE_GUARD, /* guest access to a hypervisor-owned page field: ends */
	PV_EV_WILD_AREA,  /* a jump into the template area other than a site's branch: ends */
	PV_EV_HIGH_WORD,  /* 32-bit guest store to the high word of a 64-bit page register: ends */
	PV_EV_HALT,       /* the CPU halted (wait and its kin): ends */
	PV_EV_TIME_BASE,  /* a time-base access (isa_time_base): the machine has none: ends */
	PV_EV_OVERFLOW,   /* too many events: ends */
	PV_NEVENT_KINDS
};
const char *pv_event_name(enum pv_event_kind k);
struct pv_event;
/* "interrupt delivered at a trap", "memory fault, address 0x..." and so on. */
void pv_event_text(char *buf, size_t n, const struct pv_event *e);

struct pv_event {
	uint8_t kind;
	uint8_t cls;     /* MUST_ACT: the model's enum isa_op (emulator/isa.h) */
	uint32_t detail; /* EXCEPTION: unicorn intno; FAULT: uc_mem_type; UNMODELLED, TIME_BASE: the word;
			    DELIVER, PRECOND: 1 when decided at the exit ending the run, 0 at a trap;
			    MUST_ACT: 1 for mtmsrd */
	uint64_t pc;     /* where, as an address of the original code */
	uint64_t addr;   /* FAULT / *_ACCESS: the data address */
};

enum pv_end {
	PV_END_FELL_THROUGH, /* reached the end of the code */
	PV_END_BUDGET,       /* the instruction budget ran out */
	PV_END_EVENT,        /* an event ended the run */
};
const char *pv_end_name(enum pv_end e);

struct pv_run {
	uint64_t gpr[32], lr, ctr;
	uint32_t cr, xer;
	struct pv_event ev[PV_EMU_MAX_EVENTS];
	unsigned nev;
	uint8_t end;
	uint64_t end_pc; /* mapped like event pcs */
	unsigned steps;  /* text instructions executed */
	/* instruction boundaries inside template instances where an arriving
	 * interrupt would have been delivered, and how many of them did get
	 * one (pv_run_opts.irq_mask; docs/emulator.md) */
	unsigned irq_windows, irq_taken;
	/* last: a run clears everything before them */
	uint8_t page[PV_MAGIC_PAGE_SIZE];
	uint8_t data[PV_EMU_DATA_SIZE];
};

/* ---- code to run ----------------------------------------------------------- */

struct pv_instance {
	uint64_t site, at;
	unsigned nwords; /* to the next instance's start, or the used area's end */
	enum pv_tmpl tmpl; /* PV_NTMPL: a rewrite our table does not know (kernel profile) */
};

struct pv_code {
	uint32_t text[PV_EMU_TEXT_WORDS]; /* word values */
	unsigned n;
	uint32_t area[PV_EMU_AREA_SIZE / 4];
	unsigned area_words;
	struct pv_instance inst[PV_EMU_TEXT_WORDS];
	unsigned ninst;
};

/* The original code: words at PV_EMU_TEXT_BASE, no template area. */
void pv_code_original(struct pv_code *c, const uint32_t *words, unsigned n);

/* ---- the machine (machine.c) ---------------------------------------------- */

struct pv_machine;

/* One machine per flavor, built once and reused. NULL with a message in
 * err when the flavor cannot run here. */
struct pv_machine *pv_machine_new(enum pv_flavor f, char *err, size_t errlen);
void pv_machine_free(struct pv_machine *m);
const char *pv_machine_cpu(const struct pv_machine *m); /* CPU model used */
uint64_t pv_emu_page_phys(enum pv_flavor f);

struct pv_run_opts {
	unsigned budget;   /* text instructions; 0: PV_EMU_DEFAULT_BUDGET */
	/* interrupts inside template instances: the k-th instruction boundary
	 * inside an instance (k from 0, counted over the run) gets one when bit
	 * k % 64 is set and the page allows delivery there */
	uint64_t irq_mask;
};
#define PV_IRQ_EVERY_BOUNDARY (~0ull)

/* Runs code from st under the hypervisor model (ctx: flavor and page
 * features). Returns 0, or -1 when unicorn failed: pv_machine_error() says
 * which call and why; such a run says nothing about the code. */
int pv_machine_run(struct pv_machine *m, const struct pv_ctx *ctx, const struct pv_code *code,
		   const struct pv_state *st, const struct pv_run_opts *o, struct pv_run *out);
const char *pv_machine_error(const struct pv_machine *m);

/* ---- the differential oracle (diff.c) ------------------------------------- */

/* Interrupts inside template instances (docs/emulator.md). */
enum pv_irq_mode {
	PV_IRQ_BOTH, /* default: without, then, when the patched run passed a boundary
		      * where one could be delivered, with one at every such boundary */
	PV_IRQ_NONE, /* never */
	PV_IRQ_MASK, /* at the boundaries of irq_mask (pv_run_opts) */
};

struct pv_diff_opts {
	unsigned budget; /* 0: PV_EMU_DEFAULT_BUDGET */
	uint8_t irq;     /* enum pv_irq_mode */
	uint64_t irq_mask;
	/* patch only words[site]: the other words stay as they are in both runs,
	 * where the hypervisor model emulates them alike (pvfuzz diff --vmlinux
	 * checks one site at a time in its real block) */
	bool one_site;
	unsigned site;
	/* test-only: change the patched code before it runs (broken rewrites) */
	void (*tamper)(const struct pv_ctx *ctx, struct pv_code *patched, void *arg);
	void *tamper_arg;
};

struct pv_diff {
	bool divergent;
	char item[48];          /* the first differing item, e.g. "r5", "page msr", "event 1" */
	char orig[96], patched[96]; /* its two values */
	struct pv_code orig_code, patched_code;
	struct pv_run orig_run, patched_run;
	uint64_t irq_mask;    /* the patched run's pv_run_opts.irq_mask */
	/* the engine's report when the call patched the code; the oracle
	 * reuses the code it patched last for the same words and context,
	 * and then leaves this empty */
	struct pv_report rep;
};

/* The oracle of one flavor: a machine for original runs and one for patched
 * runs, so that each keeps its code translated across start states. */
struct pv_oracle;
struct pv_oracle *pv_oracle_new(enum pv_flavor f, char *err, size_t errlen);
void pv_oracle_free(struct pv_oracle *o);
const char *pv_oracle_cpu(const struct pv_oracle *o);
const char *pv_oracle_error(const struct pv_oracle *o); /* after pv_diff_run() returned -1 */

/* Runs words original and patched from st and compares (spec section 7).
 * Returns 0, or -1 on an internal error (unicorn, or a too long sequence):
 * pv_oracle_error() says what. */
int pv_diff_run(struct pv_oracle *or, const struct pv_ctx *ctx, const uint32_t *words, unsigned n,
		const struct pv_state *st, const struct pv_diff_opts *o, struct pv_diff *d);
void pv_diff_free(struct pv_diff *d);

/* Compares two runs; fills item/orig/patched and returns true on a difference.
 * Compared, in this order: the hypervisor events, how and where each run
 * ended, r0-r31, CR, XER, LR, CTR, the magic page from sprg0 to its end,
 * and the data region. Not compared, on purpose: the page's scratch1-3 and
 * critical fields (the template's own, spec section 6); the text and the
 * template area (they differ by construction: the rewrite); the CPU's own
 * MSR, SRR0/1 and SPRGs (in both runs the guest's values live in the
 * page, which is compared: the model emulates the original's privileged
 * instructions against it); FPRs
 * and vector registers (no rewrite touches them); instruction counts. */
bool pv_runs_differ(enum pv_flavor f, const struct pv_run *a, const struct pv_run *b, struct pv_diff *d);

/* ---- the kernel profile (kernel.c, docs/kernel-mode.md) ------------------- */

/* A kernel tree's own PV patch code as scripts/kernel-mode/build.sh left it
 * in dir/<flavor>/, ready to run in its own unicorn engine. NULL with a
 * message in err when it is missing or unreadable. Not thread-safe: one per
 * thread. */
struct pv_kernel;
struct pv_kernel *pv_kernel_open(const char *dir, enum pv_flavor f, char *err, size_t errlen);
void pv_kernel_free(struct pv_kernel *k);
/* Whether dir/<flavor>/kernel.meta exists: a flavor not built is skipped,
 * one built but unreadable (stale, damaged) is an error. */
bool pv_kernel_present(const char *dir, enum pv_flavor f);

/* Makes pv_patch_image(ctx, ...) run the kernel's code (ctx: the same
 * flavor, profile linux, whose table classifies the kernel's rewrites):
 * kvm_guest_init() over the image with kvm_tmp at the area, kvm_tmp_index
 * = area->used, __end_interrupts = opts->vectors_end. The context then
 * names the profile "kernel:DIR (Linux release)" (pv_profile_label). */
void pv_kernel_attach(struct pv_kernel *k, struct pv_ctx *ctx);

/* The rest the context asks through pv_profile_label(), pv_ctx_patch_error()
 * and pv_ctx_vectors_rule() (the build withholds branch patching below
 * __end_interrupts when it is relocatable Book3S). */

#endif
