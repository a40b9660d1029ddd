// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The monitor's parts without a live kernel:
 *   - the cgroup rule of /proc/PID/cgroup texts (hand-written texts: v2,
 *     hybrid, v1 only, co-mounted controllers);
 *   - the task cache over a fake /proc: cached, pid reuse noticed after the
 *     recheck interval, memory fixed whatever the number of pids;
 *   - the exposition writer: both formats, escaping, cumulative buckets;
 *   - the metrics sink: stalls, runs, fallbacks by their labels, histogram
 *     buckets (34 ms lands in le="0.05" not le="0.025"), the cgroup cap,
 *     the fragmentation index against an independent computation of the
 *     kernel's formula, untraced pages = vmstat delta - trace sum;
 *   - the live page decoder against the trace.dat reader on the same
 *     pages (a synthetic trace.dat from the real 6.18 formats, split into
 *     its pages and handed over CPU by CPU), and its watermark.
 *
 * Usage: test_monitor_unit FORMATS_DIR (tests/binary/formats/linux-6.18)
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../binary/synth.h"
#include "../common/check.h"
#include "capture/tasks.h"
#include "compactrace/capture_info.h"
#include "monitor/http.h"
#include "monitor/recorder.h"
#include "monitor/spool.h"
#include "compactrace/engine.h"
#include "compactrace/error.h"
#include "compactrace/metrics.h"
#include "compactrace/openmetrics.h"
#include "compactrace/pages.h"
#include "compactrace/report.h"
#include "compactrace/source.h"

/* ---- cgroup rule ---- */

static void test_cgroup_rule(void)
{
	char out[256];

	ct_cgroup_from_text("0::/system.slice/foo.service\n", out, sizeof(out));
	CHECK_STR(out, "/system.slice/foo.service");
	/* hybrid (this machine): v2 unused ("/"), the memory controller's path */
	ct_cgroup_from_text("9:name=systemd:/\n4:memory:/process_api/abc\n1:cpu:/\n0::/\n", out, sizeof(out));
	CHECK_STR(out, "/process_api/abc");
	/* hybrid with the task in a v2 group: v2 wins */
	ct_cgroup_from_text("4:memory:/m\n0::/u/v\n", out, sizeof(out));
	CHECK_STR(out, "/u/v");
	/* v1 only, memory co-mounted with another controller */
	ct_cgroup_from_text("3:cpu,cpuacct:/a\n2:blkio,memory:/b/c\n", out, sizeof(out));
	CHECK_STR(out, "/b/c");
	/* "memoryx" is not memory; nothing usable: empty */
	ct_cgroup_from_text("2:memoryx:/b\n", out, sizeof(out));
	CHECK_STR(out, "");
	ct_cgroup_from_text("0::/\n", out, sizeof(out));
	CHECK_STR(out, "/");
}

/* ---- the task cache over a fake /proc ---- */

static void put(const char *dir, int pid, const char *file, const char *text)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%d", dir, pid);
	mkdir(path, 0755);
	snprintf(path, sizeof(path), "%s/%d/%s", dir, pid, file);
	f = fopen(path, "w");
	if (!f) {
		perror(path);
		exit(1);
	}
	fputs(text, f);
	fclose(f);
}

static void fake_task(const char *dir, int pid, const char *comm, unsigned long long start, const char *cg)
{
	char stat[512], c[64];

	/* field 22 is the start time; a comm with a space and a parenthesis, as the kernel allows */
	snprintf(stat, sizeof(stat), "%d (%s) S 1 1 1 0 -1 4194560 100 0 0 0 1 2 0 0 20 0 1 0 %llu 1000 10\n",
		 pid, comm, start);
	put(dir, pid, "stat", stat);
	snprintf(c, sizeof(c), "%s\n", comm);
	put(dir, pid, "comm", c);
	put(dir, pid, "cgroup", cg);
}

static const char *gone_comm(void *ctx, int32_t pid)
{
	(void)ctx;
	return pid == 777 ? "gone-task" : NULL;
}

static void test_tasks(const char *dir)
{
	struct ct_tasks *t = ct_tasks_new(dir, 8, 1000, gone_comm, NULL);
	const struct ct_task *e;
	uint64_t hits, reads, reused;

	CHECK(t != NULL);
	if (!t)
		return;
	fake_task(dir, 100, "my (odd) task", 5000, "0::/\n4:memory:/ct-a\n");
	e = ct_tasks_get(t, 100, 10);
	CHECK_STR(e->comm, "my (odd) task");
	CHECK_STR(e->cgroup, "/ct-a");
	CHECK_U64(e->start, 5000);
	/* the pid is reused by another task: not noticed within the recheck interval ... */
	fake_task(dir, 100, "newcomer", 6000, "0::/\n4:memory:/ct-b\n");
	e = ct_tasks_get(t, 100, 500);
	CHECK_STR(e->comm, "my (odd) task");
	/* ... and noticed after it */
	e = ct_tasks_get(t, 100, 2000);
	CHECK_STR(e->comm, "newcomer");
	CHECK_STR(e->cgroup, "/ct-b");
	ct_tasks_stats(t, &hits, &reads, &reused);
	CHECK_U64(reused, 1);
	/* a task already gone: the kernel's saved name, cgroup unknown */
	e = ct_tasks_get(t, 777, 2000);
	CHECK_STR(e->comm, "gone-task");
	CHECK_STR(e->cgroup, "unknown");
	/* many pids through a cache of 8: each is read again when it comes back (evicted) */
	for (int pid = 200; pid < 264; pid++)
		fake_task(dir, pid, "many", 100 + (unsigned long long)pid, "0::/many\n");
	for (int round = 0; round < 2; round++)
		for (int pid = 200; pid < 264; pid++) {
			e = ct_tasks_get(t, pid, 3000);
			CHECK(e->pid == pid && strcmp(e->cgroup, "/many") == 0);
		}
	ct_tasks_stats(t, &hits, &reads, &reused);
	CHECK(reads >= 128 + 3);	/* 64 pids twice: none could stay cached */
	ct_tasks_free(t);
}

/* the task map a recording keeps: every task, also those that appear between scans */
static void test_taskmap(const char *dir)
{
	char sub[512];
	struct ct_taskmap *m;
	const char *text;
	size_t len;

	snprintf(sub, sizeof(sub), "%s/mapproc", dir);
	mkdir(sub, 0755);
	fake_task(sub, 10, "first", 1, "0::/one\n");
	fake_task(sub, 11, "second", 2, "0::/two\n");
	m = ct_taskmap_new(sub);
	CHECK(m != NULL);
	if (!m)
		return;
	CHECK(ct_taskmap_scan(m, 0) == 0);
	fake_task(sub, 12, "third", 3, "0::/three\n");
	CHECK(ct_taskmap_scan(m, 1000) == 0);	/* sooner than CT_TASKMAP_SCAN_NS: nothing new */
	text = ct_taskmap_text(m, &len);
	CHECK(strstr(text, "12 3 third") == NULL);
	CHECK(ct_taskmap_scan(m, CT_TASKMAP_SCAN_NS + 1) == 0);
	text = ct_taskmap_text(m, &len);
	CHECK(strstr(text, "10 1 first\t/one\n") != NULL);
	CHECK(strstr(text, "11 2 second\t/two\n") != NULL);
	CHECK(strstr(text, "12 3 third\t/three\n") != NULL);
	CHECK(len == strlen(text));
	ct_taskmap_free(m);
}

/* ---- the flight recorder's options, attachment and spool ---- */

static void test_recorder_parts(void)
{
	struct ct_capture_cond c;
	struct ct_capture_info ci;
	struct ct_spool *sp;
	uint64_t v, bytes, pages, oldest, dropped;
	unsigned char page[4096] = { 0 };
	char err[256], buf[1024];
	int n;

	CHECK(ct_parse_duration("20ms", &v) == 0 && v == 20000000);
	CHECK(ct_parse_duration("1.5s", &v) == 0 && v == 1500000000);
	CHECK(ct_parse_duration("500us", &v) == 0 && v == 500000);
	CHECK(ct_parse_duration("2m", &v) == 0 && v == 120000000000ULL);
	CHECK(ct_parse_duration("20", &v) < 0);	/* a unit is required */
	CHECK(ct_parse_duration("-1s", &v) < 0);
	CHECK(ct_parse_size("64M", &v) == 0 && v == 64ULL << 20);
	CHECK(ct_parse_size("2GiB", &v) == 0 && v == 2ULL << 30);
	CHECK(ct_parse_size("12x", &v) < 0);
	CHECK(ct_capture_cond_parse("stall>2ms", &c, err, sizeof(err)) == 0 && c.kind == CT_COND_STALL &&
	      c.over_ns == 2000000);
	CHECK(ct_capture_cond_parse("run>1s", &c, err, sizeof(err)) == 0 && c.kind == CT_COND_RUN);
	CHECK(ct_capture_cond_parse("fail", &c, err, sizeof(err)) == 0 && c.kind == CT_COND_FAIL);
	CHECK(ct_capture_cond_parse("fallback", &c, err, sizeof(err)) == 0 && c.kind == CT_COND_FALLBACK);
	CHECK(ct_capture_cond_parse("stall<2ms", &c, err, sizeof(err)) < 0 && strstr(err, "stall<2ms"));

	n = ct_capture_info_format(buf, sizeof(buf), "stall", "stall>2ms", 5000000000000ULL, 4980000000000ULL,
				   5002000000000ULL, 4981000000000ULL, 3, 5000100000000ULL, "stall", 4999966000000ULL,
				   1234, 34000000);
	CHECK(n > 0);
	CHECK(ct_capture_info_parse(buf, (size_t)n, &ci, err, sizeof(err)) == 0);
	CHECK_STR(ci.reason, "stall");
	CHECK_STR(ci.condition, "stall>2ms");
	CHECK_U64(ci.trigger_ts_ns, 5000000000000ULL);
	CHECK_U64(ci.window_start_ns, 4980000000000ULL);
	CHECK_U64(ci.window_end_ns, 5002000000000ULL);
	CHECK_U64(ci.triggers, 3);
	CHECK_STR(ci.fired_kind, "stall");
	CHECK(ci.fired_pid == 1234 && ci.fired_ts_ns == 4999966000000ULL && ci.fired_value_ns == 34000000);
	CHECK(ct_capture_info_parse("reason stall\n", 13, &ci, err, sizeof(err)) < 0);	/* keys missing */
	CHECK(ct_capture_info_parse("reason stall\ncondition x\ntrigger_ts_ns 1x\n", 40, &ci, err, sizeof(err)) < 0);

	/* the spool: the time bound, the size bound, a hold */
	sp = ct_spool_new(10, 3 * 100);
	CHECK(sp != NULL);
	if (!sp)
		return;
	for (uint64_t t = 0; t < 5; t++) {
		memcpy(page, &t, 8);
		CHECK(ct_spool_add(sp, 0, page, 100, t, t) == 0);
	}
	ct_spool_stats(sp, &bytes, &pages, &oldest, &dropped);
	CHECK(pages == 3 && bytes == 300 && oldest == 2 && dropped == 2);	/* the size bound */
	CHECK(ct_spool_add(sp, 0, page, 50, 30, 30) == 0);	/* 20 newer than the rest: they age out */
	ct_spool_stats(sp, &bytes, &pages, &oldest, &dropped);
	CHECK(pages == 1 && bytes == 50 && oldest == 30);
	ct_spool_hold(sp, 30);
	CHECK(ct_spool_add(sp, 1, page, 50, 100, 100) == 0);	/* held: page 30 stays */
	ct_spool_stats(sp, &bytes, &pages, &oldest, &dropped);
	CHECK(pages == 2 && oldest == 30);
	ct_spool_free(sp);
}

/* report --by cgroup: stalls and fallbacks by pid, grouped by a recording's task map */
static void test_by_cgroup(void)
{
	static const char map[] = "1 10 web\t/ct/web\n2 11 db\t/ct/db\n3 12 web-worker\t/ct/web\n";
	struct ct_cgroup_tally *t = ct_cgroup_tally_new();
	struct ct_sink sink;
	struct ct_stall st = { 0 };
	struct ct_fallback fb = { 0 };
	const struct ct_cgroup_row *rows;
	uint32_t n;

	CHECK(t != NULL);
	if (!t)
		return;
	sink = ct_cgroup_tally_sink(t);
	/* pid 1: 5 ms success; pid 3: 20 ms complete (the same cgroup); pid 2: 1 ms; pid 9: not in the map */
	st.pid = 1, st.latency_ns = 5000000, st.result = CT_STATUS_SUCCESS;
	sink.ops->stall(sink.ctx, &st);
	st.pid = 3, st.latency_ns = 20000000, st.result = CT_STATUS_COMPLETE;
	sink.ops->stall(sink.ctx, &st);
	st.pid = 2, st.latency_ns = 1000000, st.result = CT_STATUS_SUCCESS;
	sink.ops->stall(sink.ctx, &st);
	st.pid = 9, st.latency_ns = 3000000;
	sink.ops->stall(sink.ctx, &st);
	fb.pid = 2, fb.fragmenting = 1;
	sink.ops->fallback(sink.ctx, &fb);
	fb.fragmenting = 0;
	sink.ops->fallback(sink.ctx, &fb);
	CHECK(ct_cgroup_tally_resolve(t, map, strlen(map)) == 0);
	rows = ct_cgroup_tally_rows(t, &n);
	CHECK(n == 3);
	if (n == 3) {
		/* most stall time first: /ct/web 25 ms, unknown 3 ms, /ct/db 1 ms */
		CHECK_STR(rows[0].cgroup, "/ct/web");
		CHECK(rows[0].stalls == 2 && rows[0].stall_ns == 25000000 && rows[0].stall_max_ns == 20000000);
		CHECK(rows[0].by_result[CT_STATUS_SUCCESS] == 1 && rows[0].by_result[CT_STATUS_COMPLETE] == 1);
		CHECK_STR(rows[1].cgroup, "unknown");
		CHECK_STR(rows[2].cgroup, "/ct/db");
		CHECK(rows[2].stalls == 1 && rows[2].fallbacks == 2 && rows[2].fragmenting == 1);
	}
	ct_cgroup_tally_free(t);
}

/* ---- the HTTP endpoint, on loopback ---- */

static int fake_metrics(void *ctx, int openmetrics, char **body, size_t *len, const char **type)
{
	(void)ctx;
	*body = strdup(openmetrics ? "om 1\n# EOF\n" : "text 1\n");
	*len = strlen(*body);
	*type = openmetrics ? "application/openmetrics-text; version=1.0.0; charset=utf-8" :
		"text/plain; version=0.0.4; charset=utf-8";
	return 0;
}

static int fake_capture(void *ctx, char *msg, size_t len)
{
	(*(int *)ctx)++;
	snprintf(msg, len, "capture armed\n");
	return 0;
}

/* one request on a new connection; the whole response into @out */
static void http_do(int port, const char *req, char *out, size_t len)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port) };
	size_t got = 0;
	ssize_t n;
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	out[0] = '\0';
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (fd < 0 || connect(fd, (struct sockaddr *)&a, sizeof(a)) < 0 || write(fd, req, strlen(req)) < 0) {
		if (fd >= 0)
			close(fd);
		return;
	}
	while (got + 1 < len && (n = read(fd, out + got, len - 1 - got)) > 0)
		got += (size_t)n;
	out[got] = '\0';
	close(fd);
}

static void test_http(void)
{
	struct ct_http_handlers h = { .metrics = fake_metrics, .capture = fake_capture };
	struct ct_http *http;
	char bound[64], err[256], resp[4096];
	int fd, fd2, captures = 0, port;

	h.ctx = &captures;
	CHECK(ct_http_listen("127.0.0.1:0", &fd, bound, sizeof(bound), err, sizeof(err)) == 0);
	port = (int)strtol(strrchr(bound, ':') + 1, NULL, 10);
	CHECK(port > 0);
	/* the same port again: refused, and said so */
	snprintf(resp, sizeof(resp), "127.0.0.1:%d", port);
	CHECK(ct_http_listen(resp, &fd2, bound, sizeof(bound), err, sizeof(err)) == -CT_E_EXISTS);
	CHECK(strstr(err, "already in use") != NULL);
	CHECK(ct_http_listen("localhost", &fd2, bound, sizeof(bound), err, sizeof(err)) == -CT_E_INVAL);
	http = ct_http_start(fd, &h, err, sizeof(err));
	CHECK(http != NULL);
	if (!http)
		return;
	http_do(port, "GET /metrics HTTP/1.0\r\n\r\n", resp, sizeof(resp));
	CHECK(strstr(resp, "200 OK") && strstr(resp, "text/plain; version=0.0.4") && strstr(resp, "\r\n\r\ntext 1\n"));
	http_do(port, "GET /metrics HTTP/1.0\r\nAccept: application/openmetrics-text;version=1.0.0,text/plain;q=0.5\r\n\r\n",
		resp, sizeof(resp));
	CHECK(strstr(resp, "application/openmetrics-text") && strstr(resp, "# EOF"));
	http_do(port, "POST /capture HTTP/1.0\r\nContent-Length: 0\r\n\r\n", resp, sizeof(resp));
	CHECK(strstr(resp, " 202 ") && captures == 1);
	http_do(port, "GET /capture HTTP/1.0\r\n\r\n", resp, sizeof(resp));
	CHECK(strstr(resp, " 405 ") && captures == 1);
	http_do(port, "GET /nothing HTTP/1.0\r\n\r\n", resp, sizeof(resp));
	CHECK(strstr(resp, " 404 ") != NULL);
	ct_http_stop(http);
}

/* ---- the exposition writer ---- */

static void test_writer(void)
{
	const char *l1[] = { "a", "x\"y\\z\nw", NULL };
	const double b[] = { 0.5, 1 };
	const uint64_t c[] = { 1, 2, 3 };
	const char *text;
	size_t len;
	struct ct_om *w = ct_om_new(CT_OM_PROMETHEUS);

	CHECK(ct_om_family(w, "t_total", CT_OM_COUNTER, "help \\ with\nnewline") == 0);
	CHECK(ct_om_sample_u64(w, l1, 18446744073709551615ULL) == 0);
	CHECK(ct_om_family(w, "h_seconds", CT_OM_HISTOGRAM, "h") == 0);
	CHECK(ct_om_histogram(w, NULL, b, c, 2, 2.25) == 0);
	text = ct_om_text(w, &len);
	CHECK_STR(text, "# HELP t_total help \\\\ with\\nnewline\n# TYPE t_total counter\n"
		  "t_total{a=\"x\\\"y\\\\z\\nw\"} 18446744073709551615\n"
		  "# HELP h_seconds h\n# TYPE h_seconds histogram\n"
		  "h_seconds_bucket{le=\"0.5\"} 1\nh_seconds_bucket{le=\"1\"} 3\nh_seconds_bucket{le=\"+Inf\"} 6\n"
		  "h_seconds_sum 2.25\nh_seconds_count 6\n");
	ct_om_free(w);
	w = ct_om_new(CT_OM_OPENMETRICS);
	CHECK(ct_om_family(w, "t_total", CT_OM_COUNTER, "h") == 0);
	CHECK(ct_om_sample(w, NULL, 1.5) == 0);
	text = ct_om_text(w, &len);
	CHECK_STR(text, "# HELP t h\n# TYPE t counter\nt_total 1.5\n# EOF\n");
	ct_om_free(w);
	CHECK(ct_om_wants_openmetrics("application/openmetrics-text;version=1.0.0,text/plain;q=0.5"));
	CHECK(!ct_om_wants_openmetrics("text/plain"));
	CHECK(!ct_om_wants_openmetrics(NULL));
}

/* ---- the metrics sink ---- */

static const char *cgroup_by_pid(void *ctx, int32_t pid)
{
	(void)ctx;
	return pid == 1 ? "/a" : pid == 2 ? "/b" : "/c";
}

/* the value of the sample line that starts with @prefix (name and labels), or -1 */
static double value_of(const char *text, const char *prefix)
{
	size_t n = strlen(prefix);

	for (const char *p = text; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL)
		if (strncmp(p, prefix, n) == 0 && p[n] == ' ')
			return strtod(p + n + 1, NULL);
	return -1;
}

/* the kernel's __fragmentation_index, written again from mm/vmstat.c for the test */
static double kernel_fragindex(const uint64_t *blocks, int norders, int order)
{
	uint64_t total = 0, free_pages = 0, suitable = 0;

	for (int o = 0; o < norders; o++) {
		total += blocks[o];
		free_pages += blocks[o] << o;
		if (o >= order)
			suitable += blocks[o] << (o - order);
	}
	if (!total)
		return 0;
	if (suitable)
		return -1000 / 1000.0;
	return (double)(1000 - (1000 + free_pages * 1000 / (1ULL << order)) / total) / 1000.0;
}

static void test_metrics(void)
{
	struct ct_metrics *m = ct_metrics_new(cgroup_by_pid, NULL, 2);
	struct ct_sink sink = ct_metrics_sink(m);
	struct ct_results res;
	struct ct_metrics_host h = { 0 };
	struct ct_stall st = { 0 };
	struct ct_run run = { 0 };
	struct ct_fallback fb = { 0 };
	struct ct_om *w = ct_om_new(CT_OM_PROMETHEUS);
	const uint64_t dma32[] = { 6, 9, 6, 5, 5, 6, 4, 7, 5, 5, 0 }, normal[] = { 37204, 14831, 4866, 0, 0, 0, 0, 0, 0, 0, 0 };
	const char *text;
	size_t len;
	char line[256];

	memset(&res, 0, sizeof(res));
	st.pid = 1;
	st.order = 9;
	st.result = CT_STATUS_SUCCESS;
	st.latency_ns = 34000000;
	CHECK(sink.ops->stall(sink.ctx, &st) == 0);
	st.pid = 2;
	st.latency_ns = 25000000;	/* exactly on a bound: in le="0.025" */
	CHECK(sink.ops->stall(sink.ctx, &st) == 0);
	st.pid = 3;			/* a third cgroup with a limit of 2: "other" */
	st.result = CT_STATUS_COMPLETE;
	CHECK(sink.ops->stall(sink.ctx, &st) == 0);
	run.trigger = CT_TRIGGER_MANUAL;
	run.status = CT_STATUS_COMPLETE;
	run.nid = 0;
	snprintf(run.zone, sizeof(run.zone), "Normal");
	run.begin_ns = 1000;
	run.end_ns = 1000 + 3000000;
	run.migrate_scanned = 500;
	run.free_scanned = 70;
	CHECK(sink.ops->run(sink.ctx, &run) == 0);
	fb.pid = 1;
	fb.alloc_migratetype = 0;
	fb.fallback_migratetype = 1;
	fb.fragmenting = 1;
	CHECK(sink.ops->fallback(sink.ctx, &fb) == 0);
	CHECK(sink.ops->fallback(sink.ctx, &fb) == 0);

	res.totals.compact_migrate_scanned = 700;
	res.totals.compact_free_scanned = 70;
	res.totals.compact_isolated = 12;
	h.res = &res;
	h.version = "v";
	h.kernel = "k";
	h.buddyinfo = "Node 0, zone    DMA32      6      9      6      5      5      6      4      7      5      5      0 \n"
		      "Node 0, zone   Normal  37204  14831   4866      0      0      0      0      0      0      0      0 \n";
	ct_metrics_note_vmstat(m, &res, NULL,
			       "compact_migrate_scanned 1000\ncompact_free_scanned 50\ncompact_isolated 5\ncompact_stall 0\n",
			       "compact_migrate_scanned 2000\ncompact_free_scanned 120\ncompact_isolated 17\ncompact_stall 3\n");
	/* a later read with less untraced (the trace caught up): the counter does not go down */
	ct_metrics_note_vmstat(m, &res, NULL,
			       "compact_migrate_scanned 1000\ncompact_free_scanned 50\ncompact_isolated 5\ncompact_stall 0\n",
			       "compact_migrate_scanned 1800\ncompact_free_scanned 120\ncompact_isolated 17\ncompact_stall 3\n");
	CHECK(ct_metrics_render(m, &h, w) == 0);
	text = ct_om_text(w, &len);
	CHECK(text != NULL);
	if (!text)
		goto out;
	CHECK(value_of(text, "compactrace_direct_stalls_total{order=\"9\",result=\"success\",cgroup=\"/a\"}") == 1);
	CHECK(value_of(text, "compactrace_direct_stalls_total{order=\"9\",result=\"success\",cgroup=\"/b\"}") == 1);
	CHECK(value_of(text, "compactrace_direct_stalls_total{order=\"9\",result=\"complete\",cgroup=\"other\"}") == 1);
	CHECK(value_of(text, "compactrace_direct_stall_seconds_bucket{order=\"9\",cgroup=\"/a\",le=\"0.025\"}") == 0);
	CHECK(value_of(text, "compactrace_direct_stall_seconds_bucket{order=\"9\",cgroup=\"/a\",le=\"0.05\"}") == 1);
	CHECK(value_of(text, "compactrace_direct_stall_seconds_bucket{order=\"9\",cgroup=\"/b\",le=\"0.025\"}") == 1);
	CHECK(value_of(text, "compactrace_direct_stall_seconds_sum{order=\"9\",cgroup=\"/a\"}") == 0.034);
	CHECK(value_of(text, "compactrace_runs_total{trigger=\"manual\",status=\"complete\",node=\"0\",zone=\"Normal\"}") == 1);
	CHECK(value_of(text, "compactrace_run_duration_seconds_bucket{trigger=\"manual\",le=\"0.0025\"}") == 0);
	CHECK(value_of(text, "compactrace_run_duration_seconds_bucket{trigger=\"manual\",le=\"0.005\"}") == 1);
	CHECK(value_of(text, "compactrace_migrate_scanned_pages_total{trigger=\"manual\"}") == 500);
	CHECK(value_of(text, "compactrace_free_scanned_pages_total{trigger=\"manual\"}") == 70);
	CHECK(value_of(text, "compactrace_isolated_pages_total") == 12);
	CHECK(value_of(text, "compactrace_extfrag_fallbacks_total{alloc_migratetype=\"0\",fallback_migratetype=\"1\","
			     "fragmenting=\"true\",cgroup=\"/a\"}") == 2);
	/* vmstat +1000 migrate-scanned, the trace 700: 300 untraced; +70 free scanned = the trace's 70; +12 isolated */
	CHECK(value_of(text, "compactrace_untraced_pages_total{counter=\"compact_migrate_scanned\"}") == 300);
	CHECK(value_of(text, "compactrace_untraced_pages_total{counter=\"compact_free_scanned\"}") == 0);
	CHECK(value_of(text, "compactrace_untraced_pages_total{counter=\"compact_isolated\"}") == 0);
	CHECK(value_of(text, "compactrace_free_blocks{node=\"0\",zone=\"Normal\",order=\"1\"}") == 14831);
	for (int o = 0; o < 11; o++) {
		snprintf(line, sizeof(line), "compactrace_fragmentation_index{node=\"0\",zone=\"DMA32\",order=\"%d\"}", o);
		CHECK(value_of(text, line) == kernel_fragindex(dma32, 11, o));
		snprintf(line, sizeof(line), "compactrace_fragmentation_index{node=\"0\",zone=\"Normal\",order=\"%d\"}", o);
		CHECK(value_of(text, line) == kernel_fragindex(normal, 11, o));
	}
	CHECK(value_of(text, "compactrace_fragmentation_index{node=\"0\",zone=\"Normal\",order=\"9\"}") > 0.9);
	CHECK(value_of(text, "compactrace_build_info{version=\"v\",kernel=\"k\"}") == 1);
	CHECK(ct_metrics_cgroups(m) == 2);
out:
	ct_om_free(w);
	ct_metrics_free(m);
}

/* ---- the page decoder against the trace.dat reader ---- */

struct texts {
	char *data[256];
	size_t len[256];
	const char *ptr[256];
	int n;
};

static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	long n;

	if (!f)
		return NULL;
	if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) >= 0 && fseek(f, 0, SEEK_SET) == 0 &&
	    (buf = malloc((size_t)n + 1)) && fread(buf, 1, (size_t)n, f) == (size_t)n) {
		buf[n] = '\0';
		*len = (size_t)n;
	} else {
		free(buf);
		buf = NULL;
	}
	fclose(f);
	return buf;
}

static int load_system(const char *dir, const char *sys, struct texts *t, struct ct_pages_system *out)
{
	char path[1024];
	struct dirent **ents;
	int n, first = t->n;

	snprintf(path, sizeof(path), "%s/%s", dir, sys);
	n = scandir(path, &ents, NULL, alphasort);
	if (n < 0)
		return -1;
	for (int i = 0; i < n; i++) {
		if (strstr(ents[i]->d_name, ".format") && t->n < 256) {
			snprintf(path, sizeof(path), "%s/%s/%s", dir, sys, ents[i]->d_name);
			t->data[t->n] = slurp(path, &t->len[t->n]);
			if (t->data[t->n]) {
				t->ptr[t->n] = t->data[t->n];
				t->n++;
			}
		}
		free(ents[i]);
	}
	free(ents);
	*out = (struct ct_pages_system){ sys, t->ptr + first, t->len + first, (uint32_t)(t->n - first) };
	return 0;
}

static int same_event(const struct ct_event *a, const struct ct_event *b)
{
	return a->type == b->type && a->ts_ns == b->ts_ns && a->cpu == b->cpu && a->pid == b->pid &&
	       a->name_len == b->name_len && memcmp(a->name, b->name, a->name_len) == 0 &&
	       (a->type == CT_EV_PARSE_ERROR || a->type == CT_EV_LOST || a->type == CT_EV_OTHER ||
		memcmp(&a->u, &b->u, sizeof(a->u)) == 0);
}

static void test_pages(const char *formats)
{
	struct synth_opts so = { .formats_dir = formats, .nr_records = 3000, .seed = 1234, .lost = 1 };
	struct synth_out sy = { 0 };
	struct texts t = { 0 };
	struct ct_pages_system sys[3];
	struct ct_pages_formats f = { 0 };
	struct ct_pages *d = NULL;
	struct ct_source *src = NULL;
	struct ct_event ev, want;
	char err[512], path[64], hp[1024];
	uint64_t off[2], size[2], fed[2] = { 0, 0 }, last_ts = 0, n = 0, held_back = 0;
	char *hpt, *het;
	size_t hpl = 0, hel = 0;
	int r;

	fprintf(stderr, "page decoder: synthetic trace.dat, seed %u\n", so.seed);
	snprintf(hp, sizeof(hp), "%s/header_page", formats);
	hpt = slurp(hp, &hpl);
	snprintf(hp, sizeof(hp), "%s/header_event", formats);
	het = slurp(hp, &hel);
	CHECK(hpt && het);
	CHECK(synth_make(&so, &sy) == 0);
	if (!hpt || !het || !sy.dat || load_system(formats, "compaction", &t, &sys[0]) < 0 ||
	    load_system(formats, "kmem", &t, &sys[1]) < 0 || load_system(formats, "migrate", &t, &sys[2]) < 0)
		goto out;
	f = (struct ct_pages_formats){ hpt, hpl, het, hel, sys, 3 };
	CHECK(ct_pages_new(&f, 2, 4096, "synthetic", NULL, NULL, &d, err, sizeof(err)) == 0);
	CHECK(synth_memfd(sy.dat, sy.dat_len, path, sizeof(path)) >= 0);
	CHECK(ct_source_open(path, CT_FORMAT_TRACE_DAT, &src, err, sizeof(err)) == 0);
	if (!d || !src)
		goto out;
	for (int c = 0; c < 2; c++) {
		memcpy(&off[c], sy.dat + sy.cpu_table + 16 * c, 8);
		memcpy(&size[c], sy.dat + sy.cpu_table + 16 * c + 8, 8);
	}
	/*
	 * Pages arrive a few at a time, CPU 1 ahead of CPU 0 (as a live reader sees
	 * them); each round the decoder may only give events up to the earliest
	 * timestamp both CPUs have reached, and must give them in the file reader's order.
	 */
	while (fed[0] < size[0] || fed[1] < size[1]) {
		uint64_t upto = UINT64_MAX;

		for (int c = 1; c >= 0; c--)
			for (int k = 0; k < (c ? 3 : 2) && fed[c] < size[c]; k++) {
				CHECK(ct_pages_add(d, c, sy.dat + off[c] + fed[c], 4096) == 0);
				fed[c] += 4096;
			}
		/* the watermark: the first timestamp of the next page of each CPU not yet handed over */
		for (int c = 0; c < 2; c++)
			if (fed[c] < size[c]) {
				uint64_t ts;

				memcpy(&ts, sy.dat + off[c] + fed[c], 8);
				if (ts && ts - 1 < upto)
					upto = ts - 1;
			}
		while ((r = ct_pages_next(d, upto, &ev)) == 1) {
			CHECK(ct_source_next(src, &want) == 1);
			if (!same_event(&ev, &want)) {
				fprintf(stderr, "event %llu: decoder type %d ts %llu cpu %d, file reader type %d ts %llu cpu %d\n",
					(unsigned long long)n, ev.type, (unsigned long long)ev.ts_ns, ev.cpu,
					want.type, (unsigned long long)want.ts_ns, want.cpu);
				CHECK(0);
				goto out;
			}
			if (ev.type != CT_EV_LOST && ev.type != CT_EV_PARSE_ERROR) {
				CHECK(ev.ts_ns <= upto);
				CHECK(ev.ts_ns >= last_ts);
				last_ts = ev.ts_ns;
			}
			n++;
		}
		held_back += ct_pages_queued(d) > 0;
	}
	while ((r = ct_pages_next(d, UINT64_MAX, &ev)) == 1) {
		CHECK(ct_source_next(src, &want) == 1);
		CHECK(same_event(&ev, &want));
		n++;
	}
	CHECK(r == 0);
	CHECK(ct_source_next(src, &want) == 0);
	CHECK(n >= (uint64_t)sy.nr_records);
	CHECK(held_back > 0);	/* the watermark did hold pages back at some point */
	fprintf(stderr, "page decoder: %llu events equal to the trace.dat reader's\n", (unsigned long long)n);
out:
	ct_source_free(src);
	ct_pages_free(d);
	synth_free(&sy);
	for (int i = 0; i < t.n; i++)
		free(t.data[i]);
	free(hpt);
	free(het);
}

int main(int argc, char **argv)
{
	char dir[] = "/tmp/ct-monitor-unit-XXXXXX";

	if (argc != 2) {
		fprintf(stderr, "usage: test_monitor_unit FORMATS_DIR\n");
		return 2;
	}
	if (!mkdtemp(dir)) {
		perror("mkdtemp");
		return 1;
	}
	test_cgroup_rule();
	test_tasks(dir);
	test_taskmap(dir);
	test_writer();
	test_recorder_parts();
	test_by_cgroup();
	test_http();
	test_metrics();
	test_pages(argv[1]);
	{
		char cmd[128];

		snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
		if (system(cmd) != 0)
			fprintf(stderr, "cannot remove %s\n", dir);
	}
	return ct_test_status("test_monitor_unit");
}
