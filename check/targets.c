/* The registry of fuzz targets (targets.def) and the platform table: the
 * two lists byte 0 and byte 1 of every fuzz input index. */
#include <stdlib.h>
#include <string.h>

#include "pvf.h"

const struct pvf_target_info pvf_targets[] = {
#define PVF_TARGET(id, key, name, check, focus, engine, what) {PVF_##key, #name, what, check, focus, engine},
#include "targets.def"
#undef PVF_TARGET
};
const unsigned pvf_ntargets = sizeof pvf_targets / sizeof pvf_targets[0];

const struct pvf_target_info *pvf_target(enum pvf_target t)
{
	for (unsigned i = 0; i < pvf_ntargets; i++)
		if (pvf_targets[i].id == t)
			return &pvf_targets[i];
	return NULL;
}

const char *pvf_target_name(enum pvf_target t)
{
	const struct pvf_target_info *ti = pvf_target(t);
	return ti ? ti->name : "invalid";
}

int pvf_target_parse(const char *name, enum pvf_target *out)
{
	for (unsigned i = 0; i < pvf_ntargets; i++)
		if (!strcmp(name, pvf_targets[i].name) || !strcmp(name, pvf_targets[i].name + 5)) {
			*out = pvf_targets[i].id;
			return 0;
		}
	return -1;
}

/* Byte 1 of an input, modulo the table's length: every byte value names a
 * row, so no input is wasted. Rows are never reordered (a crash file keeps
 * its platform); new ones go at the end. */
static const struct pvf_platform platforms[] = {
	/*  0 */ {"book3s32/none/fixed", PV_BOOK3S32, 0, PV_PROFILE_FIXED},
	/*  1 */ {"booke32/none/fixed", PV_BOOKE32, 0, PV_PROFILE_FIXED},
	/*  2 */ {"book3s64/none/fixed", PV_BOOK3S64, 0, PV_PROFILE_FIXED},
	/*  3 */ {"booke64/none/fixed", PV_BOOKE64, 0, PV_PROFILE_FIXED},
	/*  4 */ {"book3s64le/none/fixed", PV_BOOK3S64LE, 0, PV_PROFILE_FIXED},
	/*  5 */ {"book3s32/sr/fixed", PV_BOOK3S32, PV_FEAT_SR, PV_PROFILE_FIXED},
	/*  6 */ {"booke32/sr/fixed", PV_BOOKE32, PV_FEAT_SR, PV_PROFILE_FIXED},
	/*  7 */ {"book3s64/sr/fixed", PV_BOOK3S64, PV_FEAT_SR, PV_PROFILE_FIXED},
	/*  8 */ {"booke64/sr/fixed", PV_BOOKE64, PV_FEAT_SR, PV_PROFILE_FIXED},
	/*  9 */ {"book3s64le/sr/fixed", PV_BOOK3S64LE, PV_FEAT_SR, PV_PROFILE_FIXED},
	/* 10 */ {"book3s32/mas/fixed", PV_BOOK3S32, PV_FEAT_MAS0_TO_SPRG7, PV_PROFILE_FIXED},
	/* 11 */ {"booke32/mas/fixed", PV_BOOKE32, PV_FEAT_MAS0_TO_SPRG7, PV_PROFILE_FIXED},
	/* 12 */ {"book3s64/mas/fixed", PV_BOOK3S64, PV_FEAT_MAS0_TO_SPRG7, PV_PROFILE_FIXED},
	/* 13 */ {"booke64/mas/fixed", PV_BOOKE64, PV_FEAT_MAS0_TO_SPRG7, PV_PROFILE_FIXED},
	/* 14 */ {"book3s64le/mas/fixed", PV_BOOK3S64LE, PV_FEAT_MAS0_TO_SPRG7, PV_PROFILE_FIXED},
	/* 15 */ {"book3s32/sr+mas/fixed", PV_BOOK3S32, PV_FEAT_ALL, PV_PROFILE_FIXED},
	/* 16 */ {"booke32/sr+mas/fixed", PV_BOOKE32, PV_FEAT_ALL, PV_PROFILE_FIXED},
	/* 17 */ {"book3s64/sr+mas/fixed", PV_BOOK3S64, PV_FEAT_ALL, PV_PROFILE_FIXED},
	/* 18 */ {"booke64/sr+mas/fixed", PV_BOOKE64, PV_FEAT_ALL, PV_PROFILE_FIXED},
	/* 19 */ {"book3s64le/sr+mas/fixed", PV_BOOK3S64LE, PV_FEAT_ALL, PV_PROFILE_FIXED},
	/* 20 */ {"book3s32/none/linux", PV_BOOK3S32, 0, PV_PROFILE_LINUX},
	/* 21 */ {"booke32/none/linux", PV_BOOKE32, 0, PV_PROFILE_LINUX},
	/* 22 */ {"book3s64/none/linux", PV_BOOK3S64, 0, PV_PROFILE_LINUX},
	/* 23 */ {"booke64/none/linux", PV_BOOKE64, 0, PV_PROFILE_LINUX},
	/* 24 */ {"book3s64le/none/linux", PV_BOOK3S64LE, 0, PV_PROFILE_LINUX},
	/* 25 */ {"book3s32/sr/linux", PV_BOOK3S32, PV_FEAT_SR, PV_PROFILE_LINUX},
	/* 26 */ {"booke32/sr/linux", PV_BOOKE32, PV_FEAT_SR, PV_PROFILE_LINUX},
	/* 27 */ {"book3s64/sr/linux", PV_BOOK3S64, PV_FEAT_SR, PV_PROFILE_LINUX},
	/* 28 */ {"booke64/sr/linux", PV_BOOKE64, PV_FEAT_SR, PV_PROFILE_LINUX},
	/* 29 */ {"book3s64le/sr/linux", PV_BOOK3S64LE, PV_FEAT_SR, PV_PROFILE_LINUX},
	/* 30 */ {"book3s32/mas/linux", PV_BOOK3S32, PV_FEAT_MAS0_TO_SPRG7, PV_PROFILE_LINUX},
	/* 31 */ {"booke32/mas/linux", PV_BOOKE32, PV_FEAT_MAS0_TO_SPRG7, PV_PROFILE_LINUX},
	/* 32 */ {"book3s64/mas/linux", PV_BOOK3S64, PV_FEAT_MAS0_TO_SPRG7, PV_PROFILE_LINUX},
	/* 33 */ {"booke64/mas/linux", PV_BOOKE64, PV_FEAT_MAS0_TO_SPRG7, PV_PROFILE_LINUX},
	/* 34 */ {"book3s64le/mas/linux", PV_BOOK3S64LE, PV_FEAT_MAS0_TO_SPRG7, PV_PROFILE_LINUX},
	/* 35 */ {"book3s32/sr+mas/linux", PV_BOOK3S32, PV_FEAT_ALL, PV_PROFILE_LINUX},
	/* 36 */ {"booke32/sr+mas/linux", PV_BOOKE32, PV_FEAT_ALL, PV_PROFILE_LINUX},
	/* 37 */ {"book3s64/sr+mas/linux", PV_BOOK3S64, PV_FEAT_ALL, PV_PROFILE_LINUX},
	/* 38 */ {"booke64/sr+mas/linux", PV_BOOKE64, PV_FEAT_ALL, PV_PROFILE_LINUX},
	/* 39 */ {"book3s64le/sr+mas/linux", PV_BOOK3S64LE, PV_FEAT_ALL, PV_PROFILE_LINUX},
};
const unsigned pvf_nplatforms = sizeof platforms / sizeof platforms[0];

const struct pvf_platform *pvf_platform(unsigned index) { return &platforms[index % pvf_nplatforms]; }

unsigned pvf_platform_index(enum pv_flavor f, unsigned features, enum pv_profile p)
{
	for (unsigned i = 0; i < pvf_nplatforms; i++)
		if (platforms[i].flavor == f && platforms[i].features == features && platforms[i].profile == p)
			return i;
	abort(); /* every flavor, feature set and profile has a row (tests/test_sweep.c checks) */
}
