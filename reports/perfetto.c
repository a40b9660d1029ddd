// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The Perfetto timeline: Trace Event Format JSON (ui.perfetto.dev and
 * chrome://tracing open it), written as the engine's results arrive.
 *
 * Memory is bounded by the tasks, zones and nodes seen, never by the
 * length of the trace: nothing is buffered but one open fallback-rate
 * window. Written by hand (cJSON is json.c's alone): every string goes
 * through ct_sanitize() and then has '"' and '\' escaped; 64-bit values
 * are printed as decimal integers; timestamps are µs with the ns kept as
 * three decimals, so nothing is lost on the way.
 *
 * Tracks. Each task is its own process and thread (pid = tid = the traced
 * pid: the trace does not say the thread group), so a Perfetto system
 * trace of the same moment lines up with it. A direct stall is an X slice
 * on the stalled task; its runs nest in it; kcompactd's runs nest in its
 * awake periods. Counters (scanner pfns, the model's free blocks, the
 * fallback rate) live in one made-up process, "compactrace", whose pid no
 * kernel hands out. Inputs whose times overlap an earlier input's (the
 * same capture twice, two hosts) get their pids moved by SOURCE_SHIFT per
 * input, so their slices cannot interleave with the first one's.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compactrace/error.h"
#include "compactrace/report.h"
#include "compactrace/session.h"
#include "sanitize.h"

#define SOURCE_SHIFT (1u << 22)		/* above PID_MAX_LIMIT (4194304) */
#define MAX_SHIFTED_SOURCES 500u
#define COUNTER_PID 0x7ff00000u		/* "compactrace": counters, orphan tracks */
#define STRAY_TID_BIT 0x40000000u	/* a task's runs cut off from their stall by lost events */
#define MAX_NODES 64
#define MAX_ZONES 32
#define SCANNER_MIN_NS 10000ULL		/* a scanner counter at most every 10 µs, but every begin and end */
#define MODEL_EVERY_NS 1000000ULL	/* the model's free blocks at most every ms of trace time */
#define RATE_WINDOW_NS 100000000ULL	/* fallbacks per second over 100 ms windows */

struct tid_state {
	uint32_t tid;
	uint8_t used, named, stall_open, stray_named;
	uint64_t stall_start;
};

struct zone_track {
	int32_t nid;
	char zone[CT_ZONE_LEN];
	uint64_t start, end;		/* span: how begin events, which name no zone, find it */
	uint64_t mig_ts, free_ts;	/* last counter sample */
	uint8_t mig_any, free_any;
};

struct node_state {
	int32_t pid;			/* kcompactd's, -1 not seen */
	uint64_t flow_id, flow_ts;	/* a wakeup_kcompactd waiting for the run it causes */
	uint8_t flow_pending, orphan_named;
};

struct ct_perfetto {
	FILE *out;
	const struct ct_session *session;
	int started, saved_errno;

	/* inputs */
	uint32_t nsources, shift;	/* pids of this input are moved by @shift */
	int decide_shift;		/* the first event of an input decides */
	uint64_t max_ts;		/* the latest time any earlier input reached */
	int have_ts;
	char source_path[256];

	struct tid_state *tids;
	uint32_t tids_cap, tids_used;
	struct node_state nodes[MAX_NODES];
	struct zone_track zones[MAX_ZONES];
	uint32_t nzones;
	uint64_t next_flow;
	uint8_t counter_named;

	uint64_t model_next_ns;
	uint8_t model_dirty;

	uint64_t rate_window;		/* index of the open window */
	uint64_t rate_all, rate_frag;
	uint8_t rate_open;

	/* what was written, for the metadata */
	uint64_t stall_slices, run_slices, stray_runs, awake_slices, flows, instants, counters;
};

/* ---- writing ----------------------------------------------------------------- */

static void put_str(FILE *out, const char *s)
{
	char clean[CT_GFP_TEXT_LEN * 2];

	ct_sanitize(clean, sizeof(clean), s, 1);	/* control characters become '?' */
	fputc('"', out);
	for (const char *c = clean; *c; c++) {
		if (*c == '"' || *c == '\\')
			fputc('\\', out);
		fputc(*c, out);
	}
	fputc('"', out);
}

static void put_ts(FILE *out, const char *key, uint64_t ns)
{
	fprintf(out, ",\"%s\":%" PRIu64 ".%03" PRIu64, key, ns / 1000, ns % 1000);
}

/* the start of one event: {"ph":PH,"name":NAME,"pid":P,"tid":T[,"ts":..]; the caller closes it */
static void ev_head(struct ct_perfetto *p, char ph, const char *cat, const char *name, uint32_t pid,
		    uint32_t tid)
{
	FILE *out = p->out;

	if (!p->started) {
		fputs("{\"traceEvents\":[\n", out);
		p->started = 1;
	} else {
		fputs(",\n", out);
	}
	fprintf(out, "{\"ph\":\"%c\"", ph);
	if (cat)
		fprintf(out, ",\"cat\":\"%s\"", cat);
	fputs(",\"name\":", out);
	put_str(out, name);
	fprintf(out, ",\"pid\":%" PRIu32 ",\"tid\":%" PRIu32, pid, tid);
}

static void name_meta(struct ct_perfetto *p, const char *what, uint32_t pid, uint32_t tid, const char *name)
{
	ev_head(p, 'M', NULL, what, pid, tid);
	fputs(",\"args\":{\"name\":", p->out);
	put_str(p->out, name);
	fputs("}}", p->out);
}

static int status_of(struct ct_perfetto *p)
{
	if (ferror(p->out)) {
		if (!p->saved_errno)
			p->saved_errno = errno ? errno : EIO;
		return -CT_E_WRITE;
	}
	return 0;
}

/* ---- tasks --------------------------------------------------------------------- */

static uint32_t hash_tid(uint32_t v)
{
	v ^= v >> 16;
	v *= 0x45d9f3bu;
	v ^= v >> 16;
	return v;
}

static struct tid_state *tid_find(struct ct_perfetto *p, uint32_t tid)
{
	uint32_t i;

	if (p->tids_used * 2 >= p->tids_cap) {	/* grow: keep the table at most half full */
		uint32_t cap = p->tids_cap ? p->tids_cap * 2 : 256;
		struct tid_state *n = calloc(cap, sizeof(*n));

		if (!n)
			return NULL;
		for (uint32_t j = 0; j < p->tids_cap; j++) {
			if (!p->tids[j].used)
				continue;
			for (i = hash_tid(p->tids[j].tid) & (cap - 1); n[i].used; i = (i + 1) & (cap - 1))
				;
			n[i] = p->tids[j];
		}
		free(p->tids);
		p->tids = n;
		p->tids_cap = cap;
	}
	for (i = hash_tid(tid) & (p->tids_cap - 1); p->tids[i].used; i = (i + 1) & (p->tids_cap - 1))
		if (p->tids[i].tid == tid)
			return &p->tids[i];
	p->tids[i].used = 1;
	p->tids[i].tid = tid;
	p->tids_used++;
	return &p->tids[i];
}

static uint32_t out_tid(const struct ct_perfetto *p, int32_t pid)
{
	return (uint32_t)pid + p->shift;
}

/* the task's track, named when first used; NULL on allocation failure */
static struct tid_state *task(struct ct_perfetto *p, int32_t pid, const char *comm)
{
	uint32_t tid = out_tid(p, pid);
	struct tid_state *t = tid_find(p, tid);
	char name[CT_COMM_LEN + 48];

	if (t && !t->named) {
		if (p->shift)
			snprintf(name, sizeof(name), "%s (input %" PRIu32 ")", comm, p->nsources);
		else
			snprintf(name, sizeof(name), "%s", comm);
		name_meta(p, "process_name", tid, tid, name);
		name_meta(p, "thread_name", tid, tid, name);
		t->named = 1;
	}
	return t;
}

static uint32_t counter_pid(struct ct_perfetto *p)
{
	uint32_t pid = COUNTER_PID + p->shift / SOURCE_SHIFT;

	if (!p->counter_named) {
		name_meta(p, "process_name", pid, pid, "compactrace");
		p->counter_named = 1;
	}
	return pid;
}

/* ---- zones --------------------------------------------------------------------- */

static struct zone_track *zone_named(struct ct_perfetto *p, int32_t nid, const char *zone, uint64_t start,
				     uint64_t end)
{
	for (uint32_t i = 0; i < p->nzones; i++) {
		struct zone_track *z = &p->zones[i];

		if (z->nid == nid && strcmp(z->zone, zone) == 0) {
			if (end > start) {
				z->start = start;
				z->end = end;
			}
			return z;
		}
	}
	if (p->nzones == MAX_ZONES)
		return NULL;
	p->zones[p->nzones] = (struct zone_track){ .nid = nid, .start = start, .end = end };
	snprintf(p->zones[p->nzones].zone, sizeof(p->zones[0].zone), "%s", zone);
	return &p->zones[p->nzones++];
}

/* the zone a run works in: its name if an event said it, else an earlier run with its span */
static struct zone_track *zone_of_run(struct ct_perfetto *p, const struct ct_run *run)
{
	if (run->zone[0])
		return zone_named(p, run->nid, run->zone, run->zone_start, run->zone_end);
	for (uint32_t i = 0; i < p->nzones; i++)
		if (p->zones[i].start == run->zone_start && p->zones[i].end == run->zone_end)
			return &p->zones[i];
	return NULL;
}

static void counter(struct ct_perfetto *p, const char *name, uint64_t ts, const char *key, uint64_t v)
{
	ev_head(p, 'C', NULL, name, counter_pid(p), counter_pid(p));
	put_ts(p->out, "ts", ts);
	fprintf(p->out, ",\"args\":{\"%s\":%" PRIu64 "}}", key, v);
	p->counters++;
}

static void scanner(struct ct_perfetto *p, struct zone_track *z, int migrate, uint64_t ts, uint64_t pfn,
		    int always)
{
	uint64_t *last = migrate ? &z->mig_ts : &z->free_ts;
	uint8_t *any = migrate ? &z->mig_any : &z->free_any;
	char name[64];

	if (!always && *any && ts < *last + SCANNER_MIN_NS && ts >= *last)
		return;
	*last = ts;
	*any = 1;
	snprintf(name, sizeof(name), "node %d %s scanner pfn", (int)z->nid, z->zone);
	counter(p, name, ts, migrate ? "migrate" : "free", pfn);
}

/* the scanners' positions: where each run begins and ends, and as the isolate steps go */
static void scanners(struct ct_perfetto *p, const struct ct_event *ev, const struct ct_run *run)
{
	struct zone_track *z;

	if (!run || !(z = zone_of_run(p, run)))
		return;
	switch (ev->type) {
	case CT_EV_BEGIN:
	case CT_EV_END:
		scanner(p, z, 1, ev->ts_ns, ev->u.range.migrate_pfn, 1);
		scanner(p, z, 0, ev->ts_ns, ev->u.range.free_pfn, 1);
		break;
	case CT_EV_ISOLATE_MIGRATE:	/* the migrate scanner climbs: it reached end_pfn */
		scanner(p, z, 1, ev->ts_ns, ev->u.iso.end_pfn, 0);
		break;
	case CT_EV_ISOLATE_FREE:	/* the free scanner comes down a pageblock at a time */
		scanner(p, z, 0, ev->ts_ns, ev->u.iso.start_pfn, 0);
		break;
	default:
		break;
	}
}

/* ---- the model's free blocks ---------------------------------------------------- */

static void model_sample(struct ct_perfetto *p, uint64_t ts)
{
	struct ct_model *m = p->session ? ct_session_model(p->session) : NULL;
	struct ct_model_zone_now z;
	char name[64];

	p->model_dirty = 0;
	p->model_next_ns = ts + MODEL_EVERY_NS;
	for (uint32_t i = 0; i < ct_model_zone_count(m); i++) {
		if (ct_model_zone_now(m, i, &z) <= 0)
			continue;
		snprintf(name, sizeof(name), "node %d %s free blocks", (int)z.nid, z.zone);
		ev_head(p, 'C', NULL, name, counter_pid(p), counter_pid(p));
		put_ts(p->out, "ts", ts);
		fputs(",\"args\":{", p->out);
		for (int o = 0; o < z.norders; o++)
			fprintf(p->out, "%s\"order %02d\":%" PRIu64, o ? "," : "", o, z.free_blocks[o]);
		fputs("}}", p->out);
		p->counters++;
	}
}

/* ---- fallbacks per second --------------------------------------------------------- */

static void rate_point(struct ct_perfetto *p, uint64_t window, uint64_t all, uint64_t frag)
{
	uint64_t per_s = 1000000000ULL / RATE_WINDOW_NS;

	ev_head(p, 'C', NULL, "fallbacks per second", counter_pid(p), counter_pid(p));
	put_ts(p->out, "ts", window * RATE_WINDOW_NS);
	fprintf(p->out, ",\"args\":{\"all\":%" PRIu64 ",\"fragmenting\":%" PRIu64 "}}", all * per_s,
		frag * per_s);
	p->counters++;
}

/* close the open window: its rate, and back to 0 after it */
static void rate_flush(struct ct_perfetto *p)
{
	if (!p->rate_open)
		return;
	rate_point(p, p->rate_window, p->rate_all, p->rate_frag);
	rate_point(p, p->rate_window + 1, 0, 0);
	p->rate_open = 0;
}

static void rate_add(struct ct_perfetto *p, const struct ct_fallback *fb)
{
	uint64_t w = fb->ts_ns / RATE_WINDOW_NS;

	if (p->rate_open && w != p->rate_window) {
		if (w == p->rate_window + 1)	/* no gap: the next point follows at once */
			rate_point(p, p->rate_window, p->rate_all, p->rate_frag);
		else
			rate_flush(p);
		p->rate_open = 0;
	}
	if (!p->rate_open) {
		p->rate_open = 1;
		p->rate_window = w;
		p->rate_all = p->rate_frag = 0;
	}
	p->rate_all++;
	p->rate_frag += fb->fragmenting;
}

/* ---- kcompactd ------------------------------------------------------------------ */

static struct node_state *node(struct ct_perfetto *p, int32_t nid)
{
	return nid >= 0 && nid < MAX_NODES ? &p->nodes[nid] : NULL;
}

/* kcompactd's thread for node @nid, or a track of the compactrace process when its pid is not known */
static void kcompactd_track(struct ct_perfetto *p, struct node_state *n, int32_t nid, uint32_t *pid,
			    uint32_t *tid)
{
	char name[48];

	if (n && n->pid >= 0) {
		*pid = *tid = out_tid(p, n->pid);
		return;
	}
	*pid = counter_pid(p);
	*tid = *pid + 1 + (uint32_t)(nid >= 0 && nid < MAX_NODES ? nid : MAX_NODES);
	if (n && !n->orphan_named) {
		snprintf(name, sizeof(name), "kcompactd node %d (pid not traced)", (int)nid);
		name_meta(p, "thread_name", *pid, *tid, name);
		n->orphan_named = 1;
	}
}

/* ---- sink callbacks ---------------------------------------------------------------- */

static int on_begin_source(void *ctx, const char *path, const char *format)
{
	struct ct_perfetto *p = ctx;

	(void)format;
	p->nsources++;
	p->decide_shift = 1;
	snprintf(p->source_path, sizeof(p->source_path), "%s", path);
	for (int i = 0; i < MAX_NODES; i++)
		p->nodes[i].flow_pending = 0;	/* a wake request never crosses inputs */
	return 0;
}

/* an input whose first event lies before the end of an earlier one gets pids of its own */
static void decide_shift(struct ct_perfetto *p, uint64_t ts)
{
	p->decide_shift = 0;
	if (p->nsources > 1 && p->have_ts && ts <= p->max_ts && p->nsources - 1 <= MAX_SHIFTED_SOURCES) {
		p->shift = (p->nsources - 1) * SOURCE_SHIFT;
		p->counter_named = 0;
		memset(p->nodes, 0, sizeof(p->nodes));
		for (int i = 0; i < MAX_NODES; i++)
			p->nodes[i].pid = -1;
	}
}

static void instant(struct ct_perfetto *p, const char *cat, const char *name, uint32_t tid, uint64_t ts)
{
	ev_head(p, 'i', cat, name, tid, tid);
	put_ts(p->out, "ts", ts);
	fputs(",\"s\":\"t\"", p->out);
	p->instants++;
}

static int on_defer(struct ct_perfetto *p, const struct ct_event *ev)
{
	const struct ct_ev_defer *d = &ev->u.defer;
	struct tid_state *t = task(p, ev->pid, ev->comm);

	if (!t)
		return -CT_E_NOMEM;
	instant(p, "deferral", ct_event_type_name((enum ct_event_type)ev->type), t->tid, ev->ts_ns);
	fprintf(p->out, ",\"args\":{\"node\":%d,\"zone\":", (int)d->nid);
	put_str(p->out, d->zone);
	fprintf(p->out, ",\"order\":%d,\"order_failed\":%d,\"consider\":%" PRIu32 ",\"limit\":%" PRIu64 "}}",
		(int)d->order, (int)d->order_failed, d->consider, d->limit);
	return 0;
}

static int on_kcompactd_event(struct ct_perfetto *p, const struct ct_event *ev)
{
	const struct ct_ev_kcompactd *k = &ev->u.kc;
	struct node_state *n = node(p, k->nid);
	struct tid_state *t = task(p, ev->pid, ev->comm);

	if (!t)
		return -CT_E_NOMEM;
	if (ev->type == CT_EV_WAKEUP_KCOMPACTD) {
		/* a zero-length slice: flows start from slices, not instants */
		ev_head(p, 'X', "kcompactd", "wakeup_kcompactd", t->tid, t->tid);
		put_ts(p->out, "ts", ev->ts_ns);
		fputs(",\"dur\":0", p->out);
		if (n && !n->flow_pending) {
			n->flow_pending = 1;
			n->flow_id = ++p->next_flow;
			n->flow_ts = ev->ts_ns;
			fprintf(p->out, ",\"bind_id\":%" PRIu64 ",\"flow_out\":true", n->flow_id);
		}
		fprintf(p->out, ",\"args\":{\"node\":%d,\"order\":%d,\"zone\":", (int)k->nid, (int)k->order);
		put_str(p->out, k->zone);
		fputs("}}", p->out);
		return 0;
	}
	if (n)
		n->pid = ev->pid;	/* the kcompactd thread of this node */
	if (ev->type == CT_EV_KCOMPACTD_WAKE) {
		instant(p, "kcompactd", "kcompactd_wake", t->tid, ev->ts_ns);
		fprintf(p->out, ",\"args\":{\"node\":%d,\"order\":%d,\"zone\":", (int)k->nid, (int)k->order);
		put_str(p->out, k->zone);
		fputs("}}", p->out);
	}
	return 0;
}

static int on_event(void *ctx, const struct ct_event *ev, const struct ct_run *run)
{
	struct ct_perfetto *p = ctx;
	struct tid_state *t;
	int ret = 0;

	if (ev->type == CT_EV_LOST || ev->type == CT_EV_PARSE_ERROR)
		return 0;
	if (p->decide_shift)
		decide_shift(p, ev->ts_ns);
	switch (ev->type) {
	case CT_EV_TRY_TO_COMPACT:
		t = task(p, ev->pid, ev->comm);
		if (!t)
			return -CT_E_NOMEM;
		t->stall_open = 1;
		t->stall_start = ev->ts_ns;
		break;
	case CT_EV_DEFERRED:
	case CT_EV_DEFER_COMPACTION:
		ret = on_defer(p, ev);
		break;
	case CT_EV_WAKEUP_KCOMPACTD:
	case CT_EV_KCOMPACTD_WAKE:
	case CT_EV_KCOMPACTD_SLEEP:
		ret = on_kcompactd_event(p, ev);
		break;
	case CT_EV_BEGIN:
	case CT_EV_END:
	case CT_EV_ISOLATE_MIGRATE:
	case CT_EV_ISOLATE_FREE:
		scanners(p, ev, run);
		p->model_dirty = 1;
		break;
	default:
		p->model_dirty = 1;	/* migrations, page events, fallbacks move pages in the model */
		break;
	}
	if (p->model_dirty && ev->ts_ns >= p->model_next_ns)
		model_sample(p, ev->ts_ns);
	if (ev->ts_ns > p->max_ts || !p->have_ts)
		p->max_ts = ev->ts_ns;
	p->have_ts = 1;
	return ret < 0 ? ret : status_of(p);
}

static void put_order(FILE *out, int32_t order)
{
	if (order == INT32_MIN)
		fputs("null", out);
	else
		fprintf(out, "%d", (int)order);
}

static int on_run(void *ctx, const struct ct_run *run)
{
	struct ct_perfetto *p = ctx;
	struct tid_state *t = task(p, run->pid, run->comm);
	struct node_state *n = node(p, run->nid);
	uint64_t dur = run->end_ns > run->begin_ns ? run->end_ns - run->begin_ns : 0;
	uint32_t tid;
	char name[64];

	if (!t)
		return -CT_E_NOMEM;
	if (run->zone[0])
		zone_named(p, run->nid, run->zone, run->zone_start, run->zone_end);
	tid = t->tid;
	/* lost events can leave a run straddling the start of its task's next stall */
	if (t->stall_open && run->begin_ns < t->stall_start && run->end_ns > t->stall_start) {
		struct tid_state *s = tid_find(p, tid | STRAY_TID_BIT);

		if (!s)
			return -CT_E_NOMEM;
		if (!s->stray_named) {
			snprintf(name, sizeof(name), "%s: runs cut off by lost events", run->comm);
			name_meta(p, "thread_name", tid, tid | STRAY_TID_BIT, name);
			s->stray_named = 1;
		}
		tid |= STRAY_TID_BIT;
		p->stray_runs++;
	}
	/* a run whose begin was lost (the trace starts inside it): an instant at its end */
	snprintf(name, sizeof(name), "%s run %s%s", ct_trigger_name(run->trigger), run->zone[0] ? run->zone : "?",
		 run->begin_known ? "" : " (begin lost)");
	ev_head(p, 'X', "run", name, t->tid, tid);
	put_ts(p->out, "ts", run->begin_ns);
	put_ts(p->out, "dur", dur);
	if (run->trigger == CT_TRIGGER_KCOMPACTD && n && n->flow_pending && n->flow_ts <= run->begin_ns) {
		fprintf(p->out, ",\"bind_id\":%" PRIu64 ",\"flow_in\":true", n->flow_id);
		n->flow_pending = 0;
		p->flows++;
	}
	fprintf(p->out, ",\"args\":{\"node\":%d,\"zone\":", (int)run->nid);
	put_str(p->out, run->zone[0] ? run->zone : "?");
	fputs(",\"order\":", p->out);
	put_order(p->out, run->order);
	fprintf(p->out, ",\"trigger\":\"%s\",\"mode\":\"%s\",\"status\":\"%s\"", ct_trigger_name(run->trigger),
		ct_mode_name(run->mode), ct_status_name(run->status));
	fprintf(p->out, ",\"migrate_scanned\":%" PRIu64 ",\"free_scanned\":%" PRIu64 ",\"isolated\":%" PRIu64
		",\"migrated\":%" PRIu64 ",\"migrate_failed\":%" PRIu64, run->migrate_scanned, run->free_scanned,
		run->migrate_isolated + run->free_isolated, run->migrated, run->migrate_failed);
	fprintf(p->out, ",\"migrate_pfn\":\"%#" PRIx64 " -> %#" PRIx64 "\",\"free_pfn\":\"%#" PRIx64
		" -> %#" PRIx64 "\",\"scanners_met\":%s}}", run->migrate_start, run->migrate_end, run->free_start,
		run->free_end, run->scanners_met ? "true" : "false");
	p->run_slices++;
	return status_of(p);
}

static int on_stall(void *ctx, const struct ct_stall *st)
{
	struct ct_perfetto *p = ctx;
	struct tid_state *t = task(p, st->pid, st->comm);
	char name[48], zones[CT_STALL_ZONES * (CT_ZONE_LEN + 32)];
	size_t len = 0;

	if (!t)
		return -CT_E_NOMEM;
	t->stall_open = 0;
	zones[0] = '\0';
	for (uint32_t i = 0; i < st->nzones && len < sizeof(zones); i++)
		len += (size_t)snprintf(zones + len, sizeof(zones) - len, "%s%d/%s:%s", i ? " " : "",
					(int)st->zones[i].nid, st->zones[i].zone,
					ct_status_name(st->zones[i].status));
	snprintf(name, sizeof(name), "direct compaction order %d", (int)st->order);
	ev_head(p, 'X', "stall", name, t->tid, t->tid);
	put_ts(p->out, "ts", st->ts_ns);
	put_ts(p->out, "dur", st->latency_ns);
	fprintf(p->out, ",\"args\":{\"order\":%d,\"gfp\":", (int)st->order);
	put_str(p->out, st->gfp);
	fprintf(p->out, ",\"%s\":%d,\"result\":\"%s\",\"runs\":%" PRIu32 ",\"zones\":",
		st->prio_is_mode ? "mode" : "priority", (int)st->priority, ct_status_name(st->result), st->runs);
	put_str(p->out, zones);
	fputs("}}", p->out);
	p->stall_slices++;
	return status_of(p);
}

static int on_fallback(void *ctx, const struct ct_fallback *fb)
{
	struct ct_perfetto *p = ctx;
	struct tid_state *t;

	rate_add(p, fb);
	if (!fb->fragmenting)
		return status_of(p);
	t = task(p, fb->pid, fb->comm ? fb->comm : "?");
	if (!t)
		return -CT_E_NOMEM;
	instant(p, "extfrag", "fragmenting fallback", t->tid, fb->ts_ns);
	fprintf(p->out, ",\"args\":{\"pfn\":%" PRIu64 ",\"alloc_order\":%d,\"fallback_order\":%d"
		",\"alloc_migratetype\":%d,\"fallback_migratetype\":%d,\"change_ownership\":%s"
		",\"first_in_pageblock\":%s}}", fb->pfn, (int)fb->alloc_order, (int)fb->fallback_order,
		(int)fb->alloc_migratetype, (int)fb->fallback_migratetype,
		fb->change_ownership ? "true" : "false", fb->first_in_pageblock ? "true" : "false");
	return status_of(p);
}

static int on_kcompactd(void *ctx, const struct ct_kcompactd_period *k)
{
	struct ct_perfetto *p = ctx;
	uint32_t pid, tid;

	kcompactd_track(p, node(p, k->nid), k->nid, &pid, &tid);
	ev_head(p, 'X', "kcompactd", "kcompactd awake", pid, tid);
	put_ts(p->out, "ts", k->start_ns);
	put_ts(p->out, "dur", k->end_ns - k->start_ns);
	fprintf(p->out, ",\"args\":{\"node\":%d,\"ended_by_input\":%s}}", (int)k->nid,
		k->ended_by_input ? "true" : "false");
	p->awake_slices++;
	return status_of(p);
}

static int on_end_source(void *ctx)
{
	struct ct_perfetto *p = ctx;

	rate_flush(p);
	if (p->model_dirty && p->have_ts)
		model_sample(p, p->max_ts);
	return status_of(p);
}

static const struct ct_sink_ops perfetto_ops = {
	.name = "perfetto",
	.begin_source = on_begin_source,
	.event = on_event,
	.run = on_run,
	.stall = on_stall,
	.fallback = on_fallback,
	.kcompactd = on_kcompactd,
	.end_source = on_end_source,
};

/* ---- public ------------------------------------------------------------------------ */

struct ct_perfetto *ct_perfetto_new(FILE *out, const struct ct_session *session)
{
	struct ct_perfetto *p = calloc(1, sizeof(*p));

	if (!p)
		return NULL;
	p->out = out;
	p->session = session;
	for (int i = 0; i < MAX_NODES; i++)
		p->nodes[i].pid = -1;
	return p;
}

void ct_perfetto_free(struct ct_perfetto *p)
{
	if (!p)
		return;
	free(p->tids);
	free(p);
}

struct ct_sink ct_perfetto_sink(struct ct_perfetto *p)
{
	return (struct ct_sink){ .ops = &perfetto_ops, .ctx = p };
}

int ct_perfetto_saved_errno(const struct ct_perfetto *p)
{
	return p->saved_errno;
}

static void meta_u64(FILE *out, const char *key, uint64_t v)
{
	fprintf(out, ",\n  \"%s\":\"%" PRIu64 "\"", key, v);
}

int ct_perfetto_finish(struct ct_perfetto *p, const struct ct_report_input *in)
{
	const struct ct_quality *q = &in->res->quality;
	FILE *out = p->out;

	if (!p->started) {
		fputs("{\"traceEvents\":[\n", out);
		p->started = 1;
	}
	fputs("\n],\n\"displayTimeUnit\":\"ns\",\n\"metadata\":{\n  \"tool\":\"compactrace " CT_VERSION "\"", out);
	meta_u64(out, "events", in->res->events);
	meta_u64(out, "stall_slices", p->stall_slices);
	meta_u64(out, "run_slices", p->run_slices);
	meta_u64(out, "runs_cut_off_by_lost_events", p->stray_runs);
	meta_u64(out, "kcompactd_awake_slices", p->awake_slices);
	meta_u64(out, "wakeup_flows", p->flows);
	meta_u64(out, "instants", p->instants);
	meta_u64(out, "counter_samples", p->counters);
	meta_u64(out, "lost_events", q->lost_events);
	meta_u64(out, "lost_unknown", q->lost_unknown);
	meta_u64(out, "unmatched_begin", q->unmatched_begin);
	meta_u64(out, "unmatched_end", q->unmatched_end);
	meta_u64(out, "out_of_order", q->out_of_order);
	meta_u64(out, "unknown_events", q->unknown_events);
	meta_u64(out, "parse_errors", q->parse_errors);
	meta_u64(out, "bad_values", q->bad_values);
	if (in->filter) {
		fputs(",\n  \"filter\":", out);
		put_str(out, in->filter);
	}
	fputs("\n}}\n", out);
	return status_of(p);
}
