// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * trace-cmd's trace.dat, versions 6 and 7 (v7 optionally with zstd/zlib
 * compressed sections and data chunks), with any number of CPUs and buffer
 * instances.
 *
 * Our own reader on libtraceevent rather than libtracecmd: libtracecmd
 * allocates a tep_record per event and, for compressed files, inflates each
 * CPU's data into a temporary file before reading it; here the metadata
 * is read where the file is mapped, each CPU's ring-buffer pages are read
 * a window at a time and walked in that buffer (compressed chunks are
 * inflated one at a time per CPU; a small file is read whole), records are
 * decoded through per-event-id tables, and CPUs/instances are merged with
 * a heap, in trace-cmd report's order (earliest timestamp first, ties to
 * the earlier buffer and CPU).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bin.h"
#include "core/util.h"
#include "compactrace/attach.h"
#include "compactrace/error.h"
#include "rb_page.h"
#include "registry.h"

#define TD_MAGIC_LEN 10
#define TD_MAX_CPUS 8192
#define TD_MAX_BUFFERS 1024
#define TD_MAX_OPTION_SECTIONS 1024
#define TD_MAX_CHUNK (256u << 20)	/* an uncompressed chunk larger than this is corrupt */
#define TD_RELEASE_STEP (4u << 20)	/* drop consumed mapped data from RSS this often */
#define TD_RELEASE_LAG (1u << 20)	/* ...but not the last this much: chunks in flight (12,288 events at most) point there */
#define TD_PREFETCH (1u << 20)		/* map this much ahead in one call */
#define TD_WINDOW (256u << 10)		/* raw pages are read this much at a time per CPU... */
#define TD_WINDOWS_MAX (32u << 20)	/* ...less when there are many CPUs */

/* trace.dat option ids */
enum {
	TD_OPT_DONE = 0,
	TD_OPT_DATE = 1,
	TD_OPT_BUFFER = 3,
	TD_OPT_OFFSET = 7,
	TD_OPT_TSC2NSEC = 14,
	TD_OPT_STRINGS = 15,
	TD_OPT_HEADER_INFO = 16,
	TD_OPT_FTRACE_EVENTS = 17,
	TD_OPT_EVENT_FORMATS = 18,
	TD_OPT_KALLSYMS = 19,
	TD_OPT_PRINTK = 20,
	TD_OPT_CMDLINES = 21,
};

#define TD_SEC_COMPRESSED 1

struct td_cpu {
	uint32_t cpu;
	uint64_t off, size;
};

struct td_buffer {
	int top;		/* the top instance ("") */
	uint64_t off;		/* v6: "flyrecord" block; v7: section header */
	uint32_t page_size;
	struct td_cpu *cpus;
	uint32_t nr_cpus;
};

struct td_stream {
	int cpu;
	uint32_t page_size;
	uint8_t compressed;
	uint8_t windowed;	/* raw pages read into ubuf a window at a time, not walked in the map */
	uint8_t truncated;	/* the file ends before this CPU's data does */
	/* raw pages: [file_off, file_off + size) of the map; pos is the next page (windowed: window) */
	uint64_t file_off, size, pos, released;
	uint64_t win_off;	/* windowed: the file offset of ubuf[0] */
	uint64_t prefetched;	/* mapped ahead up to here (stream or file offset) */
	/* compressed: the chunk list; compressed or windowed: ubuf holds the pages */
	uint64_t zpos, zend, zreleased;
	uint32_t zleft;
	unsigned char *ubuf;
	size_t ucap, ulen, upos;
	uint64_t chunk_off;
	/* the page being walked */
	const unsigned char *page;
	struct ct_rb_page pg;
	uint64_t page_where;	/* file offset of the page (compressed: of its chunk) */
	/* what the stream yields next: notices first, then rec */
	const unsigned char *rec;
	uint32_t rec_len;
	uint64_t key;		/* adjusted timestamp used for merging */
	int64_t lost;		/* -1: the kernel did not say how many */
	uint8_t has_lost, has_perr;
	uint64_t perr_where;
};

struct td_state {
	const char *path;
	struct ct_bin_map map;
	struct ct_bin_meta *meta;
	struct ct_bin_unzip unzip;
	struct ct_bin_page_layout lay;
	int swap;
	int version;
	int64_t ts_offset;
	uint32_t tsc_mult, tsc_shift;
	struct td_stream *s;
	size_t ns;
	uint32_t *heap;
	size_t nheap;
	uint64_t last_ts;	/* of the last event given out */
	uint64_t prepared[65536 / 64];	/* chunks: event ids whose format ct_bin_meta_prepare() saw */
	uint32_t type_off, type_size;
	uint64_t tail_perr;	/* a truncated section after the data, reported last */
	/* open-time only */
	struct td_buffer *bufs;
	size_t nbufs;
	uint64_t sec_off[TD_OPT_CMDLINES + 1];	/* v7 metadata sections by option id */
	uint64_t next_options;
	uint32_t file_cpus;	/* v6: CPUs in the header */
};

static int probe(const unsigned char *prefix, size_t len)
{
	static const unsigned char magic[TD_MAGIC_LEN] = { 0x17, 0x08, 0x44, 't', 'r', 'a', 'c', 'i', 'n', 'g' };

	if (len >= TD_MAGIC_LEN && memcmp(prefix, magic, TD_MAGIC_LEN) == 0)
		return 100;
	return 0;
}

/* ---- timestamps, as trace-cmd's timestamp_calc() adjusts them ---- */

static inline uint64_t adjust_ts(const struct td_state *st, uint64_t ts)
{
	if (st->tsc_mult)
		ts = (uint64_t)(((unsigned __int128)ts * st->tsc_mult) >> st->tsc_shift);
	return ts + (uint64_t)st->ts_offset;
}

/* ---- the merge heap: (key, stream index), smallest first ---- */

static inline int heap_less(const struct td_state *st, uint32_t a, uint32_t b)
{
	const struct td_stream *x = &st->s[a], *y = &st->s[b];

	return x->key < y->key || (x->key == y->key && a < b);
}

static void heap_down(struct td_state *st, size_t i)
{
	for (;;) {
		size_t l = 2 * i + 1, r = l + 1, m = i;
		uint32_t t;

		if (l < st->nheap && heap_less(st, st->heap[l], st->heap[m]))
			m = l;
		if (r < st->nheap && heap_less(st, st->heap[r], st->heap[m]))
			m = r;
		if (m == i)
			return;
		t = st->heap[i];
		st->heap[i] = st->heap[m];
		st->heap[m] = t;
		i = m;
	}
}

static void heap_pop(struct td_state *st)
{
	st->heap[0] = st->heap[--st->nheap];
	heap_down(st, 0);
}

/* ---- walking one CPU's pages ---- */

static void note_perr(struct td_stream *s, uint64_t where)
{
	if (!s->has_perr) {
		s->has_perr = 1;
		s->perr_where = where;
	}
}

static void note_lost(struct td_stream *s, int64_t n)
{
	if (s->has_lost && (s->lost < 0 || n < 0))
		s->lost = -1;
	else
		s->lost = s->has_lost ? s->lost + n : n;
	s->has_lost = 1;
}

/* inflate the next chunk of a compressed stream; 0 when there is none */
static int load_chunk(struct td_state *st, struct td_stream *s)
{
	const unsigned char *p;
	uint32_t zsize, usize;

	if (!s->zleft)
		return 0;
	if (s->zend - s->zpos < 8) {
		note_perr(s, s->zpos);
		s->zleft = 0;
		return 0;
	}
	p = st->map.base + s->zpos;
	zsize = ct_rd32(p, st->swap);
	usize = ct_rd32(p + 4, st->swap);
	if (zsize > s->zend - s->zpos - 8 || usize > TD_MAX_CHUNK || usize == 0) {
		note_perr(s, s->zpos);
		s->zleft = 0;
		return 0;
	}
	if (usize > s->ucap) {
		unsigned char *n = realloc(s->ubuf, usize);

		if (!n)
			return -CT_E_NOMEM;
		s->ubuf = n;
		s->ucap = usize;
	}
	if (ct_bin_unzip(&st->unzip, p + 8, zsize, s->ubuf, usize) < 0) {
		note_perr(s, s->zpos);
		s->zleft = 0;
		return 0;
	}
	s->chunk_off = s->zpos;
	s->ulen = usize;
	s->upos = 0;
	s->zpos += 8 + (uint64_t)zsize;
	s->zleft--;
	if (s->zpos >= s->prefetched) {
		ct_bin_map_prefetch(&st->map, s->zpos, TD_PREFETCH);
		s->prefetched = s->zpos + TD_PREFETCH;
	}
	if (s->zpos - s->zreleased >= TD_RELEASE_STEP) {
		ct_bin_map_release(&st->map, s->zreleased, s->chunk_off);
		s->zreleased = s->chunk_off;
	}
	return 1;
}

/*
 * Read the next window of a windowed stream's raw pages into its buffer;
 * 0 when there is none. A read error or a file that shrank ends the
 * stream with unreadable data at that offset.
 */
static int load_window(struct td_state *st, struct td_stream *s)
{
	size_t want;
	long got;

	if (s->pos >= s->size) {
		if (s->truncated) {	/* where the data stops: the file's end, or where it shrank to */
			note_perr(s, s->file_off + s->size);
			s->truncated = 0;
		}
		return 0;
	}
	want = s->size - s->pos < s->ucap ? (size_t)(s->size - s->pos) : s->ucap;
	got = ct_bin_map_read(&st->map, s->file_off + s->pos, s->ubuf, want);
	if (got <= 0) {
		note_perr(s, s->file_off + s->pos);
		s->pos = s->size;
		s->truncated = 0;
		return 0;
	}
	s->win_off = s->file_off + s->pos;
	s->ulen = (size_t)got;
	s->upos = 0;
	s->pos += (uint64_t)got;
	if ((size_t)got < want) {	/* the file shrank under us: what is left is unreadable */
		s->size = s->pos;
		s->truncated = 1;
	}
	return 1;
}

/*
 * Where the file can be read (not a small file already in memory), the raw
 * pages of each CPU are read a window at a time instead of walked in the
 * mapping: on this project's VM, reading a 51 MB trace.dat takes 8-14 ms,
 * faulting its mapping in 31-39 ms.
 */
static int open_windows(struct td_state *st)
{
	size_t win = st->ns && TD_WINDOWS_MAX / st->ns < TD_WINDOW ? TD_WINDOWS_MAX / st->ns : TD_WINDOW;

	if (st->map.fd < 0)
		return 0;
	for (size_t i = 0; i < st->ns; i++) {
		struct td_stream *s = &st->s[i];
		size_t w = win / s->page_size * s->page_size;

		if (s->compressed || !s->size)
			continue;
		s->ucap = w ? w : s->page_size;
		s->ubuf = malloc(s->ucap);
		if (!s->ubuf)
			return -CT_E_NOMEM;
		s->windowed = 1;
	}
	return 0;
}

/* point the stream at its next non-empty page; 0 at the end of its data */
static int load_page(struct td_state *st, struct td_stream *s)
{
	const struct ct_bin_page_layout *lay = &st->lay;

	for (;;) {
		const unsigned char *page;
		uint64_t avail, where, bad;

		if (s->compressed || s->windowed) {
			if (s->upos >= s->ulen) {
				int r = s->compressed ? load_chunk(st, s) : load_window(st, s);

				if (r <= 0)
					return r;
			}
			page = s->ubuf + s->upos;
			avail = s->ulen - s->upos;
			where = s->compressed ? s->chunk_off : s->win_off + s->upos;
			s->upos += s->page_size;
		} else {
			if (s->pos >= s->size) {
				if (s->truncated) {
					note_perr(s, st->map.size);
					s->truncated = 0;
				}
				return 0;
			}
			page = st->map.base + s->file_off + s->pos;
			avail = s->size - s->pos;
			where = s->file_off + s->pos;
			if (s->pos - s->released >= TD_RELEASE_STEP + TD_RELEASE_LAG) {
				ct_bin_map_release(&st->map, s->file_off + s->released, where - TD_RELEASE_LAG);
				s->released = s->pos - TD_RELEASE_LAG;
			}
			if (s->pos >= s->prefetched) {
				ct_bin_map_prefetch(&st->map, where, TD_PREFETCH);
				s->prefetched = s->pos + TD_PREFETCH;
			}
			s->pos += s->page_size;
		}
		if (avail > s->page_size)
			avail = s->page_size;
		if (ct_rb_page_open(&s->pg, page, avail, lay, st->swap, &bad) < 0) {
			note_perr(s, where + bad);
			continue;
		}
		if (s->pg.missed)
			note_lost(s, s->pg.missed_count);
		/* the next page is read soon: start pulling its first lines in */
		if (avail == s->page_size && (s->compressed || s->windowed ? s->upos + s->page_size <= s->ulen :
					     s->pos + s->page_size <= s->size)) {
			__builtin_prefetch(page + s->page_size);
			__builtin_prefetch(page + s->page_size + 64);
			__builtin_prefetch(page + s->page_size + 128);
		}
		s->page = page;
		s->page_where = where;
		if (s->pg.commit)
			return 1;
	}
}

/*
 * Move to the stream's next record (decoding the ring buffer's compressed
 * entry headers as kbuffer does). Returns 1 if the stream has a record or a
 * notice to give, 0 when it is finished, <0 on allocation failure.
 */
static int stream_advance(struct td_state *st, struct td_stream *s)
{
	s->rec = NULL;
	for (;;) {
		int r = s->page ? ct_rb_page_next(&s->pg, &s->rec, &s->rec_len) : 0;

		if (r > 0) {
			s->key = adjust_ts(st, s->pg.ts);
			return 1;
		}
		if (r < 0) {
			/* the rest of this page cannot be trusted; go on with the next */
			note_perr(s, s->compressed ? s->page_where :
				  s->page_where + st->lay.data_off + s->pg.off);
			s->pg.off = s->pg.commit;
			s->rec = NULL;
		}
		r = load_page(st, s);
		if (r < 0)
			return r;
		if (r == 0)
			break;
	}
	s->key = adjust_ts(st, s->pg.ts);
	return s->has_lost || s->has_perr;
}

/* ---- events out ---- */

/*
 * A marker (lost events, unreadable data) as the text parsers make one for
 * trace-cmd report's "CPU:N [K EVENTS DROPPED]": stamped with the time of
 * the last event given out, no task, no name.
 */
static void notice(struct td_state *st, struct td_stream *s, struct ct_event *ev, int type)
{
	memset(ev, 0, sizeof(*ev));
	ev->type = (uint16_t)type;
	ev->ts_ns = st->last_ts;
	ev->pid = -1;
	ev->cpu = s->cpu;
	ev->name = "";
	if (type == CT_EV_LOST) {
		/* the kernel may flag lost events without a count: 0 says "unknown" */
		ev->u.lost.count = s->lost > 0 ? (uint64_t)s->lost : 0;
		s->has_lost = 0;
	} else {
		ev->u.perr.where = s->perr_where;
		s->has_perr = 0;
	}
}

/*
 * What comes next in trace-cmd report's order: a record (@rec, @rec_len,
 * its time and cpu, and where it is for a message if it does not decode)
 * or a notice (@ev filled in). The merge and the page walk only: the
 * record is decoded by the caller.
 */
struct td_item {
	const unsigned char *rec;	/* NULL: a notice, in the caller's event */
	uint32_t rec_len;
	int32_t cpu;
	uint64_t ts, where;
};

/*
 * The next record or notice: 1, 0 at the end. A record stays where it is
 * (a compressed stream's buffer is refilled when it moves on) until
 * next_done() moves its stream on.
 */
static inline __attribute__((always_inline)) int next_item(struct td_state *st, struct td_item *it, struct ct_event *ev)
{
	while (st->nheap) {
		struct td_stream *s = &st->s[st->heap[0]];

		if (s->has_perr || s->has_lost) {
			it->rec = NULL;
			notice(st, s, ev, s->has_perr ? CT_EV_PARSE_ERROR : CT_EV_LOST);
			if (!s->rec && !s->has_perr && !s->has_lost)
				heap_pop(st);
			return 1;
		}
		if (!s->rec) {
			heap_pop(st);
			continue;
		}
		it->rec = s->rec;
		it->rec_len = s->rec_len;
		it->cpu = s->cpu;
		it->ts = s->key;
		it->where = s->compressed ? s->page_where : s->page_where + (uint64_t)(s->rec - s->page);
		return 1;
	}
	if (st->tail_perr) {
		it->rec = NULL;
		memset(ev, 0, sizeof(*ev));
		ev->type = CT_EV_PARSE_ERROR;
		ev->ts_ns = st->last_ts;
		ev->pid = -1;
		ev->cpu = -1;
		ev->name = "";
		ev->u.perr.where = st->tail_perr;
		st->tail_perr = 0;
		return 1;
	}
	return 0;
}

/* the record next_item() gave is used: its stream moves on. 0, or <0 on allocation failure */
static inline __attribute__((always_inline)) int next_done(struct td_state *st)
{
	struct td_stream *s = &st->s[st->heap[0]];
	int r;

	st->last_ts = s->key;
	r = stream_advance(st, s);
	if (r < 0)
		return r;
	/* the stream stays first while its next record is no later than its children's */
	if (r && !(s->has_lost || s->has_perr) && s->rec) {
		uint32_t top = st->heap[0];

		if ((st->nheap < 2 || !heap_less(st, st->heap[1], top)) &&
		    (st->nheap < 3 || !heap_less(st, st->heap[2], top)))
			return 0;
	}
	if (r)
		heap_down(st, 0);
	else
		heap_pop(st);
	return 0;
}

/* @it's record into @ev, as trace-cmd report shows it */
static inline __attribute__((always_inline)) int decode_item(struct ct_bin_meta *meta, struct ct_bin_comms *comms, const struct td_item *it,
		       const unsigned char *rec, struct ct_event *ev)
{
	const char *why, *comm;
	size_t clen;
	int r = ct_bin_decode(meta, rec, it->rec_len, ev, &why);

	if (r == -CT_E_NOMEM)
		return r;
	if (r < 0) {
		ev->pid = -1;
		ev->u.perr.where = it->where;
	} else {
		comm = comms ? ct_bin_meta_comm_in(meta, comms, ev->pid, &clen) :
			ct_bin_meta_comm(meta, ev->pid, &clen);
		ct_bin_copy_name(ev->comm, sizeof(ev->comm), comm, clen);
	}
	ev->ts_ns = it->ts;
	ev->cpu = it->cpu;
	return 0;
}

static int next(void *state, struct ct_event *ev, char *err, size_t errlen)
{
	struct td_state *st = state;
	struct td_item it;
	int r = next_item(st, &it, ev);

	if (r == 1 && it.rec) {
		r = decode_item(st->meta, NULL, &it, it.rec, ev);
		if (r == 0)
			r = next_done(st);
		if (r == 0)
			r = 1;
	}
	if (r < 0)
		snprintf(err, errlen, "%s: %s", st->path, ct_strerror(r));
	return r;
}

/*
 * Chunks (see ct_source_read_chunk()): the page walk and the merge here,
 * in order, each record copied into the chunk (a compressed stream's
 * buffer is reused) with its format parsed; decoding and the task names
 * on any thread. A chunk's buffer holds td_entry headers, each followed by
 * its record (or, for a notice, by the event itself), 8-byte aligned.
 */
#define TD_CHUNK_EVENTS 2048

struct td_entry {
	struct td_item it;	/* it.rec: the record in the mapping (TD_IN_MAP), else unused */
	uint32_t size;		/* of what follows */
	uint32_t kind;		/* what follows or where the record is: */
};
_Static_assert(sizeof(struct td_entry) % 8 == 0, "entries stay 8-byte aligned");

#define TD_COPIED 0		/* the record follows (a compressed or windowed stream's buffer is reused) */
#define TD_NOTICE 1		/* a struct ct_event follows */
#define TD_IN_MAP 2		/* nothing follows: the record stays where the file is mapped or read */

static int chunk_room(struct ct_chunk *c, size_t more)
{
	if (c->len + more > c->cap) {
		size_t ncap = c->cap ? 2 * c->cap : 256 * 1024;
		char *b;

		while (ncap < c->len + more)
			ncap *= 2;
		b = realloc(c->buf, ncap);
		if (!b)
			return -CT_E_NOMEM;
		ct_populate(b + c->cap, ncap - c->cap);	/* filled next: no fault per page */
		c->buf = b;
		c->cap = ncap;
	}
	return 0;
}

static int read_chunk(void *state, struct ct_chunk *c, char *err, size_t errlen)
{
	struct td_state *st = state;
	uint32_t n = 0;
	int r = 0;

	c->len = 0;
	c->flags = 0;
	while (n < TD_CHUNK_EVENTS) {
		struct td_item it;
		struct ct_event ev;
		struct td_entry *e;
		size_t size;
		uint32_t kind;

		r = next_item(st, &it, &ev);
		if (r <= 0)
			break;
		/* a record in the mapping is read where it is: the mapping outlives the chunk */
		kind = !it.rec ? TD_NOTICE : st->s[st->heap[0]].ubuf ? TD_COPIED : TD_IN_MAP;
		size = kind == TD_NOTICE ? sizeof(ev) : kind == TD_COPIED ? (it.rec_len + 7u) & ~7u : 0;
		if ((r = chunk_room(c, sizeof(*e) + size)) < 0)
			break;
		e = (struct td_entry *)(c->buf + c->len);
		if (it.rec) {
			struct td_entry head = { .it = it, .size = (uint32_t)size, .kind = kind };
			uint64_t id = it.rec_len >= st->type_off + st->type_size ?
				ct_rdn(it.rec + st->type_off, st->type_size, st->swap) : 65536;

			/* the other thread decodes it: written past the cache (ct_stream_copy()) */
			ct_stream_copy(e, &head, sizeof(head));
			if (kind == TD_COPIED)
				ct_stream_copy(e + 1, it.rec, it.rec_len);
			/* the format of each id parsed here, once: decoding then only reads it */
			if (id >= 65536 || !(st->prepared[id / 64] & (1ULL << (id % 64)))) {
				if ((r = ct_bin_meta_prepare(st->meta, it.rec, it.rec_len)) < 0)
					break;
				if (id < 65536)
					st->prepared[id / 64] |= 1ULL << (id % 64);
			}
			if ((r = next_done(st)) < 0)
				break;
		} else {
			e->it = it;
			e->size = (uint32_t)size;
			e->kind = kind;
			memcpy(e + 1, &ev, sizeof(ev));	/* a notice's name is "" */
		}
		c->len += sizeof(*e) + size;
		n++;
	}
	ct_stream_fence();
	if (r < 0) {
		snprintf(err, errlen, "%s: %s", st->path, ct_strerror(r));
		return r;
	}
	return n ? 1 : 0;
}

static int chunk_next(const void *state, struct ct_chunk *c, size_t *pos, struct ct_event *ev)
{
	const struct td_state *st = state;
	const struct td_entry *e = (const struct td_entry *)(c->buf + *pos);

	if (*pos >= c->len)
		return 0;
	if (!c->scratch && !(c->scratch = ct_bin_comms_new()))
		return -CT_E_NOMEM;
	*pos += sizeof(*e) + e->size;
	if (e->kind == TD_NOTICE) {
		memcpy(ev, e + 1, sizeof(*ev));
		return 1;
	}
	return decode_item(st->meta, c->scratch, &e->it,
			   e->kind == TD_IN_MAP ? e->it.rec : (const unsigned char *)(e + 1), ev) < 0 ?
		-CT_E_NOMEM : 1;
}

static void finish_chunk(void *state, struct ct_chunk *c)
{
	(void)state;	/* every time and offset was known when the chunk was read */
	(void)c;
}

static void chunk_free(struct ct_chunk *c)
{
	ct_bin_comms_free(c->scratch);
	c->scratch = NULL;
}

/* ---- the file's structure ---- */

static int add_buffer(struct td_state *st, struct td_buffer **out, char *err, size_t errlen)
{
	struct td_buffer *n;

	if (st->nbufs >= TD_MAX_BUFFERS) {
		snprintf(err, errlen, "%s: more than %d buffer instances", st->path, TD_MAX_BUFFERS);
		return -CT_E_PARSE;
	}
	n = realloc(st->bufs, (st->nbufs + 1) * sizeof(*n));
	if (!n)
		return -CT_E_NOMEM;
	st->bufs = n;
	*out = &n[st->nbufs++];
	memset(*out, 0, sizeof(**out));
	return 0;
}

/* the BUFFER option: v6 has offset and name, v7 also clock, page size and CPUs */
static int opt_buffer(struct td_state *st, struct ct_bin_cur *c, uint64_t at,
		      char *err, size_t errlen)
{
	struct td_buffer *b;
	const char *name;
	uint64_t off = ct_cur_u64(c);
	int ret;

	name = ct_cur_str(c, NULL);
	if (c->bad)
		goto bad;
	ret = add_buffer(st, &b, err, errlen);
	if (ret < 0)
		return ret;
	b->top = name[0] == '\0';
	b->off = off;
	if (st->version < 7)
		return 0;
	ct_cur_str(c, NULL);	/* clock */
	b->page_size = ct_cur_u32(c);
	b->nr_cpus = ct_cur_u32(c);
	if (c->bad)
		goto bad;
	if (b->nr_cpus > TD_MAX_CPUS || (uint64_t)b->nr_cpus * 20 > ct_cur_left(c)) {
		ct_bin_msg(err, errlen, st->path, at, "buffer option claims %u CPUs", b->nr_cpus);
		return -CT_E_PARSE;
	}
	if (!b->nr_cpus)
		return 0;
	b->cpus = calloc(b->nr_cpus, sizeof(*b->cpus));
	if (!b->cpus)
		return -CT_E_NOMEM;
	for (uint32_t i = 0; i < b->nr_cpus; i++) {
		b->cpus[i].cpu = ct_cur_u32(c);
		b->cpus[i].off = ct_cur_u64(c);
		b->cpus[i].size = ct_cur_u64(c);
	}
	if (c->bad)
		goto bad;
	return 0;
bad:
	ct_bin_msg(err, errlen, st->path, at, "truncated buffer option");
	return -CT_E_PARSE;
}

/* one options block (v6: until id 0; v7: until DONE, which links the next section) */
static int parse_options(struct td_state *st, struct ct_bin_cur *c, char *err, size_t errlen)
{
	for (;;) {
		uint64_t at = c->off;
		uint16_t id = ct_cur_u16(c);
		uint32_t size;
		const unsigned char *data;
		struct ct_bin_cur oc;
		char num[32];
		int ret;

		if (c->bad) {
			ct_bin_msg(err, errlen, st->path, at, "file ends inside the options");
			return -CT_E_TRUNCATED;
		}
		if (id == TD_OPT_DONE && st->version < 7)
			return 0;
		size = ct_cur_u32(c);
		data = ct_cur_take(c, size);
		if (!data) {
			ct_bin_msg(err, errlen, st->path, at, "option %u claims %u bytes, only %zu left",
				   id, size, ct_cur_left(c));
			return -CT_E_TRUNCATED;
		}
		ct_cur_init(&oc, data, size, at + 6, st->swap);
		switch (id) {
		case TD_OPT_DONE:
			st->next_options = size >= 8 ? ct_rd64(data, st->swap) : 0;
			return 0;
		case TD_OPT_BUFFER:
			ret = opt_buffer(st, &oc, at, err, errlen);
			if (ret < 0)
				return ret;
			break;
		case TD_OPT_DATE:
		case TD_OPT_OFFSET:
			/* ASCII numbers: DATE in microseconds, OFFSET in nanoseconds */
			ct_bin_copy_name(num, sizeof(num), (const char *)data, strnlen((const char *)data, size));
			st->ts_offset += strtoll(num, NULL, 0) * (id == TD_OPT_DATE ? 1000 : 1);
			break;
		case TD_OPT_TSC2NSEC:
			if (size >= 16) {
				st->tsc_mult = ct_rd32(data, st->swap);
				st->tsc_shift = ct_rd32(data + 4, st->swap);
				if (st->tsc_shift > 63)
					st->tsc_mult = 0;
			}
			break;
		case TD_OPT_HEADER_INFO:
		case TD_OPT_FTRACE_EVENTS:
		case TD_OPT_EVENT_FORMATS:
		case TD_OPT_KALLSYMS:
		case TD_OPT_PRINTK:
		case TD_OPT_CMDLINES:
			if (size >= 8)
				st->sec_off[id] = ct_rd64(data, st->swap);
			break;
		default:
			break;
		}
	}
}

/*
 * A v7 section: header (id, flags, description, size), then its contents,
 * inflated into *@owned when compressed. @c covers the contents afterwards.
 */
static int open_section(struct td_state *st, uint64_t off, uint16_t want, struct ct_bin_cur *c,
			unsigned char **owned, char *err, size_t errlen)
{
	struct ct_bin_cur h;
	uint16_t id, flags;
	uint64_t size;
	const unsigned char *data;

	*owned = NULL;
	if (off >= st->map.size) {
		ct_bin_msg(err, errlen, st->path, off, "section %u lies beyond the end of the file "
			   "(%llu bytes): truncated?", want, (unsigned long long)st->map.size);
		return -CT_E_TRUNCATED;
	}
	ct_cur_init(&h, st->map.base + off, st->map.size - off, off, st->swap);
	id = ct_cur_u16(&h);
	flags = ct_cur_u16(&h);
	ct_cur_u32(&h);
	size = ct_cur_u64(&h);
	if (h.bad) {
		ct_bin_msg(err, errlen, st->path, off, "file ends inside a section header");
		return -CT_E_TRUNCATED;
	}
	if (id != want) {
		ct_bin_msg(err, errlen, st->path, off, "expected section %u, found %u", want, id);
		return -CT_E_PARSE;
	}
	data = ct_cur_take(&h, size);
	if (!data) {
		ct_bin_msg(err, errlen, st->path, off, "section %u claims %llu bytes, only %zu left",
			   id, (unsigned long long)size, ct_cur_left(&h));
		return -CT_E_TRUNCATED;
	}
	if (flags & TD_SEC_COMPRESSED) {
		uint32_t zsize, usize;
		int ret;

		if (size < 8) {
			ct_bin_msg(err, errlen, st->path, off + 16, "compressed section too small");
			return -CT_E_PARSE;
		}
		zsize = ct_rd32(data, st->swap);
		usize = ct_rd32(data + 4, st->swap);
		if (zsize > size - 8 || usize > TD_MAX_CHUNK) {
			ct_bin_msg(err, errlen, st->path, off + 16,
				   "impossible compressed section sizes %u -> %u", zsize, usize);
			return -CT_E_PARSE;
		}
		*owned = malloc(usize ? usize : 1);
		if (!*owned)
			return -CT_E_NOMEM;
		ret = ct_bin_unzip(&st->unzip, data + 8, zsize, *owned, usize);
		if (ret < 0) {
			ct_bin_msg(err, errlen, st->path, off + 24, "cannot decompress section %u", id);
			return ret == -CT_E_UNSUPPORTED ? ret : -CT_E_PARSE;
		}
		/* offsets inside inflated data mean little; report the section's */
		ct_cur_init(c, *owned, usize, off, st->swap);
	} else {
		ct_cur_init(c, data, size, off + 16, st->swap);
	}
	return 0;
}

static int read_section(struct td_state *st, uint16_t id, char *err, size_t errlen)
{
	struct ct_bin_cur c;
	unsigned char *owned = NULL;
	int ret;

	if (!st->sec_off[id])
		return 0;
	ret = open_section(st, st->sec_off[id], id, &c, &owned, err, errlen);
	if (ret < 0)
		goto out;
	switch (id) {
	case TD_OPT_HEADER_INFO:
		ret = ct_bin_read_headers(&c, st->meta, st->path, err, errlen);
		break;
	case TD_OPT_FTRACE_EVENTS:
	case TD_OPT_EVENT_FORMATS:
		/* an inflated section is handed over; a mapped one lives as long anyway */
		if (owned) {
			ret = ct_bin_meta_adopt(st->meta, owned);
			if (ret < 0)
				break;
			owned = NULL;
		}
		ret = id == TD_OPT_FTRACE_EVENTS ?
			ct_bin_read_ftrace_formats(&c, st->meta, 0, st->path, err, errlen) :
			ct_bin_read_event_formats(&c, st->meta, 0, st->path, err, errlen);
		break;
	case TD_OPT_CMDLINES:
		ret = ct_bin_read_cmdlines(&c, st->meta, st->path, err, errlen);
		break;
	default:
		break;
	}
out:
	free(owned);
	return ret;
}

/*
 * trace-cmd puts a strings section (section descriptions) after an options
 * section. We do not need it, but a file cut inside it is truncated all
 * the same: say so with a parse error at the end of the stream.
 */
static void check_strings(struct td_state *st, uint64_t opt_off)
{
	uint64_t end, size;

	/* open_section() checked that the options section fits */
	end = opt_off + 16 + ct_rd64(st->map.base + opt_off + 8, st->swap);
	if (end >= st->map.size || st->tail_perr)
		return;
	if (st->map.size - end < 16) {
		st->tail_perr = end;
		return;
	}
	size = ct_rd64(st->map.base + end + 8, st->swap);
	if (ct_rd16(st->map.base + end, st->swap) == TD_OPT_STRINGS && size > st->map.size - end - 16)
		st->tail_perr = end;
}

static int read_v7(struct td_state *st, struct ct_bin_cur *c, char *err, size_t errlen)
{
	const char *zname;
	uint64_t at = c->off, off;
	unsigned sections = 0;
	int ret;

	zname = ct_cur_str(c, NULL);
	ct_cur_str(c, NULL);	/* compressor version */
	off = ct_cur_u64(c);
	if (c->bad) {
		ct_bin_msg(err, errlen, st->path, at, "file ends inside the v7 header");
		return -CT_E_TRUNCATED;
	}
	ret = ct_bin_unzip_init(&st->unzip, zname, err, errlen);
	if (ret < 0) {
		char why[160];

		ct_bin_copy_name(why, sizeof(why), err, strlen(err));
		ct_bin_msg(err, errlen, st->path, at, "%s", why);
		return ret;
	}
	/* options sections chain through their DONE option */
	while (off) {
		struct ct_bin_cur oc;
		unsigned char *owned = NULL;

		if (++sections > TD_MAX_OPTION_SECTIONS) {
			ct_bin_msg(err, errlen, st->path, off, "options sections form a loop");
			return -CT_E_PARSE;
		}
		st->next_options = 0;
		ret = open_section(st, off, 0, &oc, &owned, err, errlen);
		if (ret == 0)
			ret = parse_options(st, &oc, err, errlen);
		free(owned);
		if (ret < 0)
			return ret;
		check_strings(st, off);
		off = st->next_options;
	}
	if (!st->sec_off[TD_OPT_HEADER_INFO] || !st->sec_off[TD_OPT_EVENT_FORMATS]) {
		ct_bin_msg(err, errlen, st->path, at, "no header or event-format section");
		return -CT_E_PARSE;
	}
	for (uint16_t id = TD_OPT_HEADER_INFO; id <= TD_OPT_CMDLINES; id++) {
		ret = read_section(st, id, err, errlen);
		if (ret < 0)
			return ret;
	}
	return 0;
}

/* v6: "flyrecord\0" then offset/size per CPU (for the top buffer and every instance) */
static int v6_flyrecord(struct td_state *st, struct ct_bin_cur *c, size_t bi,
			char *err, size_t errlen)
{
	struct td_buffer *b;
	uint64_t at = c->off;
	const unsigned char *tag = ct_cur_take(c, 10);

	if (tag && memcmp(tag, "options  ", 10) == 0) {
		int ret = parse_options(st, c, err, errlen);

		if (ret < 0)
			return ret;
		at = c->off;
		tag = ct_cur_take(c, 10);
	}
	if (!tag) {
		ct_bin_msg(err, errlen, st->path, at, "file ends before the CPU data");
		return -CT_E_TRUNCATED;
	}
	if (memcmp(tag, "latency  ", 10) == 0) {
		ct_bin_msg(err, errlen, st->path, at, "latency-tracer text in trace.dat is not supported");
		return -CT_E_UNSUPPORTED;
	}
	if (memcmp(tag, "flyrecord", 10) != 0) {
		ct_bin_msg(err, errlen, st->path, at, "expected \"flyrecord\"");
		return -CT_E_PARSE;
	}
	if ((uint64_t)st->file_cpus * 16 > ct_cur_left(c)) {
		ct_bin_msg(err, errlen, st->path, c->off, "file ends inside the CPU data table");
		return -CT_E_TRUNCATED;
	}
	/* only now: the options above may have grown (moved) the buffer array */
	b = &st->bufs[bi];
	b->nr_cpus = st->file_cpus;
	b->page_size = 0;
	if (!b->nr_cpus)
		return 0;
	b->cpus = calloc(b->nr_cpus, sizeof(*b->cpus));
	if (!b->cpus)
		return -CT_E_NOMEM;
	for (uint32_t i = 0; i < b->nr_cpus; i++) {
		b->cpus[i].cpu = i;
		b->cpus[i].off = ct_cur_u64(c);
		b->cpus[i].size = ct_cur_u64(c);
	}
	return 0;
}

static int read_v6(struct td_state *st, struct ct_bin_cur *c, char *err, size_t errlen)
{
	struct td_buffer *top;
	size_t ninst;
	uint64_t at;
	int ret;

	ret = ct_bin_read_headers(c, st->meta, st->path, err, errlen);
	/* the formats stay in the mapped file, which outlives the meta */
	if (!ret)
		ret = ct_bin_read_ftrace_formats(c, st->meta, 0, st->path, err, errlen);
	if (!ret)
		ret = ct_bin_read_event_formats(c, st->meta, 0, st->path, err, errlen);
	if (!ret)
		ret = ct_bin_skip_sized32(c, "kallsyms", st->path, err, errlen);
	if (!ret)
		ret = ct_bin_skip_sized32(c, "printk formats", st->path, err, errlen);
	if (!ret)
		ret = ct_bin_read_cmdlines(c, st->meta, st->path, err, errlen);
	if (ret < 0)
		return ret;
	at = c->off;
	st->file_cpus = ct_cur_u32(c);
	if (c->bad) {
		ct_bin_msg(err, errlen, st->path, at, "file ends before the CPU count");
		return -CT_E_TRUNCATED;
	}
	if (st->file_cpus > TD_MAX_CPUS) {
		ct_bin_msg(err, errlen, st->path, at, "impossible CPU count %u", st->file_cpus);
		return -CT_E_PARSE;
	}
	/* the top buffer goes first; instances are added by the options */
	ret = add_buffer(st, &top, err, errlen);
	if (ret < 0)
		return ret;
	top->top = 1;
	ret = v6_flyrecord(st, c, 0, err, errlen);
	if (ret < 0)
		return ret;
	ninst = st->nbufs;
	for (size_t i = 1; i < ninst; i++) {
		struct ct_bin_cur bc;
		uint64_t off = st->bufs[i].off;

		if (off >= st->map.size) {
			ct_bin_msg(err, errlen, st->path, off, "buffer instance lies beyond the end "
				   "of the file: truncated?");
			return -CT_E_TRUNCATED;
		}
		ct_cur_init(&bc, st->map.base + off, st->map.size - off, off, st->swap);
		ret = v6_flyrecord(st, &bc, i, err, errlen);
		if (ret < 0)
			return ret;
		if (st->nbufs != ninst) {
			ct_bin_msg(err, errlen, st->path, off, "buffer instance declares instances");
			return -CT_E_PARSE;
		}
	}
	return 0;
}

static int cmp_cpu(const void *a, const void *b)
{
	const struct td_cpu *x = a, *y = b;

	return x->cpu < y->cpu ? -1 : x->cpu > y->cpu;
}

/* one stream per (buffer, CPU) in trace-cmd report's order: top buffer first, CPUs ascending */
static int make_streams(struct td_state *st, uint32_t file_page_size, char *err, size_t errlen)
{
	size_t total = 0;

	/* the top buffer is reported first, then instances in file order */
	for (size_t i = 1; i < st->nbufs && !st->bufs[0].top; i++)
		if (st->bufs[i].top) {
			struct td_buffer t = st->bufs[i];

			memmove(&st->bufs[1], &st->bufs[0], i * sizeof(t));
			st->bufs[0] = t;
		}
	for (size_t i = 0; i < st->nbufs; i++)
		total += st->bufs[i].nr_cpus;
	if (total > TD_MAX_CPUS * 4) {
		snprintf(err, errlen, "%s: %zu CPU buffers is too many", st->path, total);
		return -CT_E_PARSE;
	}
	st->s = calloc(total ? total : 1, sizeof(*st->s));
	st->heap = calloc(total ? total : 1, sizeof(*st->heap));
	if (!st->s || !st->heap)
		return -CT_E_NOMEM;
	for (size_t i = 0; i < st->nbufs; i++) {
		struct td_buffer *b = &st->bufs[i];
		int compressed = 0;

		if (!b->nr_cpus)
			continue;
		if (st->version >= 7) {
			struct ct_bin_cur h;

			/* the data section's header says whether its chunks are compressed */
			if (b->off > st->map.size || st->map.size - b->off < 16) {
				ct_bin_msg(err, errlen, st->path, b->off, "buffer data section lies "
					   "beyond the end of the file: truncated?");
				return -CT_E_TRUNCATED;
			}
			ct_cur_init(&h, st->map.base + b->off, 16, b->off, st->swap);
			ct_cur_u16(&h);
			compressed = !!(ct_cur_u16(&h) & TD_SEC_COMPRESSED);
		}
		qsort(b->cpus, b->nr_cpus, sizeof(*b->cpus), cmp_cpu);
		for (uint32_t k = 0; k < b->nr_cpus; k++) {
			struct td_cpu *cp = &b->cpus[k];
			struct td_stream *s;

			if (k && cp->cpu == b->cpus[k - 1].cpu) {
				ct_bin_msg(err, errlen, st->path, b->off, "CPU %u appears twice in a buffer",
					   cp->cpu);
				return -CT_E_PARSE;
			}
			if (!cp->size)
				continue;
			s = &st->s[st->ns++];
			s->cpu = (int)cp->cpu;
			s->page_size = b->page_size ? b->page_size : file_page_size;
			if (s->page_size < st->lay.data_off + 8 || s->page_size > (1u << 24)) {
				ct_bin_msg(err, errlen, st->path, b->off, "impossible page size %u",
					   s->page_size);
				return -CT_E_PARSE;
			}
			s->compressed = (uint8_t)compressed;
			s->file_off = cp->off;
			s->size = cp->size;
			if (cp->off > st->map.size) {
				s->file_off = st->map.size;
				s->size = 0;
				s->truncated = 1;
			} else if (cp->size > st->map.size - cp->off) {
				s->size = st->map.size - cp->off;
				s->truncated = 1;
			}
			if (compressed) {
				/* the recorded size leaves out the chunk count: trust the chunks */
				s->zpos = s->file_off;
				s->zend = st->map.size;
				s->truncated = 0;
				s->zreleased = s->zpos;
				if (s->zend - s->zpos < 4) {
					note_perr(s, s->zpos);
				} else {
					s->zleft = ct_rd32(st->map.base + s->zpos, st->swap);
					s->zpos += 4;
				}
			}
		}
	}
	return open_windows(st);
}

static void free_(void *state)
{
	struct td_state *st = state;

	if (!st)
		return;
	for (size_t i = 0; i < st->ns; i++)
		free(st->s[i].ubuf);
	for (size_t i = 0; i < st->nbufs; i++)
		free(st->bufs[i].cpus);
	free(st->bufs);
	free(st->s);
	free(st->heap);
	ct_bin_meta_free(st->meta);
	ct_bin_unzip_free(&st->unzip);
	ct_bin_map_close(&st->map);
	free(st);
}

static int open_(struct ct_input *in, void **state, char *err, size_t errlen)
{
	struct ct_bin_tracing_hdr h;
	struct td_state *st;
	struct ct_bin_cur c;
	int ret;

	*state = NULL;
	st = calloc(1, sizeof(*st));
	if (!st) {
		snprintf(err, errlen, "%s: %s", in->path, ct_strerror(-CT_E_NOMEM));
		return -CT_E_NOMEM;
	}
	st->path = in->path;
	ret = ct_bin_map_open(in, &st->map, err, errlen);
	if (ret < 0)
		goto out;
	ct_cur_init(&c, st->map.base, st->map.size, 0, 0);
	ret = ct_bin_read_tracing_hdr(&c, &h, st->path, err, errlen);
	if (ret < 0)
		goto out;
	if (strcmp(h.version, "6") == 0) {
		st->version = 6;
	} else if (strcmp(h.version, "7") == 0) {
		st->version = 7;
	} else {
		ct_bin_msg(err, errlen, st->path, 10, "trace.dat version \"%s\" is not supported "
			   "(6 and 7 are)", h.version);
		ret = -CT_E_UNSUPPORTED;
		goto out;
	}
	st->swap = c.swap;
	ret = ct_bin_meta_new(&st->meta, h.bigendian, h.long_size, (int)h.page_size);
	if (ret < 0)
		goto nomem;
	err[0] = '\0';
	ret = st->version == 6 ? read_v6(st, &c, err, errlen) : read_v7(st, &c, err, errlen);
	if (ret < 0 && ret != -CT_E_NOMEM && !err[0])
		ct_bin_msg(err, errlen, st->path, c.off, "%s", ct_strerror(ret));
	if (ret == -CT_E_NOMEM)
		goto nomem;
	if (ret < 0)
		goto out;
	ret = ct_bin_meta_finish(st->meta, st->path, err, errlen);
	if (ret == -CT_E_NOMEM)
		goto nomem;
	if (ret < 0)
		goto out;
	st->lay = *ct_bin_meta_layout(st->meta);
	ct_bin_meta_type_field(st->meta, &st->type_off, &st->type_size);
	ret = make_streams(st, h.page_size, err, errlen);
	if (ret == -CT_E_NOMEM)
		goto nomem;
	if (ret < 0)
		goto out;
	/* prime every stream and heap them */
	for (size_t i = 0; i < st->ns; i++) {
		ret = stream_advance(st, &st->s[i]);
		if (ret < 0)
			goto nomem;
		if (ret) {
			size_t k = st->nheap++;

			st->heap[k] = (uint32_t)i;
			/* sift up */
			while (k && heap_less(st, st->heap[k], st->heap[(k - 1) / 2])) {
				uint32_t t = st->heap[k];

				st->heap[k] = st->heap[(k - 1) / 2];
				st->heap[(k - 1) / 2] = t;
				k = (k - 1) / 2;
			}
		}
	}
	*state = st;
	return 0;
nomem:
	ret = -CT_E_NOMEM;
	snprintf(err, errlen, "%s: %s", in->path, ct_strerror(ret));
out:
	free_(st);
	return ret;
}

/* blobs `compactrace record` appends after the CPU data (attach.h) */
static const void *attachment(void *state, const char *name, size_t *len)
{
	struct td_state *st = state;

	return ct_attach_find(st->map.base, st->map.size, name, len);
}

const struct ct_parser_ops ct_trace_dat_ops = {
	.format = CT_FORMAT_TRACE_DAT, .probe = probe, .open = open_, .next = next, .free = free_,
	.attachment = attachment,
	.read_chunk = read_chunk, .finish_chunk = finish_chunk,
	.chunk_free = chunk_free, .chunk_next = chunk_next,
	.streams_pay = 1,	/* README "Speed": 2026-12-06, once records go to the chunk past the cache */
};
