// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * A perf.data cut short between the two threads of a replay: the reading
 * thread has read and ordered a chunk of records, then the file is
 * truncated, then the taking thread reads each sample's raw data again
 * (parsers/perf_reread.c) and decodes it. What it can no longer read is a
 * parse error at that sample's raw data, its time and CPU kept; everything
 * else is what the one-thread path gives; no crash. Built against the
 * readers with every window a copy (none the mapping's) and the taking
 * thread's windows 4 KB, two of them (parsers_reread_lib). Expected
 * values: the one-thread path over an intact copy, and the records'
 * extents walked here by their headers alone.
 * Usage: test_perf_cut_taken SAMPLE.perf.data
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "bin_test.h"
#include "compactrace/source.h"

/* a memfd holding @data, opened as a source through /proc/self/fd */
static struct ct_source *open_copy(const unsigned char *data, size_t len, int *fd)
{
	struct ct_source *src;
	char path[64], err[512];

	*fd = memfd_create("ct-cut-taken", MFD_CLOEXEC);
	if (*fd < 0 || write(*fd, data, len) != (ssize_t)len)
		return NULL;
	snprintf(path, sizeof(path), "/proc/self/fd/%d", *fd);
	if (ct_source_open(path, NULL, &src, err, sizeof(err)) < 0) {
		fprintf(stderr, "%s\n", err);
		return NULL;
	}
	return src;
}

/* the end of the record that holds data offset @where; 0 if none does */
static uint64_t record_end(const unsigned char *data, uint64_t doff, uint64_t dsz, uint64_t where)
{
	for (uint64_t pos = doff; pos + 8 <= doff + dsz;) {
		uint16_t sz;

		memcpy(&sz, data + pos + 6, 2);
		if (sz < 8)
			return 0;
		if (where >= pos && where < pos + sz)
			return pos + sz;
		pos += sz;
	}
	return 0;
}

static int same_event(const struct ct_event *a, const struct ct_event *b)
{
	return a->type == b->type && a->ts_ns == b->ts_ns && a->pid == b->pid && a->cpu == b->cpu &&
	       strncmp(a->comm, b->comm, sizeof(a->comm)) == 0 &&
	       memcmp(&a->u, &b->u, a->type >= CT_EV_PAGE_FIRST && a->type <= CT_EV_PAGE_LAST ?
		      sizeof(a->u.page) : a->type == CT_EV_OTHER ? 0 : sizeof(a->u)) == 0;
}

int main(int argc, char **argv)
{
	struct bt t = { .what = "perf.data cut short before the taking thread reads" };
	struct ct_source *whole, *cut_src;
	struct ct_chunk c;
	struct ct_event ev, ref;
	unsigned char *data;
	size_t len = 0, pos = 0;
	uint64_t doff, dsz, cut;
	int fd_whole, fd_cut, r;
	long n = 0, gone = 0, kept = 0, wrong = 0;

	if (argc != 2) {
		fprintf(stderr, "usage: test_perf_cut_taken SAMPLE.perf.data\n");
		return 2;
	}
	data = bt_read_perf_data(argv[1], &len, &doff, &dsz);
	if (!data)
		return 1;
	/* a quarter of the data left: inside the first chunk's records, mid-page */
	cut = doff + dsz / 4 + 1234;
	whole = open_copy(data, len, &fd_whole);
	cut_src = open_copy(data, len, &fd_cut);
	if (!whole || !cut_src)
		return 1;
	memset(&c, 0, sizeof(c));
	BT_CHECK(&t, ct_source_can_chunk(cut_src) && ct_source_chunk_streams(cut_src));
	BT_EQ(&t, ct_source_read_chunk(cut_src, &c), 1);
	BT_CHECK(&t, ftruncate(fd_cut, (off_t)cut) == 0);
	while ((r = ct_source_chunk_next(cut_src, &c, &pos, &ev)) == 1) {
		if (ct_source_next(whole, &ref) != 1) {
			wrong++;
			break;
		}
		n++;
		if (same_event(&ev, &ref)) {
			kept += ref.type != CT_EV_PARSE_ERROR;
			continue;
		}
		/* a sample whose raw data now lies past the end: its record reached beyond the cut */
		if (ev.type == CT_EV_PARSE_ERROR && ev.ts_ns == ref.ts_ns && ev.cpu == ref.cpu &&
		    ref.type != CT_EV_PARSE_ERROR && record_end(data, doff, dsz, ev.u.perr.where) > cut) {
			gone++;
			continue;
		}
		if (wrong++ < 5)
			fprintf(stderr, "event %ld: type %u (want %u), time %llu (want %llu), where %llu\n", n,
				ev.type, ref.type, (unsigned long long)ev.ts_ns, (unsigned long long)ref.ts_ns,
				(unsigned long long)ev.u.perr.where);
	}
	BT_EQ(&t, r, 0);
	BT_EQ(&t, wrong, 0);
	BT_CHECK(&t, gone > 0);
	BT_CHECK(&t, kept > 100);
	printf("first chunk: %ld events, %ld as before, %ld samples gone past the cut at %llu\n", n, kept, gone,
	       (unsigned long long)cut);
	ct_source_chunk_free(cut_src, &c);
	ct_source_free(cut_src);
	ct_source_free(whole);
	close(fd_cut);
	close(fd_whole);
	free(data);
	return bt_done(&t, "test_perf_cut_taken");
}
