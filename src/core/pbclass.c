// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The page classes of the huge-page forecast (names, what blocks
 * compaction) and the "pageblock-classes" item that carries them per
 * pageblock (encode, parse): shared by the /proc reader, the recording's
 * snapshots and the forecast. No I/O.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compactrace/error.h"
#include "compactrace/pbclass.h"
#include "core/util.h"

#define MAGIC "# compactrace pageblock classes 1"

static const char *const class_names[CT_FC_NCLASSES] = {
	"free", "noflags", "movable", "reclaimable", "unevictable", "slab", "unmovable",
	"pinned", "reserved", "isolated", "other", "huge", "nopage",
};

static const char *const reason_names[CT_FC_NREASONS] = {
	"slab", "unmovable", "pinned", "unevictable", "reserved", "isolated", "other", "huge",
};

static const char reason_letters[CT_FC_NREASONS] = { 'S', 'U', 'P', 'L', 'R', 'I', 'O', 'H' };

const char *ct_fc_class_name(enum ct_fc_class c)
{
	return (unsigned)c < CT_FC_NCLASSES ? class_names[c] : "?";
}

const char *ct_fc_reason_name(enum ct_fc_reason r)
{
	return (unsigned)r < CT_FC_NREASONS ? reason_names[r] : "?";
}

char ct_fc_reason_letter(enum ct_fc_reason r)
{
	return (unsigned)r < CT_FC_NREASONS ? reason_letters[r] : '?';
}

int ct_fc_reason_of_class(enum ct_fc_class c, int unevictable_allowed)
{
	switch (c) {
	case CT_FC_SLAB: return CT_FC_R_SLAB;
	case CT_FC_UNMOVABLE: return CT_FC_R_UNMOVABLE;
	case CT_FC_PINNED: return CT_FC_R_PINNED;
	case CT_FC_UNEVICTABLE: return unevictable_allowed ? -1 : CT_FC_R_UNEVICTABLE;
	case CT_FC_RESERVED: return CT_FC_R_RESERVED;
	case CT_FC_NOPAGE: return CT_FC_R_RESERVED;
	case CT_FC_ISOLATED: return CT_FC_R_ISOLATED;
	case CT_FC_OTHER: return CT_FC_R_OTHER;
	case CT_FC_HUGE: return CT_FC_R_HUGE;
	default: return -1;
	}
}


void ct_pbclass_release(struct ct_pbclass *pc)
{
	free(pc->start_pfn);
	free(pc->blocks);
	free(pc->owners);
	pc->start_pfn = NULL;
	pc->blocks = NULL;
	pc->owners = NULL;
	pc->nblocks = pc->cap = 0;
	pc->nowners = pc->owners_cap = 0;
}

int ct_pbclass_append(struct ct_pbclass *pc, uint64_t start_pfn, const struct ct_fc_block *blk)
{
	if (pc->nblocks && start_pfn <= pc->start_pfn[pc->nblocks - 1])
		return -CT_E_INVAL;
	if (pc->nblocks == pc->cap) {
		uint64_t ncap = pc->cap ? pc->cap * 2 : 1024;
		uint64_t *np = realloc(pc->start_pfn, ncap * sizeof(*np));
		struct ct_fc_block *nb;

		if (!np)
			return -CT_E_NOMEM;
		pc->start_pfn = np;
		nb = realloc(pc->blocks, ncap * sizeof(*nb));
		if (!nb)
			return -CT_E_NOMEM;
		pc->blocks = nb;
		pc->cap = ncap;
	}
	pc->start_pfn[pc->nblocks] = start_pfn;
	pc->blocks[pc->nblocks++] = *blk;
	return 0;
}

int ct_pbclass_add_owner(struct ct_pbclass *pc, const struct ct_fc_owner *ow)
{
	if (pc->nowners == pc->owners_cap) {
		uint32_t ncap = pc->owners_cap ? pc->owners_cap * 2 : 16;
		struct ct_fc_owner *n = realloc(pc->owners, ncap * sizeof(*n));

		if (!n)
			return -CT_E_NOMEM;
		pc->owners = n;
		pc->owners_cap = ncap;
	}
	pc->owners[pc->nowners++] = *ow;
	return 0;
}

/* ---- encoding ------------------------------------------------------------ */

int ct_pbclass_encode(const struct ct_pbclass *pc, char **text, size_t *len)
{
	struct ct_text_buf b = { 0 };

	*text = NULL;
	*len = 0;
	ct_tb_printf(&b, MAGIC "\n# pageblock_order %d\n# order %d\n# columns start_pfn", pc->pageblock_order,
		pc->order);
	for (int c = 0; c < CT_FC_NCLASSES; c++)
		ct_tb_printf(&b, " %s", ct_fc_class_name((enum ct_fc_class)c));
	ct_tb_printf(&b, "\n");
	if (pc->strides_known) {
		ct_tb_printf(&b, "# strides");
		for (int k = 1; k <= CT_FC_STRIDES; k++)
			ct_tb_printf(&b, " %d", 1 << k);
		ct_tb_printf(&b, "\n");
	}
	for (uint64_t i = 0; i < pc->nblocks; i++) {
		ct_tb_printf(&b, "0x%" PRIx64, pc->start_pfn[i]);
		for (int c = 0; c < CT_FC_NCLASSES; c++)
			ct_tb_printf(&b, " %" PRIu32, pc->blocks[i].pages[c]);
		for (int k = 0; pc->strides_known && k < CT_FC_STRIDES; k++)
			ct_tb_printf(&b, " %" PRIu32, pc->blocks[i].seen_at_stride[k]);
		ct_tb_printf(&b, "\n");
	}
	for (uint32_t i = 0; i < pc->nowners; i++) {
		const struct ct_fc_owner *o = &pc->owners[i];

		ct_tb_printf(&b, "owner %s %" PRIu64 " %" PRIu64 " %" PRIu64 " %s\n", ct_fc_reason_name(o->reason),
			o->pages, o->blocks, o->cgroup_ino, o->cgroup);
	}
	if (b.failed) {
		free(b.p);
		return -CT_E_NOMEM;
	}
	if (!b.p)
		return -CT_E_NOMEM;
	*text = b.p;
	*len = b.len;
	return 0;
}

/* ---- parsing ------------------------------------------------------------- */

struct cursor {
	const char *p, *end;
	unsigned long no;
};

static int fail(char *err, size_t errlen, unsigned long no, const char *why)
{
	if (err && errlen)
		snprintf(err, errlen, "pageblock-classes line %lu: %s", no, why);
	return -CT_E_PARSE;
}

static void skip_blanks(struct cursor *c)
{
	while (c->p < c->end && (*c->p == ' ' || *c->p == '\t' || *c->p == '\r'))
		c->p++;
}

/* an unsigned decimal or 0x-hex number; -1 when none or it overflows */
static int num(struct cursor *c, uint64_t *out)
{
	uint64_t v = 0;
	int base = 10, digits = 0;

	skip_blanks(c);
	if (c->end - c->p > 2 && c->p[0] == '0' && (c->p[1] == 'x' || c->p[1] == 'X')) {
		base = 16;
		c->p += 2;
	}
	for (; c->p < c->end; c->p++, digits++) {
		char ch = *c->p;
		unsigned d;

		if (ch >= '0' && ch <= '9')
			d = (unsigned)(ch - '0');
		else if (base == 16 && ch >= 'a' && ch <= 'f')
			d = (unsigned)(ch - 'a' + 10);
		else if (base == 16 && ch >= 'A' && ch <= 'F')
			d = (unsigned)(ch - 'A' + 10);
		else
			break;
		if (v > (UINT64_MAX - d) / (uint64_t)base)
			return -1;
		v = v * (uint64_t)base + d;
	}
	if (!digits)
		return -1;
	*out = v;
	return 0;
}

static size_t word(struct cursor *c, const char **w)
{
	skip_blanks(c);
	*w = c->p;
	while (c->p < c->end && *c->p != ' ' && *c->p != '\t' && *c->p != '\r')
		c->p++;
	return (size_t)(c->p - *w);
}

static int starts(const struct cursor *c, const char *s)
{
	size_t n = strlen(s);

	return (size_t)(c->end - c->p) >= n && memcmp(c->p, s, n) == 0;
}

static int parse_owner(struct cursor *c, struct ct_pbclass *pc, char *err, size_t errlen)
{
	struct ct_fc_owner ow = { 0 };
	const char *w;
	size_t n = word(c, &w), plen;
	int r = -1;

	for (int i = 0; i < CT_FC_NREASONS; i++)
		if (strlen(ct_fc_reason_name((enum ct_fc_reason)i)) == n &&
		    memcmp(ct_fc_reason_name((enum ct_fc_reason)i), w, n) == 0)
			r = i;
	if (r < 0 || num(c, &ow.pages) < 0 || num(c, &ow.blocks) < 0 || num(c, &ow.cgroup_ino) < 0)
		return fail(err, errlen, c->no, "expected \"owner REASON PAGES PAGEBLOCKS CGROUP_INO PATH\"");
	ow.reason = (enum ct_fc_reason)r;
	skip_blanks(c);
	plen = (size_t)(c->end - c->p);
	if (plen >= sizeof(ow.cgroup))
		plen = sizeof(ow.cgroup) - 1;
	memcpy(ow.cgroup, c->p, plen);
	ow.cgroup[plen] = '\0';
	return ct_pbclass_add_owner(pc, &ow);
}

int ct_pbclass_parse(const char *text, size_t len, struct ct_pbclass *pc, char *err, size_t errlen)
{
	const char *pos = text, *end = text + len;
	struct cursor c = { 0 };
	int magic = 0, ret;

	while (pos < end) {
		const char *nl = memchr(pos, '\n', (size_t)(end - pos));
		struct ct_fc_block blk = { 0 };
		uint64_t v, pfn;

		c.p = pos;
		c.end = nl ? nl : end;
		c.no++;
		pos = nl ? nl + 1 : end;
		skip_blanks(&c);
		if (c.p == c.end)
			continue;
		if (c.no == 1 || !magic) {
			if ((size_t)(c.end - c.p) != strlen(MAGIC) || !starts(&c, MAGIC))
				return fail(err, errlen, c.no, "not a compactrace pageblock-classes item");
			magic = 1;
			continue;
		}
		if (*c.p == '#') {
			c.p++;
			skip_blanks(&c);
			if (starts(&c, "pageblock_order")) {
				c.p += strlen("pageblock_order");
				if (num(&c, &v) < 0 || v < 1 || v > 19)
					return fail(err, errlen, c.no, "bad pageblock_order");
				pc->pageblock_order = (int)v;
			} else if (starts(&c, "strides")) {
				c.p += strlen("strides");
				if (pc->nblocks)
					return fail(err, errlen, c.no, "\"# strides\" after the first pageblock line");
				for (int k = 1; k <= CT_FC_STRIDES; k++)
					if (num(&c, &v) < 0 || v != 1ULL << k)
						return fail(err, errlen, c.no, "expected \"# strides 2 4 8 16 32\"");
				pc->strides_known = 1;
			} else if (starts(&c, "order")) {
				c.p += strlen("order");
				if (num(&c, &v) < 0 || v < 1 || v > 19)
					return fail(err, errlen, c.no, "bad order");
				pc->order = (int)v;
			}
			continue;
		}
		if (starts(&c, "owner ")) {
			c.p += strlen("owner");
			ret = parse_owner(&c, pc, err, errlen);
			if (ret < 0)
				return ret;
			continue;
		}
		if (!pc->pageblock_order || !pc->order)
			return fail(err, errlen, c.no, "a pageblock line before \"# pageblock_order\" and \"# order\"");
		if (num(&c, &pfn) < 0)
			return fail(err, errlen, c.no, "expected \"0xSTART_PFN\" and a count per class");
		for (int k = 0; k < CT_FC_NCLASSES; k++) {
			if (num(&c, &v) < 0)
				return fail(err, errlen, c.no, "a count is missing or not a number");
			if (v > (1ULL << pc->pageblock_order))
				return fail(err, errlen, c.no, "more pages than a pageblock holds");
			blk.pages[k] = (uint32_t)v;
		}
		for (int k = 0; pc->strides_known && k < CT_FC_STRIDES; k++) {
			if (num(&c, &v) < 0)
				return fail(err, errlen, c.no, "a count per stride (\"# strides\") is missing");
			if (v > (1ULL << pc->pageblock_order))
				return fail(err, errlen, c.no, "more pages seen at a stride than a pageblock holds");
			blk.seen_at_stride[k] = (uint32_t)v;
		}
		skip_blanks(&c);
		if (c.p != c.end)
			return fail(err, errlen, c.no, "more columns than classes");
		if (pfn & ((1ULL << pc->pageblock_order) - 1))
			return fail(err, errlen, c.no, "a pageblock that does not start on a pageblock boundary");
		ret = ct_pbclass_append(pc, pfn, &blk);
		if (ret == -CT_E_INVAL)
			return fail(err, errlen, c.no, "pageblocks out of order");
		if (ret < 0)
			return ret;
	}
	if (!magic)
		return fail(err, errlen, 1, "empty");
	if (!pc->pageblock_order || !pc->order)
		return fail(err, errlen, c.no, "no \"# pageblock_order\" or \"# order\" line");
	return 0;
}

