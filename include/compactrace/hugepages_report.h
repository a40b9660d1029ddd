/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef COMPACTRACE_HUGEPAGES_REPORT_H
#define COMPACTRACE_HUGEPAGES_REPORT_H

#include <stdio.h>

#include "compactrace/forecast.h"

/* What the huge-page forecast's renderers print; nothing in it is owned by them. */
struct ct_hp_report {
	const struct ct_fc_result *res;
	const char *source;		/* "live", or "FILE#snapshot-end" */
	int reclaim;			/* page cache was counted as free */
	const char *const *notes;	/* more one-line notes to print, or NULL */
	unsigned nnotes;
};

#define CT_HUGEPAGES_SCHEMA_VERSION 1

/**
 * ct_hugepages_text() - the forecast for people: the short answer, the
 * table per zone, the owners, then a map of each zone's pageblocks
 * Returns 0, or -CT_E_WRITE when writing to @out failed.
 */
int ct_hugepages_text(FILE *out, const struct ct_hp_report *r);

/**
 * ct_hugepages_json() - the forecast as JSON (reports/compactrace-hugepages.schema.json)
 * Returns 0, -CT_E_NOMEM or -CT_E_WRITE.
 */
int ct_hugepages_json(FILE *out, const struct ct_hp_report *r);

#endif
