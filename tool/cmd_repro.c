/* pvfuzz repro: replay fuzz inputs (crash files, corpus entries, folders of
 * them) through the same checks the fuzz targets run, printing the decoded
 * input, the disassembled original and patched code, and the verdict. */
#include <dirent.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli.h"
#include "pvf.h"
#include "report.h"

static const char usage[] =
	"usage: pvfuzz repro [--target T] [--profile fixed|linux|any|kernel:DIR] [--json] FILE|DIR...\n"
	"\n"
	"Replays each FILE, an input of a fuzz target, through that target's checks\n"
	"and prints the decoded input (flavor, features, profile, start state, words),\n"
	"the original and patched code, and either the failure (its CHECK FAILED line,\n"
	"for fuzz_diff with the divergence report, then a verdict line naming the\n"
	"check, class and flavor: the crash's identity) or \"no divergence\" /\n"
	"\"checks passed\". A DIR stands for the files in it (sorted; not recursive).\n"
	"An input that passes under the profile given but fails under another one is\n"
	"said to (\"fails under --profile linux\"), so that a crash replayed without the\n"
	"profile it was found with is not taken for fixed.\n"
	"\n"
	"  --target T    fuzz_check_ins, fuzz_diff, fuzz_image or fuzz_disasm_xcheck\n"
	"                (default: read from the input's first byte)\n"
	"  --profile P   the profiles the fuzzer ran: fixed, linux, any or kernel:DIR\n"
	"                (default: $PVFUZZ_PROFILE, else fixed, as in the fuzzers)\n"
	"  --json        one JSON object per input, no listing: file, bytes, target,\n"
	"                flavor, verdict (failed, passed, unreadable), check, class,\n"
	"                what, fails_under\n"
	"\n"
	"Every FILE is replayed, whatever happened to the ones before it.\n"
	"Exit status: 1 when any input failed a check (a divergence), even if others\n"
	"could not be read: a finding is never hidden by a bad file; else 2 when an\n"
	"input could not be read (each is named on stderr) or an option is bad; else\n"
	"0. The emulator failing is 70, at once; a sanitizer report 86.\n";

struct opts {
	enum pvf_target target;
	bool has_target, json;
	enum pvf_profile_policy pol;
	const char *pol_name;
};

static void json_str(const char *key, const char *s, bool comma)
{
	char buf[1024];
	pv_json_escape(s, buf, sizeof buf);
	printf("%s\"%s\":\"%s\"", comma ? "," : "", key, buf);
}

/* The profiles other than the one given under which the input fails: the
 * ones a fuzzer may have found it with. Under a kernel build the linux
 * profile's contexts run the kernel's code, so only fixed is tried. */
static void other_profiles(enum pvf_target t, const uint8_t *data, size_t len, const struct opts *o, char *out,
			   size_t n)
{
	static const struct {
		const char *name;
		enum pvf_profile_policy pol;
	} alt[] = {{"fixed", PVF_ONLY_FIXED}, {"linux", PVF_ONLY_LINUX}};
	out[0] = 0;
	if (o->pol == PVF_ANY_PROFILE)
		return;
	for (size_t k = 0; k < sizeof alt / sizeof alt[0]; k++) {
		if (alt[k].pol == o->pol || (alt[k].pol == PVF_ONLY_LINUX && pvf_kernel_active()))
			continue;
		struct pvf_result r;
		pvf_check(t, data, len, alt[k].pol, false, NULL, &r);
		if (r.internal)
			exit(EXIT_INTERNAL); /* pvf_internal said why */
		if (r.failed) {
			size_t m = strlen(out);
			snprintf(out + m, n - m, "%s%s", m ? "," : "", alt[k].name);
		}
	}
}

/* Replays one file; returns 1 failed, 0 passed, -1 unreadable. */
static int replay(const char *path, const struct opts *o)
{
	size_t len;
	char err[PATH_MAX + 128];
	uint8_t *data = cli_try_read_file(path, &len, err, sizeof err);
	enum pvf_target t = 0;
	bool known = data && pvf_detect(data, len, &t) && (o->has_target || pvf_target(t));
	if (!known) {
		if (data && len < PVF_HEADER_BYTES)
			snprintf(err, sizeof err,
				 "'%s' has %zu byte%s: a fuzz input starts with its target and its platform byte", path,
				 len, len == 1 ? "" : "s");
		else if (data)
			snprintf(err, sizeof err,
				 "'%s': byte 0 is 0x%02x, the id of no fuzz target (`pvfuzz targets` lists them; "
				 "--target names one)", path, data[0]);
		fprintf(stderr, "pvfuzz: repro: %s\n", err);
		if (o->json) {
			printf("{");
			json_str("file", path, false);
			json_str("verdict", "unreadable", true);
			json_str("error", err, true);
			printf("}\n");
		}
		free(data);
		return -1;
	}
	if (o->has_target) {
		t = o->target;
		data[0] = (uint8_t)t;
	}
	if (!o->json)
		printf("== %s: %zu bytes, target %s\n", path, len, pvf_target_name(t));
	struct pvf_result r;
	/* the failure is printed once: its CHECK FAILED line comes from the
	 * check itself (with the divergence report before it) */
	pvf_check(t, data, len, o->pol, !o->json, o->json ? NULL : stdout, &r);
	if (r.internal)
		exit(EXIT_INTERNAL); /* pvf_internal said why; no verdict */
	char others[64] = "";
	if (!r.failed && !r.ignored)
		other_profiles(t, data, len, o, others, sizeof others);
	free(data);
	const char *cls = r.failed && r.cls >= 0 ? pv_class_name((enum pv_class)r.cls) : "none";
	if (o->json) {
		printf("{");
		json_str("file", path, false);
		printf(",\"bytes\":%zu", len);
		json_str("target", pvf_target_name(t), true);
		json_str("profile", o->pol_name, true);
		json_str("verdict", r.failed ? "failed" : "passed", true);
		if (r.failed) {
			json_str("flavor", pv_flavor_info(r.flavor)->name, true);
			json_str("check", pvf_check_name(r.check), true);
			json_str("class", cls, true);
			json_str("what", r.what, true);
		}
		json_str("fails_under", others, true);
		printf("}\n");
	} else if (r.failed) {
		printf("verdict: failed check %s (class %s, flavor %s)\n", pvf_check_name(r.check), cls,
		       pv_flavor_info(r.flavor)->name);
	} else {
		printf("%s\n", t == PVF_DIFF ? "no divergence" : "checks passed");
		if (others[0])
			printf("note: it fails under --profile %s (replay with that profile: the fuzzer may have found it "
			       "there)\n", others);
	}
	return r.failed ? 1 : 0;
}

static int cmp_names(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

/* Replays the regular files in dir, sorted by name. */
static void replay_dir(const char *dir, const struct opts *o, bool *failed, bool *bad)
{
	DIR *d = opendir(dir);
	if (!d) {
		fprintf(stderr, "pvfuzz: repro: cannot read folder '%s'\n", dir);
		*bad = true;
		return;
	}
	char **names = NULL;
	size_t n = 0, cap = 0;
	struct dirent *e;
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		if (n == cap) {
			cap = cap ? 2 * cap : 64;
			char **nn = realloc(names, cap * sizeof *names);
			if (!nn)
				cli_fail_internal("out of memory");
			names = nn;
		}
		size_t dl = strlen(dir), l = dl + strlen(e->d_name) + 2;
		while (dl > 1 && dir[dl - 1] == '/')
			dl--;
		if (!(names[n] = malloc(l)))
			cli_fail_internal("out of memory");
		snprintf(names[n], l, "%.*s/%s", (int)dl, dir, e->d_name);
		n++;
	}
	closedir(d);
	qsort(names, n, sizeof *names, cmp_names);
	for (size_t i = 0; i < n; i++) {
		struct stat st;
		if (stat(names[i], &st) == 0 && S_ISREG(st.st_mode)) {
			int v = replay(names[i], o);
			*failed |= v > 0;
			*bad |= v < 0;
		}
		free(names[i]);
	}
	free(names);
}

int cmd_repro(int argc, char **argv)
{
	enum { O_TARGET = 256, O_PROFILE, O_JSON, O_HELP };
	static const struct option longopts[] = {
		{"target", required_argument, 0, O_TARGET},
		{"profile", required_argument, 0, O_PROFILE},
		{"json", no_argument, 0, O_JSON},
		{"help", no_argument, 0, O_HELP},
		{0, 0, 0, 0},
	};
	struct opts o = {.target = PVF_DIFF};
	char err[800];
	if (pvf_env_init(&o.pol, err, sizeof err) != 0)
		cli_fail("%s", err);
	o.pol_name = getenv("PVFUZZ_PROFILE") && *getenv("PVFUZZ_PROFILE") ? getenv("PVFUZZ_PROFILE") : "fixed";
	int c;

	if (cli_start_options(argc, argv, usage)) /* --help printed */
		return 0;
	while ((c = getopt_long(argc, argv, "+:h", longopts, NULL)) != -1) {
		switch (c) {
		case O_TARGET:
			if (pvf_target_parse(optarg, &o.target) != 0)
				cli_fail("repro: unknown target '%s' (`pvfuzz targets` lists them)", optarg);
			o.has_target = true;
			break;
		case O_PROFILE:
			if (pvf_policy_parse(optarg, &o.pol, err, sizeof err) != 0)
				cli_fail("repro: %s", err);
			o.pol_name = optarg;
			break;
		case O_JSON: o.json = true; break;
		case 'h':
		case O_HELP: fputs(usage, stdout); return 0;
		default: cli_bad_option("repro", c, argv);
		}
	}
	if (optind >= argc)
		cli_fail("repro: no FILE given (see pvfuzz repro --help)");

	bool failed = false, bad = false;
	for (int i = optind; i < argc; i++) {
		struct stat st;
		if (stat(argv[i], &st) == 0 && S_ISDIR(st.st_mode)) {
			replay_dir(argv[i], &o, &failed, &bad);
			continue;
		}
		int v = replay(argv[i], &o);
		failed |= v > 0;
		bad |= v < 0;
	}
	return failed ? 1 : bad ? EXIT_USAGE : 0;
}
