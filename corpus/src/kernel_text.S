/* Kernel-like text for the fuzz_image seed corpus: the shapes in which the
 * privileged instructions appear in a guest kernel (interrupt masking,
 * exception entry and exit, MMU context switch, TLB maintenance), with
 * ordinary prologues, epilogues, loads, stores and branches around them.
 * Assembled twice by scripts/make-corpus.sh: PV64=0 (32-bit) and PV64=1. */

	.macro	PROLOGUE
	.if PV64
	mflr	r0
	std	r0, 16(r1)
	stdu	r1, -112(r1)
	.else
	mflr	r0
	stw	r0, 4(r1)
	stwu	r1, -32(r1)
	.endif
	.endm

	.macro	EPILOGUE
	.if PV64
	addi	r1, r1, 112
	ld	r0, 16(r1)
	.else
	addi	r1, r1, 32
	lwz	r0, 4(r1)
	.endif
	mtlr	r0
	blr
	.endm

	.text
/* exception entry: stash r13 in an SPRG, read the fault registers */
exc_entry:
	mtspr	272, r13		/* SPRG0 */
	mfspr	r13, 273		/* SPRG1: paca/thread */
	mtspr	274, r12
	mfspr	r12, 26			/* SRR0 */
	mfspr	r11, 27			/* SRR1 */
	mfspr	r10, 19			/* DAR */
	mfspr	r9, 18			/* DSISR */
	mfmsr	r8
	ori	r8, r8, 0x2		/* RI */
	mtmsrd	r8, 1
	b	do_fault

/* local_irq_save / local_irq_restore, Book3S style */
irq_save:
	PROLOGUE
	mfmsr	r3
	rlwinm	r4, r3, 0, 17, 15	/* clear EE */
	mtmsr	r4
	andi.	r3, r3, 0x8000
	EPILOGUE

irq_restore:
	PROLOGUE
	mfmsr	r4
	rlwimi	r4, r3, 0, 16, 16
	mtmsrd	r4, 1
	EPILOGUE

/* the same with wrtee/wrteei, BookE style */
booke_irq:
	PROLOGUE
	mfmsr	r3
	.long	0x7c000146		/* wrteei 0 */
	lwz	r5, 0(r1)
	addi	r5, r5, 1
	stw	r5, 0(r1)
	.long	0x7c600106		/* wrtee r3 */
	.long	0x7c008146		/* wrteei 1 */
	EPILOGUE

/* switch_mmu_context: reload sixteen segment registers */
switch_mmu:
	li	r0, 16
	mtctr	r0
	lis	r4, 0x2000
	li	r3, 0
1:	mtsrin	r3, r4
	addi	r3, r3, 0x111
	addis	r4, r4, 0x1000
	bdnz	1b
	isync
	blr

/* TLB maintenance and the BookE MAS registers */
tlb_flush:
	PROLOGUE
	mtspr	624, r3			/* MAS0 */
	mtspr	625, r4			/* MAS1 */
	mtspr	626, r5			/* MAS2 */
	mtspr	627, r6			/* MAS3 */
	mtspr	944, r7			/* MAS7 */
	mfspr	r8, 628			/* MAS4 */
	mfspr	r9, 630			/* MAS6 */
	sync
	tlbsync
	sync
	EPILOGUE

/* per-CPU data through SPRG4-7 and PIR */
percpu:
	mfspr	r3, 276
	mfspr	r4, 1023		/* PIR (Book3S) */
	mfspr	r5, 286			/* PIR (BookE) */
	mtspr	277, r3
	mfspr	r6, 260			/* SPRG4R */
	mfspr	r7, 62			/* ESR */
	mtspr	62, r7
	mtspr	61, r10			/* DEAR */
	blr

/* exception exit: restore SRR0/1 and the MSR, with r30/r31 in play */
exc_exit:
	mtspr	26, r30
	mtspr	27, r31
	mfmsr	r31
	mtmsrd	r31, 0
	mtmsr	r30
	mtsrin	r31, r30
	mfspr	r30, 272
	mfspr	r31, 273
	mtspr	275, r31
do_fault:
	cmpwi	r3, 0
	beq	2f
	bl	irq_save
	bl	irq_restore
2:	blr
