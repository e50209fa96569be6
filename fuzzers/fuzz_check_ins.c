/* fuzz_check_ins: Matcher and rewrite invariants for any 32-bit word, on every flavor:
 * deterministic; unmatched words left alone; rewrites decode with capstone to
 * the spec's class, register and page field; template slots all filled;
 * feature gating holds. Checks: check_ins.c.
 * Input layout: see check/pvf.h (the two header bytes) and the check. */
#include "pvf.h"

PVF_FUZZ_TARGET(PVF_CHECK_INS)
