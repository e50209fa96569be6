/* fuzz_disasm_xcheck: the matcher agrees with capstone, on every flavor.
 *
 * Input: the header (target, platform: its features and profile are used; every flavor
 * is checked), then the word. A word that capstone decodes as one of the
 * rewritten instructions, whose canonical encoding (rebuilt from capstone's
 * operands) is the word itself, and that the spec's table (section 2)
 * rewrites on the flavor with the features, is matched; every other word is
 * not.
 *
 * Deliberate exclusions: none are needed with capstone 4.0.2. Words that
 * capstone decodes leniently (reserved bits or Rc set, e.g. 0x7ca001e5
 * "mtsrin r5, r0", 0x7c208146 "wrteei 1") fail the canonical-encoding test,
 * exactly as the spec's exact match leaves them alone. capstone names
 * mfspr/mtspr of DSISR and DAR mfdsisr/mtdsisr/mfdar/mtdar; those aliases
 * are read as the SPR they stand for.
 */
#include <capstone/capstone.h>
#include <string.h>

#include "disasm.h"
#include "pvf.h"

#define ALL    0x1fu
#define BOOK3S (PV_FL(PV_BOOK3S32) | PV_FL(PV_BOOK3S64) | PV_FL(PV_BOOK3S64LE))
#define BOOKE  (PV_FL(PV_BOOKE32) | PV_FL(PV_BOOKE64))

/* spec section 2: which SPRs are rewritten where (reads; writes unless ro) */
static const struct {
	unsigned spr, flavors, gate;
	bool read_only;
} spec_sprs[] = {
	{272, ALL, 0, 0}, {273, ALL, 0, 0}, {274, ALL, 0, 0}, {275, ALL, 0, 0},
	{26, ALL, 0, 0}, {27, ALL, 0, 0}, {18, ALL, 0, 0}, {19, BOOK3S, 0, 0}, {61, BOOKE, 0, 0},
	{276, ALL, PV_FEAT_MAS0_TO_SPRG7, 0}, {277, ALL, PV_FEAT_MAS0_TO_SPRG7, 0},
	{278, ALL, PV_FEAT_MAS0_TO_SPRG7, 0}, {279, ALL, PV_FEAT_MAS0_TO_SPRG7, 0},
	{260, BOOKE, PV_FEAT_MAS0_TO_SPRG7, 1}, {261, BOOKE, PV_FEAT_MAS0_TO_SPRG7, 1},
	{262, BOOKE, PV_FEAT_MAS0_TO_SPRG7, 1}, {263, BOOKE, PV_FEAT_MAS0_TO_SPRG7, 1},
	{1023, BOOK3S, PV_FEAT_MAS0_TO_SPRG7, 1}, {286, BOOKE, PV_FEAT_MAS0_TO_SPRG7, 1},
	{62, BOOKE, PV_FEAT_MAS0_TO_SPRG7, 0},
	{624, BOOKE, PV_FEAT_MAS0_TO_SPRG7, 0}, {625, BOOKE, PV_FEAT_MAS0_TO_SPRG7, 0},
	{626, BOOKE, PV_FEAT_MAS0_TO_SPRG7, 0}, {627, BOOKE, PV_FEAT_MAS0_TO_SPRG7, 0},
	{628, BOOKE, PV_FEAT_MAS0_TO_SPRG7, 0}, {630, BOOKE, PV_FEAT_MAS0_TO_SPRG7, 0},
	{944, BOOKE, PV_FEAT_MAS0_TO_SPRG7, 0},
};

static bool spr_rewritten(unsigned spr, bool write, enum pv_flavor f, unsigned features)
{
	for (size_t i = 0; i < sizeof spec_sprs / sizeof spec_sprs[0]; i++)
		if (spec_sprs[i].spr == spr)
			return (spec_sprs[i].flavors & PV_FL(f)) && !(spec_sprs[i].gate & ~features) &&
			       !(write && spec_sprs[i].read_only);
	return false;
}

static uint32_t x31(unsigned xo, unsigned rt) { return 0x7c000000u | rt << 21 | xo << 1; }
static uint32_t spr_bits(unsigned spr) { return (spr & 31) << 16 | (spr >> 5) << 11; }

/* capstone's reading of a word, as the verdict below needs it */
struct reading {
	bool decoded;
	unsigned id, r0, r1;
	int64_t i0, i1;
	unsigned op_count;
	char text[96];
};

static void read_word(csh cs, uint32_t w, struct reading *rd)
{
	uint8_t b[4]; /* capstone reads the word big-endian: an instruction value */
	pv_store(b, 4, false, w);
	cs_insn *insn;
	memset(rd, 0, sizeof *rd);
	snprintf(rd->text, sizeof rd->text, "(not decoded)");
	if (cs_disasm(cs, b, 4, 0, 1, &insn) != 1)
		return;
	rd->decoded = true;
	snprintf(rd->text, sizeof rd->text, "%s %s", insn->mnemonic, insn->op_str);
	cs_ppc *p = &insn->detail->ppc;
	rd->id = insn->id;
	rd->op_count = p->op_count;
	rd->r0 = p->op_count > 0 && p->operands[0].type == PPC_OP_REG ? p->operands[0].reg - PPC_REG_R0 : 0;
	rd->r1 = p->op_count > 1 && p->operands[1].type == PPC_OP_REG ? p->operands[1].reg - PPC_REG_R0 : 0;
	rd->i0 = p->op_count > 0 ? p->operands[0].imm : 0;
	rd->i1 = p->op_count > 1 ? p->operands[1].imm : 0;
	cs_free(insn, 1);
}

/* The spec's verdict on w as capstone reads it. */
static bool spec_rewrites(const struct reading *rd, uint32_t w, enum pv_flavor f, unsigned features, enum pv_profile prof)
{
	if (!rd->decoded)
		return false;
	unsigned r0 = rd->r0, r1 = rd->r1;
	int64_t i0 = rd->i0, i1 = rd->i1;
	bool booke = f == PV_BOOKE32 || f == PV_BOOKE64;
	bool yes = false;
	switch (rd->id) {
	case PPC_INS_MFMSR: yes = w == x31(83, r0); break;
	case PPC_INS_MTMSR: yes = w == x31(146, r0); break; /* L=0 only */
	case PPC_INS_MTMSRD: yes = w == (x31(178, r0) | (rd->op_count > 1 ? (uint32_t)i1 << 16 : 0)); break;
	case PPC_INS_TLBSYNC: yes = w == 0x7c00046cu; break;
	case PPC_INS_MTSRIN: yes = f == PV_BOOK3S32 && (features & PV_FEAT_SR) && w == (x31(242, r0) | r1 << 11); break;
	/* ours (docs/adding-a-handler.md): the fixed profile only, and not into
	 * r1 (a template writing r1 would leave its critical section early) */
	case PPC_INS_MFSRIN:
		yes = f == PV_BOOK3S32 && (features & PV_FEAT_SR) && prof == PV_PROFILE_FIXED && r0 != 1 &&
		      w == (x31(659, r0) | r1 << 11);
		break;
	case PPC_INS_WRTEE: yes = booke && w == x31(131, r0); break;
	case PPC_INS_WRTEEI: yes = booke && w == (x31(163, 0) | (uint32_t)(i0 & 1) << 15); break;
	case PPC_INS_MFSPR: yes = w == (x31(339, r0) | spr_bits((unsigned)i1)) && spr_rewritten((unsigned)i1, false, f, features); break;
	case PPC_INS_MTSPR: yes = w == (x31(467, r1) | spr_bits((unsigned)i0)) && spr_rewritten((unsigned)i0, true, f, features); break;
	case PPC_INS_MFDSISR: yes = w == (x31(339, r0) | spr_bits(18)) && spr_rewritten(18, false, f, features); break;
	case PPC_INS_MTDSISR: yes = w == (x31(467, r0) | spr_bits(18)) && spr_rewritten(18, true, f, features); break;
	case PPC_INS_MFDAR: yes = w == (x31(339, r0) | spr_bits(19)) && spr_rewritten(19, false, f, features); break;
	case PPC_INS_MTDAR: yes = w == (x31(467, r0) | spr_bits(19)) && spr_rewritten(19, true, f, features); break;
	default: break;
	}
	return yes;
}

/* One flavor's verdict from capstone's reading of the word in its mode. */
static void xcheck_reading(const struct pv_ctx *c, uint32_t w, const struct reading *rd, bool verbose, FILE *out,
			   struct pvf_result *r)
{
	bool spec = spec_rewrites(rd, w, c->flavor, c->features, c->profile);
	const struct pv_row *row = pv_match(c, w);
	if (verbose)
		fprintf(out, "%-10s 0x%08x '%s': capstone+spec %s, matcher %s\n", c->fi->name, w, rd->text,
			spec ? "rewrite" : "leave", row ? pv_class_name(row->cls) : "unchanged");
	if (spec != (row != NULL))
		pvf_fail(r, out, c, PVF_K_capstone_xcheck, row ? row->cls : -1, "0x%08x on %s with features %s: capstone reads '%s' (%s by the spec), the matcher says %s",
			 w, c->fi->name, pv_features_name(c->features), rd->text, spec ? "rewritten" : "left alone",
			 row ? pv_class_name(row->cls) : "unchanged");
}

void pvf_xcheck_word(const struct pv_ctx *c, uint32_t w, bool verbose, FILE *out, struct pvf_result *r)
{
	size_t cs;
	if (!pv_capstone(c->fi->is64, &cs)) { /* no verdict without capstone */
		pvf_internal(r, out, "capstone could not open a PowerPC handle");
		return;
	}
	struct reading rd;
	read_word(cs, w, &rd);
	xcheck_reading(c, w, &rd, verbose, out, r);
}

void pvf_check_xcheck(const struct pv_ctx *ctx, struct pvf_in *in, bool verbose, FILE *out, struct pvf_result *r)
{
	uint32_t w = (uint32_t)pvf_take(in, 4);
	/* capstone reads the word once per mode (32- and 64-bit), not once per flavor */
	struct reading rd[2];
	for (int is64 = 0; is64 < 2; is64++) {
		size_t cs;
		if (!pv_capstone(is64, &cs)) { /* no verdict without capstone */
			pvf_internal(r, out, "capstone could not open a PowerPC handle");
			return;
		}
		read_word(cs, w, &rd[is64]);
	}
	for (enum pv_flavor f = 0; f < PV_NFLAVORS && !r->failed && !r->internal; f++) {
		const struct pv_ctx *c = pvf_ctx(f, ctx->features, ctx->profile);
		xcheck_reading(c, w, &rd[c->fi->is64], verbose, out, r);
	}
}
