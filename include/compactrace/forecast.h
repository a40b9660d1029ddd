/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef COMPACTRACE_FORECAST_H
#define COMPACTRACE_FORECAST_H

#include <stddef.h>
#include <stdint.h>

#include "compactrace/event.h"

/*
 * "How many huge pages can I get?" — a forecast of how many order-N pages
 * an allocation with direct compaction (as `echo N > nr_hugepages` makes)
 * could obtain now, and what keeps the rest of memory from becoming free.
 *
 * Input: per pageblock of each zone, its pages by class (read from
 * /proc/kpageflags and /proc/kpagecount, or from a recording), plus each
 * zone's facts from /proc/zoneinfo and /proc/buddyinfo. Output: each
 * pageblock classified (free, compactable, or blocked and by what) and a
 * replay of the kernel's compaction over the classes: the migrate scanner
 * going up from the zone's bottom, the free scanner coming down from its
 * top, each compactable unit freed if the free scanner still finds room
 * above it for the pages it holds (a blocked unit's movable pages are
 * moved too, and free nothing); then the zone watermarks. The free
 * scanner is the kernel's: its linear scan, after a pageblock that gave it
 * nothing, looks at every 2nd to 32nd page only (seen_at_stride), so room
 * at odd pfns below pageblocks of huge pages goes unseen, except in the
 * zone's top quarter, which its search of the free lists reaches.
 *
 * Plain C, no I/O, deterministic: the same input gives the same result.
 */

/* What one page is, as /proc/kpageflags (and kpagecount) show it. */
enum ct_fc_class {
	CT_FC_FREE,		/* in a free buddy block */
	CT_FC_NOFLAGS,		/* no flag at all: a per-CPU list page, an unflagged kernel
				 * page, or memory the kernel has not initialized yet */
	CT_FC_MOVABLE,		/* on an LRU list, migratable now */
	CT_FC_RECLAIMABLE,	/* unmapped page cache: reclaim frees it */
	CT_FC_UNEVICTABLE,	/* on the unevictable LRU (mlocked, SHM_LOCK, ramfs) */
	CT_FC_SLAB,		/* slab pages */
	CT_FC_UNMOVABLE,	/* other kernel pages off the LRU (page tables, ...) */
	CT_FC_PINNED,		/* anonymous, on an LRU, its folio mapped nowhere: kept by a
				 * reference (a GUP/RDMA pin as far as kpageflags and
				 * kpagecount show) */
	CT_FC_RESERVED,		/* PG_reserved */
	CT_FC_ISOLATED,		/* a process or page-cache page off the LRU right now
				 * (being migrated or reclaimed, or in a per-CPU LRU batch) */
	CT_FC_OTHER,		/* hardware-poisoned or offline (balloon, unplugged) pages */
	CT_FC_HUGE,		/* part of a THP or hugetlb page at least as large as the
				 * target order: compaction leaves it where it is */
	CT_FC_NOPAGE,		/* no struct page: a hole */
	CT_FC_NCLASSES
};

/* Why a pageblock cannot be made free; the order of the JSON keys. */
enum ct_fc_reason {
	CT_FC_R_SLAB,
	CT_FC_R_UNMOVABLE,
	CT_FC_R_PINNED,
	CT_FC_R_UNEVICTABLE,
	CT_FC_R_RESERVED,
	CT_FC_R_ISOLATED,
	CT_FC_R_OTHER,
	CT_FC_R_HUGE,
	CT_FC_NREASONS
};

/* The class of a pageblock in the result, and its character in the map. */
enum ct_fc_kind {
	CT_FC_K_ABSENT,		/* ' ' no memory (a hole, or not initialized yet: '_') */
	CT_FC_K_FREE,		/* '.' free already */
	CT_FC_K_MADE,		/* '+' compactable, and the replay frees it */
	CT_FC_K_COMPACTABLE,	/* 'c' compactable, but the scanners meet before it */
	CT_FC_K_BLOCKED,	/* a letter per reason: see ct_fc_reason_letter() */
};

/* the free scanner's strides above 1: 2, 4, ... 2^CT_FC_STRIDES (COMPACT_CLUSTER_MAX) */
#define CT_FC_STRIDES 5

/** One pageblock of the input: its pages by class. */
struct ct_fc_block {
	uint32_t pages[CT_FC_NCLASSES];
	/*
	 * Only for a target order below the pageblock order (live input;
	 * ct_fc_input.units_known): the order-N units of this block.
	 */
	uint32_t units_free;	/* wholly free already */
	uint32_t units_clean;	/* not free, no page that blocks compaction */
	uint32_t clean_movable;	/* pages compaction must move to free the clean units */
	uint32_t loose_free;	/* free pages outside wholly free units */
	/*
	 * Free pages a linear scan at stride 2, 4, 8, 16 and 32 from the
	 * block's start meets: the kernel's free scanner doubles its stride
	 * after each pageblock that gave it nothing (up to 32) and sees a
	 * free block only at its first page. Known when
	 * ct_fc_input.strides_known.
	 */
	uint32_t seen_at_stride[CT_FC_STRIDES];
};

/** One zone of the input. */
struct ct_fc_zone_in {
	int32_t nid;
	char name[CT_ZONE_LEN];
	uint64_t start_pfn, spanned, present, managed;	/* zoneinfo */
	uint64_t free_pages;		/* "pages free": free buddy pages */
	uint64_t pcp_pages;		/* on per-CPU lists ("pagesets" counts) */
	uint64_t wmark_min, wmark_low;
	uint64_t reserve;		/* lowmem_reserve for a GFP_HIGHUSER_MOVABLE request */
	uint64_t highatomic_free;	/* free pages of highatomic pageblocks */
	int64_t nonmovable_blocks;	/* pageblocks not of a movable migratetype (pagetypeinfo);
					 * -1: unknown */
	uint64_t free_blocks[16];	/* buddyinfo: free blocks per order */
	int norders;			/* 0: no buddyinfo line */
	/* pageblocks covering [first_pfn, first_pfn + (nblocks << pageblock_order)) */
	uint64_t first_pfn, nblocks;
	struct ct_fc_block *blocks;	/* borrowed: the caller keeps it */
};

/** Who holds pages that block compaction, as far as the kernel says. */
struct ct_fc_owner {
	uint64_t cgroup_ino;		/* /proc/kpagecgroup; 0: charged to no cgroup */
	char cgroup[256];		/* its path, "" when unknown */
	enum ct_fc_reason reason;
	uint64_t pages;			/* blocking pages of this reason charged to it */
	uint64_t blocks;		/* pageblocks holding at least one of them */
};

struct ct_fc_input {
	int order;			/* target order N */
	int pageblock_order;
	uint64_t page_size;		/* bytes */
	int unevictable_allowed;	/* vm.compact_unevictable_allowed */
	int extfrag_threshold;		/* vm.extfrag_threshold; < 0: not known (500) */
	int units_known;		/* blocks carry units_* (needed for order < pageblock_order) */
	int strides_known;		/* blocks carry seen_at_stride[]; else every free page
					 * counts as seen at any stride */
	int reclaim;			/* count unmapped page cache as free (reclaim frees it) */
	struct ct_fc_zone_in *zones;	/* borrowed */
	uint32_t nzones;
	const struct ct_fc_owner *owners;	/* borrowed; may be NULL */
	uint32_t nowners;
	int page_owner;			/* 1: /sys/kernel/debug/page_owner readable, 0: not, -1: unknown */
};

/** One zone of the result. */
struct ct_fc_zone {
	int32_t nid;
	char name[CT_ZONE_LEN];
	uint64_t start_pfn, end_pfn;
	uint64_t pageblocks;		/* with memory now */
	uint64_t free_blocks, compactable_blocks, blocked_blocks;
	uint64_t blocked_by[CT_FC_NREASONS];
	uint64_t absent_blocks;		/* no memory now: holes, or not initialized */
	uint64_t uninitialized_pages;	/* present, not managed, not reserved: the kernel
					 * initializes them when an allocation needs them */
	uint64_t pcp_free;		/* no-flag pages counted as free per-CPU list pages */
	uint64_t noflag_unmovable;	/* no-flag pages counted as kernel pages */
	uint64_t reclaimable;		/* unmapped page-cache pages counted as free */
	uint64_t free_units;		/* order-N units free already */
	uint64_t free_units_used;	/* of those, what the watermarks let an allocation take */
	uint64_t compaction_units;	/* order-N units the replay frees (within the watermarks) */
	uint64_t migrate_pages;		/* pages the replay moves (blocked units' movable ones too) */
	uint64_t compaction_units_all_seen;	/* the same when the free scanner sees every free page */
	uint64_t free_pages_passed;	/* free pages the free scanner passed without seeing them
					 * (at a stride above 1, after pageblocks that gave nothing) */
	uint64_t meet_pfn;		/* where the scanners met (end_pfn: they did not) */
	uint64_t alloc_cap;		/* units the watermarks allow in all */
	uint64_t obtainable;		/* what an allocation can get here */
	const char *limit;		/* what ended the count (see ct_forecast_run()) */
	int fragindex;			/* the kernel's fragmentation index at the order, or INT32_MIN */
	char *map;			/* one character per pageblock, NUL-terminated */
	uint64_t map_blocks;
};

struct ct_fc_result {
	int order, pageblock_order;
	uint64_t page_size, unit_pages;
	int unevictable_allowed;
	uint64_t obtainable;		/* over all zones: free_units + compaction_units */
	uint64_t free_units;		/* free already (within the watermarks) */
	uint64_t compaction_units;	/* freed by compaction */
	uint64_t compaction_units_all_seen;	/* the same, the free scanner seeing every free page (as
						 * the kernel's search of its free lists may) */
	uint64_t blocked_by[CT_FC_NREASONS];	/* pageblocks, over all zones */
	uint64_t uninitialized_pages;
	struct ct_fc_zone *zones;
	uint32_t nzones;
	struct ct_fc_owner *owners;	/* the top blocking owners, most blocks first */
	uint32_t nowners;
	int page_owner;
};

/** ct_fc_class_name() - "free", "noflags", "movable", ... (the recorded column names) */
const char *ct_fc_class_name(enum ct_fc_class c);

/** ct_fc_reason_name() - "slab", "unmovable", "pinned", "unevictable", "reserved", "isolated", "other", "huge" */
const char *ct_fc_reason_name(enum ct_fc_reason r);

/** ct_fc_reason_letter() - the map character of a pageblock blocked by @r */
char ct_fc_reason_letter(enum ct_fc_reason r);

/** ct_fc_reason_of_class() - the blocking reason of page class @c, or -1 for free/movable/no-flag pages */
int ct_fc_reason_of_class(enum ct_fc_class c, int unevictable_allowed);

/**
 * ct_forecast_run() - classify every pageblock and replay compaction over them
 * @in: the input; nothing in it is kept or changed
 * @out: receives a new result; free it with ct_fc_result_free()
 *
 * Per zone: no-flag pages at the zone's top are memory the kernel has not
 * initialized (as many as present - managed - reserved says) or holes; of
 * the other no-flag pages, as many as the per-CPU lists hold are counted
 * free (in pageblocks that hold nothing that blocks compaction first), the
 * rest as unflagged kernel pages. With @in->reclaim, unmapped page cache is
 * counted free. A pageblock is free when all its pages are, blocked when
 * any page blocks compaction (by the reason with most pages, the first
 * one on a tie; no-flag pages count only where nothing else blocks),
 * compactable otherwise. The replay then frees compactable order-N units from the
 * bottom while the free scanner, from the top, takes free pages for the
 * pages they hold from movable pageblocks: pagetypeinfo says how many
 * pageblocks are not movable, and those are taken to be the ones with the
 * most slab and unmovable pages (without the count: every pageblock with
 * one). A unit that holds a blocking page cannot be freed, but its movable
 * pages are migrated all the same, as the kernel's migrate scanner (in its
 * synchronous passes) isolates every LRU page it meets: they take room and
 * free nothing. Finally the watermarks: every allocation must
 * leave more than min + lowmem reserve free pages, and compaction runs only
 * while more than low + 2 << order + reserve are free and the
 * fragmentation index is above vm.extfrag_threshold.
 *
 * zone->limit says what ended the count: "scanners met", "watermark",
 * "fragmentation index", "no compactable memory", "end of zone".
 *
 * Returns 0, -CT_E_INVAL (an order outside 1..19 or below the pageblock
 * order without unit counts, a zone without blocks) or -CT_E_NOMEM.
 */
int ct_forecast_run(const struct ct_fc_input *in, struct ct_fc_result **out);

/** ct_fc_result_free() - free @res and everything it holds; accepts NULL */
void ct_fc_result_free(struct ct_fc_result *res);

#endif
