// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * ct_hpfrag - lay memory out for the `compactrace hugepages` live tests.
 *
 * Faults regions of 4K pages (MADV_NOHUGEPAGE), optionally fills most of the
 * remaining memory with THP-backed memory (so that little contiguous free
 * memory is left outside the regions), then releases every page whose pfn is
 * odd (even with -e; found through /proc/self/pagemap, so root): each
 * pageblock a region owns keeps half its pages, none of which can merge with
 * a free buddy.
 * The "mlocked" region is then mlock2(MLOCK_ONFAULT)ed: its kept pages become
 * unevictable, its holes stay unpopulated. With -s, creates that many empty
 * files in a directory on tmpfs afterwards: their inodes and dentries are
 * slab pages the kernel cannot reclaim while the files exist, allocated
 * among the fragments.
 *
 * When done it writes "key value" lines to the ready file (-r), then holds
 * everything until SIGTERM/SIGINT/SIGHUP, removes the files and exits. It
 * changes no setting of the host: the test around it does.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include "ct-common.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#ifndef MLOCK_ONFAULT
#define MLOCK_ONFAULT 0x01
#endif

#define PROG "ct_hpfrag"
#define FILL_CHUNK (256UL << 20)
#define PM_PRESENT (1ULL << 63)
#define PM_PFN_MASK ((1ULL << 55) - 1)

struct region {
	char *p;
	size_t len;
};

static void usage(FILE *out)
{
	fprintf(out,
"usage: " PROG " [-m MIB] [-l MIB] [-F KEEP_MIB] [-s FILES -d DIR] -r FILE\n"
"  -m MIB       movable region: 4K pages, every odd pfn released\n"
"  -l MIB       mlocked region: the same, then mlock2(MLOCK_ONFAULT)\n"
"  -F KEEP_MIB  after faulting the regions, fill memory with THP until\n"
"               MemAvailable is about KEEP_MIB\n"
"  -e           release the even pfns instead of the odd ones\n"
"  -s FILES     afterwards create FILES empty files in DIR (-d, on tmpfs)\n"
"  -r FILE      write what was done to FILE when ready, then hold until signalled\n");
}

static int map_region(struct region *r, size_t mib, int advice)
{
	int ret;

	r->len = mib << 20;
	r->p = mmap(NULL, r->len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE,
		    -1, 0);
	if (r->p == MAP_FAILED) {
		r->p = NULL;
		return -errno;
	}
	if (madvise(r->p, r->len, advice) < 0)
		return -errno;
	ret = ct_populate(r->p, r->len, (size_t)sysconf(_SC_PAGESIZE));
	return ret < 0 ? ret : ct_stop ? -EINTR : 0;
}

/* 1: release odd pfns (the default); 0: even ones (-e) */
static unsigned int release_parity = 1;

/* release every page of @r whose pfn has the parity release_parity; counts the pages released and kept */
static int release_pfns(int pagemap, const struct region *r, size_t page, size_t *released, size_t *kept)
{
	size_t pages = r->len / page, batch = 4096;
	uint64_t *pm = malloc(batch * sizeof(*pm));
	int ret = 0;

	if (!pm)
		return -ENOMEM;
	*released = *kept = 0;
	for (size_t i = 0; i < pages && !ct_stop; i += batch) {
		size_t n = pages - i < batch ? pages - i : batch;
		off_t off = (off_t)(((uintptr_t)r->p / page + i) * 8);

		if (pread(pagemap, pm, n * 8, off) != (ssize_t)(n * 8)) {
			ret = -EIO;
			break;
		}
		for (size_t j = 0; j < n; j++) {
			if (!(pm[j] & PM_PRESENT))
				continue;
			if (((pm[j] & PM_PFN_MASK) & 1) == release_parity) {
				if (madvise(r->p + (i + j) * page, page, MADV_DONTNEED) < 0) {
					ret = -errno;
					goto out;
				}
				(*released)++;
			} else {
				(*kept)++;
			}
		}
	}
out:
	free(pm);
	return ret;
}

/* THP-backed chunks until MemAvailable is about @keep_mib; returns MiB filled */
static size_t fill(size_t keep_mib, struct region **chunks, size_t *nchunks)
{
	size_t filled = 0, cap = 0;

	*chunks = NULL;
	*nchunks = 0;
	while (!ct_stop) {
		long long avail = ct_meminfo_kb("MemAvailable") / 1024;
		struct region r;

		if (avail < 0 || (size_t)avail < keep_mib + (FILL_CHUNK >> 20))
			break;
		if (*nchunks == cap) {
			size_t ncap = cap ? cap * 2 : 64;
			struct region *n = realloc(*chunks, ncap * sizeof(*n));

			if (!n)
				break;
			*chunks = n;
			cap = ncap;
		}
		if (map_region(&r, FILL_CHUNK >> 20, MADV_HUGEPAGE) < 0) {
			if (r.p)
				munmap(r.p, r.len);
			break;
		}
		(*chunks)[(*nchunks)++] = r;
		filled += FILL_CHUNK >> 20;
	}
	return filled;
}

static long make_files(const char *dir, long n)
{
	char path[4096];
	long made = 0;

	for (long i = 0; i < n && !ct_stop; i++) {
		int fd;

		snprintf(path, sizeof(path), "%s/f%ld", dir, i);
		fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
		if (fd < 0)
			break;
		close(fd);
		made++;
	}
	return made;
}

static void remove_files(const char *dir, long n)
{
	char path[4096];

	for (long i = 0; i < n; i++) {
		snprintf(path, sizeof(path), "%s/f%ld", dir, i);
		unlink(path);
	}
}

int main(int argc, char **argv)
{
	long long movable_mib = 0, mlocked_mib = 0, keep_mib = -1, files = 0;
	const char *ready = NULL, *dir = NULL;
	struct region mov = { 0 }, mlk = { 0 }, *chunks = NULL;
	size_t page = (size_t)sysconf(_SC_PAGESIZE), nchunks = 0, filled = 0;
	size_t mov_rel = 0, mov_kept = 0, mlk_rel = 0, mlk_kept = 0;
	long made = 0;
	int opt, ret = 0, pagemap = -1, status = 1;
	FILE *f;

	while ((opt = getopt(argc, argv, "m:l:F:s:d:r:eh")) != -1) {
		long long v = strchr("mlFs", opt) ? ct_parse_ull(optarg) : 0;

		if (v < 0) {
			fprintf(stderr, PROG ": bad number for -%c: %s\n", opt, optarg);
			return 2;
		}
		switch (opt) {
		case 'm': movable_mib = v; break;
		case 'l': mlocked_mib = v; break;
		case 'F': keep_mib = v; break;
		case 's': files = v; break;
		case 'd': dir = optarg; break;
		case 'r': ready = optarg; break;
		case 'e': release_parity = 0; break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (optind != argc || !ready || (files && !dir)) {
		usage(stderr);
		return 2;
	}
	ct_install_signals();
	pagemap = open("/proc/self/pagemap", O_RDONLY | O_CLOEXEC);
	if (pagemap < 0) {
		perror(PROG ": /proc/self/pagemap");
		return 1;
	}
	/*
	 * The regions first, while free memory is in large blocks: each then
	 * sits in whole pageblocks of its own. The fill after them takes what
	 * is left (with THP defrag "never" it never compacts, so it does not
	 * move the regions' pages around).
	 */
	if ((movable_mib && (ret = map_region(&mov, (size_t)movable_mib, MADV_NOHUGEPAGE)) < 0) ||
	    (mlocked_mib && (ret = map_region(&mlk, (size_t)mlocked_mib, MADV_NOHUGEPAGE)) < 0)) {
		fprintf(stderr, PROG ": faulting the regions: %s\n", strerror(-ret));
		goto out;
	}
	if (keep_mib >= 0)
		filled = fill((size_t)keep_mib, &chunks, &nchunks);
	if ((mov.p && (ret = release_pfns(pagemap, &mov, page, &mov_rel, &mov_kept)) < 0) ||
	    (mlk.p && (ret = release_pfns(pagemap, &mlk, page, &mlk_rel, &mlk_kept)) < 0)) {
		fprintf(stderr, PROG ": releasing pfns: %s\n", strerror(-ret));
		goto out;
	}
	if (mlk.p && syscall(SYS_mlock2, mlk.p, mlk.len, MLOCK_ONFAULT) < 0) {
		fprintf(stderr, PROG ": mlock2: %s\n", strerror(errno));
		goto out;
	}
	if (files)
		made = make_files(dir, files);
	if (ct_stop)
		goto out;
	f = fopen(ready, "we");
	if (!f) {
		perror(ready);
		goto out;
	}
	fprintf(f, "thp_fill_mib %zu\nmovable_released %zu\nmovable_kept %zu\n"
		"mlocked_released %zu\nmlocked_kept %zu\nfiles %ld\n",
		filled, mov_rel, mov_kept, mlk_rel, mlk_kept, made);
	if (fclose(f) != 0) {
		perror(ready);
		goto out;
	}
	ct_hold(0);
	status = 0;
out:
	if (dir)
		remove_files(dir, made);
	for (size_t i = 0; i < nchunks; i++)
		munmap(chunks[i].p, chunks[i].len);
	free(chunks);
	if (mov.p)
		munmap(mov.p, mov.len);
	if (mlk.p)
		munmap(mlk.p, mlk.len);
	close(pagemap);
	return status;
}
