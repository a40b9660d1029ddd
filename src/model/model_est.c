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
#include "model/model_est_tables.h"
#include "model/model_internal.h"

#define NO_PFN UINT64_MAX

/* One CPU's per-CPU list of one zone: oldest first, as free_pcppages_bulk() drains it. */
struct pcp_list {
	struct pcp_entry *q;
	uint32_t head, len, cap;	/* a ring; cap is a power of two */
	uint64_t unknown;	/* pages listed at the start whose pfns nobody knows: the oldest */
	uint64_t pages;		/* unknown + Σ 2^order of the entries */
	uint32_t high, batch;	/* past high, a batch of the oldest goes back to the buddy lists */
};

/* The estimated backend's state of a zone. */
struct est_zone {
	uint32_t wpb;			/* 64-bit words per pageblock bitmap */
	uint64_t *freeb, *heldb;	/* npb * wpb words each */
	int64_t pool[MAX_ORDERS];	/* free blocks no materialized pageblock holds */
	uint64_t pool_small;		/* Σ 2^o·max(pool[o], 0), o < pbo (pool_add() keeps it) */
	int64_t pool_hi1;		/* >= pool[o] for 0 < o < pbo: pool_pieces()' shortcut */
	int64_t small[MAX_ORDERS];	/* blocks of orders < pbo the pageblock bitmaps hold */
	int64_t full[MAX_ORDERS + 1];	/* aligned groups of whole pageblocks, per order >= pbo */
	uint16_t *cache;		/* npb * pbo: each pageblock's share of small[] when last counted */
	uint64_t *has;			/* pbo bitmaps of npb bits: bit b of map o, cache says b has blocks of order o */
	uint64_t has_words;		/* words per map */
	uint64_t *dirty;		/* pageblocks changed since: counted again before small[] is read */
	uint64_t ndirty, dirty_cap;
	uint64_t materialized;
	struct pcp_list *pcp;
	uint32_t ncpu;
};

static inline struct est_zone *est(const struct mzone *z)
{
	return z->be;
}

#define popcount64 ct_popcount64

/* ---- bitmaps ------------------------------------------------------------ */

static inline uint64_t *fw(const struct mzone *z, uint64_t b)
{
	return est(z)->freeb + b * est(z)->wpb;
}

static inline uint64_t *hw(const struct mzone *z, uint64_t b)
{
	return est(z)->heldb + b * est(z)->wpb;
}

static int bit(const uint64_t *w, uint32_t i)
{
	return (w[i / 64] >> (i % 64)) & 1;
}

/* The bits of word @wi inside [lo, hi). */
static inline uint64_t range_mask(uint32_t wi, uint32_t lo, uint32_t hi)
{
	uint32_t a = wi * 64;
	uint64_t m = ~0ULL;

	if (hi <= a || lo >= a + 64)
		return 0;
	if (lo > a)
		m <<= lo - a;
	if (hi < a + 64)
		m &= (1ULL << (hi - a)) - 1;
	return m;
}

/* The words of bits [off, off + n), n > 0: the first and last, and the bits of each they hold. */
struct span {
	uint32_t first, last;
	uint64_t fm, lm;
};

static inline struct span span_of(uint32_t off, uint32_t n)
{
	uint32_t end = off + n;
	struct span sp = { off / 64, (end - 1) / 64, ~0ULL << (off % 64),
			   end % 64 ? (1ULL << (end % 64)) - 1 : ~0ULL };

	if (sp.first == sp.last)
		sp.fm = sp.lm = sp.fm & sp.lm;
	return sp;
}

static void set_bits(uint64_t *w, uint32_t off, uint32_t n)
{
	struct span sp;

	if (!n)
		return;
	sp = span_of(off, n);
	w[sp.first] |= sp.fm;
	for (uint32_t i = sp.first + 1; i < sp.last; i++)
		w[i] = ~0ULL;
	w[sp.last] |= sp.lm;
}

static void clear_bits(uint64_t *w, uint32_t off, uint32_t n)
{
	struct span sp;

	if (!n)
		return;
	sp = span_of(off, n);
	w[sp.first] &= ~sp.fm;
	for (uint32_t i = sp.first + 1; i < sp.last; i++)
		w[i] = 0;
	w[sp.last] &= ~sp.lm;
}

static int bits_zero(const uint64_t *w, uint32_t off, uint32_t n)
{
	struct span sp;

	if (!n)
		return 1;
	sp = span_of(off, n);
	if ((w[sp.first] & sp.fm) || (w[sp.last] & sp.lm))
		return 0;
	for (uint32_t i = sp.first + 1; i < sp.last; i++)
		if (w[i])
			return 0;
	return 1;
}

static int bits_one(const uint64_t *w, uint32_t off, uint32_t n)
{
	struct span sp;

	if (!n)
		return 1;
	sp = span_of(off, n);
	if ((w[sp.first] & sp.fm) != sp.fm || (w[sp.last] & sp.lm) != sp.lm)
		return 0;
	for (uint32_t i = sp.first + 1; i < sp.last; i++)
		if (w[i] != ~0ULL)
			return 0;
	return 1;
}

static uint32_t popcount_block(const uint64_t *w, uint32_t wpb)
{
	uint32_t n = 0;

	for (uint32_t i = 0; i < wpb; i++)
		n += popcount64(w[i]);
	return n;
}

/* The first set bit of @w in [i, hi), or hi. */
static inline uint32_t next_set(const uint64_t *w, uint32_t i, uint32_t hi)
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
static inline uint64_t block_pfn(const struct ct_model *m, const struct mzone *z, uint64_t b)
{
	return (z->pb0 + b) << m->pbo;
}

static inline void block_valid(const struct ct_model *m, const struct mzone *z, uint64_t b,
			uint32_t *lo, uint32_t *hi)
{
	uint64_t first = block_pfn(m, z, b), last = first + m->pb_pages;

	*lo = (uint32_t)(z->start > first ? z->start - first : 0);
	*hi = (uint32_t)(z->end < last ? z->end - first : m->pb_pages);
}

/* ---- canonical counts ---------------------------------------------------- */

/*
 * The zone's counts (small[] and full[]) are the sum over pageblocks of
 * each one's canonical counts, kept per pageblock in cache[]. A change to
 * a pageblock's free bitmap only marks it dirty; its counts are worked out
 * again, once, when the zone's counts are next read (flush()). A migration
 * step changes the same few pageblocks many times between two reads.
 */

/* Bit i: byte i of @x is all ones. */
static inline uint32_t full_bytes(uint64_t x)
{
	x &= x >> 1;
	x &= x >> 2;
	x &= x >> 4;
	return (uint32_t)(((x & 0x0101010101010101ULL) * 0x0102040810204080ULL) >> 56);
}

/* The canonical free blocks inside word @x: order o (0-6) in byte o. */
static inline uint64_t word_canon(uint64_t x)
{
	const uint32_t *t = est_canon_byte;
	uint64_t small = (uint64_t)t[x & 0xff] + t[(x >> 8) & 0xff] + t[(x >> 16) & 0xff] +
			 t[(x >> 24) & 0xff] + t[(x >> 32) & 0xff] + t[(x >> 40) & 0xff] +
			 t[(x >> 48) & 0xff] + t[x >> 56];

	return (small & 0xffffff) + ((uint64_t)est_canon_full[full_bytes(x)] << 24);
}

/*
 * The canonical counts of a pageblock's free bitmap: [o] blocks of order
 * o < pbo, [pbo] whole. Blocks below order 6 lie in one word; above, they
 * are aligned runs of entirely free words.
 */
static void canon(const struct ct_model *m, const struct mzone *z, uint64_t b, int32_t *out)
{
	const uint64_t *w = fw(z, b);
	int32_t full[MAX_ORDERS + 1] = { 0 };
	uint64_t fullw = 0;	/* bit i: word i entirely free */
	int pbo = m->pbo;

	if (pbo < 6) {	/* one word, partly used */
		uint64_t c = word_canon(w[0] & ((1ULL << (1u << pbo)) - 1));

		for (int o = 0; o <= pbo; o++)
			out[o] = (int32_t)((c >> (8 * o)) & 0xff);
		return;
	}
	memset(out, 0, sizeof(*out) * (size_t)(pbo + 1));
	for (uint32_t i = 0; i < est(z)->wpb; i++) {
		uint64_t c;

		if (w[i] == 0 || w[i] == ~0ULL) {	/* most words: nothing free, or all of it */
			full[6] += w[i] != 0;
			fullw |= (uint64_t)(w[i] != 0) << (i % 64);
			continue;
		}
		c = word_canon(w[i]);
		for (int o = 0; o < 6; o++)
			out[o] += (int32_t)((c >> (8 * o)) & 0xff);
	}
	if (est(z)->wpb <= 64) {
		/* bit i of g: words i.. of an aligned run of 2^(o - 6) are all free */
		static const uint64_t starts[7] = {
			~0ULL, 0x5555555555555555ULL, 0x1111111111111111ULL, 0x0101010101010101ULL,
			0x0001000100010001ULL, 0x0000000100000001ULL, 0x1ULL,
		};
		uint64_t g = fullw;

		for (int o = 7; o <= pbo && o - 6 <= 6; o++) {
			g &= g >> (1u << (o - 7));
			full[o] = (int32_t)popcount64(g & starts[o - 6]);
		}
	} else {
		for (int o = 7; o <= pbo && full[o - 1] >= 2; o++) {
			uint32_t per = 1u << (o - 6);

			for (uint32_t i = 0; i < est(z)->wpb; i += per) {
				uint32_t k = 0;

				while (k < per && w[i + k] == ~0ULL)
					k++;
				full[o] += k == per;
			}
		}
	}
	for (int o = 6; o < pbo; o++)
		out[o] = full[o] - 2 * full[o + 1];
	out[pbo] = full[pbo];
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
	uint64_t abs = z->pb0 + b;
	int d = whole ? 1 : -1;

	if (!!(z->pb[b].flags & PB_WHOLE) == !!whole)
		return;
	if (whole)
		z->pb[b].flags |= PB_WHOLE;
	else
		z->pb[b].flags &= (uint8_t)~PB_WHOLE;
	/*
	 * Each aligned group holding it was or becomes full when the rest of
	 * it is: the other half of the group below. Up to the first that is not.
	 */
	for (int l = m->pbo; l < m->norders; l++) {
		uint64_t n = 1ULL << (l - m->pbo), first = abs & ~(n - 1);

		if (first < z->pb0 || first + n > z->pb0 + z->npb)
			break;
		if (l > m->pbo) {
			uint64_t other = (abs ^ (n / 2)) & ~(n / 2 - 1), i;

			for (i = 0; i < n / 2 && (z->pb[other + i - z->pb0].flags & PB_WHOLE); i++)
				;
			if (i < n / 2)
				break;
		}
		est(z)->full[l] += d;
	}
}

/* Is pageblock @b entirely free (what PB_WHOLE says once its counts are taken)? */
static int block_whole(const struct ct_model *m, const struct mzone *z, uint64_t b)
{
	uint32_t lo, hi;

	block_valid(m, z, b, &lo, &hi);
	return lo == 0 && hi == m->pb_pages && bits_one(fw(z, b), 0, (uint32_t)m->pb_pages);
}

/* Bring pageblock @b's share of the zone's counts up to date. */
static void flush_block(struct ct_model *m, struct mzone *z, uint64_t b)
{
	int32_t now[MAX_ORDERS + 1];
	uint16_t *c = est(z)->cache + b * (uint64_t)m->pbo;
	uint32_t lo, hi;

	canon(m, z, b, now);
	for (int o = 0; o < m->pbo; o++) {
		if (!now[o] != !c[o])	/* it has blocks of this order now, or no more */
			est(z)->has[(uint64_t)o * est(z)->has_words + b / 64] ^= 1ULL << (b % 64);
		est(z)->small[o] += now[o] - c[o];
		c[o] = (uint16_t)now[o];
	}
	block_valid(m, z, b, &lo, &hi);
	set_whole(m, z, b, now[m->pbo] == 1 && lo == 0 && hi == m->pb_pages);
	z->pb[b].flags &= (uint8_t)~PB_DIRTY;
}

/* Bring the zone's counts up to date: before anything reads them. */
static void flush(struct ct_model *m, struct mzone *z)
{
	for (uint64_t i = 0; i < est(z)->ndirty; i++)
		flush_block(m, z, est(z)->dirty[i]);
	est(z)->ndirty = 0;
}

/* Count again the changed pageblocks in [@lo, @hi] (pageblock numbers): they leave the list. */
static void flush_range(struct ct_model *m, struct mzone *z, uint64_t lo, uint64_t hi)
{
	struct est_zone *e = est(z);

	for (uint64_t i = 0; i < e->ndirty;) {
		uint64_t b = e->dirty[i];

		if (b < lo || b > hi) {
			i++;
			continue;
		}
		flush_block(m, z, b);
		e->dirty[i] = e->dirty[--e->ndirty];
	}
}

/* Pageblock @b's free bitmap changed. */
static void mark_dirty(struct ct_model *m, struct mzone *z, uint64_t b)
{
	if (z->pb[b].flags & PB_DIRTY)
		return;
	if (est(z)->ndirty == est(z)->dirty_cap) {
		uint64_t ncap = est(z)->dirty_cap ? est(z)->dirty_cap * 2 : 64;
		uint64_t *n = realloc(est(z)->dirty, ncap * sizeof(*n));

		if (!n) {
			flush_block(m, z, b);	/* no room to defer it: now */
			return;
		}
		est(z)->dirty = n;
		est(z)->dirty_cap = ncap;
	}
	z->pb[b].flags |= PB_DIRTY;
	est(z)->dirty[est(z)->ndirty++] = b;
}

/* Set (or clear) the aligned 2^@k pages at @off of pageblock @b in the free bitmap. */
static void fchange(struct ct_model *m, struct mzone *z, uint64_t b, uint32_t off, int k, int set)
{
	if (set)
		set_bits(fw(z, b), off, 1u << k);
	else
		clear_bits(fw(z, b), off, 1u << k);
	mark_dirty(m, z, b);
}

/* Set (or clear) @bits of word @wi of pageblock @b's free bitmap: the pages one migration step moves. */
static inline void fword(struct ct_model *m, struct mzone *z, uint64_t b, uint32_t wi, uint64_t bits, int set)
{
	uint64_t *w = fw(z, b) + wi, now = set ? *w | bits : *w & ~bits;

	if (now != *w) {
		*w = now;
		mark_dirty(m, z, b);
	}
}

/*
 * The lowest @k set bits of @x, and how many that is in @n (callers need
 * it, and a popcount is already half of this): the byte holding the k-th
 * set bit from the running byte counts, then its place in that byte.
 */
static inline uint64_t lowest_bits(uint64_t x, uint64_t k, uint32_t *n)
{
	const uint64_t ones = 0x0101010101010101ULL, highs = 0x8080808080808080ULL;
	uint64_t c, run, ge, byte;
	uint32_t at, before;

	if (!k) {
		*n = 0;
		return 0;
	}
	c = x - ((x >> 1) & 0x5555555555555555ULL);
	c = (c & 0x3333333333333333ULL) + ((c >> 2) & 0x3333333333333333ULL);
	c = (c + (c >> 4)) & 0x0f0f0f0f0f0f0f0fULL;
	run = c * ones;			/* byte i: set bits in bytes 0..i (at most 64) */
	if ((run >> 56) <= k) {
		*n = (uint32_t)(run >> 56);
		return x;
	}
	*n = (uint32_t)k;		/* k < 64 here */
	/* bytes whose running count is >= k: their top bit survives the subtraction */
	ge = ((run | highs) - k * ones) & highs;
	at = (uint32_t)__builtin_ctzll(ge) & ~7u;
	before = at ? (uint32_t)(run >> (at - 8)) & 0xff : 0;
	byte = (x >> at) & 0xff;
	at += est_select8[byte][k - before - 1] + 1u;
	return at == 64 ? x : x & ((1ULL << at) - 1);
}

/* The counts held by materialized pageblocks (no pool). */
static void struct_counts(struct ct_model *m, struct mzone *z, int64_t *out)
{
	flush(m, z);
	for (int o = 0; o < m->norders; o++) {
		if (o < m->pbo)
			out[o] = est(z)->small[o];
		else
			out[o] = est(z)->full[o] - (o + 1 < m->norders ? 2 * est(z)->full[o + 1] : 0);
	}
}

static void est_counts(struct ct_model *m, struct mzone *z, int64_t *out)
{
	struct_counts(m, z, out);
	for (int o = 0; o < m->norders; o++)
		out[o] += est(z)->pool[o];
}

/* Change the pool's count of order @o by @d, and its total of small pages. */
static inline void pool_add(const struct ct_model *m, struct mzone *z, int o, int64_t d)
{
	struct est_zone *e = est(z);
	int64_t was = e->pool[o], now = was + d;

	e->pool[o] = now;
	if (o < m->pbo)
		e->pool_small += ((uint64_t)(now > 0 ? now : 0) - (uint64_t)(was > 0 ? was : 0)) << o;
	if (o > 0 && o < m->pbo && now > e->pool_hi1)
		e->pool_hi1 = now;
}

/* Keep the zone's counts through a change that only refines the guess. */
static void keep_totals_begin(struct ct_model *m, struct mzone *z, int64_t *before)
{
	struct_counts(m, z, before);
}

static void keep_totals_end(struct ct_model *m, struct mzone *z, const int64_t *before)
{
	int64_t after[MAX_ORDERS];

	struct_counts(m, z, after);
	for (int o = 0; o < m->norders; o++)
		pool_add(m, z, o, before[o] - after[o]);
	for (int o = 0; o < m->norders; o++)
		if (est(z)->pool[o] < 0)
			z->pool_overdrawn++;
}

/* ---- the pool ------------------------------------------------------------ */

/* Free pages an unmaterialized, not entirely free pageblock holds on average. */
static uint32_t pool_average(const struct ct_model *m, const struct mzone *z)
{
	uint64_t pages = 0, whole = 0, left;

	for (int o = 0; o < m->norders; o++) {
		if (est(z)->pool[o] <= 0)
			continue;
		if (o < m->pbo)
			pages += (uint64_t)est(z)->pool[o] << o;
		else
			whole += (uint64_t)est(z)->pool[o] << (o - m->pbo);
	}
	left = z->npb > est(z)->materialized ? z->npb - est(z)->materialized : 0;
	left = left > whole ? left - whole : 0;
	if (!left)
		return 0;
	pages /= left;
	return (uint32_t)(pages < m->pb_pages ? pages : m->pb_pages - 1);
}

/*
 * Split @f free pages into blocks of orders < pbo in the pool's proportions.
 * Returns a mask of the orders that got some.
 */
static uint32_t pool_pieces(const struct ct_model *m, struct mzone *z, uint32_t f, uint32_t *pieces)
{
	uint64_t total = est(z)->pool_small, rem = f;
	uint32_t got = 0;
	int pbo = m->pbo;

	memset(pieces, 0, sizeof(*pieces) * MAX_ORDERS);	/* a constant size: no call */
	if (f && est(z)->pool[0] >= f) {
		/*
		 * The usual case: no larger order gets a block (each has at most
		 * half a block's share), so the single pages take it all. The
		 * bound on those orders only grows as they change: make it exact
		 * before giving up.
		 */
		int64_t none = (int64_t)(total / (2 * (uint64_t)f));

		if (est(z)->pool_hi1 > none) {
			est(z)->pool_hi1 = 0;
			for (int o = 1; o < pbo; o++)
				if (est(z)->pool[o] > est(z)->pool_hi1)
					est(z)->pool_hi1 = est(z)->pool[o];
		}
		if (est(z)->pool_hi1 <= none) {
			pieces[0] = f;
			return 1;
		}
	}
	if (total && f) {
		/* one division: this runs for every isolation of a pooled pageblock */
		double share = (double)f / (double)total;
		/* an order with at most this many blocks gets under half a block: none */
		int64_t none = (int64_t)(total / (2 * (uint64_t)f));

		for (int o = pbo - 1; o >= 0; o--) {
			uint64_t avail, want;

			if (est(z)->pool[o] <= none)
				continue;
			avail = (uint64_t)est(z)->pool[o];
			want = (uint64_t)((double)(avail << o) * share) >> o;
			if (want > avail)
				want = avail;
			if (want > rem >> o)
				want = rem >> o;
			pieces[o] = (uint32_t)want;
			got |= (want != 0) << o;
			rem -= want << o;
		}
		/* the rounding's remainder from the smallest blocks up: they are the most plentiful */
		for (int o = 0; o < pbo && rem; o++) {
			uint64_t more = est(z)->pool[o] > 0 ? (uint64_t)est(z)->pool[o] - pieces[o] : 0;

			if (more > rem >> o)
				more = rem >> o;
			pieces[o] += (uint32_t)more;
			got |= (more != 0) << o;
			rem -= more << o;
		}
	}
	pieces[0] += (uint32_t)rem;	/* the pool has too few: its counts go negative, noted */
	return got | (rem != 0);
}

/*
 * Take drawn blocks of the orders in @mask out of the pool (it may go
 * negative: more free pages placed than it had).
 */
static void pool_take_orders(struct ct_model *m, struct mzone *z, const uint32_t *pieces, uint32_t mask)
{
	for (; mask; mask &= mask - 1) {
		int o = __builtin_ctz(mask);

		if (!pieces[o])
			continue;
		pool_add(m, z, o, -(int64_t)pieces[o]);
		if (est(z)->pool[o] < 0)
			z->pool_overdrawn += pieces[o];
	}
}

static void pool_take(struct ct_model *m, struct mzone *z, const uint32_t *pieces)
{
	pool_take_orders(m, z, pieces, (1u << m->pbo) - 1);
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
				uint32_t nsel;
				uint64_t sel = lowest_bits(cand, pieces[0], &nsel);

				f[wi] |= sel;
				placed += nsel;
				pieces[0] -= nsel;
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
 * page of each empty pair (pages that do not merge), then (@passes 2) the
 * rest. Returns the pages placed.
 */
static uint32_t place_in_range(struct ct_model *m, struct mzone *z, uint64_t b, uint32_t n,
			       uint32_t lo, uint32_t hi, int count, int passes)
{
	uint64_t *f = fw(z, b), *h = hw(z, b);
	uint32_t placed = 0;

	for (int pass = 0; pass < passes && placed < n; pass++) {
		for (uint32_t wi = lo / 64; hi > lo && wi <= (hi - 1) / 64 && placed < n; wi++) {
			uint64_t y = f[wi] | h[wi];
			uint64_t cand = (pass ? ~y : ~(y | (y >> 1)) & 0x5555555555555555ULL) & range_mask(wi, lo, hi);
			uint32_t nsel;
			uint64_t sel = lowest_bits(cand, n - placed, &nsel);

			if (count)
				fword(m, z, b, wi, sel, 1);
			else
				f[wi] |= sel;
			placed += nsel;
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
	uint32_t lo, hi, pieces[MAX_ORDERS];
	uint64_t hint_pfn = hint ? hint->pfn : NO_PFN;
	int hint_order = hint ? hint->order : -1;

	if (pb->flags & PB_MATERIALIZED)
		return;
	block_valid(m, z, b, &lo, &hi);
	if (f >= hi - lo || (hint_pfn != NO_PFN && hint_order >= m->pbo)) {
		/* an entirely free pageblock: the pool gives what its merges with its neighbours make */
		keep_totals_begin(m, z, before);
		set_bits(fw(z, b), lo, hi - lo);
		mark_dirty(m, z, b);
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
			/*
			 * Where the scanner says the free pages are: they may merge, and
			 * the pool gives the blocks they make (no more single pages
			 * than there are, and no block made from nothing). They are
			 * fewer than the part of the pageblock inside the zone (the
			 * scanner took the rest), so only blocks below its order form:
			 * the pageblock's own counts before and after say which.
			 */
			int32_t was[MAX_ORDERS + 1], now[MAX_ORDERS + 1];
			uint32_t want = hint->pages < f ? hint->pages : f, n;

			/* single pages that do not merge first: each one of the pool's */
			n = place_in_range(m, z, b, want, hint->lo, hint->hi, 0, 1);
			pool_add(m, z, 0, -(int64_t)n);
			if (n < want) {
				canon(m, z, b, was);
				n += place_in_range(m, z, b, want - n, hint->lo, hint->hi, 0, 2);
				canon(m, z, b, now);
				for (int o = 0; o < m->pbo; o++)
					if (now[o] != was[o])
						pool_add(m, z, o, was[o] - now[o]);
			}
			for (int o = 0; o < m->pbo; o++)
				if (est(z)->pool[o] < 0)
					z->pool_overdrawn++;
			mark_dirty(m, z, b);
			f -= n;
			z->pages_guessed += n;
		}
		pool_pieces(m, z, f, pieces);
		pool_take(m, z, pieces);
		z->pages_guessed += place(m, z, b, pieces);
		for (int o = 0; o < m->pbo; o++)
			pool_add(m, z, o, pieces[o]);	/* found no place: still somewhere else */
		mark_dirty(m, z, b);
	}
	pb->flags |= PB_MATERIALIZED;
	est(z)->materialized++;
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
	if (!est(z)->pcp || !est(z)->ncpu)
		return NULL;
	if (cpu < 0)
		cpu = 0;
	return &est(z)->pcp[(uint32_t)cpu < est(z)->ncpu ? (uint32_t)cpu : (uint32_t)cpu % est(z)->ncpu];
}

/* A block leaves the held state into the buddy free lists. */
static void to_buddy(struct ct_model *m, struct mzone *z, uint64_t pfn, int order)
{
	uint64_t b;
	uint32_t off;

	if (pfn == NO_PFN) {
		pool_add(m, z, order, 1);
		return;
	}
	if (pfn < z->start || pfn >= z->end)
		return;
	b = pb_of(m, z, pfn);
	if (order >= m->pbo) {	/* a whole pageblock or more: every block it covers */
		for (uint64_t i = 0; i < (1ULL << (order - m->pbo)) && b + i < z->npb; i++) {
			uint32_t lo, hi;

			block_valid(m, z, b + i, &lo, &hi);
			clear_bits(hw(z, b + i), lo, hi - lo);
			set_bits(fw(z, b + i), lo, hi - lo);
			mark_dirty(m, z, b + i);
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
		pool_add(m, z, 0, popcount64(e->mask));
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
			pool_add(m, z, 0, (int64_t)n);
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

			l->head = (l->head + 1) & (l->cap - 1);
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
static int pcp_push(struct ct_model *m, struct mzone *z, int cpu, const struct pcp_entry *e)
{
	struct pcp_list *l = pcp_of(z, cpu);

	if (!l || (!e->mask && e->order > PAGE_ALLOC_COSTLY_ORDER && e->order != m->pbo)) {
		entry_to_buddy(m, z, e);
		return 0;
	}
	if (l->len == l->cap) {
		uint32_t ncap = l->cap ? l->cap * 2 : 1024;
		struct pcp_entry *nq = malloc(ncap * sizeof(*nq));

		if (!nq) {
			m->nomem = 1;
			entry_to_buddy(m, z, e);
			return -CT_E_NOMEM;
		}
		for (uint32_t i = 0; i < l->len; i++)
			nq[i] = l->q[(l->head + i) & (l->cap - 1)];
		free(l->q);
		l->q = nq;
		l->head = 0;
		l->cap = ncap;
	}
	l->q[(l->head + l->len) & (l->cap - 1)] = *e;
	l->len++;
	l->pages += entry_pages(e);
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
static uint64_t est_pcp_settle(struct ct_model *m, struct mzone *z, const struct ct_memsnap_zone *end)
{
	uint64_t drained = 0;

	if (!est(z)->pcp || !end || !end->has_zoneinfo || end->pcp_cpus != est(z)->ncpu)
		return 0;
	for (uint32_t i = 0; i < est(z)->ncpu; i++) {
		struct pcp_list *l = &est(z)->pcp[i];
		uint64_t want = i < CT_MEMSNAP_PCP_CPUS ? end->pcp[i].count : end->pcp_count / end->pcp_cpus;

		if (l->pages > want) {
			drained += l->pages - want;
			pcp_pop_to_buddy(m, z, l, l->pages - want);
		}
	}
	return drained;
}

/* drain_all_pages(): every CPU's lists of the zone go back to the buddy lists */
static void est_pcp_drain_all(struct ct_model *m, struct mzone *z)
{
	for (uint32_t i = 0; est(z)->pcp && i < est(z)->ncpu; i++)
		pcp_pop_to_buddy(m, z, &est(z)->pcp[i], est(z)->pcp[i].pages);
}

static void est_pcp_drain_cpu(struct ct_model *m, struct mzone *z, int cpu)
{
	struct pcp_list *l = pcp_of(z, cpu);

	if (l)
		pcp_pop_to_buddy(m, z, l, l->pages);
}

static uint64_t est_pcp_pages(const struct mzone *z)
{
	uint64_t n = 0;

	for (uint32_t i = 0; est(z)->pcp && i < est(z)->ncpu; i++)
		n += est(z)->pcp[i].pages;
	return n;
}

/* ---- setup ---------------------------------------------------------------- */

static int est_seed_free_map(struct ct_model *m, struct mzone *z, const struct ct_memsnap *snap);
static int est_seed_kpageflags(struct ct_model *m, struct mzone *z, const struct ct_memsnap *snap);

/*
 * The pool holds the start counts; per-CPU lists as zoneinfo has them; the
 * pageblocks from the free map, or else the kpageflags summary, when @snap
 * has one (then z->seeding says which).
 */
static int est_init(struct ct_model *m, struct mzone *z, const struct ct_memsnap *snap)
{
	const struct ct_memsnap_zone *s = z->snap_start;
	struct est_zone *e = calloc(1, sizeof(*e));

	if (!e)
		return -CT_E_NOMEM;
	z->be = e;
	est(z)->wpb = (uint32_t)((m->pb_pages + 63) / 64);
	est(z)->freeb = calloc(z->npb * est(z)->wpb, sizeof(uint64_t));
	est(z)->heldb = calloc(z->npb * est(z)->wpb, sizeof(uint64_t));
	est(z)->cache = calloc(z->npb * (uint64_t)(m->pbo ? m->pbo : 1), sizeof(*est(z)->cache));
	e->has_words = (z->npb + 63) / 64;
	e->has = calloc(e->has_words * (uint64_t)(m->pbo ? m->pbo : 1), sizeof(*e->has));
	if (!est(z)->freeb || !est(z)->heldb || !est(z)->cache || !e->has)
		return -CT_E_NOMEM;
	if (z->seeded)
		for (int o = 0; o < m->norders; o++)
			pool_add(m, z, o, (int64_t)z->seed[o]);
	if (s && s->has_zoneinfo && s->pcp_cpus) {
		est(z)->ncpu = s->pcp_cpus;
		est(z)->pcp = calloc(est(z)->ncpu, sizeof(*est(z)->pcp));
		if (!est(z)->pcp)
			return -CT_E_NOMEM;
		for (uint32_t i = 0; i < est(z)->ncpu; i++) {
			struct pcp_list *l = &est(z)->pcp[i];

			if (i < CT_MEMSNAP_PCP_CPUS && s->pcp_cpus <= CT_MEMSNAP_PCP_CPUS) {
				l->unknown = s->pcp[i].count;
				l->high = s->pcp[i].high;
				l->batch = s->pcp[i].batch ? s->pcp[i].batch : 63;
			} else {	/* more CPUs than kept one by one: the average */
				l->unknown = s->pcp_count / est(z)->ncpu;
				l->high = (uint32_t)(s->pcp_high / est(z)->ncpu);
				l->batch = 63;
			}
			l->pages = l->unknown;
		}
	}
	if (z->seeded && has_free_map(snap, z) && est_seed_free_map(m, z, snap) == 0)
		z->seeding = CT_SEED_FREE_MAP;
	else if (z->seeded && snap && snap->nkpf && snap->kpf_pageblock_order == m->pbo &&
		 est_seed_kpageflags(m, z, snap) == 0)
		z->seeding = CT_SEED_KPAGEFLAGS;
	return 0;
}

static void est_release(struct mzone *z)
{
	struct est_zone *e = z->be;

	if (!e)
		return;
	free(e->freeb);
	free(e->heldb);
	free(e->cache);
	free(e->has);
	free(e->dirty);
	for (uint32_t i = 0; e->pcp && i < e->ncpu; i++)
		free(e->pcp[i].q);
	free(e->pcp);
	free(e);
	z->be = NULL;
}

/* Put a page that was on a per-CPU list at the start on one, oldest first. */
static int pcp_seed(struct ct_model *m, struct mzone *z, uint64_t pfn, uint32_t *next_cpu)
{
	struct pcp_list *l;
	uint64_t b = pb_of(m, z, pfn);

	/* which CPU's list held it is not known: fill them in turn */
	while (est(z)->pcp && *next_cpu < est(z)->ncpu && !est(z)->pcp[*next_cpu].unknown)
		(*next_cpu)++;
	l = est(z)->pcp && *next_cpu < est(z)->ncpu ? &est(z)->pcp[*next_cpu] : NULL;
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

static int est_seed_free_map(struct ct_model *m, struct mzone *z, const struct ct_memsnap *snap)
{
	const struct ct_memsnap_free_map *map = &snap->free_map;
	int64_t before[MAX_ORDERS];
	uint64_t placed = 0;
	uint32_t cpu = 0;

	keep_totals_begin(m, z, before);
	for (uint64_t b = 0; b < z->npb; b++) {
		uint64_t *f = fw(z, b), first = block_pfn(m, z, b);
		uint32_t lo, hi, nf = 0;

		block_valid(m, z, b, &lo, &hi);
		/* 64 pfns at a time: the word of the free bitmap they make */
		for (uint32_t a = lo, e; a < hi; a = e) {
			uint64_t cl, ch, fr;

			e = (a / 64 + 1) * 64 < hi ? (a / 64 + 1) * 64 : hi;
			ct_memsnap_class_planes(map, first + a, e - a, &cl, &ch);
			fr = cl & ~ch;
			f[a / 64] |= fr << (a % 64);
			placed += (uint64_t)popcount64(fr);
			/* a hole: no struct page, or a whole pageblock of flagless ones */
			nf += (uint32_t)popcount64(ch);	/* CT_PFN_NOFLAGS and CT_PFN_NOPAGE */
		}
		/*
		 * Flagless pages are per-CPU list pages or unflagged allocations; a
		 * whole pageblock of them is a hole (memory the zone spans but has
		 * not). Up to the lists' size, they are taken to be on the lists.
		 */
		if (nf == hi - lo)
			z->pb[b].flags |= PB_HOLE;
		if (nf && nf < hi - lo) {
			for (uint32_t a = lo, e; a < hi; a = e) {
				uint64_t cl, ch, nofl;

				e = (a / 64 + 1) * 64 < hi ? (a / 64 + 1) * 64 : hi;
				ct_memsnap_class_planes(map, first + a, e - a, &cl, &ch);
				for (nofl = ch & ~cl; nofl; nofl &= nofl - 1) {
					int ret = pcp_seed(m, z, first + a + (uint64_t)__builtin_ctzll(nofl), &cpu);

					if (ret < 0)
						return ret;
				}
			}
		}
		mark_dirty(m, z, b);
		z->pb[b].flags |= PB_MATERIALIZED;
	}
	for (uint32_t i = 0; est(z)->pcp && i < est(z)->ncpu; i++)
		est(z)->pcp[i].pages = est(z)->pcp[i].unknown + est(z)->pcp[i].len;
	est(z)->materialized = z->npb;
	keep_totals_end(m, z, before);
	return placed ? 0 : -CT_E_INVAL;
}

static int est_seed_kpageflags(struct ct_model *m, struct mzone *z, const struct ct_memsnap *snap)
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
		est(z)->materialized++;
	}
	return placed ? 0 : -CT_E_INVAL;
}

/* ---- compaction ------------------------------------------------------------ */

/* Set bits of @w in [lo, hi): exact below @enough, else some number >= @enough. */
static uint32_t count_upto(const uint64_t *w, uint32_t lo, uint32_t hi, uint64_t enough)
{
	uint32_t c = 0, first = lo / 64, last = (hi - 1) / 64;

	for (uint32_t wi = first; hi > lo && wi <= last && c < enough; wi++) {
		uint64_t x = w[wi];

		if (!x)
			continue;	/* most words of a scanned range are empty */
		if (wi == first)
			x &= ~0ULL << (lo % 64);
		if (wi == last && hi % 64)
			x &= (1ULL << (hi % 64)) - 1;
		c += popcount64(x);
	}
	return c;
}

/* Clip [start, end) to pageblock @b and the zone: offsets [*lo, *hi). */
static inline void clip(const struct ct_model *m, const struct mzone *z, uint64_t b, uint64_t start,
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

static void est_migrate_isolate(struct ct_model *m, struct mzone *z, struct mrun *r, uint64_t start,
				uint64_t end, uint64_t scanned, uint64_t taken)
{
	uint64_t b = pb_of(m, z, start);
	uint64_t *f, *h;
	uint32_t lo, hi, used = 0, got = 0;

	if (b >= z->npb)
		return;
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
	/* allocated pages in the range: only whether fewer, as many or more than taken matters, or how many fewer */
	for (uint32_t wi = lo / 64; hi > lo && wi <= (hi - 1) / 64 && used <= taken; wi++)
		used += popcount64(~(f[wi] | h[wi]) & range_mask(wi, lo, hi));
	if (used < taken && hi > lo) {
		/* the guess put free pages where the scanner found movable ones: they are elsewhere */
		for (uint32_t wi = lo / 64; wi <= (hi - 1) / 64 && used < taken; wi++) {
			uint32_t nsel;
			uint64_t sel = lowest_bits(f[wi] & range_mask(wi, lo, hi), taken - used, &nsel);

			fword(m, z, b, wi, sel, 0);
			pool_add(m, z, 0, nsel);
			used += nsel;
			z->layout_corrections += nsel;
		}
	}
	/* the scanner takes movable pages in pfn order: the first allocated ones, a word at a time */
	for (uint32_t wi = lo / 64; hi > lo && wi <= (hi - 1) / 64 && got < taken; wi++) {
		uint32_t nsel;
		uint64_t sel = lowest_bits(~(f[wi] | h[wi]) & range_mask(wi, lo, hi), taken - got, &nsel);

		if (!sel)
			continue;
		h[wi] |= sel;
		if (run_add_mask(m, &r->iso, &r->niso, &r->iso_cap,
				 (struct pcp_entry){ block_pfn(m, z, b) + wi * 64, sel, 0 }) < 0)
			break;
		got += nsel;
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

/*
 * Entries of one order by pfn, highest first: a natural merge sort. The
 * free scanner appends in rising pfns, runs that are reversed here; the
 * list kept from the last sort is one run already. @tmp holds @n entries.
 */
static void sort_pfn_desc(struct pcp_entry *a, uint32_t n, struct pcp_entry *tmp)
{
	struct pcp_entry *src = a, *dst = tmp, *t;
	uint32_t i = 0;

	while (i < n) {	/* rising runs turned around */
		uint32_t j = i + 1;

		while (j < n && a[j - 1].pfn < a[j].pfn)
			j++;
		for (uint32_t x = i, y = j - 1; x < y; x++, y--) {
			struct pcp_entry e = a[x];

			a[x] = a[y];
			a[y] = e;
		}
		i = j;
	}
	for (;;) {
		uint32_t runs = 0, k = 0, lo = 0;

		while (lo < n) {	/* merge each pair of runs into @dst */
			uint32_t mid = lo + 1, hi, x, y;

			while (mid < n && src[mid - 1].pfn >= src[mid].pfn)
				mid++;
			hi = mid < n ? mid + 1 : mid;
			while (hi < n && src[hi - 1].pfn >= src[hi].pfn)
				hi++;
			for (x = lo, y = mid; x < mid || y < hi;)
				dst[k++] = y >= hi || (x < mid && src[x].pfn >= src[y].pfn) ? src[x++] : src[y++];
			runs++;
			lo = hi;
		}
		t = src;
		src = dst;
		dst = t;
		if (runs <= 1)
			break;
	}
	if (src != a)
		memcpy(a, src, n * sizeof(*a));
}

#define SORT_ORDERS 32

/*
 * Sort the run's free list by cmp_order_desc(), spent entries dropped first
 * (nothing uses them): by order with a counting pass, then by pfn within
 * each order only where that is not already so. Entries equal in order and
 * pfn are equal in every field, so the result is the one any sort gives.
 */
static void sort_free_list(struct mrun *r)
{
	uint32_t count[SORT_ORDERS] = { 0 }, at[SORT_ORDERS], n = 0, pos = 0, i;
	struct pcp_entry *tmp;
	int sorted = 1, big = 0;

	for (i = 0; i < r->nfl; i++) {
		struct pcp_entry e = r->fl[i];
		uint32_t o = e.mask ? 0 : e.order;

		if (e.order == 0xff && !e.mask)
			continue;	/* spent */
		if (n && cmp_order_desc(&r->fl[n - 1], &e) > 0)
			sorted = 0;
		if (o < SORT_ORDERS)
			count[o]++;
		else
			big = 1;
		r->fl[n++] = e;
	}
	r->nfl = n;
	if (sorted)
		return;
	tmp = big ? NULL : malloc(n * sizeof(*tmp));
	if (!tmp) {
		qsort(r->fl, n, sizeof(*r->fl), cmp_order_desc);
		return;
	}
	for (int o = SORT_ORDERS - 1; o >= 0; o--) {
		at[o] = pos;
		pos += count[o];
	}
	for (i = 0; i < n; i++)
		tmp[at[r->fl[i].mask ? 0 : r->fl[i].order]++] = r->fl[i];
	memcpy(r->fl, tmp, n * sizeof(*tmp));
	for (int o = SORT_ORDERS - 1; o >= 0; o--) {
		uint32_t lo = at[o] - count[o];

		for (i = lo + 1; i < at[o] && r->fl[i - 1].pfn >= r->fl[i].pfn; i++)
			;
		if (i < at[o])
			sort_pfn_desc(r->fl + lo, count[o], tmp);
	}
	free(tmp);
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
static void est_migrated(struct ct_model *m, struct mzone *z, struct mrun *r, uint64_t migrated)
{
	uint64_t left = migrated;

	for (uint32_t i = 0; i < r->niso; i++) {
		struct pcp_entry e = r->iso[i];
		uint32_t n;
		uint64_t moved = lowest_bits(e.mask, left, &n), b = pb_of(m, z, e.pfn);

		left -= n;
		z->pb[b].migrated_out += n;
		hw(z, b)[(e.pfn - block_pfn(m, z, b)) / 64] &= ~(e.mask & ~moved);
		if (moved) {
			e.mask = moved;
			pcp_push(m, z, r->cpu, &e);
		}
	}
	r->niso = 0;
	left = migrated;
	/* single pages first, in isolation order: compaction_alloc() takes order-0 pages before splitting */
	for (uint32_t i = 0; i < r->nfl && left; i++) {
		struct pcp_entry *e = &r->fl[i];
		uint64_t used;
		uint32_t n;

		if (!e->mask)
			continue;
		used = lowest_bits(e->mask, left, &n);
		if (e->pfn != NO_PFN)
			z->pb[pb_of(m, z, e->pfn)].migrated_in += (uint32_t)entry_used(m, z, e, used);
		left -= n;
		e->mask &= ~used;
		if (!e->mask)
			e->pfn = NO_PFN, e->order = 0xff;	/* spent: dropped below */
	}
	if (left) {
		/* then blocks, smallest first; popping from the end, a split's halves come back smaller */
		sort_free_list(r);
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

/*
 * The highest free block of exactly order @k (< pbo) in pageblock @b's
 * bitmap: its offset, or UINT32_MAX. A block of order k is an aligned run
 * of 2^k free pages whose buddy run is not all free (else they would be
 * one larger block). Below order 6 a word at a time: g marks the aligned
 * runs that are all free, and a run counts when its buddy's mark is clear.
 */
static uint32_t highest_block(const struct ct_model *m, const struct mzone *z, uint64_t b, int k)
{
	static const uint64_t pairs[6] = {	/* the first run of each aligned pair of 2^k bits */
		0x5555555555555555ULL, 0x1111111111111111ULL, 0x0101010101010101ULL,
		0x0001000100010001ULL, 0x0000000100000001ULL, 0x1ULL,
	};
	const uint64_t *f = fw(z, b);
	uint32_t size = 1u << k, words = (uint32_t)((m->pb_pages + 63) / 64);

	if (k < 6 && m->pb_pages >= 64) {
		for (uint32_t wi = words; wi-- > 0;) {
			uint64_t g = f[wi], cand;

			for (int j = 0; j < k; j++)
				g &= g >> (1u << j);
			/* a run and its buddy are both all free: a larger block, not this one */
			cand = (g & pairs[k] & ~(g >> size)) | (g & (pairs[k] << size) & ~(g << size));
			if (cand)
				return wi * 64 + 63 - (uint32_t)__builtin_clzll(cand);
		}
		return UINT32_MAX;
	}
	for (uint32_t off = (uint32_t)m->pb_pages - size;; off -= size) {
		if (bits_one(f, off, size) && !bits_one(f, off ^ size, size))
			return off;
		if (!off)
			return UINT32_MAX;
	}
}

#define FAST_SCAN_PAGEBLOCKS 256	/* a free list's search does not go on for ever either */

/*
 * fast_isolate_freepages() takes one free block off the free lists: its
 * pages are the event's nr_taken, so its order is known, and the range is
 * where it searched (up to the free scanner), not where the block was.
 * Blocks of the pool first: no event placed them, and a free list holds
 * them as well as any. Then the highest such block a modelled pageblock
 * holds, near the top of the range as the kernel prefers; then a larger
 * pooled block, split as expand() splits it. Returns 0 when the model has
 * no block to give: the caller takes the pages as the linear scanner would.
 */
static int fast_take(struct ct_model *m, struct mzone *z, struct mrun *r, uint64_t start, uint64_t end, int k)
{
	struct est_zone *e = est(z);
	uint64_t lo_b, b;

	if (k >= m->norders)
		return 0;
	if (e->pool[k] > 0) {
		pool_add(m, z, k, -1);
		run_add_free(m, r, NO_PFN, k);
		return 1;
	}
	if (start < z->start)
		start = z->start;
	if (end > z->end || end <= start)
		end = z->end;
	lo_b = pb_of(m, z, start);
	b = pb_of(m, z, end - 1);
	if (b - lo_b >= FAST_SCAN_PAGEBLOCKS)
		lo_b = b - FAST_SCAN_PAGEBLOCKS + 1;
	if (k < m->pbo) {
		/* the highest pageblock of the range whose counts have a block of order k: those counted first */
		const uint64_t *map = e->has + (uint64_t)k * e->has_words;
		uint32_t off;

		flush_range(m, z, lo_b, b);
		for (;;) {
			uint64_t bits = map[b / 64] & (b % 64 == 63 ? ~0ULL : (2ULL << (b % 64)) - 1);

			if (bits) {
				b = b / 64 * 64 + 63 - (uint64_t)__builtin_clzll(bits);
				break;
			}
			if (b / 64 == 0 || b / 64 * 64 <= lo_b)
				break;
			b = b / 64 * 64 - 1;
		}
		if (b >= lo_b && (map[b / 64] >> (b % 64) & 1) && (off = highest_block(m, z, b, k)) != UINT32_MAX) {
			fchange(m, z, b, off, k, 0);
			set_bits(hw(z, b), off, 1u << k);
			z->pb[b].free_taken += 1u << k;
			run_add_free(m, r, block_pfn(m, z, b) + off, k);
			return 1;
		}
	}
	for (int K = k + 1; K < m->norders; K++) {
		if (e->pool[K] <= 0)
			continue;
		pool_add(m, z, K, -1);
		while (K-- > k)
			pool_add(m, z, K, 1);
		run_add_free(m, r, NO_PFN, k);
		return 1;
	}
	return 0;
}

static void est_free_isolate(struct ct_model *m, struct mzone *z, struct mrun *r, uint64_t start,
			     uint64_t end, uint64_t scanned, uint64_t taken, int fast)
{
	uint64_t b = pb_of(m, z, start), got = 0;
	uint64_t *f, *h;
	uint32_t lo, hi, have;

	(void)scanned;
	if (b >= z->npb || !taken)
		return;
	if (fast && !(taken & (taken - 1)) && fast_take(m, z, r, start, end, __builtin_ctzll(taken)))
		return;
	if (fast || (!(z->pb[b].flags & PB_MATERIALIZED) && z->seeding <= CT_SEED_COUNTS)) {
		/*
		 * No per-pageblock seed: where in the pageblock the free pages
		 * were is a guess the free scanner's next steps would keep
		 * correcting; their sizes come from the pool and they leave it
		 * without a place. The pageblock stays pooled. So do the pages of
		 * a fast isolation the model has no such block for: its range is
		 * where it searched, not where it took them.
		 */
		uint32_t pieces[MAX_ORDERS];

		uint32_t got_orders = pool_pieces(m, z, (uint32_t)taken, pieces);

		pool_take_orders(m, z, pieces, got_orders);
		for (uint32_t n = pieces[0]; n; n -= n < 64 ? n : 64)
			run_add_mask(m, &r->fl, &r->nfl, &r->fl_cap,
				     (struct pcp_entry){ NO_PFN, n < 64 ? (1ULL << n) - 1 : ~0ULL, 0 });
		for (uint32_t left = got_orders & ~1u; left; left &= left - 1)
			for (uint32_t n = pieces[__builtin_ctz(left)]; n; n--)
				run_add_free(m, r, NO_PFN, __builtin_ctz(left));
		z->pb[b].free_taken += (uint32_t)taken;
		z->pages_guessed += taken;
		return;
	}
	clip(m, z, b, start, end, &lo, &hi);
	if (!(z->pb[b].flags & PB_MATERIALIZED)) {
		/* the pages taken were free where the scanner took them: put them there */
		struct mat_hint hint = { NO_PFN, -1, lo, hi, (uint32_t)taken };
		uint32_t avg = pool_average(m, z);

		materialize_guess(m, z, b, (uint32_t)(taken > avg ? taken : avg), &hint);
	}
	f = fw(z, b);
	h = hw(z, b);
	have = count_upto(f, lo, hi, taken);
	if (have < taken && !block_whole(m, z, b)) {
		/* the scanner found more free pages here than the guess holds: they come from the pool */
		uint32_t want = (uint32_t)(taken - have), pieces[MAX_ORDERS];
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
		drawn[0] = place_in_range(m, z, b, pieces[0], lo, hi, 1, 2);
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
				uint32_t nsel;
				uint64_t sel = lowest_bits(f[wi] & range_mask(wi, i, wend), taken - got, &nsel);

				fword(m, z, b, wi, sel, 0);
				h[wi] |= sel;
				if (run_add_mask(m, &r->fl, &r->nfl, &r->fl_cap,
						 (struct pcp_entry){ block_pfn(m, z, b) + wi * 64, sel, 0 }) < 0)
					break;
				got += nsel;
				i = got < taken ? next_set(f, wend, hi) : (sel ? wi * 64 + 64 - (uint32_t)__builtin_clzll(sel) : wend);
				continue;
			}
			/* the canonical block starting at i: the largest aligned, fully free, inside the range */
			for (o = 0; (int)o < m->pbo; o++) {
				uint32_t n = 2u << o;

				if (i % n || i + n > hi || !bits_one(f, i, n) || got + n > taken)
					break;
			}
			if (o == 0) {	/* a single page: its buddy is not free, the word path counts it */
				fword(m, z, b, wi, 1ULL << (i % 64), 0);
				h[wi] |= 1ULL << (i % 64);
			} else {
				fchange(m, z, b, i, (int)o, 0);
				set_bits(h, i, 1u << o);
			}
			if (run_add_free(m, r, block_pfn(m, z, b) + i, (int)o) < 0)
				break;
			got += 1u << o;
			i = next_set(f, i + (1u << o), hi);
		}
		/*
		 * The scanner takes every free page it passes, and so did this
		 * loop: from the first free page at or after lo, each block or
		 * word in turn. No free page of the guess is left before i.
		 */
	}
	z->pb[b].free_taken += (uint32_t)got;
	if (got < taken) {
		/* still short: pages the model cannot place leave the pool */
		uint32_t pieces[MAX_ORDERS];

		pool_pieces(m, z, (uint32_t)(taken - got), pieces);
		for (int o = 0; o < m->pbo; o++) {
			pool_add(m, z, o, -(int64_t)pieces[o]);
			for (uint32_t k = 0; k < pieces[o]; k++)
				run_add_free(m, r, NO_PFN, o);
		}
		z->pages_guessed += taken - got;
	}
}

static void est_run_end(struct ct_model *m, struct mzone *z, struct mrun *r)
{
	/* pages isolated for migration but never migrated go back */
	for (uint32_t i = 0; i < r->niso; i++) {
		uint64_t b = pb_of(m, z, r->iso[i].pfn);

		hw(z, b)[(r->iso[i].pfn - block_pfn(m, z, b)) / 64] &= ~r->iso[i].mask;
	}
	r->niso = 0;
	/* release_free_list(): unused free pages are freed; small orders via the per-CPU lists */
	for (uint32_t i = 0; i < r->nfl; i++)
		pcp_push(m, z, r->cpu, &r->fl[i]);
	r->nfl = 0;
}

/* A run the trace did not begin: nothing comes back, what it isolated stays taken. */
static void est_run_drop(struct ct_model *m, struct mzone *z, struct mrun *r)
{
	est_migrated(m, z, r, 0);
	for (uint32_t i = 0; i < r->nfl; i++)
		entry_used(m, z, &r->fl[i], r->fl[i].mask);
	r->nfl = 0;
}

static void est_extfrag(struct ct_model *m, struct mzone *z, uint64_t pfn, int alloc_order, int fallback_order)
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
			pool_add(m, z, (int)fo, -1);
		}
		clear_bits(hw(z, b), foff, 1u << fo);
		fchange(m, z, b, foff, (int)fo, 1);
		z->layout_corrections += 1u << fo;
	}
	fchange(m, z, b, off, alloc_order < m->pbo ? alloc_order : m->pbo, 0);
}

static uint32_t est_block_free(const struct ct_model *m, const struct mzone *z, uint64_t b)
{
	(void)m;
	return popcount_block(fw(z, b), est(z)->wpb);
}

static uint32_t est_block_held(const struct ct_model *m, const struct mzone *z, uint64_t b)
{
	(void)m;
	return popcount_block(hw(z, b), est(z)->wpb);
}

static uint32_t est_block_used(const struct ct_model *m, const struct mzone *z, uint64_t b)
{
	uint32_t lo, hi, busy = est_block_free(m, z, b) + est_block_held(m, z, b);

	block_valid(m, z, b, &lo, &hi);
	return hi - lo > busy ? hi - lo - busy : 0;
}

/* Free (FREE), held (PCP: isolated or on a list), hole or allocated (USED), pfn by pfn. */
static void est_block_states(const struct ct_model *m, const struct mzone *z, uint64_t b, uint8_t *out)
{
	uint32_t lo, hi;

	block_valid(m, z, b, &lo, &hi);
	for (uint32_t i = 0; i < m->pb_pages; i++) {
		if (i < lo || i >= hi)
			out[i] = CT_PAGE_HOLE;	/* outside the zone */
		else if (bit(fw(z, b), i))
			out[i] = CT_PAGE_FREE;
		else if (bit(hw(z, b), i))
			out[i] = CT_PAGE_PCP;
		else if (z->pb[b].flags & PB_HOLE)
			out[i] = CT_PAGE_HOLE;
		else
			out[i] = CT_PAGE_USED;
	}
}

static int est_block_modelled(const struct mzone *z, uint64_t b)
{
	return !!(z->pb[b].flags & PB_MATERIALIZED);
}

/*
 * The counts agree with the bitmaps: small[] is the sum of the pageblocks'
 * counted shares, each pageblock not marked dirty has the share and the
 * PB_WHOLE its bitmap gives, and full[] counts the groups PB_WHOLE makes.
 */
static int est_check(const struct ct_model *m, const struct mzone *z)
{
	int64_t small[MAX_ORDERS] = { 0 }, full[MAX_ORDERS + 1] = { 0 };
	uint64_t ndirty = 0;

	for (uint64_t b = 0; b < z->npb; b++) {
		const uint16_t *cached = est(z)->cache + b * (uint64_t)m->pbo;
		int32_t c[MAX_ORDERS + 1];
		uint32_t lo, hi;
		int whole;

		canon(m, z, b, c);
		for (int o = 0; o < m->pbo; o++)
			small[o] += cached[o];
		block_valid(m, z, b, &lo, &hi);
		whole = c[m->pbo] == 1 && lo == 0 && hi == m->pb_pages;
		if (z->pb[b].flags & PB_DIRTY) {
			ndirty++;
		} else {
			if (whole != !!(z->pb[b].flags & PB_WHOLE))
				return -CT_E_INVAL;
			for (int o = 0; o < m->pbo; o++)
				if (c[o] != cached[o] ||
				    !!cached[o] != (int)(est(z)->has[(uint64_t)o * est(z)->has_words + b / 64] >> (b % 64) & 1))
					return -CT_E_INVAL;
		}
		if (!(z->pb[b].flags & PB_MATERIALIZED) && (c[m->pbo] || popcount_block(fw(z, b), est(z)->wpb)))
			return -CT_E_INVAL;	/* a pooled pageblock holds no placed page */
		/* free and held never overlap */
		for (uint32_t i = 0; i < est(z)->wpb; i++)
			if (fw(z, b)[i] & hw(z, b)[i])
				return -CT_E_INVAL;
	}
	if (ndirty != est(z)->ndirty)
		return -CT_E_INVAL;
	for (int l = m->pbo; l < m->norders; l++) {
		uint64_t n = 1ULL << (l - m->pbo);

		for (uint64_t abs = (z->pb0 + n - 1) & ~(n - 1); abs + n <= z->pb0 + z->npb; abs += n)
			full[l] += group_full(m, z, abs, l);
	}
	for (int o = 0; o < m->pbo; o++)
		if (small[o] != est(z)->small[o])
			return -CT_E_INVAL;
	for (int l = m->pbo; l < m->norders; l++)
		if (full[l] != est(z)->full[l])
			return -CT_E_INVAL;
	return 0;
}

/*
 * Free pages the model holds as allocated turn out to be free (an event says
 * so): where were they? Pages of a per-CPU list nobody knew the place of
 * at the start first (kpageflags shows them without flags, as allocated;
 * one the list is left with fewer), then single pages of the pool (the
 * model had them free elsewhere). Returns how many were found; the rest
 * are free pages the model did not know of.
 */
static uint64_t unplaced_free(struct ct_model *m, struct mzone *z, uint64_t n)
{
	struct est_zone *e = est(z);
	uint64_t got = 0;

	for (uint32_t i = 0; e->pcp && i < e->ncpu && got < n; i++) {
		struct pcp_list *l = &e->pcp[i];
		uint64_t k = l->unknown < n - got ? l->unknown : n - got;

		l->unknown -= k;
		l->pages -= k;
		got += k;
	}
	if (got < n && e->pool[0] > 0) {
		uint64_t k = (uint64_t)e->pool[0] < n - got ? (uint64_t)e->pool[0] : n - got;

		pool_add(m, z, 0, -(int64_t)k);
		got += k;
	}
	return got;
}

/* Take a free block of @order or more from the pool as __rmqueue_smallest() does: the smallest, split. */
static int pool_alloc(struct ct_model *m, struct mzone *z, int order)
{
	struct est_zone *e = est(z);

	for (int k = order; k < m->norders; k++) {
		if (e->pool[k] <= 0)
			continue;
		pool_add(m, z, k, -1);
		while (k-- > order)
			pool_add(m, z, k, 1);	/* expand(): the upper halves go back */
		return 1;
	}
	return 0;
}

/*
 * A run ended in success at @order: compact_finished() found a free block of
 * @order or more (of a type the allocation may use), or the direct
 * compactor captured one as it formed (compaction_capture()). It checks
 * only when the migrate scanner has finished a pageblock, so with @order
 * of a pageblock or more, the block is the pageblock the scanner finished
 * last, just emptied: the last one it isolated from before @migrate_end's
 * pageblock (the capture happens as that one's pages are drained, after
 * which the scanner may isolate a little more from the next). What the
 * guess still has allocated there was free: pages of the per-CPU lists,
 * freed when they were drained, or freed by their owners (when the guess
 * has at most half of it allocated; else it is too far off to say which
 * block, and the pool gives one). With @alloc the allocation the run was
 * for takes the block: captured, or the next free-list attempt, which takes
 * the smallest free block of @order or more, this one. Below a pageblock's
 * order the block is taken from the pool as the free lists give it.
 */
static void est_success(struct ct_model *m, struct mzone *z, struct mrun *r, int order, uint64_t migrate_end,
			int alloc)
{
	uint64_t b = UINT64_MAX;
	uint32_t lo, hi;

	if (order < 0 || order >= m->norders)
		return;
	if (order == m->pbo) {
		/* the pageblock before the one the scanner ended in, if the run visited it */
		uint64_t end_b = migrate_end > z->start && migrate_end <= z->end ? pb_of(m, z, migrate_end - 1) : UINT64_MAX;

		for (uint32_t i = r->nvisited; i-- > 0 && b == UINT64_MAX;)
			if (r->visited[i] < end_b || (r->visited[i] == end_b && !(migrate_end & (m->pb_pages - 1))))
				b = r->visited[i];
	}
	if (b != UINT64_MAX && (z->pb[b].flags & PB_MATERIALIZED) && !est_block_held(m, z, b)) {
		uint32_t used;

		block_valid(m, z, b, &lo, &hi);
		used = est_block_used(m, z, b);
		if (lo == 0 && hi == m->pb_pages && used <= m->pb_pages / 2) {
			/* the block: its allocated pages were free */
			if (used && !alloc) {
				z->layout_corrections += used;
				z->pages_guessed += used - unplaced_free(m, z, used);
			} else if (used) {
				unplaced_free(m, z, used);	/* taken with the block */
			}
			if (alloc)
				clear_bits(fw(z, b), 0, (uint32_t)m->pb_pages);
			else
				set_bits(fw(z, b), 0, (uint32_t)m->pb_pages);
			mark_dirty(m, z, b);
			return;
		}
	}
	if (alloc && !pool_alloc(m, z, order))
		z->pool_overdrawn++;	/* the model has no such block: it missed the frees that made one */
}

/*
 * Free blocks of order @o (at most a pageblock's) the pageblock bitmaps hold
 * become allocated, lowest pageblocks first, at most @max of them; with
 * @part (< 2^@o) only the first @part pages of one. Returns the blocks taken.
 */
static uint64_t take_placed(struct ct_model *m, struct mzone *z, int o, uint64_t max, uint32_t part)
{
	struct est_zone *e = est(z);
	uint64_t taken = 0;

	if (o > m->pbo)
		return 0;
	flush(m, z);	/* the counts, and which pageblocks have blocks of order o, up to date */
	for (uint64_t wi = 0; wi < e->has_words && taken < max; wi++) {
		/* whole pageblocks: PB_WHOLE; smaller blocks: the pageblocks' maps */
		uint64_t bits = 0;

		if (o < m->pbo) {
			bits = e->has[(uint64_t)o * e->has_words + wi];
		} else {
			for (uint64_t b = wi * 64; b < wi * 64 + 64 && b < z->npb; b++)
				bits |= (uint64_t)!!(z->pb[b].flags & PB_WHOLE) << (b % 64);
		}
		for (; bits && taken < max; bits &= bits - 1) {
			uint64_t b = wi * 64 + (uint64_t)__builtin_ctzll(bits);
			uint32_t off;

			while (taken < max && (off = o == m->pbo ? (block_whole(m, z, b) ? 0 : UINT32_MAX) :
						    highest_block(m, z, b, o)) != UINT32_MAX) {
				if (part) {
					clear_bits(fw(z, b), off, part);
					mark_dirty(m, z, b);
					return 1;
				}
				fchange(m, z, b, off, o, 0);
				taken++;
			}
		}
	}
	return taken;
}

/*
 * Free pages the events did not show came (@pages > 0) or went: as single
 * pages, which the page allocator frees to and takes from first (the
 * per-CPU lists refill from the smallest blocks); pages that go leave the
 * smallest blocks first, pooled ones before placed ones, and a larger one
 * gives the rest (expand() returns its remainder).
 */
static void est_adjust_free(struct ct_model *m, struct mzone *z, int64_t pages)
{
	struct est_zone *e = est(z);
	uint64_t left;

	if (pages >= 0) {
		pool_add(m, z, 0, pages);
		return;
	}
	left = (uint64_t)-pages;
	for (int o = 0; o < m->norders && left; o++) {
		uint64_t k = left >> o, kp = e->pool[o] > 0 ? (uint64_t)e->pool[o] : 0;

		if (kp > k)
			kp = k;
		pool_add(m, z, o, -(int64_t)kp);
		left -= kp << o;
		if (k > kp)
			left -= take_placed(m, z, o, k - kp, 0) << o;
		if (!left || left >= (1ULL << o))
			continue;
		/* the rest, less than a block of this order: part of one */
		if (e->pool[o] > 0) {
			uint64_t back = (1ULL << o) - left;

			pool_add(m, z, o, -1);
			for (int j = 0; j < o; j++)
				if (back & (1ULL << j))
					pool_add(m, z, j, 1);
			left = 0;
		} else if (take_placed(m, z, o, 1, (uint32_t)left)) {
			left = 0;
		}
	}
	z->pool_overdrawn += left != 0;	/* fewer free pages than the decision says went */
}

const struct zone_ops ct_zone_estimated = {
	.mode = CT_MODEL_ESTIMATED,
	.init = est_init,
	.release = est_release,
	.counts = est_counts,
	.block_states = est_block_states,
	.migrate_isolate = est_migrate_isolate,
	.migrated = est_migrated,
	.free_isolate = est_free_isolate,
	.run_end = est_run_end,
	.run_drop = est_run_drop,
	.drain_cpu = est_pcp_drain_cpu,
	.drain_all = est_pcp_drain_all,
	.adjust_free = est_adjust_free,
	.settle = est_pcp_settle,
	.extfrag = est_extfrag,
	.success = est_success,
	.block_free = est_block_free,
	.block_held = est_block_held,
	.block_used = est_block_used,
	.block_modelled = est_block_modelled,
	.pcp_pages = est_pcp_pages,
	.check = est_check,
};
