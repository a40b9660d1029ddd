// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * A trace.dat v6 writer for tests: real format files, synthetic records,
 * ring-buffer pages encoded the way the kernel does (compressed headers,
 * time extends, absolute time stamps, discarded-event padding, missed-event
 * flags), and the trace-cmd report text of the same records, printed by
 * libtraceevent.
 */
#include <dirent.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#ifdef CT_HAVE_ZLIB
#include <zlib.h>
#endif

#include <traceevent/event-parse.h>
#include <traceevent/trace-seq.h>

#include "synth.h"

#define PAGE 4096
#define PAGE_HDR 16
#define MAX_FMT 64
#define NCPU 2

struct buf {
	unsigned char *p;
	size_t len, cap;
	int be;
};

struct fmt {
	char sys[32];
	char *text;
	size_t len;
	struct tep_event *ev;
};

struct cpu {
	struct buf data;	/* whole pages */
	size_t page;		/* offset of the open page in data */
	size_t used;		/* data bytes on it */
	uint64_t last_ts;
	int npages;
	int open;
	uint64_t flags, lost;	/* missed-events flags and count for the open page */
};

/* one text line (and the lost-events note before it), sorted into report order at the end */
struct line {
	uint64_t ts;
	int cpu, seq;
	char *text;
	int is_page;
	struct synth_page page;
};

struct gen {
	const struct synth_opts *o;
	struct line *lines;
	int nlines;
	struct tep_handle *tep;
	struct fmt fmts[MAX_FMT];
	int nfmt;
	struct fmt ftrace;
	char *header_page, *header_event;
	size_t header_page_len, header_event_len;
	struct cpu cpu[NCPU];
	struct buf text;
	uint32_t rnd;
	uint64_t bad_at_cpu_off;	/* offset of the bad record inside its CPU data */
	int bad_cpu;
};

static int grow(struct buf *b, size_t n)
{
	if (b->len + n > b->cap) {
		size_t cap = b->cap ? b->cap : 4096;
		unsigned char *p;

		while (cap < b->len + n)
			cap *= 2;
		p = realloc(b->p, cap);
		if (!p)
			return -1;
		b->p = p;
		b->cap = cap;
	}
	return 0;
}

static void put(struct buf *b, const void *d, size_t n)
{
	if (grow(b, n) == 0) {
		memcpy(b->p + b->len, d, n);
		b->len += n;
	}
}

/* a number of @size bytes in the buffer's byte order */
static void putn_at(struct buf *b, size_t at, uint64_t v, unsigned size)
{
	for (unsigned i = 0; i < size; i++) {
		unsigned shift = b->be ? 8 * (size - 1 - i) : 8 * i;

		b->p[at + i] = (unsigned char)(v >> shift);
	}
}

static void putn(struct buf *b, uint64_t v, unsigned size)
{
	if (grow(b, size) == 0) {
		putn_at(b, b->len, v, size);
		b->len += size;
	}
}

static void printfb(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void printfb(struct buf *b, const char *fmt, ...)
{
	char tmp[4096];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(tmp, sizeof(tmp), fmt, ap);
	va_end(ap);
	if (n > 0)
		put(b, tmp, (size_t)n < sizeof(tmp) ? (size_t)n : sizeof(tmp) - 1);
}

static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *p = NULL;
	long n;

	if (!f)
		return NULL;
	if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) >= 0 && fseek(f, 0, SEEK_SET) == 0) {
		p = malloc((size_t)n + 1);
		if (p && fread(p, 1, (size_t)n, f) != (size_t)n) {
			free(p);
			p = NULL;
		}
		if (p) {
			p[n] = '\0';
			*len = (size_t)n;
		}
	}
	fclose(f);
	return p;
}

static uint32_t rnd(struct gen *g)
{
	g->rnd = g->rnd * 1103515245u + 12345u;
	return g->rnd >> 1;
}

static int load_dir(struct gen *g, const char *sys)
{
	char path[1024];
	struct dirent **ents;
	int n = -1;

	snprintf(path, sizeof(path), "%s/%s", g->o->formats_dir, sys);
	n = scandir(path, &ents, NULL, alphasort);
	if (n < 0)
		return -1;
	for (int i = 0; i < n; i++) {
		struct fmt *f;
		size_t nl = strlen(ents[i]->d_name);

		if (nl < 8 || strcmp(ents[i]->d_name + nl - 7, ".format") != 0 || g->nfmt >= MAX_FMT) {
			free(ents[i]);
			continue;
		}
		f = &g->fmts[g->nfmt];
		snprintf(path, sizeof(path), "%s/%s/%s", g->o->formats_dir, sys, ents[i]->d_name);
		free(ents[i]);
		f->text = slurp(path, &f->len);
		if (!f->text)
			continue;
		snprintf(f->sys, sizeof(f->sys), "%s", sys);
		if (tep_parse_event(g->tep, f->text, f->len, sys) != 0 && !tep_get_events_count(g->tep))
			continue;
		g->nfmt++;
	}
	free(ents);
	return 0;
}

/* a value for a field the decoders care about, covering odd cases */
static uint64_t value_for(struct gen *g, const struct tep_format_field *f)
{
	const char *n = f->name;
	uint32_t r = rnd(g);

	if (!strcmp(n, "idx") || !strcmp(n, "highest_zoneidx") || !strcmp(n, "classzone_idx"))
		return r % 5;	/* 4: not in the table, printed in hex */
	if (!strcmp(n, "status") || !strcmp(n, "ret"))
		return (uint64_t)(int64_t)((int)(r % 11) - 1);
	if (!strcmp(n, "gfp_mask") || !strcmp(n, "gfp_flags"))
		return r % 7 == 0 ? 0 : ((uint64_t)rnd(g) | (uint64_t)r << 20) & ((1ULL << 28) - 1);
	if (!strcmp(n, "mode") || !strcmp(n, "reason"))
		return r % 12;
	if (!strcmp(n, "defer_shift"))
		return r % 7;
	if (!strcmp(n, "sync"))
		return r & 1;
	if (!strcmp(n, "pfn") && r % 9 == 0)
		return ~0ULL;	/* mm_page_alloc of a failed allocation */
	if (!strcmp(n, "order") || !strcmp(n, "alloc_order") || !strcmp(n, "fallback_order") ||
	    !strcmp(n, "order_failed"))
		return (uint64_t)(int64_t)((int)(r % 13) - 1);
	if (f->size == 8)
		return ((uint64_t)rnd(g) << 20 | r) & ((1ULL << 40) - 1);
	return r;
}

/* a record of @e (host order in @host, file order in @file); returns its length */
static size_t make_record(struct gen *g, struct tep_event *e, int pid, unsigned char *host,
			  unsigned char *file, size_t cap)
{
	struct buf hb = { host, 0, cap, 0 }, fb = { file, 0, cap, g->o->bigendian };
	size_t len = 0;

	memset(host, 0, cap);
	memset(file, 0, cap);
	for (int pass = 0; pass < 2; pass++) {
		struct tep_format_field *f = pass ? e->format.fields : e->format.common_fields;

		for (; f; f = f->next) {
			uint64_t v;

			if (f->offset + f->size > (int)cap || !f->size || f->size > 8 ||
			    (f->flags & (TEP_FIELD_IS_ARRAY | TEP_FIELD_IS_DYNAMIC)))
				continue;
			if (!strcmp(f->name, "common_type"))
				v = (uint64_t)e->id;
			else if (!strcmp(f->name, "common_pid"))
				v = (uint64_t)pid;
			else if (!strncmp(f->name, "common_", 7))
				v = 0;
			else
				v = value_for(g, f);
			putn_at(&hb, (size_t)f->offset, v, (unsigned)f->size);
			putn_at(&fb, (size_t)f->offset, v, (unsigned)f->size);
			if ((size_t)(f->offset + f->size) > len)
				len = (size_t)(f->offset + f->size);
		}
	}
	return (len + 3) & ~(size_t)3;
}

static void close_page(struct cpu *c)
{
	struct buf *b = &c->data;

	if (!c->open)
		return;
	putn_at(b, c->page + 8, c->used | c->flags, 8);
	if (c->lost)
		putn_at(b, c->page + PAGE_HDR + c->used, c->lost, 8);
	c->open = 0;
}

static void open_page(struct cpu *c, uint64_t ts)
{
	struct buf *b = &c->data;

	c->page = b->len;
	if (grow(b, PAGE) == 0) {
		memset(b->p + b->len, 0, PAGE);
		b->len += PAGE;
	}
	putn_at(b, c->page, ts, 8);
	c->used = 0;
	c->last_ts = ts;
	c->open = 1;
	c->npages++;
	c->flags = c->lost = 0;
}

static void put_entry_hdr(struct buf *b, size_t at, uint32_t type_len, uint32_t delta)
{
	uint32_t v = b->be ? (type_len << 27) | (delta & ((1u << 27) - 1)) :
		(delta << 5) | (type_len & 31);

	putn_at(b, at, v, 4);
}

/*
 * Append one record to a CPU; returns the lost-events note the text shows
 * before it ("" if none) in @note. Pages get the missed-events flag when
 * the options ask: page 3 with a stored count, page 5 without.
 */
static uint64_t add_record(struct gen *g, int cpu, uint64_t ts, const unsigned char *rec,
			   size_t len, char *note, size_t notelen, int absolute)
{
	struct cpu *c = &g->cpu[cpu];
	struct buf *b = &c->data;
	size_t need = (len <= 28 * 4 ? 4 : 8) + len;
	uint64_t delta, at;
	int extend = 0;

	note[0] = '\0';
	/* room for this entry, a time stamp, a padding entry and a lost count */
	if (c->open && c->used + need + 8 + 16 + 8 > PAGE - PAGE_HDR)
		close_page(c);
	if (!c->open) {
		open_page(c, ts);
		/* the kernel flags the first page read after an overrun */
		if (g->o->lost && cpu == 1 && (c->npages == 3 || c->npages == 5)) {
			c->flags = 1ULL << 31;
			if (c->npages == 3) {
				c->flags |= 1ULL << 30;
				c->lost = 1234;
				snprintf(note, notelen, "CPU:1 [1234 EVENTS DROPPED]\n");
			} else {
				snprintf(note, notelen, "CPU:1 [EVENTS DROPPED]\n");
			}
		}
	}
	delta = ts - c->last_ts;
	if (absolute) {
		/* an absolute time stamp entry, then the record with delta 0 */
		at = c->page + PAGE_HDR + c->used;
		put_entry_hdr(b, (size_t)at, 31, (uint32_t)(ts & ((1u << 27) - 1)));
		putn_at(b, (size_t)at + 4, ts >> 27, 4);
		c->used += 8;
		delta = 0;
	} else if (delta >= (1u << 27)) {
		extend = 1;
	}
	if (extend) {
		at = c->page + PAGE_HDR + c->used;
		put_entry_hdr(b, (size_t)at, 30, (uint32_t)(delta & ((1u << 27) - 1)));
		putn_at(b, (size_t)at + 4, delta >> 27, 4);
		c->used += 8;
		delta = 0;
	}
	at = c->page + PAGE_HDR + c->used;
	if (len <= 28 * 4) {
		put_entry_hdr(b, (size_t)at, (uint32_t)(len / 4), (uint32_t)delta);
		memcpy(b->p + at + 4, rec, len);
		c->used += 4 + len;
		at += 4;
	} else {
		put_entry_hdr(b, (size_t)at, 0, (uint32_t)delta);
		putn_at(b, (size_t)at + 4, len + 4, 4);
		memcpy(b->p + at + 8, rec, len);
		c->used += 8 + len;
		at += 8;
	}
	c->last_ts = ts;
	/* now and then a discarded event: padding the reader must step over */
	if (rnd(g) % 29 == 0) {
		size_t p = c->page + PAGE_HDR + c->used;

		put_entry_hdr(b, p, 29, 0);
		putn_at(b, p + 4, 12, 4);
		c->used += 16;
	}
	return at;	/* offset of the record data in this CPU's data */
}

static const char *comm_of(int pid)
{
	switch (pid) {
	case 0:
		return "<idle>";
	case 1000:
		return "synth-a";
	case 1001:
		return "kworker/0:1H";
	case 1002:
		return "with space";
	default:
		return "<...>";
	}
}

static int write_file(struct gen *g, struct synth_out *out)
{
	struct buf f = { NULL, 0, 0, g->o->bigendian };
	const char *cmdlines = "1000 synth-a\n1001 kworker/0:1H\n1002 with space\n";
	size_t table, data_start;
	char sysnames[MAX_FMT][32];
	int nsys = 0;

	put(&f, "\x17\x08\x44tracing6", 12);	/* with the version's NUL */
	putn(&f, g->o->bigendian ? 1 : 0, 1);
	putn(&f, 8, 1);
	putn(&f, PAGE, 4);
	put(&f, "header_page", 12);
	putn(&f, g->header_page_len, 8);
	put(&f, g->header_page, g->header_page_len);
	put(&f, "header_event", 13);
	putn(&f, g->header_event_len, 8);
	put(&f, g->header_event, g->header_event_len);
	putn(&f, 1, 4);
	putn(&f, g->ftrace.len, 8);
	put(&f, g->ftrace.text, g->ftrace.len);
	for (int i = 0; i < g->nfmt; i++) {
		int known = 0;

		for (int k = 0; k < nsys; k++)
			known |= !strcmp(sysnames[k], g->fmts[i].sys);
		if (!known)
			snprintf(sysnames[nsys++], sizeof(sysnames[0]), "%s", g->fmts[i].sys);
	}
	putn(&f, (uint64_t)nsys, 4);
	for (int k = 0; k < nsys; k++) {
		int count = 0;

		for (int i = 0; i < g->nfmt; i++)
			count += !strcmp(sysnames[k], g->fmts[i].sys);
		put(&f, sysnames[k], strlen(sysnames[k]) + 1);
		putn(&f, (uint64_t)count, 4);
		for (int i = 0; i < g->nfmt; i++)
			if (!strcmp(sysnames[k], g->fmts[i].sys)) {
				putn(&f, g->fmts[i].len, 8);
				put(&f, g->fmts[i].text, g->fmts[i].len);
			}
	}
	putn(&f, 0, 4);		/* kallsyms */
	putn(&f, 0, 4);		/* printk formats */
	putn(&f, strlen(cmdlines), 8);
	put(&f, cmdlines, strlen(cmdlines));
	putn(&f, NCPU, 4);
	put(&f, "flyrecord", 10);
	table = f.len;
	for (int c = 0; c < NCPU; c++) {
		putn(&f, 0, 8);
		putn(&f, 0, 8);
	}
	data_start = (f.len + PAGE - 1) & ~(size_t)(PAGE - 1);
	if (grow(&f, data_start - f.len) == 0) {
		memset(f.p + f.len, 0, data_start - f.len);
		f.len = data_start;
	}
	for (int c = 0; c < NCPU; c++) {
		putn_at(&f, table + 16 * (size_t)c, f.len, 8);
		putn_at(&f, table + 16 * (size_t)c + 8, g->cpu[c].data.len, 8);
		if (c == g->bad_cpu && g->bad_at_cpu_off)
			out->bad_where = f.len + g->bad_at_cpu_off;
		put(&f, g->cpu[c].data.p, g->cpu[c].data.len);
	}
	out->dat = f.p;
	out->dat_len = f.len;
	out->cpu_table = table;
	return f.p ? 0 : -1;
}

/* read back a field of a host-order record; -1 when the format has no such field */
static int64_t field_value(struct tep_event *e, const unsigned char *rec, const char *name,
			   int sign)
{
	struct tep_format_field *f = tep_find_field(e, name);
	uint64_t v = 0;

	if (!f || f->size > 8)
		return -1;
	memcpy(&v, rec + f->offset, (size_t)f->size);	/* host order, little-endian host */
	if (sign && f->size < 8 && (v >> (8 * f->size - 1)) & 1)
		v |= ~0ULL << (8 * f->size);
	return (int64_t)v;
}

/* the values of a kmem page record, when @e is one; 1 if so */
static int page_values(struct tep_event *e, const unsigned char *rec, struct synth_page *p)
{
	static const char *const names[] = { "mm_page_alloc", "mm_page_alloc_zone_locked",
					     "mm_page_free", "mm_page_free_batched",
					     "mm_page_pcpu_drain" };
	int is = 0;

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		is |= !strcmp(e->name, names[i]);
	if (!is)
		return 0;
	memset(p, 0, sizeof(*p));
	snprintf(p->name, sizeof(p->name), "%s", e->name);
	p->pfn = (uint64_t)field_value(e, rec, "pfn", 0);
	p->order = strcmp(e->name, "mm_page_free_batched") ? field_value(e, rec, "order", 1) : -1;
	p->migratetype = field_value(e, rec, "migratetype", 1);
	p->percpu_refill = field_value(e, rec, "percpu_refill", 1);
	p->has_gfp = tep_find_field(e, "gfp_flags") != NULL;
	p->gfp = p->has_gfp ? (uint64_t)field_value(e, rec, "gfp_flags", 0) : 0;
	return 1;
}

static int cmp_line(const void *a, const void *b)
{
	const struct line *x = a, *y = b;

	if (x->ts != y->ts)
		return x->ts < y->ts ? -1 : 1;
	if (x->cpu != y->cpu)
		return x->cpu - y->cpu;
	return x->seq - y->seq;
}

/* a v7 section: header, then the contents (compressed as "u32 zsize, u32 size, data") */
static void v7_section(struct gen *g, struct buf *f, uint16_t id, const struct buf *content,
		       int compress, uint64_t *at)
{
	*at = f->len;
	putn(f, id, 2);
	putn(f, compress ? 1 : 0, 2);
	putn(f, 0, 4);		/* description string id */
#ifdef CT_HAVE_ZLIB
	if (compress) {
		uLongf zl = compressBound((uLong)content->len);
		unsigned char *z = malloc(zl);

		if (z && compress2(z, &zl, content->p, (uLong)content->len, 6) == Z_OK) {
			putn(f, 8 + zl, 8);
			putn(f, zl, 4);
			putn(f, content->len, 4);
			put(f, z, zl);
		}
		free(z);
		return;
	}
#endif
	(void)g;
	putn(f, content->len, 8);
	put(f, content->p, content->len);
}

/* a CPU's pages as trace-cmd 3.x compresses them: a chunk count, then chunks of 4 pages */
static void v7_chunks(struct buf *f, const struct buf *data)
{
#ifdef CT_HAVE_ZLIB
	size_t n = (data->len + 4 * PAGE - 1) / (4 * PAGE);

	putn(f, n, 4);
	for (size_t i = 0; i < n; i++) {
		size_t len = data->len - i * 4 * PAGE < 4 * PAGE ? data->len - i * 4 * PAGE : 4 * PAGE;
		uLongf zl = compressBound((uLong)len);
		unsigned char *z = malloc(zl);

		if (z && compress2(z, &zl, data->p + i * 4 * PAGE, (uLong)len, 6) == Z_OK) {
			putn(f, zl, 4);
			putn(f, len, 4);
			put(f, z, zl);
		}
		free(z);
	}
#else
	(void)f;
	(void)data;
#endif
}

static void pad_page(struct buf *f)
{
	size_t to = (f->len + PAGE - 1) & ~(size_t)(PAGE - 1);

	if (grow(f, to - f->len) == 0) {
		memset(f->p + f->len, 0, to - f->len);
		f->len = to;
	}
}

static int write_file_v7(struct gen *g, struct synth_out *out)
{
	struct buf f = { NULL, 0, 0, g->o->bigendian }, c = { NULL, 0, 0, g->o->bigendian };
	struct buf opts = { NULL, 0, 0, g->o->bigendian };
	const char *cmdlines = "1000 synth-a\n1001 kworker/0:1H\n1002 with space\n";
	uint64_t sec[4], opt_ptr, bufsec[NCPU], cpu_off[NCPU], cpu_size[NCPU];
	int z = g->o->zlib, nbuf = g->o->two_buffers ? 2 : 1;
	char sysnames[MAX_FMT][32];
	int nsys = 0;

	put(&f, "\x17\x08\x44tracing7", 12);
	putn(&f, g->o->bigendian ? 1 : 0, 1);
	putn(&f, 8, 1);
	putn(&f, PAGE, 4);
	if (z)
		put(&f, "zlib\0" "1.2.13", 12);
	else
		put(&f, "none\0", 6);
	opt_ptr = f.len;
	putn(&f, 0, 8);		/* offset of the options section, patched below */

	put(&c, "header_page", 12);
	putn(&c, g->header_page_len, 8);
	put(&c, g->header_page, g->header_page_len);
	put(&c, "header_event", 13);
	putn(&c, g->header_event_len, 8);
	put(&c, g->header_event, g->header_event_len);
	v7_section(g, &f, 16, &c, z, &sec[0]);
	c.len = 0;
	putn(&c, 1, 4);
	putn(&c, g->ftrace.len, 8);
	put(&c, g->ftrace.text, g->ftrace.len);
	v7_section(g, &f, 17, &c, z, &sec[1]);
	c.len = 0;
	for (int i = 0; i < g->nfmt; i++) {
		int known = 0;

		for (int k = 0; k < nsys; k++)
			known |= !strcmp(sysnames[k], g->fmts[i].sys);
		if (!known)
			snprintf(sysnames[nsys++], sizeof(sysnames[0]), "%s", g->fmts[i].sys);
	}
	putn(&c, (uint64_t)nsys, 4);
	for (int k = 0; k < nsys; k++) {
		int count = 0;

		for (int i = 0; i < g->nfmt; i++)
			count += !strcmp(sysnames[k], g->fmts[i].sys);
		put(&c, sysnames[k], strlen(sysnames[k]) + 1);
		putn(&c, (uint64_t)count, 4);
		for (int i = 0; i < g->nfmt; i++)
			if (!strcmp(sysnames[k], g->fmts[i].sys)) {
				putn(&c, g->fmts[i].len, 8);
				put(&c, g->fmts[i].text, g->fmts[i].len);
			}
	}
	v7_section(g, &f, 18, &c, z, &sec[2]);
	c.len = 0;
	putn(&c, strlen(cmdlines), 8);
	put(&c, cmdlines, strlen(cmdlines));
	v7_section(g, &f, 21, &c, z, &sec[3]);

	/* buffer sections: a header, padding to a page, then each CPU's data */
	for (int b = 0; b < nbuf; b++) {
		bufsec[b] = f.len;
		putn(&f, 3, 2);
		putn(&f, z ? 1 : 0, 2);
		putn(&f, 0, 4);
		putn(&f, 0, 8);
		pad_page(&f);
		for (int cpu = 0; cpu < NCPU; cpu++) {
			if (nbuf == 2 && cpu != b)
				continue;
			cpu_off[cpu] = f.len;
			if (z)
				v7_chunks(&f, &g->cpu[cpu].data);
			else
				put(&f, g->cpu[cpu].data.p, g->cpu[cpu].data.len);
			/* like trace-cmd, the size left out the chunk count */
			cpu_size[cpu] = f.len - cpu_off[cpu] - (z ? 4 : 0);
			if (cpu == g->bad_cpu && g->bad_at_cpu_off && !z)
				out->bad_where = cpu_off[cpu] + g->bad_at_cpu_off;
			pad_page(&f);
		}
		putn_at(&f, bufsec[b] + 8, f.len - bufsec[b] - 16, 8);
	}

	/* the options section that ties it together */
	for (int i = 0; i < 4; i++) {
		static const uint16_t ids[4] = { 16, 17, 18, 21 };

		putn(&opts, ids[i], 2);
		putn(&opts, 8, 4);
		putn(&opts, sec[i], 8);
	}
	for (int b = 0; b < nbuf; b++) {
		const char *name = b ? "second" : "";
		int ncpu = nbuf == 2 ? 1 : NCPU;

		putn(&opts, 3, 2);
		putn(&opts, 8 + strlen(name) + 1 + 6 + 8 + 20 * (size_t)ncpu, 4);
		putn(&opts, bufsec[b], 8);
		put(&opts, name, strlen(name) + 1);
		put(&opts, "local", 6);
		putn(&opts, PAGE, 4);
		putn(&opts, (uint64_t)ncpu, 4);
		for (int cpu = 0; cpu < NCPU; cpu++) {
			if (nbuf == 2 && cpu != b)
				continue;
			putn(&opts, (uint64_t)cpu, 4);
			putn(&opts, cpu_off[cpu], 8);
			putn(&opts, cpu_size[cpu], 8);
		}
	}
	putn(&opts, 0, 2);	/* DONE: no further options section */
	putn(&opts, 8, 4);
	putn(&opts, 0, 8);
	{
		uint64_t at;

		v7_section(g, &f, 0, &opts, 0, &at);
		putn_at(&f, opt_ptr, at, 8);
	}
	free(c.p);
	free(opts.p);
	out->dat = f.p;
	out->dat_len = f.len;
	out->cpu_table = 0;
	return f.p ? 0 : -1;
}

int synth_make(const struct synth_opts *o, struct synth_out *out)
{
	struct gen *g = calloc(1, sizeof(*g));
	unsigned char host[512], file[512];
	char path[1024], note[64];
	uint64_t ts = 5000000000ULL;
	int ret = -1;

	memset(out, 0, sizeof(*out));
	if (!g)
		return -1;
	g->o = o;
	g->rnd = o->seed ? o->seed : 1;
	g->tep = tep_alloc();
	if (!g->tep)
		goto out;
	tep_set_loglevel(TEP_LOG_NONE);
	tep_set_long_size(g->tep, 8);
	tep_set_page_size(g->tep, PAGE);
	snprintf(path, sizeof(path), "%s/header_page", o->formats_dir);
	g->header_page = slurp(path, &g->header_page_len);
	snprintf(path, sizeof(path), "%s/header_event", o->formats_dir);
	g->header_event = slurp(path, &g->header_event_len);
	snprintf(path, sizeof(path), "%s/ftrace/print.format", o->formats_dir);
	g->ftrace.text = slurp(path, &g->ftrace.len);
	if (!g->header_page || !g->header_event || !g->ftrace.text) {
		fprintf(stderr, "synth: cannot read formats in %s\n", o->formats_dir);
		goto out;
	}
	if (load_dir(g, "compaction") < 0 || load_dir(g, "kmem") < 0 || load_dir(g, "migrate") < 0) {
		fprintf(stderr, "synth: cannot list formats in %s\n", o->formats_dir);
		goto out;
	}
	for (int i = 0; i < g->nfmt; i++) {
		char name[128];
		const char *p = strstr(g->fmts[i].text, "name: ");
		size_t n = p ? strcspn(p + 6, "\n") : 0;

		snprintf(name, sizeof(name), "%.*s", (int)n, p ? p + 6 : "");
		g->fmts[i].ev = tep_find_event_by_name(g->tep, g->fmts[i].sys, name);
	}
	for (int c = 0; c < NCPU; c++)
		g->cpu[c].data.be = o->bigendian;
	g->lines = calloc((size_t)o->nr_records + 1, sizeof(*g->lines));
	if (!g->lines)
		goto out;
	printfb(&g->text, "cpus=%d\n", NCPU);
	for (int i = 0; i < o->nr_records; i++) {
		struct fmt *f = &g->fmts[rnd(g) % (unsigned)g->nfmt];
		static const int pids[] = { 1000, 1001, 1002, 0, 4242 };
		int pid = pids[rnd(g) % 5], cpu = i & 1;
		size_t len;
		struct tep_record r;
		struct trace_seq s;

		if (!f->ev)
			continue;
		/* ties across CPUs, small steps, and now and then a gap that needs a time extend */
		if (cpu == 0)
			ts += rnd(g) % 17 == 0 ? 200000000000ULL + 1000ULL * (rnd(g) % 1000) :
				1000ULL * (rnd(g) % 4);
		len = make_record(g, f->ev, pid, host, file, sizeof(host));
		add_record(g, cpu, ts, file, len, note, sizeof(note), rnd(g) % 53 == 0);
		out->nr_lost += note[0] != '\0';
		memset(&r, 0, sizeof(r));
		r.ts = ts;
		r.cpu = cpu;
		r.size = (int)len;
		r.data = host;
		trace_seq_init(&s);
		tep_print_event(g->tep, &s, &r, "%s", TEP_PRINT_INFO);
		trace_seq_terminate(&s);
		{
			struct buf lb = { NULL, 0, 0, 0 };
			struct line *l = &g->lines[g->nlines];

			printfb(&lb, "%s%16s-%-5d [%03d] %5llu.%06llu: %s: %s\n", note, comm_of(pid),
				pid, cpu, (unsigned long long)(ts / 1000000000ULL),
				(unsigned long long)(ts % 1000000000ULL / 1000ULL), f->ev->name,
				s.buffer);
			put(&lb, "", 1);
			l->ts = ts;
			l->cpu = cpu;
			l->seq = g->nlines++;
			l->text = (char *)lb.p;
			l->is_page = page_values(f->ev, host, &l->page);
		}
		trace_seq_destroy(&s);
		out->nr_records++;
		if (i == o->nr_records / 2 && (o->bad_id || o->short_rec)) {
			/* one broken record, not shown in the text */
			len = make_record(g, f->ev, pid, host, file, sizeof(host));
			if (o->bad_id)
				putn_at(&(struct buf){ file, 0, sizeof(file), o->bigendian }, 0, 9999, 2);
			else
				len = 4;
			g->bad_cpu = cpu;
			g->bad_at_cpu_off = add_record(g, cpu, ts, file, len, note, sizeof(note), 0);
		}
	}
	for (int c = 0; c < NCPU; c++)
		close_page(&g->cpu[c]);
	/* trace-cmd report's merge: earliest first, ties to the lower CPU, each CPU in order */
	qsort(g->lines, (size_t)g->nlines, sizeof(*g->lines), cmp_line);
	out->pages = calloc((size_t)g->nlines + 1, sizeof(*out->pages));
	for (int i = 0; i < g->nlines; i++) {
		printfb(&g->text, "%s", g->lines[i].text);
		if (g->lines[i].is_page && out->pages)
			out->pages[out->nr_pages++] = g->lines[i].page;
	}
	ret = o->version == 7 ? write_file_v7(g, out) : write_file(g, out);
	out->text = (char *)g->text.p;
	out->text_len = g->text.len;
	g->text.p = NULL;
out:
	if (g) {
		for (int i = 0; i < g->nfmt; i++)
			free(g->fmts[i].text);
		for (int c = 0; c < NCPU; c++)
			free(g->cpu[c].data.p);
		free(g->ftrace.text);
		free(g->header_page);
		free(g->header_event);
		free(g->text.p);
		for (int i = 0; i < g->nlines; i++)
			free(g->lines[i].text);
		free(g->lines);
		if (g->tep)
			tep_free(g->tep);
		free(g);
	}
	return ret;
}

void synth_free(struct synth_out *out)
{
	free(out->dat);
	free(out->text);
	free(out->pages);
	memset(out, 0, sizeof(*out));
}

int synth_memfd(const void *data, size_t len, char *path, size_t pathlen)
{
	int fd = memfd_create("ct-synth", MFD_CLOEXEC);
	const unsigned char *p = data;

	if (fd < 0)
		return -1;
	while (len) {
		ssize_t w = write(fd, p, len);

		if (w <= 0) {
			close(fd);
			return -1;
		}
		p += w;
		len -= (size_t)w;
	}
	snprintf(path, pathlen, "/proc/self/fd/%d", fd);
	return fd;
}
