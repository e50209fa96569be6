/* pvfuzz targets, pvfuzz platforms: the registry of fuzz targets
 * (check/targets.def) and the platform table (check/targets.c), the lists
 * that byte 0 and byte 1 of every fuzz input index. Scripts read the names
 * from here (--names), so no script keeps a list of its own. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "pvf.h"

static const char targets_usage[] =
	"usage: pvfuzz targets [--names]\n"
	"\n"
	"The fuzz targets (check/targets.def), in the order scripts run them:\n"
	"id (byte 0 of an input), name, invariant. --names: the names only, one\n"
	"per line.\n";

static const char platforms_usage[] =
	"usage: pvfuzz platforms [--names]\n"
	"\n"
	"The platform table (check/targets.c): index (byte 1 of an input, modulo\n"
	"the table's length) and name, flavor/features/profile. --names: the names\n"
	"only, one per line.\n";

/* --names or nothing; exits 2 on anything else */
static bool names_only(int argc, char **argv, const char *cmd, const char *usage)
{
	if (cli_start_options(argc, argv, usage)) /* --help printed */
		exit(0);
	if (argc == 1)
		return false;
	if (argc == 2 && !strcmp(argv[1], "--names"))
		return true;
	/* the first argument that is not a lone --names */
	cli_fail("%s: unexpected argument '%s' (only --names)", cmd, strcmp(argv[1], "--names") ? argv[1] : argv[2]);
}

int cmd_targets(int argc, char **argv)
{
	bool names = names_only(argc, argv, "targets", targets_usage);
	for (unsigned i = 0; i < pvf_ntargets; i++)
		if (names)
			printf("%s\n", pvf_targets[i].name);
		else
			printf("%3u  %-20s %s\n", (unsigned)pvf_targets[i].id, pvf_targets[i].name, pvf_targets[i].invariant);
	return 0;
}

int cmd_platforms(int argc, char **argv)
{
	bool names = names_only(argc, argv, "platforms", platforms_usage);
	for (unsigned i = 0; i < pvf_nplatforms; i++)
		if (names)
			printf("%s\n", pvf_platform(i)->name);
		else
			printf("%3u  %s\n", i, pvf_platform(i)->name);
	return 0;
}
