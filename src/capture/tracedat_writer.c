// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * trace.dat version 6 writer (trace-cmd.dat.v6(5)). Layout written:
 *
 *   "\x17\x08\x44tracing" "6\0" endian(1) long_size(1) page_size(4)
 *   "header_page\0" u64 size, text   "header_event\0" u64 size, text
 *   u32 count, {u64 size, text} * count                  ftrace formats
 *   u32 systems, {name\0, u32 count, {u64 size, text} * count} * systems
 *   u32 size, kallsyms      u32 size, printk formats     u64 size, cmdlines
 *   -- the "partial header" trace-cmd restore -i accepts ends here --
 *   u32 cpus  "options  \0" {u16 id, u32 size, data} * n  u16 0
 *   "flyrecord\0" {u64 offset, u64 size} * cpus  u64 size, "[clock]"
 *   page-aligned CPU data, CPU 0 first
 *   attachment container (attach.h)
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "compactrace/error.h"
#include "capture/tracedat_writer.h"

#define COPY_CHUNK (1u << 20)

struct tdw_option {
	uint16_t id;
	uint32_t len;
	unsigned char *data;
};

struct ct_tdw {
	int fd;
	uint32_t page_size;
	uint64_t pos;			/* next byte to write = file size */
	uint64_t formats_end;		/* 0 until ct_tdw_write_formats() */
	uint64_t header_end;		/* 0 until ct_tdw_write_procinfo() */
	struct tdw_option *opts;
	uint32_t nopts, opts_cap;
	uint64_t *cpu_off, *cpu_size;
	uint32_t ncpus;
};

static int write_error(void)
{
	return errno == ENOSPC || errno == EDQUOT ? -CT_E_NOSPACE : -CT_E_WRITE;
}

static int put(struct ct_tdw *w, const void *data, size_t len)
{
	const unsigned char *p = data;

	while (len) {
		ssize_t n = pwrite(w->fd, p, len, (off_t)w->pos);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return write_error();
		}
		if (n == 0) {
			errno = ENOSPC;
			return -CT_E_NOSPACE;
		}
		p += n;
		len -= (size_t)n;
		w->pos += (uint64_t)n;
	}
	return 0;
}

static int put_u16(struct ct_tdw *w, uint16_t v)
{
	return put(w, &v, sizeof(v));
}

static int put_u32(struct ct_tdw *w, uint32_t v)
{
	return put(w, &v, sizeof(v));
}

static int put_u64(struct ct_tdw *w, uint64_t v)
{
	return put(w, &v, sizeof(v));
}

/* a text with a size prefix of 4 or 8 bytes */
static int put_sized(struct ct_tdw *w, unsigned size_bytes, struct ct_tdw_text t)
{
	int ret;

	if (size_bytes == 4) {
		if (t.len > UINT32_MAX)
			return -CT_E_INVAL;
		ret = put_u32(w, (uint32_t)t.len);
	} else {
		ret = put_u64(w, t.len);
	}
	if (ret == 0 && t.len)
		ret = put(w, t.data, t.len);
	return ret;
}

static int truncate_to(struct ct_tdw *w, uint64_t size)
{
	while (ftruncate(w->fd, (off_t)size) < 0)
		if (errno != EINTR)
			return -CT_E_WRITE;
	w->pos = size;
	return 0;
}

int ct_tdw_new(int fd, uint32_t page_size, struct ct_tdw **out)
{
	struct ct_tdw *w;

	*out = NULL;
	/* a power of two the ring buffer could use */
	if (fd < 0 || page_size < 256 || page_size > (1u << 24) || (page_size & (page_size - 1)))
		return -CT_E_INVAL;
	w = calloc(1, sizeof(*w));
	if (!w)
		return -CT_E_NOMEM;
	w->fd = fd;
	w->page_size = page_size;
	*out = w;
	return 0;
}

void ct_tdw_free(struct ct_tdw *w)
{
	if (!w)
		return;
	for (uint32_t i = 0; i < w->nopts; i++)
		free(w->opts[i].data);
	free(w->opts);
	free(w->cpu_off);
	free(w->cpu_size);
	free(w);
}

int ct_tdw_write_formats(struct ct_tdw *w, const struct ct_tdw_formats *f)
{
	static const unsigned char magic[] = { 0x17, 0x08, 0x44, 't', 'r', 'a', 'c', 'i', 'n', 'g', '6', 0 };
	const uint16_t one = 1;
	unsigned char hdr[2];
	int ret;

	if (w->formats_end)
		return -CT_E_INVAL;
	ret = truncate_to(w, 0);
	if (ret < 0)
		return ret;
	hdr[0] = *(const unsigned char *)&one == 0;	/* 1: big endian */
	hdr[1] = (unsigned char)sizeof(long);
	ret = put(w, magic, sizeof(magic));
	if (!ret)
		ret = put(w, hdr, sizeof(hdr));
	if (!ret)
		ret = put_u32(w, w->page_size);
	if (!ret)
		ret = put(w, "header_page", 12);
	if (!ret)
		ret = put_sized(w, 8, f->header_page);
	if (!ret)
		ret = put(w, "header_event", 13);
	if (!ret)
		ret = put_sized(w, 8, f->header_event);
	if (!ret)
		ret = put_u32(w, f->nftrace);
	for (uint32_t i = 0; !ret && i < f->nftrace; i++)
		ret = put_sized(w, 8, f->ftrace[i]);
	if (!ret)
		ret = put_u32(w, f->nsystems);
	for (uint32_t s = 0; !ret && s < f->nsystems; s++) {
		const struct ct_tdw_system *sys = &f->systems[s];

		ret = put(w, sys->name, strlen(sys->name) + 1);
		if (!ret)
			ret = put_u32(w, sys->nformats);
		for (uint32_t i = 0; !ret && i < sys->nformats; i++)
			ret = put_sized(w, 8, sys->formats[i]);
	}
	if (ret < 0)
		return ret;
	w->formats_end = w->pos;
	return 0;
}

int ct_tdw_write_procinfo(struct ct_tdw *w, struct ct_tdw_text kallsyms,
			  struct ct_tdw_text printk, struct ct_tdw_text cmdlines)
{
	int ret;

	if (!w->formats_end)
		return -CT_E_INVAL;
	w->header_end = 0;
	ret = truncate_to(w, w->formats_end);
	if (!ret)
		ret = put_sized(w, 4, kallsyms);
	if (!ret)
		ret = put_sized(w, 4, printk);
	if (!ret)
		ret = put_sized(w, 8, cmdlines);
	if (ret < 0)
		return ret;
	w->header_end = w->pos;
	return 0;
}

int ct_tdw_add_option(struct ct_tdw *w, uint16_t id, const void *data, uint32_t len)
{
	struct tdw_option *o;

	if (id == 0 || (len && !data))
		return -CT_E_INVAL;
	if (w->nopts == w->opts_cap) {
		uint32_t ncap = w->opts_cap ? w->opts_cap * 2 : 16;
		struct tdw_option *n = realloc(w->opts, ncap * sizeof(*n));

		if (!n)
			return -CT_E_NOMEM;
		w->opts = n;
		w->opts_cap = ncap;
	}
	o = &w->opts[w->nopts];
	o->data = malloc(len ? len : 1);
	if (!o->data)
		return -CT_E_NOMEM;
	if (len)
		memcpy(o->data, data, len);
	o->id = id;
	o->len = len;
	w->nopts++;
	return 0;
}

/* copy @size bytes of @in_fd (from 0) to the writer's position */
static int copy_cpu(struct ct_tdw *w, int in_fd, uint64_t size)
{
	unsigned char *buf = NULL;
	loff_t in_off = 0;
	int ret = 0;

	while (size) {
		loff_t out_off = (loff_t)w->pos;
		size_t want = size > (1u << 30) ? (1u << 30) : (size_t)size;
		ssize_t n = copy_file_range(in_fd, &in_off, w->fd, &out_off, want, 0);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == ENOSYS || errno == EXDEV || errno == EINVAL ||
			      errno == EOPNOTSUPP || errno == EBADF))
			break;	/* fall back to reads and writes below */
		if (n < 0)
			return write_error();
		if (n == 0)
			return -CT_E_IO;	/* the CPU file is shorter than it said */
		w->pos += (uint64_t)n;
		size -= (uint64_t)n;
	}
	if (!size)
		return 0;
	buf = malloc(COPY_CHUNK);
	if (!buf)
		return -CT_E_NOMEM;
	while (size) {
		size_t want = size > COPY_CHUNK ? COPY_CHUNK : (size_t)size;
		ssize_t n = pread(in_fd, buf, want, (off_t)in_off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			ret = -CT_E_IO;
			break;
		}
		ret = put(w, buf, (size_t)n);
		if (ret < 0)
			break;
		in_off += n;
		size -= (uint64_t)n;
	}
	free(buf);
	return ret;
}

int ct_tdw_write_data(struct ct_tdw *w, uint32_t ncpus, const struct ct_tdw_cpu *cpus,
		      const char *clock)
{
	uint64_t table, p;
	char clock_text[80];
	int ret, clen;

	if (!w->header_end || w->pos != w->header_end || ncpus == 0 || ncpus > 65536)
		return -CT_E_INVAL;
	free(w->cpu_off);
	free(w->cpu_size);
	w->cpu_off = calloc(ncpus, sizeof(*w->cpu_off));
	w->cpu_size = calloc(ncpus, sizeof(*w->cpu_size));
	if (!w->cpu_off || !w->cpu_size)
		return -CT_E_NOMEM;
	w->ncpus = ncpus;

	ret = put_u32(w, ncpus);
	if (!ret && w->nopts)
		ret = put(w, "options  ", 10);
	for (uint32_t i = 0; !ret && i < w->nopts; i++) {
		ret = put_u16(w, w->opts[i].id);
		if (!ret)
			ret = put_u32(w, w->opts[i].len);
		if (!ret && w->opts[i].len)
			ret = put(w, w->opts[i].data, w->opts[i].len);
	}
	if (!ret && w->nopts)
		ret = put_u16(w, 0);
	if (!ret)
		ret = put(w, "flyrecord", 10);
	if (ret < 0)
		return ret;
	/* the table is filled in once the data is where it belongs */
	table = w->pos;
	for (uint32_t i = 0; !ret && i < ncpus; i++) {
		ret = put_u64(w, 0);
		if (!ret)
			ret = put_u64(w, 0);
	}
	/* trace-cmd reads "[clock]" here when the file has a TRACECLOCK option */
	clen = snprintf(clock_text, sizeof(clock_text), "[%s]", clock && *clock ? clock : "local");
	if (!ret && (clen < 0 || (size_t)clen >= sizeof(clock_text)))
		ret = -CT_E_INVAL;
	if (!ret)
		ret = put_sized(w, 8, (struct ct_tdw_text){ clock_text, (size_t)clen });
	for (uint32_t i = 0; !ret && i < ncpus; i++) {
		uint64_t aligned = (w->pos + w->page_size - 1) & ~(uint64_t)(w->page_size - 1);

		if (cpus[i].fd < 0 || cpus[i].size == 0)
			continue;
		if (aligned != w->pos) {
			static const unsigned char zeros[256];

			while (!ret && w->pos < aligned) {
				uint64_t n = aligned - w->pos;

				ret = put(w, zeros, n > sizeof(zeros) ? sizeof(zeros) : (size_t)n);
			}
			if (ret < 0)
				break;
		}
		w->cpu_off[i] = w->pos;
		ret = copy_cpu(w, cpus[i].fd, cpus[i].size);
		w->cpu_size[i] = w->pos - w->cpu_off[i];
	}
	if (ret < 0)
		return ret;
	/* patch the table */
	p = w->pos;
	w->pos = table;
	for (uint32_t i = 0; !ret && i < ncpus; i++) {
		ret = put_u64(w, w->cpu_off[i]);
		if (!ret)
			ret = put_u64(w, w->cpu_size[i]);
	}
	w->pos = p;
	return ret;
}

int ct_tdw_finish(struct ct_tdw *w, const struct ct_attach_set *att)
{
	unsigned char *buf = NULL;
	size_t len = 0;
	int ret = 0;

	if (!w->cpu_off)
		return -CT_E_INVAL;
	if (att && ct_attach_set_count(att)) {
		ret = ct_attach_set_encode(att, w->pos, &buf, &len);
		if (ret < 0)
			return ret;
		ret = put(w, buf, len);
		free(buf);
		if (ret < 0)
			return ret;
	}
	while (fdatasync(w->fd) < 0) {
		if (errno == EINVAL || errno == EROFS)
			break;	/* a special file that cannot be synced */
		if (errno != EINTR)
			return write_error();
	}
	return 0;
}

int ct_tdw_rollback(struct ct_tdw *w)
{
	if (!w->header_end)
		return w->formats_end ? truncate_to(w, w->formats_end) : truncate_to(w, 0);
	return truncate_to(w, w->header_end);
}

uint64_t ct_tdw_size(const struct ct_tdw *w)
{
	return w->pos;
}

void ct_tdw_cpu_data(const struct ct_tdw *w, uint32_t cpu, uint64_t *offset, uint64_t *size)
{
	*offset = *size = 0;
	if (w->cpu_off && cpu < w->ncpus) {
		*offset = w->cpu_off[cpu];
		*size = w->cpu_size[cpu];
	}
}
