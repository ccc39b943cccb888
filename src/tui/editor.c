/* Handing the terminal to the user's editor and taking it back. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tui/tui.h"
#include "util/util.h"

/* sh's status for a command that was not found. */
#define COMMAND_NOT_FOUND 127

/* Whether COMMAND (a bare name) is an executable in $PATH. */
static bool in_path(const char *command)
{
	const char *path = getenv("PATH");
	cleanup_free char *copy = xstrdup(path && *path ? path : "/usr/bin:/bin");
	char *save = NULL;

	for (char *dir = strtok_r(copy, ":", &save); dir; dir = strtok_r(NULL, ":", &save)) {
		cleanup_free char *candidate = xasprintf("%s/%s", dir, command);

		if (access(candidate, X_OK) == 0)
			return true;
	}
	return false;
}

/* Runs COMMAND (which may carry arguments, as $EDITOR often does) on PATH
 * through /bin/sh and waits for it. Returns its wait status, or -1 when it
 * could not be forked. */
static int run_command(const char *command, const char *path)
{
	struct sigaction ignore = { .sa_handler = SIG_IGN }, old_int, old_quit;
	cleanup_free char *script = xasprintf("%s \"$@\"", command);
	int status = -1;
	pid_t pid;

	/* Like system(): Ctrl-C in the editor is for the editor. */
	sigemptyset(&ignore.sa_mask);
	sigaction(SIGINT, &ignore, &old_int);
	sigaction(SIGQUIT, &ignore, &old_quit);

	pid = fork();
	if (pid == 0) {
		signal(SIGINT, SIG_DFL);
		signal(SIGQUIT, SIG_DFL);
		signal(SIGPIPE, SIG_DFL);
		execl("/bin/sh", "sh", "-c", script, "sh", path, (char *)NULL);
		_exit(COMMAND_NOT_FOUND);
	}
	if (pid > 0)
		while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
			;

	sigaction(SIGINT, &old_int, NULL);
	sigaction(SIGQUIT, &old_quit, NULL);
	return pid > 0 ? status : -1;
}

int tui_run_editor(struct tui *tui, const char *path, struct ctui_error *err)
{
	const char *candidates[] = { getenv("VISUAL"), getenv("EDITOR"), "editor", "vi" };
	int status = -1;

	(void)tui;
	tui_suspend_terminal();
	for (size_t i = 0; i < sizeof candidates / sizeof candidates[0]; i++) {
		const char *command = candidates[i];

		if (!command || !*command)
			continue;
		if (i >= 2 && !in_path(command))
			continue;
		status = run_command(command, path);
		/* A $VISUAL or $EDITOR that names a missing program: try the next. */
		if (status >= 0 && WIFEXITED(status) && WEXITSTATUS(status) == COMMAND_NOT_FOUND)
			continue;
		break;
	}
	tui_resume_terminal();

	if (status < 0 || (WIFEXITED(status) && WEXITSTATUS(status) == COMMAND_NOT_FOUND))
		return ctui_error_set(err, ENOENT,
				      _("no editor could be started: set VISUAL or EDITOR, or install vi"));
	if (WIFSIGNALED(status))
		return ctui_error_set(err, EINTR, _("the editor was killed by signal %d"),
				      WTERMSIG(status));
	return WEXITSTATUS(status);
}
