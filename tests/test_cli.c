/* The pvfuzz tool from the outside: the documented examples, JSON output,
 * the image form, and every bad-input path (a one-line message naming the
 * problem and exit status 2). */
#include <fcntl.h>
#include <spawn.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "test_util.h"

extern char **environ;

struct run {
	int status; /* exit status, or -1 when killed by a signal */
	char out[1 << 16];
	char err[1 << 12];
};

static char tmpdir[] = "/tmp/pvfuzz-cli-XXXXXX";

static void slurp(const char *path, char *buf, size_t n)
{
	FILE *f = fopen(path, "rb");
	size_t got = f ? fread(buf, 1, n - 1, f) : 0;
	buf[got] = 0;
	if (f)
		fclose(f);
}

/* Runs pvfuzz with the given arguments (NULL-terminated). */
static struct run *run(const char *arg0, ...)
{
	static struct run r;
	const char *argv[64] = {PVFUZZ_BIN};
	int argc = 1;
	va_list ap;
	va_start(ap, arg0);
	for (const char *a = arg0; a && argc < 63; a = va_arg(ap, const char *))
		argv[argc++] = a;
	va_end(ap);
	argv[argc] = NULL;

	char out_path[64], err_path[64];
	snprintf(out_path, sizeof out_path, "%s/stdout", tmpdir);
	snprintf(err_path, sizeof err_path, "%s/stderr", tmpdir);
	posix_spawn_file_actions_t fa;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 1, out_path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	posix_spawn_file_actions_addopen(&fa, 2, err_path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	pid_t pid;
	assert_int_equal(posix_spawn(&pid, PVFUZZ_BIN, &fa, NULL, (char **)argv, environ), 0);
	posix_spawn_file_actions_destroy(&fa);
	int st;
	assert_int_equal(waitpid(pid, &st, 0), pid);
	r.status = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
	slurp(out_path, r.out, sizeof r.out);
	slurp(err_path, r.err, sizeof r.err);
	return &r;
}

static void expect_in(const char *haystack, const char *needle, const char *stream)
{
	if (!strstr(haystack, needle))
		fail_msg("%s lacks '%s'; it was:\n%s", stream, needle, haystack);
}

static const char *tmpfile_with(const char *name, const void *data, size_t len)
{
	static char path[128];
	snprintf(path, sizeof path, "%s/%s", tmpdir, name);
	FILE *f = fopen(path, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(data, 1, len, f), len);
	fclose(f);
	return path;
}

static int setup(void **state)
{
	(void)state;
	return mkdtemp(tmpdir) ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	char cmd[128];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
	return system(cmd);
}

/* ---- what works ------------------------------------------------------------ */

static void readme_example_book3s32(void **state)
{
	(void)state;
	struct run *r = run("patch", "--flavor", "book3s32", "0x7c6000a6", NULL);
	assert_int_equal(r->status, 0);
	expect_in(r->out, "mfmsr r3", "stdout");
	expect_in(r->out, "class:    mfmsr", "stdout");
	expect_in(r->out, "0x8060f05c  lwz r3, -0xfa4(0)", "stdout");
	expect_in(r->out, "-4004 = page msr+4", "stdout");
}

static void readme_example_book3s64(void **state)
{
	(void)state;
	struct run *r = run("patch", "--flavor", "book3s64", "0x7c6000a6", NULL);
	assert_int_equal(r->status, 0);
	expect_in(r->out, "0xe860f058  ld r3, -0xfa8(0)", "stdout");
}

static void template_listing(void **state)
{
	(void)state;
	struct run *r = run("patch", "--flavor", "booke64", "--profile", "linux", "0x7c000146", NULL);
	assert_int_equal(r->status, 0);
	expect_in(r->out, "class:    wrteei_0", "stdout");
	expect_in(r->out, "template: wrteei_0", "stdout");
	expect_in(r->out, "rlwinm r31, r31, 0, 0x11, 0xf", "stdout");
	expect_in(r->out, "<- branch back", "stdout");
}

static void json_words(void **state)
{
	(void)state;
	struct run *r = run("patch", "--flavor", "book3s32", "--json", "0x7c6000a6", "0x7ca00124", "0x60000000", NULL);
	assert_int_equal(r->status, 0);
	char *l1 = r->out, *l2 = strchr(l1, '\n') + 1, *l3 = strchr(l2, '\n') + 1;
	l2[-1] = l3[-1] = 0;
	expect_in(l1, "\"word\":\"0x7c6000a6\"", "line 1");
	expect_in(l1, "\"class\":\"mfmsr\"", "line 1");
	expect_in(l1, "\"patched\":true", "line 1");
	expect_in(l1, "\"rewrite\":[\"0x8060f05c\"]", "line 1");
	expect_in(l1, "\"template\":[]", "line 1");
	expect_in(l2, "\"class\":\"mtmsr\"", "line 2");
	expect_in(l2, "\"template\":[\"0x9020f01c\"", "line 2"); /* stw r1,critical+4 */
	expect_in(l3, "\"class\":\"unchanged\"", "line 3");
	expect_in(l3, "\"patched\":false", "line 3");
	expect_in(l3, "\"rewrite\":[]", "line 3");
}

static void image_report_and_out(void **state)
{
	(void)state;
	const uint8_t text[] = {0x7c, 0x60, 0x00, 0xa6, 0x60, 0x00, 0x00, 0x00, 0x7c, 0xa0, 0x01, 0x24, 0x7c, 0x00, 0x04, 0x6c};
	const char *img = tmpfile_with("text.bin", text, sizeof text);
	char img_path[128], out_path[128];
	snprintf(img_path, sizeof img_path, "%s", img);
	snprintf(out_path, sizeof out_path, "%s/patched.bin", tmpdir);
	struct run *r = run("patch", "--flavor", "book3s64", "--image", img_path, "--base", "0xc000000000000000",
			    "--out", out_path, NULL);
	assert_int_equal(r->status, 0);
	expect_in(r->out, "mfmsr", "stdout");
	expect_in(r->out, "total                    3         0", "stdout");
	uint8_t got[32];
	FILE *f = fopen(out_path, "rb");
	assert_non_null(f);
	assert_int_equal(fread(got, 1, sizeof got, f), sizeof text);
	fclose(f);
	const uint8_t ld[4] = {0xe8, 0x60, 0xf0, 0x58};
	assert_memory_equal(got, ld, 4);

	r = run("patch", "--flavor", "book3s64", "--image", img_path, "--base", "0xc000000000000000",
		"--vectors-end", "0xc000000000000100", "--json", NULL);
	assert_int_equal(r->status, 0);
	expect_in(r->out, "\"classes\":{\"mfmsr\":{\"patched\":1,\"skipped\":0}", "stdout");
	expect_in(r->out, "\"reason\":\"below end of vectors\"", "stdout");
}

static void help_exits_zero(void **state)
{
	(void)state;
	struct run *r = run("--help", NULL);
	assert_int_equal(r->status, 0);
	expect_in(r->out, "patch", "stdout");
	r = run("patch", "--help", NULL);
	assert_int_equal(r->status, 0);
	expect_in(r->out, "--vectors-end", "stdout");
}

/* ---- bad input: exit 2 and a message ------------------------------------- */

static void expect_usage_error(struct run *r, const char *msg)
{
	if (r->status != 2)
		fail_msg("exit status %d, want 2 (stderr: %s)", r->status, r->err);
	expect_in(r->err, msg, "stderr");
	if (strchr(r->err, '\n') != r->err + strlen(r->err) - 1)
		fail_msg("want one line on stderr, got: %s", r->err);
}

static void bad_commands_and_options(void **state)
{
	(void)state;
	expect_usage_error(run(NULL), "no command given");
	expect_usage_error(run("frob", NULL), "unknown command 'frob'");
	expect_usage_error(run("patch", "0x7c6000a6", NULL), "--flavor is required");
	expect_usage_error(run("patch", "--flavor", "power9", "0x7c6000a6", NULL), "unknown flavor 'power9'");
	expect_usage_error(run("patch", "--flavor", NULL), "option '--flavor' needs a value");
	expect_usage_error(run("patch", "--bogus", NULL), "unknown option '--bogus'");
	expect_usage_error(run("patch", "--flavor", "book3s32", "--profile", "upstream", "0x7c6000a6", NULL),
			   "unknown profile 'upstream'");
	expect_usage_error(run("patch", "--flavor", "book3s32", "--features", "mmu", "0x7c6000a6", NULL),
			   "unknown feature set 'mmu'");
	expect_usage_error(run("patch", "--flavor", "book3s32", NULL), "no WORD and no --image");
	expect_usage_error(run("patch", "--flavor", "book3s32", "--vectors-end", "0x100", "0x7c6000a6", NULL),
			   "go with --image");
	expect_usage_error(run("patch", "--flavor", "book3s32", "--area-size", "0", "0x7c6000a6", NULL),
			   "--area-size");
	expect_usage_error(run("patch", "--flavor", "book3s32", "--area-size", "6", "0x7c6000a6", NULL),
			   "--area-size");
	expect_usage_error(run("patch", "--flavor", "book3s32", "--area-size", "0x2000000", "0x7c6000a6", NULL),
			   "--area-size");
	expect_usage_error(run("patch", "--flavor", "book3s32", "--addr", "0x1002", "0x7c6000a6", NULL),
			   "not word aligned");
}

/* The kernel profile without a build: exit 2, the path and how to build it. */
static void kernel_profile_bad_input(void **state)
{
	(void)state;
	expect_usage_error(run("patch", "--flavor", "book3s64", "--profile", "kernel:", "0x7c6000a6", NULL),
			   "kernel:DIR needs the directory");
	struct run *r = run("patch", "--flavor", "book3s64", "--profile", "kernel:/nonexistent/pvk", "0x7c6000a6", NULL);
	expect_usage_error(r, "/nonexistent/pvk/book3s64/kernel.meta");
	expect_in(r->err, "scripts/kernel-mode/build.sh --flavor book3s64", "stderr");
	expect_usage_error(run("diffsweep", "--flavor", "book3s64", "--profile", "kernel:/nonexistent/pvk", NULL),
			   "/nonexistent/pvk/book3s64/kernel.meta");
	expect_usage_error(run("validate", "--class", "mfmsr", "--profile", "kernel:/nonexistent/pvk", NULL),
			   "no flavor of the kernel profile is built in /nonexistent/pvk");
	expect_usage_error(run("sweep", "--flavor", "book3s64", "--profile", "kernel:/tmp", NULL), "give --sample N");
	expect_usage_error(run("agree", NULL), "--profile kernel:DIR is required");
	expect_usage_error(run("agree", "--profile", "linux", NULL), "--profile must be kernel:DIR");
	expect_usage_error(run("agree", "--profile", "kernel:/nonexistent/pvk", "--flavor", "booke32", NULL),
			   "/nonexistent/pvk/booke32/kernel.meta");
	expect_usage_error(run("agree", "--profile", "kernel:/nonexistent/pvk", NULL), "no flavor is built");
}

static void bad_words(void **state)
{
	(void)state;
	expect_usage_error(run("patch", "--flavor", "book3s32", "0xzz", NULL), "'0xzz' is not a 32-bit hex");
	expect_usage_error(run("patch", "--flavor", "book3s32", "0x123456789", NULL), "is not a 32-bit hex");
	expect_usage_error(run("patch", "--flavor", "book3s32", "", NULL), "is not a 32-bit hex");
	expect_usage_error(run("patch", "--flavor", "book3s32", "0x", NULL), "is not a 32-bit hex");
	expect_usage_error(run("patch", "--flavor", "book3s32", "-5", NULL), "unknown option '-5'");
}

static void bad_images(void **state)
{
	(void)state;
	char odd[128], empty[128], good[128], outp[128];
	snprintf(odd, sizeof odd, "%s", tmpfile_with("odd.bin", "\x7c\x60\x00\xa6\x00", 5));
	snprintf(empty, sizeof empty, "%s", tmpfile_with("empty.bin", "", 0));
	snprintf(good, sizeof good, "%s", tmpfile_with("good.bin", "\x7c\x60\x00\xa6\x60\x00\x00\x00", 8));
	snprintf(outp, sizeof outp, "%s/no/such/dir/out.bin", tmpdir);

	expect_usage_error(run("patch", "--flavor", "book3s32", "--image", odd, "--base", "0x1000", NULL),
			   "is 5 bytes, not a multiple of 4");
	expect_usage_error(run("patch", "--flavor", "book3s32", "--image", empty, "--base", "0x1000", NULL),
			   "is empty");
	expect_usage_error(run("patch", "--flavor", "book3s32", "--image", "/nonexistent/text.bin", "--base",
			       "0x1000", NULL), "cannot read '/nonexistent/text.bin'");
	expect_usage_error(run("patch", "--flavor", "book3s32", "--image", tmpdir, "--base", "0x1000", NULL),
			   "cannot read");
	expect_usage_error(run("patch", "--flavor", "book3s32", "--image", good, NULL), "--image needs --base");
	expect_usage_error(run("patch", "--flavor", "book3s32", "--image", good, "--base", "0x1002", NULL),
			   "not word aligned");
	expect_usage_error(run("patch", "--flavor", "book3s32", "--image", good, "--base", "zz", NULL),
			   "'zz' is not an address");
	expect_usage_error(run("patch", "--flavor", "book3s32", "--image", good, "--base", "0xfffffffc", NULL),
			   "runs past the top of the 32-bit address space");
	expect_usage_error(run("patch", "--flavor", "book3s32", "--image", good, "--base", "0x1000", "0x7c6000a6",
			       NULL), "either WORDs or --image");
	expect_usage_error(run("patch", "--flavor", "book3s32", "--image", good, "--base", "0x1000", "--area",
			       "0xff0", NULL), "overlaps the start of the image");
	expect_usage_error(run("patch", "--flavor", "book3s32", "--image", good, "--base", "0x1000", "--area",
			       "0x1004", NULL), "runs past its end");
	expect_usage_error(run("patch", "--flavor", "book3s32", "--image", good, "--base", "0x1000", "--out", outp,
			       NULL), "cannot write");
}

/* ---- pvfuzz diff ------------------------------------------------------------ */

static void diff_equivalent(void **state)
{
	(void)state;
	struct run *r = run("diff", "--flavor", "book3s32", "--features", "sr", "--states", "500", "0x7c6000a6",
			    "0x7c7043a6", "0x7c610164", "0x7c9042a6", NULL);
	if (r->status != 0)
		fail_msg("exit %d: %s%s", r->status, r->out, r->err);
	expect_in(r->out, "equivalent: 500 states from seed 1", "stdout");
}

static void diff_linux_mtsrin_divergence(void **state)
{
	(void)state;
	struct run *r = run("diff", "--flavor", "book3s32", "--features", "sr", "--profile", "linux", "--states", "500",
			    "0x7fe0f1e4", NULL);
	assert_int_equal(r->status, 1);
	expect_in(r->out, "DIVERGENCE: flavor book3s32, profile linux, features sr, seed ", "stdout");
	expect_in(r->out, "first difference: page sr[", "stdout");
	expect_in(r->out, "start state:", "stdout");
	expect_in(r->out, "0x7fe0f1e4  mtsrin r31, r30", "stdout");
	expect_in(r->out, "rlwinm r30, r30, 6, 0x1a, 0x1d", "stdout");
	expect_in(r->out, "stw r31, -0xf98(r30)", "stdout");
	expect_in(r->out, "<- original instruction", "stdout");
	expect_in(r->out, "events:", "stdout");
	r = run("diff", "--flavor", "book3s32", "--features", "sr", "--profile", "linux", "--states", "500", "--json",
		"0x7fe0f1e4", NULL);
	assert_int_equal(r->status, 1);
	expect_in(r->out, "{\"verdict\":\"divergent\"", "stdout");
	expect_in(r->out, "\"first_difference\":{\"item\":\"page sr[", "stdout");
}

static void diff_bad_input(void **state)
{
	(void)state;
	expect_usage_error(run("diff", "0x7c6000a6", NULL), "--flavor is required");
	expect_usage_error(run("diff", "--flavor", "power9", "0x7c6000a6", NULL), "unknown flavor 'power9'");
	expect_usage_error(run("diff", "--flavor", "book3s32", "0x7c6000a6q", NULL), "is not a 32-bit hex");
	expect_usage_error(run("diff", "--flavor", "book3s32", "--states", "0", "0x7c6000a6", NULL),
			   "--states: '0' must be a number from 1");
	expect_usage_error(run("diff", "--flavor", "book3s32", "--states", "many", "0x7c6000a6", NULL), "--states");
	expect_usage_error(run("diff", "--flavor", "book3s32", "--budget", "0", "0x7c6000a6", NULL), "--budget");
	expect_usage_error(run("diff", "--flavor", "book3s32", "--seed", "-1", "0x7c6000a6", NULL), "--seed");
	expect_usage_error(run("diff", "--flavor", "book3s32", NULL), "no WORD given");
	expect_usage_error(run("diff", "--flavor", "book3s32", "--bogus", "0x7c6000a6", NULL), "unknown option '--bogus'");
}

/* ---- pvfuzz repro ------------------------------------------------------------ */

static void repro_kept_divergence(void **state)
{
	(void)state;
	const char *f = PVFUZZ_SOURCE_DIR "/corpus/regressions/fuzz_diff/linux-mtsrin-r31-r30";
	struct run *r = run("repro", "--profile", "linux", f, NULL);
	assert_int_equal(r->status, 1);
	expect_in(r->out, "target fuzz_diff: flavor book3s32, features sr,mas, profile linux", "stdout");
	expect_in(r->out, "DIVERGENCE: flavor book3s32", "stdout");
	expect_in(r->out, "mtsrin r31, r30", "stdout");
	r = run("repro", f, NULL); /* the fuzzers' default: the fixed profile */
	assert_int_equal(r->status, 0);
	expect_in(r->out, "no divergence", "stdout");
}

static void repro_bad_input(void **state)
{
	(void)state;
	char empty[128];
	snprintf(empty, sizeof empty, "%s", tmpfile_with("empty-input", "", 0));
	expect_usage_error(run("repro", NULL), "no FILE given");
	expect_usage_error(run("repro", "/nonexistent/crash", NULL), "cannot read '/nonexistent/crash'");
	expect_usage_error(run("repro", empty, NULL), "has 0 bytes: a fuzz input starts with its target and its platform byte");
	/* the header is two bytes: one is too short */
	char one[128], old[128];
	snprintf(one, sizeof one, "%s", tmpfile_with("one-byte-input", "\x01", 1));
	expect_usage_error(run("repro", one, NULL), "has 1 byte: a fuzz input starts");
	/* byte 0 names no target: 0x40 was fuzz_diff in the one-byte header of old */
	snprintf(old, sizeof old, "%s", tmpfile_with("old-header-input", "\x40\x02\x7c\x60\x00\xa6", 6));
	expect_usage_error(run("repro", old, NULL), "byte 0 is 0x40, the id of no fuzz target");
	expect_usage_error(run("repro", "--target", "fuzz_nothing", empty, NULL), "unknown target 'fuzz_nothing'");
	expect_usage_error(run("repro", "--profile", "upstream", empty, NULL), "unknown profile 'upstream' (fixed, linux, any, kernel:DIR)");
}

/* ---- pvfuzz sweep and diffsweep ------------------------------------------------ */

static void sweep_and_diffsweep(void **state)
{
	(void)state;
	struct run *r = run("sweep", "--flavor", "book3s32", "--features", "sr", "--sample", "100000", NULL);
	assert_int_equal(r->status, 0);
	expect_in(r->out, "sweep book3s32, features sr, profile fixed:", "stdout");
	expect_in(r->out, "mtsrin", "stdout");
	expect_in(r->out, "failures 0", "stdout");
	/* the whole 2^32 on two threads (about 15 s here), as the issue asks;
	 * scripts/coverage.sh skips it: under coverage counters two threads
	 * take minutes, and a sample reaches the same code */
	if (getenv("PVFUZZ_TEST_NO_FULL_SWEEP")) {
		printf("full sweep skipped (PVFUZZ_TEST_NO_FULL_SWEEP)\n");
	} else {
		r = run("sweep", "--flavor", "book3s32", "--features", "sr", "--threads", "2", NULL);
		if (r->status != 0)
			fail_msg("full sweep: exit %d\n%s%s", r->status, r->out, r->err);
		expect_in(r->out, "4294967296 words in", "stdout");
		expect_in(r->out, "unmatched cross-checked with capstone 65536, failures 0", "stdout");
	}
	r = run("diffsweep", "--flavor", "book3s32", "--features", "sr", "--states", "2", NULL);
	assert_int_equal(r->status, 0);
	expect_in(r->out, "mtsrin           ok", "stdout");
	r = run("diffsweep", "--flavor", "book3s32", "--features", "sr", "--profile", "linux", "--states", "8", NULL);
	assert_int_equal(r->status, 1);
	expect_in(r->out, "mtsrin           DIVERGES", "stdout");
	expect_in(r->out, "first divergence:", "stdout");
	/* every flavor at once: a table of class by flavor */
	r = run("diffsweep", "--all", "--profile", "linux", "--states", "8", NULL);
	assert_int_equal(r->status, 1);
	expect_in(r->out, "  class            book3s32   booke32    book3s64   booke64    book3s64le", "stdout");
	expect_in(r->out, "  mtsrin           DIVERGES   -          -          -          -", "stdout");
	expect_in(r->out, "  wrteei_0         -          ok         -          DIVERGES   -", "stdout");
}

static void sweep_bad_input(void **state)
{
	(void)state;
	expect_usage_error(run("sweep", NULL), "give either --flavor F or --all");
	expect_usage_error(run("sweep", "--flavor", "book3s32", "--all", NULL), "give either --flavor F or --all");
	expect_usage_error(run("sweep", "--all", "--features", "sr", NULL), "drop --features");
	expect_usage_error(run("sweep", "--flavor", "book3s32", "--threads", "0", NULL), "--threads");
	expect_usage_error(run("sweep", "--flavor", "book3s32", "--sample", "0", NULL), "--sample");
	expect_usage_error(run("sweep", "--flavor", "vax", NULL), "unknown flavor 'vax'");
	expect_usage_error(run("diffsweep", NULL), "give either --flavor F or --all");
	expect_usage_error(run("diffsweep", "--all", "--flavor", "booke32", NULL), "give either --flavor F or --all");
	expect_usage_error(run("diffsweep", "--flavor", "book3s32", "--states", "0", NULL), "--states");
	expect_usage_error(run("diffsweep", "--flavor", "book3s32", "0x7c6000a6", NULL), "unexpected argument");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(readme_example_book3s32),
		cmocka_unit_test(readme_example_book3s64),
		cmocka_unit_test(template_listing),
		cmocka_unit_test(json_words),
		cmocka_unit_test(image_report_and_out),
		cmocka_unit_test(help_exits_zero),
		cmocka_unit_test(bad_commands_and_options),
		cmocka_unit_test(bad_words),
		cmocka_unit_test(bad_images),
		cmocka_unit_test(diff_equivalent),
		cmocka_unit_test(diff_linux_mtsrin_divergence),
		cmocka_unit_test(diff_bad_input),
		cmocka_unit_test(repro_kept_divergence),
		cmocka_unit_test(repro_bad_input),
		cmocka_unit_test(sweep_and_diffsweep),
		cmocka_unit_test(sweep_bad_input),
		cmocka_unit_test(kernel_profile_bad_input),
	};
	return cmocka_run_group_tests_name("cli", tests, setup, teardown);
}
