/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef CT_REPORTS_TEXT_UTIL_H
#define CT_REPORTS_TEXT_UTIL_H

#include <stddef.h>
#include <stdint.h>

/** ct_grouped() - @v with thousands separators into @buf: 1234567 -> "1,234,567"; returns @buf */
const char *ct_grouped(char *buf, size_t size, uint64_t v);

#endif
