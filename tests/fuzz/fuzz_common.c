// SPDX-License-Identifier: GPL-2.0-or-later
/* The report pipeline and the checks every harness shares (fuzz_common.h). */
#include <cjson/cJSON.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "compactrace/error.h"
#include "compactrace/model.h"
#include "compactrace/report.h"
#include "compactrace/vmstat_check.h"
#include "fuzz_common.h"
#include "snapshot/model_snap.h"
#include "snapshot/snapshot.h"

#define FZ_NAME "fuzz-input"

void fz_fail(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fputs("fuzz check failed: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	abort();
}

int fz_memfd(const uint8_t *data, size_t size)
{
	static int fd = -1;
	size_t done = 0;

	if (fd < 0) {
		fd = memfd_create("fuzz-input", MFD_CLOEXEC);
		if (fd < 0)
			fz_fail("memfd_create failed");
	}
	if (ftruncate(fd, 0) < 0 || lseek(fd, 0, SEEK_SET) != 0)
		fz_fail("memfd reset failed");
	while (done < size) {
		ssize_t n = write(fd, data + done, size - done);

		if (n <= 0)
			fz_fail("memfd write failed");
		done += (size_t)n;
	}
	if (lseek(fd, 0, SEEK_SET) != 0)
		fz_fail("memfd seek failed");
	return fd;
}

static FILE *devnull(void)
{
	static FILE *f;

	if (!f) {
		f = fopen("/dev/null", "we");
		if (!f)
			fz_fail("cannot open /dev/null");
	}
	return f;
}

static void check_str(const char *what, const char *s, size_t size)
{
	if (!memchr(s, '\0', size))
		fz_fail("%s is not NUL-terminated", what);
}

void fz_check_event(const struct ct_event *ev)
{
	if (ev->type >= CT_EV_TYPE_COUNT)
		fz_fail("event type %u out of range", ev->type);
	if (ev->name_len && (!ev->name || memchr(ev->name, '\0', ev->name_len)))
		fz_fail("event name malformed");
	check_str("comm", ev->comm, sizeof(ev->comm));
	switch (ev->type) {
	case CT_EV_TRY_TO_COMPACT:
		check_str("gfp text", ev->u.try_.gfp_text, sizeof(ev->u.try_.gfp_text));
		break;
	case CT_EV_FINISHED:
	case CT_EV_SUITABLE:
		check_str("zone", ev->u.zo.zone, sizeof(ev->u.zo.zone));
		break;
	case CT_EV_DEFERRED:
	case CT_EV_DEFER_COMPACTION:
	case CT_EV_DEFER_RESET:
		check_str("zone", ev->u.defer.zone, sizeof(ev->u.defer.zone));
		break;
	case CT_EV_KCOMPACTD_SLEEP:
	case CT_EV_WAKEUP_KCOMPACTD:
	case CT_EV_KCOMPACTD_WAKE:
		check_str("zone", ev->u.kc.zone, sizeof(ev->u.kc.zone));
		break;
	case CT_EV_MM_MIGRATE_PAGES:
		check_str("mode", ev->u.mm.mode, sizeof(ev->u.mm.mode));
		check_str("reason", ev->u.mm.reason, sizeof(ev->u.mm.reason));
		break;
	default:
		break;
	}
}

static void ndjson_run(void *ctx, const struct ct_run *run)
{
	if (ct_ndjson_run(ctx, run) < 0)
		fz_fail("ct_ndjson_run failed");
}

static void ndjson_stall(void *ctx, const struct ct_stall *stall)
{
	if (ct_ndjson_stall(ctx, stall) < 0)
		fz_fail("ct_ndjson_stall failed");
}

struct ct_engine *fz_engine_new(const struct ct_memsnap *start, const struct ct_memsnap *end,
				int page_events, int pageblock_order, int pageblocks)
{
	struct ct_model_opts mopts = { .start = start, .end = end, .page_events = page_events,
				       .pageblock_order = pageblock_order, .keep_pageblocks = pageblocks,
				       .max_bytes = FZ_MODEL_BYTES };
	struct ct_engine_opts o = { .filter_pid = -1, .model = &mopts, .on_run = ndjson_run,
				    .on_stall = ndjson_stall, .ctx = devnull() };
	struct ct_engine *eng;

	if (pageblock_order) {
		o.pageblock_order = pageblock_order;
		o.pageblock_order_source = CT_PBO_SNAPSHOT;
	}
	eng = ct_engine_new(&o);
	if (!eng)
		fz_fail("ct_engine_new failed");
	return eng;
}

static void check_json(const struct ct_report_input *in)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *ms = open_memstream(&buf, &len);
	cJSON *doc;

	if (!ms)
		fz_fail("open_memstream failed");
	if (ct_report_json(ms, in) < 0)
		fz_fail("ct_report_json failed");
	if (fclose(ms) != 0)
		fz_fail("memstream failed");
	doc = cJSON_ParseWithLength(buf, len);
	if (!doc)
		fz_fail("the JSON report does not parse (near byte %td of %zu)",
			cJSON_GetErrorPtr() ? cJSON_GetErrorPtr() - buf : (ptrdiff_t)-1, len);
	cJSON_Delete(doc);
	free(buf);
}

void fz_render(struct ct_engine *eng, const struct ct_snapshot *start, const struct ct_snapshot *end,
	       int pageblocks)
{
	struct ct_report_input in = { .res = ct_engine_results(eng), .model_map = 1,
				      .model_pageblocks = pageblocks };
	struct ct_model *m = ct_engine_model(eng);
	struct ct_vmstat_check check;

	if (m) {
		uint64_t npb = 0;

		in.model = ct_model_results(m);
		if (!in.model)
			fz_fail("ct_model_results failed");
		for (uint32_t i = 0; i < in.model->nzones; i++)
			npb += in.model->zones[i].npageblocks;
		/* both walk every pageblock: on large zones, for one input in four */
		if ((npb <= FZ_MAX_PAGEBLOCK_ROWS || pageblocks) && ct_model_check(m) < 0)
			fz_fail("ct_model_check: the model broke its invariants");
		if (npb > FZ_MAX_PAGEBLOCK_ROWS)
			in.model_pageblocks = 0;	/* the same rows, only slower */
	}
	if (start && end) {
		struct ct_kernel_facts facts;

		ct_snapshot_kernel_facts(start, in.res, &facts);
		ct_vmstat_check_run(in.res, &facts, start->vmstat, end->vmstat, &check);
		in.vmstat = &check;
		in.snapshot_start = FZ_NAME "#snapshot-start";
		in.snapshot_end = FZ_NAME "#snapshot-end";
	}
	if (ct_report_text(devnull(), &in) < 0)
		fz_fail("ct_report_text failed");
	check_json(&in);
}

static void check_message(const char *msg)
{
	if (strncmp(msg, FZ_NAME, strlen(FZ_NAME)) != 0)
		fz_fail("error message does not name the file: %s", msg);
}

/* As report's load_snapshot_attachments() and load_model_snapshots() for one input. */
static int load_attachments(const struct ct_source *src, struct ct_snapshot *start,
			    struct ct_snapshot *end, struct ct_memsnap **ms_start,
			    struct ct_memsnap **ms_end)
{
	char err[512];
	int a, b, have = 0;

	a = ct_snapshot_from_source(src, "snapshot-start", start, err, sizeof(err));
	b = a < 0 ? 0 : ct_snapshot_from_source(src, "snapshot-end", end, err, sizeof(err));
	if (a < 0 || b < 0) {
		check_message(err);
		return -1;	/* report stops here */
	}
	if (a == 1 && b == 1)
		have = 1;
	else {
		ct_snapshot_release(start);
		ct_snapshot_release(end);
	}
	a = ct_model_snap_load_source(src, "snapshot-start", ms_start, err, sizeof(err));
	b = a == 0 ? ct_model_snap_load_source(src, "snapshot-end", ms_end, err, sizeof(err)) : 0;
	if (a < 0 || b < 0) {
		check_message(err);
		ct_memsnap_free(*ms_start);
		ct_memsnap_free(*ms_end);
		*ms_start = *ms_end = NULL;
	}
	return have;
}

int fz_replay(struct ct_engine *eng, struct ct_source *src, const char *name)
{
	struct ct_event ev;
	int ret = ct_engine_begin_source(eng, ct_source_path(src), ct_source_format(src));

	while (ret == 0 && (ret = ct_source_next(src, &ev)) == 1) {
		fz_check_event(&ev);
		ret = ct_engine_feed(eng, &ev);
	}
	if (ret == -CT_E_NOMEM)
		fz_fail("out of memory replaying %s", name);
	if (ret < 0) {
		if (strncmp(ct_source_error(src), name, strlen(name)) != 0)
			fz_fail("error message does not name the file: %s", ct_source_error(src));
		return -1;	/* report prints the error and no report */
	}
	if (ct_engine_end_source(eng) < 0)
		fz_fail("ct_engine_end_source: out of memory");
	return 0;
}

void fz_snaps_release(struct fz_snaps *s)
{
	ct_memsnap_free(s->ms_start);
	ct_memsnap_free(s->ms_end);
	ct_snapshot_release(&s->start);
	ct_snapshot_release(&s->end);
	memset(s, 0, sizeof(*s));
}

void fz_report_file(const char *format, const uint8_t *data, size_t size)
{
	struct fz_snaps snaps = { 0 };
	struct ct_engine *eng = NULL;
	struct ct_source *src = NULL;
	char err[512];

	if (size > FZ_MAX_INPUT)
		size = FZ_MAX_INPUT;
	if (ct_source_open_fd(fz_memfd(data, size), FZ_NAME, format, &src, err, sizeof(err)) < 0) {
		check_message(err);
		return;
	}
	snaps.have = load_attachments(src, &snaps.start, &snaps.end, &snaps.ms_start, &snaps.ms_end);
	if (snaps.have < 0)
		goto out;
	eng = fz_engine_new(snaps.ms_start, snaps.ms_end, 0, snaps.have ? snaps.start.pageblock_order : 0,
			    FZ_PAGEBLOCKS(size));
	if (fz_replay(eng, src, FZ_NAME) == 0)
		fz_render(eng, snaps.have ? &snaps.start : NULL, snaps.have ? &snaps.end : NULL,
			  FZ_PAGEBLOCKS(size));
out:
	ct_source_free(src);
	ct_engine_free(eng);	/* before the snapshots: its model points into them */
	fz_snaps_release(&snaps);
}

void fz_items(const uint8_t *data, size_t size, fz_item_fn fn, void *ctx)
{
	const uint8_t *p = data, *end = data + size;

	while (p < end) {
		const uint8_t *nl = memchr(p, '\n', (size_t)(end - p)), *body, *next = end;

		if (end - p < 4 || memcmp(p, "=== ", 4) != 0) {	/* skip to the next header */
			p = nl ? nl + 1 : end;
			continue;
		}
		body = nl ? nl + 1 : end;
		for (const uint8_t *q = body; q < end; q++) {
			q = memchr(q, '\n', (size_t)(end - q));
			if (!q)
				break;
			if (end - q > 4 && memcmp(q + 1, "=== ", 4) == 0) {
				next = q + 1;
				break;
			}
		}
		fn(ctx, (const char *)p + 4, (size_t)((nl ? nl : end) - p - 4), body, (size_t)(next - body));
		p = next;
	}
}
