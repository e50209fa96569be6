#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "emu.h"

void cli_fail(const char *fmt, ...)
{
	va_list ap;
	fputs("pvfuzz: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(EXIT_USAGE);
}

static bool parse_digits(const char *s, int base, unsigned maxdigits, uint64_t *out)
{
	size_t n = strlen(s);
	if (n == 0 || n > maxdigits)
		return false;
	for (size_t i = 0; i < n; i++)
		if (base == 16 ? !isxdigit((unsigned char)s[i]) : !isdigit((unsigned char)s[i]))
			return false;
	errno = 0;
	unsigned long long v = strtoull(s, NULL, base);
	if (errno)
		return false;
	*out = v;
	return true;
}

bool cli_parse_word(const char *s, uint32_t *out)
{
	uint64_t v;
	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
		s += 2;
	if (!parse_digits(s, 16, 8, &v))
		return false;
	*out = (uint32_t)v;
	return true;
}

bool cli_parse_u64(const char *s, uint64_t *out)
{
	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
		return parse_digits(s + 2, 16, 16, out);
	return parse_digits(s, 10, 20, out);
}

enum pv_flavor cli_flavor(const char *s)
{
	enum pv_flavor f;
	if (pv_flavor_parse(s, &f) != 0)
		cli_fail("unknown flavor '%s' (book3s32, booke32, book3s64, booke64, book3s64le)", s);
	return f;
}

unsigned cli_features(const char *s)
{
	unsigned f;
	if (pv_features_parse(s, &f) != 0)
		cli_fail("unknown feature set '%s' (none, sr, mas, sr,mas)", s);
	return f;
}

static const char *kernel_dir;

enum pv_profile cli_profile(const char *s)
{
	enum pv_profile p;
	if (!strncmp(s, "kernel:", 7)) {
		if (!s[7])
			cli_fail("--profile kernel:DIR needs the directory scripts/kernel-mode/build.sh printed");
		kernel_dir = s + 7;
		return PV_PROFILE_LINUX;
	}
	kernel_dir = NULL;
	if (pv_profile_parse(s, &p) != 0)
		cli_fail("unknown profile '%s' (fixed, linux, kernel:DIR)", s);
	return p;
}

const char *cli_kernel_dir(void) { return kernel_dir; }

void cli_ctx_init(struct pv_ctx *ctx, enum pv_flavor f, unsigned features, enum pv_profile p)
{
	static struct pv_kernel *kernels[PV_NFLAVORS];
	if (pv_ctx_init(ctx, f, features, p) != 0)
		cli_fail("internal error: the rewrite table does not fit the matcher");
	if (!kernel_dir || p != PV_PROFILE_LINUX)
		return;
	if (!kernels[f]) {
		char err[600];
		if (!(kernels[f] = pv_kernel_open(kernel_dir, f, err, sizeof err)))
			cli_fail("%s", err);
	}
	pv_kernel_attach(kernels[f], ctx);
}

const char *cli_profile_label(const struct pv_ctx *ctx)
{
	static char buf[700];
	if (!ctx->patch_hook)
		return pv_profile_name(ctx->profile);
	snprintf(buf, sizeof buf, "kernel:%s (Linux %s)", kernel_dir ? kernel_dir : "?",
		 pv_kernel_release(ctx->patch_hook_arg));
	return buf;
}

const char *cli_patch_error(const struct pv_ctx *ctx, int st, const char *arg_msg)
{
	static char buf[700];
	switch (st) {
	case PV_ERR_ARG: return arg_msg;
	case PV_ERR_NOMEM: return "out of memory while patching";
	case PV_ERR_HOOK:
	case PV_ERR_UNSUPPORTED:
		snprintf(buf, sizeof buf, "kernel profile: %s", pv_kernel_error(ctx->patch_hook_arg));
		return buf;
	default: return "patching failed";
	}
}

uint64_t cli_address(const char *opt, const char *s)
{
	uint64_t v;
	if (!cli_parse_u64(s, &v))
		cli_fail("%s: '%s' is not an address (hex with 0x, or decimal)", opt, s);
	if (v & 3)
		cli_fail("%s: address 0x%llx is not word aligned", opt, (unsigned long long)v);
	return v;
}

double cli_now(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

uint64_t cli_number(const char *opt, const char *s, uint64_t lo, uint64_t hi)
{
	uint64_t v;
	if (!cli_parse_u64(s, &v) || v < lo || v > hi)
		cli_fail("%s: '%s' must be a number from %llu to %llu", opt, s, (unsigned long long)lo,
			 (unsigned long long)hi);
	return v;
}

void cli_bad_option(const char *cmd, int c, char **argv)
{
	if (c == ':')
		cli_fail("%s: option '%s' needs a value", cmd, argv[optind - 1]);
	cli_fail("%s: unknown option '%s' (see pvfuzz %s --help)", cmd, argv[optind - 1], cmd);
}

uint8_t *cli_read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		cli_fail("cannot read '%s': %s", path, strerror(errno));
	size_t cap = 1 << 16, n = 0;
	uint8_t *buf = malloc(cap);
	for (;;) {
		if (!buf)
			cli_fail("out of memory reading '%s'", path);
		n += fread(buf + n, 1, cap - n, f);
		if (n < cap)
			break;
		cap *= 2;
		uint8_t *bigger = realloc(buf, cap);
		if (!bigger)
			free(buf);
		buf = bigger;
	}
	if (ferror(f)) {
		int err = errno;
		free(buf);
		fclose(f);
		cli_fail("cannot read '%s': %s", path, strerror(err));
	}
	fclose(f);
	*len = n;
	return buf;
}

bool cli_try_write_file(const char *path, const uint8_t *buf, size_t len)
{
	FILE *f = fopen(path, "wb");
	if (!f)
		return false;
	bool ok = fwrite(buf, 1, len, f) == len;
	int saved = errno;
	if (fclose(f) != 0)
		return false;
	errno = saved;
	return ok;
}

void cli_json_escape(const char *s, char *out, size_t n)
{
	size_t q = 0;
	for (; *s && q + 7 < n; s++) {
		unsigned char c = (unsigned char)*s;
		if (c == '"' || c == '\\')
			q += (size_t)snprintf(out + q, n - q, "\\%c", c);
		else if (c < 0x20)
			q += (size_t)snprintf(out + q, n - q, "\\u%04x", c);
		else
			out[q++] = (char)c;
	}
	if (n)
		out[q < n ? q : n - 1] = 0;
}
