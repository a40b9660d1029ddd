// SPDX-License-Identifier: GPL-2.0-or-later
/* Numbers as every report prints them, so that text, JSON and HTML agree. */
#include <inttypes.h>
#include <stdio.h>

#include "numfmt.h"

const char *ct_fmt_grouped(char *buf, size_t size, uint64_t v)
{
	char tmp[32];
	int len = snprintf(tmp, sizeof(tmp), "%" PRIu64, v), o = 0;

	for (int i = 0; i < len && (size_t)o + 2 < size; i++) {
		if (i > 0 && (len - i) % 3 == 0)
			buf[o++] = ',';
		buf[o++] = tmp[i];
	}
	buf[o] = '\0';
	return buf;
}

const char *ct_fmt_dur(char *buf, size_t size, uint64_t ns, const char *us_unit)
{
	if (ns < 10000)
		snprintf(buf, size, "%.1f %s", (double)ns / 1e3, us_unit);
	else if (ns < 10000000)
		snprintf(buf, size, "%.0f %s", (double)ns / 1e3, us_unit);
	else if (ns < 10000000000ull)
		snprintf(buf, size, "%.1f ms", (double)ns / 1e6);
	else
		snprintf(buf, size, "%.2f s", (double)ns / 1e9);
	return buf;
}

const char *ct_fmt_us_exact(char *buf, size_t size, uint64_t ns)
{
	uint64_t frac = ns % 1000;

	if (frac == 0)
		snprintf(buf, size, "%" PRIu64, ns / 1000);
	else if (frac % 100 == 0)
		snprintf(buf, size, "%" PRIu64 ".%" PRIu64, ns / 1000, frac / 100);
	else if (frac % 10 == 0)
		snprintf(buf, size, "%" PRIu64 ".%02" PRIu64, ns / 1000, frac / 10);
	else
		snprintf(buf, size, "%" PRIu64 ".%03" PRIu64, ns / 1000, frac);
	return buf;
}
