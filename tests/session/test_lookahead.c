// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The session's lookahead keeps events packed: what comes back must be
 * each event's head and its type's part of the union, as put, and zeros
 * after it. Which part belongs to which type is written out here by hand
 * from compactrace/event.h (the comments on each struct), not taken from
 * the module. Random bytes everywhere, seed printed (CT_SEED sets it).
 * Usage: test_lookahead
 */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../common/check.h"
#include "compactrace/event.h"
#include "session/lookahead.h"

/* the bytes of the union that event.h says @type uses */
static size_t member_size(int type)
{
	const struct ct_event *e = NULL;

	switch (type) {
	case CT_EV_BEGIN: case CT_EV_END: return sizeof(e->u.range);
	case CT_EV_ISOLATE_MIGRATE: case CT_EV_ISOLATE_FREE: case CT_EV_FAST_ISOLATE_FREE: return sizeof(e->u.iso);
	case CT_EV_MIGRATEPAGES: return sizeof(e->u.mig);
	case CT_EV_TRY_TO_COMPACT: return sizeof(e->u.try_);
	case CT_EV_FINISHED: case CT_EV_SUITABLE: return sizeof(e->u.zo);
	case CT_EV_DEFERRED: case CT_EV_DEFER_COMPACTION: case CT_EV_DEFER_RESET: return sizeof(e->u.defer);
	case CT_EV_KCOMPACTD_SLEEP: case CT_EV_WAKEUP_KCOMPACTD: case CT_EV_KCOMPACTD_WAKE: return sizeof(e->u.kc);
	case CT_EV_EXTFRAG: return sizeof(e->u.xf);
	case CT_EV_MM_MIGRATE_PAGES: return sizeof(e->u.mm);
	case CT_EV_LOST: return sizeof(e->u.lost);
	case CT_EV_PARSE_ERROR: return sizeof(e->u.perr);
	default:
		if (type >= CT_EV_PAGE_FIRST && type <= CT_EV_PAGE_LAST)
			return sizeof(e->u.page);
		return sizeof(e->u);	/* CT_EV_OTHER: nothing is known, so all of it */
	}
}

static uint32_t rng;

static uint32_t next_rand(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 17;
	rng ^= rng << 5;
	return rng;
}

#define N 5000	/* over several of the module's blocks */

int main(void)
{
	static struct ct_event put[N];
	static const char names[] = "mm_compaction_begin_and_more_bytes_for_names";
	const char *e = getenv("CT_SEED");
	struct ct_lookahead *la = ct_lookahead_new(N + 1, UINT64_MAX);
	uint32_t seed = e ? (uint32_t)strtoul(e, NULL, 0) : 20261206u;

	printf("seed %u (CT_SEED)\n", seed);
	rng = seed ? seed : 1;
	CHECK(la != NULL);
	if (!la)
		return ct_test_status("lookahead");
	for (int i = 0; i < N; i++) {
		struct ct_event *ev = &put[i];

		for (size_t b = 0; b < sizeof(*ev); b++)
			((unsigned char *)ev)[b] = (unsigned char)next_rand();
		ev->type = (uint16_t)(i % CT_EV_TYPE_COUNT);
		ev->ts_ns = (uint64_t)i;	/* in order: never full by its time span */
		ev->name_len = (uint16_t)(next_rand() % sizeof(names));
		ev->name = names + (sizeof(names) - 1 - ev->name_len);
		CHECK(ct_lookahead_put(la, ev) == 0);
	}
	for (int i = 0; i < N; i++) {
		const struct ct_event *got = ct_lookahead_get(la, (size_t)i);
		size_t keep = offsetof(struct ct_event, u) + member_size(put[i].type);
		int zeros = 1;

		if (!got) {
			CHECK(!"an event came back");
			break;
		}
		CHECK_U64(got->type, put[i].type);
		CHECK_U64(got->ts_ns, put[i].ts_ns);
		CHECK_U64(got->pid, (uint64_t)put[i].pid);
		CHECK(memcmp(got->comm, put[i].comm, sizeof(got->comm)) == 0);
		CHECK_U64(got->name_len, put[i].name_len);
		CHECK(memcmp(got->name, put[i].name, got->name_len) == 0);
		CHECK(memcmp(&got->u, &put[i].u, keep - offsetof(struct ct_event, u)) == 0);
		for (size_t b = keep; b < sizeof(*got); b++)
			zeros &= ((const unsigned char *)got)[b] == 0;
		CHECK(zeros);
	}
	CHECK(ct_lookahead_get(la, N) == NULL);
	ct_lookahead_free(la);
	return ct_test_status("lookahead");
}
