// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Page-allocator churn for the recorder benchmark: map a small anonymous
 * region with MAP_POPULATE and unmap it, over and over. Every page is one
 * kmem:mm_page_alloc and one mm_page_free_batched, with the per-CPU list
 * refills and drains in between; populating in the kernel avoids a page
 * fault per page, which is what makes a fault-driven churn slow in a VM.
 *
 * Usage: ct_page_churn SECONDS [KIB]   (default 4096 KiB per round)
 * Prints the pages mapped per second.
 */
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

static double now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	double secs = argc > 1 ? strtod(argv[1], NULL) : 0, t0, t;
	long kib = argc > 2 ? strtol(argv[2], NULL, 10) : 4096;
	size_t len = (size_t)(kib > 0 ? kib : 0) << 10, page = (size_t)sysconf(_SC_PAGESIZE);
	unsigned long long pages = 0;

	if (secs <= 0 || len < page) {
		fprintf(stderr, "usage: ct_page_churn SECONDS [KIB]\n");
		return 2;
	}
	t0 = now();
	do {
		for (int i = 0; i < 16; i++) {
			void *p = mmap(NULL, len, PROT_READ | PROT_WRITE,
				       MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);

			if (p == MAP_FAILED) {
				perror("mmap");
				return 1;
			}
			munmap(p, len);
			pages += len / page;
		}
		t = now();
	} while (t - t0 < secs);
	printf("%.0f pages/s\n", (double)pages / (t - t0));
	return 0;
}
