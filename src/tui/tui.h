/* The interactive interface: a stack of screens over one engine, driven by
 * one loop that waits on the keyboard, the workers' pipes and a one-second
 * timer. Key handlers change state and return what must be redrawn; only
 * the loop draws. */
#ifndef CTUI_TUI_H
#define CTUI_TUI_H

#include <curses.h>
#include <stdbool.h>
#include <stddef.h>

#include "ctui/auth.h"
#include "ctui/engine.h"
#include "tui/job.h"
#include "tui/sites.h"
#include "tui/theme.h"
#include "tui/tui-main.h"

/* The parts of the terminal a handler requests to redraw, as bit flags. */
enum tui_redraw {
	TUI_REDRAW_NONE = 0,
	TUI_REDRAW_STATUS = 1,  /* the status line only */
	TUI_REDRAW_SCREEN = 2,  /* every visible screen; curses sends only what changed */
	TUI_REDRAW_FULL = 4,    /* repaint the whole terminal (resize, editor exit, Ctrl-L) */
};

/* Function keys and mouse events get codes above the last Unicode code
 * point, so that no typed character is ever taken for one. */
#define TUI_KEY_FN 0x110000
#define TUI_FN(k) (TUI_KEY_FN + (k))
#define TUI_CTRL(c) ((c) & 0x1f)

struct tui;

/* One action of a screen: its keys (0-terminated when fewer than 3), its
 * label in the footer (NULL: shown only in help), its help text. */
struct tui_key {
	int codes[3];
	const char *footer;
	const char *help;
	int (*run)(struct tui *tui, void *state);
};

struct tui_screen {
	const char *title;                 /* N_(): shown in the help screen */
	bool overlay;                      /* drawn over the screen below */
	const struct tui_key *keys;
	size_t n_keys;
	void (*draw)(struct tui *tui, void *state);
	/* Optional. Keys seen before the key table, for text input: returns
	 * the redraw flags, or -1 to pass the key on. */
	int (*input)(struct tui *tui, void *state, int key);
	int (*mouse)(struct tui *tui, void *state, const MEVENT *event);
	int (*tick)(struct tui *tui, void *state);  /* about once a second */
	/* A job finished; JOB is freed after every screen saw it. */
	int (*job_done)(struct tui *tui, void *state, const struct tui_job *job);
	void (*free)(void *state);
};

#define TUI_STACK_MAX 8
#define TUI_FOOTER_MAX 16

struct tui {
	struct ctui_engine *engine;
	const char *config_path;
	const char *actor;
	struct ctui_identity identity;     /* who is logged in; for the workers */
	struct tui_theme theme;
	struct tui_sites sites;
	struct tui_jobs jobs;

	struct {
		const struct tui_screen *screen;
		void *state;
	} stack[TUI_STACK_MAX];
	size_t depth;

	char status[CTUI_ERROR_MAX];
	bool status_error;

	/* The footer as last drawn, for mouse clicks on its labels. */
	struct {
		int x0, x1, key;
	} footer_hits[TUI_FOOTER_MAX];
	size_t n_footer_hits;

	/* The cursor position after drawing, set by a screen's draw(). */
	bool cursor;
	int cursor_y, cursor_x;

	bool utf8;
	bool quit;
	int trace_fd;                      /* CTUI_TUI_TRACE, or -1 */
};

/* Pushes SCREEN with STATE (owned by the stack from now on) above the others. */
void tui_push(struct tui *tui, const struct tui_screen *screen, void *state);
/* Pops the top screen and frees its state. */
void tui_pop(struct tui *tui);
/* Removes the screen whose state is STATE, wherever it is in the stack. */
void tui_remove(struct tui *tui, void *state);
void *tui_top_state(struct tui *tui);
const struct tui_screen *tui_top(struct tui *tui);

/* Shows MESSAGE on the status line (an error in the error colour, and in
 * the log). Return TUI_REDRAW_STATUS so that handlers can end with them. */
int tui_info(struct tui *tui, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int tui_error(struct tui *tui, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Shows the cursor at Y, X once drawing is done (text fields). */
void tui_show_cursor(struct tui *tui, int y, int x);

/* Asks to quit, after a question when jobs are running. */
int tui_request_quit(struct tui *tui);

/* Hands the terminal to a child process (stderr included) and takes it
 * back, for the editor. */
void tui_suspend_terminal(void);
void tui_resume_terminal(void);

/* Runs PATH in the user's editor with the terminal handed over; returns
 * the editor's exit status, or -1 with ERR set when none could start. */
int tui_run_editor(struct tui *tui, const char *path, struct ctui_error *err);

#endif
