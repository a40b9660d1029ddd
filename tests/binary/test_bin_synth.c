// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * trace.dat files built from the real format files of Linux 6.1 and 6.18
 * (tests/binary/formats), little and big endian, with random field values,
 * ties across CPUs, time extends, absolute time stamps, discarded-event
 * padding and missed-events flags: the binary reader's stream must equal
 * the text parser's stream of the report libtraceevent prints for the same
 * records, and broken records must come out as parse errors at their offset.
 * Usage: test_bin_synth FORMATS_DIR
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "bin_test.h"
#include "compactrace/error.h"
#include "compactrace/source.h"
#include "compare.h"
#include "synth.h"

/* the kmem page events, decoded from the binary file, against what was written */
static void check_pages(struct bt *t, const char *path, const struct synth_out *out)
{
	struct ct_source *s = NULL;
	struct ct_event ev;
	char err[512];
	int n = 0, r;

	if (ct_source_open(path, NULL, &s, err, sizeof(err)) < 0) {
		fprintf(stderr, "%s\n", err);
		BT_CHECK(t, !"open");
		return;
	}
	while ((r = ct_source_next(s, &ev)) > 0) {
		const struct synth_page *p;
		uint64_t pfn;

		if (ev.type < CT_EV_PAGE_FIRST || ev.type > CT_EV_PAGE_LAST)
			continue;
		if (n >= out->nr_pages) {
			BT_CHECK(t, !"more page events than written");
			break;
		}
		p = &out->pages[n++];
		BT_CHECK(t, ev.name_len == strlen(p->name) && !memcmp(ev.name, p->name, ev.name_len));
		BT_STR(t, ct_event_type_name((enum ct_event_type)ev.type), p->name);
		pfn = p->pfn == ~0ULL ? CT_PFN_NONE : p->pfn;
		BT_EQ(t, ev.u.page.pfn, pfn);
		BT_EQ(t, ev.u.page.order, p->order);
		BT_EQ(t, ev.u.page.migratetype, p->migratetype);
		BT_EQ(t, ev.u.page.percpu_refill, p->percpu_refill);
		BT_EQ(t, ev.u.page.gfp_known, p->has_gfp);
		BT_EQ(t, ev.u.page.gfp, p->gfp);
	}
	BT_EQ(t, r, 0);
	BT_EQ(t, n, out->nr_pages);
	BT_CHECK(t, out->nr_pages > 0);
	ct_source_free(s);
}

static void one_n(struct bt *t, const char *dir, int be, int bad_id, int short_rec, uint32_t seed,
		  int version, int zlib, int two_buffers, int nr_records)
{
	struct synth_opts o = { .formats_dir = dir, .bigendian = be, .nr_records = nr_records,
				.seed = seed, .lost = 1, .bad_id = bad_id, .short_rec = short_rec,
				.version = version, .zlib = zlib, .two_buffers = two_buffers };
	struct synth_out out;
	struct ct_source *bs = NULL, *ts = NULL;
	struct bt_cmp_stats st;
	char what[512], bp[64], tp[64], err[512];
	int bfd = -1, tfd = -1;

	snprintf(what, sizeof(what), "%s v%d %s%s%s%s%s %d records", dir, version ? version : 6,
		 be ? "big-endian" : "little-endian", zlib ? " zlib" : "",
		 two_buffers ? " two-buffers" : "", bad_id ? " bad-id" : "",
		 short_rec ? " short-record" : "", nr_records);
	t->what = what;
	if (synth_make(&o, &out) < 0) {
		BT_CHECK(t, !"synth_make");
		return;
	}
	bfd = synth_memfd(out.dat, out.dat_len, bp, sizeof(bp));
	tfd = synth_memfd(out.text, out.text_len, tp, sizeof(tp));
	BT_CHECK(t, bfd >= 0 && tfd >= 0);
	if (bfd < 0 || tfd < 0)
		goto out;
	if (ct_source_open(bp, NULL, &bs, err, sizeof(err)) < 0 ||
	    ct_source_open(tp, NULL, &ts, err, sizeof(err)) < 0) {
		fprintf(stderr, "%s\n", err);
		BT_CHECK(t, !"open");
		goto out;
	}
	BT_STR(t, ct_source_format(bs), CT_FORMAT_TRACE_DAT);
	BT_STR(t, ct_source_format(ts), CT_FORMAT_TRACE_CMD_TEXT);
	bt_compare(bs, ts, 1, bad_id || short_rec, &st, 10);
	BT_EQ(t, st.mismatches, 0);
	BT_EQ(t, st.rb, 0);
	BT_EQ(t, st.rt, 0);
	/* every record, plus a marker for each of the two pages flagged with lost events */
	BT_EQ(t, out.nr_lost, 2);
	BT_EQ(t, st.events, out.nr_records + 2);
	BT_EQ(t, st.lost, 2);
	BT_EQ(t, st.lost_count, 1234);	/* a stored count, and one unknown (0) */
	BT_EQ(t, st.binary_perr, bad_id || short_rec);
	check_pages(t, bp, &out);
	/* inside compressed chunks a record has no file offset of its own */
	if ((bad_id || short_rec) && !zlib)
		BT_EQ(t, st.first_perr_where, out.bad_where);
out:
	ct_source_free(bs);
	ct_source_free(ts);
	if (bfd >= 0)
		close(bfd);
	if (tfd >= 0)
		close(tfd);
	synth_free(&out);
}

static void one(struct bt *t, const char *dir, int be, int bad_id, int short_rec, uint32_t seed,
		int version, int zlib, int two_buffers)
{
	one_n(t, dir, be, bad_id, short_rec, seed, version, zlib, two_buffers, 3000);
}

/*
 * Files over 4 MB are not read whole: each CPU's pages come through a
 * window read at a time. Many windows per CPU, the bad record in a middle
 * one (its offset must still be exact), and a file cut short after it was
 * opened: what is gone is one parse error, no crash.
 */
static void large(struct bt *t, const char *dir, int version, int two_buffers, uint32_t seed)
{
	struct synth_opts o = { .formats_dir = dir, .nr_records = 150000, .seed = seed, .lost = 1,
				.bad_id = 1, .version = version, .two_buffers = two_buffers };
	struct synth_out out;
	struct ct_source *s = NULL;
	struct ct_event ev;
	char what[512], path[64], err[512];
	int fd, r, n = 0, perr = 0;
	uint64_t cut, where = UINT64_MAX;

	one_n(t, dir, 0, 1, 0, seed, version, 0, two_buffers, 150000);
	snprintf(what, sizeof(what), "%s v%d cut short while read", dir, version);
	t->what = what;
	if (synth_make(&o, &out) < 0) {
		BT_CHECK(t, !"synth_make");
		return;
	}
	BT_CHECK(t, out.dat_len > (4u << 20));
	fd = synth_memfd(out.dat, out.dat_len, path, sizeof(path));
	BT_CHECK(t, fd >= 0);
	if (fd < 0 || ct_source_open(path, NULL, &s, err, sizeof(err)) < 0) {
		BT_CHECK(t, !"open");
		goto out;
	}
	/* the end of the last CPU's data goes: a page boundary past the middle */
	cut = (out.dat_len - (out.dat_len - out.bad_where) / 2) & ~4095ULL;
	BT_CHECK(t, ftruncate(fd, (off_t)cut) == 0);
	while ((r = ct_source_next(s, &ev)) > 0) {
		n++;
		/* one for the CPU cut in the middle, one for each CPU wholly past the cut */
		if (ev.type == CT_EV_PARSE_ERROR && ev.u.perr.where >= cut) {
			perr++;
			where = ev.u.perr.where < where ? ev.u.perr.where : where;
		}
	}
	BT_EQ(t, r, 0);
	BT_CHECK(t, perr >= 1 && perr <= 3);
	BT_EQ(t, where, cut);
	BT_CHECK(t, n > 1000 && n < out.nr_records);
out:
	ct_source_free(s);
	if (fd >= 0)
		close(fd);
	synth_free(&out);
}

int main(int argc, char **argv)
{
	static const char *const kernels[] = { "linux-6.1", "linux-6.18" };
	struct bt t = { 0 };
	char dir[4096];

	if (argc != 2) {
		fprintf(stderr, "usage: test_bin_synth FORMATS_DIR\n");
		return 2;
	}
	for (int k = 0; k < 2; k++) {
		snprintf(dir, sizeof(dir), "%s/%s", argv[1], kernels[k]);
		if (access(dir, R_OK) != 0) {
			fprintf(stderr, "%s: missing\n", dir);
			return 1;
		}
		for (int be = 0; be < 2; be++)
			for (uint32_t seed = 1; seed <= 3; seed++)
				one(&t, dir, be, 0, 0, seed * 7919 + (uint32_t)k, 6, 0, 0);
		one(&t, dir, 0, 1, 0, 5, 6, 0, 0);
		one(&t, dir, 1, 0, 1, 6, 6, 0, 0);
		/* version 7: sections, options, BUFFER options; uncompressed and zlib */
		for (int two = 0; two < 2; two++) {
			one(&t, dir, 0, 0, 0, 11 + (uint32_t)two, 7, 0, two);
			one(&t, dir, 1, 0, 0, 13 + (uint32_t)two, 7, 0, two);
#ifdef CT_HAVE_ZLIB
			one(&t, dir, 0, 0, 0, 17 + (uint32_t)two, 7, 1, two);
			one(&t, dir, 1, 1, 0, 19 + (uint32_t)two, 7, 1, two);
#endif
		}
		one(&t, dir, 0, 0, 1, 23, 7, 0, 1);
		large(&t, dir, 6, 0, 29);
		large(&t, dir, 7, 1, 31);
	}
	return bt_done(&t, "test_bin_synth");
}
