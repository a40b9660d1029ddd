/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef CT_UI_TOP_UI_H
#define CT_UI_TOP_UI_H

/*
 * The dashboard of `compactrace top`, in two halves:
 *
 *  - canvas.c and top_layout.c (plain C, no curses): lay the panels out into
 *    a grid of cells with a few semantic attributes. Every write is clipped
 *    to the grid, so no panel can spill into another or past the width.
 *    Batch mode prints the same grid as text, so what tests read is what
 *    the screen shows.
 *  - top_curses.c (the only file that includes curses.h): put a grid on
 *    the terminal with colours or honest monochrome, and read keys.
 */

#include <stdint.h>
#include <stdio.h>

#include "top/top_model.h"

/* ---- canvas ------------------------------------------------------------- */

enum ct_cattr {
	CT_A_NORMAL,
	CT_A_TITLE,	/* panel title bar */
	CT_A_HEAD,	/* column headers */
	CT_A_DIM,
	CT_A_GOOD,
	CT_A_WARN,
	CT_A_BAD,
	CT_A_MIGRATE,	/* the migrate scanner in the gauge */
	CT_A_FREE,	/* the free scanner in the gauge */
	CT_A_SEL,	/* the selected row */
	CT_A_KEY,	/* a key name in the footer */
	CT_A_ALERT,	/* PAUSED, END OF INPUT, errors */
	CT_A_COUNT
};

/* Cell values above 0xff are glyphs the frontend draws its own way. */
enum ct_glyph {
	CT_G_SPARK0 = 0x100,	/* sparkline levels 0..8 (0: nothing happened) */
	CT_G_SPARK_LEVELS = 9,
};

struct ct_canvas {
	int cols, rows;		/* rows grows in batch mode */
	int grow;		/* 1: rows are added as they are written */
	int used;		/* rows written so far (batch) */
	int failed;		/* a row could not be added: output is incomplete */
	uint16_t *ch;
	uint8_t *attr;
};

/**
 * ct_canvas_new() - a blank grid
 * @rows: 0 for a grid that grows as rows are written (batch mode)
 *
 * Returns NULL on allocation failure; free with ct_canvas_free().
 */
struct ct_canvas *ct_canvas_new(int cols, int rows);

/** ct_canvas_free() - accepts NULL */
void ct_canvas_free(struct ct_canvas *c);

/** ct_canvas_clear() - blank every cell (a growing grid also forgets its rows) */
void ct_canvas_clear(struct ct_canvas *c);

/** ct_canvas_text() - write @s at @row/@col, clipped; returns the column after it */
int ct_canvas_text(struct ct_canvas *c, int row, int col, int attr, const char *s);

/** ct_canvas_textn() - as ct_canvas_text(), at most @max cells */
int ct_canvas_textn(struct ct_canvas *c, int row, int col, int attr, const char *s, int max);

/** ct_canvas_printf() - formatted ct_canvas_text() */
int ct_canvas_printf(struct ct_canvas *c, int row, int col, int attr, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));

/** ct_canvas_fill() - @n cells of @ch from @row/@col, clipped */
void ct_canvas_fill(struct ct_canvas *c, int row, int col, int n, uint16_t ch, int attr);

/** ct_canvas_attr_span() - set the attribute of @n cells, keeping their text */
void ct_canvas_attr_span(struct ct_canvas *c, int row, int col, int n, int attr);

/** ct_canvas_rows() - the rows a frontend should draw */
int ct_canvas_rows(const struct ct_canvas *c);

/**
 * ct_canvas_write() - print the grid as plain ASCII text, trailing blanks trimmed
 * Returns 0 or -CT_E_WRITE.
 */
int ct_canvas_write(const struct ct_canvas *c, FILE *out);

/** ct_canvas_glyph_ascii() - the ASCII stand-in for a cell value */
char ct_canvas_glyph_ascii(uint16_t ch);

/* ---- layout ------------------------------------------------------------- */

enum ct_top_page { CT_PAGE_OVERVIEW, CT_PAGE_STALLS, CT_PAGE_ZONES, CT_PAGE_COUNT };

#define CT_TOP_MIN_COLS 80
#define CT_TOP_MIN_ROWS 24

/* What the screen shows besides the view: the UI's own state. */
struct ct_top_screen {
	enum ct_top_page page;
	int help;		/* the help overlay is up */
	int paused;
	enum ct_top_sort sort;
	int scroll;		/* first row of the page's scrollable list */
	int zone_sel;		/* index into view->zones; -1: the busiest (the layout sets it) */
	int live;
	int ended;		/* the input ended (replay) */
	int batch;		/* no footer, no size check, every panel in full */
	double speed;		/* replay speed, 0: as fast as possible */
	uint64_t interval_ms;
	const char *source;	/* "trace.txt (ftrace-text)" or "host 6.18.0-x" */
	const char *message;	/* a status line, or NULL */
	const char *note;	/* what the help overlay adds (e.g. events this kernel lacks), or NULL */
	int message_is_error;
	/* filled in by ct_top_layout(): how far the list can scroll */
	int scroll_max;
	int list_rows;
};

/**
 * ct_top_layout() - draw @v and @s into @c
 *
 * A fixed-size canvas smaller than CT_TOP_MIN_COLS x CT_TOP_MIN_ROWS gets a
 * message asking for a larger terminal instead of the panels (unless
 * s->batch). Sets s->scroll_max and s->list_rows.
 */
void ct_top_layout(struct ct_canvas *c, const struct ct_top_view *v, struct ct_top_screen *s);

/** ct_top_fmt_ns() - a duration as "428us", "2.61ms", "1.25s"; "-" for none */
const char *ct_top_fmt_ns(char *buf, size_t len, uint64_t ns, int have);

/* ---- curses frontend (top_curses.c) -------------------------------------- */

enum ct_key {
	CT_KEY_NONE, CT_KEY_QUIT, CT_KEY_PAUSE, CT_KEY_HELP, CT_KEY_ZONE, CT_KEY_RESET,
	CT_KEY_SORT, CT_KEY_UP, CT_KEY_DOWN, CT_KEY_PGUP, CT_KEY_PGDN, CT_KEY_HOME,
	CT_KEY_END, CT_KEY_PAGE1, CT_KEY_PAGE2, CT_KEY_PAGE3, CT_KEY_NEXT_PAGE,
	CT_KEY_RESIZE, CT_KEY_REDRAW, CT_KEY_OTHER,
	CT_KEY_EOF,		/* the terminal is gone */
};

struct ct_ui;

/**
 * ct_ui_open() - take over the terminal (curses, cbreak, no echo, keypad)
 * @err: message when the terminal cannot be used
 *
 * Returns NULL with @err filled on failure; the terminal is then left as
 * it was. Close with ct_ui_close(), which restores it.
 */
struct ct_ui *ct_ui_open(char *err, size_t errlen);

/** ct_ui_close() - restore the terminal; accepts NULL */
void ct_ui_close(struct ct_ui *ui);

/** ct_ui_size() - the terminal's current size */
void ct_ui_size(struct ct_ui *ui, int *cols, int *rows);

/** ct_ui_resize() - pick up a new terminal size (after SIGWINCH) */
void ct_ui_resize(struct ct_ui *ui);

/** ct_ui_draw() - put @c on the screen */
void ct_ui_draw(struct ct_ui *ui, const struct ct_canvas *c);

/** ct_ui_key() - the next key without waiting: CT_KEY_NONE when there is none */
enum ct_key ct_ui_key(struct ct_ui *ui);

/** ct_ui_has_color() - 1 when colours are in use (not NO_COLOR, the terminal has them) */
int ct_ui_has_color(const struct ct_ui *ui);

#endif
