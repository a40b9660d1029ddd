// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * compactrace monitor: always-on tracing of compaction, served to
 * Prometheus as /metrics. Options and the service's life here; the
 * pipeline is src/monitor/monitor.c, HTTP src/monitor/http.c.
 *
 * The main thread reads the trace (it sleeps in ppoll() on the ring
 * buffers, with the stop signals unblocked only there); libmicrohttpd's
 * thread answers scrapes.
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "args.h"
#include "commands.h"
#include "compactrace/error.h"
#include "monitor/http.h"
#include "monitor/monitor.h"

#define PROG "compactrace monitor"
#define DEFAULT_LISTEN "localhost:9479"

static volatile sig_atomic_t got_signal;	/* bit (1 << signo) per signal seen */

static void on_signal(int signo)
{
	got_signal |= 1 << signo;
}

struct monitor_args {
	const char *listen;
	struct ct_monitor_opts o;
	double duration;		/* seconds; 0: until a signal */
	struct ct_recorder_opts rec;
};

static void usage(FILE *out)
{
	fprintf(out,
		"usage: compactrace monitor [--listen ADDR:PORT] [--by-cgroup [--cgroup-limit N]]\n"
		"                           [--buffer-kb N] [--interval MS] [--duration SEC]\n"
		"\n"
		"Trace compaction on this host (root) for as long as it runs, in a private\n"
		"tracefs instance, and serve the results to Prometheus at /metrics (the text\n"
		"format, or OpenMetrics when the scraper asks for it). Stops cleanly on\n"
		"SIGTERM or SIGINT; an instance left by a killed monitor is removed at the\n"
		"next start.\n"
		"\n"
		"  -l, --listen=ADDR:PORT  where to serve (default " DEFAULT_LISTEN ")\n"
		"      --by-cgroup         label stalls and fallbacks with the task's cgroup\n"
		"      --cgroup-limit=N    at most N distinct cgroups, the rest \"other\" (default 50)\n"
		"      --buffer-kb=N       ring buffer per CPU in KiB (default 4096)\n"
		"      --interval=MS       read the buffers at least every MS ms (default 1000)\n"
		"      --duration=SEC      stop after SEC seconds (default: run until stopped)\n"
		"  -h, --help\n"
		"\n"
		"Flight recorder: the raw trace of the last minutes kept in memory, saved as a\n"
		"trace.dat into DIR when a condition holds (or on SIGUSR1, or POST /capture):\n"
		"      --capture-dir=DIR        where captures go (created if missing)\n"
		"      --capture-on=COND        stall>DURATION, run>DURATION, fail (a direct stall\n"
		"                               that did not succeed) or fallback (a fragmenting\n"
		"                               one); repeatable\n"
		"      --capture-before=DUR     trace kept before the trigger (default 30s)\n"
		"      --capture-after=DUR      recording goes on this long after it (default 5s);\n"
		"                               triggers meanwhile extend the capture\n"
		"      --capture-min-interval=DUR  no automatic capture sooner than this after the\n"
		"                               last one's trigger (default 60s)\n"
		"      --capture-max=N          keep at most N captures, the oldest removed first\n"
		"      --capture-max-bytes=SIZE and at most SIZE bytes of them (e.g. 2G)\n"
		"      --capture-spool=SIZE     memory for the rolling spool (default 128M)\n"
		"Names say when and why: 2026-12-05T14:03:11Z-stall-34ms.dat (UTC). A full disk\n"
		"stops capturing with a message and a counter; the monitor goes on.\n"
		"\n"
		"Metrics: compactrace_direct_stalls_total, compactrace_direct_stall_seconds,\n"
		"compactrace_runs_total, compactrace_run_duration_seconds, scanned/isolated/\n"
		"migrated pages, deferrals, kcompactd wakes and awake time, extfrag fallbacks,\n"
		"free blocks and fragmentation index per zone and order, untraced pages, health.\n");
}

static int parse_args(int argc, char **argv, struct monitor_args *a)
{
	enum { OPT_BY_CGROUP = 256, OPT_CGROUP_LIMIT, OPT_BUFFER_KB, OPT_INTERVAL, OPT_DURATION,
	       OPT_CAP_DIR, OPT_CAP_ON, OPT_CAP_BEFORE, OPT_CAP_AFTER, OPT_CAP_INTERVAL, OPT_CAP_MAX,
	       OPT_CAP_MAX_BYTES, OPT_CAP_SPOOL };
	static const struct option longopts[] = {
		{ "listen", required_argument, NULL, 'l' },
		{ "by-cgroup", no_argument, NULL, OPT_BY_CGROUP },
		{ "cgroup-limit", required_argument, NULL, OPT_CGROUP_LIMIT },
		{ "buffer-kb", required_argument, NULL, OPT_BUFFER_KB },
		{ "interval", required_argument, NULL, OPT_INTERVAL },
		{ "duration", required_argument, NULL, OPT_DURATION },
		{ "capture-dir", required_argument, NULL, OPT_CAP_DIR },
		{ "capture-on", required_argument, NULL, OPT_CAP_ON },
		{ "capture-before", required_argument, NULL, OPT_CAP_BEFORE },
		{ "capture-after", required_argument, NULL, OPT_CAP_AFTER },
		{ "capture-min-interval", required_argument, NULL, OPT_CAP_INTERVAL },
		{ "capture-max", required_argument, NULL, OPT_CAP_MAX },
		{ "capture-max-bytes", required_argument, NULL, OPT_CAP_MAX_BYTES },
		{ "capture-spool", required_argument, NULL, OPT_CAP_SPOOL },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c, limit_given = 0, cap_opts = 0;
	char err[256];
	uint64_t u;
	double v;

	a->listen = DEFAULT_LISTEN;
	a->o.cgroup_limit = 50;
	a->o.buffer_kb = 4096;
	a->o.buffer_percent = 50;
	a->o.interval_ms = 1000;
	a->rec.before_ns = 30000000000ULL;
	a->rec.after_ns = 5000000000ULL;
	a->rec.min_interval_ns = 60000000000ULL;
	a->rec.spool_bytes = 128ULL << 20;
	optind = 1;
	while ((c = getopt_long(argc, argv, "l:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'l':
			a->listen = optarg;
			break;
		case OPT_BY_CGROUP:
			a->o.by_cgroup = 1;
			break;
		case OPT_CGROUP_LIMIT:
			if (ct_arg_double(optarg, 1, 100000, &v) < 0 || v != (long)v)
				return fprintf(stderr, PROG ": bad --cgroup-limit '%s' (1 to 100000)\n", optarg), -1;
			a->o.cgroup_limit = (uint32_t)v;
			limit_given = 1;
			break;
		case OPT_BUFFER_KB:
			if (ct_arg_double(optarg, 64, 4194304, &v) < 0 || v != (long)v)
				return fprintf(stderr, PROG ": bad --buffer-kb '%s' (64 to 4194304)\n", optarg), -1;
			a->o.buffer_kb = (size_t)v;
			break;
		case OPT_INTERVAL:
			if (ct_arg_double(optarg, 10, 60000, &v) < 0)
				return fprintf(stderr, PROG ": bad --interval '%s' (10 to 60000 ms)\n", optarg), -1;
			a->o.interval_ms = (int)v;
			break;
		case OPT_DURATION:
			if (ct_arg_double(optarg, 0.001, 1e9, &v) < 0)
				return fprintf(stderr, PROG ": bad --duration '%s' (seconds)\n", optarg), -1;
			a->duration = v;
			break;
		case OPT_CAP_DIR:
			a->rec.dir = optarg;
			break;
		case OPT_CAP_ON:
			if (a->rec.nconds == CT_RECORDER_MAX_CONDS)
				return fprintf(stderr, PROG ": at most %d --capture-on\n", CT_RECORDER_MAX_CONDS), -1;
			if (ct_capture_cond_parse(optarg, &a->rec.conds[a->rec.nconds], err, sizeof(err)) < 0)
				return fprintf(stderr, PROG ": %s\n", err), -1;
			a->rec.nconds++;
			cap_opts = 1;
			break;
		case OPT_CAP_BEFORE:
		case OPT_CAP_AFTER:
		case OPT_CAP_INTERVAL:
			if (ct_parse_duration(optarg, &u) < 0)
				return fprintf(stderr, PROG ": bad duration '%s' (e.g. 500ms, 30s, 2m)\n", optarg), -1;
			*(c == OPT_CAP_BEFORE ? &a->rec.before_ns : c == OPT_CAP_AFTER ? &a->rec.after_ns :
			  &a->rec.min_interval_ns) = u;
			cap_opts = 1;
			break;
		case OPT_CAP_MAX:
			if (ct_arg_double(optarg, 1, 1e6, &v) < 0 || v != (long)v)
				return fprintf(stderr, PROG ": bad --capture-max '%s'\n", optarg), -1;
			a->rec.max_files = (uint32_t)v;
			cap_opts = 1;
			break;
		case OPT_CAP_MAX_BYTES:
		case OPT_CAP_SPOOL:
			if (ct_parse_size(optarg, &u) < 0 || u < 65536)
				return fprintf(stderr, PROG ": bad size '%s' (at least 64K; e.g. 512M, 2G)\n", optarg), -1;
			*(c == OPT_CAP_SPOOL ? &a->rec.spool_bytes : &a->rec.max_bytes) = u;
			cap_opts = 1;
			break;
		case 'h':
			usage(stdout);
			return 1;
		default:
			return -1;
		}
	}
	if (optind < argc)
		return fprintf(stderr, PROG ": unexpected argument '%s'\n", argv[optind]), -1;
	if (limit_given && !a->o.by_cgroup)
		return fprintf(stderr, PROG ": --cgroup-limit goes with --by-cgroup\n"), -1;
	if (cap_opts && !a->rec.dir)
		return fprintf(stderr, PROG ": the --capture-* options go with --capture-dir DIR\n"), -1;
	if (a->rec.dir)
		a->o.capture = &a->rec;
	return 0;
}

static void note(void *ctx, const char *msg)
{
	(void)ctx;
	fprintf(stderr, PROG ": %s\n", msg);
}

static int scrape(void *ctx, int openmetrics, char **body, size_t *len, const char **type)
{
	return ct_monitor_scrape(ctx, openmetrics, body, len, type);
}

static int capture(void *ctx, char *msg, size_t msglen)
{
	return ct_monitor_capture(ctx, "http", msg, msglen) < 0 ? 409 : 0;
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int ct_cmd_monitor(int argc, char **argv)
{
	struct monitor_args a = { 0 };
	struct ct_monitor *m = NULL;
	struct ct_http *http = NULL;
	struct ct_http_handlers hh = { .metrics = scrape, .capture = capture };
	struct sigaction sa = { .sa_handler = on_signal };
	sigset_t block, wait_mask, old_mask;
	char err[4400], bound[300];
	const char *why = "duration reached";
	uint64_t events, pages;
	double t0;
	int ret, fd = -1, status = CT_EXIT_ERROR;

	ret = parse_args(argc, argv, &a);
	if (ret)
		return ret > 0 ? CT_EXIT_OK : CT_EXIT_USAGE;
	/* the port first: a second monitor stops here, before it touches tracing */
	ret = ct_http_listen(a.listen, &fd, bound, sizeof(bound), err, sizeof(err));
	if (ret < 0) {
		fprintf(stderr, PROG ": %s\n", err);
		return ret == -CT_E_INVAL ? CT_EXIT_USAGE : CT_EXIT_ERROR;
	}
	/* the stop signals reach us only while the reader sleeps (and never the HTTP thread) */
	sigemptyset(&block);
	sigaddset(&block, SIGTERM);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGHUP);
	sigaddset(&block, SIGUSR1);
	pthread_sigmask(SIG_BLOCK, &block, &old_mask);
	wait_mask = old_mask;
	sigdelset(&wait_mask, SIGTERM);
	sigdelset(&wait_mask, SIGINT);
	sigdelset(&wait_mask, SIGHUP);
	sigdelset(&wait_mask, SIGUSR1);
	sigaction(SIGUSR1, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);

	ret = ct_monitor_new(&a.o, note, NULL, &m, err, sizeof(err));
	if (ret < 0) {
		fprintf(stderr, PROG ": %s\n", err);
		goto out;
	}
	hh.ctx = m;
	http = ct_http_start(fd, &hh, err, sizeof(err));
	fd = -1;
	if (!http) {
		fprintf(stderr, PROG ": %s\n", err);
		goto out;
	}
	ret = ct_monitor_start(m, err, sizeof(err));
	if (ret < 0) {
		fprintf(stderr, PROG ": %s\n", err);
		goto out;
	}
	fprintf(stderr, PROG ": serving http://%s/metrics; tracing in instance %s%s%s%s\n", bound,
		ct_monitor_instance(m), a.o.by_cgroup ? "; stalls and fallbacks by cgroup" : "",
		a.o.capture ? "; flight recorder into " : "", a.o.capture ? a.rec.dir : "");
	t0 = now_s();
	for (;;) {
		if (got_signal & (1 << SIGUSR1)) {
			got_signal &= ~(1 << SIGUSR1);
			if (ct_monitor_capture(m, "manual", err, sizeof(err)) < 0 || a.o.capture)
				fprintf(stderr, PROG ": SIGUSR1: %s", err);
		}
		if (got_signal) {
			why = got_signal & (1 << SIGINT) ? "SIGINT" : got_signal & (1 << SIGHUP) ? "SIGHUP" : "SIGTERM";
			break;
		}
		if (a.duration > 0 && now_s() - t0 >= a.duration)
			break;
		ret = ct_monitor_step(m, &wait_mask, err, sizeof(err));
		if (ret < 0) {
			fprintf(stderr, PROG ": %s\n", err);
			goto out;
		}
	}
	ret = ct_monitor_finish(m, err, sizeof(err));
	if (ret < 0) {
		fprintf(stderr, PROG ": %s\n", err);
		goto out;
	}
	status = CT_EXIT_OK;
out:
	ct_http_stop(http);
	if (fd >= 0)
		close(fd);
	if (m) {
		ct_monitor_counts(m, &events, &pages);
		if (ct_monitor_close(m, err, sizeof(err)) < 0) {
			fprintf(stderr, PROG ": %s\n", err);
			status = CT_EXIT_ERROR;
		} else if (status == CT_EXIT_OK) {
			fprintf(stderr, PROG ": stopped (%s) after %llu events in %llu pages; instance removed, "
				"events off\n", why, (unsigned long long)events, (unsigned long long)pages);
		}
	}
	ct_monitor_free(m);
	pthread_sigmask(SIG_SETMASK, &old_mask, NULL);
	return status;
}
