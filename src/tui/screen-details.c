/* Everything about one site: its row, limits, addresses, vhost and DNS
 * record, uptime and, while it runs, what its cgroup reports. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "tui/draw.h"
#include "tui/screens.h"
#include "util/util.h"

#define DETAIL_LINES 40
#define LABEL_WIDTH 20

struct details_state {
	char site[CTUI_NAME_MAX + 1];
	struct {
		const char *label;      /* translated */
		char value[CTUI_ERROR_MAX];
	} lines[DETAIL_LINES];
	int count;
	int top;
	bool gone;                  /* the site no longer exists */
};

static void add(struct details_state *st, const char *label, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void add(struct details_state *st, const char *label, const char *fmt, ...)
{
	va_list ap;

	if (st->count == DETAIL_LINES)
		return;
	st->lines[st->count].label = label;
	va_start(ap, fmt);
	vsnprintf(st->lines[st->count].value, sizeof st->lines[st->count].value, fmt, ap);
	va_end(ap);
	st->count++;
}

static const char *format_time(time_t when, char *out, size_t size)
{
	struct tm tm;

	localtime_r(&when, &tm);
	strftime(out, size, "%Y-%m-%d %H:%M:%S", &tm);
	return out;
}

/* A CPU cap as "25%", or "none". */
static const char *format_cpu_max(unsigned percent, char *out, size_t size)
{
	if (!percent)
		return _("none");
	snprintf(out, size, "%u%%", percent);
	return out;
}

static void add_usage(struct tui *tui, struct details_state *st, const struct ctui_site *site)
{
	struct ctui_site_usage usage;
	struct ctui_error err = { 0 };
	char size[16], cap[16];

	if (ctui_site_usage_of(tui->engine, site, &usage, &err) < 0) {
		add(st, _("Usage"), "%s", err.message);
		return;
	}
	add(st, _("CPU time used"), _("%.2f s"), (double)usage.cpu_ns / 1e9);
	add(st, _("Memory used"), "%s", tui_format_size(usage.memory, size));
	add(st, _("Tasks"), "%u", usage.pids);
	add(st, _("Kernel CPU"), _("shares %u, cap %s"), usage.limits.cpu_shares,
	    format_cpu_max(usage.limits.cpu_max, cap, sizeof cap));
	add(st, _("Kernel memory limit"), "%s", usage.limits.memory ? tui_format_size(usage.limits.memory, size) : _("none"));
	add(st, _("Kernel task limit"), "%u", usage.limits.pids);
}

static const char *on_off(bool on)
{
	return on ? _("on") : _("off");
}

/* The certificate as the files show it now, with the reason when the site
 * is not on HTTPS yet, and what Apache does about it. */
static void add_https(struct tui *tui, struct details_state *st, const struct ctui_site *site)
{
	struct ctui_tls_status status;
	struct ctui_error err = { 0 };

	add(st, _("DNS record kind"), "%s", site->record == CTUI_RECORD_CNAME ?
		_("CNAME to the zone") : _("A and AAAA: the host's addresses"));
	if (ctui_site_tls_status(tui->engine, site->name, &status, &err) < 0) {
		add(st, _("Certificate"), "%s", err.message);
	} else {
		add(st, _("Certificate"), "%s", ctui_tls_state_label(status.state));
		if (status.reason[0])
			add(st, _("Not on HTTPS"), "%s", status.reason);
	}
	add(st, _("HTTP to HTTPS"), _("%s (R changes it)"), on_off(site->redirect));
	add(st, _("HSTS"), _("%s (H changes it)"), on_off(site->hsts));
}

static void add_sftp(struct tui *tui, struct details_state *st, const struct ctui_site *site)
{
	cleanup_free char *command = ctui_site_sftp_command(tui->engine, site);

	if (command)
		add(st, _("SFTP"), "%s", command);
}

static void add_site(struct tui *tui, struct details_state *st, const struct ctui_site *site)
{
	struct ctui_site_paths paths = { 0 };
	struct ctui_error err = { 0 };
	char text[64], duration[32];

	add(st, _("Name"), "%s", site->name);
	add(st, _("Domain"), "%s", site->domain);
	add(st, _("State"), "%s", ctui_state_label(site->state));
	add(st, _("IPv4 address"), "%s", tui_format_ipv4(site->ipv4, text));
	add(st, _("Template"), _("%s, version %s"), site->template_name, site->template_version);
	add(st, _("Storage"), "%s", ctui_storage_name(site->storage));
	if (site->storage == CTUI_STORAGE_IMAGE)
		add(st, _("Disk size"), "%s", tui_format_size(site->limits.disk, text));
	add(st, _("CPU"), _("shares %u, cap %s (L changes the limits)"), site->limits.cpu_shares,
	    format_cpu_max(site->limits.cpu_max, text, sizeof text));
	add(st, _("Memory limit"), "%s", site->limits.memory ? tui_format_size(site->limits.memory, text) : _("none"));
	add(st, _("Task limit"), "%u", site->limits.pids);
	add(st, _("Owner"), "%s", site->owner);
	add(st, _("Created"), "%s", format_time(site->created, text, sizeof text));
	add(st, _("Changed"), "%s", format_time(site->changed, text, sizeof text));

	if (ctui_site_paths(tui->engine, site, &paths, &err) == 0) {
		add(st, _("Apache vhost"), "%s", paths.vhost);
		add(st, _("DNS record"), "%s", paths.dns_record[0] ? paths.dns_record : _("none: the domain is outside the zone"));
		add(st, _("Document root"), "%s/%s", paths.root, paths.document_root);
		add(st, _("Log directory"), "%s/%s", paths.root, paths.log_dir);
		ctui_site_paths_free(&paths);
	}

	if (site->state == CTUI_STATE_RUNNING || site->state == CTUI_STATE_STARTING) {
		add(st, _("Init process"), "%d", (int)site->init_pid);
		add(st, _("Uptime"), "%s", tui_format_duration(ctui_site_uptime(site), duration));
		add_usage(tui, st, site);
	} else if (site->state == CTUI_STATE_CRASHED) {
		add(st, _("Init process"), _("%d, gone: restart the site with r"), (int)site->init_pid);
	}
	/* Last, so that the uptime and usage of a running site fit on 24 lines. */
	add_https(tui, st, site);
	add(st, _("Resource model"), "%s", site->model[0] ? site->model : _("none"));
	add_sftp(tui, st, site);
}

static int load(struct tui *tui, struct details_state *st)
{
	struct ctui_error err = { 0 };
	struct ctui_site site;

	st->count = 0;
	if (ctui_site_get(tui->engine, st->site, &site, &err) < 0) {
		st->gone = true;
		add(st, _("Error"), "%s", err.message);
		return TUI_REDRAW_SCREEN;
	}
	st->gone = false;
	add_site(tui, st, &site);
	return TUI_REDRAW_SCREEN;
}

static int body_rows(void)
{
	return LINES - 1 - TUI_BOTTOM_ROWS;
}

static void draw_details(struct tui *tui, void *state)
{
	struct details_state *st = state;
	char title[128];

	snprintf(title, sizeof title, _(" Site %s"), st->site);
	tui_text(tui, 0, 0, COLS, title, tui->theme.attr[TUI_TITLE], TUI_LEFT);
	for (int i = 0; i < body_rows() && st->top + i < st->count; i++) {
		int line = st->top + i;

		tui_text(tui, 1 + i, 1, LABEL_WIDTH, st->lines[line].label, tui->theme.attr[TUI_PANEL],
			 TUI_LEFT);
		tui_text(tui, 1 + i, LABEL_WIDTH + 2, COLS - LABEL_WIDTH - 2, st->lines[line].value,
			 tui->theme.attr[TUI_ROW], TUI_LEFT);
	}
}

static int scroll_by(struct details_state *st, int by)
{
	int max = st->count - body_rows();

	st->top += by;
	if (st->top > max)
		st->top = max;
	if (st->top < 0)
		st->top = 0;
	return TUI_REDRAW_SCREEN;
}

static int key_up(struct tui *tui, void *state)
{
	(void)tui;
	return scroll_by(state, -1);
}

static int key_down(struct tui *tui, void *state)
{
	(void)tui;
	return scroll_by(state, 1);
}

static int launch(struct tui *tui, struct details_state *st, enum tui_job_kind kind)
{
	struct tui_job_request request = { .kind = kind };

	snprintf(request.name, sizeof request.name, "%s", st->site);
	return tui_launch(tui, &request, tui_job_kind_cancellable(kind), NULL);
}

static int key_start(struct tui *tui, void *state)
{
	return launch(tui, state, TUI_JOB_START);
}

static int key_stop(struct tui *tui, void *state)
{
	return launch(tui, state, TUI_JOB_STOP);
}

static int key_restart(struct tui *tui, void *state)
{
	return launch(tui, state, TUI_JOB_RESTART);
}

static int key_logs(struct tui *tui, void *state)
{
	struct details_state *st = state;

	return tui_open_logs(tui, st->site);
}

static int key_files(struct tui *tui, void *state)
{
	struct details_state *st = state;

	return tui_open_files(tui, st->site);
}

/* Flips the redirect (REDIRECT set) or HSTS of the site through the engine,
 * which rewrites the vhost and reloads Apache in the worker. */
static int toggle(struct tui *tui, struct details_state *st, bool redirect)
{
	struct tui_job_request request = { .kind = TUI_JOB_SET };
	struct ctui_error err = { 0 };
	struct ctui_site site;
	enum ctui_setting *setting;
	bool on;

	if (ctui_site_get(tui->engine, st->site, &site, &err) < 0)
		return tui_error(tui, "%s", err.message);
	setting = redirect ? &request.settings.redirect : &request.settings.hsts;
	on = redirect ? site.redirect : site.hsts;
	*setting = on ? CTUI_SETTING_OFF : CTUI_SETTING_ON;
	snprintf(request.name, sizeof request.name, "%s", st->site);
	return tui_launch(tui, &request, false, NULL);
}

static int key_redirect(struct tui *tui, void *state)
{
	return toggle(tui, state, true);
}

static int key_hsts(struct tui *tui, void *state)
{
	return toggle(tui, state, false);
}

static int key_limits(struct tui *tui, void *state)
{
	struct details_state *st = state;

	return tui_open_limits(tui, st->site);
}

static int details_tick(struct tui *tui, void *state)
{
	return load(tui, state);
}

static int details_job_done(struct tui *tui, void *state, const struct tui_job *job)
{
	struct details_state *st = state;

	if (job->request.kind == TUI_JOB_DESTROY && job->state == TUI_JOB_SUCCEEDED &&
	    !strcmp(job->request.name, st->site)) {
		tui_remove(tui, state);
		return TUI_REDRAW_SCREEN;
	}
	return load(tui, st);
}

static const struct tui_key details_keys[] = {
	{ { TUI_FN(KEY_F(1)), '?' }, N_("Help"), N_("Show the keys of this screen"), tui_key_help },
	{ { TUI_FN(KEY_F(3)), 's' }, N_("Start"), N_("Start the site"), key_start },
	{ { TUI_FN(KEY_F(5)), 'x' }, N_("Stop"), N_("Stop the site"), key_stop },
	{ { TUI_FN(KEY_F(7)), 'r' }, N_("Restart"), N_("Restart the site"), key_restart },
	{ { TUI_FN(KEY_F(8)), 'l' }, N_("Logs"), N_("Show the site's Apache logs"), key_logs },
	{ { 'e' }, N_("Files"), N_("Browse and edit the site's files"), key_files },
	{ { 27, 'q' }, N_("Back"), N_("Back to the site list"), tui_key_back },
	{ { 'R' }, NULL, N_("Turn the redirect from HTTP to HTTPS on or off"), key_redirect },
	{ { 'H' }, NULL, N_("Turn HSTS (Strict-Transport-Security) on or off"), key_hsts },
	{ { 'L' }, NULL, N_("Change the CPU, memory, task and disk limits"), key_limits },
	{ { TUI_FN(KEY_UP), 'k' }, NULL, N_("Scroll up"), key_up },
	{ { TUI_FN(KEY_DOWN), 'j' }, NULL, N_("Scroll down"), key_down },
};

static void free_details(void *state)
{
	free(state);
}

const struct tui_screen tui_screen_details = {
	.title = N_("Site details"),
	.keys = details_keys,
	.n_keys = sizeof details_keys / sizeof details_keys[0],
	.draw = draw_details,
	.tick = details_tick,
	.job_done = details_job_done,
	.free = free_details,
};

int tui_open_details(struct tui *tui, const char *site)
{
	struct details_state *st = xcalloc(1, sizeof *st);

	snprintf(st->site, sizeof st->site, "%s", site);
	load(tui, st);
	tui_push(tui, &tui_screen_details, st);
	return TUI_REDRAW_SCREEN;
}
