/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef COMPACTRACE_SNAPSHOTS_COLLECT_H
#define COMPACTRACE_SNAPSHOTS_COLLECT_H

#include <stddef.h>
#include <stdint.h>

#include "compactrace/attach.h"
#include "compactrace/memsnap.h"
#include "compactrace/snapshot.h"	/* CT_SNAPSHOT_START, CT_SNAPSHOT_END */

/*
 * The memory-state snapshots `compactrace record` keeps in its file at the
 * start and the end of a capture, as attachments named "PREFIX/ITEM" with
 * PREFIX "snapshot-start" or "snapshot-end" and ITEM one of:
 *
 *   vmstat, buddyinfo, pagetypeinfo, zoneinfo      copies of /proc/ITEM
 *   extfrag_threshold, compaction_proactiveness,   copies of /proc/sys/vm/ITEM
 *   compact_unevictable_allowed
 *   thp-enabled, thp-defrag                        /sys/kernel/mm/transparent_hugepage/{enabled,defrag}
 *   osrelease                                      the kernel release (uname -r)
 *   page-size                                      the page size in bytes, as text
 *   kpageflags-summary                             see ct_kpageflags_summary()
 *   pageblock-classes                              the huge-page forecast's pages per
 *                                                  pageblock: see compactrace/pbclass.h
 *   free-map                                       start only, `record --pages`: see
 *                                                  ct_free_map_read() and memsnap.h
 *
 * The item names double as the file names of a --snapshot-start directory
 * (`report --extract-snapshots` writes such directories from a recording).
 */


/* Every item name above, NULL-terminated. */
extern const char *const ct_snapshot_items[];

/* Called with a one-line note, e.g. an item that could not be read. */
typedef void (*ct_snapshot_note_fn)(void *ctx, const char *msg);

/**
 * ct_snapshot_collect_vmstat() - add "@prefix/vmstat" from @root/proc/vmstat
 * @root: "" for this host, or a directory holding a fake proc/ and sys/ tree
 *
 * Kept apart from the rest so that it can be read right next to the moment
 * tracing starts or stops. Returns 0, -CT_E_OPEN (errno kept) or -CT_E_NOMEM.
 */
int ct_snapshot_collect_vmstat(struct ct_attach_set *set, const char *root, const char *prefix);

/**
 * ct_snapshot_collect_buddy() - add "@prefix/buddyinfo" and "@prefix/zoneinfo"
 *
 * The free blocks and per-CPU lists the shadow buddy model compares with:
 * read, like vmstat, right next to the moment tracing stops (before the
 * buffers are written out, which allocates memory). Returns 0, -CT_E_OPEN
 * (errno kept) or -CT_E_NOMEM.
 */
int ct_snapshot_collect_buddy(struct ct_attach_set *set, const char *root, const char *prefix);

/**
 * ct_snapshot_collect() - add every other item (not vmstat, not free-map) under @prefix
 * @note: told about each item that could not be read (it is then left out);
 *        may be NULL
 *
 * An item @set already holds under @prefix is kept: it was read earlier,
 * closer to the moment tracing stopped (ct_snapshot_collect_buddy()).
 * Returns 0 or -CT_E_NOMEM; a missing file is a note, not an error.
 */
int ct_snapshot_collect(struct ct_attach_set *set, const char *root, const char *prefix,
			ct_snapshot_note_fn note, void *ctx);

/**
 * ct_kpageflags_summary() - summarize /proc/kpageflags per pageblock
 * @fd: /proc/kpageflags (or a copy), read from offset 0 to its end
 * @pageblock_order: pages per pageblock = 1 << order (1..20)
 * @text: receives a malloc()ed NUL-terminated text the caller frees
 * @len: its length
 *
 * The text starts with '#' comment lines, then has one line per pageblock
 * that has any page, "0xSTART_PFN FREE LRU SLAB OTHER", and ends with
 * "total pfns N pageblocks N" and "total free N lru N slab N other N nopage N".
 * FREE counts free buddy blocks: a page flagged KPF_BUDDY heads a free block
 * whose tail pages carry no flags, so the block is taken as the largest
 * naturally aligned power of two of flagless pages after the head (an upper
 * estimate when an unflagged allocated page directly follows a free block).
 * Pages without a struct page (KPF_NOPAGE) are counted in no column.
 *
 * Returns 0, -CT_E_IO, -CT_E_INVAL or -CT_E_NOMEM.
 */
int ct_kpageflags_summary(int fd, int pageblock_order, char **text, size_t *len);

/* Called between two chunks of a free-map read; a negative return stops it. */
typedef int (*ct_free_map_step_fn)(void *ctx);

#define CT_FREE_MAP_CHUNK 65536	/* pfns per read (512 KiB of kpageflags) */

/**
 * ct_free_map_read() - /proc/kpageflags as a per-pfn free map, streaming
 * @fd: /proc/kpageflags (or a copy), read from offset 0 to its end
 * @map: receives pfns 0..N-1 (ts_begin_ns/ts_end_ns 0: the caller knows
 *       the clock); free map->classes with free(), also on failure
 * @step: called after every CT_FREE_MAP_CHUNK pfns (record drains its
 *        trace buffers there); may be NULL
 *
 * Each word becomes ct_pfn_class_of_kpageflags(): 2 bits per pfn in
 * memory, never the 8-byte words. Returns 0, -CT_E_IO (a read error or an
 * empty file), -CT_E_NOMEM, or what @step returned when negative.
 */
int ct_free_map_read(int fd, struct ct_memsnap_free_map *map, ct_free_map_step_fn step, void *ctx);

/**
 * ct_pageblock_order_from_pagetypeinfo() - "Page block order: N" in /proc/pagetypeinfo text
 *
 * Returns N, or 0 when @text (@len bytes, need not be NUL-terminated) does not say.
 */
int ct_pageblock_order_from_pagetypeinfo(const char *text, size_t len);

#endif
