// SPDX-License-Identifier: GPL-2.0-or-later
/* compactrace report: saved traces in, text / JSON / NDJSON out. */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "args.h"
#include "commands.h"
#include "compactrace/engine.h"
#include "compactrace/error.h"
#include "compactrace/memsnap.h"
#include "compactrace/model.h"
#include "compactrace/report.h"
#include "capture/snapshots_collect.h"
#include "compactrace/source.h"
#include "compactrace/vmstat_check.h"
#include "snapshot/model_snap.h"
#include "session/replay.h"
#include "snapshot/snapshot.h"

enum output_format { OUT_TEXT, OUT_JSON, OUT_NDJSON };
enum { OPT_NO_MODEL = 256, OPT_MAP, OPT_PAGEBLOCKS, OPT_THRESHOLD, OPT_EXTRACT, OPT_HUGEPAGES };

struct report_opts {
	enum output_format format;
	const char *input_format;	/* -F: NULL to auto-detect */
	const char *output;		/* -o: NULL for stdout */
	const char *snapshot_start, *snapshot_end;
	struct ct_engine_opts engine;
	char filter_desc[128];
	int no_model, map, pageblocks;	/* the shadow buddy model */
	int has_threshold, threshold;
	const char *extract;		/* --extract-snapshots DIR */
	int hugepages;			/* --hugepages: the forecast of the recording's end snapshot */
};

struct ndjson_ctx {
	FILE *out;
	int failed;	/* 0, or the first error: -CT_E_WRITE or -CT_E_NOMEM */
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
		"                                 run and stall, then the report on one line)\n"
		"  -F, --input-format=NAME        force ftrace-text, trace-cmd-text, perf-script,\n"
		"                                 trace-dat or perf-data\n"
		"  -o, --output=FILE              write the report to FILE (removed if the\n"
		"                                 report cannot be completed)\n"
		"  -p, --pid=PID                  only events of this task\n"
		"  -c, --comm=NAME                only events of tasks with this name\n"
		"      --snapshot-start=DIR       /proc copies (vmstat, pagetypeinfo, osrelease)\n"
		"      --snapshot-end=DIR         taken before and after the capture: check the\n"
		"                                 totals against the vmstat delta (a single\n"
		"                                 file from 'compactrace record' carries its own)\n"
		"      --pageblock-order=N        pageblock order, when no snapshot says it\n"
		"      --map                      print a map of each zone (shadow buddy model)\n"
		"      --pageblocks               JSON: a row per pageblock in model.zones[]\n"
		"      --extfrag-threshold=N      vm.extfrag_threshold for the model, when no\n"
		"                                 snapshot says it (default 500)\n"
		"      --no-model                 do not replay runs against the shadow buddy model\n"
		"      --extract-snapshots=DIR    write the snapshots a 'compactrace record' file\n"
		"                                 carries into DIR/snapshot-start and\n"
		"                                 DIR/snapshot-end (for --snapshot-* with the file\n"
		"                                 as text), and no report\n"
		"      --hugepages                the huge-page forecast of a 'compactrace record'\n"
		"                                 file's end snapshot (as 'compactrace hugepages')\n"
		"  -h, --help\n"
		"\n"
		"Exit status: 0 report written; 1 error (said on standard error); 2 usage;\n"
		"141 standard output was closed by its reader (report | head), quietly.\n");
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
		{ "no-model", no_argument, NULL, OPT_NO_MODEL },
		{ "map", no_argument, NULL, OPT_MAP },
		{ "pageblocks", no_argument, NULL, OPT_PAGEBLOCKS },
		{ "extfrag-threshold", required_argument, NULL, OPT_THRESHOLD },
		{ "extract-snapshots", required_argument, NULL, OPT_EXTRACT },
		{ "hugepages", no_argument, NULL, OPT_HUGEPAGES },
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
			if (ct_arg_long(optarg, 0, INT_MAX, &v) < 0)
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
			if (ct_arg_long(optarg, 1, 19, &v) < 0)
				return fprintf(stderr, "compactrace report: bad pageblock order '%s'\n", optarg), -1;
			o->engine.pageblock_order = (int)v;
			o->engine.pageblock_order_source = CT_PBO_USER;
			break;
		case OPT_NO_MODEL:
			o->no_model = 1;
			break;
		case OPT_MAP:
			o->map = 1;
			break;
		case OPT_PAGEBLOCKS:
			o->pageblocks = 1;
			break;
		case OPT_THRESHOLD:
			if (ct_arg_long(optarg, 0, 1000, &v) < 0)
				return fprintf(stderr, "compactrace report: bad extfrag threshold '%s' (0-1000)\n",
					       optarg), -1;
			o->has_threshold = 1;
			o->threshold = (int)v;
			break;
		case OPT_EXTRACT:
			o->extract = optarg;
			break;
		case OPT_HUGEPAGES:
			o->hugepages = 1;
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
	if (o->extract && (argc - optind != 1 || o->snapshot_start))
		return fprintf(stderr, "compactrace report: --extract-snapshots takes one input file "
			       "and no --snapshot-*\n"), -1;
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
	int ret;

	if (!n->failed && (ret = ct_ndjson_run(n->out, run)) < 0)
		n->failed = ret;
}

static void ndjson_stall(void *ctx, const struct ct_stall *stall)
{
	struct ndjson_ctx *n = ctx;
	int ret;

	if (!n->failed && (ret = ct_ndjson_stall(n->out, stall)) < 0)
		n->failed = ret;
}

/*
 * Replay one file into the engine (@src: already open, or NULL to open
 * @path); prints the error and returns <0 on failure.
 */
static int replay_file(struct ct_engine *eng, const char *path, const char *input_format,
		       struct ct_source *src)
{
	const struct ct_results *res = ct_engine_results(eng);
	uint64_t parse_errors_before = res->quality.parse_errors;
	char err[512];
	int ret;

	if (!src) {
		ret = ct_source_open(path, input_format, &src, err, sizeof(err));
		if (ret < 0) {
			fprintf(stderr, "compactrace: %s\n", err);
			return ret;
		}
	}
	ret = ct_replay_source(eng, src);
	if (ret < 0)
		goto out;
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

/*
 * A report that failed half-way is no report: remove FILE (-o), so nothing
 * reads it as one. Only a regular file; never /dev/full, a FIFO, ...
 */
static void remove_partial(const char *path)
{
	struct stat st;

	if (stat(path, &st) == 0 && S_ISREG(st.st_mode) && unlink(path) == 0)
		fprintf(stderr, "compactrace: removed the incomplete %s\n", path);
}

/* --snapshot-start/--snapshot-end directories; prints the error */
static int load_snapshot_dirs(const struct report_opts *o, struct ct_snapshot *start,
			      struct ct_snapshot *end)
{
	char err[512];

	if (ct_snapshot_load(o->snapshot_start, start, err, sizeof(err)) < 0 ||
	    ct_snapshot_load(o->snapshot_end, end, err, sizeof(err)) < 0) {
		fprintf(stderr, "compactrace: %s\n", err);
		return -1;
	}
	return 0;
}

/*
 * A single input file may carry its own snapshots (compactrace record
 * writes them into trace.dat). Returns 1 when both were loaded, 0 when the
 * file has none, <0 (printed) on a damaged one.
 */
static int load_snapshot_attachments(const struct ct_source *src, struct ct_snapshot *start,
				     struct ct_snapshot *end)
{
	char err[512];
	int a, b;

	a = ct_snapshot_from_source(src, "snapshot-start", start, err, sizeof(err));
	b = a < 0 ? 0 : ct_snapshot_from_source(src, "snapshot-end", end, err, sizeof(err));
	if (a < 0 || b < 0) {
		fprintf(stderr, "compactrace: %s\n", err);
		return -1;
	}
	if (a == 1 && b == 1)
		return 1;
	ct_snapshot_release(start);
	ct_snapshot_release(end);
	return 0;
}

/*
 * The model's snapshot items (buddyinfo, zoneinfo, ...) from the directories
 * or the single input's attachments. A damaged item costs the model its
 * seed, not the report: a warning says which. Running out of memory is
 * no damage: it stops the report (returns <0, printed).
 */
static int load_model_snapshots(const struct report_opts *o, const struct ct_source *first,
				 struct ct_memsnap **start, struct ct_memsnap **end)
{
	char err[512];
	int a = 0, b = 0;

	if (o->snapshot_start) {
		a = ct_model_snap_load_dir(o->snapshot_start, start, err, sizeof(err));
		if (a == 0)
			b = ct_model_snap_load_dir(o->snapshot_end, end, err, sizeof(err));
	} else if (first) {
		a = ct_model_snap_load_source(first, "snapshot-start", start, err, sizeof(err));
		if (a == 0)
			b = ct_model_snap_load_source(first, "snapshot-end", end, err, sizeof(err));
	}
	if (a == -CT_E_NOMEM || b == -CT_E_NOMEM) {
		fprintf(stderr, "compactrace: %s\n", err);
		return -CT_E_NOMEM;
	}
	if (a < 0 || b < 0) {
		fprintf(stderr, "compactrace: warning: %s; the shadow buddy model runs without snapshots\n", err);
		ct_memsnap_free(*start);
		ct_memsnap_free(*end);
		*start = *end = NULL;
	}
	return 0;
}

/* write @data to DIR/NAME, creating DIR; prints the error */
static int write_item(const char *dir, const char *name, const void *data, size_t len)
{
	char path[PATH_MAX];
	FILE *f;
	int ok;

	if (mkdir(dir, 0755) < 0 && errno != EEXIST) {
		fprintf(stderr, "compactrace: %s: %s\n", dir, strerror(errno));
		return -CT_E_WRITE;
	}
	if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir, name) >= sizeof(path)) {
		fprintf(stderr, "compactrace: %s: file name too long\n", dir);
		return -CT_E_INVAL;
	}
	f = fopen(path, "we");
	if (!f) {
		fprintf(stderr, "compactrace: %s: %s\n", path, strerror(errno));
		return -CT_E_WRITE;
	}
	ok = fwrite(data, 1, len, f) == len;
	ok &= fclose(f) == 0;
	if (!ok)
		fprintf(stderr, "compactrace: writing %s: %s\n", path, strerror(errno));
	return ok ? 0 : -CT_E_WRITE;
}

/*
 * --extract-snapshots: the snapshot items the input carries, as the
 * directories --snapshot-start/--snapshot-end read. Returns the exit status.
 */
static int extract_snapshots(const char *path, const char *input_format, const char *dir)
{
	static const char *const prefixes[] = { CT_SNAPSHOT_START, CT_SNAPSHOT_END };
	struct ct_source *src = NULL;
	char err[512], name[128], sub[PATH_MAX];
	int written = 0, ret = 0;

	if (ct_source_open(path, input_format, &src, err, sizeof(err)) < 0) {
		fprintf(stderr, "compactrace: %s\n", err);
		return CT_EXIT_ERROR;
	}
	if (mkdir(dir, 0755) < 0 && errno != EEXIST) {
		fprintf(stderr, "compactrace: %s: %s\n", dir, strerror(errno));
		ret = -CT_E_WRITE;
	}
	for (size_t p = 0; ret == 0 && p < 2; p++) {
		snprintf(sub, sizeof(sub), "%s/%s", dir, prefixes[p]);
		for (const char *const *it = ct_snapshot_items; ret == 0 && *it; it++) {
			const void *data;
			size_t len;

			snprintf(name, sizeof(name), "%s/%s", prefixes[p], *it);
			data = ct_source_attachment(src, name, &len);
			if (!data)
				continue;
			ret = write_item(sub, *it, data, len);
			written += ret == 0;
		}
	}
	if (ret == 0 && !written) {
		fprintf(stderr, "compactrace: %s carries no snapshots (only files of 'compactrace "
			"record' do)\n", path);
		ret = -CT_E_INVAL;
	}
	if (ret == 0)
		fprintf(stderr, "compactrace: %d snapshot items written into %s/%s and %s/%s\n", written,
			dir, CT_SNAPSHOT_START, dir, CT_SNAPSHOT_END);
	ct_source_free(src);
	return ret == 0 ? CT_EXIT_OK : CT_EXIT_ERROR;
}

int ct_cmd_report(int argc, char **argv)
{
	struct report_opts o = { 0 };
	struct ct_snapshot snap_start = { 0 }, snap_end = { 0 };
	struct ct_vmstat_check check;
	struct ndjson_ctx nd = { 0 };
	struct ct_report_input in = { 0 };
	struct ct_engine *eng = NULL;
	struct ct_source *first = NULL;	/* a single input, opened early for its attachments */
	struct ct_memsnap *ms_start = NULL, *ms_end = NULL;	/* the model's snapshots */
	struct ct_model_opts mopts = { 0 };
	char where_start[4200], where_end[4200], err[512];
	FILE *out = stdout;
	int status = CT_EXIT_ERROR, ret, have_snapshots = 0, output_created = 0;

	signal(SIGPIPE, SIG_IGN);	/* a closed pipe becomes a write error we report */
	ret = parse_args(argc, argv, &o);
	if (ret != 0) {
		if (ret < 0)
			usage(stderr);
		return ret < 0 ? CT_EXIT_USAGE : CT_EXIT_OK;
	}
	if (o.extract)
		return extract_snapshots(argv[optind], o.input_format, o.extract);
	if (o.hugepages && (argc - optind != 1 || o.format == OUT_NDJSON))
		return fprintf(stderr, "compactrace report: --hugepages takes one recording, text or json\n"), CT_EXIT_USAGE;
	if (o.hugepages)
		return ct_hugepages_recording(argv[optind], o.format == OUT_JSON, 0);
	if (o.snapshot_start) {
		if (load_snapshot_dirs(&o, &snap_start, &snap_end) < 0)
			goto out;
		snprintf(where_start, sizeof(where_start), "%s", o.snapshot_start);
		snprintf(where_end, sizeof(where_end), "%s", o.snapshot_end);
		have_snapshots = 1;
	} else if (argc - optind == 1) {
		if (ct_source_open(argv[optind], o.input_format, &first, err, sizeof(err)) < 0) {
			fprintf(stderr, "compactrace: %s\n", err);
			goto out;
		}
		have_snapshots = load_snapshot_attachments(first, &snap_start, &snap_end);
		if (have_snapshots < 0)
			goto out;
		snprintf(where_start, sizeof(where_start), "%s#snapshot-start", argv[optind]);
		snprintf(where_end, sizeof(where_end), "%s#snapshot-end", argv[optind]);
	}
	if (have_snapshots && !o.engine.pageblock_order && snap_start.pageblock_order) {
		o.engine.pageblock_order = snap_start.pageblock_order;
		o.engine.pageblock_order_source = CT_PBO_SNAPSHOT;
	}
	if (!o.no_model && !o.filter_desc[0]) {
		if (load_model_snapshots(&o, first, &ms_start, &ms_end) < 0)
			goto out;
		mopts.start = ms_start;
		mopts.end = ms_end;
		mopts.pageblock_order = o.engine.pageblock_order;
		mopts.keep_pageblocks = o.pageblocks;
		mopts.has_extfrag_threshold = o.has_threshold;
		mopts.extfrag_threshold = o.threshold;
		o.engine.model = &mopts;
	}
	if (o.output) {
		out = fopen(o.output, "we");
		if (!out) {
			fprintf(stderr, "compactrace: %s: %s\n", o.output, strerror(errno));
			out = stdout;
			goto out;
		}
		output_created = 1;
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
	for (int i = optind; i < argc; i++) {
		ret = replay_file(eng, argv[i], o.input_format, i == optind ? first : NULL);
		if (i == optind)
			first = NULL;	/* replay_file freed it */
		if (ret < 0)
			goto out;
	}

	in.res = ct_engine_results(eng);
	in.filter = o.filter_desc[0] ? o.filter_desc : NULL;
	in.one_line = o.format == OUT_NDJSON;	/* every line one JSON value */
	if (ct_engine_model(eng)) {
		in.model = ct_model_results(ct_engine_model(eng));
		if (!in.model) {
			fprintf(stderr, "compactrace: out of memory\n");
			goto out;
		}
		in.model_map = o.map;
		in.model_pageblocks = o.pageblocks;
	} else if (in.filter && !o.no_model) {
		in.model_off = "--pid/--comm keep part of the events; the model needs all of them";
	}
	if (have_snapshots && !in.filter) {
		struct ct_kernel_facts facts;

		ct_snapshot_kernel_facts(&snap_start, in.res, &facts);
		ct_vmstat_check_run(in.res, &facts, snap_start.vmstat, snap_end.vmstat, &check);
		in.vmstat = &check;
		in.snapshot_start = where_start;
		in.snapshot_end = where_end;
	}
	ret = o.format == OUT_TEXT ? ct_report_text(out, &in) : ct_report_json(out, &in);
	if (ret == 0 && nd.failed)
		ret = nd.failed;
	if (ret == 0 && fflush(out) != 0)
		ret = -CT_E_WRITE;
	if (ret == 0 && out != stdout) {
		ret = fclose(out) != 0 ? -CT_E_WRITE : 0;	/* a full disk may show only here */
		out = stdout;
	}
	if (ret == -CT_E_NOMEM) {
		fprintf(stderr, "compactrace: making the report: %s\n", ct_strerror(ret));
		goto out;
	}
	if (ret == -CT_E_WRITE && errno == EPIPE && !o.output) {
		status = CT_EXIT_PIPE;	/* the reader went away: quiet (commands.h) */
		goto out;
	}
	if (ret < 0) {
		fprintf(stderr, "compactrace: writing the report to %s: %s\n",
			o.output ? o.output : "standard output",
			ret == -CT_E_WRITE ? strerror(errno) : ct_strerror(ret));
		goto out;
	}
	status = CT_EXIT_OK;
out:
	if (out != stdout)
		fclose(out);
	if (o.output && status != CT_EXIT_OK && output_created)
		remove_partial(o.output);
	ct_source_free(first);
	ct_engine_free(eng);
	ct_memsnap_free(ms_start);	/* after the engine: its model points into them */
	ct_memsnap_free(ms_end);
	ct_snapshot_release(&snap_start);
	ct_snapshot_release(&snap_end);
	return status;
}
