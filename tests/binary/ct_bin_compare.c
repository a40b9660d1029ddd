// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The normalized stream read from a binary trace must equal the stream the
 * text parsers read from `trace-cmd report` / `perf script` of the same file
 * (see compare.h for what is compared).
 * Usage: ct_bin_compare BINARY TEXT      ("-" reads one of them from stdin)
 * Exit: 0 equal, 1 not, 77 when this build cannot decompress BINARY.
 */
#include <stdio.h>
#include <string.h>

#include "bin_test.h"
#include "compactrace/error.h"
#include "compactrace/source.h"
#include "compare.h"

int main(int argc, char **argv)
{
	struct ct_source *bs = NULL, *ts = NULL;
	struct bt_cmp_stats st;
	struct bt t = { 0 };
	char err[512];
	int r;

	if (argc != 3) {
		fprintf(stderr, "usage: ct_bin_compare BINARY TEXT\n");
		return 2;
	}
	t.what = argv[1];
	r = ct_source_open(argv[1], NULL, &bs, err, sizeof(err));
	if (r == -CT_E_UNSUPPORTED && strstr(err, "not supported by this build")) {
		/* built without libzstd/zlib: nothing to compare */
		fprintf(stderr, "skipped: %s\n", err);
		return 77;
	}
	if (r < 0 || ct_source_open(argv[2], NULL, &ts, err, sizeof(err)) < 0) {
		fprintf(stderr, "%s\n", err);
		ct_source_free(bs);
		return 1;
	}
	BT_CHECK(&t, strcmp(ct_source_format(bs), CT_FORMAT_TRACE_DAT) == 0 ||
		     strcmp(ct_source_format(bs), CT_FORMAT_PERF_DATA) == 0);
	BT_CHECK(&t, strcmp(ct_source_format(ts), CT_FORMAT_TRACE_CMD_TEXT) == 0 ||
		     strcmp(ct_source_format(ts), CT_FORMAT_PERF_SCRIPT) == 0);
	/* libtraceevent rounds to the microsecond; perf script truncates */
	bt_compare(bs, ts, strcmp(ct_source_format(bs), CT_FORMAT_TRACE_DAT) == 0, 0, &st, 20);
	if (st.rb == -CT_E_UNSUPPORTED && strstr(ct_source_error(bs), "not supported by this build")) {
		fprintf(stderr, "skipped: %s\n", ct_source_error(bs));
		ct_source_free(bs);
		ct_source_free(ts);
		return 77;
	}
	t.checks += (int)st.events;
	t.failures += (int)st.mismatches;
	BT_EQ(&t, st.rb, 0);
	BT_EQ(&t, st.rt, 0);
	if (st.rb < 0)
		fprintf(stderr, "binary: %s\n", ct_source_error(bs));
	if (st.rt < 0)
		fprintf(stderr, "text: %s\n", ct_source_error(ts));
	/* an empty comparison proves nothing */
	BT_CHECK(&t, st.events > 0 && st.events > st.other);
	fprintf(stderr, "%llu events compared (%llu other, %llu lost markers, %llu page events "
		"the text parser left untyped)\n", st.events, st.other, st.lost, st.page_untyped);
	ct_source_free(bs);
	ct_source_free(ts);
	return bt_done(&t, "ct_bin_compare");
}
