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
#include "compactrace/source.h"
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
		in->buf = nbuf;
		in->cap = ncap;
	}
	while ((size_t)added < want) {
		ssize_t n = read(in->fd, in->buf + in->len, in->cap - in->len);

		if (n < 0) {
			if (errno == EINTR)
				continue;
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

int ct_source_open(const char *path, const char *force_format,
		   struct ct_source **out, char *err, size_t errlen)
{
	struct ct_source *src;
	long got;
	int ret;

	*out = NULL;
	src = calloc(1, sizeof(*src));
	if (!src) {
		snprintf(err, errlen, "%s: %s", path, ct_strerror(-CT_E_NOMEM));
		return -CT_E_NOMEM;
	}
	src->path = strdup(path);
	if (!src->path) {
		ret = -CT_E_NOMEM;
		snprintf(err, errlen, "%s: %s", path, ct_strerror(ret));
		goto out;
	}
	src->in.path = src->path;
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

	got = ct_input_fill(&src->in, CT_PROBE_BYTES);
	if (got < 0) {
		ret = (int)got;
		snprintf(err, errlen, "%s: read error at byte 0: %s", path, strerror(errno));
		goto out;
	}
	if (src->in.len == 0) {
		ret = -CT_E_EMPTY;
		snprintf(err, errlen, "%s: file is empty", path);
		goto out;
	}

	if (force_format) {
		src->ops = find_format(force_format);
		if (!src->ops) {
			ret = -CT_E_INVAL;
			snprintf(err, errlen, "%s: unknown input format '%s'", path, force_format);
			goto out;
		}
	} else {
		src->ops = detect_format(src->in.buf, src->in.len);
		if (!src->ops) {
			ret = -CT_E_FORMAT;
			snprintf(err, errlen, "%s: not a trace compactrace can read (%s at byte 0; "
				 "expected ftrace text, trace-cmd report text, perf script text, "
				 "trace.dat or perf.data)", path,
				 looks_binary(src->in.buf, src->in.len) ? "binary data" : "unrecognised text");
			goto out;
		}
	}
	ret = src->ops->open(&src->in, &src->state, err, errlen);
	if (ret < 0)
		goto out;
	*out = src;
	return 0;
out:
	ct_source_free(src);
	return ret;
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
