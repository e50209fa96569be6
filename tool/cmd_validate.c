/* pvfuzz validate: the gate for one rewrite class, new or changed
 * (docs/adding-a-handler.md). For every flavor where the class applies it
 * runs, in order: the matcher sweep over the class's encodings and their
 * near misses; the differential sweep of the class (every register, every
 * feature set, the corner states); fuzz_diff and then fuzz_image, both
 * focused on the class (PVFUZZ_CLASS) with a dictionary of its encodings
 * and the shipped seeds. The fuzzing steps run the libFuzzer binaries of the
 * same build as child processes, so a crash there cannot take the gate down
 * with it.
 */
#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <libgen.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "diffsweep.h"
#include "fuzz_run.h"
#include "disasm.h"
#include "pvf.h"
#include "report.h"
#include "ppc_insn.h"
#include "sweep.h"

static const char usage[] =
	"usage: pvfuzz validate --class NAME [--flavor F|all] [--time SECONDS] [--profile P]\n"
	"                       [--out DIR] [--fuzzers DIR] [--corpus DIR] [--json]\n"
	"       pvfuzz validate --list [--profile P]\n"
	"\n"
	"The gate for one rewrite class, new or changed. For every flavor where the\n"
	"class applies (or just --flavor F) it runs, in order:\n"
	"  sweep      every word with the class's opcode and extended opcode (2^16 per\n"
	"             encoding: all register fields and Rc) and the single-bit\n"
	"             neighbours of its encodings, under every feature set, through\n"
	"             the matcher checks and the capstone cross-check;\n"
	"  diffsweep  the differential oracle for the class: every register (every rS\n"
	"             and rB of two-register classes), every feature set, 64 corner\n"
	"             start states;\n"
	"  fuzz_diff  libFuzzer on the oracle, focused on the class (PVFUZZ_CLASS and\n"
	"             a dictionary of its encodings), from the shipped seeds with the\n"
	"             class's sites put in;\n"
	"  fuzz_image libFuzzer on the patch loop, focused the same way.\n"
	"Prints a progress line while it runs and a verdict table at the end.\n"
	"\n"
	"options:\n"
	"  --class NAME     the rewrite class (--list prints them)\n"
	"  --list           the classes, with the flavors and features where they apply\n"
	"  --flavor F|all   one flavor, or every flavor where the class applies (default)\n"
	"  --time SECONDS   fuzzing time of each fuzzing step, shared by the flavors, at\n"
	"                   least 1 s per flavor (default 60; 0 skips the fuzzing steps)\n"
	"  --profile P      fixed (default), linux, or kernel:DIR (a kernel tree's own\n"
	"                   code, docs/kernel-mode.md; one thread per flavor)\n"
	"  --out DIR        where logs and failing inputs go: a new or an empty folder\n"
	"                   (nothing already in a folder is ever overwritten or deleted;\n"
	"                   default: a new <class>-<time> folder under validate/ beside\n"
	"                   this pvfuzz, i.e. the build folder)\n"
	"  --fuzzers DIR    the libFuzzer binaries (default: fuzzers/ beside this pvfuzz;\n"
	"                   built with -DPVFUZZ_LIBFUZZER=ON, as scripts/test.sh does)\n"
	"  --corpus DIR     seed corpora, DIR/fuzz_diff and DIR/fuzz_image\n"
	"                   (default: the source tree's corpus/)\n"
	"  --json           the verdict as one JSON object on stdout\n"
	"\n"
	"Exit status: 0 every step passed, 1 a step failed (failing inputs saved under\n"
	"the --out folder, which the output names), 2 bad input (an unknown class, a\n"
	"flavor where the class does not apply, fuzzers not built).\n";

enum { R_PASS, R_FAIL, R_SKIP };
static const char *const result_name[] = {"pass", "FAIL", "skipped"};

struct step {
	const char *name;
	enum pv_flavor flavor;
	int result;
	double secs;
	unsigned long long count; /* words, runs or executions */
	const char *unit;
	long long fresh;          /* fuzz steps: executions beyond the seeds (-1: not a fuzz step) */
	char first[256];          /* the first failure */
};

#define MAX_STEPS (4 * PV_NFLAVORS) /* step_kinds x flavors */

struct validate {
	enum pv_class cls;
	enum pv_profile profile;
	unsigned flavors;   /* PV_FL bits */
	unsigned nflavors;
	unsigned time;
	bool json;
	char out[PATH_MAX], failures[PATH_MAX + 16], fuzzers[PATH_MAX], corpus[PATH_MAX], work[PATH_MAX];
	struct step steps[MAX_STEPS];
	unsigned nsteps;
	unsigned per_flavor;        /* fuzzing seconds of one fuzz step */
	const struct step *running; /* the fuzz step under way (its progress lines) */
};

static void progress(const struct validate *v, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void progress(const struct validate *v, const char *fmt, ...)
{
	va_list ap;
	fprintf(stderr, "pvfuzz validate %s: ", pv_class_name(v->cls));
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

static void list_classes(enum pv_profile p)
{
	printf("%-16s %-44s %s\n", "class", "flavors", "features");
	for (unsigned c = 0; c < PV_NCLASSES; c++) {
		unsigned fl = pv_class_flavors((enum pv_class)c, p), gate = pv_class_gate((enum pv_class)c, PV_NFLAVORS);
		if (!fl)
			continue;
		char names[64] = "";
		for (unsigned f = 0; f < PV_NFLAVORS; f++)
			if (fl & PV_FL(f))
				snprintf(names + strlen(names), sizeof names - strlen(names), "%s%s", *names ? "," : "",
					 pv_flavor_info(f)->name);
		printf("%-16s %-44s %s\n", pv_class_name(c), names, gate ? pv_features_name(gate) : "any");
	}
}

static void mkdir_or_die(const char *path)
{
	if (mkdir(path, 0777) != 0 && errno != EEXIST)
		cli_fail("validate: cannot create %s: %s", path, strerror(errno));
}

/* Saves a failing input; returns its path in `path`. */
static void save(struct validate *v, const char *name, const uint8_t *b, size_t n, char *path, size_t pn)
{
	mkdir_or_die(v->failures);
	snprintf(path, pn, "%s/%s", v->failures, name);
	cli_output_dir_file("--out", path, b, n);
}

/* ---- step 1: the matcher sweep over the class's encodings --------------- */

static void step_sweep(struct validate *v, struct step *st)
{
	unsigned long long matched = 0;
	for (unsigned feat = 0; feat <= PV_FEAT_ALL && st->result == R_PASS; feat++) {
		const struct pv_ctx *ctx = pvf_ctx(st->flavor, feat, v->profile);
		struct pvf_sweep s;
		memset(&s, 0, sizeof s);
		pvf_sweep_class(ctx, v->cls, &s);
		if (s.internal)
			cli_fail_internal("validate: the sweep could not check %llu words: %s",
					  (unsigned long long)s.internal, s.internal_msg);
		st->count += s.words;
		matched += s.per_class[v->cls];
		if (!s.failures)
			continue;
		st->result = R_FAIL;
		snprintf(st->first, sizeof st->first, "%s", s.first_msg[0]);
		for (unsigned i = 0; i < s.failures && i < PVF_SWEEP_FIRST; i++) {
			/* a fuzz_check_ins input: `pvfuzz repro FILE` reruns the check */
			struct pvf_out o = {0};
			pvf_encode_word_input(&o, PVF_CHECK_INS, pvf_platform_index(st->flavor, feat, v->profile),
					      s.first[i]);
			char name[96], path[PATH_MAX + 128];
			snprintf(name, sizeof name, "sweep-%s-%s-%08x", pv_flavor_info(st->flavor)->name,
				 feat ? pv_features_name(feat) : "none", s.first[i]);
			for (char *c = name; *c; c++)
				*c = *c == ',' ? '+' : *c;
			save(v, name, o.p, o.n, path, sizeof path);
			free(o.p);
		}
	}
	if (st->result == R_PASS && !matched) {
		st->result = R_FAIL;
		snprintf(st->first, sizeof st->first, "the class never matched on %s under any feature set",
			 pv_flavor_info(st->flavor)->name);
	}
	st->unit = "words";
}

/* ---- step 2: the differential sweep of the class ------------------------ */

static void step_diffsweep(struct validate *v, struct step *st)
{
	static struct sweep w; /* large tables */
	memset(&w, 0, sizeof w);
	w.profile = v->profile;
	w.ctx_init = cli_ctx_init;
	w.only_features = -1;
	w.only_class = (int)v->cls;
	w.states = 64;
	w.quiet = true;
	char err[160];
	struct pv_oracle *or = pv_oracle_new(st->flavor, err, sizeof err);
	if (!or || !sweep_init(&w)) {
		st->result = R_FAIL;
		snprintf(st->first, sizeof st->first, "the emulator failed: %s", or ? "out of memory" : err);
		if (or)
			pv_oracle_free(or);
		sweep_free(&w);
		return;
	}
	if (sweep_flavor(&w, st->flavor, or) != 0) {
		st->result = R_FAIL;
		snprintf(st->first, sizeof st->first, "the emulator failed");
	} else if (w.have_first) {
		st->result = R_FAIL;
		char d[96];
		uint32_t word = w.first->orig_code.text[0];
		snprintf(st->first, sizeof st->first, "0x%08x %s, features %s: %s: original %s, patched %s", word,
			 pv_disasm(w.first_ctx.fi->is64, word, 0, d, sizeof d), pv_features_name(w.first_ctx.features),
			 w.first->item, w.first->orig, w.first->patched);
		char path[PATH_MAX + 128];
		mkdir_or_die(v->failures);
		snprintf(path, sizeof path, "%s/diffsweep-%s.txt", v->failures, pv_flavor_info(st->flavor)->name);
		FILE *f = fopen(path, "w");
		if (f) {
			pv_print_divergence(f, &w.first_ctx, "diffsweep corner state", &w.first_state, w.first);
			fprintf(f, "\nrerun: pvfuzz diffsweep --flavor %s --features %s --profile %s\n",
				pv_flavor_info(st->flavor)->name, pv_features_name(w.first_ctx.features),
				cli_profile_arg(v->profile));
			fclose(f);
		}
	}
	st->count = w.runs;
	st->unit = "runs";
	sweep_free(&w);
	pv_oracle_free(or);
}

/* ---- steps 3 and 4: libFuzzer, focused on the class ---------------------- */

/* A dictionary of the class's encodings on the flavor, each behind the
 * selector byte that makes pvf_word take the next four bytes as they are. */
static void write_dict(const struct validate *v, enum pv_flavor f, const char *path)
{
	FILE *d = fopen(path, "w");
	if (!d)
		cli_fail("validate: cannot write %s: %s", path, strerror(errno));
	static const unsigned regs[] = {0, 1, 5, 29, 30, 31};
	for (size_t i = 0; i < pv_nrows; i++) {
		const struct pv_row *r = &pv_rows[i];
		if (r->cls != v->cls || !(r->flavors & PV_FL(f)))
			continue;
		unsigned nrt, nrb; /* six values of a carried field, of the 32 */
		pv_row_regs(r, &nrt, &nrb);
		nrt = nrt > 1 ? 6 : 1, nrb = nrb > 1 ? 6 : 1;
		for (unsigned a = 0; a < nrt; a++)
			for (unsigned b = 0; b < nrb; b++) {
				uint32_t w = pv_row_word(r, regs[a], regs[b]);
				fprintf(d, "\"\\x%02x\\x%02x\\x%02x\\x%02x\\x%02x\"\n", PVF_SEL_RAW, w >> 24,
					(w >> 16) & 0xff, (w >> 8) & 0xff, w & 0xff);
			}
	}
	fclose(d);
}

/* The shipped seeds of the target with the class's sites put in
 * (pvf_focus_seed), into `dir`; returns how many. */
static unsigned focused_seeds(const struct validate *v, enum pvf_target t, const char *dir)
{
	char src[PATH_MAX + 32], path[PATH_MAX + 300];
	snprintf(src, sizeof src, "%s/%s", v->corpus, pvf_target_name(t));
	DIR *d = opendir(src);
	unsigned n = 0;
	if (!d)
		return 0;
	mkdir_or_die(dir);
	struct dirent *e;
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof path, "%s/%s", src, e->d_name);
		size_t len;
		uint8_t *b = cli_read_file(path, &len);
		if (pvf_focus_seed(t, b, len)) {
			snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
			cli_output_dir_file("--out", path, b, len);
			n++;
		}
		free(b);
	}
	closedir(d);
	return n;
}

static void fuzz_tick(void *arg, double elapsed)
{
	const struct validate *v = arg;
	progress(v, "%s on %s: %.0f of %u s", v->running->name, pv_flavor_info(v->running->flavor)->name, elapsed,
		 v->per_flavor);
}

static void step_fuzz(struct validate *v, struct step *st)
{
	if (!v->time) {
		st->result = R_SKIP;
		return;
	}
	const char *fl = pv_flavor_info(st->flavor)->name;
	char bin[PATH_MAX + 32], dict[PATH_MAX + 64], work[PATH_MAX + 64], log[PATH_MAX + 64];
	char prefix[PATH_MAX + 64], seeds[PATH_MAX + 32];
	snprintf(bin, sizeof bin, "%s/%s", v->fuzzers, st->name);
	snprintf(dict, sizeof dict, "%s/%s-%s.dict", v->work, st->name, fl);
	snprintf(work, sizeof work, "%s/%s-%s", v->work, st->name, fl);
	snprintf(log, sizeof log, "%s/%s-%s.log", v->out, st->name, fl);
	snprintf(prefix, sizeof prefix, "%s/%s-%s-", v->failures, st->name, fl);
	snprintf(seeds, sizeof seeds, "%s/%s-%s-seeds", v->work, st->name, fl);
	write_dict(v, st->flavor, dict);
	mkdir_or_die(work);
	mkdir_or_die(v->failures);
	enum pvf_target target;
	pvf_target_parse(st->name, &target);
	bool have_seeds = focused_seeds(v, target, seeds) > 0;
	if (!have_seeds && !v->json)
		progress(v, "no seeds in %s/%s: %s starts from an empty corpus", v->corpus, st->name, st->name);
	struct pvf_fuzz_run r = {
		.bin = bin, .target = st->name, .source_dir = PVFUZZ_SOURCE_DIR, .secs = v->per_flavor,
		.dict = dict, .artifact_prefix = prefix, .log = log, .corpus = work, .seeds = have_seeds ? seeds : NULL,
		.env = {{"PVFUZZ_CLASS", pv_class_name(v->cls)}, {"PVFUZZ_FLAVOR", fl},
			{"PVFUZZ_PROFILE", cli_profile_arg(v->profile)}},
		.tick = v->json ? NULL : fuzz_tick, .tick_arg = v,
	};
	v->running = st;
	if (pvf_fuzz_run(&r) != 0)
		cli_fail("validate: fork: %s", strerror(errno));
	st->count = r.execs;
	st->unit = "execs";
	st->fresh = r.seeds_ran && r.execs > r.seeds_ran ? (long long)(r.execs - r.seeds_ran) : 0;
	if (!r.ok) {
		st->result = R_FAIL;
		snprintf(st->first, sizeof st->first, "%s", r.first_failure);
		return;
	}
	/* a step that only replayed its seeds has fuzzed nothing: not a pass */
	if (st->fresh == 0) {
		st->result = R_FAIL;
		snprintf(st->first, sizeof st->first,
			 "no input beyond the %llu seeds ran in %u s: give more --time (log: %s)",
			 r.seeds_ran ? r.seeds_ran : st->count, v->per_flavor, log);
	}
}

/* The steps, in this order, each over every flavor where the class applies. */
static const struct {
	const char *name; /* a fuzz step's name is its target's */
	void (*run)(struct validate *v, struct step *st);
} step_kinds[] = {
	{"sweep", step_sweep},
	{"diffsweep", step_diffsweep},
	{"fuzz_diff", step_fuzz},
	{"fuzz_image", step_fuzz},
};
#define NSTEP_KINDS (sizeof step_kinds / sizeof step_kinds[0])

/* ---- the verdict ------------------------------------------------------------ */

static void json_string(const char *s)
{
	char buf[1024];
	pv_json_escape(s, buf, sizeof buf);
	printf("\"%s\"", buf);
}

static void print_verdict(const struct validate *v, bool pass, double total)
{
	if (v->json) {
		printf("{\"class\":\"%s\",\"profile\":\"%s\",\"time_per_fuzz_step\":%u,\"seconds\":%.1f,\"passed\":%s,",
		       pv_class_name(v->cls), cli_profile_arg(v->profile), v->time, total, pass ? "true" : "false");
		printf("\"out\":");
		json_string(v->out);
		printf(",\"steps\":[");
		for (unsigned i = 0; i < v->nsteps; i++) {
			const struct step *s = &v->steps[i];
			printf("%s{\"step\":\"%s\",\"flavor\":\"%s\",\"result\":\"%s\",\"seconds\":%.1f,\"%s\":%llu,",
			       i ? "," : "", s->name, pv_flavor_info(s->flavor)->name,
			       s->result == R_FAIL ? "fail" : result_name[s->result], s->secs, s->unit ? s->unit : "count",
			       s->count);
			if (s->fresh >= 0)
				printf("\"beyond_seeds\":%lld,", s->fresh);
			printf("\"first_failure\":");
			if (s->result == R_FAIL)
				json_string(s->first);
			else
				printf("null");
			printf("}");
		}
		printf("]}\n");
		return;
	}
	printf("\nvalidate %s, profile %s: %u step%s, %.1f s\n", pv_class_name(v->cls), cli_profile_arg(v->profile),
	       v->nsteps, v->nsteps == 1 ? "" : "s", total);
	printf("  %-11s %-11s %-8s %8s  %-26s %s\n", "step", "flavor", "result", "time", "work", "first failure");
	for (unsigned i = 0; i < v->nsteps; i++) {
		const struct step *s = &v->steps[i];
		char work[48] = "-";
		if (s->unit && s->fresh >= 0)
			snprintf(work, sizeof work, "%llu %s, %lld new", s->count, s->unit, s->fresh);
		else if (s->unit)
			snprintf(work, sizeof work, "%llu %s", s->count, s->unit);
		printf("  %-11s %-11s %-8s %7.1fs  %-26s %s\n", s->name, pv_flavor_info(s->flavor)->name,
		       result_name[s->result], s->secs, work, s->result == R_FAIL ? s->first : "-");
	}
	if (pass) {
		printf("verdict: PASS (logs in %s)\n", v->out);
		return;
	}
	printf("verdict: FAIL; failing inputs and reports in %s\n", v->failures);
	printf("reproduce a fuzz input: PVFUZZ_CLASS=%s PVFUZZ_FLAVOR=<flavor> pvfuzz repro --profile %s FILE\n",
	       pv_class_name(v->cls), cli_profile_arg(v->profile));
	printf("reproduce a sweep input: pvfuzz repro --profile %s FILE\n", cli_profile_arg(v->profile));
}

/* fuzzers/ beside this executable */
static void default_fuzzers(char *out, size_t n)
{
	char self[PATH_MAX];
	ssize_t k = readlink("/proc/self/exe", self, sizeof self - 1);
	if (k <= 0) {
		snprintf(out, n, "fuzzers");
		return;
	}
	self[k] = 0;
	snprintf(out, n, "%s/fuzzers", dirname(self));
}

/* The default --out: DIR/validate/<class>-<UTC time> beside this
 * executable (the build folder), a new folder every run. */
static void default_out(enum pv_class c, char *out, size_t n)
{
	char self[PATH_MAX], parent[PATH_MAX + 16] = "validate";
	ssize_t k = readlink("/proc/self/exe", self, sizeof self - 1);
	if (k > 0) {
		self[k] = 0;
		snprintf(parent, sizeof parent, "%s/validate", dirname(self));
	}
	if (mkdir(parent, 0777) != 0 && errno != EEXIST)
		cli_fail("validate: cannot create %s: %s", parent, strerror(errno));
	time_t now = time(NULL);
	struct tm tm;
	gmtime_r(&now, &tm);
	for (unsigned i = 0;; i++) {
		char stamp[32];
		strftime(stamp, sizeof stamp, "%Y%m%d-%H%M%S", &tm);
		snprintf(out, n, "%s/%s-%s%s%.0u", parent, pv_class_name(c), stamp, i ? "-" : "", i);
		if (access(out, F_OK) != 0)
			return;
	}
}

int cmd_validate(int argc, char **argv)
{
	enum { O_CLASS = 256, O_FLAVOR, O_TIME, O_PROFILE, O_OUT, O_FUZZERS, O_CORPUS, O_JSON, O_LIST, O_HELP };
	static const struct option longopts[] = {
		{"class", required_argument, 0, O_CLASS}, {"flavor", required_argument, 0, O_FLAVOR},
		{"time", required_argument, 0, O_TIME}, {"profile", required_argument, 0, O_PROFILE},
		{"out", required_argument, 0, O_OUT}, {"fuzzers", required_argument, 0, O_FUZZERS},
		{"corpus", required_argument, 0, O_CORPUS}, {"json", no_argument, 0, O_JSON},
		{"list", no_argument, 0, O_LIST}, {"help", no_argument, 0, O_HELP}, {0, 0, 0, 0},
	};
	static struct validate v;
	bool list = false;
	const char *cls = NULL, *flavor = "all", *out = NULL, *fuzzers = NULL, *corpus = NULL;
	int c;
	memset(&v, 0, sizeof v);
	v.profile = PV_PROFILE_FIXED;
	v.time = 60;
	if (cli_start_options(argc, argv, usage)) /* --help printed */
		return 0;
	while ((c = getopt_long(argc, argv, "+:h", longopts, NULL)) != -1) {
		switch (c) {
		case O_CLASS: cls = optarg; break;
		case O_FLAVOR: flavor = optarg; break;
		case O_TIME: v.time = (unsigned)cli_number("--time", optarg, 0, 7 * 24 * 3600); break;
		case O_PROFILE: v.profile = cli_profile(optarg); break;
		case O_OUT: out = optarg; break;
		case O_FUZZERS: fuzzers = optarg; break;
		case O_CORPUS: corpus = optarg; break;
		case O_JSON: v.json = true; break;
		case O_LIST: list = true; break;
		case 'h':
		case O_HELP: fputs(usage, stdout); return 0;
		default: cli_bad_option("validate", c, argv);
		}
	}
	if (optind < argc)
		cli_fail("validate: unexpected argument '%s'", argv[optind]);
	if (list) {
		list_classes(v.profile);
		return 0;
	}
	if (cli_kernel_dir()) /* the sweep step's contexts (pvf_ctx) run the kernel's code too */
		{
			char err[800];
			if (pvf_use_kernel(cli_kernel_dir(), err, sizeof err) != 0)
				cli_fail("%s", err);
		}
	if (!cls)
		cli_fail("validate: --class NAME is required (see pvfuzz validate --help)");
	if (pv_class_parse(cls, &v.cls) != 0)
		cli_fail("validate: unknown class '%s' (pvfuzz validate --list prints the classes)", cls);
	unsigned applies = pv_class_flavors(v.cls, v.profile);
	if (!applies)
		cli_fail("validate: class %s does not exist in the %s profile", cls, cli_profile_arg(v.profile));
	if (!strcmp(flavor, "all")) {
		v.flavors = applies;
	} else {
		enum pv_flavor f = cli_flavor(flavor);
		if (!(applies & PV_FL(f)))
			cli_fail("validate: class %s does not apply on %s (see src/rewrite_table.c)", cls, flavor);
		v.flavors = PV_FL(f);
	}
	for (unsigned f = 0; f < PV_NFLAVORS; f++)
		v.nflavors += (v.flavors >> f) & 1;

	if (corpus) {
		struct stat sb;
		if (stat(corpus, &sb) != 0 || !S_ISDIR(sb.st_mode))
			cli_fail("validate: --corpus '%s' is not a directory (it holds fuzz_diff/ and fuzz_image/ seeds)",
				 corpus);
	}
	if (out)
		snprintf(v.out, sizeof v.out, "%s", out);
	else
		default_out(v.cls, v.out, sizeof v.out);
	/* a new or empty folder, ours from now on: nothing else is ever deleted */
	cli_output_dir("--out", v.out);
	snprintf(v.failures, sizeof v.failures, "%s/failures", v.out);
	if (fuzzers)
		snprintf(v.fuzzers, sizeof v.fuzzers, "%s", fuzzers);
	else
		default_fuzzers(v.fuzzers, sizeof v.fuzzers);
	snprintf(v.corpus, sizeof v.corpus, "%s", corpus ? corpus : PVFUZZ_SOURCE_DIR "/corpus");
	if (v.time) {
		char bin[PATH_MAX + 32];
		for (unsigned k = 0; k < NSTEP_KINDS; k++) {
			if (step_kinds[k].run != step_fuzz)
				continue;
			snprintf(bin, sizeof bin, "%s/%s", v.fuzzers, step_kinds[k].name);
			if (access(bin, X_OK) != 0)
				cli_fail("validate: no libFuzzer binary %s: build with -DPVFUZZ_LIBFUZZER=ON "
					 "(scripts/test.sh does), pass --fuzzers DIR, or --time 0 to skip fuzzing",
					 bin);
		}
		snprintf(v.work, sizeof v.work, "%s/work", v.out);
		mkdir_or_die(v.work);
	}

	/* the steps, in order: every flavor's sweep, then every flavor's diffsweep... */
	v.per_flavor = v.time ? (v.time / v.nflavors ? v.time / v.nflavors : 1) : 0;
	double t0 = cli_now();
	for (unsigned k = 0; k < NSTEP_KINDS; k++)
		for (unsigned f = 0; f < PV_NFLAVORS; f++) {
			if (!(v.flavors & PV_FL(f)))
				continue;
			struct step *st = &v.steps[v.nsteps++];
			*st = (struct step){.name = step_kinds[k].name, .flavor = (enum pv_flavor)f, .result = R_PASS,
					    .fresh = -1};
			if (!v.json)
				progress(&v, "[%u/%u] %s on %s", v.nsteps, (unsigned)NSTEP_KINDS * v.nflavors, st->name,
					 pv_flavor_info(f)->name);
			double s0 = cli_now();
			step_kinds[k].run(&v, st);
			st->secs = cli_now() - s0;
			if (!v.json && st->result == R_FAIL)
				progress(&v, "%s on %s FAILED: %s", st->name, pv_flavor_info(f)->name, st->first);
		}
	bool pass = true;
	for (unsigned i = 0; i < v.nsteps; i++)
		pass &= v.steps[i].result != R_FAIL;
	if (v.time)
		cli_remove_own_tree(v.work); /* the grown corpora, made by this run; failing inputs are in failures/ */
	cli_outputs_commit(); /* the folder stays: logs, and the failing inputs of a failed verdict */
	print_verdict(&v, pass, cli_now() - t0);
	return pass ? 0 : 1;
}
