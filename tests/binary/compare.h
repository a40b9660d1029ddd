/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef CT_TESTS_BINARY_COMPARE_H
#define CT_TESTS_BINARY_COMPARE_H

#include "compactrace/source.h"

/*
 * Compare the stream of a binary source with the stream of a text source
 * made from it, event by event. Compared: type, name, pid, cpu, comm, the
 * timestamp to the microsecond the text shows (@rounds: trace-cmd rounds,
 * perf truncates) and every payload field, except the two the text tools
 * print wrongly for extfrag (pageblock_order, fragmenting: not in the
 * binary record) and the raw gfp mask where the text has only flag names.
 * A kmem page event the binary side decodes (CT_EV_PAGE_*) may be
 * CT_EV_OTHER on the text side, if that parser does not decode page events:
 * counted in st->page_untyped, not a mismatch.
 * With @skip_perr, CT_EV_PARSE_ERROR events of the binary side are counted
 * in st->binary_perr and not compared (the text has no line for them).
 */
struct bt_cmp_stats {
	unsigned long long events, other, lost, binary_perr, mismatches;
	unsigned long long lost_count;	/* sum of lost-event counts */
	unsigned long long first_perr_where;
	unsigned long long page_untyped;	/* page events the text left CT_EV_OTHER */
	int rb, rt;		/* last ct_source_next() results */
};

void bt_compare(struct ct_source *bin, struct ct_source *text, int rounds, int skip_perr,
		struct bt_cmp_stats *st, int max_reports);

#endif
