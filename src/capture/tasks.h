/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef CT_CAPTURE_TASKS_H
#define CT_CAPTURE_TASKS_H

#include <stddef.h>
#include <stdint.h>

/*
 * pid -> task name and cgroup, for a live trace (tracepoints carry neither
 * the cgroup nor, in raw pages, the name). Read from /proc/PID/{stat,comm,
 * cgroup} when a pid is first seen and cached in a bounded set-associative
 * table (least recently used out). An entry older than the recheck interval
 * is checked against /proc/PID/stat's start time before use, so a reused
 * pid gets its new task's name and cgroup.
 *
 * The cgroup is the cgroup v2 path ("0::PATH"); when the task has no v2
 * group of its own ("/", a hybrid host whose unified hierarchy is unused)
 * or there is no v2 line, the v1 memory controller's path. A task that is
 * already gone gets the name @fallback_comm finds (the kernel's
 * saved_cmdlines) and the cgroup "unknown".
 */

#define CT_TASK_COMM_LEN 32
#define CT_TASK_CGROUP_LEN 256

struct ct_task {
	int32_t pid;
	uint64_t start;			/* /proc/PID/stat field 22; 0: unknown (gone) */
	uint64_t checked_ns, used;
	char comm[CT_TASK_COMM_LEN];
	char cgroup[CT_TASK_CGROUP_LEN];
};

struct ct_tasks;

/* the kernel's name for a task that is gone, or NULL */
typedef const char *(*ct_tasks_comm_fn)(void *ctx, int32_t pid);

/**
 * ct_tasks_new() - an empty cache of about @capacity tasks
 * @proc: the proc mount ("/proc"; tests give a directory of their own)
 * @recheck_ns: how old an entry may be before its pid is checked for reuse
 *
 * Returns NULL on allocation failure; free with ct_tasks_free().
 */
struct ct_tasks *ct_tasks_new(const char *proc, uint32_t capacity, uint64_t recheck_ns,
			      ct_tasks_comm_fn fallback_comm, void *ctx);

/** ct_tasks_free() - accepts NULL */
void ct_tasks_free(struct ct_tasks *t);

/**
 * ct_tasks_get() - the task @pid is now
 * @now_ns: a monotonic clock (for the recheck interval)
 *
 * Returns an entry owned by @t, valid until the next call.
 */
const struct ct_task *ct_tasks_get(struct ct_tasks *t, int32_t pid, uint64_t now_ns);

/** ct_tasks_stats() - lookups answered from the cache, /proc reads, pids found reused */
void ct_tasks_stats(const struct ct_tasks *t, uint64_t *hits, uint64_t *reads, uint64_t *reused);

/**
 * ct_cgroup_from_text() - the cgroup of a /proc/PID/cgroup text (rule above)
 * @out: receives the path ("" when the text names none)
 */
void ct_cgroup_from_text(const char *text, char *out, size_t outlen);

/*
 * The task map `compactrace record` keeps in its file (attachment "tasks"),
 * so that a recording answers "which cgroup stalled" offline: every task
 * found in /proc while recording, scanned at most every
 * CT_TASKMAP_SCAN_NS, one line each: "PID START COMM<TAB>CGROUP" (START is
 * /proc/PID/stat's start time, COMM may hold spaces, not tabs). A task
 * that starts and ends between two scans is missed (its stalls then count
 * under "unknown"), and so is a pid reused during the recording (the map
 * keeps its first task).
 */
#define CT_TASKMAP_ATTACHMENT "tasks"
#define CT_TASKMAP_SCAN_NS 100000000ULL

struct ct_taskmap;

/** ct_taskmap_new() - an empty map of the tasks under @proc; NULL on allocation failure */
struct ct_taskmap *ct_taskmap_new(const char *proc);

/** ct_taskmap_free() - accepts NULL */
void ct_taskmap_free(struct ct_taskmap *m);

/**
 * ct_taskmap_scan() - add the tasks not seen yet (by pid and start time)
 * @now_ns: a monotonic clock; a scan sooner than CT_TASKMAP_SCAN_NS after the last does nothing
 *
 * Returns 0 or -CT_E_NOMEM.
 */
int ct_taskmap_scan(struct ct_taskmap *m, uint64_t now_ns);

/** ct_taskmap_text() - the map as the attachment's text (owned by @m, valid until the next call) */
const char *ct_taskmap_text(struct ct_taskmap *m, size_t *len);

#endif
