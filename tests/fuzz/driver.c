// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * A main() for the fuzz harnesses when they are not built with libFuzzer
 * (the normal and ASan builds): runs LLVMFuzzerTestOneInput() once on every
 * file named on the command line and on every file in every directory
 * named (not recursively, in name order). That is how each crasher the
 * fuzzer found stays a regression test (tests/fuzz/regressions/HARNESS/).
 * Exit status 0, or 1 when an argument cannot be read or a directory holds
 * no input (a replay of nothing tests nothing); a crash is a crash.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/util.h"
#include "fuzz_common.h"

__attribute__((weak)) int LLVMFuzzerInitialize(int *argc, char ***argv);

static int run_file(const char *path)
{
	char *data = NULL;
	uint8_t *exact;
	size_t len = 0;

	if (ct_read_file(path, 64u << 20, &data, &len) < 0) {
		fprintf(stderr, "%s: cannot read: %s\n", path, strerror(errno));
		return -1;
	}
	/* ct_read_file() adds a NUL; the harness gets exactly the file's bytes, as under libFuzzer */
	exact = malloc(len ? len : 1);
	if (!exact) {
		free(data);
		return -1;
	}
	memcpy(exact, data, len);
	free(data);
	fprintf(stderr, "running %s (%zu bytes)\n", path, len);
	LLVMFuzzerTestOneInput(exact, len);
	free(exact);
	return 0;
}

static int by_name(const struct dirent **a, const struct dirent **b)
{
	return strcmp((*a)->d_name, (*b)->d_name);
}

static int run_dir(const char *dir, unsigned *count)
{
	struct dirent **names;
	int n = scandir(dir, &names, NULL, by_name), status = 0;
	unsigned before = *count;

	if (n < 0) {
		fprintf(stderr, "%s: cannot list: %s\n", dir, strerror(errno));
		return -1;
	}
	for (int i = 0; i < n; i++) {
		char path[4096];
		struct stat st;

		snprintf(path, sizeof(path), "%s/%s", dir, names[i]->d_name);
		if (names[i]->d_name[0] != '.' && stat(path, &st) == 0 && S_ISREG(st.st_mode)) {
			if (run_file(path) < 0)
				status = -1;
			else
				(*count)++;
		}
		free(names[i]);
	}
	free(names);
	if (status == 0 && *count == before) {
		fprintf(stderr, "%s: no inputs to replay\n", dir);
		status = -1;
	}
	return status;
}

int main(int argc, char **argv)
{
	unsigned count = 0;
	int status = 0;

	if (LLVMFuzzerInitialize)
		LLVMFuzzerInitialize(&argc, &argv);
	for (int i = 1; i < argc; i++) {
		struct stat st;

		if (stat(argv[i], &st) < 0) {
			fprintf(stderr, "%s: %s\n", argv[i], strerror(errno));
			status = 1;
		} else if (S_ISDIR(st.st_mode)) {
			if (run_dir(argv[i], &count) < 0)
				status = 1;
		} else if (run_file(argv[i]) == 0) {
			count++;
		} else {
			status = 1;
		}
	}
	printf("%u inputs ran without a crash\n", count);
	return count ? status : 1;
}
