// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Unit tests of the dashboard layout (no terminal): the canvas clips, every
 * panel has its title at 80x24, a tall screen gets the extra panels, a
 * small one gets a message, the gauge puts the scanners where they are.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "top/top_model.h"
#include "top/top_ui.h"
#include "../common/check.h"

#define SEC 1000000000ULL

/* row @r of @c as ASCII text */
static const char *row_text(const struct ct_canvas *c, int r, char *buf, size_t len)
{
	int n = c->cols < (int)len - 1 ? c->cols : (int)len - 1;

	for (int i = 0; i < n; i++)
		buf[i] = ct_canvas_glyph_ascii(c->ch[(size_t)r * (size_t)c->cols + (size_t)i]);
	buf[n] = '\0';
	return buf;
}

static int find_row(const struct ct_canvas *c, const char *needle)
{
	char buf[1024];

	for (int r = 0; r < ct_canvas_rows(c); r++)
		if (strstr(row_text(c, r, buf, sizeof(buf)), needle))
			return r;
	return -1;
}

static void test_canvas(void)
{
	struct ct_canvas *c = ct_canvas_new(10, 3), *g = ct_canvas_new(10, 0);
	char buf[64];

	CHECK(c != NULL && g != NULL);
	CHECK(ct_canvas_text(c, 0, 5, CT_A_NORMAL, "abcdefgh") == 10);
	CHECK_STR(row_text(c, 0, buf, sizeof(buf)), "     abcde");
	ct_canvas_text(c, 1, -2, CT_A_NORMAL, "xyz\x01");
	CHECK_STR(row_text(c, 1, buf, sizeof(buf)), "z?        ");
	ct_canvas_text(c, 7, 0, CT_A_NORMAL, "outside");	/* ignored */
	CHECK(ct_canvas_rows(c) == 3);
	ct_canvas_fill(c, 2, 8, 5, CT_G_SPARK0 + 8, CT_A_GOOD);
	CHECK(ct_canvas_glyph_ascii(c->ch[2 * 10 + 9]) == '@');
	CHECK(c->attr[2 * 10 + 9] == CT_A_GOOD);
	/* a growing canvas keeps every row */
	ct_canvas_text(g, 200, 0, CT_A_NORMAL, "row 200");
	CHECK(ct_canvas_rows(g) == 201);
	CHECK_STR(row_text(g, 200, buf, sizeof(buf)), "row 200   ");
	CHECK(!g->failed);
	ct_canvas_free(c);
	ct_canvas_free(g);
	ct_canvas_free(NULL);
	CHECK(ct_canvas_new(0, 5) == NULL);

	CHECK_STR(ct_top_fmt_ns(buf, sizeof(buf), 485000, 1), "485us");
	CHECK_STR(ct_top_fmt_ns(buf, sizeof(buf), 2000000, 1), "2.00ms");
	CHECK_STR(ct_top_fmt_ns(buf, sizeof(buf), 12345678, 1), "12.3ms");
	CHECK_STR(ct_top_fmt_ns(buf, sizeof(buf), 2500000000ULL, 1), "2.50s");
	CHECK_STR(ct_top_fmt_ns(buf, sizeof(buf), 5, 0), "-");
}

/* a model with three zones, a node, a pair and a dozen stalls */
static struct ct_top_model *sample_model(void)
{
	static struct ct_zone_summary zones[3];
	static struct ct_kcompactd_summary node;
	static const char *const names[3] = { "DMA", "DMA32", "Normal" };
	struct ct_top_model *m = ct_top_model_new();
	struct ct_results r;
	struct ct_run run;

	memset(&r, 0, sizeof(r));
	memset(zones, 0, sizeof(zones));
	for (int i = 0; i < 3; i++) {
		snprintf(zones[i].zone, sizeof(zones[i].zone), "%s", names[i]);
		zones[i].zone_start_pfn = i == 0 ? 1 : i == 1 ? 0x1000 : 0x100000;
		zones[i].zone_end_pfn = i == 0 ? 0x1000 : i == 1 ? 0x100000 : 0x640000;
		zones[i].runs = (uint64_t)(i * 500);
		zones[i].by_status[CT_STATUS_SUCCESS] = (uint64_t)(i * 400);
		zones[i].by_status[CT_STATUS_CONTENDED] = (uint64_t)(i * 100);
		zones[i].migrate_scanned = 123456789ULL * (uint64_t)i;
	}
	memset(&node, 0, sizeof(node));
	node.wakes = 57;
	r.zones = zones;
	r.nzones = 3;
	r.kcompactd = &node;
	r.nkcompactd = 1;
	r.events = 76523;
	r.runs.count = 1000;
	r.runs.by_trigger[CT_TRIGGER_DIRECT] = 1000;
	r.totals.compact_stall = 12;
	r.extfrag.events = 3;
	r.extfrag.by_pair[1][2] = 3;
	r.extfrag.pageblock_order = 9;
	ct_top_model_start(m, 100 * SEC);
	memset(&run, 0, sizeof(run));
	snprintf(run.zone, sizeof(run.zone), "Normal");
	run.zone_start = 0x100000;
	run.zone_end = 0x640000;
	run.migrate_start = 0x100000;
	run.migrate_end = 0x1e0000;	/* cell 4 of 26 */
	run.free_start = 0x640000;
	run.free_end = 0x600000;	/* cell 24 of 26 */
	ct_top_model_on_run(m, &run);
	for (int i = 0; i < 12; i++) {
		struct ct_stall s;

		memset(&s, 0, sizeof(s));
		s.ts_ns = 100 * SEC + (uint64_t)i;
		s.latency_ns = (uint64_t)(i + 1) * 100000;
		s.order = 9;
		s.pid = 1000 + i;
		snprintf(s.comm, sizeof(s.comm), "task-%d", i);
		s.result = CT_STATUS_SUCCESS;
		s.nzones = 1;
		snprintf(s.zones[0].zone, sizeof(s.zones[0].zone), "Normal");
		s.zones[0].status = CT_STATUS_SUCCESS;
		ct_top_model_on_stall(m, &s);
	}
	ct_top_model_tick(m, &r, 101 * SEC);
	return m;
}

static void test_overview_80x24(void)
{
	struct ct_top_model *m = sample_model();
	struct ct_canvas *c = ct_canvas_new(80, 24);
	struct ct_top_screen s = { .source = "a/very/long/path/to/some/trace.ftrace.txt (ftrace-text)",
				   .speed = 1, .interval_ms = 1000, .zone_sel = -1 };
	static const char *const titles[] = { "ZONES", "ACTIVITY", "KCOMPACTD", "EXTFRAG",
					       "SLOWEST RECENT STALLS", "q quit" };
	char buf[256];
	int r;

	ct_top_layout(c, ct_top_model_view(m), &s);
	for (size_t i = 0; i < sizeof(titles) / sizeof(titles[0]); i++) {
		if (find_row(c, titles[i]) < 0)
			fprintf(stderr, "missing panel: %s\n", titles[i]);
		CHECK(find_row(c, titles[i]) >= 0);
	}
	CHECK(find_row(c, "q quit") == 23);
	CHECK(find_row(c, "trace.ftrace.txt") == 0);
	CHECK(find_row(c, "76,523") == 1);
	/* numbers too wide for their column fall back to 3 significant digits */
	CHECK(find_row(c, "247M") >= 0);
	/* the gauge of Normal: the run's scanners in the cells their pfns fall in */
	r = find_row(c, " 0 Normal");
	CHECK(r >= 0);
	if (r >= 0) {
		const char *t = row_text(c, r, buf, sizeof(buf)), *g = strchr(t, '['), *e = strrchr(t, ']');
		int w = g && e ? (int)(e - g) - 1 : 0;

		CHECK(w >= 16);
		if (w >= 16) {
			int m_at = (int)((0x1e0000 - 0x100000) * (uint64_t)w / (0x640000 - 0x100000));
			int f_at = (int)((0x600000 - 0x100000) * (uint64_t)w / (0x640000 - 0x100000));

			CHECK(g[1 + m_at] == '>');
			CHECK(g[1 + f_at] == '<');
			CHECK(g[1] == '=');
			for (int i = m_at + 1; i < f_at; i++)
				CHECK(g[1 + i] == '.');
		}
	}
	/* every number keeps a blank before it */
	CHECK(find_row(c, "%123") < 0 && find_row(c, "%247") < 0);
	CHECK(find_row(c, "no run yet") >= 0);	/* DMA */
	CHECK(find_row(c, "0.0%     57  57.0  Movable <- Reclaimable 3 3.0/s") >= 0);	/* widths from the data */

	/* paused and ended tags in the title bar */
	s.paused = 1;
	ct_top_layout(c, ct_top_model_view(m), &s);
	CHECK(find_row(c, "PAUSED") == 0);
	s.paused = 0;
	s.ended = 1;
	ct_top_layout(c, ct_top_model_view(m), &s);
	CHECK(find_row(c, "END OF INPUT") == 0);

	/* help overlay, then every page keeps its footer */
	s.help = 1;
	ct_top_layout(c, ct_top_model_view(m), &s);
	CHECK(find_row(c, "compactrace top: keys") >= 0);
	CHECK(find_row(c, "this kernel has no") < 0);
	/* what the kernel lacks stays readable in the help */
	s.note = "this kernel has no mm_compaction_kcompactd_wake: what they count stays 0";
	ct_top_layout(c, ct_top_model_view(m), &s);
	CHECK(find_row(c, "this kernel has no mm_compaction_kcompactd_wake") >= 0);
	s.note = NULL;
	s.help = 0;
	/* an error replaces the key line */
	s.message = "trace.txt: read error at byte 42";
	s.message_is_error = 1;
	ct_top_layout(c, ct_top_model_view(m), &s);
	CHECK(find_row(c, "read error at byte 42") == 23);
	s.message = NULL;
	s.message_is_error = 0;
	for (int p = 0; p < CT_PAGE_COUNT; p++) {
		s.page = (enum ct_top_page)p;
		ct_top_layout(c, ct_top_model_view(m), &s);
		CHECK(find_row(c, "q quit") == 23);
	}
	s.page = CT_PAGE_STALLS;
	ct_top_layout(c, ct_top_model_view(m), &s);
	CHECK(find_row(c, "RECENT STALLS") >= 0);
	CHECK(find_row(c, "STALL LATENCY") >= 0);
	CHECK(s.list_rows >= 12 && s.scroll_max == 0);	/* 12 stalls fit under the histogram */
	s.page = CT_PAGE_ZONES;
	s.zone_sel = -1;
	ct_top_layout(c, ct_top_model_view(m), &s);
	CHECK(s.zone_sel == 2);		/* the busiest zone */
	CHECK(find_row(c, "ZONE node 0 Normal") >= 0);
	CHECK(find_row(c, "pageblock map") >= 0);
	ct_canvas_free(c);
	ct_top_model_free(m);
}

static void test_sizes(void)
{
	struct ct_top_model *m = sample_model();
	struct ct_canvas *small = ct_canvas_new(70, 20), *big = ct_canvas_new(200, 60);
	struct ct_canvas *batch = ct_canvas_new(160, 0);
	struct ct_top_screen s = { .source = "x", .interval_ms = 1000 };

	ct_top_layout(small, ct_top_model_view(m), &s);
	CHECK(find_row(small, "terminal is 70x20") >= 0);
	CHECK(find_row(small, "needs 80x24") >= 0);
	CHECK(find_row(small, "ZONES") < 0);

	ct_top_layout(big, ct_top_model_view(m), &s);
	CHECK(find_row(big, "STALL LATENCY HISTOGRAM") >= 0);
	CHECK(find_row(big, "RECENT STALLS  (the last 12)") >= 0);
	CHECK(find_row(big, "partial_skipped") >= 0);	/* wide: its own column */
	CHECK(find_row(big, "q quit") == 59);

	s.batch = 1;
	ct_top_layout(batch, ct_top_model_view(m), &s);
	CHECK(find_row(batch, "q quit") < 0);		/* no keys in batch mode */
	CHECK(find_row(batch, "SLOWEST RECENT STALLS") >= 0);
	CHECK(find_row(batch, "task-11") >= 0);
	CHECK(find_row(batch, "123,456,789") >= 0);	/* exact where there is room */
	ct_canvas_free(small);
	ct_canvas_free(big);
	ct_canvas_free(batch);
	ct_top_model_free(m);
}

/* the row that starts with @prefix, or "" */
static const char *row_starting(const struct ct_canvas *c, const char *prefix, char *buf, size_t len)
{
	for (int r = 0; r < ct_canvas_rows(c); r++)
		if (strncmp(row_text(c, r, buf, len), prefix, strlen(prefix)) == 0)
			return buf;
	return "";
}

/* the row whose text from column @col on starts with @prefix, or "" */
static const char *row_at(const struct ct_canvas *c, int col, const char *prefix, char *buf, size_t len)
{
	for (int r = 0; r < ct_canvas_rows(c); r++)
		if (strncmp(row_text(c, r, buf, len) + col, prefix, strlen(prefix)) == 0)
			return buf + col;
	return "";
}

/*
 * Columns never touch, whatever the digits: three- and seven-digit values
 * at 80x24, the expected text written out by hand. Once a count of 192
 * fallbacks touched its rate ("19224.9/s") and the ZONES panel printed
 * "1655081" next to "2,381".
 */
static void test_columns_3_and_7_digits(void)
{
	static struct ct_zone_summary zone;
	struct ct_top_model *m = ct_top_model_new();
	struct ct_canvas *c = ct_canvas_new(80, 24);
	struct ct_top_screen s = { .source = "t", .interval_ms = 1000, .zone_sel = -1 };
	struct ct_results r;
	char buf[256];

	CHECK(m && c);
	if (!m || !c)
		goto out;
	memset(&r, 0, sizeof(r));
	memset(&zone, 0, sizeof(zone));
	snprintf(zone.zone, sizeof(zone.zone), "Normal");
	zone.zone_start_pfn = 0x100000;
	zone.zone_end_pfn = 0x640000;
	zone.runs = 192;
	zone.by_status[CT_STATUS_SUCCESS] = 192;
	zone.migrate_scanned = 1655081;
	zone.free_scanned = 3331153;
	r.zones = &zone;
	r.nzones = 1;
	r.extfrag.pageblock_order = 9;
	/*
	 * 7.710843373 s apart: Unmovable <- Movable 0 then 192 (24.9/s),
	 * Reclaimable <- Movable 1,234,537 then 1,234,567 (30: 3.9/s)
	 */
	r.extfrag.by_pair[2][1] = 1234567 - 30;
	ct_top_model_start(m, 100 * SEC);
	ct_top_model_tick(m, &r, 100 * SEC);
	r.extfrag.by_pair[0][1] = 192;
	r.extfrag.by_pair[2][1] = 1234567;
	r.extfrag.events = 192 + 1234567;
	ct_top_model_tick(m, &r, 100 * SEC + 7710843373ULL);
	ct_top_layout(c, ct_top_model_view(m), &s);

	/* ZONES: runs 5 wide, status mix at 16, mig-scan and free-scan 10 wide, the gauge at 56 */
	CHECK_STR(row_starting(c, "nd zone", buf, sizeof(buf)),
		  "nd zone    runs status mix           mig-scan free-scan last run's scanners     ");
	CHECK(strncmp(row_starting(c, " 0 Normal", buf, sizeof(buf)),
		      " 0 Normal   192 succ 100%           1,655,081 3,331,153 [", 57) == 0);
	/* EXTFRAG, right half from column 41: names, count and rate as wide as the data */
	CHECK_STR(row_at(c, 41, "Reclaimable <- ", buf, sizeof(buf)), "Reclaimable <- Movable 1,234,567  3.9/s");
	/* 80x30 has room for the second pair too */
	ct_canvas_free(c);
	c = ct_canvas_new(80, 30);
	CHECK(c != NULL);
	if (!c)
		goto out;
	ct_top_layout(c, ct_top_model_view(m), &s);
	CHECK_STR(row_at(c, 41, "Reclaimable <- ", buf, sizeof(buf)), "Reclaimable <- Movable 1,234,567  3.9/s");
	CHECK_STR(row_at(c, 41, "  Unmovable <- ", buf, sizeof(buf)), "  Unmovable <- Movable       192 24.9/s");
out:
	ct_canvas_free(c);
	ct_top_model_free(m);
}

int main(void)
{
	test_canvas();
	test_overview_80x24();
	test_sizes();
	test_columns_3_and_7_digits();
	return ct_test_status("test_top_layout");
}
