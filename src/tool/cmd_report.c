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
#include "capture/tasks.h"
#include "compactrace/capture_info.h"
#include "compactrace/error.h"
#include "compactrace/report.h"
#include "compactrace/session.h"
#include "compactrace/source.h"
#include "capture/snapshots_collect.h"

enum output_format { OUT_TEXT, OUT_JSON, OUT_NDJSON, OUT_PERFETTO, OUT_HTML };
enum { OPT_NO_MODEL = 256, OPT_MAP, OPT_PAGEBLOCKS, OPT_THRESHOLD, OPT_EXTRACT, OPT_BY, OPT_HUGEPAGES };

struct report_opts {
	enum output_format format;
	const char *input_format;	/* -F: NULL to auto-detect */
	const char *output;		/* -o: NULL for stdout */
	const char *snapshot_start, *snapshot_end;
	struct ct_session_opts session;
	char filter_desc[128];
	int map, pageblocks;		/* the shadow buddy model's tables */
	const char *extract;		/* --extract-snapshots DIR */
	int by_cgroup;			/* --by cgroup */
	int hugepages;			/* --hugepages: the forecast of the recording's end snapshot */
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
		"  -f, --format=text|json|ndjson|html|perfetto\n"
		"                                 output (default text; ndjson: one line per\n"
		"                                 run and stall, then the report on one line;\n"
		"                                 html: one self-contained page of charts;\n"
		"                                 perfetto: a timeline for ui.perfetto.dev)\n"
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
		"      --by=cgroup                stalls and fallbacks by the task's cgroup (a\n"
		"                                 'compactrace record' file keeps the map; JSON:\n"
		"                                 stalls.by_cgroup, there whenever the file has it)\n"
		"      --extract-snapshots=DIR    write the snapshots a 'compactrace record' file\n"
		"                                 carries into DIR/snapshot-start and\n"
		"                                 DIR/snapshot-end (for --snapshot-* with the file\n"
		"                                 as text), and no report\n"
		"      --hugepages                the huge-page forecast of a 'compactrace record'\n"
		"                                 file's end snapshot (as 'compactrace hugepages')\n"
		"  -h, --help\n"
		"\n"
		"Environment: CT_THREADS=1 decodes on the report's own thread, CT_THREADS=2 on a\n"
		"second one too (default: two for text, one for trace.dat and perf.data).\n"
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
		{ "by", required_argument, NULL, OPT_BY },
		{ "hugepages", no_argument, NULL, OPT_HUGEPAGES },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	long v;
	int c;

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
			else if (strcmp(optarg, "perfetto") == 0)
				o->format = OUT_PERFETTO;
			else if (strcmp(optarg, "html") == 0)
				o->format = OUT_HTML;
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
			o->session.has_filter_pid = 1;
			o->session.filter_pid = (int32_t)v;
			break;
		case 'c':
			o->session.filter_comm = optarg;
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
			o->session.pageblock_order = (int)v;
			break;
		case OPT_NO_MODEL:
			o->session.no_model = 1;
			break;
		case OPT_MAP:
			o->map = 1;
			break;
		case OPT_PAGEBLOCKS:
			o->pageblocks = 1;
			o->session.keep_pageblocks = 1;
			break;
		case OPT_THRESHOLD:
			if (ct_arg_long(optarg, 0, 1000, &v) < 0)
				return fprintf(stderr, "compactrace report: bad extfrag threshold '%s' (0-1000)\n",
					       optarg), -1;
			o->session.has_extfrag_threshold = 1;
			o->session.extfrag_threshold = (int)v;
			break;
		case OPT_EXTRACT:
			o->extract = optarg;
			break;
		case OPT_BY:
			if (strcmp(optarg, "cgroup") != 0)
				return fprintf(stderr, "compactrace report: --by %s: only 'cgroup'\n", optarg), -1;
			o->by_cgroup = 1;
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
	if (o->session.has_filter_pid && o->session.filter_comm)
		snprintf(o->filter_desc, sizeof(o->filter_desc), "pid %ld comm %s",
			 (long)o->session.filter_pid, o->session.filter_comm);
	else if (o->session.has_filter_pid)
		snprintf(o->filter_desc, sizeof(o->filter_desc), "pid %ld", (long)o->session.filter_pid);
	else if (o->session.filter_comm)
		snprintf(o->filter_desc, sizeof(o->filter_desc), "comm %s", o->session.filter_comm);
	return 0;
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

/* the snapshots and every input into the session; prints the error */
static int replay_inputs(struct ct_session *s, const struct report_opts *o, int argc, char **argv)
{
	char err[4400];
	int ret = 0;

	if (o->snapshot_start)
		ret = ct_session_load_snapshot_dirs(s, o->snapshot_start, o->snapshot_end, err, sizeof(err));
	/* a single recording carries its own snapshots */
	for (int i = optind; ret == 0 && i < argc; i++)
		ret = ct_session_replay_file(s, argv[i], o->input_format,
					     !o->snapshot_start && argc - optind == 1, err, sizeof(err));
	if (ret == 0)
		ret = ct_session_finish(s);
	if (ret < 0 && ret != -CT_E_WRITE)
		fprintf(stderr, "compactrace: %s\n", ret == -CT_E_NOMEM ? "out of memory" : err);
	if (ret == 0 && ct_session_warning(s))
		fprintf(stderr, "compactrace: warning: %s; the shadow buddy model runs without snapshots\n",
			ct_session_warning(s));
	return ret;
}

static const void *kept_attachment(void *ctx, const char *name, size_t *len)
{
	return ct_session_attachment(ctx, name, len);
}

int ct_cmd_report(int argc, char **argv)
{
	struct report_opts o = { 0 };
	struct ct_ndjson_writer nd = { 0 };
	struct ct_perfetto *pf = NULL;
	struct ct_html_series *hs = NULL;
	struct ct_report_input in;
	struct ct_session *s = NULL;
	struct ct_cgroup_tally *tally = NULL;
	struct ct_capture_marker marker = { .get = kept_attachment };
	struct ct_sink tally_sink, marker_sink;
	const char *tasks;
	size_t tasks_len;
	FILE *out = stdout;
	int status = CT_EXIT_ERROR, ret, output_created = 0;

	signal(SIGPIPE, SIG_IGN);	/* a closed pipe becomes a write error we report */
	ret = parse_args(argc, argv, &o);
	if (ret != 0) {
		if (ret < 0)
			usage(stderr);
		return ret < 0 ? CT_EXIT_USAGE : CT_EXIT_OK;
	}
	if (o.extract)
		return extract_snapshots(argv[optind], o.input_format, o.extract);
	if (o.hugepages && (argc - optind != 1 || (o.format != OUT_TEXT && o.format != OUT_JSON)))
		return fprintf(stderr, "compactrace report: --hugepages takes one recording, text or json\n"), CT_EXIT_USAGE;
	if (o.hugepages)
		return ct_hugepages_recording(argv[optind], o.format == OUT_JSON, 0);
	if (o.format == OUT_HTML)
		o.session.keep_pageblocks = 1;	/* the map marks polluted pageblocks */
	s = ct_session_new(&o.session);
	tally = ct_cgroup_tally_new();
	if (s && tally) {
		tally_sink = ct_cgroup_tally_sink(tally);
		marker.get_ctx = s;
		marker_sink = ct_capture_marker_sink(&marker);
		ret = ct_session_add_sink(s, &tally_sink);
		if (ret == 0)
			ret = ct_session_keep_attachment(s, CT_TASKMAP_ATTACHMENT);
		if (ret == 0)
			ret = ct_session_add_sink(s, &marker_sink);
		if (ret == 0)
			ret = ct_session_keep_attachment(s, CT_CAPTURE_ATTACHMENT);
		if (ret < 0) {
			fprintf(stderr, "compactrace: %s\n", ret == -CT_E_NOMEM ? "out of memory" : ct_strerror(ret));
			goto out;
		}
	}
	if (!s || !tally) {
		fprintf(stderr, "compactrace: out of memory\n");
		goto out;
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
		struct ct_sink sink;

		nd.out = out;
		sink = ct_ndjson_sink(&nd);
		if (ct_session_add_sink(s, &sink) < 0)
			goto out;
	}
	if (o.format == OUT_PERFETTO) {
		struct ct_sink sink;

		pf = ct_perfetto_new(out, s);
		if (!pf) {
			fprintf(stderr, "compactrace: out of memory\n");
			goto out;
		}
		sink = ct_perfetto_sink(pf);
		if (ct_session_add_sink(s, &sink) < 0)
			goto out;
	}
	if (o.format == OUT_HTML) {
		struct ct_sink sink;

		hs = ct_html_series_new(s);
		if (!hs) {
			fprintf(stderr, "compactrace: out of memory\n");
			goto out;
		}
		sink = ct_html_series_sink(hs);
		if (ct_session_add_sink(s, &sink) < 0)
			goto out;
	}
	ret = replay_inputs(s, &o, argc, argv);
	if (ret == -CT_E_WRITE) {	/* the NDJSON lines or the timeline could not be written */
		errno = pf ? ct_perfetto_saved_errno(pf) : nd.saved_errno;
		goto write_failed;
	}
	if (ret < 0)
		goto out;
	ret = ct_session_report_input(s, &in);
	if (ret < 0) {
		fprintf(stderr, "compactrace: out of memory\n");
		goto out;
	}
	in.filter = o.filter_desc[0] ? o.filter_desc : NULL;
	in.one_line = o.format == OUT_NDJSON;	/* every line one JSON value */
	in.model_map = o.map;
	in.model_pageblocks = o.pageblocks;
	/* a recording's task map: stalls and fallbacks by cgroup */
	tasks = ct_session_attachment(s, CT_TASKMAP_ATTACHMENT, &tasks_len);
	if (tasks && ct_cgroup_tally_resolve(tally, tasks, tasks_len) < 0) {
		fprintf(stderr, "compactrace: out of memory\n");
		goto out;
	}
	if (o.by_cgroup && !tasks) {
		fprintf(stderr, "compactrace: --by cgroup: %s has no task map (files written by 'compactrace "
			"record' keep one)\n", argv[optind]);
		goto out;
	}
	in.by_cgroup = tasks ? tally : NULL;
	/* a flight-recorder capture: its description, and the stall or run that fired it */
	if (marker.bad)
		fprintf(stderr, "compactrace: warning: %s: %s\n", argv[optind], marker.err);
	in.capture = marker.have ? &marker.info : NULL;
	in.by_cgroup_text = o.by_cgroup;
	if (o.format == OUT_PERFETTO)
		ret = ct_perfetto_finish(pf, &in);
	else if (o.format == OUT_HTML)
		ret = ct_report_html(out, &in, hs);
	else
		ret = o.format == OUT_TEXT ? ct_report_text(out, &in) : ct_report_json(out, &in);
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
write_failed:
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
	ct_session_free(s);
	ct_perfetto_free(pf);
	ct_html_series_free(hs);
	ct_cgroup_tally_free(tally);
	return status;
}
