// SPDX-License-Identifier: GPL-2.0-or-later
#include <stdio.h>
#include <string.h>

#include "commands.h"

static const struct {
	const char *name;
	int (*run)(int argc, char **argv);
	const char *help;
} commands[] = {
	{ "report", ct_cmd_report, "reconstruct compaction from a saved trace" },
	{ "record", ct_cmd_record, "capture compaction events on this host into a trace.dat" },
	{ "top", ct_cmd_top, "live dashboard of compaction, or a replay of a trace" },
};

static void usage(FILE *out)
{
	fprintf(out, "usage: compactrace COMMAND [OPTIONS]\n\ncommands:\n");
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(out, "  %-8s %s\n", commands[i].name, commands[i].help);
	fprintf(out, "\n'compactrace COMMAND --help' describes a command.\n");
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return CT_EXIT_USAGE;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
		usage(stdout);
		return CT_EXIT_OK;
	}
	if (strcmp(argv[1], "--version") == 0) {
		printf("compactrace %s\n", CT_VERSION);
		return CT_EXIT_OK;
	}
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (strcmp(argv[1], commands[i].name) == 0)
			return commands[i].run(argc - 1, argv + 1);
	fprintf(stderr, "compactrace: unknown command '%s'\n", argv[1]);
	usage(stderr);
	return CT_EXIT_USAGE;
}
