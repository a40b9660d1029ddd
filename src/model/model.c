// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The shadow buddy model: zones and their seeding, the replay of runs,
 * fallbacks and compaction decisions, and the results the reports print.
 * The free state itself is a zone backend (struct zone_ops): model_est.c
 * (estimated) or model_exact.c (per pfn), chosen once per zone and called
 * only through its ops. Plain C, no I/O, deterministic.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compactrace/error.h"
#include "compactrace/fragindex.h"
#include "model/model_internal.h"

#define DEFAULT_PBO 9
#define DEFAULT_ORDERS 11	/* x86-64: MAX_PAGE_ORDER 10 */
#define ORDER_UNKNOWN INT32_MIN
#define NO_PFN UINT64_MAX
/*
 * Handlers of compaction events stay out of line: page events, millions of
 * them, then pass through ct_model_feed() without saving every register.
 */
#define OUT_OF_LINE __attribute__((noinline))

static const char default_letters[CT_MIGRATETYPES] = { 'U', 'M', 'R', 'H', 'C', 'I', 'X', 'X' };

const char *ct_model_seeding_name(enum ct_model_seeding s)
{
	switch (s) {
	case CT_SEED_COUNTS: return "counts";
	case CT_SEED_KPAGEFLAGS: return "kpageflags";
	case CT_SEED_FREE_MAP: return "free-map";
	default: return "trace";
	}
}

const char *ct_model_mode_name(enum ct_model_mode mode)
{
	return mode == CT_MODEL_EXACT ? "exact" : "estimated";
}

static void copy_str(char *dst, size_t size, const char *src)
{
	size_t n = strnlen(src, size - 1);

	memcpy(dst, src, n);
	dst[n] = '\0';
}

/* ---- zones -------------------------------------------------------------- */

static void zone_release(struct mzone *z)
{
	if (z->ops)
		z->ops->release(z);
	free(z->pb);
}

/*
 * Memory a zone of @npb pageblocks may take: per pageblock its row and two
 * bitmaps, and in exact mode a byte per pfn. Zones beyond the model's limit
 * (all zones together; spans are input, not evidence) are not modelled:
 * returns 0 and notes it.
 */
static int zone_fits(struct ct_model *m, uint64_t start, uint64_t end, uint64_t npb)
{
	uint64_t cost = sizeof(struct mblock) + 16 * ((m->pb_pages + 63) / 64) +
			(m->opts.page_events ? m->pb_pages : 0);

	if (npb <= (m->max_bytes - m->bytes) / cost) {
		m->bytes += npb * cost;
		return 1;
	}
	if (!m->over_limit++)
		ct_model_note(m, "zones beyond what the model's memory limit (%llu MiB) holds are not modelled "
			      "(the first: pfns %#llx-%#llx)", (unsigned long long)(m->max_bytes >> 20),
			      (unsigned long long)start, (unsigned long long)end);
	return 0;
}

static struct mzone *zone_add(struct ct_model *m, int32_t nid, const char *name, uint64_t start, uint64_t end)
{
	struct mzone *z;

	if (end <= start || !zone_fits(m, start, end, ((end - 1) >> m->pbo) - (start >> m->pbo) + 1))
		return NULL;
	if (m->nzones == m->zones_cap) {
		uint32_t ncap = m->zones_cap ? m->zones_cap * 2 : 8;
		struct mzone *nz = realloc(m->zones, ncap * sizeof(*nz));

		if (!nz) {
			m->nomem = 1;
			return NULL;
		}
		m->zones = nz;
		m->zones_cap = ncap;
	}
	for (uint32_t i = 0; i < m->nzones; i++)
		m->zones_overlap |= start < m->zones[i].end && m->zones[i].start < end;
	z = &m->zones[m->nzones];
	memset(z, 0, sizeof(*z));
	z->nid = nid;
	if (name) {
		copy_str(z->name, sizeof(z->name), name);
		z->named = 1;
	} else {
		copy_str(z->name, sizeof(z->name), "?");
	}
	z->start = start;
	z->end = end;
	z->pb0 = start >> m->pbo;
	z->npb = ((end - 1) >> m->pbo) - z->pb0 + 1;
	z->last_migrate_end = z->last_free_end = -1;
	z->zone_index = -1;
	z->pb = calloc(z->npb, sizeof(*z->pb));
	if (!z->pb) {
		m->nomem = 1;
		return NULL;
	}
	for (uint64_t b = 0; b < z->npb; b++) {
		z->pb[b].mt = MT_UNKNOWN;
		z->pb[b].culprit = -1;
	}
	m->nzones++;
	return z;
}

static struct mzone *zone_by_pfn(struct ct_model *m, uint64_t pfn)
{
	for (uint32_t i = 0; i < m->nzones; i++)
		if (pfn >= m->zones[i].start && pfn < m->zones[i].end) {
			m->zone_hint = i;
			return &m->zones[i];
		}
	return NULL;
}

/* zone_by_pfn(), the last zone found first: page events come in runs in one zone */
static inline struct mzone *zone_of_pfn(struct ct_model *m, uint64_t pfn)
{
	if (m->zone_hint < m->nzones && !m->zones_overlap) {
		struct mzone *z = &m->zones[m->zone_hint];

		if (pfn >= z->start && pfn < z->end)
			return z;
	}
	return zone_by_pfn(m, pfn);
}

static struct mzone *zone_by_name(struct ct_model *m, int32_t nid, const char *name)
{
	for (uint32_t i = 0; i < m->nzones; i++)
		if (m->zones[i].named && m->zones[i].nid == nid && strcmp(m->zones[i].name, name) == 0)
			return &m->zones[i];
	return NULL;
}

/* The zone of a run spanning [start, end) in the trace; learned from the trace when unknown. */
static struct mzone *zone_for_span(struct ct_model *m, uint64_t start, uint64_t end)
{
	struct mzone *z = zone_by_pfn(m, start);

	if (z) {
		if (!z->trace_end) {
			z->trace_start = start;
			z->trace_end = end;
			if ((start != z->start || end != z->end) && z->snap_start) {
				z->span_conflict = 1;
				ct_model_note(m, "zone %s: the trace spans pfns %#llx-%#llx, the snapshot %#llx-%#llx "
					      "(memory hot-added?); the model keeps the snapshot's span",
					      z->name, (unsigned long long)start, (unsigned long long)end,
					      (unsigned long long)z->start, (unsigned long long)z->end);
			}
		}
		if (end > z->end) {
			m->pfns_outside++;
			ct_model_note(m, "zone %s grew past pfn %#llx during the trace; pfns above it are not modelled",
				      z->name, (unsigned long long)z->end);
		}
		return z;
	}
	if (m->opts.start && m->opts.start->nzones)
		ct_model_note(m, "a run spans pfns %#llx-%#llx, which no zone of the start snapshot holds: "
			      "modelled from the trace alone", (unsigned long long)start, (unsigned long long)end);
	z = zone_add(m, -1, NULL, start, end);
	if (!z)
		return NULL;
	z->seeding = CT_SEED_TRACE;
	z->trace_start = start;
	z->trace_end = end;
	z->ops = &ct_zone_estimated;
	if (z->ops->init(m, z, NULL) < 0) {
		m->nomem = 1;
		return NULL;
	}
	return z;
}

/* The owner of pageblock @b changed (an extfrag fallback, a claim); @known: the event says so. */
static void set_owner(struct mzone *z, uint64_t b, int mt, int known)
{
	if (b >= z->npb || mt < 0 || mt >= CT_MIGRATETYPES)
		return;
	z->pb[b].mt = (int8_t)mt;
	if (known)
		z->pb[b].flags |= PB_MT_KNOWN;
	if (z->ops->set_owner)
		z->ops->set_owner(z, b, mt);
}

/* Free blocks per order as the model has them now. */
static void zone_counts(struct ct_model *m, struct mzone *z, uint64_t *out)
{
	int64_t c[MAX_ORDERS];

	z->ops->counts(m, z, c);
	for (int o = 0; o < m->norders; o++)
		out[o] = c[o] > 0 ? (uint64_t)c[o] : 0;
}

static int zone_known(const struct mzone *z)
{
	return z->seeded || z->ops->mode == CT_MODEL_EXACT;
}

/* ---- seeding ------------------------------------------------------------ */

static int snapshots_usable(struct ct_model *m)
{
	const struct ct_memsnap *s = m->opts.start, *e = m->opts.end;

	if (!s)
		return 0;
	if (s->page_size && e && e->page_size && s->page_size != e->page_size) {
		ct_model_note(m, "the start and end snapshots have different page sizes (%llu, %llu): "
			      "not from one machine; the model ignores both",
			      (unsigned long long)s->page_size, (unsigned long long)e->page_size);
		return 0;
	}
	if (s->pageblock_order && s->pageblock_order != m->pbo) {
		ct_model_note(m, "the start snapshot's pageblock order (%d) is not the trace's (%d): "
			      "another kernel or page size; the model does not seed from it",
			      s->pageblock_order, m->pbo);
		return 0;
	}
	if (s->page_size && s->page_size != 4096 && !s->pageblock_order)
		ct_model_note(m, "the snapshot's page size is %llu bytes", (unsigned long long)s->page_size);
	return 1;
}

static int seed_zones(struct ct_model *m)
{
	const struct ct_memsnap *s = m->opts.start;
	int32_t last_nid = INT32_MIN;
	int index = 0;

	for (uint32_t i = 0; i < s->nzones; i++) {
		const struct ct_memsnap_zone *sz = &s->zones[i];
		struct mzone *z;

		index = sz->nid == last_nid ? index + 1 : 0;
		last_nid = sz->nid;
		if (!sz->has_zoneinfo || !sz->has_start_pfn || !sz->spanned)
			continue;	/* empty zones (Movable, Device) and zones without a span */
		z = zone_add(m, sz->nid, sz->name, sz->start_pfn, sz->start_pfn + sz->spanned);
		if (!z && m->nomem)
			return -CT_E_NOMEM;
		if (!z)
			continue;	/* an empty or impossible span, or beyond the memory limit: noted */
		z->snap_start = sz;
		z->zone_index = index;
		if (m->opts.end)
			z->snap_end = ct_memsnap_zone_find(m->opts.end, sz->nid, sz->name);
		if (sz->has_buddy) {
			z->seeded = 1;
			memcpy(z->seed, sz->free_blocks, sizeof(z->seed));
			z->seeding = CT_SEED_COUNTS;
		}
		/* the backend: exact when page events come and a free map seeds it, else estimated */
		if (m->opts.page_events) {
			int ret;

			z->ops = &ct_zone_exact;
			ret = z->ops->init(m, z, s);
			if (ret == -CT_E_NOMEM)
				return ret;
			if (ret == 0)
				continue;
			z->ops->release(z);
		}
		z->ops = &ct_zone_estimated;
		if (z->ops->init(m, z, s) < 0)
			return -CT_E_NOMEM;
	}
	if (s->nkpf && s->kpf_pageblock_order != m->pbo)
		ct_model_note(m, "the kpageflags summary is per order-%d pageblock, the trace's are order %d: not used",
			      s->kpf_pageblock_order, m->pbo);
	return 0;
}

/* ---- runs --------------------------------------------------------------- */

static uint32_t hash_pid(int32_t pid)
{
	uint64_t v = (uint64_t)(uint32_t)pid * 0x9e3779b97f4a7c15ULL;

	return (uint32_t)(v >> 32);
}

static void run_clear(struct mrun *r)
{
	free(r->iso);
	free(r->fl);
	free(r->visited);
	free(r->visited_out);
	memset(r, 0, sizeof(*r));
}

static struct mrun *run_find(struct ct_model *m, int32_t pid)
{
	if (!m->runs_cap)
		return NULL;
	for (uint32_t i = hash_pid(pid) & (m->runs_cap - 1); m->runs[i].used; i = (i + 1) & (m->runs_cap - 1))
		if (m->runs[i].pid == pid)
			return &m->runs[i];
	return NULL;
}

static struct mrun *run_new(struct ct_model *m, int32_t pid)
{
	struct mrun *r = run_find(m, pid);
	uint32_t i;

	if (r)
		return r;
	if ((m->runs_used + 1) * 2 > m->runs_cap) {
		uint32_t ncap = m->runs_cap ? m->runs_cap * 2 : 16;
		struct mrun *n = calloc(ncap, sizeof(*n));

		if (!n) {
			m->nomem = 1;
			return NULL;
		}
		for (uint32_t j = 0; j < m->runs_cap; j++) {
			if (!m->runs[j].used)
				continue;
			for (i = hash_pid(m->runs[j].pid) & (ncap - 1); n[i].used; i = (i + 1) & (ncap - 1))
				;
			n[i] = m->runs[j];
		}
		free(m->runs);
		m->runs = n;
		m->runs_cap = ncap;
	}
	for (i = hash_pid(pid) & (m->runs_cap - 1); m->runs[i].used; i = (i + 1) & (m->runs_cap - 1))
		;
	m->runs[i].used = 1;
	m->runs[i].pid = pid;
	m->runs_used++;
	return &m->runs[i];
}

/* Remove a run; the table is rebuilt so that probing stays correct. */
static void run_delete(struct ct_model *m, struct mrun *r)
{
	uint32_t i = (uint32_t)(r - m->runs), j = i;

	run_clear(r);
	m->runs_used--;
	for (;;) {
		uint32_t k;

		j = (j + 1) & (m->runs_cap - 1);
		if (!m->runs[j].used)
			return;
		k = hash_pid(m->runs[j].pid) & (m->runs_cap - 1);
		/* move j back to i when its home slot is not in (i, j] */
		if ((j > i && (k <= i || k > j)) || (j < i && (k <= i && k > j))) {
			m->runs[i] = m->runs[j];
			memset(&m->runs[j], 0, sizeof(m->runs[j]));
			i = j;
		}
	}
}

/*
 * The largest free order now (-2: not known) and the fragmentation index
 * at @order (INT32_MIN: not known), from one count of the free blocks.
 */
static void zone_state(struct ct_model *m, struct mzone *z, int order, int *largest, int32_t *fi)
{
	uint64_t c[MAX_ORDERS];

	*largest = -2;
	*fi = INT32_MIN;
	if (!zone_known(z))
		return;
	zone_counts(m, z, c);
	*largest = ct_largest_free_order(c, m->norders);
	if (order >= 0 && order < m->norders)
		*fi = ct_fragmentation_index(c, m->norders, order);
}

static void visit(struct ct_model *m, struct mzone *z, struct mrun *r, uint64_t b)
{
	struct mblock *pb = &z->pb[b];

	if (pb->last_migrate_run == r->serial)
		return;
	pb->last_migrate_run = r->serial;
	if (pb->visits_migrate < UINT16_MAX)
		pb->visits_migrate++;
	if (pb->flags & PB_POLLUTED)
		r->polluted_scanned++;
	if (r->nvisited == r->visited_cap) {
		uint32_t ncap = r->visited_cap ? r->visited_cap * 2 : 64;
		uint64_t *n = realloc(r->visited, ncap * sizeof(*n));
		uint32_t *o;

		if (!n) {
			m->nomem = 1;
			return;
		}
		r->visited = n;
		o = realloc(r->visited_out, ncap * sizeof(*o));
		if (!o) {
			m->nomem = 1;
			return;
		}
		r->visited_out = o;
		r->visited_cap = ncap;
	}
	r->visited_out[r->nvisited] = pb->migrated_out;
	r->visited[r->nvisited++] = b;
}

static OUT_OF_LINE void on_begin(struct ct_model *m, const struct ct_event *ev, const struct ct_run *run)
{
	struct mrun *r;
	int largest;

	if (!run)
		return;
	r = run_find(m, ev->pid);
	if (r)
		run_delete(m, r);	/* a begin without an end: its state is meaningless now */
	r = run_new(m, ev->pid);
	if (!r)
		return;
	r->serial = ++m->run_serial;
	r->cpu = ev->cpu;
	r->order = run->order;
	r->sync = run->mode == CT_MODE_SYNC;
	r->z = zone_for_span(m, run->zone_start, run->zone_end);
	if (!r->z) {
		m->runs_unplaced++;
		return;
	}
	zone_state(m, r->z, r->order, &largest, &r->fi_before);
	r->largest_before = (int8_t)largest;
}

/* compact_zone(): leaving a cc->order-aligned block it migrated from drains this CPU's lists */
static void maybe_drain(struct ct_model *m, struct mzone *z, struct mrun *r, uint64_t migrate_pfn)
{
	uint64_t cur;

	if (r->order <= 0 || r->order == ORDER_UNKNOWN || !r->last_migrated || r->order >= 63)
		return;
	cur = migrate_pfn & ~((1ULL << r->order) - 1);
	if (r->last_migrated < cur) {
		if (z->ops->drain_cpu)
			z->ops->drain_cpu(m, z, r->cpu);
		r->last_migrated = 0;
	}
}

static OUT_OF_LINE void on_isolate(struct ct_model *m, const struct ct_event *ev, const struct ct_run *run)
{
	const struct ct_ev_isolate *iso = &ev->u.iso;
	struct mrun *r = run ? run_find(m, ev->pid) : NULL;
	struct mzone *z = r ? r->z : NULL;
	struct mrun tmp;
	uint64_t b;

	if (!z)
		z = zone_by_pfn(m, iso->start_pfn);
	if (!z || iso->start_pfn < z->start || iso->start_pfn >= z->end) {
		m->pfns_outside++;
		return;
	}
	if (!r) {
		/* a run begun before the trace (or CMA's strict isolation): no run to return pages to */
		m->events_outside_runs++;
		memset(&tmp, 0, sizeof(tmp));
		tmp.cpu = ev->cpu;
		tmp.serial = UINT32_MAX;
		r = &tmp;
	}
	b = pb_of(m, z, iso->start_pfn);
	z->changes++;
	if (ev->type == CT_EV_ISOLATE_MIGRATE) {
		if (r != &tmp)
			visit(m, z, r, b);
		z->pb[b].isolated += (uint32_t)iso->nr_taken;
		z->ops->migrate_isolate(m, z, r, iso->start_pfn, iso->end_pfn, iso->nr_scanned, iso->nr_taken);
		r->last_iso_end = iso->end_pfn;
		if (iso->nr_taken)
			r->last_migrated = iso->end_pfn ? (iso->end_pfn - 1) & ~(m->pb_pages - 1) : 0;
		else
			maybe_drain(m, z, r, iso->end_pfn);
	} else {
		struct mblock *pb = &z->pb[b];

		if (pb->last_free_run != r->serial || r == &tmp) {
			pb->last_free_run = r->serial;
			if (pb->visits_free < UINT16_MAX)
				pb->visits_free++;
		}
		/* the free scanner only takes from movable (or CMA) pageblocks */
		if (iso->nr_taken && !(pb->flags & PB_MT_KNOWN) && pb->mt == MT_UNKNOWN)
			set_owner(z, b, 1, 0);
		z->ops->free_isolate(m, z, r, iso->start_pfn, iso->end_pfn, iso->nr_scanned, iso->nr_taken,
				     ev->type == CT_EV_FAST_ISOLATE_FREE);
	}
	if (r == &tmp) {	/* nothing comes back: what was isolated stays taken */
		z->ops->run_drop(m, z, r);
		free(tmp.iso);
		free(tmp.fl);
		free(tmp.visited);
		free(tmp.visited_out);
	}
}

static OUT_OF_LINE void on_migrate(struct ct_model *m, const struct ct_event *ev, const struct ct_run *run)
{
	struct mrun *r = run ? run_find(m, ev->pid) : NULL;

	if (!r || !r->z) {
		m->events_outside_runs += !r;
		return;
	}
	r->z->traced_pages += 2 * ev->u.mig.nr_migrated;
	r->z->ops->migrated(m, r->z, r, ev->u.mig.nr_migrated);
	maybe_drain(m, r->z, r, r->last_iso_end);
}

static void push_run_row(struct ct_model *m, const struct ct_model_run_row *row)
{
	struct ct_model_results *res = &m->res;

	if (res->nruns >= m->runs_cap_rows) {
		m->runs_dropped++;
		return;
	}
	if (!res->runs) {
		res->runs = calloc(m->runs_cap_rows, sizeof(*res->runs));
		if (!res->runs) {
			m->nomem = 1;
			return;
		}
	}
	res->runs[res->nruns++] = *row;
}

static OUT_OF_LINE void on_end(struct ct_model *m, const struct ct_event *ev, const struct ct_run *run)
{
	struct mrun *r = run_find(m, ev->pid);
	struct ct_model_run_row row;
	struct mzone *z;
	int largest, failed;

	if (!r || !run)
		return;
	z = r->z;
	if (!z) {
		run_delete(m, r);
		return;
	}
	if (!z->named && run->zone[0] && run->nid >= 0) {
		copy_str(z->name, sizeof(z->name), run->zone);
		z->nid = run->nid;
		z->named = 1;
	}
	z->ops->run_end(m, z, r);
	/*
	 * kcompactd_do_work(): a run that ends with the scanners met (complete,
	 * partial_skipped) drains every CPU's lists of the zone, so that pages
	 * stranded there can merge (drain_all_pages()).
	 */
	if (run->trigger == CT_TRIGGER_KCOMPACTD && z->ops->drain_all &&
	    (run->status == CT_STATUS_COMPLETE || run->status == CT_STATUS_PARTIAL_SKIPPED))
		z->ops->drain_all(m, z);
	/*
	 * A run that ends in success made a free block of its order. A direct
	 * compactor's allocation takes it. So, in the end, does one of the
	 * allocations kcompactd compacts for: kswapd wakes it with the order
	 * an allocation failed at (wakeup_kcompactd()), and the next
	 * allocation of that order takes the block off the free list, with no
	 * event (a hugetlb pool growing, THP faults that deferred).
	 */
	if (run->status == CT_STATUS_SUCCESS && z->ops->success && run->order >= 0)
		z->ops->success(m, z, r, run->order, run->migrate_end,
				run->trigger == CT_TRIGGER_DIRECT || run->trigger == CT_TRIGGER_KCOMPACTD);

	memset(&row, 0, sizeof(row));
	row.begin_ns = run->begin_ns;
	row.end_ns = run->end_ns;
	row.pid = run->pid;
	row.nid = z->nid;
	row.order = run->order;
	copy_str(row.comm, sizeof(row.comm), run->comm);
	copy_str(row.zone, sizeof(row.zone), z->name);
	row.trigger = run->trigger;
	row.status = (uint8_t)run->status;
	row.pageblocks_scanned = r->nvisited;
	/* emptied by this run: it moved pages out and nothing allocated is left */
	for (uint32_t i = 0; i < r->nvisited; i++)
		if (z->pb[r->visited[i]].migrated_out > r->visited_out[i] && z->ops->block_used(m, z, r->visited[i]) == 0)
			row.pageblocks_emptied++;
	row.polluted_scanned = r->polluted_scanned;
	zone_state(m, z, run->order, &largest, &row.fragindex_after);
	row.largest_before = r->largest_before;
	row.largest_after = (int8_t)largest;
	row.fragindex_before = r->fi_before;
	if (largest == -2 || run->order == ORDER_UNKNOWN || run->order < 0) {
		row.order_available = -1;
		z->runs_order_unknown++;
	} else {
		row.order_available = largest >= run->order;
		if (row.order_available)
			z->runs_order_available++;
		else
			z->runs_order_unavailable++;
	}
	push_run_row(m, &row);

	z->runs++;
	z->pageblocks_emptied += row.pageblocks_emptied;
	failed = run->status != CT_STATUS_SUCCESS;
	if (r->polluted_scanned) {
		z->runs_over_polluted++;
		z->runs_over_polluted_failed += failed;
		for (uint32_t i = 0; failed && i < r->nvisited; i++) {
			const struct mblock *pb = &z->pb[r->visited[i]];

			if ((pb->flags & PB_POLLUTED) && pb->culprit >= 0 && (uint32_t)pb->culprit < m->nculprits)
				m->culprits[pb->culprit].later_failed_runs++;
		}
	}
	z->last_migrate_end = (int64_t)run->migrate_end;
	z->last_free_end = (int64_t)run->free_end;
	z->last_met = run->scanners_met;
	run_delete(m, r);
}

/* ---- compaction decisions ------------------------------------------------- */

/*
 * compaction_suitable() as 6.10+ computes it: order-0 watermark plus
 * compact_gap() on NR_FREE_PAGES (else skipped), then for costly orders the
 * fragmentation index against vm.extfrag_threshold (not_suitable_zone when
 * 0 <= index <= threshold), else continue. Before 6.10 the same function
 * first said success when the allocation's own watermark check passed.
 * The watermark is min (direct compaction, kcompactd), high for kswapd's
 * compaction_ready(); lowmem_reserve of the highest zone is assumed.
 * The free-block counts it predicts from are left in @c.
 */
static int predict_suitable(struct ct_model *m, struct mzone *z, const struct ct_event *ev,
			    uint64_t *free_out, uint64_t *bound, uint64_t *c)
{
	const struct ct_memsnap_zone *s = z->snap_start;
	uint64_t free_pages, wm, reserve = 0;
	int order = ev->u.zo.order;

	if (!zone_known(z) || !s || !s->has_zoneinfo || order < 0 || order >= m->norders)
		return CT_PRED_NONE;
	zone_counts(m, z, c);
	free_pages = ct_free_pages(c, m->norders);
	*free_out = free_pages;
	wm = strncmp(ev->comm, "kswapd", 6) == 0 ? s->wmark_high : s->wmark_min;
	if (s->nprotection)
		reserve = s->protection[s->nprotection - 1];
	if (m->suitable_success_seen) {
		uint64_t need = wm + reserve + (1ULL << order) - 1;

		if (free_pages > need && ct_largest_free_order(c, m->norders) >= order)
			return CT_STATUS_SUCCESS;
	}
	*bound = wm + reserve + (2ULL << order);
	if (free_pages <= *bound)
		return CT_STATUS_SKIPPED;
	if (order > PAGE_ALLOC_COSTLY_ORDER) {
		int fi = ct_fragmentation_index(c, m->norders, order);

		if (fi >= 0 && fi <= m->threshold)
			return CT_STATUS_NOT_SUITABLE_ZONE;
	}
	return CT_STATUS_CONTINUE;
}

/*
 * A compaction_suitable() decision bounds the zone's free pages
 * (NR_FREE_PAGES, what buddyinfo sums): skipped when they are at or below
 * the watermark + lowmem reserve + compact_gap() (@bound, as
 * predict_suitable() takes it), continue or not_suitable_zone when above.
 * A model on the wrong side missed allocations (or frees) with no event:
 * it takes out (puts in) the difference. (Its fragmentation index, the
 * other half of the decision, says how fragmented the free memory is but
 * not which blocks the model has wrong: not used.) Before 6.10 the
 * decision could also be success, on other watermarks: not used then.
 */
static void free_bound(struct ct_model *m, struct mzone *z, int ret, uint64_t free_pages, uint64_t bound)
{
	if (!z->ops->adjust_free || m->suitable_success_seen)
		return;
	if (ret == CT_STATUS_SKIPPED && free_pages > bound)
		z->ops->adjust_free(m, z, -(int64_t)(free_pages - bound));
	else if ((ret == CT_STATUS_CONTINUE || ret == CT_STATUS_NOT_SUITABLE_ZONE) && free_pages <= bound)
		z->ops->adjust_free(m, z, (int64_t)(bound + 1 - free_pages));
}

static OUT_OF_LINE void on_suitable(struct ct_model *m, const struct ct_event *ev)
{
	const struct ct_ev_zone_order *zo = &ev->u.zo;
	struct mzone *z = zone_by_name(m, zo->nid, zo->zone);
	struct ct_model_decision d;
	int ret = zo->ret >= 0 && zo->ret < CT_STATUS_COUNT ? zo->ret : CT_STATUS_UNKNOWN;
	uint64_t c[MAX_ORDERS], bound = 0;

	if (ret == CT_STATUS_SUCCESS)
		m->suitable_success_seen = 1;
	memset(&d, 0, sizeof(d));
	d.ts_ns = ev->ts_ns;
	d.pid = ev->pid;
	d.nid = zo->nid;
	d.order = zo->order;
	copy_str(d.zone, sizeof(d.zone), zo->zone);
	d.ret = (int16_t)ret;
	d.predicted = CT_PRED_NONE;
	d.fragindex = d.unusable = INT32_MIN;
	if (z) {
		z->suitable_events++;
		d.predicted = (int16_t)predict_suitable(m, z, ev, &d.free_pages, &bound, c);
		if (d.predicted != CT_PRED_NONE) {
			z->suitable_predicted++;
			z->suitable_agreed += d.predicted == ret;
			z->suitable_by_pred[d.predicted][ret]++;
			d.fragindex = ct_fragmentation_index(c, m->norders, zo->order);
			d.unusable = ct_unusable_free_index(c, m->norders, zo->order);
			free_bound(m, z, ret, d.free_pages, bound);
		}
	}
	if (m->res.ndecisions >= m->decisions_cap_rows) {
		m->decisions_dropped++;
		return;
	}
	if (!m->res.decisions) {
		m->res.decisions = calloc(m->decisions_cap_rows, sizeof(*m->res.decisions));
		if (!m->res.decisions) {
			m->nomem = 1;
			return;
		}
	}
	m->res.decisions[m->res.ndecisions++] = d;
}

/* ---- fallbacks ------------------------------------------------------------ */

static int culprit_index(struct ct_model *m, const struct ct_fallback *x)
{
	for (uint32_t i = 0; i < m->nculprits; i++)
		if (strcmp(m->culprits[i].comm, x->comm) == 0)
			return (int)i;
	if (m->nculprits == CT_MODEL_CULPRITS)
		return -1;
	copy_str(m->culprits[m->nculprits].comm, CT_COMM_LEN, x->comm);
	m->culprits[m->nculprits].pid = x->pid;
	return (int)m->nculprits++;
}

/* whether a fallback fragments and first polluted its pageblock: the engine's verdicts */
static OUT_OF_LINE void on_extfrag(struct ct_model *m, const struct ct_fallback *x)
{
	struct mzone *z = zone_by_pfn(m, x->pfn);
	int fragmenting = x->fragmenting, ci;
	struct mblock *pb;
	uint64_t b;

	if ((unsigned)x->alloc_order >= MAX_ORDERS || (unsigned)x->fallback_order >= MAX_ORDERS)
		return;	/* no kernel has such orders: the engine counts a bad value */
	ci = culprit_index(m, x);
	if (ci >= 0) {
		m->culprits[ci].fallbacks++;
		m->culprits[ci].fragmenting += fragmenting;
		m->culprits[ci].pageblocks_polluted += x->first_in_pageblock;
	} else {
		m->culprits_dropped++;
	}
	if (!z) {
		m->pfns_outside++;
		return;
	}
	b = pb_of(m, z, x->pfn);
	pb = &z->pb[b];
	z->changes++;
	z->traced_pages += 1ULL << x->alloc_order;
	if (pb->steals < UINT16_MAX)
		pb->steals++;
	/* before the fallback the block was the fallback type's */
	if (!(pb->flags & PB_MT_KNOWN) || pb->mt != x->fallback_migratetype)
		set_owner(z, b, x->fallback_migratetype, 1);
	if (fragmenting && !(pb->flags & PB_POLLUTED)) {
		pb->flags |= PB_POLLUTED;
		pb->culprit = (int16_t)ci;
		pb->poll_alloc = (uint8_t)x->alloc_migratetype;
		pb->poll_fallback = (uint8_t)x->fallback_migratetype;
		z->pageblocks_polluted++;
		if ((unsigned)x->alloc_migratetype < CT_MIGRATETYPES &&
		    (unsigned)x->fallback_migratetype < CT_MIGRATETYPES)
			m->polluted_by_pair[x->alloc_migratetype][x->fallback_migratetype]++;
	}
	z->ops->extfrag(m, z, x->pfn, x->alloc_order, x->fallback_order);
	if (x->change_ownership) {
		if (pb->owner_changes < UINT16_MAX)
			pb->owner_changes++;
		/* a claim of order >= pageblock order converts every block it covers */
		for (uint64_t i = 0; i < (x->fallback_order > m->pbo ? 1ULL << (x->fallback_order - m->pbo) : 1) &&
				     b + i < z->npb; i++)
			set_owner(z, b + i, x->alloc_migratetype, 1);
	}
}

/*
 * The first kmem page event: the input has them (record --pages), so every
 * zone seeded from a free map is replayed exactly from here on. A zone no
 * event has changed yet is seeded again as opts.page_events seeds it; one
 * already changed keeps what it became. Both get the map's read window.
 */
static OUT_OF_LINE int pages_begin(struct ct_model *m)
{

	m->pages_seen = 1;
	if (m->changes_before_pages)
		ct_model_note(m, "%llu compaction events came before the first kmem page event: what they "
			      "did was estimated, and page events may conflict with it",
			      (unsigned long long)m->changes_before_pages);
	for (uint32_t i = 0; i < m->nzones; i++) {
		struct mzone *z = &m->zones[i];
		void *be = NULL;
		int ret;

		if (z->ops == &ct_zone_exact || z->seeding != CT_SEED_FREE_MAP)
			continue;
		if (m->changes_before_pages) {
			ret = ct_zone_exact.adopt(m, z, z->ops, &be);
			if (ret < 0)
				return ret;
			z->ops->release(z);
			z->be = be;
		} else {
			void *old = z->be;

			/* seeded afresh: what the events said of each pageblock stays */
			for (uint64_t b = 0; b < z->npb; b++)
				z->pb[b].flags &= PB_MT_KNOWN | PB_POLLUTED;
			z->be = NULL;
			ret = ct_zone_exact.init(m, z, m->opts.start);
			if (ret < 0) {	/* the old backend stays (the model is disabled) */
				ct_zone_exact.release(z);
				z->be = old;
				return ret;
			}
			be = z->be;
			z->be = old;
			z->ops->release(z);
			z->be = be;
		}
		z->ops = &ct_zone_exact;
	}
	return 0;
}

static void on_page(struct ct_model *m, const struct ct_event *ev)
{
	struct mzone *z;

	if (!m->pages_seen && m->opts.start && pages_begin(m) < 0) {
		m->nomem = 1;
		return;
	}
	if (ev->u.page.pfn == CT_PFN_NONE)
		return;
	z = zone_of_pfn(m, ev->u.page.pfn);
	if (!z) {
		m->pfns_outside++;
		return;
	}
	if (!z->ops->page_event) {
		if (!m->page_events_ignored++)
			ct_model_note(m, "kmem page events need a per-pfn free map at the start (record --pages) "
				      "to be replayed; without one they are not used");
		return;
	}
	z->ops->page_event(m, z, ev, run_find(m, ev->pid));
}

/* ---- public API ------------------------------------------------------------ */

/* the session's settled facts replace what the model would work out for itself */
static void take_facts(struct ct_model *m, const struct ct_host_facts *f)
{
	static const char *const source_names[] = {
		[CT_FACT_DEFAULT] = "default", [CT_FACT_TRACE] = "trace",
		[CT_FACT_SNAPSHOT] = "snapshot", [CT_FACT_USER] = "option",
	};

	if (f->pageblock_order > 0 && f->pageblock_order <= 15)
		m->pbo = f->pageblock_order;
	m->threshold = f->extfrag_threshold;
	m->threshold_source = source_names[f->extfrag_threshold_source];
	for (int i = 0; i < f->nmigratetypes && i < CT_MIGRATETYPES; i++)
		if (f->migratetype_names[i][0] >= 'A' && f->migratetype_names[i][0] <= 'Z')
			m->mt_letters[i] = f->migratetype_names[i][0];
}

struct ct_model *ct_model_new(const struct ct_model_opts *opts)
{
	struct ct_model *m = calloc(1, sizeof(*m));
	const struct ct_memsnap *s;

	if (!m)
		return NULL;
	if (opts)
		m->opts = *opts;
	s = m->opts.start;
	m->pbo = m->opts.pageblock_order > 0 ? m->opts.pageblock_order :
		 s && s->pageblock_order ? s->pageblock_order : DEFAULT_PBO;
	if (m->pbo > 15)
		m->pbo = DEFAULT_PBO;
	m->pb_pages = 1ULL << m->pbo;
	m->max_bytes = m->opts.max_bytes ? m->opts.max_bytes : CT_MODEL_DEFAULT_MAX_BYTES;
	m->norders = s && s->norders ? s->norders : DEFAULT_ORDERS;
	if (m->norders <= m->pbo)
		m->norders = m->pbo + 1;
	m->runs_cap_rows = m->opts.max_runs ? m->opts.max_runs : CT_MODEL_DEFAULT_RUNS;
	m->decisions_cap_rows = m->opts.max_decisions ? m->opts.max_decisions : CT_MODEL_DEFAULT_DECISIONS;
	if (m->opts.has_extfrag_threshold) {
		m->threshold = m->opts.extfrag_threshold;
		m->threshold_source = "option";
	}
	if (!m->threshold_source && s && s->extfrag_threshold >= 0) {
		m->threshold = s->extfrag_threshold;
		m->threshold_source = "snapshot";
	}
	if (!m->threshold_source) {
		m->threshold = CT_MODEL_DEFAULT_EXTFRAG_THRESHOLD;
		m->threshold_source = "default";
	}
	memcpy(m->mt_letters, default_letters, sizeof(default_letters));
	for (int i = 0; s && i < s->ntypes && i < CT_MIGRATETYPES; i++)
		if (s->type_names[i][0] >= 'A' && s->type_names[i][0] <= 'Z')
			m->mt_letters[i] = s->type_names[i][0];
	if (m->opts.facts)
		take_facts(m, m->opts.facts);
	m->pb_pages = 1ULL << m->pbo;
	if (m->norders <= m->pbo)
		m->norders = m->pbo + 1;
	m->dirty = 1;
	if (snapshots_usable(m) && seed_zones(m) < 0) {
		ct_model_free(m);
		return NULL;
	}
	if (m->opts.start && !m->opts.start->nzones)
		ct_model_note(m, "the start snapshot lists no zone");
	return m;
}

static void results_release(struct ct_model_results *res)
{
	for (uint32_t i = 0; i < res->nzones; i++) {
		free(res->zones[i].map);
		free(res->zones[i].pageblocks);
	}
	free(res->zones);
	res->zones = NULL;
	res->nzones = 0;
}

void ct_model_free(struct ct_model *m)
{
	if (!m)
		return;
	for (uint32_t i = 0; i < m->nzones; i++)
		zone_release(&m->zones[i]);
	free(m->zones);
	for (uint32_t i = 0; i < m->runs_cap; i++)
		if (m->runs[i].used)
			run_clear(&m->runs[i]);
	free(m->runs);
	results_release(&m->res);
	free(m->res.runs);
	free(m->res.decisions);
	free(m->res.culprits);
	free(m);
}

int ct_model_feed(struct ct_model *m, const struct ct_event *ev, const struct ct_run *run)
{
	if (m->nomem)
		return -CT_E_NOMEM;
	m->dirty = 1;
	/*
	 * What may change a zone's free state before the page events begin
	 * (pages_begin()): the runs and fallbacks; not the events the model
	 * only reads (a caller may pass every event it has).
	 */
	if (!m->pages_seen && (ev->type == CT_EV_BEGIN || ev->type == CT_EV_END || ev->type == CT_EV_ISOLATE_MIGRATE ||
			       ev->type == CT_EV_ISOLATE_FREE || ev->type == CT_EV_FAST_ISOLATE_FREE ||
			       ev->type == CT_EV_MIGRATEPAGES || ev->type == CT_EV_EXTFRAG))
		m->changes_before_pages++;
	switch (ev->type) {
	case CT_EV_BEGIN:
		on_begin(m, ev, run);
		break;
	case CT_EV_END:
		on_end(m, ev, run);
		break;
	case CT_EV_ISOLATE_MIGRATE:
	case CT_EV_ISOLATE_FREE:
	case CT_EV_FAST_ISOLATE_FREE:
		on_isolate(m, ev, run);
		break;
	case CT_EV_MIGRATEPAGES:
		on_migrate(m, ev, run);
		break;
	case CT_EV_SUITABLE:
		on_suitable(m, ev);
		break;
	case CT_EV_LOST:
		m->lost += ev->u.lost.count;
		m->lost_unknown += ev->u.lost.count == 0;
		break;
	default:
		if (ev->type >= CT_EV_PAGE_FIRST && ev->type <= CT_EV_PAGE_LAST)
			on_page(m, ev);
		break;
	}
	return m->nomem ? -CT_E_NOMEM : 0;
}

int ct_model_fallback(struct ct_model *m, const struct ct_fallback *fb)
{
	if (m->nomem)
		return -CT_E_NOMEM;
	m->dirty = 1;
	if (!m->pages_seen)
		m->changes_before_pages++;
	on_extfrag(m, fb);
	return m->nomem ? -CT_E_NOMEM : 0;
}

int ct_model_check(const struct ct_model *m)
{
	for (uint32_t i = 0; i < m->nzones; i++) {
		const struct mzone *z = &m->zones[i];
		int ret = z->ops->check(m, z);

		if (ret < 0)
			return ret;
	}
	return 0;
}

void ct_model_end_source(struct ct_model *m)
{
	uint32_t open = 0;

	for (uint32_t i = 0; i < m->runs_cap; i++) {
		if (!m->runs[i].used)
			continue;
		open++;
		run_clear(&m->runs[i]);
	}
	m->runs_used = 0;
	if (open)
		ct_model_note(m, "%u run%s had not ended when an input ended: the pages they held are counted "
			      "as neither free nor returned", open, open == 1 ? "" : "s");
	m->dirty = 1;
}

/* ---- results ---------------------------------------------------------------- */

static uint32_t block_pages(const struct ct_model *m, const struct mzone *z, uint64_t b)
{
	uint64_t first = (z->pb0 + b) << m->pbo, last = first + m->pb_pages;

	if (first < z->start)
		first = z->start;
	if (last > z->end)
		last = z->end;
	return (uint32_t)(last - first);
}

/* The map: owner letter (lower case when at least half free), '.' all free, '?' not modelled. */
static int build_map(const struct ct_model *m, const struct mzone *z, struct ct_model_zone *out)
{
	uint64_t ppc = (z->npb + CT_MODEL_MAP_CELLS - 1) / CT_MODEL_MAP_CELLS, cells;

	if (!ppc)
		ppc = 1;
	cells = (z->npb + ppc - 1) / ppc;
	out->map = malloc(cells + 1);
	if (!out->map)
		return -CT_E_NOMEM;
	out->map_cells = (uint32_t)cells;
	out->pageblocks_per_cell = (uint32_t)ppc;
	for (uint64_t c = 0; c < cells; c++) {
		uint64_t free_pages = 0, pages = 0, by_mt[CT_MIGRATETYPES] = { 0 }, known = 0, modelled = 0;
		int best = -1;
		char ch;

		for (uint64_t b = c * ppc; b < (c + 1) * ppc && b < z->npb; b++) {
			if (z->pb[b].flags & PB_HOLE)
				continue;
			pages += block_pages(m, z, b);
			if (!z->ops->block_modelled(z, b))
				continue;
			modelled++;
			free_pages += z->ops->block_free(m, z, b);
			if (z->pb[b].mt >= 0 && z->pb[b].mt < CT_MIGRATETYPES) {
				by_mt[(int)z->pb[b].mt]++;
				known++;
			}
		}
		for (int t = 0; t < CT_MIGRATETYPES; t++)
			if (by_mt[t] && (best < 0 || by_mt[t] > by_mt[best]))
				best = t;
		if (!pages)
			ch = ' ';
		else if (!modelled)
			ch = '?';
		else if (free_pages >= pages)
			ch = '.';
		else {
			ch = best >= 0 ? m->mt_letters[best] : 'X';
			if (free_pages * 2 >= pages)
				ch = (char)(ch - 'A' + 'a');
		}
		out->map[c] = ch;
	}
	out->map[cells] = '\0';
	out->map_migrate_cell = out->map_free_cell = -1;
	if (z->last_migrate_end >= 0 && (uint64_t)z->last_migrate_end >= z->start) {
		uint64_t cell = pb_of(m, z, (uint64_t)z->last_migrate_end < z->end ?
					     (uint64_t)z->last_migrate_end : z->end - 1) / ppc;

		out->map_migrate_cell = (int64_t)cell;
	}
	if (z->last_free_end >= 0 && (uint64_t)z->last_free_end >= z->start) {
		uint64_t cell = pb_of(m, z, (uint64_t)z->last_free_end < z->end ?
					     (uint64_t)z->last_free_end : z->end - 1) / ppc;

		out->map_free_cell = (int64_t)cell;
	}
	out->map_scanners_met = z->last_met;
	return 0;
}

static int build_pageblocks(const struct ct_model *m, const struct mzone *z, struct ct_model_zone *out)
{
	out->pageblocks = calloc(z->npb, sizeof(*out->pageblocks));
	if (!out->pageblocks)
		return -CT_E_NOMEM;
	for (uint64_t b = 0; b < z->npb; b++) {
		const struct mblock *pb = &z->pb[b];
		struct ct_model_pageblock *o = &out->pageblocks[b];

		o->start_pfn = (z->pb0 + b) << m->pbo;
		o->mt = pb->mt;
		o->mt_known = !!(pb->flags & PB_MT_KNOWN);
		o->modelled = (uint8_t)z->ops->block_modelled(z, b);
		o->polluted = !!(pb->flags & PB_POLLUTED);
		if (o->modelled) {
			o->free_pages = z->ops->block_free(m, z, b);
			o->held_pages = z->ops->block_held(m, z, b);
		}
		o->isolated = pb->isolated;
		o->migrated_out = pb->migrated_out;
		o->migrated_in = pb->migrated_in;
		o->free_taken = pb->free_taken;
		o->visits_migrate = pb->visits_migrate;
		o->visits_free = pb->visits_free;
		o->steals = pb->steals;
		o->owner_changes = pb->owner_changes;
		o->culprit = pb->culprit;
	}
	return 0;
}

static void fill_indices(int norders, const uint64_t *c, int32_t *fi, int32_t *ui)
{
	for (int o = 0; o < norders; o++) {
		fi[o] = ct_fragmentation_index(c, norders, o);
		ui[o] = ct_unusable_free_index(c, norders, o);
	}
}

static int zone_result(struct ct_model *m, struct mzone *z, struct ct_model_zone *out)
{
	const struct ct_memsnap_zone *e = z->snap_end, *s = z->snap_start;
	uint64_t c[MAX_ORDERS];

	memset(out, 0, sizeof(*out));
	/* the untraced per-CPU list drains of the last seconds, before comparing */
	if (z->ops->settle && !z->settled) {
		z->settled_pages = z->ops->settle(m, z, e);
		z->settled = 1;
	}
	out->nid = z->nid;
	copy_str(out->zone, sizeof(out->zone), z->name);
	out->start_pfn = z->start;
	out->end_pfn = z->end;
	out->npageblocks = z->npb;
	out->seeding = z->seeding;
	out->mode = z->ops->mode;
	out->norders = m->norders;
	zone_counts(m, z, c);
	if (zone_known(z)) {
		out->has_start = 1;
		memcpy(out->start_blocks, z->seed, sizeof(out->start_blocks));
		memcpy(out->model_end_blocks, c, sizeof(uint64_t) * (size_t)m->norders);
		fill_indices(m->norders, z->seed, out->fragindex_start, out->unusable_start);
		out->index_start_valid = 1;
		out->free_pages_start = s && s->has_zoneinfo ? s->free_pages : ct_free_pages(z->seed, m->norders);
	}
	fill_indices(m->norders, c, out->fragindex_model_end, out->unusable_model_end);
	out->free_pages_model_end = ct_free_pages(c, m->norders);
	{
		int64_t now[MAX_ORDERS];

		/* trace-only zones start from nothing: their counts are the replay's changes */
		z->ops->counts(m, z, now);
		for (int o = 0; o < m->norders; o++)
			out->delta_blocks[o] = now[o] - (z->seeded ? (int64_t)z->seed[o] : 0);
	}
	if (e && e->has_buddy) {
		out->has_actual_end = 1;
		memcpy(out->actual_end_blocks, e->free_blocks, sizeof(out->actual_end_blocks));
		fill_indices(m->norders, e->free_blocks, out->fragindex_actual_end, out->unusable_actual_end);
		out->index_actual_end_valid = 1;
		out->free_pages_actual_end = e->has_zoneinfo ? e->free_pages : ct_free_pages(e->free_blocks, m->norders);
	}
	zone_score(m, z, out);
	if (out->has_start && out->has_actual_end) {
		if (m->lost || m->lost_unknown)
			snprintf(out->accuracy_note, sizeof(out->accuracy_note),
				 "%llu events were lost%s: the model missed what they did",
				 (unsigned long long)m->lost,
				 m->lost_unknown ? " (and an unknown number more)" : "");
		else if (z->span_conflict)
			snprintf(out->accuracy_note, sizeof(out->accuracy_note),
				 "the zone's span in the trace differs from the snapshot's");
	} else if (!out->has_start) {
		snprintf(out->accuracy_note, sizeof(out->accuracy_note),
			 "no start snapshot for this zone: changes only");
	} else {
		snprintf(out->accuracy_note, sizeof(out->accuracy_note), "no end snapshot to compare with");
	}
	if (s && s->has_zoneinfo && s->pcp_cpus) {
		out->has_pcp = 1;
		out->pcp_start = s->pcp_count;
		out->pcp_model_end = z->ops->pcp_pages(z);
		out->pcp_actual_end = e && e->has_zoneinfo ? e->pcp_count : 0;
	}
	out->suitable_events = z->suitable_events;
	out->suitable_predicted = z->suitable_predicted;
	out->suitable_agreed = z->suitable_agreed;
	memcpy(out->suitable_by_pred, z->suitable_by_pred, sizeof(out->suitable_by_pred));
	out->runs = z->runs;
	out->pageblocks_emptied = z->pageblocks_emptied;
	out->runs_order_available = z->runs_order_available;
	out->runs_order_unavailable = z->runs_order_unavailable;
	out->runs_order_unknown = z->runs_order_unknown;
	out->pageblocks_polluted = z->pageblocks_polluted;
	out->runs_over_polluted = z->runs_over_polluted;
	out->runs_over_polluted_failed = z->runs_over_polluted_failed;
	out->pages_guessed = z->pages_guessed;
	out->layout_corrections = z->layout_corrections;
	out->page_event_conflicts = z->page_event_conflicts;
	out->map_window_overlaps = z->window_conflicts;
	if (build_map(m, z, out) < 0)
		return -CT_E_NOMEM;
	if (m->opts.keep_pageblocks && build_pageblocks(m, z, out) < 0)
		return -CT_E_NOMEM;
	return 0;
}

static int cmp_zone(const void *a, const void *b)
{
	const struct ct_model_zone *x = a, *y = b;

	if (x->nid != y->nid)
		return x->nid < y->nid ? -1 : 1;
	return (x->start_pfn > y->start_pfn) - (x->start_pfn < y->start_pfn);
}

static int cmp_culprit(const void *a, const void *b)
{
	const struct ct_model_culprit *x = a, *y = b;

	if (x->pageblocks_polluted != y->pageblocks_polluted)
		return x->pageblocks_polluted > y->pageblocks_polluted ? -1 : 1;
	if (x->fallbacks != y->fallbacks)
		return x->fallbacks > y->fallbacks ? -1 : 1;
	return strcmp(x->comm, y->comm);
}

const struct ct_model_results *ct_model_results(struct ct_model *m)
{
	struct ct_model_results *res = &m->res;
	int all_exact = m->nzones > 0;

	if (!m->dirty)
		return res;
	results_release(res);
	free(res->culprits);
	res->culprits = NULL;
	if (m->nzones) {
		res->zones = calloc(m->nzones, sizeof(*res->zones));
		if (!res->zones)
			return NULL;
	}
	for (uint32_t i = 0; i < m->nzones; i++) {
		/* a zone only ever learned from a run that never ended has no name yet */
		if (zone_result(m, &m->zones[i], &res->zones[i]) < 0) {
			res->nzones = i + 1;
			return NULL;
		}
		res->nzones = i + 1;
		all_exact &= m->zones[i].ops->mode == CT_MODEL_EXACT;
	}
	if (res->nzones)
		qsort(res->zones, res->nzones, sizeof(*res->zones), cmp_zone);
	res->mode = all_exact ? CT_MODEL_EXACT : CT_MODEL_ESTIMATED;
	memcpy(res->mt_letters, m->mt_letters, sizeof(res->mt_letters));
	res->pageblock_order = m->pbo;
	res->extfrag_threshold = m->threshold;
	res->extfrag_threshold_source = m->threshold_source;
	if (m->nculprits) {
		int16_t remap[CT_MODEL_CULPRITS];

		res->culprits = malloc(m->nculprits * sizeof(*res->culprits));
		if (!res->culprits)
			return NULL;
		memcpy(res->culprits, m->culprits, m->nculprits * sizeof(*res->culprits));
		qsort(res->culprits, m->nculprits, sizeof(*res->culprits), cmp_culprit);
		/* pageblocks name culprits by their place in the unsorted table: renumber */
		for (uint32_t i = 0; i < m->nculprits; i++)
			for (uint32_t j = 0; j < m->nculprits; j++)
				if (strcmp(m->culprits[i].comm, res->culprits[j].comm) == 0)
					remap[i] = (int16_t)j;
		for (uint32_t i = 0; i < res->nzones; i++)
			for (uint64_t b = 0; res->zones[i].pageblocks && b < res->zones[i].npageblocks; b++)
				if (res->zones[i].pageblocks[b].culprit >= 0)
					res->zones[i].pageblocks[b].culprit = remap[res->zones[i].pageblocks[b].culprit];
	}
	res->nculprits = m->nculprits;
	res->culprits_dropped = m->culprits_dropped;
	memcpy(res->polluted_by_pair, m->polluted_by_pair, sizeof(res->polluted_by_pair));
	res->runs_dropped = m->runs_dropped;
	res->decisions_dropped = m->decisions_dropped;
	res->pfns_outside_zones = m->pfns_outside;
	res->events_outside_runs = m->events_outside_runs;
	res->runs_unplaced = m->runs_unplaced;
	res->page_events_ignored = m->page_events_ignored;
	res->lost_events = m->lost;
	memcpy(res->notes, m->notes, sizeof(res->notes));
	res->nnotes = m->nnotes;
	m->dirty = 0;
	return res;
}

/* ---- a cheap look at the free counts, for sinks that draw them over time ---- */

uint32_t ct_model_zone_count(const struct ct_model *m)
{
	return m ? m->nzones : 0;
}

int ct_model_zone_now(struct ct_model *m, uint32_t i, struct ct_model_zone_now *out)
{
	struct mzone *z;

	if (!m || i >= m->nzones)
		return -CT_E_INVAL;
	z = &m->zones[i];
	memset(out, 0, sizeof(*out));
	out->nid = z->nid;
	copy_str(out->zone, sizeof(out->zone), z->named ? z->name : "?");
	out->start_pfn = z->start;
	out->end_pfn = z->end;
	if (m->nomem || !zone_known(z))
		return 0;	/* a trace-seeded zone holds changes, not counts */
	zone_counts(m, z, out->free_blocks);
	out->norders = m->norders;
	return m->norders;
}
