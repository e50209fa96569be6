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

/* The one capstone handle cache: this thread's handle for 32- or 64-bit
 * PowerPC, big-endian, with instruction details on, opened on first use
 * (the sweeps run threads, each with its own). False when capstone cannot
 * open one: the caller reports an internal failure, never a verdict. The
 * handle is a capstone csh (a size_t), so that this header needs not
 * capstone's. */
bool pv_capstone(bool is64, size_t *handle);
/* Closes this thread's handles (a sweep thread, before it ends). */
void pv_capstone_thread_done(void);

#endif
