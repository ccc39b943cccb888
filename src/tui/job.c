#include "tui/job.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "ctui/backup.h"
#include "util/util.h"

/* The worker's side. */

static void write_line(int fd, const char *kind, const char *text)
{
	char line[CTUI_ERROR_MAX + 64];
	int len = snprintf(line, sizeof line, "%s %s", kind, text);

	if (len < 0)
		return;
	if ((size_t)len >= sizeof line - 1)
		len = (int)sizeof line - 2;
	/* A message is one line: embedded line breaks would split it. */
	for (int i = 0; i < len; i++)
		if (line[i] == '\n' || line[i] == '\r')
			line[i] = ' ';
	line[len++] = '\n';
	/* A parent that quit closed the pipe: the work goes on regardless. */
	if (write(fd, line, (size_t)len) < 0)
		return;
}

static void report_progress(void *ctx, const char *line)
{
	write_line(*(int *)ctx, "progress", line);
}

struct bytes_report {
	int fd;
	long long last_ms;
};

/* Sends the bytes done and to do, at most ten times a second. */
static void report_bytes(void *ctx, const struct ctui_backup_progress *progress)
{
	struct bytes_report *report = ctx;
	struct timespec now;
	char text[64];
	long long ms;

	clock_gettime(CLOCK_MONOTONIC, &now);
	ms = (long long)now.tv_sec * 1000 + now.tv_nsec / 1000000;
	if (ms < report->last_ms + 100)
		return;
	report->last_ms = ms;
	snprintf(text, sizeof text, "%llu %llu", (unsigned long long)progress->bytes_done,
		 (unsigned long long)progress->bytes_total);
	write_line(report->fd, "bytes", text);
}

static int perform_backup(struct ctui_engine *engine, const struct tui_job_request *request,
			  int fd, struct ctui_error *err)
{
	struct bytes_report report = { .fd = fd };
	struct ctui_backup_params params = {
		.name = request->name,
		.compression = CTUI_COMPRESSION_ZSTD,
		.progress = report_bytes,
		.ctx = &report,
	};
	struct ctui_restore_params restore = {
		.archive = request->archive,
		.new_name = request->name,
		.progress = report_bytes,
		.ctx = &report,
	};
	cleanup_free char *path = NULL;

	if (request->kind == TUI_JOB_VERIFY)
		return ctui_backup_verify(request->archive, report_bytes, &report, NULL, err);
	if (request->kind == TUI_JOB_RESTORE)
		return ctui_site_restore(engine, &restore, NULL, err);

	if (ctui_site_backup(engine, &params, &path, err) < 0)
		return -1;
	write_line(fd, "result", path);
	return 0;
}

static int perform(struct ctui_engine *engine, const struct tui_job_request *request, int fd,
		   struct ctui_error *err)
{
	struct ctui_create_params params = { 0 };
	struct ctui_site created;

	switch (request->kind) {
	case TUI_JOB_START:
		return ctui_site_start(engine, request->name, err);
	case TUI_JOB_STOP:
		return ctui_site_stop(engine, request->name, err);
	case TUI_JOB_RESTART:
		return ctui_site_restart(engine, request->name, err);
	case TUI_JOB_DESTROY:
		return ctui_site_destroy(engine, request->name, err);
	case TUI_JOB_CREATE:
		params.name = request->name;
		params.domain = request->domain[0] ? request->domain : NULL;
		params.template_name = request->template_name;
		params.limits = request->limits;
		return ctui_site_create(engine, &params, &created, err);
	case TUI_JOB_BUILD:
		return ctui_template_build(engine, request->name, report_progress, &fd, err);
	case TUI_JOB_BACKUP:
	case TUI_JOB_VERIFY:
	case TUI_JOB_RESTORE:
		return perform_backup(engine, request, fd, err);
	case TUI_JOB_SET:
		return ctui_site_set(engine, request->name, &request->settings, err);
	case TUI_JOB_SET_LIMITS:
		return ctui_site_set_limits(engine, request->name, &request->limit_changes, err);
	}
	return ctui_error_set(err, EINVAL, _("unknown job kind %d"), (int)request->kind);
}

/* Detaches the worker from the terminal that curses owns: its own process
 * group (so a cancel reaches debootstrap and the like too), default signal
 * handlers instead of curses' ones, and /dev/null for the standard streams. */
static void detach_worker(void)
{
	static const int reset[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGWINCH, SIGTSTP, SIGCONT,
				     SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT };
	int null_fd;

	setpgid(0, 0);
	for (size_t i = 0; i < sizeof reset / sizeof reset[0]; i++)
		signal(reset[i], SIG_DFL);
	signal(SIGPIPE, SIG_IGN);

	null_fd = open("/dev/null", O_RDWR | O_CLOEXEC);
	if (null_fd >= 0) {
		dup2(null_fd, STDIN_FILENO);
		dup2(null_fd, STDOUT_FILENO);
		dup2(null_fd, STDERR_FILENO);
		if (null_fd > STDERR_FILENO)
			close(null_fd);
	}
}

static void run_worker(const struct tui_job_request *request, const char *config_path,
		       const char *actor, const struct ctui_identity *identity, int fd)
{
	struct ctui_error err = { 0 };
	struct ctui_engine *engine;
	char code[32];
	int ret;

	detach_worker();
	if (ctui_engine_open(&engine, config_path, actor, &err) < 0) {
		ret = -1;
	} else {
		ctui_auth_assume(engine, identity);
		ret = perform(engine, request, fd, &err);
		ctui_engine_close(engine);
	}

	if (ret == 0) {
		write_line(fd, "ok", "");
		return;
	}
	snprintf(code, sizeof code, "%d", err.code ? err.code : EIO);
	write_line(fd, "error", code);
	write_line(fd, "message", err.message);
}

/* The interface's side. */

int tui_job_start(struct tui_jobs *jobs, const struct tui_job_request *request,
		  const char *config_path, const char *actor,
		  const struct ctui_identity *identity, struct tui_job **out, struct ctui_error *err)
{
	struct tui_job *job;
	int fds[2];
	pid_t pid;

	if (jobs->count == TUI_JOBS_MAX)
		return ctui_error_set(err, EBUSY, _("%d operations are already running; wait for one to finish"),
				      TUI_JOBS_MAX);
	if (pipe2(fds, O_CLOEXEC) < 0)
		return ctui_error_errno(err, errno, _("cannot create a pipe for the worker"));

	pid = fork();
	if (pid < 0) {
		close(fds[0]);
		close(fds[1]);
		return ctui_error_errno(err, errno, _("cannot start a worker process"));
	}
	if (pid == 0) {
		close(fds[0]);
		run_worker(request, config_path, actor, identity, fds[1]);
		_exit(0);
	}

	/* Both sides set the group, so a cancel right after fork() finds it. */
	setpgid(pid, pid);
	close(fds[1]);
	fcntl(fds[0], F_SETFL, fcntl(fds[0], F_GETFL) | O_NONBLOCK);

	job = xcalloc(1, sizeof *job);
	job->id = ++jobs->next_id;
	job->request = *request;
	job->state = TUI_JOB_RUNNING;
	job->pid = pid;
	job->fd = fds[0];
	clock_gettime(CLOCK_MONOTONIC, &job->started);
	jobs->jobs[jobs->count++] = job;
	*out = job;
	return 0;
}

/* The phases of a debootstrap run as it reports them ("I: Retrieving
 * adduser 3.134"), each with a guessed share of a whole template build.
 * The shares are not measured: the bar only has to move forward, in order. */
static const struct {
	const char *prefix;
	double start, end;
} build_phases[] = {
	{ "debootstrap: I: Retrieving InRelease", 0.00, 0.02 },
	{ "debootstrap: I: Retrieving Release", 0.00, 0.02 },
	{ "debootstrap: I: Retrieving Packages", 0.02, 0.04 },
	{ "debootstrap: I: Resolving", 0.04, 0.05 },
	{ "debootstrap: I: Retrieving", 0.05, 0.40 },
	{ "debootstrap: I: Validating", 0.40, 0.50 },
	{ "debootstrap: I: Extracting", 0.50, 0.60 },
	{ "debootstrap: I: Installing", 0.60, 0.62 },
	{ "debootstrap: I: Unpacking", 0.62, 0.75 },
	{ "debootstrap: I: Configuring", 0.75, 0.90 },
	{ "debootstrap: I: Base system installed", 0.90, 0.91 },
};

/* Moves the estimate of a build on: each line goes a small step towards the
 * end of its phase, so the bar never moves backwards nor reaches the end
 * before the build does. ctui's own lines after debootstrap (configuring
 * Apache, cleaning, switching `current`) share the last tenth; those before
 * it and unknown debootstrap lines leave the estimate where it is. */
static void estimate_build(struct tui_job *job, const char *line)
{
	double start = job->fraction, end = job->fraction;
	bool matched = false;

	for (size_t i = 0; i < sizeof build_phases / sizeof build_phases[0] && !matched; i++) {
		if (!strncmp(line, build_phases[i].prefix, strlen(build_phases[i].prefix))) {
			start = build_phases[i].start;
			end = build_phases[i].end;
			matched = true;
		}
	}
	if (!matched && strncmp(line, "debootstrap: ", 13) && job->fraction >= 0.90) {
		start = 0.91;
		end = 0.99;
	}
	if (job->fraction < start)
		job->fraction = start;
	if (job->fraction < end)
		job->fraction += (end - job->fraction) * 0.04;
}

static void handle_line(struct tui_job *job, char *line)
{
	if (!strncmp(line, "progress ", 9)) {
		snprintf(job->line, sizeof job->line, "%s", line + 9);
		job->lines++;
		if (job->request.kind == TUI_JOB_BUILD)
			estimate_build(job, line + 9);
	} else if (!strncmp(line, "bytes ", 6)) {
		unsigned long long done = 0, total = 0;

		if (sscanf(line + 6, "%llu %llu", &done, &total) == 2) {
			job->bytes_done = done;
			job->bytes_total = total;
		}
	} else if (!strncmp(line, "result ", 7)) {
		snprintf(job->result, sizeof job->result, "%s", line + 7);
	} else if (!strncmp(line, "ok", 2)) {
		job->state = TUI_JOB_SUCCEEDED;
	} else if (!strncmp(line, "error ", 6)) {
		job->state = TUI_JOB_FAILED;
		job->error.code = atoi(line + 6);
	} else if (!strncmp(line, "message ", 8)) {
		snprintf(job->error.message, sizeof job->error.message, "%s", line + 8);
	}
}

static void consume_buffer(struct tui_job *job)
{
	char *start = job->buffer, *newline;

	while ((newline = memchr(start, '\n', job->buffered - (size_t)(start - job->buffer)))) {
		*newline = '\0';
		handle_line(job, start);
		start = newline + 1;
	}
	job->buffered -= (size_t)(start - job->buffer);
	memmove(job->buffer, start, job->buffered);
	/* A line longer than the buffer is cut rather than blocking the pipe. */
	if (job->buffered == sizeof job->buffer - 1) {
		job->buffer[job->buffered] = '\0';
		handle_line(job, job->buffer);
		job->buffered = 0;
	}
}

/* Reaps the worker once its pipe is closed and settles the final state. */
static void finish(struct tui_job *job)
{
	int status = 0;

	while (waitpid(job->pid, &status, 0) < 0 && errno == EINTR)
		;
	close(job->fd);
	job->fd = -1;

	if (job->state == TUI_JOB_CANCELLED || job->state == TUI_JOB_SUCCEEDED)
		return;
	if (job->state == TUI_JOB_FAILED && job->error.message[0])
		return;
	job->state = TUI_JOB_FAILED;
	if (WIFSIGNALED(status))
		ctui_error_set(&job->error, EIO, _("the worker process was killed by signal %d"),
			       WTERMSIG(status));
	else
		ctui_error_set(&job->error, EIO, _("the worker process exited with status %d without a result"),
			       WEXITSTATUS(status));
}

bool tui_job_read(struct tui_job *job)
{
	ssize_t n;

	if (job->fd < 0)
		return true;
	for (;;) {
		n = read(job->fd, job->buffer + job->buffered, sizeof job->buffer - 1 - job->buffered);
		if (n > 0) {
			job->buffered += (size_t)n;
			consume_buffer(job);
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN)
			return false;
		finish(job);
		return true;
	}
}

bool tui_job_kind_cancellable(enum tui_job_kind kind)
{
	switch (kind) {
	case TUI_JOB_START:
	case TUI_JOB_RESTART:
	case TUI_JOB_BUILD:
	case TUI_JOB_BACKUP:
		return true;
	case TUI_JOB_STOP:
	case TUI_JOB_DESTROY:
	case TUI_JOB_CREATE:
	case TUI_JOB_VERIFY:
	case TUI_JOB_RESTORE:
	case TUI_JOB_SET:
	case TUI_JOB_SET_LIMITS:
		return false;
	}
	return false;
}

/* debootstrap mounts /proc and /sys in the new base from its "Installing
 * core packages" step on: a build killed later would leave them mounted. */
#define BUILD_KILLABLE_BELOW 0.60

/* NOTE: a cancelled build leaves its TEMPLATE_DIR/NAME/.build-VERSION
 * directory behind, because the engine has no call to remove it; the
 * template's current base is untouched. */
bool tui_job_cancellable(const struct tui_job *job)
{
	if (job->state != TUI_JOB_RUNNING || !tui_job_kind_cancellable(job->request.kind) ||
	    job->undo_requested)
		return false;
	return job->request.kind != TUI_JOB_BUILD || job->fraction < BUILD_KILLABLE_BELOW;
}

bool tui_job_cancel(struct tui_job *job)
{
	if (!tui_job_cancellable(job))
		return false;
	if (job->request.kind != TUI_JOB_BUILD) {
		job->undo_requested = true;
		return true;
	}
	job->state = TUI_JOB_CANCELLED;
	ctui_error_set(&job->error, ECANCELED, _("cancelled"));
	kill(-job->pid, SIGTERM);
	return true;
}

void tui_job_remove(struct tui_jobs *jobs, struct tui_job *job)
{
	for (size_t i = 0; i < jobs->count; i++) {
		if (jobs->jobs[i] != job)
			continue;
		memmove(&jobs->jobs[i], &jobs->jobs[i + 1], (jobs->count - i - 1) * sizeof job);
		jobs->count--;
		break;
	}
	if (job->fd >= 0)
		close(job->fd);
	free(job);
}

struct tui_job *tui_job_find(struct tui_jobs *jobs, unsigned id)
{
	for (size_t i = 0; i < jobs->count; i++)
		if (jobs->jobs[i]->id == id)
			return jobs->jobs[i];
	return NULL;
}

struct tui_job *tui_job_busy(struct tui_jobs *jobs, const char *name, bool template)
{
	for (size_t i = 0; i < jobs->count; i++) {
		const struct tui_job *job = jobs->jobs[i];

		if (job->state == TUI_JOB_RUNNING && (job->request.kind == TUI_JOB_BUILD) == template &&
		    !strcmp(job->request.name, name))
			return jobs->jobs[i];
	}
	return NULL;
}

const char *tui_job_title(const struct tui_job *job, char *out, size_t size)
{
	const char *name = job->request.name;

	switch (job->request.kind) {
	case TUI_JOB_START:
		snprintf(out, size, _("Starting site %s"), name);
		break;
	case TUI_JOB_STOP:
		snprintf(out, size, _("Stopping site %s"), name);
		break;
	case TUI_JOB_RESTART:
		snprintf(out, size, _("Restarting site %s"), name);
		break;
	case TUI_JOB_DESTROY:
		snprintf(out, size, _("Destroying site %s"), name);
		break;
	case TUI_JOB_CREATE:
		snprintf(out, size, _("Creating site %s"), name);
		break;
	case TUI_JOB_BUILD:
		snprintf(out, size, _("Building template %s"), name);
		break;
	case TUI_JOB_BACKUP:
		snprintf(out, size, _("Backing up site %s"), name);
		break;
	case TUI_JOB_VERIFY:
		snprintf(out, size, _("Verifying a backup of site %s"), name);
		break;
	case TUI_JOB_RESTORE:
		snprintf(out, size, _("Restoring site %s"), name);
		break;
	case TUI_JOB_SET:
		snprintf(out, size, _("Changing the HTTPS settings of site %s"), name);
		break;
	case TUI_JOB_SET_LIMITS:
		snprintf(out, size, _("Changing the limits of site %s"), name);
		break;
	}
	return out;
}

/* "Redirect to HTTPS is now on for site web." for the one setting changed. */
static void format_settings(const struct tui_job *job, const char *name, char *out, size_t size)
{
	const struct ctui_site_settings *settings = &job->request.settings;

	if (settings->redirect != CTUI_SETTING_DEFAULT)
		snprintf(out, size, settings->redirect == CTUI_SETTING_ON ?
			 _("The redirect to HTTPS is now on for site %s.") :
			 _("The redirect to HTTPS is now off for site %s."), name);
	else
		snprintf(out, size, settings->hsts == CTUI_SETTING_ON ?
			 _("HSTS is now on for site %s.") : _("HSTS is now off for site %s."), name);
}

static void format_success(const struct tui_job *job, char *out, size_t size)
{
	const char *name = job->request.name;

	switch (job->request.kind) {
	case TUI_JOB_START:
		snprintf(out, size, _("Started site %s."), name);
		break;
	case TUI_JOB_STOP:
		if (job->request.undo)
			snprintf(out, size, _("Cancelled the start of site %s; it is stopped again."), name);
		else
			snprintf(out, size, _("Stopped site %s."), name);
		break;
	case TUI_JOB_RESTART:
		snprintf(out, size, _("Restarted site %s."), name);
		break;
	case TUI_JOB_DESTROY:
		snprintf(out, size, _("Destroyed site %s."), name);
		break;
	case TUI_JOB_CREATE:
		snprintf(out, size, _("Created site %s; press s to start it."), name);
		break;
	case TUI_JOB_BUILD:
		snprintf(out, size, _("Built template %s."), name);
		break;
	case TUI_JOB_BACKUP:
		if (job->undo_requested)
			snprintf(out, size, _("Cancelled the backup of site %s; its archive is deleted."), name);
		else
			snprintf(out, size, _("Backed up site %s to %s."), name,
				 strrchr(job->result, '/') ? strrchr(job->result, '/') + 1 : job->result);
		break;
	case TUI_JOB_VERIFY:
		snprintf(out, size, _("The backup %s of site %s is intact."), tui_job_archive_name(job), name);
		break;
	case TUI_JOB_RESTORE:
		snprintf(out, size, _("Restored site %s; press s to start it."), name);
		break;
	case TUI_JOB_SET:
		format_settings(job, name, out, size);
		break;
	case TUI_JOB_SET_LIMITS:
		snprintf(out, size, _("Changed the limits of site %s."), name);
		break;
	}
}

const char *tui_job_result(const struct tui_job *job, char *out, size_t size)
{

	switch (job->state) {
	case TUI_JOB_RUNNING:
		return tui_job_title(job, out, size);
	case TUI_JOB_SUCCEEDED:
		format_success(job, out, size);
		break;
	case TUI_JOB_CANCELLED:
		/* Only builds are ever killed. */
		snprintf(out, size, _("Cancelled the build of template %s."), job->request.name);
		break;
	case TUI_JOB_FAILED:
		snprintf(out, size, "%s", job->error.message);
		break;
	}
	return out;
}

const char *tui_job_archive_name(const struct tui_job *job)
{
	const char *slash = strrchr(job->request.archive, '/');

	return slash ? slash + 1 : job->request.archive;
}

double tui_job_elapsed(const struct tui_job *job)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (double)(now.tv_sec - job->started.tv_sec) +
	       (double)(now.tv_nsec - job->started.tv_nsec) / 1e9;
}
