/* Writes the seed corpora and the shared dictionary (run by
 * scripts/make-corpus.sh, which assembles the kernel-like text first).
 *
 * Usage: pvfuzz_make_corpus CORPUS_DIR DICT_FILE TEXT32.bin TEXT64.bin [VMLINUX.elf...]
 * (the ELF files: small kernels for fuzz_vmlinux, made by the cross binutils)
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "emu.h"
#include "pvf.h"

static const char *root;
static unsigned written;

static void put_file(enum pvf_target t, const uint8_t *b, size_t n)
{
	if (n < PVF_HEADER_BYTES || b[0] != t)
		abort(); /* an encoder wrote another target's input */
	uint64_t h = 0xcbf29ce484222325ull; /* FNV-1a names: the same seed, the same file */
	for (size_t i = 0; i < n; i++)
		h = (h ^ b[i]) * 0x100000001b3ull;
	char path[512];
	snprintf(path, sizeof path, "%s/%s", root, pvf_target_name(t));
	mkdir(path, 0777);
	snprintf(path, sizeof path, "%s/%s/seed-%016llx", root, pvf_target_name(t), (unsigned long long)h);
	FILE *f = fopen(path, "wb");
	if (!f || fwrite(b, 1, n, f) != n || fclose(f) != 0) {
		fprintf(stderr, "make_corpus: cannot write %s: %s\n", path, strerror(errno));
		exit(1);
	}
	written++;
}

/* an encoded input into its file, the buffer emptied for the next */
static void put_out(enum pvf_target t, struct pvf_out *o)
{
	put_file(t, o->p, o->n);
	o->n = 0;
}

/* the platform with all features and the given profile */
static unsigned platform(enum pv_flavor f, enum pv_profile p) { return pvf_platform_index(f, PV_FEAT_ALL, p); }

static void check_ins_and_xcheck(void)
{
	static const uint32_t plain[] = {0x60000000, 0x7c0802a6, 0x38210010, 0x4e800020, 0x7ca000a7, 0x7c208146,
					 0x7ca001e5, 0x7ca10124, 0x7c7f42a6, 0x00000000, 0xffffffff};
	struct pvf_out o = {0};
	for (enum pv_flavor f = 0; f < PV_NFLAVORS; f++)
		for (enum pv_profile p = 0; p < PV_NPROFILES; p++) {
			struct pv_ctx ctx;
			pv_ctx_init(&ctx, f, PV_FEAT_ALL, p);
			for (unsigned i = 0; i < ctx.nactive; i++) {
				const struct pv_row *r = ctx.active[i];
				static const unsigned regs[][2] = {{5, 6}, {30, 31}, {31, 30}};
				for (unsigned k = 0; k < (r->kind == PV_K_TEMPLATE ? 3u : 1u); k++) {
					uint32_t w = pv_row_word(r, regs[k][0], regs[k][1]);
					pvf_encode_word_input(&o, PVF_CHECK_INS, platform(f, p), w);
					put_out(PVF_CHECK_INS, &o);
					if (p == PV_PROFILE_FIXED && k == 0) {
						pvf_encode_word_input(&o, PVF_DISASM_XCHECK, platform(f, p), w);
						put_out(PVF_DISASM_XCHECK, &o);
						/* near miss: Rc set */
						pvf_encode_word_input(&o, PVF_DISASM_XCHECK, platform(f, p), w | 1);
						put_out(PVF_DISASM_XCHECK, &o);
					}
				}
			}
			for (size_t i = 0; i < sizeof plain / sizeof plain[0]; i++) {
				pvf_encode_word_input(&o, PVF_CHECK_INS, platform(f, p), plain[i]);
				put_out(PVF_CHECK_INS, &o);
				pvf_encode_word_input(&o, PVF_DISASM_XCHECK, platform(f, p), plain[i]);
				put_out(PVF_DISASM_XCHECK, &o);
			}
		}
	free(o.p);
}

/* a state: bytes from a fixed pattern */
static const uint8_t *state_bytes(unsigned i, enum pv_flavor f)
{
	static uint8_t p[PV_STATE_BYTES];
	for (size_t k = 0; k < PV_STATE_BYTES; k++)
		p[k] = (uint8_t)((k * 131 + i * 17 + f * 7) ^ (k >> 3));
	return p;
}

static void diff_seeds(void)
{
	struct pvf_out o = {0};
	for (enum pv_flavor f = 0; f < PV_NFLAVORS; f++) {
		struct pv_ctx ctx;
		pv_ctx_init(&ctx, f, PV_FEAT_ALL, PV_PROFILE_FIXED);
		for (unsigned i = 0; i < ctx.nactive; i++) {
			const struct pv_row *r = ctx.active[i];
			/* three words: mfmsr r3, the class, mfspr r4,SPRG0 */
			struct pvf_diff_input d = {.platform = platform(f, PV_PROFILE_FIXED), .nwords = 3, .nitems = 3};
			d.item[0].sel = d.item[1].sel = d.item[2].sel = PVF_SEL_RAW;
			d.item[0].word = 0x7c6000a6;
			d.item[1].word = pv_row_word(r, i % 32, (i * 7) % 32);
			d.item[2].word = 0x7c9042a6;
			d.state = state_bytes(i, f), d.state_len = PV_STATE_BYTES;
			/* interrupts inside instances: none, or at every boundary */
			pvf_diff_encode(&o, &d);
			put_out(PVF_DIFF, &o);
			d.has_irq_mask = true, d.irq_mask = ~0ull;
			pvf_diff_encode(&o, &d);
			put_out(PVF_DIFF, &o);
		}
		/* the MSR idiom (check_diff.c): mfmsr rX; xori/xoris rX,rX,bit for
		 * every bit of the low word, then two of mtmsr, mtmsrd 0, mtmsrd 1
		 * and wrtee each; ori/oris for a few; registers spread out */
		for (unsigned k = 0; k < 72; k++) {
			unsigned bit = k / 2 % 32, form = (bit + k % 2) % 4;
			unsigned op = k < 64 ? (bit < 16 ? 0 : 1) : 2 + k % 2; /* xori, xoris, then ori, oris */
			uint32_t raw = form << 11 | (bit % 16) << 7 | op << 5 | (3 + 7 * k) % 32;
			struct pvf_diff_input d = {.platform = platform(f, PV_PROFILE_FIXED), .nwords = 3, .nitems = 1};
			d.item[0].sel = PVF_SEL_MSR_IDIOM, d.item[0].word = raw;
			d.state = state_bytes(100 + k, f), d.state_len = PV_STATE_BYTES;
			d.has_irq_mask = true, d.irq_mask = k % 3 ? ~0ull : 0;
			pvf_diff_encode(&o, &d);
			put_out(PVF_DIFF, &o);
		}
	}
	free(o.p);
}

/* a file, or exit 1 naming why */
static uint8_t *read_or_die(const char *path, size_t max, size_t *len)
{
	char err[600];
	uint8_t *b = pvf_read_file(path, max, len, err, sizeof err);
	if (!b) {
		fprintf(stderr, "make_corpus: %s\n", err);
		exit(1);
	}
	return b;
}

static uint32_t *read_words(const char *path, size_t *n)
{
	size_t len;
	uint8_t *buf = read_or_die(path, 1 << 16, &len);
	uint32_t *w = malloc(len + 4);
	if (!w)
		abort();
	for (size_t i = 0; i + 4 <= len; i += 4)
		w[i / 4] = (uint32_t)pv_load(buf + i, 4, false);
	*n = len / 4;
	free(buf);
	return w;
}

static void image_seeds(const char *text32, const char *text64)
{
	size_t n32, n64;
	uint32_t *w32 = read_words(text32, &n32), *w64 = read_words(text64, &n64);
	struct pvf_out o = {0};
	for (enum pv_flavor f = 0; f < PV_NFLAVORS; f++) {
		bool is64 = pv_flavor_info(f)->is64;
		const uint32_t *w = is64 ? w64 : w32;
		size_t nw = is64 ? n64 : n32;
		/* layouts (check_image.c's placement byte), each under the fixed
		 * and the linux profile in turn: area above (the second with room
		 * for two mtmsr instances less a word), below, inside at an offset,
		 * then holding a first pass's instances inside at an offset, at
		 * the start, in the middle and at the end */
		static const uint8_t place[] = {0, 0, 1, 2, 0x82, 0x82, 0x85, 0x85, 0x88, 0x88, 0x8b, 0x8b};
		for (unsigned layout = 0; layout < sizeof place; layout++) {
			struct pvf_image_layout l = {
				.base = is64 ? 0xc000000000000000ull : 0xc0000000ull,
				.place = place[layout],
				.gap = layout >= 3 ? 0x40 : 0x1000,
				.area_words_m1 = layout >= 4 ? 63 : layout == 3 ? 40 : 1023,
				.fit = layout == 1 ? 0x23 : 0, /* layout 1: two mtmsr instances less a word */
				.vec = layout & 1,             /* end of vectors? */
				.vec_off = 16,                 /* ... after 16 words */
			};
			pvf_image_encode(&o, platform(f, layout & 1 ? PV_PROFILE_LINUX : PV_PROFILE_FIXED), &l, w, nw,
					 PVF_SEL_RAW);
			put_out(PVF_IMAGE, &o);
		}
		/* the ends of the address space (check_image.c's edge bits): the
		 * image at the top with the area above it (wraps: refused) and below
		 * it; the image at the bottom with the area below it (it wraps to the
		 * top: fine, and so do the branches); the area across the top */
		static const struct { uint8_t place, edge; } edges[] = {{0, 1}, {1, 1}, {1, 2}, {0, 3}};
		for (unsigned k = 0; k < sizeof edges / sizeof edges[0]; k++) {
			struct pvf_image_layout l = {
				.base = 0, /* set by the edge */
				.place = edges[k].place,
				.gap = 0x1000,
				.area_words_m1 = 1023, /* 4 KiB */
				.vec = (uint8_t)(edges[k].edge << 2), /* no vectors, the edge */
				.vec_off = (uint16_t)k,               /* a few words from the top or bottom */
			};
			pvf_image_encode(&o, platform(f, PV_PROFILE_FIXED), &l, w, nw, PVF_SEL_RAW);
			put_out(PVF_IMAGE, &o);
		}
	}
	free(o.p);
	free(w32);
	free(w64);
}

/* fuzz_vmlinux: each small kernel with its flavor read from the ELF, given
 * as another flavor of the same shape, given as one that does not fit (a
 * refusal), and without the vectors rule */
static void vmlinux_seeds(const char *path)
{
	size_t n;
	uint8_t *elf = read_or_die(path, 1 << 16, &n); /* a seed must fit fuzz_vmlinux's max_len */
	if (n < 16) {
		fprintf(stderr, "make_corpus: %s is no ELF (%zu bytes)\n", path, n);
		exit(1);
	}
	bool is64 = elf[4] == 2, le = elf[5] == 1;
	enum pv_flavor natural = !is64 ? PV_BOOK3S32 : le ? PV_BOOK3S64LE : PV_BOOK3S64;
	enum pv_flavor other = !is64 ? PV_BOOKE32 : le ? PV_BOOK3S64LE : PV_BOOKE64;
	enum pv_flavor misfit = is64 ? PV_BOOK3S32 : PV_BOOK3S64;
	static const struct {
		int which; /* 0 natural, 1 other, 2 misfit */
		uint8_t options;
	} v[] = {{0, 0}, {1, 1}, {2, 1}, {0, 2}};
	struct pvf_out o = {0};
	for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
		enum pv_flavor fl = v[i].which == 0 ? natural : v[i].which == 1 ? other : misfit;
		pvf_vmlinux_encode(&o, platform(fl, PV_PROFILE_FIXED), v[i].options, elf, n);
		put_out(PVF_VMLINUX, &o);
	}
	free(o.p);
	free(elf);
}

static void dictionary(const char *path)
{
	FILE *f = fopen(path, "w");
	if (!f) {
		fprintf(stderr, "make_corpus: cannot write %s\n", path);
		exit(1);
	}
	fprintf(f, "# Privileged encodings the engine rewrites (register fields zero),\n"
		   "# big-endian, as the fuzz inputs carry words. Made by scripts/make-corpus.sh.\n");
	for (size_t i = 0; i < pv_nrows; i++) {
		uint32_t w = pv_rows[i].match;
		fprintf(f, "%s_%zu=\"\\x%02x\\x%02x\\x%02x\\x%02x\"\n", pv_class_name(pv_rows[i].cls), i, w >> 24,
			(w >> 16) & 0xff, (w >> 8) & 0xff, w & 0xff);
	}
	fclose(f);
}

int main(int argc, char **argv)
{
	if (argc < 5) {
		fprintf(stderr, "usage: %s CORPUS_DIR DICT_FILE TEXT32.bin TEXT64.bin [VMLINUX.elf...]\n", argv[0]);
		return 2;
	}
	root = argv[1];
	mkdir(root, 0777);
	check_ins_and_xcheck();
	diff_seeds();
	image_seeds(argv[3], argv[4]);
	for (int i = 5; i < argc; i++)
		vmlinux_seeds(argv[i]);
	dictionary(argv[2]);
	printf("make_corpus: %u seed files under %s, dictionary %s\n", written, root, argv[2]);
	return 0;
}
