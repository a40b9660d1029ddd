// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The per-pfn buddy allocator: merges and splits as the kernel's, and its
 * invariants (Σ free pages = Σ 2^order·blocks, no overlapping or unmerged
 * blocks) after every step of a random workload checked against a naive
 * recount of a plain bitmap.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../common/check.h"
#include "model/buddy.h"
#include "compactrace/error.h"

#define NORDERS 11

/* the canonical blocks of a set of free pfns: the largest aligned runs inside [start, end) */
static void naive_counts(const uint8_t *freep, uint64_t start, uint64_t end, uint64_t *out)
{
	memset(out, 0, sizeof(uint64_t) * NORDERS);
	for (uint64_t p = start; p < end;) {
		int o = 0;

		if (!freep[p]) {
			p++;
			continue;
		}
		while (o + 1 < NORDERS && !(p & ((2ULL << o) - 1)) && p + (2ULL << o) <= end) {
			uint64_t q;

			for (q = p + (1ULL << o); q < p + (2ULL << o) && freep[q]; q++)
				;
			if (q < p + (2ULL << o))
				break;
			o++;
		}
		out[o]++;
		p += 1ULL << o;
	}
}

static void expect_counts(struct ct_buddy *b, const uint64_t *want)
{
	uint64_t got[NORDERS];

	ct_buddy_counts(b, got);
	for (int o = 0; o < NORDERS; o++)
		CHECK_U64(got[o], want[o]);
}

static void test_split_merge(void)
{
	struct ct_buddy *b = ct_buddy_new(0, 4096, NORDERS, 9);
	uint64_t four[NORDERS] = { [10] = 4 };
	uint64_t split[NORDERS] = { 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 3 };
	uint64_t head;
	int order;

	CHECK(b != NULL);
	if (!b)
		return;
	/* freeing every page, even in reverse, merges into four order-10 blocks */
	for (uint64_t p = 4096; p-- > 0;)
		CHECK(ct_buddy_release(b, p, 0) >= 0);
	expect_counts(b, four);
	CHECK_U64(ct_buddy_free_pages(b), 4096);
	CHECK(ct_buddy_check(b) == 0);
	/* taking pfn 5 splits [0, 1024) as expand() does: one block of each order 0..9 */
	CHECK_U64(ct_buddy_take(b, 5, 0, CT_PAGE_USED), 1);
	expect_counts(b, split);
	CHECK(ct_buddy_find(b, 4, &head, &order) && head == 4 && order == 0);
	CHECK(ct_buddy_find(b, 7, &head, &order) && head == 6 && order == 1);
	CHECK(ct_buddy_find(b, 2, &head, &order) && head == 0 && order == 2);
	CHECK(ct_buddy_find(b, 600, &head, &order) && head == 512 && order == 9);
	CHECK(!ct_buddy_find(b, 5, NULL, NULL));
	CHECK(ct_buddy_state(b, 5) == CT_PAGE_USED);
	CHECK(ct_buddy_check(b) == 0);
	/* freeing it again merges everything back */
	CHECK(ct_buddy_release(b, 5, 0) == 10);
	expect_counts(b, four);
	/* freeing a free page is refused and changes nothing */
	CHECK(ct_buddy_release(b, 100, 0) == -CT_E_INVAL);
	CHECK(ct_buddy_release(b, 3, 1) == -CT_E_INVAL);	/* misaligned */
	CHECK(ct_buddy_release(b, 4095, 1) == -CT_E_INVAL);	/* leaves the zone */
	expect_counts(b, four);
	/* taking a range of which part is not free takes the free part */
	CHECK_U64(ct_buddy_take(b, 8, 3, CT_PAGE_ISOLATED), 8);
	CHECK_U64(ct_buddy_take(b, 8, 4, CT_PAGE_USED), 8);
	CHECK(ct_buddy_state(b, 9) == CT_PAGE_USED);
	CHECK(ct_buddy_check(b) == 0);
	CHECK_U64(ct_buddy_free_pages(b), 4096 - 16);
	ct_buddy_free(b);
}

static void test_unaligned_zone(void)
{
	/* DMA starts at pfn 1: the first blocks cannot reach their buddies at pfn 0 */
	struct ct_buddy *b = ct_buddy_new(1, 4096, NORDERS, 9);
	uint64_t want[NORDERS] = { 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 3 };

	CHECK(b != NULL);
	if (!b)
		return;
	for (uint64_t p = 1; p < 4096; p++)
		CHECK(ct_buddy_release(b, p, 0) >= 0);
	expect_counts(b, want);
	CHECK_U64(ct_buddy_free_pages(b), 4095);
	CHECK(ct_buddy_check(b) == 0);
	CHECK_U64(ct_buddy_pageblock_free(b, 0), 511);
	CHECK_U64(ct_buddy_pageblock_free(b, 1), 512);
	ct_buddy_free(b);
}

static void test_migratetypes(void)
{
	struct ct_buddy *b = ct_buddy_new(0, 2048, NORDERS, 9);
	uint64_t c[NORDERS];

	if (!b) {
		CHECK(b != NULL);
		return;
	}
	ct_buddy_set_migratetype(b, 0, 1);
	for (uint64_t p = 0; p < 512; p += 2)
		ct_buddy_release(b, p, 0);
	ct_buddy_counts_by_type(b, 1, c);
	CHECK_U64(c[0], 256);
	/* a claim moves the pageblock's free blocks to the new type, as move_freepages_block() */
	ct_buddy_set_migratetype(b, 0, 0);
	ct_buddy_counts_by_type(b, 1, c);
	CHECK_U64(c[0], 0);
	ct_buddy_counts_by_type(b, 0, c);
	CHECK_U64(c[0], 256);
	CHECK(ct_buddy_migratetype(b, 0) == 0);
	CHECK(ct_buddy_check(b) == 0);
	ct_buddy_free(b);
}

/* A random workload against a plain bitmap: the counts and invariants never drift. */
static void test_random(void)
{
	const uint64_t start = 1, end = 3 * 1024 + 200;
	struct ct_buddy *b = ct_buddy_new(start, end, NORDERS, 9);
	uint8_t *freep = calloc(end, 1);
	uint64_t want[NORDERS], got[NORDERS], nfree = 0;
	unsigned seed = 12345;
	int bad = 0;

	if (!b || !freep) {
		CHECK(0);
		goto out;
	}
	for (int step = 0; step < 200000; step++) {
		uint64_t pfn;
		int order, r;

		seed = seed * 1103515245u + 12345u;
		order = (int)((seed >> 16) % 4);
		pfn = start + (seed >> 8) % (end - start);
		pfn &= ~((1ULL << order) - 1);
		if (pfn < start || pfn + (1ULL << order) > end)
			continue;
		if ((seed >> 4) & 1) {
			int all_used = 1;

			for (uint64_t q = pfn; q < pfn + (1ULL << order); q++)
				all_used &= !freep[q];
			r = ct_buddy_release(b, pfn, order);
			if ((r >= 0) != all_used)
				bad++;
			if (r >= 0) {
				memset(freep + pfn, 1, 1ULL << order);
				nfree += 1ULL << order;
			}
		} else {
			long n = ct_buddy_take(b, pfn, order, CT_PAGE_USED);
			long want_n = 0;

			for (uint64_t q = pfn; q < pfn + (1ULL << order); q++)
				want_n += freep[q];
			if (n != want_n)
				bad++;
			memset(freep + pfn, 0, 1ULL << order);
			nfree -= (uint64_t)want_n;
		}
		if (step % 5000 == 0) {
			naive_counts(freep, start, end, want);
			ct_buddy_counts(b, got);
			bad += memcmp(want, got, sizeof(want)) != 0;
			bad += ct_buddy_check(b) != 0;
			bad += ct_buddy_free_pages(b) != nfree;
		}
	}
	CHECK(bad == 0);
	naive_counts(freep, start, end, want);
	expect_counts(b, want);
	CHECK(ct_buddy_check(b) == 0);
	CHECK_U64(ct_buddy_free_pages(b), nfree);
out:
	free(freep);
	ct_buddy_free(b);
}

/* the same free blocks, pfn by pfn (independent of how either was built) */
static int same_blocks(const struct ct_buddy *a, const struct ct_buddy *b, uint64_t start, uint64_t end)
{
	uint64_t ca[NORDERS], cb[NORDERS];
	int diff = 0;

	for (uint64_t p = start; p < end; p++) {
		uint64_t ha = 0, hb = 0;
		int oa = -1, ob = -1, fa = ct_buddy_find(a, p, &ha, &oa), fb = ct_buddy_find(b, p, &hb, &ob);

		diff += fa != fb || (fa && (ha != hb || oa != ob)) || ct_buddy_state(a, p) != ct_buddy_state(b, p);
	}
	ct_buddy_counts(a, ca);
	ct_buddy_counts(b, cb);
	diff += memcmp(ca, cb, sizeof(ca)) != 0;
	for (uint64_t i = 0; i < (end >> 9) + 1; i++)
		diff += ct_buddy_pageblock_free(a, i) != ct_buddy_pageblock_free(b, i);
	return diff;
}

/*
 * Seeding in bulk (ct_buddy_release_range() per run of free pfns,
 * ct_buddy_release_singles() per chunk of lone ones) against freeing
 * every pfn upwards with ct_buddy_release(); then the searches
 * (ct_buddy_highest_block(), ct_buddy_count_state()) against a plain scan.
 */
static void test_bulk_seed(void)
{
	const uint64_t start = 3, end = 8 * 1024 + 77;
	unsigned seed = 4242;

	printf("test_bulk_seed: seed %u\n", seed);
	for (int round = 0; round < 12; round++) {
		struct ct_buddy *a = ct_buddy_new(start, end, NORDERS, 9), *b = ct_buddy_new(start, end, NORDERS, 9);
		uint8_t *freep = calloc(end, 1);
		int bad = 0, density = round % 4;	/* lone pfns, short runs, long runs, mixed */

		if (!a || !b || !freep) {
			CHECK(0);
			goto next;
		}
		for (uint64_t p = start; p < end; p++) {
			seed = seed * 1103515245u + 12345u;
			if (density == 0)
				freep[p] = (p & 1) && ((seed >> 16) % 4 != 0);
			else if (density == 1)
				freep[p] = (seed >> 16) % 3 == 0;
			else if (density == 2)
				freep[p] = ((p >> 7) + round) % 3 != 0 && (seed >> 16) % 500 != 0;
			else
				freep[p] = (p >> 10) % 2 ? (seed >> 16) % 2 : (p & 1);
		}
		for (uint64_t p = start; p < end; p++)
			if (freep[p])
				CHECK(ct_buddy_release(a, p, 0) >= 0);
		for (uint64_t p = start, run = 0, in = 0; p <= end; p++) {
			uint64_t mask = 0;

			if (p % 64 == 0 && p + 64 <= end && density != 2) {
				for (unsigned i = 0; i < 64; i++)
					mask |= (uint64_t)freep[p + i] << i;
				if (!(mask & (mask >> 1) & 0x5555555555555555ULL)) {
					if (in)
						CHECK(ct_buddy_release_range(b, run, p) == 0);
					in = 0;
					CHECK(ct_buddy_release_singles(b, p, mask) == 0);
					p += 63;
					continue;
				}
			}
			if (p < end && freep[p] && !in) {
				run = p;
				in = 1;
			} else if ((p == end || !freep[p]) && in) {
				CHECK(ct_buddy_release_range(b, run, p) == 0);
				in = 0;
			}
		}
		CHECK(ct_buddy_check(a) == 0);
		CHECK(ct_buddy_check(b) == 0);
		CHECK(same_blocks(a, b, start, end) == 0);
		for (int q = 0; q < 300; q++) {
			uint64_t lo, hi, want = UINT64_MAX, n = 0;
			int o;

			seed = seed * 1103515245u + 12345u;
			lo = (seed >> 8) % (end + 10);
			seed = seed * 1103515245u + 12345u;
			hi = lo + (seed >> 8) % 4000;
			o = (int)((seed >> 4) % NORDERS);
			for (uint64_t p = lo; p < hi && p < end; p++) {
				uint64_t h;
				int k;

				if (ct_buddy_find(a, p, &h, &k) && h == p && k == o)
					want = p;
				n += p >= start && ct_buddy_state(a, p) == CT_PAGE_USED;
			}
			if (ct_buddy_highest_block(b, lo, hi, o) != want || ct_buddy_count_state(b, lo, hi, CT_PAGE_USED) != n) {
				printf("round %d [%llu, %llu) order %d: highest %llu (want %llu), used %llu (want %llu)\n",
				       round, (unsigned long long)lo, (unsigned long long)hi, o,
				       (unsigned long long)ct_buddy_highest_block(b, lo, hi, o), (unsigned long long)want,
				       (unsigned long long)ct_buddy_count_state(b, lo, hi, CT_PAGE_USED), (unsigned long long)n);
				bad++;
			}
		}
		CHECK(bad == 0);
next:
		free(freep);
		ct_buddy_free(a);
		ct_buddy_free(b);
	}
}

int main(void)
{
	CHECK(ct_buddy_new(10, 10, NORDERS, 9) == NULL);	/* no pfns */
	ct_buddy_free(NULL);
	test_split_merge();
	test_unaligned_zone();
	test_migratetypes();
	test_random();
	test_bulk_seed();
	return ct_test_status("test_buddy");
}
