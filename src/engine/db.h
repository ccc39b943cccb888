/* The site directory in SQLite: sites, events, and schema migrations.
 * Every function returns 0 or a negative value with ERR set; a missing site
 * is reported with code ENOENT. */
#ifndef CTUI_DB_H
#define CTUI_DB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "ctui/auth.h"
#include "ctui/error.h"
#include "ctui/site.h"

struct ctui_db;

/* Opens (creating if needed) the database at PATH, enables WAL and a busy
 * timeout, and applies the pending migrations. */
int ctui_db_open(struct ctui_db **db, const char *path, struct ctui_error *err);
void ctui_db_close(struct ctui_db *db);

/* The schema version after migrations. */
int ctui_db_schema_version(struct ctui_db *db);

/* BEGIN IMMEDIATE / COMMIT / ROLLBACK. */
int ctui_db_begin(struct ctui_db *db, struct ctui_error *err);
int ctui_db_commit(struct ctui_db *db, struct ctui_error *err);
void ctui_db_rollback(struct ctui_db *db);

/* Inserts SITE (its id is set on success). A duplicate name, domain or address
 * fails with EEXIST and a message naming the column. */
int ctui_db_site_insert(struct ctui_db *db, struct ctui_site *site, struct ctui_error *err);
int ctui_db_site_get(struct ctui_db *db, const char *name, struct ctui_site *site,
		     struct ctui_error *err);
/* Every site ordered by name; the caller frees *SITES. */
int ctui_db_site_list(struct ctui_db *db, struct ctui_site **sites, size_t *count,
		      struct ctui_error *err);
/* Records the state, init pid and its start time, and the change time. */
int ctui_db_site_set_state(struct ctui_db *db, const char *name, enum ctui_site_state state,
			   pid_t init_pid, unsigned long long init_start_time,
			   struct ctui_error *err);
/* Records whether SITE redirects HTTP to HTTPS and sends HSTS. */
int ctui_db_site_set_https(struct ctui_db *db, const char *name, bool redirect, bool hsts,
			   struct ctui_error *err);
/* Records the TLS state that `ctui tls refresh` found. */
int ctui_db_site_set_tls(struct ctui_db *db, const char *name, enum ctui_tls_state tls,
			 struct ctui_error *err);
/* Records the template base VERSION that SITE's overlay uses. */
int ctui_db_site_set_template_version(struct ctui_db *db, const char *name, const char *version,
				      struct ctui_error *err);
/* Records every field of LIMITS as SITE's limits. */
int ctui_db_site_set_limits(struct ctui_db *db, const char *name,
			    const struct ctui_limits *limits, struct ctui_error *err);
int ctui_db_site_delete(struct ctui_db *db, const char *name, struct ctui_error *err);

/* Addresses in use by every site; the caller frees *ADDRS. */
int ctui_db_used_addresses(struct ctui_db *db, uint32_t **addrs, size_t *count,
			   struct ctui_error *err);

/* Appends an event: who did what to which site (may be NULL), and the result
 * ("ok" or the error message). */
int ctui_db_event_add(struct ctui_db *db, const char *actor, const char *action,
		      const char *site, const char *result, struct ctui_error *err);

struct ctui_event {
	int64_t id;
	time_t time;
	char actor[256];
	char action[64];
	char site[CTUI_NAME_MAX + 1];   /* empty when the event concerns no site */
	char result[CTUI_ERROR_MAX];    /* "ok" or the error message */
};

/* Reads the LIMIT newest events, of SITE only when it is not NULL, newest
 * first. The caller frees *EVENTS. Longer texts are cut to the field sizes. */
int ctui_db_event_list(struct ctui_db *db, const char *site, size_t limit,
		       struct ctui_event **events, size_t *count, struct ctui_error *err);

/* Appends an audit row: USER acted (on whose behalf), LOGIN ran ctui (the
 * Unix user), ACTION on SITE (may be NULL), RESULT "ok", "rejected: ..." for
 * a refused login, or the error message. */
int ctui_db_audit_add(struct ctui_db *db, const char *user, const char *login,
		      const char *action, const char *site, const char *result,
		      struct ctui_error *err);

/* Reads the LIMIT newest audit rows of USER (everyone's when NULL), newest
 * first. The caller frees *ENTRIES. */
int ctui_db_audit_list(struct ctui_db *db, const char *user, size_t limit,
		       struct ctui_audit_entry **entries, size_t *count, struct ctui_error *err);

/* Counts USER's rejected logins since SINCE that came after their last
 * successful one. */
int ctui_db_login_failures(struct ctui_db *db, const char *user, time_t since, unsigned *count,
			   struct ctui_error *err);

/* Gives site NAME to OWNER (a user id). */
int ctui_db_site_set_owner(struct ctui_db *db, const char *name, const char *owner,
			   struct ctui_error *err);
/* The host port forwarded to SITE's SFTP server: *PORT is 0 when SITE has
 * none. */
int ctui_db_sftp_port_get(struct ctui_db *db, const char *name, unsigned *port,
			  struct ctui_error *err);
/* Every recorded SFTP port in ascending order; the caller frees *PORTS. */
int ctui_db_sftp_ports_used(struct ctui_db *db, unsigned **ports, size_t *count,
			    struct ctui_error *err);
/* Records PORT for SITE, replacing its old one; fails with EEXIST when
 * another site has PORT. */
int ctui_db_sftp_port_set(struct ctui_db *db, const char *name, unsigned port,
			  struct ctui_error *err);
/* Forgets SITE's port; a site without one is fine. */
int ctui_db_sftp_port_delete(struct ctui_db *db, const char *name, struct ctui_error *err);

#endif
