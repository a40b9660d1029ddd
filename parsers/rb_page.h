/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef CT_PARSERS_RB_PAGE_H
#define CT_PARSERS_RB_PAGE_H

/*
 * One raw ring-buffer page (a sub-buffer of kernel/trace/ring_buffer.c):
 * its header and the compressed entry headers, walked in place as kbuffer
 * does. Shared by the trace.dat reader (pages from a file) and the live
 * page decoder (pages the monitor reads from tracefs): the bytes are the
 * same, only where they come from differs.
 */

#include <stdint.h>

#include "bin.h"

/* ring-buffer entry types */
#define CT_RB_PADDING 29
#define CT_RB_TIME_EXTEND 30
#define CT_RB_TIME_STAMP 31
#define CT_RB_TS_SHIFT 27
#define CT_RB_TS_MSB (0xf8ULL << 56)
#define CT_RB_COMMIT_MASK ((1u << 27) - 1)
#define CT_RB_MISSED_EVENTS (1ULL << 31)
#define CT_RB_MISSED_STORED (1ULL << 30)

struct ct_rb_page {
	const unsigned char *data;	/* the first entry */
	uint32_t commit, off;		/* bytes of entries; the next entry's offset */
	uint64_t ts;			/* raw running timestamp */
	int swap, be;
	uint8_t missed;			/* the kernel lost events before this page */
	int64_t missed_count;		/* how many (-1: it did not say) */
};

/*
 * ct_rb_page_open() - read a page's header
 * @avail: bytes of the page present (at most the page size)
 *
 * Returns 0, -1 when the page is shorter than its header (@bad_off 0) or
 * its commit count runs past @avail (@bad_off: the commit field's offset).
 */
static inline int ct_rb_page_open(struct ct_rb_page *pg, const unsigned char *page, uint64_t avail,
				  const struct ct_bin_page_layout *lay, int swap, uint64_t *bad_off)
{
	uint64_t flags;
	uint32_t commit;

	*bad_off = 0;
	if (avail < lay->data_off)
		return -1;
	flags = ct_rdn(page + lay->commit_off, lay->commit_size, swap);
	commit = (uint32_t)flags & CT_RB_COMMIT_MASK;
	if (commit > avail - lay->data_off) {
		*bad_off = lay->commit_off;
		return -1;
	}
	pg->missed = !!(flags & CT_RB_MISSED_EVENTS);
	pg->missed_count = -1;
	/* the count sits right after the data, when the kernel had room for it */
	if (pg->missed && (flags & CT_RB_MISSED_STORED) &&
	    avail - lay->data_off - commit >= lay->commit_size)
		pg->missed_count = (int64_t)ct_rdn(page + lay->data_off + commit, lay->commit_size, swap);
	pg->data = page + lay->data_off;
	pg->commit = commit;
	pg->off = 0;
	pg->ts = ct_rd64(page + lay->ts_off, swap);
	pg->swap = swap;
	pg->be = swap ? !ct_host_bigendian() : ct_host_bigendian();
	return 0;
}

/*
 * ct_rb_page_next() - the next record of the page
 *
 * Returns 1 (*@rec, *@len: the record, pg->ts its raw timestamp), 0 at the
 * end of the page, -1 when the entry at pg->off is corrupt (the rest of the
 * page cannot be trusted: the caller skips it).
 */
static inline int ct_rb_page_next(struct ct_rb_page *pg, const unsigned char **rec, uint32_t *len)
{
	while (pg->off < pg->commit) {
		const unsigned char *p = pg->data + pg->off;
		uint32_t left = pg->commit - pg->off;
		uint32_t hdr, tl, delta, n, ext;

		if (left < 4)
			return -1;
		hdr = ct_rd32(p, pg->swap);
		if (pg->be) {
			tl = hdr >> 27;
			delta = hdr & ((1u << 27) - 1);
		} else {
			tl = hdr & 31;
			delta = hdr >> 5;
		}
		switch (tl) {
		case CT_RB_PADDING:
			pg->ts += delta;
			if (left < 8) {
				pg->off = pg->commit;
				break;
			}
			n = ct_rd32(p + 4, pg->swap);
			if (n > left - 4) {
				pg->off = pg->commit;
				break;
			}
			pg->off += 4 + (n ? n : 4);
			break;
		case CT_RB_TIME_EXTEND:
		case CT_RB_TIME_STAMP:
			if (left < 8)
				return -1;
			ext = ct_rd32(p + 4, pg->swap);
			if (tl == CT_RB_TIME_EXTEND)
				pg->ts += ((uint64_t)ext << CT_RB_TS_SHIFT) + delta;
			else
				pg->ts = (((uint64_t)ext << CT_RB_TS_SHIFT) + delta) | (pg->ts & CT_RB_TS_MSB);
			pg->off += 8;
			break;
		case 0:
			if (left < 8)
				return -1;
			n = ct_rd32(p + 4, pg->swap);
			if (n < 4)
				return -1;
			n = ((n - 4) + 3) & ~3u;
			if (n > left - 8)
				return -1;
			pg->ts += delta;
			*rec = p + 8;
			*len = n;
			pg->off += 8 + n;
			return 1;
		default:
			n = tl * 4;
			if (n > left - 4)
				return -1;
			pg->ts += delta;
			*rec = p + 4;
			*len = n;
			pg->off += 4 + n;
			return 1;
		}
	}
	return 0;
}

#endif
