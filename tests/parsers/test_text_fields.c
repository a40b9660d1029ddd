// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Payload decoding for every event compactrace interprets, in every kernel
 * variant the parsers know (3.14 decimal begin/end, raw status numbers,
 * mode= vs priority=, hex vs symbolic gfp, decimal vs hex extfrag pfn,
 * mm_migrate_pages with and without nr_split, the kmem page events with a
 * failed allocation and hex or decimal pfns), plus the number and
 * timestamp parsers the text formats share.
 */
#include "ct_test.h"
#include "text.h"

/* Parse one ftrace line carrying "NAME: PAYLOAD"; returns the event (static copy). */
static const struct ct_event *one(struct ct_test *t, const char *name_payload)
{
	static struct ct_test_event keep;
	struct ct_test_events e;
	char text[1024];

	t->what = name_payload;
	snprintf(text, sizeof(text),
		 "            bash-2463    [001] .....   220.742210: %s\n", name_payload);
	if (ct_test_read_text(text, CT_FORMAT_FTRACE_TEXT, &e) < 0 || e.n != 1 || e.ret != 0) {
		fprintf(stderr, "[%s] expected exactly one event (got %zu, ret %d, %s)\n",
			name_payload, e.n, e.ret, e.error);
		t->failures++;
		memset(&keep, 0, sizeof(keep));
		keep.ev.type = CT_EV_TYPE_COUNT;	/* matches nothing */
		keep.ev.name = "";
		ct_test_events_free(&e);
		return &keep.ev;
	}
	keep = e.v[0];
	keep.ev.name = keep.name;
	ct_test_events_free(&e);
	/* the head is the same for every case */
	CHECK_U64(t, keep.ev.ts_ns, 220742210000ULL);
	CHECK_I64(t, keep.ev.pid, 2463);
	CHECK_I64(t, keep.ev.cpu, 1);
	CHECK_STR(t, keep.ev.comm, "bash");
	return &keep.ev;
}

static void test_begin_end(struct ct_test *t)
{
	const struct ct_event *ev;

	ev = one(t, "mm_compaction_begin: zone_start=0x1 migrate_pfn=0x1 free_pfn=0xe00 zone_end=0x1000, mode=sync");
	CHECK_U64(t, ev->type, CT_EV_BEGIN);
	CHECK_NAME(t, ev, "mm_compaction_begin");
	CHECK_U64(t, ev->u.range.zone_start, 1);
	CHECK_U64(t, ev->u.range.migrate_pfn, 1);
	CHECK_U64(t, ev->u.range.free_pfn, 0xe00);
	CHECK_U64(t, ev->u.range.zone_end, 0x1000);
	CHECK_I64(t, ev->u.range.sync, 1);

	ev = one(t, "mm_compaction_begin: zone_start=0x100000 migrate_pfn=0x124400 free_pfn=0x147e00 zone_end=0x148000, mode=async");
	CHECK_U64(t, ev->type, CT_EV_BEGIN);
	CHECK_U64(t, ev->u.range.migrate_pfn, 0x124400);
	CHECK_I64(t, ev->u.range.sync, 0);

	/* 3.14-3.19: decimal, migrate_start/free_start, no mode */
	ev = one(t, "mm_compaction_begin: zone_start=4096 migrate_start=4096 free_start=1048064 zone_end=1048576");
	CHECK_U64(t, ev->type, CT_EV_BEGIN);
	CHECK_U64(t, ev->u.range.zone_start, 4096);
	CHECK_U64(t, ev->u.range.migrate_pfn, 4096);
	CHECK_U64(t, ev->u.range.free_pfn, 1048064);
	CHECK_U64(t, ev->u.range.zone_end, 1048576);
	CHECK_I64(t, ev->u.range.sync, CT_SYNC_UNKNOWN);

	/* fields by name: reordered and with an unknown extra field */
	ev = one(t, "mm_compaction_begin: mode=sync zone_end=0x1000, future=42 free_pfn=0xe00 migrate_pfn=0x2 zone_start=0x1");
	CHECK_U64(t, ev->type, CT_EV_BEGIN);
	CHECK_U64(t, ev->u.range.migrate_pfn, 2);
	CHECK_U64(t, ev->u.range.zone_end, 0x1000);

	ev = one(t, "mm_compaction_begin: zone_start=0x1 migrate_pfn=0x1 zone_end=0x1000, mode=sync");
	CHECK_U64(t, ev->type, CT_EV_PARSE_ERROR);	/* free_pfn missing */
	CHECK_U64(t, ev->u.perr.where, 1);

	ev = one(t, "mm_compaction_end: zone_start=0x1 migrate_pfn=0xe00 free_pfn=0xe00 zone_end=0x1000, mode=sync status=complete");
	CHECK_U64(t, ev->type, CT_EV_END);
	CHECK_NAME(t, ev, "mm_compaction_end");
	CHECK_U64(t, ev->u.range.migrate_pfn, 0xe00);
	CHECK_I64(t, ev->u.range.sync, 1);
	CHECK_I64(t, ev->u.range.status, CT_STATUS_COMPLETE);

	ev = one(t, "mm_compaction_end: zone_start=0x1000 migrate_pfn=0x1200 free_pfn=0xffe00 zone_end=0x100000, mode=async status=success");
	CHECK_I64(t, ev->u.range.status, CT_STATUS_SUCCESS);
	CHECK_I64(t, ev->u.range.sync, 0);
	ev = one(t, "mm_compaction_end: zone_start=0x1000 migrate_pfn=0x1200 free_pfn=0xffe00 zone_end=0x100000, mode=async status=partial");
	CHECK_I64(t, ev->u.range.status, CT_STATUS_SUCCESS);	/* before 4.9 */
	ev = one(t, "mm_compaction_end: zone_start=0x1000 migrate_pfn=0x1200 free_pfn=0xffe00 zone_end=0x100000, mode=sync status=contended");
	CHECK_I64(t, ev->u.range.status, CT_STATUS_CONTENDED);
	ev = one(t, "mm_compaction_end: zone_start=0x1000 migrate_pfn=0x1200 free_pfn=0xffe00 zone_end=0x100000, mode=sync status=partial_skipped");
	CHECK_I64(t, ev->u.range.status, CT_STATUS_PARTIAL_SKIPPED);
	ev = one(t, "mm_compaction_end: zone_start=0x1000 migrate_pfn=0x1200 free_pfn=0xffe00 zone_end=0x100000, mode=sync status=brand_new");
	CHECK_U64(t, ev->type, CT_EV_END);
	CHECK_I64(t, ev->u.range.status, CT_STATUS_UNKNOWN);

	/* before 4.4 the status was a raw number (3 = partial, 4 = complete) */
	ev = one(t, "mm_compaction_end: zone_start=0x1 migrate_pfn=0xe00 free_pfn=0xe00 zone_end=0x1000, mode=sync status=3");
	CHECK_U64(t, ev->type, CT_EV_END);
	CHECK_I64(t, ev->u.range.status, CT_STATUS_SUCCESS);
	ev = one(t, "mm_compaction_end: zone_start=0x1 migrate_pfn=0xe00 free_pfn=0xe00 zone_end=0x1000, mode=sync status=4");
	CHECK_I64(t, ev->u.range.status, CT_STATUS_COMPLETE);
	/* 3.14-4.0 printed only the status */
	ev = one(t, "mm_compaction_end: status=1");
	CHECK_U64(t, ev->type, CT_EV_END);
	CHECK_I64(t, ev->u.range.status, CT_STATUS_SKIPPED);
	CHECK_U64(t, ev->u.range.zone_end, 0);
	CHECK_I64(t, ev->u.range.sync, CT_SYNC_UNKNOWN);

	ev = one(t, "mm_compaction_end: zone_start=0x1 migrate_pfn=0xe00 free_pfn=0xe00 zone_end=0x1000, mode=sync");
	CHECK_U64(t, ev->type, CT_EV_PARSE_ERROR);	/* status missing */
	ev = one(t, "mm_compaction_end: zone_start=0x1 migrate_pfn=0xzz free_pfn=0xe00 zone_end=0x1000, mode=sync status=complete");
	CHECK_U64(t, ev->type, CT_EV_PARSE_ERROR);	/* bad hex */
	CHECK_NAME(t, ev, "mm_compaction_end");		/* the name survives a parse error */
}

static void test_isolate(struct ct_test *t)
{
	const struct ct_event *ev;

	ev = one(t, "mm_compaction_isolate_migratepages: range=(0x1 ~ 0x200) nr_scanned=511 nr_taken=0");
	CHECK_U64(t, ev->type, CT_EV_ISOLATE_MIGRATE);
	CHECK_NAME(t, ev, "mm_compaction_isolate_migratepages");
	CHECK_U64(t, ev->u.iso.start_pfn, 1);
	CHECK_U64(t, ev->u.iso.end_pfn, 0x200);
	CHECK_U64(t, ev->u.iso.nr_scanned, 511);
	CHECK_U64(t, ev->u.iso.nr_taken, 0);

	ev = one(t, "mm_compaction_isolate_freepages: range=(0x147e00 ~ 0x148000) nr_scanned=512 nr_taken=32");
	CHECK_U64(t, ev->type, CT_EV_ISOLATE_FREE);
	CHECK_U64(t, ev->u.iso.start_pfn, 0x147e00);
	CHECK_U64(t, ev->u.iso.end_pfn, 0x148000);
	CHECK_U64(t, ev->u.iso.nr_taken, 32);

	ev = one(t, "mm_compaction_fast_isolate_freepages: range=(0x13ae00 ~ 0x13b000) nr_scanned=16 nr_taken=1");
	CHECK_U64(t, ev->type, CT_EV_FAST_ISOLATE_FREE);
	CHECK_U64(t, ev->u.iso.start_pfn, 0x13ae00);
	CHECK_U64(t, ev->u.iso.nr_scanned, 16);
	CHECK_U64(t, ev->u.iso.nr_taken, 1);

	/* before 4.1: no range */
	ev = one(t, "mm_compaction_isolate_migratepages: nr_scanned=32 nr_taken=7");
	CHECK_U64(t, ev->type, CT_EV_ISOLATE_MIGRATE);
	CHECK_U64(t, ev->u.iso.nr_scanned, 32);
	CHECK_U64(t, ev->u.iso.nr_taken, 7);
	CHECK_U64(t, ev->u.iso.end_pfn, 0);

	ev = one(t, "mm_compaction_isolate_migratepages: range=(0x1 ~ 0x200) nr_scanned=18446744073709551615 nr_taken=0");
	CHECK_U64(t, ev->u.iso.nr_scanned, UINT64_MAX);
	ev = one(t, "mm_compaction_isolate_migratepages: range=(0x1 ~ 0x200) nr_scanned=18446744073709551616 nr_taken=0");
	CHECK_U64(t, ev->type, CT_EV_PARSE_ERROR);	/* overflow */
	ev = one(t, "mm_compaction_isolate_migratepages: range=(0x1 ~ 0x200) nr_scanned=12x nr_taken=0");
	CHECK_U64(t, ev->type, CT_EV_PARSE_ERROR);
	ev = one(t, "mm_compaction_isolate_migratepages: range=(0x1 ~ ) nr_scanned=1 nr_taken=0");
	CHECK_U64(t, ev->type, CT_EV_PARSE_ERROR);
	ev = one(t, "mm_compaction_isolate_migratepages: range=(0x1 ~ 0x200) nr_scanned=511");
	CHECK_U64(t, ev->type, CT_EV_PARSE_ERROR);	/* nr_taken missing */

	/* malformed keys and bare words are skipped, never looped on (found by fuzzing) */
	ev = one(t, "mm_compaction_isolate_migratepages: range=(0x800 ~ 0xa00) =r_scanned=1024 nr_taken=0");
	CHECK_U64(t, ev->type, CT_EV_PARSE_ERROR);
	ev = one(t, "mm_compaction_isolate_migratepages: junk = nr_scanned=5 ,, nr_taken=2 =");
	CHECK_U64(t, ev->type, CT_EV_ISOLATE_MIGRATE);
	CHECK_U64(t, ev->u.iso.nr_scanned, 5);
	CHECK_U64(t, ev->u.iso.nr_taken, 2);

	ev = one(t, "mm_compaction_migratepages: nr_migrated=112 nr_failed=3");
	CHECK_U64(t, ev->type, CT_EV_MIGRATEPAGES);
	CHECK_U64(t, ev->u.mig.nr_migrated, 112);
	CHECK_U64(t, ev->u.mig.nr_failed, 3);
	ev = one(t, "mm_compaction_migratepages: nr_migrated=-1 nr_failed=3");
	CHECK_U64(t, ev->type, CT_EV_PARSE_ERROR);
}

static void test_try(struct ct_test *t)
{
	const struct ct_event *ev;

	/* 5.2+: symbolic gfp, priority */
	ev = one(t, "mm_compaction_try_to_compact_pages: order=9 gfp_mask=GFP_TRANSHUGE|__GFP_THISNODE priority=2");
	CHECK_U64(t, ev->type, CT_EV_TRY_TO_COMPACT);
	CHECK_I64(t, ev->u.try_.order, 9);
	CHECK_I64(t, ev->u.try_.priority, 2);
	CHECK_U64(t, ev->u.try_.prio_is_mode, 0);
	CHECK_U64(t, ev->u.try_.gfp_known, 0);
	CHECK_STR(t, ev->u.try_.gfp_text, "GFP_TRANSHUGE|__GFP_THISNODE");

	/* before 4.8: hex gfp and mode= */
	ev = one(t, "mm_compaction_try_to_compact_pages: order=3 gfp_mask=0x24201ca mode=1");
	CHECK_U64(t, ev->type, CT_EV_TRY_TO_COMPACT);
	CHECK_I64(t, ev->u.try_.order, 3);
	CHECK_I64(t, ev->u.try_.priority, 1);
	CHECK_U64(t, ev->u.try_.prio_is_mode, 1);
	CHECK_U64(t, ev->u.try_.gfp_known, 1);
	CHECK_U64(t, ev->u.try_.gfp, 0x24201ca);
	CHECK_STR(t, ev->u.try_.gfp_text, "0x24201ca");

	/* 4.8-5.1: hex gfp and priority= */
	ev = one(t, "mm_compaction_try_to_compact_pages: order=9 gfp_mask=0x4742ca priority=0");
	CHECK_U64(t, ev->u.try_.gfp_known, 1);
	CHECK_U64(t, ev->u.try_.gfp, 0x4742ca);
	CHECK_U64(t, ev->u.try_.prio_is_mode, 0);

	/* the print format says "none" for a zero mask; unknown bits stay symbolic text */
	ev = one(t, "mm_compaction_try_to_compact_pages: order=2 gfp_mask=none priority=1");
	CHECK_U64(t, ev->u.try_.gfp_known, 1);
	CHECK_U64(t, ev->u.try_.gfp, 0);
	ev = one(t, "mm_compaction_try_to_compact_pages: order=2 gfp_mask=GFP_KERNEL|0x1000000 priority=1");
	CHECK_U64(t, ev->u.try_.gfp_known, 0);
	CHECK_STR(t, ev->u.try_.gfp_text, "GFP_KERNEL|0x1000000");

	ev = one(t, "mm_compaction_try_to_compact_pages: order=9 gfp_mask=GFP_TRANSHUGE");
	CHECK_U64(t, ev->type, CT_EV_PARSE_ERROR);	/* no priority/mode */
	ev = one(t, "mm_compaction_try_to_compact_pages: order=2147483648 gfp_mask=none priority=1");
	CHECK_U64(t, ev->type, CT_EV_PARSE_ERROR);	/* order out of int range */
}

static void test_zone_order_defer(struct ct_test *t)
{
	const struct ct_event *ev;

	/* zone names are padded to 8 */
	ev = one(t, "mm_compaction_finished: node=0 zone=DMA      order=-1 ret=continue");
	CHECK_U64(t, ev->type, CT_EV_FINISHED);
	CHECK_I64(t, ev->u.zo.nid, 0);
	CHECK_STR(t, ev->u.zo.zone, "DMA");
	CHECK_I64(t, ev->u.zo.order, -1);
	CHECK_I64(t, ev->u.zo.ret, CT_STATUS_CONTINUE);

	ev = one(t, "mm_compaction_suitable: node=1 zone=Normal   order=9 ret=success");
	CHECK_U64(t, ev->type, CT_EV_SUITABLE);
	CHECK_I64(t, ev->u.zo.nid, 1);
	CHECK_STR(t, ev->u.zo.zone, "Normal");
	CHECK_I64(t, ev->u.zo.order, 9);
	CHECK_I64(t, ev->u.zo.ret, CT_STATUS_SUCCESS);

	ev = one(t, "mm_compaction_suitable: node=0 zone=DMA32    order=4 ret=skipped");
	CHECK_STR(t, ev->u.zo.zone, "DMA32");
	CHECK_I64(t, ev->u.zo.ret, CT_STATUS_SKIPPED);
	ev = one(t, "mm_compaction_finished: node=0 zone=Movable  order=3 ret=not_suitable_zone");
	CHECK_I64(t, ev->u.zo.ret, CT_STATUS_NOT_SUITABLE_ZONE);
	ev = one(t, "mm_compaction_finished: node=0 zone=ThisZoneNameIsLong order=3 ret=no_suitable_page");
	CHECK_STR(t, ev->u.zo.zone, "ThisZoneNam");	/* truncated to CT_ZONE_LEN - 1 */
	CHECK_I64(t, ev->u.zo.ret, CT_STATUS_NO_SUITABLE_PAGE);
	ev = one(t, "mm_compaction_finished: node=0 order=3 ret=complete");
	CHECK_U64(t, ev->type, CT_EV_PARSE_ERROR);	/* zone missing */

	ev = one(t, "mm_compaction_deferred: node=0 zone=Normal   order=9 order_failed=9 consider=3 limit=4");
	CHECK_U64(t, ev->type, CT_EV_DEFERRED);
	CHECK_STR(t, ev->u.defer.zone, "Normal");
	CHECK_I64(t, ev->u.defer.order, 9);
	CHECK_I64(t, ev->u.defer.order_failed, 9);
	CHECK_U64(t, ev->u.defer.consider, 3);
	CHECK_U64(t, ev->u.defer.limit, 4);

	ev = one(t, "mm_compaction_defer_compaction: node=0 zone=DMA32    order=10 order_failed=10 consider=0 limit=64");
	CHECK_U64(t, ev->type, CT_EV_DEFER_COMPACTION);
	CHECK_STR(t, ev->u.defer.zone, "DMA32");
	CHECK_U64(t, ev->u.defer.limit, 64);
	CHECK_I64(t, ev->u.defer.order_failed, 10);

	ev = one(t, "mm_compaction_defer_reset: node=0 zone=Normal   order=9 order_failed=10 consider=0 limit=1");
	CHECK_U64(t, ev->type, CT_EV_DEFER_RESET);
	CHECK_I64(t, ev->u.defer.order, 9);
	CHECK_I64(t, ev->u.defer.order_failed, 10);
	CHECK_U64(t, ev->u.defer.limit, 1);

	/* reordered: where "order" is expected next, "order_failed=" starts with it but is another key */
	ev = one(t, "mm_compaction_deferred: node=0 zone=Normal   order_failed=9 order=8 consider=3 limit=4");
	CHECK_U64(t, ev->type, CT_EV_DEFERRED);
	CHECK_I64(t, ev->u.defer.order, 8);
	CHECK_I64(t, ev->u.defer.order_failed, 9);
	CHECK_U64(t, ev->u.defer.consider, 3);

	ev = one(t, "mm_compaction_defer_reset: node=0 zone=Normal   order=9 order_failed=10 consider=4294967296 limit=1");
	CHECK_U64(t, ev->type, CT_EV_PARSE_ERROR);	/* consider is %u */
}

static void test_kcompactd(struct ct_test *t)
{
	const struct ct_event *ev;

	ev = one(t, "mm_compaction_kcompactd_sleep: nid=0");
	CHECK_U64(t, ev->type, CT_EV_KCOMPACTD_SLEEP);
	CHECK_I64(t, ev->u.kc.nid, 0);
	CHECK_STR(t, ev->u.kc.zone, "");

	ev = one(t, "mm_compaction_wakeup_kcompactd: nid=1 order=9 classzone_idx=Normal  ");
	CHECK_U64(t, ev->type, CT_EV_WAKEUP_KCOMPACTD);
	CHECK_I64(t, ev->u.kc.nid, 1);
	CHECK_I64(t, ev->u.kc.order, 9);
	CHECK_STR(t, ev->u.kc.zone, "Normal");

	ev = one(t, "mm_compaction_kcompactd_wake: nid=0 order=-1 classzone_idx=DMA32   ");
	CHECK_U64(t, ev->type, CT_EV_KCOMPACTD_WAKE);
	CHECK_I64(t, ev->u.kc.order, -1);
	CHECK_STR(t, ev->u.kc.zone, "DMA32");

	ev = one(t, "mm_compaction_kcompactd_wake: nid=0 order=2");
	CHECK_U64(t, ev->type, CT_EV_PARSE_ERROR);	/* zone missing */
	ev = one(t, "mm_compaction_kcompactd_sleep: node=0");
	CHECK_U64(t, ev->type, CT_EV_PARSE_ERROR);
}

static void test_extfrag(struct ct_test *t)
{
	const struct ct_event *ev;

	/* 5.14+: hex pfn, page= a hashed pointer */
	ev = one(t, "mm_page_alloc_extfrag: page=00000000663c308b pfn=0x10ab00 alloc_order=0 fallback_order=3 "
		 "pageblock_order=9 alloc_migratetype=0 fallback_migratetype=1 fragmenting=1 change_ownership=0");
	CHECK_U64(t, ev->type, CT_EV_EXTFRAG);
	CHECK_NAME(t, ev, "mm_page_alloc_extfrag");
	CHECK_U64(t, ev->u.xf.pfn, 0x10ab00);
	CHECK_I64(t, ev->u.xf.alloc_order, 0);
	CHECK_I64(t, ev->u.xf.fallback_order, 3);
	CHECK_I64(t, ev->u.xf.printed_pageblock_order, 9);
	CHECK_I64(t, ev->u.xf.alloc_migratetype, 0);
	CHECK_I64(t, ev->u.xf.fallback_migratetype, 1);
	CHECK_I64(t, ev->u.xf.printed_fragmenting, 1);
	CHECK_I64(t, ev->u.xf.change_ownership, 0);

	/* trace-cmd/perf: page= is the pfn and pageblock_order/fragmenting are wrong; we keep what was printed */
	ev = one(t, "mm_page_alloc_extfrag: page=0x10ab00 pfn=0x10ab00 alloc_order=2 fallback_order=10 "
		 "pageblock_order=0 alloc_migratetype=1 fallback_migratetype=0 fragmenting=0 change_ownership=1");
	CHECK_U64(t, ev->u.xf.pfn, 0x10ab00);
	CHECK_I64(t, ev->u.xf.fallback_order, 10);
	CHECK_I64(t, ev->u.xf.printed_pageblock_order, 0);
	CHECK_I64(t, ev->u.xf.printed_fragmenting, 0);
	CHECK_I64(t, ev->u.xf.change_ownership, 1);

	/* before 5.14: decimal pfn */
	ev = one(t, "mm_page_alloc_extfrag: page=ffffea0004000000 pfn=1093376 alloc_order=0 fallback_order=9 "
		 "pageblock_order=9 alloc_migratetype=2 fallback_migratetype=0 fragmenting=0 change_ownership=1");
	CHECK_U64(t, ev->u.xf.pfn, 1093376);
	CHECK_I64(t, ev->u.xf.alloc_migratetype, 2);

	/* pageblock_order and fragmenting absent: -1 */
	ev = one(t, "mm_page_alloc_extfrag: pfn=0x1 alloc_order=0 fallback_order=1 alloc_migratetype=0 "
		 "fallback_migratetype=1 change_ownership=0");
	CHECK_U64(t, ev->type, CT_EV_EXTFRAG);
	CHECK_I64(t, ev->u.xf.printed_pageblock_order, -1);
	CHECK_I64(t, ev->u.xf.printed_fragmenting, -1);

	ev = one(t, "mm_page_alloc_extfrag: page=0x10ab00 alloc_order=0 fallback_order=1 alloc_migratetype=0 "
		 "fallback_migratetype=1 change_ownership=0");
	CHECK_U64(t, ev->type, CT_EV_PARSE_ERROR);	/* only page=, no pfn= */
}

static void test_mm_migrate(struct ct_test *t)
{
	const struct ct_event *ev;

	/* 6.18: nr_split before mode/reason */
	ev = one(t, "mm_migrate_pages: nr_succeeded=3 nr_failed=1 nr_thp_succeeded=0 nr_thp_failed=0 "
		 "nr_thp_split=0 nr_split=0 mode=MIGRATE_SYNC reason=compaction");
	CHECK_U64(t, ev->type, CT_EV_MM_MIGRATE_PAGES);
	CHECK_NAME(t, ev, "mm_migrate_pages");
	CHECK_U64(t, ev->u.mm.succeeded, 3);
	CHECK_U64(t, ev->u.mm.failed, 1);
	CHECK_STR(t, ev->u.mm.mode, "MIGRATE_SYNC");
	CHECK_STR(t, ev->u.mm.reason, "compaction");

	/* 6.1 */
	ev = one(t, "mm_migrate_pages: nr_succeeded=12 nr_failed=0 nr_thp_succeeded=0 nr_thp_failed=0 "
		 "nr_thp_split=0 mode=MIGRATE_ASYNC reason=numa_misplaced");
	CHECK_U64(t, ev->u.mm.succeeded, 12);
	CHECK_STR(t, ev->u.mm.mode, "MIGRATE_ASYNC");
	CHECK_STR(t, ev->u.mm.reason, "numa_misplaced");

	/* 4.x */
	ev = one(t, "mm_migrate_pages: nr_succeeded=5 nr_failed=2 mode=MIGRATE_SYNC_LIGHT reason=compaction");
	CHECK_U64(t, ev->u.mm.failed, 2);
	CHECK_STR(t, ev->u.mm.mode, "MIGRATE_SYNC_LIGHT");

	ev = one(t, "mm_migrate_pages: nr_failed=2 mode=MIGRATE_SYNC reason=compaction");
	CHECK_U64(t, ev->type, CT_EV_PARSE_ERROR);
}

/* the kmem page events of record --pages; the real lines of each format are in data/ *_pages.txt */
static void test_pages(struct ct_test *t)
{
	const struct ct_event *ev;

	ev = one(t, "mm_page_alloc: page=00000000663c308b pfn=0x102a37 order=0 migratetype=0 gfp_flags=GFP_NOWAIT");
	CHECK_U64(t, ev->type, CT_EV_PAGE_ALLOC);
	CHECK_NAME(t, ev, "mm_page_alloc");
	CHECK_U64(t, ev->u.page.pfn, 0x102a37);
	CHECK_I64(t, ev->u.page.order, 0);
	CHECK_I64(t, ev->u.page.migratetype, 0);
	CHECK_I64(t, ev->u.page.percpu_refill, -1);
	CHECK_U64(t, ev->u.page.gfp_known, 0);	/* symbolic flags are not decoded */

	/* same length as mm_compaction_defer_reset, must not be mistaken for it */
	ev = one(t, "mm_page_alloc_zone_locked: page=0000000012 pfn=0x1 order=3 migratetype=1 percpu_refill=1");
	CHECK_U64(t, ev->type, CT_EV_PAGE_ALLOC_ZONE_LOCKED);
	CHECK_NAME(t, ev, "mm_page_alloc_zone_locked");
	CHECK_U64(t, ev->u.page.pfn, 1);
	CHECK_I64(t, ev->u.page.order, 3);
	CHECK_I64(t, ev->u.page.migratetype, 1);
	CHECK_I64(t, ev->u.page.percpu_refill, 1);

	ev = one(t, "mm_page_free: page=0000000027084a6d pfn=0x5ebcf6 order=9");
	CHECK_U64(t, ev->type, CT_EV_PAGE_FREE);
	CHECK_U64(t, ev->u.page.pfn, 0x5ebcf6);
	CHECK_I64(t, ev->u.page.order, 9);
	CHECK_I64(t, ev->u.page.migratetype, -1);

	/* "order=0" is text of the print format, not a field: -1 as the binary readers say */
	ev = one(t, "mm_page_free_batched: page=0000000007bfde5a pfn=0x4f2917 order=0");
	CHECK_U64(t, ev->type, CT_EV_PAGE_FREE_BATCHED);
	CHECK_U64(t, ev->u.page.pfn, 0x4f2917);
	CHECK_I64(t, ev->u.page.order, -1);

	ev = one(t, "mm_page_pcpu_drain: page=000000005b90bd34 pfn=0x481dfa order=0 migratetype=1");
	CHECK_U64(t, ev->type, CT_EV_PAGE_PCPU_DRAIN);
	CHECK_U64(t, ev->u.page.pfn, 0x481dfa);
	CHECK_I64(t, ev->u.page.migratetype, 1);

	/* a failed allocation: pfn -1UL is printed as a NULL page and pfn 0 (kernel, trace-cmd, perf) */
	ev = one(t, "mm_page_alloc: page=0000000000000000 pfn=0x0 order=9 migratetype=1 gfp_flags=GFP_TRANSHUGE|__GFP_NORETRY|__GFP_THISNODE");
	CHECK_U64(t, ev->type, CT_EV_PAGE_ALLOC);
	CHECK_U64(t, ev->u.page.pfn, CT_PFN_NONE);
	CHECK_I64(t, ev->u.page.order, 9);
	ev = one(t, "mm_page_alloc: page=(nil) pfn=0x0 order=9 migratetype=1 gfp_flags=GFP_TRANSHUGE");
	CHECK_U64(t, ev->u.page.pfn, CT_PFN_NONE);
	ev = one(t, "mm_page_alloc: page=(null) pfn=0 order=0 migratetype=0 gfp_flags=GFP_KERNEL");
	CHECK_U64(t, ev->u.page.pfn, CT_PFN_NONE);
	ev = one(t, "mm_page_alloc: pfn=-1 order=0 migratetype=0 gfp_flags=GFP_KERNEL");
	CHECK_U64(t, ev->u.page.pfn, CT_PFN_NONE);
	ev = one(t, "mm_page_alloc: page=0x0 pfn=0xffffffffffffffff order=0 migratetype=0 gfp_flags=none");
	CHECK_U64(t, ev->u.page.pfn, UINT64_MAX);
	/* trace-cmd prints the pfn as page=: pfn 0x10 is a page, not a failure */
	ev = one(t, "mm_page_alloc: page=0x10 pfn=0x10 order=0 migratetype=0 gfp_flags=GFP_KERNEL");
	CHECK_U64(t, ev->u.page.pfn, 0x10);

	/* before 5.14: decimal pfn; before 5.13: no percpu_refill */
	ev = one(t, "mm_page_alloc: page=ffffea0000a8ce00 pfn=43827 order=0 migratetype=0 gfp_flags=GFP_KERNEL");
	CHECK_U64(t, ev->u.page.pfn, 43827);
	ev = one(t, "mm_page_alloc_zone_locked: page=ffffea0000a8ce00 pfn=43827 order=0 migratetype=1");
	CHECK_U64(t, ev->type, CT_EV_PAGE_ALLOC_ZONE_LOCKED);
	CHECK_I64(t, ev->u.page.percpu_refill, -1);

	/* malformed: a parse error each, never a crash */
	ev = one(t, "mm_page_free: page=0000000027084a6d pfn=0xzz order=0");
	CHECK_U64(t, ev->type, CT_EV_PARSE_ERROR);
	ev = one(t, "mm_page_free: page=0000000027084a6d order=0");
	CHECK_U64(t, ev->type, CT_EV_PARSE_ERROR);
	ev = one(t, "mm_page_alloc: page=00000000663c308b pfn=0x102a37 migratetype=0 gfp_flags=GFP_NOWAIT");
	CHECK_U64(t, ev->type, CT_EV_PARSE_ERROR);
	ev = one(t, "mm_page_pcpu_drain: page=000000005b90bd34 pfn=0x481dfa order=0");
	CHECK_U64(t, ev->type, CT_EV_PARSE_ERROR);
	ev = one(t, "mm_page_alloc_zone_locked: page=0000000012 pfn=0x1 order=x migratetype=1 percpu_refill=1");
	CHECK_U64(t, ev->type, CT_EV_PARSE_ERROR);
	ev = one(t, "mm_page_free: pfn=-2 order=0");
	CHECK_U64(t, ev->type, CT_EV_PARSE_ERROR);
	ev = one(t, "mm_page_free_batched:");
	CHECK_U64(t, ev->type, CT_EV_PARSE_ERROR);
	/* a 32-bit order printed with %u (zone_locked) reads as the binary readers read the field */
	ev = one(t, "mm_page_alloc_zone_locked: page=0000000012 pfn=0x1 order=4294967295 migratetype=1 percpu_refill=1");
	CHECK_I64(t, ev->u.page.order, -1);
	ev = one(t, "mm_page_free: page=0000000027084a6d pfn=0x5ebcf6 order=99999999999");
	CHECK_U64(t, ev->type, CT_EV_PARSE_ERROR);
}

static void test_other(struct ct_test *t)
{
	const struct ct_event *ev;

	ev = one(t, "sched_switch: prev_comm=bash prev_pid=1 prev_prio=120 prev_state=S ==> next_comm=swapper/1 next_pid=0 next_prio=120");
	CHECK_U64(t, ev->type, CT_EV_OTHER);
	CHECK_NAME(t, ev, "sched_switch");
	/* a page event this version does not interpret, of a known length */
	ev = one(t, "mm_page_alloc_xxxxxxxxxxxx: page=0000000012 pfn=0x1 order=0");
	CHECK_U64(t, ev->type, CT_EV_OTHER);
	ev = one(t, "mm_compaction_unheard_of: x=1");
	CHECK_U64(t, ev->type, CT_EV_OTHER);
	/* an empty payload */
	ev = one(t, "my_marker:");
	CHECK_U64(t, ev->type, CT_EV_OTHER);
	CHECK_NAME(t, ev, "my_marker");
}

static void test_numbers(struct ct_test *t)
{
	uint64_t u;
	int64_t i;
	int32_t i32;

	t->what = "numbers";
	CHECK(t, ct_text_parse_u64("0", 1, &u) == 0 && u == 0);
	CHECK(t, ct_text_parse_u64("0x0", 3, &u) == 0 && u == 0);
	CHECK(t, ct_text_parse_u64("0xFFFFffffFFFFffff", 18, &u) == 0 && u == UINT64_MAX);
	CHECK(t, ct_text_parse_u64("0x10000000000000000", 19, &u) < 0);
	CHECK(t, ct_text_parse_u64("0x", 2, &u) < 0);
	CHECK(t, ct_text_parse_u64("", 0, &u) < 0);
	CHECK(t, ct_text_parse_u64("99999999999999999999", 20, &u) < 0);
	CHECK(t, ct_text_parse_u64("12 ", 3, &u) < 0);
	CHECK(t, ct_text_parse_i64("-9223372036854775808", 20, &i) == 0 && i == INT64_MIN);
	CHECK(t, ct_text_parse_i64("9223372036854775808", 19, &i) < 0);
	CHECK(t, ct_text_parse_i64("-", 1, &i) < 0);
	CHECK(t, ct_text_parse_i32("-2147483648", 11, &i32) == 0 && i32 == INT32_MIN);
	CHECK(t, ct_text_parse_i32("2147483648", 10, &i32) < 0);
	CHECK(t, ct_text_parse_i32("-1", 2, &i32) == 0 && i32 == -1);
}

static void test_timestamps(struct ct_test *t)
{
	uint64_t ns = 0;

	t->what = "timestamps";
	CHECK(t, ct_text_parse_ts("220.742210", 10, &ns) == 0);
	CHECK_U64(t, ns, 220742210000ULL);
	CHECK(t, ct_text_parse_ts("220.742210123", 13, &ns) == 0);
	CHECK_U64(t, ns, 220742210123ULL);
	CHECK(t, ct_text_parse_ts("1.5", 3, &ns) == 0);
	CHECK_U64(t, ns, 1500000000ULL);
	CHECK(t, ct_text_parse_ts("7", 1, &ns) == 0);
	CHECK_U64(t, ns, 7000000000ULL);
	CHECK(t, ct_text_parse_ts("1.1234567899", 12, &ns) == 0);	/* below ns is dropped */
	CHECK_U64(t, ns, 1123456789ULL);
	CHECK(t, ct_text_parse_ts("18446744073.709551615", 21, &ns) == 0);
	CHECK_U64(t, ns, UINT64_MAX);
	CHECK(t, ct_text_parse_ts("18446744073.709551616", 21, &ns) < 0);
	CHECK(t, ct_text_parse_ts("18446744074.0", 13, &ns) < 0);
	CHECK(t, ct_text_parse_ts("1.", 2, &ns) < 0);
	CHECK(t, ct_text_parse_ts(".5", 2, &ns) < 0);
	CHECK(t, ct_text_parse_ts("1.2.3", 5, &ns) < 0);
	CHECK(t, ct_text_parse_ts("99999999999999999999999", 23, &ns) < 0);
}

int main(int argc, char **argv)
{
	struct ct_test t = { .data_dir = argc > 1 ? argv[1] : "." };

	test_begin_end(&t);
	test_isolate(&t);
	test_try(&t);
	test_zone_order_defer(&t);
	test_kcompactd(&t);
	test_extfrag(&t);
	test_mm_migrate(&t);
	test_pages(&t);
	test_other(&t);
	test_numbers(&t);
	test_timestamps(&t);
	return ct_test_finish(&t, "test_text_fields");
}
