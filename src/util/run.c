#include "util/run.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <wordexp.h>

#include "util/util.h"

/* Keeps the last lines a command printed, to quote them in an error. */
#define TAIL_LINES 4
#define TAIL_MAX 256

struct output_tail {
	char lines[TAIL_LINES][TAIL_MAX];
	unsigned count;
};

static void tail_add(struct output_tail *tail, const char *line)
{
	snprintf(tail->lines[tail->count % TAIL_LINES], TAIL_MAX, "%s", line);
	tail->count++;
}

static void tail_format(const struct output_tail *tail, char *out, size_t size)
{
	unsigned first = tail->count > TAIL_LINES ? tail->count - TAIL_LINES : 0;

	out[0] = '\0';
	for (unsigned i = first; i < tail->count; i++) {
		size_t used = strlen(out);

		snprintf(out + used, size - used, "%s%s", used ? " / " : "",
			 tail->lines[i % TAIL_LINES]);
	}
}

static void read_lines(int fd, ctui_line_fn on_line, void *ctx, struct output_tail *tail)
{
	char buf[4096];
	size_t used = 0;

	for (;;) {
		ssize_t n = read(fd, buf + used, sizeof buf - used - 1);
		char *start, *nl;

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		used += (size_t)n;
		buf[used] = '\0';

		start = buf;
		while ((nl = strchr(start, '\n')) != NULL) {
			*nl = '\0';
			tail_add(tail, start);
			if (on_line)
				on_line(ctx, start);
			start = nl + 1;
		}
		used = strlen(start);
		memmove(buf, start, used);
		if (used == sizeof buf - 1) {
			/* A line longer than the buffer is passed on in pieces. */
			buf[used] = '\0';
			tail_add(tail, buf);
			if (on_line)
				on_line(ctx, buf);
			used = 0;
		}
	}
	if (used > 0) {
		buf[used] = '\0';
		tail_add(tail, buf);
		if (on_line)
			on_line(ctx, buf);
	}
}

int ctui_run_argv(char *const argv[], ctui_line_fn on_line, void *ctx, struct ctui_error *err)
{
	struct output_tail tail = { .count = 0 };
	char quoted[CTUI_ERROR_MAX / 2];
	int pipefd[2];
	int status;
	pid_t pid;

	if (pipe2(pipefd, O_CLOEXEC) < 0)
		return ctui_error_errno(err, errno, _("cannot run %s"), argv[0]);

	pid = fork();
	if (pid < 0) {
		int saved = errno;

		close(pipefd[0]);
		close(pipefd[1]);
		return ctui_error_errno(err, saved, _("cannot run %s"), argv[0]);
	}
	if (pid == 0) {
		int devnull = open("/dev/null", O_RDONLY);

		dup2(devnull, STDIN_FILENO);
		dup2(pipefd[1], STDOUT_FILENO);
		dup2(pipefd[1], STDERR_FILENO);
		signal(SIGPIPE, SIG_DFL);
		execvp(argv[0], argv);
		fprintf(stderr, "%s: %s\n", argv[0], strerror(errno));
		_exit(127);
	}

	close(pipefd[1]);
	read_lines(pipefd[0], on_line, ctx, &tail);
	close(pipefd[0]);

	while (waitpid(pid, &status, 0) < 0) {
		if (errno != EINTR)
			return ctui_error_errno(err, errno, _("cannot wait for %s"), argv[0]);
	}
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return 0;

	tail_format(&tail, quoted, sizeof quoted);
	if (WIFSIGNALED(status))
		return ctui_error_set(err, ECHILD, _("%s was killed by signal %d: %s"), argv[0],
				      WTERMSIG(status), quoted);
	return ctui_error_set(err, ECHILD, _("%s failed with exit status %d: %s"), argv[0],
			      WEXITSTATUS(status), quoted);
}

int ctui_run(const char *command_line, char *const extra[], ctui_line_fn on_line, void *ctx,
	     struct ctui_error *err)
{
	wordexp_t words;
	size_t n_extra = 0;
	char **argv;
	int ret;

	if (wordexp(command_line, &words, WRDE_NOCMD | WRDE_UNDEF) != 0 || words.we_wordc == 0) {
		return ctui_error_set(err, EINVAL, _("invalid command line \"%s\": check ctui.conf"),
				      command_line);
	}
	while (extra && extra[n_extra])
		n_extra++;

	argv = xcalloc(words.we_wordc + n_extra + 1, sizeof *argv);
	for (size_t i = 0; i < words.we_wordc; i++)
		argv[i] = words.we_wordv[i];
	for (size_t i = 0; i < n_extra; i++)
		argv[words.we_wordc + i] = extra[i];

	ret = ctui_run_argv(argv, on_line, ctx, err);
	free(argv);
	wordfree(&words);
	return ret;
}
