// SPDX-License-Identifier: GPL-2.0-or-later
#include <stdio.h>

#include "compactrace/error.h"
#include "session/replay.h"

int ct_replay_source(struct ct_engine *eng, struct ct_source *src)
{
	struct ct_event ev;
	int ret;

	ret = ct_engine_begin_source(eng, ct_source_path(src), ct_source_format(src));
	while (ret == 0 && (ret = ct_source_next(src, &ev)) == 1)
		ret = ct_engine_feed(eng, &ev);
	if (ret < 0) {
		fprintf(stderr, "compactrace: %s\n",
			ret == -CT_E_NOMEM ? "out of memory" : ct_source_error(src));
		return ret;
	}
	ret = ct_engine_end_source(eng);
	if (ret < 0)
		fprintf(stderr, "compactrace: out of memory\n");
	return ret;
}
