/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef COMPACTRACE_MODEL_H
#define COMPACTRACE_MODEL_H

#include <stdint.h>

#include "compactrace/engine.h"
#include "compactrace/event.h"
#include "compactrace/facts.h"
#include "compactrace/memsnap.h"
#include "compactrace/sink.h"

/*
 * The shadow buddy model: every compaction run replayed against a model of
 * each zone's free memory. Plain C, no I/O, deterministic. The engine owns
 * one when struct ct_engine_opts.model is set and feeds it every event with
 * the run it belongs to; reports read ct_model_results().
 *
 * Two modes. Estimated (compaction events, optionally kmem extfrag): per
 * pageblock a free bitmap and a "held" bitmap (pages isolated by a run or on
 * a per-CPU list), materialized when an event first touches the pageblock;
 * what no event has touched stays a zone-level pool of free blocks per
 * order. Free-block counts are the canonical buddy decomposition of the
 * bitmaps, so merges and splits follow the kernel's rules; where the
 * events do not say which pages moved, the model chooses as the kernel's
 * scanners would (ascending pfn) and says so. Exact (`record --pages`: kmem
 * page alloc/free/drain events and a per-pfn free map at the start): a
 * per-pfn buddy allocator (compactrace/buddy.h) replays every page.
 */

#define CT_MODEL_ORDERS CT_MEMSNAP_ORDERS
#define CT_MODEL_NOTES 16
#define CT_MODEL_NOTE_LEN 240
#define CT_MODEL_CULPRITS 64
#define CT_MODEL_DEFAULT_RUNS 256
#define CT_MODEL_DEFAULT_DECISIONS 256
#define CT_MODEL_MAP_WIDTH 64	/* cells per map line */
#define CT_MODEL_MAP_CELLS 2048	/* at most; more pageblocks share a cell */
#define CT_MODEL_DEFAULT_EXTFRAG_THRESHOLD 500
#define CT_MODEL_DEFAULT_MAX_BYTES (1ULL << 30)	/* zones of about 12 TiB (2 MiB pageblocks) */

struct ct_model_opts {
	/*
	 * The session's host facts: when set, the pageblock order, the
	 * extfrag threshold (and its source) and the migratetype names come
	 * from here, and @pageblock_order / @has_extfrag_threshold are not
	 * read. Not copied: must stay valid until the model is freed.
	 */
	const struct ct_host_facts *facts;
	/*
	 * Snapshots at the start and the end of the capture (either may be
	 * NULL). Not copied: they must stay valid until the model is freed.
	 */
	const struct ct_memsnap *start, *end;
	int pageblock_order;	/* 0: the start snapshot's, else 9 */
	int has_extfrag_threshold;	/* 1: use @extfrag_threshold; 0: the snapshot's, else 500 */
	int extfrag_threshold;
	int keep_pageblocks;	/* fill ct_model_zone.pageblocks (JSON --pageblocks) */
	/*
	 * 1: the input has kmem page events (record --pages): zones the start
	 * snapshot's free map covers are replayed exactly, pfn by pfn, from
	 * the start. 0: the input decides: the free map seeds the estimated
	 * mode, and the first kmem page event turns those zones exact.
	 */
	int page_events;
	uint32_t max_runs;	/* per-run rows kept; 0: CT_MODEL_DEFAULT_RUNS */
	uint32_t max_decisions;	/* compaction_suitable rows kept; 0: the default */
	/*
	 * Memory the zones' state may take, all zones together; 0: the
	 * default. A zone beyond it is not modelled (a note says so): spans
	 * come from the input, which may claim any size.
	 */
	uint64_t max_bytes;
};

enum ct_model_seeding {
	CT_SEED_TRACE,		/* no snapshot: spans from the events, changes only */
	CT_SEED_COUNTS,		/* buddyinfo (+ pagetypeinfo, zoneinfo) */
	CT_SEED_KPAGEFLAGS,	/* counts + record's per-pageblock kpageflags summary */
	CT_SEED_FREE_MAP,	/* counts + record's per-pfn free map */
};

enum ct_model_mode { CT_MODEL_ESTIMATED, CT_MODEL_EXACT };

/* A zone's model against the end snapshot (struct ct_model_zone.verdict). */
enum ct_model_verdict {
	CT_VERDICT_NONE,	/* no comparison: a snapshot is missing */
	CT_VERDICT_UNCHANGED,	/* the free blocks did not change: no skill to show */
	CT_VERDICT_BETTER,	/* skill > 0: closer to the end than the start counts are */
	CT_VERDICT_NO_BETTER,	/* skill <= 0: the model cannot know; verdict_note says why */
};

/* ct_model_decision.predicted when the model could not predict (no seed, unknown zone) */
#define CT_PRED_NONE (-1)

/* One compaction run as the model saw it. */
struct ct_model_run_row {
	uint64_t begin_ns, end_ns;
	int32_t pid, nid, order;	/* order INT32_MIN: unknown */
	char comm[CT_COMM_LEN];
	char zone[CT_ZONE_LEN];
	uint8_t trigger, status;	/* enum ct_trigger, enum ct_status */
	uint32_t pageblocks_scanned;	/* visited by the migrate scanner */
	uint32_t pageblocks_emptied;	/* no allocated page left after the run */
	uint32_t polluted_scanned;	/* scanned pageblocks a fragmenting fallback had polluted */
	int8_t largest_before, largest_after;	/* largest free order; -1 none, -2 unknown */
	int8_t order_available;		/* 1/0: a free block >= order after the run; -1 unknown/whole zone */
	int32_t fragindex_before, fragindex_after;	/* at the run's order; INT32_MIN unknown */
};

/* One compaction decision: mm_compaction_suitable and the model's view then. */
struct ct_model_decision {
	uint64_t ts_ns;
	int32_t pid, nid, order;
	char zone[CT_ZONE_LEN];
	int16_t ret;		/* enum ct_status, as traced */
	int16_t predicted;	/* enum ct_status, or CT_PRED_NONE */
	int32_t fragindex;	/* model's, at @order; INT32_MIN unknown */
	int32_t unusable;	/* model's unusable free space index; INT32_MIN unknown */
	uint64_t free_pages;	/* model's NR_FREE_PAGES estimate */
};

/* A task whose allocations fell back into other migratetypes' pageblocks. */
struct ct_model_culprit {
	char comm[CT_COMM_LEN];
	int32_t pid;
	uint64_t fallbacks, fragmenting;
	uint64_t pageblocks_polluted;	/* first to pollute them */
	uint64_t later_failed_runs;	/* later runs over those pageblocks that did not succeed */
};

/* One pageblock (JSON --pageblocks). */
struct ct_model_pageblock {
	uint64_t start_pfn;
	int16_t mt;		/* owner migratetype; -1 unknown */
	uint8_t mt_known;	/* 1: from an event or the free map, 0: not known */
	uint8_t modelled;	/* 0: no event touched it and no per-pageblock seed: free counts are pooled */
	uint8_t polluted;
	uint32_t free_pages, held_pages;	/* in buddy; isolated by a run or on a per-CPU list */
	uint32_t isolated, migrated_out, migrated_in, free_taken;
	uint16_t visits_migrate, visits_free, steals, owner_changes;
	int16_t culprit;	/* index in ct_model_results.culprits; -1 none */
};

struct ct_model_zone {
	int32_t nid;
	char zone[CT_ZONE_LEN];
	uint64_t start_pfn, end_pfn, npageblocks;
	enum ct_model_seeding seeding;
	enum ct_model_mode mode;
	int norders;

	/* free blocks per order */
	uint8_t has_start, has_actual_end;
	uint64_t start_blocks[CT_MODEL_ORDERS];
	uint64_t model_end_blocks[CT_MODEL_ORDERS];	/* with seeding CT_SEED_TRACE: not set */
	int64_t delta_blocks[CT_MODEL_ORDERS];	/* model end - start: what the replay changed */
	uint64_t actual_end_blocks[CT_MODEL_ORDERS];

	/*
	 * The model's end counts against the end snapshot, page-weighted (a
	 * block of order o counts 2^o pages). accuracy = 1 - Σ|model - actual|·2^o
	 * / Σ(model + actual)·2^o, in [0, 1] whatever the zone's size (1: the
	 * same counts); baseline_accuracy the same with the start counts as the
	 * prediction ("nothing changed"). skill = 1 - Σ|model - actual|·2^o /
	 * Σ|start - actual|·2^o: how much of the change from start to end the
	 * model got right (1: all of it; 0: no better than the start counts;
	 * below 0: worse); not defined (skill_valid 0) when nothing changed.
	 * error_pages and change_pages are those two sums.
	 */
	uint8_t accuracy_valid, skill_valid;
	double accuracy, baseline_accuracy, skill;
	uint64_t error_pages, change_pages;
	char accuracy_note[CT_MODEL_NOTE_LEN];
	/* what the comparison says of the model here, and why (CT_VERDICT_NO_BETTER) */
	enum ct_model_verdict verdict;
	char verdict_note[CT_MODEL_NOTE_LEN * 3];

	/* the kernel's indices per order; valid flags say which exist */
	uint8_t index_start_valid, index_actual_end_valid;
	int32_t fragindex_start[CT_MODEL_ORDERS], fragindex_model_end[CT_MODEL_ORDERS];
	int32_t fragindex_actual_end[CT_MODEL_ORDERS];
	int32_t unusable_start[CT_MODEL_ORDERS], unusable_model_end[CT_MODEL_ORDERS];
	int32_t unusable_actual_end[CT_MODEL_ORDERS];

	/* mm_compaction_suitable: the model's prediction against the event */
	uint64_t suitable_events, suitable_predicted, suitable_agreed;
	uint64_t suitable_by_pred[CT_STATUS_COUNT][CT_STATUS_COUNT];	/* [predicted][traced] */

	/* runs */
	uint64_t runs, pageblocks_emptied;
	uint64_t runs_order_available, runs_order_unavailable, runs_order_unknown;

	/* fragmenting fallbacks */
	uint64_t pageblocks_polluted;
	uint64_t runs_over_polluted, runs_over_polluted_failed;

	/* free pages and per-CPU lists (pages) */
	uint64_t free_pages_start, free_pages_model_end, free_pages_actual_end;
	uint64_t pcp_start, pcp_model_end, pcp_actual_end;
	uint8_t has_pcp;

	/* what the replay had to guess or could not place */
	uint64_t pages_guessed;		/* pages whose position the events did not give */
	uint64_t layout_corrections;	/* pages moved because an event contradicted the guess */
	uint64_t page_event_conflicts;	/* exact mode: events the per-pfn state contradicted */
	uint64_t map_window_overlaps;	/* exact mode: such events while the free map was being read (expected) */

	/* zone map: one cell per pageblock or group of pageblocks */
	char *map;			/* NUL-terminated, map_cells characters */
	uint32_t map_cells, pageblocks_per_cell;
	int64_t map_migrate_cell, map_free_cell;	/* the last run's scanner ends; -1 unknown */
	uint8_t map_scanners_met;

	struct ct_model_pageblock *pageblocks;	/* keep_pageblocks only: @npageblocks rows */
};

struct ct_model_results {
	enum ct_model_mode mode;	/* exact only when every zone is */
	char mt_letters[CT_MIGRATETYPES];	/* owner letters of the map, from pagetypeinfo's names */
	int pageblock_order;
	int extfrag_threshold;
	const char *extfrag_threshold_source;	/* "snapshot", "option", "default" */
	struct ct_model_zone *zones;	/* sorted by node, then start pfn */
	uint32_t nzones;

	struct ct_model_run_row *runs;	/* the first max_runs runs, in trace order */
	uint32_t nruns;
	uint64_t runs_dropped;
	struct ct_model_decision *decisions;
	uint32_t ndecisions;
	uint64_t decisions_dropped;

	struct ct_model_culprit *culprits;	/* by pageblocks polluted, most first */
	uint32_t nculprits;
	uint64_t culprits_dropped;	/* fallbacks of tasks beyond CT_MODEL_CULPRITS */
	uint64_t polluted_by_pair[CT_MIGRATETYPES][CT_MIGRATETYPES];	/* [alloc][fallback] pageblocks */

	/* quality: what the model could not use */
	uint64_t pfns_outside_zones;	/* events whose pfns no known zone holds */
	uint64_t events_outside_runs;	/* isolate/migrate events of runs begun before the trace */
	uint64_t runs_unplaced;		/* runs whose zone the model did not know */
	uint64_t page_events_ignored;	/* kmem page events without a per-pfn seed */
	uint64_t lost_events;

	char notes[CT_MODEL_NOTES][CT_MODEL_NOTE_LEN];
	uint32_t nnotes;
};

struct ct_model;

/**
 * ct_model_new() - create a model
 * @opts: options, copied (the snapshots they point to are not); NULL for none
 *
 * Seeds every zone of @opts->start. Returns NULL on allocation failure.
 * Free with ct_model_free().
 */
struct ct_model *ct_model_new(const struct ct_model_opts *opts);

/** ct_model_free() - free the model and its results; accepts NULL */
void ct_model_free(struct ct_model *m);

/**
 * ct_model_feed() - replay one event
 * @run: the compaction run @ev belongs to, or NULL: the run just begun for
 *       CT_EV_BEGIN, the run just ended (trigger, zone and status filled
 *       in) for CT_EV_END, the task's open run for isolate and migrate
 *       events, NULL for everything else. Not kept.
 *
 * Returns 0 or -CT_E_NOMEM (the model is then disabled and says so).
 */
int ct_model_feed(struct ct_model *m, const struct ct_event *ev, const struct ct_run *run);

/**
 * ct_model_fallback() - replay one extfrag fallback, with the engine's verdicts on it
 *
 * Whether it fragments and whether it was the first into its pageblock
 * are the engine's (struct ct_fallback); ct_model_feed() ignores the
 * CT_EV_EXTFRAG event itself. Returns 0 or -CT_E_NOMEM.
 */
int ct_model_fallback(struct ct_model *m, const struct ct_fallback *fb);

/**
 * ct_model_sink() - @m as a session sink (compactrace/sink.h); @m stays the caller's
 *
 * What a session subscribes: events that move pages go to ct_model_feed(),
 * fallbacks to ct_model_fallback(), the end of an input to
 * ct_model_end_source().
 */
struct ct_sink ct_model_sink(struct ct_model *m);

/**
 * ct_model_end_source() - an input ended: runs still open are dropped
 *
 * Their isolated pages can be neither released nor consumed; the model
 * notes it.
 */
void ct_model_end_source(struct ct_model *m);

/**
 * ct_model_results() - compute (once more, if events came since) and return the results
 *
 * Owned by @m, valid until the next ct_model_feed() or ct_model_free().
 * Returns NULL on allocation failure.
 */
const struct ct_model_results *ct_model_results(struct ct_model *m);

/**
 * ct_model_check() - verify the model's invariants (for tests; walks every pageblock)
 *
 * Estimated zones: the counts kept as pages move equal a recount of every
 * pageblock's bitmap, no page is both free and held, pooled pageblocks
 * hold no placed page. Exact zones: ct_buddy_check(). Returns 0 or
 * -CT_E_INVAL. Allocates nothing.
 */
int ct_model_check(const struct ct_model *m);

/* One zone's free blocks per order as the model has them at this moment. */
struct ct_model_zone_now {
	int32_t nid;
	char zone[CT_ZONE_LEN];		/* "?" until an event names it */
	uint64_t start_pfn, end_pfn;
	int norders;			/* 0: the counts are not known (no snapshot seeded the zone) */
	uint64_t free_blocks[CT_MODEL_ORDERS];
};

/** ct_model_zone_count() - how many zones the model knows so far (0 for NULL) */
uint32_t ct_model_zone_count(const struct ct_model *m);

/**
 * ct_model_zone_now() - zone @i's free blocks per order now, for sinks that draw them over time
 * @i: 0 .. ct_model_zone_count() - 1, in the order the model learned the zones (stable)
 * @out: filled in; the caller's
 *
 * Far cheaper than ct_model_results(): it counts again only the
 * pageblocks changed since the last count, and allocates nothing. Still,
 * call it sparingly (say once per millisecond of trace time), not per
 * event. Returns the number of orders, 0 when the counts are not known,
 * or -CT_E_INVAL for a bad @i.
 */
int ct_model_zone_now(struct ct_model *m, uint32_t i, struct ct_model_zone_now *out);

/** ct_model_seeding_name() - "trace", "counts", "kpageflags", "free-map"; static */
const char *ct_model_seeding_name(enum ct_model_seeding s);

/** ct_model_mode_name() - "estimated" or "exact"; static */
const char *ct_model_mode_name(enum ct_model_mode mode);

/** ct_model_verdict_name() - "better", "no_better", "unchanged", or NULL for CT_VERDICT_NONE; static */
const char *ct_model_verdict_name(enum ct_model_verdict v);


#endif
