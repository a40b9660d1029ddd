// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <signal.h>
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
	{ "monitor", ct_cmd_monitor, "serve compaction metrics to Prometheus, always on" },
	{ "hugepages", ct_cmd_hugepages, "how many huge pages compaction can free now, and what blocks it" },
};

static void usage(FILE *out)
{
	fprintf(out, "usage: compactrace COMMAND [OPTIONS]\n\ncommands:\n");
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(out, "  %-8s %s\n", commands[i].name, commands[i].help);
	fprintf(out, "\n'compactrace COMMAND --help' describes a command.\n");
}

/*
 * What a command said it wrote must have reached standard output (help
 * text, version): a full disk is an error, a reader gone is CT_EXIT_PIPE.
 */
static int close_stdout(int status)
{
	if (fflush(stdout) == 0 && !ferror(stdout))
		return status;
	if (status != CT_EXIT_OK)
		return status;	/* the command has said what went wrong */
	if (errno == EPIPE)
		return CT_EXIT_PIPE;
	fprintf(stderr, "compactrace: writing to standard output: %s\n", strerror(errno));
	return CT_EXIT_ERROR;
}

int main(int argc, char **argv)
{
	signal(SIGPIPE, SIG_IGN);	/* a closed pipe is a write error each command handles */
	if (argc < 2) {
		usage(stderr);
		return CT_EXIT_USAGE;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
		usage(stdout);
		return close_stdout(CT_EXIT_OK);
	}
	if (strcmp(argv[1], "--version") == 0) {
		printf("compactrace %s\n", CT_VERSION);
		return close_stdout(CT_EXIT_OK);
	}
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (strcmp(argv[1], commands[i].name) == 0)
			return close_stdout(commands[i].run(argc - 1, argv + 1));
	fprintf(stderr, "compactrace: unknown command '%s'\n", argv[1]);
	usage(stderr);
	return CT_EXIT_USAGE;
}
