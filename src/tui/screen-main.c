/* The main screen: host totals, the site table, the selected site's CPU and
 * memory graphs, and the actions on the selected site. */
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tui/draw.h"
#include "tui/screens.h"
#include "util/util.h"

#define HEADER_ROWS 3   /* title, host totals, column headings */
#define PANEL_ROWS 3    /* caption, CPU graph, memory graph */
#define GRAPH_LABEL 8
#define GRAPH_VALUE 16

struct column {
	enum tui_sort sort;
	const char *title;       /* N_() */
	int min_width;
	enum tui_align align;
};

static const struct column columns[TUI_SORT_COUNT] = {
	{ TUI_SORT_NAME, N_("NAME"), 8, TUI_LEFT },
	{ TUI_SORT_DOMAIN, N_("DOMAIN"), 10, TUI_LEFT },
	{ TUI_SORT_STATE, N_("STATE"), 5, TUI_LEFT },
	{ TUI_SORT_IPV4, N_("IPV4"), 7, TUI_LEFT },
	{ TUI_SORT_TEMPLATE, N_("TEMPLATE"), 8, TUI_LEFT },
	{ TUI_SORT_SHARES, N_("SHARES"), 6, TUI_RIGHT },
	{ TUI_SORT_LIMIT, N_("LIMIT"), 6, TUI_RIGHT },
	{ TUI_SORT_CPU, N_("CPU%"), 6, TUI_RIGHT },
	{ TUI_SORT_MEMORY, N_("MEM"), 6, TUI_RIGHT },
};

struct main_state {
	size_t selected;                     /* position in the view */
	size_t top;                          /* first row shown */
	char selected_name[CTUI_NAME_MAX + 1];
	bool filtering;                      /* the filter is being typed */
	int x[TUI_SORT_COUNT], width[TUI_SORT_COUNT];  /* width 0: column hidden */
};

/* Layout. */

static int table_rows(void)
{
	int rows = LINES - HEADER_ROWS - PANEL_ROWS - TUI_BOTTOM_ROWS;

	return rows > 1 ? rows : 1;
}

static int max_int(int a, int b)
{
	return a > b ? a : b;
}

/* The widest value the column shows, header included. */
static int content_width(struct tui *tui, enum tui_sort sort)
{
	const struct ctui_config *cfg = ctui_engine_config(tui->engine);
	int width = tui_text_width(_(columns[sort].title)) + 1;
	char addr[16];

	switch (sort) {
	case TUI_SORT_STATE:
		for (int s = CTUI_STATE_STOPPED; s <= CTUI_STATE_CRASHED; s++)
			width = max_int(width, tui_text_width(ctui_state_label((enum ctui_site_state)s)));
		break;
	case TUI_SORT_IPV4:
		/* The broadcast address has the longest dotted form of the subnet. */
		width = max_int(width, (int)strlen(tui_format_ipv4(
				       cfg->subnet | (0xffffffffu >> cfg->prefix), addr)));
		break;
	case TUI_SORT_NAME:
	case TUI_SORT_DOMAIN:
	case TUI_SORT_TEMPLATE:
		for (size_t i = 0; i < tui->sites.count; i++) {
			const struct ctui_site *site = &tui->sites.rows[i].site;
			const char *text = sort == TUI_SORT_NAME ? site->name :
					   sort == TUI_SORT_DOMAIN ? site->domain : site->template_name;

			width = max_int(width, tui_text_width(text) + 1);
		}
		break;
	case TUI_SORT_SHARES:
	case TUI_SORT_LIMIT:
	case TUI_SORT_CPU:
	case TUI_SORT_MEMORY:
	case TUI_SORT_COUNT:
		break;
	}
	return max_int(width, columns[sort].min_width);
}

/* Fixed columns get what they need; name and domain share the rest. The
 * template column goes first when the terminal is too narrow (the panel
 * below the table names the selected site's template). */
static void layout(struct tui *tui, struct main_state *st)
{
	int fixed = 0, rest, name, domain, x = 0;

	for (int c = TUI_SORT_STATE; c < TUI_SORT_COUNT; c++) {
		st->width[c] = content_width(tui, (enum tui_sort)c);
		fixed += st->width[c] + 1;
	}
	if (COLS - fixed < 2 * columns[TUI_SORT_DOMAIN].min_width + 12) {
		fixed -= st->width[TUI_SORT_TEMPLATE] + 1;
		st->width[TUI_SORT_TEMPLATE] = 0;
	}

	rest = max_int(COLS - fixed - 1, columns[TUI_SORT_NAME].min_width + columns[TUI_SORT_DOMAIN].min_width);
	name = content_width(tui, TUI_SORT_NAME);
	domain = content_width(tui, TUI_SORT_DOMAIN);
	if (name > rest * 2 / 5)
		name = max_int(rest * 2 / 5, columns[TUI_SORT_NAME].min_width);
	/* On a wide terminal the columns stay together and the space is left at the end. */
	if (domain > rest - name)
		domain = rest - name;
	st->width[TUI_SORT_NAME] = name;
	st->width[TUI_SORT_DOMAIN] = domain;

	for (int c = 0; c < TUI_SORT_COUNT; c++) {
		st->x[c] = x;
		if (st->width[c])
			x += st->width[c] + 1;
	}
}

/* Keeps the selection on the same site across refreshes and re-sorts, and
 * in view. */
static void follow_selection(struct tui *tui, struct main_state *st)
{
	long found = st->selected_name[0] ? tui_sites_find(&tui->sites, st->selected_name) : -1;
	size_t rows = (size_t)table_rows();
	const struct tui_site_row *row;

	if (found >= 0)
		st->selected = (size_t)found;
	if (st->selected >= tui->sites.view_count)
		st->selected = tui->sites.view_count ? tui->sites.view_count - 1 : 0;
	row = tui_sites_at(&tui->sites, st->selected);
	snprintf(st->selected_name, sizeof st->selected_name, "%s", row ? row->site.name : "");

	if (st->selected < st->top)
		st->top = st->selected;
	if (st->selected >= st->top + rows)
		st->top = st->selected - rows + 1;
	if (st->top + rows > tui->sites.view_count)
		st->top = tui->sites.view_count > rows ? tui->sites.view_count - rows : 0;
}

/* Drawing. */

static void draw_title(struct tui *tui)
{
	const struct ctui_config *cfg = ctui_engine_config(tui->engine);
	char title[CTUI_DOMAIN_MAX + 64];

	snprintf(title, sizeof title, _(" ctui: websites of %s"), cfg->zone);
	tui_text(tui, 0, 0, COLS, title, tui->theme.attr[TUI_TITLE], TUI_LEFT);
}

static void draw_totals(struct tui *tui)
{
	const struct tui_sites *sites = &tui->sites;
	char text[512], used[16], total[16];
	int len;

	len = snprintf(text, sizeof text, _(" Sites: %zu of %zu running"), sites->running,
		       sites->count);
	if (sites->host_valid) {
		len += snprintf(text + len, sizeof text - (size_t)len, _("   CPU: %.0f%%"),
				sites->host_cpu_percent);
		len += snprintf(text + len, sizeof text - (size_t)len, _("   Memory: %s of %s"),
				tui_format_size(sites->host.memory_used, used),
				tui_format_size(sites->host.memory_total, total));
		snprintf(text + len, sizeof text - (size_t)len, _("   Free addresses: %zu"),
			 sites->host.addresses_free);
	}
	tui_text(tui, 1, 0, COLS, text, tui->theme.attr[TUI_HEADER], TUI_LEFT);
}

static void draw_headings(struct tui *tui, struct main_state *st)
{
	const char *arrow = tui->utf8 ? (tui->sites.descending ? "\u25bc" : "\u25b2") :
					(tui->sites.descending ? "v" : "^");
	char title[64];

	tui_fill(2, 0, COLS, tui->theme.attr[TUI_COLUMN]);
	for (int c = 0; c < TUI_SORT_COUNT; c++) {
		bool sorted = tui->sites.sort == (enum tui_sort)c;

		if (!st->width[c])
			continue;
		snprintf(title, sizeof title, "%s%s", _(columns[c].title), sorted ? arrow : "");
		tui_text(tui, 2, st->x[c], st->width[c], title,
			 tui->theme.attr[sorted ? TUI_COLUMN_SORTED : TUI_COLUMN], columns[c].align);
	}
}

static enum tui_element state_element(enum ctui_site_state state)
{
	switch (state) {
	case CTUI_STATE_RUNNING:
		return TUI_STATE_RUNNING;
	case CTUI_STATE_STOPPED:
		return TUI_STATE_STOPPED;
	case CTUI_STATE_STARTING:
	case CTUI_STATE_STOPPING:
		return TUI_STATE_BUSY;
	case CTUI_STATE_CRASHED:
		return TUI_STATE_CRASHED;
	}
	return TUI_ROW;
}

/* The text of column C for ROW. */
static const char *cell_text(const struct tui_site_row *row, int c, char *out, size_t size)
{
	const struct ctui_site *site = &row->site;

	switch ((enum tui_sort)c) {
	case TUI_SORT_NAME:
		return site->name;
	case TUI_SORT_DOMAIN:
		return site->domain;
	case TUI_SORT_STATE:
		return ctui_state_label(site->state);
	case TUI_SORT_IPV4:
		return tui_format_ipv4(site->ipv4, out);
	case TUI_SORT_TEMPLATE:
		return site->template_name;
	case TUI_SORT_SHARES:
		snprintf(out, size, "%u", site->limits.cpu_shares);
		return out;
	case TUI_SORT_LIMIT:
		return tui_format_size(site->limits.memory, out);
	case TUI_SORT_CPU:
		if (!row->live)
			return "-";
		snprintf(out, size, "%.1f", row->cpu_percent);
		return out;
	case TUI_SORT_MEMORY:
		return row->live ? tui_format_size(row->memory, out) : "-";
	case TUI_SORT_COUNT:
		break;
	}
	return "";
}

static void draw_row(struct tui *tui, struct main_state *st, int y,
		     const struct tui_site_row *row, bool selected)
{
	unsigned row_attr = tui->theme.attr[selected ? TUI_ROW_SELECTED : TUI_ROW];
	char text[64];

	tui_fill(y, 0, COLS, row_attr);
	for (int c = 0; c < TUI_SORT_COUNT; c++) {
		unsigned attr = row_attr;

		if (!st->width[c])
			continue;
		if (c == TUI_SORT_STATE && !selected)
			attr = tui->theme.attr[state_element(row->site.state)];
		tui_text(tui, y, st->x[c], st->width[c], cell_text(row, c, text, sizeof text), attr,
			 columns[c].align);
	}
}

static void draw_table(struct tui *tui, struct main_state *st)
{
	int rows = table_rows();

	for (int i = 0; i < rows; i++) {
		const struct tui_site_row *row = tui_sites_at(&tui->sites, st->top + (size_t)i);

		if (!row)
			break;
		draw_row(tui, st, HEADER_ROWS + i, row, st->top + (size_t)i == st->selected);
	}
	if (!tui->sites.view_count) {
		const char *text = tui->sites.count ? _("No site matches the filter; press Esc to clear it.") :
				   _("No site yet; press F2 or c to create one.");

		tui_text(tui, HEADER_ROWS + 1, 2, COLS - 2, text, tui->theme.attr[TUI_ROW], TUI_LEFT);
	}
}

/* Averages the history into WIDTH columns covering the whole history,
 * newest on the right; columns without samples are NAN. */
static void bucket_history(const struct tui_history *history, float *cpu, float *memory,
			   int width)
{
	size_t per = (TUI_HISTORY + (size_t)width - 1) / (size_t)width;

	for (int col = 0; col < width; col++) {
		size_t first = (size_t)(width - 1 - col) * per;
		float cpu_sum = 0, memory_sum = 0, sample_cpu, sample_memory;
		size_t n = 0;

		for (size_t ago = first; ago < first + per; ago++) {
			if (!tui_history_sample(history, ago, &sample_cpu, &sample_memory))
				break;
			cpu_sum += sample_cpu;
			memory_sum += sample_memory;
			n++;
		}
		cpu[col] = n ? cpu_sum / (float)n : (float)NAN;
		memory[col] = n ? memory_sum / (float)n : (float)NAN;
	}
}

static float peak(const float *values, int width, float floor)
{
	for (int i = 0; i < width; i++)
		if (values[i] == values[i] && values[i] > floor)
			floor = values[i];
	return floor;
}

static void draw_graphs(struct tui *tui, const struct tui_site_row *row, int y)
{
	int width = COLS - GRAPH_LABEL - GRAPH_VALUE;
	float cpu[512], memory[512];
	char value[64], used[16], limit[16];
	float memory_max;

	if (width > 512)
		width = 512;
	tui_text(tui, y, 0, GRAPH_LABEL, _(" CPU"), tui->theme.attr[TUI_PANEL], TUI_LEFT);
	tui_text(tui, y + 1, 0, GRAPH_LABEL, _(" Memory"), tui->theme.attr[TUI_PANEL], TUI_LEFT);
	if (width < 4)
		return;
	if (!row->history) {
		tui_text(tui, y, GRAPH_LABEL, width, _("no figures: the site has not run since ctui started"),
			 tui->theme.attr[TUI_ROW], TUI_LEFT);
		return;
	}

	bucket_history(row->history, cpu, memory, width);
	memory_max = row->site.limits.memory ? (float)row->site.limits.memory : peak(memory, width, 1);
	tui_sparkline(tui, y, GRAPH_LABEL, cpu, width, peak(cpu, width, 100), tui->theme.attr[TUI_GRAPH_CPU]);
	tui_sparkline(tui, y + 1, GRAPH_LABEL, memory, width, memory_max,
		      tui->theme.attr[TUI_GRAPH_MEMORY]);

	snprintf(value, sizeof value, "%.1f%%", row->live ? row->cpu_percent : 0.0);
	tui_text(tui, y, COLS - GRAPH_VALUE, GRAPH_VALUE, value, tui->theme.attr[TUI_PANEL], TUI_RIGHT);
	snprintf(value, sizeof value, _("%s of %s"), tui_format_size(row->live ? row->memory : 0, used),
		 row->site.limits.memory ? tui_format_size(row->site.limits.memory, limit) : _("no limit"));
	tui_text(tui, y + 1, COLS - GRAPH_VALUE, GRAPH_VALUE, value, tui->theme.attr[TUI_PANEL],
		 TUI_RIGHT);
}

static void draw_panel(struct tui *tui, struct main_state *st)
{
	const struct tui_site_row *row = tui_sites_at(&tui->sites, st->selected);
	int y = LINES - TUI_BOTTOM_ROWS - PANEL_ROWS;
	char caption[512];

	if (st->filtering || tui->sites.filter[0]) {
		snprintf(caption, sizeof caption,
			 st->filtering ? _(" Filter (Enter keeps it, Esc clears it): %s") : _(" Filter: %s"),
			 tui->sites.filter);
		tui_text(tui, y, 0, COLS, caption, tui->theme.attr[TUI_PANEL] | A_REVERSE, TUI_LEFT);
		if (st->filtering)
			tui_show_cursor(tui, y, tui_text_width(caption));
	} else if (row) {
		snprintf(caption, sizeof caption, _(" %s: %s, template %s, the last 5 minutes"),
			 row->site.name, row->site.domain, row->site.template_name);
		tui_text(tui, y, 0, COLS, caption, tui->theme.attr[TUI_PANEL] | A_REVERSE, TUI_LEFT);
	} else {
		tui_fill(y, 0, COLS, tui->theme.attr[TUI_PANEL] | A_REVERSE);
	}
	if (row)
		draw_graphs(tui, row, y + 1);
}

static void draw_main(struct tui *tui, void *state)
{
	struct main_state *st = state;

	layout(tui, st);
	follow_selection(tui, st);
	draw_title(tui);
	draw_totals(tui);
	draw_headings(tui, st);
	draw_table(tui, st);
	draw_panel(tui, st);
}

/* Moving the selection. */

static int select_at(struct tui *tui, struct main_state *st, long pos)
{
	const struct tui_site_row *row;

	if (!tui->sites.view_count)
		return TUI_REDRAW_NONE;
	if (pos < 0)
		pos = 0;
	if ((size_t)pos >= tui->sites.view_count)
		pos = (long)tui->sites.view_count - 1;
	st->selected = (size_t)pos;
	row = tui_sites_at(&tui->sites, st->selected);
	snprintf(st->selected_name, sizeof st->selected_name, "%s", row->site.name);
	return TUI_REDRAW_SCREEN;
}

static int key_up(struct tui *tui, void *state)
{
	struct main_state *st = state;

	return select_at(tui, st, (long)st->selected - 1);
}

static int key_down(struct tui *tui, void *state)
{
	struct main_state *st = state;

	return select_at(tui, st, (long)st->selected + 1);
}

static int key_page_up(struct tui *tui, void *state)
{
	struct main_state *st = state;

	return select_at(tui, st, (long)st->selected - table_rows());
}

static int key_page_down(struct tui *tui, void *state)
{
	struct main_state *st = state;

	return select_at(tui, st, (long)st->selected + table_rows());
}

static int key_home(struct tui *tui, void *state)
{
	return select_at(tui, state, 0);
}

static int key_end(struct tui *tui, void *state)
{
	return select_at(tui, state, (long)tui->sites.view_count);
}

/* Sorting and filtering. */

static int sort_by(struct tui *tui, enum tui_sort sort, bool descending)
{
	tui->sites.sort = sort;
	tui->sites.descending = descending;
	tui_sites_update_view(&tui->sites);
	return tui_info(tui, _("Sorted by %s."), _(columns[sort].title)) | TUI_REDRAW_SCREEN;
}

static int key_sort_next(struct tui *tui, void *state)
{
	(void)state;
	return sort_by(tui, (enum tui_sort)((tui->sites.sort + 1) % TUI_SORT_COUNT), false);
}

static int key_sort_previous(struct tui *tui, void *state)
{
	(void)state;
	return sort_by(tui, (enum tui_sort)((tui->sites.sort + TUI_SORT_COUNT - 1) % TUI_SORT_COUNT),
		       false);
}

static int key_sort_invert(struct tui *tui, void *state)
{
	(void)state;
	return sort_by(tui, tui->sites.sort, !tui->sites.descending);
}

static int key_sort_cpu(struct tui *tui, void *state)
{
	(void)state;
	return sort_by(tui, TUI_SORT_CPU, true);
}

static int key_sort_memory(struct tui *tui, void *state)
{
	(void)state;
	return sort_by(tui, TUI_SORT_MEMORY, true);
}

static int key_sort_name(struct tui *tui, void *state)
{
	(void)state;
	return sort_by(tui, TUI_SORT_NAME, false);
}

static int key_filter(struct tui *tui, void *state)
{
	struct main_state *st = state;

	(void)tui;
	st->filtering = true;
	return TUI_REDRAW_SCREEN;
}

static int key_clear_filter(struct tui *tui, void *state)
{
	(void)state;
	if (!tui->sites.filter[0])
		return TUI_REDRAW_NONE;
	tui->sites.filter[0] = '\0';
	tui_sites_update_view(&tui->sites);
	return TUI_REDRAW_SCREEN;
}

/* While the filter is typed, every printable key goes into it. */
static int filter_input(struct tui *tui, void *state, int key)
{
	struct main_state *st = state;
	char *filter = tui->sites.filter;
	size_t len = strlen(filter);

	if (!st->filtering)
		return -1;
	if (key == '\n' || key == '\r' || key == TUI_FN(KEY_ENTER)) {
		st->filtering = false;
	} else if (key == 27) {
		st->filtering = false;
		filter[0] = '\0';
	} else if (key == TUI_FN(KEY_BACKSPACE) || key == 127 || key == 8) {
		/* Drop the last character, with all of its UTF-8 bytes. */
		while (len > 0 && ((unsigned char)filter[--len] & 0xc0) == 0x80)
			;
		filter[len] = '\0';
	} else if (key >= 32 && key < TUI_KEY_FN) {
		char bytes[MB_LEN_MAX];
		int n = wctomb(bytes, (wchar_t)key);

		if (n > 0 && len + (size_t)n < sizeof tui->sites.filter) {
			memcpy(filter + len, bytes, (size_t)n);
			filter[len + (size_t)n] = '\0';
		}
	} else {
		return TUI_REDRAW_NONE;
	}
	tui_sites_update_view(&tui->sites);
	st->selected = 0;
	st->selected_name[0] = '\0';
	return TUI_REDRAW_SCREEN;
}

/* Actions on the selected site. */

static const struct tui_site_row *selected_row(struct tui *tui, struct main_state *st)
{
	return tui_sites_at(&tui->sites, st->selected);
}

static int launch_on_selected(struct tui *tui, struct main_state *st, enum tui_job_kind kind)
{
	const struct tui_site_row *row = selected_row(tui, st);
	struct tui_job_request request = { .kind = kind };

	if (!row)
		return tui_error(tui, _("No site is selected."));
	snprintf(request.name, sizeof request.name, "%s", row->site.name);
	/* A start waits for HTTP and can be cancelled, from the progress dialog. */
	return tui_launch(tui, &request, tui_job_kind_cancellable(kind), NULL);
}

static int key_start(struct tui *tui, void *state)
{
	return launch_on_selected(tui, state, TUI_JOB_START);
}

static int key_stop(struct tui *tui, void *state)
{
	return launch_on_selected(tui, state, TUI_JOB_STOP);
}

static int key_restart(struct tui *tui, void *state)
{
	return launch_on_selected(tui, state, TUI_JOB_RESTART);
}

static int key_destroy(struct tui *tui, void *state)
{
	const struct tui_site_row *row = selected_row(tui, state);

	if (!row)
		return tui_error(tui, _("No site is selected."));
	return tui_open_confirm_destroy(tui, row->site.name);
}

static int key_details(struct tui *tui, void *state)
{
	const struct tui_site_row *row = selected_row(tui, state);

	if (!row)
		return tui_error(tui, _("No site is selected."));
	return tui_open_details(tui, row->site.name);
}

static int key_logs(struct tui *tui, void *state)
{
	const struct tui_site_row *row = selected_row(tui, state);

	if (!row)
		return tui_error(tui, _("No site is selected."));
	return tui_open_logs(tui, row->site.name);
}

static int key_files(struct tui *tui, void *state)
{
	const struct tui_site_row *row = selected_row(tui, state);

	if (!row)
		return tui_error(tui, _("No site is selected."));
	return tui_open_files(tui, row->site.name);
}

static int key_backup(struct tui *tui, void *state)
{
	const struct tui_site_row *row = selected_row(tui, state);

	if (!row)
		return tui_error(tui, _("No site is selected."));
	return tui_open_backup(tui, row->site.name);
}

static int key_backups(struct tui *tui, void *state)
{
	const struct tui_site_row *row = selected_row(tui, state);

	if (!row)
		return tui_error(tui, _("No site is selected."));
	return tui_open_backups(tui, row->site.name);
}

static int key_create(struct tui *tui, void *state)
{
	(void)state;
	return tui_open_create(tui);
}

static int key_templates(struct tui *tui, void *state)
{
	(void)state;
	return tui_open_templates(tui);
}

/* Mouse: a click selects a row or sorts by a column, a double click opens
 * the details, the wheel scrolls. */
static int main_mouse(struct tui *tui, void *state, const MEVENT *event)
{
	struct main_state *st = state;
	int row = event->y - HEADER_ROWS;

	if (event->bstate & BUTTON4_PRESSED)
		return select_at(tui, st, (long)st->selected - 3);
	if (event->bstate & BUTTON5_PRESSED)
		return select_at(tui, st, (long)st->selected + 3);

	if (event->y == HEADER_ROWS - 1) {
		for (int c = TUI_SORT_COUNT - 1; c >= 0; c--) {
			if (st->width[c] && event->x >= st->x[c]) {
				bool same = tui->sites.sort == (enum tui_sort)c;

				return sort_by(tui, (enum tui_sort)c, same && !tui->sites.descending);
			}
		}
	}
	if (row < 0 || row >= table_rows() || st->top + (size_t)row >= tui->sites.view_count)
		return TUI_REDRAW_NONE;
	select_at(tui, st, (long)(st->top + (size_t)row));
	if (event->bstate & BUTTON1_DOUBLE_CLICKED)
		return key_details(tui, st);
	return TUI_REDRAW_SCREEN;
}

static int key_owner(struct tui *tui, void *state)
{
	const struct tui_site_row *row = selected_row(tui, state);

	if (!row)
		return tui_error(tui, _("No site is selected."));
	return tui_open_owner(tui, row->site.name);
}

static int key_audit(struct tui *tui, void *state)
{
	(void)state;
	return tui_open_audit(tui);
}

static const struct tui_key main_keys[] = {
	{ { TUI_FN(KEY_F(1)), '?' }, N_("Help"), N_("Show the keys of this screen"), tui_key_help },
	{ { TUI_FN(KEY_F(2)), 'c', 'n' }, N_("New"), N_("Create a site"), key_create },
	{ { TUI_FN(KEY_F(3)), 's' }, N_("Start"), N_("Start the selected site"), key_start },
	{ { TUI_FN(KEY_F(4)), '/' }, N_("Filter"), N_("Filter the sites by name or domain"), key_filter },
	{ { TUI_FN(KEY_F(5)), 'x' }, N_("Stop"), N_("Stop the selected site"), key_stop },
	{ { TUI_FN(KEY_F(6)), '>' }, N_("Sort"), N_("Sort by the next column"), key_sort_next },
	{ { TUI_FN(KEY_F(7)), 'r' }, N_("Restart"), N_("Restart the selected site"), key_restart },
	{ { TUI_FN(KEY_F(8)), 'l' }, N_("Logs"), N_("Show the selected site's Apache logs"), key_logs },
	{ { TUI_FN(KEY_F(9)), 'D' }, N_("Destroy"), N_("Destroy the selected site, after typing its name"),
	  key_destroy },
	{ { TUI_FN(KEY_F(10)), 'q' }, N_("Quit"), N_("Quit ctui (asks first while work is running)"),
	  tui_key_quit },
	{ { '\n', 'i' }, NULL, N_("Show the selected site's details"), key_details },
	{ { 'e' }, NULL, N_("Browse and edit the selected site's files"), key_files },
	{ { 'T' }, NULL, N_("Show the templates and build them"), key_templates },
	{ { 'b' }, NULL, N_("Back up the selected site, with its progress"), key_backup },
	{ { 'B' }, NULL, N_("List the selected site's backups, to verify or restore one"), key_backups },
	{ { 'O' }, NULL, N_("Give the selected site to another user"), key_owner },
	{ { 'a' }, NULL, N_("Show the audit trail: who did what, and when"), key_audit },
	{ { TUI_FN(KEY_UP), 'k' }, NULL, N_("Select the previous site"), key_up },
	{ { TUI_FN(KEY_DOWN), 'j' }, NULL, N_("Select the next site"), key_down },
	{ { TUI_FN(KEY_PPAGE) }, NULL, N_("Move the selection up one page"), key_page_up },
	{ { TUI_FN(KEY_NPAGE) }, NULL, N_("Move the selection down one page"), key_page_down },
	{ { TUI_FN(KEY_HOME), 'g' }, NULL, N_("Select the first site"), key_home },
	{ { TUI_FN(KEY_END), 'G' }, NULL, N_("Select the last site"), key_end },
	{ { '<' }, NULL, N_("Sort by the previous column"), key_sort_previous },
	{ { 'I' }, NULL, N_("Invert the sort order"), key_sort_invert },
	{ { 'P' }, NULL, N_("Sort by CPU use, highest first"), key_sort_cpu },
	{ { 'M' }, NULL, N_("Sort by memory use, highest first"), key_sort_memory },
	{ { 'N' }, NULL, N_("Sort by name"), key_sort_name },
	{ { 27 }, NULL, N_("Clear the filter"), key_clear_filter },
};

static void free_main(void *state)
{
	free(state);
}

const struct tui_screen tui_screen_main = {
	.title = N_("Sites"),
	.keys = main_keys,
	.n_keys = sizeof main_keys / sizeof main_keys[0],
	.draw = draw_main,
	.input = filter_input,
	.mouse = main_mouse,
	.free = free_main,
};

void tui_open_main(struct tui *tui)
{
	tui_push(tui, &tui_screen_main, xcalloc(1, sizeof(struct main_state)));
}

const char *tui_main_selected(struct tui *tui)
{
	struct main_state *st = tui->stack[0].state;

	return st->selected_name[0] ? st->selected_name : NULL;
}

void tui_main_select(struct tui *tui, const char *name)
{
	struct main_state *st = tui->stack[0].state;

	snprintf(st->selected_name, sizeof st->selected_name, "%s", name);
}
