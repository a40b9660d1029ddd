// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The HTML report: one self-contained page (inline SVG, CSS and a little
 * JavaScript; a Content-Security-Policy that forbids every fetch), readable
 * with JavaScript off: the charts are SVG with <title> tooltips, the
 * script only adds zoom and a cursor readout.
 *
 * It draws what the engine and the model computed (struct
 * ct_report_input) and what the series sink gathered as the events went
 * by (html_series.h); it computes nothing of its own but positions. Every
 * figure a reader may compare with `report -f json` carries the JSON path
 * it stands for and its exact value (data-k, data-v), which the tests
 * check in a real browser.
 */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compactrace/error.h"
#include "compactrace/report.h"
#include "html_series.h"
#include "numfmt.h"
#include "sanitize.h"

#define PAGE_W 1100		/* every chart's viewBox width */
#define LABEL_W 200		/* lane labels left of the plots */
#define PLOT_W (PAGE_W - LABEL_W - 20)
#define LANE_H 18
#define TOP_TASKS 12		/* stall lanes drawn one by one; the rest share a row */
#define MAP_COLS 64

struct page {
	FILE *out;
	const struct ct_report_input *in;
	const struct ct_html_series *h;
	uint64_t t0, span;	/* the time axis: first event and how long */
};

/* ---- text ------------------------------------------------------------------- */

static void esc(FILE *out, const char *s)
{
	char clean[1024];

	ct_sanitize(clean, sizeof(clean), s ? s : "", 1);
	for (const char *c = clean; *c; c++) {
		switch (*c) {
		case '&': fputs("&amp;", out); break;
		case '<': fputs("&lt;", out); break;
		case '>': fputs("&gt;", out); break;
		case '"': fputs("&quot;", out); break;
		case '\'': fputs("&#39;", out); break;
		default: fputc(*c, out);
		}
	}
}

static const char *grouped(char *buf, size_t size, uint64_t v)
{
	return ct_fmt_grouped(buf, size, v);
}

static const char *us_exact(char *buf, size_t size, uint64_t ns)
{
	return ct_fmt_us_exact(buf, size, ns);
}

static const char *dur_text(char *buf, size_t size, uint64_t ns)
{
	return ct_fmt_dur(buf, size, ns, "µs");
}

/* a count that stands for a JSON value: <span data-k=PATH data-v=V>1,234</span> */
static void num(FILE *out, const char *key, uint64_t v)
{
	char a[32];

	if (key)
		fprintf(out, "<span class=\"v\" data-k=\"%s\" data-v=\"%" PRIu64 "\">%s</span>", key, v,
			grouped(a, sizeof(a), v));
	else
		fputs(grouped(a, sizeof(a), v), out);
}

static void inum(FILE *out, const char *key, int64_t v)
{
	if (v >= 0)
		num(out, key, (uint64_t)v);
	else
		fprintf(out, "<span class=\"v\" data-k=\"%s\" data-v=\"%" PRId64 "\">%" PRId64 "</span>", key, v, v);
}

/* a duration that stands for a JSON µs value */
static void dur(FILE *out, const char *key, uint64_t ns)
{
	char a[32], b[32];

	fprintf(out, "<span class=\"v\" data-k=\"%s\" data-v=\"%s\">%s</span>", key, us_exact(a, sizeof(a), ns),
		dur_text(b, sizeof(b), ns));
}

static const char *zkey(char *buf, size_t size, int32_t nid, const char *zone, const char *field)
{
	snprintf(buf, size, "zones[node=%d,zone=%s].%s", (int)nid, zone, field);
	return buf;
}

/* ---- colours ------------------------------------------------------------------ */

static const char *const status_colour[CT_STATUS_COUNT] = {
	"#8c8c8c", "#bcbd22", "#ff7f0e", "#d62728", "#17becf", "#1f77b4", "#9467bd", "#8c564b", "#2ca02c",
	"#c7c7c7",
};

static int dominant(const struct hs_item *it)
{
	int best = CT_STATUS_UNKNOWN;

	for (int s = 0; s < CT_STATUS_COUNT; s++)
		if (it->cnt[s] > it->cnt[best])
			best = s;
	return best;
}

static const char *const mt_colour[CT_MIGRATETYPES] = {
	"#d62728", "#2ca02c", "#1f77b4", "#9467bd", "#ff7f0e", "#8c564b", "#e377c2", "#7f7f7f",
};

/* ---- scales -------------------------------------------------------------------- */

static double xt(const struct page *p, uint64_t ts)
{
	if (ts < p->t0)
		return 0;
	return (double)(ts - p->t0) * PLOT_W / (double)p->span;
}

/* a round step of ns giving about @want ticks over @span */
static uint64_t tick_step(uint64_t span, int want)
{
	uint64_t step = 1;

	while (step * 10 <= span / (uint64_t)want)
		step *= 10;
	if (step * 5 <= span / (uint64_t)want)
		step *= 5;
	else if (step * 2 <= span / (uint64_t)want)
		step *= 2;
	return step;
}

static void time_axis(const struct page *p, double y)
{
	uint64_t step = tick_step(p->span, 8);
	int decimals = step >= 1000000000ULL ? 0 : step >= 100000000ULL ? 1 : step >= 10000000ULL ? 2 :
		       step >= 1000000ULL ? 3 : step >= 100000ULL ? 4 : step >= 10000ULL ? 5 : 6;

	fprintf(p->out, "<line class=\"ax\" x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\"/>", LABEL_W, y,
		LABEL_W + PLOT_W, y);
	for (uint64_t t = 0; t <= p->span; t += step) {
		double x = LABEL_W + (double)t * PLOT_W / (double)p->span;

		fprintf(p->out, "<line class=\"ax\" x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\"/>"
			"<text class=\"tk\" x=\"%.1f\" y=\"%.1f\">+%.*f s</text>", x, y, x, y + 4, x, y + 15,
			decimals, (double)t / 1e9);
	}
}

/* a chart's place when there is nothing to draw: a box that says why */
static void notice(FILE *out, const char *text)
{
	fprintf(out, "<svg viewBox=\"0 0 %d 30\" role=\"img\"><rect width=\"%d\" height=\"30\" fill=\"#fff3cd\"/>"
		"<text class=\"ti\" x=\"10\" y=\"19\">", PAGE_W, PAGE_W);
	esc(out, text);
	fputs("</text></svg>", out);
}

/* ---- the page's frame -------------------------------------------------------------- */

static const char css[] =
	"body{font:14px/1.4 'DejaVu Sans',sans-serif;margin:0 auto;max-width:1140px;padding:0 16px;"
	"color:#222;background:#fff}"
	"h1{font-size:22px;margin:18px 0 4px}h2{font-size:18px;margin:0 0 8px;border-bottom:1px solid #ccc}"
	"h3{font-size:15px;margin:12px 0 4px}"
	"section{margin:18px 0;padding:10px 0}"
	"svg{width:100%;height:auto;display:block;font-family:'DejaVu Sans',sans-serif}"
	"table{border-collapse:collapse;margin:6px 0;font-size:13px}"
	"td,th{border:1px solid #ddd;padding:2px 7px;text-align:right}th{background:#f3f3f3}"
	"td.l,th.l{text-align:left}"
	".cards{display:flex;flex-wrap:wrap;gap:10px}"
	".card{border:1px solid #ddd;border-radius:6px;padding:8px 14px;min-width:200px;background:#fafafa}"
	".big{font-size:28px;font-weight:bold}.sub{color:#555;font-size:12px}"
	".ax{stroke:#888;stroke-width:1}.tk{font-size:11px;fill:#444;text-anchor:middle}"
	".lb{font-size:12px;fill:#222;text-anchor:end}.ti{font-size:12px;fill:#222}"
	".grid{stroke:#eee}.note{color:#555;font-size:12px}"
	".mig{fill:none;stroke:#1f77b4;stroke-width:1.5;vector-effect:non-scaling-stroke}"
	".fre{fill:none;stroke:#ff7f0e;stroke-width:1.5;vector-effect:non-scaling-stroke}"
	".met{fill:#d62728}"
	".key{display:inline-block;width:10px;height:10px;margin:0 3px 0 10px}"
	"#readout{position:fixed;right:8px;bottom:8px;background:#ffd;border:1px solid #cc9;padding:2px 6px;"
	"font-size:12px;display:none}";

/* zoom and a cursor readout on the time charts; everything else works without it */
static const char script[] =
	"(function(){var ro=document.getElementById('readout');"
	"document.querySelectorAll('svg.plot').forEach(function(pl){"
	"var W=+pl.getAttribute('width'),t0=+pl.dataset.t0,sp=+pl.dataset.span,v=[0,W];"
	"function set(){pl.setAttribute('viewBox',v[0]+' 0 '+v[1]+' '+pl.getAttribute('height'));}"
	"function at(e){var r=pl.getBoundingClientRect();return v[0]+(e.clientX-r.left)/r.width*v[1];}"
	"pl.addEventListener('wheel',function(e){e.preventDefault();var x=at(e),k=e.deltaY<0?0.8:1.25;"
	"v[1]=Math.min(W,Math.max(W/1e4,v[1]*k));v[0]=Math.min(W-v[1],Math.max(0,x-(x-v[0])*v[1]/(v[1]/k)));set();});"
	"pl.addEventListener('dblclick',function(){v=[0,W];set();});"
	"pl.addEventListener('mousemove',function(e){var ns=at(e)/W*sp;ro.style.display='block';"
	"ro.textContent='+'+(ns/1e9).toFixed(6)+' s (wheel: zoom, double-click: reset)';});"
	"pl.addEventListener('mouseleave',function(){ro.style.display='none';});});})();";

static void head(const struct page *p)
{
	const struct ct_results *r = p->in->res;
	char a[32], b[32];

	fputs("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n"
	      "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
	      "style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:\">\n"
	      "<meta name=\"viewport\" content=\"width=device-width\">\n"
	      "<title>compactrace report</title>\n<style>", p->out);
	fputs(css, p->out);
	fputs("</style></head>\n<body>\n<h1>compactrace report</h1>\n<p class=\"note\">", p->out);
	for (uint32_t i = 0; i < r->nsources; i++) {
		const struct ct_source_summary *s = &r->sources[i];

		esc(p->out, s->path);
		fprintf(p->out, " [%s] %s events, %" PRIu64 ".%06" PRIu64 " .. %" PRIu64 ".%06" PRIu64 " s<br>",
			s->format, grouped(a, sizeof(a), s->events), s->first_ts_ns / UINT64_C(1000000000),
			s->first_ts_ns % UINT64_C(1000000000) / 1000, s->last_ts_ns / UINT64_C(1000000000),
			s->last_ts_ns % UINT64_C(1000000000) / 1000);
	}
	if (p->in->filter) {
		fputs("filter: ", p->out);
		esc(p->out, p->in->filter);
		fprintf(p->out, " (%s events of other tasks skipped)<br>", grouped(b, sizeof(b), r->filtered_out));
	}
	fputs("Times on the charts are seconds after the first event. Hover over a mark for its details; "
	      "on the time charts the mouse wheel zooms.</p>\n", p->out);
}

/* ---- summary -------------------------------------------------------------------- */

static void card_open(FILE *out, const char *title)
{
	fprintf(out, "<div class=\"card\"><div class=\"sub\">%s</div><div class=\"big\">", title);
}

/* one stacked bar: @counts by status, as shares of their sum */
static void status_bar(FILE *out, const char *label, const uint64_t *counts, int y)
{
	uint64_t sum = 0;
	double x = LABEL_W;

	for (int s = 0; s < CT_STATUS_COUNT; s++)
		sum += counts[s];
	fprintf(out, "<text class=\"lb\" x=\"%d\" y=\"%d\">%s</text>", LABEL_W - 6, y + 13, label);
	if (!sum) {
		fprintf(out, "<text class=\"ti\" x=\"%d\" y=\"%d\">none</text>", LABEL_W, y + 13);
		return;
	}
	for (int s = 0; s < CT_STATUS_COUNT; s++) {
		double w = (double)counts[s] * PLOT_W / (double)sum;

		if (!counts[s])
			continue;
		fprintf(out, "<rect x=\"%.1f\" y=\"%d\" width=\"%.1f\" height=\"%d\" fill=\"%s\"><title>%s: %" PRIu64
			"</title></rect>", x, y + 2, w, LANE_H - 2, status_colour[s], ct_status_name(s), counts[s]);
		if (w > 60)
			fprintf(out, "<text class=\"ti\" x=\"%.1f\" y=\"%d\" style=\"fill:#fff\">%s %" PRIu64 "</text>", x + 4,
				y + 14, ct_status_name(s), counts[s]);
		x += w;
	}
}

static void summary(const struct page *p)
{
	const struct ct_results *r = p->in->res;
	FILE *out = p->out;
	char key[64];

	fputs("<section id=\"summary\"><h2>Summary</h2><div class=\"cards\">", out);
	card_open(out, "events");
	num(out, "events", r->events);
	fputs("</div></div>", out);

	card_open(out, "compaction runs");
	num(out, "runs.count", r->runs.count);
	fputs("</div><div class=\"sub\">", out);
	for (int i = 0; i < CT_TRIGGER_COUNT; i++) {
		if (!r->runs.by_trigger[i])
			continue;
		snprintf(key, sizeof(key), "runs.by_trigger.%s", ct_trigger_name(i));
		fprintf(out, "%s ", ct_trigger_name(i));
		num(out, key, r->runs.by_trigger[i]);
		fputs(" ", out);
	}
	if (r->runs.count) {
		fputs("<br>duration p50 ", out);
		dur(out, "runs.duration_us.p50", ct_latency_percentile(&r->runs.duration, 50));
		fputs(", p99 ", out);
		dur(out, "runs.duration_us.p99", ct_latency_percentile(&r->runs.duration, 99));
		fputs(", max ", out);
		dur(out, "runs.duration_us.max", r->runs.duration.max_ns);
	}
	fputs("</div></div>", out);

	card_open(out, "direct-compaction stalls");
	num(out, "stalls.count", r->stalls.count);
	fputs("</div><div class=\"sub\">", out);
	if (r->stalls.count) {
		fputs("latency p50 ", out);
		dur(out, "stalls.latency_us.p50", ct_latency_percentile(&r->stalls.latency, 50));
		fputs(", p99 ", out);
		dur(out, "stalls.latency_us.p99", ct_latency_percentile(&r->stalls.latency, 99));
		fputs(", max ", out);
		dur(out, "stalls.latency_us.max", r->stalls.latency.max_ns);
		fputs("<br>succeeded ", out);
		num(out, r->stalls.by_result[CT_STATUS_SUCCESS] ? "stalls.by_result.success" : NULL,
		    r->stalls.by_result[CT_STATUS_SUCCESS]);	/* JSON lists statuses that happened */
	} else {
		fputs("no task stalled in direct compaction", out);
	}
	fputs("</div></div>", out);

	card_open(out, "pages migrated");
	num(out, "runs.migrated", r->runs.migrated);
	fputs("</div><div class=\"sub\">migrate-scanned ", out);
	num(out, "totals.compact_migrate_scanned", r->totals.compact_migrate_scanned);
	fputs("<br>free-scanned ", out);
	num(out, "totals.compact_free_scanned", r->totals.compact_free_scanned);
	fputs(", isolated ", out);
	num(out, "totals.compact_isolated", r->totals.compact_isolated);
	fputs("<br>migration failed ", out);
	num(out, "runs.migrate_failed", r->runs.migrate_failed);
	fputs("</div></div>", out);

	card_open(out, "kcompactd wakes");
	num(out, "totals.compact_daemon_wake", r->totals.compact_daemon_wake);
	fputs("</div><div class=\"sub\">daemon migrate-scanned ", out);
	num(out, "totals.compact_daemon_migrate_scanned", r->totals.compact_daemon_migrate_scanned);
	fputs("<br>free-scanned ", out);
	num(out, "totals.compact_daemon_free_scanned", r->totals.compact_daemon_free_scanned);
	fputs("</div></div>", out);

	card_open(out, "extfrag fallbacks");
	num(out, "extfrag.events", r->extfrag.events);
	fputs("</div><div class=\"sub\">fragmenting ", out);
	num(out, "extfrag.fragmenting", r->extfrag.fragmenting);
	fputs("<br>pageblocks polluted ", out);
	num(out, "extfrag.pageblocks_polluted", r->extfrag.pageblocks_polluted);
	fputs("</div></div>", out);

	card_open(out, "data problems");
	num(out, NULL, r->quality.lost_events + r->quality.unmatched_begin + r->quality.unmatched_end +
			       r->quality.parse_errors + r->quality.bad_values);
	fputs("</div><div class=\"sub\">lost events ", out);
	num(out, "quality.lost_events", r->quality.lost_events);
	fputs(", unparsable ", out);
	num(out, "quality.parse_errors", r->quality.parse_errors);
	fputs("<br>(see <a href=\"#checks\">checks</a>)</div></div>", out);
	fprintf(out, "</div><h3>How they ended</h3><svg viewBox=\"0 0 %d %d\" role=\"img\">", PAGE_W, 2 * LANE_H + 8);
	status_bar(out, "runs by status", r->runs.by_status, 0);
	status_bar(out, "stalls by result", r->stalls.by_result, LANE_H + 4);
	fputs("</svg></section>\n", out);
}

/* ---- latency ---------------------------------------------------------------------- */

/* x of @us on a log2 axis over buckets [lo, hi] of width @w */
static double xlog(double us, int lo, int hi, double w)
{
	double b = us > 0 ? log2(us) : 0;

	if (b < lo - 1)
		b = lo - 1;
	if (b > hi)
		b = hi;
	return (b - (lo - 1)) * w / (hi - lo + 1);
}

static void histogram(const struct page *p, const struct ct_latency *lat, const char *prefix, const char *title,
		      const char *what)
{
	FILE *out = p->out;
	int lo = CT_LATENCY_LOG2_US, hi = -1;
	uint64_t top = 0;
	const double w = PLOT_W, h = 130;
	char key[128];
	struct {
		const char *name;
		uint64_t ns;
	} marks[3] = { { "p50", ct_latency_percentile(lat, 50) }, { "p99", ct_latency_percentile(lat, 99) },
		       { "max", lat->max_ns } };

	for (int b = 0; b < CT_LATENCY_LOG2_US; b++) {
		if (!lat->log2_us[b])
			continue;
		lo = b < lo ? b : lo;
		hi = b;
		top = lat->log2_us[b] > top ? lat->log2_us[b] : top;
	}
	if (hi < 0)
		return;
	fprintf(out, "<h3>%s</h3><svg viewBox=\"0 0 %d %d\" role=\"img\">", title, PAGE_W, (int)h + 40);
	fprintf(out, "<g transform=\"translate(%d,10)\">", LABEL_W);
	for (int b = lo; b <= hi; b++) {
		double x = xlog((double)(1ull << b), lo, hi, w) - w / (hi - lo + 1);
		double bh = lat->log2_us[b] ? (double)lat->log2_us[b] * h / (double)top : 0;

		fprintf(out, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"#4c78a8\">"
			"<title>%" PRIu64 " in (%llu, %llu] µs</title></rect>", x + 1, h - bh, w / (hi - lo + 1) - 2,
			bh, lat->log2_us[b], b ? 1ull << (b - 1) : 0ull, 1ull << b);
		fprintf(out, "<text class=\"tk\" x=\"%.1f\" y=\"%.1f\">%llu</text>", x + w / (hi - lo + 1) / 2,
			h + 14, 1ull << b);
	}
	for (int i = 0; i < 3; i++) {
		double x = xlog((double)marks[i].ns / 1e3, lo, hi, w);
		char d[32];

		fprintf(out, "<line x1=\"%.1f\" y1=\"0\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"%s\" stroke-width=\"2\" "
			"stroke-dasharray=\"4 2\"><title>%s %s</title></line><text class=\"ti\" x=\"%.1f\" y=\"%d\">%s"
			"</text>", x, x, h, i == 2 ? "#d62728" : "#222", marks[i].name,
			dur_text(d, sizeof(d), marks[i].ns), x + 3, 10 + 12 * i, marks[i].name);
	}
	fprintf(out, "<text class=\"tk\" x=\"%.1f\" y=\"%.1f\">latency, µs (bucket upper bound, log scale)</text>",
		w / 2, h + 28);
	fprintf(out, "</g><text class=\"lb\" x=\"%d\" y=\"20\">count (max ", LABEL_W - 6);
	num(out, NULL, top);
	fputs(")</text></svg>", out);

	/* the table beside it */
	fputs("<table><tr><th>count</th><th>p50</th><th>p90</th><th>p99</th><th>max</th></tr><tr><td>", out);
	snprintf(key, sizeof(key), "%s.count", prefix);
	num(out, key, lat->count);
	fputs("</td><td>", out);
	snprintf(key, sizeof(key), "%s.p50", prefix);
	dur(out, key, ct_latency_percentile(lat, 50));
	fputs("</td><td>", out);
	snprintf(key, sizeof(key), "%s.p90", prefix);
	dur(out, key, ct_latency_percentile(lat, 90));
	fputs("</td><td>", out);
	snprintf(key, sizeof(key), "%s.p99", prefix);
	dur(out, key, ct_latency_percentile(lat, 99));
	fputs("</td><td>", out);
	snprintf(key, sizeof(key), "%s.max", prefix);
	dur(out, key, lat->max_ns);
	fputs("</td></tr></table><table><tr><th class=\"l\">≤ µs</th>", out);
	for (int b = lo; b <= hi; b++)
		if (lat->log2_us[b])
			fprintf(out, "<th>%llu</th>", 1ull << b);
	fprintf(out, "</tr><tr><td class=\"l\">%s</td>", what);
	for (int b = lo; b <= hi; b++) {
		if (!lat->log2_us[b])
			continue;
		snprintf(key, sizeof(key), "%s.histogram[le_us=%llu].count", prefix, 1ull << b);
		fputs("<td>", out);
		num(out, key, lat->log2_us[b]);
		fputs("</td>", out);
	}
	fputs("</tr></table>", out);
}

static void latency(const struct page *p)
{
	const struct ct_results *r = p->in->res;
	char prefix[64], title[96];

	fputs("<section id=\"latency\"><h2>Direct-stall latency</h2>", p->out);
	if (!r->stalls.count) {
		fputs("<p>No task stalled in direct compaction in this trace. The compaction runs took:</p>", p->out);
		histogram(p, &r->runs.duration, "runs.duration_us", "Run durations", "runs");
	}
	for (int i = 0; i < CT_ORDER_SLOTS; i++) {
		if (!r->stalls.by_order[i])
			continue;
		snprintf(prefix, sizeof(prefix), "stalls.latency_us_by_order.%d", i + CT_ORDER_MIN);
		snprintf(title, sizeof(title), "Order %d: %" PRIu64 " stall%s", i + CT_ORDER_MIN,
			 r->stalls.by_order[i], r->stalls.by_order[i] == 1 ? "" : "s");
		histogram(p, &r->stalls.latency_by_order[i], prefix, title, "stalls");
	}
	fputs("<p class=\"note\">A stall is try_to_compact_pages() until its last run or deferral ended; "
	      "dashed lines mark p50, p99 and the maximum.</p></section>\n", p->out);
}

/* ---- timeline ----------------------------------------------------------------------- */

static void item_title(const struct page *p, const struct hs_item *it, const char *what)
{
	FILE *out = p->out;
	char a[32], b[32];

	fprintf(out, "<title>%s %s%s at +%.6f s, %s", grouped(b, sizeof(b), it->n), what, it->n > 1 ? "s" : "",
		(double)(it->a - p->t0) / 1e9, dur_text(a, sizeof(a), it->b - it->a));
	if (what[0] == 'f')
		fprintf(out, "; fragmenting %" PRIu32, it->cnt[1]);
	else if (what[0] != 'k')
		for (int s = 0; s < CT_STATUS_COUNT; s++)
			if (it->cnt[s])
				fprintf(out, "; %s %" PRIu32, ct_status_name(s), it->cnt[s]);
	fputs("</title>", out);
}

/* one row of marks; @colour NULL: by dominant status */
static void lane_row(const struct page *p, const struct hs_lane *l, double y, const char *colour, const char *what)
{
	FILE *out = p->out;

	for (uint32_t i = 0; i < l->n; i++) {
		const struct hs_item *it = &l->items[i];
		double x = xt(p, it->a), w = xt(p, it->b) - x;
		const char *c = colour ? colour : status_colour[dominant(it)];

		if (!colour && what[0] == 'f')
			c = it->cnt[1] ? "#d62728" : "#888";
		fprintf(out, "<rect x=\"%.2f\" y=\"%.1f\" width=\"%.2f\" height=\"%d\" fill=\"%s\">", x, y,
			w < 2 ? 2 : w, LANE_H - 4, c);	/* a short run stays visible */
		item_title(p, it, what);
		fputs("</rect>", out);
	}
}

static int cmp_lane_total(const void *x, const void *y)
{
	const struct hs_lane *a = *(const struct hs_lane *const *)x, *b = *(const struct hs_lane *const *)y;

	return (a->total < b->total) - (a->total > b->total);
}

static void plot_open(const struct page *p, double y, double h)
{
	fprintf(p->out, "<svg class=\"plot\" x=\"%d\" y=\"%.1f\" width=\"%d\" height=\"%.1f\" viewBox=\"0 0 %d %.1f\" "
		"preserveAspectRatio=\"none\" data-t0=\"%" PRIu64 "\" data-span=\"%" PRIu64 "\">"
		"<rect width=\"%d\" height=\"%.1f\" fill=\"#fcfcfc\"/>", LABEL_W, y, PLOT_W, h, PLOT_W, h, p->t0,
		p->span, PLOT_W, h);
}

static int timeline(const struct page *p)
{
	const struct ct_html_series *h = p->h;
	const struct hs_lane *tasks[HS_TASKS];
	FILE *out = p->out;
	uint32_t nrows = 0, shown;
	uint64_t stalls = 0, frag = 0;
	char key[96], a[32];
	double y = 0;

	fputs("<section id=\"timeline\"><h2>Timeline</h2>", out);
	for (uint32_t i = 0; i < h->ntasks; i++)
		tasks[i] = &h->tasks[i];
	if (h->ntasks > 1)
		qsort(tasks, h->ntasks, sizeof(tasks[0]), cmp_lane_total);
	shown = h->ntasks > TOP_TASKS + 1 ? TOP_TASKS : h->ntasks;
	nrows = h->ntraj + shown + (h->ntasks > shown) + h->nnodes + 1;
	fprintf(out, "<svg viewBox=\"0 0 %d %d\" role=\"img\">", PAGE_W, (int)(nrows * LANE_H + 40));
	plot_open(p, 0, nrows * LANE_H);
	for (uint32_t i = 0; i < h->ntraj; i++, y += LANE_H)
		lane_row(p, &h->traj[i].lane, y + 2, NULL, "run");
	for (uint32_t i = 0; i < shown; i++)
		lane_row(p, tasks[i], y + i * LANE_H + 2, NULL, "stall");
	if (h->ntasks > shown) {	/* past the busiest, all share one row, summarised again */
		struct hs_lane other = { 0 };

		if (ct_html_lanes_join(&other, tasks + shown, h->ntasks - shown) < 0)
			return -CT_E_NOMEM;
		lane_row(p, &other, y + shown * LANE_H + 2, NULL, "stall");
		free(other.items);
	}
	y += (shown + (h->ntasks > shown)) * LANE_H;
	for (uint32_t i = 0; i < h->nnodes; i++, y += LANE_H)
		lane_row(p, &h->nodes[i], y + 2, "#9467bd", "kcompactd awake period");
	lane_row(p, &h->fallbacks, y + 2, NULL, "fallback");
	fputs("</svg>", out);
	y = 0;
	for (uint32_t i = 0; i < h->ntraj; i++, y += LANE_H) {
		fprintf(out, "<text class=\"lb\" x=\"%d\" y=\"%.1f\">runs node %d ", LABEL_W - 6, y + 13,
			(int)h->traj[i].nid);
		esc(out, h->traj[i].zone[0] ? h->traj[i].zone : "?");
		fputs("</text>", out);
	}
	for (uint32_t i = 0; i < shown; i++, y += LANE_H) {
		fprintf(out, "<text class=\"lb\" x=\"%d\" y=\"%.1f\">stalls ", LABEL_W - 6, y + 13);
		esc(out, tasks[i]->label);
		fputs("</text>", out);
	}
	if (h->ntasks > shown) {
		fprintf(out, "<text class=\"lb\" x=\"%d\" y=\"%.1f\">stalls, %u other tasks</text>", LABEL_W - 6,
			y + 13, h->ntasks - shown);
		y += LANE_H;
	}
	for (uint32_t i = 0; i < h->nnodes; i++, y += LANE_H)
		fprintf(out, "<text class=\"lb\" x=\"%d\" y=\"%.1f\">kcompactd node %d awake</text>", LABEL_W - 6,
			y + 13, (int)h->nodes[i].key);
	fprintf(out, "<text class=\"lb\" x=\"%d\" y=\"%.1f\">extfrag fallbacks</text>", LABEL_W - 6, y + 13);
	y += LANE_H;
	time_axis(p, y + 4);
	fputs("</svg><p class=\"note\">Runs and stalls coloured by status:", out);
	for (int s = 0; s < CT_STATUS_COUNT; s++)
		fprintf(out, "<span class=\"key\" style=\"background:%s\"></span>%s", status_colour[s],
			ct_status_name(s));
	fputs(". Fallbacks: <span class=\"key\" style=\"background:#d62728\"></span>fragmenting "
	      "<span class=\"key\" style=\"background:#888\"></span>not. Marks closer than a lane's gap are "
	      "joined (one mark, its count in the tooltip).</p>", out);

	/* the table: what each row holds, counted exactly */
	fputs("<table><tr><th class=\"l\">row</th><th>marks drawn</th><th>items</th><th>busy</th>"
	      "<th>joined closer than</th></tr>", out);
	for (uint32_t i = 0; i < h->ntraj; i++) {
		const struct hs_traj *t = &h->traj[i];

		fprintf(out, "<tr><td class=\"l\">runs node %d ", (int)t->nid);
		esc(out, t->zone[0] ? t->zone : "?");
		fprintf(out, "</td><td>%" PRIu32 "</td><td>", t->lane.n);
		num(out, t->zone[0] ? zkey(key, sizeof(key), t->nid, t->zone, "runs") : NULL, t->lane.total);
		fprintf(out, "</td><td>%s</td><td>%s</td></tr>", dur_text(a, sizeof(a), t->lane.busy_ns),
			t->lane.gap ? dur_text(key, sizeof(key), t->lane.gap) : "-");
	}
	for (uint32_t i = 0; i < h->ntasks; i++) {
		stalls += h->tasks[i].total;
		fputs("<tr><td class=\"l\">stalls ", out);
		esc(out, tasks[i]->label);
		fprintf(out, "</td><td>%" PRIu32 "</td><td>", tasks[i]->n);
		num(out, NULL, tasks[i]->total);
		fprintf(out, "</td><td>%s</td><td>%s</td></tr>", dur_text(a, sizeof(a), tasks[i]->busy_ns),
			tasks[i]->gap ? dur_text(key, sizeof(key), tasks[i]->gap) : "-");
	}
	fputs("<tr><th class=\"l\">all stalls</th><td></td><td>", out);
	num(out, "stalls.count", stalls);
	fputs("</td><td></td><td></td></tr>", out);
	for (uint32_t i = 0; i < h->nnodes; i++) {
		const struct hs_lane *l = &h->nodes[i];

		fprintf(out, "<tr><td class=\"l\">kcompactd node %d awake</td><td>%" PRIu32 "</td><td>", (int)l->key,
			l->n);
		num(out, NULL, l->total);
		fputs("</td><td>", out);
		snprintf(key, sizeof(key), "kcompactd[node=%d].awake_us", (int)l->key);
		dur(out, key, l->busy_ns);
		fprintf(out, "</td><td>%s</td></tr>", l->gap ? dur_text(a, sizeof(a), l->gap) : "-");
	}
	for (uint32_t i = 0; i < h->fallbacks.n; i++)
		frag += h->fallbacks.items[i].cnt[1];
	fprintf(out, "<tr><td class=\"l\">extfrag fallbacks</td><td>%" PRIu32 "</td><td>", h->fallbacks.n);
	num(out, "extfrag.events", h->fallbacks.total);
	fputs(" (fragmenting ", out);
	num(out, "extfrag.fragmenting", frag);
	fprintf(out, ")</td><td></td><td>%s</td></tr></table>",
		h->fallbacks.gap ? dur_text(a, sizeof(a), h->fallbacks.gap) : "-");
	if (h->runs_unplaced)
		fprintf(out, "<p class=\"note\">%" PRIu64 " runs in zones beyond the first %d are not drawn.</p>",
			h->runs_unplaced, HS_ZONES);
	fputs("</section>\n", out);
	return 0;
}

/* ---- scanner trajectories -------------------------------------------------------------- */

static double ypfn(const struct hs_traj *t, uint64_t pfn, double h)
{
	uint64_t span = t->end > t->start ? t->end - t->start : 1;

	if (pfn < t->start)
		pfn = t->start;
	if (pfn > t->end)
		pfn = t->end;
	return h - (double)(pfn - t->start) * h / (double)span;
}

/* @s's points, every @step-th (a line break moves to the next one drawn) */
static void path(const struct page *p, const struct hs_traj *t, const struct hs_points *s, const char *cls,
		 double h, uint32_t step)
{
	FILE *out = p->out;
	int brk = 1;

	if (!s->n)
		return;
	fprintf(out, "<path class=\"%s\" d=\"", cls);
	for (uint32_t i = 0; i < s->n; i++) {
		brk |= s->p[i].brk;
		if (i % step && i != s->n - 1)
			continue;
		fprintf(out, "%c%.2f %.1f", brk ? 'M' : 'L', xt(p, s->p[i].ts), ypfn(t, s->p[i].pfn, h));
		brk = 0;
	}
	fputs("\"/>", out);
}

static void scanners(const struct page *p)
{
	const struct ct_html_series *h = p->h;
	FILE *out = p->out;
	uint64_t met = h->met_unplaced;
	char key[96];
	const double ph = 220;
	uint32_t drawn = 0, step;

	for (uint32_t i = 0; i < h->ntraj; i++)
		drawn += h->traj[i].runs > 0;
	/* the page's size: four zones' worth of points, shared by all */
	step = drawn > 4 ? (drawn + 3) / 4 : 1;

	fputs("<section id=\"scanners\"><h2>Scanner trajectories</h2><p class=\"note\">Per zone, pfn against "
	      "time: the migrate scanner (<span class=\"key\" style=\"background:#1f77b4\"></span>) climbs from "
	      "the bottom of the zone, the free scanner (<span class=\"key\" style=\"background:#ff7f0e\"></span>) "
	      "comes down from the top; each run is a stretch of line from its begin to its end, "
	      "<span class=\"key\" style=\"background:#d62728\"></span> where they met.</p>", out);
	for (uint32_t i = 0; i < h->ntraj; i++) {
		const struct hs_traj *t = &h->traj[i];

		met += t->met;
		fprintf(out, "<h3>node %d ", (int)t->nid);
		esc(out, t->zone[0] ? t->zone : "?");
		fprintf(out, ", pfn %#" PRIx64 "-%#" PRIx64 "</h3>", t->start, t->end);
		fprintf(out, "<svg viewBox=\"0 0 %d %d\" role=\"img\">", PAGE_W, (int)ph + 30);
		plot_open(p, 0, ph);
		path(p, t, &t->mig, "mig", ph, step);
		path(p, t, &t->free, "fre", ph, step);
		for (uint32_t m = 0; m < t->nmet; m++)
			fprintf(out, "<rect class=\"met\" x=\"%.2f\" y=\"%.1f\" width=\"3\" height=\"6\"><title>scanners "
				"met at pfn %#" PRIx64 ", +%.6f s</title></rect>", xt(p, t->met_at[m].ts) - 1.5,
				ypfn(t, t->met_at[m].pfn, ph) - 3, t->met_at[m].pfn,
				(double)(t->met_at[m].ts - p->t0) / 1e9);
		fputs("</svg>", out);
		fprintf(out, "<text class=\"lb\" x=\"%d\" y=\"12\">%#" PRIx64 "</text><text class=\"lb\" x=\"%d\" "
			"y=\"%d\">%#" PRIx64 "</text>", LABEL_W - 6, t->end, LABEL_W - 6, (int)ph, t->start);
		time_axis(p, ph + 2);
		fputs("</svg><table><tr><th>runs</th><th>migrate points</th><th>free points</th><th>scanners met"
		      "</th></tr><tr><td>", out);
		num(out, t->zone[0] ? zkey(key, sizeof(key), t->nid, t->zone, "runs") : NULL, t->runs);
		fprintf(out, "</td><td>%" PRIu32 "%s</td><td>%" PRIu32 "%s</td><td>", t->mig.n,
			t->mig.stride > 1 ? " (thinned)" : "", t->free.n, t->free.stride > 1 ? " (thinned)" : "");
		num(out, NULL, t->met);
		fputs("</td></tr></table>", out);
	}
	if (!h->ntraj)
		notice(out, "No compaction run in this trace.");
	fputs("<p>Scanners met in ", out);
	num(out, "runs.scanners_met", met);
	fputs(" runs", out);
	if (h->runs_unplaced)
		fprintf(out, " (%" PRIu64 " of them in the %" PRIu64 " runs of zones not drawn)", h->met_unplaced,
			h->runs_unplaced);
	fputs(".</p></section>\n", out);
}

/* ---- the shadow model ----------------------------------------------------------------- */

static const struct hs_free *free_series(const struct ct_html_series *h, const struct ct_model_zone *z)
{
	for (uint32_t i = 0; i < h->nfree; i++)
		if (h->free[i].n && h->free[i].nid == z->nid && strcmp(h->free[i].zone, z->zone) == 0 &&
		    h->free[i].start_pfn == z->start_pfn)
			return &h->free[i];
	return NULL;
}

static void free_over_time(const struct page *p, const struct hs_free *f)
{
	FILE *out = p->out;
	const double ph = 200;
	double top = 1;

	for (uint32_t i = 0; i < f->n; i++)
		for (int o = 0; o < f->norders; o++)
			if (log10(1.0 + (double)f->blocks[i][o]) > top)
				top = log10(1.0 + (double)f->blocks[i][o]);
	fprintf(out, "<svg viewBox=\"0 0 %d %d\" role=\"img\">", PAGE_W, (int)ph + 30);
	plot_open(p, 0, ph);
	for (int o = 0; o < f->norders; o++) {
		fprintf(out, "<path fill=\"none\" stroke=\"hsl(%d,70%%,45%%)\" stroke-width=\"1.5\" "
			"vector-effect=\"non-scaling-stroke\" d=\"", o * 300 / (f->norders ? f->norders : 1));
		for (uint32_t i = 0; i < f->n; i++)
			fprintf(out, "%c%.2f %.1f", i ? 'L' : 'M', xt(p, f->ts[i]),
				ph - log10(1.0 + (double)f->blocks[i][o]) * ph / top);
		fprintf(out, "\"><title>order %d: %" PRIu64 " at the start, %" PRIu64 " at the end</title></path>", o,
			f->blocks[0][o], f->blocks[f->n - 1][o]);
	}
	fputs("</svg>", out);
	for (int d = 0; d <= (int)top; d++)
		fprintf(out, "<text class=\"lb\" x=\"%d\" y=\"%.1f\">%.0f</text>", LABEL_W - 6,
			ph - d * ph / top + 4, pow(10, d));
	time_axis(p, ph + 2);
	fputs("</svg><p class=\"note\">Free blocks per order (log scale), as the model had them:", out);
	for (int o = 0; o < f->norders; o++)
		fprintf(out, "<span class=\"key\" style=\"background:hsl(%d,70%%,45%%)\"></span>%d",
			o * 300 / (f->norders ? f->norders : 1), o);
	fprintf(out, "; %" PRIu32 " samples.</p>", f->n);
}

static void fragindex_chart(const struct page *p, const struct ct_model_zone *z, const char *zk)
{
	FILE *out = p->out;
	const double ph = 120, bw = (double)PLOT_W / (z->norders ? z->norders : 1);
	char key[160];

	fprintf(out, "<svg viewBox=\"0 0 %d %d\" role=\"img\"><g transform=\"translate(%d,5)\">", PAGE_W,
		(int)ph + 30, LABEL_W);
	fprintf(out, "<line class=\"ax\" x1=\"0\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\"/>", ph, PLOT_W, ph);
	for (int o = 0; o < z->norders; o++) {
		const int32_t *v[3] = { z->index_start_valid ? z->fragindex_start : NULL, z->fragindex_model_end,
					z->index_actual_end_valid ? z->fragindex_actual_end : NULL };
		static const char *const what[3] = { "start", "model end", "actual end" };
		static const char *const col[3] = { "#aaa", "#1f77b4", "#2ca02c" };

		for (int k = 0; k < 3; k++) {
			double h;

			if (!v[k] || (k == 1 && z->seeding == CT_SEED_TRACE))
				continue;
			h = v[k][o] > 0 ? v[k][o] * ph / 1000.0 : 0;
			fprintf(out, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"%s\"><title>order %d "
				"%s: %d%s</title></rect>", o * bw + 4 + k * (bw - 8) / 3, ph - h, (bw - 8) / 3 - 1,
				h < 1 ? 1 : h, col[k], o, what[k], (int)v[k][o],
				v[k][o] < 0 ? " (a block this large is free: no fragmentation failure)" : "");
		}
		fprintf(out, "<text class=\"tk\" x=\"%.1f\" y=\"%.1f\">%d</text>", o * bw + bw / 2, ph + 14, o);
	}
	fputs("</g><text class=\"lb\" x=\"194\" y=\"14\">1000</text><text class=\"lb\" x=\"194\" y=\"125\">0</text>"
	      "</svg><p class=\"note\">Fragmentation index per order (the kernel's: near 1000, a failure "
	      "would be due to fragmentation; negative, a block that large is free): "
	      "<span class=\"key\" style=\"background:#aaa\"></span>start "
	      "<span class=\"key\" style=\"background:#1f77b4\"></span>model at the end "
	      "<span class=\"key\" style=\"background:#2ca02c\"></span>snapshot at the end.</p>", out);

	/* the table: free blocks and the index per order */
	fputs("<table><tr><th class=\"l\">order</th>", out);
	for (int o = 0; o < z->norders; o++)
		fprintf(out, "<th>%d</th>", o);
	fputs("</tr>", out);
	for (int k = 0; k < 3; k++) {
		static const char *const rows[3] = { "start", "model_end", "actual_end" };
		const uint64_t *b[3] = { z->has_start ? z->start_blocks : NULL,
					 z->seeding == CT_SEED_TRACE ? NULL : z->model_end_blocks,
					 z->has_actual_end ? z->actual_end_blocks : NULL };

		if (!b[k])
			continue;
		fprintf(out, "<tr><td class=\"l\">free blocks, %s</td>", rows[k]);
		for (int o = 0; o < z->norders; o++) {
			snprintf(key, sizeof(key), "%s.free_blocks.%s.%d", zk, rows[k], o);
			fputs("<td>", out);
			num(out, key, b[k][o]);
			fputs("</td>", out);
		}
		fputs("</tr>", out);
	}
	for (int k = 0; k < 3; k++) {
		static const char *const rows[3] = { "start", "model_end", "actual_end" };
		const int32_t *v[3] = { z->index_start_valid ? z->fragindex_start : NULL,
					z->seeding == CT_SEED_TRACE ? NULL : z->fragindex_model_end,
					z->index_actual_end_valid ? z->fragindex_actual_end : NULL };

		if (!v[k])
			continue;
		fprintf(out, "<tr><td class=\"l\">fragmentation index, %s</td>", rows[k]);
		for (int o = 0; o < z->norders; o++) {
			snprintf(key, sizeof(key), "%s.fragmentation_index.%s.%d", zk, rows[k], o);
			fputs("<td>", out);
			inum(out, key, v[k][o]);
			fputs("</td>", out);
		}
		fputs("</tr>", out);
	}
	fputs("</table>", out);
}

/* the migratetype a map cell's letter names; -1: none ('X': pageblocks whose owner no event said) */
static int mt_of_letter(const struct page *p, const struct ct_model_results *r, char c)
{
	char up = c >= 'a' && c <= 'z' ? (char)(c - 'a' + 'A') : c;
	int n = p->in->facts && p->in->facts->nmigratetypes ? p->in->facts->nmigratetypes : 6;

	if (up == 'X')
		return -1;
	for (int t = 0; t < n; t++)
		if (r->mt_letters[t] == up)
			return t;
	return -1;
}

static const char *mt_name(const struct page *p, int t, char *buf, size_t size);

/* pageblocks of map cell @c that a fragmenting fallback polluted (JSON --pageblocks rows) */
static uint64_t cell_polluted(const struct ct_model_zone *z, uint32_t c, uint64_t ppc)
{
	uint64_t n = 0;

	for (uint64_t b = c * ppc; z->pageblocks && b < (c + 1) * ppc && b < z->npageblocks; b++)
		n += z->pageblocks[b].polluted;
	return n;
}

static void pageblock_map(const struct page *p, const struct ct_model_results *r, const struct ct_model_zone *z,
			  const char *zk)
{
	FILE *out = p->out;
	uint32_t rows = (z->map_cells + MAP_COLS - 1) / MAP_COLS;
	const double cw = (double)PLOT_W / MAP_COLS, chh = 10;
	uint64_t polluted = 0, ppc = z->pageblocks_per_cell ? z->pageblocks_per_cell : 1;
	int nmt = p->in->facts && p->in->facts->nmigratetypes ? p->in->facts->nmigratetypes : 6;
	char key[160], name[CT_FACT_NAME_LEN + 8];

	if (!z->map || !z->map_cells)
		return;
	fprintf(out, "<svg viewBox=\"0 0 %d %d\" role=\"img\"><g transform=\"translate(%d,2)\">", PAGE_W,
		(int)(rows * chh) + 6, LABEL_W);
	/* the cells no event touched ('?') are the background: only the others are drawn */
	for (uint32_t row = 0; row < rows; row++)
		fprintf(out, "<rect x=\"0\" y=\"%.1f\" width=\"%.2f\" height=\"%.1f\" fill=\"#e4e4e4\"><title>not "
			"modelled: no event touched these pageblocks</title></rect>", row * chh,
			(row + 1 < rows || !(z->map_cells % MAP_COLS) ? MAP_COLS : z->map_cells % MAP_COLS) * cw - 1,
			chh - 1);
	/* a run of like cells in a row is one mark */
	for (uint32_t c = 0, n; c < z->map_cells; c += n) {
		char ch = z->map[c];
		int mt = mt_of_letter(p, r, ch);
		uint64_t bad = cell_polluted(z, c, ppc);
		const char *fill = ch == '.' ? "#ffffff" : ch == ' ' ? "none" : mt >= 0 ? mt_colour[mt] : "#555";

		polluted += bad;
		for (n = 1; c + n < z->map_cells && (c + n) % MAP_COLS && z->map[c + n] == ch &&
			    !bad == !cell_polluted(z, c + n, ppc); n++)
			polluted += cell_polluted(z, c + n, ppc);
		if (ch == '?' && !bad)
			continue;
		fprintf(out, "<rect x=\"%.2f\" y=\"%.1f\" width=\"%.2f\" height=\"%.1f\" fill=\"%s\"%s%s>"
			"<title>%#" PRIx64 "-%#" PRIx64 ": %s%s%s</title></rect>", (c % MAP_COLS) * cw,
			(c / MAP_COLS) * chh, n * cw - 1, chh - 1, fill,
			ch >= 'a' && ch <= 'z' ? " fill-opacity=\"0.45\"" : "",
			bad ? " stroke=\"#000\" stroke-width=\"1.5\"" : "",
			z->start_pfn + c * ppc * (UINT64_C(1) << r->pageblock_order),
			z->start_pfn + (c + n) * ppc * (UINT64_C(1) << r->pageblock_order),
			ch == '.' ? "all free" : ch == '?' ? "not modelled" : ch == ' ' ? "no memory" :
			mt < 0 ? "owner not known" : "owner ",
			mt >= 0 ? mt_name(p, mt, name, sizeof(name)) : "",
			bad ? ", polluted" : ch >= 'a' && ch <= 'z' ? ", half free or more" : "");
	}
	for (int k = 0; k < 2; k++) {
		int64_t cell = k ? z->map_free_cell : z->map_migrate_cell;

		if (cell >= 0)
			fprintf(out, "<rect x=\"%.2f\" y=\"%.1f\" width=\"2\" height=\"%.1f\" fill=\"%s\"><title>the last "
				"run's %s scanner stopped here</title></rect>", (cell % MAP_COLS) * cw,
				(double)(cell / MAP_COLS) * chh, chh, k ? "#ff7f0e" : "#1f77b4", k ? "free" : "migrate");
	}
	fputs("</g></svg><p class=\"note\">Pageblock map, one cell per ", out);
	num(out, NULL, ppc);
	fputs(" pageblock(s), lowest pfn top left:", out);
	for (int t = 0; t < nmt; t++)
		fprintf(out, "<span class=\"key\" style=\"background:%s\"></span>%c %s", mt_colour[t], r->mt_letters[t],
			mt_name(p, t, name, sizeof(name)));
	fputs("<span class=\"key\" style=\"background:#555\"></span>owner not known; pale: at least half free; <span class=\"key\" style=\"background:#fff;border:1px solid #999\">"
	      "</span>all free; <span class=\"key\" style=\"background:#e4e4e4\"></span>not modelled; black "
	      "outline: polluted.</p><table><tr><th>pageblocks</th><th>polluted</th></tr><tr><td>", out);
	snprintf(key, sizeof(key), "%s.pageblock_count", zk);
	num(out, key, z->npageblocks);
	fputs("</td><td>", out);
	snprintf(key, sizeof(key), "%s.pollution.pageblocks", zk);
	num(out, z->pageblocks ? key : NULL, polluted);
	fputs("</td></tr></table>", out);
}

static void model(const struct page *p)
{
	const struct ct_model_results *r = p->in->model;
	FILE *out = p->out;
	char zk[96];

	fputs("<section id=\"model\"><h2>Shadow buddy model</h2>", out);
	if (!r) {
		notice(out, p->in->model_off ? p->in->model_off : "The model was not run (--no-model).");
		fputs("</section>\n", out);
		return;
	}
	fprintf(out, "<p class=\"note\">Every run replayed against a model of each zone's free memory "
		"(%s mode, pageblock order %d).</p>", ct_model_mode_name(r->mode), r->pageblock_order);
	for (uint32_t i = 0; i < r->nzones; i++) {
		const struct ct_model_zone *z = &r->zones[i];
		const struct hs_free *f = free_series(p->h, z);

		snprintf(zk, sizeof(zk), "model.zones[node=%d,zone=%s]", (int)z->nid, z->zone);
		fprintf(out, "<h3>node %d ", (int)z->nid);
		esc(out, z->zone);
		fprintf(out, " (seeded from %s)</h3>", ct_model_seeding_name(z->seeding));
		if (f)
			free_over_time(p, f);
		else
			fputs("<p class=\"note\">No free counts over time: no snapshot seeded this zone.</p>", out);
		fragindex_chart(p, z, zk);
		pageblock_map(p, r, z, zk);
	}
	for (uint32_t i = 0; i < r->nnotes; i++) {
		fputs("<p class=\"note\">", out);
		esc(out, r->notes[i]);
		fputs("</p>", out);
	}
	fputs("</section>\n", out);
}

/* ---- fallbacks ------------------------------------------------------------------------ */

static const char *mt_name(const struct page *p, int t, char *buf, size_t size)
{
	if (p->in->facts && t < p->in->facts->nmigratetypes)
		snprintf(buf, size, "%s", p->in->facts->migratetype_names[t]);
	else
		snprintf(buf, size, "type %d", t);
	return buf;
}

static void fallbacks(const struct page *p)
{
	const struct ct_extfrag_summary *x = &p->in->res->extfrag;
	const struct ct_model_results *r = p->in->model;
	FILE *out = p->out;
	uint64_t top = 1;
	int n = 0;
	char key[96], a[32], b[32];

	fputs("<section id=\"fallbacks\"><h2>Fallbacks</h2>", out);
	for (int i = 0; i < CT_MIGRATETYPES; i++)
		for (int f = 0; f < CT_MIGRATETYPES; f++)
			if (x->by_pair[i][f]) {
				n++;
				top = x->by_pair[i][f] > top ? x->by_pair[i][f] : top;
			}
	fputs("<h3>By migratetype pair</h3>", out);
	if (!n)
		notice(out, "No allocation fell back into another migratetype's pageblocks.");
	fprintf(out, "<svg viewBox=\"0 0 %d %d\" role=\"img\">", PAGE_W, n * LANE_H + 10);
	n = 0;
	for (int i = 0; i < CT_MIGRATETYPES; i++) {
		for (int f = 0; f < CT_MIGRATETYPES; f++) {
			if (!x->by_pair[i][f])
				continue;
			fprintf(out, "<text class=\"lb\" x=\"%d\" y=\"%d\">%s took from %s</text>", LABEL_W - 6,
				n * LANE_H + 13, mt_name(p, i, a, sizeof(a)), mt_name(p, f, b, sizeof(b)));
			fprintf(out, "<rect x=\"%d\" y=\"%d\" width=\"%.1f\" height=\"%d\" fill=\"%s\"><title>%" PRIu64
				"</title></rect>", LABEL_W, n * LANE_H + 2,
				(double)x->by_pair[i][f] * PLOT_W / (double)top + 1, LANE_H - 4, mt_colour[f],
				x->by_pair[i][f]);
			n++;
		}
	}
	fputs("</svg><table><tr><th class=\"l\">allocation</th><th class=\"l\">took from</th><th>fallbacks</th>"
	      "</tr>", out);
	for (int i = 0; i < CT_MIGRATETYPES; i++) {
		for (int f = 0; f < CT_MIGRATETYPES; f++) {
			if (!x->by_pair[i][f])
				continue;
			fprintf(out, "<tr><td class=\"l\">%s</td><td class=\"l\">%s</td><td>", mt_name(p, i, a, sizeof(a)),
				mt_name(p, f, b, sizeof(b)));
			snprintf(key, sizeof(key), "extfrag.by_migratetype[alloc=%d,fallback=%d].count", i, f);
			num(out, key, x->by_pair[i][f]);
			fputs("</td></tr>", out);
		}
	}
	fputs("</table><h3>By task</h3>", out);
	if (!r || !r->nculprits) {
		fputs("<p class=\"note\">", out);
		fputs(r ? "No task's allocation fell back." : "Per task from the shadow model, which did not run.", out);
		fputs("</p></section>\n", out);
		return;
	}
	top = 1;
	for (uint32_t i = 0; i < r->nculprits; i++)
		top = r->culprits[i].fallbacks > top ? r->culprits[i].fallbacks : top;
	fprintf(out, "<svg viewBox=\"0 0 %d %u\" role=\"img\">", PAGE_W, r->nculprits * LANE_H + 6);
	for (uint32_t i = 0; i < r->nculprits; i++) {
		const struct ct_model_culprit *c = &r->culprits[i];

		fprintf(out, "<text class=\"lb\" x=\"%d\" y=\"%u\">", LABEL_W - 6, i * LANE_H + 13);
		esc(out, c->comm);
		fprintf(out, " %d</text><rect x=\"%d\" y=\"%u\" width=\"%.1f\" height=\"%d\" fill=\"#888\"><title>%" PRIu64
			" fallbacks</title></rect><rect x=\"%d\" y=\"%u\" width=\"%.1f\" height=\"%d\" fill=\"#d62728\">"
			"<title>%" PRIu64 " fragmenting</title></rect>", (int)c->pid, LABEL_W, i * LANE_H + 2,
			(double)c->fallbacks * PLOT_W / (double)top + 1, LANE_H - 4, c->fallbacks, LABEL_W,
			i * LANE_H + 2, (double)c->fragmenting * PLOT_W / (double)top, LANE_H - 4, c->fragmenting);
	}
	fputs("</svg><p class=\"note\"><span class=\"key\" style=\"background:#888\"></span>fallbacks "
	      "<span class=\"key\" style=\"background:#d62728\"></span>fragmenting</p><table><tr><th class=\"l\">"
	      "task</th><th>pid</th><th>fallbacks</th><th>fragmenting</th><th>pageblocks polluted first</th>"
	      "<th>later failed runs over them</th></tr>", out);
	for (uint32_t i = 0; i < r->nculprits; i++) {
		const struct ct_model_culprit *c = &r->culprits[i];

		fputs("<tr><td class=\"l\">", out);
		esc(out, c->comm);
		fprintf(out, "</td><td>%d</td><td>", (int)c->pid);
		snprintf(key, sizeof(key), "model.polluters.%u.fallbacks", i);
		num(out, key, c->fallbacks);
		fputs("</td><td>", out);
		snprintf(key, sizeof(key), "model.polluters.%u.fragmenting", i);
		num(out, key, c->fragmenting);
		fputs("</td><td>", out);
		snprintf(key, sizeof(key), "model.polluters.%u.pageblocks_polluted", i);
		num(out, key, c->pageblocks_polluted);
		fputs("</td><td>", out);
		snprintf(key, sizeof(key), "model.polluters.%u.later_failed_runs", i);
		num(out, key, c->later_failed_runs);
		fputs("</td></tr>", out);
	}
	fputs("</table></section>\n", out);
}

/* ---- the checks ------------------------------------------------------------------------ */

static void quality_row(FILE *out, const char *label, const char *key, uint64_t v)
{
	fprintf(out, "<tr><td class=\"l\">%s</td><td>", label);
	num(out, key, v);
	fputs("</td></tr>", out);
}

/* per counter: the trace's total and the vmstat delta, log scale, coloured by verdict */
static void vmstat_chart(const struct page *p)
{
	static const char *const verdict_colour[] = { "#2ca02c", "#1f77b4", "#d62728", "#aaa" };
	const struct ct_vmstat_check *c = p->in->vmstat;
	FILE *out = p->out;
	double top = 1;

	for (int i = 0; i < CT_VMSTAT_COUNTERS; i++) {
		double a = log10(1.0 + (double)c->counters[i].trace);
		double b = c->counters[i].vmstat_delta > 0 ? log10(1.0 + (double)c->counters[i].vmstat_delta) : 0;

		top = a > top ? a : top;
		top = b > top ? b : top;
	}
	fprintf(out, "<svg viewBox=\"0 0 %d %d\" role=\"img\">", PAGE_W, CT_VMSTAT_COUNTERS * 2 * 9 + 24);
	for (int i = 0; i < CT_VMSTAT_COUNTERS; i++) {
		const struct ct_vmstat_counter *v = &c->counters[i];
		int y = i * 18;
		double wt = log10(1.0 + (double)v->trace) * PLOT_W / top;
		double wv = v->vmstat_delta > 0 ? log10(1.0 + (double)v->vmstat_delta) * PLOT_W / top : 0;

		fprintf(out, "<text class=\"lb\" x=\"%d\" y=\"%d\">%s</text>", LABEL_W - 6, y + 14, v->name);
		fprintf(out, "<rect x=\"%d\" y=\"%d\" width=\"%.1f\" height=\"7\" fill=\"%s\"><title>trace %" PRIu64
			"</title></rect><rect x=\"%d\" y=\"%d\" width=\"%.1f\" height=\"7\" fill=\"%s\" "
			"fill-opacity=\"0.5\"><title>vmstat %" PRId64 " (%s)</title></rect>", LABEL_W, y + 2, wt + 1,
			verdict_colour[v->verdict], v->trace, LABEL_W, y + 9, wv + 1, verdict_colour[v->verdict],
			v->vmstat_delta, ct_verdict_name(v->verdict));
	}
	fprintf(out, "</svg><p class=\"note\">Per counter, the trace's total (upper bar) and the vmstat delta "
		"(lower, pale), log scale: <span class=\"key\" style=\"background:#2ca02c\"></span>equal "
		"<span class=\"key\" style=\"background:#1f77b4\"></span>explained "
		"<span class=\"key\" style=\"background:#d62728\"></span>unexplained</p>");
}

static void checks(const struct page *p)
{
	const struct ct_quality *q = &p->in->res->quality;
	FILE *out = p->out;
	char key[96];

	fputs("<section id=\"checks\"><h2>Checks</h2><h3>Trace totals against /proc/vmstat</h3>", out);
	if (!p->in->vmstat) {
		notice(out, "No snapshots: give --snapshot-start and --snapshot-end (or a file of 'compactrace "
		       "record', which carries its own).");
	} else {
		vmstat_chart(p);
		fputs("<table><tr><th class=\"l\">counter</th><th>trace</th><th>vmstat delta</th><th class=\"l\">"
		      "verdict</th><th class=\"l\">why</th></tr>", out);
		for (int i = 0; i < CT_VMSTAT_COUNTERS; i++) {
			const struct ct_vmstat_counter *c = &p->in->vmstat->counters[i];

			fprintf(out, "<tr><td class=\"l\">%s</td><td>", c->name);
			snprintf(key, sizeof(key), "vmstat_check.%s.trace", c->name);
			num(out, key, c->trace);
			fputs("</td><td>", out);
			snprintf(key, sizeof(key), "vmstat_check.%s.vmstat_delta", c->name);
			inum(out, key, c->vmstat_delta);
			fprintf(out, "</td><td class=\"l\" style=\"color:%s\">%s</td><td class=\"l\">",
				c->verdict == CT_VERDICT_UNEXPLAINED ? "#d62728" : "#222", ct_verdict_name(c->verdict));
			esc(out, c->reason);
			fputs("</td></tr>", out);
		}
		fputs("</table>", out);
	}
	fputs("<h3>Data quality</h3><table><tr><th class=\"l\">what</th><th>count</th></tr>", out);
	quality_row(out, "lost events", "quality.lost_events", q->lost_events);
	quality_row(out, "places that lost an unknown number", "quality.lost_unknown", q->lost_unknown);
	quality_row(out, "begin without end", "quality.unmatched_begin", q->unmatched_begin);
	quality_row(out, "end without begin", "quality.unmatched_end", q->unmatched_end);
	quality_row(out, "out-of-order timestamps", "quality.out_of_order", q->out_of_order);
	quality_row(out, "other events", "quality.unknown_events", q->unknown_events);
	quality_row(out, "unparsable", "quality.parse_errors", q->parse_errors);
	quality_row(out, "isolations outside any run", "quality.isolate_outside_run", q->isolate_outside_run);
	quality_row(out, "out-of-range values", "quality.bad_values", q->bad_values);
	fputs("</table>", out);
	if (q->lost_events || q->lost_unknown)
		fputs("<p style=\"color:#d62728\">Events were lost: totals are lower bounds.</p>", out);
	fputs("</section>\n", out);
}

int ct_report_html(FILE *out, const struct ct_report_input *in, const struct ct_html_series *series)
{
	struct page p = { .out = out, .in = in, .h = series };

	if (series->nomem)
		return -CT_E_NOMEM;
	p.t0 = series->have_ts ? series->first_ns : 0;
	p.span = series->have_ts && series->last_ns > series->first_ns ? series->last_ns - series->first_ns : 1;
	head(&p);
	summary(&p);
	latency(&p);
	if (timeline(&p) < 0)
		return -CT_E_NOMEM;
	scanners(&p);
	model(&p);
	fallbacks(&p);
	checks(&p);
	fputs("<div id=\"readout\"></div>\n<script>", out);
	fputs(script, out);
	fputs("</script>\n</body></html>\n", out);
	return ferror(out) ? -CT_E_WRITE : 0;
}
