// SPDX-License-Identifier: GPL-2.0-or-later
/* NDJSON as a session sink: each run and stall on its own line as it completes. */
#include <errno.h>

#include "compactrace/error.h"
#include "compactrace/report.h"

static int written(struct ct_ndjson_writer *w, int ret)
{
	if (ret == -CT_E_WRITE)
		w->saved_errno = errno;
	return ret;
}

static int on_run(void *ctx, const struct ct_run *run)
{
	struct ct_ndjson_writer *w = ctx;

	return written(w, ct_ndjson_run(w->out, run));
}

static int on_stall(void *ctx, const struct ct_stall *stall)
{
	struct ct_ndjson_writer *w = ctx;

	return written(w, ct_ndjson_stall(w->out, stall));
}

static const struct ct_sink_ops ndjson_ops = {
	.name = "ndjson",
	.run = on_run,
	.stall = on_stall,
};

struct ct_sink ct_ndjson_sink(struct ct_ndjson_writer *w)
{
	return (struct ct_sink){ .ops = &ndjson_ops, .ctx = w };
}
