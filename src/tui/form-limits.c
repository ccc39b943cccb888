/* The limits form of the details screen: CPU shares, CPU cap, memory, tasks
 * and, for image sites, the disk size, prefilled with the recorded values.
 * The values are short ASCII words, so each field is a plain line buffer.
 * Every field is checked on submit, with the message under it. The engine
 * then applies the values in a worker, live on a running site, and its
 * error comes back into the form. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctui/limits.h"
#include "tui/draw.h"
#include "tui/screens.h"
#include "util/util.h"

enum {
	FIELD_SHARES,
	FIELD_CPU_MAX,
	FIELD_MEMORY,
	FIELD_PIDS,
	FIELD_DISK,
	FIELD_COUNT,
};

#define VALUE_MAX 24
#define FORM_WIDTH 64
#define LABEL_WIDTH 16

static const char *const field_labels[FIELD_COUNT] = {
	N_("CPU shares"), N_("CPU cap"), N_("Memory limit"), N_("Task limit"), N_("Disk size"),
};

static const char *const field_hints[FIELD_COUNT] = {
	N_("2 to 262144; 1024 is normal"),
	N_("percent of one CPU, 1 to 100, or none"),
	N_("at least 16M, e.g. 256M or 1G"),
	N_("1 to 4194304 processes and threads"),
	N_("grows the image; it cannot shrink"),
};

struct limits_state {
	char site[CTUI_NAME_MAX + 1];
	struct ctui_limits current;
	bool image;                           /* the disk field is shown */
	char values[FIELD_COUNT][VALUE_MAX];
	char messages[FIELD_COUNT][CTUI_ERROR_MAX];
	char error[CTUI_ERROR_MAX];
	int focus;
	unsigned job_id;                      /* the change running, 0 when none */
	int y, x;
};

static int field_count(const struct limits_state *st)
{
	return st->image ? FIELD_COUNT : FIELD_DISK;
}

/* Size text that ctui_parse_size reads back: whole M or G when exact. */
static void format_bytes(uint64_t bytes, char *out, size_t size)
{
	if (bytes && bytes % (1ULL << 30) == 0)
		snprintf(out, size, "%lluG", (unsigned long long)(bytes >> 30));
	else if (bytes && bytes % (1ULL << 20) == 0)
		snprintf(out, size, "%lluM", (unsigned long long)(bytes >> 20));
	else if (bytes)
		snprintf(out, size, "%llu", (unsigned long long)bytes);
	else
		out[0] = '\0';
}

static void prefill(struct limits_state *st)
{
	const struct ctui_limits *l = &st->current;

	snprintf(st->values[FIELD_SHARES], VALUE_MAX, "%u", l->cpu_shares);
	if (l->cpu_max)
		snprintf(st->values[FIELD_CPU_MAX], VALUE_MAX, "%u", l->cpu_max);
	else
		snprintf(st->values[FIELD_CPU_MAX], VALUE_MAX, "none");
	format_bytes(l->memory, st->values[FIELD_MEMORY], VALUE_MAX);
	if (l->pids)
		snprintf(st->values[FIELD_PIDS], VALUE_MAX, "%u", l->pids);
	format_bytes(l->disk, st->values[FIELD_DISK], VALUE_MAX);
}

/* Parses field I into CHANGES; an empty memory or task field leaves the
 * value as it is. Returns false with the field's message set. */
static bool parse_field(struct limits_state *st, int i, struct ctui_limit_changes *changes)
{
	struct ctui_error err = { 0 };
	const char *value = st->values[i];
	int ret = 0;

	st->messages[i][0] = '\0';
	switch (i) {
	case FIELD_SHARES:
		ret = ctui_parse_cpu_shares(value, &changes->limits.cpu_shares, &err);
		break;
	case FIELD_CPU_MAX:
		ret = ctui_parse_cpu_max(value, &changes->limits.cpu_max, &err);
		changes->no_cpu_max = ret == 0 && changes->limits.cpu_max == 0;
		break;
	case FIELD_MEMORY:
		if (value[0])
			ret = ctui_parse_memory(value, &changes->limits.memory, &err);
		break;
	case FIELD_PIDS:
		if (value[0])
			ret = ctui_parse_pids(value, &changes->limits.pids, &err);
		break;
	case FIELD_DISK:
		ret = ctui_parse_disk(value, &changes->limits.disk, &err);
		/* An unchanged size is no request to grow. */
		if (ret == 0 && changes->limits.disk == st->current.disk)
			changes->limits.disk = 0;
		break;
	}
	if (ret < 0)
		snprintf(st->messages[i], sizeof st->messages[i], "%s", err.message);
	return ret == 0;
}

static int submit(struct tui *tui, struct limits_state *st)
{
	struct tui_job_request request = { .kind = TUI_JOB_SET_LIMITS };
	int first_invalid = -1;

	for (int i = 0; i < field_count(st); i++)
		if (!parse_field(st, i, &request.limit_changes) && first_invalid < 0)
			first_invalid = i;
	if (first_invalid >= 0) {
		snprintf(st->error, sizeof st->error, "%s",
			 _("Correct the fields marked above, then submit again."));
		st->focus = first_invalid;
		return TUI_REDRAW_SCREEN;
	}
	st->error[0] = '\0';
	snprintf(request.name, sizeof request.name, "%s", st->site);
	return tui_launch(tui, &request, false, &st->job_id);
}

static void draw_limits(struct tui *tui, void *state)
{
	struct limits_state *st = state;
	int height = 2 * field_count(st) + 6, width = FORM_WIDTH;
	char title[96];
	int cursor_y = 0, cursor_x = 0;

	tui_center(&height, &width, &st->y, &st->x);
	snprintf(title, sizeof title, _("Limits of site %s"), st->site);
	tui_box(tui, st->y, st->x, height, width, title, tui->theme.attr[TUI_DIALOG],
		tui->theme.attr[TUI_DIALOG_TITLE]);

	for (int i = 0; i < field_count(st); i++) {
		int y = st->y + 2 + 2 * i, field_x = st->x + 2 + LABEL_WIDTH;
		bool invalid = st->messages[i][0] != '\0';

		tui_text(tui, y, st->x + 2, LABEL_WIDTH, _(field_labels[i]),
			 tui->theme.attr[TUI_DIALOG], TUI_LEFT);
		tui_text(tui, y, field_x, VALUE_MAX, st->values[i],
			 tui->theme.attr[i == st->focus ? TUI_FIELD_ACTIVE : TUI_FIELD], TUI_LEFT);
		tui_text(tui, y + 1, st->x + 5, width - 7,
			 invalid ? st->messages[i] : _(field_hints[i]),
			 tui->theme.attr[invalid ? TUI_FIELD_ERROR : TUI_DIALOG], TUI_LEFT);
		if (i == st->focus) {
			cursor_y = y;
			cursor_x = field_x + (int)strlen(st->values[i]);
		}
	}
	tui_wrap(tui, st->y + height - 3, st->x + 2, width - 4, 1,
		 st->error[0] ? st->error : _("Enter applies the values, Esc cancels."),
		 tui->theme.attr[st->error[0] ? TUI_FIELD_ERROR : TUI_DIALOG]);
	tui_show_cursor(tui, cursor_y, cursor_x);
}

/* Text keys go to the focused field; Tab and the arrows move between
 * fields, Enter submits, Esc closes the form. F1 passes on. */
static int limits_input(struct tui *tui, void *state, int key)
{
	struct limits_state *st = state;
	char *value = st->values[st->focus];
	size_t len = strlen(value);

	switch (key) {
	case '\t':
	case TUI_FN(KEY_DOWN):
		st->focus = (st->focus + 1) % field_count(st);
		return TUI_REDRAW_SCREEN;
	case TUI_FN(KEY_BTAB):
	case TUI_FN(KEY_UP):
		st->focus = (st->focus + field_count(st) - 1) % field_count(st);
		return TUI_REDRAW_SCREEN;
	case '\n':
	case '\r':
	case TUI_FN(KEY_ENTER):
		return st->job_id ? TUI_REDRAW_NONE : submit(tui, st);
	case 27:
		tui_remove(tui, st);
		return TUI_REDRAW_SCREEN;
	case 127:
	case TUI_CTRL('h'):
	case TUI_FN(KEY_BACKSPACE):
		if (len)
			value[len - 1] = '\0';
		return TUI_REDRAW_SCREEN;
	default:
		break;
	}
	if (key > ' ' && key < 127) {
		if (len + 1 < VALUE_MAX) {
			value[len] = (char)key;
			value[len + 1] = '\0';
		}
		return TUI_REDRAW_SCREEN;
	}
	return -1;
}

static int limits_job_done(struct tui *tui, void *state, const struct tui_job *job)
{
	struct limits_state *st = state;

	if (job->id != st->job_id)
		return TUI_REDRAW_NONE;
	st->job_id = 0;
	if (job->state == TUI_JOB_SUCCEEDED) {
		tui_remove(tui, st);
		return TUI_REDRAW_SCREEN;
	}
	snprintf(st->error, sizeof st->error, "%s", job->error.message);
	return TUI_REDRAW_SCREEN;
}

static const struct tui_key limits_keys[] = {
	{ { TUI_FN(KEY_F(1)) }, N_("Help"), N_("Show the keys of this form"), tui_key_help },
};

static void free_limits(void *state)
{
	free(state);
}

static const struct tui_screen tui_form_limits = {
	.title = N_("Site limits"),
	.overlay = true,
	.keys = limits_keys,
	.n_keys = sizeof limits_keys / sizeof limits_keys[0],
	.draw = draw_limits,
	.input = limits_input,
	.job_done = limits_job_done,
	.free = free_limits,
};

int tui_open_limits(struct tui *tui, const char *site)
{
	struct ctui_error err = { 0 };
	struct limits_state *st;
	struct ctui_site row;

	if (ctui_site_get(tui->engine, site, &row, &err) < 0)
		return tui_error(tui, "%s", err.message);
	st = xcalloc(1, sizeof *st);
	snprintf(st->site, sizeof st->site, "%s", site);
	st->current = row.limits;
	st->image = row.storage == CTUI_STORAGE_IMAGE;
	prefill(st);
	tui_push(tui, &tui_form_limits, st);
	return TUI_REDRAW_SCREEN;
}
