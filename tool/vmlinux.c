/* Reading a kernel ELF with libelf (vmlinux.h). */
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "vmlinux.h"

static const struct pv_ksym_info ksyms[PV_NKSYMS] = {
	[PV_KSYM_STEXT] = {"_stext", "--stext"},
	[PV_KSYM_ETEXT] = {"_etext", "--etext"},
	[PV_KSYM_TEMPLATE_START] = {"kvm_template_start", "--template-start"},
	[PV_KSYM_TEMPLATE_END] = {"kvm_template_end", "--template-end"},
	[PV_KSYM_TMP] = {"kvm_tmp", "--tmp"},
	[PV_KSYM_TMP_END] = {"kvm_tmp_end", "--tmp-end"},
	[PV_KSYM_END_INTERRUPTS] = {"__end_interrupts", "--end-interrupts"},
};

const struct pv_ksym_info *pv_ksym_info(enum pv_ksym s) { return &ksyms[s]; }

bool pv_ksym_option(int c, int base, const char *arg, struct pv_vmlinux *k)
{
	if (c < base || c >= base + PV_NKSYMS)
		return false;
	k->sym[c - base] = cli_address(ksyms[c - base].option, arg);
	k->given[c - base] = true;
	return true;
}

static int fail(char *err, size_t n, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int fail(char *err, size_t n, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(err, n, fmt, ap);
	va_end(ap);
	return -1;
}

static void read_symbols(Elf *e, struct pv_vmlinux *k)
{
	Elf_Scn *scn = NULL;
	GElf_Shdr sh;
	while ((scn = elf_nextscn(e, scn))) {
		if (!gelf_getshdr(scn, &sh) || sh.sh_type != SHT_SYMTAB || !sh.sh_entsize)
			continue;
		Elf_Data *d = elf_getdata(scn, NULL);
		size_t n = d ? sh.sh_size / sh.sh_entsize : 0;
		for (size_t i = 0; i < n; i++) {
			GElf_Sym s;
			if (!gelf_getsym(d, (int)i, &s))
				continue;
			const char *name = elf_strptr(e, sh.sh_link, s.st_name);
			if (!name || name[0] == 0)
				continue;
			for (unsigned j = 0; j < PV_NKSYMS; j++)
				if (!k->given[j] && !k->have[j] && !strcmp(name, ksyms[j].name)) {
					k->sym[j] = s.st_value;
					k->have[j] = true;
				}
		}
	}
}

static void read_build_id(Elf *e, struct pv_vmlinux *k)
{
	Elf_Scn *scn = NULL;
	GElf_Shdr sh;
	while ((scn = elf_nextscn(e, scn))) {
		if (!gelf_getshdr(scn, &sh) || sh.sh_type != SHT_NOTE)
			continue;
		Elf_Data *d = elf_getdata(scn, NULL);
		size_t off = 0, name_off, desc_off;
		GElf_Nhdr nh;
		while (d && (off = gelf_getnote(d, off, &nh, &name_off, &desc_off)) > 0) {
			if (nh.n_type != NT_GNU_BUILD_ID || nh.n_namesz != 4 ||
			    memcmp((char *)d->d_buf + name_off, "GNU", 4) != 0)
				continue;
			const unsigned char *id = (const unsigned char *)d->d_buf + desc_off;
			for (size_t i = 0; i < nh.n_descsz && i < 20; i++)
				snprintf(k->build_id + 2 * i, 3, "%02x", id[i]);
			return;
		}
	}
}

/* Copies the allocated sections' bytes that fall in [lo, hi) into out. */
static int read_text(Elf *e, uint64_t lo, uint64_t hi, uint8_t *out, char *err, size_t n)
{
	Elf_Scn *scn = NULL;
	GElf_Shdr sh;
	while ((scn = elf_nextscn(e, scn))) {
		if (!gelf_getshdr(scn, &sh) || !(sh.sh_flags & SHF_ALLOC) || sh.sh_type != SHT_PROGBITS || !sh.sh_size)
			continue;
		uint64_t a = sh.sh_addr, b = sh.sh_addr + sh.sh_size;
		if (b <= lo || a >= hi)
			continue;
		Elf_Data *d = elf_rawdata(scn, NULL);
		if (!d || d->d_size < sh.sh_size)
			return fail(err, n, "cannot read section %zu: %s", elf_ndxscn(scn), elf_errmsg(-1));
		uint64_t from = a > lo ? a : lo, to = b < hi ? b : hi;
		memcpy(out + (from - lo), (const uint8_t *)d->d_buf + (from - a), to - from);
	}
	return 0;
}

static enum pv_flavor flavor_from_header(const struct pv_vmlinux *k)
{
	if (k->elf_class == 32)
		return PV_BOOK3S32; /* an e500 kernel looks the same: --flavor booke32 */
	return k->little_endian ? PV_BOOK3S64LE : PV_BOOK3S64; /* e5500/e6500: --flavor booke64 */
}

/* The layout must make sense before the engine sees it. */
static int check_layout(const char *path, const struct pv_vmlinux *k, char *err, size_t n)
{
	const uint64_t *s = k->sym;
	uint64_t space = k->elf_class == 32 ? 0xffffffffull : ~0ull;
	if (s[PV_KSYM_ETEXT] <= s[PV_KSYM_STEXT] || (s[PV_KSYM_ETEXT] - s[PV_KSYM_STEXT]) % 4 || s[PV_KSYM_STEXT] % 4 ||
	    s[PV_KSYM_ETEXT] > space)
		return fail(err, n, "%s: _stext 0x%llx .. _etext 0x%llx is not a word-aligned, non-empty range", path,
			    (unsigned long long)s[PV_KSYM_STEXT], (unsigned long long)s[PV_KSYM_ETEXT]);
	if (s[PV_KSYM_ETEXT] - s[PV_KSYM_STEXT] > (1ull << 31))
		return fail(err, n, "%s: _stext.._etext is over 2 GiB", path);
	if (s[PV_KSYM_TEMPLATE_END] < s[PV_KSYM_TEMPLATE_START])
		return fail(err, n, "%s: kvm_template_end is below kvm_template_start", path);
	if (s[PV_KSYM_TMP_END] <= s[PV_KSYM_TMP] || s[PV_KSYM_TMP] % 4 || (s[PV_KSYM_TMP_END] - s[PV_KSYM_TMP]) % 4 ||
	    s[PV_KSYM_TMP] < s[PV_KSYM_STEXT] || s[PV_KSYM_TMP_END] > s[PV_KSYM_ETEXT])
		return fail(err, n, "%s: the template area kvm_tmp 0x%llx .. kvm_tmp_end 0x%llx is not a word-aligned "
			    "range inside _stext.._etext", path, (unsigned long long)s[PV_KSYM_TMP],
			    (unsigned long long)s[PV_KSYM_TMP_END]);
	if (s[PV_KSYM_TMP] < s[PV_KSYM_TEMPLATE_START] || s[PV_KSYM_TMP_END] > s[PV_KSYM_TEMPLATE_END])
		return fail(err, n, "%s: the template area is not inside kvm_template_start..kvm_template_end, "
			    "so the patch loop would patch its own instances", path);
	return 0;
}

int pv_vmlinux_load(const char *path, const struct pv_vmlinux_opts *o, struct pv_vmlinux *k, char *err, size_t n)
{
	if (elf_version(EV_CURRENT) == EV_NONE)
		return fail(err, n, "libelf: %s", elf_errmsg(-1));
	int fd = open(path, O_RDONLY);
	if (fd < 0)
		return fail(err, n, "cannot read '%s': %s", path, strerror(errno));
	Elf *e = elf_begin(fd, ELF_C_READ, NULL);
	int rc = -1;
	GElf_Ehdr eh;
	if (!e || elf_kind(e) != ELF_K_ELF || !gelf_getehdr(e, &eh)) {
		fail(err, n, "'%s' is not an ELF file", path);
		goto out;
	}
	if (eh.e_machine != EM_PPC && eh.e_machine != EM_PPC64) {
		fail(err, n, "'%s' is an ELF for machine %u, not PowerPC (EM_PPC 20 or EM_PPC64 21)", path,
		     eh.e_machine);
		goto out;
	}
	k->elf_class = eh.e_ident[EI_CLASS] == ELFCLASS64 ? 64 : 32;
	k->little_endian = eh.e_ident[EI_DATA] == ELFDATA2LSB;
	k->abi = k->elf_class == 64 ? eh.e_flags & 3 : 0;
	if (k->little_endian && k->elf_class == 32) {
		fail(err, n, "'%s' is a 32-bit little-endian PowerPC ELF: no flavor runs such kernels", path);
		goto out;
	}
	if (!k->flavor_given)
		k->flavor = flavor_from_header(k);
	const struct pv_flavor_info *fi = pv_flavor_info(k->flavor);
	if ((fi->is64 ? 64u : 32u) != k->elf_class || fi->little_endian != k->little_endian) {
		fail(err, n, "--flavor %s does not fit '%s', a %u-bit %s-endian ELF", fi->name, path, k->elf_class,
		     k->little_endian ? "little" : "big");
		goto out;
	}
	read_symbols(e, k);
	read_build_id(e, k);
	for (unsigned j = 0; j < PV_NKSYMS; j++)
		k->have[j] |= k->given[j];
	/* __end_interrupts: relocatable Book3S kernels have it; elsewhere optional */
	bool book3s64 = k->flavor == PV_BOOK3S64 || k->flavor == PV_BOOK3S64LE;
	k->vectors_rule = !o->no_vectors_rule && (k->have[PV_KSYM_END_INTERRUPTS] || book3s64);
	for (unsigned j = 0; j < PV_NKSYMS; j++) {
		if (k->have[j] || (j == PV_KSYM_END_INTERRUPTS && !k->vectors_rule))
			continue;
		if (j == PV_KSYM_END_INTERRUPTS)
			fail(err, n, "symbol %s not found in '%s': give it with %s ADDR, or --no-vectors-rule for a "
			     "kernel that is not relocatable", ksyms[j].name, path, ksyms[j].option);
		else
			fail(err, n, "symbol %s not found in '%s': give it with %s ADDR", ksyms[j].name, path,
			     ksyms[j].option);
		goto out;
	}
	if (check_layout(path, k, err, n) != 0)
		goto out;
	k->text_len = k->sym[PV_KSYM_ETEXT] - k->sym[PV_KSYM_STEXT];
	if (!(k->text = calloc(1, k->text_len))) {
		fail(err, n, "out of memory for %zu bytes of text", k->text_len);
		goto out;
	}
	rc = read_text(e, k->sym[PV_KSYM_STEXT], k->sym[PV_KSYM_ETEXT], k->text, err, n);
out:
	if (e)
		elf_end(e);
	close(fd);
	if (rc != 0)
		pv_vmlinux_free(k);
	return rc;
}

void pv_vmlinux_free(struct pv_vmlinux *k)
{
	free(k->text);
	k->text = NULL;
	k->text_len = 0;
}

void pv_vmlinux_patch_setup(struct pv_vmlinux *k, struct pv_kernel_patch *p)
{
	uint64_t base = k->sym[PV_KSYM_STEXT];
	memset(p, 0, sizeof *p);
	p->img = (struct pv_image){k->text, k->text_len, base};
	pv_area_init(&p->area, k->sym[PV_KSYM_TMP], k->text + (k->sym[PV_KSYM_TMP] - base),
		     k->sym[PV_KSYM_TMP_END] - k->sym[PV_KSYM_TMP]);
	p->skip = (struct pv_range){k->sym[PV_KSYM_TEMPLATE_START],
				    k->sym[PV_KSYM_TEMPLATE_END] - k->sym[PV_KSYM_TEMPLATE_START]};
	p->popts.skip = &p->skip;
	p->popts.nskip = 1;
	p->popts.has_vectors_end = k->vectors_rule;
	p->popts.vectors_end = k->sym[PV_KSYM_END_INTERRUPTS];
}
