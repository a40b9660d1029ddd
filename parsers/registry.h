/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef CT_PARSERS_REGISTRY_H
#define CT_PARSERS_REGISTRY_H

#include "parser.h"

/* One ops table per input format; each lives in its own file under parsers/. */
extern const struct ct_parser_ops ct_ftrace_text_ops;
extern const struct ct_parser_ops ct_trace_cmd_text_ops;
extern const struct ct_parser_ops ct_perf_script_ops;
extern const struct ct_parser_ops ct_trace_dat_ops;
extern const struct ct_parser_ops ct_perf_data_ops;

/* NULL-terminated, in detection-tie order */
extern const struct ct_parser_ops *const ct_parsers[];

#endif
