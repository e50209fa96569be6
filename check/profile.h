/* A profile as a user names it (--profile, PVFUZZ_PROFILE): "fixed",
 * "linux" or "kernel:DIR", read by one parser, and the kernel builds of
 * kernel:DIR opened once per process into one registry, whichever of the
 * tool and the fuzz targets asks. */
#ifndef PVF_PROFILE_H
#define PVF_PROFILE_H

#include <stdbool.h>
#include <stddef.h>

#include "emu.h"
#include "pv.h"

/* "fixed", "linux" or "kernel:DIR" into the table's profile (linux for a
 * kernel: its table classifies the kernel's rewrites) and *kernel_dir
 * (pointing into spec; NULL unless kernel:DIR). Nothing is opened. -1 with
 * one line in err for anything else. */
int pvf_profile_parse(const char *spec, enum pv_profile *table, const char **kernel_dir, char *err, size_t n);

/* The kernel build of flavor f in dir, opened on first use and kept for
 * the process (one registry for every caller); NULL with the reason in err. */
struct pv_kernel *pvf_kernel(const char *dir, enum pv_flavor f, char *err, size_t n);

/* pv_ctx_init(), then, with a kernel_dir, that build's code attached;
 * -1 with the reason in err. */
int pvf_profile_ctx(struct pv_ctx *ctx, enum pv_flavor f, unsigned features, enum pv_profile table,
		    const char *kernel_dir, char *err, size_t n);

#endif
