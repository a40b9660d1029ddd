/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef CT_TOOL_COMMANDS_H
#define CT_TOOL_COMMANDS_H

/* Each subcommand is main()-like: returns the process exit status. */
int ct_cmd_report(int argc, char **argv);
int ct_cmd_record(int argc, char **argv);
int ct_cmd_top(int argc, char **argv);
int ct_cmd_monitor(int argc, char **argv);
int ct_cmd_hugepages(int argc, char **argv);

/* report --hugepages FILE: the huge-page forecast of a recording's end snapshot (cmd_hugepages.c) */
int ct_hugepages_recording(const char *path, int json, int order);

/*
 * Exit statuses shared by every subcommand. CT_EXIT_PIPE: whoever read our
 * standard output went away (`compactrace report | head`); the command
 * stops quietly, after cleaning up, with the status a shell shows for a
 * process killed by SIGPIPE (128 + 13), as git and most tools end there.
 */
enum { CT_EXIT_OK = 0, CT_EXIT_ERROR = 1, CT_EXIT_USAGE = 2, CT_EXIT_PIPE = 141 };

#endif
