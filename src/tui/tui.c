/* The interface's entry point and main loop: the terminal set up and always
 * restored, one poll() over the keyboard and the workers' pipes, a refresh
 * of the sites once a second, and drawing when a handler asked for it. */
#include "tui/tui.h"

#include <errno.h>
#include <fcntl.h>
#include <langinfo.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "tui/draw.h"
#include "tui/screens.h"
#include "util/util.h"

#define TICK_MS 1000

static volatile sig_atomic_t signal_quit;       /* SIGTERM, SIGHUP: leave now */
static volatile sig_atomic_t signal_interrupt;  /* SIGINT: like q */

/* While curses owns the terminal, stderr goes to an anonymous file and is
 * replayed once the terminal is restored, so that no stray message from a
 * library garbles the screen. */
static int saved_stderr = -1;
static int captured_stderr = -1;

static void capture_stderr(void)
{
	saved_stderr = fcntl(STDERR_FILENO, F_DUPFD_CLOEXEC, 3);
	captured_stderr = memfd_create("ctui-stderr", MFD_CLOEXEC);
	if (saved_stderr < 0 || captured_stderr < 0)
		return;
	dup2(captured_stderr, STDERR_FILENO);
}

/* Puts the real stderr back; with REPLAY, copies what was captured to it. */
static void release_stderr(bool replay)
{
	char buffer[4096];
	ssize_t n;

	if (saved_stderr < 0)
		return;
	dup2(saved_stderr, STDERR_FILENO);
	if (!replay || captured_stderr < 0)
		return;
	lseek(captured_stderr, 0, SEEK_SET);
	while ((n = read(captured_stderr, buffer, sizeof buffer)) > 0)
		if (write(STDERR_FILENO, buffer, (size_t)n) < 0)
			break;
	close(captured_stderr);
	close(saved_stderr);
	captured_stderr = saved_stderr = -1;
}

/* Hands the terminal to a child (the editor) and takes it back. */
static void suspend_terminal(void)
{
	def_prog_mode();
	endwin();
	release_stderr(false);
}

static void resume_terminal(void)
{
	if (captured_stderr >= 0)
		dup2(captured_stderr, STDERR_FILENO);
	reset_prog_mode();
	clearok(curscr, TRUE);
}

static void restore_terminal(void)
{
	if (!isendwin())
		endwin();
	release_stderr(true);
}

static void on_signal(int sig)
{
	if (sig == SIGINT)
		signal_interrupt = 1;
	else
		signal_quit = 1;
}

/* A crash leaves the terminal usable: endwin() is not async-signal-safe,
 * but the process is about to die anyway, and the signal is raised again
 * with its default action (a core dump) once the handler returns. */
static void on_fatal_signal(int sig)
{
	endwin();
	signal(sig, SIG_DFL);
	raise(sig);
}

static void install_signals(void)
{
	static const int fatal[] = { SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT };
	struct sigaction action = { .sa_handler = on_signal };
	struct sigaction crash = { .sa_handler = on_fatal_signal, .sa_flags = SA_RESETHAND };

	sigemptyset(&action.sa_mask);
	sigaction(SIGINT, &action, NULL);
	sigaction(SIGTERM, &action, NULL);
	sigaction(SIGHUP, &action, NULL);
	signal(SIGPIPE, SIG_IGN);

	sigemptyset(&crash.sa_mask);
	for (size_t i = 0; i < sizeof fatal / sizeof fatal[0]; i++)
		sigaction(fatal[i], &crash, NULL);
}

static bool start_curses(struct tui *tui)
{
	if (!initscr())
		return false;
	tui->utf8 = !strcmp(nl_langinfo(CODESET), "UTF-8");
	cbreak();
	noecho();
	nonl();
	keypad(stdscr, TRUE);
	nodelay(stdscr, TRUE);
	set_escdelay(25);
	curs_set(0);
	mousemask(BUTTON1_CLICKED | BUTTON1_DOUBLE_CLICKED | BUTTON1_PRESSED | BUTTON4_PRESSED |
			  BUTTON5_PRESSED,
		  NULL);
	mouseinterval(200);
	tui_theme_apply(&tui->theme);
	bkgdset(' ' | tui->theme.attr[TUI_ROW]);
	return true;
}

/* The stack of screens. */

void tui_push(struct tui *tui, const struct tui_screen *screen, void *state)
{
	if (tui->depth == TUI_STACK_MAX) {
		if (screen->free)
			screen->free(state);
		tui_error(tui, _("Too many screens are open; close one with Esc first."));
		return;
	}
	tui->stack[tui->depth].screen = screen;
	tui->stack[tui->depth].state = state;
	tui->depth++;
}

void tui_pop(struct tui *tui)
{
	const struct tui_screen *screen;
	void *state;

	if (tui->depth <= 1)
		return;
	tui->depth--;
	screen = tui->stack[tui->depth].screen;
	state = tui->stack[tui->depth].state;
	if (screen->free)
		screen->free(state);
}

void tui_remove(struct tui *tui, void *state)
{
	for (size_t i = 1; i < tui->depth; i++) {
		const struct tui_screen *screen = tui->stack[i].screen;

		if (tui->stack[i].state != state)
			continue;
		memmove(&tui->stack[i], &tui->stack[i + 1], (tui->depth - i - 1) * sizeof tui->stack[0]);
		tui->depth--;
		if (screen->free)
			screen->free(state);
		return;
	}
}

void *tui_top_state(struct tui *tui)
{
	return tui->stack[tui->depth - 1].state;
}

const struct tui_screen *tui_top(struct tui *tui)
{
	return tui->stack[tui->depth - 1].screen;
}

/* The status line. */

static void set_status(struct tui *tui, bool error, const char *fmt, va_list ap)
{
	vsnprintf(tui->status, sizeof tui->status, fmt, ap);
	tui->status_error = error;
}

int tui_info(struct tui *tui, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	set_status(tui, false, fmt, ap);
	va_end(ap);
	return TUI_REDRAW_STATUS;
}

int tui_error(struct tui *tui, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	set_status(tui, true, fmt, ap);
	va_end(ap);
	syslog(LOG_ERR, "tui: %s", tui->status);
	return TUI_REDRAW_STATUS;
}

static void draw_status(struct tui *tui)
{
	int y = LINES - TUI_BOTTOM_ROWS, jobs_width = 0;
	char jobs[160] = "", title[128];
	size_t running = 0;
	struct tui_job *first = NULL;

	for (size_t i = 0; i < tui->jobs.count; i++) {
		if (tui->jobs.jobs[i]->state != TUI_JOB_RUNNING)
			continue;
		if (!first)
			first = tui->jobs.jobs[i];
		running++;
	}
	if (running == 1)
		snprintf(jobs, sizeof jobs, _("%s (%.0f s)"), tui_job_title(first, title, sizeof title),
			 tui_job_elapsed(first));
	else if (running > 1)
		snprintf(jobs, sizeof jobs, _("%zu operations running"), running);
	if (running)
		jobs_width = tui_text_width(jobs) + 1;
	if (jobs_width > COLS / 2)
		jobs_width = COLS / 2;

	tui_text(tui, y, 0, COLS - jobs_width, tui->status,
		 tui->theme.attr[tui->status_error ? TUI_STATUS_ERROR : TUI_STATUS], TUI_LEFT);
	if (jobs_width)
		tui_text(tui, y, COLS - jobs_width, jobs_width, jobs, tui->theme.attr[TUI_STATE_BUSY],
			 TUI_RIGHT);
}

void tui_show_cursor(struct tui *tui, int y, int x)
{
	tui->cursor = true;
	tui->cursor_y = y;
	tui->cursor_x = x < COLS ? x : COLS - 1;
}

/* Drawing: from the highest screen that is not an overlay up to the top. */

static void draw(struct tui *tui, int redraw)
{
	size_t first = tui->depth - 1;

	if (redraw & TUI_REDRAW_FULL)
		clearok(curscr, TRUE);
	if (redraw & (TUI_REDRAW_SCREEN | TUI_REDRAW_FULL)) {
		werase(stdscr);
		while (first > 0 && tui->stack[first].screen->overlay)
			first--;
		tui->cursor = false;
		for (size_t i = first; i < tui->depth; i++)
			tui->stack[i].screen->draw(tui, tui->stack[i].state);
		tui_draw_footer(tui);
	}
	draw_status(tui);
	curs_set(tui->cursor ? 1 : 0);
	if (tui->cursor)
		move(tui->cursor_y, tui->cursor_x);
	wnoutrefresh(stdscr);
	doupdate();
}

/* Events. */

static int handle_mouse(struct tui *tui)
{
	const struct tui_screen *screen = tui_top(tui);
	MEVENT event;

	if (getmouse(&event) != OK)
		return TUI_REDRAW_NONE;
	if (event.y == LINES - 1 && (event.bstate & (BUTTON1_CLICKED | BUTTON1_PRESSED))) {
		int redraw = tui_footer_click(tui, event.x);

		if (redraw >= 0)
			return redraw;
	}
	return screen->mouse ? screen->mouse(tui, tui_top_state(tui), &event) : TUI_REDRAW_NONE;
}

static int handle_key(struct tui *tui, int key)
{
	const struct tui_screen *screen = tui_top(tui);
	void *state = tui_top_state(tui);
	int redraw;

	if (key == TUI_FN(KEY_RESIZE))
		return TUI_REDRAW_FULL;
	if (key == TUI_FN(KEY_MOUSE))
		return handle_mouse(tui);
	if (screen->input) {
		redraw = screen->input(tui, state, key);
		if (redraw >= 0)
			return redraw;
	}
	redraw = tui_dispatch_key(tui, screen, state, key);
	if (redraw >= 0)
		return redraw;

	switch (key) {
	case TUI_FN(KEY_F(1)):
	case '?':
		return tui_key_help(tui, state);
	case TUI_FN(KEY_F(10)):
		return tui_key_quit(tui, state);
	case TUI_CTRL('l'):
		return TUI_REDRAW_FULL;
	default:
		return TUI_REDRAW_NONE;
	}
}

static int read_keys(struct tui *tui)
{
	int redraw = TUI_REDRAW_NONE;
	wint_t wch;
	int kind;

	while ((kind = get_wch(&wch)) != ERR) {
		int key = kind == KEY_CODE_YES ? TUI_FN((int)wch) : (int)wch;

		redraw |= handle_key(tui, key);
		if (tui->quit)
			break;
	}
	return redraw;
}

static int refresh_sites(struct tui *tui);

/* A job ended: its result goes to the status line and to every screen, and
 * a start that was cancelled meanwhile is followed by a stop. */
static int end_job(struct tui *tui, struct tui_job *job)
{
	struct tui_job_request stop;
	char text[CTUI_ERROR_MAX];
	int redraw = TUI_REDRAW_SCREEN;
	bool undo;

	tui_job_result(job, text, sizeof text);
	if (job->state == TUI_JOB_FAILED)
		tui_error(tui, "%s", text);
	else
		tui_info(tui, "%s", text);

	for (size_t i = tui->depth; i-- > 0;)
		if (tui->stack[i].screen->job_done)
			redraw |= tui->stack[i].screen->job_done(tui, tui->stack[i].state, job);

	undo = job->undo_requested && job->state == TUI_JOB_SUCCEEDED;
	if (undo && job->request.kind == TUI_JOB_BACKUP) {
		/* The archive of a cancelled backup is complete: only deleting it is left. */
		if (job->result[0] && unlink(job->result) < 0)
			tui_error(tui, _("Cannot delete %s of the cancelled backup: %s."), job->result,
				  strerror(errno));
		undo = false;
	}
	stop = job->request;
	tui_job_remove(&tui->jobs, job);
	if (undo) {
		stop.kind = TUI_JOB_STOP;
		stop.undo = true;
		redraw |= tui_launch(tui, &stop, false, NULL);
		tui_info(tui, _("The start of site %s was cancelled; stopping it again."), stop.name);
	}
	redraw |= refresh_sites(tui);
	return redraw;
}

static int read_jobs(struct tui *tui, const struct pollfd *fds, size_t n_fds)
{
	int redraw = TUI_REDRAW_NONE;

	for (size_t i = 0; i < n_fds; i++) {
		struct tui_job *job = NULL;

		if (!fds[i].revents)
			continue;
		for (size_t j = 0; j < tui->jobs.count; j++)
			if (tui->jobs.jobs[j]->fd == fds[i].fd)
				job = tui->jobs.jobs[j];
		if (!job)
			continue;
		redraw |= TUI_REDRAW_SCREEN;
		if (tui_job_read(job))
			redraw |= end_job(tui, job);
	}
	return redraw;
}

static long long now_ns(clockid_t clock)
{
	struct timespec ts;

	clock_gettime(clock, &ts);
	return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static void write_trace(struct tui *tui, const char *what, long long value)
{
	char line[96];
	int len;

	if (tui->trace_fd < 0)
		return;
	len = snprintf(line, sizeof line, "%s %lld\n", what, value);
	if (write(tui->trace_fd, line, (size_t)len) < 0) {
		close(tui->trace_fd);
		tui->trace_fd = -1;
	}
}

static int refresh_sites(struct tui *tui)
{
	struct ctui_error err = { 0 };

	/* Nothing is readable before the login. */
	if (!tui->identity.authenticated)
		return TUI_REDRAW_NONE;
	if (tui_sites_refresh(&tui->sites, tui->engine, &err) < 0)
		return tui_error(tui, _("Cannot read the sites: %s"), err.message);
	return TUI_REDRAW_SCREEN;
}

static int tick(struct tui *tui)
{
	int redraw = refresh_sites(tui);

	for (size_t i = 0; i < tui->depth; i++)
		if (tui->stack[i].screen->tick)
			redraw |= tui->stack[i].screen->tick(tui, tui->stack[i].state);
	return redraw;
}

static int poll_events(struct tui *tui, int timeout_ms)
{
	struct pollfd fds[1 + TUI_JOBS_MAX];
	size_t n = 0;

	fds[n++] = (struct pollfd){ .fd = STDIN_FILENO, .events = POLLIN };
	for (size_t i = 0; i < tui->jobs.count; i++)
		if (tui->jobs.jobs[i]->fd >= 0)
			fds[n++] = (struct pollfd){ .fd = tui->jobs.jobs[i]->fd, .events = POLLIN };

	if (poll(fds, n, timeout_ms) < 0) {
		/* A signal: SIGWINCH shows up as KEY_RESIZE in read_keys(). */
		return read_keys(tui);
	}
	return read_keys(tui) | read_jobs(tui, fds + 1, n - 1);
}

static void run_loop(struct tui *tui)
{
	long long next_tick = now_ns(CLOCK_MONOTONIC) + TICK_MS * 1000000LL;
	int redraw = TUI_REDRAW_FULL;

	while (!tui->quit) {
		long long now, cpu_before;
		int timeout;

		if (redraw)
			draw(tui, redraw);
		now = now_ns(CLOCK_MONOTONIC);
		timeout = now >= next_tick ? 0 : (int)((next_tick - now) / 1000000) + 1;
		redraw = poll_events(tui, timeout);

		if (signal_quit)
			break;
		if (signal_interrupt) {
			signal_interrupt = 0;
			redraw |= tui_request_quit(tui);
		}
		if (now_ns(CLOCK_MONOTONIC) < next_tick)
			continue;

		cpu_before = now_ns(CLOCK_PROCESS_CPUTIME_ID);
		redraw |= tick(tui);
		draw(tui, redraw);
		redraw = TUI_REDRAW_NONE;
		write_trace(tui, "refresh_cpu_ns", now_ns(CLOCK_PROCESS_CPUTIME_ID) - cpu_before);
		next_tick += TICK_MS * 1000000LL;
		if (next_tick < now_ns(CLOCK_MONOTONIC))
			next_tick = now_ns(CLOCK_MONOTONIC) + TICK_MS * 1000000LL;
	}
}

/* Quitting, jobs and the editor. */

int tui_request_quit(struct tui *tui)
{
	for (size_t i = 0; i < tui->jobs.count; i++)
		if (tui->jobs.jobs[i]->state == TUI_JOB_RUNNING)
			return tui_open_confirm_quit(tui);
	tui->quit = true;
	return TUI_REDRAW_NONE;
}

int tui_launch(struct tui *tui, const struct tui_job_request *request, bool progress,
	       unsigned *id)
{
	struct ctui_error err = { 0 };
	struct tui_job *busy = tui_job_busy(&tui->jobs, request->name,
					    request->kind == TUI_JOB_BUILD);
	struct tui_job *job;
	char title[256];

	if (id)
		*id = 0;
	if (busy)
		return tui_error(tui, _("Wait for this to finish first: %s."),
				 tui_job_title(busy, title, sizeof title));
	if (tui_job_start(&tui->jobs, request, tui->config_path, tui->actor, &tui->identity, &job,
			  &err) < 0)
		return tui_error(tui, "%s", err.message);

	if (id)
		*id = job->id;
	tui_info(tui, "%s", tui_job_title(job, title, sizeof title));
	if (progress)
		tui_open_progress(tui, job->id);
	return TUI_REDRAW_SCREEN;
}

/* Set up and tear down. */

static int open_trace(void)
{
	const char *path = getenv("CTUI_TUI_TRACE");

	if (!path || !*path)
		return -1;
	return open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
}

static void free_tui(struct tui *tui)
{
	while (tui->depth > 1)
		tui_pop(tui);
	if (tui->depth == 1 && tui->stack[0].screen->free)
		tui->stack[0].screen->free(tui->stack[0].state);
	while (tui->jobs.count)
		tui_job_remove(&tui->jobs, tui->jobs.jobs[0]);
	tui_sites_free(&tui->sites);
	ctui_engine_close(tui->engine);
	if (tui->trace_fd >= 0)
		close(tui->trace_fd);
}

int tui_main(const char *config_path, const char *actor, const char *theme)
{
	struct tui tui = { .config_path = config_path, .actor = actor, .trace_fd = open_trace() };
	struct ctui_error err = { 0 };

	if (ctui_engine_open(&tui.engine, config_path, actor, &err) < 0) {
		fprintf(stderr, "ctui: %s\n", err.message);
		return 1;
	}
	/* --theme wins over [tui] theme of ctui.conf. */
	if (tui_theme_load(&tui.theme, theme ? theme : ctui_engine_config(tui.engine)->theme,
			   &err) < 0) {
		fprintf(stderr, "ctui: %s\n", err.message);
		ctui_engine_close(tui.engine);
		return 2;
	}

	ctui_oom_hook = restore_terminal;
	install_signals();
	capture_stderr();
	if (!start_curses(&tui)) {
		release_stderr(true);
		fprintf(stderr, _("ctui: cannot start the interface on this terminal (TERM=%s)\n"),
			getenv("TERM") ? getenv("TERM") : "");
		ctui_engine_close(tui.engine);
		return 1;
	}

	if (ctui_auth_ldap_enabled(tui.engine)) {
		ctui_auth_require_login(tui.engine);
		tui_open_login(&tui);
	} else {
		tui_open_main(&tui);
	}
	ctui_auth_identity(tui.engine, &tui.identity);
	refresh_sites(&tui);
	draw(&tui, TUI_REDRAW_FULL);
	write_trace(&tui, "first_screen_realtime_ns", now_ns(CLOCK_REALTIME));
	run_loop(&tui);

	restore_terminal();
	ctui_oom_hook = NULL;
	free_tui(&tui);
	return 0;
}

void tui_suspend_terminal(void)
{
	suspend_terminal();
}

void tui_resume_terminal(void)
{
	resume_terminal();
}
