// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The shadow buddy model's part of the text report: per zone the free
 * blocks per order at the start, as modelled at the end and as snapshotted
 * at the end, the accuracy, the kernel's fragmentation indices, the model's
 * agreement with compaction_suitable(), what the runs achieved, who
 * polluted which pageblocks, and (--map) a map of the zone.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "sanitize.h"
#include "text_model.h"

/* the kernel's index in thousandths, as /sys/kernel/debug/extfrag prints it */
static const char *index_str(char *buf, size_t size, int32_t v)
{
	if (v == INT32_MIN)
		snprintf(buf, size, "-");
	else
		snprintf(buf, size, "%s%d.%03d", v < 0 ? "-" : "", (v < 0 ? -v : v) / 1000, (v < 0 ? -v : v) % 1000);
	return buf;
}

static void order_header(FILE *out, int norders)
{
	fprintf(out, "      %-18s", "order");
	for (int o = 0; o < norders; o++)
		fprintf(out, " %7d", o);
	fputc('\n', out);
}

static void blocks_row(FILE *out, const char *label, const uint64_t *v, int norders)
{
	fprintf(out, "      %-18s", label);
	for (int o = 0; o < norders; o++)
		fprintf(out, " %7" PRIu64, v[o]);
	fputc('\n', out);
}

static void delta_row(FILE *out, const char *label, const int64_t *v, int norders)
{
	fprintf(out, "      %-18s", label);
	for (int o = 0; o < norders; o++)
		fprintf(out, " %+7" PRId64, v[o]);
	fputc('\n', out);
}

static void index_row(FILE *out, const char *label, const int32_t *v, int norders)
{
	char b[16];

	fprintf(out, "      %-18s", label);
	for (int o = 0; o < norders; o++)
		fprintf(out, " %7s", index_str(b, sizeof(b), v[o]));
	fputc('\n', out);
}

static void print_map(FILE *out, const struct ct_model_zone *z, int pbo)
{
	char line[CT_MODEL_MAP_WIDTH + 1];

	if (!z->map)
		return;
	fprintf(out, "    map: %u cell%s of %u pageblock%s; owner letter (lower case: at least half free),\n"
		"         '.' all free, '?' no event touched it, '>' '<' where the last run's migrate and\n"
		"         free scanners stopped ('|' both)\n",
		z->map_cells, z->map_cells == 1 ? "" : "s", z->pageblocks_per_cell,
		z->pageblocks_per_cell == 1 ? "" : "s");
	for (uint32_t c = 0; c < z->map_cells; c += CT_MODEL_MAP_WIDTH) {
		uint32_t n = z->map_cells - c < CT_MODEL_MAP_WIDTH ? z->map_cells - c : CT_MODEL_MAP_WIDTH;

		memcpy(line, z->map + c, n);
		line[n] = '\0';
		for (uint32_t i = 0; i < n; i++) {
			int64_t cell = (int64_t)(c + i);

			if (cell == z->map_migrate_cell && cell == z->map_free_cell)
				line[i] = '|';
			else if (cell == z->map_migrate_cell)
				line[i] = '>';
			else if (cell == z->map_free_cell)
				line[i] = '<';
		}
		/* each line starts with the pfn of its first pageblock */
		fprintf(out, "      %#12" PRIx64 " %s\n",
			((z->start_pfn >> pbo) + (uint64_t)c * z->pageblocks_per_cell) << pbo, line);
	}
}

/* @lead, a space and @text, broken at spaces into lines of at most about 100 columns, the rest indented by @indent */
static void print_wrapped(FILE *out, const char *lead, const char *text, int indent)
{
	int col = fprintf(out, "%s", lead);

	while (*text) {
		int len = (int)strcspn(text, " ");

		if (col > indent && col + 1 + len > 100)
			col = fprintf(out, "\n%*s", indent, "") - 1;
		else
			col += fprintf(out, " ");
		col += fprintf(out, "%.*s", len, text);
		text += len;
		text += strspn(text, " ");
	}
	fputc('\n', out);
}

/*
 * Accuracy, baseline and skill (model.h says how each is computed). A model
 * no better than the start counts says so before its table, with why.
 */
static void print_score(FILE *out, const struct ct_model_zone *z)
{
	if (!z->accuracy_valid) {
		fprintf(out, "    accuracy: not computed (%s)\n", z->accuracy_note);
		return;
	}
	fprintf(out, "    accuracy %.4f, start counts as the prediction %.4f", z->accuracy, z->baseline_accuracy);
	if (z->skill_valid)
		fprintf(out, "; skill %.4f (missed by %" PRIu64 " pages of a change of %" PRIu64 ")", z->skill,
			z->error_pages, z->change_pages);
	else
		fprintf(out, "; the free blocks did not change");
	fprintf(out, "%s%s\n", z->accuracy_note[0] ? "; " : "", z->accuracy_note);
}

static void print_zone(FILE *out, const struct ct_model_results *r, const struct ct_model_zone *z, int map)
{
	char a[16], b[16], c[16];
	int top = z->norders - 1;

	fprintf(out, "\n  node %d %s  pfns %#" PRIx64 "-%#" PRIx64 ", %" PRIu64 " pageblocks; %s, seeded from %s\n",
		z->nid, z->zone, z->start_pfn, z->end_pfn, z->npageblocks, ct_model_mode_name(z->mode),
		z->seeding == CT_SEED_TRACE ? "the trace alone" : ct_model_seeding_name(z->seeding));
	if (z->verdict == CT_VERDICT_NO_BETTER) {
		char note[CT_MODEL_NOTE_LEN * 8];

		ct_sanitize(note, sizeof(note), z->verdict_note, 1);
		print_wrapped(out, "    ! the model is", note, 6);
	}
	fprintf(out, "    free blocks\n");
	order_header(out, z->norders);
	if (z->has_start) {
		blocks_row(out, "start", z->start_blocks, z->norders);
		blocks_row(out, "model end", z->model_end_blocks, z->norders);
	} else {
		delta_row(out, "change (model)", z->delta_blocks, z->norders);
	}
	if (z->has_actual_end)
		blocks_row(out, "actual end", z->actual_end_blocks, z->norders);
	print_score(out, z);
	if (z->index_start_valid || z->has_start || z->index_actual_end_valid) {
		int o = top > 9 ? 9 : top;	/* the THP order on x86-64 */

		fprintf(out, "    fragmentation index (kernel's __fragmentation_index; -1.000: a block is free)\n");
		order_header(out, z->norders);
		if (z->index_start_valid)
			index_row(out, "start", z->fragindex_start, z->norders);
		if (z->has_start)
			index_row(out, "model end", z->fragindex_model_end, z->norders);
		if (z->index_actual_end_valid)
			index_row(out, "actual end", z->fragindex_actual_end, z->norders);
		fprintf(out, "    unusable free space index at order %d: start %s, model end %s, actual end %s\n", o,
			z->index_start_valid ? index_str(a, sizeof(a), z->unusable_start[o]) : "-",
			z->has_start ? index_str(b, sizeof(b), z->unusable_model_end[o]) : "-",
			z->index_actual_end_valid ? index_str(c, sizeof(c), z->unusable_actual_end[o]) : "-");
	}
	if (z->suitable_events)
		fprintf(out, "    compaction_suitable: %" PRIu64 " decisions, %" PRIu64 " predicted, model agreed on %" PRIu64
			" (%.1f%%)\n", z->suitable_events, z->suitable_predicted, z->suitable_agreed,
			z->suitable_predicted ? 100.0 * (double)z->suitable_agreed / (double)z->suitable_predicted : 0.0);
	if (z->runs)
		fprintf(out, "    runs %" PRIu64 ": %" PRIu64 " pageblocks emptied; requested order free afterwards in %" PRIu64
			" of %" PRIu64 " runs with an order\n", z->runs, z->pageblocks_emptied, z->runs_order_available,
			z->runs_order_available + z->runs_order_unavailable);
	if (z->pageblocks_polluted)
		fprintf(out, "    fragmenting fallbacks polluted %" PRIu64 " pageblocks; %" PRIu64
			" later runs scanned some, %" PRIu64 " of them did not succeed\n",
			z->pageblocks_polluted, z->runs_over_polluted, z->runs_over_polluted_failed);
	if (z->has_pcp)
		fprintf(out, "    per-CPU lists (not in buddyinfo): %" PRIu64 " pages at the start, %" PRIu64
			" modelled at the end, %" PRIu64 " actually\n", z->pcp_start, z->pcp_model_end, z->pcp_actual_end);
	if (z->pages_guessed || z->layout_corrections)
		fprintf(out, "    placed by guess %" PRIu64 " pages, moved when an event contradicted the guess %" PRIu64 "\n",
			z->pages_guessed, z->layout_corrections);
	if (z->page_event_conflicts || z->map_window_overlaps)
		fprintf(out, "    page events the per-pfn state contradicted %" PRIu64 " (and %" PRIu64
			" while the free map was read, expected)\n", z->page_event_conflicts, z->map_window_overlaps);
	if (map)
		print_map(out, z, r->pageblock_order);
}

static void print_runs(FILE *out, const struct ct_model_results *r)
{
	char a[16], b[16];

	if (!r->nruns)
		return;
	fprintf(out, "\n  Runs (model)       %-16s %7s %-8s %5s %8s %8s %9s %10s %15s\n", "task", "pid", "zone", "order",
		"scanned", "emptied", "largest", "available", "fragindex");
	for (uint32_t i = 0; i < r->nruns; i++) {
		const struct ct_model_run_row *w = &r->runs[i];
		char comm[CT_COMM_LEN * 4], order[12], largest[24], avail[12], fi[40];

		ct_sanitize(comm, sizeof(comm), w->comm, 1);
		if (w->order == INT32_MIN)
			snprintf(order, sizeof(order), "?");
		else
			snprintf(order, sizeof(order), "%d", w->order);
		if (w->largest_before == -2)
			snprintf(largest, sizeof(largest), "?");
		else
			snprintf(largest, sizeof(largest), "%d->%d", w->largest_before, w->largest_after);
		snprintf(avail, sizeof(avail), "%s", w->order_available < 0 ? "-" : w->order_available ? "yes" : "no");
		snprintf(fi, sizeof(fi), "%s->%s", index_str(a, sizeof(a), w->fragindex_before),
			 index_str(b, sizeof(b), w->fragindex_after));
		fprintf(out, "  %10" PRIu64 ".%06" PRIu64 " %-16s %7d %-8s %5s %8u %8u %9s %10s %15s\n",
			w->begin_ns / 1000000000u, (w->begin_ns % 1000000000u) / 1000, comm, w->pid, w->zone, order,
			w->pageblocks_scanned, w->pageblocks_emptied, largest, avail, fi);
	}
	if (r->runs_dropped)
		fprintf(out, "  ... %" PRIu64 " more runs (in the zone totals above)\n", r->runs_dropped);
}

static void print_pollution(FILE *out, const struct ct_model_results *r)
{
	int any = 0;

	for (int a = 0; a < CT_MIGRATETYPES; a++)
		for (int f = 0; f < CT_MIGRATETYPES; f++)
			if (r->polluted_by_pair[a][f]) {
				if (!any++)
					fprintf(out, "\n  Pageblocks polluted by fragmenting fallbacks\n");
				fprintf(out, "    %c took from %c: %" PRIu64 " pageblocks\n", r->mt_letters[a],
					r->mt_letters[f], r->polluted_by_pair[a][f]);
			}
	if (!r->nculprits)
		return;
	fprintf(out, "    %-16s %10s %12s %10s %18s\n", "task", "fallbacks", "fragmenting", "polluted",
		"later runs failed");
	for (uint32_t i = 0; i < r->nculprits && i < 10; i++) {
		const struct ct_model_culprit *c = &r->culprits[i];
		char comm[CT_COMM_LEN * 4];

		ct_sanitize(comm, sizeof(comm), c->comm, 1);
		fprintf(out, "    %-16s %10" PRIu64 " %12" PRIu64 " %10" PRIu64 " %18" PRIu64 "\n", comm, c->fallbacks,
			c->fragmenting, c->pageblocks_polluted, c->later_failed_runs);
	}
}

int ct_text_model(FILE *out, const struct ct_report_input *in)
{
	const struct ct_model_results *r = in->model;

	if (!r) {
		if (in->model_off)
			fprintf(out, "\nShadow buddy model: not run (%s)\n", in->model_off);
		return 0;
	}
	fprintf(out, "\nShadow buddy model (%s; pageblock order %d; extfrag_threshold %d, %s)\n",
		ct_model_mode_name(r->mode), r->pageblock_order, r->extfrag_threshold, r->extfrag_threshold_source);
	if (!r->nzones)
		fprintf(out, "  no zone: no snapshot and no compaction run said where memory is\n");
	for (uint32_t i = 0; i < r->nzones; i++)
		print_zone(out, r, &r->zones[i], in->model_map);
	print_runs(out, r);
	print_pollution(out, r);
	if (r->pfns_outside_zones || r->events_outside_runs || r->runs_unplaced || r->page_events_ignored)
		fprintf(out, "\n  not placed: %" PRIu64 " events with pfns outside every known zone, %" PRIu64
			" isolations of runs begun before the trace, %" PRIu64 " runs in unknown zones, %" PRIu64
			" page events without a per-pfn seed\n", r->pfns_outside_zones, r->events_outside_runs,
			r->runs_unplaced, r->page_events_ignored);
	for (uint32_t i = 0; i < r->nnotes; i++) {
		char note[CT_MODEL_NOTE_LEN * 4];

		ct_sanitize(note, sizeof(note), r->notes[i], 1);
		fprintf(out, "  note: %s\n", note);
	}
	return 0;
}
