/* The sites as the main screen shows them: the engine's list refreshed once
 * a second, live CPU and memory from each running site's cgroup with a few
 * minutes of history, the host totals, and the sorted and filtered view. */
#ifndef CTUI_TUI_SITES_H
#define CTUI_TUI_SITES_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "ctui/engine.h"

/* Seconds of history kept per running site, one sample per refresh. */
#define TUI_HISTORY 300

struct tui_history {
	char name[CTUI_NAME_MAX + 1];
	float cpu[TUI_HISTORY];            /* percent of one CPU */
	float memory[TUI_HISTORY];         /* bytes */
	size_t next;                       /* where the next sample goes */
	size_t count;                      /* samples stored, at most TUI_HISTORY */
	unsigned long long last_cpu_ns;
	struct timespec last_time;
	bool seen;                         /* still listed at the last refresh */
};

struct tui_site_row {
	struct ctui_site site;
	bool live;                         /* CPU and memory below are valid */
	double cpu_percent;
	unsigned long long memory;
	struct tui_history *history;       /* NULL when the site never ran here */
};

enum tui_sort {
	TUI_SORT_NAME,
	TUI_SORT_DOMAIN,
	TUI_SORT_STATE,
	TUI_SORT_IPV4,
	TUI_SORT_TEMPLATE,
	TUI_SORT_SHARES,
	TUI_SORT_LIMIT,
	TUI_SORT_CPU,
	TUI_SORT_MEMORY,
	TUI_SORT_COUNT
};

struct tui_sites {
	struct tui_site_row *rows;
	size_t count;
	size_t *view;                      /* indexes into ROWS, sorted and filtered */
	size_t view_count;

	struct tui_history **histories;    /* sorted by name */
	size_t n_histories;

	enum tui_sort sort;
	bool descending;
	char filter[CTUI_DOMAIN_MAX + 1];

	struct ctui_host_usage host;
	double host_cpu_percent;           /* of all CPUs, since the last refresh */
	size_t running;
	bool host_valid;
};

/* Reads the site list and every running site's usage, then rebuilds the
 * view. On failure the previous list stays. */
int tui_sites_refresh(struct tui_sites *sites, struct ctui_engine *engine,
		      struct ctui_error *err);

/* Rebuilds the view after a change of sort order or filter. */
void tui_sites_update_view(struct tui_sites *sites);

/* The row shown at view position POS, or NULL. */
const struct tui_site_row *tui_sites_at(const struct tui_sites *sites, size_t pos);

/* The view position of NAME, or -1 when it is not shown. */
long tui_sites_find(const struct tui_sites *sites, const char *name);

void tui_sites_free(struct tui_sites *sites);

/* The sample of HISTORY taken AGO refreshes back (0 is the newest); false
 * when that sample is older than what is stored. */
bool tui_history_sample(const struct tui_history *history, size_t ago, float *cpu,
			float *memory);

#endif
