/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef COMPACTRACE_LATENCY_H
#define COMPACTRACE_LATENCY_H

#include <stdint.h>

/*
 * A latency distribution with bounded memory: the first CT_LATENCY_EXACT
 * values are kept, so small traces get exact percentiles; beyond that a
 * log-linear histogram (128 sub-buckets per power of two, < 0.8% error)
 * takes over. count, sum, min and max are always exact.
 */
#define CT_LATENCY_EXACT 4096
#define CT_LATENCY_SUB_BITS 7
#define CT_LATENCY_LOG2_US 32	/* JSON histogram: le_us = 1, 2, 4, ... 2^31 */

struct ct_latency {
	uint64_t count, sum_ns, min_ns, max_ns;
	uint64_t log2_us[CT_LATENCY_LOG2_US];
	uint64_t *exact;	/* up to CT_LATENCY_EXACT values, or NULL */
	uint32_t *hdr;		/* histogram, allocated when exact overflows */
	int failed;		/* an allocation failed: percentiles are unavailable */
};

/** ct_latency_add() - record one duration in ns; returns 0 or -CT_E_NOMEM */
int ct_latency_add(struct ct_latency *lat, uint64_t ns);

/**
 * ct_latency_percentile() - the p-th percentile (0 < p <= 100) in ns
 *
 * Nearest-rank on exact values (sorted in place: no allocation); the bucket's upper bound (capped at max)
 * once the histogram is in use. 0 when empty.
 */
uint64_t ct_latency_percentile(const struct ct_latency *lat, double p);

/** ct_latency_is_exact() - 1 while percentiles are exact */
int ct_latency_is_exact(const struct ct_latency *lat);

/** ct_latency_release() - free the buffers inside @lat (not @lat itself); accepts NULL */
void ct_latency_release(struct ct_latency *lat);

#endif
