/* pvfuzz patch: rewrite instruction words, or a whole text image, the way a
 * KVM guest rewrites its own text at boot, and show what changed. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "disasm.h"
#include "pv.h"
#include "report.h"
#include "vmlinux.h"

static const char usage[] =
	"usage: pvfuzz patch --flavor F [--profile fixed|linux] [--features none|sr|mas|sr,mas]\n"
	"                    [--addr ADDR] [--json] WORD...\n"
	"       pvfuzz patch --flavor F --image FILE --base ADDR [--vectors-end ADDR]\n"
	"                    [--area ADDR] [--area-size BYTES] [--out FILE] [--area-out FILE] [--json]\n"
	"       pvfuzz patch --vmlinux FILE [--flavor F] [--features LIST] [--profile P]\n"
	"                    [--out FILE] [--verify] [--json] [symbol options]\n"
	"\n"
	"Word form: each WORD (32-bit hex) is placed at ADDR, ADDR+4, ... and patched;\n"
	"prints its disassembly, its class (or 'unchanged'; 'foreign' for a word\n"
	"the kernel profile rewrote that the table does not match), the rewrite, and for\n"
	"template classes the filled template instance.\n"
	"Image form: patches a raw text image (bytes in guest byte order) loaded at\n"
	"--base and prints the report: per-class counts, skipped sites and why,\n"
	"template-area use, flush ranges.\n"
	"Kernel form: reads a kernel ELF (vmlinux) and patches _stext.._etext as the\n"
	"guest would at boot: the flavor from the ELF class, byte order and ABI; the\n"
	"template code kvm_template_start..kvm_template_end left alone; instances in\n"
	"the kernel's own area kvm_tmp..kvm_tmp_end; no branch patching below\n"
	"__end_interrupts (relocatable Book3S). Prints the same report.\n"
	"\n"
	"  --flavor F         book3s32, booke32, book3s64, booke64, book3s64le\n"
	"  --profile P        fixed (default), linux (upstream, with its hazards), or\n"
	"                     kernel:DIR (a kernel's own code, scripts/kernel-mode/build.sh)\n"
	"  --features LIST    what the hypervisor reports: none, sr, mas, sr,mas (default)\n"
	"  --addr ADDR        address of the first word (default 0xc0000000, 64-bit: 0xc000000000000000)\n"
	"  --vectors-end ADDR no branch patching below ADDR (relocatable Book3S kernels)\n"
	"  --area ADDR        template area address (default: next 4 KiB boundary after\n"
	"                     the image, or ADDR+1 MiB in word form); it may lie inside the image\n"
	"  --area-size BYTES  template area size (default 65536, at most 16 MiB)\n"
	"  --out FILE         write the patched image\n"
	"  --area-out FILE    write the template area (when it is not inside the image)\n"
	"  --json             one JSON object per word, or one for the image report\n"
	"  --vmlinux FILE     a kernel ELF (a symbol it lacks can be given by hand:\n"
	"                     --stext, --etext, --template-start, --template-end, --tmp,\n"
	"                     --tmp-end, --end-interrupts ADDR)\n"
	"  --no-vectors-rule  patch branches below __end_interrupts too (not relocatable)\n"
	"  --verify           patch the result again and check nothing changes (exit 1 if it does;\n"
	"                     linux, kernel:DIR: the text only, as upstream spends area again)\n"
	"\n"
	"Exit status: 0 on success, 1 when --verify finds a difference, 2 on a usage or\n"
	"input error (an unknown flavor, a file that is not a PowerPC ELF, a missing symbol).\n";

#define DEFAULT_AREA_SIZE 65536u
#define MAX_AREA_SIZE (16u << 20)

struct opts {
	enum pv_flavor flavor;
	bool has_flavor;
	enum pv_profile profile;
	unsigned features;
	bool json;
	const char *image, *out, *area_out, *vmlinux;
	bool verify;
	struct pv_vmlinux k; /* symbols given by hand, flavor override */
	struct pv_vmlinux_opts kopts;
	bool has_base, has_area, has_addr;
	uint64_t base, addr, area;
	uint64_t area_size;
	struct pv_patch_opts popts;
};

static void print_hex_list(const uint32_t *w, unsigned n)
{
	putchar('[');
	for (unsigned i = 0; i < n; i++)
		printf("%s\"0x%08x\"", i ? "," : "", w[i]);
	putchar(']');
}

static void words_form(const struct pv_ctx *ctx, struct opts *o, char **words, int nwords)
{
	bool is64 = ctx->fi->is64;
	size_t len = (size_t)nwords * 4;
	uint32_t *orig = malloc(len);
	if (!orig)
		cli_fail("out of memory");
	cli_words("patch", words, nwords, orig);
	uint64_t base = o->has_addr ? o->addr : (is64 ? 0xc000000000000000ull : 0xc0000000ull);
	if (!pv_range_fits(is64, base, len))
		cli_fail("--addr: the words at 0x%llx run past the top of the %s address space", (unsigned long long)base,
			 is64 ? "64-bit" : "32-bit");
	/* the default area: 1 MiB above the words, or 1 MiB below them when the
	 * space ends first */
	uint64_t area_addr = o->area;
	const uint64_t mib = 1u << 20;
	if (!o->has_area && pv_range_fits(is64, base, mib + o->area_size))
		area_addr = base + mib;
	else if (!o->has_area && base >= mib + o->area_size)
		area_addr = base - mib - o->area_size;
	else if (!o->has_area)
		cli_fail("no room for the default template area (%llu bytes, 1 MiB from the words): give --area",
			 (unsigned long long)o->area_size);
	else if (!pv_range_fits(is64, area_addr, o->area_size))
		cli_fail("--area: the template area (0x%llx, %llu bytes) runs past the top of the %s address space",
			 (unsigned long long)area_addr, (unsigned long long)o->area_size, is64 ? "64-bit" : "32-bit");
	else if (pv_ranges_overlap(area_addr, o->area_size, base, len))
		cli_fail("--area: the template area overlaps the words");

	uint8_t *img = malloc(len), *area_mem = calloc(1, o->area_size);
	if (!img || !area_mem)
		cli_fail("out of memory");
	for (int i = 0; i < nwords; i++)
		pv_put_word(ctx, img + 4 * i, orig[i]);

	struct pv_image image = {img, len, base};
	struct pv_area area;
	struct pv_report rep = {0};
	pv_area_init(&area, area_addr, area_mem, o->area_size);
	enum pv_status pst = pv_patch_image(ctx, &image, &area, NULL, &rep);
	if (pst != PV_OK) {
		free(img), free(orig), free(area_mem), pv_report_free(&rep);
		cli_patch_fail(ctx, pst, "", "the template area does not fit the flavor's address space");
	}

	for (int i = 0; i < nwords; i++) {
		uint64_t site = base + 4u * (unsigned)i;
		uint32_t now = pv_get_word(ctx, img + 4 * i);
		const struct pv_row *row = pv_match(ctx, orig[i]);
		const struct pv_tmpl_layout *l = NULL;
		uint32_t inst[PV_TMPL_MAX_WORDS];
		uint64_t at = 0;
		/* a word the table does not match but the patch hook (the kernel
		 * profile) rewrote anyway is shown too: the oracle judges it */
		bool patched = now != orig[i], wild = false;
		const char *cls = row ? pv_class_name(row->cls) : patched ? "foreign" : "unchanged";
		if (patched && row && row->kind == PV_K_TEMPLATE && pv_branch_decode(is64, site, now, &at)) {
			l = pv_tmpl_layout(ctx, row->target);
			/* the linux profile masks an out-of-reach displacement: the
			 * branch may land outside the area */
			if (at < area.addr || at - area.addr > area.size - 4ull * l->nwords) {
				wild = true;
				l = NULL;
			}
		}
		if (l) {
			for (unsigned k = 0; k < l->nwords; k++)
				inst[k] = pv_get_word(ctx, area_mem + (at - area.addr) + 4 * k);
		}
		const char *skip = NULL;
		for (size_t s = 0; s < rep.nskips; s++)
			if (rep.skips[s].addr == site)
				skip = pv_skip_reason_name(rep.skips[s].reason);

		char d[96];
		pv_disasm(is64, orig[i], site, d, sizeof d);
		if (o->json) {
			printf("{\"addr\":\"0x%llx\",\"word\":\"0x%08x\",\"disasm\":\"%s\",\"class\":\"%s\","
			       "\"patched\":%s,\"rewrite\":", (unsigned long long)site, orig[i], d,
			       cls, patched ? "true" : "false");
			print_hex_list(&now, patched);
			printf(",\"template\":");
			print_hex_list(inst, l ? l->nwords : 0);
			if (l)
				printf(",\"template_addr\":\"0x%llx\"", (unsigned long long)at);
			if (skip)
				printf(",\"skipped\":\"%s\"", skip);
			if (wild)
				printf(",\"branch_outside_area\":\"0x%llx\"", (unsigned long long)at);
			printf("}\n");
			continue;
		}
		printf("0x%08x  %s\n", orig[i], d);
		if (row || !patched)
			printf("    class:    %s\n", cls);
		else
			printf("    class:    none: the %s profile's table does not match it, and the kernel rewrote it\n",
			       pv_profile_name(ctx->profile));
		if (skip)
			printf("    skipped:  %s\n", skip);
		if (patched)
			pv_print_insn(stdout, "    rewrite:  ", is64, site, now, "");
		if (wild)
			printf("    WARNING:  the branch lands at 0x%llx, outside the template area: its displacement "
			       "was masked (upstream does not check that an instance below the site is in reach)\n",
			       (unsigned long long)at);
		if (l) {
			printf("    template: %s, %u words at 0x%llx\n", l->name, l->nwords, (unsigned long long)at);
			for (unsigned k = 0; k < l->nwords; k++)
				pv_print_insn(stdout, "      ", is64, at + 4 * k, inst[k], pv_slot_tag(l, (int)k));
		}
	}
	pv_report_free(&rep);
	free(img);
	free(orig);
	free(area_mem);
}

/* The default template area of the image form: at the next 4 KiB boundary
 * after the image, or, when the address space ends before it would, the
 * 4 KiB-aligned block below the image. *ok false when neither fits. */
static uint64_t default_area(bool is64, uint64_t base, uint64_t len, uint64_t size, bool *ok)
{
	uint64_t off = len + ((0x1000 - ((base + len) & 0xfff)) & 0xfff); /* to the boundary; len < 1 GiB */
	if ((*ok = pv_range_fits(is64, base, off + size))) /* so base + off is below the top */
		return base + off;
	*ok = base >= size;
	return *ok ? (base - size) & ~0xfffull : 0;
}

static void image_form(const struct pv_ctx *ctx, struct opts *o)
{
	bool is64 = ctx->fi->is64;
	size_t len;
	if (!o->has_base)
		cli_fail("--image needs --base ADDR");
	if (o->out)
		cli_output_check("--out", o->out);
	uint8_t *bytes = cli_read_file(o->image, &len);
/* the buffer is freed before exiting so that error exits stay leak-free */
#define FAIL(...) do { free(bytes); cli_fail(__VA_ARGS__); } while (0)
	if (o->out)
		cli_output_check("--out", o->out); /* now that the input is known: not the input itself */
	if (len == 0)
		FAIL("image '%s' is empty", o->image);
	if (len % 4)
		FAIL("image '%s' is %zu bytes, not a multiple of 4", o->image, len);
	if (!pv_range_fits(is64, o->base, len))
		FAIL("--base: the image (0x%llx, %zu bytes) runs past the top of the %s address space",
		     (unsigned long long)o->base, len, is64 ? "64-bit" : "32-bit");
	if (o->popts.has_vectors_end && !pv_range_fits(is64, o->popts.vectors_end, 0))
		FAIL("--vectors-end: 0x%llx is beyond the 32-bit address space of %s",
		     (unsigned long long)o->popts.vectors_end, ctx->fi->name);

	uint64_t area_addr = o->area;
	if (!o->has_area) {
		bool ok;
		area_addr = default_area(is64, o->base, len, o->area_size, &ok);
		if (!ok)
			FAIL("no room for the default template area (%llu bytes) after or below the image: give --area",
			     (unsigned long long)o->area_size);
	} else if (!pv_range_fits(is64, area_addr, o->area_size)) {
		FAIL("--area: the template area (0x%llx, %llu bytes) runs past the top of the %s address space",
		     (unsigned long long)area_addr, (unsigned long long)o->area_size, is64 ? "64-bit" : "32-bit");
	}
	uint8_t *area_mem = NULL;
	bool inside = pv_ranges_overlap(area_addr, o->area_size, o->base, len);
	if (inside) {
		if (area_addr < o->base)
			FAIL("--area: the template area overlaps the start of the image");
		if (!pv_range_within(o->base, len, area_addr, o->area_size))
			FAIL("--area: the template area starts inside the image but runs past its end");
		if (o->area_out)
			FAIL("--area-out: the template area lies inside the image: --out holds it");
		area_mem = bytes + (area_addr - o->base);
	} else if (!(area_mem = calloc(1, o->area_size))) {
		FAIL("out of memory");
	}
	if (o->area_out)
		cli_output_check("--area-out", o->area_out);

	struct pv_image img = {bytes, len, o->base};
	struct pv_area area;
	struct pv_report rep = {0};
	pv_area_init(&area, area_addr, area_mem, o->area_size);
	double t0 = cli_now();
	enum pv_status st = pv_patch_image(ctx, &img, &area, &o->popts, &rep);
	double secs = cli_now() - t0;
	if (st != PV_OK) {
		pv_report_free(&rep);
		if (!inside)
			free(area_mem);
		free(bytes);
		cli_patch_fail(ctx, st, "", "--area: the template area does not fit the flavor's address space");
	}

	/* every output is written before any is put in place */
	if (o->out)
		cli_output_write("--out", o->out, bytes, len);
	if (o->area_out)
		cli_output_write("--area-out", o->area_out, area_mem, area.used);
	cli_outputs_commit();
	if (o->json)
		pv_print_patch_report_json(stdout, ctx, &img, &area, &rep, secs, NULL);
	else
		pv_print_patch_report(stdout, ctx, pv_profile_label(ctx), &img, &area, &rep, secs);
	pv_report_free(&rep);
	if (!inside)
		free(area_mem);
	free(bytes);
#undef FAIL
}

static void kernel_form(struct opts *o)
{
	struct pv_vmlinux *k = &o->k;
	cli_vmlinux_load(o->vmlinux, &o->kopts, k);
	struct pv_ctx ctx;
	cli_ctx_init(&ctx, k->flavor, o->features, o->profile);
	struct pv_kernel_patch kp;
	struct pv_report rep = {0};
	pv_vmlinux_patch_setup(k, &kp);
	double t0 = cli_now();
	enum pv_status st = pv_patch_image(&ctx, &kp.img, &kp.area, &kp.popts, &rep);
	double secs = cli_now() - t0;
	if (st != PV_OK) {
		pv_vmlinux_free(k);
		cli_patch_fail(&ctx, st, "", "the kernel's template area does not fit the flavor's address space");
	}
	/* --verify: patching the patched text again must change nothing */
	int status = 0;
	const char *verdict = "not checked";
	if (o->verify) {
		uint8_t *again = malloc(k->text_len);
		if (!again)
			cli_fail("out of memory");
		memcpy(again, k->text, k->text_len);
		struct pv_image img2 = {again, k->text_len, kp.img.base};
		struct pv_area area2 = kp.area;
		area2.mem = again + (kp.area.addr - kp.img.base);
		struct pv_report rep2 = {0};
		enum pv_status st2 = pv_patch_image(&ctx, &img2, &area2, &kp.popts, &rep2);
		if (st2 != PV_OK)
			cli_patch_fail(&ctx, st2, "patching again: ", "bad arguments");
		/* upstream (linux, kernel:DIR) spends area on sites it leaves alone,
		 * so a second pass writes more into the area: only the text
		 * outside it has to stay the same (docs/profiles.md) */
		bool upstream = ctx.profile == PV_PROFILE_LINUX;
		uint64_t area_off = kp.area.addr - kp.img.base;
		size_t i = 0;
		while (i < k->text_len && (again[i] == k->text[i] || (upstream && i - area_off < kp.area.size)))
			i++;
		verdict = upstream ? "patching twice leaves the text alone (the area is not compared: upstream)"
				   : "patching twice equals patching once";
		if (i < k->text_len || (!upstream && area2.used != kp.area.used)) {
			verdict = "DIFFERS";
			status = 1;
			if (i < k->text_len)
				fprintf(stderr, "pvfuzz: patching twice changed the text at 0x%llx\n",
					(unsigned long long)(kp.img.base + (i & ~(size_t)3)));
			else
				fprintf(stderr, "pvfuzz: patching twice changed the template area's use (%zu -> %zu bytes)\n",
					kp.area.used, area2.used);
		}
		pv_report_free(&rep2);
		free(again);
	}

	if (o->out) /* the input is known now: --out must not be it */
		cli_output_write("--out", o->out, k->text, k->text_len);
	cli_outputs_commit();
	const char *how = k->flavor_given ? "given" : "from the ELF";
	if (o->json) {
		char extra[2048], file[1024];
		pv_json_escape(o->vmlinux, file, sizeof file);
		int m = snprintf(extra, sizeof extra,
				 "\"vmlinux\":{\"file\":\"%s\",\"build_id\":\"%s\",\"elf_class\":%u,"
				 "\"little_endian\":%s,\"abi\":%u,\"flavor_source\":\"%s\",\"vectors_rule\":%s,"
				 "\"symbols\":{", file, k->build_id, k->elf_class, k->little_endian ? "true" : "false",
				 k->abi, k->flavor_given ? "given" : "elf", k->vectors_rule ? "true" : "false");
		for (unsigned j = 0; j < PV_NKSYMS && m < (int)sizeof extra; j++)
			m += snprintf(extra + m, sizeof extra - (size_t)m, "%s\"%s\":%s%llx%s", j ? "," : "",
				      pv_ksym_info(j)->name, k->have[j] ? "\"0x" : "", (unsigned long long)k->sym[j],
				      k->have[j] ? "\"" : "");
		if (m < (int)sizeof extra)
			snprintf(extra + m, sizeof extra - (size_t)m, "},\"verify\":\"%s\"},", verdict);
		pv_print_patch_report_json(stdout, &ctx, &kp.img, &kp.area, &rep, secs, extra);
	} else {
		printf("kernel: %s (%u-bit %s-endian%s%s)\n", o->vmlinux, k->elf_class,
		       k->little_endian ? "little" : "big", k->abi ? ", ELFv" : "", k->abi ? (k->abi == 1 ? "1" : "2") : "");
		if (*k->build_id)
			printf("build id %s\n", k->build_id);
		printf("flavor %s (%s)\n", ctx.fi->name, how);
		for (unsigned j = 0; j < PV_NKSYMS; j++)
			if (k->have[j])
				printf("  %-20s 0x%llx%s\n", pv_ksym_info(j)->name, (unsigned long long)k->sym[j],
				       k->given[j] ? " (given)" : "");
		printf("branch patching below __end_interrupts: %s\n", k->vectors_rule ? "withheld" : "allowed");
		if (o->verify)
			printf("verify: %s\n", verdict);
		printf("\n");
		pv_print_patch_report(stdout, &ctx, pv_profile_label(&ctx), &kp.img, &kp.area, &rep, secs);
	}
	pv_report_free(&rep);
	pv_vmlinux_free(k);
	if (status)
		exit(status);
}

int cmd_patch(int argc, char **argv)
{
	enum { O_FLAVOR = 256, O_PROFILE, O_FEATURES, O_JSON, O_IMAGE, O_BASE, O_VECTORS, O_OUT,
	       O_AREA, O_AREA_SIZE, O_AREA_OUT, O_ADDR, O_VMLINUX, O_VERIFY, O_NO_VECTORS, O_HELP,
	       O_KSYM /* + enum pv_ksym */ };
	static const struct option longopts[] = {
		{"flavor", required_argument, 0, O_FLAVOR},     {"profile", required_argument, 0, O_PROFILE},
		{"features", required_argument, 0, O_FEATURES}, {"json", no_argument, 0, O_JSON},
		{"image", required_argument, 0, O_IMAGE},       {"base", required_argument, 0, O_BASE},
		{"vectors-end", required_argument, 0, O_VECTORS}, {"out", required_argument, 0, O_OUT},
		{"area", required_argument, 0, O_AREA},         {"area-size", required_argument, 0, O_AREA_SIZE},
		{"area-out", required_argument, 0, O_AREA_OUT}, {"addr", required_argument, 0, O_ADDR},
		{"vmlinux", required_argument, 0, O_VMLINUX},   {"verify", no_argument, 0, O_VERIFY},
		{"no-vectors-rule", no_argument, 0, O_NO_VECTORS},
		PV_KSYM_LONGOPTS(O_KSYM),
		{"help", no_argument, 0, O_HELP},               {0, 0, 0, 0},
	};
	struct opts o = {.profile = PV_PROFILE_FIXED, .features = PV_FEAT_ALL, .area_size = DEFAULT_AREA_SIZE};
	int c;

	if (cli_start_options(argc, argv, usage)) /* --help printed */
		return 0;
	while ((c = getopt_long(argc, argv, "+:h", longopts, NULL)) != -1) {
		switch (c) {
		case O_FLAVOR: o.flavor = cli_flavor(optarg); o.has_flavor = true; break;
		case O_PROFILE: o.profile = cli_profile(optarg); break;
		case O_FEATURES: o.features = cli_features(optarg); break;
		case O_JSON: o.json = true; break;
		case O_IMAGE: o.image = optarg; break;
		case O_BASE: o.base = cli_address("--base", optarg); o.has_base = true; break;
		case O_VECTORS:
			o.popts.vectors_end = cli_address("--vectors-end", optarg);
			o.popts.has_vectors_end = true;
			break;
		case O_OUT: o.out = optarg; break;
		case O_AREA: o.area = cli_address("--area", optarg); o.has_area = true; break;
		case O_AREA_SIZE:
			if (!cli_parse_u64(optarg, &o.area_size) || o.area_size == 0 || o.area_size % 4 ||
			    o.area_size > MAX_AREA_SIZE)
				cli_fail("--area-size: '%s' must be a multiple of 4 between 4 and %u", optarg,
					 MAX_AREA_SIZE);
			break;
		case O_AREA_OUT: o.area_out = optarg; break;
		case O_ADDR: o.addr = cli_address("--addr", optarg); o.has_addr = true; break;
		case O_VMLINUX: o.vmlinux = optarg; break;
		case O_VERIFY: o.verify = true; break;
		case O_NO_VECTORS: o.kopts.no_vectors_rule = true; break;
		case 'h':
		case O_HELP: fputs(usage, stdout); return 0;
		default:
			if (!cli_ksym_option(c, O_KSYM, optarg, &o.k))
				cli_bad_option("patch", c, argv);
		}
	}
	if (o.vmlinux) {
		if (argc > optind || o.image)
			cli_fail("patch: --vmlinux goes alone, without WORDs or --image");
		if (o.has_base || o.has_area || o.has_addr || o.popts.has_vectors_end || o.area_out)
			cli_fail("patch: --base, --area, --addr, --vectors-end and --area-out do not go with --vmlinux "
				 "(the kernel's symbols give them)");
		o.k.flavor = o.flavor;
		o.k.flavor_given = o.has_flavor;
		kernel_form(&o);
		return 0;
	}
	for (unsigned j = 0; j < PV_NKSYMS; j++)
		if (o.k.given[j])
			cli_fail("patch: %s goes with --vmlinux", pv_ksym_info(j)->option);
	if (o.verify || o.kopts.no_vectors_rule)
		cli_fail("patch: --verify and --no-vectors-rule go with --vmlinux");
	if (!o.has_flavor)
		cli_fail("patch: --flavor is required (see pvfuzz patch --help)");

	struct pv_ctx ctx;
	cli_ctx_init(&ctx, o.flavor, o.features, o.profile);
	int nwords = argc - optind;
	if (o.image) {
		if (nwords)
			cli_fail("patch: give either WORDs or --image, not both");
		image_form(&ctx, &o);
	} else {
		if (!nwords)
			cli_fail("patch: no WORD and no --image given (see pvfuzz patch --help)");
		if (o.has_base || o.popts.has_vectors_end || o.out || o.area_out)
			cli_fail("patch: --base, --vectors-end, --out and --area-out go with --image");
		words_form(&ctx, &o, argv + optind, nwords);
	}
	return 0;
}
