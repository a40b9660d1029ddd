// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Benchmark driver: the least any reader of a text trace must do, counting
 * its lines and nothing else, on one thread or two (each half of the file,
 * mapped). It bounds from below what "report" of a text can take on this
 * machine: README Speed compares it with the awk tally's budget.
 * Usage: ct_line_floor FILE THREADS
 * Prints one line: "lines=N threads=T seconds=S lines_per_s=L".
 */
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

struct half {
	const char *start;
	size_t len;
	unsigned long long lines;
};

static double now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static void *count_lines(void *arg)
{
	struct half *h = arg;
	const char *p = h->start, *end = h->start + h->len;

	while (p < end && (p = memchr(p, '\n', (size_t)(end - p))) != NULL) {
		h->lines++;
		p++;
	}
	return NULL;
}

int main(int argc, char **argv)
{
	struct half halves[2] = { { 0 } };
	pthread_t other;
	struct stat st;
	double t0, t1;
	char *map;
	int fd, threads;

	if (argc != 3 || (threads = atoi(argv[2])) < 1 || threads > 2) {
		fprintf(stderr, "usage: ct_line_floor FILE 1|2\n");
		return 2;
	}
	fd = open(argv[1], O_RDONLY);
	if (fd < 0 || fstat(fd, &st) < 0 || st.st_size == 0) {
		fprintf(stderr, "ct_line_floor: %s: cannot open or empty\n", argv[1]);
		return 1;
	}
	t0 = now();
	/* The mapping is timed too: a reader has to get the bytes somehow. */
	map = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
	if (map == MAP_FAILED) {
		perror("ct_line_floor: mmap");
		return 1;
	}
	madvise(map, (size_t)st.st_size, MADV_SEQUENTIAL);
	halves[0].start = map;
	halves[0].len = (size_t)st.st_size / (size_t)threads;
	halves[1].start = map + halves[0].len;
	halves[1].len = (size_t)st.st_size - halves[0].len;
	if (threads == 2 && pthread_create(&other, NULL, count_lines, &halves[1]) != 0) {
		fprintf(stderr, "ct_line_floor: cannot start a thread\n");
		return 1;
	}
	count_lines(&halves[0]);
	if (threads == 2)
		pthread_join(other, NULL);
	t1 = now();
	printf("lines=%llu threads=%d seconds=%.4f lines_per_s=%.0f\n",
	       halves[0].lines + halves[1].lines, threads, t1 - t0,
	       (double)(halves[0].lines + halves[1].lines) / (t1 - t0));
	munmap(map, (size_t)st.st_size);
	close(fd);
	return 0;
}
