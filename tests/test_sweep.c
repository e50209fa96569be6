/* The matcher sweep over a seeded sample (the full 2^32 sweep is
 * `pvfuzz sweep`): a few million random words plus every word near a
 * rewritable encoding, on every flavor and feature set, with the checks of
 * fuzz_check_ins and fuzz_disasm_xcheck; no failure allowed. */
#include "pvf.h"
#include "sweep.h"
#include "test_util.h"

static void sampled_sweep_every_flavor(void **state)
{
	(void)state;
	FOR_EACH_FLAVOR(f) {
		for (unsigned feat = 0; feat <= PV_FEAT_ALL; feat++) {
			struct pvf_sweep s;
			memset(&s, 0, sizeof s);
			const struct pv_ctx *ctx = pvf_ctx(f, feat, PV_PROFILE_FIXED);
			pvf_sweep_sample(ctx, 0x5eed + f * 4 + feat, 400000, 4096, &s);
			for (uint64_t i = 0; i < s.failures && i < PVF_SWEEP_FIRST; i++)
				print_message("%s/%s 0x%08x: %s\n", ctx->fi->name, pv_features_name(feat), s.first[i],
					      s.first_msg[i]);
			assert_int_equal(s.failures, 0);
			assert_true(s.sampled > 1000); /* unmatched words did meet capstone */
			/* every register of every active row was matched */
			for (unsigned i = 0; i < ctx->nactive; i++)
				assert_true(s.per_class[ctx->active[i]->cls] >= (ctx->active[i]->carried ? 32u : 1u));
		}
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(sampled_sweep_every_flavor),
	};
	return cmocka_run_group_tests_name("sweep", tests, NULL, NULL);
}
