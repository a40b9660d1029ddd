// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Throughput of the text parsers: loops ct_source_next() over a trace and
 * prints lines/s. Without arguments it writes 2M-line ftrace files built from
 * real lines of the development VM (increasing timestamps) to $TMPDIR: one
 * mostly kmem:mm_page_alloc (what big traces are made of), one compaction only.
 *
 *   bench_text [FILE [FORMAT]]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "compactrace/source.h"

#define BENCH_LINES 2000000u

static const char *const compaction_lines[] = {
	"mm_compaction_isolate_migratepages: range=(0x3600 ~ 0x3800) nr_scanned=512 nr_taken=0",
	"mm_compaction_finished: node=0 zone=DMA32    order=-1 ret=continue",
	"mm_compaction_isolate_freepages: range=(0x13ae00 ~ 0x13b000) nr_scanned=16 nr_taken=0",
	"mm_compaction_migratepages: nr_migrated=0 nr_failed=1",
	"mm_migrate_pages: nr_succeeded=0 nr_failed=1 nr_thp_succeeded=0 nr_thp_failed=0 nr_thp_split=0 nr_split=0 mode=MIGRATE_SYNC reason=compaction",
	"mm_compaction_begin: zone_start=0x1000 migrate_pfn=0x1000 free_pfn=0xffe00 zone_end=0x100000, mode=sync",
	"mm_compaction_end: zone_start=0x1000 migrate_pfn=0xffe00 free_pfn=0xffe00 zone_end=0x100000, mode=sync status=complete",
	"mm_page_alloc_extfrag: page=00000000663c308b pfn=0x10ab00 alloc_order=0 fallback_order=3 pageblock_order=9 alloc_migratetype=0 fallback_migratetype=1 fragmenting=1 change_ownership=0",
};

static const char kmem_line[] =
	"mm_page_alloc: page=000000003926663b pfn=0x10483e order=1 migratetype=0 gfp_flags=GFP_KERNEL_ACCOUNT|__GFP_ZERO";

static double now(clockid_t clock)
{
	struct timespec ts;

	clock_gettime(clock, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* @kmem_per_10: how many of every 10 lines are (skipped) mm_page_alloc lines */
static int generate(const char *path, unsigned kmem_per_10, unsigned long long *bytes)
{
	FILE *f = fopen(path, "w");

	if (!f)
		return -1;
	fputs("# tracer: nop\n#\n# entries-in-buffer/entries-written: 2000000/2000000   #P:2\n#\n", f);
	for (unsigned i = 0; i < BENCH_LINES; i++) {
		const char *body = i % 10 < kmem_per_10 ? kmem_line
						 : compaction_lines[i % 8];

		fprintf(f, "            bash-4555    [%03u] .....   %u.%06u: %s\n", i & 1,
			500 + i / 1000000, i % 1000000, body);
	}
	*bytes = (unsigned long long)ftell(f);
	return fclose(f);
}

static int run(const char *path, const char *format)
{
	unsigned long long events = 0, errors = 0, other = 0;
	struct ct_source *src;
	struct ct_event ev;
	char err[512];
	double t0, t1, c0, c1;
	int ret;

	/* CPU time too: on a busy machine wall time says more about the neighbours */
	t0 = now(CLOCK_MONOTONIC);
	c0 = now(CLOCK_PROCESS_CPUTIME_ID);
	ret = ct_source_open(path, format, &src, err, sizeof(err));
	if (ret < 0) {
		fprintf(stderr, "%s\n", err);
		return 1;
	}
	while ((ret = ct_source_next(src, &ev)) == 1) {
		events++;
		errors += ev.type == CT_EV_PARSE_ERROR;
		other += ev.type == CT_EV_OTHER;
	}
	t1 = now(CLOCK_MONOTONIC);
	c1 = now(CLOCK_PROCESS_CPUTIME_ID);
	if (ret < 0)
		fprintf(stderr, "%s\n", ct_source_error(src));
	printf("%s: %s, %llu events (%llu other, %llu parse errors) in %.3f s wall, %.3f s cpu "
	       "= %.2f M lines/s wall, %.2f M lines/s per cpu-second\n",
	       path, ct_source_format(src), events, other, errors, t1 - t0, c1 - c0,
	       (double)events / (t1 - t0) / 1e6, (double)events / (c1 - c0) / 1e6);
	ct_source_free(src);
	return ret < 0 || errors ? 1 : 0;
}

int main(int argc, char **argv)
{
	const char *tmp = getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
	static const unsigned mixes[] = { 9, 0 };
	unsigned long long bytes;
	char path[512];
	int failed = 0;

	if (argc > 1)
		return run(argv[1], argc > 2 ? argv[2] : NULL);
	for (size_t m = 0; m < sizeof(mixes) / sizeof(mixes[0]); m++) {
		snprintf(path, sizeof(path), "%s/ct-bench-text-%d-%u.txt", tmp, (int)getpid(), mixes[m]);
		if (generate(path, mixes[m], &bytes)) {
			perror(path);
			return 1;
		}
		printf("generated %u lines, %llu bytes (%.0f bytes/line), %u/10 mm_page_alloc\n",
		       BENCH_LINES, bytes, (double)bytes / BENCH_LINES, mixes[m]);
		failed |= run(path, NULL);
		failed |= run(path, NULL);	/* second pass: page cache warm */
		unlink(path);
	}
	return failed;
}
