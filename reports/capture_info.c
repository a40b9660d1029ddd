// SPDX-License-Identifier: GPL-2.0-or-later
/* A flight-recorder capture's description (capture_info.h): written by the monitor, read by `report`. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compactrace/capture_info.h"
#include "compactrace/error.h"

int ct_capture_info_format(char *buf, size_t len, const char *reason, const char *condition,
			   uint64_t trigger_ns, uint64_t window_start, uint64_t window_end, uint64_t data_start,
			   uint32_t triggers, uint64_t snapshot_ns, const char *fired_kind, uint64_t fired_ts,
			   int32_t fired_pid, uint64_t fired_ns)
{
	int n = snprintf(buf, len, "reason %s\ncondition %s\ntrigger_ts_ns %llu\nwindow_start_ns %llu\n"
			 "window_end_ns %llu\ndata_start_ns %llu\ntriggers %u\nsnapshot_ns %llu\n",
			 reason, condition, (unsigned long long)trigger_ns, (unsigned long long)window_start,
			 (unsigned long long)window_end, (unsigned long long)data_start, triggers,
			 (unsigned long long)snapshot_ns);

	if (n < 0 || (size_t)n >= len)
		return -1;
	if (fired_kind && fired_kind[0]) {
		int m = snprintf(buf + n, len - (size_t)n, "fired_by %s %llu %d %llu\n", fired_kind,
				 (unsigned long long)fired_ts, fired_pid, (unsigned long long)fired_ns);

		if (m < 0 || (size_t)m >= len - (size_t)n)
			return -1;
		n += m;
	}
	return n;
}

static int number(const char *s, uint64_t *out)
{
	char *end;

	errno = 0;
	if (*s < '0' || *s > '9')
		return -1;
	*out = strtoull(s, &end, 10);
	return errno || *end ? -1 : 0;
}

int ct_capture_info_parse(const char *text, size_t len, struct ct_capture_info *ci, char *err, size_t errlen)
{
	const char *p = text, *end = text + len;
	unsigned seen = 0;
	int line = 0;

	memset(ci, 0, sizeof(*ci));
	ci->fired_pid = -1;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t ll = nl ? (size_t)(nl - p) : (size_t)(end - p);
		char l[256], *val, kind[8];
		uint64_t v = 0, ts, ns;
		int pid, bad = 0;

		line++;
		if (ll >= sizeof(l) || !(val = memchr(p, ' ', ll))) {
			snprintf(err, errlen, "capture attachment line %d: not \"KEY VALUE\"", line);
			return -CT_E_PARSE;
		}
		memcpy(l, p, ll);
		l[ll] = '\0';
		val = l + (val - p);
		*val++ = '\0';
		if (strcmp(l, "reason") == 0) {
			snprintf(ci->reason, sizeof(ci->reason), "%s", val);
			seen |= 1;
		} else if (strcmp(l, "condition") == 0) {
			snprintf(ci->condition, sizeof(ci->condition), "%s", val);
			seen |= 2;
		} else if (strcmp(l, "fired_by") == 0) {
			if (sscanf(val, "%7s %llu %d %llu", kind, (unsigned long long *)&ts, &pid,
				   (unsigned long long *)&ns) != 4 || (strcmp(kind, "stall") && strcmp(kind, "run")))
				bad = 1;
			else {
				snprintf(ci->fired_kind, sizeof(ci->fired_kind), "%s", kind);
				ci->fired_ts_ns = ts;
				ci->fired_pid = pid;
				ci->fired_value_ns = ns;
			}
		} else if (number(val, &v) < 0) {
			bad = 1;
		} else if (strcmp(l, "trigger_ts_ns") == 0) {
			ci->trigger_ts_ns = v;
			seen |= 4;
		} else if (strcmp(l, "window_start_ns") == 0) {
			ci->window_start_ns = v;
			seen |= 8;
		} else if (strcmp(l, "window_end_ns") == 0) {
			ci->window_end_ns = v;
			seen |= 16;
		} else if (strcmp(l, "data_start_ns") == 0) {
			ci->data_start_ns = v;
		} else if (strcmp(l, "triggers") == 0) {
			ci->triggers = v > UINT32_MAX ? UINT32_MAX : (uint32_t)v;
		} else if (strcmp(l, "snapshot_ns") == 0) {
			ci->snapshot_ns = v;
		}
		if (bad) {
			snprintf(err, errlen, "capture attachment line %d: bad value for %s", line, l);
			return -CT_E_PARSE;
		}
		p += ll + 1;
	}
	if (seen != 31) {
		snprintf(err, errlen, "capture attachment: reason, condition, trigger_ts_ns, window_start_ns "
			 "or window_end_ns missing");
		return -CT_E_PARSE;
	}
	return 0;
}

int ct_capture_fired_stall(const struct ct_capture_info *ci, const struct ct_stall *st)
{
	return strcmp(ci->fired_kind, "stall") == 0 && st->ts_ns == ci->fired_ts_ns && st->pid == ci->fired_pid;
}

int ct_capture_fired_run(const struct ct_capture_info *ci, const struct ct_run *run)
{
	return strcmp(ci->fired_kind, "run") == 0 && run->begin_ns == ci->fired_ts_ns && run->pid == ci->fired_pid;
}

static int m_begin(void *ctx, const char *path, const char *format)
{
	struct ct_capture_marker *m = ctx;
	const void *text;
	size_t len;

	(void)path;
	(void)format;
	text = m->get ? m->get(m->get_ctx, CT_CAPTURE_ATTACHMENT, &len) : NULL;
	if (!text || m->have)
		return 0;
	if (ct_capture_info_parse(text, len, &m->info, m->err, sizeof(m->err)) < 0)
		m->bad = 1;
	else
		m->have = 1;
	return 0;
}

static int m_stall(void *ctx, const struct ct_stall *st)
{
	struct ct_capture_marker *m = ctx;

	if (m->have && !m->info.found && ct_capture_fired_stall(&m->info, st)) {
		m->info.stall = *st;
		m->info.found = 1;
	}
	return 0;
}

static int m_run(void *ctx, const struct ct_run *run)
{
	struct ct_capture_marker *m = ctx;

	if (m->have && !m->info.found && ct_capture_fired_run(&m->info, run)) {
		m->info.run = *run;
		m->info.found = 1;
	}
	return 0;
}

static const struct ct_sink_ops marker_ops = {
	.name = "capture-marker",
	.begin_source = m_begin,
	.run = m_run,
	.stall = m_stall,
};

struct ct_sink ct_capture_marker_sink(struct ct_capture_marker *m)
{
	return (struct ct_sink){ .ops = &marker_ops, .ctx = m };
}
