/* pvfuzz repro: replay fuzz inputs (crash files, corpus entries) through
 * the same checks the fuzz targets run, printing the decoded input, the
 * disassembled original and patched code, and the verdict. */
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "pvf.h"

static const char usage[] =
	"usage: pvfuzz repro [--target T] [--profile fixed|linux|any|kernel:DIR] FILE...\n"
	"\n"
	"Replays each FILE, an input of a fuzz target, through that target's checks\n"
	"and prints the decoded input (flavor, features, profile, start state, words),\n"
	"the original and patched code, and either the failure (for fuzz_diff the\n"
	"divergence report) or \"no divergence\" / \"checks passed\".\n"
	"\n"
	"  --target T    fuzz_check_ins, fuzz_diff, fuzz_image or fuzz_disasm_xcheck\n"
	"                (default: read from the input's first byte)\n"
	"  --profile P   the profiles the fuzzer ran: fixed, linux, any or kernel:DIR\n"
	"                (default: $PVFUZZ_PROFILE, else fixed, as in the fuzzers)\n"
	"\n"
	"Every FILE is replayed, whatever happened to the ones before it.\n"
	"Exit status: 1 when any input failed a check (a divergence), even if others\n"
	"could not be read: a finding is never hidden by a bad file; else 2 when an\n"
	"input could not be read (each is named on stderr) or an option is bad; else\n"
	"0. The emulator failing is 70, at once; a sanitizer report 86.\n";

int cmd_repro(int argc, char **argv)
{
	enum { O_TARGET = 256, O_PROFILE, O_HELP };
	static const struct option longopts[] = {
		{"target", required_argument, 0, O_TARGET},
		{"profile", required_argument, 0, O_PROFILE},
		{"help", no_argument, 0, O_HELP},
		{0, 0, 0, 0},
	};
	enum pvf_target target = PVF_DIFF;
	bool has_target = false;
	enum pvf_profile_policy pol = pvf_policy_from_env();
	int c;

	if (cli_wants_help(argc, argv)) {
		fputs(usage, stdout);
		return 0;
	}
	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, "+:h", longopts, NULL)) != -1) {
		switch (c) {
		case O_TARGET:
			if (pvf_target_parse(optarg, &target) != 0)
				cli_fail("repro: unknown target '%s' (fuzz_check_ins, fuzz_diff, fuzz_image, "
					 "fuzz_disasm_xcheck)", optarg);
			has_target = true;
			break;
		case O_PROFILE:
			if (pvf_policy_parse(optarg, &pol) != 0)
				cli_fail("repro: unknown profile '%s' (fixed, linux, any, kernel:DIR)", optarg);
			break;
		case 'h':
		case O_HELP: fputs(usage, stdout); return 0;
		default: cli_bad_option("repro", c, argv);
		}
	}
	if (optind >= argc)
		cli_fail("repro: no FILE given (see pvfuzz repro --help)");

	bool failed = false, bad = false;
	for (int i = optind; i < argc; i++) {
		size_t len;
		char err[PATH_MAX + 128];
		uint8_t *data = cli_try_read_file(argv[i], &len, err, sizeof err);
		enum pvf_target t;
		if (!data || !pvf_detect(data, len, &t)) {
			if (data)
				snprintf(err, sizeof err, "'%s' is empty: a fuzz input starts with its platform byte", argv[i]);
			fprintf(stderr, "pvfuzz: repro: %s\n", err);
			free(data);
			bad = true;
			continue;
		}
		if (has_target) {
			t = target;
			data[0] = pvf_header_byte(t, data[0] & 63);
		}
		printf("== %s: %zu bytes, target %s\n", argv[i], len, pvf_target_name(t));
		struct pvf_result r;
		pvf_check(t, data, len, pol, true, stdout, &r);
		free(data);
		if (r.failed) {
			printf("%s: %s\n", t == PVF_DIFF ? "DIVERGENCE" : "FAILED", r.what);
			failed = true;
		} else {
			printf("%s\n", t == PVF_DIFF ? "no divergence" : "checks passed");
		}
	}
	return failed ? 1 : bad ? EXIT_USAGE : 0;
}
