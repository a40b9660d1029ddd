/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef COMPACTRACE_FACTS_H
#define COMPACTRACE_FACTS_H

#include <stdint.h>

/*
 * Host facts: what the analysis must know about the kernel that produced
 * the trace. A session resolves each fact once, before any consumer sees
 * an event, from the most trusted place that says it: the command line,
 * then a snapshot of the host (/proc copies), then the trace's own
 * content, then a default. Every consumer (engine, model, reports, top,
 * monitor) reads the same record.
 */

enum ct_fact_source {
	CT_FACT_DEFAULT,	/* nothing said it: the x86-64 value */
	CT_FACT_TRACE,		/* the trace itself (the kernel's own text, event names) */
	CT_FACT_SNAPSHOT,	/* a /proc snapshot of the host */
	CT_FACT_USER,		/* the command line */
};

#define CT_FACT_MIGRATETYPES 8
#define CT_FACT_NAME_LEN 16

struct ct_host_facts {
	int pageblock_order;	/* pages per pageblock = 1 << order */
	enum ct_fact_source pageblock_order_source;
	/*
	 * Extfrag events printed a pageblock_order= other than the resolved
	 * one (seen after it was settled from a weaker source): the reports
	 * say so and suggest --pageblock-order.
	 */
	uint64_t pageblock_order_disagreements;
	int pageblock_order_printed;	/* the last such value; 0 none */

	uint64_t page_size;	/* bytes */
	enum ct_fact_source page_size_source;

	char release[128];	/* kernel release; empty when unknown */
	enum ct_fact_source release_source;

	int extfrag_threshold;	/* vm.extfrag_threshold */
	enum ct_fact_source extfrag_threshold_source;

	int nmigratetypes;	/* migratetype names, by value (pagetypeinfo's columns) */
	char migratetype_names[CT_FACT_MIGRATETYPES][CT_FACT_NAME_LEN];
	enum ct_fact_source migratetype_names_source;

	/* zone spans from the snapshot's zoneinfo (runs carry their own span from the trace) */
	struct ct_fact_zone {
		int32_t nid;
		char zone[12];
		uint64_t start_pfn, end_pfn;	/* [start, end) */
	} zones[32];
	uint32_t nzones;
	enum ct_fact_source zones_source;

	/* 1 the kernel has mm_compaction_fast_isolate_freepages (6.5+), 0 not, -1 unknown */
	int has_fast_isolate_tracepoint;
	enum ct_fact_source has_fast_isolate_tracepoint_source;
};

/** ct_fact_source_name() - "default", "trace", "snapshot", "user"; static */
const char *ct_fact_source_name(enum ct_fact_source source);

#endif
