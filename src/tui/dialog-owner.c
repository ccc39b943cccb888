/* Giving a site to another user: the new owner's user id, checked by the
 * engine against the directory. Only administrators may; the engine
 * rejects everyone else. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctui/auth.h"
#include "tui/draw.h"
#include "tui/screens.h"
#include "util/util.h"

#define DIALOG_WIDTH 56

struct owner_state {
	char site[CTUI_NAME_MAX + 1];
	char typed[CTUI_USER_ID_MAX + 1];
	char problem[CTUI_ERROR_MAX];
};

static void draw_owner(struct tui *tui, void *state)
{
	struct owner_state *st = state;
	int height = 9, width = DIALOG_WIDTH, y, x;
	char text[256];

	tui_center(&height, &width, &y, &x);
	tui_box(tui, y, x, height, width, _("Owner"), tui->theme.attr[TUI_DIALOG],
		tui->theme.attr[TUI_DIALOG_TITLE]);
	snprintf(text, sizeof text, _("Give site %s to the user id:"), st->site);
	tui_text(tui, y + 2, x + 2, width - 4, text, tui->theme.attr[TUI_DIALOG], TUI_LEFT);
	tui_text(tui, y + 3, x + 2, width - 4, st->typed, tui->theme.attr[TUI_FIELD_ACTIVE],
		 TUI_LEFT);
	tui_show_cursor(tui, y + 3, x + 2 + tui_text_width(st->typed));
	tui_wrap(tui, y + 5, x + 2, width - 4, 3, st->problem, tui->theme.attr[TUI_FIELD_ERROR]);
}

static int submit(struct tui *tui, struct owner_state *st)
{
	struct ctui_error err = { 0 };
	char site[CTUI_NAME_MAX + 1], user[CTUI_USER_ID_MAX + 1];

	if (ctui_site_set_owner(tui->engine, st->site, st->typed, &err) < 0) {
		snprintf(st->problem, sizeof st->problem, "%s", err.message);
		return TUI_REDRAW_SCREEN;
	}
	snprintf(site, sizeof site, "%s", st->site);
	snprintf(user, sizeof user, "%s", st->typed);
	tui_remove(tui, st);
	return tui_info(tui, _("Site %s belongs to %s now."), site, user) | TUI_REDRAW_SCREEN;
}

static int owner_input(struct tui *tui, void *state, int key)
{
	struct owner_state *st = state;
	size_t used = strlen(st->typed);

	switch (key) {
	case '\n':
	case '\r':
	case TUI_FN(KEY_ENTER):
		return submit(tui, st);
	case 27:
		tui_remove(tui, st);
		return TUI_REDRAW_SCREEN;
	case TUI_FN(KEY_BACKSPACE):
	case 127:
	case 8:
		if (used)
			st->typed[used - 1] = '\0';
		return TUI_REDRAW_SCREEN;
	default:
		break;
	}
	/* User ids are typed as ASCII; the engine checks them against the
	 * directory. */
	if (key < 32 || key > 126)
		return -1;
	if (used + 1 < sizeof st->typed) {
		st->typed[used] = (char)key;
		st->typed[used + 1] = '\0';
	}
	return TUI_REDRAW_SCREEN;
}

static int key_give(struct tui *tui, void *state)
{
	return submit(tui, state);
}

static int key_cancel(struct tui *tui, void *state)
{
	tui_remove(tui, state);
	return TUI_REDRAW_SCREEN;
}

static void free_owner(void *state)
{
	free(state);
}

static const struct tui_key owner_keys[] = {
	{ { '\n' }, N_("Give"), N_("Give the site to the typed user id"), key_give },
	{ { 27 }, N_("Cancel"), N_("Close without changing the owner"), key_cancel },
};

const struct tui_screen tui_screen_owner = {
	.title = N_("Owner"),
	.overlay = true,
	.keys = owner_keys,
	.n_keys = sizeof owner_keys / sizeof owner_keys[0],
	.draw = draw_owner,
	.input = owner_input,
	.free = free_owner,
};

int tui_open_owner(struct tui *tui, const char *site)
{
	struct owner_state *st = xcalloc(1, sizeof *st);

	snprintf(st->site, sizeof st->site, "%s", site);
	tui_push(tui, &tui_screen_owner, st);
	return TUI_REDRAW_SCREEN;
}
