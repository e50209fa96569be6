/* The template routines (spec section 5), assembled at build time.
 *
 * Choice: these are assembled by the PPC cross binutils at build time
 * (scripts/gen-templates.sh, once with PV64=0 by powerpc-linux-gnu-as and
 * once with PV64=1 by powerpc64-linux-gnu-as) and the slot offsets are taken
 * from the pvt_* symbols. Why: the assembler, not a hand-typed hex table, is
 * then the authority on every encoding; a reader reviews real mnemonics; and
 * the 32- and 64-bit variants come from one source through the LD64/ST64
 * macros, so they cannot drift apart.
 *
 * Slots (word offsets found by symbol):
 *   pvt_T_reg     register slot: `mr r30,rS`, or a scratch load for r30/r31
 *   pvt_T_orig    the original instruction (placeholder: trap)
 *   pvt_T_branch  b back to the site's successor (placeholder: b .)
 *   mtsrin has rb_load/rb_use/rs_load/rs_use instead of reg; mfsrin has
 *   rb_load/rb_use and rt_set.
 *
 * Register use: r31 and r30 are scratch, cr0 is clobbered. ENTER saves
 * them in scratch1..3 and marks the critical section (critical = r1);
 * LEAVE restores them and clears it (critical = r2, never equal to r1).
 * Every path runs LEAVE before the original instruction or the return, so
 * the original always sees the guest's own registers.
 */

	.set	PAGE, -4096		/* the magic page at EA -4096 */
	.set	SCRATCH1, 0
	.set	SCRATCH2, 8
	.set	SCRATCH3, 16
	.set	CRITICAL, 24
	.set	MSR, 88
	.set	INT_PENDING, 100
	.set	SR, 104

	.set	MSR_EE, 0x8000
	.set	MSR_ME, 0x1000
	.set	MSR_RI, 0x0002
	.set	MSR_IR, 0x0020
	.set	MSR_DR, 0x0010

/* 64-bit page fields: ld/std on a 64-bit guest, their low word (+4) on a
 * 32-bit big-endian guest. */
	.macro	LD64 reg, field
	.if PV64
	ld	\reg, (PAGE + \field)(0)
	.else
	lwz	\reg, (PAGE + \field + 4)(0)
	.endif
	.endm

	.macro	ST64 reg, field
	.if PV64
	std	\reg, (PAGE + \field)(0)
	.else
	stw	\reg, (PAGE + \field + 4)(0)
	.endif
	.endm

	.macro	ENTER
	.ifndef MUTANT_critical_after_saves
	ST64	r1, CRITICAL
	.endif
	ST64	r31, SCRATCH1
	ST64	r30, SCRATCH2
	mfcr	r31
	ST64	r31, SCRATCH3
	.ifdef MUTANT_critical_after_saves
	ST64	r1, CRITICAL
	.endif
	.endm

	.macro	LEAVE
	.ifdef MUTANT_critical_cleared_early
	ST64	r2, CRITICAL
	.endif
	LD64	r31, SCRATCH3
	.ifndef MUTANT_cr_not_restored
	mtcr	r31
	.endif
	LD64	r31, SCRATCH1
	LD64	r30, SCRATCH2
	.ifdef MUTANT_critical_not_cleared
	ST64	r1, CRITICAL
	.else
	.ifndef MUTANT_critical_cleared_early
	ST64	r2, CRITICAL
	.endif
	.endif
	.endm

	.text

/* mtmsrd rS,1: only EE and RI change. */
pvt_mtmsrd_l1_start:
	ENTER
pvt_mtmsrd_l1_reg:
	mr	r30, r0
	andi.	r30, r30, MSR_EE | MSR_RI	/* the bits rS may change */
	LD64	r31, MSR
	ori	r31, r31, MSR_EE | MSR_RI
	xori	r31, r31, MSR_EE | MSR_RI	/* page MSR without EE, RI */
	or	r31, r31, r30
	ST64	r31, MSR
	andi.	r30, r30, MSR_EE
	beq	1f				/* EE now clear: nothing to deliver */
	lwz	r31, (PAGE + INT_PENDING)(0)
	.ifdef MUTANT_int_pending_ignored
	cmpw	r31, r31
	.else
	cmpwi	r31, 0
	.endif
	beq	1f
	LEAVE
pvt_mtmsrd_l1_orig:
	trap
	b	pvt_mtmsrd_l1_branch
1:	LEAVE
pvt_mtmsrd_l1_branch:
	b	.
pvt_mtmsrd_l1_end:

/* mtmsr rS and mtmsrd rS,0: the hypervisor sets the page MSR to rS. */
pvt_mtmsr_start:
	ENTER
pvt_mtmsr_reg:
	mr	r30, r0
	LD64	r31, MSR
	xor	r31, r31, r30
	.ifdef MUTANT_mtmsr_mask_me
	ori	r31, r31, MSR_EE | MSR_ME | MSR_RI
	xori	r31, r31, MSR_EE | MSR_ME | MSR_RI	/* too wide: ME counted as safe */
	.else
	ori	r31, r31, MSR_EE | MSR_RI
	xori	r31, r31, MSR_EE | MSR_RI	/* changed bits other than EE, RI */
	.endif
	mr.	r31, r31
	bne	2f				/* a critical bit changes */
	.ifdef MUTANT_mtmsr_no_store
	nop
	.else
	ST64	r30, MSR
	.endif
	andi.	r30, r30, MSR_EE
	beq	1f
	lwz	r31, (PAGE + INT_PENDING)(0)
	cmpwi	r31, 0
	beq	1f
2:	LEAVE
pvt_mtmsr_orig:
	trap
	b	pvt_mtmsr_branch
1:	LEAVE
pvt_mtmsr_branch:
	b	.
pvt_mtmsr_end:

/* wrtee rS and wrteei 1 (register slot: li r30,-0x8000, EE set). */
pvt_wrtee_start:
	ENTER
pvt_wrtee_reg:
	mr	r30, r0
	andi.	r30, r30, MSR_EE		/* the new EE, cr0 kept below */
	LD64	r31, MSR
	ori	r31, r31, MSR_EE
	xori	r31, r31, MSR_EE
	or	r31, r31, r30
	ST64	r31, MSR
	.ifdef MUTANT_wrtee_ee_inverted
	bne	1f
	.else
	beq	1f
	.endif
	lwz	r31, (PAGE + INT_PENDING)(0)
	cmpwi	r31, 0
	beq	1f
	LEAVE
pvt_wrtee_orig:
	trap
	b	pvt_wrtee_branch
1:	LEAVE
pvt_wrtee_branch:
	b	.
pvt_wrtee_end:

/* wrteei 0: clear EE in the page MSR; never traps. Fixed profile: clear the
 * bit with ori/xori, which leaves every other bit of a 64-bit MSR alone
 * (the linux profile's version is below, with the wrapping 32-bit mask). */
pvt_wrteei_0_start:
	ENTER
	LD64	r31, MSR
	ori	r31, r31, MSR_EE
	xori	r31, r31, MSR_EE
	ST64	r31, MSR
	LEAVE
pvt_wrteei_0_branch:
	b	.
pvt_wrteei_0_end:

/* mtsrin rS,rB: with translation on the hypervisor must act; otherwise
 * sr[rB >> 28] = rS. The two load slots fetch a saved r30/r31 (the linux
 * profile's version below has none: spec section 8). */
pvt_mtsrin_start:
	ENTER
	LD64	r31, MSR
	andi.	r31, r31, MSR_IR | MSR_DR
	.ifdef MUTANT_mtsrin_translation_ignored
	b	1f
	.else
	beq	1f
	.endif
	LEAVE
pvt_mtsrin_orig:
	trap
	b	pvt_mtsrin_branch
1:
pvt_mtsrin_rb_load:
	nop
pvt_mtsrin_rb_use:
	rlwinm	r30, r0, 6, 26, 29		/* (rB >> 28) * 4 */
pvt_mtsrin_rs_load:
	nop
pvt_mtsrin_rs_use:
	stw	r0, (PAGE + SR)(r30)
	LEAVE
pvt_mtsrin_branch:
	b	.
pvt_mtsrin_end:

/* mfsrin rT,rB (ours, not upstream: the worked example of
 * docs/adding-a-handler.md): with translation on, the original traps and the
 * hypervisor answers; otherwise rT = sr[rB >> 28] from the page. rb_load
 * fetches a saved r30/r31 as mtsrin's does; rt_set moves the value from r30
 * into rT, or, when rT is r30 or r31, into rT's saved copy so that LEAVE
 * restores it into rT. */
pvt_mfsrin_start:
	ENTER
	LD64	r31, MSR
	andi.	r31, r31, MSR_IR | MSR_DR
	beq	1f
	LEAVE
pvt_mfsrin_orig:
	trap
	b	pvt_mfsrin_branch
1:
pvt_mfsrin_rb_load:
	nop
pvt_mfsrin_rb_use:
	rlwinm	r30, r0, 6, 26, 29		/* (rB >> 28) * 4 */
	lwz	r30, (PAGE + SR)(r30)
pvt_mfsrin_rt_set:
	mr	r0, r30
	LEAVE
pvt_mfsrin_branch:
	b	.
pvt_mfsrin_end:

/* ---- the linux profile's templates ---------------------------------------
 *
 * The upstream kernel's routines (arch/powerpc/kernel/kvm_emul.S, Linux 6.1),
 * restated here so that the linux profile rewrites word for word as the
 * kernel does: the kernel profile (docs/kernel-mode.md) checks that against
 * the real code. They differ from the templates above in layout, not in
 * intent, except where spec section 8 says so:
 *  - KENTER/KLEAVE keep r31/r30 with the register width at the scratch
 *    field's first word (std, or stw at +0 on 32-bit), and CR with stw at
 *    scratch3 +0 whatever the width; critical is set and cleared as above.
 *  - the register slot is `ori r30,rS,0` (the kernel ORs rS into
 *    `ori r30,r0,0`); mtmsr has two of them (reg, reg2), loaded alike;
 *    r30/r31 come from their saved copies (ld, or lwz at +0).
 *  - mtsrin has no load slots: rb_use and rs_use take the guest's
 *    registers as they are (finding 1 of docs/findings.md).
 */
	.macro	STL reg, field			/* the kernel's PPC_STL */
	.if PV64
	std	\reg, (PAGE + \field)(0)
	.else
	stw	\reg, (PAGE + \field)(0)
	.endif
	.endm

	.macro	LL reg, field			/* the kernel's PPC_LL */
	.if PV64
	ld	\reg, (PAGE + \field)(0)
	.else
	lwz	\reg, (PAGE + \field)(0)
	.endif
	.endm

	.macro	KENTER
	ST64	r1, CRITICAL
	STL	r31, SCRATCH1
	STL	r30, SCRATCH2
	mfcr	r31
	stw	r31, (PAGE + SCRATCH3)(0)
	.endm

	.macro	KLEAVE
	LL	r31, SCRATCH1
	lwz	r30, (PAGE + SCRATCH3)(0)
	mtcr	r30
	LL	r30, SCRATCH2
	ST64	r2, CRITICAL
	.endm

	.set	NOT_EE_RI, ~(MSR_EE | MSR_RI)

/* mtmsrd rS,1: MSR = (MSR & ~(EE|RI)) | (rS & (EE|RI)); the original runs
 * when an interrupt is pending and EE is now set. */
pvt_mtmsrd_l1_linux_start:
	KENTER
	LD64	r31, MSR
	lis	r30, NOT_EE_RI@h
	ori	r30, r30, NOT_EE_RI@l
	and	r31, r31, r30
pvt_mtmsrd_l1_linux_reg:
	ori	r30, r0, 0
	andi.	r30, r30, MSR_EE | MSR_RI
	or	r31, r31, r30
	ST64	r31, MSR
	lwz	r31, (PAGE + INT_PENDING)(0)
	cmpwi	r31, 0
	beq+	1f
	andi.	r30, r30, MSR_EE
	beq	1f
	KLEAVE
pvt_mtmsrd_l1_linux_orig:
	tlbsync
	b	pvt_mtmsrd_l1_linux_branch
1:	KLEAVE
pvt_mtmsrd_l1_linux_branch:
	b	.
pvt_mtmsrd_l1_linux_end:

/* mtmsr rS, mtmsrd rS,0: the original runs when a bit other than EE, RI
 * changes, or when EE is set with an interrupt pending; otherwise the page
 * MSR becomes rS. */
pvt_mtmsr_linux_start:
	KENTER
	LD64	r31, MSR
pvt_mtmsr_linux_reg:
	ori	r30, r0, 0
	xor	r31, r30, r31
	lis	r30, NOT_EE_RI@h
	ori	r30, r30, NOT_EE_RI@l
	and.	r31, r31, r30
	beq	2f
1:	KLEAVE
pvt_mtmsr_linux_orig:
	mtmsr	r0
	b	pvt_mtmsr_linux_branch
2:
pvt_mtmsr_linux_reg2:
	ori	r30, r0, 0
	ST64	r30, MSR
	lwz	r31, (PAGE + INT_PENDING)(0)
	cmpwi	r31, 0
	beq+	3f
	andi.	r31, r30, MSR_EE
	bne	1b
3:	KLEAVE
pvt_mtmsr_linux_branch:
	b	.
pvt_mtmsr_linux_end:

/* wrtee rS, wrteei 1: insert rS's EE into the page MSR; the original runs
 * when EE is now set with an interrupt pending. */
pvt_wrtee_linux_start:
	KENTER
	LD64	r31, MSR
pvt_wrtee_linux_reg:
	ori	r30, r0, 0
	rlwimi	r31, r30, 0, 16, 16		/* MSR_EE */
	andi.	r30, r30, MSR_EE
	ST64	r31, MSR
	beq	1f
	lwz	r30, (PAGE + INT_PENDING)(0)
	cmpwi	r30, 0
	bne	2f
1:	KLEAVE
pvt_wrtee_linux_branch:
	b	.
2:	KLEAVE
pvt_wrtee_linux_orig:
	wrtee	r0
	b	pvt_wrtee_linux_branch
pvt_wrtee_linux_end:

/* wrteei 0 with the wrapping 32-bit mask (finding 2 of docs/findings.md). */
pvt_wrteei_0_linux_start:
	KENTER
	LD64	r31, MSR
	rlwinm	r31, r31, 0, 17, 15		/* ~MSR_EE as a 32-bit mask */
	ST64	r31, MSR
	KLEAVE
pvt_wrteei_0_linux_branch:
	b	.
pvt_wrteei_0_linux_end:

/* mtsrin rS,rB: the original runs with translation on; otherwise
 * sr[rB >> 28] = rS through r30, with the guest's rB and rS as they are. */
pvt_mtsrin_linux_start:
	KENTER
	LD64	r31, MSR
	andi.	r31, r31, MSR_DR | MSR_IR
	beq	1f
	KLEAVE
pvt_mtsrin_linux_orig:
	nop
	b	pvt_mtsrin_linux_branch
1:
pvt_mtsrin_linux_rb_use:
	rlwinm	r30, r0, 6, 26, 29		/* (rB >> 28) * 4 */
pvt_mtsrin_linux_rs_use:
	stw	r0, (PAGE + SR)(r30)
	KLEAVE
pvt_mtsrin_linux_branch:
	b	.
pvt_mtsrin_linux_end:
