/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef CT_PARSERS_PERF_ORDER_H
#define CT_PARSERS_PERF_ORDER_H

/*
 * perf.data's reorder queue (perf's ordered_events): records come out in
 * (time, arrival) order. Records are not copied one by one into the queue:
 * a perf.data file holds each CPU's ring buffer flushed as one block of
 * records already in time order, so the queue keeps *runs* — stretches of
 * consecutive records whose times do not go down — and merges them with a
 * small heap. A record costs a pointer step when queued and one parse when
 * it comes to the front, instead of a 56-byte copy into a per-CPU ring that
 * outgrows the cache. Records that live in a buffer that moves (pipe input,
 * inflated perf -z data) are copied into blocks of their own first, where
 * consecutive records form runs just the same.
 */

#include <stdint.h>

/* a queued record, as the reader parsed it */
struct pf_item {
	uint64_t ts, seq;		/* the order: time, then arrival */
	const unsigned char *rec;
	uint64_t where;			/* its offset in the input, for messages */
	uint32_t size;
	/* a tracepoint sample: what the reader's parse found */
	uint8_t sample, has_tid, has_cpu;
	uint32_t tid, cpu, raw_off, raw_size;
};

/*
 * The reader's parse of a record at it->rec: sets it->size and the sample
 * fields, returns its time. Called again on each record of a run when it
 * comes to the front; it must give the same answer as when it was queued.
 */
typedef uint64_t (*pf_order_parse_fn)(void *ctx, struct pf_item *it);

#define PF_ORDER_NONE UINT32_MAX
#define PF_ORDER_IN_MAP UINT32_MAX	/* pf_run.block of a run read in place */

/*
 * A run of records in order (perf_order.c). Here, with the common cases
 * of a push and a pop, for them to be inline where perf.data is read:
 * each is done once a record (the calls cost 6% of the instructions).
 */
struct pf_run {
	struct pf_item head;		/* its earliest record, parsed */
	const unsigned char *next_at;	/* where a record joining it must start */
	uint64_t last_ts;		/* its latest record's */
	uint32_t n;			/* records left, the head included */
	uint32_t block;			/* IN_MAP, or the block holding the copies */
	uint32_t hpos;			/* place in the heap; a free slot: the next free one */
};

struct pf_block;

struct pf_order {
	pf_order_parse_fn parse;
	void *ctx;
	struct pf_run *runs;		/* pool; free slots chained through hpos */
	uint32_t nruns, capruns, free_run;
	uint32_t *heap;			/* runs by their first record's (ts, seq) */
	uint32_t nheap;
	uint32_t tail;			/* the run the last record joined, or UINT32_MAX */
	struct pf_block *blocks;	/* copies of moving records */
	uint32_t nblocks, capblocks, cur_block;
	uint64_t queued;		/* records in all runs */
};

void pf_order_init(struct pf_order *o, pf_order_parse_fn parse, void *ctx);
void pf_order_free(struct pf_order *o);

/* pf_order_push() of a record that does not join the tail run in place */
int pf_order_push_slow(struct pf_order *o, const struct pf_item *it, int moving);

/*
 * Queue the record @it describes (ts, seq, rec, where, size and the parse
 * set; each push's seq one more than the previous push's, so a run's
 * records number on from its first). @moving: it->rec lies in a buffer
 * that changes after this call, so it is copied. 0, or -CT_E_NOMEM.
 */
static inline int pf_order_push(struct pf_order *o, const struct pf_item *it, int moving)
{
	struct pf_run *run;

	/* the record right after the tail run's last one, no earlier than it: the run goes on */
	if (!moving && o->tail != PF_ORDER_NONE && (run = &o->runs[o->tail])->block == PF_ORDER_IN_MAP &&
	    run->next_at == it->rec && it->ts >= run->last_ts) {
		o->queued++;
		run->n++;
		run->last_ts = it->ts;
		run->next_at = it->rec + it->size;
		return 0;
	}
	return pf_order_push_slow(o, it, moving);
}

/* the earliest queued record, or NULL; valid until pf_order_pop() */
static inline const struct pf_item *pf_order_top(const struct pf_order *o)
{
	return o->nheap ? &o->runs[o->heap[0]].head : NULL;
}

/* pf_order_pop_with() of a run's last record, or of a run of copies */
void pf_order_pop_slow(struct pf_order *o);
/* the heap put right after the earliest run's head moved on */
void pf_order_sift(struct pf_order *o);

static inline int pf_order_before(const struct pf_order *o, uint32_t a, uint32_t b)
{
	const struct pf_item *x = &o->runs[a].head, *y = &o->runs[b].head;

	return x->ts < y->ts || (x->ts == y->ts && x->seq < y->seq);
}

/*
 * Drop the earliest record (the caller is done with it), @parse the next
 * of its run: the queue's own parse function, given here so that it can
 * be inline too
 */
static inline void pf_order_pop_with(struct pf_order *o, pf_order_parse_fn parse, void *ctx)
{
	uint32_t r = o->heap[0];
	struct pf_run *run = &o->runs[r];
	struct pf_item *h = &run->head;

	if (run->n < 2 || run->block != PF_ORDER_IN_MAP) {
		pf_order_pop_slow(o);
		return;
	}
	o->queued--;
	run->n--;
	h->rec += h->size;
	h->where += h->size;
	/* the run's records a little ahead into the cache: they were read long ago */
	__builtin_prefetch(h->rec + 2048);	/* bench perf.data, mapped: 1, 2 and 4 KB ahead took 5, 5 and 2% off */
	h->seq++;
	h->ts = parse(ctx, h);
	/* mostly the same run is still the earliest: the heap's first look, inline */
	if ((o->nheap > 1 && pf_order_before(o, o->heap[1], r)) ||
	    (o->nheap > 2 && pf_order_before(o, o->heap[2], r)))
		pf_order_sift(o);
}

/* drop the earliest record (the caller is done with it) */
static inline void pf_order_pop(struct pf_order *o)
{
	pf_order_pop_with(o, o->parse, o->ctx);
}

/* the lowest input offset a queued record in the input's own map has, or @low */
uint64_t pf_order_low_where(const struct pf_order *o, uint64_t low);

#endif
