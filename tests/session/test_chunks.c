// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Text, trace.dat and perf.data decoded in chunks (ct_source_read_chunk() /
 * _decode_chunk() / _finish_chunk(), what the replay's two threads do) gives exactly the
 * events ct_source_next() gives, field by field: type, time, task, cpu,
 * name, payload, the line numbers of parse errors and the times stamped
 * on lost-event markers (issue 18). A change-detection check between two
 * paths of one program; the serial path is the reference the golden tests
 * hold to the samples' expected outputs.
 *
 * Inputs: texts written here from a seeded generator (the seed is printed;
 * the same seed makes the same files) in the three text formats, with what
 * crosses a chunk boundary badly: lost-event lines and unparsable lines
 * first in a chunk, blank lines, CRLF endings, a 70 KB line inside a chunk,
 * a 300 KB line, an unterminated last line; and the real samples given
 * as arguments (texts; trace.dat files, one with lost events on several
 * CPUs: samples/binary/multi-lost.dat; perf.data files, with and without
 * -a, with callchains, compressed). Chunks are decoded in a shuffled order before they
 * are finished in read order, as two threads may decode them; a streaming
 * source's (perf.data, trace.dat) in read order, as the one thread that
 * takes them does.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../common/check.h"
#include "compactrace/error.h"
#include "compactrace/source.h"

struct evlist {
	struct ct_event *ev;
	char **names;
	size_t n, cap;
};

static int keep(struct evlist *l, const struct ct_event *ev)
{
	if (l->n == l->cap) {
		size_t ncap = l->cap ? 2 * l->cap : 1024;
		struct ct_event *e = realloc(l->ev, ncap * sizeof(*e));
		char **nm = realloc(l->names, ncap * sizeof(*nm));

		if (e)
			l->ev = e;
		if (nm)
			l->names = nm;
		if (!e || !nm)
			return -1;
		l->cap = ncap;
	}
	l->ev[l->n] = *ev;
	l->names[l->n] = strndup(ev->name ? ev->name : "", ev->name_len);
	if (!l->names[l->n])
		return -1;
	l->n++;
	return 0;
}

static void drop(struct evlist *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->names[i]);
	free(l->names);
	free(l->ev);
	memset(l, 0, sizeof(*l));
}

static int read_serial(const char *path, struct evlist *l)
{
	struct ct_source *src;
	struct ct_event ev;
	char err[256];
	int r;

	if (ct_source_open(path, NULL, &src, err, sizeof(err)) < 0) {
		fprintf(stderr, "%s\n", err);
		return -1;
	}
	while ((r = ct_source_next(src, &ev)) == 1)
		if (keep(l, &ev) < 0)
			r = -CT_E_NOMEM;
	ct_source_free(src);
	return r;
}

#define NCHUNK 5

/* read NCHUNK chunks, decode them in a scrambled order, finish them in order; again */
static int read_chunked(const char *path, struct evlist *l, unsigned *seed, uint64_t *nchunks)
{
	struct ct_chunk c[NCHUNK];
	struct ct_source *src;
	char err[256];
	int r = 1, ret = 0;

	memset(c, 0, sizeof(c));
	if (ct_source_open(path, NULL, &src, err, sizeof(err)) < 0) {
		fprintf(stderr, "%s\n", err);
		return -1;
	}
	if (!ct_source_can_chunk(src)) {
		ct_source_free(src);
		return -1;
	}
	while (r == 1) {
		int n = 0, order[NCHUNK];

		while (n < NCHUNK && (r = ct_source_read_chunk(src, &c[n])) == 1)
			n++;
		for (int i = 0; i < n; i++)
			order[i] = i;
		for (int i = n - 1; i > 0 && !ct_source_chunk_streams(src); i--) {
			int j, t;

			*seed = *seed * 1103515245u + 12345u;
			j = (int)((*seed >> 16) % (unsigned)(i + 1));
			t = order[i];
			order[i] = order[j];
			order[j] = t;
		}
		for (int i = 0; i < n; i++)
			if (ct_source_decode_chunk(src, &c[order[i]]) < 0)
				ret = -1;
		for (int i = 0; i < n && ret == 0; i++) {
			ct_source_finish_chunk(src, &c[i]);
			for (uint32_t k = 0; k < c[i].nev && ret == 0; k++)
				ret = keep(l, &c[i].ev[k]);
		}
		*nchunks += (uint64_t)n;
	}
	for (int i = 0; i < NCHUNK; i++)
		ct_source_chunk_free(src, &c[i]);
	ct_source_free(src);
	return ret < 0 ? ret : r;
}

static void compare(const char *label, const char *path, unsigned *seed)
{
	struct evlist a = { 0 }, b = { 0 };
	uint64_t nchunks = 0, bad = 0;
	int ra = read_serial(path, &a), rb = read_chunked(path, &b, seed, &nchunks);

	CHECK(ra == rb);
	CHECK_U64(b.n, a.n);
	for (size_t i = 0; i < a.n && i < b.n; i++) {
		const struct ct_event *x = &a.ev[i], *y = &b.ev[i];
		/* the payload as far as it is defined: the binary readers leave the rest as it was */
		size_t ulen = x->type == CT_EV_OTHER ? 0 :
			x->type >= CT_EV_PAGE_FIRST && x->type <= CT_EV_PAGE_LAST ? sizeof(x->u.page) :
			sizeof(x->u);
		int diff = x->type != y->type || x->ts_ns != y->ts_ns || x->pid != y->pid ||
			   x->cpu != y->cpu || strcmp(a.names[i], b.names[i]) != 0 ||
			   strncmp(x->comm, y->comm, sizeof(x->comm)) != 0 ||
			   memcmp(&x->u, &y->u, ulen) != 0;

		if (diff && bad++ < 5)
			fprintf(stderr, "%s: event %zu differs: type %u/%u ts %llu/%llu where %llu/%llu\n",
				label, i, x->type, y->type, (unsigned long long)x->ts_ns,
				(unsigned long long)y->ts_ns, (unsigned long long)x->u.perr.where,
				(unsigned long long)y->u.perr.where);
	}
	CHECK_U64(bad, 0);
	printf("%s: %zu events in %llu chunks\n", label, a.n, (unsigned long long)nchunks);
	drop(&a);
	drop(&b);
}

enum fmt { FTRACE, TRACE_CMD, PERF };

static const char *const payloads[] = {
	"mm_page_alloc: page=0x1f00 pfn=0x1f00 order=0 migratetype=1 gfp_flags=GFP_KERNEL",
	"mm_page_free: page=0x1f00 pfn=0x1f00 order=0",
	"mm_compaction_isolate_migratepages: range=(0x1000 ~ 0x1200) nr_scanned=512 nr_taken=32",
	"mm_compaction_begin: zone_start=0x1 migrate_pfn=0x1000 free_pfn=0x7fe00 zone_end=0x80000, mode=sync",
	"mm_compaction_end: zone_start=0x1 migrate_pfn=0x1200 free_pfn=0x7fc00 zone_end=0x80000, mode=sync status=complete",
	"mm_compaction_migratepages: nr_migrated=30 nr_failed=2",
	"sched_switch: prev_comm=a prev_pid=1",
};

static void put_event(FILE *f, enum fmt fmt, unsigned long k, const char *payload)
{
	unsigned long us = 1000000 + k * 3;

	switch (fmt) {
	case FTRACE:
		fprintf(f, "      task-%lu  [%03lu] d..1. %6lu.%06lu: %s", 100 + k % 7, k % 2, us / 1000000,
			us % 1000000, payload);
		break;
	case TRACE_CMD:
		fprintf(f, "inst:   task-%lu  [%03lu] %6lu.%06lu: %s", 100 + k % 7, k % 2, us / 1000000,
			us % 1000000, payload);
		break;
	case PERF:
		fprintf(f, "            task %5lu [%03lu] %6lu.%06lu: %s", 100 + k % 7, k % 2, us / 1000000,
			us % 1000000, payload);
		break;
	}
}

static void put_lost(FILE *f, enum fmt fmt, unsigned long k)
{
	if (fmt == FTRACE)
		fprintf(f, "CPU:%lu [LOST %lu EVENTS]", k % 2, 1 + k % 50);
	else if (fmt == TRACE_CMD)
		fprintf(f, "CPU:%lu [%lu EVENTS DROPPED]", k % 2, 1 + k % 50);
	else
		fprintf(f, "            perf %5lu [%03lu] %6lu.%06lu: PERF_RECORD_LOST lost %lu", 9L, k % 2,
			1UL, k % 1000000, 1 + k % 50);
}

/* a text of about @lines lines in @fmt, with what chunk boundaries must survive */
static int write_text(const char *path, enum fmt fmt, unsigned long lines, unsigned *seed, int tail)
{
	FILE *f = fopen(path, "w");
	char *big;

	if (!f)
		return -1;
	if (fmt == FTRACE)
		fputs("# tracer: nop\n#\n", f);
	else if (fmt == TRACE_CMD)
		fputs("cpus=2\n", f);
	for (unsigned long k = 0; k < lines; k++) {
		unsigned r;

		*seed = *seed * 1103515245u + 12345u;
		r = (*seed >> 16) % 1000;
		if (r < 8)
			put_lost(f, fmt, k);
		else if (r < 14)
			fputs("this line is not an event", f);
		else if (r < 20)
			fputs("   ", f);
		else
			put_event(f, fmt, k, payloads[(*seed >> 8) % (sizeof(payloads) / sizeof(payloads[0]))]);
		/* a run of markers: some land first in a chunk */
		if (r >= 990)
			for (int i = 0; i < 40; i++) {
				fputc('\n', f);
				put_lost(f, fmt, k + (unsigned long)i);
			}
		fputs(r % 97 == 3 ? "\r\n" : "\n", f);
		if (k == lines / 3 || k == lines / 2) {	/* too long: inside a chunk, and over a chunk */
			size_t n = k == lines / 3 ? 70 * 1024 : 300 * 1024;

			big = malloc(n);
			if (!big) {
				fclose(f);
				return -1;
			}
			memset(big, 'x', n);
			fwrite(big, 1, n, f);
			fputc('\n', f);
			free(big);
		}
	}
	if (tail == 1) {	/* an event cut off: no '\n' */
		put_event(f, fmt, lines, payloads[0]);
	} else if (tail == 2) {	/* an over-long last line without its '\n' */
		for (int i = 0; i < 70 * 1024; i++)
			fputc('y', f);
	}
	return fclose(f);
}

int main(int argc, char **argv)
{
	static const char *const names[] = { "ftrace", "trace-cmd", "perf-script" };
	char dir[] = "/tmp/ct-chunks.XXXXXX", path[64];
	unsigned seed = 20251205, gen = seed;

	printf("seed %u\n", seed);
	if (!mkdtemp(dir)) {
		printf("SKIP: no temporary directory\n");
		return 77;
	}
	for (int fmt = FTRACE; fmt <= PERF; fmt++) {
		for (int tail = 0; tail < 3; tail++) {
			char label[64];

			snprintf(path, sizeof(path), "%s/t%d%d.txt", dir, fmt, tail);
			snprintf(label, sizeof(label), "%s, ending %d", names[fmt], tail);
			CHECK(write_text(path, (enum fmt)fmt, 30000 + 7000 * (unsigned long)tail, &gen, tail) == 0);
			compare(label, path, &seed);
			unlink(path);
		}
	}
	for (int i = 1; i < argc; i++)	/* the real samples */
		compare(argv[i], argv[i], &seed);
	rmdir(dir);
	return ct_test_status("test_chunks");
}
