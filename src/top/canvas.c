// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * A grid of cells for the dashboard: every write is clipped to the grid,
 * so a panel can never overlap another or run past the screen's width.
 * Plain C: the curses frontend and batch mode both read it.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compactrace/error.h"
#include "top/top_ui.h"

#define BATCH_MAX_ROWS 10000	/* a batch refresh this long is a bug, not a report */

struct ct_canvas *ct_canvas_new(int cols, int rows)
{
	struct ct_canvas *c;
	int alloc_rows = rows > 0 ? rows : 64;

	if (cols <= 0 || rows < 0)
		return NULL;
	c = calloc(1, sizeof(*c));
	if (!c)
		return NULL;
	c->cols = cols;
	c->rows = alloc_rows;
	c->grow = rows == 0;
	c->ch = malloc((size_t)cols * (size_t)alloc_rows * sizeof(*c->ch));
	c->attr = malloc((size_t)cols * (size_t)alloc_rows);
	if (!c->ch || !c->attr) {
		ct_canvas_free(c);
		return NULL;
	}
	ct_canvas_clear(c);
	return c;
}

void ct_canvas_free(struct ct_canvas *c)
{
	if (!c)
		return;
	free(c->ch);
	free(c->attr);
	free(c);
}

static void blank_rows(struct ct_canvas *c, int from, int to)
{
	for (size_t i = (size_t)from * (size_t)c->cols; i < (size_t)to * (size_t)c->cols; i++)
		c->ch[i] = ' ';
	memset(c->attr + (size_t)from * (size_t)c->cols, CT_A_NORMAL,
	       (size_t)(to - from) * (size_t)c->cols);
}

void ct_canvas_clear(struct ct_canvas *c)
{
	blank_rows(c, 0, c->rows);
	c->used = 0;
	c->failed = 0;
}

/* make @row writable; 0 when it is outside a fixed grid or memory ran out */
static int row_ok(struct ct_canvas *c, int row)
{
	if (row < 0)
		return 0;
	if (row < c->rows) {
		if (row >= c->used)
			c->used = row + 1;
		return 1;
	}
	if (!c->grow || row >= BATCH_MAX_ROWS) {
		c->failed |= c->grow;
		return 0;
	}
	{
		int nrows = c->rows;
		uint16_t *nch;
		uint8_t *nattr;

		while (nrows <= row)
			nrows *= 2;
		nch = realloc(c->ch, (size_t)c->cols * (size_t)nrows * sizeof(*nch));
		if (!nch) {
			c->failed = 1;
			return 0;
		}
		c->ch = nch;
		nattr = realloc(c->attr, (size_t)c->cols * (size_t)nrows);
		if (!nattr) {
			c->failed = 1;
			return 0;
		}
		c->attr = nattr;
		blank_rows(c, c->rows, nrows);
		c->rows = nrows;
	}
	c->used = row + 1;
	return 1;
}

static void put(struct ct_canvas *c, int row, int col, uint16_t ch, int attr)
{
	size_t i = (size_t)row * (size_t)c->cols + (size_t)col;

	c->ch[i] = ch;
	c->attr[i] = (uint8_t)attr;
}

int ct_canvas_textn(struct ct_canvas *c, int row, int col, int attr, const char *s, int max)
{
	int n = 0;

	if (!row_ok(c, row))
		return col + (int)strlen(s);
	for (; s[n] && n < max; n++) {
		unsigned char ch = (unsigned char)s[n];

		if (col + n < 0)
			continue;
		if (col + n >= c->cols)
			break;
		/* control bytes (a task name can hold anything) become '?' */
		put(c, row, col + n, ch < 0x20 || ch >= 0x7f ? '?' : ch, attr);
	}
	return col + n;
}

int ct_canvas_text(struct ct_canvas *c, int row, int col, int attr, const char *s)
{
	return ct_canvas_textn(c, row, col, attr, s, 1 << 30);
}

int ct_canvas_printf(struct ct_canvas *c, int row, int col, int attr, const char *fmt, ...)
{
	char buf[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	return ct_canvas_text(c, row, col, attr, buf);
}

void ct_canvas_fill(struct ct_canvas *c, int row, int col, int n, uint16_t ch, int attr)
{
	if (!row_ok(c, row))
		return;
	for (int i = 0; i < n; i++)
		if (col + i >= 0 && col + i < c->cols)
			put(c, row, col + i, ch, attr);
}

void ct_canvas_attr_span(struct ct_canvas *c, int row, int col, int n, int attr)
{
	if (!row_ok(c, row))
		return;
	for (int i = 0; i < n; i++)
		if (col + i >= 0 && col + i < c->cols)
			c->attr[(size_t)row * (size_t)c->cols + (size_t)(col + i)] = (uint8_t)attr;
}

int ct_canvas_rows(const struct ct_canvas *c)
{
	return c->grow ? c->used : c->rows;
}

char ct_canvas_glyph_ascii(uint16_t ch)
{
	static const char spark[CT_G_SPARK_LEVELS] = { '_', '.', ':', '-', '=', '+', '*', '#', '@' };

	if (ch < 0x80)
		return (char)ch;
	if (ch >= CT_G_SPARK0 && ch < CT_G_SPARK0 + CT_G_SPARK_LEVELS)
		return spark[ch - CT_G_SPARK0];
	return '?';
}

int ct_canvas_write(const struct ct_canvas *c, FILE *out)
{
	char *line = malloc((size_t)c->cols + 2);
	int rows = ct_canvas_rows(c), ret = 0;

	if (!line)
		return -CT_E_NOMEM;
	for (int r = 0; r < rows && ret == 0; r++) {
		int n = c->cols;

		for (int i = 0; i < c->cols; i++)
			line[i] = ct_canvas_glyph_ascii(c->ch[(size_t)r * (size_t)c->cols + (size_t)i]);
		while (n > 0 && line[n - 1] == ' ')
			n--;
		line[n] = '\n';
		if (fwrite(line, 1, (size_t)n + 1, out) != (size_t)n + 1)
			ret = -CT_E_WRITE;
	}
	free(line);
	return ret;
}
