/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef CT_SESSION_LOOKAHEAD_H
#define CT_SESSION_LOOKAHEAD_H

#include <stddef.h>
#include <stdint.h>

#include "compactrace/event.h"

/*
 * Events held back, copied (with their names), while a session waits for
 * the trace to say a host fact; bounded by a count and a span of trace time.
 */
struct ct_lookahead;

/** ct_lookahead_new() - hold at most @max events spanning at most @max_ns; NULL on allocation failure */
struct ct_lookahead *ct_lookahead_new(size_t max, uint64_t max_ns);

/**
 * ct_lookahead_put() - keep a copy of @ev
 *
 * Returns 0 kept, 1 kept and now full (count or time span reached), or
 * -CT_E_NOMEM.
 */
int ct_lookahead_put(struct ct_lookahead *la, const struct ct_event *ev);

/**
 * ct_lookahead_get() - the @i-th event kept, or NULL past the last
 *
 * Owned by @la and valid until the next call: events are kept packed (only
 * their type's part of the union; the rest reads as zero).
 */
const struct ct_event *ct_lookahead_get(struct ct_lookahead *la, size_t i);

/** ct_lookahead_free() - accepts NULL */
void ct_lookahead_free(struct ct_lookahead *la);

#endif
