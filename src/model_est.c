// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The estimated free state of a zone, for traces without kmem page events.
 *
 * Each pageblock an event touches gets two bitmaps: "free" (in the buddy
 * free lists) and "held" (isolated by a compaction run, or on a modelled
 * per-CPU list). Free-block counts are the canonical buddy decomposition of
 * the free bitmap: the kernel merges every free block with its free buddy,
 * so a set of free pfns has exactly one block structure. Pageblocks no
 * event has touched are not modelled one by one: their free blocks stay in
 * a zone-level pool per order. A pageblock is materialized from the pool
 * when an event first touches it, with as many free pages as the evidence
 * says, placed as the kernel's scanners would find them.
 *
 * The pool is the inventory of free blocks no materialized pageblock holds:
 * materializing draws blocks from it, and when an event shows a guess was
 * wrong, the pages go back to it or come from it, so free pages are never
 * made or lost by guessing. Free-block counts are the pool plus the
 * bitmaps' canonical counts; where the guessed placement merges pages the
 * truth did not, the counts show it until the pageblock fills or empties.
 */
#include <stdlib.h>
#include <string.h>

#include "compactrace/error.h"
#include "model_internal.h"

#define NO_PFN UINT64_MAX

/* ---- bitmaps ------------------------------------------------------------ */

static uint64_t *fw(const struct mzone *z, uint64_t b)
{
	return z->freeb + b * z->wpb;
}

static uint64_t *hw(const struct mzone *z, uint64_t b)
{
	return z->heldb + b * z->wpb;
}

static int bit(const uint64_t *w, uint32_t i)
{
	return (w[i / 64] >> (i % 64)) & 1;
}

/* The mask of bits [lo, hi) of one word; 0 <= lo < hi <= 64. */
static uint64_t word_mask(uint32_t lo, uint32_t hi)
{
	uint64_t m = hi == 64 ? ~0ULL : (1ULL << hi) - 1;

	return m & ~((1ULL << lo) - 1);
}

/* The bits of word @wi inside [lo, hi). */
static uint64_t range_mask(uint32_t wi, uint32_t lo, uint32_t hi)
{
	uint32_t a = wi * 64, e = a + 64;

	if (hi <= a || lo >= e)
		return 0;
	return word_mask(lo > a ? lo - a : 0, hi < e ? hi - a : 64);
}

static void set_bits(uint64_t *w, uint32_t off, uint32_t n)
{
	uint64_t m;

	for (uint32_t i = off / 64, end = off + n; n && i <= (end - 1) / 64; i++) {
		m = word_mask(i == off / 64 ? off % 64 : 0, i == (end - 1) / 64 ? (end - 1) % 64 + 1 : 64);
		w[i] |= m;
	}
}

static void clear_bits(uint64_t *w, uint32_t off, uint32_t n)
{
	uint64_t m;

	for (uint32_t i = off / 64, end = off + n; n && i <= (end - 1) / 64; i++) {
		m = word_mask(i == off / 64 ? off % 64 : 0, i == (end - 1) / 64 ? (end - 1) % 64 + 1 : 64);
		w[i] &= ~m;
	}
}

static int bits_zero(const uint64_t *w, uint32_t off, uint32_t n)
{
	uint64_t m;

	for (uint32_t i = off / 64, end = off + n; n && i <= (end - 1) / 64; i++) {
		m = word_mask(i == off / 64 ? off % 64 : 0, i == (end - 1) / 64 ? (end - 1) % 64 + 1 : 64);
		if (w[i] & m)
			return 0;
	}
	return 1;
}

static int bits_one(const uint64_t *w, uint32_t off, uint32_t n)
{
	uint64_t m;

	for (uint32_t i = off / 64, end = off + n; n && i <= (end - 1) / 64; i++) {
		m = word_mask(i == off / 64 ? off % 64 : 0, i == (end - 1) / 64 ? (end - 1) % 64 + 1 : 64);
		if ((w[i] & m) != m)
			return 0;
	}
	return 1;
}

/* without -mpopcnt __builtin_popcountll is a library call: this is quicker */
static uint32_t popcount64(uint64_t x)
{
	x -= (x >> 1) & 0x5555555555555555ULL;
	x = (x & 0x3333333333333333ULL) + ((x >> 2) & 0x3333333333333333ULL);
	x = (x + (x >> 4)) & 0x0f0f0f0f0f0f0f0fULL;
	return (uint32_t)((x * 0x0101010101010101ULL) >> 56);
}

static uint32_t popcount_block(const uint64_t *w, uint32_t wpb)
{
	uint32_t n = 0;

	for (uint32_t i = 0; i < wpb; i++)
		n += popcount64(w[i]);
	return n;
}

/* The first set bit of @w in [i, hi), or hi. */
static uint32_t next_set(const uint64_t *w, uint32_t i, uint32_t hi)
{
	while (i < hi) {
		uint64_t x = w[i / 64] >> (i % 64);

		if (x) {
			i += (uint32_t)__builtin_ctzll(x);
			return i < hi ? i : hi;
		}
		i = (i / 64 + 1) * 64;
	}
	return hi;
}

/* The first pfn of pageblock @b and the part of it inside the zone: [lo, hi) offsets. */
static uint64_t block_pfn(const struct ct_model *m, const struct mzone *z, uint64_t b)
{
	return (z->pb0 + b) << m->pbo;
}

static void block_valid(const struct ct_model *m, const struct mzone *z, uint64_t b,
			uint32_t *lo, uint32_t *hi)
{
	uint64_t first = block_pfn(m, z, b), last = first + m->pb_pages;

	*lo = (uint32_t)(z->start > first ? z->start - first : 0);
	*hi = (uint32_t)(z->end < last ? z->end - first : m->pb_pages);
}

/* ---- canonical counts ---------------------------------------------------- */

/* Aligned 2^o slots of @w that are entirely set, for o = 0..pbo, into @full. */
static void full_slots(const uint64_t *w, uint32_t wpb, int pbo, uint32_t *full)
{
	static const uint64_t align_mask[7] = {
		~0ULL, 0x5555555555555555ULL, 0x1111111111111111ULL, 0x0101010101010101ULL,
		0x0001000100010001ULL, 0x0000000100000001ULL, 0x1ULL,
	};
	uint32_t bits = 1u << pbo;

	for (int o = 0; o <= pbo; o++) {
		uint32_t n = 0;

		if (o <= 6) {
			for (uint32_t i = 0; i < wpb; i++) {
				uint64_t g = w[i];

				if (bits < 64)
					g &= (1ULL << bits) - 1;
				for (int j = 0; j < o; j++)
					g &= g >> (1u << j);
				n += popcount64(g & align_mask[o]);
			}
		} else {
			uint32_t per = 1u << (o - 6);

			for (uint32_t i = 0; i < wpb; i += per) {
				uint32_t k = 0;

				while (k < per && w[i + k] == ~0ULL)
					k++;
				n += k == per;
			}
		}
		full[o] = n;
	}
}

/* Is pageblock @b (absolute number @abs) part of a fully free aligned group at level @lvl? */
static int group_full(const struct ct_model *m, const struct mzone *z, uint64_t abs, int lvl)
{
	uint64_t n = 1ULL << (lvl - m->pbo), first = abs & ~(n - 1);

	if (first < z->pb0 || first + n > z->pb0 + z->npb)
		return 0;
	for (uint64_t i = 0; i < n; i++)
		if (!(z->pb[first + i - z->pb0].flags & PB_WHOLE))
			return 0;
	return 1;
}

static void set_whole(struct ct_model *m, struct mzone *z, uint64_t b, int whole)
{
	int before[MAX_ORDERS + 1], after;
	uint64_t abs = z->pb0 + b;

	if (!!(z->pb[b].flags & PB_WHOLE) == !!whole)
		return;
	for (int l = m->pbo; l < m->norders; l++)
		before[l] = group_full(m, z, abs, l);
	if (whole)
		z->pb[b].flags |= PB_WHOLE;
	else
		z->pb[b].flags &= (uint8_t)~PB_WHOLE;
	for (int l = m->pbo; l < m->norders; l++) {
		after = group_full(m, z, abs, l);
		z->full[l] += after - before[l];
	}
}

/* The canonical counts of a pageblock's free bitmap: [o] blocks of order o < pbo, [pbo] whole. */
static void canon(const struct ct_model *m, const struct mzone *z, uint64_t b, int32_t *out)
{
	uint32_t full[MAX_ORDERS + 1];

	full_slots(fw(z, b), z->wpb, m->pbo, full);
	for (int o = 0; o < m->pbo; o++)
		out[o] = (int32_t)(full[o] - 2 * full[o + 1]);
	out[m->pbo] = (int32_t)full[m->pbo];
}

/* After a change of pageblock @b whose counts were @before: account the difference. */
static void block_recount(struct ct_model *m, struct mzone *z, uint64_t b, const int32_t *before)
{
	int32_t after[MAX_ORDERS + 1];
	uint32_t lo, hi;

	canon(m, z, b, after);
	for (int o = 0; o < m->pbo; o++)
		z->small[o] += after[o] - before[o];
	block_valid(m, z, b, &lo, &hi);
	set_whole(m, z, b, after[m->pbo] == 1 && lo == 0 && hi == m->pb_pages);
}

/* Is the aligned slot of 2^@o bits at @off entirely set? */
static int slot_full(const uint64_t *w, uint32_t off, int o)
{
	if (o < 6) {
		uint64_t mask = ((1ULL << (1u << o)) - 1) << (off % 64);

		return (w[off / 64] & mask) == mask;
	}
	for (uint32_t i = off / 64; i < (off + (1u << o)) / 64; i++)
		if (w[i] != ~0ULL)
			return 0;
	return 1;
}

/* One more (@d = 1) or one fewer (-1) free block of order @o in pageblock @b. */
static void count_delta(struct ct_model *m, struct mzone *z, uint64_t b, int o, int d)
{
	uint32_t lo, hi;

	if (o < m->pbo) {
		z->small[o] += d;
		return;
	}
	block_valid(m, z, b, &lo, &hi);
	set_whole(m, z, b, d > 0 && lo == 0 && hi == m->pb_pages);
}

/*
 * Set (or clear) the aligned 2^@k pages at @off of pageblock @b in the free
 * bitmap, and update the counts. The usual cases cost O(orders): freeing a
 * block none of whose pages is free merges it with each free buddy up the
 * levels, as __free_one_page() does; taking a block out of a larger free
 * block leaves that block's other halves free, as expand() does. Anything
 * else recounts the pageblock.
 */
static void fchange(struct ct_model *m, struct mzone *z, uint64_t b, uint32_t off, int k, int set)
{
	uint64_t *w = fw(z, b);
	int32_t before[MAX_ORDERS + 1];
	int pbo = m->pbo;

	if (off & ((1u << k) - 1))
		goto recount;	/* not a block: no kernel event moves one, but bad input might */
	if (set && bits_zero(w, off, 1u << k)) {
		uint32_t s = off;
		int top = k;

		set_bits(w, off, 1u << k);
		while (top < pbo && slot_full(w, s ^ (1u << top), top)) {
			z->small[top]--;	/* the buddy was a free block of this order */
			s &= ~(1u << top);
			top++;
		}
		count_delta(m, z, b, top, +1);
		return;
	}
	if (!set && bits_one(w, off, 1u << k)) {
		int top = k;

		while (top < pbo && slot_full(w, off & ~((2u << top) - 1), top + 1))
			top++;
		count_delta(m, z, b, top, -1);
		for (int j = k; j < top; j++)
			z->small[j]++;	/* the halves left free */
		clear_bits(w, off, 1u << k);
		return;
	}
recount:
	canon(m, z, b, before);
	if (set)
		set_bits(w, off, 1u << k);
	else
		clear_bits(w, off, 1u << k);
	block_recount(m, z, b, before);
}

/* Aligned 2^o-bit slots of word @x that are entirely set, for o = 0..6, into @full. */
static void word_full(uint64_t x, int32_t *full)
{
	static const uint64_t align[7] = {
		~0ULL, 0x5555555555555555ULL, 0x1111111111111111ULL, 0x0101010101010101ULL,
		0x0001000100010001ULL, 0x0000000100000001ULL, 0x1ULL,
	};

	for (int o = 0; o <= 6; o++) {
		full[o] = (int32_t)popcount64(x & align[o]);
		if (o < 6)
			x &= x >> (1u << o);
	}
}

/*
 * Set (or clear) @bits of word @wi of pageblock @b's free bitmap: the
 * pages one migration step moves. The counts change only in the slots of
 * this word and, when it is or becomes entirely free, its ancestors.
 */
static void fword(struct ct_model *m, struct mzone *z, uint64_t b, uint32_t wi, uint64_t bits, int set)
{
	uint64_t *w = fw(z, b), old = w[wi];
	int pbo = m->pbo;
	int32_t before[7], after[7], dfull[MAX_ORDERS + 2] = { 0 };
	uint32_t base = wi * 64;
	int anc;

	if (!bits)
		return;
	if (pbo < 6) {	/* small pageblocks: the general path */
		int32_t was[MAX_ORDERS + 1];

		canon(m, z, b, was);
		w[wi] = set ? old | bits : old & ~bits;
		block_recount(m, z, b, was);
		return;
	}
	word_full(old, before);
	/* a slot above a word is full only if this word is: look only then */
	anc = old == ~0ULL || (set ? (old | bits) : (old & ~bits)) == ~0ULL;
	for (int o = 7; anc && o <= pbo; o++)
		dfull[o] = -slot_full(w, base & ~((1u << o) - 1), o);
	w[wi] = set ? old | bits : old & ~bits;
	word_full(w[wi], after);
	for (int o = 0; o <= 6; o++)
		dfull[o] = after[o] - before[o];
	for (int o = 7; anc && o <= pbo; o++)
		dfull[o] += slot_full(w, base & ~((1u << o) - 1), o);
	for (int o = 0; o < pbo; o++)
		z->small[o] += dfull[o] - 2 * dfull[o + 1];
	if (dfull[pbo]) {
		uint32_t lo, hi;

		block_valid(m, z, b, &lo, &hi);
		set_whole(m, z, b, dfull[pbo] > 0 && lo == 0 && hi == m->pb_pages);
	}
}

/* The lowest @k set bits of @x. */
static uint64_t lowest_bits(uint64_t x, uint64_t k)
{
	uint32_t lo = 0, hi = 64;

	if (popcount64(x) <= k)
		return x;
	if (!k)
		return 0;
	/* the shortest prefix holding k of them */
	while (hi - lo > 1) {
		uint32_t mid = (lo + hi) / 2;

		if (popcount64(x & ((1ULL << mid) - 1)) >= k)
			hi = mid;
		else
			lo = mid;
	}
	return x & (hi == 64 ? ~0ULL : (1ULL << hi) - 1);
}

/* The counts held by materialized pageblocks (no pool). */
static void struct_counts(const struct ct_model *m, const struct mzone *z, int64_t *out)
{
	for (int o = 0; o < m->norders; o++) {
		if (o < m->pbo)
			out[o] = z->small[o];
		else
			out[o] = z->full[o] - (o + 1 < m->norders ? 2 * z->full[o + 1] : 0);
	}
}

void est_counts(const struct ct_model *m, const struct mzone *z, int64_t *out)
{
	struct_counts(m, z, out);
	for (int o = 0; o < m->norders; o++)
		out[o] += z->pool[o];
}

/* Keep the zone's counts through a change that only refines the guess. */
static void keep_totals_begin(const struct ct_model *m, const struct mzone *z, int64_t *before)
{
	struct_counts(m, z, before);
}

static void keep_totals_end(const struct ct_model *m, struct mzone *z, const int64_t *before)
{
	int64_t after[MAX_ORDERS];

	struct_counts(m, z, after);
	for (int o = 0; o < m->norders; o++)
		z->pool[o] += before[o] - after[o];
	for (int o = 0; o < m->norders; o++)
		if (z->pool[o] < 0)
			z->pool_overdrawn++;
}

/* ---- the pool ------------------------------------------------------------ */

/* Free pages an unmaterialized, not entirely free pageblock holds on average. */
static uint32_t pool_average(const struct ct_model *m, const struct mzone *z)
{
	uint64_t pages = 0, whole = 0, left;

	for (int o = 0; o < m->norders; o++) {
		if (z->pool[o] <= 0)
			continue;
		if (o < m->pbo)
			pages += (uint64_t)z->pool[o] << o;
		else
			whole += (uint64_t)z->pool[o] << (o - m->pbo);
	}
	left = z->npb > z->materialized ? z->npb - z->materialized : 0;
	left = left > whole ? left - whole : 0;
	if (!left)
		return 0;
	pages /= left;
	return (uint32_t)(pages < m->pb_pages ? pages : m->pb_pages - 1);
}

/* Split @f free pages into blocks of orders < pbo in the pool's proportions. */
static void pool_pieces(const struct ct_model *m, const struct mzone *z, uint32_t f, uint32_t *pieces)
{
	uint64_t avail[MAX_ORDERS], total = 0, rem = f;

	memset(pieces, 0, sizeof(*pieces) * (size_t)m->pbo);
	for (int o = 0; o < m->pbo; o++) {
		avail[o] = z->pool[o] > 0 ? (uint64_t)z->pool[o] : 0;
		total += avail[o] << o;
	}
	if (total) {
		/* one division: this runs for every isolation of a pooled pageblock */
		double share = (double)f / (double)total;

		for (int o = m->pbo - 1; o >= 0; o--) {
			uint64_t want = (uint64_t)((double)(avail[o] << o) * share) >> o;

			if (want > avail[o])
				want = avail[o];
			if (want > rem >> o)
				want = rem >> o;
			pieces[o] = (uint32_t)want;
			rem -= want << o;
		}
		/* the rounding's remainder from the smallest blocks up: they are the most plentiful */
		for (int o = 0; o < m->pbo && rem; o++) {
			uint64_t more = avail[o] - pieces[o];

			if (more > rem >> o)
				more = rem >> o;
			pieces[o] += (uint32_t)more;
			rem -= more << o;
		}
	}
	pieces[0] += (uint32_t)rem;	/* the pool has too few: its counts go negative, noted */
}

/* Take drawn blocks out of the pool (it may go negative: more free pages placed than it had). */
static void pool_take(struct ct_model *m, struct mzone *z, const uint32_t *pieces)
{
	for (int o = 0; o < m->pbo; o++) {
		z->pool[o] -= pieces[o];
		if (z->pool[o] < 0 && pieces[o])
			z->pool_overdrawn += pieces[o];
	}
}

/*
 * Place free blocks in an empty part of a pageblock, largest first, each at
 * the lowest aligned slot whose pages and whose buddy's pages are neither
 * free nor held: the blocks then cannot merge, so the bitmap's canonical
 * decomposition is exactly these blocks. What finds no slot stays in
 * @pieces (splitting it would change the counts the pool holds). Returns
 * the pages placed.
 */
static uint32_t place(const struct ct_model *m, struct mzone *z, uint64_t b, uint32_t *pieces)
{
	uint64_t *f = fw(z, b), *h = hw(z, b);
	uint32_t lo, hi, placed = 0;

	block_valid(m, z, b, &lo, &hi);
	for (int o = m->pbo - 1; o >= 0; o--) {
		uint32_t size = 1u << o, slots = (uint32_t)(m->pb_pages >> o), s = 0;

		if (o == 0 && m->pb_pages >= 64) {
			/* single pages: the first page of each pair with nothing free or held, word by word */
			for (uint32_t wi = lo / 64; pieces[0] && wi <= (hi - 1) / 64; wi++) {
				uint64_t y = f[wi] | h[wi];
				uint64_t cand = ~(y | (y >> 1)) & 0x5555555555555555ULL & range_mask(wi, lo, hi);
				uint64_t sel = lowest_bits(cand, pieces[0]);

				f[wi] |= sel;
				placed += popcount64(sel);
				pieces[0] -= popcount64(sel);
			}
			break;
		}
		while (pieces[o]) {
			for (; s < slots; s++) {
				uint32_t off = s * size, boff = (s ^ 1) * size;

				if (off < lo || off + size > hi)
					continue;
				if (bits_zero(f, off, size) && bits_zero(h, off, size) &&
				    bits_zero(f, boff, size) && bits_zero(h, boff, size))
					break;
			}
			if (s == slots)
				break;
			set_bits(f, s * size, size);
			placed += size;
			pieces[o]--;
			s++;
		}
	}
	return placed;
}

/*
 * Free @n single pages inside [lo, hi) of pageblock @b: first the first
 * page of each empty pair (pages that do not merge), then the rest.
 * Returns the pages placed.
 */
static uint32_t place_in_range(struct ct_model *m, struct mzone *z, uint64_t b, uint32_t n,
			       uint32_t lo, uint32_t hi, int count)
{
	uint64_t *f = fw(z, b), *h = hw(z, b);
	uint32_t placed = 0;

	for (int pass = 0; pass < 2 && placed < n; pass++) {
		for (uint32_t wi = lo / 64; hi > lo && wi <= (hi - 1) / 64 && placed < n; wi++) {
			uint64_t y = f[wi] | h[wi];
			uint64_t cand = (pass ? ~y : ~(y | (y >> 1)) & 0x5555555555555555ULL) & range_mask(wi, lo, hi);
			uint64_t sel = lowest_bits(cand, n - placed);

			if (count)
				fword(m, z, b, wi, sel, 1);
			else
				f[wi] |= sel;
			placed += popcount64(sel);
		}
	}
	return placed;
}

/* Where an event says free pages are: a block (an extfrag fallback) or pages in a range. */
struct mat_hint {
	uint64_t pfn;		/* NO_PFN: no block */
	int order;
	uint32_t lo, hi, pages;	/* @pages free pages in [lo, hi); 0: none */
};

/*
 * Materialize pageblock @b with @f free pages (all of it when @f covers the
 * part inside the zone), those @hint names where it says, the rest drawn
 * from the pool and placed as the scanners would find them.
 */
static void materialize(struct ct_model *m, struct mzone *z, uint64_t b, uint32_t f,
			const struct mat_hint *hint)
{
	struct mblock *pb = &z->pb[b];
	int64_t before[MAX_ORDERS];
	int32_t was[MAX_ORDERS + 1];
	uint32_t lo, hi, pieces[MAX_ORDERS];
	uint64_t hint_pfn = hint ? hint->pfn : NO_PFN;
	int hint_order = hint ? hint->order : -1;

	if (pb->flags & PB_MATERIALIZED)
		return;
	block_valid(m, z, b, &lo, &hi);
	memset(was, 0, sizeof(was));	/* nothing placed yet: nothing counted */
	if (f >= hi - lo || (hint_pfn != NO_PFN && hint_order >= m->pbo)) {
		/* an entirely free pageblock: the pool gives what its merges with its neighbours make */
		keep_totals_begin(m, z, before);
		set_bits(fw(z, b), lo, hi - lo);
		block_recount(m, z, b, was);
		keep_totals_end(m, z, before);
		z->pages_guessed += hi - lo;
	} else {
		if (hint_pfn != NO_PFN && hint_order >= 0) {
			uint32_t off = (uint32_t)((hint_pfn & ~((1ULL << hint_order) - 1)) - block_pfn(m, z, b));

			if (off >= lo && off + (1u << hint_order) <= hi && f >= (1u << hint_order)) {
				memset(pieces, 0, sizeof(pieces));
				pieces[hint_order] = 1;
				pool_take(m, z, pieces);
				set_bits(fw(z, b), off, 1u << hint_order);
				f -= 1u << hint_order;
			}
		}
		if (hint && hint->pages) {
			uint32_t n = place_in_range(m, z, b, hint->pages < f ? hint->pages : f, hint->lo, hint->hi, 0);

			memset(pieces, 0, sizeof(pieces));
			pieces[0] = n;
			pool_take(m, z, pieces);
			f -= n;
			z->pages_guessed += n;
		}
		pool_pieces(m, z, f, pieces);
		pool_take(m, z, pieces);
		z->pages_guessed += place(m, z, b, pieces);
		for (int o = 0; o < m->pbo; o++)
			z->pool[o] += pieces[o];	/* found no place: still somewhere else */
		block_recount(m, z, b, was);
	}
	pb->flags |= PB_MATERIALIZED;
	z->materialized++;
}

/* Materialize during the replay: the placement is a guess events may correct. */
static void materialize_guess(struct ct_model *m, struct mzone *z, uint64_t b, uint32_t f,
			      const struct mat_hint *hint)
{
	materialize(m, z, b, f, hint);
	z->pb[b].flags |= PB_GUESSED;
}

/* ---- per-CPU lists ---------------------------------------------------------- */

static struct pcp_list *pcp_of(struct mzone *z, int cpu)
{
	if (!z->pcp || !z->ncpu)
		return NULL;
	if (cpu < 0)
		cpu = 0;
	return &z->pcp[(uint32_t)cpu % z->ncpu];
}

/* A block leaves the held state into the buddy free lists. */
static void to_buddy(struct ct_model *m, struct mzone *z, uint64_t pfn, int order)
{
	uint64_t b;
	uint32_t off;

	if (pfn == NO_PFN) {
		z->pool[order]++;
		return;
	}
	if (pfn < z->start || pfn >= z->end)
		return;
	b = pb_of(m, z, pfn);
	if (order >= m->pbo) {	/* a whole pageblock or more: every block it covers */
		for (uint64_t i = 0; i < (1ULL << (order - m->pbo)) && b + i < z->npb; i++) {
			int32_t was[MAX_ORDERS + 1];
			uint32_t lo, hi;

			canon(m, z, b + i, was);
			block_valid(m, z, b + i, &lo, &hi);
			clear_bits(hw(z, b + i), lo, hi - lo);
			set_bits(fw(z, b + i), lo, hi - lo);
			block_recount(m, z, b + i, was);
		}
		return;
	}
	off = (uint32_t)(pfn - block_pfn(m, z, b));
	clear_bits(hw(z, b), off, 1u << order);
	fchange(m, z, b, off, order, 1);
}

/* Pages of an entry leave the held state into the buddy free lists. */
static void entry_to_buddy(struct ct_model *m, struct mzone *z, const struct pcp_entry *e)
{
	uint64_t b;
	uint32_t wi;

	if (!e->mask) {
		to_buddy(m, z, e->pfn, e->order);
		return;
	}
	if (e->pfn == NO_PFN) {	/* single pages of no known place: back to the pool */
		z->pool[0] += popcount64(e->mask);
		return;
	}
	b = pb_of(m, z, e->pfn);
	wi = (uint32_t)(e->pfn - block_pfn(m, z, b)) / 64;
	hw(z, b)[wi] &= ~e->mask;
	fword(m, z, b, wi, e->mask, 1);
}

static void pcp_pop_to_buddy(struct ct_model *m, struct mzone *z, struct pcp_list *l, uint64_t pages)
{
	while (pages && l->pages) {
		if (l->unknown) {
			uint64_t n = l->unknown < pages ? l->unknown : pages;

			/* freed before the trace began, somewhere in the zone: order-0 pages */
			z->pool[0] += (int64_t)n;
			l->unknown -= n;
			l->pages -= n;
			pages -= n;
			continue;
		}
		if (!l->len)
			break;
		{
			struct pcp_entry e = l->q[l->head];
			uint64_t n = entry_pages(&e);

			l->head = (l->head + 1) % l->cap;
			l->len--;
			l->pages -= n;
			pages = pages > n ? pages - n : 0;
			entry_to_buddy(m, z, &e);
		}
	}
}

/*
 * Free pages to the per-CPU list of @cpu: when the list passes its high
 * mark, free_pcppages_bulk() returns a batch of the oldest pages to the
 * buddy lists. Without zoneinfo there is no list: the pages go straight to
 * the buddy lists, as do blocks of orders the lists do not take.
 */
static int pcp_push(struct ct_model *m, struct mzone *z, int cpu, struct pcp_entry e)
{
	struct pcp_list *l = pcp_of(z, cpu);

	if (!l || (!e.mask && e.order > PAGE_ALLOC_COSTLY_ORDER && e.order != m->pbo)) {
		entry_to_buddy(m, z, &e);
		return 0;
	}
	if (l->len == l->cap) {
		uint32_t ncap = l->cap ? l->cap * 2 : 1024;
		struct pcp_entry *nq = malloc(ncap * sizeof(*nq));

		if (!nq) {
			m->nomem = 1;
			entry_to_buddy(m, z, &e);
			return -CT_E_NOMEM;
		}
		for (uint32_t i = 0; i < l->len; i++)
			nq[i] = l->q[(l->head + i) % l->cap];
		free(l->q);
		l->q = nq;
		l->head = 0;
		l->cap = ncap;
	}
	l->q[(l->head + l->len) % l->cap] = e;
	l->len++;
	l->pages += entry_pages(&e);
	if (l->pages > l->high) {
		uint64_t target = l->high > l->batch ? l->high - l->batch : 0;

		pcp_pop_to_buddy(m, z, l, l->pages - target);
	}
	return 0;
}

/*
 * vmstat work drains every CPU's lists towards high_min each second
 * (decay_pcp_high()), untraced: before the model is compared with the end
 * snapshot, each list is drained, oldest first, to the size zoneinfo
 * reported for that CPU at the end. Returns the pages drained.
 */
uint64_t est_pcp_settle(struct ct_model *m, struct mzone *z, const struct ct_memsnap_zone *end)
{
	uint64_t drained = 0;

	if (!z->pcp || !end || !end->has_zoneinfo || end->pcp_cpus != z->ncpu)
		return 0;
	for (uint32_t i = 0; i < z->ncpu; i++) {
		struct pcp_list *l = &z->pcp[i];
		uint64_t want = i < CT_MEMSNAP_PCP_CPUS ? end->pcp[i].count : end->pcp_count / end->pcp_cpus;

		if (l->pages > want) {
			drained += l->pages - want;
			pcp_pop_to_buddy(m, z, l, l->pages - want);
		}
	}
	return drained;
}

void est_pcp_drain_cpu(struct ct_model *m, struct mzone *z, int cpu)
{
	struct pcp_list *l = pcp_of(z, cpu);

	if (l)
		pcp_pop_to_buddy(m, z, l, l->pages);
}

uint64_t est_pcp_pages(const struct mzone *z)
{
	uint64_t n = 0;

	for (uint32_t i = 0; z->pcp && i < z->ncpu; i++)
		n += z->pcp[i].pages;
	return n;
}

/* ---- setup ---------------------------------------------------------------- */

int est_init(struct ct_model *m, struct mzone *z)
{
	const struct ct_memsnap_zone *s = z->snap_start;

	z->wpb = (uint32_t)((m->pb_pages + 63) / 64);
	z->freeb = calloc(z->npb * z->wpb, sizeof(uint64_t));
	z->heldb = calloc(z->npb * z->wpb, sizeof(uint64_t));
	if (!z->freeb || !z->heldb)
		return -CT_E_NOMEM;
	if (z->seeded)
		for (int o = 0; o < m->norders; o++)
			z->pool[o] = (int64_t)z->seed[o];
	if (s && s->has_zoneinfo && s->pcp_cpus) {
		z->ncpu = s->pcp_cpus;
		z->pcp = calloc(z->ncpu, sizeof(*z->pcp));
		if (!z->pcp)
			return -CT_E_NOMEM;
		for (uint32_t i = 0; i < z->ncpu; i++) {
			struct pcp_list *l = &z->pcp[i];

			if (i < CT_MEMSNAP_PCP_CPUS && s->pcp_cpus <= CT_MEMSNAP_PCP_CPUS) {
				l->unknown = s->pcp[i].count;
				l->high = s->pcp[i].high;
				l->batch = s->pcp[i].batch ? s->pcp[i].batch : 63;
			} else {	/* more CPUs than kept one by one: the average */
				l->unknown = s->pcp_count / z->ncpu;
				l->high = (uint32_t)(s->pcp_high / z->ncpu);
				l->batch = 63;
			}
			l->pages = l->unknown;
		}
	}
	return 0;
}

void est_release(struct mzone *z)
{
	free(z->freeb);
	free(z->heldb);
	for (uint32_t i = 0; z->pcp && i < z->ncpu; i++)
		free(z->pcp[i].q);
	free(z->pcp);
	z->freeb = z->heldb = NULL;
	z->pcp = NULL;
}

/* Put a page that was on a per-CPU list at the start on one, oldest first. */
static int pcp_seed(struct ct_model *m, struct mzone *z, uint64_t pfn, uint32_t *next_cpu)
{
	struct pcp_list *l;
	uint64_t b = pb_of(m, z, pfn);

	/* which CPU's list held it is not known: fill them in turn */
	while (z->pcp && *next_cpu < z->ncpu && !z->pcp[*next_cpu].unknown)
		(*next_cpu)++;
	l = z->pcp && *next_cpu < z->ncpu ? &z->pcp[*next_cpu] : NULL;
	if (!l)
		return 0;
	if (l->len == l->cap) {
		uint32_t ncap = l->cap ? l->cap * 2 : 1024;
		struct pcp_entry *nq = realloc(l->q, ncap * sizeof(*nq));

		if (!nq)
			return -CT_E_NOMEM;
		l->q = nq;
		l->cap = ncap;	/* nothing was popped yet: head is 0, no wrap */
	}
	l->q[l->len++] = (struct pcp_entry){ pfn, 0, 0 };
	l->unknown--;	/* the page is no longer of unknown place */
	set_bits(hw(z, b), (uint32_t)(pfn - block_pfn(m, z, b)), 1);
	return 1;
}

int est_seed_free_map(struct ct_model *m, struct mzone *z, const struct ct_memsnap *snap)
{
	const struct ct_memsnap_free_map *map = &snap->free_map;
	int64_t before[MAX_ORDERS];
	uint64_t placed = 0;
	uint32_t cpu = 0;

	keep_totals_begin(m, z, before);
	for (uint64_t b = 0; b < z->npb; b++) {
		int32_t was[MAX_ORDERS + 1] = { 0 };	/* seeding starts from an empty bitmap */
		uint32_t lo, hi, nf = 0;

		block_valid(m, z, b, &lo, &hi);
		for (uint32_t i = lo; i < hi; i++) {
			enum ct_pfn_class c = ct_memsnap_pfn_class(map, block_pfn(m, z, b) + i);

			if (c == CT_PFN_FREE) {
				set_bits(fw(z, b), i, 1);
				placed++;
			}
			/* a hole: no struct page, or a whole pageblock of flagless ones */
			nf += c == CT_PFN_NOFLAGS || c == CT_PFN_NOPAGE;
		}
		/*
		 * Flagless pages are per-CPU list pages or unflagged allocations; a
		 * whole pageblock of them is a hole (memory the zone spans but has
		 * not). Up to the lists' size, they are taken to be on the lists.
		 */
		if (nf == hi - lo)
			z->pb[b].flags |= PB_HOLE;
		if (nf && nf < hi - lo) {
			for (uint32_t i = lo; i < hi; i++) {
				int ret;

				if (ct_memsnap_pfn_class(map, block_pfn(m, z, b) + i) != CT_PFN_NOFLAGS)
					continue;
				ret = pcp_seed(m, z, block_pfn(m, z, b) + i, &cpu);
				if (ret < 0)
					return ret;
			}
		}
		block_recount(m, z, b, was);
		z->pb[b].flags |= PB_MATERIALIZED;
	}
	for (uint32_t i = 0; z->pcp && i < z->ncpu; i++)
		z->pcp[i].pages = z->pcp[i].unknown + z->pcp[i].len;
	z->materialized = z->npb;
	keep_totals_end(m, z, before);
	return placed ? 0 : -CT_E_INVAL;
}

int est_seed_kpageflags(struct ct_model *m, struct mzone *z, const struct ct_memsnap *snap)
{
	uint64_t placed = 0;

	/* entirely free pageblocks first: they draw the pool's large blocks */
	for (int pass = 0; pass < 2; pass++) {
		for (uint64_t i = 0; i < snap->nkpf; i++) {
			const struct ct_memsnap_kpf_block *k = &snap->kpf[i];
			uint32_t lo, hi;
			uint64_t b;

			if (k->start_pfn + m->pb_pages <= z->start || k->start_pfn >= z->end)
				continue;
			b = pb_of(m, z, k->start_pfn);
			block_valid(m, z, b, &lo, &hi);
			if ((k->free >= hi - lo) != (pass == 0))
				continue;
			/*
			 * The count is known, not the places, nor which allocated
			 * pages are per-CPU list pages about to be freed: a guess
			 * events may correct, as one made during the replay.
			 */
			materialize_guess(m, z, b, k->free, NULL);
			placed++;
		}
	}
	/* pageblocks the summary does not list have no pages: nothing free in them */
	for (uint64_t b = 0; b < z->npb; b++) {
		if (z->pb[b].flags & PB_MATERIALIZED)
			continue;
		z->pb[b].flags |= PB_MATERIALIZED;
		z->materialized++;
	}
	return placed ? 0 : -CT_E_INVAL;
}

/* ---- compaction ------------------------------------------------------------ */

static uint32_t count_range(const uint64_t *w, uint32_t off, uint32_t n)
{
	uint32_t c = 0;

	for (uint32_t i = off / 64, end = off + n; n && i <= (end - 1) / 64; i++)
		c += popcount64(w[i] & word_mask(i == off / 64 ? off % 64 : 0,
						 i == (end - 1) / 64 ? (end - 1) % 64 + 1 : 64));
	return c;
}

/* Clip [start, end) to pageblock @b and the zone: offsets [*lo, *hi). */
static void clip(const struct ct_model *m, const struct mzone *z, uint64_t b, uint64_t start,
		 uint64_t end, uint32_t *lo, uint32_t *hi)
{
	uint64_t first = block_pfn(m, z, b);
	uint32_t vlo, vhi;

	block_valid(m, z, b, &vlo, &vhi);
	*lo = start > first ? (uint32_t)(start - first) : 0;
	*hi = end < first + m->pb_pages ? (uint32_t)(end - first) : (uint32_t)m->pb_pages;
	if (*lo < vlo)
		*lo = vlo;
	if (*hi > vhi)
		*hi = vhi;
	if (*hi < *lo)
		*hi = *lo;
}

uint32_t est_migrate_isolate(struct ct_model *m, struct mzone *z, struct mrun *r, uint64_t start,
			     uint64_t end, uint64_t scanned, uint64_t taken)
{
	uint64_t b = pb_of(m, z, start);
	uint64_t *f, *h;
	uint32_t lo, hi, used = 0, got = 0;

	if (b >= z->npb)
		return 0;
	clip(m, z, b, start, end, &lo, &hi);
	if (!(z->pb[b].flags & PB_MATERIALIZED)) {
		/* the pages the scanner did not take were free or could not move: count them free */
		uint64_t n = hi - lo < scanned ? hi - lo : scanned, fpages;
		uint32_t vlo, vhi;

		struct mat_hint hint = { NO_PFN, -1, lo, hi, 0 };

		block_valid(m, z, b, &vlo, &vhi);
		/*
		 * A range the scanner took from is movable memory with the rest
		 * free. One it took nothing from says little (free, THP and
		 * unmovable pages count alike), unless it counted more pages than
		 * the range has: it skipped a free block larger than a pageblock.
		 */
		if (taken && n)
			fpages = (uint64_t)(vhi - vlo) * (n - (taken < n ? taken : n)) / n;
		else
			fpages = scanned > hi - lo ? vhi - vlo : pool_average(m, z);
		if (fpages + taken > vhi - vlo)
			fpages = vhi - vlo - (taken < vhi - vlo ? taken : vhi - vlo);
		hint.pages = (uint32_t)(taken && hi - lo > taken ? hi - lo - taken : 0);
		materialize_guess(m, z, b, (uint32_t)fpages, &hint);
	}
	f = fw(z, b);
	h = hw(z, b);
	for (uint32_t wi = lo / 64; hi > lo && wi <= (hi - 1) / 64; wi++)
		used += popcount64(~(f[wi] | h[wi]) & range_mask(wi, lo, hi));
	if (used < taken && hi > lo) {
		/* the guess put free pages where the scanner found movable ones: they are elsewhere */
		for (uint32_t wi = lo / 64; wi <= (hi - 1) / 64 && used < taken; wi++) {
			uint64_t sel = lowest_bits(f[wi] & range_mask(wi, lo, hi), taken - used);

			fword(m, z, b, wi, sel, 0);
			z->pool[0] += popcount64(sel);
			used += popcount64(sel);
			z->layout_corrections += popcount64(sel);
		}
	}
	/* the scanner takes movable pages in pfn order: the first allocated ones, a word at a time */
	for (uint32_t wi = lo / 64; hi > lo && wi <= (hi - 1) / 64 && got < taken; wi++) {
		uint64_t sel = lowest_bits(~(f[wi] | h[wi]) & range_mask(wi, lo, hi), taken - got);

		if (!sel)
			continue;
		h[wi] |= sel;
		if (run_add_mask(m, &r->iso, &r->niso, &r->iso_cap,
				 (struct pcp_entry){ block_pfn(m, z, b) + wi * 64, sel, 0 }) < 0)
			break;
		got += popcount64(sel);
	}
	if (r->sync && taken && used > taken && (z->pb[b].flags & PB_GUESSED)) {
		/*
		 * A sync scanner takes every movable page of the range it reports:
		 * what the guess still holds as allocated there was free, or a
		 * per-CPU list page soon freed (or could not move, which the trace
		 * cannot tell apart; a range it took nothing from is left alone:
		 * unmovable memory). The pool held those pages as somewhere else.
		 */
		uint32_t pieces[MAX_ORDERS] = { 0 };

		for (uint32_t wi = lo / 64; wi <= (hi - 1) / 64; wi++) {
			uint64_t rest = ~(f[wi] | h[wi]) & range_mask(wi, lo, hi);

			fword(m, z, b, wi, rest, 1);
			pieces[0] += popcount64(rest);
			z->layout_corrections += popcount64(rest);
		}
		pool_take(m, z, pieces);
	}
	return got;
}

/* Blocks by order, largest first (single pages count as order 0); lowest pfn last. */
static int cmp_order_desc(const void *a, const void *b)
{
	const struct pcp_entry *x = a, *y = b;
	int ox = x->mask ? 0 : x->order, oy = y->mask ? 0 : y->order;

	if (ox != oy)
		return ox > oy ? -1 : 1;
	return (x->pfn < y->pfn) - (x->pfn > y->pfn);
}

/* Pages of a held entry become allocated (migration targets, or taken for good); returns them. */
static uint64_t entry_used(struct ct_model *m, struct mzone *z, const struct pcp_entry *e, uint64_t mask)
{
	uint64_t b;

	if (e->pfn == NO_PFN)
		return 0;
	b = pb_of(m, z, e->pfn);
	if (e->mask) {
		hw(z, b)[(e->pfn - block_pfn(m, z, b)) / 64] &= ~mask;
		return popcount64(mask);
	}
	clear_bits(hw(z, b), (uint32_t)(e->pfn - block_pfn(m, z, b)), 1u << e->order);
	return 1ULL << e->order;
}

/*
 * @migrated of the isolated pages moved: their old pages are freed to the
 * run's CPU's per-CPU list, a migration step's pages of one word as one
 * entry; as many isolated free pages become the targets, smallest blocks
 * first as compaction_alloc() takes them. The rest failed and go back.
 */
void est_migrated(struct ct_model *m, struct mzone *z, struct mrun *r, uint64_t migrated)
{
	uint64_t left = migrated;

	for (uint32_t i = 0; i < r->niso; i++) {
		struct pcp_entry e = r->iso[i];
		uint64_t n = popcount64(e.mask), moved = n <= left ? e.mask : lowest_bits(e.mask, left);
		uint64_t b = pb_of(m, z, e.pfn);

		left -= popcount64(moved);
		z->pb[b].migrated_out += popcount64(moved);
		hw(z, b)[(e.pfn - block_pfn(m, z, b)) / 64] &= ~(e.mask & ~moved);
		if (moved) {
			e.mask = moved;
			pcp_push(m, z, r->cpu, e);
		}
	}
	r->niso = 0;
	left = migrated;
	/* single pages first, in isolation order: compaction_alloc() takes order-0 pages before splitting */
	for (uint32_t i = 0; i < r->nfl && left; i++) {
		struct pcp_entry *e = &r->fl[i];
		uint64_t used;

		if (!e->mask)
			continue;
		used = lowest_bits(e->mask, left);
		if (e->pfn != NO_PFN)
			z->pb[pb_of(m, z, e->pfn)].migrated_in += (uint32_t)entry_used(m, z, e, used);
		left -= popcount64(used);
		e->mask &= ~used;
		if (!e->mask)
			e->pfn = NO_PFN, e->order = 0xff;	/* spent: dropped below */
	}
	if (left) {
		/* then blocks, smallest first; popping from the end, a split's halves come back smaller */
		if (r->nfl > 1)
			qsort(r->fl, r->nfl, sizeof(*r->fl), cmp_order_desc);
		while (left && r->nfl) {
			struct pcp_entry e = r->fl[--r->nfl];
			uint64_t n;

			if (e.order == 0xff && !e.mask)
				continue;	/* spent */
			n = entry_pages(&e);
			if (n <= left) {
				if (e.pfn != NO_PFN)
					z->pb[pb_of(m, z, e.pfn)].migrated_in += (uint32_t)entry_used(m, z, &e, e.mask);
				left -= n;
			} else {
				/* split: both halves stay isolated, the lower one is used first */
				e.order--;
				run_add_free(m, r, e.pfn == NO_PFN ? NO_PFN : e.pfn + (1ULL << e.order), e.order);
				run_add_free(m, r, e.pfn, e.order);
			}
		}
	}
	/* drop spent entries */
	{
		uint32_t j = 0;

		for (uint32_t i = 0; i < r->nfl; i++)
			if (!(r->fl[i].order == 0xff && !r->fl[i].mask))
				r->fl[j++] = r->fl[i];
		r->nfl = j;
	}
}

uint64_t est_free_isolate(struct ct_model *m, struct mzone *z, struct mrun *r, uint64_t start,
			  uint64_t end, uint64_t taken)
{
	uint64_t b = pb_of(m, z, start), got = 0;
	uint64_t *f, *h;
	uint32_t lo, hi;

	if (b >= z->npb || !taken)
		return 0;
	clip(m, z, b, start, end, &lo, &hi);
	if (!(z->pb[b].flags & PB_MATERIALIZED) && z->seeding <= CT_SEED_COUNTS) {
		/*
		 * No per-pageblock seed: where in the pageblock the free pages
		 * were is a guess the free scanner's next steps would keep
		 * correcting; their sizes come from the pool and they leave it
		 * without a place. The pageblock stays pooled.
		 */
		uint32_t pieces[MAX_ORDERS];

		pool_pieces(m, z, (uint32_t)taken, pieces);
		pool_take(m, z, pieces);
		for (int o = 0; o < m->pbo; o++) {
			uint32_t n = pieces[o];

			for (; o == 0 && n; n -= n < 64 ? n : 64)
				run_add_mask(m, &r->fl, &r->nfl, &r->fl_cap,
					     (struct pcp_entry){ NO_PFN, n < 64 ? (1ULL << n) - 1 : ~0ULL, 0 });
			for (; o > 0 && n; n--)
				run_add_free(m, r, NO_PFN, o);
		}
		z->pb[b].free_taken += (uint32_t)taken;
		z->pages_guessed += taken;
		return taken;
	}
	if (!(z->pb[b].flags & PB_MATERIALIZED)) {
		/* the pages taken were free where the scanner took them: put them there */
		struct mat_hint hint = { NO_PFN, -1, lo, hi, (uint32_t)taken };
		uint32_t avg = pool_average(m, z);

		materialize_guess(m, z, b, (uint32_t)(taken > avg ? taken : avg), &hint);
	}
	f = fw(z, b);
	h = hw(z, b);
	if (count_range(f, lo, hi - lo) < taken && !(z->pb[b].flags & PB_WHOLE)) {
		/* the scanner found more free pages here than the guess holds: they come from the pool */
		uint32_t want = (uint32_t)taken - count_range(f, lo, hi - lo), pieces[MAX_ORDERS];
		uint32_t drawn[MAX_ORDERS] = { 0 };

		/* in the pool's proportions: larger blocks slot by slot, single pages a word at a time */
		pool_pieces(m, z, want, pieces);
		for (int o = m->pbo - 1; o > 0; o--) {
			uint32_t size = 1u << o;

			for (uint32_t s = lo / size * size; pieces[o] && s + size <= hi; s += size) {
				if (s < lo || !bits_zero(f, s, size) || !bits_zero(h, s, size))
					continue;
				fchange(m, z, b, s, o, 1);
				pieces[o]--;
				drawn[o]++;
			}
			pieces[o - 1] += 2 * pieces[o];
		}
		drawn[0] = place_in_range(m, z, b, pieces[0], lo, hi, 1);
		pool_take(m, z, drawn);
		z->layout_corrections += want;
	}
	/* take the free blocks the scanner meets, lowest pfn first, until it has enough */
	{
		uint32_t i = next_set(f, lo, hi);

		while (i < hi && got < taken) {
			uint32_t o, wi = i / 64;

			uint64_t x = f[wi] & (f[wi] >> 1);

			x &= x >> 2;
			x &= x >> 4;
			if (m->pbo >= 6 && !(x & 0x0101010101010101ULL)) {
				/*
				 * No free block of 8 pages or more in this word: its free
				 * blocks all go to the per-CPU lists when unused, so taking
				 * them as single pages changes nothing but a split's order.
				 */
				uint32_t wend = (wi + 1) * 64 < hi ? (wi + 1) * 64 : hi;
				uint64_t sel = lowest_bits(f[wi] & range_mask(wi, i, wend), taken - got);

				fword(m, z, b, wi, sel, 0);
				h[wi] |= sel;
				if (run_add_mask(m, &r->fl, &r->nfl, &r->fl_cap,
						 (struct pcp_entry){ block_pfn(m, z, b) + wi * 64, sel, 0 }) < 0)
					break;
				got += popcount64(sel);
				i = got < taken ? next_set(f, wend, hi) : (sel ? wi * 64 + 64 - (uint32_t)__builtin_clzll(sel) : wend);
				continue;
			}
			/* the canonical block starting at i: the largest aligned, fully free, inside the range */
			for (o = 0; (int)o < m->pbo; o++) {
				uint32_t n = 2u << o;

				if (i % n || i + n > hi || !bits_one(f, i, n) || got + n > taken)
					break;
			}
			fchange(m, z, b, i, (int)o, 0);
			set_bits(h, i, 1u << o);
			if (run_add_free(m, r, block_pfn(m, z, b) + i, (int)o) < 0)
				break;
			got += 1u << o;
			i = next_set(f, i + (1u << o), hi);
		}
		if (got == taken && (z->pb[b].flags & PB_GUESSED)) {
			/* the scanner takes every free page it passes: what the guess still has there is elsewhere */
			uint32_t stop = i < hi ? i : hi;

			for (uint32_t wi = lo / 64; stop > lo && wi <= (stop - 1) / 64; wi++) {
				uint64_t rest = f[wi] & range_mask(wi, lo, stop);

				fword(m, z, b, wi, rest, 0);
				z->pool[0] += popcount64(rest);
				z->layout_corrections += popcount64(rest);
			}
		}
	}
	z->pb[b].free_taken += (uint32_t)got;
	if (got < taken) {
		/* still short: pages the model cannot place leave the pool */
		uint32_t pieces[MAX_ORDERS];

		pool_pieces(m, z, (uint32_t)(taken - got), pieces);
		for (int o = 0; o < m->pbo; o++) {
			z->pool[o] -= pieces[o];
			for (uint32_t k = 0; k < pieces[o]; k++)
				run_add_free(m, r, NO_PFN, o);
		}
		z->pages_guessed += taken - got;
	}
	return got;
}

void est_run_end(struct ct_model *m, struct mzone *z, struct mrun *r)
{
	/* pages isolated for migration but never migrated go back */
	for (uint32_t i = 0; i < r->niso; i++) {
		uint64_t b = pb_of(m, z, r->iso[i].pfn);

		hw(z, b)[(r->iso[i].pfn - block_pfn(m, z, b)) / 64] &= ~r->iso[i].mask;
	}
	r->niso = 0;
	/* release_free_list(): unused free pages are freed; small orders via the per-CPU lists */
	for (uint32_t i = 0; i < r->nfl; i++)
		pcp_push(m, z, r->cpu, r->fl[i]);
	r->nfl = 0;
}

void est_consume_free(struct ct_model *m, struct mzone *z, struct mrun *r)
{
	for (uint32_t i = 0; i < r->nfl; i++)
		entry_used(m, z, &r->fl[i], r->fl[i].mask);
	r->nfl = 0;
}

void est_extfrag(struct ct_model *m, struct mzone *z, uint64_t pfn, int alloc_order, int fallback_order)
{
	uint64_t b = pb_of(m, z, pfn);
	uint64_t *f;
	uint32_t off, n;

	if (b >= z->npb || alloc_order < 0 || alloc_order >= m->norders || fallback_order < alloc_order ||
	    fallback_order >= m->norders)
		return;
	if (!(z->pb[b].flags & PB_MATERIALIZED)) {
		uint32_t avg = pool_average(m, z);
		uint32_t need = fallback_order < m->pbo ? 1u << fallback_order : (uint32_t)m->pb_pages;

		struct mat_hint hint = { pfn, fallback_order, 0, 0, 0 };

		materialize_guess(m, z, b, need > avg ? need : avg, &hint);
	}
	f = fw(z, b);
	off = (uint32_t)(pfn - block_pfn(m, z, b));
	n = 1u << (alloc_order < m->pbo ? alloc_order : m->pbo);
	if (off & (n - 1))
		return;	/* an allocation is aligned to its order: this pfn is not one */
	if (off + n > m->pb_pages)
		return;
	if (!bits_one(f, off, n)) {
		/* the guess had no free block there: the fallback block came from the pool */
		uint32_t fo = (uint32_t)(fallback_order < m->pbo ? fallback_order : m->pbo);
		uint32_t foff = off & ~((1u << fo) - 1), pieces[MAX_ORDERS] = { 0 };

		if (fo < (uint32_t)m->pbo) {
			pieces[fo] = 1;
			pool_take(m, z, pieces);
		} else {
			z->pool[fo]--;
		}
		clear_bits(hw(z, b), foff, 1u << fo);
		fchange(m, z, b, foff, (int)fo, 1);
		z->layout_corrections += 1u << fo;
	}
	fchange(m, z, b, off, alloc_order < m->pbo ? alloc_order : m->pbo, 0);
}

uint32_t est_block_free(const struct ct_model *m, const struct mzone *z, uint64_t b)
{
	(void)m;
	return popcount_block(fw(z, b), z->wpb);
}

uint32_t est_block_held(const struct ct_model *m, const struct mzone *z, uint64_t b)
{
	(void)m;
	return popcount_block(hw(z, b), z->wpb);
}

uint32_t est_block_used(const struct ct_model *m, const struct mzone *z, uint64_t b)
{
	uint32_t lo, hi, busy = est_block_free(m, z, b) + est_block_held(m, z, b);

	block_valid(m, z, b, &lo, &hi);
	return hi - lo > busy ? hi - lo - busy : 0;
}

int est_to_exact(struct ct_model *m, struct mzone *z)
{
	z->buddy = ct_buddy_new(z->start, z->end, m->norders, m->pbo);
	if (!z->buddy)
		return -CT_E_NOMEM;
	for (uint64_t b = 0; b < z->npb; b++) {
		uint32_t lo, hi;

		block_valid(m, z, b, &lo, &hi);
		for (uint32_t i = lo; i < hi; i++) {
			uint64_t pfn = block_pfn(m, z, b) + i;

			if (bit(fw(z, b), i))
				ct_buddy_release(z->buddy, pfn, 0);
			else if (bit(hw(z, b), i))
				ct_buddy_set_state(z->buddy, pfn, CT_PAGE_PCP);
			else if (z->pb[b].flags & PB_HOLE)
				ct_buddy_set_state(z->buddy, pfn, CT_PAGE_HOLE);
		}
		if (z->pb[b].mt >= 0)
			ct_buddy_set_migratetype(z->buddy, b, z->pb[b].mt);
	}
	est_release(z);
	z->mode = CT_MODEL_EXACT;
	return 0;
}

int est_check(const struct ct_model *m, const struct mzone *z)
{
	int64_t small[MAX_ORDERS] = { 0 }, full[MAX_ORDERS + 1] = { 0 };

	for (uint64_t b = 0; b < z->npb; b++) {
		int32_t c[MAX_ORDERS + 1];
		uint32_t lo, hi;
		int whole;

		canon(m, z, b, c);
		for (int o = 0; o < m->pbo; o++)
			small[o] += c[o];
		block_valid(m, z, b, &lo, &hi);
		whole = c[m->pbo] == 1 && lo == 0 && hi == m->pb_pages;
		if (whole != !!(z->pb[b].flags & PB_WHOLE))
			return -CT_E_INVAL;
		if (!(z->pb[b].flags & PB_MATERIALIZED) && (c[m->pbo] || popcount_block(fw(z, b), z->wpb)))
			return -CT_E_INVAL;	/* a pooled pageblock holds no placed page */
		/* free and held never overlap */
		for (uint32_t i = 0; i < z->wpb; i++)
			if (fw(z, b)[i] & hw(z, b)[i])
				return -CT_E_INVAL;
	}
	for (int l = m->pbo; l < m->norders; l++) {
		uint64_t n = 1ULL << (l - m->pbo);

		for (uint64_t abs = (z->pb0 + n - 1) & ~(n - 1); abs + n <= z->pb0 + z->npb; abs += n)
			full[l] += group_full(m, z, abs, l);
	}
	for (int o = 0; o < m->pbo; o++)
		if (small[o] != z->small[o])
			return -CT_E_INVAL;
	for (int l = m->pbo; l < m->norders; l++)
		if (full[l] != z->full[l])
			return -CT_E_INVAL;
	return 0;
}
