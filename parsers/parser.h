/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef CT_PARSERS_PARSER_H
#define CT_PARSERS_PARSER_H

#include <stddef.h>
#include <stdint.h>

#include "compactrace/source.h"

/*
 * For parser implementations (parsers/): a buffered reader over an fd with
 * a detection prefix, and the operations table every format provides.
 */
struct ct_input {
	int fd;
	int owns_fd;
	const char *path;
	unsigned char *buf;	/* buffered bytes: buf[pos..len) are unread */
	size_t pos, len, cap;
	uint64_t consumed;	/* bytes of the file before buf[0] */
	int eof;
	ct_source_wait_fn wait;	/* see ct_source_set_wait(); NULL: EAGAIN is an error */
	void *wait_ctx;
};

struct ct_parser_ops {
	const char *format;	/* CT_FORMAT_* */
	/* confidence 0..100 that the prefix is this format */
	int (*probe)(const unsigned char *prefix, size_t len);
	/* take over @in (not its ownership) and allocate parser state */
	int (*open)(struct ct_input *in, void **state, char *err, size_t errlen);
	int (*next)(void *state, struct ct_event *ev, char *err, size_t errlen);
	void (*free)(void *state);
	/* optional: see ct_source_attachment() */
	const void *(*attachment)(void *state, const char *name, size_t *len);
	/*
	 * optional: see ct_source_read_chunk() and what follows it. read_chunk
	 * and finish_chunk, and decode_chunk or chunk_next (or both)
	 */
	int (*can_chunk)(const void *state);	/* optional: NULL means it always can */
	int (*read_chunk)(void *state, struct ct_chunk *c, char *err, size_t errlen);
	int (*decode_chunk)(const void *state, struct ct_chunk *c);
	void (*finish_chunk)(void *state, struct ct_chunk *c);
	void (*chunk_free)(struct ct_chunk *c);
	/* decode a chunk's events one by one where they are used (ct_source_chunk_next()) */
	int (*chunk_next)(const void *state, struct ct_chunk *c, size_t *pos, struct ct_event *ev);
	/* with chunk_next: reading the chunks on a second thread was measured to pay (README "Speed") */
	int streams_pay;
};

/** ct_input_fill() - read more bytes, keeping buf[pos..len); returns bytes added, 0 at EOF, <0 error */
long ct_input_fill(struct ct_input *in, size_t want);

#endif
