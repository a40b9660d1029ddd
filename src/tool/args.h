/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef CT_TOOL_ARGS_H
#define CT_TOOL_ARGS_H

/*
 * Numbers given on the command line: the whole string must be a number in
 * [min, max]. Return 0 and set *out, or -CT_E_INVAL.
 */
int ct_arg_long(const char *s, long min, long max, long *out);
int ct_arg_double(const char *s, double min, double max, double *out);	/* finite only */

#endif
