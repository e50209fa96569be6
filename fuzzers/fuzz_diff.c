/* fuzz_diff: The differential oracle: original and patched code end in the same
 * state with the same hypervisor events from any start state. Any divergence
 * prints the report and aborts. Checks: check_diff.c.
 * Input layout: see check/pvf.h (the two header bytes) and the check. */
#include "pvf.h"

PVF_FUZZ_TARGET(PVF_DIFF)
