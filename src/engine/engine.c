// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The reconstruction engine: replays normalized events into compaction
 * runs, direct-compaction stalls, kcompactd cycles, deferrals and extfrag
 * statistics. Plain C, no I/O, one pass; state is kept per task (a run or a
 * stall in flight), per zone, per node and per polluted pageblock.
 */
#include <stdlib.h>
#include <string.h>

#include "compactrace/engine.h"
#include "compactrace/error.h"
#include "compactrace/sink.h"
#include "core/util.h"
#include "engine/engine_values.h"

#define ORDER_UNKNOWN INT32_MIN
#define DEFAULT_PAGEBLOCK_ORDER 9	/* x86-64: HPAGE_PMD_ORDER */
#define MAX_EVENT_NAMES 256	/* distinct names listed per source; more are lumped */
#define NAME_SLOTS 1024		/* hash slots for those names: > 2 x MAX_EVENT_NAMES */
#define MAX_SINKS 16

struct task {
	int32_t pid;		/* 0 is a valid pid (<idle>), so @used marks slots */
	uint8_t used;
	uint8_t run_open, stall_open;
	uint8_t kcompactd_awake;	/* between kcompactd_wake and kcompactd_sleep */
	uint8_t pending_valid;		/* a suitable event waits for its begin */
	int32_t kcompactd_nid;		/* the node this kcompactd serves; -1 until seen */
	int32_t pending_nid, pending_order;
	char pending_zone[CT_ZONE_LEN];
	/* a finished event outside any run: the run whose begin was lost */
	uint8_t lost_begin_valid;
	int32_t lost_begin_nid, lost_begin_order;
	char lost_begin_zone[CT_ZONE_LEN];
	struct ct_run run;
	struct ct_stall stall;
	uint64_t stall_last_ns;
};

struct ct_engine {
	struct ct_engine_opts opts;
	struct ct_results res;
	struct task *tasks;	/* open addressing by pid */
	uint32_t tasks_cap, tasks_used;
	uint64_t *pageblocks;	/* set of polluted pageblock numbers + 1 (0 = empty) */
	uint64_t pageblocks_cap;
	struct ct_source_summary *cur;	/* the source being fed */
	uint64_t last_ts_ns;
	int have_ts;
	uint32_t zones_cap, kcompactd_cap, sources_cap;
	uint64_t type_counts[CT_EV_TYPE_COUNT];	/* this source's interpreted events */
	uint16_t name_slots[NAME_SLOTS];	/* other names: index + 1 into cur->names */
	int nomem;
	int sink_error;		/* the first error a sink returned; 0 none */
	struct ct_sink sinks[MAX_SINKS];
	uint32_t nsinks;
};

static const char *const trigger_names[CT_TRIGGER_COUNT] = {
	"direct", "kcompactd", "proactive", "manual", "unknown",
};
static const char *const mode_names[CT_MODE_COUNT] = { "async", "sync", "unknown" };

const char *ct_trigger_name(enum ct_trigger trigger)
{
	return (unsigned)trigger < CT_TRIGGER_COUNT ? trigger_names[trigger] : "unknown";
}

const char *ct_mode_name(enum ct_mode mode)
{
	return (unsigned)mode < CT_MODE_COUNT ? mode_names[mode] : "unknown";
}

/* ---- small helpers ------------------------------------------------------ */

static void copy_str(char *dst, size_t size, const char *src)
{
	size_t n = strnlen(src, size - 1);

	memcpy(dst, src, n);
	dst[n] = '\0';
}

static int order_slot(int32_t order)
{
	if (order < CT_ORDER_MIN || order > CT_ORDER_MAX)
		return -1;
	return order + 1;
}

/* a total that cannot wrap: it stops at the largest value, once counted as bad */
static void total_add(struct ct_engine *eng, uint64_t *total, uint64_t v)
{
	if (*total > UINT64_MAX - v) {
		if (*total != UINT64_MAX)
			eng->res.quality.bad_values++;
		*total = UINT64_MAX;
		return;
	}
	*total += v;
}

/* ---- sinks: each result handed on as it happens --------------------------- */

static void sink_result(struct ct_engine *eng, int ret)
{
	if (ret < 0 && !eng->sink_error)
		eng->sink_error = ret;
}

#define NOTIFY(eng, cb, ...)                                                     \
	do {                                                                     \
		for (uint32_t i_ = 0; i_ < (eng)->nsinks; i_++)                  \
			if ((eng)->sinks[i_].ops->cb)                            \
				sink_result((eng), (eng)->sinks[i_].ops->cb(     \
					(eng)->sinks[i_].ctx, __VA_ARGS__));     \
	} while (0)

static int is_kcompactd(const char *comm)
{
	return strncmp(comm, "kcompactd", 9) == 0;
}

/* ---- tasks -------------------------------------------------------------- */

static uint32_t hash_u64(uint64_t v)
{
	v ^= v >> 33;
	v *= 0xff51afd7ed558ccdULL;
	v ^= v >> 33;
	return (uint32_t)v;
}

static int tasks_rehash(struct ct_engine *eng, uint32_t ncap)
{
	struct task *old = eng->tasks, *n = calloc(ncap, sizeof(*n));
	uint32_t ocap = eng->tasks_cap;

	if (!n)
		return -CT_E_NOMEM;
	for (uint32_t i = 0; i < ocap; i++) {
		uint32_t j;

		if (!old[i].used)
			continue;
		for (j = hash_u64((uint64_t)old[i].pid) & (ncap - 1); n[j].used; j = (j + 1) & (ncap - 1))
			;
		n[j] = old[i];
	}
	free(old);
	eng->tasks = n;
	eng->tasks_cap = ncap;
	return 0;
}

static struct task *task_get(struct ct_engine *eng, int32_t pid)
{
	uint32_t i;

	if ((eng->tasks_used + 1) * 10 > eng->tasks_cap * 7 &&
	    tasks_rehash(eng, eng->tasks_cap ? eng->tasks_cap * 2 : 64) < 0)
		return NULL;
	for (i = hash_u64((uint64_t)pid) & (eng->tasks_cap - 1); eng->tasks[i].used;
	     i = (i + 1) & (eng->tasks_cap - 1))
		if (eng->tasks[i].pid == pid)
			return &eng->tasks[i];
	eng->tasks[i].used = 1;
	eng->tasks[i].pid = pid;
	eng->tasks[i].kcompactd_nid = -1;
	eng->tasks_used++;
	return &eng->tasks[i];
}

/* ---- zones, nodes, pageblocks ------------------------------------------- */

static struct ct_zone_summary *zone_get(struct ct_engine *eng, int32_t nid, const char *zone)
{
	struct ct_results *r = &eng->res;
	struct ct_zone_summary *z;

	for (uint32_t i = 0; i < r->nzones; i++)
		if (r->zones[i].nid == nid && strcmp(r->zones[i].zone, zone) == 0)
			return &r->zones[i];
	if (ct_grow_array((void **)&r->zones, &eng->zones_cap, r->nzones + 1, sizeof(*r->zones)) < 0)
		return NULL;
	z = &r->zones[r->nzones++];
	z->nid = nid;
	copy_str(z->zone, sizeof(z->zone), zone);
	return z;
}

/* A run whose events never named its zone: find the zone by its span. */
static struct ct_zone_summary *zone_by_span(struct ct_engine *eng, uint64_t start, uint64_t end)
{
	struct ct_results *r = &eng->res;

	for (uint32_t i = 0; i < r->nzones; i++)
		if (r->zones[i].zone_end_pfn == end && r->zones[i].zone_start_pfn == start &&
		    r->zones[i].nid >= 0)
			return &r->zones[i];
	return NULL;
}

static struct ct_kcompactd_summary *node_get(struct ct_engine *eng, int32_t nid)
{
	struct ct_results *r = &eng->res;
	struct ct_kcompactd_summary *k;

	for (uint32_t i = 0; i < r->nkcompactd; i++)
		if (r->kcompactd[i].nid == nid)
			return &r->kcompactd[i];
	if (ct_grow_array((void **)&r->kcompactd, &eng->kcompactd_cap, r->nkcompactd + 1,
		 sizeof(*r->kcompactd)) < 0)
		return NULL;
	k = &r->kcompactd[r->nkcompactd++];
	k->nid = nid;
	return k;
}

/* returns 1 if the pageblock was new, 0 if seen, <0 on error */
static int pageblock_add(struct ct_engine *eng, uint64_t pb)
{
	uint64_t key = pb + 1, i;

	if ((eng->res.extfrag.pageblocks_polluted + 1) * 10 > eng->pageblocks_cap * 7) {
		uint64_t ncap = eng->pageblocks_cap ? eng->pageblocks_cap * 2 : 1024;
		uint64_t *n = calloc(ncap, sizeof(*n));

		if (!n)
			return -CT_E_NOMEM;
		for (uint64_t j = 0; j < eng->pageblocks_cap; j++) {
			uint64_t k = eng->pageblocks[j];

			if (!k)
				continue;
			for (i = hash_u64(k) & (ncap - 1); n[i]; i = (i + 1) & (ncap - 1))
				;
			n[i] = k;
		}
		free(eng->pageblocks);
		eng->pageblocks = n;
		eng->pageblocks_cap = ncap;
	}
	for (i = hash_u64(key) & (eng->pageblocks_cap - 1); eng->pageblocks[i];
	     i = (i + 1) & (eng->pageblocks_cap - 1))
		if (eng->pageblocks[i] == key)
			return 0;
	eng->pageblocks[i] = key;
	return 1;
}

/* ---- sources and event names -------------------------------------------- */

static uint32_t hash_name(const char *name, size_t len)
{
	uint32_t h = 2166136261u;	/* FNV-1a */

	for (size_t i = 0; i < len; i++)
		h = (h ^ (unsigned char)name[i]) * 16777619u;
	return h;
}

static int add_name(struct ct_source_summary *s, const char *name, size_t len, uint64_t count)
{
	struct ct_event_count *e;

	if (ct_grow_array((void **)&s->names, &s->names_cap, s->nnames + 1, sizeof(*s->names)) < 0)
		return -CT_E_NOMEM;
	e = &s->names[s->nnames];
	e->name = strndup(name, len);
	if (!e->name)
		return -CT_E_NOMEM;
	e->count = count;
	s->nnames++;
	return 0;
}

/*
 * Count an event by name. Interpreted events are counted by type (their
 * names are fixed); other names go through a small hash table, because big
 * traces are mostly kmem page events and this runs for every one of them.
 */
static int count_name(struct ct_engine *eng, const struct ct_event *ev)
{
	struct ct_source_summary *s = eng->cur;
	uint32_t h, i;

	if (ev->type != CT_EV_OTHER) {
		eng->type_counts[ev->type]++;
		return 0;
	}
	h = hash_name(ev->name, ev->name_len);
	for (i = h & (NAME_SLOTS - 1); eng->name_slots[i]; i = (i + 1) & (NAME_SLOTS - 1)) {
		struct ct_event_count *e = &s->names[eng->name_slots[i] - 1];

		if (strncmp(e->name, ev->name, ev->name_len) == 0 && e->name[ev->name_len] == '\0') {
			e->count++;
			return 0;
		}
	}
	if (s->nnames >= MAX_EVENT_NAMES) {
		s->names_overflow++;
		return 0;
	}
	if (add_name(s, ev->name, ev->name_len, 1) < 0)
		return -CT_E_NOMEM;
	eng->name_slots[i] = (uint16_t)s->nnames;
	return 0;
}

/* At the end of a source: the per-type counts join the named ones. */
static int merge_type_counts(struct ct_engine *eng)
{
	for (int t = CT_EV_BEGIN; t < CT_EV_TYPE_COUNT; t++) {
		const char *name = ct_event_type_name((enum ct_event_type)t);

		if (t == CT_EV_LOST || t == CT_EV_PARSE_ERROR)
			continue;	/* markers, not events: never counted */
		if (eng->type_counts[t] && add_name(eng->cur, name, strlen(name), eng->type_counts[t]) < 0)
			return -CT_E_NOMEM;
	}
	memset(eng->type_counts, 0, sizeof(eng->type_counts));
	memset(eng->name_slots, 0, sizeof(eng->name_slots));
	return 0;
}

/* ---- runs and stalls ---------------------------------------------------- */

static void keep_slowest_run(struct ct_run_summary *rs, const struct ct_run *run)
{
	uint64_t d = run->end_ns - run->begin_ns;
	uint32_t i;

	if (rs->nslowest == CT_SLOWEST &&
	    d <= rs->slowest[CT_SLOWEST - 1].end_ns - rs->slowest[CT_SLOWEST - 1].begin_ns)
		return;
	i = rs->nslowest < CT_SLOWEST ? rs->nslowest++ : CT_SLOWEST - 1;
	while (i > 0 && rs->slowest[i - 1].end_ns - rs->slowest[i - 1].begin_ns < d) {
		rs->slowest[i] = rs->slowest[i - 1];
		i--;
	}
	rs->slowest[i] = *run;
}

static void keep_slowest_stall(struct ct_stall_summary *ss, const struct ct_stall *st)
{
	uint32_t i;

	if (ss->nslowest == CT_SLOWEST && st->latency_ns <= ss->slowest[CT_SLOWEST - 1].latency_ns)
		return;
	i = ss->nslowest < CT_SLOWEST ? ss->nslowest++ : CT_SLOWEST - 1;
	while (i > 0 && ss->slowest[i - 1].latency_ns < st->latency_ns) {
		ss->slowest[i] = ss->slowest[i - 1];
		i--;
	}
	ss->slowest[i] = *st;
}

static int add_latency(struct ct_engine *eng, struct ct_latency *lat, uint64_t ns)
{
	if (ct_latency_add(lat, ns) < 0)
		eng->nomem = 1;
	return 0;
}

static void stall_note_zone(struct ct_stall *st, int32_t nid, const char *zone,
			    enum ct_status status, int replace)
{
	for (uint32_t i = 0; i < st->nzones; i++) {
		if (st->zones[i].nid == nid && strcmp(st->zones[i].zone, zone) == 0) {
			if (replace)
				st->zones[i].status = (int16_t)status;
			return;
		}
	}
	if (st->nzones == CT_STALL_ZONES) {
		st->zones_truncated = 1;
		return;
	}
	st->zones[st->nzones].nid = nid;
	copy_str(st->zones[st->nzones].zone, sizeof(st->zones[0].zone), zone);
	st->zones[st->nzones].status = (int16_t)status;
	st->nzones++;
}

static void stall_close(struct ct_engine *eng, struct task *t)
{
	struct ct_stall_summary *ss = &eng->res.stalls;
	struct ct_stall *st = &t->stall;
	int slot = order_slot(st->order);
	int16_t result = -1;

	if (!t->stall_open)
		return;
	t->stall_open = 0;
	st->latency_ns = t->stall_last_ns > st->ts_ns ? t->stall_last_ns - st->ts_ns : 0;
	/* try_to_compact_pages() returns the maximum status over the zones */
	for (uint32_t i = 0; i < st->nzones; i++)
		if (st->zones[i].status != CT_STATUS_UNKNOWN && st->zones[i].status > result)
			result = st->zones[i].status;
	if (result < 0) {
		result = CT_STATUS_UNKNOWN;
		if (st->nzones == 0)
			ss->no_zone_events++;
	}
	st->result = result;

	ss->count++;
	ss->by_result[result]++;
	add_latency(eng, &ss->latency, st->latency_ns);
	if (slot >= 0) {
		ss->by_order[slot]++;
		add_latency(eng, &ss->latency_by_order[slot], st->latency_ns);
	} else {
		eng->res.quality.bad_values++;
	}
	keep_slowest_stall(ss, st);
	NOTIFY(eng, stall, st);
}

static enum ct_trigger run_trigger(const struct task *t, const struct ct_run *run)
{
	if (is_kcompactd(run->comm)) {
		/* proactive compaction runs outside kcompactd_do_work(): no wake event */
		if (t->kcompactd_awake || run->order >= 0 ||
		    (!run->begin_known && run->order == ORDER_UNKNOWN))
			return CT_TRIGGER_KCOMPACTD;
		return CT_TRIGGER_PROACTIVE;
	}
	if (t->stall_open)
		return CT_TRIGGER_DIRECT;
	if (run->order == -1)
		return CT_TRIGGER_MANUAL;	/* /proc/sys/vm/compact_memory or sysfs */
	return CT_TRIGGER_UNKNOWN;
}

/* compact_scanners_met(): the scanners met in the same pageblock or crossed */
static int scanners_met(const struct ct_engine *eng, const struct ct_run *run)
{
	int pbo = eng->res.extfrag.pageblock_order;

	return (run->free_end >> pbo) <= (run->migrate_end >> pbo);
}

static void run_account(struct ct_engine *eng, struct task *t)
{
	struct ct_run *run = &t->run;
	struct ct_run_summary *rs = &eng->res.runs;
	struct ct_zone_summary *z = NULL;
	uint64_t d = run->end_ns >= run->begin_ns ? run->end_ns - run->begin_ns : 0;
	int slot;

	run->trigger = (uint8_t)run_trigger(t, run);
	run->scanners_met = (uint8_t)scanners_met(eng, run);

	rs->count++;
	rs->by_trigger[run->trigger]++;
	rs->by_status[run->status]++;
	rs->by_mode[run->mode]++;
	slot = run->order == ORDER_UNKNOWN ? -1 : order_slot(run->order);
	if (slot >= 0)
		rs->by_order[slot]++;
	else
		rs->order_unknown++;
	rs->migrated += run->migrated;
	rs->migrate_failed += run->migrate_failed;
	rs->scanners_met += run->scanners_met;
	if (run->begin_known) {	/* a run whose begin was lost has no duration */
		add_latency(eng, &rs->duration, d);
		add_latency(eng, &rs->duration_by_trigger[run->trigger], d);
		add_latency(eng, &rs->duration_by_status[run->status], d);
		keep_slowest_run(rs, run);
	}

	if (run->zone[0])
		z = zone_get(eng, run->nid, run->zone);
	else
		z = zone_by_span(eng, run->zone_start, run->zone_end);
	if (!z) {
		/* no event named the zone and no earlier run had this span */
		z = zone_get(eng, -1, "?");
	}
	if (z) {
		if (z->nid >= 0) {
			run->nid = z->nid;
			copy_str(run->zone, sizeof(run->zone), z->zone);
		}
		z->zone_start_pfn = run->zone_start;
		z->zone_end_pfn = run->zone_end;
		z->runs++;
		z->by_status[run->status]++;
		z->by_trigger[run->trigger]++;
		z->migrate_scanned += run->migrate_scanned;
		z->free_scanned += run->free_scanned;
		z->isolated += run->migrate_isolated + run->free_isolated;
		z->migrated += run->migrated;
		z->migrate_failed += run->migrate_failed;
		z->scanners_met += run->scanners_met;
	} else {
		eng->nomem = 1;
	}

	if (run->trigger == CT_TRIGGER_KCOMPACTD || run->trigger == CT_TRIGGER_PROACTIVE) {
		struct ct_kcompactd_summary *k = node_get(eng, run->nid >= 0 ? run->nid : 0);

		if (k) {
			k->runs++;
			k->proactive_runs += run->trigger == CT_TRIGGER_PROACTIVE;
			k->runs_by_status[run->status]++;
		}
	}
	if (t->stall_open) {
		t->stall.runs++;
		t->stall_last_ns = run->end_ns;
		if (run->zone[0])
			stall_note_zone(&t->stall, run->nid, run->zone, (enum ct_status)run->status, 1);
	}
	NOTIFY(eng, run, run);
}

/* ---- event handlers ----------------------------------------------------- */

/* an awake period of @k ends at @ts (a sleep, or the end of the input) */
static void kcompactd_asleep(struct ct_engine *eng, struct ct_kcompactd_summary *k, uint64_t ts,
			     int by_input)
{
	struct ct_kcompactd_period p = { .nid = k->nid, .start_ns = k->awake_since_ns,
					 .end_ns = ts > k->awake_since_ns ? ts : k->awake_since_ns,
					 .ended_by_input = (uint8_t)by_input };

	k->awake_ns += p.end_ns - p.start_ns;
	k->awake = 0;
	NOTIFY(eng, kcompactd, &p);
}

/*
 * Proactive compaction runs in kcompactd without a kcompactd_wake: the
 * thread is awake from the run's begin until its next kcompactd_sleep.
 */
static void kcompactd_mark_awake(struct ct_engine *eng, struct task *t, uint64_t ts)
{
	struct ct_kcompactd_summary *k;

	if (t->kcompactd_nid < 0 || !is_kcompactd(t->run.comm))
		return;
	k = node_get(eng, t->kcompactd_nid);
	if (!k) {
		eng->nomem = 1;
		return;
	}
	if (!k->awake) {
		k->awake = 1;
		k->awake_since_ns = ts;
	}
}

static const struct ct_run *on_begin(struct ct_engine *eng, struct task *t, const struct ct_event *ev)
{
	struct ct_run *run = &t->run;

	if (t->run_open)
		eng->res.quality.unmatched_begin++;	/* the previous begin never ended */
	memset(run, 0, sizeof(*run));
	t->run_open = 1;
	run->begin_known = 1;
	run->begin_ns = ev->ts_ns;
	run->pid = ev->pid;
	copy_str(run->comm, sizeof(run->comm), ev->comm);
	run->zone_start = ev->u.range.zone_start;
	run->zone_end = ev->u.range.zone_end;
	run->migrate_start = run->migrate_end = ev->u.range.migrate_pfn;
	run->free_start = run->free_end = ev->u.range.free_pfn;
	run->mode = ev->u.range.sync == CT_SYNC_UNKNOWN ? CT_MODE_UNKNOWN :
		    ev->u.range.sync ? CT_MODE_SYNC : CT_MODE_ASYNC;
	run->status = CT_STATUS_UNKNOWN;
	run->nid = -1;
	run->order = ORDER_UNKNOWN;
	if (t->pending_valid) {	/* compaction_suitable() ran just before compact_zone() began */
		run->nid = t->pending_nid;
		run->order = t->pending_order;
		copy_str(run->zone, sizeof(run->zone), t->pending_zone);
		t->pending_valid = 0;
	}
	if (run->order == ORDER_UNKNOWN && t->stall_open)
		run->order = t->stall.order;
	kcompactd_mark_awake(eng, t, ev->ts_ns);
	return run;
}

/*
 * A run whose begin was lost (the trace starts inside it) still ran: what
 * its end says, and the zone and order of a finished event the task gave
 * since, make it a run without a start or a duration.
 */
static void begin_lost(struct task *t, const struct ct_event *ev)
{
	struct ct_run *run = &t->run;

	memset(run, 0, sizeof(*run));
	run->begin_ns = ev->ts_ns;
	run->pid = ev->pid;
	copy_str(run->comm, sizeof(run->comm), ev->comm);
	run->zone_start = ev->u.range.zone_start;
	run->zone_end = ev->u.range.zone_end;
	run->migrate_start = ev->u.range.migrate_pfn;
	run->free_start = ev->u.range.free_pfn;
	run->mode = ev->u.range.sync == CT_SYNC_UNKNOWN ? CT_MODE_UNKNOWN :
		    ev->u.range.sync ? CT_MODE_SYNC : CT_MODE_ASYNC;
	run->nid = -1;
	run->order = ORDER_UNKNOWN;
	if (t->lost_begin_valid) {
		run->nid = t->lost_begin_nid;
		run->order = t->lost_begin_order;
		copy_str(run->zone, sizeof(run->zone), t->lost_begin_zone);
	}
	if (run->order == ORDER_UNKNOWN && t->stall_open)
		run->order = t->stall.order;
}

/*
 * Returns the run that ended, or NULL when its begin was not seen: that run
 * is counted and handed to the sinks' run callback, but the event's sinks
 * (the model) never saw it begin.
 */
static const struct ct_run *on_end(struct ct_engine *eng, struct task *t, const struct ct_event *ev)
{
	struct ct_run *run = &t->run;
	int begin_known = t->run_open;

	if (!begin_known) {
		eng->res.quality.unmatched_end++;
		begin_lost(t, ev);
	}
	t->run_open = 0;
	t->lost_begin_valid = 0;
	run->end_ns = ev->ts_ns;
	run->migrate_end = ev->u.range.migrate_pfn;
	run->free_end = ev->u.range.free_pfn;
	run->status = (ev->u.range.status >= 0 && ev->u.range.status < CT_STATUS_COUNT) ?
		      ev->u.range.status : CT_STATUS_UNKNOWN;
	run_account(eng, t);
	return begin_known ? run : NULL;
}

static const struct ct_run *on_isolate(struct ct_engine *eng, struct task *t, const struct ct_event *ev)
{
	struct ct_totals *tot = &eng->res.totals;
	const struct ct_ev_isolate *iso = &ev->u.iso;
	int daemon = is_kcompactd(ev->comm);
	struct ct_run *run = &t->run;

	total_add(eng, &tot->compact_isolated, iso->nr_taken);
	if (ev->type == CT_EV_ISOLATE_MIGRATE) {
		total_add(eng, &tot->compact_migrate_scanned, iso->nr_scanned);
		if (daemon)
			total_add(eng, &tot->compact_daemon_migrate_scanned, iso->nr_scanned);
	} else {
		total_add(eng, &tot->compact_free_scanned, iso->nr_scanned);
		if (daemon)
			total_add(eng, &tot->compact_daemon_free_scanned, iso->nr_scanned);
	}
	if (!t->run_open) {
		eng->res.quality.isolate_outside_run++;
		return NULL;
	}
	switch (ev->type) {
	case CT_EV_ISOLATE_MIGRATE:
		run->migrate_scanned += iso->nr_scanned;
		run->migrate_isolated += iso->nr_taken;
		run->isolate_migrate_steps++;
		break;
	case CT_EV_FAST_ISOLATE_FREE:
		run->fast_free_scanned += iso->nr_scanned;
		run->fast_free_isolated += iso->nr_taken;
		/* fast isolation is part of the free scanner's work */
		__attribute__((fallthrough));
	default:
		run->free_scanned += iso->nr_scanned;
		run->free_isolated += iso->nr_taken;
		run->isolate_free_steps++;
		break;
	}
	return run;
}

static const struct ct_run *on_migratepages(struct ct_engine *eng, struct task *t,
					    const struct ct_event *ev)
{
	(void)eng;
	if (!t->run_open)
		return NULL;
	t->run.migrated += ev->u.mig.nr_migrated;
	t->run.migrate_failed += ev->u.mig.nr_failed;
	t->run.migrate_steps++;
	return &t->run;
}

static const struct ct_run *on_try(struct ct_engine *eng, struct task *t, const struct ct_event *ev)
{
	struct ct_stall *st = &t->stall;

	eng->res.totals.compact_stall++;
	stall_close(eng, t);
	memset(st, 0, sizeof(*st));
	t->stall_open = 1;
	t->pending_valid = 0;
	st->ts_ns = t->stall_last_ns = ev->ts_ns;
	st->pid = ev->pid;
	st->order = ev->u.try_.order;
	st->priority = ev->u.try_.priority;
	st->prio_is_mode = ev->u.try_.prio_is_mode;
	copy_str(st->comm, sizeof(st->comm), ev->comm);
	copy_str(st->gfp, sizeof(st->gfp), ev->u.try_.gfp_text);
	return NULL;
}

static const struct ct_run *on_zone_order(struct ct_engine *eng, struct task *t, const struct ct_event *ev)
{
	const struct ct_ev_zone_order *zo = &ev->u.zo;
	struct ct_zone_summary *z = zone_get(eng, zo->nid, zo->zone);
	enum ct_status ret = (zo->ret >= 0 && zo->ret < CT_STATUS_COUNT) ? zo->ret : CT_STATUS_UNKNOWN;

	if (!z) {
		eng->nomem = 1;
		return NULL;
	}
	if (ev->type == CT_EV_FINISHED) {
		z->finished_by_ret[ret]++;
		if (t->run_open && !t->run.zone[0]) {
			t->run.nid = zo->nid;
			copy_str(t->run.zone, sizeof(t->run.zone), zo->zone);
		}
		if (t->run_open && t->run.order == ORDER_UNKNOWN)
			t->run.order = zo->order;
		if (!t->run_open) {	/* inside a run whose begin was lost */
			t->lost_begin_valid = 1;
			t->lost_begin_nid = zo->nid;
			t->lost_begin_order = zo->order;
			copy_str(t->lost_begin_zone, sizeof(t->lost_begin_zone), zo->zone);
		}
		return NULL;
	}
	z->suitable_by_ret[ret]++;
	if (t->run_open)
		return NULL;
	t->pending_valid = 1;
	t->pending_nid = zo->nid;
	t->pending_order = zo->order;
	copy_str(t->pending_zone, sizeof(t->pending_zone), zo->zone);
	/*
	 * A zone judged unsuitable gets no run; note it in the stall but do not
	 * extend the stall's latency: the page allocator also asks
	 * compaction_suitable() after try_to_compact_pages() has returned.
	 */
	if (t->stall_open && ret != CT_STATUS_CONTINUE)
		stall_note_zone(&t->stall, zo->nid, zo->zone, ret, 0);
	return NULL;
}

static const struct ct_run *on_defer(struct ct_engine *eng, struct task *t, const struct ct_event *ev)
{
	const struct ct_ev_defer *d = &ev->u.defer;
	struct ct_zone_summary *z = zone_get(eng, d->nid, d->zone);
	int slot = order_slot(d->order);

	if (!z) {
		eng->nomem = 1;
		return NULL;
	}
	if (slot < 0) {
		eng->res.quality.bad_values++;
	} else if (ev->type == CT_EV_DEFERRED) {
		z->deferred[slot]++;
	} else if (ev->type == CT_EV_DEFER_COMPACTION) {
		z->defer_compaction[slot]++;
	} else {
		z->defer_reset[slot]++;
	}
	if (d->limit > z->max_defer_limit && d->limit <= UINT32_MAX)
		z->max_defer_limit = (uint32_t)d->limit;
	if (!t->stall_open)
		return NULL;
	t->stall_last_ns = ev->ts_ns;
	if (ev->type == CT_EV_DEFERRED)
		stall_note_zone(&t->stall, d->nid, d->zone, CT_STATUS_DEFERRED, 1);
	return NULL;
}

static const struct ct_run *on_kcompactd(struct ct_engine *eng, struct task *t, const struct ct_event *ev)
{
	struct ct_kcompactd_summary *k = node_get(eng, ev->u.kc.nid);

	if (!k) {
		eng->nomem = 1;
		return NULL;
	}
	if (ev->type != CT_EV_WAKEUP_KCOMPACTD)	/* the others run in kcompactd itself */
		t->kcompactd_nid = ev->u.kc.nid;
	if (ev->type != CT_EV_KCOMPACTD_SLEEP && order_slot(ev->u.kc.order) < 0)
		eng->res.quality.bad_values++;	/* the wake itself happened */
	switch (ev->type) {
	case CT_EV_WAKEUP_KCOMPACTD:
		k->wakeup_requests++;
		break;
	case CT_EV_KCOMPACTD_WAKE:
		k->wakes++;
		eng->res.totals.compact_daemon_wake++;
		if (!k->awake) {
			k->awake = 1;
			k->awake_since_ns = ev->ts_ns;
		}
		t->kcompactd_awake = 1;
		break;
	default:	/* sleep */
		k->sleeps++;
		if (k->awake)
			kcompactd_asleep(eng, k, ev->ts_ns, 0);
		t->kcompactd_awake = 0;
		break;
	}
	return NULL;
}

static const struct ct_run *on_extfrag(struct ct_engine *eng, struct task *t, const struct ct_event *ev)
{
	struct ct_extfrag_summary *x = &eng->res.extfrag;
	const struct ct_ev_extfrag *e = &ev->u.xf;
	int pbo = x->pageblock_order, slot = order_slot(e->alloc_order);
	/* the kernel's rule; trace-cmd and perf print a wrong fragmenting= */
	int fragmenting = e->fallback_order < pbo, added = 0;

	(void)t;
	x->events++;
	x->change_ownership += e->change_ownership != 0;
	if (e->printed_fragmenting >= 0 && e->printed_fragmenting != fragmenting)
		x->printed_fragmenting_disagrees++;
	if ((unsigned)e->alloc_migratetype < CT_MIGRATETYPES &&
	    (unsigned)e->fallback_migratetype < CT_MIGRATETYPES)
		x->by_pair[e->alloc_migratetype][e->fallback_migratetype]++;
	else
		eng->res.quality.bad_values++;
	if (slot >= 0)
		x->by_alloc_order[slot]++;
	else
		eng->res.quality.bad_values++;
	if (fragmenting) {
		added = pageblock_add(eng, e->pfn >> pbo);
		x->fragmenting++;
		if (added < 0)
			eng->nomem = 1;
		else
			x->pageblocks_polluted += (uint64_t)added;
	}
	if (eng->nsinks) {
		struct ct_fallback fb = {
			.ts_ns = ev->ts_ns, .pfn = e->pfn, .pid = ev->pid, .comm = ev->comm,
			.alloc_order = e->alloc_order, .fallback_order = e->fallback_order,
			.alloc_migratetype = e->alloc_migratetype,
			.fallback_migratetype = e->fallback_migratetype,
			.fragmenting = (uint8_t)fragmenting, .change_ownership = e->change_ownership != 0,
			.first_in_pageblock = added == 1,
		};

		NOTIFY(eng, fallback, &fb);
	}
	return NULL;
}

/* ---- public API --------------------------------------------------------- */

struct ct_engine *ct_engine_new(const struct ct_engine_opts *opts)
{
	struct ct_engine *eng = calloc(1, sizeof(*eng));

	if (!eng)
		return NULL;
	if (opts)
		eng->opts = *opts;
	else
		eng->opts.filter_pid = -1;
	if (eng->opts.nsinks > MAX_SINKS) {
		free(eng);
		return NULL;
	}
	for (uint32_t i = 0; i < eng->opts.nsinks; i++)
		eng->sinks[i] = eng->opts.sinks[i];
	eng->nsinks = eng->opts.nsinks;
	eng->opts.sinks = NULL;	/* the caller's array is not kept */
	eng->res.extfrag.pageblock_order = DEFAULT_PAGEBLOCK_ORDER;
	eng->res.extfrag.pageblock_order_source = CT_FACT_DEFAULT;
	if (eng->opts.pageblock_order > 0) {
		eng->res.extfrag.pageblock_order = eng->opts.pageblock_order;
		eng->res.extfrag.pageblock_order_source = eng->opts.pageblock_order_source;
	}
	return eng;
}

static void release_latencies(struct ct_results *r)
{
	ct_latency_release(&r->runs.duration);
	ct_latency_release(&r->stalls.latency);
	for (int i = 0; i < CT_TRIGGER_COUNT; i++)
		ct_latency_release(&r->runs.duration_by_trigger[i]);
	for (int i = 0; i < CT_STATUS_COUNT; i++)
		ct_latency_release(&r->runs.duration_by_status[i]);
	for (int i = 0; i < CT_ORDER_SLOTS; i++)
		ct_latency_release(&r->stalls.latency_by_order[i]);
}

void ct_engine_free(struct ct_engine *eng)
{
	struct ct_results *r;

	if (!eng)
		return;
	r = &eng->res;
	for (uint32_t i = 0; i < r->nsources; i++) {
		for (uint32_t j = 0; j < r->sources[i].nnames; j++)
			free(r->sources[i].names[j].name);
		free(r->sources[i].names);
		free(r->sources[i].path);
		free(r->sources[i].format);
	}
	for (uint32_t i = 0; i < r->quality.nparse_error_where; i++)
		free(r->quality.parse_error_path[i]);
	free(r->sources);
	free(r->zones);
	free(r->kcompactd);
	release_latencies(r);
	free(eng->tasks);
	free(eng->pageblocks);
	free(eng);
}

int ct_engine_begin_source(struct ct_engine *eng, const char *path, const char *format)
{
	struct ct_results *r = &eng->res;
	struct ct_source_summary *s;

	if (eng->cur)
		ct_engine_end_source(eng);
	if (ct_grow_array((void **)&r->sources, &eng->sources_cap, r->nsources + 1, sizeof(*r->sources)) < 0)
		return -CT_E_NOMEM;
	s = &r->sources[r->nsources];
	s->path = strdup(path);
	s->format = strdup(format);
	if (!s->path || !s->format) {
		free(s->path);
		free(s->format);
		memset(s, 0, sizeof(*s));
		return -CT_E_NOMEM;
	}
	r->nsources++;
	eng->cur = s;
	eng->have_ts = 0;
	NOTIFY(eng, begin_source, s->path, s->format);
	return eng->sink_error;
}

static int event_matches_filter(const struct ct_engine *eng, const struct ct_event *ev)
{
	if (eng->opts.filter_pid >= 0 && ev->pid != eng->opts.filter_pid)
		return 0;
	if (eng->opts.filter_comm && strcmp(ev->comm, eng->opts.filter_comm) != 0)
		return 0;
	return 1;
}

static void note_parse_error(struct ct_engine *eng, const struct ct_event *ev)
{
	struct ct_quality *q = &eng->res.quality;

	q->parse_errors++;
	if (q->nparse_error_where < CT_PARSE_ERROR_LINES) {
		q->parse_error_where[q->nparse_error_where] = ev->u.perr.where;
		q->parse_error_path[q->nparse_error_where] = strdup(eng->cur->path);
		q->nparse_error_where++;
	}
}

/*
 * The dispatch table: what the engine does with each event type. @task:
 * the handler works on the event's task (found or made first). A type
 * without a handler is known but only its consumers use it (kmem page
 * events for the model; mm_migrate_pages, whose run's own events say more).
 * The handler returns the run the event belongs to, for the sinks.
 */
typedef const struct ct_run *(*handler_fn)(struct ct_engine *eng, struct task *t, const struct ct_event *ev);

static const struct {
	uint8_t task;
	handler_fn fn;
} handlers[CT_EV_TYPE_COUNT] = {
	[CT_EV_BEGIN] = { 1, on_begin },
	[CT_EV_END] = { 1, on_end },
	[CT_EV_ISOLATE_MIGRATE] = { 1, on_isolate },
	[CT_EV_ISOLATE_FREE] = { 1, on_isolate },
	[CT_EV_FAST_ISOLATE_FREE] = { 1, on_isolate },
	[CT_EV_MIGRATEPAGES] = { 1, on_migratepages },
	[CT_EV_TRY_TO_COMPACT] = { 1, on_try },
	[CT_EV_FINISHED] = { 1, on_zone_order },
	[CT_EV_SUITABLE] = { 1, on_zone_order },
	[CT_EV_DEFERRED] = { 1, on_defer },
	[CT_EV_DEFER_COMPACTION] = { 1, on_defer },
	[CT_EV_DEFER_RESET] = { 1, on_defer },
	[CT_EV_KCOMPACTD_SLEEP] = { 1, on_kcompactd },
	[CT_EV_WAKEUP_KCOMPACTD] = { 1, on_kcompactd },
	[CT_EV_KCOMPACTD_WAKE] = { 1, on_kcompactd },
	[CT_EV_EXTFRAG] = { 0, on_extfrag },
};

static int on_lost(struct ct_engine *eng, const struct ct_event *ev)
{
	uint64_t lost = ev->u.lost.count;

	if (lost >= CT_PFN_LIMIT) {	/* no ring buffer holds so many: an unknown number */
		eng->res.quality.bad_values++;
		lost = 0;
	}
	eng->res.quality.lost_events += lost;
	eng->res.quality.lost_markers++;
	/* a ring-buffer page can flag missed events without room for their number */
	eng->res.quality.lost_unknown += lost == 0;
	NOTIFY(eng, event, ev, NULL);
	return eng->sink_error;
}

/* time and name bookkeeping of every kernel event; returns 0 or -CT_E_NOMEM */
static int note_event(struct ct_engine *eng, const struct ct_event *ev)
{
	struct ct_source_summary *s = eng->cur;

	s->events++;
	eng->res.events++;
	if ((ev->type != CT_EV_OTHER || ev->name) && count_name(eng, ev) < 0)
		return -CT_E_NOMEM;
	if (!eng->have_ts) {
		s->first_ts_ns = ev->ts_ns;
		eng->have_ts = 1;
	} else if (ev->ts_ns < eng->last_ts_ns) {
		eng->res.quality.out_of_order++;
	}
	if (ev->ts_ns > s->last_ts_ns)
		s->last_ts_ns = ev->ts_ns;
	eng->last_ts_ns = ev->ts_ns;
	return 0;
}

/*
 * fast_isolate_freepages() prints the bottom of its search window as
 * free_pfn - distance / 2 with distance = free_pfn - migrate_pfn, unsigned:
 * once the migrate scanner has passed the free scanner it wraps to 2^63
 * and above. The scan and its counts are real (vmstat has them); the
 * window is empty: it starts where it ends, at the free scanner.
 */
static int fast_window_wrapped(const struct ct_event *ev)
{
	const struct ct_ev_isolate *i = &ev->u.iso;

	return ev->type == CT_EV_FAST_ISOLATE_FREE && i->start_pfn >= (1ULL << 63) &&
	       i->start_pfn - (1ULL << 63) < CT_PFN_LIMIT && i->end_pfn < CT_PFN_LIMIT;
}

int ct_engine_feed(struct ct_engine *eng, const struct ct_event *ev)
{
	const struct ct_run *run = NULL;
	struct task *t = NULL;
	struct ct_event unwrapped;

	if (!eng->cur && ct_engine_begin_source(eng, "-", "unknown") < 0)
		return -CT_E_NOMEM;
	if (ev->type >= CT_EV_TYPE_COUNT)
		return -CT_E_INVAL;
	if (ev->type == CT_EV_LOST)
		return on_lost(eng, ev);
	if (ev->type == CT_EV_PARSE_ERROR) {
		note_parse_error(eng, ev);
		return eng->nomem ? -CT_E_NOMEM : 0;
	}
	if (note_event(eng, ev) < 0)
		return -CT_E_NOMEM;
	if (ev->type == CT_EV_OTHER) {
		eng->res.quality.unknown_events++;
		return 0;
	}
	if (!event_matches_filter(eng, ev)) {
		eng->res.filtered_out++;
		return 0;
	}
	if (fast_window_wrapped(ev)) {
		unwrapped = *ev;
		unwrapped.u.iso.start_pfn = unwrapped.u.iso.end_pfn;
		ev = &unwrapped;
	}
	if (!ct_event_values_ok(ev, NULL)) {
		eng->res.quality.bad_values++;
		return 0;
	}
	if (handlers[ev->type].task) {
		t = task_get(eng, ev->pid);
		if (!t)
			return -CT_E_NOMEM;
		if (t->run_open && !ct_event_values_ok(ev, &t->run)) {
			eng->res.quality.bad_values++;	/* an isolation far outside its run's zone */
			return 0;
		}
	}
	if (handlers[ev->type].fn)
		run = handlers[ev->type].fn(eng, t, ev);
	NOTIFY(eng, event, ev, run);
	if (eng->sink_error)
		return eng->sink_error;
	return eng->nomem ? -CT_E_NOMEM : 0;
}

static int cmp_names(const void *a, const void *b)
{
	return strcmp(((const struct ct_event_count *)a)->name,
		      ((const struct ct_event_count *)b)->name);
}

static int cmp_zones(const void *a, const void *b)
{
	const struct ct_zone_summary *x = a, *y = b;

	if (x->nid != y->nid)
		return x->nid < y->nid ? -1 : 1;
	if (x->zone_start_pfn != y->zone_start_pfn)
		return x->zone_start_pfn < y->zone_start_pfn ? -1 : 1;
	return strcmp(x->zone, y->zone);
}

static int cmp_nodes(const void *a, const void *b)
{
	const struct ct_kcompactd_summary *x = a, *y = b;

	return (x->nid > y->nid) - (x->nid < y->nid);
}

int ct_engine_end_source(struct ct_engine *eng)
{
	struct ct_results *r = &eng->res;

	if (!eng->cur)
		return 0;
	for (uint32_t i = 0; i < eng->tasks_cap; i++) {
		struct task *t = &eng->tasks[i];

		if (!t->used)
			continue;
		if (t->run_open)
			r->quality.unmatched_begin++;
		stall_close(eng, t);
	}
	for (uint32_t i = 0; i < r->nkcompactd; i++)
		if (r->kcompactd[i].awake)
			kcompactd_asleep(eng, &r->kcompactd[i], eng->last_ts_ns, 1);
	for (uint32_t i = 0; i < eng->nsinks; i++)
		if (eng->sinks[i].ops->end_source)
			sink_result(eng, eng->sinks[i].ops->end_source(eng->sinks[i].ctx));
	/* tasks do not carry over: the next source is another capture */
	free(eng->tasks);
	eng->tasks = NULL;
	eng->tasks_cap = eng->tasks_used = 0;
	if (merge_type_counts(eng) < 0)
		eng->nomem = 1;
	if (eng->cur->nnames)
		qsort(eng->cur->names, eng->cur->nnames, sizeof(*eng->cur->names), cmp_names);
	if (r->nzones)
		qsort(r->zones, r->nzones, sizeof(*r->zones), cmp_zones);
	if (r->nkcompactd)
		qsort(r->kcompactd, r->nkcompactd, sizeof(*r->kcompactd), cmp_nodes);
	eng->cur = NULL;
	return eng->sink_error ? eng->sink_error : eng->nomem ? -CT_E_NOMEM : 0;
}

/* a task whose state must survive a quiet spell */
static int task_busy(const struct task *t)
{
	return t->run_open || t->stall_open || t->kcompactd_awake || t->kcompactd_nid >= 0;
}

int ct_engine_close_idle(struct ct_engine *eng, uint64_t now_ns, uint64_t idle_ns)
{
	uint32_t busy = 0, cap = 64;
	struct task *n;

	if (!eng->cur)
		return 0;
	for (uint32_t i = 0; i < eng->tasks_cap; i++) {
		struct task *t = &eng->tasks[i];

		if (!t->used)
			continue;
		if (t->stall_open && !t->run_open && now_ns > t->stall_last_ns + idle_ns)
			stall_close(eng, t);
		busy += task_busy(t);
	}
	/* a live stream meets ever new pids: the quiet ones go, so memory stays flat */
	if (eng->tasks_used > CT_ENGINE_QUIET_TASKS && eng->tasks_used > 2 * busy) {
		while (cap < 2 * busy + 2)
			cap *= 2;
		n = calloc(cap, sizeof(*n));
		if (!n)
			return -CT_E_NOMEM;
		for (uint32_t i = 0; i < eng->tasks_cap; i++) {
			uint32_t j;

			if (!eng->tasks[i].used || !task_busy(&eng->tasks[i]))
				continue;
			for (j = hash_u64((uint64_t)eng->tasks[i].pid) & (cap - 1); n[j].used; j = (j + 1) & (cap - 1))
				;
			n[j] = eng->tasks[i];
		}
		free(eng->tasks);
		eng->tasks = n;
		eng->tasks_cap = cap;
		eng->tasks_used = busy;
	}
	return eng->sink_error ? eng->sink_error : eng->nomem ? -CT_E_NOMEM : 0;
}

const struct ct_results *ct_engine_results(const struct ct_engine *eng)
{
	return &eng->res;
}
