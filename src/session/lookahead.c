// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Events are kept packed: each only as long as its type's part of the
 * union (a page event 104 bytes instead of 256), back to back in blocks.
 * Up to 16,384 events pass through here on every trace whose host facts
 * come late or never; fresh memory costs a fault per page on first touch,
 * several microseconds each in a VM, so the fewer pages the better.
 */
#include <stdlib.h>
#include <string.h>

#include "compactrace/error.h"
#include "core/util.h"
#include "session/lookahead.h"

#define LA_BLOCK (256u << 10)	/* bytes per block: growing never copies what is kept */
#define LA_ALIGN 8

struct la_entry {
	uint32_t blk, off;	/* where the event's packed bytes are */
	size_t name_off;	/* where its name starts in @names */
};

struct ct_lookahead {
	unsigned char **blk;	/* [nblk] blocks of LA_BLOCK bytes, allocated as they fill */
	uint32_t nblk;
	uint32_t used;		/* bytes used in the last block */
	struct la_entry *ent;
	uint32_t n, ent_cap;
	size_t max;
	uint64_t max_ns, first_ts;
	int have_ts;
	char *names;		/* every name, back to back: the parser's buffer moves on */
	size_t names_len, names_cap;
	struct ct_event out;	/* what ct_lookahead_get() gives, unpacked */
};

/* the bytes of @ev that mean something for its type: the head and its union member */
static size_t packed_size(const struct ct_event *ev)
{
	size_t u;

	switch (ev->type) {
	case CT_EV_BEGIN:
	case CT_EV_END: u = sizeof(ev->u.range); break;
	case CT_EV_ISOLATE_MIGRATE:
	case CT_EV_ISOLATE_FREE:
	case CT_EV_FAST_ISOLATE_FREE: u = sizeof(ev->u.iso); break;
	case CT_EV_MIGRATEPAGES: u = sizeof(ev->u.mig); break;
	case CT_EV_TRY_TO_COMPACT: u = sizeof(ev->u.try_); break;
	case CT_EV_FINISHED:
	case CT_EV_SUITABLE: u = sizeof(ev->u.zo); break;
	case CT_EV_DEFERRED:
	case CT_EV_DEFER_COMPACTION:
	case CT_EV_DEFER_RESET: u = sizeof(ev->u.defer); break;
	case CT_EV_KCOMPACTD_SLEEP:
	case CT_EV_WAKEUP_KCOMPACTD:
	case CT_EV_KCOMPACTD_WAKE: u = sizeof(ev->u.kc); break;
	case CT_EV_EXTFRAG: u = sizeof(ev->u.xf); break;
	case CT_EV_MM_MIGRATE_PAGES: u = sizeof(ev->u.mm); break;
	case CT_EV_LOST: u = sizeof(ev->u.lost); break;
	case CT_EV_PARSE_ERROR: u = sizeof(ev->u.perr); break;
	case CT_EV_PAGE_ALLOC:
	case CT_EV_PAGE_ALLOC_ZONE_LOCKED:
	case CT_EV_PAGE_FREE:
	case CT_EV_PAGE_FREE_BATCHED:
	case CT_EV_PAGE_PCPU_DRAIN: u = sizeof(ev->u.page); break;
	default: u = sizeof(ev->u); break;	/* CT_EV_OTHER and anything newer: all of it */
	}
	return offsetof(struct ct_event, u) + u;
}

struct ct_lookahead *ct_lookahead_new(size_t max, uint64_t max_ns)
{
	struct ct_lookahead *la = calloc(1, sizeof(*la));

	if (la) {
		la->max = max;
		la->max_ns = max_ns;
	}
	return la;
}

/* room for @size bytes: a new block when the last one is full */
static unsigned char *take_room(struct ct_lookahead *la, size_t size)
{
	if (!la->nblk || la->used + size > LA_BLOCK) {
		unsigned char **nb = realloc(la->blk, (la->nblk + 1) * sizeof(*nb));

		if (!nb)
			return NULL;
		la->blk = nb;
		if (!(nb[la->nblk] = malloc(LA_BLOCK)))
			return NULL;
		ct_populate(nb[la->nblk], LA_BLOCK);
		la->nblk++;
		la->used = 0;
	}
	return la->blk[la->nblk - 1] + la->used;
}

int ct_lookahead_put(struct ct_lookahead *la, const struct ct_event *ev)
{
	size_t size = packed_size(ev), room = (size + LA_ALIGN - 1) & ~(size_t)(LA_ALIGN - 1);
	unsigned char *p;

	if (ct_grow_array((void **)&la->ent, &la->ent_cap, la->n + 1, sizeof(*la->ent)) < 0)
		return -CT_E_NOMEM;
	if (ev->name_len && la->names_len + ev->name_len > la->names_cap) {
		size_t ncap = (la->names_cap ? la->names_cap * 2 : 4096) + ev->name_len;
		char *n = realloc(la->names, ncap);

		if (!n)
			return -CT_E_NOMEM;
		la->names = n;
		la->names_cap = ncap;
	}
	if (!(p = take_room(la, room)))
		return -CT_E_NOMEM;
	memcpy(p, ev, size);
	la->ent[la->n].blk = la->nblk - 1;
	la->ent[la->n].off = la->used;
	la->ent[la->n].name_off = la->names_len;
	la->used += (uint32_t)room;
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
	const unsigned char *p;
	struct ct_event *ev = &la->out;
	size_t size;

	if (i >= la->n)
		return NULL;
	p = la->blk[la->ent[i].blk] + la->ent[i].off;
	/* the type first: it says how many bytes were kept; the rest was zero or unused */
	memcpy(&ev->type, p + offsetof(struct ct_event, type), sizeof(ev->type));
	size = packed_size(ev);
	memcpy(ev, p, size);
	memset((unsigned char *)ev + size, 0, sizeof(*ev) - size);
	/* the names are only fixed once no more can move the buffer */
	ev->name = ev->name_len ? la->names + la->ent[i].name_off : ev->name;
	return ev;
}

void ct_lookahead_free(struct ct_lookahead *la)
{
	if (!la)
		return;
	for (uint32_t b = 0; b < la->nblk; b++)
		free(la->blk[b]);
	free(la->blk);
	free(la->ent);
	free(la->names);
	free(la);
}
