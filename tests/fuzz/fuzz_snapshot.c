// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Fuzz the snapshot parsers (src/snapshot/memsnap.c: buddyinfo, pagetypeinfo,
 * zoneinfo, kpageflags summary, free map, page-size, extfrag_threshold;
 * src/snapshot/snapshot.c: vmstat, pagetypeinfo, osrelease) through
 * `compactrace report --snapshot-start=DIR --snapshot-end=DIR`'s path: the
 * items are written to two directories and read back by the report's own
 * loaders, the model is seeded from them, a trace is replayed and every
 * report rendered.
 *
 * Input: items, each a line "=== start/NAME" or "=== end/NAME" followed by
 * the item's bytes up to the next such line; "=== trace" holds ftrace text
 * to replay (a few built-in events when there is none). Unknown names are
 * ignored.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include "compactrace/error.h"
#include "fuzz_common.h"

static const char *const items[] = {
	"buddyinfo", "pagetypeinfo", "zoneinfo", "kpageflags-summary", "free-map", "page-size",
	"extfrag_threshold", "vmstat", "osrelease",
};
#define NITEMS (sizeof(items) / sizeof(items[0]))

static const char default_trace[] =
	"# tracer: nop\n"
	"              sh-29699   [001] .....  2438.960686: mm_compaction_begin: zone_start=0x1000 migrate_pfn=0x1000 free_pfn=0x3fe00 zone_end=0x40000, mode=sync\n"
	"              sh-29699   [001] .....  2438.960700: mm_compaction_isolate_migratepages: range=(0x1000 ~ 0x1200) nr_scanned=512 nr_taken=32\n"
	"              sh-29699   [001] .....  2438.960710: mm_compaction_isolate_freepages: range=(0x3fe00 ~ 0x40000) nr_scanned=512 nr_taken=32\n"
	"              sh-29699   [001] .....  2438.960720: mm_compaction_migratepages: nr_migrated=30 nr_failed=2\n"
	"              sh-29699   [001] .....  2438.960730: mm_compaction_end: zone_start=0x1000 migrate_pfn=0x1200 free_pfn=0x3fe00 zone_end=0x40000, mode=sync status=complete\n"
	"           <...>-30000   [000] .....  2438.960800: mm_page_alloc_extfrag: page=0xffffea0000000000 pfn=0x2000 alloc_order=0 fallback_order=3 pageblock_order=9 alloc_migratetype=0 fallback_migratetype=1 fragmenting=1 change_ownership=0\n";

static char dir[64];

static void remove_items(void)
{
	char path[128];

	for (int w = 0; w < 2; w++)
		for (size_t i = 0; i < NITEMS; i++) {
			snprintf(path, sizeof(path), "%s/%s/%s", dir, w ? "end" : "start", items[i]);
			unlink(path);
		}
}

static void cleanup(void)
{
	char path[128];

	remove_items();
	snprintf(path, sizeof(path), "%s/start", dir);
	rmdir(path);
	snprintf(path, sizeof(path), "%s/end", dir);
	rmdir(path);
	rmdir(dir);
}

static void make_dirs(void)
{
	char path[128];

	snprintf(dir, sizeof(dir), "/tmp/ct-fuzz-snapshot-XXXXXX");
	if (!mkdtemp(dir))
		fz_fail("mkdtemp: %s", strerror(errno));
	atexit(cleanup);
	snprintf(path, sizeof(path), "%s/start", dir);
	if (mkdir(path, 0700) < 0)
		fz_fail("mkdir %s: %s", path, strerror(errno));
	snprintf(path, sizeof(path), "%s/end", dir);
	if (mkdir(path, 0700) < 0)
		fz_fail("mkdir %s: %s", path, strerror(errno));
}

static void write_item(const char *name, const uint8_t *p, size_t len)
{
	char path[128];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "we");
	if (!f || (len && fwrite(p, 1, len, f) != len) || fclose(f) != 0)
		fz_fail("writing %s failed", path);
}

/* The item a header line names: "start/NAME", "end/NAME" or "trace"; NULL if none. */
static const char *item_name(const uint8_t *p, size_t len, char *buf, size_t size)
{
	for (int w = 0; w < 2; w++) {
		const char *side = w ? "end/" : "start/";
		size_t sl = strlen(side);

		if (len < sl || memcmp(p, side, sl) != 0)
			continue;
		for (size_t i = 0; i < NITEMS; i++)
			if (len == sl + strlen(items[i]) && memcmp(p + sl, items[i], len - sl) == 0) {
				snprintf(buf, size, "%s%s", side, items[i]);
				return buf;
			}
	}
	if (len == 5 && memcmp(p, "trace", 5) == 0)
		return "trace";
	return NULL;
}

struct trace_out {
	const uint8_t **trace;
	size_t *trace_len;
};

static void one_item(void *ctx, const char *name_p, size_t name_len, const uint8_t *body, size_t len)
{
	struct trace_out *t = ctx;
	char buf[64];
	const char *name = item_name((const uint8_t *)name_p, name_len, buf, sizeof(buf));

	if (name && strcmp(name, "trace") == 0) {
		*t->trace = body;
		*t->trace_len = len;
	} else if (name) {
		write_item(name, body, len);
	}
}

/* Split the input into items; the trace goes to *trace. */
static void write_items(const uint8_t *data, size_t size, const uint8_t **trace, size_t *trace_len)
{
	struct trace_out t = { trace, trace_len };

	fz_items(data, size, one_item, &t);
}

static void check_message(const char *msg)
{
	if (strncmp(msg, dir, strlen(dir)) != 0)
		fz_fail("snapshot error message does not name the file: %s", msg);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ct_session_opts so = { .keep_pageblocks = FZ_PAGEBLOCKS(size),
				      .model_max_bytes = FZ_MODEL_BYTES };
	const uint8_t *trace = (const uint8_t *)default_trace;
	size_t trace_len = sizeof(default_trace) - 1;
	char start[96], end[96], err[4400];
	struct ct_session *s;
	struct ct_source *src;

	if (!dir[0])
		make_dirs();
	remove_items();
	if (size > FZ_MAX_INPUT)
		size = FZ_MAX_INPUT;
	write_items(data, size, &trace, &trace_len);
	snprintf(start, sizeof(start), "%s/start", dir);
	snprintf(end, sizeof(end), "%s/end", dir);

	s = ct_session_new(&so);
	if (!s)
		fz_fail("ct_session_new failed");
	/* --snapshot-start/-end: report stops on a bad vmstat, warns and goes on without a bad model item */
	if (ct_session_load_snapshot_dirs(s, start, end, err, sizeof(err)) < 0) {
		check_message(err);
		ct_session_free(s);
		return 0;
	}
	if (ct_session_warning(s))
		check_message(ct_session_warning(s));
	if (ct_source_open_fd(fz_memfd(trace, trace_len), "fuzz-trace", CT_FORMAT_FTRACE_TEXT, &src,
			      err, sizeof(err)) < 0)
		fz_fail("opening the trace failed: %s", err);
	if (fz_session_replay(s, src, "fuzz-trace") == 0)
		fz_session_render(s, FZ_PAGEBLOCKS(size));
	ct_source_free(src);
	ct_session_free(s);
	return 0;
}
