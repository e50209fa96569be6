/* pvfuzz fuzz targets: the shared platform table, input decoding and the
 * checks behind every target. The libFuzzer entry points (fuzz_*.c) and
 * `pvfuzz repro` both call pvf_check(), so a crash and its reproduction run
 * the very same code.
 *
 * Every input starts with one byte: its top two bits name the target (an
 * input for another target is ignored, so crash files say which target they
 * belong to), its low six bits pick an entry of the platform table: flavor,
 * features and profile. How the rest is read is up to the target.
 */
#ifndef PVF_H
#define PVF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "pv.h"

enum pvf_target {
	PVF_CHECK_INS,
	PVF_DIFF,
	PVF_IMAGE,
	PVF_DISASM_XCHECK,
	PVF_NTARGETS
};

const char *pvf_target_name(enum pvf_target t);
int pvf_target_parse(const char *name, enum pvf_target *out);

/* ---- the platform table ------------------------------------------------- */

struct pvf_platform {
	enum pv_flavor flavor;
	unsigned features;
	enum pv_profile profile;
};

#define PVF_NPLATFORMS (PV_NFLAVORS * 4 * PV_NPROFILES)
const struct pvf_platform *pvf_platform(unsigned index);

/* The context of a flavor, feature set and profile, built once: setting a
 * context up costs more than matching a word. */
const struct pv_ctx *pvf_ctx(enum pv_flavor f, unsigned features, enum pv_profile p);

/* Which profiles may run: the fuzzers check the fixed profile unless told
 * otherwise (PVFUZZ_PROFILE=linux or any), so that a clean run means clean. */
enum pvf_profile_policy { PVF_ONLY_FIXED, PVF_ONLY_LINUX, PVF_ANY_PROFILE };
/* "kernel:DIR" is the linux policy with the kernel's own code patching
 * (pvf_use_kernel(DIR)). */
int pvf_policy_parse(const char *s, enum pvf_profile_policy *out);
enum pvf_profile_policy pvf_policy_from_env(void); /* PVFUZZ_PROFILE, default fixed */

/* The kernel profile (docs/kernel-mode.md): from now on pvf_ctx() hands out
 * linux-profile contexts whose patching runs the kernel code built into
 * dir/<flavor>/, and inputs of a flavor without such a build are skipped.
 * Exits 2 when no flavor is built there. One thread only. */
void pvf_use_kernel(const char *dir);
/* Whether pvf_use_kernel() attached a kernel build: the linux profile's
 * contexts then run the kernel's code. */
bool pvf_kernel_active(void);

/* PVFUZZ_CLASS=NAME focuses the targets on one rewrite class (pvfuzz
 * validate): the selector's "rewritable encoding" picks only that class's
 * rows, a word of another class becomes a plain instruction (so a failure
 * belongs to the class), and the features the class needs are turned on.
 * -1 when unset; exits 2 on an unknown name. */
int pvf_focus_class(void);

/* Turns a seed of fuzz_diff or fuzz_image into one whose words are sites of
 * the focused class (their selectors made "rewritable encoding"): every
 * other word for fuzz_diff, every fourth for fuzz_image. In place; false
 * for other targets or inputs too short to hold a word. */
bool pvf_focus_seed(enum pvf_target t, uint8_t *b, size_t n);

/* ---- input decoding ------------------------------------------------------- */

struct pvf_in {
	const uint8_t *p;
	size_t n, pos;
};

uint64_t pvf_take(struct pvf_in *in, unsigned bytes); /* big-endian, 0 past the end */
size_t pvf_left(const struct pvf_in *in);

/* Decodes the first byte; false when the input is empty or for another target. */
bool pvf_header(const uint8_t *data, size_t size, enum pvf_target want, enum pvf_profile_policy pol,
		const struct pv_ctx **ctx, struct pvf_in *rest);
/* The target an input belongs to, from its first byte; false when empty. */
bool pvf_detect(const uint8_t *data, size_t size, enum pvf_target *t);
uint8_t pvf_header_byte(enum pvf_target t, unsigned platform);

/* A word steered by a selector byte: a raw word, a rewritable encoding of
 * this context (register fields from the raw word), or a plain instruction.
 * This is how privileged encodings reach the fuzzers often. */
uint32_t pvf_word(const struct pv_ctx *ctx, struct pvf_in *in);
/* A plain instruction from 32 random bits: arithmetic, logic, compares,
 * loads and stores, short forward branches. */
uint32_t pvf_plain_word(uint32_t r);

/* ---- the checks ------------------------------------------------------------ */

/* Every check a target can fail, one name each (docs/fuzzing.md, "Crash
 * identity"). A failing input aborts through functions named after its
 * check, its class and its flavor (pvf_crash, crash.c), so that the crash
 * state ClusterFuzz takes from the top frames tells findings apart. */
#define PVF_CHECK_LIST(X)                                                                                      \
	X(branch_helper) X(matcher_nondeterministic) X(matcher_bits) X(matcher_gate) X(matcher_feature)        \
	X(patch_nondeterministic) X(unmatched_changed) X(single_word_rewrite) X(site_not_branch)               \
	X(instance_slots) X(capstone_xcheck) X(divergence) X(layout_refused) X(area_overrun) X(guard_bytes)    \
	X(instance_rewritten) X(left_alone_unjustly) X(no_flush) X(below_vectors) X(out_of_reach)              \
	X(branch_outside_area) X(report_counts) X(bad_layout_accepted) X(refused_but_changed) X(not_idempotent)
enum pvf_check_id {
#define PVF_X_ENUM(name) PVF_K_##name,
	PVF_CHECK_LIST(PVF_X_ENUM)
#undef PVF_X_ENUM
	PVF_NCHECKS
};
const char *pvf_check_name(enum pvf_check_id k);

/* What a check found. verbose: print the decoded input and what was run
 * (pvfuzz repro); a failing check always prints its operands and report. */
struct pvf_result {
	bool failed;
	bool ignored; /* input for another target, or empty */
	char what[256];
	/* the crash's identity: which check, on which class (-1: none or not
	 * known) and flavor */
	enum pvf_check_id check;
	int cls;
	enum pv_flavor flavor;
};

void pvf_check(enum pvf_target t, const uint8_t *data, size_t size, enum pvf_profile_policy pol, bool verbose,
	       FILE *out, struct pvf_result *r);

/* the targets' own checks (check_*.c) */
void pvf_check_ins(const struct pv_ctx *ctx, struct pvf_in *in, bool verbose, FILE *out, struct pvf_result *r);
void pvf_check_diff(const struct pv_ctx *ctx, struct pvf_in *in, bool verbose, FILE *out, struct pvf_result *r);
void pvf_check_image(const struct pv_ctx *ctx, struct pvf_in *in, bool verbose, FILE *out, struct pvf_result *r);
void pvf_check_xcheck(const struct pv_ctx *ctx, struct pvf_in *in, bool verbose, FILE *out, struct pvf_result *r);
/* pvf_focus_seed() of fuzz_diff and fuzz_image, beside their input formats */
bool pvf_diff_focus_seed(uint8_t *b, size_t n);
bool pvf_image_focus_seed(uint8_t *b, size_t n);

/* The per-word checks of fuzz_check_ins and fuzz_disasm_xcheck, for
 * `pvfuzz sweep`: one word on one context. */
void pvf_check_word(const struct pv_ctx *ctx, uint32_t w, bool verbose, FILE *out, struct pvf_result *r);
void pvf_xcheck_word(const struct pv_ctx *ctx, uint32_t w, bool verbose, FILE *out, struct pvf_result *r);
/* A thread that ran these checks closes its capstone handles before ending. */
void pvf_expect_thread_done(void);
void pvf_xcheck_thread_done(void);

void pvf_fail(struct pvf_result *r, FILE *out, const struct pv_ctx *ctx, enum pvf_check_id check, int cls,
	      const char *fmt, ...) __attribute__((format(printf, 6, 7)));
/* Aborts for a failed check through the frames that name it (crash.c). */
_Noreturn void pvf_crash(const struct pvf_result *r);
/* Whether a failure counts as a crash: every one, unless PVFUZZ_KEEP_CRASH
 * names the one identity (check/class/flavor) that does. */
bool pvf_crash_wanted(const struct pvf_result *r);

/* ---- independent expectations (expect.c) ---------------------------------- */

/* The spec's answer for a single-word class: page offset and field size;
 * false for classes that are not single-word rewrites. Kept apart from the
 * engine's tables on purpose. */
bool pvf_spec_field(enum pv_class c, unsigned *offset, unsigned *size);

/* Checks, with capstone, that `now` is what the spec wants for the single-
 * word rewrite of `word` (class c); returns false with a message in buf. */
bool pvf_expect_simple(const struct pv_ctx *ctx, enum pv_class c, uint32_t word, uint32_t now, char *buf, size_t n);
/* Checks the slots of a filled template instance at `at` for site `site`. */
bool pvf_expect_instance(const struct pv_ctx *ctx, const struct pv_row *row, uint32_t word, uint64_t site, uint64_t at,
			 const uint32_t *inst, unsigned ninst, char *buf, size_t n);

/* The libFuzzer entry point of a target: abort() on a failed check, after
 * the check printed its operands and report. PVFUZZ_PROFILE picks the
 * profiles that run (default fixed). */
#define PVF_FUZZ_TARGET(T)                                                          \
	int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)                \
	{                                                                           \
		static enum pvf_profile_policy pol;                                 \
		static bool ready;                                                  \
		struct pvf_result r;                                                \
		if (!ready)                                                         \
			pol = pvf_policy_from_env(), ready = true;                  \
		pvf_check(T, data, size, pol, false, stderr, &r);                   \
		if (r.failed && pvf_crash_wanted(&r))                               \
			pvf_crash(&r);                                              \
		return 0;                                                           \
	}

#endif
