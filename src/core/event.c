// SPDX-License-Identifier: GPL-2.0-or-later
/* Event and status names shared by every parser and report. */
#include <stdio.h>
#include <string.h>

#include "compactrace/event.h"

static const char *const event_names[CT_EV_TYPE_COUNT] = {
	[CT_EV_OTHER] = "other",
	[CT_EV_BEGIN] = "mm_compaction_begin",
	[CT_EV_END] = "mm_compaction_end",
	[CT_EV_ISOLATE_MIGRATE] = "mm_compaction_isolate_migratepages",
	[CT_EV_ISOLATE_FREE] = "mm_compaction_isolate_freepages",
	[CT_EV_FAST_ISOLATE_FREE] = "mm_compaction_fast_isolate_freepages",
	[CT_EV_MIGRATEPAGES] = "mm_compaction_migratepages",
	[CT_EV_TRY_TO_COMPACT] = "mm_compaction_try_to_compact_pages",
	[CT_EV_FINISHED] = "mm_compaction_finished",
	[CT_EV_SUITABLE] = "mm_compaction_suitable",
	[CT_EV_DEFERRED] = "mm_compaction_deferred",
	[CT_EV_DEFER_COMPACTION] = "mm_compaction_defer_compaction",
	[CT_EV_DEFER_RESET] = "mm_compaction_defer_reset",
	[CT_EV_KCOMPACTD_SLEEP] = "mm_compaction_kcompactd_sleep",
	[CT_EV_WAKEUP_KCOMPACTD] = "mm_compaction_wakeup_kcompactd",
	[CT_EV_KCOMPACTD_WAKE] = "mm_compaction_kcompactd_wake",
	[CT_EV_EXTFRAG] = "mm_page_alloc_extfrag",
	[CT_EV_MM_MIGRATE_PAGES] = "mm_migrate_pages",
	[CT_EV_LOST] = "(lost events)",
	[CT_EV_PARSE_ERROR] = "(parse error)",
	[CT_EV_PAGE_ALLOC] = "mm_page_alloc",
	[CT_EV_PAGE_ALLOC_ZONE_LOCKED] = "mm_page_alloc_zone_locked",
	[CT_EV_PAGE_FREE] = "mm_page_free",
	[CT_EV_PAGE_FREE_BATCHED] = "mm_page_free_batched",
	[CT_EV_PAGE_PCPU_DRAIN] = "mm_page_pcpu_drain",
};

static const char *const status_names[CT_STATUS_COUNT] = {
	[CT_STATUS_NOT_SUITABLE_ZONE] = "not_suitable_zone",
	[CT_STATUS_SKIPPED] = "skipped",
	[CT_STATUS_DEFERRED] = "deferred",
	[CT_STATUS_NO_SUITABLE_PAGE] = "no_suitable_page",
	[CT_STATUS_CONTINUE] = "continue",
	[CT_STATUS_COMPLETE] = "complete",
	[CT_STATUS_PARTIAL_SKIPPED] = "partial_skipped",
	[CT_STATUS_CONTENDED] = "contended",
	[CT_STATUS_SUCCESS] = "success",
	[CT_STATUS_UNKNOWN] = "unknown",
};

static int name_is(const char *name, size_t len, const char *want)
{
	size_t wlen = strlen(want);

	return len == wlen && memcmp(name, want, len) == 0;
}

enum ct_event_type ct_event_type_from_name(const char *name, size_t len)
{
	const char *colon = memchr(name, ':', len);

	if (colon) {	/* drop "compaction:" / "kmem:" / "migrate:" */
		len -= (size_t)(colon + 1 - name);
		name = colon + 1;
	}
	if (len < 8 || memcmp(name, "mm_", 3) != 0)
		return CT_EV_OTHER;
	for (int t = CT_EV_BEGIN; t <= CT_EV_MM_MIGRATE_PAGES; t++)
		if (name_is(name, len, event_names[t]))
			return (enum ct_event_type)t;
	return CT_EV_OTHER;
}

enum ct_event_type ct_event_page_type_from_name(const char *name, size_t len)
{
	const char *colon = memchr(name, ':', len);

	if (colon) {	/* drop "kmem:" */
		len -= (size_t)(colon + 1 - name);
		name = colon + 1;
	}
	if (len < 12 || memcmp(name, "mm_page_", 8) != 0)
		return CT_EV_OTHER;
	for (int t = CT_EV_PAGE_FIRST; t <= CT_EV_PAGE_LAST; t++)
		if (name_is(name, len, event_names[t]))
			return (enum ct_event_type)t;
	return CT_EV_OTHER;
}

const char *ct_event_type_name(enum ct_event_type type)
{
	if ((unsigned)type >= CT_EV_TYPE_COUNT)
		return "invalid";
	return event_names[type];
}

enum ct_status ct_status_from_name(const char *name, size_t len)
{
	if (name_is(name, len, "partial"))	/* renamed "success" in 4.9 */
		return CT_STATUS_SUCCESS;
	for (int s = 0; s < CT_STATUS_UNKNOWN; s++)
		if (name_is(name, len, status_names[s]))
			return (enum ct_status)s;
	return CT_STATUS_UNKNOWN;
}

enum ct_status ct_status_from_legacy_number(long value)
{
	static const enum ct_status legacy[] = {
		CT_STATUS_DEFERRED, CT_STATUS_SKIPPED, CT_STATUS_CONTINUE,
		CT_STATUS_SUCCESS, CT_STATUS_COMPLETE, CT_STATUS_NO_SUITABLE_PAGE,
		CT_STATUS_NOT_SUITABLE_ZONE,
	};

	if (value < 0 || (size_t)value >= sizeof(legacy) / sizeof(legacy[0]))
		return CT_STATUS_UNKNOWN;
	return legacy[value];
}

const char *ct_status_name(enum ct_status status)
{
	if ((unsigned)status >= CT_STATUS_COUNT)
		return "unknown";
	return status_names[status];
}

int ct_compaction_events_missing(const char *const *have, char *buf, size_t len)
{
	size_t used = 0;
	int missing = 0;

	if (len)
		buf[0] = '\0';
	for (int t = CT_EV_BEGIN; t <= CT_EV_KCOMPACTD_WAKE; t++) {
		const char *name = ct_event_type_name((enum ct_event_type)t);
		int found = 0;

		for (size_t i = 0; have && have[i] && !found; i++)
			found = strcmp(have[i], name) == 0;
		if (found)
			continue;
		missing++;
		if (used < len) {
			int w = snprintf(buf + used, len - used, "%s%s", used ? ", " : "", name);

			used = w < 0 ? len : used + (size_t)w;
		}
	}
	return missing;
}
