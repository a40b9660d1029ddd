/* SPDX-License-Identifier: GPL-2.0-or-later */
/* A minimal test harness: CHECK records a failure and goes on; main returns ct_test_status(). */
#ifndef CT_TESTS_CHECK_H
#define CT_TESTS_CHECK_H

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

static int ct_test_failures;
static int ct_test_checks;

#define CHECK(cond)                                                                   \
	do {                                                                          \
		ct_test_checks++;                                                     \
		if (!(cond)) {                                                        \
			ct_test_failures++;                                           \
			fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond); \
		}                                                                     \
	} while (0)

#define CHECK_U64(got, want)                                                          \
	do {                                                                          \
		uint64_t g_ = (uint64_t)(got), w_ = (uint64_t)(want);                 \
		ct_test_checks++;                                                     \
		if (g_ != w_) {                                                       \
			ct_test_failures++;                                           \
			fprintf(stderr, "%s:%d: %s = %" PRIu64 ", want %" PRIu64 "\n", \
				__FILE__, __LINE__, #got, g_, w_);                    \
		}                                                                     \
	} while (0)

#define CHECK_STR(got, want)                                                          \
	do {                                                                          \
		const char *g_ = (got), *w_ = (want);                                 \
		ct_test_checks++;                                                     \
		if (!g_ || strcmp(g_, w_) != 0) {                                     \
			ct_test_failures++;                                           \
			fprintf(stderr, "%s:%d: %s = \"%s\", want \"%s\"\n", __FILE__, \
				__LINE__, #got, g_ ? g_ : "(null)", w_);              \
		}                                                                     \
	} while (0)

static inline int ct_test_status(const char *name)
{
	fprintf(stderr, "%s: %d checks, %d failed\n", name, ct_test_checks, ct_test_failures);
	return ct_test_failures ? 1 : 0;
}

#endif
