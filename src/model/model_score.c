// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * How good a zone's modelled end state is: its accuracy against the end
 * snapshot, the same for the start counts (the "nothing changed"
 * prediction), the skill (how much of the change the model got right) and
 * the verdict a report prints, with the reason when the model is no better
 * than standing still. Every measure weighs a block of order o as its 2^o
 * pages, so that a zone's few large blocks count as much as its pages do.
 */
#include <stdio.h>
#include <string.h>

#include "compactrace/fragindex.h"
#include "model/model_internal.h"

const char *ct_model_verdict_name(enum ct_model_verdict v)
{
	switch (v) {
	case CT_VERDICT_UNCHANGED: return "unchanged";
	case CT_VERDICT_BETTER: return "better";
	case CT_VERDICT_NO_BETTER: return "no_better";
	default: return NULL;
	}
}

/* Σ|a - b|·2^o */
static uint64_t distance(const uint64_t *a, const uint64_t *b, int norders)
{
	uint64_t d = 0;

	for (int o = 0; o < norders; o++)
		d += (a[o] > b[o] ? a[o] - b[o] : b[o] - a[o]) << o;
	return d;
}

/* 1 - Σ|p - a|·2^o / Σ(p + a)·2^o: 0 when no block of one side is in the other, 1 when equal */
static double accuracy(const uint64_t *pred, const uint64_t *actual, int norders)
{
	uint64_t both = ct_free_pages(pred, norders) + ct_free_pages(actual, norders);

	return both ? 1.0 - (double)distance(pred, actual, norders) / (double)both : 1.0;
}

/*
 * Why the model is no better than the start counts (@out has its counts and
 * scores). The events show compaction's pages: each page migrated leaves
 * one place and fills another, each fallback takes its block. When that
 * is less than the change, most of the change was made by allocations and
 * frees outside compaction (the page allocator, reclaim), which only kmem
 * page events show. So it was, too, when the zone's free pages changed by
 * at least half the change more (or less) than the model's did: that
 * difference came or went with no event. Otherwise the events did carry
 * the change, but only as counts: which pages they moved was guessed.
 */
static void no_better_note(const struct ct_model *m, const struct mzone *z, struct ct_model_zone *out)
{
	int64_t start = (int64_t)ct_free_pages(out->start_blocks, m->norders);
	int64_t actual = (int64_t)ct_free_pages(out->actual_end_blocks, m->norders) - start;
	int64_t modelled = (int64_t)ct_free_pages(out->model_end_blocks, m->norders) - start;
	uint64_t unseen = (uint64_t)(actual > modelled ? actual - modelled : modelled - actual);
	char why[CT_MODEL_NOTE_LEN * 2];

	if (!z->changes)
		snprintf(why, sizeof(why), "no event of the trace changed this zone: the change was made by "
			 "allocations and frees the trace does not show");
	else if (z->traced_pages < out->change_pages)
		snprintf(why, sizeof(why), "the trace carries too little: its events move %llu pages here, the "
			 "change is %llu; the rest was allocations and frees with no event (the free pages changed "
			 "by %+lld, in the model by %+lld)", (unsigned long long)z->traced_pages,
			 (unsigned long long)out->change_pages, (long long)actual, (long long)modelled);
	else if (2 * unseen >= out->change_pages)
		snprintf(why, sizeof(why), "the trace carries too little: the free pages changed by %+lld, in the "
			 "model by %+lld: at least %llu pages came or went with no event (allocations and frees "
			 "outside compaction: the page allocator, reclaim)", (long long)actual, (long long)modelled,
			 (unsigned long long)unseen);
	else
		snprintf(why, sizeof(why), "the events say how many pages compaction moved, not which: the model "
			 "placed %llu pages by guess, and the guesses cost more than they gained",
			 (unsigned long long)z->pages_guessed);
	snprintf(out->verdict_note, sizeof(out->verdict_note),
		 "no better than the start counts: it misses by %llu pages where the counts changed by "
		 "%llu (skill %.2f); %s%s", (unsigned long long)out->error_pages,
		 (unsigned long long)out->change_pages, out->skill, why,
		 z->ops->mode == CT_MODEL_ESTIMATED ?
		 "; `compactrace record --pages` records the page events of the exact model" : "");
}

void zone_score(const struct ct_model *m, const struct mzone *z, struct ct_model_zone *out)
{
	out->verdict = CT_VERDICT_NONE;
	if (!out->has_start || !out->has_actual_end)
		return;
	out->accuracy = accuracy(out->model_end_blocks, out->actual_end_blocks, m->norders);
	out->baseline_accuracy = accuracy(out->start_blocks, out->actual_end_blocks, m->norders);
	out->accuracy_valid = 1;
	out->error_pages = distance(out->model_end_blocks, out->actual_end_blocks, m->norders);
	out->change_pages = distance(out->start_blocks, out->actual_end_blocks, m->norders);
	if (!out->change_pages) {
		out->verdict = CT_VERDICT_UNCHANGED;
		return;
	}
	out->skill = 1.0 - (double)out->error_pages / (double)out->change_pages;
	out->skill_valid = 1;
	if (out->skill > 0) {
		out->verdict = CT_VERDICT_BETTER;
		return;
	}
	out->verdict = CT_VERDICT_NO_BETTER;
	no_better_note(m, z, out);
}
