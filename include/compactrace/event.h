/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef COMPACTRACE_EVENT_H
#define COMPACTRACE_EVENT_H

#include <stddef.h>
#include <stdint.h>

/*
 * The normalized event: every parser (text, trace.dat, perf.data, live)
 * turns what it reads into this, so the engine never knows the source.
 */

#define CT_COMM_LEN 32
#define CT_ZONE_LEN 12
#define CT_GFP_TEXT_LEN 160
#define CT_MIGRATE_TEXT_LEN 32

enum ct_event_type {
	CT_EV_OTHER = 0,	/* an event compactrace does not interpret */
	CT_EV_BEGIN,		/* compaction:mm_compaction_begin */
	CT_EV_END,		/* compaction:mm_compaction_end */
	CT_EV_ISOLATE_MIGRATE,	/* mm_compaction_isolate_migratepages */
	CT_EV_ISOLATE_FREE,	/* mm_compaction_isolate_freepages */
	CT_EV_FAST_ISOLATE_FREE,/* mm_compaction_fast_isolate_freepages */
	CT_EV_MIGRATEPAGES,	/* mm_compaction_migratepages */
	CT_EV_TRY_TO_COMPACT,	/* mm_compaction_try_to_compact_pages */
	CT_EV_FINISHED,		/* mm_compaction_finished */
	CT_EV_SUITABLE,		/* mm_compaction_suitable */
	CT_EV_DEFERRED,		/* mm_compaction_deferred */
	CT_EV_DEFER_COMPACTION,	/* mm_compaction_defer_compaction */
	CT_EV_DEFER_RESET,	/* mm_compaction_defer_reset */
	CT_EV_KCOMPACTD_SLEEP,	/* mm_compaction_kcompactd_sleep */
	CT_EV_WAKEUP_KCOMPACTD,	/* mm_compaction_wakeup_kcompactd */
	CT_EV_KCOMPACTD_WAKE,	/* mm_compaction_kcompactd_wake */
	CT_EV_EXTFRAG,		/* kmem:mm_page_alloc_extfrag */
	CT_EV_MM_MIGRATE_PAGES,	/* migrate:mm_migrate_pages */
	/* not kernel events: what the parser learned about the data itself */
	CT_EV_LOST,		/* @lost.count events were lost before this point */
	CT_EV_PARSE_ERROR,	/* a line/record that could not be parsed */
	/*
	 * kmem page events (`record --pages`), for the shadow buddy model's
	 * exact mode. Appended after the markers so older values stay put.
	 */
	CT_EV_PAGE_ALLOC,	/* kmem:mm_page_alloc: a page handed to its caller */
	CT_EV_PAGE_ALLOC_ZONE_LOCKED,	/* kmem:mm_page_alloc_zone_locked: taken off the buddy free lists */
	CT_EV_PAGE_FREE,	/* kmem:mm_page_free: freed (to a per-CPU list or the buddy lists) */
	CT_EV_PAGE_FREE_BATCHED,/* kmem:mm_page_free_batched: pfn only */
	CT_EV_PAGE_PCPU_DRAIN,	/* kmem:mm_page_pcpu_drain: per-CPU list -> buddy free lists */
	CT_EV_TYPE_COUNT
};

/* The first and last kmem page event types, for range checks. */
#define CT_EV_PAGE_FIRST CT_EV_PAGE_ALLOC
#define CT_EV_PAGE_LAST CT_EV_PAGE_PCPU_DRAIN

/*
 * Compaction status in the kernel's 6.x enum order (include/linux/compaction.h);
 * a stall's result is the maximum over its zones, as try_to_compact_pages()
 * computes it. Parsers map names (or a kernel's own symbol table) onto this.
 */
enum ct_status {
	CT_STATUS_NOT_SUITABLE_ZONE = 0,
	CT_STATUS_SKIPPED,
	CT_STATUS_DEFERRED,
	CT_STATUS_NO_SUITABLE_PAGE,
	CT_STATUS_CONTINUE,
	CT_STATUS_COMPLETE,
	CT_STATUS_PARTIAL_SKIPPED,
	CT_STATUS_CONTENDED,
	CT_STATUS_SUCCESS,
	CT_STATUS_UNKNOWN,
	CT_STATUS_COUNT
};

#define CT_SYNC_UNKNOWN (-1)

struct ct_ev_range {		/* begin and end */
	uint64_t zone_start, migrate_pfn, free_pfn, zone_end;
	int8_t sync;		/* 1 sync, 0 async, CT_SYNC_UNKNOWN (3.14-3.19) */
	int16_t status;		/* enum ct_status; end only */
};

struct ct_ev_isolate {		/* the three isolate events */
	uint64_t start_pfn, end_pfn, nr_scanned, nr_taken;
};

struct ct_ev_migrate {		/* mm_compaction_migratepages */
	uint64_t nr_migrated, nr_failed;
};

struct ct_ev_try {		/* mm_compaction_try_to_compact_pages */
	int32_t order;
	int32_t priority;	/* priority= (4.8+) or mode= (older) */
	uint8_t prio_is_mode;	/* 1 when the kernel printed mode=, not priority= */
	uint8_t gfp_known;	/* 1 when @gfp holds the raw mask */
	uint64_t gfp;
	char gfp_text[CT_GFP_TEXT_LEN];	/* as the kernel/tool printed it */
};

struct ct_ev_zone_order {	/* finished and suitable */
	int32_t nid, order;
	int16_t ret;		/* enum ct_status */
	char zone[CT_ZONE_LEN];
};

struct ct_ev_defer {		/* deferred, defer_compaction, defer_reset */
	int32_t nid, order, order_failed;
	uint32_t consider;
	uint64_t limit;
	char zone[CT_ZONE_LEN];
};

struct ct_ev_kcompactd {	/* kcompactd_sleep (nid only), wakeup_kcompactd, kcompactd_wake */
	int32_t nid, order;
	char zone[CT_ZONE_LEN];	/* highest/classzone; empty for sleep */
};

struct ct_ev_extfrag {		/* kmem:mm_page_alloc_extfrag */
	uint64_t pfn;
	int32_t alloc_order, fallback_order;
	int32_t alloc_migratetype, fallback_migratetype;
	int32_t change_ownership;
	/*
	 * What the text said; -1 when absent (binary inputs: the print format
	 * computes both). libtraceevent, and so trace-cmd and perf, evaluates
	 * fragmenting's `fallback_order < (a < b ? a : b)` wrongly, so the
	 * engine computes fragmenting itself; the pageblock order it prints
	 * right (measured with the 6.1 and 6.18 formats and a pageblock order
	 * 10 variant): the session takes it as a host fact from the trace.
	 */
	int32_t printed_pageblock_order, printed_fragmenting;
};

struct ct_ev_mm_migrate {	/* migrate:mm_migrate_pages */
	uint64_t succeeded, failed;
	char mode[CT_MIGRATE_TEXT_LEN];		/* e.g. MIGRATE_SYNC */
	char reason[CT_MIGRATE_TEXT_LEN];	/* e.g. compaction */
};

/* A pfn the kernel did not give: mm_page_alloc of a failed allocation. */
#define CT_PFN_NONE UINT64_MAX

/*
 * No kernel has physical addresses of more than 52 bits, nor pages below
 * 4 KiB: pfns and lost-event counts are below 2^40.
 */
#define CT_PFN_LIMIT (1ULL << 40)

struct ct_ev_page {		/* the five kmem page events */
	uint64_t pfn;		/* CT_PFN_NONE when the event names no page */
	int32_t order;		/* -1 when the event has none (mm_page_free_batched) */
	int32_t migratetype;	/* -1 when the event has none (mm_page_free, _batched) */
	int32_t percpu_refill;	/* mm_page_alloc_zone_locked's flag; -1 for the others */
	uint8_t gfp_known;	/* mm_page_alloc: 1 when @gfp holds the raw mask */
	uint64_t gfp;
};

struct ct_ev_lost {
	uint64_t count;
};

struct ct_ev_parse_error {
	uint64_t where;		/* line number (text) or byte offset (binary) */
};

struct ct_event {
	uint64_t ts_ns;
	int32_t pid;
	int32_t cpu;		/* -1 unknown */
	uint16_t type;		/* enum ct_event_type */
	/*
	 * The event's name without its system, as it appeared in the input;
	 * @name_len bytes, none of them NUL (not NUL-terminated).
	 * Points into the parser's buffer: valid until the next ct_source_next().
	 */
	const char *name;
	uint16_t name_len;
	char comm[CT_COMM_LEN];
	union {
		struct ct_ev_range range;
		struct ct_ev_isolate iso;
		struct ct_ev_migrate mig;
		struct ct_ev_try try_;
		struct ct_ev_zone_order zo;
		struct ct_ev_defer defer;
		struct ct_ev_kcompactd kc;
		struct ct_ev_extfrag xf;
		struct ct_ev_mm_migrate mm;
		struct ct_ev_page page;	/* CT_EV_PAGE_* */
		struct ct_ev_lost lost;
		struct ct_ev_parse_error perr;
	} u;
};

/**
 * ct_event_type_from_name() - map an event name to its type
 * @name: event name, with or without "system:" prefix; not NUL-terminated
 * @len: length of @name
 *
 * Returns CT_EV_OTHER for names compactrace does not interpret.
 */
enum ct_event_type ct_event_type_from_name(const char *name, size_t len);

/**
 * ct_event_page_type_from_name() - map a kmem page event name to CT_EV_PAGE_*
 * @name: "mm_page_free", "kmem:mm_page_pcpu_drain", ...; not NUL-terminated
 * @len: length of @name
 *
 * Kept apart from ct_event_type_from_name(), which returns CT_EV_OTHER for
 * these names, so that a parser types page events only once it decodes
 * their fields (struct ct_ev_page). Returns CT_EV_OTHER for any other name.
 */
enum ct_event_type ct_event_page_type_from_name(const char *name, size_t len);

/** ct_event_type_name() - the kernel event name ("mm_compaction_begin"); static string */
const char *ct_event_type_name(enum ct_event_type type);

/**
 * ct_status_from_name() - map a printed status ("success", "partial", ...) to enum ct_status
 * @name: not NUL-terminated; @len: its length
 *
 * "partial" (before 4.9) maps to CT_STATUS_SUCCESS. Unknown names give
 * CT_STATUS_UNKNOWN.
 */
enum ct_status ct_status_from_name(const char *name, size_t len);

/**
 * ct_status_from_legacy_number() - status printed as a raw number (before 4.4)
 * @value: the number the old kernel printed
 *
 * Uses the 3.14-4.3 COMPACT_* values (deferred 0, skipped 1, continue 2,
 * partial 3, complete 4, no_suitable_page 5, not_suitable_zone 6).
 */
enum ct_status ct_status_from_legacy_number(long value);

/** ct_status_name() - "success", "complete", ...; static string */
const char *ct_status_name(enum ct_status status);

/**
 * ct_compaction_events_missing() - which compaction events a kernel lacks
 * @have: NULL-terminated names of the compaction events the kernel has
 * @buf: receives "name, name" of the missing ones ("" when none)
 * @len: size of @buf
 *
 * For top and monitor, which trace them all. Events that only newer kernels have (fast_isolate_freepages before 6.5,
 * the kcompactd events before 4.6) are reported too, the caller decides
 * how to word it. Returns how many are missing.
 */
int ct_compaction_events_missing(const char *const *have, char *buf, size_t len);

#endif
