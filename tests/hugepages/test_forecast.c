// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The huge-page forecast (src/forecast/) on small synthetic zones whose
 * answer is worked out by hand in the comments: pageblocks of 4 pages
 * (pageblock order 2) so that every page can be followed. Every expected
 * value comes from that hand analysis, none from running the code.
 */
#include <stdarg.h>
#include <stdlib.h>

#include "../common/check.h"
#include "compactrace/error.h"
#include "compactrace/forecast.h"
#include "compactrace/pbclass.h"

enum { F = CT_FC_FREE, N = CT_FC_NOFLAGS, M = CT_FC_MOVABLE, RC = CT_FC_RECLAIMABLE, UE = CT_FC_UNEVICTABLE,
       S = CT_FC_SLAB, K = CT_FC_UNMOVABLE };

/* a pageblock from (class, pages) pairs, ended by -1 */
static struct ct_fc_block blk(int c0, ...)
{
	struct ct_fc_block b = { 0 };
	va_list ap;
	int c = c0;

	va_start(ap, c0);
	while (c >= 0) {
		b.pages[c] += (uint32_t)va_arg(ap, int);
		c = va_arg(ap, int);
	}
	va_end(ap);
	return b;
}

/* a zone at pfn 0 with plenty of free pages and no watermarks, unless the test says otherwise */
static struct ct_fc_zone_in zone(struct ct_fc_block *blocks, uint64_t n, int pbo)
{
	struct ct_fc_zone_in z = { .nid = 0, .name = "Test", .start_pfn = 0, .spanned = n << pbo,
				   .present = n << pbo, .managed = n << pbo, .free_pages = 1000,
				   .nonmovable_blocks = -1, .first_pfn = 0, .nblocks = n, .blocks = blocks };

	return z;
}

static struct ct_fc_result *run(struct ct_fc_zone_in *z, int order, int pbo, int allowed, int reclaim)
{
	struct ct_fc_input in = { .order = order, .pageblock_order = pbo, .page_size = 4096,
				  .unevictable_allowed = allowed, .extfrag_threshold = 500, .reclaim = reclaim,
				  .zones = z, .nzones = 1, .page_owner = -1 };
	struct ct_fc_result *r = NULL;

	CHECK(ct_forecast_run(&in, &r) == 0);
	return r;
}

/*
 * Eight pageblocks of 4 pages:
 *   b0 2M 2F   b1 2M 2F   b2 4F   b3 1S 1M 2F   b4 2M 2F   b5 3M 1F   b6 2UE 2F   b7 1M 3F
 * The migrate scanner: b0 needs 2, the free scanner takes them from b7
 * (3 -> 1); b1 needs 2: b7's last and one of b6 (2 -> 1); b2 is free; b3
 * holds slab, so it cannot be freed, but its movable page is migrated all
 * the same (the kernel's migrate scanner does not know): b6's last; b4
 * needs 2, and only b5's one free page is left above it: the scanners meet
 * at b4. Freed: b0, b1 (2), free already: b2 (1). Six pages moved.
 */
static void test_scanners_meet(void)
{
	struct ct_fc_block b[8] = {
		blk(M, 2, F, 2, -1), blk(M, 2, F, 2, -1), blk(F, 4, -1), blk(S, 1, M, 1, F, 2, -1),
		blk(M, 2, F, 2, -1), blk(M, 3, F, 1, -1), blk(UE, 2, F, 2, -1), blk(M, 1, F, 3, -1),
	};
	struct ct_fc_zone_in z = zone(b, 8, 2);
	struct ct_fc_result *r = run(&z, 2, 2, 0, 1);

	if (!r)
		return;
	CHECK_U64(r->zones[0].pageblocks, 8);
	CHECK_U64(r->zones[0].free_blocks, 1);
	CHECK_U64(r->zones[0].compactable_blocks, 5);	/* b0 b1 b4 b5 b7 */
	CHECK_U64(r->zones[0].blocked_blocks, 2);
	CHECK_U64(r->zones[0].blocked_by[CT_FC_R_SLAB], 1);
	CHECK_U64(r->zones[0].blocked_by[CT_FC_R_UNEVICTABLE], 1);
	CHECK_U64(r->zones[0].free_units, 1);
	CHECK_U64(r->zones[0].compaction_units, 2);
	CHECK_U64(r->obtainable, 3);
	CHECK_U64(r->zones[0].migrate_pages, 6);	/* 2 + 2 + 1, and b5's one page for b4 */
	CHECK_STR(r->zones[0].limit, "scanners met");
	CHECK_U64(r->zones[0].meet_pfn, 4 * 4);
	CHECK_STR(r->zones[0].map, "++.SccLc");
	ct_fc_result_free(r);

	/*
	 * vm.compact_unevictable_allowed = 1: b6 is compactable (needs 2), but
	 * the scanners meet at b4 as before: the same 3, one blocked pageblock.
	 */
	r = run(&z, 2, 2, 1, 1);
	if (!r)
		return;
	CHECK_U64(r->zones[0].blocked_blocks, 1);
	CHECK_U64(r->zones[0].compactable_blocks, 6);
	CHECK_U64(r->obtainable, 3);
	CHECK_STR(r->zones[0].map, "++.Scccc");
	ct_fc_result_free(r);
}

/*
 * No-flag pages. b2 is all no-flag at the zone's top: not memory yet;
 * present 12 - managed 8 - reserved 0 = 4 pages not initialized.
 * With 2 per-CPU pages, b0 (nothing blocking) gets them: free 2, movable
 * 2, compactable. b1's no-flag page is then a kernel page: blocked, slab
 * and unmovable one page each, slab first. b0 needs 2 pages moved, and the
 * only pageblock above with memory, b1, holds slab: not a movable
 * pageblock, so no room: the scanners meet at once.
 */
static void test_noflag_pages(void)
{
	struct ct_fc_block b[3] = {
		blk(M, 2, N, 2, -1), blk(S, 1, N, 1, M, 2, -1), blk(N, 4, -1),
	};
	struct ct_fc_zone_in z = zone(b, 3, 2);
	struct ct_fc_result *r;

	z.present = 12;
	z.managed = 8;
	z.pcp_pages = 2;
	r = run(&z, 2, 2, 0, 1);
	if (!r)
		return;
	CHECK_U64(r->zones[0].pageblocks, 2);
	CHECK_U64(r->zones[0].absent_blocks, 1);
	CHECK_U64(r->zones[0].uninitialized_pages, 4);
	CHECK_U64(r->uninitialized_pages, 4);
	CHECK_U64(r->zones[0].pcp_free, 2);
	CHECK_U64(r->zones[0].noflag_unmovable, 1);
	CHECK_U64(r->zones[0].blocked_by[CT_FC_R_SLAB], 1);
	CHECK_U64(r->zones[0].compactable_blocks, 1);
	CHECK_U64(r->obtainable, 0);
	CHECK_STR(r->zones[0].limit, "scanners met");
	CHECK_STR(r->zones[0].map, "cS_");
	ct_fc_result_free(r);

	/* three per-CPU pages: b1's no-flag page is free too; still blocked by its slab page */
	z.pcp_pages = 3;
	r = run(&z, 2, 2, 0, 1);
	if (!r)
		return;
	CHECK_U64(r->zones[0].pcp_free, 3);
	CHECK_U64(r->zones[0].noflag_unmovable, 0);
	ct_fc_result_free(r);

	/*
	 * pagetypeinfo says no pageblock is unmovable: b1 is a movable
	 * pageblock after all, its free page is room for one of b0's two
	 * pages: not enough, the scanners still meet in b0.
	 */
	z.nonmovable_blocks = 0;
	r = run(&z, 2, 2, 0, 1);
	if (!r)
		return;
	CHECK_U64(r->zones[0].migrate_pages, 1);
	CHECK_U64(r->obtainable, 0);
	ct_fc_result_free(r);
}

/*
 * No-flag pages left after the per-CPU counts do not outvote the pages
 * that surely block: b0 2 mlocked + 2 no-flag is blocked by unevictable
 * pages (not 2 against 2, unmovable first); b1 1 movable + 3 no-flag has
 * nothing else blocking: unmovable.
 */
static void test_noflag_does_not_outvote(void)
{
	struct ct_fc_block b[2] = { blk(UE, 2, N, 2, -1), blk(M, 1, N, 3, -1) };
	struct ct_fc_zone_in z = zone(b, 2, 2);
	struct ct_fc_result *r = run(&z, 2, 2, 0, 1);

	if (!r)
		return;
	CHECK_U64(r->zones[0].blocked_by[CT_FC_R_UNEVICTABLE], 1);
	CHECK_U64(r->zones[0].blocked_by[CT_FC_R_UNMOVABLE], 1);
	CHECK_U64(r->zones[0].noflag_unmovable, 5);
	CHECK_STR(r->zones[0].map, "LU");
	ct_fc_result_free(r);
}

/*
 * Order 3 over pageblocks of order 2: units of two pageblocks.
 *   b0 4F  b1 4F | b2 2M 2F  b3 1M 3F | b4 4F  b5 2RC 2F
 * With reclaim, b5's page cache is dropped: b4 b5 are free, two free
 * units; unit b2-b3 needs 3 moved and no pageblock above has room (free
 * ones are not free-scanner targets): met. 2 in all.
 * Without reclaim b5 has 2 pages to move and room for 2: b2-b3 needs 3,
 * gets 2: met there. One free unit: 1 in all.
 */
static void test_order_above_pageblock(void)
{
	struct ct_fc_block b[6] = {
		blk(F, 4, -1), blk(F, 4, -1), blk(M, 2, F, 2, -1), blk(M, 1, F, 3, -1), blk(F, 4, -1),
		blk(RC, 2, F, 2, -1),
	};
	struct ct_fc_zone_in z = zone(b, 6, 2);
	struct ct_fc_result *r = run(&z, 3, 2, 0, 1);

	if (!r)
		return;
	CHECK_U64(r->zones[0].free_units, 2);
	CHECK_U64(r->zones[0].compaction_units, 0);
	CHECK_U64(r->zones[0].reclaimable, 2);
	CHECK_U64(r->obtainable, 2);
	ct_fc_result_free(r);

	r = run(&z, 3, 2, 0, 0);
	if (!r)
		return;
	CHECK_U64(r->zones[0].free_units, 1);
	CHECK_U64(r->zones[0].migrate_pages, 2);
	CHECK_U64(r->obtainable, 1);
	CHECK_U64(r->zones[0].meet_pfn, 8);
	ct_fc_result_free(r);
}

/*
 * The watermarks. Ten free pageblocks, 40 free pages, min 20: each order-2
 * allocation must leave more than min + reserve: 40 - 3 - 4j > 20 for
 * j = 0..4 (the fifth leaves 37 - 16 = 21 > 20; a sixth, 17): 5 units.
 * With a lowmem reserve of 8: 40 - 3 - 4j > 28: j = 0..2: 3 units.
 */
static void test_watermarks(void)
{
	struct ct_fc_block b[10];
	struct ct_fc_zone_in z;
	struct ct_fc_result *r;

	for (int i = 0; i < 10; i++)
		b[i] = blk(F, 4, -1);
	z = zone(b, 10, 2);
	z.free_pages = 40;
	z.wmark_min = 20;
	r = run(&z, 2, 2, 0, 1);
	if (!r)
		return;
	CHECK_U64(r->zones[0].free_units, 10);
	CHECK_U64(r->zones[0].alloc_cap, 5);
	CHECK_U64(r->obtainable, 5);
	CHECK_U64(r->free_units, 5);
	CHECK_STR(r->zones[0].limit, "watermark");
	ct_fc_result_free(r);

	z.reserve = 8;
	r = run(&z, 2, 2, 0, 1);
	if (!r)
		return;
	CHECK_U64(r->obtainable, 3);
	ct_fc_result_free(r);
}

/*
 * compaction_suitable(): b0 1M 3F needs one page moved, b1 has room.
 * Free pages 20, low 8: compaction runs for allocation j only while
 * 20 - 4j > 8 + 2 * 4 = 16: j = 0 only. No free unit, so one by compaction.
 * With low 12: 20 > 20 fails: none.
 */
static void test_compaction_watermark(void)
{
	struct ct_fc_block b[2] = { blk(M, 1, F, 3, -1), blk(M, 2, F, 2, -1) };
	struct ct_fc_zone_in z = zone(b, 2, 2);
	struct ct_fc_result *r;

	z.free_pages = 20;
	z.wmark_low = 8;
	r = run(&z, 2, 2, 0, 1);
	if (!r)
		return;
	CHECK_U64(r->zones[0].compaction_units, 1);
	CHECK_U64(r->obtainable, 1);
	ct_fc_result_free(r);

	z.wmark_low = 12;
	r = run(&z, 2, 2, 0, 1);
	if (!r)
		return;
	CHECK_U64(r->obtainable, 0);
	CHECK_STR(r->zones[0].limit, "watermark");
	ct_fc_result_free(r);
}

/*
 * The free units go first: b0 free, b1 1M 3F needs one page from b2.
 * 20 free pages, low 8: compaction runs only for allocation j = 0, and
 * that one takes b0: nothing is left for compaction. 1 in all.
 */
static void test_compaction_after_free_units(void)
{
	struct ct_fc_block b[3] = { blk(F, 4, -1), blk(M, 1, F, 3, -1), blk(M, 2, F, 2, -1) };
	struct ct_fc_zone_in z = zone(b, 3, 2);
	struct ct_fc_result *r;

	z.free_pages = 20;
	z.wmark_low = 8;
	r = run(&z, 2, 2, 0, 1);
	if (!r)
		return;
	CHECK_U64(r->zones[0].free_units, 1);
	CHECK_U64(r->zones[0].compaction_units, 0);
	CHECK_U64(r->obtainable, 1);
	CHECK_STR(r->zones[0].limit, "watermark");
	ct_fc_result_free(r);
}

/*
 * The fragmentation index (order 4 > PAGE_ALLOC_COSTLY_ORDER): two free
 * order-3 blocks, 16 pages: 1000 - (1000 + 16 * 1000 / 16) / 2 = 0, at
 * most vm.extfrag_threshold 500: the kernel does not compact. Sixteen
 * order-0 blocks: 1000 - (1000 + 1000) / 16 = 875: it does.
 */
static void test_fragindex(void)
{
	struct ct_fc_block b[2] = { blk(M, 8, F, 8, -1), blk(M, 8, F, 8, -1) };
	struct ct_fc_zone_in z = zone(b, 2, 4);
	struct ct_fc_result *r;

	z.norders = 5;
	z.free_blocks[3] = 2;
	r = run(&z, 4, 4, 0, 1);
	if (!r)
		return;
	CHECK_STR(r->zones[0].limit, "fragmentation index");
	CHECK(r->zones[0].fragindex == 0);
	CHECK_U64(r->obtainable, 0);
	ct_fc_result_free(r);

	z.free_blocks[3] = 0;
	z.free_blocks[0] = 16;
	r = run(&z, 4, 4, 0, 1);
	if (!r)
		return;
	CHECK(r->zones[0].fragindex == 875);
	CHECK_U64(r->obtainable, 1);	/* b0's 8 pages fit in b1's 8 free pages */
	ct_fc_result_free(r);
}

/*
 * Order 1 in pageblocks of order 3 (8 pages, 4 units of 2):
 *   b0: units [F F] [M M] [M F] [M S]: 1 free, 2 clean needing 3, 1 loose free page
 *   b1: all free: 4 free units
 *   b2: units [M F] x4: 4 clean needing 4, 4 loose free pages
 * b0 is blocked (slab) but its clean units can be freed: the first needs
 * 1 (3 * 1 / 2), the second 2; both from b2's loose pages (4 -> 1). b1 is
 * free. At b2 the scanners meet. 5 free units + 2 = 7.
 */
static void test_order_below_pageblock(void)
{
	struct ct_fc_block b[3] = { blk(F, 3, M, 4, S, 1, -1), blk(F, 8, -1), blk(M, 4, F, 4, -1) };
	struct ct_fc_zone_in z = zone(b, 3, 3);
	struct ct_fc_input in = { .order = 1, .pageblock_order = 3, .page_size = 4096, .reclaim = 1,
				  .extfrag_threshold = 500, .zones = &z, .nzones = 1, .units_known = 1 };
	struct ct_fc_result *r = NULL;

	b[0].units_free = 1;
	b[0].units_clean = 2;
	b[0].clean_movable = 3;
	b[0].loose_free = 1;
	b[2].units_clean = 4;
	b[2].clean_movable = 4;
	b[2].loose_free = 4;
	CHECK(ct_forecast_run(&in, &r) == 0);
	if (!r)
		return;
	CHECK_U64(r->zones[0].free_units, 5);
	CHECK_U64(r->zones[0].compaction_units, 2);
	CHECK_U64(r->zones[0].migrate_pages, 3);
	CHECK_U64(r->obtainable, 7);
	CHECK_STR(r->zones[0].map, "S.c");
	ct_fc_result_free(r);

	/* without the unit counts an order below the pageblock order cannot be answered */
	in.units_known = 0;
	CHECK(ct_forecast_run(&in, &r) == -CT_E_INVAL);
}

/* owners: most pageblocks first; unevictable ones only while they block */
static void test_owners(void)
{
	struct ct_fc_block b[1] = { blk(F, 4, -1) };
	struct ct_fc_zone_in z = zone(b, 1, 2);
	struct ct_fc_owner ow[3] = {
		{ .cgroup_ino = 7, .cgroup = "/a", .reason = CT_FC_R_SLAB, .pages = 9, .blocks = 2 },
		{ .cgroup_ino = 8, .cgroup = "/b", .reason = CT_FC_R_UNEVICTABLE, .pages = 3, .blocks = 5 },
		{ .cgroup_ino = 9, .cgroup = "/c", .reason = CT_FC_R_PINNED, .pages = 12, .blocks = 2 },
	};
	struct ct_fc_input in = { .order = 2, .pageblock_order = 2, .zones = &z, .nzones = 1, .owners = ow,
				  .nowners = 3 };
	struct ct_fc_result *r = NULL;

	CHECK(ct_forecast_run(&in, &r) == 0);
	if (!r)
		return;
	CHECK_U64(r->nowners, 3);
	CHECK_STR(r->owners[0].cgroup, "/b");
	CHECK_STR(r->owners[1].cgroup, "/c");	/* 2 pageblocks each: more pages first */
	CHECK_STR(r->owners[2].cgroup, "/a");
	ct_fc_result_free(r);

	in.unevictable_allowed = 1;
	CHECK(ct_forecast_run(&in, &r) == 0);
	if (!r)
		return;
	CHECK_U64(r->nowners, 2);
	CHECK_STR(r->owners[0].cgroup, "/c");
	ct_fc_result_free(r);
}

/* a pageblock of 64 pages (order 6): 32 movable, 32 free at the odd (or even) offsets */
static struct ct_fc_block half_free(int even)
{
	struct ct_fc_block b = blk(M, 32, F, 32, -1);

	for (int k = 0; k < CT_FC_STRIDES && even; k++)
		b.seen_at_stride[k] = 32u >> k;	/* stride 2: all 32, 4: 16, ... 32: 2 */
	return b;
}

static struct ct_fc_result *run_strides(struct ct_fc_zone_in *z, int strides_known)
{
	struct ct_fc_input in = { .order = 6, .pageblock_order = 6, .page_size = 4096, .extfrag_threshold = 500,
				  .strides_known = strides_known, .zones = z, .nzones = 1, .page_owner = -1 };
	struct ct_fc_result *r = NULL;

	CHECK(ct_forecast_run(&in, &r) == 0);
	return r;
}

/*
 * The free scanner's stride (pageblocks of 64 pages, calls of 32 pages):
 *   b0..b2 half free, odd offsets   b3 a huge page   b4 half free, odd   b5 half free, even
 * Unit b0 needs 32: the first call starts at b5 at stride 1 and takes its
 * 32. Unit b1: the next call finds b5 empty (stride 2), b4's free pages
 * at odd offsets unseen (stride 4), b3 nothing (stride 8), b2 unseen, and
 * meets the migrate scanner: one pageblock freed, 64 free pages passed
 * (b2's and b4's). With b4's free pages at even offsets, the stride-2 scan
 * takes all 32 there: b1 freed too, then b2 finds nothing above it (b3
 * holds nothing): two. Without the stride counts (an old recording), every
 * free page is seen: b1 takes b4's, two freed, nothing passed.
 */
static void test_free_scanner_stride(void)
{
	struct ct_fc_block b[6] = { half_free(0), half_free(0), half_free(0), blk(CT_FC_HUGE, 64, -1), half_free(0),
				    half_free(1) };
	struct ct_fc_zone_in z = zone(b, 6, 6);
	struct ct_fc_result *r = run_strides(&z, 1);

	if (r) {
		CHECK_U64(r->compaction_units, 1);
		CHECK_U64(r->zones[0].free_pages_passed, 64);
		CHECK_U64(r->zones[0].meet_pfn, 1 << 6);
		CHECK_U64(r->compaction_units_all_seen, 2);	/* every free page seen: as without the counts */
		CHECK_U64(r->zones[0].compaction_units_all_seen, 2);
		ct_fc_result_free(r);
	}
	b[4] = half_free(1);
	r = run_strides(&z, 1);
	if (r) {
		CHECK_U64(r->compaction_units, 2);
		CHECK_U64(r->zones[0].free_pages_passed, 0);
		ct_fc_result_free(r);
	}
	b[4] = half_free(0);
	r = run_strides(&z, 0);
	if (r) {
		CHECK_U64(r->compaction_units, 2);
		CHECK_U64(r->compaction_units_all_seen, 2);
		CHECK_U64(r->zones[0].free_pages_passed, 0);
		ct_fc_result_free(r);
	}
}

/*
 * The free-list search reaches the zone's top quarter whatever the stride
 * (eight pageblocks of 64 pages, calls of 32; the top quarter is b6 and b7):
 *   b0 half free (odd)   b1 b2 b3 huge   b4 b5 b6 half free (odd)   b7 huge
 * Unit b0: the search finds b7 empty and takes b6's 32: b0 freed. b1-b3
 * hold nothing to move. Unit b4: the search has nothing left in the top
 * quarter; the linear scan passes b7 (stride 2 after it), b6 (empty,
 * stride 4) and b5, whose free pages are at odd offsets, and meets the
 * migrate scanner: one pageblock freed, b5's 32 free pages passed. Seeing
 * every free page, b4 takes b5's room: two.
 */
static void test_free_list_search(void)
{
	struct ct_fc_block b[8] = { half_free(0), blk(CT_FC_HUGE, 64, -1), blk(CT_FC_HUGE, 64, -1),
				    blk(CT_FC_HUGE, 64, -1), half_free(0), half_free(0), half_free(0),
				    blk(CT_FC_HUGE, 64, -1) };
	struct ct_fc_zone_in z = zone(b, 8, 6);
	struct ct_fc_result *r = run_strides(&z, 1);

	if (!r)
		return;
	CHECK_U64(r->compaction_units, 1);
	CHECK_U64(r->compaction_units_all_seen, 2);
	CHECK_U64(r->zones[0].free_pages_passed, 32);
	CHECK_U64(r->zones[0].meet_pfn, 4 << 6);
	ct_fc_result_free(r);
}

static void test_bad_input(void)
{
	struct ct_fc_zone_in z = { .nblocks = 3, .blocks = NULL };
	struct ct_fc_input in = { .order = 9, .pageblock_order = 9, .zones = &z, .nzones = 1 };
	struct ct_fc_result *r = NULL;

	CHECK(ct_forecast_run(&in, &r) == -CT_E_INVAL);
	in.order = 0;
	z.nblocks = 0;
	CHECK(ct_forecast_run(&in, &r) == -CT_E_INVAL);
	CHECK(r == NULL);
	ct_fc_result_free(NULL);
}

int main(void)
{
	test_scanners_meet();
	test_noflag_pages();
	test_noflag_does_not_outvote();
	test_order_above_pageblock();
	test_watermarks();
	test_compaction_watermark();
	test_compaction_after_free_units();
	test_fragindex();
	test_order_below_pageblock();
	test_owners();
	test_free_scanner_stride();
	test_free_list_search();
	test_bad_input();
	return ct_test_status("test_forecast");
}
