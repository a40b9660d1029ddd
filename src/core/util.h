/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef COMPACTRACE_UTIL_H
#define COMPACTRACE_UTIL_H

#include <stddef.h>
#include <stdint.h>

/**
 * ct_grow_array() - make room for @need elements of @elem bytes in *@arr
 * @cap: the current capacity in elements; updated
 *
 * Doubles the capacity as needed and zeroes the new elements. Returns 0 or
 * -CT_E_NOMEM (then *@arr and *@cap are unchanged). The caller frees *@arr.
 */
int ct_grow_array(void **arr, uint32_t *cap, uint32_t need, size_t elem);

/**
 * ct_populate() - map the pages of a fresh buffer in now, in one call
 * @p: the buffer (from malloc()); @len: its size in bytes
 *
 * A large buffer's pages are otherwise mapped one page fault at a time on
 * first write, which costs several microseconds each in a VM. Only for
 * buffers the caller is about to fill; below a few pages, or on a kernel
 * without MADV_POPULATE_WRITE (5.14), it does nothing: the faults happen
 * as before.
 */
void ct_populate(void *p, size_t len);

/**
 * ct_read_file() - the whole of a small file (a /proc file, a snapshot copy)
 * @max: the largest size accepted, in bytes
 * @out: receives a NUL-terminated buffer the caller frees
 * @len: receives the length without the NUL
 *
 * Returns 0; -CT_E_OPEN with errno kept when the file cannot be opened;
 * -CT_E_IO on a read error; -CT_E_PARSE when it is larger than @max;
 * -CT_E_NOMEM.
 */
int ct_read_file(const char *path, size_t max, char **out, size_t *len);

/* A growing text buffer for item texts: ct_tb_printf() appends; failed is set once memory runs out. */
struct ct_text_buf {
	char *p;		/* NUL-terminated, malloc()ed: the caller frees it */
	size_t len, cap;
	int failed;
};

/** ct_tb_printf() - append to @b; on allocation failure sets @b->failed and appends nothing more */
void ct_tb_printf(struct ct_text_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* one 8-byte store past the cache (ct_stream_copy()) */
static inline void ct_stream_store8(long long *d, long long v)
{
#if defined(__x86_64__)
	__builtin_ia32_movnti64(d, v);
#else
	*d = v;
#endif
}

/**
 * ct_stream_copy() - copy @n bytes into a buffer another thread reads next, past this CPU's cache
 * @dst: 8-byte aligned; receives @n bytes rounded up to 8, the rest zero
 * @src: any alignment; exactly @n bytes are read
 *
 * An ordinary store must first fetch its cache line, and a buffer handed
 * back and forth between two threads has its lines in the other CPU's
 * cache, where they were last read: a transfer per line for every record
 * copied (measured, README "Speed"). These stores go to memory instead.
 * The writer calls ct_stream_fence() before it hands the buffer over.
 */
static inline void ct_stream_copy(void *dst, const void *src, size_t n)
{
	const unsigned char *s = (const unsigned char *)src;
	long long *d = (long long *)dst, v;
	size_t w;

	for (w = 0; w + 8 <= n; w += 8) {
		__builtin_memcpy(&v, s + w, 8);
		ct_stream_store8(d++, v);
	}
	if (w < n) {
		v = 0;
		__builtin_memcpy(&v, s + w, n - w);
		ct_stream_store8(d, v);
	}
}

/* ct_stream_copy()'s stores, ordered before what follows (the hand-over) */
static inline void ct_stream_fence(void)
{
#if defined(__x86_64__)
	__builtin_ia32_sfence();
#else
	__atomic_thread_fence(__ATOMIC_RELEASE);
#endif
}

#endif
