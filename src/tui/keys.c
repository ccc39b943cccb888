/* Key tables: dispatch, names for people, the footer, and the handlers that
 * several screens share. */
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "tui/draw.h"
#include "tui/screens.h"
#include "util/util.h"

const char *tui_key_name(int key, char *out)
{
	switch (key) {
	case '\n':
	case '\r':
	case TUI_FN(KEY_ENTER):
		return _("Enter");
	case 27:
		return _("Esc");
	case '\t':
		return _("Tab");
	case ' ':
		return _("Space");
	case TUI_FN(KEY_UP):
		return _("Up");
	case TUI_FN(KEY_DOWN):
		return _("Down");
	case TUI_FN(KEY_LEFT):
		return _("Left");
	case TUI_FN(KEY_RIGHT):
		return _("Right");
	case TUI_FN(KEY_PPAGE):
		return _("PgUp");
	case TUI_FN(KEY_NPAGE):
		return _("PgDn");
	case TUI_FN(KEY_HOME):
		return _("Home");
	case TUI_FN(KEY_END):
		return _("End");
	case TUI_FN(KEY_BTAB):
		return _("Shift-Tab");
	case TUI_FN(KEY_BACKSPACE):
		return _("Backspace");
	case TUI_FN(KEY_DC):
		return _("Delete");
	default:
		break;
	}
	if (key >= TUI_FN(KEY_F(1)) && key <= TUI_FN(KEY_F(12)))
		snprintf(out, 32, "F%d", key - TUI_FN(KEY_F0));
	else if (key > 0 && key < 32)
		snprintf(out, 32, "Ctrl-%c", key + '@');
	else if (key < TUI_KEY_FN)
		snprintf(out, 32, "%lc", (wint_t)key);
	else
		snprintf(out, 32, "?");
	return out;
}

static bool key_matches(const struct tui_key *entry, int key)
{
	for (size_t i = 0; i < 3 && entry->codes[i]; i++) {
		if (entry->codes[i] == key)
			return true;
		/* Enter arrives as \r (nonl), \n or KEY_ENTER depending on the terminal. */
		if (entry->codes[i] == '\n' && (key == '\r' || key == TUI_FN(KEY_ENTER)))
			return true;
	}
	return false;
}

int tui_dispatch_key(struct tui *tui, const struct tui_screen *screen, void *state, int key)
{
	for (size_t i = 0; i < screen->n_keys; i++)
		if (key_matches(&screen->keys[i], key))
			return screen->keys[i].run(tui, state);
	return -1;
}

struct footer_fit {
	int gap;       /* blanks after each label: 1, or 0 when the colours must separate them */
	int cap;       /* the widest a label may be; INT_MAX when none is cut */
};

/* The columns the footer of SCREEN takes with FIT. */
static int footer_width(const struct tui_screen *screen, struct footer_fit fit)
{
	char name[32];
	int total = 0;

	for (size_t i = 0; i < screen->n_keys; i++) {
		int width;

		if (!screen->keys[i].footer)
			continue;
		width = tui_text_width(_(screen->keys[i].footer));
		total += tui_text_width(tui_key_name(screen->keys[i].codes[0], name)) +
			 (width < fit.cap ? width : fit.cap) + fit.gap;
	}
	return total;
}

/* How to fit every footer label of SCREEN in COLS: one blank after each
 * label when there is room, else none (the key's colour starts the next
 * label, as in htop), else the longest labels cut first. A translation with
 * longer words thus keeps every key, F10 included, on 80 columns. A cap of
 * 0 means that even one column per label is too much: labels that do not
 * fit are then left out. */
static struct footer_fit footer_fit(const struct tui_screen *screen)
{
	struct footer_fit fit = { 1, INT_MAX };

	if (footer_width(screen, fit) <= COLS)
		return fit;
	fit.gap = 0;
	if (footer_width(screen, fit) <= COLS)
		return fit;
	for (fit.cap = 32; fit.cap > 0; fit.cap--)
		if (footer_width(screen, fit) <= COLS)
			return fit;
	return (struct footer_fit){ 1, INT_MAX };
}

void tui_draw_footer(struct tui *tui)
{
	const struct tui_screen *screen = tui_top(tui);
	struct footer_fit fit = footer_fit(screen);
	int y = LINES - 1, x = 0;
	char name[32];

	tui->n_footer_hits = 0;
	tui_fill(y, 0, COLS, tui->theme.attr[TUI_FOOTER_LABEL]);
	for (size_t i = 0; i < screen->n_keys; i++) {
		const struct tui_key *entry = &screen->keys[i];
		const char *key_name, *label;
		int key_width, label_width;

		if (!entry->footer)
			continue;
		key_name = tui_key_name(entry->codes[0], name);
		label = _(entry->footer);
		key_width = tui_text_width(key_name);
		label_width = tui_text_width(label);
		if (label_width > fit.cap)
			label_width = fit.cap;
		/* A label that does not fit is left out; help lists every key. */
		if (x + key_width + label_width > COLS)
			continue;

		tui_text(tui, y, x, key_width, key_name, tui->theme.attr[TUI_FOOTER_KEY], TUI_LEFT);
		tui_text(tui, y, x + key_width, label_width, label, tui->theme.attr[TUI_FOOTER_LABEL],
			 TUI_LEFT);
		if (tui->n_footer_hits < TUI_FOOTER_MAX) {
			tui->footer_hits[tui->n_footer_hits].x0 = x;
			tui->footer_hits[tui->n_footer_hits].x1 = x + key_width + label_width + fit.gap;
			tui->footer_hits[tui->n_footer_hits].key = entry->codes[0];
			tui->n_footer_hits++;
		}
		x += key_width + label_width + fit.gap;
	}
}

int tui_footer_click(struct tui *tui, int x)
{
	for (size_t i = 0; i < tui->n_footer_hits; i++)
		if (x >= tui->footer_hits[i].x0 && x < tui->footer_hits[i].x1)
			return tui_dispatch_key(tui, tui_top(tui), tui_top_state(tui),
						tui->footer_hits[i].key);
	return -1;
}

int tui_key_back(struct tui *tui, void *state)
{
	(void)state;
	tui_pop(tui);
	return TUI_REDRAW_SCREEN;
}

int tui_key_help(struct tui *tui, void *state)
{
	(void)state;
	return tui_open_help(tui);
}

int tui_key_quit(struct tui *tui, void *state)
{
	(void)state;
	return tui_request_quit(tui);
}
