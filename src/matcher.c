/* Context set-up and the instruction matcher.
 *
 * Every row is an X-form instruction of primary opcode 31, so a context
 * groups its active rows by extended opcode: a word costs one shift and
 * compare when it is not opcode 31, and a couple of compares when it is.
 * This is what lets `pvfuzz sweep` go through 2^32 words quickly.
 */
#include <string.h>

#include "mutant.h"
#include "pv.h"
#include "ppc_insn.h"

static const char *const class_names[PV_NCLASSES] = {
#define PV_X_NAME(id, name) [PV_C_##id] = name,
	PV_CLASS_LIST(PV_X_NAME)
#undef PV_X_NAME
};

const char *pv_class_name(enum pv_class c)
{
	return (unsigned)c < PV_NCLASSES ? class_names[c] : "invalid";
}

int pv_class_parse(const char *name, enum pv_class *out)
{
	for (unsigned c = 0; c < PV_NCLASSES; c++)
		if (strcmp(name, class_names[c]) == 0) {
			*out = (enum pv_class)c;
			return 0;
		}
	return -1;
}

static bool row_applies(const struct pv_row *r, enum pv_flavor f, unsigned features, enum pv_profile p)
{
	return (r->flavors & PV_FL(f)) && !(r->gate & ~features) && (!r->profiles || (r->profiles & PV_PR(p)));
}

int pv_ctx_init(struct pv_ctx *ctx, enum pv_flavor f, unsigned features, enum pv_profile p)
{
	if ((unsigned)f >= PV_NFLAVORS || features & ~PV_FEAT_ALL || (unsigned)p >= PV_NPROFILES)
		return -1;
	memset(ctx, 0, sizeof(*ctx));
	ctx->flavor = f;
	ctx->features = features;
	ctx->profile = p;
	ctx->fi = pv_flavor_info(f);

	/* counting sort of the active rows by extended opcode */
	unsigned count[1024] = {0};
	for (size_t i = 0; i < pv_nrows; i++) {
		const struct pv_row *r = &pv_rows[i];
		if (ppc_opcode(r->match) != 31 || ctx->nactive == PV_MAX_ACTIVE_ROWS)
			return -1; /* the table broke an assumption above */
		if (!row_applies(r, f, features, p))
			continue;
		count[ppc_xo(r->match)]++;
		ctx->nactive++;
	}
	unsigned pos = 0;
	for (unsigned xo = 0; xo < 1024; xo++) {
		ctx->xo_first[xo] = (uint8_t)pos;
		ctx->xo_count[xo] = (uint8_t)count[xo];
		pos += count[xo];
		count[xo] = ctx->xo_first[xo];
	}
	for (size_t i = 0; i < pv_nrows; i++) {
		const struct pv_row *r = &pv_rows[i];
		if (!row_applies(r, f, features, p))
			continue;
		ctx->active[count[ppc_xo(r->match)]++] = r;
	}
	return 0;
}

uint32_t pv_row_word(const struct pv_row *r, unsigned rt, unsigned rb)
{
	return r->match | (r->carried & PPC_RT_MASK ? (rt & 31) << 21 : 0) | (r->carried & PPC_RB_MASK ? (rb & 31) << 11 : 0);
}

void pv_row_regs(const struct pv_row *r, unsigned *nrt, unsigned *nrb)
{
	*nrt = r->carried & PPC_RT_MASK ? 32 : 1;
	*nrb = r->carried & PPC_RB_MASK ? 32 : 1;
}

unsigned pv_class_flavors(enum pv_class c, enum pv_profile p)
{
	unsigned fl = 0;
	for (size_t i = 0; i < pv_nrows; i++)
		if (pv_rows[i].cls == c && (!pv_rows[i].profiles || (pv_rows[i].profiles & PV_PR(p))))
			fl |= pv_rows[i].flavors;
	return fl;
}

unsigned pv_class_gate(enum pv_class c, enum pv_flavor f)
{
	unsigned gate = 0;
	for (size_t i = 0; i < pv_nrows; i++)
		if (pv_rows[i].cls == c && (f == PV_NFLAVORS || (pv_rows[i].flavors & PV_FL(f))))
			gate |= pv_rows[i].gate;
	return gate;
}

const struct pv_row *pv_match(const struct pv_ctx *ctx, uint32_t word)
{
	if (ppc_opcode(word) != 31)
		return NULL;
	unsigned xo = ppc_xo(word);
	const struct pv_row *const *r = &ctx->active[ctx->xo_first[xo]];
	for (unsigned n = ctx->xo_count[xo]; n; n--, r++)
		if ((word & ~(*r)->carried) == (*r)->match)
			return (*r)->no_rt1 && ppc_rt(word) == 1 ? NULL : *r;
	return NULL;
}

uint32_t pv_rewrite_simple(const struct pv_ctx *ctx, const struct pv_row *row, uint32_t word)
{
	switch (row->kind) {
	case PV_K_LOAD:
		return pv_field_access(ctx->flavor, row->target, ppc_rt(word) & PV_MUTANT(rt_mask_4bits, 15u, 31u), false);
	case PV_K_STORE:
		return pv_field_access(ctx->flavor, row->target, ppc_rt(word), true);
	case PV_K_NOP:
		return PPC_NOP;
	default:
		return word; /* templates are not single-word rewrites */
	}
}
