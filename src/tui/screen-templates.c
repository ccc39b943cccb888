/* The templates: their build state and age, and building or rebuilding one
 * with a progress bar fed by debootstrap's output. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "tui/draw.h"
#include "tui/screens.h"
#include "util/util.h"

struct templates_state {
	struct ctui_template_info *templates;
	size_t count;
	size_t selected;
	char problem[CTUI_ERROR_MAX];
};

static int load(struct tui *tui, struct templates_state *st)
{
	struct ctui_error err = { 0 };

	free(st->templates);
	st->templates = NULL;
	st->count = 0;
	st->problem[0] = '\0';
	if (ctui_template_list(tui->engine, &st->templates, &st->count, &err) < 0)
		snprintf(st->problem, sizeof st->problem, "%s", err.message);
	if (st->selected >= st->count)
		st->selected = st->count ? st->count - 1 : 0;
	return TUI_REDRAW_SCREEN;
}

/* "never built", "12 minutes", "5 hours", "3 days". */
static const char *format_age(time_t built, char *out, size_t size)
{
	long long age = built ? (long long)(time(NULL) - built) : -1;

	if (age < 0)
		snprintf(out, size, "%s", _("never built"));
	else if (age < 3600)
		snprintf(out, size, ngettext("%lld minute", "%lld minutes", (unsigned long)(age / 60)),
			 age / 60);
	else if (age < 86400)
		snprintf(out, size, ngettext("%lld hour", "%lld hours", (unsigned long)(age / 3600)),
			 age / 3600);
	else
		snprintf(out, size, ngettext("%lld day", "%lld days", (unsigned long)(age / 86400)),
			 age / 86400);
	return out;
}

/* The build state column: the running build's progress, or the age. */
static const char *state_text(struct tui *tui, const struct ctui_template_info *info, char *out,
			      size_t size)
{
	struct tui_job *job = tui_job_busy(&tui->jobs, info->name, true);

	if (job) {
		snprintf(out, size, _("building, %.0f%%"), job->fraction * 100);
		return out;
	}
	return format_age(info->built, out, size);
}

static void draw_templates(struct tui *tui, void *state)
{
	struct templates_state *st = state;
	const int name_w = 16, version_w = 20, state_w = 16;
	int description_x = name_w + version_w + state_w + 3;
	char text[64];

	tui_text(tui, 0, 0, COLS, _(" Templates"), tui->theme.attr[TUI_TITLE], TUI_LEFT);
	tui_fill(1, 0, COLS, tui->theme.attr[TUI_COLUMN]);
	tui_text(tui, 1, 0, name_w, _("NAME"), tui->theme.attr[TUI_COLUMN], TUI_LEFT);
	tui_text(tui, 1, name_w + 1, version_w, _("VERSION"), tui->theme.attr[TUI_COLUMN], TUI_LEFT);
	tui_text(tui, 1, name_w + version_w + 2, state_w, _("AGE"), tui->theme.attr[TUI_COLUMN], TUI_LEFT);
	tui_text(tui, 1, description_x, COLS - description_x, _("DESCRIPTION"),
		 tui->theme.attr[TUI_COLUMN], TUI_LEFT);
	if (st->problem[0]) {
		tui_wrap(tui, 3, 2, COLS - 4, 5, st->problem, tui->theme.attr[TUI_ROW]);
		return;
	}

	for (size_t i = 0; i < st->count && 2 + (int)i < LINES - TUI_BOTTOM_ROWS; i++) {
		const struct ctui_template_info *info = &st->templates[i];
		unsigned attr = tui->theme.attr[i == st->selected ? TUI_ROW_SELECTED : TUI_ROW];
		int y = 2 + (int)i;

		tui_fill(y, 0, COLS, attr);
		tui_text(tui, y, 0, name_w, info->name, attr, TUI_LEFT);
		tui_text(tui, y, name_w + 1, version_w, info->version[0] ? info->version : "-", attr, TUI_LEFT);
		tui_text(tui, y, name_w + version_w + 2, state_w, state_text(tui, info, text, sizeof text),
			 attr, TUI_LEFT);
		tui_text(tui, y, description_x, COLS - description_x, info->description, attr, TUI_LEFT);
	}
	if (!st->count)
		tui_text(tui, 3, 2, COLS - 4, _("No template is defined in the template directory."),
			 tui->theme.attr[TUI_ROW], TUI_LEFT);
}

static int key_build(struct tui *tui, void *state)
{
	struct templates_state *st = state;
	struct tui_job_request request = { .kind = TUI_JOB_BUILD };

	if (st->selected >= st->count)
		return tui_error(tui, _("No template is selected."));
	snprintf(request.name, sizeof request.name, "%s", st->templates[st->selected].name);
	return tui_launch(tui, &request, true, NULL);
}

static int key_progress(struct tui *tui, void *state)
{
	struct templates_state *st = state;
	struct tui_job *job;

	if (st->selected >= st->count)
		return TUI_REDRAW_NONE;
	job = tui_job_busy(&tui->jobs, st->templates[st->selected].name, true);
	if (!job)
		return tui_info(tui, _("Template %s is not being built."), st->templates[st->selected].name);
	return tui_open_progress(tui, job->id);
}

static int key_up(struct tui *tui, void *state)
{
	struct templates_state *st = state;

	(void)tui;
	return tui_list_step(&st->selected, st->count, -1);
}

static int key_down(struct tui *tui, void *state)
{
	struct templates_state *st = state;

	(void)tui;
	return tui_list_step(&st->selected, st->count, 1);
}

static int key_reload(struct tui *tui, void *state)
{
	return load(tui, state);
}

static int templates_mouse(struct tui *tui, void *state, const MEVENT *event)
{
	struct templates_state *st = state;
	int row = event->y - 2;

	(void)tui;
	if (row < 0 || (size_t)row >= st->count)
		return TUI_REDRAW_NONE;
	st->selected = (size_t)row;
	return TUI_REDRAW_SCREEN;
}

static int templates_tick(struct tui *tui, void *state)
{
	(void)tui;
	(void)state;
	/* The age and a running build's share move on. */
	return TUI_REDRAW_SCREEN;
}

static int templates_job_done(struct tui *tui, void *state, const struct tui_job *job)
{
	if (job->request.kind != TUI_JOB_BUILD)
		return TUI_REDRAW_NONE;
	return load(tui, state);
}

static const struct tui_key templates_keys[] = {
	{ { TUI_FN(KEY_F(1)), '?' }, N_("Help"), N_("Show the keys of this screen"), tui_key_help },
	{ { TUI_FN(KEY_F(2)), 'b', '\n' }, N_("Build"), N_("Build the selected template, or rebuild it; sites keep their base"),
	  key_build },
	{ { 'p' }, N_("Progress"), N_("Show the progress of the selected template's build"), key_progress },
	{ { TUI_FN(KEY_F(5)) }, N_("Reload"), N_("Read the templates again"), key_reload },
	{ { 27, 'q' }, N_("Back"), N_("Back to the site list"), tui_key_back },
	{ { TUI_FN(KEY_UP), 'k' }, NULL, N_("Select the previous template"), key_up },
	{ { TUI_FN(KEY_DOWN), 'j' }, NULL, N_("Select the next template"), key_down },
};

static void free_templates(void *state)
{
	struct templates_state *st = state;

	free(st->templates);
	free(st);
}

const struct tui_screen tui_screen_templates = {
	.title = N_("Templates"),
	.keys = templates_keys,
	.n_keys = sizeof templates_keys / sizeof templates_keys[0],
	.draw = draw_templates,
	.mouse = templates_mouse,
	.tick = templates_tick,
	.job_done = templates_job_done,
	.free = free_templates,
};

int tui_open_templates(struct tui *tui)
{
	struct templates_state *st = xcalloc(1, sizeof *st);

	load(tui, st);
	tui_push(tui, &tui_screen_templates, st);
	return TUI_REDRAW_SCREEN;
}
