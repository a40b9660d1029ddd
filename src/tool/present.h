/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef CT_TOOL_PRESENT_H
#define CT_TOOL_PRESENT_H

#include <stdio.h>

#include "compactrace/vmstat_check.h"

/*
 * ct_print_vmstat_lines() - the vmstat check as `record` prints it when it
 * stops (and `top --batch` after a replay): one line per counter
 * @label: printed on the first line in the 8-column label field ("vmstat")
 * @file: named in the hint when a counter is unexplained
 *
 * Returns 0, or -CT_E_WRITE when writing failed.
 */
int ct_print_vmstat_lines(FILE *out, const struct ct_vmstat_check *check, const char *file);

#endif
