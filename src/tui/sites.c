#include "tui/sites.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/util.h"

static int compare_history(const void *a, const void *b)
{
	const struct tui_history *const *x = a, *const *y = b;

	return strcmp((*x)->name, (*y)->name);
}

static struct tui_history *find_history(struct tui_sites *sites, const char *name)
{
	struct tui_history key, *key_ptr = &key, **found;

	snprintf(key.name, sizeof key.name, "%s", name);
	found = bsearch(&key_ptr, sites->histories, sites->n_histories, sizeof *sites->histories,
			compare_history);
	return found ? *found : NULL;
}

static struct tui_history *add_history(struct tui_sites *sites, const char *name)
{
	struct tui_history *history = xcalloc(1, sizeof *history);

	snprintf(history->name, sizeof history->name, "%s", name);
	sites->histories = xrealloc(sites->histories,
				    (sites->n_histories + 1) * sizeof *sites->histories);
	sites->histories[sites->n_histories++] = history;
	qsort(sites->histories, sites->n_histories, sizeof *sites->histories, compare_history);
	return history;
}

/* Frees the histories of sites that are no longer listed (destroyed). */
static void drop_unseen_histories(struct tui_sites *sites)
{
	size_t kept = 0;

	for (size_t i = 0; i < sites->n_histories; i++) {
		if (sites->histories[i]->seen)
			sites->histories[kept++] = sites->histories[i];
		else
			free(sites->histories[i]);
	}
	sites->n_histories = kept;
}

static double seconds_between(const struct timespec *a, const struct timespec *b)
{
	return (double)(b->tv_sec - a->tv_sec) + (double)(b->tv_nsec - a->tv_nsec) / 1e9;
}

static void push_sample(struct tui_history *history, float cpu, float memory)
{
	history->cpu[history->next] = cpu;
	history->memory[history->next] = memory;
	history->next = (history->next + 1) % TUI_HISTORY;
	if (history->count < TUI_HISTORY)
		history->count++;
}

/* Reads ROW's cgroup and derives its CPU percentage from the previous
 * reading kept in its history. A site whose cgroup cannot be read (it is
 * just starting or stopping) simply shows no figures. */
static void read_usage(struct tui_sites *sites, struct ctui_engine *engine,
		       struct tui_site_row *row, const struct timespec *now)
{
	struct ctui_site_usage usage;
	struct ctui_error err = { 0 };
	struct tui_history *history = row->history;
	double elapsed;

	if (ctui_site_usage_of(engine, &row->site, &usage, &err) < 0)
		return;
	if (!history)
		history = row->history = add_history(sites, row->site.name);
	history->seen = true;

	row->live = true;
	row->memory = usage.memory;
	elapsed = seconds_between(&history->last_time, now);
	if (history->last_time.tv_sec && elapsed > 0 && usage.cpu_ns >= history->last_cpu_ns) {
		row->cpu_percent = (double)(usage.cpu_ns - history->last_cpu_ns) / 1e9 / elapsed * 100;
		push_sample(history, (float)row->cpu_percent, (float)row->memory);
	}
	history->last_cpu_ns = usage.cpu_ns;
	history->last_time = *now;
}

static void read_host(struct tui_sites *sites, struct ctui_engine *engine)
{
	struct ctui_host_usage host;
	struct ctui_error err = { 0 };

	if (ctui_host_usage(engine, &host, &err) < 0) {
		sites->host_valid = false;
		return;
	}
	if (sites->host_valid && host.cpu_total > sites->host.cpu_total)
		sites->host_cpu_percent = (double)(host.cpu_busy - sites->host.cpu_busy) /
					  (double)(host.cpu_total - sites->host.cpu_total) * 100;
	sites->host = host;
	sites->host_valid = true;
}

static bool is_running(const struct ctui_site *site)
{
	return site->state == CTUI_STATE_RUNNING || site->state == CTUI_STATE_STARTING;
}

int tui_sites_refresh(struct tui_sites *sites, struct ctui_engine *engine,
		      struct ctui_error *err)
{
	struct ctui_site *list = NULL;
	struct timespec now;
	size_t count = 0;

	if (ctui_site_list(engine, &list, &count, err) < 0)
		return -1;
	clock_gettime(CLOCK_MONOTONIC, &now);

	free(sites->rows);
	sites->rows = xcalloc(count, sizeof *sites->rows);
	sites->count = count;
	sites->running = 0;
	for (size_t i = 0; i < sites->n_histories; i++)
		sites->histories[i]->seen = false;

	for (size_t i = 0; i < count; i++) {
		struct tui_site_row *row = &sites->rows[i];

		row->site = list[i];
		row->history = find_history(sites, row->site.name);
		if (row->history)
			row->history->seen = true;
		if (is_running(&row->site)) {
			sites->running++;
			read_usage(sites, engine, row, &now);
		}
	}
	free(list);

	drop_unseen_histories(sites);
	read_host(sites, engine);
	tui_sites_update_view(sites);
	return 0;
}

static int compare_numbers(double a, double b)
{
	return a < b ? -1 : a > b;
}

static int compare_rows(const struct tui_site_row *a, const struct tui_site_row *b,
			enum tui_sort sort)
{
	switch (sort) {
	case TUI_SORT_NAME:
		return 0;
	case TUI_SORT_DOMAIN:
		return strcmp(a->site.domain, b->site.domain);
	case TUI_SORT_STATE:
		return compare_numbers(a->site.state, b->site.state);
	case TUI_SORT_IPV4:
		return compare_numbers(a->site.ipv4, b->site.ipv4);
	case TUI_SORT_TEMPLATE:
		return strcmp(a->site.template_name, b->site.template_name);
	case TUI_SORT_SHARES:
		return compare_numbers(a->site.limits.cpu_shares, b->site.limits.cpu_shares);
	case TUI_SORT_LIMIT:
		return compare_numbers((double)a->site.limits.memory, (double)b->site.limits.memory);
	case TUI_SORT_CPU:
		return compare_numbers(a->live ? a->cpu_percent : -1, b->live ? b->cpu_percent : -1);
	case TUI_SORT_MEMORY:
		return compare_numbers(a->live ? (double)a->memory : -1,
				       b->live ? (double)b->memory : -1);
	case TUI_SORT_COUNT:
		break;
	}
	return 0;
}

/* qsort() has no context argument: the sites being sorted are kept here
 * for the duration of one tui_sites_update_view() call. */
static const struct tui_sites *sorting;

static int compare_view(const void *a, const void *b)
{
	const struct tui_site_row *x = &sorting->rows[*(const size_t *)a];
	const struct tui_site_row *y = &sorting->rows[*(const size_t *)b];
	int order = compare_rows(x, y, sorting->sort);

	if (!order)
		order = strcmp(x->site.name, y->site.name);
	return sorting->descending ? -order : order;
}

static bool matches(const struct tui_site_row *row, const char *filter)
{
	return !*filter || strcasestr(row->site.name, filter) || strcasestr(row->site.domain, filter);
}

void tui_sites_update_view(struct tui_sites *sites)
{
	free(sites->view);
	sites->view = xcalloc(sites->count, sizeof *sites->view);
	sites->view_count = 0;
	for (size_t i = 0; i < sites->count; i++)
		if (matches(&sites->rows[i], sites->filter))
			sites->view[sites->view_count++] = i;

	sorting = sites;
	qsort(sites->view, sites->view_count, sizeof *sites->view, compare_view);
	sorting = NULL;
}

const struct tui_site_row *tui_sites_at(const struct tui_sites *sites, size_t pos)
{
	return pos < sites->view_count ? &sites->rows[sites->view[pos]] : NULL;
}

long tui_sites_find(const struct tui_sites *sites, const char *name)
{
	for (size_t i = 0; i < sites->view_count; i++)
		if (!strcmp(sites->rows[sites->view[i]].site.name, name))
			return (long)i;
	return -1;
}

void tui_sites_free(struct tui_sites *sites)
{
	for (size_t i = 0; i < sites->n_histories; i++)
		free(sites->histories[i]);
	free(sites->histories);
	free(sites->rows);
	free(sites->view);
	memset(sites, 0, sizeof *sites);
}

bool tui_history_sample(const struct tui_history *history, size_t ago, float *cpu,
			float *memory)
{
	size_t index;

	if (ago >= history->count)
		return false;
	index = (history->next + TUI_HISTORY - 1 - ago) % TUI_HISTORY;
	*cpu = history->cpu[index];
	*memory = history->memory[index];
	return true;
}
