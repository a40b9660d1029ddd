// SPDX-License-Identifier: GPL-2.0-or-later
/* Fuzz ftrace text (trace, trace_pipe) through `compactrace report`'s whole path (fuzz_common.c). */
#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fz_report_file(CT_FORMAT_FTRACE_TEXT, data, size);
	return 0;
}
