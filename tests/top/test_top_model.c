// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Unit tests of the `compactrace top` model: interval deltas and rates,
 * the reset baseline, non-closing ticks, latency windows, the recent-stall
 * ring and its sorting, the slowest-recent window, per-zone gauges,
 * kcompactd duty cycles, extfrag pairs, and the missing-events message.
 * The model is fed through hand-made engine results and its callbacks,
 * and once through the real engine from synthetic events.
 */
#include <stdlib.h>
#include <string.h>

#include "compactrace/engine.h"
#include "top/top_model.h"
#include "../common/check.h"

#define MS 1000000ULL
#define SEC 1000000000ULL

static struct ct_zone_summary zones[2];
static struct ct_kcompactd_summary nodes[1];

static void results_init(struct ct_results *r)
{
	memset(r, 0, sizeof(*r));
	memset(zones, 0, sizeof(zones));
	memset(nodes, 0, sizeof(nodes));
	zones[0].nid = 0;
	snprintf(zones[0].zone, sizeof(zones[0].zone), "Normal");
	zones[0].zone_start_pfn = 0x100000;
	zones[0].zone_end_pfn = 0x200000;
	zones[1].nid = 0;
	snprintf(zones[1].zone, sizeof(zones[1].zone), "DMA32");
	zones[1].zone_start_pfn = 0x1000;
	zones[1].zone_end_pfn = 0x100000;
	r->zones = zones;
	r->nzones = 2;
	nodes[0].nid = 0;
	r->kcompactd = nodes;
	r->nkcompactd = 1;
	r->extfrag.pageblock_order = 9;
}

static struct ct_stall stall(uint64_t ts, uint64_t lat_us, int order)
{
	struct ct_stall s;

	memset(&s, 0, sizeof(s));
	s.ts_ns = ts;
	s.latency_ns = lat_us * 1000;
	s.order = order;
	s.pid = 42;
	snprintf(s.comm, sizeof(s.comm), "app");
	s.result = CT_STATUS_SUCCESS;
	return s;
}

static void test_deltas_and_reset(void)
{
	struct ct_top_model *m = ct_top_model_new();
	const struct ct_top_view *v;
	struct ct_results r;

	results_init(&r);
	ct_top_model_start(m, 10 * SEC);
	r.events = 100;
	r.runs.count = 4;
	r.runs.by_trigger[CT_TRIGGER_DIRECT] = 3;
	r.runs.by_trigger[CT_TRIGGER_KCOMPACTD] = 1;
	r.runs.by_status[CT_STATUS_SUCCESS] = 4;
	r.totals.compact_stall = 3;
	r.totals.compact_migrate_scanned = 1000;
	zones[0].runs = 4;
	zones[0].migrate_scanned = 1000;
	zones[0].deferred[10] = 2;	/* order 9 */
	CHECK(ct_top_model_tick(m, &r, 11 * SEC) == 0);
	v = ct_top_model_view(m);
	CHECK_U64(v->span_ns, SEC);
	CHECK_U64(v->delta.events, 100);
	CHECK_U64(v->total.runs_by_trigger[CT_TRIGGER_DIRECT], 3);
	CHECK(ct_top_rate(v->delta.events, v->span_ns) > 99.9 && ct_top_rate(v->delta.events, v->span_ns) < 100.1);
	CHECK(ct_top_rate(5, 0) < 0);
	CHECK_U64(v->nzones, 2);
	/* sorted by node, then zone start: DMA32 first */
	CHECK_STR(v->zones[0].zone, "DMA32");
	CHECK_U64(v->zones[1].total.runs, 4);
	CHECK_U64(v->zones[1].total.deferred, 2);
	CHECK_U64(v->zones[1].deferred_by_order[10], 2);

	/* second interval: 500 ms, 50 more events */
	r.events = 150;
	r.runs.count = 6;
	r.runs.by_trigger[CT_TRIGGER_DIRECT] = 5;
	zones[0].runs = 6;
	CHECK(ct_top_model_tick(m, &r, 11 * SEC + 500 * MS) == 0);
	CHECK_U64(v->span_ns, 500 * MS);
	CHECK_U64(v->delta.events, 50);
	CHECK_U64(v->delta.runs_by_trigger[CT_TRIGGER_DIRECT], 2);
	CHECK_U64(v->total.events, 150);
	CHECK_U64(v->zones[1].delta.runs, 2);
	CHECK(ct_top_rate(v->delta.events, v->span_ns) > 99.9);

	/* a tick at the same time refreshes totals, keeps the interval */
	r.events = 160;
	zones[0].runs = 7;
	CHECK(ct_top_model_tick(m, &r, 11 * SEC + 500 * MS) == 0);
	CHECK_U64(v->total.events, 160);
	CHECK_U64(v->delta.events, 50);
	CHECK_U64(v->span_ns, 500 * MS);
	CHECK_U64(v->zones[1].delta.runs, 2);
	CHECK_U64(v->zones[1].total.runs, 7);

	/* the clock never runs backwards */
	CHECK(ct_top_model_tick(m, &r, 5 * SEC) == 0);
	CHECK_U64(v->now_ns, 11 * SEC + 500 * MS);

	/* reset: totals count from here */
	ct_top_model_reset(m, &r, 12 * SEC);
	CHECK_U64(v->reset_ns, 12 * SEC);
	CHECK_U64(v->total.events, 0);
	CHECK_U64(v->total.runs, 0);
	CHECK_U64(v->total.totals.compact_migrate_scanned, 0);
	CHECK_U64(v->zones[1].total.runs, 0);
	CHECK_U64(v->zones[1].total.deferred, 0);
	r.events = 170;
	r.runs.count = 8;
	zones[0].runs = 9;
	zones[0].deferred[10] = 5;
	CHECK(ct_top_model_tick(m, &r, 13 * SEC) == 0);
	CHECK_U64(v->total.events, 10);
	CHECK_U64(v->total.runs, 2);
	CHECK_U64(v->zones[1].total.runs, 2);
	CHECK_U64(v->zones[1].deferred_by_order[10], 3);
	/* a counter that goes back (another source) never wraps around */
	r.events = 1;
	CHECK(ct_top_model_tick(m, &r, 14 * SEC) == 0);
	CHECK_U64(v->total.events, 0);
	CHECK_U64(v->delta.events, 0);
	ct_top_model_free(m);
}

static void test_latency_windows(void)
{
	struct ct_top_model *m = ct_top_model_new();
	const struct ct_top_view *v = ct_top_model_view(m);
	struct ct_results r;
	struct ct_stall s;

	results_init(&r);
	ct_top_model_start(m, 0);
	s = stall(1, 100, 9);
	ct_top_model_on_stall(m, &s);
	s = stall(2, 300, 9);
	ct_top_model_on_stall(m, &s);
	s = stall(3, 200, 9);
	ct_top_model_on_stall(m, &s);
	r.stalls.count = 3;
	ct_top_model_tick(m, &r, SEC);
	CHECK_U64(v->stall_lat_interval.count, 3);
	CHECK_U64(v->stall_lat_interval.p50_ns, 200000);
	CHECK_U64(v->stall_lat_interval.p99_ns, 300000);
	CHECK_U64(v->stall_lat_interval.max_ns, 300000);
	CHECK(v->stall_lat_interval.exact);
	CHECK_U64(v->stall_lat_total.count, 3);
	/* log2 histogram: 100 us -> <= 128 (bucket 7), 200 and 300 -> <= 256 / 512 */
	CHECK_U64(v->stall_log2_us[7], 1);
	CHECK_U64(v->stall_log2_us[8], 1);
	CHECK_U64(v->stall_log2_us[9], 1);

	s = stall(4, 1000, 9);
	ct_top_model_on_stall(m, &s);
	ct_top_model_tick(m, &r, 2 * SEC);
	CHECK_U64(v->stall_lat_interval.count, 1);
	CHECK_U64(v->stall_lat_interval.max_ns, 1000000);
	CHECK_U64(v->stall_lat_total.count, 4);
	CHECK_U64(v->stall_lat_total.max_ns, 1000000);
	ct_top_model_tick(m, &r, 3 * SEC);
	CHECK_U64(v->stall_lat_interval.count, 0);
	CHECK_U64(v->stall_lat_interval.p99_ns, 0);
	CHECK_U64(v->stall_lat_total.count, 4);
	CHECK_U64(v->nhist, 3);
	CHECK(ct_top_hist_at(v, 0) != NULL && ct_top_hist_at(v, 0)->span_ns == SEC);
	CHECK(ct_top_hist_at(v, 3) == NULL);
	ct_top_model_reset(m, &r, 4 * SEC);
	CHECK_U64(v->stall_lat_total.count, 0);
	CHECK_U64(v->nrecent, 0);
	CHECK_U64(v->nslow, 0);
	CHECK_U64(v->stall_log2_us[9], 0);
	ct_top_model_free(m);
}

static void test_recent_ring_and_sort(void)
{
	struct ct_top_model *m = ct_top_model_new();
	const struct ct_top_view *v = ct_top_model_view(m);
	const struct ct_stall *list[CT_TOP_RECENT];
	struct ct_results r;
	size_t n;

	results_init(&r);
	ct_top_model_start(m, 0);
	for (int i = 0; i < CT_TOP_RECENT + 5; i++) {
		/* latency peaks in the middle; orders cycle 0..9 */
		struct ct_stall s = stall((uint64_t)(i + 1) * MS, (uint64_t)(1000 - abs(i - 60)), i % 10);

		ct_top_model_on_stall(m, &s);
	}
	ct_top_model_tick(m, &r, SEC);
	CHECK_U64(v->nrecent, CT_TOP_RECENT);
	n = ct_top_recent_stalls(v, list, CT_TOP_RECENT);
	CHECK_U64(n, CT_TOP_RECENT);
	/* newest first; the five oldest fell off */
	CHECK_U64(list[0]->ts_ns, (uint64_t)(CT_TOP_RECENT + 5) * MS);
	CHECK_U64(list[n - 1]->ts_ns, 6 * MS);
	ct_top_sort_stalls(list, n, CT_TOP_SORT_LATENCY);
	CHECK_U64(list[0]->latency_ns, 1000000);
	for (size_t i = 1; i < n; i++)
		CHECK(list[i - 1]->latency_ns >= list[i]->latency_ns);
	ct_top_sort_stalls(list, n, CT_TOP_SORT_TIME);
	for (size_t i = 1; i < n; i++)
		CHECK(list[i - 1]->ts_ns > list[i]->ts_ns);
	ct_top_sort_stalls(list, n, CT_TOP_SORT_ORDER);
	CHECK_U64(list[0]->order, 9);
	for (size_t i = 1; i < n; i++)
		CHECK(list[i - 1]->order > list[i]->order ||
		      (list[i - 1]->order == list[i]->order && list[i - 1]->latency_ns >= list[i]->latency_ns));
	n = ct_top_recent_stalls(v, list, 3);
	CHECK_U64(n, 3);
	CHECK_STR(ct_top_sort_name(CT_TOP_SORT_ORDER), "order");

	/* the slowest recent: every stall of this interval counts, not only the ring */
	CHECK_U64(v->nslow, CT_TOP_SLOW);
	CHECK_U64(v->slow[0].latency_ns, 1000000);
	for (uint32_t i = 1; i < v->nslow; i++)
		CHECK(v->slow[i - 1].latency_ns >= v->slow[i].latency_ns);
	ct_top_model_free(m);
}

static void test_slow_window(void)
{
	struct ct_top_model *m = ct_top_model_new();
	const struct ct_top_view *v = ct_top_model_view(m);
	struct ct_results r;
	struct ct_stall big = stall(SEC / 2, 50000, 9), small = stall(SEC + 1, 10, 9);

	results_init(&r);
	ct_top_model_start(m, 0);
	ct_top_model_on_stall(m, &big);
	ct_top_model_tick(m, &r, SEC);
	ct_top_model_on_stall(m, &small);
	for (int i = 2; i <= CT_TOP_SLOW_WINDOW; i++) {
		ct_top_model_tick(m, &r, (uint64_t)i * SEC);
		CHECK_U64(v->slow[0].latency_ns, 50000000);
	}
	/* one more interval and the big one is no longer recent */
	ct_top_model_tick(m, &r, (uint64_t)(CT_TOP_SLOW_WINDOW + 1) * SEC);
	CHECK_U64(v->nslow, 1);
	CHECK_U64(v->slow[0].latency_ns, 10000);
	CHECK(v->slow_since_ns >= SEC);
	ct_top_model_free(m);
}

static void test_zone_gauge_and_nodes(void)
{
	struct ct_top_model *m = ct_top_model_new();
	const struct ct_top_view *v = ct_top_model_view(m);
	struct ct_results r;
	struct ct_run run;

	results_init(&r);
	ct_top_model_start(m, 0);
	memset(&run, 0, sizeof(run));
	run.nid = 0;
	snprintf(run.zone, sizeof(run.zone), "Normal");
	run.zone_start = 0x100000;
	run.zone_end = 0x200000;
	for (int i = 0; i < CT_TOP_ZONE_RUNS + 2; i++) {
		run.begin_ns = (uint64_t)i * MS;
		run.end_ns = run.begin_ns + 100;
		run.migrate_end = 0x100000 + (uint64_t)i * 0x1000;
		ct_top_model_on_run(m, &run);
	}
	/* kcompactd awake for 250 ms of the first second, still awake since 900 ms */
	nodes[0].wakes = 2;
	nodes[0].awake_ns = 250 * MS;
	nodes[0].awake = 1;
	nodes[0].awake_since_ns = 900 * MS;
	r.extfrag.events = 7;
	r.extfrag.by_pair[1][0] = 5;
	r.extfrag.by_pair[0][1] = 2;
	ct_top_model_tick(m, &r, SEC);
	CHECK_U64(v->zones[1].nruns, CT_TOP_ZONE_RUNS);
	CHECK(ct_top_zone_run(&v->zones[1], 0) != NULL);
	CHECK_U64(ct_top_zone_run(&v->zones[1], 0)->migrate_end, 0x100000 + (CT_TOP_ZONE_RUNS + 1) * 0x1000);
	CHECK(ct_top_zone_run(&v->zones[1], CT_TOP_ZONE_RUNS) == NULL);
	CHECK(ct_top_zone_run(&v->zones[0], 0) == NULL);	/* DMA32 had no run */
	CHECK_U64(v->nnodes, 1);
	CHECK(v->nodes[0].awake);
	/* 250 + 100 ms of the first 1000 */
	CHECK(v->nodes[0].duty_total > 0.349 && v->nodes[0].duty_total < 0.351);
	CHECK(v->nodes[0].duty_interval > 0.349 && v->nodes[0].duty_interval < 0.351);
	CHECK_U64(v->nodes[0].wakes_delta, 2);
	/* the second second: asleep at 1.5 s */
	nodes[0].awake = 0;
	nodes[0].awake_ns = 850 * MS;
	nodes[0].wakes = 3;
	ct_top_model_tick(m, &r, 2 * SEC);
	CHECK(v->nodes[0].duty_interval > 0.499 && v->nodes[0].duty_interval < 0.501);
	CHECK(v->nodes[0].duty_total > 0.424 && v->nodes[0].duty_total < 0.426);
	CHECK_U64(v->nodes[0].wakes_delta, 1);
	CHECK_U64(v->nodes[0].wakes, 3);
	ct_top_model_reset(m, &r, 2 * SEC);
	CHECK_U64(v->nodes[0].wakes, 0);
	/* the gauges survive a reset */
	CHECK(ct_top_zone_run(&v->zones[1], 0) != NULL);

	CHECK_U64(v->npairs, 0);	/* reset: the pairs count from zero too */
	r.extfrag.by_pair[0][1] = 10;
	ct_top_model_tick(m, &r, 3 * SEC);
	CHECK_U64(v->npairs, 1);
	CHECK_U64(v->pairs[0].alloc, 0);
	CHECK_U64(v->pairs[0].count, 8);
	CHECK_U64(v->pairs[0].delta, 8);
	ct_top_model_free(m);
}

static void test_missing_events(void)
{
	const char *all[] = {
		"mm_compaction_begin", "mm_compaction_end", "mm_compaction_isolate_migratepages",
		"mm_compaction_isolate_freepages", "mm_compaction_fast_isolate_freepages",
		"mm_compaction_migratepages", "mm_compaction_try_to_compact_pages",
		"mm_compaction_finished", "mm_compaction_suitable", "mm_compaction_deferred",
		"mm_compaction_defer_compaction", "mm_compaction_defer_reset",
		"mm_compaction_kcompactd_sleep", "mm_compaction_wakeup_kcompactd",
		"mm_compaction_kcompactd_wake", NULL,
	};
	const char *old[] = { "mm_compaction_begin", "mm_compaction_end", NULL };
	char buf[512], tiny[8];

	CHECK(ct_compaction_events_missing(all, buf, sizeof(buf)) == 0);
	CHECK_STR(buf, "");
	/* a 6.1 kernel: no fast_isolate_freepages */
	all[4] = "something_else";
	CHECK(ct_compaction_events_missing(all, buf, sizeof(buf)) == 1);
	CHECK_STR(buf, "mm_compaction_fast_isolate_freepages");
	CHECK(ct_compaction_events_missing(old, buf, sizeof(buf)) == 13);
	CHECK(strstr(buf, "mm_compaction_kcompactd_wake") != NULL);
	CHECK(ct_compaction_events_missing(NULL, tiny, sizeof(tiny)) == 15);
	CHECK(strlen(tiny) < sizeof(tiny));
	CHECK_STR(ct_top_migratetype_name(2), "Reclaimable");
	CHECK(ct_top_migratetype_name(4) == NULL);
}

/* The real engine drives the callbacks: a direct stall with one run. */
static void test_with_engine(void)
{
	struct ct_top_model *m = ct_top_model_new();
	struct ct_sink sink = ct_top_model_sink(m);
	struct ct_engine_opts o = { .filter_pid = -1, .sinks = &sink, .nsinks = 1 };
	struct ct_engine *eng = ct_engine_new(&o);
	const struct ct_top_view *v = ct_top_model_view(m);
	struct ct_event ev;

	ct_engine_begin_source(eng, "synthetic", "ftrace-text");
	memset(&ev, 0, sizeof(ev));
	ev.pid = 7;
	snprintf(ev.comm, sizeof(ev.comm), "app");
	ev.type = CT_EV_TRY_TO_COMPACT;
	ev.ts_ns = 1 * SEC;
	ev.u.try_.order = 9;
	ct_engine_feed(eng, &ev);
	memset(&ev.u, 0, sizeof(ev.u));
	ev.type = CT_EV_SUITABLE;
	ev.u.zo.nid = 0;
	ev.u.zo.order = 9;
	ev.u.zo.ret = CT_STATUS_CONTINUE;
	snprintf(ev.u.zo.zone, sizeof(ev.u.zo.zone), "Normal");
	ct_engine_feed(eng, &ev);
	memset(&ev.u, 0, sizeof(ev.u));
	ev.type = CT_EV_BEGIN;
	ev.ts_ns = 1 * SEC + 10000;
	ev.u.range.zone_start = 0x100000;
	ev.u.range.zone_end = 0x200000;
	ev.u.range.migrate_pfn = 0x100000;
	ev.u.range.free_pfn = 0x1ffe00;
	ct_engine_feed(eng, &ev);
	ev.type = CT_EV_END;
	ev.ts_ns = 1 * SEC + 510000;
	ev.u.range.migrate_pfn = 0x100400;
	ev.u.range.free_pfn = 0x1ff000;
	ev.u.range.status = CT_STATUS_SUCCESS;
	ct_engine_feed(eng, &ev);
	ct_top_model_start(m, 1 * SEC);
	ct_top_model_tick(m, ct_engine_results(eng), 2 * SEC);
	CHECK_U64(v->total.runs, 1);
	CHECK_U64(v->total.totals.compact_stall, 1);
	CHECK_U64(v->total.stalls, 0);	/* the stall is still open */
	CHECK_U64(v->nzones, 1);
	CHECK(ct_top_zone_run(&v->zones[0], 0) != NULL &&
	      ct_top_zone_run(&v->zones[0], 0)->migrate_end == 0x100400);
	ct_engine_end_source(eng);
	ct_top_model_tick(m, ct_engine_results(eng), 3 * SEC);
	CHECK_U64(v->total.stalls, 1);
	CHECK_U64(v->nrecent, 1);
	CHECK_U64(v->recent[0].latency_ns, 510000);
	CHECK_U64(v->stall_lat_total.max_ns, 510000);
	CHECK_U64(v->nslow, 1);
	ct_engine_free(eng);
	ct_top_model_free(m);
	ct_top_model_free(NULL);
}

int main(void)
{
	test_deltas_and_reset();
	test_latency_windows();
	test_recent_ring_and_sort();
	test_slow_window();
	test_zone_gauge_and_nodes();
	test_missing_events();
	test_with_engine();
	return ct_test_status("test_top_model");
}
