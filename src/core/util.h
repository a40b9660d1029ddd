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

#endif
