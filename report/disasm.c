#include <capstone/capstone.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "disasm.h"

static csh handle[2];
static bool opened[2];

static csh get_handle(bool is64)
{
	if (!opened[is64]) {
		cs_mode mode = (is64 ? CS_MODE_64 : CS_MODE_32) | CS_MODE_BIG_ENDIAN;
		if (cs_open(CS_ARCH_PPC, mode, &handle[is64]) != CS_ERR_OK) {
			fprintf(stderr, "pvfuzz: capstone has no PowerPC support\n");
			exit(70);
		}
		opened[is64] = true;
	}
	return handle[is64];
}

const char *pv_disasm(bool is64, uint32_t word, uint64_t addr, char *buf, size_t n)
{
	uint8_t b[4] = {(uint8_t)(word >> 24), (uint8_t)(word >> 16), (uint8_t)(word >> 8), (uint8_t)word};
	cs_insn *insn;
	size_t count = cs_disasm(get_handle(is64), b, 4, addr, 1, &insn);

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
