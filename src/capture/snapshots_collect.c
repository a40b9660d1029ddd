// SPDX-License-Identifier: GPL-2.0-or-later
/* Reading the /proc and /sys files a recording keeps, and the kpageflags summary. */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "compactrace/error.h"
#include "core/util.h"
#include "capture/pageclass.h"
#include "capture/snapshots_collect.h"

#define MAX_PROC_FILE (64u << 20)

/* /proc/kpageflags bits (include/uapi/linux/kernel-page-flags.h) */
#define KPF_LRU 5
#define KPF_SLAB 7
#define KPF_BUDDY 10
#define KPF_NOPAGE 20

/* free blocks never cross a boundary of their own size; no kernel has blocks above 2^13 pages */
#define SCAN_ORDER 13
#define SCAN_PAGES (1u << SCAN_ORDER)

static int add_item(struct ct_attach_set *set, const char *prefix, const char *item,
		    const void *data, size_t len)
{
	char name[CT_ATTACH_NAME_MAX + 1];

	if ((size_t)snprintf(name, sizeof(name), "%s/%s", prefix, item) >= sizeof(name))
		return -CT_E_INVAL;
	return ct_attach_set_add(set, name, data, len);
}

static void notef(ct_snapshot_note_fn note, void *ctx, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void notef(ct_snapshot_note_fn note, void *ctx, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	if (!note)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	note(ctx, msg);
}

const char *const ct_snapshot_items[] = {
	"vmstat", "buddyinfo", "pagetypeinfo", "zoneinfo", "extfrag_threshold",
	"compaction_proactiveness", "thp-enabled", "thp-defrag", "osrelease", "page-size",
	"kpageflags-summary", "free-map", "pageblock-classes", "compact_unevictable_allowed", NULL,
};

/*
 * read @root@path into "@prefix/@item"; a file that cannot be read is a
 * note; an item the set holds already is kept (read closer to the stop)
 */
static int copy_item(struct ct_attach_set *set, const char *root, const char *prefix,
		     const char *item, const char *path, ct_snapshot_note_fn note, void *ctx,
		     char **keep, size_t *keep_len)
{
	char full[4096];
	char *text = NULL;
	size_t len;
	int ret;

	if ((size_t)snprintf(full, sizeof(full), "%s/%s", prefix, item) >= sizeof(full))
		return -CT_E_INVAL;
	if (!keep && ct_attach_set_find(set, full, &len))
		return 0;
	if ((size_t)snprintf(full, sizeof(full), "%s%s", root, path) >= sizeof(full))
		return -CT_E_INVAL;
	ret = ct_read_file(full, MAX_PROC_FILE, &text, &len);
	if (ret == -CT_E_NOMEM)
		return ret;
	if (ret < 0) {
		notef(note, ctx, "%s: %s (left out of %s)", full,
		      ret == -CT_E_OPEN ? strerror(errno) : ct_strerror(ret), prefix);
		return 0;
	}
	ret = add_item(set, prefix, item, text, len);
	if (ret == 0 && keep) {
		*keep = text;
		*keep_len = len;
		text = NULL;
	}
	free(text);
	return ret;
}

/* @root/proc/@item into "@prefix/@item"; a file that cannot be read is an error here */
static int proc_item(struct ct_attach_set *set, const char *root, const char *prefix, const char *item)
{
	char full[4096];
	char *text = NULL;
	size_t len;
	int ret;

	if ((size_t)snprintf(full, sizeof(full), "%s/proc/%s", root, item) >= sizeof(full))
		return -CT_E_INVAL;
	ret = ct_read_file(full, MAX_PROC_FILE, &text, &len);
	if (ret < 0)
		return ret;
	ret = add_item(set, prefix, item, text, len);
	free(text);
	return ret;
}

int ct_snapshot_collect_vmstat(struct ct_attach_set *set, const char *root, const char *prefix)
{
	return proc_item(set, root, prefix, "vmstat");
}

int ct_snapshot_collect_buddy(struct ct_attach_set *set, const char *root, const char *prefix)
{
	int ret = proc_item(set, root, prefix, "buddyinfo");

	return ret < 0 ? ret : proc_item(set, root, prefix, "zoneinfo");
}

int ct_pageblock_order_from_pagetypeinfo(const char *text, size_t len)
{
	static const char key[] = "Page block order:";
	const char *p = text, *end = text + len;
	long v = 0;

	while (p && (size_t)(end - p) >= sizeof(key) - 1) {
		const char *hit = memmem(p, (size_t)(end - p), key, sizeof(key) - 1);

		if (!hit)
			return 0;
		p = hit + sizeof(key) - 1;
		while (p < end && (*p == ' ' || *p == '\t'))
			p++;
		while (p < end && *p >= '0' && *p <= '9' && v < 100)
			v = v * 10 + (*p++ - '0');
		return v > 0 && v <= 20 ? (int)v : 0;
	}
	return 0;
}

/* "@prefix/pageblock-classes": the huge-page forecast's view of every pageblock, for the pageblock order */
static int collect_pageblock_classes(struct ct_attach_set *set, const char *root, const char *prefix, int order,
				     ct_snapshot_note_fn note, void *ctx)
{
	struct ct_pageclass_opts o = { .pageblock_order = order, .order = order };
	struct ct_pbclass pc = { 0 };
	char *text = NULL, err[4300] = "";
	size_t len;
	int ret;

	ret = ct_pageclass_read_root(root, &o, &pc, note, ctx, err, sizeof(err));
	if (ret == 0)
		ret = ct_pbclass_encode(&pc, &text, &len);
	if (ret == 0)
		ret = add_item(set, prefix, "pageblock-classes", text, len);
	if (ret < 0 && ret != -CT_E_NOMEM) {
		notef(note, ctx, "%s (no pageblock classes in %s)", err[0] ? err : ct_strerror(ret), prefix);
		ret = 0;
	}
	free(text);
	ct_pbclass_release(&pc);
	return ret;
}

int ct_snapshot_collect(struct ct_attach_set *set, const char *root, const char *prefix,
			ct_snapshot_note_fn note, void *ctx)
{
	static const struct {
		const char *item, *path;
	} items[] = {
		{ "buddyinfo", "/proc/buddyinfo" },
		{ "zoneinfo", "/proc/zoneinfo" },
		{ "extfrag_threshold", "/proc/sys/vm/extfrag_threshold" },
		{ "compaction_proactiveness", "/proc/sys/vm/compaction_proactiveness" },
		{ "compact_unevictable_allowed", "/proc/sys/vm/compact_unevictable_allowed" },
		{ "thp-enabled", "/sys/kernel/mm/transparent_hugepage/enabled" },
		{ "thp-defrag", "/sys/kernel/mm/transparent_hugepage/defrag" },
		{ "osrelease", "/proc/sys/kernel/osrelease" },
	};
	char *pti = NULL, *summary = NULL, path[4096], num[32];
	size_t pti_len = 0, slen;
	int ret, fd = -1, order = 0;
	long page_size = sysconf(_SC_PAGESIZE);

	ret = copy_item(set, root, prefix, "pagetypeinfo", "/proc/pagetypeinfo", note, ctx,
			&pti, &pti_len);
	for (size_t i = 0; ret == 0 && i < sizeof(items) / sizeof(items[0]); i++)
		ret = copy_item(set, root, prefix, items[i].item, items[i].path, note, ctx, NULL, NULL);
	if (ret < 0)
		goto out;
	snprintf(num, sizeof(num), "%ld\n", page_size);
	ret = add_item(set, prefix, "page-size", num, strlen(num));
	if (ret < 0)
		goto out;

	if (pti)
		order = ct_pageblock_order_from_pagetypeinfo(pti, pti_len);
	if (!order) {
		order = 9;
		notef(note, ctx, "no pageblock order in pagetypeinfo: the %s kpageflags summary "
		      "assumes 9", prefix);
	}
	snprintf(path, sizeof(path), "%s/proc/kpageflags", root);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		notef(note, ctx, "%s: %s (no kpageflags summary in %s)", path, strerror(errno), prefix);
		goto out;
	}
	ret = ct_kpageflags_summary(fd, order, &summary, &slen);
	if (ret == -CT_E_NOMEM)
		goto out;
	if (ret < 0) {
		notef(note, ctx, "%s: %s (no kpageflags summary in %s)", path, ct_strerror(ret), prefix);
		ret = 0;
		goto out;
	}
	ret = add_item(set, prefix, "kpageflags-summary", summary, slen);
	if (ret == 0)
		ret = collect_pageblock_classes(set, root, prefix, order, note, ctx);
out:
	if (fd >= 0)
		close(fd);
	free(pti);
	free(summary);
	return ret;
}

/* ---- /proc/kpageflags per pageblock ---- */

struct block_count {
	uint64_t free, lru, slab, other, nopage;
};

static void classify(uint64_t f, struct block_count *c)
{
	if (f & (1ULL << KPF_NOPAGE))
		c->nopage++;
	else if (f & (1ULL << KPF_LRU))
		c->lru++;
	else if (f & (1ULL << KPF_SLAB))
		c->slab++;
	else
		c->other++;
}

/* the order of the free block headed at @i of @f[0..@n) starting at pfn @pfn */
static unsigned free_block_pages(const uint64_t *f, size_t i, size_t n, uint64_t pfn)
{
	size_t zrun = 0;
	unsigned k = 0;

	while (i + 1 + zrun < n && f[i + 1 + zrun] == 0 && zrun < SCAN_PAGES)
		zrun++;
	while (k < SCAN_ORDER && (pfn & ((2ULL << k) - 1)) == 0 && ((size_t)2 << k) - 1 <= zrun)
		k++;
	return 1u << k;
}

int ct_kpageflags_summary(int fd, int pageblock_order, char **text, size_t *len)
{
	struct ct_text_buf b = { 0 };
	struct block_count tot = { 0 }, cur = { 0 };
	uint64_t *f = NULL, pfn = 0, block_pages, nblocks = 0;
	int ret = 0;

	*text = NULL;
	*len = 0;
	if (pageblock_order < 1 || pageblock_order > 20)
		return -CT_E_INVAL;
	block_pages = 1ULL << pageblock_order;
	f = malloc(SCAN_PAGES * sizeof(*f));
	if (!f)
		return -CT_E_NOMEM;
	ct_tb_printf(&b, "# compactrace kpageflags summary 1\n"
		  "# pageblock_order %d\n"
		  "# per pageblock: start_pfn free lru slab other (pages; free = in free buddy blocks)\n",
		  pageblock_order);
	for (;;) {
		size_t n = 0, i = 0;

		/* one naturally aligned group of 2^SCAN_ORDER pages */
		while (n < SCAN_PAGES) {
			ssize_t got = pread(fd, (char *)f + n * 8, (SCAN_PAGES - n) * 8,
					    (off_t)((pfn + n) * 8));

			if (got < 0 && errno == EINTR)
				continue;
			if (got < 0) {
				ret = -CT_E_IO;
				goto out;
			}
			if (got == 0)
				break;
			n += (size_t)got / 8;
			if (got % 8) {
				ret = -CT_E_IO;
				goto out;
			}
		}
		while (i < n) {
			size_t take = 1;

			if (f[i] & (1ULL << KPF_BUDDY)) {
				take = free_block_pages(f, i, n, pfn + i);
				if (take > n - i)
					take = n - i;
			}
			for (size_t j = 0; j < take; j++) {
				uint64_t p = pfn + i + j;

				if (f[i] & (1ULL << KPF_BUDDY))
					cur.free++;
				else
					classify(f[i + j], &cur);
				if ((p & (block_pages - 1)) == block_pages - 1) {
					if (cur.free + cur.lru + cur.slab + cur.other) {
						ct_tb_printf(&b, "0x%llx %llu %llu %llu %llu\n",
							  (unsigned long long)(p + 1 - block_pages),
							  (unsigned long long)cur.free,
							  (unsigned long long)cur.lru,
							  (unsigned long long)cur.slab,
							  (unsigned long long)cur.other);
						nblocks++;
					}
					tot.free += cur.free;
					tot.lru += cur.lru;
					tot.slab += cur.slab;
					tot.other += cur.other;
					tot.nopage += cur.nopage;
					memset(&cur, 0, sizeof(cur));
				}
			}
			i += take;
		}
		pfn += n;
		if (n < SCAN_PAGES)
			break;
	}
	if (cur.free + cur.lru + cur.slab + cur.other) {	/* a last, partial pageblock */
		ct_tb_printf(&b, "0x%llx %llu %llu %llu %llu\n",
			  (unsigned long long)(pfn & ~(block_pages - 1)),
			  (unsigned long long)cur.free, (unsigned long long)cur.lru,
			  (unsigned long long)cur.slab, (unsigned long long)cur.other);
		nblocks++;
	}
	tot.free += cur.free;
	tot.lru += cur.lru;
	tot.slab += cur.slab;
	tot.other += cur.other;
	tot.nopage += cur.nopage;
	if (pfn == 0) {
		ret = -CT_E_IO;		/* an empty kpageflags: nothing to summarize */
		goto out;
	}
	ct_tb_printf(&b, "total pfns %llu pageblocks %llu\n"
		  "total free %llu lru %llu slab %llu other %llu nopage %llu\n",
		  (unsigned long long)pfn, (unsigned long long)nblocks,
		  (unsigned long long)tot.free, (unsigned long long)tot.lru,
		  (unsigned long long)tot.slab, (unsigned long long)tot.other,
		  (unsigned long long)tot.nopage);
	if (b.failed) {
		ret = -CT_E_NOMEM;
		goto out;
	}
	*text = b.p;
	*len = b.len;
	b.p = NULL;
out:
	free(b.p);
	free(f);
	return ret;
}

/* ---- /proc/kpageflags per pfn: the free map ---- */

/* make room for pfns [0, @need) in @map, all CT_PFN_USED (0) */
static int map_grow(struct ct_memsnap_free_map *map, uint64_t *cap, uint64_t need)
{
	uint64_t ncap = *cap ? *cap : 1ULL << 20;
	uint8_t *n;

	if (need <= *cap)
		return 0;
	while (ncap < need)
		ncap *= 2;
	n = realloc(map->classes, ncap / 4);
	if (!n)
		return -CT_E_NOMEM;
	memset(n + *cap / 4, 0, (ncap - *cap) / 4);
	map->classes = n;
	*cap = ncap;
	return 0;
}

int ct_free_map_read(int fd, struct ct_memsnap_free_map *map, ct_free_map_step_fn step, void *ctx)
{
	uint64_t *f, pfn = 0, cap = 0;
	int ret = 0;

	memset(map, 0, sizeof(*map));
	f = malloc(CT_FREE_MAP_CHUNK * sizeof(*f));
	if (!f)
		return -CT_E_NOMEM;
	for (;;) {
		size_t n = 0;

		while (n < CT_FREE_MAP_CHUNK) {
			ssize_t got = pread(fd, (char *)(f + n), (CT_FREE_MAP_CHUNK - n) * 8,
					    (off_t)((pfn + n) * 8));

			if (got < 0 && errno == EINTR)
				continue;
			if (got < 0 || got % 8) {
				ret = -CT_E_IO;
				goto out;
			}
			if (got == 0)
				break;
			n += (size_t)got / 8;
		}
		ret = map_grow(map, &cap, pfn + n);
		if (ret < 0)
			goto out;
		/* the map starts all CT_PFN_USED (0): or-ing the other classes in is enough */
		for (size_t i = 0; i < n; i++) {
			uint64_t p = pfn + i;

			map->classes[p / 4] |= (uint8_t)(ct_pfn_class_of_kpageflags(f[i]) << (2 * (p % 4)));
		}
		pfn += n;
		if (n < CT_FREE_MAP_CHUNK)
			break;
		if (step) {
			ret = step(ctx);
			if (ret < 0)
				goto out;
			ret = 0;
		}
	}
	map->npfns = pfn;
	if (!pfn)
		ret = -CT_E_IO;		/* an empty kpageflags: no map */
out:
	free(f);
	return ret;
}
