/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef COMPACTRACE_BUDDY_H
#define COMPACTRACE_BUDDY_H

#include <stdint.h>

/*
 * A per-pfn buddy allocator for one zone: the shadow model's exact mode.
 * It keeps what the kernel's free lists hold (free blocks, merged with
 * their buddies exactly as __free_one_page() merges them), and for every
 * other pfn whether it is allocated, on a per-CPU list, or held by a
 * compaction run. One byte per pfn plus a few per pageblock; no I/O.
 */

#define CT_BUDDY_MAX_ORDERS 16

enum ct_page_state {
	CT_PAGE_USED = 0,	/* allocated, or nothing known */
	CT_PAGE_PCP,		/* on a per-CPU list: free, but not in buddyinfo */
	CT_PAGE_ISOLATED,	/* taken by a compaction free scanner */
	CT_PAGE_HOLE,		/* no memory here */
	CT_PAGE_FREE,		/* in a free buddy block (ct_buddy_state() only) */
};

struct ct_buddy;

/**
 * ct_buddy_new() - an allocator for pfns [@start_pfn, @end_pfn), all CT_PAGE_USED
 * @norders: buddy orders 0..@norders-1 (MAX_PAGE_ORDER + 1), 1..CT_BUDDY_MAX_ORDERS
 * @pageblock_order: for the per-pageblock counters and migratetypes
 *
 * Returns NULL on allocation failure or bad arguments. Free with ct_buddy_free().
 */
struct ct_buddy *ct_buddy_new(uint64_t start_pfn, uint64_t end_pfn, int norders, int pageblock_order);

/** ct_buddy_free() - free the allocator; accepts NULL */
void ct_buddy_free(struct ct_buddy *b);

/**
 * ct_buddy_release() - put [@pfn, @pfn + 2^@order) on the free lists and merge
 *
 * As the kernel frees a block: merges with its buddy while the buddy is a
 * free block of the same order. Returns the order of the merged block, or
 * -CT_E_INVAL when the range leaves the zone or part of it is already free
 * (nothing is changed then).
 */
int ct_buddy_release(struct ct_buddy *b, uint64_t pfn, int order);

/**
 * ct_buddy_release_range() - free every pfn of [@lo, @hi), none of them free yet
 *
 * What ct_buddy_release(pfn, 0) for each pfn upwards leaves, without the
 * walk per pfn: for seeding a zone from a free map, run by run. Returns 0,
 * or -CT_E_INVAL when the range leaves the zone or a pfn of it was free
 * already (the others are freed all the same).
 */
int ct_buddy_release_range(struct ct_buddy *b, uint64_t lo, uint64_t hi);

/**
 * ct_buddy_release_singles() - free the pfns of a 64-pfn aligned chunk that stand alone
 * @pfn: the chunk's first pfn, a multiple of 64
 * @mask: bit i: free @pfn + i; no two bits of one aligned pair (2k, 2k + 1)
 *
 * Each becomes a free block of order 0 (its buddy is not free), as
 * ct_buddy_release_range() would leave them, with the counters moved once
 * for the chunk: a fragmented zone's free map is mostly such chunks.
 * Returns 0, or -CT_E_INVAL (nothing changed) when the chunk is not in the
 * zone, a pfn of it is free already, two bits are buddies, or the
 * pageblock order is below 6.
 */
int ct_buddy_release_singles(struct ct_buddy *b, uint64_t pfn, uint64_t mask);

/**
 * ct_buddy_count_state() - how many pfns of [@lo, @hi) are in @state
 * @state: CT_PAGE_USED, _PCP, _ISOLATED or _HOLE (CT_PAGE_FREE counts 0)
 */
uint64_t ct_buddy_count_state(const struct ct_buddy *b, uint64_t lo, uint64_t hi, enum ct_page_state state);

/**
 * ct_buddy_take() - take [@pfn, @pfn + 2^@order) off the free lists
 * @state: what the pages become (CT_PAGE_USED, _PCP or _ISOLATED)
 *
 * Splits the free block that holds the range as expand() does. Returns the
 * number of pages of the range that were free: 2^@order when all were, less
 * when some were not (those are only given @state), -CT_E_INVAL outside the zone.
 */
long ct_buddy_take(struct ct_buddy *b, uint64_t pfn, int order, enum ct_page_state state);

/**
 * ct_buddy_find() - the free block holding @pfn
 * @head, @order: receive it (either may be NULL)
 *
 * Returns 1 when @pfn is free, 0 when not.
 */
int ct_buddy_find(const struct ct_buddy *b, uint64_t pfn, uint64_t *head, int *order);

/** ct_buddy_state() - CT_PAGE_FREE or the state of a pfn outside the free lists; CT_PAGE_HOLE outside the zone */
enum ct_page_state ct_buddy_state(const struct ct_buddy *b, uint64_t pfn);

/** ct_buddy_set_state() - set the state of a non-free pfn; returns 0, or -CT_E_INVAL if it is free or outside */
int ct_buddy_set_state(struct ct_buddy *b, uint64_t pfn, enum ct_page_state state);

/**
 * ct_buddy_highest_block() - the highest free block of exactly @order that starts in [@lo, @hi)
 *
 * Returns its first pfn, or UINT64_MAX when there is none.
 */
uint64_t ct_buddy_highest_block(const struct ct_buddy *b, uint64_t lo, uint64_t hi, int order);

/** ct_buddy_counts() - free blocks per order into @out[0..norders) */
void ct_buddy_counts(const struct ct_buddy *b, uint64_t *out);

/** ct_buddy_counts_by_type() - free blocks of pageblocks of migratetype @mt, per order */
void ct_buddy_counts_by_type(const struct ct_buddy *b, int mt, uint64_t *out);

/** ct_buddy_free_pages() - Σ free pages */
uint64_t ct_buddy_free_pages(const struct ct_buddy *b);

/** ct_buddy_pageblock_free() - free pages in pageblock @index (counted from the zone's first block) */
uint32_t ct_buddy_pageblock_free(const struct ct_buddy *b, uint64_t index);

/**
 * ct_buddy_set_migratetype() - set pageblock @index's migratetype (0..7; 255 unknown)
 *
 * Free blocks that start in the pageblock move to that type's counts, as
 * move_freepages_block() moves them between free lists.
 */
void ct_buddy_set_migratetype(struct ct_buddy *b, uint64_t index, int mt);

/** ct_buddy_migratetype() - the migratetype of pageblock @index (255 unknown) */
int ct_buddy_migratetype(const struct ct_buddy *b, uint64_t index);

/**
 * ct_buddy_check() - verify every invariant (for tests; walks the zone)
 *
 * Free blocks aligned to their order and not overlapping, no two free
 * buddies of the same order left unmerged, the per-order, per-type and
 * per-pageblock counters equal to a recount, Σ 2^order·blocks equal to the
 * free pfns. Returns 0 or -CT_E_INVAL.
 */
int ct_buddy_check(const struct ct_buddy *b);

#endif
