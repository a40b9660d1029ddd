/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef CT_REPORTS_HTML_SERIES_H
#define CT_REPORTS_HTML_SERIES_H

/*
 * What the HTML report draws over time, gathered by a session sink in
 * bounded memory and summarised as it grows, so that a trace of millions
 * of events still gives a page of a few MB:
 *  - lanes of intervals (runs per zone, stalls per task, kcompactd awake
 *    periods, fallbacks): at most HS_LANE_CAP items each; when a lane is
 *    full, neighbours closer than a gap (doubled until half the items are
 *    left) become one item that keeps the count and the statuses of what
 *    it holds;
 *  - the scanners' positions per zone: at most HS_POINTS points per
 *    scanner, every other one dropped (and the stride doubled) when full;
 *  - the model's free blocks per order per zone, sampled every so much
 *    trace time (doubled when HS_SAMPLES are full).
 * Exact totals (items, busy time) are kept beside every summary, so the
 * page can say how many things a mark stands for.
 */
#include <stdint.h>

#include "compactrace/engine.h"
#include "compactrace/model.h"

#define HS_LANE_CAP 600
#define HS_POINTS 8192
#define HS_SAMPLES 400
#define HS_ZONES 16
#define HS_TASKS 32		/* stall lanes; further tasks share the last one */
#define HS_NODES 8
#define HS_MET 256		/* scanners-met marks per zone */

struct hs_item {
	uint64_t a, b;			/* [a, b] ns */
	uint32_t n;			/* how many it stands for */
	uint32_t cnt[CT_STATUS_COUNT];	/* by status (runs, stalls); [0] other, [1] fragmenting (fallbacks) */
};

struct hs_lane {
	int32_t key;			/* pid (stalls), node (kcompactd) */
	char label[CT_COMM_LEN + 16];
	uint64_t total;			/* items added */
	uint64_t busy_ns;		/* Σ (b - a) of the items added */
	struct hs_item *items;
	uint32_t n;
	uint64_t gap;			/* the last merge's gap, ns */
};

struct hs_pt {
	uint64_t ts, pfn;
	uint8_t brk;			/* a new run starts here: the line breaks */
};

struct hs_points {
	struct hs_pt *p;
	uint32_t n, stride, seen;
	uint8_t pending_brk;
};

/* one zone's scanners, keyed by its span (begin events may not name the zone) */
struct hs_traj {
	uint64_t start, end;
	int32_t nid;
	char zone[CT_ZONE_LEN];
	uint64_t runs, met;
	struct hs_points mig, free;
	struct hs_pt met_at[HS_MET];	/* where the scanners met */
	uint32_t nmet, met_stride;
	struct hs_lane lane;		/* the zone's runs, for the timeline */
};

struct hs_free {
	int32_t nid;
	char zone[CT_ZONE_LEN];
	uint64_t start_pfn;
	int norders;
	uint32_t n;
	uint64_t ts[HS_SAMPLES];
	uint64_t blocks[HS_SAMPLES][CT_MODEL_ORDERS];
};

struct ct_session;

struct ct_html_series {
	const struct ct_session *session;
	uint64_t first_ns, last_ns;
	int have_ts, nomem;

	struct hs_traj traj[HS_ZONES];
	uint32_t ntraj;
	uint64_t runs_unplaced;		/* runs beyond HS_ZONES zones */
	uint64_t met_unplaced;		/* those of them whose scanners met */
	struct hs_lane tasks[HS_TASKS];	/* stalls per task */
	uint32_t ntasks;
	struct hs_lane nodes[HS_NODES];	/* kcompactd awake periods */
	uint32_t nnodes;
	struct hs_lane fallbacks;

	struct hs_free free[HS_ZONES];	/* by the model's zone index */
	uint32_t nfree;
	uint64_t free_step, free_next;
	uint8_t model_dirty;
};

/**
 * ct_html_lanes_join() - @n lanes as one (@out, whose items the caller
 * frees), summarised again to at most HS_LANE_CAP / 2 marks.
 * Returns 0 or -CT_E_NOMEM.
 */
int ct_html_lanes_join(struct hs_lane *out, const struct hs_lane *const *lanes, uint32_t n);

#endif
