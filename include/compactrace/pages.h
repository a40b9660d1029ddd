/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef COMPACTRACE_PAGES_H
#define COMPACTRACE_PAGES_H

#include <stddef.h>
#include <stdint.h>

#include "compactrace/event.h"

/*
 * A decoder of raw ring-buffer pages handed over one by one, for a live
 * stream: the monitor reads each CPU's pages from its tracefs instance
 * (src/capture), keeps them for its flight recorder and hands the same
 * bytes here; they are decoded once, through the same event-format
 * decoders as a trace.dat (parsers/bin_meta.c, libtraceevent), and the
 * CPUs are merged in timestamp order. No tracefs here: the caller gives
 * the format texts and the pages. Memory is the pages queued and not yet
 * decoded.
 */

struct ct_pages;

struct ct_pages_system {
	const char *name;		/* e.g. "compaction" */
	const char *const *formats;	/* events/<system>/<event>/format texts */
	const size_t *lens;
	uint32_t nformats;
};

struct ct_pages_formats {
	const char *header_page;	/* events/header_page */
	size_t header_page_len;
	const char *header_event;	/* events/header_event */
	size_t header_event_len;
	const struct ct_pages_system *systems;
	uint32_t nsystems;
};

/* The task name for @pid (pages carry pids only); NULL: "<...>". */
typedef const char *(*ct_pages_comm_fn)(void *ctx, int32_t pid);

/**
 * ct_pages_new() - a decoder for pages of @page_size bytes from @ncpus CPUs
 * @name: what messages call the stream (e.g. "compactrace-123")
 * @comm: names tasks; NULL: every task is "<...>"
 * @out: receives the decoder; free it with ct_pages_free()
 * @err: a one-line message on failure
 *
 * The texts are copied. Returns 0, -CT_E_PARSE (a header or format cannot
 * be read), -CT_E_INVAL or -CT_E_NOMEM.
 */
int ct_pages_new(const struct ct_pages_formats *f, int ncpus, uint32_t page_size, const char *name,
		 ct_pages_comm_fn comm, void *ctx, struct ct_pages **out, char *err, size_t errlen);

/** ct_pages_free() - free the decoder and the pages it holds; accepts NULL */
void ct_pages_free(struct ct_pages *d);

/**
 * ct_pages_add() - queue a copy of one page of CPU @cpu (@len <= page size)
 *
 * Pages of one CPU must come in the order the kernel gave them. Returns 0,
 * -CT_E_INVAL or -CT_E_NOMEM.
 */
int ct_pages_add(struct ct_pages *d, int cpu, const void *page, size_t len);

/**
 * ct_pages_next() - the next event in timestamp order, up to @upto_ns
 * @upto_ns: the caller has added every page holding an event at or before
 *           this time (a live reader: the time its last read of every CPU began)
 * @ev: filled in; its pointers stay valid until the next call
 *
 * Lost events (the kernel flags them on a page) come as CT_EV_LOST, a
 * corrupt page as CT_EV_PARSE_ERROR ("where" counts the CPU's bytes).
 * Returns 1 (an event), 0 (none at or before @upto_ns yet) or -CT_E_NOMEM.
 */
int ct_pages_next(struct ct_pages *d, uint64_t upto_ns, struct ct_event *ev);

/** ct_pages_queued() - bytes of pages queued and not yet decoded */
uint64_t ct_pages_queued(const struct ct_pages *d);

#endif
