/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef CT_TESTS_PARSERS_CT_TEST_H
#define CT_TESTS_PARSERS_CT_TEST_H

/*
 * Minimal helpers for the parser tests: checks that count failures instead
 * of aborting (so one run reports every broken case), and a way to parse a
 * string through the public ct_source API.
 *
 * Exit status: 0 all passed, 1 a check failed, 77 skipped.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "compactrace/error.h"
#include "compactrace/event.h"
#include "compactrace/source.h"

struct ct_test {
	int failures;
	int checks;
	const char *data_dir;	/* tests/parsers/data, from argv[1] */
	const char *what;	/* the case being checked, for messages */
};

#define CHECK(t, cond)                                                               \
	do {                                                                         \
		(t)->checks++;                                                       \
		if (!(cond)) {                                                       \
			fprintf(stderr, "%s:%d: [%s] CHECK failed: %s\n", __FILE__,  \
				__LINE__, (t)->what ? (t)->what : "", #cond);        \
			(t)->failures++;                                             \
		}                                                                    \
	} while (0)

#define CHECK_U64(t, got, want)                                                       \
	do {                                                                          \
		uint64_t g_ = (uint64_t)(got), w_ = (uint64_t)(want);                 \
		(t)->checks++;                                                        \
		if (g_ != w_) {                                                       \
			fprintf(stderr, "%s:%d: [%s] %s = %" PRIu64 " (0x%" PRIx64 \
				"), want %" PRIu64 " (0x%" PRIx64 ")\n", __FILE__,    \
				__LINE__, (t)->what ? (t)->what : "", #got, g_, g_, w_, w_); \
			(t)->failures++;                                              \
		}                                                                     \
	} while (0)

#define CHECK_I64(t, got, want)                                                      \
	do {                                                                         \
		int64_t g_ = (int64_t)(got), w_ = (int64_t)(want);                   \
		(t)->checks++;                                                       \
		if (g_ != w_) {                                                      \
			fprintf(stderr, "%s:%d: [%s] %s = %" PRId64 ", want %" PRId64 "\n", \
				__FILE__, __LINE__, (t)->what ? (t)->what : "", #got, g_, w_); \
			(t)->failures++;                                             \
		}                                                                    \
	} while (0)

#define CHECK_STR(t, got, want)                                                      \
	do {                                                                         \
		const char *g_ = (got), *w_ = (want);                                \
		(t)->checks++;                                                       \
		if (strcmp(g_, w_) != 0) {                                           \
			fprintf(stderr, "%s:%d: [%s] %s = \"%s\", want \"%s\"\n",    \
				__FILE__, __LINE__, (t)->what ? (t)->what : "", #got, g_, w_); \
			(t)->failures++;                                             \
		}                                                                    \
	} while (0)

/* ev->name is not NUL-terminated */
#define CHECK_NAME(t, ev, want)                                                      \
	do {                                                                         \
		const char *w_ = (want);                                             \
		(t)->checks++;                                                       \
		if ((ev)->name_len != strlen(w_) || memcmp((ev)->name, w_, strlen(w_))) { \
			fprintf(stderr, "%s:%d: [%s] name = \"%.*s\", want \"%s\"\n", \
				__FILE__, __LINE__, (t)->what ? (t)->what : "",      \
				(int)(ev)->name_len, (ev)->name ? (ev)->name : "", w_); \
			(t)->failures++;                                             \
		}                                                                    \
	} while (0)

/* A copy of an event that outlives the parser's buffer. */
struct ct_test_event {
	struct ct_event ev;
	char name[128];
};

struct ct_test_events {
	struct ct_test_event *v;
	size_t n;
	int ret;		/* last ct_source_next() result: 0 = clean end */
	char format[32];
	char error[512];
};

static inline int ct_test_finish(struct ct_test *t, const char *prog)
{
	if (t->failures) {
		fprintf(stderr, "%s: %d of %d checks FAILED\n", prog, t->failures, t->checks);
		return 1;
	}
	printf("%s: all %d checks passed\n", prog, t->checks);
	return 0;
}

/* Write @text to a new temporary file; returns its path (free() it and unlink it). */
static inline char *ct_test_tmpfile(const void *text, size_t len)
{
	char *path = strdup("/tmp/ct-parsers-test-XXXXXX");
	int fd;

	if (!path)
		return NULL;
	fd = mkstemp(path);
	if (fd < 0) {
		free(path);
		return NULL;
	}
	if (write(fd, text, len) != (ssize_t)len) {
		close(fd);
		unlink(path);
		free(path);
		return NULL;
	}
	close(fd);
	return path;
}

/* Read every event of @path; returns the ct_source_open() result. */
static inline int ct_test_read_path(const char *path, const char *force, struct ct_test_events *out)
{
	struct ct_source *src;
	struct ct_event ev;
	size_t cap = 0;
	int ret;

	memset(out, 0, sizeof(*out));
	ret = ct_source_open(path, force, &src, out->error, sizeof(out->error));
	if (ret < 0)
		return ret;
	snprintf(out->format, sizeof(out->format), "%s", ct_source_format(src));
	while ((ret = ct_source_next(src, &ev)) == 1) {
		struct ct_test_event *te;

		if (out->n == cap) {
			cap = cap ? cap * 2 : 16;
			out->v = realloc(out->v, cap * sizeof(*out->v));
			if (!out->v)
				abort();
		}
		te = &out->v[out->n++];
		te->ev = ev;
		snprintf(te->name, sizeof(te->name), "%.*s", (int)ev.name_len, ev.name ? ev.name : "");
	}
	/* only now: realloc() may have moved the copies */
	for (size_t i = 0; i < out->n; i++)
		out->v[i].ev.name = out->v[i].name;
	out->ret = ret;
	if (ret < 0)
		snprintf(out->error, sizeof(out->error), "%s", ct_source_error(src));
	ct_source_free(src);
	return 0;
}

/* Parse a string as a file; @force may be NULL to auto-detect. */
static inline int ct_test_read_text(const char *text, const char *force, struct ct_test_events *out)
{
	char *path = ct_test_tmpfile(text, strlen(text));
	int ret;

	if (!path) {
		memset(out, 0, sizeof(*out));
		return -CT_E_IO;
	}
	ret = ct_test_read_path(path, force, out);
	unlink(path);
	free(path);
	return ret;
}

static inline void ct_test_events_free(struct ct_test_events *e)
{
	free(e->v);
	e->v = NULL;
	e->n = 0;
}

/* "DATA_DIR/NAME" into a static-sized buffer owned by the caller */
static inline const char *ct_test_data(const struct ct_test *t, const char *name, char *buf, size_t len)
{
	snprintf(buf, len, "%s/%s", t->data_dir, name);
	return buf;
}

/* What one kmem page event of a data/ *_pages.txt fixture must decode to. */
struct ct_test_page {
	enum ct_event_type type;
	uint64_t pfn;
	int32_t order, migratetype, percpu_refill;
};

/*
 * Read data/@name, detected as @format, into @e (free it with
 * ct_test_events_free()) and check it against @want, event by event.
 */
static inline void ct_test_check_pages(struct ct_test *t, const char *name, const char *format,
				       struct ct_test_events *e, const struct ct_test_page *want, size_t n)
{
	char path[512];

	t->what = name;
	CHECK(t, ct_test_read_path(ct_test_data(t, name, path, sizeof(path)), NULL, e) == 0);
	CHECK_STR(t, e->format, format);
	CHECK_I64(t, e->ret, 0);
	CHECK_U64(t, e->n, n);
	for (size_t i = 0; i < n && i < e->n; i++) {
		const struct ct_ev_page *pg = &e->v[i].ev.u.page;

		CHECK_U64(t, e->v[i].ev.type, want[i].type);
		CHECK_U64(t, pg->pfn, want[i].pfn);
		CHECK_I64(t, pg->order, want[i].order);
		CHECK_I64(t, pg->migratetype, want[i].migratetype);
		CHECK_I64(t, pg->percpu_refill, want[i].percpu_refill);
	}
}

#endif
