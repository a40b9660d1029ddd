// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The report for people: a one-screen summary first, then tables by
 * trigger, status, zone and order, the slowest stalls and runs, and the
 * data-quality block that every report carries.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "compactrace/error.h"
#include "compactrace/report.h"
#include "sanitize.h"
#include "text_util.h"
#include "text_model.h"

#define grouped ct_grouped	/* 1234567 -> "1,234,567" (text_util.c) */

/* a duration with a unit a person reads at a glance */
static const char *dur(char *buf, size_t size, uint64_t ns)
{
	if (ns < 10000)
		snprintf(buf, size, "%.1f us", (double)ns / 1e3);
	else if (ns < 10000000)
		snprintf(buf, size, "%.0f us", (double)ns / 1e3);
	else if (ns < 10000000000ull)
		snprintf(buf, size, "%.1f ms", (double)ns / 1e6);
	else
		snprintf(buf, size, "%.2f s", (double)ns / 1e9);
	return buf;
}

static const char *ts(char *buf, size_t size, uint64_t ns)
{
	snprintf(buf, size, "%" PRIu64 ".%06" PRIu64, ns / UINT64_C(1000000000), (ns % UINT64_C(1000000000)) / 1000);
	return buf;
}

static void latency_cols(FILE *out, const struct ct_latency *lat)
{
	char a[24], b[24], c[24], d[24];

	fprintf(out, " %10s %10s %10s %10s%s\n", dur(a, sizeof(a), ct_latency_percentile(lat, 50)),
		dur(b, sizeof(b), ct_latency_percentile(lat, 90)),
		dur(c, sizeof(c), ct_latency_percentile(lat, 99)), dur(d, sizeof(d), lat->max_ns),
		ct_latency_is_exact(lat) ? "" : "  (~)");
}

static void print_header(FILE *out, const struct ct_report_input *in)
{
	const struct ct_results *r = in->res;
	char n[32], a[32], b[32];

	fprintf(out, "compactrace report: %u source%s, %s events\n", r->nsources,
		r->nsources == 1 ? "" : "s", grouped(n, sizeof(n), r->events));
	for (uint32_t i = 0; i < r->nsources; i++) {
		const struct ct_source_summary *s = &r->sources[i];
		char path[256];

		ct_sanitize(path, sizeof(path), s->path, 1);
		fprintf(out, "  %s  [%s]  %s events", path, s->format, grouped(n, sizeof(n), s->events));
		if (s->events)
			fprintf(out, "  %s .. %s s", ts(a, sizeof(a), s->first_ts_ns),
				ts(b, sizeof(b), s->last_ts_ns));
		fputc('\n', out);
	}
	if (in->filter)
		fprintf(out, "  filter: %s (%s events of other tasks skipped)\n", in->filter,
			grouped(n, sizeof(n), r->filtered_out));
}

static void print_summary(FILE *out, const struct ct_results *r)
{
	const struct ct_run_summary *rs = &r->runs;
	const struct ct_stall_summary *ss = &r->stalls;
	const struct ct_totals *t = &r->totals;
	char a[32], b[32], c[32], d[32], e[32];

	fprintf(out, "\nSummary\n");
	fprintf(out, "  compaction runs   %s", grouped(a, sizeof(a), rs->count));
	if (rs->count) {
		const char *sep = " (";

		for (int i = 0; i < CT_TRIGGER_COUNT; i++) {
			if (!rs->by_trigger[i])
				continue;
			fprintf(out, "%s%s %s", sep, ct_trigger_name(i), grouped(a, sizeof(a), rs->by_trigger[i]));
			sep = ", ";
		}
		fprintf(out, "); duration p50 %s, p99 %s, max %s",
			dur(b, sizeof(b), ct_latency_percentile(&rs->duration, 50)),
			dur(c, sizeof(c), ct_latency_percentile(&rs->duration, 99)),
			dur(d, sizeof(d), rs->duration.max_ns));
	}
	fprintf(out, "\n  direct stalls     %s", grouped(a, sizeof(a), ss->count));
	if (ss->count)
		fprintf(out, "; latency p50 %s, p99 %s, max %s; succeeded %s",
			dur(b, sizeof(b), ct_latency_percentile(&ss->latency, 50)),
			dur(c, sizeof(c), ct_latency_percentile(&ss->latency, 99)),
			dur(d, sizeof(d), ss->latency.max_ns),
			grouped(e, sizeof(e), ss->by_result[CT_STATUS_SUCCESS]));
	fprintf(out, "\n  pages             migrate-scanned %s, free-scanned %s, isolated %s\n",
		grouped(a, sizeof(a), t->compact_migrate_scanned),
		grouped(b, sizeof(b), t->compact_free_scanned), grouped(c, sizeof(c), t->compact_isolated));
	fprintf(out, "                    migrated %s, migration failed %s; scanners met in %s run%s\n",
		grouped(a, sizeof(a), rs->migrated), grouped(b, sizeof(b), rs->migrate_failed),
		grouped(c, sizeof(c), rs->scanners_met), rs->scanners_met == 1 ? "" : "s");
	fprintf(out, "  kcompactd         %s wake%s, daemon migrate-scanned %s, free-scanned %s\n",
		grouped(a, sizeof(a), t->compact_daemon_wake), t->compact_daemon_wake == 1 ? "" : "s",
		grouped(b, sizeof(b), t->compact_daemon_migrate_scanned),
		grouped(c, sizeof(c), t->compact_daemon_free_scanned));
	fprintf(out, "  extfrag           %s fallback%s, %s fragmenting, %s pageblock%s polluted\n",
		grouped(a, sizeof(a), r->extfrag.events), r->extfrag.events == 1 ? "" : "s",
		grouped(b, sizeof(b), r->extfrag.fragmenting),
		grouped(c, sizeof(c), r->extfrag.pageblocks_polluted),
		r->extfrag.pageblocks_polluted == 1 ? "" : "s");
}

static void print_runs(FILE *out, const struct ct_run_summary *rs)
{
	char a[32];

	if (!rs->count)
		return;
	fprintf(out, "\nRuns by trigger          count        p50        p90        p99        max\n");
	for (int i = 0; i < CT_TRIGGER_COUNT; i++) {
		if (!rs->by_trigger[i])
			continue;
		fprintf(out, "  %-18s %11s", ct_trigger_name(i), grouped(a, sizeof(a), rs->by_trigger[i]));
		latency_cols(out, &rs->duration_by_trigger[i]);
	}
	fprintf(out, "\nRuns by status           count        p50        p90        p99        max\n");
	for (int i = 0; i < CT_STATUS_COUNT; i++) {
		if (!rs->by_status[i])
			continue;
		fprintf(out, "  %-18s %11s", ct_status_name(i), grouped(a, sizeof(a), rs->by_status[i]));
		latency_cols(out, &rs->duration_by_status[i]);
	}
	fprintf(out, "\nRuns by order and mode\n ");
	for (int i = 0, n = 0; i < CT_ORDER_SLOTS; i++)
		if (rs->by_order[i])
			fprintf(out, "%s order %d: %s", n++ ? "," : "", i + CT_ORDER_MIN,
				grouped(a, sizeof(a), rs->by_order[i]));
	if (rs->order_unknown)
		fprintf(out, ", order unknown: %s", grouped(a, sizeof(a), rs->order_unknown));
	fprintf(out, "\n  sync %s", grouped(a, sizeof(a), rs->by_mode[CT_MODE_SYNC]));
	fprintf(out, ", async %s", grouped(a, sizeof(a), rs->by_mode[CT_MODE_ASYNC]));
	if (rs->by_mode[CT_MODE_UNKNOWN])
		fprintf(out, ", mode unknown %s", grouped(a, sizeof(a), rs->by_mode[CT_MODE_UNKNOWN]));
	fputc('\n', out);
}

static void print_zones(FILE *out, const struct ct_results *r)
{
	char a[32], b[32], c[32], d[32], e[32], f[32];

	if (!r->nzones)
		return;
	fprintf(out, "\nZones\n  node zone     span (pfn)                   runs  success  "
		"migrate-scanned  free-scanned   migrated  deferred\n");
	for (uint32_t i = 0; i < r->nzones; i++) {
		const struct ct_zone_summary *z = &r->zones[i];
		uint64_t deferred = 0;
		char span[48];

		for (int o = 0; o < CT_ORDER_SLOTS; o++)
			deferred += z->deferred[o];
		snprintf(span, sizeof(span), "%#" PRIx64 "-%#" PRIx64, z->zone_start_pfn, z->zone_end_pfn);
		fprintf(out, "  %4d %-8s %-26s %6s %8s %16s %13s %10s %9s\n", z->nid, z->zone,
			z->runs ? span : "-", grouped(a, sizeof(a), z->runs),
			grouped(b, sizeof(b), z->by_status[CT_STATUS_SUCCESS]),
			grouped(c, sizeof(c), z->migrate_scanned), grouped(d, sizeof(d), z->free_scanned),
			grouped(e, sizeof(e), z->migrated), grouped(f, sizeof(f), deferred));
	}
}

static void print_deferrals(FILE *out, const struct ct_results *r)
{
	int any = 0;
	char a[32], b[32], c[32];

	for (uint32_t i = 0; i < r->nzones; i++) {
		const struct ct_zone_summary *z = &r->zones[i];

		for (int o = 0; o < CT_ORDER_SLOTS; o++) {
			if (!z->deferred[o] && !z->defer_compaction[o] && !z->defer_reset[o])
				continue;
			if (!any++)
				fprintf(out, "\nDeferrals            order   deferred  defer_compaction  defer_reset\n");
			fprintf(out, "  node %d %-8s %8d %10s %17s %12s\n", z->nid, z->zone, o + CT_ORDER_MIN,
				grouped(a, sizeof(a), z->deferred[o]),
				grouped(b, sizeof(b), z->defer_compaction[o]),
				grouped(c, sizeof(c), z->defer_reset[o]));
		}
	}
}

static void print_stalls(FILE *out, const struct ct_stall_summary *ss)
{
	char a[32], b[32];

	if (!ss->count)
		return;
	fprintf(out, "\nStalls by order          count        p50        p90        p99        max\n");
	for (int i = 0; i < CT_ORDER_SLOTS; i++) {
		if (!ss->by_order[i])
			continue;
		fprintf(out, "  order %-12d %11s", i + CT_ORDER_MIN, grouped(a, sizeof(a), ss->by_order[i]));
		latency_cols(out, &ss->latency_by_order[i]);
	}
	fprintf(out, "\nSlowest direct stalls\n  %-17s %-16s %7s %5s %10s  %-17s zones\n", "time (s)", "task",
		"pid", "order", "latency", "result");
	for (uint32_t i = 0; i < ss->nslowest; i++) {
		const struct ct_stall *st = &ss->slowest[i];
		char comm[CT_COMM_LEN * 4];

		ct_sanitize(comm, sizeof(comm), st->comm, 1);
		fprintf(out, "  %-17s %-16s %7d %5d %10s  %-17s", ts(a, sizeof(a), st->ts_ns), comm, st->pid,
			st->order, dur(b, sizeof(b), st->latency_ns), ct_status_name(st->result));
		for (uint32_t z = 0; z < st->nzones; z++)
			fprintf(out, "%s%d/%s:%s", z ? " " : "", st->zones[z].nid, st->zones[z].zone,
				ct_status_name(st->zones[z].status));
		fprintf(out, "%s\n", st->zones_truncated ? " ..." : "");
	}
}

static void print_slowest_runs(FILE *out, const struct ct_run_summary *rs)
{
	char a[32], b[32], c[32], d[32];

	if (!rs->nslowest)
		return;
	fprintf(out, "\nSlowest runs\n  %-17s %-16s %7s %-10s %-9s %5s %10s  %-17s %12s %12s\n", "time (s)",
		"task", "pid", "trigger", "zone", "order", "duration", "status", "mig-scanned", "migrated");
	for (uint32_t i = 0; i < rs->nslowest; i++) {
		const struct ct_run *run = &rs->slowest[i];
		char comm[CT_COMM_LEN * 4], order[16];

		ct_sanitize(comm, sizeof(comm), run->comm, 1);
		if (run->order == INT32_MIN)
			snprintf(order, sizeof(order), "?");
		else
			snprintf(order, sizeof(order), "%d", run->order);
		fprintf(out, "  %-17s %-16s %7d %-10s %-9s %5s %10s  %-17s %12s %12s\n",
			ts(a, sizeof(a), run->begin_ns), comm, run->pid, ct_trigger_name(run->trigger),
			run->zone[0] ? run->zone : "?", order, dur(b, sizeof(b), run->end_ns - run->begin_ns),
			ct_status_name(run->status), grouped(c, sizeof(c), run->migrate_scanned),
			grouped(d, sizeof(d), run->migrated));
	}
}

static void print_kcompactd(FILE *out, const struct ct_results *r)
{
	char a[32], b[32], c[32], d[32], e[32];

	if (!r->nkcompactd)
		return;
	fprintf(out, "\nkcompactd   wakeup-requests    wakes   sleeps      awake     runs  proactive\n");
	for (uint32_t i = 0; i < r->nkcompactd; i++) {
		const struct ct_kcompactd_summary *k = &r->kcompactd[i];
		char aw[32];

		fprintf(out, "  node %-4d %15s %8s %8s %10s %8s %10s\n", k->nid,
			grouped(a, sizeof(a), k->wakeup_requests), grouped(b, sizeof(b), k->wakes),
			grouped(c, sizeof(c), k->sleeps), dur(aw, sizeof(aw), k->awake_ns),
			grouped(d, sizeof(d), k->runs), grouped(e, sizeof(e), k->proactive_runs));
	}
}

static const char *pbo_source(enum ct_pageblock_order_source s)
{
	switch (s) {
	case CT_PBO_KERNEL_TEXT: return "printed by the kernel";
	case CT_PBO_SNAPSHOT: return "from /proc/pagetypeinfo";
	case CT_PBO_USER: return "given by the user";
	default: return "x86-64 default: no snapshot or kernel text said";
	}
}

static void print_extfrag(FILE *out, const struct ct_extfrag_summary *x)
{
	static const char *const mt[] = { "Unmovable", "Movable", "Reclaimable" };
	char a[32];

	if (!x->events)
		return;
	fprintf(out, "\nExternal fragmentation (pageblock order %d, %s)\n", x->pageblock_order,
		pbo_source(x->pageblock_order_source));
	fprintf(out, "  fallbacks %s", grouped(a, sizeof(a), x->events));
	fprintf(out, ", fragmenting %s", grouped(a, sizeof(a), x->fragmenting));
	fprintf(out, ", changed ownership %s", grouped(a, sizeof(a), x->change_ownership));
	fprintf(out, ", pageblocks polluted %s\n", grouped(a, sizeof(a), x->pageblocks_polluted));
	for (int i = 0; i < CT_MIGRATETYPES; i++) {
		for (int f = 0; f < CT_MIGRATETYPES; f++) {
			char an[16], fn[16];

			if (!x->by_pair[i][f])
				continue;
			snprintf(an, sizeof(an), "%s", i < 3 ? mt[i] : "type");
			snprintf(fn, sizeof(fn), "%s", f < 3 ? mt[f] : "type");
			fprintf(out, "  %-12s (%d) took from %-12s (%d): %s\n", an, i, fn, f,
				grouped(a, sizeof(a), x->by_pair[i][f]));
		}
	}
	if (x->printed_fragmenting_disagrees)
		fprintf(out, "  note: the input printed a wrong fragmenting= on %s events "
			"(a known trace-cmd/perf bug); recomputed here\n",
			grouped(a, sizeof(a), x->printed_fragmenting_disagrees));
}

static void print_quality(FILE *out, const struct ct_results *r)
{
	const struct ct_quality *q = &r->quality;
	char a[32], b[32], c[32];

	fprintf(out, "\nData quality\n");
	fprintf(out, "  lost events %s", grouped(a, sizeof(a), q->lost_events));
	if (q->lost_unknown)
		fprintf(out, " (+ %s places that lost an unknown number)", grouped(a, sizeof(a), q->lost_unknown));
	fprintf(out, ", begin without end %s, end without begin %s\n",
		grouped(b, sizeof(b), q->unmatched_begin), grouped(c, sizeof(c), q->unmatched_end));
	fprintf(out, "  out-of-order timestamps %s, other events %s, unparsable %s",
		grouped(a, sizeof(a), q->out_of_order), grouped(b, sizeof(b), q->unknown_events),
		grouped(c, sizeof(c), q->parse_errors));
	for (uint32_t i = 0; i < q->nparse_error_where; i++)
		fprintf(out, "%s%" PRIu64, i ? ", " : " (at ", q->parse_error_where[i]);
	fprintf(out, "%s\n", q->nparse_error_where ? (q->parse_errors > q->nparse_error_where ? ", ...)" : ")") : "");
	if (q->isolate_outside_run || q->bad_values)
		fprintf(out, "  isolations outside any run %s, out-of-range values %s\n",
			grouped(a, sizeof(a), q->isolate_outside_run), grouped(b, sizeof(b), q->bad_values));
	if (q->lost_events || q->lost_unknown)
		fprintf(out, "  WARNING: events were lost; totals are lower bounds\n");
}

static void print_vmstat(FILE *out, const struct ct_report_input *in)
{
	char a[32];

	if (!in->vmstat) {
		fprintf(out, "\nvmstat check: no snapshots (--snapshot-start/--snapshot-end DIR)\n");
		return;
	}
	fprintf(out, "\nvmstat check (trace totals vs /proc/vmstat delta)\n");
	for (int i = 0; i < CT_VMSTAT_COUNTERS; i++) {
		const struct ct_vmstat_counter *c = &in->vmstat->counters[i];

		fprintf(out, "  %-31s %13s %13" PRId64 "  %-11s %s\n", c->name, grouped(a, sizeof(a), c->trace),
			c->vmstat_delta, ct_verdict_name(c->verdict), c->reason);
	}
}

int ct_report_text(FILE *out, const struct ct_report_input *in)
{
	print_header(out, in);
	print_summary(out, in->res);
	print_runs(out, &in->res->runs);
	print_zones(out, in->res);
	print_stalls(out, &in->res->stalls);
	print_slowest_runs(out, &in->res->runs);
	print_deferrals(out, in->res);
	print_kcompactd(out, in->res);
	print_extfrag(out, &in->res->extfrag);
	print_quality(out, in->res);
	print_vmstat(out, in);
	ct_text_model(out, in);
	return ferror(out) ? -CT_E_WRITE : 0;
}
