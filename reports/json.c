// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The JSON report (and NDJSON lines). The only file that includes cJSON.h.
 * 64-bit integers are written as raw decimal text, never through a double,
 * so pfns and ns timestamps above 2^53 stay exact; durations in µs are
 * written as exact decimals of the ns value. Nothing can produce NaN.
 */
#include <cjson/cJSON.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compactrace/error.h"
#include "compactrace/capture_info.h"
#include "compactrace/hugepages_report.h"
#include "compactrace/report.h"
#include "numfmt.h"
#include "sanitize.h"

/* Every builder returns NULL on allocation failure; callers check once. */

static cJSON *add_u64(cJSON *obj, const char *key, uint64_t v)
{
	char buf[24];

	snprintf(buf, sizeof(buf), "%" PRIu64, v);
	return cJSON_AddRawToObject(obj, key, buf);
}

static cJSON *add_i64(cJSON *obj, const char *key, int64_t v)
{
	char buf[24];

	snprintf(buf, sizeof(buf), "%" PRId64, v);
	return cJSON_AddRawToObject(obj, key, buf);
}

/* ns as an exact decimal number of µs: 1234567 -> 1234.567 */
static cJSON *add_us(cJSON *obj, const char *key, uint64_t ns)
{
	char buf[32];

	return cJSON_AddRawToObject(obj, key, ct_fmt_us_exact(buf, sizeof(buf), ns));
}

/* cJSON escapes quotes and control characters; invalid UTF-8 is replaced first */
static cJSON *add_str(cJSON *obj, const char *key, const char *s)
{
	char clean[512];

	ct_sanitize(clean, sizeof(clean), s, 0);
	return cJSON_AddStringToObject(obj, key, clean);
}

static cJSON *obj_in(cJSON *parent, const char *key)
{
	return cJSON_AddObjectToObject(parent, key);
}

static int add_latency(cJSON *parent, const char *key, const struct ct_latency *lat)
{
	cJSON *o = obj_in(parent, key), *hist;
	int ok;

	if (!o)
		return 0;
	ok = add_u64(o, "count", lat->count) &&
	     add_us(o, "p50", ct_latency_percentile(lat, 50)) &&
	     add_us(o, "p90", ct_latency_percentile(lat, 90)) &&
	     add_us(o, "p99", ct_latency_percentile(lat, 99)) &&
	     add_us(o, "max", lat->max_ns) &&
	     add_us(o, "mean", lat->count ? lat->sum_ns / lat->count : 0) &&
	     cJSON_AddBoolToObject(o, "exact", ct_latency_is_exact(lat));
	hist = ok ? cJSON_AddArrayToObject(o, "histogram") : NULL;
	if (!hist)
		return 0;
	for (int b = 0; b < CT_LATENCY_LOG2_US; b++) {
		cJSON *bucket;

		if (!lat->log2_us[b])
			continue;
		bucket = cJSON_CreateObject();
		if (!bucket || !cJSON_AddItemToArray(hist, bucket))
			return cJSON_Delete(bucket), 0;
		if (!add_u64(bucket, "le_us", 1ull << b) || !add_u64(bucket, "count", lat->log2_us[b]))
			return 0;
	}
	return 1;
}

/*
 * The one rule for every count map (by trigger, status, mode, order, event
 * name): only its non-zero counts are listed; a key that is absent counts 0.
 */
static int add_counts(cJSON *parent, const char *key, const uint64_t *v, int n,
		      const char *(*name)(int))
{
	cJSON *o = obj_in(parent, key);

	if (!o)
		return 0;
	for (int i = 0; i < n; i++)
		if (v[i] && !add_u64(o, name(i), v[i]))
			return 0;
	return 1;
}

static const char *status_key(int i)
{
	return ct_status_name((enum ct_status)i);
}

static const char *trigger_key(int i)
{
	return ct_trigger_name((enum ct_trigger)i);
}

static const char *mode_key(int i)
{
	return ct_mode_name((enum ct_mode)i);
}

static int add_status_counts(cJSON *parent, const char *key, const uint64_t *by_status)
{
	return add_counts(parent, key, by_status, CT_STATUS_COUNT, status_key);
}

/* by order, keyed "-1".."11"; the same rule as add_counts() */
static int add_order_counts(cJSON *parent, const char *key, const uint64_t *by_slot)
{
	cJSON *o = obj_in(parent, key);
	char name[8];

	if (!o)
		return 0;
	for (int i = 0; i < CT_ORDER_SLOTS; i++) {
		if (!by_slot[i])
			continue;
		snprintf(name, sizeof(name), "%d", i + CT_ORDER_MIN);
		if (!add_u64(o, name, by_slot[i]))
			return 0;
	}
	return 1;
}

static int add_sources(cJSON *root, const struct ct_results *r)
{
	cJSON *arr = cJSON_AddArrayToObject(root, "sources");

	if (!arr)
		return 0;
	for (uint32_t i = 0; i < r->nsources; i++) {
		const struct ct_source_summary *s = &r->sources[i];
		cJSON *o = cJSON_CreateObject(), *names;

		if (!o || !cJSON_AddItemToArray(arr, o))
			return cJSON_Delete(o), 0;
		if (!add_str(o, "path", s->path) || !add_str(o, "format", s->format) ||
		    !add_u64(o, "events", s->events) || !(names = obj_in(o, "events_by_name")))
			return 0;
		for (uint32_t j = 0; j < s->nnames; j++)
			if (!add_u64(names, s->names[j].name, s->names[j].count))
				return 0;
		if (s->names_overflow && !add_u64(names, "(other names)", s->names_overflow))
			return 0;
		if (!add_u64(o, "first_ts_ns", s->first_ts_ns) || !add_u64(o, "last_ts_ns", s->last_ts_ns))
			return 0;
	}
	return 1;
}

static int add_totals(cJSON *root, const struct ct_totals *t)
{
	cJSON *o = obj_in(root, "totals");

	return o && add_u64(o, "compact_migrate_scanned", t->compact_migrate_scanned) &&
	       add_u64(o, "compact_free_scanned", t->compact_free_scanned) &&
	       add_u64(o, "compact_isolated", t->compact_isolated) &&
	       add_u64(o, "compact_stall", t->compact_stall) &&
	       add_u64(o, "compact_daemon_wake", t->compact_daemon_wake) &&
	       add_u64(o, "compact_daemon_migrate_scanned", t->compact_daemon_migrate_scanned) &&
	       add_u64(o, "compact_daemon_free_scanned", t->compact_daemon_free_scanned);
}

static cJSON *add_u64_or_null(cJSON *obj, const char *key, uint64_t v, int valid)
{
	return valid ? add_u64(obj, key, v) : cJSON_AddNullToObject(obj, key);
}

/*
 * A run whose begin was lost: null begin, duration, start positions and
 * step counts (its steps before the end are outside any run we know).
 */
static int fill_run(cJSON *o, const struct ct_run *run)
{
	int b = run->begin_known;

	return add_u64_or_null(o, "begin_ns", run->begin_ns, b) &&
	       (b ? add_us(o, "duration_us", run->end_ns - run->begin_ns) :
		    cJSON_AddNullToObject(o, "duration_us")) &&
	       cJSON_AddNumberToObject(o, "pid", run->pid) && add_str(o, "comm", run->comm) &&
	       cJSON_AddNumberToObject(o, "node", run->nid) && add_str(o, "zone", run->zone) &&
	       add_u64(o, "zone_start_pfn", run->zone_start) && add_u64(o, "zone_end_pfn", run->zone_end) &&
	       add_str(o, "trigger", ct_trigger_name(run->trigger)) &&
	       add_str(o, "mode", ct_mode_name(run->mode)) &&
	       (run->order == INT32_MIN ? cJSON_AddNullToObject(o, "order") :
					  cJSON_AddNumberToObject(o, "order", run->order)) &&
	       add_str(o, "status", ct_status_name(run->status)) &&
	       add_u64_or_null(o, "migrate_pfn_start", run->migrate_start, b) &&
	       add_u64(o, "migrate_pfn_end", run->migrate_end) &&
	       add_u64_or_null(o, "free_pfn_start", run->free_start, b) &&
	       add_u64(o, "free_pfn_end", run->free_end) &&
	       cJSON_AddBoolToObject(o, "scanners_met", run->scanners_met) &&
	       add_u64_or_null(o, "migrate_scanned", run->migrate_scanned, b) &&
	       add_u64_or_null(o, "migrate_isolated", run->migrate_isolated, b) &&
	       add_u64_or_null(o, "free_scanned", run->free_scanned, b) &&
	       add_u64_or_null(o, "free_isolated", run->free_isolated, b) &&
	       add_u64_or_null(o, "fast_free_scanned", run->fast_free_scanned, b) &&
	       add_u64_or_null(o, "migrated", run->migrated, b) &&
	       add_u64_or_null(o, "migrate_failed", run->migrate_failed, b) &&
	       add_u64_or_null(o, "isolate_migrate_steps", run->isolate_migrate_steps, b) &&
	       add_u64_or_null(o, "isolate_free_steps", run->isolate_free_steps, b) &&
	       add_u64_or_null(o, "migrate_steps", run->migrate_steps, b);
}

static int add_runs(cJSON *root, const struct ct_run_summary *rs, const struct ct_capture_info *ci)
{
	cJSON *o = obj_in(root, "runs"), *bytrig, *slow;

	if (!o || !add_u64(o, "count", rs->count) ||
	    !add_counts(o, "by_trigger", rs->by_trigger, CT_TRIGGER_COUNT, trigger_key) ||
	    !add_status_counts(o, "by_status", rs->by_status) ||
	    !add_counts(o, "by_mode", rs->by_mode, CT_MODE_COUNT, mode_key))
		return 0;
	if (!add_order_counts(o, "by_order", rs->by_order) ||
	    !add_u64(o, "order_unknown", rs->order_unknown) ||
	    !add_u64(o, "migrated", rs->migrated) || !add_u64(o, "migrate_failed", rs->migrate_failed) ||
	    !add_u64(o, "scanners_met", rs->scanners_met) ||
	    !add_latency(o, "duration_us", &rs->duration) ||
	    !(bytrig = obj_in(o, "duration_us_by_trigger")))
		return 0;
	for (int i = 0; i < CT_TRIGGER_COUNT; i++)
		if (rs->duration_by_trigger[i].count &&
		    !add_latency(bytrig, ct_trigger_name(i), &rs->duration_by_trigger[i]))
			return 0;
	if (!(bytrig = obj_in(o, "duration_us_by_status")))
		return 0;
	for (int i = 0; i < CT_STATUS_COUNT; i++)
		if (rs->duration_by_status[i].count &&
		    !add_latency(bytrig, ct_status_name(i), &rs->duration_by_status[i]))
			return 0;
	if (!(slow = cJSON_AddArrayToObject(o, "slowest")))
		return 0;
	for (uint32_t i = 0; i < rs->nslowest; i++) {
		cJSON *item = cJSON_CreateObject();

		if (!item || !cJSON_AddItemToArray(slow, item))
			return cJSON_Delete(item), 0;
		if (!fill_run(item, &rs->slowest[i]))
			return 0;
		if (ci && ct_capture_fired_run(ci, &rs->slowest[i]) && !cJSON_AddTrueToObject(item, "fired_capture"))
			return 0;
	}
	return 1;
}

static int fill_stall(cJSON *o, const struct ct_stall *st)
{
	cJSON *zones;

	if (!add_u64(o, "ts_ns", st->ts_ns) || !cJSON_AddNumberToObject(o, "pid", st->pid) ||
	    !add_str(o, "comm", st->comm) || !cJSON_AddNumberToObject(o, "order", st->order) ||
	    !add_str(o, "gfp", st->gfp) || !cJSON_AddNumberToObject(o, "priority", st->priority) ||
	    !add_us(o, "latency_us", st->latency_ns) || !add_str(o, "result", ct_status_name(st->result)) ||
	    !add_u64(o, "runs", st->runs) || !(zones = cJSON_AddArrayToObject(o, "zones")))
		return 0;
	for (uint32_t i = 0; i < st->nzones; i++) {
		cJSON *z = cJSON_CreateObject();

		if (!z || !cJSON_AddItemToArray(zones, z))
			return cJSON_Delete(z), 0;
		if (!cJSON_AddNumberToObject(z, "node", st->zones[i].nid) ||
		    !add_str(z, "zone", st->zones[i].zone) ||
		    !add_str(z, "status", ct_status_name(st->zones[i].status)))
			return 0;
	}
	return cJSON_AddBoolToObject(o, "zones_truncated", st->zones_truncated) != NULL;
}

/* stalls.by_cgroup: a recording's stalls and fallbacks grouped by the task map */
static int add_by_cgroup(cJSON *o, const struct ct_cgroup_tally *t)
{
	const struct ct_cgroup_row *rows;
	uint32_t n;
	cJSON *arr;

	if (!t)
		return 1;
	rows = ct_cgroup_tally_rows(t, &n);
	if (!(arr = cJSON_AddArrayToObject(o, "by_cgroup")))
		return 0;
	for (uint32_t i = 0; i < n; i++) {
		cJSON *item = cJSON_CreateObject();

		if (!item || !cJSON_AddItemToArray(arr, item))
			return cJSON_Delete(item), 0;
		if (!add_str(item, "cgroup", rows[i].cgroup) || !add_u64(item, "count", rows[i].stalls) ||
		    !add_us(item, "latency_total_us", rows[i].stall_ns) ||
		    !add_us(item, "latency_max_us", rows[i].stall_max_ns) ||
		    !add_status_counts(item, "by_result", rows[i].by_result) ||
		    !add_u64(item, "fallbacks", rows[i].fallbacks) ||
		    !add_u64(item, "fragmenting_fallbacks", rows[i].fragmenting))
			return 0;
	}
	return 1;
}

static int add_stalls(cJSON *root, const struct ct_stall_summary *ss, const struct ct_cgroup_tally *by_cgroup,
		      const struct ct_capture_info *ci)
{
	cJSON *o = obj_in(root, "stalls"), *slow, *byorder;

	if (!o || !add_u64(o, "count", ss->count) || !add_order_counts(o, "by_order", ss->by_order) ||
	    !add_status_counts(o, "by_result", ss->by_result) ||
	    !add_u64(o, "without_zone_events", ss->no_zone_events) ||
	    !add_latency(o, "latency_us", &ss->latency) ||
	    !(byorder = obj_in(o, "latency_us_by_order")))
		return 0;
	for (int i = 0; i < CT_ORDER_SLOTS; i++) {
		char name[8];

		if (!ss->latency_by_order[i].count)
			continue;
		snprintf(name, sizeof(name), "%d", i + CT_ORDER_MIN);
		if (!add_latency(byorder, name, &ss->latency_by_order[i]))
			return 0;
	}
	if (!(slow = cJSON_AddArrayToObject(o, "slowest")))
		return 0;
	for (uint32_t i = 0; i < ss->nslowest; i++) {
		cJSON *item = cJSON_CreateObject();

		if (!item || !cJSON_AddItemToArray(slow, item))
			return cJSON_Delete(item), 0;
		if (!fill_stall(item, &ss->slowest[i]))
			return 0;
		if (ci && ct_capture_fired_stall(ci, &ss->slowest[i]) && !cJSON_AddTrueToObject(item, "fired_capture"))
			return 0;
	}
	return add_by_cgroup(o, by_cgroup);
}

/* a flight-recorder capture: what fired it and the window it holds */
static int add_capture(cJSON *root, const struct ct_capture_info *ci)
{
	cJSON *o, *f, *ev;

	if (!ci)
		return 1;
	if (!(o = obj_in(root, "capture")) || !add_str(o, "reason", ci->reason) ||
	    !add_str(o, "condition", ci->condition) || !add_u64(o, "trigger_ts_ns", ci->trigger_ts_ns) ||
	    !add_u64(o, "window_start_ns", ci->window_start_ns) || !add_u64(o, "window_end_ns", ci->window_end_ns) ||
	    !add_u64(o, "data_start_ns", ci->data_start_ns) || !add_u64(o, "triggers", ci->triggers) ||
	    !add_u64(o, "snapshot_ns", ci->snapshot_ns))
		return 0;
	if (!ci->fired_kind[0])
		return cJSON_AddNullToObject(o, "fired_by") != NULL;
	if (!(f = obj_in(o, "fired_by")) || !add_str(f, "kind", ci->fired_kind) ||
	    !add_u64(f, "ts_ns", ci->fired_ts_ns) || !cJSON_AddNumberToObject(f, "pid", ci->fired_pid) ||
	    !add_us(f, "duration_us", ci->fired_value_ns) || !cJSON_AddBoolToObject(f, "found", ci->found))
		return 0;
	if (!ci->found)
		return 1;
	if (!(ev = obj_in(f, ci->fired_kind)))
		return 0;
	return strcmp(ci->fired_kind, "stall") == 0 ? fill_stall(ev, &ci->stall) : fill_run(ev, &ci->run);
}

static int add_zones(cJSON *root, const struct ct_results *r)
{
	cJSON *arr = cJSON_AddArrayToObject(root, "zones");

	if (!arr)
		return 0;
	for (uint32_t i = 0; i < r->nzones; i++) {
		const struct ct_zone_summary *z = &r->zones[i];
		cJSON *o = cJSON_CreateObject(), *d;

		if (!o || !cJSON_AddItemToArray(arr, o))
			return cJSON_Delete(o), 0;
		if (!cJSON_AddNumberToObject(o, "node", z->nid) || !add_str(o, "zone", z->zone) ||
		    !add_u64(o, "zone_start_pfn", z->zone_start_pfn) ||
		    !add_u64(o, "zone_end_pfn", z->zone_end_pfn) || !add_u64(o, "runs", z->runs) ||
		    !add_status_counts(o, "by_status", z->by_status) ||
		    !add_u64(o, "migrate_scanned", z->migrate_scanned) ||
		    !add_u64(o, "free_scanned", z->free_scanned) || !add_u64(o, "isolated", z->isolated) ||
		    !add_u64(o, "migrated", z->migrated) || !add_u64(o, "migrate_failed", z->migrate_failed) ||
		    !add_u64(o, "scanners_met", z->scanners_met) || !(d = obj_in(o, "deferrals")) ||
		    !add_order_counts(d, "deferred", z->deferred) ||
		    !add_order_counts(d, "defer_compaction", z->defer_compaction) ||
		    !add_order_counts(d, "defer_reset", z->defer_reset) ||
		    !add_u64(d, "max_limit", z->max_defer_limit) ||
		    !add_status_counts(o, "suitable", z->suitable_by_ret) ||
		    !add_status_counts(o, "finished", z->finished_by_ret))
			return 0;
	}
	return 1;
}

static int add_kcompactd(cJSON *root, const struct ct_results *r)
{
	cJSON *arr = cJSON_AddArrayToObject(root, "kcompactd");

	if (!arr)
		return 0;
	for (uint32_t i = 0; i < r->nkcompactd; i++) {
		const struct ct_kcompactd_summary *k = &r->kcompactd[i];
		cJSON *o = cJSON_CreateObject();

		if (!o || !cJSON_AddItemToArray(arr, o))
			return cJSON_Delete(o), 0;
		if (!cJSON_AddNumberToObject(o, "node", k->nid) ||
		    !add_u64(o, "wakeup_requests", k->wakeup_requests) || !add_u64(o, "wakes", k->wakes) ||
		    !add_u64(o, "sleeps", k->sleeps) || !add_us(o, "awake_us", k->awake_ns) ||
		    !add_u64(o, "runs", k->runs) || !add_u64(o, "proactive_runs", k->proactive_runs) ||
		    !add_status_counts(o, "runs_by_status", k->runs_by_status))
			return 0;
	}
	return 1;
}

static const char *pbo_source_name(enum ct_fact_source s)
{
	switch (s) {
	case CT_FACT_TRACE: return "trace";
	case CT_FACT_SNAPSHOT: return "snapshot";
	case CT_FACT_USER: return "user";
	default: return "default";
	}
}

static int add_extfrag(cJSON *root, const struct ct_extfrag_summary *x)
{
	cJSON *o = obj_in(root, "extfrag"), *arr;

	if (!o || !add_u64(o, "events", x->events) || !add_u64(o, "fragmenting", x->fragmenting) ||
	    !add_u64(o, "change_ownership", x->change_ownership) ||
	    !(arr = cJSON_AddArrayToObject(o, "by_migratetype")))
		return 0;
	for (int a = 0; a < CT_MIGRATETYPES; a++) {
		for (int f = 0; f < CT_MIGRATETYPES; f++) {
			cJSON *p;

			if (!x->by_pair[a][f])
				continue;
			p = cJSON_CreateObject();
			if (!p || !cJSON_AddItemToArray(arr, p))
				return cJSON_Delete(p), 0;
			if (!cJSON_AddNumberToObject(p, "alloc", a) ||
			    !cJSON_AddNumberToObject(p, "fallback", f) || !add_u64(p, "count", x->by_pair[a][f]))
				return 0;
		}
	}
	return add_order_counts(o, "by_alloc_order", x->by_alloc_order) &&
	       add_u64(o, "pageblocks_polluted", x->pageblocks_polluted) &&
	       cJSON_AddNumberToObject(o, "pageblock_order", x->pageblock_order) &&
	       add_str(o, "pageblock_order_source", pbo_source_name(x->pageblock_order_source)) &&
	       add_u64(o, "printed_fragmenting_wrong", x->printed_fragmenting_disagrees);
}

static int add_quality(cJSON *root, const struct ct_results *r)
{
	const struct ct_quality *q = &r->quality;
	cJSON *o = obj_in(root, "quality"), *arr;

	if (!o || !add_u64(o, "lost_events", q->lost_events) ||
	    !add_u64(o, "lost_unknown", q->lost_unknown) ||
	    !add_u64(o, "unmatched_begin", q->unmatched_begin) ||
	    !add_u64(o, "unmatched_end", q->unmatched_end) || !add_u64(o, "out_of_order", q->out_of_order) ||
	    !add_u64(o, "unknown_events", q->unknown_events) || !add_u64(o, "parse_errors", q->parse_errors) ||
	    !add_u64(o, "isolate_outside_run", q->isolate_outside_run) ||
	    !add_u64(o, "bad_values", q->bad_values) || !add_u64(o, "filtered_out", r->filtered_out) ||
	    !(arr = cJSON_AddArrayToObject(o, "parse_error_locations")))
		return 0;
	for (uint32_t i = 0; i < q->nparse_error_where; i++) {
		cJSON *p = cJSON_CreateObject();

		if (!p || !cJSON_AddItemToArray(arr, p))
			return cJSON_Delete(p), 0;
		if (!add_str(p, "path", q->parse_error_path[i] ? q->parse_error_path[i] : "?") ||
		    !add_u64(p, "where", q->parse_error_where[i]))
			return 0;
	}
	return 1;
}

static int add_vmstat(cJSON *root, const struct ct_report_input *in)
{
	cJSON *o;

	if (!in->vmstat)
		return cJSON_AddNullToObject(root, "vmstat_check") != NULL;
	o = obj_in(root, "vmstat_check");
	if (!o)
		return 0;
	for (int i = 0; i < CT_VMSTAT_COUNTERS; i++) {
		const struct ct_vmstat_counter *c = &in->vmstat->counters[i];
		cJSON *e = obj_in(o, c->name);

		if (!e || !add_u64(e, "trace", c->trace) ||
		    !(c->verdict == CT_VERDICT_MISSING ? cJSON_AddNullToObject(e, "vmstat_delta") :
							   add_i64(e, "vmstat_delta", c->vmstat_delta)) ||
		    !add_str(e, "verdict", ct_verdict_name(c->verdict)) ||
		    !(c->reason[0] ? add_str(e, "reason", c->reason) : cJSON_AddNullToObject(e, "reason")))
			return 0;
	}
	return 1;
}

/* ---- the shadow buddy model --------------------------------------------- */

static cJSON *u64_array(cJSON *obj, const char *key, const uint64_t *v, int n)
{
	cJSON *arr = cJSON_AddArrayToObject(obj, key);
	char buf[24];

	for (int i = 0; arr && i < n; i++) {
		cJSON *item;

		snprintf(buf, sizeof(buf), "%" PRIu64, v[i]);
		item = cJSON_CreateRaw(buf);
		if (!item || !cJSON_AddItemToArray(arr, item))
			return cJSON_Delete(item), NULL;
	}
	return arr;
}

static cJSON *i64_array(cJSON *obj, const char *key, const int64_t *v, int n)
{
	cJSON *arr = cJSON_AddArrayToObject(obj, key);
	char buf[24];

	for (int i = 0; arr && i < n; i++) {
		cJSON *item;

		snprintf(buf, sizeof(buf), "%" PRId64, v[i]);
		item = cJSON_CreateRaw(buf);
		if (!item || !cJSON_AddItemToArray(arr, item))
			return cJSON_Delete(item), NULL;
	}
	return arr;
}

/* kernel index values (thousandths) per order; INT32_MIN is null */
static cJSON *index_array(cJSON *obj, const char *key, const int32_t *v, int n, int valid)
{
	cJSON *arr;

	if (!valid)
		return cJSON_AddNullToObject(obj, key);
	arr = cJSON_AddArrayToObject(obj, key);
	for (int i = 0; arr && i < n; i++) {
		cJSON *item = v[i] == INT32_MIN ? cJSON_CreateNull() : cJSON_CreateNumber(v[i]);

		if (!item || !cJSON_AddItemToArray(arr, item))
			return cJSON_Delete(item), NULL;
	}
	return arr;
}

static cJSON *add_int_or_null(cJSON *obj, const char *key, int64_t v, int valid)
{
	return valid ? add_i64(obj, key, v) : cJSON_AddNullToObject(obj, key);
}

static int add_model_map(cJSON *zo, const struct ct_model_zone *z)
{
	cJSON *map = obj_in(zo, "map");

	return map && add_str(map, "cells", z->map ? z->map : "") &&
	       add_u64(map, "pageblocks_per_cell", z->pageblocks_per_cell) &&
	       add_int_or_null(map, "migrate_cell", z->map_migrate_cell, z->map_migrate_cell >= 0) &&
	       add_int_or_null(map, "free_cell", z->map_free_cell, z->map_free_cell >= 0) &&
	       cJSON_AddBoolToObject(map, "scanners_met", z->map_scanners_met) &&
	       add_str(map, "legend", "owner migratetype letter, lower case when at least half free; "
				      "'.' entirely free; '?' not modelled (no event, no per-pageblock seed); ' ' no memory");
}

static int add_model_pageblocks(cJSON *zo, const struct ct_model_results *r, const struct ct_model_zone *z)
{
	cJSON *arr = cJSON_AddArrayToObject(zo, "pageblocks");

	if (!arr)
		return 0;
	for (uint64_t b = 0; b < z->npageblocks; b++) {
		const struct ct_model_pageblock *p = &z->pageblocks[b];
		cJSON *o = cJSON_CreateObject();
		char mt[2] = { p->mt >= 0 && p->mt < CT_MIGRATETYPES ? r->mt_letters[p->mt] : 'X', 0 };

		if (!o || !cJSON_AddItemToArray(arr, o))
			return cJSON_Delete(o), 0;
		if (!add_u64(o, "start_pfn", p->start_pfn) || !add_str(o, "owner", mt) ||
		    !cJSON_AddBoolToObject(o, "owner_known", p->mt_known) ||
		    !cJSON_AddBoolToObject(o, "modelled", p->modelled) ||
		    !(p->modelled ? add_u64(o, "free_pages", p->free_pages) : cJSON_AddNullToObject(o, "free_pages")) ||
		    !(p->modelled ? add_u64(o, "held_pages", p->held_pages) : cJSON_AddNullToObject(o, "held_pages")) ||
		    !add_u64(o, "isolated", p->isolated) || !add_u64(o, "migrated_out", p->migrated_out) ||
		    !add_u64(o, "migrated_in", p->migrated_in) || !add_u64(o, "free_taken", p->free_taken) ||
		    !add_u64(o, "visits_migrate", p->visits_migrate) || !add_u64(o, "visits_free", p->visits_free) ||
		    !add_u64(o, "steals", p->steals) || !add_u64(o, "owner_changes", p->owner_changes) ||
		    !cJSON_AddBoolToObject(o, "polluted", p->polluted) ||
		    !(p->culprit >= 0 && (uint32_t)p->culprit < r->nculprits ?
			      add_str(o, "culprit", r->culprits[p->culprit].comm) :
			      cJSON_AddNullToObject(o, "culprit")))
			return 0;
	}
	return 1;
}

static int add_model_zone(cJSON *arr, const struct ct_report_input *in, const struct ct_model_zone *z)
{
	const struct ct_model_results *r = in->model;
	cJSON *o = cJSON_CreateObject(), *fb, *fi, *ui, *su, *bp, *x;
	int n = z->norders;

	if (!o || !cJSON_AddItemToArray(arr, o))
		return cJSON_Delete(o), 0;
	if (!cJSON_AddNumberToObject(o, "node", z->nid) || !add_str(o, "zone", z->zone) ||
	    !add_u64(o, "zone_start_pfn", z->start_pfn) || !add_u64(o, "zone_end_pfn", z->end_pfn) ||
	    !add_u64(o, "pageblock_count", z->npageblocks) || !add_str(o, "mode", ct_model_mode_name(z->mode)) ||
	    !add_str(o, "seeding", ct_model_seeding_name(z->seeding)) || !(fb = obj_in(o, "free_blocks")) ||
	    !(z->has_start ? u64_array(fb, "start", z->start_blocks, n) : cJSON_AddNullToObject(fb, "start")) ||
	    !(z->has_start ? u64_array(fb, "model_end", z->model_end_blocks, n) :
			     cJSON_AddNullToObject(fb, "model_end")) ||
	    !(z->has_actual_end ? u64_array(fb, "actual_end", z->actual_end_blocks, n) :
				  cJSON_AddNullToObject(fb, "actual_end")) ||
	    !i64_array(fb, "change", z->delta_blocks, n))
		return 0;
	if (!(z->accuracy_valid ? cJSON_AddNumberToObject(o, "accuracy", z->accuracy) :
				  cJSON_AddNullToObject(o, "accuracy")) ||
	    !(z->accuracy_valid ? cJSON_AddNumberToObject(o, "baseline_accuracy", z->baseline_accuracy) :
				  cJSON_AddNullToObject(o, "baseline_accuracy")) ||
	    !(z->accuracy_note[0] ? add_str(o, "accuracy_note", z->accuracy_note) :
				    cJSON_AddNullToObject(o, "accuracy_note")) ||
	    !(z->skill_valid ? cJSON_AddNumberToObject(o, "skill", z->skill) : cJSON_AddNullToObject(o, "skill")) ||
	    !(z->accuracy_valid ? add_u64(o, "error_pages", z->error_pages) :
				  cJSON_AddNullToObject(o, "error_pages")) ||
	    !(z->accuracy_valid ? add_u64(o, "change_pages", z->change_pages) :
				  cJSON_AddNullToObject(o, "change_pages")) ||
	    !(ct_model_verdict_name(z->verdict) ? add_str(o, "verdict", ct_model_verdict_name(z->verdict)) :
						  cJSON_AddNullToObject(o, "verdict")) ||
	    !(z->verdict_note[0] ? add_str(o, "verdict_note", z->verdict_note) :
				   cJSON_AddNullToObject(o, "verdict_note")) ||
	    !(fi = obj_in(o, "fragmentation_index")) ||
	    !index_array(fi, "start", z->fragindex_start, n, z->index_start_valid) ||
	    !index_array(fi, "model_end", z->fragindex_model_end, n, z->has_start) ||
	    !index_array(fi, "actual_end", z->fragindex_actual_end, n, z->index_actual_end_valid) ||
	    !(ui = obj_in(o, "unusable_free_index")) ||
	    !index_array(ui, "start", z->unusable_start, n, z->index_start_valid) ||
	    !index_array(ui, "model_end", z->unusable_model_end, n, z->has_start) ||
	    !index_array(ui, "actual_end", z->unusable_actual_end, n, z->index_actual_end_valid))
		return 0;
	if (!(su = obj_in(o, "suitable")) || !add_u64(su, "events", z->suitable_events) ||
	    !add_u64(su, "predicted", z->suitable_predicted) || !add_u64(su, "agreed", z->suitable_agreed) ||
	    !(z->suitable_predicted ?
		      cJSON_AddNumberToObject(su, "agreement",
					      (double)z->suitable_agreed / (double)z->suitable_predicted) :
		      cJSON_AddNullToObject(su, "agreement")) ||
	    !(bp = cJSON_AddArrayToObject(su, "by_prediction")))
		return 0;
	for (int p = 0; p < CT_STATUS_COUNT; p++) {
		for (int t = 0; t < CT_STATUS_COUNT; t++) {
			cJSON *e;

			if (!z->suitable_by_pred[p][t])
				continue;
			e = cJSON_CreateObject();
			if (!e || !cJSON_AddItemToArray(bp, e))
				return cJSON_Delete(e), 0;
			if (!add_str(e, "predicted", ct_status_name(p)) || !add_str(e, "traced", ct_status_name(t)) ||
			    !add_u64(e, "count", z->suitable_by_pred[p][t]))
				return 0;
		}
	}
	if (!(x = obj_in(o, "runs")) || !add_u64(x, "count", z->runs) ||
	    !add_u64(x, "pageblocks_emptied", z->pageblocks_emptied) ||
	    !add_u64(x, "order_available", z->runs_order_available) ||
	    !add_u64(x, "order_unavailable", z->runs_order_unavailable) ||
	    !add_u64(x, "order_unknown", z->runs_order_unknown) || !(x = obj_in(o, "pollution")) ||
	    !add_u64(x, "pageblocks", z->pageblocks_polluted) ||
	    !add_u64(x, "runs_over_polluted", z->runs_over_polluted) ||
	    !add_u64(x, "runs_over_polluted_failed", z->runs_over_polluted_failed) ||
	    !(x = obj_in(o, "free_pages")) ||
	    !add_int_or_null(x, "start", (int64_t)z->free_pages_start, z->has_start) ||
	    !add_int_or_null(x, "model_end", (int64_t)z->free_pages_model_end, z->has_start) ||
	    !add_int_or_null(x, "actual_end", (int64_t)z->free_pages_actual_end, z->has_actual_end))
		return 0;
	if (z->has_pcp) {
		if (!(x = obj_in(o, "per_cpu_lists")) || !add_u64(x, "start", z->pcp_start) ||
		    !add_u64(x, "model_end", z->pcp_model_end) || !add_u64(x, "actual_end", z->pcp_actual_end))
			return 0;
	} else if (!cJSON_AddNullToObject(o, "per_cpu_lists")) {
		return 0;
	}
	if (!(x = obj_in(o, "guesses")) || !add_u64(x, "pages_placed_by_guess", z->pages_guessed) ||
	    !add_u64(x, "layout_corrections", z->layout_corrections) ||
	    !add_u64(x, "page_event_conflicts", z->page_event_conflicts) ||
	    !add_u64(x, "map_window_overlaps", z->map_window_overlaps) || !add_model_map(o, z))
		return 0;
	if (in->model_pageblocks && z->pageblocks && !add_model_pageblocks(o, r, z))
		return 0;
	return 1;
}

static int add_model_runs(cJSON *mo, const struct ct_model_results *r)
{
	cJSON *arr = cJSON_AddArrayToObject(mo, "runs");

	if (!arr)
		return 0;
	for (uint32_t i = 0; i < r->nruns; i++) {
		const struct ct_model_run_row *w = &r->runs[i];
		cJSON *o = cJSON_CreateObject();

		if (!o || !cJSON_AddItemToArray(arr, o))
			return cJSON_Delete(o), 0;
		if (!add_u64(o, "begin_ns", w->begin_ns) || !add_us(o, "duration_us", w->end_ns - w->begin_ns) ||
		    !cJSON_AddNumberToObject(o, "pid", w->pid) || !add_str(o, "comm", w->comm) ||
		    !cJSON_AddNumberToObject(o, "node", w->nid) || !add_str(o, "zone", w->zone) ||
		    !(w->order == INT32_MIN ? cJSON_AddNullToObject(o, "order") :
					      cJSON_AddNumberToObject(o, "order", w->order)) ||
		    !add_str(o, "trigger", ct_trigger_name(w->trigger)) ||
		    !add_str(o, "status", ct_status_name(w->status)) ||
		    !add_u64(o, "pageblocks_scanned", w->pageblocks_scanned) ||
		    !add_u64(o, "pageblocks_emptied", w->pageblocks_emptied) ||
		    !add_u64(o, "polluted_scanned", w->polluted_scanned) ||
		    !add_int_or_null(o, "largest_free_order_before", w->largest_before, w->largest_before > -2) ||
		    !add_int_or_null(o, "largest_free_order_after", w->largest_after, w->largest_after > -2) ||
		    !(w->order_available < 0 ? cJSON_AddNullToObject(o, "order_available") :
					       cJSON_AddBoolToObject(o, "order_available", w->order_available)) ||
		    !add_int_or_null(o, "fragindex_before", w->fragindex_before, w->fragindex_before != INT32_MIN) ||
		    !add_int_or_null(o, "fragindex_after", w->fragindex_after, w->fragindex_after != INT32_MIN))
			return 0;
	}
	return add_u64(mo, "runs_dropped", r->runs_dropped) != NULL;
}

static int add_model_decisions(cJSON *mo, const struct ct_model_results *r)
{
	cJSON *arr = cJSON_AddArrayToObject(mo, "decisions");

	if (!arr)
		return 0;
	for (uint32_t i = 0; i < r->ndecisions; i++) {
		const struct ct_model_decision *d = &r->decisions[i];
		int known = d->predicted != CT_PRED_NONE;
		cJSON *o = cJSON_CreateObject();

		if (!o || !cJSON_AddItemToArray(arr, o))
			return cJSON_Delete(o), 0;
		if (!add_u64(o, "ts_ns", d->ts_ns) || !cJSON_AddNumberToObject(o, "pid", d->pid) ||
		    !cJSON_AddNumberToObject(o, "node", d->nid) || !add_str(o, "zone", d->zone) ||
		    !cJSON_AddNumberToObject(o, "order", d->order) || !add_str(o, "traced", ct_status_name(d->ret)) ||
		    !(known ? add_str(o, "predicted", ct_status_name(d->predicted)) :
			      cJSON_AddNullToObject(o, "predicted")) ||
		    !add_int_or_null(o, "fragindex", d->fragindex, d->fragindex != INT32_MIN) ||
		    !add_int_or_null(o, "unusable_free_index", d->unusable, d->unusable != INT32_MIN) ||
		    !add_int_or_null(o, "free_pages", (int64_t)d->free_pages, known))
			return 0;
	}
	return add_u64(mo, "decisions_dropped", r->decisions_dropped) != NULL;
}

static int add_model_pollution(cJSON *mo, const struct ct_model_results *r)
{
	cJSON *arr = cJSON_AddArrayToObject(mo, "polluted_by_migratetype");

	if (!arr)
		return 0;
	for (int a = 0; a < CT_MIGRATETYPES; a++) {
		for (int f = 0; f < CT_MIGRATETYPES; f++) {
			cJSON *o;

			if (!r->polluted_by_pair[a][f])
				continue;
			o = cJSON_CreateObject();
			if (!o || !cJSON_AddItemToArray(arr, o))
				return cJSON_Delete(o), 0;
			if (!cJSON_AddNumberToObject(o, "alloc", a) || !cJSON_AddNumberToObject(o, "fallback", f) ||
			    !add_u64(o, "pageblocks", r->polluted_by_pair[a][f]))
				return 0;
		}
	}
	if (!(arr = cJSON_AddArrayToObject(mo, "polluters")))
		return 0;
	for (uint32_t i = 0; i < r->nculprits; i++) {
		const struct ct_model_culprit *c = &r->culprits[i];
		cJSON *o = cJSON_CreateObject();

		if (!o || !cJSON_AddItemToArray(arr, o))
			return cJSON_Delete(o), 0;
		if (!add_str(o, "comm", c->comm) || !cJSON_AddNumberToObject(o, "pid", c->pid) ||
		    !add_u64(o, "fallbacks", c->fallbacks) || !add_u64(o, "fragmenting", c->fragmenting) ||
		    !add_u64(o, "pageblocks_polluted", c->pageblocks_polluted) ||
		    !add_u64(o, "later_failed_runs", c->later_failed_runs))
			return 0;
	}
	return add_u64(mo, "polluters_dropped_fallbacks", r->culprits_dropped) != NULL;
}

static int add_model(cJSON *root, const struct ct_report_input *in)
{
	const struct ct_model_results *r = in->model;
	cJSON *mo, *zones, *x, *notes;

	if (!r)	/* null says why there is none (a filter); no key: not asked for */
		return !in->model_off || cJSON_AddNullToObject(root, "model") != NULL;
	if (!(mo = obj_in(root, "model")) || !add_str(mo, "mode", ct_model_mode_name(r->mode)) ||
	    !cJSON_AddNumberToObject(mo, "pageblock_order", r->pageblock_order) ||
	    !cJSON_AddNumberToObject(mo, "extfrag_threshold", r->extfrag_threshold) ||
	    !add_str(mo, "extfrag_threshold_source", r->extfrag_threshold_source) ||
	    !(zones = cJSON_AddArrayToObject(mo, "zones")))
		return 0;
	for (uint32_t i = 0; i < r->nzones; i++)
		if (!add_model_zone(zones, in, &r->zones[i]))
			return 0;
	if (!add_model_runs(mo, r) || !add_model_decisions(mo, r) || !add_model_pollution(mo, r) ||
	    !(x = obj_in(mo, "unplaced")) || !add_u64(x, "pfns_outside_zones", r->pfns_outside_zones) ||
	    !add_u64(x, "events_outside_runs", r->events_outside_runs) ||
	    !add_u64(x, "runs_in_unknown_zones", r->runs_unplaced) ||
	    !add_u64(x, "page_events_ignored", r->page_events_ignored) ||
	    !add_u64(x, "lost_events", r->lost_events) || !(notes = cJSON_AddArrayToObject(mo, "notes")))
		return 0;
	for (uint32_t i = 0; i < r->nnotes; i++) {
		char clean[CT_MODEL_NOTE_LEN * 2];
		cJSON *s;

		ct_sanitize(clean, sizeof(clean), r->notes[i], 0);
		s = cJSON_CreateString(clean);
		if (!s || !cJSON_AddItemToArray(notes, s))
			return cJSON_Delete(s), 0;
	}
	return 1;
}

static int print_line(FILE *out, cJSON *root);

static int print_and_free(FILE *out, cJSON *root)
{
	char *text = cJSON_PrintBuffered(root, 1 << 16, 1);
	int ret = 0;

	cJSON_Delete(root);
	if (!text)
		return -CT_E_NOMEM;
	if (fputs(text, out) == EOF || fputc('\n', out) == EOF)
		ret = -CT_E_WRITE;
	cJSON_free(text);
	return ret;
}

int ct_report_json(FILE *out, const struct ct_report_input *in)
{
	const struct ct_results *r = in->res;
	cJSON *root = cJSON_CreateObject(), *tool;
	int ok;

	if (!root)
		return -CT_E_NOMEM;
	ok = cJSON_AddNumberToObject(root, "schema_version", CT_JSON_SCHEMA_VERSION) &&
	     (tool = obj_in(root, "tool")) && add_str(tool, "name", "compactrace") &&
	     add_str(tool, "version", CT_VERSION) &&
	     (in->filter ? add_str(root, "filter", in->filter) : cJSON_AddNullToObject(root, "filter")) &&
	     add_u64(root, "events", r->events) &&
	     add_sources(root, r) && add_totals(root, &r->totals) && add_runs(root, &r->runs, in->capture) &&
	     add_stalls(root, &r->stalls, in->by_cgroup, in->capture) && add_zones(root, r) && add_kcompactd(root, r) &&
	     add_extfrag(root, &r->extfrag) && add_quality(root, r) && add_vmstat(root, in) &&
	     add_model(root, in) && add_capture(root, in->capture);
	if (!ok) {
		cJSON_Delete(root);
		return -CT_E_NOMEM;
	}
	return in->one_line ? print_line(out, root) : print_and_free(out, root);
}

static int print_line(FILE *out, cJSON *root)
{
	char *text = cJSON_PrintUnformatted(root);
	int ret = 0;

	cJSON_Delete(root);
	if (!text)
		return -CT_E_NOMEM;
	if (fputs(text, out) == EOF || fputc('\n', out) == EOF)
		ret = -CT_E_WRITE;
	cJSON_free(text);
	return ret;
}

int ct_ndjson_run(FILE *out, const struct ct_run *run)
{
	cJSON *o = cJSON_CreateObject();

	if (!o || !add_str(o, "type", "run") || !fill_run(o, run)) {
		cJSON_Delete(o);
		return -CT_E_NOMEM;
	}
	return print_line(out, o);
}

int ct_ndjson_stall(FILE *out, const struct ct_stall *stall)
{
	cJSON *o = cJSON_CreateObject();

	if (!o || !add_str(o, "type", "stall") || !fill_stall(o, stall)) {
		cJSON_Delete(o);
		return -CT_E_NOMEM;
	}
	return print_line(out, o);
}

/* ---- the huge-page forecast (compactrace hugepages) --------------------- */

static int add_reasons(cJSON *parent, const char *key, const uint64_t *by)
{
	cJSON *o = obj_in(parent, key);

	if (!o)
		return 0;
	for (int i = 0; i < CT_FC_NREASONS; i++)
		if (!add_u64(o, ct_fc_reason_name((enum ct_fc_reason)i), by[i]))
			return 0;
	return 1;
}

static int add_hp_zone(cJSON *arr, const struct ct_fc_zone *z)
{
	cJSON *o = cJSON_CreateObject(), *x;

	if (!o || !cJSON_AddItemToArray(arr, o))
		return cJSON_Delete(o), 0;
	return cJSON_AddNumberToObject(o, "node", z->nid) && add_str(o, "zone", z->name) &&
	       add_u64(o, "start_pfn", z->start_pfn) && add_u64(o, "end_pfn", z->end_pfn) &&
	       add_u64(o, "pageblocks", z->pageblocks) && add_u64(o, "free_blocks", z->free_blocks) &&
	       add_u64(o, "compactable_blocks", z->compactable_blocks) &&
	       add_u64(o, "blocked_blocks", z->blocked_blocks) && add_reasons(o, "blocked_by", z->blocked_by) &&
	       add_u64(o, "hugepages_obtainable", z->obtainable) && add_u64(o, "free_already", z->free_units_used) &&
	       add_u64(o, "free_units", z->free_units) && add_u64(o, "by_compaction", z->compaction_units) &&
	       add_u64(o, "pages_to_migrate", z->migrate_pages) &&
	       add_u64(o, "by_compaction_all_seen", z->compaction_units_all_seen) &&
	       add_u64(o, "free_pages_passed", z->free_pages_passed) && add_str(o, "limit", z->limit) &&
	       add_int_or_null(o, "scanners_meet_pfn", (int64_t)z->meet_pfn, z->meet_pfn < z->end_pfn) &&
	       add_u64(o, "watermark_allows", z->alloc_cap) &&
	       add_int_or_null(o, "fragmentation_index", z->fragindex, z->fragindex != INT32_MIN) &&
	       add_u64(o, "absent_blocks", z->absent_blocks) &&
	       add_u64(o, "uninitialized_pages", z->uninitialized_pages) && (x = obj_in(o, "assumed")) &&
	       add_u64(x, "per_cpu_pages_free", z->pcp_free) && add_u64(x, "noflag_pages_kernel", z->noflag_unmovable) &&
	       add_u64(x, "page_cache_pages_free", z->reclaimable) && cJSON_AddStringToObject(o, "map", z->map ? z->map : "");	/* our own characters: no sanitizing */
}

int ct_hugepages_json(FILE *out, const struct ct_hp_report *rep)
{
	const struct ct_fc_result *r = rep->res;
	cJSON *root = cJSON_CreateObject(), *tool, *zones, *owners, *po, *notes;
	int ok;

	if (!root)
		return -CT_E_NOMEM;
	ok = cJSON_AddNumberToObject(root, "schema_version", CT_HUGEPAGES_SCHEMA_VERSION) &&
	     (tool = obj_in(root, "tool")) && add_str(tool, "name", "compactrace") &&
	     add_str(tool, "version", CT_VERSION) && add_str(root, "source", rep->source ? rep->source : "live") &&
	     cJSON_AddNumberToObject(root, "order", r->order) &&
	     cJSON_AddNumberToObject(root, "pageblock_order", r->pageblock_order) &&
	     add_u64(root, "page_size", r->page_size) && add_u64(root, "hugepage_bytes", r->page_size << r->order) &&
	     add_u64(root, "hugepages_obtainable", r->obtainable) && add_u64(root, "free_already", r->free_units) &&
	     add_u64(root, "by_compaction", r->compaction_units) &&
	     add_u64(root, "by_compaction_all_seen", r->compaction_units_all_seen) &&
	     add_reasons(root, "blocked_by", r->blocked_by) &&
	     cJSON_AddNumberToObject(root, "compact_unevictable_allowed", r->unevictable_allowed) &&
	     cJSON_AddBoolToObject(root, "page_cache_counted_free", rep->reclaim) &&
	     add_u64(root, "uninitialized_pages", r->uninitialized_pages) &&
	     (zones = cJSON_AddArrayToObject(root, "zones"));
	for (uint32_t i = 0; ok && i < r->nzones; i++)
		ok = add_hp_zone(zones, &r->zones[i]);
	ok = ok && (owners = cJSON_AddArrayToObject(root, "owners"));
	for (uint32_t i = 0; ok && i < r->nowners; i++) {
		const struct ct_fc_owner *w = &r->owners[i];
		cJSON *o = cJSON_CreateObject();

		if (!o || !cJSON_AddItemToArray(owners, o)) {
			cJSON_Delete(o);
			ok = 0;
			break;
		}
		ok = add_str(o, "reason", ct_fc_reason_name(w->reason)) && add_u64(o, "pageblocks", w->blocks) &&
		     add_u64(o, "pages", w->pages) &&
		     (w->cgroup_ino == UINT64_MAX ? cJSON_AddNullToObject(o, "cgroup_ino") :
						    add_u64(o, "cgroup_ino", w->cgroup_ino)) &&
		     (w->cgroup[0] ? add_str(o, "cgroup", w->cgroup) : cJSON_AddNullToObject(o, "cgroup"));
	}
	ok = ok && (po = obj_in(root, "page_owner")) &&
	     (r->page_owner < 0 ? cJSON_AddNullToObject(po, "enabled") :
				  cJSON_AddBoolToObject(po, "enabled", r->page_owner)) &&
	     add_str(po, "note", r->page_owner == 1 ? "enabled: /sys/kernel/debug/page_owner has the stacks; "
						      "this version does not read them" :
			      r->page_owner == 0 ? "not enabled: boot with page_owner=on and mount debugfs" :
						   "unknown (a recording does not say)") &&
	     (notes = cJSON_AddArrayToObject(root, "notes"));
	for (unsigned i = 0; ok && i < rep->nnotes; i++) {
		char clean[1024];
		cJSON *n;

		ct_sanitize(clean, sizeof(clean), rep->notes[i], 0);
		n = cJSON_CreateString(clean);
		if (!n || !cJSON_AddItemToArray(notes, n)) {
			cJSON_Delete(n);
			ok = 0;
		}
	}
	if (!ok) {
		cJSON_Delete(root);
		return -CT_E_NOMEM;
	}
	return print_and_free(out, root);
}
