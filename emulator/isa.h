/* The hypervisor model's own description of the machine (spec sections 2,
 * 3 and 6, and the Power ISA): the magic page's layout, the MSR bits, and,
 * per flavor and feature set, which privileged instructions the hypervisor
 * emulates against the page and which page register backs each.
 *
 * Written apart from the engine's tables on purpose (src/magic_page.c,
 * src/rewrite_table.c): the engine's table decides what gets rewritten, this
 * file decides what every instruction means. A wrong offset, width or route
 * in the engine then shows as a divergence instead of agreeing with itself.
 * Instructions are decoded the way a hypervisor's emulator decodes them: by
 * primary and extended opcode, with the operand fields read out and the
 * reserved bits not looked at.
 */
#ifndef PV_ISA_H
#define PV_ISA_H

#include <stdbool.h>
#include <stdint.h>

#include "pv.h"

/* ---- the magic page, spec section 3 (byte offsets) ------------------------ */
enum {
	PG_SCRATCH1 = 0, PG_SCRATCH2 = 8, PG_SCRATCH3 = 16, PG_CRITICAL = 24,
	PG_SPRG0 = 32, PG_SPRG1 = 40, PG_SPRG2 = 48, PG_SPRG3 = 56,
	PG_SRR0 = 64, PG_SRR1 = 72, PG_DAR = 80, PG_MSR = 88,
	PG_DSISR = 96, PG_INT_PENDING = 100, PG_SR = 104, /* sixteen 4-byte words */
	PG_MAS0 = 168, PG_MAS1 = 172, PG_MAS7_3 = 176, PG_MAS2 = 184,
	PG_MAS4 = 192, PG_MAS6 = 196, PG_ESR = 200, PG_PIR = 204,
	PG_SPRG4 = 208, PG_SPRG5 = 216, PG_SPRG6 = 224, PG_SPRG7 = 232,
	PG_END = 240, /* the first byte after the last field */
};

/* ---- MSR bits (Power ISA; 64-bit numbering from the least significant) ---- */
#define ISA_MSR_SF (1ull << 63)
#define ISA_MSR_EE 0x8000ull
#define ISA_MSR_PR 0x4000ull
#define ISA_MSR_ME 0x1000ull
#define ISA_MSR_IR 0x0020ull
#define ISA_MSR_DR 0x0010ull
#define ISA_MSR_RI 0x0002ull
#define ISA_MSR_LE 0x0001ull

/* ---- the registers the page holds ----------------------------------------- */

enum isa_part {
	ISA_WHOLE, /* the whole field */
	ISA_LOW,   /* the low 32 bits of an 8-byte field (MAS3 in mas7_3) */
	ISA_HIGH,  /* the high 32 bits of an 8-byte field (MAS7 in mas7_3) */
};

struct isa_reg {
	const char *name;
	uint16_t off;  /* the field's offset */
	uint8_t bytes; /* the field's size: 8 holds a 64-bit register, 4 a 32-bit one */
	uint8_t part;  /* enum isa_part */
};

/* Every named field from sprg0 to sprg7 in page order, sr[] as one 64-byte
 * entry; NULL-terminated. For naming page differences. */
extern const struct isa_reg isa_page_fields[];

/* A register's value as the guest sees it: 64-bit registers in full on a
 * 64-bit guest and their low word on a 32-bit one, 32-bit registers
 * zero-extended. */
uint64_t isa_reg_get(enum pv_flavor f, const uint8_t *page, const struct isa_reg *r);
/* Writes v as mtspr does: a 64-bit register zero-extended on a 32-bit
 * guest, a 32-bit register from v's low word. */
void isa_reg_set(enum pv_flavor f, uint8_t *page, const struct isa_reg *r, uint64_t v);

/* ---- decoding ---------------------------------------------------------------- */

enum isa_op {
	ISA_NONE,    /* not an instruction the hypervisor emulates against the page */
	ISA_MFMSR,
	ISA_MTMSR,   /* mtmsr, and mtmsrd with L=0 (l1 false): the page MSR becomes rS */
	ISA_MTMSR_L1,/* mtmsrd L=1 (and mtmsr L=1): only EE and RI change */
	ISA_WRTEE,   /* only EE changes, from rS */
	ISA_WRTEEI,  /* only EE changes, from the E bit */
	ISA_MTSRIN,
	ISA_MFSRIN,
	ISA_TLBSYNC,
	ISA_MFSPR,
	ISA_MTSPR,
	ISA_NOPS
};

struct isa_insn {
	uint8_t op;     /* enum isa_op */
	uint8_t rt;     /* RT or RS */
	uint8_t rb;
	bool e;         /* wrteei: the E bit */
	bool mtmsrd;    /* ISA_MTMSR, ISA_MTMSR_L1: written as mtmsrd */
	const struct isa_reg *reg; /* mfspr/mtspr: the page register */
};

/* What word means to the hypervisor of flavor f with these page features:
 * false (op ISA_NONE) when the hypervisor does not emulate it against the
 * page: an ordinary instruction, or one whose register the page does not
 * hold on this flavor or without the feature. */
bool isa_decode(enum pv_flavor f, unsigned features, uint32_t word, struct isa_insn *out);

/* Whether word reads or writes the time base without privilege: mftb (any
 * TBR), mfspr/mtspr of TBL 268, TBU 269, ATBL 526, ATBU 527. The machine
 * under the oracle has no time base (unicorn never sets up QEMU's tb_env,
 * whose helpers then read through NULL: a soak found `mftb` with TBR 308
 * crashing the emulator), so a run ends at such a word, before it runs,
 * alike on both sides (no rewrite touches it). The privileged time-base
 * SPRs (DEC, PURR, SPURR, HDEC, VTB, TBL/TBU writes at 284/285, BookE
 * TCR/TSR/DECAR) end a run as unmodelled privileged instructions already. */
bool isa_time_base(uint32_t word);

/* Whether word, run by the CPU, can change nothing of the CPU but the
 * registers every run sets afresh (r0-r31, CR, XER, LR, CTR) and the PC:
 * integer arithmetic, logic, rotates, compares, integer loads and stores
 * (not lwarx/ldarx/stwcx./stdcx., which hold a reservation), branches, CR
 * logic, mfcr/mtcrf, mfspr/mtspr of XER, LR and CTR, sync, isync and
 * eieio. Everything else is false: other SPRs, floating point and vector
 * (their state, or an exception), traps, sc, and `or rX,rX,rX` (QEMU
 * writes PPR for the priority hints). A run of such words only needs no
 * fresh CPU context before the next one (pv_machine_run); the list errs
 * on the side of false, which costs only speed. */
bool isa_leaves_cpu_state(uint32_t word);

/* "mtmsr", "mtmsrd", "mfspr SPRG1" and so on, for events and reports. */
void isa_insn_name(const struct isa_insn *in, char *buf, size_t n);

/* ---- block accesses ----------------------------------------------------------------- */

/* Guest instructions that reach memory through a block of bytes in one go:
 * lmw/stmw, lswi/stswi, lswx/stswx and dcbz. unicorn's helpers for them
 * write and read host memory directly, and its memory hooks never see those
 * accesses, so the machine checks the block itself before such an
 * instruction runs (docs/emulator.md, "Events"). */
struct isa_block {
	uint8_t ra, rb;   /* base register (0: none) and index register */
	bool use_rb;      /* EA = (rA|0) + rB, else (rA|0) + disp */
	bool xer_count;   /* the length is XER[25:31] (lswx, stswx) */
	bool store;
	bool line;        /* dcbz: the aligned block holding EA */
	int32_t disp;
	unsigned len;     /* bytes, unless xer_count; the line size for dcbz */
};
bool isa_block_access(uint32_t word, struct isa_block *b);

/* ---- who owns which bytes of the page ----------------------------------------- */

enum isa_guard {
	ISA_GUEST,       /* an ordinary guest access */
	ISA_HV_OWNED,    /* scratch1-3 and critical (any access), msr and int_pending (stores):
			  * only the templates and the hypervisor touch them */
	ISA_HIGH_WORD,   /* a 32-bit guest's store to the high word of a field that holds
			  * a 64-bit register: not part of that guest's state (docs/emulator.md) */
};

/* A guest data access of `size` bytes at page offset `off` (off may lie
 * outside the page: then ISA_GUEST). */
enum isa_guard isa_page_guard(enum pv_flavor f, uint64_t off, unsigned size, bool write);

#endif
