// SPDX-License-Identifier: GPL-2.0-or-later
/* Trace totals against the /proc/vmstat delta: equal, explained or a bug. */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compactrace/error.h"
#include "compactrace/vmstat_check.h"

/* How a counter relates to its trace sum on a kernel with every tracepoint. */
enum relation {
	REL_EQUAL,		/* every unit is traced */
	REL_TRACE_LE,		/* the kernel also counts untraced work */
};

struct counter_rule {
	const char *name;
	size_t offset;		/* in struct ct_totals */
	enum relation rel;
	int needs_fast_isolate;	/* equality needs the 6.5+ fast_isolate tracepoint */
	const char *why_le;	/* why vmstat may be larger */
};

#define TOT(field) offsetof(struct ct_totals, field)

static const struct counter_rule rules[CT_VMSTAT_COUNTERS] = {
	{ "compact_migrate_scanned", TOT(compact_migrate_scanned), REL_TRACE_LE, 0,
	  "fast_find_migrateblock() (5.1+) adds free-list scanning to this counter without a tracepoint" },
	{ "compact_free_scanned", TOT(compact_free_scanned), REL_EQUAL, 1, NULL },
	{ "compact_isolated", TOT(compact_isolated), REL_EQUAL, 1, NULL },
	{ "compact_stall", TOT(compact_stall), REL_TRACE_LE, 0,
	  "a stall that may not do I/O (GFP_NOIO) is counted but returns before try_to_compact_pages is traced" },
	{ "compact_daemon_wake", TOT(compact_daemon_wake), REL_EQUAL, 0, NULL },
	{ "compact_daemon_migrate_scanned", TOT(compact_daemon_migrate_scanned), REL_TRACE_LE, 0,
	  "fast_find_migrateblock() (5.1+) adds free-list scanning to this counter without a tracepoint" },
	{ "compact_daemon_free_scanned", TOT(compact_daemon_free_scanned), REL_EQUAL, 1, NULL },
};

const char *ct_verdict_name(enum ct_verdict verdict)
{
	static const char *const names[] = { "equal", "explained", "unexplained", "missing" };

	return (unsigned)verdict < 4 ? names[verdict] : "unknown";
}

int ct_vmstat_value(const char *text, const char *name, uint64_t *out)
{
	size_t len = strlen(name);

	for (const char *p = text; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL) {
		if (strncmp(p, name, len) == 0 && p[len] == ' ') {
			char *end;
			unsigned long long v = strtoull(p + len + 1, &end, 10);

			if (end == p + len + 1)
				return -CT_E_INVAL;
			*out = v;
			return 0;
		}
	}
	return -CT_E_INVAL;
}

int ct_kernel_has_fast_isolate(const char *release)
{
	char *end;
	long major, minor;

	if (!release)
		return -1;
	major = strtol(release, &end, 10);
	if (end == release || *end != '.')
		return -1;
	minor = strtol(end + 1, &end, 10);
	return major > 6 || (major == 6 && minor >= 5);
}

/* Reasons a trace can miss work that vmstat counted, in either direction. */
static int window_reason(const struct ct_results *res, char *buf, size_t len)
{
	const struct ct_quality *q = &res->quality;

	if (q->lost_events || q->lost_unknown)
		return snprintf(buf, len, "events were lost (%llu counted, %llu more places with an "
				"unknown count)", (unsigned long long)q->lost_events,
				(unsigned long long)q->lost_unknown), 1;
	if (q->unmatched_begin || q->unmatched_end)
		return snprintf(buf, len, "a run straddles the capture window (%llu begin without end, "
				"%llu end without begin); vmstat adds scan counts when compact_zone() returns",
				(unsigned long long)q->unmatched_begin,
				(unsigned long long)q->unmatched_end), 1;
	return 0;
}

static void judge(const struct ct_results *res, const struct ct_host_facts *facts,
		  const struct counter_rule *rule, struct ct_vmstat_counter *c)
{
	int64_t diff = (int64_t)c->trace - c->vmstat_delta;

	if (diff == 0) {
		c->verdict = CT_VERDICT_EQUAL;
		return;
	}
	c->verdict = CT_VERDICT_EXPLAINED;
	if (diff < 0 && rule->rel == REL_TRACE_LE) {
		snprintf(c->reason, sizeof(c->reason), "%s", rule->why_le);
		return;
	}
	if (diff < 0 && rule->needs_fast_isolate && facts->has_fast_isolate_tracepoint == 0) {
		snprintf(c->reason, sizeof(c->reason),
			 "this kernel (before 6.5) has no fast_isolate_freepages tracepoint: "
			 "fast free-page isolation is counted but not traced");
		return;
	}
	if (diff > 0 && strcmp(rule->name, "compact_isolated") == 0 &&
	    res->quality.isolate_outside_run) {
		snprintf(c->reason, sizeof(c->reason),
			 "%llu isolations outside compaction runs (alloc_contig_range/CMA strict "
			 "isolation traces pages that vmstat does not count)",
			 (unsigned long long)res->quality.isolate_outside_run);
		return;
	}
	if (window_reason(res, c->reason, sizeof(c->reason)))
		return;
	c->verdict = CT_VERDICT_UNEXPLAINED;
	snprintf(c->reason, sizeof(c->reason), "trace %s vmstat by %lld with no lost events and "
		 "no straddling run: a bug or an unknown kernel accounting path",
		 diff > 0 ? "exceeds" : "falls short of", (long long)(diff > 0 ? diff : -diff));
	if (rule->needs_fast_isolate && facts->has_fast_isolate_tracepoint < 0)
		snprintf(c->reason, sizeof(c->reason), "trace falls short of vmstat by %lld and the "
			 "kernel version is unknown (before 6.5 fast isolation is untraced)",
			 (long long)-diff);
}

void ct_vmstat_check_run(const struct ct_results *res, const struct ct_host_facts *facts,
			 const char *start_text, const char *end_text,
			 struct ct_vmstat_check *out)
{
	memset(out, 0, sizeof(*out));
	for (int i = 0; i < CT_VMSTAT_COUNTERS; i++) {
		const struct counter_rule *rule = &rules[i];
		struct ct_vmstat_counter *c = &out->counters[i];
		uint64_t a, b;

		c->name = rule->name;
		c->trace = *(const uint64_t *)((const char *)&res->totals + rule->offset);
		if (ct_vmstat_value(start_text, rule->name, &a) < 0 ||
		    ct_vmstat_value(end_text, rule->name, &b) < 0) {
			c->verdict = CT_VERDICT_MISSING;
			snprintf(c->reason, sizeof(c->reason), "not in both vmstat snapshots");
			continue;
		}
		c->vmstat_delta = (int64_t)(b - a);
		judge(res, facts, rule, c);
		out->unexplained += c->verdict == CT_VERDICT_UNEXPLAINED;
	}
}
