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
#include "compactrace/session.h"
#include "compactrace/vmstat_check.h"
#include "fuzz_common.h"

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

struct ct_ndjson_writer *fz_ndjson(void)
{
	static struct ct_ndjson_writer w;

	w.out = devnull();
	return &w;
}

struct fz_pipeline fz_pipeline_new(const struct ct_memsnap *start, const struct ct_memsnap *end,
				   int page_events, int pageblock_order, int pageblocks)
{
	struct ct_model_opts mopts = { .start = start, .end = end, .page_events = page_events,
				       .pageblock_order = pageblock_order, .keep_pageblocks = pageblocks,
				       .max_bytes = FZ_MODEL_BYTES };
	struct ct_engine_opts o = { .filter_pid = -1 };
	struct fz_pipeline p = { NULL, NULL };
	struct ct_sink sinks[2];

	p.model = ct_model_new(&mopts);
	if (!p.model)
		fz_fail("ct_model_new failed");
	sinks[0] = ct_model_sink(p.model);
	sinks[1] = ct_ndjson_sink(fz_ndjson());
	o.sinks = sinks;
	o.nsinks = 2;
	if (pageblock_order) {
		o.pageblock_order = pageblock_order;
		o.pageblock_order_source = CT_FACT_SNAPSHOT;
	}
	p.eng = ct_engine_new(&o);
	if (!p.eng)
		fz_fail("ct_engine_new failed");
	return p;
}

void fz_pipeline_free(struct fz_pipeline *p)
{
	ct_engine_free(p->eng);
	ct_model_free(p->model);
	p->eng = NULL;
	p->model = NULL;
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

void fz_render(struct ct_report_input *in, struct ct_model *model, int pageblocks)
{
	in->model_map = 1;
	in->model_pageblocks = pageblocks;
	if (model) {
		uint64_t npb = 0;

		in->model = ct_model_results(model);
		if (!in->model)
			fz_fail("ct_model_results failed");
		for (uint32_t i = 0; i < in->model->nzones; i++)
			npb += in->model->zones[i].npageblocks;
		/* both walk every pageblock: on large zones, for one input in four */
		if ((npb <= FZ_MAX_PAGEBLOCK_ROWS || pageblocks) && ct_model_check(model) < 0)
			fz_fail("ct_model_check: the model broke its invariants");
		if (npb > FZ_MAX_PAGEBLOCK_ROWS)
			in->model_pageblocks = 0;	/* the same rows, only slower */
	}
	if (ct_report_text(devnull(), in) < 0)
		fz_fail("ct_report_text failed");
	check_json(in);
}

static void check_message(const char *msg)
{
	if (strncmp(msg, FZ_NAME, strlen(FZ_NAME)) != 0)
		fz_fail("error message does not name the file: %s", msg);
}

int fz_session_replay(struct ct_session *s, struct ct_source *src, const char *name)
{
	struct ct_event ev;
	int ret = ct_session_begin_source(s, ct_source_path(src), ct_source_format(src));

	while (ret == 0 && (ret = ct_source_next(src, &ev)) == 1) {
		fz_check_event(&ev);
		ret = ct_session_feed(s, &ev);
	}
	if (ret == -CT_E_NOMEM)
		fz_fail("out of memory replaying %s", name);
	if (ret < 0) {
		if (strncmp(ct_source_error(src), name, strlen(name)) != 0)
			fz_fail("error message does not name the file: %s", ct_source_error(src));
		return -1;	/* report prints the error and no report */
	}
	if (ct_session_end_source(s) < 0)
		fz_fail("ct_session_end_source failed");
	return 0;
}

void fz_session_render(struct ct_session *s, int pageblocks)
{
	struct ct_report_input in;

	if (ct_session_finish(s) < 0)
		fz_fail("ct_session_finish: out of memory");
	if (ct_session_report_input(s, &in) < 0)
		fz_fail("ct_session_report_input: out of memory");
	in.model = NULL;	/* fz_render() computes and checks it */
	fz_render(&in, ct_session_model(s), pageblocks);
}

void fz_report_file(const char *format, const uint8_t *data, size_t size)
{
	struct ct_session_opts so = { .keep_pageblocks = FZ_PAGEBLOCKS(size),
				      .model_max_bytes = FZ_MODEL_BYTES };
	struct ct_session *s = ct_session_new(&so);
	struct ct_sink nd = ct_ndjson_sink(fz_ndjson());
	struct ct_source *src = NULL;
	char err[4400];

	if (!s || ct_session_add_sink(s, &nd) < 0)
		fz_fail("ct_session_new failed");
	if (size > FZ_MAX_INPUT)
		size = FZ_MAX_INPUT;
	if (ct_source_open_fd(fz_memfd(data, size), FZ_NAME, format, &src, err, sizeof(err)) < 0) {
		check_message(err);
		goto out;
	}
	/* a single recording's own snapshots, as report loads them */
	if (ct_session_load_snapshot_source(s, src, err, sizeof(err)) < 0) {
		check_message(err);
		goto out;	/* report stops here */
	}
	if (ct_session_warning(s))
		check_message(ct_session_warning(s));
	if (fz_session_replay(s, src, FZ_NAME) == 0)
		fz_session_render(s, FZ_PAGEBLOCKS(size));
out:
	ct_source_free(src);
	ct_session_free(s);
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
