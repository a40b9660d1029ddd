/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef COMPACTRACE_OPENMETRICS_H
#define COMPACTRACE_OPENMETRICS_H

#include <stddef.h>
#include <stdint.h>

/*
 * The text exposition formats Prometheus scrapes: the classic text format
 * (version 0.0.4) and OpenMetrics 1.0.0, which differ in how a counter's
 * family is named (OpenMetrics drops "_total" in # TYPE) and in the
 * closing "# EOF". The caller declares families and adds samples in
 * order; this writer names, escapes and formats them. No I/O.
 */

enum ct_om_format { CT_OM_PROMETHEUS, CT_OM_OPENMETRICS };
enum ct_om_type { CT_OM_COUNTER, CT_OM_GAUGE, CT_OM_HISTOGRAM };

struct ct_om;

/** ct_om_new() - an empty exposition; NULL on allocation failure; free with ct_om_free() */
struct ct_om *ct_om_new(enum ct_om_format format);

/** ct_om_free() - free @w and its text; accepts NULL */
void ct_om_free(struct ct_om *w);

/**
 * ct_om_family() - start a metric family
 * @name: a counter's name ends in "_total" (both formats' samples carry it)
 * @help: one line, escaped here
 *
 * Returns 0 or -CT_E_NOMEM (then every later call fails too).
 */
int ct_om_family(struct ct_om *w, const char *name, enum ct_om_type type, const char *help);

/**
 * ct_om_sample() / ct_om_sample_u64() - one sample of the current counter or gauge family
 * @labels: NULL-terminated name, value, name, value, ...; NULL for none
 *
 * ct_om_sample_u64() prints the integer exactly (counters past 2^53).
 */
int ct_om_sample(struct ct_om *w, const char *const *labels, double value);
int ct_om_sample_u64(struct ct_om *w, const char *const *labels, uint64_t value);

/**
 * ct_om_histogram() - one histogram of the current histogram family
 * @bounds: @nbounds upper bounds, ascending (the +Inf bucket is added)
 * @counts: @nbounds + 1 per-bucket (not cumulative) counts, the last for +Inf
 * @sum: the sum of the observed values
 */
int ct_om_histogram(struct ct_om *w, const char *const *labels, const double *bounds,
		    const uint64_t *counts, size_t nbounds, double sum);

/**
 * ct_om_text() - the exposition so far, closed ("# EOF" for OpenMetrics)
 * @len: receives its length
 *
 * Returns the text (owned by @w, valid until ct_om_free()) or NULL when
 * an allocation failed on the way. Call once, last.
 */
const char *ct_om_text(struct ct_om *w, size_t *len);

/** ct_om_content_type() - the HTTP Content-Type of @format; static */
const char *ct_om_content_type(enum ct_om_format format);

/**
 * ct_om_wants_openmetrics() - 1 when an HTTP Accept header asks for OpenMetrics
 * @accept: the header's value, or NULL
 */
int ct_om_wants_openmetrics(const char *accept);

#endif
