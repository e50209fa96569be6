#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sys/stat.h>
#include <unistd.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "emu.h"
#include "profile.h"

static _Noreturn void vfail(int status, const char *fmt, va_list ap)
{
	char msg[2048];
	vsnprintf(msg, sizeof msg, fmt, ap);
	/* one line, whatever the user's strings hold: control characters escaped */
	fputs("pvfuzz: ", stderr);
	for (const unsigned char *p = (const unsigned char *)msg; *p; p++)
		if (*p == '\n')
			fputs("\\n", stderr);
		else if (*p < 0x20 || *p == 0x7f)
			fprintf(stderr, "\\x%02x", *p);
		else
			fputc(*p, stderr);
	fputc('\n', stderr);
	exit(status);
}

void cli_fail(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vfail(EXIT_USAGE, fmt, ap);
}

void cli_fail_internal(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vfail(EXIT_INTERNAL, fmt, ap);
}

void cli_words(const char *cmd, char **args, int n, uint32_t *out)
{
	for (int i = 0; i < n; i++) {
		if (cli_parse_word(args[i], &out[i]))
			continue;
		if (args[i][0] == '-' && i > 0)
			cli_fail("%s: '%s' after the WORDs: options go before them (pvfuzz %s --help)", cmd, args[i], cmd);
		cli_fail("%s: '%s' is not a 32-bit hex instruction word (up to 8 hex digits, 0x optional)", cmd, args[i]);
	}
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
	char err[300];
	if (pvf_profile_parse(s, &p, &kernel_dir, err, sizeof err) != 0)
		cli_fail("%s", err);
	return p;
}

const char *cli_kernel_dir(void) { return kernel_dir; }

void cli_ctx_init(struct pv_ctx *ctx, enum pv_flavor f, unsigned features, enum pv_profile p)
{
	char err[700];
	if (pvf_profile_ctx(ctx, f, features, p, p == PV_PROFILE_LINUX ? kernel_dir : NULL, err, sizeof err) != 0)
		cli_fail("%s", err);
}

const char *cli_profile_arg(enum pv_profile p)
{
	static char buf[PATH_MAX + 16];
	if (!kernel_dir || p != PV_PROFILE_LINUX)
		return pv_profile_name(p);
	snprintf(buf, sizeof buf, "kernel:%s", kernel_dir);
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
		snprintf(buf, sizeof buf, "%s: %s", ctx->impl ? ctx->impl->kind : "profile", pv_ctx_patch_error(ctx));
		return buf;
	default: return "patching failed";
	}
}

void cli_patch_fail(const struct pv_ctx *ctx, int st, const char *what, const char *arg_msg)
{
	const char *m = cli_patch_error(ctx, st, arg_msg);
	if (st == PV_ERR_HOOK || st == PV_ERR_NOMEM) /* the kernel's code could not run, or no memory */
		cli_fail_internal("%s%s", what, m);
	cli_fail("%s%s", what, m);
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

bool cli_start_options(int argc, char **argv, const char *usage)
{
	if (cli_wants_help(argc, argv)) {
		fputs(usage, stdout);
		return true;
	}
	opterr = 0;
	optind = 1;
	return false;
}

bool cli_wants_help(int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--"))
			return false;
		if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h"))
			return true;
	}
	return false;
}

void cli_bad_option(const char *cmd, int c, char **argv)
{
	if (c == ':')
		cli_fail("%s: option '%s' needs a value", cmd, argv[optind - 1]);
	cli_fail("%s: unknown option '%s' (see pvfuzz %s --help)", cmd, argv[optind - 1], cmd);
}

uint8_t *cli_try_read_file(const char *path, size_t *len, char *err, size_t errlen)
{
	uint8_t *buf = pvf_read_file(path, CLI_MAX_INPUT, len, err, errlen);
	if (buf)
		cli_note_input(path);
	return buf;
}

uint8_t *cli_read_file(const char *path, size_t *len)
{
	char err[PATH_MAX + 128];
	uint8_t *b = cli_try_read_file(path, len, err, sizeof err);
	if (!b)
		cli_fail("%s", err);
	return b;
}

/* ---- outputs ------------------------------------------------------------------ */

#define MAX_IO 64
static struct {
	dev_t dev;
	ino_t ino;
} inputs[MAX_IO];
static unsigned ninputs;

static struct pending {
	char path[PATH_MAX], tmp[PATH_MAX + 32];
	bool written;
} outputs[MAX_IO];
static unsigned noutputs;

static struct made_dir {
	char path[PATH_MAX];
	bool created; /* we made it (else it was an empty directory) */
} dirs[4];
static unsigned ndirs;
static bool committed, cleanup_armed;

void cli_note_input(const char *path)
{
	struct stat sb;
	if (ninputs < MAX_IO && stat(path, &sb) == 0)
		inputs[ninputs].dev = sb.st_dev, inputs[ninputs++].ino = sb.st_ino;
}

static void remove_dir_files(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char p[PATH_MAX * 2];
	if (!d)
		return;
	while ((e = readdir(d))) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		snprintf(p, sizeof p, "%s/%s", dir, e->d_name);
		struct stat sb;
		if (lstat(p, &sb) == 0 && S_ISDIR(sb.st_mode)) {
			remove_dir_files(p);
			rmdir(p);
		} else {
			unlink(p);
		}
	}
	closedir(d);
}

void cli_remove_own_tree(const char *path)
{
	remove_dir_files(path);
	rmdir(path);
}

/* On every exit before the commit: what the command wrote goes again. */
static void cleanup(void)
{
	if (committed)
		return;
	for (unsigned i = 0; i < noutputs; i++)
		if (outputs[i].written)
			unlink(outputs[i].tmp);
	for (unsigned i = 0; i < ndirs; i++) {
		/* only ever a directory that was new or empty when we took it */
		remove_dir_files(dirs[i].path);
		if (dirs[i].created)
			rmdir(dirs[i].path);
	}
}

static void arm_cleanup(void)
{
	if (!cleanup_armed)
		atexit(cleanup);
	cleanup_armed = true;
}

void cli_output_check(const char *opt, const char *path)
{
	struct stat sb;
	if (!*path)
		cli_fail("%s: the file name is empty", opt);
	for (unsigned i = 0; i < noutputs; i++)
		if (!strcmp(outputs[i].path, path))
			cli_fail("%s: '%s' is already another output of this command", opt, path);
	if (stat(path, &sb) != 0)
		return; /* new */
	if (S_ISDIR(sb.st_mode))
		cli_fail("%s: '%s' is a directory", opt, path);
	for (unsigned i = 0; i < ninputs; i++)
		if (inputs[i].dev == sb.st_dev && inputs[i].ino == sb.st_ino)
			cli_fail("%s: '%s' is an input of this command: writing it would destroy the input", opt, path);
}

static void write_all(const char *opt, const char *path, int fd, const void *buf, size_t len)
{
	const uint8_t *p = buf;
	while (len) {
		ssize_t k = write(fd, p, len);
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0) {
			int e = k < 0 ? errno : ENOSPC;
			close(fd);
			cli_fail("%s: cannot write '%s': %s", opt, path, strerror(e));
		}
		p += k, len -= (size_t)k;
	}
}

void cli_output_write(const char *opt, const char *path, const void *buf, size_t len)
{
	cli_output_check(opt, path);
	if (noutputs == MAX_IO)
		cli_fail("%s: too many outputs", opt);
	arm_cleanup();
	struct pending *o = &outputs[noutputs];
	snprintf(o->path, sizeof o->path, "%s", path);
	/* beside the file, so that the rename stays on one file system */
	const char *slash = strrchr(path, '/');
	if (slash)
		snprintf(o->tmp, sizeof o->tmp, "%.*s/.%s.pvfuzz-XXXXXX", (int)(slash - path), path, slash + 1);
	else
		snprintf(o->tmp, sizeof o->tmp, ".%s.pvfuzz-XXXXXX", path);
	int fd = mkstemp(o->tmp);
	if (fd < 0)
		cli_fail("%s: cannot write '%s': %s", opt, path, strerror(errno));
	o->written = true;
	noutputs++;
	write_all(opt, path, fd, buf, len);
	if (fsync(fd) != 0 || close(fd) != 0)
		cli_fail("%s: cannot write '%s': %s", opt, path, strerror(errno));
	/* mkstemp made it 0600: give it the mode a new file would have */
	mode_t um = umask(0);
	umask(um);
	chmod(o->tmp, 0666 & ~um);
}

void cli_output_dir_file(const char *opt, const char *path, const void *buf, size_t len)
{
	char sub[PATH_MAX];
	snprintf(sub, sizeof sub, "%s", path);
	char *slash = strrchr(sub, '/');
	if (slash) {
		*slash = 0;
		if (mkdir(sub, 0777) != 0 && errno != EEXIST)
			cli_fail("%s: cannot create '%s': %s", opt, sub, strerror(errno));
	}
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0666);
	if (fd < 0)
		cli_fail("%s: cannot write '%s': %s", opt, path, strerror(errno));
	write_all(opt, path, fd, buf, len);
	if (close(fd) != 0)
		cli_fail("%s: cannot write '%s': %s", opt, path, strerror(errno));
}

void cli_outputs_commit(void)
{
	for (unsigned i = 0; i < noutputs; i++)
		if (outputs[i].written && rename(outputs[i].tmp, outputs[i].path) != 0)
			cli_fail("cannot write '%s': %s", outputs[i].path, strerror(errno));
		else
			outputs[i].written = false;
	committed = true;
}

void cli_output_dir(const char *opt, const char *path)
{
	struct stat sb;
	if (!*path)
		cli_fail("%s: the directory name is empty", opt);
	if (ndirs == sizeof dirs / sizeof dirs[0])
		cli_fail("%s: too many output directories", opt);
	arm_cleanup();
	struct made_dir *d = &dirs[ndirs];
	snprintf(d->path, sizeof d->path, "%s", path);
	if (mkdir(path, 0777) == 0) {
		d->created = true;
		ndirs++;
		return;
	}
	if (errno != EEXIST || stat(path, &sb) != 0 || !S_ISDIR(sb.st_mode))
		cli_fail("%s: cannot create the directory '%s': %s", opt, path,
			 errno == EEXIST ? "a file of that name is in the way" : strerror(errno));
	DIR *dd = opendir(path);
	struct dirent *e;
	unsigned n = 0;
	while (dd && (e = readdir(dd)))
		n += strcmp(e->d_name, ".") && strcmp(e->d_name, "..");
	if (dd)
		closedir(dd);
	if (!dd || n)
		cli_fail("%s: '%s' is not an empty directory: give a new or an empty one (nothing in it is "
			 "overwritten or deleted)", opt, path);
	d->created = false;
	ndirs++;
}

bool cli_ksym_option(int c, int base, const char *arg, struct pv_vmlinux *k)
{
	if (c < base || c >= base + PV_NKSYMS)
		return false;
	k->sym[c - base] = cli_address(pv_ksym_info((enum pv_ksym)(c - base))->option, arg);
	k->given[c - base] = true;
	return true;
}

void cli_vmlinux_load(const char *path, const struct pv_vmlinux_opts *o, struct pv_vmlinux *k)
{
	char err[PATH_MAX + 256];
	if (pv_vmlinux_load(path, o, k, err, sizeof err) != 0)
		cli_fail("%s", err);
	cli_note_input(path);
}
