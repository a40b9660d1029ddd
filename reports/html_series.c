// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The HTML report's time series as a session sink: what the engine hands
 * on (runs, stalls, awake periods, fallbacks, the scanners' steps) and the
 * model's free blocks, kept summarised in bounded memory (html_series.h).
 */
#include <stdlib.h>
#include <string.h>

#include "compactrace/error.h"
#include "compactrace/report.h"
#include "compactrace/session.h"
#include "html_series.h"

#define FREE_FIRST_STEP_NS 1000000ULL	/* the model's counts every ms at first */

/* ---- lanes ------------------------------------------------------------------- */

static int cmp_item(const void *x, const void *y)
{
	const struct hs_item *a = x, *b = y;

	return (a->a > b->a) - (a->a < b->a);
}

/* neighbours closer than @gap become one item; returns how many are left */
static uint32_t merge_pass(struct hs_item *it, uint32_t n, uint64_t gap)
{
	uint32_t out = 0;

	for (uint32_t i = 0; i < n; i++) {
		struct hs_item *cur = &it[out ? out - 1 : 0];

		if (out && it[i].a <= cur->b + gap) {
			if (it[i].b > cur->b)
				cur->b = it[i].b;
			cur->n += it[i].n;
			for (int s = 0; s < CT_STATUS_COUNT; s++)
				cur->cnt[s] += it[i].cnt[s];
			continue;
		}
		it[out++] = it[i];
	}
	return out;
}

static void lane_summarise(struct hs_lane *l)
{
	uint64_t span;

	if (l->n > 1)	/* an empty lane has no array */
		qsort(l->items, l->n, sizeof(*l->items), cmp_item);
	span = l->items[l->n - 1].b > l->items[0].a ? l->items[l->n - 1].b - l->items[0].a : 0;
	if (l->gap < span / HS_LANE_CAP)
		l->gap = span / HS_LANE_CAP;
	if (!l->gap)
		l->gap = 1;
	while ((l->n = merge_pass(l->items, l->n, l->gap)) > HS_LANE_CAP / 2)
		l->gap *= 2;
}

/* add [a, b] with status @s (or fallback kind) to @l; returns 0 or -CT_E_NOMEM */
static int lane_add(struct hs_lane *l, uint64_t a, uint64_t b, int s)
{
	struct hs_item *it;

	if (b < a)
		b = a;
	if (!l->items) {
		l->items = calloc(HS_LANE_CAP, sizeof(*l->items));
		if (!l->items)
			return -CT_E_NOMEM;
	}
	if (l->n == HS_LANE_CAP)
		lane_summarise(l);
	it = &l->items[l->n++];
	memset(it, 0, sizeof(*it));
	it->a = a;
	it->b = b;
	it->n = 1;
	it->cnt[s >= 0 && s < CT_STATUS_COUNT ? s : CT_STATUS_UNKNOWN] = 1;
	l->total++;
	l->busy_ns += b - a;
	return 0;
}

/* the lane keyed @key in @lanes (the last one takes everything past @cap) */
static struct hs_lane *lane_of(struct hs_lane *lanes, uint32_t *n, uint32_t cap, int32_t key,
			       const char *label)
{
	for (uint32_t i = 0; i < *n; i++)
		if (lanes[i].key == key)
			return &lanes[i];
	if (*n == cap) {
		snprintf(lanes[cap - 1].label, sizeof(lanes[0].label), "other tasks");
		return &lanes[cap - 1];
	}
	lanes[*n].key = key;
	snprintf(lanes[*n].label, sizeof(lanes[0].label), "%s", label);
	return &lanes[(*n)++];
}

int ct_html_lanes_join(struct hs_lane *out, const struct hs_lane *const *lanes, uint32_t n)
{
	memset(out, 0, sizeof(*out));
	for (uint32_t i = 0; i < n; i++) {
		for (uint32_t j = 0; j < lanes[i]->n; j++) {
			if (!out->items && !(out->items = calloc(HS_LANE_CAP, sizeof(*out->items))))
				return -CT_E_NOMEM;
			if (out->n == HS_LANE_CAP)
				lane_summarise(out);
			out->items[out->n++] = lanes[i]->items[j];
		}
		out->total += lanes[i]->total;
		out->busy_ns += lanes[i]->busy_ns;
		if (lanes[i]->gap > out->gap)
			out->gap = lanes[i]->gap;
	}
	if (out->n > 1)
		lane_summarise(out);
	return 0;
}

/* ---- points ------------------------------------------------------------------ */

static int points_add(struct hs_points *s, uint64_t ts, uint64_t pfn, int brk)
{
	if (!s->p) {
		s->p = calloc(HS_POINTS, sizeof(*s->p));
		if (!s->p)
			return -CT_E_NOMEM;
		s->stride = 1;
	}
	s->pending_brk |= (uint8_t)brk;
	if (s->seen++ % s->stride)
		return 0;
	if (s->n == HS_POINTS) {	/* every other point goes; a break moves to the next kept one */
		uint32_t out = 0;

		for (uint32_t i = 0; i < s->n; i += 2) {
			struct hs_pt pt = s->p[i];

			if (i > 0 && s->p[i - 1].brk)
				pt.brk = 1;
			s->p[out++] = pt;
		}
		s->n = out;
		s->stride *= 2;
	}
	s->p[s->n++] = (struct hs_pt){ .ts = ts, .pfn = pfn, .brk = s->pending_brk };
	s->pending_brk = 0;
	return 0;
}

static struct hs_traj *traj_of(struct ct_html_series *h, const struct ct_run *run)
{
	for (uint32_t i = 0; i < h->ntraj; i++)
		if (h->traj[i].start == run->zone_start && h->traj[i].end == run->zone_end)
			return &h->traj[i];
	if (h->ntraj == HS_ZONES)
		return NULL;
	h->traj[h->ntraj] = (struct hs_traj){ .start = run->zone_start, .end = run->zone_end, .nid = -1,
					      .met_stride = 1 };
	return &h->traj[h->ntraj++];
}

/* ---- the model's free blocks ----------------------------------------------------- */

static void free_halve(struct ct_html_series *h)
{
	for (uint32_t z = 0; z < h->nfree; z++) {
		struct hs_free *f = &h->free[z];
		uint32_t out = 0;

		for (uint32_t i = 0; i < f->n; i += 2, out++) {
			f->ts[out] = f->ts[i];
			memcpy(f->blocks[out], f->blocks[i], sizeof(f->blocks[0]));
		}
		f->n = out;
	}
	h->free_step *= 2;
}

static void free_sample(struct ct_html_series *h, uint64_t ts)
{
	struct ct_model *m = h->session ? ct_session_model(h->session) : NULL;
	struct ct_model_zone_now now;

	h->model_dirty = 0;
	for (uint32_t i = 0; i < ct_model_zone_count(m) && i < HS_ZONES; i++) {
		struct hs_free *f = &h->free[i];

		if (ct_model_zone_now(m, i, &now) <= 0)
			continue;
		if (i >= h->nfree)
			h->nfree = i + 1;
		if (f->n == HS_SAMPLES)
			free_halve(h);
		f->nid = now.nid;
		memcpy(f->zone, now.zone, sizeof(f->zone));
		f->start_pfn = now.start_pfn;
		f->norders = now.norders;
		f->ts[f->n] = ts;
		memcpy(f->blocks[f->n], now.free_blocks, sizeof(f->blocks[0]));
		f->n++;
	}
	h->free_next = ts + h->free_step;
}

/* ---- sink callbacks -------------------------------------------------------------- */

static int on_event(void *ctx, const struct ct_event *ev, const struct ct_run *run)
{
	struct ct_html_series *h = ctx;
	struct hs_traj *t;
	int ret = 0;

	if (ev->type == CT_EV_LOST || ev->type == CT_EV_PARSE_ERROR)
		return 0;
	if (!h->have_ts || ev->ts_ns < h->first_ns)
		h->first_ns = ev->ts_ns;
	if (!h->have_ts || ev->ts_ns > h->last_ns)
		h->last_ns = ev->ts_ns;
	if (!h->have_ts)
		h->free_next = ev->ts_ns;	/* the model's state before the first change */
	h->have_ts = 1;
	if (h->free_next <= ev->ts_ns && (h->model_dirty || !h->nfree))
		free_sample(h, ev->ts_ns);
	if (ev->type != CT_EV_OTHER && ev->type != CT_EV_TRY_TO_COMPACT && ev->type != CT_EV_SUITABLE)
		h->model_dirty = 1;
	if (!run || !(t = traj_of(h, run)))
		return 0;
	switch (ev->type) {
	case CT_EV_BEGIN:
	case CT_EV_END:
		ret = points_add(&t->mig, ev->ts_ns, ev->u.range.migrate_pfn, ev->type == CT_EV_BEGIN);
		if (ret == 0)
			ret = points_add(&t->free, ev->ts_ns, ev->u.range.free_pfn, ev->type == CT_EV_BEGIN);
		break;
	case CT_EV_ISOLATE_MIGRATE:
		ret = points_add(&t->mig, ev->ts_ns, ev->u.iso.end_pfn, 0);
		break;
	case CT_EV_ISOLATE_FREE:
		ret = points_add(&t->free, ev->ts_ns, ev->u.iso.start_pfn, 0);
		break;
	default:
		break;
	}
	return ret;
}

static int on_run(void *ctx, const struct ct_run *run)
{
	struct ct_html_series *h = ctx;
	struct hs_traj *t = traj_of(h, run);

	if (!t) {
		h->runs_unplaced++;
		h->met_unplaced += run->scanners_met;
		return 0;
	}
	if (run->zone[0] && !t->zone[0]) {
		t->nid = run->nid;
		memcpy(t->zone, run->zone, sizeof(t->zone));
	}
	t->runs++;
	if (run->scanners_met) {
		t->met++;
		if (t->nmet == HS_MET) {
			for (uint32_t i = 0; i < HS_MET / 2; i++)
				t->met_at[i] = t->met_at[2 * i];
			t->nmet = HS_MET / 2;
			t->met_stride *= 2;
		}
		if ((t->met - 1) % t->met_stride == 0)
			t->met_at[t->nmet++] = (struct hs_pt){ .ts = run->end_ns, .pfn = run->migrate_end };
	}
	return lane_add(&t->lane, run->begin_ns, run->end_ns, run->status);
}

static int on_stall(void *ctx, const struct ct_stall *st)
{
	struct ct_html_series *h = ctx;
	char label[CT_COMM_LEN + 16];
	struct hs_lane *l;

	snprintf(label, sizeof(label), "%s %d", st->comm, (int)st->pid);
	l = lane_of(h->tasks, &h->ntasks, HS_TASKS, st->pid, label);
	return lane_add(l, st->ts_ns, st->ts_ns + st->latency_ns, st->result);
}

static int on_fallback(void *ctx, const struct ct_fallback *fb)
{
	struct ct_html_series *h = ctx;

	return lane_add(&h->fallbacks, fb->ts_ns, fb->ts_ns, fb->fragmenting ? 1 : 0);
}

static int on_kcompactd(void *ctx, const struct ct_kcompactd_period *p)
{
	struct ct_html_series *h = ctx;
	char label[32];

	snprintf(label, sizeof(label), "kcompactd node %d", (int)p->nid);
	return lane_add(lane_of(h->nodes, &h->nnodes, HS_NODES, p->nid, label), p->start_ns, p->end_ns, 0);
}

static int on_end_source(void *ctx)
{
	struct ct_html_series *h = ctx;

	if (h->have_ts && h->model_dirty)	/* the state at the end, even inside a step */
		free_sample(h, h->last_ns);
	return 0;
}

static const struct ct_sink_ops series_ops = {
	.name = "html",
	.event = on_event,
	.run = on_run,
	.stall = on_stall,
	.fallback = on_fallback,
	.kcompactd = on_kcompactd,
	.end_source = on_end_source,
};

struct ct_html_series *ct_html_series_new(const struct ct_session *session)
{
	struct ct_html_series *h = calloc(1, sizeof(*h));

	if (!h)
		return NULL;
	h->session = session;
	h->free_step = FREE_FIRST_STEP_NS;
	snprintf(h->fallbacks.label, sizeof(h->fallbacks.label), "fallbacks");
	return h;
}

static void lane_release(struct hs_lane *l)
{
	free(l->items);
}

void ct_html_series_free(struct ct_html_series *h)
{
	if (!h)
		return;
	for (uint32_t i = 0; i < h->ntraj; i++) {
		free(h->traj[i].mig.p);
		free(h->traj[i].free.p);
		lane_release(&h->traj[i].lane);
	}
	for (uint32_t i = 0; i < h->ntasks; i++)
		lane_release(&h->tasks[i]);
	for (uint32_t i = 0; i < h->nnodes; i++)
		lane_release(&h->nodes[i]);
	lane_release(&h->fallbacks);
	free(h);
}

struct ct_sink ct_html_series_sink(struct ct_html_series *h)
{
	return (struct ct_sink){ .ops = &series_ops, .ctx = h };
}
