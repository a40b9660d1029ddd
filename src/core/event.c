// SPDX-License-Identifier: GPL-2.0-or-later
/* Event and status names shared by every parser and report. */
#include <stdio.h>
#include <string.h>

#include "compactrace/event.h"
#include "compactrace/event_desc.h"

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

/* the name without its "system:" */
static const char *drop_system(const char *name, size_t *len)
{
	const char *colon = memchr(name, ':', *len);

	if (!colon)
		return name;
	*len -= (size_t)(colon + 1 - name);
	return colon + 1;
}

/* the interpreted event named @name whose page_event flag is @page, or CT_EV_OTHER */
static enum ct_event_type lookup(const char *name, size_t len, int page)
{
	name = drop_system(name, &len);
	if (len < 8 || memcmp(name, "mm_", 3) != 0)
		return CT_EV_OTHER;
	for (int t = 0; t < CT_EV_TYPE_COUNT; t++) {
		const struct ct_event_desc *d = ct_event_desc((enum ct_event_type)t);

		if (d && d->page_event == page && name_is(name, len, d->name))
			return (enum ct_event_type)t;
	}
	return CT_EV_OTHER;
}

enum ct_event_type ct_event_type_from_name(const char *name, size_t len)
{
	return lookup(name, len, 0);
}

enum ct_event_type ct_event_page_type_from_name(const char *name, size_t len)
{
	return lookup(name, len, 1);
}

const char *ct_event_type_name(enum ct_event_type type)
{
	const struct ct_event_desc *d = ct_event_desc(type);

	switch (type) {
	case CT_EV_OTHER:
		return "other";
	case CT_EV_LOST:
		return "(lost events)";
	case CT_EV_PARSE_ERROR:
		return "(parse error)";
	default:
		return d ? d->name : "invalid";
	}
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
	for (int t = 0; t < CT_EV_TYPE_COUNT; t++) {
		const struct ct_event_desc *d = ct_event_desc((enum ct_event_type)t);
		const char *name = d ? d->name : NULL;
		int found = 0;

		if (!d || strcmp(d->system, "compaction") != 0)
			continue;

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
