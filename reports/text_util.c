// SPDX-License-Identifier: GPL-2.0-or-later
/* Small helpers the text renderers share. */
#include <inttypes.h>
#include <stdio.h>

#include "text_util.h"

const char *ct_grouped(char *buf, size_t size, uint64_t v)
{
	char tmp[32];
	int len = snprintf(tmp, sizeof(tmp), "%" PRIu64, v), o = 0;

	for (int i = 0; i < len && (size_t)o + 2 < size; i++) {
		if (i > 0 && (len - i) % 3 == 0)
			buf[o++] = ',';
		buf[o++] = tmp[i];
	}
	buf[o] = '\0';
	return buf;
}
