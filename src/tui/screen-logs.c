/* A site's Apache logs (the files of its /var/log/apache2), the last
 * megabyte of each, scrollable, with a follow mode that rereads the file
 * every second and stays at its end. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tui/draw.h"
#include "tui/screens.h"
#include "tui/sitefs.h"
#include "util/fs.h"
#include "util/util.h"

#define TAIL_BYTES (1024 * 1024)
#define LOG_FILES_MAX 16

struct logs_state {
	char site[CTUI_NAME_MAX + 1];
	char *dir;                      /* for messages */
	int dir_fd;
	char *files[LOG_FILES_MAX];     /* names in DIR, access.log and error.log first */
	size_t n_files;
	size_t current;
	char *text;                     /* the tail of the current file */
	char **lines;                   /* pointers into TEXT */
	size_t n_lines;
	size_t top;
	size_t left;                    /* columns scrolled to the right */
	bool follow;
	char problem[CTUI_ERROR_MAX];   /* why nothing is shown, or "" */
};

static int body_rows(void)
{
	int rows = LINES - 1 - TUI_BOTTOM_ROWS;

	return rows > 1 ? rows : 1;
}

static int rank(const char *name)
{
	if (!strcmp(name, "access.log"))
		return 0;
	if (!strcmp(name, "error.log"))
		return 1;
	return 2;
}

static int compare_files(const void *a, const void *b)
{
	const char *x = *(const char *const *)a, *y = *(const char *const *)b;

	return rank(x) != rank(y) ? rank(x) - rank(y) : strcmp(x, y);
}

static void free_files(struct logs_state *st)
{
	for (size_t i = 0; i < st->n_files; i++)
		free(st->files[i]);
	st->n_files = 0;
}

/* Lists the regular files of the log directory, rotated ones included. */
static void list_files(struct logs_state *st)
{
	int fd = dup(st->dir_fd);
	DIR *dir = fd >= 0 ? fdopendir(fd) : NULL;
	struct dirent *entry;

	free_files(st);
	if (!dir) {
		snprintf(st->problem, sizeof st->problem, _("Cannot open %s: %s."), st->dir,
			 strerror(errno));
		if (fd >= 0)
			close(fd);
		return;
	}
	rewinddir(dir);
	while ((entry = readdir(dir)) && st->n_files < LOG_FILES_MAX)
		if (entry->d_type == DT_REG)
			st->files[st->n_files++] = xstrdup(entry->d_name);
	closedir(dir);
	qsort(st->files, st->n_files, sizeof st->files[0], compare_files);
	if (!st->n_files)
		snprintf(st->problem, sizeof st->problem,
			 _("No log file in %s yet; Apache writes them once the site runs."), st->dir);
}

static void split_lines(struct logs_state *st, size_t len)
{
	size_t allocated = 256;

	free(st->lines);
	st->lines = xmalloc(allocated * sizeof *st->lines);
	st->n_lines = 0;
	for (char *line = st->text; line < st->text + len;) {
		char *end = memchr(line, '\n', (size_t)(st->text + len - line));

		if (end)
			*end = '\0';
		if (st->n_lines == allocated) {
			allocated *= 2;
			st->lines = xrealloc(st->lines, allocated * sizeof *st->lines);
		}
		st->lines[st->n_lines++] = line;
		if (!end)
			break;
		line = end + 1;
	}
}

/* Reads the last TAIL_BYTES of the current file, dropping the first line
 * when it was cut. The file is opened without following a symbolic link,
 * since the site itself controls its log directory. */
static void read_tail(struct logs_state *st)
{
	const char *name;
	cleanup_close int fd = -1;
	struct stat stat_buf;
	off_t start = 0;
	ssize_t len;

	if (!st->n_files)
		return;
	st->problem[0] = '\0';
	name = st->files[st->current];
	fd = openat(st->dir_fd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0 || fstat(fd, &stat_buf) < 0 || !S_ISREG(stat_buf.st_mode)) {
		snprintf(st->problem, sizeof st->problem, _("Cannot read %s/%s: %s."), st->dir, name,
			 fd < 0 ? strerror(errno) : _("not a regular file"));
		return;
	}
	if (stat_buf.st_size > TAIL_BYTES)
		start = stat_buf.st_size - TAIL_BYTES;

	free(st->text);
	st->text = xmalloc(TAIL_BYTES + 1);
	len = pread(fd, st->text, TAIL_BYTES, start);
	if (len < 0)
		len = 0;
	st->text[len] = '\0';
	split_lines(st, (size_t)len);
	if (start > 0 && st->n_lines > 1) {
		memmove(st->lines, st->lines + 1, (st->n_lines - 1) * sizeof *st->lines);
		st->n_lines--;
	}
	/* A file that ends with a newline has an empty last line. */
	if (st->n_lines && !st->lines[st->n_lines - 1][0])
		st->n_lines--;
}

static void go_to_end(struct logs_state *st)
{
	size_t rows = (size_t)body_rows();

	st->top = st->n_lines > rows ? st->n_lines - rows : 0;
}

static void draw_logs(struct tui *tui, void *state)
{
	struct logs_state *st = state;
	char title[512];

	if (st->n_files)
		snprintf(title, sizeof title,
			 st->follow ? _(" Logs of %s: %s (%zu lines, following)") : _(" Logs of %s: %s (%zu lines)"),
			 st->site, st->files[st->current], st->n_lines);
	else
		snprintf(title, sizeof title, _(" Logs of %s"), st->site);
	tui_text(tui, 0, 0, COLS, title, tui->theme.attr[TUI_TITLE], TUI_LEFT);

	if (st->problem[0]) {
		tui_wrap(tui, 2, 2, COLS - 4, body_rows() - 1, st->problem, tui->theme.attr[TUI_ROW]);
		return;
	}
	for (int i = 0; i < body_rows() && st->top + (size_t)i < st->n_lines; i++)
		tui_text_from(1 + i, 0, COLS, st->lines[st->top + (size_t)i], st->left,
			      tui->theme.attr[TUI_ROW]);
}

static int scroll_to(struct logs_state *st, long top)
{
	long max = (long)st->n_lines - body_rows();

	if (top > max)
		top = max;
	if (top < 0)
		top = 0;
	st->top = (size_t)top;
	st->follow = st->follow && (size_t)top == (size_t)(max > 0 ? max : 0);
	return TUI_REDRAW_SCREEN;
}

static int key_up(struct tui *tui, void *state)
{
	struct logs_state *st = state;

	(void)tui;
	return scroll_to(st, (long)st->top - 1);
}

static int key_down(struct tui *tui, void *state)
{
	struct logs_state *st = state;

	(void)tui;
	return scroll_to(st, (long)st->top + 1);
}

static int key_page_up(struct tui *tui, void *state)
{
	struct logs_state *st = state;

	(void)tui;
	return scroll_to(st, (long)st->top - body_rows());
}

static int key_page_down(struct tui *tui, void *state)
{
	struct logs_state *st = state;

	(void)tui;
	return scroll_to(st, (long)st->top + body_rows());
}

static int key_home(struct tui *tui, void *state)
{
	(void)tui;
	return scroll_to(state, 0);
}

static int key_end(struct tui *tui, void *state)
{
	struct logs_state *st = state;

	(void)tui;
	return scroll_to(st, (long)st->n_lines);
}

static int key_left(struct tui *tui, void *state)
{
	struct logs_state *st = state;

	(void)tui;
	st->left = st->left > 8 ? st->left - 8 : 0;
	return TUI_REDRAW_SCREEN;
}

static int key_right(struct tui *tui, void *state)
{
	struct logs_state *st = state;

	(void)tui;
	st->left += 8;
	return TUI_REDRAW_SCREEN;
}

static int key_next_file(struct tui *tui, void *state)
{
	struct logs_state *st = state;

	(void)tui;
	if (st->n_files < 2)
		return TUI_REDRAW_NONE;
	st->current = (st->current + 1) % st->n_files;
	read_tail(st);
	go_to_end(st);
	return TUI_REDRAW_SCREEN;
}

static int key_follow(struct tui *tui, void *state)
{
	struct logs_state *st = state;

	st->follow = !st->follow;
	if (st->follow) {
		read_tail(st);
		go_to_end(st);
	}
	return tui_info(tui, st->follow ? _("Following the log.") : _("Stopped following the log.")) |
	       TUI_REDRAW_SCREEN;
}

static int key_reload(struct tui *tui, void *state)
{
	struct logs_state *st = state;

	(void)tui;
	if (st->dir_fd < 0)
		return TUI_REDRAW_NONE;
	list_files(st);
	if (st->current >= st->n_files)
		st->current = 0;
	read_tail(st);
	return TUI_REDRAW_SCREEN;
}

static int logs_tick(struct tui *tui, void *state)
{
	struct logs_state *st = state;

	(void)tui;
	if (!st->follow)
		return TUI_REDRAW_NONE;
	if (!st->n_files && st->dir_fd >= 0)
		list_files(st);
	read_tail(st);
	go_to_end(st);
	return TUI_REDRAW_SCREEN;
}

static const struct tui_key logs_keys[] = {
	{ { TUI_FN(KEY_F(1)), '?' }, N_("Help"), N_("Show the keys of this screen"), tui_key_help },
	{ { '\t' }, N_("Next file"), N_("Show the next log file"), key_next_file },
	{ { 'f', TUI_FN(KEY_F(4)) }, N_("Follow"), N_("Follow the end of the log, or stop following"), key_follow },
	{ { TUI_FN(KEY_F(5)) }, N_("Reload"), N_("Read the log again"), key_reload },
	{ { 27, 'q' }, N_("Back"), N_("Back to the previous screen"), tui_key_back },
	{ { TUI_FN(KEY_UP), 'k' }, NULL, N_("Scroll up"), key_up },
	{ { TUI_FN(KEY_DOWN), 'j' }, NULL, N_("Scroll down"), key_down },
	{ { TUI_FN(KEY_PPAGE) }, NULL, N_("Scroll up one page"), key_page_up },
	{ { TUI_FN(KEY_NPAGE), ' ' }, NULL, N_("Scroll down one page"), key_page_down },
	{ { TUI_FN(KEY_HOME), 'g' }, NULL, N_("Go to the first line"), key_home },
	{ { TUI_FN(KEY_END), 'G' }, NULL, N_("Go to the last line"), key_end },
	{ { TUI_FN(KEY_LEFT), 'h' }, NULL, N_("Scroll left"), key_left },
	{ { TUI_FN(KEY_RIGHT), 'l' }, NULL, N_("Scroll right"), key_right },
};

static void free_logs(void *state)
{
	struct logs_state *st = state;

	free_files(st);
	free(st->dir);
	if (st->dir_fd >= 0)
		close(st->dir_fd);
	free(st->text);
	free(st->lines);
	free(st);
}

const struct tui_screen tui_screen_logs = {
	.title = N_("Logs"),
	.keys = logs_keys,
	.n_keys = sizeof logs_keys / sizeof logs_keys[0],
	.draw = draw_logs,
	.tick = logs_tick,
	.free = free_logs,
};

int tui_open_logs(struct tui *tui, const char *site)
{
	struct ctui_site_paths paths = { 0 };
	struct ctui_error err = { 0 };
	struct ctui_site record;
	struct logs_state *st;
	int fd;

	if (ctui_site_get(tui->engine, site, &record, &err) < 0 ||
	    ctui_site_paths(tui->engine, &record, &paths, &err) < 0)
		return tui_error(tui, "%s", err.message);
	fd = ctui_open_dir_nofollow(paths.root, paths.log_dir, &err);

	st = xcalloc(1, sizeof *st);
	snprintf(st->site, sizeof st->site, "%s", site);
	st->dir = xasprintf("%s/%s", paths.root, paths.log_dir);
	st->dir_fd = fd;
	ctui_site_paths_free(&paths);
	if (fd < 0)
		snprintf(st->problem, sizeof st->problem, "%s", err.message);
	else
		list_files(st);
	read_tail(st);
	go_to_end(st);
	tui_push(tui, &tui_screen_logs, st);
	return TUI_REDRAW_SCREEN;
}
