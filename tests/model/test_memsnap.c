// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The snapshot parsers on texts copied from a real 6.18 host (trimmed) and
 * on damaged ones: numbers land where they belong, bad input is refused
 * with the item and line named.
 */
#include <stdlib.h>
#include <string.h>

#include "../common/check.h"
#include "compactrace/error.h"
#include "compactrace/memsnap.h"

static const char buddyinfo[] =
	"Node 0, zone      DMA      0      0      0      0      0      0      0      0      1      1      3 \n"
	"Node 0, zone    DMA32      2      3      0      2      3      2      1      4      4      2    752 \n"
	"Node 0, zone   Normal  39224   1193    643    413    246    150     80     40     22      5    357 \n";

static const char pagetypeinfo[] =
	"Page block order: 9\n"
	"Pages per block:  512\n"
	"\n"
	"Free pages count per migrate type at order       0      1      2      3      4      5      6      7      8      9     10 \n"
	"Node    0, zone      DMA, type    Unmovable      0      0      0      0      0      0      0      0      1      0      0 \n"
	"Node    0, zone      DMA, type      Movable      0      0      0      0      0      0      0      0      0      1      3 \n"
	"Node    0, zone   Normal, type      Movable >100000    886    418    234    158     90     53     28      6      4    357 \n"
	"Node    0, zone   Normal, type  Reclaimable    256    275    222    175     85     60     26      9     15      0      0 \n"
	"\n"
	"Number of blocks type     Unmovable      Movable  Reclaimable   HighAtomic      Isolate \n"
	"Node 0, zone      DMA            1            7            0            0            0 \n"
	"Node 0, zone   Normal          167         1581           44            0            0 \n";

static const char zoneinfo[] =
	"Node 0, zone      DMA\n"
	"  per-node stats\n"
	"      nr_inactive_anon 68264\n"
	"  pages free     3840\n"
	"        boost    0\n"
	"        min      38\n"
	"        low      47\n"
	"        high     56\n"
	"        promo    65\n"
	"        spanned  4095\n"
	"        present  3998\n"
	"        managed  3840\n"
	"        protection: (0, 3018, 6602, 6602, 6602)\n"
	"      nr_free_pages 3840\n"
	"  pagesets\n"
	"    cpu: 0\n"
	"              count:    0\n"
	"              high:     0\n"
	"              batch:    1\n"
	"              high_min: 23\n"
	"              high_max: 240\n"
	"  vm stats threshold: 4\n"
	"  node_unreclaimable:  0\n"
	"  start_pfn:           1\n"
	"Node 0, zone   Normal\n"
	"  pages free     440235\n"
	"        boost    0\n"
	"        min      9150\n"
	"        low      11437\n"
	"        high     13724\n"
	"        spanned  5505024\n"
	"        present  5505024\n"
	"        managed  917504\n"
	"        protection: (0, 0, 0, 0, 0)\n"
	"  pagesets\n"
	"    cpu: 0\n"
	"              count:    37591\n"
	"              high:     38315\n"
	"              batch:    63\n"
	"              high_min: 5718\n"
	"              high_max: 57344\n"
	"  vm stats threshold: 24\n"
	"    cpu: 1\n"
	"              count:    43386\n"
	"              high:     43610\n"
	"              batch:    63\n"
	"              high_min: 5718\n"
	"              high_max: 57344\n"
	"  vm stats threshold: 24\n"
	"  node_unreclaimable:  0\n"
	"  start_pfn:           1048576\n"
	"Node 0, zone  Movable\n"
	"  pages free     0\n"
	"        spanned  0\n";

static void test_good(void)
{
	struct ct_memsnap *s = ct_memsnap_new();
	const struct ct_memsnap_zone *z;
	char err[256] = "";

	CHECK(s != NULL);
	if (!s)
		return;
	CHECK(s->extfrag_threshold == -1);
	CHECK(ct_memsnap_parse_buddyinfo(s, buddyinfo, strlen(buddyinfo), err, sizeof(err)) == 0);
	CHECK(ct_memsnap_parse_pagetypeinfo(s, pagetypeinfo, strlen(pagetypeinfo), err, sizeof(err)) == 0);
	CHECK(ct_memsnap_parse_zoneinfo(s, zoneinfo, strlen(zoneinfo), err, sizeof(err)) == 0);
	CHECK_STR(err, "");
	CHECK(s->norders == 11);
	CHECK(s->pageblock_order == 9);
	CHECK(s->ntypes == 5);
	CHECK_STR(s->type_names[3], "HighAtomic");
	CHECK(s->nzones == 4);
	z = ct_memsnap_zone_find(s, 0, "Normal");
	CHECK(z != NULL);
	if (z) {
		CHECK(z->has_buddy && z->has_types && z->has_block_counts && z->has_zoneinfo);
		CHECK_U64(z->free_blocks[0], 39224);
		CHECK_U64(z->free_blocks[10], 357);
		CHECK(z->types_capped == 1);
		CHECK_U64(z->free_by_type[1][0], 100000);
		CHECK_U64(z->free_by_type[2][1], 275);
		CHECK_U64(z->blocks_by_type[0], 167);
		CHECK_U64(z->blocks_by_type[1], 1581);
		CHECK_U64(z->start_pfn, 1048576);
		CHECK_U64(z->spanned, 5505024);
		CHECK_U64(z->managed, 917504);
		CHECK_U64(z->free_pages, 440235);
		CHECK_U64(z->wmark_min, 9150);
		CHECK_U64(z->wmark_low, 11437);
		CHECK_U64(z->wmark_high, 13724);
		CHECK(z->nprotection == 5);
		CHECK(z->pcp_cpus == 2);
		CHECK_U64(z->pcp_count, 37591 + 43386);
		CHECK_U64(z->pcp_high, 38315 + 43610);
		CHECK_U64(z->pcp[1].count, 43386);
		CHECK_U64(z->pcp[1].high_min, 5718);
		CHECK_U64(z->pcp[0].batch, 63);
	}
	z = ct_memsnap_zone_find(s, 0, "  DMA");
	CHECK(z != NULL);
	if (z) {
		CHECK_U64(z->start_pfn, 1);
		CHECK_U64(z->protection[1], 3018);
		CHECK_U64(z->wmark_min, 38);
		CHECK(z->pcp_cpus == 1);
	}
	CHECK(ct_memsnap_zone_by_pfn(s, 0) == NULL);
	CHECK(ct_memsnap_zone_by_pfn(s, 1) == ct_memsnap_zone_find(s, 0, "DMA"));
	CHECK(ct_memsnap_zone_by_pfn(s, 0x100000) == ct_memsnap_zone_find(s, 0, "Normal"));
	CHECK(ct_memsnap_zone_find(s, 1, "Normal") == NULL);
	ct_memsnap_free(s);
}

static void expect_fail(int (*fn)(struct ct_memsnap *, const char *, size_t, char *, size_t),
			const char *text, const char *want_in_err)
{
	struct ct_memsnap *s = ct_memsnap_new();
	char err[256] = "";

	if (!s) {
		CHECK(0);
		return;
	}
	CHECK(fn(s, text, strlen(text), err, sizeof(err)) == -CT_E_PARSE);
	if (!strstr(err, want_in_err))
		fprintf(stderr, "error \"%s\" does not say \"%s\"\n", err, want_in_err);
	CHECK(strstr(err, want_in_err) != NULL);
	ct_memsnap_free(s);
}

static void test_bad(void)
{
	expect_fail(ct_memsnap_parse_buddyinfo, "hello world\n", "buddyinfo line 1");
	expect_fail(ct_memsnap_parse_buddyinfo, "Node 0, zone DMA 1 2 x\n", "buddyinfo line 1");
	expect_fail(ct_memsnap_parse_buddyinfo,
		    "Node 0, zone DMA 1 2 3\nNode 0, zone Normal 1 2\n", "buddyinfo line 2");
	expect_fail(ct_memsnap_parse_buddyinfo, "", "no zone lines");
	expect_fail(ct_memsnap_parse_pagetypeinfo, "Page block order: 99\n", "page block order");
	expect_fail(ct_memsnap_parse_pagetypeinfo, "nothing here\n", "nothing recognizable");
	expect_fail(ct_memsnap_parse_zoneinfo, "Node x, zone DMA\n", "zoneinfo line 1");
	expect_fail(ct_memsnap_parse_zoneinfo, "garbage\n", "no \"Node N, zone NAME\" line");
	expect_fail(ct_memsnap_parse_kpageflags_summary, "0x200 1 2 3 4\n", "pageblock_order");
	expect_fail(ct_memsnap_parse_kpageflags_summary,
		    "# pageblock_order 9\n0x400 1 2 3 4\n0x200 1 2 3 4\n", "out of order");
	expect_fail(ct_memsnap_parse_kpageflags_summary, "# pageblock_order 9\n0x400 1 2\n", "line 2");
}

static void test_kpf_and_numbers(void)
{
	static const char kpf[] = "# compactrace kpageflags summary 1\n# pageblock_order 9\n"
				  "# per pageblock: start_pfn free lru slab other\n"
				  "0x0 511 0 0 1\n0x200 3 500 9 0\ntotal pfns 1024 pageblocks 2\n";
	struct ct_memsnap *s = ct_memsnap_new();
	char err[256];
	int64_t v;

	if (!s) {
		CHECK(0);
		return;
	}
	CHECK(ct_memsnap_parse_kpageflags_summary(s, kpf, strlen(kpf), err, sizeof(err)) == 0);
	CHECK_U64(s->nkpf, 2);
	CHECK(s->kpf_pageblock_order == 9);
	CHECK_U64(s->kpf[1].start_pfn, 0x200);
	CHECK_U64(s->kpf[1].lru, 500);
	CHECK(ct_memsnap_parse_number("4096\n", 5, &v) == 0 && v == 4096);
	CHECK(ct_memsnap_parse_number("-1\n", 3, &v) == 0 && v == -1);
	CHECK(ct_memsnap_parse_number("12x\n", 4, &v) == -CT_E_PARSE);
	CHECK(ct_memsnap_parse_number("", 0, &v) == -CT_E_PARSE);
	ct_memsnap_free(s);
}

static void test_free_map(void)
{
	struct ct_memsnap_free_map m;
	struct ct_memsnap *s = ct_memsnap_new();
	unsigned char *blob = NULL;
	size_t len = 0;
	char err[256];

	if (!s || ct_memsnap_free_map_init(&m, 100, 10) < 0) {
		CHECK(0);
		ct_memsnap_free(s);
		return;
	}
	ct_memsnap_free_map_set(&m, 100, CT_PFN_FREE);
	ct_memsnap_free_map_set(&m, 105, CT_PFN_NOFLAGS);
	ct_memsnap_free_map_set(&m, 109, CT_PFN_NOPAGE);
	ct_memsnap_free_map_set(&m, 110, CT_PFN_FREE);	/* outside: ignored */
	m.ts_begin_ns = 5;
	CHECK(ct_memsnap_encode_free_map(&m, &blob, &len) == 0);
	CHECK_U64(len, 11 + 32 + 3);
	CHECK(ct_memsnap_parse_free_map(s, blob, len, err, sizeof(err)) == 0);
	CHECK(ct_memsnap_pfn_class(&s->free_map, 100) == CT_PFN_FREE);
	CHECK(ct_memsnap_pfn_class(&s->free_map, 101) == CT_PFN_USED);
	CHECK(ct_memsnap_pfn_class(&s->free_map, 105) == CT_PFN_NOFLAGS);
	CHECK(ct_memsnap_pfn_class(&s->free_map, 109) == CT_PFN_NOPAGE);
	CHECK(ct_memsnap_pfn_class(&s->free_map, 99) == CT_PFN_NOPAGE);
	CHECK_U64(s->free_map.ts_begin_ns, 5);
	/* damaged: a byte short, bad magic */
	CHECK(ct_memsnap_parse_free_map(s, blob, len - 1, err, sizeof(err)) == -CT_E_PARSE);
	blob[0] = 'X';
	CHECK(ct_memsnap_parse_free_map(s, blob, len, err, sizeof(err)) == -CT_E_PARSE);
	CHECK(strstr(err, "free-map") != NULL);
	/* kpageflags words: KPF_BUDDY on every page of a free block, KPF_NOPAGE for holes */
	CHECK(ct_pfn_class_of_kpageflags(1ULL << 10) == CT_PFN_FREE);
	CHECK(ct_pfn_class_of_kpageflags(0) == CT_PFN_NOFLAGS);
	CHECK(ct_pfn_class_of_kpageflags(1ULL << 20) == CT_PFN_NOPAGE);
	CHECK(ct_pfn_class_of_kpageflags((1ULL << 5) | (1ULL << 12)) == CT_PFN_USED);
	free(blob);
	free(m.classes);
	ct_memsnap_free(s);
}

int main(void)
{
	ct_memsnap_free(NULL);
	test_good();
	test_bad();
	test_kpf_and_numbers();
	test_free_map();
	return ct_test_status("test_memsnap");
}
