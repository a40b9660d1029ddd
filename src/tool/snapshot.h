/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef CT_TOOL_SNAPSHOT_H
#define CT_TOOL_SNAPSHOT_H

#include <stddef.h>

/*
 * A directory of plain copies of /proc files taken at the start or end of
 * a capture: vmstat (required), pagetypeinfo, buddyinfo, zoneinfo, and
 * optionally osrelease (the output of `uname -r`).
 */
struct ct_snapshot {
	char *vmstat;		/* NUL-terminated contents */
	int pageblock_order;	/* from pagetypeinfo; 0 if unknown */
	char release[128];	/* kernel release; empty if unknown */
};

/**
 * ct_snapshot_load() - read DIR/vmstat, DIR/pagetypeinfo and DIR/osrelease
 * @snap: filled in; release its contents with ct_snapshot_release()
 * @err: a one-line message naming the file on failure
 *
 * Returns 0 or a negative CT_E_* code.
 */
int ct_snapshot_load(const char *dir, struct ct_snapshot *snap, char *err, size_t errlen);

/** ct_snapshot_release() - free what @snap holds; accepts NULL */
void ct_snapshot_release(struct ct_snapshot *snap);

#endif
