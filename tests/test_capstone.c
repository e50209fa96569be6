/* Capstone cross-check: every word the engine emits decodes with capstone to
 * the expected mnemonic and operands. The expected page offsets come from
 * this file's own copy of the spec's tables, not from the engine's. */
#include <capstone/capstone.h>

#include "test_util.h"

/* spec section 3/4: where each single-word class goes */
static const struct { enum pv_class cls; unsigned offset, size; } spec_fields[] = {
	{PV_C_MFMSR, 88, 8},
	{PV_C_MFSPR_SPRG0, 32, 8}, {PV_C_MTSPR_SPRG0, 32, 8}, {PV_C_MFSPR_SPRG1, 40, 8}, {PV_C_MTSPR_SPRG1, 40, 8},
	{PV_C_MFSPR_SPRG2, 48, 8}, {PV_C_MTSPR_SPRG2, 48, 8}, {PV_C_MFSPR_SPRG3, 56, 8}, {PV_C_MTSPR_SPRG3, 56, 8},
	{PV_C_MFSPR_SRR0, 64, 8}, {PV_C_MTSPR_SRR0, 64, 8}, {PV_C_MFSPR_SRR1, 72, 8}, {PV_C_MTSPR_SRR1, 72, 8},
	{PV_C_MFSPR_DAR, 80, 8}, {PV_C_MTSPR_DAR, 80, 8}, {PV_C_MFSPR_DEAR, 80, 8}, {PV_C_MTSPR_DEAR, 80, 8},
	{PV_C_MFSPR_DSISR, 96, 4}, {PV_C_MTSPR_DSISR, 96, 4},
	{PV_C_MFSPR_SPRG4, 208, 8}, {PV_C_MTSPR_SPRG4, 208, 8}, {PV_C_MFSPR_SPRG5, 216, 8}, {PV_C_MTSPR_SPRG5, 216, 8},
	{PV_C_MFSPR_SPRG6, 224, 8}, {PV_C_MTSPR_SPRG6, 224, 8}, {PV_C_MFSPR_SPRG7, 232, 8}, {PV_C_MTSPR_SPRG7, 232, 8},
	{PV_C_MFSPR_SPRG4R, 208, 8}, {PV_C_MFSPR_SPRG5R, 216, 8}, {PV_C_MFSPR_SPRG6R, 224, 8}, {PV_C_MFSPR_SPRG7R, 232, 8},
	{PV_C_MFSPR_PIR, 204, 4}, {PV_C_MFSPR_ESR, 200, 4}, {PV_C_MTSPR_ESR, 200, 4},
	{PV_C_MFSPR_MAS0, 168, 4}, {PV_C_MTSPR_MAS0, 168, 4}, {PV_C_MFSPR_MAS1, 172, 4}, {PV_C_MTSPR_MAS1, 172, 4},
	{PV_C_MFSPR_MAS2, 184, 8}, {PV_C_MTSPR_MAS2, 184, 8}, {PV_C_MFSPR_MAS3, 180, 4}, {PV_C_MTSPR_MAS3, 180, 4},
	{PV_C_MFSPR_MAS4, 192, 4}, {PV_C_MTSPR_MAS4, 192, 4}, {PV_C_MFSPR_MAS6, 196, 4}, {PV_C_MTSPR_MAS6, 196, 4},
	{PV_C_MFSPR_MAS7, 176, 4}, {PV_C_MTSPR_MAS7, 176, 4},
};

static csh cs[2];

static int setup(void **state)
{
	(void)state;
	for (int w = 0; w < 2; w++) {
		if (cs_open(CS_ARCH_PPC, (w ? CS_MODE_64 : CS_MODE_32) | CS_MODE_BIG_ENDIAN, &cs[w]) != CS_ERR_OK)
			return -1;
		cs_option(cs[w], CS_OPT_DETAIL, CS_OPT_ON);
	}
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	cs_close(&cs[0]);
	cs_close(&cs[1]);
	return 0;
}

struct dec {
	unsigned id;
	char text[192];
	cs_ppc ppc;
};

/* Decodes w at addr; fails the test when capstone cannot. */
static struct dec decode(bool is64, uint32_t w, uint64_t addr, const char *what)
{
	uint8_t b[4] = {(uint8_t)(w >> 24), (uint8_t)(w >> 16), (uint8_t)(w >> 8), (uint8_t)w};
	cs_insn *insn;
	struct dec d = {0};
	if (cs_disasm(cs[is64], b, 4, addr, 1, &insn) != 1)
		fail_msg("%s: capstone cannot decode 0x%08x", what, w);
	d.id = insn->id;
	snprintf(d.text, sizeof d.text, "%s %s", insn->mnemonic, insn->op_str);
	d.ppc = insn->detail->ppc;
	cs_free(insn, 1);
	return d;
}

#define GPR(n) (PPC_REG_R0 + (n))

static void expect_mem(const char *what, struct dec d, unsigned id, unsigned reg, unsigned base, int disp)
{
	if (d.id != id || d.ppc.op_count != 2 || d.ppc.operands[0].type != PPC_OP_REG ||
	    d.ppc.operands[0].reg != GPR(reg) || d.ppc.operands[1].type != PPC_OP_MEM ||
	    d.ppc.operands[1].mem.base != GPR(base) || d.ppc.operands[1].mem.disp != disp)
		fail_msg("%s: decoded '%s', want insn %u r%u, %d(r%u)", what, d.text, id, reg, disp, base);
}

static void expect_branch(const char *what, struct dec d, uint64_t target, bool is64)
{
	uint64_t got = (uint64_t)d.ppc.operands[0].imm;
	if (!is64)
		got &= 0xffffffffu, target &= 0xffffffffu;
	if (d.id != PPC_INS_B || d.ppc.op_count != 1 || got != target)
		fail_msg("%s: decoded '%s', want b 0x%llx", what, d.text, (unsigned long long)target);
}

static void check_simple(const struct pv_ctx *ctx, const struct pv_row *row, uint32_t w, uint32_t now)
{
	bool is64 = ctx->fi->is64;
	char what[96];
	snprintf(what, sizeof what, "%s 0x%08x on %s", pv_class_name(row->cls), w, ctx->fi->name);
	struct dec d = decode(is64, now, 0, what);
	if (row->kind == PV_K_NOP) {
		if (d.id != PPC_INS_NOP)
			fail_msg("%s: decoded '%s', want nop", what, d.text);
		return;
	}
	for (size_t i = 0; i < sizeof spec_fields / sizeof spec_fields[0]; i++) {
		if (spec_fields[i].cls != row->cls)
			continue;
		bool wide = spec_fields[i].size == 8 && is64;
		int disp = -4096 + (int)spec_fields[i].offset + (spec_fields[i].size == 8 && !is64 ? 4 : 0);
		bool store = row->kind == PV_K_STORE;
		unsigned id = wide ? (store ? PPC_INS_STD : PPC_INS_LD) : (store ? PPC_INS_STW : PPC_INS_LWZ);
		expect_mem(what, d, id, (w >> 21) & 31, 0, disp);
		return;
	}
	fail_msg("%s: no spec field in this test for the class", what);
}

/* r30/r31's guest values: scratch2 / scratch1 (low word on 32-bit) */
static int scratch_disp(unsigned r, bool is64)
{
	return -4096 + (r == 30 ? 8 : 0) + (is64 ? 0 : 4);
}

static void expect_fetch(const char *what, struct dec d, unsigned dst, unsigned r, bool is64)
{
	if (r >= 30) {
		expect_mem(what, d, is64 ? PPC_INS_LD : PPC_INS_LWZ, dst, 0, scratch_disp(r, is64));
	} else if (d.id != PPC_INS_MR || d.ppc.operands[0].reg != GPR(dst) || d.ppc.operands[1].reg != GPR(r)) {
		fail_msg("%s: decoded '%s', want mr r%u, r%u", what, d.text, dst, r);
	}
}

static void check_template(const struct pv_ctx *ctx, const struct pv_row *row, uint32_t w, const struct one_site *o)
{
	bool is64 = ctx->fi->is64;
	const struct pv_tmpl_layout *l = o->l;
	char what[128];
	snprintf(what, sizeof what, "%s 0x%08x on %s/%s", pv_class_name(row->cls), w, ctx->fi->name,
		 pv_profile_name(ctx->profile));
	expect_branch(what, decode(is64, o->now, o->site, what), o->at, is64);
	struct dec orig = decode(is64, w, 0, what);
	for (unsigned i = 0; i < l->nwords; i++) {
		uint64_t addr = o->at + 4 * i;
		struct dec d = decode(is64, o->inst[i], addr, what);
		if ((int)i == l->orig && (d.id != orig.id || strcmp(d.text, orig.text) != 0))
			fail_msg("%s: orig slot '%s', want '%s'", what, d.text, orig.text);
		if ((int)i == l->branch)
			expect_branch(what, d, o->site + 4, is64);
		if ((int)i == l->reg) {
			if (row->ee_imm) {
				if (d.id != PPC_INS_LI || d.ppc.operands[0].reg != GPR(30) ||
				    !(d.ppc.operands[1].imm & 0x8000))
					fail_msg("%s: register slot '%s', want li r30 with EE set", what, d.text);
			} else {
				expect_fetch(what, d, 30, (w >> 21) & 31, is64);
			}
		}
	}
	if (row->target != PV_T_MTSRIN)
		return;
	unsigned rs = (w >> 21) & 31, rb = (w >> 11) & 31;
	bool fix = ctx->profile == PV_PROFILE_FIXED;
	unsigned rb_reg = fix && rb >= 30 ? 30 : rb, rs_reg = fix && rs >= 30 ? 31 : rs;
	if (fix && rb >= 30)
		expect_fetch(what, decode(is64, o->inst[l->rb_load], 0, what), 30, rb, is64);
	if (fix && rs >= 30)
		expect_fetch(what, decode(is64, o->inst[l->rs_load], 0, what), 31, rs, is64);
	struct dec d = decode(is64, o->inst[l->rb_use], 0, what);
	if (d.id != PPC_INS_RLWINM || d.ppc.op_count != 5 || d.ppc.operands[0].reg != GPR(30) ||
	    d.ppc.operands[1].reg != GPR(rb_reg) || d.ppc.operands[2].imm != 6 || d.ppc.operands[3].imm != 26 ||
	    d.ppc.operands[4].imm != 29)
		fail_msg("%s: rb slot '%s', want rlwinm r30, r%u, 6, 26, 29", what, d.text, rb_reg);
	expect_mem(what, decode(is64, o->inst[l->rs_use], 0, what), PPC_INS_STW, rs_reg, 30, -4096 + 104);
}

static const unsigned regs[] = {0, 1, 5, 29, 30, 31};

static void every_emitted_word(void **state)
{
	(void)state;
	unsigned checked = 0;
	FOR_EACH_FLAVOR(f) {
		for (enum pv_profile p = 0; p < PV_NPROFILES; p++) {
			struct pv_ctx ctx;
			ctx_or_die(&ctx, f, PV_FEAT_ALL, p);
			for (unsigned i = 0; i < ctx.nactive; i++) {
				const struct pv_row *row = ctx.active[i];
				for (size_t a = 0; a < sizeof regs / sizeof regs[0]; a++)
					for (size_t b = 0; b < sizeof regs / sizeof regs[0]; b++) {
						if (b && !(row->carried & 0x0000f800u))
							break;
						if (a && !row->carried)
							break;
						uint32_t w = row->match | (row->carried ? regs[a] << 21 : 0) |
							     (row->carried & 0x0000f800u ? regs[b] << 11 : 0);
						struct one_site o;
						patch_one(&ctx, w, &o);
						assert_ptr_equal(o.row, row);
						if (row->kind == PV_K_TEMPLATE)
							check_template(&ctx, row, w, &o);
						else
							check_simple(&ctx, row, w, o.now);
						checked++;
					}
			}
		}
	}
	assert_true(checked > 500);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(every_emitted_word),
	};
	return cmocka_run_group_tests_name("capstone", tests, setup, teardown);
}
