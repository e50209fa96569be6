/* pvfuzz diff: run a word sequence original and patched from seeded start
 * states and report the first divergence (spec section 7). */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "emu.h"
#include "report.h"

static const char usage[] =
	"usage: pvfuzz diff --flavor F [--profile fixed|linux] [--features LIST] [--seed S]\n"
	"                   [--states N] [--budget N] [--interrupts both|none|every|MASK] [--json] WORD...\n"
	"       pvfuzz diff --vmlinux FILE --sites all|N ...   (real kernel code: --vmlinux --help)\n"
	"\n"
	"Runs the WORDs (32-bit hex, any instructions) at 0x10000 twice from each of N\n"
	"start states made from seeds S, S+1, ...: once as written, once as the patch\n"
	"engine rewrote them, under the hypervisor model, and compares registers, the\n"
	"magic page, memory and hypervisor events. The first divergence is reported\n"
	"with the start state, both listings (capstone) and both event sequences;\n"
	"rerun it alone with --seed <its seed> --states 1.\n"
	"\n"
	"  --flavor F      book3s32, booke32, book3s64, booke64, book3s64le\n"
	"  --profile P     fixed (default), linux, or kernel:DIR (the kernel's own\n"
	"                  code from scripts/kernel-mode/build.sh patches)\n"
	"  --features L    none, sr, mas, sr,mas (default)\n"
	"  --seed S        first seed (default 1)\n"
	"  --states N      number of start states, 1 to 1000000000 (default 1)\n"
	"  --budget N      text instructions per run, 1 to 1000000 (default 256)\n"
	"  --interrupts M  interrupts arriving inside template instances (docs/emulator.md):\n"
	"                  both (default: each state without, then with one at every\n"
	"                  boundary where one can arrive), none, every, or a 64-bit hex\n"
	"                  MASK (boundary k gets one when bit k % 64 is set)\n"
	"  --json          print the verdict (and any divergence) as one JSON object\n"
	"\n"
	"Exit status: 0 every state equivalent, 1 a divergence, 2 usage or input error,\n"
	"70 internal error (the emulator failed).\n";

int cmd_diff_vmlinux(int argc, char **argv);

static void parse_interrupts(const char *s, struct pv_diff_opts *o)
{
	if (!strcmp(s, "both"))
		o->irq = PV_IRQ_BOTH;
	else if (!strcmp(s, "none"))
		o->irq = PV_IRQ_NONE;
	else if (!strcmp(s, "every"))
		o->irq = PV_IRQ_MASK, o->irq_mask = PV_IRQ_EVERY_BOUNDARY;
	else if (!strncmp(s, "0x", 2) || !strncmp(s, "0X", 2))
		o->irq = PV_IRQ_MASK, o->irq_mask = cli_number("--interrupts", s, 0, UINT64_MAX);
	else
		cli_fail("diff: --interrupts '%s' is not both, none, every or a hex MASK (0x...)", s);
}

int cmd_diff(int argc, char **argv)
{
	for (int i = 1; i < argc; i++) /* the real-code form: tool/cmd_diff_vmlinux.c */
		if (!strcmp(argv[i], "--vmlinux") || !strncmp(argv[i], "--vmlinux=", 10))
			return cmd_diff_vmlinux(argc, argv);
	enum { O_FLAVOR = 256, O_PROFILE, O_FEATURES, O_SEED, O_STATES, O_BUDGET, O_IRQ, O_JSON, O_HELP };
	static const struct option longopts[] = {
		{"flavor", required_argument, 0, O_FLAVOR}, {"profile", required_argument, 0, O_PROFILE},
		{"features", required_argument, 0, O_FEATURES}, {"seed", required_argument, 0, O_SEED},
		{"states", required_argument, 0, O_STATES}, {"budget", required_argument, 0, O_BUDGET},
		{"interrupts", required_argument, 0, O_IRQ}, {"json", no_argument, 0, O_JSON},
		{"help", no_argument, 0, O_HELP}, {0, 0, 0, 0},
	};
	struct pv_diff_opts o = {.irq = PV_IRQ_BOTH};
	enum pv_flavor flavor = PV_BOOK3S32;
	bool has_flavor = false, json = false;
	enum pv_profile profile = PV_PROFILE_FIXED;
	unsigned features = PV_FEAT_ALL;
	uint64_t seed = 1, states = 1, budget = PV_EMU_DEFAULT_BUDGET;
	int c;

	if (cli_start_options(argc, argv, usage)) /* --help printed */
		return 0;
	while ((c = getopt_long(argc, argv, "+:h", longopts, NULL)) != -1) {
		switch (c) {
		case O_FLAVOR: flavor = cli_flavor(optarg); has_flavor = true; break;
		case O_PROFILE: profile = cli_profile(optarg); break;
		case O_FEATURES: features = cli_features(optarg); break;
		case O_SEED: seed = cli_number("--seed", optarg, 0, UINT64_MAX); break;
		case O_STATES: states = cli_number("--states", optarg, 1, 1000000000); break;
		case O_BUDGET: budget = cli_number("--budget", optarg, 1, 1000000); break;
		case O_IRQ: parse_interrupts(optarg, &o); break;
		case O_JSON: json = true; break;
		case 'h':
		case O_HELP: fputs(usage, stdout); return 0;
		default: cli_bad_option("diff", c, argv);
		}
	}
	if (!has_flavor)
		cli_fail("diff: --flavor is required (see pvfuzz diff --help)");
	int n = argc - optind;
	if (n < 1)
		cli_fail("diff: no WORD given (see pvfuzz diff --help)");
	if (n > (int)PV_EMU_TEXT_WORDS)
		cli_fail("diff: %d words given, at most %u", n, PV_EMU_TEXT_WORDS);
	uint32_t *words = malloc(sizeof(uint32_t) * (size_t)n);
	if (!words)
		cli_fail("out of memory");
	cli_words("diff", argv + optind, n, words);

	struct pv_ctx ctx;
	char err[160];
	cli_ctx_init(&ctx, flavor, features, profile);
	struct pv_oracle *m = pv_oracle_new(flavor, err, sizeof err);
	struct pv_diff *d = calloc(1, sizeof(*d));
	struct pv_state st;
	if (!m || !d) {
		fprintf(stderr, "pvfuzz: %s\n", m ? "out of memory" : err);
		free(words), free(d), pv_oracle_free(m);
		return EXIT_INTERNAL;
	}

	o.budget = (unsigned)budget;
	struct pv_tally tally = {0};
	int status = 0;
	double t0 = cli_now(), last = t0;
	for (uint64_t i = 0; i < states; i++) {
		uint64_t s = seed + i;
		pv_state_from_seed(flavor, s, &st);
		if (pv_diff_run(m, &ctx, words, (unsigned)n, &st, &o, d) != 0) {
			fprintf(stderr, "pvfuzz: the emulator failed on seed %llu: %s\n", (unsigned long long)s,
				ctx.impl && !*pv_oracle_error(m) ? cli_patch_error(&ctx, PV_ERR_HOOK, "")
								       : pv_oracle_error(m));
			status = EXIT_INTERNAL;
			break;
		}
		if (d->divergent) {
			char origin[64];
			snprintf(origin, sizeof origin, "seed %llu", (unsigned long long)s);
			if (json)
				pv_print_divergence_json(stdout, &ctx, origin, &st, d);
			else
				pv_print_divergence(stdout, &ctx, origin, &st, d);
			status = 1;
			break;
		}
		pv_tally_add(&tally, d);
		if (i % 1024 == 1023 && !json && cli_now() - last >= 2) { /* progress, not on every state */
			last = cli_now();
			fprintf(stderr, "pvfuzz diff: %llu of %llu states equivalent so far\n", (unsigned long long)i + 1,
				(unsigned long long)states);
		}
	}
	double secs = cli_now() - t0;
	double rate = secs > 0 ? (double)states / secs : 0;
	if (status == 0) {
		if (json) {
			char label[1400];
			pv_json_escape(pv_profile_label(&ctx), label, sizeof label);
			printf("{\"verdict\":\"equivalent\",\"flavor\":\"%s\",\"profile\":\"%s\",\"features\":\"%s\","
			       "\"seed\":%llu,\"states\":%llu,", ctx.fi->name, label,
			       pv_features_name(features), (unsigned long long)seed, (unsigned long long)states);
			pv_print_tally_json(stdout, &tally);
			printf(",\"seconds\":%.3f,\"per_second\":%.0f}\n", secs, rate);
		} else {
			printf("equivalent: %llu states from seed %llu (%s on %s, profile %s, features %s)\n",
			       (unsigned long long)states, (unsigned long long)seed, ctx.fi->name, pv_oracle_cpu(m),
			       pv_profile_label(&ctx), pv_features_name(features));
			pv_print_tally(stdout, "  ", &tally);
			printf("  %.3f s, %.0f differential runs per second\n", secs, rate);
		}
	}
	pv_diff_free(d);
	free(d);
	free(words);
	pv_oracle_free(m);
	return status;
}
