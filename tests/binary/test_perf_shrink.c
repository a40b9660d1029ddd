// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * A perf.data cut short while it is read (another process truncating the
 * file): what is gone is one parse error at the first record that no
 * longer fits, and what came before is read; no crash. Built against the
 * readers with tiny windows (parsers_tiny_lib), where the data past the
 * first 32 KB in use is the mapping's own: touched beyond the file's new
 * end, that is SIGBUS. The expected offset comes from walking the
 * sample's records here, by their headers alone.
 * Usage: test_perf_shrink SAMPLE.perf.data
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "bin_test.h"
#include "compactrace/source.h"

int main(int argc, char **argv)
{
	struct bt t = { .what = "perf.data cut short while read" };
	struct ct_source *src = NULL;
	struct ct_event ev;
	unsigned char *data;
	char path[64], err[512];
	size_t len = 0;
	uint64_t doff, dsz, cut, first_gone = 0, pos;
	int fd, r, perr_at_cut = 0, other_perr = 0;
	long events = 0;

	if (argc != 2) {
		fprintf(stderr, "usage: test_perf_shrink SAMPLE.perf.data\n");
		return 2;
	}
	data = bt_read_perf_data(argv[1], &len, &doff, &dsz);
	if (!data)
		return 1;
	/* half the data is left, cut mid-page and most likely mid-record */
	cut = doff + dsz / 2 + 1234;
	for (pos = doff; pos < doff + dsz; ) {
		uint16_t sz;

		memcpy(&sz, data + pos + 6, 2);
		if (pos + sz > cut) {
			first_gone = pos;
			break;
		}
		pos += sz;
	}
	BT_CHECK(&t, first_gone > doff);

	fd = memfd_create("ct-shrink", MFD_CLOEXEC);
	BT_CHECK(&t, fd >= 0 && write(fd, data, len) == (ssize_t)len);
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	if (ct_source_open(path, NULL, &src, err, sizeof(err)) < 0) {
		fprintf(stderr, "%s\n", err);
		return 1;
	}
	BT_CHECK(&t, ftruncate(fd, (off_t)cut) == 0);
	while ((r = ct_source_next(src, &ev)) > 0) {
		events++;
		if (ev.type == CT_EV_PARSE_ERROR && ev.u.perr.where == first_gone)
			perr_at_cut++;
		else if (ev.type == CT_EV_PARSE_ERROR)
			other_perr++;
	}
	BT_EQ(&t, r, 0);
	BT_EQ(&t, perr_at_cut, 1);
	BT_EQ(&t, other_perr, 0);
	BT_CHECK(&t, events > 100);
	printf("%ld events before the cut at %llu, the first record gone at %llu\n", events,
	       (unsigned long long)cut, (unsigned long long)first_gone);
	ct_source_free(src);
	close(fd);
	free(data);
	return bt_done(&t, "test_perf_shrink");
}
