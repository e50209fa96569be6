/* pvfuzz diff --vmlinux: the differential oracle on real kernel code. For
 * each patch site of a kernel ELF it cuts the straight-line code around the
 * site out of the real text (from the previous branch target or block start
 * to the next branch) and runs it original against patched from corner
 * start states, on the kernel's flavor. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli.h"
#include "emu.h"
#include "ppc_insn.h"
#include "pvf.h"
#include "report.h"
#include "vmlinux.h"

static const char usage[] =
	"usage: pvfuzz diff --vmlinux FILE [--sites all|N] [--states K] [--flavor F]\n"
	"                   [--features LIST] [--profile P] [--json] [--seeds-out DIR]\n"
	"                   [--no-vectors-rule] [symbol options as for pvfuzz patch --vmlinux]\n"
	"\n"
	"Patches the kernel as pvfuzz patch --vmlinux does, then, for each patch site\n"
	"(all, or N spread evenly over the text), cuts the straight-line code around\n"
	"it from the real text: back to the previous branch target or the\n"
	"instruction after the previous branch, forward to the next branch (at most\n"
	"32 words each way). The block runs original against patched under the\n"
	"oracle from K corner start states (default 16), with only that site\n"
	"patched: other privileged words in the block run as they are on both\n"
	"sides, so a divergence belongs to the site named. Loads and stores to\n"
	"addresses the start state did not map are a fault event that both runs must\n"
	"share. A block whose runs all fault before the site is run again from the\n"
	"site itself.\n"
	"\n"
	"Prints a verdict per site (with the report of the first divergences) and a\n"
	"summary: sites run, equivalent, divergent, not runnable (with the reason).\n"
	"--seeds-out DIR writes fuzz_diff and fuzz_image seed inputs cut from the\n"
	"blocks (scripts/kernel-corpus.sh).\n"
	"\n"
	"Exit status: 0 every site run is equivalent, 1 a divergence, 2 usage or input\n"
	"error, 70 internal error (the emulator failed).\n";

#define MAX_SIDE 32 /* words before and after the site */
#define MAX_REPORTS 5

/* Instructions that end straight-line code. */
static bool ends_block(uint32_t w)
{
	unsigned op = ppc_opcode(w), xo = ppc_xo(w);
	switch (op) {
	case 0: /* no instruction: data in the text */
	case 2: /* tdi */
	case 3: /* twi */
	case 16: /* bc */
	case 17: /* sc */
	case 18: /* b */
		return true;
	case 19: /* bclr bcctr bctar, rfi rfid hrfid rfci rfmci rfdi */
		return xo == 16 || xo == 528 || xo == 560 || xo == 50 || xo == 18 || xo == 274 || xo == 51 ||
		       xo == 38 || xo == 39;
	case 31: /* tw td */
		return xo == 4 || xo == 68;
	default:
		return false;
	}
}

struct vmlinux_diff {
	struct pv_vmlinux k;
	struct pv_vmlinux_opts kopts;
	struct pv_ctx ctx;
	size_t n;          /* words of text */
	uint32_t *w;       /* original words */
	uint8_t *target;   /* word i is the target of a direct branch */
	uint8_t *skipped;  /* 0, or 1 + the patch loop's skip reason */
	uint64_t base, skip_lo, skip_hi;
	unsigned states;
	bool json;
	const char *seeds_out;
	unsigned seeds_written;
};

static bool in_skip(const struct vmlinux_diff *kd, size_t i)
{
	uint64_t a = kd->base + 4 * i;
	return a >= kd->skip_lo && a < kd->skip_hi;
}

static void mark_targets(struct vmlinux_diff *kd)
{
	bool is64 = kd->ctx.fi->is64;
	for (size_t i = 0; i < kd->n; i++) {
		uint64_t to;
		if (!pv_branch_target(is64, kd->base + 4 * i, kd->w[i], &to))
			continue;
		if (to >= kd->base && to < kd->base + 4 * kd->n)
			kd->target[(to - kd->base) / 4] = 1;
	}
}

/* [*lo, *hi): the straight-line block around site i. */
static void cut_block(const struct vmlinux_diff *kd, size_t i, size_t *lo, size_t *hi)
{
	size_t s = i;
	while (s > 0 && i - s < MAX_SIDE && !kd->target[s] && !ends_block(kd->w[s - 1]) && !in_skip(kd, s - 1))
		s--;
	size_t e = i + 1;
	while (e < kd->n && e - i <= MAX_SIDE && !ends_block(kd->w[e]) && !in_skip(kd, e) && !kd->target[e])
		e++;
	*lo = s, *hi = e;
}

static void write_seed(struct vmlinux_diff *kd, enum pvf_target t, uint64_t site, const uint8_t *b, size_t len)
{
	char path[4096];
	snprintf(path, sizeof path, "%s/%s/kernel-%llx", kd->seeds_out, pvf_target_name(t), (unsigned long long)site);
	cli_output_dir_file("--seeds-out", path, b, len);
	kd->seeds_written++;
}

/* A fuzz_diff input (at most 8 words of the block, the site among them,
 * raw selectors) and a fuzz_image input (up to 256 words around the site
 * at their real address). */
static void write_seeds(struct vmlinux_diff *kd, size_t lo, size_t hi, size_t site)
{
	unsigned platform = pvf_platform_index(kd->ctx.flavor, kd->ctx.features, kd->ctx.profile);
	struct pvf_out o = {0};
	size_t from = site >= lo + 3 ? site - 3 : lo, to = from + 8 < hi ? from + 8 : hi;
	struct pvf_diff_input d = {.platform = platform, .nwords = (unsigned)(to - from), .nitems = (unsigned)(to - from)};
	for (size_t i = from; i < to; i++)
		d.item[i - from].sel = PVF_SEL_RAW, d.item[i - from].word = kd->w[i];
	uint8_t state[PV_STATE_BYTES];
	uint64_t x = kd->base + 4 * site; /* the state bytes: a fixed function of the site */
	for (unsigned i = 0; i < PV_STATE_BYTES; i++) {
		x = x * 6364136223846793005ull + 1442695040888963407ull;
		state[i] = (uint8_t)(x >> 56);
	}
	d.state = state, d.state_len = sizeof state;
	pvf_diff_encode(&o, &d);
	write_seed(kd, PVF_DIFF, kd->base + 4 * site, o.p, o.n);

	o.n = 0;
	from = site >= 128 ? site - 128 : 0;
	to = from + 256 < kd->n ? from + 256 : kd->n;
	struct pvf_image_layout l = {
		.base = kd->base + 4 * from,
		.place = 0,           /* area after the image */
		.gap = 0x1000,
		.area_words_m1 = 1023, /* 4 KiB */
		.fit = 0,
		.vec = 0, /* no vectors rule */
	};
	pvf_image_encode(&o, platform, &l, kd->w + from, to - from, PVF_SEL_RAW);
	write_seed(kd, PVF_IMAGE, kd->base + 4 * site, o.p, o.n);
	free(o.p);
}

enum verdict { V_EQUIVALENT, V_DIVERGENT, V_SKIPPED, V_UNREACHED, V_EMU_ERROR, NVERDICTS };
/* the verdict as JSON names it, and why a site is not runnable */
static const struct {
	const char *json, *reason;
} verdicts[NVERDICTS] = {
	[V_EQUIVALENT] = {"equivalent", ""},
	[V_DIVERGENT] = {"divergent", ""},
	[V_SKIPPED] = {"not runnable", "left unpatched by the patch loop"},
	[V_UNREACHED] = {"not runnable", "no start state reaches the site"},
	[V_EMU_ERROR] = {"not runnable", "the emulator failed"},
};

/* Runs words [lo, hi) from the corner states; returns the verdict and, in
 * *reached, how many states executed the site (word `site`). */
static enum verdict run_block(struct vmlinux_diff *kd, struct pv_oracle *or, size_t lo, size_t hi, size_t site,
			      struct pv_diff *d, struct pv_state *st, unsigned *reached, struct pv_tally *tally)
{
	struct pv_diff_opts o = {.one_site = true, .site = (unsigned)(site - lo)};
	*reached = 0;
	for (unsigned s = 0; s < kd->states; s++) {
		pv_state_corner(kd->ctx.flavor, kd->base + 4 * site + s, s, st);
		if (pv_diff_run(or, &kd->ctx, kd->w + lo, (unsigned)(hi - lo), st, &o, d) != 0) {
			fprintf(stderr, "pvfuzz: the emulator failed at site 0x%llx: %s\n",
				(unsigned long long)(kd->base + 4 * site), pv_oracle_error(or));
			return V_EMU_ERROR;
		}
		pv_tally_add(tally, d);
		if (d->divergent)
			return V_DIVERGENT;
		*reached += d->orig_run.steps > site - lo;
	}
	return *reached ? V_EQUIVALENT : V_UNREACHED;
}

int cmd_diff_vmlinux(int argc, char **argv)
{
	enum { O_VMLINUX = 256, O_SITES, O_STATES, O_FLAVOR, O_FEATURES, O_PROFILE, O_JSON, O_SEEDS, O_NO_VECTORS,
	       O_HELP, O_KSYM };
	static const struct option longopts[] = {
		{"vmlinux", required_argument, 0, O_VMLINUX}, {"sites", required_argument, 0, O_SITES},
		{"states", required_argument, 0, O_STATES}, {"flavor", required_argument, 0, O_FLAVOR},
		{"features", required_argument, 0, O_FEATURES}, {"profile", required_argument, 0, O_PROFILE},
		{"json", no_argument, 0, O_JSON}, {"seeds-out", required_argument, 0, O_SEEDS},
		{"no-vectors-rule", no_argument, 0, O_NO_VECTORS}, {"help", no_argument, 0, O_HELP},
		PV_KSYM_LONGOPTS(O_KSYM),
		{0, 0, 0, 0},
	};
	static struct vmlinux_diff kd;
	const char *path = NULL, *sites_arg = "all";
	enum pv_profile profile = PV_PROFILE_FIXED;
	unsigned features = PV_FEAT_ALL;
	int c;
	memset(&kd, 0, sizeof kd);
	kd.states = 16;
	if (cli_start_options(argc, argv, usage)) /* --help printed */
		return 0;
	while ((c = getopt_long(argc, argv, "+:h", longopts, NULL)) != -1) {
		switch (c) {
		case O_VMLINUX: path = optarg; break;
		case O_SITES: sites_arg = optarg; break;
		case O_STATES: kd.states = (unsigned)cli_number("--states", optarg, 1, 100000); break;
		case O_FLAVOR: kd.k.flavor = cli_flavor(optarg); kd.k.flavor_given = true; break;
		case O_FEATURES: features = cli_features(optarg); break;
		case O_PROFILE: profile = cli_profile(optarg); break;
		case O_JSON: kd.json = true; break;
		case O_SEEDS: kd.seeds_out = optarg; break;
		case O_NO_VECTORS: kd.kopts.no_vectors_rule = true; break;
		case 'h':
		case O_HELP: fputs(usage, stdout); return 0;
		default:
			if (!cli_ksym_option(c, O_KSYM, optarg, &kd.k))
				cli_bad_option("diff", c, argv);
		}
	}
	if (optind < argc)
		cli_fail("diff: --vmlinux takes no WORDs ('%s')", argv[optind]);
	if (!path)
		cli_fail("diff: --vmlinux FILE is required here");
	uint64_t want = 0; /* 0: all */
	if (strcmp(sites_arg, "all") != 0)
		want = cli_number("--sites", sites_arg, 1, 100000000);
	cli_vmlinux_load(path, &kd.kopts, &kd.k);
	if (kd.seeds_out) /* only once the kernel is known good; removed again if the command fails */
		cli_output_dir("--seeds-out", kd.seeds_out);
	cli_ctx_init(&kd.ctx, kd.k.flavor, features, profile);
	struct pv_kernel_patch kp;
	struct pv_report rep = {0};
	kd.n = kd.k.text_len / 4;
	kd.base = kd.k.sym[PV_KSYM_STEXT];
	kd.w = malloc(kd.n * sizeof *kd.w);
	kd.target = calloc(kd.n, 1);
	kd.skipped = calloc(kd.n, 1);
	if (!kd.w || !kd.target || !kd.skipped)
		cli_fail("out of memory");
	for (size_t i = 0; i < kd.n; i++)
		kd.w[i] = pv_get_word(&kd.ctx, kd.k.text + 4 * i);
	pv_vmlinux_patch_setup(&kd.k, &kp);
	kd.skip_lo = kp.skip.addr, kd.skip_hi = kp.skip.addr + kp.skip.len;
	enum pv_status pst = pv_patch_image(&kd.ctx, &kp.img, &kp.area, &kp.popts, &rep);
	if (pst != PV_OK)
		cli_patch_fail(&kd.ctx, pst, "patching the kernel failed: ", "bad arguments");
	for (size_t i = 0; i < rep.nskips; i++)
		kd.skipped[(rep.skips[i].addr - kd.base) / 4] = (uint8_t)(1 + rep.skips[i].reason);
	pv_report_free(&rep);
	mark_targets(&kd);

	/* the patch sites, as the patch loop saw them */
	size_t nsites = 0;
	for (size_t i = 0; i < kd.n; i++)
		nsites += !in_skip(&kd, i) && pv_match(&kd.ctx, kd.w[i]) != NULL;
	size_t *sites = malloc((nsites ? nsites : 1) * sizeof *sites);
	if (!sites)
		cli_fail("out of memory");
	nsites = 0;
	for (size_t i = 0; i < kd.n; i++)
		if (!in_skip(&kd, i) && pv_match(&kd.ctx, kd.w[i]))
			sites[nsites++] = i;
	size_t nsel = want && want < nsites ? want : nsites;

	char oerr[160];
	struct pv_oracle *or = pv_oracle_new(kd.ctx.flavor, oerr, sizeof oerr);
	struct pv_diff *d = calloc(1, sizeof *d);
	if (!or || !d)
		cli_fail("%s", or ? "out of memory" : oerr);
	if (!kd.json) {
		printf("kernel %s: %s, profile %s, features %s, %zu patch sites, running %zu, %u states each\n", path,
		       kd.ctx.fi->name, pv_profile_label(&kd.ctx), pv_features_name(features), nsites, nsel, kd.states);
		if (kd.ctx.flavor == PV_BOOK3S64LE)
			printf("book3s64le runs natively (%s), no byte swapping\n", pv_oracle_cpu(or));
		else
			printf("oracle: %s on %s\n", kd.ctx.fi->name, pv_oracle_cpu(or));
	}

	unsigned long long count[NVERDICTS] = {0}, runs_from_site = 0, reached_total = 0;
	struct pv_tally tally = {0};
	unsigned reports = 0;
	double t0 = cli_now(), last = t0;
	struct pv_state st;
	char jpath[1024], jlabel[1400];
	pv_json_escape(path, jpath, sizeof jpath);
	pv_json_escape(pv_profile_label(&kd.ctx), jlabel, sizeof jlabel);
	if (kd.json)
		printf("{\"vmlinux\":\"%s\",\"flavor\":\"%s\",\"profile\":\"%s\",\"features\":\"%s\",\"sites\":%zu,"
		       "\"selected\":%zu,\"states\":%u,\"results\":[", jpath, kd.ctx.fi->name,
		       jlabel, pv_features_name(features), nsites, nsel, kd.states);
	const char *sep = "";
	for (size_t j = 0; j < nsel; j++) {
		size_t i = sites[nsel == nsites ? j : j * nsites / nsel];
		uint64_t addr = kd.base + 4 * i;
		size_t lo, hi;
		unsigned reached = 0;
		enum verdict v;
		cut_block(&kd, i, &lo, &hi);
		if (kd.skipped[i]) {
			v = V_SKIPPED;
		} else {
			v = run_block(&kd, or, lo, hi, i, d, &st, &reached, &tally);
			if (v == V_UNREACHED && lo < i) { /* every run ended before the site: start at it */
				lo = i;
				runs_from_site++;
				v = run_block(&kd, or, lo, hi, i, d, &st, &reached, &tally);
			}
		}
		count[v]++;
		reached_total += reached;
		if (kd.seeds_out && v == V_EQUIVALENT)
			write_seeds(&kd, lo, hi, i);
		const char *cls = pv_class_name(pv_match(&kd.ctx, kd.w[i])->cls);
		const char *skip = v == V_SKIPPED ? pv_skip_reason_name((enum pv_skip_reason)(kd.skipped[i] - 1)) : "";
		unsigned long long blo = kd.base + 4 * lo, bhi = kd.base + 4 * hi;
		if (kd.json) {
			printf("%s{\"addr\":\"0x%llx\",\"class\":\"%s\",\"verdict\":\"%s\",\"reason\":\"%s\","
			       "\"block\":[\"0x%llx\",\"0x%llx\"],\"reached\":%u", sep, (unsigned long long)addr, cls,
			       verdicts[v].json, v == V_SKIPPED ? skip : verdicts[v].reason, blo, bhi, reached);
			if (v == V_DIVERGENT)
				printf(",\"first_difference\":{\"item\":\"%s\",\"original\":\"%s\",\"patched\":\"%s\"}",
				       d->item, d->orig, d->patched);
			printf("}");
			sep = ",";
		} else if (v == V_EQUIVALENT) {
			printf("site 0x%llx %-12s equivalent (block 0x%llx..0x%llx, %u of %u states reached the site)\n",
			       (unsigned long long)addr, cls, blo, bhi, reached, kd.states);
		} else if (v == V_DIVERGENT) {
			printf("site 0x%llx %-12s DIVERGENT\n", (unsigned long long)addr, cls);
			if (reports++ < MAX_REPORTS) {
				char origin[96];
				snprintf(origin, sizeof origin, "kernel block 0x%llx..0x%llx", blo, bhi);
				pv_print_divergence(stdout, &kd.ctx, origin, &st, d);
			}
		} else {
			printf("site 0x%llx %-12s not runnable: %s%s%s%s\n", (unsigned long long)addr, cls,
			       verdicts[v].reason, *skip ? " (" : "", skip, *skip ? ")" : "");
		}
		if (!kd.json && cli_now() - last >= 5) {
			last = cli_now();
			fprintf(stderr, "pvfuzz diff: %zu of %zu sites\n", j + 1, nsel);
		}
	}
	double secs = cli_now() - t0;
	unsigned long long run = count[V_EQUIVALENT] + count[V_DIVERGENT];
	if (kd.json) {
		printf("],\"run\":%llu,\"equivalent\":%llu,\"divergent\":%llu,\"not_runnable\":{\"skipped\":%llu,"
		       "\"unreached\":%llu,\"emulator_error\":%llu},\"started_at_site\":%llu,\"state_runs\":{",
		       run, count[V_EQUIVALENT], count[V_DIVERGENT], count[V_SKIPPED], count[V_UNREACHED],
		       count[V_EMU_ERROR], runs_from_site);
		pv_print_tally_json(stdout, &tally);
		printf("},\"seconds\":%.2f}\n", secs);
	} else {
		printf("\nsites run: %llu of %zu selected (%.1f s)\n", run, nsel, secs);
		printf("  equivalent:   %llu (%llu state runs reached their site; %llu blocks started at the site)\n",
		       count[V_EQUIVALENT], reached_total, runs_from_site);
		printf("  divergent:    %llu\n", count[V_DIVERGENT]);
		printf("  not runnable: %llu (%llu left unpatched by the patch loop, %llu unreached, %llu emulator "
		       "errors)\n", count[V_SKIPPED] + count[V_UNREACHED] + count[V_EMU_ERROR], count[V_SKIPPED],
		       count[V_UNREACHED], count[V_EMU_ERROR]);
		printf("state runs: %llu, how they ended (docs/emulator.md, \"Why a run ends early\"):\n", tally.runs);
		pv_print_tally(stdout, "  ", &tally);
		if (kd.seeds_out)
			printf("seeds: %u files under %s\n", kd.seeds_written, kd.seeds_out);
	}
	pv_diff_free(d);
	free(d);
	pv_oracle_free(or);
	free(sites);
	free(kd.w);
	free(kd.target);
	free(kd.skipped);
	pv_vmlinux_free(&kd.k);
	if (count[V_EMU_ERROR])
		return EXIT_INTERNAL; /* the seeds of a failed run go again (cli_output_dir) */
	cli_outputs_commit();
	return count[V_DIVERGENT] ? 1 : 0;
}
