/* Identities: logins through LDAP, the rights of administrators and site
 * owners, and the audit trail of every action. Without [ldap] uri in
 * ctui.conf, the user running ctui is an administrator. */
#ifndef CTUI_AUTH_H
#define CTUI_AUTH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "ctui/error.h"
#include "ctui/site.h"

struct ctui_engine;

#define CTUI_USER_ID_MAX 255

/* The user an engine acts for. */
struct ctui_identity {
	char user[CTUI_USER_ID_MAX + 1]; /* the LDAP user id, or the Unix user without LDAP */
	bool admin;                      /* every site and the templates */
	bool authenticated;              /* false until a login when [ldap] is set in the TUI */
};

/* Whether [ldap] uri is set in ctui.conf. */
bool ctui_auth_ldap_enabled(const struct ctui_engine *engine);

/* Forgets who the engine acts for: every action is then rejected until
 * ctui_auth_login() succeeds. The TUI calls it before its login form. */
void ctui_auth_require_login(struct ctui_engine *engine);

/* Checks UID's PASSWORD against the directory and, when it matches, makes
 * the engine act for UID (an administrator when UID is in [ldap]
 * admin_group). PASSWORD is wiped with explicit_bzero() before the function
 * returns, whatever the outcome. Each attempt is audited; after the Nth
 * rejected attempt for UID within 15 minutes the rejection is returned
 * after 2^(N-1) seconds, at most 30 s. A wrong password and an unknown user
 * give the same EACCES message; the audit trail records which one it was. */
int ctui_auth_login(struct ctui_engine *engine, const char *uid, char *password,
		    struct ctui_error *err);

/* Makes the engine act for UID, which must exist in the directory, with
 * UID's rights: `ctui --as UID`, run by root, which needs no password. */
int ctui_auth_act_as(struct ctui_engine *engine, const char *uid, struct ctui_error *err);

/* Copies who the engine acts for into IDENTITY. */
void ctui_auth_identity(const struct ctui_engine *engine, struct ctui_identity *identity);

/* Makes a new engine act for IDENTITY, read earlier with
 * ctui_auth_identity() from an engine of the same process or of its parent
 * (the TUI's workers are forked after the login). */
void ctui_auth_assume(struct ctui_engine *engine, const struct ctui_identity *identity);

/* Gives site NAME to UID, who must exist in the directory when [ldap] is
 * set. Administrators only. */
int ctui_site_set_owner(struct ctui_engine *engine, const char *name, const char *uid,
			struct ctui_error *err);

/* One row of the audit trail. */
struct ctui_audit_entry {
	int64_t id;
	time_t time;
	char user[CTUI_USER_ID_MAX + 1];  /* on whose behalf: the LDAP user or the Unix user */
	char login[CTUI_USER_ID_MAX + 1]; /* the Unix user that ran ctui; empty in old rows */
	char action[64];
	char site[CTUI_NAME_MAX + 1];     /* empty when the action concerns no site */
	char result[CTUI_ERROR_MAX];      /* "ok" or the error message */
};

/* Reads the LIMIT newest audit rows, newest first: all of them for an
 * administrator, only the user's own otherwise. The caller frees *ENTRIES. */
int ctui_audit_list(struct ctui_engine *engine, size_t limit, struct ctui_audit_entry **entries,
		    size_t *count, struct ctui_error *err);

#endif
