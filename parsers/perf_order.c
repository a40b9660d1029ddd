// SPDX-License-Identifier: GPL-2.0-or-later
/* perf.data's reorder queue as runs of in-order records (perf_order.h) */
#include <stdlib.h>
#include <string.h>

#include "compactrace/error.h"
#include "core/util.h"
#include "perf_order.h"

#define NONE PF_ORDER_NONE
#define IN_MAP PF_ORDER_IN_MAP
#define BLOCK_SIZE (1u << 20)	/* copies of moving records; a record is < 64 KiB */

/* a copy is laid out as { u64 where; record; padding to 8 bytes } */
struct pf_block {
	unsigned char *mem;		/* NULL: slot unused */
	uint32_t used, refs;		/* refs: runs with records in it */
};

static inline uint32_t copy_stride(uint32_t size)
{
	return 8 + ((size + 7u) & ~7u);
}

/* from a record of @size to the next one of its run, in the map or in a block */
static inline uint32_t run_stride(uint32_t block, uint32_t size)
{
	return block == IN_MAP ? size : copy_stride(size);
}

void pf_order_init(struct pf_order *o, pf_order_parse_fn parse, void *ctx)
{
	memset(o, 0, sizeof(*o));
	o->parse = parse;
	o->ctx = ctx;
	o->free_run = NONE;
	o->tail = NONE;
	o->cur_block = NONE;
}

void pf_order_free(struct pf_order *o)
{
	for (uint32_t b = 0; b < o->nblocks; b++)
		free(o->blocks[b].mem);
	free(o->blocks);
	free(o->runs);
	free(o->heap);
	memset(o, 0, sizeof(*o));
}

/* ---- the heap of runs, by their first record ---- */


static inline void heap_set(struct pf_order *o, uint32_t i, uint32_t run)
{
	o->heap[i] = run;
	o->runs[run].hpos = i;
}

static void heap_up(struct pf_order *o, uint32_t i)
{
	uint32_t run = o->heap[i];

	while (i && pf_order_before(o, run, o->heap[(i - 1) / 2])) {
		heap_set(o, i, o->heap[(i - 1) / 2]);
		i = (i - 1) / 2;
	}
	heap_set(o, i, run);
}

static void heap_down(struct pf_order *o, uint32_t i)
{
	uint32_t run = o->heap[i];

	for (;;) {
		uint32_t l = 2 * i + 1, m = l;

		if (l >= o->nheap)
			break;
		if (l + 1 < o->nheap && pf_order_before(o, o->heap[l + 1], o->heap[l]))
			m = l + 1;
		if (!pf_order_before(o, o->heap[m], run))
			break;
		heap_set(o, i, o->heap[m]);
		i = m;
	}
	heap_set(o, i, run);
}

/* ---- blocks for copies of moving records ---- */

static void block_unref(struct pf_order *o, uint32_t b)
{
	if (--o->blocks[b].refs == 0 && b != o->cur_block)
		o->blocks[b].used = 0;	/* idle: kept for the next copies */
}

/* a block with room for @need more bytes, as o->cur_block */
static int block_with_room(struct pf_order *o, uint32_t need)
{
	uint32_t b, idle = NONE, unused = NONE;

	if (o->cur_block != NONE && o->blocks[o->cur_block].used + need <= BLOCK_SIZE)
		return 0;
	if (o->cur_block != NONE && o->blocks[o->cur_block].refs == 0)
		o->blocks[o->cur_block].used = 0;
	o->cur_block = NONE;
	for (b = 0; b < o->nblocks && idle == NONE; b++) {
		if (o->blocks[b].mem && !o->blocks[b].refs)
			idle = b;
		else if (!o->blocks[b].mem && unused == NONE)
			unused = b;
	}
	if (idle == NONE) {
		if (unused == NONE && o->nblocks == o->capblocks) {
			uint32_t cap = o->capblocks ? 2 * o->capblocks : 8;
			struct pf_block *v = realloc(o->blocks, cap * sizeof(*v));

			if (!v)
				return -CT_E_NOMEM;
			memset(v + o->capblocks, 0, (cap - o->capblocks) * sizeof(*v));
			o->blocks = v;
			o->capblocks = cap;
		}
		if (unused == NONE)
			unused = o->nblocks++;
		o->blocks[unused].mem = malloc(BLOCK_SIZE);
		if (!o->blocks[unused].mem)
			return -CT_E_NOMEM;
		ct_populate(o->blocks[unused].mem, BLOCK_SIZE);	/* filled next: no fault per page */
		idle = unused;
	}
	o->blocks[idle].used = 0;
	o->cur_block = idle;
	return 0;
}

/* copy a moving record into the current block; its new place in @rec */
static int copy_record(struct pf_order *o, const struct pf_item *it, const unsigned char **rec)
{
	struct pf_block *blk;
	unsigned char *p;
	int ret = block_with_room(o, copy_stride(it->size));

	if (ret < 0)
		return ret;
	blk = &o->blocks[o->cur_block];
	p = blk->mem + blk->used;
	memcpy(p, &it->where, 8);
	memcpy(p + 8, it->rec, it->size);
	blk->used += copy_stride(it->size);
	*rec = p + 8;
	return 0;
}

/* ---- runs ---- */

static uint32_t new_run(struct pf_order *o)
{
	uint32_t r = o->free_run;

	if (r != NONE) {
		o->free_run = o->runs[r].hpos;
		return r;
	}
	if (o->nruns == o->capruns) {
		uint32_t cap = o->capruns ? 2 * o->capruns : 64;
		struct pf_run *v = realloc(o->runs, cap * sizeof(*v));
		uint32_t *h;

		if (!v)
			return NONE;
		o->runs = v;
		h = realloc(o->heap, cap * sizeof(*h));
		if (!h)
			return NONE;
		o->heap = h;
		o->capruns = cap;
	}
	return o->nruns++;
}

/* pf_order_push() but for a record that joins the tail run in place */
int pf_order_push_slow(struct pf_order *o, const struct pf_item *it, int moving)
{
	const unsigned char *rec = it->rec;
	uint32_t block = IN_MAP, r;
	struct pf_run *run;

	if (moving) {
		int ret = copy_record(o, it, &rec);

		if (ret < 0)
			return ret;
		block = o->cur_block;
	}
	o->queued++;
	if (o->tail != NONE) {
		run = &o->runs[o->tail];
		/* the record right after the last one, no earlier than it: the run goes on */
		if (run->block == block && run->next_at == rec && it->ts >= run->last_ts) {
			run->n++;
			run->last_ts = it->ts;
			run->next_at = rec + run_stride(block, it->size);
			return 0;
		}
	}
	r = new_run(o);
	if (r == NONE) {
		o->queued--;
		return -CT_E_NOMEM;
	}
	run = &o->runs[r];
	run->head = *it;
	run->head.rec = rec;
	run->n = 1;
	run->last_ts = it->ts;
	run->block = block;
	run->next_at = rec + run_stride(block, it->size);
	if (block != IN_MAP)
		o->blocks[block].refs++;
	o->tail = r;
	o->heap[o->nheap] = r;
	o->runs[r].hpos = o->nheap++;
	heap_up(o, o->runs[r].hpos);
	return 0;
}

void pf_order_sift(struct pf_order *o)
{
	heap_down(o, 0);
}

/* pf_order_pop_with() of a run's last record, or of a run of copies */
void pf_order_pop_slow(struct pf_order *o)
{
	uint32_t r = o->heap[0];
	struct pf_run *run = &o->runs[r];
	struct pf_item *h = &run->head;

	o->queued--;
	if (--run->n) {
		/* a run of copies (one in place goes on in pf_order_pop_with()): the next copy, parsed */
		h->rec += copy_stride(h->size);
		memcpy(&h->where, h->rec - 8, 8);
		h->seq++;
		h->ts = o->parse(o->ctx, h);
		if ((o->nheap > 1 && pf_order_before(o, o->heap[1], r)) ||
		    (o->nheap > 2 && pf_order_before(o, o->heap[2], r)))
			heap_down(o, 0);
		return;
	}
	if (o->tail == r)
		o->tail = NONE;
	if (run->block != IN_MAP)
		block_unref(o, run->block);
	run->hpos = o->free_run;
	o->free_run = r;
	if (--o->nheap) {
		o->heap[0] = o->heap[o->nheap];
		heap_down(o, 0);
	}
}

uint64_t pf_order_low_where(const struct pf_order *o, uint64_t low)
{
	for (uint32_t i = 0; i < o->nheap; i++) {
		const struct pf_run *run = &o->runs[o->heap[i]];

		if (run->block == IN_MAP && run->head.where < low)
			low = run->head.where;
	}
	return low;
}
