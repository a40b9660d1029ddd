// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * A per-pfn buddy allocator mirroring one zone's free lists. One byte per
 * pfn: a free block's first pfn holds HEAD | order; every other pfn holds
 * its enum ct_page_state (a free block's tail pages hold TAIL). Finding the
 * block that holds a pfn probes at most one aligned head per order.
 */
#include <stdlib.h>
#include <string.h>

#include "model/buddy.h"
#include "compactrace/error.h"

#define HEAD 0x80
#define TAIL 0x40
#define ORDER_MASK 0x0f
#define MT_UNKNOWN 255
#define NTYPES 9	/* 8 migratetypes and "unknown" */

struct ct_buddy {
	uint64_t start, end;	/* pfns [start, end) */
	int norders, pbo;
	uint8_t *pfn;		/* per pfn, indexed pfn - start */
	uint64_t nblocks;	/* pageblocks, counted from start >> pbo */
	uint32_t *pb_free;	/* free pages per pageblock */
	uint8_t *pb_mt;		/* migratetype per pageblock */
	uint64_t count[NTYPES][CT_BUDDY_MAX_ORDERS];
	uint64_t total[CT_BUDDY_MAX_ORDERS];
	uint64_t free_pages;
};

static uint64_t pb_index(const struct ct_buddy *b, uint64_t pfn)
{
	return (pfn >> b->pbo) - (b->start >> b->pbo);
}

static int type_slot(const struct ct_buddy *b, uint64_t pfn)
{
	int mt = b->pb_mt[pb_index(b, pfn)];

	return mt < NTYPES - 1 ? mt : NTYPES - 1;
}

struct ct_buddy *ct_buddy_new(uint64_t start_pfn, uint64_t end_pfn, int norders, int pageblock_order)
{
	struct ct_buddy *b;

	if (end_pfn <= start_pfn || norders < 1 || norders > CT_BUDDY_MAX_ORDERS ||
	    pageblock_order < 0 || pageblock_order > 20 || end_pfn - start_pfn > (1ULL << 40))
		return NULL;
	b = calloc(1, sizeof(*b));
	if (!b)
		return NULL;
	b->start = start_pfn;
	b->end = end_pfn;
	b->norders = norders;
	b->pbo = pageblock_order;
	b->nblocks = ((end_pfn - 1) >> pageblock_order) - (start_pfn >> pageblock_order) + 1;
	b->pfn = calloc(end_pfn - start_pfn, 1);
	b->pb_free = calloc(b->nblocks, sizeof(*b->pb_free));
	b->pb_mt = malloc(b->nblocks);
	if (!b->pfn || !b->pb_free || !b->pb_mt) {
		ct_buddy_free(b);
		return NULL;
	}
	memset(b->pb_mt, MT_UNKNOWN, b->nblocks);
	return b;
}

void ct_buddy_free(struct ct_buddy *b)
{
	if (!b)
		return;
	free(b->pfn);
	free(b->pb_free);
	free(b->pb_mt);
	free(b);
}

static int inside(const struct ct_buddy *b, uint64_t pfn, int order)
{
	return pfn >= b->start && pfn < b->end && (1ULL << order) <= b->end - pfn;
}

/* Account a free block [pfn, 2^order) entering (+1) or leaving (-1) the lists. */
static void account(struct ct_buddy *b, uint64_t pfn, int order, int sign)
{
	uint64_t n = 1ULL << order, p = pfn;

	if (sign > 0) {
		b->count[type_slot(b, pfn)][order]++;
		b->total[order]++;
		b->free_pages += n;
	} else {
		b->count[type_slot(b, pfn)][order]--;
		b->total[order]--;
		b->free_pages -= n;
	}
	/* a block above pageblock order spans several pageblocks */
	while (p < pfn + n) {
		uint64_t pb_end = ((p >> b->pbo) + 1) << b->pbo, take = pb_end - p;

		if (take > pfn + n - p)
			take = pfn + n - p;
		if (sign > 0)
			b->pb_free[pb_index(b, p)] += (uint32_t)take;
		else
			b->pb_free[pb_index(b, p)] -= (uint32_t)take;
		p += take;
	}
}

static void mark_block(struct ct_buddy *b, uint64_t pfn, int order)
{
	uint64_t n = 1ULL << order;

	b->pfn[pfn - b->start] = (uint8_t)(HEAD | order);
	if (n > 1)
		memset(b->pfn + (pfn - b->start) + 1, TAIL, n - 1);
	account(b, pfn, order, +1);
}

static void unmark_block(struct ct_buddy *b, uint64_t pfn, int order, enum ct_page_state state)
{
	account(b, pfn, order, -1);
	memset(b->pfn + (pfn - b->start), state, 1ULL << order);
}

static int is_head(const struct ct_buddy *b, uint64_t pfn, int order)
{
	return pfn >= b->start && pfn < b->end && b->pfn[pfn - b->start] == (HEAD | order);
}

int ct_buddy_find(const struct ct_buddy *b, uint64_t pfn, uint64_t *head, int *order)
{
	uint8_t v;

	if (pfn < b->start || pfn >= b->end)
		return 0;
	v = b->pfn[pfn - b->start];
	if (!(v & (HEAD | TAIL)))
		return 0;
	for (int o = 0; o < b->norders; o++) {
		uint64_t h = pfn & ~((1ULL << o) - 1);

		if (is_head(b, h, o)) {
			if (head)
				*head = h;
			if (order)
				*order = o;
			return 1;
		}
	}
	return 0;	/* not reached while the invariants hold */
}

enum ct_page_state ct_buddy_state(const struct ct_buddy *b, uint64_t pfn)
{
	uint8_t v;

	if (pfn < b->start || pfn >= b->end)
		return CT_PAGE_HOLE;
	v = b->pfn[pfn - b->start];
	if (v & (HEAD | TAIL))
		return CT_PAGE_FREE;
	return (enum ct_page_state)v;
}

int ct_buddy_set_state(struct ct_buddy *b, uint64_t pfn, enum ct_page_state state)
{
	if (pfn < b->start || pfn >= b->end || state >= CT_PAGE_FREE ||
	    (b->pfn[pfn - b->start] & (HEAD | TAIL)))
		return -CT_E_INVAL;
	b->pfn[pfn - b->start] = (uint8_t)state;
	return 0;
}

int ct_buddy_release(struct ct_buddy *b, uint64_t pfn, int order)
{
	uint64_t n;

	if (order < 0 || order >= b->norders || (pfn & ((1ULL << order) - 1)) || !inside(b, pfn, order))
		return -CT_E_INVAL;
	n = 1ULL << order;
	for (uint64_t i = 0; i < n; i++)
		if (b->pfn[pfn - b->start + i] & (HEAD | TAIL))
			return -CT_E_INVAL;
	while (order < b->norders - 1) {
		uint64_t buddy = pfn ^ (1ULL << order);

		if (!is_head(b, buddy, order) || !inside(b, buddy < pfn ? buddy : pfn, order + 1))
			break;
		unmark_block(b, buddy, order, CT_PAGE_USED);
		if (buddy < pfn)
			pfn = buddy;
		order++;
	}
	mark_block(b, pfn, order);
	return order;
}

long ct_buddy_take(struct ct_buddy *b, uint64_t pfn, int order, enum ct_page_state state)
{
	uint64_t n, end;
	long taken = 0;

	if (order < 0 || order >= CT_BUDDY_MAX_ORDERS || state >= CT_PAGE_FREE || !inside(b, pfn, order))
		return -CT_E_INVAL;
	n = 1ULL << order;
	end = pfn + n;
	for (uint64_t p = pfn; p < end;) {
		uint64_t head, step;
		int k;

		if (!ct_buddy_find(b, p, &head, &k)) {
			b->pfn[p - b->start] = (uint8_t)state;
			p++;
			continue;
		}
		/* split the block down until a piece lies inside [p, end), as expand() does */
		unmark_block(b, head, k, CT_PAGE_USED);
		while (head < p || head + (1ULL << k) > end) {
			uint64_t half;

			k--;
			half = head + (1ULL << k);
			if (p >= half) {
				mark_block(b, head, k);
				head = half;
			} else {
				mark_block(b, half, k);
			}
		}
		step = 1ULL << k;
		memset(b->pfn + (head - b->start), state, step);
		taken += (long)step;
		p = head + step;
	}
	return taken;
}

uint64_t ct_buddy_highest_block(const struct ct_buddy *b, uint64_t lo, uint64_t hi, int order)
{
	const uint8_t *base, *hit;

	if (order < 0 || order >= b->norders || !b->total[order])
		return UINT64_MAX;
	if (lo < b->start)
		lo = b->start;
	if (hi > b->end)
		hi = b->end;
	if (hi <= lo)
		return UINT64_MAX;
	/* a head byte holds HEAD | order: one byte search, from the top down */
	base = b->pfn + (lo - b->start);
	hit = memrchr(base, HEAD | order, hi - lo);
	return hit ? lo + (uint64_t)(hit - base) : UINT64_MAX;
}

void ct_buddy_counts(const struct ct_buddy *b, uint64_t *out)
{
	for (int o = 0; o < b->norders; o++)
		out[o] = b->total[o];
}

void ct_buddy_counts_by_type(const struct ct_buddy *b, int mt, uint64_t *out)
{
	int slot = mt >= 0 && mt < NTYPES - 1 ? mt : NTYPES - 1;

	for (int o = 0; o < b->norders; o++)
		out[o] = b->count[slot][o];
}

uint64_t ct_buddy_free_pages(const struct ct_buddy *b)
{
	return b->free_pages;
}

uint32_t ct_buddy_pageblock_free(const struct ct_buddy *b, uint64_t index)
{
	return index < b->nblocks ? b->pb_free[index] : 0;
}

int ct_buddy_migratetype(const struct ct_buddy *b, uint64_t index)
{
	return index < b->nblocks ? b->pb_mt[index] : MT_UNKNOWN;
}

void ct_buddy_set_migratetype(struct ct_buddy *b, uint64_t index, int mt)
{
	uint64_t first, last;
	int from, to;

	if (index >= b->nblocks)
		return;
	if (mt < 0 || mt >= NTYPES - 1)
		mt = MT_UNKNOWN;
	from = b->pb_mt[index] < NTYPES - 1 ? b->pb_mt[index] : NTYPES - 1;
	to = mt < NTYPES - 1 ? mt : NTYPES - 1;
	b->pb_mt[index] = (uint8_t)mt;
	if (from == to)
		return;
	first = ((b->start >> b->pbo) + index) << b->pbo;
	last = first + (1ULL << b->pbo);
	if (first < b->start)
		first = b->start;
	if (last > b->end)
		last = b->end;
	for (uint64_t p = first; p < last; p++) {
		uint8_t v = b->pfn[p - b->start];

		if (v & HEAD) {
			b->count[from][v & ORDER_MASK]--;
			b->count[to][v & ORDER_MASK]++;
		}
	}
}

int ct_buddy_check(const struct ct_buddy *b)
{
	uint64_t total[CT_BUDDY_MAX_ORDERS] = { 0 }, bytype[NTYPES][CT_BUDDY_MAX_ORDERS];
	uint64_t free_pfns = 0, sum = 0;
	uint32_t *pbf = calloc(b->nblocks, sizeof(*pbf));
	int ret = -CT_E_INVAL;

	memset(bytype, 0, sizeof(bytype));
	if (!pbf)
		return -CT_E_NOMEM;
	for (uint64_t p = b->start; p < b->end;) {
		uint8_t v = b->pfn[p - b->start];
		int o;

		if (v & TAIL)
			goto out;	/* a tail without a head before it: overlap or corruption */
		if (!(v & HEAD)) {
			if (v >= CT_PAGE_FREE)
				goto out;
			p++;
			continue;
		}
		o = v & ORDER_MASK;
		if (o >= b->norders || (p & ((1ULL << o) - 1)) || !inside(b, p, o))
			goto out;
		for (uint64_t i = 1; i < (1ULL << o); i++)
			if (b->pfn[p - b->start + i] != TAIL)
				goto out;
		/* the kernel would have merged a free buddy of the same order */
		if (o < b->norders - 1 && is_head(b, p ^ (1ULL << o), o) &&
		    inside(b, p & ~((2ULL << o) - 1), o + 1))
			goto out;
		total[o]++;
		bytype[type_slot(b, p)][o]++;
		free_pfns += 1ULL << o;
		for (uint64_t i = 0; i < (1ULL << o); i++)
			pbf[pb_index(b, p + i)]++;
		p += 1ULL << o;
	}
	for (int o = 0; o < b->norders; o++) {
		if (total[o] != b->total[o])
			goto out;
		for (int t = 0; t < NTYPES; t++)
			if (bytype[t][o] != b->count[t][o])
				goto out;
		sum += total[o] << o;
	}
	if (sum != free_pfns || sum != b->free_pages)
		goto out;
	for (uint64_t i = 0; i < b->nblocks; i++)
		if (pbf[i] != b->pb_free[i])
			goto out;
	ret = 0;
out:
	free(pbf);
	return ret;
}
