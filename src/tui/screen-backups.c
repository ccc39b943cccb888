/* The backups of one site, from the same directory as `ctui backup NAME`
 * writes to: backing the site up with a progress window, and verifying or
 * restoring the selected archive, under the site's name or a new one. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctui/backup.h"
#include "ctui/validate.h"
#include "tui/draw.h"
#include "tui/screens.h"
#include "util/util.h"

#define MIB (1024.0 * 1024.0)

struct backups_state {
	char site[CTUI_NAME_MAX + 1];
	struct ctui_backup_file *files;
	size_t count;
	size_t selected;
	char problem[CTUI_ERROR_MAX];
	char failure[CTUI_ERROR_MAX];      /* the last verify or restore that failed, in full */
	bool asking;                       /* the restore's name is being typed */
	char new_name[CTUI_NAME_MAX + 1];
};

static int load(struct tui *tui, struct backups_state *st)
{
	struct ctui_error err = { 0 };

	free(st->files);
	st->files = NULL;
	st->count = 0;
	st->problem[0] = '\0';
	if (ctui_backup_list(tui->engine, NULL, st->site, &st->files, &st->count, &err) < 0)
		snprintf(st->problem, sizeof st->problem, "%s", err.message);
	/* The newest archive, last in the list, is the one most often wanted. */
	if (st->selected >= st->count)
		st->selected = st->count ? st->count - 1 : 0;
	return TUI_REDRAW_SCREEN;
}

/* "812K", "3.4M", "1.2G", as the site list writes limits. */
static void format_size(uint64_t bytes, char *out, size_t size)
{
	if (bytes < 1024 * 1024)
		snprintf(out, size, "%.0fK", (double)bytes / 1024);
	else if (bytes < 1024ULL * 1024 * 1024)
		snprintf(out, size, "%.1fM", (double)bytes / MIB);
	else
		snprintf(out, size, "%.1fG", (double)bytes / (MIB * 1024));
}

static void draw_prompt(struct tui *tui, struct backups_state *st)
{
	int y = LINES - TUI_BOTTOM_ROWS - 2;
	const char *label = _("Restore as: ");
	int x = 1 + tui_text_width(label);

	tui_fill(y, 0, COLS, tui->theme.attr[TUI_PANEL]);
	tui_text(tui, y, 1, COLS - 1, label, tui->theme.attr[TUI_PANEL], TUI_LEFT);
	tui_text(tui, y, x, CTUI_NAME_MAX + 1, st->new_name, tui->theme.attr[TUI_ROW_SELECTED],
		 TUI_LEFT);
	tui_text(tui, y + 1, 1, COLS - 1,
		 _("Enter restores under this name; Esc gives up."),
		 tui->theme.attr[TUI_ROW], TUI_LEFT);
	tui_show_cursor(tui, y, x + tui_text_width(st->new_name));
}

static void draw_backups(struct tui *tui, void *state)
{
	struct backups_state *st = state;
	const int stamp_w = 20, size_w = 10;
	int file_x = stamp_w + size_w + 2;
	char title[128], size[32];

	snprintf(title, sizeof title, _(" Backups of site %s"), st->site);
	tui_text(tui, 0, 0, COLS, title, tui->theme.attr[TUI_TITLE], TUI_LEFT);
	tui_fill(1, 0, COLS, tui->theme.attr[TUI_COLUMN]);
	tui_text(tui, 1, 0, stamp_w, _("TAKEN"), tui->theme.attr[TUI_COLUMN], TUI_LEFT);
	tui_text(tui, 1, stamp_w + 1, size_w, _("SIZE"), tui->theme.attr[TUI_COLUMN], TUI_RIGHT);
	tui_text(tui, 1, file_x, COLS - file_x, _("FILE"), tui->theme.attr[TUI_COLUMN], TUI_LEFT);
	if (st->problem[0]) {
		tui_wrap(tui, 3, 2, COLS - 4, 5, st->problem, tui->theme.attr[TUI_ROW]);
		return;
	}

	for (size_t i = 0; i < st->count && 2 + (int)i < LINES - TUI_BOTTOM_ROWS - 2; i++) {
		const struct ctui_backup_file *file = &st->files[i];
		unsigned attr = tui->theme.attr[i == st->selected ? TUI_ROW_SELECTED : TUI_ROW];
		const char *slash = strrchr(file->path, '/');
		int y = 2 + (int)i;

		format_size(file->size, size, sizeof size);
		tui_fill(y, 0, COLS, attr);
		tui_text(tui, y, 0, stamp_w, file->stamp, attr, TUI_LEFT);
		tui_text(tui, y, stamp_w + 1, size_w, size, attr, TUI_RIGHT);
		tui_text(tui, y, file_x, COLS - file_x, slash ? slash + 1 : file->path, attr, TUI_LEFT);
	}
	if (!st->count)
		tui_text(tui, 3, 2, COLS - 4, _("No backup of this site yet: F2 or b backs it up."),
			 tui->theme.attr[TUI_ROW], TUI_LEFT);
	/* The status line cuts long messages; an archive's path takes most of it. */
	if (st->failure[0] && st->count)
		tui_wrap(tui, 3 + (int)st->count, 2, COLS - 4, 4, st->failure,
			 tui->theme.attr[TUI_ROW]);
	if (st->asking)
		draw_prompt(tui, st);
}

static const struct ctui_backup_file *selected_file(struct tui *tui, struct backups_state *st)
{
	if (st->selected < st->count)
		return &st->files[st->selected];
	tui_error(tui, _("No backup is selected."));
	return NULL;
}

static int key_backup(struct tui *tui, void *state)
{
	struct backups_state *st = state;

	return tui_open_backup(tui, st->site);
}

static int key_verify(struct tui *tui, void *state)
{
	struct backups_state *st = state;
	const struct ctui_backup_file *file = selected_file(tui, st);
	struct tui_job_request request = { .kind = TUI_JOB_VERIFY };

	if (!file)
		return TUI_REDRAW_STATUS;
	snprintf(request.name, sizeof request.name, "%s", file->site);
	snprintf(request.archive, sizeof request.archive, "%s", file->path);
	return tui_launch(tui, &request, true, NULL);
}

static int key_restore(struct tui *tui, void *state)
{
	struct backups_state *st = state;

	if (!selected_file(tui, st))
		return TUI_REDRAW_STATUS;
	snprintf(st->new_name, sizeof st->new_name, "%s", st->site);
	st->asking = true;
	return TUI_REDRAW_SCREEN;
}

static int launch_restore(struct tui *tui, struct backups_state *st)
{
	const struct ctui_backup_file *file = selected_file(tui, st);
	struct tui_job_request request = { .kind = TUI_JOB_RESTORE };
	struct ctui_error err = { 0 };

	if (!file)
		return TUI_REDRAW_STATUS;
	if (ctui_validate_name(st->new_name, &err) < 0)
		return tui_error(tui, "%s", err.message);
	st->asking = false;
	snprintf(request.name, sizeof request.name, "%s", st->new_name);
	snprintf(request.archive, sizeof request.archive, "%s", file->path);
	return tui_launch(tui, &request, true, NULL) | TUI_REDRAW_SCREEN;
}

/* The restore's name while it is typed: names are ASCII. */
static int backups_input(struct tui *tui, void *state, int key)
{
	struct backups_state *st = state;
	size_t len = strlen(st->new_name);

	if (!st->asking)
		return -1;
	if (key == 27) {
		st->asking = false;
		return TUI_REDRAW_SCREEN;
	}
	if (key == '\n' || key == '\r' || key == TUI_FN(KEY_ENTER))
		return launch_restore(tui, st);
	if ((key == TUI_FN(KEY_BACKSPACE) || key == 127 || key == 8) && len)
		st->new_name[len - 1] = '\0';
	else if (key > 32 && key < 127 && len < CTUI_NAME_MAX)
		st->new_name[len] = (char)key;
	return TUI_REDRAW_SCREEN;
}

static int key_up(struct tui *tui, void *state)
{
	struct backups_state *st = state;

	(void)tui;
	return tui_list_step(&st->selected, st->count, -1);
}

static int key_down(struct tui *tui, void *state)
{
	struct backups_state *st = state;

	(void)tui;
	return tui_list_step(&st->selected, st->count, 1);
}

static int key_reload(struct tui *tui, void *state)
{
	return load(tui, state);
}

static int backups_job_done(struct tui *tui, void *state, const struct tui_job *job)
{
	struct backups_state *st = state;

	if (job->request.kind == TUI_JOB_VERIFY || job->request.kind == TUI_JOB_RESTORE) {
		st->failure[0] = '\0';
		if (job->state == TUI_JOB_FAILED)
			snprintf(st->failure, sizeof st->failure, "%s", job->error.message);
		return TUI_REDRAW_SCREEN;
	}
	if (job->request.kind != TUI_JOB_BACKUP)
		return TUI_REDRAW_NONE;
	return load(tui, state);
}

static const struct tui_key backups_keys[] = {
	{ { TUI_FN(KEY_F(1)), '?' }, N_("Help"), N_("Show the keys of this screen"), tui_key_help },
	{ { TUI_FN(KEY_F(2)), 'b' }, N_("Backup"), N_("Back the site up now"), key_backup },
	{ { TUI_FN(KEY_F(3)), 'v', '\n' }, N_("Verify"), N_("Check the selected backup against its manifest"),
	  key_verify },
	{ { TUI_FN(KEY_F(4)), 'r' }, N_("Restore"), N_("Restore the selected backup as a new site, under a name to type"),
	  key_restore },
	{ { TUI_FN(KEY_F(5)) }, N_("Reload"), N_("Read the list of backups again"), key_reload },
	{ { 27, 'q' }, N_("Back"), N_("Back to the site list"), tui_key_back },
	{ { TUI_FN(KEY_UP), 'k' }, NULL, N_("Select the previous backup"), key_up },
	{ { TUI_FN(KEY_DOWN), 'j' }, NULL, N_("Select the next backup"), key_down },
};

static void free_backups(void *state)
{
	struct backups_state *st = state;

	free(st->files);
	free(st);
}

const struct tui_screen tui_screen_backups = {
	.title = N_("Backups"),
	.keys = backups_keys,
	.n_keys = sizeof backups_keys / sizeof backups_keys[0],
	.draw = draw_backups,
	.input = backups_input,
	.job_done = backups_job_done,
	.free = free_backups,
};

int tui_open_backups(struct tui *tui, const char *site)
{
	struct backups_state *st = xcalloc(1, sizeof *st);

	snprintf(st->site, sizeof st->site, "%s", site);
	load(tui, st);
	tui_push(tui, &tui_screen_backups, st);
	return TUI_REDRAW_SCREEN;
}

int tui_open_backup(struct tui *tui, const char *site)
{
	struct tui_job_request request = { .kind = TUI_JOB_BACKUP };

	snprintf(request.name, sizeof request.name, "%s", site);
	return tui_launch(tui, &request, true, NULL);
}
