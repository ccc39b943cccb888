/* Rights: every public engine function that reads or changes a site calls
 * engine_authorize() first, and the table below is the only place that
 * defines who may do what. Logins and `--as` set who the engine acts for. */
#include "ctui/auth.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ctui/validate.h"
#include "engine/auth.h"
#include "engine/engine-internal.h"
#include "engine/ldap.h"
#include "engine/log.h"
#include "util/util.h"

#define SHOWN_MAX 160
#define FAILURE_WINDOW 900     /* seconds during which rejected logins count */
#define LOGIN_DELAY_MAX 30     /* seconds */

enum right {
	RIGHT_USER,     /* any user who logged in */
	RIGHT_OWNER,    /* the site's owner, and administrators */
	RIGHT_ADMIN,
};

static const struct action_right {
	const char *action;
	enum right right;
} action_rights[] = {
	{ ENGINE_ACTION_CREATE, RIGHT_USER },       /* the new site is the creator's */
	{ ENGINE_ACTION_READ, RIGHT_OWNER },         /* status, usage, files, backups */
	{ "start", RIGHT_OWNER },
	{ "stop", RIGHT_OWNER },
	{ "restart", RIGHT_OWNER },
	{ "destroy", RIGHT_OWNER },
	{ "set", RIGHT_OWNER },
	{ "backup", RIGHT_OWNER },
	{ "deploy", RIGHT_OWNER },
	{ "rollback", RIGHT_OWNER },
	{ "upgrade", RIGHT_OWNER },                  /* onto the base the administrator built */
	{ "sftp key", RIGHT_OWNER },
	{ "sftp password", RIGHT_OWNER },
	{ "set-limits", RIGHT_ADMIN },               /* the host's CPU, memory and disk */
	{ ENGINE_ACTION_CREATE_FOR, RIGHT_ADMIN },   /* create --owner another user */
	{ ENGINE_ACTION_SET_OWNER, RIGHT_ADMIN },
	{ ENGINE_ACTION_BACKUP_TO, RIGHT_ADMIN },    /* a backup outside STATE_DIR/backups */
	{ ENGINE_ACTION_LIST_BACKUPS, RIGHT_ADMIN }, /* the archives of every site at once */
	{ "restore", RIGHT_ADMIN },                  /* an archive may hold any site */
	{ "template prune", RIGHT_ADMIN },
	{ "template build", RIGHT_ADMIN },
	{ "tls refresh", RIGHT_ADMIN },
};

static const struct action_right *find_right(const char *action)
{
	for (size_t i = 0; i < sizeof action_rights / sizeof action_rights[0]; i++)
		if (!strcmp(action_rights[i].action, action))
			return &action_rights[i];
	return NULL;
}

/* Sets ERR to the rejection of ACTION on SITE and audits it. */
static int reject(struct ctui_engine *engine, const char *action, const char *site,
		  const char *why, struct ctui_error *err)
{
	char user[SHOWN_MAX];

	ctui_escape(engine->identity.user, user, sizeof user);
	if (site)
		ctui_error_set(err, EACCES, _("user %s may not do \"%s\" on %s: %s"), user,
			       action, site, why);
	else
		ctui_error_set(err, EACCES, _("user %s may not do \"%s\": %s"), user, action, why);
	return engine_finish(engine, action, site, -1, err);
}

int engine_authorize(struct ctui_engine *engine, const char *action, const char *site,
		     struct ctui_error *err)
{
	const struct action_right *rule = find_right(action);
	struct ctui_site row;

	if (!engine->identity.authenticated)
		return ctui_error_set(err, EACCES, _("log in first"));
	if (engine->identity.admin)
		return 0;
	if (!rule)
		return reject(engine, action, site, _("no right allows it"), err);

	switch (rule->right) {
	case RIGHT_USER:
		return 0;
	case RIGHT_ADMIN:
		return reject(engine, action, site, _("only administrators may"), err);
	case RIGHT_OWNER:
		break;
	}

	if (!site)
		return reject(engine, action, site, _("only administrators may"), err);
	if (ctui_db_site_get(engine->db, site, &row, err) < 0)
		return -1;
	if (strcmp(row.owner, engine->identity.user) != 0)
		return reject(engine, action, site,
			      _("it belongs to another user; ask an administrator"), err);
	return 0;
}

bool engine_may_see(const struct ctui_engine *engine, const struct ctui_site *site)
{
	if (!engine->identity.authenticated)
		return false;
	return engine->identity.admin || !strcmp(site->owner, engine->identity.user);
}

/* User ids: 1 to 255 bytes without control characters. Anything else,
 * '*' and parentheses included, is escaped before it goes into a filter. */
static int validate_user_id(const char *uid, struct ctui_error *err)
{
	char shown[SHOWN_MAX];

	if (!uid[0] || strlen(uid) > CTUI_USER_ID_MAX)
		return ctui_error_set(err, EINVAL, _("a user id has 1 to %d bytes"), CTUI_USER_ID_MAX);
	for (const char *c = uid; *c; c++)
		if ((unsigned char)*c < 0x20 || *c == 0x7f)
			return ctui_error_set(err, EINVAL,
					      _("invalid user id \"%s\": control characters are "
						"not allowed"),
					      ctui_escape(uid, shown, sizeof shown));
	return 0;
}

int engine_check_user(struct ctui_engine *engine, const char *uid, struct ctui_error *err)
{
	struct ctui_ldap_user user;
	char shown[SHOWN_MAX];

	if (validate_user_id(uid, err) < 0)
		return -1;
	if (!engine->cfg.ldap_uri[0])
		return 0;
	if (ctui_ldap_lookup(&engine->cfg, uid, NULL, &user, err) < 0 && err->code == ENOENT)
		return ctui_error_set(err, ENOENT, _("user %s does not exist in the directory %s"),
				      ctui_escape(uid, shown, sizeof shown), engine->cfg.ldap_uri);
	return err->code ? -1 : 0;
}

bool ctui_auth_ldap_enabled(const struct ctui_engine *engine)
{
	return engine->cfg.ldap_uri[0] != '\0';
}

void ctui_auth_require_login(struct ctui_engine *engine)
{
	memset(&engine->identity, 0, sizeof engine->identity);
}

void ctui_auth_identity(const struct ctui_engine *engine, struct ctui_identity *identity)
{
	*identity = engine->identity;
}

void ctui_auth_assume(struct ctui_engine *engine, const struct ctui_identity *identity)
{
	engine->identity = *identity;
}

static int need_ldap(const struct ctui_engine *engine, struct ctui_error *err)
{
	if (engine->cfg.ldap_uri[0])
		return 0;
	return ctui_error_set(err, EINVAL, _("%s has no [ldap] uri: users and logins need an "
					     "LDAP directory"),
			      engine->cfg.path);
}

int ctui_auth_act_as(struct ctui_engine *engine, const char *uid, struct ctui_error *err)
{
	struct ctui_ldap_user user;
	char shown[SHOWN_MAX];

	if (need_ldap(engine, err) < 0)
		return -1;
	if (validate_user_id(uid, err) < 0)
		return ctui_error_prefix(err, "--as");
	if (ctui_ldap_lookup(&engine->cfg, uid, NULL, &user, err) < 0) {
		if (err->code == ENOENT)
			return ctui_error_set(err, ENOENT, _("--as %s: no such user in the directory "
							     "%s"),
					      ctui_escape(uid, shown, sizeof shown),
					      engine->cfg.ldap_uri);
		return -1;
	}

	snprintf(engine->identity.user, sizeof engine->identity.user, "%s", uid);
	engine->identity.admin = user.admin;
	engine->identity.authenticated = true;
	return 0;
}

/* Waits before checking a password of UID: 2^(N-1) seconds after N rejected
 * attempts within FAILURE_WINDOW since its last successful login, at most
 * LOGIN_DELAY_MAX. Waiting before the check, not after, also slows down
 * attempts made in parallel. */
static void delay_login(struct ctui_engine *engine, const char *uid)
{
	struct ctui_error ignored = { 0 };
	unsigned failures = 0, delay;

	if (ctui_db_login_failures(engine->db, uid, time(NULL) - FAILURE_WINDOW, &failures,
				   &ignored) < 0 ||
	    failures == 0)
		return;
	delay = failures > 5 ? LOGIN_DELAY_MAX : 1u << (failures - 1);
	if (delay > LOGIN_DELAY_MAX)
		delay = LOGIN_DELAY_MAX;
	sleep(delay);
}

static void audit_login(struct ctui_engine *engine, const char *uid, const char *result)
{
	struct ctui_error record_err = { 0 };
	bool ok = !strcmp(result, "ok");

	ctui_log_audit(ok ? LOG_INFO : LOG_WARNING, uid, engine->actor, "login", NULL, result);
	if (ctui_db_audit_add(engine->db, uid, engine->actor, "login", NULL, result,
			      &record_err) < 0)
		ctui_log(LOG_ERR, NULL, "cannot record the login: %s", record_err.message);
}

static int login_checked(struct ctui_engine *engine, const char *uid, const char *password,
			 struct ctui_error *err)
{
	struct ctui_ldap_user user;
	cleanup_free char *result = NULL;

	if (need_ldap(engine, err) < 0 || validate_user_id(uid, err) < 0)
		return -1;

	delay_login(engine, uid);
	if (ctui_ldap_lookup(&engine->cfg, uid, password, &user, err) == 0) {
		snprintf(engine->identity.user, sizeof engine->identity.user, "%s", uid);
		engine->identity.admin = user.admin;
		engine->identity.authenticated = true;
		audit_login(engine, uid, "ok");
		return 0;
	}

	if (err->code != ENOENT && err->code != EACCES) {
		audit_login(engine, uid, err->message);
		return -1;
	}
	result = xasprintf("rejected: %s", err->message);
	audit_login(engine, uid, result);
	return ctui_error_set(err, EACCES, _("invalid user id or password"));
}

int ctui_auth_login(struct ctui_engine *engine, const char *uid, char *password,
		    struct ctui_error *err)
{
	int ret = login_checked(engine, uid, password, err);

	explicit_bzero(password, strlen(password));
	return ret;
}

static int set_owner_locked(struct ctui_engine *engine, const char *name, const char *uid,
			    struct ctui_error *err)
{
	int lock, ret;

	if (engine_check_user(engine, uid, err) < 0)
		return -1;
	lock = engine_lock(engine, name, err);
	if (lock < 0)
		return -1;
	ret = ctui_db_site_set_owner(engine->db, name, uid, err);
	engine_unlock(lock);
	return ret;
}

int ctui_site_set_owner(struct ctui_engine *engine, const char *name, const char *uid,
			struct ctui_error *err)
{
	int ret;

	if (ctui_validate_name(name, err) < 0)
		return ctui_error_prefix(err, _("cannot change the owner"));
	if (engine_authorize(engine, ENGINE_ACTION_SET_OWNER, name, err) < 0)
		return -1;

	ret = set_owner_locked(engine, name, uid, err);
	if (ret < 0)
		ctui_error_prefix(err, _("cannot give site %s to %s"), name, uid);
	return engine_finish(engine, ENGINE_ACTION_SET_OWNER, name, ret, err);
}

int ctui_audit_list(struct ctui_engine *engine, size_t limit, struct ctui_audit_entry **entries,
		    size_t *count, struct ctui_error *err)
{
	if (!engine->identity.authenticated)
		return ctui_error_set(err, EACCES, _("log in first"));
	return ctui_db_audit_list(engine->db, engine->identity.admin ? NULL : engine->identity.user,
				  limit, entries, count, err);
}
