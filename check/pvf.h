/* pvfuzz fuzz targets: the registry of targets, the platform table, input
 * decoding and encoding, and the checks behind every target. The libFuzzer
 * entry points (fuzzers/fuzz_*.c) and `pvfuzz repro` both call
 * pvf_check(), so a crash and its reproduction run the very same code.
 *
 * Every input starts with two bytes: byte 0 the target's id (targets.def;
 * an input for another target is ignored, so a crash file says which target
 * it belongs to), byte 1 a row of the platform table (targets.c, modulo its
 * length): flavor, features and profile. How the rest is read is up to the
 * target, whose check file holds the decoder and the encoder side by side.
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
#define PVF_TARGET(id, key, name, check, focus, engine, what) PVF_##key = id,
#include "targets.def"
#undef PVF_TARGET
};
#define PVF_HEADER_BYTES 2 /* target id, platform */

/* Exit statuses of the commands and the fuzz entry points, the only code
 * that exits (library code returns errors; docs/reliability.md). */
#define PVF_EXIT_USAGE 2     /* a usage error, or input that cannot be read */
#define PVF_EXIT_INTERNAL 70 /* the emulator, capstone or the kernel's code could not run: no verdict */

struct pvf_in;
struct pvf_result;
struct pvf_target_info {
	enum pvf_target id;
	const char *name;      /* fuzz_diff: binary, corpus/<name>/, fuzzers/<name>.options */
	const char *invariant; /* one line */
	void (*check)(const struct pv_ctx *ctx, struct pvf_in *in, bool verbose, FILE *out, struct pvf_result *r);
	bool (*focus_seed)(uint8_t *b, size_t n); /* NULL: no class-focused seeds */
	bool engine;                              /* checks the patch engine (mutation score) */
};
/* the registry, in targets.def's order */
extern const struct pvf_target_info pvf_targets[];
extern const unsigned pvf_ntargets;
const struct pvf_target_info *pvf_target(enum pvf_target t); /* NULL: no such id */
const char *pvf_target_name(enum pvf_target t);
/* "fuzz_diff" or "diff" */
int pvf_target_parse(const char *name, enum pvf_target *out);

/* ---- the platform table ------------------------------------------------- */

struct pvf_platform {
	const char *name; /* "book3s32/sr/fixed": flavor/features/profile */
	enum pv_flavor flavor;
	unsigned features;
	enum pv_profile profile;
};

extern const unsigned pvf_nplatforms;
/* row index % pvf_nplatforms */
const struct pvf_platform *pvf_platform(unsigned index);
/* the row of a flavor, feature set and profile (every one has a row) */
unsigned pvf_platform_index(enum pv_flavor f, unsigned features, enum pv_profile p);

/* The context of a flavor, feature set and profile, built once: setting a
 * context up costs more than matching a word. */
const struct pv_ctx *pvf_ctx(enum pv_flavor f, unsigned features, enum pv_profile p);

/* Which profiles may run: the fuzzers check the fixed profile unless told
 * otherwise (PVFUZZ_PROFILE=linux or any), so that a clean run means clean. */
enum pvf_profile_policy { PVF_ONLY_FIXED, PVF_ONLY_LINUX, PVF_ANY_PROFILE };
/* "kernel:DIR" is the linux policy with the kernel's own code patching
 * (pvf_use_kernel(DIR)). */
int pvf_policy_parse(const char *s, enum pvf_profile_policy *out, char *err, size_t n); /* -1: why in err */

/* The environment, read once per process before the first input (the
 * entry points' LLVMFuzzerInitialize, the tool's commands), never on the
 * hot path: PVFUZZ_PROFILE (the policy, returned; default fixed),
 * PVFUZZ_FLAVOR (pins every input's flavor: benchmarks, focused runs),
 * PVFUZZ_CLASS (pvf_focus_class) and PVFUZZ_KEEP_CRASH (pvf_crash_wanted).
 * Returns -1 with a message naming a variable whose value is not
 * understood (the caller exits PVF_EXIT_USAGE). Without it nothing is
 * pinned, focused or kept apart. */
int pvf_env_init(enum pvf_profile_policy *pol, char *err, size_t n);

/* The kernel profile (docs/kernel-mode.md): from now on pvf_ctx() hands out
 * linux-profile contexts whose patching runs the kernel code built into
 * dir/<flavor>/, and inputs of a flavor without such a build are skipped.
 * -1 with the reason in err when no flavor is built there, or one is built
 * but cannot be loaded (never skipped silently). One thread only. */
int pvf_use_kernel(const char *dir, char *err, size_t n);
/* Whether pvf_use_kernel() attached a kernel build: the linux profile's
 * contexts then run the kernel's code. */
bool pvf_kernel_active(void);

/* PVFUZZ_CLASS=NAME focuses the targets on one rewrite class (pvfuzz
 * validate): the selector's "rewritable encoding" picks only that class's
 * rows, a word of another class becomes a plain instruction (so a failure
 * belongs to the class), and the features the class needs are turned on.
 * -1 when unset (read by pvf_env_init). */
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

/* Decodes the two header bytes; false when the input is shorter, for
 * another target, or (kernel profile) of a flavor the tree did not build. */
bool pvf_header(const uint8_t *data, size_t size, enum pvf_target want, enum pvf_profile_policy pol,
		const struct pv_ctx **ctx, struct pvf_in *rest);
/* The target an input belongs to, from byte 0; false when the input is
 * shorter than the header. */
bool pvf_detect(const uint8_t *data, size_t size, enum pvf_target *t);

/* The selector byte in front of a word (pvf_word): what the four bytes after
 * it become. Values are taken modulo 4, so every byte is one of them. */
enum pvf_selector {
	PVF_SEL_REWRITABLE = 0, /* and 1: a rewritable encoding of the context, row (sel >> 2) % rows,
				   register fields from the word */
	PVF_SEL_PLAIN = 2,      /* a plain instruction made from the word (pvf_plain_word) */
	PVF_SEL_RAW = 3,        /* the word as it is */
};
/* fuzz_diff only: a selector whose low four bits are this makes the MSR
 * idiom of check_diff.c from the word (checked before the value modulo 4) */
#define PVF_SEL_MSR_IDIOM 0x0eu
/* A word steered by a selector byte. This is how privileged encodings reach
 * the fuzzers often. */
uint32_t pvf_word(const struct pv_ctx *ctx, struct pvf_in *in);
/* A plain instruction from 32 random bits: arithmetic, logic, compares,
 * loads and stores, short forward branches. */
uint32_t pvf_plain_word(uint32_t r);

/* The one file reader: the whole file (a regular file, at most max bytes;
 * max >= 1) in a buffer to free; NULL with one line in err naming the
 * problem (cannot open, a directory, larger than max, a read error). */
uint8_t *pvf_read_file(const char *path, size_t max, size_t *len, char *err, size_t errlen);

/* ---- input encoding: each target's encoder beside its decoder ----------- */

/* A growing buffer of input bytes (free(o.p) when done). */
struct pvf_out {
	uint8_t *p;
	size_t n, cap;
};
void pvf_put(struct pvf_out *o, uint64_t v, unsigned bytes); /* big-endian: pvf_take's inverse */
void pvf_put_header(struct pvf_out *o, enum pvf_target t, unsigned platform);
void pvf_put_word(struct pvf_out *o, uint8_t selector, uint32_t w); /* pvf_word's inverse */

/* fuzz_check_ins and fuzz_disasm_xcheck (check_ins.c): one word */
void pvf_encode_word_input(struct pvf_out *o, enum pvf_target t, unsigned platform, uint32_t w);

/* fuzz_diff (check_diff.c): up to 8 words, each an item (selector and 4
 * bytes), except that an MSR-idiom item makes up to three; the start state;
 * the interrupt mask. */
#define PVF_DIFF_MAX_WORDS 8
struct pvf_diff_input {
	unsigned platform;
	unsigned nwords; /* the words the run executes, 1..PVF_DIFF_MAX_WORDS */
	unsigned nitems; /* the items that make them */
	struct {
		uint8_t sel;
		uint32_t word;
	} item[PVF_DIFF_MAX_WORDS];
	const uint8_t *state; /* state_len bytes (pv_state_from_bytes), at most PV_STATE_BYTES */
	size_t state_len;
	bool has_irq_mask; /* without it: no interrupts inside instances */
	uint64_t irq_mask;
};
void pvf_diff_encode(struct pvf_out *o, const struct pvf_diff_input *in);

/* fuzz_image (check_image.c): the layout fields as the input carries them
 * (their meaning is in check_image.c, where they are read), then the words. */
struct pvf_image_layout {
	uint64_t base;
	uint8_t place;         /* area above/below/inside; bit 7: a first pass fills it */
	uint32_t gap;
	uint16_t area_words_m1; /* area size in words, less one */
	uint8_t fit;
	uint8_t vec;           /* bit 0 end of vectors, bit 1 straddle the reach, bits 2-3 edge */
	uint16_t vec_off;
};
/* n words (1..1024), each behind `selector` */
void pvf_image_encode(struct pvf_out *o, unsigned platform, const struct pvf_image_layout *l, const uint32_t *w,
		      size_t n, uint8_t selector);

/* fuzz_vmlinux (check_vmlinux.c): an options byte (bit 0 give the platform's
 * flavor, bit 1 no vectors rule), then the bytes of an ELF file */
void pvf_vmlinux_encode(struct pvf_out *o, unsigned platform, uint8_t options, const uint8_t *elf, size_t n);

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
	X(branch_outside_area) X(report_counts) X(bad_layout_accepted) X(refused_but_changed) X(not_idempotent) \
	X(vmlinux_refusal) X(vmlinux_promise)
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
	bool internal; /* the check could not run (what says why): neither passed nor failed;
			  the entry points exit PVF_EXIT_INTERNAL */
	char what[256];
	/* the crash's identity: which check, on which class (-1: none or not
	 * known) and flavor */
	enum pvf_check_id check;
	int cls;
	enum pv_flavor flavor;
};

void pvf_check(enum pvf_target t, const uint8_t *data, size_t size, enum pvf_profile_policy pol, bool verbose,
	       FILE *out, struct pvf_result *r);

/* the targets' own checks (check_*.c), reached through pvf_targets[] */
void pvf_check_ins(const struct pv_ctx *ctx, struct pvf_in *in, bool verbose, FILE *out, struct pvf_result *r);
void pvf_check_diff(const struct pv_ctx *ctx, struct pvf_in *in, bool verbose, FILE *out, struct pvf_result *r);
void pvf_check_image(const struct pv_ctx *ctx, struct pvf_in *in, bool verbose, FILE *out, struct pvf_result *r);
void pvf_check_xcheck(const struct pv_ctx *ctx, struct pvf_in *in, bool verbose, FILE *out, struct pvf_result *r);
void pvf_check_vmlinux(const struct pv_ctx *ctx, struct pvf_in *in, bool verbose, FILE *out, struct pvf_result *r);
/* pvf_focus_seed() of fuzz_diff and fuzz_image, beside their input formats */
bool pvf_diff_focus_seed(uint8_t *b, size_t n);
bool pvf_image_focus_seed(uint8_t *b, size_t n);

/* The per-word checks of fuzz_check_ins and fuzz_disasm_xcheck, for
 * `pvfuzz sweep`: one word on one context. */
void pvf_check_word(const struct pv_ctx *ctx, uint32_t w, bool verbose, FILE *out, struct pvf_result *r);
void pvf_xcheck_word(const struct pv_ctx *ctx, uint32_t w, bool verbose, FILE *out, struct pvf_result *r);

void pvf_fail(struct pvf_result *r, FILE *out, const struct pv_ctx *ctx, enum pvf_check_id check, int cls,
	      const char *fmt, ...) __attribute__((format(printf, 6, 7)));
/* An internal failure (r->internal, the message in r->what and on out). */
void pvf_internal(struct pvf_result *r, FILE *out, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* Aborts for a failed check through the frames that name it (crash.c). */
_Noreturn void pvf_crash(const struct pvf_result *r);
/* Whether a failure counts as a crash: every one, unless PVFUZZ_KEEP_CRASH
 * names the one identity (check/class/flavor) that does. */
bool pvf_crash_wanted(const struct pvf_result *r);
void pvf_crash_env_init(void); /* reads PVFUZZ_KEEP_CRASH (pvf_env_init) */

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

/* The libFuzzer entry points of a target: the environment is read once
 * (pvf_env_init), then every input is checked; abort() on a failed check,
 * after the check printed its operands and report. */
#define PVF_FUZZ_TARGET(T)                                                          \
	static enum pvf_profile_policy pvf_entry_policy;                            \
	int LLVMFuzzerInitialize(int *argc, char ***argv)                           \
	{                                                                           \
		char err[800];                                                      \
		(void)argc, (void)argv;                                             \
		if (pvf_env_init(&pvf_entry_policy, err, sizeof err) != 0) {        \
			fprintf(stderr, "pvfuzz: %s\n", err);                       \
			exit(PVF_EXIT_USAGE);                                       \
		}                                                                   \
		return 0;                                                           \
	}                                                                           \
	int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)                \
	{                                                                           \
		struct pvf_result r;                                                \
		pvf_check(T, data, size, pvf_entry_policy, false, stderr, &r);      \
		if (r.internal)                                                     \
			exit(PVF_EXIT_INTERNAL); /* pvf_internal printed why */      \
		if (r.failed && pvf_crash_wanted(&r))                               \
			pvf_crash(&r);                                              \
		return 0;                                                           \
	}

#endif
