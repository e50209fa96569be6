/* Start states from bytes (fuzzing) or a seed, with the guarantees of the
 * real hypervisor applied on top (docs/emulator.md, "Start states"). */
#include <string.h>

#include "emu.h"
#include "isa.h"

#define MSR_SF ISA_MSR_SF
#define MSR_PR ISA_MSR_PR
#define MSR_LE ISA_MSR_LE

uint64_t pv_page_get(enum pv_flavor f, const uint8_t *page, unsigned off, unsigned size)
{
	return pv_load(page + off, size, pv_flavor_info(f)->little_endian);
}

void pv_page_set(enum pv_flavor f, uint8_t *page, unsigned off, unsigned size, uint64_t v)
{
	pv_store(page + off, size, pv_flavor_info(f)->little_endian, v);
}

struct reader {
	const uint8_t *b;
	size_t n, pos;
};

static uint64_t take(struct reader *r, unsigned bytes)
{
	uint64_t v = 0;
	for (unsigned i = 0; i < bytes; i++)
		v = v << 8 | (r->pos < r->n ? r->b[r->pos++] : 0);
	return v;
}

static uint64_t splitmix(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ull);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

/* A value for a general register: often a pointer into the data region, so
 * that random loads and stores land in mapped memory. */
static uint64_t gpr_value(struct reader *r, uint64_t mask)
{
	uint8_t kind = (uint8_t)take(r, 1);
	uint64_t v = take(r, 8);
	if (kind % 4 == 0)
		v = PV_EMU_DATA_BASE + (v % (PV_EMU_DATA_SIZE - 64));
	else if (kind % 4 == 1)
		v &= 0xffff; /* small numbers: shifts, indexes, segment numbers */
	return v & mask;
}

void pv_state_from_bytes(enum pv_flavor f, const uint8_t *b, size_t n, struct pv_state *st)
{
	const struct pv_flavor_info *fi = pv_flavor_info(f);
	uint64_t mask = fi->is64 ? ~0ull : 0xffffffffull;
	struct reader r = {b, n < PV_STATE_BYTES ? n : PV_STATE_BYTES, 0};

	memset(st, 0, sizeof(*st));
	for (unsigned i = 0; i < 32; i++)
		st->gpr[i] = gpr_value(&r, mask);
	/* r1: the stack pointer, in the data region, 16-byte aligned */
	st->gpr[1] = (PV_EMU_DATA_BASE + PV_EMU_DATA_SIZE / 2 + (st->gpr[1] % 1024)) & ~15ull;
	st->cr = (uint32_t)take(&r, 4);
	st->xer = (uint32_t)take(&r, 4) & 0xe000007fu; /* SO OV CA, byte count */
	st->lr = gpr_value(&r, mask) & ~3ull;
	st->ctr = gpr_value(&r, mask);

	/* every page field, scratch1 to sprg7, a word at a time in page order */
	for (unsigned off = PG_SCRATCH1; off < PG_END; off += 4)
		pv_page_set(f, st->page, off, 4, take(&r, 4));
	st->data_seed = take(&r, 8);

	/* What the hypervisor guarantees (docs/emulator.md) */
	uint64_t msr = pv_page_get(f, st->page, PG_MSR, 8);
	msr &= ~(uint64_t)MSR_PR; /* the guest kernel runs in supervisor state */
	if (fi->is64) {
		msr |= MSR_SF; /* in 64-bit mode, like the real CPU under it */
		msr = fi->little_endian ? msr | MSR_LE : msr & ~(uint64_t)MSR_LE;
	}
	/* an interrupt is pending half the time; the hypervisor never enters
	 * the guest with one deliverable, so then EE is clear */
	uint32_t pending = (uint32_t)pv_page_get(f, st->page, PG_INT_PENDING, 4);
	pending = pending & 1 ? pending : 0;
	pv_page_set(f, st->page, PG_INT_PENDING, 4, pending);
	if (pending)
		msr &= ~ISA_MSR_EE;
	pv_page_set(f, st->page, PG_MSR, 8, msr);
	if (!fi->is64) { /* 32-bit guest: the upper words of its 64-bit registers are zero */
		for (unsigned off = PG_SCRATCH1; off <= PG_CRITICAL; off += 8)
			pv_page_set(f, st->page, off, 4, 0);
		for (const struct isa_reg *fld = isa_page_fields; fld->name; fld++)
			if (fld->bytes == 8 && fld->part == ISA_WHOLE && fld->off != PG_MAS7_3) /* MAS7 is a register */
				pv_page_set(f, st->page, fld->off, 4, 0);
	}
	/* r2 never equals r1; critical != r1 at entry */
	if ((st->gpr[2] & mask) == (st->gpr[1] & mask))
		st->gpr[2] ^= 0x100;
	uint64_t crit = pv_page_get(f, st->page, PG_CRITICAL, 8);
	if ((crit & 0xffffffffu) == (st->gpr[1] & 0xffffffffu))
		pv_page_set(f, st->page, PG_CRITICAL, 8, crit ^ 0x10);
}

void pv_state_from_seed(enum pv_flavor f, uint64_t seed, struct pv_state *st)
{
	uint8_t b[PV_STATE_BYTES];
	uint64_t s = seed;
	for (size_t i = 0; i < sizeof b; i += 8) {
		uint64_t v = splitmix(&s);
		memcpy(b + i, &v, sizeof b - i < 8 ? sizeof b - i : 8);
	}
	pv_state_from_bytes(f, b, sizeof b, st);
}

static void fill_data(const struct pv_state *st, uint8_t data[PV_EMU_DATA_SIZE])
{
	uint64_t s = st->data_seed;
	for (size_t i = 0; i < PV_EMU_DATA_SIZE; i += 8) {
		uint64_t v = splitmix(&s);
		memcpy(data + i, &v, 8);
	}
}

/* The last state's data, made once for both sides of a run (and again for
 * the interrupt rerun) instead of once per machine: filling 8 KiB was a
 * fifth of the time of pvfuzz diff (docs/performance.md). Per thread, for
 * the sweeps' threads. */
const uint8_t *pv_state_data(const struct pv_state *st)
{
	static _Thread_local struct {
		bool ready;
		uint64_t seed;
		uint8_t data[PV_EMU_DATA_SIZE];
	} last;
	if (!last.ready || last.seed != st->data_seed) {
		fill_data(st, last.data);
		last.seed = st->data_seed;
		last.ready = true;
	}
	return last.data;
}

void pv_state_corner(enum pv_flavor f, uint64_t seed, unsigned i, struct pv_state *st)
{
	bool is64 = pv_flavor_info(f)->is64;
	unsigned c = i % PV_CORNERS;
	unsigned ee_pending = c % 3; /* 0: neither, 1: EE set, 2: pending with EE clear */
	bool translation = (c / 3) % 2, gprs_msr = (c / 6) % 2, upper = (c / 12) % 2, r1_critical = (c / 24) % 2;

	pv_state_from_seed(f, seed, st);
	uint64_t msr = pv_page_get(f, st->page, PG_MSR, 8) & ~(ISA_MSR_EE | ISA_MSR_IR | ISA_MSR_DR);
	if (ee_pending == 1)
		msr |= ISA_MSR_EE;
	if (translation)
		msr |= ISA_MSR_IR | ISA_MSR_DR;
	if (upper && is64)
		msr |= 0x1000000000000000ull | 0x0000000100000000ull; /* HV and a reserved upper bit */
	pv_page_set(f, st->page, PG_MSR, 8, msr);
	pv_page_set(f, st->page, PG_INT_PENDING, 4, ee_pending == 2 ? 1 : 0);
	if (gprs_msr) /* the shape of irq save/restore code: registers hold the MSR, EE flipped in half */
		for (unsigned r = 3; r < 32; r++)
			st->gpr[r] = r % 2 ? msr : msr ^ ISA_MSR_EE;
	if (r1_critical) /* not at entry of real code: the oracle must stay sane */
		pv_page_set(f, st->page, PG_CRITICAL, 8, st->gpr[1]);
}

void pv_state_msr_flip(enum pv_flavor f, uint64_t seed, unsigned i, unsigned bit, struct pv_state *st)
{
	pv_state_corner(f, seed, i % (PV_CORNERS / 2), st); /* r1 not the critical marker */
	uint64_t mask = pv_flavor_info(f)->is64 ? ~0ull : 0xffffffffull;
	uint64_t v = (pv_page_get(f, st->page, PG_MSR, 8) ^ (1ull << (bit % 64))) & mask;
	st->gpr[0] = v;
	for (unsigned r = 3; r < 32; r++) /* r1 stays the stack pointer, r2 apart from it */
		st->gpr[r] = v;
}
