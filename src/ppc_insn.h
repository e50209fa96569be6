/* PowerPC instruction encoders and field accessors used by the engine.
 *
 * Only what the rewrites and template slots need. Bit positions follow the
 * Power ISA: primary opcode in the top 6 bits, RT/RS at bit 21, RA at 16,
 * RB at 11, the X-form extended opcode at bit 1.
 */
#ifndef PV_PPC_INSN_H
#define PV_PPC_INSN_H

#include <stdint.h>

#define PPC_RT_MASK 0x03e00000u /* RT/RS field: carried over by a rewrite */
#define PPC_RA_MASK 0x001f0000u
#define PPC_RB_MASK 0x0000f800u

static inline unsigned ppc_opcode(uint32_t w) { return w >> 26; }
static inline unsigned ppc_rt(uint32_t w) { return (w >> 21) & 31; }
static inline unsigned ppc_rb(uint32_t w) { return (w >> 11) & 31; }
static inline unsigned ppc_xo(uint32_t w) { return (w >> 1) & 0x3ff; }

/* X-form, primary opcode 31: the shape of every instruction we rewrite. */
static inline uint32_t ppc_x31(unsigned xo) { return 0x7c000000u | (xo << 1); }

/* mfspr/mtspr store the SPR number with its two 5-bit halves swapped. */
static inline uint32_t ppc_spr_field(unsigned spr)
{
	return ((spr & 0x1fu) << 16) | ((spr >> 5) << 11);
}
static inline unsigned ppc_spr_of(uint32_t w)
{
	return ((w >> 16) & 0x1fu) | (((w >> 11) & 0x1fu) << 5);
}

#define PPC_XO_MFMSR   83
#define PPC_XO_WRTEE   131
#define PPC_XO_MTMSR   146
#define PPC_XO_WRTEEI  163
#define PPC_XO_MTMSRD  178
#define PPC_XO_MTSRIN  242
#define PPC_XO_MFSPR   339
#define PPC_XO_MFSRIN  659
#define PPC_XO_MTSPR   467
#define PPC_XO_TLBSYNC 566
#define PPC_XO_OR      444

static inline uint32_t ppc_mfspr(unsigned rt, unsigned spr)
{
	return ppc_x31(PPC_XO_MFSPR) | rt << 21 | ppc_spr_field(spr);
}
static inline uint32_t ppc_mtspr(unsigned spr, unsigned rs)
{
	return ppc_x31(PPC_XO_MTSPR) | rs << 21 | ppc_spr_field(spr);
}

/* D-form and DS-form memory access with a 16-bit displacement. */
#define PPC_OP_LWZ 32
#define PPC_OP_STW 36
#define PPC_OP_LD  58 /* DS-form, XO 0 */
#define PPC_OP_STD 62 /* DS-form, XO 0 */
#define PPC_OP_ADDI 14
#define PPC_OP_RLWINM 21
#define PPC_OP_ORI 24 /* ori rA,rS,UI: rS in the RT field */

static inline uint32_t ppc_dform(unsigned op, unsigned rt, unsigned ra, int d)
{
	return op << 26 | rt << 21 | ra << 16 | ((uint32_t)d & 0xffffu);
}

#define PPC_NOP 0x60000000u /* ori r0,r0,0 */
#define PPC_B_OPCODE 0x48000000u
#define PPC_B_MASK 0x03fffffcu
/* Reach of `b`: a signed 26-bit byte displacement, word aligned. */
#define PPC_B_MAX 0x01fffffcll
#define PPC_B_MIN (-0x02000000ll)

static inline uint32_t ppc_li(unsigned rt, int imm) { return ppc_dform(PPC_OP_ADDI, rt, 0, imm); }

/* mr rA,rS is or rA,rS,rS */
static inline uint32_t ppc_mr(unsigned ra, unsigned rs)
{
	return ppc_x31(PPC_XO_OR) | rs << 21 | ra << 16 | rs << 11;
}

static inline uint32_t ppc_rlwinm(unsigned ra, unsigned rs, unsigned sh, unsigned mb, unsigned me)
{
	return PPC_OP_RLWINM << 26 | rs << 21 | ra << 16 | sh << 11 | mb << 6 | me << 1;
}

static inline uint32_t ppc_with_rt(uint32_t w, unsigned rt) { return (w & ~PPC_RT_MASK) | rt << 21; }
static inline uint32_t ppc_with_rb(uint32_t w, unsigned rb) { return (w & ~PPC_RB_MASK) | rb << 11; }

#endif
