// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * ftrace text: /sys/kernel/tracing/trace (with its "#" header) and
 * trace_pipe (no header, "CPU:N [LOST K EVENTS]" lines).
 *
 *             bash-2463    [000] .....   220.742210: mm_compaction_begin: zone_start=0x1 ...
 */
#include <string.h>

#include "registry.h"
#include "text.h"

#define ENTRIES_TAG "# entries-in-buffer/entries-written:"

/* "# entries-in-buffer/entries-written: A/B   #P:2": B - A events were overwritten */
static int entries_lost(const char *s, size_t n, uint64_t *lost)
{
	size_t i = sizeof(ENTRIES_TAG) - 1, a0, a1, b0;
	uint64_t a, b;

	if (!ct_text_has_prefix(s, n, ENTRIES_TAG))
		return 0;
	while (i < n && s[i] == ' ')
		i++;
	for (a0 = i; i < n && s[i] >= '0' && s[i] <= '9'; i++)
		;
	a1 = i;
	if (i >= n || s[i] != '/')
		return 0;
	for (b0 = ++i; i < n && s[i] >= '0' && s[i] <= '9'; i++)
		;
	if (ct_text_parse_u64(s + a0, a1 - a0, &a) || ct_text_parse_u64(s + b0, i - b0, &b))
		return 0;
	*lost = b > a ? b - a : 0;
	return 1;
}

/* stack traces (options/stacktrace) print " => func" lines under an event */
static int is_stack_line(const char *s, size_t n)
{
	size_t i = ct_text_skip_spaces(s, 0, n);

	return ct_text_has_prefix(s + i, n - i, "=>") ||
	       ct_text_has_prefix(s + i, n - i, "<stack trace>") ||
	       ct_text_has_prefix(s + i, n - i, "<user stack trace>");
}

static int ftrace_line(struct ct_text_parser *p, const char *s, size_t n, struct ct_event *ev)
{
	struct ct_text_head h;
	uint64_t count;
	int32_t cpu;

	if (s[0] == '#') {
		if (entries_lost(s, n, &count) && count > 0) {
			ct_text_lost(p, ev, -1, count);
			return 1;
		}
		return 0;
	}
	if (s[0] == 'C' && ct_text_parse_cpu_lost(s, n, &cpu, &count)) {
		ct_text_lost(p, ev, cpu, count);
		return 1;
	}
	if (ct_text_parse_ftrace_head(s, n, 0, &h) == 0) {
		ct_text_event(p, &h, ev);
		return 1;
	}
	if (is_stack_line(s, n))
		return 0;
	ct_text_parse_error(p, ev);
	return 1;
}

struct probe_ctx {
	int header;	/* "# tracer:" first */
	int good, bad;
};

static int probe_line(const char *s, size_t n, size_t idx, void *arg)
{
	struct probe_ctx *c = arg;
	struct ct_text_head h;
	uint64_t count;
	int32_t cpu;

	if (idx == 0 && ct_text_has_prefix(s, n, "# tracer:"))
		c->header = 1;
	if (ct_text_is_blank(s, n) || s[0] == '#' || is_stack_line(s, n))
		return 0;
	if (ct_text_parse_cpu_lost(s, n, &cpu, &count) || ct_text_parse_ftrace_head(s, n, 0, &h) == 0)
		c->good++;
	else
		c->bad++;
	return 0;
}

static int ftrace_probe(const unsigned char *prefix, size_t len)
{
	struct probe_ctx c = { 0 };

	ct_text_probe_lines(prefix, len, probe_line, &c);
	if (c.header && c.good >= c.bad)
		return 90;
	if (c.good > 0 && c.good >= c.bad)
		return 70;
	return 0;
}

static int ftrace_open(struct ct_input *in, void **state, char *err, size_t errlen)
{
	return ct_text_open(in, ftrace_line, state, err, errlen);
}

const struct ct_parser_ops ct_ftrace_text_ops = {
	.format = CT_FORMAT_FTRACE_TEXT,
	.probe = ftrace_probe,
	.open = ftrace_open,
	.next = ct_text_next,
	.free = ct_text_free,
	CT_TEXT_CHUNK_OPS,
};
