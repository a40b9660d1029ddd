/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef CT_TESTS_BINARY_BIN_TEST_H
#define CT_TESTS_BINARY_BIN_TEST_H

/*
 * Checks for the binary-format tests: each failure is counted and reported
 * with its location, the test goes on. Exit status: 0 pass, 1 fail, 77 skip.
 */
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct bt {
	int checks, failures;
	const char *what;	/* the case under test, for messages */
};

#define BT_CHECK(t, cond)                                                            \
	do {                                                                         \
		(t)->checks++;                                                       \
		if (!(cond)) {                                                       \
			(t)->failures++;                                             \
			fprintf(stderr, "%s:%d: [%s] check failed: %s\n", __FILE__, \
				__LINE__, (t)->what ? (t)->what : "", #cond);        \
		}                                                                    \
	} while (0)

#define BT_EQ(t, got, want)                                                          \
	do {                                                                         \
		long long g_ = (long long)(got), w_ = (long long)(want);             \
		(t)->checks++;                                                       \
		if (g_ != w_) {                                                      \
			(t)->failures++;                                             \
			fprintf(stderr, "%s:%d: [%s] %s = %lld, want %lld\n", __FILE__, \
				__LINE__, (t)->what ? (t)->what : "", #got, g_, w_); \
		}                                                                    \
	} while (0)

#define BT_STR(t, got, want)                                                         \
	do {                                                                         \
		const char *g_ = (got), *w_ = (want);                                \
		(t)->checks++;                                                       \
		if (strcmp(g_, w_) != 0) {                                           \
			(t)->failures++;                                             \
			fprintf(stderr, "%s:%d: [%s] %s = \"%s\", want \"%s\"\n",    \
				__FILE__, __LINE__, (t)->what ? (t)->what : "", #got, g_, w_); \
		}                                                                    \
	} while (0)

/* the whole of @path, malloc'd (*@len bytes), or NULL */
static inline unsigned char *bt_read_all(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	unsigned char *buf = NULL;
	long n;

	if (!f)
		return NULL;
	if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) > 0 && fseek(f, 0, SEEK_SET) == 0 &&
	    (buf = malloc((size_t)n)) && fread(buf, 1, (size_t)n, f) == (size_t)n)
		*len = (size_t)n;
	else {
		free(buf);
		buf = NULL;
	}
	fclose(f);
	return buf;
}

static inline uint64_t bt_rd64(const unsigned char *p)
{
	uint64_t v;

	memcpy(&v, p, 8);
	return v;
}

/*
 * The whole of the perf.data file @path (see bt_read_all()), with its data
 * section's offset and size from the header; NULL, said on stderr, when it
 * is not a readable little-endian perf.data.
 */
static inline unsigned char *bt_read_perf_data(const char *path, size_t *len, uint64_t *data_offset,
					       uint64_t *data_size)
{
	unsigned char *data = bt_read_all(path, len);

	if (!data || *len < 104 || memcmp(data, "PERFILE2", 8) != 0) {
		fprintf(stderr, "%s: not a readable little-endian perf.data\n", path);
		free(data);
		return NULL;
	}
	*data_offset = bt_rd64(data + 40);
	*data_size = bt_rd64(data + 48);
	return data;
}

static inline int bt_done(const struct bt *t, const char *name)
{
	fprintf(stderr, "%s: %d checks, %d failed\n", name, t->checks, t->failures);
	return t->failures ? 1 : 0;
}

#endif
