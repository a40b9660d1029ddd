// SPDX-License-Identifier: GPL-2.0-or-later
/* compactrace hugepages: how many huge pages can be had now, and what blocks the rest. */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "args.h"
#include "capture/pageclass.h"
#include "commands.h"
#include "compactrace/error.h"
#include "compactrace/hugepages_report.h"
#include "forecast/forecast_load.h"

#define MAX_NOTES 8

struct hp_opts {
	int json;
	int order;		/* 0: the pageblock order */
	int no_reclaim;
	const char *output;
	const char *root;	/* "" for this host; CT_PROC_ROOT for tests */
};

struct notes {
	char text[MAX_NOTES][512];
	const char *ptr[MAX_NOTES];
	unsigned n;
};

static void add_note(void *ctx, const char *msg)
{
	struct notes *n = ctx;

	if (n->n < MAX_NOTES) {
		snprintf(n->text[n->n], sizeof(n->text[n->n]), "%s", msg);
		n->ptr[n->n] = n->text[n->n];
		n->n++;
	}
}

static void usage(FILE *out)
{
	fprintf(out,
		"usage: compactrace hugepages [OPTIONS]\n"
		"\n"
		"How many huge pages can this host give now? Forecasts how many free blocks of\n"
		"order N an allocation with direct compaction (as 'echo N > /proc/sys/vm/\n"
		"nr_hugepages' makes) could obtain, by replaying the kernel's compaction over\n"
		"every pageblock of each zone, and says what blocks the rest: slab, unmovable\n"
		"kernel pages, pinned or mlocked pages, reserved memory, huge pages in use.\n"
		"Reads /proc/kpageflags, /proc/kpagecount and /proc/kpagecgroup: run it as root.\n"
		"'compactrace report --hugepages FILE' gives the same from a recording.\n"
		"\n"
		"  -f, --format=text|json   output (default text)\n"
		"      --order=N            the order of the pages wanted (default the pageblock\n"
		"                           order: 9, 2 MiB, on x86-64)\n"
		"      --no-reclaim         do not count unmapped page cache as free (by default\n"
		"                           it is: an allocation that tries hard reclaims it)\n"
		"  -o, --output=FILE        write to FILE\n"
		"  -h, --help\n"
		"\n"
		"Exit status: 0 forecast written; 1 error (said on standard error); 2 usage;\n"
		"141 standard output was closed by its reader.\n");
}

static int parse_args(int argc, char **argv, struct hp_opts *o)
{
	static const struct option longopts[] = {
		{ "format", required_argument, NULL, 'f' },
		{ "order", required_argument, NULL, 'O' },
		{ "no-reclaim", no_argument, NULL, 'R' },
		{ "output", required_argument, NULL, 'o' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	long v;
	int c;

	optind = 1;
	while ((c = getopt_long(argc, argv, "f:o:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'f':
			if (strcmp(optarg, "text") && strcmp(optarg, "json"))
				return fprintf(stderr, "compactrace hugepages: unknown output format '%s'\n", optarg), -1;
			o->json = strcmp(optarg, "json") == 0;
			break;
		case 'O':
			if (ct_arg_long(optarg, 1, 19, &v) < 0)
				return fprintf(stderr, "compactrace hugepages: bad order '%s' (1-19)\n", optarg), -1;
			o->order = (int)v;
			break;
		case 'R':
			o->no_reclaim = 1;
			break;
		case 'o':
			o->output = optarg;
			break;
		case 'h':
			usage(stdout);
			return 1;
		default:
			return -1;
		}
	}
	if (optind != argc)
		return fprintf(stderr, "compactrace hugepages: unexpected argument '%s'\n", argv[optind]), -1;
	return 0;
}

/*
 * A node whose kswapd has given up reclaims in the background no more, and
 * kswapd going to sleep is what clears compaction's skip hints between
 * deferrals: the kernel then stops short of a replay from a fresh state
 * (README "How close it comes to the kernel": 8-22% in five runs).
 */
static void note_unreclaimable_nodes(const struct ct_memsnap *snap, struct notes *notes)
{
	int32_t noted = -1;
	char msg[512];

	for (uint32_t i = 0; i < snap->nzones; i++) {
		const struct ct_memsnap_zone *z = &snap->zones[i];

		if (!z->has_zoneinfo || !z->node_unreclaimable || z->nid == noted)
			continue;
		noted = z->nid;
		snprintf(msg, sizeof(msg), "node %d: kswapd has given up (zoneinfo node_unreclaimable 1): "
			 "compaction keeps its skip hints longer, and the kernel may stop short of this forecast",
			 z->nid);
		add_note(notes, msg);
	}
}

/* forecast and write; returns the exit status */
static int forecast_and_print(const struct ct_memsnap *snap, const struct ct_pbclass *pc,
			      const struct ct_fc_settings *set, const char *source, int json, const char *output,
			      struct notes *notes)
{
	struct ct_fc_input in;
	struct ct_fc_result *res = NULL;
	struct ct_hp_report rep = { 0 };
	FILE *out = stdout;
	char err[512];
	int ret, status = CT_EXIT_ERROR;

	ret = ct_fc_input_build(snap, pc, set, &in, err, sizeof(err));
	if (ret < 0) {
		fprintf(stderr, "compactrace hugepages: %s\n", err);
		return CT_EXIT_ERROR;
	}
	note_unreclaimable_nodes(snap, notes);
	ret = ct_forecast_run(&in, &res);
	if (ret < 0) {
		fprintf(stderr, "compactrace hugepages: forecast: %s\n", ct_strerror(ret));
		goto out;
	}
	if (output) {
		out = fopen(output, "we");
		if (!out) {
			fprintf(stderr, "compactrace hugepages: %s: %s\n", output, strerror(errno));
			out = stdout;
			goto out;
		}
	}
	rep.res = res;
	rep.source = source;
	rep.reclaim = set->reclaim;
	rep.notes = notes->ptr;
	rep.nnotes = notes->n;
	ret = json ? ct_hugepages_json(out, &rep) : ct_hugepages_text(out, &rep);
	if (ret == 0 && fflush(out) != 0)
		ret = -CT_E_WRITE;
	if (out != stdout) {
		if (fclose(out) != 0 && ret == 0)
			ret = -CT_E_WRITE;
		out = stdout;
	}
	if (ret == -CT_E_WRITE && errno == EPIPE && !output) {
		status = CT_EXIT_PIPE;
		goto out;
	}
	if (ret < 0) {
		fprintf(stderr, "compactrace hugepages: writing to %s: %s\n", output ? output : "standard output",
			ret == -CT_E_WRITE ? strerror(errno) : ct_strerror(ret));
		goto out;
	}
	status = CT_EXIT_OK;
out:
	ct_fc_result_free(res);
	ct_fc_input_release(&in);
	return status;
}

int ct_hugepages_recording(const char *path, int json, int order)
{
	struct ct_fc_settings set = { .order = order, .reclaim = 1 };
	struct ct_memsnap *snap = NULL;
	struct ct_pbclass pc = { 0 };
	struct notes notes = { 0 };
	char err[1024], source[4200];
	int status;

	signal(SIGPIPE, SIG_IGN);
	if (ct_fc_load_recording(path, "snapshot-end", &snap, &pc, &set, err, sizeof(err)) < 0) {
		fprintf(stderr, "compactrace: %s\n", err);
		return CT_EXIT_ERROR;
	}
	if (set.unevictable_allowed < 0)
		add_note(&notes, "the recording does not say vm.compact_unevictable_allowed: taken as 1 "
			 "(the kernel's default), mlocked pages move");
	snprintf(source, sizeof(source), "%s#snapshot-end", path);
	status = forecast_and_print(snap, &pc, &set, source, json, NULL, &notes);
	ct_memsnap_free(snap);
	ct_pbclass_release(&pc);
	return status;
}

int ct_cmd_hugepages(int argc, char **argv)
{
	struct hp_opts o = { 0 };
	struct ct_fc_settings set = { 0 };
	struct ct_memsnap *snap = NULL;
	struct ct_pbclass pc = { 0 };
	struct notes notes = { 0 };
	char err[4400];
	int ret, status;

	signal(SIGPIPE, SIG_IGN);
	ret = parse_args(argc, argv, &o);
	if (ret != 0) {
		if (ret < 0)
			usage(stderr);
		return ret < 0 ? CT_EXIT_USAGE : CT_EXIT_OK;
	}
	/* tests point this at a tree of copied /proc files */
	o.root = getenv("CT_PROC_ROOT") ? getenv("CT_PROC_ROOT") : "";
	set.order = o.order;
	set.reclaim = !o.no_reclaim;
	ret = ct_fc_read_host(o.root, &set, &snap, &pc, add_note, &notes, err, sizeof(err));
	if (ret < 0) {
		fprintf(stderr, "compactrace hugepages: %s%s\n", err,
			ret == -CT_E_OPEN && errno == EACCES ? " (run it as root)" : "");
		ct_pbclass_release(&pc);	/* what was read before the failure */
		return CT_EXIT_ERROR;
	}
	status = forecast_and_print(snap, &pc, &set, "live", o.json, o.output, &notes);
	ct_memsnap_free(snap);
	ct_pbclass_release(&pc);
	return status;
}
