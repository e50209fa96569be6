/* The world around a kernel's PV patch code (arch/powerpc/kernel/kvm.o and
 * kvm_emul.o), for the cross compiler. Linked with them by build.sh into a
 * flat binary that emulator/kernel.c loads and runs; see docs/kernel-mode.md.
 *
 * It provides what kvm.o calls and nothing more: the ePAPR hypercall (in
 * hcall.S), the static key that says "this is a KVM guest", the icache
 * flush, on_each_cpu, fault_in_readable, the irq-restore helper, memcpy and
 * printk (a sink). The text-layout symbols (_stext, _etext, __end_interrupts,
 * kvm_tmp, kvm_tmp_end, kvm_template_start/end) are not here: the linker script makes them absolute
 * placeholders and the loader writes their real values at every run, so one
 * binary serves every text and template-area layout.
 *
 * The loader writes pv_kconf before a run and reads the recorded flushes
 * after it. No kernel header is included: the few kernel types involved are
 * restated below with the layout the kernel gives them under build.sh's
 * configuration (CONFIG_JUMP_LABEL off, so a static key is an atomic_t).
 */

typedef unsigned long ulong;

/* Set by the loader: the answers of the hypervisor model. */
struct pv_kconf {
	unsigned int hv_features;    /* KVM_HC_FEATURES: 1 << KVM_FEATURE_MAGIC_PAGE (1) */
	unsigned int magic_features; /* KVM_HC_PPC_MAP_MAGIC_PAGE: SR, MAS0_TO_SPRG7 */
};
struct pv_kconf pv_kconf;

/* What the run left: its icache flushes (the first PV_KFLUSH_MAX ranges,
 * [start, stop)). */
#define PV_KFLUSH_MAX 16384
unsigned int pv_kflushes;
ulong pv_kflush[PV_KFLUSH_MAX][2];

/* The kernel's globals that kvm.o reads. */
int kvm_guest[4] = {1};             /* DEFINE_STATIC_KEY_FALSE(kvm_guest), enabled: a KVM guest */
_Bool epapr_paravirt_enabled = 1;   /* the device tree named the ePAPR hypercall */
int powersave_nap;                  /* book3s64: kvm_guest_init sets it */
ulong __cpu_online_mask[64] = {1};  /* one CPU online */

/* Nothing to flush (unicorn sees the guest's stores to code); the ranges are
 * recorded so that the report shows the kernel's own flushes. */
void flush_icache_range(ulong start, ulong stop)
{
	if (pv_kflushes < PV_KFLUSH_MAX) {
		pv_kflush[pv_kflushes][0] = start;
		pv_kflush[pv_kflushes][1] = stop;
	}
	pv_kflushes++;
}

void arch_local_irq_restore(ulong flags)
{
	(void)flags; /* no interrupts are ever raised in this machine */
}

/* Touch the address for real: a magic page that is not mapped faults here,
 * and the loader reports the fault. */
ulong fault_in_readable(const char *p, ulong size)
{
	volatile const char *v = p;
	for (ulong i = 0; i < size; i++)
		(void)v[i];
	return 0;
}

void on_each_cpu_cond_mask(_Bool (*cond)(int, void *), void (*func)(void *), void *info,
			   _Bool wait, const void *mask)
{
	(void)wait;
	(void)mask;
	if (!cond || cond(0, info))
		func(info);
}

void *memcpy(void *dst, const void *src, ulong n)
{
	volatile char *d = dst;
	const char *s = src;
	for (ulong i = 0; i < n; i++)
		d[i] = s[i];
	return dst;
}

/* kvm.c prints whether patching worked and when the area is full; the
 * loader reads the outcome from the text and kvm_tmp_index instead. */
int _printk(const char *fmt, ...)
{
	(void)fmt;
	return 0;
}
