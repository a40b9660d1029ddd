// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * pid -> name and cgroup (tasks.h): 4-way set-associative, least recently
 * used out, so memory is fixed however many pids a host goes through.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "capture/tasks.h"
#include "compactrace/error.h"

#define WAYS 4

struct ct_tasks {
	char *proc;
	struct ct_task *slots;		/* nsets * WAYS */
	uint32_t nsets;
	uint64_t recheck_ns, tick;
	ct_tasks_comm_fn fallback;
	void *ctx;
	uint64_t hits, reads, reused;
};

struct ct_tasks *ct_tasks_new(const char *proc, uint32_t capacity, uint64_t recheck_ns,
			      ct_tasks_comm_fn fallback_comm, void *ctx)
{
	struct ct_tasks *t = calloc(1, sizeof(*t));
	uint32_t sets = 1;

	if (!t)
		return NULL;
	while (sets * WAYS < capacity && sets < (1u << 20))
		sets <<= 1;
	t->nsets = sets;
	t->proc = strdup(proc);
	t->slots = calloc((size_t)sets * WAYS, sizeof(*t->slots));
	if (!t->proc || !t->slots) {
		ct_tasks_free(t);
		return NULL;
	}
	for (size_t i = 0; i < (size_t)sets * WAYS; i++)
		t->slots[i].pid = -1;
	t->recheck_ns = recheck_ns;
	t->fallback = fallback_comm;
	t->ctx = ctx;
	return t;
}

void ct_tasks_free(struct ct_tasks *t)
{
	if (!t)
		return;
	free(t->proc);
	free(t->slots);
	free(t);
}

void ct_tasks_stats(const struct ct_tasks *t, uint64_t *hits, uint64_t *reads, uint64_t *reused)
{
	*hits = t->hits;
	*reads = t->reads;
	*reused = t->reused;
}

/* a small /proc file into @buf (NUL-terminated); bytes read, or -1 */
static ssize_t read_small(const struct ct_tasks *t, int32_t pid, const char *file, char *buf, size_t len)
{
	char path[512];
	ssize_t n, total = 0;
	int fd;

	snprintf(path, sizeof(path), "%s/%d/%s", t->proc, pid, file);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	while ((size_t)total + 1 < len) {
		n = read(fd, buf + total, len - 1 - (size_t)total);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		total += n;
	}
	close(fd);
	buf[total] = '\0';
	return total;
}

/* field 22 of /proc/PID/stat (after the comm's closing parenthesis); 0 when unreadable */
static uint64_t start_time(const struct ct_tasks *t, int32_t pid)
{
	char buf[1024], *p, *end;
	int field = 2;

	if (read_small(t, pid, "stat", buf, sizeof(buf)) <= 0)
		return 0;
	p = strrchr(buf, ')');
	if (!p)
		return 0;
	p++;
	while (*p && field < 22) {
		if (*p == ' ') {
			field++;
			while (*p == ' ')
				p++;
			continue;
		}
		p++;
	}
	if (field != 22)
		return 0;
	return strtoull(p, &end, 10);
}

void ct_cgroup_from_text(const char *text, char *out, size_t outlen)
{
	const char *v2 = NULL, *mem = NULL, *line = text;
	size_t v2len = 0, memlen = 0;

	while (line && *line) {
		const char *nl = strchr(line, '\n');
		size_t len = nl ? (size_t)(nl - line) : strlen(line);
		const char *c1 = memchr(line, ':', len), *c2;

		if (c1) {
			c2 = memchr(c1 + 1, ':', len - (size_t)(c1 + 1 - line));
			if (c2) {
				size_t ctl_len = (size_t)(c2 - c1 - 1);
				const char *path = c2 + 1;
				size_t plen = len - (size_t)(path - line);

				if (c1 - line == 1 && line[0] == '0' && ctl_len == 0) {
					v2 = path;
					v2len = plen;
				} else {
					/* "memory" alone or in a list of co-mounted controllers */
					for (const char *c = c1 + 1; c < c2;) {
						const char *comma = memchr(c, ',', (size_t)(c2 - c));
						size_t n = comma ? (size_t)(comma - c) : (size_t)(c2 - c);

						if (n == 6 && memcmp(c, "memory", 6) == 0) {
							mem = path;
							memlen = plen;
						}
						c += n + 1;
					}
				}
			}
		}
		line = nl ? nl + 1 : NULL;
	}
	if (v2 && !(v2len == 1 && v2[0] == '/' && mem)) {
		snprintf(out, outlen, "%.*s", (int)v2len, v2);
		return;
	}
	if (mem) {
		snprintf(out, outlen, "%.*s", (int)memlen, mem);
		return;
	}
	if (v2) {
		snprintf(out, outlen, "%.*s", (int)v2len, v2);
		return;
	}
	if (outlen)
		out[0] = '\0';
}

static void resolve(struct ct_tasks *t, struct ct_task *e, int32_t pid, uint64_t start)
{
	char buf[4096];
	ssize_t n;

	t->reads++;
	e->pid = pid;
	e->start = start;
	if (pid == 0) {
		snprintf(e->comm, sizeof(e->comm), "<idle>");
		snprintf(e->cgroup, sizeof(e->cgroup), "/");
		return;
	}
	n = start ? read_small(t, pid, "comm", buf, sizeof(buf)) : -1;
	if (n > 0) {
		if (buf[n - 1] == '\n')
			buf[n - 1] = '\0';
		snprintf(e->comm, sizeof(e->comm), "%.*s", (int)sizeof(e->comm) - 1, buf);
	} else {
		const char *c = t->fallback ? t->fallback(t->ctx, pid) : NULL;

		snprintf(e->comm, sizeof(e->comm), "%s", c ? c : "<...>");
	}
	n = start ? read_small(t, pid, "cgroup", buf, sizeof(buf)) : -1;
	if (n > 0)
		ct_cgroup_from_text(buf, e->cgroup, sizeof(e->cgroup));
	else
		e->cgroup[0] = '\0';
	if (!e->cgroup[0])
		snprintf(e->cgroup, sizeof(e->cgroup), "unknown");
}

const struct ct_task *ct_tasks_get(struct ct_tasks *t, int32_t pid, uint64_t now_ns)
{
	uint32_t h = ((uint32_t)pid * 2654435761u) >> 8;
	struct ct_task *set = &t->slots[(size_t)(h & (t->nsets - 1)) * WAYS], *victim = &set[0];

	t->tick++;
	for (int i = 0; i < WAYS; i++) {
		struct ct_task *e = &set[i];

		if (e->pid != pid) {
			if (e->pid < 0 || (victim->pid >= 0 && e->used < victim->used))
				victim = e;
			continue;
		}
		e->used = t->tick;
		if (now_ns - e->checked_ns >= t->recheck_ns && pid != 0) {
			uint64_t start = start_time(t, pid);

			e->checked_ns = now_ns;
			/* gone (0): keep what we knew; a new start time: the pid was reused */
			if (start && start != e->start) {
				if (e->start)
					t->reused++;
				resolve(t, e, pid, start);
			}
			return e;
		}
		t->hits++;
		return e;
	}
	resolve(t, victim, pid, pid ? start_time(t, pid) : 0);
	victim->checked_ns = now_ns;
	victim->used = t->tick;
	return victim;
}

/* ---- the task map of a recording ---- */

struct ct_taskmap {
	struct ct_tasks *t;		/* only for its /proc readers */
	char *text;
	size_t len, cap;
	uint64_t *seen;			/* pids seen (pid << 1 | 1), open addressing */
	size_t nseen, seen_cap;
	uint64_t last_scan;
	int scanned;
};

struct ct_taskmap *ct_taskmap_new(const char *proc)
{
	struct ct_taskmap *m = calloc(1, sizeof(*m));

	if (!m)
		return NULL;
	m->t = ct_tasks_new(proc, 4, 0, NULL, NULL);
	if (!m->t) {
		free(m);
		return NULL;
	}
	return m;
}

void ct_taskmap_free(struct ct_taskmap *m)
{
	if (!m)
		return;
	ct_tasks_free(m->t);
	free(m->text);
	free(m->seen);
	free(m);
}

static uint64_t seen_hash(uint64_t k)
{
	k ^= k >> 31;
	k *= 0x9e3779b97f4a7c15ULL;
	return k ^ (k >> 29);
}

/* 1 when (pid, start) is already in the map; else adds it (0), or -CT_E_NOMEM */
static int seen_add(struct ct_taskmap *m, uint64_t key)
{
	size_t i;

	key |= 1;	/* never 0: 0 marks an empty slot */
	if ((m->nseen + 1) * 2 > m->seen_cap) {
		size_t cap = m->seen_cap ? m->seen_cap * 2 : 1024;
		uint64_t *n = calloc(cap, sizeof(*n));

		if (!n)
			return -CT_E_NOMEM;
		for (size_t k = 0; k < m->seen_cap; k++) {
			if (!m->seen[k])
				continue;
			for (i = seen_hash(m->seen[k]) & (cap - 1); n[i]; i = (i + 1) & (cap - 1))
				;
			n[i] = m->seen[k];
		}
		free(m->seen);
		m->seen = n;
		m->seen_cap = cap;
	}
	for (i = seen_hash(key) & (m->seen_cap - 1); m->seen[i]; i = (i + 1) & (m->seen_cap - 1))
		if (m->seen[i] == key)
			return 1;
	m->seen[i] = key;
	m->nseen++;
	return 0;
}

static int append(struct ct_taskmap *m, const struct ct_task *e)
{
	char line[CT_TASK_COMM_LEN + CT_TASK_CGROUP_LEN + 64];
	int n = snprintf(line, sizeof(line), "%d %llu %s\t%s\n", e->pid, (unsigned long long)e->start,
			 e->comm, e->cgroup);

	if (n < 0)
		return 0;
	if (m->len + (size_t)n + 1 > m->cap) {
		size_t cap = m->cap ? m->cap * 2 : 65536;
		char *t;

		while (cap < m->len + (size_t)n + 1)
			cap *= 2;
		t = realloc(m->text, cap);
		if (!t)
			return -CT_E_NOMEM;
		m->text = t;
		m->cap = cap;
	}
	memcpy(m->text + m->len, line, (size_t)n + 1);
	m->len += (size_t)n;
	return 0;
}

int ct_taskmap_scan(struct ct_taskmap *m, uint64_t now_ns)
{
	DIR *d;
	struct dirent *de;
	int ret = 0;

	if (m->scanned && now_ns - m->last_scan < CT_TASKMAP_SCAN_NS)
		return 0;
	m->scanned = 1;
	m->last_scan = now_ns;
	d = opendir(m->t->proc);
	if (!d)
		return 0;
	while (ret == 0 && (de = readdir(d))) {
		char *end;
		long pid = strtol(de->d_name, &end, 10);
		uint64_t start;
		struct ct_task e;
		int seen;

		if (*end || pid <= 0 || pid > INT32_MAX)
			continue;
		/* keyed by pid alone: reading every task's start time each scan would cost more than the rest */
		seen = seen_add(m, (uint64_t)pid << 1);
		if (seen) {
			ret = seen < 0 ? seen : 0;
			continue;
		}
		start = start_time(m->t, (int32_t)pid);
		if (!start)
			continue;	/* gone meanwhile */
		memset(&e, 0, sizeof(e));
		resolve(m->t, &e, (int32_t)pid, start);
		ret = append(m, &e);
	}
	closedir(d);
	return ret < 0 ? ret : 0;
}

const char *ct_taskmap_text(struct ct_taskmap *m, size_t *len)
{
	*len = m->len;
	return m->text ? m->text : "";
}
