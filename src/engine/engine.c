#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "engine/engine-internal.h"
#include "engine/log.h"
#include "engine/proc.h"
#include "util/fs.h"
#include "util/util.h"

int ctui_engine_open(struct ctui_engine **out, const char *config_path, const char *actor,
		     struct ctui_error *err)
{
	cleanup_free struct ctui_engine *engine = xcalloc(1, sizeof *engine);
	cleanup_free char *db_path = NULL;
	cleanup_free char *lock_dir = NULL;

	ctui_log_open();
	if (ctui_config_load(&engine->cfg, config_path, err) < 0)
		return -1;

	lock_dir = xasprintf("%s/locks", engine->cfg.state_dir);
	if (ctui_mkdir_p(lock_dir, 0700, err) < 0)
		goto fail;

	db_path = xasprintf("%s/sites.db", engine->cfg.state_dir);
	if (ctui_db_open(&engine->db, db_path, err) < 0)
		goto fail;

	engine->actor = xstrdup(actor ? actor : "root");
	/* The user running ctui is an administrator until a login or --as. */
	snprintf(engine->identity.user, sizeof engine->identity.user, "%s", engine->actor);
	engine->identity.admin = true;
	engine->identity.authenticated = true;
	*out = steal_pointer(&engine);
	return 0;

fail:
	ctui_config_free(&engine->cfg);
	return -1;
}

void ctui_engine_close(struct ctui_engine *engine)
{
	if (!engine)
		return;
	ctui_db_close(engine->db);
	ctui_config_free(&engine->cfg);
	free(engine->actor);
	free(engine);
}

const struct ctui_config *ctui_engine_config(const struct ctui_engine *engine)
{
	return &engine->cfg;
}

int engine_lock(struct ctui_engine *engine, const char *name, struct ctui_error *err)
{
	cleanup_free char *path = xasprintf("%s/locks/%s.lock", engine->cfg.state_dir,
					    name[0] ? name : "engine");
	int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);

	if (fd < 0)
		return ctui_error_errno(err, errno, _("cannot open lock file %s"), path);

	while (flock(fd, LOCK_EX) < 0) {
		if (errno != EINTR) {
			int saved = errno;

			close(fd);
			return ctui_error_errno(err, saved, _("cannot lock %s"), path);
		}
	}
	return fd;
}

void engine_unlock(int fd)
{
	if (fd >= 0)
		close(fd);
}

/* Records ACTION on SITE with its result in the audit trail (the events
 * table) and syslog. A failure to record is logged, never returned: the
 * action itself is done. */
static void engine_record(struct ctui_engine *engine, const char *action, const char *site,
		   const struct ctui_error *result)
{
	struct ctui_error record_err = { 0 };
	bool failed = result && result->code;
	const char *outcome = failed ? result->message : "ok";

	ctui_log_audit(failed ? LOG_ERR : LOG_INFO, engine->identity.user, engine->actor, action,
		       site, outcome);
	if (ctui_db_audit_add(engine->db, engine->identity.user, engine->actor, action, site,
			      outcome, &record_err) < 0)
		ctui_log(LOG_ERR, site, "cannot record event: %s", record_err.message);
}

int engine_finish(struct ctui_engine *engine, const char *action, const char *site, int ret,
		  const struct ctui_error *err)
{
	engine_record(engine, action, site, ret < 0 ? err : NULL);
	return ret;
}

int engine_site_load(struct ctui_engine *engine, const char *name, struct ctui_site *site,
		     struct ctui_error *err)
{
	if (ctui_db_site_get(engine->db, name, site, err) < 0)
		return -1;

	switch (site->state) {
	case CTUI_STATE_RUNNING:
	case CTUI_STATE_STARTING:
	case CTUI_STATE_STOPPING:
		if (!ctui_proc_alive(site->init_pid, site->init_start_time))
			site->state = CTUI_STATE_CRASHED;
		break;
	case CTUI_STATE_STOPPED:
	case CTUI_STATE_CRASHED:
		break;
	}
	return 0;
}
