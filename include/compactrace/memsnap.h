/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef COMPACTRACE_MEMSNAP_H
#define COMPACTRACE_MEMSNAP_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "compactrace/event.h"

/*
 * A memory-state snapshot parsed into structs: the /proc texts a capture
 * keeps at its start and end (buddyinfo, pagetypeinfo, zoneinfo, the
 * kpageflags summary and free map `compactrace record` stores, page-size,
 * extfrag_threshold). Parsing only: no I/O, every number checked, every
 * failure named by item and line. The shadow buddy model is seeded from
 * one of these and compared with another.
 */

#define CT_MEMSNAP_ORDERS 16	/* buddy orders 0..15: MAX_PAGE_ORDER is 10 on x86-64, 13 on arm64/64K */
#define CT_MEMSNAP_TYPES 8	/* migratetype columns of pagetypeinfo */
#define CT_MEMSNAP_CPUS 1024	/* per-CPU pagesets summed over at most this many CPUs */
#define CT_MEMSNAP_PROTECTION 8	/* lowmem_reserve entries ("protection: (...)") */
#define CT_MEMSNAP_PCP_CPUS 64	/* per-CPU pagesets kept one by one (the sums cover all CPUs) */

/* One CPU's per-CPU pageset of a zone ("pagesets" in zoneinfo). */
struct ct_memsnap_pcp {
	uint32_t count, high, batch, high_min, high_max;
};

/* What a zone's texts said; each part has its own "has_" flag. */
struct ct_memsnap_zone {
	int32_t nid;
	char name[CT_ZONE_LEN];

	/* buddyinfo: free blocks per order */
	uint8_t has_buddy;
	uint64_t free_blocks[CT_MEMSNAP_ORDERS];

	/* pagetypeinfo: free blocks per migratetype and order, pageblocks per type */
	uint8_t has_types, has_block_counts;
	uint8_t types_capped;	/* a count printed as ">100000" (the kernel caps its walk) */
	uint64_t free_by_type[CT_MEMSNAP_TYPES][CT_MEMSNAP_ORDERS];
	uint64_t blocks_by_type[CT_MEMSNAP_TYPES];

	/* zoneinfo */
	uint8_t has_zoneinfo, has_start_pfn;
	uint64_t start_pfn, spanned, present, managed, free_pages;
	uint64_t wmark_min, wmark_low, wmark_high;
	uint64_t protection[CT_MEMSNAP_PROTECTION];
	uint32_t nprotection;
	uint64_t pcp_count, pcp_high;	/* summed over CPUs ("pagesets") */
	uint8_t node_unreclaimable;	/* the node's kswapd has given up: its passes reclaimed nothing */
	uint32_t pcp_cpus;
	struct ct_memsnap_pcp pcp[CT_MEMSNAP_PCP_CPUS];	/* the first CT_MEMSNAP_PCP_CPUS CPUs */
};

/* One line of the kpageflags summary: pages of one pageblock. */
struct ct_memsnap_kpf_block {
	uint64_t start_pfn;
	uint32_t free, lru, slab, other;
};

/*
 * The per-pfn free map `record` keeps (item "free-map"), made from
 * /proc/kpageflags; see ct_memsnap_parse_free_map() for the byte layout.
 * The kernel flags every page of a free buddy block KPF_BUDDY (the first
 * page by PG_buddy, the others because their count is 0 and
 * is_free_buddy_page() finds them: fs/proc/page.c), so the free pfns are
 * known exactly and, since the kernel merges every free block with its
 * free buddy, so are the blocks: the largest aligned runs of free pfns.
 * Pages on per-CPU lists are free but not in a buddy block: they read as
 * CT_PFN_NOFLAGS, like unflagged allocations.
 */
enum ct_pfn_class {
	CT_PFN_USED = 0,	/* a page with some flag: allocated */
	CT_PFN_FREE = 1,	/* KPF_BUDDY: in a free buddy block */
	CT_PFN_NOFLAGS = 2,	/* no flag: a per-CPU list page or an unflagged allocation */
	CT_PFN_NOPAGE = 3,	/* KPF_NOPAGE: no struct page (a hole) */
};

/** ct_pfn_class_of_kpageflags() - the class of one /proc/kpageflags word */
static inline enum ct_pfn_class ct_pfn_class_of_kpageflags(uint64_t flags)
{
	if (flags & (1ULL << 20))	/* KPF_NOPAGE */
		return CT_PFN_NOPAGE;
	if (flags & (1ULL << 10))	/* KPF_BUDDY */
		return CT_PFN_FREE;
	return flags ? CT_PFN_USED : CT_PFN_NOFLAGS;
}

struct ct_memsnap_free_map {
	uint64_t start_pfn, npfns;
	uint64_t ts_begin_ns, ts_end_ns;	/* trace-clock window of the read; 0 when unknown */
	uint8_t *classes;	/* 2 bits per pfn, pfn start_pfn + i at bits 2*(i%4) of byte i/4 */
};

struct ct_memsnap {
	int norders;		/* buddyinfo columns (MAX_PAGE_ORDER + 1); 0 if no buddyinfo */
	int pageblock_order;	/* "Page block order:" of pagetypeinfo; 0 if unknown */
	int ntypes;		/* migratetype columns of pagetypeinfo */
	char type_names[CT_MEMSNAP_TYPES][16];
	struct ct_memsnap_zone *zones;	/* in text order */
	uint32_t nzones, zones_cap;

	struct ct_memsnap_kpf_block *kpf;	/* kpageflags summary, by pfn */
	uint64_t nkpf, kpf_cap;
	int kpf_pageblock_order;

	struct ct_memsnap_free_map free_map;	/* classes NULL when absent */

	uint64_t page_size;	/* bytes; 0 when no "page-size" item */
	int extfrag_threshold;	/* -1 when no "extfrag_threshold" item */
};

/** ct_memsnap_new() - an empty snapshot; NULL on allocation failure; free with ct_memsnap_free() */
struct ct_memsnap *ct_memsnap_new(void);

/** ct_memsnap_free() - free @snap and everything it holds; accepts NULL */
void ct_memsnap_free(struct ct_memsnap *snap);

/**
 * ct_memsnap_parse_buddyinfo() - parse /proc/buddyinfo text
 * @text, @len: the file's bytes (no NUL needed)
 * @err: receives "buddyinfo line N: why" on failure
 *
 * Returns 0, -CT_E_PARSE or -CT_E_NOMEM. Zones are created or completed
 * by (node, name); every parse function below does the same.
 */
int ct_memsnap_parse_buddyinfo(struct ct_memsnap *snap, const char *text, size_t len,
			       char *err, size_t errlen);

/**
 * ct_memsnap_parse_pagetypeinfo() - parse /proc/pagetypeinfo text
 *
 * Reads "Page block order", the free counts per migratetype (">100000" is
 * taken as 100000 and flagged) and the pageblock counts per migratetype.
 * Returns 0, -CT_E_PARSE or -CT_E_NOMEM.
 */
int ct_memsnap_parse_pagetypeinfo(struct ct_memsnap *snap, const char *text, size_t len,
				  char *err, size_t errlen);

/**
 * ct_memsnap_parse_zoneinfo() - parse /proc/zoneinfo text
 *
 * Reads start_pfn, spanned, present, managed, pages free, the min/low/high
 * watermarks, protection (lowmem_reserve) and the per-CPU pageset count and
 * high summed over CPUs. Returns 0, -CT_E_PARSE or -CT_E_NOMEM.
 */
int ct_memsnap_parse_zoneinfo(struct ct_memsnap *snap, const char *text, size_t len,
			      char *err, size_t errlen);

/**
 * ct_memsnap_parse_kpageflags_summary() - parse the "kpageflags-summary" item
 *
 * The format ct_kpageflags_summary() writes: '#' lines (one says
 * "# pageblock_order N"), then "0xSTART FREE LRU SLAB OTHER" per pageblock,
 * then "total ..." lines. Returns 0, -CT_E_PARSE or -CT_E_NOMEM.
 */
int ct_memsnap_parse_kpageflags_summary(struct ct_memsnap *snap, const char *text, size_t len,
					char *err, size_t errlen);

/**
 * ct_memsnap_parse_free_map() - parse the binary "free-map" item
 *
 * Layout, integers little-endian: "CTFREEMAP1\n" (11 bytes) | u64 start_pfn |
 * u64 npfns | u64 ts_begin_ns | u64 ts_end_ns | ceil(npfns / 4) bytes of
 * enum ct_pfn_class, 2 bits per pfn, lowest bits first. Returns 0,
 * -CT_E_PARSE (bad magic or length) or -CT_E_NOMEM; @snap keeps a copy.
 */
int ct_memsnap_parse_free_map(struct ct_memsnap *snap, const void *data, size_t len,
			      char *err, size_t errlen);

/**
 * ct_memsnap_encode_free_map() - the "free-map" bytes for @map (for record and tests)
 * @out: receives a malloc()ed buffer the caller frees; @out_len its length
 *
 * Returns 0 or -CT_E_NOMEM.
 */
int ct_memsnap_encode_free_map(const struct ct_memsnap_free_map *map, unsigned char **out,
			       size_t *out_len);

/**
 * ct_memsnap_free_map_init() - an all-CT_PFN_USED map of @npfns pfns from @start_pfn
 *
 * For record: set each pfn with ct_memsnap_free_map_set(), then
 * ct_memsnap_encode_free_map(). Returns 0 or -CT_E_NOMEM (-CT_E_INVAL for
 * no pfns); free @map->classes with free().
 */
int ct_memsnap_free_map_init(struct ct_memsnap_free_map *map, uint64_t start_pfn, uint64_t npfns);

/** ct_memsnap_free_map_set() - set the class of @pfn (ignored outside the map) */
static inline void ct_memsnap_free_map_set(struct ct_memsnap_free_map *map, uint64_t pfn,
					   enum ct_pfn_class c)
{
	uint64_t i;

	if (!map->classes || pfn < map->start_pfn || pfn - map->start_pfn >= map->npfns)
		return;
	i = pfn - map->start_pfn;
	map->classes[i / 4] = (uint8_t)((map->classes[i / 4] & ~(3u << (2 * (i % 4)))) |
					((unsigned)c << (2 * (i % 4))));
}

/** ct_memsnap_pfn_class() - the class of @pfn in @map; CT_PFN_NOPAGE outside it */
static inline enum ct_pfn_class ct_memsnap_pfn_class(const struct ct_memsnap_free_map *map,
						     uint64_t pfn)
{
	uint64_t i;

	if (!map->classes || pfn < map->start_pfn || pfn - map->start_pfn >= map->npfns)
		return CT_PFN_NOPAGE;
	i = pfn - map->start_pfn;
	return (enum ct_pfn_class)((map->classes[i / 4] >> (2 * (i % 4))) & 3);
}

/* the even bits of @x (the low bit of each 2-bit class) packed into 32 bits */
static inline uint64_t ct_memsnap_even_bits(uint64_t x)
{
	x &= 0x5555555555555555ULL;
	x = (x | (x >> 1)) & 0x3333333333333333ULL;
	x = (x | (x >> 2)) & 0x0f0f0f0f0f0f0f0fULL;
	x = (x | (x >> 4)) & 0x00ff00ff00ff00ffULL;
	x = (x | (x >> 8)) & 0x0000ffff0000ffffULL;
	return (x | (x >> 16)) & 0x00000000ffffffffULL;
}

/**
 * ct_memsnap_class_planes() - the classes of up to 64 pfns at once
 * @pfn: the first; @n: how many (1..64)
 * @lo, @hi: receive bit i = the low / high bit of the class of @pfn + i
 *           (CT_PFN_FREE: lo & ~hi, CT_PFN_NOFLAGS: hi & ~lo, CT_PFN_NOPAGE:
 *           lo & hi), bits from @n up clear
 *
 * The same as ct_memsnap_pfn_class() for each pfn (CT_PFN_NOPAGE outside
 * the map), a word at a time where the map allows it: for seeding a zone
 * of millions of pfns.
 */
static inline void ct_memsnap_class_planes(const struct ct_memsnap_free_map *map, uint64_t pfn,
					   unsigned n, uint64_t *lo, uint64_t *hi)
{
	uint64_t keep = n >= 64 ? ~0ULL : (1ULL << n) - 1, i = pfn - map->start_pfn;

	if (map->classes && pfn >= map->start_pfn && i % 4 == 0 && n <= map->npfns - i &&
	    i <= map->npfns) {
		const uint8_t *c = map->classes + i / 4;
		uint64_t w[2] = { 0, 0 };

		memcpy(w, c, (n + 3) / 4);	/* whole bytes of this map only */
#if __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
		w[0] = __builtin_bswap64(w[0]);
		w[1] = __builtin_bswap64(w[1]);
#endif
		*lo = (ct_memsnap_even_bits(w[0]) | ct_memsnap_even_bits(w[1]) << 32) & keep;
		*hi = (ct_memsnap_even_bits(w[0] >> 1) | ct_memsnap_even_bits(w[1] >> 1) << 32) & keep;
		return;
	}
	*lo = *hi = 0;
	for (unsigned k = 0; k < n; k++) {
		unsigned c = ct_memsnap_pfn_class(map, pfn + k);

		*lo |= (uint64_t)(c & 1) << k;
		*hi |= (uint64_t)(c >> 1) << k;
	}
}

/**
 * ct_memsnap_parse_number() - a one-number item ("page-size", "extfrag_threshold")
 * @out: receives the value
 *
 * Returns 0 or -CT_E_PARSE.
 */
int ct_memsnap_parse_number(const char *text, size_t len, int64_t *out);

/** ct_memsnap_zone_find() - the zone (@nid, @name) or NULL; @name may be space-padded */
const struct ct_memsnap_zone *ct_memsnap_zone_find(const struct ct_memsnap *snap, int32_t nid,
						   const char *name);

/**
 * ct_memsnap_zone_by_pfn() - the zone whose [start_pfn, start_pfn + spanned) holds @pfn
 *
 * Only zones with zoneinfo spans; NULL when none does.
 */
const struct ct_memsnap_zone *ct_memsnap_zone_by_pfn(const struct ct_memsnap *snap, uint64_t pfn);

#endif
