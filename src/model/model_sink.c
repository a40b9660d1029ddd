// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The shadow buddy model as a session sink: it replays the events that move
 * pages (runs and their steps, suitability decisions, kmem page events,
 * losses) and the engine's fallbacks, and sees a run's end only when its
 * begin was seen.
 */
#include "compactrace/model.h"

static int model_event(void *ctx, const struct ct_event *ev, const struct ct_run *run)
{
	switch (ev->type) {
	case CT_EV_END:
		if (!run)
			return 0;
		break;
	case CT_EV_BEGIN:
	case CT_EV_ISOLATE_MIGRATE:
	case CT_EV_ISOLATE_FREE:
	case CT_EV_FAST_ISOLATE_FREE:
	case CT_EV_MIGRATEPAGES:
	case CT_EV_SUITABLE:
	case CT_EV_LOST:
		break;
	default:
		if (ev->type < CT_EV_PAGE_FIRST || ev->type > CT_EV_PAGE_LAST)
			return 0;
		break;
	}
	return ct_model_feed(ctx, ev, run);
}

static int model_fallback(void *ctx, const struct ct_fallback *fb)
{
	return ct_model_fallback(ctx, fb);
}

static int model_end_source(void *ctx)
{
	ct_model_end_source(ctx);
	return 0;
}

static const struct ct_sink_ops model_sink_ops = {
	.name = "model",
	.event = model_event,
	.fallback = model_fallback,
	.end_source = model_end_source,
};

struct ct_sink ct_model_sink(struct ct_model *m)
{
	return (struct ct_sink){ .ops = &model_sink_ops, .ctx = m };
}
