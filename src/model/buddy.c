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
/*
 * Where the heads of each order are, per window of 2^WIN_SHIFT pfns: a
 * count and a bit per window, so ct_buddy_highest_block() skips the
 * windows without one instead of searching every byte of the zone.
 */
#define WIN_SHIFT 9

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
	uint64_t pb_base, win_base;	/* start >> pbo, start >> WIN_SHIFT */
	uint64_t nwin, win_words;	/* windows, and bitmap words per order */
	uint16_t *win_heads;	/* [order * nwin + window]: free blocks of the order heading there */
	uint64_t *win_bits;	/* [order * win_words + word]: the windows with one */
};

static uint64_t win_index(const struct ct_buddy *b, uint64_t pfn)
{
	return (pfn >> WIN_SHIFT) - (b->start >> WIN_SHIFT);
}

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
	b->pb_base = start_pfn >> pageblock_order;
	b->win_base = start_pfn >> WIN_SHIFT;
	b->nwin = ((end_pfn - 1) >> WIN_SHIFT) - (start_pfn >> WIN_SHIFT) + 1;
	b->win_words = (b->nwin + 63) / 64;
	b->win_heads = calloc(b->nwin * (uint64_t)norders, sizeof(*b->win_heads));
	b->win_bits = calloc(b->win_words * (uint64_t)norders, sizeof(*b->win_bits));
	if (!b->pfn || !b->pb_free || !b->pb_mt || !b->win_heads || !b->win_bits) {
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
	free(b->win_heads);
	free(b->win_bits);
	free(b);
}

static int inside(const struct ct_buddy *b, uint64_t pfn, int order)
{
	return pfn >= b->start && pfn < b->end && (1ULL << order) <= b->end - pfn;
}

/*
 * Account a free block [pfn, 2^order) entering (+1) or leaving (-1) the
 * lists. Inlined with a constant @sign: seeding a fragmented zone does
 * this millions of times.
 */
static inline __attribute__((always_inline)) void account(struct ct_buddy *b, uint64_t pfn, int order, int sign)
{
	uint64_t n = 1ULL << order, p = pfn, w = (pfn >> WIN_SHIFT) - b->win_base;
	uint64_t pb = (pfn >> b->pbo) - b->pb_base;
	uint16_t *heads = &b->win_heads[(uint64_t)order * b->nwin + w];
	uint64_t *bits = &b->win_bits[(uint64_t)order * b->win_words + w / 64];
	int slot = b->pb_mt[pb] < NTYPES - 1 ? b->pb_mt[pb] : NTYPES - 1;

	if (sign > 0) {
		b->count[slot][order]++;
		b->total[order]++;
		b->free_pages += n;
		if ((*heads)++ == 0)
			*bits |= 1ULL << (w % 64);
	} else {
		b->count[slot][order]--;
		b->total[order]--;
		b->free_pages -= n;
		if (--(*heads) == 0)
			*bits &= ~(1ULL << (w % 64));
	}
	if (order <= b->pbo) {	/* inside one pageblock */
		if (sign > 0)
			b->pb_free[pb] += (uint32_t)n;
		else
			b->pb_free[pb] -= (uint32_t)n;
		return;
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

static inline __attribute__((always_inline)) void mark_block(struct ct_buddy *b, uint64_t pfn, int order)
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

/* some pfn of [lo, hi) is in a free block */
static int memchr_free(const struct ct_buddy *b, uint64_t lo, uint64_t hi)
{
	for (uint64_t p = lo; p < hi; p++)
		if (b->pfn[p - b->start] & (HEAD | TAIL))
			return 1;
	return 0;
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

int ct_buddy_release_range(struct ct_buddy *b, uint64_t lo, uint64_t hi)
{
	int ret = 0;

	if (hi <= lo)
		return 0;
	if (lo < b->start || hi > b->end)
		return -CT_E_INVAL;
	if (hi - lo == 1 && (lo & 1) && !(b->pfn[lo - b->start] & (HEAD | TAIL)) &&
	    (lo == b->start || !(b->pfn[lo - 1 - b->start] & (HEAD | TAIL)))) {
		/* an odd pfn alone: its buddy is not free (or below the zone) */
		mark_block(b, lo, 0);
		return 0;
	}
	/* a free neighbour, or a free pfn inside: the kernel's way, one pfn at a time */
	if ((lo > b->start && (b->pfn[lo - 1 - b->start] & (HEAD | TAIL))) ||
	    (hi < b->end && (b->pfn[hi - b->start] & (HEAD | TAIL))) ||
	    memchr_free(b, lo, hi)) {
		for (uint64_t p = lo; p < hi; p++)
			if (ct_buddy_release(b, p, 0) < 0)
				ret = -CT_E_INVAL;
		return ret;
	}
	/*
	 * Freeing the run a pfn at a time, upwards, merges it into the largest
	 * aligned blocks that fit (no two buddies of one order stay apart): put
	 * those down directly.
	 */
	for (uint64_t p = lo; p < hi;) {
		int o = 0;

		while (o + 1 < b->norders && !(p & ((2ULL << o) - 1)) && (2ULL << o) <= hi - p)
			o++;
		mark_block(b, p, o);
		p += 1ULL << o;
	}
	return 0;
}

int ct_buddy_release_singles(struct ct_buddy *b, uint64_t pfn, uint64_t mask)
{
	uint64_t w, pb, k, busy = 0;
	int slot;

	if (pfn % 64 || pfn < b->start || b->end - pfn < 64 || b->pbo < 6 ||
	    (mask & (mask >> 1) & 0x5555555555555555ULL))
		return -CT_E_INVAL;
	for (unsigned i = 0; i < 64; i += 8) {	/* none free yet: no byte with HEAD or TAIL */
		uint64_t x;

		memcpy(&x, b->pfn + (pfn - b->start) + i, 8);
		busy |= x;
	}
	if (busy & 0xc0c0c0c0c0c0c0c0ULL)
		return -CT_E_INVAL;
	if (!mask)
		return 0;
	/* one pageblock, one window: the counters move once for the lot */
	k = (uint64_t)__builtin_popcountll(mask);
	for (uint64_t m = mask; m; m &= m - 1)
		b->pfn[pfn - b->start + (uint64_t)__builtin_ctzll(m)] = HEAD;
	pb = (pfn >> b->pbo) - b->pb_base;
	w = (pfn >> WIN_SHIFT) - b->win_base;
	slot = b->pb_mt[pb] < NTYPES - 1 ? b->pb_mt[pb] : NTYPES - 1;
	b->count[slot][0] += k;
	b->total[0] += k;
	b->free_pages += k;
	b->pb_free[pb] += (uint32_t)k;
	if (b->win_heads[w] == 0)
		b->win_bits[w / 64] |= 1ULL << (w % 64);
	b->win_heads[w] = (uint16_t)(b->win_heads[w] + k);
	return 0;
}

uint64_t ct_buddy_count_state(const struct ct_buddy *b, uint64_t lo, uint64_t hi, enum ct_page_state state)
{
	const uint64_t ones = 0x0101010101010101ULL, low7 = 0x7f7f7f7f7f7f7f7fULL;
	uint64_t n = 0, p, pat = ones * (uint8_t)state;

	if (state >= CT_PAGE_FREE)
		return 0;
	if (lo < b->start)
		lo = b->start;
	if (hi > b->end)
		hi = b->end;
	for (p = lo; p < hi && (p - b->start) % 8; p++)
		n += b->pfn[p - b->start] == state;
	for (; p + 8 <= hi; p += 8) {
		uint64_t x, t;

		memcpy(&x, b->pfn + (p - b->start), 8);
		x ^= pat;	/* the bytes equal to @state are now zero: count them */
		t = ((x & low7) + low7) | x;
		n += (((~t & ~low7) >> 7) * ones) >> 56;
	}
	for (; p < hi; p++)
		n += b->pfn[p - b->start] == state;
	return n;
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
	const uint64_t *bits;
	uint64_t first;

	if (order < 0 || order >= b->norders || !b->total[order])
		return UINT64_MAX;
	if (lo < b->start)
		lo = b->start;
	if (hi > b->end)
		hi = b->end;
	if (hi <= lo)
		return UINT64_MAX;
	/* the windows that hold a head of @order, from the top down; a head byte holds HEAD | order */
	bits = &b->win_bits[(uint64_t)order * b->win_words];
	first = win_index(b, lo);
	for (uint64_t w = win_index(b, hi - 1) + 1; w-- > first;) {
		uint64_t word = bits[w / 64] & (~0ULL >> (63 - w % 64)), a, e;

		if (!word) {	/* none in this word's windows up to @w: the word below */
			w -= w % 64;
			continue;
		}
		w = w - w % 64 + 63 - (uint64_t)__builtin_clzll(word);
		if (w < first)
			break;
		a = ((b->start >> WIN_SHIFT) + w) << WIN_SHIFT;
		e = a + (1ULL << WIN_SHIFT);
		a = a < lo ? lo : a;
		e = e > hi ? hi : e;
		base = b->pfn + (a - b->start);
		hit = memrchr(base, HEAD | order, e - a);
		if (hit)
			return a + (uint64_t)(hit - base);
	}
	return UINT64_MAX;
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
	uint16_t *heads = calloc(b->nwin * (uint64_t)b->norders, sizeof(*heads));
	int ret = -CT_E_INVAL;

	memset(bytype, 0, sizeof(bytype));
	if (!pbf || !heads) {
		free(pbf);
		free(heads);
		return -CT_E_NOMEM;
	}
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
		heads[(uint64_t)o * b->nwin + win_index(b, p)]++;
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
	/* the window index ct_buddy_highest_block() searches by */
	for (uint64_t i = 0; i < b->nwin * (uint64_t)b->norders; i++) {
		uint64_t o = i / b->nwin, w = i % b->nwin;

		if (heads[i] != b->win_heads[i] ||
		    !!heads[i] != !!(b->win_bits[o * b->win_words + w / 64] & (1ULL << (w % 64))))
			goto out;
	}
	ret = 0;
out:
	free(pbf);
	free(heads);
	return ret;
}
