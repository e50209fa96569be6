/* Running a libFuzzer binary as a child process (fuzz_run.h). */
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "fuzz_run.h"

static double now_s(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* The target's libFuzzer options, from the fuzzers/<target>.options that
 * scripts/fuzz.sh and OSS-Fuzz read too ("[libfuzzer]", then key = value). */
static unsigned options(const struct pvf_fuzz_run *r, char opts[PVF_RUN_MAX_OPTIONS][80])
{
	char path[PATH_MAX], line[256], key[32], val[40];
	unsigned n = 0;
	snprintf(path, sizeof path, "%s/fuzzers/%s.options", r->source_dir, r->target);
	FILE *f = fopen(path, "r");
	if (!f)
		return 0;
	while (n < PVF_RUN_MAX_OPTIONS && fgets(line, sizeof line, f))
		if (sscanf(line, " %31[a-z_] = %39s", key, val) == 2)
			snprintf(opts[n++], sizeof opts[0], "-%s=%s", key, val);
	fclose(f);
	return n;
}

/* The first line of the log that says what went wrong. */
static void first_failure(const char *log, char *out, size_t n)
{
	static const char *const marks[] = {"CHECK FAILED: ", "ERROR: ", "SUMMARY: ", "==ERROR"};
	char line[512];
	snprintf(out, n, "the fuzzer failed (log: %s)", log);
	for (size_t m = 0; m < sizeof marks / sizeof marks[0]; m++) {
		FILE *f = fopen(log, "r");
		if (!f)
			return;
		while (fgets(line, sizeof line, f)) {
			char *p = strstr(line, marks[m]);
			if (!p)
				continue;
			p[strcspn(p, "\n")] = 0;
			snprintf(out, n, "%s", m == 0 ? p + strlen(marks[m]) : p);
			fclose(f);
			return;
		}
		fclose(f);
	}
}

/* libFuzzer's count of executions, and of those that ran the seeds: the
 * "#N INITED" line comes once every seed has run (0 when it never came) */
static unsigned long long executed_units(const char *log, unsigned long long *seeds)
{
	unsigned long long n = 0, k;
	char line[512];
	*seeds = 0;
	FILE *f = fopen(log, "r");
	if (!f)
		return 0;
	while (fgets(line, sizeof line, f)) {
		sscanf(line, "stat::number_of_executed_units: %llu", &n);
		if (line[0] == '#' && sscanf(line, "#%llu", &k) == 1 && strstr(line, "\tINITED"))
			*seeds = k;
	}
	fclose(f);
	return n;
}

int pvf_fuzz_run(struct pvf_fuzz_run *r)
{
	char opts[PVF_RUN_MAX_OPTIONS][80], t_opt[32], dict_opt[PATH_MAX + 16], prefix_opt[PATH_MAX + 32];
	unsigned nopts = options(r, opts);
	snprintf(t_opt, sizeof t_opt, "-max_total_time=%u", r->secs);
	snprintf(dict_opt, sizeof dict_opt, "-dict=%s", r->dict);
	snprintf(prefix_opt, sizeof prefix_opt, "-artifact_prefix=%s", r->artifact_prefix);
	double t0 = now_s();
	pid_t pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		FILE *l = freopen(r->log, "w", stdout);
		if (!l || dup2(fileno(stdout), 2) < 0)
			_exit(127);
		for (unsigned k = 0; k < PVF_RUN_MAX_ENV && r->env[k][0]; k++)
			setenv(r->env[k][0], r->env[k][1], 1);
		char *args[16] = {(char *)r->bin, t_opt, "-timeout=25", "-rss_limit_mb=4096", "-print_final_stats=1",
				  dict_opt, prefix_opt};
		unsigned a = 7;
		for (unsigned k = 0; k < nopts; k++)
			args[a++] = opts[k];
		args[a++] = (char *)r->corpus;
		if (r->seeds)
			args[a++] = (char *)r->seeds;
		args[a] = NULL;
		execv(r->bin, args);
		fprintf(stderr, "cannot run %s: %s\n", r->bin, strerror(errno));
		_exit(127);
	}
	int status = 0;
	double last = t0;
	for (;;) {
		pid_t w = waitpid(pid, &status, WNOHANG);
		if (w == pid)
			break;
		double now = now_s();
		if (now - t0 > r->secs + 120.0) { /* a hung fuzzer: the caller still ends */
			kill(pid, SIGKILL);
			waitpid(pid, &status, 0);
			break;
		}
		if (r->tick && now - last >= 5.0) {
			r->tick(r->tick_arg, now - t0);
			last = now;
		}
		usleep(100000);
	}
	r->execs = executed_units(r->log, &r->seeds_ran);
	r->ok = WIFEXITED(status) && WEXITSTATUS(status) == 0;
	r->first_failure[0] = 0;
	if (!r->ok)
		first_failure(r->log, r->first_failure, sizeof r->first_failure);
	return 0;
}
