// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compactrace/error.h"
#include "snapshot.h"

#define MAX_SNAPSHOT_FILE (64u << 20)

/* Read a whole small file; returns 0, -CT_E_OPEN (errno kept) or another error. */
static int read_file(const char *path, char **out)
{
	FILE *f = fopen(path, "re");
	size_t len = 0, cap = 65536;
	char *buf = NULL, *n;
	int ret = 0;

	*out = NULL;
	if (!f)
		return -CT_E_OPEN;
	buf = malloc(cap);
	if (!buf) {
		ret = -CT_E_NOMEM;
		goto out;
	}
	for (;;) {
		size_t got = fread(buf + len, 1, cap - len - 1, f);

		len += got;
		if (got == 0)
			break;
		if (len + 1 == cap) {
			if (cap >= MAX_SNAPSHOT_FILE) {
				ret = -CT_E_PARSE;
				goto out;
			}
			n = realloc(buf, cap * 2);
			if (!n) {
				ret = -CT_E_NOMEM;
				goto out;
			}
			buf = n;
			cap *= 2;
		}
	}
	if (ferror(f)) {
		ret = -CT_E_IO;
		goto out;
	}
	buf[len] = '\0';
	*out = buf;
	buf = NULL;
out:
	free(buf);
	fclose(f);
	return ret;
}

static int parse_pageblock_order(const char *pagetypeinfo)
{
	const char *p = strstr(pagetypeinfo, "Page block order:");
	char *end;
	long v;

	if (!p)
		return 0;
	v = strtol(p + strlen("Page block order:"), &end, 10);
	return (end != p && v > 0 && v < 20) ? (int)v : 0;
}

int ct_snapshot_load(const char *dir, struct ct_snapshot *snap, char *err, size_t errlen)
{
	char path[4096], *text = NULL;
	int ret;

	memset(snap, 0, sizeof(*snap));
	snprintf(path, sizeof(path), "%s/vmstat", dir);
	ret = read_file(path, &snap->vmstat);
	if (ret < 0) {
		snprintf(err, errlen, "%s: %s", path,
			 ret == -CT_E_OPEN ? strerror(errno) : ct_strerror(ret));
		return ret;
	}
	if (!strstr(snap->vmstat, "nr_free_pages ")) {
		snprintf(err, errlen, "%s: line 1: not a copy of /proc/vmstat", path);
		ct_snapshot_release(snap);
		return -CT_E_PARSE;
	}
	snprintf(path, sizeof(path), "%s/pagetypeinfo", dir);
	if (read_file(path, &text) == 0) {
		snap->pageblock_order = parse_pageblock_order(text);
		free(text);
	}
	snprintf(path, sizeof(path), "%s/osrelease", dir);
	if (read_file(path, &text) == 0) {
		snprintf(snap->release, sizeof(snap->release), "%.*s", (int)strcspn(text, "\n"), text);
		free(text);
	}
	return 0;
}

void ct_snapshot_release(struct ct_snapshot *snap)
{
	if (!snap)
		return;
	free(snap->vmstat);
	snap->vmstat = NULL;
}
