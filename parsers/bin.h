/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef CT_PARSERS_BIN_H
#define CT_PARSERS_BIN_H

/*
 * Shared pieces of the binary readers (trace.dat and perf.data): bounded
 * loads in the file's byte order, the mapped input, decompression, and the
 * per-event-id decoders built from the format descriptions stored in the
 * file itself (libtraceevent parses the formats; records are decoded here
 * with the offsets it found, looked up once per event type, never per record).
 */

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "compactrace/event.h"
#include "parser.h"

/* ---- loads in the file's byte order; callers check bounds first ---- */

static inline uint16_t ct_rd16(const void *p, int swap)
{
	uint16_t v;

	memcpy(&v, p, sizeof(v));
	return swap ? __builtin_bswap16(v) : v;
}

static inline uint32_t ct_rd32(const void *p, int swap)
{
	uint32_t v;

	memcpy(&v, p, sizeof(v));
	return swap ? __builtin_bswap32(v) : v;
}

static inline uint64_t ct_rd64(const void *p, int swap)
{
	uint64_t v;

	memcpy(&v, p, sizeof(v));
	return swap ? __builtin_bswap64(v) : v;
}

/* an unsigned number of @size (1, 2, 4 or 8) bytes; 0 for other sizes */
static inline uint64_t ct_rdn(const void *p, unsigned size, int swap)
{
	switch (size) {
	case 1:
		return *(const uint8_t *)p;
	case 2:
		return ct_rd16(p, swap);
	case 4:
		return ct_rd32(p, swap);
	case 8:
		return ct_rd64(p, swap);
	default:
		return 0;
	}
}

static inline int ct_host_bigendian(void)
{
	const uint16_t one = 1;

	return *(const uint8_t *)&one == 0;
}

/* ---- a cursor over a byte range that never reads past its end ---- */

struct ct_bin_cur {
	const unsigned char *p, *end;
	uint64_t off;		/* file offset of p, for messages */
	int swap;
	int bad;		/* set once a read ran past the end */
};

static inline void ct_cur_init(struct ct_bin_cur *c, const void *p, size_t len,
			       uint64_t off, int swap)
{
	c->p = p;
	c->end = c->p + len;
	c->off = off;
	c->swap = swap;
	c->bad = 0;
}

static inline size_t ct_cur_left(const struct ct_bin_cur *c)
{
	return (size_t)(c->end - c->p);
}

static inline const unsigned char *ct_cur_take(struct ct_bin_cur *c, uint64_t n)
{
	const unsigned char *p = c->p;

	if (c->bad || (uint64_t)(c->end - c->p) < n) {
		c->bad = 1;
		return NULL;
	}
	c->p += n;
	c->off += n;
	return p;
}

static inline uint8_t ct_cur_u8(struct ct_bin_cur *c)
{
	const unsigned char *p = ct_cur_take(c, 1);

	return p ? *p : 0;
}

static inline uint16_t ct_cur_u16(struct ct_bin_cur *c)
{
	const unsigned char *p = ct_cur_take(c, 2);

	return p ? ct_rd16(p, c->swap) : 0;
}

static inline uint32_t ct_cur_u32(struct ct_bin_cur *c)
{
	const unsigned char *p = ct_cur_take(c, 4);

	return p ? ct_rd32(p, c->swap) : 0;
}

static inline uint64_t ct_cur_u64(struct ct_bin_cur *c)
{
	const unsigned char *p = ct_cur_take(c, 8);

	return p ? ct_rd64(p, c->swap) : 0;
}

/* a NUL-terminated string inside the range; NULL (and bad) if unterminated */
static inline const char *ct_cur_str(struct ct_bin_cur *c, size_t *len)
{
	const unsigned char *nul;
	const char *s;
	size_t n;

	if (c->bad)
		return NULL;
	nul = memchr(c->p, '\0', (size_t)(c->end - c->p));
	if (!nul) {
		c->bad = 1;
		return NULL;
	}
	n = (size_t)(nul - c->p);
	s = (const char *)ct_cur_take(c, n + 1);
	if (len)
		*len = n;
	return s;
}

/* ---- the input as one byte range ---- */

/*
 * A regular file is mapped read-only (read into memory when it is small);
 * anything else (a pipe) is first copied to an unlinked temporary file and
 * that is mapped, so memory stays bounded.
 * Readers hand back consumed ranges with ct_bin_map_release() so that the
 * resident set does not grow with the file.
 */
struct ct_bin_map {
	const unsigned char *base;
	uint64_t size;
	size_t map_len;
	unsigned char *owned;	/* small files are read into memory instead */
	int fd;			/* a mapped file, also to be read (ct_bin_map_read()); -1 if none */
	uint64_t start;		/* the file offset of base */
};

int ct_bin_map_open(struct ct_input *in, struct ct_bin_map *m, char *err, size_t errlen);
/* drop the whole pages inside [from, to) from the resident set */
void ct_bin_map_release(struct ct_bin_map *m, uint64_t from, uint64_t to);
/* map [from, from + len) in one go ahead of reading it sequentially */
void ct_bin_map_prefetch(struct ct_bin_map *m, uint64_t from, uint64_t len);
/*
 * Read [from, from + len) of a mapped input into @buf: bytes read (short
 * only at the end of a file that shrank), or -1 on an I/O error (errno).
 * The first touch of mapped pages costs a fault and a cache miss per page
 * in a VM; a read copies them into a buffer that stays in the cache.
 * Only where m->fd >= 0.
 */
long ct_bin_map_read(struct ct_bin_map *m, uint64_t from, void *buf, size_t len);
void ct_bin_map_close(struct ct_bin_map *m);

/* ---- decompression (zstd, zlib), as trace-cmd 3.x and perf -z write ---- */

enum ct_bin_zalg { CT_BIN_Z_NONE = 0, CT_BIN_Z_ZSTD, CT_BIN_Z_ZLIB };

struct ct_bin_unzip {
	enum ct_bin_zalg alg;
	void *zstd;		/* ZSTD_DCtx */
	void *zstream;		/* ZSTD_DStream for perf's PERF_RECORD_COMPRESSED */
};

/* "none", "zstd" or "zlib"; -CT_E_UNSUPPORTED (err says why) otherwise */
int ct_bin_unzip_init(struct ct_bin_unzip *z, const char *name, char *err, size_t errlen);
/* exactly @dstlen bytes from one compressed block; <0 on corrupt data */
int ct_bin_unzip(struct ct_bin_unzip *z, const void *src, size_t srclen, void *dst, size_t dstlen);
/*
 * Streaming zstd (perf's compressed records share one stream): decode as
 * much of @src as fits into @dst; @used and @made say how much. <0 on error.
 */
int ct_bin_unzip_stream(struct ct_bin_unzip *z, const void *src, size_t srclen, size_t *used,
			void *dst, size_t dstcap, size_t *made);
void ct_bin_unzip_free(struct ct_bin_unzip *z);

/* ---- formats and decoders ---- */

struct ct_bin_meta;

/* where the ring-buffer page header keeps things (from header_page) */
struct ct_bin_page_layout {
	unsigned ts_off, ts_size;
	unsigned commit_off, commit_size;
	unsigned data_off;
};

/**
 * ct_bin_meta_new() - an empty set of event formats
 * @bigendian: byte order of the recorded kernel's data
 * @long_size: sizeof(long) of the recording side
 * @page_size: ring-buffer page size
 *
 * The caller frees the result with ct_bin_meta_free().
 */
int ct_bin_meta_new(struct ct_bin_meta **out, int bigendian, int long_size, int page_size);
/* accepts NULL */
void ct_bin_meta_free(struct ct_bin_meta *m);

const struct ct_bin_page_layout *ct_bin_meta_layout(const struct ct_bin_meta *m);

/*
 * Pieces of the tracing metadata, as trace.dat v6 stores them in sequence,
 * trace.dat v7 in sections and perf.data in HEADER_TRACING_DATA. Each reads
 * from @c (file offsets in it are for messages), returns 0 or -CT_E_* with
 * a message naming @path and the byte offset in @err.
 */
int ct_bin_read_headers(struct ct_bin_cur *c, struct ct_bin_meta *m, const char *path,
			char *err, size_t errlen);
/*
 * Formats are kept and parsed when their event first shows up: with @copy
 * they are copied, else @c's memory must live as long as @m (a mapped file,
 * or a buffer handed over with ct_bin_meta_adopt()).
 */
int ct_bin_read_ftrace_formats(struct ct_bin_cur *c, struct ct_bin_meta *m, int copy,
			       const char *path, char *err, size_t errlen);
int ct_bin_read_event_formats(struct ct_bin_cur *c, struct ct_bin_meta *m, int copy,
			      const char *path, char *err, size_t errlen);
/* @m frees @buf (malloc'd) when it is freed */
int ct_bin_meta_adopt(struct ct_bin_meta *m, void *buf);
/* kallsyms and printk formats: u32 size + data each; skipped */
int ct_bin_skip_sized32(struct ct_bin_cur *c, const char *what, const char *path,
			char *err, size_t errlen);
int ct_bin_read_cmdlines(struct ct_bin_cur *c, struct ct_bin_meta *m, const char *path,
			 char *err, size_t errlen);
/*
 * Index the formats by event id; call once every format is in. Formats are
 * parsed, and their decoders built, when their id first shows up.
 */
int ct_bin_meta_finish(struct ct_bin_meta *m, const char *path, char *err, size_t errlen);

/* the start of a tracing-data block: magic, version, endianness, long and page size */
struct ct_bin_tracing_hdr {
	char version[16];
	int bigendian, long_size;
	uint32_t page_size;
};

int ct_bin_read_tracing_hdr(struct ct_bin_cur *c, struct ct_bin_tracing_hdr *h,
			    const char *path, char *err, size_t errlen);

/* the comm trace-cmd report prints for @pid ("<idle>", "<...>" when unknown) */
const char *ct_bin_meta_comm(struct ct_bin_meta *m, int pid, size_t *len);

/*
 * For decoding on several threads: ct_bin_meta_prepare() parses the format
 * of @rec's event (one thread at a time, before the record is decoded);
 * after it, ct_bin_decode() of the record only reads @m. Returns 0 or
 * -CT_E_NOMEM. ct_bin_meta_comm_in() is ct_bin_meta_comm() with the
 * caller's cache (one per thread; ct_bin_comms_new() / _free()).
 */
int ct_bin_meta_prepare(struct ct_bin_meta *m, const unsigned char *rec, size_t len);
/*
 * after ct_bin_meta_prepare(): the bytes a record of @id needs to decode
 * (ct_bin_decode() of a record that long does not fail); UINT32_MAX: it cannot
 */
uint32_t ct_bin_meta_need(const struct ct_bin_meta *m, uint64_t id);
/* where a record keeps its event id (common_type): to call ct_bin_meta_prepare() once per id */
void ct_bin_meta_type_field(const struct ct_bin_meta *m, uint32_t *off, uint32_t *size);
struct ct_bin_comms;
struct ct_bin_comms *ct_bin_comms_new(void);
void ct_bin_comms_free(struct ct_bin_comms *c);
const char *ct_bin_meta_comm_in(struct ct_bin_meta *m, struct ct_bin_comms *c, int pid, size_t *len);

/*
 * ct_bin_decode() - fill @ev (type, name, pid and payload) from one raw
 * trace record; timestamp, cpu and comm are the caller's. The header is
 * cleared first; the payload is filled for the events compactrace decodes
 * (CT_EV_OTHER's is left as it was, as the text parsers do).
 * Returns 0, or -CT_E_PARSE when the record has an unknown event id or is shorter
 * than its format says: @ev is then a CT_EV_PARSE_ERROR and *@why says which.
 * Returns -CT_E_NOMEM when its format could not be parsed for lack of
 * memory: the caller stops with that error (the event is not bad data).
 */
int ct_bin_decode(struct ct_bin_meta *m, const unsigned char *rec, size_t len,
		  struct ct_event *ev, const char **why);

/* copy into a fixed buffer, always terminated */
static inline void ct_bin_copy_name(char *dst, size_t cap, const char *src, size_t len)
{
	if (len >= cap)
		len = cap - 1;
	memcpy(dst, src, len);
	dst[len] = '\0';
}

/* "path: byte N: message" */
void ct_bin_msg(char *err, size_t errlen, const char *path, uint64_t off, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));

#endif
