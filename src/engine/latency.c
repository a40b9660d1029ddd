// SPDX-License-Identifier: GPL-2.0-or-later
#include <stdlib.h>
#include <string.h>

#include "compactrace/error.h"
#include "compactrace/latency.h"

#define SUB_COUNT (1u << CT_LATENCY_SUB_BITS)
/* values below SUB_COUNT get exact buckets; each octave above gets SUB_COUNT */
#define HDR_BUCKETS ((64 - CT_LATENCY_SUB_BITS + 1) * SUB_COUNT)

static unsigned hdr_index(uint64_t v)
{
	unsigned msb, shift;

	if (v < SUB_COUNT)
		return (unsigned)v;
	msb = 63u - (unsigned)__builtin_clzll(v);
	shift = msb - CT_LATENCY_SUB_BITS;
	return (shift + 1) * SUB_COUNT + (unsigned)((v >> shift) & (SUB_COUNT - 1));
}

/* the largest value that falls in bucket @idx */
static uint64_t hdr_upper(unsigned idx)
{
	unsigned octave = idx / SUB_COUNT, sub = idx % SUB_COUNT, shift;

	if (octave == 0)
		return sub;
	shift = octave - 1;
	return (((uint64_t)(SUB_COUNT + sub) << shift) | ((1ull << shift) - 1));
}

static int switch_to_histogram(struct ct_latency *lat)
{
	lat->hdr = calloc(HDR_BUCKETS, sizeof(*lat->hdr));
	if (!lat->hdr)
		return -CT_E_NOMEM;
	for (uint64_t i = 0; i < lat->count; i++)
		lat->hdr[hdr_index(lat->exact[i])]++;
	free(lat->exact);
	lat->exact = NULL;
	return 0;
}

int ct_latency_add(struct ct_latency *lat, uint64_t ns)
{
	uint64_t us = (ns + 999) / 1000;	/* round up: a bucket holds values <= le_us */
	unsigned b = 0;

	while (b + 1 < CT_LATENCY_LOG2_US && (1ull << b) < us)
		b++;
	lat->log2_us[b]++;
	if (lat->count == 0 || ns < lat->min_ns)
		lat->min_ns = ns;
	if (ns > lat->max_ns)
		lat->max_ns = ns;
	lat->sum_ns += ns;

	if (lat->failed)
		goto count;
	if (!lat->hdr) {
		if (!lat->exact) {
			lat->exact = malloc(CT_LATENCY_EXACT * sizeof(*lat->exact));
			if (!lat->exact)
				goto nomem;
		}
		if (lat->count < CT_LATENCY_EXACT) {
			lat->exact[lat->count] = ns;
			goto count;
		}
		if (switch_to_histogram(lat) < 0)
			goto nomem;
	}
	lat->hdr[hdr_index(ns)]++;
count:
	lat->count++;
	return 0;
nomem:
	lat->failed = 1;
	lat->count++;
	return -CT_E_NOMEM;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return (x > y) - (x < y);
}

static uint64_t rank_of(const struct ct_latency *lat, double p)
{
	double r = p / 100.0 * (double)lat->count;
	uint64_t rank = (uint64_t)r;

	if ((double)rank < r)
		rank++;
	if (rank < 1)
		rank = 1;
	if (rank > lat->count)
		rank = lat->count;
	return rank;
}

uint64_t ct_latency_percentile(const struct ct_latency *lat, double p)
{
	uint64_t rank, seen = 0;

	if (lat->count == 0 || lat->failed)
		return 0;
	rank = rank_of(lat, p);
	if (lat->exact) {
		/*
		 * Sort the kept values in place: their order means nothing, and
		 * a sorted copy would need memory a report may not have left
		 * (0 on allocation failure was a silently wrong percentile).
		 */
		qsort(lat->exact, lat->count, sizeof(*lat->exact), cmp_u64);
		return lat->exact[rank - 1];
	}
	for (unsigned i = 0; i < HDR_BUCKETS; i++) {
		seen += lat->hdr[i];
		if (seen >= rank) {
			uint64_t up = hdr_upper(i);

			return up > lat->max_ns ? lat->max_ns : up;
		}
	}
	return lat->max_ns;
}

int ct_latency_is_exact(const struct ct_latency *lat)
{
	return !lat->hdr && !lat->failed;
}

void ct_latency_release(struct ct_latency *lat)
{
	if (!lat)
		return;
	free(lat->exact);
	free(lat->hdr);
	lat->exact = NULL;
	lat->hdr = NULL;
}
