// SPDX-License-Identifier: GPL-2.0-or-later
/* The flight recorder's rolling spool of raw pages (spool.h): a FIFO in memory. */
#include <stdlib.h>
#include <string.h>

#include "compactrace/error.h"
#include "monitor/spool.h"

struct node {
	struct node *next;
	struct ct_spool_page p;
	unsigned char data[];
};

struct ct_spool {
	struct node *head, *tail;
	uint64_t keep_ns, max_bytes;
	uint64_t bytes, pages, dropped_for_size;
	int held;
	uint64_t hold_from;
};

struct ct_spool *ct_spool_new(uint64_t keep_ns, uint64_t max_bytes)
{
	struct ct_spool *s = calloc(1, sizeof(*s));

	if (!s)
		return NULL;
	s->keep_ns = keep_ns;
	s->max_bytes = max_bytes;
	return s;
}

static void drop_head(struct ct_spool *s)
{
	struct node *n = s->head;

	s->head = n->next;
	if (!s->head)
		s->tail = NULL;
	s->bytes -= n->p.len;
	s->pages--;
	free(n);
}

void ct_spool_free(struct ct_spool *s)
{
	if (!s)
		return;
	while (s->head)
		drop_head(s);
	free(s);
}

int ct_spool_add(struct ct_spool *s, int cpu, const void *data, size_t len, uint64_t first_ns, uint64_t read_ns)
{
	struct node *n = malloc(sizeof(*n) + len);

	if (!n)
		return -CT_E_NOMEM;
	n->next = NULL;
	memcpy(n->data, data, len);
	n->p = (struct ct_spool_page){ cpu, first_ns, read_ns, (uint32_t)len, n->data };
	if (s->tail)
		s->tail->next = n;
	else
		s->head = n;
	s->tail = n;
	s->bytes += len;
	s->pages++;
	/* too old: every event on it is older than the window can reach back (unless a capture holds it) */
	while (s->head && s->head != n && s->head->p.read_ns + s->keep_ns < read_ns &&
	       !(s->held && s->head->p.read_ns >= s->hold_from))
		drop_head(s);
	while (s->head && s->head != n && s->bytes > s->max_bytes) {
		s->dropped_for_size++;
		drop_head(s);
	}
	return 0;
}

void ct_spool_hold(struct ct_spool *s, uint64_t from_ns)
{
	s->held = 1;
	s->hold_from = from_ns;
}

void ct_spool_release(struct ct_spool *s)
{
	s->held = 0;
}

int ct_spool_walk(const struct ct_spool *s, uint64_t from_ns, uint64_t to_ns,
		  int (*fn)(void *ctx, const struct ct_spool_page *p), void *ctx)
{
	for (const struct node *n = s->head; n; n = n->next) {
		int ret;

		if (n->p.read_ns < from_ns || n->p.first_ns > to_ns)
			continue;
		ret = fn(ctx, &n->p);
		if (ret < 0)
			return ret;
	}
	return 0;
}

void ct_spool_stats(const struct ct_spool *s, uint64_t *bytes, uint64_t *pages, uint64_t *oldest_ns,
		    uint64_t *dropped_for_size)
{
	*bytes = s->bytes;
	*pages = s->pages;
	*oldest_ns = s->head ? s->head->p.first_ns : 0;
	*dropped_for_size = s->dropped_for_size;
}

uint64_t ct_page_header_ts(const void *page, size_t len)
{
	uint64_t ts = 0;

	if (len >= sizeof(ts))
		memcpy(&ts, page, sizeof(ts));
	return ts;
}
