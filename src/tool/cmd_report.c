// SPDX-License-Identifier: GPL-2.0-or-later
/* compactrace report: saved traces in, text / JSON / NDJSON out. */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "compactrace/engine.h"
#include "compactrace/error.h"
#include "compactrace/report.h"
#include "compactrace/source.h"
#include "compactrace/vmstat_check.h"
#include "snapshot.h"

enum output_format { OUT_TEXT, OUT_JSON, OUT_NDJSON };

struct report_opts {
	enum output_format format;
	const char *input_format;	/* -F: NULL to auto-detect */
	const char *output;		/* -o: NULL for stdout */
	const char *snapshot_start, *snapshot_end;
	struct ct_engine_opts engine;
	char filter_desc[128];
};

struct ndjson_ctx {
	FILE *out;
	int failed;
};

static void usage(FILE *out)
{
	fprintf(out,
		"usage: compactrace report [OPTIONS] FILE...\n"
		"\n"
		"Reconstruct every compaction run, direct-compaction stall, kcompactd cycle,\n"
		"deferral and fragmenting fallback in saved traces. FILE is ftrace text\n"
		"(trace, trace_pipe), trace-cmd report text, perf script text, trace.dat or\n"
		"perf.data, detected by content; '-' reads standard input. Several files\n"
		"give one report over all of them.\n"
		"\n"
		"  -f, --format=text|json|ndjson  output (default text; ndjson: one line per\n"
		"                                 run and stall, then the JSON report)\n"
		"  -F, --input-format=NAME        force ftrace-text, trace-cmd-text, perf-script,\n"
		"                                 trace-dat or perf-data\n"
		"  -o, --output=FILE              write the report to FILE\n"
		"  -p, --pid=PID                  only events of this task\n"
		"  -c, --comm=NAME                only events of tasks with this name\n"
		"      --snapshot-start=DIR       /proc copies (vmstat, pagetypeinfo, osrelease)\n"
		"      --snapshot-end=DIR         taken before and after the capture: check the\n"
		"                                 totals against the vmstat delta\n"
		"      --pageblock-order=N        pageblock order, when no snapshot says it\n"
		"  -h, --help\n");
}

static int parse_int(const char *s, long min, long max, long *out)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || end == s || *end || v < min || v > max)
		return -CT_E_INVAL;
	*out = v;
	return 0;
}

static int parse_args(int argc, char **argv, struct report_opts *o)
{
	static const struct option longopts[] = {
		{ "format", required_argument, NULL, 'f' },
		{ "input-format", required_argument, NULL, 'F' },
		{ "output", required_argument, NULL, 'o' },
		{ "pid", required_argument, NULL, 'p' },
		{ "comm", required_argument, NULL, 'c' },
		{ "snapshot-start", required_argument, NULL, 'S' },
		{ "snapshot-end", required_argument, NULL, 'E' },
		{ "pageblock-order", required_argument, NULL, 'B' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	long v;
	int c;

	o->engine.filter_pid = -1;
	optind = 1;
	while ((c = getopt_long(argc, argv, "f:F:o:p:c:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'f':
			if (strcmp(optarg, "text") == 0)
				o->format = OUT_TEXT;
			else if (strcmp(optarg, "json") == 0)
				o->format = OUT_JSON;
			else if (strcmp(optarg, "ndjson") == 0)
				o->format = OUT_NDJSON;
			else
				return fprintf(stderr, "compactrace report: unknown output format '%s'\n", optarg), -1;
			break;
		case 'F':
			o->input_format = optarg;
			break;
		case 'o':
			o->output = optarg;
			break;
		case 'p':
			if (parse_int(optarg, 0, INT_MAX, &v) < 0)
				return fprintf(stderr, "compactrace report: bad pid '%s'\n", optarg), -1;
			o->engine.filter_pid = (int32_t)v;
			break;
		case 'c':
			o->engine.filter_comm = optarg;
			break;
		case 'S':
			o->snapshot_start = optarg;
			break;
		case 'E':
			o->snapshot_end = optarg;
			break;
		case 'B':
			if (parse_int(optarg, 1, 19, &v) < 0)
				return fprintf(stderr, "compactrace report: bad pageblock order '%s'\n", optarg), -1;
			o->engine.pageblock_order = (int)v;
			o->engine.pageblock_order_source = CT_PBO_USER;
			break;
		case 'h':
			usage(stdout);
			return 1;
		default:
			return -1;
		}
	}
	if (optind >= argc)
		return fprintf(stderr, "compactrace report: no input file (use '-' for stdin)\n"), -1;
	if (!o->snapshot_start != !o->snapshot_end)
		return fprintf(stderr, "compactrace report: --snapshot-start and --snapshot-end go together\n"), -1;
	if (o->engine.filter_pid >= 0 || o->engine.filter_comm) {
		snprintf(o->filter_desc, sizeof(o->filter_desc), "%s%ld%s%s",
			 o->engine.filter_pid >= 0 ? "pid " : "",
			 o->engine.filter_pid >= 0 ? (long)o->engine.filter_pid : 0L,
			 o->engine.filter_comm ? " comm " : "",
			 o->engine.filter_comm ? o->engine.filter_comm : "");
		if (o->engine.filter_pid < 0)	/* drop the "0" printed for no pid */
			snprintf(o->filter_desc, sizeof(o->filter_desc), "comm %s", o->engine.filter_comm);
	}
	return 0;
}

static void ndjson_run(void *ctx, const struct ct_run *run)
{
	struct ndjson_ctx *n = ctx;

	if (!n->failed && ct_ndjson_run(n->out, run) < 0)
		n->failed = 1;
}

static void ndjson_stall(void *ctx, const struct ct_stall *stall)
{
	struct ndjson_ctx *n = ctx;

	if (!n->failed && ct_ndjson_stall(n->out, stall) < 0)
		n->failed = 1;
}

/* Replay one file into the engine; prints the error and returns <0 on failure. */
static int replay_file(struct ct_engine *eng, const char *path, const char *input_format)
{
	struct ct_source *src = NULL;
	const struct ct_results *res = ct_engine_results(eng);
	struct ct_event ev;
	char err[512];
	uint64_t parse_errors_before = res->quality.parse_errors;
	int ret;

	ret = ct_source_open(path, input_format, &src, err, sizeof(err));
	if (ret < 0) {
		fprintf(stderr, "compactrace: %s\n", err);
		return ret;
	}
	ret = ct_engine_begin_source(eng, path, ct_source_format(src));
	while (ret == 0 && (ret = ct_source_next(src, &ev)) == 1)
		ret = ct_engine_feed(eng, &ev);
	if (ret < 0) {
		fprintf(stderr, "compactrace: %s\n",
			ret == -CT_E_NOMEM ? "out of memory" : ct_source_error(src));
		goto out;
	}
	ret = ct_engine_end_source(eng);
	if (ret < 0) {
		fprintf(stderr, "compactrace: out of memory\n");
		goto out;
	}
	if (res->sources[res->nsources - 1].events == 0 &&
	    res->quality.parse_errors > parse_errors_before) {
		fprintf(stderr, "compactrace: %s: no line could be parsed as a trace event (first bad line %llu)\n",
			path, (unsigned long long)res->quality.parse_error_where[0]);
		ret = -CT_E_PARSE;
	}
out:
	ct_source_free(src);
	return ret;
}

static int load_snapshots(struct report_opts *o, struct ct_snapshot *start, struct ct_snapshot *end)
{
	char err[512];

	if (ct_snapshot_load(o->snapshot_start, start, err, sizeof(err)) < 0 ||
	    ct_snapshot_load(o->snapshot_end, end, err, sizeof(err)) < 0) {
		fprintf(stderr, "compactrace: %s\n", err);
		return -1;
	}
	if (!o->engine.pageblock_order && start->pageblock_order) {
		o->engine.pageblock_order = start->pageblock_order;
		o->engine.pageblock_order_source = CT_PBO_SNAPSHOT;
	}
	return 0;
}

static int kernel_has_fast_isolate(const struct ct_snapshot *snap, const struct ct_results *res)
{
	int known = ct_kernel_has_fast_isolate(snap->release[0] ? snap->release : NULL);

	if (known >= 0)
		return known;
	for (uint32_t i = 0; i < res->nsources; i++)
		for (uint32_t j = 0; j < res->sources[i].nnames; j++)
			if (strcmp(res->sources[i].names[j].name, "mm_compaction_fast_isolate_freepages") == 0)
				return 1;
	return -1;
}

int ct_cmd_report(int argc, char **argv)
{
	struct report_opts o = { 0 };
	struct ct_snapshot snap_start = { 0 }, snap_end = { 0 };
	struct ct_vmstat_check check;
	struct ndjson_ctx nd = { 0 };
	struct ct_report_input in = { 0 };
	struct ct_engine *eng = NULL;
	FILE *out = stdout;
	int status = CT_EXIT_ERROR, ret;

	signal(SIGPIPE, SIG_IGN);	/* a closed pipe becomes a write error we report */
	ret = parse_args(argc, argv, &o);
	if (ret != 0) {
		if (ret < 0)
			usage(stderr);
		return ret < 0 ? CT_EXIT_USAGE : CT_EXIT_OK;
	}
	if (o.snapshot_start && load_snapshots(&o, &snap_start, &snap_end) < 0)
		goto out;
	if (o.output) {
		out = fopen(o.output, "we");
		if (!out) {
			fprintf(stderr, "compactrace: %s: %s\n", o.output, strerror(errno));
			out = stdout;
			goto out;
		}
	}
	if (o.format == OUT_NDJSON) {
		nd.out = out;
		o.engine.on_run = ndjson_run;
		o.engine.on_stall = ndjson_stall;
		o.engine.ctx = &nd;
	}
	eng = ct_engine_new(&o.engine);
	if (!eng) {
		fprintf(stderr, "compactrace: out of memory\n");
		goto out;
	}
	for (int i = optind; i < argc; i++)
		if (replay_file(eng, argv[i], o.input_format) < 0)
			goto out;

	in.res = ct_engine_results(eng);
	in.filter = o.filter_desc[0] ? o.filter_desc : NULL;
	if (o.snapshot_start && !in.filter) {
		struct ct_kernel_facts facts = {
			.has_fast_isolate_tracepoint = kernel_has_fast_isolate(&snap_start, in.res),
		};

		ct_vmstat_check_run(in.res, &facts, snap_start.vmstat, snap_end.vmstat, &check);
		in.vmstat = &check;
		in.snapshot_start = o.snapshot_start;
		in.snapshot_end = o.snapshot_end;
	}
	ret = o.format == OUT_TEXT ? ct_report_text(out, &in) : ct_report_json(out, &in);
	if (ret == 0 && nd.failed)
		ret = -CT_E_WRITE;
	if (ret == 0 && fflush(out) != 0)
		ret = -CT_E_WRITE;
	if (ret < 0) {
		fprintf(stderr, "compactrace: writing the report to %s: %s\n",
			o.output ? o.output : "standard output",
			ret == -CT_E_WRITE ? strerror(errno) : ct_strerror(ret));
		goto out;
	}
	status = CT_EXIT_OK;
out:
	if (out != stdout && fclose(out) != 0 && status == CT_EXIT_OK) {
		fprintf(stderr, "compactrace: %s: %s\n", o.output, strerror(errno));
		status = CT_EXIT_ERROR;
	}
	ct_engine_free(eng);
	ct_snapshot_release(&snap_start);
	ct_snapshot_release(&snap_end);
	return status;
}
