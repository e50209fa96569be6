/* The environment, input decoding and encoding, and the dispatch shared
 * by every target and by `pvfuzz repro` (the registry and the platform
 * table are in targets.c). */
#include <errno.h>
#include <stdarg.h>
#include <sys/stat.h>
#include <stdlib.h>
#include <string.h>

#include "emu.h"
#include "ppc_insn.h"
#include "profile.h"
#include "pvf.h"

static const char *kernel_dir;
static struct pv_kernel *kernels[PV_NFLAVORS]; /* from the one registry (profile.c) */

bool pvf_kernel_active(void) { return kernel_dir != NULL; }

int pvf_use_kernel(const char *dir, char *errbuf, size_t errlen)
{
	char err[600], first[600] = "";
	unsigned n = 0;
	kernel_dir = dir;
	char missing[128] = "";
	for (enum pv_flavor f = 0; f < PV_NFLAVORS; f++) {
		if (!kernels[f] && !(kernels[f] = pvf_kernel(dir, f, err, sizeof err))) {
			if (pv_kernel_present(dir, f)) { /* built, but stale or damaged: never skipped silently */
				snprintf(errbuf, errlen, "%s", err);
				return -1;
			}
			if (!first[0])
				snprintf(first, sizeof first, "%s", err);
			size_t m = strlen(missing);
			snprintf(missing + m, sizeof missing - m, " %s", pv_flavor_info(f)->name);
		}
		n += kernels[f] != NULL;
	}
	if (n && missing[0])
		fprintf(stderr, "pvfuzz: kernel profile: not built in %s:%s; inputs of %s are skipped\n", dir, missing,
			n + 1 < PV_NFLAVORS ? "those flavors" : "that flavor");
	if (!n) {
		snprintf(errbuf, errlen, "no flavor of the kernel profile is built in %s (%s)", dir, first);
		return -1;
	}
	return 0;
}

const struct pv_ctx *pvf_ctx(enum pv_flavor f, unsigned features, enum pv_profile p)
{
	static struct pv_ctx cache[PV_NFLAVORS][PV_FEAT_ALL + 1][PV_NPROFILES];
	static bool ready[PV_NFLAVORS][PV_FEAT_ALL + 1][PV_NPROFILES];
	if (!ready[f][features][p]) {
		if (pv_ctx_init(&cache[f][features][p], f, features, p) != 0)
			abort(); /* the table is ours: this cannot fail */
		ready[f][features][p] = true;
	}
	if (kernel_dir && p == PV_PROFILE_LINUX && kernels[f] && !cache[f][features][p].impl)
		pv_kernel_attach(kernels[f], &cache[f][features][p]);
	return &cache[f][features][p];
}

int pvf_policy_parse(const char *s, enum pvf_profile_policy *out, char *err, size_t n)
{
	if (!strcmp(s, "any")) { /* the fuzzers' own: every profile an input names */
		*out = PVF_ANY_PROFILE;
		return 0;
	}
	enum pv_profile table;
	const char *dir;
	if (pvf_profile_parse(s, &table, &dir, err, n) != 0) {
		if (strncmp(s, "kernel:", 7))
			snprintf(err, n, "unknown profile '%s' (fixed, linux, any, kernel:DIR)", s);
		return -1;
	}
	if (dir && pvf_use_kernel(dir, err, n) != 0)
		return -1;
	*out = table == PV_PROFILE_FIXED ? PVF_ONLY_FIXED : PVF_ONLY_LINUX;
	return 0;
}

/* An environment variable's value through the engine's parser into *v (-1
 * when it is unset or empty); -1 with a message naming the variable when
 * the parser refuses it. pvf_env_init() reads each once per process. */
static int env_choice(const char *var, int (*parse)(const char *, int *), const char *what, int *v, char *err,
		      size_t n)
{
	const char *s = getenv(var);
	*v = -1;
	if (!s || !*s)
		return 0;
	if (parse(s, v) != 0) {
		snprintf(err, n, "%s='%s' is not %s", var, s, what);
		*v = -1;
		return -1;
	}
	return 0;
}

static int parse_class(const char *s, int *out)
{
	enum pv_class c;
	if (pv_class_parse(s, &c) != 0)
		return -1;
	*out = (int)c;
	return 0;
}

static int parse_flavor(const char *s, int *out)
{
	enum pv_flavor f;
	if (pv_flavor_parse(s, &f) != 0)
		return -1;
	*out = (int)f;
	return 0;
}

/* what pvf_env_init() read: nothing pinned or focused until it runs */
static int forced_flavor = -1, focus_class = -1;
static unsigned focus_need[PV_NFLAVORS]; /* the features the focused class needs on each flavor */

int pvf_focus_class(void) { return focus_class; }

int pvf_env_init(enum pvf_profile_policy *pol, char *err, size_t n)
{
	*pol = PVF_ONLY_FIXED;
	const char *s = getenv("PVFUZZ_PROFILE");
	char why[700];
	if (s && *s && pvf_policy_parse(s, pol, why, sizeof why) != 0) {
		snprintf(err, n, "PVFUZZ_PROFILE: %s", why);
		return -1;
	}
	if (env_choice("PVFUZZ_FLAVOR", parse_flavor, "a flavor", &forced_flavor, err, n) != 0 ||
	    env_choice("PVFUZZ_CLASS", parse_class, "a rewrite class", &focus_class, err, n) != 0)
		return -1;
	for (enum pv_flavor f = 0; f < PV_NFLAVORS; f++)
		focus_need[f] = focus_class >= 0 ? pv_class_gate((enum pv_class)focus_class, f) : 0;
	pvf_crash_env_init();
	return 0;
}

uint64_t pvf_take(struct pvf_in *in, unsigned bytes)
{
	uint64_t v = 0;
	for (unsigned i = 0; i < bytes; i++)
		v = v << 8 | (in->pos < in->n ? in->p[in->pos++] : 0);
	return v;
}

size_t pvf_left(const struct pvf_in *in) { return in->n - in->pos; }

void pvf_put(struct pvf_out *o, uint64_t v, unsigned bytes)
{
	if (o->n + bytes > o->cap) {
		size_t cap = o->cap ? 2 * o->cap + bytes : 256 + bytes;
		uint8_t *p = realloc(o->p, cap);
		if (!p)
			abort();
		o->p = p, o->cap = cap;
	}
	for (unsigned i = 0; i < bytes; i++)
		o->p[o->n++] = (uint8_t)(v >> (8 * (bytes - 1 - i)));
}

void pvf_put_header(struct pvf_out *o, enum pvf_target t, unsigned platform)
{
	pvf_put(o, (uint8_t)t, 1);
	pvf_put(o, platform % pvf_nplatforms, 1);
}

void pvf_put_word(struct pvf_out *o, uint8_t selector, uint32_t w)
{
	pvf_put(o, selector, 1);
	pvf_put(o, w, 4);
}

bool pvf_detect(const uint8_t *data, size_t size, enum pvf_target *t)
{
	if (size < PVF_HEADER_BYTES)
		return false;
	*t = (enum pvf_target)data[0];
	return true;
}

bool pvf_header(const uint8_t *data, size_t size, enum pvf_target want, enum pvf_profile_policy pol,
		const struct pv_ctx **ctx, struct pvf_in *rest)
{
	enum pvf_target t;
	if (!pvf_detect(data, size, &t) || t != want)
		return false;
	struct pvf_platform p = *pvf_platform(data[1]);
	if (forced_flavor >= 0)
		p.flavor = (enum pv_flavor)forced_flavor;
	p.features |= focus_need[p.flavor];
	if (kernel_dir && !kernels[p.flavor])
		return false; /* kernel profile: the tree did not build for this flavor */
	if (pol != PVF_ANY_PROFILE)
		p.profile = pol == PVF_ONLY_FIXED ? PV_PROFILE_FIXED : PV_PROFILE_LINUX;
	*ctx = pvf_ctx(p.flavor, p.features, p.profile);
	*rest = (struct pvf_in){data + PVF_HEADER_BYTES, size - PVF_HEADER_BYTES, 0};
	return true;
}

uint32_t pvf_plain_word(uint32_t r)
{
	uint32_t d = r & 31, a = (r >> 5) & 31, b = (r >> 10) & 31, imm = (r >> 15) & 0xffff;
	switch ((r >> 28) % 8) {
	case 0: return 14u << 26 | d << 21 | a << 16 | imm;                /* addi */
	case 1: return 31u << 26 | d << 21 | a << 16 | b << 11 | 266 << 1; /* add */
	case 2: return 31u << 26 | d << 21 | a << 16 | b << 11 | 444 << 1; /* or */
	case 3: return 21u << 26 | d << 21 | a << 16 | (imm & 0x7fe);      /* rlwinm */
	case 4: return 11u << 26 | (d & 28) << 21 | a << 16 | imm;         /* cmpi */
	case 5: return 32u << 26 | d << 21 | a << 16 | (imm & 0xfc);       /* lwz */
	case 6: return 36u << 26 | d << 21 | a << 16 | (imm & 0xfc);       /* stw */
	default: return 16u << 26 | (b % 32) << 21 | a << 16 | 8;          /* bc +8 */
	}
}

static uint32_t select_word(const struct pv_ctx *ctx, uint8_t sel, uint32_t raw);

uint32_t pvf_word(const struct pv_ctx *ctx, struct pvf_in *in)
{
	uint8_t sel = (uint8_t)pvf_take(in, 1);
	uint32_t raw = (uint32_t)pvf_take(in, 4);
	uint32_t w = select_word(ctx, sel, raw);
	int focus = pvf_focus_class();
	if (focus >= 0) { /* focused: no site of another class, so a failure is the class's own */
		const struct pv_row *r = pv_match(ctx, w);
		if (r && r->cls != (unsigned)focus)
			w = pvf_plain_word(raw);
	}
	return w;
}

static uint32_t select_word(const struct pv_ctx *ctx, uint8_t sel, uint32_t raw)
{
	switch (sel % 4) {
	case PVF_SEL_REWRITABLE:
	case PVF_SEL_REWRITABLE + 1: { /* a rewritable encoding of this context (of the focused class) */
		const struct pv_row *r = ctx->active[(sel >> 2) % ctx->nactive];
		int focus = pvf_focus_class();
		if (focus >= 0) {
			const struct pv_row *mine[PV_MAX_ACTIVE_ROWS];
			unsigned n = 0;
			for (unsigned i = 0; i < ctx->nactive; i++)
				if (ctx->active[i]->cls == (unsigned)focus)
					mine[n++] = ctx->active[i];
			if (n)
				r = mine[(sel >> 2) % n];
		}
		return r->match | (raw & r->carried);
	}
	case PVF_SEL_PLAIN:
		return pvf_plain_word(raw);
	case PVF_SEL_RAW:
		break;
	}
	return raw;
}

bool pvf_focus_seed(enum pvf_target t, uint8_t *b, size_t n)
{
	const struct pvf_target_info *ti = pvf_target(t);
	return ti && ti->focus_seed && ti->focus_seed(b, n);
}

void pvf_fail(struct pvf_result *r, FILE *out, const struct pv_ctx *ctx, enum pvf_check_id check, int cls,
	      const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(r->what, sizeof r->what, fmt, ap);
	va_end(ap);
	r->failed = true;
	r->check = check;
	r->cls = cls >= 0 && cls < PV_NCLASSES ? cls : -1;
	r->flavor = ctx->flavor;
	if (out)
		fprintf(out, "CHECK FAILED: %s\n", r->what);
}

void pvf_internal(struct pvf_result *r, FILE *out, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(r->what, sizeof r->what, fmt, ap);
	va_end(ap);
	r->internal = true;
	fprintf(out ? out : stderr, "pvfuzz: internal failure, no verdict: %s\n", r->what);
}

void pvf_check(enum pvf_target t, const uint8_t *data, size_t size, enum pvf_profile_policy pol, bool verbose,
	       FILE *out, struct pvf_result *r)
{
	const struct pv_ctx *ctx;
	struct pvf_in in;
	const struct pvf_target_info *ti = pvf_target(t);
	memset(r, 0, sizeof(*r));
	if (!ti || !pvf_header(data, size, t, pol, &ctx, &in)) {
		r->ignored = true;
		return;
	}
	if (verbose)
		fprintf(out, "target %s: flavor %s, features %s, profile %s\n", pvf_target_name(t), ctx->fi->name,
			pv_features_name(ctx->features), pv_profile_label(ctx));
	ti->check(ctx, &in, verbose, out, r);
}

static void too_large(const char *path, size_t max, char *err, size_t errlen)
{
	if (max >= 1u << 20)
		snprintf(err, errlen, "'%s' is larger than %llu MiB, the limit for an input file", path,
			 (unsigned long long)(max >> 20));
	else
		snprintf(err, errlen, "'%s' is larger than %zu bytes, the limit for this input", path, max);
}

uint8_t *pvf_read_file(const char *path, size_t max, size_t *len, char *err, size_t errlen)
{
	FILE *f = fopen(path, "rb");
	struct stat sb;
	if (!f) {
		snprintf(err, errlen, "cannot read '%s': %s", path, strerror(errno));
		return NULL;
	}
	if (fstat(fileno(f), &sb) == 0 && S_ISDIR(sb.st_mode)) {
		fclose(f);
		snprintf(err, errlen, "cannot read '%s': it is a directory", path);
		return NULL;
	}
	size_t cap = max < (1u << 16) ? max : 1u << 16, n = 0;
	uint8_t *buf = malloc(cap ? cap : 1);
	for (;;) {
		if (!buf) {
			fclose(f);
			snprintf(err, errlen, "out of memory reading '%s'", path);
			return NULL;
		}
		n += fread(buf + n, 1, cap - n, f);
		if (n < cap) /* the end, or an error (below) */
			break;
		if (cap == max) { /* full: one byte more is one too many */
			if (fgetc(f) != EOF) {
				free(buf);
				fclose(f);
				too_large(path, max, err, errlen);
				return NULL;
			}
			break;
		}
		cap = cap * 2 > max ? max : cap * 2;
		uint8_t *bigger = realloc(buf, cap);
		if (!bigger)
			free(buf);
		buf = bigger;
	}
	if (ferror(f)) {
		int e = errno;
		free(buf);
		fclose(f);
		snprintf(err, errlen, "cannot read '%s': %s", path, strerror(e));
		return NULL;
	}
	fclose(f);
	*len = n;
	return buf;
}
