// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Values no kernel can have produced: the engine's first check of an event.
 * The limits live with each field in the table of events
 * (compactrace/event_desc.h); what is checked here besides is the engine's
 * own rule that an isolation stays near its run's zone.
 */
#include <string.h>

#include "compactrace/event_desc.h"
#include "engine/engine_values.h"

_Static_assert(CT_EVENT_ORDER_MAX == CT_ORDER_MAX, "the event table and the engine agree on orders");

/* isolations may reach a little past a zone that does not start on a pageblock boundary */
#define ZONE_SLACK 1024

/*
 * Per type, the checks of its fields, worked out from the table before
 * main() as bounds: a pfn or a page count (8 bytes) is below @limit or
 * equal to @also; an order or a node (4 bytes) lies in [@lo, @hi].
 */
struct value_check {
	uint16_t off;
	uint8_t wide;
	int32_t lo, hi;
	uint64_t limit, also;
};

static struct {
	struct value_check c[CT_EVENT_FIELDS + 1];
	uint8_t n;
	int (*values_ok)(const struct ct_event *ev);	/* the descriptor's check across fields */
} checks[CT_EV_TYPE_COUNT];

static int bounds(uint8_t check, uint16_t off, uint16_t size, struct value_check *c)
{
	*c = (struct value_check){ .off = off, .also = CT_PFN_LIMIT };	/* also: never equal */
	switch (check) {
	case CT_CHECK_PFN:
	case CT_CHECK_PFN_OR_NONE:
	case CT_CHECK_STEP:
		c->wide = 1;
		c->limit = check == CT_CHECK_STEP ? CT_MAX_STEP_PAGES : CT_PFN_LIMIT;
		if (check == CT_CHECK_PFN_OR_NONE)
			c->also = CT_PFN_NONE;
		return size == 8;
	case CT_CHECK_ORDER:
		c->lo = -1;
		c->hi = CT_EVENT_ORDER_MAX;
		return size == 4;
	case CT_CHECK_ALLOC_ORDER:
		c->hi = CT_EVENT_ORDER_MAX;
		return size == 4;
	case CT_CHECK_NID:
		c->hi = CT_MAX_NODES - 1;
		return size == 4;
	default:
		return 0;
	}
}

__attribute__((constructor)) static void build_checks(void)
{
	for (int t = 0; t < CT_EV_TYPE_COUNT; t++) {
		const struct ct_event_desc *d = ct_event_desc((enum ct_event_type)t);

		checks[t].values_ok = d ? d->values_ok : NULL;
		for (unsigned i = 0; d && i < d->nfields; i++) {
			const struct ct_field_desc *f = &d->fields[i];

			if (!bounds(f->check, f->off, f->size, &checks[t].c[checks[t].n]))
				continue;	/* no check, or a width no kernel field of that kind has */
			checks[t].n++;
			if (f->kind == CT_FK_RANGE)	/* the range's end too */
				bounds(f->check, f->off2, f->size, &checks[t].c[checks[t].n++]);
		}
	}
}

static inline int value_ok(const struct ct_event *ev, const struct value_check *c)
{
	const unsigned char *at = (const unsigned char *)ev + c->off;

	if (c->wide) {
		uint64_t v;

		memcpy(&v, at, 8);
		return v < c->limit || v == c->also;
	} else {
		int32_t v;

		memcpy(&v, at, 4);
		return (uint32_t)(v - c->lo) <= (uint32_t)(c->hi - c->lo);
	}
}

/* an isolation far outside the zone of the run it belongs to */
static int near_run(const struct ct_event *ev, const struct ct_run *run)
{
	const struct ct_ev_isolate *i = &ev->u.iso;

	return i->start_pfn < run->zone_end + ZONE_SLACK && i->end_pfn + ZONE_SLACK > run->zone_start;
}

int ct_event_values_ok(const struct ct_event *ev, const struct ct_run *open_run)
{
	const struct value_check *c, *end;
	int (*across)(const struct ct_event *ev);

	if (ev->type >= CT_EV_TYPE_COUNT)
		return 1;
	c = checks[ev->type].c;
	end = c + checks[ev->type].n;
	across = checks[ev->type].values_ok;
	for (; c < end; c++)
		if (!value_ok(ev, c))
			return 0;
	if (across && !across(ev))
		return 0;
	if (open_run && (ev->type == CT_EV_ISOLATE_MIGRATE || ev->type == CT_EV_ISOLATE_FREE ||
			 ev->type == CT_EV_FAST_ISOLATE_FREE))
		return near_run(ev, open_run);
	return 1;
}
