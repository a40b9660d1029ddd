/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef CT_PARSERS_PERF_TASKS_H
#define CT_PARSERS_PERF_TASKS_H

/*
 * The names perf script gives tasks: a task's last COMM record, or its
 * parent's name after a FORK; "swapper" for tid 0 and ":TID" for a task
 * no record named. Kept by the thread that takes the events in order
 * (perf_data.c), which applies the COMM and FORK records as they come.
 */

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "compactrace/event.h"

struct pf_comm {
	int32_t tid;		/* INT32_MIN: free slot */
	char comm[CT_COMM_LEN];
};

struct pf_tasks {
	struct pf_comm *comms;	/* open addressing, a power of two */
	size_t n, cap;
	int nomem;		/* a task's name was lost for lack of memory */
};

void pf_tasks_free(struct pf_tasks *t);

/* @tid's name for a task no record named: "swapper" for tid 0, else ":TID" */
void pf_tasks_unnamed(int32_t tid, char *out);

/* where @tid is in the table, or the free slot where it would go (t->cap > 0) */
static inline size_t pf_tasks_probe(const struct pf_tasks *t, int32_t tid)
{
	size_t mask = t->cap - 1, i = ((uint32_t)tid * 2654435761u) & mask;

	while (t->comms[i].tid != tid && t->comms[i].tid != INT32_MIN)
		i = (i + 1) & mask;
	return i;
}

/* @tid's name, as perf script prints it, into @out (CT_COMM_LEN bytes); inline: once per event */
static inline void pf_tasks_name(const struct pf_tasks *t, int32_t tid, char *out)
{
	size_t i;

	if (t->cap && t->comms[i = pf_tasks_probe(t, tid)].tid == tid)
		memcpy(out, t->comms[i].comm, CT_COMM_LEN);
	else
		pf_tasks_unnamed(tid, out);
}

/*
 * A COMM (@fork 0: { pid, tid, name }) or FORK (@fork 1: { pid, ppid,
 * tid, ptid, ... }) record's body of @len bytes, in the file's byte order
 * (@swap). Returns -1 when a name was lost for lack of memory, else 0.
 */
int pf_tasks_record(struct pf_tasks *t, int fork, const unsigned char *body, size_t len, int swap);

#endif
