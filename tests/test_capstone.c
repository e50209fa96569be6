/* Capstone cross-check: every word the engine emits decodes with capstone to
 * the expected mnemonic and operands. The expectations are
 * check/expect.c's, which keeps its own copy of the spec's page offsets
 * (the fuzz targets check the same way). */
#include "pvf.h"
#include "test_util.h"

static const unsigned regs[] = {0, 1, 5, 29, 30, 31};
#define NREGS (sizeof regs / sizeof regs[0])

static void every_emitted_word(void **state)
{
	(void)state;
	unsigned checked = 0;
	char msg[256];
	FOR_EACH_FLAVOR(f) {
		for (enum pv_profile p = 0; p < PV_NPROFILES; p++) {
			struct pv_ctx ctx;
			ctx_or_die(&ctx, f, PV_FEAT_ALL, p);
			for (unsigned i = 0; i < ctx.nactive; i++) {
				const struct pv_row *row = ctx.active[i];
				bool has_rt = row->carried & 0x03e00000u, has_rb = row->carried & 0x0000f800u;
				for (size_t a = 0; a < (has_rt ? NREGS : 1); a++)
					for (size_t b = 0; b < (has_rb ? NREGS : 1); b++) {
						uint32_t w = row->match | (has_rt ? regs[a] << 21 : 0) | (has_rb ? regs[b] << 11 : 0);
						struct one_site o;
						patch_one(&ctx, w, &o);
						if (row->no_rt1 && regs[a] == 1) { /* left alone (pv_row.no_rt1) */
							assert_null(o.row);
							assert_int_equal(o.now, w);
							continue;
						}
						assert_ptr_equal(o.row, row);
						bool ok;
						if (row->kind != PV_K_TEMPLATE) {
							ok = pvf_expect_simple(&ctx, row->cls, w, o.now, msg, sizeof msg);
						} else {
							uint32_t b_to = 0;
							assert_true(pv_branch_encode(ctx.fi->is64, o.site, o.at, &b_to));
							assert_int_equal(o.now, b_to);
							ok = pvf_expect_instance(&ctx, row, w, o.site, o.at, o.inst, o.l->nwords, msg,
										 sizeof msg);
						}
						if (!ok)
							fail_msg("%s/%s: %s", ctx.fi->name, pv_profile_name(p), msg);
						checked++;
					}
			}
		}
	}
	assert_true(checked > 500);
}

/* The expectations themselves can fail: a wrong displacement, a wrong
 * register, an orig-ins slot left as the placeholder. */
static void expectations_reject_wrong_words(void **state)
{
	(void)state;
	struct pv_ctx ctx;
	struct one_site o;
	char msg[256];
	ctx_or_die(&ctx, PV_BOOK3S32, PV_FEAT_ALL, PV_PROFILE_FIXED);
	/* mfmsr r3: lwz r3,-4004(0) is right, -4008 (no +4) and r4 are not */
	assert_true(pvf_expect_simple(&ctx, PV_C_MFMSR, 0x7c6000a6, 0x8060f05c, msg, sizeof msg));
	assert_false(pvf_expect_simple(&ctx, PV_C_MFMSR, 0x7c6000a6, 0x8060f058, msg, sizeof msg));
	assert_false(pvf_expect_simple(&ctx, PV_C_MFMSR, 0x7c6000a6, 0x8080f05c, msg, sizeof msg));
	patch_one(&ctx, 0x7ca00124, &o);
	o.inst[o.l->orig] = 0x7fe00008; /* trap: the unfilled placeholder */
	assert_false(pvf_expect_instance(&ctx, o.row, 0x7ca00124, o.site, o.at, o.inst, o.l->nwords, msg, sizeof msg));
}

/* check/expect.c remembers capstone's readings: the same words must give
 * the same verdicts every time, and a branch slot is read at its own
 * address (the same instance moved by 64 bytes no longer returns to the
 * site's successor), wherever an earlier reading came from. */
static void remembered_readings_keep_their_key(void **state)
{
	(void)state;
	struct pv_ctx ctx;
	struct one_site o;
	char msg[256];
	ctx_or_die(&ctx, PV_BOOK3S32, PV_FEAT_ALL, PV_PROFILE_FIXED);
	patch_one(&ctx, 0x7ca00124, &o); /* mtmsr r5 */
	for (int round = 0; round < 3; round++) {
		assert_true(pvf_expect_instance(&ctx, o.row, 0x7ca00124, o.site, o.at, o.inst, o.l->nwords, msg, sizeof msg));
		assert_false(pvf_expect_instance(&ctx, o.row, 0x7ca00124, o.site, o.at + 64, o.inst, o.l->nwords, msg,
						 sizeof msg));
		assert_non_null(strstr(msg, "branch slot"));
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(every_emitted_word),
		cmocka_unit_test(expectations_reject_wrong_words),
		cmocka_unit_test(remembered_readings_keep_their_key),
	};
	return cmocka_run_group_tests_name("capstone", tests, NULL, NULL);
}
