/* The hypervisor model's description of the machine (isa.h): written from
 * spec sections 2-4 and 6 and the Power ISA, not from the engine's tables.
 *
 * "What does mfspr rX,SPRG4 mean on booke32?" is one row of spr_rows below:
 * SPR 276, every flavor, only with MAS0_TO_SPRG7, read and write, the page's
 * sprg4 field (8 bytes at 208, a 64-bit register, so a 32-bit guest sees its
 * low word).
 */
#include <stdio.h>

#include "isa.h"

/* ---- the page registers ------------------------------------------------------ */

/* Each register once, as a literal (C cannot copy a const object into
 * another initializer): the SPR table points at the R_* objects, the list
 * of page fields repeats the literals. */
#define L_SPRG0 {"sprg0", PG_SPRG0, 8, ISA_WHOLE}
#define L_SPRG1 {"sprg1", PG_SPRG1, 8, ISA_WHOLE}
#define L_SPRG2 {"sprg2", PG_SPRG2, 8, ISA_WHOLE}
#define L_SPRG3 {"sprg3", PG_SPRG3, 8, ISA_WHOLE}
#define L_SRR0 {"srr0", PG_SRR0, 8, ISA_WHOLE}
#define L_SRR1 {"srr1", PG_SRR1, 8, ISA_WHOLE}
#define L_DAR {"dar", PG_DAR, 8, ISA_WHOLE} /* DEAR on BookE */
#define L_DSISR {"dsisr", PG_DSISR, 4, ISA_WHOLE}
#define L_MAS0 {"mas0", PG_MAS0, 4, ISA_WHOLE}
#define L_MAS1 {"mas1", PG_MAS1, 4, ISA_WHOLE}
#define L_MAS2 {"mas2", PG_MAS2, 8, ISA_WHOLE}
#define L_MAS3 {"mas3", PG_MAS7_3, 8, ISA_LOW}  /* MAS7 is the high word of mas7_3, */
#define L_MAS7 {"mas7", PG_MAS7_3, 8, ISA_HIGH} /* MAS3 the low word */
#define L_MAS4 {"mas4", PG_MAS4, 4, ISA_WHOLE}
#define L_MAS6 {"mas6", PG_MAS6, 4, ISA_WHOLE}
#define L_ESR {"esr", PG_ESR, 4, ISA_WHOLE}
#define L_PIR {"pir", PG_PIR, 4, ISA_WHOLE}
#define L_SPRG4 {"sprg4", PG_SPRG4, 8, ISA_WHOLE}
#define L_SPRG5 {"sprg5", PG_SPRG5, 8, ISA_WHOLE}
#define L_SPRG6 {"sprg6", PG_SPRG6, 8, ISA_WHOLE}
#define L_SPRG7 {"sprg7", PG_SPRG7, 8, ISA_WHOLE}

static const struct isa_reg R_SPRG0 = L_SPRG0, R_SPRG1 = L_SPRG1, R_SPRG2 = L_SPRG2, R_SPRG3 = L_SPRG3,
	R_SRR0 = L_SRR0, R_SRR1 = L_SRR1, R_DAR = L_DAR, R_DSISR = L_DSISR, R_MAS0 = L_MAS0, R_MAS1 = L_MAS1,
	R_MAS2 = L_MAS2, R_MAS3 = L_MAS3, R_MAS7 = L_MAS7, R_MAS4 = L_MAS4, R_MAS6 = L_MAS6, R_ESR = L_ESR,
	R_PIR = L_PIR, R_SPRG4 = L_SPRG4, R_SPRG5 = L_SPRG5, R_SPRG6 = L_SPRG6, R_SPRG7 = L_SPRG7;

const struct isa_reg isa_page_fields[] = {
	L_SPRG0, L_SPRG1, L_SPRG2, L_SPRG3, L_SRR0, L_SRR1, L_DAR,
	{"msr", PG_MSR, 8, ISA_WHOLE}, L_DSISR, {"int_pending", PG_INT_PENDING, 4, ISA_WHOLE},
	{"sr[0]", PG_SR + 0, 4, ISA_WHOLE}, {"sr[1]", PG_SR + 4, 4, ISA_WHOLE},
	{"sr[2]", PG_SR + 8, 4, ISA_WHOLE}, {"sr[3]", PG_SR + 12, 4, ISA_WHOLE},
	{"sr[4]", PG_SR + 16, 4, ISA_WHOLE}, {"sr[5]", PG_SR + 20, 4, ISA_WHOLE},
	{"sr[6]", PG_SR + 24, 4, ISA_WHOLE}, {"sr[7]", PG_SR + 28, 4, ISA_WHOLE},
	{"sr[8]", PG_SR + 32, 4, ISA_WHOLE}, {"sr[9]", PG_SR + 36, 4, ISA_WHOLE},
	{"sr[10]", PG_SR + 40, 4, ISA_WHOLE}, {"sr[11]", PG_SR + 44, 4, ISA_WHOLE},
	{"sr[12]", PG_SR + 48, 4, ISA_WHOLE}, {"sr[13]", PG_SR + 52, 4, ISA_WHOLE},
	{"sr[14]", PG_SR + 56, 4, ISA_WHOLE}, {"sr[15]", PG_SR + 60, 4, ISA_WHOLE},
	L_MAS0, L_MAS1, {"mas7_3", PG_MAS7_3, 8, ISA_WHOLE}, L_MAS2, L_MAS4, L_MAS6, L_ESR, L_PIR,
	L_SPRG4, L_SPRG5, L_SPRG6, L_SPRG7,
	{NULL, 0, 0, 0},
};

/* ---- which SPRs the page holds, per flavor (spec sections 2 and 4) --------------- */

#define F(f) (1u << PV_##f)
#define EVERY (F(BOOK3S32) | F(BOOKE32) | F(BOOK3S64) | F(BOOKE64) | F(BOOK3S64LE))
#define BOOK3S (F(BOOK3S32) | F(BOOK3S64) | F(BOOK3S64LE))
#define BOOKE (F(BOOKE32) | F(BOOKE64))
#define MAS PV_FEAT_MAS0_TO_SPRG7
enum { RD = 1, WR = 2, RW = 3 };

static const struct spr_row {
	uint16_t spr;
	uint8_t flavors;
	uint8_t gate; /* page feature the hypervisor must report, 0 for none */
	uint8_t dir;  /* RD: mfspr, WR: mtspr */
	const struct isa_reg *reg;
	const char *name;
} spr_rows[] = {
	/* SPR    flavors  gate dir  register  name */
	{18,      EVERY,   0,   RW,  &R_DSISR, "DSISR"},
	{19,      BOOK3S,  0,   RW,  &R_DAR,   "DAR"},
	{26,      EVERY,   0,   RW,  &R_SRR0,  "SRR0"},
	{27,      EVERY,   0,   RW,  &R_SRR1,  "SRR1"},
	{61,      BOOKE,   0,   RW,  &R_DAR,   "DEAR"},  /* BookE's DEAR lives in the dar field */
	{62,      BOOKE,   MAS, RW,  &R_ESR,   "ESR"},
	{260,     BOOKE,   MAS, RD,  &R_SPRG4, "SPRG4R"}, /* user-readable aliases */
	{261,     BOOKE,   MAS, RD,  &R_SPRG5, "SPRG5R"},
	{262,     BOOKE,   MAS, RD,  &R_SPRG6, "SPRG6R"},
	{263,     BOOKE,   MAS, RD,  &R_SPRG7, "SPRG7R"},
	{272,     EVERY,   0,   RW,  &R_SPRG0, "SPRG0"},
	{273,     EVERY,   0,   RW,  &R_SPRG1, "SPRG1"},
	{274,     EVERY,   0,   RW,  &R_SPRG2, "SPRG2"},
	{275,     EVERY,   0,   RW,  &R_SPRG3, "SPRG3"},
	{276,     EVERY,   MAS, RW,  &R_SPRG4, "SPRG4"},
	{277,     EVERY,   MAS, RW,  &R_SPRG5, "SPRG5"},
	{278,     EVERY,   MAS, RW,  &R_SPRG6, "SPRG6"},
	{279,     EVERY,   MAS, RW,  &R_SPRG7, "SPRG7"},
	{286,     BOOKE,   MAS, RD,  &R_PIR,   "PIR"},    /* BookE numbering */
	{624,     BOOKE,   MAS, RW,  &R_MAS0,  "MAS0"},
	{625,     BOOKE,   MAS, RW,  &R_MAS1,  "MAS1"},
	{626,     BOOKE,   MAS, RW,  &R_MAS2,  "MAS2"},
	{627,     BOOKE,   MAS, RW,  &R_MAS3,  "MAS3"},
	{628,     BOOKE,   MAS, RW,  &R_MAS4,  "MAS4"},
	{630,     BOOKE,   MAS, RW,  &R_MAS6,  "MAS6"},
	{944,     BOOKE,   MAS, RW,  &R_MAS7,  "MAS7"},
	{1023,    BOOK3S,  MAS, RD,  &R_PIR,   "PIR"},    /* Book3S numbering */
};

static const struct spr_row *spr_lookup(enum pv_flavor f, unsigned features, unsigned spr, unsigned dir)
{
	for (size_t i = 0; i < sizeof spr_rows / sizeof spr_rows[0]; i++) {
		const struct spr_row *r = &spr_rows[i];
		if (r->spr == spr && (r->flavors & (1u << f)) && (r->gate & ~features) == 0 && (r->dir & dir))
			return r;
	}
	return NULL;
}

/* ---- page access ---------------------------------------------------------------- */

static uint64_t get(enum pv_flavor f, const uint8_t *p, unsigned bytes)
{
	bool le = pv_flavor_info(f)->little_endian;
	uint64_t v = 0;
	for (unsigned i = 0; i < bytes; i++)
		v |= (uint64_t)p[i] << (le ? 8 * i : 8 * (bytes - 1 - i));
	return v;
}

static void put(enum pv_flavor f, uint8_t *p, unsigned bytes, uint64_t v)
{
	bool le = pv_flavor_info(f)->little_endian;
	for (unsigned i = 0; i < bytes; i++)
		p[i] = (uint8_t)(v >> (le ? 8 * i : 8 * (bytes - 1 - i)));
}

uint64_t isa_reg_get(enum pv_flavor f, const uint8_t *page, const struct isa_reg *r)
{
	uint64_t v = get(f, page + r->off, r->bytes);
	if (r->part == ISA_LOW)
		return v & 0xffffffffu;
	if (r->part == ISA_HIGH)
		return v >> 32;
	return pv_flavor_info(f)->is64 ? v : v & 0xffffffffu;
}

void isa_reg_set(enum pv_flavor f, uint8_t *page, const struct isa_reg *r, uint64_t v)
{
	if (r->part != ISA_WHOLE) {
		uint64_t old = get(f, page + r->off, 8);
		v = r->part == ISA_LOW ? (old & ~0xffffffffull) | (uint32_t)v : (old & 0xffffffffull) | (uint64_t)(uint32_t)v << 32;
	} else if (r->bytes == 4 || !pv_flavor_info(f)->is64) {
		v &= 0xffffffffu; /* a 32-bit register, or a 32-bit guest's register: zero-extended */
	}
	put(f, page + r->off, r->bytes, v);
}

/* ---- decoding ----------------------------------------------------------------------- */

/* X-form extended opcodes of primary opcode 31 (Power ISA) */
enum {
	XO_MFMSR = 83, XO_WRTEE = 131, XO_MTMSR = 146, XO_WRTEEI = 163, XO_MTMSRD = 178,
	XO_MTSRIN = 242, XO_MFSPR = 339, XO_MTSPR = 467, XO_TLBSYNC = 566, XO_MFSRIN = 659,
};

bool isa_decode(enum pv_flavor f, unsigned features, uint32_t w, struct isa_insn *out)
{
	unsigned xo = (w >> 1) & 0x3ff, spr = ((w >> 16) & 31) | ((w >> 11) & 31) << 5;
	bool booke = pv_flavor_info(f)->booke;
	const struct spr_row *row;

	*out = (struct isa_insn){.op = ISA_NONE, .rt = (w >> 21) & 31, .rb = (w >> 11) & 31};
	if (w >> 26 != 31)
		return false;
	switch (xo) {
	case XO_MFMSR: out->op = ISA_MFMSR; break;
	case XO_MTMSR:
	case XO_MTMSRD:
		out->mtmsrd = xo == XO_MTMSRD;
		out->op = w & 0x00010000u ? ISA_MTMSR_L1 : ISA_MTMSR; /* the L field */
		break;
	case XO_WRTEE: out->op = booke ? ISA_WRTEE : ISA_NONE; break;
	case XO_WRTEEI:
		out->op = booke ? ISA_WRTEEI : ISA_NONE;
		out->e = (w & 0x8000u) != 0;
		break;
	case XO_MTSRIN: out->op = f == PV_BOOK3S32 && (features & PV_FEAT_SR) ? ISA_MTSRIN : ISA_NONE; break;
	case XO_MFSRIN: out->op = f == PV_BOOK3S32 && (features & PV_FEAT_SR) ? ISA_MFSRIN : ISA_NONE; break;
	case XO_TLBSYNC: out->op = ISA_TLBSYNC; break;
	case XO_MFSPR:
	case XO_MTSPR:
		if ((row = spr_lookup(f, features, spr, xo == XO_MFSPR ? RD : WR))) {
			out->op = xo == XO_MFSPR ? ISA_MFSPR : ISA_MTSPR;
			out->reg = row->reg;
		}
		break;
	}
	return out->op != ISA_NONE;
}

void isa_insn_name(const struct isa_insn *in, char *buf, size_t n)
{
	switch (in->op) {
	case ISA_MFMSR: snprintf(buf, n, "mfmsr"); break;
	case ISA_MTMSR: snprintf(buf, n, "%s", in->mtmsrd ? "mtmsrd L=0" : "mtmsr"); break;
	case ISA_MTMSR_L1: snprintf(buf, n, "%s L=1", in->mtmsrd ? "mtmsrd" : "mtmsr"); break;
	case ISA_WRTEE: snprintf(buf, n, "wrtee"); break;
	case ISA_WRTEEI: snprintf(buf, n, "wrteei %d", in->e); break;
	case ISA_MTSRIN: snprintf(buf, n, "mtsrin"); break;
	case ISA_MFSRIN: snprintf(buf, n, "mfsrin"); break;
	case ISA_TLBSYNC: snprintf(buf, n, "tlbsync"); break;
	case ISA_MFSPR:
	case ISA_MTSPR: snprintf(buf, n, "%s %s", in->op == ISA_MFSPR ? "mfspr" : "mtspr", in->reg->name); break;
	default: snprintf(buf, n, "(none)");
	}
}

/* ---- block accesses ---------------------------------------------------------------- */

bool isa_time_base(uint32_t w)
{
	if (w >> 26 != 31)
		return false;
	unsigned xo = (w >> 1) & 0x3ff, spr = ((w >> 16) & 31) | ((w >> 11) & 31) << 5;
	if (xo == 371) /* mftb: every TBR, valid or not, reaches QEMU's SPR table */
		return true;
	if (xo != 339 && xo != 467) /* mfspr, mtspr */
		return false;
	return spr == 268 || spr == 269 || spr == 526 || spr == 527;
}

bool isa_leaves_cpu_state(uint32_t w)
{
	unsigned op = w >> 26, xo = (w >> 1) & 0x3ff, xo9 = (w >> 1) & 0x1ff;
	unsigned rs = (w >> 21) & 31, ra = (w >> 16) & 31, rb = (w >> 11) & 31;
	unsigned spr = ra | rb << 5;
	switch (op) {
	case 7: case 8: case 10: case 11: case 12: case 13: case 14: case 15: /* mulli .. addis */
	case 16: case 18:                                                     /* bc, b */
	case 20: case 21: case 23:                                            /* rlwimi, rlwinm, rlwnm */
	case 24: case 25: case 26: case 27: case 28: case 29:                 /* ori .. andis. */
	case 30:                                                              /* rldic* and kin */
	case 32: case 33: case 34: case 35: case 36: case 37: case 38: case 39: /* lwz .. stbu */
	case 40: case 41: case 42: case 43: case 44: case 45:                 /* lhz .. sthu */
	case 46: case 47:                                                     /* lmw, stmw */
	case 58: case 62:                                                     /* ld/ldu/lwa, std/stdu */
		return true;
	case 19:
		switch (xo) {
		case 0: case 16: case 528:                         /* mcrf, bclr, bcctr */
		case 33: case 129: case 193: case 225: case 257:   /* crnor crandc crxor crnand crand */
		case 289: case 417: case 449:                      /* creqv crorc cror */
		case 150:                                          /* isync */
			return true;
		}
		return false;
	case 31:
		switch (xo9) { /* XO-form arithmetic, either OE */
		case 266: case 10: case 138: case 234: case 202: /* add addc adde addme addze */
		case 40: case 8: case 136: case 232: case 200:   /* subf subfc subfe subfme subfze */
		case 104: case 235: case 75: case 11:            /* neg mullw mulhw mulhwu */
		case 491: case 459: case 233: case 73: case 9:   /* divw divwu mulld mulhd mulhdu */
		case 489: case 457:                              /* divd divdu */
			return true;
		}
		switch (xo) {
		case 444: /* or; or rX,rX,rX are QEMU's priority hints, which write PPR */
			return !(rs == ra && ra == rb);
		case 28: case 60: case 412: case 124: case 316: case 476: case 284: /* and andc orc nor xor nand eqv */
		case 24: case 536: case 792: case 824: case 27: case 539: case 794: /* slw srw sraw srawi sld srd srad */
		case 826: case 827:                                                /* sradi */
		case 26: case 58: case 954: case 922: case 986:                    /* cntlzw cntlzd extsb extsh extsw */
		case 0: case 32:                                                   /* cmp, cmpl */
		case 23: case 55: case 87: case 119: case 151: case 183: case 215: case 247: /* lwzx .. stbux */
		case 279: case 311: case 343: case 375: case 407: case 439:        /* lhzx .. sthux */
		case 21: case 53: case 149: case 181: case 341: case 373:          /* ldx ldux stdx stdux lwax lwaux */
		case 534: case 662: case 790: case 918:                            /* lwbrx stwbrx lhbrx sthbrx */
		case 19: case 144:                                                 /* mfcr/mfocrf, mtcrf/mtocrf */
		case 598: case 854:                                                /* sync, eieio */
			return true;
		case 339: case 467: /* mfspr, mtspr: XER, LR, CTR only */
			return spr == 1 || spr == 8 || spr == 9;
		}
		return false;
	}
	return false;
}

bool isa_block_access(uint32_t w, struct isa_block *b)
{
	unsigned op = w >> 26, xo = (w >> 1) & 0x3ff, rt = (w >> 21) & 31;
	*b = (struct isa_block){.ra = (w >> 16) & 31, .rb = (w >> 11) & 31};
	if (op == 46 || op == 47) { /* lmw, stmw: rT..r31 */
		b->disp = (int16_t)(w & 0xffff);
		b->len = 4 * (32 - rt);
		b->store = op == 47;
		return true;
	}
	if (op != 31)
		return false;
	switch (xo) {
	case 597: /* lswi: NB bytes, 0 meaning 32 */
	case 725: /* stswi */
		b->len = b->rb ? b->rb : 32;
		b->store = xo == 725;
		b->rb = 0;
		return true;
	case 533: /* lswx */
	case 661: /* stswx */
		b->use_rb = b->xer_count = true;
		b->store = xo == 661;
		return true;
	case 1014: /* dcbz */
	case 1023: /* dcbzep */
		/* the largest cache line of the CPU models in use (970, POWER7:
		 * 128 bytes; 7457A, e500v2: 32): a wider block than the real one
		 * only ends a run that would not have touched a guarded byte,
		 * in both runs alike */
		b->use_rb = b->store = b->line = true;
		b->len = 128;
		return true;
	default:
		return false;
	}
}

/* ---- ownership of the page's bytes ------------------------------------------------ */

static bool overlaps(uint64_t off, uint64_t end, unsigned field, unsigned size)
{
	return off < field + size && end > field;
}

enum isa_guard isa_page_guard(enum pv_flavor f, uint64_t off, unsigned size, bool write)
{
	if (off >= PV_MAGIC_PAGE_SIZE)
		return ISA_GUEST; /* another page, or below this one (off wrapped) */
	uint64_t end = off + size;
	if (off < PG_SPRG0)
		return ISA_HV_OWNED; /* scratch1-3, critical */
	if (write && (overlaps(off, end, PG_MSR, 8) || overlaps(off, end, PG_INT_PENDING, 4)))
		return ISA_HV_OWNED;
	if (write && !pv_flavor_info(f)->is64) /* 32-bit guests are big-endian: the high word is at +0 */
		for (const struct isa_reg *r = isa_page_fields; r->name; r++)
			if (r->bytes == 8 && r->part == ISA_WHOLE && r->off != PG_MAS7_3 && overlaps(off, end, r->off, 4))
				return ISA_HIGH_WORD;
	return ISA_GUEST;
}
