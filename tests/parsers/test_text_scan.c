// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The eight-bytes-at-a-time scanners of parsers/text.h (ct_text_skip_spaces,
 * ct_text_back_spaces, ct_text_word_start, ct_text_find1, ct_text_find2,
 * ct_text_find3), and the timestamp's (ct_text_find_ts,
 * ct_text_parse_ts), against a byte-by-byte loop written here:
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

static size_t naive_back_spaces(const char *s, size_t from, size_t i)
{
	while (i > from && s[i - 1] == ' ')
		i--;
	return i;
}

static size_t naive_word_start(const char *s, size_t from, size_t end)
{
	while (end > from && s[end - 1] != ' ')
		end--;
	return end;
}

static const char *naive_find(const char *p, const char *end, unsigned char a, unsigned char b)
{
	while (p < end && (unsigned char)*p != a && (unsigned char)*p != b)
		p++;
	return p;
}

static int naive_ts_char(char c)
{
	return (c >= '0' && c <= '9') || c == '.';
}

/* ct_text_find_ts()'s contract: the first ": " (or ':' at the end) after @from preceded by " N[.N]" */
static int naive_find_ts(const char *s, size_t n, size_t from, size_t *tok, size_t *colon)
{
	for (size_t ci = from; ci < n; ci++) {
		size_t t = ci;
		int dots = 0;

		if (s[ci] != ':' || (ci + 1 < n && s[ci + 1] != ' '))
			continue;
		while (t > from && naive_ts_char(s[t - 1])) {
			dots += s[t - 1] == '.';
			t--;
		}
		if (t == ci || t == from || s[t - 1] != ' ' || dots > 1 || s[t] == '.' || s[ci - 1] == '.')
			continue;
		*tok = t;
		*colon = ci;
		return 0;
	}
	return -1;
}

/* "SECS[.FRACTION]" to ns, fraction digits past the ninth dropped; -1 malformed or too large */
static int naive_parse_ts(const char *s, size_t n, uint64_t *ns)
{
	unsigned __int128 sec = 0, frac = 0;
	size_t i = 0, digits = 0;

	while (i < n && s[i] >= '0' && s[i] <= '9') {
		sec = sec * 10 + (unsigned)(s[i++] - '0');
		if (sec > (unsigned __int128)UINT64_MAX)
			return -1;
	}
	if (i == 0)
		return -1;
	if (i < n) {
		if (s[i] != '.' || i + 1 == n)
			return -1;
		for (i++; i < n; i++) {
			if (s[i] < '0' || s[i] > '9')
				return -1;
			if (digits < 9) {
				frac = frac * 10 + (unsigned)(s[i] - '0');
				digits++;
			}
		}
		for (; digits < 9; digits++)
			frac *= 10;
	}
	if (sec * 1000000000u + frac > (unsigned __int128)UINT64_MAX)
		return -1;
	*ns = (uint64_t)(sec * 1000000000u + frac);
	return 0;
}

/* random strings over digits, dots, spaces, colons and their high-bit twins; some well-formed stamps */
static long check_timestamps(void)
{
	static const char alphabet[] = { '0', '1', '5', '9', '9', '.', '.', ' ', ' ', ':', 'a', '/',
					 (char)0xb0, (char)0xb9, (char)0xae, (char)0xba };
	long failed = 0;

	for (int round = 0; round < 3000; round++) {
		size_t len = next_rand() % 36, at;
		char *buf = malloc(len + 1), *s = buf;

		for (size_t i = 0; i < len; i++)
			s[i] = alphabet[next_rand() % sizeof(alphabet)];
		/* a " SECS.FRAC: " with 1-12 and 0-12 digits, at a random place */
		if (round % 2 && len > 0) {
			char stamp[40];
			int a = 1 + (int)(next_rand() % 12), b = (int)(next_rand() % 13), k = 0;

			stamp[k++] = ' ';
			for (int i = 0; i < a; i++)
				stamp[k++] = (char)('0' + next_rand() % 10);
			if (b || next_rand() % 2)
				stamp[k++] = '.';
			for (int i = 0; i < b; i++)
				stamp[k++] = (char)('0' + next_rand() % 10);
			stamp[k++] = ':';
			if (next_rand() % 2)	/* one byte of it replaced: a high-bit twin, a space, ... */
				stamp[1 + next_rand() % (unsigned)(k - 2)] = alphabet[next_rand() % sizeof(alphabet)];
			at = next_rand() % len;
			for (int i = 0; i < k && at + (size_t)i < len; i++)
				s[at + (size_t)i] = stamp[i];
		}
		for (size_t from = 0; from <= len; from++) {
			size_t tok = 0, colon = 0, wtok = 0, wcolon = 0;
			int r = ct_text_find_ts(s, len, from, &tok, &colon);
			int w = naive_find_ts(s, len, from, &wtok, &wcolon);

			if (r != w || (r == 0 && (tok != wtok || colon != wcolon))) {
				failed++;
				fprintf(stderr, "FAIL: find_ts round %d from %zu: %d %zu %zu, want %d %zu %zu\n",
					round, from, r, tok, colon, w, wtok, wcolon);
			}
			for (size_t to = from; to <= len; to++) {
				uint64_t got = 1, want = 2;

				r = ct_text_parse_ts(s + from, to - from, &got);
				w = naive_parse_ts(s + from, to - from, &want);
				if (r != w || (r == 0 && got != want)) {
					failed++;
					fprintf(stderr, "FAIL: parse_ts round %d \"%.*s\": %d %llu, want %d %llu\n",
						round, (int)(to - from), s + from, r, (unsigned long long)got, w,
						(unsigned long long)want);
				}
			}
		}
		free(buf);
	}
	return failed;
}

int main(void)
{
	static const char alphabet[] = { ' ', ' ', ' ', '=', ',', 'a', '0', '!', (char)0xa0, (char)0xff, '\0', (char)0x1f };
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

				checks += 3;
				if (ct_text_skip_spaces(s, from, to) != naive_skip(s, from, to)) {
					failed++;
					fprintf(stderr, "FAIL: skip_spaces round %d [%zu,%zu)\n", round, from, to);
				}
				if (ct_text_back_spaces(s, from, to) != naive_back_spaces(s, from, to)) {
					failed++;
					fprintf(stderr, "FAIL: back_spaces round %d [%zu,%zu)\n", round, from, to);
				}
				if (ct_text_word_start(s, from, to) != naive_word_start(s, from, to)) {
					failed++;
					fprintf(stderr, "FAIL: word_start round %d [%zu,%zu)\n", round, from, to);
				}
				for (size_t k = 0; k < sizeof(pairs) / sizeof(pairs[0]); k++) {
					const char *want = naive_find(s + from, s + to, pairs[k][0], pairs[k][1]);

					checks += 2;
					if (ct_text_find2(s + from, s + to, pairs[k][0], pairs[k][1]) != want) {
						failed++;
						fprintf(stderr, "FAIL: find2 round %d [%zu,%zu) pair %zu\n", round, from, to, k);
					}
					want = naive_find(s + from, s + to, pairs[k][0], pairs[k][1]);
					if (want > naive_find(s + from, s + to, ',', ','))
						want = naive_find(s + from, s + to, ',', ',');
					checks++;
					if (ct_text_find3(s + from, s + to, pairs[k][0], pairs[k][1], ',') != want) {
						failed++;
						fprintf(stderr, "FAIL: find3 round %d [%zu,%zu) pair %zu\n", round, from, to, k);
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
	failed += check_timestamps();
	printf("%ld checks, %ld failed\n", checks, failed);
	return failed ? 1 : 0;
}
