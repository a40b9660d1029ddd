/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef CT_MONITOR_LIVE_H
#define CT_MONITOR_LIVE_H

#include <signal.h>
#include <stddef.h>
#include <stdint.h>

#include "compactrace/pages.h"

/*
 * The monitor's tracer: a private tracefs instance with the live events
 * (src/capture), the event formats read once, and a loop step that reads
 * every CPU's raw pages, partial ones too, and hands each page to the
 * caller (who keeps it for the flight recorder and queues it for the
 * decoder). Nothing is decoded here.
 */

struct ct_live;

/* One raw page of CPU @cpu, as the kernel gave it; the bytes are the caller's only during the call. */
typedef int (*ct_live_page_fn)(void *ctx, int cpu, const void *page, size_t len);

struct ct_live_opts {
	size_t buffer_kb;		/* ring buffer per CPU */
	int buffer_percent;		/* wake the reader when a CPU's buffer is this full */
};

/**
 * ct_live_new() - set the instance up (tracing still off)
 * @note: told about what deserves a line on stderr (stale instances removed,
 *        events this kernel lacks); may be NULL
 *
 * Returns 0 or a negative CT_E_* code with @err saying why.
 */
int ct_live_new(const struct ct_live_opts *o, void (*note)(void *ctx, const char *msg), void *ctx,
		struct ct_live **out, char *err, size_t errlen);

/** ct_live_free() - tracing off, events off, instance removed; accepts NULL */
void ct_live_free(struct ct_live *l);

/** ct_live_close() - as ct_live_free() but says what could not be undone; 0 or -CT_E_IO */
int ct_live_close(struct ct_live *l, char *err, size_t errlen);

/** ct_live_formats() - the header and event formats, for a decoder or a trace.dat; owned by @l */
const struct ct_pages_formats *ct_live_formats(const struct ct_live *l);

int ct_live_ncpus(const struct ct_live *l);
uint32_t ct_live_page_size(const struct ct_live *l);
const char *ct_live_instance(const struct ct_live *l);

/** ct_live_start() - tracing on; returns 0 or -CT_E_IO */
int ct_live_start(struct ct_live *l);

/** ct_live_wait() - sleep until a CPU's buffer is buffer_percent full, a signal outside @sigmask, or @timeout_ms */
void ct_live_wait(struct ct_live *l, int timeout_ms, const sigset_t *sigmask);

/**
 * ct_live_read() - wait up to @timeout_ms (or for a signal outside @sigmask), then read every CPU
 * @final: tracing is turned off first and everything is read (at the end)
 * @watermark: receives the time before which every event has been handed
 *             over (the "mono" trace clock); UINT64_MAX after a final read
 *
 * Returns the number of pages handed over, or a negative CT_E_* code (a
 * read error, or what @page returned).
 */
long ct_live_read(struct ct_live *l, int timeout_ms, const sigset_t *sigmask, int final,
		  ct_live_page_fn page, void *ctx, uint64_t *watermark);

/**
 * ct_live_saved_comm() - the kernel's name for @pid from saved_cmdlines, or NULL
 *
 * For tasks gone before their events were decoded. Re-read at most once
 * per ct_live_read(). Owned by @l, valid until the next call.
 */
const char *ct_live_saved_comm(struct ct_live *l, int32_t pid);

/** ct_live_trace_clock() - the instance's trace_clock text (malloc()ed; the caller frees), or NULL */
char *ct_live_trace_clock(struct ct_live *l);

/** ct_live_cmdlines() - saved_cmdlines now (malloc()ed; the caller frees), or NULL */
char *ct_live_cmdlines(struct ct_live *l, size_t *len);

#endif
