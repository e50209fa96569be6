/* The floor for scripts/bench.sh: a libFuzzer target that does nothing, built
 * with the same clang and optimisation as the real ones. Its exec/s is what
 * libFuzzer itself costs per input (mutation, coverage bookkeeping); each
 * target's ratio to it says how much of its time is the check itself. */
#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	(void)data, (void)size;
	return 0;
}
