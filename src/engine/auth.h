/* The engine's side of rights: the check every public function makes. */
#ifndef CTUI_ENGINE_AUTH_H
#define CTUI_ENGINE_AUTH_H

#include <stdbool.h>

#include "ctui/auth.h"
#include "ctui/engine.h"

/* Actions that are not verbs of their own (the others use the verb's name,
 * as in the audit trail: "start", "destroy", ...). */
#define ENGINE_ACTION_CREATE "create"
#define ENGINE_ACTION_READ "read"
#define ENGINE_ACTION_CREATE_FOR "create for another user"
#define ENGINE_ACTION_SET_OWNER "set owner"
#define ENGINE_ACTION_BACKUP_TO "back up to a chosen directory"
#define ENGINE_ACTION_LIST_BACKUPS "list the backups of every site"

/* Checks that the engine's user may do ACTION on SITE (NULL: no site):
 * administrators may do everything, users what the rights table in auth.c
 * allows, on the sites they own. A rejection fails with EACCES and is
 * audited; an unknown action is rejected. */
int engine_authorize(struct ctui_engine *engine, const char *action, const char *site,
		     struct ctui_error *err);

/* Whether SITE is listed for the engine's user. */
bool engine_may_see(const struct ctui_engine *engine, const struct ctui_site *site);

/* Checks UID as an owner: a valid user id that, when [ldap] is set, exists
 * in the directory. */
int engine_check_user(struct ctui_engine *engine, const char *uid, struct ctui_error *err);

#endif
