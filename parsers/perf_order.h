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

/* a run of records in order (perf_order.c); here for pf_order_top() to be inline */
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

/*
 * Queue the record @it describes (ts, seq, rec, where, size and the parse
 * set; each push's seq one more than the previous push's, so a run's
 * records number on from its first). @moving: it->rec lies in a buffer
 * that changes after this call, so it is copied. 0, or -CT_E_NOMEM.
 */
int pf_order_push(struct pf_order *o, const struct pf_item *it, int moving);

/* the earliest queued record, or NULL; valid until pf_order_pop() */
static inline const struct pf_item *pf_order_top(const struct pf_order *o)
{
	return o->nheap ? &o->runs[o->heap[0]].head : NULL;
}

/* drop the earliest record (the caller is done with it) */
void pf_order_pop(struct pf_order *o);

/* the lowest input offset a queued record in the input's own map has, or @low */
uint64_t pf_order_low_where(const struct pf_order *o, uint64_t low);

#endif
