/* The create form (ncurses form library): name; domain, prefilled as
 * NAME.ZONE until edited; template, chosen from a menu (menu library); CPU
 * shares; memory limit. Each field is checked when it is left, with the
 * message under it. Submitting runs the engine in a worker with the
 * progress dialog; an error comes back into the form. */
#include <errno.h>
#include <form.h>
#include <menu.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctui/validate.h"
#include "tui/draw.h"
#include "tui/screens.h"
#include "util/util.h"

enum {
	FIELD_NAME,
	FIELD_DOMAIN,
	FIELD_TEMPLATE,
	FIELD_SHARES,
	FIELD_MEMORY,
	FIELD_COUNT,
	FOCUS_CREATE = FIELD_COUNT,   /* the buttons follow the fields in the focus order */
	FOCUS_CANCEL,
	FOCUS_COUNT
};

#define FORM_HEIGHT 18
#define FORM_WIDTH 74
#define CPU_SHARES_MIN 2
#define CPU_SHARES_MAX 262144

static const char *const field_labels[FIELD_COUNT] = {
	N_("Name"), N_("Domain"), N_("Template"), N_("CPU shares"), N_("Memory limit"),
};

struct create_state {
	/* The form and its windows, rebuilt when the terminal size changes. */
	FORM *form;
	FIELD *fields[FIELD_COUNT + 1];
	WINDOW *form_win;
	int lines, cols;                      /* the terminal size they were built for */
	int y, x, height, width, label_width; /* the dialog's place */

	char values[FIELD_COUNT][CTUI_DOMAIN_MAX + 1];  /* kept across rebuilds */
	char messages[FIELD_COUNT][CTUI_ERROR_MAX];
	bool invalid[FIELD_COUNT];
	char error[CTUI_ERROR_MAX];           /* from the engine, after a failed submit */
	char auto_domain[CTUI_DOMAIN_MAX + 1];/* the domain as prefilled, "" once edited */
	int focus;
	/* The cursor's character index in each field. The form is posted anew
	 * at each draw, which puts the cursor at the field's start, so the
	 * position is kept here. */
	int cursor[FIELD_COUNT];

	struct ctui_template_info *templates;
	size_t n_templates;
	MENU *menu;                           /* open while the template is chosen */
	ITEM **items;
	WINDOW *menu_win;

	unsigned job_id;                      /* the create running, 0 when none */
	int create_x, cancel_x, buttons_y;    /* as last drawn, for clicks */
	int template_width;
};

/* Field values. */

static void trim_right(char *s)
{
	size_t len = strlen(s);

	while (len && s[len - 1] == ' ')
		s[--len] = '\0';
}

/* Copies the fields' buffers into VALUES; the form library pads them. */
static void sync_values(struct create_state *st)
{
	if (!st->form)
		return;
	form_driver(st->form, REQ_VALIDATION);
	for (int i = 0; i < FIELD_COUNT; i++) {
		snprintf(st->values[i], sizeof st->values[i], "%s", field_buffer(st->fields[i], 0));
		trim_right(st->values[i]);
		/* Leading blanks are never meant. */
		memmove(st->values[i], st->values[i] + strspn(st->values[i], " "),
			strlen(st->values[i] + strspn(st->values[i], " ")) + 1);
	}
}

static void set_value(struct create_state *st, int field, const char *value)
{
	snprintf(st->values[field], sizeof st->values[field], "%s", value);
	if (st->form)
		set_field_buffer(st->fields[field], 0, value);
}

/* Checks, one per field, filling the message under it. */

static bool site_exists(struct tui *tui, const char *name, bool domain)
{
	for (size_t i = 0; i < tui->sites.count; i++) {
		const struct ctui_site *site = &tui->sites.rows[i].site;

		if (!strcmp(domain ? site->domain : site->name, name))
			return true;
	}
	return false;
}

static const struct ctui_template_info *find_template(struct create_state *st, const char *name)
{
	for (size_t i = 0; i < st->n_templates; i++)
		if (!strcmp(st->templates[i].name, name))
			return &st->templates[i];
	return NULL;
}

static int check_name(struct tui *tui, struct create_state *st, struct ctui_error *err)
{
	const char *name = st->values[FIELD_NAME];

	if (!name[0])
		return ctui_error_set(err, EINVAL, _("Enter a name: a-z, 0-9 and '-'."));
	if (ctui_validate_name(name, err) < 0)
		return -1;
	if (site_exists(tui, name, false))
		return ctui_error_set(err, EEXIST, _("A site named %s already exists."), name);
	return 0;
}

static int check_domain(struct tui *tui, struct create_state *st, struct ctui_error *err)
{
	const char *domain = st->values[FIELD_DOMAIN];

	if (!domain[0])
		return ctui_error_set(err, EINVAL, _("Enter the domain the site answers to."));
	if (ctui_validate_domain(domain, err) < 0)
		return -1;
	if (site_exists(tui, domain, true))
		return ctui_error_set(err, EEXIST, _("Another site already answers to %s."), domain);
	return 0;
}

static int check_template(struct create_state *st, struct ctui_error *err)
{
	const struct ctui_template_info *info = find_template(st, st->values[FIELD_TEMPLATE]);

	if (!st->values[FIELD_TEMPLATE][0])
		return ctui_error_set(err, ENOENT, _("Press Enter to choose a template."));
	if (!info)
		return ctui_error_set(err, ENOENT, _("There is no template %s."),
				      st->values[FIELD_TEMPLATE]);
	if (!info->version[0])
		return ctui_error_set(err, ENOENT,
				      _("Template %s is not built yet: build it on the templates screen (T on the site list)."),
				      info->name);
	return 0;
}

static int check_shares(struct create_state *st, unsigned *shares, struct ctui_error *err)
{
	*shares = 0;
	if (!st->values[FIELD_SHARES][0])
		return 0;
	return ctui_parse_uint(st->values[FIELD_SHARES], CPU_SHARES_MIN, CPU_SHARES_MAX, shares, err);
}

static int check_memory(struct create_state *st, uint64_t *bytes, struct ctui_error *err)
{
	*bytes = 0;
	if (!st->values[FIELD_MEMORY][0])
		return 0;
	return ctui_parse_size(st->values[FIELD_MEMORY], bytes, err);
}

/* The hint shown under a field that has no error. */
static const char *field_hint(struct create_state *st, int field)
{
	const struct ctui_template_info *info;

	switch (field) {
	case FIELD_NAME:
		return _("Letters a-z, digits 0-9 and '-', at most 63 of them.");
	case FIELD_DOMAIN:
		return _("Filled in from the name; change it for a domain of your own.");
	case FIELD_TEMPLATE:
		info = find_template(st, st->values[FIELD_TEMPLATE]);
		return info ? info->description : "";
	case FIELD_SHARES:
		return _("Relative weight, 2 to 262144; empty for the template's default.");
	case FIELD_MEMORY:
		return _("For example 128M or 1G; empty for the template's default.");
	default:
		return "";
	}
}

static bool check_field(struct tui *tui, struct create_state *st, int field)
{
	struct ctui_error err = { 0 };
	uint64_t bytes;
	unsigned shares;
	int ret = 0;

	switch (field) {
	case FIELD_NAME:
		ret = check_name(tui, st, &err);
		break;
	case FIELD_DOMAIN:
		ret = check_domain(tui, st, &err);
		break;
	case FIELD_TEMPLATE:
		ret = check_template(st, &err);
		break;
	case FIELD_SHARES:
		ret = check_shares(st, &shares, &err);
		break;
	case FIELD_MEMORY:
		ret = check_memory(st, &bytes, &err);
		break;
	default:
		return true;
	}
	st->invalid[field] = ret < 0;
	snprintf(st->messages[field], sizeof st->messages[field], "%s", ret < 0 ? err.message : "");
	return ret == 0;
}

/* Leaving the name prefills the domain, unless the domain was edited. */
static void prefill_domain(struct tui *tui, struct create_state *st)
{
	const struct ctui_config *cfg = ctui_engine_config(tui->engine);
	char domain[CTUI_DOMAIN_MAX + 1];

	if (strcmp(st->values[FIELD_DOMAIN], st->auto_domain))
		return;
	if (!st->invalid[FIELD_NAME])
		snprintf(domain, sizeof domain, "%s.%s", st->values[FIELD_NAME], cfg->zone);
	else
		domain[0] = '\0';
	set_value(st, FIELD_DOMAIN, domain);
	snprintf(st->auto_domain, sizeof st->auto_domain, "%s", domain);
	if (st->invalid[FIELD_DOMAIN])
		check_field(tui, st, FIELD_DOMAIN);
}

/* Building the form. */

static void destroy_form(struct create_state *st)
{
	if (st->form) {
		sync_values(st);
		unpost_form(st->form);
		free_form(st->form);
		st->form = NULL;
	}
	for (int i = 0; i < FIELD_COUNT; i++) {
		if (st->fields[i])
			free_field(st->fields[i]);
		st->fields[i] = NULL;
	}
	if (st->form_win)
		delwin(st->form_win);
	st->form_win = NULL;
}

static FIELD *make_field(int row, int col, int width, int max, bool editable)
{
	FIELD *field = new_field(1, width, row, col, 0, 0);

	if (!field)
		return NULL;
	field_opts_off(field, O_AUTOSKIP | O_BLANK);
	if (max > width) {
		field_opts_off(field, O_STATIC);
		set_max_field(field, max);
	}
	if (!editable)
		field_opts_off(field, O_EDIT);
	return field;
}

static int label_width(void)
{
	int width = 0;

	for (int i = 0; i < FIELD_COUNT; i++) {
		int w = tui_text_width(_(field_labels[i]));

		width = w > width ? w : width;
	}
	return width + 2;
}

/* Places the dialog and the form's fields for the current terminal size. */
static bool build_form(struct tui *tui, struct create_state *st)
{
	int inner, field_width;

	st->height = FORM_HEIGHT;
	st->width = FORM_WIDTH;
	tui_center(&st->height, &st->width, &st->y, &st->x);
	st->label_width = label_width();
	inner = st->width - 4 - st->label_width;
	if (inner < 8 || st->height < FORM_HEIGHT)
		return false;

	/* One row per field and one for its message; the window covers the fields' column. */
	st->form_win = derwin(stdscr, FIELD_COUNT * 2, inner, st->y + 2, st->x + 2 + st->label_width);
	if (!st->form_win)
		return false;
	field_width = inner < 40 ? inner : 40;
	st->fields[FIELD_NAME] = make_field(0, 0, field_width < 30 ? field_width : 30, CTUI_NAME_MAX, true);
	st->fields[FIELD_DOMAIN] = make_field(2, 0, inner - 1, CTUI_DOMAIN_MAX, true);
	st->template_width = field_width < 24 ? field_width : 24;
	st->fields[FIELD_TEMPLATE] = make_field(4, 0, st->template_width, 0, false);
	st->fields[FIELD_SHARES] = make_field(6, 0, 10, 10, true);
	st->fields[FIELD_MEMORY] = make_field(8, 0, 10, 16, true);
	st->fields[FIELD_COUNT] = NULL;
	for (int i = 0; i < FIELD_COUNT; i++)
		if (!st->fields[i])
			return false;

	st->form = new_form(st->fields);
	if (!st->form)
		return false;
	set_form_win(st->form, st->form_win);
	set_form_sub(st->form, st->form_win);
	for (int i = 0; i < FIELD_COUNT; i++)
		set_field_buffer(st->fields[i], 0, st->values[i]);
	/* Posted from the start: the form driver ignores keys for an unposted form. */
	post_form(st->form);
	set_current_field(st->form, st->fields[st->focus < FIELD_COUNT ? st->focus : 0]);
	st->lines = LINES;
	st->cols = COLS;
	(void)tui;
	return true;
}

/* The template menu. */

static void close_menu(struct create_state *st)
{
	if (!st->menu)
		return;
	unpost_menu(st->menu);
	free_menu(st->menu);
	for (size_t i = 0; i < st->n_templates; i++)
		free_item(st->items[i]);
	free(st->items);
	delwin(st->menu_win);
	st->menu = NULL;
	st->items = NULL;
	st->menu_win = NULL;
}

static int open_menu(struct tui *tui, struct create_state *st)
{
	int rows = (int)st->n_templates, width = st->width - 5;

	if (!st->n_templates)
		return tui_error(tui, _("No template is defined: add one to the template directory."));
	if (rows > st->height - 6)
		rows = st->height - 6;

	st->items = xcalloc(st->n_templates + 1, sizeof *st->items);
	for (size_t i = 0; i < st->n_templates; i++)
		st->items[i] = new_item(st->templates[i].name, st->templates[i].version[0] ?
						st->templates[i].description : _("(not built)"));
	st->menu = new_menu(st->items);
	st->menu_win = derwin(stdscr, rows, width, st->y + 7, st->x + 2);
	if (!st->menu || !st->menu_win) {
		close_menu(st);
		return tui_error(tui, _("Cannot open the template menu on a terminal this small."));
	}
	set_menu_win(st->menu, st->menu_win);
	set_menu_sub(st->menu, st->menu_win);
	set_menu_format(st->menu, rows, 1);
	set_menu_mark(st->menu, "> ");
	for (size_t i = 0; i < st->n_templates; i++)
		if (!strcmp(st->templates[i].name, st->values[FIELD_TEMPLATE]))
			set_current_item(st->menu, st->items[i]);
	return TUI_REDRAW_SCREEN;
}

static int menu_input(struct tui *tui, struct create_state *st, int key)
{
	switch (key) {
	case TUI_FN(KEY_UP):
	case 'k':
		menu_driver(st->menu, REQ_UP_ITEM);
		break;
	case TUI_FN(KEY_DOWN):
	case 'j':
		menu_driver(st->menu, REQ_DOWN_ITEM);
		break;
	case '\n':
	case '\r':
	case ' ':
	case TUI_FN(KEY_ENTER):
		set_value(st, FIELD_TEMPLATE, item_name(current_item(st->menu)));
		close_menu(st);
		check_field(tui, st, FIELD_TEMPLATE);
		break;
	case 27:
		close_menu(st);
		break;
	default:
		break;
	}
	return TUI_REDRAW_SCREEN;
}

/* Drawing. */

static void draw_fields(struct tui *tui, struct create_state *st)
{
	int label_x = st->x + 2, field_x = st->x + 2 + st->label_width, message_x = st->x + 5;

	for (int i = 0; i < FIELD_COUNT; i++)
		set_field_back(st->fields[i], tui->theme.attr[i == st->focus ? TUI_FIELD_ACTIVE : TUI_FIELD]);
	unpost_form(st->form);
	post_form(st->form);
	if (st->focus < FIELD_COUNT) {
		set_current_field(st->form, st->fields[st->focus]);
		form_driver(st->form, REQ_BEG_FIELD);
		for (int i = 0; i < st->cursor[st->focus]; i++)
			form_driver(st->form, REQ_NEXT_CHAR);
	}

	for (int i = 0; i < FIELD_COUNT; i++) {
		int y = st->y + 2 + 2 * i;
		const char *message = st->invalid[i] ? st->messages[i] : field_hint(st, i);

		tui_text(tui, y, label_x, st->label_width, _(field_labels[i]),
			 tui->theme.attr[TUI_DIALOG], TUI_LEFT);
		tui_text(tui, y + 1, message_x, st->width - 7, message,
			 tui->theme.attr[st->invalid[i] ? TUI_FIELD_ERROR : TUI_DIALOG], TUI_LEFT);
	}
	/* The template field reads like a drop-down list. */
	tui_text(tui, st->y + 2 + 2 * FIELD_TEMPLATE, field_x + st->template_width, 2,
		 tui->utf8 ? " \u25be" : " v", tui->theme.attr[TUI_DIALOG], TUI_LEFT);
}

static void draw_buttons(struct tui *tui, struct create_state *st)
{
	st->buttons_y = st->y + st->height - 2;
	st->create_x = st->x + 2;
	st->cancel_x = st->create_x + tui_button(tui, st->buttons_y, st->create_x, _("Create"),
						 st->focus == FOCUS_CREATE) + 2;
	tui_button(tui, st->buttons_y, st->cancel_x, _("Cancel"), st->focus == FOCUS_CANCEL);
}

static void draw_create(struct tui *tui, void *state)
{
	struct create_state *st = state;

	if (st->form && (st->lines != LINES || st->cols != COLS)) {
		close_menu(st);
		destroy_form(st);
	}
	if (!st->form && !build_form(tui, st)) {
		tui_text(tui, 0, 0, COLS, _("The terminal is too small for the create form."),
			 tui->theme.attr[TUI_STATUS_ERROR], TUI_LEFT);
		return;
	}

	tui_box(tui, st->y, st->x, st->height, st->width, _("Create a site"),
		tui->theme.attr[TUI_DIALOG], tui->theme.attr[TUI_DIALOG_TITLE]);
	draw_fields(tui, st);
	tui_wrap(tui, st->y + 2 + 2 * FIELD_COUNT, st->x + 2, st->width - 4, 3, st->error,
		 tui->theme.attr[TUI_FIELD_ERROR]);
	draw_buttons(tui, st);

	if (st->menu) {
		unpost_menu(st->menu);
		set_menu_fore(st->menu, tui->theme.attr[TUI_FIELD_ACTIVE]);
		set_menu_back(st->menu, tui->theme.attr[TUI_DIALOG]);
		/* The menu paints only its items: clear the form's text under the
		 * rest of its window. */
		wbkgdset(st->menu_win, (chtype)' ' | (chtype)tui->theme.attr[TUI_DIALOG]);
		werase(st->menu_win);
		post_menu(st->menu);
		return;
	}
	if (st->focus < FIELD_COUNT && st->focus != FIELD_TEMPLATE) {
		pos_form_cursor(st->form);
		tui_show_cursor(tui, getbegy(st->form_win) + getcury(st->form_win),
				getbegx(st->form_win) + getcurx(st->form_win));
	}
}

/* Moves the kept cursor of FIELD the way REQUEST moved the form's. */
static void track_cursor(struct create_state *st, int field, int request)
{
	int len = (int)mbstowcs(NULL, st->values[field], 0);
	int *cursor = &st->cursor[field];

	switch (request) {
	case REQ_LEFT_CHAR:
	case REQ_DEL_PREV:
		*cursor -= 1;
		break;
	case REQ_RIGHT_CHAR:
	case OK:
		*cursor += 1;
		break;
	case REQ_BEG_FIELD:
		*cursor = 0;
		break;
	case REQ_END_FIELD:
		*cursor = len;
		break;
	default:
		break;
	}
	if (*cursor > len)
		*cursor = len;
	if (*cursor < 0)
		*cursor = 0;
}

/* Moving between fields: leaving a field checks it. */

static int move_focus(struct tui *tui, struct create_state *st, int to)
{
	sync_values(st);
	if (st->focus < FIELD_COUNT) {
		check_field(tui, st, st->focus);
		if (st->focus == FIELD_NAME)
			prefill_domain(tui, st);
		if (st->focus == FIELD_DOMAIN && strcmp(st->values[FIELD_DOMAIN], st->auto_domain))
			st->auto_domain[0] = '\0';
	}
	st->focus = (to + FOCUS_COUNT) % FOCUS_COUNT;
	if (st->focus < FIELD_COUNT && st->form) {
		set_current_field(st->form, st->fields[st->focus]);
		form_driver(st->form, REQ_END_FIELD);
		track_cursor(st, st->focus, REQ_END_FIELD);
	}
	return TUI_REDRAW_SCREEN;
}

static int submit(struct tui *tui, struct create_state *st)
{
	struct tui_job_request request = { .kind = TUI_JOB_CREATE };
	struct ctui_error err = { 0 };
	int first_invalid = -1;

	sync_values(st);
	/* The name may not have been left yet: fill the domain in from it first. */
	check_field(tui, st, FIELD_NAME);
	prefill_domain(tui, st);
	for (int i = 0; i < FIELD_COUNT; i++)
		if (!check_field(tui, st, i) && first_invalid < 0)
			first_invalid = i;
	if (first_invalid >= 0) {
		snprintf(st->error, sizeof st->error, "%s", _("Correct the fields marked above, then submit again."));
		st->focus = first_invalid;
		set_current_field(st->form, st->fields[first_invalid]);
		return TUI_REDRAW_SCREEN;
	}

	snprintf(request.name, sizeof request.name, "%s", st->values[FIELD_NAME]);
	snprintf(request.domain, sizeof request.domain, "%s", st->values[FIELD_DOMAIN]);
	snprintf(request.template_name, sizeof request.template_name, "%s", st->values[FIELD_TEMPLATE]);
	/* Both were checked above. */
	check_shares(st, &request.limits.cpu_shares, &err);
	check_memory(st, &request.limits.memory, &err);
	st->error[0] = '\0';
	return tui_launch(tui, &request, true, &st->job_id);
}

static int activate(struct tui *tui, struct create_state *st)
{
	switch (st->focus) {
	case FIELD_TEMPLATE:
		return open_menu(tui, st);
	case FOCUS_CREATE:
		return submit(tui, st);
	case FOCUS_CANCEL:
		tui_remove(tui, st);
		return TUI_REDRAW_SCREEN;
	case FIELD_MEMORY:
		return move_focus(tui, st, FOCUS_CREATE);
	default:
		return move_focus(tui, st, st->focus + 1);
	}
}

static int edit_key(struct create_state *st, int key)
{
	int request;

	switch (key) {
	case TUI_FN(KEY_LEFT):
		request = REQ_LEFT_CHAR;
		break;
	case TUI_FN(KEY_RIGHT):
		request = REQ_RIGHT_CHAR;
		break;
	case TUI_FN(KEY_HOME):
		request = REQ_BEG_FIELD;
		break;
	case TUI_FN(KEY_END):
		request = REQ_END_FIELD;
		break;
	case TUI_FN(KEY_BACKSPACE):
	case 127:
	case 8:
		request = REQ_DEL_PREV;
		break;
	case TUI_FN(KEY_DC):
		request = REQ_DEL_CHAR;
		break;
	default:
		if (key < 32 || key >= TUI_KEY_FN)
			return -1;
		request = OK;
		break;
	}
	if (current_field(st->form) != st->fields[st->focus])
		set_current_field(st->form, st->fields[st->focus]);
	if (request == OK)
		form_driver_w(st->form, OK, (wchar_t)key);
	else
		form_driver(st->form, request);
	sync_values(st);
	track_cursor(st, st->focus, request);
	return TUI_REDRAW_SCREEN;
}

/* Every key goes through here first: the form takes text, the menu takes
 * its keys while open; F1 and F10 pass on to the core. */
static int create_input(struct tui *tui, void *state, int key)
{
	struct create_state *st = state;

	if (!st->form)
		return -1;
	if (st->menu)
		return menu_input(tui, st, key);

	switch (key) {
	case '\t':
	case TUI_FN(KEY_DOWN):
		return move_focus(tui, st, st->focus + 1);
	case TUI_FN(KEY_BTAB):
	case TUI_FN(KEY_UP):
		return move_focus(tui, st, st->focus - 1);
	case '\n':
	case '\r':
	case TUI_FN(KEY_ENTER):
		return activate(tui, st);
	case 27:
		tui_remove(tui, st);
		return TUI_REDRAW_SCREEN;
	case TUI_FN(KEY_F(2)):
		return submit(tui, st);
	case ' ':
		if (st->focus == FIELD_TEMPLATE || st->focus >= FIELD_COUNT)
			return activate(tui, st);
		break;
	case TUI_FN(KEY_LEFT):
	case TUI_FN(KEY_RIGHT):
		if (st->focus >= FIELD_COUNT)
			return move_focus(tui, st, st->focus == FOCUS_CREATE ? FOCUS_CANCEL : FOCUS_CREATE);
		break;
	default:
		break;
	}
	if (st->focus >= FIELD_COUNT || st->focus == FIELD_TEMPLATE)
		return -1;
	return edit_key(st, key);
}

static int create_mouse(struct tui *tui, void *state, const MEVENT *event)
{
	struct create_state *st = state;
	int field = (event->y - st->y - 2) / 2;

	if (!st->form || st->menu || !(event->bstate & (BUTTON1_CLICKED | BUTTON1_PRESSED)))
		return TUI_REDRAW_NONE;
	if (event->y == st->buttons_y) {
		if (event->x >= st->create_x && event->x < st->cancel_x - 2) {
			st->focus = FOCUS_CREATE;
			return submit(tui, st);
		}
		if (event->x >= st->cancel_x) {
			tui_remove(tui, st);
			return TUI_REDRAW_SCREEN;
		}
		return TUI_REDRAW_NONE;
	}
	if (event->y < st->y + 2 || (event->y - st->y - 2) % 2 || field >= FIELD_COUNT)
		return TUI_REDRAW_NONE;
	move_focus(tui, st, field);
	return field == FIELD_TEMPLATE ? open_menu(tui, st) : TUI_REDRAW_SCREEN;
}

static int create_job_done(struct tui *tui, void *state, const struct tui_job *job)
{
	struct create_state *st = state;

	if (job->id != st->job_id)
		return TUI_REDRAW_NONE;
	st->job_id = 0;
	if (job->state == TUI_JOB_SUCCEEDED) {
		tui_main_select(tui, job->request.name);
		tui_remove(tui, st);
		return TUI_REDRAW_SCREEN;
	}
	snprintf(st->error, sizeof st->error, "%s", job->error.message);
	return TUI_REDRAW_SCREEN;
}

/* The key table serves the footer, mouse clicks on it and the help screen;
 * typed keys reach create_input() first. */
static int key_submit(struct tui *tui, void *state)
{
	return submit(tui, state);
}

static int key_next(struct tui *tui, void *state)
{
	struct create_state *st = state;

	return move_focus(tui, st, st->focus + 1);
}

static int key_previous(struct tui *tui, void *state)
{
	struct create_state *st = state;

	return move_focus(tui, st, st->focus - 1);
}

static int key_activate(struct tui *tui, void *state)
{
	return activate(tui, state);
}

static int key_cancel(struct tui *tui, void *state)
{
	tui_remove(tui, state);
	return TUI_REDRAW_SCREEN;
}

static const struct tui_key create_keys[] = {
	{ { TUI_FN(KEY_F(1)) }, N_("Help"), N_("Show the keys of this form"), tui_key_help },
	{ { TUI_FN(KEY_F(2)) }, N_("Create"), N_("Check every field and create the site"), key_submit },
	{ { '\t', TUI_FN(KEY_DOWN) }, N_("Next"), N_("Check this field and go to the next one"), key_next },
	{ { 27 }, N_("Cancel"), N_("Close the form without creating anything"), key_cancel },
	{ { TUI_FN(KEY_BTAB), TUI_FN(KEY_UP) }, NULL, N_("Check this field and go to the previous one"),
	  key_previous },
	{ { '\n', ' ' }, NULL, N_("Open the template menu, or press the focused button"), key_activate },
};

static void free_create(void *state)
{
	struct create_state *st = state;

	close_menu(st);
	destroy_form(st);
	free(st->templates);
	free(st);
}

const struct tui_screen tui_screen_create = {
	.title = N_("Create a site"),
	.overlay = true,
	.keys = create_keys,
	.n_keys = sizeof create_keys / sizeof create_keys[0],
	.draw = draw_create,
	.input = create_input,
	.mouse = create_mouse,
	.job_done = create_job_done,
	.free = free_create,
};

int tui_open_create(struct tui *tui)
{
	struct create_state *st = xcalloc(1, sizeof *st);
	struct ctui_error err = { 0 };

	if (ctui_template_list(tui->engine, &st->templates, &st->n_templates, &err) < 0)
		tui_error(tui, _("Cannot list the templates: %s"), err.message);
	/* The first built template is the likely choice. */
	for (size_t i = 0; i < st->n_templates; i++) {
		if (st->templates[i].version[0]) {
			set_value(st, FIELD_TEMPLATE, st->templates[i].name);
			break;
		}
	}
	/* Built now, so that keys typed before the first draw reach the form. */
	build_form(tui, st);
	tui_push(tui, &tui_screen_create, st);
	return TUI_REDRAW_SCREEN;
}
