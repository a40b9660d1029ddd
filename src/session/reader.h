/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef CT_SESSION_READER_H
#define CT_SESSION_READER_H

#include <stdint.h>

#include "compactrace/event.h"
#include "compactrace/source.h"

/*
 * A decode thread: runs ct_source_next() ahead of the session and hands
 * the events over in batches, in the order the source gives them, through
 * a bounded ring of batches (memory does not grow with the input). The
 * engine stays on the caller's thread, so results never depend on
 * scheduling; this only lets decoding and analysis use two cores.
 */
struct ct_reader;

/**
 * ct_reader_threads() - how many threads a replay of @src should use
 *
 * CT_THREADS=1 in the environment: one (everything on the caller's
 * thread, the reference the tests compare with); CT_THREADS=2: two.
 * Otherwise two only for text (both threads decode its chunks) when a
 * CPU is spare right now (/proc/loadavg's running tasks against the CPUs
 * we may run on), and one for the rest: trace.dat and perf.data files,
 * whose second thread would only read and order records, and piped perf
 * data, whose thread would hand decoded batches over. On this project's
 * 2-CPU VM that hand-over cost more than it saved as often as not
 * (README "Speed").
 */
int ct_reader_threads(const struct ct_source *src);

/**
 * ct_reader_start() - start decoding @src on a thread of its own
 * @src: the caller's; not touched by the caller until ct_reader_free()
 *       (ct_source_path() and ct_source_format() excepted: they never change)
 * @out: the new reader; free it with ct_reader_free()
 *
 * Returns 0, -CT_E_NOMEM, or -CT_E_UNSUPPORTED when no thread could be
 * made (the caller then reads @src itself).
 */
int ct_reader_start(struct ct_source *src, struct ct_reader **out);

/**
 * ct_reader_next() - the next batch of events
 * @ev: receives the batch (valid, names included, until the next call or
 *      ct_reader_free())
 * @n: receives how many events it holds (may be 0)
 *
 * Returns 1 when more batches follow, 0 when the source ended after
 * these events, or the negative CT_E_* code ct_source_next() failed with
 * after these events (ct_source_error() says what, once the reader is freed).
 */
int ct_reader_next(struct ct_reader *r, const struct ct_event **ev, uint32_t *n);

/** ct_reader_free() - stop the thread (wherever it is) and free the batches; accepts NULL */
void ct_reader_free(struct ct_reader *r);

#endif
