/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef COMPACTRACE_FRAGINDEX_H
#define COMPACTRACE_FRAGINDEX_H

#include <stdint.h>

/*
 * The kernel's fragmentation measures over a zone's free blocks per order
 * (mm/vmstat.c: fill_contig_page_info, __fragmentation_index,
 * unusable_free_index; /sys/kernel/debug/extfrag/), written from their
 * definitions, in the kernel's integer arithmetic, so that values match
 * what the kernel computes for the same counts.
 */

#define CT_FRAGINDEX_SUITABLE (-1000)	/* a free block of the order exists */

/**
 * ct_fragmentation_index() - the kernel's fragmentation index for @order
 * @blocks: free blocks per order, @norders entries (buddyinfo)
 * @order: the requested order, 0 <= @order < @norders
 *
 * Returns 0..1000 (0: a request of this order would fail for lack of
 * memory, 1000: because of fragmentation), CT_FRAGINDEX_SUITABLE (-1000)
 * when a free block of at least @order exists, 0 when nothing is free or
 * @order is out of range (the kernel warns and returns 0). compaction_suitable()
 * skips a costly-order compaction when 0 <= index <= vm.extfrag_threshold.
 */
int ct_fragmentation_index(const uint64_t *blocks, int norders, int order);

/**
 * ct_unusable_free_index() - the kernel's unusable free space index for @order
 *
 * Returns 0..1000: the share (in thousandths) of free pages that sit in
 * blocks too small for @order; 1000 when nothing is free.
 */
int ct_unusable_free_index(const uint64_t *blocks, int norders, int order);

/** ct_free_pages() - Σ blocks[o] << o */
uint64_t ct_free_pages(const uint64_t *blocks, int norders);

/** ct_largest_free_order() - the highest order with a free block, or -1 */
int ct_largest_free_order(const uint64_t *blocks, int norders);

#endif
