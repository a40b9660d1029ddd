// SPDX-License-Identifier: GPL-2.0-or-later
/* Small helpers every module needs: growing arrays, reading small files, item texts. */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "compactrace/error.h"
#include "core/util.h"

#define POPULATE_MIN (64u << 10)	/* below this the faults cost less than the call */

void ct_populate(void *p, size_t len)
{
#ifdef MADV_POPULATE_WRITE
	uintptr_t pg = (uintptr_t)sysconf(_SC_PAGESIZE), a, b;

	if (!p || len < POPULATE_MIN)
		return;
	/* the whole pages inside the buffer: malloc() owns the edges' neighbours */
	a = ((uintptr_t)p + pg - 1) & ~(pg - 1);
	b = ((uintptr_t)p + len) & ~(pg - 1);
	if (a < b)
		(void)madvise((void *)a, b - a, MADV_POPULATE_WRITE);
#else
	(void)p;
	(void)len;
#endif
}

int ct_grow_array(void **arr, uint32_t *cap, uint32_t need, size_t elem)
{
	uint32_t ncap;
	void *n;

	if (need <= *cap)
		return 0;
	ncap = *cap ? *cap * 2 : 8;
	while (ncap < need)
		ncap *= 2;
	if ((size_t)ncap * elem >= POPULATE_MIN) {
		/* a large array: its new pages mapped in one call, not a fault each in the copy */
		n = malloc((size_t)ncap * elem);
		if (!n)
			return -CT_E_NOMEM;
		ct_populate(n, (size_t)ncap * elem);
		if (*cap)
			memcpy(n, *arr, (size_t)*cap * elem);
		free(*arr);
	} else {
		n = realloc(*arr, (size_t)ncap * elem);
		if (!n)
			return -CT_E_NOMEM;
	}
	memset((char *)n + (size_t)*cap * elem, 0, (size_t)(ncap - *cap) * elem);
	*arr = n;
	*cap = ncap;
	return 0;
}

int ct_read_file(const char *path, size_t max, char **out, size_t *len)
{
	size_t cap = 16384, n = 0;
	char *buf = NULL, *nb;
	int fd, ret = 0;

	*out = NULL;
	*len = 0;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -CT_E_OPEN;	/* errno says why */
	buf = malloc(cap);
	if (!buf) {
		ret = -CT_E_NOMEM;
		goto out;
	}
	for (;;) {
		ssize_t got;

		if (cap - n < 4096) {	/* /proc files must be read in big steps */
			if (cap > max) {
				ret = -CT_E_PARSE;
				goto out;
			}
			nb = realloc(buf, cap * 2);
			if (!nb) {
				ret = -CT_E_NOMEM;
				goto out;
			}
			buf = nb;
			cap *= 2;
		}
		got = read(fd, buf + n, cap - n - 1);
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0) {
			ret = -CT_E_IO;
			goto out;
		}
		if (got == 0)
			break;
		n += (size_t)got;
	}
	if (n > max) {
		ret = -CT_E_PARSE;
		goto out;
	}
	buf[n] = '\0';
	*out = buf;
	*len = n;
	buf = NULL;
out:
	free(buf);
	close(fd);
	return ret;
}

void ct_tb_printf(struct ct_text_buf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (b->failed)
		return;
	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0) {
		b->failed = 1;
		return;
	}
	if (b->cap - b->len <= (size_t)n) {
		size_t ncap = b->cap ? b->cap : 65536;
		char *np;

		while (ncap - b->len <= (size_t)n)
			ncap *= 2;
		np = realloc(b->p, ncap);
		if (!np) {
			b->failed = 1;
			return;
		}
		b->p = np;
		b->cap = ncap;
	}
	va_start(ap, fmt);
	vsnprintf(b->p + b->len, b->cap - b->len, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
}
