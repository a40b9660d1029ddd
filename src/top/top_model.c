// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The model behind `compactrace top`: interval deltas, a reset baseline,
 * rings of recent stalls and runs, the last run per zone and a short
 * history, published as one flat view. Plain C, no I/O.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compactrace/error.h"
#include "core/util.h"
#include "top/top_model.h"

/* Per-zone state the view does not show: baseline and previous tick. */
struct zone_state {
	int32_t nid;
	char zone[CT_ZONE_LEN];
	struct ct_top_zone_counts base, prev, delta;	/* delta: the last closed interval */
	uint64_t base_deferred[CT_ORDER_SLOTS];
	struct ct_run runs[CT_TOP_ZONE_RUNS];
	uint32_t nruns, runs_head;
};

struct node_state {
	int32_t nid;
	uint64_t base_wakeup_requests, base_wakes, base_sleeps, base_runs, base_proactive;
	uint64_t prev_wakes, prev_runs;
	uint64_t base_awake_ns, prev_awake_ns;
	uint64_t wakes_delta, runs_delta;	/* the last closed interval */
	double duty_interval;
};

/* The slowest stalls of one interval: "recent" is the last few of these. */
struct slow_bucket {
	struct ct_stall s[CT_TOP_SLOW];
	uint32_t n;
	uint64_t start_ns;
};

struct ct_top_model {
	struct ct_top_view view;
	struct slow_bucket slow[CT_TOP_SLOW_WINDOW];
	uint32_t slow_cur;
	struct ct_top_counters base, prev;
	uint64_t prev_ns;
	int started;
	/* stall latency: this interval, and since start or reset */
	struct ct_latency lat_interval, lat_total, run_lat_interval;
	struct zone_state *zones;
	uint32_t nzones, zones_cap;
	struct node_state *nodes;
	uint32_t nnodes, nodes_cap;
};

/* ---- helpers ------------------------------------------------------------ */

static void copy_str(char *dst, size_t size, const char *src)
{
	size_t n = strnlen(src, size - 1);

	memcpy(dst, src, n);
	dst[n] = '\0';
}

/* a - b, never below zero (a counter that went back means a new source) */
static uint64_t sub(uint64_t a, uint64_t b)
{
	return a > b ? a - b : 0;
}

double ct_top_rate(uint64_t count, uint64_t span_ns)
{
	if (!span_ns)
		return -1.0;
	return (double)count * 1e9 / (double)span_ns;
}

const char *ct_top_migratetype_name(int32_t mt)
{
	/* the first three are the same in every kernel config; the rest are not */
	static const char *const names[] = { "Unmovable", "Movable", "Reclaimable" };

	return mt >= 0 && mt < 3 ? names[mt] : NULL;
}

const char *ct_top_sort_name(enum ct_top_sort key)
{
	static const char *const names[CT_TOP_SORT_COUNT] = { "latency", "time", "order" };

	return (unsigned)key < CT_TOP_SORT_COUNT ? names[key] : "latency";
}

/* ---- counters ----------------------------------------------------------- */

static void counters_from(struct ct_top_counters *c, const struct ct_results *r)
{
	memset(c, 0, sizeof(*c));
	c->events = r->events;
	c->lost_events = r->quality.lost_events;
	c->parse_errors = r->quality.parse_errors;
	c->unknown_events = r->quality.unknown_events;
	c->unmatched_begin = r->quality.unmatched_begin;
	c->unmatched_end = r->quality.unmatched_end;
	c->out_of_order = r->quality.out_of_order;
	c->totals = r->totals;
	c->runs = r->runs.count;
	memcpy(c->runs_by_trigger, r->runs.by_trigger, sizeof(c->runs_by_trigger));
	memcpy(c->runs_by_status, r->runs.by_status, sizeof(c->runs_by_status));
	c->migrated = r->runs.migrated;
	c->migrate_failed = r->runs.migrate_failed;
	c->scanners_met = r->runs.scanners_met;
	c->stalls = r->stalls.count;
	memcpy(c->stalls_by_result, r->stalls.by_result, sizeof(c->stalls_by_result));
	c->extfrag = r->extfrag.events;
	c->fragmenting = r->extfrag.fragmenting;
	c->change_ownership = r->extfrag.change_ownership;
	c->pageblocks_polluted = r->extfrag.pageblocks_polluted;
	memcpy(c->by_pair, r->extfrag.by_pair, sizeof(c->by_pair));
}

/* The struct is all uint64_t: subtract it as an array. */
static void counters_sub(struct ct_top_counters *out, const struct ct_top_counters *a,
			 const struct ct_top_counters *b)
{
	const uint64_t *pa = (const uint64_t *)a, *pb = (const uint64_t *)b;
	uint64_t *po = (uint64_t *)out;

	_Static_assert(sizeof(struct ct_top_counters) % sizeof(uint64_t) == 0,
		       "ct_top_counters must hold only uint64_t");
	for (size_t i = 0; i < sizeof(*out) / sizeof(uint64_t); i++)
		po[i] = sub(pa[i], pb[i]);
}

static void zone_counts_from(struct ct_top_zone_counts *c, const struct ct_zone_summary *z)
{
	memset(c, 0, sizeof(*c));
	c->runs = z->runs;
	memcpy(c->by_status, z->by_status, sizeof(c->by_status));
	memcpy(c->by_trigger, z->by_trigger, sizeof(c->by_trigger));
	c->migrate_scanned = z->migrate_scanned;
	c->free_scanned = z->free_scanned;
	c->isolated = z->isolated;
	c->migrated = z->migrated;
	c->migrate_failed = z->migrate_failed;
	c->scanners_met = z->scanners_met;
	for (int i = 0; i < CT_ORDER_SLOTS; i++) {
		c->deferred += z->deferred[i];
		c->defer_compaction += z->defer_compaction[i];
		c->defer_reset += z->defer_reset[i];
	}
}

static void zone_counts_sub(struct ct_top_zone_counts *out, const struct ct_top_zone_counts *a,
			    const struct ct_top_zone_counts *b)
{
	const uint64_t *pa = (const uint64_t *)a, *pb = (const uint64_t *)b;
	uint64_t *po = (uint64_t *)out;

	_Static_assert(sizeof(struct ct_top_zone_counts) % sizeof(uint64_t) == 0,
		       "ct_top_zone_counts must hold only uint64_t");
	for (size_t i = 0; i < sizeof(*out) / sizeof(uint64_t); i++)
		po[i] = sub(pa[i], pb[i]);
}

static void lat_figures(struct ct_top_lat *out, const struct ct_latency *lat)
{
	out->count = lat->count;
	out->p50_ns = ct_latency_percentile(lat, 50.0);
	out->p99_ns = ct_latency_percentile(lat, 99.0);
	out->max_ns = lat->count ? lat->max_ns : 0;
	out->exact = ct_latency_is_exact(lat);
}

static void lat_clear(struct ct_latency *lat)
{
	ct_latency_release(lat);
	memset(lat, 0, sizeof(*lat));
}

/* ---- zones and nodes ---------------------------------------------------- */

static struct zone_state *zone_find(struct ct_top_model *m, int32_t nid, const char *zone)
{
	struct zone_state *z;

	for (uint32_t i = 0; i < m->nzones; i++)
		if (m->zones[i].nid == nid && strcmp(m->zones[i].zone, zone) == 0)
			return &m->zones[i];
	if (ct_grow_array((void **)&m->zones, &m->zones_cap, m->nzones + 1, sizeof(*m->zones)) < 0)
		return NULL;
	z = &m->zones[m->nzones++];
	z->nid = nid;
	copy_str(z->zone, sizeof(z->zone), zone);
	return z;
}

static struct node_state *node_find(struct ct_top_model *m, int32_t nid)
{
	struct node_state *n;

	for (uint32_t i = 0; i < m->nnodes; i++)
		if (m->nodes[i].nid == nid)
			return &m->nodes[i];
	if (ct_grow_array((void **)&m->nodes, &m->nodes_cap, m->nnodes + 1, sizeof(*m->nodes)) < 0)
		return NULL;
	n = &m->nodes[m->nnodes++];
	n->nid = nid;
	return n;
}

/* awake time up to @now, counting the period still open */
static uint64_t awake_until(const struct ct_kcompactd_summary *k, uint64_t now)
{
	uint64_t ns = k->awake_ns;

	if (k->awake && now > k->awake_since_ns)
		ns += now - k->awake_since_ns;
	return ns;
}

static double fraction(uint64_t part, uint64_t whole)
{
	double f;

	if (!whole)
		return -1.0;
	f = (double)part / (double)whole;
	return f > 1.0 ? 1.0 : f;
}

static int cmp_view_zone(const void *a, const void *b)
{
	const struct ct_top_zone *x = a, *y = b;

	if (x->nid != y->nid)
		return x->nid < y->nid ? -1 : 1;
	if (x->zone_start_pfn != y->zone_start_pfn)
		return x->zone_start_pfn < y->zone_start_pfn ? -1 : 1;
	return strcmp(x->zone, y->zone);
}

static int update_zones(struct ct_top_model *m, const struct ct_results *res, int close)
{
	struct ct_top_view *v = &m->view;
	uint32_t shown = 0;

	for (uint32_t i = 0; i < res->nzones; i++) {
		const struct ct_zone_summary *zs = &res->zones[i];
		struct zone_state *st = zone_find(m, zs->nid, zs->zone);
		struct ct_top_zone_counts cur;
		struct ct_top_zone *z;

		if (!st)
			return -CT_E_NOMEM;
		zone_counts_from(&cur, zs);
		if (close) {
			zone_counts_sub(&st->delta, &cur, &st->prev);
			st->prev = cur;
		}
		if (shown < CT_TOP_ZONES) {
			z = &v->zones[shown++];
			memset(z, 0, sizeof(*z));
			z->nid = zs->nid;
			copy_str(z->zone, sizeof(z->zone), zs->zone);
			z->zone_start_pfn = zs->zone_start_pfn;
			z->zone_end_pfn = zs->zone_end_pfn;
			zone_counts_sub(&z->total, &cur, &st->base);
			z->delta = st->delta;
			for (int o = 0; o < CT_ORDER_SLOTS; o++)
				z->deferred_by_order[o] = sub(zs->deferred[o], st->base_deferred[o]);
			z->max_defer_limit = zs->max_defer_limit;
			memcpy(z->runs, st->runs, sizeof(z->runs));
			z->nruns = st->nruns;
			z->runs_head = st->runs_head;
		}
	}
	v->nzones = shown;
	v->zones_hidden = res->nzones > shown ? res->nzones - shown : 0;
	qsort(v->zones, v->nzones, sizeof(v->zones[0]), cmp_view_zone);
	return 0;
}

static int update_nodes(struct ct_top_model *m, const struct ct_results *res, uint64_t now, int close)
{
	struct ct_top_view *v = &m->view;
	uint64_t since = v->reset_ns ? v->reset_ns : v->start_ns;
	uint32_t shown = 0;

	for (uint32_t i = 0; i < res->nkcompactd; i++) {
		const struct ct_kcompactd_summary *k = &res->kcompactd[i];
		struct node_state *st = node_find(m, k->nid);
		uint64_t awake = awake_until(k, now);
		struct ct_top_node *n;

		if (!st)
			return -CT_E_NOMEM;
		if (close) {
			st->wakes_delta = sub(k->wakes, st->prev_wakes);
			st->runs_delta = sub(k->runs, st->prev_runs);
			st->duty_interval = fraction(sub(awake, st->prev_awake_ns), sub(now, m->prev_ns));
			st->prev_wakes = k->wakes;
			st->prev_runs = k->runs;
			st->prev_awake_ns = awake;
		}
		if (shown < CT_TOP_NODES) {
			n = &v->nodes[shown++];
			memset(n, 0, sizeof(*n));
			n->nid = k->nid;
			n->awake = k->awake;
			n->wakeup_requests = sub(k->wakeup_requests, st->base_wakeup_requests);
			n->wakes = sub(k->wakes, st->base_wakes);
			n->sleeps = sub(k->sleeps, st->base_sleeps);
			n->runs = sub(k->runs, st->base_runs);
			n->proactive_runs = sub(k->proactive_runs, st->base_proactive);
			n->wakes_delta = st->wakes_delta;
			n->runs_delta = st->runs_delta;
			n->duty_total = fraction(sub(awake, st->base_awake_ns), sub(now, since));
			n->duty_interval = st->duty_interval;
		}
	}
	v->nnodes = shown;
	return 0;
}

static void update_pairs(struct ct_top_view *v)
{
	v->npairs = 0;
	for (int a = 0; a < CT_MIGRATETYPES; a++) {
		for (int f = 0; f < CT_MIGRATETYPES; f++) {
			struct ct_top_pair p = { a, f, v->total.by_pair[a][f], v->delta.by_pair[a][f] };
			uint32_t i;

			if (!p.count)
				continue;
			if (v->npairs == CT_TOP_PAIRS && p.count <= v->pairs[CT_TOP_PAIRS - 1].count)
				continue;
			i = v->npairs < CT_TOP_PAIRS ? v->npairs++ : CT_TOP_PAIRS - 1;
			while (i > 0 && v->pairs[i - 1].count < p.count) {
				v->pairs[i] = v->pairs[i - 1];
				i--;
			}
			v->pairs[i] = p;
		}
	}
}

/* ---- slowest recent stalls ---------------------------------------------- */

/* keep @st if it is among the @cap slowest of @arr (sorted, slowest first) */
static void slow_insert(struct ct_stall *arr, uint32_t *n, uint32_t cap, const struct ct_stall *st)
{
	uint32_t i;

	if (*n == cap && st->latency_ns <= arr[cap - 1].latency_ns)
		return;
	i = *n < cap ? (*n)++ : cap - 1;
	while (i > 0 && arr[i - 1].latency_ns < st->latency_ns) {
		arr[i] = arr[i - 1];
		i--;
	}
	arr[i] = *st;
}

static void slow_publish(struct ct_top_model *m)
{
	struct ct_top_view *v = &m->view;
	uint64_t since = UINT64_MAX;

	v->nslow = 0;
	for (uint32_t b = 0; b < CT_TOP_SLOW_WINDOW; b++) {
		const struct slow_bucket *sb = &m->slow[b];

		if (!sb->start_ns && !sb->n)
			continue;
		if (sb->start_ns < since)
			since = sb->start_ns;
		for (uint32_t i = 0; i < sb->n; i++)
			slow_insert(v->slow, &v->nslow, CT_TOP_SLOW, &sb->s[i]);
	}
	v->slow_since_ns = since == UINT64_MAX ? v->start_ns : since;
}

static void slow_clear(struct ct_top_model *m, uint64_t now_ns)
{
	memset(m->slow, 0, sizeof(m->slow));
	m->slow_cur = 0;
	m->slow[0].start_ns = now_ns ? now_ns : 1;
}

/* ---- public API --------------------------------------------------------- */

struct ct_top_model *ct_top_model_new(void)
{
	return calloc(1, sizeof(struct ct_top_model));
}

void ct_top_model_free(struct ct_top_model *m)
{
	if (!m)
		return;
	ct_latency_release(&m->lat_interval);
	ct_latency_release(&m->lat_total);
	ct_latency_release(&m->run_lat_interval);
	free(m->zones);
	free(m->nodes);
	free(m);
}

void ct_top_model_start(struct ct_top_model *m, uint64_t start_ns)
{
	slow_clear(m, start_ns);
	m->view.start_ns = start_ns;
	m->view.now_ns = start_ns;
	m->prev_ns = start_ns;
	m->started = 1;
}

void ct_top_model_on_run(void *ctx, const struct ct_run *run)
{
	struct ct_top_model *m = ctx;
	struct zone_state *z = zone_find(m, run->nid, run->zone);

	if (z) {	/* without memory the gauge just keeps the older run */
		z->runs[z->runs_head] = *run;
		z->runs_head = (z->runs_head + 1) % CT_TOP_ZONE_RUNS;
		if (z->nruns < CT_TOP_ZONE_RUNS)
			z->nruns++;
	}
	/* an allocation failure only marks the distribution as failed; a run whose begin was lost has no duration */
	if (run->begin_known)
		ct_latency_add(&m->run_lat_interval, run->end_ns > run->begin_ns ? run->end_ns - run->begin_ns : 0);
}

void ct_top_model_on_stall(void *ctx, const struct ct_stall *stall)
{
	struct ct_top_model *m = ctx;
	struct ct_top_view *v = &m->view;

	v->recent[v->recent_head] = *stall;
	v->recent_head = (v->recent_head + 1) % CT_TOP_RECENT;
	if (v->nrecent < CT_TOP_RECENT)
		v->nrecent++;
	ct_latency_add(&m->lat_interval, stall->latency_ns);
	ct_latency_add(&m->lat_total, stall->latency_ns);
	slow_insert(m->slow[m->slow_cur].s, &m->slow[m->slow_cur].n, CT_TOP_SLOW, stall);
}

int ct_top_model_tick(struct ct_top_model *m, const struct ct_results *res, uint64_t now_ns)
{
	struct ct_top_view *v = &m->view;
	struct ct_top_counters cur;
	int close, ret;

	if (!m->started)
		ct_top_model_start(m, now_ns);
	if (now_ns < m->prev_ns)
		now_ns = m->prev_ns;	/* the caller's clock never runs backwards here */
	close = now_ns > m->prev_ns || v->ticks == 0;
	counters_from(&cur, res);

	ret = update_zones(m, res, close);
	if (ret == 0)
		ret = update_nodes(m, res, now_ns, close);
	if (ret < 0)
		return ret;

	counters_sub(&v->total, &cur, &m->base);
	if (close) {
		counters_sub(&v->delta, &cur, &m->prev);
		v->span_ns = now_ns - m->prev_ns;
		m->prev = cur;
		m->prev_ns = now_ns;
		lat_figures(&v->stall_lat_interval, &m->lat_interval);
		lat_figures(&v->run_lat_interval, &m->run_lat_interval);
		lat_clear(&m->lat_interval);
		lat_clear(&m->run_lat_interval);
		if (v->ticks > 0 || v->span_ns > 0) {
			struct ct_top_hist *h = &v->hist[v->hist_head];

			h->span_ns = v->span_ns;
			h->events = v->delta.events;
			h->runs = v->delta.runs;
			h->stalls = v->delta.totals.compact_stall;
			h->fragmenting = v->delta.fragmenting;
			h->stall_p99_ns = v->stall_lat_interval.p99_ns;
			v->hist_head = (v->hist_head + 1) % CT_TOP_HISTORY;
			if (v->nhist < CT_TOP_HISTORY)
				v->nhist++;
		}
		v->ticks++;
	}
	slow_publish(m);
	if (close) {	/* the next interval gets a bucket of its own */
		m->slow_cur = (m->slow_cur + 1) % CT_TOP_SLOW_WINDOW;
		memset(&m->slow[m->slow_cur], 0, sizeof(m->slow[0]));
		m->slow[m->slow_cur].start_ns = now_ns;
	}
	lat_figures(&v->stall_lat_total, &m->lat_total);
	memcpy(v->stall_log2_us, m->lat_total.log2_us, sizeof(v->stall_log2_us));
	v->now_ns = now_ns;
	v->pageblock_order = res->extfrag.pageblock_order;
	update_pairs(v);
	return 0;
}

void ct_top_model_reset(struct ct_top_model *m, const struct ct_results *res, uint64_t now_ns)
{
	struct ct_top_view *v = &m->view;

	counters_from(&m->base, res);
	for (uint32_t i = 0; i < res->nzones; i++) {
		const struct ct_zone_summary *zs = &res->zones[i];
		struct zone_state *st = zone_find(m, zs->nid, zs->zone);

		if (!st)
			continue;	/* counted from zero then: shown too high, not wrong-signed */
		zone_counts_from(&st->base, zs);
		memcpy(st->base_deferred, zs->deferred, sizeof(st->base_deferred));
	}
	for (uint32_t i = 0; i < res->nkcompactd; i++) {
		const struct ct_kcompactd_summary *k = &res->kcompactd[i];
		struct node_state *st = node_find(m, k->nid);

		if (!st)
			continue;
		st->base_wakeup_requests = k->wakeup_requests;
		st->base_wakes = k->wakes;
		st->base_sleeps = k->sleeps;
		st->base_runs = k->runs;
		st->base_proactive = k->proactive_runs;
		st->base_awake_ns = awake_until(k, now_ns);
	}
	lat_clear(&m->lat_total);
	slow_clear(m, now_ns);
	v->nrecent = v->recent_head = 0;
	v->nhist = v->hist_head = 0;
	v->reset_ns = now_ns > v->start_ns ? now_ns : v->start_ns + 1;
	ct_top_model_tick(m, res, now_ns);
}

const struct ct_top_view *ct_top_model_view(const struct ct_top_model *m)
{
	return &m->view;
}

const struct ct_run *ct_top_zone_run(const struct ct_top_zone *z, uint32_t i)
{
	if (i >= z->nruns)
		return NULL;
	return &z->runs[(z->runs_head + CT_TOP_ZONE_RUNS - 1 - i) % CT_TOP_ZONE_RUNS];
}

const struct ct_top_hist *ct_top_hist_at(const struct ct_top_view *v, uint32_t i)
{
	if (i >= v->nhist)
		return NULL;
	return &v->hist[(v->hist_head + CT_TOP_HISTORY - 1 - i) % CT_TOP_HISTORY];
}

/* 1 when stall @a goes before stall @b under @key */
static int stall_before(const struct ct_stall *a, const struct ct_stall *b, enum ct_top_sort key)
{
	switch (key) {
	case CT_TOP_SORT_TIME:
		return a->ts_ns > b->ts_ns;
	case CT_TOP_SORT_ORDER:
		if (a->order != b->order)
			return a->order > b->order;
		return a->latency_ns > b->latency_ns;
	default:
		return a->latency_ns > b->latency_ns;
	}
}

void ct_top_sort_stalls(const struct ct_stall **list, size_t n, enum ct_top_sort key)
{
	/* insertion sort: stable, and the lists are at most CT_TOP_RECENT long */
	for (size_t i = 1; i < n; i++) {
		const struct ct_stall *x = list[i];
		size_t j = i;

		while (j > 0 && stall_before(x, list[j - 1], key)) {
			list[j] = list[j - 1];
			j--;
		}
		list[j] = x;
	}
}

size_t ct_top_recent_stalls(const struct ct_top_view *v, const struct ct_stall **list, size_t n)
{
	size_t k = 0;

	for (uint32_t i = 0; i < v->nrecent && k < n; i++)
		list[k++] = &v->recent[(v->recent_head + CT_TOP_RECENT - 1 - i) % CT_TOP_RECENT];
	return k;
}


static int sink_run(void *ctx, const struct ct_run *run)
{
	ct_top_model_on_run(ctx, run);
	return 0;
}

static int sink_stall(void *ctx, const struct ct_stall *stall)
{
	ct_top_model_on_stall(ctx, stall);
	return 0;
}

static const struct ct_sink_ops top_sink_ops = {
	.name = "top",
	.run = sink_run,
	.stall = sink_stall,
};

struct ct_sink ct_top_model_sink(struct ct_top_model *m)
{
	return (struct ct_sink){ .ops = &top_sink_ops, .ctx = m };
}
