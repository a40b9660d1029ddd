// SPDX-License-Identifier: GPL-2.0-or-later
/* tid -> the name perf script gives it (perf_tasks.h) */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bin.h"
#include "perf_tasks.h"

#define PF_COMM_MAX (1u << 20)		/* threads whose comm we remember */

void pf_tasks_free(struct pf_tasks *t)
{
	free(t->comms);
	memset(t, 0, sizeof(*t));
}

/* @tid's slot, made with @create */
static struct pf_comm *slot(struct pf_tasks *t, int32_t tid, int create)
{
	size_t i;

	if (!t->cap) {
		if (!create)
			return NULL;
		t->comms = malloc(1024 * sizeof(*t->comms));
		if (!t->comms) {
			t->nomem = 1;
			return NULL;
		}
		t->cap = 1024;
		for (i = 0; i < t->cap; i++)
			t->comms[i].tid = INT32_MIN;
	}
	i = pf_tasks_probe(t, tid);
	if (t->comms[i].tid == tid)
		return &t->comms[i];
	if (!create || t->n >= PF_COMM_MAX)
		return NULL;
	if (2 * (t->n + 1) > t->cap) {
		size_t ncap = 2 * t->cap;
		struct pf_comm *n = malloc(ncap * sizeof(*n)), *old = t->comms;

		if (!n) {
			t->nomem = 1;
			return NULL;
		}
		for (i = 0; i < ncap; i++)
			n[i].tid = INT32_MIN;
		t->comms = n;
		t->cap = ncap;
		t->n = 0;
		for (i = 0; i < ncap / 2; i++)
			if (old[i].tid != INT32_MIN) {
				struct pf_comm *c = slot(t, old[i].tid, 1);

				if (c)
					memcpy(c->comm, old[i].comm, sizeof(c->comm));
			}
		free(old);
		return slot(t, tid, create);
	}
	t->comms[i].tid = tid;
	t->comms[i].comm[0] = '\0';
	t->n++;
	return &t->comms[i];
}

void pf_tasks_unnamed(int32_t tid, char *out)
{
	if (tid == 0)
		memcpy(out, "swapper", 8);	/* perf names the idle task so */
	else
		snprintf(out, CT_COMM_LEN, ":%d", tid);	/* perf's name for an unknown task */
}

int pf_tasks_record(struct pf_tasks *t, int fork, const unsigned char *body, size_t len, int swap)
{
	if (!fork) {
		struct pf_comm *c;
		const char *name;
		size_t n;

		if (len < 9)
			return 0;
		name = (const char *)body + 8;
		n = strnlen(name, len - 8);
		c = slot(t, (int32_t)ct_rd32(body + 4, swap), 1);
		if (c)
			ct_bin_copy_name(c->comm, sizeof(c->comm), name, n);
	} else {
		struct pf_comm *child, *parent;
		char pc[CT_COMM_LEN];

		if (len < 16)
			return 0;
		parent = slot(t, (int32_t)ct_rd32(body + 12, swap), 0);
		if (!parent)
			return 0;
		memcpy(pc, parent->comm, sizeof(pc));
		child = slot(t, (int32_t)ct_rd32(body + 8, swap), 1);
		if (child)
			memcpy(child->comm, pc, sizeof(pc));
	}
	return t->nomem ? -1 : 0;
}
