// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The shadow buddy model through the engine, on synthetic zones: a run
 * that empties exactly the pageblocks it scanned (estimated mode seeded
 * from a free map, from counts only, and exact mode from page events),
 * compaction_suitable() predictions, fallbacks, and bad input the model
 * must name and survive.
 */
#include <stdlib.h>
#include <string.h>

#include "../common/check.h"
#include "compactrace/engine.h"
#include "compactrace/error.h"
#include "compactrace/memsnap.h"
#include "model/buddy.h"
#include "model/model_est_tables.h"
#include "compactrace/model.h"

#define ZSTART 0x10000ULL	/* 16 pageblocks of 512 pages */
#define ZPAGES 8192ULL
#define PB 512ULL

/* ---- snapshots ---------------------------------------------------------- */

/* A zone "Normal" at ZSTART with the given buddyinfo counts (orders 0..10). */
static struct ct_memsnap *make_snap(const uint64_t *blocks, int with_map, const char *page_size)
{
	struct ct_memsnap *s = ct_memsnap_new();
	char buf[4096], err[256];
	uint64_t free_pages = 0;
	int n = 0;

	if (!s)
		return NULL;
	n = snprintf(buf, sizeof(buf), "Node 0, zone   Normal");
	for (int o = 0; o < 11; o++) {
		n += snprintf(buf + n, sizeof(buf) - (size_t)n, " %llu", (unsigned long long)blocks[o]);
		free_pages += blocks[o] << o;
	}
	snprintf(buf + n, sizeof(buf) - (size_t)n, "\n");
	if (ct_memsnap_parse_buddyinfo(s, buf, strlen(buf), err, sizeof(err)) < 0)
		goto fail;
	snprintf(buf, sizeof(buf),
		 "Node 0, zone   Normal\n  pages free     %llu\n        min      10\n        low      20\n"
		 "        high     30\n        spanned  %llu\n        present  %llu\n        managed  %llu\n"
		 "        protection: (0, 0)\n  pagesets\n    cpu: 0\n              count:    0\n"
		 "              high:     0\n              batch:    1\n  start_pfn:           %llu\n",
		 (unsigned long long)free_pages, ZPAGES, ZPAGES, ZPAGES, ZSTART);
	if (ct_memsnap_parse_zoneinfo(s, buf, strlen(buf), err, sizeof(err)) < 0)
		goto fail;
	snprintf(buf, sizeof(buf), "Page block order: 9\nPages per block:  512\n");
	if (ct_memsnap_parse_pagetypeinfo(s, buf, strlen(buf), err, sizeof(err)) < 0)
		goto fail;
	if (page_size && ct_memsnap_parse_number(page_size, strlen(page_size), (int64_t *)&s->page_size) < 0)
		goto fail;
	if (with_map) {
		/* pageblocks 0-3 and 12-15: every even pfn free; 4-11: all allocated */
		if (ct_memsnap_free_map_init(&s->free_map, ZSTART, ZPAGES) < 0)
			goto fail;
		for (uint64_t b = 0; b < 16; b++)
			for (uint64_t i = 0; i < PB; i += 2)
				if (b < 4 || b >= 12)
					ct_memsnap_free_map_set(&s->free_map, ZSTART + b * PB + i, CT_PFN_FREE);
	}
	return s;
fail:
	fprintf(stderr, "make_snap: %s\n", err);
	ct_memsnap_free(s);
	return NULL;
}

/* ---- events ------------------------------------------------------------- */

static uint64_t now;

static struct ct_event ev_base(enum ct_event_type type)
{
	struct ct_event ev;

	memset(&ev, 0, sizeof(ev));
	ev.type = (uint16_t)type;
	ev.ts_ns = (now += 1000);
	ev.pid = 42;
	ev.cpu = 0;
	snprintf(ev.comm, sizeof(ev.comm), "sh");
	ev.name = ct_event_type_name(type);
	ev.name_len = (uint16_t)strlen(ev.name);
	return ev;
}

static void feed(struct ct_engine *eng, struct ct_event ev)
{
	CHECK(ct_engine_feed(eng, &ev) == 0);
}

static void range_ev(struct ct_engine *eng, enum ct_event_type t, uint64_t mig, uint64_t fr, int status)
{
	struct ct_event ev = ev_base(t);

	ev.u.range = (struct ct_ev_range){ ZSTART, mig, fr, ZSTART + ZPAGES, 1, (int16_t)status };
	feed(eng, ev);
}

static void iso(struct ct_engine *eng, enum ct_event_type t, uint64_t a, uint64_t b, uint64_t scanned,
		uint64_t taken)
{
	struct ct_event ev = ev_base(t);

	ev.u.iso = (struct ct_ev_isolate){ a, b, scanned, taken };
	feed(eng, ev);
}

static void migrated(struct ct_engine *eng, uint64_t ok)
{
	struct ct_event ev = ev_base(CT_EV_MIGRATEPAGES);

	ev.u.mig.nr_migrated = ok;
	feed(eng, ev);
}

/* iso() and migrated() by task @pid (kcompactd0 when 38) */
static void iso_as(struct ct_engine *eng, int32_t pid, enum ct_event_type t, uint64_t a, uint64_t b,
		   uint64_t scanned, uint64_t taken)
{
	struct ct_event ev = ev_base(t);

	ev.pid = pid;
	if (pid == 38)
		snprintf(ev.comm, sizeof(ev.comm), "kcompactd0");
	ev.u.iso = (struct ct_ev_isolate){ a, b, scanned, taken };
	feed(eng, ev);
}

static void migrated_as(struct ct_engine *eng, int32_t pid, uint64_t ok)
{
	struct ct_event ev = ev_base(CT_EV_MIGRATEPAGES);

	ev.pid = pid;
	if (pid == 38)
		snprintf(ev.comm, sizeof(ev.comm), "kcompactd0");
	ev.u.mig.nr_migrated = ok;
	feed(eng, ev);
}

static void page(struct ct_engine *eng, enum ct_event_type t, uint64_t pfn, int order, int refill)
{
	struct ct_event ev = ev_base(t);

	ev.u.page = (struct ct_ev_page){ pfn, order, 1, refill, 0, 0 };
	feed(eng, ev);
}

static void suitable(struct ct_engine *eng, int order, enum ct_status ret)
{
	struct ct_event ev = ev_base(CT_EV_SUITABLE);

	ev.u.zo.nid = 0;
	ev.u.zo.order = order;
	ev.u.zo.ret = (int16_t)ret;
	snprintf(ev.u.zo.zone, sizeof(ev.u.zo.zone), "Normal");
	feed(eng, ev);
}

/*
 * The run every scenario replays: the migrate scanner empties pageblocks 0
 * and 1 (256 movable pages each), the free scanner fills pageblocks 15 and
 * 14 with them. With @pages, the kmem events of the same run follow.
 */
static void the_run(struct ct_engine *eng, int pages)
{
	range_ev(eng, CT_EV_BEGIN, ZSTART, ZSTART + 15 * PB, 0);
	for (int k = 0; k < 2; k++) {
		uint64_t src = ZSTART + (uint64_t)k * PB, dst = ZSTART + (uint64_t)(15 - k) * PB;

		iso(eng, CT_EV_ISOLATE_MIGRATE, src, src + PB, PB, 256);
		iso(eng, CT_EV_ISOLATE_FREE, dst, dst + PB, PB, 256);
		migrated(eng, 256);
		if (pages) {
			/* the old pages are freed to a per-CPU list, then drained to the buddy lists */
			for (uint64_t i = 1; i < PB; i += 2)
				page(eng, CT_EV_PAGE_FREE, src + i, 0, -1);
			for (uint64_t i = 1; i < PB; i += 2)
				page(eng, CT_EV_PAGE_PCPU_DRAIN, src + i, 0, -1);
		}
	}
	range_ev(eng, CT_EV_END, ZSTART + 2 * PB, ZSTART + 14 * PB, CT_STATUS_COMPLETE);
}

/* each engine below feeds one model (as a session subscribes it); freed at exit */
#define MAX_PIPELINES 32
static struct {
	struct ct_engine *eng;
	struct ct_model *model;
} pipelines[MAX_PIPELINES];

static struct ct_model *model_of(const struct ct_engine *eng)
{
	/* the newest first: a freed engine's address may be reused */
	for (int i = MAX_PIPELINES - 1; i >= 0; i--)
		if (pipelines[i].eng == eng)
			return pipelines[i].model;
	return NULL;
}

static void free_pipelines(void)
{
	for (int i = 0; i < MAX_PIPELINES; i++)
		ct_model_free(pipelines[i].model);
}

static struct ct_engine *engine_with(struct ct_model_opts *mo)
{
	struct ct_model *m = ct_model_new(mo);
	struct ct_sink sink = ct_model_sink(m);
	struct ct_engine_opts eo = { .filter_pid = -1, .pageblock_order = 9,
				     .pageblock_order_source = CT_FACT_SNAPSHOT, .sinks = &sink, .nsinks = 1 };
	struct ct_engine *eng = m ? ct_engine_new(&eo) : NULL;
	int slot = 0;

	CHECK(eng != NULL);
	while (slot < MAX_PIPELINES && pipelines[slot].model)
		slot++;
	CHECK(slot < MAX_PIPELINES);
	if (!eng || slot == MAX_PIPELINES) {
		ct_model_free(m);
		ct_engine_free(eng);
		return NULL;
	}
	pipelines[slot].eng = eng;
	pipelines[slot].model = m;
	ct_engine_begin_source(eng, "synthetic", "ftrace-text");
	return eng;
}

static const struct ct_model_zone *zone0(const struct ct_model_results *r)
{
	for (uint32_t i = 0; r && i < r->nzones; i++)
		if (strcmp(r->zones[i].zone, "Normal") == 0)
			return &r->zones[i];
	return NULL;
}

/* 1024 order-0 blocks left (pageblocks 2, 3, 12, 13) and one order-10 block (0 and 1) */
static const uint64_t after_run[11] = { 1024, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1 };
static const uint64_t start_counts[11] = { 2048 };

static void check_after_run(const struct ct_model_results *r, const uint64_t *want, const char *mode)
{
	const struct ct_model_zone *z = zone0(r);
	uint64_t pb_free = 0, blocks_pages = 0;

	CHECK(z != NULL);
	if (!z)
		return;
	fprintf(stderr, "%s: seeded from %s, mode %s\n", mode, ct_model_seeding_name(z->seeding),
		ct_model_mode_name(z->mode));
	for (int o = 0; o < 11; o++) {
		CHECK_U64(z->model_end_blocks[o], want[o]);
		blocks_pages += z->model_end_blocks[o] << o;
	}
	CHECK(z->accuracy_valid);
	CHECK(z->accuracy > 0.999999);
	CHECK(z->baseline_accuracy < 0.99);	/* the start counts are a worse prediction */
	CHECK(r->nruns == 1);
	if (r->nruns == 1) {
		CHECK_U64(r->runs[0].pageblocks_scanned, 2);
		CHECK_U64(r->runs[0].pageblocks_emptied, 2);
		CHECK(r->runs[0].largest_before == 0);
		CHECK(r->runs[0].largest_after == 10);
	}
	CHECK_U64(z->pageblocks_emptied, 2);
	/*
	 * Σ free pages of the pageblocks = Σ 2^order · blocks: nothing made or
	 * lost. Seeded from counts only, untouched pageblocks stay pooled.
	 */
	CHECK(z->pageblocks != NULL);
	for (uint64_t b = 0; z->pageblocks && b < z->npageblocks; b++)
		pb_free += z->pageblocks[b].free_pages;
	if (z->seeding == CT_SEED_COUNTS) {
		CHECK(z->pageblocks && !z->pageblocks[2].modelled && z->pageblocks[0].modelled);
		pb_free += 4 * 256;	/* pageblocks 2, 3, 12 and 13, in the pool */
	} else if (z->pageblocks) {
		CHECK_U64(z->pageblocks[2].free_pages, 256);
	}
	CHECK_U64(pb_free, blocks_pages);
	if (z->pageblocks) {
		CHECK_U64(z->pageblocks[0].free_pages, 512);
		CHECK_U64(z->pageblocks[1].free_pages, 512);
		CHECK_U64(z->pageblocks[14].free_pages, 0);
		CHECK_U64(z->pageblocks[15].free_pages, 0);
		CHECK_U64(z->pageblocks[0].migrated_out, 256);
		CHECK_U64(z->pageblocks[15].free_taken, 256);
		CHECK(z->pageblocks[15].mt == 1);	/* the free scanner only takes from movable blocks */
	}
	/* the map: entirely free cells at the start, full ones at the end */
	CHECK(z->map && z->map_cells == 16);
	if (z->map && z->map_cells == 16) {
		CHECK(z->map[0] == '.' && z->map[1] == '.');
		/* seeded from counts, the free scanner's pageblocks stay pooled: not drawn */
		CHECK(z->map[15] == (z->seeding == CT_SEED_COUNTS ? '?' : 'M'));
	}
}

static void test_free_map_seed(void)
{
	struct ct_memsnap *s = make_snap(start_counts, 1, "4096\n"), *e = make_snap(after_run, 0, "4096\n");
	struct ct_model_opts mo = { .start = s, .end = e, .keep_pageblocks = 1 };
	struct ct_engine *eng = s && e ? engine_with(&mo) : NULL;

	if (eng) {
		the_run(eng, 0);
		ct_engine_end_source(eng);
		check_after_run(ct_model_results(model_of(eng)), after_run, "free map");
		CHECK(ct_model_check(model_of(eng)) == 0);
		CHECK(zone0(ct_model_results(model_of(eng)))->seeding == CT_SEED_FREE_MAP);
	}
	ct_engine_free(eng);
	ct_memsnap_free(s);
	ct_memsnap_free(e);
}

static void test_counts_seed(void)
{
	struct ct_memsnap *s = make_snap(start_counts, 0, NULL), *e = make_snap(after_run, 0, NULL);
	struct ct_model_opts mo = { .start = s, .end = e, .keep_pageblocks = 1 };
	struct ct_engine *eng = s && e ? engine_with(&mo) : NULL;

	if (eng) {
		the_run(eng, 0);
		ct_engine_end_source(eng);
		check_after_run(ct_model_results(model_of(eng)), after_run, "counts");
		CHECK(ct_model_check(model_of(eng)) == 0);
	}
	ct_engine_free(eng);
	ct_memsnap_free(s);
	ct_memsnap_free(e);
}

static int has_note(const struct ct_model_results *r, const char *what)
{
	for (uint32_t i = 0; r && i < r->nnotes; i++)
		if (strstr(r->notes[i], what))
			return 1;
	return 0;
}

/*
 * Exact mode: told so (opts.page_events), or learnt from the first page
 * event, after the run's compaction events changed the zone (@how 1) or
 * before any did (@how 2, a failed allocation first): the same result.
 */
static void test_exact(int how)
{
	static const uint64_t want[11] = { 1023, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1 };
	struct ct_memsnap *s = make_snap(start_counts, 1, NULL), *e = make_snap(want, 0, NULL);
	struct ct_model_opts mo = { .start = s, .end = e, .keep_pageblocks = 1, .page_events = how == 0 };
	struct ct_engine *eng = s && e ? engine_with(&mo) : NULL;
	const struct ct_model_zone *z;

	if (!eng)
		goto out;
	if (how == 2)
		page(eng, CT_EV_PAGE_ALLOC, CT_PFN_NONE, 9, -1);
	the_run(eng, 1);
	/* an allocation takes a free page of pageblock 2; one of a page that is not free conflicts */
	page(eng, CT_EV_PAGE_ALLOC_ZONE_LOCKED, ZSTART + 2 * PB, 0, 0);
	page(eng, CT_EV_PAGE_ALLOC_ZONE_LOCKED, ZSTART + 5 * PB, 0, 0);
	ct_engine_end_source(eng);
	z = zone0(ct_model_results(model_of(eng)));
	CHECK(z && z->mode == CT_MODEL_EXACT);
	if (z) {
		for (int o = 0; o < 11; o++)
			CHECK_U64(z->model_end_blocks[o], want[o]);
		/* learnt late, what the estimate inferred and the page events say overlap */
		if (how == 1)
			CHECK(z->page_event_conflicts >= 1 && has_note(ct_model_results(model_of(eng)),
									"before the first kmem page event"));
		else
			CHECK_U64(z->page_event_conflicts, 1);
		CHECK_U64(z->pageblocks_emptied, 2);
		CHECK(z->accuracy > 0.999999);
	}
out:
	ct_engine_free(eng);
	ct_memsnap_free(s);
	ct_memsnap_free(e);
}

static void test_suitable(void)
{
	struct ct_memsnap *s = make_snap(start_counts, 1, NULL);
	struct ct_model_opts mo = { .start = s };
	struct ct_model_opts strict = { .start = s, .has_extfrag_threshold = 1, .extfrag_threshold = 999 };
	struct ct_engine *eng = s ? engine_with(&mo) : NULL, *eng2 = s ? engine_with(&strict) : NULL;
	const struct ct_model_results *r;

	if (!eng || !eng2)
		goto out;
	/* 2048 free > min 10 + compact_gap 1024: suitable; index 1000 - (1000 + 4000)/2048 = 998 > 500 */
	suitable(eng, 9, CT_STATUS_CONTINUE);
	/* 2048 <= 10 + 2048: skipped */
	suitable(eng, 10, CT_STATUS_SKIPPED);
	/* the traced outcome disagrees with the model's: counted, not hidden */
	suitable(eng, 9, CT_STATUS_NOT_SUITABLE_ZONE);
	r = ct_model_results(model_of(eng));
	CHECK(r && zone0(r));
	if (r && zone0(r)) {
		CHECK_U64(zone0(r)->suitable_events, 3);
		CHECK_U64(zone0(r)->suitable_predicted, 3);
		CHECK_U64(zone0(r)->suitable_agreed, 2);
		CHECK(r->ndecisions == 3 && r->decisions[0].fragindex == 998);
		CHECK(r->decisions[2].predicted == CT_STATUS_CONTINUE);
		CHECK(strcmp(r->extfrag_threshold_source, "default") == 0);
	}
	/* with vm.extfrag_threshold 999 the same zone is not suitable */
	suitable(eng2, 9, CT_STATUS_NOT_SUITABLE_ZONE);
	r = ct_model_results(model_of(eng2));
	CHECK(r && zone0(r) && zone0(r)->suitable_agreed == 1);
out:
	ct_engine_free(eng);
	ct_engine_free(eng2);
	ct_memsnap_free(s);
}

static void test_fallbacks(void)
{
	struct ct_memsnap *s = make_snap(start_counts, 1, NULL);
	struct ct_model_opts mo = { .start = s, .keep_pageblocks = 1 };
	struct ct_engine *eng = s ? engine_with(&mo) : NULL;
	const struct ct_model_results *r;
	struct ct_event ev;

	if (!eng)
		goto out;
	/* an unmovable order-0 allocation falls back into movable pageblock 3 and claims it */
	ev = ev_base(CT_EV_EXTFRAG);
	snprintf(ev.comm, sizeof(ev.comm), "kworker/0:1");
	ev.u.xf = (struct ct_ev_extfrag){ ZSTART + 3 * PB + 4, 0, 0, 0, 1, 1, -1, -1 };
	feed(eng, ev);
	/* a later run scans it and fails */
	range_ev(eng, CT_EV_BEGIN, ZSTART + 3 * PB, ZSTART + 15 * PB, 0);
	iso(eng, CT_EV_ISOLATE_MIGRATE, ZSTART + 3 * PB, ZSTART + 4 * PB, PB, 0);
	range_ev(eng, CT_EV_END, ZSTART + 4 * PB, ZSTART + 15 * PB, CT_STATUS_NO_SUITABLE_PAGE);
	r = ct_model_results(model_of(eng));
	CHECK(r && zone0(r));
	if (r && zone0(r)) {
		const struct ct_model_zone *z = zone0(r);

		CHECK_U64(z->pageblocks_polluted, 1);
		CHECK_U64(r->polluted_by_pair[0][1], 1);
		CHECK_U64(z->runs_over_polluted, 1);
		CHECK_U64(z->runs_over_polluted_failed, 1);
		CHECK(r->nculprits == 1 && strcmp(r->culprits[0].comm, "kworker/0:1") == 0);
		CHECK(r->nculprits == 1 && r->culprits[0].later_failed_runs == 1);
		CHECK(z->pageblocks && z->pageblocks[3].mt == 0 && z->pageblocks[3].owner_changes == 1);
		CHECK(z->pageblocks && z->pageblocks[3].culprit == 0);
		/* the allocated page left the free lists */
		CHECK_U64(z->model_end_blocks[0], 2047);
		CHECK(z->map && z->map[3] == 'U');	/* unmovable, less than half free */
		CHECK(z->map && z->map[2] == 'x');	/* owner unknown, half free */
	}
out:
	ct_engine_free(eng);
	ct_memsnap_free(s);
}

static void test_bad_input(void)
{
	struct ct_memsnap *s = make_snap(start_counts, 1, "4096\n"), *e = make_snap(after_run, 0, "65536\n");
	struct ct_model_opts mo = { .start = s, .end = e };
	struct ct_model_opts ok = { .start = s };
	struct ct_engine *eng = s && e ? engine_with(&mo) : NULL, *eng2 = s ? engine_with(&ok) : NULL;
	const struct ct_model_results *r;
	struct ct_event ev;
	int noted = 0;

	if (!eng || !eng2)
		goto out;
	/* snapshots of two page sizes: not one machine; the model says so and seeds nothing */
	the_run(eng, 0);
	r = ct_model_results(model_of(eng));
	CHECK(r != NULL);
	for (uint32_t i = 0; r && i < r->nnotes; i++)
		noted |= strstr(r->notes[i], "page sizes") != NULL;
	CHECK(noted);
	CHECK(r && r->nzones == 1 && r->zones[0].seeding == CT_SEED_TRACE && !r->zones[0].accuracy_valid);

	/* a trace that starts mid-run: isolations with no begin before them */
	iso(eng2, CT_EV_ISOLATE_MIGRATE, ZSTART, ZSTART + PB, PB, 10);
	migrated(eng2, 10);
	/* a fallback at a pfn outside every zone */
	ev = ev_base(CT_EV_EXTFRAG);
	ev.u.xf = (struct ct_ev_extfrag){ 1ULL << 36, 0, 0, 0, 1, 0, -1, -1 };
	feed(eng2, ev);
	/* a run in a zone the snapshot does not have */
	ev = ev_base(CT_EV_BEGIN);
	ev.u.range = (struct ct_ev_range){ 0x100000, 0x100000, 0x101e00, 0x102000, 1, 0 };
	feed(eng2, ev);
	ev = ev_base(CT_EV_END);
	ev.u.range = (struct ct_ev_range){ 0x100000, 0x101000, 0x101000, 0x102000, 1, CT_STATUS_COMPLETE };
	feed(eng2, ev);
	/* kmem page events with no per-pfn map for that zone's trace-only model */
	page(eng2, CT_EV_PAGE_FREE, 0x100010, 0, -1);
	ct_engine_end_source(eng2);
	r = ct_model_results(model_of(eng2));
	CHECK(r != NULL);
	if (r) {
		CHECK_U64(r->events_outside_runs, 2);
		CHECK_U64(r->pfns_outside_zones, 1);
		CHECK_U64(r->page_events_ignored, 1);
		int traced = 0;

		CHECK(r->nzones == 2);
		for (uint32_t i = 0; i < r->nzones; i++)
			if (r->zones[i].seeding == CT_SEED_TRACE && !r->zones[i].accuracy_valid &&
			    r->zones[i].start_pfn == 0x100000)
				traced++;
		CHECK(traced == 1);
		CHECK(r->nnotes >= 2);
	}
out:
	ct_engine_free(eng);
	ct_engine_free(eng2);
	ct_memsnap_free(s);
	ct_memsnap_free(e);
}

static void test_no_snapshot(void)
{
	struct ct_model_opts mo = { 0 };
	struct ct_engine *eng = engine_with(&mo);
	const struct ct_model_results *r;

	if (!eng)
		return;
	the_run(eng, 0);
	ct_engine_end_source(eng);
	r = ct_model_results(model_of(eng));
	CHECK(r && r->nzones == 1);
	if (r && r->nzones == 1) {
		CHECK(r->zones[0].seeding == CT_SEED_TRACE);
		CHECK(!r->zones[0].has_start && !r->zones[0].accuracy_valid);
		/* the changes are still there: two pageblocks became one order-10 block */
		CHECK(r->zones[0].delta_blocks[10] == 1);
	}
	ct_engine_free(eng);
}

/*
 * Random runs, fallbacks and page events over a random zone: whatever the
 * events say, the incremental counts always equal a recount (ct_model_check).
 * Runs are direct (a try_to_compact_pages at order 9 first), kcompactd or
 * manual, end in success, complete or partial_skipped, take free pages
 * fast (whole blocks) or by scanning, and meet compaction_suitable()
 * decisions either way: every piece of evidence the estimated model uses.
 */
static void test_random(int seeding)
{
	const uint64_t zs = 0x40000, npb = 64, pages = npb * PB;
	struct ct_memsnap *s = ct_memsnap_new();
	struct ct_buddy *truth = ct_buddy_new(zs, zs + pages, 11, 9);
	uint64_t counts[11];
	struct ct_model_opts mo = { 0 };
	struct ct_engine *eng = NULL;
	unsigned seed = 7 + (unsigned)seeding;
	char buf[1024], err[256];
	int n, bad = 0;

	if (!s || !truth)
		goto out;
	if (ct_memsnap_free_map_init(&s->free_map, zs, pages) < 0)
		goto out;
	for (uint64_t p = zs; p < zs + pages; p++) {
		seed = seed * 1103515245u + 12345u;
		if ((seed >> 16) % 100 < (p >> 13 & 1 ? 70u : 20u)) {
			ct_memsnap_free_map_set(&s->free_map, p, CT_PFN_FREE);
			ct_buddy_release(truth, p, 0);
		}
	}
	ct_buddy_counts(truth, counts);
	n = snprintf(buf, sizeof(buf), "Node 0, zone   Normal");
	for (int o = 0; o < 11; o++)
		n += snprintf(buf + n, sizeof(buf) - (size_t)n, " %llu", (unsigned long long)counts[o]);
	snprintf(buf + n, sizeof(buf) - (size_t)n, "\n");
	if (ct_memsnap_parse_buddyinfo(s, buf, strlen(buf), err, sizeof(err)) < 0)
		goto out;
	snprintf(buf, sizeof(buf), "Node 0, zone   Normal\n  pages free     %llu\n        min      10\n"
		 "        spanned  %llu\n  pagesets\n    cpu: 0\n              count:    100\n"
		 "              high:     300\n              batch:    31\n  start_pfn:           %llu\n",
		 (unsigned long long)ct_buddy_free_pages(truth), (unsigned long long)pages,
		 (unsigned long long)zs);
	if (ct_memsnap_parse_zoneinfo(s, buf, strlen(buf), err, sizeof(err)) < 0)
		goto out;
	if (seeding != CT_SEED_FREE_MAP) {
		free(s->free_map.classes);
		s->free_map.classes = NULL;
	}
	mo.start = seeding == CT_SEED_TRACE ? NULL : s;
	mo.page_events = seeding == CT_SEED_FREE_MAP + 1;
	eng = engine_with(&mo);
	if (!eng)
		goto out;
	for (int run = 0; run < 40; run++) {
		struct ct_event ev = ev_base(CT_EV_BEGIN);
		uint64_t mig = zs + (uint64_t)(run % 8) * 4 * PB, fr = zs + pages - PB;
		static const int16_t ends[3] = { CT_STATUS_SUCCESS, CT_STATUS_COMPLETE, CT_STATUS_PARTIAL_SKIPPED };

		if (run % 3 == 0) {	/* direct: the stall first */
			struct ct_event t = ev_base(CT_EV_TRY_TO_COMPACT);

			t.u.try_.order = 9;
			feed(eng, t);
		} else if (run % 3 == 1) {	/* kcompactd, woken at order 9 */
			struct ct_event w = ev_base(CT_EV_KCOMPACTD_WAKE);

			w.pid = 38;
			snprintf(w.comm, sizeof(w.comm), "kcompactd0");
			w.u.kc.order = 9;
			feed(eng, w);
		}
		if (run % 3 == 1) {
			ev.pid = 38;
			snprintf(ev.comm, sizeof(ev.comm), "kcompactd0");
		}
		ev.u.range = (struct ct_ev_range){ zs, mig, fr, zs + pages, (int8_t)(run & 1), 0 };
		feed(eng, ev);
		suitable(eng, 9, (run / 2) % 2 ? CT_STATUS_SKIPPED : CT_STATUS_CONTINUE);
		for (int step = 0; step < 12; step++) {
			uint64_t a, len, taken;

			seed = seed * 1103515245u + 12345u;
			len = 1 + (seed >> 8) % PB;
			a = mig + (seed >> 20) % (4 * PB);
			taken = (seed >> 4) % (len + 1);
			iso_as(eng, run % 3 == 1 ? 38 : 42, CT_EV_ISOLATE_MIGRATE, a, a + len, len, taken);
			iso_as(eng, run % 3 == 1 ? 38 : 42, step % 2 ? CT_EV_FAST_ISOLATE_FREE : CT_EV_ISOLATE_FREE,
			       fr - (uint64_t)step * 64, fr - (uint64_t)step * 64 + 64, 64,
			       step % 2 ? 1ULL << ((seed >> 12) % 7) : (seed >> 12) % 40);
			migrated_as(eng, run % 3 == 1 ? 38 : 42, taken ? (seed >> 24) % (taken + 1) : 0);
			if (step % 5 == 0) {
				struct ct_event x = ev_base(CT_EV_EXTFRAG);

				x.u.xf = (struct ct_ev_extfrag){ zs + (seed >> 3) % pages, (int)(seed % 3), 3, 0, 1,
								 (int)(seed >> 30) & 1, -1, -1 };
				feed(eng, x);
			}
			if (mo.page_events) {
				uint64_t p = zs + (seed >> 5) % pages;

				page(eng, CT_EV_PAGE_ALLOC_ZONE_LOCKED, p, 0, 1);
				page(eng, CT_EV_PAGE_FREE, p, 0, -1);
				page(eng, CT_EV_PAGE_PCPU_DRAIN, p, 0, -1);
			}
		}
		ev = ev_base(CT_EV_END);
		if (run % 3 == 1) {
			ev.pid = 38;
			snprintf(ev.comm, sizeof(ev.comm), "kcompactd0");
		}
		ev.u.range = (struct ct_ev_range){ zs, mig + 4 * PB, fr - 12 * 64, zs + pages, 1, ends[(run / 3) % 3] };
		feed(eng, ev);
		bad += ct_model_check(model_of(eng)) != 0;
	}
	CHECK(bad == 0);
	CHECK(ct_model_results(model_of(eng)) != NULL);
	CHECK(ct_model_check(model_of(eng)) == 0);
	{
		/* the runs were what they were meant to be: the evidence paths ran */
		const struct ct_model_results *r = ct_model_results(model_of(eng));
		int direct_ok = 0, kcompactd_drained = 0;

		for (uint32_t i = 0; r && i < r->nruns; i++) {
			direct_ok += r->runs[i].trigger == CT_TRIGGER_DIRECT && r->runs[i].status == CT_STATUS_SUCCESS &&
				     r->runs[i].order == 9;
			kcompactd_drained += r->runs[i].trigger == CT_TRIGGER_KCOMPACTD &&
					     r->runs[i].status != CT_STATUS_SUCCESS;
		}
		CHECK(!r || r->zones[0].seeding == CT_SEED_TRACE || (direct_ok > 0 && kcompactd_drained > 0));
	}
out:
	CHECK(eng != NULL);
	ct_engine_free(eng);
	ct_buddy_free(truth);
	ct_memsnap_free(s);
}

/*
 * Events the model only reads (stalls, finished decisions, kcompactd's)
 * may reach it before the first kmem page event: they change no zone, so
 * the zones a free map seeds are seeded again from it, exactly.
 */
static void test_read_only_events(void)
{
	struct ct_memsnap *s = make_snap(start_counts, 1, NULL);
	struct ct_model_opts mo = { .start = s };
	struct ct_model *m = s ? ct_model_new(&mo) : NULL;
	static const enum ct_event_type types[] = { CT_EV_TRY_TO_COMPACT, CT_EV_FINISHED, CT_EV_DEFERRED,
						    CT_EV_KCOMPACTD_WAKE, CT_EV_WAKEUP_KCOMPACTD };
	const struct ct_model_results *r;

	CHECK(m != NULL);
	if (!m)
		goto out;
	for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
		struct ct_event ev = ev_base(types[i]);

		CHECK(ct_model_feed(m, &ev, NULL) == 0);
	}
	{
		struct ct_event ev = ev_base(CT_EV_PAGE_ALLOC_ZONE_LOCKED);

		ev.u.page = (struct ct_ev_page){ ZSTART + 2 * PB, 0, 1, 0, 0, 0 };
		CHECK(ct_model_feed(m, &ev, NULL) == 0);
	}
	r = ct_model_results(m);
	CHECK(r && zone0(r) && zone0(r)->mode == CT_MODEL_EXACT);
	CHECK(r && !has_note(r, "before the first kmem page event"));
	CHECK(ct_model_check(m) == 0);
out:
	ct_model_free(m);
	ct_memsnap_free(s);
}

/* ---- the evidence the estimated model uses -------------------------------- */

/*
 * The zone of make_snap() with a free map of its own: pageblock 0 free but
 * for its last 12 pages (blocks of 256, 128, 64, 32, 16 and 4 pages: one
 * each of orders 8, 7, 6, 5, 4, 2), pageblock 15 every even pfn (256
 * single pages), the rest allocated; per-CPU list high @pcp_high.
 */
static struct ct_memsnap *evidence_snap(uint32_t pcp_high)
{
	struct ct_memsnap *s = ct_memsnap_new();
	struct ct_buddy *truth = ct_buddy_new(ZSTART, ZSTART + ZPAGES, 11, 9);
	char buf[4096], err[256];
	uint64_t c[11];
	int n;

	if (!s || !truth || ct_memsnap_free_map_init(&s->free_map, ZSTART, ZPAGES) < 0)
		goto fail;
	for (uint64_t i = 0; i < ZPAGES; i++)
		if ((i < 500) || (i >= 15 * PB && i % 2 == 0)) {
			ct_memsnap_free_map_set(&s->free_map, ZSTART + i, CT_PFN_FREE);
			ct_buddy_release(truth, ZSTART + i, 0);
		}
	ct_buddy_counts(truth, c);
	n = snprintf(buf, sizeof(buf), "Node 0, zone   Normal");
	for (int o = 0; o < 11; o++)
		n += snprintf(buf + n, sizeof(buf) - (size_t)n, " %llu", (unsigned long long)c[o]);
	snprintf(buf + n, sizeof(buf) - (size_t)n, "\n");
	if (ct_memsnap_parse_buddyinfo(s, buf, strlen(buf), err, sizeof(err)) < 0)
		goto fail;
	snprintf(buf, sizeof(buf),
		 "Node 0, zone   Normal\n  pages free     756\n        min      10\n        low      20\n"
		 "        high     30\n        spanned  %llu\n        present  %llu\n        managed  %llu\n"
		 "        protection: (0, 0)\n  pagesets\n    cpu: 0\n              count:    0\n"
		 "              high:     %u\n              batch:    1\n  start_pfn:           %llu\n",
		 ZPAGES, ZPAGES, ZPAGES, pcp_high, ZSTART);
	if (ct_memsnap_parse_zoneinfo(s, buf, strlen(buf), err, sizeof(err)) < 0 ||
	    ct_memsnap_parse_pagetypeinfo(s, "Page block order: 9\nPages per block:  512\n", 41, err, sizeof(err)) < 0)
		goto fail;
	ct_buddy_free(truth);
	return s;
fail:
	ct_buddy_free(truth);
	ct_memsnap_free(s);
	return NULL;
}

/*
 * A run of @trigger (direct: a stall at order 9 first; kcompactd: woken at
 * order 9) empties pageblock 0: it takes 10 of the 12 allocated pages (two
 * it cannot take: on a per-CPU list, say), fills them into pageblock 15,
 * isolates 32 pages of pageblock 1 and ends with @status. With @stay the
 * migrate scanner stops at pfn 510 of pageblock 0 instead: it has not left
 * the pageblock, so its CPU's lists are not drained. Returns the zone.
 */
static const struct ct_model_zone *evidence_run(struct ct_engine *eng, int kcompactd, int status, int stay)
{
	struct ct_event ev;
	int32_t pid = kcompactd ? 38 : 42;

	if (kcompactd) {
		ev = ev_base(CT_EV_KCOMPACTD_WAKE);
		ev.pid = pid;
		snprintf(ev.comm, sizeof(ev.comm), "kcompactd0");
		ev.u.kc.order = 9;
	} else {
		ev = ev_base(CT_EV_TRY_TO_COMPACT);
		ev.u.try_.order = 9;
	}
	feed(eng, ev);
	ev = ev_base(CT_EV_BEGIN);
	ev.pid = pid;
	if (kcompactd)
		snprintf(ev.comm, sizeof(ev.comm), "kcompactd0");
	ev.u.range = (struct ct_ev_range){ ZSTART, ZSTART, ZSTART + 15 * PB, ZSTART + ZPAGES, 0, 0 };
	feed(eng, ev);
	/* compact_finished() says the order (the engine learns a run's order from it) */
	ev = ev_base(CT_EV_FINISHED);
	ev.pid = pid;
	if (kcompactd)
		snprintf(ev.comm, sizeof(ev.comm), "kcompactd0");
	ev.u.zo = (struct ct_ev_zone_order){ 0, 9, CT_STATUS_CONTINUE, "Normal" };
	feed(eng, ev);
	iso_as(eng, pid, CT_EV_ISOLATE_MIGRATE, ZSTART, ZSTART + (stay ? 510 : PB), stay ? 510 : PB, 10);
	iso_as(eng, pid, CT_EV_ISOLATE_FREE, ZSTART + 15 * PB, ZSTART + 16 * PB, PB, 10);
	migrated_as(eng, pid, 10);
	if (!stay)
		iso_as(eng, pid, CT_EV_ISOLATE_MIGRATE, ZSTART + PB, ZSTART + PB + 32, 32, 0);
	ev = ev_base(CT_EV_END);
	ev.pid = pid;
	if (kcompactd)
		snprintf(ev.comm, sizeof(ev.comm), "kcompactd0");
	ev.u.range = (struct ct_ev_range){ ZSTART, ZSTART + (stay ? 510 : PB + 32), ZSTART + 15 * PB, ZSTART + ZPAGES,
					   0, (int16_t)status };
	feed(eng, ev);
	ct_engine_end_source(eng);
	return zone0(ct_model_results(model_of(eng)));
}

static void check_counts(const struct ct_model_zone *z, const uint64_t *want, const char *what)
{
	CHECK(z != NULL);
	for (int o = 0; z && o < 11; o++)
		if (z->model_end_blocks[o] != want[o]) {
			CHECK_U64(z->model_end_blocks[o], want[o]);
			fprintf(stderr, "  (%s, order %d)\n", what, o);
		}
}

static void test_evidence(void)
{
	/*
	 * Hand analysis. After the run pageblock 15 has 246 single pages. The
	 * 10 pages migrated out of pageblock 0 are freed (per-CPU list high 0:
	 * straight on), so pageblock 0 has 510 free pages: one block of each
	 * order 1-8 (pages 510 and 511 still allocated, in the model).
	 */
	static const uint64_t no_evidence[11] = { 246, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0 };
	/*
	 * success: pageblock 0 is the block compaction made, entirely free (its
	 * two pages the run could not take were free); the allocation the run
	 * was for takes it: a direct stall's, or for kcompactd the next one of
	 * the order it was woken for. Had the model not known which block, the
	 * allocation would find none (pageblock 0 would keep its 510 pages).
	 */
	static const uint64_t allocated[11] = { 246 };
	/* no success: nothing is known of pageblock 0 but what the events said */
	struct ct_memsnap *s = evidence_snap(0), *s_high = evidence_snap(1000);
	struct ct_model_opts mo = { .start = s }, mo_high = { .start = s_high };
	struct ct_engine *eng;
	const struct ct_model_zone *z;

	if (!s || !s_high)
		goto out;
	eng = engine_with(&mo);
	check_counts(eng ? evidence_run(eng, 0, CT_STATUS_COMPLETE, 0) : NULL, no_evidence, "direct, complete");
	ct_engine_free(eng);
	eng = engine_with(&mo);
	check_counts(eng ? evidence_run(eng, 0, CT_STATUS_SUCCESS, 0) : NULL, allocated, "direct, success");
	ct_engine_free(eng);
	eng = engine_with(&mo);
	check_counts(eng ? evidence_run(eng, 1, CT_STATUS_SUCCESS, 0) : NULL, allocated, "kcompactd, success");
	ct_engine_free(eng);
	/*
	 * With per-CPU lists that keep what is freed (high 1000) and a scanner
	 * that stays in pageblock 0, the 10 pages stay on the run's CPU's list:
	 * pageblock 0 holds 500 free pages (one block of orders 8, 7, 6, 5, 4,
	 * 2). kcompactd's complete run drains every list (drain_all_pages()):
	 * 510 free as above.
	 */
	{
		static const uint64_t on_lists[11] = { 246, 0, 1, 0, 1, 1, 1, 1, 1, 0, 0 };

		eng = engine_with(&mo_high);
		check_counts(eng ? evidence_run(eng, 0, CT_STATUS_COMPLETE, 1) : NULL, on_lists, "direct, lists kept");
		ct_engine_free(eng);
		eng = engine_with(&mo_high);
		z = eng ? evidence_run(eng, 1, CT_STATUS_COMPLETE, 1) : NULL;
		check_counts(z, no_evidence, "kcompactd, complete: lists drained");
		CHECK(z && z->pcp_model_end == 0);
		ct_engine_free(eng);
	}
	/*
	 * fast_isolate_freepages took 64 pages: one order-6 block, the one of
	 * pageblock 0 (pfns 384-447), not the first 64 free pages where its
	 * range (where it searched) begins.
	 */
	{
		static const uint64_t fast[11] = { 256, 0, 1, 0, 1, 1, 0, 1, 1, 0, 0 };

		eng = engine_with(&mo);
		if (eng) {
			range_ev(eng, CT_EV_BEGIN, ZSTART, ZSTART + 15 * PB, 0);
			iso(eng, CT_EV_FAST_ISOLATE_FREE, ZSTART, ZSTART + 15 * PB, 70, 64);
			ct_engine_end_source(eng);	/* the run never ends: its pages are not returned */
			check_counts(zone0(ct_model_results(model_of(eng))), fast, "fast isolation");
		}
		ct_engine_free(eng);
	}
	/*
	 * compaction_suitable() said skipped at order 0: free pages <= min 10 +
	 * compact_gap 2 = 12. The model had 756: 744 went with no event,
	 * smallest blocks first: the 256 single pages, then blocks of 4, 16,
	 * 32, 64, 128 pages (244 more: 500 so far), then 244 of the order-8
	 * block, whose other 12 pages stay: one block of 8 and one of 4.
	 */
	{
		static const uint64_t bounded[11] = { 0, 0, 1, 1 };

		eng = engine_with(&mo);
		if (eng) {
			suitable(eng, 0, CT_STATUS_SKIPPED);
			z = zone0(ct_model_results(model_of(eng)));
			check_counts(z, bounded, "suitable: skipped");
			CHECK(z && z->free_pages_model_end == 12);
		}
		ct_engine_free(eng);
	}
out:
	ct_memsnap_free(s);
	ct_memsnap_free(s_high);
}

/* ---- the score: accuracy, baseline, skill, verdict ------------------------ */

/* The test's own computation of model.h's definitions, from a zone's three count rows. */
static void own_score(const struct ct_model_zone *z, double *acc, double *base, double *skill, int *skill_ok)
{
	double em = 0, es = 0, m = 0, a = 0, s = 0;

	for (int o = 0; o < z->norders; o++) {
		double w = (double)(1ULL << o), mo = (double)z->model_end_blocks[o];
		double ao = (double)z->actual_end_blocks[o], so = (double)z->start_blocks[o];

		em += (mo > ao ? mo - ao : ao - mo) * w;
		es += (so > ao ? so - ao : ao - so) * w;
		m += mo * w;
		a += ao * w;
		s += so * w;
	}
	*acc = m + a > 0 ? 1 - em / (m + a) : 1;
	*base = s + a > 0 ? 1 - es / (s + a) : 1;
	*skill_ok = es > 0;
	*skill = es > 0 ? 1 - em / es : 0;
}

static int close_to(double x, double y)
{
	return x - y < 1e-9 && y - x < 1e-9;
}

/*
 * One zone of 8192 pages starting with 2048 free single pages; @run: the
 * run of the_run() happens; @end: the end snapshot's counts. Hand-worked
 * expectations below (a block of order o weighs 2^o pages).
 */
static void score_case(const char *what, int run, const uint64_t *end, double acc, double base, int skill_ok,
		       double skill, enum ct_model_verdict verdict, const char *why)
{
	struct ct_memsnap *s = make_snap(start_counts, 0, NULL), *e = make_snap(end, 0, NULL);
	struct ct_model_opts mo = { .start = s, .end = e };
	struct ct_engine *eng = s && e ? engine_with(&mo) : NULL;
	const struct ct_model_zone *z;
	double a2, b2, k2;
	int ok2;

	if (!eng)
		goto out;
	if (run)
		the_run(eng, 0);
	ct_engine_end_source(eng);
	z = zone0(ct_model_results(model_of(eng)));
	CHECK(z && z->accuracy_valid);
	if (!z || !z->accuracy_valid)
		goto out;
	fprintf(stderr, "score %s: accuracy %.4f baseline %.4f skill %.4f (%d) verdict %s: %s\n", what, z->accuracy,
		z->baseline_accuracy, z->skill, z->skill_valid, ct_model_verdict_name(z->verdict), z->verdict_note);
	/* hand analysis */
	CHECK(close_to(z->accuracy, acc));
	CHECK(close_to(z->baseline_accuracy, base));
	CHECK(z->skill_valid == skill_ok);
	if (skill_ok)
		CHECK(close_to(z->skill, skill));
	CHECK(z->verdict == verdict);
	CHECK(why ? strstr(z->verdict_note, why) != NULL : z->verdict_note[0] == '\0');
	/* a second computation, written for the test */
	own_score(z, &a2, &b2, &k2, &ok2);
	CHECK(close_to(z->accuracy, a2) && close_to(z->baseline_accuracy, b2) && z->skill_valid == ok2);
	CHECK(!ok2 || close_to(z->skill, k2));
	CHECK(z->accuracy >= 0 && z->accuracy <= 1 && z->baseline_accuracy >= 0 && z->baseline_accuracy <= 1);
out:
	ct_engine_free(eng);
	ct_memsnap_free(s);
	ct_memsnap_free(e);
}

static void test_score(void)
{
	static const uint64_t lots[11] = { 6144 };

	/* no event, nothing changed: accuracy 1, no skill to show */
	score_case("unchanged", 0, start_counts, 1, 1, 0, 0, CT_VERDICT_UNCHANGED, NULL);
	/*
	 * No event, the end is 1024 pages and one order-10 block: the model stays
	 * at the start. Both miss by |2048 - 1024| + 1·1024 = 2048 pages of the
	 * 2048 + 2048 both sides hold: accuracy 0.5; skill 1 - 2048/2048 = 0.
	 */
	score_case("no event", 0, after_run, 0.5, 0.5, 1, 0, CT_VERDICT_NO_BETTER, "no event of the trace changed");
	/* the run makes exactly that end: error 0, skill 1, the start counts still 0.5 */
	score_case("the run", 1, after_run, 1, 0.5, 1, 1, CT_VERDICT_BETTER, NULL);
	/*
	 * The run, but the end has 6144 single pages: the model (1024 pages and
	 * a block of 1024) misses by 5120 + 1024 = 6144 of 2048 + 6144 = 8192:
	 * accuracy 0.25; the start misses by 4096 of 2048 + 6144: baseline 0.5;
	 * skill 1 - 6144/4096 = -0.5. The run migrated 512 pages (1024 moved),
	 * less than the change of 4096: the trace carries too little.
	 */
	score_case("untraced frees", 1, lots, 0.25, 0.5, 1, -0.5, CT_VERDICT_NO_BETTER, "the trace carries too little");
}

/*
 * The estimated model's lookup tables (src/model/model_est_tables.h,
 * generated) against the buddy rules worked out here: the free pages of
 * one byte of a free bitmap, merged pairwise while both halves of an
 * aligned block are free; and the places of a byte's set bits.
 */
static void test_tables(void)
{
	for (uint32_t v = 0; v < 256; v++) {
		uint32_t blocks[4] = { 0 }, want, k = 0;
		int free[8];

		for (int i = 0; i < 8; i++)
			free[i] = (v >> i) & 1;
		/* largest first: a block of 2^o pages at an aligned place, all free, not inside a larger one */
		for (int o = 3; o >= 0; o--)
			for (int i = 0; i < 8; i += 1 << o) {
				int all = 1;

				for (int j = i; j < i + (1 << o); j++)
					all &= free[j] == 1;
				if (!all)
					continue;
				blocks[o]++;
				for (int j = i; j < i + (1 << o); j++)
					free[j] = 2;	/* counted */
			}
		want = blocks[0] | blocks[1] << 8 | blocks[2] << 16 | blocks[3] << 24;
		CHECK_U64(est_canon_full[v], want);
		CHECK_U64(est_canon_byte[v], v == 0xff ? 0 : want);
		for (uint32_t i = 0; i < 8; i++)
			if (v >> i & 1)
				CHECK_U64(est_select8[v][k++], i);
	}
}

int main(void)
{
	ct_model_free(NULL);
	test_tables();
	for (int seeding = CT_SEED_TRACE; seeding <= CT_SEED_FREE_MAP + 1; seeding++)
		if (seeding != CT_SEED_KPAGEFLAGS)
			test_random(seeding);
	test_free_map_seed();
	test_counts_seed();
	for (int how = 0; how < 3; how++)
		test_exact(how);
	test_suitable();
	test_fallbacks();
	test_bad_input();
	test_no_snapshot();
	test_read_only_events();
	test_evidence();
	test_score();
	free_pipelines();
	return ct_test_status("test_model");
}
