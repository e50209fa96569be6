#include <capstone/capstone.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "disasm.h"
#include "pv.h"

static _Thread_local csh handle[2];
static _Thread_local bool opened[2];

_Static_assert(sizeof(csh) == sizeof(size_t), "csh is a size_t");

bool pv_capstone(bool is64, size_t *out)
{
	if (!opened[is64]) {
		cs_mode mode = (is64 ? CS_MODE_64 : CS_MODE_32) | CS_MODE_BIG_ENDIAN;
		if (cs_open(CS_ARCH_PPC, mode, &handle[is64]) != CS_ERR_OK)
			return false;
		if (cs_option(handle[is64], CS_OPT_DETAIL, CS_OPT_ON) != CS_ERR_OK) {
			cs_close(&handle[is64]);
			return false;
		}
		opened[is64] = true;
	}
	*out = handle[is64];
	return true;
}

void pv_capstone_thread_done(void)
{
	for (int k = 0; k < 2; k++)
		if (opened[k]) {
			cs_close(&handle[k]);
			opened[k] = false;
		}
}

const char *pv_disasm(bool is64, uint32_t word, uint64_t addr, char *buf, size_t n)
{
	uint8_t b[4]; /* capstone reads the word big-endian: an instruction value */
	pv_store(b, 4, false, word);
	cs_insn *insn;
	size_t h;
	if (!pv_capstone(is64, &h)) {
		snprintf(buf, n, ".long 0x%08x (capstone could not be opened)", word);
		return buf;
	}
	size_t count = cs_disasm(h, b, 4, addr, 1, &insn);

	if (count == 1) {
		if (insn->op_str[0])
			snprintf(buf, n, "%s %s", insn->mnemonic, insn->op_str);
		else
			snprintf(buf, n, "%s", insn->mnemonic);
		cs_free(insn, count);
	} else {
		snprintf(buf, n, ".long 0x%08x", word);
	}
	return buf;
}
