/* How a failed check ends a fuzz target: abort() from inside three frames
 * named after the check, the class and the flavor, e.g.
 *
 *     crash_flavor_booke64 <- crash_class_wrteei_0 <- crash_check_divergence
 *
 * ClusterFuzz (and ClusterFuzzLite) take a crash's state from the top three
 * frames of its stack: with one abort() for every check, every finding of a
 * target would be one crash, and a new finding would hide behind an old one.
 * Each frame calls the next through a table (an indirect call: no
 * dispatcher frame in between, inlined or not) and does something after the
 * call, so that no frame becomes a tail call and disappears. The same
 * finding is the same three frames on every input. */
#include <stdlib.h>
#include <string.h>

#include "pvf.h"

static const char *const check_names[PVF_NCHECKS] = {
#define PVF_X_NAME(name) [PVF_K_##name] = #name,
	PVF_CHECK_LIST(PVF_X_NAME)
#undef PVF_X_NAME
};

const char *pvf_check_name(enum pvf_check_id k) { return (unsigned)k < PVF_NCHECKS ? check_names[k] : "unknown"; }

/* a compiler barrier after each call: the caller's frame stays on the stack */
#define KEEP_FRAME() __asm__ volatile("" ::: "memory")
#define NOINLINE __attribute__((noinline, used))

/* ---- the innermost frame: the flavor ---- */
NOINLINE static void crash_flavor_book3s32(void) { abort(); }
NOINLINE static void crash_flavor_booke32(void) { abort(); }
NOINLINE static void crash_flavor_book3s64(void) { abort(); }
NOINLINE static void crash_flavor_booke64(void) { abort(); }
NOINLINE static void crash_flavor_book3s64le(void) { abort(); }
static void (*const flavor_frame[PV_NFLAVORS])(void) = {
	[PV_BOOK3S32] = crash_flavor_book3s32, [PV_BOOKE32] = crash_flavor_booke32,
	[PV_BOOK3S64] = crash_flavor_book3s64, [PV_BOOKE64] = crash_flavor_booke64,
	[PV_BOOK3S64LE] = crash_flavor_book3s64le,
};

/* macros, not functions: an inlined helper would be a frame of its own in
 * a symbolized stack */
#define TO_FLAVOR(r) flavor_frame[(unsigned)(r)->flavor < PV_NFLAVORS ? (r)->flavor : 0]()

/* ---- the middle frame: the class (or none) ---- */
#define PVF_X_CLASS_FRAME(id, name)                                                                            \
	NOINLINE static void crash_class_##id(const struct pvf_result *r)                                      \
	{                                                                                                      \
		TO_FLAVOR(r);                                                                                  \
		KEEP_FRAME();                                                                                  \
	}
PV_CLASS_LIST(PVF_X_CLASS_FRAME)
#undef PVF_X_CLASS_FRAME
NOINLINE static void crash_class_none(const struct pvf_result *r)
{
	TO_FLAVOR(r);
	KEEP_FRAME();
}
static void (*const class_frame[PV_NCLASSES])(const struct pvf_result *) = {
#define PVF_X_CLASS_PTR(id, name) [PV_C_##id] = crash_class_##id,
	PV_CLASS_LIST(PVF_X_CLASS_PTR)
#undef PVF_X_CLASS_PTR
};

#define TO_CLASS(r) ((r)->cls >= 0 && (r)->cls < PV_NCLASSES ? class_frame[(r)->cls] : crash_class_none)(r)

/* ---- the outer frame: the check ---- */
#define PVF_X_CHECK_FRAME(name)                                                                                \
	NOINLINE static void crash_check_##name(const struct pvf_result *r)                                    \
	{                                                                                                      \
		TO_CLASS(r);                                                                                   \
		KEEP_FRAME();                                                                                  \
	}
PVF_CHECK_LIST(PVF_X_CHECK_FRAME)
#undef PVF_X_CHECK_FRAME
static void (*const check_frame[PVF_NCHECKS])(const struct pvf_result *) = {
#define PVF_X_CHECK_PTR(name) [PVF_K_##name] = crash_check_##name,
	PVF_CHECK_LIST(PVF_X_CHECK_PTR)
#undef PVF_X_CHECK_PTR
};

void pvf_crash(const struct pvf_result *r)
{
	if ((unsigned)r->check < PVF_NCHECKS)
		check_frame[r->check](r);
	abort();
}

/* PVFUZZ_KEEP_CRASH=CHECK/CLASS/FLAVOR (scripts/minimize.sh): only that
 * identity counts as a crash, so that minimising keeps the bug it started
 * with instead of drifting to another one. */
static char want[160]; /* "" : every failure is a crash */

void pvf_crash_env_init(void)
{
	const char *s = getenv("PVFUZZ_KEEP_CRASH");
	snprintf(want, sizeof want, "%s", s ? s : "");
}

bool pvf_crash_wanted(const struct pvf_result *r)
{
	if (!want[0])
		return true;
	char id[160];
	snprintf(id, sizeof id, "%s/%s/%s", pvf_check_name(r->check),
		 r->cls >= 0 ? pv_class_name((enum pv_class)r->cls) : "none", pv_flavor_info(r->flavor)->name);
	return !strcmp(id, want);
}
