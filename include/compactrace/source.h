/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef COMPACTRACE_SOURCE_H
#define COMPACTRACE_SOURCE_H

#include <stddef.h>
#include <stdint.h>

#include "compactrace/event.h"

/*
 * A source yields normalized events in file order from one input: a saved
 * file of any supported format (auto-detected), stdin, or (later) a live
 * capture. Parsers never touch tracefs.
 */

struct ct_source;

/* Format names as they appear in JSON sources[].format. */
#define CT_FORMAT_FTRACE_TEXT "ftrace-text"
#define CT_FORMAT_TRACE_CMD_TEXT "trace-cmd-text"
#define CT_FORMAT_PERF_SCRIPT "perf-script"
#define CT_FORMAT_TRACE_DAT "trace-dat"
#define CT_FORMAT_PERF_DATA "perf-data"
#define CT_FORMAT_LIVE_RAW "live-raw"	/* the monitor's own reading of tracefs' binary ring buffers */

/**
 * ct_source_open() - open a trace file (or "-" for stdin) and detect its format
 * @path: file name, or "-" for standard input
 * @force_format: NULL to auto-detect, or one of the CT_FORMAT_* names
 * @out: receives the new source; the caller frees it with ct_source_free()
 * @err: buffer for a one-line message naming the file (and where), on failure
 * @errlen: size of @err
 *
 * Returns 0 or a negative CT_E_* code.
 */
int ct_source_open(const char *path, const char *force_format,
		   struct ct_source **out, char *err, size_t errlen);

/**
 * ct_source_open_fd() - read a trace from a descriptor that is already open
 * @fd: a pipe, a live tracefs trace_pipe, a file; not closed by the source
 *      (the caller closes it after ct_source_free())
 * @name: what messages and sources[].path call it (e.g. "trace_pipe")
 * @force_format: NULL to detect the format from the first 64 KiB, which
 *                reads until that much has arrived or the input ends; a live
 *                stream should name its format (CT_FORMAT_FTRACE_TEXT), and
 *                then nothing is read before the first ct_source_next()
 * @out: receives the new source; the caller frees it with ct_source_free()
 * @err: buffer for a one-line message naming @name, on failure; @errlen: its size
 *
 * Returns 0 or a negative CT_E_* code.
 */
int ct_source_open_fd(int fd, const char *name, const char *force_format,
		      struct ct_source **out, char *err, size_t errlen);

/*
 * Called by a source on a non-blocking descriptor when read() finds no
 * data: return 0 to read again (the fd became readable), 1 to end the input
 * there as if at end of file (e.g. the user quit), or a negative CT_E_* code
 * to fail the read.
 */
typedef int (*ct_source_wait_fn)(void *ctx, int fd);

/**
 * ct_source_set_wait() - how to wait on a non-blocking descriptor
 * @src: the source
 * @wait: called instead of failing with EAGAIN; NULL restores the default
 *        (EAGAIN is a read error)
 * @ctx: passed to @wait; not owned
 *
 * Lets a reader thread sleep in poll() on the live fd together with its own
 * stop descriptor, so it can be told to finish without signals.
 */
void ct_source_set_wait(struct ct_source *src, ct_source_wait_fn wait, void *ctx);

/**
 * ct_source_next() - read the next event
 * @src: the source
 * @ev: filled in on success; pointers in it stay valid until the next call
 *
 * Returns 1 when @ev holds an event, 0 at end of input, or a negative
 * CT_E_* code on a fatal error (ct_source_error() then says what and where).
 * Recoverable problems (an unparsable line, lost events) are returned as
 * CT_EV_PARSE_ERROR / CT_EV_LOST events, not as errors.
 */
int ct_source_next(struct ct_source *src, struct ct_event *ev);

/** ct_source_format() - the detected format (a CT_FORMAT_* string); owned by @src */
const char *ct_source_format(const struct ct_source *src);

/** ct_source_path() - the path given to ct_source_open(); owned by @src */
const char *ct_source_path(const struct ct_source *src);

/** ct_source_error() - the last fatal error message, naming file and offset; owned by @src */
const char *ct_source_error(const struct ct_source *src);

/**
 * ct_source_attachment() - a named blob the file carries besides events
 * @name: e.g. "snapshot-start/vmstat", "snapshot-end/buddyinfo" (see
 *        `compactrace record`); the file's own naming
 * @len: receives the blob's length
 *
 * Returns NULL when the format or this file has no such attachment. The
 * memory is owned by @src. Text formats never have attachments.
 */
const void *ct_source_attachment(const struct ct_source *src, const char *name, size_t *len);

/*
 * Decoding on several threads (text inputs): the input is cut into chunks
 * of whole lines, one after the other, by one thread at a time
 * (ct_source_read_chunk()); any thread decodes a chunk
 * (ct_source_decode_chunk()), several at once; then, in the order they
 * were read, the caller finishes each (ct_source_finish_chunk(): the line
 * numbers and the times stamped on markers depend on what came before).
 * The chunks' events, in order, are then exactly what ct_source_next()
 * would have given. The caller owns the struct and frees what it holds
 * with ct_source_chunk_free().
 */
/*
 * A binary source's chunk may point into memory the source keeps only
 * while this many chunks, itself included, were read since it: the caller
 * is done with a chunk before it reads the CT_CHUNKS_IN_FLIGHT-th after it.
 * (Reading it later still gives the right events, only slower.)
 */
#define CT_CHUNKS_IN_FLIGHT 8
#define CT_CHUNK_LAST 1		/* the input ends with this chunk (its last line may lack '\n') */
#define CT_CHUNK_TOO_LONG 2	/* stands for one line longer than the text formats accept */

struct ct_chunk {
	/* ct_source_read_chunk() */
	char *buf;		/* whole lines */
	size_t len, cap;
	unsigned flags;		/* CT_CHUNK_* */
	/* ct_source_decode_chunk() */
	struct ct_event *ev;	/* names point into @buf */
	uint32_t nev, ev_cap;
	uint64_t nlines;	/* lines (text); records, while one is read (binary) */
	uint32_t *lead;		/* markers before the chunk's first event: stamped at finish */
	uint32_t nlead, lead_cap;
	uint64_t last_ts;	/* of the chunk's last event, when @has_ts */
	int has_ts;
	void *scratch;		/* the decoder's own, kept from chunk to chunk */
};

/** ct_source_can_chunk() - 1 when @src can be read in chunks (a text input, not a live one) */
int ct_source_can_chunk(const struct ct_source *src);

/**
 * ct_source_read_chunk() - the next chunk of the input into @c
 *
 * One thread at a time, in order. Returns 1 with a chunk, 0 at the end of
 * input, or a negative CT_E_* code (ct_source_error() says what and where).
 */
int ct_source_read_chunk(struct ct_source *src, struct ct_chunk *c);

/**
 * ct_source_decode_chunk() - decode @c's lines into @c's events
 *
 * Any thread, several chunks at once; touches only @c. A streaming
 * source's (ct_source_chunk_streams()): as ct_source_chunk_next(), the
 * chunks in read order on one thread. Returns 0 or -CT_E_NOMEM.
 */
int ct_source_decode_chunk(const struct ct_source *src, struct ct_chunk *c);

/**
 * ct_source_chunk_streams() - 1 when @src's chunks are better decoded one
 * event at a time by the thread that uses them (ct_source_chunk_next():
 * the binary formats, whose decoding costs less than moving a whole
 * chunk of decoded events between threads), 0 for ct_source_decode_chunk()
 */
int ct_source_chunk_streams(const struct ct_source *src);

/**
 * ct_source_chunk_streams_pay() - 1 when a streaming source's chunks read
 * on a second thread, while the caller decodes and uses the ones before,
 * were measured to take less time than one thread doing all (trace.dat,
 * perf.data); 0 where they were not or the source does not stream
 */
int ct_source_chunk_streams_pay(const struct ct_source *src);

/**
 * ct_source_chunk_next() - decode the next event of @c into @ev
 * @pos: where in @c; 0 for its first event, advanced on each call
 *
 * Instead of ct_source_decode_chunk() and ct_source_finish_chunk(), for a
 * source whose chunks stream; the chunks in read order, on one thread.
 * Returns 1 with @ev (valid until the next call), 0 at @c's end, or
 * -CT_E_NOMEM.
 */
int ct_source_chunk_next(const struct ct_source *src, struct ct_chunk *c, size_t *pos, struct ct_event *ev);

/** ct_source_finish_chunk() - complete @c's events; the caller's thread, chunks in read order */
void ct_source_finish_chunk(struct ct_source *src, struct ct_chunk *c);

/** ct_source_chunk_free() - free what @c holds (not @c); accepts an empty one */
void ct_source_chunk_free(const struct ct_source *src, struct ct_chunk *c);

/** ct_source_free() - close the input and free everything; accepts NULL */
void ct_source_free(struct ct_source *src);

#endif
