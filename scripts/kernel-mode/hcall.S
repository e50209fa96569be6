/* The ePAPR hypercall as kvm.o reaches it (`bl epapr_hypercall_start`,
 * token in r11, arguments r3-r10, status back in r3 and values in r4-r10),
 * answered here instead of by a hypervisor: the answers come from pv_kconf,
 * which the loader fills. And pv_kdone, where a run of the kernel's entry
 * point returns to and the loader stops.
 *
 * Tokens: (42 << 16) | nr, KVM_HC_FEATURES = 3, KVM_HC_PPC_MAP_MAGIC_PAGE = 4
 * (include/uapi/linux/kvm_para.h, arch/powerpc/include/uapi/asm/epapr_hcalls.h);
 * EV_UNIMPLEMENTED = 12.
 */
	.text
	.globl	epapr_hypercall_start
	.type	epapr_hypercall_start, @function
epapr_hypercall_start:
	lis	12, pv_kconf@ha
	addi	12, 12, pv_kconf@l
	rlwinm	0, 11, 16, 16, 31	/* vendor: 42 */
	cmpwi	0, 42
	bne	1f
	rlwinm	0, 11, 0, 16, 31	/* nr */
	cmpwi	0, 3
	beq	2f
	cmpwi	0, 4
	beq	3f
1:	li	3, 12
	blr
2:	lwz	4, 0(12)		/* hv_features */
	li	3, 0
	blr
3:	lwz	4, 4(12)		/* magic_features */
	li	3, 0
	blr
	.size	epapr_hypercall_start, . - epapr_hypercall_start

	.globl	pv_kdone
pv_kdone:
	b	pv_kdone

	.section .note.GNU-stack, "", @progbits
