/* fuzz_vmlinux: the kernel ELF reader behind --vmlinux, on any bytes.
 *
 * Input: the header (target, platform); an options byte (bit 0: give the
 * platform's flavor as --flavor does, instead of reading it from the ELF;
 * bit 1: --no-vectors-rule); then the ELF file's bytes.
 * Invariants:
 *  - the reader returns, with one line of error or a kernel; never a crash,
 *    a leak or a read outside the bytes (the sanitizers see those);
 *  - a refused kernel leaves no text behind and says why in one line;
 *  - an accepted kernel keeps the reader's promises, checked here from the
 *    symbols it reports: the text is _stext.._etext, word aligned and of
 *    that length; the template area is word aligned inside the template
 *    code, which is inside the text; the flavor fits the ELF's class and
 *    byte order; the vectors rule has __end_interrupts;
 *  - the patch loop on the accepted text and layout (as `patch --vmlinux`
 *    runs it) returns and changes nothing outside the text it was given.
 */
#include <string.h>

#include "pvf.h"
#include "vmlinux.h"

#define OPT_GIVE_FLAVOR 1u
#define OPT_NO_VECTORS 2u
#define MAX_PATCHED_TEXT (64u * 1024) /* patch only texts this small: the reader is the target */

void pvf_vmlinux_encode(struct pvf_out *o, unsigned platform, uint8_t options, const uint8_t *elf, size_t n)
{
	pvf_put_header(o, PVF_VMLINUX, platform);
	pvf_put(o, options, 1);
	for (size_t i = 0; i < n; i++)
		pvf_put(o, elf[i], 1);
}

/* What the reader promised for an accepted kernel; false with a message. */
static bool promises_kept(const struct pv_vmlinux *k, char *msg, size_t n)
{
	const uint64_t *s = k->sym;
	const struct pv_flavor_info *fi = pv_flavor_info(k->flavor);
	if (k->elf_class != (fi->is64 ? 64u : 32u) || k->little_endian != fi->little_endian) {
		snprintf(msg, n, "flavor %s for a %u-bit %s-endian ELF", fi->name, k->elf_class,
			 k->little_endian ? "little" : "big");
		return false;
	}
	for (unsigned j = 0; j < PV_NKSYMS; j++)
		if (j != PV_KSYM_END_INTERRUPTS && !k->have[j]) {
			snprintf(msg, n, "accepted without %s", pv_ksym_info((enum pv_ksym)j)->name);
			return false;
		}
	if (k->vectors_rule && !k->have[PV_KSYM_END_INTERRUPTS]) {
		snprintf(msg, n, "the vectors rule without __end_interrupts");
		return false;
	}
	if (s[PV_KSYM_ETEXT] < s[PV_KSYM_STEXT] || (s[PV_KSYM_STEXT] & 3) ||
	    k->text_len != s[PV_KSYM_ETEXT] - s[PV_KSYM_STEXT] || (k->text_len & 3) || (k->text_len && !k->text)) {
		snprintf(msg, n, "text of %zu bytes for _stext 0x%llx .. _etext 0x%llx", k->text_len,
			 (unsigned long long)s[PV_KSYM_STEXT], (unsigned long long)s[PV_KSYM_ETEXT]);
		return false;
	}
	if (s[PV_KSYM_TMP] > s[PV_KSYM_TMP_END] || (s[PV_KSYM_TMP] & 3) || (s[PV_KSYM_TMP_END] & 3) ||
	    s[PV_KSYM_TEMPLATE_START] > s[PV_KSYM_TMP] || s[PV_KSYM_TMP_END] > s[PV_KSYM_TEMPLATE_END] ||
	    s[PV_KSYM_TEMPLATE_START] < s[PV_KSYM_STEXT] || s[PV_KSYM_TEMPLATE_END] > s[PV_KSYM_ETEXT]) {
		snprintf(msg, n,
			 "layout: text 0x%llx..0x%llx, template code 0x%llx..0x%llx, area 0x%llx..0x%llx (the area "
			 "inside the template code inside the text, word aligned)",
			 (unsigned long long)s[PV_KSYM_STEXT], (unsigned long long)s[PV_KSYM_ETEXT],
			 (unsigned long long)s[PV_KSYM_TEMPLATE_START], (unsigned long long)s[PV_KSYM_TEMPLATE_END],
			 (unsigned long long)s[PV_KSYM_TMP], (unsigned long long)s[PV_KSYM_TMP_END]);
		return false;
	}
	return true;
}

void pvf_check_vmlinux(const struct pv_ctx *ctx, struct pvf_in *in, bool verbose, FILE *out, struct pvf_result *r)
{
	uint8_t options = (uint8_t)pvf_take(in, 1);
	struct pv_vmlinux k;
	memset(&k, 0, sizeof k);
	struct pv_vmlinux_opts o = {.no_vectors_rule = options & OPT_NO_VECTORS};
	if (options & OPT_GIVE_FLAVOR)
		k.flavor = ctx->flavor, k.flavor_given = true;
	char err[512] = "";
	int rc = pv_vmlinux_load_mem("fuzz input", in->p + in->pos, pvf_left(in), &o, &k, err, sizeof err);
	if (rc != 0) {
		if (verbose)
			fprintf(out, "refused: %s\n", err);
		if (!err[0] || strchr(err, '\n') || k.text)
			pvf_fail(r, out, ctx, PVF_K_vmlinux_refusal, -1,
				 "a refused kernel must leave no text and say why in one line: text %p, message '%s'",
				 (void *)k.text, err);
		return;
	}
	char msg[400];
	if (!promises_kept(&k, msg, sizeof msg)) {
		pvf_fail(r, out, ctx, PVF_K_vmlinux_promise, -1, "accepted kernel: %s", msg);
		pv_vmlinux_free(&k);
		return;
	}
	if (verbose)
		fprintf(out, "accepted: flavor %s, text 0x%llx + %zu bytes\n", pv_flavor_info(k.flavor)->name,
			(unsigned long long)k.sym[PV_KSYM_STEXT], k.text_len);
	if (k.text_len <= MAX_PATCHED_TEXT) {
		/* the text with a guard word on each side: patching stays inside it */
		static const uint8_t guard[4] = {0xde, 0xad, 0xbe, 0xef};
		uint8_t *box = malloc(k.text_len + 8);
		if (!box)
			abort();
		memcpy(box, guard, 4);
		memcpy(box + 4, k.text, k.text_len);
		memcpy(box + 4 + k.text_len, guard, 4);
		free(k.text);
		k.text = box + 4;
		struct pv_kernel_patch kp;
		pv_vmlinux_patch_setup(&k, &kp);
		struct pv_report rep = {0};
		const struct pv_ctx *kc = pvf_ctx(k.flavor, ctx->features, ctx->profile);
		pv_patch_image(kc, &kp.img, &kp.area, &kp.popts, &rep);
		pv_report_free(&rep);
		if (memcmp(box, guard, 4) || memcmp(box + 4 + k.text_len, guard, 4))
			pvf_fail(r, out, ctx, PVF_K_guard_bytes, -1, "patching the kernel's text wrote outside it");
		k.text = box; /* what pv_vmlinux_free frees */
	}
	pv_vmlinux_free(&k);
}
