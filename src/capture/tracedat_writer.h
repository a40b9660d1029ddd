/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef COMPACTRACE_TRACEDAT_WRITER_H
#define COMPACTRACE_TRACEDAT_WRITER_H

#include <stddef.h>
#include <stdint.h>

#include "compactrace/attach.h"

/*
 * Writing a trace.dat, version 6 (uncompressed, "flyrecord"), as described
 * in trace-cmd.dat.v6(5), from bytes the caller hands over: format texts,
 * /proc-style texts, and per-CPU files of raw ring-buffer pages. No tracefs
 * here; numbers are written in the host's byte order, which the file's
 * header declares.
 *
 * The file is written in two steps so that an interrupted recording can
 * still be recovered:
 *   1. ct_tdw_write_formats() and ct_tdw_write_procinfo() write everything
 *      up to the saved command lines: exactly the "partial header" that
 *      `trace-cmd restore -i HEADER -o OUT CPUFILE...` turns into a full
 *      file together with per-CPU raw page files.
 *   2. At the end, ct_tdw_write_procinfo() is called again (it rewinds to
 *      the end of the formats, so the final command lines replace the first
 *      ones), then ct_tdw_add_option(), ct_tdw_write_data() and
 *      ct_tdw_finish(), which appends the attachment container after the
 *      CPU data (see attach.h). ct_tdw_rollback() makes the file a partial
 *      header again after a failure in this step.
 */

/* trace.dat option ids (trace-cmd's TRACECMD_OPTION_*) the recorder writes */
enum {
	CT_TDW_OPT_CPUSTAT = 2,		/* text: "CPU: N\n" + per_cpu/cpuN/stats, one option per CPU */
	CT_TDW_OPT_TRACECLOCK = 4,	/* text: the trace_clock file ("[local] global ...") */
	CT_TDW_OPT_UNAME = 5,		/* text: "sysname nodename release machine" */
	CT_TDW_OPT_VERSION = 9,		/* text: the writing tool and its version */
};

struct ct_tdw_text {
	const char *data;
	size_t len;
};

struct ct_tdw_system {
	const char *name;			/* e.g. "compaction" */
	const struct ct_tdw_text *formats;	/* events/<system>/<event>/format texts */
	uint32_t nformats;
};

struct ct_tdw_formats {
	struct ct_tdw_text header_page, header_event;	/* events/header_page, header_event */
	const struct ct_tdw_text *ftrace;		/* events/ftrace/<event>/format */
	uint32_t nftrace;
	const struct ct_tdw_system *systems;
	uint32_t nsystems;
};

/* One CPU's raw ring-buffer pages: @size bytes of @fd from offset 0 (fd < 0 or size 0: none). */
struct ct_tdw_cpu {
	int fd;
	uint64_t size;
};

struct ct_tdw;

/**
 * ct_tdw_new() - prepare to write a trace.dat into @fd
 * @fd: a regular file open for writing; the writer uses pwrite/ftruncate
 *      and never closes it
 * @page_size: the ring buffer's sub-buffer size (the size of every page in
 *             the CPU files), written as the file's page size
 * @out: receives the writer; free it with ct_tdw_free()
 *
 * Writes nothing yet. Returns 0, -CT_E_INVAL or -CT_E_NOMEM.
 */
int ct_tdw_new(int fd, uint32_t page_size, struct ct_tdw **out);

/** ct_tdw_free() - free the writer (not the fd); accepts NULL */
void ct_tdw_free(struct ct_tdw *w);

/**
 * ct_tdw_write_formats() - the initial format, header info, ftrace and event formats
 *
 * Must come first and only once. The texts are copied into the file; the
 * caller keeps ownership. Returns 0, -CT_E_NOSPACE, -CT_E_WRITE (errno kept)
 * or -CT_E_INVAL when called out of order.
 */
int ct_tdw_write_formats(struct ct_tdw *w, const struct ct_tdw_formats *f);

/**
 * ct_tdw_write_procinfo() - kallsyms, printk formats and saved command lines
 * @kallsyms, @printk, @cmdlines: texts (data may be NULL with len 0)
 *
 * Truncates the file to the end of the formats first, so calling it again
 * replaces what an earlier call wrote. Afterwards the file is a valid
 * `trace-cmd restore -i` header. Returns 0 or a negative CT_E_* code.
 */
int ct_tdw_write_procinfo(struct ct_tdw *w, struct ct_tdw_text kallsyms,
			  struct ct_tdw_text printk, struct ct_tdw_text cmdlines);

/**
 * ct_tdw_add_option() - queue an option (a CT_TDW_OPT_* id) for ct_tdw_write_data()
 *
 * @data is copied. Returns 0, -CT_E_INVAL or -CT_E_NOMEM.
 */
int ct_tdw_add_option(struct ct_tdw *w, uint16_t id, const void *data, uint32_t len);

/**
 * ct_tdw_write_data() - CPU count, options, "flyrecord", and every CPU's pages
 * @ncpus: number of entries in @cpus (CPU i is @cpus[i])
 * @clock: the trace clock's name (e.g. "local"), written as trace-cmd
 *         expects after the CPU table when a TRACECLOCK option is present
 *
 * Each CPU's data starts page-aligned; it is copied with copy_file_range()
 * (plain reads and writes where the kernel cannot). Returns 0,
 * -CT_E_NOSPACE, -CT_E_WRITE, -CT_E_IO (a CPU file was shorter than its
 * size), -CT_E_INVAL or -CT_E_NOMEM.
 */
int ct_tdw_write_data(struct ct_tdw *w, uint32_t ncpus, const struct ct_tdw_cpu *cpus,
		      const char *clock);

/**
 * ct_tdw_finish() - append the attachments (may be NULL or empty) and sync the file
 *
 * Returns 0 or a negative CT_E_* code. ct_tdw_size() is then the file's size.
 */
int ct_tdw_finish(struct ct_tdw *w, const struct ct_attach_set *att);

/**
 * ct_tdw_rollback() - truncate back to the end of the last ct_tdw_write_procinfo()
 *
 * Returns 0 or -CT_E_WRITE.
 */
int ct_tdw_rollback(struct ct_tdw *w);

/** ct_tdw_size() - bytes written so far (the file's size) */
uint64_t ct_tdw_size(const struct ct_tdw *w);

/** ct_tdw_cpu_data() - where CPU @cpu's data went (after ct_tdw_write_data()); 0/0 when none */
void ct_tdw_cpu_data(const struct ct_tdw *w, uint32_t cpu, uint64_t *offset, uint64_t *size);

#endif
