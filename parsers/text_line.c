// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Line splitting, number and timestamp parsing, and the read loop shared by
 * the three text formats. Nothing here allocates per line: lines point into
 * the struct ct_input buffer and numbers are parsed by hand.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compactrace/error.h"
#include "core/util.h"
#include "text.h"

#define NSEC_PER_SEC 1000000000ULL

static inline int is_digit(char c)
{
	return (unsigned char)(c - '0') < 10;
}

int ct_line_next(struct ct_line_reader *r, struct ct_line *line)
{
	struct ct_input *in = r->in;

	for (;;) {
		size_t unread = in->len - in->pos;
		/* nothing buffered yet (a forced format reads nothing at open): no NULL + 0 */
		const char *start = in->buf ? (const char *)in->buf + in->pos : "";
		const char *nl = NULL;
		long got;

		if (unread > r->scanned)
			nl = memchr(start + r->scanned, '\n', unread - r->scanned);
		if (nl) {
			size_t len = (size_t)(nl - start);

			in->pos += len + 1;
			r->scanned = 0;
			r->lineno++;
			line->flags = 0;
			/* the same limit whether or not the whole line happened to be buffered */
			if (r->skipping || len > CT_TEXT_MAX_LINE) {
				r->skipping = 0;
				line->s = "";
				line->len = 0;
				line->flags = CT_LINE_TOO_LONG;
				return 1;
			}
			if (len && start[len - 1] == '\r')
				len--;
			line->s = start;
			line->len = len;
			return 1;
		}
		r->scanned = unread;
		if (r->skipping || unread > CT_TEXT_MAX_LINE) {
			/* drop an over-long line as it arrives so memory stays bounded */
			r->skipping = 1;
			in->pos = in->len;
			r->scanned = 0;
			unread = 0;
		}
		if (in->eof) {
			if (r->skipping) {
				r->skipping = 0;
				r->lineno++;
				line->s = "";
				line->len = 0;
				line->flags = CT_LINE_TOO_LONG | CT_LINE_UNTERMINATED;
				return 1;
			}
			if (unread == 0)
				return 0;
			in->pos = in->len;
			r->scanned = 0;
			r->lineno++;
			if (start[unread - 1] == '\r')
				unread--;
			line->s = start;
			line->len = unread;
			line->flags = CT_LINE_UNTERMINATED;
			return 1;
		}
		/* want=1: one read() of what is there, so pipes stream line by line */
		got = ct_input_fill(in, 1);
		if (got < 0)
			return (int)got;
	}
}

/*
 * Eight bytes as one number if all are digits ("00123456" -> 123456), else
 * -1: a digit is a byte whose value minus '0' is below 10, tested on all
 * eight at once; then pairs, quads and halves are combined by multiplies.
 */
static int64_t eight_digits(uint64_t w)
{
	uint64_t x = w - 0x3030303030303030ULL;
	/*
	 * The first byte below '0' sets its own high bit in x (whatever it
	 * borrows above it only adds flags); any other non-digit lands on
	 * 0x80 or more once 0x76 is added.
	 */
	uint64_t bad = (x | (x + 0x7676767676767676ULL)) & 0x8080808080808080ULL;

	if (bad)
		return -1;
	x = (x * 10) + (x >> 8);	/* each byte pair: its two-digit value in the low byte */
	x = (((x & 0x000000FF000000FFULL) * (100 + (1000000ULL << 32))) +
	     (((x >> 16) & 0x000000FF000000FFULL) * (1 + (10000ULL << 32)))) >> 32;
	return (int64_t)x;
}

/*
 * The common case, "SECS.UUUUUU" (microseconds, as ftrace and trace-cmd
 * print them) with the seconds in at most 8 digits, without a loop over the
 * fraction; 0, or -1 for anything else (the general parser decides).
 */
static int parse_ts_usecs(const char *s, size_t n, uint64_t *ns)
{
	uint64_t w, sec = 0;
	int64_t frac;
	size_t k = n - 7;	/* the dot */

	if (n < 8 || n > 15 || s[k] != '.' || __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__)
		return -1;
	memcpy(&w, s + n - 8, 8);	/* "D.UUUUUU": the dot and the digit before become "00" */
	frac = eight_digits((w & ~0xFFFFULL) | 0x3030ULL);
	if (frac < 0 || !is_digit(s[k - 1]))
		return -1;
	for (size_t i = 0; i < k; i++) {
		if (!is_digit(s[i]))
			return -1;
		sec = sec * 10 + (uint64_t)(s[i] - '0');
	}
	*ns = sec * NSEC_PER_SEC + (uint64_t)frac * 1000;
	return 0;
}

int ct_text_parse_ts(const char *s, size_t n, uint64_t *ns)
{
	static const uint64_t scale[10] = {
		1000000000, 100000000, 10000000, 1000000, 100000,
		10000, 1000, 100, 10, 1,
	};
	uint64_t sec = 0, frac = 0;
	size_t i = 0, fdigits = 0;

	if (parse_ts_usecs(s, n, ns) == 0)
		return 0;
	while (i < n && is_digit(s[i])) {
		if (i >= 19)	/* more would overflow before the range check */
			return -1;
		sec = sec * 10 + (uint64_t)(s[i] - '0');
		i++;
	}
	if (i == 0 || sec > UINT64_MAX / NSEC_PER_SEC)
		return -1;
	if (i < n) {
		if (s[i] != '.' || i + 1 == n)
			return -1;
		for (i++; i < n; i++) {
			if (!is_digit(s[i]))
				return -1;
			if (fdigits < 9) {	/* finer than ns is dropped */
				frac = frac * 10 + (uint64_t)(s[i] - '0');
				fdigits++;
			}
		}
		frac *= scale[fdigits];
	}
	if (sec * NSEC_PER_SEC > UINT64_MAX - frac)
		return -1;
	*ns = sec * NSEC_PER_SEC + frac;
	return 0;
}

/* what a timestamp is made of: 1 a digit, 2 its dot (one table load a byte instead of three tests) */
static const unsigned char ts_char[256] = {
	['.'] = 2, ['0'] = 1, ['1'] = 1, ['2'] = 1, ['3'] = 1, ['4'] = 1,
	['5'] = 1, ['6'] = 1, ['7'] = 1, ['8'] = 1, ['9'] = 1,
};

/* how many bytes of @m have their high bit set (and no other bit): summed into the top byte */
static inline int bytes_set(uint64_t m)
{
	return (int)(((m >> 7) * 0x0101010101010101ULL) >> 56);
}

/*
 * Where the run of digits and dots that ends at @end starts (not before
 * @from), adding its dots to *@dots. Eight bytes at a time: per byte, the
 * high bit of @ok says digit or dot, computed on seven-bit lanes so that
 * no lane carries into the next.
 */
static size_t ts_start(const char *s, size_t from, size_t end, int *dots)
{
	const uint64_t lows = 0x7F7F7F7F7F7F7F7FULL, highs = 0x8080808080808080ULL, ones = 0x0101010101010101ULL;

#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	while (end - from >= 8) {
		uint64_t w, y, digit, dot, ok;

		memcpy(&w, s + end - 8, 8);
		y = w & lows;
		digit = (y + 0x50 * ones) & ~(y + 0x46 * ones);	/* at least '0', below ':' */
		dot = ~(((y ^ 0x2E * ones) + lows) | (y ^ 0x2E * ones));	/* exactly '.' */
		digit &= ~w & highs;	/* and ASCII */
		dot &= ~w & highs;
		ok = digit | dot;
		if (ok == highs) {
			*dots += bytes_set(dot);
			end -= 8;
			continue;
		}
		/* the bytes above the last one that is neither (memory order: the high bytes) */
		{
			unsigned keep = (unsigned)__builtin_clzll(~ok & highs) >> 3;

			*dots += keep ? bytes_set(dot >> (64 - 8 * keep)) : 0;
			return end - keep;
		}
	}
#endif
	while (end > from && ts_char[(unsigned char)s[end - 1]]) {
		*dots += ts_char[(unsigned char)s[end - 1]] >> 1;
		end--;
	}
	return end;
}

int ct_text_find_ts(const char *s, size_t n, size_t from, size_t *tok, size_t *colon)
{
	size_t i = from;

	while (i < n) {
		const char *c = memchr(s + i, ':', n - i);
		size_t ci, t;
		int dots = 0;

		if (!c)
			return -1;
		ci = (size_t)(c - s);
		i = ci + 1;
		if (ci + 1 < n && s[ci + 1] != ' ')
			continue;
		t = ts_start(s, from, ci, &dots);
		if (t == ci || t == from || s[t - 1] != ' ' || dots > 1 ||
		    !is_digit(s[t]) || !is_digit(s[ci - 1]))
			continue;
		*tok = t;
		*colon = ci;
		return 0;
	}
	return -1;
}

int ct_text_split_event(const char *s, size_t n, size_t after, struct ct_text_head *h)
{
	size_t i = ct_text_skip_spaces(s, after, n), sys_end, j, p;
	int has_colon = 0;

	sys_end = i;
	for (j = i; (j = (size_t)(ct_text_find3(s + j, s + n, ' ', ':', '\0') - s)) < n; j++) {
		char c = s[j];

		if (c == ' ')
			break;
		if (c == '\0')	/* not text: a name never holds a NUL (the engine copies it as a string) */
			return -1;
		/* ':' */
		if (j + 1 == n || s[j + 1] == ' ') {
			has_colon = 1;
			break;
		}
		sys_end = j + 1;	/* "system:" before the event name */
	}
	if (sys_end == j)	/* no name at all, or "system:" alone */
		return -1;
	h->name = s + sys_end;
	h->name_len = j - sys_end;
	p = ct_text_skip_spaces(s, j + (size_t)has_colon, n);
	while (n > p && (s[n - 1] == ' ' || s[n - 1] == '\t'))
		n--;
	h->payload = s + p;
	h->payload_len = n - p;
	return 0;
}

/* Match the literal @lit at s[*i..n) and advance *i past it. */
static int eat(const char *s, size_t n, size_t *i, const char *lit)
{
	size_t l = strlen(lit);

	if (n - *i < l || memcmp(s + *i, lit, l) != 0)
		return 0;
	*i += l;
	return 1;
}

/* Digits at s[*i..n) as a u64, advancing *i; 0 when there are none or on overflow. */
static int eat_u64(const char *s, size_t n, size_t *i, uint64_t *v)
{
	size_t st = *i;

	while (*i < n && is_digit(s[*i]))
		(*i)++;
	return *i > st && ct_text_parse_u64(s + st, *i - st, v) == 0;
}

int ct_text_parse_cpu_lost(const char *s, size_t n, int32_t *cpu, uint64_t *count)
{
	size_t i = 0;
	uint64_t c, k = 0;	/* no number: an unknown count */

	if (!eat(s, n, &i, "CPU:") || !eat_u64(s, n, &i, &c) || c > INT32_MAX)
		return 0;
	if (!eat(s, n, &i, " ["))
		return 0;
	if (eat(s, n, &i, "LOST ")) {		/* ftrace */
		if (!eat(s, n, &i, "EVENTS]") &&
		    !(eat_u64(s, n, &i, &k) && eat(s, n, &i, " EVENTS]")))
			return 0;
	} else if (!eat(s, n, &i, "EVENTS DROPPED]") &&	/* trace-cmd */
		   !(eat_u64(s, n, &i, &k) && eat(s, n, &i, " EVENTS DROPPED]"))) {
		return 0;
	}
	if (!ct_text_is_blank(s + i, n - i))
		return 0;
	*cpu = (int32_t)c;
	*count = k;
	return 1;
}

/* The columns between task and timestamp: "[CPU]", "[CPU] FLAGS", or trace-cmd -l's "CPUFLAGS". */
static int ftrace_cpu_columns(const char *s, size_t from, size_t *i, int32_t *cpu)
{
	size_t b = ct_text_back_spaces(s, from, *i), a = ct_text_word_start(s, from, b), d;

	if (a == b)
		return -1;
	if (ct_text_bracket_cpu(s + a, b - a, cpu) == 0) {
		*i = a;
		return 0;
	}
	for (d = a; d < b && is_digit(s[d]); d++)
		;
	if (d > a) {	/* trace-cmd -l: "0....." (flags never start with a digit) */
		if (d == b || ct_text_parse_i32(s + a, d - a, cpu))
			return -1;
		*i = a;
		return 0;
	}
	if (b - a > 8 || memchr(s + a, '[', b - a))	/* flags are 4 or 5 characters */
		return -1;
	b = ct_text_back_spaces(s, from, a);
	a = ct_text_word_start(s, from, b);
	if (a == b || ct_text_bracket_cpu(s + a, b - a, cpu))
		return -1;
	*i = a;
	return 0;
}

static int ftrace_head_at(const char *s, size_t from, size_t tok, struct ct_text_head *h)
{
	size_t i = tok, pe, c0;
	int32_t cpu, pid;

	if (ftrace_cpu_columns(s, from, &i, &cpu))
		return -1;
	i = ct_text_back_spaces(s, from, i);
	if (i > from && s[i - 1] == ')') {	/* record-tgid: "(   2463)" or "(-------)" */
		size_t j = i - 1;

		while (j > from && s[j - 1] != '(')
			j--;
		if (j == from)
			return -1;
		i = ct_text_back_spaces(s, from, j - 1);
	}
	pe = i;
	while (i > from && is_digit(s[i - 1]))
		i--;
	if (i == pe || i == from || s[i - 1] != '-' || ct_text_parse_i32(s + i, pe - i, &pid))
		return -1;
	c0 = ct_text_skip_spaces(s, from, i - 1);
	h->comm = s + c0;
	h->comm_len = i - 1 - c0;
	h->pid = pid;
	h->cpu = cpu;
	return 0;
}

int ct_text_parse_ftrace_head(const char *s, size_t n, size_t from, struct ct_text_head *h)
{
	size_t tok, colon, at = from;

	/* a task name may itself hold "N: ", so try each candidate timestamp */
	while (ct_text_find_ts(s, n, at, &tok, &colon) == 0) {
		if (ftrace_head_at(s, from, tok, h) == 0) {
			if (ct_text_parse_ts(s + tok, colon - tok, &h->ts_ns) ||
			    ct_text_split_event(s, n, colon + 1, h))
				return -1;
			return 0;
		}
		at = colon + 1;
	}
	return -1;
}

int ct_text_is_blank(const char *s, size_t n)
{
	/* event lines start with padding but end in text: look at the end first */
	if (n && s[n - 1] != ' ' && s[n - 1] != '\t')
		return 0;
	for (size_t i = 0; i < n; i++)
		if (s[i] != ' ' && s[i] != '\t')
			return 0;
	return 1;
}

void ct_text_probe_lines(const unsigned char *prefix, size_t len, ct_text_probe_fn fn, void *ctx)
{
	const char *s = (const char *)prefix;
	size_t pos = 0, idx = 0;

	while (pos < len && idx < CT_TEXT_PROBE_LINES) {
		const char *nl = memchr(s + pos, '\n', len - pos);
		size_t end = nl ? (size_t)(nl - s) : len, n;

		/* the prefix may cut its last line; use it only if it is all we have */
		if (!nl && idx > 0)
			break;
		n = end - pos;
		if (n && s[pos + n - 1] == '\r')
			n--;
		if (fn(s + pos, n, idx++, ctx))
			break;
		pos = end + 1;
	}
}

static void reset_marker(struct ct_text_parser *p, struct ct_event *ev, enum ct_event_type type)
{
	memset(ev, 0, sizeof(*ev));
	ev->type = (uint16_t)type;
	ev->ts_ns = p->last_ts;
	ev->pid = -1;
	ev->cpu = -1;
	ev->name = "";
	p->stamped = 1;
}

void ct_text_lost(struct ct_text_parser *p, struct ct_event *ev, int32_t cpu, uint64_t count)
{
	reset_marker(p, ev, CT_EV_LOST);
	ev->cpu = cpu;
	ev->u.lost.count = count;
}

void ct_text_parse_error(struct ct_text_parser *p, struct ct_event *ev)
{
	reset_marker(p, ev, CT_EV_PARSE_ERROR);
	ev->u.perr.where = p->lr.lineno;
}

int ct_text_open(struct ct_input *in, ct_text_line_fn line, void **state,
		 char *err, size_t errlen)
{
	struct ct_text_parser *p = calloc(1, sizeof(*p));

	if (!p) {
		snprintf(err, errlen, "%s: %s", in->path, ct_strerror(-CT_E_NOMEM));
		return -CT_E_NOMEM;
	}
	p->lr.in = in;
	p->line = line;
	*state = p;
	return 0;
}

static int read_failed(struct ct_text_parser *p, int ret, int saved_errno, char *err, size_t errlen)
{
	struct ct_input *in = p->lr.in;
	unsigned long long at = (unsigned long long)(in->consumed + in->len);

	if (ret == -CT_E_NOMEM)
		snprintf(err, errlen, "%s: read error at byte %llu: %s", in->path, at,
			 ct_strerror(ret));
	else
		snprintf(err, errlen, "%s: read error at byte %llu: %s", in->path, at,
			 strerror(saved_errno));
	return ret;
}

/* one line into @ev: 1 with an event, 0 when the line gives none */
static int line_event(struct ct_text_parser *p, const struct ct_line *line, struct ct_event *ev)
{
	if (line->flags & CT_LINE_TOO_LONG) {
		ct_text_parse_error(p, ev);
		return 1;
	}
	if (ct_text_is_blank(line->s, line->len) || !p->line(p, line->s, line->len, ev))
		return 0;
	if (ev->type != CT_EV_LOST && ev->type != CT_EV_PARSE_ERROR) {	/* a kernel event */
		if (line->flags & CT_LINE_UNTERMINATED) {
			/* cut off mid-write: its last field may be incomplete */
			memset(&ev->u, 0, sizeof(ev->u));
			ev->type = CT_EV_PARSE_ERROR;
			ev->u.perr.where = p->lr.lineno;
		}
		p->last_ts = ev->ts_ns;
		p->seen_event = 1;
	}
	return 1;
}

int ct_text_next(void *state, struct ct_event *ev, char *err, size_t errlen)
{
	struct ct_text_parser *p = state;
	struct ct_line line;

	for (;;) {
		int ret = ct_line_next(&p->lr, &line);

		if (ret < 0)
			return read_failed(p, ret, errno, err, errlen);
		if (ret == 0)
			return 0;
		if (line_event(p, &line, ev))
			return 1;
	}
}

/* copy @n bytes of @s into the chunk */
static int chunk_put(struct ct_chunk *c, const char *s, size_t n)
{
	if (n > c->cap) {
		char *b = realloc(c->buf, n);

		if (!b)
			return -CT_E_NOMEM;
		ct_populate(b, n);	/* filled next: no fault per page */
		c->buf = b;
		c->cap = n;
	}
	memcpy(c->buf, s, n);
	c->len = n;
	return 0;
}

/* an over-long line from in->pos: drop it up to its '\n' (or the end) as ct_line_next() does */
static int chunk_skip_line(struct ct_text_parser *p, struct ct_chunk *c, char *err, size_t errlen)
{
	struct ct_input *in = p->lr.in;

	c->flags = CT_CHUNK_TOO_LONG;
	c->len = 0;
	for (;;) {
		const char *start = (const char *)in->buf + in->pos;
		const char *nl = in->len > in->pos ? memchr(start, '\n', in->len - in->pos) : NULL;
		long got;

		if (nl) {
			in->pos += (size_t)(nl - start) + 1;
			return 1;
		}
		in->pos = in->len;
		if (in->eof) {
			c->flags |= CT_CHUNK_LAST;
			return 1;
		}
		got = ct_input_fill(in, CT_TEXT_CHUNK);
		if (got < 0)
			return read_failed(p, (int)got, errno, err, errlen);
	}
}

int ct_text_read_chunk(void *state, struct ct_chunk *c, char *err, size_t errlen)
{
	struct ct_text_parser *p = state;
	struct ct_input *in = p->lr.in;

	c->flags = 0;
	c->len = 0;
	p->lr.scanned = 0;
	for (;;) {
		size_t unread = in->len - in->pos, look = unread < CT_TEXT_CHUNK ? unread : CT_TEXT_CHUNK;
		const char *start = in->buf ? (const char *)in->buf + in->pos : "";
		const char *nl = NULL;
		long got;

		if (unread >= CT_TEXT_CHUNK || in->eof) {
			/* whole lines, about a chunk of them; a line running past it, whole */
			nl = look ? memrchr(start, '\n', look) : NULL;
			if (!nl && unread > look)
				nl = memchr(start + look, '\n', unread - look);
			if (nl && (size_t)(nl - start) > CT_TEXT_MAX_LINE &&
			    !memrchr(start, '\n', (size_t)(nl - start)))
				return chunk_skip_line(p, c, err, errlen);	/* one line, too long */
			if (nl) {
				if (chunk_put(c, start, (size_t)(nl - start) + 1) < 0)
					return read_failed(p, -CT_E_NOMEM, 0, err, errlen);
				in->pos += c->len;
				return 1;
			}
			if (unread > CT_TEXT_MAX_LINE)
				return chunk_skip_line(p, c, err, errlen);
			if (in->eof) {
				if (!unread)
					return 0;
				if (chunk_put(c, start, unread) < 0)
					return read_failed(p, -CT_E_NOMEM, 0, err, errlen);
				in->pos = in->len;
				c->flags = CT_CHUNK_LAST;
				return 1;
			}
		}
		got = ct_input_fill(in, CT_TEXT_CHUNK);
		if (got < 0)
			return read_failed(p, (int)got, errno, err, errlen);
	}
}

int ct_text_decode_chunk(const void *state, struct ct_chunk *c)
{
	const struct ct_text_parser *base = state;
	struct ct_text_parser *p = c->scratch;
	const char *s = c->buf, *end = c->buf + c->len;

	if (!p) {
		p = calloc(1, sizeof(*p));
		if (!p)
			return -CT_E_NOMEM;
		p->line = base->line;
		c->scratch = p;
	}
	/* line numbers and the last time from the chunk's start; ct_text_finish_chunk() adds what came before */
	p->lr.lineno = 0;
	p->last_ts = 0;
	p->seen_event = 0;
	c->nev = c->nlead = 0;
	do {
		struct ct_line line = { "", 0, 0 };
		const char *nl = NULL;

		if (c->flags & CT_CHUNK_TOO_LONG) {
			line.flags = CT_LINE_TOO_LONG | (c->flags & CT_CHUNK_LAST ? CT_LINE_UNTERMINATED : 0);
			s = end;
		} else {
			nl = memchr(s, '\n', (size_t)(end - s));
			line.s = s;
			line.len = nl ? (size_t)(nl - s) : (size_t)(end - s);
			line.flags = nl ? 0 : CT_LINE_UNTERMINATED;
			s = nl ? nl + 1 : end;
			if (line.len > CT_TEXT_MAX_LINE) {
				line.s = "";
				line.len = 0;
				line.flags |= CT_LINE_TOO_LONG;
			} else if (line.len && line.s[line.len - 1] == '\r') {
				line.len--;
			}
		}
		p->lr.lineno++;
		if (ct_grow_array((void **)&c->ev, &c->ev_cap, c->nev + 1, sizeof(*c->ev)) < 0)
			return -CT_E_NOMEM;
		p->stamped = 0;
		if (!line_event(p, &line, &c->ev[c->nev]))
			continue;
		if (p->stamped && !p->seen_event) {	/* the time before the chunk: not known here */
			if (ct_grow_array((void **)&c->lead, &c->lead_cap, c->nlead + 1, sizeof(*c->lead)) < 0)
				return -CT_E_NOMEM;
			c->lead[c->nlead++] = c->nev;
		}
		c->nev++;
	} while (s < end);
	c->nlines = p->lr.lineno;
	c->has_ts = p->seen_event;
	c->last_ts = p->last_ts;
	return 0;
}

void ct_text_finish_chunk(void *state, struct ct_chunk *c)
{
	struct ct_text_parser *p = state;

	for (uint32_t i = 0; i < c->nlead; i++)
		c->ev[c->lead[i]].ts_ns = p->last_ts;
	for (uint32_t i = 0; i < c->nev; i++)
		if (c->ev[i].type == CT_EV_PARSE_ERROR)
			c->ev[i].u.perr.where += p->lr.lineno;
	p->lr.lineno += c->nlines;
	if (c->has_ts)
		p->last_ts = c->last_ts;
}

void ct_text_chunk_free(struct ct_chunk *c)
{
	free(c->scratch);
	c->scratch = NULL;
}

void ct_text_free(void *state)
{
	free(state);
}
