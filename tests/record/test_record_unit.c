// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The recorder's pure parts, no root needed: the attachment container, the
 * trace.dat writer (read back through our own trace.dat parser), the
 * kpageflags summary and free map, the order snapshot items are collected
 * in, and snapshots built from attachment texts.
 *
 * Usage: test_record_unit [DIR]  writes its files into DIR (default $TMPDIR
 * or /tmp) and, when `trace-cmd` is on PATH, also checks that trace-cmd
 * reads the written file and reports the same number of events.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../common/check.h"
#include "compactrace/attach.h"
#include "compactrace/error.h"
#include "capture/snapshots_collect.h"
#include "compactrace/source.h"
#include "capture/tracedat_writer.h"
#include "compactrace/snapshot.h"
#include "compactrace/vmstat_check.h"

#define PAGE 4096

/* real format texts of Linux 6.18 (x86_64) */
static const char header_page[] =
	"\tfield: u64 timestamp;\toffset:0;\tsize:8;\tsigned:0;\n"
	"\tfield: local_t commit;\toffset:8;\tsize:8;\tsigned:1;\n"
	"\tfield: int overwrite;\toffset:8;\tsize:1;\tsigned:1;\n"
	"\tfield: char data;\toffset:16;\tsize:4080;\tsigned:0;\n";
static const char header_event[] =
	"# compressed entry header\n"
	"\ttype_len    :    5 bits\n"
	"\ttime_delta  :   27 bits\n"
	"\tarray       :   32 bits\n"
	"\n"
	"\tpadding     : type == 29\n"
	"\ttime_extend : type == 30\n"
	"\ttime_stamp : type == 31\n"
	"\tdata max type_len  == 28\n";
static const char fmt_sleep[] =
	"name: mm_compaction_kcompactd_sleep\n"
	"ID: 662\n"
	"format:\n"
	"\tfield:unsigned short common_type;\toffset:0;\tsize:2;\tsigned:0;\n"
	"\tfield:unsigned char common_flags;\toffset:2;\tsize:1;\tsigned:0;\n"
	"\tfield:unsigned char common_preempt_count;\toffset:3;\tsize:1;\tsigned:0;\n"
	"\tfield:int common_pid;\toffset:4;\tsize:4;\tsigned:1;\n"
	"\n"
	"\tfield:int nid;\toffset:8;\tsize:4;\tsigned:1;\n"
	"\n"
	"print fmt: \"nid=%d\", REC->nid\n";
static const char fmt_begin[] =
	"name: mm_compaction_begin\n"
	"ID: 670\n"
	"format:\n"
	"\tfield:unsigned short common_type;\toffset:0;\tsize:2;\tsigned:0;\n"
	"\tfield:unsigned char common_flags;\toffset:2;\tsize:1;\tsigned:0;\n"
	"\tfield:unsigned char common_preempt_count;\toffset:3;\tsize:1;\tsigned:0;\n"
	"\tfield:int common_pid;\toffset:4;\tsize:4;\tsigned:1;\n"
	"\n"
	"\tfield:unsigned long zone_start;\toffset:8;\tsize:8;\tsigned:0;\n"
	"\tfield:unsigned long migrate_pfn;\toffset:16;\tsize:8;\tsigned:0;\n"
	"\tfield:unsigned long free_pfn;\toffset:24;\tsize:8;\tsigned:0;\n"
	"\tfield:unsigned long zone_end;\toffset:32;\tsize:8;\tsigned:0;\n"
	"\tfield:bool sync;\toffset:40;\tsize:1;\tsigned:0;\n"
	"\n"
	"print fmt: \"zone_start=0x%lx migrate_pfn=0x%lx free_pfn=0x%lx zone_end=0x%lx, "
	"mode=%s\", REC->zone_start, REC->migrate_pfn, REC->free_pfn, REC->zone_end, "
	"REC->sync ? \"sync\" : \"async\"\n";

static char dir[512];

static const unsigned char *map_file(const char *path, size_t *len, unsigned char **owned)
{
	FILE *f = fopen(path, "rb");
	unsigned char *buf = NULL;
	long n;

	*owned = NULL;
	*len = 0;
	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	buf = malloc(n > 0 ? (size_t)n : 1);
	if (buf && n > 0 && fread(buf, 1, (size_t)n, f) != (size_t)n) {
		free(buf);
		buf = NULL;
	}
	fclose(f);
	*owned = buf;
	*len = buf ? (size_t)n : 0;
	return buf;
}

/* ---- the attachment container ---- */

static void test_attach(void)
{
	static const char prefix[] = "some trace data that is not ours";
	struct ct_attach_set *set = ct_attach_set_new();
	unsigned char *enc = NULL, *file;
	const unsigned char *data;
	const char *name;
	size_t enc_len = 0, len, nlen, flen;
	uint64_t dlen, area;

	CHECK(set != NULL);
	if (!set)
		return;
	CHECK(ct_attach_set_add(set, "snapshot-start/vmstat", "nr_free_pages 1\n", 16) == 0);
	CHECK(ct_attach_set_add(set, "snapshot-end/vmstat", "nr_free_pages 2\n", 16) == 0);
	CHECK(ct_attach_set_add(set, "empty", "", 0) == 0);
	CHECK(ct_attach_set_add(set, "snapshot-end/vmstat", "nr_free_pages 3\n", 16) == 0);
	CHECK(ct_attach_set_add(set, "bad name", "x", 1) == -CT_E_INVAL);
	CHECK(ct_attach_set_add(set, "", "x", 1) == -CT_E_INVAL);
	CHECK_U64(ct_attach_set_count(set), 3);
	data = ct_attach_set_find(set, "snapshot-end/vmstat", &len);
	CHECK(data && len == 16 && memcmp(data, "nr_free_pages 3\n", 16) == 0);
	CHECK(ct_attach_set_find(set, "nope", &len) == NULL && len == 0);
	CHECK(ct_attach_set_encode(set, sizeof(prefix), &enc, &enc_len) == 0);
	flen = sizeof(prefix) + enc_len;
	file = malloc(flen);
	CHECK(file != NULL);
	if (!file || !enc)
		goto out;
	memcpy(file, prefix, sizeof(prefix));
	memcpy(file + sizeof(prefix), enc, enc_len);

	CHECK(ct_attach_scan(file, flen, &area) == 3);
	CHECK_U64(area, sizeof(prefix));
	data = ct_attach_find(file, flen, "snapshot-end/vmstat", &len);
	CHECK(data && len == 16 && memcmp(data, "nr_free_pages 3\n", 16) == 0);
	data = ct_attach_find(file, flen, "empty", &len);
	CHECK(data != NULL && len == 0);
	CHECK(ct_attach_find(file, flen, "snapshot-end/vmsta", &len) == NULL && len == 0);
	CHECK(ct_attach_get(file, flen, 1, &name, &nlen, &data, &dlen) == 0 &&
	      nlen == 19 && memcmp(name, "snapshot-end/vmstat", 19) == 0);
	CHECK(ct_attach_get(file, flen, 3, &name, &nlen, &data, &dlen) == -CT_E_INVAL);

	/* no container at all */
	CHECK(ct_attach_scan(file, sizeof(prefix), &area) == 0 && area == sizeof(prefix));
	CHECK(ct_attach_find(file, sizeof(prefix), "empty", &len) == NULL);
	CHECK(ct_attach_scan(NULL, 0, NULL) == 0);
	/* a truncated file ends inside the footer: no magic */
	CHECK(ct_attach_scan(file, flen - 1, NULL) == 0);
	/* every single-byte change of the container is caught or harmless, never read past the end */
	for (size_t i = sizeof(prefix); i < flen; i++) {
		for (int bit = 0; bit < 8; bit += 3) {
			int r;

			file[i] ^= (unsigned char)(1 << bit);
			r = ct_attach_scan(file, flen, NULL);
			CHECK(r == 3 || r == 0 || r == -CT_E_PARSE);
			data = ct_attach_find(file, flen, "snapshot-start/vmstat", &len);
			CHECK(!data || (data >= file && data + len <= file + flen));
			file[i] ^= (unsigned char)(1 << bit);
		}
	}
	/* a footer that lies about the area */
	file[flen - 32] ^= 1;
	CHECK(ct_attach_scan(file, flen, NULL) == -CT_E_PARSE);
	CHECK(ct_attach_find(file, flen, "empty", &len) == NULL);
	free(file);
out:
	free(enc);
	ct_attach_set_free(set);
	ct_attach_set_free(NULL);
}

/* ---- the trace.dat writer ---- */

struct page_builder {
	unsigned char page[PAGE];
	uint32_t used;
};

static void page_start(struct page_builder *b, uint64_t ts)
{
	memset(b->page, 0, sizeof(b->page));
	memcpy(b->page, &ts, 8);
	b->used = 0;
}

/* one event: header (type_len = len / 4, delta), then the record */
static void page_event(struct page_builder *b, uint32_t delta, const void *rec, uint32_t len)
{
	uint32_t hdr = (len / 4) | (delta << 5);

	memcpy(b->page + 16 + b->used, &hdr, 4);
	memcpy(b->page + 16 + b->used + 4, rec, len);
	b->used += 4 + len;
}

static void page_finish(struct page_builder *b, int missed, uint64_t missed_count)
{
	uint64_t commit = b->used;

	if (missed) {
		commit |= 1ULL << 31;
		if (missed_count) {
			memcpy(b->page + 16 + b->used, &missed_count, 8);
			commit |= 1ULL << 30;
		}
	}
	memcpy(b->page + 8, &commit, 8);
}

static void rec_sleep(unsigned char *r, int pid, int nid)
{
	uint16_t type = 662;

	memset(r, 0, 12);
	memcpy(r, &type, 2);
	memcpy(r + 4, &pid, 4);
	memcpy(r + 8, &nid, 4);
}

static void rec_begin(unsigned char *r, int pid, uint64_t zs, uint64_t mp, uint64_t fp, uint64_t ze)
{
	uint16_t type = 670;

	memset(r, 0, 44);
	memcpy(r, &type, 2);
	memcpy(r + 4, &pid, 4);
	memcpy(r + 8, &zs, 8);
	memcpy(r + 16, &mp, 8);
	memcpy(r + 24, &fp, 8);
	memcpy(r + 32, &ze, 8);
	r[40] = 1;
}

static int write_all(int fd, const void *p, size_t n)
{
	return write(fd, p, n) == (ssize_t)n ? 0 : -1;
}

static void test_writer(void)
{
	static const char cmdlines[] = "4242 kcompactd0\n77 bash\n";
	char path[600], spool0[640], spool1[640], cmd[2048];
	struct ct_tdw_text texts[2] = { { fmt_sleep, sizeof(fmt_sleep) - 1 },
					{ fmt_begin, sizeof(fmt_begin) - 1 } };
	struct ct_tdw_system sys = { "compaction", texts, 2 };
	struct ct_tdw_formats f = {
		.header_page = { header_page, sizeof(header_page) - 1 },
		.header_event = { header_event, sizeof(header_event) - 1 },
		.systems = &sys, .nsystems = 1,
	};
	struct ct_tdw_text none = { NULL, 0 }, cl = { cmdlines, sizeof(cmdlines) - 1 };
	struct ct_attach_set *att = ct_attach_set_new();
	struct page_builder b;
	struct ct_tdw *w = NULL;
	struct ct_tdw_cpu cpus[3];
	struct ct_source *src = NULL;
	struct ct_event ev;
	unsigned char rec[64], *owned = NULL;
	const unsigned char *file;
	char err[512];
	uint64_t header_size, off, size, last_ts = 0;
	int fd, s0, s1, n = 0, lost = 0, sleeps = 0, begins = 0, cpu_of_begin = -1;
	uint64_t lost_count = 0;
	size_t flen, len;
	FILE *p;

	snprintf(path, sizeof(path), "%s/ct-unit.dat", dir);
	snprintf(spool0, sizeof(spool0), "%s/ct-unit.cpu0", dir);
	snprintf(spool1, sizeof(spool1), "%s/ct-unit.cpu1", dir);
	fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0644);
	s0 = open(spool0, O_RDWR | O_CREAT | O_TRUNC, 0644);
	s1 = open(spool1, O_RDWR | O_CREAT | O_TRUNC, 0644);
	CHECK(fd >= 0 && s0 >= 0 && s1 >= 0 && att);
	if (fd < 0 || s0 < 0 || s1 < 0 || !att)
		goto out;

	/* CPU 0: two pages, the second one flagged with 5 missed events; CPU 1: one page */
	page_start(&b, 1000000);
	rec_sleep(rec, 4242, 0);
	page_event(&b, 0, rec, 12);
	rec_begin(rec, 77, 0x1000, 0x1000, 0x8000, 0x9000);
	page_event(&b, 100, rec, 44);
	page_finish(&b, 0, 0);
	CHECK(write_all(s0, b.page, PAGE) == 0);
	page_start(&b, 2000000);
	rec_sleep(rec, 4242, 0);
	page_event(&b, 5, rec, 12);
	page_finish(&b, 1, 5);
	CHECK(write_all(s0, b.page, PAGE) == 0);
	page_start(&b, 1500000);
	rec_sleep(rec, 4242, 1);
	page_event(&b, 1, rec, 12);
	page_finish(&b, 0, 0);
	CHECK(write_all(s1, b.page, PAGE) == 0);

	CHECK(ct_tdw_new(fd, 1000, &w) == -CT_E_INVAL);	/* not a power of two */
	CHECK(ct_tdw_new(fd, PAGE, &w) == 0);
	if (!w)
		goto out;
	CHECK(ct_tdw_write_procinfo(w, none, none, cl) == -CT_E_INVAL);	/* formats first */
	CHECK(ct_tdw_write_formats(w, &f) == 0);
	CHECK(ct_tdw_write_procinfo(w, none, none, cl) == 0);
	header_size = ct_tdw_size(w);
	/* again, as at the end of a recording: replaces, does not append */
	CHECK(ct_tdw_write_procinfo(w, none, none, cl) == 0);
	CHECK_U64(ct_tdw_size(w), header_size);
	CHECK(ct_tdw_add_option(w, CT_TDW_OPT_TRACECLOCK, "[local] global\n", 16) == 0);
	CHECK(ct_tdw_add_option(w, CT_TDW_OPT_CPUSTAT, "CPU: 0\noverrun: 0\n", 19) == 0);
	CHECK(ct_tdw_add_option(w, 0, "x", 1) == -CT_E_INVAL);
	cpus[0] = (struct ct_tdw_cpu){ s0, 2 * PAGE };
	cpus[1] = (struct ct_tdw_cpu){ s1, PAGE };
	cpus[2] = (struct ct_tdw_cpu){ -1, 0 };	/* an offline CPU */
	CHECK(ct_tdw_write_data(w, 3, cpus, "local") == 0);
	ct_tdw_cpu_data(w, 0, &off, &size);
	CHECK(off % PAGE == 0 && size == 2 * PAGE);
	ct_tdw_cpu_data(w, 2, &off, &size);
	CHECK(off == 0 && size == 0);
	CHECK(ct_attach_set_add(att, "snapshot-start/vmstat", "nr_free_pages 10\n", 17) == 0);
	CHECK(ct_tdw_finish(w, att) == 0);

	/* our own parser reads it back */
	CHECK(ct_source_open(path, NULL, &src, err, sizeof(err)) == 0);
	if (!src) {
		fprintf(stderr, "%s\n", err);
		goto out;
	}
	CHECK_STR(ct_source_format(src), CT_FORMAT_TRACE_DAT);
	while (ct_source_next(src, &ev) == 1) {
		n++;
		CHECK(ev.ts_ns >= last_ts);
		last_ts = ev.ts_ns;
		if (ev.type == CT_EV_LOST) {
			lost++;
			lost_count += ev.u.lost.count;
		} else if (ev.type == CT_EV_KCOMPACTD_SLEEP) {
			sleeps++;
			CHECK(ev.pid == 4242);
			CHECK_STR(ev.comm, "kcompactd0");
		} else if (ev.type == CT_EV_BEGIN) {
			begins++;
			cpu_of_begin = ev.cpu;
			CHECK_U64(ev.ts_ns, 1000100);
			CHECK_U64(ev.u.range.free_pfn, 0x8000);
			CHECK_STR(ev.comm, "bash");
		}
	}
	CHECK_U64(sleeps, 3);
	CHECK_U64(begins, 1);
	CHECK(cpu_of_begin == 0);
	CHECK_U64(lost, 1);
	CHECK_U64(lost_count, 5);
	ct_source_free(src);
	src = NULL;

	/* the attachments sit after the CPU data */
	file = map_file(path, &flen, &owned);
	CHECK(file && ct_attach_scan(file, flen, &off) == 1);
	CHECK(file && ct_attach_find(file, flen, "snapshot-start/vmstat", &len) && len == 17);
	free(owned);

	/* trace-cmd agrees, when it is installed */
	snprintf(cmd, sizeof(cmd), "trace-cmd report '%s' 2>&1", path);
	if (system("command -v trace-cmd >/dev/null 2>&1") == 0 && (p = popen(cmd, "r"))) {
		char line[1024];
		int events = 0, dropped = 0, complaints = 0;

		while (fgets(line, sizeof(line), p)) {
			if (strstr(line, "mm_compaction_"))
				events++;
			else if (strstr(line, "EVENTS DROPPED"))
				dropped++;
			else if (strncmp(line, "cpus=", 5) != 0)
				complaints++, fprintf(stderr, "trace-cmd: %s", line);
		}
		CHECK(pclose(p) == 0);
		CHECK(events == 4);
		CHECK(dropped == 1);
		CHECK(complaints == 0);
	} else {
		fprintf(stderr, "note: trace-cmd not found; skipped the trace-cmd cross-check\n");
	}

	/* rollback leaves the restore header */
	CHECK(ct_tdw_rollback(w) == 0);
	{
		struct stat st;

		CHECK(stat(path, &st) == 0 && (uint64_t)st.st_size == header_size);
	}
out:
	ct_source_free(src);
	ct_tdw_free(w);
	ct_tdw_free(NULL);
	ct_attach_set_free(att);
	if (fd >= 0)
		close(fd);
	if (s0 >= 0)
		close(s0);
	if (s1 >= 0)
		close(s1);
	unlink(path);
	unlink(spool0);
	unlink(spool1);
}

/* ---- kpageflags summary ---- */

static void test_kpageflags(void)
{
	enum { LRU = 1 << 5, SLAB = 1 << 7, BUDDY = 1 << 10 };
	const uint64_t NOPAGE = 1ULL << 20;
	/* pageblock order 2: four pages per block */
	const uint64_t flags[] = {
		BUDDY, 0, 0, 0,		/* one free order-2 block */
		LRU, SLAB, 0, BUDDY,	/* lru, slab, other, a free order-0 page */
		NOPAGE, NOPAGE, NOPAGE, NOPAGE,	/* a hole: no line */
		BUDDY, 0, LRU, 0,	/* free order-1 block (pfn 12 is 2-aligned), lru, other */
		0, 0,			/* a partial last block */
	};
	char path[600], *text = NULL;
	size_t len = 0;
	int fd;

	snprintf(path, sizeof(path), "%s/ct-unit.kpageflags", dir);
	fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0644);
	CHECK(fd >= 0);
	if (fd < 0)
		return;
	CHECK(write_all(fd, flags, sizeof(flags)) == 0);
	CHECK(ct_kpageflags_summary(fd, 0, &text, &len) == -CT_E_INVAL);
	CHECK(ct_kpageflags_summary(fd, 2, &text, &len) == 0);
	CHECK(text && strlen(text) == len);
	if (text) {
		CHECK(strstr(text, "# pageblock_order 2\n") != NULL);
		CHECK(strstr(text, "\n0x0 4 0 0 0\n") != NULL);
		CHECK(strstr(text, "\n0x4 1 1 1 1\n") != NULL);
		CHECK(strstr(text, "\n0x8 ") == NULL);
		CHECK(strstr(text, "\n0xc 2 1 0 1\n") != NULL);
		CHECK(strstr(text, "\n0x10 0 0 0 2\n") != NULL);
		CHECK(strstr(text, "total pfns 18 pageblocks 4\n") != NULL);
		CHECK(strstr(text, "total free 7 lru 2 slab 1 other 4 nopage 4\n") != NULL);
		if (ct_test_failures)
			fprintf(stderr, "%s", text);
	}
	free(text);
	close(fd);
	unlink(path);

	CHECK(ct_pageblock_order_from_pagetypeinfo("Page block order: 9\nPages per block:  512\n", 40) == 9);
	CHECK(ct_pageblock_order_from_pagetypeinfo("Page block order: 10", 20) == 10);
	CHECK(ct_pageblock_order_from_pagetypeinfo("Page block order: 9", 10) == 0);
	CHECK(ct_pageblock_order_from_pagetypeinfo("nothing", 7) == 0);
}

/* ---- the free map (record --pages) ---- */

static int steps;

static int count_step(void *ctx)
{
	(void)ctx;
	return ++steps == 2 ? -CT_E_NOSPACE : 0;	/* the second call stops the read */
}

static void test_free_map(void)
{
	enum { BUDDY = 1 << 10 };
	const uint64_t NOPAGE = 1ULL << 20;
	struct ct_memsnap_free_map map;
	char path[600];
	uint64_t w;
	int fd, ret;

	snprintf(path, sizeof(path), "%s/ct-unit.kpageflags-map", dir);
	fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0644);
	CHECK(fd >= 0);
	if (fd < 0)
		return;
	/* 2.5 chunks: BUDDY every 3rd pfn, a hole, the rest allocated or flagless */
	for (uint64_t p = 0; p < CT_FREE_MAP_CHUNK * 5 / 2; p++) {
		w = p % 3 == 0 ? BUDDY : p == 7 ? NOPAGE : p % 3 == 1 ? (1 << 5) : 0;
		if (write_all(fd, &w, sizeof(w)) < 0)
			break;
	}
	ret = ct_free_map_read(fd, &map, NULL, NULL);
	CHECK(ret == 0);
	CHECK(map.npfns == CT_FREE_MAP_CHUNK * 5 / 2 && map.start_pfn == 0 && map.ts_begin_ns == 0);
	CHECK(ct_memsnap_pfn_class(&map, 0) == CT_PFN_FREE);
	CHECK(ct_memsnap_pfn_class(&map, 1) == CT_PFN_USED);
	CHECK(ct_memsnap_pfn_class(&map, 2) == CT_PFN_NOFLAGS);
	CHECK(ct_memsnap_pfn_class(&map, 7) == CT_PFN_NOPAGE);
	CHECK(ct_memsnap_pfn_class(&map, CT_FREE_MAP_CHUNK * 2 + 1) == CT_PFN_FREE);
	CHECK(ct_memsnap_pfn_class(&map, CT_FREE_MAP_CHUNK * 5 / 2) == CT_PFN_NOPAGE);	/* past the end */
	free(map.classes);
	/* the step runs between chunks; its error stops the read and is returned */
	steps = 0;
	ret = ct_free_map_read(fd, &map, count_step, NULL);
	CHECK(ret == -CT_E_NOSPACE && steps == 2);
	free(map.classes);
	/* an empty file is no map */
	CHECK(ftruncate(fd, 0) == 0);
	CHECK(ct_free_map_read(fd, &map, NULL, NULL) == -CT_E_IO);
	free(map.classes);
	close(fd);
	unlink(path);
}

/* buddyinfo and zoneinfo read at the stop are kept when the rest is collected after */
static void test_collect_order(void)
{
	struct ct_attach_set *set = ct_attach_set_new();
	char root[600], path[700];
	const char *v;
	size_t len;
	FILE *f;

	snprintf(root, sizeof(root), "%s/ct-unit-root", dir);
	snprintf(path, sizeof(path), "%s/proc", root);
	CHECK(set && (mkdir(root, 0755) == 0 || errno == EEXIST) && (mkdir(path, 0755) == 0 || errno == EEXIST));
	for (int pass = 0; set && pass < 2; pass++) {
		static const char *const items[] = { "buddyinfo", "zoneinfo" };

		for (size_t i = 0; i < 2; i++) {
			snprintf(path, sizeof(path), "%s/proc/%s", root, items[i]);
			f = fopen(path, "w");
			CHECK(f != NULL);
			if (f) {
				fprintf(f, "%s read %s\n", items[i], pass ? "later" : "at the stop");
				fclose(f);
			}
		}
		if (pass == 0)
			CHECK(ct_snapshot_collect_buddy(set, root, CT_SNAPSHOT_END) == 0);
		else
			CHECK(ct_snapshot_collect(set, root, CT_SNAPSHOT_END, NULL, NULL) == 0);
	}
	v = set ? ct_attach_set_find(set, CT_SNAPSHOT_END "/buddyinfo", &len) : NULL;
	CHECK(v && len == 27 && memcmp(v, "buddyinfo read at the stop\n", 27) == 0);
	v = set ? ct_attach_set_find(set, CT_SNAPSHOT_END "/zoneinfo", &len) : NULL;
	CHECK(v && memcmp(v, "zoneinfo read at the stop", 25) == 0);
	CHECK(set && ct_attach_set_find(set, CT_SNAPSHOT_END "/page-size", &len) != NULL);
	for (const char *const *it = ct_snapshot_items; *it; it++) {
		snprintf(path, sizeof(path), "%s/proc/%s", root, *it);
		unlink(path);
	}
	snprintf(path, sizeof(path), "%s/proc", root);
	rmdir(path);
	rmdir(root);
	ct_attach_set_free(set);
}

/* ---- snapshots from attachments (the path `report` takes for a recorded file) ---- */

static void test_snapshot_set(void)
{
	static const char vm[] = "nr_free_pages 5\ncompact_stall 3\n";
	static const char pti[] = "Page block order: 10\nPages per block:  1024\n";
	static const char rel[] = "6.18.44-x\nignored";
	struct ct_attach_set *set = ct_attach_set_new();
	struct ct_snapshot *snap = NULL;
	char err[512];
	uint64_t v = 0;

	CHECK(set != NULL);
	CHECK(ct_attach_set_add(set, "snapshot-start/vmstat", vm, sizeof(vm) - 1) == 0);
	CHECK(ct_attach_set_add(set, "snapshot-start/pagetypeinfo", pti, sizeof(pti) - 1) == 0);
	CHECK(ct_attach_set_add(set, "snapshot-start/osrelease", rel, sizeof(rel) - 1) == 0);
	CHECK(ct_snapshot_load_set(set, CT_SNAPSHOT_START, "unit", &snap, err, sizeof(err)) == 0);
	CHECK(snap && snap->vmstat && ct_vmstat_value(snap->vmstat, "compact_stall", &v) == 0 && v == 3);
	CHECK(snap && snap->pageblock_order == 10);
	CHECK(snap && strcmp(snap->release, "6.18.44-x") == 0);
	CHECK(snap && strcmp(snap->where, "unit#snapshot-start") == 0);
	ct_snapshot_free(snap);
	ct_snapshot_free(NULL);

	/* no vmstat under that prefix: no snapshot, no error */
	snap = (struct ct_snapshot *)1;
	CHECK(ct_snapshot_load_set(set, CT_SNAPSHOT_END, "unit", &snap, err, sizeof(err)) == 0 && !snap);

	CHECK(ct_attach_set_add(set, "snapshot-start/vmstat", "not vmstat", 10) == 0);
	CHECK(ct_snapshot_load_set(set, CT_SNAPSHOT_START, "unit", &snap, err, sizeof(err)) == -CT_E_PARSE);
	CHECK(strstr(err, "unit#snapshot-start/vmstat") != NULL);
	ct_attach_set_free(set);
}

int main(int argc, char **argv)
{
	const char *tmp = getenv("TMPDIR");

	snprintf(dir, sizeof(dir), "%s", argc > 1 ? argv[1] : tmp && *tmp ? tmp : "/tmp");
	test_attach();
	test_writer();
	test_kpageflags();
	test_free_map();
	test_collect_order();
	test_snapshot_set();
	return ct_test_status("record-unit");
}
