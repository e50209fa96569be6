/* The magic page layout (spec section 3) and how each flavor reaches a field. */
#include "mutant.h"
#include "pv.h"
#include "ppc_insn.h"

static const struct pv_field_info fields[PV_NFIELDS] = {
	/*                     name           offset size */
	[PV_F_SCRATCH1]    = {"scratch1",     0,     8},
	[PV_F_SCRATCH2]    = {"scratch2",     8,     8},
	[PV_F_SCRATCH3]    = {"scratch3",     16,    8},
	[PV_F_CRITICAL]    = {"critical",     24,    8},
	[PV_F_SPRG0]       = {"sprg0",        32,    8},
	[PV_F_SPRG1]       = {"sprg1",        PV_MUTANT(sprg1_offset, 32, 40), 8},
	[PV_F_SPRG2]       = {"sprg2",        48,    8},
	[PV_F_SPRG3]       = {"sprg3",        56,    8},
	[PV_F_SRR0]        = {"srr0",         64,    8},
	[PV_F_SRR1]        = {"srr1",         72,    8},
	[PV_F_DAR]         = {"dar",          80,    8}, /* DEAR on BookE */
	[PV_F_MSR]         = {"msr",          88,    8},
	[PV_F_DSISR]       = {"dsisr",        96,    4},
	[PV_F_INT_PENDING] = {"int_pending",  100,   4},
	[PV_F_SR]          = {"sr",           104,   64},
	[PV_F_MAS0]        = {"mas0",         168,   4},
	[PV_F_MAS1]        = {"mas1",         172,   4},
	[PV_F_MAS7_3]      = {"mas7_3",       176,   8},
	[PV_F_MAS2]        = {"mas2",         184,   8},
	[PV_F_MAS4]        = {"mas4",         192,   4},
	[PV_F_MAS6]        = {"mas6",         196,   4},
	[PV_F_ESR]         = {"esr",          200,   4},
	[PV_F_PIR]         = {"pir",          204,   4},
	[PV_F_SPRG4]       = {"sprg4",        208,   8},
	[PV_F_SPRG5]       = {"sprg5",        216,   8},
	[PV_F_SPRG6]       = {"sprg6",        224,   8},
	[PV_F_SPRG7]       = {"sprg7",        232,   8},
	/* halves of mas7_3 on a big-endian guest: MAS7 high word, MAS3 low */
	[PV_F_MAS3]        = {"mas3",         PV_MUTANT(mas3_mas7_swapped, 176, 180), 4},
	[PV_F_MAS7]        = {"mas7",         PV_MUTANT(mas3_mas7_swapped, 180, 176), 4},
};

const struct pv_field_info *pv_field_info(enum pv_field f)
{
	return (unsigned)f < PV_NFIELDS ? &fields[f] : 0;
}

int pv_field_disp(enum pv_flavor flavor, enum pv_field f, unsigned *width)
{
	const struct pv_field_info *fi = &fields[f];
	int off = fi->offset;

	if ((fi->size == 8 || PV_MUTANT_ON(ld_for_32bit_field)) && pv_flavor_info(flavor)->is64) {
		*width = 8;
	} else {
		/* 32-bit field, or the low word of a 64-bit one on a 32-bit
		 * (always big-endian) guest */
		*width = 4;
		if (fi->size == 8 && !PV_MUTANT_ON(load_no_plus4))
			off += 4;
	}
	return PV_MAGIC_PAGE_EA + off;
}

uint32_t pv_field_access(enum pv_flavor flavor, enum pv_field f, unsigned r, bool store)
{
	unsigned width;
	int disp = pv_field_disp(flavor, f, &width);
	unsigned op = width == 8 ? (store ? PPC_OP_STD : PPC_OP_LD) : (store ? PPC_OP_STW : PPC_OP_LWZ);

	/* ld/std are DS-form: every 8-byte field is 8-aligned, so disp & 3 == 0 */
	return ppc_dform(op, r, 0, disp);
}
