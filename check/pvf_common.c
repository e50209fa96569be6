/* The platform table, input decoding and the dispatch shared by every
 * target and by `pvfuzz repro`. */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "emu.h"
#include "ppc_insn.h"
#include "pvf.h"

static const char *const target_names[PVF_NTARGETS] = {
	[PVF_CHECK_INS] = "fuzz_check_ins",
	[PVF_DIFF] = "fuzz_diff",
	[PVF_IMAGE] = "fuzz_image",
	[PVF_DISASM_XCHECK] = "fuzz_disasm_xcheck",
};

const char *pvf_target_name(enum pvf_target t) { return (unsigned)t < PVF_NTARGETS ? target_names[t] : "invalid"; }

int pvf_target_parse(const char *name, enum pvf_target *out)
{
	for (unsigned t = 0; t < PVF_NTARGETS; t++)
		if (!strcmp(name, target_names[t]) || !strcmp(name, target_names[t] + 5)) {
			*out = (enum pvf_target)t;
			return 0;
		}
	return -1;
}

/* Entry i: flavor i % 5, features (i / 5) % 4, profile i / 20. */
const struct pvf_platform *pvf_platform(unsigned index)
{
	static struct pvf_platform table[PVF_NPLATFORMS];
	static bool ready;
	if (!ready) {
		for (unsigned i = 0; i < PVF_NPLATFORMS; i++)
			table[i] = (struct pvf_platform){(enum pv_flavor)(i % PV_NFLAVORS), (i / PV_NFLAVORS) % 4,
							 (enum pv_profile)(i / (PV_NFLAVORS * 4))};
		ready = true;
	}
	return &table[index % PVF_NPLATFORMS];
}

static const char *kernel_dir;
static struct pv_kernel *kernels[PV_NFLAVORS];

bool pvf_kernel_active(void) { return kernel_dir != NULL; }

void pvf_use_kernel(const char *dir)
{
	char err[600], first[600] = "";
	unsigned n = 0;
	kernel_dir = dir;
	char missing[128] = "";
	for (enum pv_flavor f = 0; f < PV_NFLAVORS; f++) {
		if (!kernels[f] && !(kernels[f] = pv_kernel_open(dir, f, err, sizeof err))) {
			if (pv_kernel_present(dir, f)) { /* built, but stale or damaged: never skipped silently */
				fprintf(stderr, "pvfuzz: %s\n", err);
				exit(2);
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
		fprintf(stderr, "pvfuzz: no flavor of the kernel profile is built in %s (%s)\n", dir, first);
		exit(2);
	}
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
	if (kernel_dir && p == PV_PROFILE_LINUX && kernels[f] && !cache[f][features][p].patch_hook)
		pv_kernel_attach(kernels[f], &cache[f][features][p]);
	return &cache[f][features][p];
}

int pvf_policy_parse(const char *s, enum pvf_profile_policy *out)
{
	if (!strncmp(s, "kernel:", 7) && s[7]) {
		pvf_use_kernel(s + 7);
		*out = PVF_ONLY_LINUX;
	} else if (!strcmp(s, "fixed"))
		*out = PVF_ONLY_FIXED;
	else if (!strcmp(s, "linux"))
		*out = PVF_ONLY_LINUX;
	else if (!strcmp(s, "any"))
		*out = PVF_ANY_PROFILE;
	else
		return -1;
	return 0;
}

enum pvf_profile_policy pvf_policy_from_env(void)
{
	enum pvf_profile_policy p = PVF_ONLY_FIXED;
	const char *s = getenv("PVFUZZ_PROFILE");
	if (s && pvf_policy_parse(s, &p) != 0) {
		fprintf(stderr, "pvfuzz: PVFUZZ_PROFILE='%s' is not fixed, linux, any or kernel:DIR\n", s);
		exit(2);
	}
	return p;
}

/* An environment variable's value through the engine's parser, -1 when it
 * is unset or empty; exits 2 naming the variable when the parser refuses it.
 * The callers read it once per process. */
static int env_choice(const char *var, int (*parse)(const char *, int *), const char *what)
{
	const char *s = getenv(var);
	int v;
	if (!s || !*s)
		return -1;
	if (parse(s, &v) != 0) {
		fprintf(stderr, "pvfuzz: %s='%s' is not %s\n", var, s, what);
		exit(2);
	}
	return v;
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

int pvf_focus_class(void)
{
	static int focus = -2;
	if (focus == -2)
		focus = env_choice("PVFUZZ_CLASS", parse_class, "a rewrite class");
	return focus;
}

/* The features the focused class needs on a flavor: every input asks, so
 * the answer is worked out once per flavor. */
static unsigned focus_features(enum pv_flavor f)
{
	static unsigned need[PV_NFLAVORS];
	static bool ready[PV_NFLAVORS];
	if (!ready[f]) {
		int focus = pvf_focus_class();
		for (size_t i = 0; focus >= 0 && i < pv_nrows; i++)
			if (pv_rows[i].cls == (unsigned)focus && (pv_rows[i].flavors & PV_FL(f)))
				need[f] |= pv_rows[i].gate;
		ready[f] = true;
	}
	return need[f];
}

uint64_t pvf_take(struct pvf_in *in, unsigned bytes)
{
	uint64_t v = 0;
	for (unsigned i = 0; i < bytes; i++)
		v = v << 8 | (in->pos < in->n ? in->p[in->pos++] : 0);
	return v;
}

size_t pvf_left(const struct pvf_in *in) { return in->n - in->pos; }

uint8_t pvf_header_byte(enum pvf_target t, unsigned platform) { return (uint8_t)(t << 6 | (platform & 63)); }

bool pvf_detect(const uint8_t *data, size_t size, enum pvf_target *t)
{
	if (!size)
		return false;
	*t = (enum pvf_target)(data[0] >> 6);
	return true;
}

bool pvf_header(const uint8_t *data, size_t size, enum pvf_target want, enum pvf_profile_policy pol,
		const struct pv_ctx **ctx, struct pvf_in *rest)
{
	enum pvf_target t;
	if (!pvf_detect(data, size, &t) || t != want)
		return false;
	struct pvf_platform p = *pvf_platform(data[0] & 63);
	static int forced = -2; /* PVFUZZ_FLAVOR pins the flavor (benchmarks, focused runs) */
	if (forced == -2)
		forced = env_choice("PVFUZZ_FLAVOR", parse_flavor, "a flavor");
	if (forced >= 0)
		p.flavor = (enum pv_flavor)forced;
	p.features |= focus_features(p.flavor);
	if (kernel_dir && !kernels[p.flavor])
		return false; /* kernel profile: the tree did not build for this flavor */
	if (pol != PVF_ANY_PROFILE)
		p.profile = pol == PVF_ONLY_FIXED ? PV_PROFILE_FIXED : PV_PROFILE_LINUX;
	*ctx = pvf_ctx(p.flavor, p.features, p.profile);
	*rest = (struct pvf_in){data + 1, size - 1, 0};
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
	case 0:
	case 1: { /* a rewritable encoding of this context (of the focused class) */
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
	case 2:
		return pvf_plain_word(raw);
	default:
		return raw;
	}
}

bool pvf_focus_seed(enum pvf_target t, uint8_t *b, size_t n)
{
	if (t == PVF_DIFF)
		return pvf_diff_focus_seed(b, n);
	if (t == PVF_IMAGE)
		return pvf_image_focus_seed(b, n);
	return false;
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

void pvf_check(enum pvf_target t, const uint8_t *data, size_t size, enum pvf_profile_policy pol, bool verbose,
	       FILE *out, struct pvf_result *r)
{
	const struct pv_ctx *ctx;
	struct pvf_in in;
	memset(r, 0, sizeof(*r));
	if (!pvf_header(data, size, t, pol, &ctx, &in)) {
		r->ignored = true;
		return;
	}
	if (verbose)
		fprintf(out, "target %s: flavor %s, features %s, profile %s\n", pvf_target_name(t), ctx->fi->name,
			pv_features_name(ctx->features), pv_profile_label(ctx));
	switch (t) {
	case PVF_CHECK_INS: pvf_check_ins(ctx, &in, verbose, out, r); break;
	case PVF_DIFF: pvf_check_diff(ctx, &in, verbose, out, r); break;
	case PVF_IMAGE: pvf_check_image(ctx, &in, verbose, out, r); break;
	case PVF_DISASM_XCHECK: pvf_check_xcheck(ctx, &in, verbose, out, r); break;
	default: r->ignored = true;
	}
}
