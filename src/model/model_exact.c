// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Exact mode: a zone's free lists replayed pfn by pfn from kmem page events
 * (`record --pages`), seeded from the per-pfn free map record takes at the
 * start. What moves pages in and out of the buddy lists, and its event:
 *
 *   out: __rmqueue_smallest()          mm_page_alloc_zone_locked
 *        fallback steal/claim >= pbo    mm_page_alloc_extfrag (6.15+: no zone_locked)
 *        compaction free scanner        mm_compaction_isolate_freepages (range, count)
 *   in:  per-CPU list drain             mm_page_pcpu_drain
 *        free of an order the per-CPU   mm_page_free (orders above
 *        lists do not take              PAGE_ALLOC_COSTLY_ORDER but pageblock order)
 *
 * A freed page of a per-CPU order is on a per-CPU list until its drain event.
 * The seed is exact up to the moment it was read: /proc/kpageflags flags
 * every page of a free block (see compactrace/memsnap.h). Pages on per-CPU
 * lists at that moment are not known; their drains add them. Events the
 * state contradicts are counted (page_event_conflicts), never dropped.
 */
#include <stdlib.h>

#include "compactrace/error.h"
#include "model/model_internal.h"

#define NO_PFN UINT64_MAX

/* The exact backend's state of a zone. */
struct exact_zone {
	struct ct_buddy *buddy;
	uint64_t window_lo, window_hi;	/* trace-clock window the free map was read in; 0, 0: unknown */
};

static inline struct ct_buddy *bud(const struct mzone *z)
{
	return ((const struct exact_zone *)z->be)->buddy;
}

static int pcp_order(const struct ct_model *m, int order)
{
	/* pcp_allowed_order(): small orders and, with THP, the PMD order */
	return order <= PAGE_ALLOC_COSTLY_ORDER || order == m->pbo;
}

static void exact_release(struct mzone *z)
{
	struct exact_zone *x = z->be;

	if (!x)
		return;
	ct_buddy_free(x->buddy);
	free(x);
	z->be = NULL;
}

/* A new state for @z: every pfn allocated, the free map's read window. */
static struct exact_zone *exact_new(const struct ct_model *m, const struct mzone *z, const struct ct_memsnap *snap)
{
	struct exact_zone *x = calloc(1, sizeof(*x));

	if (!x)
		return NULL;
	x->buddy = ct_buddy_new(z->start, z->end, m->norders, m->pbo);
	if (!x->buddy) {
		free(x);
		return NULL;
	}
	if (snap) {
		x->window_lo = snap->free_map.ts_begin_ns;
		x->window_hi = snap->free_map.ts_end_ns;
	}
	return x;
}

/* Seeded from the start snapshot's per-pfn free map: the only seed it takes. */
static int exact_init(struct ct_model *m, struct mzone *z, const struct ct_memsnap *snap)
{
	const struct ct_memsnap_free_map *map;
	uint64_t lo, hi, have[MAX_ORDERS];
	struct exact_zone *x;
	struct ct_buddy *bd;

	if (!z->seeded || !has_free_map(snap, z))
		return -CT_E_INVAL;
	map = &snap->free_map;
	lo = z->start > map->start_pfn ? z->start : map->start_pfn;
	hi = z->end < map->start_pfn + map->npfns ? z->end : map->start_pfn + map->npfns;
	x = exact_new(m, z, snap);
	if (!x)
		return -CT_E_NOMEM;
	z->be = x;
	z->seeding = CT_SEED_FREE_MAP;
	bd = x->buddy;
	/*
	 * Freeing every free pfn in ascending order merges them exactly as the
	 * kernel had them: run by run of free pfns, read 64 at a time.
	 */
	for (uint64_t p = lo, run = NO_PFN; p < hi;) {
		unsigned n = hi - p < 64 ? (unsigned)(hi - p) : 64;
		uint64_t cl, ch, fr, hole;

		ct_memsnap_class_planes(map, p, n, &cl, &ch);
		fr = cl & ~ch;
		for (hole = cl & ch; hole; hole &= hole - 1)
			ct_buddy_set_state(bd, p + (uint64_t)__builtin_ctzll(hole), CT_PAGE_HOLE);
		/* free pfns with no free buddy: blocks of order 0 whatever runs they are in */
		if (n == 64 && fr && !(fr & (fr >> 1) & 0x5555555555555555ULL) && !(p % 64)) {
			if (run != NO_PFN)
				ct_buddy_release_range(bd, run, p);
			run = NO_PFN;
			if (ct_buddy_release_singles(bd, p, fr) == 0) {
				p += n;
				continue;
			}
		}
		for (unsigned k = 0; k < n;) {	/* where runs of free pfns begin and end */
			uint64_t rest = k ? fr >> k : fr;
			unsigned len;

			if (run == NO_PFN) {
				if (!rest)
					break;
				k += (unsigned)__builtin_ctzll(rest);
				run = p + k;
			} else {
				len = ~rest ? (unsigned)__builtin_ctzll(~rest) : 64 - k;
				if (k + len >= n)
					break;
				k += len;
				ct_buddy_release_range(bd, run, p + k);
				run = NO_PFN;
			}
		}
		p += n;
		if (run != NO_PFN && p == hi)
			ct_buddy_release_range(bd, run, hi);
	}
	/* a whole pageblock of flagless pages is a hole too */
	for (uint64_t b = 0; b < z->npb; b++) {
		uint64_t first = (z->pb0 + b) << m->pbo, last = first + (1ULL << m->pbo), p;

		first = first < lo ? lo : first;
		last = last > hi ? hi : last;
		for (p = first; p < last;) {	/* stops at the first pfn of another class */
			unsigned n = last - p < 64 ? (unsigned)(last - p) : 64;
			uint64_t cl, ch, other;

			ct_memsnap_class_planes(map, p, n, &cl, &ch);
			other = ~ch & (n < 64 ? (1ULL << n) - 1 : ~0ULL);	/* USED or FREE */
			if (other) {
				p += (uint64_t)__builtin_ctzll(other);
				break;
			}
			p += n;
		}
		if (first >= last || p < last)
			continue;
		z->pb[b].flags |= PB_HOLE;
		for (p = first; p < last; p++)
			ct_buddy_set_state(bd, p, CT_PAGE_HOLE);
	}
	ct_buddy_counts(bd, have);
	for (int o = 0; z->seeded && o < m->norders; o++) {
		if (have[o] == z->seed[o])
			continue;
		ct_model_note(m, "zone %s: the free map and buddyinfo differ (order %d: %llu and %llu blocks): "
			      "they were read at different moments, or blocks that may not merge (isolated, CMA, "
			      "highatomic pageblocks) sit side by side", z->name, o,
			      (unsigned long long)have[o], (unsigned long long)z->seed[o]);
		break;
	}
	return 0;
}

/*
 * An event the per-pfn state contradicts. While the free map was being read
 * the events and the map overlap (a page freed before its pfn was read is
 * free in the map and freed again by its event): expected there, counted apart.
 */
static void conflict(struct mzone *z, uint64_t ts)
{
	const struct exact_zone *x = z->be;

	if (x->window_hi && ts >= x->window_lo && ts <= x->window_hi)
		z->window_conflicts++;
	else
		z->page_event_conflicts++;
}

/* Put [pfn, 2^order) on the free lists; pages already free there are conflicts. */
static void give(struct mzone *z, uint64_t pfn, int order, uint64_t ts)
{
	struct ct_buddy *bd = bud(z);

	if (ct_buddy_release(bd, pfn, order) >= 0)
		return;
	/* part of it is free already, or it leaves the zone: free what can be freed */
	conflict(z, ts);
	for (uint64_t p = pfn; p < pfn + (1ULL << order); p++) {
		enum ct_page_state s = ct_buddy_state(bd, p);

		if (s != CT_PAGE_FREE && s != CT_PAGE_HOLE)
			ct_buddy_release(bd, p, 0);
	}
}

static void set_range(struct mzone *z, uint64_t pfn, int order, enum ct_page_state st)
{
	struct ct_buddy *bd = bud(z);

	for (uint64_t p = pfn; p < pfn + (1ULL << order); p++)
		if (ct_buddy_state(bd, p) != CT_PAGE_FREE && ct_buddy_state(bd, p) != CT_PAGE_HOLE)
			ct_buddy_set_state(bd, p, st);
}

static int range_free(const struct mzone *z, uint64_t pfn, int order)
{
	struct ct_buddy *bd = bud(z);

	for (uint64_t p = pfn; p < pfn + (1ULL << order); p++)
		if (ct_buddy_state(bd, p) != CT_PAGE_FREE)
			return 0;
	return 1;
}

/*
 * The compacting task frees a block that is free here: its free scanner had
 * isolated that block, and releases it now (release_free_list()). Which
 * blocks fast_isolate_freepages() takes depends on the order of the free
 * lists, which no event shows, so the model's pick was another block of the
 * same order: that one was never taken. Swap them. Returns 1 when done.
 */
static int swap_isolated(struct mzone *z, struct mrun *r, uint64_t pfn, int order)
{
	struct ct_buddy *bd = bud(z);

	for (uint32_t i = r ? r->nfl : 0; i-- > 0;) {
		struct pcp_entry *e = &r->fl[i];

		if (e->pfn == NO_PFN || e->mask || e->order != order ||
		    ct_buddy_state(bd, e->pfn) != CT_PAGE_ISOLATED)
			continue;
		for (uint64_t p = e->pfn; p < e->pfn + (1ULL << order); p++)
			ct_buddy_release(bd, p, 0);
		e->pfn = NO_PFN;
		ct_buddy_take(bd, pfn, order, CT_PAGE_ISOLATED);
		z->layout_corrections += 1ULL << order;
		return 1;
	}
	return 0;
}

/* A page event names pageblock @b's owner: the first one is kept. */
static inline void learn_owner(struct mzone *z, uint64_t b, int mt)
{
	if (mt < 0 || (z->pb[b].flags & PB_MT_KNOWN) || mt >= CT_MIGRATETYPES)
		return;
	z->pb[b].mt = (int8_t)mt;
	z->pb[b].flags |= PB_MT_KNOWN;
	ct_buddy_set_migratetype(bud(z), b, mt);
}

static void exact_page_event(struct ct_model *m, struct mzone *z, const struct ct_event *ev, struct mrun *r)
{
	const struct ct_ev_page *pg = &ev->u.page;
	int order = pg->order;
	uint64_t b;
	struct ct_buddy *bd = bud(z);

	if (pg->pfn == CT_PFN_NONE || order < 0 || order >= m->norders ||
	    pg->pfn + (1ULL << order) > z->end)
		return;
	b = pb_of(m, z, pg->pfn);
	if (r && r->z != z)
		r = NULL;
	switch (ev->type) {
	case CT_EV_PAGE_FREE:
		if (range_free(z, pg->pfn, order) && swap_isolated(z, r, pg->pfn, order))
			;
		else if (!range_free(z, pg->pfn, order) && ct_buddy_state(bd, pg->pfn) == CT_PAGE_FREE)
			conflict(z, ev->ts_ns);
		if (pcp_order(m, order))
			set_range(z, pg->pfn, order, CT_PAGE_PCP);
		else
			give(z, pg->pfn, order, ev->ts_ns);
		break;
	case CT_EV_PAGE_PCPU_DRAIN:
		give(z, pg->pfn, order, ev->ts_ns);
		learn_owner(z, b, pg->migratetype);
		break;
	case CT_EV_PAGE_ALLOC_ZONE_LOCKED: {
		long got = ct_buddy_take(bd, pg->pfn, order,
					 pg->percpu_refill > 0 ? CT_PAGE_PCP : CT_PAGE_USED);

		if (got >= 0 && got < (1L << order))
			conflict(z, ev->ts_ns);
		learn_owner(z, b, pg->migratetype);
		break;
	}
	case CT_EV_PAGE_ALLOC:
		/*
		 * Normally taken off the free lists by an event before. A whole
		 * free block taken without one is compaction capturing the block
		 * it freed (compaction_capture()) or a 6.15+ fallback steal.
		 */
		if (ct_buddy_state(bd, pg->pfn) == CT_PAGE_FREE) {
			if (!range_free(z, pg->pfn, order))
				conflict(z, ev->ts_ns);
			ct_buddy_take(bd, pg->pfn, order, CT_PAGE_USED);
		}
		set_range(z, pg->pfn, order, CT_PAGE_USED);
		break;
	default:	/* mm_page_free_batched: the mm_page_free of the same page says it all */
		break;
	}
}

/* the run holds [@head, 2^@o) now */
static int isolate(struct ct_model *m, struct mzone *z, struct mrun *r, uint64_t head, int o)
{
	ct_buddy_take(bud(z), head, o, CT_PAGE_ISOLATED);
	return run_add_free(m, r, head, o);
}

/*
 * The kernel isolated @want pages the model does not have free where it
 * took them: an earlier guess put them elsewhere. Take as many from
 * [@lo, @hi), highest blocks first, splitting a larger one for the rest,
 * so that the zone's free pages stay right. Returns the pages taken.
 */
static uint64_t take_instead(struct ct_model *m, struct mzone *z, struct mrun *r, uint64_t lo,
			     uint64_t hi, uint64_t want)
{
	uint64_t got = 0;
	struct ct_buddy *bd = bud(z);

	for (int o = m->norders - 1; o >= 0 && got < want; o--) {
		uint64_t head;

		while (got < want && (head = ct_buddy_highest_block(bd, lo, hi, o)) != UINT64_MAX) {
			int k = o;

			while ((1ULL << k) > want - got)
				k--;
			/* the top part of a larger block: ct_buddy_take() splits the rest off */
			head += (1ULL << o) - (1ULL << k);
			if (isolate(m, z, r, head, k) < 0)
				return got;
			got += 1ULL << k;
		}
	}
	return got;
}

/*
 * isolate_freepages_block() probes every stride-th pfn: async runs start
 * at COMPACT_CLUSTER_MAX (32) and drop to 1 once a pageblock gave pages.
 * A probe that finds a free block counts its pages, every other probe one,
 * so nr_scanned and the span tell the stride; THP skips (counted whole)
 * only make it look smaller.
 */
static uint64_t probe_stride(uint64_t span, uint64_t scanned, uint64_t taken)
{
	uint64_t s = 1;

	if (scanned <= taken || span <= taken)
		return 1;
	while (s < 32 && (span - taken) * 2 > (scanned - taken) * s * 3)
		s *= 2;
	return s;
}

static void exact_free_isolate(struct ct_model *m, struct mzone *z, struct mrun *r, uint64_t start,
			       uint64_t end, uint64_t scanned, uint64_t taken, int fast)
{
	uint64_t got = 0, pb_lo, pb_hi, stride;
	struct ct_buddy *bd = bud(z);

	if (end <= start)	/* no range given: the pageblock */
		end = start + m->pb_pages;
	if (end > z->end)
		end = z->end;
	if (fast) {
		/*
		 * fast_isolate_freepages(): one free block of the size taken, from
		 * the free lists; the kernel prefers the highest pfn it meets, the
		 * model takes the highest there is.
		 */
		int o = 0;
		uint64_t head;

		while (o < m->norders && (1ULL << o) < taken)
			o++;
		head = (1ULL << o) == taken ? ct_buddy_highest_block(bd, start, end, o) : UINT64_MAX;
		if (head != UINT64_MAX) {
			isolate(m, z, r, head, o);
			return;
		}
		take_instead(m, z, r, start, end, taken);
		z->page_event_conflicts += taken != 0;
		return;
	}
	/* isolate_freepages_block(): the free blocks whose head a probe meets, from @start up, until enough */
	stride = probe_stride(end - start, scanned, taken);
	for (uint64_t p = start; p < end && got < taken;) {
		uint64_t head;
		int o;

		if (!ct_buddy_find(bd, p, &head, &o) || head < p) {
			p += stride;
			continue;
		}
		if (isolate(m, z, r, head, o) < 0)
			return;
		got += 1ULL << o;
		p = head + (1ULL << o) - 1 + stride;
	}
	if (got != taken) {
		z->page_event_conflicts++;
		/* the rest from the same pageblock, then from the ones the scanner passed above it */
		pb_lo = start & ~(m->pb_pages - 1);
		pb_hi = pb_lo + m->pb_pages;
		if (got < taken)
			got += take_instead(m, z, r, pb_lo, pb_hi, taken - got);
		if (got < taken)
			take_instead(m, z, r, pb_hi, pb_hi + 8 * m->pb_pages, taken - got);
	}
}

/* Also a run the trace did not begin: what it isolated is used for good. */
static void exact_run_end(struct ct_model *m, struct mzone *z, struct mrun *r)
{
	struct ct_buddy *bd = bud(z);

	(void)m;
	/* what release_free_list() freed came back through mm_page_free; the rest was used */
	for (uint32_t i = 0; i < r->nfl; i++) {
		uint64_t pfn = r->fl[i].pfn, n = r->fl[i].mask ? 64 : 1ULL << r->fl[i].order;

		if (pfn == NO_PFN)
			continue;
		for (uint64_t p = pfn; p < pfn + n; p++) {
			if (r->fl[i].mask && !((r->fl[i].mask >> (p - pfn)) & 1))
				continue;	/* a run begun before the zone went exact: its pages as a word */
			if (ct_buddy_state(bd, p) == CT_PAGE_ISOLATED)
				ct_buddy_set_state(bd, p, CT_PAGE_USED);
		}
	}
	r->nfl = 0;
}

static void exact_extfrag(struct ct_model *m, struct mzone *z, uint64_t pfn, int alloc_order, int fallback_order)
{
	(void)m;
	(void)fallback_order;
	/*
	 * 6.15+ steals (and claims of a whole pageblock) without a zone_locked
	 * event: the pages are still free here. Elsewhere zone_locked took them.
	 */
	if (alloc_order >= 0 && pfn + (1ULL << alloc_order) <= z->end && range_free(z, pfn, alloc_order))
		ct_buddy_take(bud(z), pfn, alloc_order, CT_PAGE_USED);
}

static uint32_t count_state(const struct ct_model *m, const struct mzone *z, uint64_t b, int held)
{
	uint64_t first = (z->pb0 + b) << m->pbo, last = first + m->pb_pages;
	struct ct_buddy *bd = bud(z);

	if (first < z->start)
		first = z->start;
	if (last > z->end)
		last = z->end;
	if (held)
		return (uint32_t)(ct_buddy_count_state(bd, first, last, CT_PAGE_PCP) +
				  ct_buddy_count_state(bd, first, last, CT_PAGE_ISOLATED));
	return (uint32_t)ct_buddy_count_state(bd, first, last, CT_PAGE_USED);
}

static uint32_t exact_block_used(const struct ct_model *m, const struct mzone *z, uint64_t b)
{
	return count_state(m, z, b, 0);
}

static uint32_t exact_block_held(const struct ct_model *m, const struct mzone *z, uint64_t b)
{
	return count_state(m, z, b, 1);
}

static uint64_t exact_pcp_pages(const struct mzone *z)
{
	return ct_buddy_count_state(bud(z), z->start, z->end, CT_PAGE_PCP);
}

/* Which pages moved comes from the page events; the counts per pageblock from these two. */
static void exact_migrate_isolate(struct ct_model *m, struct mzone *z, struct mrun *r, uint64_t start,
				  uint64_t end, uint64_t scanned, uint64_t taken)
{
	(void)z;
	(void)end;
	(void)scanned;
	/* one entry per page, all at the range's start: only the pageblock matters here */
	for (uint64_t i = 0; i < taken; i++)
		if (run_add_mask(m, &r->iso, &r->niso, &r->iso_cap, (struct pcp_entry){ start, 0, 0 }) < 0)
			return;
}

static void exact_migrated(struct ct_model *m, struct mzone *z, struct mrun *r, uint64_t migrated)
{
	for (uint32_t i = 0; i < r->niso && i < migrated; i++) {
		uint64_t b = pb_of(m, z, r->iso[i].pfn);

		if (b < z->npb)
			z->pb[b].migrated_out++;
	}
	r->niso = 0;
}

static uint32_t exact_block_free(const struct ct_model *m, const struct mzone *z, uint64_t b)
{
	(void)m;
	return ct_buddy_pageblock_free(bud(z), b);
}

static int exact_block_modelled(const struct mzone *z, uint64_t b)
{
	(void)z;
	(void)b;
	return 1;
}

static void exact_counts(struct ct_model *m, struct mzone *z, int64_t *out)
{
	uint64_t c[CT_BUDDY_MAX_ORDERS];

	ct_buddy_counts(bud(z), c);
	for (int o = 0; o < m->norders; o++)
		out[o] = (int64_t)c[o];
}

static void exact_block_states(const struct ct_model *m, const struct mzone *z, uint64_t b, uint8_t *out)
{
	uint64_t first = (z->pb0 + b) << m->pbo;
	struct ct_buddy *bd = bud(z);

	for (uint64_t i = 0; i < m->pb_pages; i++)
		out[i] = (uint8_t)ct_buddy_state(bd, first + i);
}

static void exact_set_owner(struct mzone *z, uint64_t b, int mt)
{
	ct_buddy_set_migratetype(bud(z), b, mt);
}

static int exact_check(const struct ct_model *m, const struct mzone *z)
{
	(void)m;
	return ct_buddy_check(bud(z));
}

/*
 * A zone the estimated backend had until the first kmem page event: its
 * free, held and hole pages as they are now, the pageblocks' owners, and
 * the start snapshot's free-map read window.
 */
static int exact_adopt(struct ct_model *m, struct mzone *z, const struct zone_ops *from, void **be)
{
	struct exact_zone *x = exact_new(m, z, m->opts.start);
	uint8_t *st = malloc(m->pb_pages);
	struct ct_buddy *bd;

	if (!x || !st) {
		if (x)
			ct_buddy_free(x->buddy);
		free(x);
		free(st);
		return -CT_E_NOMEM;
	}
	bd = x->buddy;
	for (uint64_t b = 0; b < z->npb; b++) {
		uint64_t first = (z->pb0 + b) << m->pbo;

		from->block_states(m, z, b, st);
		for (uint64_t i = 0; i < m->pb_pages; i++) {
			uint64_t pfn = first + i;

			if (pfn < z->start || pfn >= z->end)
				continue;
			if (st[i] == CT_PAGE_FREE)
				ct_buddy_release(bd, pfn, 0);
			else if (st[i] != CT_PAGE_USED)
				ct_buddy_set_state(bd, pfn, (enum ct_page_state)st[i]);
		}
		if (z->pb[b].mt >= 0)
			ct_buddy_set_migratetype(bd, b, z->pb[b].mt);
	}
	free(st);
	*be = x;
	return 0;
}

const struct zone_ops ct_zone_exact = {
	.mode = CT_MODEL_EXACT,
	.init = exact_init,
	.adopt = exact_adopt,
	.release = exact_release,
	.counts = exact_counts,
	.block_states = exact_block_states,
	.migrate_isolate = exact_migrate_isolate,
	.migrated = exact_migrated,
	.free_isolate = exact_free_isolate,
	.run_end = exact_run_end,
	.run_drop = exact_run_end,
	.extfrag = exact_extfrag,
	.page_event = exact_page_event,
	.set_owner = exact_set_owner,
	.block_free = exact_block_free,
	.block_held = exact_block_held,
	.block_used = exact_block_used,
	.block_modelled = exact_block_modelled,
	.pcp_pages = exact_pcp_pages,
	.check = exact_check,
};
