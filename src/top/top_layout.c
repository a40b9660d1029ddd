// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The panels of `compactrace top`, laid out into a canvas. Plain C and no
 * I/O: it reads a struct ct_top_view (a copy the UI took under the lock)
 * and the UI's own state, nothing else. At 80x24 every panel keeps its
 * essentials; more rows give more zones, stalls and tables, more columns
 * give wider gauges and extra columns.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "top/top_ui.h"

#define NUM 24			/* a formatted number always fits */

struct lay {
	struct ct_canvas *c;
	const struct ct_top_view *v;
	struct ct_top_screen *s;
	int cols;
};

/* ---- number formatting -------------------------------------------------- */

/* 1234567 -> "1,234,567" */
static void grouped(char *buf, size_t len, uint64_t v)
{
	char tmp[NUM];
	int n = snprintf(tmp, sizeof(tmp), "%" PRIu64, v), o = 0;

	for (int i = 0; i < n && (size_t)o + 1 < len; i++) {
		if (i > 0 && (n - i) % 3 == 0 && (size_t)o + 2 < len)
			buf[o++] = ',';
		buf[o++] = tmp[i];
	}
	buf[o] = '\0';
}

static void si(char *buf, size_t len, double v)
{
	static const char units[] = "kMGTP";
	int u = -1;

	while (v >= 999.5 && u < 4) {
		v /= 1000.0;
		u++;
	}
	if (u < 0)
		snprintf(buf, len, "%.0f", v);
	else
		snprintf(buf, len, v < 9.995 ? "%.2f%c" : v < 99.95 ? "%.1f%c" : "%.0f%c", v, units[u]);
}

/*
 * One rule for every count in top: exact with thousands separators
 * ("1,655,081"), or, when that is wider than @width, 3 significant digits
 * ("1.66M"); never the bare digits.
 */
static const char *fmt_count(char *buf, size_t len, uint64_t v, int width)
{
	grouped(buf, len, v);
	if ((int)strlen(buf) <= width)
		return buf;
	si(buf, len, (double)v);
	return buf;
}

static const char *fmt_rate(char *buf, size_t len, double r)
{
	if (r < 0)
		snprintf(buf, len, "-");
	else if (r == 0)
		snprintf(buf, len, "0");
	else if (r < 99.95)
		snprintf(buf, len, "%.1f", r);
	else if (r < 99999.5)
		grouped(buf, len, (uint64_t)(r + 0.5));
	else
		si(buf, len, r);
	return buf;
}

/* a rate in at most @width characters: 3 significant digits when the exact form is wider */
static const char *fmt_rate_w(char *buf, size_t len, double r, int width)
{
	fmt_rate(buf, len, r);
	if ((int)strlen(buf) > width && r > 0)
		si(buf, len, r);
	return buf;
}

const char *ct_top_fmt_ns(char *buf, size_t len, uint64_t ns, int have)
{
	if (!have)
		snprintf(buf, len, "-");
	else if (ns < 999500)
		snprintf(buf, len, "%" PRIu64 "us", (ns + 500) / 1000);
	else if (ns < 9995000)
		snprintf(buf, len, "%.2fms", (double)ns / 1e6);
	else if (ns < 999950000)
		snprintf(buf, len, "%.1fms", (double)ns / 1e6);
	else
		snprintf(buf, len, "%.2fs", (double)ns / 1e9);
	return buf;
}

static const char *fmt_pct(char *buf, size_t len, double f)
{
	if (f < 0)
		snprintf(buf, len, "-");
	else
		snprintf(buf, len, "%.1f%%", f * 100.0);
	return buf;
}

static const char *fmt_span(char *buf, size_t len, uint64_t ns)
{
	if (ns < 10000000000ULL)
		snprintf(buf, len, "%.3fs", (double)ns / 1e9);
	else if (ns < 60000000000ULL)
		snprintf(buf, len, "%.1fs", (double)ns / 1e9);
	else if (ns < 3600000000000ULL)
		snprintf(buf, len, "%" PRIu64 "m%02" PRIu64 "s", (uint64_t)(ns / 60000000000ULL),
			 (uint64_t)(ns / 1000000000ULL % 60));
	else
		snprintf(buf, len, "%" PRIu64 "h%02" PRIu64 "m", (uint64_t)(ns / 3600000000000ULL),
			 (uint64_t)(ns / 60000000000ULL % 60));
	return buf;
}

static double rate(uint64_t n, const struct ct_top_view *v)
{
	return ct_top_rate(n, v->span_ns);
}

/* ---- statuses ----------------------------------------------------------- */

static const char *status_abbrev(int st)
{
	static const char *const ab[CT_STATUS_COUNT] = {
		[CT_STATUS_NOT_SUITABLE_ZONE] = "nozn", [CT_STATUS_SKIPPED] = "skip",
		[CT_STATUS_DEFERRED] = "defr", [CT_STATUS_NO_SUITABLE_PAGE] = "nopg",
		[CT_STATUS_CONTINUE] = "cont", [CT_STATUS_COMPLETE] = "cmpl",
		[CT_STATUS_PARTIAL_SKIPPED] = "part", [CT_STATUS_CONTENDED] = "cntd",
		[CT_STATUS_SUCCESS] = "succ", [CT_STATUS_UNKNOWN] = "unkn",
	};

	return st >= 0 && st < CT_STATUS_COUNT ? ab[st] : "unkn";
}

static int status_attr(int st)
{
	switch (st) {
	case CT_STATUS_SUCCESS:
		return CT_A_GOOD;
	case CT_STATUS_COMPLETE:
	case CT_STATUS_CONTINUE:
		return CT_A_NORMAL;
	case CT_STATUS_PARTIAL_SKIPPED:
	case CT_STATUS_CONTENDED:
	case CT_STATUS_DEFERRED:
	case CT_STATUS_SKIPPED:
		return CT_A_WARN;
	case CT_STATUS_UNKNOWN:
		return CT_A_DIM;
	default:
		return CT_A_BAD;
	}
}

/* ---- building blocks ---------------------------------------------------- */

static void title_bar(struct lay *L, int row, const char *left, const char *right)
{
	ct_canvas_fill(L->c, row, 0, L->cols, ' ', CT_A_TITLE);
	ct_canvas_text(L->c, row, 1, CT_A_TITLE, left);
	/* a note that does not fit whole beside the title is left out */
	if (right && *right && (int)(strlen(left) + strlen(right)) + 4 <= L->cols)
		ct_canvas_text(L->c, row, L->cols - 1 - (int)strlen(right), CT_A_TITLE, right);
}

/* right-aligned in [col, col+width); too wide shows '#'s, never a cut number */
static void rtext(struct lay *L, int row, int col, int width, int attr, const char *s)
{
	int n = (int)strlen(s);

	if (n > width) {
		ct_canvas_fill(L->c, row, col, width, '#', attr);
		return;
	}
	ct_canvas_textn(L->c, row, col + width - n, attr, s, width);
}

static int spark_level(uint64_t v, uint64_t max)
{
	if (!v || !max)
		return 0;
	return 1 + (int)((v * (CT_G_SPARK_LEVELS - 2) + max - 1) / max);
}

/* the newest @n values of the history, oldest on the left */
static void sparkline(struct lay *L, int row, int col, int n, int which)
{
	uint64_t vals[CT_TOP_HISTORY], max = 0;
	int have = (int)L->v->nhist < n ? (int)L->v->nhist : n;

	for (int i = 0; i < have; i++) {
		const struct ct_top_hist *h = ct_top_hist_at(L->v, (uint32_t)i);

		vals[i] = which == 0 ? h->stalls : which == 1 ? h->runs :
			  which == 2 ? h->fragmenting : h->stall_p99_ns;
		if (vals[i] > max)
			max = vals[i];
	}
	for (int i = 0; i < have; i++)
		ct_canvas_fill(L->c, row, col + n - 1 - i, 1,
			       (uint16_t)(CT_G_SPARK0 + spark_level(vals[i], max)), CT_A_GOOD);
}

/*
 * The scanner gauge: the zone's pfn span in @w cells. '=' and '>' are the
 * migrate scanner's path and position at the end of the last run, '-' and
 * '<' the free scanner's (it scans down from the zone end); 'X' where they
 * met; '.' untouched by that run.
 */
static void gauge(struct lay *L, int row, int col, int w, const struct ct_top_zone *z)
{
	const struct ct_run *r = ct_top_zone_run(z, 0);
	uint64_t start = z->zone_start_pfn, end = z->zone_end_pfn, span;
	int m_at = -1, f_at = -1;

	if (w < 3)
		return;
	ct_canvas_text(L->c, row, col, CT_A_DIM, "[");
	ct_canvas_text(L->c, row, col + w - 1, CT_A_DIM, "]");
	col++;
	w -= 2;
	if (!r || end <= start) {
		ct_canvas_fill(L->c, row, col, w, ' ', CT_A_DIM);
		ct_canvas_textn(L->c, row, col + 1, CT_A_DIM, r ? "no span" : "no run yet", w - 1);
		return;
	}
	if (r->zone_start < r->zone_end) {	/* the run's own span is the truth */
		start = r->zone_start;
		end = r->zone_end;
	}
	span = end - start;
#define CELL(pfn) ((pfn) <= start ? 0 : (pfn) >= end ? w - 1 : (int)(((pfn) - start) * (uint64_t)w / span))
	ct_canvas_fill(L->c, row, col, w, '.', CT_A_DIM);
	if (r->migrate_end >= r->migrate_start) {
		int a = CELL(r->migrate_start), b = CELL(r->migrate_end);

		ct_canvas_fill(L->c, row, col + a, b - a, '=', CT_A_MIGRATE);
		m_at = b;
	}
	if (r->free_start >= r->free_end) {
		int a = CELL(r->free_end), b = CELL(r->free_start);

		ct_canvas_fill(L->c, row, col + a + 1, b - a, '-', CT_A_FREE);
		f_at = a;
	}
#undef CELL
	if (m_at >= 0)
		ct_canvas_fill(L->c, row, col + m_at, 1, '>', CT_A_MIGRATE);
	if (f_at >= 0)
		ct_canvas_fill(L->c, row, col + f_at, 1, '<', CT_A_FREE);
	if (r->scanners_met || (m_at >= 0 && m_at == f_at))
		ct_canvas_fill(L->c, row, col + (m_at >= 0 ? m_at : f_at), 1, 'X', CT_A_WARN);
}

/* "succ 97% cntd 2%": the two most frequent end statuses */
static void status_mix(char *buf, size_t len, const struct ct_top_zone_counts *zc)
{
	int first = -1, second = -1;

	buf[0] = '\0';
	if (!zc->runs) {
		snprintf(buf, len, "-");
		return;
	}
	for (int i = 0; i < CT_STATUS_COUNT; i++) {
		if (!zc->by_status[i])
			continue;
		if (first < 0 || zc->by_status[i] > zc->by_status[first]) {
			second = first;
			first = i;
		} else if (second < 0 || zc->by_status[i] > zc->by_status[second]) {
			second = i;
		}
	}
	if (first >= 0 && second >= 0)
		snprintf(buf, len, "%s%4.0f%% %s%4.0f%%", status_abbrev(first),
			 100.0 * (double)zc->by_status[first] / (double)zc->runs,
			 status_abbrev(second), 100.0 * (double)zc->by_status[second] / (double)zc->runs);
	else if (first >= 0)
		snprintf(buf, len, "%s%4.0f%%", status_abbrev(first),
			 100.0 * (double)zc->by_status[first] / (double)zc->runs);
}

static const char *since_label(const struct ct_top_view *v)
{
	return v->reset_ns ? "since reset" : "since start";
}

/* ---- header and footer -------------------------------------------------- */

static int draw_header(struct lay *L, int row)
{
	const struct ct_top_view *v = L->v;
	struct ct_top_screen *s = L->s;
	char left[256], right[96], a[NUM], b[NUM], e[NUM], d[NUM];
	const char *tag = s->paused ? (s->live ? "PAUSED (still counting)" : "PAUSED") :
			  s->ended ? "END OF INPUT" : NULL;
	const char *src = s->source, *slash;
	char prefix[64];
	int col, room, rlen;

	right[0] = '\0';
	rlen = tag ? (int)strlen(tag) + 2 : 0;
	if (s->live)
		snprintf(prefix, sizeof(prefix), "compactrace top | live: ");
	else if (s->speed > 0)
		snprintf(prefix, sizeof(prefix), "compactrace top | replay x%g: ", s->speed);
	else
		snprintf(prefix, sizeof(prefix), "compactrace top | replay: ");
	/* the source gives way first: its directory, then the start of its name */
	room = L->cols - rlen - 4 - (int)strlen(prefix);
	slash = strrchr(src, '/');
	if ((int)strlen(src) > room && slash && !s->live)
		src = slash + 1;
	if ((int)strlen(src) > room && room > 3) {
		src += strlen(src) - (size_t)(room - 3);
		snprintf(right, sizeof(right), "...");
	}
	snprintf(left, sizeof(left), "%s%s%s", prefix, right, src);
	ct_canvas_fill(L->c, row, 0, L->cols, ' ', CT_A_TITLE);
	ct_canvas_textn(L->c, row, 1, CT_A_TITLE, left, L->cols - rlen - 3);
	if (tag)
		ct_canvas_printf(L->c, row, L->cols - 1 - rlen, CT_A_ALERT, " %s ", tag);

	row++;
	col = ct_canvas_printf(L->c, row, 0, CT_A_NORMAL, "%s %s", s->live ? "elapsed" : "trace time",
			       fmt_span(a, sizeof(a), v->now_ns > v->start_ns ? v->now_ns - v->start_ns : 0));
	col = ct_canvas_printf(L->c, row, col + 2, CT_A_NORMAL, "events %s (%s/s)",
			       fmt_count(b, sizeof(b), v->total.events, 14),
			       fmt_rate(e, sizeof(e), rate(v->delta.events, v)));
	col = ct_canvas_printf(L->c, row, col + 2, v->total.lost_events ? CT_A_BAD : CT_A_NORMAL,
			       "lost %s", fmt_count(a, sizeof(a), v->total.lost_events, 12));
	col = ct_canvas_printf(L->c, row, col + 2, v->total.parse_errors ? CT_A_WARN : CT_A_NORMAL,
			       "unparsable %s", fmt_count(d, sizeof(d), v->total.parse_errors, 12));
	{
		/* the rest of the data-quality counters: all when there is room, else the non-zero ones */
		const struct { const char *k; uint64_t n; } q[] = {
			{ "begin w/o end", v->total.unmatched_begin }, { "end w/o begin", v->total.unmatched_end },
			{ "out-of-order", v->total.out_of_order }, { "other events", v->total.unknown_events },
		};

		for (size_t i = 0; i < sizeof(q) / sizeof(q[0]); i++) {
			char txt[64];

			if (!q[i].n && L->cols < 140)
				continue;
			snprintf(txt, sizeof(txt), "%s %s", q[i].k, fmt_count(a, sizeof(a), q[i].n, 12));
			if (col + 2 + (int)strlen(txt) + 12 > L->cols)
				break;
			col = ct_canvas_text(L->c, row, col + 2, q[i].n ? CT_A_WARN : CT_A_NORMAL, txt);
		}
	}
	if (v->reset_ns && col + 20 < L->cols)
		col = ct_canvas_printf(L->c, row, col + 2, CT_A_WARN, "reset %s ago",
				       fmt_span(a, sizeof(a), v->now_ns - v->reset_ns));
	snprintf(right, sizeof(right), "every %.1fs", (double)s->interval_ms / 1000.0);
	if (col + 2 + (int)strlen(right) < L->cols)
		rtext(L, row, L->cols - 1 - (int)strlen(right), (int)strlen(right), CT_A_DIM, right);
	return 2;
}

static void draw_footer(struct lay *L, int row)
{
	static const char *const keys[][2] = {
		{ "q", "quit" }, { "p", "pause" }, { "h", "help" }, { "1-3", "view" },
		{ "z", "zone" }, { "s", "sort" }, { "r", "reset" }, { "arrows", "scroll" },
	};
	int col = 0;

	if (L->s->message) {
		ct_canvas_textn(L->c, row, 0, L->s->message_is_error ? CT_A_ALERT : CT_A_WARN,
				L->s->message, L->cols);
		return;
	}
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		int need = (int)(strlen(keys[i][0]) + strlen(keys[i][1])) + 2;

		if (col + need > L->cols)
			break;
		col = ct_canvas_text(L->c, row, col, CT_A_KEY, keys[i][0]);
		col = ct_canvas_text(L->c, row, col + 1, CT_A_NORMAL, keys[i][1]) + 1;
	}
	if (col + 14 < L->cols) {
		const char *pages[CT_PAGE_COUNT] = { "overview", "stalls", "zones" };

		ct_canvas_printf(L->c, row, L->cols - 1 - (int)strlen(pages[L->s->page]) - 7,
				 CT_A_DIM, "view: %s", pages[L->s->page]);
	}
}

/* ---- zones -------------------------------------------------------------- */

/* the zone table's number columns, left to right */
enum { ZC_RUNS, ZC_RATE, ZC_MIG, ZC_FREE, ZC_ISO, ZC_MIGRATED, ZC_DEFER, ZC_N };

struct zone_cols {
	int col[ZC_N], w[ZC_N];	/* start and width (a blank, then the widest entry); w 0: hidden */
	int mix, gauge, gauge_w;
	int num_max;		/* the widest exact count; wider ones get 3 significant digits */
	const char *head[ZC_N];
};

#define ZONE_MIX_W 20		/* " succ  97% cntd   2%" */
#define ZONE_GAUGE_MIN 16

/* a zone's value of column @k as its cell shows it */
static const char *zone_cell(char *buf, size_t len, const struct lay *L, const struct ct_top_zone *z,
			     int k, int width)
{
	const struct ct_top_zone_counts *t = &z->total;
	const uint64_t v[ZC_N] = { t->runs, 0, t->migrate_scanned, t->free_scanned, t->isolated,
				   t->migrated, t->deferred };

	if (k == ZC_RATE)
		return fmt_rate_w(buf, len, rate(z->delta.runs, L->v), width);
	return fmt_count(buf, len, v[k], width);
}

/*
 * Widths from the data: each number column is as wide as its header or its
 * widest entry, plus one blank, so numbers never touch; the gauge takes
 * what is left. Which columns show depends on the terminal's width.
 */
static void zone_columns(struct lay *L, struct zone_cols *zc, int num_max)
{
	static const char *const narrow[ZC_N] = { "runs", "runs/s", "mig-scan", "free-scan",
						   "isolated", "migrated", "deferred" };
	static const char *const wide[ZC_N] = { "runs", "runs/s", "mig-scanned", "free-scanned",
						 "isolated", "migrated", "deferred" };
	int show[ZC_N] = { 1, L->cols >= 110, 1, 1, L->cols >= 140, L->cols >= 140, L->cols >= 120 };
	char a[NUM];
	int col = 10;

	memset(zc, 0, sizeof(*zc));
	zc->num_max = num_max;
	for (int k = 0; k < ZC_N; k++) {
		int w = 0;

		if (!show[k])
			continue;
		zc->head[k] = L->cols >= 110 ? wide[k] : narrow[k];
		w = (int)strlen(zc->head[k]);
		for (uint32_t i = 0; i < L->v->nzones; i++) {
			int n = (int)strlen(zone_cell(a, sizeof(a), L, &L->v->zones[i], k, zc->num_max));

			if (n > w)
				w = n;
		}
		zc->w[k] = w + 1;
		if (k == ZC_RATE || k == ZC_RUNS) {
			zc->col[k] = col;
			col += zc->w[k];
			if (k == ZC_RATE || !show[ZC_RATE]) {
				zc->mix = col + 1;
				col += ZONE_MIX_W;
			}
			continue;
		}
		zc->col[k] = col;
		col += zc->w[k];
	}
	zc->gauge = col + 1;
	zc->gauge_w = L->cols - zc->gauge;
}

static void zone_row(struct lay *L, int row, const struct zone_cols *zc,
		     const struct ct_top_zone *z, int selected)
{
	char a[NUM], mix[64];

	ct_canvas_printf(L->c, row, 0, CT_A_NORMAL, "%2d %-7.7s", z->nid, z->zone);
	for (int k = 0; k < ZC_N; k++) {
		int attr = k == ZC_DEFER && z->total.deferred ? CT_A_WARN : CT_A_NORMAL;

		if (zc->w[k])
			rtext(L, row, zc->col[k], zc->w[k], attr, zone_cell(a, sizeof(a), L, z, k, zc->num_max));
	}
	status_mix(mix, sizeof(mix), &z->total);
	ct_canvas_textn(L->c, row, zc->mix, CT_A_NORMAL, mix, ZONE_MIX_W - 1);
	gauge(L, row, zc->gauge, zc->gauge_w, z);
	if (selected)
		ct_canvas_attr_span(L->c, row, 0, 10, CT_A_SEL);
}

static int draw_zones(struct lay *L, int row, int max_rows)
{
	const struct ct_top_view *v = L->v;
	struct zone_cols zc;
	char title[128];
	int used = 0, shown = 0, first = 0;

	/* 80 columns: exact up to 9,999,999; numbers that leave the gauge too narrow get 3 digits */
	zone_columns(L, &zc, L->cols >= 110 ? 13 : 9);
	if (zc.gauge_w < ZONE_GAUGE_MIN)
		zone_columns(L, &zc, 5);
	snprintf(title, sizeof(title), "ZONES  %s", since_label(v));
	title_bar(L, row, title, L->cols >= 120 ? "gauge: the zone's pfn span; last run's migrate scanner =>, <- free scanner" :
		  "gauge: migrate =>  <- free");
	used++;
	ct_canvas_text(L->c, row + used, 0, CT_A_HEAD, "nd zone");
	for (int k = 0; k < ZC_N; k++)
		if (zc.w[k])
			rtext(L, row + used, zc.col[k], zc.w[k], CT_A_HEAD, zc.head[k]);
	ct_canvas_text(L->c, row + used, zc.mix, CT_A_HEAD, "status mix");
	ct_canvas_textn(L->c, row + used, zc.gauge, CT_A_HEAD, zc.gauge_w >= 26 ? "scanners of the last run" : "last run's scanners", zc.gauge_w);
	used++;
	if (!v->nzones) {
		ct_canvas_text(L->c, row + used, 1, CT_A_DIM, "no compaction run or zone event yet");
		return used + 1;
	}
	/* keep the selected zone visible when not every zone fits */
	if (max_rows - used < (int)v->nzones && L->s->zone_sel >= max_rows - used - 1)
		first = L->s->zone_sel - (max_rows - used - 2);
	for (uint32_t i = (uint32_t)first; i < v->nzones && used < max_rows; i++) {
		int last_slot = used == max_rows - 1;
		uint32_t rest = v->nzones - i + v->zones_hidden;

		if (last_slot && rest > 1) {
			ct_canvas_printf(L->c, row + used, 1, CT_A_DIM, "... %u more zones (3: zone view)", rest);
			used++;
			break;
		}
		zone_row(L, row + used, &zc, &v->zones[i], (int)i == L->s->zone_sel);
		used++;
		shown++;
	}
	if (v->zones_hidden && used < max_rows && shown == (int)v->nzones)
		ct_canvas_printf(L->c, row + used++, 1, CT_A_DIM, "... %u more zones not tracked", v->zones_hidden);
	return used;
}

static int zones_need(const struct ct_top_view *v)
{
	return 2 + (v->nzones ? (int)v->nzones : 1) + (v->zones_hidden ? 1 : 0);
}

/* ---- activity ----------------------------------------------------------- */

struct col {
	const char *name;
	uint64_t rate_n, total;
	int width;
	int attr;
};

/* a header row, then "/s" and "total" rows of @n columns starting at @col */
static int table3(struct lay *L, int row, int col, const struct col *cols, int n)
{
	char a[NUM];

	for (int i = 0; i < n; i++) {
		int w = cols[i].width;

		if (col + w > L->cols)
			break;
		rtext(L, row, col, w, CT_A_HEAD, cols[i].name);
		rtext(L, row + 1, col, w, cols[i].attr, fmt_rate_w(a, sizeof(a), rate(cols[i].rate_n, L->v), w - 1));
		rtext(L, row + 2, col, w, cols[i].attr, fmt_count(a, sizeof(a), cols[i].total, w - 1));
		col += w;
	}
	return col;
}

static int colw(const char *name, int min)
{
	int w = (int)strlen(name) + 1;

	return w < min ? min : w;
}

static int draw_runs_table(struct lay *L, int row)
{
	const struct ct_top_view *v = L->v;
	struct col cols[12];
	int n = 0, col, wide = L->cols >= 110;
	uint64_t other_r = 0, other_t = 0;
	static const int shown_wide[] = { CT_STATUS_SUCCESS, CT_STATUS_COMPLETE,
					  CT_STATUS_PARTIAL_SKIPPED, CT_STATUS_CONTENDED };
	int nshown = wide ? 4 : 3;
	int shown[4] = { CT_STATUS_SUCCESS, CT_STATUS_COMPLETE, CT_STATUS_CONTENDED, 0 };

	if (wide)
		memcpy(shown, shown_wide, sizeof(shown));
	ct_canvas_text(L->c, row, 0, CT_A_HEAD, "runs");
	ct_canvas_text(L->c, row + 1, 1, CT_A_NORMAL, "per s");
	ct_canvas_text(L->c, row + 2, 1, CT_A_NORMAL, "total");
	for (int t = 0; t < CT_TRIGGER_COUNT; t++) {
		if (t == CT_TRIGGER_UNKNOWN && !v->total.runs_by_trigger[t] && !wide)
			continue;
		cols[n++] = (struct col){ ct_trigger_name((enum ct_trigger)t), v->delta.runs_by_trigger[t],
					  v->total.runs_by_trigger[t], colw(ct_trigger_name((enum ct_trigger)t), 7),
					  t == CT_TRIGGER_DIRECT && v->total.runs_by_trigger[t] ? CT_A_WARN : CT_A_NORMAL };
	}
	col = table3(L, row, 7, cols, n);
	ct_canvas_text(L->c, row, col + 1, CT_A_DIM, "|");
	ct_canvas_text(L->c, row + 1, col + 1, CT_A_DIM, "|");
	ct_canvas_text(L->c, row + 2, col + 1, CT_A_DIM, "|");
	col += 2;
	n = 0;
	for (int st = 0; st < CT_STATUS_COUNT; st++) {
		int is_shown = 0;

		for (int i = 0; i < nshown; i++)
			is_shown |= shown[i] == st;
		if (!is_shown) {
			other_r += v->delta.runs_by_status[st];
			other_t += v->total.runs_by_status[st];
		}
	}
	for (int i = 0; i < nshown; i++) {
		int st = shown[i];

		cols[n++] = (struct col){ ct_status_name((enum ct_status)st), v->delta.runs_by_status[st],
					  v->total.runs_by_status[st], colw(ct_status_name((enum ct_status)st), 7),
					  status_attr(st) };
	}
	cols[n++] = (struct col){ "other", other_r, other_t, 7, other_t ? CT_A_WARN : CT_A_NORMAL };
	table3(L, row, col, cols, n);
	return 3;
}

static int draw_pages_table(struct lay *L, int row)
{
	const struct ct_top_view *v = L->v;
	const struct ct_totals *d = &v->delta.totals, *t = &v->total.totals;
	struct col cols[] = {
		{ "migrate_scanned", d->compact_migrate_scanned, t->compact_migrate_scanned, 16, CT_A_NORMAL },
		{ "free_scanned", d->compact_free_scanned, t->compact_free_scanned, 14, CT_A_NORMAL },
		{ "isolated", d->compact_isolated, t->compact_isolated, 12, CT_A_NORMAL },
		{ "migrated", v->delta.migrated, v->total.migrated, 12, CT_A_NORMAL },
		{ "failed", v->delta.migrate_failed, v->total.migrate_failed, 10,
		  v->total.migrate_failed ? CT_A_WARN : CT_A_NORMAL },
		{ "daemon_wake", d->compact_daemon_wake, t->compact_daemon_wake, 12, CT_A_NORMAL },
	};

	ct_canvas_text(L->c, row, 0, CT_A_HEAD, "pages");
	ct_canvas_text(L->c, row + 1, 1, CT_A_NORMAL, "per s");
	ct_canvas_text(L->c, row + 2, 1, CT_A_NORMAL, "total");
	table3(L, row, 7, cols, (int)(sizeof(cols) / sizeof(cols[0])));
	return 3;
}

static void lat_row(struct lay *L, int row, int col, const char *label, const struct ct_top_lat *lat)
{
	char a[NUM], b[NUM], c[NUM], d[NUM];

	ct_canvas_printf(L->c, row, col, CT_A_NORMAL, "%-11s", label);
	rtext(L, row, col + 11, 7, CT_A_NORMAL, fmt_count(a, sizeof(a), lat->count, 6));
	rtext(L, row, col + 18, 9, CT_A_NORMAL, ct_top_fmt_ns(b, sizeof(b), lat->p50_ns, lat->count > 0));
	rtext(L, row, col + 27, 9, lat->p99_ns >= 10000000 ? CT_A_WARN : CT_A_NORMAL,
	      ct_top_fmt_ns(c, sizeof(c), lat->p99_ns, lat->count > 0));
	rtext(L, row, col + 36, 9, lat->max_ns >= 100000000 ? CT_A_BAD : CT_A_NORMAL,
	      ct_top_fmt_ns(d, sizeof(d), lat->max_ns, lat->count > 0));
	if (lat->count && !lat->exact)
		ct_canvas_text(L->c, row, col + 45, CT_A_DIM, "~");
}

static int draw_stall_block(struct lay *L, int row)
{
	const struct ct_top_view *v = L->v;
	char a[NUM], b[NUM], lbl[32];
	int lat = 32, spark_col, spark_w;

	ct_canvas_text(L->c, row, 0, CT_A_HEAD, "direct stalls");
	rtext(L, row, 14, 8, CT_A_HEAD, "per s");
	rtext(L, row, 22, 8, CT_A_HEAD, "total");
	ct_canvas_text(L->c, row + 1, 1, CT_A_NORMAL, "started");
	rtext(L, row + 1, 14, 8, v->delta.totals.compact_stall ? CT_A_WARN : CT_A_NORMAL,
	      fmt_rate_w(a, sizeof(a), rate(v->delta.totals.compact_stall, v), 7));
	rtext(L, row + 1, 22, 8, CT_A_NORMAL, fmt_count(b, sizeof(b), v->total.totals.compact_stall, 7));

	ct_canvas_text(L->c, row, lat, CT_A_HEAD, "latency");
	rtext(L, row, lat + 11, 7, CT_A_HEAD, "n");
	rtext(L, row, lat + 18, 9, CT_A_HEAD, "p50");
	rtext(L, row, lat + 27, 9, CT_A_HEAD, "p99");
	rtext(L, row, lat + 36, 9, CT_A_HEAD, "max");
	snprintf(lbl, sizeof(lbl), "last %.1fs", (double)v->span_ns / 1e9);
	lat_row(L, row + 1, lat, lbl, &v->stall_lat_interval);
	lat_row(L, row + 2, lat, since_label(v), &v->stall_lat_total);

	/* stalls started per interval, newest on the right */
	if (L->cols - (lat + 48) >= 20) {
		spark_col = lat + 48;
		spark_w = L->cols - spark_col - 9;
		ct_canvas_textn(L->c, row, spark_col, CT_A_HEAD, "per interval, newest right", spark_w + 8);
		ct_canvas_text(L->c, row + 1, spark_col, CT_A_NORMAL, "started");
		sparkline(L, row + 1, spark_col + 8, spark_w, 0);
		ct_canvas_text(L->c, row + 2, spark_col, CT_A_NORMAL, "p99");
		sparkline(L, row + 2, spark_col + 8, spark_w, 3);
	} else {
		ct_canvas_text(L->c, row + 2, 1, CT_A_DIM, "history");
		sparkline(L, row + 2, 9, lat - 10, 0);
	}
	return 3;
}

static int draw_activity(struct lay *L, int row, int with_pages)
{
	const struct ct_top_view *v = L->v;
	char title[128], a[NUM], b[NUM];
	int used = 1;

	snprintf(title, sizeof(title), "ACTIVITY  runs %s, %s/s over the last %.1fs",
		 fmt_count(a, sizeof(a), v->total.runs, 14), fmt_rate(b, sizeof(b), rate(v->delta.runs, v)),
		 (double)v->span_ns / 1e9);
	title_bar(L, row, title, v->reset_ns ? "totals since reset (r)" : "totals since start");
	used += draw_runs_table(L, row + used);
	if (with_pages)
		used += draw_pages_table(L, row + used);
	used += draw_stall_block(L, row + used);
	return used;
}

/* ---- kcompactd and extfrag ---------------------------------------------- */

static void mt_name(char *buf, size_t len, int32_t mt)
{
	const char *n = ct_top_migratetype_name(mt);

	if (n)
		snprintf(buf, len, "%s", n);
	else
		snprintf(buf, len, "type %d", mt);
}

/* one "alloc <- fallback  count rate/s" line per pair, as wide as the data needs */
struct pair_cols {
	int an, fn, count, rate;	/* widths */
	int count_max;			/* exact counts up to this many characters */
};

static const char *pair_rate(char *buf, size_t len, const struct lay *L, const struct ct_top_pair *p)
{
	char r[NUM];

	fmt_rate_w(r, sizeof(r), rate(p->delta, L->v), 5);
	snprintf(buf, len, "%s/s", r);
	return buf;
}

static void pair_columns(const struct lay *L, struct pair_cols *pc, int count_max)
{
	const struct ct_top_view *v = L->v;
	char a[NUM + 8];

	memset(pc, 0, sizeof(*pc));
	pc->count_max = count_max;
	for (uint32_t i = 0; i < v->npairs; i++) {
		const struct ct_top_pair *p = &v->pairs[i];
		int n;

		mt_name(a, sizeof(a), p->alloc);
		n = (int)strlen(a);
		pc->an = n > pc->an ? n : pc->an;
		mt_name(a, sizeof(a), p->fallback);
		n = (int)strlen(a);
		pc->fn = n > pc->fn ? n : pc->fn;
		n = (int)strlen(fmt_count(a, sizeof(a), p->count, count_max));
		pc->count = n > pc->count ? n : pc->count;
		n = (int)strlen(pair_rate(a, sizeof(a), L, p));
		pc->rate = n > pc->rate ? n : pc->rate;
	}
}

/* the fragmenting rate, then the busiest migratetype pairs, in @width columns from @col */
static void draw_extfrag(struct lay *L, int row, int col, int width, int rows)
{
	const struct ct_top_view *v = L->v;
	struct pair_cols pc;
	char a[NUM], b[NUM], c[NUM], t[128];
	int r = 1, need;

	fmt_rate(a, sizeof(a), rate(v->delta.fragmenting, v));
	fmt_count(b, sizeof(b), v->total.fragmenting, 9);
	fmt_count(c, sizeof(c), v->total.extfrag, 9);
	snprintf(t, sizeof(t), "fragmenting %s/s   %s of %s fallbacks", a, b, c);
	if ((int)strlen(t) > width)
		snprintf(t, sizeof(t), "fragmenting %s/s  %s of %s", a, b, c);
	ct_canvas_textn(L->c, row, col, v->delta.fragmenting ? CT_A_WARN : CT_A_NORMAL, t, width);
	if (!v->npairs) {
		ct_canvas_textn(L->c, row + r, col, CT_A_DIM, "no fallback yet", width - 1);
		return;
	}
	/* names, " <- ", a blank before the count and before the rate */
	pair_columns(L, &pc, 9);
	need = pc.an + 4 + pc.fn + 1 + pc.count + 1 + pc.rate;
	if (need > width) {
		pair_columns(L, &pc, 5);
		need = pc.an + 4 + pc.fn + 1 + pc.count + 1 + pc.rate;
	}
	while (need > width && (pc.an > 3 || pc.fn > 3)) {	/* then shorter names */
		if (pc.an >= pc.fn)
			pc.an--;
		else
			pc.fn--;
		need--;
	}
	for (uint32_t i = 0; i < v->npairs && r < rows; i++, r++) {
		const struct ct_top_pair *p = &v->pairs[i];
		char an[NUM], fn[NUM], line[128];
		int x = col;

		mt_name(an, sizeof(an), p->alloc);
		mt_name(fn, sizeof(fn), p->fallback);
		snprintf(line, sizeof(line), "%*.*s <- %-*.*s", pc.an, pc.an, an, pc.fn, pc.fn, fn);
		ct_canvas_textn(L->c, row + r, x, CT_A_NORMAL, line, width);
		x += pc.an + 4 + pc.fn;
		rtext(L, row + r, x, pc.count + 1, CT_A_NORMAL, fmt_count(a, sizeof(a), p->count, pc.count_max));
		x += pc.count + 1;
		rtext(L, row + r, x, pc.rate + 1, CT_A_NORMAL, pair_rate(b, sizeof(b), L, p));
	}
}

static int draw_kc_extfrag(struct lay *L, int row, int rows)
{
	const struct ct_top_view *v = L->v;
	int half = L->cols / 2, r;
	char a[NUM], b[NUM], c[NUM + 8], d[NUM], t[128];

	ct_canvas_fill(L->c, row, 0, L->cols, ' ', CT_A_TITLE);
	ct_canvas_text(L->c, row, 1, CT_A_TITLE, "KCOMPACTD per node");
	snprintf(t, sizeof(t), "EXTFRAG fallbacks (pageblock order %d)", v->pageblock_order);
	ct_canvas_text(L->c, row, half + 1, CT_A_TITLE, t);

	/* left: one row per node */
	ct_canvas_text(L->c, row + 1, 0, CT_A_HEAD, "node state");
	rtext(L, row + 1, 12, 7, CT_A_HEAD, "duty");
	rtext(L, row + 1, 19, 7, CT_A_HEAD, "now");
	rtext(L, row + 1, 26, 7, CT_A_HEAD, "wakes");
	rtext(L, row + 1, 33, 6, CT_A_HEAD, "/s");
	if (half >= 48)
		rtext(L, row + 1, 39, 7, CT_A_HEAD, "runs");
	r = 2;
	if (!v->nnodes)
		ct_canvas_textn(L->c, row + r++, 1, CT_A_DIM, "no kcompactd event yet", half - 2);
	for (uint32_t i = 0; i < v->nnodes && r < rows; i++, r++) {
		const struct ct_top_node *n = &v->nodes[i];

		if (r == rows - 1 && i + 1 < v->nnodes) {
			ct_canvas_printf(L->c, row + r, 1, CT_A_DIM, "... %u more nodes", v->nnodes - i);
			break;
		}
		ct_canvas_printf(L->c, row + r, 0, CT_A_NORMAL, "%4d", n->nid);
		ct_canvas_text(L->c, row + r, 5, n->awake ? CT_A_WARN : CT_A_DIM, n->awake ? "awake" : "asleep");
		rtext(L, row + r, 12, 7, CT_A_NORMAL, fmt_pct(a, sizeof(a), n->duty_total));
		rtext(L, row + r, 19, 7, CT_A_NORMAL, fmt_pct(b, sizeof(b), n->duty_interval));
		rtext(L, row + r, 26, 7, CT_A_NORMAL, fmt_count(c, sizeof(c), n->wakes, 6));
		rtext(L, row + r, 33, 6, CT_A_NORMAL, fmt_rate_w(d, sizeof(d), rate(n->wakes_delta, v), 5));
		if (half >= 48)
			rtext(L, row + r, 39, 7, CT_A_NORMAL, fmt_count(a, sizeof(a), n->runs, 6));
	}

	draw_extfrag(L, row + 1, half + 1, L->cols - half - 1, rows - 1);
	return rows;
}

static int kc_need(const struct ct_top_view *v)
{
	int left = 2 + (v->nnodes ? (int)v->nnodes : 1);
	int right = 2 + (v->npairs ? (int)v->npairs : 1);

	return left > right ? left : right;
}

/* ---- stall list --------------------------------------------------------- */

struct stall_cols {
	int time, lat, order, task, pid, prio, result, zones, gfp;	/* -1: hidden */
};

static void stall_columns(struct lay *L, struct stall_cols *sc)
{
	int col = 0;

	sc->time = L->cols >= 100 ? col : -1;
	col += sc->time >= 0 ? 14 : 0;
	sc->lat = col;
	col += 9;
	sc->order = col;
	col += 6;
	sc->task = col;
	col += 17;
	sc->pid = col;
	col += 8;
	sc->prio = L->cols >= 140 ? col : -1;
	col += sc->prio >= 0 ? 5 : 0;
	sc->result = col;
	col += L->cols < 100 ? 7 : 17;	/* narrow: four-letter statuses, as in the help */
	sc->zones = col;
	sc->gfp = L->cols < 160 ? -1 : sc->zones + 52 < L->cols - 48 ? sc->zones + 52 : L->cols - 48;
}

/* @s in @room cells; a cut is shown as "..." rather than half a word */
static void cut_text(struct lay *L, int row, int col, int room, int attr, const char *s)
{
	if ((int)strlen(s) <= room || room <= 3) {
		ct_canvas_textn(L->c, row, col, attr, s, room);
		return;
	}
	ct_canvas_textn(L->c, row, col, attr, s, room - 3);
	ct_canvas_text(L->c, row, col + room - 3, CT_A_DIM, "...");
}

/* every zone seen is on node 0: node numbers would only take room */
static int single_node(const struct ct_top_view *v)
{
	for (uint32_t i = 0; i < v->nzones; i++)
		if (v->zones[i].nid > 0)
			return 0;
	return v->nnodes <= 1;
}

static void stall_header(struct lay *L, int row, const struct stall_cols *sc)
{
	if (sc->time >= 0)
		ct_canvas_text(L->c, row, sc->time, CT_A_HEAD, "time (s)");
	rtext(L, row, sc->lat, 8, CT_A_HEAD, "latency");
	rtext(L, row, sc->order, 5, CT_A_HEAD, "order");
	ct_canvas_text(L->c, row, sc->task, CT_A_HEAD, "task");
	rtext(L, row, sc->pid, 7, CT_A_HEAD, "pid");
	if (sc->prio >= 0)
		rtext(L, row, sc->prio, 4, CT_A_HEAD, "prio");
	ct_canvas_text(L->c, row, sc->result, CT_A_HEAD, "result");
	ct_canvas_textn(L->c, row, sc->zones, CT_A_HEAD,
			single_node(L->v) ? "zones tried: zone:status" : "zones tried: node/zone:status",
			(sc->gfp >= 0 ? sc->gfp : L->cols) - sc->zones - 1);
	if (sc->gfp >= 0)
		ct_canvas_text(L->c, row, sc->gfp, CT_A_HEAD, "gfp");
}

static void stall_row(struct lay *L, int row, const struct stall_cols *sc, const struct ct_stall *st)
{
	char a[NUM], zones[256];
	size_t used = 0;
	int zone_end = (sc->gfp >= 0 ? sc->gfp : L->cols) - 1;

	if (sc->time >= 0)
		ct_canvas_printf(L->c, row, sc->time, CT_A_DIM, "%" PRIu64 ".%06" PRIu64,
				 (uint64_t)(st->ts_ns / 1000000000ULL), (uint64_t)(st->ts_ns / 1000 % 1000000));
	rtext(L, row, sc->lat, 8, st->latency_ns >= 10000000 ? CT_A_BAD :
	      st->latency_ns >= 1000000 ? CT_A_WARN : CT_A_NORMAL,
	      ct_top_fmt_ns(a, sizeof(a), st->latency_ns, 1));
	ct_canvas_printf(L->c, row, sc->order, CT_A_NORMAL, "%5d", st->order);
	ct_canvas_textn(L->c, row, sc->task, CT_A_NORMAL, st->comm, 16);
	ct_canvas_printf(L->c, row, sc->pid, CT_A_NORMAL, "%7d", st->pid);
	if (sc->prio >= 0)
		ct_canvas_printf(L->c, row, sc->prio, CT_A_NORMAL, "%4d", st->priority);
	ct_canvas_textn(L->c, row, sc->result, status_attr(st->result),
			L->cols < 100 ? status_abbrev(st->result) : ct_status_name((enum ct_status)st->result), 16);
	/* full status names when they fit, else the help's four-letter ones */
	for (int pass = 0; pass < 2; pass++) {
		used = 0;
		zones[0] = '\0';
		for (uint32_t i = 0; i < st->nzones && used < sizeof(zones); i++) {
			int st_i = st->zones[i].status;
			char node[16] = "";
			int w;

			if (!single_node(L->v))
				snprintf(node, sizeof(node), "%d/", st->zones[i].nid);
			w = snprintf(zones + used, sizeof(zones) - used, "%s%s%s:%s", i ? " " : "", node,
				     st->zones[i].zone,
				     pass ? status_abbrev(st_i) : ct_status_name((enum ct_status)st_i));
			used = w < 0 ? sizeof(zones) : used + (size_t)w;
		}
		if (st->zones_truncated && used + 5 < sizeof(zones))
			snprintf(zones + used, sizeof(zones) - used, " ...");
		if ((int)strlen(zones) <= zone_end - sc->zones)
			break;
	}
	if (!st->nzones)
		snprintf(zones, sizeof(zones), "(no zone events)");
	cut_text(L, row, sc->zones, zone_end - sc->zones, CT_A_NORMAL, zones);
	if (sc->gfp >= 0)
		cut_text(L, row, sc->gfp, L->cols - sc->gfp, CT_A_DIM, st->gfp);
}

enum stall_src { STALLS_SLOWEST, STALLS_RECENT };

/* a stall list: the slowest recent ones, or the recent ring; @scroll: first entry shown */
static int draw_stall_list(struct lay *L, int row, int rows, enum stall_src src, int scroll)
{
	const struct ct_top_view *v = L->v;
	const struct ct_stall *list[CT_TOP_RECENT];
	struct stall_cols sc;
	char left[96], right[96], a[NUM];
	size_t n = 0;
	int used = 2, nrows;

	if (src == STALLS_SLOWEST) {
		for (uint32_t i = 0; i < v->nslow; i++)
			list[n++] = &v->slow[i];
		snprintf(left, sizeof(left), "SLOWEST RECENT STALLS  (last %s)",
			 fmt_span(a, sizeof(a), v->now_ns > v->slow_since_ns ? v->now_ns - v->slow_since_ns : 0));
		snprintf(right, sizeof(right), "by %s (s)", ct_top_sort_name(L->s->sort));
	} else {
		n = ct_top_recent_stalls(v, list, CT_TOP_RECENT);
		snprintf(left, sizeof(left), "RECENT STALLS  (the last %zu)", n);
		snprintf(right, sizeof(right), "sorted by %s (s)", ct_top_sort_name(L->s->sort));
	}
	ct_top_sort_stalls(list, n, L->s->sort);
	nrows = rows - used;
	L->s->list_rows = nrows;
	L->s->scroll_max = (int)n > nrows ? (int)n - nrows : 0;
	if (scroll > L->s->scroll_max)
		scroll = L->s->scroll_max;
	if (scroll < 0)
		scroll = 0;
	if ((int)n > nrows && nrows > 0) {	/* say how much is below: arrows scroll */
		size_t len = strlen(right);

		snprintf(right + len, sizeof(right) - len, "  %d-%d of %zu", scroll + 1,
			 scroll + nrows < (int)n ? scroll + nrows : (int)n, n);
	}
	title_bar(L, row, left, right);
	stall_columns(L, &sc);
	stall_header(L, row + 1, &sc);
	if (!n) {
		ct_canvas_textn(L->c, row + used, 1, CT_A_DIM,
				"no direct stall completed yet (listed when its task stalls again or the input ends)",
				L->cols - 2);
		return used + 1;
	}
	for (int i = 0; i < nrows && (size_t)(scroll + i) < n; i++)
		stall_row(L, row + used + i, &sc, list[scroll + i]);
	return rows;
}

/* ---- pages -------------------------------------------------------------- */

static int draw_histogram(struct lay *L, int row, int rows);

static void overview(struct lay *L, int rows)
{
	const struct ct_top_view *v = L->v;
	int avail, z_need = zones_need(v), z_rows, st_rows, kc_rows, pages = 0, row;
	int batch = L->s->batch;

	if (batch) {
		row = draw_header(L, 0);
		row += draw_zones(L, row, z_need);
		row += draw_activity(L, row, 1);
		row += draw_kc_extfrag(L, row, kc_need(v));
		draw_stall_list(L, row, 2 + (v->nslow ? (int)v->nslow : 1), STALLS_SLOWEST, 0);
		return;
	}
	avail = rows - 3;	/* header and footer */
	/* minimums: zones 2+<=3, activity 7, kcompactd/extfrag 3, stalls 3 */
	z_rows = z_need < 5 ? z_need : 5;
	kc_rows = 3;
	st_rows = avail - z_rows - 7 - kc_rows;
	if (st_rows < 3) {
		z_rows -= 3 - st_rows;
		st_rows = 3;
	}
	/* spare rows: all zones, then the pages table, then node/pair rows, then stalls */
	if (st_rows > 4 && z_need > z_rows) {
		int give = z_need - z_rows < st_rows - 4 ? z_need - z_rows : st_rows - 4;

		z_rows += give;
		st_rows -= give;
	}
	if (st_rows >= 8) {
		pages = 1;
		st_rows -= 3;
	}
	if (st_rows > 6 && kc_need(v) > kc_rows) {
		int give = kc_need(v) - kc_rows < st_rows - 6 ? kc_need(v) - kc_rows : st_rows - 6;

		kc_rows += give;
		st_rows -= give;
	}
	row = draw_header(L, 0);
	row += draw_zones(L, row, z_rows);
	row += draw_activity(L, row, pages);
	row += draw_kc_extfrag(L, row, kc_rows);
	/* a tall terminal: the slowest list takes what it needs, then a histogram and the latest stalls */
	st_rows = rows - 1 - row;
	if (st_rows >= 2 + CT_TOP_SLOW + 8 + 5) {
		int slow_rows = 2 + (v->nslow > 2 ? (int)v->nslow : 2), hist;

		row += draw_stall_list(L, row, slow_rows, STALLS_SLOWEST, 0);
		hist = (rows - 1 - row) / 3;
		if (hist > 12)
			hist = 12;
		title_bar(L, row++, "STALL LATENCY HISTOGRAM", since_label(v));
		row += draw_histogram(L, row, hist - 1);
		draw_stall_list(L, row, rows - 1 - row, STALLS_RECENT, L->s->scroll);
		return;
	}
	draw_stall_list(L, row, st_rows, STALLS_SLOWEST, L->s->scroll);
}

static int draw_histogram(struct lay *L, int row, int rows)
{
	const struct ct_top_view *v = L->v;
	int lo = -1, hi = -1, used = 0, barw = L->cols - 29;
	uint64_t max = 0;
	char a[NUM], b[NUM];

	for (int i = 0; i < CT_LATENCY_LOG2_US; i++) {
		if (!v->stall_log2_us[i])
			continue;
		if (lo < 0)
			lo = i;
		hi = i;
		if (v->stall_log2_us[i] > max)
			max = v->stall_log2_us[i];
	}
	if (lo < 0) {
		ct_canvas_text(L->c, row, 1, CT_A_DIM, "no stall latency yet");
		return 1;
	}
	/* fold the extremes when the range is taller than the space */
	while (hi - lo + 1 > rows && hi > lo) {
		if (v->stall_log2_us[lo] <= v->stall_log2_us[hi])
			lo++;
		else
			hi--;
	}
	for (int i = lo; i <= hi && used < rows; i++, used++) {
		uint64_t n = v->stall_log2_us[i];
		int w = max ? (int)((n * (uint64_t)barw + max - 1) / max) : 0;

		grouped(a, sizeof(a), 1ULL << i);
		ct_canvas_printf(L->c, row + used, 1, CT_A_NORMAL, "<=%9sus", a);
		rtext(L, row + used, 15, 10, CT_A_NORMAL, fmt_count(b, sizeof(b), n, 10));
		ct_canvas_fill(L->c, row + used, 27, w, '#', CT_A_MIGRATE);
	}
	return used;
}

static void page_stalls(struct lay *L, int rows)
{
	const struct ct_top_view *v = L->v;
	char title[160], a[NUM], b[NUM], c[NUM], d[NUM];
	int row, hist_rows;

	row = draw_header(L, 0);
	snprintf(title, sizeof(title), "STALL LATENCY %s  n %s  p50 %s  p99 %s  max %s%s", since_label(v),
		 fmt_count(a, sizeof(a), v->stall_lat_total.count, 12),
		 ct_top_fmt_ns(b, sizeof(b), v->stall_lat_total.p50_ns, v->stall_lat_total.count > 0),
		 ct_top_fmt_ns(c, sizeof(c), v->stall_lat_total.p99_ns, v->stall_lat_total.count > 0),
		 ct_top_fmt_ns(d, sizeof(d), v->stall_lat_total.max_ns, v->stall_lat_total.count > 0),
		 v->stall_lat_total.exact ? "" : " (~)");
	title_bar(L, row++, title, "histogram: log2 buckets");
	hist_rows = L->s->batch ? CT_LATENCY_LOG2_US : (rows - 1 - row - 6) / 2;
	if (hist_rows > 8 && !L->s->batch)
		hist_rows = 8;
	if (hist_rows < 2)
		hist_rows = 2;
	row += draw_histogram(L, row, hist_rows);
	if (L->s->batch) {
		draw_stall_list(L, row, 2 + (v->nrecent ? (int)v->nrecent : 1), STALLS_RECENT, 0);
		return;
	}
	draw_stall_list(L, row, rows - 1 - row, STALLS_RECENT, L->s->scroll);
}

/* "key      value" in @w columns; the value keeps a blank after the key */
static void kv(struct lay *L, int row, int col, int w, const char *k, const char *val, int attr)
{
	int kl = (int)strlen(k) + 1;

	ct_canvas_textn(L->c, row, col, CT_A_NORMAL, k, w);
	if (kl < w)
		rtext(L, row, col + kl, w - kl, attr, val);
}

static void page_zone(struct lay *L, int rows)
{
	const struct ct_top_view *v = L->v;
	const struct ct_top_zone *z;
	const struct ct_run *lr;
	char title[192], a[NUM], b[NUM], c[NUM];
	int row = draw_header(L, 0), half = L->cols / 2, r, list_rows;

	if (!v->nzones) {
		title_bar(L, row++, "ZONE", NULL);
		ct_canvas_text(L->c, row, 1, CT_A_DIM, "no zone seen yet");
		return;
	}
	if (L->s->zone_sel < 0 || L->s->zone_sel >= (int)v->nzones) {
		/* until z picks one, the busiest zone */
		L->s->zone_sel = 0;
		for (uint32_t i = 1; i < v->nzones; i++)
			if (v->zones[i].total.runs > v->zones[L->s->zone_sel].total.runs)
				L->s->zone_sel = (int)i;
	}
	z = &v->zones[L->s->zone_sel];
	if (z->zone_end_pfn > z->zone_start_pfn)
		snprintf(b, sizeof(b), "%s pages", fmt_count(a, sizeof(a), z->zone_end_pfn - z->zone_start_pfn, 12));
	snprintf(title, sizeof(title), "ZONE node %d %s  (%d of %u, z: next)  pfn 0x%" PRIx64 "-0x%" PRIx64 "  %s",
		 z->nid, z->zone, L->s->zone_sel + 1, v->nzones, z->zone_start_pfn, z->zone_end_pfn,
		 z->zone_end_pfn > z->zone_start_pfn ? b : "span unknown until a run ends here");
	title_bar(L, row++, title, since_label(v));
	gauge(L, row++, 0, L->cols, z);
	lr = ct_top_zone_run(z, 0);
	if (lr) {
		ct_canvas_printf(L->c, row++, 0, CT_A_NORMAL,
				 "last run: %s, %s, order %d, %s after %s; pid %d %s",
				 ct_trigger_name((enum ct_trigger)lr->trigger), ct_mode_name((enum ct_mode)lr->mode),
				 lr->order, ct_status_name((enum ct_status)lr->status),
				 lr->begin_known ? ct_top_fmt_ns(a, sizeof(a), lr->end_ns - lr->begin_ns, 1) : "?",
				 lr->pid, lr->comm);
		ct_canvas_printf(L->c, row++, 0, CT_A_NORMAL,
				 "  migrate scanner 0x%" PRIx64 " -> 0x%" PRIx64 ", free scanner 0x%" PRIx64
				 " -> 0x%" PRIx64 "%s", lr->migrate_start, lr->migrate_end, lr->free_start,
				 lr->free_end, lr->scanners_met ? ": scanners met" : "");
	} else {
		ct_canvas_text(L->c, row++, 0, CT_A_DIM, "no run has ended in this zone yet");
	}
	ct_canvas_text(L->c, row, 0, CT_A_HEAD, "runs by status");
	ct_canvas_text(L->c, row, half, CT_A_HEAD, "pages and events");
	row++;
	r = 0;
	for (int st = CT_STATUS_COUNT - 1; st >= 0; st--) {
		if (!z->total.by_status[st])
			continue;
		snprintf(b, sizeof(b), "%s", fmt_count(a, sizeof(a), z->total.by_status[st], 10));
		kv(L, row + r++, 1, half - 3, ct_status_name((enum ct_status)st), b, status_attr(st));
	}
	for (int t = 0; t < CT_TRIGGER_COUNT; t++) {
		if (!z->total.by_trigger[t])
			continue;
		snprintf(c, sizeof(c), "trigger %s", ct_trigger_name((enum ct_trigger)t));
		kv(L, row + r++, 1, half - 3, c, fmt_count(a, sizeof(a), z->total.by_trigger[t], 10), CT_A_NORMAL);
	}
	if (!r)
		ct_canvas_text(L->c, row + r++, 1, CT_A_DIM, "no runs");
	{
		const struct { const char *k; uint64_t v; } rows_r[] = {
			{ "runs", z->total.runs }, { "migrate scanned", z->total.migrate_scanned },
			{ "free scanned", z->total.free_scanned }, { "isolated", z->total.isolated },
			{ "migrated", z->total.migrated }, { "migration failed", z->total.migrate_failed },
			{ "scanners met", z->total.scanners_met }, { "deferred", z->total.deferred },
			{ "defer_compaction", z->total.defer_compaction }, { "defer_reset", z->total.defer_reset },
		};
		int rr = 0;

		for (size_t i = 0; i < sizeof(rows_r) / sizeof(rows_r[0]); i++)
			kv(L, row + rr++, half, L->cols - half - 1, rows_r[i].k,
			   fmt_count(a, sizeof(a), rows_r[i].v, 14), CT_A_NORMAL);
		if (rr > r)
			r = rr;
	}
	row += r;
	{
		char line[256];
		size_t used = 0;

		for (int o = 0; o < CT_ORDER_SLOTS && used < sizeof(line); o++) {
			int w;

			if (!z->deferred_by_order[o])
				continue;
			w = snprintf(line + used, sizeof(line) - used, " order %d: %" PRIu64, o - 1,
				     z->deferred_by_order[o]);
			used = w < 0 ? sizeof(line) : used + (size_t)w;
		}
		ct_canvas_printf(L->c, row++, 0, CT_A_NORMAL, "deferred compactions by order:%s  (max defer limit %u)",
				 used ? line : " none", z->max_defer_limit);
	}
	ct_canvas_text(L->c, row++, 0, CT_A_DIM,
		       "pageblock map: not available yet (comes with the shadow buddy model)");
	title_bar(L, row++, "RECENT RUNS IN THIS ZONE", "newest first");
	ct_canvas_text(L->c, row, 0, CT_A_HEAD, "end (s)");
	ct_canvas_text(L->c, row, 13, CT_A_HEAD, "trigger   mode  ord status          duration mig-scan free-scan");
	if (L->cols >= 100)
		ct_canvas_text(L->c, row, 79, CT_A_HEAD, "migrated task");
	row++;
	list_rows = L->s->batch ? CT_TOP_ZONE_RUNS : rows - 1 - row;
	for (r = 0; r < list_rows; r++) {
		const struct ct_run *run = ct_top_zone_run(z, (uint32_t)r);

		if (!run)
			break;
		ct_canvas_printf(L->c, row + r, 0, CT_A_DIM, "%" PRIu64 ".%06" PRIu64,
				 (uint64_t)(run->end_ns / 1000000000ULL), (uint64_t)(run->end_ns / 1000 % 1000000));
		ct_canvas_printf(L->c, row + r, 13, CT_A_NORMAL, "%-9s %-5s %3d", ct_trigger_name((enum ct_trigger)run->trigger),
				 ct_mode_name((enum ct_mode)run->mode), run->order);
		ct_canvas_textn(L->c, row + r, 33, status_attr(run->status), ct_status_name((enum ct_status)run->status), 15);
		rtext(L, row + r, 48, 9, CT_A_NORMAL,
		      run->begin_known ? ct_top_fmt_ns(a, sizeof(a), run->end_ns - run->begin_ns, 1) : "?");
		rtext(L, row + r, 57, 9, CT_A_NORMAL, fmt_count(a, sizeof(a), run->migrate_scanned, 8));
		rtext(L, row + r, 66, 10, CT_A_NORMAL, fmt_count(b, sizeof(b), run->free_scanned, 9));
		if (L->cols >= 100) {
			rtext(L, row + r, 77, 10, CT_A_NORMAL, fmt_count(c, sizeof(c), run->migrated, 9));
			ct_canvas_textn(L->c, row + r, 88, CT_A_NORMAL, run->comm, 16);
		}
	}
	if (!r)
		ct_canvas_text(L->c, row, 1, CT_A_DIM, "none yet");
}

static void help(struct lay *L, int rows)
{
	static const char *const lines[] = {
		"compactrace top: keys",
		"",
		"  q            quit (a live session removes its tracing instance)",
		"  p            pause: a replay stops; live keeps counting, unseen",
		"  h ?          this help (any key closes it)",
		"  1 2 3, Tab   overview, stall list, zone view",
		"  z            next zone (zone view; highlighted in the overview)",
		"  s            sort the stall lists: latency, time, order",
		"  r            reset counters: totals count from now",
		"  arrows PgUp PgDn Home End   scroll the stall list",
		"",
		"Gauge [...===>.....<---...]: the zone's pfn span. The last run's",
		"  migrate scanner went up over '=' to '>', the free scanner down",
		"  over '-' to '<'; 'X' where they met (the zone was fully scanned).",
		"Status: succ success, cmpl complete, part partial_skipped,",
		"  cntd contended, cont continue, defr deferred, skip skipped,",
		"  nopg no_suitable_page, nozn not_suitable_zone.",
		"A direct stall lasts from try_to_compact_pages to the end of its",
		"  last zone's run; it is listed when the task's next stall starts",
		"  or the input ends. 'started' counts try_to_compact_pages.",
		"Rates are per second of trace time over the last interval.",
	};
	int n = (int)(sizeof(lines) / sizeof(lines[0])), w = 74, h = n + 2;
	int top = (rows - h) / 2, left = (L->cols - w) / 2;

	if (top < 0)
		top = 0;
	for (int i = 0; i < h && top + i < rows; i++) {
		ct_canvas_fill(L->c, top + i, left, w, ' ', CT_A_NORMAL);
		ct_canvas_text(L->c, top + i, left, CT_A_DIM, "|");
		ct_canvas_text(L->c, top + i, left + w - 1, CT_A_DIM, "|");
	}
	ct_canvas_fill(L->c, top, left, w, '-', CT_A_DIM);
	ct_canvas_fill(L->c, top + h - 1, left, w, '-', CT_A_DIM);
	for (int i = 0; i < n && top + 1 + i < rows; i++)
		ct_canvas_textn(L->c, top + 1 + i, left + 2, i == 0 ? CT_A_HEAD : CT_A_NORMAL, lines[i], w - 4);
	if (L->s->note && top + h < rows)
		cut_text(L, top + h, left, w, CT_A_WARN, L->s->note);
}

void ct_top_layout(struct ct_canvas *c, const struct ct_top_view *v, struct ct_top_screen *s)
{
	struct lay L = { c, v, s, c->cols };
	int rows = c->rows;

	ct_canvas_clear(c);
	s->scroll_max = 0;
	s->list_rows = 0;
	if (!s->batch && (c->cols < CT_TOP_MIN_COLS || c->rows < CT_TOP_MIN_ROWS)) {
		int r = c->rows / 2 - 1;

		ct_canvas_printf(c, r > 0 ? r : 0, 0, CT_A_ALERT, "terminal is %dx%d;", c->cols, c->rows);
		ct_canvas_printf(c, r > 0 ? r + 1 : 1, 0, CT_A_NORMAL, "compactrace top needs %dx%d.",
				 CT_TOP_MIN_COLS, CT_TOP_MIN_ROWS);
		ct_canvas_text(c, r > 0 ? r + 2 : 2, 0, CT_A_NORMAL, "Enlarge it, or q to quit.");
		return;
	}
	switch (s->page) {
	case CT_PAGE_STALLS:
		page_stalls(&L, rows);
		break;
	case CT_PAGE_ZONES:
		page_zone(&L, rows);
		break;
	default:
		overview(&L, rows);
		break;
	}
	if (!s->batch) {
		draw_footer(&L, rows - 1);
		if (s->help)
			help(&L, rows);
	}
}
