/* pvfuzz agree: the linux profile against a kernel's own patch code, word
 * for word (docs/kernel-mode.md, "Agreement"). */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "disasm.h"
#include "emu.h"
#include "profile.h"
#include "ppc_insn.h"

static const char usage[] =
	"usage: pvfuzz agree --profile kernel:DIR [--flavor F|all] [--json]\n"
	"\n"
	"Patches one fixed image with the linux profile and with the kernel's own\n"
	"code built in DIR (scripts/kernel-mode/build.sh) and compares the results\n"
	"word for word: every text word, every byte of the template area and how\n"
	"much of it is used. The image holds every encoding of the rewrite table\n"
	"(all flavors) with rS/rT in r0, r3, r29, r30, r31 and rB varied, each\n"
	"encoding's single-bit neighbours, and plain words between. It is patched\n"
	"under every feature set and nine layouts:\n"
	"  oracle   text at 0x10000, area at 0x20000 (as pvfuzz diff runs it)\n"
	"  kernel   text at 0xc0000000 / 0xc000000000000000, end of vectors 64\n"
	"           bytes in where the build has that rule, area 1 MiB on\n"
	"  full     the oracle layout with room for two instances only\n"
	"  above    as kernel, the area 40 MiB above the text (out of reach)\n"
	"  below    as kernel, the area 40 MiB below the text (out of reach)\n"
	"  zero     the oracle layout with the area at address 0 (upstream reads\n"
	"           its first instance's address as NULL: no room)\n"
	"  start, middle, end\n"
	"           as kernel, with a 16 KiB area inside the text (before the\n"
	"           words, between their halves, after them), patched once and\n"
	"           then compared on a second pass, so that the area holds\n"
	"           instances already: a patch loop that does not skip its own\n"
	"           area rewrites their orig-ins slots\n"
	"Flavors DIR has no build for are reported and skipped.\n"
	"\n"
	"  --flavor F   one flavor, or all (default)\n"
	"  --json       one JSON object per line\n"
	"\n"
	"Exit status: 0 agree, 1 a difference, 2 usage error or nothing built,\n"
	"70 the kernel's code could not run (the message says where it failed).\n";

#define MAX_WORDS 4096u
#define AREA_SIZE 0x10000u
#define SHOW 6 /* differing words shown per case */

#define INSIDE_SIZE 0x4000u /* an area inside the text */

enum inside { OUTSIDE, AT_START, IN_MIDDLE, AT_END };

struct layout {
	const char *name;
	bool kernel_like;  /* text at 0xc0000000 / 0xc000000000000000, vectors rule */
	int64_t area_off;  /* area address - text address (outside the text) */
	unsigned area_size;
	uint8_t inside;    /* enum inside: the area is part of the text, patched twice */
};
static const struct layout layouts[] = {
	{"oracle", false, PV_EMU_AREA_BASE - PV_EMU_TEXT_BASE, AREA_SIZE, OUTSIDE},
	{"kernel", true, 1 << 20, AREA_SIZE, OUTSIDE},
	{"full", false, PV_EMU_AREA_BASE - PV_EMU_TEXT_BASE, 256, OUTSIDE},
	{"above", true, 40 << 20, AREA_SIZE, OUTSIDE},
	{"below", true, -(40 << 20), AREA_SIZE, OUTSIDE},
	{"zero", false, -(int64_t)PV_EMU_TEXT_BASE, AREA_SIZE, OUTSIDE},
	{"start", true, 0, INSIDE_SIZE, AT_START},
	{"middle", true, 0, INSIDE_SIZE, IN_MIDDLE},
	{"end", true, 0, INSIDE_SIZE, AT_END},
};

static uint64_t text_base(const struct pv_ctx *ctx, const struct layout *l)
{
	if (!l->kernel_like)
		return PV_EMU_TEXT_BASE;
	return ctx->fi->is64 ? 0xc000000000000000ull : 0xc0000000ull;
}

/* The image: table encodings with registers filled, neighbours, plain words. */
static unsigned make_words(uint32_t *w)
{
	static const unsigned regs[] = {0, 3, 29, 30, 31};
	static const unsigned rbs[] = {5, 30, 31, 0, 30};
	unsigned n = 0;
	for (size_t i = 0; i < pv_nrows; i++) {
		const struct pv_row *r = &pv_rows[i];
		for (unsigned k = 0; k < 5; k++) {
			uint32_t x = r->match;
			if (r->carried & PPC_RT_MASK)
				x = ppc_with_rt(x, regs[k]);
			if (r->carried & PPC_RB_MASK)
				x = ppc_with_rb(x, rbs[k]);
			w[n++] = x;
			w[n++] = ppc_li(3, (int)(i * 5 + k)); /* a plain word between sites */
		}
	}
	for (size_t i = 0; i < pv_nrows && n + 32 <= MAX_WORDS; i++)
		for (unsigned b = 0; b < 32; b++)
			w[n++] = pv_rows[i].match ^ (1u << b);
	return n;
}

struct outcome {
	uint32_t *orig;     /* the text as given: the words, with the area's zeroes where it lies inside */
	unsigned n;         /* its words */
	uint8_t *text, *area;
	uint64_t area_addr;
	size_t used;
	struct pv_report rep;
	int status;
};

/* Word offset of an area inside n words of text. */
static unsigned inside_at(const struct layout *l, unsigned n)
{
	return l->inside == AT_START ? 0 : l->inside == IN_MIDDLE ? n / 2 : n;
}

static void run(const struct pv_ctx *ctx, const uint32_t *w, unsigned n, const struct layout *l, bool vectors,
		struct outcome *o)
{
	uint64_t base = text_base(ctx, l);
	unsigned at = inside_at(l, n), aw = l->inside ? l->area_size / 4 : 0;
	o->n = n + aw;
	o->orig = calloc(o->n, sizeof *o->orig);
	o->text = malloc(4u * o->n);
	o->area = l->inside ? NULL : calloc(1, AREA_SIZE);
	if (!o->orig || !o->text || (!l->inside && !o->area))
		cli_fail("out of memory");
	for (unsigned i = 0, j = 0; i < o->n; i++)
		o->orig[i] = l->inside && i >= at && i < at + aw ? 0 : w[j++];
	for (unsigned i = 0; i < o->n; i++)
		pv_put_word(ctx, o->text + 4 * i, o->orig[i]);
	o->area_addr = l->inside ? base + 4ull * at : base + (uint64_t)l->area_off;
	struct pv_image img = {o->text, 4u * o->n, base};
	struct pv_area area;
	pv_area_init(&area, o->area_addr, l->inside ? o->text + 4 * at : o->area, l->area_size);
	struct pv_patch_opts opts = {.has_vectors_end = l->kernel_like && vectors, .vectors_end = base + 64};
	memset(&o->rep, 0, sizeof o->rep);
	if (l->inside) { /* a first pass fills the area; the second is compared */
		o->status = pv_patch_image(ctx, &img, &area, &opts, &o->rep);
		pv_report_free(&o->rep);
		if (o->status != PV_OK)
			return;
		for (unsigned i = 0; i < o->n; i++)
			o->orig[i] = pv_get_word(ctx, o->text + 4 * i);
	}
	o->status = pv_patch_image(ctx, &img, &area, &opts, &o->rep);
	o->used = area.used;
}

static void free_outcome(struct outcome *o)
{
	free(o->orig);
	free(o->text);
	free(o->area);
	pv_report_free(&o->rep);
}

enum verdict { AGREE, DIFFER, ERROR };

/* Compares one case; prints it, or on ERROR leaves the message to the
 * caller (cli_patch_error of *status). */
static enum verdict compare(const struct pv_ctx *lx, const struct pv_ctx *kx, const uint32_t *w, unsigned n,
		    const struct layout *l, bool json, int *status)
{
	bool vectors = pv_ctx_vectors_rule(kx);
	struct outcome a, b;
	run(lx, w, n, l, vectors, &a);
	run(kx, w, n, l, vectors, &b);
	const char *fl = lx->fi->name, *ft = pv_features_name(lx->features);
	if (b.status != PV_OK) {
		printf(json ? "{\"flavor\":\"%s\",\"features\":\"%s\",\"layout\":\"%s\",\"verdict\":\"error\"}\n"
			    : "%-10s %-7s %-7s ERROR\n", fl, ft, l->name);
		*status = b.status;
		free_outcome(&a), free_outcome(&b);
		return ERROR;
	}
	unsigned text_diff = 0, area_diff = 0, patched = 0;
	for (unsigned i = 0; i < a.n; i++) {
		uint32_t x = pv_get_word(lx, a.text + 4 * i), y = pv_get_word(kx, b.text + 4 * i);
		patched += y != b.orig[i];
		text_diff += x != y || a.orig[i] != b.orig[i];
	}
	for (unsigned i = 0; a.area && i < AREA_SIZE / 4; i++)
		area_diff += memcmp(a.area + 4 * i, b.area + 4 * i, 4) != 0;
	bool same = a.status == PV_OK && !text_diff && !area_diff && a.used == b.used;
	if (json)
		printf("{\"flavor\":\"%s\",\"features\":\"%s\",\"layout\":\"%s\",\"verdict\":\"%s\",\"words\":%u,"
		       "\"patched\":%u,\"area_used\":%zu,\"kernel_area_used\":%zu,\"text_diffs\":%u,\"area_diffs\":%u}\n",
		       fl, ft, l->name, same ? "agree" : "differ", a.n, patched, a.used, b.used, text_diff, area_diff);
	else
		printf("%-10s %-7s %-7s %-7s %4u words, %3u patched, area %5zu bytes%s\n", fl, ft, l->name,
		       same ? "agree" : "DIFFER", a.n, patched, b.used, same ? "" : " (see below)");
	if (!same && !json) {
		bool is64 = lx->fi->is64;
		uint64_t base = text_base(lx, l);
		unsigned shown = 0;
		if (a.used != b.used)
			printf("    area used: linux %zu bytes, kernel %zu bytes\n", a.used, b.used);
		for (unsigned i = 0; i < a.n && shown < SHOW; i++) {
			uint32_t x = pv_get_word(lx, a.text + 4 * i), y = pv_get_word(kx, b.text + 4 * i);
			if (x == y && a.orig[i] == b.orig[i])
				continue;
			char d0[96], d1[96], d2[96];
			uint64_t at = base + 4ull * i;
			bool in_area = at - a.area_addr < l->area_size && l->inside;
			pv_disasm(is64, a.orig[i], at, d0, sizeof d0);
			pv_disasm(is64, x, at, d1, sizeof d1);
			pv_disasm(is64, y, at, d2, sizeof d2);
			printf("    %s0x%llx %08x %-24s linux %08x %-24s kernel %08x %s\n", in_area ? "area " : "",
			       (unsigned long long)at, a.orig[i], d0, x, d1, y, d2);
			shown++;
		}
		for (unsigned i = 0; a.area && i < AREA_SIZE / 4 && shown < SHOW; i++) {
			uint32_t x = pv_get_word(lx, a.area + 4 * i), y = pv_get_word(kx, b.area + 4 * i);
			if (x == y)
				continue;
			char d1[96], d2[96];
			uint64_t at = a.area_addr + 4ull * i;
			pv_disasm(is64, x, at, d1, sizeof d1);
			pv_disasm(is64, y, at, d2, sizeof d2);
			printf("    area 0x%llx  linux %08x %-26s kernel %08x %s\n", (unsigned long long)at, x, d1, y, d2);
			shown++;
		}
	}
	free_outcome(&a), free_outcome(&b);
	return same ? AGREE : DIFFER;
}

int cmd_agree(int argc, char **argv)
{
	enum { O_FLAVOR = 256, O_PROFILE, O_JSON, O_HELP };
	static const struct option longopts[] = {
		{"flavor", required_argument, 0, O_FLAVOR}, {"profile", required_argument, 0, O_PROFILE},
		{"json", no_argument, 0, O_JSON}, {"help", no_argument, 0, O_HELP}, {0, 0, 0, 0},
	};
	int flavor = -1, c;
	bool json = false;
	if (cli_start_options(argc, argv, usage)) /* --help printed */
		return 0;
	while ((c = getopt_long(argc, argv, "+:h", longopts, NULL)) != -1) {
		switch (c) {
		case O_FLAVOR: flavor = strcmp(optarg, "all") ? (int)cli_flavor(optarg) : -1; break;
		case O_PROFILE:
			if (cli_profile(optarg) != PV_PROFILE_LINUX || !cli_kernel_dir())
				cli_fail("agree: --profile must be kernel:DIR (the linux profile is what it is compared with)");
			break;
		case O_JSON: json = true; break;
		case 'h':
		case O_HELP: fputs(usage, stdout); return 0;
		default: cli_bad_option("agree", c, argv);
		}
	}
	if (optind < argc)
		cli_fail("agree: unexpected argument '%s'", argv[optind]);
	if (!cli_kernel_dir())
		cli_fail("agree: --profile kernel:DIR is required (see pvfuzz agree --help)");

	static uint32_t words[MAX_WORDS];
	unsigned n = make_words(words), built = 0, differ = 0, cases = 0, errors = 0;
	if (!json)
		printf("%-10s %-7s %-7s %-7s\n", "flavor", "feat", "layout", "verdict");
	for (enum pv_flavor f = 0; f < PV_NFLAVORS; f++) {
		if (flavor >= 0 && (int)f != flavor)
			continue;
		char err[700];
		struct pv_kernel *k = pvf_kernel(cli_kernel_dir(), f, err, sizeof err); /* the one registry */
		if (!k) {
			if (flavor >= 0 || pv_kernel_present(cli_kernel_dir(), f)) /* stale or damaged: not "not built" */
				cli_fail("%s", err);
			printf(json ? "{\"flavor\":\"%s\",\"verdict\":\"not built\"}\n" : "%-10s not built, skipped\n",
			       pv_flavor_info(f)->name);
			continue;
		}
		built++;
		int status = PV_OK;
		struct pv_ctx lx, kx;
		for (unsigned ft = 0; ft <= PV_FEAT_ALL && status == PV_OK; ft++) {
			pv_ctx_init(&lx, f, ft, PV_PROFILE_LINUX);
			pv_ctx_init(&kx, f, ft, PV_PROFILE_LINUX);
			pv_kernel_attach(k, &kx);
			for (size_t l = 0; l < sizeof layouts / sizeof layouts[0] && status == PV_OK; l++, cases++)
				differ += compare(&lx, &kx, words, n, &layouts[l], json, &status) == DIFFER;
		}
		if (status != PV_OK) { /* not a difference: the kernel's code could not run; the flavor stops */
			errors++;
			fprintf(stderr, "pvfuzz: %s: %s\n", pv_flavor_info(f)->name, cli_patch_error(&kx, status, "bad arguments"));
		}
	}
	if (!built)
		cli_fail("agree: no flavor is built in %s (scripts/kernel-mode/build.sh --flavor all)", cli_kernel_dir());
	if (!json)
		printf("%u of %u cases agree word for word (%u flavor%s built%s)\n", cases - differ - errors, cases,
		       built, built == 1 ? "" : "s", errors ? "; the kernel's code failed to run: see above" : "");
	return errors ? EXIT_INTERNAL : differ ? 1 : 0;
}
