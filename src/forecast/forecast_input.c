// SPDX-License-Identifier: GPL-2.0-or-later
/* The forecast's input built from a snapshot's zone texts and the pageblock classes. No I/O. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compactrace/error.h"
#include "compactrace/pbclass.h"

/* ---- the forecast's input ------------------------------------------------ */

void ct_fc_input_release(struct ct_fc_input *in)
{
	for (uint32_t i = 0; i < in->nzones; i++)
		free(in->zones[i].blocks);
	free(in->zones);
	free((void *)in->owners);
	in->zones = NULL;
	in->owners = NULL;
	in->nzones = in->nowners = 0;
}

/* the index of the Movable zone in @nid's zoneinfo order: where a GFP_HIGHUSER_MOVABLE request tops out */
static uint32_t highest_zoneidx(const struct ct_memsnap *snap, int32_t nid)
{
	uint32_t idx = 0, last = 0;

	for (uint32_t i = 0; i < snap->nzones; i++) {
		const struct ct_memsnap_zone *z = &snap->zones[i];

		if (z->nid != nid || !z->has_zoneinfo)
			continue;
		if (strcmp(z->name, "Movable") == 0)
			return idx;
		if (strcmp(z->name, "Device") != 0)
			last = idx;
		idx++;
	}
	return last;
}

static int type_index(const struct ct_memsnap *snap, const char *name)
{
	for (int t = 0; t < snap->ntypes; t++)
		if (strcmp(snap->type_names[t], name) == 0)
			return t;
	return -1;
}

static int fill_zone(const struct ct_memsnap *snap, const struct ct_memsnap_zone *mz, const struct ct_pbclass *pc,
		     struct ct_fc_zone_in *z)
{
	uint64_t bp = 1ULL << pc->pageblock_order, end = mz->start_pfn + mz->spanned, j = 0;
	uint32_t hz = highest_zoneidx(snap, mz->nid);
	int ha = type_index(snap, "HighAtomic");

	z->nid = mz->nid;
	memcpy(z->name, mz->name, sizeof(z->name));
	z->start_pfn = mz->start_pfn;
	z->spanned = mz->spanned;
	z->present = mz->present;
	z->managed = mz->managed;
	z->free_pages = mz->free_pages;
	z->pcp_pages = mz->pcp_count;
	z->wmark_min = mz->wmark_min;
	z->wmark_low = mz->wmark_low;
	z->reserve = hz < mz->nprotection ? mz->protection[hz] : 0;
	if (mz->has_buddy) {
		z->norders = snap->norders < 16 ? snap->norders : 16;
		memcpy(z->free_blocks, mz->free_blocks, sizeof(uint64_t) * (size_t)z->norders);
	}
	if (ha >= 0 && mz->has_types)
		for (int o = 0; o < snap->norders && o < CT_MEMSNAP_ORDERS; o++)
			z->highatomic_free += mz->free_by_type[ha][o] << o;
	z->nonmovable_blocks = -1;
	if (mz->has_block_counts) {
		z->nonmovable_blocks = 0;
		for (int t = 0; t < snap->ntypes; t++)
			if (strcmp(snap->type_names[t], "Movable") != 0 && strcmp(snap->type_names[t], "CMA") != 0)
				z->nonmovable_blocks += (int64_t)mz->blocks_by_type[t];
	}
	z->first_pfn = mz->start_pfn & ~(bp - 1);
	z->nblocks = (end - z->first_pfn + bp - 1) / bp;
	z->blocks = calloc(z->nblocks ? z->nblocks : 1, sizeof(*z->blocks));
	if (!z->blocks)
		return -CT_E_NOMEM;
	/* pageblocks without a line have no page at all */
	for (uint64_t i = 0; i < z->nblocks; i++)
		z->blocks[i].pages[CT_FC_NOPAGE] = (uint32_t)bp;
	while (j < pc->nblocks && pc->start_pfn[j] + bp <= z->first_pfn)
		j++;
	for (; j < pc->nblocks && pc->start_pfn[j] < end; j++)
		z->blocks[(pc->start_pfn[j] - z->first_pfn) / bp] = pc->blocks[j];
	return 0;
}

int ct_fc_input_build(const struct ct_memsnap *snap, const struct ct_pbclass *pc,
		      const struct ct_fc_settings *set, struct ct_fc_input *in, char *err, size_t errlen)
{
	int ret = 0;

	memset(in, 0, sizeof(*in));
	in->pageblock_order = pc->pageblock_order;
	in->order = set->order ? set->order : pc->pageblock_order;
	in->page_size = snap->page_size ? snap->page_size : 4096;
	in->unevictable_allowed = set->unevictable_allowed != 0;
	in->extfrag_threshold = set->extfrag_threshold >= 0 ? set->extfrag_threshold : snap->extfrag_threshold;
	in->units_known = pc->units_known && pc->order == in->order;
	in->strides_known = pc->strides_known;
	in->reclaim = set->reclaim;
	in->page_owner = set->page_owner;
	if (!pc->pageblock_order) {
		snprintf(err, errlen, "the pageblock classes do not say the pageblock order");
		return -CT_E_INVAL;
	}
	if (in->order != pc->order) {
		/* "huge" and the unit counts depend on the order the pages were read for */
		snprintf(err, errlen, "the pageblock classes were read for order %d, not %d (a recording "
			 "answers for the pageblock order only; a live read for any order)", pc->order, in->order);
		return -CT_E_INVAL;
	}
	in->zones = calloc(snap->nzones ? snap->nzones : 1, sizeof(*in->zones));
	if (!in->zones)
		return -CT_E_NOMEM;
	for (uint32_t i = 0; i < snap->nzones && ret == 0; i++) {
		const struct ct_memsnap_zone *mz = &snap->zones[i];

		if (!mz->has_zoneinfo || !mz->has_start_pfn || !mz->spanned || !mz->present)
			continue;
		ret = fill_zone(snap, mz, pc, &in->zones[in->nzones++]);
	}
	if (ret == 0 && !in->nzones) {
		snprintf(err, errlen, "no zoneinfo with memory: no zone to forecast");
		ret = -CT_E_INVAL;
	}
	if (ret == 0 && pc->nowners) {
		struct ct_fc_owner *ow = malloc(pc->nowners * sizeof(*ow));

		if (!ow) {
			ret = -CT_E_NOMEM;
		} else {
			memcpy(ow, pc->owners, pc->nowners * sizeof(*ow));
			in->owners = ow;
			in->nowners = pc->nowners;
		}
	}
	if (ret == -CT_E_NOMEM)
		snprintf(err, errlen, "%s", ct_strerror(ret));
	if (ret < 0)
		ct_fc_input_release(in);
	return ret;
}
