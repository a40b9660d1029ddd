// SPDX-License-Identifier: GPL-2.0-or-later
/* The engine on hand-written event sequences. */
#include <stdlib.h>
#include <string.h>

#include "../common/check.h"
#include "compactrace/engine.h"
#include "compactrace/sink.h"
#include "compactrace/vmstat_check.h"

#define US 1000ull
#define MS 1000000ull

static struct ct_event ev_base(enum ct_event_type type, uint64_t ts, int pid, const char *comm)
{
	struct ct_event ev;

	memset(&ev, 0, sizeof(ev));
	ev.type = (uint16_t)type;
	ev.ts_ns = ts;
	ev.pid = pid;
	ev.cpu = 0;
	snprintf(ev.comm, sizeof(ev.comm), "%s", comm);
	ev.name = ct_event_type_name(type);
	ev.name_len = (uint16_t)strlen(ev.name);
	return ev;
}

static void feed(struct ct_engine *eng, struct ct_event ev)
{
	CHECK(ct_engine_feed(eng, &ev) == 0);
}

static void begin(struct ct_engine *eng, uint64_t ts, int pid, const char *comm,
		  uint64_t zs, uint64_t mig, uint64_t fr, uint64_t ze, int sync)
{
	struct ct_event ev = ev_base(CT_EV_BEGIN, ts, pid, comm);

	ev.u.range = (struct ct_ev_range){ zs, mig, fr, ze, (int8_t)sync, 0 };
	feed(eng, ev);
}

static void end(struct ct_engine *eng, uint64_t ts, int pid, const char *comm,
		uint64_t zs, uint64_t mig, uint64_t fr, uint64_t ze, enum ct_status st)
{
	struct ct_event ev = ev_base(CT_EV_END, ts, pid, comm);

	ev.u.range = (struct ct_ev_range){ zs, mig, fr, ze, 1, (int16_t)st };
	feed(eng, ev);
}

static void zone_order(struct ct_engine *eng, enum ct_event_type type, uint64_t ts, int pid,
		       const char *comm, int nid, const char *zone, int order, enum ct_status ret)
{
	struct ct_event ev = ev_base(type, ts, pid, comm);

	ev.u.zo.nid = nid;
	ev.u.zo.order = order;
	ev.u.zo.ret = (int16_t)ret;
	snprintf(ev.u.zo.zone, sizeof(ev.u.zo.zone), "%s", zone);
	feed(eng, ev);
}

static void isolate(struct ct_engine *eng, enum ct_event_type type, uint64_t ts, int pid,
		    const char *comm, uint64_t start, uint64_t stop, uint64_t scanned, uint64_t taken)
{
	struct ct_event ev = ev_base(type, ts, pid, comm);

	ev.u.iso = (struct ct_ev_isolate){ start, stop, scanned, taken };
	feed(eng, ev);
}

static void migrate(struct ct_engine *eng, uint64_t ts, int pid, const char *comm, uint64_t ok, uint64_t failed)
{
	struct ct_event ev = ev_base(CT_EV_MIGRATEPAGES, ts, pid, comm);

	ev.u.mig = (struct ct_ev_migrate){ ok, failed };
	feed(eng, ev);
}

static void try_compact(struct ct_engine *eng, uint64_t ts, int pid, const char *comm, int order)
{
	struct ct_event ev = ev_base(CT_EV_TRY_TO_COMPACT, ts, pid, comm);

	ev.u.try_.order = order;
	ev.u.try_.priority = 1;
	snprintf(ev.u.try_.gfp_text, sizeof(ev.u.try_.gfp_text), "GFP_TRANSHUGE");
	feed(eng, ev);
}

static void defer(struct ct_engine *eng, enum ct_event_type type, uint64_t ts, int pid,
		  const char *comm, int nid, const char *zone, int order)
{
	struct ct_event ev = ev_base(type, ts, pid, comm);

	ev.u.defer.nid = nid;
	ev.u.defer.order = order;
	ev.u.defer.order_failed = order;
	ev.u.defer.consider = 1;
	ev.u.defer.limit = 4;
	snprintf(ev.u.defer.zone, sizeof(ev.u.defer.zone), "%s", zone);
	feed(eng, ev);
}

static void kcompactd(struct ct_engine *eng, enum ct_event_type type, uint64_t ts, int pid,
		      const char *comm, int nid, int order)
{
	struct ct_event ev = ev_base(type, ts, pid, comm);

	ev.u.kc.nid = nid;
	ev.u.kc.order = order;
	snprintf(ev.u.kc.zone, sizeof(ev.u.kc.zone), "Normal");
	feed(eng, ev);
}

static void test_manual_run(void)
{
	struct ct_engine *eng = ct_engine_new(NULL);
	const struct ct_results *r;

	ct_engine_begin_source(eng, "t", "ftrace-text");
	begin(eng, 1000 * US, 42, "bash", 0x1000, 0x1000, 0xffe00, 0x100000, 1);
	zone_order(eng, CT_EV_FINISHED, 1001 * US, 42, "bash", 0, "DMA32", -1, CT_STATUS_CONTINUE);
	isolate(eng, CT_EV_ISOLATE_MIGRATE, 1002 * US, 42, "bash", 0x1000, 0x1200, 512, 32);
	isolate(eng, CT_EV_FAST_ISOLATE_FREE, 1003 * US, 42, "bash", 0xff000, 0xffe00, 100, 10);
	isolate(eng, CT_EV_ISOLATE_FREE, 1003 * US, 42, "bash", 0xffc00, 0xffe00, 300, 22);
	migrate(eng, 1004 * US, 42, "bash", 30, 2);
	end(eng, 1500 * US, 42, "bash", 0x1000, 0xffe00, 0xffe00, 0x100000, CT_STATUS_COMPLETE);
	ct_engine_end_source(eng);
	r = ct_engine_results(eng);

	CHECK_U64(r->runs.count, 1);
	CHECK_U64(r->runs.by_trigger[CT_TRIGGER_MANUAL], 1);
	CHECK_U64(r->runs.by_status[CT_STATUS_COMPLETE], 1);
	CHECK_U64(r->runs.by_mode[CT_MODE_SYNC], 1);
	CHECK_U64(r->runs.by_order[0], 1);	/* order -1 */
	CHECK_U64(r->runs.scanners_met, 1);
	CHECK_U64(r->runs.migrated, 30);
	CHECK_U64(r->runs.migrate_failed, 2);
	CHECK_U64(r->runs.duration.max_ns, 500 * US);
	CHECK_U64(ct_latency_percentile(&r->runs.duration, 50), 500 * US);
	CHECK_U64(r->totals.compact_migrate_scanned, 512);
	CHECK_U64(r->totals.compact_free_scanned, 400);
	CHECK_U64(r->totals.compact_isolated, 64);
	CHECK_U64(r->totals.compact_daemon_migrate_scanned, 0);
	CHECK_U64(r->nzones, 1);
	CHECK_STR(r->zones[0].zone, "DMA32");
	CHECK_U64(r->zones[0].zone_start_pfn, 0x1000);
	CHECK_U64(r->zones[0].runs, 1);
	CHECK_U64(r->zones[0].isolated, 64);
	CHECK_U64(r->zones[0].finished_by_ret[CT_STATUS_CONTINUE], 1);
	CHECK_U64(r->runs.slowest[0].free_scanned, 400);
	CHECK_U64(r->runs.slowest[0].fast_free_scanned, 100);
	CHECK_U64(r->runs.slowest[0].migrate_end, 0xffe00);
	CHECK_U64(r->quality.unmatched_begin + r->quality.unmatched_end, 0);
	CHECK_U64(r->sources[0].events, 7);
	CHECK_U64(r->sources[0].first_ts_ns, 1000 * US);
	CHECK_U64(r->sources[0].last_ts_ns, 1500 * US);
	ct_engine_free(eng);
}

static void test_unmatched(void)
{
	struct ct_engine *eng = ct_engine_new(NULL);
	const struct ct_results *r;

	ct_engine_begin_source(eng, "a", "ftrace-text");
	end(eng, 10 * US, 7, "bash", 0, 5, 9, 10, CT_STATUS_COMPLETE);	/* began before capture */
	begin(eng, 20 * US, 7, "bash", 0, 0, 9, 10, 1);
	isolate(eng, CT_EV_ISOLATE_MIGRATE, 21 * US, 7, "bash", 0, 1, 8, 1);
	/* the run never ends in this file: the next file must not complete it */
	ct_engine_begin_source(eng, "b", "ftrace-text");
	end(eng, 30 * US, 7, "bash", 0, 5, 9, 10, CT_STATUS_COMPLETE);
	ct_engine_end_source(eng);
	r = ct_engine_results(eng);
	/* both ends are runs whose begin was lost: counted, without a duration */
	CHECK_U64(r->runs.count, 2);
	CHECK_U64(r->runs.by_status[CT_STATUS_COMPLETE], 2);
	CHECK_U64(r->runs.by_trigger[CT_TRIGGER_UNKNOWN], 2);
	CHECK_U64(r->runs.duration.count, 0);
	CHECK_U64(r->quality.unmatched_begin, 1);
	CHECK_U64(r->quality.unmatched_end, 2);
	CHECK_U64(r->totals.compact_migrate_scanned, 8);
	CHECK_U64(r->nsources, 2);
	ct_engine_free(eng);
}

/*
 * Runs whose begin was lost count as runs, their trigger taken from what the
 * task is known to be; no duration, not among the slowest.
 */
static void test_begin_lost(void)
{
	struct ct_engine *eng = ct_engine_new(NULL);
	const struct ct_results *r;
	const struct ct_zone_summary *z;
	int seen = 0;

	ct_engine_begin_source(eng, "t", "ftrace-text");
	/* a task with an open stall: direct; the finished event names the zone and order */
	try_compact(eng, 11 * US, 50, "app", 9);
	zone_order(eng, CT_EV_FINISHED, 12 * US, 50, "app", 0, "Normal", 9, CT_STATUS_CONTINUE);
	end(eng, 13 * US, 50, "app", 0x100000, 0x100400, 0x1ff000, 0x200000, CT_STATUS_SUCCESS);
	/* kcompactd0: its wake was lost too, the order unknown */
	end(eng, 13 * US, 40, "kcompactd0", 0x100000, 0x100200, 0x100200, 0x200000, CT_STATUS_COMPLETE);
	/* order -1 from finished, not kcompactd: a compact_memory writer */
	zone_order(eng, CT_EV_FINISHED, 14 * US, 60, "sh", 0, "DMA32", -1, CT_STATUS_CONTINUE);
	end(eng, 15 * US, 60, "sh", 0x1000, 0xffe00, 0xffe00, 0x100000, CT_STATUS_COMPLETE);
	/* nothing known: unknown */
	end(eng, 16 * US, 70, "other", 0x100000, 0x100000, 0x1fe000, 0x200000, CT_STATUS_CONTENDED);
	/* and one whole run of the same sh, 100 us */
	begin(eng, 20 * US, 60, "sh", 0x100000, 0x100000, 0x1ffe00, 0x200000, 1);
	end(eng, 120 * US, 60, "sh", 0x100000, 0x180000, 0x180000, 0x200000, CT_STATUS_COMPLETE);
	ct_engine_end_source(eng);
	r = ct_engine_results(eng);
	CHECK_U64(r->runs.count, 5);
	CHECK_U64(r->runs.by_trigger[CT_TRIGGER_KCOMPACTD], 1);
	CHECK_U64(r->runs.by_trigger[CT_TRIGGER_DIRECT], 1);
	CHECK_U64(r->runs.by_trigger[CT_TRIGGER_MANUAL], 1);	/* the whole run has no order */
	CHECK_U64(r->runs.by_trigger[CT_TRIGGER_UNKNOWN], 2);
	CHECK_U64(r->runs.by_status[CT_STATUS_COMPLETE], 3);
	CHECK_U64(r->runs.by_status[CT_STATUS_SUCCESS], 1);
	CHECK_U64(r->runs.by_status[CT_STATUS_CONTENDED], 1);
	CHECK_U64(r->runs.by_mode[CT_MODE_SYNC], 5);
	CHECK_U64(r->runs.by_order[-1 + 1], 1);
	CHECK_U64(r->runs.by_order[9 + 1], 1);
	CHECK_U64(r->runs.order_unknown, 3);
	CHECK_U64(r->runs.duration.count, 1);
	CHECK_U64(r->runs.duration.max_ns, 100 * US);
	CHECK_U64(r->runs.nslowest, 1);
	CHECK_U64(r->quality.unmatched_end, 4);
	CHECK_U64(r->quality.unmatched_begin, 0);
	CHECK_U64(r->stalls.count, 1);
	CHECK_U64(r->stalls.slowest[0].runs, 1);
	CHECK_U64(r->stalls.by_result[CT_STATUS_SUCCESS], 1);
	for (uint32_t i = 0; i < r->nzones; i++) {
		z = &r->zones[i];
		if (strcmp(z->zone, "DMA32") == 0) {
			seen |= 1;
			CHECK_U64(z->runs, 1);
			CHECK_U64(z->by_status[CT_STATUS_COMPLETE], 1);
			CHECK_U64(z->by_trigger[CT_TRIGGER_MANUAL], 1);
		} else if (strcmp(z->zone, "Normal") == 0) {
			/* the span-only runs find the zone the finished event named */
			seen |= 2;
			CHECK_U64(z->runs, 4);
			CHECK_U64(z->by_status[CT_STATUS_SUCCESS], 1);
			CHECK_U64(z->by_trigger[CT_TRIGGER_DIRECT], 1);
			CHECK_U64(z->by_trigger[CT_TRIGGER_KCOMPACTD], 1);
		}
	}
	CHECK_U64(seen, 3);
	ct_engine_free(eng);
}

static void test_stall_three_zones(void)
{
	struct ct_engine *eng = ct_engine_new(NULL);
	const struct ct_results *r;
	const struct ct_stall *st;
	const int pid = 300;

	ct_engine_begin_source(eng, "s", "ftrace-text");
	try_compact(eng, 100 * MS, pid, "thp-app", 9);
	defer(eng, CT_EV_DEFERRED, 100 * MS + 1 * US, pid, "thp-app", 0, "Normal", 9);
	zone_order(eng, CT_EV_SUITABLE, 100 * MS + 2 * US, pid, "thp-app", 0, "DMA32", 9, CT_STATUS_CONTINUE);
	begin(eng, 100 * MS + 3 * US, pid, "thp-app", 0x1000, 0x1000, 0xffe00, 0x100000, 0);
	zone_order(eng, CT_EV_FINISHED, 100 * MS + 4 * US, pid, "thp-app", 0, "DMA32", 9, CT_STATUS_NO_SUITABLE_PAGE);
	isolate(eng, CT_EV_ISOLATE_MIGRATE, 100 * MS + 5 * US, pid, "thp-app", 0x1000, 0x1200, 512, 0);
	end(eng, 102 * MS, pid, "thp-app", 0x1000, 0x2000, 0xffe00, 0x100000, CT_STATUS_COMPLETE);
	defer(eng, CT_EV_DEFER_COMPACTION, 102 * MS + 1 * US, pid, "thp-app", 0, "DMA32", 9);
	zone_order(eng, CT_EV_SUITABLE, 102 * MS + 2 * US, pid, "thp-app", 0, "DMA", 9, CT_STATUS_CONTINUE);
	begin(eng, 102 * MS + 3 * US, pid, "thp-app", 0x1, 0x1, 0xe00, 0x1000, 0);
	end(eng, 103 * MS, pid, "thp-app", 0x1, 0xe00, 0xe00, 0x1000, CT_STATUS_SUCCESS);
	defer(eng, CT_EV_DEFER_RESET, 103 * MS + 5 * US, pid, "thp-app", 0, "DMA", 9);
	/* after try_to_compact_pages returned, the allocator asks suitable again: no latency */
	zone_order(eng, CT_EV_SUITABLE, 150 * MS, pid, "thp-app", 0, "Normal", 9, CT_STATUS_SKIPPED);
	ct_engine_end_source(eng);
	r = ct_engine_results(eng);

	CHECK_U64(r->stalls.count, 1);
	CHECK_U64(r->totals.compact_stall, 1);
	CHECK_U64(r->stalls.by_order[10], 1);	/* order 9 */
	CHECK_U64(r->stalls.by_result[CT_STATUS_SUCCESS], 1);
	st = &r->stalls.slowest[0];
	CHECK_U64(st->latency_ns, 3 * MS + 5 * US);
	CHECK_U64(st->nzones, 3);
	CHECK_STR(st->zones[0].zone, "Normal");
	CHECK_U64(st->zones[0].status, CT_STATUS_DEFERRED);
	CHECK_STR(st->zones[1].zone, "DMA32");
	CHECK_U64(st->zones[1].status, CT_STATUS_COMPLETE);
	CHECK_STR(st->zones[2].zone, "DMA");
	CHECK_U64(st->zones[2].status, CT_STATUS_SUCCESS);
	CHECK_U64(st->runs, 2);
	CHECK_STR(st->gfp, "GFP_TRANSHUGE");
	CHECK_U64(r->runs.count, 2);
	CHECK_U64(r->runs.by_trigger[CT_TRIGGER_DIRECT], 2);
	CHECK_U64(r->runs.by_mode[CT_MODE_ASYNC], 2);
	CHECK_U64(r->runs.by_order[10], 2);
	CHECK_U64(r->runs.scanners_met, 1);	/* only the DMA run's scanners met */
	CHECK_U64(r->nzones, 3);
	for (uint32_t i = 0; i < r->nzones; i++) {
		const struct ct_zone_summary *z = &r->zones[i];

		if (strcmp(z->zone, "Normal") == 0) {
			CHECK_U64(z->deferred[10], 1);
			CHECK_U64(z->suitable_by_ret[CT_STATUS_SKIPPED], 1);
		} else if (strcmp(z->zone, "DMA32") == 0) {
			CHECK_U64(z->defer_compaction[10], 1);
			CHECK_U64(z->max_defer_limit, 4);
			CHECK_U64(z->by_status[CT_STATUS_COMPLETE], 1);
		} else {
			CHECK_STR(z->zone, "DMA");
			CHECK_U64(z->defer_reset[10], 1);
			CHECK_U64(z->by_status[CT_STATUS_SUCCESS], 1);
		}
	}
	ct_engine_free(eng);
}

static void test_kcompactd(void)
{
	struct ct_engine *eng = ct_engine_new(NULL);
	const struct ct_results *r;
	const int kpid = 55;

	ct_engine_begin_source(eng, "k", "ftrace-text");
	kcompactd(eng, CT_EV_WAKEUP_KCOMPACTD, 1 * MS, 60, "kswapd0", 0, 9);
	kcompactd(eng, CT_EV_KCOMPACTD_WAKE, 2 * MS, kpid, "kcompactd0", 0, 9);
	/* a second wake before any sleep (nested): awake time counts from the first */
	kcompactd(eng, CT_EV_KCOMPACTD_WAKE, 3 * MS, kpid, "kcompactd0", 0, 9);
	zone_order(eng, CT_EV_SUITABLE, 3 * MS + 1, kpid, "kcompactd0", 0, "Normal", 9, CT_STATUS_CONTINUE);
	begin(eng, 3 * MS + 2, kpid, "kcompactd0", 0x100000, 0x100000, 0x140000, 0x148000, 0);
	isolate(eng, CT_EV_ISOLATE_MIGRATE, 3 * MS + 3, kpid, "kcompactd0", 0x100000, 0x100200, 100, 5);
	isolate(eng, CT_EV_ISOLATE_FREE, 3 * MS + 4, kpid, "kcompactd0", 0x140000, 0x140200, 50, 5);
	end(eng, 4 * MS, kpid, "kcompactd0", 0x100000, 0x100200, 0x140000, 0x148000, CT_STATUS_SUCCESS);
	kcompactd(eng, CT_EV_KCOMPACTD_SLEEP, 6 * MS, kpid, "kcompactd0", 0, 0);
	/* proactive: order -1 with no wake */
	begin(eng, 10 * MS, kpid, "kcompactd0", 0x100000, 0x100000, 0x140000, 0x148000, 1);
	zone_order(eng, CT_EV_FINISHED, 10 * MS + 1, kpid, "kcompactd0", 0, "Normal", -1, CT_STATUS_CONTINUE);
	end(eng, 11 * MS, kpid, "kcompactd0", 0x100000, 0x100400, 0x140000, 0x148000, CT_STATUS_COMPLETE);
	kcompactd(eng, CT_EV_KCOMPACTD_SLEEP, 12 * MS, kpid, "kcompactd0", 0, 0);
	/* awake at the end of the trace: counted up to the last event */
	kcompactd(eng, CT_EV_KCOMPACTD_WAKE, 20 * MS, kpid, "kcompactd0", 0, 2);
	kcompactd(eng, CT_EV_WAKEUP_KCOMPACTD, 21 * MS, 60, "kswapd0", 0, 2);
	ct_engine_end_source(eng);
	r = ct_engine_results(eng);

	CHECK_U64(r->nkcompactd, 1);
	CHECK_U64(r->kcompactd[0].wakeup_requests, 2);
	CHECK_U64(r->kcompactd[0].wakes, 3);
	CHECK_U64(r->kcompactd[0].sleeps, 2);
	/* 2-6 ms after the wake, 10-12 ms for the proactive run, 20-21 ms at the end */
	CHECK_U64(r->kcompactd[0].awake_ns, 4 * MS + 2 * MS + 1 * MS);
	CHECK_U64(r->kcompactd[0].runs, 2);
	CHECK_U64(r->kcompactd[0].proactive_runs, 1);
	CHECK_U64(r->runs.by_trigger[CT_TRIGGER_KCOMPACTD], 1);
	CHECK_U64(r->runs.by_trigger[CT_TRIGGER_PROACTIVE], 1);
	CHECK_U64(r->totals.compact_daemon_wake, 3);
	CHECK_U64(r->totals.compact_daemon_migrate_scanned, 100);
	CHECK_U64(r->totals.compact_daemon_free_scanned, 50);
	CHECK_U64(r->runs.by_order[10], 1);
	CHECK_U64(r->runs.by_order[0], 1);
	ct_engine_free(eng);
}

/*
 * Every trigger rule, one run per fresh engine: what the task did before
 * the run (a kcompactd_wake, a try_to_compact_pages) and the order the run's
 * mm_compaction_finished prints decide it (README "Triggers are told apart").
 */
#define NO_ORDER INT32_MIN

struct trigger_case {
	const char *what, *comm;
	int woken;	/* 1: kcompactd_wake before the run; 2: and kcompactd_sleep after it */
	int tried;	/* 1: try_to_compact_pages on this task before; 2: on another task */
	int order;	/* as mm_compaction_finished prints it; NO_ORDER: no such event */
	enum ct_trigger want;
};

static const struct trigger_case trigger_cases[] = {
	{ "direct: the task called try_to_compact_pages", "ct-direct", 0, 1, 9, CT_TRIGGER_DIRECT },
	{ "direct: even order -1, once the task has tried", "ct-direct", 0, 1, -1, CT_TRIGGER_DIRECT },
	{ "kcompactd after a wake, order 9", "kcompactd0", 1, 0, 9, CT_TRIGGER_KCOMPACTD },
	{ "kcompactd after a wake, order -1", "kcompactd0", 1, 0, -1, CT_TRIGGER_KCOMPACTD },
	{ "kcompactd without a wake, order 9", "kcompactd0", 0, 0, 9, CT_TRIGGER_KCOMPACTD },
	{ "kcompactd without a wake, order 0", "kcompactd0", 0, 0, 0, CT_TRIGGER_KCOMPACTD },
	{ "kcompactd after a wake and its sleep, order 0", "kcompactd0", 2, 0, 0, CT_TRIGGER_KCOMPACTD },
	{ "proactive: kcompactd, order -1, no wake", "kcompactd0", 0, 0, -1, CT_TRIGGER_PROACTIVE },
	{ "proactive: kcompactd, order -1, a wake that slept", "kcompactd0", 2, 0, -1, CT_TRIGGER_PROACTIVE },
	{ "manual: order -1 in another task", "bash", 0, 0, -1, CT_TRIGGER_MANUAL },
	{ "manual: another task's try_to_compact_pages", "bash", 0, 2, -1, CT_TRIGGER_MANUAL },
	{ "unknown: order 9, the task never tried", "bash", 0, 0, 9, CT_TRIGGER_UNKNOWN },
	{ "unknown: order 9, another task tried", "bash", 0, 2, 9, CT_TRIGGER_UNKNOWN },
	{ "unknown: no event gave the order", "bash", 0, 0, NO_ORDER, CT_TRIGGER_UNKNOWN },
};

static void test_trigger_rules(void)
{
	for (size_t i = 0; i < sizeof(trigger_cases) / sizeof(trigger_cases[0]); i++) {
		const struct trigger_case *c = &trigger_cases[i];
		struct ct_engine *eng = ct_engine_new(NULL);
		const struct ct_results *r;
		const int pid = 70;
		int daemon = strncmp(c->comm, "kcompactd", 9) == 0;

		ct_engine_begin_source(eng, c->what, "ftrace-text");
		if (c->woken)
			kcompactd(eng, CT_EV_KCOMPACTD_WAKE, 1 * MS, pid, c->comm, 0, c->order < 0 ? 9 : c->order);
		if (c->woken == 2)
			kcompactd(eng, CT_EV_KCOMPACTD_SLEEP, 2 * MS, pid, c->comm, 0, 0);
		if (c->tried)
			try_compact(eng, 3 * MS, c->tried == 1 ? pid : pid + 1, "ct-direct", 9);
		begin(eng, 4 * MS, pid, c->comm, 0x100000, 0x100000, 0x140000, 0x148000, 1);
		if (c->order != NO_ORDER)
			zone_order(eng, CT_EV_FINISHED, 4 * MS + 1, pid, c->comm, 0, "Normal", c->order,
				   CT_STATUS_CONTINUE);
		end(eng, 5 * MS, pid, c->comm, 0x100000, 0x100400, 0x140000, 0x148000, CT_STATUS_COMPLETE);
		ct_engine_end_source(eng);
		r = ct_engine_results(eng);

		CHECK_U64(r->runs.count, 1);
		CHECK_U64(r->runs.by_trigger[c->want], 1);
		if (r->runs.nslowest == 1 && r->runs.slowest[0].trigger != c->want)
			fprintf(stderr, "  trigger rule \"%s\": got %s, want %s\n", c->what,
				ct_trigger_name((enum ct_trigger)r->runs.slowest[0].trigger), ct_trigger_name(c->want));
		/* kcompactd's node summary counts its runs, and which were proactive */
		CHECK_U64(r->nkcompactd ? r->kcompactd[0].runs : 0, daemon);
		CHECK_U64(r->nkcompactd ? r->kcompactd[0].proactive_runs : 0, c->want == CT_TRIGGER_PROACTIVE);
		ct_engine_free(eng);
	}
}

static void test_out_of_order(void)
{
	struct ct_engine *eng = ct_engine_new(NULL);
	const struct ct_results *r;

	ct_engine_begin_source(eng, "o", "perf-script");
	begin(eng, 50 * US, 1, "a", 0, 0, 100, 1000, 1);
	begin(eng, 40 * US, 2, "b", 0, 0, 100, 1000, 1);	/* another CPU, earlier */
	end(eng, 30 * US, 2, "b", 0, 50, 100, 1000, CT_STATUS_COMPLETE);	/* ends "before" it began */
	end(eng, 60 * US, 1, "a", 0, 50, 100, 1000, CT_STATUS_COMPLETE);
	ct_engine_end_source(eng);
	r = ct_engine_results(eng);
	CHECK_U64(r->quality.out_of_order, 2);
	CHECK_U64(r->runs.count, 2);
	CHECK_U64(r->runs.duration.max_ns, 10 * US);	/* never negative */
	CHECK_U64(r->runs.duration.min_ns, 0);
	ct_engine_free(eng);
}

/* a sink that counts what the engine hands on, for the checks below */
struct counting_sink {
	uint64_t fallbacks, fragmenting, first_in_pageblock, periods, awake_ns;
};

static int count_fallback(void *ctx, const struct ct_fallback *fb)
{
	struct counting_sink *c = ctx;

	c->fallbacks++;
	c->fragmenting += fb->fragmenting;
	c->first_in_pageblock += fb->first_in_pageblock;
	return 0;
}

static int count_period(void *ctx, const struct ct_kcompactd_period *p)
{
	struct counting_sink *c = ctx;

	c->periods++;
	c->awake_ns += p->end_ns - p->start_ns;
	return 0;
}

static const struct ct_sink_ops counting_ops = { .fallback = count_fallback, .kcompactd = count_period };

static void test_extfrag(void)
{
	struct counting_sink cs = { 0 };
	struct ct_sink sink = { &counting_ops, &cs };
	/* the session settles the pageblock order (here 10, as an arm64/16K kernel prints it) */
	struct ct_engine_opts o = { .filter_pid = -1, .pageblock_order = 10,
				    .pageblock_order_source = CT_FACT_TRACE, .sinks = &sink, .nsinks = 1 };
	struct ct_engine *eng = ct_engine_new(&o);
	const struct ct_results *r;
	struct ct_event ev;
	const uint64_t pfns[] = { 0x1000, 0x1001, 0x1200, 0x5000 };

	ct_engine_begin_source(eng, "x", "ftrace-text");
	for (int i = 0; i < 4; i++) {
		ev = ev_base(CT_EV_EXTFRAG, (uint64_t)(i + 1) * US, 9, "find");
		ev.u.xf = (struct ct_ev_extfrag){ pfns[i], 0, i == 3 ? 10 : 2, 0, 1, i == 0, 10, i == 3 ? 0 : 1 };
		feed(eng, ev);
	}
	ct_engine_end_source(eng);
	r = ct_engine_results(eng);
	CHECK_U64(r->extfrag.events, 4);
	/* pageblock order 10: an order-10 fallback is not fragmenting */
	CHECK_U64(r->extfrag.pageblock_order, 10);
	CHECK_U64(r->extfrag.pageblock_order_source, CT_FACT_TRACE);
	CHECK_U64(r->extfrag.fragmenting, 3);
	CHECK_U64(r->extfrag.pageblocks_polluted, 1);	/* 0x1000..0x13ff is one 1024-page block */
	CHECK_U64(r->extfrag.change_ownership, 1);
	CHECK_U64(r->extfrag.by_pair[0][1], 4);
	CHECK_U64(r->extfrag.by_alloc_order[1], 4);
	CHECK_U64(r->extfrag.printed_fragmenting_disagrees, 0);
	/* the sink saw each fallback with the engine's verdicts */
	CHECK_U64(cs.fallbacks, 4);
	CHECK_U64(cs.fragmenting, 3);
	CHECK_U64(cs.first_in_pageblock, 1);
	ct_engine_free(eng);

	/* without a pageblock order the default (9); a tool's wrong fragmenting= is counted */
	eng = ct_engine_new(NULL);
	ct_engine_begin_source(eng, "y", "trace-cmd-text");
	ev = ev_base(CT_EV_EXTFRAG, 1, 9, "find");
	ev.u.xf = (struct ct_ev_extfrag){ 0x1000, 0, 9, 0, 1, 0, 10, 1 };
	feed(eng, ev);
	ct_engine_end_source(eng);
	r = ct_engine_results(eng);
	CHECK_U64(r->extfrag.pageblock_order, 9);
	CHECK_U64(r->extfrag.pageblock_order_source, CT_FACT_DEFAULT);
	CHECK_U64(r->extfrag.fragmenting, 0);
	CHECK_U64(r->extfrag.printed_fragmenting_disagrees, 1);
	ct_engine_free(eng);
}

static void test_quality_and_filter(void)
{
	struct ct_engine_opts opts = { .filter_pid = 7 };
	struct ct_engine *eng = ct_engine_new(&opts);
	const struct ct_results *r;
	struct ct_event ev;

	ct_engine_begin_source(eng, "q", "ftrace-text");
	ev = ev_base(CT_EV_LOST, 0, 0, "");
	ev.u.lost.count = 12;
	feed(eng, ev);
	ev.u.lost.count = 0;	/* a page that flags a loss without its size */
	feed(eng, ev);
	ev = ev_base(CT_EV_PARSE_ERROR, 0, 0, "");
	ev.u.perr.where = 17;
	feed(eng, ev);
	ev = ev_base(CT_EV_OTHER, 5, 1, "x");
	ev.name = "mm_page_alloc";
	ev.name_len = 13;
	feed(eng, ev);
	isolate(eng, CT_EV_ISOLATE_MIGRATE, 6, 8, "other", 0, 1, 100, 0);	/* filtered out */
	isolate(eng, CT_EV_ISOLATE_MIGRATE, 7, 7, "mine", 0, 1, 10, 0);	/* outside any run */
	ev = ev_base(CT_EV_PAGE_FREE, 8, 7, "x");	/* a decoded page event: counted by type */
	ev.name = "mm_page_free";
	ev.name_len = 12;
	feed(eng, ev);
	ct_engine_end_source(eng);
	r = ct_engine_results(eng);
	CHECK_U64(r->quality.lost_events, 12);
	CHECK_U64(r->quality.lost_markers, 2);
	CHECK_U64(r->quality.lost_unknown, 1);
	CHECK_U64(r->quality.parse_errors, 1);
	CHECK_U64(r->quality.parse_error_where[0], 17);
	CHECK_U64(r->quality.unknown_events, 1);
	CHECK_U64(r->quality.isolate_outside_run, 1);
	CHECK_U64(r->filtered_out, 1);
	CHECK_U64(r->totals.compact_migrate_scanned, 10);
	CHECK_U64(r->sources[0].events, 4);
	CHECK_U64(r->sources[0].nnames, 3);
	CHECK_STR(r->sources[0].names[0].name, "mm_compaction_isolate_migratepages");
	CHECK_U64(r->sources[0].names[0].count, 2);
	CHECK_STR(r->sources[0].names[1].name, "mm_page_alloc");
	CHECK_STR(r->sources[0].names[2].name, "mm_page_free");
	CHECK_U64(r->sources[0].names[2].count, 1);
	ct_engine_free(eng);
}

static void test_latency(void)
{
	struct ct_latency lat;

	memset(&lat, 0, sizeof(lat));
	for (uint64_t i = 1; i <= 100; i++)
		ct_latency_add(&lat, i * US);
	CHECK(ct_latency_is_exact(&lat));
	CHECK_U64(ct_latency_percentile(&lat, 50), 50 * US);
	CHECK_U64(ct_latency_percentile(&lat, 90), 90 * US);
	CHECK_U64(ct_latency_percentile(&lat, 99), 99 * US);
	CHECK_U64(ct_latency_percentile(&lat, 100), 100 * US);
	CHECK_U64(lat.log2_us[0], 1);	/* 1 us */
	CHECK_U64(lat.log2_us[1], 1);	/* 2 us */
	CHECK_U64(lat.log2_us[7], 100 - 64);	/* 65..100 us <= 128 */
	ct_latency_release(&lat);

	/* past the exact limit: the histogram's answer is within 1% */
	memset(&lat, 0, sizeof(lat));
	for (uint64_t i = 1; i <= 100000; i++)
		ct_latency_add(&lat, i * 37);
	CHECK(!ct_latency_is_exact(&lat));
	for (int p = 1; p <= 100; p++) {
		uint64_t want = (uint64_t)p * 1000 * 37, got = ct_latency_percentile(&lat, p);

		CHECK(got >= want && got <= want + want / 100);
	}
	CHECK_U64(lat.max_ns, 100000 * 37);
	CHECK_U64(lat.count, 100000);
	ct_latency_release(&lat);
}

static void test_vmstat_check(void)
{
	struct ct_engine *eng = ct_engine_new(NULL);
	struct ct_host_facts facts = { .has_fast_isolate_tracepoint = 1 };
	struct ct_vmstat_check chk;
	const char *start = "nr_free_pages 5\ncompact_migrate_scanned 100\ncompact_free_scanned 1000\n"
			    "compact_isolated 10\ncompact_stall 0\ncompact_fail 0\ncompact_success 0\n"
			    "compact_daemon_wake 0\ncompact_daemon_migrate_scanned 0\n"
			    "compact_daemon_free_scanned 0\n";
	const char *finish = "nr_free_pages 5\ncompact_migrate_scanned 700\ncompact_free_scanned 1400\n"
			     "compact_isolated 74\ncompact_stall 1\ncompact_fail 0\ncompact_success 0\n"
			     "compact_daemon_wake 0\ncompact_daemon_migrate_scanned 0\n"
			     "compact_daemon_free_scanned 0\n";

	ct_engine_begin_source(eng, "v", "ftrace-text");
	begin(eng, 1, 1, "bash", 0, 0, 100, 1000, 1);
	isolate(eng, CT_EV_ISOLATE_MIGRATE, 2, 1, "bash", 0, 1, 512, 32);
	isolate(eng, CT_EV_ISOLATE_FREE, 3, 1, "bash", 0, 1, 400, 32);
	end(eng, 4, 1, "bash", 0, 50, 100, 1000, CT_STATUS_COMPLETE);
	ct_engine_end_source(eng);
	ct_vmstat_check_run(ct_engine_results(eng), &facts, start, finish, &chk);
	CHECK_STR(chk.counters[0].name, "compact_migrate_scanned");
	CHECK_U64(chk.counters[0].verdict, CT_VERDICT_EXPLAINED);	/* 512 < 600 */
	CHECK_U64(chk.counters[1].verdict, CT_VERDICT_EQUAL);	/* 400 */
	CHECK_U64(chk.counters[2].verdict, CT_VERDICT_EQUAL);	/* 64 */
	CHECK_U64(chk.counters[3].verdict, CT_VERDICT_EXPLAINED);	/* stall 0 < 1 */
	CHECK_U64(chk.counters[4].verdict, CT_VERDICT_EQUAL);
	CHECK_U64(chk.unexplained, 0);

	/* the same shortfall in free_scanned on a kernel with the tracepoint: a bug */
	facts.has_fast_isolate_tracepoint = 1;
	ct_vmstat_check_run(ct_engine_results(eng), &facts, start,
			    "compact_free_scanned 1500\ncompact_migrate_scanned 100\n", &chk);
	CHECK_U64(chk.counters[1].verdict, CT_VERDICT_UNEXPLAINED);
	CHECK_U64(chk.counters[2].verdict, CT_VERDICT_MISSING);
	/* ... but explained on 6.1, which has no fast_isolate_freepages tracepoint */
	facts.has_fast_isolate_tracepoint = 0;
	ct_vmstat_check_run(ct_engine_results(eng), &facts, start,
			    "compact_free_scanned 1500\ncompact_migrate_scanned 100\n", &chk);
	CHECK_U64(chk.counters[1].verdict, CT_VERDICT_EXPLAINED);
	/* trace above vmstat is never explained by the kernel version */
	ct_vmstat_check_run(ct_engine_results(eng), &facts, start,
			    "compact_free_scanned 1100\ncompact_migrate_scanned 100\n", &chk);
	CHECK_U64(chk.counters[1].verdict, CT_VERDICT_UNEXPLAINED);
	CHECK_U64(chk.counters[0].verdict, CT_VERDICT_UNEXPLAINED);	/* 512 > 0 */
	CHECK_U64(ct_kernel_has_fast_isolate("6.18.44-fc"), 1);
	CHECK_U64(ct_kernel_has_fast_isolate("6.1.0-56-cloud-amd64"), 0);
	CHECK_U64(ct_kernel_has_fast_isolate("5.15.0"), 0);
	CHECK(ct_kernel_has_fast_isolate("garbage") < 0);
	ct_engine_free(eng);
}

/*
 * fast_isolate_freepages() once the scanners crossed: the window's bottom
 * wraps past 2^63 (a real 6.18 line: range=(0x800000000050be00 ~ 0x50be00)
 * nr_scanned=13). Counted; a start past that (not a wrapped pfn) is not.
 */
static void test_fast_window_wrapped(void)
{
	struct ct_engine *eng = ct_engine_new(NULL);
	const struct ct_results *r;

	ct_engine_begin_source(eng, "w", "trace-cmd-text");
	begin(eng, 1, 9, "python3", 0x100000, 0x50be00, 0x51d400, 0x640000, 0);
	isolate(eng, CT_EV_FAST_ISOLATE_FREE, 2, 9, "python3", 0x514800, 0x51d400, 20, 0);
	isolate(eng, CT_EV_FAST_ISOLATE_FREE, 3, 9, "python3", 0x800000000050be00ull, 0x50be00, 13, 0);
	isolate(eng, CT_EV_FAST_ISOLATE_FREE, 4, 9, "python3", (1ull << 63) + (1ull << 41), 0x50be00, 7, 0);
	end(eng, 5, 9, "python3", 0x100000, 0x50be3f, 0x50be00, 0x640000, CT_STATUS_PARTIAL_SKIPPED);
	ct_engine_end_source(eng);
	r = ct_engine_results(eng);
	CHECK_U64(r->totals.compact_free_scanned, 20 + 13);
	CHECK_U64(r->quality.bad_values, 1);
	ct_engine_free(eng);
}

int main(void)
{
	test_manual_run();
	test_unmatched();
	test_begin_lost();
	test_stall_three_zones();
	test_kcompactd();
	test_trigger_rules();
	test_out_of_order();
	test_extfrag();
	test_quality_and_filter();
	test_latency();
	test_vmstat_check();
	test_fast_window_wrapped();
	return ct_test_status("test_engine");
}
