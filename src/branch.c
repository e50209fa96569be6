/* The branch helper: relative `b` between a site and a template instance. */
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
#if defined(PVFUZZ_MUTANT_branch_max_plus_one)
	if ((d & 3) || d > PPC_B_MAX + 4 || d < PPC_B_MIN)
#elif defined(PVFUZZ_MUTANT_branch_min_minus_one)
	if ((d & 3) || d > PPC_B_MAX || d < PPC_B_MIN - 4)
#else
	if ((d & 3) || d > PPC_B_MAX || d < PPC_B_MIN)
#endif
		return false;
#ifdef PVFUZZ_MUTANT_branch_mask_sign
	*out = PPC_B_OPCODE | ((uint32_t)d & 0x01fffffcu);
#else
	*out = PPC_B_OPCODE | ((uint32_t)d & PPC_B_MASK);
#endif
	return true;
}
