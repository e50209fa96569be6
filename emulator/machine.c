/* One unicorn machine per flavor and one run of guest code on it.
 *
 * The hypervisor model is reached through a code hook over the code and the
 * template area: every instruction there is looked at before it executes,
 * and one the engine's matcher recognises is emulated against the page and
 * skipped (docs/emulator.md says why a hook and not MSR[PR] traps). The
 * same hook counts the instruction budget and polices entry into the area.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <unicorn/unicorn.h>

#include "emu.h"
#include "emu_uc.h"
#include "hv.h"

#define MSR_SF ISA_MSR_SF
#define MSR_LE ISA_MSR_LE
#define TEXT_SIZE (4u * PV_EMU_TEXT_WORDS)
#define CODE_END (PV_EMU_AREA_BASE + PV_EMU_AREA_SIZE)

/* How each flavor runs (spec section 9, docs/emulator.md). */
static const struct emu_flavor {
	uc_mode mode;
	int model; /* -1: unicorn's default */
	uint64_t msr;
	const char *cpu;
} emu_flavors[PV_NFLAVORS] = {
	[PV_BOOK3S32]   = {UC_MODE_PPC32, -1, 0, "7457A"},
	[PV_BOOKE32]    = {UC_MODE_PPC32, UC_CPU_PPC32_E500V2_V22, 0, "e500v2"},
	[PV_BOOK3S64]   = {UC_MODE_PPC64, UC_CPU_PPC64_970_V2_2, MSR_SF, "970"},
	/* the e5500 model faults on its first fetch; every BookE instruction in
	 * play is handled by the model, so a 64-bit Book3S CPU stands in */
	[PV_BOOKE64]    = {UC_MODE_PPC64, UC_CPU_PPC64_970_V2_2, MSR_SF, "970 (standing in for e5500)"},
	/* unicorn refuses UC_MODE_LITTLE_ENDIAN for PPC; MSR[LE] works on POWER7 */
	[PV_BOOK3S64LE] = {UC_MODE_PPC64, UC_CPU_PPC64_POWER7_V2_3, MSR_SF | MSR_LE, "POWER7 with MSR[LE]"},
};

struct pv_machine {
	enum pv_flavor flavor;
	bool is64;
	uc_engine *uc;
	uc_context *clean;
	uint8_t *text, *area, *data, *page; /* host memory mapped into the guest */
	uint64_t page_phys;

	/* the current run */
	const struct pv_ctx *ctx;
	const struct pv_code *code;
	struct pv_run *out;
	uint64_t until, last_pc, c0;
	unsigned budget;
	uint64_t irq_mask;  /* deliver at instance boundary k when bit k % 64 is set */
	unsigned irq_k;     /* instance boundaries passed so far */
	bool ending, last_in_area;
	bool regs_taken; /* registers already saved at an aborted instruction */
	bool dirty;      /* the CPU may hold more than the next run sets: restore the clean context */
	bool failed;     /* a unicorn call failed: err says which */
	char err[160];

	/* what the guest memory holds from the last run: code is rewritten and
	 * its translations dropped only when it changes, so running the same
	 * code from many start states reuses unicorn's translated blocks */
	uint32_t loaded_text[PV_EMU_TEXT_WORDS], loaded_area[PV_EMU_AREA_SIZE / 4];
	unsigned loaded_n, loaded_area_words, loaded_features;
};

uint64_t pv_emu_page_phys(enum pv_flavor f)
{
	/* 64-bit real mode ignores the top four address bits (spec section 9) */
	return pv_flavor_info(f)->is64 ? 0x0ffffffffffff000ull : 0xfffff000ull;
}

const char *pv_machine_cpu(const struct pv_machine *m) { return emu_flavors[m->flavor].cpu; }
const char *pv_machine_error(const struct pv_machine *m) { return m->err; }

uc_err pv_uc_open(enum pv_flavor f, uc_engine **uc, const char **step)
{
	const struct emu_flavor *ef = &emu_flavors[f];
	uc_err e;
	*step = "open";
	if ((e = uc_open(UC_ARCH_PPC, ef->mode | UC_MODE_BIG_ENDIAN, uc)) != UC_ERR_OK)
		return e;
	/* unicorn's default translation buffer is 1 GiB per engine; the code
	 * under test is tiny, and a full buffer is simply flushed */
	*step = "size the translation buffer";
	if ((e = uc_ctl_set_tcg_buffer_size(*uc, 32u << 20)) != UC_ERR_OK)
		return e;
	*step = "set the CPU model";
	if (ef->model >= 0 && (e = uc_ctl_set_cpu_model(*uc, ef->model)) != UC_ERR_OK)
		return e;
	*step = "set the MSR";
	uint64_t msr = ef->msr;
	return uc_reg_write(*uc, UC_PPC_REG_MSR, &msr);
}

/* Every unicorn call of a run goes through here: the first failure is kept
 * with what failed, the run stops, and pv_machine_run() returns -1. An
 * ignored error would be a run that "ended" alike on both sides. */
static bool uc_ok(struct pv_machine *m, uc_err e, const char *what)
{
	if (e == UC_ERR_OK)
		return true;
	m->dirty = true; /* whatever state the CPU is in now */
	if (!m->failed) {
		m->failed = true;
		snprintf(m->err, sizeof m->err, "%s: unicorn: %s (%s)", pv_flavor_info(m->flavor)->name, what,
			 uc_strerror(e));
		uc_emu_stop(m->uc); /* best effort: the run is void anyway */
	}
	return false;
}

static bool in_area(uint64_t a) { return a - PV_EMU_AREA_BASE < PV_EMU_AREA_SIZE; }
static bool in_text(uint64_t a) { return a - PV_EMU_TEXT_BASE < TEXT_SIZE; }

/* An address of the patched code as the same place in the original code:
 * inside an instance it is the instance's site. */
static const struct pv_instance *instance_at(const struct pv_machine *m, uint64_t a)
{
	for (unsigned i = 0; i < m->code->ninst; i++) {
		const struct pv_instance *in = &m->code->inst[i];
		if (a - in->at < 4ull * in->nwords)
			return in;
	}
	return NULL;
}

static uint64_t map_pc(const struct pv_machine *m, uint64_t a)
{
	const struct pv_instance *in = in_area(a) ? instance_at(m, a) : NULL;
	return in ? in->site : a;
}

static uint64_t reg_read(struct pv_machine *m, int reg)
{
	uint64_t v = 0;
	if (!uc_ok(m, uc_reg_read(m->uc, reg, &v), "read a register"))
		return 0;
	return m->is64 ? v : v & 0xffffffffu;
}

static void reg_write(struct pv_machine *m, int reg, uint64_t v)
{
	/* unicorn reads 4 bytes on ppc32: the low half on this little-endian host */
	uc_ok(m, uc_reg_write(m->uc, reg, &v), "write a register");
}

/* Ends the run. From the code hook the current instruction does not
 * execute: unicorn checks for a stop request right after the hook. */
static void end_run(struct pv_machine *m, enum pv_end why, uint64_t pc)
{
	if (m->ending)
		return;
	m->ending = true;
	m->out->end = (uint8_t)why;
	m->out->end_pc = pc;
	uc_ok(m, uc_emu_stop(m->uc), "stop the run");
}

/* Appends an event; the last free place holds an overflow event instead.
 * Returns what was stored. */
static struct pv_event record_event(struct pv_machine *m, struct pv_event ev)
{
	struct pv_run *o = m->out;
	if (o->nev == PV_EMU_MAX_EVENTS - 1 && ev.kind != PV_EV_OVERFLOW)
		ev = (struct pv_event){.kind = PV_EV_OVERFLOW, .pc = ev.pc};
	if (o->nev < PV_EMU_MAX_EVENTS)
		o->ev[o->nev++] = ev;
	return ev;
}

/* An event during the run: all but a must-act trap end it. */
static void add_event(struct pv_machine *m, struct pv_event ev)
{
	ev = record_event(m, ev);
	if (ev.kind != PV_EV_MUST_ACT)
		end_run(m, PV_END_EVENT, ev.pc);
}

static uint32_t word_at(const struct pv_machine *m, uint64_t a)
{
	if (in_text(a)) {
		unsigned i = (unsigned)((a - PV_EMU_TEXT_BASE) / 4);
		return i < m->code->n ? m->code->text[i] : 0;
	}
	unsigned i = (unsigned)((a - PV_EMU_AREA_BASE) / 4);
	return i < m->code->area_words ? m->code->area[i] : 0;
}

/* The hypervisor decides on delivery at a trap; pc is where execution goes on. */
static void delivery_check(struct pv_machine *m, uint64_t pc, bool at_exit)
{
	enum hv_delivery d = pv_hv_delivery(m->flavor, m->page, reg_read(m, UC_PPC_REG_1),
					    reg_read(m, UC_PPC_REG_2), m->c0);
	if (d == HV_NONE)
		return;
	struct pv_event ev = {.kind = d == HV_DELIVER ? PV_EV_DELIVER : PV_EV_PRECOND, .detail = at_exit, .pc = pc};
	if (at_exit)
		record_event(m, ev); /* the run has ended already, and keeps its end */
	else
		add_event(m, ev);
}

/* The hypervisor emulates an instruction the model knows (isa.h) against
 * the page; the CPU never executes it. */
static void trap(struct pv_machine *m, uint64_t addr, const struct isa_insn *in)
{
	struct hv_regs r = {
		.rs = reg_read(m, UC_PPC_REG_0 + in->rt),
		.rb = reg_read(m, UC_PPC_REG_0 + in->rb),
	};
	struct pv_event ev;
	if (pv_hv_emulate(m->flavor, in, &r, m->page, &ev)) {
		ev.pc = map_pc(m, addr);
		add_event(m, ev);
	}
	if (r.writes_rt)
		reg_write(m, UC_PPC_REG_0 + in->rt, r.rt);
	delivery_check(m, map_pc(m, addr) + 4, false);
	/* the word is a nop in guest memory (put_words): execution goes on past it */
}

/* An instruction boundary inside a template instance: an interrupt that
 * arrives here is delivered when the page allows it, and the guest's
 * handler leaves scratch1-3 and critical changed (docs/emulator.md,
 * "Interrupts inside an instance"). */
static void instance_boundary(struct pv_machine *m)
{
	unsigned k = m->irq_k++;
	uint64_t r1 = reg_read(m, UC_PPC_REG_1);
	if (!pv_hv_async_deliverable(m->flavor, m->page, r1))
		return;
	m->out->irq_windows++;
	if (!(m->irq_mask >> (k % 64) & 1))
		return;
	m->out->irq_taken++;
	pv_hv_handler_effect(m->flavor, m->page, reg_read(m, UC_PPC_REG_2), m->c0 ^ m->out->irq_taken, k);
}

static enum pv_event_kind guard_kind(struct pv_machine *m, uint64_t phys, uint64_t len, bool store);

/* lmw, stmw, lswi, lswx, stswi, stswx, dcbz: unicorn's helpers for them
 * bypass the memory hooks, so their block is checked here, before the
 * instruction runs (its registers are then the ones from before it, as for
 * a guarded access). Returns true when the run ended. */
static bool block_access(struct pv_machine *m, uint32_t w)
{
	struct isa_block b;
	if (!isa_block_access(w, &b))
		return false;
	uint64_t mask = m->is64 ? ~0ull : 0xffffffffull;
	uint64_t ea = b.ra ? reg_read(m, UC_PPC_REG_0 + b.ra) : 0;
	ea += b.use_rb ? reg_read(m, UC_PPC_REG_0 + b.rb) : (uint64_t)(int64_t)b.disp;
	uint64_t len = b.xer_count ? reg_read(m, UC_PPC_REG_XER) & 0x7f : b.len;
	if (b.line)
		ea &= ~(uint64_t)(b.len - 1);
	ea &= mask;
	if (!len)
		return false;
	uint64_t phys = m->is64 ? ea & 0x0fffffffffffffffull : ea;
	enum pv_event_kind k = guard_kind(m, phys, len, b.store);
	if (k == PV_NEVENT_KINDS)
		return false;
	add_event(m, (struct pv_event){.kind = k, .pc = map_pc(m, m->last_pc), .addr = ea});
	return true;
}

static void on_code(uc_engine *uc, uint64_t addr, uint32_t size, void *user)
{
	struct pv_machine *m = user;
	(void)uc, (void)size;
	if (m->ending)
		return;
	bool area = in_area(addr);
	if (addr == m->until) { /* the end of the code: the hook stops the run (uc_exit below) */
		end_run(m, PV_END_FELL_THROUGH, addr);
		return;
	}
	if (!area) {
		if (m->out->steps == m->budget) {
			end_run(m, PV_END_BUDGET, addr);
			return;
		}
		m->out->steps++;
	} else if (!m->last_in_area) {
		/* the only way in is a site's branch to the start of its instance */
		const struct pv_instance *in = in_text(m->last_pc) ? instance_at(m, addr) : NULL;
		if (!in || in->site != m->last_pc || in->at != addr) {
			add_event(m, (struct pv_event){.kind = PV_EV_WILD_AREA, .pc = map_pc(m, m->last_pc), .addr = addr});
			return;
		}
	}
	m->last_pc = addr;
	m->last_in_area = area;
	if (area)
		instance_boundary(m);

	uint32_t w = word_at(m, addr);
	struct isa_insn in;
	if (!area && block_access(m, w))
		return;
	if (isa_decode(m->flavor, m->ctx->features, w, &in))
		trap(m, addr, &in); /* emulated: the CPU runs a nop */
	else if (pv_hv_unmodelled(w))
		add_event(m, (struct pv_event){.kind = PV_EV_UNMODELLED, .detail = w, .pc = map_pc(m, addr)});
	else if (isa_time_base(w))
		add_event(m, (struct pv_event){.kind = PV_EV_TIME_BASE, .detail = w, .pc = map_pc(m, addr)});
	else if (!isa_leaves_cpu_state(w))
		m->dirty = true; /* the CPU runs it: the next run starts from the clean context */
}

static void save_regs(struct pv_machine *m)
{
	struct pv_run *out = m->out;
	for (int i = 0; i < 32; i++)
		out->gpr[i] = reg_read(m, UC_PPC_REG_0 + i);
	out->lr = reg_read(m, UC_PPC_REG_LR);
	out->ctr = reg_read(m, UC_PPC_REG_CTR);
	out->cr = (uint32_t)reg_read(m, UC_PPC_REG_CR);
	out->xer = (uint32_t)reg_read(m, UC_PPC_REG_XER);
	m->regs_taken = true;
}

/* What a guest access of len bytes at phys runs into: the code or the
 * area, page bytes the guest does not own (isa_page_guard), or nothing
 * (PV_NEVENT_KINDS). */
static enum pv_event_kind guard_kind(struct pv_machine *m, uint64_t phys, uint64_t len, bool store)
{
	if (phys < CODE_END && (phys >= PV_EMU_TEXT_BASE || len > PV_EMU_TEXT_BASE - phys))
		return PV_EV_CODE_ACCESS; /* [phys, phys + len) meets [TEXT_BASE, CODE_END) */
	uint64_t off = phys - m->page_phys;
	if (phys < m->page_phys) { /* starts below the page: the part inside it, if any */
		if (len <= m->page_phys - phys)
			return PV_NEVENT_KINDS;
		len -= m->page_phys - phys;
		off = 0;
	}
	switch (isa_page_guard(m->flavor, off, len > PV_MAGIC_PAGE_SIZE ? PV_MAGIC_PAGE_SIZE : (unsigned)len, store)) {
	case ISA_HV_OWNED: return PV_EV_PAGE_GUARD;
	case ISA_HIGH_WORD: return PV_EV_HIGH_WORD;
	default: return PV_NEVENT_KINDS;
	}
}

/* Guest data accesses to the code, the area, or page bytes the guest does
 * not own (isa_page_guard; templates themselves may use them). */
static void on_mem(uc_engine *uc, uc_mem_type type, uint64_t addr, int size, int64_t value, void *user)
{
	struct pv_machine *m = user;
	(void)uc, (void)value;
	if (m->ending || m->last_in_area)
		return;
	uint64_t phys = m->is64 ? addr & 0x0fffffffffffffffull : addr & 0xffffffffull;
	enum pv_event_kind k = guard_kind(m, phys, (uint64_t)size, type == UC_MEM_WRITE);
	if (k == PV_NEVENT_KINDS)
		return;
	/* the access is part way through its instruction: keep the registers
	 * as they were before it, which is where both runs stop */
	save_regs(m);
	add_event(m, (struct pv_event){.kind = k, .pc = map_pc(m, m->last_pc), .addr = addr});
}

static bool on_invalid(uc_engine *uc, uc_mem_type type, uint64_t addr, int size, int64_t value, void *user)
{
	struct pv_machine *m = user;
	(void)uc, (void)size, (void)value;
	m->dirty = true;
	if (!m->ending)
		add_event(m, (struct pv_event){.kind = PV_EV_FAULT, .detail = (uint32_t)type,
					       .pc = map_pc(m, m->last_pc), .addr = addr});
	return false;
}

static void on_intr(uc_engine *uc, uint32_t intno, void *user)
{
	struct pv_machine *m = user;
	(void)uc;
	m->dirty = true; /* the interrupt changed MSR, SRR0/1 and the rest */
	if (!m->ending)
		add_event(m, (struct pv_event){.kind = PV_EV_EXCEPTION, .detail = intno, .pc = map_pc(m, m->last_pc)});
	else
		uc_ok(m, uc_emu_stop(m->uc), "stop the run");
}

void *pv_emu_page_alloc(size_t n)
{
	n = (n + 4095) & ~(size_t)4095;
	void *p = aligned_alloc(4096, n);
	if (p)
		memset(p, 0, n);
	return p;
}

struct pv_machine *pv_machine_new(enum pv_flavor f, char *err, size_t errlen)
{
	struct pv_machine *m = calloc(1, sizeof(*m));
	uc_err e = UC_ERR_NOMEM;
	const char *step = "allocate";
	if (!m)
		goto fail;
	m->flavor = f;
	m->is64 = pv_flavor_info(f)->is64;
	m->page_phys = pv_emu_page_phys(f);
	m->text = pv_emu_page_alloc(TEXT_SIZE);
	m->area = pv_emu_page_alloc(PV_EMU_AREA_SIZE);
	m->data = pv_emu_page_alloc(PV_EMU_DATA_SIZE);
	m->page = pv_emu_page_alloc(PV_MAGIC_PAGE_SIZE);
	if (!m->text || !m->area || !m->data || !m->page)
		goto fail;

	if ((e = pv_uc_open(f, &m->uc, &step)) != UC_ERR_OK)
		goto fail;
	step = "map memory";
	/* code: no writes (self-modifying code faults); reads are policed by on_mem */
	if ((e = uc_mem_map_ptr(m->uc, PV_EMU_TEXT_BASE, TEXT_SIZE, UC_PROT_READ | UC_PROT_EXEC, m->text)) ||
	    (e = uc_mem_map_ptr(m->uc, PV_EMU_AREA_BASE, PV_EMU_AREA_SIZE, UC_PROT_READ | UC_PROT_EXEC, m->area)) ||
	    (e = uc_mem_map_ptr(m->uc, PV_EMU_DATA_BASE, PV_EMU_DATA_SIZE, UC_PROT_READ | UC_PROT_WRITE, m->data)) ||
	    (e = uc_mem_map_ptr(m->uc, m->page_phys, PV_MAGIC_PAGE_SIZE, UC_PROT_READ | UC_PROT_WRITE, m->page)))
		goto fail;
	step = "add hooks";
	uc_hook h;
	if ((e = uc_hook_add(m->uc, &h, UC_HOOK_CODE, (void *)on_code, m, PV_EMU_TEXT_BASE, CODE_END - 1)) ||
	    (e = uc_hook_add(m->uc, &h, UC_HOOK_MEM_READ | UC_HOOK_MEM_WRITE, (void *)on_mem, m, 1, 0)) ||
	    (e = uc_hook_add(m->uc, &h, UC_HOOK_MEM_INVALID, (void *)on_invalid, m, 1, 0)) ||
	    (e = uc_hook_add(m->uc, &h, UC_HOOK_INTR, (void *)on_intr, m, 1, 0)))
		goto fail;
	step = "save the clean context";
	if ((e = uc_context_alloc(m->uc, &m->clean)) || (e = uc_context_save(m->uc, m->clean)))
		goto fail;
	m->dirty = true; /* restored before the first run all the same */
	return m;
fail:
	snprintf(err, errlen, "%s: cannot %s: %s", pv_flavor_info(f)->name, step, uc_strerror(e));
	pv_machine_free(m);
	return NULL;
}

void pv_machine_free(struct pv_machine *m)
{
	if (!m)
		return;
	if (m->clean)
		uc_context_free(m->clean);
	if (m->uc)
		uc_close(m->uc);
	free(m->text);
	free(m->area);
	free(m->data);
	free(m->page);
	free(m);
}

#define NOP 0x60000000u /* ori 0,0,0 */

/* The words as guest memory holds them: each one the model emulates (a
 * trap) is a nop there. The code hook emulates it before it "executes",
 * and execution goes on into the next word by itself; with the real word
 * in memory the hook had to move the PC past it, which ends the
 * translated block and makes unicorn translate a new one from the next
 * word, on every trap of every run (docs/performance.md). The hook reads
 * the real words (word_at), and a guest that reads its code ends its run
 * at that access, so the nop is never seen. */
static void put_words(const struct pv_machine *m, const struct pv_ctx *ctx, uint8_t *dst, const uint32_t *w, unsigned n)
{
	struct isa_insn in;
	for (unsigned i = 0; i < n; i++)
		pv_put_word(ctx, dst + 4 * i, isa_decode(m->flavor, ctx->features, w[i], &in) ? NOP : w[i]);
}

/* Puts code into guest memory, dropping the translations of what changed. */
static void load_code(struct pv_machine *m, const struct pv_ctx *ctx, const struct pv_code *code)
{
	if (ctx->features != m->loaded_features) { /* which words trap, so what memory holds */
		m->loaded_features = ctx->features;
		m->loaded_n = m->loaded_area_words = (unsigned)-1;
	}
	if (code->n != m->loaded_n || memcmp(code->text, m->loaded_text, 4u * code->n) != 0) {
		/* what the last load wrote, or all of it when that is unknown */
		unsigned span = m->loaded_n > PV_EMU_TEXT_WORDS ? PV_EMU_TEXT_WORDS
				: code->n > m->loaded_n ? code->n : m->loaded_n;
		memset(m->text, 0, 4u * span);
		put_words(m, ctx, m->text, code->text, code->n);
		memcpy(m->loaded_text, code->text, 4u * code->n);
		m->loaded_n = code->n;
		if (!uc_ok(m, uc_ctl_remove_cache(m->uc, PV_EMU_TEXT_BASE, PV_EMU_TEXT_BASE + 4ull * span),
			   "drop the code's translations"))
			m->loaded_n = (unsigned)-1; /* unknown: load again next time */
	}
	if (code->area_words != m->loaded_area_words ||
	    memcmp(code->area, m->loaded_area, 4u * code->area_words) != 0) {
		unsigned span = m->loaded_area_words > PV_EMU_AREA_SIZE / 4 ? PV_EMU_AREA_SIZE / 4
				: code->area_words > m->loaded_area_words ? code->area_words : m->loaded_area_words;
		memset(m->area, 0, 4u * span);
		put_words(m, ctx, m->area, code->area, code->area_words);
		memcpy(m->loaded_area, code->area, 4u * code->area_words);
		m->loaded_area_words = code->area_words;
		if (span && !uc_ok(m, uc_ctl_remove_cache(m->uc, PV_EMU_AREA_BASE, PV_EMU_AREA_BASE + 4ull * span),
				   "drop the area's translations"))
			m->loaded_area_words = (unsigned)-1;
	}
}

/* The end address unicorn is given. After every uc_emu_start, unicorn
 * throws away the translated block that holds the byte before it, which
 * is the block of the code's last instruction: with the code's end there,
 * every run, even of the same code, translated that block again (28% of
 * pvfuzz diff's instructions, docs/performance.md). So unicorn gets an
 * address no instruction has (PowerPC instructions are word-aligned),
 * whose byte before lies in no block, and the code hook ends the run at
 * the code's end itself: every address of the text is hooked, and a hook
 * that stops the run stops it before its instruction. Code that fills
 * the text to its last word is the exception: past its end is unmapped,
 * there is no word there for the hook, and unicorn must stop it. */
#define NO_INSTRUCTION 2u

static uint64_t uc_exit(const struct pv_machine *m)
{
	return m->until < PV_EMU_TEXT_BASE + TEXT_SIZE ? NO_INSTRUCTION : m->until;
}

int pv_machine_run(struct pv_machine *m, const struct pv_ctx *ctx, const struct pv_code *code,
		   const struct pv_state *st, const struct pv_run_opts *o, struct pv_run *out)
{
	m->failed = false;
	m->err[0] = 0;
	if (ctx->flavor != m->flavor || code->n == 0 || code->n > PV_EMU_TEXT_WORDS ||
	    code->area_words > PV_EMU_AREA_SIZE / 4) {
		snprintf(m->err, sizeof m->err, "%s: cannot run this code (%u words, %u area words)",
			 pv_flavor_info(m->flavor)->name, code->n, code->area_words);
		return -1;
	}

	/* the clean context first: dropping translations looks the code's
	 * addresses up through the CPU's current MMU state. Only when the last
	 * run may have left more in the CPU than the registers set below: a
	 * word the CPU ran that isa_leaves_cpu_state() does not clear, an
	 * interrupt, a fault, a halt or a failure. The context is 73-80 KiB
	 * (most of it QEMU's table of SPR callbacks), and copying it back was
	 * a quarter of the time of pvfuzz diff (docs/performance.md). */
	if (m->dirty) {
		if (!uc_ok(m, uc_context_restore(m->uc, m->clean), "restore the clean context"))
			return -1;
		m->dirty = false;
	}
	load_code(m, ctx, code);
	memcpy(m->data, pv_state_data(st), PV_EMU_DATA_SIZE);
	memcpy(m->page, st->page, PV_MAGIC_PAGE_SIZE);

	/* registers: the state's, over a CPU that is the clean context in all else */
	for (int i = 0; i < 32; i++)
		reg_write(m, UC_PPC_REG_0 + i, st->gpr[i]);
	reg_write(m, UC_PPC_REG_LR, st->lr);
	reg_write(m, UC_PPC_REG_CTR, st->ctr);
	reg_write(m, UC_PPC_REG_CR, st->cr);
	reg_write(m, UC_PPC_REG_XER, st->xer);
	if (m->failed)
		return -1;

	memset(out, 0, offsetof(struct pv_run, page));
	m->ctx = ctx;
	m->code = code;
	m->out = out;
	m->budget = o && o->budget ? o->budget : PV_EMU_DEFAULT_BUDGET;
	m->irq_mask = o ? o->irq_mask : 0;
	m->irq_k = 0;
	m->until = PV_EMU_TEXT_BASE + 4ull * code->n;
	m->ending = false;
	m->regs_taken = false;
	m->last_pc = PV_EMU_TEXT_BASE;
	m->last_in_area = false;
	m->c0 = pv_page_get(m->flavor, st->page, PG_CRITICAL, 8);
	out->end = PV_END_FELL_THROUGH;
	out->end_pc = m->until;

	uc_err e = uc_emu_start(m->uc, PV_EMU_TEXT_BASE, uc_exit(m), 0, 0);
	if (m->failed)
		return -1;
	/* a fault ends uc_emu_start with an error after on_invalid recorded
	 * it; any other error, or an early stop no hook asked for, is not the
	 * guest's doing */
	if (!m->ending) {
		uint64_t pc = 0;
		if (!uc_ok(m, uc_reg_read(m->uc, UC_PPC_REG_PC, &pc), "read the PC"))
			return -1;
		pc = m->is64 ? pc : pc & 0xffffffffu;
		if (e != UC_ERR_OK) {
			uc_ok(m, e, "run the code");
			snprintf(m->err + strlen(m->err), sizeof m->err - strlen(m->err), " at 0x%llx",
				 (unsigned long long)pc);
			return -1;
		}
		if (pc != m->until) { /* the CPU halted (wait and its kin): ends both runs alike */
			m->dirty = true;
			add_event(m, (struct pv_event){.kind = PV_EV_HALT, .pc = map_pc(m, m->last_pc)});
		}
	}

	/* reaching the end or the budget is an exit to the hypervisor: a
	 * pending interrupt may be delivered there */
	if (out->end == PV_END_FELL_THROUGH || out->end == PV_END_BUDGET)
		delivery_check(m, out->end_pc, true);
	if (!m->regs_taken)
		save_regs(m);
	memcpy(out->page, m->page, PV_MAGIC_PAGE_SIZE);
	memcpy(out->data, m->data, PV_EMU_DATA_SIZE);
	return m->failed ? -1 : 0;
}
