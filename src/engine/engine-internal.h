/* State shared by the engine's public functions: the loaded configuration, the
 * database, and the locks that keep two ctui processes from colliding. */
#ifndef CTUI_ENGINE_INTERNAL_H
#define CTUI_ENGINE_INTERNAL_H

#include "ctui/auth.h"
#include "ctui/engine.h"
#include "engine/db.h"

struct ctui_engine {
	struct ctui_config cfg;
	struct ctui_db *db;
	char *actor;                     /* the Unix user that runs ctui */
	struct ctui_identity identity;   /* on whose behalf it acts */
};

/* Takes an exclusive lock on STATE_DIR/locks/NAME.lock (NAME "" for the
 * global lock that serialises address and name allocation), waiting for
 * other ctui processes. Returns the file descriptor to pass to
 * engine_unlock(), or -1 with ERR set. */
int engine_lock(struct ctui_engine *engine, const char *name, struct ctui_error *err);
void engine_unlock(int fd);

/* Records ACTION's outcome RET (0 or negative with ERR set) and returns RET. */
int engine_finish(struct ctui_engine *engine, const char *action, const char *site, int ret,
		  const struct ctui_error *err);

/* Reads SITE's row and corrects its state against the kernel: a site recorded
 * as running whose init is gone is reported as crashed. */
int engine_site_load(struct ctui_engine *engine, const char *name, struct ctui_site *site,
		     struct ctui_error *err);

/* Stops SITE (loaded with engine_site_load) while its lock is held; a
 * stopped site is left as it is. */
int engine_stop_locked(struct ctui_engine *engine, struct ctui_site *site,
		       struct ctui_error *err);

/* Starts NAME while its lock is held and waits for its health check; a
 * running site is left as it is. */
int engine_start_locked(struct ctui_engine *engine, const char *name, struct ctui_error *err);

/* Creates SITE's files, vhost, DNS record and row while the global lock is
 * held, undoing them on failure; fails with EEXIST when the name or domain
 * is taken. SITE's address is kept when it is free. With STAGING_DIR (a
 * directory holding upper, work and root, as a restore prepares it) the
 * files are moved from there instead of created. */
int engine_create_locked(struct ctui_engine *engine, struct ctui_site *site,
			 const char *staging_dir, struct ctui_error *err);

/* Fills SITE's model, storage and limits for a new site from PARAMS, the
 * model (named there or in ctui.conf), and TEMPLATE_LIMITS, and checks them. */
int engine_site_limits(struct ctui_engine *engine, const struct ctui_create_params *params,
		       const struct ctui_limits *template_limits, struct ctui_site *site,
		       struct ctui_error *err);

struct ctui_vhost;

/* Fills VHOST with what SITE's vhost file must say now. *CERT and *KEY get
 * the self-signed certificate's paths (NULL otherwise); the caller frees
 * them, and they must outlive VHOST. */
void engine_site_vhost(const struct ctui_config *cfg, const struct ctui_site *site,
		       struct ctui_vhost *vhost, char **cert, char **key);

/* Rewrites SITE's vhost from its row (with configtest and reload). */
int engine_write_vhost(struct ctui_engine *engine, const struct ctui_site *site, bool replace,
		       struct ctui_error *err);

#endif
