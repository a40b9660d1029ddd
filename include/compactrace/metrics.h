/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef COMPACTRACE_METRICS_H
#define COMPACTRACE_METRICS_H

#include <stdint.h>

#include "compactrace/engine.h"
#include "compactrace/facts.h"
#include "compactrace/openmetrics.h"
#include "compactrace/sink.h"

/*
 * The monitor's metrics (`compactrace monitor`, /metrics): a session sink
 * that counts what the engine hands it by the labels Prometheus wants
 * (stalls by order, result and cgroup; runs by trigger, status, node and
 * zone; latency histograms; fallbacks by migratetypes), and at scrape time
 * the engine's own cumulative results (the numbers `report` prints), gauges
 * from /proc texts the caller read, and the process's health. Nothing the
 * engine computes is computed again here.
 */

/* histogram bucket bounds, seconds: 50 us .. 10 s */
#define CT_METRICS_BUCKETS 17
extern const double ct_metrics_bucket_bounds[CT_METRICS_BUCKETS];

/* the cgroup of the task @pid is (owned by the callee, valid until the next call) */
typedef const char *(*ct_metrics_cgroup_fn)(void *ctx, int32_t pid);

struct ct_metrics;

/**
 * ct_metrics_new() - empty counters
 * @cgroup_of: NULL for no cgroup label; else stalls and fallbacks carry
 *             cgroup="..." (the first @cgroup_limit distinct groups, the
 *             rest "other")
 *
 * Returns NULL on allocation failure; free with ct_metrics_free().
 */
struct ct_metrics *ct_metrics_new(ct_metrics_cgroup_fn cgroup_of, void *ctx, uint32_t cgroup_limit);

/** ct_metrics_free() - accepts NULL */
void ct_metrics_free(struct ct_metrics *m);

/** ct_metrics_sink() - the sink to add to the session (ct_session_add_sink()) */
struct ct_sink ct_metrics_sink(struct ct_metrics *m);

/* One capture reason's count (the flight recorder, issue 15). */
struct ct_metrics_capture {
	const char *reason;
	uint64_t count;
};

/* What a scrape reads besides the counters: all owned by the caller. */
struct ct_metrics_host {
	const struct ct_results *res;		/* ct_session_results() */
	const struct ct_host_facts *facts;	/* migratetype names, for the vmstat check */
	const char *buddyinfo;			/* /proc/buddyinfo now; NULL: no free-block gauges */
	uint64_t watermark_ns;			/* every event up to here has been fed */
	const char *version, *kernel;
	double cpu_seconds, start_time_seconds;
	uint64_t rss_bytes;
	const struct ct_metrics_capture *captures;	/* NULL: no flight recorder */
	uint32_t ncaptures;
	uint64_t capture_bytes, capture_errors, capture_suppressed;
};

/**
 * ct_metrics_note_vmstat() - compactrace_untraced_pages_total from a vmstat read
 * @vmstat_start: /proc/vmstat when tracing began
 * @vmstat_now: /proc/vmstat read before the read of the trace whose events
 *              @res now holds (so no event of a run vmstat counts is missing
 *              from @res; runs still going count in @res only, and that
 *              shortfall is not untraced work)
 *
 * Keeps, per counter, the largest vmstat delta minus trace sum seen.
 */
void ct_metrics_note_vmstat(struct ct_metrics *m, const struct ct_results *res, const struct ct_host_facts *facts,
			    const char *vmstat_start, const char *vmstat_now);

/**
 * ct_metrics_render() - every family into @w
 *
 * Returns 0 or -CT_E_NOMEM.
 */
int ct_metrics_render(struct ct_metrics *m, const struct ct_metrics_host *h, struct ct_om *w);

/** ct_metrics_cgroups() - distinct cgroups labelled so far (not "other") */
uint32_t ct_metrics_cgroups(const struct ct_metrics *m);

#endif
