// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * One loader for every snapshot: the items come from a directory, a
 * recording's attachments or a set of blobs in memory, through one "get an
 * item" function; what they say is parsed the same way whatever the place.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compactrace/attach.h"
#include "compactrace/error.h"
#include "compactrace/snapshot.h"
#include "capture/snapshots_collect.h"
#include "core/util.h"

#define MAX_ITEM (256u << 20)	/* a free map of a 4 TiB machine */
#define WHERE_LEN 4200

/* Where the items come from. */
struct item_place {
	/*
	 * Find @item: 1 and @data/@len when found (*@owned set when the caller
	 * must free it), 0 when absent, <0 on a read error (@err says it).
	 */
	int (*get)(const struct item_place *pl, const char *item, const void **data, size_t *len,
		   char **owned, char *err, size_t errlen);
	/* what messages call @item of this place */
	void (*name)(const struct item_place *pl, const char *item, char *buf, size_t len);
	const char *dir;		/* a directory */
	const struct ct_source *src;	/* a recording */
	const struct ct_attach_set *set;	/* blobs in memory */
	const char *prefix;		/* the attachments' prefix */
	const char *where;		/* the set's name */
	int vmstat_required;
};

static int dir_get(const struct item_place *pl, const char *item, const void **data, size_t *len,
		   char **owned, char *err, size_t errlen)
{
	char path[WHERE_LEN];
	int ret;

	snprintf(path, sizeof(path), "%s/%s", pl->dir, item);
	ret = ct_read_file(path, MAX_ITEM, owned, len);
	if (ret == -CT_E_OPEN && errno == ENOENT)
		return 0;
	if (ret < 0) {
		snprintf(err, errlen, "%s: %s", path, ret == -CT_E_OPEN ? strerror(errno) : ct_strerror(ret));
		return ret;
	}
	*data = *owned;
	return 1;
}

static void dir_name(const struct item_place *pl, const char *item, char *buf, size_t len)
{
	snprintf(buf, len, "%s/%s", pl->dir, item);
}

static int source_get(const struct item_place *pl, const char *item, const void **data, size_t *len,
		      char **owned, char *err, size_t errlen)
{
	char name[128];

	(void)owned, (void)err, (void)errlen;
	snprintf(name, sizeof(name), "%s/%s", pl->prefix, item);
	*data = ct_source_attachment(pl->src, name, len);
	return *data != NULL;
}

static void source_name(const struct item_place *pl, const char *item, char *buf, size_t len)
{
	snprintf(buf, len, "%s#%s/%s", ct_source_path(pl->src), pl->prefix, item);
}

static int set_get(const struct item_place *pl, const char *item, const void **data, size_t *len,
		   char **owned, char *err, size_t errlen)
{
	char name[128];

	(void)owned, (void)err, (void)errlen;
	snprintf(name, sizeof(name), "%s/%s", pl->prefix, item);
	*data = ct_attach_set_find(pl->set, name, len);
	return *data != NULL;
}

static void set_name(const struct item_place *pl, const char *item, char *buf, size_t len)
{
	snprintf(buf, len, "%s#%s/%s", pl->where, pl->prefix, item);
}

/* ---- what the items say ------------------------------------------------- */

/* vmstat (required), pagetypeinfo's pageblock order and osrelease */
static int load_counters(const struct item_place *pl, struct ct_snapshot *s, char *err, size_t errlen)
{
	char where[WHERE_LEN], *owned = NULL;
	const void *data;
	size_t len = 0;
	int ret;

	ret = pl->get(pl, "vmstat", &data, &len, &owned, err, errlen);
	if (ret <= 0) {
		if (ret == 0 && pl->vmstat_required) {
			pl->name(pl, "vmstat", where, sizeof(where));
			snprintf(err, errlen, "%s: %s", where, strerror(ENOENT));
			return -CT_E_OPEN;
		}
		return ret;
	}
	s->vmstat = strndup(data, len);
	free(owned);
	pl->name(pl, "vmstat", where, sizeof(where));
	if (!s->vmstat) {
		snprintf(err, errlen, "%s: %s", where, ct_strerror(-CT_E_NOMEM));
		return -CT_E_NOMEM;
	}
	if (!strstr(s->vmstat, "nr_free_pages ")) {
		snprintf(err, errlen, "%s: line 1: not a copy of /proc/vmstat", where);
		return -CT_E_PARSE;
	}
	owned = NULL;
	ret = pl->get(pl, "pagetypeinfo", &data, &len, &owned, err, errlen);
	if (ret < 0)
		return ret;
	if (ret)
		s->pageblock_order = ct_pageblock_order_from_pagetypeinfo(data, len);
	free(owned);
	owned = NULL;
	ret = pl->get(pl, "osrelease", &data, &len, &owned, err, errlen);
	if (ret < 0)
		return ret;
	if (ret) {
		size_t n = strcspn(data, "\n");

		snprintf(s->release, sizeof(s->release), "%.*s", (int)(n < len ? n : len), (const char *)data);
	}
	free(owned);
	return 1;
}

enum model_item { BUDDYINFO, PAGETYPEINFO, ZONEINFO, KPF_SUMMARY, FREE_MAP, PAGE_SIZE, EXTFRAG_THRESHOLD,
		  NMODEL_ITEMS };

static const char *const model_items[NMODEL_ITEMS] = {
	"buddyinfo", "pagetypeinfo", "zoneinfo", "kpageflags-summary", "free-map", "page-size",
	"extfrag_threshold",
};

/* parse one of the model's items into @mem; @why says what is wrong */
static int parse_model_item(struct ct_memsnap *mem, enum model_item it, const char *data, size_t len,
			    char *why, size_t whylen)
{
	int64_t v;
	int ret;

	switch (it) {
	case BUDDYINFO:
		return ct_memsnap_parse_buddyinfo(mem, data, len, why, whylen);
	case PAGETYPEINFO:
		return ct_memsnap_parse_pagetypeinfo(mem, data, len, why, whylen);
	case ZONEINFO:
		return ct_memsnap_parse_zoneinfo(mem, data, len, why, whylen);
	case KPF_SUMMARY:
		return ct_memsnap_parse_kpageflags_summary(mem, data, len, why, whylen);
	case FREE_MAP:
		return ct_memsnap_parse_free_map(mem, data, len, why, whylen);
	default:
		ret = ct_memsnap_parse_number(data, len, &v);
		if (ret == 0 && it == PAGE_SIZE && v > 0) {
			mem->page_size = (uint64_t)v;
			return 0;
		}
		if (ret == 0 && it == EXTFRAG_THRESHOLD && v >= 0 && v <= 1000) {
			mem->extfrag_threshold = (int)v;
			return 0;
		}
		snprintf(why, whylen, "%s line 1: not a number in range", model_items[it]);
		return -CT_E_PARSE;
	}
}

/*
 * The model's items into s->mem. A damaged or unreadable item is kept in
 * s->mem_error (the model then goes without); only running out of memory
 * is an error.
 */
static int load_model_items(const struct item_place *pl, struct ct_snapshot *s)
{
	struct ct_memsnap *mem = ct_memsnap_new();
	char err[WHERE_LEN + 300] = "";
	int ret = 0, found = 0;

	if (!mem)
		return -CT_E_NOMEM;
	for (int i = 0; i < NMODEL_ITEMS && ret == 0; i++) {
		char *owned = NULL, why[256] = "", where[WHERE_LEN];
		const void *data;
		size_t len = 0;

		ret = pl->get(pl, model_items[i], &data, &len, &owned, err, sizeof(err));
		if (ret <= 0)
			continue;
		ret = parse_model_item(mem, (enum model_item)i, data, len, why, sizeof(why));
		free(owned);
		if (ret < 0) {
			pl->name(pl, model_items[i], where, sizeof(where));
			snprintf(err, sizeof(err), "%s: %s", where, why[0] ? why : ct_strerror(ret));
		}
		found++;
	}
	if (ret == -CT_E_NOMEM) {
		ct_memsnap_free(mem);
		return ret;
	}
	if (ret < 0) {
		ct_memsnap_free(mem);
		s->mem_error = strdup(err);
		return s->mem_error ? 0 : -CT_E_NOMEM;
	}
	if (found)
		s->mem = mem;
	else
		ct_memsnap_free(mem);
	return 0;
}

/* Load a snapshot from @pl; *@out stays NULL when @pl has no vmstat (and it is optional). */
static int load(const struct item_place *pl, const char *where, struct ct_snapshot **out, char *err,
		size_t errlen)
{
	struct ct_snapshot *s = calloc(1, sizeof(*s));
	int ret;

	*out = NULL;
	if (!s || !(s->where = strdup(where))) {
		ret = -CT_E_NOMEM;
		snprintf(err, errlen, "%s: %s", where, ct_strerror(ret));
		goto out;
	}
	ret = load_counters(pl, s, err, errlen);
	if (ret <= 0)
		goto out;
	ret = load_model_items(pl, s);
	if (ret < 0) {
		snprintf(err, errlen, "%s: %s", where, ct_strerror(ret));
		goto out;
	}
	*out = s;
	s = NULL;
out:
	ct_snapshot_free(s);
	return ret < 0 ? ret : 0;
}

int ct_snapshot_load_dir(const char *dir, struct ct_snapshot **out, char *err, size_t errlen)
{
	struct item_place pl = { .get = dir_get, .name = dir_name, .dir = dir, .vmstat_required = 1 };

	return load(&pl, dir, out, err, errlen);
}

int ct_snapshot_load_source(const struct ct_source *src, const char *prefix,
			    struct ct_snapshot **out, char *err, size_t errlen)
{
	struct item_place pl = { .get = source_get, .name = source_name, .src = src, .prefix = prefix };
	char where[WHERE_LEN];

	snprintf(where, sizeof(where), "%s#%s", ct_source_path(src), prefix);
	return load(&pl, where, out, err, errlen);
}

int ct_snapshot_load_set(const struct ct_attach_set *set, const char *prefix, const char *where,
			 struct ct_snapshot **out, char *err, size_t errlen)
{
	struct item_place pl = { .get = set_get, .name = set_name, .set = set, .prefix = prefix,
				 .where = where };
	char name[WHERE_LEN];

	snprintf(name, sizeof(name), "%s#%s", where, prefix);
	return load(&pl, name, out, err, errlen);
}

void ct_snapshot_free(struct ct_snapshot *snap)
{
	if (!snap)
		return;
	free(snap->where);
	free(snap->vmstat);
	ct_memsnap_free(snap->mem);
	free(snap->mem_error);
	free(snap);
}
