// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Seed inputs the samples cannot give as small files (seeds.sh calls it):
 *
 *   make_seeds dat FORMATS_DIR DAT_OUT TEXT_OUT
 *       small synthetic trace.dat files (v6, v7, zlib, big-endian, lost
 *       events, bad records, two buffers) from real kernel format files,
 *       and the trace-cmd report text of each
 *   make_seeds items OUT_DIR
 *       the "free-map" and "kpageflags-summary" snapshot items of a made-up
 *       fragmented zone (record writes them from /proc/kpageflags)
 *   make_seeds attach IN OUT START_DIR END_DIR
 *       OUT = IN + an attachment container holding every file of START_DIR
 *       as "snapshot-start/NAME" and of END_DIR as "snapshot-end/NAME"
 *   make_seeds engine TRACE OUT [MAX_EVENTS]
 *       the events of TRACE (any format) in fuzz_engine's input encoding
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "compactrace/attach.h"
#include "compactrace/memsnap.h"
#include "capture/snapshots_collect.h"
#include "compactrace/source.h"
#include "core/util.h"
#include "synth.h"

static int write_file(const char *path, const void *p, size_t len)
{
	FILE *f = fopen(path, "we");

	if (!f || (len && fwrite(p, 1, len, f) != len) || fclose(f) != 0) {
		fprintf(stderr, "make_seeds: cannot write %s\n", path);
		return -1;
	}
	return 0;
}

static int cmd_dat(const char *formats, const char *dat_out, const char *text_out)
{
	static const struct {
		const char *name, *kernel;
		struct synth_opts o;
	} v[] = {
		{ "v6-6.18", "linux-6.18", { .nr_records = 40, .seed = 1 } },
		{ "v6-6.1", "linux-6.1", { .nr_records = 40, .seed = 2 } },
		{ "v6-be", "linux-6.18", { .nr_records = 30, .seed = 3, .bigendian = 1 } },
		{ "v6-lost", "linux-6.18", { .nr_records = 60, .seed = 4, .lost = 1 } },
		{ "v6-bad", "linux-6.1", { .nr_records = 30, .seed = 5, .bad_id = 1, .short_rec = 1 } },
		{ "v7", "linux-6.18", { .nr_records = 40, .seed = 6, .version = 7 } },
		{ "v7-zlib", "linux-6.18", { .nr_records = 40, .seed = 7, .version = 7, .zlib = 1 } },
		{ "v7-2buf", "linux-6.1", { .nr_records = 40, .seed = 8, .version = 7, .two_buffers = 1 } },
	};
	int status = 0;

	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		struct synth_opts o = v[i].o;
		struct synth_out out;
		char dir[4096], path[4200];

		snprintf(dir, sizeof(dir), "%s/%s", formats, v[i].kernel);
		o.formats_dir = dir;
		if (synth_make(&o, &out) < 0) {
			status = 1;	/* e.g. v7-zlib without zlib */
			continue;
		}
		snprintf(path, sizeof(path), "%s/synth-%s.dat", dat_out, v[i].name);
		if (write_file(path, out.dat, out.dat_len) < 0)
			status = 1;
		snprintf(path, sizeof(path), "%s/synth-%s.txt", text_out, v[i].name);
		if (write_file(path, out.text, out.text_len) < 0)
			status = 1;
		synth_free(&out);
	}
	return status;
}

/* Pfns [0, 0x10000) fragmented by pattern: kpageflags words, then the two items. */
static int cmd_items(const char *out_dir)
{
	const uint64_t npfns = 0x10000;
	struct ct_memsnap_free_map map;
	uint64_t *kpf = calloc(npfns, sizeof(*kpf));
	unsigned char *bytes = NULL;
	char *summary = NULL, path[4200];
	size_t len, slen;
	int fd = memfd_create("kpageflags", MFD_CLOEXEC), ret = 1;

	if (!kpf || fd < 0 || ct_memsnap_free_map_init(&map, 0, npfns) < 0)
		goto out;
	for (uint64_t pfn = 0; pfn < npfns; pfn++) {
		uint64_t pb = pfn >> 9;

		if (pfn == 0 || (pb >= 0x100 && pb < 0x104))
			kpf[pfn] = 1ULL << 20;			/* KPF_NOPAGE: holes */
		else if (pb % 3 == 0)
			kpf[pfn] = (pfn & 511) == 0 ? 1ULL << 10 : 0;	/* a free order-9 block */
		else if (pb % 3 == 1)
			kpf[pfn] = (pfn & 1) ? 1ULL << 10 : 1ULL << 5;	/* LRU pages, odd ones free */
		else
			kpf[pfn] = (pfn & 7) == 7 ? 0 : 1ULL << 7;	/* slab, some flagless */
		ct_memsnap_free_map_set(&map, pfn, pb % 3 == 0 && !(kpf[pfn] & (1ULL << 20)) ?
					CT_PFN_FREE : ct_pfn_class_of_kpageflags(kpf[pfn]));
	}
	if (write(fd, kpf, npfns * sizeof(*kpf)) != (ssize_t)(npfns * sizeof(*kpf)) ||
	    lseek(fd, 0, SEEK_SET) != 0 || ct_kpageflags_summary(fd, 9, &summary, &slen) < 0 ||
	    ct_memsnap_encode_free_map(&map, &bytes, &len) < 0)
		goto out;
	snprintf(path, sizeof(path), "%s/free-map", out_dir);
	if (write_file(path, bytes, len) < 0)
		goto out;
	snprintf(path, sizeof(path), "%s/kpageflags-summary", out_dir);
	if (write_file(path, summary, slen) < 0)
		goto out;
	ret = 0;
out:
	if (ret)
		fprintf(stderr, "make_seeds: items failed\n");
	if (fd >= 0)
		close(fd);
	free(kpf);
	free(map.classes);
	free(bytes);
	free(summary);
	return ret;
}

static int add_dir(struct ct_attach_set *set, const char *prefix, const char *dir)
{
	struct dirent *d;
	DIR *dp = opendir(dir);
	int ret = 0;

	if (!dp)
		return -1;
	while (ret == 0 && (d = readdir(dp))) {
		char path[4200], name[512], *data;
		size_t len;

		if (d->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, d->d_name);
		snprintf(name, sizeof(name), "%s/%s", prefix, d->d_name);
		if (ct_read_file(path, 64u << 20, &data, &len) < 0)
			continue;
		ret = ct_attach_set_add(set, name, data, len);
		free(data);
	}
	closedir(dp);
	return ret;
}

static int cmd_attach(const char *in, const char *out, const char *start, const char *end)
{
	struct ct_attach_set *set = ct_attach_set_new();
	unsigned char *cont = NULL;
	char *trace = NULL;
	size_t len, clen;
	FILE *f = NULL;
	int ret = 1;

	if (!set || ct_read_file(in, 64u << 20, &trace, &len) < 0 ||
	    add_dir(set, "snapshot-start", start) < 0 || add_dir(set, "snapshot-end", end) < 0 ||
	    ct_attach_set_encode(set, len, &cont, &clen) < 0)
		goto out;
	f = fopen(out, "we");
	if (f && fwrite(trace, 1, len, f) == len && fwrite(cont, 1, clen, f) == clen)
		ret = 0;
	if (f && fclose(f) != 0)
		ret = 1;
out:
	if (ret)
		fprintf(stderr, "make_seeds: attach %s -> %s failed\n", in, out);
	ct_attach_set_free(set);
	free(cont);
	free(trace);
	return ret;
}

/* ---- fuzz_engine's encoding (see the decoder in fuzz_engine.c) ---------- */

struct enc {
	FILE *f;
};

static void b8(struct enc *e, unsigned v)
{
	fputc((int)(v & 0xff), e->f);
}

static void val(struct enc *e, uint64_t v)	/* selector 5: eight raw bytes */
{
	b8(e, 5);
	for (int i = 0; i < 8; i++)
		b8(e, (unsigned)(v >> (8 * i)));
}

static unsigned zone_index(const char *zone)
{
	static const char *const z[] = { "DMA", "DMA32", "Normal", "Movable" };

	for (unsigned i = 0; i < 4; i++)
		if (strcmp(zone, z[i]) == 0)
			return i;
	return 4;	/* "" */
}

static void encode(struct enc *e, const struct ct_event *ev)
{
	b8(e, ev->type);
	b8(e, 248);	/* pid: a value follows */
	val(e, (uint64_t)(int64_t)ev->pid);
	b8(e, (unsigned)(ev->cpu < 0 ? 7 : ev->cpu & 3) | (strncmp(ev->comm, "kcompactd", 9) == 0 ? 0 : 2) << 3);
	b8(e, 255);	/* an absolute timestamp follows */
	val(e, ev->ts_ns);
	if (ev->type == 0)
		b8(e, 1);	/* the name "mm_page_alloc" */
	switch (ev->type) {
	case CT_EV_BEGIN:
	case CT_EV_END:
		val(e, ev->u.range.zone_start);
		val(e, ev->u.range.migrate_pfn);
		val(e, ev->u.range.free_pfn);
		val(e, ev->u.range.zone_end);
		b8(e, (unsigned)(ev->u.range.sync == CT_SYNC_UNKNOWN ? 3 : ev->u.range.sync & 1) |
		      (unsigned)(ev->u.range.status & 15) << 2);
		break;
	case CT_EV_ISOLATE_MIGRATE:
	case CT_EV_ISOLATE_FREE:
	case CT_EV_FAST_ISOLATE_FREE:
		val(e, ev->u.iso.start_pfn);
		val(e, ev->u.iso.end_pfn);
		val(e, ev->u.iso.nr_scanned);
		val(e, ev->u.iso.nr_taken);
		break;
	case CT_EV_MIGRATEPAGES:
		val(e, ev->u.mig.nr_migrated);
		val(e, ev->u.mig.nr_failed);
		break;
	case CT_EV_TRY_TO_COMPACT:
		val(e, (uint64_t)(int64_t)ev->u.try_.order);
		val(e, (uint64_t)(int64_t)ev->u.try_.priority);
		b8(e, ev->u.try_.prio_is_mode | ev->u.try_.gfp_known << 1);
		val(e, ev->u.try_.gfp);
		break;
	case CT_EV_FINISHED:
	case CT_EV_SUITABLE:
		val(e, (uint64_t)(int64_t)ev->u.zo.nid);
		val(e, (uint64_t)(int64_t)ev->u.zo.order);
		b8(e, (unsigned)ev->u.zo.ret % CT_STATUS_COUNT);
		b8(e, zone_index(ev->u.zo.zone));
		break;
	case CT_EV_DEFERRED:
	case CT_EV_DEFER_COMPACTION:
	case CT_EV_DEFER_RESET:
		val(e, (uint64_t)(int64_t)ev->u.defer.nid);
		val(e, (uint64_t)(int64_t)ev->u.defer.order);
		val(e, (uint64_t)(int64_t)ev->u.defer.order_failed);
		val(e, ev->u.defer.consider);
		val(e, ev->u.defer.limit);
		b8(e, zone_index(ev->u.defer.zone));
		break;
	case CT_EV_KCOMPACTD_SLEEP:
	case CT_EV_WAKEUP_KCOMPACTD:
	case CT_EV_KCOMPACTD_WAKE:
		val(e, (uint64_t)(int64_t)ev->u.kc.nid);
		val(e, (uint64_t)(int64_t)ev->u.kc.order);
		b8(e, zone_index(ev->u.kc.zone));
		break;
	case CT_EV_EXTFRAG:
		val(e, ev->u.xf.pfn);
		val(e, (uint64_t)(int64_t)ev->u.xf.alloc_order);
		val(e, (uint64_t)(int64_t)ev->u.xf.fallback_order);
		val(e, (uint64_t)(int64_t)ev->u.xf.alloc_migratetype);
		val(e, (uint64_t)(int64_t)ev->u.xf.fallback_migratetype);
		val(e, (uint64_t)(int64_t)ev->u.xf.change_ownership);
		val(e, (uint64_t)(int64_t)ev->u.xf.printed_pageblock_order);
		val(e, (uint64_t)(int64_t)ev->u.xf.printed_fragmenting);
		break;
	case CT_EV_MM_MIGRATE_PAGES:
		val(e, ev->u.mm.succeeded);
		val(e, ev->u.mm.failed);
		b8(e, 0);
		break;
	case CT_EV_LOST:
		val(e, ev->u.lost.count);
		break;
	case CT_EV_PARSE_ERROR:
		val(e, ev->u.perr.where);
		break;
	default:
		if (ev->type < CT_EV_PAGE_FIRST || ev->type > CT_EV_PAGE_LAST)
			break;
		val(e, ev->u.page.pfn);
		val(e, (uint64_t)(int64_t)ev->u.page.order);
		val(e, (uint64_t)(int64_t)ev->u.page.migratetype);
		val(e, (uint64_t)(int64_t)ev->u.page.percpu_refill);
		b8(e, ev->u.page.gfp_known);
		val(e, ev->u.page.gfp);
		break;
	}
}

static int cmd_engine(const char *trace, const char *out, long max, unsigned header)
{
	struct ct_source *src;
	struct ct_event ev;
	struct enc e;
	char err[512];
	long n = 0;
	int ret;

	if (ct_source_open(trace, NULL, &src, err, sizeof(err)) < 0) {
		fprintf(stderr, "make_seeds: %s\n", err);
		return 1;
	}
	e.f = fopen(out, "we");
	if (!e.f) {
		ct_source_free(src);
		return 1;
	}
	b8(&e, header);
	while (n++ < max && (ret = ct_source_next(src, &ev)) == 1)
		encode(&e, &ev);
	ct_source_free(src);
	return fclose(e.f) != 0;
}

int main(int argc, char **argv)
{
	if (argc == 5 && strcmp(argv[1], "dat") == 0)
		return cmd_dat(argv[2], argv[3], argv[4]);
	if (argc == 3 && strcmp(argv[1], "items") == 0)
		return cmd_items(argv[2]);
	if (argc == 6 && strcmp(argv[1], "attach") == 0)
		return cmd_attach(argv[2], argv[3], argv[4], argv[5]);
	if ((argc == 4 || argc == 5 || argc == 6) && strcmp(argv[1], "engine") == 0)
		return cmd_engine(argv[2], argv[3], argc >= 5 ? strtol(argv[4], NULL, 10) : 400,
				  argc == 6 ? (unsigned)strtoul(argv[5], NULL, 0) : 2);
	fprintf(stderr, "usage: make_seeds dat FORMATS DAT_OUT TEXT_OUT | items OUT | "
		"attach IN OUT START END | engine TRACE OUT [MAX [HEADER]]\n");
	return 2;
}
