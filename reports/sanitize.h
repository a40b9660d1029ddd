/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef CT_REPORTS_SANITIZE_H
#define CT_REPORTS_SANITIZE_H

#include <stddef.h>

/**
 * ct_sanitize() - copy @src into @dst (size @size, always NUL-terminated)
 * keeping valid UTF-8 and replacing invalid bytes with '?'. With
 * @for_terminal, control characters (C0, DEL and C1) become '?' too, so a hostile task name
 * cannot move the cursor or change colours.
 */
void ct_sanitize(char *dst, size_t size, const char *src, int for_terminal);

#endif
