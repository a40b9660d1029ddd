// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The table of events (compactrace/event_desc.h): every event compactrace
 * interprets, its fields under every name kernels (3.14 to 6.x) and tools
 * have given them, and what a kernel can produce.
 */
#include <stddef.h>

#include "compactrace/event_desc.h"

#define AT(m) .off = offsetof(struct ct_event, u.m), .size = sizeof(((struct ct_event *)0)->u.m)
#define AT2(m) .off2 = offsetof(struct ct_event, u.m)
#define AT3(m) .off3 = offsetof(struct ct_event, u.m)
#define TEXT(...) .text = { __VA_ARGS__ }
#define BIN(...) .bin = { __VA_ARGS__ }
#define BOTH(name) TEXT(name), BIN(name)

static int zone_span_ok(const struct ct_event *ev)
{
	return ev->u.range.zone_start < ev->u.range.zone_end;
}

/* begin and end: 4.0+ hex "migrate_pfn", 3.14-3.19 decimal "migrate_start"; ", mode=" since 4.0 */
#define RANGE_FIELDS(req)                                                                        \
	{ BOTH("zone_start"), .kind = CT_FK_U64, .need = req, AT(range.zone_start) },            \
	{ TEXT("migrate_pfn", "migrate_start"), BIN("migrate_pfn", "migrate_start"),              \
	  .kind = CT_FK_U64, .need = req, .check = CT_CHECK_PFN, AT(range.migrate_pfn) },        \
	{ TEXT("free_pfn", "free_start"), BIN("free_pfn", "free_start"),                          \
	  .kind = CT_FK_U64, .need = req, .check = CT_CHECK_PFN, AT(range.free_pfn) },           \
	{ BOTH("zone_end"), .kind = CT_FK_U64, .need = req, .check = CT_CHECK_PFN,               \
	  AT(range.zone_end) },                                                                    \
	{ TEXT("mode"), BIN("sync"), .kind = CT_FK_SYNC, .absent = -1, AT(range.sync) }

/* the three isolate events; "range=(a ~ b)" in text since 4.1 */
#define ISOLATE_FIELDS                                                                            \
	{ TEXT("range"), .kind = CT_FK_RANGE, .check = CT_CHECK_PFN, AT(iso.start_pfn),           \
	  AT2(iso.end_pfn) },                                                                      \
	{ BIN("start_pfn"), .kind = CT_FK_U64, .check = CT_CHECK_PFN, AT(iso.start_pfn) },        \
	{ BIN("end_pfn"), .kind = CT_FK_U64, .check = CT_CHECK_PFN, AT(iso.end_pfn) },            \
	{ BOTH("nr_scanned"), .kind = CT_FK_U64, .need = CT_NEED_YES, .check = CT_CHECK_STEP,     \
	  AT(iso.nr_scanned) },                                                                    \
	{ BOTH("nr_taken"), .kind = CT_FK_U64, .need = CT_NEED_YES, .check = CT_CHECK_STEP,       \
	  AT(iso.nr_taken) }

/* finished and suitable: "node=%d zone=%-8s order=%d ret=%s" */
#define ZONE_ORDER_FIELDS                                                                         \
	{ TEXT("node"), BIN("nid"), .kind = CT_FK_I32, .need = CT_NEED_YES, .check = CT_CHECK_NID, \
	  AT(zo.nid) },                                                                            \
	{ TEXT("zone"), BIN("idx"), .kind = CT_FK_ZONE, .need = CT_NEED_YES, AT(zo.zone) },       \
	{ BOTH("order"), .kind = CT_FK_I32, .need = CT_NEED_YES, .check = CT_CHECK_ORDER,         \
	  AT(zo.order) },                                                                          \
	{ BOTH("ret"), .kind = CT_FK_STATUS, .need = CT_NEED_YES, AT(zo.ret) }

/* deferred, defer_compaction, defer_reset; orders are counted per slot by the engine */
#define DEFER_FIELDS                                                                              \
	{ TEXT("node"), BIN("nid"), .kind = CT_FK_I32, .need = CT_NEED_YES, .check = CT_CHECK_NID, \
	  AT(defer.nid) },                                                                         \
	{ TEXT("zone"), BIN("idx"), .kind = CT_FK_ZONE, .need = CT_NEED_YES, AT(defer.zone) },    \
	{ BOTH("order"), .kind = CT_FK_I32, .need = CT_NEED_YES, AT(defer.order) },               \
	{ BOTH("order_failed"), .kind = CT_FK_I32, .need = CT_NEED_YES, AT(defer.order_failed) }, \
	{ TEXT("consider"), BIN("considered"), .kind = CT_FK_U32, .need = CT_NEED_YES,            \
	  AT(defer.consider) },                                                                    \
	{ TEXT("limit"), .kind = CT_FK_U64, .need = CT_NEED_YES, AT(defer.limit) },               \
	{ BIN("defer_shift"), .kind = CT_FK_SHIFT, AT(defer.limit) }

/* wakeup_kcompactd and kcompactd_wake: the field was renamed in 5.8, the printed label stayed */
#define WAKE_FIELDS                                                                               \
	{ BOTH("nid"), .kind = CT_FK_I32, .need = CT_NEED_YES, .check = CT_CHECK_NID, AT(kc.nid) }, \
	{ BOTH("order"), .kind = CT_FK_I32, .need = CT_NEED_YES, AT(kc.order) },                  \
	{ TEXT("classzone_idx", "highest_zoneidx"), BIN("highest_zoneidx", "classzone_idx"),      \
	  .kind = CT_FK_ZONE, .need = CT_NEED_YES, AT(kc.zone) }

/*
 * The kmem page events of `record --pages`. A failed mm_page_alloc records
 * pfn -1UL, which its print format turns into a NULL page= and pfn=0: both
 * read as CT_PFN_NONE. Fields an event lacks read as -1 ("none").
 */
#define PAGE_PFN { BOTH("pfn"), .kind = CT_FK_PFN, .need = CT_NEED_YES, .check = CT_CHECK_PFN_OR_NONE, \
		   .absent = -1, AT(page.pfn) }
/* gfp_flags= is never read from text (gfp_known 0): the scan stops before it */
#define PAGE_GFP { BIN("gfp_flags"), .kind = CT_FK_U64, AT(page.gfp), AT2(page.gfp_known) }
#define PAGE_NULL { TEXT("page"), .kind = CT_FK_PAGE_PTR }
#define PAGE_ORDER { BOTH("order"), .kind = CT_FK_I32, .need = CT_NEED_YES, .check = CT_CHECK_ORDER, \
		     .absent = -1, AT(page.order) }
#define PAGE_MT(need_) { BOTH("migratetype"), .kind = CT_FK_I32, .need = need_, .absent = -1, \
			 AT(page.migratetype) }
#define PAGE_ABSENT(m) { .kind = CT_FK_I32, .absent = -1, AT(m) }

static const struct ct_event_desc descs[CT_EV_TYPE_COUNT] = {
	[CT_EV_BEGIN] = { "compaction", "mm_compaction_begin", 0, 5, { RANGE_FIELDS(CT_NEED_YES) },
			  zone_span_ok },
	[CT_EV_END] = { "compaction", "mm_compaction_end", 0, 6, {
		RANGE_FIELDS(CT_NEED_TOGETHER),
		{ BOTH("status"), .kind = CT_FK_STATUS, .need = CT_NEED_YES, AT(range.status) },
	}, zone_span_ok },
	[CT_EV_ISOLATE_MIGRATE] = { "compaction", "mm_compaction_isolate_migratepages", 0, 5,
				    { ISOLATE_FIELDS }, NULL },
	[CT_EV_ISOLATE_FREE] = { "compaction", "mm_compaction_isolate_freepages", 0, 5,
				 { ISOLATE_FIELDS }, NULL },
	[CT_EV_FAST_ISOLATE_FREE] = { "compaction", "mm_compaction_fast_isolate_freepages", 0, 5,
				      { ISOLATE_FIELDS }, NULL },
	[CT_EV_MIGRATEPAGES] = { "compaction", "mm_compaction_migratepages", 0, 2, {
		{ BOTH("nr_migrated"), .kind = CT_FK_U64, .need = CT_NEED_YES, .check = CT_CHECK_STEP,
		  AT(mig.nr_migrated) },
		{ BOTH("nr_failed"), .kind = CT_FK_U64, .need = CT_NEED_YES, .check = CT_CHECK_STEP,
		  AT(mig.nr_failed) },
	}, NULL },
	/* gfp_mask raw hex before 5.2, symbolic after; mode= before 4.8, priority= (prio) after */
	[CT_EV_TRY_TO_COMPACT] = { "compaction", "mm_compaction_try_to_compact_pages", 0, 3, {
		{ BOTH("order"), .kind = CT_FK_I32, .need = CT_NEED_YES, AT(try_.order) },
		{ BOTH("gfp_mask"), .kind = CT_FK_GFP, .need = CT_NEED_YES, AT(try_.gfp), AT2(try_.gfp_known),
		  AT3(try_.gfp_text) },
		{ TEXT("priority", "mode"), BIN("prio", "priority", "mode"), .kind = CT_FK_PRIO,
		  .need = CT_NEED_YES, AT(try_.priority), AT2(try_.prio_is_mode) },
	}, NULL },
	[CT_EV_FINISHED] = { "compaction", "mm_compaction_finished", 0, 4, { ZONE_ORDER_FIELDS }, NULL },
	[CT_EV_SUITABLE] = { "compaction", "mm_compaction_suitable", 0, 4, { ZONE_ORDER_FIELDS }, NULL },
	[CT_EV_DEFERRED] = { "compaction", "mm_compaction_deferred", 0, 7, { DEFER_FIELDS }, NULL },
	[CT_EV_DEFER_COMPACTION] = { "compaction", "mm_compaction_defer_compaction", 0, 7, { DEFER_FIELDS },
				     NULL },
	[CT_EV_DEFER_RESET] = { "compaction", "mm_compaction_defer_reset", 0, 7, { DEFER_FIELDS }, NULL },
	[CT_EV_KCOMPACTD_SLEEP] = { "compaction", "mm_compaction_kcompactd_sleep", 0, 1, {
		{ BOTH("nid"), .kind = CT_FK_I32, .need = CT_NEED_YES, .check = CT_CHECK_NID, AT(kc.nid) },
	}, NULL },
	[CT_EV_WAKEUP_KCOMPACTD] = { "compaction", "mm_compaction_wakeup_kcompactd", 0, 3, { WAKE_FIELDS },
				     NULL },
	[CT_EV_KCOMPACTD_WAKE] = { "compaction", "mm_compaction_kcompactd_wake", 0, 3, { WAKE_FIELDS }, NULL },
	/*
	 * pfn decimal before 5.14, hex after; page= is never used. The print
	 * format computes pageblock_order= and fragmenting=: only text has them.
	 */
	[CT_EV_EXTFRAG] = { "kmem", "mm_page_alloc_extfrag", 0, 8, {
		{ BOTH("pfn"), .kind = CT_FK_U64, .need = CT_NEED_YES, .check = CT_CHECK_PFN, AT(xf.pfn) },
		{ BOTH("alloc_order"), .kind = CT_FK_I32, .need = CT_NEED_YES, .check = CT_CHECK_ALLOC_ORDER,
		  AT(xf.alloc_order) },
		{ BOTH("fallback_order"), .kind = CT_FK_I32, .need = CT_NEED_YES,
		  .check = CT_CHECK_ALLOC_ORDER, AT(xf.fallback_order) },
		{ BOTH("alloc_migratetype"), .kind = CT_FK_I32, .need = CT_NEED_YES, AT(xf.alloc_migratetype) },
		{ BOTH("fallback_migratetype"), .kind = CT_FK_I32, .need = CT_NEED_YES,
		  AT(xf.fallback_migratetype) },
		{ BOTH("change_ownership"), .kind = CT_FK_I32, .need = CT_NEED_YES, AT(xf.change_ownership) },
		{ TEXT("pageblock_order"), .kind = CT_FK_I32, .absent = -1, AT(xf.printed_pageblock_order) },
		{ TEXT("fragmenting"), .kind = CT_FK_I32, .absent = -1, AT(xf.printed_fragmenting) },
	}, NULL },
	/* 6.x added nr_split etc. before mode/reason: by name, never by position */
	[CT_EV_MM_MIGRATE_PAGES] = { "migrate", "mm_migrate_pages", 0, 4, {
		{ TEXT("nr_succeeded"), BIN("succeeded"), .kind = CT_FK_U64, .need = CT_NEED_YES,
		  AT(mm.succeeded) },
		{ TEXT("nr_failed"), BIN("failed"), .kind = CT_FK_U64, .need = CT_NEED_YES, AT(mm.failed) },
		{ BOTH("mode"), .kind = CT_FK_SYMBOL, AT(mm.mode) },
		{ BOTH("reason"), .kind = CT_FK_SYMBOL, AT(mm.reason) },
	}, NULL },
	[CT_EV_PAGE_ALLOC] = { "kmem", "mm_page_alloc", 1, 6, {
		PAGE_NULL, PAGE_PFN, PAGE_ORDER, PAGE_MT(CT_NEED_YES), PAGE_GFP,
		PAGE_ABSENT(page.percpu_refill),
	}, NULL },
	/* the order is printed with %u; percpu_refill since 5.13 */
	[CT_EV_PAGE_ALLOC_ZONE_LOCKED] = { "kmem", "mm_page_alloc_zone_locked", 1, 6, {
		PAGE_NULL, PAGE_PFN, PAGE_GFP,
		{ BOTH("order"), .kind = CT_FK_ORDER_U32, .need = CT_NEED_YES, .check = CT_CHECK_ORDER,
		  .absent = -1, AT(page.order) },
		PAGE_MT(CT_NEED_YES),
		{ BOTH("percpu_refill"), .kind = CT_FK_I32, .absent = -1, AT(page.percpu_refill) },
	}, NULL },
	[CT_EV_PAGE_FREE] = { "kmem", "mm_page_free", 1, 5, {
		PAGE_PFN, PAGE_ORDER, PAGE_ABSENT(page.migratetype), PAGE_ABSENT(page.percpu_refill), PAGE_GFP,
	}, NULL },
	/*
	 * Prints a literal "order=0" but has no order field: -1, as the binary
	 * readers give (the model takes its pages from the mm_page_free of the
	 * same page).
	 */
	[CT_EV_PAGE_FREE_BATCHED] = { "kmem", "mm_page_free_batched", 1, 5, {
		PAGE_PFN, PAGE_ABSENT(page.order), PAGE_ABSENT(page.migratetype),
		PAGE_ABSENT(page.percpu_refill), PAGE_GFP,
	}, NULL },
	[CT_EV_PAGE_PCPU_DRAIN] = { "kmem", "mm_page_pcpu_drain", 1, 5, {
		PAGE_PFN, PAGE_ORDER, PAGE_MT(CT_NEED_YES), PAGE_ABSENT(page.percpu_refill), PAGE_GFP,
	}, NULL },
};

const struct ct_event_desc *ct_event_desc(enum ct_event_type type)
{
	if ((unsigned)type >= CT_EV_TYPE_COUNT || !descs[type].name)
		return NULL;
	return &descs[type];
}
