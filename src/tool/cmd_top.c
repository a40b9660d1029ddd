// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * compactrace top: a live dashboard of compaction and fragmentation, or a
 * replay of any file `report` reads.
 *
 * Two threads. The reader owns the source: it parses events (a file, or the
 * private tracefs instance's trace_pipe), paces a replay by the events'
 * timestamps, and feeds the session; the session's engine hands each run
 * and stall to the interval model (a sink).
 * The UI thread owns the terminal: once per interval it takes the lock,
 * ticks the model and copies its view, then lays out and draws from the
 * copy with the lock released (collect -> update model -> draw).
 *
 * Why a thread and not poll() in one loop: the parsers pull bytes and are
 * not resumable in the middle of a line, and a terminal that stops
 * accepting output (a paused or slow ssh session, a tmux in copy mode)
 * would stall a single loop, and with it the draining of the kernel's ring
 * buffer. The reader never waits for the UI: it holds the lock only to
 * feed one event, and sleeps in poll() on trace_pipe and a stop eventfd,
 * so it can be told to finish without signals.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include "args.h"
#include "commands.h"
#include "compactrace/attach.h"
#include "compactrace/capture.h"
#include "compactrace/error.h"
#include "compactrace/session.h"
#include "compactrace/source.h"
#include "capture/snapshots_collect.h"
#include "present.h"
#include "top/top_model.h"
#include "top/top_ui.h"

#define LIVE_BUFFER_KB 4096	/* per CPU: a few seconds of a compaction storm */
#define PACE_SLACK_NS 2000000	/* a replayed event up to 2 ms early is not worth a sleep */
#define BATCH_COLS 160

/*
 * The one file-level mutable variable: a signal handler can only hand its
 * news over through a volatile sig_atomic_t. The signals are blocked in
 * every thread except while the UI thread sleeps in ppoll(), so the
 * read-and-clear in the UI loop cannot race with the handler.
 */
static volatile sig_atomic_t got_signal;	/* bit (1 << signo) per signal seen */

static void on_signal(int signo)
{
	got_signal |= 1 << signo;
}

struct top_opts {
	const char *input;		/* -i: NULL for live */
	const char *input_format;	/* -F */
	double speed;
	long interval_ms;
	long batch;			/* refreshes; 0: interactive */
};

struct top {
	struct top_opts o;
	int live;
	int out_closed;			/* --batch: standard output's reader went away */
	/* shared with the reader, under @lock */
	pthread_mutex_t lock;
	struct ct_session *session;
	struct ct_top_model *model;
	int have_ts, done, failed;
	uint64_t first_ts, last_ts;
	uint64_t next_ts;		/* the event the reader is about to feed */
	uint64_t base_wall;		/* CLOCK_MONOTONIC when first_ts was due */
	uint64_t pause_start;		/* CLOCK_MONOTONIC when paused; 0: running */
	char errmsg[512];
	int stop;			/* atomic: the reader must finish */
	/* reader-owned */
	struct ct_source *src;
	/* wake-ups: UI -> reader, reader -> UI */
	int stop_fd, ui_fd;
	/* live */
	struct ct_capture *cap;
	int pipe_fd;
	char source_desc[256];
	char note[512];
	uint64_t note_until;		/* CLOCK_MONOTONIC: the footer shows @note until then */
	/* UI-owned */
	struct ct_top_view *shown;	/* the copy that is drawn */
	int shown_final;		/* @shown was copied after the input ended: all of it */
	sigset_t wait_mask;
};

static uint64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

static void wake(int fd)
{
	uint64_t one = 1;

	/* a full counter already means "wake up": nothing to do on EAGAIN */
	if (write(fd, &one, sizeof(one)) < 0 && errno != EAGAIN)
		return;
}

static void drain(int fd)
{
	uint64_t n;

	while (read(fd, &n, sizeof(n)) > 0)
		;
}

static void usage(FILE *out)
{
	fprintf(out,
		"usage: compactrace top [-i FILE [--speed X]] [--interval MS] [--batch N]\n"
		"\n"
		"A live dashboard of compaction and fragmentation: per-zone runs and scanner\n"
		"positions, runs and direct stalls per second, stall latency, kcompactd,\n"
		"fragmenting fallbacks and the slowest recent stalls. Without -i it traces\n"
		"this host (root) in a private tracefs instance that it removes on exit.\n"
		"\n"
		"  -i, --input=FILE       replay FILE (any format `report` reads) instead\n"
		"  -F, --input-format=NAME  force the input format (see `report --help`)\n"
		"      --speed=X          replay at X times the recorded speed (default 1;\n"
		"                         0: as fast as possible)\n"
		"  -d, --interval=MS      refresh every MS milliseconds (default 1000)\n"
		"  -b, --batch=N          print N refreshes as plain text, no curses; a\n"
		"                         replay's last refresh waits for the end of the file\n"
		"  -h, --help\n"
		"\n"
		"Keys: q quit, p pause, h help, 1/2/3 or Tab views, z next zone, s sort,\n"
		"r reset counters, arrows/PgUp/PgDn scroll.\n");
}

static int parse_args(int argc, char **argv, struct top_opts *o)
{
	static const struct option longopts[] = {
		{ "input", required_argument, NULL, 'i' },
		{ "input-format", required_argument, NULL, 'F' },
		{ "speed", required_argument, NULL, 'S' },
		{ "interval", required_argument, NULL, 'd' },
		{ "batch", required_argument, NULL, 'b' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c, speed_given = 0;
	double v;

	o->speed = 1.0;
	o->interval_ms = 1000;
	optind = 1;
	while ((c = getopt_long(argc, argv, "i:F:d:b:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'i':
			o->input = optarg;
			break;
		case 'F':
			o->input_format = optarg;
			break;
		case 'S':
			if (ct_arg_double(optarg, 0, 1e6, &v) < 0)
				return fprintf(stderr, "compactrace top: bad speed '%s' (0 or more)\n", optarg), -1;
			o->speed = v;
			speed_given = 1;
			break;
		case 'd':
			if (ct_arg_double(optarg, 50, 3600000, &v) < 0)
				return fprintf(stderr, "compactrace top: bad interval '%s' (50 to 3600000 ms)\n",
					       optarg), -1;
			o->interval_ms = (long)v;
			break;
		case 'b':
			if (ct_arg_double(optarg, 1, 1000000, &v) < 0 || v != (long)v)
				return fprintf(stderr, "compactrace top: bad refresh count '%s'\n", optarg), -1;
			o->batch = (long)v;
			break;
		case 'h':
			usage(stdout);
			return 1;
		default:
			return -1;
		}
	}
	if (optind < argc)
		return fprintf(stderr, "compactrace top: unexpected argument '%s' (a file goes after -i)\n",
			       argv[optind]), -1;
	if (speed_given && !o->input)
		return fprintf(stderr, "compactrace top: --speed is for replays (-i FILE)\n"), -1;
	if (o->input_format && !o->input)
		return fprintf(stderr, "compactrace top: --input-format is for replays (-i FILE)\n"), -1;
	return 0;
}

/* ---- the reader thread -------------------------------------------------- */

/* the trace clock "now" (ns); call with the lock held */
static uint64_t trace_now(const struct top *t)
{
	uint64_t wall, c;

	if (t->live)
		return mono_ns();	/* the instance's trace_clock is "mono" */
	if (!t->have_ts)
		return 0;
	if (t->done || t->o.speed <= 0)
		return t->last_ts;
	wall = t->pause_start ? t->pause_start : mono_ns();
	c = t->first_ts + (uint64_t)((double)(wall > t->base_wall ? wall - t->base_wall : 0) * t->o.speed);
	/* a reader that lags (a slow disk, a high speed) holds the clock back */
	if (t->next_ts > t->last_ts && c > t->next_ts)
		c = t->next_ts;
	return c > t->last_ts ? c : t->last_ts;
}

/* sleep up to @ns (forever when negative) or until the UI writes stop_fd */
static void reader_sleep(struct top *t, int64_t ns)
{
	struct pollfd p = { .fd = t->stop_fd, .events = POLLIN };
	struct timespec ts = { (time_t)(ns / 1000000000), (long)(ns % 1000000000) };

	if (ppoll(&p, 1, ns < 0 ? NULL : &ts, NULL) > 0)
		drain(t->stop_fd);
}

/*
 * Feed one event, first waiting until a replay's clock reaches it (and
 * while the replay is paused). Returns 0, 1 when asked to stop, or a
 * negative CT_E_* code.
 */
static int reader_feed(struct top *t, const struct ct_event *ev)
{
	int kernel_event = ev->type != CT_EV_LOST && ev->type != CT_EV_PARSE_ERROR, ret;

	pthread_mutex_lock(&t->lock);
	if (!t->have_ts && kernel_event) {
		t->have_ts = 1;
		t->first_ts = t->last_ts = ev->ts_ns;
		t->base_wall = mono_ns();
		if (t->pause_start)
			t->pause_start = t->base_wall;
		if (!t->live)
			ct_top_model_start(t->model, ev->ts_ns);
	}
	if (kernel_event)
		t->next_ts = ev->ts_ns;
	for (;;) {
		int64_t wait = 0;

		if (__atomic_load_n(&t->stop, __ATOMIC_ACQUIRE)) {
			pthread_mutex_unlock(&t->lock);
			return 1;
		}
		if (!t->live && t->pause_start) {
			wait = -1;
		} else if (!t->live && t->o.speed > 0 && kernel_event && ev->ts_ns > t->first_ts) {
			uint64_t due = t->base_wall + (uint64_t)((double)(ev->ts_ns - t->first_ts) / t->o.speed);
			uint64_t now = mono_ns();

			wait = due > now + PACE_SLACK_NS ? (int64_t)(due - now) : 0;
		}
		if (!wait)
			break;
		pthread_mutex_unlock(&t->lock);
		reader_sleep(t, wait);
		pthread_mutex_lock(&t->lock);
	}
	ret = ct_session_feed(t->session, ev);
	if (kernel_event && ev->ts_ns > t->last_ts)
		t->last_ts = ev->ts_ns;
	pthread_mutex_unlock(&t->lock);
	return ret;
}

/* ct_source_wait_fn for the live trace_pipe: poll it together with stop_fd */
static int live_wait(void *ctx, int fd)
{
	struct top *t = ctx;
	struct pollfd p[2] = { { .fd = fd, .events = POLLIN }, { .fd = t->stop_fd, .events = POLLIN } };

	for (;;) {
		if (__atomic_load_n(&t->stop, __ATOMIC_ACQUIRE))
			return 1;
		if (poll(p, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			return -CT_E_IO;
		}
		if (p[1].revents)
			drain(t->stop_fd);
		if (p[0].revents & (POLLERR | POLLNVAL))
			return -CT_E_IO;
		if (p[0].revents & (POLLIN | POLLHUP))
			return 0;
	}
}

static void *reader_main(void *arg)
{
	struct top *t = arg;
	struct ct_event ev;
	int ret;

	while ((ret = ct_source_next(t->src, &ev)) == 1) {
		ret = reader_feed(t, &ev);
		if (ret != 0)
			break;
	}
	pthread_mutex_lock(&t->lock);
	if (ret < 0) {
		t->failed = 1;
		snprintf(t->errmsg, sizeof(t->errmsg), "%s",
			 ret == -CT_E_NOMEM ? "out of memory" : ct_source_error(t->src));
	}
	/* open stalls and awake periods end here, as in `report`; then the vmstat check */
	if ((ct_session_end_source(t->session) < 0 || ct_session_finish(t->session) < 0) && !t->failed) {
		t->failed = 1;
		snprintf(t->errmsg, sizeof(t->errmsg), "out of memory");
	}
	if (!t->failed && !t->live && ret == 0) {
		const struct ct_results *res = ct_session_results(t->session);

		if (res->nsources && res->sources[res->nsources - 1].events == 0 && res->quality.parse_errors) {
			t->failed = 1;
			snprintf(t->errmsg, sizeof(t->errmsg),
				 "%s: no line could be parsed as a trace event (first bad line %" PRIu64 ")",
				 t->o.input, res->quality.parse_error_where[0]);
		}
	}
	t->done = 1;
	pthread_mutex_unlock(&t->lock);
	wake(t->ui_fd);
	return NULL;
}

/* ---- sources ------------------------------------------------------------ */

static int open_replay(struct top *t)
{
	char err[512];
	int ret;

	ret = ct_source_open(t->o.input, t->o.input_format, &t->src, err, sizeof(err));
	if (ret < 0) {
		fprintf(stderr, "compactrace top: %s\n", err);
		return ret;
	}
	/* a recording carries its snapshots: the same facts and check as `report` */
	ret = ct_session_load_snapshot_source(t->session, t->src, err, sizeof(err));
	if (ret < 0) {
		fprintf(stderr, "compactrace top: %s\n", err);
		return ret;
	}
	snprintf(t->source_desc, sizeof(t->source_desc), "%s (%s)", t->o.input, ct_source_format(t->src));
	return ct_session_begin_source(t->session, t->o.input, ct_source_format(t->src));
}

static void note(void *ctx, const char *msg)
{
	(void)ctx;
	fprintf(stderr, "compactrace top: %s\n", msg);
}

/* this host's memory state now, for the facts (pageblock order, migratetype names) */
static int load_live_snapshot(struct top *t)
{
	struct ct_attach_set *set = ct_attach_set_new();
	char err[4400];
	int ret;

	if (!set)
		return -CT_E_NOMEM;
	ret = ct_snapshot_collect(set, "", CT_SNAPSHOT_START, note, NULL);
	if (ret == 0)
		ret = ct_snapshot_collect_buddy(set, "", CT_SNAPSHOT_START);
	if (ret == 0)
		ret = ct_snapshot_collect_vmstat(set, "", CT_SNAPSHOT_START);
	if (ret == 0)
		ret = ct_session_load_snapshot_set(t->session, CT_SNAPSHOT_START, set, "/proc", err, sizeof(err));
	else
		snprintf(err, sizeof(err), "reading /proc: %s", ct_strerror(ret));
	if (ret < 0)
		fprintf(stderr, "compactrace top: %s\n", err);
	ct_attach_set_free(set);
	return ret < 0 ? ret : 0;
}

static int open_live(struct top *t)
{
	char err[512], path[512];
	struct utsname u;
	int ret;

	ret = ct_capture_new(&t->cap, err, sizeof(err));
	if (ret < 0) {
		fprintf(stderr, "compactrace top: %s%s\n", err,
			ret == -CT_E_PERM ? "; or replay a saved trace with -i FILE" : "");
		return ret;
	}
	if (ct_capture_remove_stale(t->cap, note, NULL) < 0)
		fprintf(stderr, "compactrace top: cannot list %s/instances\n", ct_capture_tracing_dir(t->cap));
	ret = ct_capture_create_instance(t->cap, LIVE_BUFFER_KB, 0, err, sizeof(err));
	if (ret < 0) {
		fprintf(stderr, "compactrace top: %s\n", err);
		return ret;
	}
	/* "mono": event timestamps and the UI's clock agree (duty cycle, rates at idle) */
	ret = ct_capture_use_mono_clock(t->cap);
	if (ret < 0) {
		fprintf(stderr, "compactrace top: cannot set the instance's trace_clock to mono: %s\n",
			ct_strerror(ret));
		return ret;
	}
	ret = ct_capture_enable_live_events(t->cap, t->note, sizeof(t->note), err, sizeof(err));
	if (ret == 0)
		ret = ct_capture_open_pipe(t->cap, &t->pipe_fd, err, sizeof(err));
	if (ret < 0) {
		fprintf(stderr, "compactrace top: %s\n", err);
		return ret;
	}
	ret = load_live_snapshot(t);
	if (ret < 0)
		return ret;
	ret = ct_source_open_fd(t->pipe_fd, "trace_pipe", CT_FORMAT_FTRACE_TEXT, &t->src, err, sizeof(err));
	if (ret < 0) {
		fprintf(stderr, "compactrace top: %s\n", err);
		return ret;
	}
	ct_source_set_wait(t->src, live_wait, t);
	snprintf(path, sizeof(path), "live:%s", ct_capture_instance_name(t->cap));
	ret = ct_session_begin_source(t->session, path, CT_FORMAT_FTRACE_TEXT);
	if (ret < 0)
		return ret;
	if (uname(&u) == 0)
		snprintf(t->source_desc, sizeof(t->source_desc), "%s, Linux %s", u.nodename, u.release);
	else
		snprintf(t->source_desc, sizeof(t->source_desc), "this host");
	ct_top_model_start(t->model, mono_ns());
	t->note_until = mono_ns() + 15 * 1000000000ULL;
	ret = ct_capture_set_tracing(t->cap, 1);
	if (ret < 0)
		fprintf(stderr, "compactrace top: cannot turn tracing on in %s\n", ct_capture_instance_name(t->cap));
	return ret;
}

/* ---- the UI side -------------------------------------------------------- */

/* collect + update model: tick and copy the view (unless the display is frozen) */
static void tick(struct top *t, int copy)
{
	pthread_mutex_lock(&t->lock);
	if (t->live || t->have_ts)
		ct_top_model_tick(t->model, ct_session_results(t->session), trace_now(t));
	if (copy) {
		memcpy(t->shown, ct_top_model_view(t->model), sizeof(*t->shown));
		t->shown_final = t->done;
	}
	pthread_mutex_unlock(&t->lock);
}

static void screen_state(struct top *t, struct ct_top_screen *s)
{
	pthread_mutex_lock(&t->lock);
	/* "END OF INPUT" only over figures that hold every event: the input may end after the copy */
	s->ended = t->shown_final && !t->live;
	if (t->failed) {
		s->message = t->errmsg;
		s->message_is_error = 1;
	} else if (t->note[0] && !s->message && mono_ns() < t->note_until) {
		s->message = t->note;	/* for a while, then the keys again (the help keeps it) */
	}
	pthread_mutex_unlock(&t->lock);
}

/* after a replay's last refresh: the vmstat check of the snapshots the file carries, as `record` prints it */
static int print_vmstat_check(struct top *t)
{
	const struct ct_vmstat_check *check;
	int done, ret = 0;

	pthread_mutex_lock(&t->lock);
	done = t->done && !t->failed;
	check = done ? ct_session_vmstat(t->session) : NULL;
	if (check) {
		printf("\n vmstat check of %s (its snapshots)\n", t->o.input);
		ret = ct_print_vmstat_lines(stdout, check, t->o.input);
		if (ret == 0 && fflush(stdout) != 0)
			ret = -CT_E_WRITE;
	}
	pthread_mutex_unlock(&t->lock);
	if (ret == -CT_E_WRITE && errno == EPIPE)
		t->out_closed = 1;
	else if (ret == -CT_E_WRITE)
		fprintf(stderr, "compactrace top: writing to standard output: %s\n", strerror(errno));
	return ret;
}

static int batch_loop(struct top *t)
{
	struct ct_top_screen s = { 0 };
	struct ct_canvas *c = NULL;
	const char *cols_env = getenv("COLUMNS");
	long cols = cols_env ? strtol(cols_env, NULL, 10) : 0;
	uint64_t start = mono_ns(), interval = (uint64_t)t->o.interval_ms * 1000000ULL;
	int ret = 0;

	c = ct_canvas_new(cols >= CT_TOP_MIN_COLS && cols <= 1000 ? (int)cols : BATCH_COLS, 0);
	if (!c) {
		fprintf(stderr, "compactrace top: out of memory\n");
		return -CT_E_NOMEM;
	}
	s.batch = 1;
	s.live = t->live;
	s.speed = t->o.speed;
	s.interval_ms = (uint64_t)t->o.interval_ms;
	s.source = t->source_desc;
	for (long i = 1; i <= t->o.batch && ret == 0; i++) {
		uint64_t deadline = start + (uint64_t)i * interval;
		int last = i == t->o.batch, done;

		for (;;) {
			struct pollfd p = { .fd = t->ui_fd, .events = POLLIN };
			uint64_t now = mono_ns();
			struct timespec ts;

			if (got_signal)
				goto out;
			pthread_mutex_lock(&t->lock);
			done = t->done;
			pthread_mutex_unlock(&t->lock);
			if (done || ((!last || t->live) && now >= deadline))
				break;
			ts.tv_sec = (time_t)((deadline - now) / 1000000000ULL);
			ts.tv_nsec = (long)((deadline - now) % 1000000000ULL);
			/* a replay's last refresh waits for the end of the input */
			if (ppoll(&p, 1, last && !t->live ? NULL : &ts, &t->wait_mask) > 0)
				drain(t->ui_fd);
		}
		tick(t, 1);
		s.message = NULL;
		screen_state(t, &s);
		if (s.message_is_error) {
			fprintf(stderr, "compactrace top: %s\n", s.message);
			ret = -CT_E_IO;
			break;
		}
		ct_top_layout(c, t->shown, &s);
		if (i > 1 && fputc('\n', stdout) == EOF)
			ret = -CT_E_WRITE;
		if (ret == 0)
			ret = ct_canvas_write(c, stdout);
		if (ret == 0 && fflush(stdout) != 0)
			ret = -CT_E_WRITE;
		if (ret == -CT_E_WRITE && errno == EPIPE)
			t->out_closed = 1;	/* `top --batch N | head`: stop quietly */
		else if (ret == -CT_E_WRITE)
			fprintf(stderr, "compactrace top: writing to standard output: %s\n", strerror(errno));
		if (done)
			break;
	}
	if (ret == 0 && !t->live)
		ret = print_vmstat_check(t);
out:
	ct_canvas_free(c);
	return ret;
}

static void toggle_pause(struct top *t, struct ct_top_screen *s)
{
	s->paused = !s->paused;
	pthread_mutex_lock(&t->lock);
	if (!t->live) {	/* a replay stops its clock; live keeps reading */
		uint64_t now = mono_ns();

		if (s->paused) {
			t->pause_start = now;
		} else if (t->pause_start) {
			t->base_wall += now - t->pause_start;
			t->pause_start = 0;
		}
	}
	pthread_mutex_unlock(&t->lock);
	wake(t->stop_fd);
}

/* returns 1 to quit */
static int handle_key(struct top *t, struct ct_ui *ui, struct ct_top_screen *s, enum ct_key k)
{
	int page_rows = s->list_rows > 1 ? s->list_rows - 1 : 1;

	if (s->help && k != CT_KEY_QUIT && k != CT_KEY_RESIZE && k != CT_KEY_NONE) {
		s->help = 0;	/* any key closes the help */
		return 0;
	}
	switch (k) {
	case CT_KEY_QUIT:
	case CT_KEY_EOF:
		return 1;
	case CT_KEY_PAUSE:
		toggle_pause(t, s);
		break;
	case CT_KEY_HELP:
		s->help = 1;
		break;
	case CT_KEY_ZONE:
		/* the first z shows the busiest zone (the layout picks it), the next ones cycle */
		if (s->page == CT_PAGE_ZONES && s->zone_sel >= 0 && t->shown->nzones)
			s->zone_sel = (s->zone_sel + 1) % (int)t->shown->nzones;
		s->page = CT_PAGE_ZONES;
		s->scroll = 0;
		break;
	case CT_KEY_RESET:
		pthread_mutex_lock(&t->lock);
		ct_top_model_reset(t->model, ct_session_results(t->session), trace_now(t));
		memcpy(t->shown, ct_top_model_view(t->model), sizeof(*t->shown));
		pthread_mutex_unlock(&t->lock);
		s->scroll = 0;
		break;
	case CT_KEY_SORT:
		s->sort = (enum ct_top_sort)((s->sort + 1) % CT_TOP_SORT_COUNT);
		s->scroll = 0;
		break;
	case CT_KEY_UP:
		s->scroll--;
		break;
	case CT_KEY_DOWN:
		s->scroll++;
		break;
	case CT_KEY_PGUP:
		s->scroll -= page_rows;
		break;
	case CT_KEY_PGDN:
		s->scroll += page_rows;
		break;
	case CT_KEY_HOME:
		s->scroll = 0;
		break;
	case CT_KEY_END:
		s->scroll = s->scroll_max;
		break;
	case CT_KEY_PAGE1:
	case CT_KEY_PAGE2:
	case CT_KEY_PAGE3:
		s->page = (enum ct_top_page)(k - CT_KEY_PAGE1);
		s->scroll = 0;
		break;
	case CT_KEY_NEXT_PAGE:
		s->page = (enum ct_top_page)((s->page + 1) % CT_PAGE_COUNT);
		s->scroll = 0;
		break;
	case CT_KEY_RESIZE:
		break;	/* queued by resizeterm() after our own SIGWINCH handling: just redraw */
	case CT_KEY_REDRAW:
		ct_ui_resize(ui);
		break;
	default:
		break;
	}
	if (s->scroll > s->scroll_max)
		s->scroll = s->scroll_max;
	if (s->scroll < 0)
		s->scroll = 0;
	return 0;
}

static int interactive_loop(struct top *t, struct ct_ui *ui)
{
	struct ct_top_screen s = { 0 };
	struct ct_canvas *c = NULL;
	uint64_t interval = (uint64_t)t->o.interval_ms * 1000000ULL, next = mono_ns();
	int quit = 0, redraw = 1, ret = 0, cols, rows;

	s.live = t->live;
	s.speed = t->o.speed;
	s.interval_ms = (uint64_t)t->o.interval_ms;
	s.source = t->source_desc;
	s.note = t->note[0] ? t->note : NULL;
	s.zone_sel = -1;
	while (!quit) {
		struct pollfd p[2] = { { .fd = STDIN_FILENO, .events = POLLIN }, { .fd = t->ui_fd, .events = POLLIN } };
		uint64_t now = mono_ns();
		struct timespec ts = { 0, 0 };

		if (now >= next) {
			tick(t, !s.paused);
			next = now + interval;
			redraw = 1;
		}
		if (redraw) {
			ct_ui_size(ui, &cols, &rows);
			if (!c || c->cols != cols || c->rows != rows) {
				ct_canvas_free(c);
				c = ct_canvas_new(cols, rows);
				if (!c) {
					ret = -CT_E_NOMEM;
					break;
				}
			}
			s.message = NULL;
			s.message_is_error = 0;
			screen_state(t, &s);
			ct_top_layout(c, t->shown, &s);
			ct_ui_draw(ui, c);
			redraw = 0;
		}
		ts.tv_sec = (time_t)((next - now) / 1000000000ULL);
		ts.tv_nsec = (long)((next - now) % 1000000000ULL);
		if (ppoll(p, 2, &ts, &t->wait_mask) < 0 && errno != EINTR) {
			ret = -CT_E_IO;
			break;
		}
		if (got_signal) {
			int sig = got_signal;

			got_signal = 0;	/* signals are blocked again here: no race */
			if (sig & ((1 << SIGINT) | (1 << SIGTERM) | (1 << SIGHUP) | (1 << SIGQUIT)))
				break;
			if (sig & (1 << SIGWINCH)) {
				ct_ui_resize(ui);
				redraw = 1;
			}
		}
		if (p[1].revents & POLLIN) {
			drain(t->ui_fd);
			next = 0;	/* the input ended or failed: show it now */
		}
		if (p[0].revents & (POLLHUP | POLLERR | POLLNVAL))
			break;	/* the terminal is gone: clean up as for q */
		if (p[0].revents & POLLIN) {
			enum ct_key k;
			int keys = 0;

			while (!quit && (k = ct_ui_key(ui)) != CT_KEY_NONE) {
				keys++;
				quit = handle_key(t, ui, &s, k);
				if (k == CT_KEY_PAUSE && !s.paused)
					tick(t, 1);	/* unpaused: show what happened meanwhile */
			}
			if (!keys)
				break;	/* readable but no byte: end of file on the terminal */
			redraw = 1;
		}
	}
	ct_canvas_free(c);
	return ret;
}

static int terminal_ok(void)
{
	struct winsize ws;

	if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO)) {
		fprintf(stderr, "compactrace top: standard %s is not a terminal; use --batch N for "
			"plain-text refreshes\n", isatty(STDIN_FILENO) ? "output" : "input");
		return 0;
	}
	if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col && ws.ws_row &&
	    (ws.ws_col < CT_TOP_MIN_COLS || ws.ws_row < CT_TOP_MIN_ROWS)) {
		fprintf(stderr, "compactrace top: the terminal is %ux%u; top needs at least %dx%d "
			"(or use --batch N)\n", ws.ws_col, ws.ws_row, CT_TOP_MIN_COLS, CT_TOP_MIN_ROWS);
		return 0;
	}
	return 1;
}

int ct_cmd_top(int argc, char **argv)
{
	static const int sigs[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGWINCH };
	enum { NSIGS = sizeof(sigs) / sizeof(sigs[0]) };
	struct top t = { .stop_fd = -1, .ui_fd = -1, .pipe_fd = -1 };
	struct sigaction sa = { .sa_handler = on_signal }, old_sa[NSIGS];
	struct ct_ui *ui = NULL;
	struct ct_sink sink;
	sigset_t block, old_mask, jobctl;
	pthread_t reader;
	int reader_started = 0, status = CT_EXIT_ERROR, ret;
	char err[512];

	ret = parse_args(argc, argv, &t.o);
	if (ret != 0) {
		if (ret < 0)
			usage(stderr);
		return ret < 0 ? CT_EXIT_USAGE : CT_EXIT_OK;
	}
	t.live = !t.o.input;
	if (!t.o.batch && !terminal_ok())
		return CT_EXIT_ERROR;
	if (!t.o.batch && t.o.input && strcmp(t.o.input, "-") == 0) {
		fprintf(stderr, "compactrace top: the keyboard is on standard input; replay stdin with --batch N\n");
		return CT_EXIT_USAGE;
	}

	/* blocked everywhere (the reader inherits it) except in the UI's ppoll() */
	sigemptyset(&block);
	for (int i = 0; i < NSIGS; i++)
		sigaddset(&block, sigs[i]);
	pthread_sigmask(SIG_BLOCK, &block, &old_mask);
	t.wait_mask = old_mask;
	for (int i = 0; i < NSIGS; i++)
		sigdelset(&t.wait_mask, sigs[i]);
	sa.sa_mask = block;
	for (int i = 0; i < NSIGS; i++)
		sigaction(sigs[i], &sa, &old_sa[i]);
	signal(SIGPIPE, SIG_IGN);
	got_signal = 0;

	pthread_mutex_init(&t.lock, NULL);
	t.model = ct_top_model_new();
	t.shown = calloc(1, sizeof(*t.shown));
	/* top shows no model figures: the session runs without the shadow buddy model */
	t.session = ct_session_new(&(struct ct_session_opts){ .no_model = 1 });
	t.stop_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	t.ui_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (t.model)
		sink = ct_top_model_sink(t.model);
	if (!t.model || !t.shown || !t.session || ct_session_add_sink(t.session, &sink) < 0) {
		fprintf(stderr, "compactrace top: out of memory\n");
		goto out;
	}
	if (t.stop_fd < 0 || t.ui_fd < 0) {
		fprintf(stderr, "compactrace top: eventfd: %s\n", strerror(errno));
		goto out;
	}
	ret = t.live ? open_live(&t) : open_replay(&t);
	if (ret < 0)
		goto out;
	if (t.note[0] && t.o.batch)
		fprintf(stderr, "compactrace top: %s\n", t.note);
	/*
	 * Job control stays with the UI thread too: ncurses' SIGTSTP handler
	 * restores the terminal and must not run on the reader.
	 */
	sigemptyset(&jobctl);
	sigaddset(&jobctl, SIGTSTP);
	sigaddset(&jobctl, SIGCONT);
	sigaddset(&jobctl, SIGTTIN);
	sigaddset(&jobctl, SIGTTOU);
	pthread_sigmask(SIG_BLOCK, &jobctl, NULL);
	ret = pthread_create(&reader, NULL, reader_main, &t);
	pthread_sigmask(SIG_UNBLOCK, &jobctl, NULL);
	if (ret != 0) {
		fprintf(stderr, "compactrace top: cannot start the reader thread: %s\n", strerror(ret));
		goto out;
	}
	reader_started = 1;

	if (t.o.batch) {
		ret = batch_loop(&t);
	} else {
		ui = ct_ui_open(err, sizeof(err));
		if (!ui) {
			fprintf(stderr, "compactrace top: %s\n", err);
			goto out;
		}
		ret = interactive_loop(&t, ui);
		ct_ui_close(ui);	/* the terminal first: cleanup messages must be readable */
		ui = NULL;
		pthread_mutex_lock(&t.lock);
		if (t.failed) {
			fprintf(stderr, "compactrace top: %s\n", t.errmsg);
			ret = -CT_E_IO;
		}
		pthread_mutex_unlock(&t.lock);
	}
	if (ret == 0)
		status = CT_EXIT_OK;
	else if (t.out_closed)
		status = CT_EXIT_PIPE;
out:
	ct_ui_close(ui);
	if (reader_started) {
		__atomic_store_n(&t.stop, 1, __ATOMIC_RELEASE);
		wake(t.stop_fd);
		pthread_join(reader, NULL);
	}
	ct_source_free(t.src);
	if (t.pipe_fd >= 0)
		close(t.pipe_fd);	/* before the instance goes: rmdir fails while it is open */
	if (t.cap && ct_capture_close(t.cap, err, sizeof(err)) < 0) {
		fprintf(stderr, "compactrace top: %s\n", err);
		status = CT_EXIT_ERROR;
	}
	ct_capture_free(t.cap);
	if (t.stop_fd >= 0)
		close(t.stop_fd);
	if (t.ui_fd >= 0)
		close(t.ui_fd);
	ct_session_free(t.session);
	ct_top_model_free(t.model);
	free(t.shown);
	pthread_mutex_destroy(&t.lock);
	for (int i = 0; i < NSIGS; i++)
		sigaction(sigs[i], &old_sa[i], NULL);
	pthread_sigmask(SIG_SETMASK, &old_mask, NULL);
	return status;
}
