#include "engine/db.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "engine/log.h"
#include "engine/subnet.h"
#include "util/util.h"

/* How long a statement waits for another process's write lock before it
 * fails with EBUSY. Site operations hold the lock for milliseconds. */
#define BUSY_TIMEOUT_MS 10000
#define WAL_RETRY_MS 10

#define SHOWN_MAX 160

struct ctui_db {
	sqlite3 *handle;
	char *path;
};

/* Schema migrations, applied in order: entry N brings user_version from N to
 * N + 1. Append new entries, and never edit one that has shipped. */
static const char *const migrations[] = {
	"CREATE TABLE sites ("
	"  id INTEGER PRIMARY KEY,"
	"  name TEXT UNIQUE NOT NULL"
	"    CHECK (length(name) BETWEEN 1 AND 63 AND name NOT GLOB '*[^a-z0-9-]*'"
	"           AND name NOT GLOB '-*' AND name NOT GLOB '*-'),"
	"  domain TEXT UNIQUE NOT NULL CHECK (length(domain) BETWEEN 3 AND 253),"
	"  template TEXT NOT NULL CHECK (length(template) BETWEEN 1 AND 63),"
	"  template_version TEXT NOT NULL CHECK (length(template_version) < 64),"
	"  cpu_shares INTEGER CHECK (cpu_shares >= 0),"
	"  memory INTEGER CHECK (memory >= 0),"
	"  pids INTEGER CHECK (pids >= 0),"
	"  storage TEXT CHECK (storage IN ('overlay')),"
	"  ipv4 INTEGER UNIQUE NOT NULL CHECK (ipv4 BETWEEN 0 AND 4294967295),"
	"  state TEXT NOT NULL"
	"    CHECK (state IN ('stopped', 'starting', 'running', 'stopping', 'crashed')),"
	"  init_pid INTEGER CHECK (init_pid >= 0),"
	"  init_start_time INTEGER CHECK (init_start_time >= 0),"
	"  owner TEXT CHECK (length(owner) < 256),"
	"  created INTEGER,"
	"  changed INTEGER"
	");"
	"CREATE TABLE events ("
	"  id INTEGER PRIMARY KEY,"
	"  time INTEGER NOT NULL,"
	"  actor TEXT NOT NULL,"
	"  action TEXT NOT NULL,"
	"  site TEXT,"
	"  result TEXT NOT NULL"
	");"
	"CREATE INDEX events_by_site ON events (site, time);",

	/* 2: HTTPS settings and the kind of DNS record. Existing sites keep
	 * their CNAME and wait for `ctui tls refresh` to see their certificate. */
	"ALTER TABLE sites ADD COLUMN record TEXT NOT NULL DEFAULT 'cname'"
	"  CHECK (record IN ('cname', 'address'));"
	"ALTER TABLE sites ADD COLUMN redirect INTEGER NOT NULL DEFAULT 1"
	"  CHECK (redirect IN (0, 1));"
	"ALTER TABLE sites ADD COLUMN hsts INTEGER NOT NULL DEFAULT 0"
	"  CHECK (hsts IN (0, 1));"
	"ALTER TABLE sites ADD COLUMN tls TEXT NOT NULL DEFAULT 'pending'"
	"  CHECK (tls IN ('off', 'pending', 'active'));",

	/* 3: the audit trail. The events table keeps on whose behalf an action
	 * ran (actor); login adds the Unix user that ran ctui. */
	"ALTER TABLE events ADD COLUMN login TEXT CHECK (length(login) < 256);"
	"CREATE INDEX events_by_actor ON events (actor, id);",
	/* 4: resource models, a hard CPU cap, and copy and image storage. The
	 * storage column is added again because its CHECK allowed only
	 * 'overlay'; existing sites keep overlay storage. */
	"ALTER TABLE sites DROP COLUMN storage;"
	"ALTER TABLE sites ADD COLUMN storage TEXT NOT NULL DEFAULT 'overlay'"
	"  CHECK (storage IN ('overlay', 'copy', 'image'));"
	"ALTER TABLE sites ADD COLUMN cpu_max INTEGER NOT NULL DEFAULT 0"
	"  CHECK (cpu_max BETWEEN 0 AND 100);"
	"ALTER TABLE sites ADD COLUMN disk INTEGER NOT NULL DEFAULT 0 CHECK (disk >= 0);"
	"ALTER TABLE sites ADD COLUMN model TEXT NOT NULL DEFAULT ''"
	"  CHECK (length(model) < 64);",
	/* 5: the host port forwarded to each site's SFTP server. A separate
	 * table, so that sites created before SFTP simply have no row. */
	"CREATE TABLE sftp_ports ("
	"  site TEXT PRIMARY KEY NOT NULL,"
	"  port INTEGER UNIQUE NOT NULL CHECK (port BETWEEN 1 AND 65535)"
	");",
};

#define MIGRATION_COUNT ((int)(sizeof migrations / sizeof migrations[0]))

#define SITE_COLUMNS                                                                    \
	"id, name, domain, template, template_version, cpu_shares, memory, pids, storage, " \
	"ipv4, state, init_pid, init_start_time, owner, created, changed, record, redirect, " \
	"hsts, tls, cpu_max, disk, model"

static void finalize_stmt(sqlite3_stmt **stmt)
{
	sqlite3_finalize(*stmt);
}

#define cleanup_stmt __attribute__((cleanup(finalize_stmt)))

/* Sets ERR from the handle's last error: EBUSY when another process held the
 * lock past the busy timeout, EIO for anything else. WHAT names the operation
 * that failed. */
static int db_fail(struct ctui_db *db, const char *what, struct ctui_error *err)
{
	int code = sqlite3_errcode(db->handle) & 0xff;

	if (code == SQLITE_BUSY || code == SQLITE_LOCKED)
		return ctui_error_set(err, EBUSY,
				      _("%s: the site database %s is locked by another process "
					"for more than %d s; try again later"),
				      what, db->path, BUSY_TIMEOUT_MS / 1000);
	return ctui_error_set(err, EIO, _("%s: site database %s: %s"), what, db->path,
			      sqlite3_errmsg(db->handle));
}

static int prepare(struct ctui_db *db, const char *sql, sqlite3_stmt **stmt,
		   struct ctui_error *err)
{
	if (sqlite3_prepare_v2(db->handle, sql, -1, stmt, NULL) != SQLITE_OK)
		return db_fail(db, _("prepare a statement"), err);
	return 0;
}

static int exec(struct ctui_db *db, const char *sql, const char *what, struct ctui_error *err)
{
	if (sqlite3_exec(db->handle, sql, NULL, NULL, NULL) != SQLITE_OK)
		return db_fail(db, what, err);
	return 0;
}

int ctui_db_begin(struct ctui_db *db, struct ctui_error *err)
{
	return exec(db, "BEGIN IMMEDIATE", _("begin a transaction"), err);
}

int ctui_db_commit(struct ctui_db *db, struct ctui_error *err)
{
	return exec(db, "COMMIT", _("commit"), err);
}

void ctui_db_rollback(struct ctui_db *db)
{
	/* Best effort: the error that led here is the one to report. */
	if (!sqlite3_get_autocommit(db->handle))
		sqlite3_exec(db->handle, "ROLLBACK", NULL, NULL, NULL);
}

int ctui_db_schema_version(struct ctui_db *db)
{
	cleanup_stmt sqlite3_stmt *stmt = NULL;
	struct ctui_error ignored;

	if (prepare(db, "PRAGMA user_version", &stmt, &ignored) < 0)
		return -1;
	if (sqlite3_step(stmt) != SQLITE_ROW)
		return -1;
	return sqlite3_column_int(stmt, 0);
}

/* Applies the migrations the file lacks, each in its own transaction. The
 * version is read again inside the transaction, because another process may
 * have migrated the file in the meantime. */
static int migrate(struct ctui_db *db, struct ctui_error *err)
{
	for (;;) {
		cleanup_free char *bump = NULL;
		int version;

		if (ctui_db_begin(db, err) < 0)
			return -1;
		version = ctui_db_schema_version(db);
		if (version < 0) {
			ctui_db_rollback(db);
			return db_fail(db, _("read the schema version"), err);
		}
		if (version > MIGRATION_COUNT) {
			ctui_db_rollback(db);
			return ctui_error_set(err, EPROTO,
					      _("the site database %s has schema version %d, newer "
						"than this ctui knows (%d); upgrade ctui"),
					      db->path, version, MIGRATION_COUNT);
		}
		if (version == MIGRATION_COUNT)
			return ctui_db_commit(db, err);

		bump = xasprintf("PRAGMA user_version = %d", version + 1);
		if (exec(db, migrations[version], _("migrate the schema"), err) < 0 ||
		    exec(db, bump, _("migrate the schema"), err) < 0 || ctui_db_commit(db, err) < 0) {
			ctui_db_rollback(db);
			return ctui_error_prefix(err, _("schema version %d"), version + 1);
		}
	}
}

/* Creates PATH with mode 0600 before SQLite does, because SQLite would use
 * 0644; its -wal and -shm files take the mode of the database file. */
static int create_private(const char *path, struct ctui_error *err)
{
	cleanup_free char *copy = xstrdup(path);
	const char *dir = dirname(copy);
	struct stat st;
	int fd;

	if (stat(dir, &st) < 0)
		return ctui_error_errno(err, errno,
					_("the directory %s of the site database is missing; "
					  "create it or set [paths] state_dir"),
					dir);
	if (!S_ISDIR(st.st_mode))
		return ctui_error_errno(err, ENOTDIR, _("the site database belongs in %s"), dir);

	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0)
		return ctui_error_errno(err, errno, _("cannot open the site database %s"), path);
	close(fd);
	return 0;
}

/* Switches the file to write-ahead logging, which lets readers go on while
 * one process writes. The switch needs a write lock while the pragma already
 * holds a read lock, and SQLite returns SQLITE_BUSY at once instead of calling
 * the busy handler in that case (it could deadlock), so it is retried here. */
static int enable_wal(struct ctui_db *db, struct ctui_error *err)
{
	cleanup_stmt sqlite3_stmt *stmt = NULL;
	const char *mode;
	int waited = 0;
	int rc;

	if (prepare(db, "PRAGMA journal_mode = WAL", &stmt, err) < 0)
		return -1;
	while ((rc = sqlite3_step(stmt)) != SQLITE_ROW) {
		if ((rc & 0xff) != SQLITE_BUSY || waited >= BUSY_TIMEOUT_MS)
			return db_fail(db, _("enable write-ahead logging"), err);
		sqlite3_reset(stmt);
		sqlite3_sleep(WAL_RETRY_MS);
		waited += WAL_RETRY_MS;
	}

	mode = (const char *)sqlite3_column_text(stmt, 0);
	if (!mode || strcmp(mode, "wal") != 0)
		return ctui_error_set(err, EIO,
				      _("enable write-ahead logging: the site database %s stays in "
					"journal mode %s; check that its file system supports "
					"shared memory"),
				      db->path, mode ? mode : "?");
	return 0;
}

static int configure(struct ctui_db *db, struct ctui_error *err)
{
	sqlite3_extended_result_codes(db->handle, 1);
	sqlite3_busy_timeout(db->handle, BUSY_TIMEOUT_MS);
	if (exec(db, "PRAGMA foreign_keys = ON", _("enable foreign keys"), err) < 0)
		return -1;
	return enable_wal(db, err);
}

int ctui_db_open(struct ctui_db **db_out, const char *path, struct ctui_error *err)
{
	struct ctui_db *db;

	if (create_private(path, err) < 0)
		return -1;

	db = xcalloc(1, sizeof *db);
	db->path = xstrdup(path);
	if (sqlite3_open_v2(path, &db->handle, SQLITE_OPEN_READWRITE, NULL) != SQLITE_OK) {
		if (!db->handle) {
			ctui_error_set(err, ENOMEM, _("open the site database %s: out of memory"),
				       path);
			goto fail;
		}
		db_fail(db, _("open"), err);
		goto fail;
	}

	if (configure(db, err) < 0 || migrate(db, err) < 0)
		goto fail;
	*db_out = db;
	return 0;

fail:
	ctui_db_close(db);
	return -1;
}

void ctui_db_close(struct ctui_db *db)
{
	if (!db)
		return;
	sqlite3_close(db->handle);
	free(db->path);
	free(db);
}

/* Sets ERR for a failed write of site NAME (ADDR is its address), naming the
 * column whose uniqueness was violated. */
static int site_write_fail(struct ctui_db *db, const char *name, const char *domain,
			   uint32_t addr, const char *what, struct ctui_error *err)
{
	const char *message = sqlite3_errmsg(db->handle);
	int code = sqlite3_extended_errcode(db->handle);
	char shown[SHOWN_MAX], text[16];

	if (code == SQLITE_CONSTRAINT_CHECK || code == SQLITE_CONSTRAINT_NOTNULL)
		return ctui_error_set(err, EINVAL, _("%s: site \"%s\" has an invalid value: %s"),
				      what, ctui_escape(name, shown, sizeof shown), message);
	if (code != SQLITE_CONSTRAINT_UNIQUE)
		return db_fail(db, what, err);

	if (strstr(message, "sites.name"))
		return ctui_error_set(err, EEXIST, _("a site named \"%s\" already exists"),
				      ctui_escape(name, shown, sizeof shown));
	if (strstr(message, "sites.domain"))
		return ctui_error_set(err, EEXIST, _("a site with the domain \"%s\" already exists"),
				      ctui_escape(domain, shown, sizeof shown));
	if (strstr(message, "sites.ipv4"))
		return ctui_error_set(err, EEXIST, _("the address %s is already used by another site"),
				      ctui_ipv4_format(addr, text));
	return ctui_error_set(err, EEXIST, _("%s: %s"), what, message);
}

static int bind_site(sqlite3_stmt *stmt, const struct ctui_site *site)
{
	int rc = SQLITE_OK;
	int i = 1;

	rc |= sqlite3_bind_text(stmt, i++, site->name, -1, SQLITE_STATIC);
	rc |= sqlite3_bind_text(stmt, i++, site->domain, -1, SQLITE_STATIC);
	rc |= sqlite3_bind_text(stmt, i++, site->template_name, -1, SQLITE_STATIC);
	rc |= sqlite3_bind_text(stmt, i++, site->template_version, -1, SQLITE_STATIC);
	rc |= sqlite3_bind_int64(stmt, i++, site->limits.cpu_shares);
	rc |= sqlite3_bind_int64(stmt, i++, (sqlite3_int64)site->limits.memory);
	rc |= sqlite3_bind_int64(stmt, i++, site->limits.pids);
	rc |= sqlite3_bind_text(stmt, i++, ctui_storage_name(site->storage), -1, SQLITE_STATIC);
	rc |= sqlite3_bind_int64(stmt, i++, site->ipv4);
	rc |= sqlite3_bind_text(stmt, i++, ctui_state_name(site->state), -1, SQLITE_STATIC);
	rc |= sqlite3_bind_int64(stmt, i++, site->init_pid);
	rc |= sqlite3_bind_int64(stmt, i++, (sqlite3_int64)site->init_start_time);
	rc |= sqlite3_bind_text(stmt, i++, site->owner, -1, SQLITE_STATIC);
	rc |= sqlite3_bind_int64(stmt, i++, site->created);
	rc |= sqlite3_bind_int64(stmt, i++, site->changed);
	rc |= sqlite3_bind_text(stmt, i++, ctui_record_name(site->record), -1, SQLITE_STATIC);
	rc |= sqlite3_bind_int(stmt, i++, site->redirect);
	rc |= sqlite3_bind_int(stmt, i++, site->hsts);
	rc |= sqlite3_bind_text(stmt, i++, ctui_tls_state_name(site->tls), -1, SQLITE_STATIC);
	rc |= sqlite3_bind_int64(stmt, i++, site->limits.cpu_max);
	rc |= sqlite3_bind_int64(stmt, i++, (sqlite3_int64)site->limits.disk);
	rc |= sqlite3_bind_text(stmt, i++, site->model, -1, SQLITE_STATIC);
	return rc;
}

int ctui_db_site_insert(struct ctui_db *db, struct ctui_site *site, struct ctui_error *err)
{
	cleanup_stmt sqlite3_stmt *stmt = NULL;
	char shown[SHOWN_MAX];

	/* SQLite integers are signed 64-bit: larger values would come back negative. */
	if (site->limits.memory > INT64_MAX || site->limits.disk > INT64_MAX ||
	    site->init_start_time > INT64_MAX)
		return ctui_error_set(err, ERANGE, _("site \"%s\": a value does not fit the database"),
				      ctui_escape(site->name, shown, sizeof shown));

	if (!site->created)
		site->created = time(NULL);
	if (!site->changed)
		site->changed = site->created;

	if (prepare(db,
		    "INSERT INTO sites (name, domain, template, template_version, cpu_shares, "
		    "memory, pids, storage, ipv4, state, init_pid, init_start_time, owner, created, "
		    "changed, record, redirect, hsts, tls, cpu_max, disk, model) "
		    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
		    &stmt, err) < 0)
		return -1;
	if (bind_site(stmt, site) != SQLITE_OK)
		return db_fail(db, _("insert a site"), err);
	if (sqlite3_step(stmt) != SQLITE_DONE)
		return site_write_fail(db, site->name, site->domain, site->ipv4, _("insert a site"),
				       err);

	site->id = sqlite3_last_insert_rowid(db->handle);
	return 0;
}

static void copy_text(char *out, size_t size, sqlite3_stmt *stmt, int column)
{
	const unsigned char *text = sqlite3_column_text(stmt, column);

	snprintf(out, size, "%s", text ? (const char *)text : "");
}

static int parse_state(const char *name, enum ctui_site_state *state)
{
	static const enum ctui_site_state states[] = {
		CTUI_STATE_STOPPED, CTUI_STATE_STARTING, CTUI_STATE_RUNNING,
		CTUI_STATE_STOPPING, CTUI_STATE_CRASHED,
	};

	for (size_t i = 0; name && i < sizeof states / sizeof states[0]; i++) {
		if (strcmp(name, ctui_state_name(states[i])) == 0) {
			*state = states[i];
			return 0;
		}
	}
	return -1;
}

static int parse_record(const char *name, enum ctui_record_kind *kind)
{
	if (name && !strcmp(name, ctui_record_name(CTUI_RECORD_CNAME)))
		*kind = CTUI_RECORD_CNAME;
	else if (name && !strcmp(name, ctui_record_name(CTUI_RECORD_ADDRESS)))
		*kind = CTUI_RECORD_ADDRESS;
	else
		return -1;
	return 0;
}

static int parse_tls_state(const char *name, enum ctui_tls_state *state)
{
	static const enum ctui_tls_state states[] = {
		CTUI_TLS_OFF, CTUI_TLS_PENDING, CTUI_TLS_ACTIVE,
	};

	for (size_t i = 0; name && i < sizeof states / sizeof states[0]; i++) {
		if (strcmp(name, ctui_tls_state_name(states[i])) == 0) {
			*state = states[i];
			return 0;
		}
	}
	return -1;
}

/* Fills SITE from the current row of a statement selecting SITE_COLUMNS. */
static int read_site(struct ctui_db *db, sqlite3_stmt *stmt, struct ctui_site *site,
		     struct ctui_error *err)
{
	const char *state = (const char *)sqlite3_column_text(stmt, 10);
	const char *storage = (const char *)sqlite3_column_text(stmt, 8);
	char shown[SHOWN_MAX];

	memset(site, 0, sizeof *site);
	site->id = sqlite3_column_int64(stmt, 0);
	copy_text(site->name, sizeof site->name, stmt, 1);
	copy_text(site->domain, sizeof site->domain, stmt, 2);
	copy_text(site->template_name, sizeof site->template_name, stmt, 3);
	copy_text(site->template_version, sizeof site->template_version, stmt, 4);
	site->limits.cpu_shares = (unsigned)sqlite3_column_int64(stmt, 5);
	site->limits.memory = (uint64_t)sqlite3_column_int64(stmt, 6);
	site->limits.pids = (unsigned)sqlite3_column_int64(stmt, 7);
	if (ctui_storage_parse(storage, &site->storage) < 0)
		return ctui_error_set(err, EIO, _("site \"%s\" in %s has the unknown storage \"%s\""),
				      ctui_escape(site->name, shown, sizeof shown), db->path,
				      storage ? storage : "");
	site->ipv4 = (uint32_t)sqlite3_column_int64(stmt, 9);
	if (parse_state(state, &site->state) < 0)
		return ctui_error_set(err, EIO, _("site \"%s\" in %s has the unknown state \"%s\""),
				      ctui_escape(site->name, shown, sizeof shown), db->path,
				      state ? state : "");
	site->init_pid = (pid_t)sqlite3_column_int64(stmt, 11);
	site->init_start_time = (unsigned long long)sqlite3_column_int64(stmt, 12);
	copy_text(site->owner, sizeof site->owner, stmt, 13);
	site->created = (time_t)sqlite3_column_int64(stmt, 14);
	site->changed = (time_t)sqlite3_column_int64(stmt, 15);
	if (parse_record((const char *)sqlite3_column_text(stmt, 16), &site->record) < 0 ||
	    parse_tls_state((const char *)sqlite3_column_text(stmt, 19), &site->tls) < 0)
		return ctui_error_set(err, EIO, _("site \"%s\" in %s has an unknown record kind or "
						  "TLS state"),
				      ctui_escape(site->name, shown, sizeof shown), db->path);
	site->redirect = sqlite3_column_int(stmt, 17) != 0;
	site->hsts = sqlite3_column_int(stmt, 18) != 0;
	site->limits.cpu_max = (unsigned)sqlite3_column_int64(stmt, 20);
	site->limits.disk = (uint64_t)sqlite3_column_int64(stmt, 21);
	copy_text(site->model, sizeof site->model, stmt, 22);
	return 0;
}

static int no_site(const char *name, struct ctui_error *err)
{
	char shown[SHOWN_MAX];

	return ctui_error_set(err, ENOENT, _("no site named \"%s\""),
			      ctui_escape(name, shown, sizeof shown));
}

int ctui_db_site_get(struct ctui_db *db, const char *name, struct ctui_site *site,
		     struct ctui_error *err)
{
	cleanup_stmt sqlite3_stmt *stmt = NULL;
	int rc;

	if (prepare(db, "SELECT " SITE_COLUMNS " FROM sites WHERE name = ?", &stmt, err) < 0)
		return -1;
	if (sqlite3_bind_text(stmt, 1, name, -1, SQLITE_STATIC) != SQLITE_OK)
		return db_fail(db, _("read a site"), err);

	rc = sqlite3_step(stmt);
	if (rc == SQLITE_DONE)
		return no_site(name, err);
	if (rc != SQLITE_ROW)
		return db_fail(db, _("read a site"), err);
	return read_site(db, stmt, site, err);
}

int ctui_db_site_list(struct ctui_db *db, struct ctui_site **sites, size_t *count,
		      struct ctui_error *err)
{
	cleanup_stmt sqlite3_stmt *stmt = NULL;
	cleanup_free struct ctui_site *list = NULL;
	size_t n = 0, allocated = 0;
	int rc;

	if (prepare(db, "SELECT " SITE_COLUMNS " FROM sites ORDER BY name", &stmt, err) < 0)
		return -1;

	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		if (n == allocated) {
			allocated = allocated ? 2 * allocated : 16;
			list = xrealloc(list, allocated * sizeof *list);
		}
		if (read_site(db, stmt, &list[n], err) < 0)
			return -1;
		n++;
	}
	if (rc != SQLITE_DONE)
		return db_fail(db, _("list the sites"), err);

	*sites = steal_pointer(&list);
	*count = n;
	return 0;
}

int ctui_db_site_set_state(struct ctui_db *db, const char *name, enum ctui_site_state state,
			   pid_t init_pid, unsigned long long init_start_time,
			   struct ctui_error *err)
{
	cleanup_stmt sqlite3_stmt *stmt = NULL;
	int rc = SQLITE_OK;

	if (init_start_time > INT64_MAX)
		return ctui_error_set(err, ERANGE, _("init start time %llu is out of range"),
				      init_start_time);
	if (prepare(db,
		    "UPDATE sites SET state = ?, init_pid = ?, init_start_time = ?, changed = ? "
		    "WHERE name = ?",
		    &stmt, err) < 0)
		return -1;

	rc |= sqlite3_bind_text(stmt, 1, ctui_state_name(state), -1, SQLITE_STATIC);
	rc |= sqlite3_bind_int64(stmt, 2, init_pid);
	rc |= sqlite3_bind_int64(stmt, 3, (sqlite3_int64)init_start_time);
	rc |= sqlite3_bind_int64(stmt, 4, time(NULL));
	rc |= sqlite3_bind_text(stmt, 5, name, -1, SQLITE_STATIC);
	if (rc != SQLITE_OK || sqlite3_step(stmt) != SQLITE_DONE)
		return db_fail(db, _("record the state of a site"), err);

	if (sqlite3_changes(db->handle) == 0)
		return no_site(name, err);
	return 0;
}

int ctui_db_site_set_https(struct ctui_db *db, const char *name, bool redirect, bool hsts,
			   struct ctui_error *err)
{
	cleanup_stmt sqlite3_stmt *stmt = NULL;
	int rc = SQLITE_OK;

	if (prepare(db, "UPDATE sites SET redirect = ?, hsts = ?, changed = ? WHERE name = ?",
		    &stmt, err) < 0)
		return -1;

	rc |= sqlite3_bind_int(stmt, 1, redirect);
	rc |= sqlite3_bind_int(stmt, 2, hsts);
	rc |= sqlite3_bind_int64(stmt, 3, time(NULL));
	rc |= sqlite3_bind_text(stmt, 4, name, -1, SQLITE_STATIC);
	if (rc != SQLITE_OK || sqlite3_step(stmt) != SQLITE_DONE)
		return db_fail(db, _("record the HTTPS settings of a site"), err);

	if (sqlite3_changes(db->handle) == 0)
		return no_site(name, err);
	return 0;
}

int ctui_db_site_set_tls(struct ctui_db *db, const char *name, enum ctui_tls_state tls,
			 struct ctui_error *err)
{
	cleanup_stmt sqlite3_stmt *stmt = NULL;
	int rc = SQLITE_OK;

	if (prepare(db, "UPDATE sites SET tls = ?, changed = ? WHERE name = ?", &stmt, err) < 0)
		return -1;

	rc |= sqlite3_bind_text(stmt, 1, ctui_tls_state_name(tls), -1, SQLITE_STATIC);
	rc |= sqlite3_bind_int64(stmt, 2, time(NULL));
	rc |= sqlite3_bind_text(stmt, 3, name, -1, SQLITE_STATIC);
	if (rc != SQLITE_OK || sqlite3_step(stmt) != SQLITE_DONE)
		return db_fail(db, _("record the TLS state of a site"), err);

	if (sqlite3_changes(db->handle) == 0)
		return no_site(name, err);
	return 0;
}

int ctui_db_site_set_limits(struct ctui_db *db, const char *name,
			    const struct ctui_limits *limits, struct ctui_error *err)
{
	cleanup_stmt sqlite3_stmt *stmt = NULL;
	int rc = SQLITE_OK;

	if (limits->memory > INT64_MAX || limits->disk > INT64_MAX)
		return ctui_error_set(err, ERANGE, _("a limit does not fit the database"));
	if (prepare(db,
		    "UPDATE sites SET cpu_shares = ?, cpu_max = ?, memory = ?, pids = ?, disk = ?, "
		    "changed = ? WHERE name = ?",
		    &stmt, err) < 0)
		return -1;

	rc |= sqlite3_bind_int64(stmt, 1, limits->cpu_shares);
	rc |= sqlite3_bind_int64(stmt, 2, limits->cpu_max);
	rc |= sqlite3_bind_int64(stmt, 3, (sqlite3_int64)limits->memory);
	rc |= sqlite3_bind_int64(stmt, 4, limits->pids);
	rc |= sqlite3_bind_int64(stmt, 5, (sqlite3_int64)limits->disk);
	rc |= sqlite3_bind_int64(stmt, 6, time(NULL));
	rc |= sqlite3_bind_text(stmt, 7, name, -1, SQLITE_STATIC);
	if (rc != SQLITE_OK || sqlite3_step(stmt) != SQLITE_DONE)
		return site_write_fail(db, name, "", 0, _("record the limits of a site"), err);

	if (sqlite3_changes(db->handle) == 0)
		return no_site(name, err);
	return 0;
}

int ctui_db_site_set_template_version(struct ctui_db *db, const char *name, const char *version,
				      struct ctui_error *err)
{
	cleanup_stmt sqlite3_stmt *stmt = NULL;
	int rc = SQLITE_OK;

	if (prepare(db, "UPDATE sites SET template_version = ?, changed = ? WHERE name = ?", &stmt,
		    err) < 0)
		return -1;

	rc |= sqlite3_bind_text(stmt, 1, version, -1, SQLITE_STATIC);
	rc |= sqlite3_bind_int64(stmt, 2, time(NULL));
	rc |= sqlite3_bind_text(stmt, 3, name, -1, SQLITE_STATIC);
	if (rc != SQLITE_OK || sqlite3_step(stmt) != SQLITE_DONE)
		return db_fail(db, _("record the template version of a site"), err);

	if (sqlite3_changes(db->handle) == 0)
		return no_site(name, err);
	return 0;
}

int ctui_db_site_delete(struct ctui_db *db, const char *name, struct ctui_error *err)
{
	cleanup_stmt sqlite3_stmt *stmt = NULL;

	if (prepare(db, "DELETE FROM sites WHERE name = ?", &stmt, err) < 0)
		return -1;
	if (sqlite3_bind_text(stmt, 1, name, -1, SQLITE_STATIC) != SQLITE_OK ||
	    sqlite3_step(stmt) != SQLITE_DONE)
		return db_fail(db, _("delete a site"), err);

	if (sqlite3_changes(db->handle) == 0)
		return no_site(name, err);
	return 0;
}

int ctui_db_used_addresses(struct ctui_db *db, uint32_t **addrs, size_t *count,
			   struct ctui_error *err)
{
	cleanup_stmt sqlite3_stmt *stmt = NULL;
	cleanup_free uint32_t *list = NULL;
	size_t n = 0, allocated = 0;
	int rc;

	if (prepare(db, "SELECT ipv4 FROM sites ORDER BY ipv4", &stmt, err) < 0)
		return -1;

	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		if (n == allocated) {
			allocated = allocated ? 2 * allocated : 64;
			list = xrealloc(list, allocated * sizeof *list);
		}
		list[n++] = (uint32_t)sqlite3_column_int64(stmt, 0);
	}
	if (rc != SQLITE_DONE)
		return db_fail(db, _("list the addresses in use"), err);

	*addrs = steal_pointer(&list);
	*count = n;
	return 0;
}

int ctui_db_event_add(struct ctui_db *db, const char *actor, const char *action,
		      const char *site, const char *result, struct ctui_error *err)
{
	cleanup_stmt sqlite3_stmt *stmt = NULL;
	int rc = SQLITE_OK;

	if (prepare(db,
		    "INSERT INTO events (time, actor, action, site, result) VALUES (?, ?, ?, ?, ?)",
		    &stmt, err) < 0)
		return -1;

	rc |= sqlite3_bind_int64(stmt, 1, time(NULL));
	rc |= sqlite3_bind_text(stmt, 2, actor, -1, SQLITE_STATIC);
	rc |= sqlite3_bind_text(stmt, 3, action, -1, SQLITE_STATIC);
	rc |= sqlite3_bind_text(stmt, 4, site, -1, SQLITE_STATIC);
	rc |= sqlite3_bind_text(stmt, 5, result, -1, SQLITE_STATIC);
	if (rc != SQLITE_OK || sqlite3_step(stmt) != SQLITE_DONE)
		return db_fail(db, _("record an event"), err);
	return 0;
}

int ctui_db_event_list(struct ctui_db *db, const char *site, size_t limit,
		       struct ctui_event **events, size_t *count, struct ctui_error *err)
{
	cleanup_stmt sqlite3_stmt *stmt = NULL;
	cleanup_free struct ctui_event *list = NULL;
	size_t n = 0, allocated = 0;
	int rc = SQLITE_OK;

	if (prepare(db,
		    "SELECT id, time, actor, action, site, result FROM events "
		    "WHERE ?1 IS NULL OR site = ?1 ORDER BY id DESC LIMIT ?2",
		    &stmt, err) < 0)
		return -1;
	rc |= sqlite3_bind_text(stmt, 1, site, -1, SQLITE_STATIC);
	rc |= sqlite3_bind_int64(stmt, 2, limit > INT64_MAX ? INT64_MAX : (sqlite3_int64)limit);
	if (rc != SQLITE_OK)
		return db_fail(db, _("read the events"), err);

	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		struct ctui_event *event;

		if (n == allocated) {
			allocated = allocated ? 2 * allocated : 16;
			list = xrealloc(list, allocated * sizeof *list);
		}
		event = &list[n++];
		event->id = sqlite3_column_int64(stmt, 0);
		event->time = (time_t)sqlite3_column_int64(stmt, 1);
		copy_text(event->actor, sizeof event->actor, stmt, 2);
		copy_text(event->action, sizeof event->action, stmt, 3);
		copy_text(event->site, sizeof event->site, stmt, 4);
		copy_text(event->result, sizeof event->result, stmt, 5);
	}
	if (rc != SQLITE_DONE)
		return db_fail(db, _("read the events"), err);

	*events = steal_pointer(&list);
	*count = n;
	return 0;
}

int ctui_db_audit_add(struct ctui_db *db, const char *user, const char *login,
		      const char *action, const char *site, const char *result,
		      struct ctui_error *err)
{
	cleanup_stmt sqlite3_stmt *stmt = NULL;
	int rc = SQLITE_OK;

	if (prepare(db,
		    "INSERT INTO events (time, actor, login, action, site, result) "
		    "VALUES (?, ?, ?, ?, ?, ?)",
		    &stmt, err) < 0)
		return -1;

	rc |= sqlite3_bind_int64(stmt, 1, time(NULL));
	rc |= sqlite3_bind_text(stmt, 2, user, -1, SQLITE_STATIC);
	rc |= sqlite3_bind_text(stmt, 3, login, -1, SQLITE_STATIC);
	rc |= sqlite3_bind_text(stmt, 4, action, -1, SQLITE_STATIC);
	rc |= sqlite3_bind_text(stmt, 5, site, -1, SQLITE_STATIC);
	rc |= sqlite3_bind_text(stmt, 6, result, -1, SQLITE_STATIC);
	if (rc != SQLITE_OK || sqlite3_step(stmt) != SQLITE_DONE)
		return db_fail(db, _("record an audit row"), err);
	return 0;
}

int ctui_db_audit_list(struct ctui_db *db, const char *user, size_t limit,
		       struct ctui_audit_entry **entries, size_t *count, struct ctui_error *err)
{
	cleanup_stmt sqlite3_stmt *stmt = NULL;
	cleanup_free struct ctui_audit_entry *list = NULL;
	size_t n = 0, allocated = 0;
	int rc = SQLITE_OK;

	if (prepare(db,
		    "SELECT id, time, actor, login, action, site, result FROM events "
		    "WHERE ?1 IS NULL OR actor = ?1 ORDER BY id DESC LIMIT ?2",
		    &stmt, err) < 0)
		return -1;
	rc |= sqlite3_bind_text(stmt, 1, user, -1, SQLITE_STATIC);
	rc |= sqlite3_bind_int64(stmt, 2, limit > INT64_MAX ? INT64_MAX : (sqlite3_int64)limit);
	if (rc != SQLITE_OK)
		return db_fail(db, _("read the audit trail"), err);

	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		struct ctui_audit_entry *entry;

		if (n == allocated) {
			allocated = allocated ? 2 * allocated : 64;
			list = xrealloc(list, allocated * sizeof *list);
		}
		entry = &list[n++];
		entry->id = sqlite3_column_int64(stmt, 0);
		entry->time = (time_t)sqlite3_column_int64(stmt, 1);
		copy_text(entry->user, sizeof entry->user, stmt, 2);
		copy_text(entry->login, sizeof entry->login, stmt, 3);
		copy_text(entry->action, sizeof entry->action, stmt, 4);
		copy_text(entry->site, sizeof entry->site, stmt, 5);
		copy_text(entry->result, sizeof entry->result, stmt, 6);
	}
	if (rc != SQLITE_DONE)
		return db_fail(db, _("read the audit trail"), err);

	*entries = steal_pointer(&list);
	*count = n;
	return 0;
}

int ctui_db_login_failures(struct ctui_db *db, const char *user, time_t since, unsigned *count,
			   struct ctui_error *err)
{
	cleanup_stmt sqlite3_stmt *stmt = NULL;
	int rc = SQLITE_OK;

	if (prepare(db,
		    "SELECT count(*) FROM events WHERE action = 'login' AND actor = ?1 "
		    "AND time >= ?2 AND result LIKE 'rejected%' AND id > "
		    "(SELECT coalesce(max(id), 0) FROM events "
		    " WHERE action = 'login' AND actor = ?1 AND result = 'ok')",
		    &stmt, err) < 0)
		return -1;
	rc |= sqlite3_bind_text(stmt, 1, user, -1, SQLITE_STATIC);
	rc |= sqlite3_bind_int64(stmt, 2, since);
	if (rc != SQLITE_OK || sqlite3_step(stmt) != SQLITE_ROW)
		return db_fail(db, _("count the failed logins"), err);
	*count = (unsigned)sqlite3_column_int64(stmt, 0);
	return 0;
}

int ctui_db_site_set_owner(struct ctui_db *db, const char *name, const char *owner,
			   struct ctui_error *err)
{
	cleanup_stmt sqlite3_stmt *stmt = NULL;
	int rc = SQLITE_OK;

	if (prepare(db, "UPDATE sites SET owner = ?, changed = ? WHERE name = ?", &stmt, err) < 0)
		return -1;

	rc |= sqlite3_bind_text(stmt, 1, owner, -1, SQLITE_STATIC);
	rc |= sqlite3_bind_int64(stmt, 2, time(NULL));
	rc |= sqlite3_bind_text(stmt, 3, name, -1, SQLITE_STATIC);
	if (rc != SQLITE_OK || sqlite3_step(stmt) != SQLITE_DONE)
		return site_write_fail(db, name, "", 0, _("record the owner of a site"), err);

	if (sqlite3_changes(db->handle) == 0)
		return no_site(name, err);
	return 0;
}

int ctui_db_sftp_port_get(struct ctui_db *db, const char *name, unsigned *port,
			  struct ctui_error *err)
{
	cleanup_stmt sqlite3_stmt *stmt = NULL;
	int rc;

	if (prepare(db, "SELECT port FROM sftp_ports WHERE site = ?", &stmt, err) < 0)
		return -1;
	if (sqlite3_bind_text(stmt, 1, name, -1, SQLITE_STATIC) != SQLITE_OK)
		return db_fail(db, _("read an SFTP port"), err);

	rc = sqlite3_step(stmt);
	if (rc == SQLITE_ROW)
		*port = (unsigned)sqlite3_column_int(stmt, 0);
	else if (rc == SQLITE_DONE)
		*port = 0;
	else
		return db_fail(db, _("read an SFTP port"), err);
	return 0;
}

int ctui_db_sftp_ports_used(struct ctui_db *db, unsigned **ports, size_t *count,
			    struct ctui_error *err)
{
	cleanup_stmt sqlite3_stmt *stmt = NULL;
	cleanup_free unsigned *list = NULL;
	size_t n = 0, allocated = 0;
	int rc;

	if (prepare(db, "SELECT port FROM sftp_ports ORDER BY port", &stmt, err) < 0)
		return -1;

	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		if (n == allocated) {
			allocated = allocated ? 2 * allocated : 64;
			list = xrealloc(list, allocated * sizeof *list);
		}
		list[n++] = (unsigned)sqlite3_column_int(stmt, 0);
	}
	if (rc != SQLITE_DONE)
		return db_fail(db, _("list the SFTP ports in use"), err);

	*ports = steal_pointer(&list);
	*count = n;
	return 0;
}

int ctui_db_sftp_port_set(struct ctui_db *db, const char *name, unsigned port,
			  struct ctui_error *err)
{
	cleanup_stmt sqlite3_stmt *stmt = NULL;

	/* An upsert on the site only: "INSERT OR REPLACE" would also delete
	 * the row of another site that has PORT. */
	if (prepare(db, "INSERT INTO sftp_ports (site, port) VALUES (?, ?) "
			"ON CONFLICT (site) DO UPDATE SET port = excluded.port",
		    &stmt, err) < 0)
		return -1;
	if (sqlite3_bind_text(stmt, 1, name, -1, SQLITE_STATIC) != SQLITE_OK ||
	    sqlite3_bind_int(stmt, 2, (int)port) != SQLITE_OK)
		return db_fail(db, _("record an SFTP port"), err);
	if (sqlite3_step(stmt) != SQLITE_DONE) {
		if ((sqlite3_errcode(db->handle) & 0xff) == SQLITE_CONSTRAINT)
			return ctui_error_set(err, EEXIST, _("the SFTP port %u is already taken"),
					      port);
		return db_fail(db, _("record an SFTP port"), err);
	}
	return 0;
}

int ctui_db_sftp_port_delete(struct ctui_db *db, const char *name, struct ctui_error *err)
{
	cleanup_stmt sqlite3_stmt *stmt = NULL;

	if (prepare(db, "DELETE FROM sftp_ports WHERE site = ?", &stmt, err) < 0)
		return -1;
	if (sqlite3_bind_text(stmt, 1, name, -1, SQLITE_STATIC) != SQLITE_OK ||
	    sqlite3_step(stmt) != SQLITE_DONE)
		return db_fail(db, _("delete an SFTP port"), err);
	return 0;
}
