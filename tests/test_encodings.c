/* Encodings: every rewrite class on every flavor it applies to, with literal
 * hex expectations (style of the kernel's code-patching selftests).
 * Single-word rewrites use r5; 32-bit flavors read 64-bit page fields
 * through their low word (+4). Template sites sit 64 KiB before their area. */
#include "test_util.h"

static const char *flavor_name(enum pv_flavor f) { return pv_flavor_info(f)->name; }

/* ---- single-word rewrites ---------------------------------------------- */

struct simple_case {
	const char *cls;
	unsigned flavors, gate;
	uint32_t word, want32, want64;
};

static const struct simple_case simple[] = {
	/* class             flavors gate word        32-bit      64-bit */
	{"mfmsr", ALL, 0, 0x7ca000a6, 0x80a0f05c, 0xe8a0f058},
	{"mfspr_sprg0", ALL, 0, 0x7cb042a6, 0x80a0f024, 0xe8a0f020},
	{"mtspr_sprg0", ALL, 0, 0x7cb043a6, 0x90a0f024, 0xf8a0f020},
	{"mfspr_sprg1", ALL, 0, 0x7cb142a6, 0x80a0f02c, 0xe8a0f028},
	{"mtspr_sprg1", ALL, 0, 0x7cb143a6, 0x90a0f02c, 0xf8a0f028},
	{"mfspr_sprg2", ALL, 0, 0x7cb242a6, 0x80a0f034, 0xe8a0f030},
	{"mtspr_sprg2", ALL, 0, 0x7cb243a6, 0x90a0f034, 0xf8a0f030},
	{"mfspr_sprg3", ALL, 0, 0x7cb342a6, 0x80a0f03c, 0xe8a0f038},
	{"mtspr_sprg3", ALL, 0, 0x7cb343a6, 0x90a0f03c, 0xf8a0f038},
	{"mfspr_srr0", ALL, 0, 0x7cba02a6, 0x80a0f044, 0xe8a0f040},
	{"mtspr_srr0", ALL, 0, 0x7cba03a6, 0x90a0f044, 0xf8a0f040},
	{"mfspr_srr1", ALL, 0, 0x7cbb02a6, 0x80a0f04c, 0xe8a0f048},
	{"mtspr_srr1", ALL, 0, 0x7cbb03a6, 0x90a0f04c, 0xf8a0f048},
	{"mfspr_dsisr", ALL, 0, 0x7cb202a6, 0x80a0f060, 0x80a0f060},
	{"mtspr_dsisr", ALL, 0, 0x7cb203a6, 0x90a0f060, 0x90a0f060},
	{"mfspr_dar", BOOK3S, 0, 0x7cb302a6, 0x80a0f054, 0xe8a0f050},
	{"mtspr_dar", BOOK3S, 0, 0x7cb303a6, 0x90a0f054, 0xf8a0f050},
	{"mfspr_dear", BOOKE, 0, 0x7cbd0aa6, 0x80a0f054, 0xe8a0f050},
	{"mtspr_dear", BOOKE, 0, 0x7cbd0ba6, 0x90a0f054, 0xf8a0f050},
	{"mfspr_sprg4", ALL, MAS, 0x7cb442a6, 0x80a0f0d4, 0xe8a0f0d0},
	{"mtspr_sprg4", ALL, MAS, 0x7cb443a6, 0x90a0f0d4, 0xf8a0f0d0},
	{"mfspr_sprg5", ALL, MAS, 0x7cb542a6, 0x80a0f0dc, 0xe8a0f0d8},
	{"mtspr_sprg5", ALL, MAS, 0x7cb543a6, 0x90a0f0dc, 0xf8a0f0d8},
	{"mfspr_sprg6", ALL, MAS, 0x7cb642a6, 0x80a0f0e4, 0xe8a0f0e0},
	{"mtspr_sprg6", ALL, MAS, 0x7cb643a6, 0x90a0f0e4, 0xf8a0f0e0},
	{"mfspr_sprg7", ALL, MAS, 0x7cb742a6, 0x80a0f0ec, 0xe8a0f0e8},
	{"mtspr_sprg7", ALL, MAS, 0x7cb743a6, 0x90a0f0ec, 0xf8a0f0e8},
	{"mfspr_sprg4r", BOOKE, MAS, 0x7ca442a6, 0x80a0f0d4, 0xe8a0f0d0},
	{"mfspr_sprg5r", BOOKE, MAS, 0x7ca542a6, 0x80a0f0dc, 0xe8a0f0d8},
	{"mfspr_sprg6r", BOOKE, MAS, 0x7ca642a6, 0x80a0f0e4, 0xe8a0f0e0},
	{"mfspr_sprg7r", BOOKE, MAS, 0x7ca742a6, 0x80a0f0ec, 0xe8a0f0e8},
	{"mfspr_pir", BOOK3S, MAS, 0x7cbffaa6, 0x80a0f0cc, 0x80a0f0cc},
	{"mfspr_pir", BOOKE, MAS, 0x7cbe42a6, 0x80a0f0cc, 0x80a0f0cc},
	{"mfspr_esr", BOOKE, MAS, 0x7cbe0aa6, 0x80a0f0c8, 0x80a0f0c8},
	{"mtspr_esr", BOOKE, MAS, 0x7cbe0ba6, 0x90a0f0c8, 0x90a0f0c8},
	{"mfspr_mas0", BOOKE, MAS, 0x7cb09aa6, 0x80a0f0a8, 0x80a0f0a8},
	{"mtspr_mas0", BOOKE, MAS, 0x7cb09ba6, 0x90a0f0a8, 0x90a0f0a8},
	{"mfspr_mas1", BOOKE, MAS, 0x7cb19aa6, 0x80a0f0ac, 0x80a0f0ac},
	{"mtspr_mas1", BOOKE, MAS, 0x7cb19ba6, 0x90a0f0ac, 0x90a0f0ac},
	{"mfspr_mas2", BOOKE, MAS, 0x7cb29aa6, 0x80a0f0bc, 0xe8a0f0b8},
	{"mtspr_mas2", BOOKE, MAS, 0x7cb29ba6, 0x90a0f0bc, 0xf8a0f0b8},
	{"mfspr_mas3", BOOKE, MAS, 0x7cb39aa6, 0x80a0f0b4, 0x80a0f0b4},
	{"mtspr_mas3", BOOKE, MAS, 0x7cb39ba6, 0x90a0f0b4, 0x90a0f0b4},
	{"mfspr_mas4", BOOKE, MAS, 0x7cb49aa6, 0x80a0f0c0, 0x80a0f0c0},
	{"mtspr_mas4", BOOKE, MAS, 0x7cb49ba6, 0x90a0f0c0, 0x90a0f0c0},
	{"mfspr_mas6", BOOKE, MAS, 0x7cb69aa6, 0x80a0f0c4, 0x80a0f0c4},
	{"mtspr_mas6", BOOKE, MAS, 0x7cb69ba6, 0x90a0f0c4, 0x90a0f0c4},
	{"mfspr_mas7", BOOKE, MAS, 0x7cb0eaa6, 0x80a0f0b0, 0x80a0f0b0},
	{"mtspr_mas7", BOOKE, MAS, 0x7cb0eba6, 0x90a0f0b0, 0x90a0f0b0},
	{"tlbsync", ALL, 0, 0x7c00046c, 0x60000000, 0x60000000}, /* becomes nop */
};

static void check_site(const char *what, enum pv_flavor f, uint32_t word, uint32_t got, uint32_t want)
{
	if (got != want)
		fail_msg("%s on %s: 0x%08x became 0x%08x, want 0x%08x", what, flavor_name(f), word, got, want);
}

static void simple_rewrites(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof simple / sizeof simple[0]; i++) {
		const struct simple_case *c = &simple[i];
		FOR_EACH_FLAVOR(f) {
			if (!(c->flavors & PV_FL(f)))
				continue;
			struct pv_ctx ctx;
			struct one_site o;
			ctx_or_die(&ctx, f, PV_FEAT_ALL, PV_PROFILE_FIXED);
			patch_one(&ctx, c->word, &o);
			if (!o.row)
				fail_msg("%s on %s: 0x%08x not matched", c->cls, flavor_name(f), c->word);
			assert_string_equal(pv_class_name(o.row->cls), c->cls);
			check_site(c->cls, f, c->word, o.now, ctx.fi->is64 ? c->want64 : c->want32);
		}
	}
}

/* mfspr rT,SPRG0 for every rT: the register field is carried over. */
static void all_registers_mfspr_sprg0(void **state)
{
	(void)state;
	struct pv_ctx c32, c64;
	ctx_or_die(&c32, PV_BOOK3S32, 0, PV_PROFILE_FIXED);
	ctx_or_die(&c64, PV_BOOK3S64, 0, PV_PROFILE_FIXED);
	for (unsigned r = 0; r < 32; r++) {
		struct one_site o;
		uint32_t w = 0x7c1042a6 | r << 21;
		patch_one(&c32, w, &o);
		check_site("mfspr_sprg0", PV_BOOK3S32, w, o.now, 0x8000f024 | r << 21); /* lwz rT,-4060(0) */
		patch_one(&c64, w, &o);
		check_site("mfspr_sprg0", PV_BOOK3S64, w, o.now, 0xe800f020 | r << 21); /* ld rT,-4064(0) */
	}
}

/* mtspr SRR0,rS for every rS on booke32 (stw) and booke64 (std). */
static void all_registers_mtspr_srr0(void **state)
{
	(void)state;
	struct pv_ctx c32, c64;
	ctx_or_die(&c32, PV_BOOKE32, 0, PV_PROFILE_FIXED);
	ctx_or_die(&c64, PV_BOOKE64, 0, PV_PROFILE_FIXED);
	for (unsigned r = 0; r < 32; r++) {
		struct one_site o;
		uint32_t w = 0x7c1a03a6 | r << 21;
		patch_one(&c32, w, &o);
		check_site("mtspr_srr0", PV_BOOKE32, w, o.now, 0x9000f044 | r << 21); /* stw rS,-4028(0) */
		patch_one(&c64, w, &o);
		check_site("mtspr_srr0", PV_BOOKE64, w, o.now, 0xf800f040 | r << 21); /* std rS,-4032(0) */
	}
}

/* ---- template rewrites --------------------------------------------------- */

#define B_TO_AREA 0x48010000u /* b +0x10000: the site's branch to its instance */

struct tmpl_case {
	const char *cls;
	unsigned flavors, gate;
	enum pv_profile profile;
	uint32_t word;
	/* expected slot words; 0 = the template has no such slot */
	uint32_t reg32, reg64;
	uint32_t ret; /* b back to site+4 from the branch slot */
};

static const struct tmpl_case tmpl[] = {
	/* class          flavors gate profile          word       reg (32-bit) reg (64-bit) return */
	/* rS = r5: mr r30,r5 */
	{"mtmsrd_l1", ALL,   0, PV_PROFILE_FIXED, 0x7ca10164, 0x7cbe2b78, 0x7cbe2b78, 0x4bfeff90},
	{"mtmsr",     ALL,   0, PV_PROFILE_FIXED, 0x7ca00124, 0x7cbe2b78, 0x7cbe2b78, 0x4bfeff8c},
	{"mtmsrd_l0", ALL,   0, PV_PROFILE_FIXED, 0x7ca00164, 0x7cbe2b78, 0x7cbe2b78, 0x4bfeff8c},
	{"wrtee",     BOOKE, 0, PV_PROFILE_FIXED, 0x7ca00106, 0x7cbe2b78, 0x7cbe2b78, 0x4bfeff94},
	/* rS = r30: its guest value is in scratch2: lwz r30,-4084(0) / ld r30,-4088(0) */
	{"mtmsrd_l1", ALL,   0, PV_PROFILE_FIXED, 0x7fc10164, 0x83c0f00c, 0xebc0f008, 0x4bfeff90},
	{"mtmsr",     ALL,   0, PV_PROFILE_FIXED, 0x7fc00124, 0x83c0f00c, 0xebc0f008, 0x4bfeff8c},
	{"mtmsrd_l0", ALL,   0, PV_PROFILE_FIXED, 0x7fc00164, 0x83c0f00c, 0xebc0f008, 0x4bfeff8c},
	{"wrtee",     BOOKE, 0, PV_PROFILE_FIXED, 0x7fc00106, 0x83c0f00c, 0xebc0f008, 0x4bfeff94},
	/* rS = r31: scratch1: lwz r30,-4092(0) / ld r30,-4096(0) */
	{"mtmsrd_l1", ALL,   0, PV_PROFILE_FIXED, 0x7fe10164, 0x83c0f004, 0xebc0f000, 0x4bfeff90},
	{"mtmsr",     ALL,   0, PV_PROFILE_FIXED, 0x7fe00124, 0x83c0f004, 0xebc0f000, 0x4bfeff8c},
	{"mtmsrd_l0", ALL,   0, PV_PROFILE_FIXED, 0x7fe00164, 0x83c0f004, 0xebc0f000, 0x4bfeff8c},
	{"wrtee",     BOOKE, 0, PV_PROFILE_FIXED, 0x7fe00106, 0x83c0f004, 0xebc0f000, 0x4bfeff94},
	/* the linux profile: upstream's routines (kvm_emul.S, Linux 6.1, checked
	 * against the kernel's own code by pvfuzz agree): ori r30,rS,0, and a
	 * saved r30/r31 loaded whole from its field's first word: lwz r30,-4096(0)
	 * / ld r30,-4096(0) for r31, -4088 for r30 */
	{"mtmsr",     ALL,   0, PV_PROFILE_LINUX, 0x7ca00124, 0x60be0000, 0x60be0000, 0x4bfeff88},
	{"mtmsr",     ALL,   0, PV_PROFILE_LINUX, 0x7fe00124, 0x83c0f000, 0xebc0f000, 0x4bfeff88},
	{"mtmsrd_l1", ALL,   0, PV_PROFILE_LINUX, 0x7ca10164, 0x60be0000, 0x60be0000, 0x4bfeff8c},
	{"wrtee",     BOOKE, 0, PV_PROFILE_LINUX, 0x7fc00106, 0x83c0f008, 0xebc0f008, 0x4bfeffb8},
	/* wrteei 1: li r30,-0x8000 (EE set) */
	{"wrteei_1",  BOOKE, 0, PV_PROFILE_FIXED, 0x7c008146, 0x3bc08000, 0x3bc08000, 0x4bfeff94},
	/* wrteei 0: no register or orig slot; the linux variant is one word shorter */
	{"wrteei_0",  BOOKE, 0, PV_PROFILE_FIXED, 0x7c000146, 0,          0,          0x4bfeffcc},
	{"wrteei_0",  BOOKE, 0, PV_PROFILE_LINUX, 0x7c000146, 0,          0,          0x4bfeffd0},
};

static void template_rewrites(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof tmpl / sizeof tmpl[0]; i++) {
		const struct tmpl_case *c = &tmpl[i];
		FOR_EACH_FLAVOR(f) {
			if (!(c->flavors & PV_FL(f)))
				continue;
			struct pv_ctx ctx;
			struct one_site o;
			ctx_or_die(&ctx, f, PV_FEAT_ALL, c->profile);
			patch_one(&ctx, c->word, &o);
			if (!o.row || !o.l)
				fail_msg("%s on %s: 0x%08x not branch patched", c->cls, flavor_name(f), c->word);
			assert_string_equal(pv_class_name(o.row->cls), c->cls);
			check_site(c->cls, f, c->word, o.now, B_TO_AREA);
			uint32_t reg = ctx.fi->is64 ? c->reg64 : c->reg32;
			if (reg)
				check_site("register slot", f, c->word, o.inst[o.l->reg], reg);
			if (reg && o.l->reg2 >= 0) /* upstream's mtmsr loads rS twice */
				check_site("second register slot", f, c->word, o.inst[o.l->reg2], reg);
			if (!reg)
				assert_int_equal(o.l->reg, -1);
			if (o.l->orig >= 0)
				check_site("orig slot", f, c->word, o.inst[o.l->orig], c->word);
			check_site("branch slot", f, c->word, o.inst[o.l->branch], c->ret);
		}
	}
}

/* mtsrin rS,rB (book3s32, feature SR): the four register slots. */
struct mtsrin_case {
	const char *what;
	enum pv_profile profile;
	uint32_t word;
	uint32_t rb_load, rb_use, rs_load, rs_use;
};

static const struct mtsrin_case mtsrin[] = {
	{"r5,r6", PV_PROFILE_FIXED, 0x7ca031e4,
	 0x60000000 /* nop */, 0x54de36ba /* rlwinm r30,r6,6,26,29 */,
	 0x60000000 /* nop */, 0x90bef068 /* stw r5,-3992(r30) */},
	{"r30,r31 fixed", PV_PROFILE_FIXED, 0x7fc0f9e4,
	 0x83c0f004 /* lwz r30,-4092(0): saved r31 */, 0x57de36ba /* rlwinm r30,r30,6,26,29 */,
	 0x83e0f00c /* lwz r31,-4084(0): saved r30 */, 0x93fef068 /* stw r31,-3992(r30) */},
	{"r31,r30 fixed", PV_PROFILE_FIXED, 0x7fe0f1e4,
	 0x83c0f00c /* lwz r30,-4084(0): saved r30 */, 0x57de36ba /* rlwinm r30,r30,6,26,29 */,
	 0x83e0f004 /* lwz r31,-4092(0): saved r31 */, 0x93fef068 /* stw r31,-3992(r30) */},
	/* spec section 8: the linux profile uses r30/r31 as they are in the
	 * template; upstream's routine has no load slots (0 here) */
	{"r30,r31 linux", PV_PROFILE_LINUX, 0x7fc0f9e4,
	 0, 0x57fe36ba /* rlwinm r30,r31,6,26,29 */,
	 0, 0x93def068 /* stw r30,-3992(r30) */},
};

static void mtsrin_slots(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof mtsrin / sizeof mtsrin[0]; i++) {
		const struct mtsrin_case *c = &mtsrin[i];
		struct pv_ctx ctx;
		struct one_site o;
		ctx_or_die(&ctx, PV_BOOK3S32, SR, c->profile);
		patch_one(&ctx, c->word, &o);
		if (!o.l)
			fail_msg("mtsrin %s: not branch patched", c->what);
		check_site("mtsrin site", PV_BOOK3S32, c->word, o.now, B_TO_AREA);
		if (c->rb_load || c->rs_load) {
			check_site("mtsrin rb_load", PV_BOOK3S32, c->word, o.inst[o.l->rb_load], c->rb_load);
			check_site("mtsrin rs_load", PV_BOOK3S32, c->word, o.inst[o.l->rs_load], c->rs_load);
		} else {
			assert_int_equal(o.l->rb_load, -1);
			assert_int_equal(o.l->rs_load, -1);
		}
		check_site("mtsrin rb_use", PV_BOOK3S32, c->word, o.inst[o.l->rb_use], c->rb_use);
		check_site("mtsrin rs_use", PV_BOOK3S32, c->word, o.inst[o.l->rs_use], c->rs_use);
		check_site("mtsrin orig", PV_BOOK3S32, c->word, o.inst[o.l->orig], c->word);
		/* the return from the last word: 23 words upstream, 25 with the load slots */
		check_site("mtsrin return", PV_BOOK3S32, c->word, o.inst[o.l->branch],
			   c->profile == PV_PROFILE_LINUX ? 0x4bfeffac : 0x4bfeffa4);
	}
}

/* mfsrin rT,rB (book3s32, feature SR, fixed profile only; ours, not
 * upstream's: docs/adding-a-handler.md): the index and result slots. */
struct mfsrin_case {
	const char *what;
	uint32_t word;
	uint32_t rb_load, rb_use, rt_set;
};

static const struct mfsrin_case mfsrin[] = {
	{"r5,r6", 0x7ca03526,
	 0x60000000 /* nop */, 0x54de36ba /* rlwinm r30,r6,6,26,29 */, 0x7fc5f378 /* mr r5,r30 */},
	{"rT = rB", 0x7ca02d26,
	 0x60000000 /* nop */, 0x54be36ba /* rlwinm r30,r5,6,26,29 */, 0x7fc5f378 /* mr r5,r30 */},
	{"r30,r31: rB from saved r31, rT to saved r30", 0x7fc0fd26,
	 0x83c0f004 /* lwz r30,-4092(0) */, 0x57de36ba /* rlwinm r30,r30,6,26,29 */,
	 0x93c0f00c /* stw r30,-4084(0) */},
	{"r31,r30: rB from saved r30, rT to saved r31", 0x7fe0f526,
	 0x83c0f00c /* lwz r30,-4084(0) */, 0x57de36ba /* rlwinm r30,r30,6,26,29 */,
	 0x93c0f004 /* stw r30,-4092(0) */},
	{"r0,r0", 0x7c000526,
	 0x60000000 /* nop */, 0x541e36ba /* rlwinm r30,r0,6,26,29 */, 0x7fc0f378 /* mr r0,r30 */},
};

static void mfsrin_slots(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof mfsrin / sizeof mfsrin[0]; i++) {
		const struct mfsrin_case *c = &mfsrin[i];
		struct pv_ctx ctx;
		struct one_site o;
		ctx_or_die(&ctx, PV_BOOK3S32, SR, PV_PROFILE_FIXED);
		patch_one(&ctx, c->word, &o);
		if (!o.l)
			fail_msg("mfsrin %s: not branch patched", c->what);
		check_site("mfsrin site", PV_BOOK3S32, c->word, o.now, B_TO_AREA);
		check_site("mfsrin rb_load", PV_BOOK3S32, c->word, o.inst[o.l->rb_load], c->rb_load);
		check_site("mfsrin rb_use", PV_BOOK3S32, c->word, o.inst[o.l->rb_use], c->rb_use);
		check_site("mfsrin page load", PV_BOOK3S32, c->word, o.inst[o.l->rb_use + 1],
			   0x83def068 /* lwz r30,-3992(r30) */);
		check_site("mfsrin rt_set", PV_BOOK3S32, c->word, o.inst[o.l->rt_set], c->rt_set);
		check_site("mfsrin orig", PV_BOOK3S32, c->word, o.inst[o.l->orig], c->word);
		check_site("mfsrin return", PV_BOOK3S32, c->word, o.inst[o.l->branch], 0x4bfeffa4);
	}
}

/* mfsrin is left alone where the table says: without feature SR, in the
 * linux profile (upstream has no such handler) and on every other flavor. */
static void mfsrin_gating(void **state)
{
	(void)state;
	struct pv_ctx ctx;
	FOR_EACH_FLAVOR(f) {
		for (enum pv_profile p = 0; p < PV_NPROFILES; p++)
			for (unsigned feat = 0; feat <= PV_FEAT_ALL; feat++) {
				ctx_or_die(&ctx, f, feat, p);
				bool want = f == PV_BOOK3S32 && (feat & SR) && p == PV_PROFILE_FIXED;
				const struct pv_row *r = pv_match(&ctx, 0x7ca03526);
				if ((r != NULL) != want || (r && r->cls != PV_C_MFSRIN))
					fail_msg("mfsrin r5,r6 on %s, features %s, profile %s: %s", flavor_name(f),
						 pv_features_name(feat), pv_profile_name(p), r ? pv_class_name(r->cls) : "unchanged");
			}
	}
}

/* mfsrin r1,rB stays as it is: its template would write the stack pointer
 * before its restores, and the hypervisor's critical test (critical == r1)
 * would then let an interrupt clobber the scratch fields they read (found by
 * the oracle's interrupts inside instances, docs/findings.md). Its
 * neighbours r0 and r2 are patched. */
static void mfsrin_r1_left_alone(void **state)
{
	(void)state;
	struct pv_ctx ctx;
	struct one_site o;
	ctx_or_die(&ctx, PV_BOOK3S32, SR, PV_PROFILE_FIXED);
	patch_one(&ctx, 0x7c203526 /* mfsrin r1,r6 */, &o);
	assert_null(o.row);
	assert_int_equal(o.now, 0x7c203526);
	patch_one(&ctx, 0x7c003526 /* mfsrin r0,r6 */, &o);
	assert_non_null(o.row);
	patch_one(&ctx, 0x7c403526 /* mfsrin r2,r6 */, &o);
	assert_non_null(o.row);
}

/* pv_rewrite_simple is for single-word rows: given a template row it
 * leaves the word as it is rather than invent a rewrite. */
static void rewrite_simple_template_row(void **state)
{
	(void)state;
	struct pv_ctx ctx;
	ctx_or_die(&ctx, PV_BOOK3S32, SR, PV_PROFILE_FIXED);
	const struct pv_row *r = pv_match(&ctx, 0x7c610164); /* mtmsrd r3,1 */
	assert_non_null(r);
	assert_int_equal(r->kind, PV_K_TEMPLATE);
	assert_int_equal(pv_rewrite_simple(&ctx, r, 0x7c610164), 0x7c610164);
}

/* mtmsr rS for every rS: r0-r29 are copied with mr, r30/r31 come from scratch. */
static void all_registers_mtmsr(void **state)
{
	(void)state;
	struct pv_ctx ctx;
	ctx_or_die(&ctx, PV_BOOK3S64, 0, PV_PROFILE_FIXED);
	for (unsigned r = 0; r < 32; r++) {
		struct one_site o;
		uint32_t w = 0x7c000124 | r << 21;
		uint32_t want = r == 30 ? 0xebc0f008 : r == 31 ? 0xebc0f000 : 0x7c1e0378 | r << 21 | r << 11;
		patch_one(&ctx, w, &o);
		check_site("mtmsr register slot", PV_BOOK3S64, w, o.inst[o.l->reg], want);
	}
}

/* The assembled templates carry their placeholders where the symbols say. */
static void template_placeholders(void **state)
{
	(void)state;
	FOR_EACH_FLAVOR(f) {
		for (enum pv_profile p = 0; p < PV_NPROFILES; p++) {
			struct pv_ctx ctx;
			ctx_or_die(&ctx, f, PV_FEAT_ALL, p);
			for (enum pv_tmpl t = 0; t < PV_NTMPL; t++) {
				const struct pv_tmpl_layout *l = pv_tmpl_layout(&ctx, t);
				assert_true(l->nwords > 0 && l->nwords <= PV_TMPL_MAX_WORDS);
				bool up = p == PV_PROFILE_LINUX && t != PV_T_MFSRIN;
				assert_int_equal(l->words[l->branch], 0x48000000); /* b . */
				/* upstream's wrtee ends with its trapping path */
				if (!(up && t == PV_T_WRTEE))
					assert_int_equal(l->branch, (int)l->nwords - 1);
				/* upstream's orig-ins placeholders: the instruction itself, with r0 */
				static const uint32_t up_orig[PV_NTMPL] = {
					[PV_T_MTMSRD_L1] = 0x7c00046c, /* tlbsync */
					[PV_T_MTMSR] = 0x7c000124,     /* mtmsr r0 */
					[PV_T_WRTEE] = 0x7c000106,     /* wrtee r0 */
					[PV_T_MTSRIN] = 0x60000000,    /* nop */
				};
				if (l->orig >= 0)
					assert_int_equal(l->words[l->orig], up ? up_orig[t] : 0x7fe00008); /* trap */
				if (l->reg >= 0) /* ori r30,r0,0 upstream, mr r30,r0 ours */
					assert_int_equal(l->words[l->reg], up ? 0x601e0000 : 0x7c1e0378);
				if (l->reg2 >= 0)
					assert_int_equal(l->words[l->reg2], l->words[l->reg]);
				if (l->rb_load >= 0)
					assert_int_equal(l->words[l->rb_load], 0x60000000);
				if (l->rb_use >= 0)
					assert_int_equal(l->words[l->rb_use], 0x541e36ba); /* rlwinm r30,r0,6,26,29 */
				if (l->rs_load >= 0)
					assert_int_equal(l->words[l->rs_load], 0x60000000);
				if (l->rs_use >= 0)
					assert_int_equal(l->words[l->rs_use], 0x901ef068); /* stw r0,-3992(r30) */
				if (l->rt_set >= 0)
					assert_int_equal(l->words[l->rt_set], 0x7fc0f378); /* mr r0,r30 */
				/* ENTER: critical = r1 first, on the flavor's width */
				assert_int_equal(l->words[0], ctx.fi->is64 ? 0xf820f018 : 0x9020f01c);
			}
		}
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(simple_rewrites),
		cmocka_unit_test(all_registers_mfspr_sprg0),
		cmocka_unit_test(all_registers_mtspr_srr0),
		cmocka_unit_test(template_rewrites),
		cmocka_unit_test(mtsrin_slots),
		cmocka_unit_test(mfsrin_slots),
		cmocka_unit_test(mfsrin_gating),
		cmocka_unit_test(mfsrin_r1_left_alone),
		cmocka_unit_test(rewrite_simple_template_row),
		cmocka_unit_test(all_registers_mtmsr),
		cmocka_unit_test(template_placeholders),
	};
	return cmocka_run_group_tests_name("encodings", tests, NULL, NULL);
}
