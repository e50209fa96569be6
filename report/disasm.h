/* Disassembly for people to read: every listing pvfuzz prints comes from
 * capstone through here. */
#ifndef PV_DISASM_H
#define PV_DISASM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* "mnemonic operands" of one word at addr, or ".long 0x..." when capstone
 * does not decode it. The word is an instruction value, independent of the
 * guest's byte order. Returns buf. */
const char *pv_disasm(bool is64, uint32_t word, uint64_t addr, char *buf, size_t n);

#endif
