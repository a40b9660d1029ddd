// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * ftrace text (tracefs "trace" and "trace_pipe"): real captures from the 6.18
 * development VM in data/, and hand-written lines for the text traps: flags
 * column 4/5/absent, record-tgid column, task names with spaces, dashes and
 * colons, <idle>/<...>, ns timestamps, lost-event header and lines, stack
 * trace lines, garbage, CRLF and a truncated last line.
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

static void test_real_trace(struct ct_test *t)
{
	struct ct_test_events e;
	const struct ct_event *ev;
	char path[512];

	t->what = "ftrace_compact.txt";
	CHECK(t, ct_test_read_path(ct_test_data(t, "ftrace_compact.txt", path, sizeof(path)), NULL, &e) == 0);
	CHECK_STR(t, e.format, CT_FORMAT_FTRACE_TEXT);
	CHECK_I64(t, e.ret, 0);
	CHECK_U64(t, e.n, 30);
	CHECK_U64(t, count_type(&e, CT_EV_LOST), 0);	/* 4172/4172 */
	CHECK_U64(t, count_type(&e, CT_EV_PARSE_ERROR), 0);
	CHECK_U64(t, count_type(&e, CT_EV_BEGIN), 2);
	CHECK_U64(t, count_type(&e, CT_EV_END), 4);
	CHECK_U64(t, count_type(&e, CT_EV_FINISHED), 8);
	CHECK_U64(t, count_type(&e, CT_EV_ISOLATE_MIGRATE), 7);
	CHECK_U64(t, count_type(&e, CT_EV_ISOLATE_FREE), 3);
	CHECK_U64(t, count_type(&e, CT_EV_MIGRATEPAGES), 2);
	CHECK_U64(t, count_type(&e, CT_EV_MM_MIGRATE_PAGES), 2);
	CHECK_U64(t, count_type(&e, CT_EV_EXTFRAG), 2);
	if (e.n == 30) {
		ev = &e.v[0].ev;
		CHECK_U64(t, ev->type, CT_EV_BEGIN);
		CHECK_STR(t, ev->comm, "bash");
		CHECK_I64(t, ev->pid, 4058);
		CHECK_I64(t, ev->cpu, 0);
		CHECK_U64(t, ev->ts_ns, 448094906000ULL);
		CHECK_U64(t, ev->u.range.free_pfn, 0xe00);
		ev = &e.v[1].ev;
		CHECK_U64(t, ev->type, CT_EV_FINISHED);
		CHECK_STR(t, ev->u.zo.zone, "DMA");
		CHECK_I64(t, ev->u.zo.order, -1);
		ev = &e.v[27].ev;
		CHECK_U64(t, ev->type, CT_EV_END);
		CHECK_U64(t, ev->u.range.zone_start, 0x100000);
		CHECK_U64(t, ev->u.range.migrate_pfn, 0x124400);
		CHECK_U64(t, ev->u.range.zone_end, 0x148000);
		CHECK_I64(t, ev->u.range.status, CT_STATUS_COMPLETE);
		CHECK_U64(t, ev->ts_ns, 448110281000ULL);
		ev = &e.v[23].ev;
		CHECK_U64(t, ev->type, CT_EV_MM_MIGRATE_PAGES);
		CHECK_U64(t, ev->u.mm.failed, 1);
		CHECK_STR(t, ev->u.mm.reason, "compaction");
		/* kernel text: page= is a hashed pointer, pageblock_order/fragmenting are right */
		ev = &e.v[29].ev;
		CHECK_U64(t, ev->type, CT_EV_EXTFRAG);
		CHECK_STR(t, ev->comm, "awk");
		CHECK_I64(t, ev->pid, 10529);
		CHECK_U64(t, ev->ts_ns, 1373017803000ULL);
		CHECK_U64(t, ev->u.xf.pfn, 0x151400);
		CHECK_I64(t, ev->u.xf.alloc_order, 0);
		CHECK_I64(t, ev->u.xf.fallback_order, 10);
		CHECK_I64(t, ev->u.xf.printed_pageblock_order, 9);
		CHECK_I64(t, ev->u.xf.alloc_migratetype, 0);
		CHECK_I64(t, ev->u.xf.fallback_migratetype, 1);
		CHECK_I64(t, ev->u.xf.printed_fragmenting, 0);
		CHECK_I64(t, ev->u.xf.change_ownership, 1);
	}
	ct_test_events_free(&e);
}

/* entries-in-buffer/entries-written: 9/3152 -> 3143 lost; "##### CPU 1 buffer started ####" */
static void test_lost_header(struct ct_test *t)
{
	struct ct_test_events e;
	char path[512];

	t->what = "ftrace_lostbuf.txt";
	CHECK(t, ct_test_read_path(ct_test_data(t, "ftrace_lostbuf.txt", path, sizeof(path)), NULL, &e) == 0);
	CHECK_STR(t, e.format, CT_FORMAT_FTRACE_TEXT);
	CHECK_U64(t, e.n, 10);
	if (e.n == 10) {
		CHECK_U64(t, e.v[0].ev.type, CT_EV_LOST);
		CHECK_U64(t, e.v[0].ev.u.lost.count, 3143);
		CHECK_I64(t, e.v[0].ev.cpu, -1);
		CHECK_U64(t, e.v[1].ev.type, CT_EV_PAGE_ALLOC);
		CHECK_NAME(t, &e.v[1].ev, "mm_page_alloc");
		CHECK_STR(t, e.v[1].ev.comm, "cat");
		CHECK_STR(t, e.v[3].ev.comm, "timeout");
		CHECK_U64(t, e.v[5].ev.type, CT_EV_KCOMPACTD_SLEEP);
		CHECK_STR(t, e.v[5].ev.comm, "kcompactd0");
		CHECK_I64(t, e.v[5].ev.pid, 35);
		CHECK_I64(t, e.v[6].ev.cpu, 1);
		CHECK_U64(t, e.v[6].ev.ts_ns, 496406151000ULL);
	}
	ct_test_events_free(&e);
}

/* trace_pipe: no header, "CPU:0 [LOST 3143 EVENTS]" between events */
static void test_trace_pipe(struct ct_test *t)
{
	struct ct_test_events e;
	char path[512];

	t->what = "trace_pipe.txt";
	CHECK(t, ct_test_read_path(ct_test_data(t, "trace_pipe.txt", path, sizeof(path)), NULL, &e) == 0);
	CHECK_STR(t, e.format, CT_FORMAT_FTRACE_TEXT);
	CHECK_U64(t, e.n, 5);
	if (e.n == 5) {
		CHECK_U64(t, e.v[2].ev.type, CT_EV_LOST);
		CHECK_U64(t, e.v[2].ev.u.lost.count, 3143);
		CHECK_I64(t, e.v[2].ev.cpu, 0);
		CHECK_U64(t, e.v[2].ev.ts_ns, 493666940000ULL);	/* the event before it */
		CHECK_U64(t, e.v[3].ev.type, CT_EV_ISOLATE_FREE);
		CHECK_U64(t, e.v[3].ev.u.iso.nr_scanned, 16);
	}
	ct_test_events_free(&e);
}

static const char traps[] =
	"# tracer: nop\n"									/* 1 */
	"# entries-in-buffer/entries-written: 12/12   #P:4\n"				/* 2 */
	"            bash-2463    [000] d...   220.742210: mm_compaction_kcompactd_sleep: nid=0\n"	/* 3: 4-char flags */
	"            bash-2463    [001]   220.742211: mm_compaction_kcompactd_sleep: nid=1\n"	/* 4: no flags */
	"            bash-2463    (   2463) [002] .....   220.742212: mm_compaction_kcompactd_sleep: nid=2\n" /* 5: tgid */
	"           <...>-1234    (-------) [003] .N.1.   220.742213: mm_compaction_kcompactd_sleep: nid=3\n" /* 6 */
	"     Web Content-1234    [001] .....   220.742214: mm_compaction_kcompactd_sleep: nid=0\n"	/* 7 */
	"kworker/u4:2-events_unbound-88 [1023] .....   220.742215: mm_compaction_kcompactd_sleep: nid=0\n" /* 8 */
	"          <idle>-0       [000] d.h1.   220.742216123: mm_compaction_kcompactd_sleep: nid=0\n" /* 9: ns */
	"        x 1.5: y-77      [000] .....   220.742217: mm_compaction_kcompactd_sleep: nid=0\n"	/* 10 */
	"\n"											/* 11 */
	" => __alloc_pages\n"									/* 12 */
	" <stack trace>\n"									/* 13 */
	"this line is garbage\n"								/* 14 */
	"CPU:1 [LOST EVENTS]\n"								/* 15 */
	"            bash-2463    [000] .....   220.742218: mm_compaction_kcompactd_sleep: nid=x\n"	/* 16 */
	"            bash-2463    [000] .....   220.742219: do_sys_open <-foo\n"		/* 17 */
	"            bash-2463    [000] .....   220.742220: mm_compaction_kcompactd_sleep: nid=5\r\n" /* 18 */
	"            bash-2463    [000] .....   220.7422x1: mm_compaction_kcompactd_sleep: nid=0\n"	/* 19 */
	"            bash-2463    [000] .....   220.742222: compaction:mm_compaction_kcompactd_sleep: nid=6\n"; /* 20 */

static void test_traps(struct ct_test *t)
{
	struct ct_test_events e;
	const struct ct_event *ev;

	t->what = "traps";
	CHECK(t, ct_test_read_text(traps, NULL, &e) == 0);
	CHECK_STR(t, e.format, CT_FORMAT_FTRACE_TEXT);
	CHECK_I64(t, e.ret, 0);
	CHECK_U64(t, e.n, 15);
	if (e.n != 15) {
		ct_test_events_free(&e);
		return;
	}
	for (int i = 0; i < 8; i++) {
		ev = &e.v[i].ev;
		CHECK_U64(t, ev->type, CT_EV_KCOMPACTD_SLEEP);
	}
	CHECK_I64(t, e.v[0].ev.cpu, 0);
	CHECK_U64(t, e.v[0].ev.ts_ns, 220742210000ULL);
	CHECK_I64(t, e.v[1].ev.cpu, 1);
	CHECK_I64(t, e.v[1].ev.u.kc.nid, 1);
	CHECK_I64(t, e.v[2].ev.cpu, 2);
	CHECK_I64(t, e.v[2].ev.pid, 2463);
	CHECK_STR(t, e.v[2].ev.comm, "bash");
	CHECK_STR(t, e.v[3].ev.comm, "<...>");
	CHECK_I64(t, e.v[3].ev.pid, 1234);
	CHECK_I64(t, e.v[3].ev.cpu, 3);
	CHECK_STR(t, e.v[4].ev.comm, "Web Content");
	CHECK_I64(t, e.v[4].ev.pid, 1234);
	CHECK_STR(t, e.v[5].ev.comm, "kworker/u4:2-events_unbound");
	CHECK_I64(t, e.v[5].ev.pid, 88);
	CHECK_I64(t, e.v[5].ev.cpu, 1023);
	CHECK_STR(t, e.v[6].ev.comm, "<idle>");
	CHECK_I64(t, e.v[6].ev.pid, 0);
	CHECK_U64(t, e.v[6].ev.ts_ns, 220742216123ULL);
	CHECK_STR(t, e.v[7].ev.comm, "x 1.5: y");
	CHECK_I64(t, e.v[7].ev.pid, 77);

	CHECK_U64(t, e.v[8].ev.type, CT_EV_PARSE_ERROR);	/* garbage */
	CHECK_U64(t, e.v[8].ev.u.perr.where, 14);
	CHECK_U64(t, e.v[9].ev.type, CT_EV_LOST);		/* count unknown: 0 */
	CHECK_U64(t, e.v[9].ev.u.lost.count, 0);
	CHECK_I64(t, e.v[9].ev.cpu, 1);
	CHECK_U64(t, e.v[10].ev.type, CT_EV_PARSE_ERROR);	/* nid=x */
	CHECK_U64(t, e.v[10].ev.u.perr.where, 16);
	CHECK_U64(t, e.v[11].ev.type, CT_EV_OTHER);		/* function tracer line */
	CHECK_NAME(t, &e.v[11].ev, "do_sys_open");
	CHECK_U64(t, e.v[12].ev.type, CT_EV_KCOMPACTD_SLEEP);	/* CRLF */
	CHECK_I64(t, e.v[12].ev.u.kc.nid, 5);
	CHECK_U64(t, e.v[13].ev.type, CT_EV_PARSE_ERROR);	/* bad timestamp */
	CHECK_U64(t, e.v[13].ev.u.perr.where, 19);
	CHECK_U64(t, e.v[14].ev.type, CT_EV_KCOMPACTD_SLEEP);	/* system:event */
	CHECK_NAME(t, &e.v[14].ev, "mm_compaction_kcompactd_sleep");
	CHECK_I64(t, e.v[14].ev.u.kc.nid, 6);
	ct_test_events_free(&e);
}

static void test_truncated_last_line(struct ct_test *t)
{
	static const char whole[] =
		"            bash-2463    [000] .....   220.742210: mm_compaction_migratepages: nr_migrated=12 nr_failed=0\n"
		"            bash-2463    [000] .....   220.742211: mm_compaction_migratepages: nr_migrated=12 nr_failed=0\n";
	static const char cut[] =
		"            bash-2463    [000] .....   220.742210: mm_compaction_migratepages: nr_migrated=12 nr_failed=0\n"
		"            bash-2463    [000] .....   220.742211: mm_compaction_migratepages: nr_migrated=12 nr_fai";
	static const char cut_number[] =
		"            bash-2463    [000] .....   220.742210: mm_compaction_migratepages: nr_migrated=12 nr_failed=0\n"
		"\n"
		"            bash-2463    [000] .....   220.742211: mm_compaction_migratepages: nr_migrated=12 nr_failed=1";
	static const char cut_comment[] = "# tracer: nop\n#";
	struct ct_test_events e;

	t->what = "whole";
	CHECK(t, ct_test_read_text(whole, NULL, &e) == 0);
	CHECK_U64(t, e.n, 2);
	CHECK_U64(t, count_type(&e, CT_EV_MIGRATEPAGES), 2);
	ct_test_events_free(&e);

	t->what = "truncated last line";
	CHECK(t, ct_test_read_text(cut, NULL, &e) == 0);
	CHECK_U64(t, e.n, 2);
	if (e.n == 2) {
		CHECK_U64(t, e.v[0].ev.type, CT_EV_MIGRATEPAGES);
		CHECK_U64(t, e.v[1].ev.type, CT_EV_PARSE_ERROR);
		CHECK_U64(t, e.v[1].ev.u.perr.where, 2);
	}
	ct_test_events_free(&e);

	/* cut after a digit: looks complete, but the write was cut, so it is not trusted */
	t->what = "truncated after a digit";
	CHECK(t, ct_test_read_text(cut_number, NULL, &e) == 0);
	CHECK_U64(t, e.n, 2);
	if (e.n == 2) {
		CHECK_U64(t, e.v[1].ev.type, CT_EV_PARSE_ERROR);
		CHECK_U64(t, e.v[1].ev.u.perr.where, 3);
	}
	ct_test_events_free(&e);

	t->what = "truncated comment";
	CHECK(t, ct_test_read_text(cut_comment, NULL, &e) == 0);
	CHECK_STR(t, e.format, CT_FORMAT_FTRACE_TEXT);
	CHECK_U64(t, e.n, 0);
	CHECK_I64(t, e.ret, 0);
	ct_test_events_free(&e);
}

/* The other probes must not claim ftrace text, and this one must not claim theirs. */
static void test_probe(struct ct_test *t)
{
	static const char line[] =
		"            bash-4058    [000] .....   448.094906: mm_compaction_begin: zone_start=0x1 "
		"migrate_pfn=0x1 free_pfn=0xe00 zone_end=0x1000, mode=sync\n";
	static const char perf_line[] =
		"              sh  4191 [000]   464.587993:                  compaction:mm_compaction_begin: "
		"zone_start=0x1 migrate_pfn=0x1 free_pfn=0xe00 zone_end=0x1000, mode=sync\n";
	const unsigned char *l = (const unsigned char *)line, *p = (const unsigned char *)perf_line;

	t->what = "probe";
	CHECK_I64(t, ct_ftrace_text_ops.probe((const unsigned char *)"# tracer: nop\n", 14), 90);
	CHECK_I64(t, ct_ftrace_text_ops.probe(l, sizeof(line) - 1), 70);
	CHECK_I64(t, ct_perf_script_ops.probe(l, sizeof(line) - 1), 0);
	CHECK_I64(t, ct_trace_cmd_text_ops.probe(l, sizeof(line) - 1), 0);
	CHECK_I64(t, ct_ftrace_text_ops.probe(p, sizeof(perf_line) - 1), 0);
	CHECK_I64(t, ct_ftrace_text_ops.probe((const unsigned char *)"hello world\nfoo\n", 16), 0);
}

/* real kmem page event lines of this kernel, a failed allocation among them */
static void test_pages(struct ct_test *t)
{
	static const struct ct_test_page want[] = {
		{ CT_EV_PAGE_ALLOC, 0x1a8bee, 1, 0, -1 },
		{ CT_EV_PAGE_ALLOC_ZONE_LOCKED, 0x28bf30, 1, 0, 1 },
		{ CT_EV_PAGE_FREE, 0x5ebcf6, 0, -1, -1 },
		{ CT_EV_PAGE_FREE_BATCHED, 0x4f2917, -1, -1, -1 },
		{ CT_EV_PAGE_PCPU_DRAIN, 0x481dfa, 0, 1, -1 },
		{ CT_EV_PAGE_FREE, 0x516200, 9, -1, -1 },
		{ CT_EV_PAGE_ALLOC, CT_PFN_NONE, 9, 1, -1 },	/* page=0000000000000000 pfn=0x0 */
		{ CT_EV_PAGE_FREE, 0x51417c, 1, -1, -1 },
	};
	struct ct_test_events e;

	ct_test_check_pages(t, "ftrace_pages.txt", CT_FORMAT_FTRACE_TEXT, &e, want, sizeof(want) / sizeof(want[0]));
	if (e.n > 6) {
		CHECK_STR(t, e.v[2].ev.comm, "<idle>");
		CHECK_STR(t, e.v[6].ev.comm, "ct-direct");
		CHECK_I64(t, e.v[6].ev.pid, 1643);
		CHECK_U64(t, e.v[6].ev.ts_ns, 9891981028000ULL);
	}
	ct_test_events_free(&e);
}

int main(int argc, char **argv)
{
	struct ct_test t = { .data_dir = argc > 1 ? argv[1] : "." };

	test_real_trace(&t);
	test_lost_header(&t);
	test_trace_pipe(&t);
	test_traps(&t);
	test_truncated_last_line(&t);
	test_probe(&t);
	test_pages(&t);
	return ct_test_finish(&t, "test_ftrace_text");
}
