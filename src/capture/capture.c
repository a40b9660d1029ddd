// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Live capture through libtracefs: a private instance, its events, and
 * per-CPU raw readers. The only file that includes tracefs.h.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <limits.h>
#include <sys/mount.h>
#include <time.h>
#include <unistd.h>

#include <event-parse.h>
#include <tracefs.h>

#include "compactrace/capture.h"
#include "compactrace/error.h"
#include "compactrace/event.h"

#define INSTANCE_PREFIX "compactrace-"
#define FLUSH_MAX_PAGES (1u << 22)	/* a safety stop: far more than any buffer holds */

struct cpu_reader {
	int fd;				/* per_cpu/cpuN/trace_pipe_raw, non-blocking */
	struct tracefs_cpu *tcpu;
};

struct ct_capture {
	char *tracing_dir;
	char *mount_point;		/* what we mounted (tracefs or debugfs), or NULL */
	struct tracefs_instance *inst;
	char name[64];
	struct cpu_reader *cpus;
	int ncpus;
	int page_size;
	int use_read;			/* splice refused: read pages instead */
	unsigned char *page;		/* one page for reads */
	struct pollfd *pfds;
};

static void msg(char *err, size_t errlen, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static void msg(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (!err || !errlen)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

/* the mount point of the first file system of @type, or NULL (malloc()ed) */
static char *mount_of(const char *type)
{
	FILE *f = fopen("/proc/self/mounts", "re");
	char line[4096], dev[256], dir[PATH_MAX], fstype[64];
	char *found = NULL;

	if (!f)
		return NULL;
	while (!found && fgets(line, sizeof(line), f))
		if (sscanf(line, "%255s %4095s %63s", dev, dir, fstype) == 3 &&
		    strcmp(fstype, type) == 0)
			found = strdup(dir);
	fclose(f);
	return found;
}

int ct_capture_new(struct ct_capture **out, char *err, size_t errlen)
{
	struct ct_capture *cap;
	char *tracefs_before, *debugfs_before, *now;
	const char *path;

	*out = NULL;
	if (geteuid() != 0) {
		msg(err, errlen, "needs root: tracefs instances and /proc/kpageflags are root-only "
		    "(run it with sudo)");
		return -CT_E_PERM;
	}
	cap = calloc(1, sizeof(*cap));
	if (!cap)
		return -CT_E_NOMEM;
	/* libtracefs would print its own warnings; every failure is reported by us */
	tracefs_set_loglevel(TEP_LOG_NONE);
	/*
	 * tracefs_tracing_dir() mounts tracefs (or debugfs) when neither is
	 * mounted; what it mounts is ours to unmount at the end.
	 */
	tracefs_before = mount_of("tracefs");
	debugfs_before = tracefs_before ? NULL : mount_of("debugfs");
	path = tracefs_tracing_dir();
	if (!path || access(path, F_OK) < 0) {
		msg(err, errlen, "tracefs is not available: this kernel has no tracing "
		    "(CONFIG_FTRACE) or it cannot be mounted at /sys/kernel/tracing");
		free(tracefs_before);
		free(debugfs_before);
		free(cap);
		return -CT_E_NOTRACEFS;
	}
	if (!tracefs_before) {
		now = mount_of("tracefs");
		if (!now && !debugfs_before)
			now = mount_of("debugfs");
		cap->mount_point = now;		/* NULL when nothing new was mounted */
	}
	free(tracefs_before);
	free(debugfs_before);
	cap->tracing_dir = strdup(path);
	if (!cap->tracing_dir) {
		ct_capture_free(cap);
		return -CT_E_NOMEM;
	}
	*out = cap;
	return 0;
}

const char *ct_capture_tracing_dir(const struct ct_capture *cap)
{
	return cap->tracing_dir;
}

static void close_cpus(struct ct_capture *cap)
{
	for (int i = 0; i < cap->ncpus; i++) {
		if (cap->cpus[i].tcpu)
			tracefs_cpu_free_fd(cap->cpus[i].tcpu);
		if (cap->cpus[i].fd >= 0)
			close(cap->cpus[i].fd);
	}
	free(cap->cpus);
	free(cap->pfds);
	free(cap->page);
	cap->cpus = NULL;
	cap->pfds = NULL;
	cap->page = NULL;
	cap->ncpus = 0;
}

/* rmdir an instance; the kernel refuses while a file of it is still open */
static int destroy_instance(struct tracefs_instance *inst)
{
	for (int tries = 0; tries < 50; tries++) {
		struct timespec ts = { 0, 20 * 1000 * 1000 };

		if (tracefs_instance_destroy(inst) == 0)
			return 0;
		if (errno != EBUSY)
			return -1;
		nanosleep(&ts, NULL);
	}
	return -1;
}

int ct_capture_close(struct ct_capture *cap, char *err, size_t errlen)
{
	int ret = 0;

	close_cpus(cap);
	if (cap->inst) {
		tracefs_trace_off(cap->inst);
		if (tracefs_event_disable(cap->inst, NULL, NULL) < 0) {
			msg(err, errlen, "%s: cannot disable its events: %s", cap->name, strerror(errno));
			ret = -CT_E_IO;
		}
		if (destroy_instance(cap->inst) < 0) {
			msg(err, errlen, "cannot remove tracing instance %s: %s (remove it with "
			    "rmdir %s/instances/%s)", cap->name, strerror(errno), cap->tracing_dir,
			    cap->name);
			ret = -CT_E_IO;
		}
		tracefs_instance_free(cap->inst);
		cap->inst = NULL;
	}
	if (cap->mount_point) {
		if (umount2(cap->mount_point, UMOUNT_NOFOLLOW) < 0 && ret == 0) {
			msg(err, errlen, "cannot unmount %s (mounted by compactrace): %s",
			    cap->mount_point, strerror(errno));
			ret = -CT_E_IO;
		}
		free(cap->mount_point);
		cap->mount_point = NULL;
	}
	return ret;
}

void ct_capture_free(struct ct_capture *cap)
{
	if (!cap)
		return;
	ct_capture_close(cap, NULL, 0);
	free(cap->tracing_dir);
	free(cap);
}

int ct_capture_remove_stale(struct ct_capture *cap, ct_capture_note_fn note, void *ctx)
{
	/* no regex: tracefs_instances() of libtracefs 1.6 never frees a compiled one */
	char **list = tracefs_instances(NULL);
	int removed = 0;

	(void)cap;
	if (!list)
		return -CT_E_IO;
	for (int i = 0; list[i]; i++) {
		const char *num = list[i] + strlen(INSTANCE_PREFIX);
		struct tracefs_instance *inst;
		char line[256], *end;
		long pid;

		if (strncmp(list[i], INSTANCE_PREFIX, strlen(INSTANCE_PREFIX)) != 0 ||
		    *num < '0' || *num > '9')
			continue;
		errno = 0;
		pid = strtol(num, &end, 10);
		if (errno || *end || pid <= 0 || pid == getpid())
			continue;
		if (kill((pid_t)pid, 0) == 0 || errno != ESRCH)
			continue;	/* alive (or not ours to judge) */
		inst = tracefs_instance_alloc(NULL, list[i]);
		if (!inst)
			continue;
		tracefs_trace_off(inst);
		tracefs_event_disable(inst, NULL, NULL);
		if (destroy_instance(inst) == 0) {
			removed++;
			snprintf(line, sizeof(line), "removed stale tracing instance %s "
				 "(process %ld is gone)", list[i], pid);
		} else {
			snprintf(line, sizeof(line), "cannot remove stale tracing instance %s: %s",
				 list[i], strerror(errno));
		}
		if (note)
			note(ctx, line);
		tracefs_instance_free(inst);
	}
	tracefs_list_free(list);
	return removed;
}

int ct_capture_create_instance(struct ct_capture *cap, size_t buffer_kb, int buffer_percent,
			       char *err, size_t errlen)
{
	char num[32];

	if (cap->inst)
		return -CT_E_INVAL;
	snprintf(cap->name, sizeof(cap->name), INSTANCE_PREFIX "%ld", (long)getpid());
	cap->inst = tracefs_instance_create(cap->name);
	if (cap->inst && !tracefs_instance_is_new(cap->inst)) {
		/* left by an earlier process with our pid: it is stale, start afresh */
		tracefs_event_disable(cap->inst, NULL, NULL);
		if (destroy_instance(cap->inst) < 0) {
			msg(err, errlen, "tracing instance %s exists and cannot be removed: %s",
			    cap->name, strerror(errno));
			tracefs_instance_free(cap->inst);
			cap->inst = NULL;
			return -CT_E_IO;
		}
		tracefs_instance_free(cap->inst);
		cap->inst = tracefs_instance_create(cap->name);
	}
	if (!cap->inst) {
		msg(err, errlen, "cannot create tracing instance %s/instances/%s: %s",
		    cap->tracing_dir, cap->name, strerror(errno));
		return -CT_E_IO;
	}
	if (tracefs_trace_off(cap->inst) < 0) {
		msg(err, errlen, "%s: cannot turn tracing off: %s", cap->name, strerror(errno));
		return -CT_E_IO;
	}
	if (buffer_kb && tracefs_instance_set_buffer_size(cap->inst, buffer_kb, -1) < 0) {
		msg(err, errlen, "%s: cannot set a %zu KiB buffer per CPU: %s", cap->name,
		    buffer_kb, strerror(errno));
		return -CT_E_IO;
	}
	if (buffer_percent >= 0 && tracefs_file_exists(cap->inst, "buffer_percent")) {
		snprintf(num, sizeof(num), "%d", buffer_percent);
		if (tracefs_instance_file_write(cap->inst, "buffer_percent", num) < 0) {
			msg(err, errlen, "%s: cannot set buffer_percent: %s", cap->name, strerror(errno));
			return -CT_E_IO;
		}
	}
	return 0;
}

const char *ct_capture_instance_name(const struct ct_capture *cap)
{
	return cap->inst ? cap->name : NULL;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

char **ct_capture_system_events(struct ct_capture *cap, const char *system)
{
	char **list = tracefs_system_events(cap->tracing_dir, system);
	int n;

	if (!list)
		return NULL;
	n = tracefs_list_size(list);
	if (n > 1)
		qsort(list, (size_t)n, sizeof(*list), cmp_str);
	return list;
}

void ct_capture_list_free(char **list)
{
	tracefs_list_free(list);
}

int ct_capture_enable_event(struct ct_capture *cap, const char *system, const char *event)
{
	if (!cap->inst)
		return -CT_E_INVAL;
	if (!tracefs_event_file_exists(NULL, system, event, "format"))
		return -CT_E_NOEVENT;
	if (tracefs_event_enable(cap->inst, system, event) < 0)
		return -CT_E_IO;
	return 0;
}

int ct_capture_enable_live_events(struct ct_capture *cap, char *note, size_t notelen,
				  char *err, size_t errlen)
{
	char **list = ct_capture_system_events(cap, "compaction");
	char missing[400];
	int ret = 0, n;

	note[0] = '\0';
	if (!list) {
		snprintf(err, errlen, "this kernel has no compaction events (CONFIG_COMPACTION is off?): "
			 "nothing to show");
		return -CT_E_NOEVENT;
	}
	for (int i = 0; ret == 0 && list[i]; i++) {
		ret = ct_capture_enable_event(cap, "compaction", list[i]);
		if (ret < 0)
			snprintf(err, errlen, "cannot enable compaction:%s: %s", list[i], ct_strerror(ret));
	}
	n = ct_compaction_events_missing((const char *const *)list, missing, sizeof(missing));
	ct_capture_list_free(list);
	if (ret < 0)
		return ret;
	/* before 6.5 there is no fast_isolate_freepages: normal, and folded into free scanning */
	if (n == 1 && strcmp(missing, "mm_compaction_fast_isolate_freepages") == 0)
		n = 0;
	if (n)
		snprintf(note, notelen, "this kernel has no %s: what they count stays 0", missing);
	ret = ct_capture_enable_event(cap, "kmem", "mm_page_alloc_extfrag");
	if (ret == -CT_E_NOEVENT) {
		size_t used = strlen(note);

		snprintf(note + used, notelen - used, "%s%s", used ? "; " : "",
			 "no kmem:mm_page_alloc_extfrag: no fallback counts");
		return 0;
	}
	if (ret < 0)
		snprintf(err, errlen, "cannot enable kmem:mm_page_alloc_extfrag: %s", ct_strerror(ret));
	return ret;
}

int ct_capture_open_pipe(struct ct_capture *cap, int *fd, char *err, size_t errlen)
{
	char *path;

	*fd = -1;
	if (!cap->inst)
		return -CT_E_INVAL;
	path = tracefs_instance_get_file(cap->inst, "trace_pipe");
	if (!path) {
		snprintf(err, errlen, "cannot name the instance's trace_pipe: %s", strerror(errno));
		return errno == ENOMEM ? -CT_E_NOMEM : -CT_E_IO;
	}
	/* non-blocking: a reader sleeps in poll() where something else can wake it */
	*fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (*fd < 0)
		snprintf(err, errlen, "cannot open %s: %s", path, strerror(errno));
	tracefs_put_tracing_file(path);
	return *fd < 0 ? -CT_E_IO : 0;
}

int ct_capture_read_file(struct ct_capture *cap, int instance, const char *file,
			 char **text, size_t *len)
{
	int n = 0;

	*text = tracefs_instance_file_read(instance ? cap->inst : NULL, file, &n);
	*len = 0;
	if (!*text)
		return errno == ENOMEM ? -CT_E_NOMEM : -CT_E_OPEN;
	*len = n > 0 ? (size_t)n : 0;
	return 0;
}

/* the ring buffer's page (sub-buffer) size */
static int find_page_size(struct ct_capture *cap)
{
	struct tep_handle *tep;
	long long kb = 0;
	char *buf;
	int len = 0, size = 0;

	if (tracefs_file_exists(cap->inst, "buffer_subbuf_size_kb") &&
	    tracefs_instance_file_read_number(cap->inst, "buffer_subbuf_size_kb", &kb) == 0 &&
	    kb > 0 && kb <= 16384)
		return (int)kb * 1024;
	tep = tep_alloc();
	buf = tracefs_instance_file_read(NULL, "events/header_page", &len);
	if (tep && buf && tep_parse_header_page(tep, buf, len, sizeof(long)) == 0)
		size = tep_get_sub_buffer_size(tep);
	free(buf);
	tep_free(tep);
	return size > 0 ? size : (int)sysconf(_SC_PAGESIZE);
}

int ct_capture_open_cpus(struct ct_capture *cap, char *err, size_t errlen)
{
	long conf = sysconf(_SC_NPROCESSORS_CONF);
	int n = conf > 0 ? (int)conf : 1, opened = 0;

	if (!cap->inst || cap->cpus)
		return -CT_E_INVAL;
	cap->page_size = find_page_size(cap);
	cap->cpus = calloc((size_t)n, sizeof(*cap->cpus));
	cap->pfds = calloc((size_t)n, sizeof(*cap->pfds));
	cap->page = malloc((size_t)cap->page_size);
	if (!cap->cpus || !cap->pfds || !cap->page) {
		close_cpus(cap);
		return -CT_E_NOMEM;
	}
	cap->ncpus = n;
	for (int i = 0; i < n; i++) {
		char file[64];

		cap->cpus[i].fd = -1;
		snprintf(file, sizeof(file), "per_cpu/cpu%d/trace_pipe_raw", i);
		cap->cpus[i].fd = tracefs_instance_file_open(cap->inst, file,
							     O_RDONLY | O_NONBLOCK | O_CLOEXEC);
		if (cap->cpus[i].fd < 0)
			continue;	/* no buffer on this CPU (offline) */
		cap->cpus[i].tcpu = tracefs_cpu_alloc_fd(cap->cpus[i].fd, cap->page_size, true);
		if (!cap->cpus[i].tcpu) {
			close_cpus(cap);
			return -CT_E_NOMEM;
		}
		opened++;
	}
	if (!opened) {
		msg(err, errlen, "%s: cannot open any per_cpu/cpuN/trace_pipe_raw: %s",
		    cap->name, strerror(errno));
		close_cpus(cap);
		return -CT_E_IO;
	}
	return n;
}

int ct_capture_ncpus(const struct ct_capture *cap)
{
	return cap->ncpus;
}

int ct_capture_has_cpu(const struct ct_capture *cap, int cpu)
{
	return cpu >= 0 && cpu < cap->ncpus && cap->cpus[cpu].tcpu;
}

int ct_capture_page_size(const struct ct_capture *cap)
{
	return cap->page_size;
}

int ct_capture_use_mono_clock(struct ct_capture *cap)
{
	char *clocks;
	int has;

	if (!cap->inst)
		return -CT_E_INVAL;
	clocks = tracefs_instance_file_read(cap->inst, "trace_clock", NULL);
	/* "[local] global counter uptime perf mono mono_raw ..." */
	has = clocks && (strstr(clocks, " mono ") || strstr(clocks, "[mono]") || strstr(clocks, " mono\n"));
	free(clocks);
	if (!has)
		return -CT_E_UNSUPPORTED;
	return tracefs_instance_file_write(cap->inst, "trace_clock", "mono") < 0 ? -CT_E_IO : 0;
}

uint64_t ct_capture_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

int ct_capture_set_tracing(struct ct_capture *cap, int on)
{
	if (!cap->inst)
		return -CT_E_INVAL;
	return (on ? tracefs_trace_on(cap->inst) : tracefs_trace_off(cap->inst)) < 0 ? -CT_E_IO : 0;
}

int ct_capture_wait(struct ct_capture *cap, int timeout_ms, const sigset_t *sigmask)
{
	struct timespec ts = { timeout_ms / 1000, (long)(timeout_ms % 1000) * 1000000L };
	nfds_t n = 0;
	int ret;

	for (int i = 0; i < cap->ncpus; i++) {
		if (!cap->cpus[i].tcpu)
			continue;
		cap->pfds[n].fd = cap->cpus[i].fd;
		cap->pfds[n].events = POLLIN;
		cap->pfds[n].revents = 0;
		n++;
	}
	ret = ppoll(n ? cap->pfds : NULL, n, &ts, sigmask);
	return ret > 0 ? 1 : 0;
}

static long write_error(void)
{
	return errno == ENOSPC || errno == EDQUOT ? -CT_E_NOSPACE : -CT_E_WRITE;
}

/* one page by read(2) into @fd; bytes, 0 when empty, <0 error */
static long read_one(struct ct_capture *cap, struct cpu_reader *r, int fd)
{
	int n = tracefs_cpu_flush(r->tcpu, cap->page);
	size_t done = 0;

	if (n < 0)
		return errno == EAGAIN ? 0 : -CT_E_IO;
	while (done < (size_t)n) {
		ssize_t w = write(fd, cap->page + done, (size_t)n - done);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return write_error();
		done += (size_t)w;
	}
	return n;
}

long ct_capture_drain(struct ct_capture *cap, int cpu, int fd, long max_bytes)
{
	struct cpu_reader *r;
	long total = 0;

	if (!ct_capture_has_cpu(cap, cpu))
		return 0;
	r = &cap->cpus[cpu];
	while (total < max_bytes) {
		int n;

		if (cap->use_read) {
			long got = read_one(cap, r, fd);

			if (got <= 0)
				return got < 0 ? got : total;
			total += got;
			continue;
		}
		/* splice: raw pages -> pipe -> file, whole pages only */
		n = tracefs_cpu_write(r->tcpu, fd, true);
		if (n > 0) {
			total += n;
			continue;
		}
		if (n == 0 || errno == EAGAIN)
			break;
		if (errno == EINVAL || errno == ENOSYS) {
			cap->use_read = 1;	/* this kernel or file system cannot splice here */
			continue;
		}
		if (errno == ENOSPC || errno == EDQUOT)
			return -CT_E_NOSPACE;
		return errno == EIO ? -CT_E_IO : -CT_E_WRITE;
	}
	return total;
}

long ct_capture_flush(struct ct_capture *cap, int cpu, int fd)
{
	long total, got;

	total = ct_capture_drain(cap, cpu, fd, 1L << 40);
	if (total < 0)
		return total;
	for (unsigned i = 0; ct_capture_has_cpu(cap, cpu) && i < FLUSH_MAX_PAGES; i++) {
		got = read_one(cap, &cap->cpus[cpu], fd);
		if (got < 0)
			return got;
		if (got == 0)
			break;
		total += got;
	}
	return total;
}

long ct_capture_read_page(struct ct_capture *cap, int cpu, void *buf)
{
	ssize_t n;

	if (!ct_capture_has_cpu(cap, cpu))
		return 0;
	do
		n = read(cap->cpus[cpu].fd, buf, (size_t)cap->page_size);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return errno == EAGAIN ? 0 : -CT_E_IO;
	return (long)n;
}

int ct_capture_disable_events(struct ct_capture *cap)
{
	if (!cap->inst)
		return 0;
	return tracefs_event_disable(cap->inst, NULL, NULL) < 0 ? -CT_E_IO : 0;
}
