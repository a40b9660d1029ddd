// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * kpf_tool - read /proc/kpageflags (or a copy) and write the snapshot items
 * the shadow buddy model reads, as `compactrace record` is to store them:
 * "free-map" (two bits per pfn) and "kpageflags-summary" (pages per
 * pageblock), with the functions `record --pages` uses. It streams: half a
 * megabyte besides the 2-bit map, so reading it disturbs free memory little.
 * For measuring the model on recordings made by hand (tests/model/README.md).
 *
 * usage: kpf_tool KPAGEFLAGS PAGEBLOCK_ORDER OUTDIR
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tool/args.h"
#include "compactrace/error.h"
#include "compactrace/memsnap.h"
#include "capture/snapshots_collect.h"

static int write_file(const char *dir, const char *name, const void *data, size_t len)
{
	char path[4096];
	FILE *f;
	int ret = 0;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "we");
	if (!f) {
		fprintf(stderr, "kpf_tool: %s: %s\n", path, strerror(errno));
		return -1;
	}
	if (fwrite(data, 1, len, f) != len)
		ret = -1;
	if (fclose(f) != 0)
		ret = -1;
	if (ret)
		fprintf(stderr, "kpf_tool: %s: write failed\n", path);
	return ret;
}

int main(int argc, char **argv)
{
	struct ct_memsnap_free_map map = { 0 };
	unsigned char *blob = NULL;
	char *summary = NULL;
	size_t blen = 0, slen = 0;
	long pbo;
	int fd = -1, status = 1, ret;

	if (argc != 4) {
		fprintf(stderr, "usage: kpf_tool KPAGEFLAGS PAGEBLOCK_ORDER OUTDIR\n");
		return 2;
	}
	if (ct_arg_long(argv[2], 1, 20, &pbo) < 0) {
		fprintf(stderr, "kpf_tool: bad pageblock order '%s'\n", argv[2]);
		return 2;
	}
	fd = open(argv[1], O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		fprintf(stderr, "kpf_tool: %s: %s\n", argv[1], strerror(errno));
		goto out;
	}
	/* the same reading as record --pages (src/capture/snapshots_collect.c) */
	ret = ct_free_map_read(fd, &map, NULL, NULL);
	if (ret == 0)
		ret = ct_kpageflags_summary(fd, (int)pbo, &summary, &slen);
	if (ret == 0)
		ret = ct_memsnap_encode_free_map(&map, &blob, &blen);
	if (ret < 0) {
		fprintf(stderr, "kpf_tool: %s: %s\n", argv[1], ct_strerror(ret));
		goto out;
	}
	if (write_file(argv[3], "free-map", blob, blen) < 0 ||
	    write_file(argv[3], "kpageflags-summary", summary, slen) < 0)
		goto out;
	status = 0;
out:
	if (fd >= 0)
		close(fd);
	free(map.classes);
	free(blob);
	free(summary);
	return status;
}
