/* The hypervisor model (hv.h, spec section 6). */
#include "hv.h"

static uint64_t width_mask(enum pv_flavor f) { return pv_flavor_info(f)->is64 ? ~0ull : 0xffffffffull; }

static uint64_t page_msr(enum pv_flavor f, const uint8_t *page) { return pv_page_get(f, page, PG_MSR, 8); }

bool pv_hv_emulate(enum pv_flavor f, const struct isa_insn *in, struct hv_regs *r, uint8_t *page,
		   struct pv_event *ev)
{
	uint64_t mask = width_mask(f), rs = r->rs & mask;
	uint64_t msr = page_msr(f, page), nmsr = msr;
	unsigned sr = PG_SR + 4 * (((uint32_t)r->rb) >> 28); /* sr[rB >> 28], the low word's top bits */
	bool act = false;

	r->writes_rt = false;
	switch ((enum isa_op)in->op) {
	case ISA_MFMSR:
		r->rt = msr & mask;
		r->writes_rt = true;
		break;
	case ISA_MFSPR:
		r->rt = isa_reg_get(f, page, in->reg);
		r->writes_rt = true;
		break;
	case ISA_MTSPR:
		isa_reg_set(f, page, in->reg, rs);
		break;
	case ISA_MTMSR: /* KVM PR: the page MSR becomes rS; a change beyond EE and RI needs the host */
		nmsr = rs;
		act = ((msr ^ nmsr) & ~(ISA_MSR_EE | ISA_MSR_RI) & mask) != 0;
		break;
	case ISA_MTMSR_L1: /* only EE and RI change */
		nmsr = (msr & ~(ISA_MSR_EE | ISA_MSR_RI)) | (rs & (ISA_MSR_EE | ISA_MSR_RI));
		break;
	case ISA_WRTEE:
		nmsr = (msr & ~ISA_MSR_EE) | (rs & ISA_MSR_EE);
		break;
	case ISA_WRTEEI:
		nmsr = in->e ? msr | ISA_MSR_EE : msr & ~ISA_MSR_EE;
		break;
	case ISA_MTSRIN: /* with translation on, the shadow MMU must follow */
		act = (msr & (ISA_MSR_IR | ISA_MSR_DR)) != 0;
		pv_page_set(f, page, sr, 4, (uint32_t)rs);
		break;
	case ISA_MFSRIN: /* KVM PR answers from the guest's segment registers, the page's sr[] */
		r->rt = pv_page_get(f, page, sr, 4);
		r->writes_rt = true;
		break;
	case ISA_TLBSYNC: /* nothing visible: the hypervisor flushes on its own */
	case ISA_NONE:
	case ISA_NOPS:
		break;
	}
	if (nmsr != msr)
		pv_page_set(f, page, PG_MSR, 8, nmsr);
	if (act)
		*ev = (struct pv_event){.kind = PV_EV_MUST_ACT, .cls = in->op, .detail = in->mtmsrd};
	return act;
}

/* critical == r1, compared on the guest's register width */
static bool in_critical(enum pv_flavor f, const uint8_t *page, uint64_t r1)
{
	uint64_t mask = width_mask(f);
	return (pv_page_get(f, page, PG_CRITICAL, 8) & mask) == (r1 & mask);
}

enum hv_delivery pv_hv_delivery(enum pv_flavor f, const uint8_t *page, uint64_t r1, uint64_t r2, uint64_t c0)
{
	uint64_t mask = width_mask(f);
	uint64_t msr = page_msr(f, page);
	if (!pv_page_get(f, page, PG_INT_PENDING, 4) || !(msr & ISA_MSR_EE) || (msr & ISA_MSR_PR))
		return HV_NONE;
	/* the real guest never makes r1 equal r2 or the entry critical marker:
	 * a run where the code did is not comparable, and ends */
	if ((r1 & mask) == (r2 & mask) || (r1 & mask) == (c0 & mask))
		return HV_PRECOND;
	if (in_critical(f, page, r1))
		return HV_NONE; /* inside a template's critical section */
	return HV_DELIVER;
}

bool pv_hv_async_deliverable(enum pv_flavor f, const uint8_t *page, uint64_t r1)
{
	uint64_t msr = page_msr(f, page);
	return (msr & ISA_MSR_EE) && !(msr & ISA_MSR_PR) && !in_critical(f, page, r1);
}

static uint64_t mix(uint64_t z)
{
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

void pv_hv_handler_effect(enum pv_flavor f, uint8_t *page, uint64_t r2, uint64_t salt, unsigned k)
{
	for (unsigned i = 0; i < 3; i++) {
		unsigned off = PG_SCRATCH1 + 8 * i;
		uint64_t old = pv_page_get(f, page, off, 8);
		uint64_t junk = mix(salt + 0x9e3779b97f4a7c15ull * (3ull * k + i + 1));
		/* never the value that was there, in either 32-bit half: a
		 * template that still needed it must see it change */
		if ((uint32_t)junk == (uint32_t)old)
			junk ^= 0x00000001u;
		if ((junk >> 32) == (old >> 32))
			junk ^= 0x100000000ull;
		pv_page_set(f, page, off, 8, junk);
	}
	pv_page_set(f, page, PG_CRITICAL, 8, r2 & width_mask(f));
}

bool pv_hv_unmodelled(uint32_t w)
{
	unsigned op = w >> 26, xo = (w >> 1) & 0x3ff;
	if (op == 19) /* rfi 50, rfid 18, hrfid 274, rfci 51, rfmci 38, rfdi 39 */
		return xo == 50 || xo == 18 || xo == 274 || xo == 51 || xo == 38 || xo == 39;
	if (op != 31)
		return false;
	unsigned spr = ((w >> 16) & 31) | ((w >> 11) & 31) << 5;
	switch (xo) {
	case 339: case 467: /* mfspr mtspr */
		return (spr & 0x10) != 0; /* SPR numbers with bit 4 set are privileged */
	case 83: case 146: case 178: case 131: case 163: /* mfmsr mtmsr mtmsrd wrtee wrteei */
	case 210: case 242: case 595: case 659:          /* mtsr mtsrin mfsr mfsrin */
	case 306: case 274: case 370: case 566: case 434: case 498: case 402: case 915: case 851:
		/* tlbie tlbiel tlbia tlbsync slbie slbia slbmte slbmfee slbmfev */
	case 946: case 978: case 914: case 786: case 818: /* tlbre tlbwe tlbsx tlbivax (BookE) */
	case 470: case 323: case 451: /* dcbi mfdcr mtdcr */
		return true;
	default:
		return false;
	}
}
