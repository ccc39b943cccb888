/* Runs the external commands named in ctui.conf (Apache's configtest and
 * reload, debootstrap). The command line is split into words without a shell:
 * no command substitution, no redirection. */
#ifndef CTUI_RUN_H
#define CTUI_RUN_H

#include "ctui/error.h"

/* Called for each line the command writes to stdout or stderr. */
typedef void (*ctui_line_fn)(void *ctx, const char *line);

/* Runs COMMAND_LINE (split into words) followed by the EXTRA arguments
 * (NULL-terminated, may be NULL). Returns 0 when it exits with status 0;
 * otherwise sets ERR with the exit status and the last lines it printed.
 * Each output line is passed to ON_LINE when it is not NULL. */
int ctui_run(const char *command_line, char *const extra[], ctui_line_fn on_line, void *ctx,
	     struct ctui_error *err);

/* Same as ctui_run() with an argument vector instead of a command line. */
int ctui_run_argv(char *const argv[], ctui_line_fn on_line, void *ctx, struct ctui_error *err);

#endif
