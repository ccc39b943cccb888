/* Theme files: one "element = foreground background [attribute...]" line per
 * interface element. doc/themes.md is the reference. */
#include "tui/theme.h"

#include <curses.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util/util.h"

static const char *const element_names[TUI_ELEMENT_COUNT] = {
	[TUI_TITLE] = "title",
	[TUI_HEADER] = "header",
	[TUI_COLUMN] = "column",
	[TUI_COLUMN_SORTED] = "column_sorted",
	[TUI_ROW] = "row",
	[TUI_ROW_SELECTED] = "row_selected",
	[TUI_STATE_RUNNING] = "state_running",
	[TUI_STATE_STOPPED] = "state_stopped",
	[TUI_STATE_BUSY] = "state_busy",
	[TUI_STATE_CRASHED] = "state_crashed",
	[TUI_GRAPH_CPU] = "graph_cpu",
	[TUI_GRAPH_MEMORY] = "graph_memory",
	[TUI_PANEL] = "panel",
	[TUI_STATUS] = "status",
	[TUI_STATUS_ERROR] = "status_error",
	[TUI_FOOTER_KEY] = "footer_key",
	[TUI_FOOTER_LABEL] = "footer_label",
	[TUI_DIALOG] = "dialog",
	[TUI_DIALOG_TITLE] = "dialog_title",
	[TUI_FIELD] = "field",
	[TUI_FIELD_ACTIVE] = "field_active",
	[TUI_FIELD_ERROR] = "field_error",
	[TUI_BUTTON] = "button",
	[TUI_BUTTON_ACTIVE] = "button_active",
	[TUI_PROGRESS] = "progress",
	[TUI_HELP_KEY] = "help_key",
};

static const char *const colour_names[] = {
	"black", "red", "green", "yellow", "blue", "magenta", "cyan", "white",
};

static const struct {
	const char *name;
	unsigned attribute;
} attribute_names[] = {
	{ "normal", A_NORMAL },
	{ "bold", A_BOLD },
	{ "dim", A_DIM },
	{ "underline", A_UNDERLINE },
	{ "reverse", A_REVERSE },
	{ "standout", A_STANDOUT },
	{ "blink", A_BLINK },
	{ "italic", A_ITALIC },
};

/* Copies of themes/default.theme and themes/mono.theme, so that ctui runs
 * before its themes are installed; tests/system/tui-theme checks that the
 * files draw the same screens. */
static const char builtin_default[] =
	"# ctui default theme: colour accents on the terminal's own background, for\n"
	"# light and dark terminals alike. doc/themes.md describes the format.\n"
	"# element         foreground  background  attributes\n"
	"title           = black       cyan\n"
	"header          = default     default\n"
	"column          = black       green\n"
	"column_sorted   = black       cyan        bold\n"
	"row             = default     default\n"
	"row_selected    = black       cyan\n"
	"state_running   = green       default     bold\n"
	"state_stopped   = default     default\n"
	"state_busy      = yellow      default     bold\n"
	"state_crashed   = red         default     bold\n"
	"graph_cpu       = green       default\n"
	"graph_memory    = magenta     default\n"
	"panel           = cyan        default\n"
	"status          = default     default\n"
	"status_error    = white       red         bold\n"
	"footer_key      = default     default     bold\n"
	"footer_label    = black       cyan\n"
	"dialog          = black       white\n"
	"dialog_title    = white       blue        bold\n"
	"field           = black       cyan\n"
	"field_active    = white       blue        bold\n"
	"field_error     = red         white       bold\n"
	"button          = black       white\n"
	"button_active   = white       blue        bold\n"
	"progress        = black       green\n"
	"help_key        = blue        default     bold\n";

static const char builtin_mono[] =
	"# ctui monochrome theme: attributes only (reverse, bold, underline), for\n"
	"# terminals without colour and for high contrast. ctui uses it whenever\n"
	"# NO_COLOR is set. doc/themes.md describes the format.\n"
	"# element         foreground  background  attributes\n"
	"title           = default     default     reverse bold\n"
	"header          = default     default\n"
	"column          = default     default     bold underline\n"
	"column_sorted   = default     default     reverse bold\n"
	"row             = default     default\n"
	"row_selected    = default     default     reverse\n"
	"state_running   = default     default     bold\n"
	"state_stopped   = default     default\n"
	"state_busy      = default     default     underline\n"
	"state_crashed   = default     default     bold underline\n"
	"graph_cpu       = default     default\n"
	"graph_memory    = default     default\n"
	"panel           = default     default     bold\n"
	"status          = default     default\n"
	"status_error    = default     default     reverse bold\n"
	"footer_key      = default     default     bold\n"
	"footer_label    = default     default     reverse\n"
	"dialog          = default     default\n"
	"dialog_title    = default     default     reverse bold\n"
	"field           = default     default     underline\n"
	"field_active    = default     default     reverse\n"
	"field_error     = default     default     bold\n"
	"button          = default     default\n"
	"button_active   = default     default     reverse bold\n"
	"progress        = default     default     reverse\n"
	"help_key        = default     default     bold\n";

/* Parses "default", a colour name, "bright-NAME" or "colorN" (0..255). */
static int parse_colour(const char *word, short *colour)
{
	char *end;
	long n;

	if (!strcmp(word, "default")) {
		*colour = -1;
		return 0;
	}
	for (short i = 0; i < 8; i++) {
		if (!strcmp(word, colour_names[i])) {
			*colour = i;
			return 0;
		}
		if (!strncmp(word, "bright-", 7) && !strcmp(word + 7, colour_names[i])) {
			*colour = (short)(i + 8);
			return 0;
		}
	}
	if (strncmp(word, "color", 5) || !word[5])
		return -1;
	errno = 0;
	n = strtol(word + 5, &end, 10);
	if (errno || *end || n < 0 || n > 255)
		return -1;
	*colour = (short)n;
	return 0;
}

static int parse_attribute(const char *word, unsigned *attributes)
{
	for (size_t i = 0; i < sizeof attribute_names / sizeof attribute_names[0]; i++) {
		if (!strcmp(word, attribute_names[i].name)) {
			*attributes |= attribute_names[i].attribute;
			return 0;
		}
	}
	return -1;
}

static int find_element(const char *name)
{
	for (int i = 0; i < TUI_ELEMENT_COUNT; i++)
		if (!strcmp(name, element_names[i]))
			return i;
	return -1;
}

static char *trim(char *s)
{
	char *end;

	while (*s == ' ' || *s == '\t')
		s++;
	end = s + strlen(s);
	while (end > s && (end[-1] == ' ' || end[-1] == '\t' || end[-1] == '\r'))
		*--end = '\0';
	return s;
}

/* Parses the value of one element line: "FOREGROUND BACKGROUND [ATTRIBUTE...]". */
static int parse_style(char *value, struct tui_style *style, const char *origin, int line,
		       struct ctui_error *err)
{
	char *save = NULL;
	char *word = strtok_r(value, " \t", &save);
	int n = 0;

	*style = (struct tui_style){ .foreground = -1, .background = -1 };
	for (; word; word = strtok_r(NULL, " \t", &save), n++) {
		if (n == 0 && parse_colour(word, &style->foreground) == 0)
			continue;
		if (n == 1 && parse_colour(word, &style->background) == 0)
			continue;
		if (n >= 2 && parse_attribute(word, &style->attributes) == 0)
			continue;
		if (n < 2)
			return ctui_error_set(err, EINVAL,
					      _("%s:%d: unknown colour \"%s\"; use default, black, red, green, yellow, blue, magenta, cyan, white, bright-NAME or colorN (0 to 255)"),
					      origin, line, word);
		return ctui_error_set(err, EINVAL,
				      _("%s:%d: unknown attribute \"%s\"; use normal, bold, dim, underline, reverse, standout, blink or italic"),
				      origin, line, word);
	}
	if (n < 2)
		return ctui_error_set(err, EINVAL,
				      _("%s:%d: expected a foreground and a background colour, then attributes"),
				      origin, line);
	return 0;
}

static int parse_line(struct tui_theme *theme, char *text, const char *origin, int line,
		      struct ctui_error *err)
{
	char *equals = strchr(text, '=');
	char *key, *value;
	int element;

	if (!equals)
		return ctui_error_set(err, EINVAL, _("%s:%d: expected \"element = foreground background [attributes]\""),
				      origin, line);
	*equals = '\0';
	key = trim(text);
	value = trim(equals + 1);

	if (!strcmp(key, "name")) {
		snprintf(theme->name, sizeof theme->name, "%s", value);
		return 0;
	}
	element = find_element(key);
	if (element < 0)
		return ctui_error_set(err, EINVAL, _("%s:%d: unknown element \"%s\"; doc/themes.md lists the elements"),
				      origin, line, key);
	return parse_style(value, &theme->styles[element], origin, line, err);
}

int tui_theme_parse(struct tui_theme *theme, const char *text, const char *origin,
		    struct ctui_error *err)
{
	cleanup_free char *copy = xstrdup(text);
	int line = 0;

	for (char *start = copy; start; line++) {
		char *end = strchr(start, '\n');
		char *content;

		if (end)
			*end = '\0';
		content = trim(start);
		if (*content && *content != '#' && parse_line(theme, content, origin, line + 1, err) < 0)
			return -1;
		start = end ? end + 1 : NULL;
	}
	return 0;
}

#define THEME_FILE_MAX 65536

static int load_file(struct tui_theme *theme, const char *path, struct ctui_error *err)
{
	cleanup_fclose FILE *file = fopen(path, "re");
	cleanup_free char *text = xmalloc(THEME_FILE_MAX + 1);
	size_t len;

	if (!file)
		return ctui_error_errno(err, errno, _("cannot open theme file %s"), path);
	len = fread(text, 1, THEME_FILE_MAX + 1, file);
	if (ferror(file))
		return ctui_error_errno(err, errno, _("cannot read theme file %s"), path);
	if (len > THEME_FILE_MAX)
		return ctui_error_set(err, EFBIG, _("theme file %s is larger than %d bytes"), path,
				      THEME_FILE_MAX);
	text[len] = '\0';
	return tui_theme_parse(theme, text, path, err);
}

static void load_builtin(struct tui_theme *theme, const char *text, const char *name)
{
	struct ctui_error ignored = { 0 };

	tui_theme_parse(theme, text, name, &ignored);
	snprintf(theme->name, sizeof theme->name, "%s", name);
}

/* Looks NAME.theme up in $CTUI_THEME_DIR, then in the installed themes. */
static char *find_theme_file(const char *name)
{
	const char *dirs[] = { getenv("CTUI_THEME_DIR"), CTUI_DATADIR "/themes" };

	for (size_t i = 0; i < sizeof dirs / sizeof dirs[0]; i++) {
		char *path;

		if (!dirs[i] || !*dirs[i])
			continue;
		path = xasprintf("%s/%s.theme", dirs[i], name);
		if (access(path, R_OK) == 0)
			return path;
		free(path);
	}
	return NULL;
}

int tui_theme_load(struct tui_theme *theme, const char *spec, struct ctui_error *err)
{
	const char *no_colour = getenv("NO_COLOR");
	cleanup_free char *path = NULL;

	memset(theme, 0, sizeof *theme);
	load_builtin(theme, builtin_default, "default");
	theme->colour = true;
	if (no_colour && *no_colour) {
		load_builtin(theme, builtin_mono, "mono");
		theme->colour = false;
		return 0;
	}
	if (!spec)
		spec = "default";

	if (strchr(spec, '/'))
		return load_file(theme, spec, err);
	if (!strcmp(spec, "mono"))
		theme->colour = false;
	path = find_theme_file(spec);
	if (path)
		return load_file(theme, path, err);
	if (!strcmp(spec, "default"))
		return 0;
	if (!strcmp(spec, "mono")) {
		load_builtin(theme, builtin_mono, "mono");
		return 0;
	}
	if (getenv("CTUI_THEME_DIR") && *getenv("CTUI_THEME_DIR"))
		return ctui_error_set(err, ENOENT,
				      _("theme \"%s\" not found in %s nor in %s/themes; give a theme name that is installed, or a file path"),
				      spec, getenv("CTUI_THEME_DIR"), CTUI_DATADIR);
	return ctui_error_set(err, ENOENT,
			      _("theme \"%s\" not found in %s/themes; give a theme name that is installed, or a file path"),
			      spec, CTUI_DATADIR);
}

/* A colour the terminal lacks: bright colours become their dark twin, the
 * rest the terminal's default. */
static short usable_colour(short colour, unsigned *attributes)
{
	if (colour < COLORS)
		return colour;
	if (colour >= 8 && colour < 16) {
		*attributes |= A_BOLD;
		return (short)(colour - 8);
	}
	return -1;
}

void tui_theme_apply(struct tui_theme *theme)
{
	if (theme->colour && (!has_colors() || start_color() == ERR || COLORS < 8)) {
		load_builtin(theme, builtin_mono, "mono");
		theme->colour = false;
	}
	if (theme->colour)
		use_default_colors();

	for (int i = 0; i < TUI_ELEMENT_COUNT; i++) {
		struct tui_style *style = &theme->styles[i];
		unsigned attributes = style->attributes;
		short fg, bg;

		if (!theme->colour) {
			theme->attr[i] = attributes;
			continue;
		}
		fg = usable_colour(style->foreground, &attributes);
		bg = usable_colour(style->background, &attributes);
		init_pair((short)(i + 1), fg, bg);
		theme->attr[i] = attributes | (unsigned)COLOR_PAIR(i + 1);
	}
}
