/* A kernel ELF (vmlinux) as the boot-time patch loop sees it: the flavor,
 * the patch range _stext.._etext, the template code to skip, the template
 * area, and __end_interrupts; read with libelf. Returns errors, never exits
 * (the command line turns them into messages, tool/cli.c); the engine
 * sees a text image and ranges. */
#ifndef PV_VMLINUX_H
#define PV_VMLINUX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "pv.h"

enum pv_ksym {
	PV_KSYM_STEXT,          /* _stext: start of the patch range */
	PV_KSYM_ETEXT,          /* _etext: its end */
	PV_KSYM_TEMPLATE_START, /* kvm_template_start: skipped (template code and area) */
	PV_KSYM_TEMPLATE_END,   /* kvm_template_end */
	PV_KSYM_TMP,            /* kvm_tmp: the template area */
	PV_KSYM_TMP_END,        /* kvm_tmp_end */
	PV_KSYM_END_INTERRUPTS, /* __end_interrupts: relocatable Book3S rule */
	PV_NKSYMS
};

struct pv_ksym_info {
	const char *name;   /* the ELF symbol */
	const char *option; /* the pvfuzz option that gives it by hand */
};
const struct pv_ksym_info *pv_ksym_info(enum pv_ksym s);

struct pv_vmlinux {
	/* from the ELF header */
	unsigned elf_class;    /* 32 or 64 */
	bool little_endian;
	unsigned abi;          /* ppc64 e_flags ABI: 1 ELFv1, 2 ELFv2, 0 unspecified */
	enum pv_flavor flavor; /* from class, byte order and ABI, unless given */
	bool flavor_given;
	char build_id[41];     /* hex, "" when the ELF has none */
	/* symbols: from the symbol table, or given by hand (given[] set) */
	uint64_t sym[PV_NKSYMS];
	bool have[PV_NKSYMS], given[PV_NKSYMS];
	bool vectors_rule;     /* branch patching withheld below __end_interrupts */
	/* the text _stext.._etext, bytes in guest order */
	uint8_t *text;
	size_t text_len;
};

/* Before loading: zero *k, then set sym[]/given[] for symbols given by hand,
 * flavor/flavor_given to override the ELF's, and no_vectors_rule. */
struct pv_vmlinux_opts {
	bool no_vectors_rule;
};

/* Reads the kernel. Returns 0, or -1 with one line in err naming the
 * problem: not an ELF, not PowerPC, a missing symbol and the option that
 * gives it, an inconsistent layout. */
int pv_vmlinux_load(const char *path, const struct pv_vmlinux_opts *o, struct pv_vmlinux *k, char *err, size_t n);
/* The same from size bytes in memory (fuzz_vmlinux); name stands for the
 * path in messages. data is only read. */
int pv_vmlinux_load_mem(const char *name, const uint8_t *data, size_t size, const struct pv_vmlinux_opts *o,
			struct pv_vmlinux *k, char *err, size_t n);
void pv_vmlinux_free(struct pv_vmlinux *k);

/* The patch-loop inputs of a loaded kernel: the image is k->text at _stext,
 * the area lies inside it (kvm_tmp), the skip range is the template code. */
struct pv_kernel_patch {
	struct pv_image img;
	struct pv_area area;
	struct pv_range skip;
	struct pv_patch_opts popts;
};
void pv_vmlinux_patch_setup(struct pv_vmlinux *k, struct pv_kernel_patch *p);

#endif
