// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Bad binary input: truncated files (cut at every byte of a synthetic
 * trace.dat, and across the headers, metadata and data of real captures),
 * random byte corruption, wrong magic, impossible sizes, perf.data without
 * tracing data, and formats whose fields lie beyond the record. Every case
 * must end in a clear error naming the file (and, for format errors, the byte
 * offset) or in CT_EV_PARSE_ERROR events; never a crash or an out-of-bounds
 * read (run under AddressSanitizer too).
 * Usage: test_bin_robust FORMATS_DIR SAMPLES_DIR
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bin_test.h"
#include "compactrace/error.h"
#include "compactrace/source.h"
#include "synth.h"

struct run {
	int open_ret;		/* 0 or the negative error of ct_source_open() */
	int next_ret;		/* 0 at a clean end, or the negative error */
	unsigned long long events, perr;
	char err[512];
};

/* open @path, read it to the end, and check that every message names the file */
static void run_file(struct bt *t, const char *path, struct run *r)
{
	struct ct_source *s = NULL;
	struct ct_event ev;
	int n;

	memset(r, 0, sizeof(*r));
	r->open_ret = ct_source_open(path, NULL, &s, r->err, sizeof(r->err));
	if (r->open_ret < 0) {
		if (strncmp(r->err, path, strlen(path)) != 0)
			fprintf(stderr, "[%s] message without the file name: %s\n", t->what, r->err);
		BT_CHECK(t, strncmp(r->err, path, strlen(path)) == 0);
		return;
	}
	while ((n = ct_source_next(s, &ev)) > 0) {
		r->events++;
		r->perr += ev.type == CT_EV_PARSE_ERROR;
		/* names point into the reader's memory: touch them (ASan checks the reads) */
		if ((ev.name_len && (!ev.name || memchr(ev.name, '\0', ev.name_len))) ||
		    !memchr(ev.comm, '\0', sizeof(ev.comm)))
			BT_CHECK(t, !"event name or comm malformed");
	}
	r->next_ret = n;
	if (n < 0) {
		snprintf(r->err, sizeof(r->err), "%s", ct_source_error(s));
		if (strncmp(r->err, path, strlen(path)) != 0)
			fprintf(stderr, "[%s] message without the file name: %s\n", t->what, r->err);
		BT_CHECK(t, strncmp(r->err, path, strlen(path)) == 0);
	}
	ct_source_free(s);
}

static int reported(const struct run *r)
{
	return r->open_ret < 0 || r->next_ret < 0 || r->perr > 0;
}

static unsigned char *slurp(const char *path, size_t *len)
{
	struct stat st;
	unsigned char *p = NULL;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return NULL;
	if (fstat(fd, &st) == 0 && st.st_size > 0) {
		p = malloc((size_t)st.st_size);
		if (p && read(fd, p, (size_t)st.st_size) != (ssize_t)st.st_size) {
			free(p);
			p = NULL;
		}
		*len = (size_t)st.st_size;
	}
	close(fd);
	return p;
}

/* run @data[0..len) as a file */
static void run_bytes(struct bt *t, const unsigned char *data, size_t len, struct run *r)
{
	char path[64];
	int fd = synth_memfd(data, len, path, sizeof(path));

	BT_CHECK(t, fd >= 0);
	if (fd < 0)
		return;
	run_file(t, path, r);
	close(fd);
}

/*
 * Cut @data at each of @cuts (taken largest first, so that one file is only
 * ever shortened): a cut must be reported, or lose no event (a cut in a
 * trailing section the reader does not need). With @strict 0 (pipe-mode perf
 * data, where a cut at a record boundary looks like a clean end) only the
 * absence of crashes is checked.
 */
static int cmp_desc(const void *a, const void *b)
{
	size_t x = *(const size_t *)a, y = *(const size_t *)b;

	return x < y ? 1 : x > y ? -1 : 0;
}

static void cuts(struct bt *t, const unsigned char *data, size_t len, size_t *at, size_t n,
		 int strict, unsigned long long full)
{
	char path[64];
	int fd = synth_memfd(data, len, path, sizeof(path));
	struct run r;

	BT_CHECK(t, fd >= 0);
	if (fd < 0)
		return;
	qsort(at, n, sizeof(*at), cmp_desc);
	for (size_t i = 0; i < n; i++) {
		if (at[i] >= len || (i && at[i] == at[i - 1]))
			continue;
		if (ftruncate(fd, (off_t)at[i]) < 0) {
			BT_CHECK(t, !"ftruncate");
			break;
		}
		run_file(t, path, &r);
		t->checks++;
		if (strict && !reported(&r) && r.events != full) {
			fprintf(stderr, "[%s] cut at %zu: %llu events, nothing reported\n", t->what,
				at[i], r.events);
			t->failures++;
		}
	}
	close(fd);
}

static uint32_t rnd(uint32_t *s)
{
	*s = *s * 1103515245u + 12345u;
	return *s >> 1;
}

/* flip a few bytes, half of the time inside the first 4 KB (headers, metadata) */
static void mutate(struct bt *t, const unsigned char *data, size_t len, int rounds, uint32_t seed)
{
	unsigned char *copy = malloc(len);
	struct run r;

	if (!copy)
		return;
	for (int i = 0; i < rounds; i++) {
		int k = 1 + (int)(rnd(&seed) % 4);

		memcpy(copy, data, len);
		while (k--) {
			size_t at = rnd(&seed) % 2 ? rnd(&seed) % (len < 4096 ? len : 4096) :
				rnd(&seed) % len;

			copy[at] = (unsigned char)rnd(&seed);
		}
		run_bytes(t, copy, len, &r);
	}
	free(copy);
}

static void sample_cuts(struct bt *t, const char *dir, const char *name, int strict, uint32_t seed)
{
	char path[4096];
	unsigned char *data;
	size_t len = 0, step, *at, n = 0;
	struct run r;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	t->what = path;
	data = slurp(path, &len);
	BT_CHECK(t, data != NULL);
	if (!data)
		return;
	/* the whole file reads cleanly */
	run_file(t, path, &r);
	if ((r.open_ret == -CT_E_UNSUPPORTED || r.next_ret == -CT_E_UNSUPPORTED) &&
	    strstr(r.err, "not supported by this build")) {
		fprintf(stderr, "%s: skipped (%s)\n", path, r.err);
		free(data);
		return;
	}
	BT_EQ(t, r.open_ret, 0);
	BT_EQ(t, r.next_ret, 0);
	BT_EQ(t, r.perr, 0);
	BT_CHECK(t, r.events > 0);
	/* every cut in the first and last 256 bytes, and 60 across the rest */
	at = calloc(512 + 80, sizeof(*at));
	if (!at) {
		free(data);
		return;
	}
	for (size_t c = 0; c < len && c < 256; c++)
		at[n++] = c;
	cuts(t, data, len, at, n, 1, r.events);
	n = 0;
	for (size_t c = len > 256 ? len - 256 : 0; c < len; c++)
		at[n++] = c;
	step = len / 60 + 1;
	for (size_t c = 256 + rnd(&seed) % step; c < len && n < 512 + 80; c += step)
		at[n++] = c;
	cuts(t, data, len, at, n, strict, r.events);
	free(at);
	mutate(t, data, len, 60, seed);
	free(data);
}

/* replace the first @from in @data (same length) */
static int patch(unsigned char *data, size_t len, const char *from, const char *to)
{
	size_t n = strlen(from);
	unsigned char *p = memmem(data, len, from, n);

	if (!p || strlen(to) != n)
		return -1;
	memcpy(p, to, n);
	return 0;
}

static void put64le(unsigned char *p, uint64_t v)
{
	for (int i = 0; i < 8; i++)
		p[i] = (unsigned char)(v >> (8 * i));
}

static void synthetic(struct bt *t, const char *formats)
{
	char dir[4096];
	struct synth_opts o = { .formats_dir = dir, .nr_records = 120, .seed = 99, .lost = 1 };
	struct synth_out out;
	unsigned char *copy;
	struct run r, full;

	snprintf(dir, sizeof(dir), "%s/linux-6.18", formats);
	t->what = "synthetic v6";
	if (synth_make(&o, &out) < 0) {
		BT_CHECK(t, !"synth_make");
		return;
	}
	run_bytes(t, out.dat, out.dat_len, &full);
	BT_EQ(t, full.open_ret, 0);
	BT_EQ(t, full.perr, 0);
	BT_EQ(t, full.events, out.nr_records + out.nr_lost);
	/* a cut anywhere is reported: as an error at open, or as parse errors */
	t->what = "synthetic v6 cut";
	{
		/*
		 * Every byte of the header, around the CPU table and the start of
		 * the data, and the end; every 13th byte of the format text and pages
		 * between (the cuts there are alike and each run costs an open).
		 */
		size_t *at = calloc(out.dat_len, sizeof(*at)), n = 0;
		uint64_t data = 0;

		BT_CHECK(t, at != NULL);
		for (int i = 0; i < 8; i++)
			data |= (uint64_t)out.dat[out.cpu_table + (size_t)i] << (8 * i);
		for (size_t c = 0; at && c < out.dat_len; c++)
			if (c < 1024 || (c + 64 >= out.cpu_table && c < data + 256) ||
			    c + 256 >= out.dat_len || c % 13 == 0)
				at[n++] = c;
		if (at)
			cuts(t, out.dat, out.dat_len, at, n, 1, ~0ULL);
		free(at);
	}
	t->what = "synthetic v6 mutated";
	mutate(t, out.dat, out.dat_len, 300, 7);

	copy = malloc(out.dat_len);
	if (!copy)
		goto out;

	t->what = "wrong magic";
	memcpy(copy, out.dat, out.dat_len);
	copy[0] = 0x18;
	run_bytes(t, copy, out.dat_len, &r);
	BT_EQ(t, r.open_ret, -CT_E_FORMAT);

	t->what = "unsupported version";
	memcpy(copy, out.dat, out.dat_len);
	copy[10] = '9';
	run_bytes(t, copy, out.dat_len, &r);
	BT_EQ(t, r.open_ret, -CT_E_UNSUPPORTED);
	BT_CHECK(t, strstr(r.err, "byte 10") != NULL);

	t->what = "impossible header_page size";
	memcpy(copy, out.dat, out.dat_len);
	put64le(copy + 30, 1ULL << 40);
	run_bytes(t, copy, out.dat_len, &r);
	BT_EQ(t, r.open_ret, -CT_E_TRUNCATED);
	BT_CHECK(t, strstr(r.err, "byte 30") != NULL);

	t->what = "CPU data larger than the file";
	memcpy(copy, out.dat, out.dat_len);
	put64le(copy + out.cpu_table + 8, 1ULL << 62);
	run_bytes(t, copy, out.dat_len, &r);
	BT_EQ(t, r.open_ret, 0);
	BT_EQ(t, r.perr, 1);
	BT_CHECK(t, r.events >= full.events);

	t->what = "CPU data beyond the end of the file";
	memcpy(copy, out.dat, out.dat_len);
	put64le(copy + out.cpu_table + 16, 1ULL << 50);
	run_bytes(t, copy, out.dat_len, &r);
	BT_EQ(t, r.open_ret, 0);
	BT_EQ(t, r.perr, 1);
	BT_CHECK(t, r.events > 0 && r.events < full.events);

	/* zone_end said to lie past the end of every begin/end record */
	t->what = "field beyond the record";
	memcpy(copy, out.dat, out.dat_len);
	BT_EQ(t, patch(copy, out.dat_len, "zone_end;\toffset:32;", "zone_end;\toffset:92;"), 0);
	BT_EQ(t, patch(copy, out.dat_len, "zone_end;\toffset:32;", "zone_end;\toffset:92;"), 0);
	run_bytes(t, copy, out.dat_len, &r);
	BT_EQ(t, r.open_ret, 0);
	BT_EQ(t, r.next_ret, 0);
	BT_EQ(t, r.events, full.events);
	{
		/* as many parse errors as the text has begin and end events */
		unsigned long long n = 0;
		const char *p = out.text;

		while ((p = strstr(p, " mm_compaction_begin: ")) != NULL && ++n)
			p++;
		p = out.text;
		while ((p = strstr(p, " mm_compaction_end: ")) != NULL && ++n)
			p++;
		BT_CHECK(t, n > 0);
		BT_EQ(t, r.perr, n);
	}
	free(copy);
out:
	synth_free(&out);
}

/* v7 as synth.c writes it (zlib when built with it, two buffers): cuts and corruption */
static void synthetic_v7(struct bt *t, const char *formats)
{
	char dir[4096];
	struct synth_opts o = { .formats_dir = dir, .nr_records = 300, .seed = 5, .lost = 1,
				.version = 7, .two_buffers = 1,
#ifdef CT_HAVE_ZLIB
				.zlib = 1,
#endif
	};
	struct synth_out out;
	struct run full;
	size_t *at, n = 0;

	snprintf(dir, sizeof(dir), "%s/linux-6.1", formats);
	t->what = "synthetic v7";
	if (synth_make(&o, &out) < 0) {
		BT_CHECK(t, !"synth_make");
		return;
	}
	run_bytes(t, out.dat, out.dat_len, &full);
	BT_EQ(t, full.open_ret, 0);
	BT_EQ(t, full.perr, 0);
	BT_EQ(t, full.events, out.nr_records + out.nr_lost);
	at = calloc(out.dat_len, sizeof(*at));
	for (size_t c = 0; at && c < out.dat_len; c++)
		if (c < 512 || c + 1024 >= out.dat_len || c % 7 == 0)
			at[n++] = c;
	if (at)
		cuts(t, out.dat, out.dat_len, at, n, 1, ~0ULL);
	free(at);
	t->what = "synthetic v7 mutated";
	mutate(t, out.dat, out.dat_len, 300, 17);
	synth_free(&out);
}

/* read a whole file: a checksum of (type, ts, cpu, pid) over its events */
static uint64_t stream_sum(struct bt *t, const unsigned char *data, size_t len,
			   unsigned long long *n)
{
	char path[64];
	struct ct_source *s = NULL;
	struct ct_event ev;
	char err[512];
	uint64_t sum = 0;
	int fd = synth_memfd(data, len, path, sizeof(path)), r;

	*n = 0;
	if (fd < 0 || ct_source_open(path, NULL, &s, err, sizeof(err)) < 0) {
		BT_CHECK(t, !"open");
		if (fd >= 0)
			close(fd);
		return 0;
	}
	while ((r = ct_source_next(s, &ev)) > 0) {
		sum = sum * 1000003u + ev.type;
		sum = sum * 1000003u + ev.ts_ns;
		sum = sum * 1000003u + (uint32_t)ev.cpu;
		sum = sum * 1000003u + (uint32_t)ev.pid;
		(*n)++;
	}
	BT_EQ(t, r, 0);
	ct_source_free(s);
	close(fd);
	return sum;
}

/*
 * Without FINISHED_ROUND records everything waits for the end of the file
 * (bounded by the queue cap): the order must come out the same.
 */
static void perf_no_rounds(struct bt *t, const char *samples)
{
	char path[4096];
	unsigned char *data;
	size_t len = 0;
	uint64_t off, end, a, b;
	unsigned long long na, nb, rounds = 0;

	snprintf(path, sizeof(path), "%s/churn-2cpu.perf.data", samples);
	t->what = "perf.data without FINISHED_ROUND";
	data = slurp(path, &len);
	BT_CHECK(t, data && len > 104);
	if (!data || len <= 104) {
		free(data);
		return;
	}
	a = stream_sum(t, data, len, &na);
	off = 0;
	end = 0;
	for (int i = 0; i < 8; i++) {
		off |= (uint64_t)data[40 + i] << (8 * i);
		end |= (uint64_t)data[48 + i] << (8 * i);
	}
	end += off;
	while (off + 8 <= end && end <= len) {
		uint16_t sz = (uint16_t)(data[off + 6] | data[off + 7] << 8);

		if (sz < 8)
			break;
		if (data[off] == 68 && !data[off + 1] && !data[off + 2] && !data[off + 3]) {
			data[off] = 0xee;	/* a record type nobody reads */
			rounds++;
		}
		off += sz;
	}
	BT_CHECK(t, rounds > 1);
	b = stream_sum(t, data, len, &nb);
	BT_EQ(t, na, nb);
	BT_CHECK(t, a == b);
	free(data);
}

static void perf_cases(struct bt *t, const char *samples)
{
	char path[4096];
	unsigned char *data;
	size_t len = 0;
	struct run r;

	snprintf(path, sizeof(path), "%s/no-tracepoints.perf.data", samples);
	t->what = path;
	run_file(t, path, &r);
	BT_EQ(t, r.open_ret, -CT_E_UNSUPPORTED);
	BT_CHECK(t, strstr(r.err, "no tracing data") != NULL);

	snprintf(path, sizeof(path), "%s/compact-a.perf.data", samples);
	data = slurp(path, &len);
	BT_CHECK(t, data && len > 104);
	if (!data || len <= 104) {
		free(data);
		return;
	}
	t->what = "perf attr size 0";
	put64le(data + 16, 0);
	run_bytes(t, data, len, &r);
	BT_EQ(t, r.open_ret, -CT_E_PARSE);
	BT_CHECK(t, strstr(r.err, "byte 8") != NULL);
	free(data);

	data = slurp(path, &len);
	if (!data)
		return;
	t->what = "perf data section larger than the file";
	put64le(data + 48, 1ULL << 45);
	run_bytes(t, data, len, &r);
	BT_EQ(t, r.open_ret, -CT_E_TRUNCATED);
	BT_CHECK(t, strstr(r.err, "byte 40") != NULL);
	free(data);
}

static int wait_nomem(void *ctx, int fd)
{
	(void)ctx;
	(void)fd;
	return -CT_E_NOMEM;
}

/*
 * A pipe-mode perf.data whose reader fails with out-of-memory while it
 * waits for the rest of a record: the error must come out of
 * ct_source_next(), not a quiet end of the data (-CT_E_NOMEM is -1, which
 * read_record() once used for "unreadable record").
 */
static void perf_pipe_read_error(struct bt *t, const char *samples)
{
	char path[4096], err[512];
	unsigned char *data;
	size_t len = 0, off = 16, cut = 0;
	struct ct_source *s = NULL;
	struct ct_event ev;
	unsigned long long perr = 0;
	int fds[2] = { -1, -1 }, n;

	snprintf(path, sizeof(path), "%s/compact-pipe.perf.data", samples);
	t->what = "pipe perf.data, out of memory while waiting for input";
	data = slurp(path, &len);
	BT_CHECK(t, data && len > 200000);
	if (!data || len <= 200000)
		goto out;
	/* cut 4 bytes into the first sample record past 200,000 bytes */
	while (off + 8 <= len && !cut) {
		uint32_t type = (uint32_t)(data[off] | data[off + 1] << 8 | data[off + 2] << 16 |
					   (uint32_t)data[off + 3] << 24);
		uint16_t sz = (uint16_t)(data[off + 6] | data[off + 7] << 8);

		if (sz < 8)
			break;
		if (type == 9 && off > 200000)	/* PERF_RECORD_SAMPLE */
			cut = off + 4;
		off += sz;
		if (type == 66)	/* HEADER_TRACING_DATA: its data follows the record */
			off += (uint32_t)(data[off - sz + 8] | data[off - sz + 9] << 8 |
					  data[off - sz + 10] << 16 | (uint32_t)data[off - sz + 11] << 24);
	}
	BT_CHECK(t, cut > 0);
	if (!cut || pipe(fds) < 0)
		goto out;
	if (fcntl(fds[1], F_SETPIPE_SZ, (int)cut) < (int)cut) {
		fprintf(stderr, "[%s] SKIP this case: a pipe cannot hold %zu bytes\n", t->what, cut);
		goto out;
	}
	BT_EQ(t, write(fds[1], data, cut), (long long)cut);
	BT_CHECK(t, fcntl(fds[0], F_SETFL, O_NONBLOCK) == 0);
	/* the write end stays open: the reader finds no data, not the end */
	n = ct_source_open_fd(fds[0], "pipe.perf.data", NULL, &s, err, sizeof(err));
	BT_EQ(t, n, 0);
	if (n < 0)
		goto out;
	ct_source_set_wait(s, wait_nomem, NULL);
	while ((n = ct_source_next(s, &ev)) > 0)
		perr += ev.type == CT_EV_PARSE_ERROR;
	BT_EQ(t, n, -CT_E_NOMEM);
	BT_EQ(t, perr, 0);
	BT_CHECK(t, strstr(ct_source_error(s), "pipe.perf.data") != NULL);
	BT_CHECK(t, strstr(ct_source_error(s), ct_strerror(-CT_E_NOMEM)) != NULL);
out:
	ct_source_free(s);
	if (fds[0] >= 0)
		close(fds[0]);
	if (fds[1] >= 0)
		close(fds[1]);
	free(data);
}

int main(int argc, char **argv)
{
	static const struct {
		const char *name;
		int strict;
	} samples[] = {
		{ "compact-v7-zstd.dat", 1 },
		{ "multi-lost.dat", 1 },
		{ "compact-a.perf.data", 1 },
		{ "compact-g.perf.data", 1 },
		{ "compact-z.perf.data", 1 },
		{ "compact-pipe.perf.data", 0 },
	};
	struct bt t = { 0 };

	if (argc != 3) {
		fprintf(stderr, "usage: test_bin_robust FORMATS_DIR SAMPLES_DIR\n");
		return 2;
	}
	synthetic(&t, argv[1]);
	synthetic_v7(&t, argv[1]);
	perf_cases(&t, argv[2]);
	perf_no_rounds(&t, argv[2]);
	perf_pipe_read_error(&t, argv[2]);
	for (size_t i = 0; i < sizeof(samples) / sizeof(samples[0]); i++)
		sample_cuts(&t, argv[2], samples[i].name, samples[i].strict, 1000 + (uint32_t)i);
	return bt_done(&t, "test_bin_robust");
}
