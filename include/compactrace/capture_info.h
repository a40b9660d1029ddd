/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef COMPACTRACE_CAPTURE_INFO_H
#define COMPACTRACE_CAPTURE_INFO_H

#include <stddef.h>
#include <stdint.h>

#include "compactrace/engine.h"
#include "compactrace/sink.h"

/*
 * What a flight-recorder capture (`monitor --capture-dir`) says about
 * itself: the attachment "capture" of its trace.dat, "KEY VALUE" lines:
 *
 *   reason stall|run|fail|fallback|manual|http
 *   condition stall>2ms            (what held; "manual"/"http" by hand)
 *   trigger_ts_ns N                (trace clock: CLOCK_MONOTONIC)
 *   window_start_ns N              trigger - --capture-before
 *   window_end_ns N                trigger + --capture-after, extended by later triggers
 *   data_start_ns N                the first page the spool still had (0: none)
 *   triggers N                     how many triggers this capture took in
 *   snapshot_ns N                  when the snapshots "snapshot-trigger/..." were read
 *   fired_by stall|run TS PID NS   the stall (its start) or run (its begin) that fired it
 *
 * `report` reads it back (a "capture" section, and the stall or run that
 * fired it marked) through ct_capture_info_parse() and the marker sink.
 */

#define CT_CAPTURE_ATTACHMENT "capture"
#define CT_CAPTURE_SNAPSHOT "snapshot-trigger"

struct ct_capture_info {
	char reason[16];
	char condition[64];
	uint64_t trigger_ts_ns, window_start_ns, window_end_ns, data_start_ns, snapshot_ns;
	uint32_t triggers;
	char fired_kind[8];		/* "stall", "run" or "" */
	uint64_t fired_ts_ns, fired_value_ns;
	int32_t fired_pid;
	/* filled by the marker sink when the stall or run passes by */
	int found;
	struct ct_stall stall;
	struct ct_run run;
};

/** ct_capture_info_format() - the attachment's text into @buf; returns its length, or -1 when it does not fit */
int ct_capture_info_format(char *buf, size_t len, const char *reason, const char *condition,
			   uint64_t trigger_ns, uint64_t window_start, uint64_t window_end, uint64_t data_start,
			   uint32_t triggers, uint64_t snapshot_ns, const char *fired_kind, uint64_t fired_ts,
			   int32_t fired_pid, uint64_t fired_ns);

/**
 * ct_capture_info_parse() - read the attachment's text
 * @err: says which line is wrong
 *
 * Returns 0 or -CT_E_PARSE (a line that is not KEY VALUE, a bad number, a
 * required key missing: reason, condition, trigger_ts_ns, window_start_ns, window_end_ns).
 */
int ct_capture_info_parse(const char *text, size_t len, struct ct_capture_info *ci, char *err, size_t errlen);

/* The marker: finds the stall or run that fired a capture as the events are replayed. */
struct ct_capture_marker {
	struct ct_capture_info info;
	int have;			/* the input is a capture */
	int bad;			/* its attachment could not be read (@err) */
	char err[256];
	/* the attachment, asked for when an input begins (after the session kept it) */
	const void *(*get)(void *ctx, const char *name, size_t *len);
	void *get_ctx;
};

/** ct_capture_marker_sink() - the sink; @m stays the caller's */
struct ct_sink ct_capture_marker_sink(struct ct_capture_marker *m);

/** ct_capture_fired_stall() / _run() - 1 when @st / @run is the one that fired the capture */
int ct_capture_fired_stall(const struct ct_capture_info *ci, const struct ct_stall *st);
int ct_capture_fired_run(const struct ct_capture_info *ci, const struct ct_run *run);

#endif
