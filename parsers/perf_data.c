// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * perf.data (file mode, "PERFILE2" with a header, and pipe mode as
 * `perf record -o -` writes it) holding tracepoint samples.
 *
 * The event formats come from the file's own tracing data (the
 * HEADER_TRACING_DATA feature, or PERF_RECORD_HEADER_TRACING_DATA in pipe
 * mode); each sample's layout from its attr's sample_type, found through the
 * sample id. perf.data is not globally time ordered: records are queued and
 * released the way perf's ordered_events does it at each FINISHED_ROUND, so
 * the output order equals `perf script`'s; the queue holds one or two rounds
 * and is capped, so memory does not grow with the trace.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bin.h"
#include "perf_order.h"
#include "perf_reread.h"
#include "perf_tasks.h"
#include "perf_window.h"
#include "core/util.h"
#include "compactrace/attach.h"
#include "compactrace/error.h"
#include "registry.h"

/* perf_event_header.type values we act on */
enum {
	PF_RECORD_LOST = 2,
	PF_RECORD_COMM = 3,
	PF_RECORD_EXIT = 4,
	PF_RECORD_FORK = 7,
	PF_RECORD_SAMPLE = 9,
	PF_RECORD_LOST_SAMPLES = 13,
	PF_RECORD_HEADER_ATTR = 64,
	PF_RECORD_HEADER_TRACING_DATA = 66,
	PF_RECORD_FINISHED_ROUND = 68,
	PF_RECORD_COMPRESSED = 81,
};

/* sample_type bits */
#define PF_S_IP (1ULL << 0)
#define PF_S_TID (1ULL << 1)
#define PF_S_TIME (1ULL << 2)
#define PF_S_ADDR (1ULL << 3)
#define PF_S_READ (1ULL << 4)
#define PF_S_CALLCHAIN (1ULL << 5)
#define PF_S_ID (1ULL << 6)
#define PF_S_CPU (1ULL << 7)
#define PF_S_PERIOD (1ULL << 8)
#define PF_S_STREAM_ID (1ULL << 9)
#define PF_S_RAW (1ULL << 10)
#define PF_S_IDENTIFIER (1ULL << 16)

/* read_format bits */
#define PF_R_ENABLED (1ULL << 0)
#define PF_R_RUNNING (1ULL << 1)
#define PF_R_ID (1ULL << 2)
#define PF_R_GROUP (1ULL << 3)
#define PF_R_LOST (1ULL << 4)

#define PF_TYPE_TRACEPOINT 2
#define PF_FILE_HEADER_SIZE 104
#define PF_PIPE_HEADER_SIZE 16
#define PF_FEAT_TRACING_DATA 1
#define PF_MAX_ATTRS 65536
#define PF_MAX_IDS (1u << 22)
#define PF_QUEUE_MAX (1u << 20)		/* records held for reordering, at most */
#define PF_ZBUF (4u << 20)		/* inflated perf -z data, at a time */

struct pf_attr {
	uint64_t sample_type, read_format;
	uint64_t config;
	uint32_t type;
	uint8_t sample_id_all;
	/*
	 * A sample of fixed layout (raw data, no read values, no callchain):
	 * where its tid, time, cpu and raw size sit, in bytes from the body.
	 */
	uint8_t fixed;
	uint8_t quick;		/* and a tracepoint's, with a time: see quick_attr() */
	uint8_t has_tid, has_cpu;	/* of sample_type, for record_time() */
	int16_t id_off;		/* where a sample's id sits, in bytes from the body; -1: none */
	uint16_t off_tid, off_time, off_cpu, off_raw;
};

#define PF_ID_CACHE 64		/* sample id -> attr, direct mapped; a power of two */
#define PF_QUICK_IDS 256	/* perf numbers a session's ids one after the other */

struct pf_id {
	uint64_t id;
	uint32_t attr;
};

/*
 * What the thread that takes the events in order keeps (reading chunks,
 * another thread reads the records): the tasks' names, as the reading
 * thread hands it the COMM and FORK records, and its own copy of the data
 * (perf_reread.h). Away from the reading thread's state in the cache:
 * sharing a line with what that thread writes cost both of them a
 * transfer each time.
 */
struct pf_taker {
	struct ct_bin_meta *meta;	/* the formats (the reading thread's, read only here) */
	int swap;
	struct pf_tasks tasks;
	struct pf_reread reread;
} __attribute__((aligned(64)));

struct pf_state {
	struct pf_taker *taker;		/* first: its line holds nothing written after the file is opened */
	const char *path;
	struct ct_input *in;
	struct ct_bin_map map;
	int pipe;
	int swap;
	struct pf_attr *attrs;
	size_t nattrs;
	struct pf_id *ids;
	size_t nids, capids;
	int ids_sorted;
	uint32_t last_attr;
	uint64_t last_id;
	struct { uint64_t id; uint32_t attr; uint8_t used; } id_cache[PF_ID_CACHE];
	/* quick_attr()'s table: the quick attr of each id from quick_lo on that the cache has named */
	uint64_t quick_lo;
	const struct pf_attr *quick_of[PF_QUICK_IDS];
	struct ct_bin_meta *meta;
	/* the data: [pos, end) of the file, read in windows (or where a small file was read), or the input stream */
	uint64_t pos, end;
	struct pf_windows win;
	int windowed;
	int eof;
	/* perf -z: inflated records waiting to be read */
	struct ct_bin_unzip unzip;
	unsigned char *zbuf;
	size_t zlen, zoff, zcap;
	uint64_t zwhere;
	/* reordering (perf's ordered_events) */
	struct pf_order order;
	uint64_t seq, max_ts, next_flush, flush_limit, last_ts;
	/* a fatal problem to report once the queue is drained */
	int stop;
	uint64_t stop_where;
	uint64_t tail_perr;	/* a truncated feature section, reported at the end */
	/*
	 * Two views of one loss: PERF_RECORD_LOST (the ring buffer's count,
	 * written when space came back) and, since perf 6.0 on 6.0+ kernels,
	 * PERF_RECORD_LOST_SAMPLES (each event's own lost counter, read by perf
	 * record at the end; it also holds losses no later LOST record told).
	 * The loss is the larger sum, not both.
	 */
	uint64_t lost_records, lost_samples, lost_told;
	/* chunks: the event ids whose format was prepared, and what their records need */
	struct { uint64_t id; uint32_t need; } prepared[PF_ID_CACHE];
	uint32_t type_off, type_size;
	/*
	 * Chunk entries point at their raw data where it lies in the file's
	 * mapping: the lowest data offset each of the last CT_CHUNKS_IN_FLIGHT
	 * chunks points at (the one being read included, at ref_low_at), kept
	 * from release.
	 */
	uint64_t ref_low[CT_CHUNKS_IN_FLIGHT];
	unsigned ref_low_at;
};

static int probe(const unsigned char *prefix, size_t len)
{
	if (len >= 8 && (memcmp(prefix, "PERFILE2", 8) == 0 || memcmp(prefix, "2ELIFREP", 8) == 0))
		return 100;
	return 0;
}

/* ---- attrs and sample ids ---- */

/* where a sample's id sits (in u64 words from the start of the body), as perf's id_pos */
static int sample_id_pos(uint64_t t)
{
	int pos = 0;

	if (t & PF_S_IDENTIFIER)
		return 0;
	if (!(t & PF_S_ID))
		return -1;
	pos += !!(t & PF_S_IP) + !!(t & PF_S_TID) + !!(t & PF_S_TIME) + !!(t & PF_S_ADDR);
	return pos;
}

/* sample_type order: IDENTIFIER IP TID TIME ADDR ID STREAM_ID CPU PERIOD READ CALLCHAIN RAW */
static void fixed_layout(struct pf_attr *a)
{
	uint64_t t = a->sample_type;
	unsigned off = 0;

	if (!(t & PF_S_RAW) || (t & (PF_S_READ | PF_S_CALLCHAIN)))
		return;
	off = 8u * (!!(t & PF_S_IDENTIFIER) + !!(t & PF_S_IP));
	a->off_tid = (uint16_t)off;
	off += 8u * !!(t & PF_S_TID);
	a->off_time = (uint16_t)off;
	off += 8u * (!!(t & PF_S_TIME) + !!(t & PF_S_ADDR) + !!(t & PF_S_ID) + !!(t & PF_S_STREAM_ID));
	a->off_cpu = (uint16_t)off;
	off += 8u * (!!(t & PF_S_CPU) + !!(t & PF_S_PERIOD));
	a->off_raw = (uint16_t)off;
	a->fixed = 1;
}

static int add_attr(struct pf_state *st, const unsigned char *p, size_t avail, uint32_t *idx)
{
	struct pf_attr *n, *a;
	uint32_t size;
	uint64_t flags;

	if (avail < 8 || st->nattrs >= PF_MAX_ATTRS)
		return -CT_E_PARSE;	/* not -1: that is -CT_E_NOMEM */
	size = ct_rd32(p + 4, st->swap);
	if (size < 48 || size > avail)	/* the first published attr was 64 bytes */
		return -CT_E_PARSE;
	n = realloc(st->attrs, (st->nattrs + 1) * sizeof(*n));
	if (!n)
		return -CT_E_NOMEM;
	st->attrs = n;
	/* the table pointed into the old array: both are filled again by the search */
	memset(st->quick_of, 0, sizeof(st->quick_of));
	memset(st->id_cache, 0, sizeof(st->id_cache));
	a = &n[st->nattrs];
	memset(a, 0, sizeof(*a));
	a->type = ct_rd32(p, st->swap);
	a->config = ct_rd64(p + 8, st->swap);
	a->sample_type = ct_rd64(p + 24, st->swap);
	a->read_format = ct_rd64(p + 32, st->swap);
	flags = ct_rd64(p + 40, st->swap);
	/* a bitfield: bit 18 counted from the other end in a byte-swapped file */
	a->sample_id_all = (uint8_t)((flags >> (st->swap ? 63 - 18 : 18)) & 1);
	fixed_layout(a);
	a->quick = a->fixed && (a->sample_type & PF_S_TIME) && a->type == PF_TYPE_TRACEPOINT;
	a->has_tid = !!(a->sample_type & PF_S_TID);
	a->has_cpu = !!(a->sample_type & PF_S_CPU);
	a->id_off = (int16_t)(sample_id_pos(a->sample_type) < 0 ? -1 : 8 * sample_id_pos(a->sample_type));
	*idx = (uint32_t)st->nattrs++;
	return 0;
}

static int add_id(struct pf_state *st, uint64_t id, uint32_t attr)
{
	if (st->nids == st->capids) {
		size_t cap = st->capids ? 2 * st->capids : 64;
		struct pf_id *n;

		if (cap > PF_MAX_IDS)
			return -CT_E_PARSE;
		n = realloc(st->ids, cap * sizeof(*n));
		if (!n)
			return -CT_E_NOMEM;
		st->ids = n;
		st->capids = cap;
	}
	st->ids[st->nids].id = id;
	st->ids[st->nids].attr = attr;
	st->nids++;
	st->ids_sorted = 0;
	memset(st->id_cache, 0, sizeof(st->id_cache));
	memset(st->quick_of, 0, sizeof(st->quick_of));
	if (st->nids == 1 || id < st->quick_lo)
		st->quick_lo = id;
	return 0;
}

static int cmp_id(const void *a, const void *b)
{
	const struct pf_id *x = a, *y = b;

	return x->id < y->id ? -1 : x->id > y->id;
}

/* the id cache's slot for @id */
static inline unsigned id_slot(uint64_t id)
{
	return (unsigned)(id ^ (id >> 7)) & (PF_ID_CACHE - 1);
}

static const struct pf_attr *attr_of_id(struct pf_state *st, uint64_t id)
{
	size_t lo = 0, hi = st->nids;
	typeof(&st->id_cache[0]) c;

	if (st->nattrs == 1)
		return &st->attrs[0];
	if (id == st->last_id && st->last_attr < st->nattrs)
		return &st->attrs[st->last_attr];
	c = &st->id_cache[id_slot(id)];
	if (c->used && c->id == id) {	/* what the search below found for it */
		st->last_id = id;
		st->last_attr = c->attr;
		return &st->attrs[c->attr];
	}
	if (!st->ids_sorted) {
		qsort(st->ids, st->nids, sizeof(*st->ids), cmp_id);
		st->ids_sorted = 1;
	}
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (st->ids[mid].id < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo < st->nids && st->ids[lo].id == id) {
		st->last_id = id;
		st->last_attr = st->ids[lo].attr;
		c->id = id;
		c->attr = st->last_attr;
		c->used = 1;
		if (id - st->quick_lo < PF_QUICK_IDS && st->attrs[c->attr].quick)
			st->quick_of[id - st->quick_lo] = &st->attrs[c->attr];
		return &st->attrs[st->last_attr];
	}
	return NULL;
}

/* and in a sample_id trailer, counted from the end */
static int trailer_id_pos(uint64_t t)
{
	if (t & PF_S_IDENTIFIER)
		return 1;
	if (!(t & PF_S_ID))
		return -1;
	return 1 + !!(t & PF_S_STREAM_ID) + !!(t & PF_S_CPU);
}

static const struct pf_attr *attr_of_sample(struct pf_state *st, const unsigned char *body,
					    size_t len)
{
	const struct pf_attr *a0 = &st->attrs[0];
	int pos;

	if (st->nattrs == 1)
		return a0;
	pos = sample_id_pos(a0->sample_type);
	if (pos < 0 || (size_t)(pos + 1) * 8 > len)
		return NULL;
	return attr_of_id(st, ct_rd64(body + 8 * pos, st->swap));
}

static const struct pf_attr *attr_of_other(struct pf_state *st, const unsigned char *body,
					   size_t len)
{
	const struct pf_attr *a0 = &st->attrs[0];
	int pos;

	if (st->nattrs == 1)
		return a0;
	pos = trailer_id_pos(a0->sample_type);
	if (pos < 0 || (size_t)pos * 8 > len)
		return NULL;
	return attr_of_id(st, ct_rd64(body + len - 8 * (size_t)pos, st->swap));
}

/*
 * The attr of a sample, when the search has named it before (or it is the
 * only one) and it is quick: record_time() reads such a sample from the
 * attr's offsets, without the search or parse_sample(). It runs twice on
 * every record (queued, then at the front of its run), hence a table by
 * id instead of the id cache's hash (with record_time() inline at both
 * calls, 4.5% fewer instructions in all for the goal's perf.data of issue
 * 18). NULL: the long way.
 */
static inline __attribute__((always_inline)) const struct pf_attr *quick_attr(const struct pf_state *st,
									      const unsigned char *body,
									      size_t len, int swap)
{
	const struct pf_attr *a = &st->attrs[0];
	uint64_t at;

	if (st->nattrs == 1)
		return a->quick ? a : NULL;
	if (a->id_off < 0 || (size_t)a->id_off + 8 > len)
		return NULL;
	at = ct_rd64(body + a->id_off, swap) - st->quick_lo;
	return at < PF_QUICK_IDS ? st->quick_of[at] : NULL;
}

struct pf_sample {
	uint64_t time;
	uint32_t tid, cpu;
	uint8_t has_time, has_tid, has_cpu;
	const unsigned char *raw;
	uint32_t raw_size;
};

/* a PERF_RECORD_SAMPLE body in sample_type order, up to the raw data */
static int parse_sample(const struct pf_attr *a, const unsigned char *p, size_t len, int swap,
			struct pf_sample *s)
{
	const unsigned char *end = p + len;
	uint64_t t = a->sample_type;

#define NEED(n) do { if ((size_t)(end - p) < (size_t)(n)) return -1; } while (0)
	memset(s, 0, sizeof(*s));
	if (a->fixed) {		/* the same reads as below, from offsets worked out once */
		NEED(a->off_raw + 4u);
		if (t & PF_S_TID) {
			s->tid = ct_rd32(p + a->off_tid + 4, swap);
			s->has_tid = 1;
		}
		if (t & PF_S_TIME) {
			s->time = ct_rd64(p + a->off_time, swap);
			s->has_time = 1;
		}
		if (t & PF_S_CPU) {
			s->cpu = ct_rd32(p + a->off_cpu, swap);
			s->has_cpu = 1;
		}
		p += a->off_raw;
		s->raw_size = ct_rd32(p, swap);
		p += 4;
		NEED(s->raw_size);
		s->raw = p;
		return 0;
	}
	if (t & PF_S_IDENTIFIER) {
		NEED(8);
		p += 8;
	}
	if (t & PF_S_IP) {
		NEED(8);
		p += 8;
	}
	if (t & PF_S_TID) {
		NEED(8);
		s->tid = ct_rd32(p + 4, swap);
		s->has_tid = 1;
		p += 8;
	}
	if (t & PF_S_TIME) {
		NEED(8);
		s->time = ct_rd64(p, swap);
		s->has_time = 1;
		p += 8;
	}
	if (t & PF_S_ADDR) {
		NEED(8);
		p += 8;
	}
	if (t & PF_S_ID) {
		NEED(8);
		p += 8;
	}
	if (t & PF_S_STREAM_ID) {
		NEED(8);
		p += 8;
	}
	if (t & PF_S_CPU) {
		NEED(8);
		s->cpu = ct_rd32(p, swap);
		s->has_cpu = 1;
		p += 8;
	}
	if (t & PF_S_PERIOD) {
		NEED(8);
		p += 8;
	}
	if (t & PF_S_READ) {
		uint64_t rf = a->read_format, n = 1, per;
		size_t fixed = 8u * (!!(rf & PF_R_ENABLED) + !!(rf & PF_R_RUNNING));

		per = 8u * (1 + !!(rf & PF_R_ID) + !!(rf & PF_R_LOST));
		if (rf & PF_R_GROUP) {
			NEED(8);
			n = ct_rd64(p, swap);
			p += 8;
		}
		NEED(fixed);
		p += fixed;
		if (n > (uint64_t)(end - p) / per)
			return -1;
		p += n * per;
	}
	if (t & PF_S_CALLCHAIN) {
		uint64_t n;

		NEED(8);
		n = ct_rd64(p, swap);
		p += 8;
		if (n > (uint64_t)(end - p) / 8)
			return -1;
		p += n * 8;
	}
	if (t & PF_S_RAW) {
		NEED(4);
		s->raw_size = ct_rd32(p, swap);
		p += 4;
		NEED(s->raw_size);
		s->raw = p;
	}
#undef NEED
	return 0;
}

/* the sample_id trailer of other records: TID, TIME, ID, STREAM_ID, CPU, IDENTIFIER */
static void parse_trailer(const struct pf_attr *a, const unsigned char *body, size_t len, int swap,
			  struct pf_sample *s)
{
	uint64_t t = a ? a->sample_type : 0;
	size_t n;
	const unsigned char *p;

	memset(s, 0, sizeof(*s));
	if (!a || !a->sample_id_all)
		return;
	n = 8u * (!!(t & PF_S_TID) + !!(t & PF_S_TIME) + !!(t & PF_S_ID) + !!(t & PF_S_STREAM_ID) +
		  !!(t & PF_S_CPU) + !!(t & PF_S_IDENTIFIER));
	if (n > len)
		return;
	p = body + len - n;
	if (t & PF_S_TID) {
		s->tid = ct_rd32(p + 4, swap);
		s->has_tid = 1;
		p += 8;
	}
	if (t & PF_S_TIME) {
		s->time = ct_rd64(p, swap);
		s->has_time = 1;
		p += 8;
	}
	p += 8u * (!!(t & PF_S_ID) + !!(t & PF_S_STREAM_ID));
	if (t & PF_S_CPU) {
		s->cpu = ct_rd32(p, swap);
		s->has_cpu = 1;
	}
}

/* ---- reading records ---- */

/*
 * At least @n unread bytes in the input buffer: 1, or 0 when the input ends
 * first, or a negative CT_E_* code. A live non-blocking fd may hand over
 * less than asked per fill, so this loops.
 */
static int need_input(struct ct_input *in, size_t n)
{
	while (in->len - in->pos < n) {
		long got = ct_input_fill(in, n - (in->len - in->pos));

		if (got < 0)
			return (int)got;
		if (got == 0)	/* end of input (or told to stop) */
			return 0;
	}
	return 1;
}

/* the lowest data offset a queued record or a chunk in flight points at */
static uint64_t data_low(void *ctx)
{
	struct pf_state *st = ctx;
	uint64_t low = pf_order_low_where(&st->order, st->pos);

	for (unsigned i = 0; i < CT_CHUNKS_IN_FLIGHT; i++)
		if (st->ref_low[i] < low)
			low = st->ref_low[i];
	return low;
}

/*
 * The file's data at @pos, at least @need bytes unless it ends first
 * (*@have: how many); NULL with *@have 0 on a read error or for lack of
 * memory (errno says which)
 */
static inline const unsigned char *data_at(struct pf_state *st, uint64_t pos, size_t need, size_t *have)
{
	if (!st->windowed) {
		*have = (size_t)(st->end - pos);
		return st->map.base + pos;
	}
	return pf_windows_at(&st->win, pos, need, st->end, data_low, st, have);
}

/* read_record()'s results besides a negative CT_E_* code */
enum { PF_REC_END, PF_REC_OK, PF_REC_UNREADABLE };

/*
 * The next record: *@rec stays valid until the next call; *@transient says
 * it lives in a buffer that moves (pipe input, inflated data). Returns
 * PF_REC_OK, PF_REC_END at the end, PF_REC_UNREADABLE for a record that
 * cannot be read (st->stop_where says where), or a negative CT_E_* code
 * (not -1: that is -CT_E_NOMEM).
 */
static int read_record(struct pf_state *st, const unsigned char **rec, uint32_t *size,
		       uint64_t *where, int *transient, char *err, size_t errlen)
{
	uint16_t sz;

	if (st->zoff < st->zlen) {
		if (st->zlen - st->zoff >= 8) {
			sz = ct_rd16(st->zbuf + st->zoff + 6, st->swap);
			if (sz >= 8 && sz <= st->zlen - st->zoff) {
				*rec = st->zbuf + st->zoff;
				*size = sz;
				*where = st->zwhere;
				*transient = 1;
				st->zoff += sz;
				return PF_REC_OK;
			}
			if (sz < 8) {
				st->stop_where = st->zwhere;
				return PF_REC_UNREADABLE;
			}
		}
		/* a record split across compressed records: keep the tail for the next */
		memmove(st->zbuf, st->zbuf + st->zoff, st->zlen - st->zoff);
		st->zlen -= st->zoff;
		st->zoff = 0;
	} else {
		st->zlen = st->zoff = 0;
	}
	if (!st->pipe) {
		const unsigned char *p;
		size_t have;

		if (st->pos >= st->end)
			return PF_REC_END;
		if (!(p = data_at(st, st->pos, 8, &have)) && !have)
			goto read_failed;
		if (have < 8 || (sz = ct_rd16(p + 6, st->swap)) < 8 || sz > st->end - st->pos) {
			st->stop_where = st->pos;
			return PF_REC_UNREADABLE;
		}
		if (sz > have && (!(p = data_at(st, st->pos, sz, &have)) || have < sz)) {
			if (!p && !have)
				goto read_failed;
			st->stop_where = st->pos;	/* the file shrank under us */
			return PF_REC_UNREADABLE;
		}
		*rec = p;
		*size = sz;
		*where = st->pos;
		*transient = 0;
		st->pos += sz;
		return PF_REC_OK;
read_failed:
		if (errno == ENOMEM) {
			snprintf(err, errlen, "%s: %s", st->path, ct_strerror(-CT_E_NOMEM));
			return -CT_E_NOMEM;
		}
		snprintf(err, errlen, "%s: read error at byte %llu: %s", st->path,
			 (unsigned long long)(st->map.start + st->pos), strerror(errno));
		return -CT_E_IO;
	} else {
		struct ct_input *in = st->in;
		int r = need_input(in, 8);

		if (r < 0)
			goto read_err;
		if (in->len == in->pos)
			return PF_REC_END;
		if (!r) {
			st->stop_where = in->consumed + in->pos;
			return PF_REC_UNREADABLE;
		}
		sz = ct_rd16(in->buf + in->pos + 6, st->swap);
		if (sz < 8) {
			st->stop_where = in->consumed + in->pos;
			return PF_REC_UNREADABLE;
		}
		r = need_input(in, sz);
		if (r < 0)
			goto read_err;
		if (!r) {
			st->stop_where = in->consumed + in->pos;
			return PF_REC_UNREADABLE;
		}
		*rec = in->buf + in->pos;
		*size = sz;
		*where = in->consumed + in->pos;
		*transient = 1;
		in->pos += sz;
		return PF_REC_OK;
read_err:
		snprintf(err, errlen, "%s: %s at byte %llu", st->path,
			 r == -CT_E_NOMEM ? ct_strerror(r) : "read error",
			 (unsigned long long)(in->consumed + in->len));
		return r;
	}
}

/* bytes that follow a record in the stream (pipe-mode tracing data) */
static const unsigned char *read_extra(struct pf_state *st, uint64_t n, char *err, size_t errlen)
{
	const unsigned char *p;

	if (!st->pipe) {
		if (n > st->end - st->pos)
			return NULL;
		p = st->map.base + st->pos;
		st->pos += n;
		return p;
	}
	if (n > (256u << 20))
		return NULL;
	if (need_input(st->in, (size_t)n) <= 0) {
		snprintf(err, errlen, "%s: read error", st->path);
		return NULL;
	}
	p = st->in->buf + st->in->pos;
	st->in->pos += (size_t)n;
	return p;
}

/* ---- the tracing data: formats of the recorded events ---- */

/* @copy: @p is pipe input that moves on; else it lies in the map, which outlives the meta */
static int read_tracing(struct pf_state *st, const unsigned char *p, uint64_t len, uint64_t at,
			int copy, char *err, size_t errlen)
{
	struct ct_bin_tracing_hdr h;
	struct ct_bin_cur c;
	int ret;

	if (st->meta) {
		ct_bin_msg(err, errlen, st->path, at, "second block of tracing data");
		return -CT_E_PARSE;
	}
	ct_cur_init(&c, p, (size_t)len, at, 0);
	ret = ct_bin_read_tracing_hdr(&c, &h, st->path, err, errlen);
	if (ret < 0)
		return ret;
	ret = ct_bin_meta_new(&st->meta, h.bigendian, h.long_size, (int)h.page_size);
	if (ret < 0)
		return ret;
	ret = ct_bin_read_headers(&c, st->meta, st->path, err, errlen);
	if (!ret)
		ret = ct_bin_read_ftrace_formats(&c, st->meta, copy, st->path, err, errlen);
	if (!ret)
		ret = ct_bin_read_event_formats(&c, st->meta, copy, st->path, err, errlen);
	if (!ret)
		ret = ct_bin_skip_sized32(&c, "kallsyms", st->path, err, errlen);
	if (!ret)
		ret = ct_bin_skip_sized32(&c, "printk formats", st->path, err, errlen);
	/* saved cmdlines since perf's tracing data version 0.6 */
	if (!ret && strtod(h.version, NULL) >= 0.6)
		ret = ct_bin_read_cmdlines(&c, st->meta, st->path, err, errlen);
	if (!ret)
		ret = ct_bin_meta_finish(st->meta, st->path, err, errlen);
	if (!ret)
		ct_bin_meta_type_field(st->meta, &st->type_off, &st->type_size);
	return ret;
}

/* ---- records to events ---- */

/* markers carry no task and no name, as the text parsers make them */
static void marker(struct ct_event *ev, enum ct_event_type t, uint64_t ts, int32_t cpu)
{
	memset(ev, 0, sizeof(*ev));
	ev->type = (uint16_t)t;
	ev->name = "";
	ev->pid = -1;
	ev->cpu = cpu;
	ev->ts_ns = ts;
}

static void parse_error(struct ct_event *ev, uint64_t ts, uint64_t where)
{
	marker(ev, CT_EV_PARSE_ERROR, ts, -1);
	ev->u.perr.where = where;
}

static int chunk_sample(struct pf_state *st, struct ct_chunk *c, const struct pf_sample *s, uint64_t where);
static int chunk_tasks(struct ct_chunk *c, const unsigned char *rec, uint32_t size);

/* next_event()'s results besides 0 (the end) and a negative CT_E_* code */
enum {
	PF_EV = 1,		/* @ev holds an event */
	PF_EV_IN_CHUNK,		/* reading a chunk: it went into the chunk */
	PF_EV_TO_NAME,		/* reading a chunk: @ev holds an event whose task the taker names */
};

/*
 * A tracepoint sample's raw data into @ev: PF_EV, or -CT_E_NOMEM. With @c
 * (reading a chunk), a sample that will decode goes into @c whole, to be
 * decoded by the thread that takes the chunk: PF_EV_IN_CHUNK; one decoded
 * here is left for that thread to name: PF_EV_TO_NAME.
 */
static int decode_sample(struct pf_state *st, const unsigned char *rec, uint64_t where,
			 const struct pf_sample *s, struct ct_event *ev, struct ct_chunk *ck)
{
	const char *why;
	int r;

	if (ck && s->has_tid && s->raw_size >= st->type_off + st->type_size) {
		/* a sample that will decode: its format parsed here, once per id */
		uint64_t id = ct_rdn(s->raw + st->type_off, st->type_size, st->swap);
		unsigned slot = (unsigned)id & (PF_ID_CACHE - 1);

		if (st->prepared[slot].id != id + 1) {
			if (ct_bin_meta_prepare(st->meta, s->raw, s->raw_size) < 0)
				return -CT_E_NOMEM;
			st->prepared[slot].id = id + 1;
			st->prepared[slot].need = ct_bin_meta_need(st->meta, id);
		}
		if (s->raw_size >= st->prepared[slot].need)
			return chunk_sample(st, ck, s, where + (uint64_t)(s->raw - rec));
	}
	r = ct_bin_decode(st->meta, s->raw, s->raw_size, ev, &why);

	if (r == -CT_E_NOMEM)
		return r;
	if (r < 0) {
		parse_error(ev, s->has_time ? s->time : st->last_ts, where + (uint64_t)(s->raw - rec));
		ev->cpu = s->has_cpu ? (int32_t)s->cpu : -1;
		return 1;
	}
	/* perf script shows the sample's tid, and the comm perf tracked for it */
	if (s->has_tid)
		ev->pid = (int32_t)s->tid;
	ev->ts_ns = s->has_time ? s->time : st->last_ts;
	ev->cpu = s->has_cpu ? (int32_t)s->cpu : -1;
	st->last_ts = ev->ts_ns;
	if (ck)
		return PF_EV_TO_NAME;	/* the names are the taking thread's */
	pf_tasks_name(&st->taker->tasks, ev->pid, ev->comm);
	return PF_EV;
}

/* deliver() of a tracepoint sample queued with its parse (record_time()) */
static int deliver_sample(struct pf_state *st, const struct pf_item *it, struct ct_event *ev,
			  struct ct_chunk *ck)
{
	struct pf_sample s = {
		.time = it->ts, .tid = it->tid, .cpu = it->cpu, .has_time = 1,
		.has_tid = it->has_tid, .has_cpu = it->has_cpu,
		.raw = it->rec + it->raw_off, .raw_size = it->raw_size,
	};

	if (!st->meta) {
		parse_error(ev, st->last_ts, it->where);
		return 1;
	}
	return decode_sample(st, it->rec, it->where, &s, ev, ck);
}

/* act on one record in time order; 1 when @ev holds an event, -CT_E_NOMEM */
static int deliver(struct pf_state *st, const unsigned char *rec, uint32_t size, uint64_t where,
		   struct ct_event *ev, struct ct_chunk *ck)
{
	uint32_t type = ct_rd32(rec, st->swap);
	const unsigned char *body = rec + 8;
	size_t len = size - 8;
	const struct pf_attr *a;
	struct pf_sample s;

	switch (type) {
	case PF_RECORD_SAMPLE:
		a = attr_of_sample(st, body, len);
		if (!a || a->type != PF_TYPE_TRACEPOINT)
			return 0;	/* not a tracepoint (cycles, ...): nothing for us */
		if (parse_sample(a, body, len, st->swap, &s) < 0 || !s.raw || !st->meta) {
			parse_error(ev, st->last_ts, where);
			return 1;
		}
		return decode_sample(st, rec, where, &s, ev, ck);
	case PF_RECORD_COMM:
	case PF_RECORD_FORK:
		if (ck)		/* the names are the taking thread's */
			return chunk_tasks(ck, rec, size);
		return pf_tasks_record(&st->taker->tasks, type == PF_RECORD_FORK, body, len, st->swap) < 0 ?
			-CT_E_NOMEM : 0;
	case PF_RECORD_LOST:
	case PF_RECORD_LOST_SAMPLES: {
		/* LOST: { u64 id; u64 lost; }, LOST_SAMPLES: { u64 lost; } */
		size_t off = type == PF_RECORD_LOST ? 8 : 0;
		uint64_t n, *sum = type == PF_RECORD_LOST ? &st->lost_records : &st->lost_samples;
		uint64_t total;

		if (len < off + 8)
			return 0;
		n = ct_rd64(body + off, st->swap);
		*sum = *sum > UINT64_MAX - n ? UINT64_MAX : *sum + n;
		total = st->lost_records > st->lost_samples ? st->lost_records : st->lost_samples;
		if (total == st->lost_told && n)
			return 0;	/* the other view has told this loss already */
		parse_trailer(attr_of_other(st, body, len), body, len, st->swap, &s);
		marker(ev, CT_EV_LOST, s.has_time && s.time ? s.time : st->last_ts,
		       s.has_cpu ? (int32_t)s.cpu : -1);
		ev->u.lost.count = total - st->lost_told;
		st->lost_told = total;
		return 1;
	}
	default:
		return 0;
	}
}

/* record_time() of a record quick_attr() does not name, or too short for its layout */
static __attribute__((noinline)) uint64_t record_time_slow(struct pf_state *st, const unsigned char *rec,
							  uint32_t size, struct pf_item *it)
{
	uint32_t type = ct_rd32(rec, st->swap);
	const unsigned char *body = rec + 8;
	size_t len = size - 8;
	const struct pf_attr *a;
	struct pf_sample s;

	if (type == PF_RECORD_SAMPLE) {
		a = attr_of_sample(st, body, len);
		if (!a || !(a->sample_type & PF_S_TIME))
			return 0;
		if (parse_sample(a, body, len, st->swap, &s) < 0)
			return 0;
		if (a->type == PF_TYPE_TRACEPOINT && s.raw) {
			it->sample = 1;
			it->has_tid = s.has_tid;
			it->has_cpu = s.has_cpu;
			it->tid = s.tid;
			it->cpu = s.cpu;
			it->raw_off = (uint32_t)(s.raw - rec);
			it->raw_size = s.raw_size;
		}
		return s.time;
	}
	parse_trailer(attr_of_other(st, body, len), body, len, st->swap, &s);
	return s.has_time ? s.time : 0;
}

/*
 * record_time() for a file of this machine's byte order (@swap 0) or the
 * other (1): a constant in each inline copy, so that the common one reads
 * its fields without a test each
 */
static inline __attribute__((always_inline)) uint64_t record_time_in(struct pf_state *st, const unsigned char *rec,
								       uint32_t size, struct pf_item *it, int swap)
{
	const unsigned char *body = rec + 8;
	size_t len = size - 8;
	const struct pf_attr *a;
	uint32_t raw_size;

	it->sample = 0;
	if (ct_rd32(rec, swap) == PF_RECORD_SAMPLE && (a = quick_attr(st, body, len, swap)) &&
	    len >= a->off_raw + 4u && (raw_size = ct_rd32(body + a->off_raw, swap)) <= len - a->off_raw - 4u) {
		/* what parse_sample()'s fixed branch and record_time_slow() make of it */
		it->sample = 1;
		it->has_tid = a->has_tid;
		it->has_cpu = a->has_cpu;
		it->tid = it->has_tid ? ct_rd32(body + a->off_tid + 4, swap) : 0;
		it->cpu = it->has_cpu ? ct_rd32(body + a->off_cpu, swap) : 0;
		it->raw_off = 8u + a->off_raw + 4u;
		it->raw_size = raw_size;
		return ct_rd64(body + a->off_time, swap);
	}
	return record_time_slow(st, rec, size, it);
}

/*
 * The time perf orders a record by (0: "deliver now", as in perf); a
 * tracepoint sample's parse is kept in @it for deliver_sample(). Runs
 * twice on every record (queued, then at the front of its run): the
 * common case, a quick sample, is read inline.
 */
static inline __attribute__((always_inline)) uint64_t record_time(struct pf_state *st, const unsigned char *rec,
								    uint32_t size, struct pf_item *it)
{
	return st->swap ? record_time_in(st, rec, size, it, 1) : record_time_in(st, rec, size, it, 0);
}

/* the queue's parse of a record that comes to the front of its run */
static uint64_t queued_time(void *ctx, struct pf_item *it)
{
	struct pf_state *st = ctx;

	it->size = ct_rd16(it->rec + 6, st->swap);
	return record_time(st, it->rec, it->size, it);
}

static int pipe_attr(struct pf_state *st, const unsigned char *rec, uint32_t size, uint64_t where,
		     char *err, size_t errlen)
{
	uint32_t idx, asize;
	int ret;

	ret = add_attr(st, rec + 8, size - 8, &idx);
	if (ret == -CT_E_NOMEM)
		return ret;
	if (ret < 0) {
		ct_bin_msg(err, errlen, st->path, where, "malformed attr record");
		return -CT_E_PARSE;
	}
	asize = ct_rd32(rec + 12, st->swap);
	for (uint64_t o = 8 + (uint64_t)asize; o + 8 <= size; o += 8) {
		ret = add_id(st, ct_rd64(rec + o, st->swap), idx);
		if (ret < 0)
			return ret == -CT_E_NOMEM ? ret : -CT_E_PARSE;
	}
	return 0;
}

/* PERF_RECORD_COMPRESSED: inflate into zbuf behind whatever tail is left */
static int inflate_record(struct pf_state *st, const unsigned char *rec, uint32_t size,
			  uint64_t where, char *err, size_t errlen)
{
	size_t used_total = 0;

	if (!st->zbuf) {
		char e[128];
		int ret;

		st->zbuf = malloc(PF_ZBUF);
		if (!st->zbuf)
			return -CT_E_NOMEM;
		ret = ct_bin_unzip_init(&st->unzip, "zstd", e, sizeof(e));
		if (ret < 0) {
			free(st->zbuf);
			st->zbuf = NULL;
			ct_bin_msg(err, errlen, st->path, where, "perf -z data: %s", e);
			return ret;
		}
		st->zcap = PF_ZBUF;
	}
	while (used_total < size - 8u) {
		size_t used, made;
		int r;

		if (st->zlen == st->zcap)
			return -CT_E_PARSE;	/* a record larger than the buffer */
		r = ct_bin_unzip_stream(&st->unzip, rec + 8 + used_total, size - 8u - used_total,
					&used, st->zbuf + st->zlen, st->zcap - st->zlen, &made);
		if (r < 0)
			return r;
		st->zlen += made;
		used_total += used;
		if (!used && !made)
			break;
	}
	st->zwhere = where;
	return 0;
}

/*
 * The next event in perf script's order: 1 with @ev, 0 at the end, or a
 * negative CT_E_* code. With @c, a sample that decodes is put into @c
 * instead: 2.
 */
static int next_event(struct pf_state *st, struct ct_event *ev, char *err, size_t errlen, struct ct_chunk *ck)
{
	for (;;) {
		const unsigned char *rec = NULL;
		uint32_t size = 0, type;
		uint64_t where = 0, ts;
		struct pf_item it;
		int transient = 0, r;
		const struct pf_item *top = pf_order_top(&st->order);

		/* release what the current flush allows, smallest first */
		if (top && top->ts <= st->flush_limit) {
			r = top->sample ? deliver_sample(st, top, ev, ck) :
				deliver(st, top->rec, top->size, top->where, ev, ck);
			pf_order_pop_with(&st->order, queued_time, st);
			if (r < 0)
				goto nomem;
			if (r)
				return r;
			continue;
		}
		if (st->eof) {
			if (top) {
				st->flush_limit = UINT64_MAX;
				continue;
			}
			if (st->stop) {
				st->stop = 0;
				parse_error(ev, st->last_ts, st->stop_where);
				return 1;
			}
			if (st->tail_perr) {
				parse_error(ev, st->last_ts, st->tail_perr);
				st->tail_perr = 0;
				return 1;
			}
			if (!st->meta) {
				ct_bin_msg(err, errlen, st->path, st->in->consumed + st->in->pos,
					   "no tracing data in this piped perf data: it holds no "
					   "tracepoint events (record with -e 'compaction:*')");
				return -CT_E_UNSUPPORTED;
			}
			return 0;
		}
		r = read_record(st, &rec, &size, &where, &transient, err, errlen);
		if (r < 0)
			return r;
		if (r != PF_REC_OK) {
			/* a record we cannot step over ends the data; what came before still counts */
			st->eof = 1;
			st->stop = r == PF_REC_UNREADABLE;
			continue;
		}
		type = ct_rd32(rec, st->swap);
		switch (type) {
		case PF_RECORD_SAMPLE:
		case PF_RECORD_COMM:
		case PF_RECORD_FORK:
		case PF_RECORD_LOST:
		case PF_RECORD_LOST_SAMPLES:
			if (!st->nattrs)
				continue;
			ts = record_time(st, rec, size, &it);
			if (!ts) {
				r = deliver(st, rec, size, where, ev, ck);
				if (r < 0)
					goto nomem;
				if (r)
					return r;
				continue;
			}
			it.ts = ts;
			it.seq = st->seq++;
			it.where = where;
			it.size = size;
			it.rec = rec;
			if (pf_order_push(&st->order, &it, transient) < 0)
				goto nomem;
			if (ts > st->max_ts)
				st->max_ts = ts;
			if (st->order.queued >= PF_QUEUE_MAX) {
				/* perf's OE_FLUSH__HALF: keep memory bounded whatever the rounds */
				top = pf_order_top(&st->order);
				st->flush_limit = top->ts + (ts - top->ts) / 2;
			}
			continue;
		case PF_RECORD_FINISHED_ROUND:
			/* perf: flush up to the max seen before the previous round ended */
			st->flush_limit = st->next_flush;
			st->next_flush = st->max_ts;
			continue;
		case PF_RECORD_HEADER_ATTR:
			err[0] = '\0';
			r = pipe_attr(st, rec, size, where, err, errlen);
			if (r < 0) {
				if (!err[0])
					ct_bin_msg(err, errlen, st->path, where, "%s in an attr record",
						   ct_strerror(r));
				return r;
			}
			continue;
		case PF_RECORD_HEADER_TRACING_DATA: {
			uint64_t n = size >= 12 ? ct_rd32(rec + 8, st->swap) : 0;
			const unsigned char *p;

			p = read_extra(st, n, err, errlen);
			if (!p) {
				ct_bin_msg(err, errlen, st->path, where, "tracing data of %llu bytes "
					   "runs past the end of the input", (unsigned long long)n);
				return -CT_E_TRUNCATED;
			}
			/* pipe input moves: parse it now, from where it sits */
			err[0] = '\0';
			r = read_tracing(st, p, n, where + size, st->pipe, err, errlen);
			if (r < 0) {
				if (!err[0])
					ct_bin_msg(err, errlen, st->path, where + size,
						   "%s in the tracing data", ct_strerror(r));
				return r;
			}
			continue;
		}
		case PF_RECORD_COMPRESSED:
			r = inflate_record(st, rec, size, where, err, errlen);
			if (r == -CT_E_NOMEM)
				goto nomem;
			if (r == -CT_E_UNSUPPORTED)
				return r;	/* built without libzstd: say so rather than guess */
			if (r < 0) {
				st->stop_where = where;
				st->stop = 1;
				st->eof = 1;
			}
			continue;
		default:
			continue;
		}
	}
nomem:
	snprintf(err, errlen, "%s: %s", st->path, ct_strerror(-CT_E_NOMEM));
	return -CT_E_NOMEM;
}

static int next(void *state, struct ct_event *ev, char *err, size_t errlen)
{
	return next_event(state, ev, err, errlen, NULL);
}

/*
 * Chunks (see ct_source_read_chunk()): the records read and reordered by
 * one thread, and taken in order by another (ct_source_chunk_next()),
 * which decodes the samples' raw data and names their tasks (it applies
 * the COMM and FORK records as they come). A chunk's buffer holds
 * pf_entry headers, 8-byte aligned, each followed by what it holds
 * inline. The taking thread reads a sample's raw data again from the file
 * (perf_reread.h) where the reading thread read it into a window of its
 * own: taking that copy from the other CPU's cache cost as much as the
 * copy. Where the data lies in the file's mapping (a window that is a
 * stretch of it, or a small file read whole), the entry points there.
 */
#define PF_CHUNK_EVENTS 2048

enum pf_entry_kind {
	PF_E_RAW_AT,		/* a sample, its raw data at @raw, where the file is mapped or was read whole */
	PF_E_RAW_REREAD,	/* a sample, its raw data read again from the file at @where */
	PF_E_RAW_INLINE,	/* a sample, its raw data (inflated from perf -z data) follows */
	PF_E_EVENT,		/* a struct ct_event follows */
	PF_E_EVENT_TO_NAME,	/* a struct ct_event follows, its task to be named */
	PF_E_TASKS,		/* a COMM or FORK record follows */
};

struct pf_entry {
	uint64_t ts, where;	/* where: of the raw data, for a parse error */
	const unsigned char *raw;
	int32_t tid, cpu;
	uint32_t size;		/* of the raw data, or of what follows */
	uint32_t kind;
};

_Static_assert(sizeof(struct pf_entry) % 8 == 0, "entries stay 8-byte aligned");

/* @inline_size bytes follow the entry */
static struct pf_entry *chunk_entry(struct ct_chunk *c, uint32_t inline_size)
{
	size_t more = sizeof(struct pf_entry) + ((inline_size + 7u) & ~7u);
	struct pf_entry *e;

	if (c->len + more > c->cap) {
		size_t ncap = c->cap ? 2 * c->cap : 256 * 1024;
		char *b;

		while (ncap < c->len + more)
			ncap *= 2;
		if (!(b = realloc(c->buf, ncap)))
			return NULL;
		ct_populate(b + c->cap, ncap - c->cap);	/* filled next: no fault per page */
		c->buf = b;
		c->cap = ncap;
	}
	e = (struct pf_entry *)(c->buf + c->len);	/* the caller writes it, size included */
	c->len += more;
	c->nlines++;	/* entries read; the decoder counts them again */
	return e;
}

/* a sample that decodes (ct_bin_meta_need()): as decode_sample() would give it, but for its fields */
static int chunk_sample(struct pf_state *st, struct ct_chunk *c, const struct pf_sample *s, uint64_t where)
{
	/* where the raw data lies: the mapping, a window of the reading thread's, or (inflated
	 * perf -z data) the inflate buffer or the queue's copy, which move: copied */
	int mapped = s->raw >= st->map.base && s->raw < st->map.base + st->map.size;
	int reread = !mapped && st->windowed && pf_windows_hold(&st->win, s->raw);
	int copied = !mapped && !reread;
	struct pf_entry *e = chunk_entry(c, copied ? s->raw_size : 0), head = { 0 };

	if (!e)
		return -CT_E_NOMEM;
	head.ts = s->has_time ? s->time : st->last_ts;
	head.where = where;
	head.raw = mapped ? s->raw : NULL;
	head.tid = (int32_t)s->tid;
	head.cpu = s->has_cpu ? (int32_t)s->cpu : -1;
	head.size = s->raw_size;	/* the decoder reads this many; the room is rounded up */
	head.kind = copied ? PF_E_RAW_INLINE : mapped ? PF_E_RAW_AT : PF_E_RAW_REREAD;
	/* the other thread takes it: written past the cache (ct_stream_copy()) */
	ct_stream_copy(e, &head, sizeof(head));
	if (copied) {
		ct_stream_copy(e + 1, s->raw, s->raw_size);
	} else if (mapped) {
		/* the mapping's window stays until the chunk is done with (ref_low) */
		uint64_t *low = &st->ref_low[st->ref_low_at];

		if (where < *low)
			*low = where;
	}
	st->last_ts = head.ts;
	return PF_EV_IN_CHUNK;
}

/* a COMM or FORK record, for the taking thread to apply in its turn */
static int chunk_tasks(struct ct_chunk *c, const unsigned char *rec, uint32_t size)
{
	struct pf_entry *e = chunk_entry(c, size), head = { 0 };

	if (!e)
		return -CT_E_NOMEM;
	head.kind = PF_E_TASKS;
	head.size = size;
	ct_stream_copy(e, &head, sizeof(head));
	ct_stream_copy(e + 1, rec, size);
	return PF_EV_IN_CHUNK;
}

static int read_chunk(void *state, struct ct_chunk *c, char *err, size_t errlen)
{
	struct pf_state *st = state;
	int r = 1;

	c->len = 0;
	c->flags = 0;
	c->nlines = 0;
	/* the oldest chunk's pages may go now: this one takes its place */
	st->ref_low_at = (st->ref_low_at + 1) % CT_CHUNKS_IN_FLIGHT;
	st->ref_low[st->ref_low_at] = UINT64_MAX;
	while (c->nlines < PF_CHUNK_EVENTS) {
		struct ct_event ev;
		struct pf_entry *e;

		r = next_event(st, &ev, err, errlen, c);
		if (r <= 0)
			break;
		if (r == PF_EV_IN_CHUNK)
			continue;
		if (!(e = chunk_entry(c, sizeof(ev)))) {
			r = -CT_E_NOMEM;
			snprintf(err, errlen, "%s: %s", st->path, ct_strerror(r));
			break;
		}
		e->kind = r == PF_EV_TO_NAME ? PF_E_EVENT_TO_NAME : PF_E_EVENT;
		e->raw = NULL;
		e->size = (sizeof(ev) + 7u) & ~7u;
		memcpy(e + 1, &ev, sizeof(ev));	/* a marker's name is "" */
	}
	ct_stream_fence();
	if (r < 0)
		return r;
	return c->nlines ? 1 : 0;
}

/*
 * The taking thread's: the chunks in the order they were read, one thread
 * (the state it changes, the tasks' names and the data read again, is
 * this thread's alone: the reading thread does not touch it)
 */
static int chunk_next(const void *state, struct ct_chunk *c, size_t *pos, struct ct_event *ev)
{
	struct pf_taker *tk = ((const struct pf_state *)state)->taker;
	const struct pf_entry *e;
	const unsigned char *raw;
	const char *why;
	int r = 0;

	for (;;) {
		if (*pos >= c->len)
			return 0;
		e = (const struct pf_entry *)(c->buf + *pos);
		*pos += sizeof(*e) + (e->kind == PF_E_RAW_AT || e->kind == PF_E_RAW_REREAD ? 0 :
				      ((e->size + 7u) & ~7u));
		if (e->kind != PF_E_TASKS)
			break;
		if (pf_tasks_record(&tk->tasks, ct_rd32(e + 1, tk->swap) == PF_RECORD_FORK,
				    (const unsigned char *)(e + 1) + 8, e->size - 8u, tk->swap) < 0)
			return -CT_E_NOMEM;
	}
	if (e->kind == PF_E_EVENT || e->kind == PF_E_EVENT_TO_NAME) {
		memcpy(ev, e + 1, sizeof(*ev));
		if (e->kind == PF_E_EVENT_TO_NAME)
			pf_tasks_name(&tk->tasks, ev->pid, ev->comm);
		return 1;
	}
	raw = e->kind == PF_E_RAW_AT ? e->raw : e->kind == PF_E_RAW_INLINE ? (const unsigned char *)(e + 1) :
		pf_reread_at(&tk->reread, e->where, e->size);
	if (!raw && errno == ENOMEM)
		return -CT_E_NOMEM;
	/*
	 * It decoded where the reading thread read it (ct_bin_meta_need()):
	 * gone or changed since, the file was cut short or written over (or a
	 * read failed)
	 */
	if (!raw || (r = ct_bin_decode(tk->meta, raw, e->size, ev, &why)) < 0) {
		if (raw && r == -CT_E_NOMEM)
			return r;
		parse_error(ev, e->ts, e->where);
		ev->cpu = e->cpu;
		return 1;
	}
	ev->pid = e->tid;
	ev->ts_ns = e->ts;
	ev->cpu = e->cpu;
	pf_tasks_name(&tk->tasks, ev->pid, ev->comm);
	return 1;
}

static void finish_chunk(void *state, struct ct_chunk *c)
{
	(void)state;	/* every event was complete when the chunk was taken */
	(void)c;
}

/* piped perf data may bring its formats late: read it one event at a time */
static int can_chunk(const void *state)
{
	return !((const struct pf_state *)state)->pipe;
}

/* ---- opening ---- */

static int open_file_mode(struct pf_state *st, char *err, size_t errlen)
{
	const unsigned char *h = st->map.base;
	uint64_t hsize, attr_size, aoff, asz, doff, dsz, feat_off;
	uint64_t feats[4];
	int ret;

	if (st->map.size < PF_FILE_HEADER_SIZE) {
		ct_bin_msg(err, errlen, st->path, st->map.size, "file ends inside the perf header");
		return -CT_E_TRUNCATED;
	}
	hsize = ct_rd64(h + 8, st->swap);
	attr_size = ct_rd64(h + 16, st->swap);
	aoff = ct_rd64(h + 24, st->swap);
	asz = ct_rd64(h + 32, st->swap);
	doff = ct_rd64(h + 40, st->swap);
	dsz = ct_rd64(h + 48, st->swap);
	for (int i = 0; i < 4; i++)
		feats[i] = ct_rd64(h + 72 + 8 * i, st->swap);
	if (hsize < PF_FILE_HEADER_SIZE || attr_size < 64 || attr_size > 4096 || asz % attr_size) {
		ct_bin_msg(err, errlen, st->path, 8, "impossible perf header (size %llu, attr size %llu)",
			   (unsigned long long)hsize, (unsigned long long)attr_size);
		return -CT_E_PARSE;
	}
	if (aoff > st->map.size || asz > st->map.size - aoff) {
		ct_bin_msg(err, errlen, st->path, 24, "attrs at %llu+%llu lie beyond the end of the "
			   "file (%llu bytes): truncated?", (unsigned long long)aoff,
			   (unsigned long long)asz, (unsigned long long)st->map.size);
		return -CT_E_TRUNCATED;
	}
	if (doff > st->map.size || dsz > st->map.size - doff) {
		ct_bin_msg(err, errlen, st->path, 40, "data at %llu+%llu lies beyond the end of the "
			   "file (%llu bytes): truncated?", (unsigned long long)doff,
			   (unsigned long long)dsz, (unsigned long long)st->map.size);
		return -CT_E_TRUNCATED;
	}
	for (uint64_t o = aoff; o < aoff + asz; o += attr_size) {
		uint64_t ioff = ct_rd64(h + o + attr_size - 16, st->swap);
		uint64_t isz = ct_rd64(h + o + attr_size - 8, st->swap);
		uint32_t idx;

		ret = add_attr(st, h + o, (size_t)attr_size - 16, &idx);
		if (ret == -CT_E_NOMEM)
			return ret;
		if (ret < 0) {
			ct_bin_msg(err, errlen, st->path, o, "malformed event attr");
			return -CT_E_PARSE;
		}
		if (ioff > st->map.size || isz > st->map.size - ioff || isz % 8) {
			ct_bin_msg(err, errlen, st->path, o + attr_size - 16,
				   "sample ids lie beyond the end of the file");
			return -CT_E_TRUNCATED;
		}
		for (uint64_t k = 0; k < isz; k += 8) {
			ret = add_id(st, ct_rd64(h + ioff + k, st->swap), idx);
			if (ret < 0) {
				ct_bin_msg(err, errlen, st->path, ioff + k, "too many sample ids");
				return ret == -CT_E_NOMEM ? ret : -CT_E_PARSE;
			}
		}
	}
	/* feature sections follow the data, one {offset, size} per set bit from bit 1 */
	feat_off = doff + dsz;
	{
		/* ones we do not read are checked too: cut there, the file is still truncated */
		uint64_t k = 0;

		for (int bit = 1; bit < 256; bit++) {
			uint64_t at = feat_off + 16 * k, o, z;

			if (!(feats[bit / 64] & (1ULL << (bit % 64))))
				continue;
			k++;
			if (at > st->map.size || st->map.size - at < 16) {
				st->tail_perr = at;
				break;
			}
			o = ct_rd64(h + at, st->swap);
			z = ct_rd64(h + at + 8, st->swap);
			if (o > st->map.size || z > st->map.size - o) {
				st->tail_perr = at;
				break;
			}
		}
	}
	if (feats[0] & (1ULL << PF_FEAT_TRACING_DATA)) {
		uint64_t toff, tsz;

		if (st->map.size - feat_off < 16) {
			ct_bin_msg(err, errlen, st->path, feat_off, "file ends before the feature "
				   "sections: truncated?");
			return -CT_E_TRUNCATED;
		}
		toff = ct_rd64(h + feat_off, st->swap);
		tsz = ct_rd64(h + feat_off + 8, st->swap);
		if (toff > st->map.size || tsz > st->map.size - toff) {
			ct_bin_msg(err, errlen, st->path, feat_off, "tracing data at %llu+%llu lies "
				   "beyond the end of the file: truncated?", (unsigned long long)toff,
				   (unsigned long long)tsz);
			return -CT_E_TRUNCATED;
		}
		/* copied unless read whole: the formats are parsed lazily, and the file may shrink under a mapping */
		ret = read_tracing(st, h + toff, tsz, toff, !st->map.owned, err, errlen);
		if (ret < 0)
			return ret;
	}
	st->pos = doff;
	st->end = doff + dsz;
	if (!st->map.owned) {	/* a small file was read whole: it is walked where it is */
		pf_windows_init(&st->win, &st->map);
		st->windowed = 1;
		pf_reread_init(&st->taker->reread, &st->map, st->end);
	}
	return 0;
}

static void free_(void *state)
{
	struct pf_state *st = state;

	if (!st)
		return;
	pf_order_free(&st->order);
	pf_windows_free(&st->win);
	free(st->attrs);
	free(st->ids);
	if (st->taker) {
		pf_tasks_free(&st->taker->tasks);
		pf_reread_free(&st->taker->reread);
		free(st->taker);
	}
	free(st->zbuf);
	ct_bin_unzip_free(&st->unzip);
	ct_bin_meta_free(st->meta);
	ct_bin_map_close(&st->map);
	free(st);
}

static int open_(struct ct_input *in, void **state, char *err, size_t errlen)
{
	struct pf_state *st;
	int ret;

	*state = NULL;
	st = calloc(1, sizeof(*st));
	if (!st) {
		snprintf(err, errlen, "%s: %s", in->path, ct_strerror(-CT_E_NOMEM));
		return -CT_E_NOMEM;
	}
	st->path = in->path;
	st->in = in;
	if (posix_memalign((void **)&st->taker, 64, sizeof(*st->taker)) != 0) {
		free(st);	/* not free_(): st->taker is undefined */
		snprintf(err, errlen, "%s: %s", in->path, ct_strerror(-CT_E_NOMEM));
		return -CT_E_NOMEM;
	}
	memset(st->taker, 0, sizeof(*st->taker));
	pf_order_init(&st->order, queued_time, st);
	for (unsigned i = 0; i < CT_CHUNKS_IN_FLIGHT; i++)
		st->ref_low[i] = UINT64_MAX;
	/* with a forced format the source has read nothing yet */
	if (need_input(in, 16) < 0) {
		snprintf(err, errlen, "%s: read error at byte %llu", in->path,
			 (unsigned long long)(in->consumed + in->len));
		ret = -CT_E_IO;
		goto out;
	}
	if (in->len - in->pos < 16) {
		ct_bin_msg(err, errlen, st->path, in->len - in->pos, "file ends inside the perf header");
		ret = -CT_E_TRUNCATED;
		goto out;
	}
	st->swap = memcmp(in->buf + in->pos, "PERFILE2", 8) != 0;
	if (ct_rd64(in->buf + in->pos + 8, st->swap) == PF_PIPE_HEADER_SIZE) {
		/* pipe mode: attrs and tracing data arrive as records */
		st->pipe = 1;
		in->pos += PF_PIPE_HEADER_SIZE;
		/* read up to the first sample so the formats are known before next() */
		ret = 0;
	} else {
		ret = ct_bin_map_open(in, &st->map, err, errlen);
		if (ret < 0)
			goto out;
		err[0] = '\0';
		ret = open_file_mode(st, err, errlen);
		if (ret < 0) {
			if (!err[0])
				ct_bin_msg(err, errlen, st->path, 0, "%s", ct_strerror(ret));
			goto out;
		}
		if (!st->meta) {
			ct_bin_msg(err, errlen, st->path, 0, "no tracing data in this perf.data: it "
				   "holds no tracepoint events (record with -e 'compaction:*')");
			ret = -CT_E_UNSUPPORTED;
			goto out;
		}
		st->taker->meta = st->meta;	/* file mode only reads chunks: pipe mode's come late */
		st->taker->swap = st->swap;
	}
	*state = st;
	return 0;
out:
	if (ret == -CT_E_NOMEM)
		snprintf(err, errlen, "%s: %s", in->path, ct_strerror(ret));
	free_(st);
	return ret;
}

/* blobs appended after the perf.data proper (attach.h); not in pipe mode */
static const void *attachment(void *state, const char *name, size_t *len)
{
	struct pf_state *st = state;

	if (st->pipe)
		return NULL;
	return ct_attach_find(st->map.base, st->map.size, name, len);
}

const struct ct_parser_ops ct_perf_data_ops = {
	.format = CT_FORMAT_PERF_DATA, .probe = probe, .open = open_, .next = next, .free = free_,
	.attachment = attachment, .can_chunk = can_chunk,
	.read_chunk = read_chunk, .finish_chunk = finish_chunk,
	.chunk_next = chunk_next,
	.streams_pay = 1,	/* README "Speed": 2026-12-06, once the taking thread reads the data itself */
};
