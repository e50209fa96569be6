/* pvfuzz patch engine: public interface.
 *
 * The engine rewrites PowerPC privileged instructions the way a KVM guest
 * kernel does at boot (../shared/spec/pv-patching.md). It is plain C with no
 * dependency beyond libc, so it can sweep all 2^32 words quickly and be read
 * side by side with the kernel. Flavor, feature bits and profile are run-time
 * parameters of a context; everything else is data in the tables of
 * flavors.c, magic_page.c and rewrite_table.c.
 */
#ifndef PV_H
#define PV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* ---- flavors (flavors.c) ------------------------------------------------ */

enum pv_flavor {
	PV_BOOK3S32,
	PV_BOOKE32,
	PV_BOOK3S64,
	PV_BOOKE64,
	PV_BOOK3S64LE,
	PV_NFLAVORS
};
#define PV_FL(f) (1u << (f))

struct pv_flavor_info {
	const char *name;
	bool is64;          /* 64-bit guest: ld/std for 64-bit page fields */
	bool booke;         /* BookE MMU and SPR numbering */
	bool little_endian; /* byte order of the text image and the page */
};

const struct pv_flavor_info *pv_flavor_info(enum pv_flavor f);
/* Returns 0 and sets *out, or -1 for an unknown name. */
int pv_flavor_parse(const char *name, enum pv_flavor *out);

/* ---- features and profiles ---------------------------------------------- */

/* Bits the hypervisor reports when it maps the magic page (spec section 2). */
#define PV_FEAT_SR            (1u << 0) /* segment registers in the page */
#define PV_FEAT_MAS0_TO_SPRG7 (1u << 1) /* MAS, SPRG4-7, ESR, PIR in the page */
#define PV_FEAT_ALL           (PV_FEAT_SR | PV_FEAT_MAS0_TO_SPRG7)

/* Accepts "none", "sr", "mas", "sr,mas" / "mas,sr" / "all". */
int pv_features_parse(const char *s, unsigned *out);
const char *pv_features_name(unsigned features); /* inverse, canonical */

enum pv_profile {
	PV_PROFILE_FIXED, /* default: every spec section 8 hazard corrected */
	PV_PROFILE_LINUX, /* the upstream kernel's choices, hazards included */
	PV_NPROFILES
};
#define PV_PR(p) (1u << (p))
int pv_profile_parse(const char *s, enum pv_profile *out);
const char *pv_profile_name(enum pv_profile p);

/* ---- magic page (magic_page.c) ------------------------------------------ */

enum pv_field {
	PV_F_SCRATCH1, PV_F_SCRATCH2, PV_F_SCRATCH3, PV_F_CRITICAL,
	PV_F_SPRG0, PV_F_SPRG1, PV_F_SPRG2, PV_F_SPRG3,
	PV_F_SRR0, PV_F_SRR1, PV_F_DAR, PV_F_MSR,
	PV_F_DSISR, PV_F_INT_PENDING, PV_F_SR,
	PV_F_MAS0, PV_F_MAS1, PV_F_MAS7_3, PV_F_MAS2, PV_F_MAS4, PV_F_MAS6,
	PV_F_ESR, PV_F_PIR,
	PV_F_SPRG4, PV_F_SPRG5, PV_F_SPRG6, PV_F_SPRG7,
	PV_F_MAS3, /* low word of mas7_3 */
	PV_F_MAS7, /* high word of mas7_3 */
	PV_NFIELDS
};

struct pv_field_info {
	const char *name;
	uint16_t offset; /* bytes from the start of the page */
	uint16_t size;   /* 4 or 8 (sr: 64, sixteen 4-byte words) */
};

#define PV_MAGIC_PAGE_SIZE 4096
#define PV_MAGIC_PAGE_EA (-4096) /* sign-extended: 0xfffff000 / 0xff..f000 */

const struct pv_field_info *pv_field_info(enum pv_field f);
/* The displacement (from base 0) and width at which `flavor` accesses a
 * field: 64-bit fields on 32-bit guests through their low word at +4. */
int pv_field_disp(enum pv_flavor flavor, enum pv_field f, unsigned *width);
/* lwz/ld (store=false) or stw/std (store=true) of field f with register r */
uint32_t pv_field_access(enum pv_flavor flavor, enum pv_field f, unsigned r, bool store);

/* ---- rewrite classes and the table (rewrite_table.c) -------------------- */

#define PV_CLASS_LIST(X)                                                        \
	X(MFMSR, "mfmsr") X(MTMSRD_L1, "mtmsrd_l1") X(MTMSR, "mtmsr")           \
	X(MTMSRD_L0, "mtmsrd_l0") X(TLBSYNC, "tlbsync") X(MTSRIN, "mtsrin")     \
	X(MFSRIN, "mfsrin")                                                     \
	X(WRTEE, "wrtee") X(WRTEEI_1, "wrteei_1") X(WRTEEI_0, "wrteei_0")       \
	X(MFSPR_SPRG0, "mfspr_sprg0") X(MTSPR_SPRG0, "mtspr_sprg0")             \
	X(MFSPR_SPRG1, "mfspr_sprg1") X(MTSPR_SPRG1, "mtspr_sprg1")             \
	X(MFSPR_SPRG2, "mfspr_sprg2") X(MTSPR_SPRG2, "mtspr_sprg2")             \
	X(MFSPR_SPRG3, "mfspr_sprg3") X(MTSPR_SPRG3, "mtspr_sprg3")             \
	X(MFSPR_SRR0, "mfspr_srr0") X(MTSPR_SRR0, "mtspr_srr0")                 \
	X(MFSPR_SRR1, "mfspr_srr1") X(MTSPR_SRR1, "mtspr_srr1")                 \
	X(MFSPR_DSISR, "mfspr_dsisr") X(MTSPR_DSISR, "mtspr_dsisr")             \
	X(MFSPR_DAR, "mfspr_dar") X(MTSPR_DAR, "mtspr_dar")                     \
	X(MFSPR_DEAR, "mfspr_dear") X(MTSPR_DEAR, "mtspr_dear")                 \
	X(MFSPR_SPRG4, "mfspr_sprg4") X(MTSPR_SPRG4, "mtspr_sprg4")             \
	X(MFSPR_SPRG5, "mfspr_sprg5") X(MTSPR_SPRG5, "mtspr_sprg5")             \
	X(MFSPR_SPRG6, "mfspr_sprg6") X(MTSPR_SPRG6, "mtspr_sprg6")             \
	X(MFSPR_SPRG7, "mfspr_sprg7") X(MTSPR_SPRG7, "mtspr_sprg7")             \
	X(MFSPR_SPRG4R, "mfspr_sprg4r") X(MFSPR_SPRG5R, "mfspr_sprg5r")         \
	X(MFSPR_SPRG6R, "mfspr_sprg6r") X(MFSPR_SPRG7R, "mfspr_sprg7r")         \
	X(MFSPR_PIR, "mfspr_pir")                                               \
	X(MFSPR_ESR, "mfspr_esr") X(MTSPR_ESR, "mtspr_esr")                     \
	X(MFSPR_MAS0, "mfspr_mas0") X(MTSPR_MAS0, "mtspr_mas0")                 \
	X(MFSPR_MAS1, "mfspr_mas1") X(MTSPR_MAS1, "mtspr_mas1")                 \
	X(MFSPR_MAS2, "mfspr_mas2") X(MTSPR_MAS2, "mtspr_mas2")                 \
	X(MFSPR_MAS3, "mfspr_mas3") X(MTSPR_MAS3, "mtspr_mas3")                 \
	X(MFSPR_MAS4, "mfspr_mas4") X(MTSPR_MAS4, "mtspr_mas4")                 \
	X(MFSPR_MAS6, "mfspr_mas6") X(MTSPR_MAS6, "mtspr_mas6")                 \
	X(MFSPR_MAS7, "mfspr_mas7") X(MTSPR_MAS7, "mtspr_mas7")

enum pv_class {
#define PV_X_ENUM(id, name) PV_C_##id,
	PV_CLASS_LIST(PV_X_ENUM)
#undef PV_X_ENUM
	PV_NCLASSES
};
const char *pv_class_name(enum pv_class c);
int pv_class_parse(const char *name, enum pv_class *out);

enum pv_kind {
	PV_K_LOAD,     /* becomes lwz/ld rT from a page field */
	PV_K_STORE,    /* becomes stw/std rS to a page field */
	PV_K_NOP,      /* becomes nop */
	PV_K_TEMPLATE, /* becomes b to a filled template instance */
};

enum pv_tmpl {
	PV_T_MTMSRD_L1, /* mtmsrd rS,1 */
	PV_T_MTMSR,     /* mtmsr rS and mtmsrd rS,0 */
	PV_T_WRTEE,     /* wrtee rS and wrteei 1 */
	PV_T_WRTEEI_0,  /* wrteei 0 */
	PV_T_MTSRIN,    /* mtsrin rS,rB */
	PV_T_MFSRIN,    /* mfsrin rT,rB (fixed profile only) */
	PV_NTMPL
};

/* One row of the rewrite table: which words match, on which flavors, under
 * which feature, and what they become. */
struct pv_row {
	uint8_t cls;      /* enum pv_class */
	uint32_t match;   /* the encoding with the carried register fields zero */
	uint32_t carried; /* register fields a match ignores and a rewrite keeps */
	uint8_t flavors;  /* PV_FL() bits */
	uint8_t gate;     /* PV_FEAT_* needed, 0 for none */
	uint8_t kind;     /* enum pv_kind */
	uint8_t target;   /* enum pv_field (LOAD/STORE) or enum pv_tmpl */
	uint8_t ee_imm;   /* template register slot takes "EE set" (wrteei 1) */
	uint8_t profiles; /* PV_PR() bits where the row applies, 0 for every profile */
	/* rT = r1 is left alone: a template that writes its result into r1
	 * would leave its own critical section (critical == r1, spec section 6)
	 * before its restores, where an interrupt clobbers the scratch fields
	 * they read (found by the oracle's interrupts inside instances) */
	uint8_t no_rt1;
};

extern const struct pv_row pv_rows[];
extern const size_t pv_nrows;

/* ---- context and matcher (matcher.c) ------------------------------------ */

#define PV_MAX_ACTIVE_ROWS 64

struct pv_ctx;
struct pv_image;
struct pv_area;
struct pv_patch_opts;
struct pv_report;

/* A profile that patches with code of its own instead of the engine's: the
 * kernel profile (emulator/kernel.c) runs a kernel tree's patch code in the
 * emulator. The context holds it (pv_ctx.impl, .impl_self); the engine
 * calls patch() after checking the arguments and knows nothing of what is
 * behind, and everyone else asks these functions, never which profile it is. */
struct pv_profile_impl {
	const char *kind; /* "kernel": what its messages begin with */
	/* pv_patch_image() by other means; returns an enum pv_status */
	int (*patch)(void *self, const struct pv_ctx *ctx, struct pv_image *img, struct pv_area *area,
		     const struct pv_patch_opts *opts, struct pv_report *rep);
	/* how the profile is named in every output: "kernel:DIR (Linux 6.1.192)" */
	const char *(*label)(const void *self);
	/* why the last patch() returned PV_ERR_HOOK or PV_ERR_UNSUPPORTED */
	const char *(*last_error)(const void *self);
	/* whether it honours pv_patch_opts.vectors_end */
	bool (*vectors_rule)(const void *self);
};

struct pv_ctx {
	enum pv_flavor flavor;
	unsigned features;
	enum pv_profile profile;
	const struct pv_flavor_info *fi;
	/* rows active for this flavor and feature set, grouped by X-form XO */
	const struct pv_row *active[PV_MAX_ACTIVE_ROWS];
	uint8_t nactive;
	uint8_t xo_first[1024], xo_count[1024];
	/* set after pv_ctx_init() by a profile that patches with code of its
	 * own (struct pv_profile_impl); NULL: the engine patches */
	const struct pv_profile_impl *impl;
	void *impl_self;
	/* that implementation's own templates (PV_NTMPL of them; nwords 0
	 * where it has none), for pv_tmpl_layout(); NULL: the profile's */
	const struct pv_tmpl_layout *layouts;
};

/* What the context's profile says of itself, whoever patches: its label
 * ("fixed", "linux", or the implementation's, e.g. "kernel:DIR (Linux
 * 6.1.192)"); whether it honours pv_patch_opts.vectors_end (the engine
 * always does); why its last patch failed with PV_ERR_HOOK or
 * PV_ERR_UNSUPPORTED ("" for the engine). */
const char *pv_profile_label(const struct pv_ctx *ctx);
bool pv_ctx_vectors_rule(const struct pv_ctx *ctx);
const char *pv_ctx_patch_error(const struct pv_ctx *ctx);

/* Returns 0, or -1 when an argument is out of range. */
int pv_ctx_init(struct pv_ctx *ctx, enum pv_flavor f, unsigned features, enum pv_profile p);

/* Row r's encoding with the register fields it carries set: rt in bits
 * 6-10 (RT/RS) and rb in bits 16-20 (RB), each only when the row carries
 * that field (else the value is not used). pv_row_regs() says how many
 * values a field takes: 32 where carried, else 1 (only 0). */
uint32_t pv_row_word(const struct pv_row *r, unsigned rt, unsigned rb);
void pv_row_regs(const struct pv_row *r, unsigned *nrt, unsigned *nrb);

/* Questions about a class, answered from the table: the flavors (PV_FL
 * bits) where one of its rows applies under profile p, and the features
 * (PV_FEAT_* bits) its rows need on flavor f (every flavor: PV_NFLAVORS). */
unsigned pv_class_flavors(enum pv_class c, enum pv_profile p);
unsigned pv_class_gate(enum pv_class c, enum pv_flavor f);

/* The row a word matches under ctx, or NULL: the word is left unchanged. */
const struct pv_row *pv_match(const struct pv_ctx *ctx, uint32_t word);

/* The single replacement word of a LOAD, STORE or NOP row. */
uint32_t pv_rewrite_simple(const struct pv_ctx *ctx, const struct pv_row *row, uint32_t word);

/* ---- branches (branch.c) ------------------------------------------------- */

/* Signed distance to - from, computed in the flavor's address width. */
int64_t pv_branch_distance(bool is64, uint64_t from, uint64_t to);
/* Encodes `b to` placed at `from`; false when out of reach or unaligned. */
bool pv_branch_encode(bool is64, uint64_t from, uint64_t to, uint32_t *out);
/* Upstream's `b to` at `from` (kvm.c: `addr & KVM_INST_B_MASK`): the
 * displacement masked into the field, unchecked, so out of reach it wraps. */
uint32_t pv_branch_masked(uint64_t from, uint64_t to);
/* The target of `b` (AA=0, LK=0) at `from`; false when the word is no such b. */
bool pv_branch_decode(bool is64, uint64_t from, uint32_t word, uint64_t *to);
/* The target of any relative branch at `from`: b/bl (primary opcode 18) or
 * bc/bcl (16), AA=0; false for other words (absolute branches, branches to
 * LR or CTR). For cutting straight-line blocks out of real text. */
bool pv_branch_target(bool is64, uint64_t from, uint32_t word, uint64_t *to);

/* ---- templates (templates.c, templates.S) -------------------------------- */

#define PV_TMPL_MAX_WORDS 48

/* Word offsets of the slots of one template, -1 where it has none. */
struct pv_tmpl_layout {
	const char *name;
	const uint32_t *words; /* the assembled template, placeholders in slots */
	unsigned nwords;
	int reg;     /* register slot: source register into r30 */
	int reg2;    /* a second one filled alike (the linux profile's mtmsr) */
	int orig;    /* the original instruction */
	int branch;  /* b back to the site's successor */
	int rb_load, rb_use, rs_load, rs_use; /* mtsrin; mfsrin has rb_load, rb_use */
	int rt_set;  /* mfsrin: the value (in r30) to rT or to rT's saved copy */
};

const struct pv_tmpl_layout *pv_tmpl_layout(const struct pv_ctx *ctx, enum pv_tmpl t);

/* Fills an instance of the row's template for `word` at address `at`,
 * returning to `site + 4`. Returns the number of words written to out
 * (at most PV_TMPL_MAX_WORDS), or 0 when the return branch is out of reach;
 * the linux profile, like upstream, masks an out-of-reach displacement. */
unsigned pv_tmpl_fill(const struct pv_ctx *ctx, const struct pv_row *row, uint32_t word,
		      uint64_t site, uint64_t at, uint32_t *out);

/* ---- address ranges (range.c) -------------------------------------------- */

/* [addr, addr + len) in a flavor's address space (2^32 or 2^64 bytes): it
 * may end exactly at the top, never wrap through 0. One rule for every
 * flavor, and no `addr + len` that overflows anywhere. */
bool pv_range_fits(bool is64, uint64_t addr, uint64_t len);
/* [b, b + blen) inside [a, a + alen); both ranges fit. */
bool pv_range_within(uint64_t a, uint64_t alen, uint64_t b, uint64_t blen);
/* Whether two ranges that fit share a byte (empty ones share none). */
bool pv_ranges_overlap(uint64_t a, uint64_t alen, uint64_t b, uint64_t blen);

/* ---- template area (tmpl_area.c) ---------------------------------------- */

/* A bounded area for template instances. `mem` holds `size` bytes in guest
 * byte order; it may point into the text image being patched. `used` lives
 * across patch runs so that patching twice equals patching once. */
struct pv_area {
	uint64_t addr;
	uint8_t *mem;
	size_t size;
	size_t used;
};

void pv_area_init(struct pv_area *a, uint64_t addr, uint8_t *mem, size_t size);
/* Reserves nwords words; returns their address in *at, or false when full. */
bool pv_area_alloc(struct pv_area *a, unsigned nwords, uint64_t *at);
/* Whether every branch between a site and any place in the area, both ways,
 * is in reach. See docs/engine.md for why the whole area is checked. */
bool pv_area_reachable(const struct pv_area *a, bool is64, uint64_t site);

/* ---- patch loop (patch_loop.c) ------------------------------------------ */

enum pv_skip_reason {
	PV_SKIP_AREA_FULL,     /* the template area has no room */
	PV_SKIP_OUT_OF_RANGE,  /* a branch to or from the area would not reach */
	PV_SKIP_BELOW_VECTORS, /* branch patching below end-of-vectors */
	PV_SKIP_NO_HANDLER,    /* a patch hook left a word it could have patched
				* (the kernel profile: a tree without that handler) */
	PV_NSKIP
};
const char *pv_skip_reason_name(enum pv_skip_reason r);

struct pv_range {
	uint64_t addr;
	uint64_t len;
};

struct pv_skip {
	uint64_t addr;
	uint8_t cls;
	uint8_t reason;
};

struct pv_report {
	uint64_t words;                 /* words examined */
	uint32_t patched[PV_NCLASSES];
	uint32_t skipped[PV_NCLASSES];
	uint32_t by_reason[PV_NSKIP];
	uint64_t max_branch;            /* largest |site -> instance| distance */
	struct pv_skip *skips;
	size_t nskips, cap_skips;
	struct pv_range *flush;         /* where icache flushes would go */
	size_t nflush, cap_flush;
	/* a patch hook's rewrites of words the profile's table does not match
	 * (the kernel profile on a tree with a handler of its own): how many,
	 * and the first one's address; the oracle judges them */
	uint32_t foreign;
	uint64_t first_foreign;
};

struct pv_image {
	uint8_t *bytes; /* guest byte order */
	size_t len;     /* a multiple of 4 */
	uint64_t base;
};

struct pv_patch_opts {
	bool has_vectors_end;
	uint64_t vectors_end;        /* no branch patching below this address */
	const struct pv_range *skip; /* more ranges left alone (template sources) */
	size_t nskip;
};

enum pv_status {
	PV_OK = 0,
	PV_ERR_ARG,     /* misaligned image, area overlapping the image badly */
	PV_ERR_NOMEM,
	PV_ERR_HOOK,    /* the patch hook failed; its owner has the message */
	PV_ERR_UNSUPPORTED, /* the patch hook cannot run this layout (the kernel
			     * profile: text or area over its own memory or the magic page) */
};

/* Patches img in place, writes instances into area and adds to rep (zero
 * it first; pv_report_free() releases it). */
enum pv_status pv_patch_image(const struct pv_ctx *ctx, struct pv_image *img, struct pv_area *area,
			      const struct pv_patch_opts *opts, struct pv_report *rep);
void pv_report_free(struct pv_report *rep);
/* For profile implementations (pv_profile_impl.patch): a site left unpatched; a range where an
 * icache flush goes (merged with the last one when adjacent). */
bool pv_report_add_skip(struct pv_report *rep, uint64_t addr, enum pv_class c, enum pv_skip_reason r);
bool pv_report_add_flush(struct pv_report *rep, uint64_t addr, uint64_t len);
/* A site branch-patched at distance d: keeps the largest |d|. */
void pv_report_note_branch(struct pv_report *rep, int64_t d);
/* Whether the patch loop leaves the word at addr alone: inside the area
 * (when one is given) or in one of opts' skip ranges. */
bool pv_patch_leaves(const struct pv_patch_opts *opts, const struct pv_area *area, uint64_t addr);

/* Word access in the flavor's byte order. */
uint32_t pv_get_word(const struct pv_ctx *ctx, const uint8_t *p);
void pv_put_word(const struct pv_ctx *ctx, uint8_t *p, uint32_t w);
/* The one byte-order helper: a value of `bytes` (1-8) bytes at p, in the
 * byte order given; every word, page field and disassembly buffer goes
 * through these. */
uint64_t pv_load(const uint8_t *p, unsigned bytes, bool little_endian);
void pv_store(uint8_t *p, unsigned bytes, bool little_endian, uint64_t v);

#endif
