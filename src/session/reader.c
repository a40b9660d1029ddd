// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The decode thread of a replay (see reader.h). A ring of READER_SLOTS
 * batches: the thread fills them in order, the caller takes them in
 * order; whoever would overtake the other waits on a condition variable,
 * once per batch, never per event.
 *
 * A source that reads in chunks (text) is decoded on both threads instead:
 * CHUNK_SLOTS chunks, read in order by one thread at a time, decoded by
 * the thread and by the caller whenever it has no decoded chunk to take,
 * taken (and finished) by the caller in the order they were read.
 */
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "compactrace/error.h"
#include "session/reader.h"

#define READER_BATCH 2048	/* events per batch (512 KB): a hand-over, and maybe a wake-up, per batch */
#define READER_SLOTS 4
#define CHUNK_SLOTS 6		/* 64 KB of text each, and its events */
_Static_assert(CHUNK_SLOTS < CT_CHUNKS_IN_FLIGHT, "a chunk is taken before the source reuses what it points at");

#define STREAM_BATCH 32	/* events decoded at once from a streaming chunk: 8 KB, in cache */

enum chunk_state { CH_FREE, CH_BUSY, CH_READ, CH_DONE };

/*
 * A slot to itself in the cache: one thread writes the chunk it reads
 * (its length, record by record) while the other reads the chunk it
 * decodes, and neighbours sharing a line cost both of them a transfer
 * every record.
 */
struct chunk_slot {
	struct ct_chunk c;
	enum chunk_state state;
	uint64_t seq;		/* its place in the input */
	int err;		/* decoding failed (-CT_E_NOMEM) */
} __attribute__((aligned(128)));

struct reader_batch {
	struct ct_event *ev;	/* [READER_BATCH] */
	uint32_t *name_off;	/* where each event's name was copied to in @names */
	char *names;		/* the events' names: the parser's buffer moves on */
	size_t names_len, names_cap;
	uint32_t n;
	int end;		/* 0 more follow; 1 the source ended; <0 its error */
};

struct ct_reader {
	struct ct_source *src;
	pthread_t thread;
	pthread_mutex_t mu;
	pthread_cond_t can_fill, can_take;
	struct reader_batch b[READER_SLOTS];
	uint64_t filled, taken;	/* batches [taken, filled) are ready */
	int held;		/* the caller still reads batch @taken */
	int stop;		/* the caller wants no more */
	int running;
	/* chunk mode */
	int chunked;
	struct chunk_slot cs[CHUNK_SLOTS];
	uint64_t next_seq;	/* of the next chunk read */
	int reading;		/* a thread is reading a chunk */
	int read_end;		/* 0 more to read; 1 the input ended; <0 the read failed */
	struct chunk_slot *held_chunk;
	/* streaming chunks: the held chunk decoded a few events at a time, here */
	int streams;
	size_t pos;
	struct ct_event few[STREAM_BATCH];
};

/*
 * Whether a second thread would have a CPU of its own now: no more tasks
 * running (ourselves included; /proc/loadavg's fourth field) than the CPUs
 * we may run on, less one. Measured on this project's 2-CPU VM: with the
 * other CPU idle two threads took 30% less time than one on trace-cmd
 * text; with one other busy process (a shell loop), 20% more.
 */
static int spare_cpu(void)
{
	cpu_set_t set;
	unsigned running = 0;
	int cpus;
	FILE *f;

	if (sched_getaffinity(0, sizeof(set), &set) < 0)
		return sysconf(_SC_NPROCESSORS_ONLN) > 1;
	cpus = CPU_COUNT(&set);
	if (cpus < 2)
		return 0;
	f = fopen("/proc/loadavg", "re");
	if (!f)
		return 1;
	if (fscanf(f, "%*s %*s %*s %u/", &running) != 1)
		running = 0;
	fclose(f);
	return running <= (unsigned)cpus - 1;
}

int ct_reader_threads(const struct ct_source *src)
{
	const char *e = getenv("CT_THREADS");

	if (e && strcmp(e, "1") == 0)
		return 1;
	if (e && strcmp(e, "2") == 0)
		return 2;
	/*
	 * Two pay where both threads decode (text's chunks) and where the
	 * second reads and orders trace.dat's or perf.data's records; where it
	 * hands decoded batches over (piped perf data), it costs more (README
	 * "Speed").
	 */
	if (!ct_source_can_chunk(src) || (ct_source_chunk_streams(src) && !ct_source_chunk_streams_pay(src)))
		return 1;
	return spare_cpu() ? 2 : 1;
}

/* copy @ev's name into the batch; its pointer is set once the batch is full */
static int keep_name(struct reader_batch *b, const struct ct_event *ev)
{
	if (b->names_len + ev->name_len > b->names_cap) {
		size_t ncap = 2 * b->names_cap + ev->name_len;
		char *n = realloc(b->names, ncap);

		if (!n)
			return -CT_E_NOMEM;
		b->names = n;
		b->names_cap = ncap;
	}
	memcpy(b->names + b->names_len, ev->name, ev->name_len);
	b->name_off[b->n] = (uint32_t)b->names_len;
	b->names_len += ev->name_len;
	return 0;
}

static void fill(struct ct_reader *r, struct reader_batch *b)
{
	b->n = 0;
	b->names_len = 0;
	b->end = 0;
	while (b->n < READER_BATCH) {
		struct ct_event *ev = &b->ev[b->n];
		int ret = ct_source_next(r->src, ev);

		if (ret <= 0) {
			b->end = ret == 0 ? 1 : ret;
			break;
		}
		if (ev->name_len && (ret = keep_name(b, ev)) < 0) {
			b->end = ret;
			break;
		}
		b->n++;
		if (__atomic_load_n(&r->stop, __ATOMIC_RELAXED))
			break;
	}
	for (uint32_t i = 0; i < b->n; i++)
		if (b->ev[i].name_len)
			b->ev[i].name = b->names + b->name_off[i];
}

static void *run(void *arg)
{
	struct ct_reader *r = arg;

	for (;;) {
		struct reader_batch *b;
		int end;

		pthread_mutex_lock(&r->mu);
		while (!r->stop && r->filled - r->taken == READER_SLOTS)
			pthread_cond_wait(&r->can_fill, &r->mu);
		if (r->stop) {
			pthread_mutex_unlock(&r->mu);
			break;
		}
		b = &r->b[r->filled % READER_SLOTS];
		pthread_mutex_unlock(&r->mu);

		fill(r, b);	/* the slot is ours alone: the caller does not look at it */
		end = b->end;

		pthread_mutex_lock(&r->mu);
		r->filled++;
		pthread_cond_signal(&r->can_take);
		pthread_mutex_unlock(&r->mu);
		if (end)
			break;
	}
	return NULL;
}

/* ---- chunk mode ---- */

/* the slot in state @st holding chunk @seq; with @any, the oldest (@any 1) or newest (@any 2) in @st */
static struct chunk_slot *slot_in(struct ct_reader *r, enum chunk_state st, uint64_t seq, int any)
{
	struct chunk_slot *best = NULL;

	for (int i = 0; i < CHUNK_SLOTS; i++) {
		struct chunk_slot *c = &r->cs[i];

		if (c->state != st || (!any && c->seq != seq))
			continue;
		if (!best || (any == 2 ? c->seq > best->seq : c->seq < best->seq))
			best = c;
	}
	return best;
}

/* decode @c, with the lock held (and held again on return) */
static void decode(struct ct_reader *r, struct chunk_slot *c)
{
	int ret;

	c->state = CH_BUSY;
	pthread_mutex_unlock(&r->mu);
	ret = ct_source_decode_chunk(r->src, &c->c);
	pthread_mutex_lock(&r->mu);
	c->err = ret;
	c->state = CH_DONE;
	pthread_cond_broadcast(&r->can_take);
}

/* read the next chunk into a free slot, with the lock held; 0 when it cannot be read now */
static int read_next(struct ct_reader *r)
{
	struct chunk_slot *c;
	int ret;

	if (r->reading || r->read_end || r->stop || !(c = slot_in(r, CH_FREE, 0, 1)))
		return 0;
	r->reading = 1;
	c->state = CH_BUSY;
	c->seq = r->next_seq;
	pthread_mutex_unlock(&r->mu);
	ret = ct_source_read_chunk(r->src, &c->c);
	pthread_mutex_lock(&r->mu);
	r->reading = 0;
	if (ret == 1) {
		r->next_seq++;
		c->state = CH_READ;
	} else {
		c->state = CH_FREE;
		r->read_end = ret == 0 ? 1 : ret;
	}
	pthread_cond_broadcast(&r->can_take);
	return 1;
}

/*
 * One piece of work, called with the lock held (and held again on return);
 * 0 when there was nothing to do. The caller (@want: the chunk it takes
 * next) only decodes that chunk, or reads it when nobody has: its own
 * time goes to the engine. The decode thread reads ahead first, then
 * decodes the newest chunk read, away from where the caller decodes.
 */
static int chunk_work(struct ct_reader *r, uint64_t want)
{
	struct chunk_slot *c;

	if (want != UINT64_MAX) {
		if (!r->streams && (c = slot_in(r, CH_READ, want, 0)) != NULL) {
			decode(r, c);
			return 1;
		}
		return r->next_seq == want && read_next(r);
	}
	if (read_next(r))
		return 1;
	if (!r->streams && (c = slot_in(r, CH_READ, 0, 2)) != NULL) {
		decode(r, c);
		return 1;
	}
	return 0;
}

static void *run_chunks(void *arg)
{
	struct ct_reader *r = arg;

	pthread_mutex_lock(&r->mu);
	while (!r->stop) {
		if (!chunk_work(r, UINT64_MAX))
			pthread_cond_wait(&r->can_take, &r->mu);
	}
	pthread_mutex_unlock(&r->mu);
	return NULL;
}

/* a few events of the held streaming chunk; 0 when it has none left */
static int next_few(struct ct_reader *r, const struct ct_event **ev, uint32_t *n)
{
	uint32_t k = 0;
	int ret = 1;

	while (k < STREAM_BATCH && (ret = ct_source_chunk_next(r->src, &r->held_chunk->c, &r->pos, &r->few[k])) == 1)
		k++;
	if (ret < 0)
		return ret;
	*ev = r->few;
	*n = k;
	return k > 0;
}

/* the caller's side: the next chunk in order, decoding or reading meanwhile rather than waiting */
static int next_chunk(struct ct_reader *r, const struct ct_event **ev, uint32_t *n)
{
	uint64_t want;
	struct chunk_slot *c;
	int ret;

	*ev = NULL;
	*n = 0;
	if (r->streams && r->held_chunk && (ret = next_few(r, ev, n)) != 0)
		return ret;
	pthread_mutex_lock(&r->mu);
	if (r->held_chunk) {
		r->held_chunk->state = CH_FREE;
		r->held_chunk = NULL;
		r->taken++;
		pthread_cond_broadcast(&r->can_take);
	}
	want = r->taken;
	for (;;) {
		c = slot_in(r, r->streams ? CH_READ : CH_DONE, want, 0);
		if (c)
			break;
		if (r->read_end && r->next_seq == want) {	/* nothing more comes */
			int end = r->read_end;

			pthread_mutex_unlock(&r->mu);
			return end > 0 ? 0 : end;
		}
		if (!chunk_work(r, want))
			pthread_cond_wait(&r->can_take, &r->mu);
	}
	r->held_chunk = c;
	if (r->streams) {
		c->state = CH_BUSY;	/* the decode thread leaves it be */
		pthread_mutex_unlock(&r->mu);
		r->pos = 0;
		ret = next_few(r, ev, n);
		return ret < 0 ? ret : 1;	/* an empty chunk: more may follow */
	}
	pthread_mutex_unlock(&r->mu);
	if (c->err)
		return c->err;
	ct_source_finish_chunk(r->src, &c->c);
	*ev = c->c.ev;
	*n = c->c.nev;
	return 1;
}

static void free_batches(struct ct_reader *r)
{
	for (int i = 0; i < READER_SLOTS; i++) {
		free(r->b[i].ev);
		free(r->b[i].name_off);
		free(r->b[i].names);
	}
	for (int i = 0; i < CHUNK_SLOTS; i++)
		ct_source_chunk_free(r->src, &r->cs[i].c);
}

int ct_reader_start(struct ct_source *src, struct ct_reader **out)
{
	struct ct_reader *r;
	int ret = -CT_E_NOMEM;

	*out = NULL;
	/* the slots' alignment holds only in memory aligned as they are (a struct's size is a multiple of it) */
	r = aligned_alloc(_Alignof(struct ct_reader), sizeof(*r));
	if (!r)
		return -CT_E_NOMEM;
	memset(r, 0, sizeof(*r));
	r->src = src;
	r->chunked = ct_source_can_chunk(src);
	r->streams = r->chunked && ct_source_chunk_streams(src);
	for (int i = 0; !r->chunked && i < READER_SLOTS; i++) {
		struct reader_batch *b = &r->b[i];

		b->ev = malloc(READER_BATCH * sizeof(*b->ev));
		b->name_off = malloc(READER_BATCH * sizeof(*b->name_off));
		b->names_cap = 64 * READER_BATCH;
		b->names = malloc(b->names_cap);
		if (!b->ev || !b->name_off || !b->names)
			goto out;
	}
	if (pthread_mutex_init(&r->mu, NULL))
		goto out;
	if (pthread_cond_init(&r->can_fill, NULL)) {
		pthread_mutex_destroy(&r->mu);
		goto out;
	}
	if (pthread_cond_init(&r->can_take, NULL)) {
		pthread_cond_destroy(&r->can_fill);
		pthread_mutex_destroy(&r->mu);
		goto out;
	}
	if (pthread_create(&r->thread, NULL, r->chunked ? run_chunks : run, r)) {
		pthread_cond_destroy(&r->can_take);
		pthread_cond_destroy(&r->can_fill);
		pthread_mutex_destroy(&r->mu);
		ret = -CT_E_UNSUPPORTED;
		goto out;
	}
	r->running = 1;
	*out = r;
	return 0;
out:
	free_batches(r);
	free(r);
	return ret;
}

int ct_reader_next(struct ct_reader *r, const struct ct_event **ev, uint32_t *n)
{
	struct reader_batch *b;

	if (r->chunked)
		return next_chunk(r, ev, n);
	pthread_mutex_lock(&r->mu);
	if (r->held) {
		r->held = 0;
		r->taken++;
		pthread_cond_signal(&r->can_fill);
	}
	while (r->filled == r->taken)
		pthread_cond_wait(&r->can_take, &r->mu);
	r->held = 1;
	b = &r->b[r->taken % READER_SLOTS];
	pthread_mutex_unlock(&r->mu);
	*ev = b->ev;
	*n = b->n;
	return b->end ? (b->end > 0 ? 0 : b->end) : 1;
}

void ct_reader_free(struct ct_reader *r)
{
	if (!r)
		return;
	if (r->running) {
		pthread_mutex_lock(&r->mu);
		__atomic_store_n(&r->stop, 1, __ATOMIC_RELAXED);
		pthread_cond_signal(&r->can_fill);
		pthread_cond_broadcast(&r->can_take);
		pthread_mutex_unlock(&r->mu);
		/* a thread inside a read() of a pipe finishes it first: it then sees @stop */
		pthread_join(r->thread, NULL);
		pthread_cond_destroy(&r->can_take);
		pthread_cond_destroy(&r->can_fill);
		pthread_mutex_destroy(&r->mu);
	}
	free_batches(r);
	free(r);
}
