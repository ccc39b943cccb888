/* The keys of the screen below, with the keys that work everywhere. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tui/draw.h"
#include "tui/screens.h"
#include "util/util.h"

struct help_state {
	const struct tui_screen *screen;   /* whose keys are listed */
	int top;                           /* first line shown */
};

static const struct tui_key global_keys[] = {
	{ { TUI_FN(KEY_F(1)), '?' }, NULL, N_("Show the keys of the current screen"), NULL },
	{ { TUI_FN(KEY_F(10)) }, NULL, N_("Quit ctui (asks first while work is running)"), NULL },
	{ { TUI_CTRL('l') }, NULL, N_("Redraw the whole terminal"), NULL },
};

/* "F2, c, n": every key of ENTRY. */
static void key_names(const struct tui_key *entry, char *out, size_t size)
{
	char name[32];
	size_t len = 0;

	out[0] = '\0';
	for (size_t i = 0; i < 3 && entry->codes[i]; i++) {
		int n = snprintf(out + len, size - len, "%s%s", i ? ", " : "",
				 tui_key_name(entry->codes[i], name));

		if (n < 0 || (size_t)n >= size - len)
			break;
		len += (size_t)n;
	}
}

static int line_count(const struct help_state *st)
{
	return (int)st->screen->n_keys + 2 + (int)(sizeof global_keys / sizeof global_keys[0]);
}

static int body_rows(void)
{
	return LINES - 1 - TUI_BOTTOM_ROWS;
}

static void draw_entry(struct tui *tui, int y, const struct tui_key *entry)
{
	char names[96];

	key_names(entry, names, sizeof names);
	tui_text(tui, y, 2, 20, names, tui->theme.attr[TUI_HELP_KEY], TUI_LEFT);
	tui_text(tui, y, 23, COLS - 23, _(entry->help), tui->theme.attr[TUI_ROW], TUI_LEFT);
}

static void draw_help(struct tui *tui, void *state)
{
	struct help_state *st = state;
	size_t n_global = sizeof global_keys / sizeof global_keys[0];
	char title[128];
	int y = 1;

	snprintf(title, sizeof title, _(" Help: %s"), _(st->screen->title));
	tui_text(tui, 0, 0, COLS, title, tui->theme.attr[TUI_TITLE], TUI_LEFT);

	for (int line = st->top; line < line_count(st) && y <= body_rows(); line++, y++) {
		if (line < (int)st->screen->n_keys)
			draw_entry(tui, y, &st->screen->keys[line]);
		else if (line == (int)st->screen->n_keys + 1)
			tui_text(tui, y, 2, COLS - 2, _("On every screen:"), tui->theme.attr[TUI_PANEL], TUI_LEFT);
		else if (line > (int)st->screen->n_keys + 1 && (size_t)(line - (int)st->screen->n_keys - 2) < n_global)
			draw_entry(tui, y, &global_keys[line - (int)st->screen->n_keys - 2]);
	}
}

static int scroll_to(struct help_state *st, int top)
{
	int max = line_count(st) - body_rows();

	if (top > max)
		top = max;
	if (top < 0)
		top = 0;
	st->top = top;
	return TUI_REDRAW_SCREEN;
}

static int key_up(struct tui *tui, void *state)
{
	struct help_state *st = state;

	(void)tui;
	return scroll_to(st, st->top - 1);
}

static int key_down(struct tui *tui, void *state)
{
	struct help_state *st = state;

	(void)tui;
	return scroll_to(st, st->top + 1);
}

static int key_page_up(struct tui *tui, void *state)
{
	struct help_state *st = state;

	(void)tui;
	return scroll_to(st, st->top - body_rows());
}

static int key_page_down(struct tui *tui, void *state)
{
	struct help_state *st = state;

	(void)tui;
	return scroll_to(st, st->top + body_rows());
}

static const struct tui_key help_keys[] = {
	{ { 27, 'q', TUI_FN(KEY_F(1)) }, N_("Back"), N_("Close the help"), tui_key_back },
	{ { TUI_FN(KEY_UP), 'k' }, NULL, N_("Scroll up"), key_up },
	{ { TUI_FN(KEY_DOWN), 'j' }, NULL, N_("Scroll down"), key_down },
	{ { TUI_FN(KEY_PPAGE) }, NULL, N_("Scroll up one page"), key_page_up },
	{ { TUI_FN(KEY_NPAGE), ' ' }, NULL, N_("Scroll down one page"), key_page_down },
};

static void free_help(void *state)
{
	free(state);
}

const struct tui_screen tui_screen_help = {
	.title = N_("Help"),
	.keys = help_keys,
	.n_keys = sizeof help_keys / sizeof help_keys[0],
	.draw = draw_help,
	.free = free_help,
};

int tui_open_help(struct tui *tui)
{
	struct help_state *st;

	if (tui_top(tui) == &tui_screen_help)
		return TUI_REDRAW_NONE;
	st = xcalloc(1, sizeof *st);
	st->screen = tui_top(tui);
	tui_push(tui, &tui_screen_help, st);
	return TUI_REDRAW_SCREEN;
}
