// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * ct-extfrag - make unmovable and reclaimable kernel allocations so that,
 * with free memory fragmented inside movable pageblocks (ct-fragment), the
 * page allocator has to fall back to other migratetypes
 * (kmem:mm_page_alloc_extfrag).
 *
 * Each round, in a private scratch directory:
 *   - creates, stats, reads and unlinks small files (inodes, dentries:
 *     reclaimable slab; page cache: movable);
 *   - looks up names that do not exist (negative dentries: reclaimable);
 *   - fills pipes to capacity and keeps them until the next round (pipe
 *     buffers: unmovable pages).
 * Changes no settings; the scratch directory is removed on every exit path.
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
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#define PROG "ct-extfrag"
#define MAX_PIPES 4096

static char dir[4096];
static int pipes[MAX_PIPES][2];
static int nr_pipes;

static void usage(FILE *out)
{
	fprintf(out,
"usage: " PROG " [-d DIR] [-n N] [-s BYTES] [-g N] [-p N] [-t SEC]\n"
"  -d DIR    where to create the scratch directory (default /tmp)\n"
"  -n N      files created, read and unlinked per round (default 2000)\n"
"  -s BYTES  size of each file (default 4096)\n"
"  -g N      missing names looked up per round (default 20000)\n"
"  -p N      pipes filled and held per round (default 256)\n"
"  -t SEC    run SEC seconds (default 10)\n");
}

static void close_pipes(void)
{
	while (nr_pipes > 0) {
		nr_pipes--;
		close(pipes[nr_pipes][0]);
		close(pipes[nr_pipes][1]);
	}
}

/* Open @n pipes and fill each until it would block. */
static void fill_pipes(int n)
{
	static char buf[65536];

	memset(buf, 'p', sizeof(buf));
	for (; nr_pipes < n && !ct_stop; nr_pipes++) {
		if (pipe2(pipes[nr_pipes], O_NONBLOCK | O_CLOEXEC) < 0) {
			perror(PROG ": pipe2");
			break;
		}
		while (write(pipes[nr_pipes][1], buf, sizeof(buf)) > 0)
			;
	}
}

static int churn_files(long long round, long long n, size_t size)
{
	static char data[1 << 16], rbuf[1 << 16];
	char path[4200];
	struct stat st;
	long long i;

	memset(data, 'f', sizeof(data));
	for (i = 0; i < n && !ct_stop; i++) {
		int fd;

		snprintf(path, sizeof(path), "%s/f-%lld-%lld", dir, round, i);
		fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
		if (fd < 0) {
			fprintf(stderr, PROG ": %s: %s\n", path, strerror(errno));
			return -1;
		}
		for (size_t left = size; left > 0;) {
			size_t chunk = left < sizeof(data) ? left : sizeof(data);
			ssize_t w = write(fd, data, chunk);

			if (w <= 0)
				break;
			left -= (size_t)w;
		}
		close(fd);
	}
	for (i = 0; i < n && !ct_stop; i++) {
		int fd;

		snprintf(path, sizeof(path), "%s/f-%lld-%lld", dir, round, i);
		if (stat(path, &st) < 0)
			continue;
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			continue;
		while (read(fd, rbuf, sizeof(rbuf)) > 0)
			;
		close(fd);
	}
	for (i = 0; i < n; i++) {	/* always clean up, even when stopping */
		snprintf(path, sizeof(path), "%s/f-%lld-%lld", dir, round, i);
		unlink(path);
	}
	return 0;
}

static void negative_lookups(long long round, long long n)
{
	char path[4200];
	struct stat st;

	for (long long i = 0; i < n && !ct_stop; i++) {
		snprintf(path, sizeof(path), "%s/missing-%lld-%lld", dir, round, i);
		stat(path, &st);
	}
}

int main(int argc, char **argv)
{
	long long files = 2000, size = 4096, neg = 20000, npipes = 256, secs = 10;
	long long round = 0;
	const char *parent = "/tmp";
	struct rlimit rl;
	double end;
	int opt;

	while ((opt = getopt(argc, argv, "d:n:s:g:p:t:h")) != -1) {
		long long v = optarg ? ct_parse_ull(optarg) : 0;

		if (optarg && strchr("nsgpt", opt) && v < 0) {
			fprintf(stderr, PROG ": bad number for -%c: %s\n", opt,
				optarg);
			return 2;
		}
		switch (opt) {
		case 'd': parent = optarg; break;
		case 'n': files = v; break;
		case 's': size = v; break;
		case 'g': neg = v; break;
		case 'p': npipes = v; break;
		case 't': secs = v; break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (optind != argc) {
		usage(stderr);
		return 2;
	}
	if (npipes > MAX_PIPES)
		npipes = MAX_PIPES;
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 &&
	    (rlim_t)(2 * npipes + 16) > rl.rlim_cur) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
		if ((rlim_t)(2 * npipes + 16) > rl.rlim_cur)
			npipes = (long long)(rl.rlim_cur - 16) / 2;
	}
	snprintf(dir, sizeof(dir), "%s/ct-extfrag.XXXXXX", parent);
	if (!mkdtemp(dir)) {
		fprintf(stderr, PROG ": mkdtemp %s: %s\n", dir, strerror(errno));
		return 1;
	}
	ct_install_signals();

	end = ct_now() + (double)secs;
	while (!ct_stop && ct_now() < end) {
		if (churn_files(round, files, (size_t)size) < 0)
			break;
		negative_lookups(round, neg);
		close_pipes();
		fill_pipes((int)npipes);
		round++;
	}
	close_pipes();
	if (rmdir(dir) < 0)
		fprintf(stderr, PROG ": rmdir %s: %s\n", dir, strerror(errno));
	fprintf(stderr, PROG ": %lld rounds of %lld files, %lld lookups, "
		"%lld pipes%s\n", round, files, neg, npipes,
		ct_stop ? " (stopped by signal)" : "");
	return 0;
}
