// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * perf script text:
 *
 *             bash  2463 [000]   220.742210:   compaction:mm_compaction_begin: zone_start=0x1 ...
 *             bash  2463/2463  [000]   220.742210: ...      (-F +pid)
 *             bash  2463   220.742210: ...                  (recorded without -a: no cpu)
 *             perf  4412 [001]   476.257637: PERF_RECORD_LOST lost 1756
 *
 * Unlike ftrace, the task name is separated from the pid by spaces, not '-'.
 */
#include <string.h>

#include "registry.h"
#include "text.h"

/* "PID" or "PID/TID" (perf prints -1 for samples without a task); the tid is the kernel's pid */
static int parse_pid(const char *s, size_t n, int32_t *pid)
{
	const char *slash = memchr(s, '/', n);
	int32_t ignored;

	if (!slash)
		return ct_text_parse_i32(s, n, pid);
	if (ct_text_parse_i32(s, (size_t)(slash - s), &ignored))
		return -1;
	return ct_text_parse_i32(slash + 1, n - (size_t)(slash - s) - 1, pid);
}

static int perf_head_at(const char *s, size_t tok, struct ct_text_head *h)
{
	size_t b = ct_text_back_spaces(s, 0, tok), a = ct_text_word_start(s, 0, b), c0, c1;
	int32_t cpu = -1, pid;

	if (a == b)
		return -1;
	if (s[a] == '[') {
		if (ct_text_bracket_cpu(s + a, b - a, &cpu))
			return -1;
		b = ct_text_back_spaces(s, 0, a);
		a = ct_text_word_start(s, 0, b);
		if (a == b)
			return -1;
	}
	if (parse_pid(s + a, b - a, &pid))
		return -1;
	c0 = ct_text_skip_spaces(s, 0, a);	/* perf pads the task name to 16 */
	c1 = ct_text_back_spaces(s, c0, a);
	if (c1 == c0)	/* perf always prints a task name */
		return -1;
	h->comm = s + c0;
	h->comm_len = c1 - c0;
	h->pid = pid;
	h->cpu = cpu;
	return 0;
}

static int perf_head(const char *s, size_t n, struct ct_text_head *h)
{
	size_t tok, colon, at = 0;

	while (ct_text_find_ts(s, n, at, &tok, &colon) == 0) {
		if (perf_head_at(s, tok, h) == 0) {
			if (ct_text_parse_ts(s + tok, colon - tok, &h->ts_ns) ||
			    ct_text_split_event(s, n, colon + 1, h))
				return -1;
			return 0;
		}
		at = colon + 1;
	}
	return -1;
}

static int name_is(const struct ct_text_head *h, const char *lit)
{
	size_t l = strlen(lit);

	return h->name_len == l && memcmp(h->name, lit, l) == 0;
}

/* --show-lost-events: "PERF_RECORD_LOST lost 1756" (also ..._LOST_SAMPLES) */
static int lost_count(const struct ct_text_head *h, uint64_t *count)
{
	const char *s = h->payload;
	size_t n = h->payload_len, i = 0, d;

	if (!name_is(h, "PERF_RECORD_LOST") && !name_is(h, "PERF_RECORD_LOST_SAMPLES"))
		return -1;
	if (!ct_text_has_prefix(s, n, "lost"))
		return -2;
	for (i = 4; i < n && (s[i] == ' ' || s[i] == ':' || s[i] == '='); i++)
		;
	for (d = i; d < n && s[d] >= '0' && s[d] <= '9'; d++)
		;
	return ct_text_parse_u64(s + i, d - i, count) ? -2 : 0;
}

static int perf_line(struct ct_text_parser *p, const char *s, size_t n, struct ct_event *ev)
{
	struct ct_text_head h;
	uint64_t count;
	int r;

	/* "#" header (--header), tab-indented callchain lines under a sample */
	if (s[0] == '#' || s[0] == '\t')
		return 0;
	if (perf_head(s, n, &h)) {
		ct_text_parse_error(p, ev);
		return 1;
	}
	if (h.name[0] == 'P' && (r = lost_count(&h, &count)) != -1) {
		if (r == 0) {
			p->last_ts = h.ts_ns;
			p->seen_event = 1;	/* a chunk's decoder knows the time from here on */
			ct_text_lost(p, ev, h.cpu, count);
		} else {
			ct_text_parse_error(p, ev);
		}
		return 1;
	}
	ct_text_event(p, &h, ev);
	return 1;
}

struct probe_ctx {
	int good, bad, named;	/* named: "system:event:" as perf prints it */
};

static int probe_line(const char *s, size_t n, size_t idx, void *arg)
{
	struct probe_ctx *c = arg;
	struct ct_text_head h;

	(void)idx;
	if (ct_text_is_blank(s, n) || s[0] == '#' || s[0] == '\t')
		return 0;
	if (perf_head(s, n, &h) == 0) {
		c->good++;
		c->named += h.name > s && h.name[-1] == ':';
	} else {
		c->bad++;
	}
	return 0;
}

static int perf_probe(const unsigned char *prefix, size_t len)
{
	struct probe_ctx c = { 0 };

	ct_text_probe_lines(prefix, len, probe_line, &c);
	if (c.good == 0 || c.good < c.bad)
		return 0;
	return c.named ? 80 : 60;
}

static int perf_open(struct ct_input *in, void **state, char *err, size_t errlen)
{
	return ct_text_open(in, perf_line, state, err, errlen);
}

const struct ct_parser_ops ct_perf_script_ops = {
	.format = CT_FORMAT_PERF_SCRIPT,
	.probe = perf_probe,
	.open = perf_open,
	.next = ct_text_next,
	.free = ct_text_free,
	CT_TEXT_CHUNK_OPS,
};
