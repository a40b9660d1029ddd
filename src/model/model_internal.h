/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef CT_MODEL_INTERNAL_H
#define CT_MODEL_INTERNAL_H

/*
 * Shared by the model's files. model.c keeps the zones, their seeding, the
 * runs, the decisions, the fallbacks and the results; each zone's free
 * state is a backend behind struct zone_ops, chosen once per zone:
 * model_est.c (estimated: per-pageblock bitmaps and a pool) or
 * model_exact.c (the per-pfn replay of kmem page events). model.c calls
 * the backends only through their ops; the backends call nothing in
 * model.c: they share only the helpers below (model_common.c).
 */
#include <stdint.h>

#include "model/buddy.h"
#include "compactrace/error.h"
#include "compactrace/model.h"

#define MAX_ORDERS CT_MODEL_ORDERS
#define MT_UNKNOWN (-1)
#define PAGE_ALLOC_COSTLY_ORDER 3

/* struct mblock.flags */
#define PB_MT_KNOWN 0x01
#define PB_POLLUTED 0x02
#define PB_MATERIALIZED 0x04	/* estimated mode: its bitmaps hold the guess */
#define PB_WHOLE 0x08		/* estimated mode: entirely free in buddy */
#define PB_GUESSED 0x10		/* estimated mode: its free pages were placed by guess, not seeded */
#define PB_HOLE 0x20		/* the free map shows no memory in it */
#define PB_DIRTY 0x40		/* estimated mode: its free bitmap changed since its counts were taken */

/* Per pageblock: what every mode keeps. */
struct mblock {
	uint32_t migrated_out, migrated_in, free_taken, isolated;
	uint16_t visits_migrate, visits_free, steals, owner_changes;
	uint32_t last_migrate_run, last_free_run;	/* run serials: count a visit once per run */
	int16_t culprit;
	int8_t mt;
	uint8_t flags;
	uint8_t poll_alloc, poll_fallback;
};

/*
 * Pages on a modelled per-CPU list, or held by a run: with @mask 0 one free
 * block of @order at @pfn; else single pages at @pfn (a multiple of 64) +
 * each set bit of @mask, so that a migration step's pages move as a word.
 */
struct pcp_entry {
	uint64_t pfn;
	uint64_t mask;
	uint8_t order;
};

/* without -mpopcnt __builtin_popcountll is a libgcc call (__popcountdi2): this is quicker */
static inline uint32_t ct_popcount64(uint64_t x)
{
	x -= (x >> 1) & 0x5555555555555555ULL;
	x = (x & 0x3333333333333333ULL) + ((x >> 2) & 0x3333333333333333ULL);
	x = (x + (x >> 4)) & 0x0f0f0f0f0f0f0f0fULL;
	return (uint32_t)((x * 0x0101010101010101ULL) >> 56);
}

static inline uint64_t entry_pages(const struct pcp_entry *e)
{
	return e->mask ? ct_popcount64(e->mask) : 1ULL << e->order;
}

struct zone_ops;

struct mzone {
	int32_t nid;
	char name[CT_ZONE_LEN];
	uint8_t named;
	uint64_t start, end;		/* pfns modelled */
	uint64_t pb0, npb;		/* first pageblock number, pageblocks */
	struct mblock *pb;
	const struct ct_memsnap_zone *snap_start, *snap_end;
	int zone_index;			/* position among its node's zones (for lowmem_reserve) */
	enum ct_model_seeding seeding;
	uint8_t seeded;			/* start counts known */
	uint64_t seed[MAX_ORDERS];

	/* the free state: a backend, chosen once per zone (switched once, to exact, by page events) */
	const struct zone_ops *ops;
	void *be;			/* the backend's own state */

	/* results being gathered */
	uint64_t runs, pageblocks_emptied;
	uint64_t runs_order_available, runs_order_unavailable, runs_order_unknown;
	uint64_t suitable_events, suitable_predicted, suitable_agreed;
	uint64_t suitable_by_pred[CT_STATUS_COUNT][CT_STATUS_COUNT];
	uint64_t pageblocks_polluted, runs_over_polluted, runs_over_polluted_failed;
	uint64_t pages_guessed, layout_corrections, page_event_conflicts, pool_overdrawn;
	uint64_t window_conflicts;	/* exact: contradictions while the free map was read (expected) */
	int64_t last_migrate_end, last_free_end;	/* -1 unknown */
	uint8_t last_met;
	uint8_t span_conflict;
	uint8_t settled;		/* per-CPU lists drained to the end snapshot's sizes */
	uint64_t settled_pages;
	uint64_t trace_start, trace_end;
	uint64_t changes;		/* events that changed its free state */
	uint64_t traced_pages;		/* pages those events moved: 2 per page migrated, a fallback's block */
};

/* A compaction run in flight, by pid. */
struct mrun {
	int32_t pid;
	uint8_t used;
	uint32_t serial;
	struct mzone *z;
	int cpu;
	int32_t order;
	uint8_t sync;			/* a sync run: its migrate scanner takes every movable page it passes */
	uint64_t last_iso_end;		/* cc->migrate_pfn after the last isolation */
	uint64_t last_migrated;		/* pageblock of the last isolation that took pages (0: none) */
	struct pcp_entry *iso;		/* pages the migrate scanner isolated, not yet migrated */
	uint32_t niso, iso_cap;
	struct pcp_entry *fl;		/* free pages the free scanner isolated, not yet used */
	uint32_t nfl, fl_cap;
	uint64_t *visited;		/* pageblocks the migrate scanner visited */
	uint32_t *visited_out;		/* their migrated_out when first visited */
	uint32_t nvisited, visited_cap;
	uint32_t polluted_scanned;
	int8_t largest_before;
	int32_t fi_before;
};

struct ct_model {
	struct ct_model_opts opts;
	int pbo, norders;
	uint64_t pb_pages;
	uint64_t bytes, max_bytes;	/* what the zones may take (zone_fits()) */
	uint64_t over_limit;		/* zones refused for it */
	int threshold;
	const char *threshold_source;
	char mt_letters[CT_MIGRATETYPES];
	struct mzone *zones;
	uint32_t nzones, zones_cap;
	uint32_t zone_hint;		/* the zone the last pfn lookup found */
	uint8_t zones_overlap;		/* two spans overlap: lookups take the first, no hint */
	struct mrun *runs;		/* open addressing by pid */
	uint32_t runs_cap, runs_used;
	uint32_t run_serial;
	int suitable_success_seen;	/* an older kernel: suitable can report success */
	int pages_seen;			/* a kmem page event came: free-map zones are exact */
	uint64_t changes_before_pages;	/* events that may have changed a zone before that */
	int nomem;
	int dirty;			/* events since the results were computed */
	struct ct_model_results res;
	uint64_t runs_dropped, decisions_dropped, culprits_dropped;
	uint32_t runs_cap_rows, decisions_cap_rows;
	/* culprits gathered by comm */
	struct ct_model_culprit culprits[CT_MODEL_CULPRITS];
	uint32_t nculprits;
	uint64_t polluted_by_pair[CT_MIGRATETYPES][CT_MIGRATETYPES];
	uint64_t pfns_outside, events_outside_runs, runs_unplaced, page_events_ignored, lost;
	uint64_t lost_unknown;	/* places that lost an unknown number of events */
	char notes[CT_MODEL_NOTES][CT_MODEL_NOTE_LEN];
	uint32_t nnotes;
};

/*
 * A zone's free state. Every backend implements every operation marked
 * "all"; the others may be NULL (the zone then has no such thing). The
 * backend keeps its state in z->be; it may read and write the zone's
 * shared per-pageblock rows (z->pb) and its result counters.
 */
struct zone_ops {
	enum ct_model_mode mode;
	/*
	 * all: set up z->be from the start snapshot @snap (NULL: a zone the
	 * trace alone knows), seeding what it can; may set z->seeding. On
	 * failure nothing is left to release. Returns 0, -CT_E_NOMEM, or
	 * -CT_E_INVAL when @snap cannot seed this backend.
	 */
	int (*init)(struct ct_model *m, struct mzone *z, const struct ct_memsnap *snap);
	/*
	 * Take over a zone from the backend @from, whose state z->be still
	 * is: leaves the new state in *@be (the caller releases the old).
	 */
	int (*adopt)(struct ct_model *m, struct mzone *z, const struct zone_ops *from, void **be);
	/* all: free z->be (NULL after); accepts a zone without state */
	void (*release)(struct mzone *z);
	/* all: free blocks per order now (an estimate may count below zero) */
	void (*counts)(struct ct_model *m, struct mzone *z, int64_t *out);
	/* all: the states of pageblock @b's pages, @out[i] for pfn (pb0 + b) << pbo + i */
	void (*block_states)(const struct ct_model *m, const struct mzone *z, uint64_t b, uint8_t *out);

	/* all: the migrate scanner took @taken of @scanned pages in [start, end) for run @r */
	void (*migrate_isolate)(struct ct_model *m, struct mzone *z, struct mrun *r, uint64_t start,
				uint64_t end, uint64_t scanned, uint64_t taken);
	/* all: @migrated of the run's isolated pages moved; the rest go back */
	void (*migrated)(struct ct_model *m, struct mzone *z, struct mrun *r, uint64_t migrated);
	/* all: the free scanner (@fast: fast_isolate_freepages) took @taken free pages */
	void (*free_isolate)(struct ct_model *m, struct mzone *z, struct mrun *r, uint64_t start,
			     uint64_t end, uint64_t scanned, uint64_t taken, int fast);
	/* all: the run ended: what it holds is released or used */
	void (*run_end)(struct ct_model *m, struct mzone *z, struct mrun *r);
	/* all: a run the trace did not begin: nothing it isolated comes back */
	void (*run_drop)(struct ct_model *m, struct mzone *z, struct mrun *r);
	/* compact_zone() drained @cpu's per-CPU lists */
	void (*drain_cpu)(struct ct_model *m, struct mzone *z, int cpu);
	/*
	 * The zone's free pages were off by @pages (more when positive): events
	 * without pages (compaction decisions) said so. NULL: page events keep
	 * them right.
	 */
	void (*adjust_free)(struct ct_model *m, struct mzone *z, int64_t pages);
	/* drain_all_pages(): every CPU's lists of the zone drained */
	void (*drain_all)(struct ct_model *m, struct mzone *z);
	/* before comparing: the lists drained to the end snapshot's sizes; returns the pages */
	uint64_t (*settle)(struct ct_model *m, struct mzone *z, const struct ct_memsnap_zone *end);
	/*
	 * The run ended in success at @order, its migrate scanner at @migrate_end:
	 * a free block of @order or more exists; @alloc: the allocation the run
	 * was for (a direct stall's, or one kcompactd was woken for) takes one.
	 * NULL: the page events show it.
	 */
	void (*success)(struct ct_model *m, struct mzone *z, struct mrun *r, int order, uint64_t migrate_end,
			int alloc);
	/* all: a fallback allocation of 2^@alloc_order pages at @pfn from a block of @fallback_order */
	void (*extfrag)(struct ct_model *m, struct mzone *z, uint64_t pfn, int alloc_order, int fallback_order);
	/* a kmem page event; NULL: the backend cannot replay them */
	void (*page_event)(struct ct_model *m, struct mzone *z, const struct ct_event *ev, struct mrun *r);
	/* pageblock @b's owner became @mt (model.c has set z->pb[b]) */
	void (*set_owner)(struct mzone *z, uint64_t b, int mt);

	/* all: per pageblock, free pages, pages held (isolated or per-CPU), allocated pages */
	uint32_t (*block_free)(const struct ct_model *m, const struct mzone *z, uint64_t b);
	uint32_t (*block_held)(const struct ct_model *m, const struct mzone *z, uint64_t b);
	uint32_t (*block_used)(const struct ct_model *m, const struct mzone *z, uint64_t b);
	/* all: 1 when pageblock @b is modelled page by page */
	int (*block_modelled)(const struct mzone *z, uint64_t b);
	/* all: pages on the modelled per-CPU lists */
	uint64_t (*pcp_pages)(const struct mzone *z);
	/* all: the invariants hold (ct_model_check()); 0 or -CT_E_INVAL */
	int (*check)(const struct ct_model *m, const struct mzone *z);
};

extern const struct zone_ops ct_zone_estimated;	/* model_est.c */
extern const struct zone_ops ct_zone_exact;	/* model_exact.c */

/* model_score.c: accuracy, baseline, skill and the verdict of a zone's result (counts filled in) */
void zone_score(const struct ct_model *m, const struct mzone *z, struct ct_model_zone *out);

/* model_common.c: helpers model.c and the backends share */
int run_grow(struct ct_model *m, struct pcp_entry **arr, uint32_t *cap);

/* Append @e to @arr (inline: a struct passed by value to a call stalls on its stores) */
static inline int run_add_mask(struct ct_model *m, struct pcp_entry **arr, uint32_t *n, uint32_t *cap,
			       struct pcp_entry e)
{
	if (*n == *cap && run_grow(m, arr, cap) < 0)
		return -CT_E_NOMEM;
	(*arr)[(*n)++] = e;
	return 0;
}

static inline int run_add_free(struct ct_model *m, struct mrun *r, uint64_t pfn, int order)
{
	return run_add_mask(m, &r->fl, &r->nfl, &r->fl_cap, (struct pcp_entry){ pfn, 0, (uint8_t)order });
}

void ct_model_note(struct ct_model *m, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static inline uint64_t pb_of(const struct ct_model *m, const struct mzone *z, uint64_t pfn)
{
	return (pfn >> m->pbo) - z->pb0;
}

/* Does @s's free map cover part of zone @z? */
static inline int has_free_map(const struct ct_memsnap *s, const struct mzone *z)
{
	return s && s->free_map.classes && s->free_map.start_pfn < z->end &&
	       s->free_map.start_pfn + s->free_map.npfns > z->start;
}

#endif
