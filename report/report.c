#include <string.h>

#include "disasm.h"
#include "report.h"

/* "; -4004 = page msr+4" for a D/DS-form access with base 0 into the page */
static void page_note(uint32_t w, char *buf, size_t n)
{
	unsigned op = w >> 26;
	buf[0] = 0;
	if ((op != 32 && op != 36 && op != 58 && op != 62) || ((w >> 16) & 31) != 0)
		return;
	int disp = (op == 58 || op == 62) ? (int16_t)(w & 0xfffc) : (int16_t)(w & 0xffff);
	if (disp < PV_MAGIC_PAGE_EA)
		return;
	unsigned off = (unsigned)(disp - PV_MAGIC_PAGE_EA);
	for (unsigned f = PV_F_SCRATCH1; f <= PV_F_SPRG7; f++) {
		const struct pv_field_info *fi = pv_field_info(f);
		if (off < fi->offset || off >= fi->offset + fi->size)
			continue;
		if (off == fi->offset)
			snprintf(buf, n, "  ; %d = page %s", disp, fi->name);
		else
			snprintf(buf, n, "  ; %d = page %s+%u", disp, fi->name, off - fi->offset);
		return;
	}
}

void pv_print_insn(FILE *f, const char *indent, bool is64, uint64_t addr, uint32_t w, const char *tag)
{
	char d[96], note[64], line[256];
	page_note(w, note, sizeof note);
	int n = snprintf(line, sizeof line, "%s0x%0*llx  0x%08x  %-28s%s%s", indent, is64 ? 16 : 8,
			 (unsigned long long)addr, w, pv_disasm(is64, w, addr, d, sizeof d), note, tag);
	while (n > 0 && line[n - 1] == ' ')
		line[--n] = 0;
	fprintf(f, "%s\n", line);
}

const char *pv_slot_tag(const struct pv_tmpl_layout *l, int i)
{
	if (i == l->reg || i == l->rb_use || i == l->rs_use)
		return "  <- register slot";
	if (i == l->rt_set)
		return "  <- result slot";
	if (i == l->rb_load || i == l->rs_load)
		return "  <- scratch load slot";
	if (i == l->orig)
		return "  <- original instruction";
	if (i == l->branch)
		return "  <- branch back";
	return "";
}

void pv_print_state(FILE *f, enum pv_flavor fl, const struct pv_state *st)
{
	int w = pv_flavor_info(fl)->is64 ? 16 : 8;
	for (int i = 0; i < 32; i++)
		fprintf(f, "%sr%-2d 0x%0*llx%s", i % 4 ? "  " : "    ", i, w, (unsigned long long)st->gpr[i],
			i % 4 == 3 ? "\n" : "");
	fprintf(f, "    cr 0x%08x  xer 0x%08x  lr 0x%llx  ctr 0x%llx\n", st->cr, st->xer,
		(unsigned long long)st->lr, (unsigned long long)st->ctr);
	fprintf(f, "    page:");
	int col = 0;
	for (unsigned fld = PV_F_SCRATCH1; fld <= PV_F_SPRG7; fld++) {
		const struct pv_field_info *fi = pv_field_info(fld);
		if (fld == PV_F_SR) {
			fprintf(f, "\n      sr[] ");
			for (unsigned k = 0; k < 16; k++)
				fprintf(f, " %08llx", (unsigned long long)pv_page_get(fl, st->page, fi->offset + 4 * k, 4));
			fprintf(f, "\n     ");
			col = 0;
			continue;
		}
		fprintf(f, "%s %s 0x%llx", col % 4 == 0 && col ? "\n     " : "", fi->name,
			(unsigned long long)pv_page_get(fl, st->page, fi->offset, fi->size));
		col++;
	}
	fprintf(f, "\n    data region seed 0x%llx\n", (unsigned long long)st->data_seed);
}

void pv_print_code(FILE *f, const struct pv_ctx *ctx, const struct pv_code *c)
{
	bool is64 = ctx->fi->is64;
	for (unsigned i = 0; i < c->n; i++)
		pv_print_insn(f, "    ", is64, PV_EMU_TEXT_BASE + 4ull * i, c->text[i], "");
	for (unsigned k = 0; k < c->ninst; k++) {
		const struct pv_instance *in = &c->inst[k];
		const struct pv_tmpl_layout *l = in->tmpl < PV_NTMPL ? pv_tmpl_layout(ctx, in->tmpl) : NULL;
		if (l && !l->nwords)
			l = NULL; /* a kernel build without this template */
		fprintf(f, "    template instance for the site at 0x%llx, %u words at 0x%llx%s:\n",
			(unsigned long long)in->site, in->nwords, (unsigned long long)in->at,
			in->tmpl < PV_NTMPL ? "" : " (a rewrite the linux profile's table does not make)");
		for (unsigned i = 0; i < in->nwords; i++) {
			size_t wi = (size_t)((in->at - PV_EMU_AREA_BASE) / 4 + i);
			pv_print_insn(f, "      ", is64, in->at + 4ull * i, wi < c->area_words ? c->area[wi] : 0,
				      l && i < l->nwords ? pv_slot_tag(l, (int)i) : "");
		}
	}
}

void pv_print_run(FILE *f, const char *title, const struct pv_run *r)
{
	char buf[128];
	fprintf(f, "    %s: %s at 0x%llx after %u instructions\n", title, pv_end_name(r->end),
		(unsigned long long)r->end_pc, r->steps);
	if (r->irq_windows)
		fprintf(f, "      %u instruction boundar%s inside template instances where an interrupt could arrive, "
			"%u given one\n", r->irq_windows, r->irq_windows == 1 ? "y" : "ies", r->irq_taken);
	if (!r->nev)
		fprintf(f, "      no events\n");
	for (unsigned i = 0; i < r->nev; i++) {
		pv_event_text(buf, sizeof buf, &r->ev[i]);
		fprintf(f, "      event %u at 0x%llx: %s\n", i + 1, (unsigned long long)r->ev[i].pc, buf);
	}
}

void pv_print_divergence(FILE *f, const struct pv_ctx *ctx, const char *origin, const struct pv_state *st,
			 const struct pv_diff *d)
{
	fprintf(f, "DIVERGENCE: flavor %s, profile %s, features %s, %s\n", ctx->fi->name,
		pv_profile_label(ctx), pv_features_name(ctx->features), origin);
	fprintf(f, "first difference: %s: original %s, patched %s\n\n", d->item, d->orig, d->patched);
	pv_print_diff_runs(f, ctx, st, d);
}

void pv_print_diff_runs(FILE *f, const struct pv_ctx *ctx, const struct pv_state *st, const struct pv_diff *d)
{
	fprintf(f, "start state:\n");
	pv_print_state(f, ctx->flavor, st);
	fprintf(f, "\noriginal code:\n");
	pv_print_code(f, ctx, &d->orig_code);
	fprintf(f, "\npatched code:\n");
	pv_print_code(f, ctx, &d->patched_code);
	for (unsigned i = 0; i < d->orig_code.n && i < d->patched_code.n; i++)
		if (d->orig_code.text[i] != d->patched_code.text[i] && !pv_match(ctx, d->orig_code.text[i]))
			fprintf(f, "    note: 0x%08x at 0x%llx was rewritten although the %s profile's table does not "
				   "match it\n", d->orig_code.text[i], (unsigned long long)(PV_EMU_TEXT_BASE + 4ull * i),
				pv_profile_name(ctx->profile));
	if (d->irq_mask == PV_IRQ_EVERY_BOUNDARY)
		fprintf(f, "\ninterrupts: one delivered at every boundary inside a template instance where one can "
			   "arrive (its handler leaves scratch1-3 and critical changed)\n");
	else if (d->irq_mask)
		fprintf(f, "\ninterrupts: delivered at the instance boundaries k where bit k %% 64 of 0x%016llx is set "
			   "and one can arrive\n", (unsigned long long)d->irq_mask);
	fprintf(f, "\nevents:\n");
	pv_print_run(f, "original", &d->orig_run);
	pv_print_run(f, "patched", &d->patched_run);
}

/* ---- JSON ------------------------------------------------------------------ */

static void json_code(FILE *f, const struct pv_ctx *ctx, const struct pv_code *c)
{
	char d[96];
	bool is64 = ctx->fi->is64;
	fprintf(f, "{\"code\":[");
	for (unsigned i = 0; i < c->n; i++) {
		uint64_t a = PV_EMU_TEXT_BASE + 4ull * i;
		fprintf(f, "%s{\"addr\":\"0x%llx\",\"word\":\"0x%08x\",\"disasm\":\"%s\"}", i ? "," : "",
			(unsigned long long)a, c->text[i], pv_disasm(is64, c->text[i], a, d, sizeof d));
	}
	fprintf(f, "],\"instances\":[");
	for (unsigned k = 0; k < c->ninst; k++) {
		const struct pv_instance *in = &c->inst[k];
		fprintf(f, "%s{\"site\":\"0x%llx\",\"at\":\"0x%llx\",\"code\":[", k ? "," : "",
			(unsigned long long)in->site, (unsigned long long)in->at);
		for (unsigned i = 0; i < in->nwords; i++) {
			uint64_t a = in->at + 4ull * i;
			uint32_t w = c->area[(a - PV_EMU_AREA_BASE) / 4];
			fprintf(f, "%s{\"addr\":\"0x%llx\",\"word\":\"0x%08x\",\"disasm\":\"%s\"}", i ? "," : "",
				(unsigned long long)a, w, pv_disasm(is64, w, a, d, sizeof d));
		}
		fprintf(f, "]}");
	}
	fprintf(f, "]}");
}

static void json_run(FILE *f, const struct pv_run *r)
{
	char buf[128];
	fprintf(f, "{\"end\":\"%s\",\"end_pc\":\"0x%llx\",\"steps\":%u,\"irq_windows\":%u,\"irq_taken\":%u,"
		   "\"events\":[", pv_end_name(r->end), (unsigned long long)r->end_pc, r->steps, r->irq_windows,
		r->irq_taken);
	for (unsigned i = 0; i < r->nev; i++) {
		pv_event_text(buf, sizeof buf, &r->ev[i]);
		fprintf(f, "%s{\"pc\":\"0x%llx\",\"event\":\"%s\"}", i ? "," : "", (unsigned long long)r->ev[i].pc, buf);
	}
	fprintf(f, "]}");
}

void pv_print_divergence_json(FILE *f, const struct pv_ctx *ctx, const char *origin, const struct pv_state *st,
			      const struct pv_diff *d)
{
	fprintf(f, "{\"verdict\":\"divergent\",\"flavor\":\"%s\",\"profile\":\"%s\",\"features\":\"%s\",\"origin\":\"%s\",",
		ctx->fi->name, pv_profile_label(ctx), pv_features_name(ctx->features), origin);
	fprintf(f, "\"first_difference\":{\"item\":\"%s\",\"original\":\"%s\",\"patched\":\"%s\"},", d->item, d->orig,
		d->patched);
	fprintf(f, "\"irq_mask\":\"0x%016llx\",", (unsigned long long)d->irq_mask);
	fprintf(f, "\"state\":{\"gpr\":[");
	for (int i = 0; i < 32; i++)
		fprintf(f, "%s\"0x%llx\"", i ? "," : "", (unsigned long long)st->gpr[i]);
	fprintf(f, "],\"cr\":\"0x%x\",\"xer\":\"0x%x\",\"lr\":\"0x%llx\",\"ctr\":\"0x%llx\",\"page\":{", st->cr, st->xer,
		(unsigned long long)st->lr, (unsigned long long)st->ctr);
	for (unsigned fld = PV_F_SCRATCH1; fld <= PV_F_SPRG7; fld++) {
		const struct pv_field_info *fi = pv_field_info(fld);
		if (fld == PV_F_SR) {
			fprintf(f, ",\"sr\":[");
			for (unsigned k = 0; k < 16; k++)
				fprintf(f, "%s\"0x%llx\"", k ? "," : "",
					(unsigned long long)pv_page_get(ctx->flavor, st->page, fi->offset + 4 * k, 4));
			fprintf(f, "]");
			continue;
		}
		fprintf(f, "%s\"%s\":\"0x%llx\"", fld ? "," : "", fi->name,
			(unsigned long long)pv_page_get(ctx->flavor, st->page, fi->offset, fi->size));
	}
	fprintf(f, "},\"data_seed\":\"0x%llx\"},\"original\":", (unsigned long long)st->data_seed);
	json_code(f, ctx, &d->orig_code);
	fprintf(f, ",\"patched\":");
	json_code(f, ctx, &d->patched_code);
	fprintf(f, ",\"original_run\":");
	json_run(f, &d->orig_run);
	fprintf(f, ",\"patched_run\":");
	json_run(f, &d->patched_run);
	fprintf(f, "}\n");
}

/* ---- tallies ------------------------------------------------------------- */

void pv_tally_add(struct pv_tally *t, const struct pv_diff *d)
{
	const struct pv_run *r = &d->orig_run;
	t->runs++;
	if (r->end == PV_END_FELL_THROUGH)
		t->fell_through++;
	else if (r->end == PV_END_BUDGET)
		t->budget++;
	else if (r->nev) /* the last event is the one that ended the run */
		t->by_event[r->ev[r->nev - 1].kind]++;
	for (unsigned k = 0; k < r->nev; k++) {
		t->delivered += r->ev[k].kind == PV_EV_DELIVER;
		t->must_act += r->ev[k].kind == PV_EV_MUST_ACT;
	}
	t->irq_runs += d->patched_run.irq_windows != 0;
	t->irq_windows += d->patched_run.irq_windows;
}

void pv_print_tally(FILE *f, const char *indent, const struct pv_tally *t)
{
	fprintf(f, "%soriginal runs: %llu reached the end, %llu ran out of budget, ", indent, t->fell_through,
		t->budget);
	unsigned long long early = 0;
	for (unsigned k = 0; k < PV_NEVENT_KINDS; k++)
		early += t->by_event[k];
	fprintf(f, "%llu ended early%s", early, early ? ":" : "");
	const char *sep = " ";
	for (unsigned k = 0; k < PV_NEVENT_KINDS; k++)
		if (t->by_event[k]) {
			fprintf(f, "%s%llu %s", sep, t->by_event[k], pv_event_name((enum pv_event_kind)k));
			sep = ", ";
		}
	fprintf(f, "\n%s%llu interrupts delivered, %llu traps the hypervisor acted on; %llu patched runs passed %llu "
		   "instance boundaries open to an interrupt\n",
		indent, t->delivered, t->must_act, t->irq_runs, t->irq_windows);
}

void pv_print_tally_json(FILE *f, const struct pv_tally *t)
{
	unsigned long long early = 0;
	for (unsigned k = 0; k < PV_NEVENT_KINDS; k++)
		early += t->by_event[k];
	fprintf(f, "\"fell_through\":%llu,\"budget\":%llu,\"ended_by_event\":%llu,\"ended_by\":{", t->fell_through,
		t->budget, early);
	const char *sep = "";
	for (unsigned k = 0; k < PV_NEVENT_KINDS; k++)
		if (t->by_event[k]) {
			fprintf(f, "%s\"%s\":%llu", sep, pv_event_name((enum pv_event_kind)k), t->by_event[k]);
			sep = ",";
		}
	fprintf(f, "},\"delivered\":%llu,\"must_act\":%llu,\"irq_runs\":%llu,\"irq_windows\":%llu", t->delivered,
		t->must_act, t->irq_runs, t->irq_windows);
}

void pv_json_escape(const char *s, char *out, size_t n)
{
	size_t q = 0;
	for (; *s && q + 7 < n; s++) {
		unsigned char c = (unsigned char)*s;
		if (c == '"' || c == '\\')
			q += (size_t)snprintf(out + q, n - q, "\\%c", c);
		else if (c < 0x20)
			q += (size_t)snprintf(out + q, n - q, "\\u%04x", c);
		else
			out[q++] = (char)c;
	}
	if (n)
		out[q < n ? q : n - 1] = 0;
}

/* ---- what a patch pass did (pvfuzz patch) ------------------------------ */

void pv_print_patch_report(FILE *f, const struct pv_ctx *ctx, const char *profile_label, const struct pv_image *img,
			   const struct pv_area *area, const struct pv_report *rep, double secs)
{
	bool is64 = ctx->fi->is64;
	unsigned tp = 0, ts = 0;
	fprintf(f, "flavor %s, profile %s, features %s\n", ctx->fi->name, profile_label,
	       pv_features_name(ctx->features));
	fprintf(f, "image:  0x%llx, %zu bytes, %llu words examined\n", (unsigned long long)img->base, img->len,
	       (unsigned long long)rep->words);
	fprintf(f, "area:   0x%llx, %zu of %zu bytes used (%.1f%%)\n", (unsigned long long)area->addr,
	       area->used, area->size, area->size ? 100.0 * area->used / area->size : 0.0);
	fprintf(f, "\n%-16s %9s %9s\n", "class", "patched", "skipped");
	for (unsigned c = 0; c < PV_NCLASSES; c++) {
		tp += rep->patched[c];
		ts += rep->skipped[c];
		if (rep->patched[c] || rep->skipped[c])
			fprintf(f, "%-16s %9u %9u\n", pv_class_name(c), rep->patched[c], rep->skipped[c]);
	}
	fprintf(f, "%-16s %9u %9u\n", "total", tp, ts);
	if (rep->foreign)
		fprintf(f, "\n%u words rewritten that the %s profile's table does not match (first at 0x%llx): "
		       "judged by the oracle (pvfuzz diff), not named here\n", rep->foreign,
		       pv_profile_name(ctx->profile), (unsigned long long)rep->first_foreign);
	if (rep->nskips) {
		fprintf(f, "\nskipped sites:\n");
		for (size_t i = 0; i < rep->nskips; i++)
			fprintf(f, "  0x%0*llx  %-12s %s\n", is64 ? 16 : 8, (unsigned long long)rep->skips[i].addr,
			       pv_class_name(rep->skips[i].cls), pv_skip_reason_name(rep->skips[i].reason));
	}
	fprintf(f, "\nflush ranges: %zu\n", rep->nflush);
	fprintf(f, "largest branch distance: 0x%llx\n", (unsigned long long)rep->max_branch);
	fprintf(f, "time: %.3f s\n", secs);
}

void pv_print_patch_report_json(FILE *f, const struct pv_ctx *ctx, const struct pv_image *img, const struct pv_area *area,
				const struct pv_report *rep, double secs, const char *extra)
{
	char label[1400];
	pv_json_escape(pv_profile_label(ctx), label, sizeof label);
	fprintf(f, "{%s\"flavor\":\"%s\",\"profile\":\"%s\",\"features\":\"%s\",\"base\":\"0x%llx\",\"bytes\":%zu,"
	       "\"words\":%llu,", extra ? extra : "", ctx->fi->name,
	       label, pv_features_name(ctx->features),
	       (unsigned long long)img->base, img->len, (unsigned long long)rep->words);
	fprintf(f, "\"area\":{\"addr\":\"0x%llx\",\"size\":%zu,\"used\":%zu},", (unsigned long long)area->addr,
	       area->size, area->used);
	const char *sep = "";
	fprintf(f, "\"classes\":{");
	for (unsigned c = 0; c < PV_NCLASSES; c++)
		if (rep->patched[c] || rep->skipped[c]) {
			fprintf(f, "%s\"%s\":{\"patched\":%u,\"skipped\":%u}", sep, pv_class_name(c), rep->patched[c],
			       rep->skipped[c]);
			sep = ",";
		}
	fprintf(f, "},\"skip_reasons\":{");
	for (unsigned r = 0; r < PV_NSKIP; r++)
		fprintf(f, "%s\"%s\":%u", r ? "," : "", pv_skip_reason_name(r), rep->by_reason[r]);
	fprintf(f, "},\"skips\":[");
	for (size_t i = 0; i < rep->nskips; i++)
		fprintf(f, "%s{\"addr\":\"0x%llx\",\"class\":\"%s\",\"reason\":\"%s\"}", i ? "," : "",
		       (unsigned long long)rep->skips[i].addr, pv_class_name(rep->skips[i].cls),
		       pv_skip_reason_name(rep->skips[i].reason));
	fprintf(f, "],\"flush\":[");
	for (size_t i = 0; i < rep->nflush; i++)
		fprintf(f, "%s{\"addr\":\"0x%llx\",\"len\":%llu}", i ? "," : "", (unsigned long long)rep->flush[i].addr,
		       (unsigned long long)rep->flush[i].len);
	fprintf(f, "],\"foreign_rewrites\":%u,\"max_branch\":%llu,\"time_s\":%.6f}\n", rep->foreign,
	       (unsigned long long)rep->max_branch, secs);
}
