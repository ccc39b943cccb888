/* Every screen, form and dialog of the interface, one file each, and the
 * functions that open them. */
#ifndef CTUI_TUI_SCREENS_H
#define CTUI_TUI_SCREENS_H

#include "tui/tui.h"

enum tui_screen_id {
	TUI_SCREEN_MAIN,        /* screen-main.c: the site table */
	TUI_SCREEN_DETAILS,     /* screen-details.c */
	TUI_SCREEN_LOGS,        /* screen-logs.c */
	TUI_SCREEN_FILES,       /* screen-files.c: document root browser */
	TUI_SCREEN_TEMPLATES,   /* screen-templates.c */
	TUI_SCREEN_HELP,        /* screen-help.c */
	TUI_SCREEN_CREATE,      /* form-create.c */
	TUI_SCREEN_CONFIRM,     /* dialog-confirm.c: typed name or yes/no */
	TUI_SCREEN_PROGRESS,    /* dialog-progress.c */
	TUI_SCREEN_BACKUPS,     /* screen-backups.c: one site's archives */
	TUI_SCREEN_LOGIN,       /* screen-login.c: user id and password */
	TUI_SCREEN_AUDIT,       /* screen-audit.c: who did what */
	TUI_SCREEN_OWNER,       /* dialog-owner.c: give a site to a user */
	TUI_SCREEN_COUNT
};

/* The definition of each screen, indexed by enum tui_screen_id. */
extern const struct tui_screen *const tui_screens[TUI_SCREEN_COUNT];

extern const struct tui_screen tui_screen_main, tui_screen_details, tui_screen_logs,
	tui_screen_files, tui_screen_templates, tui_screen_help, tui_screen_create,
	tui_screen_confirm, tui_screen_progress, tui_screen_backups, tui_screen_login,
	tui_screen_audit, tui_screen_owner;

/* Rows the core draws below every screen: the status line and the footer. */
#define TUI_BOTTOM_ROWS 2

void tui_open_main(struct tui *tui);
/* Opens the login form as the bottom screen; a successful login replaces it
 * with the site table. */
void tui_open_login(struct tui *tui);
/* Shows the audit trail: everyone's to administrators, their own to users. */
int tui_open_audit(struct tui *tui);
/* Asks for the user id to give SITE to (administrators only). */
int tui_open_owner(struct tui *tui, const char *site);
/* The name of the site selected on the main screen, or NULL. */
const char *tui_main_selected(struct tui *tui);
/* Selects NAME on the main screen (after a create). */
void tui_main_select(struct tui *tui, const char *name);

int tui_open_details(struct tui *tui, const char *site);
int tui_open_logs(struct tui *tui, const char *site);
int tui_open_files(struct tui *tui, const char *site);
int tui_open_templates(struct tui *tui);
/* Lists SITE's backups, with verify and restore. */
int tui_open_backups(struct tui *tui, const char *site);
/* Backs SITE up in a worker, with a progress window that can cancel it. */
int tui_open_backup(struct tui *tui, const char *site);
/* Lists the keys of the screen on top of the stack. */
int tui_open_help(struct tui *tui);
int tui_open_create(struct tui *tui);
/* The form that changes SITE's limits (form-limits.c). */
int tui_open_limits(struct tui *tui, const char *site);
/* Asks for SITE's name to be typed before destroying it. */
int tui_open_confirm_destroy(struct tui *tui, const char *site);
/* Asks whether to quit while JOBS are running. */
int tui_open_confirm_quit(struct tui *tui);
/* Shows JOB's progress until it ends; Esc cancels it when it can be. */
int tui_open_progress(struct tui *tui, unsigned job_id);

/* Starts REQUEST in a worker unless its site or template is busy, with the
 * progress dialog when PROGRESS is set; returns the redraw flags. *ID (may
 * be NULL) gets the job's id, 0 when none started. */
int tui_launch(struct tui *tui, const struct tui_job_request *request, bool progress,
	       unsigned *id);

/* Key handlers shared by several screens. */
int tui_key_back(struct tui *tui, void *state);
int tui_key_help(struct tui *tui, void *state);
int tui_key_quit(struct tui *tui, void *state);

/* Draws the footer for the top screen's keys and records where each label
 * is, for mouse clicks. */
void tui_draw_footer(struct tui *tui);
/* Runs the key that a click at X on the footer stands for; -1 when none. */
int tui_footer_click(struct tui *tui, int x);
/* Looks KEY up in SCREEN's key table and runs it; -1 when not found. */
int tui_dispatch_key(struct tui *tui, const struct tui_screen *screen, void *state, int key);
/* Moves the selection of a list of COUNT rows one row up (STEP -1) or down
 * (STEP 1), stopping at either end. Returns TUI_REDRAW_SCREEN. */
int tui_list_step(size_t *selected, size_t count, int step);
/* A key's name for people: "F2", "Enter", "c". OUT has room for 32 bytes. */
const char *tui_key_name(int key, char *out);

#endif
