// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * kpf_tool - read /proc/kpageflags (or a copy) and write the snapshot items
 * the shadow buddy model reads, as `compactrace record` is to store them:
 * "free-map" (two bits per pfn) and "kpageflags-summary" (free pages per
 * pageblock; the other columns are 0 here). It streams: a few pages of
 * memory besides the 2-bit map, so reading it disturbs free memory little.
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

#include "compactrace/error.h"
#include "compactrace/memsnap.h"

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

static int write_summary(const char *dir, const struct ct_memsnap_free_map *map, int pbo)
{
	uint64_t per = 1ULL << pbo;
	FILE *f;
	char path[4096];
	int ret = 0;

	snprintf(path, sizeof(path), "%s/kpageflags-summary", dir);
	f = fopen(path, "we");
	if (!f)
		return -1;
	fprintf(f, "# compactrace kpageflags summary 1\n# pageblock_order %d\n", pbo);
	for (uint64_t b = map->start_pfn & ~(per - 1); b < map->start_pfn + map->npfns; b += per) {
		uint64_t free = 0, pages = 0;

		for (uint64_t p = b; p < b + per; p++) {
			enum ct_pfn_class c = ct_memsnap_pfn_class(map, p);

			pages += c != CT_PFN_NOPAGE;
			free += c == CT_PFN_FREE;
		}
		if (pages)
			fprintf(f, "%#llx %llu 0 0 %llu\n", (unsigned long long)b, (unsigned long long)free,
				(unsigned long long)(pages - free));
	}
	if (fclose(f) != 0)
		ret = -1;
	return ret;
}

int main(int argc, char **argv)
{
	struct ct_memsnap_free_map map = { 0 };
	unsigned char *blob = NULL;
	uint64_t buf[4096], pfn = 0, cap = 1ULL << 20;
	size_t blen = 0;
	long pbo;
	int fd = -1, status = 1;

	if (argc != 4) {
		fprintf(stderr, "usage: kpf_tool KPAGEFLAGS PAGEBLOCK_ORDER OUTDIR\n");
		return 2;
	}
	pbo = strtol(argv[2], NULL, 10);
	fd = open(argv[1], O_RDONLY | O_CLOEXEC);
	if (fd < 0 || pbo < 1 || pbo > 20) {
		fprintf(stderr, "kpf_tool: %s: %s\n", argv[1], strerror(errno));
		goto out;
	}
	if (ct_memsnap_free_map_init(&map, 0, cap) < 0)
		goto out;
	for (;;) {
		ssize_t got = read(fd, buf, sizeof(buf));

		if (got < 0 && errno == EINTR)
			continue;
		if (got <= 0)
			break;
		for (ssize_t i = 0; i < got / 8; i++, pfn++) {
			if (pfn == cap) {
				uint8_t *n = realloc(map.classes, cap / 2 + 1);

				if (!n)
					goto out;
				memset(n + cap / 4 + 1, 0, cap / 4);
				map.classes = n;
				cap *= 2;
				map.npfns = cap;
			}
			ct_memsnap_free_map_set(&map, pfn, ct_pfn_class_of_kpageflags(buf[i]));
		}
	}
	map.npfns = pfn;
	if (!pfn || ct_memsnap_encode_free_map(&map, &blob, &blen) < 0 ||
	    write_file(argv[3], "free-map", blob, blen) < 0 || write_summary(argv[3], &map, (int)pbo) < 0)
		goto out;
	status = 0;
out:
	if (fd >= 0)
		close(fd);
	free(map.classes);
	free(blob);
	return status;
}
