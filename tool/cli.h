/* Command-line helpers shared by the pvfuzz commands. Usage and input
 * errors exit with status 2 after one line naming the problem. */
#ifndef PV_CLI_H
#define PV_CLI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "pv.h"

#define EXIT_USAGE 2

_Noreturn void cli_fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* A 32-bit instruction word in hex, with or without 0x. */
bool cli_parse_word(const char *s, uint32_t *out);
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
/* "linux", "fixed" or "kernel:DIR (6.1.192)" for a context from cli_ctx_init. */
const char *cli_profile_label(const struct pv_ctx *ctx);
/* Why pv_patch_image() returned st (the kernel's reason for PV_ERR_HOOK);
 * arg_msg says what PV_ERR_ARG means to the caller. */
const char *cli_patch_error(const struct pv_ctx *ctx, int st, const char *arg_msg);
uint64_t cli_address(const char *opt, const char *s);
/* A number from lo to hi (0x-hex or decimal), or exit with a message. */
uint64_t cli_number(const char *opt, const char *s, uint64_t lo, uint64_t hi);
/* getopt_long's ':' (missing value) and '?' (unknown option): exit 2. */
_Noreturn void cli_bad_option(const char *cmd, int c, char **argv);

/* s as the inside of a JSON string (quotes, backslashes and control
 * characters escaped), cut short to fit out[n]. */
void cli_json_escape(const char *s, char *out, size_t n);

/* Seconds on the monotonic clock, for timings. */
double cli_now(void);

/* Whole file into a malloc'd buffer; exits with a message on failure. */
uint8_t *cli_read_file(const char *path, size_t *len);
/* false with errno set when the file cannot be written */
bool cli_try_write_file(const char *path, const uint8_t *buf, size_t len);

#endif
