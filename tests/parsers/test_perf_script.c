// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * perf script text: real `perf script` output from the development VM
 * (default fields, -F +pid, no cpu column with --ns, --show-lost-events) and
 * hand-written lines for task names with spaces, swapper, callchain lines,
 * "-1" pids and garbage.
 */
#include "ct_test.h"
#include "registry.h"

static size_t count_type(const struct ct_test_events *e, enum ct_event_type type)
{
	size_t n = 0;

	for (size_t i = 0; i < e->n; i++)
		n += e->v[i].ev.type == type;
	return n;
}

static void read_fixture(struct ct_test *t, const char *name, struct ct_test_events *e)
{
	char path[512];

	t->what = name;
	CHECK(t, ct_test_read_path(ct_test_data(t, name, path, sizeof(path)), NULL, e) == 0);
	CHECK_STR(t, e->format, CT_FORMAT_PERF_SCRIPT);
	CHECK_I64(t, e->ret, 0);
	CHECK_U64(t, count_type(e, CT_EV_PARSE_ERROR), 0);
}

static void test_real(struct ct_test *t)
{
	struct ct_test_events e;
	const struct ct_event *ev;

	read_fixture(t, "perf_script.txt", &e);
	CHECK_U64(t, e.n, 13);
	CHECK_U64(t, count_type(&e, CT_EV_FINISHED), 4);
	CHECK_U64(t, count_type(&e, CT_EV_ISOLATE_MIGRATE), 3);
	CHECK_U64(t, count_type(&e, CT_EV_ISOLATE_FREE), 2);
	CHECK_U64(t, count_type(&e, CT_EV_MM_MIGRATE_PAGES), 2);
	if (e.n == 13) {
		ev = &e.v[0].ev;
		CHECK_U64(t, ev->type, CT_EV_BEGIN);
		CHECK_NAME(t, ev, "mm_compaction_begin");	/* "compaction:" dropped */
		CHECK_STR(t, ev->comm, "sh");
		CHECK_I64(t, ev->pid, 4191);
		CHECK_I64(t, ev->cpu, 0);
		CHECK_U64(t, ev->ts_ns, 464587993000ULL);
		CHECK_U64(t, ev->u.range.zone_end, 0x1000);
		ev = &e.v[8].ev;
		CHECK_U64(t, ev->type, CT_EV_MM_MIGRATE_PAGES);
		CHECK_NAME(t, ev, "mm_migrate_pages");
		CHECK_STR(t, ev->u.mm.reason, "compaction");
		ev = &e.v[12].ev;
		CHECK_U64(t, ev->type, CT_EV_END);
		CHECK_I64(t, ev->u.range.status, CT_STATUS_COMPLETE);
		CHECK_U64(t, ev->u.range.migrate_pfn, 0xe00);
	}
	ct_test_events_free(&e);

	read_fixture(t, "perf_script_pidtid.txt", &e);
	CHECK_U64(t, e.n, 3);
	if (e.n == 3) {
		CHECK_I64(t, e.v[0].ev.pid, 4191);
		CHECK_I64(t, e.v[0].ev.cpu, 0);
		CHECK_STR(t, e.v[0].ev.comm, "sh");
		CHECK_U64(t, e.v[2].ev.type, CT_EV_ISOLATE_MIGRATE);
		CHECK_U64(t, e.v[2].ev.u.iso.nr_scanned, 511);
	}
	ct_test_events_free(&e);

	read_fixture(t, "perf_script_nocpu_ns.txt", &e);
	CHECK_U64(t, e.n, 3);
	if (e.n == 3) {
		CHECK_I64(t, e.v[0].ev.cpu, -1);
		CHECK_I64(t, e.v[0].ev.pid, 4880);
		CHECK_U64(t, e.v[0].ev.ts_ns, 548486575199ULL);
		CHECK_U64(t, e.v[2].ev.type, CT_EV_BEGIN);
		CHECK_U64(t, e.v[2].ev.u.range.free_pfn, 0x147e00);
	}
	ct_test_events_free(&e);

	read_fixture(t, "perf_script_lost.txt", &e);
	CHECK_U64(t, e.n, 5);
	if (e.n == 5) {
		CHECK_U64(t, e.v[0].ev.type, CT_EV_PAGE_ALLOC);
		CHECK_NAME(t, &e.v[0].ev, "mm_page_alloc");
		CHECK_U64(t, e.v[0].ev.u.page.pfn, 0x10adf2);	/* page= is the pfn here; pfn= is used */
		CHECK_U64(t, e.v[2].ev.type, CT_EV_LOST);
		CHECK_U64(t, e.v[2].ev.u.lost.count, 15);
		CHECK_I64(t, e.v[2].ev.cpu, 0);
		CHECK_U64(t, e.v[2].ev.ts_ns, 476246357000ULL);
		CHECK_NAME(t, &e.v[3].ev, "mm_page_free");
		CHECK_U64(t, e.v[3].ev.type, CT_EV_PAGE_FREE);
		CHECK_U64(t, e.v[3].ev.u.page.pfn, 0x10a2b3);
		CHECK_I64(t, e.v[3].ev.u.page.order, 0);
		CHECK_I64(t, e.v[3].ev.u.page.migratetype, -1);
	}
	ct_test_events_free(&e);
}

static const char handmade[] =
	"# ========\n"										/* 1 */
	"# captured on    : Sat Nov 22 03:00:00 2025\n"					/* 2 */
	"     Web Content  1000/1234 [003]   220.742210: compaction:mm_compaction_kcompactd_sleep: nid=1\n"	/* 3: pid/tid */
	"\tffffffff812a4b5c kcompactd+0x1fc ([kernel.kallsyms])\n"				/* 4 */
	"\tffffffff8110a7d4 kthread+0xe4 ([kernel.kallsyms])\n"				/* 5 */
	"\n"											/* 6 */
	"         swapper     0 [001]   220.742211: compaction:mm_compaction_wakeup_kcompactd: nid=0 order=9 classzone_idx=Normal  \n" /* 7 */
	"             :-1    -1 [000]   220.742212: compaction:mm_compaction_deferred: node=0 zone=Normal   order=9 order_failed=9 consider=1 limit=2\n" /* 8 */
	"kworker/u4:2-events_unbound    88 [001]   220.742213: kmem:mm_page_alloc_extfrag: page=0x1000 pfn=0x1000 alloc_order=0 fallback_order=0 pageblock_order=9 alloc_migratetype=0 fallback_migratetype=2 fragmenting=1 change_ownership=0\n" /* 9 */
	"            perf  4412 [001]   220.742214: PERF_RECORD_LOST lost\n"		/* 10 */
	"            bash-2463    [000] .....   220.742215: mm_compaction_kcompactd_sleep: nid=0\n" /* 11: ftrace line */
	"            perf  4412 [001]   220.742216: PERF_RECORD_LOST_SAMPLES lost 7\n";	/* 12 */

static void test_handmade(struct ct_test *t)
{
	struct ct_test_events e;
	const struct ct_event *ev;

	t->what = "handmade";
	CHECK(t, ct_test_read_text(handmade, NULL, &e) == 0);
	CHECK_STR(t, e.format, CT_FORMAT_PERF_SCRIPT);
	CHECK_I64(t, e.ret, 0);
	CHECK_U64(t, e.n, 7);
	if (e.n != 7) {
		ct_test_events_free(&e);
		return;
	}
	ev = &e.v[0].ev;
	CHECK_U64(t, ev->type, CT_EV_KCOMPACTD_SLEEP);
	CHECK_STR(t, ev->comm, "Web Content");
	CHECK_I64(t, ev->pid, 1234);	/* the thread id, which is what ftrace calls pid */
	CHECK_I64(t, ev->cpu, 3);
	CHECK_I64(t, ev->u.kc.nid, 1);

	ev = &e.v[1].ev;
	CHECK_U64(t, ev->type, CT_EV_WAKEUP_KCOMPACTD);
	CHECK_STR(t, ev->comm, "swapper");
	CHECK_I64(t, ev->pid, 0);
	CHECK_STR(t, ev->u.kc.zone, "Normal");

	ev = &e.v[2].ev;
	CHECK_U64(t, ev->type, CT_EV_DEFERRED);
	CHECK_STR(t, ev->comm, ":-1");
	CHECK_I64(t, ev->pid, -1);
	CHECK_U64(t, ev->u.defer.limit, 2);

	ev = &e.v[3].ev;
	CHECK_U64(t, ev->type, CT_EV_EXTFRAG);
	CHECK_STR(t, ev->comm, "kworker/u4:2-events_unbound");
	CHECK_I64(t, ev->pid, 88);
	CHECK_I64(t, ev->u.xf.fallback_migratetype, 2);

	ev = &e.v[4].ev;
	CHECK_U64(t, ev->type, CT_EV_PARSE_ERROR);	/* "lost" without a count */
	CHECK_U64(t, ev->u.perr.where, 10);
	ev = &e.v[5].ev;
	CHECK_U64(t, ev->type, CT_EV_PARSE_ERROR);	/* an ftrace line is not perf */
	CHECK_U64(t, ev->u.perr.where, 11);
	ev = &e.v[6].ev;
	CHECK_U64(t, ev->type, CT_EV_LOST);
	CHECK_U64(t, ev->u.lost.count, 7);
	CHECK_I64(t, ev->cpu, 1);
	ct_test_events_free(&e);
}

static void test_probe(struct ct_test *t)
{
	static const char perf_line[] =
		"              sh  4191 [000]   464.587993:                  compaction:mm_compaction_begin: "
		"zone_start=0x1 migrate_pfn=0x1 free_pfn=0xe00 zone_end=0x1000, mode=sync\n";
	static const char no_system[] =
		"              sh  4191 [000]   464.587993: mm_compaction_begin: "
		"zone_start=0x1 migrate_pfn=0x1 free_pfn=0xe00 zone_end=0x1000, mode=sync\n";
	const unsigned char *p = (const unsigned char *)perf_line;

	t->what = "probe";
	CHECK_I64(t, ct_perf_script_ops.probe(p, sizeof(perf_line) - 1), 80);
	CHECK_I64(t, ct_ftrace_text_ops.probe(p, sizeof(perf_line) - 1), 0);
	CHECK_I64(t, ct_trace_cmd_text_ops.probe(p, sizeof(perf_line) - 1), 0);
	CHECK_I64(t, ct_perf_script_ops.probe((const unsigned char *)no_system, sizeof(no_system) - 1), 60);
	/* only a cut-off line without its event name: not enough to say perf */
	CHECK_I64(t, ct_perf_script_ops.probe(p, 60), 0);
}

/* real kmem page event lines as perf script prints them: "kmem:" names, page= is the pfn */
static void test_pages(struct ct_test *t)
{
	static const struct ct_test_page want[] = {
		{ CT_EV_PAGE_ALLOC, 0x140f63, 0, 0, -1 },
		{ CT_EV_PAGE_ALLOC_ZONE_LOCKED, 0x183540, 5, 1, 0 },
		{ CT_EV_PAGE_FREE, 0x1d7e52, 0, -1, -1 },
		{ CT_EV_PAGE_FREE_BATCHED, 0x17cf83, -1, -1, -1 },
		{ CT_EV_PAGE_PCPU_DRAIN, 0x18b71d, 0, 1, -1 },
		{ CT_EV_PAGE_ALLOC, CT_PFN_NONE, 9, 1, -1 },	/* page=(nil) pfn=0x0 */
	};
	struct ct_test_events e;

	ct_test_check_pages(t, "perf_script_pages.txt", CT_FORMAT_PERF_SCRIPT, &e, want,
			    sizeof(want) / sizeof(want[0]));
	if (e.n > 5) {
		CHECK_NAME(t, &e.v[1].ev, "mm_page_alloc_zone_locked");	/* "kmem:" dropped */
		CHECK_STR(t, e.v[5].ev.comm, "ct-direct");
		CHECK_I64(t, e.v[5].ev.cpu, 1);
	}
	ct_test_events_free(&e);
}

int main(int argc, char **argv)
{
	struct ct_test t = { .data_dir = argc > 1 ? argv[1] : "." };

	test_real(&t);
	test_handmade(&t);
	test_probe(&t);
	test_pages(&t);
	return ct_test_finish(&t, "test_perf_script");
}
