/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef COMPACTRACE_ENGINE_H
#define COMPACTRACE_ENGINE_H

#include <stdint.h>

#include "compactrace/event.h"
#include "compactrace/facts.h"
#include "compactrace/latency.h"

/*
 * The reconstruction engine: plain C, no I/O, deterministic, one pass.
 * Feed it normalized events (from any source) and read the results.
 * Memory is bounded by the number of tasks, zones and pageblocks seen,
 * never by the length of the trace.
 */

enum ct_trigger {
	CT_TRIGGER_DIRECT,
	CT_TRIGGER_KCOMPACTD,
	CT_TRIGGER_PROACTIVE,
	CT_TRIGGER_MANUAL,
	CT_TRIGGER_UNKNOWN,
	CT_TRIGGER_COUNT
};

enum ct_mode { CT_MODE_ASYNC, CT_MODE_SYNC, CT_MODE_UNKNOWN, CT_MODE_COUNT };

/* order slots: index order + 1, so order -1 (whole zone) is slot 0 */
#define CT_ORDER_SLOTS 13
#define CT_ORDER_MIN (-1)
#define CT_ORDER_MAX (CT_ORDER_SLOTS - 2)
#define CT_MIGRATETYPES 8	/* kernels have 4-6; values beyond are "other" */
#define CT_SLOWEST 10
#define CT_STALL_ZONES 6
#define CT_PARSE_ERROR_LINES 5

/* What happened to one zone during a direct-compaction stall. */
struct ct_stall_zone {
	int32_t nid;
	char zone[CT_ZONE_LEN];
	int16_t status;		/* enum ct_status: deferred, skipped or the run's end status */
};

struct ct_stall {
	uint64_t ts_ns, latency_ns;
	int32_t pid, order, priority;
	uint8_t prio_is_mode;
	char comm[CT_COMM_LEN];
	char gfp[CT_GFP_TEXT_LEN];
	int16_t result;		/* enum ct_status: max over zones, as the kernel computes it */
	uint8_t nzones, zones_truncated;
	struct ct_stall_zone zones[CT_STALL_ZONES];
	uint32_t runs;
};

/*
 * One compact_zone() call, begin to end on one task. A run whose begin was
 * lost (the trace starts inside it) has begin_known 0: begin_ns and the
 * scanners' start positions are then those of its end, and it has no
 * duration.
 */
struct ct_run {
	uint64_t begin_ns, end_ns;
	uint8_t begin_known;
	int32_t pid, nid, order;
	char comm[CT_COMM_LEN];
	char zone[CT_ZONE_LEN];
	uint64_t zone_start, zone_end;
	uint64_t migrate_start, migrate_end, free_start, free_end;
	uint8_t mode;		/* enum ct_mode */
	uint8_t trigger;	/* enum ct_trigger */
	uint8_t scanners_met;
	int16_t status;		/* enum ct_status */
	uint64_t migrate_scanned, migrate_isolated;
	uint64_t free_scanned, free_isolated;	/* includes fast_isolate_freepages */
	uint64_t fast_free_scanned, fast_free_isolated;
	uint64_t migrated, migrate_failed;
	uint32_t isolate_migrate_steps, isolate_free_steps, migrate_steps;
};

struct ct_totals {	/* named like /proc/vmstat */
	uint64_t compact_migrate_scanned, compact_free_scanned, compact_isolated;
	uint64_t compact_stall, compact_daemon_wake;
	uint64_t compact_daemon_migrate_scanned, compact_daemon_free_scanned;
};

struct ct_event_count {
	char *name;
	uint64_t count;
};

struct ct_source_summary {
	char *path;
	char *format;
	uint64_t events;	/* kernel events (not parse errors / lost markers) */
	uint64_t first_ts_ns, last_ts_ns;
	struct ct_event_count *names;	/* sorted by name when the source ends */
	uint32_t nnames, names_cap;
	uint64_t names_overflow;	/* events whose names did not fit the table */
};

struct ct_run_summary {
	uint64_t count;		/* every run whose end was seen */
	uint64_t by_trigger[CT_TRIGGER_COUNT];
	uint64_t by_status[CT_STATUS_COUNT];
	uint64_t by_mode[CT_MODE_COUNT];
	uint64_t by_order[CT_ORDER_SLOTS];
	uint64_t order_unknown;
	uint64_t migrated, migrate_failed, scanners_met;
	struct ct_latency duration;	/* runs with a known begin only: count <= @count */
	struct ct_latency duration_by_trigger[CT_TRIGGER_COUNT];
	struct ct_latency duration_by_status[CT_STATUS_COUNT];
	struct ct_run slowest[CT_SLOWEST];	/* sorted, slowest first; runs with a known begin */
	uint32_t nslowest;
};

struct ct_stall_summary {
	uint64_t count;
	uint64_t by_order[CT_ORDER_SLOTS];
	uint64_t by_result[CT_STATUS_COUNT];
	uint64_t no_zone_events;	/* try_to_compact_pages with nothing after it */
	struct ct_latency latency;
	struct ct_latency latency_by_order[CT_ORDER_SLOTS];
	struct ct_stall slowest[CT_SLOWEST];
	uint32_t nslowest;
};

struct ct_zone_summary {
	int32_t nid;
	char zone[CT_ZONE_LEN];
	uint64_t zone_start_pfn, zone_end_pfn;	/* from the last run seen */
	uint64_t runs;
	uint64_t by_status[CT_STATUS_COUNT];
	uint64_t by_trigger[CT_TRIGGER_COUNT];
	uint64_t migrate_scanned, free_scanned, isolated, migrated, migrate_failed;
	uint64_t scanners_met;
	uint64_t deferred[CT_ORDER_SLOTS], defer_compaction[CT_ORDER_SLOTS];
	uint64_t defer_reset[CT_ORDER_SLOTS];
	uint32_t max_defer_limit;	/* the largest limit= seen */
	uint64_t suitable_by_ret[CT_STATUS_COUNT];
	uint64_t finished_by_ret[CT_STATUS_COUNT];
};

struct ct_kcompactd_summary {
	int32_t nid;
	uint64_t wakeup_requests, wakes, sleeps;
	uint64_t awake_ns;
	uint64_t runs, proactive_runs;
	uint64_t runs_by_status[CT_STATUS_COUNT];
	int awake;		/* state at the end: between a wake and a sleep */
	uint64_t awake_since_ns;
};

struct ct_pair_count {
	int32_t alloc, fallback;
	uint64_t count;
};

struct ct_extfrag_summary {
	uint64_t events, fragmenting, change_ownership;
	uint64_t by_pair[CT_MIGRATETYPES][CT_MIGRATETYPES];	/* [alloc][fallback] */
	uint64_t by_alloc_order[CT_ORDER_SLOTS];
	uint64_t pageblocks_polluted;	/* distinct pageblocks with a fragmenting fallback */
	uint64_t printed_fragmenting_disagrees;	/* tool text printed a wrong fragmenting= */
	int pageblock_order;	/* the host fact the engine was given */
	enum ct_fact_source pageblock_order_source;
};

struct ct_quality {
	uint64_t lost_events;		/* counted losses */
	uint64_t lost_markers;		/* places where events were lost */
	uint64_t lost_unknown;		/* places where an unknown number was lost */
	uint64_t unmatched_begin, unmatched_end;
	uint64_t out_of_order;
	uint64_t unknown_events;
	uint64_t parse_errors;
	uint64_t isolate_outside_run;	/* e.g. alloc_contig_range (CMA, gigantic pages) */
	uint64_t bad_values;		/* orders, migratetypes, nodes, pfns or page counts outside any kernel's range */
	uint64_t parse_error_where[CT_PARSE_ERROR_LINES];
	char *parse_error_path[CT_PARSE_ERROR_LINES];
	uint32_t nparse_error_where;
};

struct ct_results {
	struct ct_source_summary *sources;
	uint32_t nsources;
	struct ct_totals totals;
	struct ct_run_summary runs;
	struct ct_stall_summary stalls;
	struct ct_zone_summary *zones;	/* sorted by node, then zone start */
	uint32_t nzones;
	struct ct_kcompactd_summary *kcompactd;	/* sorted by node */
	uint32_t nkcompactd;
	struct ct_extfrag_summary extfrag;
	struct ct_quality quality;
	uint64_t events;		/* kernel events processed over all sources */
	uint64_t filtered_out;		/* events dropped by --pid/--comm */
};

struct ct_engine;
struct ct_sink;

struct ct_engine_opts {
	int32_t filter_pid;		/* -1: all */
	const char *filter_comm;	/* NULL: all */
	int pageblock_order;		/* the host fact (compactrace/facts.h); 0: the x86-64 default */
	enum ct_fact_source pageblock_order_source;
	/*
	 * Consumers told about every run, stall, fallback, awake period and
	 * accepted event as it happens (compactrace/sink.h); copied, in this
	 * order. The sinks' contexts are not owned.
	 */
	const struct ct_sink *sinks;
	uint32_t nsinks;
};

/**
 * ct_engine_new() - create an engine
 * @opts: options, copied; NULL for defaults
 *
 * Returns NULL on allocation failure. Free with ct_engine_free().
 */
struct ct_engine *ct_engine_new(const struct ct_engine_opts *opts);

/** ct_engine_free() - free the engine and its results; accepts NULL */
void ct_engine_free(struct ct_engine *eng);

/**
 * ct_engine_begin_source() - start a new input; strings are copied
 *
 * Each source is replayed on its own: state open at the end of one source
 * never matches events of the next.
 */
int ct_engine_begin_source(struct ct_engine *eng, const char *path, const char *format);

/** ct_engine_feed() - process one event; returns 0, -CT_E_NOMEM or the first error a sink returned */
int ct_engine_feed(struct ct_engine *eng, const struct ct_event *ev);

/**
 * ct_engine_end_source() - the input ended: close what is still open
 *
 * Runs without an end count as unmatched_begin; open stalls and kcompactd
 * awake periods end at the source's last timestamp.
 */
int ct_engine_end_source(struct ct_engine *eng);

#define CT_ENGINE_QUIET_TASKS 1024	/* tasks kept before ct_engine_close_idle() drops quiet ones */

/**
 * ct_engine_close_idle() - for a live stream, which never ends
 * @now_ns: every event up to here has been fed
 * @idle_ns: a direct stall whose task has had no event for this long (and
 *           no run open) is closed, as the end of the input would close it
 *
 * Also forgets tasks with nothing open once more than
 * CT_ENGINE_QUIET_TASKS are known, so memory does not grow with the pids
 * a host goes through. Returns 0, -CT_E_NOMEM or a sink's error.
 */
int ct_engine_close_idle(struct ct_engine *eng, uint64_t now_ns, uint64_t idle_ns);

/** ct_engine_results() - the results so far; owned by @eng, valid until the next call that changes it */
const struct ct_results *ct_engine_results(const struct ct_engine *eng);

/** ct_trigger_name() / ct_mode_name() - static strings */
const char *ct_trigger_name(enum ct_trigger trigger);
const char *ct_mode_name(enum ct_mode mode);

#endif
