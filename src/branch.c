/* The branch helper: relative `b` between a site and a template instance. */
#include "mutant.h"
#include "pv.h"
#include "ppc_insn.h"

int64_t pv_branch_distance(bool is64, uint64_t from, uint64_t to)
{
	uint64_t d = to - from;
	/* a 32-bit guest computes the next address modulo 2^32 */
	return is64 ? (int64_t)d : (int64_t)(int32_t)(uint32_t)d;
}

bool pv_branch_encode(bool is64, uint64_t from, uint64_t to, uint32_t *out)
{
	int64_t d = pv_branch_distance(is64, from, to);
	if ((d & 3) || d > PPC_B_MAX + PV_MUTANT(branch_max_plus_one, 4, 0) ||
	    d < PPC_B_MIN - PV_MUTANT(branch_min_minus_one, 4, 0))
		return false;
	*out = PPC_B_OPCODE | ((uint32_t)d & PV_MUTANT(branch_mask_sign, 0x01fffffcu, PPC_B_MASK));
	return true;
}

uint32_t pv_branch_masked(uint64_t from, uint64_t to)
{
	return PPC_B_OPCODE | ((uint32_t)(to - from) & PPC_B_MASK);
}

bool pv_branch_target(bool is64, uint64_t from, uint32_t word, uint64_t *to)
{
	int64_t d;
	if (word >> 26 == 18 && !(word & 2))
		d = (int32_t)((word & 0x03fffffcu) << 6) >> 6; /* LI: 24 bits and two zeros, sign-extended */
	else if (word >> 26 == 16 && !(word & 2))
		d = (int16_t)(word & 0xfffcu); /* BD: 14 bits and two zeros */
	else
		return false;
	*to = from + (uint64_t)d;
	if (!is64)
		*to &= 0xffffffffu;
	return true;
}

bool pv_branch_decode(bool is64, uint64_t from, uint32_t word, uint64_t *to)
{
	if ((word & ~PPC_B_MASK) != PPC_B_OPCODE)
		return false;
	int32_t d = (int32_t)((word & PPC_B_MASK) << 6) >> 6; /* sign-extend 26 bits */
	*to = from + (uint64_t)(int64_t)d;
	if (!is64)
		*to &= 0xffffffffu;
	return true;
}
