// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * perf.data's reorder queue (parsers/perf_order.c) against a plain list:
 * seeded random streams shaped like perf.data — per-CPU blocks in time
 * order, CPUs overlapping in time, ties, late records, gaps between
 * records, records in a buffer that moves — flushed at random limits. Each
 * record the queue releases must be the list's earliest by (time, arrival),
 * with its own bytes and offset. CT_SEED=N replays a seed.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ct_test.h"
#include "perf_order.h"

#define MAP_SIZE (6u << 20)
#define MOVED_WHERE (1ull << 40)	/* offsets given to moving records */

struct expect {
	uint64_t ts, seq, where, id;
	uint32_t size;
};

static struct {
	struct expect *v;
	size_t n, cap;
} pending;

static uint64_t rng_state;
/* bytes of moving records' copies still queued (as perf_order.c lays them out), and their peak */
static uint64_t copied, copied_peak, copied_total;

static uint64_t copy_size(uint32_t size)
{
	return 8 + ((size + 7u) & ~7u);
}

static uint64_t rnd(void)
{
	/* splitmix64 */
	uint64_t z = (rng_state += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static uint32_t below(uint32_t n)
{
	return (uint32_t)(rnd() % n);
}

/* a record: { u32 type; u16 misc; u16 size; u64 ts; u64 id; filler } */
static uint64_t parse(void *ctx, struct pf_item *it)
{
	uint16_t size;
	uint64_t ts;

	(void)ctx;
	memcpy(&size, it->rec + 6, 2);
	memcpy(&ts, it->rec + 8, 8);
	it->size = size;
	return ts;
}

static void write_record(unsigned char *p, uint32_t size, uint64_t ts, uint64_t id)
{
	uint32_t type = 9;
	uint16_t misc = 0, sz = (uint16_t)size;

	memcpy(p, &type, 4);
	memcpy(p + 4, &misc, 2);
	memcpy(p + 6, &sz, 2);
	memcpy(p + 8, &ts, 8);
	memcpy(p + 16, &id, 8);
	memset(p + 24, (int)(id & 0xff), size - 24);
}

/* pop every record up to @limit, each checked against the list's earliest */
static void flush(struct ct_test *t, struct pf_order *o, uint64_t limit)
{
	const struct pf_item *top;

	while ((top = pf_order_top(o)) && top->ts <= limit) {
		size_t best = 0;
		uint64_t id;

		if (!pending.n) {
			CHECK(t, pending.n > 0);
			return;
		}
		for (size_t i = 1; i < pending.n; i++) {
			const struct expect *a = &pending.v[i], *b = &pending.v[best];

			if (a->ts < b->ts || (a->ts == b->ts && a->seq < b->seq))
				best = i;
		}
		memcpy(&id, top->rec + 16, 8);
		CHECK_U64(t, top->ts, pending.v[best].ts);
		CHECK_U64(t, top->seq, pending.v[best].seq);
		CHECK_U64(t, top->where, pending.v[best].where);
		CHECK_U64(t, top->size, pending.v[best].size);
		CHECK_U64(t, id, pending.v[best].id);
		CHECK(t, top->rec[top->size - 1] == (unsigned char)(id & 0xff));
		if (pending.v[best].where >= MOVED_WHERE)
			copied -= copy_size(pending.v[best].size);
		pending.v[best] = pending.v[--pending.n];
		pf_order_pop(o);
		if (t->failures > 20)
			exit(1);
	}
	CHECK(t, !pending.n || pf_order_top(o));
	CHECK_U64(t, o->queued, pending.n);
}

static uint64_t low_map_where(void)
{
	uint64_t low = UINT64_MAX;

	for (size_t i = 0; i < pending.n; i++)
		if (pending.v[i].where < MOVED_WHERE && pending.v[i].where < low)
			low = pending.v[i].where;
	return low;
}

static int push(struct pf_order *o, unsigned char *map, size_t *map_used, unsigned char *moving_buf,
		int moving, int gap, uint64_t ts, uint64_t *seq, uint64_t *moved)
{
	uint32_t size = 25 + below(120);	/* a filler byte at least */
	struct pf_item it = { .ts = ts, .seq = (*seq)++, .size = size };
	struct expect e;

	if (moving) {
		write_record(moving_buf, size, ts, it.seq);
		it.rec = moving_buf;
		it.where = MOVED_WHERE + (*moved)++;
	} else {
		if (gap)
			*map_used += 8;
		write_record(map + *map_used, size, ts, it.seq);
		it.rec = map + *map_used;
		it.where = *map_used;
		*map_used += size;
	}
	if (pf_order_push(o, &it, moving) < 0)
		return -1;
	if (moving) {
		memset(moving_buf, 0xee, size);	/* the buffer moves on */
		copied += copy_size(size);
		copied_total += copy_size(size);
		if (copied > copied_peak)
			copied_peak = copied;
	}
	e = (struct expect){ .ts = ts, .seq = it.seq, .where = it.where, .id = it.seq, .size = size };
	if (pending.n == pending.cap) {
		pending.cap = pending.cap ? 2 * pending.cap : 1024;
		pending.v = realloc(pending.v, pending.cap * sizeof(*pending.v));
		if (!pending.v)
			return -1;
	}
	pending.v[pending.n++] = e;
	return 0;
}

int main(void)
{
	struct ct_test t = { .what = "perf_order" };
	const char *env = getenv("CT_SEED");
	uint64_t seed = env ? strtoull(env, NULL, 0) : 20261206;
	unsigned char *map = malloc(MAP_SIZE), moving_buf[256];
	uint64_t clock[4] = { 1000, 1000, 1000, 1000 }, seq = 0, moved = 0, max_ts = 0;
	size_t map_used = 0;
	struct pf_order o;

	if (!map)
		return 1;
	printf("seed %" PRIu64 " (CT_SEED=%" PRIu64 " replays it)\n", seed, seed);
	rng_state = seed;
	pf_order_init(&o, parse, NULL);
	while (map_used + 400 * 160 < MAP_SIZE) {
		/* one CPU's block: mostly in time order, sometimes moving, gaps and late records */
		uint32_t cpu = below(4), len = 1 + below(400);
		int moving = below(10) < 3;

		for (uint32_t i = 0; i < len; i++) {
			uint32_t late = below(100) < 2;
			uint64_t ts = late && clock[cpu] > 50 ? clock[cpu] - below(50) : (clock[cpu] += below(4));

			if (push(&o, map, &map_used, moving_buf, moving, below(100) < 3, ts, &seq, &moved) < 0) {
				fprintf(stderr, "out of memory\n");
				return 1;
			}
			if (ts > max_ts)
				max_ts = ts;
			if (below(50) == 0)
				moving = !moving;
		}
		CHECK_U64(&t, pf_order_low_where(&o, UINT64_MAX), low_map_where());
		if (below(10) < 3)	/* a flush up to somewhere in what is queued */
			flush(&t, &o, pf_order_top(&o) ? pf_order_top(&o)->ts + below(400) : 0);
		else if (below(10) == 0)	/* a round's end: all but the latest */
			flush(&t, &o, max_ts - below(100));
		if (below(200) == 0)	/* let the CPUs drift apart */
			clock[below(4)] += below(5000);
	}
	flush(&t, &o, UINT64_MAX);
	/* the copies' blocks are reused: about as many as the copies queued at most fill, the array at most twice that */
	CHECK(&t, o.nblocks <= 2 + copied_peak / (1u << 20));
	CHECK(&t, o.capblocks <= 8 || o.capblocks <= 2 * o.nblocks);
	printf("blocks for moving records: %u (array of %u) for at most %" PRIu64 " bytes of copies queued, %" PRIu64 " in all\n",
	       o.nblocks, o.capblocks, copied_peak, copied_total);
	CHECK_U64(&t, pending.n, 0);
	CHECK(&t, pf_order_top(&o) == NULL);
	printf("%" PRIu64 " records (%" PRIu64 " moving), max time %" PRIu64 ", %d checks, %d failed\n",
	       seq, moved, max_ts, t.checks, t.failures);
	pf_order_free(&o);
	free(pending.v);
	free(map);
	return t.failures ? 1 : 0;
}
