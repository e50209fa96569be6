/* Command-line helpers shared by the pvfuzz commands. Usage and input
 * errors exit with status 2 after one line naming the problem. */
#ifndef PV_CLI_H
#define PV_CLI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <getopt.h> /* required_argument, for PV_KSYM_LONGOPTS */

#include "pv.h"
#include "pvf.h"
#include "vmlinux.h"

#define EXIT_USAGE PVF_EXIT_USAGE
#define EXIT_INTERNAL PVF_EXIT_INTERNAL /* the emulator, capstone or the kernel's code could not run */

_Noreturn void cli_fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* as cli_fail, with exit status 70 */
_Noreturn void cli_fail_internal(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* A 32-bit instruction word in hex, with or without 0x. */
bool cli_parse_word(const char *s, uint32_t *out);
/* The WORD arguments of cmd into out[n], or exit 2 naming the first bad
 * one (an option given after the words is said to be one). */
void cli_words(const char *cmd, char **args, int n, uint32_t *out);
/* An unsigned number: 0x-prefixed hex or decimal. */
bool cli_parse_u64(const char *s, uint64_t *out);

/* Option values that exit with a message when bad. */
enum pv_flavor cli_flavor(const char *s);
unsigned cli_features(const char *s);
/* fixed, linux, or kernel:DIR (the kernel profile: a kernel's own patch
 * code built by scripts/kernel-mode/build.sh into DIR; it uses the linux
 * profile's table, so this returns PV_PROFILE_LINUX and remembers DIR). */
enum pv_profile cli_profile(const char *s);
/* The DIR of --profile kernel:DIR, or NULL. */
const char *cli_kernel_dir(void);
/* pv_ctx_init(), then, under --profile kernel:DIR, the kernel's code for the
 * flavor attached (opened once per flavor); exits 2 with the reason when it
 * is not built or cannot be loaded. */
void cli_ctx_init(struct pv_ctx *ctx, enum pv_flavor f, unsigned features, enum pv_profile p);
/* The --profile as given: "fixed", "linux" or "kernel:DIR" (for p from
 * cli_profile()). */
const char *cli_profile_arg(enum pv_profile p);
/* Why pv_patch_image() returned st (the kernel's reason for PV_ERR_HOOK);
 * arg_msg says what PV_ERR_ARG means to the caller. */
const char *cli_patch_error(const struct pv_ctx *ctx, int st, const char *arg_msg);
/* Ends the command on pv_patch_image()'s failure st: "pvfuzz: WHAT<reason>",
 * exit 70 when the kernel's code could not run (or memory ran out), else 2. */
_Noreturn void cli_patch_fail(const struct pv_ctx *ctx, int st, const char *what, const char *arg_msg);
uint64_t cli_address(const char *opt, const char *s);
/* A number from lo to hi (0x-hex or decimal), or exit with a message. */
uint64_t cli_number(const char *opt, const char *s, uint64_t lo, uint64_t hi);
/* Whether --help or -h is among a command's arguments: help wins even
 * where getopt would take it as the value of the option before it
 * (`diff --vmlinux --help`). */
bool cli_wants_help(int argc, char **argv);
/* The start of every command's option parsing: true when --help (or -h)
 * was asked for and usage is printed (the command returns 0), else getopt
 * is made ready (no messages of its own: cli_bad_option words them). */
bool cli_start_options(int argc, char **argv, const char *usage);
/* getopt_long's ':' (missing value) and '?' (unknown option): exit 2. */
_Noreturn void cli_bad_option(const char *cmd, int c, char **argv);

/* Seconds on the monotonic clock, for timings. */
double cli_now(void);

/* Every input file is read whole, up to this size (docs/reliability.md):
 * a larger one, or a device that never ends (/dev/zero), is refused. */
#define CLI_MAX_INPUT (256ull << 20)

/* Whole file into a malloc'd buffer; exits 2 with a message on failure
 * (missing, unreadable, a directory, larger than CLI_MAX_INPUT). */
uint8_t *cli_read_file(const char *path, size_t *len);
/* The same, returning NULL with the reason in err instead of exiting. */
uint8_t *cli_try_read_file(const char *path, size_t *len, char *err, size_t errlen);

/* ---- outputs: atomic, never over an input (docs/reliability.md) -------------
 *
 * An output is written to a temporary file beside its path and renamed into
 * place only by cli_outputs_commit(), after every output of the command is
 * written: after any error (cli_fail, or exit before the commit) none is
 * left behind, not even a temporary, and an existing file at the path is
 * untouched. */

/* Remembers path as an input: an output that is the same file (device and
 * inode) is refused. */
void cli_note_input(const char *path);
/* Refuses (exit 2) an output path that is an input, another output, or a
 * directory; opt names the option in the message. */
void cli_output_check(const char *opt, const char *path);
/* Writes buf to a temporary beside path, to be renamed by the commit;
 * exits 2 naming path and the reason when it cannot (a full disk, ...). */
void cli_output_write(const char *opt, const char *path, const void *buf, size_t len);
/* Renames every written output into place; exits 2 when one cannot be. */
void cli_outputs_commit(void);

/* A directory the command makes for its outputs: created here (exit 2 when
 * it cannot be, or when path exists and is not an empty directory of ours),
 * and removed again with what the command put in it if the command fails
 * before cli_outputs_commit(). */
void cli_output_dir(const char *opt, const char *path);
/* Removes a tree this run of the command created itself (a work folder
 * inside its own output folder), and nothing else. */
void cli_remove_own_tree(const char *path);
/* A file inside such a directory (the directory is the unit that is kept
 * or removed): written whole or the command fails. Subdirectories are made
 * as needed. */
void cli_output_dir_file(const char *opt, const char *path, const void *buf, size_t len);

/* ---- kernel symbols given by hand (diff --vmlinux, patch --vmlinux) ---- */
/* The getopt_long entries of the options that give a symbol by hand (the
 * names of pv_ksym_info()->option), with values base + enum pv_ksym. */
#define PV_KSYM_LONGOPTS(base)                                                          \
	{"stext", required_argument, 0, (base) + PV_KSYM_STEXT},                        \
	{"etext", required_argument, 0, (base) + PV_KSYM_ETEXT},                        \
	{"template-start", required_argument, 0, (base) + PV_KSYM_TEMPLATE_START},      \
	{"template-end", required_argument, 0, (base) + PV_KSYM_TEMPLATE_END},          \
	{"tmp", required_argument, 0, (base) + PV_KSYM_TMP},                            \
	{"tmp-end", required_argument, 0, (base) + PV_KSYM_TMP_END},                    \
	{"end-interrupts", required_argument, 0, (base) + PV_KSYM_END_INTERRUPTS}
/* Takes the value of a symbol option: true when c (from getopt_long) was
 * one of PV_KSYM_LONGOPTS(base); exits with a message on a bad address. */
bool cli_ksym_option(int c, int base, const char *arg, struct pv_vmlinux *k);
/* pv_vmlinux_load(), the file noted as an input (no output may replace it);
 * exits 2 with the reader's message when it cannot be read. */
void cli_vmlinux_load(const char *path, const struct pv_vmlinux_opts *o, struct pv_vmlinux *k);

#endif
