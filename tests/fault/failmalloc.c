// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * failmalloc: an LD_PRELOAD shim that makes the N-th allocation fail.
 *
 *   CT_FAIL_MALLOC_AT=N     the N-th allocation (1-based) returns NULL with
 *                           errno ENOMEM; 0 or unset: none fails
 *   CT_FAIL_MALLOC_PERSIST=1  every allocation from the N-th on fails
 *   CT_FAIL_MALLOC_TRAP=1   raise SIGTRAP at the N-th allocation (run under
 *                           gdb: `bt` shows who allocated)
 *   CT_FAIL_MALLOC_LOG=FILE at exit, append one line to FILE:
 *                             "total T failed F site MODULE+0xOFF"
 *                           (T allocations counted, F failed on purpose, the
 *                           caller of the N-th); with CT_FAIL_MALLOC_SITES=1
 *                           also one "call N MODULE+0xOFF" line per call.
 *                           On SIGSEGV/SIGBUS/SIGABRT: "crash SIG site MODULE+0xOFF
 *                           in MOD MOD ..." (the modules of the faulting
 *                           stack, innermost first), then the signal kills
 *                           the process as usual
 *
 * What counts: every malloc, calloc, realloc, reallocarray, strdup,
 * strndup, posix_memalign, aligned_alloc, memalign and valloc made after
 * main() starts (the shim wraps __libc_start_main), from any module: the
 * tool, libtraceevent, cJSON, zlib/zstd and libc itself (fopen, getline,
 * asprintf ... reach malloc through the PLT). The dynamic loader's and the
 * libraries' constructors run before main and never count, so the count is
 * the same on every run of the same command (the tool is single-threaded
 * in `report`; threads would count too, in their order).
 *
 * Under AddressSanitizer: preload this shim with
 * ASAN_OPTIONS=verify_asan_link_order=0; it then sits in front of ASan's
 * allocator (reached with dlsym(RTLD_NEXT)), and strdup/strndup are defined
 * here so that ASan's own interceptors for them do not bypass the count.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <dlfcn.h>
#include <errno.h>
#include <execinfo.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void *(*real_malloc)(size_t);
static void *(*real_calloc)(size_t, size_t);
static void *(*real_realloc)(void *, size_t);
static void (*real_free)(void *);
static int (*real_posix_memalign)(void **, size_t, size_t);
static void *(*real_aligned_alloc)(size_t, size_t);
static void *(*real_memalign)(size_t, size_t);

/* dlsym() may allocate while we look the real functions up */
static char boot_arena[16384] __attribute__((aligned(16)));
static size_t boot_used;
static int resolving;

static unsigned long long fail_at;	/* 0: never */
static int persist, armed, want_sites, trap;
static unsigned long long calls, failed;
static const void *fail_site;
static int sites_fd = -1;

static int in_boot(const void *p)
{
	return (const char *)p >= boot_arena && (const char *)p < boot_arena + sizeof(boot_arena);
}

static void *boot_alloc(size_t n)
{
	size_t off = (boot_used + 15) & ~(size_t)15;

	if (off + n > sizeof(boot_arena))
		return NULL;
	boot_used = off + n;
	memset(boot_arena + off, 0, n);
	return boot_arena + off;
}

static void resolve(void)
{
	if (real_malloc || resolving)
		return;
	resolving = 1;
	real_calloc = dlsym(RTLD_NEXT, "calloc");
	real_malloc = dlsym(RTLD_NEXT, "malloc");
	real_realloc = dlsym(RTLD_NEXT, "realloc");
	real_free = dlsym(RTLD_NEXT, "free");
	real_posix_memalign = dlsym(RTLD_NEXT, "posix_memalign");
	real_aligned_alloc = dlsym(RTLD_NEXT, "aligned_alloc");
	real_memalign = dlsym(RTLD_NEXT, "memalign");
	resolving = 0;
}

/* "module+0xoffset" of @addr, into @buf */
static void site_name(const void *addr, char *buf, size_t size)
{
	Dl_info info;

	if (addr && dladdr(addr, &info) && info.dli_fname) {
		const char *base = strrchr(info.dli_fname, '/');

		snprintf(buf, size, "%s+0x%lx", base ? base + 1 : info.dli_fname,
			 (unsigned long)((uintptr_t)addr - (uintptr_t)info.dli_fbase));
	} else {
		snprintf(buf, size, "?+%p", addr);
	}
}

/* one more allocation by @caller: 1 when it must fail */
static int should_fail(const void *caller)
{
	unsigned long long n;

	if (!armed)
		return 0;
	n = __atomic_add_fetch(&calls, 1, __ATOMIC_RELAXED);
	if (want_sites && sites_fd >= 0) {
		char line[160], site[128];
		int len;

		armed = 0;	/* dladdr and snprintf must not count */
		site_name(caller, site, sizeof(site));
		len = snprintf(line, sizeof(line), "call %llu %s\n", n, site);
		if (write(sites_fd, line, (size_t)len) < 0)
			want_sites = 0;
		armed = 1;
	}
	if (fail_at && (n == fail_at || (persist && n > fail_at))) {
		if (n == fail_at) {
			fail_site = caller;
			if (trap)
				raise(SIGTRAP);
		}
		failed++;
		errno = ENOMEM;
		return 1;
	}
	return 0;
}

static void *do_malloc(size_t n, const void *caller)
{
	resolve();
	if (!real_malloc)
		return boot_alloc(n);
	if (should_fail(caller))
		return NULL;
	return real_malloc(n);
}

void *malloc(size_t n)
{
	return do_malloc(n, __builtin_return_address(0));
}

void *calloc(size_t a, size_t b)
{
	resolve();
	if (!real_calloc) {
		if (b && a > SIZE_MAX / b)
			return NULL;
		return boot_alloc(a * b);
	}
	if (should_fail(__builtin_return_address(0)))
		return NULL;
	return real_calloc(a, b);
}

void *realloc(void *p, size_t n)
{
	resolve();
	if (in_boot(p)) {
		void *q = do_malloc(n, __builtin_return_address(0));

		if (q)
			memcpy(q, p, n < sizeof(boot_arena) - (size_t)((char *)p - boot_arena) ?
			       n : sizeof(boot_arena) - (size_t)((char *)p - boot_arena));
		return q;
	}
	if (!real_realloc)
		return NULL;
	if (should_fail(__builtin_return_address(0)))
		return NULL;
	return real_realloc(p, n);
}

void *reallocarray(void *p, size_t a, size_t b)
{
	if (b && a > SIZE_MAX / b) {
		errno = ENOMEM;
		return NULL;
	}
	resolve();
	if (in_boot(p) || !real_realloc)
		return NULL;
	if (should_fail(__builtin_return_address(0)))
		return NULL;
	return real_realloc(p, a * b);
}

void free(void *p)
{
	if (!p || in_boot(p))
		return;
	resolve();
	if (real_free)
		real_free(p);
}

char *strdup(const char *s)
{
	size_t n = strlen(s) + 1;
	char *d = do_malloc(n, __builtin_return_address(0));

	if (d)
		memcpy(d, s, n);
	return d;
}

char *strndup(const char *s, size_t max)
{
	size_t n = strnlen(s, max);
	char *d = do_malloc(n + 1, __builtin_return_address(0));

	if (d) {
		memcpy(d, s, n);
		d[n] = '\0';
	}
	return d;
}

int posix_memalign(void **out, size_t align, size_t n)
{
	resolve();
	if (!real_posix_memalign)
		return ENOMEM;
	if (should_fail(__builtin_return_address(0)))
		return ENOMEM;
	return real_posix_memalign(out, align, n);
}

void *aligned_alloc(size_t align, size_t n)
{
	resolve();
	if (!real_aligned_alloc || should_fail(__builtin_return_address(0)))
		return NULL;
	return real_aligned_alloc(align, n);
}

void *memalign(size_t align, size_t n)
{
	resolve();
	if (!real_memalign || should_fail(__builtin_return_address(0)))
		return NULL;
	return real_memalign(align, n);
}

void *valloc(size_t n)
{
	return memalign((size_t)sysconf(_SC_PAGESIZE), n);
}

static void report(void)
{
	const char *log = getenv("CT_FAIL_MALLOC_LOG");
	char line[256], site[128];
	int fd, len;

	armed = 0;
	if (!log)
		return;
	fd = open(log, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
	if (fd < 0)
		return;
	site_name(fail_site, site, sizeof(site));
	len = snprintf(line, sizeof(line), "total %llu failed %llu site %s\n", calls, failed,
		       fail_site ? site : "-");
	if (write(fd, line, (size_t)len) < 0)
		len = 0;
	close(fd);
}

/* the modules of the crashing stack, for telling a library's crash from ours */
static void on_crash(int sig)
{
	const char *log = getenv("CT_FAIL_MALLOC_LOG");
	void *frames[48];
	char line[2048], site[128];
	const char *last = NULL;
	int n, len, fd;

	armed = 0;
	if (log && (fd = open(log, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644)) >= 0) {
		site_name(fail_site, site, sizeof(site));
		len = snprintf(line, sizeof(line), "crash %d site %s in", sig, fail_site ? site : "-");
		n = backtrace(frames, 48);
		for (int i = 0; i < n && len < (int)sizeof(line) - 80; i++) {
			Dl_info info;
			const char *mod = "?", *base;

			if (dladdr(frames[i], &info) && info.dli_fname) {
				base = strrchr(info.dli_fname, '/');
				mod = base ? base + 1 : info.dli_fname;
			}
			if (last && strcmp(last, mod) == 0)
				continue;
			last = mod;
			len += snprintf(line + len, sizeof(line) - (size_t)len, " %s", mod);
		}
		line[len++] = '\n';
		if (write(fd, line, (size_t)len) < 0)
			len = 0;
		close(fd);
	}
	signal(sig, SIG_DFL);
	raise(sig);
}

/* ---- start counting when main() starts ---------------------------------- */

typedef int (*main_fn)(int, char **, char **);
static main_fn real_main;

static int counted_main(int argc, char **argv, char **envp)
{
	const char *at = getenv("CT_FAIL_MALLOC_AT");
	const char *p = getenv("CT_FAIL_MALLOC_PERSIST");
	const char *s = getenv("CT_FAIL_MALLOC_SITES");
	const char *log = getenv("CT_FAIL_MALLOC_LOG");
	const char *t = getenv("CT_FAIL_MALLOC_TRAP");

	trap = t && *t == '1';
	fail_at = at ? strtoull(at, NULL, 10) : 0;
	persist = p && *p == '1';
	want_sites = s && *s == '1' && log;
	if (want_sites)
		sites_fd = open(log, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
	atexit(report);	/* registered before main: runs after the tool's own handlers */
	if (log) {
		void *warm[2];
		struct sigaction sa;

		backtrace(warm, 2);	/* loads libgcc_s now, not in the handler */
		memset(&sa, 0, sizeof(sa));
		sa.sa_handler = on_crash;
		sa.sa_flags = SA_RESETHAND | SA_NODEFER;
		sigaction(SIGSEGV, &sa, NULL);
		sigaction(SIGBUS, &sa, NULL);
		sigaction(SIGABRT, &sa, NULL);	/* glibc's "double free detected" */
	}
	armed = 1;
	return real_main(argc, argv, envp);
}

int __libc_start_main(main_fn main, int argc, char **argv, void (*init)(void), void (*fini)(void),
		      void (*rtld_fini)(void), void *stack_end)
{
	int (*next)(main_fn, int, char **, void (*)(void), void (*)(void), void (*)(void), void *);

	next = dlsym(RTLD_NEXT, "__libc_start_main");
	real_main = main;
	return next(counted_main, argc, argv, init, fini, rtld_fini, stack_end);
}
