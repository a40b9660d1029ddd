/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef CT_ENGINE_VALUES_H
#define CT_ENGINE_VALUES_H

#include <stdint.h>

#include "compactrace/engine.h"
#include "compactrace/event.h"

/**
 * ct_event_values_ok() - whether @ev carries only values a kernel can produce
 * @ev:       the event
 * @open_run: the run its task has open, or NULL
 *
 * Pfns beyond any machine, zones that end before they start, orders and
 * nodes outside every kernel's range, more pages in one isolate or migrate
 * step than any pageblock holds, isolations far outside their run's zone.
 * The engine counts such an event in quality.bad_values and drops it, so
 * that no total, run or model ever takes it in. Returns 1 or 0.
 */
int ct_event_values_ok(const struct ct_event *ev, const struct ct_run *open_run);

#endif
