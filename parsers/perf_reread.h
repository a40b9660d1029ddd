/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef CT_PARSERS_PERF_REREAD_H
#define CT_PARSERS_PERF_REREAD_H

/*
 * perf.data read a second time, by the thread that decodes the samples
 * when another thread reads and orders the records (perf_data.c's chunks):
 * handing it the reading thread's copy cost it as much as the copy itself,
 * each line fetched from the other CPU's cache (README "Speed"), where its
 * own read of the file takes them from the page cache. Windows of
 * PF_REREAD_WINDOW bytes at multiples of it, direct mapped to a few
 * buffers: the samples come in time order from the records of one or two
 * rounds of perf record, a few hundred KB apart with its default buffers.
 */

#include <stddef.h>
#include <stdint.h>

#include "bin.h"

#ifndef PF_REREAD_WINDOW
#define PF_REREAD_WINDOW (256u << 10)
#endif
#ifndef PF_REREAD_SLOTS
#define PF_REREAD_SLOTS 4u	/* 1 MB: 2 x 512 KB alike, 4 x 512 KB, 3 x 1 MB and 4 x 128 KB slower */
#endif

struct pf_reread_slot {
	unsigned char *buf;	/* PF_REREAD_WINDOW + 64 KiB, allocated when first used */
	uint64_t k;		/* holds the data from k * PF_REREAD_WINDOW on */
	size_t len;		/* bytes read into it; 0: nothing yet */
};

struct pf_reread {
	struct ct_bin_map *map;	/* read with ct_bin_map_read(): map->fd >= 0 */
	uint64_t end;		/* of the data, as a data offset */
	struct pf_reread_slot slot[PF_REREAD_SLOTS];
};

void pf_reread_init(struct pf_reread *r, struct ct_bin_map *map, uint64_t end);
void pf_reread_free(struct pf_reread *r);

/* pf_reread_at() of what no window holds yet */
const unsigned char *pf_reread_slow(struct pf_reread *r, uint64_t pos, size_t len);

/*
 * The @len (< 64 KiB) bytes at data offset @pos, valid until the next
 * call; NULL when they cannot be read now: the file shrank (errno 0), a
 * read error or lack of memory (errno says which). Inline: once per sample.
 */
static inline const unsigned char *pf_reread_at(struct pf_reread *r, uint64_t pos, size_t len)
{
	uint64_t k = pos / PF_REREAD_WINDOW;
	const struct pf_reread_slot *s = &r->slot[k % PF_REREAD_SLOTS];
	size_t at = (size_t)(pos - k * PF_REREAD_WINDOW);

	if (s->len && s->k == k && at + len <= s->len)
		return s->buf + at;
	return pf_reread_slow(r, pos, len);
}

#endif
