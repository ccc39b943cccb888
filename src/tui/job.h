/* Long engine calls (start, stop, create, template builds...) run in a
 * forked worker with its own engine, because the engine is not thread-safe
 * and an open SQLite connection must not be used across fork(). The worker
 * reports through a pipe, one line per message:
 *   "progress TEXT", then either "ok" or "error CODE" and "message TEXT".
 * The interface keeps running meanwhile. A cancelled start is stopped
 * again once the worker returns; a cancelled build kills the worker's
 * process group. */
#ifndef CTUI_TUI_JOB_H
#define CTUI_TUI_JOB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <time.h>

#include "ctui/auth.h"
#include "ctui/engine.h"

enum tui_job_kind {
	TUI_JOB_START,
	TUI_JOB_STOP,
	TUI_JOB_RESTART,
	TUI_JOB_DESTROY,
	TUI_JOB_CREATE,
	TUI_JOB_BUILD,
	TUI_JOB_BACKUP,     /* the site NAME to STATE_DIR/backups, as `ctui backup NAME` */
	TUI_JOB_VERIFY,     /* ARCHIVE, whose site is NAME */
	TUI_JOB_RESTORE,    /* ARCHIVE as the new site NAME */
	TUI_JOB_SET,        /* SETTINGS on the site NAME, as `ctui set` */
	TUI_JOB_SET_LIMITS, /* LIMIT_CHANGES on the site NAME, as `ctui set --memory` */
};

enum tui_job_state {
	TUI_JOB_RUNNING,
	TUI_JOB_SUCCEEDED,
	TUI_JOB_FAILED,
	TUI_JOB_CANCELLED,
};

/* The work a job does: KIND on a site, or on a template for builds. CREATE
 * also takes the form's other fields, and zero limits take the template's
 * defaults. */
struct tui_job_request {
	enum tui_job_kind kind;
	char name[CTUI_NAME_MAX + 1];
	char domain[CTUI_DOMAIN_MAX + 1];
	char template_name[CTUI_NAME_MAX + 1];
	struct ctui_limits limits;
	bool undo;          /* a STOP that follows a cancelled start */
	char archive[4096]; /* VERIFY and RESTORE */
	struct ctui_site_settings settings;   /* SET */
	struct ctui_limit_changes limit_changes;  /* SET_LIMITS */
};

struct tui_job {
	unsigned id;
	struct tui_job_request request;
	enum tui_job_state state;
	pid_t pid;                    /* also the worker's process group */
	int fd;                       /* the read end of the worker's pipe */
	struct timespec started;
	char line[512];               /* the last progress line */
	unsigned lines;               /* progress lines received */
	double fraction;              /* 0..1 for builds, estimated from the phases */
	uint64_t bytes_done;          /* backups, verifications and restores */
	uint64_t bytes_total;         /* 0 when unknown (verify, restore) */
	char result[4096];            /* the archive a backup wrote */
	struct ctui_error error;      /* FAILED or CANCELLED */
	bool undo_requested;          /* a start was cancelled: stop the site once it ends */
	char buffer[4096];            /* a partial line from the pipe */
	size_t buffered;
};

#define TUI_JOBS_MAX 16

struct tui_jobs {
	struct tui_job *jobs[TUI_JOBS_MAX];
	size_t count;
	unsigned next_id;
};

/* Forks a worker for REQUEST. CONFIG_PATH and ACTOR open its engine, which
 * then acts for IDENTITY (the user logged in to the interface). */
int tui_job_start(struct tui_jobs *jobs, const struct tui_job_request *request,
		  const char *config_path, const char *actor,
		  const struct ctui_identity *identity, struct tui_job **job,
		  struct ctui_error *err);

/* Reads what JOB's worker wrote. Returns true once the job has ended (its
 * worker was reaped and STATE is final). */
bool tui_job_read(struct tui_job *job);

/* Whether a job of KIND can be cancelled at all: starts, restarts,
 * template builds and backups. */
bool tui_job_kind_cancellable(enum tui_job_kind kind);

/* Whether JOB can be cancelled now, as tui_job_cancel() describes. */
bool tui_job_cancellable(const struct tui_job *job);

/* Cancels JOB when that leaves things in a known state; false when it
 * cannot be cancelled (any more). A start or restart is left to finish and
 * the site is stopped once it returns. Killing the engine in the middle
 * could leave a container that the database does not know about.
 * A build is killed with its process group while debootstrap is still
 * downloading, before it mounts anything in the new base. A backup is left
 * to finish too (killed while it copies, it would leave a running site
 * frozen) and its archive is deleted once it returns. */
bool tui_job_cancel(struct tui_job *job);

/* Removes JOB from JOBS and frees it. */
void tui_job_remove(struct tui_jobs *jobs, struct tui_job *job);

struct tui_job *tui_job_find(struct tui_jobs *jobs, unsigned id);

/* The running build of template NAME (TEMPLATE set) or the running job on
 * site NAME, or NULL. */
struct tui_job *tui_job_busy(struct tui_jobs *jobs, const char *name, bool template);

/* A sentence for people: "Starting site web" while it runs, "Started site
 * web" once done. */
const char *tui_job_title(const struct tui_job *job, char *out, size_t size);
const char *tui_job_result(const struct tui_job *job, char *out, size_t size);

/* The file name of JOB's archive, without its directory. */
const char *tui_job_archive_name(const struct tui_job *job);

/* Seconds since JOB started. */
double tui_job_elapsed(const struct tui_job *job);

#endif
