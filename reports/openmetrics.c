// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Prometheus text format 0.0.4 and OpenMetrics 1.0.0 (compactrace/openmetrics.h).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compactrace/error.h"
#include "compactrace/openmetrics.h"

struct ct_om {
	enum ct_om_format format;
	FILE *f;
	char *buf;
	size_t len;
	int failed;
	char family[128];	/* the current family's sample name (with _total for counters) */
	enum ct_om_type type;
};

struct ct_om *ct_om_new(enum ct_om_format format)
{
	struct ct_om *w = calloc(1, sizeof(*w));

	if (!w)
		return NULL;
	w->format = format;
	w->f = open_memstream(&w->buf, &w->len);
	if (!w->f) {
		free(w);
		return NULL;
	}
	return w;
}

void ct_om_free(struct ct_om *w)
{
	if (!w)
		return;
	if (w->f)
		fclose(w->f);
	free(w->buf);
	free(w);
}

static int status(struct ct_om *w)
{
	if (!w->failed && ferror(w->f))
		w->failed = 1;
	return w->failed ? -CT_E_NOMEM : 0;
}

/* a label value or HELP text: backslash, newline (and in label values the double quote) escaped */
static void escaped(FILE *f, const char *s, int quote)
{
	for (; *s; s++) {
		if (*s == '\\')
			fputs("\\\\", f);
		else if (*s == '\n')
			fputs("\\n", f);
		else if (*s == '"' && quote)
			fputs("\\\"", f);
		else
			fputc(*s, f);
	}
}

int ct_om_family(struct ct_om *w, const char *name, enum ct_om_type type, const char *help)
{
	static const char *const types[] = { "counter", "gauge", "histogram" };
	size_t n = strlen(name);
	int is_total = n > 6 && strcmp(name + n - 6, "_total") == 0;

	if (w->failed)
		return -CT_E_NOMEM;
	if (n >= sizeof(w->family))
		return -CT_E_INVAL;
	memcpy(w->family, name, n + 1);
	w->type = type;
	/* OpenMetrics names a counter's family without the suffix its samples carry */
	if (w->format == CT_OM_OPENMETRICS && type == CT_OM_COUNTER && is_total)
		n -= 6;
	fprintf(w->f, "# HELP %.*s ", (int)n, name);
	escaped(w->f, help, 0);
	fprintf(w->f, "\n# TYPE %.*s %s\n", (int)n, name, types[type]);
	return status(w);
}

static void labels_out(FILE *f, const char *const *labels, const char *le)
{
	int first = 1;

	if ((!labels || !labels[0]) && !le)
		return;
	fputc('{', f);
	for (size_t i = 0; labels && labels[i] && labels[i + 1]; i += 2) {
		fprintf(f, "%s%s=\"", first ? "" : ",", labels[i]);
		escaped(f, labels[i + 1], 1);
		fputc('"', f);
		first = 0;
	}
	if (le)
		fprintf(f, "%sle=\"%s\"", first ? "" : ",", le);
	fputc('}', f);
}

static void number(char *out, size_t len, double v)
{
	if (isnan(v))
		snprintf(out, len, "NaN");
	else if (isinf(v))
		snprintf(out, len, "%sInf", v > 0 ? "+" : "-");
	else
		snprintf(out, len, "%.15g", v);
}

int ct_om_sample(struct ct_om *w, const char *const *labels, double value)
{
	char num[64];

	if (w->failed)
		return -CT_E_NOMEM;
	number(num, sizeof(num), value);
	fputs(w->family, w->f);
	labels_out(w->f, labels, NULL);
	fprintf(w->f, " %s\n", num);
	return status(w);
}

int ct_om_sample_u64(struct ct_om *w, const char *const *labels, uint64_t value)
{
	if (w->failed)
		return -CT_E_NOMEM;
	fputs(w->family, w->f);
	labels_out(w->f, labels, NULL);
	fprintf(w->f, " %llu\n", (unsigned long long)value);
	return status(w);
}

int ct_om_histogram(struct ct_om *w, const char *const *labels, const double *bounds,
		    const uint64_t *counts, size_t nbounds, double sum)
{
	uint64_t cum = 0;
	char le[64];

	if (w->failed)
		return -CT_E_NOMEM;
	for (size_t i = 0; i <= nbounds; i++) {
		cum += counts[i];
		if (i < nbounds)
			number(le, sizeof(le), bounds[i]);
		else
			snprintf(le, sizeof(le), "+Inf");
		fprintf(w->f, "%s_bucket", w->family);
		labels_out(w->f, labels, le);
		fprintf(w->f, " %llu\n", (unsigned long long)cum);
	}
	number(le, sizeof(le), sum);
	fprintf(w->f, "%s_sum", w->family);
	labels_out(w->f, labels, NULL);
	fprintf(w->f, " %s\n%s_count", le, w->family);
	labels_out(w->f, labels, NULL);
	fprintf(w->f, " %llu\n", (unsigned long long)cum);
	return status(w);
}

const char *ct_om_text(struct ct_om *w, size_t *len)
{
	if (w->format == CT_OM_OPENMETRICS)
		fputs("# EOF\n", w->f);
	if (status(w) < 0 || fflush(w->f) != 0)
		return NULL;
	*len = w->len;
	return w->buf;
}

const char *ct_om_content_type(enum ct_om_format format)
{
	return format == CT_OM_OPENMETRICS ? "application/openmetrics-text; version=1.0.0; charset=utf-8" :
	       "text/plain; version=0.0.4; charset=utf-8";
}

int ct_om_wants_openmetrics(const char *accept)
{
	return accept && strstr(accept, "application/openmetrics-text") != NULL;
}
