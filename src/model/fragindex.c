// SPDX-License-Identifier: GPL-2.0-or-later
/* The kernel's fragmentation index and unusable free space index. */
#include "compactrace/fragindex.h"

/* What fill_contig_page_info() gathers for one requested order. */
struct contig_info {
	uint64_t free_pages, free_blocks_total, free_blocks_suitable;
};

static void contig_info(const uint64_t *blocks, int norders, int order, struct contig_info *ci)
{
	ci->free_pages = ci->free_blocks_total = ci->free_blocks_suitable = 0;
	for (int o = 0; o < norders; o++) {
		ci->free_blocks_total += blocks[o];
		ci->free_pages += blocks[o] << o;
		if (o >= order)
			ci->free_blocks_suitable += blocks[o] << (o - order);
	}
}

int ct_fragmentation_index(const uint64_t *blocks, int norders, int order)
{
	struct contig_info ci;
	uint64_t requested;

	if (order < 0 || order >= norders)
		return 0;
	contig_info(blocks, norders, order, &ci);
	if (!ci.free_blocks_total)
		return 0;
	if (ci.free_blocks_suitable)
		return CT_FRAGINDEX_SUITABLE;
	requested = 1ULL << order;
	/*
	 * Both divisions truncate, as div_u64() does. With very few free blocks
	 * the kernel's unsigned result wraps to a negative int; so does this.
	 */
	return (int)(1000 - (int64_t)((1000 + ci.free_pages * 1000 / requested) / ci.free_blocks_total));
}

int ct_unusable_free_index(const uint64_t *blocks, int norders, int order)
{
	struct contig_info ci;

	if (order < 0 || order >= norders)
		return 0;
	contig_info(blocks, norders, order, &ci);
	if (!ci.free_pages)
		return 1000;	/* no free memory counts as all of it unusable */
	return (int)((ci.free_pages - (ci.free_blocks_suitable << order)) * 1000 / ci.free_pages);
}

uint64_t ct_free_pages(const uint64_t *blocks, int norders)
{
	uint64_t n = 0;

	for (int o = 0; o < norders; o++)
		n += blocks[o] << o;
	return n;
}

int ct_largest_free_order(const uint64_t *blocks, int norders)
{
	for (int o = norders - 1; o >= 0; o--)
		if (blocks[o])
			return o;
	return -1;
}
