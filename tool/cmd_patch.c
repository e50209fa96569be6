/* pvfuzz patch: rewrite instruction words, or a whole text image, the way a
 * KVM guest rewrites its own text at boot, and show what changed. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "disasm.h"
#include "pv.h"
#include "report.h"

static const char usage[] =
	"usage: pvfuzz patch --flavor F [--profile fixed|linux] [--features none|sr|mas|sr,mas]\n"
	"                    [--addr ADDR] [--json] WORD...\n"
	"       pvfuzz patch --flavor F --image FILE --base ADDR [--vectors-end ADDR]\n"
	"                    [--area ADDR] [--area-size BYTES] [--out FILE] [--area-out FILE] [--json]\n"
	"\n"
	"Word form: each WORD (32-bit hex) is placed at ADDR, ADDR+4, ... and patched;\n"
	"prints its disassembly, its class (or 'unchanged'), the rewrite, and for\n"
	"template classes the filled template instance.\n"
	"Image form: patches a raw text image (bytes in guest byte order) loaded at\n"
	"--base and prints the report: per-class counts, skipped sites and why,\n"
	"template-area use, flush ranges.\n"
	"\n"
	"  --flavor F         book3s32, booke32, book3s64, booke64, book3s64le\n"
	"  --profile P        fixed (default) or linux (upstream, with its hazards)\n"
	"  --features LIST    what the hypervisor reports: none, sr, mas, sr,mas (default)\n"
	"  --addr ADDR        address of the first word (default 0xc0000000, 64-bit: 0xc000000000000000)\n"
	"  --vectors-end ADDR no branch patching below ADDR (relocatable Book3S kernels)\n"
	"  --area ADDR        template area address (default: next 4 KiB boundary after\n"
	"                     the image, or ADDR+1 MiB in word form); it may lie inside the image\n"
	"  --area-size BYTES  template area size (default 65536, at most 16 MiB)\n"
	"  --out FILE         write the patched image\n"
	"  --area-out FILE    write the template area (when it is not inside the image)\n"
	"  --json             one JSON object per word, or one for the image report\n"
	"\n"
	"Exit status: 0 on success, 2 on a usage or input error.\n";

#define DEFAULT_AREA_SIZE 65536u
#define MAX_AREA_SIZE (16u << 20)

struct opts {
	enum pv_flavor flavor;
	bool has_flavor;
	enum pv_profile profile;
	unsigned features;
	bool json;
	const char *image, *out, *area_out;
	bool has_base, has_area, has_addr;
	uint64_t base, addr, area;
	uint64_t area_size;
	struct pv_patch_opts popts;
};

static void print_hex_list(const uint32_t *w, unsigned n)
{
	putchar('[');
	for (unsigned i = 0; i < n; i++)
		printf("%s\"0x%08x\"", i ? "," : "", w[i]);
	putchar(']');
}

static void words_form(const struct pv_ctx *ctx, struct opts *o, char **words, int nwords)
{
	bool is64 = ctx->fi->is64;
	size_t len = (size_t)nwords * 4;
	uint32_t w;
	for (int i = 0; i < nwords; i++)
		if (!cli_parse_word(words[i], &w))
			cli_fail("'%s' is not a 32-bit hex instruction word", words[i]);
	uint64_t base = o->has_addr ? o->addr : (is64 ? 0xc000000000000000ull : 0xc0000000ull);
	if (!is64 && base + len > 0x100000000ull)
		cli_fail("--addr: the words do not fit below 4 GiB on a 32-bit flavor");
	uint64_t area_addr = o->has_area ? o->area : base + (1u << 20);

	uint8_t *img = malloc(len), *area_mem = calloc(1, o->area_size);
	uint32_t *orig = malloc(len);
	if (!img || !area_mem || !orig)
		cli_fail("out of memory");
	for (int i = 0; i < nwords; i++) {
		cli_parse_word(words[i], &orig[i]);
		pv_put_word(ctx, img + 4 * i, orig[i]);
	}

	struct pv_image image = {img, len, base};
	struct pv_area area;
	struct pv_report rep = {0};
	pv_area_init(&area, area_addr, area_mem, o->area_size);
	if (pv_patch_image(ctx, &image, &area, NULL, &rep) != PV_OK) {
		free(img), free(orig), free(area_mem), pv_report_free(&rep);
		cli_fail("--area: the template area overlaps the words or does not fit the flavor's address space");
	}

	for (int i = 0; i < nwords; i++) {
		uint64_t site = base + 4u * (unsigned)i;
		uint32_t now = pv_get_word(ctx, img + 4 * i);
		const struct pv_row *row = pv_match(ctx, orig[i]);
		const struct pv_tmpl_layout *l = NULL;
		uint32_t inst[PV_TMPL_MAX_WORDS];
		uint64_t at = 0;
		bool patched = row && now != orig[i];
		if (patched && row->kind == PV_K_TEMPLATE && pv_branch_decode(is64, site, now, &at)) {
			l = pv_tmpl_layout(ctx, row->target);
			for (unsigned k = 0; k < l->nwords; k++)
				inst[k] = pv_get_word(ctx, area_mem + (at - area.addr) + 4 * k);
		}
		const char *skip = NULL;
		for (size_t s = 0; s < rep.nskips; s++)
			if (rep.skips[s].addr == site)
				skip = pv_skip_reason_name(rep.skips[s].reason);

		char d[96];
		pv_disasm(is64, orig[i], site, d, sizeof d);
		if (o->json) {
			printf("{\"addr\":\"0x%llx\",\"word\":\"0x%08x\",\"disasm\":\"%s\",\"class\":\"%s\","
			       "\"patched\":%s,\"rewrite\":", (unsigned long long)site, orig[i], d,
			       row ? pv_class_name(row->cls) : "unchanged", patched ? "true" : "false");
			print_hex_list(&now, patched);
			printf(",\"template\":");
			print_hex_list(inst, l ? l->nwords : 0);
			if (l)
				printf(",\"template_addr\":\"0x%llx\"", (unsigned long long)at);
			if (skip)
				printf(",\"skipped\":\"%s\"", skip);
			printf("}\n");
			continue;
		}
		printf("0x%08x  %s\n", orig[i], d);
		printf("    class:    %s\n", row ? pv_class_name(row->cls) : "unchanged");
		if (skip)
			printf("    skipped:  %s\n", skip);
		if (patched)
			pv_print_insn(stdout, "    rewrite:  ", is64, site, now, "");
		if (l) {
			printf("    template: %s, %u words at 0x%llx\n", l->name, l->nwords, (unsigned long long)at);
			for (unsigned k = 0; k < l->nwords; k++)
				pv_print_insn(stdout, "      ", is64, at + 4 * k, inst[k], pv_slot_tag(l, (int)k));
		}
	}
	pv_report_free(&rep);
	free(img);
	free(orig);
	free(area_mem);
}

static void print_report_text(const struct pv_ctx *ctx, const struct pv_image *img,
			      const struct pv_area *area, const struct pv_report *rep, double secs)
{
	bool is64 = ctx->fi->is64;
	unsigned tp = 0, ts = 0;
	printf("flavor %s, profile %s, features %s\n", ctx->fi->name, pv_profile_name(ctx->profile),
	       pv_features_name(ctx->features));
	printf("image:  0x%llx..0x%llx, %llu words examined\n", (unsigned long long)img->base,
	       (unsigned long long)(img->base + img->len), (unsigned long long)rep->words);
	printf("area:   0x%llx, %zu of %zu bytes used (%.1f%%)\n", (unsigned long long)area->addr,
	       area->used, area->size, area->size ? 100.0 * area->used / area->size : 0.0);
	printf("\n%-16s %9s %9s\n", "class", "patched", "skipped");
	for (unsigned c = 0; c < PV_NCLASSES; c++) {
		tp += rep->patched[c];
		ts += rep->skipped[c];
		if (rep->patched[c] || rep->skipped[c])
			printf("%-16s %9u %9u\n", pv_class_name(c), rep->patched[c], rep->skipped[c]);
	}
	printf("%-16s %9u %9u\n", "total", tp, ts);
	if (rep->nskips) {
		printf("\nskipped sites:\n");
		for (size_t i = 0; i < rep->nskips; i++)
			printf("  0x%0*llx  %-12s %s\n", is64 ? 16 : 8, (unsigned long long)rep->skips[i].addr,
			       pv_class_name(rep->skips[i].cls), pv_skip_reason_name(rep->skips[i].reason));
	}
	printf("\nflush ranges: %zu\n", rep->nflush);
	printf("largest branch distance: 0x%llx\n", (unsigned long long)rep->max_branch);
	printf("time: %.3f s\n", secs);
}

static void print_report_json(const struct pv_ctx *ctx, const struct pv_image *img, const struct pv_area *area,
			      const struct pv_report *rep, double secs)
{
	printf("{\"flavor\":\"%s\",\"profile\":\"%s\",\"features\":\"%s\",\"base\":\"0x%llx\",\"bytes\":%zu,"
	       "\"words\":%llu,", ctx->fi->name, pv_profile_name(ctx->profile), pv_features_name(ctx->features),
	       (unsigned long long)img->base, img->len, (unsigned long long)rep->words);
	printf("\"area\":{\"addr\":\"0x%llx\",\"size\":%zu,\"used\":%zu},", (unsigned long long)area->addr,
	       area->size, area->used);
	const char *sep = "";
	printf("\"classes\":{");
	for (unsigned c = 0; c < PV_NCLASSES; c++)
		if (rep->patched[c] || rep->skipped[c]) {
			printf("%s\"%s\":{\"patched\":%u,\"skipped\":%u}", sep, pv_class_name(c), rep->patched[c],
			       rep->skipped[c]);
			sep = ",";
		}
	printf("},\"skip_reasons\":{");
	for (unsigned r = 0; r < PV_NSKIP; r++)
		printf("%s\"%s\":%u", r ? "," : "", pv_skip_reason_name(r), rep->by_reason[r]);
	printf("},\"skips\":[");
	for (size_t i = 0; i < rep->nskips; i++)
		printf("%s{\"addr\":\"0x%llx\",\"class\":\"%s\",\"reason\":\"%s\"}", i ? "," : "",
		       (unsigned long long)rep->skips[i].addr, pv_class_name(rep->skips[i].cls),
		       pv_skip_reason_name(rep->skips[i].reason));
	printf("],\"flush\":[");
	for (size_t i = 0; i < rep->nflush; i++)
		printf("%s{\"addr\":\"0x%llx\",\"len\":%llu}", i ? "," : "", (unsigned long long)rep->flush[i].addr,
		       (unsigned long long)rep->flush[i].len);
	printf("],\"max_branch\":%llu,\"time_s\":%.6f}\n", (unsigned long long)rep->max_branch, secs);
}

static void image_form(const struct pv_ctx *ctx, struct opts *o)
{
	bool is64 = ctx->fi->is64;
	size_t len;
	if (!o->has_base)
		cli_fail("--image needs --base ADDR");
	uint8_t *bytes = cli_read_file(o->image, &len);
/* the buffer is freed before exiting so that error exits stay leak-free */
#define FAIL(...) do { free(bytes); cli_fail(__VA_ARGS__); } while (0)
	if (len == 0)
		FAIL("image '%s' is empty", o->image);
	if (len % 4)
		FAIL("image '%s' is %zu bytes, not a multiple of 4", o->image, len);
	if (!is64 && (o->base > 0xffffffffull || len > 0x100000000ull - o->base))
		FAIL("--base: the image does not fit below 4 GiB on a 32-bit flavor");
	if (len > UINT64_MAX - o->base)
		FAIL("--base: the image does not fit in the address space");

	uint64_t end = o->base + len;
	uint64_t area_addr = o->has_area ? o->area : (end + 0xfff) & ~0xfffull;
	uint8_t *area_mem = NULL;
	bool inside = area_addr >= o->base && area_addr < end;
	if (inside) {
		if (area_addr + o->area_size > end)
			FAIL("--area: the template area starts inside the image but runs past its end");
		area_mem = bytes + (area_addr - o->base);
	} else if (area_addr < o->base && area_addr + o->area_size > o->base) {
		FAIL("--area: the template area overlaps the start of the image");
	} else if (!(area_mem = calloc(1, o->area_size))) {
		FAIL("out of memory");
	}

	struct pv_image img = {bytes, len, o->base};
	struct pv_area area;
	struct pv_report rep = {0};
	pv_area_init(&area, area_addr, area_mem, o->area_size);
	double t0 = cli_now();
	enum pv_status st = pv_patch_image(ctx, &img, &area, &o->popts, &rep);
	double secs = cli_now() - t0;
	if (st != PV_OK) {
		pv_report_free(&rep);
		if (!inside)
			free(area_mem);
		FAIL("%s", st == PV_ERR_ARG ? "--area: the template area does not fit the flavor's address space"
					    : "out of memory while patching");
	}

	if (o->json)
		print_report_json(ctx, &img, &area, &rep, secs);
	else
		print_report_text(ctx, &img, &area, &rep, secs);
	pv_report_free(&rep);
	bool out_ok = !o->out || cli_try_write_file(o->out, bytes, len);
	bool area_ok = !o->area_out || inside || cli_try_write_file(o->area_out, area_mem, area.used);
	if (!inside)
		free(area_mem);
	free(bytes);
	if (!out_ok || !area_ok)
		cli_fail("cannot write '%s': %s", !out_ok ? o->out : o->area_out, strerror(errno));
#undef FAIL
}

int cmd_patch(int argc, char **argv)
{
	enum { O_FLAVOR = 256, O_PROFILE, O_FEATURES, O_JSON, O_IMAGE, O_BASE, O_VECTORS, O_OUT,
	       O_AREA, O_AREA_SIZE, O_AREA_OUT, O_ADDR, O_HELP };
	static const struct option longopts[] = {
		{"flavor", required_argument, 0, O_FLAVOR},     {"profile", required_argument, 0, O_PROFILE},
		{"features", required_argument, 0, O_FEATURES}, {"json", no_argument, 0, O_JSON},
		{"image", required_argument, 0, O_IMAGE},       {"base", required_argument, 0, O_BASE},
		{"vectors-end", required_argument, 0, O_VECTORS}, {"out", required_argument, 0, O_OUT},
		{"area", required_argument, 0, O_AREA},         {"area-size", required_argument, 0, O_AREA_SIZE},
		{"area-out", required_argument, 0, O_AREA_OUT}, {"addr", required_argument, 0, O_ADDR},
		{"help", no_argument, 0, O_HELP},               {0, 0, 0, 0},
	};
	struct opts o = {.profile = PV_PROFILE_FIXED, .features = PV_FEAT_ALL, .area_size = DEFAULT_AREA_SIZE};
	int c;

	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, "+:h", longopts, NULL)) != -1) {
		switch (c) {
		case O_FLAVOR: o.flavor = cli_flavor(optarg); o.has_flavor = true; break;
		case O_PROFILE: o.profile = cli_profile(optarg); break;
		case O_FEATURES: o.features = cli_features(optarg); break;
		case O_JSON: o.json = true; break;
		case O_IMAGE: o.image = optarg; break;
		case O_BASE: o.base = cli_address("--base", optarg); o.has_base = true; break;
		case O_VECTORS:
			o.popts.vectors_end = cli_address("--vectors-end", optarg);
			o.popts.has_vectors_end = true;
			break;
		case O_OUT: o.out = optarg; break;
		case O_AREA: o.area = cli_address("--area", optarg); o.has_area = true; break;
		case O_AREA_SIZE:
			if (!cli_parse_u64(optarg, &o.area_size) || o.area_size == 0 || o.area_size % 4 ||
			    o.area_size > MAX_AREA_SIZE)
				cli_fail("--area-size: '%s' must be a multiple of 4 between 4 and %u", optarg,
					 MAX_AREA_SIZE);
			break;
		case O_AREA_OUT: o.area_out = optarg; break;
		case O_ADDR: o.addr = cli_address("--addr", optarg); o.has_addr = true; break;
		case 'h':
		case O_HELP: fputs(usage, stdout); return 0;
		default: cli_bad_option("patch", c, argv);
		}
	}
	if (!o.has_flavor)
		cli_fail("patch: --flavor is required (see pvfuzz patch --help)");

	struct pv_ctx ctx;
	if (pv_ctx_init(&ctx, o.flavor, o.features, o.profile) != 0)
		cli_fail("patch: internal error: the rewrite table does not fit the matcher");
	int nwords = argc - optind;
	if (o.image) {
		if (nwords)
			cli_fail("patch: give either WORDs or --image, not both");
		image_form(&ctx, &o);
	} else {
		if (!nwords)
			cli_fail("patch: no WORD and no --image given (see pvfuzz patch --help)");
		if (o.has_base || o.popts.has_vectors_end || o.out || o.area_out)
			cli_fail("patch: --base, --vectors-end, --out and --area-out go with --image");
		words_form(&ctx, &o, argv + optind, nwords);
	}
	return 0;
}
