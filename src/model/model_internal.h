/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef CT_MODEL_INTERNAL_H
#define CT_MODEL_INTERNAL_H

/*
 * Shared by the model's files: model.c (zones, seeding, runs, results),
 * model_est.c (the estimated free-state: per-pageblock bitmaps and a pool)
 * and model_exact.c (the per-pfn replay of kmem page events).
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

/* One CPU's per-CPU list of one zone: oldest first, as free_pcppages_bulk() drains it. */
struct pcp_list {
	struct pcp_entry *q;
	uint32_t head, len, cap;	/* a ring; cap is a power of two */
	uint64_t unknown;	/* pages listed at the start whose pfns nobody knows: the oldest */
	uint64_t pages;		/* unknown + Σ 2^order of the entries */
	uint32_t high, batch;	/* past high, a batch of the oldest goes back to the buddy lists */
};

struct mzone {
	int32_t nid;
	char name[CT_ZONE_LEN];
	uint8_t named;
	uint64_t start, end;		/* pfns modelled */
	uint64_t pb0, npb;		/* first pageblock number, pageblocks */
	uint32_t wpb;			/* 64-bit words per pageblock bitmap */
	struct mblock *pb;
	const struct ct_memsnap_zone *snap_start, *snap_end;
	int zone_index;			/* position among its node's zones (for lowmem_reserve) */
	enum ct_model_seeding seeding;
	enum ct_model_mode mode;
	uint8_t seeded;			/* start counts known */
	uint64_t seed[MAX_ORDERS];

	/* estimated mode */
	uint64_t *freeb, *heldb;	/* npb * wpb words each */
	int64_t pool[MAX_ORDERS];	/* free blocks no materialized pageblock holds */
	uint64_t pool_small;		/* Σ 2^o·max(pool[o], 0), o < pbo (pool_add() keeps it) */
	int64_t pool_hi1;		/* >= pool[o] for 0 < o < pbo: pool_pieces()' shortcut */
	int64_t small[MAX_ORDERS];	/* blocks of orders < pbo the pageblock bitmaps hold */
	int64_t full[MAX_ORDERS + 1];	/* aligned groups of whole pageblocks, per order >= pbo */
	uint16_t *cache;		/* npb * pbo: each pageblock's share of small[] when last counted */
	uint64_t *dirty;		/* pageblocks changed since: counted again before small[] is read */
	uint64_t ndirty, dirty_cap;
	uint64_t materialized;
	struct pcp_list *pcp;
	uint32_t ncpu;

	/* exact mode */
	struct ct_buddy *buddy;

	/* results being gathered */
	uint64_t runs, pageblocks_emptied;
	uint64_t runs_order_available, runs_order_unavailable, runs_order_unknown;
	uint64_t suitable_events, suitable_predicted, suitable_agreed;
	uint64_t suitable_by_pred[CT_STATUS_COUNT][CT_STATUS_COUNT];
	uint64_t pageblocks_polluted, runs_over_polluted, runs_over_polluted_failed;
	uint64_t pages_guessed, layout_corrections, page_event_conflicts, pool_overdrawn;
	uint64_t window_lo, window_hi;	/* trace-clock window the free map was read in; 0, 0: unknown */
	uint64_t window_conflicts;	/* contradictions inside it: the map and the events overlap */
	int64_t last_migrate_end, last_free_end;	/* -1 unknown */
	uint8_t last_met;
	uint8_t span_conflict;
	uint8_t settled;		/* per-CPU lists drained to the end snapshot's sizes */
	uint64_t settled_pages;
	uint64_t trace_start, trace_end;
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
	/*
	 * The free blocks 8 pages of a free bitmap make, by their bits: orders
	 * 0-2 in bytes 0-2 (none when all 8 are free: that is a larger block);
	 * and by the mask of a word's entirely free bytes, the blocks of
	 * orders 3-5 and the word's own (order 6) in bytes 0-3. est_tables().
	 */
	uint32_t canon_byte[256], canon_full[256];
	uint8_t select8[256][8];	/* [v][j]: the place of the (j+1)-th set bit of byte v */
};

/* model.c */
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
struct mzone *ct_model_zone_by_pfn(struct ct_model *m, uint64_t pfn);
static inline uint64_t pb_of(const struct ct_model *m, const struct mzone *z, uint64_t pfn)
{
	return (pfn >> m->pbo) - z->pb0;
}

/* model_est.c: the estimated free state of one zone */
void est_tables(struct ct_model *m);
int est_init(struct ct_model *m, struct mzone *z);
void est_release(struct mzone *z);
void est_counts(struct ct_model *m, struct mzone *z, int64_t *out);
int est_seed_kpageflags(struct ct_model *m, struct mzone *z, const struct ct_memsnap *snap);
int est_seed_free_map(struct ct_model *m, struct mzone *z, const struct ct_memsnap *snap);
int est_to_exact(struct ct_model *m, struct mzone *z);
int est_check(const struct ct_model *m, const struct mzone *z);
uint32_t est_migrate_isolate(struct ct_model *m, struct mzone *z, struct mrun *r, uint64_t start,
			     uint64_t end, uint64_t scanned, uint64_t taken);
void est_migrated(struct ct_model *m, struct mzone *z, struct mrun *r, uint64_t migrated);
uint64_t est_free_isolate(struct ct_model *m, struct mzone *z, struct mrun *r, uint64_t start,
			  uint64_t end, uint64_t taken);
void est_run_end(struct ct_model *m, struct mzone *z, struct mrun *r);
void est_consume_free(struct ct_model *m, struct mzone *z, struct mrun *r);
void est_pcp_drain_cpu(struct ct_model *m, struct mzone *z, int cpu);
uint64_t est_pcp_settle(struct ct_model *m, struct mzone *z, const struct ct_memsnap_zone *end);
void est_extfrag(struct ct_model *m, struct mzone *z, uint64_t pfn, int alloc_order, int fallback_order);
uint32_t est_block_used(const struct ct_model *m, const struct mzone *z, uint64_t b);
uint32_t est_block_free(const struct ct_model *m, const struct mzone *z, uint64_t b);
uint32_t est_block_held(const struct ct_model *m, const struct mzone *z, uint64_t b);
uint64_t est_pcp_pages(const struct mzone *z);

/* model_exact.c: kmem page events replayed per pfn */
int exact_init(struct ct_model *m, struct mzone *z, const struct ct_memsnap *snap);
void exact_page_event(struct ct_model *m, struct mzone *z, const struct ct_event *ev, struct mrun *r);
uint64_t exact_free_isolate(struct ct_model *m, struct mzone *z, struct mrun *r, uint64_t start,
			    uint64_t end, uint64_t scanned, uint64_t taken, int fast);
void exact_run_end(struct ct_model *m, struct mzone *z, struct mrun *r);
void exact_migrate_isolate(struct ct_model *m, struct mrun *r, uint64_t start, uint64_t taken);
void exact_migrated(struct ct_model *m, struct mzone *z, struct mrun *r, uint64_t migrated);
void exact_extfrag(struct ct_model *m, struct mzone *z, uint64_t pfn, int alloc_order);
uint32_t exact_block_used(const struct ct_model *m, const struct mzone *z, uint64_t b);
uint32_t exact_block_held(const struct ct_model *m, const struct mzone *z, uint64_t b);
uint64_t exact_pcp_pages(const struct mzone *z);

/* the owner of pageblock @b changed (extfrag claim, exact-mode events) */
void model_set_owner(struct ct_model *m, struct mzone *z, uint64_t b, int mt, int known);

#endif
