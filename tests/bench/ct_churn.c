// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Page churn for the benchmark: map, touch and unmap anonymous memory for a
 * number of seconds so that kmem:mm_page_alloc / mm_page_free fire often.
 * Usage: ct_churn SECONDS [MB]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	double secs = argc > 1 ? strtod(argv[1], NULL) : 2.0;
	size_t mb = argc > 2 ? strtoul(argv[2], NULL, 10) : 32;
	size_t len = mb << 20, page = (size_t)sysconf(_SC_PAGESIZE);
	struct timespec t0, t;
	unsigned long rounds = 0;

	if (secs <= 0 || !mb) {
		fprintf(stderr, "usage: ct_churn SECONDS [MB]\n");
		return 2;
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	do {
		unsigned char *p = mmap(NULL, len, PROT_READ | PROT_WRITE,
					MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

		if (p == MAP_FAILED) {
			perror("mmap");
			return 1;
		}
		/* no THP: one 4k allocation per touched page */
		madvise(p, len, MADV_NOHUGEPAGE);
		for (size_t i = 0; i < len; i += page)
			p[i] = (unsigned char)i;
		munmap(p, len);
		rounds++;
		clock_gettime(CLOCK_MONOTONIC, &t);
	} while ((double)(t.tv_sec - t0.tv_sec) + (double)(t.tv_nsec - t0.tv_nsec) / 1e9 < secs);
	printf("%lu rounds of %zu MB\n", rounds, mb);
	return 0;
}
