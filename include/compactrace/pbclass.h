/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef COMPACTRACE_PBCLASS_H
#define COMPACTRACE_PBCLASS_H

#include <stddef.h>
#include <stdint.h>

#include "compactrace/forecast.h"
#include "compactrace/memsnap.h"

/*
 * The pages of every pageblock by class (enum ct_fc_class), as read from
 * /proc/kpageflags, /proc/kpagecount and /proc/kpagecgroup, with the
 * cgroups that hold blocking pages: what the huge-page forecast needs of
 * the host, live or from a recording (item "pageblock-classes").
 *
 * The item's text, one pageblock per line, in pfn order:
 *
 *   # compactrace pageblock classes 1
 *   # pageblock_order 9
 *   # order 9                   (THP/hugetlb pages of at least this order are "huge")
 *   # columns start_pfn free noflags movable ... nopage   (ct_fc_class_name() order)
 *   # strides 2 4 8 16 32       (optional, since 2026-12-06: five more columns,
 *                                the free pages a scan at each stride meets)
 *   0x100000 12 0 500 0 0 0 0 0 0 0 0 0 0 [6 3 2 1 0]
 *   ...
 *   owner REASON PAGES PAGEBLOCKS CGROUP_INO PATH     (PATH: the rest of the line, may be empty)
 *
 * Pageblocks without any page (all KPF_NOPAGE) have no line.
 */

struct ct_pbclass {
	int pageblock_order;
	int order;			/* the order "huge" was judged against */
	int units_known;		/* blocks carry units_* for @order (live reads only) */
	int strides_known;		/* blocks carry seen_at_stride[] ("# strides" line) */
	uint64_t *start_pfn;		/* of each pageblock, ascending */
	struct ct_fc_block *blocks;
	uint64_t nblocks, cap;
	struct ct_fc_owner *owners;
	uint32_t nowners, owners_cap;
};

/** ct_pbclass_release() - free what @pc holds (not @pc); accepts an all-zero @pc */
void ct_pbclass_release(struct ct_pbclass *pc);

/**
 * ct_pbclass_append() - add a pageblock at @start_pfn, after every one already added
 * @blk: its counts, copied
 *
 * Returns 0, -CT_E_INVAL (not after the last one) or -CT_E_NOMEM.
 */
int ct_pbclass_append(struct ct_pbclass *pc, uint64_t start_pfn, const struct ct_fc_block *blk);

/** ct_pbclass_add_owner() - add an owner line (copied); 0 or -CT_E_NOMEM */
int ct_pbclass_add_owner(struct ct_pbclass *pc, const struct ct_fc_owner *ow);

/**
 * ct_pbclass_encode() - the item text for @pc
 * @text: receives a malloc()ed NUL-terminated text the caller frees; @len its length
 *
 * Returns 0 or -CT_E_NOMEM.
 */
int ct_pbclass_encode(const struct ct_pbclass *pc, char **text, size_t *len);

/**
 * ct_pbclass_parse() - parse the item text into @pc (all zero before; release it after)
 * @err: "pageblock-classes line N: why" on failure
 *
 * Returns 0, -CT_E_PARSE or -CT_E_NOMEM.
 */
int ct_pbclass_parse(const char *text, size_t len, struct ct_pbclass *pc, char *err, size_t errlen);

/** The host settings the forecast takes besides the pages. */
struct ct_fc_settings {
	int order;			/* 0: the pageblock order */
	int unevictable_allowed;	/* vm.compact_unevictable_allowed; < 0: unknown (1, the default) */
	int extfrag_threshold;		/* < 0: unknown */
	int reclaim;			/* count unmapped page cache as free */
	int page_owner;			/* 1, 0, or -1 unknown */
};

/**
 * ct_fc_input_build() - the forecast's input from a snapshot and the pageblock classes
 * @snap: zoneinfo (required: spans, watermarks, protection, per-CPU counts),
 *        buddyinfo and pagetypeinfo (optional); borrowed
 * @pc: the pageblock classes, read for the order asked (@set->order, or the
 *      pageblock order when 0); borrowed: @in keeps copies
 * @in: filled; release with ct_fc_input_release()
 * @err: why on failure
 *
 * Zones with no pages are left out. The lowmem reserve is the protection
 * entry of the Movable zone's index (a GFP_HIGHUSER_MOVABLE request, as
 * hugetlb's), the highatomic free pages come from pagetypeinfo.
 * Returns 0, -CT_E_INVAL (no zone with memory in the zoneinfo, an order the
 * classes were not read for) or -CT_E_NOMEM.
 */
int ct_fc_input_build(const struct ct_memsnap *snap, const struct ct_pbclass *pc,
		      const struct ct_fc_settings *set, struct ct_fc_input *in, char *err, size_t errlen);

/** ct_fc_input_release() - free what ct_fc_input_build() allocated in @in; accepts a zeroed @in */
void ct_fc_input_release(struct ct_fc_input *in);

#endif
