#include "hv.h"
#include "ppc_insn.h"

static uint64_t width_mask(enum pv_flavor f) { return pv_flavor_info(f)->is64 ? ~0ull : 0xffffffffull; }

bool pv_hv_emulate(const struct pv_ctx *ctx, const struct pv_row *row, uint32_t word, struct hv_regs *r,
		   uint8_t *page, struct pv_event *ev)
{
	enum pv_flavor f = ctx->flavor;
	uint64_t mask = width_mask(f);
	uint64_t msr = pv_page_get(f, page, 88, 8);
	const struct pv_field_info *fi = row->kind == PV_K_LOAD || row->kind == PV_K_STORE ?
		pv_field_info(row->target) : NULL;

	r->writes_rt = false;
	switch (row->kind) {
	case PV_K_LOAD: /* mfmsr, mfspr: the page copy, the low word on 32-bit guests */
		r->rt = pv_page_get(f, page, fi->offset, fi->size) & mask;
		r->writes_rt = true;
		return false;
	case PV_K_STORE: /* mtspr: zero-extended on a 32-bit guest */
		pv_page_set(f, page, fi->offset, fi->size, r->rs & mask);
		return false;
	case PV_K_NOP: /* tlbsync: nothing visible */
		return false;
	}

	bool act = false;
	switch (row->cls) {
	case PV_C_MTMSR:
	case PV_C_MTMSRD_L0: { /* KVM PR: the page MSR becomes rS */
		uint64_t nmsr = r->rs & mask;
		act = ((msr ^ nmsr) & ~(uint64_t)(MSR_EE | MSR_RI) & mask) != 0;
		msr = nmsr;
		break;
	}
	case PV_C_MTMSRD_L1: /* only EE and RI change */
		msr = (msr & ~(uint64_t)(MSR_EE | MSR_RI)) | (r->rs & (MSR_EE | MSR_RI));
		break;
	case PV_C_WRTEE:
		msr = (msr & ~(uint64_t)MSR_EE) | (r->rs & MSR_EE);
		break;
	case PV_C_WRTEEI_1:
		msr |= MSR_EE;
		break;
	case PV_C_WRTEEI_0:
		msr &= ~(uint64_t)MSR_EE;
		break;
	case PV_C_MTSRIN: /* with translation on, the shadow MMU must follow */
		act = (msr & (MSR_IR | MSR_DR)) != 0;
		pv_page_set(f, page, 104 + 4 * (((uint32_t)r->rb) >> 28), 4, (uint32_t)r->rs);
		break;
	case PV_C_MFSRIN: /* KVM PR answers from the guest's segment registers, the page's sr[] */
		r->rt = pv_page_get(f, page, 104 + 4 * (((uint32_t)r->rb) >> 28), 4);
		r->writes_rt = true;
		break;
	}
	pv_page_set(f, page, 88, 8, msr);
	if (act)
		*ev = (struct pv_event){.kind = PV_EV_MUST_ACT, .cls = row->cls};
	return act;
}

enum hv_delivery pv_hv_delivery(enum pv_flavor f, const uint8_t *page, uint64_t r1, uint64_t r2, uint64_t c0)
{
	uint64_t mask = width_mask(f);
	uint64_t msr = pv_page_get(f, page, 88, 8);
	if (!pv_page_get(f, page, 100, 4) || !(msr & MSR_EE) || (msr & MSR_PR))
		return HV_NONE;
	/* the real guest never makes r1 equal r2 or the entry critical marker:
	 * a run where the code did is not comparable, and ends */
	if ((r1 & mask) == (r2 & mask) || (r1 & mask) == (c0 & mask))
		return HV_PRECOND;
	if ((pv_page_get(f, page, 24, 8) & mask) == (r1 & mask))
		return HV_NONE; /* inside a template's critical section */
	return HV_DELIVER;
}

bool pv_hv_unmodelled(uint32_t w)
{
	unsigned op = ppc_opcode(w), xo = ppc_xo(w);
	if (op == 19) /* rfi 50, rfid 18, hrfid 274, rfci 51, rfmci 38, rfdi 39 */
		return xo == 50 || xo == 18 || xo == 274 || xo == 51 || xo == 38 || xo == 39;
	if (op != 31)
		return false;
	switch (xo) {
	case PPC_XO_MFSPR:
	case PPC_XO_MTSPR:
		return (ppc_spr_of(w) & 0x10) != 0; /* SPR numbers with bit 4 set are privileged */
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
