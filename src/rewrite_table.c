/* THE table: what happens to every privileged instruction on every flavor.
 *
 * To answer "what happens to word W on flavor F with features X": find the
 * row whose `match` equals W with its `carried` register fields cleared,
 * whose flavors include F and whose gate is in X. No row: W is unchanged.
 * Spec sections 2, 4 and 5 (../shared/spec/pv-patching.md).
 */
#include "mutant.h"
#include "pv.h"
#include "ppc_insn.h"

/* flavor sets */
#define ALL    (PV_FL(PV_BOOK3S32) | PV_FL(PV_BOOKE32) | PV_FL(PV_BOOK3S64) | \
		PV_FL(PV_BOOKE64) | PV_FL(PV_BOOK3S64LE))
#define BOOK3S (PV_FL(PV_BOOK3S32) | PV_FL(PV_BOOK3S64) | PV_FL(PV_BOOK3S64LE))
#define BOOKE  (PV_FL(PV_BOOKE32) | PV_FL(PV_BOOKE64))
#define S32    PV_FL(PV_BOOK3S32)

/* carried register fields */
#define RT    PPC_RT_MASK
#define RT_RB (PPC_RT_MASK | PPC_RB_MASK)

/* gates */
#define SR  PV_FEAT_SR
#define MAS PV_FEAT_MAS0_TO_SPRG7

/* actions, each with the profiles it applies to (0: every profile) */
#define LOAD(f)  PV_K_LOAD, PV_F_##f, 0, 0, 0
#define LOAD_F(field) PV_K_LOAD, field, 0, 0, 0 /* the field an expression (a mutant) */
#define STORE(f) PV_K_STORE, PV_F_##f, 0, 0, 0
#define NOP      PV_K_NOP, 0, 0, 0, 0
#define NOP_IN(p) PV_K_NOP, 0, 0, PV_PR(PV_PROFILE_##p), 0
#define TMPL(t)  PV_K_TEMPLATE, PV_T_##t, 0, 0, 0
#define TMPL_T(tmpl) PV_K_TEMPLATE, tmpl, 0, 0, 0 /* the template an expression (a mutant) */
#define TMPL_EE(t) PV_K_TEMPLATE, PV_T_##t, 1, 0, 0 /* register slot: EE set */
/* ours, not upstream's; rT = r1 left alone (pv_row.no_rt1: a result in r1
 * would end the template's critical section before its restores) */
#define TMPL_FIXED_NOT_RT1(t) PV_K_TEMPLATE, PV_T_##t, 0, PV_PR(PV_PROFILE_FIXED), 1

#define MF(spr) (X31(PPC_XO_MFSPR) | ((((spr) & 0x1fu) << 16) | (((spr) >> 5) << 11)))
#define MT(spr) (X31(PPC_XO_MTSPR) | ((((spr) & 0x1fu) << 16) | (((spr) >> 5) << 11)))
#define X31(xo) (0x7c000000u | ((xo) << 1))
#define L1      0x00010000u /* mtmsrd L=1 */
#define E1      0x00008000u /* wrteei E=1 */

const struct pv_row pv_rows[] = {
/*   class              encoding              carried flavors gate action */
	{PV_C_MFMSR,        X31(PPC_XO_MFMSR),       RT,    ALL,    0,   LOAD_F(PV_MUTANT(mfmsr_reads_srr1, PV_F_SRR1, PV_F_MSR))},
	{PV_C_MTMSRD_L1,    X31(PPC_XO_MTMSRD) | L1, RT,    ALL,    0,   TMPL(MTMSRD_L1)},
	{PV_C_MTMSR,        X31(PPC_XO_MTMSR),       RT,    ALL,    0,   TMPL_T(PV_MUTANT(mtmsr_routed_to_l1, PV_T_MTMSRD_L1, PV_T_MTMSR))},
	{PV_C_MTMSRD_L0,    X31(PPC_XO_MTMSRD),      RT,    ALL,    0,   TMPL(MTMSR)},
	/* tlbsync_missing: rows on no flavor are rows left out */
	{PV_C_TLBSYNC,      X31(PPC_XO_TLBSYNC),     0,     PV_MUTANT(tlbsync_missing, 0, ALL), 0, NOP_IN(FIXED)},
	/* upstream masks the RT field of every word before matching, so a
	 * tlbsync with its reserved bits 6-10 set is rewritten too (found by
	 * pvfuzz agree, docs/kernel-mode.md) */
	{PV_C_TLBSYNC,      X31(PPC_XO_TLBSYNC),     RT,    PV_MUTANT(tlbsync_missing, 0, ALL), 0, NOP_IN(LINUX)},
	{PV_C_MTSRIN,       X31(PPC_XO_MTSRIN),      RT_RB, S32,    SR,  TMPL(MTSRIN)},
	/* not upstream: the worked example of docs/adding-a-handler.md */
	{PV_C_MFSRIN,       X31(PPC_XO_MFSRIN),      RT_RB, S32,    SR,  TMPL_FIXED_NOT_RT1(MFSRIN)},
	{PV_C_WRTEE,        X31(PPC_XO_WRTEE),       RT,    BOOKE,  0,   TMPL(WRTEE)},
	{PV_C_WRTEEI_1,     X31(PPC_XO_WRTEEI) | E1, 0,     BOOKE,  0,   TMPL_EE(WRTEE)},
	{PV_C_WRTEEI_0,     X31(PPC_XO_WRTEEI),      0,     BOOKE,  0,   TMPL(WRTEEI_0)},

	{PV_C_MFSPR_SPRG0,  MF(272),                 RT,    ALL,    0,   LOAD(SPRG0)},
	{PV_C_MTSPR_SPRG0,  MT(272),                 RT,    ALL,    0,   STORE(SPRG0)},
	{PV_C_MFSPR_SPRG1,  MF(273),                 RT,    ALL,    0,   LOAD(SPRG1)},
	{PV_C_MTSPR_SPRG1,  MT(273),                 RT,    ALL,    0,   STORE(SPRG1)},
	{PV_C_MFSPR_SPRG2,  MF(274),                 RT,    ALL,    0,   LOAD(SPRG2)},
	{PV_C_MTSPR_SPRG2,  MT(274),                 RT,    ALL,    0,   STORE(SPRG2)},
	{PV_C_MFSPR_SPRG3,  MF(275),                 RT,    ALL,    0,   LOAD(SPRG3)},
	{PV_C_MTSPR_SPRG3,  MT(275),                 RT,    ALL,    0,   STORE(SPRG3)},
	{PV_C_MFSPR_SRR0,   MF(26),                  RT,    ALL,    0,   LOAD(SRR0)},
	{PV_C_MTSPR_SRR0,   MT(26),                  RT,    ALL,    0,   STORE(SRR0)},
	{PV_C_MFSPR_SRR1,   MF(27),                  RT,    ALL,    0,   LOAD(SRR1)},
	{PV_C_MTSPR_SRR1,   MT(27),                  RT,    ALL,    0,   PV_MUTANT(mtspr_srr1_as_load, PV_K_LOAD, PV_K_STORE), PV_F_SRR1, 0, 0, 0},
	{PV_C_MFSPR_DSISR,  MF(18),                  RT,    ALL,    0,   LOAD(DSISR)},
	{PV_C_MTSPR_DSISR,  MT(18),                  RT,    ALL,    0,   STORE(DSISR)},
	{PV_C_MFSPR_DAR,    MF(19),                  RT,    BOOK3S, 0,   LOAD(DAR)},
	{PV_C_MTSPR_DAR,    MT(19),                  RT,    BOOK3S, 0,   STORE(DAR)},
	{PV_C_MFSPR_DEAR,   MF(61),                  RT,    PV_MUTANT(dear_on_book3s, ALL, BOOKE), 0, LOAD(DAR)},
	{PV_C_MTSPR_DEAR,   MT(61),                  RT,    BOOKE,  0,   STORE(DAR)},

	{PV_C_MFSPR_SPRG4,  MF(276),                 RT,    ALL,    PV_MUTANT(sprg4_gate_missed, 0, MAS), LOAD(SPRG4)},
	{PV_C_MTSPR_SPRG4,  MT(276),                 RT,    ALL,    MAS, STORE(SPRG4)},
	{PV_C_MFSPR_SPRG5,  MF(277),                 RT,    ALL,    MAS, LOAD(SPRG5)},
	{PV_C_MTSPR_SPRG5,  MT(277),                 RT,    ALL,    MAS, STORE(SPRG5)},
	{PV_C_MFSPR_SPRG6,  MF(278),                 RT,    ALL,    MAS, LOAD(SPRG6)},
	{PV_C_MTSPR_SPRG6,  MT(278),                 RT,    ALL,    MAS, STORE(SPRG6)},
	{PV_C_MFSPR_SPRG7,  MF(279),                 RT,    ALL,    MAS, LOAD(SPRG7)},
	{PV_C_MTSPR_SPRG7,  MT(279),                 RT,    ALL,    MAS, STORE(SPRG7)},
	{PV_C_MFSPR_SPRG4R, MF(260),                 RT,    BOOKE,  MAS, LOAD(SPRG4)},
	{PV_C_MFSPR_SPRG5R, MF(261),                 RT,    BOOKE,  MAS, LOAD(SPRG5)},
	{PV_C_MFSPR_SPRG6R, MF(262),                 RT,    BOOKE,  MAS, LOAD(SPRG6)},
	{PV_C_MFSPR_SPRG7R, MF(263),                 RT,    BOOKE,  MAS, LOAD(SPRG7)},
	{PV_C_MFSPR_PIR,    MF(1023),                RT,    BOOK3S, MAS, LOAD(PIR)},
	{PV_C_MFSPR_PIR,    MF(PV_MUTANT(pir_booke_spr, 1023u, 286u)), RT, BOOKE, MAS, LOAD(PIR)},
	{PV_C_MFSPR_ESR,    MF(62),                  RT,    BOOKE,  MAS, LOAD(ESR)},
	{PV_C_MTSPR_ESR,    MT(62),                  RT,    BOOKE,  MAS, STORE(ESR)},
	{PV_C_MFSPR_MAS0,   MF(624),                 RT,    BOOKE,  MAS, LOAD(MAS0)},
	{PV_C_MTSPR_MAS0,   MT(624),                 RT,    BOOKE,  MAS, STORE(MAS0)},
	{PV_C_MFSPR_MAS1,   MF(625),                 RT,    BOOKE,  MAS, LOAD(MAS1)},
	{PV_C_MTSPR_MAS1,   MT(625),                 RT,    BOOKE,  MAS, STORE(MAS1)},
	{PV_C_MFSPR_MAS2,   MF(626),                 RT,    BOOKE,  MAS, LOAD(MAS2)},
	{PV_C_MTSPR_MAS2,   MT(626),                 RT,    BOOKE,  MAS, STORE(MAS2)},
	{PV_C_MFSPR_MAS3,   MF(627),                 RT,    BOOKE,  MAS, LOAD(MAS3)},
	{PV_C_MTSPR_MAS3,   MT(627),                 RT,    BOOKE,  MAS, STORE(MAS3)},
	{PV_C_MFSPR_MAS4,   MF(628),                 RT,    BOOKE,  MAS, LOAD(MAS4)},
	{PV_C_MTSPR_MAS4,   MT(628),                 RT,    BOOKE,  MAS, STORE(MAS4)},
	{PV_C_MFSPR_MAS6,   MF(630),                 RT,    BOOKE,  MAS, LOAD(MAS6)},
	{PV_C_MTSPR_MAS6,   MT(630),                 RT,    BOOKE,  MAS, STORE(MAS6)},
	{PV_C_MFSPR_MAS7,   MF(944),                 RT,    BOOKE,  MAS, LOAD(MAS7)},
	{PV_C_MTSPR_MAS7,   MT(944),                 RT,    BOOKE,  MAS, STORE(MAS7)},
};

const size_t pv_nrows = sizeof(pv_rows) / sizeof(pv_rows[0]);
