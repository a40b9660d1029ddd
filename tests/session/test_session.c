// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The session (compactrace/session.h): where each host fact comes from,
 * the read-ahead that lets the trace say the pageblock order before any
 * consumer sees an event, and the sinks that see what the engine counts.
 * Expected values are worked out by hand in the comments; exit 0 pass, 1 fail.
 */
#include <stdlib.h>
#include <string.h>

#include "../common/check.h"
#include "compactrace/attach.h"
#include "compactrace/error.h"
#include "compactrace/session.h"

#define US 1000ULL
#define MS 1000000ULL

static struct ct_event ev_of(enum ct_event_type type, uint64_t ts, int pid, const char *comm)
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

/* an extfrag fallback of @fallback_order at @pfn; @printed: the pageblock_order= the text printed (-1 none) */
static struct ct_event fallback(uint64_t ts, uint64_t pfn, int fallback_order, int printed)
{
	struct ct_event ev = ev_of(CT_EV_EXTFRAG, ts, 42, "bash");

	ev.u.xf = (struct ct_ev_extfrag){ .pfn = pfn, .alloc_order = 0, .fallback_order = fallback_order,
					  .alloc_migratetype = 0, .fallback_migratetype = 1,
					  .printed_pageblock_order = printed, .printed_fragmenting = -1 };
	return ev;
}

/* one run of @pid in Normal (0x100000-0x200000) from @ts to @ts + 100 us ending @status */
static void run(struct ct_session *s, uint64_t ts, int pid, const char *comm, int16_t status)
{
	struct ct_event ev = ev_of(CT_EV_BEGIN, ts, pid, comm);

	ev.u.range = (struct ct_ev_range){ 0x100000, 0x100000, 0x1ffe00, 0x200000, 0, 0 };
	CHECK(ct_session_feed(s, &ev) == 0);
	ev = ev_of(CT_EV_END, ts + 100 * US, pid, comm);
	ev.u.range = (struct ct_ev_range){ 0x100000, 0x100200, 0x1ffc00, 0x200000, 0, status };
	CHECK(ct_session_feed(s, &ev) == 0);
}

/* ---- facts -------------------------------------------------------------- */

/* a snapshot set in memory: vmstat and a pagetypeinfo saying @pbo */
static struct ct_attach_set *snapshot_set(const char *prefix, int pbo, uint64_t stall)
{
	struct ct_attach_set *set = ct_attach_set_new();
	char name[64], vm[200], pti[100];

	snprintf(vm, sizeof(vm), "nr_free_pages 5\ncompact_stall %llu\ncompact_isolated 0\n",
		 (unsigned long long)stall);
	snprintf(pti, sizeof(pti), "Page block order: %d\nPages per block:  %d\n", pbo, 1 << pbo);
	snprintf(name, sizeof(name), "%s/vmstat", prefix);
	CHECK(ct_attach_set_add(set, name, vm, strlen(vm)) == 0);
	snprintf(name, sizeof(name), "%s/pagetypeinfo", prefix);
	CHECK(ct_attach_set_add(set, name, pti, strlen(pti)) == 0);
	snprintf(name, sizeof(name), "%s/osrelease", prefix);
	CHECK(ct_attach_set_add(set, name, "6.1.0-test\n", 11) == 0);
	return set;
}

/* command line > snapshot > trace > default */
static void test_fact_sources(void)
{
	struct ct_attach_set *start = snapshot_set(CT_SNAPSHOT_START, 11, 0);
	struct ct_session *s;
	struct ct_event ev;
	char err[512];

	/* the trace alone: its printed value, for every consumer */
	s = ct_session_new(NULL);
	CHECK(ct_session_begin_source(s, "t", "ftrace-text") == 0);
	ev = fallback(1 * MS, 0x57d600, 9, 10);
	CHECK(ct_session_feed(s, &ev) == 0);
	CHECK(ct_session_finish(s) == 0);
	CHECK_U64(ct_session_facts(s)->pageblock_order, 10);
	CHECK_U64(ct_session_facts(s)->pageblock_order_source, CT_FACT_TRACE);
	CHECK_U64(ct_session_results(s)->extfrag.pageblock_order, 10);
	CHECK_U64(ct_session_results(s)->extfrag.fragmenting, 1);	/* 9 < 10 */
	ct_session_free(s);

	/* a snapshot beats the trace: 11 from pagetypeinfo; the printed 10 is a disagreement */
	s = ct_session_new(NULL);
	CHECK(ct_session_load_snapshot_set(s, CT_SNAPSHOT_START, start, "mem", err, sizeof(err)) == 1);
	CHECK(ct_session_begin_source(s, "t", "ftrace-text") == 0);
	CHECK(ct_session_feed(s, &ev) == 0);
	CHECK(ct_session_finish(s) == 0);
	CHECK_U64(ct_session_facts(s)->pageblock_order, 11);
	CHECK_U64(ct_session_facts(s)->pageblock_order_source, CT_FACT_SNAPSHOT);
	CHECK_U64(ct_session_facts(s)->pageblock_order_disagreements, 1);
	CHECK_U64(ct_session_facts(s)->pageblock_order_printed, 10);
	CHECK_STR(ct_session_facts(s)->release, "6.1.0-test");
	/* 6.1 has no fast_isolate_freepages tracepoint: known from the release */
	CHECK_U64(ct_session_facts(s)->has_fast_isolate_tracepoint, 0);
	CHECK_U64(ct_session_facts(s)->has_fast_isolate_tracepoint_source, CT_FACT_SNAPSHOT);
	ct_session_free(s);

	/* the command line beats both */
	s = ct_session_new(&(struct ct_session_opts){ .pageblock_order = 13, .has_extfrag_threshold = 1,
						       .extfrag_threshold = 700 });
	CHECK(ct_session_load_snapshot_set(s, CT_SNAPSHOT_START, start, "mem", err, sizeof(err)) == 1);
	CHECK(ct_session_feed(s, &ev) == 0);
	CHECK(ct_session_finish(s) == 0);
	CHECK_U64(ct_session_facts(s)->pageblock_order, 13);
	CHECK_U64(ct_session_facts(s)->pageblock_order_source, CT_FACT_USER);
	CHECK_U64(ct_session_facts(s)->extfrag_threshold, 700);
	CHECK_U64(ct_session_facts(s)->extfrag_threshold_source, CT_FACT_USER);
	CHECK_U64(ct_session_results(s)->extfrag.pageblock_order, 13);
	ct_session_free(s);

	/* nothing says it: the x86-64 default */
	s = ct_session_new(NULL);
	ev = fallback(1 * MS, 0x57d600, 9, -1);
	CHECK(ct_session_feed(s, &ev) == 0);
	CHECK(ct_session_finish(s) == 0);
	CHECK_U64(ct_session_facts(s)->pageblock_order, 9);
	CHECK_U64(ct_session_facts(s)->pageblock_order_source, CT_FACT_DEFAULT);
	CHECK_U64(ct_session_results(s)->extfrag.fragmenting, 0);	/* 9 < 9 is false */
	ct_session_free(s);
	ct_attach_set_free(start);
}

/*
 * The engine and the model see the events only once the order is known:
 * runs before the first extfrag event are held back, then replayed with it.
 */
static void test_read_ahead(void)
{
	struct ct_session *s = ct_session_new(NULL);
	struct ct_report_input in;
	struct ct_event ev;

	CHECK(ct_session_begin_source(s, "t", "ftrace-text") == 0);
	for (int i = 0; i < 3; i++)
		run(s, (uint64_t)(i + 1) * MS, 7, "app", CT_STATUS_SUCCESS);
	/* nothing has reached the engine yet */
	CHECK_U64(ct_session_results(s)->runs.count, 0);
	ev = fallback(10 * MS, 0x100400, 9, 10);
	CHECK(ct_session_feed(s, &ev) == 0);
	CHECK_U64(ct_session_results(s)->runs.count, 3);
	CHECK(ct_session_finish(s) == 0);
	CHECK(ct_session_report_input(s, &in) == 0);
	CHECK(in.model != NULL);
	if (in.model) {
		CHECK_U64(in.model->pageblock_order, 10);
		CHECK_U64(in.model->nculprits, 1);
		if (in.model->nculprits) {
			/* the model's polluter figures are the engine's */
			CHECK_U64(in.model->culprits[0].fragmenting, in.res->extfrag.fragmenting);
			CHECK_U64(in.model->culprits[0].pageblocks_polluted, in.res->extfrag.pageblocks_polluted);
		}
	}
	CHECK_U64(in.res->extfrag.pageblocks_polluted, 1);
	ct_session_free(s);

	/* past the read-ahead (1 s of trace time) the default holds; the printed value is a disagreement */
	s = ct_session_new(NULL);
	CHECK(ct_session_begin_source(s, "t", "ftrace-text") == 0);
	run(s, 1 * MS, 7, "app", CT_STATUS_SUCCESS);
	run(s, CT_SESSION_LOOKAHEAD_NS + 2 * MS, 7, "app", CT_STATUS_SUCCESS);
	CHECK_U64(ct_session_results(s)->runs.count, 2);	/* settled at the default */
	ev = fallback(CT_SESSION_LOOKAHEAD_NS + 5 * MS, 0x100400, 9, 10);
	CHECK(ct_session_feed(s, &ev) == 0);
	CHECK(ct_session_finish(s) == 0);
	CHECK_U64(ct_session_facts(s)->pageblock_order, 9);
	CHECK_U64(ct_session_facts(s)->pageblock_order_disagreements, 1);
	CHECK_U64(ct_session_results(s)->extfrag.fragmenting, 0);
	ct_session_free(s);

	/* a binary input never prints the pageblock order: nothing is held back for it */
	s = ct_session_new(NULL);
	CHECK(ct_session_begin_source(s, "t.dat", "trace-dat") == 0);
	run(s, 1 * MS, 7, "app", CT_STATUS_SUCCESS);
	CHECK_U64(ct_session_results(s)->runs.count, 1);
	CHECK(ct_session_finish(s) == 0);
	CHECK_U64(ct_session_facts(s)->pageblock_order, 9);
	ct_session_free(s);

	/* an input that ends while held back is replayed in full */
	s = ct_session_new(NULL);
	CHECK(ct_session_begin_source(s, "a", "ftrace-text") == 0);
	run(s, 1 * MS, 7, "app", CT_STATUS_SUCCESS);
	CHECK(ct_session_begin_source(s, "b", "ftrace-text") == 0);	/* ends "a" */
	run(s, 2 * MS, 8, "app", CT_STATUS_COMPLETE);
	CHECK(ct_session_finish(s) == 0);
	CHECK_U64(ct_session_results(s)->nsources, 2);
	CHECK_U64(ct_session_results(s)->runs.count, 2);
	CHECK_U64(ct_session_results(s)->runs.by_status[CT_STATUS_COMPLETE], 1);
	ct_session_free(s);
}

/* ---- sinks ---------------------------------------------------------------- */

struct tally {
	uint64_t events, runs, stalls, fallbacks, periods, begins, ends;
	int fail_on_run;
};

static int t_begin(void *ctx, const char *path, const char *format)
{
	(void)path, (void)format;
	((struct tally *)ctx)->begins++;
	return 0;
}

static int t_event(void *ctx, const struct ct_event *ev, const struct ct_run *r)
{
	(void)ev, (void)r;
	((struct tally *)ctx)->events++;
	return 0;
}

static int t_run(void *ctx, const struct ct_run *r)
{
	struct tally *t = ctx;

	(void)r;
	t->runs++;
	return t->fail_on_run ? -CT_E_WRITE : 0;
}

static int t_stall(void *ctx, const struct ct_stall *st)
{
	(void)st;
	((struct tally *)ctx)->stalls++;
	return 0;
}

static int t_fallback(void *ctx, const struct ct_fallback *fb)
{
	(void)fb;
	((struct tally *)ctx)->fallbacks++;
	return 0;
}

static int t_period(void *ctx, const struct ct_kcompactd_period *p)
{
	(void)p;
	((struct tally *)ctx)->periods++;
	return 0;
}

static int t_end(void *ctx)
{
	((struct tally *)ctx)->ends++;
	return 0;
}

static const struct ct_sink_ops tally_ops = {
	.name = "tally", .begin_source = t_begin, .event = t_event, .run = t_run, .stall = t_stall,
	.fallback = t_fallback, .kcompactd = t_period, .end_source = t_end,
};

static void test_sinks(void)
{
	struct ct_session *s = ct_session_new(&(struct ct_session_opts){ .pageblock_order = 9 });
	struct tally t = { 0 };
	struct ct_sink sink = { &tally_ops, &t };
	const struct ct_results *r;
	struct ct_event ev;

	CHECK(ct_session_add_sink(s, &sink) == 0);
	CHECK(ct_session_begin_source(s, "t", "ftrace-text") == 0);
	/* a direct stall of task 7 with one run, and a kcompactd wake .. sleep */
	ev = ev_of(CT_EV_TRY_TO_COMPACT, 1 * MS, 7, "app");
	ev.u.try_.order = 9;
	CHECK(ct_session_feed(s, &ev) == 0);
	run(s, 2 * MS, 7, "app", CT_STATUS_SUCCESS);
	ev = ev_of(CT_EV_KCOMPACTD_WAKE, 3 * MS, 50, "kcompactd0");
	ev.u.kc.order = 9;
	CHECK(ct_session_feed(s, &ev) == 0);
	ev = ev_of(CT_EV_KCOMPACTD_SLEEP, 5 * MS, 50, "kcompactd0");
	CHECK(ct_session_feed(s, &ev) == 0);
	ev = fallback(6 * MS, 0x100400, 3, -1);
	CHECK(ct_session_feed(s, &ev) == 0);
	/* once events flow, no more sinks */
	CHECK(ct_session_add_sink(s, &sink) == -CT_E_INVAL);
	CHECK(ct_session_finish(s) == 0);
	r = ct_session_results(s);
	/* 1 try + 2 run events + wake + sleep + fallback, all accepted */
	CHECK_U64(t.events, 6);
	CHECK_U64(t.runs, r->runs.count);
	CHECK_U64(t.runs, 1);
	CHECK_U64(t.stalls, r->stalls.count);	/* closed at the end of the input */
	CHECK_U64(t.stalls, 1);
	CHECK_U64(t.fallbacks, r->extfrag.events);
	CHECK_U64(t.periods, 1);
	CHECK_U64(t.begins, 1);
	CHECK_U64(t.ends, 1);
	ct_session_free(s);

	/* a sink's error stops the session with it */
	s = ct_session_new(&(struct ct_session_opts){ .pageblock_order = 9 });
	t = (struct tally){ .fail_on_run = 1 };
	CHECK(ct_session_add_sink(s, &sink) == 0);
	CHECK(ct_session_begin_source(s, "t", "ftrace-text") == 0);
	ev = ev_of(CT_EV_BEGIN, 1 * MS, 7, "app");
	ev.u.range = (struct ct_ev_range){ 0x100000, 0x100000, 0x1ffe00, 0x200000, 0, 0 };
	CHECK(ct_session_feed(s, &ev) == 0);
	ev = ev_of(CT_EV_END, 2 * MS, 7, "app");
	ev.u.range = (struct ct_ev_range){ 0x100000, 0x100200, 0x1ffc00, 0x200000, 0, CT_STATUS_SUCCESS };
	CHECK(ct_session_feed(s, &ev) == -CT_E_WRITE);
	ct_session_free(s);
}

/* the vmstat check needs both ends and the whole trace */
static void test_vmstat_check(void)
{
	struct ct_attach_set *a = snapshot_set(CT_SNAPSHOT_START, 9, 10);
	struct ct_attach_set *b = snapshot_set(CT_SNAPSHOT_END, 9, 11);
	struct ct_session *s = ct_session_new(NULL);
	const struct ct_vmstat_check *c;
	struct ct_event ev = ev_of(CT_EV_TRY_TO_COMPACT, 1 * MS, 7, "app");
	char err[512];

	CHECK(ct_session_load_snapshot_set(s, CT_SNAPSHOT_START, a, "mem", err, sizeof(err)) == 1);
	CHECK(ct_session_feed(s, &ev) == 0);
	CHECK(ct_session_load_snapshot_set(s, CT_SNAPSHOT_END, b, "mem", err, sizeof(err)) == 1);
	CHECK(ct_session_finish(s) == 0);
	c = ct_session_vmstat(s);
	CHECK(c != NULL);
	for (int i = 0; c && i < CT_VMSTAT_COUNTERS; i++)
		if (strcmp(c->counters[i].name, "compact_stall") == 0) {
			/* one try_to_compact_pages, vmstat 10 -> 11 */
			CHECK_U64(c->counters[i].trace, 1);
			CHECK_U64(c->counters[i].vmstat_delta, 1);
			CHECK_U64(c->counters[i].verdict, CT_VERDICT_EQUAL);
		}
	ct_session_free(s);

	/* with --pid the totals are not the host's: no check */
	s = ct_session_new(&(struct ct_session_opts){ .has_filter_pid = 1, .filter_pid = 7 });
	CHECK(ct_session_load_snapshot_set(s, CT_SNAPSHOT_START, a, "mem", err, sizeof(err)) == 1);
	CHECK(ct_session_load_snapshot_set(s, CT_SNAPSHOT_END, b, "mem", err, sizeof(err)) == 1);
	CHECK(ct_session_feed(s, &ev) == 0);
	CHECK(ct_session_finish(s) == 0);
	CHECK(ct_session_vmstat(s) == NULL);
	CHECK(ct_session_model(s) == NULL);
	ct_session_free(s);
	ct_attach_set_free(a);
	ct_attach_set_free(b);
}

int main(void)
{
	test_fact_sources();
	test_read_ahead();
	test_sinks();
	test_vmstat_check();
	return ct_test_status("session");
}
