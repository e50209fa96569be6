/* pvfuzz sweep: all 2^32 words (or a seeded sample) through the matcher,
 * with the fuzz_check_ins and fuzz_disasm_xcheck checks on every matched
 * word and on a sample of the others. */
#include <getopt.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "emu.h"
#include "disasm.h"
#include "pvf.h"
#include "sweep.h"

static const char usage[] =
	"usage: pvfuzz sweep --flavor F [--features LIST] [--profile P] [--threads N]\n"
	"                    [--sample N [--seed S]] [--json]\n"
	"       pvfuzz sweep --all [--profile P] [--threads N] [--sample N] [--json]\n"
	"\n"
	"Feeds every 32-bit word through the matcher of one flavor and feature set\n"
	"(--all: every flavor and feature set). Every matched word gets the checks of\n"
	"fuzz_check_ins (rewrite and template decoded with capstone, gating,\n"
	"determinism) and fuzz_disasm_xcheck (matcher and capstone agree); one\n"
	"unmatched word in 65536 gets the capstone cross-check. Prints per-class\n"
	"counts, failures with the first words, and words/s.\n"
	"\n"
	"  --features L   none, sr, mas, sr,mas (default)\n"
	"  --profile P    fixed (default), linux, or kernel:DIR (with --sample; one\n"
	"                 thread: the kernel's own code patches every word)\n"
	"  --threads N    1 to 64 (default: the number of CPUs)\n"
	"  --sample N     N seeded random words plus every word near a rewritable\n"
	"                 encoding, instead of all 2^32 (1 to 4294967296)\n"
	"  --seed S       seed of the sample (default 1)\n"
	"\n"
	"Exit status: 0 no failure, 1 a failure, 2 usage error.\n";

#define SAMPLE_EVERY 65536u
#define SPACE (1ull << 32)

struct job {
	const struct pv_ctx *ctx;
	uint64_t lo, hi;
	volatile uint64_t progress;
	struct pvf_sweep s;
};

static void *worker(void *arg)
{
	struct job *j = arg;
	pvf_sweep_range(j->ctx, j->lo, j->hi, SAMPLE_EVERY, &j->progress, &j->s);
	pv_capstone_thread_done();
	j->progress = j->hi - j->lo;
	return NULL;
}

/* One flavor and feature set. Returns the failure count. */
static uint64_t sweep_one(const struct pv_ctx *ctx, unsigned threads, uint64_t sample, uint64_t seed, bool json,
			  bool quiet_table)
{
	struct pvf_sweep total;
	memset(&total, 0, sizeof total);
	double t0 = cli_now();
	if (sample) {
		pvf_sweep_sample(ctx, seed, sample, SAMPLE_EVERY, &total);
	} else {
		struct job *jobs = calloc(threads, sizeof *jobs);
		pthread_t *tid = calloc(threads, sizeof *tid);
		if (!jobs || !tid)
			cli_fail("out of memory");
		for (unsigned i = 0; i < threads; i++) {
			jobs[i].ctx = ctx;
			jobs[i].lo = SPACE / threads * i;
			jobs[i].hi = i + 1 == threads ? SPACE : SPACE / threads * (i + 1);
			if (pthread_create(&tid[i], NULL, worker, &jobs[i]) != 0)
				cli_fail("cannot start a thread");
		}
		for (bool done = false; !done;) {
			usleep(200000);
			uint64_t p = 0;
			done = true;
			for (unsigned i = 0; i < threads; i++) {
				p += jobs[i].progress;
				done &= jobs[i].progress == jobs[i].hi - jobs[i].lo;
			}
			static double last;
			if (!done && !json && cli_now() - last > 5) {
				last = cli_now();
				fprintf(stderr, "pvfuzz sweep: %s %s: %.0f%% (%.0fs)\n", ctx->fi->name,
					pv_features_name(ctx->features), 100.0 * (double)p / (double)SPACE, cli_now() - t0);
			}
		}
		for (unsigned i = 0; i < threads; i++) {
			pthread_join(tid[i], NULL);
			pvf_sweep_merge(&total, &jobs[i].s);
		}
		free(jobs);
		free(tid);
	}
	if (total.internal) /* words no check could judge: no verdict on the sweep */
		cli_fail_internal("sweep: %llu words could not be checked: %s", (unsigned long long)total.internal,
				  total.internal_msg);
	double secs = cli_now() - t0;
	double rate = secs > 0 ? (double)total.words / secs : 0;

	if (json) {
		printf("{\"flavor\":\"%s\",\"features\":\"%s\",\"profile\":\"%s\",\"words\":%llu,\"matched\":%llu,"
		       "\"sampled_unmatched\":%llu,\"failures\":%llu,\"seconds\":%.3f,\"words_per_second\":%.0f,"
		       "\"classes\":{", ctx->fi->name, pv_features_name(ctx->features), pv_profile_name(ctx->profile),
		       (unsigned long long)total.words, (unsigned long long)total.matched,
		       (unsigned long long)total.sampled, (unsigned long long)total.failures, secs, rate);
		const char *sep = "";
		for (unsigned c = 0; c < PV_NCLASSES; c++)
			if (total.per_class[c]) {
				printf("%s\"%s\":%llu", sep, pv_class_name(c), (unsigned long long)total.per_class[c]);
				sep = ",";
			}
		printf("},\"first_failures\":[");
		for (uint64_t i = 0; i < total.failures && i < PVF_SWEEP_FIRST; i++)
			printf("%s{\"word\":\"0x%08x\",\"what\":\"%s\"}", i ? "," : "", total.first[i], total.first_msg[i]);
		printf("]}\n");
		return total.failures;
	}
	printf("sweep %s, features %s, profile %s: %llu words%s in %.1f s (%.1fM words/s)\n", ctx->fi->name,
	       pv_features_name(ctx->features), pv_profile_label(ctx), (unsigned long long)total.words,
	       sample ? " (sample)" : "", secs, rate / 1e6);
	if (!quiet_table) {
		printf("  %-16s %10s\n", "class", "words");
		for (unsigned c = 0; c < PV_NCLASSES; c++)
			if (total.per_class[c])
				printf("  %-16s %10llu\n", pv_class_name(c), (unsigned long long)total.per_class[c]);
	}
	printf("  matched %llu, unmatched cross-checked with capstone %llu, failures %llu\n",
	       (unsigned long long)total.matched, (unsigned long long)total.sampled, (unsigned long long)total.failures);
	for (uint64_t i = 0; i < total.failures && i < PVF_SWEEP_FIRST; i++)
		printf("  FAIL 0x%08x: %s\n", total.first[i], total.first_msg[i]);
	return total.failures;
}

int cmd_sweep(int argc, char **argv)
{
	enum { O_FLAVOR = 256, O_FEATURES, O_PROFILE, O_THREADS, O_SAMPLE, O_SEED, O_JSON, O_ALL, O_HELP };
	static const struct option longopts[] = {
		{"flavor", required_argument, 0, O_FLAVOR}, {"features", required_argument, 0, O_FEATURES},
		{"profile", required_argument, 0, O_PROFILE}, {"threads", required_argument, 0, O_THREADS},
		{"sample", required_argument, 0, O_SAMPLE}, {"seed", required_argument, 0, O_SEED},
		{"json", no_argument, 0, O_JSON}, {"all", no_argument, 0, O_ALL}, {"help", no_argument, 0, O_HELP},
		{0, 0, 0, 0},
	};
	enum pv_flavor flavor = PV_BOOK3S32;
	bool has_flavor = false, json = false, all = false, has_features = false;
	unsigned features = PV_FEAT_ALL;
	enum pv_profile profile = PV_PROFILE_FIXED;
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	uint64_t threads = ncpu > 0 ? (uint64_t)ncpu : 1, sample = 0, seed = 1;
	bool has_seed = false;
	int c;

	if (cli_start_options(argc, argv, usage)) /* --help printed */
		return 0;
	while ((c = getopt_long(argc, argv, "+:h", longopts, NULL)) != -1) {
		switch (c) {
		case O_FLAVOR: flavor = cli_flavor(optarg); has_flavor = true; break;
		case O_FEATURES: features = cli_features(optarg); has_features = true; break;
		case O_PROFILE: profile = cli_profile(optarg); break;
		case O_THREADS: threads = cli_number("--threads", optarg, 1, 64); break;
		case O_SAMPLE: sample = cli_number("--sample", optarg, 1, SPACE); break;
		case O_SEED: seed = cli_number("--seed", optarg, 0, UINT64_MAX); has_seed = true; break;
		case O_JSON: json = true; break;
		case O_ALL: all = true; break;
		case 'h':
		case O_HELP: fputs(usage, stdout); return 0;
		default: cli_bad_option("sweep", c, argv);
		}
	}
	if (optind < argc)
		cli_fail("sweep: unexpected argument '%s'", argv[optind]);
	if (all == has_flavor)
		cli_fail("sweep: give either --flavor F or --all (see pvfuzz sweep --help)");
	if (all && has_features)
		cli_fail("sweep: --all sweeps every feature set; drop --features");
	if (has_seed && !sample)
		cli_fail("sweep: --seed chooses the words of a --sample; without --sample every word is swept (drop --seed "
			 "or give --sample N)");

	if (cli_kernel_dir()) {
		/* the kernel's code runs once per word, in one unicorn engine */
		if (!sample)
			cli_fail("sweep: the kernel profile runs the kernel's code for every word: give --sample N");
		threads = 1;
		{
			char err[800];
			if (pvf_use_kernel(cli_kernel_dir(), err, sizeof err) != 0)
				cli_fail("%s", err);
		}
	}
	/* every context the checks may ask for is built before the threads start */
	for (enum pv_flavor f = 0; f < PV_NFLAVORS; f++)
		for (unsigned ft = 0; ft <= PV_FEAT_ALL; ft++)
			pvf_ctx(f, ft, profile);
	uint64_t failures = 0;
	if (!all) {
		if (cli_kernel_dir() && !pvf_ctx(flavor, features, profile)->impl)
			cli_fail("sweep: the kernel profile has no %s build in %s", pv_flavor_info(flavor)->name,
				 cli_kernel_dir());
		failures = sweep_one(pvf_ctx(flavor, features, profile), (unsigned)threads, sample, seed, json, false);
	} else {
		for (enum pv_flavor f = 0; f < PV_NFLAVORS; f++)
			for (unsigned ft = 0; ft <= PV_FEAT_ALL; ft++) {
				if (cli_kernel_dir() && !pvf_ctx(f, ft, profile)->impl) {
					if (ft == 0)
						printf("sweep %s: no kernel build, skipped\n", pv_flavor_info(f)->name);
					continue;
				}
				failures += sweep_one(pvf_ctx(f, ft, profile), (unsigned)threads, sample, seed, json, true);
			}
	}
	if (all && !json)
		printf("all flavors and feature sets: %llu failures\n", (unsigned long long)failures);
	return failures ? 1 : 0;
}
