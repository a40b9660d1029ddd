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

#endif
