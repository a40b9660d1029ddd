// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Decoding the payload of an event line: the kernel's print-fmt output,
 * identical in ftrace, trace-cmd and perf text. Fields are looked up by name
 * (key=value), never by position, because kernels add, rename and reorder
 * them; unknown fields are skipped.
 */
#include <string.h>

#include "text.h"

struct kv {
	const char *k, *v;
	size_t kl, vl;
};

#define KEY(kv, lit) ((kv)->kl == sizeof(lit) - 1 && memcmp((kv)->k, lit, sizeof(lit) - 1) == 0)

/*
 * Lengths of the names ct_event_type_from_name() and
 * ct_event_page_type_from_name() know: rejects most other events in one test.
 */
#define LEN_BIT(lit) (1ULL << (sizeof(lit) - 1))
static const uint64_t known_name_lengths =
	LEN_BIT("mm_compaction_begin") | LEN_BIT("mm_compaction_end") |
	LEN_BIT("mm_compaction_isolate_migratepages") |
	LEN_BIT("mm_compaction_isolate_freepages") |
	LEN_BIT("mm_compaction_fast_isolate_freepages") |
	LEN_BIT("mm_compaction_migratepages") |
	LEN_BIT("mm_compaction_try_to_compact_pages") |
	LEN_BIT("mm_compaction_finished") | LEN_BIT("mm_compaction_suitable") |
	LEN_BIT("mm_compaction_deferred") | LEN_BIT("mm_compaction_defer_compaction") |
	LEN_BIT("mm_compaction_defer_reset") | LEN_BIT("mm_compaction_kcompactd_sleep") |
	LEN_BIT("mm_compaction_wakeup_kcompactd") | LEN_BIT("mm_compaction_kcompactd_wake") |
	LEN_BIT("mm_page_alloc_extfrag") | LEN_BIT("mm_migrate_pages") |
	LEN_BIT("mm_page_alloc") | LEN_BIT("mm_page_alloc_zone_locked") |
	LEN_BIT("mm_page_free") | LEN_BIT("mm_page_free_batched") |
	LEN_BIT("mm_page_pcpu_drain");

/* Find @key in the memo slot, or ask @lookup and remember the answer. */
static int memo_lookup(struct ct_text_memo *slot, const char *key, size_t len,
		       int (*lookup)(const char *, size_t))
{
	if (len >= sizeof(slot->key) || len == 0)
		return lookup(key, len);
	if (slot->len != len || memcmp(slot->key, key, len) != 0) {
		slot->value = (int16_t)lookup(key, len);
		slot->len = (uint8_t)len;
		memcpy(slot->key, key, len);
	}
	return slot->value;
}

/* the kmem page events have their own lookup (see compactrace/event.h) */
static int type_lookup(const char *name, size_t len)
{
	enum ct_event_type t = ct_event_type_from_name(name, len);

	return (int)(t != CT_EV_OTHER ? t : ct_event_page_type_from_name(name, len));
}

static int status_lookup(const char *name, size_t len)
{
	return (int)ct_status_from_name(name, len);
}

enum ct_event_type ct_text_classify(struct ct_text_parser *p, const char *name, size_t len)
{
	if (len >= 64 || !((known_name_lengths >> len) & 1) || name[0] != 'm' || name[1] != 'm')
		return CT_EV_OTHER;
	if (!p)
		return (enum ct_event_type)type_lookup(name, len);
	return (enum ct_event_type)memo_lookup(&p->names[len % CT_TEXT_NAME_MEMO], name, len,
					       type_lookup);
}

/* Characters that end a key (' ', '=') or a value (' '): one table lookup per byte. */
#define KV_END_KEY 1
#define KV_END_VALUE 2
static const unsigned char kv_stop[256] = {
	[' '] = KV_END_KEY | KV_END_VALUE,
	['='] = KV_END_KEY,
};

/*
 * Next "key=value" of the payload. A value ends at a space, except "(a ~ b)"
 * which runs to its ')'; a trailing ',' (begin/end's "zone_end=0x1000,") is
 * dropped. Words that are not key=value are skipped. Values are short, so
 * plain loops beat memchr() here.
 */
static int kv_next(const char **pp, const char *end, struct kv *kv)
{
	const char *p = *pp;

	for (;;) {
		const char *k;

		while (p < end && (*p == ' ' || *p == ','))
			p++;
		if (p >= end) {
			*pp = p;
			return 0;
		}
		k = p;
		while (p < end && !(kv_stop[(unsigned char)*p] & KV_END_KEY))
			p++;
		if (p > k && p < end && *p == '=') {
			kv->k = k;
			kv->kl = (size_t)(p - k);
			kv->v = ++p;
			if (p < end && *p == '(') {
				while (p < end && *p++ != ')')
					;
			} else {
				while (p < end && !(kv_stop[(unsigned char)*p] & KV_END_VALUE))
					p++;
			}
			kv->vl = (size_t)(p - kv->v);
			while (kv->vl && kv->v[kv->vl - 1] == ',')
				kv->vl--;
			*pp = p;
			return 1;
		}
		/* not key=value ("=x", a bare word): skip the word */
		while (p < end && *p != ' ')
			p++;
	}
}

static void copy_text(char *dst, size_t cap, const char *s, size_t n)
{
	if (n >= cap)
		n = cap - 1;
	memcpy(dst, s, n);
	dst[n] = '\0';
}

static int parse_u32(const char *s, size_t n, uint32_t *out)
{
	uint64_t v;

	if (ct_text_parse_u64(s, n, &v) || v > UINT32_MAX)
		return -1;
	*out = (uint32_t)v;
	return 0;
}

/* status=/ret=: a name (4.4+; "partial" before 4.9) or a raw number (before 4.4) */
static int parse_status(struct ct_text_parser *p, const char *s, size_t n, int16_t *out)
{
	int64_t v;

	if (n == 0)
		return -1;
	if ((s[0] >= '0' && s[0] <= '9') || s[0] == '-') {
		if (ct_text_parse_i64(s, n, &v))
			return -1;
		*out = (int16_t)ct_status_from_legacy_number((long)v);
		return 0;
	}
	if (!p)
		*out = (int16_t)ct_status_from_name(s, n);
	else
		*out = (int16_t)memo_lookup(&p->status[n % CT_TEXT_STATUS_MEMO], s, n, status_lookup);
	return 0;
}

/* "(0x1 ~ 0x200)" */
static int parse_range(const char *s, size_t n, uint64_t *a, uint64_t *b)
{
	const char *tilde;
	size_t la, rb, ra;

	if (n < 5 || s[0] != '(' || s[n - 1] != ')')
		return -1;
	tilde = memchr(s, '~', n);
	if (!tilde)
		return -1;
	la = (size_t)(tilde - s);
	ra = la + 1;
	while (la > 1 && s[la - 1] == ' ')
		la--;
	while (ra < n - 1 && s[ra] == ' ')
		ra++;
	rb = n - 1;
	while (rb > ra && s[rb - 1] == ' ')
		rb--;
	if (ct_text_parse_u64(s + 1, la - 1, a) || ct_text_parse_u64(s + ra, rb - ra, b))
		return -1;
	return 0;
}

/* begin and end: 4.0+ hex "migrate_pfn", 3.14-3.19 decimal "migrate_start" */
static int dec_range(struct ct_text_parser *p, const char *s, size_t n, struct ct_event *ev, int is_end)
{
	struct ct_ev_range *r = &ev->u.range;
	const char *cur = s, *end = s + n;
	unsigned seen = 0;
	int bad = 0;
	struct kv kv;

	r->sync = CT_SYNC_UNKNOWN;
	r->status = CT_STATUS_UNKNOWN;
	while (kv_next(&cur, end, &kv)) {
		if (KEY(&kv, "zone_start")) {
			bad |= ct_text_parse_u64(kv.v, kv.vl, &r->zone_start);
			seen |= 1;
		} else if (KEY(&kv, "migrate_pfn") || KEY(&kv, "migrate_start")) {
			bad |= ct_text_parse_u64(kv.v, kv.vl, &r->migrate_pfn);
			seen |= 2;
		} else if (KEY(&kv, "free_pfn") || KEY(&kv, "free_start")) {
			bad |= ct_text_parse_u64(kv.v, kv.vl, &r->free_pfn);
			seen |= 4;
		} else if (KEY(&kv, "zone_end")) {
			bad |= ct_text_parse_u64(kv.v, kv.vl, &r->zone_end);
			seen |= 8;
		} else if (KEY(&kv, "mode")) {
			if (kv.vl == 4 && memcmp(kv.v, "sync", 4) == 0)
				r->sync = 1;
			else if (kv.vl == 5 && memcmp(kv.v, "async", 5) == 0)
				r->sync = 0;
		} else if (is_end && KEY(&kv, "status")) {
			bad |= parse_status(p, kv.v, kv.vl, &r->status);
			seen |= 16;
		}
	}
	if (bad)
		return -1;
	if (!is_end)
		return seen == 15 ? 0 : -1;
	/* 3.14-4.0 end printed only "status=%d"; otherwise all four pfns */
	if (!(seen & 16) || ((seen & 15) && (seen & 15) != 15))
		return -1;
	return 0;
}

/* the three isolate events; "range=" since 4.1 */
static int dec_isolate(const char *s, size_t n, struct ct_event *ev)
{
	struct ct_ev_isolate *iso = &ev->u.iso;
	const char *cur = s, *end = s + n;
	unsigned seen = 0;
	int bad = 0;
	struct kv kv;

	while (kv_next(&cur, end, &kv)) {
		if (KEY(&kv, "range")) {
			bad |= parse_range(kv.v, kv.vl, &iso->start_pfn, &iso->end_pfn);
		} else if (KEY(&kv, "nr_scanned")) {
			bad |= ct_text_parse_u64(kv.v, kv.vl, &iso->nr_scanned);
			seen |= 1;
		} else if (KEY(&kv, "nr_taken")) {
			bad |= ct_text_parse_u64(kv.v, kv.vl, &iso->nr_taken);
			seen |= 2;
		}
	}
	return bad || seen != 3 ? -1 : 0;
}

static int dec_migratepages(const char *s, size_t n, struct ct_event *ev)
{
	const char *cur = s, *end = s + n;
	unsigned seen = 0;
	int bad = 0;
	struct kv kv;

	while (kv_next(&cur, end, &kv)) {
		if (KEY(&kv, "nr_migrated")) {
			bad |= ct_text_parse_u64(kv.v, kv.vl, &ev->u.mig.nr_migrated);
			seen |= 1;
		} else if (KEY(&kv, "nr_failed")) {
			bad |= ct_text_parse_u64(kv.v, kv.vl, &ev->u.mig.nr_failed);
			seen |= 2;
		}
	}
	return bad || seen != 3 ? -1 : 0;
}

/* gfp_mask: raw hex before 5.2, symbolic ("GFP_TRANSHUGE|__GFP_THISNODE") after, "none" for 0 */
static int parse_gfp(const char *s, size_t n, struct ct_ev_try *t)
{
	copy_text(t->gfp_text, sizeof(t->gfp_text), s, n);
	if (n > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		if (ct_text_parse_u64(s, n, &t->gfp))
			return -1;
		t->gfp_known = 1;
	} else if (n == 4 && memcmp(s, "none", 4) == 0) {
		t->gfp = 0;
		t->gfp_known = 1;
	} else if (n == 0) {
		return -1;
	}
	return 0;
}

static int dec_try(const char *s, size_t n, struct ct_event *ev)
{
	struct ct_ev_try *t = &ev->u.try_;
	const char *cur = s, *end = s + n;
	unsigned seen = 0;
	int bad = 0;
	struct kv kv;

	while (kv_next(&cur, end, &kv)) {
		if (KEY(&kv, "order")) {
			bad |= ct_text_parse_i32(kv.v, kv.vl, &t->order);
			seen |= 1;
		} else if (KEY(&kv, "gfp_mask")) {
			bad |= parse_gfp(kv.v, kv.vl, t);
			seen |= 2;
		} else if (KEY(&kv, "priority")) {
			bad |= ct_text_parse_i32(kv.v, kv.vl, &t->priority);
			t->prio_is_mode = 0;
			seen |= 4;
		} else if (KEY(&kv, "mode")) {	/* before 4.8 */
			bad |= ct_text_parse_i32(kv.v, kv.vl, &t->priority);
			t->prio_is_mode = 1;
			seen |= 4;
		}
	}
	return bad || seen != 7 ? -1 : 0;
}

/* finished and suitable: "node=%d zone=%-8s order=%d ret=%s" */
static int dec_zone_order(struct ct_text_parser *p, const char *s, size_t n, struct ct_event *ev)
{
	struct ct_ev_zone_order *zo = &ev->u.zo;
	const char *cur = s, *end = s + n;
	unsigned seen = 0;
	int bad = 0;
	struct kv kv;

	while (kv_next(&cur, end, &kv)) {
		if (KEY(&kv, "node")) {
			bad |= ct_text_parse_i32(kv.v, kv.vl, &zo->nid);
			seen |= 1;
		} else if (KEY(&kv, "zone")) {
			copy_text(zo->zone, sizeof(zo->zone), kv.v, kv.vl);
			seen |= 2;
		} else if (KEY(&kv, "order")) {
			bad |= ct_text_parse_i32(kv.v, kv.vl, &zo->order);
			seen |= 4;
		} else if (KEY(&kv, "ret")) {
			bad |= parse_status(p, kv.v, kv.vl, &zo->ret);
			seen |= 8;
		}
	}
	return bad || seen != 15 ? -1 : 0;
}

/* deferred, defer_compaction, defer_reset */
static int dec_defer(const char *s, size_t n, struct ct_event *ev)
{
	struct ct_ev_defer *d = &ev->u.defer;
	const char *cur = s, *end = s + n;
	unsigned seen = 0;
	int bad = 0;
	struct kv kv;

	while (kv_next(&cur, end, &kv)) {
		if (KEY(&kv, "node")) {
			bad |= ct_text_parse_i32(kv.v, kv.vl, &d->nid);
			seen |= 1;
		} else if (KEY(&kv, "zone")) {
			copy_text(d->zone, sizeof(d->zone), kv.v, kv.vl);
			seen |= 2;
		} else if (KEY(&kv, "order")) {
			bad |= ct_text_parse_i32(kv.v, kv.vl, &d->order);
			seen |= 4;
		} else if (KEY(&kv, "order_failed")) {
			bad |= ct_text_parse_i32(kv.v, kv.vl, &d->order_failed);
			seen |= 8;
		} else if (KEY(&kv, "consider")) {
			bad |= parse_u32(kv.v, kv.vl, &d->consider);
			seen |= 16;
		} else if (KEY(&kv, "limit")) {
			bad |= ct_text_parse_u64(kv.v, kv.vl, &d->limit);
			seen |= 32;
		}
	}
	return bad || seen != 63 ? -1 : 0;
}

/* kcompactd_sleep "nid=%d"; wakeup_kcompactd/kcompactd_wake add "order=%d classzone_idx=%-8s" */
static int dec_kcompactd(const char *s, size_t n, struct ct_event *ev, int sleep)
{
	struct ct_ev_kcompactd *kc = &ev->u.kc;
	const char *cur = s, *end = s + n;
	unsigned seen = 0;
	int bad = 0;
	struct kv kv;

	while (kv_next(&cur, end, &kv)) {
		if (KEY(&kv, "nid")) {
			bad |= ct_text_parse_i32(kv.v, kv.vl, &kc->nid);
			seen |= 1;
		} else if (sleep) {
			continue;
		} else if (KEY(&kv, "order")) {
			bad |= ct_text_parse_i32(kv.v, kv.vl, &kc->order);
			seen |= 2;
		} else if (KEY(&kv, "classzone_idx") || KEY(&kv, "highest_zoneidx")) {
			copy_text(kc->zone, sizeof(kc->zone), kv.v, kv.vl);
			seen |= 4;
		}
	}
	return bad || seen != (sleep ? 1u : 7u) ? -1 : 0;
}

/* kmem:mm_page_alloc_extfrag; pfn decimal before 5.14, hex after; page= is never used */
static int dec_extfrag(const char *s, size_t n, struct ct_event *ev)
{
	struct ct_ev_extfrag *xf = &ev->u.xf;
	const char *cur = s, *end = s + n;
	unsigned seen = 0;
	int bad = 0;
	struct kv kv;

	xf->printed_pageblock_order = -1;
	xf->printed_fragmenting = -1;
	while (kv_next(&cur, end, &kv)) {
		if (KEY(&kv, "pfn")) {
			bad |= ct_text_parse_u64(kv.v, kv.vl, &xf->pfn);
			seen |= 1;
		} else if (KEY(&kv, "alloc_order")) {
			bad |= ct_text_parse_i32(kv.v, kv.vl, &xf->alloc_order);
			seen |= 2;
		} else if (KEY(&kv, "fallback_order")) {
			bad |= ct_text_parse_i32(kv.v, kv.vl, &xf->fallback_order);
			seen |= 4;
		} else if (KEY(&kv, "alloc_migratetype")) {
			bad |= ct_text_parse_i32(kv.v, kv.vl, &xf->alloc_migratetype);
			seen |= 8;
		} else if (KEY(&kv, "fallback_migratetype")) {
			bad |= ct_text_parse_i32(kv.v, kv.vl, &xf->fallback_migratetype);
			seen |= 16;
		} else if (KEY(&kv, "change_ownership")) {
			bad |= ct_text_parse_i32(kv.v, kv.vl, &xf->change_ownership);
			seen |= 32;
		} else if (KEY(&kv, "pageblock_order")) {
			bad |= ct_text_parse_i32(kv.v, kv.vl, &xf->printed_pageblock_order);
		} else if (KEY(&kv, "fragmenting")) {
			bad |= ct_text_parse_i32(kv.v, kv.vl, &xf->printed_fragmenting);
		}
	}
	return bad || seen != 63 ? -1 : 0;
}

/* migrate:mm_migrate_pages; 6.x added nr_split etc. before mode/reason */
static int dec_mm_migrate(const char *s, size_t n, struct ct_event *ev)
{
	struct ct_ev_mm_migrate *mm = &ev->u.mm;
	const char *cur = s, *end = s + n;
	unsigned seen = 0;
	int bad = 0;
	struct kv kv;

	while (kv_next(&cur, end, &kv)) {
		if (KEY(&kv, "nr_succeeded")) {
			bad |= ct_text_parse_u64(kv.v, kv.vl, &mm->succeeded);
			seen |= 1;
		} else if (KEY(&kv, "nr_failed")) {
			bad |= ct_text_parse_u64(kv.v, kv.vl, &mm->failed);
			seen |= 2;
		} else if (KEY(&kv, "mode")) {
			copy_text(mm->mode, sizeof(mm->mode), kv.v, kv.vl);
		} else if (KEY(&kv, "reason")) {
			copy_text(mm->reason, sizeof(mm->reason), kv.v, kv.vl);
		}
	}
	return bad || seen != 3 ? -1 : 0;
}

/* page= of a failed allocation: NULL, as zeros (kernel), "(nil)" or "0x0" (libtraceevent) */
static int null_pointer(const char *s, size_t n)
{
	if ((n == 5 && memcmp(s, "(nil)", 5) == 0) || (n == 6 && memcmp(s, "(null)", 6) == 0))
		return 1;
	if (n > 2 && s[0] == '0' && s[1] == 'x') {
		s += 2;
		n -= 2;
	}
	for (size_t i = 0; i < n; i++)
		if (s[i] != '0')
			return 0;
	return n > 0;
}

/* pfn=: hex since 5.14, decimal before; -1 (all ones) is "no page" */
static int parse_pfn(const char *s, size_t n, uint64_t *pfn)
{
	int64_t v;

	if (n && s[0] == '-') {
		if (ct_text_parse_i64(s, n, &v) || v != -1)
			return -1;
		*pfn = CT_PFN_NONE;
		return 0;
	}
	return ct_text_parse_u64(s, n, pfn);
}

/* zone_locked prints its int order with %u: a 32-bit value either way, as the binary readers read it */
static int parse_order(const char *s, size_t n, int32_t *out)
{
	int64_t v;

	if (ct_text_parse_i64(s, n, &v) || v < INT32_MIN || v > UINT32_MAX)
		return -1;
	*out = (int32_t)(uint32_t)v;
	return 0;
}

/*
 * The kmem page events of `record --pages`. A failed mm_page_alloc records
 * pfn -1UL, which its print format turns into a NULL page= and pfn=0:
 * CT_PFN_NONE, as the binary readers give. mm_page_free_batched prints a
 * literal "order=0" but has no order field: -1, as the binary readers give
 * (the model takes its pages from the mm_page_free of the same page). The
 * symbolic gfp_flags= is not decoded (gfp_known 0), and the scan stops once
 * every field is found, so it is not even read.
 */
static int dec_page(enum ct_event_type type, const char *s, size_t n, struct ct_event *ev)
{
	struct ct_ev_page *pg = &ev->u.page;
	const char *cur = s, *end = s + n;
	int may_fail = type == CT_EV_PAGE_ALLOC || type == CT_EV_PAGE_ALLOC_ZONE_LOCKED;
	unsigned need = 1, seen = 0;
	const char *page = NULL;
	size_t page_len = 0;
	int bad = 0;
	struct kv kv;

	pg->order = -1;
	pg->migratetype = -1;
	pg->percpu_refill = -1;
	if (type != CT_EV_PAGE_FREE_BATCHED)
		need |= 2;
	if (may_fail || type == CT_EV_PAGE_PCPU_DRAIN)
		need |= 4;
	while ((seen & need) != need || (type == CT_EV_PAGE_ALLOC_ZONE_LOCKED && !(seen & 8))) {
		if (!kv_next(&cur, end, &kv))
			break;
		if (KEY(&kv, "pfn")) {
			bad |= parse_pfn(kv.v, kv.vl, &pg->pfn);
			seen |= 1;
		} else if (KEY(&kv, "order")) {
			if (type != CT_EV_PAGE_FREE_BATCHED)
				bad |= parse_order(kv.v, kv.vl, &pg->order);
			seen |= 2;
		} else if (KEY(&kv, "migratetype")) {
			bad |= ct_text_parse_i32(kv.v, kv.vl, &pg->migratetype);
			seen |= 4;
		} else if (KEY(&kv, "percpu_refill")) {	/* zone_locked, 5.13+ */
			bad |= ct_text_parse_i32(kv.v, kv.vl, &pg->percpu_refill);
			seen |= 8;
		} else if (may_fail && KEY(&kv, "page")) {
			page = kv.v;
			page_len = kv.vl;
		}
	}
	if (bad || (seen & need) != need)
		return -1;
	if (may_fail && pg->pfn == 0 && page && null_pointer(page, page_len))
		pg->pfn = CT_PFN_NONE;
	return 0;
}

int ct_text_decode_payload(struct ct_text_parser *p, enum ct_event_type type, const char *s, size_t n, struct ct_event *ev)
{
	switch (type) {
	case CT_EV_BEGIN:
		return dec_range(p, s, n, ev, 0);
	case CT_EV_END:
		return dec_range(p, s, n, ev, 1);
	case CT_EV_ISOLATE_MIGRATE:
	case CT_EV_ISOLATE_FREE:
	case CT_EV_FAST_ISOLATE_FREE:
		return dec_isolate(s, n, ev);
	case CT_EV_MIGRATEPAGES:
		return dec_migratepages(s, n, ev);
	case CT_EV_TRY_TO_COMPACT:
		return dec_try(s, n, ev);
	case CT_EV_FINISHED:
	case CT_EV_SUITABLE:
		return dec_zone_order(p, s, n, ev);
	case CT_EV_DEFERRED:
	case CT_EV_DEFER_COMPACTION:
	case CT_EV_DEFER_RESET:
		return dec_defer(s, n, ev);
	case CT_EV_KCOMPACTD_SLEEP:
		return dec_kcompactd(s, n, ev, 1);
	case CT_EV_WAKEUP_KCOMPACTD:
	case CT_EV_KCOMPACTD_WAKE:
		return dec_kcompactd(s, n, ev, 0);
	case CT_EV_EXTFRAG:
		return dec_extfrag(s, n, ev);
	case CT_EV_MM_MIGRATE_PAGES:
		return dec_mm_migrate(s, n, ev);
	case CT_EV_PAGE_ALLOC:
	case CT_EV_PAGE_ALLOC_ZONE_LOCKED:
	case CT_EV_PAGE_FREE:
	case CT_EV_PAGE_FREE_BATCHED:
	case CT_EV_PAGE_PCPU_DRAIN:
		return dec_page(type, s, n, ev);
	default:
		return 0;
	}
}

void ct_text_event(struct ct_text_parser *p, const struct ct_text_head *h, struct ct_event *ev)
{
	enum ct_event_type type = ct_text_classify(p, h->name, h->name_len);

	memset(ev, 0, sizeof(*ev));	/* no stale union bytes, even for CT_EV_OTHER */
	ev->ts_ns = h->ts_ns;
	ev->pid = h->pid;
	ev->cpu = h->cpu;
	ev->type = (uint16_t)type;
	ev->name = h->name;
	ev->name_len = (uint16_t)(h->name_len > UINT16_MAX ? UINT16_MAX : h->name_len);
	copy_text(ev->comm, sizeof(ev->comm), h->comm, h->comm_len);
	if (type == CT_EV_OTHER)
		return;
	if (ct_text_decode_payload(p, type, h->payload, h->payload_len, ev)) {
		memset(&ev->u, 0, sizeof(ev->u));
		ev->type = CT_EV_PARSE_ERROR;
		ev->u.perr.where = p->lr.lineno;
	}
}
