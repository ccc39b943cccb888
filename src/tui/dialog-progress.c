/* The progress of one job: what it does, for how long, its last line of
 * output and, for template builds, an estimated bar. The job goes on when
 * the dialog is hidden; Esc cancels the jobs that can be cancelled. */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>

#include "tui/draw.h"
#include "tui/screens.h"
#include "util/util.h"

struct progress_state {
	unsigned job_id;
	unsigned frame;                /* spinner position, moved by tick() */
};

#define MIB (1024.0 * 1024.0)

static bool counts_bytes(const struct tui_job *job)
{
	return job->request.kind == TUI_JOB_BACKUP || job->request.kind == TUI_JOB_VERIFY ||
	       job->request.kind == TUI_JOB_RESTORE;
}

/* "12.5 of 80.0 MiB, 4.2 MiB/s, 16 s left"; without the total and the time
 * left when the total is not known. */
static void format_bytes(const struct tui_job *job, char *out, size_t size)
{
	double done = (double)job->bytes_done / MIB, total = (double)job->bytes_total / MIB;
	double elapsed = tui_job_elapsed(job), rate = elapsed > 0 ? done / elapsed : 0;

	if (!job->bytes_total)
		snprintf(out, size, _("%.1f MiB, %.1f MiB/s"), done, rate);
	else if (rate > 0)
		snprintf(out, size, _("%.1f of %.1f MiB, %.1f MiB/s, %.0f s left"), done, total, rate,
			 (total - done) / rate);
	else
		snprintf(out, size, _("%.1f of %.1f MiB"), done, total);
}

static double job_fraction(const struct tui_job *job)
{
	if (job->request.kind == TUI_JOB_BUILD)
		return job->fraction;
	if (job->bytes_done >= job->bytes_total)
		return 1;
	return (double)job->bytes_done / (double)job->bytes_total;
}

static void draw_bar(struct tui *tui, const struct tui_job *job, struct progress_state *st,
		     int y, int x, int width)
{
	char percent[16];

	if (job->request.kind == TUI_JOB_BUILD || (counts_bytes(job) && job->bytes_total)) {
		snprintf(percent, sizeof percent, "%3.0f%%", job_fraction(job) * 100);
		tui_bar(tui, y, x, width - 5, job_fraction(job), tui->theme.attr[TUI_PROGRESS],
			tui->theme.attr[TUI_DIALOG]);
		tui_text(tui, y, x + width - 4, 4, percent, tui->theme.attr[TUI_DIALOG], TUI_RIGHT);
		return;
	}
	/* No measure of how far a start or a create is: a block runs back and forth. */
	tui_bar(tui, y, x, width, 0, tui->theme.attr[TUI_PROGRESS], tui->theme.attr[TUI_DIALOG]);
	for (int i = 0; i < 4 && width > 8; i++) {
		unsigned span = (unsigned)(width - 4) * 2;
		unsigned pos = st->frame % span;
		int at = (int)(pos < span / 2 ? pos : span - pos) + i;

		tui_bar(tui, y, x + at, 1, 1, tui->theme.attr[TUI_PROGRESS], tui->theme.attr[TUI_DIALOG]);
	}
}

static void draw_progress(struct tui *tui, void *state)
{
	struct progress_state *st = state;
	struct tui_job *job = tui_job_find(&tui->jobs, st->job_id);
	int height = 9, width = 70, y, x;
	char title[256], elapsed[64], bytes[128];

	if (!job)
		return;
	tui_center(&height, &width, &y, &x);
	tui_box(tui, y, x, height, width, tui_job_title(job, title, sizeof title),
		tui->theme.attr[TUI_DIALOG], tui->theme.attr[TUI_DIALOG_TITLE]);

	snprintf(elapsed, sizeof elapsed, _("Running for %.0f s."), tui_job_elapsed(job));
	tui_text(tui, y + 2, x + 2, width - 4, elapsed, tui->theme.attr[TUI_DIALOG], TUI_LEFT);
	if (counts_bytes(job))
		format_bytes(job, bytes, sizeof bytes);
	tui_text(tui, y + 3, x + 2, width - 4, counts_bytes(job) ? bytes : job->line,
		 tui->theme.attr[TUI_DIALOG], TUI_LEFT);
	draw_bar(tui, job, st, y + 5, x + 2, width - 4);
	tui_text(tui, y + 7, x + 2, width - 4,
		 tui_job_cancellable(job) ?
			 _("Esc cancels; h hides this and lets the work go on.") :
			 _("This cannot be cancelled; h hides this and lets the work go on."),
		 tui->theme.attr[TUI_DIALOG], TUI_LEFT);
}

static int key_cancel(struct tui *tui, void *state)
{
	struct progress_state *st = state;
	struct tui_job *job = tui_job_find(&tui->jobs, st->job_id);
	char title[256];

	if (!job)
		return TUI_REDRAW_NONE;
	if (!tui_job_cancel(job))
		return tui_error(tui, _("This cannot be cancelled safely (any more): %s."),
				 tui_job_title(job, title, sizeof title));
	if (job->request.kind == TUI_JOB_BUILD)
		return tui_info(tui, _("Cancelling the build of template %s."), job->request.name);
	if (job->request.kind == TUI_JOB_BACKUP) {
		tui_remove(tui, st);
		return tui_info(tui, _("The backup of site %s is cancelled: its copy ends first, so that the site is not left frozen, then its archive is deleted."),
				job->request.name) | TUI_REDRAW_SCREEN;
	}

	/* The start goes on in the background and is undone when it returns. */
	tui_remove(tui, st);
	return tui_info(tui, _("The start of site %s is cancelled: the site is stopped again as soon as the engine returns."),
			job->request.name) | TUI_REDRAW_SCREEN;
}

static int key_hide(struct tui *tui, void *state)
{
	tui_remove(tui, state);
	return TUI_REDRAW_SCREEN;
}

static int progress_tick(struct tui *tui, void *state)
{
	struct progress_state *st = state;

	(void)tui;
	st->frame++;
	return TUI_REDRAW_SCREEN;
}

static int progress_job_done(struct tui *tui, void *state, const struct tui_job *job)
{
	struct progress_state *st = state;

	if (job->id != st->job_id)
		return TUI_REDRAW_NONE;
	tui_remove(tui, state);
	return TUI_REDRAW_SCREEN;
}

static const struct tui_key progress_keys[] = {
	{ { 27, TUI_FN(KEY_F(8)) }, N_("Cancel"), N_("Cancel the work, when it can be cancelled"), key_cancel },
	{ { 'h', '\n' }, N_("Hide"), N_("Hide this window; the work goes on"), key_hide },
};

static void free_progress(void *state)
{
	free(state);
}

const struct tui_screen tui_screen_progress = {
	.title = N_("Progress"),
	.overlay = true,
	.keys = progress_keys,
	.n_keys = sizeof progress_keys / sizeof progress_keys[0],
	.draw = draw_progress,
	.tick = progress_tick,
	.job_done = progress_job_done,
	.free = free_progress,
};

int tui_open_progress(struct tui *tui, unsigned job_id)
{
	struct progress_state *st = xcalloc(1, sizeof *st);

	st->job_id = job_id;
	tui_push(tui, &tui_screen_progress, st);
	return TUI_REDRAW_SCREEN;
}
