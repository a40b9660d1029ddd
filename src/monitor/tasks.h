/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef CT_MONITOR_TASKS_H
#define CT_MONITOR_TASKS_H

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

#endif
