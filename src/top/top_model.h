/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef COMPACTRACE_TOP_MODEL_H
#define COMPACTRACE_TOP_MODEL_H

#include <stddef.h>
#include <stdint.h>

#include "compactrace/engine.h"
#include "compactrace/sink.h"

/*
 * The model behind `compactrace top`: plain C, no I/O, no curses. It is fed
 * by the engine's on_run/on_stall callbacks and, once per refresh, by the
 * engine's cumulative results (ct_top_model_tick()). From those it keeps
 * interval deltas and rates, a baseline for "reset counters", a ring of
 * recent stalls and runs, the last run of each zone (for the scanner gauge)
 * and a short history for sparklines, and publishes them as one flat
 * struct ct_top_view that a UI can copy and draw without the engine.
 *
 * All times are in the trace's clock (ns). The caller says what "now" is:
 * the replay clock for a file, CLOCK_MONOTONIC for a live instance whose
 * trace_clock is "mono".
 */

#define CT_TOP_ZONES 32		/* zones shown; more are counted in zones_hidden */
#define CT_TOP_NODES 16
#define CT_TOP_PAIRS 8		/* extfrag migratetype pairs, busiest first */
#define CT_TOP_RECENT 128	/* recent stalls kept for the stall list */
#define CT_TOP_ZONE_RUNS 8	/* recent runs kept per zone for the zone view */
#define CT_TOP_HISTORY 240	/* intervals kept for sparklines */
#define CT_TOP_SLOW 10		/* slowest recent stalls shown */
#define CT_TOP_SLOW_WINDOW 60	/* "recent": the last this many intervals */

/* Cumulative counters: what "reset" subtracts and an interval differences. */
struct ct_top_counters {
	uint64_t events, lost_events, parse_errors, unknown_events;
	uint64_t unmatched_begin, unmatched_end, out_of_order;
	struct ct_totals totals;
	uint64_t runs, runs_by_trigger[CT_TRIGGER_COUNT], runs_by_status[CT_STATUS_COUNT];
	uint64_t migrated, migrate_failed, scanners_met;
	uint64_t stalls, stalls_by_result[CT_STATUS_COUNT];	/* closed stalls */
	uint64_t extfrag, fragmenting, change_ownership, pageblocks_polluted;
	uint64_t by_pair[CT_MIGRATETYPES][CT_MIGRATETYPES];
};

/* Latency figures for one window; ns, 0 when the window is empty. */
struct ct_top_lat {
	uint64_t count, p50_ns, p99_ns, max_ns;
	int exact;		/* 0: p50/p99 come from the histogram (< 1% error) */
};

/* A zone's counters (same fields for the cumulative and interval copies). */
struct ct_top_zone_counts {
	uint64_t runs, by_status[CT_STATUS_COUNT], by_trigger[CT_TRIGGER_COUNT];
	uint64_t migrate_scanned, free_scanned, isolated, migrated, migrate_failed;
	uint64_t scanners_met, deferred, defer_compaction, defer_reset;
};

struct ct_top_zone {
	int32_t nid;
	char zone[CT_ZONE_LEN];
	uint64_t zone_start_pfn, zone_end_pfn;
	struct ct_top_zone_counts total;	/* since start or reset */
	struct ct_top_zone_counts delta;	/* last interval */
	uint64_t deferred_by_order[CT_ORDER_SLOTS];	/* since start or reset */
	uint32_t max_defer_limit;
	struct ct_run runs[CT_TOP_ZONE_RUNS];	/* ring; the newest is the scanner gauge */
	uint32_t nruns, runs_head;
};

struct ct_top_node {
	int32_t nid;
	int awake;			/* between kcompactd_wake and kcompactd_sleep */
	uint64_t wakeup_requests, wakes, sleeps, runs, proactive_runs;	/* since start or reset */
	uint64_t wakes_delta, runs_delta;	/* last interval */
	double duty_total, duty_interval;	/* awake fraction, 0..1; <0: unknown */
};

struct ct_top_pair {
	int32_t alloc, fallback;
	uint64_t count, delta;
};

struct ct_top_hist {		/* one interval of the sparklines */
	uint64_t span_ns, events, runs, stalls, fragmenting, stall_p99_ns;
};

enum ct_top_sort { CT_TOP_SORT_LATENCY, CT_TOP_SORT_TIME, CT_TOP_SORT_ORDER, CT_TOP_SORT_COUNT };

struct ct_top_view {
	uint64_t start_ns;		/* start of the session (first event, or live start) */
	uint64_t now_ns;		/* the last tick */
	uint64_t span_ns;		/* length of the last interval; 0 before two ticks */
	uint64_t reset_ns;		/* when counters were last reset; 0: never */
	uint32_t ticks;
	struct ct_top_counters total;	/* since start, or since the last reset */
	struct ct_top_counters delta;	/* the last interval */
	struct ct_top_lat stall_lat_interval, stall_lat_total;
	struct ct_top_lat run_lat_interval;
	uint64_t stall_log2_us[CT_LATENCY_LOG2_US];	/* histogram since start or reset */
	int pageblock_order;

	struct ct_top_zone zones[CT_TOP_ZONES];	/* by node, then zone start */
	uint32_t nzones, zones_hidden;
	struct ct_top_node nodes[CT_TOP_NODES];
	uint32_t nnodes;
	struct ct_top_pair pairs[CT_TOP_PAIRS];	/* busiest first, since start or reset */
	uint32_t npairs;

	struct ct_top_hist hist[CT_TOP_HISTORY];	/* ring: oldest at hist_head when full */
	uint32_t nhist, hist_head;

	struct ct_stall slow[CT_TOP_SLOW];	/* slowest of the last CT_TOP_SLOW_WINDOW intervals */
	uint32_t nslow;
	uint64_t slow_since_ns;			/* where that window starts */

	struct ct_stall recent[CT_TOP_RECENT];	/* ring of the latest closed stalls */
	uint32_t nrecent, recent_head;
};

struct ct_top_model;

/**
 * ct_top_model_new() - create an empty model
 *
 * Returns NULL on allocation failure. Free with ct_top_model_free().
 */
struct ct_top_model *ct_top_model_new(void);

/** ct_top_model_free() - free the model and its view; accepts NULL */
void ct_top_model_free(struct ct_top_model *m);

/** ct_top_model_start() - the session starts at @start_ns (first event, or now for live) */
void ct_top_model_start(struct ct_top_model *m, uint64_t start_ns);

/**
 * ct_top_model_on_run() / ct_top_model_on_stall() - a completed run or stall
 * @ctx: the struct ct_top_model
 *
 * Copy what they need; @run and @stall stay the caller's.
 */
void ct_top_model_on_run(void *ctx, const struct ct_run *run);
void ct_top_model_on_stall(void *ctx, const struct ct_stall *stall);

/** ct_top_model_sink() - @m as a session sink (its runs and stalls); @m stays the caller's */
struct ct_sink ct_top_model_sink(struct ct_top_model *m);

/**
 * ct_top_model_tick() - close an interval at @now_ns
 * @res: the engine's results (read, not kept)
 *
 * Computes deltas since the previous tick and totals since the start or
 * the last reset, and updates the view. A tick at the same @now_ns as the
 * previous one still refreshes totals but leaves the interval open.
 * Returns 0, or -CT_E_NOMEM (the view then keeps its previous contents).
 */
int ct_top_model_tick(struct ct_top_model *m, const struct ct_results *res, uint64_t now_ns);

/**
 * ct_top_model_reset() - take the current counters as the new zero
 *
 * The engine keeps its cumulative results; the model subtracts this
 * baseline from now on. Recent stalls and the history are cleared; each
 * zone keeps its last runs (the gauges stay meaningful).
 */
void ct_top_model_reset(struct ct_top_model *m, const struct ct_results *res, uint64_t now_ns);

/** ct_top_model_view() - the view as of the last tick; owned by @m, changed by the next tick */
const struct ct_top_view *ct_top_model_view(const struct ct_top_model *m);

/**
 * ct_top_sort_stalls() - order a list of stalls for display, in place
 * @list: pointers to the stalls (not owned); @n: how many
 *
 * Latency and order: largest first; time: newest first. Ties keep their
 * order (a list gathered newest first stays newest first among equals).
 */
void ct_top_sort_stalls(const struct ct_stall **list, size_t n, enum ct_top_sort key);

/**
 * ct_top_recent_stalls() - the recent-stall ring of @v, newest first
 * @list: receives up to @n pointers into @v
 *
 * Returns how many were written.
 */
size_t ct_top_recent_stalls(const struct ct_top_view *v, const struct ct_stall **list, size_t n);

/** ct_top_sort_name() - "latency", "time", "order"; static string */
const char *ct_top_sort_name(enum ct_top_sort key);

/** ct_top_zone_run() - the @i-th newest run of zone @z (0 = newest: the gauge's), or NULL */
const struct ct_run *ct_top_zone_run(const struct ct_top_zone *z, uint32_t i);

/** ct_top_hist_at() - the @i-th newest history entry (0 = newest), or NULL */
const struct ct_top_hist *ct_top_hist_at(const struct ct_top_view *v, uint32_t i);

/**
 * ct_top_rate() - @count per second over @span_ns; -1 when the span is 0
 */
double ct_top_rate(uint64_t count, uint64_t span_ns);


/** ct_top_migratetype_name() - "Unmovable", "Movable", "Reclaimable" or NULL for others */
const char *ct_top_migratetype_name(int32_t mt);

#endif
