/* The kernel profile: a kernel tree's own PV patch code, built by
 * scripts/kernel-mode/build.sh into a flat binary, run in unicorn over the
 * caller's text image and template area. It is a profile implementation
 * (struct pv_profile_impl, held by the context), so every command and fuzz target
 * that patches can use it. docs/kernel-mode.md has the whole picture.
 *
 * Memory while the kernel's code runs (real mode, so on 64-bit flavors the
 * top four address bits are ignored, as in machine.c):
 *   0x7e000000  the binary (kvm.o, kvm_emul.o, shim), then zeroed bss,
 *               a scratch block for r13 (paca) / r2 (current), the stack
 *   text, area  the caller's, at their own addresses
 *   -4096       the magic page, only read by the self-test
 * The layout symbols (_stext, _etext, __end_interrupts, kvm_tmp,
 * kvm_tmp_end, kvm_template_start/end) are written into the binary at each
 * run from the relocations build.sh listed.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "emu.h"
#include "emu_uc.h"
#include "ppc_insn.h"

#define REGION_SIZE (2u << 20)
#define SCRATCH_OFF 0x100000u /* r13 and r2 point here: 64 KiB of zeroes */
#define SCRATCH_SIZE 0x10000u
#define STACK_TOP (REGION_SIZE - 0x1000u)
#define STACK_SIZE 0x40000u /* the stack the kernel's code may use, below STACK_TOP */
/* A run's bound: translated blocks, counted by a block hook. (unicorn's own
 * timeout starts and joins a watchdog thread on every uc_emu_start, which
 * cost milliseconds per run; a count is also the same on every machine.)
 * The kernel's loop takes a few blocks per text word. */
#define RUN_BLOCKS_BASE 20000000ull
#define RUN_BLOCKS_PER_WORD 64ull

enum ksym { /* placeholders the loader fills */
	KS_STEXT, KS_ETEXT, KS_END_INTERRUPTS, KS_TMP, KS_TMP_END, KS_TEMPLATE_START, KS_TEMPLATE_END, KS_N
};
static const char *const ksym_names[KS_N] = {
	"_stext", "_etext", "__end_interrupts", "kvm_tmp", "kvm_tmp_end", "kvm_template_start", "kvm_template_end",
};

enum kvar { /* addresses inside the binary the loader reads or writes */
	KV_ENTRY, KV_DONE, KV_CONF, KV_FLUSHES, KV_FLUSH, KV_TMP_INDEX, KV_BSS_END, KV_N
};
static const char *const kvar_names[KV_N] = {
	"kvm_guest_init", "pv_kdone", "pv_kconf", "pv_kflushes", "pv_kflush", "kvm_tmp_index", "pv_bss_end",
};
#define KFLUSH_MAX 16384u /* shim.c's PV_KFLUSH_MAX */

enum rtype { R_ADDR64, R_ADDR32, R_LO, R_HI, R_HA };
static const struct {
	const char *name;
	enum rtype type;
} rtypes[] = {
	{"R_PPC64_ADDR64", R_ADDR64}, {"R_PPC64_ADDR32", R_ADDR32}, {"R_PPC_ADDR32", R_ADDR32},
	{"R_PPC64_ADDR16_LO", R_LO},  {"R_PPC_ADDR16_LO", R_LO},    {"R_PPC64_ADDR16_HI", R_HI},
	{"R_PPC_ADDR16_HI", R_HI},    {"R_PPC64_ADDR16_HA", R_HA},  {"R_PPC_ADDR16_HA", R_HA},
};

struct kreloc {
	uint64_t at;
	enum rtype type;
	enum ksym sym;
	int64_t addend;
};

struct kmap { /* a guest range mapped for the caller's text or area */
	uint64_t phys, size;
	uint8_t *mem;
};

struct pv_kernel {
	enum pv_flavor flavor;
	bool is64, elfv1, elfv2;
	bool vectors_rule;
	bool layout_refused; /* the last map_ranges() failed on an overlap */
	char release[64];
	char label[700]; /* "kernel:DIR (Linux release)", as every output names the profile */
	uint64_t base;
	uint8_t *bin;
	size_t bin_size;
	uint64_t var[KV_N];
	struct kreloc *rel;
	size_t nrel;

	/* the kernel's own templates, from its kvm_emulate_* symbols (build.sh
	 * writes them as `tmpl` lines): what listings and the layout-free
	 * checks use instead of our engine's layouts */
	struct ktmpl {
		uint64_t start;
		unsigned len;
		int slot[5]; /* reg(1), reg2, orig_ins, branch, -1 where absent */
	} tm[PV_NTMPL];
	struct pv_tmpl_layout layouts[PV_NTMPL];
	uint32_t *tmpl_words[PV_NTMPL];

	uc_engine *uc;
	uc_context *clean; /* the CPU as opened: every run starts from it */
	uint8_t *region, *page;
	struct kmap map[2];
	unsigned nmap;
	uint64_t last_val[KS_N]; /* layout written at the last run */
	bool ran;

	/* the last run */
	char err[512];
	unsigned flushes;
	uint64_t fault_addr;
	int fault_kind; /* 0 none, 1 memory, 2 exception */
	uint32_t intno;
	uint64_t blocks, block_limit;
	bool out_of_blocks;
};


static void kerr(struct pv_kernel *k, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(k->err, sizeof k->err, fmt, ap);
	va_end(ap);
}

static uint64_t phys(const struct pv_kernel *k, uint64_t a)
{
	return k->is64 ? a & 0x0fffffffffffffffull : a & 0xffffffffull;
}

/* ---- loading --------------------------------------------------------------- */

static int read_file(const char *path, uint8_t **out, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return -1;
	size_t cap = 1 << 16, n = 0;
	uint8_t *b = malloc(cap);
	size_t r;
	while (b && (r = fread(b + n, 1, cap - n, f)) > 0) {
		n += r;
		if (n == cap) {
			uint8_t *nb = realloc(b, cap *= 2);
			if (!nb)
				free(b);
			b = nb;
		}
	}
	fclose(f);
	if (!b)
		return -1;
	*out = b;
	*len = n;
	return 0;
}

static uint64_t get_n(const struct pv_kernel *k, const uint8_t *p, unsigned n);

/* "tmpl NAME START len N SLOT OFFS ..." (scripts/kernel-mode/build.sh) */
static int parse_tmpl(struct pv_kernel *k, const char *line, unsigned lineno, const char *path)
{
	static const struct {
		const char *name;
		enum pv_tmpl t;
	} names[] = {{"mtmsrd", PV_T_MTMSRD_L1}, {"mtmsr", PV_T_MTMSR}, {"wrtee", PV_T_WRTEE},
		     {"wrteei_0", PV_T_WRTEEI_0}, {"mtsrin", PV_T_MTSRIN}};
	static const char *const slots[] = {"reg", "reg2", "orig_ins", "branch"};
	char name[32], key[32];
	unsigned long long start, val;
	int used, pos;
	if (sscanf(line, "tmpl %31s %lli len %llu%n", name, &start, &val, &pos) != 3) {
		kerr(k, "%s:%u: a tmpl line must read 'tmpl NAME START len N SLOT OFFS ...'", path, lineno);
		return -1;
	}
	int t = -1;
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
		if (!strcmp(name, names[i].name))
			t = (int)names[i].t;
	if (t < 0) {
		kerr(k, "%s:%u: unknown template '%s'", path, lineno, name);
		return -1;
	}
	struct ktmpl *m = &k->tm[t];
	*m = (struct ktmpl){.start = start, .len = (unsigned)val, .slot = {-1, -1, -1, -1, -1}};
	for (const char *p = line + pos; sscanf(p, " %31s %llu%n", key, &val, &used) == 2; p += used) {
		const char *k2 = !strcmp(key, "reg1") ? "reg" : key; /* reg1: the first register slot */
		int si = -1;
		for (size_t i = 0; i < sizeof slots / sizeof slots[0]; i++)
			if (!strcmp(k2, slots[i]))
				si = (int)i;
		if (si < 0 || val >= m->len) {
			kerr(k, "%s:%u: slot %s at word %llu of a %u-word template", path, lineno, key, val, m->len);
			return -1;
		}
		m->slot[si] = (int)val;
	}
	if (!m->len || m->len > PV_TMPL_MAX_WORDS || m->slot[3] < 0) {
		kerr(k, "%s:%u: template %s: %u words (1 to %u), and it needs a branch slot", path, lineno, name, m->len,
		     PV_TMPL_MAX_WORDS);
		return -1;
	}
	return 0;
}

/* The kernel's templates as pv_tmpl_layout, their words read from the binary. */
static int make_layouts(struct pv_kernel *k)
{
	for (unsigned t = 0; t < PV_NTMPL; t++) {
		const struct ktmpl *m = &k->tm[t];
		struct pv_tmpl_layout *l = &k->layouts[t];
		*l = (struct pv_tmpl_layout){.name = "", .reg = -1, .reg2 = -1, .orig = -1, .branch = -1, .rb_load = -1,
					     .rb_use = -1, .rs_load = -1, .rs_use = -1, .rt_set = -1};
		if (!m->len)
			continue; /* not in this build (wrtee on Book3S, mtsrin off book3s32, ...) */
		if (m->start < k->base || m->start - k->base > k->bin_size || 4ull * m->len > k->bin_size - (m->start - k->base)) {
			kerr(k, "template %u lies outside the binary", t);
			return -1;
		}
		uint32_t *w = k->tmpl_words[t] = malloc(4u * m->len);
		if (!w) {
			kerr(k, "out of memory");
			return -1;
		}
		for (unsigned i = 0; i < m->len; i++)
			w[i] = (uint32_t)get_n(k, k->bin + (m->start - k->base) + 4 * i, 4);
		static const char *const tnames[PV_NTMPL] = {"mtmsrd_l1", "mtmsr", "wrtee", "wrteei_0", "mtsrin", "mfsrin"};
		l->name = tnames[t];
		l->words = w;
		l->nwords = m->len;
		l->orig = m->slot[2];
		l->branch = m->slot[3];
		if (t == PV_T_MTSRIN) { /* reg1: rB into the index, reg2: rS into the store (kvm.c) */
			l->rb_use = m->slot[0];
			l->rs_use = m->slot[1];
		} else {
			l->reg = m->slot[0];
			l->reg2 = m->slot[1];
		}
	}
	return 0;
}

static int parse_meta_line(struct pv_kernel *k, char *line, unsigned lineno, const char *path)
{
	char a[128], b[128], c[128], d[128];
	int n = sscanf(line, "%127s %127s %127s %127s", a, b, c, d);
	if (n <= 0)
		return 0;
	if (!strcmp(a, "pvfuzz-kernel-mode")) {
		if (n < 2 || strcmp(b, "3")) {
			kerr(k, "%s: format version %s, this pvfuzz reads version 3: rebuild with scripts/kernel-mode/build.sh",
			     path, n < 2 ? "?" : b);
			return -1;
		}
	} else if (!strcmp(a, "tmpl") && n >= 4) {
		return parse_tmpl(k, line, lineno, path);
	} else if (!strcmp(a, "flavor") && n >= 2) {
		enum pv_flavor f;
		if (pv_flavor_parse(b, &f) != 0 || f != k->flavor) {
			kerr(k, "%s: built for flavor %s, not %s", path, b, pv_flavor_info(k->flavor)->name);
			return -1;
		}
	} else if (!strcmp(a, "release") && n >= 2) {
		snprintf(k->release, sizeof k->release, "%s", b);
	} else if (!strcmp(a, "base") && n >= 2) {
		k->base = strtoull(b, NULL, 0);
	} else if (!strcmp(a, "vectors_rule") && n >= 2) {
		k->vectors_rule = !strcmp(b, "yes");
	} else if (!strcmp(a, "abi") && n >= 2) {
		k->elfv1 = !strcmp(b, "elfv1");
		k->elfv2 = !strcmp(b, "elfv2");
	} else if (!strcmp(a, "sym") && n >= 3) {
		for (unsigned i = 0; i < KV_N; i++)
			if (!strcmp(b, kvar_names[i]))
				k->var[i] = strtoull(c, NULL, 0);
	} else if (!strcmp(a, "reloc") && n >= 4) {
		struct kreloc r = {.at = strtoull(b, NULL, 0), .type = (enum rtype)-1, .sym = KS_N};
		for (unsigned i = 0; i < sizeof rtypes / sizeof rtypes[0]; i++)
			if (!strcmp(c, rtypes[i].name))
				r.type = rtypes[i].type;
		for (unsigned i = 0; i < KS_N; i++)
			if (!strcmp(d, ksym_names[i]))
				r.sym = (enum ksym)i;
		char e[64] = "0";
		sscanf(line, "%*s %*s %*s %*s %63s", e);
		r.addend = strtoll(e, NULL, 0);
		if ((int)r.type < 0 || r.sym == KS_N) {
			kerr(k, "%s:%u: relocation %s against %s is not supported", path, lineno, c, d);
			return -1;
		}
		struct kreloc *nr = realloc(k->rel, (k->nrel + 1) * sizeof *nr);
		if (!nr)
			return -1;
		k->rel = nr;
		k->rel[k->nrel++] = r;
	}
	return 0;
}

static int load_meta(struct pv_kernel *k, const char *path)
{
	FILE *f = fopen(path, "r");
	if (!f) {
		kerr(k, "%s: %s (build it: scripts/kernel-mode/build.sh --flavor %s)", path, strerror(errno),
		     pv_flavor_info(k->flavor)->name);
		return -1;
	}
	char line[1024];
	unsigned no = 0;
	int rc = 0;
	while (rc == 0 && fgets(line, sizeof line, f))
		rc = parse_meta_line(k, line, ++no, path);
	fclose(f);
	if (rc)
		return -1;
	for (unsigned i = 0; i < KV_N; i++)
		if (!k->var[i]) {
			kerr(k, "%s: symbol %s missing", path, kvar_names[i]);
			return -1;
		}
	if (k->base != 0x7e000000u) {
		kerr(k, "%s: base 0x%llx, expected 0x7e000000", path, (unsigned long long)k->base);
		return -1;
	}
	return 0;
}

static void unmap_all(struct pv_kernel *k)
{
	for (unsigned i = 0; i < k->nmap; i++) {
		uc_mem_unmap(k->uc, k->map[i].phys, k->map[i].size);
		free(k->map[i].mem);
	}
	k->nmap = 0;
}

void pv_kernel_free(struct pv_kernel *k)
{
	if (!k)
		return;
	if (k->clean)
		uc_context_free(k->clean);
	if (k->uc) {
		unmap_all(k);
		uc_close(k->uc);
	}
	free(k->region);
	free(k->page);
	free(k->bin);
	free(k->rel);
	for (unsigned t = 0; t < PV_NTMPL; t++)
		free(k->tmpl_words[t]);
	free(k);
}

static bool on_invalid(uc_engine *uc, uc_mem_type type, uint64_t addr, int size, int64_t value, void *user);
static void on_intr(uc_engine *uc, uint32_t intno, void *user);

static void on_block(uc_engine *uc, uint64_t addr, uint32_t size, void *user)
{
	struct pv_kernel *k = user;
	(void)addr, (void)size;
	if (++k->blocks > k->block_limit && !k->out_of_blocks) {
		k->out_of_blocks = true;
		uc_emu_stop(uc);
	}
}

bool pv_kernel_present(const char *dir, enum pv_flavor f)
{
	char path[600];
	snprintf(path, sizeof path, "%s/%s/kernel.meta", dir, pv_flavor_info(f)->name);
	return access(path, F_OK) == 0;
}

struct pv_kernel *pv_kernel_open(const char *dir, enum pv_flavor f, char *err, size_t errlen)
{
	struct pv_kernel *k = calloc(1, sizeof *k);
	char path[600];
	if (!k) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	k->flavor = f;
	k->is64 = pv_flavor_info(f)->is64;
	snprintf(path, sizeof path, "%s/%s/kernel.meta", dir, pv_flavor_info(f)->name);
	if (load_meta(k, path) != 0)
		goto fail;
	snprintf(k->label, sizeof k->label, "kernel:%s (Linux %s)", dir, k->release[0] ? k->release : "unknown");
	snprintf(path, sizeof path, "%s/%s/kernel.bin", dir, pv_flavor_info(f)->name);
	if (read_file(path, &k->bin, &k->bin_size) != 0) {
		kerr(k, "%s: %s", path, strerror(errno));
		goto fail;
	}
	if (k->var[KV_BSS_END] < k->base + k->bin_size || k->var[KV_BSS_END] > k->base + SCRATCH_OFF) {
		kerr(k, "%s: pv_bss_end 0x%llx lies outside 0x%llx..0x%llx", path, (unsigned long long)k->var[KV_BSS_END],
		     (unsigned long long)(k->base + k->bin_size), (unsigned long long)(k->base + SCRATCH_OFF));
		goto fail;
	}
	if (k->bin_size == 0 || k->bin_size > SCRATCH_OFF) {
		kerr(k, "%s: %zu bytes, expected 1 to %u", path, k->bin_size, SCRATCH_OFF);
		goto fail;
	}
	for (size_t i = 0; i < k->nrel; i++)
		if (k->rel[i].at < k->base || k->rel[i].at + 8 > k->base + k->bin_size) {
			kerr(k, "%s: a relocation at 0x%llx lies outside the binary", path,
			     (unsigned long long)k->rel[i].at);
			goto fail;
		}
	if (make_layouts(k) != 0)
		goto fail;
	k->region = pv_emu_page_alloc(REGION_SIZE);
	k->page = pv_emu_page_alloc(PV_MAGIC_PAGE_SIZE);
	if (!k->region || !k->page) {
		kerr(k, "out of memory");
		goto fail;
	}
	const char *step;
	uc_err e = pv_uc_open(f, &k->uc, &step);
	if (e == UC_ERR_OK) {
		step = "map memory";
		if ((e = uc_mem_map_ptr(k->uc, k->base, REGION_SIZE, UC_PROT_ALL, k->region)) == UC_ERR_OK)
			e = uc_mem_map_ptr(k->uc, pv_emu_page_phys(f), PV_MAGIC_PAGE_SIZE, UC_PROT_READ | UC_PROT_WRITE,
					   k->page);
		uc_hook h;
		step = "add hooks";
		if (e == UC_ERR_OK && (e = uc_hook_add(k->uc, &h, UC_HOOK_MEM_INVALID, (void *)on_invalid, k, 1, 0)) == UC_ERR_OK)
			e = uc_hook_add(k->uc, &h, UC_HOOK_INTR, (void *)on_intr, k, 1, 0);
		if (e == UC_ERR_OK)
			e = uc_hook_add(k->uc, &h, UC_HOOK_BLOCK, (void *)on_block, k, 1, 0);
		step = "save the CPU's context";
		if (e == UC_ERR_OK && (e = uc_context_alloc(k->uc, &k->clean)) == UC_ERR_OK)
			e = uc_context_save(k->uc, k->clean);
	}
	if (e != UC_ERR_OK) {
		kerr(k, "%s: cannot %s: %s", pv_flavor_info(f)->name, step, uc_strerror(e));
		goto fail;
	}
	return k;
fail:
	snprintf(err, errlen, "kernel profile: %s", k->err);
	pv_kernel_free(k);
	return NULL;
}

/* ---- one run ----------------------------------------------------------------- */

static uint64_t get_n(const struct pv_kernel *k, const uint8_t *p, unsigned n)
{
	uint64_t v = 0;
	bool le = pv_flavor_info(k->flavor)->little_endian;
	for (unsigned i = 0; i < n; i++)
		v |= (uint64_t)p[le ? i : n - 1 - i] << (8 * i);
	return v;
}

static void put_n(const struct pv_kernel *k, uint8_t *p, unsigned n, uint64_t v)
{
	bool le = pv_flavor_info(k->flavor)->little_endian;
	for (unsigned i = 0; i < n; i++)
		p[le ? i : n - 1 - i] = (uint8_t)(v >> (8 * i));
}

static uint8_t *at(struct pv_kernel *k, uint64_t addr) { return k->region + (addr - k->base); }

static void relocate(struct pv_kernel *k, const uint64_t val[KS_N])
{
	for (size_t i = 0; i < k->nrel; i++) {
		const struct kreloc *r = &k->rel[i];
		uint64_t v = val[r->sym] + (uint64_t)r->addend;
		uint8_t *p = at(k, r->at);
		switch (r->type) {
		case R_ADDR64: put_n(k, p, 8, v); break;
		case R_ADDR32: put_n(k, p, 4, v & 0xffffffffu); break;
		case R_LO: put_n(k, p, 2, v & 0xffff); break;
		case R_HI: put_n(k, p, 2, (v >> 16) & 0xffff); break;
		case R_HA: put_n(k, p, 2, ((v + 0x8000) >> 16) & 0xffff); break;
		}
	}
}

/* Maps the caller's text and area (each rounded out to pages; merged when
 * they share pages). The same ranges as the last run are reused. */
static int map_ranges(struct pv_kernel *k, const struct pv_image *img, const struct pv_area *area)
{
	struct kmap want[2];
	unsigned n = 0;
	k->layout_refused = false;
	uint64_t lo[2] = {phys(k, img->base), phys(k, area->addr)};
	uint64_t hi[2] = {lo[0] + img->len, lo[1] + area->size};
	for (unsigned i = 0; i < 2; i++) {
		if (hi[i] == lo[i])
			continue;
		uint64_t a = lo[i] & ~4095ull, b = (hi[i] + 4095) & ~4095ull;
		if (n == 1 && a < want[0].phys + want[0].size && b > want[0].phys) {
			uint64_t na = a < want[0].phys ? a : want[0].phys;
			uint64_t nb = b > want[0].phys + want[0].size ? b : want[0].phys + want[0].size;
			want[0].phys = na;
			want[0].size = nb - na;
			continue;
		}
		want[n++] = (struct kmap){a, b - a, NULL};
	}
	for (unsigned i = 0; i < n; i++) {
		uint64_t a = want[i].phys, b = a + want[i].size;
		if (a < k->base + REGION_SIZE && b > k->base) {
			kerr(k, "the text or template area overlaps the kernel code's own region 0x%llx-0x%llx",
			     (unsigned long long)k->base, (unsigned long long)(k->base + REGION_SIZE));
			k->layout_refused = true;
			return -1;
		}
		uint64_t pg = pv_emu_page_phys(k->flavor);
		if (a < pg + PV_MAGIC_PAGE_SIZE && b > pg) {
			kerr(k, "the text or template area overlaps the magic page");
			k->layout_refused = true;
			return -1;
		}
	}
	bool same = n == k->nmap;
	for (unsigned i = 0; same && i < n; i++)
		same = want[i].phys == k->map[i].phys && want[i].size == k->map[i].size;
	if (same) {
		for (unsigned i = 0; i < n; i++)
			memset(k->map[i].mem, 0, k->map[i].size);
		return 0;
	}
	unmap_all(k);
	for (unsigned i = 0; i < n; i++) {
		want[i].mem = pv_emu_page_alloc(want[i].size);
		uc_err e = want[i].mem ? uc_mem_map_ptr(k->uc, want[i].phys, want[i].size, UC_PROT_ALL, want[i].mem)
				       : UC_ERR_NOMEM;
		if (e != UC_ERR_OK) {
			free(want[i].mem);
			kerr(k, "cannot map 0x%llx bytes at 0x%llx: %s", (unsigned long long)want[i].size,
			     (unsigned long long)want[i].phys, uc_strerror(e));
			return -1;
		}
		k->map[k->nmap++] = want[i];
	}
	return 0;
}

/* Host memory behind guest address a (which a mapping covers). */
static uint8_t *guest(struct pv_kernel *k, uint64_t a)
{
	uint64_t p = phys(k, a);
	for (unsigned i = 0; i < k->nmap; i++)
		if (p - k->map[i].phys < k->map[i].size)
			return k->map[i].mem + (p - k->map[i].phys);
	return NULL;
}

static bool on_invalid(uc_engine *uc, uc_mem_type type, uint64_t addr, int size, int64_t value, void *user)
{
	struct pv_kernel *k = user;
	(void)uc, (void)type, (void)size, (void)value;
	if (!k->fault_kind) {
		k->fault_kind = 1;
		k->fault_addr = addr;
	}
	return false;
}

static void on_intr(uc_engine *uc, uint32_t intno, void *user)
{
	struct pv_kernel *k = user;
	if (!k->fault_kind) {
		k->fault_kind = 2;
		k->intno = intno;
	}
	uc_emu_stop(uc);
}

static void reg(struct pv_kernel *k, int r, uint64_t v) { uc_reg_write(k->uc, r, &v); }

/* Runs kvm_guest_init() over what is mapped. */
static int run_kernel(struct pv_kernel *k, uint64_t text_words)
{
	uint64_t pc, toc = 0, entry = k->var[KV_ENTRY];
	if (k->elfv1) { /* a function descriptor: code address, TOC */
		pc = get_n(k, at(k, entry), 8);
		toc = get_n(k, at(k, entry) + 8, 8);
	} else {
		pc = entry;
	}
	uc_context_restore(k->uc, k->clean); /* MSR and all, whatever the last run left */
	for (int i = 0; i < 32; i++)
		reg(k, UC_PPC_REG_0 + i, 0);
	reg(k, UC_PPC_REG_1, k->base + STACK_TOP);
	reg(k, UC_PPC_REG_2, k->is64 ? toc : k->base + SCRATCH_OFF); /* ppc32: r2 is `current` */
	reg(k, UC_PPC_REG_12, pc);                                      /* ELFv2 global entry */
	reg(k, UC_PPC_REG_13, k->base + SCRATCH_OFF);                   /* ppc64: the paca */
	reg(k, UC_PPC_REG_LR, k->var[KV_DONE]);
	k->fault_kind = 0;
	k->blocks = 0;
	k->block_limit = RUN_BLOCKS_BASE + RUN_BLOCKS_PER_WORD * text_words;
	k->out_of_blocks = false;
	uc_err e = uc_emu_start(k->uc, pc, k->var[KV_DONE], 0, 0);
	uint64_t end = 0;
	uc_reg_read(k->uc, UC_PPC_REG_PC, &end);
	if (k->fault_kind == 1) {
		kerr(k, "the kernel's code faulted at 0x%llx on an access to 0x%llx", (unsigned long long)end,
		     (unsigned long long)k->fault_addr);
		return -1;
	}
	if (k->fault_kind == 2) {
		kerr(k, "the kernel's code took exception %u at 0x%llx", k->intno, (unsigned long long)end);
		return -1;
	}
	if (e != UC_ERR_OK || end != k->var[KV_DONE]) {
		kerr(k, "the kernel's code did not return (stopped at 0x%llx%s%s)", (unsigned long long)end,
		     e != UC_ERR_OK ? ": " : k->out_of_blocks ? ", after its limit of blocks" : "",
		     e != UC_ERR_OK ? uc_strerror(e) : "");
		return -1;
	}
	return 0;
}

static bool in_range(uint64_t a, uint64_t start, uint64_t len) { return a - start < len; }

/* Words hidden from the kernel's loop: the caller's skip ranges, except
 * where the area lies (its contents are the kernel's to use). */
static bool masked(const struct pv_patch_opts *opts, const struct pv_area *area, uint64_t a)
{
	return pv_patch_leaves(opts, NULL, a) && !in_range(a, area->addr, area->size);
}

/* The kernel's flush_icache_range() calls, in order; when more than the
 * shim recorded, every changed word and the area's new part instead. */
static bool flushes(struct pv_kernel *k, const struct pv_ctx *ctx, const struct pv_image *img, const uint8_t *before,
		    const struct pv_area *area, uint64_t used_before, struct pv_report *rep)
{
	unsigned w = k->is64 ? 8 : 4;
	if (k->flushes <= KFLUSH_MAX) {
		const uint8_t *f = at(k, k->var[KV_FLUSH]);
		for (unsigned i = 0; i < k->flushes; i++) {
			uint64_t lo = get_n(k, f + 2 * w * i, w), hi = get_n(k, f + 2 * w * i + w, w);
			if (hi > lo && !pv_report_add_flush(rep, lo, hi - lo))
				return false;
		}
		return true;
	}
	for (size_t off = 0; off < img->len; off += 4)
		if (pv_get_word(ctx, before + off) != pv_get_word(ctx, img->bytes + off) &&
		    !pv_report_add_flush(rep, img->base + off, 4))
			return false;
	return area->used == used_before || pv_report_add_flush(rep, area->addr + used_before, area->used - used_before);
}

/* Why the kernel left the site a of row alone, told from the outcome by
 * walking the area as upstream's loop does (src/patch_loop.c,
 * patch_template_upstream): a direct rewrite left alone, or a template the
 * tree does not have, is no handler; a template that did not fit is an area
 * full, and otherwise its space was spent: at address 0 (read as NULL) that
 * is an area full too, more than 32 MiB above the site a branch out of
 * range, below the end of the vectors that rule; a site that had all it
 * needed and was still left is no handler. *used follows the area. */
static enum pv_skip_reason left_alone(const struct pv_ctx *ctx, const struct pv_row *row, uint64_t a,
				      const struct pv_area *area, const struct pv_patch_opts *opts, uint64_t *used)
{
	unsigned need = row->kind == PV_K_TEMPLATE ? 4u * pv_tmpl_layout(ctx, row->target)->nwords : 0;
	if (!need)
		return PV_SKIP_NO_HANDLER;
	if (*used > area->size || area->size - *used < need)
		return PV_SKIP_AREA_FULL;
	uint64_t at = area->addr + *used;
	*used += need;
	if (at == 0)
		return PV_SKIP_AREA_FULL;
	if ((int32_t)(uint32_t)(at - a) > 0x01ffffff)
		return PV_SKIP_OUT_OF_RANGE;
	if (opts && opts->has_vectors_end && a < opts->vectors_end)
		return PV_SKIP_BELOW_VECTORS;
	return PV_SKIP_NO_HANDLER;
}

/* Fills rep from the words before and after, as the engine would have. */
static enum pv_status report(struct pv_kernel *k, const struct pv_ctx *ctx, const struct pv_image *img,
			     const uint8_t *before, const struct pv_area *area, uint64_t used_before,
			     const struct pv_patch_opts *opts, struct pv_report *rep)
{
	bool is64 = ctx->fi->is64;
	uint64_t used = used_before; /* the area's use as the loop reached a */
	for (size_t off = 0; off < img->len; off += 4) {
		uint64_t a = img->base + off;
		if (pv_patch_leaves(opts, area, a))
			continue;
		rep->words++;
		uint32_t w = pv_get_word(ctx, before + off), now = pv_get_word(ctx, img->bytes + off);
		const struct pv_row *row = pv_match(ctx, w);
		if (!row && now == w)
			continue;
		if (!row) { /* not ours to name: counted, and judged by the oracle like any rewrite */
			if (!rep->foreign++)
				rep->first_foreign = a;
			continue;
		}
		if (now != w) {
			rep->patched[row->cls]++;
			if (row->kind == PV_K_TEMPLATE)
				used += 4ull * pv_tmpl_layout(ctx, row->target)->nwords;
			uint64_t to;
			if (row->kind == PV_K_TEMPLATE && pv_branch_decode(is64, a, now, &to))
				pv_report_note_branch(rep, pv_branch_distance(is64, a, to));
			continue;
		}
		if (!pv_report_add_skip(rep, a, row->cls, left_alone(ctx, row, a, area, opts, &used)))
			return PV_ERR_NOMEM;
	}
	return flushes(k, ctx, img, before, area, used_before, rep) ? PV_OK : PV_ERR_NOMEM;
}

static int kernel_patch(void *arg, const struct pv_ctx *ctx, struct pv_image *img, struct pv_area *area,
			const struct pv_patch_opts *opts, struct pv_report *rep)
{
	struct pv_kernel *k = arg;
	k->err[0] = 0;
	if (ctx->flavor != k->flavor) {
		kerr(k, "built for %s, asked to patch %s", pv_flavor_info(k->flavor)->name, ctx->fi->name);
		return PV_ERR_HOOK;
	}
	if (img->len == 0)
		return PV_OK; /* nothing for the kernel's loop to walk */
	if (map_ranges(k, img, area) != 0)
		return k->layout_refused ? PV_ERR_UNSUPPORTED : PV_ERR_HOOK;
	uint8_t *before = malloc(img->len ? img->len : 1);
	if (!before)
		return PV_ERR_NOMEM;
	memcpy(before, img->bytes, img->len);

	/* the guest memory: text with the ranges the caller excludes blanked
	 * (the kernel's loop knows only its own template range), the area */
	uint8_t *text = guest(k, img->base);
	memcpy(text, img->bytes, img->len);
	for (size_t off = 0; off < img->len; off += 4)
		if (masked(opts, area, img->base + off))
			memset(text + off, 0, 4);
	uint8_t *amem = area->size ? guest(k, area->addr) : NULL;
	bool area_in_text = area->size && in_range(area->addr, img->base, img->len);
	if (amem && !area_in_text)
		memcpy(amem, area->mem, area->size);

	/* the binary, fresh; its layout symbols; the hypervisor's answers */
	memcpy(k->region, k->bin, k->bin_size);
	/* what a run may have written: the bss, the scratch block behind r13 and
	 * r2, the top of the stack (zeroing the whole 2 MiB region cost more
	 * than the kernel's run itself) */
	memset(k->region + k->bin_size, 0, k->var[KV_BSS_END] - k->base - k->bin_size);
	memset(k->region + SCRATCH_OFF, 0, SCRATCH_SIZE);
	memset(k->region + STACK_TOP - STACK_SIZE, 0, REGION_SIZE - (STACK_TOP - STACK_SIZE));
	uint64_t val[KS_N] = {
		[KS_STEXT] = img->base,
		[KS_ETEXT] = img->base + img->len,
		[KS_END_INTERRUPTS] = opts && opts->has_vectors_end ? opts->vectors_end : 0,
		[KS_TMP] = area->addr,
		[KS_TMP_END] = area->addr + area->size,
		/* the kernel's loop skips this range: its template area, as in a
		 * real kernel where kvm_tmp lies inside it */
		[KS_TEMPLATE_START] = area->addr,
		[KS_TEMPLATE_END] = area->addr + area->size,
	};
	relocate(k, val);
	/* on 32-bit flavors the values sit in instructions (lis/addi): drop
	 * unicorn's translations of the code when the layout changed */
	if (k->ran && memcmp(val, k->last_val, sizeof val) != 0)
		uc_ctl_remove_cache(k->uc, k->base, k->base + k->bin_size);
	memcpy(k->last_val, val, sizeof val);
	k->ran = true;
	put_n(k, at(k, k->var[KV_CONF]), 4, 1u << 1);           /* KVM_HC_FEATURES: 1 << KVM_FEATURE_MAGIC_PAGE */
	put_n(k, at(k, k->var[KV_CONF]) + 4, 4, ctx->features); /* same bits as KVM_MAGIC_FEAT_* */
	put_n(k, at(k, k->var[KV_TMP_INDEX]), 4, area->used);
	memset(k->page, 0, PV_MAGIC_PAGE_SIZE);

	uint64_t used_before = area->used;
	enum pv_status st = PV_ERR_HOOK;
	if (run_kernel(k, img->len / 4) == 0) {
		k->flushes = (unsigned)get_n(k, at(k, k->var[KV_FLUSHES]), 4);
		uint64_t used = get_n(k, at(k, k->var[KV_TMP_INDEX]), 4);
		if (used > area->size || used % 4) {
			kerr(k, "the kernel's kvm_tmp_index is %llu after the run, the area has %zu bytes",
			     (unsigned long long)used, area->size);
		} else {
			/* copy back: masked words as they were */
			for (size_t off = 0; off < img->len; off += 4)
				if (!masked(opts, area, img->base + off))
					memcpy(img->bytes + off, text + off, 4);
			if (amem && !area_in_text)
				memcpy(area->mem, amem, area->size);
			area->used = used;
			st = report(k, ctx, img, before, area, used_before, opts, rep);
		}
	}
	free(before);
	return st;
}

static const char *kernel_label(const void *k) { return ((const struct pv_kernel *)k)->label; }
static const char *kernel_last_error(const void *k) { return ((const struct pv_kernel *)k)->err; }
static bool kernel_vectors_rule(const void *k) { return ((const struct pv_kernel *)k)->vectors_rule; }

static const struct pv_profile_impl kernel_impl = {
	.kind = "kernel profile",
	.patch = kernel_patch,
	.label = kernel_label,
	.last_error = kernel_last_error,
	.vectors_rule = kernel_vectors_rule,
};

void pv_kernel_attach(struct pv_kernel *k, struct pv_ctx *ctx)
{
	ctx->impl = &kernel_impl;
	ctx->impl_self = k;
	ctx->layouts = k->layouts; /* listings and checks: the kernel's templates, not ours */
}
