/* Writes the seed corpora and the shared dictionary (run by
 * scripts/make-corpus.sh, which assembles the kernel-like text first).
 *
 * Usage: pvfuzz_make_corpus CORPUS_DIR DICT_FILE TEXT32.bin TEXT64.bin
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

static size_t put_be(uint8_t *p, uint64_t v, unsigned bytes)
{
	for (unsigned i = 0; i < bytes; i++)
		p[i] = (uint8_t)(v >> (8 * (bytes - 1 - i)));
	return bytes;
}

/* platform index with all features and the given profile */
static unsigned platform(enum pv_flavor f, enum pv_profile p) { return f + PV_NFLAVORS * 3 + PV_NFLAVORS * 4 * p; }

static uint32_t with_reg(const struct pv_row *r, unsigned rt, unsigned rb)
{
	return r->match | (r->carried & 0x03e00000u ? rt << 21 : 0) | (r->carried & 0x0000f800u ? rb << 11 : 0);
}

static void check_ins_and_xcheck(void)
{
	static const uint32_t plain[] = {0x60000000, 0x7c0802a6, 0x38210010, 0x4e800020, 0x7ca000a7, 0x7c208146,
					 0x7ca001e5, 0x7ca10124, 0x7c7f42a6, 0x00000000, 0xffffffff};
	for (enum pv_flavor f = 0; f < PV_NFLAVORS; f++)
		for (enum pv_profile p = 0; p < PV_NPROFILES; p++) {
			struct pv_ctx ctx;
			pv_ctx_init(&ctx, f, PV_FEAT_ALL, p);
			for (unsigned i = 0; i < ctx.nactive; i++) {
				const struct pv_row *r = ctx.active[i];
				static const unsigned regs[][2] = {{5, 6}, {30, 31}, {31, 30}};
				for (unsigned k = 0; k < (r->kind == PV_K_TEMPLATE ? 3u : 1u); k++) {
					uint8_t b[5];
					uint32_t w = with_reg(r, regs[k][0], regs[k][1]);
					b[0] = pvf_header_byte(PVF_CHECK_INS, platform(f, p));
					put_be(b + 1, w, 4);
					put_file(PVF_CHECK_INS, b, 5);
					if (p == PV_PROFILE_FIXED && k == 0) {
						b[0] = pvf_header_byte(PVF_DISASM_XCHECK, platform(f, p));
						put_file(PVF_DISASM_XCHECK, b, 5);
						put_be(b + 1, w | 1, 4); /* near miss: Rc set */
						put_file(PVF_DISASM_XCHECK, b, 5);
					}
				}
			}
			for (size_t i = 0; i < sizeof plain / sizeof plain[0]; i++) {
				uint8_t b[5] = {pvf_header_byte(PVF_CHECK_INS, platform(f, p))};
				put_be(b + 1, plain[i], 4);
				put_file(PVF_CHECK_INS, b, 5);
				b[0] = pvf_header_byte(PVF_DISASM_XCHECK, platform(f, p));
				put_file(PVF_DISASM_XCHECK, b, 5);
			}
		}
}

/* one word in pvf_word's raw form */
static size_t raw_word(uint8_t *p, uint32_t w)
{
	p[0] = 3;
	return 1 + put_be(p + 1, w, 4);
}

/* a state: bytes from a fixed pattern */
static size_t state_bytes(uint8_t *p, unsigned i, enum pv_flavor f)
{
	for (size_t k = 0; k < PV_STATE_BYTES; k++)
		p[k] = (uint8_t)((k * 131 + i * 17 + f * 7) ^ (k >> 3));
	return PV_STATE_BYTES;
}

static void diff_seeds(void)
{
	uint8_t b[1 + 1 + 8 * 5 + PV_STATE_BYTES + 8];
	for (enum pv_flavor f = 0; f < PV_NFLAVORS; f++) {
		struct pv_ctx ctx;
		pv_ctx_init(&ctx, f, PV_FEAT_ALL, PV_PROFILE_FIXED);
		for (unsigned i = 0; i < ctx.nactive; i++) {
			const struct pv_row *r = ctx.active[i];
			size_t n = 0;
			b[n++] = pvf_header_byte(PVF_DIFF, platform(f, PV_PROFILE_FIXED));
			b[n++] = 2; /* three words: mfmsr r3, the class, mfspr r4,SPRG0 */
			n += raw_word(b + n, 0x7c6000a6);
			n += raw_word(b + n, with_reg(r, i % 32, (i * 7) % 32));
			n += raw_word(b + n, 0x7c9042a6);
			n += state_bytes(b + n, i, f);
			/* interrupts inside instances: none, or at every boundary */
			put_file(PVF_DIFF, b, n);
			n += put_be(b + n, ~0ull, 8);
			put_file(PVF_DIFF, b, n);
		}
		/* the MSR idiom (check_diff.c): mfmsr rX; xori/xoris rX,rX,bit for
		 * every bit of the low word, then two of mtmsr, mtmsrd 0, mtmsrd 1
		 * and wrtee each; ori/oris for a few; registers spread out */
		for (unsigned k = 0; k < 72; k++) {
			unsigned bit = k / 2 % 32, form = (bit + k % 2) % 4;
			unsigned op = k < 64 ? (bit < 16 ? 0 : 1) : 2 + k % 2; /* xori, xoris, then ori, oris */
			uint32_t raw = form << 11 | (bit % 16) << 7 | op << 5 | (3 + 7 * k) % 32;
			size_t n = 0;
			b[n++] = pvf_header_byte(PVF_DIFF, platform(f, PV_PROFILE_FIXED));
			b[n++] = 2;
			b[n++] = 0x0e; /* the idiom's selector */
			n += put_be(b + n, raw, 4);
			n += state_bytes(b + n, 100 + k, f);
			n += put_be(b + n, k % 3 ? ~0ull : 0, 8);
			put_file(PVF_DIFF, b, n);
		}
	}
}

static uint32_t *read_words(const char *path, size_t *n)
{
	FILE *f = fopen(path, "rb");
	if (!f) {
		fprintf(stderr, "make_corpus: cannot read %s\n", path);
		exit(1);
	}
	static uint8_t buf[1 << 16];
	size_t len = fread(buf, 1, sizeof buf, f);
	fclose(f);
	uint32_t *w = malloc(len + 4);
	for (size_t i = 0; i + 4 <= len; i += 4)
		w[i / 4] = (uint32_t)buf[i] << 24 | buf[i + 1] << 16 | buf[i + 2] << 8 | buf[i + 3];
	*n = len / 4;
	return w;
}

static void image_seeds(const char *text32, const char *text64)
{
	size_t n32, n64;
	uint32_t *w32 = read_words(text32, &n32), *w64 = read_words(text64, &n64);
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
			uint8_t *b = malloc(32 + 5 * nw);
			size_t n = 0;
			b[n++] = pvf_header_byte(PVF_IMAGE, platform(f, layout & 1 ? PV_PROFILE_LINUX : PV_PROFILE_FIXED));
			n += put_be(b + n, is64 ? 0xc000000000000000ull : 0xc0000000ull, 8); /* base */
			n += put_be(b + n, place[layout], 1);
			n += put_be(b + n, layout >= 3 ? 0x40 : 0x1000, 4);                   /* gap */
			n += put_be(b + n, layout >= 4 ? 63 : layout == 3 ? 40 : 1023, 2);    /* area size in words - 1 */
			n += put_be(b + n, layout == 1 ? 0x23 : 0, 1); /* layout 1: two mtmsr instances less a word */
			n += put_be(b + n, layout & 1, 1);                                    /* end of vectors? */
			n += put_be(b + n, 16, 2);                                            /* ... after 16 words */
			n += put_be(b + n, nw - 1, 2);                                        /* word count - 1 */
			for (size_t i = 0; i < nw; i++)
				n += raw_word(b + n, w[i]);
			put_file(PVF_IMAGE, b, n);
			free(b);
		}
		/* the ends of the address space (check_image.c's edge bits): the
		 * image at the top with the area above it (wraps: refused) and below
		 * it; the image at the bottom with the area below it (it wraps to the
		 * top: fine, and so do the branches); the area across the top */
		static const struct { uint8_t place, edge; } edges[] = {{0, 1}, {1, 1}, {1, 2}, {0, 3}};
		for (unsigned k = 0; k < sizeof edges / sizeof edges[0]; k++) {
			uint8_t *b = malloc(32 + 5 * nw);
			size_t n = 0;
			b[n++] = pvf_header_byte(PVF_IMAGE, platform(f, PV_PROFILE_FIXED));
			n += put_be(b + n, 0, 8);                    /* base: set by the edge */
			n += put_be(b + n, edges[k].place, 1);
			n += put_be(b + n, 0x1000, 4);               /* gap */
			n += put_be(b + n, 1023, 2);                 /* area 4 KiB */
			n += put_be(b + n, 0, 1);
			n += put_be(b + n, (uint64_t)edges[k].edge << 2, 1); /* no vectors, the edge */
			n += put_be(b + n, k, 2);                    /* a few words from the top or bottom */
			n += put_be(b + n, nw - 1, 2);
			for (size_t i = 0; i < nw; i++)
				n += raw_word(b + n, w[i]);
			put_file(PVF_IMAGE, b, n);
			free(b);
		}
	}
	free(w32);
	free(w64);
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
	if (argc != 5) {
		fprintf(stderr, "usage: %s CORPUS_DIR DICT_FILE TEXT32.bin TEXT64.bin\n", argv[0]);
		return 2;
	}
	root = argv[1];
	mkdir(root, 0777);
	check_ins_and_xcheck();
	diff_seeds();
	image_seeds(argv[3], argv[4]);
	dictionary(argv[2]);
	printf("make_corpus: %u seed files under %s, dictionary %s\n", written, root, argv[2]);
	return 0;
}
