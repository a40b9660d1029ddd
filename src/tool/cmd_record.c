// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * compactrace record: capture compaction events on this host into a
 * trace.dat that trace-cmd reads, with /proc snapshots from the start and
 * the end of the capture attached.
 *
 * While recording, FILE.partial holds the trace.dat header (a valid
 * `trace-cmd restore -i` header) and FILE.partial.cpuN the raw ring-buffer
 * pages of CPU N; FILE.partial appears only once that header is whole
 * (open_files()). At the end the header is completed, the CPU data copied
 * behind it and the snapshots appended, and FILE.partial is renamed to FILE.
 * A recorder killed with SIGKILL leaves FILE.partial, FILE.partial.cpuN and
 * its tracing instance; the next record removes the instance, and
 *   trace-cmd restore -i FILE.partial -o FILE FILE.partial.cpu0 ...
 * turns the leftovers into a readable trace.dat.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <glob.h>
#include <limits.h>
#include <math.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "args.h"
#include "commands.h"
#include "present.h"
#include "compactrace/attach.h"
#include "compactrace/capture.h"
#include "compactrace/error.h"
#include "compactrace/memsnap.h"
#include "compactrace/session.h"
#include "compactrace/source.h"
#include "capture/snapshots_collect.h"
#include "capture/tasks.h"
#include "capture/tracedat_writer.h"

#define PROG "compactrace record"
#define DEFAULT_OUTPUT "trace.dat"
#define DEFAULT_BUFFER_KB 4096
#define MIN_DEFAULT_BUFFER_KB 1024
#define BUFFER_PERCENT 25	/* wake the reader when a CPU buffer is a quarter full */
#define WAIT_MS 200
#define DRAIN_STEP (8L << 20)
#define CHILD_TERM_WAIT_MS 2000
#define MAX_EXTRA_EVENTS 64

/*
 * The one file-level mutable variable: a signal handler cannot be handed a
 * context, so SIGINT/SIGTERM/SIGHUP/SIGCHLD are recorded here and looked at
 * by the recording loop (the signals are blocked everywhere but in ppoll(),
 * so nothing else ever runs concurrently with the handler).
 */
static volatile sig_atomic_t got_signal;	/* bit (1 << signo) per signal seen */

static void on_signal(int signo)
{
	got_signal |= 1 << signo;
}

struct record_opts {
	const char *output;
	double duration;		/* seconds; 0: until a signal or the command ends */
	int pages, reclaim, force;
	size_t buffer_kb;		/* 0: the default */
	const char *extra[MAX_EXTRA_EVENTS];	/* -e SYSTEM:EVENT */
	int nextra;
	char **command;			/* after "--"; NULL for none */
};

/* one enabled event, in file order */
struct rec_event {
	char system[64], name[128];
	char *format;
	size_t format_len;
};

struct recorder {
	struct record_opts o;
	struct ct_capture *cap;
	struct ct_tdw *w;
	struct ct_attach_set *att;
	char partial[PATH_MAX], cpu_path[PATH_MAX + 16];
	char instance[64];		/* the tracing instance's name */
	int fd;				/* FILE.partial */
	int *spool;			/* FILE.partial.cpuN */
	uint64_t *spool_bytes;
	int ncpus;
	int files_made;			/* FILE.partial (and spools) exist and are ours */
	int data_kept;			/* recording started: on failure keep the files */
	int recovery_told;		/* print_recovery() said how to use them */
	struct rec_event *ev;
	int nev;
	char *skipped;			/* "a:b c:d" not on this kernel */
	size_t skipped_len;
	struct ct_tdw_text *ftrace;
	uint32_t nftrace;
	char **ftrace_texts;
	pid_t child;
	int child_status, child_done;
	char stop_reason[160];
	int disk_full;
	int mono;			/* the trace clock is "mono" (--pages) */
	struct timespec t0, t1;
	struct rusage ru0, ru1;		/* our own CPU time at the start and the stop */
	sigset_t wait_mask;		/* the mask during ppoll: ours unblocked */
	sigset_t orig_mask;		/* the caller's, for the command */
	char *stats;			/* per-CPU stats at the end, CPUSTAT text */
	uint64_t *cpu_read, *cpu_overrun, *cpu_dropped, *cpu_commit_overrun;
	struct ct_taskmap *tasks;	/* pid -> comm, cgroup: attachment "tasks" */
};

static void usage(FILE *out)
{
	fprintf(out,
		"usage: compactrace record [OPTIONS] [-- COMMAND ARGS...]\n"
		"\n"
		"Record every compaction:* event and kmem:mm_page_alloc_extfrag on this host\n"
		"into a trace.dat (read it with 'compactrace report FILE' or 'trace-cmd report\n"
		"FILE'), with /proc snapshots (vmstat, buddyinfo, pagetypeinfo, zoneinfo,\n"
		"kpageflags per pageblock, ...) from the start and the end inside the file.\n"
		"Records until SECONDS pass, COMMAND exits, or SIGINT/SIGTERM/SIGHUP. Needs root.\n"
		"\n"
		"  -o, --output=FILE      write FILE (default " DEFAULT_OUTPUT "); never overwritten\n"
		"                         without --force\n"
		"  -d, --duration=SECONDS stop after SECONDS\n"
		"      --pages            add kmem:mm_page_alloc, mm_page_free, mm_page_free_batched,\n"
		"                         mm_page_alloc_zone_locked, mm_page_pcpu_drain and\n"
		"                         migrate:mm_migrate_pages (a lot of events), and a per-page\n"
		"                         free map from /proc/kpageflags once tracing is on: 'report'\n"
		"                         then replays every page (exact model); trace clock \"mono\"\n"
		"      --reclaim          add vmscan direct-reclaim begin/end and kswapd wake/sleep\n"
		"  -e, --event=SYS:EVENT  add another event (repeatable)\n"
		"      --buffer-kb=N      ring buffer per CPU in KiB (default %d, less on big hosts)\n"
		"      --force            overwrite FILE (and remove a FILE.partial left behind)\n"
		"  -h, --help\n"
		"\n"
		"Tracing happens in a private instance, compactrace-PID, removed on every exit;\n"
		"a later record removes instances whose process is gone. While recording,\n"
		"FILE.partial and FILE.partial.cpuN hold the data; a recorder killed with\n"
		"SIGKILL leaves them, and 'trace-cmd restore -i FILE.partial -o FILE\n"
		"FILE.partial.cpu*' rebuilds a readable file from them.\n",
		DEFAULT_BUFFER_KB);
}

static int parse_args(int argc, char **argv, struct record_opts *o)
{
	static const struct option longopts[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "duration", required_argument, NULL, 'd' },
		{ "pages", no_argument, NULL, 'P' },
		{ "reclaim", no_argument, NULL, 'R' },
		{ "event", required_argument, NULL, 'e' },
		{ "buffer-kb", required_argument, NULL, 'b' },
		{ "force", no_argument, NULL, 'f' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	o->output = DEFAULT_OUTPUT;
	optind = 1;
	/* '+': stop at the first non-option, so COMMAND's own options stay its own */
	while ((c = getopt_long(argc, argv, "+o:d:e:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'o':
			o->output = optarg;
			break;
		case 'd':
			if (ct_arg_double(optarg, 0, 31536000, &o->duration) < 0 || o->duration <= 0)
				return fprintf(stderr, PROG ": bad duration '%s' (seconds > 0)\n", optarg), -1;
			break;
		case 'P':
			o->pages = 1;
			break;
		case 'R':
			o->reclaim = 1;
			break;
		case 'e':
			if (o->nextra >= MAX_EXTRA_EVENTS || !strchr(optarg, ':') ||
			    strchr(optarg, '/') || strlen(optarg) > 180)
				return fprintf(stderr, PROG ": bad event '%s' (SYSTEM:EVENT)\n", optarg), -1;
			o->extra[o->nextra++] = optarg;
			break;
		case 'b': {
			long v;

			if (ct_arg_long(optarg, 4, 1L << 22, &v) < 0)
				return fprintf(stderr, PROG ": bad buffer size '%s' (KiB, 4..4194304)\n",
					       optarg), -1;
			o->buffer_kb = (size_t)v;
			break;
		}
		case 'f':
			o->force = 1;
			break;
		case 'h':
			usage(stdout);
			return 1;
		default:
			return -1;
		}
	}
	if (optind < argc) {
		/* getopt stops at "--" (and drops it) or at the first non-option */
		if (strcmp(argv[optind - 1], "--") != 0)
			return fprintf(stderr, PROG ": unexpected '%s' (a command goes after '--')\n",
				       argv[optind]), -1;
		o->command = argv + optind;
	}
	if (!*o->output)
		return fprintf(stderr, PROG ": empty output file name\n"), -1;
	return 0;
}

static void note(void *ctx, const char *msg)
{
	(void)ctx;
	fprintf(stderr, PROG ": %s\n", msg);
}

static void fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static void fail(const char *fmt, ...)
{
	va_list ap;

	fputs(PROG ": ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

static double elapsed(const struct timespec *a, const struct timespec *b)
{
	return (double)(b->tv_sec - a->tv_sec) + (double)(b->tv_nsec - a->tv_nsec) / 1e9;
}

/* the default ring buffer: DEFAULT_BUFFER_KB per CPU, all CPUs together at most 1% of RAM */
static size_t default_buffer_kb(int ncpus)
{
	FILE *f = fopen("/proc/meminfo", "re");
	unsigned long long total_kb = 0;
	char line[256];
	size_t kb = DEFAULT_BUFFER_KB;

	if (f) {
		while (fgets(line, sizeof(line), f))
			if (sscanf(line, "MemTotal: %llu kB", &total_kb) == 1)
				break;
		fclose(f);
	}
	if (total_kb && ncpus > 0 && (unsigned long long)kb * (unsigned)ncpus > total_kb / 100)
		kb = (size_t)(total_kb / 100 / (unsigned)ncpus);
	return kb < MIN_DEFAULT_BUFFER_KB ? MIN_DEFAULT_BUFFER_KB : kb;
}

static int path_exists(const char *path)
{
	struct stat st;

	return lstat(path, &st) == 0;
}

/*
 * FILE.partial.cpuN files left by an earlier record (a glob on a name the
 * user chose, so escaped): removed when @remove, else counted.
 */
static size_t old_spools(const char *partial, int remove)
{
	char pattern[PATH_MAX * 2 + 16];
	size_t n = 0, found = 0;
	glob_t g;

	for (const char *p = partial; *p && n + 3 < sizeof(pattern) - 16; p++) {
		if (strchr("*?[]\\", *p))
			pattern[n++] = '\\';
		pattern[n++] = *p;
	}
	snprintf(pattern + n, sizeof(pattern) - n, ".cpu[0-9]*");
	if (glob(pattern, GLOB_NOSORT, NULL, &g) == 0) {
		found = g.gl_pathc;
		for (size_t i = 0; remove && i < g.gl_pathc; i++)
			unlink(g.gl_pathv[i]);
		globfree(&g);
	}
	return found;
}

/* close and remove the FILE.partial.cpuN this recorder created */
static void remove_own_spools(struct recorder *r)
{
	for (int i = 0; r->spool && i < r->ncpus; i++) {
		if (r->spool[i] < 0)
			continue;
		close(r->spool[i]);
		r->spool[i] = -1;
		if ((size_t)snprintf(r->cpu_path, sizeof(r->cpu_path), "%s.cpu%d", r->partial, i) <
		    sizeof(r->cpu_path))
			unlink(r->cpu_path);
	}
}

/* ---- setting up: events and their formats ---- */

static int add_event(struct recorder *r, const char *system, const char *name)
{
	struct rec_event *n, *e;
	char file[256];
	int ret;

	for (int i = 0; i < r->nev; i++)
		if (strcmp(r->ev[i].system, system) == 0 && strcmp(r->ev[i].name, name) == 0)
			return 0;
	ret = ct_capture_enable_event(r->cap, system, name);
	if (ret == -CT_E_NOEVENT) {
		size_t len = strlen(system) + strlen(name) + 2;
		char *s = realloc(r->skipped, r->skipped_len + len + 1);

		if (!s)
			return -CT_E_NOMEM;
		r->skipped = s;
		snprintf(s + r->skipped_len, len + 1, "%s%s:%s", r->skipped_len ? " " : "",
			 system, name);
		r->skipped_len += strlen(s + r->skipped_len);
		fail("skipping %s:%s: this kernel has no such event", system, name);
		return 0;
	}
	if (ret < 0) {
		fail("cannot enable %s:%s in %s: %s", system, name,
		     r->instance, strerror(errno));
		return ret;
	}
	n = realloc(r->ev, (size_t)(r->nev + 1) * sizeof(*n));
	if (!n)
		return -CT_E_NOMEM;
	r->ev = n;
	e = &r->ev[r->nev];
	memset(e, 0, sizeof(*e));
	snprintf(e->system, sizeof(e->system), "%s", system);
	snprintf(e->name, sizeof(e->name), "%s", name);
	snprintf(file, sizeof(file), "events/%s/%s/format", system, name);
	ret = ct_capture_read_file(r->cap, 0, file, &e->format, &e->format_len);
	if (ret < 0) {
		fail("cannot read %s/%s: %s", ct_capture_tracing_dir(r->cap), file, ct_strerror(ret));
		return ret;
	}
	r->nev++;
	return 0;
}

static int enable_events(struct recorder *r)
{
	static const char *const pages[][2] = {
		{ "kmem", "mm_page_alloc" }, { "kmem", "mm_page_free" },
		{ "kmem", "mm_page_free_batched" }, { "kmem", "mm_page_alloc_zone_locked" },
		{ "kmem", "mm_page_pcpu_drain" }, { "migrate", "mm_migrate_pages" },
	};
	static const char *const reclaim[][2] = {
		{ "vmscan", "mm_vmscan_direct_reclaim_begin" },
		{ "vmscan", "mm_vmscan_direct_reclaim_end" },
		{ "vmscan", "mm_vmscan_kswapd_wake" }, { "vmscan", "mm_vmscan_kswapd_sleep" },
	};
	char **list = ct_capture_system_events(r->cap, "compaction");
	int ret = 0;

	if (!list)
		fail("skipping compaction:*: this kernel has no compaction events (CONFIG_COMPACTION)");
	for (int i = 0; ret == 0 && list && list[i]; i++)
		ret = add_event(r, "compaction", list[i]);
	ct_capture_list_free(list);
	if (ret == 0)
		ret = add_event(r, "kmem", "mm_page_alloc_extfrag");
	for (size_t i = 0; ret == 0 && r->o.pages && i < sizeof(pages) / sizeof(pages[0]); i++)
		ret = add_event(r, pages[i][0], pages[i][1]);
	for (size_t i = 0; ret == 0 && r->o.reclaim && i < sizeof(reclaim) / sizeof(reclaim[0]); i++)
		ret = add_event(r, reclaim[i][0], reclaim[i][1]);
	for (int i = 0; ret == 0 && i < r->o.nextra; i++) {
		char sys[64];
		const char *colon = strchr(r->o.extra[i], ':');

		snprintf(sys, sizeof(sys), "%.*s", (int)(colon - r->o.extra[i]), r->o.extra[i]);
		ret = add_event(r, sys, colon + 1);
	}
	if (ret == 0 && r->nev == 0) {
		fail("none of the events exists on this kernel: nothing to record");
		ret = -CT_E_NOEVENT;
	}
	return ret;
}

/* events/ftrace/<event>/format: the kernel's internal events, as trace-cmd stores them */
static int read_ftrace_formats(struct recorder *r)
{
	char **list = ct_capture_system_events(r->cap, "ftrace");
	int n = 0, ret = 0;

	while (list && list[n])
		n++;
	r->ftrace = calloc((size_t)n + 1, sizeof(*r->ftrace));
	r->ftrace_texts = calloc((size_t)n + 1, sizeof(*r->ftrace_texts));
	if (!r->ftrace || !r->ftrace_texts) {
		ret = -CT_E_NOMEM;
		goto out;
	}
	for (int i = 0; i < n; i++) {
		char file[256];
		size_t len;

		snprintf(file, sizeof(file), "events/ftrace/%s/format", list[i]);
		ret = ct_capture_read_file(r->cap, 0, file, &r->ftrace_texts[r->nftrace], &len);
		if (ret == -CT_E_NOMEM)
			goto out;
		ret = 0;
		if (!r->ftrace_texts[r->nftrace])
			continue;
		r->ftrace[r->nftrace].data = r->ftrace_texts[r->nftrace];
		r->ftrace[r->nftrace].len = len;
		r->nftrace++;
	}
out:
	ct_capture_list_free(list);
	return ret;
}

/* the format section: events grouped by system, in the order they were enabled */
static int write_formats(struct recorder *r)
{
	struct ct_tdw_formats f = { 0 };
	struct ct_tdw_system *sys = NULL;
	struct ct_tdw_text *texts = NULL;
	char *hp = NULL, *he = NULL;
	int ret, nsys = 0;

	ret = ct_capture_read_file(r->cap, 0, "events/header_page", &hp, &f.header_page.len);
	if (ret == 0)
		ret = ct_capture_read_file(r->cap, 0, "events/header_event", &he, &f.header_event.len);
	if (ret < 0) {
		fail("cannot read %s/events/header_page or header_event: %s",
		     ct_capture_tracing_dir(r->cap), ct_strerror(ret));
		goto out;
	}
	f.header_page.data = hp;
	f.header_event.data = he;
	ret = read_ftrace_formats(r);
	if (ret < 0)
		goto out;
	f.ftrace = r->ftrace;
	f.nftrace = r->nftrace;
	sys = calloc((size_t)r->nev, sizeof(*sys));
	texts = calloc((size_t)r->nev, sizeof(*texts));
	if (!sys || !texts) {
		ret = -CT_E_NOMEM;
		goto out;
	}
	/* texts[] holds each system's formats contiguously */
	for (int i = 0, t = 0; i < r->nev; i++) {
		int seen = 0;

		for (int k = 0; k < i; k++)
			seen |= strcmp(r->ev[k].system, r->ev[i].system) == 0;
		if (seen)
			continue;
		sys[nsys].name = r->ev[i].system;
		sys[nsys].formats = &texts[t];
		for (int k = i; k < r->nev; k++) {
			if (strcmp(r->ev[k].system, r->ev[i].system) != 0)
				continue;
			texts[t].data = r->ev[k].format;
			texts[t].len = r->ev[k].format_len;
			t++;
			sys[nsys].nformats++;
		}
		nsys++;
	}
	f.systems = sys;
	f.nsystems = (uint32_t)nsys;
	ret = ct_tdw_write_formats(r->w, &f);
out:
	free(hp);
	free(he);
	free(sys);
	free(texts);
	return ret;
}

static int write_procinfo(struct recorder *r)
{
	struct ct_tdw_text none = { NULL, 0 }, cmd = { NULL, 0 };
	char *cmdlines = NULL;
	int ret;

	if (ct_capture_read_file(r->cap, 0, "saved_cmdlines", &cmdlines, &cmd.len) == 0)
		cmd.data = cmdlines;
	ret = ct_tdw_write_procinfo(r->w, none, none, cmd);
	free(cmdlines);
	return ret;
}

/* ---- the output files ---- */

/*
 * FILE.partial appears only once its header is whole: the header is written
 * into an unnamed file in FILE's directory (O_TMPFILE) that publish_files()
 * then links as FILE.partial, so a recorder killed before that leaves nothing
 * behind, never an empty or half-written FILE.partial that 'trace-cmd
 * restore' cannot read. A file system without O_TMPFILE gets FILE.partial
 * at once, as before.
 */
static int open_files(struct recorder *r)
{
	int flags = O_RDWR | O_CREAT | O_CLOEXEC | (r->o.force ? O_TRUNC : O_EXCL);
	char dir[PATH_MAX];
	const char *slash = strrchr(r->partial, '/');

	snprintf(dir, sizeof(dir), "%.*s", slash ? (int)(slash - r->partial) + 1 : 1,
		 slash ? r->partial : ".");
	r->fd = open(dir, O_TMPFILE | O_RDWR | O_CLOEXEC, 0644);
	if (r->fd < 0) {
		r->fd = open(r->partial, flags, 0644);
		if (r->fd < 0) {
			fail("%s: %s", r->partial, strerror(errno));
			return errno == EEXIST ? -CT_E_EXISTS : -CT_E_OPEN;
		}
		r->files_made = 1;
	}
	return ct_tdw_new(r->fd, (uint32_t)ct_capture_page_size(r->cap), &r->w);
}

/* the header is whole: FILE.partial gets its name, and the per-CPU files are made */
static int publish_files(struct recorder *r)
{
	int flags = O_RDWR | O_CREAT | O_CLOEXEC | (r->o.force ? O_TRUNC : O_EXCL), fd;

	if (!r->files_made) {
		char self[64];

		snprintf(self, sizeof(self), "/proc/self/fd/%d", r->fd);
		if (linkat(AT_FDCWD, self, AT_FDCWD, r->partial, AT_SYMLINK_FOLLOW) < 0) {
			fail("%s: %s", r->partial, strerror(errno));
			return errno == EEXIST ? -CT_E_EXISTS : -CT_E_OPEN;
		}
		r->files_made = 1;
		/* the same file under its name from now on (/proc/PID/fd says FILE.partial) */
		fd = open(r->partial, O_RDWR | O_CLOEXEC);
		if (fd < 0 || dup3(fd, r->fd, O_CLOEXEC) < 0) {
			fail("%s: %s", r->partial, strerror(errno));
			if (fd >= 0)
				close(fd);
			return -CT_E_OPEN;
		}
		close(fd);
	}
	r->spool = malloc((size_t)r->ncpus * sizeof(*r->spool));
	r->spool_bytes = calloc((size_t)r->ncpus, sizeof(*r->spool_bytes));
	if (!r->spool || !r->spool_bytes)
		return -CT_E_NOMEM;
	for (int i = 0; i < r->ncpus; i++)
		r->spool[i] = -1;
	for (int i = 0; i < r->ncpus; i++) {
		if (!ct_capture_has_cpu(r->cap, i))
			continue;
		if ((size_t)snprintf(r->cpu_path, sizeof(r->cpu_path), "%s.cpu%d", r->partial, i) >=
		    sizeof(r->cpu_path)) {
			fail("%s: file name too long", r->partial);
			return -CT_E_INVAL;
		}
		r->spool[i] = open(r->cpu_path, flags, 0644);
		if (r->spool[i] < 0) {
			fail("%s: %s", r->cpu_path, strerror(errno));
			return -CT_E_OPEN;
		}
	}
	return 0;
}

/* ---- the command ---- */

static int start_command(struct recorder *r)
{
	int pfd[2], err = 0;
	ssize_t n;

	if (pipe2(pfd, O_CLOEXEC) < 0) {
		fail("pipe: %s", strerror(errno));
		return -CT_E_IO;
	}
	r->child = fork();
	if (r->child < 0) {
		fail("fork: %s", strerror(errno));
		close(pfd[0]);
		close(pfd[1]);
		r->child = 0;
		return -CT_E_IO;
	}
	if (r->child == 0) {
		/* the command gets the signal state compactrace was started with */
		signal(SIGINT, SIG_DFL);
		signal(SIGTERM, SIG_DFL);
		signal(SIGHUP, SIG_DFL);
		signal(SIGCHLD, SIG_DFL);
		signal(SIGPIPE, SIG_DFL);
		sigprocmask(SIG_SETMASK, &r->orig_mask, NULL);
		close_range(3, ~0U, CLOSE_RANGE_CLOEXEC);
		execvp(r->o.command[0], r->o.command);
		err = errno;
		n = write(pfd[1], &err, sizeof(err));
		(void)n;
		_exit(127);
	}
	close(pfd[1]);
	do
		n = read(pfd[0], &err, sizeof(err));
	while (n < 0 && errno == EINTR);
	close(pfd[0]);
	if (n == (ssize_t)sizeof(err)) {
		fail("cannot run '%s': %s", r->o.command[0], strerror(err));
		waitpid(r->child, NULL, 0);
		r->child = 0;
		return -CT_E_INVAL;
	}
	return 0;
}

static void reap_child(struct recorder *r, int options)
{
	int status;

	if (!r->child || r->child_done)
		return;
	if (waitpid(r->child, &status, options) == r->child) {
		r->child_done = 1;
		r->child_status = status;
	}
}

/* stop a command still running when the recording ends */
static void stop_child(struct recorder *r)
{
	struct timespec ts = { 0, 20 * 1000 * 1000 };

	reap_child(r, WNOHANG);
	if (!r->child || r->child_done)
		return;
	kill(r->child, SIGTERM);
	for (int i = 0; i < CHILD_TERM_WAIT_MS / 20 && !r->child_done; i++) {
		nanosleep(&ts, NULL);
		reap_child(r, WNOHANG);
	}
	if (!r->child_done) {
		kill(r->child, SIGKILL);
		reap_child(r, 0);
	}
}

/* ---- recording ---- */

static int drain_all(struct recorder *r, int flush)
{
	for (int i = 0; i < r->ncpus; i++) {
		long n;

		if (r->spool[i] < 0)
			continue;
		n = flush ? ct_capture_flush(r->cap, i, r->spool[i]) :
			ct_capture_drain(r->cap, i, r->spool[i], DRAIN_STEP);
		if (n == -CT_E_NOSPACE) {
			r->disk_full = 1;
			return (int)n;
		}
		if (n < 0) {
			fail("writing CPU %d's pages to %s.cpu%d: %s", i, r->partial, i, strerror(errno));
			return (int)n;
		}
		r->spool_bytes[i] += (uint64_t)n;
	}
	return 0;
}

static int record_loop(struct recorder *r)
{
	static const char *const names[] = { [SIGINT] = "SIGINT", [SIGTERM] = "SIGTERM",
					     [SIGHUP] = "SIGHUP" };
	struct timespec now;
	int ret;

	for (;;) {
		int timeout = WAIT_MS;
		double left = -1;

		clock_gettime(CLOCK_MONOTONIC, &now);
		if (r->o.duration > 0) {
			left = r->o.duration - elapsed(&r->t0, &now);
			if (left <= 0) {
				snprintf(r->stop_reason, sizeof(r->stop_reason), "duration reached");
				return 0;
			}
			if (left * 1000 < timeout)
				timeout = (int)(left * 1000) + 1;
		}
		ct_capture_wait(r->cap, timeout, &r->wait_mask);
		for (size_t s = 0; s < sizeof(names) / sizeof(names[0]); s++)
			if (names[s] && (got_signal & (1 << s))) {
				snprintf(r->stop_reason, sizeof(r->stop_reason), "%s", names[s]);
				return 0;
			}
		if (got_signal & (1 << SIGCHLD)) {
			got_signal &= ~(1 << SIGCHLD);
			reap_child(r, WNOHANG);
			if (r->child_done) {
				if (WIFEXITED(r->child_status))
					snprintf(r->stop_reason, sizeof(r->stop_reason),
						 "the command exited with status %d",
						 WEXITSTATUS(r->child_status));
				else
					snprintf(r->stop_reason, sizeof(r->stop_reason),
						 "the command was killed by signal %d",
						 WTERMSIG(r->child_status));
				return 0;
			}
		}
		ret = drain_all(r, 0);
		if (ret == 0)
			ret = ct_taskmap_scan(r->tasks, (uint64_t)now.tv_sec * 1000000000ULL + (uint64_t)now.tv_nsec);
		if (ret == -CT_E_NOSPACE) {
			snprintf(r->stop_reason, sizeof(r->stop_reason), "the disk is full");
			return 0;
		}
		if (ret < 0)
			return ret;
	}
}

/* between two chunks of the free map: keep the page events flowing to disk */
static int free_map_step(void *ctx)
{
	return drain_all(ctx, 0);
}

/*
 * --pages: the per-pfn free map, read once the page events are traced, so
 * that every change after it is in the trace. The read takes a while
 * (0.2-0.7 s for 25 GiB here); its window in the trace clock goes into the
 * map, and the model counts events inside it apart (model_exact.c). A map
 * that cannot be read is a warning: the model is then estimated.
 */
static int add_free_map(struct recorder *r)
{
	struct ct_memsnap_free_map map;
	unsigned char *blob = NULL;
	uint64_t t0, t1;
	size_t len = 0;
	int fd, ret;

	fd = open("/proc/kpageflags", O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		fail("/proc/kpageflags: %s: no free map, the model will estimate", strerror(errno));
		return 0;
	}
	t0 = ct_capture_now_ns();
	ret = ct_free_map_read(fd, &map, free_map_step, r);
	t1 = ct_capture_now_ns();
	close(fd);
	if (ret == 0 && r->mono) {
		map.ts_begin_ns = t0;
		map.ts_end_ns = t1;
	}
	if (ret == 0)
		ret = ct_memsnap_encode_free_map(&map, &blob, &len);
	if (ret == 0)
		ret = ct_attach_set_add(r->att, CT_SNAPSHOT_START "/free-map", blob, len);
	if (ret == 0)
		fprintf(stderr, PROG ": free map of %llu pages read from /proc/kpageflags in %.3f s\n",
			(unsigned long long)map.npfns, (double)(t1 - t0) / 1e9);
	free(map.classes);
	free(blob);
	/* a full disk stops the recording in record_loop(), which says so */
	if (ret == -CT_E_IO || ret == -CT_E_NOSPACE) {
		fail("/proc/kpageflags: %s: no free map, the model will estimate",
		     ret == -CT_E_IO ? ct_strerror(ret) : "the disk is full");
		ret = 0;
	}
	return ret;
}

/* "name: value" in a per_cpu stats text */
static uint64_t stat_value(const char *text, const char *name)
{
	const char *p = text;
	size_t n = strlen(name);

	while (p && *p) {
		if (strncmp(p, name, n) == 0 && p[n] == ':')
			return strtoull(p + n + 1, NULL, 10);
		p = strchr(p, '\n');
		if (p)
			p++;
	}
	return 0;
}

/* per_cpu/cpuN/stats of every CPU: CPUSTAT options and the lost-event counts */
static int read_stats(struct recorder *r)
{
	size_t total = 0;
	int ret = 0;

	r->cpu_read = calloc((size_t)r->ncpus, sizeof(uint64_t));
	r->cpu_overrun = calloc((size_t)r->ncpus, sizeof(uint64_t));
	r->cpu_dropped = calloc((size_t)r->ncpus, sizeof(uint64_t));
	r->cpu_commit_overrun = calloc((size_t)r->ncpus, sizeof(uint64_t));
	if (!r->cpu_read || !r->cpu_overrun || !r->cpu_dropped || !r->cpu_commit_overrun)
		return -CT_E_NOMEM;
	for (int i = 0; i < r->ncpus && ret == 0; i++) {
		char file[64], head[32], *text = NULL, *opt, *n;
		size_t len, hlen;

		if (!ct_capture_has_cpu(r->cap, i))
			continue;
		snprintf(file, sizeof(file), "per_cpu/cpu%d/stats", i);
		if (ct_capture_read_file(r->cap, 1, file, &text, &len) < 0) {
			fail("cannot read %s's %s: lost-event counts unknown",
			     r->instance, file);
			continue;
		}
		r->cpu_read[i] = stat_value(text, "read events");
		r->cpu_overrun[i] = stat_value(text, "overrun");
		r->cpu_commit_overrun[i] = stat_value(text, "commit overrun");
		r->cpu_dropped[i] = stat_value(text, "dropped events");
		hlen = (size_t)snprintf(head, sizeof(head), "CPU: %d\n", i);
		opt = malloc(hlen + len + 1);
		n = realloc(r->stats, total + hlen + len + 1);
		if (!opt || !n) {
			free(opt);
			free(text);
			return -CT_E_NOMEM;
		}
		r->stats = n;
		memcpy(opt, head, hlen);
		memcpy(opt + hlen, text, len);
		opt[hlen + len] = '\0';
		ret = ct_tdw_add_option(r->w, CT_TDW_OPT_CPUSTAT, opt, (uint32_t)(hlen + len + 1));
		memcpy(r->stats + total, opt, hlen + len + 1);
		total += hlen + len;
		free(opt);
		free(text);
	}
	return ret;
}

/* the options besides CPUSTAT */
static int add_options(struct recorder *r, const char *clock_file)
{
	struct utsname u;
	char text[1024];
	int ret = 0, n;

	if (clock_file)
		ret = ct_tdw_add_option(r->w, CT_TDW_OPT_TRACECLOCK, clock_file,
					(uint32_t)strlen(clock_file) + 1);
	if (ret == 0 && uname(&u) == 0) {
		n = snprintf(text, sizeof(text), "%s %s %s %s", u.sysname, u.nodename, u.release,
			     u.machine);
		ret = ct_tdw_add_option(r->w, CT_TDW_OPT_UNAME, text, (uint32_t)n + 1);
	}
	if (ret == 0) {
		n = snprintf(text, sizeof(text), "compactrace %s", CT_VERSION);
		ret = ct_tdw_add_option(r->w, CT_TDW_OPT_VERSION, text, (uint32_t)n + 1);
	}
	return ret;
}

/* "[local] global ..." -> "local" */
static void selected_clock(const char *clock_file, char *out, size_t len)
{
	const char *b = clock_file ? strchr(clock_file, '[') : NULL;
	const char *e = b ? strchr(b, ']') : NULL;

	if (b && e)
		snprintf(out, len, "%.*s", (int)(e - b - 1), b + 1);
	else
		snprintf(out, len, "local");
}

static int add_info(struct recorder *r)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	int ret;

	if (!f)
		return -CT_E_NOMEM;
	fprintf(f, "tool compactrace %s\ninstance %s\nbuffer_kb %zu\nduration_s %.6f\n"
		"stopped %s\nevents", CT_VERSION, r->instance,
		r->o.buffer_kb, elapsed(&r->t0, &r->t1), r->stop_reason);
	for (int i = 0; i < r->nev; i++)
		fprintf(f, " %s:%s", r->ev[i].system, r->ev[i].name);
	fprintf(f, "\nskipped %s\n", r->skipped ? r->skipped : "");
	if (r->o.command) {
		fprintf(f, "command");
		for (char **a = r->o.command; *a; a++)
			fprintf(f, " %s", *a);
		fprintf(f, "\n");
	}
	if (fclose(f) != 0) {
		free(text);
		return -CT_E_NOMEM;
	}
	ret = ct_attach_set_add(r->att, "record/info", text, len);
	if (ret == 0) {
		const char *map = ct_taskmap_text(r->tasks, &len);

		ret = ct_attach_set_add(r->att, CT_TASKMAP_ATTACHMENT, map, len);
	}
	if (ret == 0 && r->stats)
		ret = ct_attach_set_add(r->att, "record/cpustats", r->stats, strlen(r->stats));
	free(text);
	return ret;
}

/*
 * Each CPU file holds whole pages, unless a write was cut short (a full
 * disk): drop a torn last page, and take the sizes from the files themselves.
 */
static int trim_spools(struct recorder *r)
{
	uint64_t page = (uint64_t)ct_capture_page_size(r->cap);

	for (int i = 0; i < r->ncpus; i++) {
		struct stat st;
		uint64_t whole;

		if (r->spool[i] < 0)
			continue;
		if (fstat(r->spool[i], &st) < 0) {
			fail("%s.cpu%d: %s", r->partial, i, strerror(errno));
			return -CT_E_IO;
		}
		whole = (uint64_t)st.st_size / page * page;
		if (whole != (uint64_t)st.st_size && ftruncate(r->spool[i], (off_t)whole) < 0) {
			fail("%s.cpu%d: %s", r->partial, i, strerror(errno));
			return -CT_E_IO;
		}
		r->spool_bytes[i] = whole;
	}
	return 0;
}

/* complete FILE.partial: final header, options, CPU data, attachments */
static int assemble(struct recorder *r, const char *clock_file)
{
	struct ct_tdw_cpu *cpus;
	char clock[64];
	int ret;

	cpus = calloc((size_t)r->ncpus, sizeof(*cpus));
	if (!cpus)
		return -CT_E_NOMEM;
	for (int i = 0; i < r->ncpus; i++) {
		cpus[i].fd = r->spool[i];
		cpus[i].size = r->spool[i] >= 0 ? r->spool_bytes[i] : 0;
	}
	selected_clock(clock_file, clock, sizeof(clock));
	ret = add_options(r, clock_file);
	if (ret == 0)
		ret = add_info(r);
	if (ret == 0)
		ret = ct_tdw_write_data(r->w, (uint32_t)r->ncpus, cpus, clock);
	if (ret == 0)
		ret = ct_tdw_finish(r->w, r->att);
	free(cpus);
	return ret;
}

/* ---- the summary: the engine over the file just written ---- */

static double tv_diff(const struct timeval *a, const struct timeval *b)
{
	return (double)(b->tv_sec - a->tv_sec) + (double)(b->tv_usec - a->tv_usec) / 1e6;
}

static void fmt_size(uint64_t bytes, char *out, size_t len)
{
	if (bytes >= (1ULL << 30))
		snprintf(out, len, "%.2f GiB", (double)bytes / (1ULL << 30));
	else if (bytes >= (1ULL << 20))
		snprintf(out, len, "%.1f MiB", (double)bytes / (1ULL << 20));
	else
		snprintf(out, len, "%.1f KiB", (double)bytes / 1024);
}

static int summarize(struct recorder *r, uint64_t file_size)
{
	/* the report's pipeline, without the model: the summary shows no model figures */
	struct ct_session_opts so = { .no_model = 1 };
	struct ct_session *s = NULL;
	struct ct_source *src = NULL;
	const struct ct_results *res;
	const struct ct_vmstat_check *check;
	uint64_t lost = 0, overrun = 0, dropped = 0, commit = 0, read_total = 0;
	char err[4400], size[32];
	int ret, loaded;

	fmt_size(file_size, size, sizeof(size));
	fprintf(stderr, PROG ": stopped after %.2f s (%s)\n", elapsed(&r->t0, &r->t1), r->stop_reason);
	fprintf(stderr, "  file     %s: %s, %d events enabled, %u attachments\n", r->o.output,
		size, r->nev, ct_attach_set_count(r->att));
	for (int i = 0; i < r->ncpus; i++) {
		read_total += r->cpu_read[i];
		overrun += r->cpu_overrun[i];
		dropped += r->cpu_dropped[i];
		commit += r->cpu_commit_overrun[i];
	}
	lost = overrun + dropped + commit;
	fprintf(stderr, "  cpu      %.2f s user, %.2f s system while recording (%.1f%% of one CPU)\n",
		tv_diff(&r->ru0.ru_utime, &r->ru1.ru_utime), tv_diff(&r->ru0.ru_stime, &r->ru1.ru_stime),
		100 * (tv_diff(&r->ru0.ru_utime, &r->ru1.ru_utime) +
		       tv_diff(&r->ru0.ru_stime, &r->ru1.ru_stime)) /
		(elapsed(&r->t0, &r->t1) > 0 ? elapsed(&r->t0, &r->t1) : 1));
	fprintf(stderr, "  events   %llu (", (unsigned long long)read_total);
	for (int i = 0; i < r->ncpus; i++)
		fprintf(stderr, "%scpu%d %llu", i ? ", " : "", i, (unsigned long long)r->cpu_read[i]);
	fprintf(stderr, ")\n  lost     %llu (overrun %llu, dropped %llu, commit overrun %llu)%s\n",
		(unsigned long long)lost, (unsigned long long)overrun,
		(unsigned long long)dropped, (unsigned long long)commit,
		lost ? ": try a bigger --buffer-kb" : "");

	ret = ct_source_open(r->o.output, CT_FORMAT_TRACE_DAT, &src, err, sizeof(err));
	if (ret < 0) {
		fail("cannot read back %s: %s", r->o.output, err);
		goto out;
	}
	s = ct_session_new(&so);
	if (!s) {
		ret = -CT_E_NOMEM;
		goto out;
	}
	loaded = ct_session_load_snapshot_source(s, src, err, sizeof(err));
	if (loaded == 0) {
		/* the file's attachments could not be read back: the same texts, from memory */
		loaded = ct_session_load_snapshot_set(s, CT_SNAPSHOT_START, r->att, r->o.output, err, sizeof(err));
		if (loaded == 1)
			loaded = ct_session_load_snapshot_set(s, CT_SNAPSHOT_END, r->att, r->o.output, err,
							      sizeof(err));
		if (loaded == 1)
			fprintf(stderr, "  note     the file's snapshots could not be read back; "
				"the check uses the snapshots in memory\n");
	}
	ret = ct_session_replay(s, src, err, sizeof(err));
	if (ret == 0)
		ret = ct_session_finish(s);
	if (ret < 0) {
		fail("reading back %s: %s", r->o.output, ret == -CT_E_NOMEM ? "out of memory" : err);
		goto out;
	}
	res = ct_session_results(s);
	fprintf(stderr, "  read     %llu events back from the file (%llu compaction runs, %llu stalls)\n",
		(unsigned long long)res->events, (unsigned long long)res->runs.count,
		(unsigned long long)res->stalls.count);
	check = ct_session_vmstat(s);
	if (check) {
		ct_print_vmstat_lines(stderr, check, r->o.output);
	} else {
		fprintf(stderr, "  vmstat   no check: %s\n", loaded < 0 ? err :
			"the file has no start and end vmstat snapshots");
	}
out:
	ct_session_free(s);
	ct_source_free(src);
	return ret;
}

/* ---- the command ---- */

static void recorder_release(struct recorder *r)
{
	ct_capture_free(r->cap);
	ct_tdw_free(r->w);
	ct_attach_set_free(r->att);
	ct_taskmap_free(r->tasks);
	if (r->fd >= 0)
		close(r->fd);
	if (r->files_made && !r->data_kept) {
		unlink(r->partial);
		remove_own_spools(r);
	}
	for (int i = 0; r->spool && i < r->ncpus; i++)
		if (r->spool[i] >= 0)
			close(r->spool[i]);
	for (int i = 0; i < r->nev; i++)
		free(r->ev[i].format);
	free(r->ev);
	for (uint32_t i = 0; r->ftrace_texts && i < r->nftrace; i++)
		free(r->ftrace_texts[i]);
	free(r->ftrace_texts);
	free(r->ftrace);
	free(r->skipped);
	free(r->spool);
	free(r->spool_bytes);
	free(r->stats);
	free(r->cpu_read);
	free(r->cpu_overrun);
	free(r->cpu_dropped);
	free(r->cpu_commit_overrun);
}

static void print_recovery(struct recorder *r)
{
	r->recovery_told = 1;
	fprintf(stderr, PROG ": the data is kept in %s and %s.cpu*; once there is room, rebuild "
		"the file with:\n  trace-cmd restore -i %s -o %s", r->partial, r->partial,
		r->partial, r->o.output);
	for (int i = 0; i < r->ncpus; i++)
		if (r->spool && r->spool[i] >= 0)
			fprintf(stderr, " %s.cpu%d", r->partial, i);
	fputc('\n', stderr);
}

/* FILE.partial -> FILE; without --force never replacing a FILE that appeared meanwhile */
static int finish_rename(const struct recorder *r)
{
	if (r->o.force)
		return rename(r->partial, r->o.output);
	if (renameat2(AT_FDCWD, r->partial, AT_FDCWD, r->o.output, RENAME_NOREPLACE) == 0)
		return 0;
	if (errno != EINVAL && errno != ENOSYS)
		return -1;
	/* a file system without RENAME_NOREPLACE: link() refuses to replace too */
	if (link(r->partial, r->o.output) < 0)
		return -1;
	unlink(r->partial);
	return 0;
}

static int check_output(const struct record_opts *o, char *partial, size_t len)
{
	if ((size_t)snprintf(partial, len, "%s.partial", o->output) >= len) {
		fail("%s: file name too long", o->output);
		return -CT_E_INVAL;
	}
	if (!o->force && path_exists(o->output)) {
		fail("%s exists; use --force to overwrite it", o->output);
		return -CT_E_EXISTS;
	}
	if (!o->force && (path_exists(partial) || old_spools(partial, 0))) {
		fail("%s or %s.cpu* exist (left by an interrupted record? 'trace-cmd restore -i %s "
		     "-o %s %s.cpu*' recovers them); use --force to remove them", partial, partial,
		     partial, o->output, partial);
		return -CT_E_EXISTS;
	}
	if (o->force) {
		unlink(partial);
		old_spools(partial, 1);
	}
	return 0;
}

int ct_cmd_record(int argc, char **argv)
{
	struct recorder r = { .fd = -1 };
	struct sigaction sa = { .sa_handler = on_signal }, old_sa[4];
	static const int sigs[4] = { SIGINT, SIGTERM, SIGHUP, SIGCHLD };
	sigset_t block, old_mask;
	char err[512], *clock_file = NULL;
	int ret, status = CT_EXIT_ERROR, close_ret;

	ret = parse_args(argc, argv, &r.o);
	if (ret != 0) {
		if (ret < 0)
			usage(stderr);
		return ret < 0 ? CT_EXIT_USAGE : CT_EXIT_OK;
	}
	if (check_output(&r.o, r.partial, sizeof(r.partial)) < 0)
		return CT_EXIT_ERROR;

	/* signals are blocked except while waiting, and then only set got_signal */
	sigemptyset(&block);
	for (int i = 0; i < 4; i++)
		sigaddset(&block, sigs[i]);
	sigprocmask(SIG_BLOCK, &block, &old_mask);
	r.orig_mask = old_mask;
	r.wait_mask = old_mask;
	for (int i = 0; i < 4; i++)
		sigdelset(&r.wait_mask, sigs[i]);
	sa.sa_mask = block;	/* handlers never interrupt each other */
	for (int i = 0; i < 4; i++)
		sigaction(sigs[i], &sa, &old_sa[i]);
	signal(SIGPIPE, SIG_IGN);
	got_signal = 0;

	ret = ct_capture_new(&r.cap, err, sizeof(err));
	if (ret < 0) {
		fail("%s", err);
		goto out;
	}
	ret = ct_capture_remove_stale(r.cap, note, NULL);
	if (ret < 0)
		fail("cannot list the tracing instances in %s/instances", ct_capture_tracing_dir(r.cap));
	if (!r.o.buffer_kb) {
		long n = sysconf(_SC_NPROCESSORS_CONF);

		r.o.buffer_kb = default_buffer_kb(n > 0 ? (int)n : 1);
	}
	ret = ct_capture_create_instance(r.cap, r.o.buffer_kb, BUFFER_PERCENT, err, sizeof(err));
	if (ret < 0) {
		fail("%s", err);
		goto out;
	}
	snprintf(r.instance, sizeof(r.instance), "%s", ct_capture_instance_name(r.cap));
	/* --pages: the free map's read window must be a time in the trace */
	if (r.o.pages) {
		r.mono = ct_capture_use_mono_clock(r.cap) == 0;
		if (!r.mono)
			fail("cannot set the \"mono\" trace clock in %s: the free map's read window "
			     "will be unknown", r.instance);
	}
	ret = enable_events(&r);
	if (ret < 0)
		goto out;
	ret = ct_capture_open_cpus(r.cap, err, sizeof(err));
	if (ret < 0) {
		fail("%s", err);
		goto out;
	}
	r.ncpus = ret;
	r.att = ct_attach_set_new();
	r.tasks = ct_taskmap_new("/proc");
	if (!r.att || !r.tasks || ct_taskmap_scan(r.tasks, 0) < 0) {
		ret = -CT_E_NOMEM;
		goto out;
	}
	ret = open_files(&r);
	if (ret == 0)
		ret = write_formats(&r);
	if (ret == 0)
		ret = write_procinfo(&r);
	if (ret == 0)
		ret = publish_files(&r);
	if (ret < 0) {
		if (ret == -CT_E_NOSPACE || ret == -CT_E_WRITE)
			fail("writing %s: %s", r.partial, strerror(errno));
		goto out;
	}

	/* the start snapshots, vmstat last: as close to the first event as possible */
	ret = ct_snapshot_collect(r.att, "", CT_SNAPSHOT_START, note, NULL);
	if (ret == 0)
		ret = ct_snapshot_collect_buddy(r.att, "", CT_SNAPSHOT_START);
	if (ret == 0)
		ret = ct_snapshot_collect_vmstat(r.att, "", CT_SNAPSHOT_START);
	if (ret < 0) {
		fail("reading /proc/vmstat, buddyinfo or zoneinfo: %s",
		     ret == -CT_E_OPEN ? strerror(errno) : ct_strerror(ret));
		goto out;
	}
	ret = ct_capture_set_tracing(r.cap, 1);
	if (ret < 0) {
		fail("cannot turn tracing on in %s: %s", r.instance, strerror(errno));
		goto out;
	}
	clock_gettime(CLOCK_MONOTONIC, &r.t0);
	getrusage(RUSAGE_SELF, &r.ru0);
	r.data_kept = 1;
	if (r.o.pages) {
		ret = add_free_map(&r);
		if (ret < 0)
			goto out;
	}
	fprintf(stderr, PROG ": recording %d events into %s (instance %s, %zu KiB per CPU)%s\n",
		r.nev, r.o.output, r.instance, r.o.buffer_kb,
		r.o.command ? "" : r.o.duration > 0 ? "" : "; Ctrl-C stops");
	if (r.o.command) {
		ret = start_command(&r);
		if (ret < 0) {
			r.data_kept = 0;	/* nothing worth keeping */
			goto out;
		}
	}

	ret = record_loop(&r);

	/* stop: tracing off, vmstat right away, then everything left in the buffers */
	ct_capture_set_tracing(r.cap, 0);
	clock_gettime(CLOCK_MONOTONIC, &r.t1);
	getrusage(RUSAGE_SELF, &r.ru1);
	if (ret == 0 && ct_snapshot_collect_vmstat(r.att, "", CT_SNAPSHOT_END) < 0)
		fail("reading /proc/vmstat at the end: %s", strerror(errno));
	/* before writing the buffers out allocates page cache */
	if (ret == 0 && ct_snapshot_collect_buddy(r.att, "", CT_SNAPSHOT_END) < 0)
		fail("reading /proc/buddyinfo or zoneinfo at the end: %s", strerror(errno));
	stop_child(&r);
	if (ret == 0 && !r.disk_full) {
		ret = drain_all(&r, 1);
		if (ret == -CT_E_NOSPACE) {
			snprintf(r.stop_reason, sizeof(r.stop_reason), "the disk is full");
			ret = 0;
		}
	}
	if (ret < 0)
		goto out;
	ct_capture_disable_events(r.cap);
	ret = ct_snapshot_collect(r.att, "", CT_SNAPSHOT_END, note, NULL);
	if (ret == 0)
		ret = read_stats(&r);
	/* the command lines seen during the recording (a full disk keeps the first ones) */
	if (ret == 0 && !r.disk_full)
		ret = write_procinfo(&r);
	if (ret == 0)
		ret = trim_spools(&r);
	if (ret == 0 && ct_capture_read_file(r.cap, 1, "trace_clock", &clock_file,
					     &(size_t){ 0 }) < 0)
		clock_file = NULL;
	if (ret < 0)
		goto out;
	close_ret = ct_capture_close(r.cap, err, sizeof(err));
	if (close_ret < 0)
		fail("%s", err);
	if (r.disk_full)
		fail("the disk is full: recording stopped after %.2f s; what was written is kept",
		     elapsed(&r.t0, &r.t1));

	ret = assemble(&r, clock_file);
	if (ret < 0) {
		fail("completing %s: %s", r.partial,
		     ret == -CT_E_NOSPACE || ret == -CT_E_WRITE ? strerror(errno) : ct_strerror(ret));
		if (ct_tdw_rollback(r.w) < 0)
			fail("%s: cannot truncate it back to its header: %s", r.partial, strerror(errno));
		else
			print_recovery(&r);
		goto out;
	}
	if (finish_rename(&r) < 0) {
		fail("renaming %s to %s: %s", r.partial, r.o.output, strerror(errno));
		goto out;
	}
	remove_own_spools(&r);
	r.data_kept = 0;
	r.files_made = 0;
	summarize(&r, ct_tdw_size(r.w));
	if (r.child && r.child_done && WIFEXITED(r.child_status) && WEXITSTATUS(r.child_status))
		fprintf(stderr, PROG ": note: the command failed (exit status %d)\n",
			WEXITSTATUS(r.child_status));
	/* a full disk cut the recording short: the file is whole, but say so in the status too */
	status = close_ret < 0 || r.disk_full ? CT_EXIT_ERROR : CT_EXIT_OK;
out:
	if (status != CT_EXIT_OK && r.data_kept && !r.recovery_told)
		fprintf(stderr, PROG ": %s and %s.cpu* are kept\n", r.partial, r.partial);
	stop_child(&r);
	free(clock_file);
	recorder_release(&r);	/* the instance goes here on every error path */
	for (int i = 0; i < 4; i++)
		sigaction(sigs[i], &old_sa[i], NULL);
	sigprocmask(SIG_SETMASK, &old_mask, NULL);
	return status;
}
