/* fuzz_image: The patch loop on a random image and layout: only matched sites
 * change, branches reach filled instances that return, the area never
 * overflows, flush ranges cover every change, patching is idempotent.
 * Checks: check_image.c.
 * Input layout: see check/pvf.h (the two header bytes) and the check. */
#include "pvf.h"

PVF_FUZZ_TARGET(PVF_IMAGE)
