/* pvfuzz: the command-line front end. Each command lives in its own
 * cmd_*.c; this file only dispatches. */
#include <stdio.h>
#include <string.h>

#include "cli.h"

int cmd_patch(int argc, char **argv);
int cmd_diff(int argc, char **argv);
int cmd_repro(int argc, char **argv);
int cmd_sweep(int argc, char **argv);
int cmd_diffsweep(int argc, char **argv);
int cmd_validate(int argc, char **argv);
int cmd_agree(int argc, char **argv);
int cmd_targets(int argc, char **argv);
int cmd_platforms(int argc, char **argv);

static const struct {
	const char *name;
	int (*run)(int argc, char **argv);
	const char *summary;
} commands[] = {
	{"patch", cmd_patch, "rewrite instruction words or a text image as a KVM guest does"},
	{"diff", cmd_diff, "run words original and patched from start states and compare"},
	{"sweep", cmd_sweep, "every 32-bit word through the matcher and its checks"},
	{"diffsweep", cmd_diffsweep, "the oracle over every class, register and feature set of a flavor"},
	{"validate", cmd_validate, "the gate for one rewrite class: sweeps, then focused fuzzing"},
	{"repro", cmd_repro, "replay fuzz inputs through their target's checks, with a report"},
	{"agree", cmd_agree, "the linux profile against a kernel's own patch code, word for word"},
	{"targets", cmd_targets, "the fuzz targets: id (byte 0 of an input), name, invariant"},
	{"platforms", cmd_platforms, "the platform table: index (byte 1 of an input), flavor/features/profile"},
};

static void usage(FILE *f)
{
	fprintf(f, "usage: pvfuzz COMMAND [OPTIONS]\n\ncommands:\n");
	for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
		fprintf(f, "  %-10s %s\n", commands[i].name, commands[i].summary);
	fprintf(f, "\n'pvfuzz COMMAND --help' describes one command.\n"
		   "Exit status: 0 success, 1 a check failed, 2 usage or input error, 70 the\n"
		   "emulator failed, 86 a sanitizer report (docs/reliability.md).\n");
}

int main(int argc, char **argv)
{
	if (argc < 2)
		cli_fail("no command given (try pvfuzz --help)");
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
		usage(stdout);
		return 0;
	}
	for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
		if (!strcmp(argv[1], commands[i].name))
			return commands[i].run(argc - 1, argv + 1);
	cli_fail("unknown command '%s' (try pvfuzz --help)", argv[1]);
}
