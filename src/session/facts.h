/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef CT_SESSION_FACTS_H
#define CT_SESSION_FACTS_H

#include "compactrace/engine.h"
#include "compactrace/facts.h"
#include "compactrace/snapshot.h"

/*
 * Settling the host facts, strongest source first: the command line, a
 * snapshot (start before end), the trace, the default. A fact is only
 * ever replaced by a stronger source.
 */

#define CT_DEFAULT_PAGEBLOCK_ORDER 9	/* x86-64: HPAGE_PMD_ORDER */
#define CT_DEFAULT_PAGE_SIZE 4096
#define CT_DEFAULT_EXTFRAG_THRESHOLD 500

/** ct_facts_init() - every fact at its default */
void ct_facts_init(struct ct_host_facts *f);

/** ct_facts_from_options() - what the command line gave (pageblock order 0: not given) */
void ct_facts_from_options(struct ct_host_facts *f, int pageblock_order, int has_threshold,
			   int threshold);

/** ct_facts_from_snapshots() - what the snapshots say (either may be NULL) */
void ct_facts_from_snapshots(struct ct_host_facts *f, const struct ct_snapshot *start,
			     const struct ct_snapshot *end);

/** ct_facts_printed_pbo_ok() - is @v a pageblock_order= some kernel could print? */
int ct_facts_printed_pbo_ok(int v);

/**
 * ct_facts_settle_pageblock_order() - nothing stronger said it: the trace's
 * printed value @printed (0: none) or the default
 */
void ct_facts_settle_pageblock_order(struct ct_host_facts *f, int printed);

/** ct_facts_check_printed() - a printed pageblock_order= after settling: count a disagreement */
void ct_facts_check_printed(struct ct_host_facts *f, int printed);

/** ct_facts_from_results() - what only the whole trace tells (the events this kernel has) */
void ct_facts_from_results(struct ct_host_facts *f, const struct ct_results *res);

#endif
