/* The login form that opens the interface when ctui.conf has [ldap]: a user
 * id and a hidden password, checked by the engine against the directory.
 * The password lives only in this screen's state, locked in memory when
 * the limit allows, and is wiped after each attempt and when the screen goes
 * away. */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <wchar.h>

#include "ctui/auth.h"
#include "tui/draw.h"
#include "tui/screens.h"
#include "util/util.h"

#define PASSWORD_MAX 256
#define FIELD_WIDTH 32

enum login_field { FIELD_USER, FIELD_PASSWORD };

struct login_state {
	char password[PASSWORD_MAX];       /* wiped after each attempt */
	char user[CTUI_USER_ID_MAX + 1];
	enum login_field focus;
	char problem[CTUI_ERROR_MAX];
};

static void wipe_password(struct login_state *st)
{
	explicit_bzero(st->password, sizeof st->password);
}

static void free_login(void *state)
{
	struct login_state *st = state;

	if (!st)
		return;
	wipe_password(st);
	munlock(st, sizeof *st);
	free(st);
}

static void draw_field(struct tui *tui, int y, int x, const char *label, const char *value,
		       bool active)
{
	tui_text(tui, y, x, 12, label, tui->theme.attr[TUI_DIALOG], TUI_LEFT);
	tui_text(tui, y, x + 12, FIELD_WIDTH, value,
		 tui->theme.attr[active ? TUI_FIELD_ACTIVE : TUI_FIELD], TUI_LEFT);
	if (active) {
		int width = tui_text_width(value);

		tui_show_cursor(tui, y, x + 12 + (width < FIELD_WIDTH ? width : FIELD_WIDTH - 1));
	}
}

static void draw_login(struct tui *tui, void *state)
{
	struct login_state *st = state;
	char stars[FIELD_WIDTH + 1];
	size_t typed = strlen(st->password);
	int height = 9, width = FIELD_WIDTH + 16, y, x;

	/* One star per byte typed, never more than the field shows. */
	memset(stars, '*', sizeof stars);
	stars[typed < FIELD_WIDTH ? typed : FIELD_WIDTH] = '\0';

	tui_text(tui, 0, 0, COLS, _(" ctui: log in with your directory account"),
		 tui->theme.attr[TUI_TITLE], TUI_LEFT);
	tui_center(&height, &width, &y, &x);
	tui_box(tui, y, x, height, width, _("Log in"), tui->theme.attr[TUI_DIALOG],
		tui->theme.attr[TUI_DIALOG_TITLE]);
	draw_field(tui, y + 2, x + 2, _("User id"), st->user, st->focus == FIELD_USER);
	draw_field(tui, y + 4, x + 2, _("Password"), stars, st->focus == FIELD_PASSWORD);
	tui_wrap(tui, y + 6, x + 2, width - 4, 2, st->problem, tui->theme.attr[TUI_FIELD_ERROR]);
}

/* Appends the character KEY to FIELD (SIZE bytes) as UTF-8. */
static int type_char(char *field, size_t size, int key)
{
	char bytes[MB_LEN_MAX];
	mbstate_t mb = { 0 };
	size_t used = strlen(field);
	size_t n = wcrtomb(bytes, (wchar_t)key, &mb);

	if (n == (size_t)-1 || used + n >= size)
		return TUI_REDRAW_NONE;
	memcpy(field + used, bytes, n);
	field[used + n] = '\0';
	return TUI_REDRAW_SCREEN;
}

/* Removes the last character (all of its UTF-8 bytes) of FIELD. */
static int erase_char(char *field)
{
	size_t used = strlen(field);

	while (used > 0 && ((unsigned char)field[used - 1] & 0xc0) == 0x80)
		used--;
	if (used > 0)
		used--;
	explicit_bzero(field + used, strlen(field + used));
	return TUI_REDRAW_SCREEN;
}

/* Replaces the login form, at the bottom of the stack, with the site table. */
static int enter_main(struct tui *tui)
{
	struct ctui_error err = { 0 };

	free_login(tui->stack[0].state);
	tui->depth = 0;
	tui_open_main(tui);
	ctui_auth_identity(tui->engine, &tui->identity);
	if (tui_sites_refresh(&tui->sites, tui->engine, &err) < 0)
		return tui_error(tui, _("Cannot read the sites: %s"), err.message);
	if (tui->identity.admin)
		return tui_info(tui, _("Logged in as %s, an administrator."), tui->identity.user) |
		       TUI_REDRAW_FULL;
	return tui_info(tui, _("Logged in as %s."), tui->identity.user) | TUI_REDRAW_FULL;
}

/* Checks the password; the engine may wait first after failed attempts. */
static int submit(struct tui *tui, struct login_state *st)
{
	struct ctui_error err = { 0 };

	if (!st->user[0]) {
		st->focus = FIELD_USER;
		snprintf(st->problem, sizeof st->problem, "%s", _("Type your user id."));
		return TUI_REDRAW_SCREEN;
	}
	if (ctui_auth_login(tui->engine, st->user, st->password, &err) == 0)
		return enter_main(tui);

	wipe_password(st);
	st->focus = FIELD_PASSWORD;
	snprintf(st->problem, sizeof st->problem, "%s", err.message);
	return TUI_REDRAW_SCREEN;
}

static int login_input(struct tui *tui, void *state, int key)
{
	struct login_state *st = state;
	char *field = st->focus == FIELD_USER ? st->user : st->password;
	size_t size = st->focus == FIELD_USER ? sizeof st->user : sizeof st->password;

	switch (key) {
	case '\t':
	case TUI_FN(KEY_DOWN):
	case TUI_FN(KEY_UP):
	case TUI_FN(KEY_BTAB):
		st->focus = st->focus == FIELD_USER ? FIELD_PASSWORD : FIELD_USER;
		return TUI_REDRAW_SCREEN;
	case '\n':
	case '\r':
	case TUI_FN(KEY_ENTER):
		if (st->focus == FIELD_USER) {
			st->focus = FIELD_PASSWORD;
			return TUI_REDRAW_SCREEN;
		}
		return submit(tui, st);
	case TUI_FN(KEY_BACKSPACE):
	case 127:
	case 8:
		return erase_char(field);
	default:
		break;
	}
	if (key < 32 || key >= TUI_KEY_FN || key == 127)
		return -1;
	return type_char(field, size, key);
}

static int key_switch(struct tui *tui, void *state)
{
	return login_input(tui, state, '\t');
}

static int key_submit(struct tui *tui, void *state)
{
	return submit(tui, state);
}

static const struct tui_key login_keys[] = {
	{ { TUI_FN(KEY_F(1)) }, N_("Help"), N_("Show the keys of this screen"), tui_key_help },
	{ { TUI_FN(KEY_F(10)) }, N_("Quit"), N_("Quit ctui"), tui_key_quit },
	{ { '\t' }, NULL, N_("Move between the user id and the password"), key_switch },
	{ { '\n' }, NULL, N_("Log in"), key_submit },
};

const struct tui_screen tui_screen_login = {
	.title = N_("Log in"),
	.keys = login_keys,
	.n_keys = sizeof login_keys / sizeof login_keys[0],
	.draw = draw_login,
	.input = login_input,
	.free = free_login,
};

void tui_open_login(struct tui *tui)
{
	struct login_state *st = xcalloc(1, sizeof *st);

	/* Best effort: keeps the password out of swap when the limit allows. */
	mlock(st, sizeof *st);
	tui_push(tui, &tui_screen_login, st);
}
