// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The terminal side of `compactrace top`, and the only code that includes
 * curses.h: put a laid-out canvas on the screen and read keys. It never
 * reads /proc or tracefs and never touches the model.
 */
#include <langinfo.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>
#include <wchar.h>

#ifdef CT_HAVE_NCURSESW
#define NCURSES_WIDECHAR 1	/* addnwstr() for the sparkline's block characters */
#include <ncursesw/curses.h>
#else
#include <curses.h>
#endif

#include "top/top_ui.h"

struct ct_ui {
	SCREEN *screen;
	int color;		/* colour pairs are in use */
	int utf8;		/* the sparkline may use block characters */
	attr_t attrs[CT_A_COUNT];
};

/*
 * Colour where the terminal has it. Without (NO_COLOR, a monochrome
 * terminal) the same meaning is carried by reverse video and bold only,
 * and the gauge and tables stay readable from their characters alone.
 */
static void setup_attrs(struct ct_ui *ui)
{
	static const struct { short fg, bg; attr_t extra; } pal[CT_A_COUNT] = {
		[CT_A_NORMAL] = { -1, -1, 0 },
		[CT_A_TITLE] = { COLOR_BLACK, COLOR_CYAN, 0 },
		[CT_A_HEAD] = { COLOR_CYAN, -1, A_BOLD },
		[CT_A_DIM] = { COLOR_BLUE, -1, A_BOLD },
		[CT_A_GOOD] = { COLOR_GREEN, -1, 0 },
		[CT_A_WARN] = { COLOR_YELLOW, -1, A_BOLD },
		[CT_A_BAD] = { COLOR_RED, -1, A_BOLD },
		[CT_A_MIGRATE] = { COLOR_GREEN, -1, A_BOLD },
		[CT_A_FREE] = { COLOR_MAGENTA, -1, A_BOLD },
		[CT_A_SEL] = { COLOR_BLACK, COLOR_YELLOW, 0 },
		[CT_A_KEY] = { COLOR_BLACK, COLOR_CYAN, 0 },
		[CT_A_ALERT] = { COLOR_WHITE, COLOR_RED, A_BOLD },
	};
	static const attr_t mono[CT_A_COUNT] = {
		[CT_A_NORMAL] = A_NORMAL, [CT_A_TITLE] = A_REVERSE, [CT_A_HEAD] = A_BOLD,
		[CT_A_DIM] = A_NORMAL, [CT_A_GOOD] = A_NORMAL, [CT_A_WARN] = A_BOLD,
		[CT_A_BAD] = A_BOLD | A_UNDERLINE, [CT_A_MIGRATE] = A_BOLD, [CT_A_FREE] = A_NORMAL,
		[CT_A_SEL] = A_REVERSE, [CT_A_KEY] = A_REVERSE, [CT_A_ALERT] = A_REVERSE | A_BOLD,
	};
	const char *no_color = getenv("NO_COLOR");

	ui->color = has_colors() && !(no_color && *no_color) && start_color() == OK;
	if (ui->color) {
		use_default_colors();
		for (int i = 1; i < CT_A_COUNT; i++) {
			if (init_pair((short)i, pal[i].fg, pal[i].bg) != OK) {
				ui->color = 0;
				break;
			}
			ui->attrs[i] = COLOR_PAIR(i) | pal[i].extra;
		}
	}
	if (!ui->color)
		memcpy(ui->attrs, mono, sizeof(mono));
	ui->attrs[CT_A_NORMAL] = A_NORMAL;
}

struct ct_ui *ct_ui_open(char *err, size_t errlen)
{
	struct ct_ui *ui;
	const char *cs;

	if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO)) {
		snprintf(err, errlen, "standard %s is not a terminal (use --batch N for plain text)",
			 isatty(STDIN_FILENO) ? "output" : "input");
		return NULL;
	}
	ui = calloc(1, sizeof(*ui));
	if (!ui) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	/* the character set only: numbers keep the "C" decimal point */
	setlocale(LC_CTYPE, "");
	/* newterm, not initscr: initscr exits the process when TERM is unusable */
	ui->screen = newterm(NULL, stdout, stdin);
	if (!ui->screen) {
		snprintf(err, errlen, "cannot use terminal type '%s' (is TERM right?)",
			 getenv("TERM") ? getenv("TERM") : "");
		free(ui);
		return NULL;
	}
	set_term(ui->screen);
	cbreak();		/* keys at once; ^C and ^Z still make signals */
	noecho();
	nonl();
	keypad(stdscr, TRUE);
	nodelay(stdscr, TRUE);
	set_escdelay(25);
	curs_set(0);
	leaveok(stdscr, TRUE);
	setup_attrs(ui);
	cs = nl_langinfo(CODESET);
	ui->utf8 = cs && strcmp(cs, "UTF-8") == 0;
	return ui;
}

void ct_ui_close(struct ct_ui *ui)
{
	if (!ui)
		return;
	curs_set(1);
	endwin();
	delscreen(ui->screen);
	fflush(stdout);
	free(ui);
}

void ct_ui_size(struct ct_ui *ui, int *cols, int *rows)
{
	(void)ui;
	*cols = COLS;
	*rows = LINES;
}

void ct_ui_resize(struct ct_ui *ui)
{
	struct winsize ws;

	(void)ui;
	if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0 && ws.ws_row > 0)
		resizeterm(ws.ws_row, ws.ws_col);
	clear();
}

int ct_ui_has_color(const struct ct_ui *ui)
{
	return ui->color;
}

static void put_glyph(struct ct_ui *ui, uint16_t ch)
{
#ifdef CT_HAVE_NCURSESW
	static const wchar_t spark[CT_G_SPARK_LEVELS] = {
		L'_', 0x2581, 0x2582, 0x2583, 0x2584, 0x2585, 0x2586, 0x2587, 0x2588,
	};

	if (ui->utf8 && ch >= CT_G_SPARK0 && ch < CT_G_SPARK0 + CT_G_SPARK_LEVELS) {
		wchar_t w[2] = { spark[ch - CT_G_SPARK0], 0 };

		addnwstr(w, 1);
		return;
	}
#else
	(void)ui;
#endif
	addch((chtype)(unsigned char)ct_canvas_glyph_ascii(ch));
}

void ct_ui_draw(struct ct_ui *ui, const struct ct_canvas *c)
{
	int rows = ct_canvas_rows(c);

	erase();
	for (int r = 0; r < rows && r < LINES; r++) {
		int cols = c->cols < COLS ? c->cols : COLS;

		move(r, 0);
		for (int i = 0; i < cols; i++) {
			size_t at = (size_t)r * (size_t)c->cols + (size_t)i;

			/* the bottom-right cell scrolls some terminals: leave it */
			if (r == LINES - 1 && i == COLS - 1)
				break;
			attrset(ui->attrs[c->attr[at] < CT_A_COUNT ? c->attr[at] : 0]);
			put_glyph(ui, c->ch[at]);
		}
	}
	attrset(A_NORMAL);
	refresh();
}

enum ct_key ct_ui_key(struct ct_ui *ui)
{
	int k = getch();

	(void)ui;
	switch (k) {
	case ERR:
		return CT_KEY_NONE;
	case 'q': case 'Q':
		return CT_KEY_QUIT;
	case 'p': case 'P': case ' ':
		return CT_KEY_PAUSE;
	case 'h': case 'H': case '?': case KEY_F(1):
		return CT_KEY_HELP;
	case 'z': case 'Z':
		return CT_KEY_ZONE;
	case 'r': case 'R':
		return CT_KEY_RESET;
	case 's': case 'S':
		return CT_KEY_SORT;
	case KEY_UP: case 'k':
		return CT_KEY_UP;
	case KEY_DOWN: case 'j':
		return CT_KEY_DOWN;
	case KEY_PPAGE:
		return CT_KEY_PGUP;
	case KEY_NPAGE:
		return CT_KEY_PGDN;
	case KEY_HOME: case 'g':
		return CT_KEY_HOME;
	case KEY_END: case 'G':
		return CT_KEY_END;
	case '1':
		return CT_KEY_PAGE1;
	case '2':
		return CT_KEY_PAGE2;
	case '3':
		return CT_KEY_PAGE3;
	case '\t':
		return CT_KEY_NEXT_PAGE;
	case KEY_RESIZE:
		return CT_KEY_RESIZE;
	case 12:	/* ^L */
		return CT_KEY_REDRAW;
	default:
		return CT_KEY_OTHER;
	}
}
