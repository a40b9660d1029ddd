// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The forecast's reading side: one page's class from its kpageflags word
 * (bits as include/uapi/linux/kernel-page-flags.h defines them), a
 * synthetic /proc/kpageflags + kpagecount + kpagecgroup summed per
 * pageblock, the "pageblock-classes" item written and read back, and the
 * forecast's input built from synthetic zoneinfo/buddyinfo/pagetypeinfo.
 * Expected counts are written out by hand from the synthetic layout.
 */
#include <stdlib.h>
#include <unistd.h>

#include "../common/check.h"
#include "capture/pageclass.h"
#include "compactrace/error.h"
#include "compactrace/pbclass.h"

#define B(n) (1ULL << (n))
#define UPTODATE B(3)
#define LRU B(5)
#define SLAB B(7)
#define BUDDY B(10)
#define MMAP B(11)
#define ANON B(12)
#define SWAPCACHE B(13)
#define SWAPBACKED B(14)
#define HEAD B(15)
#define TAIL B(16)
#define HUGE B(17)
#define UNEVICTABLE B(18)
#define HWPOISON B(19)
#define NOPAGE B(20)
#define THP B(22)
#define PGTABLE B(26)
#define RESERVED B(32)
#define MLOCKED B(33)
#define ANONPAGE (UPTODATE | LRU | MMAP | ANON | SWAPBACKED)

static void test_page_class(void)
{
	CHECK(ct_pageclass_of(BUDDY, 0, 1, 0, 9) == CT_FC_FREE);
	CHECK(ct_pageclass_of(0, 0, 1, 0, 9) == CT_FC_NOFLAGS);
	CHECK(ct_pageclass_of(NOPAGE, 0, 1, 0, 9) == CT_FC_NOPAGE);
	CHECK(ct_pageclass_of(ANONPAGE, 1, 1, 0, 9) == CT_FC_MOVABLE);
	/* its folio mapped nowhere and not in the swap cache: held by a reference */
	CHECK(ct_pageclass_of(ANONPAGE & ~MMAP, 0, 1, 0, 9) == CT_FC_PINNED);
	CHECK(ct_pageclass_of((ANONPAGE & ~MMAP) | SWAPCACHE, 0, 1, 0, 9) == CT_FC_MOVABLE);
	CHECK(ct_pageclass_of(ANONPAGE & ~MMAP, 0, 0, 0, 9) == CT_FC_MOVABLE);	/* no kpagecount: cannot tell */
	/* a page of a large folio mapped elsewhere: the folio is mapped (KPF_MMAP), the page is not */
	CHECK(ct_pageclass_of(ANONPAGE, 0, 1, 0, 9) == CT_FC_MOVABLE);
	CHECK(ct_pageclass_of(ANONPAGE | UNEVICTABLE | MLOCKED, 1, 1, 0, 9) == CT_FC_UNEVICTABLE);
	CHECK(ct_pageclass_of(UPTODATE | LRU, 0, 1, 0, 9) == CT_FC_RECLAIMABLE);
	CHECK(ct_pageclass_of(UPTODATE | LRU | MMAP, 1, 1, 0, 9) == CT_FC_MOVABLE);
	CHECK(ct_pageclass_of(UPTODATE | LRU | SWAPBACKED, 0, 1, 0, 9) == CT_FC_MOVABLE);	/* shmem */
	CHECK(ct_pageclass_of(SLAB, 0, 1, 0, 9) == CT_FC_SLAB);
	CHECK(ct_pageclass_of(PGTABLE, 0, 1, 0, 9) == CT_FC_UNMOVABLE);
	CHECK(ct_pageclass_of(RESERVED, 0, 1, 0, 9) == CT_FC_RESERVED);
	CHECK(ct_pageclass_of(UPTODATE | ANON | MMAP | SWAPBACKED, 1, 1, 0, 9) == CT_FC_ISOLATED);
	CHECK(ct_pageclass_of(HWPOISON | ANONPAGE, 1, 1, 0, 9) == CT_FC_OTHER);
	CHECK(ct_pageclass_of(HUGE | HEAD, 0, 1, 9, 9) == CT_FC_HUGE);
	CHECK(ct_pageclass_of(HUGE | HEAD, 0, 1, 9, 10) == CT_FC_HUGE);	/* hugetlb never moves */
	/* a THP at least as large as the order asked is left alone; a smaller one moves */
	CHECK(ct_pageclass_of(ANONPAGE | THP | HEAD, 1, 1, 9, 9) == CT_FC_HUGE);
	CHECK(ct_pageclass_of(ANONPAGE | THP | TAIL, 1, 1, 9, 10) == CT_FC_MOVABLE);
	CHECK(ct_pageclass_of(ANONPAGE | THP | HEAD, 1, 1, 4, 9) == CT_FC_MOVABLE);
	/* a large page-cache folio nobody maps: reclaim frees it, whatever its order */
	CHECK(ct_pageclass_of(UPTODATE | LRU | THP | HEAD, 0, 1, 9, 9) == CT_FC_RECLAIMABLE);
}

/* a temporary file holding @n little-endian words */
static int words_file(const uint64_t *w, size_t n)
{
	char path[] = "/tmp/ct-test-pageclass-XXXXXX";
	int fd = mkstemp(path);

	if (fd < 0)
		return -1;
	unlink(path);
	if (write(fd, w, n * 8) != (ssize_t)(n * 8)) {
		close(fd);
		return -1;
	}
	return fd;
}

/*
 * Six pageblocks of 4 pages (pageblock order 2):
 *   b0  buddy buddy anon anon(unmapped, mapcount 0: pinned)
 *   b1  mlocked mlocked slab no-flag
 *   b2  an order-2 THP: head + 3 tails
 *   b3  unmapped file, mapped file, page table, reserved
 *   b4  four holes (KPF_NOPAGE): no line
 *   b5  hwpoisoned, anon off the LRU (isolated), buddy buddy
 */
static const uint64_t flags[24] = {
	BUDDY, BUDDY, ANONPAGE, ANONPAGE & ~MMAP,
	ANONPAGE | UNEVICTABLE | MLOCKED, ANONPAGE | UNEVICTABLE | MLOCKED, SLAB, 0,
	ANONPAGE | THP | HEAD, ANONPAGE | THP | TAIL, ANONPAGE | THP | TAIL, ANONPAGE | THP | TAIL,
	UPTODATE | LRU, UPTODATE | LRU | MMAP, PGTABLE, RESERVED,
	NOPAGE, NOPAGE, NOPAGE, NOPAGE,
	HWPOISON | ANONPAGE, UPTODATE | ANON | MMAP | SWAPBACKED, BUDDY, BUDDY,
};
static const uint64_t counts[24] = { 0, 0, 1, 0, 1, 1, 0, 0, 1, 1, 1, 1, 0, 1, 0, 0, 0, 0, 0, 0, 1, 1, 0, 0 };
static const uint64_t cgroups[24] = { 0, 0, 9, 9, 7, 7, 0, 0, 5, 5, 5, 5, 3, 3, 0, 0, 0, 0, 0, 0, 9, 9, 0, 0 };

static const struct ct_fc_owner *find_owner(const struct ct_pbclass *pc, uint64_t ino, enum ct_fc_reason r)
{
	for (uint32_t i = 0; i < pc->nowners; i++)
		if (pc->owners[i].cgroup_ino == ino && pc->owners[i].reason == r)
			return &pc->owners[i];
	return NULL;
}

static void test_read(void)
{
	struct ct_pageclass_opts o = { .pageblock_order = 2, .order = 2 };
	struct ct_pbclass pc = { 0 }, back = { 0 };
	const struct ct_fc_owner *ow;
	int ff = words_file(flags, 24), fc = words_file(counts, 24), fg = words_file(cgroups, 24);
	char *text = NULL, err[256];
	size_t len;

	CHECK(ff >= 0 && fc >= 0 && fg >= 0);
	CHECK(ct_pageclass_read(ff, fc, fg, &o, &pc) == 0);
	CHECK_U64(pc.nblocks, 5);
	if (pc.nblocks != 5)
		goto out;
	CHECK_U64(pc.start_pfn[4], 20);
	CHECK_U64(pc.blocks[0].pages[CT_FC_FREE], 2);
	CHECK_U64(pc.blocks[0].pages[CT_FC_MOVABLE], 1);
	CHECK_U64(pc.blocks[0].pages[CT_FC_PINNED], 1);
	CHECK_U64(pc.blocks[1].pages[CT_FC_UNEVICTABLE], 2);
	CHECK_U64(pc.blocks[1].pages[CT_FC_SLAB], 1);
	CHECK_U64(pc.blocks[1].pages[CT_FC_NOFLAGS], 1);
	CHECK_U64(pc.blocks[2].pages[CT_FC_HUGE], 4);
	CHECK_U64(pc.blocks[3].pages[CT_FC_RECLAIMABLE], 1);
	CHECK_U64(pc.blocks[3].pages[CT_FC_MOVABLE], 1);
	CHECK_U64(pc.blocks[3].pages[CT_FC_UNMOVABLE], 1);
	CHECK_U64(pc.blocks[3].pages[CT_FC_RESERVED], 1);
	CHECK_U64(pc.blocks[4].pages[CT_FC_OTHER], 1);
	CHECK_U64(pc.blocks[4].pages[CT_FC_ISOLATED], 1);
	CHECK_U64(pc.blocks[4].pages[CT_FC_FREE], 2);
	/* owners: one line per (cgroup, reason) of blocking pages */
	ow = find_owner(&pc, 7, CT_FC_R_UNEVICTABLE);
	CHECK(ow && ow->pages == 2 && ow->blocks == 1);
	ow = find_owner(&pc, 5, CT_FC_R_HUGE);
	CHECK(ow && ow->pages == 4 && ow->blocks == 1);
	ow = find_owner(&pc, 9, CT_FC_R_PINNED);
	CHECK(ow && ow->pages == 1);
	CHECK(find_owner(&pc, 9, CT_FC_R_ISOLATED) != NULL);
	CHECK(find_owner(&pc, 0, CT_FC_R_SLAB) != NULL);
	CHECK(find_owner(&pc, 3, CT_FC_R_UNMOVABLE) == NULL);	/* the page table's cgroup is 0 */
	CHECK_U64(pc.nowners, 8);

	/* written and read back: the same */
	CHECK(ct_pbclass_encode(&pc, &text, &len) == 0);
	CHECK(text && ct_pbclass_parse(text, len, &back, err, sizeof(err)) == 0);
	CHECK_U64(back.nblocks, pc.nblocks);
	CHECK_U64(back.pageblock_order, 2);
	CHECK_U64(back.order, 2);
	CHECK(back.strides_known);
	CHECK(back.nblocks == pc.nblocks &&
	      memcmp(back.blocks, pc.blocks, pc.nblocks * sizeof(*pc.blocks)) == 0 &&
	      memcmp(back.start_pfn, pc.start_pfn, pc.nblocks * sizeof(*pc.start_pfn)) == 0);
	CHECK_U64(back.nowners, pc.nowners);
	free(text);
	ct_pbclass_release(&back);
	ct_pbclass_release(&pc);

	/*
	 * Order 1 (units of 2 pages), mlocked pages blocking: b0 [buddy buddy]
	 * free, [anon pinned] blocked; b3 [unmapped file, mapped file] clean
	 * with one page to move, [page table, reserved] blocked; b5 [poisoned,
	 * isolated] blocked, [buddy buddy] free.
	 */
	o.order = 1;
	CHECK(ct_pageclass_read(ff, -1, -1, &o, &pc) == 0);
	CHECK(pc.units_known);
	if (pc.nblocks == 5) {
		CHECK_U64(pc.blocks[0].units_free, 1);
		CHECK_U64(pc.blocks[0].units_clean, 1);	/* no kpagecount: the anon page is movable */
		CHECK_U64(pc.blocks[0].clean_movable, 2);
		CHECK_U64(pc.blocks[1].units_clean, 0);
		CHECK_U64(pc.blocks[2].units_clean, 0);	/* an order-2 THP is huge for order 1 */
		CHECK_U64(pc.blocks[3].units_clean, 1);
		CHECK_U64(pc.blocks[3].clean_movable, 1);
		CHECK_U64(pc.blocks[4].units_free, 1);
		CHECK_U64(pc.blocks[4].loose_free, 0);
	}
	CHECK_U64(pc.nowners, 0);
out:
	ct_pbclass_release(&pc);
	close(ff);
	close(fc);
	close(fg);
}

/*
 * What a scan at each stride meets (pageblock order 6, 64 pages): the
 * kernel's free scanner sees a free block only at its first page.
 *   b0  free pages at the odd pfns, anon at the even: none at any stride above 1
 *   b1  free at the even pfns: 32 at stride 2, 16 at 4, 8 at 8, 4 at 16, 2 at 32
 *   b2  anon at 0-2, free from 3 to the end: the buddy allocator holds that as
 *       blocks of 1 (at 3), 4 (4-7), 8 (8-15), 16 (16-31) and 32 (32-63);
 *       their first pages at even offsets 4, 8, 16, 32: 60 pages at stride 2
 *       and 4, 56 at 8, 48 at 16, 32 at 32
 */
static void test_strides(void)
{
	struct ct_pageclass_opts o = { .pageblock_order = 6, .order = 6 };
	static const uint32_t want[3][CT_FC_STRIDES] = { { 0, 0, 0, 0, 0 }, { 32, 16, 8, 4, 2 }, { 60, 60, 56, 48, 32 } };
	uint64_t w[192];
	struct ct_pbclass pc = { 0 };
	int fd;

	for (int i = 0; i < 64; i++) {
		w[i] = i % 2 ? BUDDY : ANONPAGE;
		w[64 + i] = i % 2 ? ANONPAGE : BUDDY;
		w[128 + i] = i < 3 ? ANONPAGE : BUDDY;
	}
	fd = words_file(w, 192);
	CHECK(fd >= 0);
	CHECK(ct_pageclass_read(fd, -1, -1, &o, &pc) == 0);
	CHECK(pc.strides_known);
	CHECK_U64(pc.nblocks, 3);
	for (uint64_t b = 0; b < pc.nblocks && b < 3; b++)
		for (int k = 0; k < CT_FC_STRIDES; k++)
			CHECK_U64(pc.blocks[b].seen_at_stride[k], want[b][k]);
	ct_pbclass_release(&pc);
	close(fd);
}

static void check_parse_error(const char *text, const char *want)
{
	struct ct_pbclass pc = { 0 };
	char err[256] = "";

	CHECK(ct_pbclass_parse(text, strlen(text), &pc, err, sizeof(err)) == -CT_E_PARSE);
	if (!strstr(err, want))
		fprintf(stderr, "error \"%s\" does not say \"%s\"\n", err, want);
	CHECK(strstr(err, want) != NULL);
	ct_pbclass_release(&pc);
}

static void test_parse_errors(void)
{
	static const char head[] = "# compactrace pageblock classes 1\n# pageblock_order 2\n# order 2\n";
	char buf[512];

	check_parse_error("hello\n", "line 1: not a compactrace pageblock-classes item");
	check_parse_error("", "empty");
	snprintf(buf, sizeof(buf), "%s0x4 1 2 3\n", head);
	check_parse_error(buf, "line 4: a count is missing");
	snprintf(buf, sizeof(buf), "%s0x4 5 0 0 0 0 0 0 0 0 0 0 0 0\n", head);
	check_parse_error(buf, "line 4: more pages than a pageblock holds");
	snprintf(buf, sizeof(buf), "%s0x8 1 0 0 0 0 0 0 0 0 0 0 0 0\n0x4 1 0 0 0 0 0 0 0 0 0 0 0 0\n", head);
	check_parse_error(buf, "line 5: pageblocks out of order");
	snprintf(buf, sizeof(buf), "%s0x5 1 0 0 0 0 0 0 0 0 0 0 0 0\n", head);
	check_parse_error(buf, "line 4: a pageblock that does not start on a pageblock boundary");
	snprintf(buf, sizeof(buf), "%s0x4 1 0 0 0 0 0 0 0 0 0 0 0 0 7\n", head);
	check_parse_error(buf, "more columns than classes");
	snprintf(buf, sizeof(buf), "%s# strides 2 4 8\n", head);
	check_parse_error(buf, "line 4: expected \"# strides 2 4 8 16 32\"");
	snprintf(buf, sizeof(buf), "%s# strides 2 4 8 16 32\n0x4 1 0 0 0 0 0 0 0 0 0 0 0 0 1 1\n", head);
	check_parse_error(buf, "line 5: a count per stride");
	snprintf(buf, sizeof(buf), "%s# strides 2 4 8 16 32\n0x4 1 0 0 0 0 0 0 0 0 0 0 0 0 1 1 9 0 0\n", head);
	check_parse_error(buf, "line 5: more pages seen at a stride than a pageblock holds");
	snprintf(buf, sizeof(buf), "%s0x4 1 0 0 0 0 0 0 0 0 0 0 0 0\n# strides 2 4 8 16 32\n", head);
	check_parse_error(buf, "line 5: \"# strides\" after the first pageblock line");
	snprintf(buf, sizeof(buf), "%sowner nonsense 1 2 3 /x\n", head);
	check_parse_error(buf, "line 4: expected \"owner REASON");
	check_parse_error("# compactrace pageblock classes 1\n0x0 4 0 0 0 0 0 0 0 0 0 0 0 0\n",
			  "line 2: a pageblock line before");
}

static const char zoneinfo[] =
	"Node 0, zone      DMA\n  pages free     0\n        min      0\n        low      0\n"
	"        high     0\n        spanned  0\n        present  0\n        managed  0\n"
	"        protection: (0, 0, 0, 0, 0)\n"
	"Node 0, zone    DMA32\n  pages free     0\n        min      0\n        low      0\n"
	"        high     0\n        spanned  0\n        present  0\n        managed  0\n"
	"        protection: (0, 0, 0, 0, 0)\n"
	"Node 0, zone   Normal\n  pages free     100\n        min      10\n        low      12\n"
	"        high     14\n        spanned  24\n        present  24\n        managed  20\n"
	"        protection: (0, 0, 5, 7, 7)\n  pagesets\n    cpu: 0\n              count: 3\n"
	"              high:  10\n              batch: 1\n  start_pfn:           0\n"
	"Node 0, zone  Movable\n  pages free     0\n        min      0\n        low      0\n"
	"        high     0\n        spanned  0\n        present  0\n        managed  0\n"
	"        protection: (0, 0, 0, 0, 0)\n";
static const char buddyinfo[] = "Node 0, zone   Normal      5      3      1\n";
static const char pagetypeinfo[] =
	"Page block order: 2\nPages per block:  4\n\n"
	"Free pages count per migrate type at order       0      1      2\n"
	"Node    0, zone   Normal, type    Unmovable      1      0      0\n"
	"Node    0, zone   Normal, type      Movable      4      1      1\n"
	"Node    0, zone   Normal, type   HighAtomic      0      2      0\n\n"
	"Number of blocks type     Unmovable      Movable   HighAtomic\n"
	"Node 0, zone   Normal            1            4            1\n";

static void test_input(void)
{
	struct ct_pageclass_opts o = { .pageblock_order = 2, .order = 2 };
	struct ct_fc_settings set = { .order = 0, .unevictable_allowed = 0, .extfrag_threshold = -1, .reclaim = 1 };
	struct ct_memsnap *snap = ct_memsnap_new();
	struct ct_pbclass pc = { 0 };
	struct ct_fc_input in;
	char err[256] = "";
	int ff = words_file(flags, 24);

	CHECK(snap && ff >= 0 && ct_pageclass_read(ff, -1, -1, &o, &pc) == 0);
	if (!snap)
		return;
	CHECK(ct_memsnap_parse_zoneinfo(snap, zoneinfo, strlen(zoneinfo), err, sizeof(err)) == 0);
	CHECK(ct_memsnap_parse_buddyinfo(snap, buddyinfo, strlen(buddyinfo), err, sizeof(err)) == 0);
	CHECK(ct_memsnap_parse_pagetypeinfo(snap, pagetypeinfo, strlen(pagetypeinfo), err, sizeof(err)) == 0);
	CHECK(ct_fc_input_build(snap, &pc, &set, &in, err, sizeof(err)) == 0);
	CHECK_U64(in.nzones, 1);	/* the zones without pages are left out */
	CHECK_U64(in.order, 2);
	if (in.nzones == 1) {
		const struct ct_fc_zone_in *z = &in.zones[0];

		CHECK_STR(z->name, "Normal");
		CHECK_U64(z->reserve, 7);	/* protection[3]: the Movable zone's index */
		CHECK_U64(z->highatomic_free, 4);	/* two order-1 blocks */
		CHECK_U64(z->nonmovable_blocks, 2);	/* Unmovable 1 + HighAtomic 1 */
		CHECK_U64(z->pcp_pages, 3);
		CHECK_U64(z->free_pages, 100);
		CHECK_U64(z->wmark_min, 10);
		CHECK_U64(z->nblocks, 6);
		CHECK_U64(z->norders, 3);
		CHECK_U64(z->free_blocks[1], 3);
		/* b4 (pfns 16-19) has no line: all holes */
		CHECK_U64(z->blocks[4].pages[CT_FC_NOPAGE], 4);
		CHECK_U64(z->blocks[2].pages[CT_FC_HUGE], 4);
		CHECK_U64(z->blocks[5].pages[CT_FC_FREE], 2);
	}
	ct_fc_input_release(&in);

	/* an order the classes were not read for */
	set.order = 3;
	CHECK(ct_fc_input_build(snap, &pc, &set, &in, err, sizeof(err)) == -CT_E_INVAL);
	CHECK(strstr(err, "read for order 2, not 3") != NULL);
	ct_pbclass_release(&pc);
	ct_memsnap_free(snap);
	close(ff);
}

int main(void)
{
	test_page_class();
	test_read();
	test_strides();
	test_parse_errors();
	test_input();
	return ct_test_status("test_pageclass");
}
