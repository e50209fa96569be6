/* The world around a kernel's PV patch code (arch/powerpc/kernel/kvm.o and
 * kvm_emul.o), for the cross compiler. Linked with them by build.sh into a
 * flat binary that emulator/kernel.c loads and runs; see docs/kernel-mode.md.
 *
 * It provides what kvm.o calls and nothing more: the ePAPR hypercall (in
 * hcall.S), the static key that says "this is a KVM guest", the icache
 * flush, on_each_cpu, fault_in_readable, the irq-restore helper, memcpy and
 * printk. The text-layout symbols (_stext, _etext, __end_interrupts,
 * kvm_tmp, kvm_tmp_end) are not here: the linker script makes them absolute
 * placeholders and the loader writes their real values at every run, so one
 * binary serves every text and template-area layout.
 *
 * The loader writes pv_kconf before a run and reads pv_klog and the counters
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

/* What the run left: printk text, icache flushes (the first PV_KFLUSH_MAX
 * ranges, [start, stop)), hypercalls seen. */
#define PV_KFLUSH_MAX 16384
char pv_klog[4096];
unsigned int pv_klog_len;
unsigned int pv_kflushes;
ulong pv_kflush[PV_KFLUSH_MAX][2];
unsigned int pv_khcalls;

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

static void log_char(char c)
{
	if (pv_klog_len < sizeof pv_klog - 1)
		pv_klog[pv_klog_len++] = c;
}

static void log_str(const char *s)
{
	while (s && *s)
		log_char(*s++);
}

static void log_num(long v, int is_signed)
{
	char buf[24];
	int n = 0;
	ulong u = (ulong)v;
	if (is_signed && v < 0) {
		log_char('-');
		u = (ulong)-v;
	}
	do
		buf[n++] = (char)('0' + u % 10);
	while ((u /= 10) && n < (int)sizeof buf);
	while (n)
		log_char(buf[--n]);
}

/* printk's %d, %u, %ld, %lu and %s, which are all kvm.c uses; the KERN_*
 * level prefix ("\001" and a digit) is dropped. */
int _printk(const char *fmt, ...)
{
	__builtin_va_list ap;
	__builtin_va_start(ap, fmt);
	if (fmt[0] == '\001' && fmt[1])
		fmt += 2;
	for (; *fmt; fmt++) {
		if (*fmt != '%') {
			log_char(*fmt);
			continue;
		}
		int is_long = 0;
		if (fmt[1] == 'l') {
			is_long = 1;
			fmt++;
		}
		switch (*++fmt) {
		case 'd':
		case 'i':
			log_num(is_long ? __builtin_va_arg(ap, long) : __builtin_va_arg(ap, int), 1);
			break;
		case 'u':
			log_num(is_long ? (long)__builtin_va_arg(ap, ulong) : (long)__builtin_va_arg(ap, unsigned), 0);
			break;
		case 's':
			log_str(__builtin_va_arg(ap, const char *));
			break;
		case '\0':
			fmt--;
			break;
		default:
			log_char('%');
			log_char(*fmt);
		}
	}
	__builtin_va_end(ap);
	return 0;
}
