/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef CT_MONITOR_RECORDER_H
#define CT_MONITOR_RECORDER_H

#include <stddef.h>
#include <stdint.h>

#include "compactrace/metrics.h"
#include "compactrace/pages.h"
#include "compactrace/sink.h"

/*
 * The flight recorder (`monitor --capture-dir`): the raw pages the monitor
 * reads also go into a rolling spool (spool.h); a condition seen by its
 * sink (a slow stall or run, a failed stall, a fragmenting fallback) or a
 * request by hand arms a capture of [trigger - before, trigger + after];
 * triggers meanwhile extend it. Once every event up to its end has been
 * read, the window's pages, the /proc snapshots taken at the trigger and a
 * "capture" attachment are written as one trace.dat in the directory
 * (DIR/.compactrace-PID-partial-NAME first, renamed when complete), the
 * oldest captures are removed beyond the count and size limits, and a full
 * disk stops capturing with a message, never the monitor.
 */

enum ct_cond_kind { CT_COND_STALL, CT_COND_RUN, CT_COND_FAIL, CT_COND_FALLBACK };

struct ct_capture_cond {
	enum ct_cond_kind kind;
	uint64_t over_ns;		/* stall>, run>: longer than this */
	char text[64];			/* as given, for the attachment */
};

#define CT_RECORDER_MAX_CONDS 8

struct ct_recorder_opts {
	const char *dir;
	struct ct_capture_cond conds[CT_RECORDER_MAX_CONDS];
	int nconds;
	uint64_t before_ns, after_ns, min_interval_ns;
	uint32_t max_files;		/* 0: no limit */
	uint64_t max_bytes;		/* 0: no limit */
	uint64_t spool_bytes;
};

/**
 * ct_capture_cond_parse() - "stall>20ms", "run>1s", "fail", "fallback"
 * Returns 0 or -CT_E_INVAL (@err says why).
 */
int ct_capture_cond_parse(const char *text, struct ct_capture_cond *c, char *err, size_t errlen);

/** ct_parse_duration() - "500us", "20ms", "30s", "2m", "1h" in ns; 0 or -CT_E_INVAL */
int ct_parse_duration(const char *text, uint64_t *ns);

/** ct_parse_size() - "512", "64K", "100M", "2G" in bytes; 0 or -CT_E_INVAL */
int ct_parse_size(const char *text, uint64_t *bytes);

struct ct_recorder;

typedef void (*ct_recorder_note_fn)(void *ctx, const char *msg);

/* What the recorder asks the monitor for when it writes a capture. */
struct ct_recorder_host {
	const struct ct_pages_formats *formats;
	int ncpus;
	uint32_t page_size;
	char *(*trace_clock)(void *ctx);		/* malloc()ed; NULL: unknown */
	char *(*cmdlines)(void *ctx, size_t *len);	/* malloc()ed; NULL: none */
	void *ctx;
	ct_recorder_note_fn note;
};

/**
 * ct_recorder_new() - check the directory (created if missing), remove what a killed monitor left
 * Returns 0 or a negative CT_E_* code (@err). Free with ct_recorder_free().
 */
int ct_recorder_new(const struct ct_recorder_opts *o, const struct ct_recorder_host *h,
		    struct ct_recorder **out, char *err, size_t errlen);

/** ct_recorder_free() - accepts NULL */
void ct_recorder_free(struct ct_recorder *r);

/** ct_recorder_sink() - the sink that watches for the conditions */
struct ct_sink ct_recorder_sink(struct ct_recorder *r);

/** ct_recorder_page() - spool one raw page (the bytes are copied); 0 or -CT_E_NOMEM */
int ct_recorder_page(struct ct_recorder *r, int cpu, const void *page, size_t len, uint64_t read_ns);

/**
 * ct_recorder_request() - a capture by hand ("manual": SIGUSR1, "http": POST /capture)
 * @now_ns: the trace clock now
 *
 * Returns 0 (armed or extended) or -CT_E_INVAL when capturing has stopped (@msg says why).
 */
int ct_recorder_request(struct ct_recorder *r, const char *reason, uint64_t now_ns, char *msg, size_t msglen);

/**
 * ct_recorder_tick() - after the events up to @watermark_ns were fed
 * @now_ns: the trace clock now
 *
 * Takes the snapshots of a new trigger, and writes the capture once its
 * window has been read. Never fails the monitor: problems are notes and
 * counters. Returns 1 when a capture was written, else 0.
 */
int ct_recorder_tick(struct ct_recorder *r, uint64_t watermark_ns, uint64_t now_ns);

/** ct_recorder_metrics() - fill the capture fields of a scrape's host struct (pointers owned by @r) */
void ct_recorder_metrics(struct ct_recorder *r, struct ct_metrics_host *h);

#endif
