// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The eight-bytes-at-a-time scanners of parsers/text.h (ct_text_skip_spaces,
 * ct_text_find1, ct_text_find2) against a byte-by-byte loop written here:
 * every start and end offset of random strings over a small alphabet (so
 * that matches, runs and bytes with the high bit set are frequent), and a
 * buffer that ends exactly where a scan must stop reading. Seeded; the seed
 * is printed and CT_TEST_SEED=N reproduces a run. Exit 0 pass, 1 fail.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "text.h"

static unsigned long long rng;

static unsigned next_rand(void)
{
	rng = rng * 6364136223846793005ULL + 1442695040888963407ULL;
	return (unsigned)(rng >> 33);
}

static size_t naive_skip(const char *s, size_t i, size_t n)
{
	while (i < n && s[i] == ' ')
		i++;
	return i;
}

static const char *naive_find(const char *p, const char *end, unsigned char a, unsigned char b)
{
	while (p < end && (unsigned char)*p != a && (unsigned char)*p != b)
		p++;
	return p;
}

int main(void)
{
	static const char alphabet[] = { ' ', ' ', ' ', '=', ',', 'a', '0', (char)0xa0, (char)0xff, '\0', (char)0x1f };
	const char *seed_env = getenv("CT_TEST_SEED");
	unsigned long long seed = seed_env ? strtoull(seed_env, NULL, 10) : 18;
	long checks = 0, failed = 0;

	rng = seed;
	printf("seed %llu (CT_TEST_SEED=%llu reproduces it)\n", seed, seed);
	for (int round = 0; round < 400; round++) {
		size_t len = next_rand() % 40;
		/* the string sits at the very end of its allocation: a read past it is caught by ASan */
		char *buf = malloc(len ? len : 1), *s = buf;

		for (size_t i = 0; i < len; i++)
			s[i] = alphabet[next_rand() % sizeof(alphabet)];
		for (size_t from = 0; from <= len; from++) {
			for (size_t to = from; to <= len; to++) {
				static const unsigned char pairs[][2] = {
					{ ' ', '=' }, { ' ', ' ' }, { '=', ',' }, { 0xa0, 0xff }, { '\0', 0x1f },
				};

				checks++;
				if (ct_text_skip_spaces(s, from, to) != naive_skip(s, from, to)) {
					failed++;
					fprintf(stderr, "FAIL: skip_spaces round %d [%zu,%zu)\n", round, from, to);
				}
				for (size_t k = 0; k < sizeof(pairs) / sizeof(pairs[0]); k++) {
					const char *want = naive_find(s + from, s + to, pairs[k][0], pairs[k][1]);

					checks += 2;
					if (ct_text_find2(s + from, s + to, pairs[k][0], pairs[k][1]) != want) {
						failed++;
						fprintf(stderr, "FAIL: find2 round %d [%zu,%zu) pair %zu\n", round, from, to, k);
					}
					want = naive_find(s + from, s + to, pairs[k][0], pairs[k][0]);
					if (ct_text_find1(s + from, s + to, pairs[k][0]) != want) {
						failed++;
						fprintf(stderr, "FAIL: find1 round %d [%zu,%zu) byte %zu\n", round, from, to, k);
					}
				}
			}
		}
		free(buf);
	}
	printf("%ld checks, %ld failed\n", checks, failed);
	return failed ? 1 : 0;
}
