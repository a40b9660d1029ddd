// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * /proc texts (buddyinfo, pagetypeinfo, zoneinfo) and record's snapshot
 * items (kpageflags summary, free map) parsed into struct ct_memsnap.
 * No I/O: the caller hands in bytes. Input is never trusted: numbers are
 * range-checked and every failure names the item and line.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compactrace/error.h"
#include "compactrace/memsnap.h"

#define FREE_MAP_MAGIC "CTFREEMAP1\n"
#define FREE_MAP_MAGIC_LEN 11
#define FREE_MAP_HEADER (FREE_MAP_MAGIC_LEN + 4 * 8)
#define PAGETYPE_CAP 100000	/* pagetypeinfo prints ">100000" past this */

/* ---- a cursor over one line ---------------------------------------------- */

struct line {
	const char *p, *end;	/* the unread rest of the line */
	unsigned long no;	/* 1-based line number */
};

/* Next line of @text; returns 0 at the end. @pos is the offset of the next line. */
static int next_line(const char *text, size_t len, size_t *pos, struct line *l)
{
	const char *s, *nl;

	if (*pos >= len)
		return 0;
	s = text + *pos;
	nl = memchr(s, '\n', len - *pos);
	l->p = s;
	l->end = nl ? nl : text + len;
	*pos = (size_t)(l->end - text) + (nl ? 1 : 0);
	l->no++;
	return 1;
}

static void skip_space(struct line *l)
{
	while (l->p < l->end && (*l->p == ' ' || *l->p == '\t' || *l->p == '\r'))
		l->p++;
}

/* The next whitespace-delimited word; returns its length (0 at the end). */
static size_t word(struct line *l, const char **w)
{
	const char *s;

	skip_space(l);
	s = l->p;
	while (l->p < l->end && *l->p != ' ' && *l->p != '\t' && *l->p != '\r')
		l->p++;
	*w = s;
	return (size_t)(l->p - s);
}

static int word_is(struct line *l, const char *want)
{
	const char *w;
	size_t n = word(l, &w);

	return n == strlen(want) && memcmp(w, want, n) == 0;
}

/* A decimal (or 0x hex) unsigned number; -1 when there is none or it overflows. */
static int number(struct line *l, uint64_t *out)
{
	uint64_t v = 0;
	int base = 10, digits = 0;

	skip_space(l);
	if (l->end - l->p > 2 && l->p[0] == '0' && (l->p[1] == 'x' || l->p[1] == 'X')) {
		base = 16;
		l->p += 2;
	}
	while (l->p < l->end) {
		char c = *l->p;
		unsigned d;

		if (c >= '0' && c <= '9')
			d = (unsigned)(c - '0');
		else if (base == 16 && c >= 'a' && c <= 'f')
			d = (unsigned)(c - 'a' + 10);
		else if (base == 16 && c >= 'A' && c <= 'F')
			d = (unsigned)(c - 'A' + 10);
		else
			break;
		if (v > (UINT64_MAX - d) / (uint64_t)base)
			return -1;
		v = v * (uint64_t)base + d;
		digits++;
		l->p++;
	}
	if (!digits)
		return -1;
	*out = v;
	return 0;
}

static int line_starts(const struct line *l, const char *prefix)
{
	size_t n = strlen(prefix);

	return (size_t)(l->end - l->p) >= n && memcmp(l->p, prefix, n) == 0;
}

static int fail(char *err, size_t errlen, const char *item, unsigned long no, const char *why)
{
	if (err && errlen)
		snprintf(err, errlen, "%s line %lu: %s", item, no, why);
	return -CT_E_PARSE;
}

/* ---- zones -------------------------------------------------------------- */

static void copy_name(char *dst, const char *src, size_t n)
{
	if (n >= CT_ZONE_LEN)
		n = CT_ZONE_LEN - 1;
	memcpy(dst, src, n);
	dst[n] = '\0';
}

static struct ct_memsnap_zone *zone_get(struct ct_memsnap *s, int32_t nid, const char *name, size_t n)
{
	struct ct_memsnap_zone *z;
	char key[CT_ZONE_LEN];

	copy_name(key, name, n);
	for (uint32_t i = 0; i < s->nzones; i++)
		if (s->zones[i].nid == nid && strcmp(s->zones[i].name, key) == 0)
			return &s->zones[i];
	if (s->nzones == s->zones_cap) {
		uint32_t ncap = s->zones_cap ? s->zones_cap * 2 : 8;
		struct ct_memsnap_zone *nz = realloc(s->zones, ncap * sizeof(*nz));

		if (!nz)
			return NULL;
		s->zones = nz;
		s->zones_cap = ncap;
	}
	z = &s->zones[s->nzones++];
	memset(z, 0, sizeof(*z));
	z->nid = nid;
	memcpy(z->name, key, sizeof(key));
	return z;
}

/*
 * "Node 0, zone   Normal" (buddyinfo, zoneinfo, pagetypeinfo blocks) or
 * "Node    0, zone   Normal, type  Movable" (pagetypeinfo free counts):
 * reads the node, the zone name (without a trailing ',') and leaves the
 * cursor after it. Returns 0 or -1.
 */
static int node_zone(struct line *l, int32_t *nid, const char **name, size_t *name_len)
{
	uint64_t v;
	const char *w;
	size_t n;

	if (!word_is(l, "Node") || number(l, &v) < 0 || v > INT32_MAX)
		return -1;
	if (l->p < l->end && *l->p == ',')
		l->p++;
	if (!word_is(l, "zone"))
		return -1;
	n = word(l, &w);
	if (n && w[n - 1] == ',')
		n--;
	if (!n)
		return -1;
	*nid = (int32_t)v;
	*name = w;
	*name_len = n;
	return 0;
}

struct ct_memsnap *ct_memsnap_new(void)
{
	struct ct_memsnap *s = calloc(1, sizeof(*s));

	if (s)
		s->extfrag_threshold = -1;
	return s;
}

void ct_memsnap_free(struct ct_memsnap *snap)
{
	if (!snap)
		return;
	free(snap->zones);
	free(snap->kpf);
	free(snap->free_map.classes);
	free(snap);
}

const struct ct_memsnap_zone *ct_memsnap_zone_find(const struct ct_memsnap *snap, int32_t nid,
						   const char *name)
{
	size_t n;

	while (*name == ' ')
		name++;
	n = strcspn(name, " ");
	for (uint32_t i = 0; i < snap->nzones; i++)
		if (snap->zones[i].nid == nid && strlen(snap->zones[i].name) == n &&
		    memcmp(snap->zones[i].name, name, n) == 0)
			return &snap->zones[i];
	return NULL;
}

const struct ct_memsnap_zone *ct_memsnap_zone_by_pfn(const struct ct_memsnap *snap, uint64_t pfn)
{
	for (uint32_t i = 0; i < snap->nzones; i++) {
		const struct ct_memsnap_zone *z = &snap->zones[i];

		if (z->has_start_pfn && z->spanned && pfn >= z->start_pfn && pfn - z->start_pfn < z->spanned)
			return z;
	}
	return NULL;
}

/* ---- buddyinfo ---------------------------------------------------------- */

int ct_memsnap_parse_buddyinfo(struct ct_memsnap *snap, const char *text, size_t len,
			       char *err, size_t errlen)
{
	struct line l = { 0 };
	size_t pos = 0;
	int lines = 0;

	while (next_line(text, len, &pos, &l)) {
		struct ct_memsnap_zone *z;
		const char *name;
		size_t nlen;
		int32_t nid;
		int o = 0;

		skip_space(&l);
		if (l.p == l.end)
			continue;
		if (node_zone(&l, &nid, &name, &nlen) < 0)
			return fail(err, errlen, "buddyinfo", l.no, "expected \"Node N, zone NAME counts...\"");
		z = zone_get(snap, nid, name, nlen);
		if (!z)
			return -CT_E_NOMEM;
		for (;;) {
			uint64_t v;

			skip_space(&l);
			if (l.p == l.end)
				break;
			if (o == CT_MEMSNAP_ORDERS)
				return fail(err, errlen, "buddyinfo", l.no, "more orders than any kernel has");
			if (number(&l, &v) < 0)
				return fail(err, errlen, "buddyinfo", l.no, "a free count is not a number");
			z->free_blocks[o++] = v;
		}
		if (o == 0)
			return fail(err, errlen, "buddyinfo", l.no, "no free counts");
		if (snap->norders && o != snap->norders)
			return fail(err, errlen, "buddyinfo", l.no, "zones list different numbers of orders");
		snap->norders = o;
		z->has_buddy = 1;
		lines++;
	}
	if (!lines)
		return fail(err, errlen, "buddyinfo", 1, "no zone lines");
	return 0;
}

/* ---- pagetypeinfo ------------------------------------------------------- */

static int type_index(struct ct_memsnap *snap, const char *w, size_t n)
{
	for (int i = 0; i < snap->ntypes; i++)
		if (strlen(snap->type_names[i]) == n && memcmp(snap->type_names[i], w, n) == 0)
			return i;
	return -1;
}

int ct_memsnap_parse_pagetypeinfo(struct ct_memsnap *snap, const char *text, size_t len,
				  char *err, size_t errlen)
{
	struct line l = { 0 };
	size_t pos = 0;
	int in_blocks = 0, ntypes_free = 0, free_orders = 0;
	char free_types[CT_MEMSNAP_TYPES][16];

	memset(free_types, 0, sizeof(free_types));
	while (next_line(text, len, &pos, &l)) {
		struct ct_memsnap_zone *z;
		const char *name, *w;
		size_t nlen, n;
		int32_t nid;
		uint64_t v;

		skip_space(&l);
		if (l.p == l.end)
			continue;
		if (line_starts(&l, "Page block order:")) {
			l.p += strlen("Page block order:");
			if (number(&l, &v) < 0 || v < 1 || v > 20)
				return fail(err, errlen, "pagetypeinfo", l.no, "bad page block order");
			snap->pageblock_order = (int)v;
			continue;
		}
		if (line_starts(&l, "Free pages count per migrate type at order")) {
			l.p += strlen("Free pages count per migrate type at order");
			free_orders = 0;
			while (number(&l, &v) == 0)
				free_orders++;
			if (!free_orders || free_orders > CT_MEMSNAP_ORDERS)
				return fail(err, errlen, "pagetypeinfo", l.no, "bad order header");
			in_blocks = 0;
			continue;
		}
		if (line_starts(&l, "Number of blocks type")) {
			l.p += strlen("Number of blocks type");
			snap->ntypes = 0;
			while ((n = word(&l, &w)) != 0) {
				if (snap->ntypes == CT_MEMSNAP_TYPES)
					return fail(err, errlen, "pagetypeinfo", l.no, "too many migratetypes");
				copy_name(snap->type_names[snap->ntypes++], w, n < 15 ? n : 15);
			}
			in_blocks = 1;
			continue;
		}
		if (!line_starts(&l, "Node"))
			continue;	/* "Pages per block", "Number of mixed blocks", ... */
		if (node_zone(&l, &nid, &name, &nlen) < 0)
			return fail(err, errlen, "pagetypeinfo", l.no, "expected \"Node N, zone NAME\"");
		z = zone_get(snap, nid, name, nlen);
		if (!z)
			return -CT_E_NOMEM;
		if (in_blocks) {
			for (int t = 0; t < snap->ntypes; t++) {
				if (number(&l, &v) < 0)
					return fail(err, errlen, "pagetypeinfo", l.no, "a block count is not a number");
				z->blocks_by_type[t] = v;
			}
			z->has_block_counts = 1;
			continue;
		}
		/* free counts: "..., type    Movable   c0 c1 ..." */
		if (!word_is(&l, "type") || (n = word(&l, &w)) == 0)
			return fail(err, errlen, "pagetypeinfo", l.no, "expected \", type NAME\"");
		{
			int t = -1;

			for (int i = 0; i < ntypes_free; i++)
				if (strlen(free_types[i]) == n && memcmp(free_types[i], w, n) == 0)
					t = i;
			if (t < 0) {
				if (ntypes_free == CT_MEMSNAP_TYPES)
					return fail(err, errlen, "pagetypeinfo", l.no, "too many migratetypes");
				t = ntypes_free++;
				copy_name(free_types[t], w, n < 15 ? n : 15);
			}
			for (int o = 0; o < free_orders; o++) {
				skip_space(&l);
				if (l.p < l.end && *l.p == '>') {	/* ">100000": the kernel stopped counting */
					l.p++;
					z->types_capped = 1;
				}
				if (number(&l, &v) < 0)
					return fail(err, errlen, "pagetypeinfo", l.no, "a free count is not a number");
				z->free_by_type[t][o] = v;
			}
			z->has_types = 1;
		}
	}
	/* free-count rows use the same type order as the block table; keep the names */
	if (!snap->ntypes && ntypes_free) {
		snap->ntypes = ntypes_free;
		memcpy(snap->type_names, free_types, sizeof(free_types));
	} else {
		for (int i = 0; i < ntypes_free; i++)
			if (type_index(snap, free_types[i], strlen(free_types[i])) != i)
				return fail(err, errlen, "pagetypeinfo", 1,
					    "free counts and block counts list migratetypes differently");
	}
	if (!snap->pageblock_order && !ntypes_free && !snap->ntypes)
		return fail(err, errlen, "pagetypeinfo", 1, "nothing recognizable");
	if (snap->norders && free_orders && free_orders != snap->norders)
		return fail(err, errlen, "pagetypeinfo", 1, "a different number of orders than buddyinfo");
	if (!snap->norders && free_orders)
		snap->norders = free_orders;
	return 0;
}

/* ---- zoneinfo ----------------------------------------------------------- */

/* "key value": reads the value after a word equal to @key (optionally followed by ':') */
static int key_value(struct line *l, const char *key, uint64_t *out)
{
	struct line c = *l;
	const char *w;
	size_t n = word(&c, &w), klen = strlen(key);

	if (n == klen + 1 && w[klen] == ':')
		n--;
	if (n != klen || memcmp(w, key, klen) != 0)
		return 0;
	if (number(&c, out) < 0)
		return -1;
	return 1;
}

int ct_memsnap_parse_zoneinfo(struct ct_memsnap *snap, const char *text, size_t len,
			      char *err, size_t errlen)
{
	struct line l = { 0 };
	struct ct_memsnap_zone *z = NULL;
	size_t pos = 0;
	int in_pagesets = 0, zones = 0;

	while (next_line(text, len, &pos, &l)) {
		uint64_t v;
		int r;

		skip_space(&l);
		if (l.p == l.end)
			continue;
		if (line_starts(&l, "Node")) {
			const char *name;
			size_t nlen;
			int32_t nid;

			if (node_zone(&l, &nid, &name, &nlen) < 0)
				return fail(err, errlen, "zoneinfo", l.no, "expected \"Node N, zone NAME\"");
			z = zone_get(snap, nid, name, nlen);
			if (!z)
				return -CT_E_NOMEM;
			z->has_zoneinfo = 1;
			z->pcp_count = z->pcp_high = 0;
			z->pcp_cpus = 0;
			in_pagesets = 0;
			zones++;
			continue;
		}
		if (!z)
			continue;
		if (line_starts(&l, "pages free")) {
			l.p += strlen("pages free");
			if (number(&l, &v) < 0)
				return fail(err, errlen, "zoneinfo", l.no, "bad \"pages free\"");
			z->free_pages = v;
			continue;
		}
		if (line_starts(&l, "pagesets")) {
			in_pagesets = 1;
			continue;
		}
		if (line_starts(&l, "protection:")) {
			l.p += strlen("protection:");
			skip_space(&l);
			if (l.p < l.end && *l.p == '(')
				l.p++;
			z->nprotection = 0;
			while (z->nprotection < CT_MEMSNAP_PROTECTION && number(&l, &v) == 0) {
				z->protection[z->nprotection++] = v;
				skip_space(&l);
				if (l.p < l.end && *l.p == ',')
					l.p++;
			}
			continue;
		}
		if ((r = key_value(&l, "start_pfn", &v)) != 0) {
			if (r < 0)
				return fail(err, errlen, "zoneinfo", l.no, "bad start_pfn");
			z->start_pfn = v;
			z->has_start_pfn = 1;
			continue;
		}
		if ((r = key_value(&l, "node_unreclaimable", &v)) != 0) {
			if (r < 0)
				return fail(err, errlen, "zoneinfo", l.no, "bad node_unreclaimable");
			z->node_unreclaimable = v != 0;
			continue;
		}
		if (in_pagesets) {
			struct ct_memsnap_pcp *c = z->pcp_cpus && z->pcp_cpus <= CT_MEMSNAP_PCP_CPUS ?
						   &z->pcp[z->pcp_cpus - 1] : NULL;

			if (line_starts(&l, "cpu:")) {
				if (z->pcp_cpus < CT_MEMSNAP_CPUS)
					z->pcp_cpus++;
				continue;
			}
			if ((r = key_value(&l, "count", &v)) > 0) {
				z->pcp_count += v;
				if (c)
					c->count = (uint32_t)(v < UINT32_MAX ? v : UINT32_MAX);
			} else if (r == 0 && (r = key_value(&l, "high", &v)) > 0) {
				z->pcp_high += v;
				if (c)
					c->high = (uint32_t)(v < UINT32_MAX ? v : UINT32_MAX);
			} else if (r == 0 && (r = key_value(&l, "batch", &v)) > 0) {
				if (c)
					c->batch = (uint32_t)(v < UINT32_MAX ? v : UINT32_MAX);
			} else if (r == 0 && (r = key_value(&l, "high_min", &v)) > 0) {
				if (c)
					c->high_min = (uint32_t)(v < UINT32_MAX ? v : UINT32_MAX);
			} else if (r == 0 && (r = key_value(&l, "high_max", &v)) > 0) {
				if (c)
					c->high_max = (uint32_t)(v < UINT32_MAX ? v : UINT32_MAX);
			}
			if (r < 0)
				return fail(err, errlen, "zoneinfo", l.no, "bad pageset number");
			continue;
		}
		/* the watermark block: "min N", "low N", "high N", "spanned N", ... */
		if ((r = key_value(&l, "min", &z->wmark_min)) || (r = key_value(&l, "low", &z->wmark_low)) ||
		    (r = key_value(&l, "high", &z->wmark_high)) || (r = key_value(&l, "spanned", &z->spanned)) ||
		    (r = key_value(&l, "present", &z->present)) || (r = key_value(&l, "managed", &z->managed))) {
			if (r < 0)
				return fail(err, errlen, "zoneinfo", l.no, "a zone number is not a number");
		}
	}
	if (!zones)
		return fail(err, errlen, "zoneinfo", 1, "no \"Node N, zone NAME\" line");
	return 0;
}

/* ---- kpageflags summary ------------------------------------------------- */

int ct_memsnap_parse_kpageflags_summary(struct ct_memsnap *snap, const char *text, size_t len,
					char *err, size_t errlen)
{
	struct line l = { 0 };
	size_t pos = 0;
	uint64_t last = 0;

	snap->nkpf = 0;
	while (next_line(text, len, &pos, &l)) {
		struct ct_memsnap_kpf_block *b;
		uint64_t v[5];

		skip_space(&l);
		if (l.p == l.end)
			continue;
		if (*l.p == '#') {
			l.p++;
			if (word_is(&l, "pageblock_order")) {
				uint64_t o;

				if (number(&l, &o) < 0 || o < 1 || o > 20)
					return fail(err, errlen, "kpageflags-summary", l.no, "bad pageblock_order");
				snap->kpf_pageblock_order = (int)o;
			}
			continue;
		}
		if (line_starts(&l, "total"))
			continue;
		for (int i = 0; i < 5; i++)
			if (number(&l, &v[i]) < 0 || (i > 0 && v[i] > UINT32_MAX))
				return fail(err, errlen, "kpageflags-summary", l.no,
					    "expected \"0xSTART FREE LRU SLAB OTHER\"");
		if (snap->nkpf && v[0] <= last)
			return fail(err, errlen, "kpageflags-summary", l.no, "pageblocks out of order");
		last = v[0];
		if (snap->nkpf == snap->kpf_cap) {
			uint64_t ncap = snap->kpf_cap ? snap->kpf_cap * 2 : 1024;
			struct ct_memsnap_kpf_block *nb = realloc(snap->kpf, ncap * sizeof(*nb));

			if (!nb)
				return -CT_E_NOMEM;
			snap->kpf = nb;
			snap->kpf_cap = ncap;
		}
		b = &snap->kpf[snap->nkpf++];
		b->start_pfn = v[0];
		b->free = (uint32_t)v[1];
		b->lru = (uint32_t)v[2];
		b->slab = (uint32_t)v[3];
		b->other = (uint32_t)v[4];
	}
	if (!snap->kpf_pageblock_order)
		return fail(err, errlen, "kpageflags-summary", 1, "no \"# pageblock_order N\" line");
	return 0;
}

/* ---- free map ----------------------------------------------------------- */

static uint64_t get_le64(const unsigned char *p)
{
	uint64_t v = 0;

	for (int i = 7; i >= 0; i--)
		v = v << 8 | p[i];
	return v;
}

static void put_le64(unsigned char *p, uint64_t v)
{
	for (int i = 0; i < 8; i++, v >>= 8)
		p[i] = (unsigned char)v;
}

int ct_memsnap_parse_free_map(struct ct_memsnap *snap, const void *data, size_t len,
			      char *err, size_t errlen)
{
	const unsigned char *p = data;
	struct ct_memsnap_free_map m = { 0 };
	uint64_t bytes;

	if (len < FREE_MAP_HEADER || memcmp(p, FREE_MAP_MAGIC, FREE_MAP_MAGIC_LEN) != 0)
		return fail(err, errlen, "free-map", 1, "not a compactrace free map (bad magic)");
	m.start_pfn = get_le64(p + FREE_MAP_MAGIC_LEN);
	m.npfns = get_le64(p + FREE_MAP_MAGIC_LEN + 8);
	m.ts_begin_ns = get_le64(p + FREE_MAP_MAGIC_LEN + 16);
	m.ts_end_ns = get_le64(p + FREE_MAP_MAGIC_LEN + 24);
	bytes = m.npfns / 4 + (m.npfns % 4 != 0);
	if (m.npfns == 0 || m.npfns > (UINT64_MAX >> 4) || bytes != len - FREE_MAP_HEADER ||
	    m.start_pfn > UINT64_MAX - m.npfns)
		return fail(err, errlen, "free-map", 1, "length does not match its pfn count");
	m.classes = malloc(bytes);
	if (!m.classes)
		return -CT_E_NOMEM;
	memcpy(m.classes, p + FREE_MAP_HEADER, bytes);
	free(snap->free_map.classes);
	snap->free_map = m;
	return 0;
}

int ct_memsnap_free_map_init(struct ct_memsnap_free_map *map, uint64_t start_pfn, uint64_t npfns)
{
	memset(map, 0, sizeof(*map));
	if (!npfns || npfns > (UINT64_MAX >> 4))
		return -CT_E_INVAL;
	map->classes = calloc(npfns / 4 + 1, 1);
	if (!map->classes)
		return -CT_E_NOMEM;
	map->start_pfn = start_pfn;
	map->npfns = npfns;
	return 0;
}

int ct_memsnap_encode_free_map(const struct ct_memsnap_free_map *map, unsigned char **out,
			       size_t *out_len)
{
	uint64_t bytes = map->npfns / 4 + (map->npfns % 4 != 0);
	unsigned char *b = malloc(FREE_MAP_HEADER + bytes);

	*out = NULL;
	*out_len = 0;
	if (!b)
		return -CT_E_NOMEM;
	memcpy(b, FREE_MAP_MAGIC, FREE_MAP_MAGIC_LEN);
	put_le64(b + FREE_MAP_MAGIC_LEN, map->start_pfn);
	put_le64(b + FREE_MAP_MAGIC_LEN + 8, map->npfns);
	put_le64(b + FREE_MAP_MAGIC_LEN + 16, map->ts_begin_ns);
	put_le64(b + FREE_MAP_MAGIC_LEN + 24, map->ts_end_ns);
	if (bytes)
		memcpy(b + FREE_MAP_HEADER, map->classes, bytes);
	*out = b;
	*out_len = FREE_MAP_HEADER + bytes;
	return 0;
}

/* ---- one-number items --------------------------------------------------- */

int ct_memsnap_parse_number(const char *text, size_t len, int64_t *out)
{
	struct line l = { 0 };
	size_t pos = 0;
	uint64_t v;
	int neg = 0;

	if (!next_line(text, len, &pos, &l))
		return -CT_E_PARSE;
	skip_space(&l);
	if (l.p < l.end && *l.p == '-') {
		neg = 1;
		l.p++;
	}
	if (number(&l, &v) < 0 || v > INT64_MAX)
		return -CT_E_PARSE;
	skip_space(&l);
	if (l.p != l.end)
		return -CT_E_PARSE;
	*out = neg ? -(int64_t)v : (int64_t)v;
	return 0;
}
