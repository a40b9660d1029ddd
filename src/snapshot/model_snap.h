/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef CT_TOOL_MODEL_SNAP_H
#define CT_TOOL_MODEL_SNAP_H

#include <stddef.h>

#include "compactrace/memsnap.h"
#include "compactrace/source.h"

/*
 * The memory state the shadow buddy model is seeded from and compared
 * with: buddyinfo, pagetypeinfo, zoneinfo, kpageflags-summary, free-map,
 * page-size and extfrag_threshold, read from a --snapshot-start/-end
 * directory or from a trace file's attachments ("snapshot-start/buddyinfo").
 */

/**
 * ct_model_snap_load_dir() - parse the model's items in directory @dir
 * @out: receives a new snapshot (free with ct_memsnap_free()), or NULL when
 *       @dir has none of the items
 * @err: a one-line message naming the file and line on failure
 *
 * Missing items are not errors; a malformed one is. Returns 0 or a negative
 * CT_E_* code.
 */
int ct_model_snap_load_dir(const char *dir, struct ct_memsnap **out, char *err, size_t errlen);

/**
 * ct_model_snap_load_source() - the same from @src's "@prefix/ITEM" attachments
 * @prefix: "snapshot-start" or "snapshot-end"
 */
int ct_model_snap_load_source(const struct ct_source *src, const char *prefix, struct ct_memsnap **out,
			      char *err, size_t errlen);

#endif
