/* Running a fuzz target's libFuzzer binary as a child process, for the
 * commands that fuzz as one of their steps (pvfuzz validate): a crash or a
 * hang there ends the child, never the caller. */
#ifndef PVF_FUZZ_RUN_H
#define PVF_FUZZ_RUN_H

#include <stdbool.h>
#include <stddef.h>

#define PVF_RUN_MAX_ENV 4
#define PVF_RUN_MAX_OPTIONS 4

struct pvf_fuzz_run {
	/* what to run */
	const char *bin;      /* the libFuzzer binary */
	const char *target;   /* its name: the options come from fuzzers/<target>.options under source_dir */
	const char *source_dir;
	unsigned secs;        /* -max_total_time; the child is killed 120 s after it */
	const char *dict, *artifact_prefix, *log;
	const char *corpus;   /* the growing corpus (a folder) */
	const char *seeds;    /* NULL: none */
	const char *env[PVF_RUN_MAX_ENV][2]; /* variables to set in the child (NULL-terminated pairs) */
	/* called about every 5 s while it runs (NULL: quiet) */
	void (*tick)(void *arg, double elapsed);
	void *tick_arg;
	/* what came out */
	bool ok;                  /* exited 0 */
	unsigned long long execs; /* libFuzzer's executed units */
	unsigned long long seeds_ran; /* of which the seeds: the "#N INITED" line (0: never came) */
	char first_failure[256];  /* the first line of the log that says what went wrong */
};

/* Runs it; -1 (errno set) when the child could not be started, else 0 with
 * the results filled in. */
int pvf_fuzz_run(struct pvf_fuzz_run *r);

#endif
