// SPDX-License-Identifier: GPL-2.0-or-later
/* Loading the huge-page forecast's input from a recording's snapshot items. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compactrace/error.h"
#include "compactrace/source.h"
#include "forecast/forecast_load.h"
#include "compactrace/snapshot.h"

int ct_fc_load_recording(const char *path, const char *prefix, struct ct_memsnap **snap, struct ct_pbclass *pc,
			 struct ct_fc_settings *set, char *err, size_t errlen)
{
	struct ct_source *src = NULL;
	struct ct_snapshot *whole = NULL;
	char name[128], why[256] = "";
	const void *data;
	size_t len;
	int64_t v;
	int ret;

	*snap = NULL;
	ret = ct_source_open(path, NULL, &src, err, errlen);
	if (ret < 0)
		return ret;
	ret = ct_snapshot_load_source(src, prefix, &whole, err, errlen);
	if (ret < 0)
		goto out;
	if (whole && whole->mem_error) {
		snprintf(err, errlen, "%s", whole->mem_error);
		ret = -CT_E_PARSE;
		goto out;
	}
	if (whole) {	/* the zone texts are all the forecast needs of it */
		*snap = whole->mem;
		whole->mem = NULL;
	}
	if (!*snap) {
		snprintf(err, errlen, "%s carries no %s snapshot (only files of 'compactrace record' do)", path,
			 prefix);
		ret = -CT_E_INVAL;
		goto out;
	}
	snprintf(name, sizeof(name), "%s/pageblock-classes", prefix);
	data = ct_source_attachment(src, name, &len);
	if (!data) {
		snprintf(err, errlen, "%s#%s: absent (recorded by a compactrace without the huge-page forecast: "
			 "record again)", path, name);
		ret = -CT_E_INVAL;
		goto out;
	}
	ret = ct_pbclass_parse(data, len, pc, why, sizeof(why));
	if (ret < 0) {
		snprintf(err, errlen, "%s#%s", path, why[0] ? why : ct_strerror(ret));
		goto out;
	}
	snprintf(name, sizeof(name), "%s/compact_unevictable_allowed", prefix);
	data = ct_source_attachment(src, name, &len);
	set->unevictable_allowed = -1;
	if (data && ct_memsnap_parse_number(data, len, &v) == 0 && (v == 0 || v == 1))
		set->unevictable_allowed = (int)v;
	set->extfrag_threshold = (*snap)->extfrag_threshold;
	set->page_owner = -1;
out:
	if (ret < 0) {
		ct_memsnap_free(*snap);
		*snap = NULL;
		ct_pbclass_release(pc);
	}
	ct_snapshot_free(whole);
	ct_source_free(src);
	return ret;
}
