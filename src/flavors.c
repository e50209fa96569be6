/* The flavor table and the names of features and profiles. */
#include <string.h>

#include "pv.h"

static const struct pv_flavor_info flavors[PV_NFLAVORS] = {
	/*                 name          is64   booke  little_endian */
	[PV_BOOK3S32]   = {"book3s32",   false, false, false},
	[PV_BOOKE32]    = {"booke32",    false, true,  false},
	[PV_BOOK3S64]   = {"book3s64",   true,  false, false},
	[PV_BOOKE64]    = {"booke64",    true,  true,  false},
	[PV_BOOK3S64LE] = {"book3s64le", true,  false, true},
};

const struct pv_flavor_info *pv_flavor_info(enum pv_flavor f)
{
	return (unsigned)f < PV_NFLAVORS ? &flavors[f] : NULL;
}

int pv_flavor_parse(const char *name, enum pv_flavor *out)
{
	for (unsigned f = 0; f < PV_NFLAVORS; f++)
		if (strcmp(name, flavors[f].name) == 0) {
			*out = (enum pv_flavor)f;
			return 0;
		}
	return -1;
}

static const char *const feature_names[4] = {"none", "sr", "mas", "sr,mas"};

int pv_features_parse(const char *s, unsigned *out)
{
	for (unsigned f = 0; f < 4; f++)
		if (strcmp(s, feature_names[f]) == 0) {
			*out = f;
			return 0;
		}
	if (strcmp(s, "mas,sr") == 0 || strcmp(s, "all") == 0) {
		*out = PV_FEAT_ALL;
		return 0;
	}
	return -1;
}

const char *pv_features_name(unsigned features)
{
	return features <= PV_FEAT_ALL ? feature_names[features] : "invalid";
}

static const char *const profile_names[PV_NPROFILES] = {
	[PV_PROFILE_FIXED] = "fixed",
	[PV_PROFILE_LINUX] = "linux",
};

int pv_profile_parse(const char *s, enum pv_profile *out)
{
	for (unsigned p = 0; p < PV_NPROFILES; p++)
		if (strcmp(s, profile_names[p]) == 0) {
			*out = (enum pv_profile)p;
			return 0;
		}
	return -1;
}

const char *pv_profile_name(enum pv_profile p)
{
	return (unsigned)p < PV_NPROFILES ? profile_names[p] : "invalid";
}

const char *pv_profile_label(const struct pv_ctx *ctx)
{
	return ctx->impl ? ctx->impl->label(ctx->impl_self) : pv_profile_name(ctx->profile);
}

bool pv_ctx_vectors_rule(const struct pv_ctx *ctx) { return !ctx->impl || ctx->impl->vectors_rule(ctx->impl_self); }

const char *pv_ctx_patch_error(const struct pv_ctx *ctx) { return ctx->impl ? ctx->impl->last_error(ctx->impl_self) : ""; }

uint64_t pv_load(const uint8_t *p, unsigned bytes, bool little_endian)
{
	uint64_t v = 0;
	for (unsigned i = 0; i < bytes; i++)
		v |= (uint64_t)p[i] << (little_endian ? 8 * i : 8 * (bytes - 1 - i));
	return v;
}

void pv_store(uint8_t *p, unsigned bytes, bool little_endian, uint64_t v)
{
	for (unsigned i = 0; i < bytes; i++)
		p[i] = (uint8_t)(v >> (little_endian ? 8 * i : 8 * (bytes - 1 - i)));
}

/* The byte order as a constant on each side, so that the patch loop's
 * per-word access compiles to plain loads and stores. */
uint32_t pv_get_word(const struct pv_ctx *ctx, const uint8_t *p)
{
	return (uint32_t)(ctx->fi->little_endian ? pv_load(p, 4, true) : pv_load(p, 4, false));
}

void pv_put_word(const struct pv_ctx *ctx, uint8_t *p, uint32_t w)
{
	if (ctx->fi->little_endian)
		pv_store(p, 4, true, w);
	else
		pv_store(p, 4, false, w);
}
