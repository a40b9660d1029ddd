// SPDX-License-Identifier: GPL-2.0-or-later
#include <stdlib.h>
#include <string.h>

#include "compactrace/error.h"
#include "core/util.h"
#include "session/lookahead.h"

#define LA_BLOCK 1024	/* events per block: growing never copies or zeroes what is kept */

struct ct_lookahead {
	struct ct_event **blk;	/* [nblk] blocks of LA_BLOCK events, allocated as they fill */
	uint32_t nblk;
	size_t *name_off;	/* where each event's name starts in @names */
	uint32_t n, off_cap;
	size_t max;
	uint64_t max_ns, first_ts;
	int have_ts;
	char *names;		/* every name, back to back: the parser's buffer moves on */
	size_t names_len, names_cap;
};

struct ct_lookahead *ct_lookahead_new(size_t max, uint64_t max_ns)
{
	struct ct_lookahead *la = calloc(1, sizeof(*la));

	if (la) {
		la->max = max;
		la->max_ns = max_ns;
	}
	return la;
}

int ct_lookahead_put(struct ct_lookahead *la, const struct ct_event *ev)
{
	uint32_t b = la->n / LA_BLOCK;
	struct ct_event *slot;

	if (b == la->nblk) {
		struct ct_event **nb = realloc(la->blk, (b + 1) * sizeof(*nb));

		if (!nb)
			return -CT_E_NOMEM;
		la->blk = nb;
		if (!(nb[b] = malloc(LA_BLOCK * sizeof(**nb))))
			return -CT_E_NOMEM;
		ct_populate(nb[b], LA_BLOCK * sizeof(**nb));
		la->nblk = b + 1;
	}
	slot = &la->blk[b][la->n % LA_BLOCK];
	if (ct_grow_array((void **)&la->name_off, &la->off_cap, la->n + 1, sizeof(*la->name_off)) < 0)
		return -CT_E_NOMEM;
	if (ev->name_len && la->names_len + ev->name_len > la->names_cap) {
		size_t ncap = (la->names_cap ? la->names_cap * 2 : 4096) + ev->name_len;
		char *n = realloc(la->names, ncap);

		if (!n)
			return -CT_E_NOMEM;
		la->names = n;
		la->names_cap = ncap;
	}
	*slot = *ev;
	la->name_off[la->n] = la->names_len;
	if (ev->name_len) {
		memcpy(la->names + la->names_len, ev->name, ev->name_len);
		la->names_len += ev->name_len;
	}
	la->n++;
	if (ev->type != CT_EV_LOST && ev->type != CT_EV_PARSE_ERROR) {
		if (!la->have_ts) {
			la->first_ts = ev->ts_ns;
			la->have_ts = 1;
		} else if (ev->ts_ns > la->first_ts && ev->ts_ns - la->first_ts >= la->max_ns) {
			return 1;
		}
	}
	return la->n >= la->max;
}

const struct ct_event *ct_lookahead_get(struct ct_lookahead *la, size_t i)
{
	struct ct_event *ev;

	if (i >= la->n)
		return NULL;
	ev = &la->blk[i / LA_BLOCK][i % LA_BLOCK];
	/* the names are only fixed once no more can move the buffer */
	ev->name = ev->name_len ? la->names + la->name_off[i] : ev->name;
	return ev;
}

void ct_lookahead_free(struct ct_lookahead *la)
{
	if (!la)
		return;
	for (uint32_t b = 0; b < la->nblk; b++)
		free(la->blk[b]);
	free(la->blk);
	free(la->name_off);
	free(la->names);
	free(la);
}
