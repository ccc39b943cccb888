/* A browser of a site's document root. Enter on a file edits it the way
 * sudoedit does: the editor gets a private copy. The changed copy is written
 * back through the descriptor the original was opened with, so a link that
 * the site swaps in meanwhile cannot redirect the write. New files and
 * directories, renames and deletes take their name or their confirmation
 * on a prompt line at the bottom of the list. */
#include <limits.h>
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

#define EDIT_MAX (64 * 1024 * 1024)
#define PATH_TEXT_MAX 4096

struct file_entry {
	char *name;
	char type;                  /* 'd' directory, 'f' regular file, 'l' link, '?' other */
	unsigned long long size;
};

/* The request of the prompt line. */
enum files_prompt {
	PROMPT_NONE,
	PROMPT_NEW_FILE,
	PROMPT_NEW_DIRECTORY,
	PROMPT_RENAME,
	PROMPT_DELETE,               /* a yes/no question about TARGET */
};

struct files_state {
	char site[CTUI_NAME_MAX + 1];
	char *root;                 /* the site's root on the host */
	char *document_root;        /* relative to ROOT */
	char relative[PATH_TEXT_MAX];  /* the directory shown, below the document root */
	struct file_entry *entries;
	size_t count;
	size_t selected, top;
	char problem[CTUI_ERROR_MAX];

	enum files_prompt prompt;
	char typed[NAME_MAX + 1];    /* the name typed so far, UTF-8 */
	char target[NAME_MAX + 1];   /* the entry to rename or delete */
	bool target_is_dir;
};

static int body_rows(void)
{
	int rows = LINES - 1 - TUI_BOTTOM_ROWS;

	return rows > 1 ? rows : 1;
}

static int open_current_dir(struct files_state *st, struct ctui_error *err)
{
	cleanup_free char *relative = st->relative[0] ?
		xasprintf("%s/%s", st->document_root, st->relative) : xstrdup(st->document_root);

	return ctui_open_dir_nofollow(st->root, relative, err);
}

static void free_entries(struct files_state *st)
{
	for (size_t i = 0; i < st->count; i++)
		free(st->entries[i].name);
	free(st->entries);
	st->entries = NULL;
	st->count = 0;
}

static int compare_entries(const void *a, const void *b)
{
	const struct file_entry *x = a, *y = b;

	if (!strcmp(x->name, ".."))
		return -1;
	if (!strcmp(y->name, ".."))
		return 1;
	if ((x->type == 'd') != (y->type == 'd'))
		return x->type == 'd' ? -1 : 1;
	return strcmp(x->name, y->name);
}

static void add_entry(struct files_state *st, const char *name, const struct stat *stat_buf)
{
	struct file_entry *entry;

	st->entries = xrealloc(st->entries, (st->count + 1) * sizeof *st->entries);
	entry = &st->entries[st->count++];
	entry->name = xstrdup(name);
	entry->size = (unsigned long long)stat_buf->st_size;
	entry->type = S_ISDIR(stat_buf->st_mode) ? 'd' : S_ISREG(stat_buf->st_mode) ? 'f' :
		      S_ISLNK(stat_buf->st_mode) ? 'l' : '?';
}

static void load(struct files_state *st)
{
	struct ctui_error err = { 0 };
	struct dirent *dirent;
	struct stat stat_buf;
	int fd = open_current_dir(st, &err);
	DIR *dir;

	free_entries(st);
	st->problem[0] = '\0';
	if (fd < 0) {
		snprintf(st->problem, sizeof st->problem, "%s", err.message);
		return;
	}
	dir = fdopendir(fd);
	if (!dir) {
		close(fd);
		return;
	}
	if (st->relative[0]) {
		memset(&stat_buf, 0, sizeof stat_buf);
		stat_buf.st_mode = S_IFDIR;
		add_entry(st, "..", &stat_buf);
	}
	while ((dirent = readdir(dir))) {
		if (!strcmp(dirent->d_name, ".") || !strcmp(dirent->d_name, ".."))
			continue;
		if (fstatat(dirfd(dir), dirent->d_name, &stat_buf, AT_SYMLINK_NOFOLLOW) == 0)
			add_entry(st, dirent->d_name, &stat_buf);
	}
	closedir(dir);
	qsort(st->entries, st->count, sizeof *st->entries, compare_entries);
	if (st->selected >= st->count)
		st->selected = st->count ? st->count - 1 : 0;
}

static void draw_entry(struct tui *tui, int y, const struct file_entry *entry, bool selected)
{
	unsigned attr = tui->theme.attr[selected ? TUI_ROW_SELECTED : TUI_ROW];
	const char *suffix = "";
	char name[1024], size[16];

	/* Like ls -F: a slash after directories, an at sign after links. */
	if (entry->type == 'd')
		suffix = "/";
	else if (entry->type == 'l')
		suffix = "@";
	snprintf(name, sizeof name, "%s%s", entry->name, suffix);
	tui_fill(y, 0, COLS, attr);
	tui_text(tui, y, 1, COLS - 12, name, attr, TUI_LEFT);
	if (entry->type == 'f')
		tui_text(tui, y, COLS - 10, 9, entry->size ? tui_format_size(entry->size, size) : "0B",
			 attr, TUI_RIGHT);
}

static const char *prompt_question(const struct files_state *st, char *out, size_t size)
{
	switch (st->prompt) {
	case PROMPT_NEW_FILE:
		return _("New file name: ");
	case PROMPT_NEW_DIRECTORY:
		return _("New directory name: ");
	case PROMPT_RENAME:
		snprintf(out, size, _("Rename %s to: "), st->target);
		return out;
	case PROMPT_DELETE:
		snprintf(out, size, st->target_is_dir ?
			 _("Delete the directory %s and everything in it? y deletes, other keys keep it ") :
			 _("Delete %s? y deletes, other keys keep it "), st->target);
		return out;
	case PROMPT_NONE:
		break;
	}
	return "";
}

/* The prompt takes the last row of the list, with the cursor after the
 * text typed so far. */
static void draw_prompt(struct tui *tui, const struct files_state *st, int y)
{
	char buffer[NAME_MAX + 256];
	const char *question = prompt_question(st, buffer, sizeof buffer);
	int width = tui_text_width(question);

	if (st->prompt == PROMPT_NONE)
		return;
	if (width > COLS - 2)
		width = COLS - 2;
	tui_fill(y, 0, COLS, tui->theme.attr[TUI_FIELD_ACTIVE]);
	tui_text(tui, y, 0, width, question, tui->theme.attr[TUI_FIELD_ACTIVE], TUI_LEFT);
	if (st->prompt == PROMPT_DELETE)
		return;
	tui_text(tui, y, width, COLS - width, st->typed, tui->theme.attr[TUI_FIELD_ACTIVE],
		 TUI_LEFT);
	tui_show_cursor(tui, y, width + tui_text_width(st->typed));
}

static void draw_files(struct tui *tui, void *state)
{
	struct files_state *st = state;
	size_t rows = (size_t)body_rows();
	char title[PATH_TEXT_MAX + 128];

	snprintf(title, sizeof title, _(" Files of %s: /%s/%s"), st->site, st->document_root,
		 st->relative);
	tui_text(tui, 0, 0, COLS, title, tui->theme.attr[TUI_TITLE], TUI_LEFT);
	if (st->problem[0]) {
		tui_wrap(tui, 2, 2, COLS - 4, (int)rows - 1, st->problem, tui->theme.attr[TUI_ROW]);
		return;
	}

	if (st->selected < st->top)
		st->top = st->selected;
	if (st->selected >= st->top + rows)
		st->top = st->selected - rows + 1;
	for (size_t i = 0; i < rows && st->top + i < st->count; i++)
		draw_entry(tui, 1 + (int)i, &st->entries[st->top + i], st->top + i == st->selected);
	if (!st->count)
		tui_text(tui, 2, 2, COLS - 4, _("This directory is empty."), tui->theme.attr[TUI_ROW],
			 TUI_LEFT);
	draw_prompt(tui, st, (int)rows);
}

/* Editing. */

static int read_all(int fd, char **data, size_t *len)
{
	struct stat stat_buf;
	ssize_t n;

	if (fstat(fd, &stat_buf) < 0 || !S_ISREG(stat_buf.st_mode) || stat_buf.st_size > EDIT_MAX)
		return -1;
	*data = xmalloc((size_t)stat_buf.st_size + 1);
	*len = 0;
	while ((n = pread(fd, *data + *len, (size_t)stat_buf.st_size - *len, (off_t)*len)) > 0)
		*len += (size_t)n;
	return n < 0 ? -1 : 0;
}

static int write_all(int fd, const char *data, size_t len)
{
	size_t done = 0;

	if (ftruncate(fd, 0) < 0)
		return -1;
	while (done < len) {
		ssize_t n = pwrite(fd, data + done, len - done, (off_t)done);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		done += (size_t)n;
	}
	return fsync(fd);
}

/* Writes the private copy for the editor: NAME in a new 0700 directory, so
 * the editor shows the real file name and picks the right syntax. */
static char *make_copy(const char *name, const char *data, size_t len, char **dir)
{
	const char *tmp = getenv("TMPDIR");
	char *path;
	int fd;

	*dir = xasprintf("%s/ctui-edit-XXXXXX", tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(*dir))
		return NULL;
	path = xasprintf("%s/%s", *dir, name);
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0 || write_all(fd, data, len) < 0) {
		if (fd >= 0)
			close(fd);
		unlink(path);
		free(path);
		return NULL;
	}
	close(fd);
	return path;
}

static int read_copy(const char *path, char **data, size_t *len)
{
	cleanup_close int fd = open(path, O_RDONLY | O_CLOEXEC);

	return fd < 0 ? -1 : read_all(fd, data, len);
}

/* Runs the editor on a copy of ORIGINAL (open read-write) and writes the
 * result back when the editor succeeded and changed something. */
static int edit_through_copy(struct tui *tui, int original, const char *name)
{
	cleanup_free char *before = NULL, *after = NULL, *dir = NULL, *copy = NULL;
	struct ctui_error err = { 0 };
	size_t before_len, after_len;
	int status;

	if (read_all(original, &before, &before_len) < 0)
		return tui_error(tui, _("Cannot read %s: not a regular file of at most 64 MiB."), name);
	copy = make_copy(name, before, before_len, &dir);
	if (!copy) {
		if (dir)
			rmdir(dir);
		return tui_error(tui, _("Cannot make a private copy of %s in %s: %s."), name,
				 dir ? dir : "/tmp", strerror(errno));
	}

	status = tui_run_editor(tui, copy, &err);
	if (status == 0 && read_copy(copy, &after, &after_len) < 0) {
		ctui_error_set(&err, EIO, _("cannot read the edited copy %s"), copy);
		status = -1;
	}
	unlink(copy);
	rmdir(dir);

	if (status < 0)
		return tui_error(tui, _("%s was left unchanged: %s."), name, err.message) | TUI_REDRAW_FULL;
	if (status > 0)
		return tui_error(tui, _("The editor exited with status %d; %s was left unchanged."),
				 status, name) | TUI_REDRAW_FULL;
	if (after_len == before_len && !memcmp(before, after, before_len))
		return tui_info(tui, _("%s is unchanged."), name) | TUI_REDRAW_FULL;
	if (write_all(original, after, after_len) < 0)
		return tui_error(tui, _("Cannot write %s back: %s."), name, strerror(errno)) | TUI_REDRAW_FULL;
	return tui_info(tui, _("Saved %s (%zu bytes)."), name, after_len) | TUI_REDRAW_FULL;
}

static int edit_file(struct tui *tui, struct files_state *st, const char *name)
{
	struct ctui_error err = { 0 };
	cleanup_close int dir = open_current_dir(st, &err);
	cleanup_close int fd = -1;
	int redraw;

	if (dir < 0)
		return tui_error(tui, "%s", err.message);
	fd = openat(dir, name, O_RDWR | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		return tui_error(tui, _("Cannot open %s: %s."), name, strerror(errno));

	redraw = edit_through_copy(tui, fd, name);
	load(st);
	return redraw | TUI_REDRAW_SCREEN;
}

/* Keys. */

static int go_up(struct files_state *st)
{
	char *slash = strrchr(st->relative, '/');

	if (!st->relative[0])
		return TUI_REDRAW_NONE;
	if (slash)
		*slash = '\0';
	else
		st->relative[0] = '\0';
	st->selected = st->top = 0;
	load(st);
	return TUI_REDRAW_SCREEN;
}

static int key_open(struct tui *tui, void *state)
{
	struct files_state *st = state;
	const struct file_entry *entry = st->selected < st->count ? &st->entries[st->selected] : NULL;
	size_t len = strlen(st->relative);

	if (!entry)
		return TUI_REDRAW_NONE;
	if (!strcmp(entry->name, ".."))
		return go_up(st);
	switch (entry->type) {
	case 'd':
		if (len + strlen(entry->name) + 2 > sizeof st->relative)
			return tui_error(tui, _("The path is too long."));
		snprintf(st->relative + len, sizeof st->relative - len, "%s%s", len ? "/" : "", entry->name);
		st->selected = st->top = 0;
		load(st);
		return TUI_REDRAW_SCREEN;
	case 'f':
		return edit_file(tui, st, entry->name);
	case 'l':
		return tui_error(tui, _("%s is a symbolic link; ctui does not follow links in a site's files."),
				 entry->name);
	default:
		return tui_error(tui, _("%s is neither a file nor a directory."), entry->name);
	}
}

static int key_parent(struct tui *tui, void *state)
{
	(void)tui;
	return go_up(state);
}

static int select_at(struct files_state *st, long pos)
{
	if (!st->count)
		return TUI_REDRAW_NONE;
	if (pos < 0)
		pos = 0;
	if ((size_t)pos >= st->count)
		pos = (long)st->count - 1;
	st->selected = (size_t)pos;
	return TUI_REDRAW_SCREEN;
}

static int key_up(struct tui *tui, void *state)
{
	struct files_state *st = state;

	(void)tui;
	return select_at(st, (long)st->selected - 1);
}

static int key_down(struct tui *tui, void *state)
{
	struct files_state *st = state;

	(void)tui;
	return select_at(st, (long)st->selected + 1);
}

static int key_page_up(struct tui *tui, void *state)
{
	struct files_state *st = state;

	(void)tui;
	return select_at(st, (long)st->selected - body_rows());
}

static int key_page_down(struct tui *tui, void *state)
{
	struct files_state *st = state;

	(void)tui;
	return select_at(st, (long)st->selected + body_rows());
}

static int key_reload(struct tui *tui, void *state)
{
	(void)tui;
	load(state);
	return TUI_REDRAW_SCREEN;
}

static int files_mouse(struct tui *tui, void *state, const MEVENT *event)
{
	struct files_state *st = state;
	int row = event->y - 1;

	if (row < 0 || row >= body_rows() || st->top + (size_t)row >= st->count)
		return TUI_REDRAW_NONE;
	st->selected = st->top + (size_t)row;
	if (event->bstate & BUTTON1_DOUBLE_CLICKED)
		return key_open(tui, st);
	return TUI_REDRAW_SCREEN;
}

/* Creating, renaming and deleting. */

/* Selects the entry NAME after a reload, when it is listed. */
static void select_name(struct files_state *st, const char *name)
{
	for (size_t i = 0; i < st->count; i++)
		if (!strcmp(st->entries[i].name, name))
			st->selected = i;
}

static const struct file_entry *selected_entry(const struct files_state *st)
{
	const struct file_entry *entry = st->selected < st->count ? &st->entries[st->selected] : NULL;

	return entry && strcmp(entry->name, "..") ? entry : NULL;
}

static int start_prompt(struct tui *tui, struct files_state *st, enum files_prompt prompt)
{
	const struct file_entry *entry = selected_entry(st);

	if (st->problem[0])
		return tui_error(tui, "%s", st->problem);
	if ((prompt == PROMPT_RENAME || prompt == PROMPT_DELETE) && !entry)
		return tui_error(tui, _("Select a file or directory first."));
	st->prompt = prompt;
	st->typed[0] = '\0';
	st->target[0] = '\0';
	if (entry) {
		snprintf(st->target, sizeof st->target, "%s", entry->name);
		st->target_is_dir = entry->type == 'd';
	}
	if (prompt == PROMPT_RENAME)
		snprintf(st->typed, sizeof st->typed, "%s", st->target);
	return TUI_REDRAW_SCREEN;
}

/* Runs the operation the prompt asked for, on the directory shown. */
static int finish_prompt(struct tui *tui, struct files_state *st)
{
	struct ctui_error err = { 0 };
	cleanup_close int dir = open_current_dir(st, &err);
	enum files_prompt prompt = st->prompt;
	int ret = -1;

	st->prompt = PROMPT_NONE;
	if (dir >= 0 && prompt == PROMPT_DELETE)
		ret = tui_site_delete(dir, st->target, &err);
	else if (dir >= 0 && prompt == PROMPT_RENAME)
		ret = tui_site_rename(dir, st->target, st->typed, &err);
	else if (dir >= 0)
		ret = tui_site_create(dir, st->typed, prompt == PROMPT_NEW_DIRECTORY, &err);
	load(st);
	if (ret < 0)
		return tui_error(tui, "%s.", err.message) | TUI_REDRAW_SCREEN;

	select_name(st, prompt == PROMPT_DELETE ? "" : st->typed);
	switch (prompt) {
	case PROMPT_DELETE:
		return tui_info(tui, _("Deleted %s."), st->target) | TUI_REDRAW_SCREEN;
	case PROMPT_RENAME:
		return tui_info(tui, _("Renamed %s to %s."), st->target, st->typed) | TUI_REDRAW_SCREEN;
	case PROMPT_NEW_DIRECTORY:
		return tui_info(tui, _("Created the directory %s."), st->typed) | TUI_REDRAW_SCREEN;
	case PROMPT_NEW_FILE:
	case PROMPT_NONE:
		break;
	}
	return tui_info(tui, _("Created the file %s."), st->typed) | TUI_REDRAW_SCREEN;
}

static int cancel_prompt(struct tui *tui, struct files_state *st)
{
	enum files_prompt prompt = st->prompt;

	st->prompt = PROMPT_NONE;
	if (prompt == PROMPT_DELETE)
		return tui_info(tui, _("%s was not deleted."), st->target) | TUI_REDRAW_SCREEN;
	return tui_info(tui, _("Cancelled.")) | TUI_REDRAW_SCREEN;
}

/* Appends the code point KEY to the typed name as UTF-8, when it fits. */
static void append_code_point(struct files_state *st, int key)
{
	size_t len = strlen(st->typed);
	char bytes[4];
	size_t n;

	if (key < 0x80) {
		bytes[0] = (char)key;
		n = 1;
	} else if (key < 0x800) {
		bytes[0] = (char)(0xc0 | (key >> 6));
		bytes[1] = (char)(0x80 | (key & 0x3f));
		n = 2;
	} else if (key < 0x10000) {
		bytes[0] = (char)(0xe0 | (key >> 12));
		bytes[1] = (char)(0x80 | ((key >> 6) & 0x3f));
		bytes[2] = (char)(0x80 | (key & 0x3f));
		n = 3;
	} else {
		bytes[0] = (char)(0xf0 | (key >> 18));
		bytes[1] = (char)(0x80 | ((key >> 12) & 0x3f));
		bytes[2] = (char)(0x80 | ((key >> 6) & 0x3f));
		bytes[3] = (char)(0x80 | (key & 0x3f));
		n = 4;
	}
	if (len + n < sizeof st->typed) {
		memcpy(st->typed + len, bytes, n);
		st->typed[len + n] = '\0';
	}
}

/* Removes the last UTF-8 character of the typed name. */
static void erase_code_point(struct files_state *st)
{
	size_t len = strlen(st->typed);

	while (len > 0 && (st->typed[len - 1] & 0xc0) == 0x80)
		len--;
	if (len > 0)
		len--;
	st->typed[len] = '\0';
}

/* While the prompt is open it takes every key: Enter runs the operation,
 * Esc cancels it, and the delete question takes y for yes. */
static int files_input(struct tui *tui, void *state, int key)
{
	struct files_state *st = state;

	if (st->prompt == PROMPT_NONE)
		return -1;
	if (key == 27)
		return cancel_prompt(tui, st);
	if (st->prompt == PROMPT_DELETE)
		return key == 'y' || key == 'Y' ? finish_prompt(tui, st) : cancel_prompt(tui, st);
	if (key == '\n' || key == '\r' || key == TUI_FN(KEY_ENTER))
		return finish_prompt(tui, st);
	if (key == TUI_FN(KEY_BACKSPACE) || key == 127 || key == 8)
		erase_code_point(st);
	else if (key >= 32 && key < TUI_KEY_FN)
		append_code_point(st, key);
	return TUI_REDRAW_SCREEN;
}

static int key_new_file(struct tui *tui, void *state)
{
	return start_prompt(tui, state, PROMPT_NEW_FILE);
}

static int key_new_directory(struct tui *tui, void *state)
{
	return start_prompt(tui, state, PROMPT_NEW_DIRECTORY);
}

static int key_rename(struct tui *tui, void *state)
{
	return start_prompt(tui, state, PROMPT_RENAME);
}

static int key_delete(struct tui *tui, void *state)
{
	return start_prompt(tui, state, PROMPT_DELETE);
}

static const struct tui_key files_keys[] = {
	{ { TUI_FN(KEY_F(1)), '?' }, N_("Help"), N_("Show the keys of this screen"), tui_key_help },
	{ { '\n', TUI_FN(KEY_F(4)) }, N_("Open"), N_("Open the directory, or edit the file in $VISUAL or $EDITOR"),
	  key_open },
	{ { TUI_FN(KEY_BACKSPACE), TUI_FN(KEY_LEFT), 127 }, N_("Parent"), N_("Go to the parent directory"),
	  key_parent },
	{ { TUI_FN(KEY_F(2)), 'n' }, N_("New"), N_("Create an empty file in this directory"),
	  key_new_file },
	{ { TUI_FN(KEY_F(5)) }, NULL, N_("Read the directory again"), key_reload },
	{ { TUI_FN(KEY_F(6)), 'r' }, N_("Rename"), N_("Rename the selected file or directory"),
	  key_rename },
	{ { TUI_FN(KEY_F(7)), 'm' }, N_("Mkdir"), N_("Create a directory in this directory"),
	  key_new_directory },
	{ { TUI_FN(KEY_F(8)), TUI_FN(KEY_DC), 'd' }, N_("Delete"),
	  N_("Delete the selected file or directory, after a question"),
	  key_delete },
	{ { 27, 'q' }, N_("Back"), N_("Back to the previous screen"), tui_key_back },
	{ { TUI_FN(KEY_UP), 'k' }, NULL, N_("Select the previous entry"), key_up },
	{ { TUI_FN(KEY_DOWN), 'j' }, NULL, N_("Select the next entry"), key_down },
	{ { TUI_FN(KEY_PPAGE) }, NULL, N_("Move the selection up one page"), key_page_up },
	{ { TUI_FN(KEY_NPAGE) }, NULL, N_("Move the selection down one page"), key_page_down },
};

static void free_files(void *state)
{
	struct files_state *st = state;

	free_entries(st);
	free(st->root);
	free(st->document_root);
	free(st);
}

const struct tui_screen tui_screen_files = {
	.title = N_("Files"),
	.keys = files_keys,
	.n_keys = sizeof files_keys / sizeof files_keys[0],
	.draw = draw_files,
	.input = files_input,
	.mouse = files_mouse,
	.free = free_files,
};

int tui_open_files(struct tui *tui, const char *site)
{
	struct ctui_site_paths paths = { 0 };
	struct ctui_error err = { 0 };
	struct ctui_site record;
	struct files_state *st;

	if (ctui_site_get(tui->engine, site, &record, &err) < 0 ||
	    ctui_site_paths(tui->engine, &record, &paths, &err) < 0)
		return tui_error(tui, "%s", err.message);

	st = xcalloc(1, sizeof *st);
	snprintf(st->site, sizeof st->site, "%s", site);
	st->root = steal_pointer(&paths.root);
	st->document_root = xstrdup(paths.document_root);
	ctui_site_paths_free(&paths);
	load(st);
	tui_push(tui, &tui_screen_files, st);
	return TUI_REDRAW_SCREEN;
}
