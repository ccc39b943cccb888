/* Colours and attributes of each interface element, read from a theme file
 * (doc/themes.md describes the format). */
#ifndef CTUI_TUI_THEME_H
#define CTUI_TUI_THEME_H

#include <stdbool.h>

#include "ctui/error.h"

enum tui_element {
	TUI_TITLE,
	TUI_HEADER,
	TUI_COLUMN,
	TUI_COLUMN_SORTED,
	TUI_ROW,
	TUI_ROW_SELECTED,
	TUI_STATE_RUNNING,
	TUI_STATE_STOPPED,
	TUI_STATE_BUSY,
	TUI_STATE_CRASHED,
	TUI_GRAPH_CPU,
	TUI_GRAPH_MEMORY,
	TUI_PANEL,
	TUI_STATUS,
	TUI_STATUS_ERROR,
	TUI_FOOTER_KEY,
	TUI_FOOTER_LABEL,
	TUI_DIALOG,
	TUI_DIALOG_TITLE,
	TUI_FIELD,
	TUI_FIELD_ACTIVE,
	TUI_FIELD_ERROR,
	TUI_BUTTON,
	TUI_BUTTON_ACTIVE,
	TUI_PROGRESS,
	TUI_HELP_KEY,
	TUI_ELEMENT_COUNT
};

/* One element as the file gives it: colour numbers (-1 for the terminal's
 * default) and curses attributes (A_BOLD...). */
struct tui_style {
	short foreground, background;
	unsigned attributes;
};

struct tui_theme {
	char name[64];
	struct tui_style styles[TUI_ELEMENT_COUNT];
	bool colour;                          /* false: attributes only */
	unsigned attr[TUI_ELEMENT_COUNT];     /* ready for wattrset(), after tui_theme_apply() */
};

/* Loads the theme SPEC: a path when it contains a '/', otherwise the name of
 * NAME.theme in $CTUI_THEME_DIR or the installed themes directory, with
 * "default" and "mono" built in. NULL means "default". With NO_COLOR set
 * and non-empty, the mono theme is used whatever SPEC names. Errors name
 * the file and line. */
int tui_theme_load(struct tui_theme *theme, const char *spec, struct ctui_error *err);

/* Parses theme TEXT over THEME's current styles; ORIGIN names the text in
 * messages ("FILE:LINE: ..."). */
int tui_theme_parse(struct tui_theme *theme, const char *text, const char *origin,
		    struct ctui_error *err);

/* Sets up the colour pairs once curses runs; without colour support the
 * built-in mono theme replaces THEME. */
void tui_theme_apply(struct tui_theme *theme);

#endif
