// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The huge-page forecast for people: the short answer first, then the
 * pageblocks of each zone by class and the forecast per zone, who holds the
 * blocking pages, the assumptions, and a map of each zone.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "compactrace/error.h"
#include "compactrace/hugepages_report.h"
#include "sanitize.h"
#include "numfmt.h"

#define MAP_WIDTH 128
#define WRAP 100		/* columns of the sentences */

/* how a sentence names what blocks a pageblock */
static const char *const reason_phrase[CT_FC_NREASONS] = {
	"slab", "unmovable kernel pages", "pinned pages", "unevictable (mlocked) memory", "reserved memory",
	"pages being migrated or reclaimed", "poisoned or offline pages", "huge pages in use",
};

/* 2 MiB, 64 KiB, 1 GiB */
static const char *size_str(char *buf, size_t size, uint64_t bytes)
{
	static const char *const units[] = { "B", "KiB", "MiB", "GiB", "TiB" };
	int u = 0;

	while (u < 4 && bytes >= 1024 && bytes % 1024 == 0) {
		bytes /= 1024;
		u++;
	}
	snprintf(buf, size, "%" PRIu64 " %s", bytes, units[u]);
	return buf;
}

/* @text folded at spaces into lines of at most WRAP columns */
static void wrapped(FILE *out, const char *text)
{
	size_t len = strlen(text), at = 0;

	while (len - at > WRAP) {
		size_t cut = at + WRAP;

		while (cut > at && text[cut] != ' ')
			cut--;
		if (cut == at)
			cut = at + WRAP;	/* one word longer than a line */
		fprintf(out, "%.*s\n", (int)(cut - at), text + at);
		at = cut + (text[cut] == ' ');
	}
	fprintf(out, "%s\n", text + at);
}

static void short_answer(FILE *out, const struct ct_hp_report *rep)
{
	const struct ct_fc_result *r = rep->res;
	char a[32], b[32], c[32], d[32], sz[32], more[160] = "", line[1024];
	int order[CT_FC_NREASONS], n = 0, said = 0;
	size_t at = 0;

	size_str(sz, sizeof(sz), r->page_size << r->order);
	if (r->compaction_units_all_seen > r->compaction_units)
		snprintf(more, sizeof(more), " (up to %s where the kernel's search of its free lists finds the "
			 "room its linear scan passes)", ct_fmt_grouped(d, sizeof(d), r->compaction_units_all_seen));
	snprintf(line, sizeof(line), "About %s more %s pages (order %d) can be made by compaction%s, with %s free "
		 "already: %s in all.", ct_fmt_grouped(a, sizeof(a), r->compaction_units), sz, r->order, more,
		 ct_fmt_grouped(b, sizeof(b), r->free_units), ct_fmt_grouped(c, sizeof(c), r->obtainable));
	wrapped(out, line);
	/* the reasons by pageblocks, most first; huge pages in use are said apart */
	for (int i = 0; i < CT_FC_NREASONS; i++)
		if (i != CT_FC_R_HUGE && r->blocked_by[i])
			order[n++] = i;
	for (int i = 1; i < n; i++)
		for (int j = i; j > 0 && r->blocked_by[order[j]] > r->blocked_by[order[j - 1]]; j--) {
			int t = order[j];

			order[j] = order[j - 1];
			order[j - 1] = t;
		}
	line[0] = '\0';
	for (int i = 0; i < n && at < sizeof(line); i++) {
		at += (size_t)snprintf(line + at, sizeof(line) - at, "%s%s %s%s", i ? ", " : "",
				       ct_fmt_grouped(a, sizeof(a), r->blocked_by[order[i]]),
				       i ? "by " : "pageblocks are blocked by ", reason_phrase[order[i]]);
		said = 1;
	}
	if (r->blocked_by[CT_FC_R_HUGE] && at < sizeof(line))
		at += (size_t)snprintf(line + at, sizeof(line) - at, "%s%s pageblocks hold huge pages in use",
				       said ? "; " : "", ct_fmt_grouped(a, sizeof(a), r->blocked_by[CT_FC_R_HUGE]));
	if (at < sizeof(line))
		snprintf(line + at, sizeof(line) - at, "%s", at ? "." : "No pageblock is blocked.");
	wrapped(out, line);
}

static void class_table(FILE *out, const struct ct_fc_result *r)
{
	char v[CT_FC_NREASONS + 4][32];

	fprintf(out, "\nPageblocks     node zone          total      free  compactable   blocked");
	for (int i = 0; i < CT_FC_NREASONS; i++)
		fprintf(out, " %11s", ct_fc_reason_name((enum ct_fc_reason)i));
	fputc('\n', out);
	for (uint32_t z = 0; z < r->nzones; z++) {
		const struct ct_fc_zone *zo = &r->zones[z];

		fprintf(out, "             %6d %-8s %9s %9s %12s %9s", zo->nid, zo->name,
			ct_fmt_grouped(v[0], sizeof(v[0]), zo->pageblocks), ct_fmt_grouped(v[1], sizeof(v[1]), zo->free_blocks),
			ct_fmt_grouped(v[2], sizeof(v[2]), zo->compactable_blocks),
			ct_fmt_grouped(v[3], sizeof(v[3]), zo->blocked_blocks));
		for (int i = 0; i < CT_FC_NREASONS; i++)
			fprintf(out, " %11s", ct_fmt_grouped(v[4 + i], sizeof(v[4 + i]), zo->blocked_by[i]));
		fputc('\n', out);
	}
}

static void forecast_table(FILE *out, const struct ct_fc_result *r)
{
	char a[32], b[32], c[32], d[32], e[32];

	fprintf(out, "\nForecast       node zone       free now  by compaction  obtainable  pages to move  "
		"limit\n");
	for (uint32_t z = 0; z < r->nzones; z++) {
		const struct ct_fc_zone *zo = &r->zones[z];

		fprintf(out, "             %6d %-8s %10s %14s %11s %14s  %s", zo->nid, zo->name,
			ct_fmt_grouped(a, sizeof(a), zo->free_units_used), ct_fmt_grouped(b, sizeof(b), zo->compaction_units),
			ct_fmt_grouped(c, sizeof(c), zo->obtainable), ct_fmt_grouped(d, sizeof(d), zo->migrate_pages),
			zo->limit);
		if (zo->meet_pfn < zo->end_pfn && strcmp(zo->limit, "scanners met") == 0)
			fprintf(out, " at pfn 0x%" PRIx64, zo->meet_pfn);
		if (strcmp(zo->limit, "watermark") == 0)
			fprintf(out, " (allows %s)", ct_fmt_grouped(e, sizeof(e), zo->alloc_cap));
		fputc('\n', out);
	}
}

static void assumptions(FILE *out, const struct ct_hp_report *rep)
{
	const struct ct_fc_result *r = rep->res;
	uint64_t pcp = 0, noflag = 0, recl = 0;
	char a[32], b[32], c[32], sz[32], line[1024];

	for (uint32_t z = 0; z < r->nzones; z++) {
		pcp += r->zones[z].pcp_free;
		noflag += r->zones[z].noflag_unmovable;
		recl += r->zones[z].reclaimable;
	}
	snprintf(line, sizeof(line), "Assumed: %s pages on per-CPU lists are free (they are drained when an "
		 "allocation tries hard); %s other pages without any flag are kernel pages; %s%s%s mlocked pages %s "
		 "(vm.compact_unevictable_allowed = %d).", ct_fmt_grouped(a, sizeof(a), pcp),
		 ct_fmt_grouped(b, sizeof(b), noflag), rep->reclaim ? ct_fmt_grouped(c, sizeof(c), recl) : "",
		 rep->reclaim ? " pages of unmapped page cache are free (reclaim drops them);" :
				"page cache stays (--no-reclaim);",
		 "", r->unevictable_allowed ? "move" : "block compaction", r->unevictable_allowed);
	fputc('\n', out);
	wrapped(out, line);
	if (r->uninitialized_pages)
		fprintf(out, "Not counted: %s pages the kernel has not initialized yet (about %s more %s pages once "
			"it has).\n", ct_fmt_grouped(a, sizeof(a), r->uninitialized_pages),
			ct_fmt_grouped(b, sizeof(b), r->uninitialized_pages >> r->order),
			size_str(sz, sizeof(sz), r->page_size << r->order));
	for (uint32_t z = 0; z < r->nzones; z++)
		if (r->zones[z].free_pages_passed) {
			snprintf(line, sizeof(line), "Zone %s: the free scanner passes %s free pages it does not see "
				 "(after a pageblock that gave it nothing it looks at every 2nd to 32nd page only, and "
				 "sees a free block only at its first page): not counted as room.", r->zones[z].name,
				 ct_fmt_grouped(a, sizeof(a), r->zones[z].free_pages_passed));
			wrapped(out, line);
		}
	for (uint32_t z = 0; z < r->nzones; z++)
		if (strcmp(r->zones[z].limit, "fragmentation index") == 0)
			fprintf(out, "Zone %s: the fragmentation index %d.%03d is at most vm.extfrag_threshold: "
				"the kernel does not compact it for this order.\n", r->zones[z].name,
				r->zones[z].fragindex / 1000, r->zones[z].fragindex % 1000);
	for (unsigned i = 0; i < rep->nnotes; i++)
		fprintf(out, "Note: %s\n", rep->notes[i]);
}

static void owners(FILE *out, const struct ct_fc_result *r)
{
	char a[32], b[32], name[512];

	if (r->nowners) {
		fprintf(out, "\nWho holds the blocking pages (memory cgroup from /proc/kpagecgroup)\n"
			"  pageblocks        pages  reason        cgroup\n");
		for (uint32_t i = 0; i < r->nowners; i++) {
			const struct ct_fc_owner *o = &r->owners[i];

			ct_sanitize(name, sizeof(name), o->cgroup[0] ? o->cgroup : "(unknown)", 1);
			fprintf(out, "  %10s %12s  %-12s  %s", ct_fmt_grouped(a, sizeof(a), o->blocks),
				ct_fmt_grouped(b, sizeof(b), o->pages), ct_fc_reason_name(o->reason), name);
			if (o->cgroup_ino && o->cgroup_ino != UINT64_MAX)
				fprintf(out, " (inode %" PRIu64 ")", o->cgroup_ino);
			fputc('\n', out);
		}
	}
	if (r->page_owner == 1)
		fprintf(out, "page_owner is enabled: /sys/kernel/debug/page_owner has the allocation stack of "
			"every page (this version does not read it).\n");
	else if (r->page_owner == 0)
		fprintf(out, "page_owner is not enabled (boot with page_owner=on and mount debugfs to see the "
			"allocation stacks of blocking pages).\n");
}

/* one line of @w map cells; runs of identical lines are folded */
static void map_zone(FILE *out, const struct ct_fc_zone *z, uint64_t pb_pages)
{
	uint64_t n = z->map_blocks, first = z->start_pfn & ~(pb_pages - 1);

	fprintf(out, "\n%s (node %d), pfn 0x%" PRIx64 "-0x%" PRIx64 ", one character per pageblock:\n", z->name,
		z->nid, z->start_pfn, z->end_pfn);
	for (uint64_t i = 0; i < n;) {
		uint64_t w = n - i < MAP_WIDTH ? n - i : MAP_WIDTH, same = 1;
		int uniform = 1;

		for (uint64_t k = 1; k < w; k++)
			uniform &= z->map[i + k] == z->map[i];
		/* fold whole lines of one character repeated */
		while (uniform && w == MAP_WIDTH && i + (same + 1) * MAP_WIDTH <= n) {
			int again = 1;

			for (uint64_t k = 0; k < MAP_WIDTH; k++)
				again &= z->map[i + same * MAP_WIDTH + k] == z->map[i];
			if (!again)
				break;
			same++;
		}
		fprintf(out, "  0x%09" PRIx64 " %.*s", first + i * pb_pages, (int)w, z->map + i);
		if (same > 1)
			fprintf(out, "  (x%" PRIu64 " lines)", same);
		fputc('\n', out);
		i += same * w;
	}
}

int ct_hugepages_text(FILE *out, const struct ct_hp_report *rep)
{
	const struct ct_fc_result *r = rep->res;
	char src[512];

	ct_sanitize(src, sizeof(src), rep->source ? rep->source : "live", 1);
	fprintf(out, "compactrace hugepages: %s\n", src);
	short_answer(out, rep);
	class_table(out, r);
	forecast_table(out, r);
	assumptions(out, rep);
	owners(out, r);
	fprintf(out, "\nMaps: '.' free  '+' freed by compaction  'c' compactable, not reached  ");
	for (int i = 0; i < CT_FC_NREASONS; i++)
		fprintf(out, "'%c' %s  ", ct_fc_reason_letter((enum ct_fc_reason)i), ct_fc_reason_name((enum ct_fc_reason)i));
	fprintf(out, "'_' not initialized  ' ' no memory\n");
	for (uint32_t z = 0; z < r->nzones; z++)
		if (r->zones[z].map_blocks)
			map_zone(out, &r->zones[z], 1ULL << r->pageblock_order);
	return ferror(out) ? -CT_E_WRITE : 0;
}
