// SPDX-License-Identifier: GPL-2.0-or-later
/* perf.data's data section read in windows (perf_window.h) */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "perf_window.h"

/*
 * Read at a time: reading the bench perf.data in 64 KB, 256 KB and 1 MB
 * pieces into one buffer and walking its records took 28, 22 and 28 ms
 * (walking its mapping: 50 ms, with prefetching). A buffer holds that and
 * the largest record (perf's u16 size) carried over from the last one.
 * The tests build with small sizes, for many windows of both kinds.
 */
#ifndef PF_WINDOW
#define PF_WINDOW (256u << 10)
#endif
#define PF_WINDOW_CAP (PF_WINDOW + 65536u)
#ifndef PF_WINDOW_MAPPED
#define PF_WINDOW_MAPPED (1u << 20)
#endif
#ifndef PF_WINDOWS_COPIED
#define PF_WINDOWS_COPIED (1u << 20)	/* in use, before the next window is the mapping's: bench perf.data 1, 2, 4 and 8 MB, 1 best */
#endif

void pf_windows_init(struct pf_windows *w, struct ct_bin_map *map)
{
	memset(w, 0, sizeof(*w));
	w->map = map;
}

void pf_windows_free(struct pf_windows *w)
{
	for (uint32_t i = 0; i < w->n; i++)
		free(w->ring[(w->head + i) % w->cap].buf);	/* NULL for the mapping's */
	for (uint32_t i = 0; i < w->nspare; i++)
		free(w->spare[i]);
	free(w->ring);
	free(w->spare);
	memset(w, 0, sizeof(*w));
}

int pf_windows_hold(const struct pf_windows *w, const unsigned char *p)
{
	for (uint32_t i = w->n; i-- > 0;) {	/* the newest first: most records popped are there */
		const struct pf_window *win = &w->ring[(w->head + i) % w->cap];

		if (win->buf && p >= win->buf && p < win->buf + win->len)
			return 1;
	}
	return 0;
}

/* windows wholly below @low, all but the newest, go to the spare buffers */
static void retire(struct pf_windows *w, uint64_t low)
{
	while (w->n > 1) {
		struct pf_window *old = &w->ring[w->head];

		if (old->off + old->len > low)
			break;
		if (old->buf) {
			w->spare[w->nspare++] = old->buf;	/* room: see take_buffer() */
		} else {
			/* whole pages only: from where the last release stopped */
			ct_bin_map_release(w->map, w->released, old->off + old->len);
			w->released = old->off + old->len;
		}
		w->in_use -= old->len;
		w->head = (w->head + 1) % w->cap;
		w->n--;
	}
}

/* a place in the ring for the next window */
static int ring_room(struct pf_windows *w)
{
	if (w->n == w->cap) {
		uint32_t cap = w->cap ? 2 * w->cap : 16;
		struct pf_window *ring = malloc(cap * sizeof(*ring));
		unsigned char **spare = realloc(w->spare, cap * sizeof(*spare));

		if (spare)
			w->spare = spare;
		if (!ring || !spare) {
			free(ring);
			return -1;
		}
		for (uint32_t i = 0; i < w->n; i++)
			ring[i] = w->ring[(w->head + i) % w->cap];
		free(w->ring);
		w->ring = ring;
		w->head = 0;
		w->cap = cap;	/* the spare buffers and the windows together never outnumber it */
	}
	return 0;
}

/* a buffer for the next window: the last one retired is the likeliest still in the cache */
static unsigned char *take_buffer(struct pf_windows *w)
{
	if (w->nspare)
		return w->spare[--w->nspare];
	return malloc(PF_WINDOW_CAP);
}

static const unsigned char *add_window(struct pf_windows *w, unsigned char *buf, const unsigned char *at,
				       uint64_t pos, size_t len, size_t *have)
{
	struct pf_window *nw = &w->ring[(w->head + w->n) % w->cap];

	w->n++;
	nw->buf = buf;
	nw->off = pos;
	nw->len = len;
	w->in_use += len;
	w->cur = at;
	w->cur_off = pos;
	w->cur_end = pos + len;
	w->cur_mapped = !buf;
	*have = len;
	return at;
}

/* the file still holds its first @to bytes of data */
static int still_there(const struct ct_bin_map *m, uint64_t to)
{
	struct stat sb;

	return fstat(m->fd, &sb) == 0 && sb.st_size >= 0 && (uint64_t)sb.st_size >= m->start + to;
}

const unsigned char *pf_windows_slow(struct pf_windows *w, uint64_t pos, size_t need, uint64_t end,
				     uint64_t (*low)(void *ctx), void *ctx, size_t *have)
{
	size_t carried = 0, want;
	unsigned char *buf;
	long got;

	*have = 0;
	if (pos >= end)
		return NULL;
	retire(w, low(ctx));
	if (ring_room(w) < 0) {
		errno = ENOMEM;
		return NULL;
	}
	if (w->in_use >= PF_WINDOWS_COPIED) {
		size_t len = need > PF_WINDOW_MAPPED ? need : PF_WINDOW_MAPPED;

		if (len > end - pos)
			len = (size_t)(end - pos);
		if (still_there(w->map, pos + len)) {
			ct_bin_map_prefetch(w->map, pos, len);	/* its pages mapped in one call */
			return add_window(w, NULL, w->map->base + pos, pos, len, have);
		}
		/* a file that shrank is read, not touched where it ended: that would be SIGBUS */
	}
	buf = take_buffer(w);
	if (!buf) {
		errno = ENOMEM;
		return NULL;
	}
	/* what the newest window read from @pos on is not read again */
	if (w->n && !w->cur_mapped && pos >= w->cur_off && pos < w->cur_end) {
		carried = (size_t)(w->cur_end - pos);
		memcpy(buf, w->cur + (pos - w->cur_off), carried);
	}
	want = need > carried + PF_WINDOW ? need - carried : PF_WINDOW;
	if (want > end - pos - carried)
		want = (size_t)(end - pos - carried);
	got = ct_bin_map_read(w->map, pos + carried, buf + carried, want);
	if (got < 0) {
		int e = errno;

		free(buf);
		errno = e;
		return NULL;
	}
	/* a short window: the file ends (or shrank) within @need */
	return add_window(w, buf, buf, pos, carried + (size_t)got, have);
}
