/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef CT_TOOL_SNAPSHOT_H
#define CT_TOOL_SNAPSHOT_H

#include <stddef.h>

#include "compactrace/engine.h"
#include "compactrace/source.h"
#include "compactrace/vmstat_check.h"

/*
 * /proc copies taken at the start or end of a capture: vmstat (required),
 * pagetypeinfo and osrelease (the output of `uname -r`), optional. They come
 * from a directory (--snapshot-start DIR) or from a trace file that carries
 * them as attachments "snapshot-start/vmstat", ... (`compactrace record`).
 */
struct ct_snapshot {
	char *vmstat;		/* NUL-terminated contents */
	int pageblock_order;	/* from pagetypeinfo; 0 if unknown */
	char release[128];	/* kernel release; empty if unknown */
};

/* The texts a snapshot is made of; lengths in bytes, no NUL needed. */
struct ct_snapshot_texts {
	const char *vmstat, *pagetypeinfo, *osrelease;	/* the last two may be NULL */
	size_t vmstat_len, pagetypeinfo_len, osrelease_len;
};

/**
 * ct_snapshot_from_texts() - build a snapshot from texts in memory
 * @where: names the origin in messages, e.g. "trace.dat (snapshot-start)"
 * @snap: filled in; release its contents with ct_snapshot_release()
 * @err: a one-line message on failure
 *
 * Returns 0, -CT_E_PARSE (not a copy of /proc/vmstat) or -CT_E_NOMEM.
 */
int ct_snapshot_from_texts(const struct ct_snapshot_texts *t, const char *where,
			   struct ct_snapshot *snap, char *err, size_t errlen);

/**
 * ct_snapshot_load() - read DIR/vmstat, DIR/pagetypeinfo and DIR/osrelease
 * @snap: filled in; release its contents with ct_snapshot_release()
 * @err: a one-line message naming the file on failure
 *
 * Returns 0 or a negative CT_E_* code.
 */
int ct_snapshot_load(const char *dir, struct ct_snapshot *snap, char *err, size_t errlen);

/**
 * ct_snapshot_from_source() - read "@prefix/vmstat" etc. from @src's attachments
 * @prefix: "snapshot-start" or "snapshot-end"
 *
 * Returns 1 when loaded (release @snap with ct_snapshot_release()), 0 when
 * @src carries no "@prefix/vmstat", or a negative CT_E_* code (@err says why).
 */
int ct_snapshot_from_source(const struct ct_source *src, const char *prefix,
			    struct ct_snapshot *snap, char *err, size_t errlen);

/** ct_snapshot_release() - free what @snap holds; accepts NULL */
void ct_snapshot_release(struct ct_snapshot *snap);

/**
 * ct_snapshot_kernel_facts() - what the vmstat check needs to know about the kernel
 *
 * From the snapshot's release, else from the event names in @res.
 */
void ct_snapshot_kernel_facts(const struct ct_snapshot *snap, const struct ct_results *res,
			      struct ct_kernel_facts *facts);

#endif
