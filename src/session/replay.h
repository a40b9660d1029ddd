/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef CT_TOOL_REPLAY_H
#define CT_TOOL_REPLAY_H

#include "compactrace/engine.h"
#include "compactrace/source.h"

/**
 * ct_replay_source() - feed every event of @src to @eng as one source
 *
 * Prints a one-line error naming the file to stderr on failure. @src stays
 * the caller's to free. Returns 0 or a negative CT_E_* code.
 */
int ct_replay_source(struct ct_engine *eng, struct ct_source *src);

#endif
