// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The flight recorder (recorder.h). Runs in the monitor's reader thread,
 * under the monitor's lock; the sink callbacks only arm or extend a
 * capture, the tick does the slow work (snapshots, the file).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include "capture/snapshots_collect.h"
#include "capture/tracedat_writer.h"
#include "compactrace/attach.h"
#include "compactrace/capture_info.h"
#include "compactrace/error.h"
#include "monitor/recorder.h"
#include "monitor/spool.h"

#define SPOOL_MARGIN_NS 5000000000ULL	/* pages are read up to an interval after their events */
#define MAX_EXTEND_FACTOR 10		/* triggers extend a capture to at most after * this */
#define PARTIAL_PREFIX ".compactrace-"
#define PARTIAL_MID "-partial-"

static const char *const reasons[] = { "stall", "run", "fail", "fallback", "manual", "http" };
#define NREASONS (sizeof(reasons) / sizeof(reasons[0]))

struct ct_recorder {
	struct ct_recorder_opts o;
	struct ct_recorder_host h;
	char *dir;
	struct ct_spool *spool;
	int stopped;			/* a full disk (or the directory gone): no more captures */
	/* the capture being assembled */
	int armed, snap_taken;
	int reason;			/* index in reasons[] */
	char condition[64];
	char value[32];			/* for the name: "34ms" */
	uint64_t trigger_ns, window_start, window_end, end_cap;
	uint32_t triggers;
	/* what fired it, for the report to mark */
	char fired_kind[8];
	uint64_t fired_ts, fired_ns;
	int32_t fired_pid;
	struct ct_attach_set *snap;
	uint64_t snap_ns;
	/* after one */
	int have_last;
	uint64_t last_trigger;
	/* metrics */
	struct ct_metrics_capture counts[NREASONS];
	uint64_t bytes_kept, errors, suppressed;
};

/* ---- parsing options ---- */

int ct_parse_duration(const char *text, uint64_t *ns)
{
	static const struct {
		const char *unit;
		double mult;
	} units[] = { { "ns", 1 }, { "us", 1e3 }, { "ms", 1e6 }, { "s", 1e9 }, { "m", 60e9 }, { "h", 3600e9 } };
	char *end;
	double v;

	errno = 0;
	v = strtod(text, &end);
	if (errno || end == text || v < 0 || v > 1e7)
		return -CT_E_INVAL;
	for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++)
		if (strcmp(end, units[i].unit) == 0) {
			*ns = (uint64_t)(v * units[i].mult + 0.5);
			return 0;
		}
	return -CT_E_INVAL;
}

int ct_parse_size(const char *text, uint64_t *bytes)
{
	char *end;
	double v;
	double mult = 1;

	errno = 0;
	v = strtod(text, &end);
	if (errno || end == text || v < 0)
		return -CT_E_INVAL;
	if (*end == 'K' || *end == 'k')
		mult = 1024.0;
	else if (*end == 'M')
		mult = 1024.0 * 1024;
	else if (*end == 'G')
		mult = 1024.0 * 1024 * 1024;
	else if (*end == 'T')
		mult = 1024.0 * 1024 * 1024 * 1024;
	else if (*end)
		return -CT_E_INVAL;
	if (*end && end[1] && strcmp(end + 1, "B") != 0 && strcmp(end + 1, "iB") != 0)
		return -CT_E_INVAL;
	if (v * mult > 1e18)
		return -CT_E_INVAL;
	*bytes = (uint64_t)(v * mult);
	return 0;
}

int ct_capture_cond_parse(const char *text, struct ct_capture_cond *c, char *err, size_t errlen)
{
	memset(c, 0, sizeof(*c));
	snprintf(c->text, sizeof(c->text), "%s", text);
	if (strcmp(text, "fail") == 0) {
		c->kind = CT_COND_FAIL;
		return 0;
	}
	if (strcmp(text, "fallback") == 0) {
		c->kind = CT_COND_FALLBACK;
		return 0;
	}
	if (strncmp(text, "stall>", 6) == 0 || strncmp(text, "run>", 4) == 0) {
		c->kind = text[0] == 's' ? CT_COND_STALL : CT_COND_RUN;
		if (ct_parse_duration(strchr(text, '>') + 1, &c->over_ns) == 0)
			return 0;
	}
	snprintf(err, errlen, "--capture-on %s: expected stall>DURATION, run>DURATION, fail or fallback "
		 "(e.g. stall>20ms)", text);
	return -CT_E_INVAL;
}

/* ---- directory housekeeping ---- */

/* a capture's final name: "2026-12-05T14:03:11Z-....dat" */
static int is_capture_name(const char *n)
{
	size_t len = strlen(n);

	return len > 25 && n[4] == '-' && n[7] == '-' && n[10] == 'T' && n[19] == 'Z' && n[20] == '-' &&
	       strcmp(n + len - 4, ".dat") == 0 && n[0] >= '0' && n[0] <= '9';
}

/* partial files of monitors that are gone: a SIGKILL in the middle of a capture */
static void remove_stale_partials(struct ct_recorder *r)
{
	DIR *d = opendir(r->dir);
	struct dirent *de;
	char msg[1024];

	if (!d)
		return;
	while ((de = readdir(d))) {
		const char *n = de->d_name, *mid;
		long pid;

		if (strncmp(n, PARTIAL_PREFIX, strlen(PARTIAL_PREFIX)) != 0 || !(mid = strstr(n, PARTIAL_MID)))
			continue;
		pid = strtol(n + strlen(PARTIAL_PREFIX), NULL, 10);
		if (pid <= 0 || (pid != getpid() && (kill((pid_t)pid, 0) == 0 || errno != ESRCH)))
			continue;
		if (unlinkat(dirfd(d), n, 0) == 0 && r->h.note) {
			snprintf(msg, sizeof(msg), "removed %s/%s, a capture a killed monitor left unfinished",
				 r->dir, n);
			r->h.note(r->h.ctx, msg);
		}
	}
	closedir(d);
}

struct kept_file {
	char *name;
	uint64_t size;
};

static int cmp_kept(const void *a, const void *b)
{
	return strcmp(((const struct kept_file *)a)->name, ((const struct kept_file *)b)->name);
}

/*
 * The oldest captures out while over the count or size limit (the newest
 * always stays). Called with @incoming_bytes just before a new capture is
 * renamed into place, so that the directory never holds more than the
 * limits allow even for a moment; with @adding 0 otherwise.
 */
static void retention(struct ct_recorder *r, int adding, uint64_t incoming_bytes)
{
	DIR *d = opendir(r->dir);
	struct kept_file *v = NULL;
	size_t n = 0, cap = 0, first = 0;
	uint64_t total = 0;
	struct dirent *de;
	struct stat st;
	char msg[1024];

	if (!d)
		return;
	while ((de = readdir(d))) {
		if (!is_capture_name(de->d_name) || fstatat(dirfd(d), de->d_name, &st, 0) < 0 ||
		    !S_ISREG(st.st_mode))
			continue;
		if (n == cap) {
			struct kept_file *nv = realloc(v, (cap ? cap * 2 : 16) * sizeof(*v));

			if (!nv)
				break;
			v = nv;
			cap = cap ? cap * 2 : 16;
		}
		v[n].name = strdup(de->d_name);
		if (!v[n].name)
			break;
		v[n].size = (uint64_t)st.st_size;
		total += v[n].size;
		n++;
	}
	if (n > 1)
		qsort(v, n, sizeof(*v), cmp_kept);
	while (n - first + (size_t)adding > 1 &&
	       ((r->o.max_files && n - first + (size_t)adding > r->o.max_files) ||
		(r->o.max_bytes && total + incoming_bytes > r->o.max_bytes))) {
		if (unlinkat(dirfd(d), v[first].name, 0) == 0) {
			total -= v[first].size;
			if (r->h.note) {
				snprintf(msg, sizeof(msg), "removed the oldest capture %s/%s (limits: %u files, "
					 "%llu bytes)", r->dir, v[first].name, r->o.max_files,
					 (unsigned long long)r->o.max_bytes);
				r->h.note(r->h.ctx, msg);
			}
		}
		first++;
	}
	r->bytes_kept = total;
	for (size_t i = 0; i < n; i++)
		free(v[i].name);
	free(v);
	closedir(d);
}

int ct_recorder_new(const struct ct_recorder_opts *o, const struct ct_recorder_host *h,
		    struct ct_recorder **out, char *err, size_t errlen)
{
	struct ct_recorder *r = calloc(1, sizeof(*r));
	struct stat st;

	*out = NULL;
	if (!r)
		return -CT_E_NOMEM;
	r->o = *o;
	r->h = *h;
	r->dir = strdup(o->dir);
	r->spool = ct_spool_new(o->before_ns + SPOOL_MARGIN_NS, o->spool_bytes);
	if (!r->dir || !r->spool) {
		ct_recorder_free(r);
		return -CT_E_NOMEM;
	}
	for (size_t i = 0; i < NREASONS; i++)
		r->counts[i].reason = reasons[i];
	if (mkdir(o->dir, 0750) < 0 && errno != EEXIST) {
		snprintf(err, errlen, "--capture-dir %s: %s", o->dir, strerror(errno));
		ct_recorder_free(r);
		return -CT_E_OPEN;
	}
	if (stat(o->dir, &st) < 0 || !S_ISDIR(st.st_mode) || access(o->dir, W_OK) < 0) {
		snprintf(err, errlen, "--capture-dir %s: not a directory this process can write", o->dir);
		ct_recorder_free(r);
		return -CT_E_OPEN;
	}
	remove_stale_partials(r);
	retention(r, 0, 0);
	*out = r;
	return 0;
}

void ct_recorder_free(struct ct_recorder *r)
{
	if (!r)
		return;
	ct_spool_free(r->spool);
	ct_attach_set_free(r->snap);
	free(r->dir);
	free(r);
}

int ct_recorder_page(struct ct_recorder *r, int cpu, const void *page, size_t len, uint64_t read_ns)
{
	return ct_spool_add(r->spool, cpu, page, len, ct_page_header_ts(page, len), read_ns);
}

/* ---- triggers ---- */

static int reason_index(const char *reason)
{
	for (size_t i = 0; i < NREASONS; i++)
		if (strcmp(reasons[i], reason) == 0)
			return (int)i;
	return 4;
}

/* a condition held at @ts: arm a capture, or extend the one being assembled */
static void trigger(struct ct_recorder *r, const char *reason, const char *condition, const char *value,
		    uint64_t ts, int by_hand)
{
	uint64_t end;

	if (r->stopped)
		return;
	if (r->armed) {
		end = ts + r->o.after_ns;
		if (end > r->end_cap)
			end = r->end_cap;
		if (end > r->window_end)
			r->window_end = end;
		r->triggers++;
		return;
	}
	if (!by_hand && r->have_last && ts < r->last_trigger + r->o.min_interval_ns) {
		r->suppressed++;
		return;
	}
	r->armed = 1;
	r->snap_taken = 0;
	r->reason = reason_index(reason);
	snprintf(r->condition, sizeof(r->condition), "%s", condition);
	snprintf(r->value, sizeof(r->value), "%s", value);
	r->trigger_ns = ts;
	r->window_start = ts > r->o.before_ns ? ts - r->o.before_ns : 0;
	r->window_end = ts + r->o.after_ns;
	r->end_cap = ts + r->o.after_ns * MAX_EXTEND_FACTOR;
	r->triggers = 1;
	r->fired_kind[0] = '\0';
	r->fired_ts = r->fired_ns = 0;
	r->fired_pid = -1;
	ct_spool_hold(r->spool, r->window_start);
}

static void ms_value(char *out, size_t len, uint64_t ns)
{
	if (ns >= 1000000)
		snprintf(out, len, "%llums", (unsigned long long)(ns / 1000000));
	else
		snprintf(out, len, "%lluus", (unsigned long long)(ns / 1000));
}

static void fired(struct ct_recorder *r, const char *kind, uint64_t ts, int32_t pid, uint64_t ns)
{
	if (r->armed && !r->fired_kind[0] && r->triggers == 1) {
		snprintf(r->fired_kind, sizeof(r->fired_kind), "%s", kind);
		r->fired_ts = ts;
		r->fired_pid = pid;
		r->fired_ns = ns;
	}
}

static int on_stall(void *ctx, const struct ct_stall *st)
{
	struct ct_recorder *r = ctx;
	char v[32];

	for (int i = 0; i < r->o.nconds; i++) {
		const struct ct_capture_cond *c = &r->o.conds[i];
		int was_armed = r->armed;

		if (c->kind == CT_COND_STALL && st->latency_ns > c->over_ns) {
			ms_value(v, sizeof(v), st->latency_ns);
			trigger(r, "stall", c->text, v, st->ts_ns + st->latency_ns, 0);
		} else if (c->kind == CT_COND_FAIL && st->result != CT_STATUS_SUCCESS) {
			trigger(r, "fail", c->text, "", st->ts_ns + st->latency_ns, 0);
		} else {
			continue;
		}
		if (!was_armed)
			fired(r, "stall", st->ts_ns, st->pid, st->latency_ns);
		break;
	}
	return 0;
}

static int on_run(void *ctx, const struct ct_run *run)
{
	struct ct_recorder *r = ctx;
	uint64_t d = run->end_ns > run->begin_ns ? run->end_ns - run->begin_ns : 0;
	char v[32];

	for (int i = 0; i < r->o.nconds; i++) {
		const struct ct_capture_cond *c = &r->o.conds[i];

		if (c->kind != CT_COND_RUN || d <= c->over_ns)
			continue;
		ms_value(v, sizeof(v), d);
		if (!r->armed) {
			trigger(r, "run", c->text, v, run->end_ns, 0);
			fired(r, "run", run->begin_ns, run->pid, d);
		} else {
			trigger(r, "run", c->text, v, run->end_ns, 0);
		}
		break;
	}
	return 0;
}

static int on_fallback(void *ctx, const struct ct_fallback *fb)
{
	struct ct_recorder *r = ctx;

	if (!fb->fragmenting)
		return 0;
	for (int i = 0; i < r->o.nconds; i++)
		if (r->o.conds[i].kind == CT_COND_FALLBACK) {
			trigger(r, "fallback", r->o.conds[i].text, "", fb->ts_ns, 0);
			break;
		}
	return 0;
}

static const struct ct_sink_ops recorder_ops = {
	.name = "flight-recorder",
	.run = on_run,
	.stall = on_stall,
	.fallback = on_fallback,
};

struct ct_sink ct_recorder_sink(struct ct_recorder *r)
{
	return (struct ct_sink){ .ops = &recorder_ops, .ctx = r };
}

int ct_recorder_request(struct ct_recorder *r, const char *reason, uint64_t now_ns, char *msg, size_t msglen)
{
	if (r->stopped) {
		snprintf(msg, msglen, "capturing has stopped (%s is full or unwritable)\n", r->dir);
		return -CT_E_INVAL;
	}
	snprintf(msg, msglen, r->armed ? "a capture is being taken: extended to %s\n" :
		 "capture armed: written to %s after --capture-after\n", r->dir);
	trigger(r, reason, reason, "", now_ns, 1);
	return 0;
}

/* ---- writing a capture ---- */

struct cpu_files {
	int *fd;
	uint64_t *size;
	uint32_t page_size;
	int ncpus;
	uint64_t first_ns;	/* the earliest page written */
};

static int put_page(void *ctx, const struct ct_spool_page *p)
{
	struct cpu_files *cf = ctx;
	static const unsigned char zeros[4096];
	uint32_t left;

	if (p->cpu < 0 || p->cpu >= cf->ncpus)
		return 0;
	if (write(cf->fd[p->cpu], p->data, p->len) != (ssize_t)p->len)
		return -CT_E_WRITE;
	/* the unused tail of a partial page, as the kernel's page had it */
	for (left = cf->page_size - p->len; left;) {
		uint32_t n = left < sizeof(zeros) ? left : (uint32_t)sizeof(zeros);

		if (write(cf->fd[p->cpu], zeros, n) != (ssize_t)n)
			return -CT_E_WRITE;
		left -= n;
	}
	cf->size[p->cpu] += cf->page_size;
	if (!cf->first_ns || p->first_ns < cf->first_ns)
		cf->first_ns = p->first_ns;
	return 0;
}

static int write_formats(struct ct_tdw *w, const struct ct_pages_formats *pf)
{
	struct ct_tdw_formats f = { 0 };
	struct ct_tdw_system sys[4];
	struct ct_tdw_text *texts[4] = { 0 };
	int ret = -CT_E_NOMEM;

	f.header_page = (struct ct_tdw_text){ pf->header_page, pf->header_page_len };
	f.header_event = (struct ct_tdw_text){ pf->header_event, pf->header_event_len };
	for (uint32_t i = 0; i < pf->nsystems && i < 4; i++) {
		texts[i] = calloc(pf->systems[i].nformats + 1, sizeof(*texts[i]));
		if (!texts[i])
			goto out;
		for (uint32_t k = 0; k < pf->systems[i].nformats; k++)
			texts[i][k] = (struct ct_tdw_text){ pf->systems[i].formats[k], pf->systems[i].lens[k] };
		sys[i] = (struct ct_tdw_system){ pf->systems[i].name, texts[i], pf->systems[i].nformats };
	}
	f.systems = sys;
	f.nsystems = pf->nsystems < 4 ? pf->nsystems : 4;
	ret = ct_tdw_write_formats(w, &f);
out:
	for (int i = 0; i < 4; i++)
		free(texts[i]);
	return ret;
}

static int add_options(struct ct_recorder *r, struct ct_tdw *w, char **clock_name)
{
	char *clock = r->h.trace_clock ? r->h.trace_clock(r->h.ctx) : NULL;
	struct utsname u;
	char text[1024];
	int n, ret = 0;

	*clock_name = NULL;
	if (clock) {
		const char *b = strchr(clock, '['), *e = b ? strchr(b, ']') : NULL;

		ret = ct_tdw_add_option(w, CT_TDW_OPT_TRACECLOCK, clock, (uint32_t)strlen(clock) + 1);
		if (b && e)
			*clock_name = strndup(b + 1, (size_t)(e - b - 1));
		free(clock);
	}
	if (ret == 0 && uname(&u) == 0) {
		n = snprintf(text, sizeof(text), "%s %s %s %s", u.sysname, u.nodename, u.release, u.machine);
		ret = ct_tdw_add_option(w, CT_TDW_OPT_UNAME, text, (uint32_t)n + 1);
	}
	if (ret == 0) {
		n = snprintf(text, sizeof(text), "compactrace %s (monitor flight recorder)", CT_VERSION);
		ret = ct_tdw_add_option(w, CT_TDW_OPT_VERSION, text, (uint32_t)n + 1);
	}
	return ret;
}

/* the file's final name: the trigger's wall-clock time (UTC) and why */
static void capture_name(struct ct_recorder *r, uint64_t now_ns, char *out, size_t len)
{
	struct timespec rt;
	struct tm tm;
	time_t t;
	char when[32];

	clock_gettime(CLOCK_REALTIME, &rt);
	t = rt.tv_sec - (time_t)((now_ns > r->trigger_ns ? now_ns - r->trigger_ns : 0) / 1000000000ULL);
	gmtime_r(&t, &tm);
	strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm);
	snprintf(out, len, "%s-%s%s%s.dat", when, reasons[r->reason], r->value[0] ? "-" : "", r->value);
}

/* the rename reaches the disk too */
static void sync_dir(const char *dir)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (fd >= 0) {
		fsync(fd);
		close(fd);
	}
}

static int write_capture(struct ct_recorder *r, uint64_t now_ns, char *final, size_t finallen, uint64_t *bytes)
{
	struct cpu_files cf = { 0 };
	struct ct_tdw *w = NULL;
	struct ct_tdw_cpu *cpus = NULL;
	struct ct_tdw_text none = { NULL, 0 }, cmd = { NULL, 0 };
	char partial[4200], name[256], info[1024], *clock_name = NULL, *cmdlines = NULL;
	size_t cmdlen = 0;
	int fd = -1, ret, n, renamed = 0;

	capture_name(r, now_ns, name, sizeof(name));
	snprintf(partial, sizeof(partial), "%s/" PARTIAL_PREFIX "%ld" PARTIAL_MID "%s", r->dir, (long)getpid(), name);
	fd = open(partial, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0640);
	cf.ncpus = r->h.ncpus;
	cf.page_size = r->h.page_size;
	cf.fd = calloc((size_t)cf.ncpus, sizeof(*cf.fd));
	cf.size = calloc((size_t)cf.ncpus, sizeof(*cf.size));
	cpus = calloc((size_t)cf.ncpus, sizeof(*cpus));
	if (fd < 0) {
		ret = errno == ENOSPC || errno == EDQUOT ? -CT_E_NOSPACE : -CT_E_OPEN;
		goto out;
	}
	ret = cf.fd && cf.size && cpus ? 0 : -CT_E_NOMEM;
	for (int i = 0; i < cf.ncpus; i++)
		if (cf.fd)
			cf.fd[i] = -1;
	for (int i = 0; ret == 0 && i < cf.ncpus; i++) {
		cf.fd[i] = memfd_create("ct-capture-cpu", MFD_CLOEXEC);
		if (cf.fd[i] < 0)
			ret = -CT_E_NOMEM;
	}
	/* the window's pages, per CPU, from the spool */
	if (ret == 0)
		ret = ct_spool_walk(r->spool, r->window_start, r->window_end, put_page, &cf);
	for (int i = 0; ret == 0 && i < cf.ncpus; i++)
		cpus[i] = (struct ct_tdw_cpu){ cf.fd[i], cf.size[i] };
	if (ret == 0)
		ret = ct_tdw_new(fd, r->h.page_size, &w);
	if (ret == 0)
		ret = write_formats(w, r->h.formats);
	if (ret == 0) {
		cmdlines = r->h.cmdlines ? r->h.cmdlines(r->h.ctx, &cmdlen) : NULL;
		cmd = (struct ct_tdw_text){ cmdlines, cmdlines ? cmdlen : 0 };
		ret = ct_tdw_write_procinfo(w, none, none, cmd);
	}
	if (ret == 0)
		ret = add_options(r, w, &clock_name);
	if (ret == 0) {
		n = ct_capture_info_format(info, sizeof(info), reasons[r->reason], r->condition, r->trigger_ns,
					   r->window_start, r->window_end, cf.first_ns, r->triggers, r->snap_ns,
					   r->fired_kind, r->fired_ts, r->fired_pid, r->fired_ns);
		ret = n > 0 ? ct_attach_set_add(r->snap, CT_CAPTURE_ATTACHMENT, info, (size_t)n) : -CT_E_NOMEM;
	}
	if (ret == 0)
		ret = ct_tdw_write_data(w, (uint32_t)cf.ncpus, cpus, clock_name ? clock_name : "mono");
	if (ret == 0)
		ret = ct_tdw_finish(w, r->snap);
	if (ret == 0 && fsync(fd) < 0)
		ret = errno == ENOSPC || errno == EDQUOT ? -CT_E_NOSPACE : -CT_E_WRITE;
	if (ret == 0) {
		*bytes = ct_tdw_size(w);
		retention(r, 1, *bytes);	/* room for it first */
		snprintf(final, finallen, "%s/%s", r->dir, name);
		/* a second capture in the same second gets the next free name */
		for (int k = 2; k < 100 && renameat2(AT_FDCWD, partial, AT_FDCWD, final, RENAME_NOREPLACE) < 0; k++) {
			if (errno != EEXIST) {
				ret = -CT_E_WRITE;
				break;
			}
			snprintf(final, finallen, "%s/%.*s-%d.dat", r->dir, (int)strlen(name) - 4, name, k);
		}
		renamed = ret == 0;
		if (ret == 0)
			sync_dir(r->dir);
	}
out:
	if (ret < 0 && ret != -CT_E_NOMEM && errno == ENOSPC)
		ret = -CT_E_NOSPACE;
	if (fd >= 0)
		close(fd);
	if (!renamed && fd >= 0)
		unlink(partial);
	for (int i = 0; cf.fd && i < cf.ncpus; i++)
		if (cf.fd[i] >= 0)
			close(cf.fd[i]);
	free(cf.fd);
	free(cf.size);
	free(cpus);
	free(clock_name);
	free(cmdlines);
	ct_tdw_free(w);
	return ret;
}

static void take_snapshots(struct ct_recorder *r, uint64_t now_ns)
{
	ct_attach_set_free(r->snap);
	r->snap = ct_attach_set_new();
	r->snap_ns = now_ns;
	if (!r->snap)
		return;
	/* failures leave items out (said in notes); the capture goes on */
	ct_snapshot_collect_vmstat(r->snap, "", CT_CAPTURE_SNAPSHOT);
	ct_snapshot_collect_buddy(r->snap, "", CT_CAPTURE_SNAPSHOT);
	ct_snapshot_collect(r->snap, "", CT_CAPTURE_SNAPSHOT, NULL, NULL);
}

int ct_recorder_tick(struct ct_recorder *r, uint64_t watermark_ns, uint64_t now_ns)
{
	char final[4400], msg[4600];
	uint64_t bytes = 0;
	int ret;

	if (!r->armed)
		return 0;
	if (!r->snap_taken) {
		take_snapshots(r, now_ns);
		r->snap_taken = 1;
	}
	if (watermark_ns < r->window_end)
		return 0;	/* the window's end has not been read yet */
	if (!r->snap) {
		r->errors++;
		ret = -CT_E_NOMEM;
	} else {
		ret = write_capture(r, now_ns, final, sizeof(final), &bytes);
	}
	r->armed = 0;
	r->have_last = 1;
	r->last_trigger = r->trigger_ns;
	ct_spool_release(r->spool);
	ct_attach_set_free(r->snap);
	r->snap = NULL;
	if (ret < 0) {
		r->errors++;
		if (ret == -CT_E_NOSPACE) {
			r->stopped = 1;
			snprintf(msg, sizeof(msg), "capturing stopped: %s is full (the monitor goes on; "
				 "free space and restart it to capture again)", r->dir);
		} else {
			snprintf(msg, sizeof(msg), "a capture into %s failed: %s", r->dir, ct_strerror(ret));
		}
		if (r->h.note)
			r->h.note(r->h.ctx, msg);
		return 0;
	}
	r->counts[r->reason].count++;
	if (r->h.note) {
		snprintf(msg, sizeof(msg), "captured %s (%s, %u trigger%s, %llu bytes)", final, r->condition,
			 r->triggers, r->triggers == 1 ? "" : "s", (unsigned long long)bytes);
		r->h.note(r->h.ctx, msg);
	}
	retention(r, 0, 0);	/* bytes_kept, now with the new capture */
	return 1;
}

void ct_recorder_metrics(struct ct_recorder *r, struct ct_metrics_host *h)
{
	h->captures = r->counts;
	h->ncaptures = NREASONS;
	h->capture_bytes = r->bytes_kept;
	h->capture_errors = r->errors;
	h->capture_suppressed = r->suppressed;
}
