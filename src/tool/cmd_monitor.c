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
		"Metrics: compactrace_direct_stalls_total, compactrace_direct_stall_seconds,\n"
		"compactrace_runs_total, compactrace_run_duration_seconds, scanned/isolated/\n"
		"migrated pages, deferrals, kcompactd wakes and awake time, extfrag fallbacks,\n"
		"free blocks and fragmentation index per zone and order, untraced pages, health.\n");
}

static int parse_args(int argc, char **argv, struct monitor_args *a)
{
	enum { OPT_BY_CGROUP = 256, OPT_CGROUP_LIMIT, OPT_BUFFER_KB, OPT_INTERVAL, OPT_DURATION };
	static const struct option longopts[] = {
		{ "listen", required_argument, NULL, 'l' },
		{ "by-cgroup", no_argument, NULL, OPT_BY_CGROUP },
		{ "cgroup-limit", required_argument, NULL, OPT_CGROUP_LIMIT },
		{ "buffer-kb", required_argument, NULL, OPT_BUFFER_KB },
		{ "interval", required_argument, NULL, OPT_INTERVAL },
		{ "duration", required_argument, NULL, OPT_DURATION },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c, limit_given = 0;
	double v;

	a->listen = DEFAULT_LISTEN;
	a->o.cgroup_limit = 50;
	a->o.buffer_kb = 4096;
	a->o.buffer_percent = 50;
	a->o.interval_ms = 1000;
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
	struct ct_http_handlers hh = { .metrics = scrape };
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
	pthread_sigmask(SIG_BLOCK, &block, &old_mask);
	wait_mask = old_mask;
	sigdelset(&wait_mask, SIGTERM);
	sigdelset(&wait_mask, SIGINT);
	sigdelset(&wait_mask, SIGHUP);
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
	fprintf(stderr, PROG ": serving http://%s/metrics; tracing in instance %s%s\n", bound,
		ct_monitor_instance(m), a.o.by_cgroup ? "; stalls and fallbacks by cgroup" : "");
	t0 = now_s();
	for (;;) {
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
