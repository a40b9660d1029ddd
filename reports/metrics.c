// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The monitor's metrics (compactrace/metrics.h): labelled counters fed by
 * the session's sink callbacks, rendered with the engine's cumulative
 * results at each scrape.
 *
 * Series live in one table per family, keyed by their packed label
 * values; the label sets are small and bounded (orders, statuses,
 * triggers, zones, migratetypes, at most cgroup_limit + 1 cgroups), so
 * memory stays flat however long the monitor runs.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compactrace/error.h"
#include "compactrace/fragindex.h"
#include "compactrace/memsnap.h"
#include "compactrace/metrics.h"
#include "compactrace/vmstat_check.h"

const double ct_metrics_bucket_bounds[CT_METRICS_BUCKETS] = {
	50e-6, 100e-6, 250e-6, 500e-6, 1e-3, 2.5e-3, 5e-3, 10e-3, 25e-3, 50e-3,
	100e-3, 250e-3, 500e-3, 1, 2.5, 5, 10,
};

/* the same bounds in ns, so that a duration lands in the bucket an exact comparison gives */
static const uint64_t bucket_ns[CT_METRICS_BUCKETS] = {
	50000, 100000, 250000, 500000, 1000000, 2500000, 5000000, 10000000, 25000000, 50000000,
	100000000, 250000000, 500000000, 1000000000, 2500000000ULL, 5000000000ULL, 10000000000ULL,
};

#define MAX_INTERN 64		/* zones; cgroups have their own limit */
#define SLOT_UNKNOWN_ORDER CT_ORDER_SLOTS
#define N_UNTRACED 3
#define TRIGGER_NONE CT_TRIGGER_COUNT	/* pages scanned outside any run seen whole */

struct series {
	uint64_t key;
	uint64_t count;
	uint64_t sum_ns;
	uint64_t buckets[CT_METRICS_BUCKETS + 1];	/* histograms only */
};

struct table {
	struct series *v;
	uint32_t n, cap;
	uint32_t *idx;		/* open addressing: series index + 1; 0 empty */
	uint32_t idxcap;
};

struct intern {
	char **s;
	uint32_t n, cap;
};

struct ct_metrics {
	ct_metrics_cgroup_fn cgroup_of;
	void *ctx;
	uint32_t cgroup_limit;
	struct intern cgroups, zones;
	struct table stalls, stall_hist, runs, run_hist, fallbacks;
	uint64_t migrate_scanned[CT_TRIGGER_COUNT + 1], free_scanned[CT_TRIGGER_COUNT + 1];
	uint64_t events[CT_EV_TYPE_COUNT];
	uint64_t untraced[N_UNTRACED];	/* the largest value seen: a counter never goes down */
	int have_untraced;
	int failed;			/* an allocation failed in a callback: -CT_E_NOMEM stops the session */
};

static const char *const untraced_names[N_UNTRACED] = {
	"compact_migrate_scanned", "compact_free_scanned", "compact_isolated",
};

struct ct_metrics *ct_metrics_new(ct_metrics_cgroup_fn cgroup_of, void *ctx, uint32_t cgroup_limit)
{
	struct ct_metrics *m = calloc(1, sizeof(*m));

	if (!m)
		return NULL;
	m->cgroup_of = cgroup_of;
	m->ctx = ctx;
	m->cgroup_limit = cgroup_limit;
	return m;
}

static void table_free(struct table *t)
{
	free(t->v);
	free(t->idx);
}

static void intern_free(struct intern *in)
{
	for (uint32_t i = 0; i < in->n; i++)
		free(in->s[i]);
	free(in->s);
}

void ct_metrics_free(struct ct_metrics *m)
{
	if (!m)
		return;
	table_free(&m->stalls);
	table_free(&m->stall_hist);
	table_free(&m->runs);
	table_free(&m->run_hist);
	table_free(&m->fallbacks);
	intern_free(&m->cgroups);
	intern_free(&m->zones);
	free(m);
}

uint32_t ct_metrics_cgroups(const struct ct_metrics *m)
{
	return m->cgroups.n;
}

static uint32_t hash64(uint64_t k)
{
	k ^= k >> 33;
	k *= 0xff51afd7ed558ccdULL;
	k ^= k >> 33;
	return (uint32_t)k;
}

static int table_rehash(struct table *t, uint32_t cap)
{
	uint32_t *idx = calloc(cap, sizeof(*idx));

	if (!idx)
		return -CT_E_NOMEM;
	for (uint32_t i = 0; i < t->n; i++) {
		uint32_t h = hash64(t->v[i].key) & (cap - 1);

		while (idx[h])
			h = (h + 1) & (cap - 1);
		idx[h] = i + 1;
	}
	free(t->idx);
	t->idx = idx;
	t->idxcap = cap;
	return 0;
}

/* the series with @key, made when new; NULL on allocation failure */
static struct series *table_get(struct table *t, uint64_t key)
{
	uint32_t h;

	if ((t->n + 1) * 2 > t->idxcap && table_rehash(t, t->idxcap ? t->idxcap * 2 : 64) < 0)
		return NULL;
	for (h = hash64(key) & (t->idxcap - 1); t->idx[h]; h = (h + 1) & (t->idxcap - 1))
		if (t->v[t->idx[h] - 1].key == key)
			return &t->v[t->idx[h] - 1];
	if (t->n == t->cap) {
		uint32_t cap = t->cap ? t->cap * 2 : 32;
		struct series *v = realloc(t->v, cap * sizeof(*v));

		if (!v)
			return NULL;
		t->v = v;
		t->cap = cap;
	}
	memset(&t->v[t->n], 0, sizeof(t->v[t->n]));
	t->v[t->n].key = key;
	t->idx[h] = ++t->n;
	return &t->v[t->n - 1];
}

static void observe(struct series *s, uint64_t ns)
{
	int b = 0;

	while (b < CT_METRICS_BUCKETS && ns > bucket_ns[b])
		b++;
	s->buckets[b]++;
	s->count++;
	s->sum_ns += ns;
}

/* index of @name in @in, added when there is room; @limit reached: -1 */
static int intern_id(struct intern *in, const char *name, uint32_t limit, int *nomem)
{
	for (uint32_t i = 0; i < in->n; i++)
		if (strcmp(in->s[i], name) == 0)
			return (int)i;
	if (in->n >= limit)
		return -1;
	if (in->n == in->cap) {
		uint32_t cap = in->cap ? in->cap * 2 : 8;
		char **s = realloc(in->s, cap * sizeof(*s));

		if (!s) {
			*nomem = 1;
			return -1;
		}
		in->s = s;
		in->cap = cap;
	}
	in->s[in->n] = strdup(name);
	if (!in->s[in->n]) {
		*nomem = 1;
		return -1;
	}
	return (int)in->n++;
}

/* the cgroup label id of @pid: 0 "other", 1.. the interned groups; 0xffff: no label */
static uint64_t cgroup_key(struct ct_metrics *m, int32_t pid)
{
	const char *cg;
	int id, nomem = 0;

	if (!m->cgroup_of)
		return 0xffff;
	cg = m->cgroup_of(m->ctx, pid);
	id = intern_id(&m->cgroups, cg ? cg : "unknown", m->cgroup_limit, &nomem);
	if (nomem)
		m->failed = 1;
	return id < 0 ? 0 : (uint64_t)id + 1;
}

static uint64_t order_slot(int32_t order)
{
	return order >= CT_ORDER_MIN && order <= CT_ORDER_MAX ? (uint64_t)(order + 1) : SLOT_UNKNOWN_ORDER;
}

/* ---- the sink ---- */

static int on_event(void *ctx, const struct ct_event *ev, const struct ct_run *run)
{
	struct ct_metrics *m = ctx;

	(void)run;
	if (ev->type < CT_EV_TYPE_COUNT && ev->type != CT_EV_LOST && ev->type != CT_EV_PARSE_ERROR)
		m->events[ev->type]++;
	/* isolate events outside any run the engine saw begin: their pages count as trigger "none" */
	if (!run && (ev->type == CT_EV_ISOLATE_MIGRATE || ev->type == CT_EV_ISOLATE_FREE ||
		     ev->type == CT_EV_FAST_ISOLATE_FREE)) {
		if (ev->type == CT_EV_ISOLATE_MIGRATE)
			m->migrate_scanned[TRIGGER_NONE] += ev->u.iso.nr_scanned;
		else
			m->free_scanned[TRIGGER_NONE] += ev->u.iso.nr_scanned;
	}
	return m->failed ? -CT_E_NOMEM : 0;
}

static int on_run(void *ctx, const struct ct_run *run)
{
	struct ct_metrics *m = ctx;
	unsigned trig = run->trigger < CT_TRIGGER_COUNT ? run->trigger : CT_TRIGGER_UNKNOWN;
	unsigned status = run->status >= 0 && run->status < CT_STATUS_COUNT ? (unsigned)run->status :
			  CT_STATUS_UNKNOWN;
	int nomem = 0, zone = intern_id(&m->zones, run->zone, MAX_INTERN, &nomem);
	struct series *s;
	uint64_t nid = run->nid >= 0 && run->nid < 0xffff ? (uint64_t)run->nid : 0xffff;

	if (nomem)
		return -CT_E_NOMEM;
	m->migrate_scanned[trig] += run->migrate_scanned;
	m->free_scanned[trig] += run->free_scanned;
	s = table_get(&m->runs, trig | (uint64_t)status << 8 | nid << 16 |
		      (uint64_t)(zone < 0 ? 0xffff : zone) << 32);
	if (!s)
		return -CT_E_NOMEM;
	s->count++;
	s = table_get(&m->run_hist, trig);
	if (!s)
		return -CT_E_NOMEM;
	observe(s, run->end_ns >= run->begin_ns ? run->end_ns - run->begin_ns : 0);
	return 0;
}

static int on_stall(void *ctx, const struct ct_stall *st)
{
	struct ct_metrics *m = ctx;
	uint64_t cg = cgroup_key(m, st->pid), slot = order_slot(st->order);
	unsigned result = st->result >= 0 && st->result < CT_STATUS_COUNT ? (unsigned)st->result :
			  CT_STATUS_UNKNOWN;
	struct series *s;

	s = table_get(&m->stalls, slot | (uint64_t)result << 8 | cg << 16);
	if (!s)
		return -CT_E_NOMEM;
	s->count++;
	s = table_get(&m->stall_hist, slot | cg << 16);
	if (!s)
		return -CT_E_NOMEM;
	observe(s, st->latency_ns);
	return m->failed ? -CT_E_NOMEM : 0;
}

static int on_fallback(void *ctx, const struct ct_fallback *fb)
{
	struct ct_metrics *m = ctx;
	uint64_t cg = cgroup_key(m, fb->pid);
	uint64_t a = fb->alloc_migratetype >= 0 && fb->alloc_migratetype < 0xff ? (uint64_t)fb->alloc_migratetype : 0xff;
	uint64_t f = fb->fallback_migratetype >= 0 && fb->fallback_migratetype < 0xff ?
		     (uint64_t)fb->fallback_migratetype : 0xff;
	struct series *s = table_get(&m->fallbacks, a | f << 8 | (uint64_t)!!fb->fragmenting << 16 | cg << 24);

	if (!s)
		return -CT_E_NOMEM;
	s->count++;
	return m->failed ? -CT_E_NOMEM : 0;
}

static const struct ct_sink_ops metrics_ops = {
	.name = "metrics",
	.event = on_event,
	.run = on_run,
	.stall = on_stall,
	.fallback = on_fallback,
};

struct ct_sink ct_metrics_sink(struct ct_metrics *m)
{
	return (struct ct_sink){ .ops = &metrics_ops, .ctx = m };
}

/* ---- rendering ---- */

static int cmp_key(const void *a, const void *b)
{
	const struct series *x = a, *y = b;

	return x->key < y->key ? -1 : x->key > y->key;
}

/* a copy of @t's series sorted by key, so that scrapes list them in a stable order */
static struct series *sorted(const struct table *t)
{
	struct series *v = malloc((t->n ? t->n : 1) * sizeof(*v));

	if (!v)
		return NULL;
	if (t->n) {	/* an empty table has no array to copy from */
		memcpy(v, t->v, t->n * sizeof(*v));
		qsort(v, t->n, sizeof(*v), cmp_key);
	}
	return v;
}

static void order_label(char *out, size_t len, uint64_t slot)
{
	if (slot == SLOT_UNKNOWN_ORDER)
		snprintf(out, len, "unknown");
	else
		snprintf(out, len, "%d", (int)slot - 1);
}

static const char *cgroup_label(const struct ct_metrics *m, uint64_t id)
{
	return id == 0 ? "other" : id <= m->cgroups.n ? m->cgroups.s[id - 1] : "unknown";
}

static void migratetype_label(char *out, size_t len, const struct ct_host_facts *facts, uint64_t v)
{
	if (facts && v < (uint64_t)facts->nmigratetypes && facts->migratetype_names[v][0])
		snprintf(out, len, "%s", facts->migratetype_names[v]);
	else if (v == 0xff)
		snprintf(out, len, "unknown");
	else
		snprintf(out, len, "%u", (unsigned)v);
}

static int render_stalls(struct ct_metrics *m, struct ct_om *w)
{
	struct series *v = sorted(&m->stalls), *h = NULL;
	char order[16];
	int ret;

	if (!v)
		return -CT_E_NOMEM;
	ret = ct_om_family(w, "compactrace_direct_stalls_total", CT_OM_COUNTER,
			   "Direct compaction stalls (try_to_compact_pages) by order and result");
	for (uint32_t i = 0; ret == 0 && i < m->stalls.n; i++) {
		uint64_t k = v[i].key, cg = k >> 16;
		const char *labels[] = { "order", order, "result", ct_status_name((enum ct_status)((k >> 8) & 0xff)),
					 "cgroup", cgroup_label(m, cg), NULL };

		order_label(order, sizeof(order), k & 0xff);
		if (cg == 0xffff)
			labels[4] = NULL;
		ret = ct_om_sample_u64(w, labels, v[i].count);
	}
	if (ret == 0)
		ret = ct_om_family(w, "compactrace_direct_stall_seconds", CT_OM_HISTOGRAM,
				   "Direct compaction stall latency, from try_to_compact_pages to its last zone");
	if (ret == 0 && !(h = sorted(&m->stall_hist)))
		ret = -CT_E_NOMEM;
	for (uint32_t i = 0; ret == 0 && i < m->stall_hist.n; i++) {
		uint64_t k = h[i].key, cg = k >> 16;
		const char *labels[] = { "order", order, "cgroup", cgroup_label(m, cg), NULL };

		order_label(order, sizeof(order), k & 0xff);
		if (cg == 0xffff)
			labels[2] = NULL;
		ret = ct_om_histogram(w, labels, ct_metrics_bucket_bounds, h[i].buckets, CT_METRICS_BUCKETS,
				      (double)h[i].sum_ns / 1e9);
	}
	free(v);
	free(h);
	return ret;
}

static int render_runs(struct ct_metrics *m, struct ct_om *w)
{
	struct series *v = sorted(&m->runs), *h = NULL;
	char node[16];
	int ret;

	if (!v)
		return -CT_E_NOMEM;
	ret = ct_om_family(w, "compactrace_runs_total", CT_OM_COUNTER,
			   "Compaction runs (compact_zone calls) by trigger, end status, node and zone");
	for (uint32_t i = 0; ret == 0 && i < m->runs.n; i++) {
		uint64_t k = v[i].key, nid = (k >> 16) & 0xffff, zone = k >> 32;
		const char *labels[] = { "trigger", ct_trigger_name((enum ct_trigger)(k & 0xff)),
					 "status", ct_status_name((enum ct_status)((k >> 8) & 0xff)),
					 "node", node, "zone", zone < m->zones.n ? m->zones.s[zone] : "unknown", NULL };

		if (nid == 0xffff)
			snprintf(node, sizeof(node), "unknown");
		else
			snprintf(node, sizeof(node), "%u", (unsigned)nid);
		ret = ct_om_sample_u64(w, labels, v[i].count);
	}
	if (ret == 0)
		ret = ct_om_family(w, "compactrace_run_duration_seconds", CT_OM_HISTOGRAM,
				   "Compaction run duration, mm_compaction_begin to mm_compaction_end");
	if (ret == 0 && !(h = sorted(&m->run_hist)))
		ret = -CT_E_NOMEM;
	for (uint32_t i = 0; ret == 0 && i < m->run_hist.n; i++) {
		const char *labels[] = { "trigger", ct_trigger_name((enum ct_trigger)h[i].key), NULL };

		ret = ct_om_histogram(w, labels, ct_metrics_bucket_bounds, h[i].buckets, CT_METRICS_BUCKETS,
				      (double)h[i].sum_ns / 1e9);
	}
	free(v);
	free(h);
	return ret;
}

static int render_scanned(struct ct_metrics *m, struct ct_om *w, const char *name, const char *help,
			  const uint64_t *by_trigger)
{
	int ret = ct_om_family(w, name, CT_OM_COUNTER, help);

	for (int t = 0; ret == 0 && t <= CT_TRIGGER_COUNT; t++) {
		const char *labels[] = { "trigger", t == TRIGGER_NONE ? "none" : ct_trigger_name((enum ct_trigger)t),
					 NULL };

		ret = ct_om_sample_u64(w, labels, by_trigger[t]);
	}
	(void)m;
	return ret;
}

static int render_plain(struct ct_om *w, const char *name, const char *help, uint64_t v)
{
	int ret = ct_om_family(w, name, CT_OM_COUNTER, help);

	return ret ? ret : ct_om_sample_u64(w, NULL, v);
}

static int render_zones(const struct ct_results *res, struct ct_om *w)
{
	char node[16], order[16];
	int ret = ct_om_family(w, "compactrace_deferrals_total", CT_OM_COUNTER,
			       "Compaction skipped because it was deferred (mm_compaction_deferred) by node, zone and order");

	for (uint32_t i = 0; ret == 0 && i < res->nzones; i++) {
		const struct ct_zone_summary *z = &res->zones[i];

		snprintf(node, sizeof(node), "%d", z->nid);
		for (int s = 0; ret == 0 && s < CT_ORDER_SLOTS; s++) {
			const char *labels[] = { "node", node, "zone", z->zone, "order", order, NULL };

			if (!z->deferred[s])
				continue;
			snprintf(order, sizeof(order), "%d", s - 1);
			ret = ct_om_sample_u64(w, labels, z->deferred[s]);
		}
	}
	return ret;
}

static int render_kcompactd(const struct ct_metrics_host *h, struct ct_om *w)
{
	const struct ct_results *res = h->res;
	char node[16];
	int ret = ct_om_family(w, "compactrace_kcompactd_wakes_total", CT_OM_COUNTER,
			       "kcompactd wake-ups (mm_compaction_kcompactd_wake) by node");

	for (uint32_t i = 0; ret == 0 && i < res->nkcompactd; i++) {
		const char *labels[] = { "node", node, NULL };

		snprintf(node, sizeof(node), "%d", res->kcompactd[i].nid);
		ret = ct_om_sample_u64(w, labels, res->kcompactd[i].wakes);
	}
	if (ret == 0)
		ret = ct_om_family(w, "compactrace_kcompactd_awake_seconds_total", CT_OM_COUNTER,
				   "Time kcompactd spent awake (wake to sleep) by node");
	for (uint32_t i = 0; ret == 0 && i < res->nkcompactd; i++) {
		const struct ct_kcompactd_summary *k = &res->kcompactd[i];
		const char *labels[] = { "node", node, NULL };
		uint64_t ns = k->awake_ns;

		/* an open period counts up to the last event fed: a later sleep is never earlier */
		if (k->awake && h->watermark_ns > k->awake_since_ns)
			ns += h->watermark_ns - k->awake_since_ns;
		snprintf(node, sizeof(node), "%d", k->nid);
		ret = ct_om_sample(w, labels, (double)ns / 1e9);
	}
	return ret;
}

static int render_fallbacks(struct ct_metrics *m, const struct ct_metrics_host *h, struct ct_om *w)
{
	struct series *v = sorted(&m->fallbacks);
	char alloc[CT_FACT_NAME_LEN + 8], fb[CT_FACT_NAME_LEN + 8];
	int ret;

	if (!v)
		return -CT_E_NOMEM;
	ret = ct_om_family(w, "compactrace_extfrag_fallbacks_total", CT_OM_COUNTER,
			   "Allocations that fell back to another migratetype (mm_page_alloc_extfrag); "
			   "fragmenting: fallback order below the pageblock order");
	for (uint32_t i = 0; ret == 0 && i < m->fallbacks.n; i++) {
		uint64_t k = v[i].key, cg = k >> 24;
		const char *labels[] = { "alloc_migratetype", alloc, "fallback_migratetype", fb,
					 "fragmenting", (k >> 16) & 1 ? "true" : "false",
					 "cgroup", cgroup_label(m, cg), NULL };

		migratetype_label(alloc, sizeof(alloc), h->facts, k & 0xff);
		migratetype_label(fb, sizeof(fb), h->facts, (k >> 8) & 0xff);
		if (cg == 0xffff)
			labels[6] = NULL;
		ret = ct_om_sample_u64(w, labels, v[i].count);
	}
	free(v);
	return ret;
}

/* free blocks and the kernel's fragmentation index per node, zone and order, from buddyinfo */
static int render_buddy(const char *buddyinfo, struct ct_om *w)
{
	struct ct_memsnap *snap = ct_memsnap_new();
	char err[256], node[16], order[16];
	int ret;

	if (!snap)
		return -CT_E_NOMEM;
	ret = ct_memsnap_parse_buddyinfo(snap, buddyinfo, strlen(buddyinfo), err, sizeof(err));
	if (ret == -CT_E_NOMEM)
		goto out;
	if (ret < 0) {
		ret = 0;	/* an unreadable buddyinfo leaves the gauges out */
		goto out;
	}
	ret = ct_om_family(w, "compactrace_free_blocks", CT_OM_GAUGE,
			   "Free blocks in the buddy allocator by node, zone and order (/proc/buddyinfo)");
	for (uint32_t i = 0; ret == 0 && i < snap->nzones; i++)
		for (int o = 0; ret == 0 && o < snap->norders; o++) {
			const char *labels[] = { "node", node, "zone", snap->zones[i].name, "order", order, NULL };

			snprintf(node, sizeof(node), "%d", snap->zones[i].nid);
			snprintf(order, sizeof(order), "%d", o);
			ret = ct_om_sample_u64(w, labels, snap->zones[i].free_blocks[o]);
		}
	if (ret == 0)
		ret = ct_om_family(w, "compactrace_fragmentation_index", CT_OM_GAUGE,
				   "The kernel's fragmentation index (extfrag_index): 0 lack of memory .. "
				   "1 fragmentation; -1 a free block of the order exists");
	for (uint32_t i = 0; ret == 0 && i < snap->nzones; i++)
		for (int o = 0; ret == 0 && o < snap->norders; o++) {
			const char *labels[] = { "node", node, "zone", snap->zones[i].name, "order", order, NULL };
			int fi = ct_fragmentation_index(snap->zones[i].free_blocks, snap->norders, o);

			snprintf(node, sizeof(node), "%d", snap->zones[i].nid);
			snprintf(order, sizeof(order), "%d", o);
			ret = ct_om_sample(w, labels, (double)fi / 1000.0);
		}
out:
	ct_memsnap_free(snap);
	return ret;
}

void ct_metrics_note_vmstat(struct ct_metrics *m, const struct ct_results *res, const struct ct_host_facts *facts,
			    const char *vmstat_start, const char *vmstat_now)
{
	struct ct_vmstat_check check;

	if (!vmstat_start || !vmstat_now)
		return;
	ct_vmstat_check_run(res, facts, vmstat_start, vmstat_now, &check);
	m->have_untraced = 1;
	for (int i = 0; i < N_UNTRACED; i++)
		for (int k = 0; k < CT_VMSTAT_COUNTERS; k++) {
			const struct ct_vmstat_counter *c = &check.counters[k];

			if (!c->name || strcmp(c->name, untraced_names[i]) != 0 || c->verdict == CT_VERDICT_MISSING)
				continue;
			if (c->vmstat_delta > 0 && (uint64_t)c->vmstat_delta > c->trace &&
			    (uint64_t)c->vmstat_delta - c->trace > m->untraced[i])
				m->untraced[i] = (uint64_t)c->vmstat_delta - c->trace;
		}
}

static int render_untraced(struct ct_metrics *m, struct ct_om *w)
{
	int ret = ct_om_family(w, "compactrace_untraced_pages_total", CT_OM_COUNTER,
			       "Pages /proc/vmstat counted since the monitor started that no trace event "
			       "reported (e.g. fast_find_migrateblock's scanning)");

	for (int i = 0; ret == 0 && i < N_UNTRACED; i++) {
		const char *labels[] = { "counter", untraced_names[i], NULL };

		ret = ct_om_sample_u64(w, labels, m->untraced[i]);
	}
	return ret;
}

static int render_health(struct ct_metrics *m, const struct ct_metrics_host *h, struct ct_om *w)
{
	const char *bi[] = { "version", h->version, "kernel", h->kernel, NULL };
	int ret = ct_om_family(w, "compactrace_build_info", CT_OM_GAUGE,
			       "compactrace's version and the kernel it traces (always 1)");

	if (ret == 0)
		ret = ct_om_sample(w, bi, 1);
	if (ret == 0)
		ret = ct_om_family(w, "compactrace_events_total", CT_OM_COUNTER,
				   "Trace events decoded and fed to the engine, by event");
	for (int t = 0; ret == 0 && t < CT_EV_TYPE_COUNT; t++) {
		const char *labels[] = { "event", t == CT_EV_OTHER ? "other" : ct_event_type_name((enum ct_event_type)t),
					 NULL };

		if (m->events[t])
			ret = ct_om_sample_u64(w, labels, m->events[t]);
	}
	if (ret == 0)
		ret = render_plain(w, "compactrace_lost_events_total",
				   "Events the kernel's ring buffer lost before the monitor read them",
				   h->res->quality.lost_events);
	if (ret == 0)
		ret = ct_om_family(w, "process_cpu_seconds_total", CT_OM_COUNTER,
				   "User and system CPU time of the monitor process");
	if (ret == 0)
		ret = ct_om_sample(w, NULL, h->cpu_seconds);
	if (ret == 0)
		ret = ct_om_family(w, "process_resident_memory_bytes", CT_OM_GAUGE,
				   "Resident memory of the monitor process");
	if (ret == 0)
		ret = ct_om_sample_u64(w, NULL, h->rss_bytes);
	if (ret == 0)
		ret = ct_om_family(w, "process_start_time_seconds", CT_OM_GAUGE,
				   "When the monitor process started, seconds since the epoch");
	if (ret == 0)
		ret = ct_om_sample(w, NULL, h->start_time_seconds);
	return ret;
}

static int render_captures(const struct ct_metrics_host *h, struct ct_om *w)
{
	int ret = ct_om_family(w, "compactrace_captures_total", CT_OM_COUNTER,
			       "Flight-recorder captures written, by what triggered them");

	for (uint32_t i = 0; ret == 0 && i < h->ncaptures; i++) {
		const char *labels[] = { "reason", h->captures[i].reason, NULL };

		ret = ct_om_sample_u64(w, labels, h->captures[i].count);
	}
	if (ret == 0)
		ret = ct_om_family(w, "compactrace_capture_bytes", CT_OM_GAUGE,
				   "Bytes of the capture files kept in the capture directory");
	if (ret == 0)
		ret = ct_om_sample_u64(w, NULL, h->capture_bytes);
	if (ret == 0)
		ret = render_plain(w, "compactrace_capture_errors_total",
				   "Captures not written (a full disk, a write error)", h->capture_errors);
	if (ret == 0)
		ret = render_plain(w, "compactrace_capture_triggers_suppressed_total",
				   "Triggers dropped by --capture-min-interval", h->capture_suppressed);
	return ret;
}

int ct_metrics_render(struct ct_metrics *m, const struct ct_metrics_host *h, struct ct_om *w)
{
	const struct ct_results *res = h->res;
	int ret = render_health(m, h, w);

	if (ret == 0)
		ret = render_stalls(m, w);
	if (ret == 0)
		ret = render_runs(m, w);
	if (ret == 0)
		ret = render_scanned(m, w, "compactrace_migrate_scanned_pages_total",
				     "Pages the migration scanner looked at, by the trigger of their run "
				     "(none: outside a run seen whole)", m->migrate_scanned);
	if (ret == 0)
		ret = render_scanned(m, w, "compactrace_free_scanned_pages_total",
				     "Pages the free scanner looked at (fast isolation included), by the "
				     "trigger of their run (none: outside a run seen whole)", m->free_scanned);
	if (ret == 0)
		ret = render_plain(w, "compactrace_isolated_pages_total",
				   "Pages isolated by the migration and free scanners (vmstat compact_isolated)",
				   res->totals.compact_isolated);
	if (ret == 0)
		ret = render_plain(w, "compactrace_migrated_pages_total",
				   "Pages migrated by compaction (mm_compaction_migratepages)", res->runs.migrated);
	if (ret == 0)
		ret = render_plain(w, "compactrace_migrate_failed_pages_total",
				   "Pages compaction failed to migrate", res->runs.migrate_failed);
	if (ret == 0)
		ret = render_zones(res, w);
	if (ret == 0)
		ret = render_kcompactd(h, w);
	if (ret == 0)
		ret = render_fallbacks(m, h, w);
	if (ret == 0 && h->buddyinfo)
		ret = render_buddy(h->buddyinfo, w);
	if (ret == 0 && m->have_untraced)
		ret = render_untraced(m, w);
	if (ret == 0 && h->captures)
		ret = render_captures(h, w);
	return ret;
}
