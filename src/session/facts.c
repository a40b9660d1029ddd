// SPDX-License-Identifier: GPL-2.0-or-later
/* The host facts and where each comes from (compactrace/facts.h). */
#include <stdio.h>
#include <string.h>

#include "compactrace/vmstat_check.h"
#include "session/facts.h"

/* the kernel's names in enum migratetype order (6.x, CONFIG_CMA) */
static const char *const default_migratetypes[] = {
	"Unmovable", "Movable", "Reclaimable", "HighAtomic", "CMA", "Isolate",
};

const char *ct_fact_source_name(enum ct_fact_source source)
{
	switch (source) {
	case CT_FACT_TRACE: return "trace";
	case CT_FACT_SNAPSHOT: return "snapshot";
	case CT_FACT_USER: return "user";
	default: return "default";
	}
}

void ct_facts_init(struct ct_host_facts *f)
{
	memset(f, 0, sizeof(*f));
	f->pageblock_order = CT_DEFAULT_PAGEBLOCK_ORDER;
	f->page_size = CT_DEFAULT_PAGE_SIZE;
	f->extfrag_threshold = CT_DEFAULT_EXTFRAG_THRESHOLD;
	f->nmigratetypes = (int)(sizeof(default_migratetypes) / sizeof(default_migratetypes[0]));
	for (int i = 0; i < f->nmigratetypes; i++)
		snprintf(f->migratetype_names[i], sizeof(f->migratetype_names[i]), "%s",
			 default_migratetypes[i]);
	f->has_fast_isolate_tracepoint = -1;
}

void ct_facts_from_options(struct ct_host_facts *f, int pageblock_order, int has_threshold,
			   int threshold)
{
	if (pageblock_order > 0) {
		f->pageblock_order = pageblock_order;
		f->pageblock_order_source = CT_FACT_USER;
	}
	if (has_threshold) {
		f->extfrag_threshold = threshold;
		f->extfrag_threshold_source = CT_FACT_USER;
	}
}

static void from_snapshot(struct ct_host_facts *f, const struct ct_snapshot *s)
{
	const struct ct_memsnap *m = s->mem;
	int pbo = s->pageblock_order ? s->pageblock_order : m ? m->pageblock_order : 0;

	if (pbo > 0 && f->pageblock_order_source < CT_FACT_SNAPSHOT) {
		f->pageblock_order = pbo;
		f->pageblock_order_source = CT_FACT_SNAPSHOT;
	}
	if (s->release[0] && f->release_source < CT_FACT_SNAPSHOT) {
		snprintf(f->release, sizeof(f->release), "%s", s->release);
		f->release_source = CT_FACT_SNAPSHOT;
	}
	if (!m)
		return;
	if (m->page_size && f->page_size_source < CT_FACT_SNAPSHOT) {
		f->page_size = m->page_size;
		f->page_size_source = CT_FACT_SNAPSHOT;
	}
	if (m->extfrag_threshold >= 0 && f->extfrag_threshold_source < CT_FACT_SNAPSHOT) {
		f->extfrag_threshold = m->extfrag_threshold;
		f->extfrag_threshold_source = CT_FACT_SNAPSHOT;
	}
	if (m->ntypes > 0 && f->migratetype_names_source < CT_FACT_SNAPSHOT) {
		f->nmigratetypes = m->ntypes < CT_FACT_MIGRATETYPES ? m->ntypes : CT_FACT_MIGRATETYPES;
		for (int i = 0; i < f->nmigratetypes; i++)
			snprintf(f->migratetype_names[i], sizeof(f->migratetype_names[i]), "%s",
				 m->type_names[i]);
		f->migratetype_names_source = CT_FACT_SNAPSHOT;
	}
	if (m->nzones && f->zones_source < CT_FACT_SNAPSHOT) {
		uint32_t n = 0;

		for (uint32_t i = 0; i < m->nzones && n < sizeof(f->zones) / sizeof(f->zones[0]); i++) {
			const struct ct_memsnap_zone *z = &m->zones[i];

			if (!z->has_start_pfn || !z->spanned)
				continue;
			f->zones[n].nid = z->nid;
			snprintf(f->zones[n].zone, sizeof(f->zones[n].zone), "%s", z->name);
			f->zones[n].start_pfn = z->start_pfn;
			f->zones[n].end_pfn = z->start_pfn + z->spanned;
			n++;
		}
		if (n) {
			f->nzones = n;
			f->zones_source = CT_FACT_SNAPSHOT;
		}
	}
}

void ct_facts_from_snapshots(struct ct_host_facts *f, const struct ct_snapshot *start,
			     const struct ct_snapshot *end)
{
	if (start)
		from_snapshot(f, start);
	if (end)
		from_snapshot(f, end);
	if (f->release_source == CT_FACT_SNAPSHOT) {
		f->has_fast_isolate_tracepoint = ct_kernel_has_fast_isolate(f->release);
		if (f->has_fast_isolate_tracepoint >= 0)
			f->has_fast_isolate_tracepoint_source = CT_FACT_SNAPSHOT;
	}
}

int ct_facts_printed_pbo_ok(int v)
{
	return v > 0 && v < 20;
}

void ct_facts_settle_pageblock_order(struct ct_host_facts *f, int printed)
{
	if (f->pageblock_order_source != CT_FACT_DEFAULT || !ct_facts_printed_pbo_ok(printed))
		return;
	f->pageblock_order = printed;
	f->pageblock_order_source = CT_FACT_TRACE;
}

void ct_facts_check_printed(struct ct_host_facts *f, int printed)
{
	if (!ct_facts_printed_pbo_ok(printed) || printed == f->pageblock_order)
		return;
	f->pageblock_order_disagreements++;
	f->pageblock_order_printed = printed;
}

void ct_facts_from_results(struct ct_host_facts *f, const struct ct_results *res)
{
	if (f->has_fast_isolate_tracepoint >= 0)
		return;
	for (uint32_t i = 0; i < res->nsources; i++)
		for (uint32_t j = 0; j < res->sources[i].nnames; j++)
			if (strcmp(res->sources[i].names[j].name, "mm_compaction_fast_isolate_freepages") == 0) {
				f->has_fast_isolate_tracepoint = 1;
				f->has_fast_isolate_tracepoint_source = CT_FACT_TRACE;
				return;
			}
}
