/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef COMPACTRACE_SESSION_H
#define COMPACTRACE_SESSION_H

#include <stddef.h>
#include <stdint.h>

#include "compactrace/engine.h"
#include "compactrace/facts.h"
#include "compactrace/model.h"
#include "compactrace/report.h"
#include "compactrace/sink.h"
#include "compactrace/snapshot.h"
#include "compactrace/source.h"
#include "compactrace/vmstat_check.h"

/*
 * A session is the one pipeline every command assembles: inputs →
 * snapshots → host facts → engine → sinks (the shadow buddy model first,
 * then whatever the command subscribed: NDJSON, top's interval model, the
 * monitor's metrics) → at the end the vmstat check and the results the
 * whole-report renderers read. `report`, `record`'s summary, `top` (replay
 * and live) and `monitor` give the same numbers for the same events
 * because they all go through here.
 *
 * Order of calls: ct_session_new(); snapshots (ct_session_load_*) and
 * sinks (ct_session_add_sink()); then the inputs (ct_session_replay_file(),
 * ct_session_replay() or, for a live stream, ct_session_begin_source() /
 * ct_session_feed() / ct_session_end_source()); ct_session_finish(); read
 * the results. Not thread-safe: a caller with threads holds its own lock.
 *
 * Host facts are settled before any consumer sees an event: from the
 * command line, else a snapshot, else the trace (the kernel's own text
 * prints pageblock_order= in extfrag events: the session reads ahead up
 * to CT_SESSION_LOOKAHEAD events or CT_SESSION_LOOKAHEAD_NS of trace time
 * of the first input for it), else the x86-64 default.
 */

#define CT_SESSION_LOOKAHEAD 16384
#define CT_SESSION_LOOKAHEAD_NS 1000000000ULL
#define CT_SESSION_MAX_SINKS 15
#define CT_SESSION_MAX_KEPT 4

struct ct_session_opts {
	int has_filter_pid;		/* 1: only events of @filter_pid */
	int32_t filter_pid;
	const char *filter_comm;	/* only events of tasks with this name; NULL: all; copied */
	int pageblock_order;		/* given on the command line; 0: not given */
	int has_extfrag_threshold;	/* 1: @extfrag_threshold was given on the command line */
	int extfrag_threshold;
	int no_model;			/* 1: no shadow buddy model */
	int keep_pageblocks;		/* the model keeps a row per pageblock (JSON --pageblocks) */
	uint64_t model_max_bytes;	/* the model's memory limit; 0: its default */
	int threads;			/* replays: 1 decodes on the caller's thread; 0 decides
					   (two threads on a multi-CPU host unless CT_THREADS=1) */
};

struct ct_session;

/**
 * ct_session_new() - an empty session
 * @opts: copied; NULL for defaults (everything, model on)
 *
 * Returns NULL on allocation failure. Free with ct_session_free().
 */
struct ct_session *ct_session_new(const struct ct_session_opts *opts);

/** ct_session_free() - free the session, its engine, model and snapshots; accepts NULL */
void ct_session_free(struct ct_session *s);

/**
 * ct_session_load_snapshot_dirs() - --snapshot-start DIR and --snapshot-end DIR
 * @err: a one-line message naming the file on failure
 *
 * Before the first event. Returns 0 or a negative CT_E_* code.
 */
int ct_session_load_snapshot_dirs(struct ct_session *s, const char *start_dir, const char *end_dir,
				  char *err, size_t errlen);

/**
 * ct_session_load_snapshot_source() - the snapshots a recording carries
 *
 * Both "snapshot-start" and "snapshot-end" must be there to be used.
 * Before the first event. Returns 1 when loaded, 0 when @src has none, or
 * a negative CT_E_* code (@err says what and where).
 */
int ct_session_load_snapshot_source(struct ct_session *s, const struct ct_source *src,
				    char *err, size_t errlen);

/**
 * ct_session_load_snapshot_set() - one snapshot from blobs in memory
 * @which: CT_SNAPSHOT_START or CT_SNAPSHOT_END (the set's prefix)
 * @where: what messages call the set (e.g. "/proc")
 *
 * For the live host (src/capture reads /proc into the set) and for a
 * recording's snapshots before they are written. Replaces a snapshot
 * loaded before. The start snapshot before the first event; the end one
 * before ct_session_finish(). Returns 1 loaded, 0 none, or <0 (@err).
 */
int ct_session_load_snapshot_set(struct ct_session *s, const char *which,
				 const struct ct_attach_set *set, const char *where,
				 char *err, size_t errlen);

/** ct_session_snapshot() - the start (0) or end (1) snapshot, or NULL; owned by @s */
const struct ct_snapshot *ct_session_snapshot(const struct ct_session *s, int end);

/**
 * ct_session_warning() - why the model runs without snapshots (a damaged
 * item), or NULL; owned by @s. The command prints it.
 */
const char *ct_session_warning(const struct ct_session *s);

/**
 * ct_session_add_sink() - subscribe a consumer (compactrace/sink.h)
 *
 * Before the first event; sinks are told in the order added, after the
 * model. @sink is copied; its context stays the caller's. Returns 0 or
 * -CT_E_INVAL (too many, or events already flow).
 */
int ct_session_add_sink(struct ct_session *s, const struct ct_sink *sink);

/**
 * ct_session_keep_attachment() - keep a copy of attachment @name of every file replayed
 *
 * For what a command reads from a recording besides events (the task map,
 * a capture's description). Before the inputs. Returns 0, -CT_E_INVAL (too
 * many) or -CT_E_NOMEM.
 */
int ct_session_keep_attachment(struct ct_session *s, const char *name);

/**
 * ct_session_attachment() - the copy kept (NUL-terminated after @len bytes), or NULL
 *
 * From the last input that had one; owned by @s.
 */
const void *ct_session_attachment(const struct ct_session *s, const char *name, size_t *len);

/**
 * ct_session_begin_source() / ct_session_feed() / ct_session_end_source()
 * - a stream of events (live trace_pipe, a replay paced by the caller)
 *
 * @path, @format: what sources[] calls the input (copied).
 * Returns 0 or a negative CT_E_* code (-CT_E_NOMEM, or a sink's error).
 */
int ct_session_begin_source(struct ct_session *s, const char *path, const char *format);
int ct_session_feed(struct ct_session *s, const struct ct_event *ev);
int ct_session_end_source(struct ct_session *s);

/**
 * ct_session_close_idle() - a live stream's stalls whose task went quiet (see ct_engine_close_idle())
 *
 * Returns 0 or a negative CT_E_* code.
 */
int ct_session_close_idle(struct ct_session *s, uint64_t now_ns, uint64_t idle_ns);

/**
 * ct_session_replay() - every event of @src as one input
 * @err: on failure, a one-line message naming the file (and where)
 *
 * @src stays the caller's. An input of which no line parsed as an event
 * is an error (-CT_E_PARSE). Unless @opts.threads is 1 (or CT_THREADS=1,
 * or one CPU), @src is read on a second thread while this one runs the
 * engine and the sinks; either way the results are the same, and @src is
 * the caller's again when this returns. Returns 0 or a negative CT_E_* code.
 */
int ct_session_replay(struct ct_session *s, struct ct_source *src, char *err, size_t errlen);

/**
 * ct_session_replay_file() - open @path (format detected, or @format) and replay it
 * @snapshots: 1 to take the snapshots the file carries (when none were loaded)
 *
 * Returns 0 or a negative CT_E_* code (@err names the file).
 */
int ct_session_replay_file(struct ct_session *s, const char *path, const char *format, int snapshots,
			   char *err, size_t errlen);

/**
 * ct_session_finish() - the inputs are done: settle the facts, run the vmstat check
 *
 * Returns 0 or -CT_E_NOMEM.
 */
int ct_session_finish(struct ct_session *s);

/** ct_session_facts() - the host facts as settled so far; owned by @s */
const struct ct_host_facts *ct_session_facts(const struct ct_session *s);

/** ct_session_results() - the engine's results so far (empty before the first event); owned by @s */
const struct ct_results *ct_session_results(const struct ct_session *s);

/** ct_session_model() - the shadow buddy model, or NULL (none, or not made yet); owned by @s */
struct ct_model *ct_session_model(const struct ct_session *s);

/**
 * ct_session_vmstat() - the vmstat check after ct_session_finish(), or NULL
 *
 * NULL without a start and an end vmstat, or with --pid/--comm (the totals
 * are then not the host's). Owned by @s.
 */
const struct ct_vmstat_check *ct_session_vmstat(const struct ct_session *s);

/**
 * ct_session_report_input() - everything the whole-report renderers read
 * @in: filled in; every pointer in it is owned by @s (the model's results
 *      are computed here)
 *
 * After ct_session_finish(). The caller sets the presentation fields
 * (filter description, --map, --pageblocks, one_line). Returns 0 or
 * -CT_E_NOMEM.
 */
int ct_session_report_input(struct ct_session *s, struct ct_report_input *in);

#endif
