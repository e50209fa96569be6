/* Inside the emulator: one way to open a unicorn engine as a flavor's CPU,
 * shared by the oracle's machines (machine.c) and the kernel profile
 * (kernel.c), so both run guest code on the same CPU model and MSR. */
#ifndef PV_EMU_UC_H
#define PV_EMU_UC_H

#include <unicorn/unicorn.h>

#include "pv.h"

/* Opens *uc for flavor f: mode, CPU model, translation buffer, MSR (real
 * mode; SF on 64-bit flavors, LE on book3s64le). On failure returns the
 * error with the step that failed in *step; *uc may then need uc_close. */
uc_err pv_uc_open(enum pv_flavor f, uc_engine **uc, const char **step);

/* n bytes (rounded up to pages), page-aligned and zeroed, for
 * uc_mem_map_ptr(); NULL when out of memory. free() releases it. */
void *pv_emu_page_alloc(size_t n);

#endif
