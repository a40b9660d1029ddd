/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef CT_FORECAST_LOAD_H
#define CT_FORECAST_LOAD_H

#include <stddef.h>

#include "compactrace/memsnap.h"
#include "compactrace/pbclass.h"

/*
 * The huge-page forecast's input from a `compactrace record` file: the
 * zone texts and the "pageblock-classes" item of one of its snapshots.
 * (I/O glue over ct_snapshot_load_source().)
 */

/**
 * ct_fc_load_recording() - read @prefix's snapshot items of the recording @path
 * @prefix: "snapshot-start" or "snapshot-end"
 * @snap: receives zoneinfo, buddyinfo, pagetypeinfo, page-size and
 *        extfrag_threshold; free with ct_memsnap_free()
 * @pc: the pageblock classes, all zero before; release with ct_pbclass_release()
 * @set: unevictable_allowed from the recorded sysctl (-1 when it was not
 *       recorded), page_owner -1 (a recording does not say)
 * @err: why on failure, naming the file and the item
 *
 * Returns 0, -CT_E_INVAL (no such snapshot, or one without pageblock
 * classes), -CT_E_PARSE, or what opening the file returned.
 */
int ct_fc_load_recording(const char *path, const char *prefix, struct ct_memsnap **snap, struct ct_pbclass *pc,
			 struct ct_fc_settings *set, char *err, size_t errlen);

#endif
