// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compactrace/error.h"
#include "core/util.h"
#include "capture/snapshots_collect.h"
#include "snapshot/snapshot.h"

#define MAX_SNAPSHOT_FILE (64u << 20)

int ct_snapshot_from_texts(const struct ct_snapshot_texts *t, const char *where,
			   struct ct_snapshot *snap, char *err, size_t errlen)
{
	memset(snap, 0, sizeof(*snap));
	snap->vmstat = strndup(t->vmstat ? t->vmstat : "", t->vmstat ? t->vmstat_len : 0);
	if (!snap->vmstat) {
		snprintf(err, errlen, "%s: %s", where, ct_strerror(-CT_E_NOMEM));
		return -CT_E_NOMEM;
	}
	if (!strstr(snap->vmstat, "nr_free_pages ")) {
		snprintf(err, errlen, "%s: line 1: not a copy of /proc/vmstat", where);
		ct_snapshot_release(snap);
		return -CT_E_PARSE;
	}
	if (t->pagetypeinfo)
		snap->pageblock_order = ct_pageblock_order_from_pagetypeinfo(t->pagetypeinfo,
									     t->pagetypeinfo_len);
	if (t->osrelease) {
		size_t n = strcspn(t->osrelease, "\n");

		if (n > t->osrelease_len)
			n = t->osrelease_len;
		snprintf(snap->release, sizeof(snap->release), "%.*s", (int)n, t->osrelease);
	}
	return 0;
}

int ct_snapshot_load(const char *dir, struct ct_snapshot *snap, char *err, size_t errlen)
{
	struct ct_snapshot_texts t = { 0 };
	char path[4096], *vmstat = NULL, *pti = NULL, *rel = NULL;
	int ret;

	memset(snap, 0, sizeof(*snap));
	snprintf(path, sizeof(path), "%s/vmstat", dir);
	ret = ct_read_file(path, MAX_SNAPSHOT_FILE, &vmstat, &t.vmstat_len);
	if (ret < 0) {
		snprintf(err, errlen, "%s: %s", path,
			 ret == -CT_E_OPEN ? strerror(errno) : ct_strerror(ret));
		return ret;
	}
	t.vmstat = vmstat;
	/* optional: a missing file is fine, one that cannot be read is not */
	snprintf(path, sizeof(path), "%s/pagetypeinfo", dir);
	ret = ct_read_file(path, MAX_SNAPSHOT_FILE, &pti, &t.pagetypeinfo_len);
	if (ret == 0)
		t.pagetypeinfo = pti;
	else if (ret != -CT_E_OPEN || errno != ENOENT)
		goto bad;
	snprintf(path, sizeof(path), "%s/osrelease", dir);
	ret = ct_read_file(path, MAX_SNAPSHOT_FILE, &rel, &t.osrelease_len);
	if (ret == 0)
		t.osrelease = rel;
	else if (ret != -CT_E_OPEN || errno != ENOENT)
		goto bad;
	snprintf(path, sizeof(path), "%s/vmstat", dir);
	ret = ct_snapshot_from_texts(&t, path, snap, err, errlen);
	goto out;
bad:
	snprintf(err, errlen, "%s: %s", path, ret == -CT_E_OPEN ? strerror(errno) : ct_strerror(ret));
out:
	free(vmstat);
	free(pti);
	free(rel);
	return ret;
}

int ct_snapshot_from_source(const struct ct_source *src, const char *prefix,
			    struct ct_snapshot *snap, char *err, size_t errlen)
{
	struct ct_snapshot_texts t = { 0 };
	char name[128], where[4200];
	int ret;

	memset(snap, 0, sizeof(*snap));
	snprintf(name, sizeof(name), "%s/vmstat", prefix);
	t.vmstat = ct_source_attachment(src, name, &t.vmstat_len);
	if (!t.vmstat)
		return 0;
	snprintf(name, sizeof(name), "%s/pagetypeinfo", prefix);
	t.pagetypeinfo = ct_source_attachment(src, name, &t.pagetypeinfo_len);
	snprintf(name, sizeof(name), "%s/osrelease", prefix);
	t.osrelease = ct_source_attachment(src, name, &t.osrelease_len);
	snprintf(where, sizeof(where), "%s (attachment %s/vmstat)", ct_source_path(src), prefix);
	ret = ct_snapshot_from_texts(&t, where, snap, err, errlen);
	return ret < 0 ? ret : 1;
}

void ct_snapshot_release(struct ct_snapshot *snap)
{
	if (!snap)
		return;
	free(snap->vmstat);
	snap->vmstat = NULL;
}

void ct_snapshot_kernel_facts(const struct ct_snapshot *snap, const struct ct_results *res,
			      struct ct_kernel_facts *facts)
{
	int known = ct_kernel_has_fast_isolate(snap->release[0] ? snap->release : NULL);

	facts->has_fast_isolate_tracepoint = known;
	if (known >= 0)
		return;
	for (uint32_t i = 0; i < res->nsources; i++)
		for (uint32_t j = 0; j < res->sources[i].nnames; j++)
			if (strcmp(res->sources[i].names[j].name,
				   "mm_compaction_fast_isolate_freepages") == 0) {
				facts->has_fast_isolate_tracepoint = 1;
				return;
			}
}
