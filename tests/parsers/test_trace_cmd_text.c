// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * trace-cmd report text: real output of `trace-cmd report` and `report -l`
 * on a trace.dat extracted from a tracefs instance (data/), and hand-written
 * lines for "version = 6", dropped-event lines, "CPU N is empty", lines
 * without an instance prefix, "system:event" names and padded names.
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

static void test_real_report(struct ct_test *t)
{
	struct ct_test_events e;
	const struct ct_event *ev;
	char path[512];

	t->what = "trace_cmd_report.txt";
	CHECK(t, ct_test_read_path(ct_test_data(t, "trace_cmd_report.txt", path, sizeof(path)), NULL, &e) == 0);
	CHECK_STR(t, e.format, CT_FORMAT_TRACE_CMD_TEXT);
	CHECK_I64(t, e.ret, 0);
	CHECK_U64(t, e.n, 27);
	CHECK_U64(t, count_type(&e, CT_EV_PARSE_ERROR), 0);
	CHECK_U64(t, count_type(&e, CT_EV_EXTFRAG), 2);
	CHECK_U64(t, count_type(&e, CT_EV_BEGIN), 2);
	CHECK_U64(t, count_type(&e, CT_EV_END), 2);
	CHECK_U64(t, count_type(&e, CT_EV_FINISHED), 10);
	CHECK_U64(t, count_type(&e, CT_EV_ISOLATE_MIGRATE), 7);
	CHECK_U64(t, count_type(&e, CT_EV_ISOLATE_FREE), 2);
	CHECK_U64(t, count_type(&e, CT_EV_MM_MIGRATE_PAGES), 2);
	if (e.n == 27) {
		ev = &e.v[0].ev;
		CHECK_U64(t, ev->type, CT_EV_BEGIN);	/* "mm_compaction_begin:  zone_start" */
		CHECK_NAME(t, ev, "mm_compaction_begin");
		CHECK_STR(t, ev->comm, "bash");	/* not "ctparse-2668: bash" */
		CHECK_I64(t, ev->pid, 4058);
		CHECK_I64(t, ev->cpu, 0);
		CHECK_U64(t, ev->ts_ns, 448094906000ULL);
		CHECK_U64(t, ev->u.range.zone_start, 1);
		CHECK_I64(t, ev->u.range.sync, 1);
		ev = &e.v[22].ev;
		CHECK_U64(t, ev->type, CT_EV_MM_MIGRATE_PAGES);	/* "mm_migrate_pages:     nr_succeeded" */
		CHECK_U64(t, ev->u.mm.failed, 1);
		CHECK_STR(t, ev->u.mm.mode, "MIGRATE_SYNC");
		ev = &e.v[24].ev;
		CHECK_U64(t, ev->type, CT_EV_END);
		CHECK_U64(t, ev->u.range.zone_end, 0x148000);
		CHECK_I64(t, ev->u.range.status, CT_STATUS_COMPLETE);
		/* trace-cmd: page= is the pfn, fragmenting= printed wrong (10); kept as printed */
		ev = &e.v[25].ev;
		CHECK_U64(t, ev->type, CT_EV_EXTFRAG);
		CHECK_STR(t, ev->comm, "cat");
		CHECK_I64(t, ev->pid, 10506);
		CHECK_I64(t, ev->cpu, 1);
		CHECK_U64(t, ev->u.xf.pfn, 0x137200);
		CHECK_I64(t, ev->u.xf.alloc_order, 4);
		CHECK_I64(t, ev->u.xf.fallback_order, 9);
		CHECK_I64(t, ev->u.xf.printed_fragmenting, 10);
		CHECK_I64(t, ev->u.xf.alloc_migratetype, 1);
	}
	ct_test_events_free(&e);
}

/* trace-cmd report -l: "bash-4058    0.....   448.094906:" (cpu and flags run together) */
static void test_real_latency(struct ct_test *t)
{
	struct ct_test_events e;
	char path[512];

	t->what = "trace_cmd_report_l.txt";
	CHECK(t, ct_test_read_path(ct_test_data(t, "trace_cmd_report_l.txt", path, sizeof(path)), NULL, &e) == 0);
	CHECK_STR(t, e.format, CT_FORMAT_TRACE_CMD_TEXT);
	CHECK_U64(t, e.n, 5);
	CHECK_U64(t, count_type(&e, CT_EV_PARSE_ERROR), 0);
	if (e.n == 5) {
		CHECK_U64(t, e.v[0].ev.type, CT_EV_BEGIN);
		CHECK_STR(t, e.v[0].ev.comm, "bash");
		CHECK_I64(t, e.v[0].ev.pid, 4058);
		CHECK_I64(t, e.v[0].ev.cpu, 0);
		CHECK_U64(t, e.v[4].ev.type, CT_EV_ISOLATE_MIGRATE);
		CHECK_U64(t, e.v[4].ev.u.iso.start_pfn, 0x200);
		CHECK_U64(t, e.v[4].ev.u.iso.nr_scanned, 512);
	}
	ct_test_events_free(&e);
}

static const char handmade[] =
	"version = 6\n"										/* 1 */
	"cpus=8\n"										/* 2 */
	"CPU 0 is empty\n"									/* 3 */
	"CPU:7 [204600 EVENTS DROPPED]\n"							/* 4 */
	"           <...>-3979  [007]   217.975284: mm_compaction_kcompactd_wake: nid=0 order=-1 classzone_idx=Normal  \n" /* 5 */
	"ctprobe:  kcompactd0-35    [001]   217.975290: compaction:mm_compaction_kcompactd_wake: nid=0 order=2 classzone_idx=DMA32   \n" /* 6 */
	"ctprobe: CPU:1 [EVENTS DROPPED]\n"							/* 7 */
	"ctprobe:        Web Content-1234  [001]   217.975300123: mm_compaction_try_to_compact_pages: order=9 gfp_mask=GFP_TRANSHUGE|__GFP_THISNODE priority=2\n" /* 8 */
	"ctprobe:            bash-1  [001]   217.975301: mm_page_alloc:        page=0x10adf2 pfn=0x10adf2 order=0 migratetype=0 gfp_flags=GFP_KERNEL\n" /* 9 */
	"ctprobe:            bash-1  [001]   217.975302: mm_page_alloc_extfrag: page=0x10adf2 pfn=0x10adf2 alloc_order=0 fallback_order=2 pageblock_order=0 alloc_migratetype=1 fallback_migratetype=0 fragmenting=0 change_ownership=1\n" /* 10 */
	"ctprobe:            bash-1  [001]   217.975303 mm_page_alloc: oops\n"		/* 11 */
	"kworker/u4:2-events_unbound-88 [000]   217.975304: mm_compaction_defer_reset: node=0 zone=Normal   order=9 order_failed=10 consider=0 limit=1\n"; /* 12 */

static void test_handmade(struct ct_test *t)
{
	struct ct_test_events e;
	const struct ct_event *ev;

	t->what = "handmade";
	CHECK(t, ct_test_read_text(handmade, NULL, &e) == 0);
	CHECK_STR(t, e.format, CT_FORMAT_TRACE_CMD_TEXT);
	CHECK_I64(t, e.ret, 0);
	CHECK_U64(t, e.n, 9);
	if (e.n != 9) {
		ct_test_events_free(&e);
		return;
	}
	ev = &e.v[0].ev;
	CHECK_U64(t, ev->type, CT_EV_LOST);
	CHECK_U64(t, ev->u.lost.count, 204600);
	CHECK_I64(t, ev->cpu, 7);

	ev = &e.v[1].ev;
	CHECK_U64(t, ev->type, CT_EV_KCOMPACTD_WAKE);
	CHECK_STR(t, ev->comm, "<...>");
	CHECK_I64(t, ev->pid, 3979);
	CHECK_I64(t, ev->cpu, 7);
	CHECK_STR(t, ev->u.kc.zone, "Normal");
	CHECK_I64(t, ev->u.kc.order, -1);

	ev = &e.v[2].ev;
	CHECK_U64(t, ev->type, CT_EV_KCOMPACTD_WAKE);
	CHECK_NAME(t, ev, "mm_compaction_kcompactd_wake");
	CHECK_STR(t, ev->comm, "kcompactd0");
	CHECK_I64(t, ev->pid, 35);
	CHECK_STR(t, ev->u.kc.zone, "DMA32");

	ev = &e.v[3].ev;
	CHECK_U64(t, ev->type, CT_EV_LOST);
	CHECK_U64(t, ev->u.lost.count, 0);	/* no number: unknown */
	CHECK_I64(t, ev->cpu, 1);
	CHECK_U64(t, ev->ts_ns, 217975290000ULL);

	ev = &e.v[4].ev;
	CHECK_U64(t, ev->type, CT_EV_TRY_TO_COMPACT);
	CHECK_STR(t, ev->comm, "Web Content");
	CHECK_I64(t, ev->pid, 1234);
	CHECK_U64(t, ev->ts_ns, 217975300123ULL);
	CHECK_I64(t, ev->u.try_.order, 9);
	CHECK_STR(t, ev->u.try_.gfp_text, "GFP_TRANSHUGE|__GFP_THISNODE");

	CHECK_U64(t, e.v[5].ev.type, CT_EV_PAGE_ALLOC);
	CHECK_NAME(t, &e.v[5].ev, "mm_page_alloc");

	ev = &e.v[6].ev;
	CHECK_U64(t, ev->type, CT_EV_EXTFRAG);
	CHECK_U64(t, ev->u.xf.pfn, 0x10adf2);
	CHECK_I64(t, ev->u.xf.fallback_order, 2);
	CHECK_I64(t, ev->u.xf.printed_pageblock_order, 0);	/* what trace-cmd printed, wrong as it is */
	CHECK_I64(t, ev->u.xf.change_ownership, 1);

	ev = &e.v[7].ev;
	CHECK_U64(t, ev->type, CT_EV_PARSE_ERROR);		/* timestamp without ':' */
	CHECK_U64(t, ev->u.perr.where, 11);

	ev = &e.v[8].ev;
	CHECK_U64(t, ev->type, CT_EV_DEFER_RESET);
	CHECK_STR(t, ev->comm, "kworker/u4:2-events_unbound");
	CHECK_I64(t, ev->pid, 88);
	CHECK_U64(t, ev->u.defer.limit, 1);
	ct_test_events_free(&e);
}

static void test_probe(struct ct_test *t)
{
	static const char prefixed[] =
		"ctparse-2668:             bash-4058  [000]   448.094906: mm_compaction_begin:  zone_start=0x1 "
		"migrate_pfn=0x1 free_pfn=0xe00 zone_end=0x1000, mode=sync\n";
	static const char plain[] =
		"             bash-4058  [000]   448.094906: mm_compaction_begin:  zone_start=0x1 "
		"migrate_pfn=0x1 free_pfn=0xe00 zone_end=0x1000, mode=sync\n";
	const unsigned char *p = (const unsigned char *)prefixed;

	t->what = "probe";
	CHECK_I64(t, ct_trace_cmd_text_ops.probe((const unsigned char *)"cpus=2\n", 7), 95);
	CHECK_I64(t, ct_trace_cmd_text_ops.probe((const unsigned char *)"version = 6\ncpus=2\n", 19), 95);
	/* without the cpus= line, the instance prefix still says trace-cmd, above ftrace's guess */
	CHECK_I64(t, ct_trace_cmd_text_ops.probe(p, sizeof(prefixed) - 1), 85);
	CHECK(t, ct_ftrace_text_ops.probe(p, sizeof(prefixed) - 1) < 85);
	CHECK_I64(t, ct_perf_script_ops.probe(p, sizeof(prefixed) - 1), 0);
	/* no prefix and no header: the ftrace parser reads it identically */
	CHECK_I64(t, ct_trace_cmd_text_ops.probe((const unsigned char *)plain, sizeof(plain) - 1), 0);
	CHECK_I64(t, ct_ftrace_text_ops.probe((const unsigned char *)plain, sizeof(plain) - 1), 70);
	CHECK_I64(t, ct_trace_cmd_text_ops.probe((const unsigned char *)"cpus are great\nno\n", 18), 0);
}

/* the same line read by the forced ftrace parser and by trace-cmd's gives the same event */
static void test_forced(struct ct_test *t)
{
	static const char text[] =
		"             bash-4058  [000]   448.094906: mm_compaction_migratepages: nr_migrated=7 nr_failed=2\n";
	struct ct_test_events a, b;

	t->what = "forced formats";
	CHECK(t, ct_test_read_text(text, CT_FORMAT_TRACE_CMD_TEXT, &a) == 0);
	CHECK(t, ct_test_read_text(text, CT_FORMAT_FTRACE_TEXT, &b) == 0);
	CHECK_STR(t, a.format, CT_FORMAT_TRACE_CMD_TEXT);
	CHECK_U64(t, a.n, 1);
	CHECK_U64(t, b.n, 1);
	if (a.n == 1 && b.n == 1) {
		CHECK_U64(t, a.v[0].ev.type, CT_EV_MIGRATEPAGES);
		CHECK_U64(t, a.v[0].ev.u.mig.nr_migrated, 7);
		CHECK_U64(t, a.v[0].ev.u.mig.nr_failed, 2);
		CHECK(t, memcmp(&a.v[0].ev.u, &b.v[0].ev.u, sizeof(a.v[0].ev.u)) == 0);
		CHECK_STR(t, a.v[0].ev.comm, b.v[0].ev.comm);
	}
	ct_test_events_free(&a);
	ct_test_events_free(&b);
}

/* real kmem page event lines as trace-cmd report prints them: page= is the pfn, (nil) on failure */
static void test_pages(struct ct_test *t)
{
	static const struct ct_test_page want[] = {
		{ CT_EV_PAGE_ALLOC, 0x1a8bee, 1, 0, -1 },
		{ CT_EV_PAGE_ALLOC_ZONE_LOCKED, 0x28bf30, 1, 0, 1 },
		{ CT_EV_PAGE_FREE, 0x5ebcf6, 0, -1, -1 },
		{ CT_EV_PAGE_FREE_BATCHED, 0x4f2917, -1, -1, -1 },
		{ CT_EV_PAGE_PCPU_DRAIN, 0x481dfa, 0, 1, -1 },
		{ CT_EV_PAGE_FREE, 0x218000, 9, -1, -1 },
		{ CT_EV_PAGE_ALLOC, CT_PFN_NONE, 9, 1, -1 },	/* page=(nil) pfn=0x0 */
		{ CT_EV_PAGE_ALLOC_ZONE_LOCKED, 0x1a200, 9, 1, 1 },
	};
	struct ct_test_events e;

	ct_test_check_pages(t, "trace_cmd_report_pages.txt", CT_FORMAT_TRACE_CMD_TEXT, &e, want, sizeof(want) / sizeof(want[0]));
	if (e.n > 6) {
		CHECK_STR(t, e.v[0].ev.comm, "bash");	/* not "ctpages-3183: bash" */
		CHECK_STR(t, e.v[5].ev.comm, "kswapd0");
		CHECK_I64(t, e.v[6].ev.pid, 3121);
	}
	ct_test_events_free(&e);
}

int main(int argc, char **argv)
{
	struct ct_test t = { .data_dir = argc > 1 ? argv[1] : "." };

	test_real_report(&t);
	test_real_latency(&t);
	test_handmade(&t);
	test_probe(&t);
	test_forced(&t);
	test_pages(&t);
	return ct_test_finish(&t, "test_trace_cmd_text");
}
