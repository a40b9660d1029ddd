// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The kernel's fragmentation index and unusable free space index, against
 * values worked out by hand from the definitions in mm/vmstat.c and values
 * the kernel itself printed in /sys/kernel/debug/extfrag for known
 * buddyinfo counts.
 */
#include "../common/check.h"
#include "compactrace/fragindex.h"

static void check_frag(const uint64_t *b, int order, int want)
{
	int got = ct_fragmentation_index(b, 11, order);

	if (got != want)
		fprintf(stderr, "fragindex order %d = %d, want %d\n", order, got, want);
	CHECK(got == want);
}

static void check_unusable(const uint64_t *b, int order, int want)
{
	int got = ct_unusable_free_index(b, 11, order);

	if (got != want)
		fprintf(stderr, "unusable order %d = %d, want %d\n", order, got, want);
	CHECK(got == want);
}

int main(void)
{
	/* 10 order-0 and 5 order-1 blocks: 20 free pages in 15 blocks */
	uint64_t small[11] = { 10, 5 };
	/* one order-1 block: the kernel's unsigned arithmetic goes below 0 */
	uint64_t lone[11] = { 0, 1 };
	uint64_t none[11] = { 0 };
	/* buddyinfo read next to /sys/kernel/debug/extfrag/unusable_index on this 6.18 VM */
	uint64_t dma32[11] = { 78, 68, 66, 58, 49, 41, 43, 24, 12, 25, 726 };
	uint64_t dma[11] = { 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 3 };
	static const int dma32_unusable[11] = { 0, 0, 0, 0, 1, 2, 3, 7, 11, 15, 32 };

	/* 1000 - (1000 + 20*1000/4) / 15 = 1000 - 6000/15 = 600 */
	check_frag(small, 2, 600);
	/* 1000 - (1000 + 20000/8) / 15 = 1000 - 3500/15 = 1000 - 233 = 767 */
	check_frag(small, 3, 767);
	/* 1000 - (1000 + 20000/512) / 15 = 1000 - 1039/15 = 1000 - 69 = 931 */
	check_frag(small, 9, 931);
	check_frag(small, 1, CT_FRAGINDEX_SUITABLE);
	check_frag(small, 0, CT_FRAGINDEX_SUITABLE);
	/* 1000 - (1000 + 2000/4) / 1 = -500 */
	check_frag(lone, 2, -500);
	check_frag(none, 4, 0);
	check_frag(small, 11, 0);	/* beyond the orders: the kernel warns and says 0 */
	check_frag(dma32, 9, CT_FRAGINDEX_SUITABLE);

	/* (20 - 0) * 1000 / 20 = 1000; (20 - 5*2) * 1000 / 20 = 500; all usable at order 0 */
	check_unusable(small, 2, 1000);
	check_unusable(small, 1, 500);
	check_unusable(small, 0, 0);
	check_unusable(none, 3, 1000);
	for (int o = 0; o < 11; o++)
		check_unusable(dma32, o, dma32_unusable[o]);
	check_unusable(dma, 9, 66);
	check_unusable(dma, 10, 200);

	CHECK_U64(ct_free_pages(small, 11), 20);
	CHECK(ct_largest_free_order(small, 11) == 1);
	CHECK(ct_largest_free_order(none, 11) == -1);
	return ct_test_status("test_fragindex");
}
