// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Fuzz the huge-page forecast from a recording's items: the
 * pageblock-classes parser (src/core/pbclass.c), zoneinfo / buddyinfo /
 * pagetypeinfo as the snapshot parsers read them, the forecast's input and
 * replay (src/forecast/), and both renderers, as `compactrace report
 * --hugepages` runs them.
 *
 * Input: items, each a line "=== NAME" (zoneinfo, buddyinfo, pagetypeinfo,
 * pageblock-classes, order) followed by the item's bytes up to the next such
 * line. The result must add up: obtainable = free already + by compaction in
 * every zone and in all, pageblocks = free + compactable + blocked, one map
 * character per pageblock of the zone.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compactrace/error.h"
#include "compactrace/hugepages_report.h"
#include "compactrace/pbclass.h"
#include "fuzz_common.h"

enum { ZONEINFO, BUDDYINFO, PAGETYPEINFO, CLASSES, ORDER, NITEMS };
static const char *const names[NITEMS] = { "zoneinfo", "buddyinfo", "pagetypeinfo", "pageblock-classes", "order" };

struct item {
	const char *p;
	size_t len;
};

static void one_item(void *ctx, const char *name, size_t name_len, const uint8_t *body, size_t len)
{
	struct item *it = ctx;

	for (int i = 0; i < NITEMS; i++)
		if (name_len == strlen(names[i]) && memcmp(name, names[i], name_len) == 0) {
			it[i].p = (const char *)body;
			it[i].len = len;
		}
}

static void check_result(const struct ct_fc_input *in, const struct ct_fc_result *r)
{
	uint64_t sum = 0;

	if (r->obtainable != r->free_units + r->compaction_units)
		fz_fail("obtainable %llu != free %llu + compaction %llu", (unsigned long long)r->obtainable,
			(unsigned long long)r->free_units, (unsigned long long)r->compaction_units);
	for (uint32_t i = 0; i < r->nzones; i++) {
		const struct ct_fc_zone *z = &r->zones[i];

		if (z->obtainable != z->free_units_used + z->compaction_units || z->free_units_used > z->free_units)
			fz_fail("zone %u: obtainable %llu != %llu + %llu", i, (unsigned long long)z->obtainable,
				(unsigned long long)z->free_units_used, (unsigned long long)z->compaction_units);
		if (z->pageblocks != z->free_blocks + z->compactable_blocks + z->blocked_blocks)
			fz_fail("zone %u: pageblocks %llu != free + compactable + blocked", i,
				(unsigned long long)z->pageblocks);
		if (z->map_blocks != in->zones[i].nblocks || strlen(z->map) != z->map_blocks)
			fz_fail("zone %u: map of %zu characters for %llu pageblocks", i, strlen(z->map),
				(unsigned long long)in->zones[i].nblocks);
		sum += z->obtainable;
	}
	if (sum != r->obtainable)
		fz_fail("zones add up to %llu, not %llu", (unsigned long long)sum, (unsigned long long)r->obtainable);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct item it[NITEMS] = { { 0 } };
	struct ct_memsnap *snap = ct_memsnap_new();
	struct ct_pbclass pc = { 0 };
	struct ct_fc_settings set = { .unevictable_allowed = 0, .extfrag_threshold = -1, .reclaim = 1, .page_owner = -1 };
	struct ct_fc_input in = { 0 };
	struct ct_fc_result *res = NULL;
	struct ct_hp_report rep = { 0 };
	char err[512];
	int64_t order;
	FILE *null;

	if (!snap)
		fz_fail("out of memory");
	if (size > FZ_MAX_INPUT)
		size = FZ_MAX_INPUT;
	fz_items(data, size, one_item, it);
	if (it[ORDER].p && ct_memsnap_parse_number(it[ORDER].p, it[ORDER].len, &order) == 0 && order >= 0 &&
	    order < 20)
		set.order = (int)order;
	/* a damaged text item is an error message, never a crash */
	if ((it[ZONEINFO].p && ct_memsnap_parse_zoneinfo(snap, it[ZONEINFO].p, it[ZONEINFO].len, err, sizeof(err)) < 0) ||
	    (it[BUDDYINFO].p && ct_memsnap_parse_buddyinfo(snap, it[BUDDYINFO].p, it[BUDDYINFO].len, err, sizeof(err)) < 0) ||
	    (it[PAGETYPEINFO].p &&
	     ct_memsnap_parse_pagetypeinfo(snap, it[PAGETYPEINFO].p, it[PAGETYPEINFO].len, err, sizeof(err)) < 0) ||
	    !it[CLASSES].p)
		goto out;
	if (ct_pbclass_parse(it[CLASSES].p, it[CLASSES].len, &pc, err, sizeof(err)) < 0) {
		if (strncmp(err, "pageblock-classes line ", 23) != 0)
			fz_fail("a pageblock-classes error that does not say the line: %s", err);
		goto out;
	}
	/* zones of absurd spans are the input's right; their pageblocks cost memory: keep them few */
	for (uint32_t i = 0; i < snap->nzones; i++)
		if (snap->zones[i].spanned >> pc.pageblock_order > (1u << 16))
			goto out;
	if (ct_fc_input_build(snap, &pc, &set, &in, err, sizeof(err)) < 0)
		goto out;
	if (ct_forecast_run(&in, &res) == 0) {
		check_result(&in, res);
		null = fopen("/dev/null", "w");
		if (!null)
			fz_fail("/dev/null: cannot open");
		rep.res = res;
		rep.source = "fuzz";
		rep.reclaim = 1;
		if (ct_hugepages_text(null, &rep) < 0 || ct_hugepages_json(null, &rep) == -CT_E_WRITE)
			fz_fail("rendering to /dev/null failed");
		fclose(null);
	}
out:
	ct_fc_result_free(res);
	ct_fc_input_release(&in);
	ct_pbclass_release(&pc);
	ct_memsnap_free(snap);
	return 0;
}
