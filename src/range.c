/* Address ranges in a flavor's address space (pv.h, "address ranges").
 *
 * Every range computation of the engine and the tool goes through here, so
 * that none wraps: `addr + len` overflows 64 bits for a range that ends at
 * or runs past 2^64, and silently means something else. A flavor's space is
 * 2^32 bytes on 32-bit flavors and 2^64 on 64-bit ones; a range may end
 * exactly at the top of it, on both alike, and never wraps through 0.
 */
#include "pv.h"

bool pv_range_fits(bool is64, uint64_t addr, uint64_t len)
{
	if (!is64)
		return addr <= UINT32_MAX && len <= (uint64_t)UINT32_MAX + 1 - addr;
	/* 2^64 - addr, computed without wrapping: addr 0 leaves every len */
	return addr == 0 || len <= UINT64_MAX - addr + 1;
}

/* [b, b + blen) lies inside [a, a + alen): both fit, as the callers check. */
bool pv_range_within(uint64_t a, uint64_t alen, uint64_t b, uint64_t blen)
{
	return b >= a && b - a <= alen && blen <= alen - (b - a);
}

bool pv_ranges_overlap(uint64_t a, uint64_t alen, uint64_t b, uint64_t blen)
{
	if (!alen || !blen)
		return false;
	/* the one that starts first reaches the other's start */
	return a <= b ? b - a < alen : a - b < blen;
}
