/* Our unicorn build: PowerPC only, and our three fixes applied. Without
 * third_party/unicorn-ppc64-cpu-model.patch an explicitly chosen 64-bit
 * model becomes a 32-bit CPU and `ld` is illegal (spec section 9); without
 * third_party/unicorn-ppc64-or-pause.patch every `or rX,rX,rX` on a 64-bit
 * CPU pauses it and ends the run; without
 * third_party/unicorn-ppc-xer-flags.patch uc_reg_read/uc_reg_write of XER
 * miss SO, OV and CA, which QEMU keeps apart (a start state's carry never
 * reached the CPU, a run's carry never reached the oracle). Each check
 * below fails without its fix. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <unicorn/unicorn.h>

#define CODE 0x10000ull
#define DATA 0x20000ull

static void put_be32(uint8_t *p, uint32_t w)
{
	p[0] = (uint8_t)(w >> 24); p[1] = (uint8_t)(w >> 16); p[2] = (uint8_t)(w >> 8); p[3] = (uint8_t)w;
}

/* Runs `ld r3,0(r4)` with r4 -> 0x1122334455667788 on a 64-bit model. */
static void ld_on_model(int model, const char *name)
{
	uc_engine *uc;
	uint8_t code[4], data[8] = {0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88};
	uint64_t r4 = DATA, r3 = 0, msr = 1ull << 63; /* MSR[SF], real mode */

	assert_int_equal(uc_open(UC_ARCH_PPC, UC_MODE_PPC64 | UC_MODE_BIG_ENDIAN, &uc), UC_ERR_OK);
	assert_int_equal(uc_ctl_set_cpu_model(uc, model), UC_ERR_OK);
	assert_int_equal(uc_mem_map(uc, CODE, 0x1000, UC_PROT_ALL), UC_ERR_OK);
	assert_int_equal(uc_mem_map(uc, DATA, 0x1000, UC_PROT_ALL), UC_ERR_OK);
	put_be32(code, 0xe8640000); /* ld r3,0(r4) */
	uc_mem_write(uc, CODE, code, 4);
	uc_mem_write(uc, DATA, data, 8);
	uc_reg_write(uc, UC_PPC_REG_4, &r4);
	uc_reg_write(uc, UC_PPC_REG_MSR, &msr);
	uc_err err = uc_emu_start(uc, CODE, CODE + 4, 0, 1);
	if (err != UC_ERR_OK)
		fail_msg("%s: ld failed: %s (is the PPC64 CPU-model patch applied?)", name, uc_strerror(err));
	uc_reg_read(uc, UC_PPC_REG_3, &r3);
	assert_int_equal(r3, 0x1122334455667788ull);
	uc_close(uc);
}

static void ppc64_970_runs_ld(void **state) { (void)state; ld_on_model(UC_CPU_PPC64_970_V2_2, "970"); }
static void ppc64_power7_runs_ld(void **state) { (void)state; ld_on_model(UC_CPU_PPC64_POWER7_V2_3, "POWER7"); }

/* or 1,1,1 (a priority hint), mr r3,r3 and or 31,31,31 are no-ops: li r4,5
 * after them runs and the run stops at its end, not at the hint. */
static void ppc64_or_rx_rx_rx_is_a_nop(void **state)
{
	(void)state;
	static const uint32_t hints[] = {0x7c210b78, 0x7c631b78, 0x7ffffb78};
	for (size_t i = 0; i < sizeof hints / sizeof hints[0]; i++) {
		uc_engine *uc;
		uint8_t code[8];
		uint64_t r4 = 0, pc = 0, msr = 1ull << 63;
		assert_int_equal(uc_open(UC_ARCH_PPC, UC_MODE_PPC64 | UC_MODE_BIG_ENDIAN, &uc), UC_ERR_OK);
		assert_int_equal(uc_ctl_set_cpu_model(uc, UC_CPU_PPC64_970_V2_2), UC_ERR_OK);
		assert_int_equal(uc_mem_map(uc, CODE, 0x1000, UC_PROT_ALL), UC_ERR_OK);
		put_be32(code, hints[i]);
		put_be32(code + 4, 0x38800005); /* li r4,5 */
		assert_int_equal(uc_mem_write(uc, CODE, code, 8), UC_ERR_OK);
		assert_int_equal(uc_reg_write(uc, UC_PPC_REG_MSR, &msr), UC_ERR_OK);
		assert_int_equal(uc_emu_start(uc, CODE, CODE + 8, 0, 0), UC_ERR_OK);
		assert_int_equal(uc_reg_read(uc, UC_PPC_REG_4, &r4), UC_ERR_OK);
		assert_int_equal(uc_reg_read(uc, UC_PPC_REG_PC, &pc), UC_ERR_OK);
		if (r4 != 5 || pc != CODE + 8)
			fail_msg("0x%08x: the run stopped at 0x%llx with r4 = %llu (is the or-pause patch applied?)", hints[i],
				 (unsigned long long)pc, (unsigned long long)r4);
		uc_close(uc);
	}
}

/* The 32-bit side is unaffected: the default 7457A runs lwz. */
static void ppc32_default_runs_lwz(void **state)
{
	(void)state;
	uc_engine *uc;
	uint8_t code[4], data[4] = {0xca, 0xfe, 0xba, 0xbe};
	uint32_t r4 = DATA, r3 = 0;
	assert_int_equal(uc_open(UC_ARCH_PPC, UC_MODE_PPC32 | UC_MODE_BIG_ENDIAN, &uc), UC_ERR_OK);
	uc_mem_map(uc, CODE, 0x1000, UC_PROT_ALL);
	uc_mem_map(uc, DATA, 0x1000, UC_PROT_ALL);
	put_be32(code, 0x80640000); /* lwz r3,0(r4) */
	uc_mem_write(uc, CODE, code, 4);
	uc_mem_write(uc, DATA, data, 4);
	uc_reg_write(uc, UC_PPC_REG_4, &r4);
	assert_int_equal(uc_emu_start(uc, CODE, CODE + 4, 0, 1), UC_ERR_OK);
	uc_reg_read(uc, UC_PPC_REG_3, &r3);
	assert_int_equal(r3, 0xcafebabe);
	uc_close(uc);
}

/* XER's SO, OV and CA through uc_reg_write/uc_reg_read, on the 32-bit
 * default CPU and on the 970: CA written in is the carry `adde r3,r4,r5`
 * adds (0x7c642914, r4 = r5 = 0: r3 = 1), the carry `addic r3,r4,-1` makes
 * (0x3064ffff, r4 = 1) is read back, and SO and OV written in read back
 * unchanged. Encodings checked with objdump. */
static void xer_flags_reach_the_cpu(void **state)
{
	(void)state;
	for (int is64 = 0; is64 < 2; is64++) {
		static const uint32_t words[2] = {0x7c642914, 0x3064ffff};
		for (int k = 0; k < 2; k++) {
			uc_engine *uc;
			uint8_t code[4];
			uint64_t r3 = 7, r4 = k, r5 = 0, msr = is64 ? 1ull << 63 : 0;
			uint32_t xer = k == 0 ? 0x20000000u : 0, got = 0;
			assert_int_equal(uc_open(UC_ARCH_PPC, (is64 ? UC_MODE_PPC64 : UC_MODE_PPC32) | UC_MODE_BIG_ENDIAN, &uc),
					 UC_ERR_OK);
			if (is64)
				assert_int_equal(uc_ctl_set_cpu_model(uc, UC_CPU_PPC64_970_V2_2), UC_ERR_OK);
			assert_int_equal(uc_mem_map(uc, CODE, 0x1000, UC_PROT_ALL), UC_ERR_OK);
			put_be32(code, words[k]);
			assert_int_equal(uc_mem_write(uc, CODE, code, 4), UC_ERR_OK);
			assert_int_equal(uc_reg_write(uc, UC_PPC_REG_MSR, &msr), UC_ERR_OK);
			assert_int_equal(uc_reg_write(uc, UC_PPC_REG_4, &r4), UC_ERR_OK);
			assert_int_equal(uc_reg_write(uc, UC_PPC_REG_5, &r5), UC_ERR_OK);
			assert_int_equal(uc_reg_write(uc, UC_PPC_REG_XER, &xer), UC_ERR_OK);
			assert_int_equal(uc_emu_start(uc, CODE, CODE + 4, 0, 1), UC_ERR_OK);
			assert_int_equal(uc_reg_read(uc, UC_PPC_REG_3, &r3), UC_ERR_OK);
			assert_int_equal(uc_reg_read(uc, UC_PPC_REG_XER, &got), UC_ERR_OK);
			if (k == 0 && (r3 & 0xffffffffu) != 1)
				fail_msg("%s: adde with CA written in gave %llu, not 1 (is the XER patch applied?)",
					 is64 ? "970" : "7457A", (unsigned long long)r3);
			if (k == 1 && (r3 & 0xffffffffu) != 0)
				fail_msg("%s: addic r3,1,-1 gave 0x%llx", is64 ? "970" : "7457A", (unsigned long long)r3);
			if (k == 1 && !(got & 0x20000000u))
				fail_msg("%s: XER read 0x%08x after a carry, CA clear (is the XER patch applied?)",
					 is64 ? "970" : "7457A", got);
			xer = 0xc0000000u; /* SO and OV in, and back out */
			assert_int_equal(uc_reg_write(uc, UC_PPC_REG_XER, &xer), UC_ERR_OK);
			assert_int_equal(uc_reg_read(uc, UC_PPC_REG_XER, &got), UC_ERR_OK);
			assert_int_equal(got, 0xc0000000u);
			uc_close(uc);
		}
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(ppc64_970_runs_ld),
		cmocka_unit_test(ppc64_power7_runs_ld),
		cmocka_unit_test(ppc64_or_rx_rx_rx_is_a_nop),
		cmocka_unit_test(ppc32_default_runs_lwz),
		cmocka_unit_test(xer_flags_reach_the_cpu),
	};
	return cmocka_run_group_tests_name("unicorn", tests, NULL, NULL);
}
