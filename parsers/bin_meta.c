// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Event formats of a binary trace and the per-event-id decoders built from
 * them. libtraceevent parses the format files stored in the trace; here we
 * look up, once per event type, where each field we need lives, and the
 * __print_symbolic / __print_flags tables the kernel prints them with, so
 * that no offset, size or enum value is ever hard-coded.
 */
#include <ctype.h>
#include <errno.h>
#include <stdint.h>
#include <stddef.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <traceevent/event-parse.h>

#include "bin.h"
#include "compactrace/error.h"
#include "compactrace/event_desc.h"

#define CT_BIN_COMM_CACHE 1024	/* direct-mapped pid -> comm cache; a power of two */
#define CT_BIN_MAX_ID 65536	/* common_type is 16 bits wide */

struct ct_bin_sym {
	long long val;		/* as libtraceevent evaluates the table entry */
	const char *str;
};

struct ct_bin_symtab {
	struct ct_bin_sym *v;
	size_t n;
};

/* Where one field of the event's descriptor is in this file's records. */
struct ct_bin_fld {
	uint32_t off;
	uint8_t size;		/* 0: the kernel has no such field */
	uint8_t sign;
	uint8_t is_mode;	/* CT_FK_PRIO: the field is the pre-4.8 "mode" */
	uint8_t is_number;	/* CT_FK_STATUS: no symbol table, a raw number (before 4.4) */
	struct ct_bin_symtab sym;	/* __print_symbolic (zone, status, mode, reason) or __print_flags (gfp) */
};

/*
 * One field of a record into the event, worked out when the format is
 * first used: plain numbers are copied inline, the rest (symbols, gfp
 * rendering, statuses, shifts) go through get_field().
 */
enum bin_op_kind {
	OP_U64, OP_PFN, OP_INT, OP_SLOW,
	/* in the host's byte order, nothing to convert: a plain copy (then a "known" flag) */
	OP_COPY8, OP_COPY8_KNOWN, OP_COPY4,
};

struct bin_op {
	uint32_t src;		/* offset in the record */
	uint16_t dst, dst2;	/* offsets in struct ct_event (dst2: a "known" flag, 0 none) */
	uint8_t size, sign;	/* of the record's field */
	uint8_t dst_size;	/* OP_INT: width of the value in the event */
	uint8_t kind;		/* enum bin_op_kind */
	uint8_t field;		/* index in the descriptor */
};

struct ct_bin_dec {
	const char *name;
	uint16_t name_len;
	uint16_t type;		/* enum ct_event_type */
	uint32_t need;		/* bytes the fields we read need */
	const struct ct_event_desc *desc;	/* NULL: an event we do not interpret */
	struct ct_bin_fld pid;
	struct ct_bin_fld f[CT_EVENT_FIELDS];	/* per descriptor field */
	struct bin_op ops[CT_EVENT_FIELDS];	/* the fields this kernel records */
	uint8_t nops;
	/* the union with every field at its "none": copied first, then the ops fill it */
	unsigned char absent[sizeof(((struct ct_event *)0)->u)];
	const char *gfp_delim;
	const char *gfp_zero;	/* what prints for a zero mask ("none"), or NULL */
	uint8_t has_gfp_flags;
};

struct ct_bin_comm_slot {
	int pid;
	uint16_t len;
	const char *comm;
};

/* a format file not parsed yet: most of a trace.dat's formats are never used */
struct ct_bin_blob {
	uint32_t id;
	uint32_t len;
	const char *sys;
	const char *buf;
};

struct ct_bin_meta {
	struct tep_handle *tep;
	int swap;
	int long_size;
	struct ct_bin_page_layout layout;
	struct ct_bin_fld type_fld;	/* common_type */
	struct ct_bin_dec **by_id;	/* [nr_ids], NULL until the id is first seen */
	struct ct_bin_blob *blob_by_id;	/* [nr_ids]: format text for each id */
	uint8_t *tried;		/* [nr_ids]: format parse attempted */
	size_t nr_ids;
	struct ct_bin_blob *blobs;	/* as registered, before finish */
	size_t nr_blobs, cap_blobs;
	char **owned;		/* copies of format sections the blobs point into */
	size_t nr_owned;
	struct ct_bin_comm_slot comm_cache[CT_BIN_COMM_CACHE];
	int comm_lock;		/* ct_bin_meta_comm_in() on several threads */
	int nomem;		/* a format could not be parsed for lack of memory */
};

void ct_bin_msg(char *err, size_t errlen, const char *path, uint64_t off, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (!err || !errlen)
		return;
	n = snprintf(err, errlen, "%s: byte %llu: ", path, (unsigned long long)off);
	if (n < 0 || (size_t)n >= errlen)
		return;
	va_start(ap, fmt);
	vsnprintf(err + n, errlen - (size_t)n, fmt, ap);
	va_end(ap);
}

int ct_bin_meta_new(struct ct_bin_meta **out, int bigendian, int long_size, int page_size)
{
	struct ct_bin_meta *m;

	*out = NULL;
	m = calloc(1, sizeof(*m));
	if (!m)
		return -CT_E_NOMEM;
	m->tep = tep_alloc();
	if (!m->tep) {
		free(m);
		return -CT_E_NOMEM;
	}
	/* libtraceevent warns on stderr about formats it cannot fully parse */
	tep_set_loglevel(TEP_LOG_NONE);
	tep_set_file_bigendian(m->tep, bigendian ? TEP_BIG_ENDIAN : TEP_LITTLE_ENDIAN);
	tep_set_local_bigendian(m->tep, ct_host_bigendian() ? TEP_BIG_ENDIAN : TEP_LITTLE_ENDIAN);
	tep_set_long_size(m->tep, long_size);
	tep_set_page_size(m->tep, page_size);
	m->swap = !!bigendian != ct_host_bigendian();
	m->long_size = long_size;
	/* the layout every kernel since 2.6.31 uses, until header_page says otherwise */
	m->layout = (struct ct_bin_page_layout){ 0, 8, 8, (unsigned)long_size, 8 + (unsigned)long_size };
	for (size_t i = 0; i < CT_BIN_COMM_CACHE; i++)
		m->comm_cache[i].pid = -1;
	*out = m;
	return 0;
}

static void free_dec(struct ct_bin_dec *d)
{
	for (int i = 0; i < CT_EVENT_FIELDS; i++)
		free(d->f[i].sym.v);
}

void ct_bin_meta_free(struct ct_bin_meta *m)
{
	if (!m)
		return;
	for (size_t i = 0; m->by_id && i < m->nr_ids; i++)
		if (m->by_id[i]) {
			free_dec(m->by_id[i]);
			free(m->by_id[i]);
		}
	free(m->by_id);
	free(m->blob_by_id);
	free(m->tried);
	free(m->blobs);
	for (size_t i = 0; i < m->nr_owned; i++)
		free(m->owned[i]);
	free(m->owned);
	if (m->tep)
		tep_free(m->tep);
	free(m);
}

const struct ct_bin_page_layout *ct_bin_meta_layout(const struct ct_bin_meta *m)
{
	return &m->layout;
}

/* "\tfield: local_t commit;\toffset:8;\tsize:8;\tsigned:1;" -> name, offset, size */
static int header_field(const char *line, size_t len, char *name, size_t namecap,
			unsigned *off, unsigned *size)
{
	const char *semi = memchr(line, ';', len);
	const char *o, *s, *end = line + len, *n;
	char num[24];
	size_t k;

	if (!semi)
		return -1;
	n = semi;
	while (n > line && (isalnum((unsigned char)n[-1]) || n[-1] == '_'))
		n--;
	if ((size_t)(semi - n) >= namecap || semi == n)
		return -1;
	memcpy(name, n, (size_t)(semi - n));
	name[semi - n] = '\0';
	o = memmem(semi, (size_t)(end - semi), "offset:", 7);
	s = memmem(semi, (size_t)(end - semi), "size:", 5);
	if (!o || !s)
		return -1;
	o += 7;
	s += 5;
	for (k = 0; o + k < end && isdigit((unsigned char)o[k]) && k < sizeof(num) - 1; k++)
		num[k] = o[k];
	num[k] = '\0';
	if (!k)
		return -1;
	*off = (unsigned)strtoul(num, NULL, 10);
	for (k = 0; s + k < end && isdigit((unsigned char)s[k]) && k < sizeof(num) - 1; k++)
		num[k] = s[k];
	num[k] = '\0';
	if (!k)
		return -1;
	*size = (unsigned)strtoul(num, NULL, 10);
	return 0;
}

/*
 * A header_page line that describes a field. gcc 12 at -O3 with ASan+UBSan
 * warns that memmem() may get a NULL @line here (-Wnonnull) on a path that
 * cannot happen; the check is written out instead.
 */
static int line_has_field(const char *line, size_t len)
{
	for (size_t i = 0; i + 6 <= len; i++)
		if (strncmp(line + i, "field:", 6) == 0)
			return 1;
	return 0;
}

/* the page header layout from header_page */
static int meta_header_page(struct ct_bin_meta *m, const char *buf, size_t len)
{
	struct ct_bin_page_layout l = m->layout;
	const char *p = buf, *end = buf + len;
	int got = 0;

	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t ll = nl ? (size_t)(nl - p) : (size_t)(end - p);
		char name[32];
		unsigned off, size;

		if (line_has_field(p, ll) && header_field(p, ll, name, sizeof(name), &off, &size) == 0) {
			if (strcmp(name, "timestamp") == 0) {
				l.ts_off = off;
				l.ts_size = size;
				got |= 1;
			} else if (strcmp(name, "commit") == 0) {
				l.commit_off = off;
				l.commit_size = size;
				got |= 2;
			} else if (strcmp(name, "data") == 0) {
				l.data_off = off;
				got |= 4;
			}
		}
		p += ll + 1;
	}
	if (got != 7 || l.ts_size != 8 || (l.commit_size != 4 && l.commit_size != 8) ||
	    l.ts_off + l.ts_size > l.data_off || l.commit_off + l.commit_size > l.data_off)
		return -CT_E_PARSE;	/* not -1: that is -CT_E_NOMEM */
	/*
	 * libtraceevent is not given a copy: pages are decoded here, never by
	 * kbuffer or tep_print_event(), so its header_page fields would go
	 * unread; and its tokenizer crashes when an allocation fails in
	 * tep_parse_header_page() (tests/fault/README.md).
	 */
	m->layout = l;
	return 0;
}

int ct_bin_read_tracing_hdr(struct ct_bin_cur *c, struct ct_bin_tracing_hdr *h,
			    const char *path, char *err, size_t errlen)
{
	static const unsigned char magic[10] = { 0x17, 0x08, 0x44, 't', 'r', 'a', 'c', 'i', 'n', 'g' };
	uint64_t at = c->off;
	const unsigned char *p = ct_cur_take(c, sizeof(magic));
	const char *ver;
	size_t vlen;
	uint8_t endian, lsize;

	if (!p || memcmp(p, magic, sizeof(magic)) != 0) {
		ct_bin_msg(err, errlen, path, at, "no tracing-data magic (\\x17\\x08\\x44tracing)");
		return p ? -CT_E_FORMAT : -CT_E_TRUNCATED;
	}
	at = c->off;
	ver = ct_cur_str(c, &vlen);
	if (!ver || vlen == 0 || vlen >= sizeof(h->version)) {
		ct_bin_msg(err, errlen, path, at, "bad tracing-data version string");
		return -CT_E_PARSE;
	}
	memcpy(h->version, ver, vlen + 1);
	at = c->off;
	endian = ct_cur_u8(c);
	lsize = ct_cur_u8(c);
	if (c->bad) {
		ct_bin_msg(err, errlen, path, at, "file ends inside the tracing-data header");
		return -CT_E_TRUNCATED;
	}
	if (endian > 1 || (lsize != 4 && lsize != 8)) {
		ct_bin_msg(err, errlen, path, at, "bad endianness %u or long size %u", endian, lsize);
		return -CT_E_PARSE;
	}
	h->bigendian = endian;
	h->long_size = lsize;
	c->swap = !!endian != ct_host_bigendian();
	at = c->off;
	h->page_size = ct_cur_u32(c);
	if (c->bad) {
		ct_bin_msg(err, errlen, path, at, "file ends inside the tracing-data header");
		return -CT_E_TRUNCATED;
	}
	if (h->page_size < 64 || h->page_size > (1u << 24)) {
		ct_bin_msg(err, errlen, path, at, "impossible page size %u", h->page_size);
		return -CT_E_PARSE;
	}
	return 0;
}

/* a u64-sized blob whose size must fit the rest of the range */
static const unsigned char *take_sized(struct ct_bin_cur *c, unsigned width, uint64_t *size,
				       const char *what, const char *path, char *err,
				       size_t errlen, int *ret)
{
	uint64_t at = c->off;
	const unsigned char *p;

	*size = width == 8 ? ct_cur_u64(c) : ct_cur_u32(c);
	if (c->bad) {
		ct_bin_msg(err, errlen, path, at, "file ends inside the size of %s", what);
		*ret = -CT_E_TRUNCATED;
		return NULL;
	}
	p = ct_cur_take(c, *size);
	if (!p) {
		ct_bin_msg(err, errlen, path, at, "%s claims %llu bytes, only %zu left", what,
			   (unsigned long long)*size, ct_cur_left(c));
		*ret = -CT_E_TRUNCATED;
	}
	return p;
}

int ct_bin_read_headers(struct ct_bin_cur *c, struct ct_bin_meta *m, const char *path,
			char *err, size_t errlen)
{
	const unsigned char *p;
	uint64_t size, at = c->off;
	int ret = 0;

	p = ct_cur_take(c, 12);
	if (!p || memcmp(p, "header_page", 12) != 0) {
		ct_bin_msg(err, errlen, path, at, "expected \"header_page\"");
		return p ? -CT_E_PARSE : -CT_E_TRUNCATED;
	}
	at = c->off;
	p = take_sized(c, 8, &size, "header_page", path, err, errlen, &ret);
	if (!p)
		return ret;
	ret = meta_header_page(m, (const char *)p, (size_t)size);
	if (ret == -CT_E_NOMEM)
		return ret;
	if (ret < 0) {
		ct_bin_msg(err, errlen, path, at, "header_page does not describe a ring-buffer page");
		return -CT_E_PARSE;
	}
	at = c->off;
	p = ct_cur_take(c, 13);
	if (!p || memcmp(p, "header_event", 13) != 0) {
		ct_bin_msg(err, errlen, path, at, "expected \"header_event\"");
		return p ? -CT_E_PARSE : -CT_E_TRUNCATED;
	}
	/* the compressed event header has been the same since 2.6.31 */
	p = take_sized(c, 8, &size, "header_event", path, err, errlen, &ret);
	return p ? 0 : ret;
}

/* the "ID: n" line of a format file */
static int format_id(const unsigned char *buf, uint64_t size, uint32_t *id)
{
	const unsigned char *p = buf, *end = buf + size;

	while (p < end) {
		const unsigned char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t ll = nl ? (size_t)(nl - p) : (size_t)(end - p);

		if (ll > 4 && memcmp(p, "ID: ", 4) == 0) {
			unsigned long v = 0;
			size_t k = 4;

			if (!isdigit(p[k]))
				return -1;
			while (k < ll && isdigit(p[k]) && v < CT_BIN_MAX_ID)
				v = v * 10 + (unsigned long)(p[k++] - '0');
			if (v >= CT_BIN_MAX_ID)
				return -1;
			*id = (uint32_t)v;
			return 0;
		}
		p += ll + 1;
	}
	return -1;
}

/* remember one format file; it is parsed when its id first shows up */
static int add_format(struct ct_bin_meta *m, const char *sys, const unsigned char *buf,
		      uint64_t size)
{
	struct ct_bin_blob *b;
	uint32_t id;

	if (size > UINT32_MAX || format_id(buf, size, &id) < 0)
		return 0;	/* libtraceevent could not use it either */
	if (m->nr_blobs == m->cap_blobs) {
		size_t cap = m->cap_blobs ? 2 * m->cap_blobs : 256;

		b = realloc(m->blobs, cap * sizeof(*b));
		if (!b)
			return -CT_E_NOMEM;
		m->blobs = b;
		m->cap_blobs = cap;
	}
	b = &m->blobs[m->nr_blobs++];
	b->id = id;
	b->len = (uint32_t)size;
	b->sys = sys;
	b->buf = (const char *)buf;
	return 0;
}

/*
 * Walk the ftrace formats (@events 0: count, then sized files) or the event
 * formats (@events 1: systems, each a name, a count and sized files),
 * registering each when @m is given, else only checking the sizes.
 */
static int walk_formats(struct ct_bin_cur *c, struct ct_bin_meta *m, int events,
			const char *path, char *err, size_t errlen)
{
	uint64_t at = c->off, size;
	uint32_t groups = events ? ct_cur_u32(c) : 1;
	int ret = 0;

	if (c->bad) {
		ct_bin_msg(err, errlen, path, at, "file ends before the %s formats",
			   events ? "event" : "ftrace");
		return -CT_E_TRUNCATED;
	}
	for (uint32_t i = 0; i < groups; i++) {
		const char *sys = "ftrace";
		uint32_t count;

		at = c->off;
		if (events)
			sys = ct_cur_str(c, NULL);
		count = ct_cur_u32(c);
		if (c->bad) {
			ct_bin_msg(err, errlen, path, at, "file ends inside the %s formats",
				   events ? "event" : "ftrace");
			return -CT_E_TRUNCATED;
		}
		for (uint32_t j = 0; j < count; j++) {
			const unsigned char *p;

			p = take_sized(c, 8, &size, "an event format", path, err, errlen, &ret);
			if (!p)
				return ret;
			if (m) {
				ret = add_format(m, sys, p, size);
				if (ret < 0)
					return ret;
			}
		}
	}
	return 0;
}

int ct_bin_meta_adopt(struct ct_bin_meta *m, void *buf)
{
	char **n = realloc(m->owned, (m->nr_owned + 1) * sizeof(*n));

	if (!n)
		return -CT_E_NOMEM;
	m->owned = n;
	m->owned[m->nr_owned++] = buf;
	return 0;
}

/*
 * Formats are registered now and parsed later, so they must outlive the
 * caller's buffer: with @copy the section is copied once, else the caller
 * promises its memory lasts as long as @m.
 */
static int read_formats(struct ct_bin_cur *c, struct ct_bin_meta *m, int events, int copy,
			const char *path, char *err, size_t errlen)
{
	struct ct_bin_cur scan = *c, kept;
	size_t len;
	char *buf;
	int ret;

	if (!copy)
		return walk_formats(c, m, events, path, err, errlen);
	ret = walk_formats(&scan, NULL, events, path, err, errlen);
	if (ret < 0)
		return ret;
	len = (size_t)(scan.p - c->p);
	buf = malloc(len ? len : 1);
	if (!buf)
		return -CT_E_NOMEM;
	memcpy(buf, c->p, len);
	ret = ct_bin_meta_adopt(m, buf);
	if (ret < 0) {
		free(buf);
		return ret;
	}
	ct_cur_init(&kept, buf, len, c->off, c->swap);
	ret = walk_formats(&kept, m, events, path, err, errlen);
	if (ret < 0)
		return ret;
	*c = scan;
	return 0;
}

int ct_bin_read_ftrace_formats(struct ct_bin_cur *c, struct ct_bin_meta *m, int copy,
			       const char *path, char *err, size_t errlen)
{
	return read_formats(c, m, 0, copy, path, err, errlen);
}

int ct_bin_read_event_formats(struct ct_bin_cur *c, struct ct_bin_meta *m, int copy,
			      const char *path, char *err, size_t errlen)
{
	return read_formats(c, m, 1, copy, path, err, errlen);
}

int ct_bin_skip_sized32(struct ct_bin_cur *c, const char *what, const char *path,
			char *err, size_t errlen)
{
	uint64_t size;
	int ret = 0;

	return take_sized(c, 4, &size, what, path, err, errlen, &ret) ? 0 : ret;
}

int ct_bin_read_cmdlines(struct ct_bin_cur *c, struct ct_bin_meta *m, const char *path,
			 char *err, size_t errlen)
{
	const unsigned char *p;
	uint64_t size;
	char *copy;
	int ret = 0;

	p = take_sized(c, 8, &size, "the saved cmdlines", path, err, errlen, &ret);
	if (!p)
		return ret;
	if (!size)
		return 0;
	copy = malloc(size + 1);
	if (!copy)
		goto nomem;
	memcpy(copy, p, size);
	copy[size] = '\0';
	/*
	 * "PID COMM" lines, registered one by one: tep_parse_saved_cmdlines()
	 * stops quietly when an allocation fails, and a lookup then names
	 * the task "<not enough memory for cmdlines!>".
	 */
	for (char *line = copy, *nl; *line; line = nl) {
		char *end, *comm;
		long pid;

		nl = strchr(line, '\n');
		nl = nl ? (*nl = '\0', nl + 1) : line + strlen(line);
		pid = strtol(line, &end, 10);
		if (end == line || *end != ' ' || pid <= 0 || pid > INT32_MAX)
			continue;	/* not a "PID COMM" line: skip it */
		comm = end + 1;
		errno = 0;
		if (tep_register_comm(m->tep, comm, (int)pid) < 0 && errno != EEXIST)
			goto nomem;
	}
	free(copy);
	/* the first lookup sorts the list into an array: make it now, and see it fail */
	if (strncmp(tep_data_comm_from_pid(m->tep, -1), "<not enough memory", 18) == 0)
		goto nomem_nocopy;
	return 0;
nomem:
	free(copy);
nomem_nocopy:
	ct_bin_msg(err, errlen, path, c->off, "the saved cmdlines: %s", ct_strerror(-CT_E_NOMEM));
	return -CT_E_NOMEM;
}

/* ---- decoders ---- */

/* libtraceevent's eval_flag(): numbers as strtoull reads them, names unknown */
static long long sym_value(const char *s)
{
	if (s && isdigit((unsigned char)s[0]))
		return (long long)strtoull(s, NULL, 0);
	return -1;
}

static const char *arg_field_name(const struct tep_print_arg *a)
{
	while (a && a->type == TEP_PRINT_TYPE)
		a = a->typecast.item;
	if (a && a->type == TEP_PRINT_FIELD)
		return a->field.name;
	return NULL;
}

/*
 * Depth-first search of a print-fmt argument tree for the __print_symbolic or
 * __print_flags applied to field @name. *@zero receives the string the format
 * prints instead when the value is zero ("(x) ? __print_flags(..) : \"none\"").
 */
static const struct tep_print_arg *find_print(const struct tep_print_arg *a,
					      enum tep_print_arg_type type, const char *name,
					      const char **zero, int depth)
{
	for (; a && depth < 64; a = a->next) {
		const struct tep_print_arg *r = NULL;
		const char *fname;

		if (a->type == type) {
			fname = arg_field_name(type == TEP_PRINT_FLAGS ? a->flags.field :
					       a->symbol.field);
			if (fname && strcmp(fname, name) == 0)
				return a;
		}
		switch (a->type) {
		case TEP_PRINT_OP:
			r = find_print(a->op.left, type, name, zero, depth + 1);
			if (r) {
				/* "cond ? <found> : \"none\"" */
				if (zero && a->op.op && strcmp(a->op.op, ":") == 0 && a->op.left == r &&
				    a->op.right && a->op.right->type == TEP_PRINT_ATOM)
					*zero = a->op.right->atom.atom;
				return r;
			}
			r = find_print(a->op.right, type, name, zero, depth + 1);
			break;
		case TEP_PRINT_TYPE:
			r = find_print(a->typecast.item, type, name, zero, depth + 1);
			break;
		case TEP_PRINT_FUNC:
			r = find_print(a->func.args, type, name, zero, depth + 1);
			break;
		default:
			break;
		}
		if (r)
			return r;
	}
	return NULL;
}

static int load_syms(struct ct_bin_symtab *t, const struct tep_print_flag_sym *list)
{
	size_t n = 0, i = 0;

	for (const struct tep_print_flag_sym *s = list; s; s = s->next)
		n++;
	if (!n)
		return 0;
	t->v = calloc(n, sizeof(*t->v));
	if (!t->v)
		return -CT_E_NOMEM;
	for (const struct tep_print_flag_sym *s = list; s; s = s->next) {
		t->v[i].val = sym_value(s->value);
		t->v[i].str = s->str ? s->str : "";
		i++;
	}
	t->n = n;
	return 0;
}

static const char *sym_lookup(const struct ct_bin_symtab *t, uint64_t val)
{
	for (size_t i = 0; i < t->n; i++)
		if ((unsigned long long)t->v[i].val == val)
			return t->v[i].str;
	return NULL;
}

/* a field by any of the names kernels have used for it; returns the name found, or NULL */
static const char *set_fld(struct tep_event *ev, struct ct_bin_fld *f, const char *const *names)
{
	for (int a = 0; a < CT_FIELD_ALIASES && names[a]; a++) {
		struct tep_format_field *tf = tep_find_field(ev, names[a]);

		/* arrays, strings and odd sizes are not numbers we can read */
		if (!tf || (tf->flags & (TEP_FIELD_IS_ARRAY | TEP_FIELD_IS_DYNAMIC | TEP_FIELD_IS_STRING)))
			continue;
		if (tf->size != 1 && tf->size != 2 && tf->size != 4 && tf->size != 8)
			continue;
		f->off = (uint32_t)tf->offset;
		f->size = (uint8_t)tf->size;
		f->sign = !!(tf->flags & TEP_FIELD_IS_SIGNED);
		return names[a];
	}
	f->size = 0;
	return NULL;
}

/* the symbol or flags table the print format applies to one field */
static int find_tables(struct tep_event *ev, const struct ct_field_desc *fd, struct ct_bin_fld *f,
		       const char *name, struct ct_bin_dec *d)
{
	const struct tep_print_arg *a;

	switch (fd->kind) {
	case CT_FK_STATUS:
	case CT_FK_ZONE:
	case CT_FK_SYMBOL:
		a = find_print(ev->print_fmt.args, TEP_PRINT_SYMBOL, name, NULL, 0);
		if (a && load_syms(&f->sym, a->symbol.symbols) < 0)
			return -CT_E_NOMEM;
		f->is_number = fd->kind == CT_FK_STATUS && !f->sym.n;
		return 0;
	case CT_FK_GFP:
		a = find_print(ev->print_fmt.args, TEP_PRINT_FLAGS, name, &d->gfp_zero, 0);
		if (!a)
			return 0;
		d->has_gfp_flags = 1;
		d->gfp_delim = a->flags.delim;
		return load_syms(&f->sym, a->flags.flags);
	case CT_FK_PRIO:	/* "prio" / "priority" since 4.8, "mode" before */
		f->is_mode = strcmp(name, "mode") == 0;
		return 0;
	default:
		return 0;
	}
}

static void get_field(const struct ct_bin_dec *d, const struct ct_field_desc *fd, const struct ct_bin_fld *f,
		      const unsigned char *rec, int swap, struct ct_event *ev);

/*
 * A field the host can copy as it lies: 8 bytes into a u64 (a pfn's all
 * ones is CT_PFN_NONE already), 4 into a 32-bit int (the sign needs no
 * extending).
 */
static void plain_copy(struct bin_op *op)
{
	if (op->kind == OP_U64 && op->size == 8)
		op->kind = op->dst2 ? OP_COPY8_KNOWN : OP_COPY8;
	else if (op->kind == OP_PFN && op->size == 8)
		op->kind = OP_COPY8;
	else if (op->kind == OP_INT && op->size == 4 && op->dst_size == 4)
		op->kind = OP_COPY4;
}

/* the absent image of the union and the ops for the fields this kernel records */
static void compile_ops(struct ct_bin_dec *d, int swap)
{
	static const unsigned char no_record[64];
	const struct ct_event_desc *desc = d->desc;
	struct ct_bin_fld none = { 0 };
	struct ct_event ev;

	/* what decoding a record that has none of the fields gives */
	memset(&ev, 0, sizeof(ev));
	for (unsigned i = 0; i < desc->nfields; i++)
		get_field(d, &desc->fields[i], &none, no_record, 0, &ev);
	memcpy(d->absent, &ev.u, sizeof(d->absent));
	for (unsigned i = 0; i < desc->nfields; i++) {
		const struct ct_field_desc *fd = &desc->fields[i];
		struct bin_op *op;

		if (!d->f[i].size)
			continue;
		op = &d->ops[d->nops++];
		*op = (struct bin_op){ .src = d->f[i].off, .dst = fd->off, .size = d->f[i].size,
				       .sign = d->f[i].sign, .dst_size = (uint8_t)fd->size, .field = (uint8_t)i };
		switch (fd->kind) {
		case CT_FK_U64:
			op->kind = OP_U64;
			op->dst2 = fd->off2;
			break;
		case CT_FK_PFN:
			op->kind = OP_PFN;
			break;
		case CT_FK_I32:
		case CT_FK_U32:
		case CT_FK_ORDER_U32:
			op->kind = OP_INT;
			break;
		default:
			op->kind = OP_SLOW;
			break;
		}
		if (!swap)
			plain_copy(op);
	}
}

/* this file's layout of an event: each field of its descriptor by name */
static int build_dec(struct ct_bin_meta *m, struct tep_event *ev, struct ct_bin_dec *d)
{
	struct tep_format_field *pid;
	int ret = 0;

	d->name = ev->name ? ev->name : "";
	d->name_len = (uint16_t)strnlen(d->name, 0xffff);
	d->type = (uint16_t)ct_event_type_from_name(d->name, d->name_len);
	if (d->type == CT_EV_OTHER)
		d->type = (uint16_t)ct_event_page_type_from_name(d->name, d->name_len);
	d->desc = ct_event_desc((enum ct_event_type)d->type);
	pid = tep_find_common_field(ev, "common_pid");
	if (pid && (pid->size == 4 || pid->size == 2 || pid->size == 8)) {
		d->pid.off = (uint32_t)pid->offset;
		d->pid.size = (uint8_t)pid->size;
		d->pid.sign = 1;
	}
	for (unsigned i = 0; d->desc && i < d->desc->nfields && ret == 0; i++) {
		const struct ct_field_desc *fd = &d->desc->fields[i];
		const char *name = set_fld(ev, &d->f[i], fd->bin);

		if (name)
			ret = find_tables(ev, fd, &d->f[i], name, d);
	}
	if (d->desc)
		compile_ops(d, m->swap);
	d->need = d->pid.size ? d->pid.off + d->pid.size : 0;
	if (m->type_fld.off + m->type_fld.size > d->need)
		d->need = m->type_fld.off + m->type_fld.size;
	for (int i = 0; i < CT_EVENT_FIELDS; i++)
		if (d->f[i].size && d->f[i].off + d->f[i].size > d->need)
			d->need = d->f[i].off + d->f[i].size;
	return ret;
}

/* the "name: " line of a format file, as an event type */
static enum ct_event_type blob_type(const char *buf, size_t len)
{
	const char *p = memmem(buf, len, "name: ", 6), *nl;

	if (!p)
		return CT_EV_OTHER;
	p += 6;
	nl = memchr(p, '\n', len - (size_t)(p - buf));
	return ct_event_type_from_name(p, nl ? (size_t)(nl - p) : len - (size_t)(p - buf));
}

/* is @name (@n bytes) declared as a field ("... name;" or "... name[") before @end? */
static int has_field(const char *buf, const char *end, const char *name, size_t n)
{
	for (const char *p = buf; (p = memmem(p, (size_t)(end - p), name, n)) != NULL; p++)
		if (p > buf && (p[-1] == ' ' || p[-1] == '*' || p[-1] == '\t') &&
		    p + n < end && (p[n] == ';' || p[n] == '['))
			return 1;
	return 0;
}

/*
 * Print-fmt arguments libtraceevent (1.7) parses without crashing. Outside
 * string literals (it reads on past the line's end) it divides by zero
 * folding "a / b" or "a % 0", and dereferences NULL when a ternary's last
 * operand is followed by '.', '->', '[' or a lone '='. No kernel prints any
 * of these in the events we decode ('->' only as REC->), so a print fmt
 * holding one is not passed on.
 */
static int args_safe(const char *start, const char *end)
{
	int in_str = 0, strings = 0;

	for (const char *p = start; p < end; p++) {
		if (in_str) {
			if (*p == '\\' && p + 1 < end)
				p++;
			else if (*p == '"')
				in_str = 0;
			continue;
		}
		switch (*p) {
		case '"':
			in_str = 1;
			strings++;
			break;
		case '/':
		case '%':
		case '.':
		case '[':
			if (strings)	/* past the format string */
				return 0;
			break;
		case '-':
			if (p + 1 < end && p[1] == '>' && (p - start < 3 || memcmp(p - 3, "REC", 3) != 0))
				return 0;
			break;
		case '=':
			if ((p == start || !memchr("=!<>", p[-1], 4)) && (p + 1 >= end || p[1] != '='))
				return 0;
			p += p + 1 < end && p[1] == '=';
			break;
		default:
			break;
		}
	}
	return 1;
}

/*
 * How much of a format file to hand to libtraceevent. Its print-fmt parser
 * dereferences NULL on a REC->field that the format does not declare, so a
 * print fmt is only passed when every field it names exists (and args_safe()
 * finds nothing else it trips on), and only for events we decode (we use
 * nothing else from it; other events need just their name and fields, and
 * parse faster without it).
 */
static size_t usable_len(const char *buf, size_t len)
{
	const char *pf = memmem(buf, len, "\nprint fmt:", 11), *end = buf + len, *p;

	if (!pf || blob_type(buf, len) == CT_EV_OTHER)
		return pf ? (size_t)(pf - buf) + 1 : len;
	if (!args_safe(pf + 11, end))
		return (size_t)(pf - buf) + 1;
	for (p = pf; (p = memmem(p, (size_t)(end - p), "REC->", 5)) != NULL;) {
		size_t n = 0;

		p += 5;
		while (p + n < end && (isalnum((unsigned char)p[n]) || p[n] == '_'))
			n++;
		if (!n || !has_field(buf, pf, p, n))
			return (size_t)(pf - buf) + 1;
		p += n;
	}
	return len;
}

/* parse the format of @id now; NULL if it cannot be used */
static struct ct_bin_dec *materialize(struct ct_bin_meta *m, uint32_t id)
{
	struct ct_bin_blob *b = &m->blob_by_id[id];
	struct tep_event *ev;
	struct ct_bin_dec *d;
	enum tep_errno e;

	m->tried[id] = 1;
	if (!b->buf)
		return NULL;
	/*
	 * A print fmt libtraceevent cannot evaluate still leaves usable
	 * fields. A failed allocation inside it is no verdict on the format:
	 * it says "failed to parse", or even succeeds with symbol tables cut
	 * short, but malloc() left errno at ENOMEM. Stop rather than decode
	 * with a partial format (statuses would lose their names). errno
	 * tells: libtraceevent also says TEP_ERRNO__MEM_ALLOC_FAILED for a
	 * format whose "name:" line it cannot read.
	 */
	errno = 0;
	e = tep_parse_event(m->tep, b->buf, usable_len(b->buf, b->len), b->sys);
	if (errno == ENOMEM)
		goto nomem;
	if (e != 0 && e != TEP_ERRNO__READ_PRINT_FAILED && e != TEP_ERRNO__PARSE_EVENT_FAILED)
		return NULL;	/* a damaged format: its events are counted as undecodable */
	ev = tep_find_event(m->tep, (int)id);
	if (!ev)
		return NULL;
	d = calloc(1, sizeof(*d));
	if (!d)
		goto nomem;
	if (build_dec(m, ev, d) < 0) {	/* it fails only for memory */
		free_dec(d);
		free(d);
		goto nomem;
	}
	m->by_id[id] = d;
	return d;
nomem:
	m->nomem = 1;
	return NULL;
}

int ct_bin_meta_finish(struct ct_bin_meta *m, const char *path, char *err, size_t errlen)
{
	struct tep_format_field *type = NULL;
	size_t max_id = 0;

	if (!m->nr_blobs) {
		ct_bin_msg(err, errlen, path, 0, "the trace holds no event formats");
		return -CT_E_PARSE;
	}
	for (size_t i = 0; i < m->nr_blobs; i++)
		if (m->blobs[i].id > max_id)
			max_id = m->blobs[i].id;
	m->nr_ids = max_id + 1;
	m->by_id = calloc(m->nr_ids, sizeof(*m->by_id));
	m->blob_by_id = calloc(m->nr_ids, sizeof(*m->blob_by_id));
	m->tried = calloc(m->nr_ids, 1);
	if (!m->by_id || !m->blob_by_id || !m->tried)
		return -CT_E_NOMEM;
	/* the first format of an id wins, as in libtraceevent */
	for (size_t i = m->nr_blobs; i-- > 0;)
		m->blob_by_id[m->blobs[i].id] = m->blobs[i];
	/* common_type is the same in every format: take it from the first that parses */
	for (size_t i = 0; i < m->nr_blobs && !type; i++) {
		uint32_t id = m->blobs[i].id;
		struct tep_event *ev;

		if (m->tried[id])
			continue;
		if (!materialize(m, id)) {
			if (m->nomem) {
				ct_bin_msg(err, errlen, path, 0, "event formats: %s", ct_strerror(-CT_E_NOMEM));
				return -CT_E_NOMEM;
			}
			continue;
		}
		ev = tep_find_event(m->tep, (int)id);
		if (ev)
			type = tep_find_common_field(ev, "common_type");
	}
	if (!type || (type->size != 1 && type->size != 2 && type->size != 4)) {
		ct_bin_msg(err, errlen, path, 0, "event formats lack a usable common_type field");
		return -CT_E_PARSE;
	}
	m->type_fld.off = (uint32_t)type->offset;
	m->type_fld.size = (uint8_t)type->size;
	/* the decoder built on the way did not know common_type yet */
	for (size_t i = 0; i < m->nr_ids; i++)
		if (m->by_id[i] && m->by_id[i]->need < m->type_fld.off + m->type_fld.size)
			m->by_id[i]->need = m->type_fld.off + m->type_fld.size;
	return 0;
}

int ct_bin_meta_prepare(struct ct_bin_meta *m, const unsigned char *rec, size_t len)
{
	uint64_t id;

	if (len < (size_t)m->type_fld.off + m->type_fld.size)
		return 0;
	id = ct_rdn(rec + m->type_fld.off, m->type_fld.size, m->swap);
	if (id >= m->nr_ids || m->by_id[id] || m->tried[id])
		return 0;
	materialize(m, (uint32_t)id);
	return m->nomem ? -CT_E_NOMEM : 0;
}

uint32_t ct_bin_meta_need(const struct ct_bin_meta *m, uint64_t id)
{
	return id < m->nr_ids && m->by_id[id] ? m->by_id[id]->need : UINT32_MAX;
}

void ct_bin_meta_type_field(const struct ct_bin_meta *m, uint32_t *off, uint32_t *size)
{
	*off = m->type_fld.off;
	*size = m->type_fld.size;
}

struct ct_bin_comms {
	struct ct_bin_comm_slot slot[CT_BIN_COMM_CACHE];
};

struct ct_bin_comms *ct_bin_comms_new(void)
{
	return calloc(1, sizeof(struct ct_bin_comms));
}

void ct_bin_comms_free(struct ct_bin_comms *c)
{
	free(c);
}

const char *ct_bin_meta_comm_in(struct ct_bin_meta *m, struct ct_bin_comms *c, int pid, size_t *len)
{
	struct ct_bin_comm_slot *s = &c->slot[(unsigned)pid & (CT_BIN_COMM_CACHE - 1)];

	if (s->pid != pid || !s->comm) {
		/* libtraceevent sorts its list on a first lookup: one thread at a time (a miss is rare) */
		while (__atomic_exchange_n(&m->comm_lock, 1, __ATOMIC_ACQUIRE))
			;
		s->comm = tep_data_comm_from_pid(m->tep, pid);
		__atomic_store_n(&m->comm_lock, 0, __ATOMIC_RELEASE);
		if (!s->comm)
			s->comm = "<...>";
		s->len = (uint16_t)strnlen(s->comm, 0xffff);
		s->pid = pid;
	}
	*len = s->len;
	return s->comm;
}

const char *ct_bin_meta_comm(struct ct_bin_meta *m, int pid, size_t *len)
{
	struct ct_bin_comm_slot *s = &m->comm_cache[(unsigned)pid & (CT_BIN_COMM_CACHE - 1)];

	if (s->pid != pid || !s->comm) {
		s->comm = tep_data_comm_from_pid(m->tep, pid);
		if (!s->comm)
			s->comm = "<...>";
		s->len = (uint16_t)strnlen(s->comm, 0xffff);
		s->pid = pid;
	}
	*len = s->len;
	return s->comm;
}

static inline uint64_t fld_u(const struct ct_bin_fld *f, const unsigned char *rec, int swap)
{
	return f->size ? ct_rdn(rec + f->off, f->size, swap) : 0;
}

static inline int64_t fld_s(const struct ct_bin_fld *f, const unsigned char *rec, int swap)
{
	uint64_t v = fld_u(f, rec, swap);

	if (f->sign && f->size < 8) {
		unsigned shift = 64 - 8u * f->size;

		return (int64_t)(v << shift) >> shift;
	}
	return (int64_t)v;
}

/* what libtraceevent prints for an unknown __print_symbolic value */
static void sym_or_hex(char *dst, size_t cap, const struct ct_bin_symtab *t, uint64_t v)
{
	const char *s = sym_lookup(t, v);

	if (s)
		ct_bin_copy_name(dst, cap, s, strlen(s));
	else
		snprintf(dst, cap, "0x%llx", (unsigned long long)v);
}

static int16_t status_of(const unsigned char *rec, int swap, const struct ct_bin_fld *f)
{
	const char *s;

	if (!f->size)
		return CT_STATUS_UNKNOWN;
	if (f->is_number)
		return (int16_t)ct_status_from_legacy_number((long)fld_s(f, rec, swap));
	s = sym_lookup(&f->sym, fld_u(f, rec, swap));
	return (int16_t)(s ? ct_status_from_name(s, strlen(s)) : CT_STATUS_UNKNOWN);
}

/* __print_flags as libtraceevent renders it: names joined by the delimiter, leftovers in hex */
static void render_gfp(const struct ct_bin_dec *d, const struct ct_bin_symtab *gfp, uint64_t val,
		       char *out, size_t cap)
{
	size_t n = 0;
	int print = 0;

	out[0] = '\0';
	if (!d->has_gfp_flags) {
		snprintf(out, cap, "0x%llx", (unsigned long long)val);
		return;
	}
	if (!val && d->gfp_zero) {
		ct_bin_copy_name(out, cap, d->gfp_zero, strlen(d->gfp_zero));
		return;
	}
	for (size_t i = 0; i < gfp->n; i++) {
		long long fval = gfp->v[i].val;
		const char *s = gfp->v[i].str;
		int w;

		if (!val && fval < 0) {
			ct_bin_copy_name(out + n, cap - n, s, strlen(s));
			return;
		}
		if (fval > 0 && (val & (uint64_t)fval) == (uint64_t)fval) {
			w = snprintf(out + n, cap - n, "%s%s", print && d->gfp_delim ? d->gfp_delim : "", s);
			if (w < 0 || (size_t)w >= cap - n)
				return;
			n += (size_t)w;
			print = 1;
			val &= ~(uint64_t)fval;
		}
	}
	if (val)
		snprintf(out + n, cap - n, "%s0x%llx", print && d->gfp_delim ? d->gfp_delim : "",
			 (unsigned long long)val);
}


/* one field of the descriptor, from the record (or its "none" when the kernel lacks it) */
static void get_field(const struct ct_bin_dec *d, const struct ct_field_desc *fd, const struct ct_bin_fld *f,
		      const unsigned char *rec, int swap, struct ct_event *ev)
{
	unsigned char *base = (unsigned char *)ev;
	uint64_t u = fld_u(f, rec, swap);
	uint8_t known = f->size != 0;

	if (fd->kind == CT_FK_STATUS) {
		ct_event_put_int(ev, fd->off, fd->size, status_of(rec, swap, f));
		return;
	}
	if (!f->size) {	/* this kernel has no such field */
		if (fd->kind == CT_FK_U64 || fd->kind == CT_FK_PFN || fd->kind == CT_FK_SHIFT)
			memset(base + fd->off, fd->absent ? 0xff : 0, 8);
		else if (fd->kind == CT_FK_ZONE || fd->kind == CT_FK_SYMBOL)
			base[fd->off] = '\0';
		else
			ct_event_put_int(ev, fd->off, fd->size, fd->absent);
		if (fd->off2 && (fd->kind == CT_FK_U64 || fd->kind == CT_FK_GFP || fd->kind == CT_FK_PRIO))
			base[fd->off2] = 0;
		return;
	}
	switch (fd->kind) {
	case CT_FK_PFN:	/* a failed allocation records pfn -1UL: all ones in the field's width */
		if (u == (f->size == 8 ? UINT64_MAX : (1ULL << (8 * f->size)) - 1))
			u = CT_PFN_NONE;
		memcpy(base + fd->off, &u, 8);
		break;
	case CT_FK_U64:
		memcpy(base + fd->off, &u, 8);
		if (fd->off2)	/* the value's "known" flag */
			base[fd->off2] = 1;
		break;
	case CT_FK_ZONE:
	case CT_FK_SYMBOL:
		sym_or_hex((char *)base + fd->off, fd->size, &f->sym, u);
		break;
	case CT_FK_GFP:
		memcpy(base + fd->off, &u, 8);
		base[fd->off2] = known;
		render_gfp(d, &f->sym, u, (char *)base + fd->off3, CT_GFP_TEXT_LEN);
		break;
	case CT_FK_SYNC:
		base[fd->off] = !!u;
		break;
	case CT_FK_PRIO:
		ct_event_put_int(ev, fd->off, fd->size, fld_s(f, rec, swap));
		base[fd->off2] = f->is_mode;
		break;
	case CT_FK_SHIFT:	/* the kernel prints limit=%lu from 1UL << defer_shift */
		u = u < 64 ? 1ULL << u : 0;
		memcpy(base + fd->off, &u, 8);
		break;
	default:		/* CT_FK_I32, CT_FK_U32, CT_FK_ORDER_U32 */
		ct_event_put_int(ev, fd->off, fd->size, fld_s(f, rec, swap));
		break;
	}
}

int ct_bin_decode(struct ct_bin_meta *m, const unsigned char *rec, size_t len,
		  struct ct_event *ev, const char **why)
{
	const struct ct_bin_dec *d;
	int swap = m->swap;
	uint64_t id;

	/* the payload is only cleared for events that have one, as the text parsers do */
	memset(ev, 0, offsetof(struct ct_event, u));
	ev->cpu = -1;
	if (len < (size_t)m->type_fld.off + m->type_fld.size) {
		*why = "record too short for its event id";
		goto bad;
	}
	id = ct_rdn(rec + m->type_fld.off, m->type_fld.size, swap);
	if (id >= m->nr_ids) {
		*why = "event id not in the file's formats";
		goto bad;
	}
	d = m->by_id[id];
	if (!d && (m->tried[id] || !(d = materialize(m, (uint32_t)id)))) {
		if (m->nomem) {
			*why = ct_strerror(-CT_E_NOMEM);
			memset(&ev->u, 0, sizeof(ev->u));
			ev->type = CT_EV_PARSE_ERROR;
			ev->name = "";
			ev->name_len = 0;
			return -CT_E_NOMEM;
		}
		*why = m->blob_by_id[id].buf ? "event format could not be parsed" :
			"event id not in the file's formats";
		goto bad;
	}
	ev->name = d->name;
	ev->name_len = d->name_len;
	if (len < d->need) {
		*why = "record shorter than its format";
		goto bad;
	}
	ev->type = d->type;
	ev->pid = (int32_t)fld_s(&d->pid, rec, swap);
	if (!d->desc)
		return 0;
	if (d->desc->page_event)	/* constant sizes: the copies are inlined */
		memcpy(&ev->u.page, d->absent, sizeof(ev->u.page));
	else
		memcpy(&ev->u, d->absent, sizeof(ev->u));
	for (const struct bin_op *op = d->ops, *end = op + d->nops; op < end; op++) {
		unsigned char *dst = (unsigned char *)ev + op->dst;
		uint64_t u;

		switch (op->kind) {	/* the common cases first, without ct_rdn()'s switch */
		case OP_COPY8:
			memcpy(dst, rec + op->src, 8);
			continue;
		case OP_COPY8_KNOWN:
			memcpy(dst, rec + op->src, 8);
			((unsigned char *)ev)[op->dst2] = 1;
			continue;
		case OP_COPY4:
			memcpy(dst, rec + op->src, 4);
			continue;
		default:
			break;
		}
		u = ct_rdn(rec + op->src, op->size, swap);
		switch (op->kind) {
		case OP_PFN:	/* a failed allocation records pfn -1UL: all ones in the field's width */
			if (u == (op->size == 8 ? UINT64_MAX : (1ULL << (8 * op->size)) - 1))
				u = CT_PFN_NONE;
			memcpy(dst, &u, 8);
			break;
		case OP_U64:
			memcpy(dst, &u, 8);
			if (op->dst2)	/* the value's "known" flag */
				((unsigned char *)ev)[op->dst2] = 1;
			break;
		case OP_INT: {
			int32_t v;

			if (op->sign && op->size < 4)	/* sign-extend a narrow signed field */
				u = (uint64_t)((int64_t)(u << (64 - 8 * op->size)) >> (64 - 8 * op->size));
			v = (int32_t)u;
			memcpy(dst, &v, 4);
			break;
		}
		default:
			get_field(d, &d->desc->fields[op->field], &d->f[op->field], rec, swap, ev);
			break;
		}
	}
	return 0;
bad:
	memset(&ev->u, 0, sizeof(ev->u));
	ev->type = CT_EV_PARSE_ERROR;
	ev->name = "";
	ev->name_len = 0;
	return -CT_E_PARSE;
}
