/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef COMPACTRACE_SNAPSHOTS_COLLECT_H
#define COMPACTRACE_SNAPSHOTS_COLLECT_H

#include <stddef.h>
#include <stdint.h>

#include "compactrace/attach.h"

/*
 * The memory-state snapshots `compactrace record` keeps in its file at the
 * start and the end of a capture, as attachments named "PREFIX/ITEM" with
 * PREFIX "snapshot-start" or "snapshot-end" and ITEM one of:
 *
 *   vmstat, buddyinfo, pagetypeinfo, zoneinfo      copies of /proc/ITEM
 *   extfrag_threshold, compaction_proactiveness    copies of /proc/sys/vm/ITEM
 *   thp-enabled, thp-defrag                        /sys/kernel/mm/transparent_hugepage/{enabled,defrag}
 *   osrelease                                      the kernel release (uname -r)
 *   page-size                                      the page size in bytes, as text
 *   kpageflags-summary                             see ct_kpageflags_summary()
 *
 * The item names double as the file names of a --snapshot-start directory
 * (vmstat, pagetypeinfo and osrelease are the ones `report` reads).
 */

#define CT_SNAPSHOT_START "snapshot-start"
#define CT_SNAPSHOT_END "snapshot-end"

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
 * ct_snapshot_collect() - add every other item (not vmstat) under @prefix
 * @note: told about each item that could not be read (it is then left out);
 *        may be NULL
 *
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

/**
 * ct_pageblock_order_from_pagetypeinfo() - "Page block order: N" in /proc/pagetypeinfo text
 *
 * Returns N, or 0 when @text (@len bytes, need not be NUL-terminated) does not say.
 */
int ct_pageblock_order_from_pagetypeinfo(const char *text, size_t len);

#endif
