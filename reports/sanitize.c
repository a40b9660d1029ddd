// SPDX-License-Identifier: GPL-2.0-or-later
#include "sanitize.h"

/* length of the valid UTF-8 sequence at @p (up to @avail bytes), or 0 */
static size_t utf8_len(const unsigned char *p, size_t avail)
{
	size_t n;
	unsigned cp;

	if (p[0] < 0x80)
		return 1;
	if (p[0] >= 0xc2 && p[0] <= 0xdf)
		n = 2, cp = p[0] & 0x1f;
	else if (p[0] >= 0xe0 && p[0] <= 0xef)
		n = 3, cp = p[0] & 0x0f;
	else if (p[0] >= 0xf0 && p[0] <= 0xf4)
		n = 4, cp = p[0] & 0x07;
	else
		return 0;
	if (n > avail)
		return 0;
	for (size_t i = 1; i < n; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (p[i] & 0x3f);
	}
	/* overlong forms, surrogates and values beyond U+10FFFF */
	if ((n == 3 && cp < 0x800) || (n == 4 && (cp < 0x10000 || cp > 0x10ffff)) ||
	    (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return n;
}

void ct_sanitize(char *dst, size_t size, const char *src, int for_terminal)
{
	const unsigned char *p = (const unsigned char *)src;
	size_t o = 0, avail = 0;

	if (size == 0)
		return;
	while (p[avail])
		avail++;
	while (*p && o + 1 < size) {
		size_t n = utf8_len(p, avail);

		if (n == 0 || (for_terminal && n == 1 && (*p < 0x20 || *p == 0x7f))) {
			dst[o++] = '?';
			p++;
			avail--;
			continue;
		}
		/* C1 controls, U+0080..U+009F: U+009B is CSI to some terminals */
		if (for_terminal && n == 2 && p[0] == 0xc2 && p[1] < 0xa0) {
			dst[o++] = '?';
			p += 2;
			avail -= 2;
			continue;
		}
		if (o + n >= size)
			break;
		for (size_t i = 0; i < n; i++)
			dst[o++] = (char)p[i];
		p += n;
		avail -= n;
	}
	dst[o] = '\0';
}
