/* The template area: a bounded bump allocator for template instances. */
#include "mutant.h"
#include "pv.h"

void pv_area_init(struct pv_area *a, uint64_t addr, uint8_t *mem, size_t size)
{
	a->addr = addr;
	a->mem = mem;
	a->size = size & ~(size_t)3;
	a->used = 0;
}

bool pv_area_alloc(struct pv_area *a, unsigned nwords, uint64_t *at)
{
	size_t bytes = (size_t)nwords * 4;
	if (bytes > a->size - a->used + PV_MUTANT(area_off_by_one, 4, 0))
		return false;
	*at = a->addr + a->used;
	a->used += bytes;
	return true;
}

/* A site is patched only if every branch between it and any word of the
 * area, both ways, reaches. Checking the whole area rather than the next
 * free slot makes the answer independent of how much of the area is used,
 * so a site skipped as out of range stays skipped when the image is patched
 * again, and patching stays idempotent. It costs at most the area's size
 * (64 KiB out of 32 MiB of reach). */
bool pv_area_reachable(const struct pv_area *a, bool is64, uint64_t site)
{
	uint32_t b;
	if (a->size < 4)
		return false;
	uint64_t first = a->addr, last = a->addr + a->size - 4;
	if (PV_MUTANT_ON(area_reach_first_only))
		last = first;
	return pv_branch_encode(is64, site, first, &b) && pv_branch_encode(is64, site, last, &b) &&
	       pv_branch_encode(is64, first, site + 4, &b) && pv_branch_encode(is64, last, site + 4, &b);
}
