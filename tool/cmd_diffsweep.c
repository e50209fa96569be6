/* pvfuzz diffsweep: the differential oracle over every rewrite class, every
 * register number (and every rB of mtsrin) and every feature set of a
 * flavor, from seeded start states that cover the corner states. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "emu.h"
#include "report.h"

static const char usage[] =
	"usage: pvfuzz diffsweep --flavor F [--features LIST] [--profile P] [--states N] [--json]\n"
	"\n"
	"Runs the differential oracle for every rewrite class of the flavor, every\n"
	"register number (every rS and rB for mtsrin) and every feature set (or just\n"
	"--features), each from N start states (default 64) cycling through the corner\n"
	"states: EE set and clear, an interrupt pending or not, IR/DR set and clear,\n"
	"r1 equal to the critical marker, upper MSR bits on 64-bit flavors.\n"
	"Prints a table of class by feature set and, for the first divergence, the\n"
	"full report.\n"
	"\n"
	"Exit status: 0 no divergence, 1 a divergence, 2 usage error, 70 internal error.\n";

#define NFEAT (PV_FEAT_ALL + 1)

/* Whether the class applies under some feature set (a row of the table). */
static bool class_seen(const unsigned char v[NFEAT])
{
	for (unsigned f = 0; f < NFEAT; f++)
		if (v[f])
			return true;
	return false;
}

int cmd_diffsweep(int argc, char **argv)
{
	enum { O_FLAVOR = 256, O_FEATURES, O_PROFILE, O_STATES, O_JSON, O_HELP };
	static const struct option longopts[] = {
		{"flavor", required_argument, 0, O_FLAVOR}, {"features", required_argument, 0, O_FEATURES},
		{"profile", required_argument, 0, O_PROFILE}, {"states", required_argument, 0, O_STATES},
		{"json", no_argument, 0, O_JSON}, {"help", no_argument, 0, O_HELP}, {0, 0, 0, 0},
	};
	enum pv_flavor flavor = PV_BOOK3S32;
	bool has_flavor = false, json = false;
	int only_features = -1;
	enum pv_profile profile = PV_PROFILE_FIXED;
	uint64_t states = 64;
	int c;

	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, "+:h", longopts, NULL)) != -1) {
		switch (c) {
		case O_FLAVOR: flavor = cli_flavor(optarg); has_flavor = true; break;
		case O_FEATURES: only_features = (int)cli_features(optarg); break;
		case O_PROFILE: profile = cli_profile(optarg); break;
		case O_STATES: states = cli_number("--states", optarg, 1, 100000); break;
		case O_JSON: json = true; break;
		case 'h':
		case O_HELP: fputs(usage, stdout); return 0;
		default: cli_bad_option("diffsweep", c, argv);
		}
	}
	if (!has_flavor)
		cli_fail("diffsweep: --flavor is required (see pvfuzz diffsweep --help)");
	if (optind < argc)
		cli_fail("diffsweep: unexpected argument '%s'", argv[optind]);

	char err[160];
	struct pv_oracle *or = pv_oracle_new(flavor, err, sizeof err);
	struct pv_diff *d = calloc(1, sizeof *d), *first = calloc(1, sizeof *first);
	if (!or || !d || !first) {
		fprintf(stderr, "pvfuzz: %s\n", or ? "out of memory" : err);
		return 70;
	}
	/* verdicts[class][features]: 0 not applicable, 1 ok, 2 diverges */
	unsigned char verdict[PV_NCLASSES][NFEAT] = {{0}};
	struct pv_state st, first_state;
	struct pv_ctx first_ctx;
	bool have_first = false;
	unsigned long long runs = 0;
	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (unsigned feat = 0; feat < NFEAT; feat++) {
		if (only_features >= 0 && feat != (unsigned)only_features)
			continue;
		struct pv_ctx ctx;
		pv_ctx_init(&ctx, flavor, feat, profile);
		for (unsigned i = 0; i < ctx.nactive; i++) {
			const struct pv_row *r = ctx.active[i];
			if (verdict[r->cls][feat] == 2)
				continue; /* the PIR class has a row per family: one verdict */
			verdict[r->cls][feat] = 1;
			unsigned nrt = r->carried & 0x03e00000u ? 32 : 1, nrb = r->carried & 0x0000f800u ? 32 : 1;
			for (unsigned rt = 0; rt < nrt && verdict[r->cls][feat] == 1; rt++)
				for (unsigned rb = 0; rb < nrb && verdict[r->cls][feat] == 1; rb++) {
					uint32_t w = r->match | (nrt > 1 ? rt << 21 : 0) | (nrb > 1 ? rb << 11 : 0);
					for (uint64_t s = 0; s < states; s++) {
						pv_state_corner(flavor, s + 1, (unsigned)s, &st);
						if (pv_diff_run(or, &ctx, &w, 1, &st, NULL, d) != 0) {
							fprintf(stderr, "pvfuzz: the emulator failed\n");
							return 70;
						}
						runs++;
						if (!d->divergent)
							continue;
						verdict[r->cls][feat] = 2;
						if (!have_first) {
							struct pv_diff *t = first;
							first = d, d = t;
							first_state = st, first_ctx = ctx;
							have_first = true;
						}
						break;
					}
				}
		}
		if (!json)
			fprintf(stderr, "pvfuzz diffsweep: %s, features %s done (%llu runs)\n", pv_flavor_info(flavor)->name,
				pv_features_name(feat), runs);
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	double secs = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;

	static const char *const cell[3] = {"-", "ok", "DIVERGES"};
	if (json) {
		printf("{\"flavor\":\"%s\",\"profile\":\"%s\",\"states\":%llu,\"runs\":%llu,\"seconds\":%.2f,\"verdicts\":{",
		       pv_flavor_info(flavor)->name, pv_profile_name(profile), (unsigned long long)states, runs, secs);
		const char *sep = "";
		for (unsigned cl = 0; cl < PV_NCLASSES; cl++) {
			if (!class_seen(verdict[cl]))
				continue;
			printf("%s\"%s\":{", sep, pv_class_name(cl));
			sep = ",";
			const char *s2 = "";
			for (unsigned f = 0; f < NFEAT; f++)
				if (verdict[cl][f]) {
					printf("%s\"%s\":\"%s\"", s2, pv_features_name(f), cell[verdict[cl][f]]);
					s2 = ",";
				}
			printf("}");
		}
		printf("},\"divergent\":%s}\n", have_first ? "true" : "false");
	} else {
		printf("diffsweep %s on %s, profile %s: %llu differential runs, %llu states each, %.1f s\n",
		       pv_flavor_info(flavor)->name, pv_oracle_cpu(or), pv_profile_name(profile), runs,
		       (unsigned long long)states, secs);
		printf("  %-16s", "class");
		for (unsigned f = 0; f < NFEAT; f++)
			if (only_features < 0 || f == (unsigned)only_features)
				printf(" %-9s", pv_features_name(f));
		printf("\n");
		for (unsigned cl = 0; cl < PV_NCLASSES; cl++) {
			if (!class_seen(verdict[cl]))
				continue;
			printf("  %-16s", pv_class_name(cl));
			for (unsigned f = 0; f < NFEAT; f++)
				if (only_features < 0 || f == (unsigned)only_features)
					printf(" %-9s", cell[verdict[cl][f]]);
			printf("\n");
		}
		if (have_first) {
			printf("\nfirst divergence:\n");
			pv_print_divergence(stdout, &first_ctx, "diffsweep corner state", &first_state, first);
		}
	}
	pv_diff_free(d);
	pv_diff_free(first);
	free(d);
	free(first);
	pv_oracle_free(or);
	return have_first ? 1 : 0;
}
