/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef COMPACTRACE_REPORT_H
#define COMPACTRACE_REPORT_H

#include <stdio.h>

#include "compactrace/engine.h"
#include "compactrace/facts.h"
#include "compactrace/model.h"
#include "compactrace/sink.h"
#include "compactrace/vmstat_check.h"

struct ct_cgroup_tally;
struct ct_capture_info;

/* Everything a report sink prints; nothing in it is owned by the sink. */
struct ct_report_input {
	const struct ct_results *res;
	const struct ct_host_facts *facts;	/* the session's; NULL: not known */
	const struct ct_vmstat_check *vmstat;	/* NULL: no snapshots were given */
	const char *snapshot_start, *snapshot_end;	/* where the snapshots came from */
	const char *filter;	/* a description of --pid/--comm, or NULL */
	const struct ct_model_results *model;	/* the shadow buddy model, or NULL */
	const char *model_off;	/* why there is no model (printed), or NULL */
	int model_map;		/* text: print each zone's map (--map) */
	int model_pageblocks;	/* JSON: a row per pageblock (--pageblocks) */
	int one_line;		/* JSON: on one line (the last line of NDJSON) */
	const struct ct_cgroup_tally *by_cgroup;	/* stalls and fallbacks by cgroup, or NULL */
	const struct ct_capture_info *capture;	/* the input is a flight-recorder capture, or NULL */
	int by_cgroup_text;	/* text: print the by-cgroup table (--by cgroup) */
};

/*
 * Stalls and fallbacks by cgroup, for a recording that carries the task
 * map `record` keeps (capture/tasks.h): a sink counts by pid while the
 * events flow, and ct_cgroup_tally_resolve() groups the pids by the
 * cgroup the map gives them ("unknown" for a pid it lacks).
 */
struct ct_cgroup_row {
	char *cgroup;
	uint64_t stalls, stall_ns, stall_max_ns;
	uint64_t by_result[CT_STATUS_COUNT];
	uint64_t fallbacks, fragmenting;
};

/** ct_cgroup_tally_new() - an empty tally; NULL on allocation failure; free with ct_cgroup_tally_free() */
struct ct_cgroup_tally *ct_cgroup_tally_new(void);
/** ct_cgroup_tally_free() - accepts NULL */
void ct_cgroup_tally_free(struct ct_cgroup_tally *t);
/** ct_cgroup_tally_sink() - the sink counting stalls and fallbacks by pid */
struct ct_sink ct_cgroup_tally_sink(struct ct_cgroup_tally *t);
/**
 * ct_cgroup_tally_resolve() - group the pids by cgroup using @map ("PID START COMM<TAB>CGROUP" lines)
 *
 * Rows sorted by stall time, most first. Returns 0 or -CT_E_NOMEM.
 */
int ct_cgroup_tally_resolve(struct ct_cgroup_tally *t, const char *map, size_t len);
/** ct_cgroup_tally_rows() - the rows after ct_cgroup_tally_resolve(); owned by @t */
const struct ct_cgroup_row *ct_cgroup_tally_rows(const struct ct_cgroup_tally *t, uint32_t *n);

#define CT_JSON_SCHEMA_VERSION 1

/**
 * ct_report_text() - the report for people
 * Returns 0, or -CT_E_WRITE when writing to @out failed.
 */
int ct_report_text(FILE *out, const struct ct_report_input *in);

/**
 * ct_report_json() - the report for dashboards (schema: reports/compactrace-report.schema.json)
 * Returns 0, -CT_E_NOMEM or -CT_E_WRITE.
 */
int ct_report_json(FILE *out, const struct ct_report_input *in);

/**
 * ct_ndjson_run() / ct_ndjson_stall() - one JSON object per line for a completed run or stall
 * Returns 0, -CT_E_NOMEM or -CT_E_WRITE.
 */
int ct_ndjson_run(FILE *out, const struct ct_run *run);
int ct_ndjson_stall(FILE *out, const struct ct_stall *stall);

/* The NDJSON writer as a session sink: a line per run and stall as they complete. */
struct ct_ndjson_writer {
	FILE *out;
	int saved_errno;	/* errno of a failed write (EPIPE: the reader went away) */
};

/**
 * ct_ndjson_sink() - a sink writing to @w->out
 *
 * A failed write stops the session with -CT_E_WRITE (errno kept in
 * @w->saved_errno). @w stays the caller's.
 */
struct ct_sink ct_ndjson_sink(struct ct_ndjson_writer *w);

/*
 * The Perfetto timeline (Trace Event Format JSON for ui.perfetto.dev and
 * chrome://tracing) as a session sink: written as results arrive, memory
 * bounded by the tasks, zones and nodes seen.
 */
struct ct_session;
struct ct_perfetto;

/**
 * ct_perfetto_new() - a timeline written to @out
 * @session: where the shadow model's free blocks are read from as events
 *           flow (ct_session_model()); may be NULL
 *
 * @out and @session stay the caller's. Returns NULL on allocation
 * failure. Free with ct_perfetto_free().
 */
struct ct_perfetto *ct_perfetto_new(FILE *out, const struct ct_session *session);

/** ct_perfetto_free() - free @p (not its FILE); accepts NULL */
void ct_perfetto_free(struct ct_perfetto *p);

/**
 * ct_perfetto_sink() - @p as a session sink; @p stays the caller's
 *
 * A failed write stops the session with -CT_E_WRITE (see
 * ct_perfetto_saved_errno()).
 */
struct ct_sink ct_perfetto_sink(struct ct_perfetto *p);

/**
 * ct_perfetto_finish() - close the JSON: the data-quality counters of @in
 * go into its "metadata". Returns 0 or -CT_E_WRITE.
 */
int ct_perfetto_finish(struct ct_perfetto *p, const struct ct_report_input *in);

/** ct_perfetto_saved_errno() - errno of the first failed write, 0 none */
int ct_perfetto_saved_errno(const struct ct_perfetto *p);

/*
 * The HTML report: one self-contained page. What it draws over time (runs,
 * stalls, kcompactd, fallbacks, the scanners, the model's free blocks) is
 * gathered while the events flow by a series sink, in bounded memory
 * (summarised as it grows); the rest comes from struct ct_report_input.
 */
struct ct_html_series;

/**
 * ct_html_series_new() - an empty series; @session (may be NULL) is where
 * the shadow model's free counts are read from as events flow
 *
 * Returns NULL on allocation failure. Free with ct_html_series_free().
 */
struct ct_html_series *ct_html_series_new(const struct ct_session *session);

/** ct_html_series_free() - free @h; accepts NULL */
void ct_html_series_free(struct ct_html_series *h);

/** ct_html_series_sink() - @h as a session sink; @h stays the caller's */
struct ct_sink ct_html_series_sink(struct ct_html_series *h);

/**
 * ct_report_html() - the page, from @in and what @series gathered
 * Returns 0, -CT_E_NOMEM (the series ran out of memory) or -CT_E_WRITE.
 */
int ct_report_html(FILE *out, const struct ct_report_input *in, const struct ct_html_series *series);

#endif
