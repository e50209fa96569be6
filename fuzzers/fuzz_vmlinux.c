/* fuzz_vmlinux: the kernel ELF reader behind --vmlinux on any bytes: one
 * line of error, or a kernel that keeps the reader's promises and patches
 * inside its own text. Checks: check_vmlinux.c.
 * Input layout: see check/pvf.h (the two header bytes) and the check. */
#include "pvf.h"

PVF_FUZZ_TARGET(PVF_VMLINUX)
