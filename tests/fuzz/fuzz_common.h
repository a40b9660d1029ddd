/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef CT_FUZZ_COMMON_H
#define CT_FUZZ_COMMON_H

/*
 * What every harness shares: the input as a file (a memfd), the report
 * pipeline of `compactrace report` (source -> engine with the shadow buddy
 * model -> text and JSON reports), and the checks that turn a wrong
 * result into a crash the fuzzer sees (fz_fail() aborts).
 */
#include <stddef.h>
#include <stdint.h>

#include "compactrace/engine.h"
#include "compactrace/memsnap.h"
#include "compactrace/source.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Inputs above this are cut: a harness is about bad bytes, not big files. */
#define FZ_MAX_INPUT (1u << 20)

/*
 * The model's memory limit in the harnesses: the default (1 GiB) is for
 * real machines; here it would only make each input slow.
 */
#define FZ_MODEL_BYTES (64ULL << 20)

/*
 * --pageblocks (a JSON row per pageblock) for one input in four: the rows
 * cost more than all the rest of a report, and they are the same code
 * every time.
 */
#define FZ_PAGEBLOCKS(size) (((size) & 3) == 0)
#define FZ_MAX_PAGEBLOCK_ROWS 4096	/* and only up to this many rows */

/** fz_fail() - print @what and abort (the fuzzer's crash) */
__attribute__((noreturn, format(printf, 1, 2))) void fz_fail(const char *fmt, ...);

/**
 * fz_memfd() - @data as a file: a memfd (made once, reused) holding exactly
 * @size bytes, offset 0. Returns the fd (owned by this module) or aborts.
 */
int fz_memfd(const uint8_t *data, size_t size);

/** fz_check_event() - an event a source returned is well formed (else aborts) */
void fz_check_event(const struct ct_event *ev);

#include "compactrace/model.h"
#include "compactrace/report.h"
#include "compactrace/session.h"

/*
 * fz_items() - split @data into items, each a line "=== NAME" followed by
 * its bytes up to the next such line (bytes before the first are skipped):
 * @fn is called per item with its name (not NUL-terminated) and body.
 */
typedef void (*fz_item_fn)(void *ctx, const char *name, size_t name_len, const uint8_t *body, size_t len);
void fz_items(const uint8_t *data, size_t size, fz_item_fn fn, void *ctx);

/* An engine feeding a model, as a session subscribes it (for the engine harness). */
struct fz_pipeline {
	struct ct_engine *eng;
	struct ct_model *model;
};

/**
 * fz_pipeline_new() - an engine with the model on and the NDJSON writer subscribed
 * @start, @end: the model's snapshots, or NULL
 * @page_events: the model's exact mode (record --pages)
 * @pageblock_order: 0 default
 * @pageblocks: keep a row per pageblock (--pageblocks)
 */
struct fz_pipeline fz_pipeline_new(const struct ct_memsnap *start, const struct ct_memsnap *end,
				   int page_events, int pageblock_order, int pageblocks);

/** fz_pipeline_free() - the engine, then its model */
void fz_pipeline_free(struct fz_pipeline *p);

/**
 * fz_ndjson() - an NDJSON writer to /dev/null, for a sink; a failed write aborts later checks
 */
struct ct_ndjson_writer *fz_ndjson(void);

/**
 * fz_render() - the report sinks on @in (results, model, vmstat check), every option on
 * @model: the model behind @in->model, or NULL
 * @pageblocks: JSON --pageblocks
 *
 * Checks the model's invariants (ct_model_check()), writes the text report
 * (with --map) to /dev/null and the JSON report to memory, where it must
 * parse back as JSON. Aborts on a broken check.
 */
void fz_render(struct ct_report_input *in, struct ct_model *model, int pageblocks);

/**
 * fz_session_replay() - every event of @src through @s, as `report` replays a file
 * @name: what @src is called; its error messages must start with it
 *
 * Checks each event (fz_check_event()). Returns 0 when the input ended
 * cleanly, -1 when the source failed (report prints the error, no report).
 */
int fz_session_replay(struct ct_session *s, struct ct_source *src, const char *name);

/**
 * fz_session_render() - finish @s and render its report as `report` does (fz_render())
 */
void fz_session_render(struct ct_session *s, int pageblocks);

/**
 * fz_report_file() - `compactrace report -F FORMAT FILE` on @data
 * @format: a CT_FORMAT_* name, or NULL to detect it
 *
 * Opens the bytes as a file and runs it through a session as report does
 * for a single input (its snapshots from its attachments, the model on,
 * NDJSON subscribed), then renders the text and JSON outputs. Aborts on a
 * broken check.
 */
void fz_report_file(const char *format, const uint8_t *data, size_t size);

#endif
