/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef CT_PARSERS_TEXT_H
#define CT_PARSERS_TEXT_H

/*
 * Shared machinery of the three text formats (ftrace text, trace-cmd report
 * text, perf script text). They differ only in the "head" of a line (task,
 * pid, cpu, timestamp) and in a few special lines; the event payload after
 * "name: " is the kernel's print-fmt output in all three and is decoded once,
 * in text_fields.c.
 */

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "compactrace/event.h"
#include "parser.h"

/* Longest line accepted; a longer one is reported as a parse error and skipped. */
#define CT_TEXT_MAX_LINE (64 * 1024)

/* How many complete lines of the detection prefix a probe looks at. */
#define CT_TEXT_PROBE_LINES 256

enum ct_line_flags {
	CT_LINE_UNTERMINATED = 1,	/* last line of the input, no '\n' */
	CT_LINE_TOO_LONG = 2,		/* longer than CT_TEXT_MAX_LINE; text dropped */
};

/* Splits a struct ct_input into lines without copying them. */
struct ct_line_reader {
	struct ct_input *in;
	uint64_t lineno;	/* 1-based number of the last line returned */
	size_t scanned;		/* bytes after in->pos already known to hold no '\n' */
	int skipping;		/* inside an over-long line, dropping bytes */
};

struct ct_line {
	const char *s;		/* not NUL-terminated; valid until the next read */
	size_t len;		/* without '\n' and a trailing '\r' */
	unsigned flags;		/* enum ct_line_flags */
};

/**
 * ct_line_next() - return the next line of the input
 * @r: the reader
 * @line: receives the line; it points into the input buffer
 *
 * Returns 1 with a line, 0 at end of input, or a negative CT_E_* code when
 * reading fails. Memory stays bounded: an over-long line is returned with
 * CT_LINE_TOO_LONG and an empty text.
 */
int ct_line_next(struct ct_line_reader *r, struct ct_line *line);

/* What every text format extracts from the start of an event line. */
struct ct_text_head {
	const char *comm;
	size_t comm_len;
	int32_t pid;
	int32_t cpu;		/* -1 when the line has no cpu column */
	uint64_t ts_ns;
	const char *name;	/* without "system:" */
	size_t name_len;
	const char *payload;	/* after "name: ", may be empty */
	size_t payload_len;
};

struct ct_text_parser;

/*
 * Per-format line handler: fill @ev and return 1, return 0 to skip the line
 * silently (header, comment), or fill a CT_EV_PARSE_ERROR and return 1.
 */
typedef int (*ct_text_line_fn)(struct ct_text_parser *p, const char *s, size_t len,
			       struct ct_event *ev);

/* Remembers what a slow name lookup returned, keyed by the name's length. */
struct ct_text_memo {
	uint8_t len;		/* 0: empty */
	int16_t value;
	char key[40];
};

#define CT_TEXT_NAME_MEMO 64	/* event names: one slot per length */
#define CT_TEXT_STATUS_MEMO 32	/* status names: slot = length % 32 */

struct ct_text_parser {
	struct ct_line_reader lr;
	ct_text_line_fn line;
	uint64_t last_ts;	/* stamped on lost-event markers */
	int seen_event;		/* @last_ts is known (a chunk's decoder starts without it) */
	int stamped;		/* the last marker took @last_ts */
	/* lookups by name compare against every known name; most lines repeat one */
	struct ct_text_memo names[CT_TEXT_NAME_MEMO];
	struct ct_text_memo status[CT_TEXT_STATUS_MEMO];
};

/**
 * ct_text_open() - allocate the shared text parser state
 * @in: the buffered input (not owned)
 * @line: the format's line handler
 * @state: receives the state; free it with ct_text_free()
 * @err: message buffer; @errlen: its size
 *
 * Returns 0 or -CT_E_NOMEM.
 */
int ct_text_open(struct ct_input *in, ct_text_line_fn line, void **state,
		 char *err, size_t errlen);

/**
 * ct_text_next() - the ct_parser_ops.next of every text format
 * @state: from ct_text_open(); @ev: filled in; @err, @errlen: fatal error message
 *
 * Returns 1 with an event, 0 at end of input, or a negative CT_E_* code on a
 * read error (with "PATH: read error at byte N: ..." in @err).
 */
int ct_text_next(void *state, struct ct_event *ev, char *err, size_t errlen);

/** ct_text_free() - free what ct_text_open() allocated; accepts NULL */
void ct_text_free(void *state);

/*
 * The chunk operations of every text format (see ct_source_read_chunk()):
 * chunks of about CT_TEXT_CHUNK bytes of whole lines, each decoded line by
 * line as ct_text_next() decodes them.
 */
#define CT_TEXT_CHUNK (64 * 1024)	/* stays in the cache until the other thread takes it:
					 * 10% faster on two threads than 256 KB (README "Speed") */
int ct_text_read_chunk(void *state, struct ct_chunk *c, char *err, size_t errlen);
int ct_text_decode_chunk(const void *state, struct ct_chunk *c);
void ct_text_finish_chunk(void *state, struct ct_chunk *c);
void ct_text_chunk_free(struct ct_chunk *c);

#define CT_TEXT_CHUNK_OPS .read_chunk = ct_text_read_chunk, .decode_chunk = ct_text_decode_chunk, \
	.finish_chunk = ct_text_finish_chunk, .chunk_free = ct_text_chunk_free

/*
 * Number parsing, inline because it runs for every field of every decoded
 * event: the whole of s[0..n) must be the number; 0 on success, -1 otherwise.
 * ct_text_parse_u64() takes decimal, or hex with a "0x" prefix, with an
 * overflow check; _i64 adds an optional '-'; _i32 limits the range.
 */
static inline int ct_text_hex_value(char c)
{
	unsigned char u = (unsigned char)c;

	if ((unsigned char)(u - '0') < 10)
		return u - '0';
	u |= 0x20;	/* fold to lower case */
	if ((unsigned char)(u - 'a') < 6)
		return u - 'a' + 10;
	return -1;
}

static inline int ct_text_parse_u64(const char *s, size_t n, uint64_t *out)
{
	uint64_t v = 0;

	if (n > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		for (size_t i = 2; i < n; i++) {
			int d = ct_text_hex_value(s[i]);

			if (d < 0 || (v >> 60) != 0)
				return -1;
			v = (v << 4) | (uint64_t)d;
		}
		*out = v;
		return 0;
	}
	if (n == 0)
		return -1;
	for (size_t i = 0; i < n; i++) {
		unsigned d = (unsigned char)(s[i] - '0');

		if (d > 9 || __builtin_mul_overflow(v, 10, &v) || __builtin_add_overflow(v, d, &v))
			return -1;
	}
	*out = v;
	return 0;
}

static inline int ct_text_parse_i64(const char *s, size_t n, int64_t *out)
{
	uint64_t v;
	int neg = n > 0 && s[0] == '-';

	if (ct_text_parse_u64(s + neg, n - (size_t)neg, &v))
		return -1;
	if (neg) {
		if (v > (uint64_t)INT64_MAX + 1)
			return -1;
		*out = v == (uint64_t)INT64_MAX + 1 ? INT64_MIN : -(int64_t)v;
	} else {
		if (v > (uint64_t)INT64_MAX)
			return -1;
		*out = (int64_t)v;
	}
	return 0;
}

static inline int ct_text_parse_i32(const char *s, size_t n, int32_t *out)
{
	int64_t v;

	if (ct_text_parse_i64(s, n, &v) || v < INT32_MIN || v > INT32_MAX)
		return -1;
	*out = (int32_t)v;
	return 0;
}

/** ct_text_parse_ts() - "SECS.FRACTION" (any number of fraction digits) to integer ns */
int ct_text_parse_ts(const char *s, size_t n, uint64_t *ns);

/**
 * ct_text_find_ts() - find the "TIMESTAMP: " that ends the head of a line
 * @s: the line; @n: its length; @from: where to start looking
 * @tok: receives the offset of the timestamp's first digit
 * @colon: receives the offset of the ':' after it
 *
 * Returns 0 when found, -1 otherwise. Task names may contain ':', so this
 * checks that the token before ": " is a number preceded by a space.
 */
int ct_text_find_ts(const char *s, size_t n, size_t from, size_t *tok, size_t *colon);

/**
 * ct_text_split_event() - find the event name and payload after the timestamp
 * @s: the line; @n: its length; @after: offset just after the timestamp's ':'
 * @h: name and payload are filled in
 *
 * The name may carry a "system:" prefix, which is dropped. A line without
 * "name:" (e.g. perf's "PERF_RECORD_LOST lost 5") gives the first word as
 * name and the rest as payload. Returns 0, or -1 when there is no name.
 */
int ct_text_split_event(const char *s, size_t n, size_t after, struct ct_text_head *h);

/**
 * ct_text_parse_cpu_lost() - recognise a per-CPU lost-events line
 * @s: the line; @n: its length
 * @cpu: receives N; @count: receives K (0, "an unknown number", when the line gives none)
 *
 * Knows ftrace's "CPU:N [LOST K EVENTS]" / "CPU:N [LOST EVENTS]" and
 * trace-cmd's "CPU:N [K EVENTS DROPPED]" / "CPU:N [EVENTS DROPPED]".
 * Returns 1 when @s is such a line, 0 otherwise.
 */
int ct_text_parse_cpu_lost(const char *s, size_t n, int32_t *cpu, uint64_t *count);

/**
 * ct_text_parse_ftrace_head() - head of an ftrace or trace-cmd report line
 * @s: the line; @n: its length
 * @from: offset where the task column starts (after a trace-cmd instance prefix)
 * @h: filled in (comm, pid, cpu, timestamp, name, payload)
 *
 * Accepts "COMM-PID [(TGID)] [CPU] [FLAGS] TS: NAME: PAYLOAD" with 4- or
 * 5-character flags or none, and trace-cmd -l's "COMM-PID CPUFLAGS TS:".
 * Returns 0, or -1 when the line is not shaped like that.
 */
int ct_text_parse_ftrace_head(const char *s, size_t n, size_t from, struct ct_text_head *h);

/**
 * ct_text_event() - turn a parsed head into @ev and decode the payload
 * @p: the parser (for the line number and last timestamp)
 * @h: the head
 * @ev: filled in; CT_EV_OTHER for events compactrace does not interpret,
 *      CT_EV_PARSE_ERROR when a known event's payload does not decode
 */
void ct_text_event(struct ct_text_parser *p, const struct ct_text_head *h, struct ct_event *ev);

/**
 * ct_text_decode_payload() - decode the print-fmt output of one event
 * @p: parser whose lookup memo to use, or NULL
 * @type: the event's type (from its name)
 * @s: the payload; @n: its length
 * @ev: ev->u is filled in
 *
 * Fields are found by name, so unknown extra fields are skipped. Returns 0,
 * or -1 when a required field is missing or a number is malformed.
 */
int ct_text_decode_payload(struct ct_text_parser *p, enum ct_event_type type, const char *s, size_t n, struct ct_event *ev);

/**
 * ct_text_classify() - ct_event_type_from_name() behind a length filter and a memo
 * @p: parser whose memo to use, or NULL
 * @name: event name without "system:"; @len: its length
 */
enum ct_event_type ct_text_classify(struct ct_text_parser *p, const char *name, size_t len);

/** ct_text_lost() - make @ev a CT_EV_LOST marker for @count events on @cpu (-1 unknown) */
void ct_text_lost(struct ct_text_parser *p, struct ct_event *ev, int32_t cpu, uint64_t count);

/** ct_text_parse_error() - make @ev a CT_EV_PARSE_ERROR for the current line */
void ct_text_parse_error(struct ct_text_parser *p, struct ct_event *ev);

/*
 * Probing: call @fn on each complete line (at most CT_TEXT_PROBE_LINES) of
 * the detection prefix; @fn returns non-zero to stop early.
 */
typedef int (*ct_text_probe_fn)(const char *s, size_t len, size_t index, void *ctx);

/** ct_text_probe_lines() - iterate the lines of a detection prefix */
void ct_text_probe_lines(const unsigned char *prefix, size_t len, ct_text_probe_fn fn, void *ctx);

/*
 * Scanning eight bytes at a time (on little-endian hosts; elsewhere byte by
 * byte): padding runs (perf script pads its event column with thirty
 * spaces) and the keys and values of a payload.
 */
#define CT_TEXT_ONES 0x0101010101010101ULL
#define CT_TEXT_HIGHS 0x8080808080808080ULL

/* the byte index of the lowest byte of @w that is @c (w ^ c*ONES has a zero byte there), or 8 */
static inline unsigned ct_text_word_find(uint64_t w, unsigned char c)
{
	uint64_t x = w ^ (CT_TEXT_ONES * c);

	/* exact for the lowest zero byte: a borrow only runs upwards from it */
	x = (x - CT_TEXT_ONES) & ~x & CT_TEXT_HIGHS;
	return x ? (unsigned)__builtin_ctzll(x) >> 3 : 8;
}

/* the first index in [@i, @n) whose byte is not a space; @n when there is none */
static inline size_t ct_text_skip_spaces(const char *s, size_t i, size_t n)
{
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	while (n - i >= 8) {
		uint64_t w;

		memcpy(&w, s + i, 8);
		w ^= CT_TEXT_ONES * ' ';
		if (w)
			return i + ((unsigned)__builtin_ctzll(w) >> 3);
		i += 8;
	}
#endif
	while (i < n && s[i] == ' ')
		i++;
	return i;
}

/* the first byte in [@p, @end) that is @c; @end when there is none */
static inline const char *ct_text_find1(const char *p, const char *end, unsigned char c)
{
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	while (end - p >= 8) {
		uint64_t w;
		unsigned i;

		memcpy(&w, p, 8);
		i = ct_text_word_find(w, c);
		if (i < 8)
			return p + i;
		p += 8;
	}
#endif
	while (p < end && (unsigned char)*p != c)
		p++;
	return p;
}

/* the first byte in [@p, @end) that is @a or @b; @end when there is none */
static inline const char *ct_text_find2(const char *p, const char *end, unsigned char a, unsigned char b)
{
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	while (end - p >= 8) {
		uint64_t w;
		unsigned i, j;

		memcpy(&w, p, 8);
		i = ct_text_word_find(w, a);
		j = ct_text_word_find(w, b);
		if (i < 8 || j < 8)
			return p + (i < j ? i : j);
		p += 8;
	}
#endif
	while (p < end && (unsigned char)*p != a && (unsigned char)*p != b)
		p++;
	return p;
}

/* the first byte in [@p, @end) that is @a, @b or @c; @end when there is none */
static inline const char *ct_text_find3(const char *p, const char *end, unsigned char a, unsigned char b,
					unsigned char c)
{
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	while (end - p >= 8) {
		uint64_t w;
		unsigned i, j, k;

		memcpy(&w, p, 8);
		i = ct_text_word_find(w, a);
		j = ct_text_word_find(w, b);
		k = ct_text_word_find(w, c);
		j = j < k ? j : k;
		if (i < 8 || j < 8)
			return p + (i < j ? i : j);
		p += 8;
	}
#endif
	while (p < end && (unsigned char)*p != a && (unsigned char)*p != b && (unsigned char)*p != c)
		p++;
	return p;
}

/* Index just after the last non-space before @i, not going below @from. */
static inline size_t ct_text_back_spaces(const char *s, size_t from, size_t i)
{
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	while (i - from >= 8) {
		uint64_t w;

		memcpy(&w, s + i - 8, 8);
		w ^= CT_TEXT_ONES * ' ';
		if (w)	/* its high zero bytes are the spaces before @i */
			return i - ((unsigned)__builtin_clzll(w) >> 3);
		i -= 8;
	}
#endif
	while (i > from && s[i - 1] == ' ')
		i--;
	return i;
}

/* Index of the first character of the word that ends at @end. */
static inline size_t ct_text_word_start(const char *s, size_t from, size_t end)
{
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	while (end - from >= 8) {
		uint64_t w, x, space;

		memcpy(&w, s + end - 8, 8);
		x = w ^ (CT_TEXT_ONES * ' ');
		/* exact per byte (no borrows): a high bit for each byte that is a space */
		space = ~(((x & ~CT_TEXT_HIGHS) + ~CT_TEXT_HIGHS) | x) & CT_TEXT_HIGHS;
		if (space)
			return end - ((unsigned)__builtin_clzll(space) >> 3);
		end -= 8;
	}
#endif
	while (end > from && s[end - 1] != ' ')
		end--;
	return end;
}

/* "[NNN]" as a cpu number; 0 or -1 */
static inline int ct_text_bracket_cpu(const char *s, size_t n, int32_t *cpu)
{
	if (n < 3 || s[0] != '[' || s[n - 1] != ']')
		return -1;
	return ct_text_parse_i32(s + 1, n - 2, cpu) || *cpu < 0 ? -1 : 0;
}

/** ct_text_is_blank() - only spaces, tabs or nothing */
int ct_text_is_blank(const char *s, size_t n);

/**
 * ct_text_has_prefix() - s[0..n) starts with the NUL-terminated @lit
 *
 * Inline: called with literals for most lines, where the compiler folds
 * strlen() and memcmp() into a compare or two.
 */
static inline int ct_text_has_prefix(const char *s, size_t n, const char *lit)
{
	size_t l = strlen(lit);

	return n >= l && memcmp(s, lit, l) == 0;
}

#endif
