// SPDX-License-Identifier: GPL-2.0-or-later
/* Event-by-event comparison of a binary trace's stream with its text's. */
#include <stdio.h>
#include <string.h>

#include "compactrace/event.h"
#include "compare.h"

static const char *tname(int type)
{
	return ct_event_type_name((enum ct_event_type)type);
}

/* the microseconds a tool prints for a binary timestamp */
static uint64_t shown_us(uint64_t ns, int rounds)
{
	return rounds ? (ns + 500) / 1000 : ns / 1000;
}

static int same_payload(const struct ct_event *b, const struct ct_event *t, char *why, size_t wl)
{
#define F(expr) do { if ((b->expr) != (t->expr)) { snprintf(why, wl, "%s", #expr); return 0; } } while (0)
#define S(expr) do { if (strcmp(b->expr, t->expr)) { snprintf(why, wl, "%s: \"%s\" vs \"%s\"", #expr, b->expr, t->expr); return 0; } } while (0)
	switch (b->type) {
	case CT_EV_BEGIN:
	case CT_EV_END:
		F(u.range.zone_start); F(u.range.migrate_pfn); F(u.range.free_pfn);
		F(u.range.zone_end); F(u.range.sync);
		if (b->type == CT_EV_END)
			F(u.range.status);
		break;
	case CT_EV_ISOLATE_MIGRATE:
	case CT_EV_ISOLATE_FREE:
	case CT_EV_FAST_ISOLATE_FREE:
		F(u.iso.start_pfn); F(u.iso.end_pfn); F(u.iso.nr_scanned); F(u.iso.nr_taken);
		break;
	case CT_EV_MIGRATEPAGES:
		F(u.mig.nr_migrated); F(u.mig.nr_failed);
		break;
	case CT_EV_TRY_TO_COMPACT:
		F(u.try_.order); F(u.try_.priority); F(u.try_.prio_is_mode);
		S(u.try_.gfp_text);
		if (t->u.try_.gfp_known)
			F(u.try_.gfp);
		break;
	case CT_EV_FINISHED:
	case CT_EV_SUITABLE:
		F(u.zo.nid); F(u.zo.order); F(u.zo.ret); S(u.zo.zone);
		break;
	case CT_EV_DEFERRED:
	case CT_EV_DEFER_COMPACTION:
	case CT_EV_DEFER_RESET:
		F(u.defer.nid); F(u.defer.order); F(u.defer.order_failed);
		F(u.defer.consider); F(u.defer.limit); S(u.defer.zone);
		break;
	case CT_EV_KCOMPACTD_SLEEP:
	case CT_EV_WAKEUP_KCOMPACTD:
	case CT_EV_KCOMPACTD_WAKE:
		F(u.kc.nid); F(u.kc.order); S(u.kc.zone);
		break;
	case CT_EV_EXTFRAG:
		F(u.xf.pfn); F(u.xf.alloc_order); F(u.xf.fallback_order);
		F(u.xf.alloc_migratetype); F(u.xf.fallback_migratetype); F(u.xf.change_ownership);
		break;
	case CT_EV_MM_MIGRATE_PAGES:
		F(u.mm.succeeded); F(u.mm.failed); S(u.mm.mode); S(u.mm.reason);
		break;
	case CT_EV_PAGE_ALLOC:
	case CT_EV_PAGE_ALLOC_ZONE_LOCKED:
	case CT_EV_PAGE_FREE:
	case CT_EV_PAGE_FREE_BATCHED:
	case CT_EV_PAGE_PCPU_DRAIN:
		F(u.page.pfn); F(u.page.order); F(u.page.migratetype); F(u.page.percpu_refill);
		if (t->u.page.gfp_known)
			F(u.page.gfp);
		break;
	case CT_EV_LOST:
		F(u.lost.count);
		break;
	default:
		break;
	}
	return 1;
#undef F
#undef S
}

void bt_compare(struct ct_source *bin, struct ct_source *text, int rounds, int skip_perr,
		struct bt_cmp_stats *st, int max_reports)
{
	memset(st, 0, sizeof(*st));
	for (;;) {
		struct ct_event b, x;
		char why[512] = "";

		st->rb = ct_source_next(bin, &b);
		while (st->rb > 0 && skip_perr && b.type == CT_EV_PARSE_ERROR) {
			if (!st->binary_perr++)
				st->first_perr_where = b.u.perr.where;
			st->rb = ct_source_next(bin, &b);
		}
		st->rt = ct_source_next(text, &x);
		if (st->rb <= 0 || st->rt <= 0)
			break;
		st->events++;
		st->other += b.type == CT_EV_OTHER;
		if (b.type == CT_EV_LOST) {
			st->lost++;
			st->lost_count += b.u.lost.count;
		}
		/*
		 * kmem page events: the binary readers decode them (struct
		 * ct_ev_page); a text parser that does not yet leaves them
		 * CT_EV_OTHER, which is the same event, not decoded.
		 */
		if (b.type >= CT_EV_PAGE_FIRST && b.type <= CT_EV_PAGE_LAST && x.type == CT_EV_OTHER) {
			st->page_untyped++;
			x.type = b.type;
			x.u = b.u;
		}
		if (b.type != x.type)
			snprintf(why, sizeof(why), "type %s vs %s", tname(b.type), tname(x.type));
		else if (b.name_len != x.name_len || memcmp(b.name, x.name, b.name_len))
			snprintf(why, sizeof(why), "name %.*s vs %.*s", b.name_len, b.name, x.name_len, x.name);
		else if (shown_us(b.ts_ns, rounds) * 1000 != x.ts_ns)
			snprintf(why, sizeof(why), "ts %llu vs %llu", (unsigned long long)b.ts_ns,
				 (unsigned long long)x.ts_ns);
		else if (b.pid != x.pid)
			snprintf(why, sizeof(why), "pid %d vs %d", b.pid, x.pid);
		else if (b.cpu != x.cpu)
			snprintf(why, sizeof(why), "cpu %d vs %d", b.cpu, x.cpu);
		else if (strcmp(b.comm, x.comm))
			snprintf(why, sizeof(why), "comm \"%s\" vs \"%s\"", b.comm, x.comm);
		else
			same_payload(&b, &x, why, sizeof(why));
		if (why[0] && st->mismatches++ < (unsigned long long)max_reports)
			fprintf(stderr, "event %llu (%s %.*s at %llu ns): %s\n", st->events, tname(b.type),
				b.name_len, b.name, (unsigned long long)b.ts_ns, why);
	}
}
