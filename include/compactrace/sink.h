/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef COMPACTRACE_SINK_H
#define COMPACTRACE_SINK_H

#include <stdint.h>

#include "compactrace/engine.h"
#include "compactrace/event.h"

/*
 * A sink consumes what the engine reconstructs, as it happens: the shadow
 * buddy model, top's interval model, the NDJSON writer, the monitor's
 * metrics, the Perfetto exporter. It subscribes to a session
 * (ct_session_add_sink()) and never recomputes what the engine computed.
 *
 * Every callback is optional. Pointers passed to a callback are the
 * engine's and valid only during the call. A negative return (a CT_E_*
 * code) stops the session with that error; the first error is kept.
 */

/* One extfrag fallback, with the engine's verdict on it. */
struct ct_fallback {
	uint64_t ts_ns, pfn;
	int32_t pid;
	const char *comm;		/* the allocating task */
	int32_t alloc_order, fallback_order;
	int32_t alloc_migratetype, fallback_migratetype;
	uint8_t fragmenting;		/* fallback_order < pageblock order: the kernel's rule */
	uint8_t change_ownership;
	uint8_t first_in_pageblock;	/* the first fragmenting fallback into its pageblock */
};

/* kcompactd of one node was awake from @start_ns to @end_ns (a wake, or a proactive run, to a sleep). */
struct ct_kcompactd_period {
	int32_t nid;
	uint64_t start_ns, end_ns;
	uint8_t ended_by_input;		/* the input ended while it was awake */
};

struct ct_sink_ops {
	const char *name;
	/* a new input begins; @format is a CT_FORMAT_* name */
	int (*begin_source)(void *ctx, const char *path, const char *format);
	/*
	 * Every event the engine accepted (after --pid/--comm and the value
	 * checks), once the engine has taken it in, and CT_EV_LOST markers.
	 * @run: the run the event belongs to: for CT_EV_BEGIN the run just
	 * begun, for CT_EV_END the run just ended (trigger, zone and status
	 * known; NULL when its begin was not seen), for isolate and migrate
	 * events the task's open run (NULL outside a run); NULL otherwise.
	 */
	int (*event)(void *ctx, const struct ct_event *ev, const struct ct_run *run);
	int (*run)(void *ctx, const struct ct_run *run);		/* a run ended (begin_known 0: its begin was lost) */
	int (*stall)(void *ctx, const struct ct_stall *stall);		/* a direct stall closed */
	int (*fallback)(void *ctx, const struct ct_fallback *fb);	/* an extfrag fallback */
	int (*kcompactd)(void *ctx, const struct ct_kcompactd_period *p);	/* an awake period ended */
	/* the input ended; open runs, stalls and awake periods have been closed */
	int (*end_source)(void *ctx);
};

struct ct_sink {
	const struct ct_sink_ops *ops;
	void *ctx;		/* passed to every callback; not owned by the session */
};

#endif
