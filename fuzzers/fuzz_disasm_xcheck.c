/* fuzz_disasm_xcheck: The matcher agrees with capstone and the spec's table on every
 * flavor: a word is matched exactly when capstone reads it as a rewritten
 * instruction in its canonical encoding. Exclusions: check_xcheck.c.
 * Input layout: see check/pvf.h (the two header bytes) and the check. */
#include "pvf.h"

PVF_FUZZ_TARGET(PVF_DISASM_XCHECK)
