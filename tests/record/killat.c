// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * killat: an LD_PRELOAD shim that kills its process with SIGKILL at one
 * point of its progress, the same point on every run (no clock involved).
 *
 *   CT_KILL_AT=CALL:TEXT:N  the N-th call of CALL (1-based) on a file whose
 *                           path contains TEXT (ends with it, when TEXT ends
 *                           in '$') is never made: SIGKILL first
 *
 * CALL and the path it is matched by:
 *   open      open/openat/open64/openat64 with O_CREAT or O_TMPFILE: the path given
 *   write     write, pwrite, pwrite64, writev, copy_file_range, splice: the
 *             file written, as /proc/self/fd/FD names it (an O_TMPFILE not yet
 *             linked is "DIR/#INODE (deleted)")
 *   ftruncate ftruncate, ftruncate64: the file
 *   rename    rename, renameat, renameat2: the old path
 *   link      link, linkat: the new path
 *
 * Calls made before main() count too, but the tool makes none of these.
 * Under AddressSanitizer preload it with ASAN_OPTIONS=verify_asan_link_order=0.
 * Built without sanitizers (tests/record/meson.build): it may run before
 * them.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
/* both open and open64 (and pwrite, pwrite64) are defined here, so no redirection */
#undef _FILE_OFFSET_BITS
#include <dlfcn.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/uio.h>
#include <unistd.h>

static char want_call[16], want_text[512];
static long want_n = -1, seen;

static void setup(void)
{
	const char *spec = getenv("CT_KILL_AT");
	const char *a, *b;

	if (want_n >= 0)
		return;
	want_n = 0;
	if (!spec || !(a = strchr(spec, ':')) || !(b = strrchr(spec, ':')) || b == a ||
	    (size_t)(a - spec) >= sizeof(want_call) || (size_t)(b - a - 1) >= sizeof(want_text))
		return;
	memcpy(want_call, spec, (size_t)(a - spec));
	memcpy(want_text, a + 1, (size_t)(b - a - 1));
	want_n = strtol(b + 1, NULL, 10);
}

static int matches(const char *path)
{
	size_t t = strlen(want_text), n = strlen(path);

	if (t && want_text[t - 1] == '$')
		return n >= t - 1 && memcmp(path + n - (t - 1), want_text, t - 1) == 0;
	return strstr(path, want_text) != NULL;
}

static void at(const char *call, const char *path)
{
	setup();
	if (want_n <= 0 || strcmp(call, want_call) != 0 || !path || !matches(path))
		return;
	if (++seen == want_n) {
		/* say where, for the test's log, then die as SIGKILL makes a process die */
		char msg[700];
		int n = snprintf(msg, sizeof(msg), "killat: SIGKILL at %s #%ld on %s\n", call, seen, path);

		if (n > 0 && write(2, msg, (size_t)n) < 0)
			msg[0] = 0;
		raise(SIGKILL);
	}
}

static void at_fd(const char *call, int fd)
{
	char link[64], path[512];
	ssize_t n;

	setup();
	if (want_n <= 0 || strcmp(call, want_call) != 0)
		return;
	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	n = readlink(link, path, sizeof(path) - 1);
	if (n <= 0)
		return;
	path[n] = 0;
	at(call, path);
}

#define REAL(name) static __typeof__(name) *real_##name; \
	if (!real_##name) real_##name = (__typeof__(name) *)dlsym(RTLD_NEXT, #name)

static int creates(int flags)
{
	return (flags & O_CREAT) || (flags & O_TMPFILE) == O_TMPFILE;
}

/* open, open64: (path, flags[, mode]); openat, openat64: (dirfd, path, flags[, mode]) */
#define OPEN_WRAPPER(name, params, args)						\
	int name params									\
	{										\
		va_list ap;								\
		mode_t mode;								\
											\
		REAL(name);								\
		va_start(ap, flags);							\
		mode = creates(flags) ? va_arg(ap, mode_t) : 0;				\
		va_end(ap);								\
		if (creates(flags))							\
			at("open", path);						\
		return real_##name args;						\
	}

OPEN_WRAPPER(open, (const char *path, int flags, ...), (path, flags, mode))
OPEN_WRAPPER(open64, (const char *path, int flags, ...), (path, flags, mode))
OPEN_WRAPPER(openat, (int dirfd, const char *path, int flags, ...), (dirfd, path, flags, mode))
OPEN_WRAPPER(openat64, (int dirfd, const char *path, int flags, ...), (dirfd, path, flags, mode))

ssize_t write(int fd, const void *buf, size_t len)
{
	REAL(write);
	if (fd > 2)
		at_fd("write", fd);
	return real_write(fd, buf, len);
}

ssize_t pwrite(int fd, const void *buf, size_t len, off_t off)
{
	REAL(pwrite);
	at_fd("write", fd);
	return real_pwrite(fd, buf, len, off);
}

ssize_t pwrite64(int fd, const void *buf, size_t len, off64_t off)
{
	REAL(pwrite64);
	at_fd("write", fd);
	return real_pwrite64(fd, buf, len, off);
}

ssize_t writev(int fd, const struct iovec *iov, int n)
{
	REAL(writev);
	if (fd > 2)
		at_fd("write", fd);
	return real_writev(fd, iov, n);
}

ssize_t copy_file_range(int in, off64_t *in_off, int out, off64_t *out_off, size_t len,
			unsigned int flags)
{
	REAL(copy_file_range);
	at_fd("write", out);
	return real_copy_file_range(in, in_off, out, out_off, len, flags);
}

ssize_t splice(int in, off64_t *in_off, int out, off64_t *out_off, size_t len, unsigned int flags)
{
	REAL(splice);
	at_fd("write", out);
	return real_splice(in, in_off, out, out_off, len, flags);
}

int ftruncate(int fd, off_t len)
{
	REAL(ftruncate);
	at_fd("ftruncate", fd);
	return real_ftruncate(fd, len);
}

int ftruncate64(int fd, off64_t len)
{
	REAL(ftruncate64);
	at_fd("ftruncate", fd);
	return real_ftruncate64(fd, len);
}

int rename(const char *old, const char *new)
{
	REAL(rename);
	at("rename", old);
	return real_rename(old, new);
}

int renameat(int olddir, const char *old, int newdir, const char *new)
{
	REAL(renameat);
	at("rename", old);
	return real_renameat(olddir, old, newdir, new);
}

int renameat2(int olddir, const char *old, int newdir, const char *new, unsigned int flags)
{
	REAL(renameat2);
	at("rename", old);
	return real_renameat2(olddir, old, newdir, new, flags);
}

int link(const char *old, const char *new)
{
	REAL(link);
	at("link", new);
	return real_link(old, new);
}

int linkat(int olddir, const char *old, int newdir, const char *new, int flags)
{
	REAL(linkat);
	at("link", new);
	return real_linkat(olddir, old, newdir, new, flags);
}
