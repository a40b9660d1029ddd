// SPDX-License-Identifier: GPL-2.0-or-later
/* The huge-page forecast's view of the host: page classes per pageblock, owners, zone facts. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "compactrace/error.h"
#include "core/util.h"
#include "capture/pageclass.h"
#include "capture/snapshots_collect.h"

/* /proc/kpageflags bits (include/uapi/linux/kernel-page-flags.h, include/linux/kernel-page-flags.h) */
#define KPF_UPTODATE 3
#define KPF_LRU 5
#define KPF_SLAB 7
#define KPF_BUDDY 10
#define KPF_MMAP 11
#define KPF_ANON 12
#define KPF_SWAPCACHE 13
#define KPF_SWAPBACKED 14
#define KPF_COMPOUND_HEAD 15
#define KPF_COMPOUND_TAIL 16
#define KPF_HUGE 17
#define KPF_UNEVICTABLE 18
#define KPF_HWPOISON 19
#define KPF_NOPAGE 20
#define KPF_THP 22
#define KPF_OFFLINE 23
#define KPF_PGTABLE 26
#define KPF_RESERVED 32

#define BIT(f, b) (((f) >> (b)) & 1)
#define CHUNK 65536		/* pfns per read: 512 KiB of each file; a multiple of any THP */
#define MAX_PROC_TEXT (64u << 20)
#define OWNER_SLOTS 4096	/* distinct (cgroup, reason) pairs kept; more are summed as "(other)" */
#define MAX_CGROUP_DIRS 100000

/* a page cache page no process maps and that can be dropped (no swap needed) */
static int unmapped_file(uint64_t f)
{
	return BIT(f, KPF_LRU) && !BIT(f, KPF_ANON) && !BIT(f, KPF_SWAPBACKED) && !BIT(f, KPF_MMAP) &&
	       !BIT(f, KPF_UNEVICTABLE);
}

enum ct_fc_class ct_pageclass_of(uint64_t f, uint64_t mapcount, int mapcount_known, int folio_order, int order)
{
	if (BIT(f, KPF_NOPAGE))
		return CT_FC_NOPAGE;
	if (BIT(f, KPF_BUDDY))
		return CT_FC_FREE;
	if (!f)
		return CT_FC_NOFLAGS;
	if (BIT(f, KPF_HWPOISON) || BIT(f, KPF_OFFLINE))
		return CT_FC_OTHER;
	if (BIT(f, KPF_HUGE))
		return CT_FC_HUGE;	/* hugetlb: direct compaction never moves it */
	if (BIT(f, KPF_THP) && folio_order >= order)
		return unmapped_file(f) ? CT_FC_RECLAIMABLE : CT_FC_HUGE;
	if (BIT(f, KPF_SLAB))
		return CT_FC_SLAB;
	if (BIT(f, KPF_PGTABLE))
		return CT_FC_UNMOVABLE;
	if (BIT(f, KPF_RESERVED))
		return CT_FC_RESERVED;
	if (BIT(f, KPF_LRU)) {
		if (BIT(f, KPF_UNEVICTABLE))
			return CT_FC_UNEVICTABLE;
		/*
		 * anonymous, its folio mapped nowhere (KPF_MMAP is the folio's:
		 * a page of a partly mapped large folio has it), not in the swap
		 * cache: something else holds a reference
		 */
		if (BIT(f, KPF_ANON) && !BIT(f, KPF_MMAP) && !BIT(f, KPF_SWAPCACHE) && mapcount_known && !mapcount)
			return CT_FC_PINNED;
		return unmapped_file(f) ? CT_FC_RECLAIMABLE : CT_FC_MOVABLE;
	}
	if (BIT(f, KPF_ANON) || BIT(f, KPF_MMAP) || BIT(f, KPF_SWAPBACKED))
		return CT_FC_ISOLATED;
	return CT_FC_UNMOVABLE;
}

/* ---- owners: (cgroup, reason) -> pages, pageblocks ---------------------- */

struct owner_slot {
	uint64_t ino, pages, blocks, last_block;
	int reason;		/* -1: empty */
};

struct owners {
	struct owner_slot *slot;
	uint32_t used;
	struct owner_slot overflow[CT_FC_NREASONS];	/* pairs beyond OWNER_SLOTS */
};

static void owners_add(struct owners *ow, uint64_t ino, int reason, uint64_t block)
{
	uint64_t h = (ino * 0x9e3779b97f4a7c15ULL) ^ (uint64_t)reason;
	struct owner_slot *s = NULL;

	for (uint32_t probe = 0; probe < OWNER_SLOTS; probe++) {
		struct owner_slot *c = &ow->slot[(h + probe) % OWNER_SLOTS];

		if (c->reason == reason && c->ino == ino) {
			s = c;
			break;
		}
		if (c->reason < 0) {
			if (ow->used >= OWNER_SLOTS * 3 / 4)
				break;	/* keep the table sparse: the rest goes to overflow */
			c->reason = reason;
			c->ino = ino;
			c->last_block = UINT64_MAX;
			ow->used++;
			s = c;
			break;
		}
	}
	if (!s) {
		s = &ow->overflow[reason];
		s->reason = reason;
		s->ino = UINT64_MAX;
	}
	s->pages++;
	if (s->last_block != block) {
		s->blocks++;
		s->last_block = block;
	}
}

static int owners_export(const struct owners *ow, struct ct_pbclass *pc)
{
	for (uint32_t i = 0; i < OWNER_SLOTS + CT_FC_NREASONS; i++) {
		const struct owner_slot *s = i < OWNER_SLOTS ? &ow->slot[i] : &ow->overflow[i - OWNER_SLOTS];
		struct ct_fc_owner o = { 0 };
		int ret;

		if (s->reason < 0 || !s->pages)
			continue;
		o.cgroup_ino = s->ino;
		o.reason = (enum ct_fc_reason)s->reason;
		o.pages = s->pages;
		o.blocks = s->blocks;
		if (s->ino == UINT64_MAX)
			snprintf(o.cgroup, sizeof(o.cgroup), "(other cgroups)");
		ret = ct_pbclass_add_owner(pc, &o);
		if (ret < 0)
			return ret;
	}
	return 0;
}

/* ---- the page files ------------------------------------------------------ */

/* read up to @n words at @pfn; returns the words read (0 at the end), -1 on error */
static ssize_t read_words(int fd, uint64_t *buf, size_t n, uint64_t pfn)
{
	size_t got = 0;

	while (got < n) {
		ssize_t r = pread(fd, (char *)(buf + got), (n - got) * 8, (off_t)((pfn + got) * 8));

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0 || r % 8)
			return -1;
		if (r == 0)
			break;
		got += (size_t)r / 8;
	}
	return (ssize_t)got;
}

struct reader {
	const struct ct_pageclass_opts *o;
	struct ct_pbclass *pc;
	struct owners *ow;
	struct ct_fc_block cur;
	uint64_t cur_block;	/* pageblock index of cur */
	int cur_any;
	/* the order-N unit being summed (order < pageblock order) */
	uint32_t unit_free, unit_blocking, unit_move, unit_pages;
	int tail_order;		/* folio order of a compound page running into this chunk */
	int64_t free_run;	/* offset in the block where the current run of free pages began, or -1 */
	uint64_t free_end;	/* one past its last page so far */
};

/*
 * A run of free pages [start, end) of the block, as the buddy allocator
 * holds it (the largest aligned free blocks that fit): what a scan at each
 * stride from the block's start meets. The kernel's free scanner sees a
 * free block only at its first page (PageBuddy), and isolates all of it.
 */
static void free_run_seen(struct ct_fc_block *blk, uint64_t start, uint64_t end)
{
	for (uint64_t p = start; p < end;) {
		uint64_t size = 1;

		while (!(p & (size * 2 - 1)) && p + size * 2 <= end)
			size *= 2;
		for (int k = 0; k < CT_FC_STRIDES; k++)
			if (!(p & ((2ULL << k) - 1)))
				blk->seen_at_stride[k] += (uint32_t)size;
		p += size;
	}
}

static void end_free_run(struct reader *r)
{
	if (r->free_run >= 0)
		free_run_seen(&r->cur, (uint64_t)r->free_run, r->free_end);
	r->free_run = -1;
}

static int flush_block(struct reader *r)
{
	int ret = 0;

	end_free_run(r);
	if (r->cur_any && r->cur.pages[CT_FC_NOPAGE] != (1u << r->o->pageblock_order))
		ret = ct_pbclass_append(r->pc, r->cur_block << r->o->pageblock_order, &r->cur);
	memset(&r->cur, 0, sizeof(r->cur));
	r->cur_any = 0;
	return ret;
}

/* one page of order-N unit accounting (order < pageblock order) */
static void unit_page(struct reader *r, enum ct_fc_class c, uint64_t pfn)
{
	int reason = ct_fc_reason_of_class(c, r->o->unevictable_allowed);

	r->unit_pages++;
	if (c == CT_FC_FREE)
		r->unit_free++;
	else if (reason >= 0)
		r->unit_blocking++;
	else if (c == CT_FC_MOVABLE || c == CT_FC_UNEVICTABLE)
		r->unit_move++;
	if (((pfn + 1) & ((1ULL << r->o->order) - 1)) == 0) {
		uint32_t unit = 1u << r->o->order;

		if (r->unit_free == unit) {
			r->cur.units_free++;
		} else {
			r->cur.loose_free += r->unit_free;
			if (!r->unit_blocking && r->unit_pages == unit) {
				r->cur.units_clean++;
				r->cur.clean_movable += r->unit_move;
			}
		}
		r->unit_free = r->unit_blocking = r->unit_move = r->unit_pages = 0;
	}
}

static int add_page(struct reader *r, uint64_t pfn, enum ct_fc_class c, uint64_t cgroup)
{
	uint64_t block = pfn >> r->o->pageblock_order;
	int reason, ret;

	if (r->cur_any && block != r->cur_block) {
		ret = flush_block(r);
		if (ret < 0)
			return ret;
	}
	r->cur_block = block;
	r->cur_any = 1;
	r->cur.pages[c]++;
	if (c != CT_FC_FREE) {
		end_free_run(r);
	} else {
		uint64_t offset = pfn & ((1ULL << r->o->pageblock_order) - 1);

		if (r->free_run < 0)
			r->free_run = (int64_t)offset;
		r->free_end = offset + 1;
	}
	if (r->o->order < r->o->pageblock_order)
		unit_page(r, c, pfn);
	reason = c == CT_FC_UNEVICTABLE ? CT_FC_R_UNEVICTABLE : ct_fc_reason_of_class(c, 0);
	if (r->ow && reason >= 0 && c != CT_FC_NOPAGE)
		owners_add(r->ow, cgroup, reason, block);
	return 0;
}

/* the order of the folio headed at @i: 1 + its tail pages, rounded down to a power of two */
static int folio_order_at(const uint64_t *f, size_t i, size_t n)
{
	size_t j = i + 1;
	int order = 0;

	while (j < n && BIT(f[j], KPF_COMPOUND_TAIL) && !BIT(f[j], KPF_COMPOUND_HEAD))
		j++;
	while (order < 30 && (2ULL << order) <= j - i)
		order++;
	return order;
}

int ct_pageclass_read(int kpageflags, int kpagecount, int kpagecgroup, const struct ct_pageclass_opts *o,
		      struct ct_pbclass *pc)
{
	uint64_t *f = malloc(CHUNK * sizeof(*f)), *cnt = NULL, *cg = NULL, pfn = 0;
	struct reader r = { .o = o, .pc = pc, .free_run = -1 };
	struct owners ow = { 0 };
	int ret = 0, folio_order = 0;

	pc->pageblock_order = o->pageblock_order;
	pc->order = o->order;
	pc->units_known = o->order < o->pageblock_order;
	pc->strides_known = 1;
	if (kpagecount >= 0)
		cnt = malloc(CHUNK * sizeof(*cnt));
	if (kpagecgroup >= 0) {
		cg = malloc(CHUNK * sizeof(*cg));
		ow.slot = malloc(OWNER_SLOTS * sizeof(*ow.slot));
		r.ow = &ow;
	}
	if (!f || (kpagecount >= 0 && !cnt) || (kpagecgroup >= 0 && (!cg || !ow.slot))) {
		ret = -CT_E_NOMEM;
		goto out;
	}
	if (ow.slot) {
		for (uint32_t i = 0; i < OWNER_SLOTS; i++)
			ow.slot[i] = (struct owner_slot){ .reason = -1 };
		for (int i = 0; i < CT_FC_NREASONS; i++)
			ow.overflow[i] = (struct owner_slot){ .reason = -1, .last_block = UINT64_MAX };
	}
	for (;;) {
		ssize_t n = read_words(kpageflags, f, CHUNK, pfn), nc = 0, ng = 0;

		if (n < 0) {
			ret = -CT_E_IO;
			goto out;
		}
		if (n == 0)
			break;
		/* the other files may be shorter or absent: what they lack is unknown */
		if (cnt)
			nc = read_words(kpagecount, cnt, (size_t)n, pfn);
		if (cg)
			ng = read_words(kpagecgroup, cg, (size_t)n, pfn);
		for (ssize_t i = 0; i < n; i++) {
			enum ct_fc_class c;

			if (BIT(f[i], KPF_COMPOUND_HEAD))
				folio_order = folio_order_at(f, (size_t)i, (size_t)n);
			else if (!BIT(f[i], KPF_COMPOUND_TAIL))
				folio_order = 0;
			c = ct_pageclass_of(f[i], i < nc ? cnt[i] : 0, i < nc, folio_order, o->order);
			ret = add_page(&r, pfn + (uint64_t)i, c, i < ng ? cg[i] : 0);
			if (ret < 0)
				goto out;
		}
		pfn += (uint64_t)n;
		if (n < CHUNK)
			break;
	}
	if (!pfn) {
		ret = -CT_E_IO;	/* an empty kpageflags: nothing to classify */
		goto out;
	}
	ret = flush_block(&r);
	if (ret == 0 && r.ow)
		ret = owners_export(&ow, pc);
out:
	free(f);
	free(cnt);
	free(cg);
	free(ow.slot);
	return ret;
}

/* ---- owner names: cgroup inode -> path ----------------------------------- */

struct ino_path {
	struct ct_pbclass *pc;
	unsigned dirs;
};

static void walk_cgroups(struct ino_path *w, const char *base, char *rel, size_t rel_len, size_t cap, int depth)
{
	char path[4096];
	DIR *d;
	struct dirent *e;

	if (depth > 32 || w->dirs >= MAX_CGROUP_DIRS)
		return;
	if ((size_t)snprintf(path, sizeof(path), "%s%s", base, rel) >= sizeof(path))
		return;
	d = opendir(path);
	if (!d)
		return;
	while ((e = readdir(d)) && w->dirs < MAX_CGROUP_DIRS) {
		struct stat st;
		size_t n = strlen(e->d_name);

		if (e->d_type != DT_DIR || strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		if (rel_len + 1 + n + 1 > cap)
			continue;
		rel[rel_len] = '/';
		memcpy(rel + rel_len + 1, e->d_name, n + 1);
		if ((size_t)snprintf(path, sizeof(path), "%s%s", base, rel) < sizeof(path) && stat(path, &st) == 0) {
			w->dirs++;
			for (uint32_t i = 0; i < w->pc->nowners; i++)
				if (w->pc->owners[i].cgroup_ino == (uint64_t)st.st_ino && !w->pc->owners[i].cgroup[0])
					snprintf(w->pc->owners[i].cgroup, sizeof(w->pc->owners[i].cgroup), "%s", rel);
			walk_cgroups(w, base, rel, rel_len + 1 + n, cap, depth + 1);
		}
		rel[rel_len] = '\0';
	}
	closedir(d);
}

/* the mount point of the memory controller's hierarchy, from mountinfo */
static int memcg_mount(const char *root, char *out, size_t outlen)
{
	char path[4096], *text = NULL, *line, *save = NULL;
	size_t len;
	int found = 0;

	snprintf(path, sizeof(path), "%s/proc/self/mountinfo", root);
	if (ct_read_file(path, MAX_PROC_TEXT, &text, &len) < 0)
		return 0;
	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char mnt[1024], fstype[64], opts[1024];
		const char *dash = strstr(line, " - ");

		/* "ID PARENT MAJ:MIN ROOT MOUNTPOINT OPTS ... - FSTYPE SOURCE SUPEROPTS" */
		if (!dash || sscanf(line, "%*s %*s %*s %*s %1023s", mnt) != 1 ||
		    sscanf(dash + 3, "%63s %*s %1023s", fstype, opts) != 2)
			continue;
		if (strcmp(fstype, "cgroup") == 0 && (strstr(opts, ",memory") || strncmp(opts, "memory", 6) == 0)) {
			snprintf(out, outlen, "%s%s", root, mnt);
			found = 2;	/* v1 memory: what kpagecgroup's inodes are */
			break;
		}
		if (strcmp(fstype, "cgroup2") == 0 && !found) {
			snprintf(out, outlen, "%s%s", root, mnt);
			found = 1;
		}
	}
	free(text);
	return found;
}

void ct_pageclass_name_owners(const char *root, struct ct_pbclass *pc)
{
	struct ino_path w = { .pc = pc };
	char base[4096], rel[4096] = "";
	struct stat st;

	for (uint32_t i = 0; i < pc->nowners; i++)
		if (pc->owners[i].cgroup_ino == 0)
			snprintf(pc->owners[i].cgroup, sizeof(pc->owners[i].cgroup), "(no cgroup)");
	if (!memcg_mount(root, base, sizeof(base)))
		return;
	if (stat(base, &st) == 0)
		for (uint32_t i = 0; i < pc->nowners; i++)
			if (pc->owners[i].cgroup_ino == (uint64_t)st.st_ino && !pc->owners[i].cgroup[0])
				snprintf(pc->owners[i].cgroup, sizeof(pc->owners[i].cgroup), "/");
	walk_cgroups(&w, base, rel, 0, sizeof(rel), 0);
}

/* ---- the whole host ------------------------------------------------------ */

static int read_proc(const char *root, const char *name, char **text, size_t *len, char *err, size_t errlen)
{
	char path[4096];
	int ret;

	snprintf(path, sizeof(path), "%s/proc/%s", root, name);
	ret = ct_read_file(path, MAX_PROC_TEXT, text, len);
	if (ret < 0)
		snprintf(err, errlen, "%s: %s", path, ret == -CT_E_OPEN ? strerror(errno) : ct_strerror(ret));
	return ret;
}

/* a one-number file; @dflt when it cannot be read */
static int read_int(const char *root, const char *rel, int dflt)
{
	char path[4096], *text = NULL;
	size_t len;
	int64_t v;
	int out = dflt;

	snprintf(path, sizeof(path), "%s%s", root, rel);
	if (ct_read_file(path, 4096, &text, &len) == 0 && ct_memsnap_parse_number(text, len, &v) == 0 &&
	    v >= INT32_MIN && v <= INT32_MAX)
		out = (int)v;
	free(text);
	return out;
}

static int open_page_file(const char *root, const char *name, ct_pageclass_note_fn note, void *ctx)
{
	char path[4096], msg[4300];
	int fd;

	snprintf(path, sizeof(path), "%s/proc/%s", root, name);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 && note) {
		snprintf(msg, sizeof(msg), "%s: %s", path, strerror(errno));
		note(ctx, msg);
	}
	return fd;
}

int ct_pageclass_read_root(const char *root, const struct ct_pageclass_opts *o, struct ct_pbclass *pc,
			   ct_pageclass_note_fn note, void *ctx, char *err, size_t errlen)
{
	char path[4096];
	int fd, fdc, fdg, ret;

	snprintf(path, sizeof(path), "%s/proc/kpageflags", root);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -CT_E_OPEN;
	}
	fdc = open_page_file(root, "kpagecount", note, ctx);
	fdg = open_page_file(root, "kpagecgroup", note, ctx);
	ret = ct_pageclass_read(fd, fdc, fdg, o, pc);
	if (ret < 0)
		snprintf(err, errlen, "%s: %s", path, ct_strerror(ret));
	else
		ct_pageclass_name_owners(root, pc);
	close(fd);
	if (fdc >= 0)
		close(fdc);
	if (fdg >= 0)
		close(fdg);
	return ret;
}

int ct_fc_read_host(const char *root, struct ct_fc_settings *set, struct ct_memsnap **out,
		    struct ct_pbclass *pc, ct_pageclass_note_fn note, void *ctx, char *err, size_t errlen)
{
	static const char *const texts[] = { "pagetypeinfo", "zoneinfo", "buddyinfo" };
	struct ct_pageclass_opts o = { 0 };
	struct ct_memsnap *snap = ct_memsnap_new();
	char *text = NULL, path[4096], why[256] = "";
	int ret, pbo = 0;
	size_t len;

	*out = NULL;
	if (!snap)
		return -CT_E_NOMEM;
	ret = read_proc(root, "pagetypeinfo", &text, &len, err, errlen);
	if (ret < 0)
		goto out;
	pbo = ct_pageblock_order_from_pagetypeinfo(text, len);
	free(text);
	text = NULL;
	if (!pbo) {
		snprintf(err, errlen, "%s/proc/pagetypeinfo: no \"Page block order\"", root);
		ret = -CT_E_PARSE;
		goto out;
	}
	set->unevictable_allowed = read_int(root, "/proc/sys/vm/compact_unevictable_allowed", 1);
	set->extfrag_threshold = read_int(root, "/proc/sys/vm/extfrag_threshold", -1);
	snprintf(path, sizeof(path), "%s/sys/kernel/debug/page_owner", root);
	set->page_owner = access(path, R_OK) == 0;
	o.pageblock_order = pbo;
	o.order = set->order ? set->order : pbo;
	o.unevictable_allowed = set->unevictable_allowed;

	ret = ct_pageclass_read_root(root, &o, pc, note, ctx, err, errlen);
	if (ret < 0)
		goto out;
	/* the zone texts right after the pages: the per-CPU counts are what the page files saw */
	for (size_t i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
		ret = read_proc(root, texts[i], &text, &len, err, errlen);
		if (ret < 0)
			goto out;
		ret = i == 0 ? ct_memsnap_parse_pagetypeinfo(snap, text, len, why, sizeof(why)) :
		      i == 1 ? ct_memsnap_parse_zoneinfo(snap, text, len, why, sizeof(why)) :
			       ct_memsnap_parse_buddyinfo(snap, text, len, why, sizeof(why));
		free(text);
		text = NULL;
		if (ret < 0) {
			snprintf(err, errlen, "%s/proc/%s", root, why[0] ? why : ct_strerror(ret));
			goto out;
		}
	}
	if (o.order >= snap->norders) {
		snprintf(err, errlen, "order %d: this kernel's largest free block is order %d", o.order,
			 snap->norders - 1);
		ret = -CT_E_INVAL;
		goto out;
	}
	snap->page_size = (uint64_t)sysconf(_SC_PAGESIZE);
	snap->extfrag_threshold = set->extfrag_threshold;
	*out = snap;
	snap = NULL;
out:
	free(text);
	ct_memsnap_free(snap);
	return ret;
}
