// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Live raw ring-buffer pages -> normalized events (compactrace/pages.h).
 *
 * The format texts are laid out as trace.dat v6 stores them and read by
 * the same code as a file's (bin_meta.c), so a live page and a recorded
 * one decode alike. Each CPU keeps a FIFO of page copies; the merge takes
 * the earliest pending record over the CPUs, ties to the lower CPU, as
 * the trace.dat reader does, and stops at the caller's watermark.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bin.h"
#include "compactrace/error.h"
#include "compactrace/pages.h"
#include "rb_page.h"

#define PAGES_MAX_CPUS 8192

struct qpage {
	struct qpage *next;
	uint32_t len;
	unsigned char data[];
};

struct pcpu {
	struct qpage *head, *tail;	/* queued pages, oldest first */
	struct qpage *cur;		/* the page being walked (taken off the queue) */
	struct ct_rb_page pg;
	const unsigned char *rec;	/* the pending record, or NULL */
	uint32_t rec_len;
	uint64_t bytes;			/* bytes of this CPU's pages seen before cur */
	int64_t lost;			/* a lost-events notice to give (>0, or -1: unknown count) */
	uint8_t has_lost, has_perr;
	uint64_t perr_where;
};

struct ct_pages {
	char *name;
	struct ct_bin_meta *meta;
	struct ct_bin_page_layout lay;
	uint32_t page_size;
	int ncpus;
	struct pcpu *cpu;
	struct qpage *spare;		/* the page the last event pointed into, freed next call */
	uint64_t queued;
	uint64_t last_ts;
	ct_pages_comm_fn comm;
	void *comm_ctx;
};

/* header_page, header_event and the event formats, serialized as trace.dat v6 has them */
static int serialize(const struct ct_pages_formats *f, unsigned char **out, size_t *outlen)
{
	size_t len = 12 + 8 + f->header_page_len + 13 + 8 + f->header_event_len + 4, pos = 0;
	unsigned char *b;
	uint64_t v64;
	uint32_t v32;

	for (uint32_t i = 0; i < f->nsystems; i++) {
		len += strlen(f->systems[i].name) + 1 + 4;
		for (uint32_t k = 0; k < f->systems[i].nformats; k++)
			len += 8 + f->systems[i].lens[k];
	}
	b = malloc(len);
	if (!b)
		return -CT_E_NOMEM;
#define PUT(p, n) do { memcpy(b + pos, (p), (n)); pos += (n); } while (0)
	PUT("header_page", 12);
	v64 = f->header_page_len;
	PUT(&v64, 8);
	PUT(f->header_page, f->header_page_len);
	PUT("header_event", 13);
	v64 = f->header_event_len;
	PUT(&v64, 8);
	PUT(f->header_event, f->header_event_len);
	v32 = f->nsystems;
	PUT(&v32, 4);
	for (uint32_t i = 0; i < f->nsystems; i++) {
		const struct ct_pages_system *s = &f->systems[i];

		PUT(s->name, strlen(s->name) + 1);
		v32 = s->nformats;
		PUT(&v32, 4);
		for (uint32_t k = 0; k < s->nformats; k++) {
			v64 = s->lens[k];
			PUT(&v64, 8);
			PUT(s->formats[k], s->lens[k]);
		}
	}
#undef PUT
	*out = b;
	*outlen = pos;
	return 0;
}

int ct_pages_new(const struct ct_pages_formats *f, int ncpus, uint32_t page_size, const char *name,
		 ct_pages_comm_fn comm, void *ctx, struct ct_pages **out, char *err, size_t errlen)
{
	struct ct_pages *d = NULL;
	struct ct_bin_cur c;
	unsigned char *buf = NULL;
	size_t len;
	int ret;

	*out = NULL;
	if (ncpus <= 0 || ncpus > PAGES_MAX_CPUS || page_size < 64 || page_size > (1u << 24) || !f->nsystems) {
		snprintf(err, errlen, "%s: %d CPUs, %u-byte pages, %u event systems: nothing to decode",
			 name, ncpus, page_size, f->nsystems);
		return -CT_E_INVAL;
	}
	d = calloc(1, sizeof(*d));
	if (!d || !(d->name = strdup(name)) || !(d->cpu = calloc((size_t)ncpus, sizeof(*d->cpu)))) {
		ret = -CT_E_NOMEM;
		goto fail;
	}
	d->ncpus = ncpus;
	d->page_size = page_size;
	d->comm = comm;
	d->comm_ctx = ctx;
	ret = ct_bin_meta_new(&d->meta, ct_host_bigendian(), (int)sizeof(long), (int)page_size);
	if (ret < 0)
		goto fail;
	ret = serialize(f, &buf, &len);
	if (ret < 0)
		goto fail;
	ct_cur_init(&c, buf, len, 0, 0);
	ret = ct_bin_read_headers(&c, d->meta, name, err, errlen);
	if (ret == 0)
		ret = ct_bin_read_event_formats(&c, d->meta, 1, name, err, errlen);
	if (ret == 0)
		ret = ct_bin_meta_finish(d->meta, name, err, errlen);
	free(buf);
	if (ret < 0)
		goto out;
	d->lay = *ct_bin_meta_layout(d->meta);
	if (page_size < d->lay.data_off + 8) {
		snprintf(err, errlen, "%s: %u-byte pages cannot hold the page header", name, page_size);
		ret = -CT_E_INVAL;
		goto out;
	}
	*out = d;
	return 0;
fail:
	snprintf(err, errlen, "%s: %s", name, ct_strerror(ret));
out:
	ct_pages_free(d);
	return ret;
}

void ct_pages_free(struct ct_pages *d)
{
	if (!d)
		return;
	for (int i = 0; d->cpu && i < d->ncpus; i++) {
		struct qpage *p = d->cpu[i].head;

		while (p) {
			struct qpage *n = p->next;

			free(p);
			p = n;
		}
		free(d->cpu[i].cur);
	}
	free(d->spare);
	free(d->cpu);
	ct_bin_meta_free(d->meta);
	free(d->name);
	free(d);
}

int ct_pages_add(struct ct_pages *d, int cpu, const void *page, size_t len)
{
	struct pcpu *c;
	struct qpage *p;

	if (cpu < 0 || cpu >= d->ncpus || len > d->page_size)
		return -CT_E_INVAL;
	p = malloc(sizeof(*p) + d->page_size);
	if (!p)
		return -CT_E_NOMEM;
	p->next = NULL;
	p->len = (uint32_t)len;
	memcpy(p->data, page, len);
	c = &d->cpu[cpu];
	if (c->tail)
		c->tail->next = p;
	else
		c->head = p;
	c->tail = p;
	d->queued += len;
	return 0;
}

uint64_t ct_pages_queued(const struct ct_pages *d)
{
	return d->queued;
}

/* drop the page being walked; the last event may still point into it */
static void retire(struct ct_pages *d, struct pcpu *c)
{
	if (!c->cur)
		return;
	c->bytes += d->page_size;
	free(d->spare);
	d->spare = c->cur;
	c->cur = NULL;
}

/* make c->rec the CPU's next record, walking into queued pages; notices first */
static void advance(struct ct_pages *d, struct pcpu *c)
{
	c->rec = NULL;
	for (;;) {
		struct qpage *p;
		uint64_t bad;
		int r = c->cur ? ct_rb_page_next(&c->pg, &c->rec, &c->rec_len) : 0;

		if (r > 0)
			return;
		if (r < 0 && !c->has_perr) {
			c->has_perr = 1;
			c->perr_where = c->bytes + d->lay.data_off + c->pg.off;
		}
		c->rec = NULL;
		retire(d, c);
		p = c->head;
		if (!p)
			return;
		c->head = p->next;
		if (!c->head)
			c->tail = NULL;
		d->queued -= p->len;
		c->cur = p;
		if (ct_rb_page_open(&c->pg, p->data, p->len, &d->lay, 0, &bad) < 0) {
			if (!c->has_perr) {
				c->has_perr = 1;
				c->perr_where = c->bytes + bad;
			}
			retire(d, c);
			continue;
		}
		if (c->pg.missed) {
			if (c->has_lost && (c->lost < 0 || c->pg.missed_count < 0))
				c->lost = -1;
			else
				c->lost = (c->has_lost ? c->lost : 0) + c->pg.missed_count;
			c->has_lost = 1;
		}
		if (c->has_lost || c->has_perr) {
			/* the notice goes first; the page's records follow */
			if (ct_rb_page_next(&c->pg, &c->rec, &c->rec_len) < 0 && !c->has_perr) {
				c->has_perr = 1;
				c->perr_where = c->bytes + d->lay.data_off + c->pg.off;
			}
			return;
		}
	}
}

static void notice(struct ct_pages *d, struct pcpu *c, int cpu, struct ct_event *ev)
{
	memset(ev, 0, sizeof(*ev));
	ev->ts_ns = d->last_ts;
	ev->pid = -1;
	ev->cpu = cpu;
	ev->name = "";
	if (c->has_lost) {
		ev->type = CT_EV_LOST;
		/* the kernel may flag lost events without a count: at least one */
		ev->u.lost.count = c->lost > 0 ? (uint64_t)c->lost : 1;
		c->has_lost = 0;
		c->lost = 0;
	} else {
		ev->type = CT_EV_PARSE_ERROR;
		ev->u.perr.where = c->perr_where;
		c->has_perr = 0;
	}
}

int ct_pages_next(struct ct_pages *d, uint64_t upto_ns, struct ct_event *ev)
{
	struct pcpu *best = NULL;
	int best_cpu = -1;

	/*
	 * The earliest pending record over the CPUs; a CPU's notice (lost
	 * events, a bad page) goes out when its next record would, as the
	 * trace.dat reader orders them.
	 */
	for (int i = 0; i < d->ncpus; i++) {
		struct pcpu *c = &d->cpu[i];

		if (!c->rec && !c->has_lost && !c->has_perr)
			advance(d, c);
		if ((c->rec || c->has_lost || c->has_perr) && (!best || c->pg.ts < best->pg.ts)) {
			best = c;
			best_cpu = i;
		}
	}
	if (!best || (best->rec && best->pg.ts > upto_ns))
		return 0;
	if (best->has_lost || best->has_perr) {
		notice(d, best, best_cpu, ev);
		return 1;
	}
	{
		const char *why, *comm;
		size_t clen;
		int r = ct_bin_decode(d->meta, best->rec, best->rec_len, ev, &why);

		if (r == -CT_E_NOMEM)
			return r;
		if (r < 0) {
			ev->pid = -1;
			ev->u.perr.where = best->bytes + (uint64_t)(best->rec - best->cur->data);
		} else {
			comm = d->comm ? d->comm(d->comm_ctx, ev->pid) : NULL;
			if (!comm)
				comm = ct_bin_meta_comm(d->meta, ev->pid, &clen);
			else
				clen = strlen(comm);
			ct_bin_copy_name(ev->comm, sizeof(ev->comm), comm, clen);
		}
	}
	ev->ts_ns = best->pg.ts;
	ev->cpu = best_cpu;
	d->last_ts = best->pg.ts;
	/* the record stays valid: its page is retired into d->spare at worst */
	best->rec = NULL;
	return 1;
}
