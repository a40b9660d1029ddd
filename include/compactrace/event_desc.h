/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef COMPACTRACE_EVENT_DESC_H
#define COMPACTRACE_EVENT_DESC_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "compactrace/event.h"

/*
 * One table of events. Each event compactrace interprets has one
 * descriptor: its name and system, and its fields — the names kernels and
 * tools have printed them under (text) and declared them under (binary
 * formats), where each lands in struct ct_event, whether a line is broken
 * without it, and the range a kernel can produce. The text decoders
 * (parsers/text_fields.c), the binary decoders (parsers/bin_meta.c), the
 * value checks (src/engine/engine_values.c) and the names all read it;
 * the engine's dispatch table (src/engine/engine.c) gives each type its
 * handler. Adding an event is a type, a descriptor and a handler.
 */

/* How a field is read. */
enum ct_field_kind {
	CT_FK_U64,	/* a number (text: decimal or 0x hex); unsigned */
	CT_FK_I32,	/* a signed 32-bit number */
	CT_FK_U32,	/* an unsigned 32-bit number */
	CT_FK_PFN,	/* a page's pfn: text -1, binary all ones, mean CT_PFN_NONE */
	CT_FK_ORDER_U32,	/* an order printed with %u: 32 bits either way */
	CT_FK_STATUS,	/* a compaction status: a name (4.4+) or a raw number (before) */
	CT_FK_ZONE,	/* a zone name: printed (text), an index with a symbol table (binary) */
	CT_FK_SYMBOL,	/* a name: printed (text), a value with a symbol table (binary) */
	CT_FK_GFP,	/* a gfp mask: hex, symbolic or "none" (text), raw + rendered (binary) */
	CT_FK_RANGE,	/* text "(a ~ b)": two pfns, into @off and @off2 */
	CT_FK_SYNC,	/* text mode=sync|async, binary field sync: int8 1/0 */
	CT_FK_PRIO,	/* priority (4.8+) or mode (before): @off2 says which (uint8) */
	CT_FK_SHIFT,	/* binary defer_shift: the kernel prints limit = 1UL << shift */
	CT_FK_PAGE_PTR,	/* text page=: only says whether a failed allocation printed NULL */
	CT_FK_KINDS
};

/* When a text line is broken without the field. */
enum ct_field_need {
	CT_NEED_NO,
	CT_NEED_YES,
	CT_NEED_TOGETHER,	/* all fields marked so, or none (3.14-4.0 end printed only status) */
};

/* The range a kernel can produce; outside it the event is a bad value. */
enum ct_field_check {
	CT_CHECK_NONE,
	CT_CHECK_PFN,		/* below CT_PFN_LIMIT */
	CT_CHECK_PFN_OR_NONE,	/* a pfn, or CT_PFN_NONE */
	CT_CHECK_ORDER,		/* CT_ORDER_MIN (-1: whole zone) .. CT_ORDER_MAX */
	CT_CHECK_ALLOC_ORDER,	/* 0 .. CT_ORDER_MAX */
	CT_CHECK_NID,		/* 0 .. MAX_NUMNODES - 1 */
	CT_CHECK_STEP,		/* pages of one isolate/migrate step: below a pageblock of any arch */
};

#define CT_EVENT_ORDER_MAX 11	/* the largest buddy order of any kernel here (engine.h's CT_ORDER_MAX) */

#define CT_FIELD_ALIASES 3

struct ct_field_desc {
	const char *text[CT_FIELD_ALIASES];	/* key= names in text, first match wins; none: not printed */
	const char *bin[CT_FIELD_ALIASES];	/* field names in binary formats; none: not recorded */
	uint8_t kind;		/* enum ct_field_kind */
	uint8_t need;		/* enum ct_field_need (text) */
	uint8_t check;		/* enum ct_field_check */
	int8_t absent;		/* the value when the input lacks the field: 0 or -1 */
	uint16_t off;		/* offsetof(struct ct_event, ...) of the value */
	uint16_t off2;		/* CT_FK_RANGE: the end; CT_FK_PRIO: prio_is_mode; CT_FK_GFP: gfp_known */
	uint16_t size;		/* of the value at @off (bytes; strings: their buffer) */
	uint16_t off3;		/* CT_FK_GFP: the printed text's buffer */
};

#define CT_EVENT_FIELDS 8

struct ct_event_desc {
	const char *system;	/* "compaction", "kmem", "migrate" */
	const char *name;	/* "mm_compaction_begin" */
	uint8_t page_event;	/* a kmem page event (record --pages) */
	uint8_t nfields;
	struct ct_field_desc fields[CT_EVENT_FIELDS];
	/* a check across fields (a zone that starts before it ends); NULL none */
	int (*values_ok)(const struct ct_event *ev);
};

/**
 * ct_event_put_int() - store @v into the @size-byte (1, 2, 4 or 8) integer at
 * byte @off of @ev, the way a descriptor's field places it
 */
static inline void ct_event_put_int(struct ct_event *ev, uint16_t off, uint16_t size, int64_t v)
{
	unsigned char *at = (unsigned char *)ev + off;
	int8_t v8 = (int8_t)v;
	int16_t v16 = (int16_t)v;
	int32_t v32 = (int32_t)v;

	switch (size) {
	case 1:
		memcpy(at, &v8, 1);
		break;
	case 2:
		memcpy(at, &v16, 2);
		break;
	case 4:
		memcpy(at, &v32, 4);
		break;
	default:
		memcpy(at, &v, 8);
		break;
	}
}

/**
 * ct_event_desc() - the descriptor of @type, or NULL for the markers and
 * CT_EV_OTHER; static
 */
const struct ct_event_desc *ct_event_desc(enum ct_event_type type);

#define CT_MAX_NODES 1024	/* MAX_NUMNODES at its largest (NODES_SHIFT 10) */
/* One isolate or migrate step works within a pageblock (at most 2^19 pages on any arch) or one free block. */
#define CT_MAX_STEP_PAGES (1ULL << 20)

/**
 * ct_event_field_ok() - is the value (read signed @sv and unsigned @uv)
 * within what a kernel can give for @check?
 */
static inline int ct_event_field_ok(enum ct_field_check check, int64_t sv, uint64_t uv)
{
	switch (check) {
	case CT_CHECK_PFN:
		return uv < CT_PFN_LIMIT;
	case CT_CHECK_PFN_OR_NONE:
		return uv == CT_PFN_NONE || uv < CT_PFN_LIMIT;
	case CT_CHECK_ORDER:
		return sv >= -1 && sv <= CT_EVENT_ORDER_MAX;
	case CT_CHECK_ALLOC_ORDER:
		return sv >= 0 && sv <= CT_EVENT_ORDER_MAX;
	case CT_CHECK_NID:
		return sv >= 0 && sv < CT_MAX_NODES;
	case CT_CHECK_STEP:
		return uv < CT_MAX_STEP_PAGES;
	default:
		return 1;
	}
}

#endif
