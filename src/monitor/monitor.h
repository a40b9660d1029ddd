/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef CT_MONITOR_MONITOR_H
#define CT_MONITOR_MONITOR_H

#include <signal.h>
#include <stddef.h>
#include <stdint.h>

#include "monitor/recorder.h"

/*
 * `compactrace monitor` assembled: the tracer (live.h) hands raw pages to
 * the page decoder (compactrace/pages.h), whose events go through a
 * session (no shadow model) to the metrics sink; a scrape renders the sink
 * and the session's results under the same lock the reader feeds under.
 * The command (src/tool/cmd_monitor.c) parses options, runs the loop and
 * serves HTTP.
 */

struct ct_monitor_opts {
	int by_cgroup;
	uint32_t cgroup_limit;
	size_t buffer_kb;
	int buffer_percent;
	int interval_ms;		/* the longest the reader sleeps between reads */
	const struct ct_recorder_opts *capture;	/* the flight recorder, or NULL */
};

struct ct_monitor;

typedef void (*ct_monitor_note_fn)(void *ctx, const char *msg);

/**
 * ct_monitor_new() - set up tracing (still off), the decoder, the session and the metrics
 * @note: told about things worth a log line; may be NULL
 *
 * Returns 0 or a negative CT_E_* code (@err says why). Free with ct_monitor_free().
 */
int ct_monitor_new(const struct ct_monitor_opts *o, ct_monitor_note_fn note, void *ctx,
		   struct ct_monitor **out, char *err, size_t errlen);

/** ct_monitor_free() - undo everything (instance removed, events off); accepts NULL */
void ct_monitor_free(struct ct_monitor *m);

/** ct_monitor_start() - tracing on, the start of the vmstat window; 0 or <0 (@err) */
int ct_monitor_start(struct ct_monitor *m, char *err, size_t errlen);

/**
 * ct_monitor_step() - sleep until pages are due (or a signal outside @sigmask), read, decode, feed
 *
 * Returns 0 or a negative CT_E_* code (@err).
 */
int ct_monitor_step(struct ct_monitor *m, const sigset_t *sigmask, char *err, size_t errlen);

/** ct_monitor_finish() - tracing off, the rest read and fed, the input closed; 0 or <0 (@err) */
int ct_monitor_finish(struct ct_monitor *m, char *err, size_t errlen);

/**
 * ct_monitor_close() - as ct_monitor_free()'s teardown, saying what could not be undone
 * Returns 0 or -CT_E_IO (@err). Only ct_monitor_free() may follow.
 */
int ct_monitor_close(struct ct_monitor *m, char *err, size_t errlen);

/**
 * ct_monitor_scrape() - the exposition now (thread-safe)
 * @body: receives a malloc()ed text the caller frees
 * @type: receives its Content-Type (static)
 *
 * Returns 0 or -CT_E_NOMEM.
 */
int ct_monitor_scrape(struct ct_monitor *m, int openmetrics, char **body, size_t *len, const char **type);

/**
 * ct_monitor_capture() - take a capture by hand (thread-safe)
 * @reason: "manual" (SIGUSR1) or "http" (POST /capture)
 * @msg: a line for the requester
 *
 * Returns 0, or -CT_E_INVAL (no flight recorder, or capturing stopped: @msg).
 */
int ct_monitor_capture(struct ct_monitor *m, const char *reason, char *msg, size_t msglen);

/** ct_monitor_instance() - the tracefs instance's name; owned by @m */
const char *ct_monitor_instance(const struct ct_monitor *m);

/** ct_monitor_counts() - events fed and pages read so far (thread-safe) */
void ct_monitor_counts(struct ct_monitor *m, uint64_t *events, uint64_t *pages);

#endif
