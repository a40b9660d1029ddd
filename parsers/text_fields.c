// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Decoding the payload of an event line: the kernel's print-fmt output,
 * identical in ftrace, trace-cmd and perf text. Fields are looked up by name
 * (key=value), never by position, because kernels add, rename and reorder
 * them; unknown fields are skipped.
 */
#include <string.h>

#include "compactrace/event_desc.h"
#include "text.h"

struct kv {
	const char *k, *v;
	size_t kl, vl;
};

#define KEY(kv, lit) ((kv)->kl == sizeof(lit) - 1 && memcmp((kv)->k, lit, sizeof(lit) - 1) == 0)

/*
 * What the table of events (compactrace/event_desc.h) says about text,
 * worked out once: per type, each text key with its field, which fields a
 * line must have, and the lengths of every event name (one test rejects
 * most other events).
 */
struct text_key {
	const char *key;
	uint64_t head;		/* the key's first 8 bytes, zero-padded */
	uint8_t len, field;
};

#define KEY_SLOTS 64	/* a small hash of an event's text keys: one compare per key=value */

struct text_layout {
	const struct ct_event_desc *desc;
	uint16_t absent_len;	/* the event's part of the union */
	struct text_key keys[CT_EVENT_FIELDS * CT_FIELD_ALIASES];
	uint8_t nkeys;
	int8_t slot[KEY_SLOTS];	/* key index by key_hash(); -1 none */
	int8_t page_pfn;	/* the pfn a NULL page= makes CT_PFN_NONE; -1 none */
	uint32_t all, need, together;	/* masks of field indexes */
	/* the union as a line without any field leaves it: "none" where that is not 0 */
	unsigned char absent[sizeof(((struct ct_event *)0)->u)];
};

static struct text_layout layouts[CT_EV_TYPE_COUNT];
static uint64_t known_name_lengths;

/*
 * Built before main() (the table is constant): no per-line check that it
 * was, and every thread (top's reader) sees it done.
 */
static unsigned key_hash(const char *k, size_t len)
{
	return ((unsigned)len * 7u + (unsigned char)k[0] + (unsigned char)k[len - 1] * 3u) % KEY_SLOTS;
}

/* the absent values of @d, into a union image */
static void build_absent(struct text_layout *l, const struct ct_event_desc *d)
{
	struct ct_event ev;

	memset(&ev, 0, sizeof(ev));
	for (unsigned i = 0; i < d->nfields; i++) {
		const struct ct_field_desc *f = &d->fields[i];

		if (f->kind == CT_FK_STATUS)
			ct_event_put_int(&ev, f->off, f->size, CT_STATUS_UNKNOWN);
		else if (f->absent)
			ct_event_put_int(&ev, f->off, f->size, f->absent);
	}
	memcpy(l->absent, &ev.u, sizeof(l->absent));
	l->desc = d;
	for (unsigned i = 0; i < d->nfields; i++) {
		const struct ct_field_desc *f = &d->fields[i];
		unsigned to = f->off + f->size - offsetof(struct ct_event, u);

		if (!f->size)	/* page=: read, never stored */
			continue;
		if (f->kind == CT_FK_GFP)
			to = f->off3 + CT_GFP_TEXT_LEN - offsetof(struct ct_event, u);
		if (to > l->absent_len)
			l->absent_len = (uint16_t)to;
	}
}

__attribute__((constructor)) static void build_layouts(void)
{
	for (int t = 0; t < CT_EV_TYPE_COUNT; t++) {
		const struct ct_event_desc *d = ct_event_desc((enum ct_event_type)t);
		struct text_layout *l = &layouts[t];

		if (!d)
			continue;
		if (strlen(d->name) < 64)
			known_name_lengths |= 1ULL << strlen(d->name);
		/* each field's first name in field order (the kernel's print order), then the aliases */
		for (int a = 0; a < CT_FIELD_ALIASES; a++)
			for (unsigned i = 0; i < d->nfields; i++) {
				const struct ct_field_desc *f = &d->fields[i];
				struct text_key *tk;
				size_t len;

				if (!f->text[a])
					continue;
				tk = &l->keys[l->nkeys++];
				len = strlen(f->text[a]);
				tk->key = f->text[a];
				tk->len = (uint8_t)len;
				tk->field = (uint8_t)i;
				memcpy(&tk->head, f->text[a], len < 8 ? len : 8);
				l->all |= 1u << i;
			}
		for (unsigned i = 0; i < d->nfields; i++) {
			const struct ct_field_desc *f = &d->fields[i];

			if (f->need == CT_NEED_YES)
				l->need |= 1u << i;
			else if (f->need == CT_NEED_TOGETHER)
				l->together |= 1u << i;
		}
		build_absent(l, d);
		memset(l->slot, -1, sizeof(l->slot));
		for (unsigned k = 0; k < l->nkeys; k++) {
			unsigned h = key_hash(l->keys[k].key, l->keys[k].len);

			while (l->slot[h] >= 0)	/* open addressing: the next free slot */
				h = (h + 1) % KEY_SLOTS;
			l->slot[h] = (int8_t)k;
		}
		l->page_pfn = -1;
		for (unsigned i = 0; i < d->nfields; i++)
			if (d->fields[i].kind == CT_FK_PAGE_PTR)
				for (unsigned j = 0; j < d->nfields; j++)
					if (d->fields[j].kind == CT_FK_PFN)
						l->page_pfn = (int8_t)j;
	}
}

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

/* past the spaces and commas between two key=value */
static inline const char *kv_skip_separators(const char *p, const char *end)
{
	while (p < end && (*p == ' ' || *p == ','))
		p++;
	return p;
}

/* the value that starts at @p, into @kv; returns where it ends */
static inline const char *kv_value(const char *p, const char *end, struct kv *kv)
{
	kv->v = p;
	if (p < end && *p == '(') {
		while (p < end && *p++ != ')')
			;
	} else {
		p = ct_text_find1(p, end, ' ');	/* the value ends */
	}
	kv->vl = (size_t)(p - kv->v);
	while (kv->vl && kv->v[kv->vl - 1] == ',')
		kv->vl--;
	return p;
}

/*
 * Next "key=value" of the payload. A value ends at a space, except "(a ~ b)"
 * which runs to its ')'; a trailing ',' (begin/end's "zone_end=0x1000,") is
 * dropped. Words that are not key=value are skipped. Keys and values are
 * short: eight bytes at a time (ct_text_find2()) beats a call to memchr().
 */
static int kv_next(const char **pp, const char *end, struct kv *kv)
{
	const char *p = *pp;

	for (;;) {
		const char *k;

		p = kv_skip_separators(p, end);
		if (p >= end) {
			*pp = p;
			return 0;
		}
		k = p;
		p = ct_text_find2(p, end, ' ', '=');	/* the key ends */
		if (p > k && p < end && *p == '=') {
			kv->k = k;
			kv->kl = (size_t)(p - k);
			*pp = kv_value(p + 1, end, kv);
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


static int put_u64(struct ct_event *ev, uint16_t off, const char *s, size_t n)
{
	uint64_t v;

	if (ct_text_parse_u64(s, n, &v))
		return -1;
	memcpy((unsigned char *)ev + off, &v, sizeof(v));
	return 0;
}

/* gfp_mask: raw hex before 5.2, symbolic ("GFP_TRANSHUGE|__GFP_THISNODE") after, "none" for 0 */
static int put_gfp(struct ct_event *ev, const struct ct_field_desc *f, const char *s, size_t n)
{
	unsigned char *base = (unsigned char *)ev;
	uint64_t v = 0;
	uint8_t known = 0;

	copy_text((char *)base + f->off3, CT_GFP_TEXT_LEN, s, n);
	if (n > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		if (ct_text_parse_u64(s, n, &v))
			return -1;
		known = 1;
	} else if (n == 4 && memcmp(s, "none", 4) == 0) {
		known = 1;
	} else if (n == 0) {
		return -1;
	}
	memcpy(base + f->off, &v, sizeof(v));
	memcpy(base + f->off2, &known, 1);
	return 0;
}

/* one key=value into the field it names; returns 0 or -1 (malformed) */
static int put_field(struct ct_text_parser *p, struct ct_event *ev, const struct ct_field_desc *f,
		     const struct kv *kv, const char **page, size_t *page_len)
{
	unsigned char *base = (unsigned char *)ev;
	uint64_t u64;
	int32_t iv;
	uint32_t uv;
	int16_t st;

	switch (f->kind) {
	case CT_FK_U64:
		return put_u64(ev, f->off, kv->v, kv->vl);
	case CT_FK_PFN:
		if (parse_pfn(kv->v, kv->vl, &u64))
			return -1;
		memcpy(base + f->off, &u64, 8);
		return 0;
	case CT_FK_I32:
		if (ct_text_parse_i32(kv->v, kv->vl, &iv))
			return -1;
		ct_event_put_int(ev, f->off, f->size, iv);
		return 0;
	case CT_FK_U32:
		if (parse_u32(kv->v, kv->vl, &uv))
			return -1;
		memcpy(base + f->off, &uv, 4);
		return 0;
	case CT_FK_ORDER_U32:
		if (parse_order(kv->v, kv->vl, &iv))
			return -1;
		memcpy(base + f->off, &iv, 4);
		return 0;
	case CT_FK_STATUS:
		if (parse_status(p, kv->v, kv->vl, &st))
			return -1;
		memcpy(base + f->off, &st, 2);
		return 0;
	case CT_FK_ZONE:
	case CT_FK_SYMBOL:
		copy_text((char *)base + f->off, f->size, kv->v, kv->vl);
		return 0;
	case CT_FK_GFP:
		return put_gfp(ev, f, kv->v, kv->vl);
	case CT_FK_RANGE: {
		uint64_t a, b;

		if (parse_range(kv->v, kv->vl, &a, &b))
			return -1;
		memcpy(base + f->off, &a, 8);
		memcpy(base + f->off2, &b, 8);
		return 0;
	}
	case CT_FK_SYNC:
		if (kv->vl == 4 && memcmp(kv->v, "sync", 4) == 0)
			base[f->off] = 1;
		else if (kv->vl == 5 && memcmp(kv->v, "async", 5) == 0)
			base[f->off] = 0;
		return 0;
	case CT_FK_PRIO:	/* priority= since 4.8, mode= before */
		if (ct_text_parse_i32(kv->v, kv->vl, &iv))
			return -1;
		memcpy(base + f->off, &iv, 4);
		base[f->off2] = KEY(kv, "mode");
		return 0;
	case CT_FK_PAGE_PTR:
		*page = kv->v;
		*page_len = kv->vl;
		return 0;
	default:
		return 0;
	}
}

/*
 * A failed allocation records pfn -1UL, which the print format turns into
 * a NULL page= and pfn=0: CT_PFN_NONE, as the binary readers give.
 */
static void failed_allocation(struct ct_event *ev, const struct ct_event_desc *d, const struct text_layout *l,
			      const char *page, size_t page_len)
{
	uint64_t pfn;
	uint16_t off;

	if (l->page_pfn < 0 || !page || !null_pointer(page, page_len))
		return;
	off = d->fields[l->page_pfn].off;
	memcpy(&pfn, (unsigned char *)ev + off, 8);
	if (pfn == 0) {
		pfn = CT_PFN_NONE;
		memcpy((unsigned char *)ev + off, &pfn, 8);
	}
}

static inline int ct_text_host_le(void)
{
	const uint16_t one = 1;

	return *(const uint8_t *)&one == 1;
}

/*
 * Does the line's key (@kv->kl bytes, the same length as @tk's) equal
 * @tk? Keys are short: one 8-byte load compares most of them, when the
 * payload has 8 bytes from the key on (the rest of a key that long is
 * compared byte by byte); a call to memcmp() would cost more than that.
 */
static inline int same_key(const struct text_key *tk, const struct kv *kv, const char *end)
{
	size_t n = kv->kl, i = 0;

	if (end - kv->k >= 8) {
		uint64_t w;

		memcpy(&w, kv->k, 8);
		if (n < 8)	/* the bytes past the key go: the low bytes in memory order */
			w &= ct_text_host_le() ? (1ULL << (8 * n)) - 1 : ~0ULL << (8 * (8 - n));
		if (w != tk->head)
			return 0;
		i = 8;
	}
	for (; i < n; i++)
		if (tk->key[i] != kv->k[i])
			return 0;
	return 1;
}

/*
 * The event's key @kv names, or NULL. Kernels print the fields in the
 * table's order: the key after the last one found (*@next) is tried first.
 */
static inline const struct text_key *find_key(const struct text_layout *l, const struct kv *kv, const char *end,
					      unsigned *next)
{
	const struct text_key *tk = &l->keys[*next];

	if (*next < l->nkeys && tk->len == kv->kl && same_key(tk, kv, end)) {
		++*next;
		return tk;
	}
	for (unsigned h = key_hash(kv->k, kv->kl); l->slot[h] >= 0; h = (h + 1) % KEY_SLOTS) {
		tk = &l->keys[l->slot[h]];

		if (tk->len == kv->kl && same_key(tk, kv, end)) {
			*next = (unsigned)(tk - l->keys) + 1;
			return tk;
		}
	}
	return NULL;
}

/*
 * The common case first: the key after the last one found, followed by
 * '=', right where the payload goes on. The same key=value kv_next() and
 * find_key() would give, without looking for where the key ends; NULL
 * (and *@pp unmoved) when it is anything else.
 */
static inline const struct text_key *expected_key(const struct text_layout *l, const char **pp, const char *end,
						  unsigned *next, struct kv *kv)
{
	const struct text_key *tk;
	const char *p = *pp;

	if (*next >= l->nkeys)
		return NULL;
	tk = &l->keys[*next];
	p = kv_skip_separators(p, end);
	if ((size_t)(end - p) <= tk->len || p[tk->len] != '=')
		return NULL;
	kv->k = p;
	kv->kl = tk->len;
	if (!same_key(tk, kv, end))
		return NULL;
	*pp = kv_value(p + tk->len + 1, end, kv);
	++*next;
	return tk;
}

/*
 * Fields by name (key=value), never by position: kernels add, rename and
 * reorder them; unknown keys are skipped. The scan stops once every field
 * the event prints in text has been seen (a page event's long gfp_flags=
 * is never read).
 */
int ct_text_decode_payload(struct ct_text_parser *p, enum ct_event_type type, const char *s, size_t n,
			   struct ct_event *ev)
{
	const struct text_layout *l = &layouts[type];
	const struct ct_event_desc *d = l->desc;
	const char *cur = s, *end = s + n, *page = NULL;
	size_t page_len = 0;
	uint32_t seen = 0, together;
	unsigned next = 0;
	struct kv kv;
	int bad = 0;

	if (!d)
		return 0;
	/* the rest of the union stays zero (ct_text_event() cleared it) */
	memcpy(&ev->u, l->absent, l->absent_len);
	while (seen != l->all) {
		const struct text_key *tk = expected_key(l, &cur, end, &next, &kv);

		if (!tk) {
			if (!kv_next(&cur, end, &kv))
				break;
			if (!(tk = find_key(l, &kv, end, &next)))
				continue;	/* a field we do not read */
		}
		bad |= put_field(p, ev, &d->fields[tk->field], &kv, &page, &page_len);
		seen |= 1u << tk->field;
	}
	together = seen & l->together;
	if (bad || (seen & l->need) != l->need || (together && together != l->together))
		return -1;
	failed_allocation(ev, d, l, page, page_len);
	return 0;
}

void ct_text_event(struct ct_text_parser *p, const struct ct_text_head *h, struct ct_event *ev)
{
	enum ct_event_type type = ct_text_classify(p, h->name, h->name_len);

	/* no stale bytes, even for CT_EV_OTHER; an interpreted event's union is set whole by its decoder */
	memset(ev, 0, sizeof(*ev));
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
