/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef CT_MONITOR_SPOOL_H
#define CT_MONITOR_SPOOL_H

#include <stddef.h>
#include <stdint.h>

/*
 * The flight recorder's rolling spool: the raw ring-buffer pages the
 * monitor read, in memory, oldest first, kept while they are younger than
 * the time bound and the total fits the size bound (the oldest go first).
 * Pages are kept as the kernel gave them, without the unused tail of a
 * partial page; they are padded again when written out.
 */

struct ct_spool;

struct ct_spool_page {
	int cpu;
	uint64_t first_ns;	/* the page header's timestamp: no event on it is earlier */
	uint64_t read_ns;	/* when it was read: no event on it is later */
	uint32_t len;
	const unsigned char *data;
};

/** ct_spool_new() - keep pages for @keep_ns and at most @max_bytes; NULL on allocation failure */
struct ct_spool *ct_spool_new(uint64_t keep_ns, uint64_t max_bytes);

/** ct_spool_free() - accepts NULL */
void ct_spool_free(struct ct_spool *s);

/**
 * ct_spool_add() - keep a copy of @len bytes of a page of CPU @cpu
 * @first_ns: its header timestamp; @read_ns: the time it was read
 *
 * Drops pages older than @read_ns - keep_ns, and the oldest beyond the
 * size bound. Returns 0 or -CT_E_NOMEM.
 */
int ct_spool_add(struct ct_spool *s, int cpu, const void *data, size_t len, uint64_t first_ns, uint64_t read_ns);

/** ct_spool_hold() - while held (a capture is being assembled), nothing at or after @from_ns is dropped for age */
void ct_spool_hold(struct ct_spool *s, uint64_t from_ns);
void ct_spool_release(struct ct_spool *s);

/**
 * ct_spool_walk() - call @fn for every page that may hold events in [@from_ns, @to_ns], oldest first
 *
 * Returns 0 or what @fn returned when negative.
 */
int ct_spool_walk(const struct ct_spool *s, uint64_t from_ns, uint64_t to_ns,
		  int (*fn)(void *ctx, const struct ct_spool_page *p), void *ctx);

/** ct_spool_stats() - bytes and pages held, the oldest page's time (0: empty), pages dropped for size */
void ct_spool_stats(const struct ct_spool *s, uint64_t *bytes, uint64_t *pages, uint64_t *oldest_ns,
		    uint64_t *dropped_for_size);

/** ct_page_header_ts() - the timestamp in a raw page's header (the first 8 bytes, host order) */
uint64_t ct_page_header_ts(const void *page, size_t len);

#endif
