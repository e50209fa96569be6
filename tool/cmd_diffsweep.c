/* pvfuzz diffsweep: the differential oracle over every rewrite class, every
 * register number (and every rB of mtsrin) and every feature set of a
 * flavor, from seeded start states that cover the corner states. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "emu.h"
#include "diffsweep.h"
#include "report.h"

static const char usage[] =
	"usage: pvfuzz diffsweep --flavor F [--features LIST] [--profile P] [--states N] [--json]\n"
	"       pvfuzz diffsweep --all [--features LIST] [--profile P] [--states N] [--json]\n"
	"\n"
	"Runs the differential oracle for every rewrite class of the flavor, every\n"
	"register number (every rS and rB for mtsrin) and every feature set (or just\n"
	"--features), each from N start states (default 64) cycling through the corner\n"
	"states: EE set and clear, an interrupt pending or not, IR/DR set and clear,\n"
	"r1 equal to the critical marker, upper MSR bits on 64-bit flavors.\n"
	"Prints a table of class by feature set (--all: every flavor, a table of class\n"
	"by flavor over the feature sets) and, for the first divergence, the report.\n"
	"--profile P: fixed (default), linux (upstream, findings included), or\n"
	"kernel:DIR, a kernel tree's own code (docs/kernel-mode.md), one thread per\n"
	"flavor.\n"
	"\n"
	"Exit status: 0 no divergence, 1 a divergence, 2 usage error, 70 internal error.\n";

/* Whether the class applies under some feature set (a row of the table). */
static bool class_seen(const unsigned char v[NFEAT])
{
	for (unsigned f = 0; f < NFEAT; f++)
		if (v[f])
			return true;
	return false;
}

static const char *const cell[3] = {"-", "ok", "DIVERGES"};

/* The worst verdict of a class on a flavor over the feature sets. */
static unsigned char worst(const unsigned char v[NFEAT])
{
	unsigned char m = 0;
	for (unsigned f = 0; f < NFEAT; f++)
		m = v[f] > m ? v[f] : m;
	return m;
}

static void print_flavor_table(const struct sweep *w, enum pv_flavor flavor)
{
	printf("  %-16s", "class");
	for (unsigned f = 0; f < NFEAT; f++)
		if (w->only_features < 0 || f == (unsigned)w->only_features)
			printf(" %-9s", pv_features_name(f));
	printf("\n");
	for (unsigned cl = 0; cl < PV_NCLASSES; cl++) {
		if (!class_seen(w->verdict[flavor][cl]))
			continue;
		printf("  %-16s", pv_class_name(cl));
		for (unsigned f = 0; f < NFEAT; f++)
			if (w->only_features < 0 || f == (unsigned)w->only_features)
				printf(" %-9s", cell[w->verdict[flavor][cl][f]]);
		printf("\n");
	}
}

static void print_all_table(const struct sweep *w)
{
	printf("  %-16s", "class");
	for (unsigned fl = 0; fl < PV_NFLAVORS; fl++)
		printf(" %-10s", pv_flavor_info(fl)->name);
	printf("\n");
	for (unsigned cl = 0; cl < PV_NCLASSES; cl++) {
		bool any = false;
		for (unsigned fl = 0; fl < PV_NFLAVORS; fl++)
			any |= class_seen(w->verdict[fl][cl]);
		if (!any)
			continue;
		printf("  %-16s", pv_class_name(cl));
		for (unsigned fl = 0; fl < PV_NFLAVORS; fl++)
			printf(" %-10s", cell[worst(w->verdict[fl][cl])]);
		printf("\n");
	}
}

static void print_json(const struct sweep *w, bool all, enum pv_flavor only, double secs)
{
	printf("{\"profile\":\"%s\",\"states\":%llu,\"runs\":%llu,\"seconds\":%.2f,\"verdicts\":{",
	       cli_profile_arg(w->profile), (unsigned long long)w->states, w->runs, secs);
	const char *fsep = "";
	for (unsigned fl = 0; fl < PV_NFLAVORS; fl++) {
		if (!all && fl != only)
			continue;
		printf("%s\"%s\":{", fsep, pv_flavor_info(fl)->name);
		fsep = ",";
		const char *sep = "";
		for (unsigned cl = 0; cl < PV_NCLASSES; cl++) {
			if (!class_seen(w->verdict[fl][cl]))
				continue;
			printf("%s\"%s\":{", sep, pv_class_name(cl));
			sep = ",";
			const char *s2 = "";
			for (unsigned f = 0; f < NFEAT; f++)
				if (w->verdict[fl][cl][f]) {
					printf("%s\"%s\":\"%s\"", s2, pv_features_name(f), cell[w->verdict[fl][cl][f]]);
					s2 = ",";
				}
			printf("}");
		}
		printf("}");
	}
	printf("},\"divergent\":%s}\n", w->have_first ? "true" : "false");
}

int cmd_diffsweep(int argc, char **argv)
{
	enum { O_FLAVOR = 256, O_FEATURES, O_PROFILE, O_STATES, O_JSON, O_ALL, O_HELP };
	static const struct option longopts[] = {
		{"flavor", required_argument, 0, O_FLAVOR}, {"features", required_argument, 0, O_FEATURES},
		{"profile", required_argument, 0, O_PROFILE}, {"states", required_argument, 0, O_STATES},
		{"json", no_argument, 0, O_JSON}, {"all", no_argument, 0, O_ALL}, {"help", no_argument, 0, O_HELP},
		{0, 0, 0, 0},
	};
	enum pv_flavor flavor = PV_BOOK3S32;
	bool has_flavor = false, all = false, json = false;
	static struct sweep w; /* the verdict tables are large for a stack */
	int c;

	memset(&w, 0, sizeof w);
	w.profile = PV_PROFILE_FIXED;
	w.only_features = -1;
	w.only_class = -1;
	w.states = 64;
	if (cli_start_options(argc, argv, usage)) /* --help printed */
		return 0;
	while ((c = getopt_long(argc, argv, "+:h", longopts, NULL)) != -1) {
		switch (c) {
		case O_FLAVOR: flavor = cli_flavor(optarg); has_flavor = true; break;
		case O_FEATURES: w.only_features = (int)cli_features(optarg); break;
		case O_PROFILE: w.profile = cli_profile(optarg); break;
		case O_STATES: w.states = cli_number("--states", optarg, 1, 100000); break;
		case O_JSON: json = w.quiet = true; break;
		case O_ALL: all = true; break;
		case 'h':
		case O_HELP: fputs(usage, stdout); return 0;
		default: cli_bad_option("diffsweep", c, argv);
		}
	}
	if (all == has_flavor)
		cli_fail("diffsweep: give either --flavor F or --all (see pvfuzz diffsweep --help)");
	if (optind < argc)
		cli_fail("diffsweep: unexpected argument '%s'", argv[optind]);

	if (!sweep_init(&w))
		cli_fail("out of memory");
	w.ctx_init = cli_ctx_init; /* kernel:DIR: the kernel's code patches (one engine per flavor, one thread) */
	double t0 = cli_now();
	char what[96] = "every flavor";
	int status = 0;
	for (unsigned fl = 0; fl < PV_NFLAVORS && !status; fl++) {
		if (!all && fl != flavor)
			continue;
		char err[160];
		struct pv_oracle *or = pv_oracle_new(fl, err, sizeof err);
		if (!or) {
			fprintf(stderr, "pvfuzz: %s\n", err);
			status = EXIT_INTERNAL;
			break;
		}
		if (!all)
			snprintf(what, sizeof what, "%s on %s", pv_flavor_info(fl)->name, pv_oracle_cpu(or));
		status = sweep_flavor(&w, fl, or) != 0 ? EXIT_INTERNAL : 0;
		pv_oracle_free(or);
	}
	double secs = cli_now() - t0;
	if (status == 0) {
		if (json) {
			print_json(&w, all, flavor, secs);
		} else {
			printf("diffsweep %s, profile %s: %llu differential runs, %llu states each, %.1f s\n",
			       what, cli_profile_arg(w.profile), w.runs,
			       (unsigned long long)w.states, secs);
			if (all)
				print_all_table(&w);
			else
				print_flavor_table(&w, flavor);
			if (w.have_first) {
				printf("\nfirst divergence:\n");
				pv_print_divergence(stdout, &w.first_ctx, "diffsweep corner state", &w.first_state, w.first);
			}
		}
	}
	sweep_free(&w);
	return status ? status : w.have_first ? 1 : 0;
}
