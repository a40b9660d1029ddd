// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The huge-page forecast: pageblocks classified, compaction replayed over
 * them, watermarks applied. No I/O. See include/compactrace/forecast.h.
 */
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "compactrace/error.h"
#include "compactrace/forecast.h"
#include "compactrace/fragindex.h"

#define TOP_OWNERS 10
#define DEFAULT_EXTFRAG_THRESHOLD 500
#define COSTLY_ORDER 3		/* PAGE_ALLOC_COSTLY_ORDER: the fragmentation index counts above it */

/* One pageblock as the replay sees it, after the no-flag pages are placed. */
struct blk {
	uint32_t free;		/* free pages, per-CPU ones and (with reclaim) page cache included */
	uint32_t move;		/* pages compaction must migrate */
	uint32_t blocking;	/* pages that block compaction */
	uint32_t avail;		/* free pages the free scanner may take */
	uint32_t units_free, units_clean, clean_move;	/* order < pageblock order */
	uint8_t kind;		/* enum ct_fc_kind */
	uint8_t reason;		/* enum ct_fc_reason when blocked */
	uint8_t absent;		/* no memory at the zone's top */
	uint8_t uninit;		/* absent: not initialized yet (else a hole) */
	uint8_t target;		/* a pageblock the free scanner takes free pages from */
	uint32_t seen[CT_FC_STRIDES];	/* of avail, what a scan at stride 2, 4, ... meets */
	uint32_t kernel;	/* slab and unmovable pages: how likely it is not a movable pageblock */
};

struct zone_state {
	const struct ct_fc_input *in;
	const struct ct_fc_zone_in *z;
	struct ct_fc_zone *out;
	struct blk *b;
	uint64_t nb, bp;	/* pageblocks, pages per pageblock */
	uint64_t listed;	/* the free-list search: the highest pageblock that may hold room for it */
};

static uint32_t block_pages(const struct ct_fc_block *blk, uint64_t bp)
{
	uint64_t n = 0;

	for (int c = 0; c < CT_FC_NCLASSES; c++)
		n += blk->pages[c];
	return n > bp ? (uint32_t)bp : (uint32_t)n;
}

/* pages of @blk that block compaction (no-flag pages not counted) */
static uint32_t blocking_pages(const struct ct_fc_block *blk, int unevictable_allowed)
{
	uint32_t n = 0;

	for (int c = 0; c < CT_FC_NCLASSES; c++)
		if (ct_fc_reason_of_class((enum ct_fc_class)c, unevictable_allowed) >= 0)
			n += blk->pages[c];
	return n;
}

/*
 * No-flag pages at the zone's top are memory without a struct page in use:
 * not initialized yet (deferred struct page init) or a hole. Marks those
 * pageblocks absent; returns how many no-flag pages they hold.
 */
static uint64_t mark_absent_top(struct zone_state *s)
{
	uint64_t pages = 0;

	for (uint64_t i = s->nb; i-- > 0;) {
		const struct ct_fc_block *blk = &s->z->blocks[i];
		uint64_t total = block_pages(blk, s->bp);

		/* pfns of an edge pageblock outside the zone count as no page */
		if (blk->pages[CT_FC_NOFLAGS] + blk->pages[CT_FC_NOPAGE] + (s->bp - total) != s->bp)
			break;
		s->b[i].absent = 1;
		pages += blk->pages[CT_FC_NOFLAGS];
	}
	return pages;
}

/* reserved pages of the zone (PG_reserved): present but never managed */
static uint64_t reserved_pages(const struct zone_state *s)
{
	uint64_t n = 0;

	for (uint64_t i = 0; i < s->nb; i++)
		n += s->z->blocks[i].pages[CT_FC_RESERVED];
	return n;
}

/*
 * The per-CPU lists hold zone->pcp_pages free pages, which no flag shows:
 * the no-flag pages of pageblocks that hold nothing blocking are taken as
 * those first, then the others'; what is left are unflagged kernel pages.
 */
static void place_noflag_pages(struct zone_state *s, uint32_t *pcp_in_block)
{
	uint64_t budget = s->z->pcp_pages;

	for (int pass = 0; pass < 2; pass++) {
		for (uint64_t i = 0; i < s->nb && budget; i++) {
			const struct ct_fc_block *blk = &s->z->blocks[i];
			uint32_t nf = blk->pages[CT_FC_NOFLAGS] - pcp_in_block[i], t;
			int clean = blocking_pages(blk, s->in->unevictable_allowed) == 0;

			if (s->b[i].absent || !nf || clean != (pass == 0))
				continue;
			t = budget < nf ? (uint32_t)budget : nf;
			pcp_in_block[i] += t;
			budget -= t;
		}
	}
}

/* free / compactable / blocked, from the pages once placed */
static void classify_blocks(struct zone_state *s, const uint32_t *pcp_in_block)
{
	const struct ct_fc_input *in = s->in;
	struct ct_fc_zone *o = s->out;

	for (uint64_t i = 0; i < s->nb; i++) {
		const struct ct_fc_block *blk = &s->z->blocks[i];
		struct blk *b = &s->b[i];
		uint32_t by[CT_FC_NREASONS] = { 0 }, outside = (uint32_t)(s->bp - block_pages(blk, s->bp));
		uint32_t unmovable_noflag = blk->pages[CT_FC_NOFLAGS] - pcp_in_block[i], most = 0, definite = 0;

		if (b->absent) {
			b->kind = CT_FC_K_ABSENT;
			o->absent_blocks++;
			continue;
		}
		if (blk->pages[CT_FC_NOPAGE] + outside == s->bp) {	/* a hole inside the zone */
			b->kind = CT_FC_K_ABSENT;
			o->absent_blocks++;
			continue;
		}
		for (int c = 0; c < CT_FC_NCLASSES; c++) {
			int r = ct_fc_reason_of_class((enum ct_fc_class)c, in->unevictable_allowed);

			if (r >= 0)
				by[r] += blk->pages[c];
		}
		by[CT_FC_R_RESERVED] += outside;
		/*
		 * What no flag shows is not known for sure: a kernel page, or a
		 * per-CPU page the counts missed. It blocks a pageblock that
		 * nothing else blocks, but does not outvote the pages that do.
		 */
		for (int r = 0; r < CT_FC_NREASONS; r++)
			definite += by[r];
		if (!definite)
			by[CT_FC_R_UNMOVABLE] += unmovable_noflag;
		o->pcp_free += pcp_in_block[i];
		o->noflag_unmovable += unmovable_noflag;
		b->free = blk->pages[CT_FC_FREE] + pcp_in_block[i];
		b->move = blk->pages[CT_FC_MOVABLE];
		if (in->unevictable_allowed)
			b->move += blk->pages[CT_FC_UNEVICTABLE];
		if (in->reclaim) {
			b->free += blk->pages[CT_FC_RECLAIMABLE];
			o->reclaimable += blk->pages[CT_FC_RECLAIMABLE];
		} else {
			b->move += blk->pages[CT_FC_RECLAIMABLE];
		}
		for (int r = 0; r < CT_FC_NREASONS; r++) {
			b->blocking += by[r];
			if (by[r] > most) {
				most = by[r];
				b->reason = (uint8_t)r;
			}
		}
		b->kernel = by[CT_FC_R_SLAB] + by[CT_FC_R_UNMOVABLE];
		b->target = 1;	/* mark_unmovable_blocks() takes the unmovable ones out */
		o->pageblocks++;
		if (b->blocking) {
			b->kind = CT_FC_K_BLOCKED;
			o->blocked_blocks++;
			o->blocked_by[b->reason]++;
		} else if (b->free >= s->bp) {
			b->kind = CT_FC_K_FREE;
			o->free_blocks++;
		} else {
			b->kind = CT_FC_K_COMPACTABLE;
			o->compactable_blocks++;
		}
		if (in->order < in->pageblock_order) {
			uint32_t per = (uint32_t)(s->bp >> in->order);

			if (b->kind == CT_FC_K_FREE) {
				b->units_free = per;
			} else {
				b->units_free = blk->units_free < per ? blk->units_free : per;
				b->units_clean = blk->units_clean;
				b->clean_move = blk->clean_movable;
			}
			/* free pages outside free units, and the per-CPU ones */
			b->avail = b->kind == CT_FC_K_FREE ? 0 : blk->loose_free + pcp_in_block[i];
		} else {
			b->avail = b->kind == CT_FC_K_FREE ? 0 : b->free;
		}
		for (int k = 0; k < CT_FC_STRIDES; k++)	/* per-CPU pages are no buddy pages: never seen */
			b->seen[k] = in->strides_known ? blk->seen_at_stride[k] : b->avail;
	}
}

static int more_kernel(const void *a, const void *b, void *ctx)
{
	const struct blk *blk = ctx;
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	if (blk[x].kernel != blk[y].kernel)
		return blk[x].kernel < blk[y].kernel ? 1 : -1;
	return x < y ? -1 : x > y;
}

/*
 * The free scanner takes free pages only from movable pageblocks. Which
 * pageblocks are not movable no file says, only how many (pagetypeinfo):
 * those with the most slab and unmovable pages are taken to be them.
 */
static int mark_unmovable_blocks(struct zone_state *s)
{
	uint64_t *idx, n = 0, want;

	if (s->z->nonmovable_blocks < 0) {
		for (uint64_t i = 0; i < s->nb; i++)
			s->b[i].target = s->b[i].kernel == 0;
	} else {
		idx = malloc((s->nb ? s->nb : 1) * sizeof(*idx));
		if (!idx)
			return -CT_E_NOMEM;
		for (uint64_t i = 0; i < s->nb; i++)
			if (s->b[i].kernel && s->b[i].kind != CT_FC_K_ABSENT)
				idx[n++] = i;
		qsort_r(idx, n, sizeof(*idx), more_kernel, s->b);
		want = (uint64_t)s->z->nonmovable_blocks < n ? (uint64_t)s->z->nonmovable_blocks : n;
		for (uint64_t k = 0; k < want; k++)
			s->b[idx[k]].target = 0;
		free(idx);
	}
	for (uint64_t i = 0; i < s->nb; i++)
		if (!s->b[i].target)
			s->b[i].avail = 0;
	return 0;
}

#define FREE_CALL_PAGES 32	/* COMPACT_CLUSTER_MAX: what one isolate_freepages() call fills */

/* a pageblock the kernel's free scanners take free pages from */
static int free_target(const struct blk *b)
{
	return b->target && b->kind != CT_FC_K_ABSENT && b->kind != CT_FC_K_FREE;
}

/*
 * The linear free scanner meets a pageblock at a stride of 2^@k pages
 * (k = 0: every page): takes up to @want of what it sees and returns it;
 * *passed when it leaves the block before the call is filled (what it did
 * not see there stays behind: the kernel marks the block to be skipped).
 */
static uint64_t take_scanned(struct blk *b, int k, uint64_t want, int *passed)
{
	uint64_t seen = b->avail, t;

	if (k > 0)	/* only a fresh pageblock: a call that stopped inside one resumes at stride 1 */
		seen = b->seen[k - 1] < b->avail ? b->seen[k - 1] : b->avail;
	t = seen < want ? seen : want;
	*passed = t < want;
	b->avail -= (uint32_t)t;
	return t;
}

/*
 * The kernel's search of its free lists (fast_isolate_freepages()), which
 * begins each call: it takes free pages wherever the lists hold them, at
 * any pfn, preferring the top quarter of what lies between the scanners.
 * Each pass starts with the scanners at the zone's ends, so it is replayed
 * as reaching the free pages of the zone's top quarter (above @floor, the
 * migrate scanner), highest first; what it finds below, from the tails of
 * lists whose order no file shows, is not replayed. Up to @want pages.
 */
static uint64_t take_listed(struct zone_state *s, uint64_t floor, uint64_t want)
{
	uint64_t got = 0, lowest = s->nb - s->nb / 4;

	if (lowest <= floor)
		lowest = floor + 1;
	while (got < want && s->listed >= lowest && s->listed < s->nb) {
		struct blk *b = &s->b[s->listed];
		uint64_t t = 0;

		if (free_target(b)) {
			t = b->avail < want - got ? b->avail : want - got;
			b->avail -= (uint32_t)t;
			got += t;
		}
		if (!b->avail || !free_target(b))
			s->listed--;	/* wraps below 0 at the bottom: then no block is left */
	}
	return got;
}

/*
 * The free scanner: take up to @need pages from pageblocks above @floor
 * (the migrate scanner); returns what it took. As the kernel's does, in
 * calls of FREE_CALL_PAGES, each first searching the free lists
 * (take_listed()), then scanning linearly down from *f: each call starts
 * at stride 1 where the last one stopped and doubles the stride (up to 32)
 * after each movable pageblock that gave it nothing, and sees a free block
 * only at its first page, so free pages at odd pfns are invisible to it
 * after a pageblock of huge pages.
 */
static uint64_t take_free(struct zone_state *s, uint64_t *f, uint64_t floor, uint64_t need)
{
	uint64_t took = 0;

	while (need && *f > floor) {
		uint64_t call = need < FREE_CALL_PAGES ? need : FREE_CALL_PAGES;
		uint64_t got = take_listed(s, floor, call);
		int k = 0;

		while (!got && *f > floor) {
			struct blk *b = &s->b[*f];
			int passed;

			if (!free_target(b)) {	/* holes, free and unmovable pageblocks: stride kept */
				(*f)--;
				continue;
			}
			got = take_scanned(b, k, call, &passed);
			if (passed)
				(*f)--;
			if (!got && k < CT_FC_STRIDES)
				k++;
		}
		need -= got;
		took += got;
		if (!got)
			break;
	}
	return took;
}

/* free pages the linear scanner passed above @f without seeing them */
static void count_passed(struct zone_state *s, uint64_t f)
{
	for (uint64_t i = f + 1; i < s->nb; i++)
		if (free_target(&s->b[i]))
			s->out->free_pages_passed += s->b[i].avail;
}

/*
 * The migrate scanner from the bottom, for units of 2^order pages at or
 * above the pageblock order: frees each compactable unit the free scanner
 * still finds room for above it. Returns the units freed; *met_block is
 * the pageblock where the scanners met, or s->nb.
 */
static uint64_t replay_large(struct zone_state *s, uint64_t *met_block)
{
	uint64_t per = 1ULL << (s->in->order - s->in->pageblock_order), made = 0, f = s->nb - 1;
	uint64_t first = s->z->first_pfn >> s->in->pageblock_order;
	uint64_t u0 = (first + per - 1) / per * per;	/* the first whole unit, in pageblocks */

	*met_block = s->nb;
	for (uint64_t u = u0; u + per <= first + s->nb; u += per) {
		uint64_t lo = u - first, hi = lo + per - 1, need = 0, took;
		int clean = 1, all_free = 1;

		if (f <= hi) {
			*met_block = lo;
			break;
		}
		for (uint64_t i = lo; i <= hi; i++) {
			all_free &= s->b[i].kind == CT_FC_K_FREE;
			clean &= s->b[i].kind == CT_FC_K_FREE || s->b[i].kind == CT_FC_K_COMPACTABLE;
			need += s->b[i].move;
		}
		if (all_free)
			continue;
		/*
		 * A blocked unit's movable pages are migrated all the same: the
		 * kernel's migrate scanner isolates every LRU page it passes, and
		 * only learns that the unit cannot be freed from what stays.
		 */
		took = take_free(s, &f, hi, need);
		s->out->migrate_pages += took;
		if (took < need) {
			*met_block = lo;	/* out of room before the unit was empty */
			break;
		}
		if (!clean)
			continue;
		made++;
		for (uint64_t i = lo; i <= hi; i++)
			if (s->b[i].kind == CT_FC_K_COMPACTABLE)
				s->b[i].kind = CT_FC_K_MADE;
	}
	count_passed(s, f);
	return made;
}

/*
 * The same for units smaller than a pageblock: the clean units of each
 * pageblock in turn (blocked pageblocks too: a unit without a blocking
 * page can be freed there), each with its share of the pages to move.
 */
static uint64_t replay_small(struct zone_state *s, uint64_t *met_block)
{
	uint64_t made = 0, f = s->nb - 1;

	*met_block = s->nb;
	for (uint64_t i = 0; i < s->nb; i++) {
		struct blk *b = &s->b[i];
		uint64_t done = 0;

		if (f <= i) {
			*met_block = i;
			break;
		}
		if (b->kind == CT_FC_K_ABSENT || b->kind == CT_FC_K_FREE || !b->units_clean)
			continue;
		for (uint32_t k = 0; k < b->units_clean; k++) {
			/* the pages to move, spread over the clean units */
			uint64_t need = (uint64_t)b->clean_move * (k + 1) / b->units_clean -
					(uint64_t)b->clean_move * k / b->units_clean;
			uint64_t took = take_free(s, &f, i, need);

			s->out->migrate_pages += took;
			if (took < need)
				break;
			done++;
		}
		made += done;
		if (done && b->kind == CT_FC_K_COMPACTABLE)
			b->kind = CT_FC_K_MADE;
		if (done < b->units_clean) {
			*met_block = i;
			break;
		}
	}
	count_passed(s, f);
	return made;
}

/* units free already: aligned groups of free pageblocks, or the free units of each pageblock */
static uint64_t count_free_units(const struct zone_state *s)
{
	uint64_t n = 0;

	if (s->in->order < s->in->pageblock_order) {
		for (uint64_t i = 0; i < s->nb; i++)
			if (s->b[i].kind != CT_FC_K_ABSENT)
				n += s->b[i].units_free;
		return n;
	} else {
		uint64_t per = 1ULL << (s->in->order - s->in->pageblock_order);
		uint64_t first = s->z->first_pfn >> s->in->pageblock_order;
		uint64_t u0 = (first + per - 1) / per * per;

		for (uint64_t u = u0; u + per <= first + s->nb; u += per) {
			int all = 1;

			for (uint64_t i = u - first; i < u - first + per; i++)
				all &= s->b[i].kind == CT_FC_K_FREE;
			n += all;
		}
	}
	return n;
}

/* how many j >= 0 satisfy j * unit < room: ceil(room / unit), 0 when room <= 0 */
static uint64_t count_below(int64_t room, uint64_t unit)
{
	return room <= 0 ? 0 : ((uint64_t)room + unit - 1) / unit;
}

/*
 * Whether the kernel would compact this zone for the order at all once
 * its free units are taken: the fragmentation index of what is left must
 * be above vm.extfrag_threshold (costly orders only).
 */
static int compaction_suitable(const struct zone_state *s, int *fragindex)
{
	const struct ct_fc_zone_in *z = s->z;
	uint64_t blocks[16];
	int threshold = s->in->extfrag_threshold >= 0 ? s->in->extfrag_threshold : DEFAULT_EXTFRAG_THRESHOLD;
	int n = z->norders < 16 ? z->norders : 16;

	*fragindex = INT32_MIN;
	if (s->in->order <= COSTLY_ORDER || n <= s->in->order)
		return 1;
	for (int o = 0; o < n; o++)
		blocks[o] = o >= s->in->order ? 0 : z->free_blocks[o];
	*fragindex = ct_fragmentation_index(blocks, n, s->in->order);
	return !(*fragindex >= 0 && *fragindex <= threshold);
}

static int map_zone(struct zone_state *s)
{
	struct ct_fc_zone *o = s->out;

	o->map = malloc(s->nb + 1);
	if (!o->map)
		return -CT_E_NOMEM;
	for (uint64_t i = 0; i < s->nb; i++) {
		const struct blk *b = &s->b[i];
		char c = '?';

		switch (b->kind) {
		case CT_FC_K_ABSENT: c = b->uninit ? '_' : ' '; break;
		case CT_FC_K_FREE: c = '.'; break;
		case CT_FC_K_MADE: c = '+'; break;
		case CT_FC_K_COMPACTABLE: c = 'c'; break;
		case CT_FC_K_BLOCKED: c = ct_fc_reason_letter((enum ct_fc_reason)b->reason); break;
		}
		o->map[i] = c;
	}
	o->map[s->nb] = '\0';
	o->map_blocks = s->nb;
	return 0;
}

static int forecast_zone(const struct ct_fc_input *in, const struct ct_fc_zone_in *z, struct ct_fc_zone *o)
{
	struct zone_state s = { .in = in, .z = z, .out = o, .bp = 1ULL << in->pageblock_order, .nb = z->nblocks,
				.listed = z->nblocks - 1 };
	uint64_t unit = 1ULL << in->order, absent_noflag, resv, made = 0, met_block, free_pages, suit, fu;
	uint32_t *pcp_in_block = NULL;
	int ret = -CT_E_NOMEM;

	o->nid = z->nid;
	memcpy(o->name, z->name, sizeof(o->name));
	o->name[sizeof(o->name) - 1] = '\0';
	o->start_pfn = z->start_pfn;
	o->end_pfn = z->start_pfn + z->spanned;
	o->meet_pfn = o->end_pfn;
	o->fragindex = INT32_MIN;
	o->limit = "no compactable memory";
	if (!s.nb)
		return 0;
	s.b = calloc(s.nb, sizeof(*s.b));
	pcp_in_block = calloc(s.nb, sizeof(*pcp_in_block));
	if (!s.b || !pcp_in_block)
		goto out;

	absent_noflag = mark_absent_top(&s);
	resv = reserved_pages(&s);
	if (z->present > z->managed + resv)
		o->uninitialized_pages = z->present - z->managed - resv;
	if (o->uninitialized_pages > absent_noflag)
		o->uninitialized_pages = absent_noflag;
	for (uint64_t i = s.nb; o->uninitialized_pages && i-- > 0 && s.b[i].absent;)
		s.b[i].uninit = 1;
	place_noflag_pages(&s, pcp_in_block);
	classify_blocks(&s, pcp_in_block);
	if (mark_unmovable_blocks(&s) < 0)
		goto out;

	fu = count_free_units(&s);
	o->free_units = fu;
	if (compaction_suitable(&s, &o->fragindex)) {
		made = in->order < in->pageblock_order ? replay_small(&s, &met_block) : replay_large(&s, &met_block);
		if (met_block < s.nb) {
			o->meet_pfn = z->first_pfn + (met_block << in->pageblock_order);
			o->limit = "scanners met";
		} else {
			o->limit = made ? "end of zone" : "no compactable memory";
		}
	} else {
		o->limit = "fragmentation index";
	}

	/* the watermarks, with the per-CPU pages drained and the page cache reclaimed */
	free_pages = z->free_pages + o->pcp_free + o->reclaimable;
	o->alloc_cap = count_below((int64_t)free_pages - (int64_t)(unit - 1) -
				   (int64_t)(z->wmark_min + z->reserve + z->highatomic_free), unit);
	suit = count_below((int64_t)free_pages - (int64_t)(z->highatomic_free + z->wmark_low + 2 * unit + z->reserve),
			   unit);
	if (made > (suit > fu ? suit - fu : 0)) {
		made = suit > fu ? suit - fu : 0;
		o->limit = "watermark";
	}
	o->obtainable = fu + made;
	if (o->obtainable > o->alloc_cap) {
		o->obtainable = o->alloc_cap;
		o->limit = "watermark";
	}
	o->free_units_used = fu < o->obtainable ? fu : o->obtainable;
	o->compaction_units = o->obtainable - o->free_units_used;
	ret = map_zone(&s);
out:
	free(s.b);
	free(pcp_in_block);
	return ret;
}

static int owner_cmp(const void *a, const void *b)
{
	const struct ct_fc_owner *x = a, *y = b;

	if (x->blocks != y->blocks)
		return x->blocks < y->blocks ? 1 : -1;
	if (x->pages != y->pages)
		return x->pages < y->pages ? 1 : -1;
	if (x->reason != y->reason)
		return x->reason < y->reason ? -1 : 1;
	return x->cgroup_ino < y->cgroup_ino ? -1 : x->cgroup_ino > y->cgroup_ino;
}

static int top_owners(const struct ct_fc_input *in, struct ct_fc_result *r)
{
	struct ct_fc_owner *all;
	uint32_t n = 0;

	if (!in->nowners)
		return 0;
	all = malloc(in->nowners * sizeof(*all));
	if (!all)
		return -CT_E_NOMEM;
	for (uint32_t i = 0; i < in->nowners; i++)	/* unevictable pages block only when the sysctl says so */
		if (!(in->owners[i].reason == CT_FC_R_UNEVICTABLE && in->unevictable_allowed))
			all[n++] = in->owners[i];
	qsort(all, n, sizeof(*all), owner_cmp);
	r->owners = all;
	r->nowners = n < TOP_OWNERS ? n : TOP_OWNERS;
	return 0;
}

/*
 * What the replay frees when the free scanner sees every free page, as the
 * kernel's search of its free lists (fast_isolate_freepages()) can find
 * pages at any pfn: how much the linear scan's stride may leave out.
 */
static int all_seen(const struct ct_fc_input *in, struct ct_fc_result *r)
{
	struct ct_fc_input every = *in;
	struct ct_fc_zone z;
	int ret = 0;

	every.strides_known = 0;
	for (uint32_t i = 0; ret == 0 && i < r->nzones; i++) {
		memset(&z, 0, sizeof(z));
		ret = forecast_zone(&every, &in->zones[i], &z);
		free(z.map);
		r->zones[i].compaction_units_all_seen = z.compaction_units;
		r->compaction_units_all_seen += z.compaction_units;
	}
	return ret;
}

int ct_forecast_run(const struct ct_fc_input *in, struct ct_fc_result **out)
{
	struct ct_fc_result *r;
	int ret;

	*out = NULL;
	if (in->order < 1 || in->order > 19 || in->pageblock_order < 1 || in->pageblock_order > 19 ||
	    (in->order < in->pageblock_order && !in->units_known))
		return -CT_E_INVAL;
	for (uint32_t i = 0; i < in->nzones; i++)
		if (in->zones[i].nblocks && !in->zones[i].blocks)
			return -CT_E_INVAL;
	r = calloc(1, sizeof(*r));
	if (!r)
		return -CT_E_NOMEM;
	r->order = in->order;
	r->pageblock_order = in->pageblock_order;
	r->page_size = in->page_size;
	r->unit_pages = 1ULL << in->order;
	r->unevictable_allowed = in->unevictable_allowed;
	r->page_owner = in->page_owner;
	r->zones = calloc(in->nzones ? in->nzones : 1, sizeof(*r->zones));
	ret = r->zones ? 0 : -CT_E_NOMEM;
	for (uint32_t i = 0; ret == 0 && i < in->nzones; i++) {
		struct ct_fc_zone *z = &r->zones[r->nzones++];

		ret = forecast_zone(in, &in->zones[i], z);
		r->obtainable += z->obtainable;
		r->free_units += z->free_units_used;
		r->compaction_units += z->compaction_units;
		r->uninitialized_pages += z->uninitialized_pages;
		for (int k = 0; k < CT_FC_NREASONS; k++)
			r->blocked_by[k] += z->blocked_by[k];
	}
	if (ret == 0 && in->strides_known)
		ret = all_seen(in, r);
	for (uint32_t i = 0; ret == 0 && !in->strides_known && i < r->nzones; i++)
		r->zones[i].compaction_units_all_seen = r->zones[i].compaction_units;
	if (ret == 0 && !in->strides_known)
		r->compaction_units_all_seen = r->compaction_units;
	if (ret == 0)
		ret = top_owners(in, r);
	if (ret < 0) {
		ct_fc_result_free(r);
		return ret;
	}
	*out = r;
	return 0;
}

void ct_fc_result_free(struct ct_fc_result *res)
{
	if (!res)
		return;
	for (uint32_t i = 0; i < res->nzones; i++)
		free(res->zones[i].map);
	free(res->zones);
	free(res->owners);
	free(res);
}
