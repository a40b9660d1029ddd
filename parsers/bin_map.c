// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The binary readers see their input as one read-only byte range: a regular
 * file is mapped as it is; a pipe is first spooled to an unlinked temporary
 * file (trace.dat needs to seek, and the copy lives on disk, not in memory).
 * Consumed ranges are dropped from the resident set as the reader moves on,
 * so peak RSS does not grow with the trace.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bin.h"
#include "compactrace/error.h"

#define CT_SPOOL_CHUNK (1u << 20)
#ifndef CT_SMALL_FILE	/* the tests build with 0: every file mapped and read in windows */
#define CT_SMALL_FILE (4u << 20)	/* read, not mapped, up to this size */
#endif

static int write_all(int fd, const unsigned char *p, size_t n)
{
	while (n) {
		ssize_t w = write(fd, p, n);

		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

static int spool_fd(void)
{
	const char *dir = getenv("TMPDIR");
	char tmpl[4096];
	int fd;

	if (!dir || !*dir)
		dir = "/tmp";
	fd = open(dir, O_TMPFILE | O_RDWR | O_EXCL | O_CLOEXEC, 0600);
	if (fd >= 0)
		return fd;
	/* filesystems without O_TMPFILE: create and unlink at once */
	if ((size_t)snprintf(tmpl, sizeof(tmpl), "%s/compactrace-XXXXXX", dir) >= sizeof(tmpl))
		return -1;
	fd = mkostemp(tmpl, O_CLOEXEC);
	if (fd >= 0)
		unlink(tmpl);
	return fd;
}

/*
 * Copy what the input already buffered plus the rest of the pipe to a temp
 * file, through ct_input_fill() so a non-blocking live fd waits as the source
 * was told to (ct_source_set_wait()).
 */
static int spool(struct ct_input *in, int *out_fd, uint64_t *size, char *err, size_t errlen)
{
	uint64_t total = 0;
	int fd = spool_fd();
	int ret = -CT_E_IO;

	if (fd < 0) {
		snprintf(err, errlen, "%s: cannot create a temporary file to hold piped input: %s",
			 in->path, strerror(errno));
		return -CT_E_IO;
	}
	for (;;) {
		long got;

		if (write_all(fd, in->buf + in->pos, in->len - in->pos) < 0) {
			snprintf(err, errlen, "%s: cannot spool piped input to a temporary file: %s",
				 in->path, strerror(errno));
			goto out;
		}
		total += in->len - in->pos;
		in->pos = in->len;
		if (in->eof)
			break;
		got = ct_input_fill(in, CT_SPOOL_CHUNK);
		if (got < 0) {
			ret = (int)got;
			snprintf(err, errlen, "%s: read error at byte %llu: %s", in->path,
				 (unsigned long long)total, ret == -CT_E_NOMEM ? ct_strerror(ret) :
				 strerror(errno));
			goto out;
		}
		if (got == 0 && in->len == in->pos)
			break;
	}
	*out_fd = fd;
	*size = total;
	return 0;
out:
	close(fd);
	return ret;
}

int ct_bin_map_open(struct ct_input *in, struct ct_bin_map *m, char *err, size_t errlen)
{
	struct stat st;
	uint64_t start = 0, size = 0;
	int fd = in->fd, own = 0, ret;
	void *p;

	memset(m, 0, sizeof(*m));
	m->fd = -1;
	if (fstat(fd, &st) < 0) {
		snprintf(err, errlen, "%s: cannot stat: %s", in->path, strerror(errno));
		return -CT_E_IO;
	}
	if (S_ISREG(st.st_mode)) {
		off_t pos = lseek(fd, 0, SEEK_CUR);

		/* the input may start mid-file (stdin redirected after a read) */
		if (pos >= 0 && (uint64_t)pos >= in->consumed + in->len)
			start = (uint64_t)pos - in->consumed - in->len + in->pos;
		if ((uint64_t)st.st_size <= start) {
			snprintf(err, errlen, "%s: file is empty", in->path);
			return -CT_E_EMPTY;
		}
		size = (uint64_t)st.st_size - start;
	} else {
		ret = spool(in, &fd, &size, err, errlen);
		if (ret < 0)
			return ret;
		own = 1;
	}
	if (!own && size <= CT_SMALL_FILE) {
		/* small files are read: cheaper than a mapping and its teardown */
		unsigned char *buf = malloc((size_t)size);
		size_t got = 0;

		if (!buf) {
			snprintf(err, errlen, "%s: %s", in->path, ct_strerror(-CT_E_NOMEM));
			return -CT_E_NOMEM;
		}
		while (got < size) {
			ssize_t n = pread(fd, buf + got, (size_t)(size - got), (off_t)(start + got));

			if (n < 0 && errno == EINTR)
				continue;
			if (n <= 0) {
				snprintf(err, errlen, "%s: read error at byte %llu: %s", in->path,
					 (unsigned long long)(start + got), n < 0 ? strerror(errno) :
					 "file shrank while being read");
				free(buf);
				return -CT_E_IO;
			}
			got += (size_t)n;
		}
		m->base = buf;
		m->size = size;
		m->owned = buf;
		return 0;
	}
	if (size == 0 || size + start > (uint64_t)SIZE_MAX) {
		if (own)
			close(fd);
		snprintf(err, errlen, "%s: %s", in->path, size ? "file too large to map" : "file is empty");
		return size ? -CT_E_UNSUPPORTED : -CT_E_EMPTY;
	}
	p = mmap(NULL, (size_t)(size + start), PROT_READ, MAP_PRIVATE, fd, 0);
	if (p == MAP_FAILED) {
		if (own)
			close(fd);
		snprintf(err, errlen, "%s: cannot map: %s", in->path, strerror(errno));
		return -CT_E_IO;
	}
	/* kept for ct_bin_map_read(): the spool file's own, or a copy of the input's */
	m->fd = own ? fd : fcntl(fd, F_DUPFD_CLOEXEC, 0);
	m->base = (const unsigned char *)p + start;
	m->start = start;
	m->size = size;
	m->map_len = (size_t)(size + start);
	return 0;
}

void ct_bin_map_release(struct ct_bin_map *m, uint64_t from, uint64_t to)
{
	uintptr_t pg = (uintptr_t)sysconf(_SC_PAGESIZE);
	uintptr_t a, b;

	if (!m->base || m->owned || from >= to || to > m->size)
		return;
	a = ((uintptr_t)(m->base + from) + pg - 1) & ~(pg - 1);
	b = (uintptr_t)(m->base + to) & ~(pg - 1);
	if (a < b)
		madvise((void *)a, b - a, MADV_DONTNEED);
}

void ct_bin_map_prefetch(struct ct_bin_map *m, uint64_t from, uint64_t len)
{
	uintptr_t pg = (uintptr_t)sysconf(_SC_PAGESIZE);
	uintptr_t a;

	if (!m->base || m->owned || from >= m->size)
		return;
	if (len > m->size - from)
		len = m->size - from;
	a = (uintptr_t)(m->base + from) & ~(pg - 1);
	/*
	 * One call maps a whole window: page faults one by one cost several
	 * microseconds each in a VM. Older kernels lack the advice; then the
	 * faults just happen as before.
	 */
#ifdef MADV_POPULATE_READ
	if (madvise((void *)a, (uintptr_t)(m->base + from + len) - a, MADV_POPULATE_READ) == 0)
		return;
#endif
	madvise((void *)a, (uintptr_t)(m->base + from + len) - a, MADV_WILLNEED);
}

long ct_bin_map_read(struct ct_bin_map *m, uint64_t from, void *buf, size_t len)
{
	size_t got = 0;

	if (from >= m->size)
		return 0;
	if (len > m->size - from)
		len = (size_t)(m->size - from);
	while (got < len) {
		ssize_t n = pread(m->fd, (char *)buf + got, len - got, (off_t)(m->start + from + got));

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		if (n == 0)
			break;
		got += (size_t)n;
	}
	return (long)got;
}

void ct_bin_map_close(struct ct_bin_map *m)
{
	/* the mapping began at file offset 0; base may lie past its start */
	if (m->owned) {
		free(m->owned);
	} else if (m->base) {	/* a zeroed map was never opened: its fd 0 is not ours */
		munmap((void *)(m->base - (m->map_len - m->size)), m->map_len);
		if (m->fd >= 0)
			close(m->fd);
	}
	memset(m, 0, sizeof(*m));
	m->fd = -1;
}
