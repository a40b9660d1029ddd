// SPDX-License-Identifier: GPL-2.0-or-later
/* Reading the snapshot items the shadow buddy model uses (the parsing is in src/snapshot/memsnap.c). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compactrace/error.h"
#include "core/util.h"
#include "snapshot/model_snap.h"

#define MAX_ITEM (256u << 20)	/* a free map of a 4 TiB machine */

enum item { BUDDYINFO, PAGETYPEINFO, ZONEINFO, KPF_SUMMARY, FREE_MAP, PAGE_SIZE, EXTFRAG_THRESHOLD, NITEMS };

static const char *const item_names[NITEMS] = {
	"buddyinfo", "pagetypeinfo", "zoneinfo", "kpageflags-summary", "free-map", "page-size",
	"extfrag_threshold",
};

/* Parse one item into @snap; @where names it in messages. */
static int parse_item(struct ct_memsnap *snap, enum item it, const char *data, size_t len,
		      const char *where, char *err, size_t errlen)
{
	char why[256] = "";
	int64_t v;
	int ret;

	switch (it) {
	case BUDDYINFO:
		ret = ct_memsnap_parse_buddyinfo(snap, data, len, why, sizeof(why));
		break;
	case PAGETYPEINFO:
		ret = ct_memsnap_parse_pagetypeinfo(snap, data, len, why, sizeof(why));
		break;
	case ZONEINFO:
		ret = ct_memsnap_parse_zoneinfo(snap, data, len, why, sizeof(why));
		break;
	case KPF_SUMMARY:
		ret = ct_memsnap_parse_kpageflags_summary(snap, data, len, why, sizeof(why));
		break;
	case FREE_MAP:
		ret = ct_memsnap_parse_free_map(snap, data, len, why, sizeof(why));
		break;
	default:
		ret = ct_memsnap_parse_number(data, len, &v);
		if (ret == 0 && it == PAGE_SIZE && v > 0)
			snap->page_size = (uint64_t)v;
		else if (ret == 0 && it == EXTFRAG_THRESHOLD && v >= 0 && v <= 1000)
			snap->extfrag_threshold = (int)v;
		else
			snprintf(why, sizeof(why), "%s line 1: not a number in range", item_names[it]);
		if (!why[0])
			return 0;
		ret = -CT_E_PARSE;
		break;
	}
	if (ret < 0)
		snprintf(err, errlen, "%s: %s", where, why[0] ? why : ct_strerror(ret));
	return ret;
}

int ct_model_snap_load_dir(const char *dir, struct ct_memsnap **out, char *err, size_t errlen)
{
	struct ct_memsnap *snap = ct_memsnap_new();
	int ret = 0, found = 0;

	*out = NULL;
	if (!snap) {
		snprintf(err, errlen, "%s: %s", dir, ct_strerror(-CT_E_NOMEM));
		return -CT_E_NOMEM;
	}
	for (int i = 0; i < NITEMS; i++) {
		char path[4096], *data = NULL;
		size_t len = 0;

		snprintf(path, sizeof(path), "%s/%s", dir, item_names[i]);
		ret = ct_read_file(path, MAX_ITEM, &data, &len);
		if (ret == -CT_E_OPEN && errno == ENOENT) {
			ret = 0;
			continue;
		}
		if (ret < 0) {
			snprintf(err, errlen, "%s: %s", path, ret == -CT_E_OPEN ? strerror(errno) : ct_strerror(ret));
			goto out;
		}
		ret = parse_item(snap, (enum item)i, data, len, path, err, errlen);
		free(data);
		if (ret < 0)
			goto out;
		found++;
	}
	if (found) {
		*out = snap;
		snap = NULL;
	}
out:
	ct_memsnap_free(snap);
	return ret;
}

int ct_model_snap_load_source(const struct ct_source *src, const char *prefix, struct ct_memsnap **out,
			      char *err, size_t errlen)
{
	struct ct_memsnap *snap = ct_memsnap_new();
	int ret = 0, found = 0;

	*out = NULL;
	if (!snap) {
		snprintf(err, errlen, "%s#%s: %s", ct_source_path(src), prefix, ct_strerror(-CT_E_NOMEM));
		return -CT_E_NOMEM;
	}
	for (int i = 0; i < NITEMS; i++) {
		char name[128], where[4200];
		const void *data;
		size_t len = 0;

		snprintf(name, sizeof(name), "%s/%s", prefix, item_names[i]);
		data = ct_source_attachment(src, name, &len);
		if (!data)
			continue;
		snprintf(where, sizeof(where), "%s#%s", ct_source_path(src), name);
		ret = parse_item(snap, (enum item)i, data, len, where, err, errlen);
		if (ret < 0)
			goto out;
		found++;
	}
	if (found) {
		*out = snap;
		snap = NULL;
	}
out:
	ct_memsnap_free(snap);
	return ret;
}
