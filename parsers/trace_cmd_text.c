// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * trace-cmd report text:
 *
 *   version = 6
 *   cpus=2
 *   ctprobe:             bash-2463  [000]   220.742210: mm_compaction_begin:  zone_start=0x1 ...
 *   CPU:1 [123 EVENTS DROPPED]
 *
 * The head is ftrace's without the flags column (with -l it is "bash-2463
 * 0....."), optionally behind an instance name; event names are padded.
 */
#include <string.h>

#include "registry.h"
#include "text.h"

/* Length of an instance prefix "name: " at the start of @s, 0 when there is none. */
static size_t instance_prefix(const char *s, size_t n)
{
	const char *sp;
	size_t w;

	if (n == 0 || s[0] == ' ')	/* task columns are right-aligned */
		return 0;
	sp = memchr(s, ' ', n);
	if (!sp)
		return 0;
	w = (size_t)(sp - s);
	return w >= 2 && s[w - 1] == ':' ? w : 0;
}

/* Lines trace-cmd prints about the file, not events. */
static int is_info_line(const char *s, size_t n)
{
	return ct_text_has_prefix(s, n, "cpus=") || ct_text_has_prefix(s, n, "version =") ||
	       ct_text_has_prefix(s, n, "version=") ||
	       (ct_text_has_prefix(s, n, "CPU ") && n > 9 &&
		memcmp(s + n - 9, " is empty", 9) == 0);
}

static int trace_cmd_line(struct ct_text_parser *p, const char *s, size_t n, struct ct_event *ev)
{
	struct ct_text_head h;
	size_t from, rest;
	uint64_t count;
	int32_t cpu;

	if (s[0] == '#' || is_info_line(s, n))
		return 0;
	from = instance_prefix(s, n);
	rest = ct_text_skip_spaces(s, from, n);
	if (rest < n && s[rest] == 'C' && ct_text_parse_cpu_lost(s + rest, n - rest, &cpu, &count)) {
		ct_text_lost(p, ev, cpu, count);
		return 1;
	}
	if (from && is_info_line(s + rest, n - rest))
		return 0;
	if (ct_text_parse_ftrace_head(s, n, from, &h) == 0) {
		ct_text_event(p, &h, ev);
		return 1;
	}
	ct_text_parse_error(p, ev);
	return 1;
}

struct probe_ctx {
	int header;	/* "cpus=N" or "version = N" first */
	int prefixed;	/* event lines behind an instance name */
	int dropped;	/* "CPU:N [K EVENTS DROPPED]" */
	int good, bad;
	int seen;	/* non-blank lines so far */
};

static int probe_line(const char *s, size_t n, size_t idx, void *arg)
{
	struct probe_ctx *c = arg;
	struct ct_text_head h;
	size_t from, rest;
	uint64_t count;
	int32_t cpu;

	(void)idx;
	if (ct_text_is_blank(s, n))
		return 0;
	if (c->seen++ == 0 &&
	    (ct_text_has_prefix(s, n, "cpus=") || ct_text_has_prefix(s, n, "version =")))
		c->header = 1;
	if (s[0] == '#' || is_info_line(s, n))
		return 0;
	from = instance_prefix(s, n);
	rest = ct_text_skip_spaces(s, from, n);
	if (ct_text_parse_cpu_lost(s + rest, n - rest, &cpu, &count)) {
		c->good++;
		c->dropped += memmem(s, n, "DROPPED", 7) != NULL;
	} else if (ct_text_parse_ftrace_head(s, n, from, &h) == 0) {
		c->good++;
		c->prefixed += from > 0;
	} else {
		c->bad++;
	}
	return 0;
}

static int trace_cmd_probe(const unsigned char *prefix, size_t len)
{
	struct probe_ctx c = { 0 };

	ct_text_probe_lines(prefix, len, probe_line, &c);
	if (c.good < c.bad)
		return 0;
	if (c.header)
		return 95;
	if (c.prefixed)
		return 85;
	if (c.dropped)
		return 75;
	return 0;	/* plain "comm-pid [cpu] ts:" lines: ftrace text reads them the same */
}

static int trace_cmd_open(struct ct_input *in, void **state, char *err, size_t errlen)
{
	return ct_text_open(in, trace_cmd_line, state, err, errlen);
}

const struct ct_parser_ops ct_trace_cmd_text_ops = {
	.format = CT_FORMAT_TRACE_CMD_TEXT,
	.probe = trace_cmd_probe,
	.open = trace_cmd_open,
	.next = ct_text_next,
	.free = ct_text_free,
	CT_TEXT_CHUNK_OPS,
};
