// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * `compactrace monitor` assembled (monitor.h). The reader thread (the
 * command's main loop) owns the tracer and the page decoder; the session,
 * the metrics and the task cache are shared with the HTTP thread under
 * @lock, held while a batch of events is fed and while a scrape renders.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include "capture/snapshots_collect.h"
#include "compactrace/capture.h"
#include "compactrace/error.h"
#include "compactrace/metrics.h"
#include "compactrace/openmetrics.h"
#include "compactrace/pages.h"
#include "compactrace/session.h"
#include "monitor/live.h"
#include "monitor/monitor.h"
#include "capture/tasks.h"

#define TASK_CACHE 4096
#define TASK_RECHECK_NS 5000000000ULL	/* a pid is checked for reuse at most this often */
#define STALL_IDLE_NS 1000000000ULL	/* a stall whose task has had no event for this long is over */

struct ct_monitor {
	struct ct_monitor_opts o;
	ct_monitor_note_fn note;
	void *note_ctx;
	struct ct_live *live;
	struct ct_pages *dec;
	pthread_mutex_t lock;
	/* under @lock */
	struct ct_session *session;
	struct ct_metrics *metrics;
	struct ct_tasks *tasks;
	struct ct_recorder *rec;	/* the flight recorder, or NULL */
	char *vmstat_start;
	char *vm_pending;		/* a vmstat read not yet compared with the trace */
	uint64_t vm_pending_ns;		/* when it was read */
	uint64_t watermark;
	uint64_t events, pages;
	int source_open;
	/* constant */
	char kernel[128];
	double start_time;
};

static uint64_t mono_ns(void)
{
	return ct_capture_now_ns();
}

/* a /proc text (small: vmstat, buddyinfo), NUL-terminated; NULL when unreadable */
static char *read_text(const char *path)
{
	size_t cap = 16384, len = 0;
	char *buf = malloc(cap), *n;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t r;

	if (!buf || fd < 0)
		goto fail;
	for (;;) {
		if (cap - len < 4096) {
			n = realloc(buf, cap * 2);
			if (!n)
				goto fail;
			buf = n;
			cap *= 2;
		}
		r = read(fd, buf + len, cap - len - 1);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			goto fail;
		if (r == 0)
			break;
		len += (size_t)r;
	}
	close(fd);
	buf[len] = '\0';
	return buf;
fail:
	if (fd >= 0)
		close(fd);
	free(buf);
	return NULL;
}

/* names for the decoder: the task cache, which falls back on the kernel's saved_cmdlines */
static const char *comm_of(void *ctx, int32_t pid)
{
	struct ct_monitor *m = ctx;

	return ct_tasks_get(m->tasks, pid, mono_ns())->comm;
}

static const char *cgroup_of(void *ctx, int32_t pid)
{
	struct ct_monitor *m = ctx;

	return ct_tasks_get(m->tasks, pid, mono_ns())->cgroup;
}

static const char *saved_comm(void *ctx, int32_t pid)
{
	struct ct_monitor *m = ctx;

	return ct_live_saved_comm(m->live, pid);
}

static char *rec_trace_clock(void *ctx)
{
	struct ct_monitor *m = ctx;

	return ct_live_trace_clock(m->live);
}

static char *rec_cmdlines(void *ctx, size_t *len)
{
	struct ct_monitor *m = ctx;

	return ct_live_cmdlines(m->live, len);
}

/* the flight recorder, subscribed after the metrics */
static int make_recorder(struct ct_monitor *m, char *err, size_t errlen)
{
	struct ct_recorder_host rh = {
		.formats = ct_live_formats(m->live), .ncpus = ct_live_ncpus(m->live),
		.page_size = ct_live_page_size(m->live), .trace_clock = rec_trace_clock,
		.cmdlines = rec_cmdlines, .ctx = m, .note = m->note,
	};
	struct ct_sink sink;
	int ret;

	if (!m->o.capture)
		return 0;
	ret = ct_recorder_new(m->o.capture, &rh, &m->rec, err, errlen);
	if (ret < 0)
		return ret;
	sink = ct_recorder_sink(m->rec);
	ret = ct_session_add_sink(m->session, &sink);
	if (ret < 0)
		snprintf(err, errlen, "cannot subscribe the flight recorder: %s", ct_strerror(ret));
	return ret;
}

/* this host's memory state, for the facts (pageblock order, migratetype names) */
static int load_snapshot(struct ct_monitor *m, char *err, size_t errlen)
{
	struct ct_attach_set *set = ct_attach_set_new();
	int ret;

	if (!set)
		return -CT_E_NOMEM;
	ret = ct_snapshot_collect(set, "", CT_SNAPSHOT_START, m->note, m->note_ctx);
	if (ret == 0)
		ret = ct_snapshot_collect_buddy(set, "", CT_SNAPSHOT_START);
	if (ret == 0)
		ret = ct_snapshot_collect_vmstat(set, "", CT_SNAPSHOT_START);
	if (ret == 0)
		ret = ct_session_load_snapshot_set(m->session, CT_SNAPSHOT_START, set, "/proc", err, errlen);
	else
		snprintf(err, errlen, "reading /proc: %s", ct_strerror(ret));
	ct_attach_set_free(set);
	return ret < 0 ? ret : 0;
}

int ct_monitor_new(const struct ct_monitor_opts *o, ct_monitor_note_fn note, void *ctx,
		   struct ct_monitor **out, char *err, size_t errlen)
{
	struct ct_session_opts so = { .no_model = 1 };
	struct ct_live_opts lo = { .buffer_kb = o->buffer_kb, .buffer_percent = o->buffer_percent };
	struct ct_monitor *m = calloc(1, sizeof(*m));
	struct ct_sink sink;
	struct utsname u;
	struct timespec ts;
	int ret;

	*out = NULL;
	if (!m)
		return -CT_E_NOMEM;
	pthread_mutex_init(&m->lock, NULL);
	m->o = *o;
	m->note = note;
	m->note_ctx = ctx;
	clock_gettime(CLOCK_REALTIME, &ts);
	m->start_time = (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
	snprintf(m->kernel, sizeof(m->kernel), "%s", uname(&u) == 0 ? u.release : "unknown");
	ret = ct_live_new(&lo, note, ctx, &m->live, err, errlen);
	if (ret < 0)
		goto out;
	m->tasks = ct_tasks_new("/proc", TASK_CACHE, TASK_RECHECK_NS, saved_comm, m);
	m->session = ct_session_new(&so);
	m->metrics = ct_metrics_new(o->by_cgroup ? cgroup_of : NULL, m, o->cgroup_limit);
	if (!m->tasks || !m->session || !m->metrics) {
		ret = -CT_E_NOMEM;
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	ret = ct_pages_new(ct_live_formats(m->live), ct_live_ncpus(m->live), ct_live_page_size(m->live),
			   ct_live_instance(m->live), comm_of, m, &m->dec, err, errlen);
	if (ret < 0)
		goto out;
	ret = load_snapshot(m, err, errlen);
	if (ret < 0)
		goto out;
	sink = ct_metrics_sink(m->metrics);
	ret = ct_session_add_sink(m->session, &sink);
	if (ret < 0) {
		snprintf(err, errlen, "cannot subscribe the metrics: %s", ct_strerror(ret));
		goto out;
	}
	ret = make_recorder(m, err, errlen);
	if (ret < 0)
		goto out;
	*out = m;
	return 0;
out:
	ct_monitor_free(m);
	return ret;
}

int ct_monitor_close(struct ct_monitor *m, char *err, size_t errlen)
{
	int ret = 0;

	if (m->live) {
		ret = ct_live_close(m->live, err, errlen);
		ct_live_free(m->live);
		m->live = NULL;
	}
	return ret;
}

void ct_monitor_free(struct ct_monitor *m)
{
	if (!m)
		return;
	ct_monitor_close(m, NULL, 0);
	ct_pages_free(m->dec);
	ct_session_free(m->session);
	ct_metrics_free(m->metrics);
	ct_tasks_free(m->tasks);
	ct_recorder_free(m->rec);
	free(m->vmstat_start);
	free(m->vm_pending);
	pthread_mutex_destroy(&m->lock);
	free(m);
}

const char *ct_monitor_instance(const struct ct_monitor *m)
{
	return ct_live_instance(m->live);
}

int ct_monitor_start(struct ct_monitor *m, char *err, size_t errlen)
{
	char path[256];
	int ret;

	snprintf(path, sizeof(path), "live:%s", ct_live_instance(m->live));
	pthread_mutex_lock(&m->lock);
	ret = ct_session_begin_source(m->session, path, CT_FORMAT_LIVE_RAW);
	m->source_open = ret == 0;
	pthread_mutex_unlock(&m->lock);
	if (ret < 0) {
		snprintf(err, errlen, "%s", ct_strerror(ret));
		return ret;
	}
	ret = ct_live_start(m->live);
	if (ret < 0) {
		snprintf(err, errlen, "cannot turn tracing on in %s", ct_live_instance(m->live));
		return ret;
	}
	/* the vmstat window opens with tracing: untraced = vmstat delta - trace sums */
	pthread_mutex_lock(&m->lock);
	m->vmstat_start = read_text("/proc/vmstat");
	pthread_mutex_unlock(&m->lock);
	return 0;
}

static int on_page(void *ctx, int cpu, const void *page, size_t len)
{
	struct ct_monitor *m = ctx;
	int ret;

	m->pages++;
	ret = ct_pages_add(m->dec, cpu, page, len);
	/* the same bytes, kept raw for the flight recorder: decoded once, here, never again */
	if (ret == 0 && m->rec) {
		pthread_mutex_lock(&m->lock);
		ret = ct_recorder_page(m->rec, cpu, page, len, mono_ns());
		pthread_mutex_unlock(&m->lock);
	}
	return ret;
}

/* decode and feed every queued event up to the watermark, under the lock */
static int feed(struct ct_monitor *m, uint64_t watermark, char *err, size_t errlen)
{
	struct ct_event ev;
	int ret = 0, r;

	pthread_mutex_lock(&m->lock);
	while ((r = ct_pages_next(m->dec, watermark, &ev)) == 1) {
		ret = ct_session_feed(m->session, &ev);
		if (ret < 0)
			break;
		m->events++;
	}
	if (r < 0)
		ret = r;
	/* a stall ends when its task goes quiet: the input never ends to close it */
	if (ret == 0 && watermark != UINT64_MAX && watermark > STALL_IDLE_NS)
		ret = ct_session_close_idle(m->session, watermark - STALL_IDLE_NS, 0);
	if (watermark != UINT64_MAX)
		m->watermark = watermark;
	if (ret == 0 && m->rec)
		ct_recorder_tick(m->rec, watermark, mono_ns());
	pthread_mutex_unlock(&m->lock);
	if (ret < 0)
		snprintf(err, errlen, "decoding %s: %s", ct_live_instance(m->live), ct_strerror(ret));
	return ret;
}

/*
 * compactrace_untraced_pages_total compares a vmstat read with the trace; the
 * read must be older than every event fed so far could be late for: it is
 * noted once the watermark has passed the time it was read.
 */
static void note_vmstat(struct ct_monitor *m, char *vmstat, uint64_t read_ns, uint64_t watermark)
{
	if (m->vm_pending && m->vm_pending_ns <= watermark) {
		ct_metrics_note_vmstat(m->metrics, ct_session_results(m->session), ct_session_facts(m->session),
				       m->vmstat_start, m->vm_pending);
		free(m->vm_pending);
		m->vm_pending = NULL;
	}
	if (!m->vm_pending) {
		m->vm_pending = vmstat;
		m->vm_pending_ns = read_ns;
	} else {
		free(vmstat);
	}
}

int ct_monitor_step(struct ct_monitor *m, const sigset_t *sigmask, char *err, size_t errlen)
{
	uint64_t watermark, read_ns;
	char *vmstat;
	long n;
	int ret;

	ct_live_wait(m->live, m->o.interval_ms, sigmask);
	read_ns = mono_ns();
	vmstat = read_text("/proc/vmstat");
	n = ct_live_read(m->live, 0, NULL, 0, on_page, m, &watermark);
	if (n < 0) {
		free(vmstat);
		snprintf(err, errlen, "reading %s: %s", ct_live_instance(m->live), ct_strerror((int)n));
		return (int)n;
	}
	ret = feed(m, watermark, err, errlen);
	if (ret == 0 && vmstat) {
		pthread_mutex_lock(&m->lock);
		note_vmstat(m, vmstat, read_ns, watermark);
		pthread_mutex_unlock(&m->lock);
	} else {
		free(vmstat);
	}
	return ret;
}

int ct_monitor_finish(struct ct_monitor *m, char *err, size_t errlen)
{
	uint64_t watermark;
	long n = ct_live_read(m->live, 0, NULL, 1, on_page, m, &watermark);
	int ret;

	if (n < 0) {
		snprintf(err, errlen, "reading %s: %s", ct_live_instance(m->live), ct_strerror((int)n));
		return (int)n;
	}
	ret = feed(m, UINT64_MAX, err, errlen);
	pthread_mutex_lock(&m->lock);
	if (m->source_open && ct_session_end_source(m->session) < 0 && ret == 0)
		ret = -CT_E_NOMEM;
	m->source_open = 0;
	pthread_mutex_unlock(&m->lock);
	return ret;
}

int ct_monitor_capture(struct ct_monitor *m, const char *reason, char *msg, size_t msglen)
{
	int ret;

	if (!m->rec) {
		snprintf(msg, msglen, "no flight recorder: start the monitor with --capture-dir DIR\n");
		return -CT_E_INVAL;
	}
	pthread_mutex_lock(&m->lock);
	ret = ct_recorder_request(m->rec, reason, mono_ns(), msg, msglen);
	pthread_mutex_unlock(&m->lock);
	return ret;
}

void ct_monitor_counts(struct ct_monitor *m, uint64_t *events, uint64_t *pages)
{
	pthread_mutex_lock(&m->lock);
	*events = m->events;
	*pages = m->pages;
	pthread_mutex_unlock(&m->lock);
}

static uint64_t rss_bytes(void)
{
	char *statm = read_text("/proc/self/statm");
	unsigned long long size = 0, resident = 0;

	if (statm && sscanf(statm, "%llu %llu", &size, &resident) != 2)
		resident = 0;
	free(statm);
	return resident * (uint64_t)sysconf(_SC_PAGESIZE);
}

int ct_monitor_scrape(struct ct_monitor *m, int openmetrics, char **body, size_t *len, const char **type)
{
	enum ct_om_format fmt = openmetrics ? CT_OM_OPENMETRICS : CT_OM_PROMETHEUS;
	struct ct_metrics_host h = { 0 };
	struct ct_om *w = ct_om_new(fmt);
	char *buddy = read_text("/proc/buddyinfo");
	struct rusage ru;
	const char *text;
	int ret = -CT_E_NOMEM;

	*body = NULL;
	if (!w)
		goto out;
	if (getrusage(RUSAGE_SELF, &ru) == 0)
		h.cpu_seconds = (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 +
				(double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
	h.rss_bytes = rss_bytes();
	h.start_time_seconds = m->start_time;
	h.version = CT_VERSION;
	h.kernel = m->kernel;
	h.buddyinfo = buddy;
	pthread_mutex_lock(&m->lock);
	h.res = ct_session_results(m->session);
	h.facts = ct_session_facts(m->session);
	h.watermark_ns = m->watermark;
	if (m->rec)
		ct_recorder_metrics(m->rec, &h);
	ret = ct_metrics_render(m->metrics, &h, w);
	pthread_mutex_unlock(&m->lock);
	if (ret < 0)
		goto out;
	text = ct_om_text(w, len);
	if (!text || !(*body = malloc(*len ? *len : 1))) {
		ret = -CT_E_NOMEM;
		goto out;
	}
	memcpy(*body, text, *len);
	*type = ct_om_content_type(fmt);
out:
	ct_om_free(w);
	free(buddy);
	return ret;
}
