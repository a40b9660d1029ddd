/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef CT_TESTS_BINARY_SYNTH_H
#define CT_TESTS_BINARY_SYNTH_H

/*
 * Build a trace.dat (version 6) from a directory of real kernel format files,
 * with records of random field values on two CPUs, and the trace-cmd report
 * text libtraceevent prints for the same records (what `trace-cmd report`
 * would show). The binary reader's stream must equal the text parser's.
 */
#include <stddef.h>
#include <stdint.h>

struct synth_opts {
	const char *formats_dir;	/* .../formats/linux-6.18 */
	int bigendian;		/* write the file as a big-endian kernel would */
	int nr_records;
	uint32_t seed;
	int lost;		/* flag missed events on some pages (with and without a count) */
	int bad_id;		/* add one record whose event id has no format */
	int short_rec;		/* add one record shorter than its format */
	int version;		/* 6 (default) or 7 */
	int zlib;		/* v7: compress sections and data chunks with zlib */
	int two_buffers;	/* v7: CPU 1 in a buffer instance of its own */
};

/* what a kmem page record holds, for checking its decoding (the text parsers may not) */
struct synth_page {
	char name[32];
	uint64_t pfn;		/* as written; all ones: a failed allocation */
	int64_t order, migratetype, percpu_refill;	/* -1: the event has no such field */
	uint64_t gfp;
	int has_gfp;
};

struct synth_out {
	unsigned char *dat;
	size_t dat_len;
	char *text;		/* trace-cmd report text */
	size_t text_len;
	uint64_t bad_where;	/* file offset of the bad_id / short record */
	uint64_t cpu_table;	/* file offset of the v6 CPU offset/size table */
	int nr_records;		/* records written (the text shows all but bad ones) */
	int nr_lost;		/* lost-events notes in the text */
	struct synth_page *pages;	/* the kmem page records, in report order */
	int nr_pages;
};

/*
 * 0 or -1 (message on stderr); free with synth_free(). Version 7 is written
 * the way trace-cmd 3.x lays it out (sections, an options section linking
 * them, BUFFER options, chunked CPU data).
 */
int synth_make(const struct synth_opts *o, struct synth_out *out);
void synth_free(struct synth_out *out);

/* write @len bytes to a memfd; returns "/proc/self/fd/N" in @path (or -1) */
int synth_memfd(const void *data, size_t len, char *path, size_t pathlen);

#endif
