// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Opening a trace: buffered input, format detection by content, and the
 * generic source object that forwards to the chosen parser.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "compactrace/error.h"
#include "core/util.h"
#include "parser.h"
#include "registry.h"

#define CT_PROBE_BYTES (64 * 1024)
#define CT_INPUT_CHUNK (1024 * 1024)

struct ct_source {
	struct ct_input in;
	const struct ct_parser_ops *ops;
	void *state;
	char *path;
	char error[512];
};

long ct_input_fill(struct ct_input *in, size_t want)
{
	size_t unread = in->len - in->pos;
	long added = 0;

	if (in->eof)
		return 0;
	if (in->pos > 0 && (in->cap - in->len < want || in->pos > in->cap / 2)) {
		/* slide unread bytes to the front so the buffer never grows with the file */
		memmove(in->buf, in->buf + in->pos, unread);
		in->consumed += in->pos;
		in->pos = 0;
		in->len = unread;
	}
	if (in->cap - in->len < want) {
		size_t ncap = in->cap ? in->cap : CT_INPUT_CHUNK;
		unsigned char *nbuf;

		while (ncap - in->len < want)
			ncap *= 2;
		nbuf = realloc(in->buf, ncap);
		if (!nbuf)
			return -CT_E_NOMEM;
		ct_populate(nbuf + in->cap, ncap - in->cap);	/* read() fills it next */
		in->buf = nbuf;
		in->cap = ncap;
	}
	while ((size_t)added < want) {
		ssize_t n = read(in->fd, in->buf + in->len, in->cap - in->len);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			if ((errno == EAGAIN || errno == EWOULDBLOCK) && in->wait) {
				int w;

				if (added > 0)
					break;	/* hand over what arrived rather than wait */
				w = in->wait(in->wait_ctx, in->fd);
				if (w < 0)
					return w;
				if (w > 0) {
					in->eof = 1;
					break;
				}
				continue;
			}
			return -CT_E_IO;
		}
		if (n == 0) {
			in->eof = 1;
			break;
		}
		in->len += (size_t)n;
		added += n;
	}
	return added;
}

static const struct ct_parser_ops *find_format(const char *name)
{
	for (size_t i = 0; ct_parsers[i]; i++)
		if (strcmp(ct_parsers[i]->format, name) == 0)
			return ct_parsers[i];
	return NULL;
}

static const struct ct_parser_ops *detect_format(const unsigned char *prefix, size_t len)
{
	const struct ct_parser_ops *best = NULL;
	int best_score = 0;

	for (size_t i = 0; ct_parsers[i]; i++) {
		int score = ct_parsers[i]->probe(prefix, len);

		if (score > best_score) {
			best_score = score;
			best = ct_parsers[i];
		}
	}
	return best;
}

static int looks_binary(const unsigned char *p, size_t len)
{
	size_t bad = 0;

	for (size_t i = 0; i < len; i++)
		if (p[i] == 0 || (p[i] < 0x20 && p[i] != '\n' && p[i] != '\t' && p[i] != '\r'))
			bad++;
	return bad * 100 > len;	/* more than 1% control bytes */
}

/*
 * Everything after the fd is known: detect (or take) the format and let the
 * parser open. With a forced format nothing is read here, so a live stream
 * that has no data yet does not block the open.
 */
static int source_start(struct ct_source *src, const char *force_format, char *err, size_t errlen)
{
	const char *path = src->path;
	long got;

	if (force_format) {
		src->ops = find_format(force_format);
		if (!src->ops) {
			snprintf(err, errlen, "%s: unknown input format '%s'", path, force_format);
			return -CT_E_INVAL;
		}
		return src->ops->open(&src->in, &src->state, err, errlen);
	}
	got = ct_input_fill(&src->in, CT_PROBE_BYTES);
	if (got < 0) {
		snprintf(err, errlen, "%s: read error at byte 0: %s", path,
			 got == -CT_E_NOMEM ? ct_strerror((int)got) : strerror(errno));
		return (int)got;
	}
	if (src->in.len == 0) {
		snprintf(err, errlen, "%s: file is empty", path);
		return -CT_E_EMPTY;
	}
	src->ops = detect_format(src->in.buf, src->in.len);
	if (!src->ops) {
		snprintf(err, errlen, "%s: not a trace compactrace can read (%s at byte 0; "
			 "expected ftrace text, trace-cmd report text, perf script text, "
			 "trace.dat or perf.data)", path,
			 looks_binary(src->in.buf, src->in.len) ? "binary data" : "unrecognised text");
		return -CT_E_FORMAT;
	}
	return src->ops->open(&src->in, &src->state, err, errlen);
}

static struct ct_source *source_alloc(const char *name, char *err, size_t errlen)
{
	struct ct_source *src = calloc(1, sizeof(*src));

	if (src)
		src->path = strdup(name);
	if (!src || !src->path) {
		free(src);
		snprintf(err, errlen, "%s: %s", name, ct_strerror(-CT_E_NOMEM));
		return NULL;
	}
	src->in.path = src->path;
	src->in.fd = -1;
	return src;
}

int ct_source_open(const char *path, const char *force_format,
		   struct ct_source **out, char *err, size_t errlen)
{
	struct ct_source *src;
	int ret;

	*out = NULL;
	src = source_alloc(path, err, errlen);
	if (!src)
		return -CT_E_NOMEM;
	if (strcmp(path, "-") == 0) {
		src->in.fd = STDIN_FILENO;
	} else {
		src->in.fd = open(path, O_RDONLY | O_CLOEXEC);
		if (src->in.fd < 0) {
			ret = -CT_E_OPEN;
			snprintf(err, errlen, "%s: cannot open: %s", path, strerror(errno));
			goto out;
		}
		src->in.owns_fd = 1;
	}
	ret = source_start(src, force_format, err, errlen);
	if (ret < 0)
		goto out;
	*out = src;
	return 0;
out:
	ct_source_free(src);
	return ret;
}

int ct_source_open_fd(int fd, const char *name, const char *force_format,
		      struct ct_source **out, char *err, size_t errlen)
{
	struct ct_source *src;
	int ret;

	*out = NULL;
	if (fd < 0 || !name) {
		snprintf(err, errlen, "%s: %s", name ? name : "(no name)", ct_strerror(-CT_E_INVAL));
		return -CT_E_INVAL;
	}
	src = source_alloc(name, err, errlen);
	if (!src)
		return -CT_E_NOMEM;
	src->in.fd = fd;	/* owns_fd stays 0: the caller closes it */
	ret = source_start(src, force_format, err, errlen);
	if (ret < 0)
		goto out;
	*out = src;
	return 0;
out:
	ct_source_free(src);
	return ret;
}

void ct_source_set_wait(struct ct_source *src, ct_source_wait_fn wait, void *ctx)
{
	src->in.wait = wait;
	src->in.wait_ctx = ctx;
}

int ct_source_next(struct ct_source *src, struct ct_event *ev)
{
	return src->ops->next(src->state, ev, src->error, sizeof(src->error));
}

const char *ct_source_format(const struct ct_source *src)
{
	return src->ops ? src->ops->format : "unknown";
}

const char *ct_source_path(const struct ct_source *src)
{
	return src->path;
}

const char *ct_source_error(const struct ct_source *src)
{
	return src->error[0] ? src->error : "no error";
}

const void *ct_source_attachment(const struct ct_source *src, const char *name, size_t *len)
{
	*len = 0;
	if (!src->ops || !src->ops->attachment)
		return NULL;
	return src->ops->attachment(src->state, name, len);
}

int ct_source_can_chunk(const struct ct_source *src)
{
	/* a live stream waits for its data: it is read line by line */
	return src->ops && src->ops->read_chunk && !src->in.wait &&
	       (!src->ops->can_chunk || src->ops->can_chunk(src->state));
}

int ct_source_read_chunk(struct ct_source *src, struct ct_chunk *c)
{
	return src->ops->read_chunk(src->state, c, src->error, sizeof(src->error));
}

int ct_source_decode_chunk(const struct ct_source *src, struct ct_chunk *c)
{
	size_t pos = 0;
	int r;

	if (src->ops->decode_chunk)
		return src->ops->decode_chunk(src->state, c);
	c->nev = 0;	/* a streaming source's events, all at once */
	do {
		if (ct_grow_array((void **)&c->ev, &c->ev_cap, c->nev + 1, sizeof(*c->ev)) < 0)
			return -CT_E_NOMEM;
		r = src->ops->chunk_next(src->state, c, &pos, &c->ev[c->nev]);
		c->nev += r == 1;
	} while (r == 1);
	return r;
}

int ct_source_chunk_streams(const struct ct_source *src)
{
	return src->ops && src->ops->chunk_next;
}

int ct_source_chunk_streams_pay(const struct ct_source *src)
{
	return ct_source_chunk_streams(src) && src->ops->streams_pay;
}

int ct_source_chunk_next(const struct ct_source *src, struct ct_chunk *c, size_t *pos, struct ct_event *ev)
{
	return src->ops->chunk_next(src->state, c, pos, ev);
}

void ct_source_finish_chunk(struct ct_source *src, struct ct_chunk *c)
{
	src->ops->finish_chunk(src->state, c);
}

void ct_source_chunk_free(const struct ct_source *src, struct ct_chunk *c)
{
	if (src->ops && src->ops->chunk_free)
		src->ops->chunk_free(c);
	free(c->buf);
	free(c->ev);
	free(c->lead);
	memset(c, 0, sizeof(*c));
}

void ct_source_free(struct ct_source *src)
{
	if (!src)
		return;
	if (src->ops && src->state)
		src->ops->free(src->state);
	if (src->in.owns_fd)
		close(src->in.fd);
	free(src->in.buf);
	free(src->path);
	free(src);
}
