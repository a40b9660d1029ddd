// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * ct-fragment - fragment free memory so that high-order allocations need
 * compaction.
 *
 * Maps anonymous memory (MemAvailable minus a safety margin, or -m MiB),
 * faults every page in, then releases all but one page in every N with
 * MADV_DONTNEED: the released pages go back to the buddy allocator as
 * scattered order-0 holes inside movable pageblocks.  Holds the rest until
 * signalled (or -t seconds), then unmaps everything.
 *
 * The mapping is MADV_NOHUGEPAGE so it is built from base pages even with
 * THP enabled=always.  With -s 1 nothing is released: a solid fill that
 * shrinks free memory without fragmenting it.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include "ct-common.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>


#define PROG "ct-fragment"

static void usage(FILE *out)
{
	fprintf(out,
"usage: " PROG " [-k MIB] [-m MIB] [-s N] [-t SEC] [-r FILE] [-P N] | -R\n"
"  -k MIB   leave at least MIB of MemAvailable untouched (default 2048)\n"
"  -m MIB   map exactly MIB instead of MemAvailable - keep\n"
"  -s N     keep one page in every N, release the rest (default 2: release\n"
"           every other page; 1: release nothing, a solid fill)\n"
"  -t SEC   hold SEC seconds, then exit (default 0: until SIGINT/TERM/HUP)\n"
"  -r FILE  create FILE when memory is fragmented (for scripts)\n"
"  -P N     set vm.compaction_proactiveness to N while running (restored)\n"
"  -H MIB   first fill memory with THP-backed memory (MADV_HUGEPAGE) until\n"
"           MIB of MemAvailable remain: far faster than 4K pages, and it\n"
"           leaves no large free blocks; -m or -k then apply to the rest\n"
"  -R       restore settings a killed run left changed, then exit\n");
}

/* An anonymous mapping of @len bytes with @advice (MADV_HUGEPAGE or MADV_NOHUGEPAGE); NULL on failure. */
static char *map_anon(size_t len, int advice)
{
	char *p = mmap(NULL, len, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);

	if (p == MAP_FAILED) {
		perror(PROG ": mmap");
		return NULL;
	}
	madvise(p, len, advice);
	return p;
}

/* Release all but the first page of every @stride pages. */
static int release(char *p, size_t len, size_t page, size_t stride,
		   size_t *released)
{
	size_t pages = len / page, i;

	*released = 0;
	if (stride < 2)
		return 0;
	for (i = 0; i < pages && !ct_stop; i += stride) {
		size_t n = stride - 1;

		if (i + 1 + n > pages)
			n = pages - i - 1;
		if (n == 0)
			break;
		if (madvise(p + (i + 1) * page, n * page, MADV_DONTNEED) < 0)
			return -errno;
		*released += n;
	}
	return 0;
}

int main(int argc, char **argv)
{
	long long keep_mib = 2048, map_mib = -1, stride = 2, hold = 0;
	long long proactive = -1, avail_kb, thp_keep = -1;
	size_t thp_len = 0;
	char *thp = NULL;
	const char *ready = NULL;
	size_t page = (size_t)sysconf(_SC_PAGESIZE), len, released = 0;
	double t0;
	char *p;
	int opt, ret;

	while ((opt = getopt(argc, argv, "k:m:s:t:r:P:H:Rh")) != -1) {
		long long v = optarg ? ct_parse_ull(optarg) : 0;

		if (optarg && strchr("kmstPH", opt) && v < 0) {
			fprintf(stderr, PROG ": bad number for -%c: %s\n", opt,
				optarg);
			return 2;
		}
		switch (opt) {
		case 'k': keep_mib = v; break;
		case 'm': map_mib = v; break;
		case 's': stride = v; break;
		case 't': hold = v; break;
		case 'r': ready = optarg; break;
		case 'P': proactive = v; break;
		case 'H': thp_keep = v; break;
		case 'R': return ct_restore_from_state(PROG) < 0 ? 1 : 0;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (optind != argc || stride < 1) {
		usage(stderr);
		return 2;
	}
	ct_install_signals();

	ct_print_zones(PROG " before");
	if (thp_keep >= 0) {
		long long fill = ct_meminfo_kb("MemAvailable") / 1024 - thp_keep;

		if (fill > 0) {
			thp_len = (size_t)fill << 20;
			thp = map_anon(thp_len, MADV_HUGEPAGE);
			if (!thp)
				return 1;
			t0 = ct_now();
			ret = ct_populate(thp, thp_len, page);
			if (ret < 0) {
				fprintf(stderr, PROG ": THP fill: %s\n", strerror(-ret));
				munmap(thp, thp_len);
				return 1;
			}
			fprintf(stderr, PROG ": filled %lld MiB with THP in %.1f s\n", fill, ct_now() - t0);
		}
	}
	avail_kb = ct_meminfo_kb("MemAvailable");
	if (map_mib < 0) {
		map_mib = avail_kb / 1024 - keep_mib;
		if (map_mib <= 0) {
			fprintf(stderr, PROG ": MemAvailable %lld MiB <= keep %lld MiB\n",
				avail_kb / 1024, keep_mib);
			return 1;
		}
	} else if (avail_kb >= 0 && map_mib > avail_kb / 1024 - keep_mib) {
		fprintf(stderr, PROG ": -m %lld leaves less than %lld MiB available\n",
			map_mib, keep_mib);
		return 1;
	}
	if (proactive >= 0) {
		char val[32];

		snprintf(val, sizeof(val), "%lld", proactive);
		if (ct_setting_set(PROG, "/proc/sys/vm/compaction_proactiveness",
				   val) < 0)
			return 1;
	}

	len = (size_t)map_mib << 20;
	fprintf(stderr, PROG ": MemAvailable %lld MiB, mapping %lld MiB, "
		"keeping 1 page in %lld\n", avail_kb / 1024, map_mib, stride);
	p = map_anon(len, MADV_NOHUGEPAGE);
	if (!p)
		return 1;

	t0 = ct_now();
	ret = ct_populate(p, len, page);
	if (ret == 0)
		ret = release(p, len, page, (size_t)stride, &released);
	if (ret < 0) {
		fprintf(stderr, PROG ": madvise: %s\n", strerror(-ret));
		munmap(p, len);
		return 1;
	}
	if (!ct_stop) {
		fprintf(stderr, PROG ": populated %zu MiB, released %zu MiB "
			"in %.1f s; free in blocks >= order 9: %lld MiB\n",
			len >> 20, (released * page) >> 20, ct_now() - t0,
			ct_free_pages_at_least(9) * (long long)page >> 20);
		ct_print_zones(PROG " after");
		if (ready) {
			int fd = open(ready, O_WRONLY | O_CREAT | O_TRUNC |
				      O_CLOEXEC, 0644);

			if (fd >= 0)
				close(fd);
			else
				perror(ready);
		}
		ct_hold(hold);
	}
	if (ct_stop)
		fprintf(stderr, PROG ": signal %d, cleaning up\n", (int)ct_stop);
	munmap(p, len);
	if (thp)
		munmap(thp, thp_len);
	ct_settings_restore();
	return 0;
}
