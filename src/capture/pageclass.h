/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef CT_CAPTURE_PAGECLASS_H
#define CT_CAPTURE_PAGECLASS_H

#include <stdint.h>

#include "compactrace/memsnap.h"
#include "compactrace/pbclass.h"

/*
 * Reading the host for the huge-page forecast: every pfn's class from
 * /proc/kpageflags (with /proc/kpagecount for pinned pages and
 * /proc/kpagecgroup for the owners of blocking pages) summed per
 * pageblock, streaming (a few MiB whatever the memory size, so that the
 * read itself takes few of the free pages it counts).
 */

/** ct_pageclass_of() - the class of one page from its kpageflags word */
enum ct_fc_class ct_pageclass_of(uint64_t flags, uint64_t mapcount, int mapcount_known, int folio_order,
				 int order);

struct ct_pageclass_opts {
	int pageblock_order;
	int order;			/* target order: THP/hugetlb of at least this order are "huge" */
	int unevictable_allowed;	/* for the unit counts below the pageblock order */
};

/**
 * ct_pageclass_read() - read the page files into @pc (all zero before; release it after)
 * @kpageflags: an fd of /proc/kpageflags (or a copy), read from offset 0 to its end
 * @kpagecount: of /proc/kpagecount, or -1 (no pinned pages then)
 * @kpagecgroup: of /proc/kpagecgroup, or -1 (no owners then)
 *
 * Owner paths are left empty: ct_pageclass_name_owners() fills them.
 * Returns 0, -CT_E_IO (a read error, or an empty kpageflags) or -CT_E_NOMEM.
 */
int ct_pageclass_read(int kpageflags, int kpagecount, int kpagecgroup, const struct ct_pageclass_opts *o,
		      struct ct_pbclass *pc);

/**
 * ct_pageclass_name_owners() - fill each owner's cgroup path from the cgroup hierarchies
 * @root: "" for this host, or a directory holding a fake proc/ and sys/ tree
 *
 * Looks the inode numbers up in the memory controller's hierarchy (cgroup
 * v1 "memory", else the cgroup2 mount), as /proc/self/mountinfo lists
 * them; an inode found nowhere keeps an empty path, 0 is "(no cgroup)".
 */
void ct_pageclass_name_owners(const char *root, struct ct_pbclass *pc);

/* A one-line note: something that could not be read. */
typedef void (*ct_pageclass_note_fn)(void *ctx, const char *msg);

/**
 * ct_pageclass_read_root() - ct_pageclass_read() of @root/proc's page files, owners named
 * @note: told when kpagecount or kpagecgroup cannot be opened (read on without); may be NULL
 * @err: why on failure, naming the file
 *
 * Returns 0, -CT_E_OPEN (kpageflags: errno kept), -CT_E_IO or -CT_E_NOMEM.
 */
int ct_pageclass_read_root(const char *root, const struct ct_pageclass_opts *o, struct ct_pbclass *pc,
			   ct_pageclass_note_fn note, void *ctx, char *err, size_t errlen);

/**
 * ct_fc_read_host() - everything the forecast needs of this host, now
 * @root: "" for this host, or a directory with a fake proc/ and sys/ tree
 * @set: the order asked for (0: the pageblock order); the other fields
 *       are filled from the host (sysctls, page_owner)
 * @snap: receives zoneinfo, buddyinfo and pagetypeinfo parsed; free with ct_memsnap_free()
 * @pc: the pageblock classes, all zero before; release with ct_pbclass_release(),
 *      also after a failure
 * @err: why on failure, naming the file
 *
 * Reads zoneinfo, buddyinfo and pagetypeinfo first, then the page files,
 * then zoneinfo again for the per-CPU counts (they move while the page
 * files are read; the later counts are nearer the moment most pages were
 * seen). Returns 0, -CT_E_OPEN (errno kept), -CT_E_PARSE, -CT_E_IO,
 * -CT_E_INVAL (an order above the largest buddy order) or -CT_E_NOMEM.
 */
int ct_fc_read_host(const char *root, struct ct_fc_settings *set, struct ct_memsnap **snap,
		    struct ct_pbclass *pc, ct_pageclass_note_fn note, void *ctx, char *err, size_t errlen);

#endif
