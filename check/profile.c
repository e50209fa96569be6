/* One parser of a profile's name and one registry of opened kernels
 * (profile.h). */
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "profile.h"

int pvf_profile_parse(const char *spec, enum pv_profile *table, const char **kernel_dir, char *err, size_t n)
{
	*kernel_dir = NULL;
	if (!strncmp(spec, "kernel:", 7)) {
		if (!spec[7]) {
			snprintf(err, n, "profile 'kernel:': kernel:DIR needs the directory scripts/kernel-mode/build.sh printed");
			return -1;
		}
		*table = PV_PROFILE_LINUX;
		*kernel_dir = spec + 7;
		return 0;
	}
	if (pv_profile_parse(spec, table) != 0) {
		snprintf(err, n, "unknown profile '%s' (fixed, linux, kernel:DIR)", spec);
		return -1;
	}
	return 0;
}

#define MAX_KERNEL_DIRS 8

static struct {
	char dir[PATH_MAX];
	struct pv_kernel *k[PV_NFLAVORS];
} opened[MAX_KERNEL_DIRS];
static unsigned nopened;

struct pv_kernel *pvf_kernel(const char *dir, enum pv_flavor f, char *err, size_t n)
{
	unsigned i = 0;
	while (i < nopened && strcmp(opened[i].dir, dir))
		i++;
	if (i == nopened) {
		if (nopened == MAX_KERNEL_DIRS) {
			snprintf(err, n, "more than %u kernel builds in one process", MAX_KERNEL_DIRS);
			return NULL;
		}
		snprintf(opened[nopened++].dir, sizeof opened[0].dir, "%s", dir);
	}
	if (!opened[i].k[f])
		opened[i].k[f] = pv_kernel_open(dir, f, err, n);
	return opened[i].k[f];
}

int pvf_profile_ctx(struct pv_ctx *ctx, enum pv_flavor f, unsigned features, enum pv_profile table,
		    const char *kernel_dir, char *err, size_t n)
{
	if (pv_ctx_init(ctx, f, features, table) != 0) {
		snprintf(err, n, "internal error: the rewrite table does not fit the matcher");
		return -1;
	}
	if (!kernel_dir)
		return 0;
	struct pv_kernel *k = pvf_kernel(kernel_dir, f, err, n);
	if (!k)
		return -1;
	pv_kernel_attach(k, ctx);
	return 0;
}
