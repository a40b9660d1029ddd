// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Benchmark driver: open a trace with ct_source_open() and run
 * ct_source_next() over all of it, reporting events per second.
 * Usage: ct_bench_source FILE [FORMAT]
 * Prints one line: "events=N open_s=X read_s=Y events_per_s=Z lost=L parse_errors=P".
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "compactrace/error.h"
#include "compactrace/source.h"

static double now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	unsigned long long n = 0, lost = 0, perr = 0, by_type[CT_EV_TYPE_COUNT] = { 0 };
	struct ct_source *src = NULL;
	struct ct_event ev;
	char err[512];
	double t0, t1, t2;
	int r;

	if (argc < 2 || argc > 3) {
		fprintf(stderr, "usage: ct_bench_source FILE [FORMAT]\n");
		return 2;
	}
	t0 = now();
	r = ct_source_open(argv[1], argc > 2 ? argv[2] : NULL, &src, err, sizeof(err));
	if (r < 0) {
		fprintf(stderr, "%s\n", err);
		return 1;
	}
	t1 = now();
	while ((r = ct_source_next(src, &ev)) > 0) {
		n++;
		if (ev.type < CT_EV_TYPE_COUNT)
			by_type[ev.type]++;
		if (ev.type == CT_EV_LOST)
			lost += ev.u.lost.count;
	}
	t2 = now();
	if (r < 0) {
		fprintf(stderr, "%s\n", ct_source_error(src));
		ct_source_free(src);
		return 1;
	}
	perr = by_type[CT_EV_PARSE_ERROR];
	printf("format=%s events=%llu open_s=%.4f read_s=%.4f events_per_s=%.0f lost=%llu "
	       "parse_errors=%llu\n", ct_source_format(src), n, t1 - t0, t2 - t1,
	       t2 > t1 ? (double)n / (t2 - t1) : 0.0, lost, perr);
	ct_source_free(src);
	return 0;
}
