// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The table of events against two real kernels: every field a descriptor
 * names must exist, under one of its names, in the format files read from
 * tracefs on Linux 6.1 and 6.18 (tests/binary/formats/) — as a field of the
 * record (binary names) and as "key=" in the print format (text names) —
 * except the ones listed here by hand as absent on that kernel, each with
 * the reason. A misspelt name, or a kernel that renamed a field, fails.
 *
 * Usage: test_event_table FORMATS_DIR. Exit 0 pass, 1 fail, 77 skip.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../common/check.h"
#include "compactrace/event_desc.h"

/* fields absent from a kernel's format, by design (written by hand from the format files) */
static const struct {
	const char *kernel, *event, *name;	/* name: the field's first name, binary or text */
	int binary;
	const char *why;
} absent[] = {
	/* binary */
	{ "*", "mm_page_free", "gfp_flags", 1, "only mm_page_alloc records the gfp mask" },
	{ "*", "mm_page_free_batched", "gfp_flags", 1, "only mm_page_alloc records the gfp mask" },
	{ "*", "mm_page_alloc_zone_locked", "gfp_flags", 1, "only mm_page_alloc records the gfp mask" },
	{ "*", "mm_page_pcpu_drain", "gfp_flags", 1, "only mm_page_alloc records the gfp mask" },
};

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "r");
	char *buf;
	long n;

	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	buf = calloc(1, (size_t)n + 1);
	if (buf && fread(buf, 1, (size_t)n, f) != (size_t)n) {
		free(buf);
		buf = NULL;
	}
	fclose(f);
	return buf;
}

/* "field:TYPE NAME;" or "field:TYPE NAME[...]" in the format's field list */
static int has_field(const char *fmt, const char *name)
{
	const char *end = strstr(fmt, "print fmt:");
	size_t n = strlen(name);

	for (const char *p = fmt; (p = strstr(p, name)) != NULL && (!end || p < end); p++)
		if (p > fmt && (p[-1] == ' ' || p[-1] == '*') && (p[n] == ';' || p[n] == '['))
			return 1;
	return 0;
}

/* "NAME=" in the print format's format string */
static int has_key(const char *fmt, const char *name)
{
	const char *pf = strstr(fmt, "print fmt: \"");
	char want[64];

	if (!pf)
		return 0;
	snprintf(want, sizeof(want), "%s=", name);
	for (const char *p = pf; (p = strstr(p, want)) != NULL; p++)
		if (p[-1] == ' ' || p[-1] == '"' || p[-1] == ',')
			return 1;
	return 0;
}

static int expected_absent(const char *kernel, const char *event, const char *name, int binary)
{
	for (size_t i = 0; i < sizeof(absent) / sizeof(absent[0]); i++)
		if ((strcmp(absent[i].kernel, "*") == 0 || strcmp(absent[i].kernel, kernel) == 0) &&
		    strcmp(absent[i].event, event) == 0 && strcmp(absent[i].name, name) == 0 &&
		    absent[i].binary == binary && absent[i].why)
			return 1;
	return 0;
}

static int any(const char *const *names, const char *fmt, int (*has)(const char *, const char *))
{
	for (int a = 0; a < CT_FIELD_ALIASES && names[a]; a++)
		if (has(fmt, names[a]))
			return 1;
	return 0;
}

static void check_kernel(const char *dir, const char *kernel)
{
	int events = 0;

	for (int t = 0; t < CT_EV_TYPE_COUNT; t++) {
		const struct ct_event_desc *d = ct_event_desc((enum ct_event_type)t);
		char path[4096];
		char *fmt;

		if (!d)
			continue;
		snprintf(path, sizeof(path), "%s/%s/%s/%s.format", dir, kernel, d->system, d->name);
		fmt = slurp(path);
		if (!fmt) {
			/* the kernels' folders hold the events these machines had */
			fprintf(stderr, "%s: no %s (not captured)\n", kernel, path);
			continue;
		}
		events++;
		for (unsigned i = 0; i < d->nfields; i++) {
			const struct ct_field_desc *f = &d->fields[i];

			int ok;

			if (f->bin[0]) {
				ok = any(f->bin, fmt, has_field) || expected_absent(kernel, d->name, f->bin[0], 1);
				if (!ok)
					fprintf(stderr, "%s: %s has no field %s (or its aliases)\n", kernel, d->name,
						f->bin[0]);
				CHECK(ok);
			}
			/* text keys the kernel prints; page= and the computed extfrag keys included */
			if (f->text[0]) {
				ok = any(f->text, fmt, has_key) || expected_absent(kernel, d->name, f->text[0], 0);
				if (!ok)
					fprintf(stderr, "%s: %s prints no %s= (or its aliases)\n", kernel, d->name,
						f->text[0]);
				CHECK(ok);
			}
		}
		free(fmt);
	}
	/* 6.18 has all of them but mm_page_free_batched; 6.1 has no fast_isolate_freepages either */
	CHECK(events >= 20);
}

int main(int argc, char **argv)
{
	const char *dir = argc > 1 ? argv[1] : NULL;
	char probe[4096];
	FILE *f;

	if (!dir) {
		fprintf(stderr, "usage: test_event_table FORMATS_DIR\n");
		return 77;
	}
	snprintf(probe, sizeof(probe), "%s/linux-6.18/uname.txt", dir);
	f = fopen(probe, "r");
	if (!f) {
		printf("SKIP: no format files under %s\n", dir);
		return 77;
	}
	fclose(f);
	check_kernel(dir, "linux-6.18");
	check_kernel(dir, "linux-6.1");
	return ct_test_status("event-table");
}
