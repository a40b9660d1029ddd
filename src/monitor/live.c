// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The monitor's tracer (live.h): src/capture does the tracefs work; this
 * file decides what to read when.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compactrace/capture.h"
#include "compactrace/error.h"
#include "monitor/live.h"

#define WATERMARK_SLACK_NS 2000000ULL	/* an event reserved before a read may commit a little later */
#define MAX_PAGES_PER_CPU 4096		/* per read: one busy CPU cannot hold the others back for long */

struct ct_live {
	struct ct_capture *cap;
	struct ct_pages_formats f;
	struct ct_pages_system sys[2];
	char *hp, *he;
	char **texts;			/* every format text, for freeing */
	size_t *lens;
	const char **ptrs;
	uint32_t ntexts;
	unsigned char *page;
	int ncpus;
	uint32_t page_size;
	/* saved_cmdlines, re-read when a gone task needs a name */
	char *cmdlines;
	uint64_t cmdlines_round, round;
	char comm[32];
};

static int read_format(struct ct_live *l, const char *system, const char *event)
{
	char file[256];
	int ret;

	snprintf(file, sizeof(file), "events/%s/%s/format", system, event);
	ret = ct_capture_read_file(l->cap, 0, file, &l->texts[l->ntexts], &l->lens[l->ntexts]);
	if (ret < 0)
		return ret;
	l->ptrs[l->ntexts] = l->texts[l->ntexts];
	l->ntexts++;
	return 0;
}

/* the formats of what ct_capture_enable_live_events() enabled */
static int read_formats(struct ct_live *l, char *err, size_t errlen)
{
	char **list = ct_capture_system_events(l->cap, "compaction");
	size_t len;
	int n = 0, ret;

	while (list && list[n])
		n++;
	l->texts = calloc((size_t)n + 1, sizeof(*l->texts));
	l->lens = calloc((size_t)n + 1, sizeof(*l->lens));
	l->ptrs = calloc((size_t)n + 1, sizeof(*l->ptrs));
	ret = l->texts && l->lens && l->ptrs ? 0 : -CT_E_NOMEM;
	for (int i = 0; ret == 0 && i < n; i++)
		ret = read_format(l, "compaction", list[i]);
	ct_capture_list_free(list);
	if (ret < 0)
		goto out;
	l->sys[0] = (struct ct_pages_system){ "compaction", l->ptrs, l->lens, l->ntexts };
	l->f.nsystems = 1;
	if (read_format(l, "kmem", "mm_page_alloc_extfrag") == 0) {
		l->sys[1] = (struct ct_pages_system){ "kmem", l->ptrs + n, l->lens + n, 1 };
		l->f.nsystems = 2;
	}
	ret = ct_capture_read_file(l->cap, 0, "events/header_page", &l->hp, &len);
	l->f.header_page_len = len;
	if (ret == 0)
		ret = ct_capture_read_file(l->cap, 0, "events/header_event", &l->he, &len);
	l->f.header_event_len = len;
	l->f.header_page = l->hp;
	l->f.header_event = l->he;
	l->f.systems = l->sys;
out:
	if (ret < 0)
		snprintf(err, errlen, "cannot read the event formats from %s: %s",
			 ct_capture_tracing_dir(l->cap), ct_strerror(ret));
	return ret;
}

int ct_live_new(const struct ct_live_opts *o, void (*note)(void *ctx, const char *msg), void *ctx,
		struct ct_live **out, char *err, size_t errlen)
{
	struct ct_live *l = calloc(1, sizeof(*l));
	char msg[512];
	int ret;

	*out = NULL;
	if (!l)
		return -CT_E_NOMEM;
	ret = ct_capture_new(&l->cap, err, errlen);
	if (ret < 0)
		goto out;
	/* a monitor killed with SIGKILL left its instance: removed here, at the next start */
	if (ct_capture_remove_stale(l->cap, note, ctx) < 0 && note) {
		snprintf(msg, sizeof(msg), "cannot list %s/instances", ct_capture_tracing_dir(l->cap));
		note(ctx, msg);
	}
	ret = ct_capture_create_instance(l->cap, o->buffer_kb, o->buffer_percent, err, errlen);
	if (ret < 0)
		goto out;
	ret = ct_capture_use_mono_clock(l->cap);
	if (ret < 0) {
		snprintf(err, errlen, "cannot set the instance's trace_clock to mono: %s", ct_strerror(ret));
		goto out;
	}
	ret = ct_capture_enable_live_events(l->cap, msg, sizeof(msg), err, errlen);
	if (ret < 0)
		goto out;
	if (msg[0] && note)
		note(ctx, msg);
	ret = read_formats(l, err, errlen);
	if (ret < 0)
		goto out;
	ret = ct_capture_open_cpus(l->cap, err, errlen);
	if (ret < 0)
		goto out;
	l->ncpus = ret;
	l->page_size = (uint32_t)ct_capture_page_size(l->cap);
	l->page = malloc(l->page_size);
	if (!l->page) {
		ret = -CT_E_NOMEM;
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	*out = l;
	return 0;
out:
	ct_live_free(l);
	return ret;
}

int ct_live_close(struct ct_live *l, char *err, size_t errlen)
{
	int ret = 0;

	if (l->cap) {
		ret = ct_capture_close(l->cap, err, errlen);
		ct_capture_free(l->cap);
		l->cap = NULL;
	}
	return ret;
}

void ct_live_free(struct ct_live *l)
{
	if (!l)
		return;
	ct_live_close(l, NULL, 0);
	for (uint32_t i = 0; i < l->ntexts; i++)
		free(l->texts[i]);
	free(l->texts);
	free(l->lens);
	free(l->ptrs);
	free(l->hp);
	free(l->he);
	free(l->page);
	free(l->cmdlines);
	free(l);
}

const struct ct_pages_formats *ct_live_formats(const struct ct_live *l)
{
	return &l->f;
}

int ct_live_ncpus(const struct ct_live *l)
{
	return l->ncpus;
}

uint32_t ct_live_page_size(const struct ct_live *l)
{
	return l->page_size;
}

const char *ct_live_instance(const struct ct_live *l)
{
	return ct_capture_instance_name(l->cap);
}

int ct_live_start(struct ct_live *l)
{
	return ct_capture_set_tracing(l->cap, 1);
}

void ct_live_wait(struct ct_live *l, int timeout_ms, const sigset_t *sigmask)
{
	ct_capture_wait(l->cap, timeout_ms, sigmask);
}

long ct_live_read(struct ct_live *l, int timeout_ms, const sigset_t *sigmask, int final,
		  ct_live_page_fn page, void *ctx, uint64_t *watermark)
{
	uint64_t t0;
	long pages = 0;

	l->round++;
	if (final)
		ct_capture_set_tracing(l->cap, 0);
	else if (timeout_ms > 0)
		ct_capture_wait(l->cap, timeout_ms, sigmask);
	t0 = ct_capture_now_ns();
	for (int cpu = 0; cpu < l->ncpus; cpu++) {
		for (int i = 0; final || i < MAX_PAGES_PER_CPU; i++) {
			long n = ct_capture_read_page(l->cap, cpu, l->page);
			int ret;

			if (n < 0)
				return n;
			if (n == 0)
				break;
			ret = page(ctx, cpu, l->page, (size_t)n);
			if (ret < 0)
				return ret;
			pages++;
		}
	}
	*watermark = final ? UINT64_MAX : t0 > WATERMARK_SLACK_NS ? t0 - WATERMARK_SLACK_NS : 0;
	return pages;
}

const char *ct_live_saved_comm(struct ct_live *l, int32_t pid)
{
	size_t len;

	if (!l->cmdlines || l->cmdlines_round != l->round) {
		free(l->cmdlines);
		l->cmdlines = NULL;
		if (ct_capture_read_file(l->cap, 0, "saved_cmdlines", &l->cmdlines, &len) < 0)
			return NULL;
		l->cmdlines_round = l->round;
	}
	/* "PID COMM" lines */
	for (const char *p = l->cmdlines; p && *p;) {
		const char *nl = strchr(p, '\n');
		char *end;
		long v = strtol(p, &end, 10);

		if (end != p && *end == ' ' && v == pid) {
			size_t n = nl ? (size_t)(nl - end - 1) : strlen(end + 1);

			snprintf(l->comm, sizeof(l->comm), "%.*s", (int)n, end + 1);
			return l->comm;
		}
		p = nl ? nl + 1 : NULL;
	}
	return NULL;
}

char *ct_live_trace_clock(struct ct_live *l)
{
	char *text = NULL;
	size_t len;

	return ct_capture_read_file(l->cap, 1, "trace_clock", &text, &len) == 0 ? text : NULL;
}

char *ct_live_cmdlines(struct ct_live *l, size_t *len)
{
	char *text = NULL;

	return ct_capture_read_file(l->cap, 0, "saved_cmdlines", &text, len) == 0 ? text : NULL;
}
