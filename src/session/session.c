// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The session: owns the inputs' snapshots, settles the host facts, makes
 * the engine and the shadow buddy model from them, subscribes the
 * consumers, and at the end runs the vmstat check. Every command builds
 * its pipeline here, so the same events give the same numbers everywhere.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compactrace/error.h"
#include "compactrace/session.h"
#include "core/util.h"
#include "session/facts.h"
#include "session/lookahead.h"
#include "session/reader.h"

#define MODEL_OFF_FILTER "--pid/--comm keep part of the events; the model needs all of them"

struct ct_session {
	struct ct_session_opts o;
	char *filter_comm;
	struct ct_snapshot *snap[2];	/* start, end */
	char *warning;			/* why the model goes without snapshots */
	struct ct_host_facts facts;
	int pbo_settled;		/* the pageblock order is known: events may flow */

	struct ct_engine *eng;		/* made once the facts are settled */
	struct ct_model *model;
	struct ct_sink sinks[CT_SESSION_MAX_SINKS];
	uint32_t nsinks;

	/* the first input's events held back until its pageblock order is known */
	struct ct_lookahead *ahead;
	char *pending_path, *pending_format;
	int in_source;

	int finished;
	struct ct_vmstat_check check;
	int have_check;
	struct ct_results empty;	/* what results are before the engine exists */
	/* attachments whose copies a command asked to keep (ct_session_keep_attachment()) */
	struct kept { char *name; void *data; size_t len; } kept[CT_SESSION_MAX_KEPT];
	uint32_t nkept;
};

struct ct_session *ct_session_new(const struct ct_session_opts *opts)
{
	struct ct_session *s = calloc(1, sizeof(*s));

	if (!s)
		return NULL;
	if (opts)
		s->o = *opts;
	if (s->o.filter_comm && !(s->filter_comm = strdup(s->o.filter_comm))) {
		free(s);
		return NULL;
	}
	s->o.filter_comm = s->filter_comm;
	ct_facts_init(&s->facts);
	return s;
}

void ct_session_free(struct ct_session *s)
{
	if (!s)
		return;
	ct_engine_free(s->eng);
	ct_model_free(s->model);	/* after the engine, which calls it */
	ct_snapshot_free(s->snap[0]);
	ct_snapshot_free(s->snap[1]);
	ct_lookahead_free(s->ahead);
	free(s->pending_path);
	free(s->pending_format);
	free(s->warning);
	free(s->filter_comm);
	for (uint32_t i = 0; i < s->nkept; i++) {
		free(s->kept[i].name);
		free(s->kept[i].data);
	}
	free(s);
}

int ct_session_close_idle(struct ct_session *s, uint64_t now_ns, uint64_t idle_ns)
{
	return s->eng ? ct_engine_close_idle(s->eng, now_ns, idle_ns) : 0;
}

int ct_session_keep_attachment(struct ct_session *s, const char *name)
{
	if (s->nkept == CT_SESSION_MAX_KEPT)
		return -CT_E_INVAL;
	s->kept[s->nkept].name = strdup(name);
	if (!s->kept[s->nkept].name)
		return -CT_E_NOMEM;
	s->nkept++;
	return 0;
}

const void *ct_session_attachment(const struct ct_session *s, const char *name, size_t *len)
{
	for (uint32_t i = 0; i < s->nkept; i++)
		if (strcmp(s->kept[i].name, name) == 0 && s->kept[i].data) {
			*len = s->kept[i].len;
			return s->kept[i].data;
		}
	*len = 0;
	return NULL;
}

/* copies of the attachments asked for, from @src (the last input that has one wins) */
static int keep_attachments(struct ct_session *s, const struct ct_source *src)
{
	for (uint32_t i = 0; i < s->nkept; i++) {
		size_t len;
		const void *data = ct_source_attachment(src, s->kept[i].name, &len);
		void *copy;

		if (!data)
			continue;
		copy = malloc(len + 1);
		if (!copy)
			return -CT_E_NOMEM;
		memcpy(copy, data, len);
		((char *)copy)[len] = '\0';	/* texts can be used as strings */
		free(s->kept[i].data);
		s->kept[i].data = copy;
		s->kept[i].len = len;
	}
	return 0;
}

/* ---- snapshots -------------------------------------------------------------- */

static int events_flow(const struct ct_session *s)
{
	return s->eng || s->in_source;
}

/* the model goes without snapshots when one of their items is damaged: say which */
static int note_snapshot_damage(struct ct_session *s)
{
	for (int i = 0; i < 2; i++) {
		if (!s->snap[i] || !s->snap[i]->mem_error || s->warning)
			continue;
		s->warning = strdup(s->snap[i]->mem_error);
		if (!s->warning)
			return -CT_E_NOMEM;
	}
	return 0;
}

static void set_snapshot(struct ct_session *s, int end, struct ct_snapshot *snap)
{
	ct_snapshot_free(s->snap[end]);
	s->snap[end] = snap;
}

int ct_session_load_snapshot_dirs(struct ct_session *s, const char *start_dir, const char *end_dir,
				  char *err, size_t errlen)
{
	struct ct_snapshot *a = NULL, *b = NULL;
	int ret;

	if (events_flow(s))
		return -CT_E_INVAL;
	ret = ct_snapshot_load_dir(start_dir, &a, err, errlen);
	if (ret == 0)
		ret = ct_snapshot_load_dir(end_dir, &b, err, errlen);
	if (ret < 0) {
		ct_snapshot_free(a);
		ct_snapshot_free(b);
		return ret;
	}
	set_snapshot(s, 0, a);
	set_snapshot(s, 1, b);
	return note_snapshot_damage(s);
}

int ct_session_load_snapshot_source(struct ct_session *s, const struct ct_source *src,
				    char *err, size_t errlen)
{
	struct ct_snapshot *a = NULL, *b = NULL;
	int ret;

	if (events_flow(s))
		return -CT_E_INVAL;
	ret = ct_snapshot_load_source(src, CT_SNAPSHOT_START, &a, err, errlen);
	if (ret == 0 && a)
		ret = ct_snapshot_load_source(src, CT_SNAPSHOT_END, &b, err, errlen);
	if (ret < 0 || !a || !b) {	/* both or none: a check needs both ends */
		ct_snapshot_free(a);
		ct_snapshot_free(b);
		return ret;
	}
	set_snapshot(s, 0, a);
	set_snapshot(s, 1, b);
	ret = note_snapshot_damage(s);
	return ret < 0 ? ret : 1;
}

int ct_session_load_snapshot_set(struct ct_session *s, const char *which,
				 const struct ct_attach_set *set, const char *where,
				 char *err, size_t errlen)
{
	int end = strcmp(which, CT_SNAPSHOT_END) == 0;
	struct ct_snapshot *snap = NULL;
	int ret;

	if ((!end && events_flow(s)) || (end && s->finished))
		return -CT_E_INVAL;
	ret = ct_snapshot_load_set(set, which, where, &snap, err, errlen);
	if (ret < 0 || !snap)
		return ret;
	set_snapshot(s, end, snap);
	ret = note_snapshot_damage(s);
	return ret < 0 ? ret : 1;
}

const struct ct_snapshot *ct_session_snapshot(const struct ct_session *s, int end)
{
	return s->snap[end ? 1 : 0];
}

const char *ct_session_warning(const struct ct_session *s)
{
	return s->warning;
}

int ct_session_add_sink(struct ct_session *s, const struct ct_sink *sink)
{
	if (events_flow(s) || s->nsinks == CT_SESSION_MAX_SINKS || !sink->ops)
		return -CT_E_INVAL;
	s->sinks[s->nsinks++] = *sink;
	return 0;
}

/* ---- the pipeline ------------------------------------------------------------- */

static int filtered(const struct ct_session *s)
{
	return s->o.has_filter_pid || s->o.filter_comm;
}

/* the facts are settled: make the engine and the model from them */
static int start_pipeline(struct ct_session *s)
{
	struct ct_engine_opts eo = { .filter_pid = s->o.has_filter_pid ? s->o.filter_pid : -1,
				     .filter_comm = s->o.filter_comm };
	struct ct_sink sinks[CT_SESSION_MAX_SINKS + 1];
	uint32_t n = 0;

	/* the model replays every event: a filtered session has none */
	if (!s->o.no_model && !filtered(s)) {
		struct ct_model_opts mo = {
			.facts = &s->facts, .keep_pageblocks = s->o.keep_pageblocks,
			.max_bytes = s->o.model_max_bytes,
		};

		if (!s->warning) {
			mo.start = s->snap[0] ? s->snap[0]->mem : NULL;
			mo.end = s->snap[1] ? s->snap[1]->mem : NULL;
		}
		s->model = ct_model_new(&mo);
		if (!s->model)
			return -CT_E_NOMEM;
		sinks[n++] = ct_model_sink(s->model);
	}
	for (uint32_t i = 0; i < s->nsinks; i++)
		sinks[n++] = s->sinks[i];
	eo.pageblock_order = s->facts.pageblock_order;
	eo.pageblock_order_source = s->facts.pageblock_order_source;
	eo.sinks = sinks;
	eo.nsinks = n;
	s->eng = ct_engine_new(&eo);
	return s->eng ? 0 : -CT_E_NOMEM;
}

/* the pageblock order is settled (from @ev's text, or by default): let the held events through */
static int settle(struct ct_session *s, int printed_pbo)
{
	const struct ct_event *ev;
	int ret;

	ct_facts_settle_pageblock_order(&s->facts, printed_pbo);
	s->pbo_settled = 1;
	ret = start_pipeline(s);
	if (ret < 0)
		return ret;
	if (s->pending_path) {
		ret = ct_engine_begin_source(s->eng, s->pending_path, s->pending_format);
		free(s->pending_path);
		free(s->pending_format);
		s->pending_path = s->pending_format = NULL;
	}
	for (size_t i = 0; ret == 0 && s->ahead && (ev = ct_lookahead_get(s->ahead, i)) != NULL; i++)
		ret = ct_engine_feed(s->eng, ev);
	ct_lookahead_free(s->ahead);
	s->ahead = NULL;
	return ret;
}

/* settle what the command line and the snapshots say; returns 1 when the pageblock order is known */
static int settle_static_facts(struct ct_session *s)
{
	ct_facts_from_options(&s->facts, s->o.pageblock_order, s->o.has_extfrag_threshold,
			      s->o.extfrag_threshold);
	ct_facts_from_snapshots(&s->facts, s->snap[0], s->snap[1]);
	return s->facts.pageblock_order_source != CT_FACT_DEFAULT;
}

/*
 * Only text says a host fact in an event (the pageblock order an extfrag
 * line prints): a binary trace's events never settle one, so waiting for
 * it would only hold up to CT_SESSION_LOOKAHEAD events back, and copy them.
 */
static int may_print_facts(const char *format)
{
	return strcmp(format, CT_FORMAT_TRACE_DAT) != 0 && strcmp(format, CT_FORMAT_PERF_DATA) != 0 &&
	       strcmp(format, CT_FORMAT_LIVE_RAW) != 0;
}

int ct_session_begin_source(struct ct_session *s, const char *path, const char *format)
{
	if (s->in_source) {
		int ret = ct_session_end_source(s);

		if (ret < 0)
			return ret;
	}
	s->in_source = 1;
	if (!s->eng && !s->ahead) {
		if (settle_static_facts(s) || !may_print_facts(format)) {
			int ret = settle(s, 0);

			if (ret < 0)
				return ret;
		} else {
			s->ahead = ct_lookahead_new(CT_SESSION_LOOKAHEAD, CT_SESSION_LOOKAHEAD_NS);
			s->pending_path = strdup(path);
			s->pending_format = strdup(format);
			if (!s->ahead || !s->pending_path || !s->pending_format)
				return -CT_E_NOMEM;
			return 0;
		}
	}
	return ct_engine_begin_source(s->eng, path, format);
}

int ct_session_feed(struct ct_session *s, const struct ct_event *ev)
{
	if (!s->in_source) {
		int ret = ct_session_begin_source(s, "-", "unknown");

		if (ret < 0)
			return ret;
	}
	if (s->eng) {
		if (ev->type == CT_EV_EXTFRAG)
			ct_facts_check_printed(&s->facts, ev->u.xf.printed_pageblock_order);
		return ct_engine_feed(s->eng, ev);
	}
	/* the kernel's own text says the pageblock order in every extfrag event */
	if (ev->type == CT_EV_EXTFRAG && ct_facts_printed_pbo_ok(ev->u.xf.printed_pageblock_order)) {
		int ret = settle(s, ev->u.xf.printed_pageblock_order);

		return ret < 0 ? ret : ct_engine_feed(s->eng, ev);
	}
	switch (ct_lookahead_put(s->ahead, ev)) {
	case 0:
		return 0;
	case 1:		/* full: nothing said it soon enough */
		return settle(s, 0);
	default:
		return -CT_E_NOMEM;
	}
}

int ct_session_end_source(struct ct_session *s)
{
	int ret;

	if (!s->in_source)
		return 0;
	if (!s->eng) {
		ret = settle(s, 0);
		if (ret < 0)
			return ret;
	}
	s->in_source = 0;
	return ct_engine_end_source(s->eng);
}

/*
 * ct_session_replay()'s loop with decoding on a thread of its own: the same
 * events in the same order reach the engine on this thread, and it stops
 * where the serial loop would. Returns 0 at the end, or <0 (as the loop).
 */
static int replay_threaded(struct ct_session *s, struct ct_source *src)
{
	struct ct_reader *rd;
	const struct ct_event *ev;
	uint32_t n;
	int more, ret = ct_reader_start(src, &rd);

	if (ret == -CT_E_UNSUPPORTED) {		/* no thread to be had: read it here */
		struct ct_event one;

		while ((ret = ct_source_next(src, &one)) == 1 && (ret = ct_session_feed(s, &one)) == 0)
			;
		return ret;
	}
	if (ret < 0)
		return ret;
	do {
		more = ct_reader_next(rd, &ev, &n);
		for (uint32_t i = 0; i < n && ret == 0; i++)
			ret = ct_session_feed(s, &ev[i]);
	} while (ret == 0 && more == 1);
	if (ret == 0 && more < 0)
		ret = more;
	ct_reader_free(rd);
	return ret;
}

int ct_session_replay(struct ct_session *s, struct ct_source *src, char *err, size_t errlen)
{
	const struct ct_results *res;
	uint64_t parse_errors_before = ct_session_results(s)->quality.parse_errors;
	struct ct_event ev;
	int ret;

	ret = keep_attachments(s, src);
	if (ret == 0)
		ret = ct_session_begin_source(s, ct_source_path(src), ct_source_format(src));
	if (ret == 0 && s->o.threads != 1 && ct_reader_threads(src) > 1)
		ret = replay_threaded(s, src);
	else
		while (ret == 0 && (ret = ct_source_next(src, &ev)) == 1)
			ret = ct_session_feed(s, &ev);
	if (ret < 0) {
		snprintf(err, errlen, "%s", ret == -CT_E_NOMEM ? "out of memory" : ct_source_error(src));
		return ret;
	}
	ret = ct_session_end_source(s);
	if (ret < 0) {
		snprintf(err, errlen, "%s", ct_strerror(ret));
		return ret;
	}
	res = ct_session_results(s);
	if (res->sources[res->nsources - 1].events == 0 && res->quality.parse_errors > parse_errors_before) {
		snprintf(err, errlen, "%s: no line could be parsed as a trace event (first bad line %llu)",
			 ct_source_path(src), (unsigned long long)res->quality.parse_error_where[0]);
		return -CT_E_PARSE;
	}
	return 0;
}

int ct_session_replay_file(struct ct_session *s, const char *path, const char *format, int snapshots,
			   char *err, size_t errlen)
{
	struct ct_source *src = NULL;
	int ret;

	ret = ct_source_open(path, format, &src, err, errlen);
	if (ret < 0)
		return ret;
	if (snapshots && !s->snap[0] && !events_flow(s)) {
		ret = ct_session_load_snapshot_source(s, src, err, errlen);
		if (ret < 0)
			goto out;
	}
	ret = ct_session_replay(s, src, err, errlen);
out:
	ct_source_free(src);
	return ret;
}

int ct_session_finish(struct ct_session *s)
{
	int ret = ct_session_end_source(s);

	if (ret < 0)
		return ret;
	if (!s->eng) {		/* no input at all: an empty pipeline still reports */
		settle_static_facts(s);
		ret = settle(s, 0);
		if (ret < 0)
			return ret;
	}
	ct_facts_from_results(&s->facts, ct_engine_results(s->eng));
	s->finished = 1;
	s->have_check = 0;
	if (s->snap[0] && s->snap[1] && s->snap[0]->vmstat && s->snap[1]->vmstat && !filtered(s)) {
		ct_vmstat_check_run(ct_engine_results(s->eng), &s->facts, s->snap[0]->vmstat,
				    s->snap[1]->vmstat, &s->check);
		s->have_check = 1;
	}
	return 0;
}

const struct ct_host_facts *ct_session_facts(const struct ct_session *s)
{
	return &s->facts;
}

const struct ct_results *ct_session_results(const struct ct_session *s)
{
	return s->eng ? ct_engine_results(s->eng) : &s->empty;
}

struct ct_model *ct_session_model(const struct ct_session *s)
{
	return s->model;
}

const struct ct_vmstat_check *ct_session_vmstat(const struct ct_session *s)
{
	return s->have_check ? &s->check : NULL;
}

int ct_session_report_input(struct ct_session *s, struct ct_report_input *in)
{
	memset(in, 0, sizeof(*in));
	in->res = ct_session_results(s);
	in->facts = &s->facts;
	in->vmstat = ct_session_vmstat(s);
	if (in->vmstat) {
		in->snapshot_start = s->snap[0]->where;
		in->snapshot_end = s->snap[1]->where;
	}
	if (s->model) {
		in->model = ct_model_results(s->model);
		if (!in->model)
			return -CT_E_NOMEM;
	} else if (filtered(s) && !s->o.no_model) {
		in->model_off = MODEL_OFF_FILTER;
	}
	return 0;
}
