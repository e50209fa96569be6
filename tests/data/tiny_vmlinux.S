/* A tiny "kernel" for the --vmlinux tests (tests/vmlinux_elf.sh), assembled
 * and linked at test time by the cross binutils. Variants by --defsym:
 *   NO_TMP=1   no kvm_tmp symbol (a missing symbol)
 *   FAR=1      the template area 40 MiB after the sites (out of branch reach),
 *              the 40 MiB between them zeroes in the file
 *   HOLE=1     the same 40 MiB as a hole: the area in a section of its own
 *              40 MiB away, nothing in the file between (must be refused)
 *   VECTORS=1  __end_interrupts after the first two sites (the vectors rule)
 *   HAZARD=1   an mtsrin r31,r30 too (32-bit: the linux profile's hazard)
 * Sites: mfmsr r3 and mtmsrd r5,1 at the start, mfmsr r4 inside the template
 * code (never patched), mtmsrd r6,1 after the area. */
	.section .text, "ax"
	.globl	_stext, _etext, kvm_template_start, kvm_template_end, kvm_tmp_end
	.globl	__end_interrupts
_stext:
.ifndef VECTORS
__end_interrupts:			/* no site below it */
.endif
	mfmsr	3			/* site: single word */
	mtmsrd	5, 1			/* site: template */
.ifdef VECTORS
__end_interrupts:
.endif
	nop
	addi	3, 3, 1
.ifdef HAZARD
	mtsrin	31, 30			/* site: spec section 8 under linux */
.endif
kvm_template_start:
	mfmsr	4			/* template code: left alone */
	nop
.ifdef FAR
	.space	40 * 1024 * 1024
.endif
.ifdef HOLE
	.section .kvmtmp, "ax"
.endif
.ifndef NO_TMP
	.globl	kvm_tmp
kvm_tmp:
.endif
	.space	4096
kvm_tmp_end:
kvm_template_end:
	mtmsrd	6, 1			/* site after the area */
	blr
_etext:
	nop
