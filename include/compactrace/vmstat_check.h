/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef COMPACTRACE_VMSTAT_CHECK_H
#define COMPACTRACE_VMSTAT_CHECK_H

#include <stdint.h>

#include "compactrace/engine.h"
#include "compactrace/facts.h"

/*
 * Compare the totals reconstructed from the trace with the /proc/vmstat
 * delta over the same window, and say for each counter whether they are
 * equal, differ for a reason the kernel's accounting explains (the reasons
 * are listed in src/engine/vmstat_check.c and in README.md, "Checking
 * against /proc/vmstat"), or differ for no known reason (a bug or lost data).
 */

enum ct_verdict { CT_VERDICT_EQUAL, CT_VERDICT_EXPLAINED, CT_VERDICT_UNEXPLAINED, CT_VERDICT_MISSING };

#define CT_VMSTAT_COUNTERS 7
#define CT_REASON_LEN 256

struct ct_vmstat_counter {
	const char *name;	/* static: "compact_free_scanned", ... */
	uint64_t trace;
	int64_t vmstat_delta;
	enum ct_verdict verdict;
	char reason[CT_REASON_LEN];
};

struct ct_vmstat_check {
	struct ct_vmstat_counter counters[CT_VMSTAT_COUNTERS];
	int unexplained;	/* how many counters are unexplained */
};

/** ct_vmstat_value() - look up @name in /proc/vmstat text; returns 0 and sets @out, or -CT_E_INVAL */
int ct_vmstat_value(const char *vmstat_text, const char *name, uint64_t *out);

/**
 * ct_vmstat_check_run() - fill @out comparing @res with the vmstat delta
 * @start_text, @end_text: /proc/vmstat contents (NUL-terminated) at start and end
 *
 * A counter missing from either text gets CT_VERDICT_MISSING. No allocation.
 */
void ct_vmstat_check_run(const struct ct_results *res, const struct ct_host_facts *facts,
			 const char *start_text, const char *end_text,
			 struct ct_vmstat_check *out);

/** ct_verdict_name() - "equal", "explained", "unexplained", "missing"; static */
const char *ct_verdict_name(enum ct_verdict verdict);

/**
 * ct_kernel_has_fast_isolate() - 1 if release "X.Y..." is 6.5 or later, 0 if older, -1 if unparsable
 */
int ct_kernel_has_fast_isolate(const char *release);

#endif
