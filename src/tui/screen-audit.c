/* The audit trail, newest first: logins, changes and rejected actions with
 * who did them, on which site, when and with what result. The engine decides what is
 * shown: everything to administrators, their own rows to other users. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ctui/auth.h"
#include "tui/draw.h"
#include "tui/screens.h"
#include "util/util.h"

#define AUDIT_ROWS_MAX 1000

struct audit_state {
	struct ctui_audit_entry *entries;
	size_t count;
	size_t selected;
	size_t top;                        /* first row shown */
	char problem[CTUI_ERROR_MAX];
};

static int load(struct tui *tui, struct audit_state *st)
{
	struct ctui_error err = { 0 };

	free(st->entries);
	st->entries = NULL;
	st->count = 0;
	st->problem[0] = '\0';
	if (ctui_audit_list(tui->engine, AUDIT_ROWS_MAX, &st->entries, &st->count, &err) < 0)
		snprintf(st->problem, sizeof st->problem, "%s", err.message);
	if (st->selected >= st->count)
		st->selected = st->count ? st->count - 1 : 0;
	return TUI_REDRAW_SCREEN;
}

static int body_rows(void)
{
	return LINES - 2 - TUI_BOTTOM_ROWS;
}

static void draw_row(struct tui *tui, int y, const struct ctui_audit_entry *entry, unsigned attr)
{
	char when[32];
	struct tm tm;
	int x = 0;

	localtime_r(&entry->time, &tm);
	strftime(when, sizeof when, "%Y-%m-%d %H:%M:%S", &tm);
	tui_fill(y, 0, COLS, attr);
	tui_text(tui, y, x, 19, when, attr, TUI_LEFT);
	tui_text(tui, y, x += 20, 12, entry->user, attr, TUI_LEFT);
	tui_text(tui, y, x += 13, 16, entry->action, attr, TUI_LEFT);
	tui_text(tui, y, x += 17, 14, entry->site[0] ? entry->site : "-", attr, TUI_LEFT);
	x += 15;
	if (x < COLS)
		tui_text(tui, y, x, COLS - x, entry->result, attr, TUI_LEFT);
}

static void draw_audit(struct tui *tui, void *state)
{
	struct audit_state *st = state;
	unsigned column = tui->theme.attr[TUI_COLUMN];

	tui_text(tui, 0, 0, COLS, _(" Audit trail"), tui->theme.attr[TUI_TITLE], TUI_LEFT);
	tui_fill(1, 0, COLS, column);
	tui_text(tui, 1, 0, 19, _("TIME"), column, TUI_LEFT);
	tui_text(tui, 1, 20, 12, _("USER"), column, TUI_LEFT);
	tui_text(tui, 1, 33, 16, _("ACTION"), column, TUI_LEFT);
	tui_text(tui, 1, 50, 14, _("SITE"), column, TUI_LEFT);
	if (COLS > 65)
		tui_text(tui, 1, 65, COLS - 65, _("RESULT"), column, TUI_LEFT);
	if (st->problem[0]) {
		tui_wrap(tui, 3, 2, COLS - 4, 5, st->problem, tui->theme.attr[TUI_ROW]);
		return;
	}
	if (!st->count) {
		tui_text(tui, 3, 2, COLS - 4, _("Nothing has been recorded yet."),
			 tui->theme.attr[TUI_ROW], TUI_LEFT);
		return;
	}

	if (st->selected < st->top)
		st->top = st->selected;
	if (st->selected >= st->top + (size_t)body_rows())
		st->top = st->selected - (size_t)body_rows() + 1;
	for (int row = 0; row < body_rows() && st->top + (size_t)row < st->count; row++) {
		size_t i = st->top + (size_t)row;

		draw_row(tui, 2 + row, &st->entries[i],
			 tui->theme.attr[i == st->selected ? TUI_ROW_SELECTED : TUI_ROW]);
	}
}

static int key_up(struct tui *tui, void *state)
{
	struct audit_state *st = state;

	(void)tui;
	return tui_list_step(&st->selected, st->count, -1);
}

static int key_down(struct tui *tui, void *state)
{
	struct audit_state *st = state;

	(void)tui;
	return tui_list_step(&st->selected, st->count, 1);
}

static int key_page_down(struct tui *tui, void *state)
{
	struct audit_state *st = state;

	(void)tui;
	st->selected += (size_t)body_rows();
	if (st->selected >= st->count)
		st->selected = st->count ? st->count - 1 : 0;
	return TUI_REDRAW_SCREEN;
}

static int key_page_up(struct tui *tui, void *state)
{
	struct audit_state *st = state;

	(void)tui;
	st->selected = st->selected > (size_t)body_rows() ? st->selected - (size_t)body_rows() : 0;
	return TUI_REDRAW_SCREEN;
}

static int key_reload(struct tui *tui, void *state)
{
	return load(tui, state);
}

static const struct tui_key audit_keys[] = {
	{ { TUI_FN(KEY_F(1)), '?' }, N_("Help"), N_("Show the keys of this screen"), tui_key_help },
	{ { TUI_FN(KEY_F(5)), 'r' }, N_("Reload"), N_("Read the audit trail again"), key_reload },
	{ { 27, 'q' }, N_("Back"), N_("Back to the site list"), tui_key_back },
	{ { TUI_FN(KEY_UP), 'k' }, NULL, N_("Select the previous row"), key_up },
	{ { TUI_FN(KEY_DOWN), 'j' }, NULL, N_("Select the next row"), key_down },
	{ { TUI_FN(KEY_PPAGE) }, NULL, N_("Move the selection up one page"), key_page_up },
	{ { TUI_FN(KEY_NPAGE) }, NULL, N_("Move the selection down one page"), key_page_down },
};

static void free_audit(void *state)
{
	struct audit_state *st = state;

	free(st->entries);
	free(st);
}

const struct tui_screen tui_screen_audit = {
	.title = N_("Audit trail"),
	.keys = audit_keys,
	.n_keys = sizeof audit_keys / sizeof audit_keys[0],
	.draw = draw_audit,
	.free = free_audit,
};

int tui_open_audit(struct tui *tui)
{
	struct audit_state *st = xcalloc(1, sizeof *st);

	load(tui, st);
	tui_push(tui, &tui_screen_audit, st);
	return TUI_REDRAW_SCREEN;
}
