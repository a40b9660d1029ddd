// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * model_replay - replay an ftrace text trace that includes kmem page events
 * (mm_page_alloc, _alloc_zone_locked, _free, _free_batched, _pcpu_drain)
 * through the engine and the shadow buddy model, until the text parsers
 * decode those events themselves. A measuring tool, not a test: it has its
 * own small line parser for the kernel's own text (ftrace `trace` file) and
 * knows "tracing_mark_write: ct-freemap-begin/end" markers a recording
 * script writes around reading /proc/kpageflags.
 *
 * usage: model_replay SNAPSHOT_START_DIR SNAPSHOT_END_DIR TRACE.txt [--json]
 * Prints per zone: mode, seeding, accuracy, baseline, suitable agreement.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compactrace/engine.h"
#include "compactrace/error.h"
#include "compactrace/memsnap.h"
#include "compactrace/model.h"
#include "../../src/tool/model_snap.h"

/* the value after "key=" in @payload, or NULL */
static const char *field(const char *payload, const char *key)
{
	size_t n = strlen(key);

	for (const char *p = payload; (p = strstr(p, key)) != NULL; p += n) {
		if ((p == payload || p[-1] == ' ' || p[-1] == '(') && p[n] == '=')
			return p + n + 1;
	}
	return NULL;
}

static uint64_t num(const char *payload, const char *key, int *ok)
{
	const char *v = field(payload, key);
	char *end;
	unsigned long long x;

	if (!v) {
		*ok = 0;
		return 0;
	}
	x = strtoull(v, &end, 0);
	if (end == v)
		*ok = 0;
	return x;
}

static long snum(const char *payload, const char *key, int *ok)
{
	const char *v = field(payload, key);
	char *end;
	long x;

	if (!v) {
		*ok = 0;
		return 0;
	}
	x = strtol(v, &end, 0);
	if (end == v)
		*ok = 0;
	return x;
}

/* "comm-pid [cpu] flags ts: name: payload" -> ev; returns 1 for an event, 0 to skip */
static int parse_line(char *line, struct ct_event *ev, char **payload_out, char *name, size_t namelen)
{
	char *br = strstr(line, " ["), *dash, *p, *colon, *nm;
	unsigned long long sec, usec;
	int ok = 1;

	if (line[0] == '#' || !br)
		return 0;
	memset(ev, 0, offsetof(struct ct_event, u));
	memset(&ev->u, 0, sizeof(ev->u));
	*br = '\0';
	dash = strrchr(line, '-');
	if (!dash)
		return 0;
	ev->pid = (int32_t)strtol(dash + 1, NULL, 10);
	*dash = '\0';
	p = line;
	while (*p == ' ')
		p++;
	snprintf(ev->comm, sizeof(ev->comm), "%.*s", (int)sizeof(ev->comm) - 1, p);
	ev->cpu = (int32_t)strtol(br + 2, NULL, 10);
	p = strchr(br + 2, ']');
	if (!p)
		return 0;
	p++;
	/* flags (optional), then the timestamp "sec.usec:" */
	while (*p == ' ')
		p++;
	if (!(p[0] >= '0' && p[0] <= '9') || !strchr(p, '.') || strchr(p, ' ') < strchr(p, '.')) {
		p = strchr(p, ' ');
		if (!p)
			return 0;
		while (*p == ' ')
			p++;
	}
	if (sscanf(p, "%llu.%llu:", &sec, &usec) != 2)
		return 0;
	ev->ts_ns = sec * 1000000000ull + usec * 1000ull;
	colon = strchr(p, ':');
	if (!colon)
		return 0;
	nm = colon + 2;
	colon = strchr(nm, ':');
	if (!colon)
		return 0;
	*colon = '\0';
	snprintf(name, namelen, "%.*s", 63, nm);
	*payload_out = colon + 2;
	ev->type = (uint16_t)ct_event_type_from_name(nm, strlen(nm));
	if (ev->type == CT_EV_OTHER)
		ev->type = (uint16_t)ct_event_page_type_from_name(nm, strlen(nm));
	ev->name = name;
	ev->name_len = (uint16_t)strlen(name);
	p = *payload_out;
	switch (ev->type) {
	case CT_EV_BEGIN:
	case CT_EV_END:
		ev->u.range.zone_start = num(p, "zone_start", &ok);
		ev->u.range.migrate_pfn = num(p, "migrate_pfn", &ok);
		ev->u.range.free_pfn = num(p, "free_pfn", &ok);
		ev->u.range.zone_end = num(p, "zone_end", &ok);
		ev->u.range.sync = strstr(p, "mode=sync") ? 1 : 0;
		if (ev->type == CT_EV_END) {
			const char *st = field(p, "status");

			ev->u.range.status = (int16_t)(st ? ct_status_from_name(st, strcspn(st, " \n")) : CT_STATUS_UNKNOWN);
		}
		break;
	case CT_EV_ISOLATE_MIGRATE:
	case CT_EV_ISOLATE_FREE:
	case CT_EV_FAST_ISOLATE_FREE: {
		const char *r = field(p, "range");

		if (!r || sscanf(r, "(%llx ~ %llx)", (unsigned long long *)&ev->u.iso.start_pfn,
				 (unsigned long long *)&ev->u.iso.end_pfn) != 2)
			ok = 0;
		ev->u.iso.nr_scanned = num(p, "nr_scanned", &ok);
		ev->u.iso.nr_taken = num(p, "nr_taken", &ok);
		break;
	}
	case CT_EV_MIGRATEPAGES:
		ev->u.mig.nr_migrated = num(p, "nr_migrated", &ok);
		ev->u.mig.nr_failed = num(p, "nr_failed", &ok);
		break;
	case CT_EV_TRY_TO_COMPACT:
		ev->u.try_.order = (int32_t)snum(p, "order", &ok);
		break;
	case CT_EV_FINISHED:
	case CT_EV_SUITABLE: {
		const char *z = field(p, "zone"), *ret = field(p, "ret");

		ev->u.zo.nid = (int32_t)snum(p, "node", &ok);
		ev->u.zo.order = (int32_t)snum(p, "order", &ok);
		if (z)
			snprintf(ev->u.zo.zone, sizeof(ev->u.zo.zone), "%.*s", (int)strcspn(z, " "), z);
		ev->u.zo.ret = (int16_t)(ret ? ct_status_from_name(ret, strcspn(ret, " \n")) : CT_STATUS_UNKNOWN);
		break;
	}
	case CT_EV_EXTFRAG:
		ev->u.xf.pfn = num(p, "pfn", &ok);
		ev->u.xf.alloc_order = (int32_t)snum(p, "alloc_order", &ok);
		ev->u.xf.fallback_order = (int32_t)snum(p, "fallback_order", &ok);
		ev->u.xf.alloc_migratetype = (int32_t)snum(p, "alloc_migratetype", &ok);
		ev->u.xf.fallback_migratetype = (int32_t)snum(p, "fallback_migratetype", &ok);
		ev->u.xf.change_ownership = (int32_t)snum(p, "change_ownership", &ok);
		ev->u.xf.printed_pageblock_order = ev->u.xf.printed_fragmenting = -1;
		break;
	case CT_EV_PAGE_ALLOC:
	case CT_EV_PAGE_ALLOC_ZONE_LOCKED:
	case CT_EV_PAGE_FREE:
	case CT_EV_PAGE_FREE_BATCHED:
	case CT_EV_PAGE_PCPU_DRAIN:
		ev->u.page.pfn = num(p, "pfn", &ok);
		ev->u.page.order = field(p, "order") ? (int32_t)snum(p, "order", &ok) : 0;
		ev->u.page.migratetype = field(p, "migratetype") ? (int32_t)snum(p, "migratetype", &ok) : -1;
		ev->u.page.percpu_refill = field(p, "percpu_refill") ? (int32_t)snum(p, "percpu_refill", &ok) : -1;
		/* a failed allocation prints page=(null) pfn=0 */
		if (ev->type == CT_EV_PAGE_ALLOC && strstr(p, "page=(null)"))
			ev->u.page.pfn = CT_PFN_NONE;
		break;
	default:
		break;
	}
	if (!ok) {
		ev->type = CT_EV_PARSE_ERROR;
		memset(&ev->u, 0, sizeof(ev->u));
	}
	return 1;
}

int main(int argc, char **argv)
{
	struct ct_memsnap *start = NULL, *end = NULL;
	struct ct_model_opts mo = { 0 };
	struct ct_engine_opts eo = { .filter_pid = -1 };
	const struct ct_model_results *r;
	struct ct_engine *eng = NULL;
	char line[4096], err[512], name[64];
	uint64_t lines = 0, page_events = 0, parse_errors = 0;
	FILE *f = NULL;
	int status = 1;

	if (argc < 4) {
		fprintf(stderr, "usage: model_replay START_DIR END_DIR TRACE.txt\n");
		return 2;
	}
	if (ct_model_snap_load_dir(argv[1], &start, err, sizeof(err)) < 0 ||
	    ct_model_snap_load_dir(argv[2], &end, err, sizeof(err)) < 0) {
		fprintf(stderr, "model_replay: %s\n", err);
		goto out;
	}
	/* the recording script marks the window it read /proc/kpageflags in */
	if (start && start->free_map.classes) {
		f = fopen(argv[3], "re");
		while (f && fgets(line, sizeof(line), f)) {
			struct ct_event ev;
			char *payload = NULL;

			if (!strstr(line, "tracing_mark_write: ct-freemap-") ||
			    !parse_line(line, &ev, &payload, name, sizeof(name)))
				continue;
			if (strstr(payload, "ct-freemap-begin"))
				start->free_map.ts_begin_ns = ev.ts_ns;
			else if (strstr(payload, "ct-freemap-end"))
				start->free_map.ts_end_ns = ev.ts_ns;
		}
		if (f)
			fclose(f);
		f = NULL;
	}
	mo.start = start;
	mo.end = end;
	mo.page_events = 1;
	mo.pageblock_order = start && start->pageblock_order ? start->pageblock_order : 0;
	eo.pageblock_order = mo.pageblock_order;
	eo.pageblock_order_source = CT_PBO_SNAPSHOT;
	eo.model = &mo;
	eng = ct_engine_new(&eo);
	f = fopen(argv[3], "re");
	if (!eng || !f) {
		fprintf(stderr, "model_replay: cannot start\n");
		goto out;
	}
	ct_engine_begin_source(eng, argv[3], "ftrace-text");
	while (fgets(line, sizeof(line), f)) {
		struct ct_event ev;
		char *payload = NULL;

		lines++;
		if (!parse_line(line, &ev, &payload, name, sizeof(name)))
			continue;
		if (ev.type == CT_EV_PARSE_ERROR) {
			ev.u.perr.where = lines;
			parse_errors++;
		}
		page_events += ev.type >= CT_EV_PAGE_FIRST && ev.type <= CT_EV_PAGE_LAST;
		if (ct_engine_feed(eng, &ev) < 0) {
			fprintf(stderr, "model_replay: out of memory\n");
			goto out;
		}
	}
	ct_engine_end_source(eng);
	r = ct_model_results(ct_engine_model(eng));
	if (!r)
		goto out;
	printf("%llu lines, %llu page events, %llu parse errors; model %s\n", (unsigned long long)lines,
	       (unsigned long long)page_events, (unsigned long long)parse_errors, ct_model_mode_name(r->mode));
	for (uint32_t i = 0; i < r->nzones; i++) {
		const struct ct_model_zone *z = &r->zones[i];

		printf("zone %-8s %-9s seeded %-10s accuracy %s%.4f baseline %.4f suitable %llu/%llu "
		       "conflicts %llu (+%llu in the map window)\n",
		       z->zone, ct_model_mode_name(z->mode), ct_model_seeding_name(z->seeding),
		       z->accuracy_valid ? "" : "(n/a) ", z->accuracy, z->baseline_accuracy,
		       (unsigned long long)z->suitable_agreed, (unsigned long long)z->suitable_predicted,
		       (unsigned long long)z->page_event_conflicts, (unsigned long long)z->map_window_overlaps);
		printf("  model :");
		for (int o = 0; o < z->norders; o++)
			printf(" %llu", (unsigned long long)z->model_end_blocks[o]);
		printf("\n  actual:");
		for (int o = 0; o < z->norders; o++)
			printf(" %llu", (unsigned long long)z->actual_end_blocks[o]);
		printf("\n");
	}
	for (uint32_t i = 0; i < r->nnotes; i++)
		printf("note: %s\n", r->notes[i]);
	status = 0;
out:
	if (f)
		fclose(f);
	ct_engine_free(eng);
	ct_memsnap_free(start);
	ct_memsnap_free(end);
	return status;
}
