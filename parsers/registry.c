// SPDX-License-Identifier: GPL-2.0-or-later
#include <stddef.h>

#include "registry.h"

const struct ct_parser_ops *const ct_parsers[] = {
	&ct_trace_dat_ops,
	&ct_perf_data_ops,
	&ct_trace_cmd_text_ops,
	&ct_perf_script_ops,
	&ct_ftrace_text_ops,
	NULL,
};
