/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef CT_REPORTS_NUMFMT_H
#define CT_REPORTS_NUMFMT_H

#include <stddef.h>
#include <stdint.h>

/* Numbers as the reports print them; each returns @buf (always NUL-terminated). */

/** ct_fmt_grouped() - 1234567 -> "1,234,567" */
const char *ct_fmt_grouped(char *buf, size_t size, uint64_t v);

/**
 * ct_fmt_dur() - a duration a person reads at a glance: "8.5 us", "482 us",
 * "12.3 ms", "15.20 s"; @us_unit is how µs is written ("us" or "µs")
 */
const char *ct_fmt_dur(char *buf, size_t size, uint64_t ns, const char *us_unit);

/** ct_fmt_us_exact() - ns as an exact decimal number of µs: 1234567 -> "1234.567" */
const char *ct_fmt_us_exact(char *buf, size_t size, uint64_t ns);

#endif
