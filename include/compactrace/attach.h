/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef COMPACTRACE_ATTACH_H
#define COMPACTRACE_ATTACH_H

#include <stddef.h>
#include <stdint.h>

/*
 * Attachments: named blobs (the /proc snapshots `compactrace record` takes
 * at start and end) appended to a trace file after everything its own
 * readers look at. `trace-cmd report` never reads past the CPU data whose
 * offsets and sizes the trace.dat header lists, so the container is
 * invisible to it; compactrace finds it from the end of the file.
 *
 * Layout, all integers little-endian whatever the trace's byte order:
 *
 *   entry * count:   u32 name_len | name (no NUL) | u64 data_len | data
 *   footer (the file's last 32 bytes):
 *                    u64 area_offset | u64 area_len | u32 count |
 *                    u32 version (1) | "CTATTACH"
 *
 * where area_offset is the file offset of the first entry and
 * area_offset + area_len is where the footer starts. Names are printable
 * ASCII, 1..255 bytes, e.g. "snapshot-start/vmstat".
 *
 * Nothing here does I/O: the reader works on the mapped file, the builder
 * produces bytes the caller appends.
 */

#define CT_ATTACH_MAGIC "CTATTACH"
#define CT_ATTACH_VERSION 1
#define CT_ATTACH_FOOTER_LEN 32
#define CT_ATTACH_NAME_MAX 255

/**
 * ct_attach_scan() - check for an attachment container at the end of a file
 * @file: the whole file's bytes
 * @len: its length
 * @area_offset: if not NULL, receives where the container starts (the end
 *               of the trace proper); @len when there is none
 *
 * Returns the number of attachments (0 when the file has no container) or
 * -CT_E_PARSE when the footer is there but the container is damaged. Every
 * offset and length is checked against @len. Allocates nothing.
 */
int ct_attach_scan(const unsigned char *file, uint64_t len, uint64_t *area_offset);

/**
 * ct_attach_get() - the @index-th attachment, in file order
 * @name, @name_len: receive the name (not NUL-terminated; points into @file)
 * @data, @data_len: receive the blob (points into @file)
 *
 * Returns 0, or -CT_E_INVAL when @index is out of range or the container is
 * damaged. Nothing to free.
 */
int ct_attach_get(const unsigned char *file, uint64_t len, uint32_t index,
		  const char **name, size_t *name_len,
		  const unsigned char **data, uint64_t *data_len);

/**
 * ct_attach_find() - look an attachment up by name
 * @name: NUL-terminated, e.g. "snapshot-end/vmstat"
 * @data_len: receives the blob's length (0 when not found)
 *
 * Returns a pointer into @file, or NULL when the file has no container, the
 * container is damaged, or no attachment has that name. Nothing to free.
 * This is what a trace.dat parser's ct_parser_ops.attachment calls.
 */
const void *ct_attach_find(const unsigned char *file, uint64_t len, const char *name,
			   size_t *data_len);

/* ---- building a container ---- */

struct ct_attach_set;

/** ct_attach_set_new() - an empty set; NULL on allocation failure; free with ct_attach_set_free() */
struct ct_attach_set *ct_attach_set_new(void);

/** ct_attach_set_free() - free the set and the copies it holds; accepts NULL */
void ct_attach_set_free(struct ct_attach_set *set);

/**
 * ct_attach_set_add() - add a copy of @data under @name (replacing a blob of that name)
 *
 * Returns 0, -CT_E_INVAL for a bad name, or -CT_E_NOMEM. The set owns the copy.
 */
int ct_attach_set_add(struct ct_attach_set *set, const char *name, const void *data, size_t len);

/**
 * ct_attach_set_find() - the blob added under @name
 * @len: receives its length (0 when not found)
 *
 * Returns a pointer owned by @set (valid until the blob is replaced or the
 * set freed), or NULL.
 */
const void *ct_attach_set_find(const struct ct_attach_set *set, const char *name, size_t *len);

/** ct_attach_set_count() - how many blobs the set holds */
uint32_t ct_attach_set_count(const struct ct_attach_set *set);

/**
 * ct_attach_set_encode() - the container bytes to append at file offset @area_offset
 * @out: receives a malloc()ed buffer the caller frees
 * @out_len: its length (entries + footer)
 *
 * Returns 0 or -CT_E_NOMEM.
 */
int ct_attach_set_encode(const struct ct_attach_set *set, uint64_t area_offset,
			 unsigned char **out, size_t *out_len);

#endif
