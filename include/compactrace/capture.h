/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef COMPACTRACE_CAPTURE_H
#define COMPACTRACE_CAPTURE_H

#include <signal.h>
#include <stddef.h>
#include <stdint.h>

/*
 * Live capture through libtracefs (the only code that includes tracefs.h):
 * a private tracefs instance "compactrace-<pid>" so the host's own tracing
 * is untouched, its events, and per-CPU readers that move whole raw
 * ring-buffer pages into file descriptors (splice; no per-event work).
 * Nothing here knows a file format.
 *
 * ct_capture_free() undoes everything ct_capture_new() and the calls after
 * it did: events disabled, readers closed, the instance removed, tracefs
 * unmounted if ct_capture_new() mounted it.
 */

struct ct_capture;

/* Told about something worth a line on the terminal (a stale instance removed, ...). */
typedef void (*ct_capture_note_fn)(void *ctx, const char *msg);

/**
 * ct_capture_new() - find tracefs, mounting it when it is not mounted
 * @out: receives the capture; free it with ct_capture_free()
 * @err: a one-line message on failure
 *
 * Returns 0, -CT_E_PERM (not root), -CT_E_NOTRACEFS (no tracefs on this
 * kernel, or it cannot be mounted) or -CT_E_NOMEM.
 */
int ct_capture_new(struct ct_capture **out, char *err, size_t errlen);

/**
 * ct_capture_close() - leave the host as ct_capture_new() found it (see above)
 * @err: a one-line message when something could not be undone
 *
 * Returns 0 or -CT_E_IO. Only ct_capture_free() may follow.
 */
int ct_capture_close(struct ct_capture *cap, char *err, size_t errlen);

/** ct_capture_free() - ct_capture_close() (if not done) and free @cap; accepts NULL */
void ct_capture_free(struct ct_capture *cap);

/** ct_capture_tracing_dir() - the tracefs mount point in use; owned by @cap */
const char *ct_capture_tracing_dir(const struct ct_capture *cap);

/**
 * ct_capture_remove_stale() - remove "compactrace-<pid>" instances whose process is gone
 * @note: told about each instance removed (or that could not be); may be NULL
 *
 * A process is gone when kill(pid, 0) fails with ESRCH. Returns how many
 * were removed, or -CT_E_IO when the instances cannot be listed.
 */
int ct_capture_remove_stale(struct ct_capture *cap, ct_capture_note_fn note, void *ctx);

/**
 * ct_capture_create_instance() - create "compactrace-<getpid()>" with tracing off
 * @buffer_kb: ring buffer per CPU in KiB; 0 keeps the kernel's default
 * @buffer_percent: how full a CPU's buffer gets before a waiting reader
 *                  wakes (the instance's buffer_percent); <0 keeps the default
 *
 * Returns 0, -CT_E_IO (err says why) or -CT_E_NOMEM.
 */
int ct_capture_create_instance(struct ct_capture *cap, size_t buffer_kb, int buffer_percent,
			       char *err, size_t errlen);

/** ct_capture_instance_name() - the instance's name, or NULL before it exists; owned by @cap */
const char *ct_capture_instance_name(const struct ct_capture *cap);

/**
 * ct_capture_system_events() - the events of @system this kernel has, sorted
 *
 * Returns a NULL-terminated list the caller frees with ct_capture_list_free(),
 * or NULL when the system does not exist.
 */
char **ct_capture_system_events(struct ct_capture *cap, const char *system);

/** ct_capture_list_free() - free a list from ct_capture_system_events(); accepts NULL */
void ct_capture_list_free(char **list);

/**
 * ct_capture_enable_event() - enable @system:@event in the instance
 *
 * Returns 0, -CT_E_NOEVENT when this kernel has no such event, or -CT_E_IO.
 */
int ct_capture_enable_event(struct ct_capture *cap, const char *system, const char *event);

/**
 * ct_capture_enable_live_events() - the events `top` and `monitor` trace
 * @note: receives "" or what this kernel lacks (said to the user, not an error)
 * @err: a one-line message on failure
 *
 * Every compaction:* event the kernel has and kmem:mm_page_alloc_extfrag.
 * Returns 0 or a negative CT_E_* code (-CT_E_NOEVENT: no compaction events).
 */
int ct_capture_enable_live_events(struct ct_capture *cap, char *note, size_t notelen,
				  char *err, size_t errlen);

/**
 * ct_capture_open_pipe() - open the instance's trace_pipe, non-blocking
 * @fd: receives the descriptor (the caller closes it), -1 on failure
 *
 * Returns 0 or a negative CT_E_* code (@err says why).
 */
int ct_capture_open_pipe(struct ct_capture *cap, int *fd, char *err, size_t errlen);

/**
 * ct_capture_read_file() - read a tracefs file
 * @instance: 1 for the instance's own file (e.g. "trace_clock",
 *            "per_cpu/cpu0/stats"), 0 for the top level (e.g.
 *            "events/header_page", "saved_cmdlines",
 *            "events/compaction/mm_compaction_begin/format")
 * @text: receives a malloc()ed NUL-terminated copy the caller frees
 * @len: receives its length
 *
 * Returns 0, -CT_E_OPEN or -CT_E_NOMEM.
 */
int ct_capture_read_file(struct ct_capture *cap, int instance, const char *file,
			 char **text, size_t *len);

/**
 * ct_capture_open_cpus() - open a non-blocking raw reader on every CPU of the instance
 *
 * Returns the number of CPU slots (the highest CPU + 1; a CPU without a
 * buffer has no reader), or -CT_E_IO / -CT_E_NOMEM.
 */
int ct_capture_open_cpus(struct ct_capture *cap, char *err, size_t errlen);

/** ct_capture_ncpus() - CPU slots after ct_capture_open_cpus() */
int ct_capture_ncpus(const struct ct_capture *cap);

/** ct_capture_has_cpu() - 1 when CPU @cpu has a reader */
int ct_capture_has_cpu(const struct ct_capture *cap, int cpu);

/** ct_capture_page_size() - bytes per ring-buffer page (sub-buffer) */
int ct_capture_page_size(const struct ct_capture *cap);

/**
 * ct_capture_use_mono_clock() - timestamp the instance's events with CLOCK_MONOTONIC
 *
 * Sets its trace_clock to "mono", so that ct_capture_now_ns() taken in user
 * space is a time in the trace (record --pages brackets the free-map read
 * with two). Call it before tracing starts: a new clock empties the buffers.
 * Returns 0, -CT_E_UNSUPPORTED (no "mono" clock) or -CT_E_IO.
 */
int ct_capture_use_mono_clock(struct ct_capture *cap);

/** ct_capture_now_ns() - CLOCK_MONOTONIC in ns: the "mono" trace clock */
uint64_t ct_capture_now_ns(void);

/** ct_capture_set_tracing() - the instance's tracing_on; returns 0 or -CT_E_IO */
int ct_capture_set_tracing(struct ct_capture *cap, int on);

/**
 * ct_capture_wait() - sleep until a CPU buffer is buffer_percent full, a signal, or @timeout_ms
 * @sigmask: the signal mask while waiting (ppoll), or NULL
 *
 * Returns 1 when some CPU has pages, 0 on timeout or a signal.
 */
int ct_capture_wait(struct ct_capture *cap, int timeout_ms, const sigset_t *sigmask);

/**
 * ct_capture_drain() - move CPU @cpu's full pages into @fd
 * @max_bytes: stop after about this much (so one busy CPU cannot starve the others)
 *
 * Returns the bytes written (0: nothing ready), -CT_E_NOSPACE when the disk
 * is full, -CT_E_WRITE or -CT_E_IO.
 */
long ct_capture_drain(struct ct_capture *cap, int cpu, int fd, long max_bytes);

/**
 * ct_capture_flush() - after tracing is off: move everything left, partial pages too
 *
 * Returns the bytes written, or a negative CT_E_* code as ct_capture_drain().
 */
long ct_capture_flush(struct ct_capture *cap, int cpu, int fd);

/**
 * ct_capture_read_page() - read CPU @cpu's next page into @buf, a partial one too
 * @buf: at least ct_capture_page_size() bytes
 *
 * What the kernel returns for a read of trace_pipe_raw: one page (sub-buffer)
 * with its header, holding the events committed so far when the CPU's
 * current page is not full yet; they are consumed. For a live reader that
 * cannot wait for pages to fill (the monitor). Returns the bytes read (a
 * page), 0 when the CPU has nothing, or -CT_E_IO.
 */
long ct_capture_read_page(struct ct_capture *cap, int cpu, void *buf);

/** ct_capture_disable_events() - disable every event of the instance; 0 or -CT_E_IO */
int ct_capture_disable_events(struct ct_capture *cap);

#endif
