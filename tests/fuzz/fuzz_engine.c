// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Fuzz the engine and the shadow buddy model with arbitrary event
 * sequences: the input bytes decode to struct ct_event values, with absurd
 * values on purpose (pfns beyond any zone, negative and huge orders, 10^18
 * counts, timestamps going backwards, unknown types), fed to an engine
 * with the model on, optionally seeded from snapshots (counts, or a per-pfn
 * free map in exact mode), then rendered to every report.
 *
 * Input: one header byte, then events until the bytes run out.
 *   header: bits 0-1 snapshots (0 none, 1 start, 2 start + end, 3 start
 *           free map + end, exact mode); bits 2-4 pageblock order; bit 5
 *           split the events into two sources; bit 6 a --pid filter (the
 *           engine then has no model).
 *   event:  type byte, pid byte, cpu/comm byte, timestamp step, then the
 *           type's fields; every number is a value selector (fz_val()).
 */
#include <stdlib.h>
#include <string.h>

#include "compactrace/error.h"
#include "fuzz_common.h"

struct rd {
	const uint8_t *p;
	size_t n;
	uint64_t last;	/* the previous value: a selector can stay near it */
};

static uint8_t u8(struct rd *r)
{
	if (!r->n)
		return 0;
	r->n--;
	return *r->p++;
}

static uint64_t raw(struct rd *r, int bytes)
{
	uint64_t v = 0;

	for (int i = 0; i < bytes; i++)
		v |= (uint64_t)u8(r) << (8 * i);
	return v;
}

/* Values a kernel never prints, and the edges around real ones. */
static const uint64_t specials[32] = {
	0, 1, UINT64_MAX, UINT64_MAX - 1, 1000000000000000000ULL, 1ULL << 40, 1ULL << 52, 1ULL << 63,
	INT32_MAX, (uint64_t)(int64_t)INT32_MIN, 0x1000, 0x40000, 512, 1023, 1ULL << 32, UINT32_MAX,
	(uint64_t)-2, (uint64_t)-10, 11, 12, 13, 15, 16, 19, 20, 63, 64, 0xfff, 0x3ffff, 0x40001,
	INT64_MAX, 1ULL << 20,
};

/* A number: small, a pfn in the zones below, near the last one, a special, or raw. */
static uint64_t fz_val(struct rd *r)
{
	uint8_t s = u8(r);
	uint64_t v;

	switch (s & 7) {
	case 0:
		v = s >> 3;
		break;
	case 1:
		v = u8(r);
		break;
	case 2:
		v = raw(r, 2);
		break;
	case 3:
		v = raw(r, 3) & 0x7ffff;	/* around the snapshot's zones */
		break;
	case 4:
		v = specials[s >> 3];
		break;
	case 5:
		v = raw(r, 8);
		break;
	case 6:
		v = r->last + (s >> 3) * 512;	/* the next pageblocks */
		break;
	default:
		v = (uint64_t)-(int64_t)(s >> 3);
		break;
	}
	r->last = v;
	return v;
}

static const char *const comms[8] = {
	"kcompactd0", "kcompactd1", "sh", "bash", "", "thp-fault", "a-task-name-of-thirty-one-chars", "swapper/1",
};
static const char *const zones[8] = { "DMA", "DMA32", "Normal", "Movable", "", "?", "ZONE_LONGEST", "DMA32 " };
static const char *const names[8] = {
	"sched_switch", "mm_page_alloc", "mm_compaction_begin", "x", "kmem:mm_page_free",
	"compaction:mm_compaction_end", "mm_compaction_fast_isolate_freepages", "",
};
static const char *const gfps[4] = {
	"GFP_TRANSHUGE|__GFP_THISNODE", "0x140cca", "", "GFP_KERNEL|__GFP_COMP|__GFP_NOWARN|__GFP_NORETRY",
};
static const char *const migrate_modes[4] = { "MIGRATE_SYNC", "MIGRATE_ASYNC", "", "MIGRATE_SYNC_LIGHT" };
static const char *const reasons[4] = { "compaction", "numa_misplaced", "", "contig_range" };

static void put(char *dst, size_t size, const char *src)
{
	size_t n = strnlen(src, size - 1);

	memcpy(dst, src, n);
	dst[n] = '\0';
}

static void decode_fields(struct rd *r, struct ct_event *ev)
{
	uint8_t s;

	switch (ev->type) {
	case CT_EV_BEGIN:
	case CT_EV_END:
		ev->u.range.zone_start = fz_val(r);
		ev->u.range.migrate_pfn = fz_val(r);
		ev->u.range.free_pfn = fz_val(r);
		ev->u.range.zone_end = fz_val(r);
		s = u8(r);
		ev->u.range.sync = (int8_t)((s & 3) == 3 ? CT_SYNC_UNKNOWN : (s & 3) == 2 ? (int8_t)s : s & 1);
		ev->u.range.status = (int16_t)((s >> 2) < 48 ? (s >> 2) % (CT_STATUS_COUNT + 1) :
					       (int16_t)fz_val(r));
		break;
	case CT_EV_ISOLATE_MIGRATE:
	case CT_EV_ISOLATE_FREE:
	case CT_EV_FAST_ISOLATE_FREE:
		ev->u.iso.start_pfn = fz_val(r);
		ev->u.iso.end_pfn = fz_val(r);
		ev->u.iso.nr_scanned = fz_val(r);
		ev->u.iso.nr_taken = fz_val(r);
		break;
	case CT_EV_MIGRATEPAGES:
		ev->u.mig.nr_migrated = fz_val(r);
		ev->u.mig.nr_failed = fz_val(r);
		break;
	case CT_EV_TRY_TO_COMPACT:
		ev->u.try_.order = (int32_t)fz_val(r);
		ev->u.try_.priority = (int32_t)fz_val(r);
		s = u8(r);
		ev->u.try_.prio_is_mode = s & 1;
		ev->u.try_.gfp_known = (s >> 1) & 1;
		ev->u.try_.gfp = fz_val(r);
		put(ev->u.try_.gfp_text, sizeof(ev->u.try_.gfp_text), gfps[(s >> 2) & 3]);
		break;
	case CT_EV_FINISHED:
	case CT_EV_SUITABLE:
		ev->u.zo.nid = (int32_t)fz_val(r);
		ev->u.zo.order = (int32_t)fz_val(r);
		s = u8(r);
		ev->u.zo.ret = (int16_t)(s < 240 ? s % (CT_STATUS_COUNT + 1) : (int16_t)fz_val(r));
		put(ev->u.zo.zone, sizeof(ev->u.zo.zone), zones[u8(r) & 7]);
		break;
	case CT_EV_DEFERRED:
	case CT_EV_DEFER_COMPACTION:
	case CT_EV_DEFER_RESET:
		ev->u.defer.nid = (int32_t)fz_val(r);
		ev->u.defer.order = (int32_t)fz_val(r);
		ev->u.defer.order_failed = (int32_t)fz_val(r);
		ev->u.defer.consider = (uint32_t)fz_val(r);
		ev->u.defer.limit = fz_val(r);
		put(ev->u.defer.zone, sizeof(ev->u.defer.zone), zones[u8(r) & 7]);
		break;
	case CT_EV_KCOMPACTD_SLEEP:
	case CT_EV_WAKEUP_KCOMPACTD:
	case CT_EV_KCOMPACTD_WAKE:
		ev->u.kc.nid = (int32_t)fz_val(r);
		ev->u.kc.order = (int32_t)fz_val(r);
		put(ev->u.kc.zone, sizeof(ev->u.kc.zone), zones[u8(r) & 7]);
		break;
	case CT_EV_EXTFRAG:
		ev->u.xf.pfn = fz_val(r);
		ev->u.xf.alloc_order = (int32_t)fz_val(r);
		ev->u.xf.fallback_order = (int32_t)fz_val(r);
		ev->u.xf.alloc_migratetype = (int32_t)fz_val(r);
		ev->u.xf.fallback_migratetype = (int32_t)fz_val(r);
		ev->u.xf.change_ownership = (int32_t)fz_val(r);
		ev->u.xf.printed_pageblock_order = (int32_t)fz_val(r);
		ev->u.xf.printed_fragmenting = (int32_t)fz_val(r);
		break;
	case CT_EV_MM_MIGRATE_PAGES:
		ev->u.mm.succeeded = fz_val(r);
		ev->u.mm.failed = fz_val(r);
		s = u8(r);
		put(ev->u.mm.mode, sizeof(ev->u.mm.mode), migrate_modes[s & 3]);
		put(ev->u.mm.reason, sizeof(ev->u.mm.reason), reasons[(s >> 2) & 3]);
		break;
	case CT_EV_LOST:
		ev->u.lost.count = fz_val(r);
		break;
	case CT_EV_PARSE_ERROR:
		ev->u.perr.where = fz_val(r);
		break;
	default:
		if (ev->type < CT_EV_PAGE_FIRST || ev->type > CT_EV_PAGE_LAST)
			break;
		ev->u.page.pfn = fz_val(r);
		ev->u.page.order = (int32_t)fz_val(r);
		ev->u.page.migratetype = (int32_t)fz_val(r);
		ev->u.page.percpu_refill = (int32_t)fz_val(r);
		s = u8(r);
		ev->u.page.gfp_known = s & 1;
		ev->u.page.gfp = fz_val(r);
		break;
	}
}

/* Decode the next event; the name of an unknown event may be raw input bytes. */
static void decode(struct rd *r, struct ct_event *ev, uint64_t *ts, char *name_buf, size_t name_size)
{
	uint8_t t = u8(r), p = u8(r), c = u8(r), step = u8(r);

	memset(ev, 0, sizeof(*ev));
	ev->type = (uint16_t)(t % (CT_EV_TYPE_COUNT + 1));	/* one type past the last: rejected */
	ev->pid = p < 248 ? p % 6 : (int32_t)fz_val(r);
	ev->cpu = (c & 7) == 7 ? -1 : (int32_t)(c & 3);
	put(ev->comm, sizeof(ev->comm), comms[(c >> 3) & 7]);
	/* mostly forwards in small steps; sometimes back, sometimes anywhere */
	if (step < 200)
		*ts += step * 997u;
	else if (step < 240)
		*ts -= (uint64_t)(step - 199) * 100000u;
	else
		*ts = fz_val(r);
	ev->ts_ns = *ts;
	if (ev->type == CT_EV_OTHER) {
		uint8_t how = u8(r);

		if (how < 128) {
			ev->name = names[how & 7];
		} else {
			size_t len = how & 15;

			for (size_t i = 0; i < len && i < name_size; i++)
				name_buf[i] = (char)(u8(r) | 1);	/* never NUL */
			ev->name = name_buf;
			ev->name_len = (uint16_t)(len < name_size ? len : name_size);
		}
		if (ev->name != name_buf)
			ev->name_len = (uint16_t)strlen(ev->name);
	} else if (ev->type < CT_EV_LOST || ev->type >= CT_EV_PAGE_FIRST) {
		if (ev->type < CT_EV_TYPE_COUNT) {
			ev->name = ct_event_type_name((enum ct_event_type)ev->type);
			ev->name_len = (uint16_t)strlen(ev->name);
		}
	}
	decode_fields(r, ev);
}

/* ---- snapshots: two small zones, counts and a per-pfn free map ------------- */

#define DMA32_START 0x1000
#define DMA32_END 0x40000

static const char buddyinfo_start[] =
	"Node 0, zone      DMA      0      0      0      0      0      0      0      0      1      1      3 \n"
	"Node 0, zone    DMA32    951     84     80     71     54     43     40     26     10     18    100 \n";
static const char buddyinfo_end[] =
	"Node 0, zone      DMA      0      0      0      0      0      0      0      0      1      1      3 \n"
	"Node 0, zone    DMA32    351     80     70     60     50     43     40     26     30     38    110 \n";
static const char pagetypeinfo[] =
	"Page block order: 9\n"
	"Pages per block:  512\n"
	"\n"
	"Free pages count per migrate type at order       0      1      2      3      4      5      6      7      8      9     10 \n"
	"Node    0, zone      DMA, type    Unmovable      0      0      0      0      0      0      0      0      1      0      0 \n"
	"Node    0, zone      DMA, type      Movable      0      0      0      0      0      0      0      0      0      1      3 \n"
	"Node    0, zone    DMA32, type    Unmovable     37     31     31     27     18     15     10      1      0      0      0 \n"
	"Node    0, zone    DMA32, type      Movable    871     12      7      9     10      5      5      8      8     18    100 \n"
	"Node    0, zone    DMA32, type  Reclaimable     43     41     42     35     26     23     25     17      2      0      0 \n"
	"\n"
	"Number of blocks type     Unmovable      Movable  Reclaimable\n"
	"Node 0, zone      DMA            1            7            0\n"
	"Node 0, zone    DMA32            4          490           10\n";
static const char zoneinfo[] =
	"Node 0, zone      DMA\n"
	"  pages free     3840\n"
	"        min      10\n"
	"        low      13\n"
	"        high     16\n"
	"        spanned  4095\n"
	"        present  3998\n"
	"        managed  3840\n"
	"        protection: (0, 3018, 3018, 3018, 3018)\n"
	"  pagesets\n"
	"    cpu: 0\n"
	"              count:    0\n"
	"              high:     0\n"
	"              batch:    1\n"
	"  start_pfn:           1\n"
	"Node 0, zone    DMA32\n"
	"  pages free     110455\n"
	"        min      2115\n"
	"        low      2887\n"
	"        high     3659\n"
	"        spanned  258048\n"
	"        present  258048\n"
	"        managed  250000\n"
	"        protection: (0, 0, 0, 0, 0)\n"
	"  pagesets\n"
	"    cpu: 0\n"
	"              count:    100\n"
	"              high:     1443\n"
	"              batch:    63\n"
	"    cpu: 1\n"
	"              count:    895\n"
	"              high:     1443\n"
	"              batch:    63\n"
	"  start_pfn:           4096\n";

static struct ct_memsnap *snap_counts(const char *buddyinfo, int free_map)
{
	struct ct_memsnap *s = ct_memsnap_new();
	char err[256];

	if (!s || ct_memsnap_parse_buddyinfo(s, buddyinfo, strlen(buddyinfo), err, sizeof(err)) < 0 ||
	    ct_memsnap_parse_pagetypeinfo(s, pagetypeinfo, strlen(pagetypeinfo), err, sizeof(err)) < 0 ||
	    ct_memsnap_parse_zoneinfo(s, zoneinfo, strlen(zoneinfo), err, sizeof(err)) < 0)
		fz_fail("the harness's own snapshot does not parse");
	if (free_map) {
		struct ct_memsnap_free_map map;
		unsigned char *bytes;
		size_t len;

		if (ct_memsnap_free_map_init(&map, 1, DMA32_END - 1) < 0)
			fz_fail("ct_memsnap_free_map_init failed");
		/* a fragmented DMA32: every third pageblock free, the rest odd pfns free */
		for (uint64_t pfn = DMA32_START; pfn < DMA32_END; pfn++)
			ct_memsnap_free_map_set(&map, pfn, ((pfn >> 9) % 3 == 0 || (pfn & 1)) ?
						CT_PFN_FREE : (pfn & 6) == 6 ? CT_PFN_NOFLAGS : CT_PFN_USED);
		if (ct_memsnap_encode_free_map(&map, &bytes, &len) < 0 ||
		    ct_memsnap_parse_free_map(s, bytes, len, err, sizeof(err)) < 0)
			fz_fail("the harness's own free map does not parse");
		free(bytes);
		free(map.classes);
	}
	return s;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct ct_memsnap *start, *start_map, *end;
	static const int pbos[8] = { 0, 9, 10, 1, 19, 3, 13, 0 };
	struct rd r = { data, size < FZ_MAX_INPUT ? size : FZ_MAX_INPUT, 0 };
	const struct ct_memsnap *s = NULL, *e = NULL;
	struct fz_pipeline pipe = { NULL, NULL };
	struct ct_report_input in = { 0 };
	struct ct_engine *eng;
	uint8_t hdr = u8(&r);
	uint64_t ts = 1000000000;
	size_t split;
	int sources = 1;

	if (!start) {
		start = snap_counts(buddyinfo_start, 0);
		start_map = snap_counts(buddyinfo_start, 1);
		end = snap_counts(buddyinfo_end, 0);
	}
	switch (hdr & 3) {
	case 1:
		s = start;
		break;
	case 2:
		s = start;
		e = end;
		break;
	case 3:
		s = start_map;
		e = end;
		break;
	default:
		break;
	}
	if (hdr & 64) {
		struct ct_engine_opts o = { .filter_pid = 1 };

		eng = ct_engine_new(&o);
		if (!eng)
			fz_fail("ct_engine_new failed");
	} else {
		pipe = fz_pipeline_new(s, e, (hdr & 3) == 3, pbos[(hdr >> 2) & 7], FZ_PAGEBLOCKS(size));
		eng = pipe.eng;
	}
	split = hdr & 32 ? r.n / 2 : 0;
	if (ct_engine_begin_source(eng, "fuzz-events", "fuzz") < 0)
		fz_fail("ct_engine_begin_source failed");
	while (r.n) {
		struct ct_event ev;
		char name[16];
		int ret;

		if (split && r.n <= split && sources == 1) {
			if (ct_engine_end_source(eng) < 0 ||
			    ct_engine_begin_source(eng, "fuzz-events-2", CT_FORMAT_FTRACE_TEXT) < 0)
				fz_fail("starting a second source failed");
			sources++;
		}
		decode(&r, &ev, &ts, name, sizeof(name));
		ret = ct_engine_feed(eng, &ev);
		if (ret < 0 && !(ret == -CT_E_INVAL && ev.type >= CT_EV_TYPE_COUNT))
			fz_fail("ct_engine_feed: %d on event type %u", ret, ev.type);
	}
	if (ct_engine_end_source(eng) < 0)
		fz_fail("ct_engine_end_source: out of memory");
	in.res = ct_engine_results(eng);
	fz_render(&in, pipe.model, FZ_PAGEBLOCKS(size));
	if (pipe.eng)
		fz_pipeline_free(&pipe);
	else
		ct_engine_free(eng);
	return 0;
}
