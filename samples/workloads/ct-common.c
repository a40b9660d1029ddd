// SPDX-License-Identifier: GPL-2.0-or-later
/* ct-common.c - settings save/restore, signals and /proc readers. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include "ct-common.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#define CT_MAX_SETTINGS 16
#define POPULATE_CHUNK (64UL << 20)

#ifndef MADV_POPULATE_WRITE
#define MADV_POPULATE_WRITE 23
#endif

volatile sig_atomic_t ct_stop;

struct ct_saved {
	char path[256];
	char value[256];
};

static struct ct_saved saved[CT_MAX_SETTINGS];
static int nr_saved;
static int restore_registered;
static char state_file[256];

static void on_signal(int sig)
{
	ct_stop = sig;
}

void ct_install_signals(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = 0;	/* no SA_RESTART: interrupt sleeps and writes */
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
}

void ct_state_path(const char *prog, char *buf, size_t len)
{
	snprintf(buf, len, "/tmp/%s.saved-settings", prog);
}

int ct_read_line(const char *path, char *buf, size_t len)
{
	FILE *f = fopen(path, "re");
	int ret = 0;

	if (!f)
		return -errno;
	if (!fgets(buf, (int)len, f))
		ret = -EIO;
	else
		buf[strcspn(buf, "\n")] = '\0';
	fclose(f);
	return ret;
}

int ct_write_str(const char *path, const char *value)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	size_t n = strlen(value);
	ssize_t w;
	int ret = 0;

	if (fd < 0)
		return -errno;
	w = write(fd, value, n);
	if (w < 0)
		ret = -errno;
	else if ((size_t)w != n)
		ret = -EIO;
	if (close(fd) < 0 && ret == 0)
		ret = -errno;
	return ret;
}

long long ct_parse_ull(const char *s)
{
	char *end;
	unsigned long long v;

	if (!s || !*s || *s == '-')
		return -1;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || *end || v > (unsigned long long)(~0ULL >> 1))
		return -1;
	return (long long)v;
}

long long ct_read_ll(const char *path)
{
	char buf[64];

	if (ct_read_line(path, buf, sizeof(buf)) < 0)
		return -1;
	return ct_parse_ull(buf);
}

int ct_read_choice(const char *path, char *buf, size_t len)
{
	char line[256];
	char *open_b, *close_b;
	int ret = ct_read_line(path, line, sizeof(line));

	if (ret < 0)
		return ret;
	open_b = strchr(line, '[');
	close_b = open_b ? strchr(open_b, ']') : NULL;
	if (!open_b || !close_b || (size_t)(close_b - open_b) > len)
		return -EINVAL;
	*close_b = '\0';
	snprintf(buf, len, "%s", open_b + 1);
	return 0;
}

/* Current value of a setting: the bracketed choice or the first line. */
static int read_setting(const char *path, char *buf, size_t len)
{
	char line[256];
	int ret = ct_read_line(path, line, sizeof(line));

	if (ret < 0)
		return ret;
	if (strchr(line, '['))
		return ct_read_choice(path, buf, len);
	snprintf(buf, len, "%s", line);
	return 0;
}

int ct_setting_set(const char *prog, const char *path, const char *value)
{
	int i, ret;

	for (i = 0; i < nr_saved; i++)
		if (strcmp(saved[i].path, path) == 0)
			break;
	if (i == nr_saved) {
		FILE *f;

		if (nr_saved == CT_MAX_SETTINGS)
			return -ENOSPC;
		snprintf(saved[i].path, sizeof(saved[i].path), "%s", path);
		ret = read_setting(path, saved[i].value, sizeof(saved[i].value));
		if (ret < 0) {
			fprintf(stderr, "%s: cannot read %s: %s\n", prog, path,
				strerror(-ret));
			return ret;
		}
		nr_saved++;
		if (!restore_registered) {
			atexit(ct_settings_restore);
			restore_registered = 1;
		}
		/* Persist first, so --restore works even after SIGKILL. */
		ct_state_path(prog, state_file, sizeof(state_file));
		f = fopen(state_file, "ae");
		if (f) {
			fprintf(f, "%s\t%s\n", saved[i].path, saved[i].value);
			fclose(f);
		} else {
			fprintf(stderr, "%s: warning: cannot write %s: %s\n",
				prog, state_file, strerror(errno));
		}
		fprintf(stderr, "%s: %s was %s, setting %s\n", prog, path,
			saved[i].value, value);
	}
	ret = ct_write_str(path, value);
	if (ret < 0)
		fprintf(stderr, "%s: cannot write %s to %s: %s\n", prog, value,
			path, strerror(-ret));
	return ret;
}

void ct_settings_restore(void)
{
	int failed = 0;

	/* Newest first, so a path saved twice ends at its oldest value. */
	while (nr_saved > 0) {
		struct ct_saved *s = &saved[--nr_saved];
		int ret = ct_write_str(s->path, s->value);

		if (ret < 0) {
			/* nr_hugepages may need a retry when pages are busy */
			usleep(100000);
			ret = ct_write_str(s->path, s->value);
		}
		if (ret < 0) {
			fprintf(stderr, "restore: cannot write %s to %s: %s\n",
				s->value, s->path, strerror(-ret));
			failed = 1;
		} else {
			fprintf(stderr, "restore: %s = %s\n", s->path, s->value);
		}
	}
	if (!failed && state_file[0]) {
		unlink(state_file);
		state_file[0] = '\0';
	}
}

int ct_restore_from_state(const char *prog)
{
	char path[256], line[512];
	FILE *f;
	int failed = 0;

	ct_state_path(prog, path, sizeof(path));
	f = fopen(path, "re");
	if (!f) {
		if (errno == ENOENT) {
			fprintf(stderr, "%s: nothing to restore (%s absent)\n",
				prog, path);
			return 0;
		}
		fprintf(stderr, "%s: %s: %s\n", prog, path, strerror(errno));
		return -errno;
	}
	while (fgets(line, sizeof(line), f)) {
		char *tab = strchr(line, '\t');
		int ret;

		line[strcspn(line, "\n")] = '\0';
		if (!tab)
			continue;
		*tab = '\0';
		ret = ct_write_str(line, tab + 1);
		fprintf(stderr, "restore: %s = %s%s\n", line, tab + 1,
			ret < 0 ? " FAILED" : "");
		if (ret < 0)
			failed = 1;
	}
	fclose(f);
	if (failed)
		return -EIO;
	unlink(path);
	return 0;
}

long long ct_meminfo_kb(const char *field)
{
	char line[256];
	size_t flen = strlen(field);
	long long v = -1;
	FILE *f = fopen("/proc/meminfo", "re");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		if (strncmp(line, field, flen) == 0 && line[flen] == ':') {
			v = strtoll(line + flen + 1, NULL, 10);
			break;
		}
	}
	fclose(f);
	return v;
}

long long ct_vmstat(const char *name)
{
	char line[256];
	size_t nlen = strlen(name);
	long long v = -1;
	FILE *f = fopen("/proc/vmstat", "re");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		if (strncmp(line, name, nlen) == 0 && line[nlen] == ' ') {
			v = strtoll(line + nlen + 1, NULL, 10);
			break;
		}
	}
	fclose(f);
	return v;
}

void ct_print_zones(const char *tag)
{
	char line[256], zone[32] = "";
	long long free_pages = -1, v;
	FILE *f = fopen("/proc/zoneinfo", "re");

	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "Node %*d, zone %31s", zone) == 1)
			free_pages = -1;
		else if (sscanf(line, " pages free %lld", &v) == 1)
			free_pages = v;
		else if (sscanf(line, " managed %lld", &v) == 1 && v > 0)
			fprintf(stderr, "%s: zone %-7s free %9lld managed %9lld pages\n",
				tag, zone, free_pages, v);
	}
	fclose(f);
}

long long ct_free_pages_at_least(int order)
{
	char line[512];
	long long total = 0;
	FILE *f = fopen("/proc/buddyinfo", "re");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		char *p = strstr(line, "zone");
		int o = 0, n;
		long long cnt;

		if (!p)
			continue;
		p += 4;
		while (*p == ' ')
			p++;
		while (*p && *p != ' ')		/* zone name */
			p++;
		while (sscanf(p, "%lld%n", &cnt, &n) == 1) {
			if (o >= order)
				total += cnt << o;
			p += n;
			o++;
		}
	}
	fclose(f);
	return total;
}

void ct_hold(long long seconds)
{
	double end = ct_now() + (double)seconds;

	while (!ct_stop) {
		if (seconds > 0) {
			double left = end - ct_now();

			if (left <= 0)
				break;
			usleep(left > 0.2 ? 200000 : (useconds_t)(left * 1e6));
		} else {
			usleep(200000);
		}
	}
}

double ct_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int ct_populate(char *p, size_t len, size_t page)
{
	size_t off = 0;

	while (off < len && !ct_stop) {
		size_t n = len - off < POPULATE_CHUNK ? len - off : POPULATE_CHUNK;

		if (madvise(p + off, n, MADV_POPULATE_WRITE) < 0) {
			if (errno == EINTR)
				continue;	/* retry the chunk, or stop */
			if (errno != EINVAL)
				return -errno;
			for (size_t i = 0; i < n; i += page)	/* old kernel */
				p[off + i] = 1;
		}
		off += n;
	}
	return 0;
}
