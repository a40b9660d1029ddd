// SPDX-License-Identifier: GPL-2.0-or-later
/* perf.data's data read again by the decoding thread (perf_reread.h) */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "perf_reread.h"

#define PF_REREAD_CAP (PF_REREAD_WINDOW + 65536u)	/* a window and the largest record (u16 size) past it */

void pf_reread_init(struct pf_reread *r, struct ct_bin_map *map, uint64_t end)
{
	memset(r, 0, sizeof(*r));
	r->map = map;
	r->end = end;
}

void pf_reread_free(struct pf_reread *r)
{
	for (unsigned i = 0; i < PF_REREAD_SLOTS; i++)
		free(r->slot[i].buf);
	memset(r, 0, sizeof(*r));
}

const unsigned char *pf_reread_slow(struct pf_reread *r, uint64_t pos, size_t len)
{
	uint64_t k = pos / PF_REREAD_WINDOW, from = k * PF_REREAD_WINDOW;
	size_t at = (size_t)(pos - from), want;
	struct pf_reread_slot *s = &r->slot[k % PF_REREAD_SLOTS];
	long got;

	if (pos > r->end || len > r->end - pos) {
		errno = 0;
		return NULL;
	}
	if (!s->buf && !(s->buf = malloc(PF_REREAD_CAP))) {
		errno = ENOMEM;
		return NULL;
	}
	if (!s->len || s->k != k) {	/* a window of its own */
		s->k = k;
		s->len = 0;
	}
	/*
	 * The window and a little past it (4 KB), where most records that
	 * begin in it and reach into the next end (a second read for each cost
	 * more), or as much more as this record needs
	 */
	want = PF_REREAD_WINDOW + PF_REREAD_WINDOW / 64u;
	if (at + len > want)
		want = at + len;
	if (want > r->end - from)
		want = (size_t)(r->end - from);
	got = ct_bin_map_read(r->map, from + s->len, s->buf + s->len, want - s->len);
	if (got < 0) {
		s->len = 0;
		return NULL;
	}
	s->len += (size_t)got;
	if (at + len > s->len) {	/* the file shrank since the other thread read it */
		errno = 0;
		return NULL;
	}
	return s->buf + at;
}
