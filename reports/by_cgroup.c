// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Stalls and fallbacks by cgroup in a recording (report.h): counted by pid
 * as the session hands them over, grouped by the recording's task map at
 * the end. Memory: one row per distinct pid that stalled or fell back.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compactrace/error.h"
#include "compactrace/report.h"

struct pid_row {
	int32_t pid;
	uint64_t stalls, stall_ns, stall_max_ns;
	uint64_t by_result[CT_STATUS_COUNT];
	uint64_t fallbacks, fragmenting;
};

struct ct_cgroup_tally {
	struct pid_row *pids;
	uint32_t npids, cap;
	struct ct_cgroup_row *rows;
	uint32_t nrows;
	int failed;
};

struct ct_cgroup_tally *ct_cgroup_tally_new(void)
{
	return calloc(1, sizeof(struct ct_cgroup_tally));
}

void ct_cgroup_tally_free(struct ct_cgroup_tally *t)
{
	if (!t)
		return;
	for (uint32_t i = 0; i < t->nrows; i++)
		free(t->rows[i].cgroup);
	free(t->rows);
	free(t->pids);
	free(t);
}

/* the row of @pid (the last one used is the likeliest: checked first) */
static struct pid_row *pid_row(struct ct_cgroup_tally *t, int32_t pid)
{
	struct pid_row *r;

	for (uint32_t i = t->npids; i-- > 0;)
		if (t->pids[i].pid == pid)
			return &t->pids[i];
	if (t->npids == t->cap) {
		uint32_t cap = t->cap ? t->cap * 2 : 64;

		r = realloc(t->pids, cap * sizeof(*r));
		if (!r)
			return NULL;
		t->pids = r;
		t->cap = cap;
	}
	r = &t->pids[t->npids++];
	memset(r, 0, sizeof(*r));
	r->pid = pid;
	return r;
}

static int on_stall(void *ctx, const struct ct_stall *st)
{
	struct pid_row *r = pid_row(ctx, st->pid);

	if (!r)
		return -CT_E_NOMEM;
	r->stalls++;
	r->stall_ns += st->latency_ns;
	if (st->latency_ns > r->stall_max_ns)
		r->stall_max_ns = st->latency_ns;
	r->by_result[st->result >= 0 && st->result < CT_STATUS_COUNT ? st->result : CT_STATUS_UNKNOWN]++;
	return 0;
}

static int on_fallback(void *ctx, const struct ct_fallback *fb)
{
	struct pid_row *r = pid_row(ctx, fb->pid);

	if (!r)
		return -CT_E_NOMEM;
	r->fallbacks++;
	r->fragmenting += fb->fragmenting;
	return 0;
}

static const struct ct_sink_ops tally_ops = {
	.name = "by-cgroup",
	.stall = on_stall,
	.fallback = on_fallback,
};

struct ct_sink ct_cgroup_tally_sink(struct ct_cgroup_tally *t)
{
	return (struct ct_sink){ .ops = &tally_ops, .ctx = t };
}

/* the cgroup @map gives @pid (the last line for it), copied into @out */
static void cgroup_of(const char *map, size_t len, int32_t pid, char *out, size_t outlen)
{
	const char *p = map, *end = map + len;

	snprintf(out, outlen, "unknown");
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p)), *tab;
		size_t ll = nl ? (size_t)(nl - p) : (size_t)(end - p);
		char *e;
		long v = strtol(p, &e, 10);

		tab = memchr(p, '\t', ll);
		if (e != p && *e == ' ' && v == pid && tab)
			snprintf(out, outlen, "%.*s", (int)(ll - (size_t)(tab + 1 - p)), tab + 1);
		p += ll + 1;
	}
}

static int cmp_rows(const void *a, const void *b)
{
	const struct ct_cgroup_row *x = a, *y = b;

	if (x->stall_ns != y->stall_ns)
		return x->stall_ns > y->stall_ns ? -1 : 1;
	if (x->fallbacks != y->fallbacks)
		return x->fallbacks > y->fallbacks ? -1 : 1;
	return strcmp(x->cgroup, y->cgroup);
}

int ct_cgroup_tally_resolve(struct ct_cgroup_tally *t, const char *map, size_t len)
{
	char cg[512];

	for (uint32_t i = 0; i < t->npids; i++) {
		const struct pid_row *p = &t->pids[i];
		struct ct_cgroup_row *r = NULL;

		cgroup_of(map, len, p->pid, cg, sizeof(cg));
		for (uint32_t k = 0; k < t->nrows && !r; k++)
			if (strcmp(t->rows[k].cgroup, cg) == 0)
				r = &t->rows[k];
		if (!r) {
			struct ct_cgroup_row *n = realloc(t->rows, (t->nrows + 1) * sizeof(*n));

			if (!n)
				return -CT_E_NOMEM;
			t->rows = n;
			r = &n[t->nrows];
			memset(r, 0, sizeof(*r));
			r->cgroup = strdup(cg);
			if (!r->cgroup)
				return -CT_E_NOMEM;
			t->nrows++;
		}
		r->stalls += p->stalls;
		r->stall_ns += p->stall_ns;
		if (p->stall_max_ns > r->stall_max_ns)
			r->stall_max_ns = p->stall_max_ns;
		for (int s = 0; s < CT_STATUS_COUNT; s++)
			r->by_result[s] += p->by_result[s];
		r->fallbacks += p->fallbacks;
		r->fragmenting += p->fragmenting;
	}
	if (t->nrows > 1)
		qsort(t->rows, t->nrows, sizeof(*t->rows), cmp_rows);
	return 0;
}

const struct ct_cgroup_row *ct_cgroup_tally_rows(const struct ct_cgroup_tally *t, uint32_t *n)
{
	*n = t->nrows;
	return t->rows;
}
