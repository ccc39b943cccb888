/* Two questions: destroying a site, which takes the site's name typed in
 * full, and quitting while work is running. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tui/draw.h"
#include "tui/screens.h"
#include "util/util.h"

enum confirm_kind { CONFIRM_DESTROY, CONFIRM_QUIT };

struct confirm_state {
	enum confirm_kind kind;
	char site[CTUI_NAME_MAX + 1];
	char typed[CTUI_NAME_MAX + 1];
	bool mismatch;                 /* Enter was pressed on a wrong name */
	int y, yes_x, yes_width, no_x, no_width, buttons_y;  /* as last drawn, for clicks */
};

#define DIALOG_WIDTH 60

static void draw_destroy(struct tui *tui, struct confirm_state *st, int y, int x, int width)
{
	unsigned attr = tui->theme.attr[TUI_DIALOG];
	char text[512];
	int rows, field_x;

	snprintf(text, sizeof text,
		 _("This stops %s if it runs, then deletes its files, Apache vhost, DNS record and database row. It cannot be undone."),
		 st->site);
	rows = tui_wrap(tui, y, x, width, 4, text, attr);

	snprintf(text, sizeof text, _("Type %s to confirm:"), st->site);
	tui_text(tui, y + rows + 1, x, width, text, attr, TUI_LEFT);
	field_x = x;
	tui_text(tui, y + rows + 2, field_x, width, st->typed, tui->theme.attr[TUI_FIELD_ACTIVE],
		 TUI_LEFT);
	tui_show_cursor(tui, y + rows + 2, field_x + tui_text_width(st->typed));
	if (st->mismatch)
		tui_text(tui, y + rows + 3, x, width, _("The name does not match."),
			 tui->theme.attr[TUI_FIELD_ERROR], TUI_LEFT);
}

static void draw_quit(struct tui *tui, int y, int x, int width)
{
	char text[512], title[256];
	size_t running = 0;
	const struct tui_job *first = NULL;

	for (size_t i = 0; i < tui->jobs.count; i++) {
		if (tui->jobs.jobs[i]->state != TUI_JOB_RUNNING)
			continue;
		first = first ? first : tui->jobs.jobs[i];
		running++;
	}
	if (running == 1)
		snprintf(text, sizeof text,
			 _("This is still running: %s. It goes on in the background if you quit, and its result is in the log."),
			 tui_job_title(first, title, sizeof title));
	else
		snprintf(text, sizeof text,
			 _("%zu operations are still running. They go on in the background if you quit, and their results are in the log."),
			 running);
	tui_wrap(tui, y, x, width, 5, text, tui->theme.attr[TUI_DIALOG]);
}

static void draw_confirm(struct tui *tui, void *state)
{
	struct confirm_state *st = state;
	int height = 13, width = DIALOG_WIDTH, y, x;
	char title[128];

	tui_center(&height, &width, &y, &x);
	if (st->kind == CONFIRM_DESTROY)
		snprintf(title, sizeof title, _("Destroy site %s"), st->site);
	else
		snprintf(title, sizeof title, "%s", _("Quit ctui?"));
	tui_box(tui, y, x, height, width, title, tui->theme.attr[TUI_DIALOG],
		tui->theme.attr[TUI_DIALOG_TITLE]);

	if (st->kind == CONFIRM_DESTROY)
		draw_destroy(tui, st, y + 2, x + 2, width - 4);
	else
		draw_quit(tui, y + 2, x + 2, width - 4);

	st->buttons_y = y + height - 2;
	st->yes_x = x + 2;
	st->yes_width = tui_button(tui, st->buttons_y, st->yes_x,
				   st->kind == CONFIRM_DESTROY ? _("Destroy") : _("Quit"), false);
	st->no_x = st->yes_x + st->yes_width + 2;
	st->no_width = tui_button(tui, st->buttons_y, st->no_x,
				  st->kind == CONFIRM_DESTROY ? _("Cancel") : _("Stay"), false);
}

static int confirm_destroy(struct tui *tui, struct confirm_state *st)
{
	struct tui_job_request request = { .kind = TUI_JOB_DESTROY };

	if (strcmp(st->typed, st->site)) {
		st->mismatch = true;
		return TUI_REDRAW_SCREEN;
	}
	snprintf(request.name, sizeof request.name, "%s", st->site);
	tui_pop(tui);
	return tui_launch(tui, &request, false, NULL) | TUI_REDRAW_SCREEN;
}

static int key_yes(struct tui *tui, void *state)
{
	struct confirm_state *st = state;

	if (st->kind == CONFIRM_DESTROY)
		return confirm_destroy(tui, st);
	tui->quit = true;
	return TUI_REDRAW_NONE;
}

static int key_no(struct tui *tui, void *state)
{
	struct confirm_state *st = state;

	if (st->kind == CONFIRM_DESTROY)
		tui_info(tui, _("Site %s was not destroyed."), st->site);
	tui_pop(tui);
	return TUI_REDRAW_SCREEN;
}

/* The name field takes every printable key; the quit question takes y and n. */
static int confirm_input(struct tui *tui, void *state, int key)
{
	struct confirm_state *st = state;
	size_t len = strlen(st->typed);

	if (st->kind == CONFIRM_QUIT) {
		if (key == 'y' || key == 'Y')
			return key_yes(tui, st);
		if (key == 'n' || key == 'N')
			return key_no(tui, st);
		return -1;
	}
	if (key == TUI_FN(KEY_BACKSPACE) || key == 127 || key == 8) {
		if (len)
			st->typed[len - 1] = '\0';
	} else if (key > 32 && key < 127) {
		if (len + 1 < sizeof st->typed) {
			st->typed[len] = (char)key;
			st->typed[len + 1] = '\0';
		}
	} else {
		return -1;
	}
	st->mismatch = false;
	return TUI_REDRAW_SCREEN;
}

/* The quit question is moot once nothing runs any more. */
static int confirm_job_done(struct tui *tui, void *state, const struct tui_job *job)
{
	struct confirm_state *st = state;

	if (st->kind != CONFIRM_QUIT)
		return TUI_REDRAW_NONE;
	for (size_t i = 0; i < tui->jobs.count; i++)
		if (tui->jobs.jobs[i] != job && tui->jobs.jobs[i]->state == TUI_JOB_RUNNING)
			return TUI_REDRAW_SCREEN;
	tui_remove(tui, st);
	return TUI_REDRAW_SCREEN;
}

static int confirm_mouse(struct tui *tui, void *state, const MEVENT *event)
{
	struct confirm_state *st = state;

	if (event->y != st->buttons_y || !(event->bstate & (BUTTON1_CLICKED | BUTTON1_PRESSED)))
		return TUI_REDRAW_NONE;
	if (event->x >= st->yes_x && event->x < st->yes_x + st->yes_width)
		return key_yes(tui, st);
	if (event->x >= st->no_x && event->x < st->no_x + st->no_width)
		return key_no(tui, st);
	return TUI_REDRAW_NONE;
}

static const struct tui_key confirm_keys[] = {
	{ { '\n' }, N_("Confirm"), N_("Confirm"), key_yes },
	{ { 27 }, N_("Cancel"), N_("Cancel"), key_no },
};

static void free_confirm(void *state)
{
	free(state);
}

const struct tui_screen tui_screen_confirm = {
	.title = N_("Confirmation"),
	.overlay = true,
	.keys = confirm_keys,
	.n_keys = sizeof confirm_keys / sizeof confirm_keys[0],
	.draw = draw_confirm,
	.input = confirm_input,
	.mouse = confirm_mouse,
	.job_done = confirm_job_done,
	.free = free_confirm,
};

int tui_open_confirm_destroy(struct tui *tui, const char *site)
{
	struct confirm_state *st = xcalloc(1, sizeof *st);

	st->kind = CONFIRM_DESTROY;
	snprintf(st->site, sizeof st->site, "%s", site);
	tui_push(tui, &tui_screen_confirm, st);
	return TUI_REDRAW_SCREEN;
}

int tui_open_confirm_quit(struct tui *tui)
{
	struct confirm_state *st;

	if (tui_top(tui) == &tui_screen_confirm)
		return TUI_REDRAW_NONE;
	st = xcalloc(1, sizeof *st);
	st->kind = CONFIRM_QUIT;
	tui_push(tui, &tui_screen_confirm, st);
	return TUI_REDRAW_SCREEN;
}
