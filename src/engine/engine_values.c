// SPDX-License-Identifier: GPL-2.0-or-later
/* Values no kernel can have produced: the engine's first check of an event. */
#include "engine/engine_values.h"

#define MAX_NODES 1024	/* MAX_NUMNODES at its largest (NODES_SHIFT 10) */
/*
 * One isolate or migrate step works within a pageblock (at most 2^19 pages
 * on any architecture) or one free block of the largest order.
 */
#define MAX_STEP_PAGES (1ULL << 20)
/* isolations may reach a little past a zone that does not start on a pageblock boundary */
#define ZONE_SLACK 1024

static int pfn_ok(uint64_t pfn)
{
	return pfn < CT_PFN_LIMIT;
}

static int order_ok(int32_t order)
{
	return order >= CT_ORDER_MIN && order <= CT_ORDER_MAX;
}

static int nid_ok(int32_t nid)
{
	return nid >= 0 && nid < MAX_NODES;
}

static int isolate_ok(const struct ct_ev_isolate *i, const struct ct_run *run)
{
	if (!pfn_ok(i->start_pfn) || !pfn_ok(i->end_pfn) || i->nr_scanned >= MAX_STEP_PAGES ||
	    i->nr_taken >= MAX_STEP_PAGES)
		return 0;
	return !run || (i->start_pfn < run->zone_end + ZONE_SLACK && i->end_pfn + ZONE_SLACK > run->zone_start);
}

int ct_event_values_ok(const struct ct_event *ev, const struct ct_run *open_run)
{
	const struct ct_ev_range *r = &ev->u.range;
	const struct ct_ev_extfrag *x = &ev->u.xf;

	switch (ev->type) {
	case CT_EV_BEGIN:
	case CT_EV_END:
		return r->zone_start < r->zone_end && pfn_ok(r->zone_end) && pfn_ok(r->migrate_pfn) &&
		       pfn_ok(r->free_pfn);
	case CT_EV_ISOLATE_MIGRATE:
	case CT_EV_ISOLATE_FREE:
	case CT_EV_FAST_ISOLATE_FREE:
		return isolate_ok(&ev->u.iso, open_run);
	case CT_EV_MIGRATEPAGES:
		return ev->u.mig.nr_migrated < MAX_STEP_PAGES && ev->u.mig.nr_failed < MAX_STEP_PAGES;
	case CT_EV_FINISHED:
	case CT_EV_SUITABLE:
		return nid_ok(ev->u.zo.nid) && order_ok(ev->u.zo.order);
	case CT_EV_DEFERRED:
	case CT_EV_DEFER_COMPACTION:
	case CT_EV_DEFER_RESET:
		return nid_ok(ev->u.defer.nid);	/* orders: the engine counts them per slot */
	case CT_EV_KCOMPACTD_SLEEP:
	case CT_EV_WAKEUP_KCOMPACTD:
	case CT_EV_KCOMPACTD_WAKE:
		return nid_ok(ev->u.kc.nid);	/* a wake with a bad order still happened */
	case CT_EV_EXTFRAG:
		return x->alloc_order >= 0 && x->alloc_order <= CT_ORDER_MAX && x->fallback_order >= 0 &&
		       x->fallback_order <= CT_ORDER_MAX && pfn_ok(x->pfn);
	default:
		if (ev->type >= CT_EV_PAGE_FIRST && ev->type <= CT_EV_PAGE_LAST)
			return (ev->u.page.pfn == CT_PFN_NONE || pfn_ok(ev->u.page.pfn)) &&
			       (ev->u.page.order == -1 || order_ok(ev->u.page.order));
		return 1;
	}
}
