// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Absurd values are data-quality problems, not crashes: pfns beyond any
 * zone or machine, negative and huge orders, 10^18 counts, node ids no
 * kernel has, timestamps going backwards across CPUs. Each is fed to an
 * engine with the model on and must show up in the quality counters (and
 * stay out of the totals) while both reports still render.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../common/check.h"
#include "compactrace/engine.h"
#include "compactrace/session.h"
#include "compactrace/model.h"
#include "compactrace/report.h"

#define MS 1000000ull
#define E18 1000000000000000000ull

static struct ct_event ev_of(enum ct_event_type type, uint64_t ts, int pid, int cpu)
{
	struct ct_event ev;

	memset(&ev, 0, sizeof(ev));
	ev.type = (uint16_t)type;
	ev.ts_ns = ts;
	ev.pid = pid;
	ev.cpu = cpu;
	snprintf(ev.comm, sizeof(ev.comm), "%s", "thp-fault");
	ev.name = ct_event_type_name(type);
	ev.name_len = (uint16_t)strlen(ev.name);
	return ev;
}

static void feed(struct ct_session *eng, struct ct_event ev)
{
	CHECK(ct_session_feed(eng, &ev) == 0);
}

static void range(struct ct_session *eng, enum ct_event_type type, uint64_t ts, uint64_t zs, uint64_t ze)
{
	struct ct_event ev = ev_of(type, ts, 100, 0);

	ev.u.range = (struct ct_ev_range){ zs, zs, ze - 512, ze, 1, CT_STATUS_COMPLETE };
	feed(eng, ev);
}

static void isolate(struct ct_session *eng, uint64_t ts, uint64_t start, uint64_t scanned, uint64_t taken)
{
	struct ct_event ev = ev_of(CT_EV_ISOLATE_MIGRATE, ts, 100, 0);

	ev.u.iso = (struct ct_ev_isolate){ start, start + 512, scanned, taken };
	feed(eng, ev);
}

/* the report's pipeline; a pageblock order given, so the engine exists from the first event */
static struct ct_session *engine(void)
{
	struct ct_session_opts o = { .pageblock_order = 9 };
	struct ct_session *eng = ct_session_new(&o);

	CHECK(eng != NULL);
	if (!eng)
		exit(1);
	CHECK(ct_session_begin_source(eng, "absurd", "test") == 0);
	return eng;
}

/* both reports render; returns the JSON text (caller frees) */
static char *render(struct ct_session *eng)
{
	struct ct_report_input in = { .res = ct_session_results(eng), .model_map = 1 };
	FILE *null = fopen("/dev/null", "we");
	char *json = NULL;
	size_t len = 0;
	FILE *ms = open_memstream(&json, &len);

	CHECK(ct_session_end_source(eng) == 0);
	in.model = ct_model_results(ct_session_model(eng));
	CHECK(in.model != NULL);
	CHECK(null && ct_report_text(null, &in) == 0);
	CHECK(ms && ct_report_json(ms, &in) == 0);
	if (null)
		fclose(null);
	if (ms)
		fclose(ms);
	return json;
}

/*
 * pfns beyond any machine, isolations far outside their run's zone and zones
 * larger than any machine count as bad values; a real pfn that no known
 * zone holds is the model's to count.
 */
static void test_pfns(void)
{
	struct ct_session *eng = engine();
	const struct ct_results *r = ct_session_results(eng);
	struct ct_event ev;
	char *json;

	range(eng, CT_EV_BEGIN, 1 * MS, 0x1000, 0x40000);
	isolate(eng, 2 * MS, 1ULL << 50, 512, 32);	/* beyond 2^40: no machine */
	CHECK_U64(r->quality.bad_values, 1);
	isolate(eng, 3 * MS, 0x900000, 512, 32);	/* far outside the run's zone */
	CHECK_U64(r->quality.bad_values, 2);
	range(eng, CT_EV_END, 4 * MS, 0x1000, 0x40000);
	range(eng, CT_EV_BEGIN, 5 * MS, 0, 1ULL << 45);	/* a zone larger than any machine */
	range(eng, CT_EV_END, 6 * MS, 0, 1ULL << 45);
	CHECK_U64(r->quality.bad_values, 4);
	ev = ev_of(CT_EV_EXTFRAG, 7 * MS, 300, 0);	/* a real pfn, but no zone holds it */
	ev.u.xf = (struct ct_ev_extfrag){ 0x900000, 0, 1, 0, 1, 0, -1, -1 };
	feed(eng, ev);
	CHECK_U64(r->quality.bad_values, 4);
	json = render(eng);
	CHECK(ct_model_results(ct_session_model(eng))->pfns_outside_zones >= 1);
	CHECK(json && strstr(json, "\"bad_values\":\t4,"));	/* cJSON indents with tabs */
	free(json);
	ct_session_free(eng);
}

/* orders below -1 or above any kernel's, node ids beyond MAX_NUMNODES */
static void test_orders(void)
{
	struct ct_session *eng = engine();
	const struct ct_results *r = ct_session_results(eng);
	struct ct_event ev = ev_of(CT_EV_TRY_TO_COMPACT, 1 * MS, 200, 1);
	char *json;

	ev.u.try_.order = -5;
	feed(eng, ev);
	ev = ev_of(CT_EV_SUITABLE, 2 * MS, 300, 1);
	ev.u.zo = (struct ct_ev_zone_order){ 0, -9, CT_STATUS_CONTINUE, "Normal" };
	feed(eng, ev);
	ev = ev_of(CT_EV_DEFERRED, 3 * MS, 300, 1);
	ev.u.defer = (struct ct_ev_defer){ 0, 99, 0, 0, 64, "Normal" };
	feed(eng, ev);
	ev = ev_of(CT_EV_KCOMPACTD_WAKE, 4 * MS, 40, 0);
	ev.u.kc = (struct ct_ev_kcompactd){ 70000, 9, "Normal" };
	feed(eng, ev);
	ev = ev_of(CT_EV_EXTFRAG, 5 * MS, 300, 0);
	ev.u.xf = (struct ct_ev_extfrag){ 0x2000, 0, 37513, 0, 1, 0, -1, -1 };
	feed(eng, ev);
	CHECK_U64(r->quality.bad_values, 4);	/* suitable, deferred, kcompactd_wake, extfrag */
	json = render(eng);	/* closes the stall of order -5 */
	CHECK_U64(r->quality.bad_values, 5);
	CHECK_U64(r->stalls.count, 1);
	free(json);
	ct_session_free(eng);
}

/* 10^18 pages in one step, 10^18 lost events: counted once per event, the step dropped */
static void test_counts(void)
{
	struct ct_session *eng = engine();
	const struct ct_results *r = ct_session_results(eng);
	struct ct_event ev;
	char *json;

	range(eng, CT_EV_BEGIN, 1 * MS, 0x1000, 0x40000);
	isolate(eng, 2 * MS, 0x1000, 512, 32);
	isolate(eng, 3 * MS, 0x1200, E18, E18);
	ev = ev_of(CT_EV_MIGRATEPAGES, 4 * MS, 100, 0);
	ev.u.mig = (struct ct_ev_migrate){ E18, 1 };
	feed(eng, ev);
	range(eng, CT_EV_END, 5 * MS, 0x1000, 0x40000);
	ev = ev_of(CT_EV_LOST, 6 * MS, 0, 0);
	ev.name = NULL;
	ev.name_len = 0;
	ev.u.lost.count = E18;
	feed(eng, ev);
	CHECK_U64(r->quality.bad_values, 3);	/* isolate step, migrate step, lost */
	CHECK_U64(r->totals.compact_migrate_scanned, 512);
	CHECK_U64(r->totals.compact_isolated, 32);
	CHECK_U64(r->runs.migrated, 0);
	CHECK_U64(r->runs.migrate_failed, 0);
	CHECK_U64(r->quality.lost_events, 0);
	CHECK_U64(r->quality.lost_unknown, 1);
	json = render(eng);
	CHECK_U64(r->quality.bad_values, 3);
	free(json);
	ct_session_free(eng);
}

/* CPU 1's clock behind CPU 0's: out of order, and no negative durations */
static void test_time(void)
{
	struct ct_session *eng = engine();
	const struct ct_results *r = ct_session_results(eng);
	struct ct_event ev;
	char *json;

	ev = ev_of(CT_EV_TRY_TO_COMPACT, 10 * MS, 200, 0);
	ev.u.try_.order = 9;
	feed(eng, ev);
	ev = ev_of(CT_EV_BEGIN, 11 * MS, 200, 0);
	ev.u.range = (struct ct_ev_range){ 0x1000, 0x1000, 0x3fe00, 0x40000, 0, 0 };
	feed(eng, ev);
	ev = ev_of(CT_EV_END, 4 * MS, 200, 1);	/* the run ends "before" it began */
	ev.u.range = (struct ct_ev_range){ 0x1000, 0x1200, 0x3fe00, 0x40000, 0, CT_STATUS_COMPLETE };
	feed(eng, ev);
	ev = ev_of(CT_EV_KCOMPACTD_WAKE, 12 * MS, 40, 0);
	ev.u.kc = (struct ct_ev_kcompactd){ 0, 9, "Normal" };
	feed(eng, ev);
	ev = ev_of(CT_EV_KCOMPACTD_SLEEP, 2 * MS, 40, 1);
	ev.u.kc.nid = 0;
	feed(eng, ev);
	CHECK_U64(r->quality.out_of_order, 2);
	json = render(eng);
	CHECK_U64(r->runs.count, 1);
	CHECK_U64(r->runs.duration.max_ns, 0);
	CHECK_U64(r->stalls.latency.max_ns, 0);
	CHECK(r->nkcompactd == 1 && r->kcompactd[0].awake_ns == 0);
	CHECK_U64(r->quality.bad_values, 0);
	free(json);
	ct_session_free(eng);
}

int main(void)
{
	test_pfns();
	test_orders();
	test_counts();
	test_time();
	return ct_test_status("test_absurd");
}
