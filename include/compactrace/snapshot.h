/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef COMPACTRACE_SNAPSHOT_H
#define COMPACTRACE_SNAPSHOT_H

#include <stddef.h>

#include "compactrace/memsnap.h"
#include "compactrace/source.h"

/*
 * A snapshot: the host's memory state at the start or the end of a
 * capture, as copies of /proc items (vmstat, buddyinfo, pagetypeinfo,
 * zoneinfo, the kpageflags summary, the free map, osrelease, page-size,
 * extfrag_threshold, ...; the names are listed by ct_snapshot_items in
 * src/capture/snapshots_collect.h). One representation, one loader, three
 * places it comes from: a directory of files named like the items
 * (--snapshot-start DIR), a recording's attachments ("snapshot-start/ITEM",
 * `compactrace record`), or a set of blobs in memory (the live /proc, read
 * by src/capture into a struct ct_attach_set).
 */

#define CT_SNAPSHOT_START "snapshot-start"
#define CT_SNAPSHOT_END "snapshot-end"

struct ct_attach_set;

struct ct_snapshot {
	char *where;		/* what messages call it: "DIR", "FILE#snapshot-start" */
	char *vmstat;		/* NUL-terminated copy of /proc/vmstat; NULL when it has none */
	int pageblock_order;	/* "Page block order" of its pagetypeinfo; 0 when unknown */
	char release[128];	/* kernel release (osrelease); empty when unknown */
	/*
	 * The items the shadow buddy model is seeded from and compared with,
	 * parsed; NULL when the snapshot has none of them, or when one is
	 * damaged (then @mem_error says which and why: the model runs
	 * without snapshots, the report does not fail).
	 */
	struct ct_memsnap *mem;
	char *mem_error;
};

/**
 * ct_snapshot_load_dir() - read a snapshot directory (--snapshot-start DIR)
 * @out: receives a new snapshot; free it with ct_snapshot_free()
 * @err: a one-line message naming the file on failure
 *
 * DIR/vmstat must be there; every other item is optional, but one that is
 * there and cannot be read is an error. Returns 0 or a negative CT_E_*
 * code (-CT_E_PARSE: DIR/vmstat is not a copy of /proc/vmstat).
 */
int ct_snapshot_load_dir(const char *dir, struct ct_snapshot **out, char *err, size_t errlen);

/**
 * ct_snapshot_load_source() - the "@prefix/ITEM" attachments of a recording
 * @prefix: CT_SNAPSHOT_START or CT_SNAPSHOT_END
 * @out: receives a new snapshot (free with ct_snapshot_free()), or NULL
 *       when @src carries no "@prefix/vmstat"
 *
 * Returns 0 or a negative CT_E_* code; @err then names the file and item.
 */
int ct_snapshot_load_source(const struct ct_source *src, const char *prefix,
			    struct ct_snapshot **out, char *err, size_t errlen);

/**
 * ct_snapshot_load_set() - the "@prefix/ITEM" blobs of a set in memory
 * @where: what messages call the set (e.g. "/proc")
 *
 * As ct_snapshot_load_source(). The set is read, not kept.
 */
int ct_snapshot_load_set(const struct ct_attach_set *set, const char *prefix, const char *where,
			 struct ct_snapshot **out, char *err, size_t errlen);

/** ct_snapshot_free() - free the snapshot and everything it holds; accepts NULL */
void ct_snapshot_free(struct ct_snapshot *snap);

#endif
