/* The differential oracle: the same start state, original against patched,
 * compared item by item (spec section 7). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "emu.h"
#include "isa.h"

static const char *const event_names[PV_NEVENT_KINDS] = {
	[PV_EV_MUST_ACT] = "trap the hypervisor acts on",
	[PV_EV_DELIVER] = "interrupt delivered",
	[PV_EV_PRECOND] = "guest broke r1 != r2 / r1 != critical",
	[PV_EV_UNMODELLED] = "unmodelled privileged instruction",
	[PV_EV_EXCEPTION] = "CPU exception",
	[PV_EV_FAULT] = "memory fault",
	[PV_EV_CODE_ACCESS] = "guest data access to code",
	[PV_EV_PAGE_GUARD] = "guest access to a hypervisor-owned page field",
	[PV_EV_WILD_AREA] = "jump into the template area",
	[PV_EV_HIGH_WORD] = "32-bit guest store to the high word of a 64-bit page register",
	[PV_EV_HALT] = "the CPU halted",
	[PV_EV_TIME_BASE] = "time-base access (the emulated machine has no time base)",
	[PV_EV_OVERFLOW] = "too many events",
};

const char *pv_event_name(enum pv_event_kind k)
{
	return (unsigned)k < PV_NEVENT_KINDS ? event_names[k] : "invalid";
}

const char *pv_end_name(enum pv_end e)
{
	switch (e) {
	case PV_END_FELL_THROUGH: return "reached the end of the code";
	case PV_END_BUDGET: return "instruction budget exhausted";
	case PV_END_EVENT: return "ended by an event";
	}
	return "invalid";
}

void pv_code_original(struct pv_code *c, const uint32_t *words, unsigned n)
{
	/* no instances: the area's words a patched use left go back to zero */
	memset(c->area, 0, 4u * (c->area_words < PV_EMU_AREA_SIZE / 4 ? c->area_words : PV_EMU_AREA_SIZE / 4));
	c->n = n;
	memcpy(c->text, words, 4u * n);
	c->area_words = 0;
	c->ninst = 0;
}

/* site < 0: every site; else only words[site] (the others are skipped). */
static enum pv_status code_patched(struct pv_code *c, const struct pv_ctx *ctx, const uint32_t *words, unsigned n,
				   int site, struct pv_report *rep)
{
	uint8_t img[4 * PV_EMU_TEXT_WORDS];
	/* the area's bytes live in c->area itself, turned into word values in
	 * place below: no buffer shared between oracles or calls. Zero where
	 * the last call left instances, so that every patch starts alike. */
	_Static_assert(sizeof c->area == PV_EMU_AREA_SIZE, "pv_code's area holds the whole template area");
	uint8_t *area_mem = (uint8_t *)c->area;
	memset(area_mem, 0, 4u * (c->area_words < PV_EMU_AREA_SIZE / 4 ? c->area_words : PV_EMU_AREA_SIZE / 4));
	struct pv_image image = {img, 4u * n, PV_EMU_TEXT_BASE};
	struct pv_area area;
	struct pv_range others[2] = {{PV_EMU_TEXT_BASE, 4ull * (unsigned)site},
				     {PV_EMU_TEXT_BASE + 4ull * (unsigned)site + 4, 4ull * (n - 1 - (unsigned)site)}};
	struct pv_patch_opts only = {.skip = others, .nskip = 2};

	if (n == 0 || n > PV_EMU_TEXT_WORDS || site >= (int)n)
		return PV_ERR_ARG;
	for (unsigned i = 0; i < n; i++)
		pv_put_word(ctx, img + 4 * i, words[i]);
	pv_area_init(&area, PV_EMU_AREA_BASE, area_mem, PV_EMU_AREA_SIZE);
	enum pv_status s = pv_patch_image(ctx, &image, &area, site < 0 ? NULL : &only, rep);
	if (s != PV_OK) {
		memset(area_mem, 0, area.used < PV_EMU_AREA_SIZE ? area.used : PV_EMU_AREA_SIZE); /* as it was */
		return s;
	}
	c->n = n;
	c->area_words = (unsigned)(area.used / 4);
	c->ninst = 0;
	for (unsigned i = 0; i < n; i++)
		c->text[i] = pv_get_word(ctx, img + 4 * i);
	for (unsigned i = 0; i < c->area_words; i++) /* in place: word i is read before it is written */
		c->area[i] = pv_get_word(ctx, area_mem + 4 * i);
	/* instances: every site whose word became a branch into the used area,
	 * each reaching to the next one's start (or the area's end). Taken from
	 * the code, not from a template's length: a kernel tree's templates
	 * may be laid out otherwise, and may rewrite words our table does not
	 * know (docs/kernel-mode.md) */
	for (unsigned i = 0; i < n; i++) {
		uint64_t addr = PV_EMU_TEXT_BASE + 4ull * i, at;
		if (c->text[i] == words[i] || !pv_branch_decode(ctx->fi->is64, addr, c->text[i], &at) ||
		    at - PV_EMU_AREA_BASE >= 4ull * c->area_words)
			continue;
		const struct pv_row *row = pv_match(ctx, words[i]);
		c->inst[c->ninst++] = (struct pv_instance){addr, at, 0,
							   row && row->kind == PV_K_TEMPLATE ? (enum pv_tmpl)row->target
											     : PV_NTMPL};
	}
	for (unsigned k = 0; k < c->ninst; k++) {
		uint64_t end = PV_EMU_AREA_BASE + 4ull * c->area_words;
		for (unsigned j = 0; j < c->ninst; j++)
			if (c->inst[j].at > c->inst[k].at && c->inst[j].at < end)
				end = c->inst[j].at;
		c->inst[k].nwords = (unsigned)((end - c->inst[k].at) / 4);
	}
	return PV_OK;
}

static void set_values(struct pv_diff *d, uint64_t a, uint64_t b)
{
	snprintf(d->orig, sizeof d->orig, "0x%llx", (unsigned long long)a);
	snprintf(d->patched, sizeof d->patched, "0x%llx", (unsigned long long)b);
}

/* Records a difference; item is formatted only when there is one (its
 * argument a number or, in differ_str, a name). */
static bool differ_u64(struct pv_diff *d, uint64_t a, uint64_t b, const char *fmt, unsigned arg)
{
	if (a == b)
		return false;
	snprintf(d->item, sizeof d->item, fmt, arg);
	set_values(d, a, b);
	return true;
}

static bool differ_str(struct pv_diff *d, uint64_t a, uint64_t b, const char *fmt, const char *arg)
{
	if (a == b)
		return false;
	snprintf(d->item, sizeof d->item, fmt, arg);
	set_values(d, a, b);
	return true;
}

void pv_event_text(char *buf, size_t n, const struct pv_event *e)
{
	switch (e->kind) {
	case PV_EV_MUST_ACT: {
		char name[48];
		struct isa_insn in = {.op = e->cls, .mtmsrd = e->detail != 0};
		isa_insn_name(&in, name, sizeof name);
		snprintf(buf, n, "%s: %s", pv_event_name(e->kind), name);
		break;
	}
	case PV_EV_EXCEPTION:
		snprintf(buf, n, "%s %u", pv_event_name(e->kind), e->detail);
		break;
	case PV_EV_UNMODELLED:
	case PV_EV_TIME_BASE:
		snprintf(buf, n, "%s 0x%08x", pv_event_name(e->kind), e->detail);
		break;
	case PV_EV_FAULT:
	case PV_EV_CODE_ACCESS:
	case PV_EV_PAGE_GUARD:
	case PV_EV_HIGH_WORD:
	case PV_EV_WILD_AREA:
		snprintf(buf, n, "%s, address 0x%llx", pv_event_name(e->kind), (unsigned long long)e->addr);
		break;
	case PV_EV_DELIVER:
	case PV_EV_PRECOND:
		snprintf(buf, n, "%s %s", pv_event_name(e->kind), e->detail ? "at the exit" : "at a trap");
		break;
	default:
		snprintf(buf, n, "%s", pv_event_name(e->kind));
	}
}

/* An event with where it happened, as a compared value. */
static void describe_event(char *buf, size_t n, const struct pv_event *e)
{
	char text[80];
	pv_event_text(text, sizeof text, e);
	snprintf(buf, n, "%s at 0x%llx", text, (unsigned long long)e->pc);
}

static bool same_event(const struct pv_event *a, const struct pv_event *b)
{
	return a->kind == b->kind && a->cls == b->cls && a->detail == b->detail && a->pc == b->pc && a->addr == b->addr;
}

bool pv_runs_differ(enum pv_flavor f, const struct pv_run *a, const struct pv_run *b, struct pv_diff *d)
{
	/* the event sequences first: they say why a run went elsewhere */
	for (unsigned i = 0; i < a->nev || i < b->nev; i++) {
		bool ha = i < a->nev, hb = i < b->nev;
		if (ha && hb && same_event(&a->ev[i], &b->ev[i]))
			continue;
		snprintf(d->item, sizeof d->item, "event %u", i + 1);
		if (ha)
			describe_event(d->orig, sizeof d->orig, &a->ev[i]);
		else
			snprintf(d->orig, sizeof d->orig, "(none)");
		if (hb)
			describe_event(d->patched, sizeof d->patched, &b->ev[i]);
		else
			snprintf(d->patched, sizeof d->patched, "(none)");
		return true;
	}
	if (a->end != b->end) {
		snprintf(d->item, sizeof d->item, "end of run");
		snprintf(d->orig, sizeof d->orig, "%s", pv_end_name(a->end));
		snprintf(d->patched, sizeof d->patched, "%s", pv_end_name(b->end));
		return true;
	}
	if (differ_u64(d, a->end_pc, b->end_pc, "end address", 0))
		return true;
	for (unsigned i = 0; i < 32; i++)
		if (differ_u64(d, a->gpr[i], b->gpr[i], "r%u", i))
			return true;
	if (differ_u64(d, a->cr, b->cr, "cr", 0) || differ_u64(d, a->xer, b->xer, "xer", 0) ||
	    differ_u64(d, a->lr, b->lr, "lr", 0) || differ_u64(d, a->ctr, b->ctr, "ctr", 0))
		return true;
	/* page fields, except the template's scratch1-3 and critical: named
	 * from the model's own layout, then every other byte of the page */
	if (memcmp(a->page + PG_SPRG0, b->page + PG_SPRG0, PV_MAGIC_PAGE_SIZE - PG_SPRG0) != 0) {
		for (const struct isa_reg *r = isa_page_fields; r->name; r++)
			if (differ_str(d, pv_page_get(f, a->page, r->off, r->bytes),
				       pv_page_get(f, b->page, r->off, r->bytes), "page %s", r->name))
				return true;
		for (unsigned off = PG_SPRG0; off < PV_MAGIC_PAGE_SIZE; off++)
			if (differ_u64(d, a->page[off], b->page[off], "page byte +0x%x", off))
				return true;
	}
	if (memcmp(a->data, b->data, PV_EMU_DATA_SIZE) != 0)
		for (unsigned off = 0; off < PV_EMU_DATA_SIZE; off++)
			if (differ_u64(d, a->data[off], b->data[off], "data byte 0x%x", PV_EMU_DATA_BASE + off))
				return true;
	return false;
}

struct pv_oracle {
	struct pv_machine *side[2]; /* original, patched */
	/* the last patched code and what it was made from: running the same
	 * words from many start states patches them once (the kernel profile
	 * runs a kernel's whole patch loop for it) */
	bool cached;
	struct pv_ctx ctx;
	uint32_t words[PV_EMU_TEXT_WORDS];
	unsigned n;
	int site;
	struct pv_code code;
	char err[600]; /* why the last call could not patch; "" when it did */
};

/* dst = src, only the parts in use (a pv_code is large) */
static void code_copy(struct pv_code *dst, const struct pv_code *src)
{
	dst->n = src->n;
	memcpy(dst->text, src->text, 4u * src->n);
	dst->area_words = src->area_words;
	memcpy(dst->area, src->area, 4u * src->area_words);
	dst->ninst = src->ninst;
	memcpy(dst->inst, src->inst, sizeof dst->inst[0] * src->ninst);
}

static bool same_ctx(const struct pv_ctx *a, const struct pv_ctx *b)
{
	return a->flavor == b->flavor && a->features == b->features && a->profile == b->profile &&
	       a->impl == b->impl && a->impl_self == b->impl_self && a->layouts == b->layouts;
}

/* The patched code of words under ctx into d, from the cache when it was
 * the last one made. */
static enum pv_status patched_for(struct pv_oracle *or, const struct pv_ctx *ctx, const uint32_t *words, unsigned n,
				  int site, struct pv_diff *d)
{
	if (or->cached && or->n == n && or->site == site && same_ctx(&or->ctx, ctx) &&
	    !memcmp(or->words, words, 4u * n)) {
		code_copy(&d->patched_code, &or->code);
		return PV_OK;
	}
	or->cached = false;
	enum pv_status st = code_patched(&d->patched_code, ctx, words, n, site, &d->rep);
	if (st != PV_OK) {
		if (ctx->impl && (st == PV_ERR_HOOK || st == PV_ERR_UNSUPPORTED))
			snprintf(or->err, sizeof or->err, "%s: %s", ctx->impl->kind, pv_ctx_patch_error(ctx));
		else
			snprintf(or->err, sizeof or->err, "the patch loop failed: %s",
				 st == PV_ERR_NOMEM ? "out of memory" : st == PV_ERR_ARG ? "bad arguments" : "an error");
		return st;
	}
	or->ctx = *ctx;
	memcpy(or->words, words, 4u * n);
	or->n = n;
	or->site = site;
	code_copy(&or->code, &d->patched_code);
	or->cached = true;
	return PV_OK;
}

struct pv_oracle *pv_oracle_new(enum pv_flavor f, char *err, size_t errlen)
{
	struct pv_oracle *o = calloc(1, sizeof(*o));
	if (!o) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	for (int i = 0; i < 2; i++)
		if (!(o->side[i] = pv_machine_new(f, err, errlen))) {
			pv_oracle_free(o);
			return NULL;
		}
	return o;
}

void pv_oracle_free(struct pv_oracle *o)
{
	if (!o)
		return;
	pv_machine_free(o->side[0]);
	pv_machine_free(o->side[1]);
	free(o);
}

const char *pv_oracle_cpu(const struct pv_oracle *o) { return pv_machine_cpu(o->side[0]); }

const char *pv_oracle_error(const struct pv_oracle *o)
{
	if (*o->err)
		return o->err;
	const char *e = pv_machine_error(o->side[0]);
	return *e ? e : pv_machine_error(o->side[1]);
}

int pv_diff_run(struct pv_oracle *or, const struct pv_ctx *ctx, const uint32_t *words, unsigned n,
		const struct pv_state *st, const struct pv_diff_opts *o, struct pv_diff *d)
{
	struct pv_run_opts ro = {.budget = o ? o->budget : 0};
	enum pv_irq_mode irq = o ? (enum pv_irq_mode)o->irq : PV_IRQ_BOTH;
	pv_report_free(&d->rep);
	or->err[0] = 0;
	d->divergent = false;
	d->item[0] = d->orig[0] = d->patched[0] = 0;
	d->irq_mask = 0;
	if (n == 0 || n > PV_EMU_TEXT_WORDS)
		return -1;
	pv_code_original(&d->orig_code, words, n);
	if (patched_for(or, ctx, words, n, o && o->one_site ? (int)o->site : -1, d) != PV_OK)
		return -1;
	if (o && o->tamper)
		o->tamper(ctx, &d->patched_code, o->tamper_arg);
	/* the original code has no instance: interrupts inside instances
	 * concern the patched run only */
	if (pv_machine_run(or->side[0], ctx, &d->orig_code, st, &ro, &d->orig_run) != 0)
		return -1;
	if (irq == PV_IRQ_MASK)
		ro.irq_mask = o->irq_mask;
	if (pv_machine_run(or->side[1], ctx, &d->patched_code, st, &ro, &d->patched_run) != 0)
		return -1;
	d->irq_mask = ro.irq_mask;
	d->divergent = pv_runs_differ(ctx->flavor, &d->orig_run, &d->patched_run, d);
	if (d->divergent || irq != PV_IRQ_BOTH || !d->patched_run.irq_windows)
		return 0;
	/* again, with an interrupt at every boundary where one can arrive */
	ro.irq_mask = PV_IRQ_EVERY_BOUNDARY;
	if (pv_machine_run(or->side[1], ctx, &d->patched_code, st, &ro, &d->patched_run) != 0)
		return -1;
	d->irq_mask = ro.irq_mask;
	d->divergent = pv_runs_differ(ctx->flavor, &d->orig_run, &d->patched_run, d);
	return 0;
}

void pv_diff_free(struct pv_diff *d)
{
	pv_report_free(&d->rep);
}
