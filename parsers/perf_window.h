/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef CT_PARSERS_PERF_WINDOW_H
#define CT_PARSERS_PERF_WINDOW_H

/*
 * perf.data's data section read a window at a time into buffers that are
 * used again, instead of walked in the file's mapping: the first touch of
 * each mapped page (a fault, a cold page walk in a VM) was the largest
 * single cost of reading perf.data (README "Speed"). A record never
 * straddles two windows: the part of one that does not fit is read again
 * at the start of the next. Queued records point into the windows (and
 * chunks into the mapping's); a window is used again only once everything
 * before a file offset the caller names (its "low" mark) is done with.
 *
 * Copies pay only while the windows in use fit in the cache, and perf
 * record's rounds (what the reorder queue must hold) reach tens of MB
 * with large ring buffers: past PF_WINDOWS_COPIED bytes in use, the next
 * windows are the mapping itself, released behind as they were before.
 */

#include <stddef.h>
#include <stdint.h>

#include "bin.h"

struct pf_window {
	unsigned char *buf;	/* NULL: a stretch of the mapping */
	uint64_t off;		/* the data offset of its first byte */
	size_t len;		/* bytes read into it */
};

struct pf_windows {
	struct ct_bin_map *map;	/* read with ct_bin_map_read() */
	struct pf_window *ring;	/* in use, oldest first: ring[(head + i) % cap] */
	uint32_t head, n, cap;
	unsigned char **spare;	/* buffers ready for the next windows: [cap] */
	uint32_t nspare;
	size_t in_use;		/* bytes in the windows */
	uint64_t released;	/* the mapping is released up to here */
	/* the newest window: where records are read now */
	const unsigned char *cur;
	uint64_t cur_off, cur_end;
	int cur_mapped;
};

/* @map: its fd must be readable (map->fd >= 0) */
void pf_windows_init(struct pf_windows *w, struct ct_bin_map *map);
void pf_windows_free(struct pf_windows *w);

/*
 * The bytes at data offset @pos, at least @need of them (< 64 KiB) in one
 * piece, unless the file ends first: *@have says how many there are, at
 * most @end - @pos. Valid until the next call that reads a new window.
 * @low: called when a new window is needed; the lowest offset still
 * pointed at (windows wholly below it are used again). NULL on a read
 * error (errno) or for lack of memory (*@have is then 0 and errno ENOMEM).
 */
const unsigned char *pf_windows_slow(struct pf_windows *w, uint64_t pos, size_t need, uint64_t end,
				     uint64_t (*low)(void *ctx), void *ctx, size_t *have);

/* whether @p lies in one of the buffers read into (not a stretch of the mapping) */
int pf_windows_hold(const struct pf_windows *w, const unsigned char *p);

static inline const unsigned char *pf_windows_at(struct pf_windows *w, uint64_t pos, size_t need,
						 uint64_t end, uint64_t (*low)(void *ctx), void *ctx,
						 size_t *have)
{
	if (pos >= w->cur_off && pos + need <= w->cur_end) {
		/* the mapping's next page into the cache while this one's records are parsed */
		if (w->cur_mapped && w->cur_end - pos > 4096)
			__builtin_prefetch(w->cur + (pos - w->cur_off) + 4096);
		*have = (size_t)(w->cur_end - pos);
		return w->cur + (pos - w->cur_off);
	}
	return pf_windows_slow(w, pos, need, end, low, ctx, have);
}

#endif
