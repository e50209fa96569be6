/* Reading a kernel ELF with libelf (vmlinux.h). */
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

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

static int fail(char *err, size_t n, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int fail(char *err, size_t n, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(err, n, fmt, ap);
	va_end(ap);
	return -1;
}

/* The symbols the loader needs; -1 with libelf's reason when the file
 * cannot be read that far (a truncated or corrupt ELF), so that the
 * message is not "symbol _stext not found". */
static int read_symbols(Elf *e, struct pv_vmlinux *k, const char *path, char *err, size_t errlen)
{
	Elf_Scn *scn = NULL;
	GElf_Shdr sh;
	size_t shnum;
	if (elf_getshdrnum(e, &shnum) != 0)
		return fail(err, errlen, "'%s': cannot read the section headers: %s", path, elf_errmsg(-1));
	while ((scn = elf_nextscn(e, scn))) {
		if (!gelf_getshdr(scn, &sh))
			return fail(err, errlen, "'%s': cannot read section %zu's header: %s", path, elf_ndxscn(scn),
				    elf_errmsg(-1));
		if (sh.sh_type != SHT_SYMTAB || !sh.sh_entsize)
			continue;
		Elf_Data *d = elf_getdata(scn, NULL);
		if (!d)
			return fail(err, errlen, "'%s': cannot read the symbol table (section %zu): %s", path,
				    elf_ndxscn(scn), elf_errmsg(-1));
		size_t n = sh.sh_size / sh.sh_entsize;
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
	if (elf_errno() != 0)
		return fail(err, errlen, "'%s': cannot read the section headers: %s", path, elf_errmsg(-1));
	return 0;
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

/* Where the bytes of [lo, hi) come from: pieces of the file, in address
 * order. */
struct piece {
	uint64_t a, b;   /* [a, b) of the text */
	uint64_t offset; /* file offset of a */
};

static int cmp_piece(const void *x, const void *y)
{
	const struct piece *p = x, *q = y;
	return p->a < q->a ? -1 : p->a > q->a;
}

static int add_piece(struct piece **v, size_t *k, size_t *cap, struct piece p, char *err, size_t n)
{
	if (*k == *cap) {
		struct piece *w = realloc(*v, 2 * *cap * sizeof **v);
		if (!w)
			return fail(err, n, "out of memory");
		*v = w, *cap *= 2;
	}
	(*v)[(*k)++] = p;
	return 0;
}

/* Which file bytes make up [lo, hi), as the kernel's loader sees them: the
 * file part (p_filesz) of every PT_LOAD segment that overlaps it, or, in a
 * file without program headers, every allocated PROGBITS section. Checked
 * before anything is allocated for the text, so that a corrupt _etext
 * fails at once: every piece lies inside the file; no section in the range
 * is NOBITS (the loader would zero-fill it) and none wraps past the top of
 * the address space; the pieces cover [lo, hi) without a hole. */
static int text_pieces(Elf *e, uint64_t lo, uint64_t hi, uint64_t file_size, struct piece **out, size_t *np,
		       char *err, size_t n)
{
	size_t cap = 16, k = 0, nph = 0;
	struct piece *v = malloc(cap * sizeof *v);
	Elf_Scn *scn = NULL;
	GElf_Shdr sh;
	if (!v)
		return fail(err, n, "out of memory");
#define BAD(...) do { free(v); return fail(err, n, __VA_ARGS__); } while (0)
	while ((scn = elf_nextscn(e, scn))) {
		if (!gelf_getshdr(scn, &sh))
			BAD("cannot read section %zu's header: %s", elf_ndxscn(scn), elf_errmsg(-1));
		if (!(sh.sh_flags & SHF_ALLOC) || !sh.sh_size)
			continue;
		if (sh.sh_addr + sh.sh_size < sh.sh_addr)
			BAD("section %zu's address range 0x%llx + 0x%llx wraps past the top of the address space",
			    elf_ndxscn(scn), (unsigned long long)sh.sh_addr, (unsigned long long)sh.sh_size);
		uint64_t a = sh.sh_addr, b = sh.sh_addr + sh.sh_size;
		if (b <= lo || a >= hi)
			continue;
		if (sh.sh_type == SHT_NOBITS)
			BAD("the file holds no bytes for 0x%llx..0x%llx of _stext.._etext: section %zu there is NOBITS "
			    "(zero-filled when loaded)", (unsigned long long)(a > lo ? a : lo),
			    (unsigned long long)(b < hi ? b : hi), elf_ndxscn(scn));
		if (sh.sh_type == SHT_PROGBITS && (sh.sh_offset > file_size || sh.sh_size > file_size - sh.sh_offset))
			BAD("section %zu (0x%llx..0x%llx) lies past the end of the file (%llu bytes): the file is truncated",
			    elf_ndxscn(scn), (unsigned long long)a, (unsigned long long)b, (unsigned long long)file_size);
	}
	if (elf_errno() != 0) /* elf_nextscn stopped on an error, not at the end */
		BAD("cannot read the section headers: %s", elf_errmsg(-1));
	if (elf_getphdrnum(e, &nph) != 0)
		BAD("cannot read the program headers: %s", elf_errmsg(-1));
	for (size_t i = 0; i < nph; i++) {
		GElf_Phdr ph;
		if (!gelf_getphdr(e, (int)i, &ph))
			BAD("cannot read program header %zu: %s", i, elf_errmsg(-1));
		if (ph.p_type != PT_LOAD || !ph.p_filesz)
			continue;
		if (ph.p_vaddr + ph.p_filesz < ph.p_vaddr)
			BAD("segment %zu's address range 0x%llx + 0x%llx wraps past the top of the address space", i,
			    (unsigned long long)ph.p_vaddr, (unsigned long long)ph.p_filesz);
		uint64_t a = ph.p_vaddr, b = ph.p_vaddr + ph.p_filesz;
		if (b <= lo || a >= hi)
			continue;
		if (ph.p_offset > file_size || ph.p_filesz > file_size - ph.p_offset)
			BAD("segment %zu (0x%llx..0x%llx) lies past the end of the file (%llu bytes): the file is truncated",
			    i, (unsigned long long)a, (unsigned long long)b, (unsigned long long)file_size);
		uint64_t from = a > lo ? a : lo, to = b < hi ? b : hi;
		if (add_piece(&v, &k, &cap, (struct piece){from, to, ph.p_offset + (from - a)}, err, n) != 0)
			return -1;
	}
	if (!nph) /* no program headers: the sections say where the bytes are */
		while ((scn = elf_nextscn(e, scn))) {
			if (!gelf_getshdr(scn, &sh) || !(sh.sh_flags & SHF_ALLOC) || sh.sh_type != SHT_PROGBITS ||
			    !sh.sh_size)
				continue;
			uint64_t a = sh.sh_addr, b = sh.sh_addr + sh.sh_size;
			if (b <= lo || a >= hi)
				continue;
			uint64_t from = a > lo ? a : lo, to = b < hi ? b : hi;
			if (add_piece(&v, &k, &cap, (struct piece){from, to, sh.sh_offset + (from - a)}, err, n) != 0)
				return -1;
		}
	qsort(v, k, sizeof *v, cmp_piece);
	uint64_t at = lo;
	for (size_t i = 0; i <= k && at < hi; i++) {
		uint64_t next = i < k ? v[i].a : hi;
		if (next > at)
			BAD("the file holds no bytes for 0x%llx..0x%llx of _stext.._etext (0x%llx..0x%llx): no %s "
			    "covers it", (unsigned long long)at, (unsigned long long)next, (unsigned long long)lo,
			    (unsigned long long)hi, nph ? "loadable segment" : "section with contents");
		if (i < k && v[i].b > at)
			at = v[i].b;
	}
#undef BAD
	*out = v;
	*np = k;
	return 0;
}

/* Where the ELF's bytes are: an open file, or memory (a fuzz input). */
struct source {
	int fd; /* -1: mem */
	const uint8_t *mem;
	uint64_t size;
};

/* Reads the pieces' bytes into out ([lo, ...)). */
static int read_text(const struct source *src, const struct piece *v, size_t k, uint64_t lo, uint8_t *out, char *err,
		     size_t n)
{
	for (size_t i = 0; i < k; i++) {
		size_t want = v[i].b - v[i].a, got = 0;
		if (src->fd < 0) { /* text_pieces kept every piece inside the bytes */
			if (v[i].offset > src->size || want > src->size - v[i].offset)
				return fail(err, n, "cannot read the text at offset %llu: the image ends",
					    (unsigned long long)v[i].offset);
			memcpy(out + (v[i].a - lo), src->mem + v[i].offset, want);
			continue;
		}
		int fd = src->fd;
		while (got < want) {
			ssize_t r = pread(fd, out + (v[i].a - lo) + got, want - got, (off_t)(v[i].offset + got));
			if (r < 0 && errno == EINTR)
				continue;
			if (r <= 0)
				return fail(err, n, "cannot read the text at file offset %llu: %s",
					    (unsigned long long)(v[i].offset + got), r < 0 ? strerror(errno) : "the file ends");
			got += (size_t)r;
		}
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
	/* the template code is kernel text: a symbol table that puts it elsewhere
	 * is not one to patch by (fuzz_vmlinux found it accepted) */
	if (s[PV_KSYM_TEMPLATE_START] < s[PV_KSYM_STEXT] || s[PV_KSYM_TEMPLATE_END] > s[PV_KSYM_ETEXT])
		return fail(err, n, "%s: the template code kvm_template_start 0x%llx .. kvm_template_end 0x%llx is not "
			    "inside _stext.._etext", path, (unsigned long long)s[PV_KSYM_TEMPLATE_START],
			    (unsigned long long)s[PV_KSYM_TEMPLATE_END]);
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

/* The reader behind both entries: e is the ELF begun on src (NULL when
 * libelf refused it); path names it in messages. Ends e. */
static int load_elf(Elf *e, const struct source *src, const char *path, const struct pv_vmlinux_opts *o,
		    struct pv_vmlinux *k, char *err, size_t n)
{
	int rc = -1;
	GElf_Ehdr eh;
	struct piece *pieces = NULL;
	size_t npieces = 0;
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
	/* libelf reads headers past the end of the file as no headers at all:
	 * say what is wrong instead of "symbol _stext not found" */
	if (eh.e_shoff && eh.e_shnum &&
	    (eh.e_shoff > src->size ||
	     (uint64_t)eh.e_shnum * eh.e_shentsize > src->size - eh.e_shoff)) {
		fail(err, n, "'%s': cannot read the section headers: %u of them at offset %llu lie past the end of the "
		     "file (%llu bytes): the file is truncated", path, eh.e_shnum, (unsigned long long)eh.e_shoff,
		     (unsigned long long)src->size);
		goto out;
	}
	(void)elf_errno(); /* clear what an earlier call left */
	if (read_symbols(e, k, path, err, n) != 0)
		goto out;
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
	(void)elf_errno();
	if (text_pieces(e, k->sym[PV_KSYM_STEXT], k->sym[PV_KSYM_ETEXT], src->size, &pieces, &npieces, err,
			n) != 0)
		goto out;
	k->text_len = k->sym[PV_KSYM_ETEXT] - k->sym[PV_KSYM_STEXT];
	if (!(k->text = malloc(k->text_len))) {
		fail(err, n, "out of memory for %zu bytes of text", k->text_len);
		goto out;
	}
	rc = read_text(src, pieces, npieces, k->sym[PV_KSYM_STEXT], k->text, err, n);
out:
	free(pieces);
	if (e)
		elf_end(e);
	if (rc != 0)
		pv_vmlinux_free(k);
	return rc;
}

int pv_vmlinux_load(const char *path, const struct pv_vmlinux_opts *o, struct pv_vmlinux *k, char *err, size_t n)
{
	if (elf_version(EV_CURRENT) == EV_NONE)
		return fail(err, n, "libelf: %s", elf_errmsg(-1));
	int fd = open(path, O_RDONLY);
	if (fd < 0)
		return fail(err, n, "cannot read '%s': %s", path, strerror(errno));
	struct stat sb;
	if (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode)) {
		close(fd);
		return fail(err, n, "'%s' is not a regular file", path);
	}
	struct source src = {fd, NULL, (uint64_t)sb.st_size};
	int rc = load_elf(elf_begin(fd, ELF_C_READ, NULL), &src, path, o, k, err, n);
	close(fd);
	return rc;
}

int pv_vmlinux_load_mem(const char *name, const uint8_t *data, size_t size, const struct pv_vmlinux_opts *o,
			struct pv_vmlinux *k, char *err, size_t n)
{
	if (elf_version(EV_CURRENT) == EV_NONE)
		return fail(err, n, "libelf: %s", elf_errmsg(-1));
	/* libelf may convert an image in place: it gets a copy of its own */
	char *copy = malloc(size ? size : 1);
	if (!copy)
		return fail(err, n, "out of memory for %zu bytes of ELF", size);
	memcpy(copy, data, size);
	struct source src = {-1, (const uint8_t *)copy, size};
	int rc = load_elf(elf_memory(copy, size), &src, name, o, k, err, n);
	free(copy);
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
