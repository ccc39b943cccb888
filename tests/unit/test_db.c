/* The site directory on real SQLite files in a private directory under /tmp:
 * migrations, every operation, constraint and lock errors, and 8 processes
 * writing at once. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "engine/db.h"

#define IP(a, b, c, d) (((uint32_t)(a) << 24) | ((uint32_t)(b) << 16) | ((uint32_t)(c) << 8) | (uint32_t)(d))

/* The number of migrations in db.c. */
#define SCHEMA_VERSION 5
#define WRITERS 8
#define SITES_PER_WRITER 25

struct fixture {
	char dir[64];
	char path[128];
	struct ctui_db *db;
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof *f);
	struct ctui_error err = { 0 };

	if (!f)
		return -1;
	strcpy(f->dir, "/tmp/ctui-test-db-XXXXXX");
	if (!mkdtemp(f->dir))
		return -1;
	snprintf(f->path, sizeof f->path, "%s/sites.db", f->dir);
	if (ctui_db_open(&f->db, f->path, &err) < 0) {
		fprintf(stderr, "%s\n", err.message);
		return -1;
	}
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	char path[160];

	ctui_db_close(f->db);
	unlink(f->path);
	snprintf(path, sizeof path, "%s-wal", f->path);
	unlink(path);
	snprintf(path, sizeof path, "%s-shm", f->path);
	unlink(path);
	rmdir(f->dir);
	free(f);
	return 0;
}

static struct ctui_site make_site(const char *name, const char *domain, uint32_t ipv4)
{
	struct ctui_site site;

	memset(&site, 0, sizeof site);
	snprintf(site.name, sizeof site.name, "%s", name);
	snprintf(site.domain, sizeof site.domain, "%s", domain);
	snprintf(site.template_name, sizeof site.template_name, "apache");
	snprintf(site.template_version, sizeof site.template_version, "20240101-1");
	site.limits.cpu_shares = 1024;
	site.limits.memory = 256ull << 20;
	site.limits.pids = 200;
	site.storage = CTUI_STORAGE_OVERLAY;
	site.ipv4 = ipv4;
	site.state = CTUI_STATE_STOPPED;
	snprintf(site.owner, sizeof site.owner, "alice");
	return site;
}

static void insert_ok(struct ctui_db *db, struct ctui_site *site)
{
	struct ctui_error err = { 0 };

	if (ctui_db_site_insert(db, site, &err) < 0)
		fail_msg("insert %s: %s", site->name, err.message);
}

static size_t count_sites(struct ctui_db *db)
{
	struct ctui_error err = { 0 };
	struct ctui_site *sites = NULL;
	size_t count = 0;

	if (ctui_db_site_list(db, &sites, &count, &err) < 0)
		fail_msg("list: %s", err.message);
	free(sites);
	return count;
}

/* Runs SQL on PATH through a connection of its own and returns the first
 * column of the first row as text, or "" when there is none. */
static void query_text(const char *path, const char *sql, char *out, size_t size)
{
	sqlite3 *handle;
	sqlite3_stmt *stmt;

	assert_int_equal(sqlite3_open(path, &handle), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(handle, sql, -1, &stmt, NULL), SQLITE_OK);
	out[0] = '\0';
	if (sqlite3_step(stmt) == SQLITE_ROW && sqlite3_column_text(stmt, 0))
		snprintf(out, size, "%s", (const char *)sqlite3_column_text(stmt, 0));
	sqlite3_finalize(stmt);
	sqlite3_close(handle);
}

static void migrations_on_fresh_file(void **state)
{
	struct fixture *f = *state;
	struct ctui_error err = { 0 };
	char text[256], wal[160];
	struct stat st;

	assert_int_equal(ctui_db_schema_version(f->db), SCHEMA_VERSION);

	assert_int_equal(stat(f->path, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0600);
	snprintf(wal, sizeof wal, "%s-wal", f->path);
	assert_int_equal(stat(wal, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0600);
	snprintf(wal, sizeof wal, "%s-shm", f->path);
	assert_int_equal(stat(wal, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0600);

	query_text(f->path, "PRAGMA journal_mode", text, sizeof text);
	assert_string_equal(text, "wal");
	query_text(f->path, "SELECT group_concat(name, ',') FROM "
			    "(SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name)",
		   text, sizeof text);
	assert_string_equal(text, "events,sftp_ports,sites");

	/* Reopening applies nothing twice and keeps the rows. */
	struct ctui_site site = make_site("web", "web.sites.test", IP(10, 77, 0, 1));
	insert_ok(f->db, &site);
	ctui_db_close(f->db);
	f->db = NULL;
	if (ctui_db_open(&f->db, f->path, &err) < 0)
		fail_msg("reopen: %s", err.message);
	assert_int_equal(ctui_db_schema_version(f->db), SCHEMA_VERSION);
	assert_int_equal(count_sites(f->db), 1);
}

static void newer_schema_rejected(void **state)
{
	struct fixture *f = *state;
	struct ctui_error err = { 0 };
	struct ctui_db *db = NULL;
	char text[16], expected[512];

	query_text(f->path, "PRAGMA user_version = 99", text, sizeof text);
	assert_int_equal(ctui_db_open(&db, f->path, &err), -1);
	assert_null(db);
	assert_int_equal(err.code, EPROTO);
	snprintf(expected, sizeof expected,
		 "the site database %s has schema version 99, newer than this ctui knows (%d); "
		 "upgrade ctui",
		 f->path, SCHEMA_VERSION);
	assert_string_equal(err.message, expected);
}

static void limits_and_storage_round_trip(void **state)
{
	struct fixture *f = *state;
	struct ctui_site site = make_site("img", "img.example.org", IP(10, 77, 0, 9));
	const struct ctui_limits changed = { .cpu_shares = 300, .cpu_max = 50,
					     .memory = 256 << 20, .pids = 90, .disk = 2ULL << 30 };
	struct ctui_error err = { 0 };
	struct ctui_site got;

	site.storage = CTUI_STORAGE_IMAGE;
	site.limits.cpu_max = 25;
	site.limits.disk = 1ULL << 30;
	snprintf(site.model, sizeof site.model, "small");
	insert_ok(f->db, &site);

	assert_int_equal(ctui_db_site_get(f->db, "img", &got, &err), 0);
	assert_int_equal(got.storage, CTUI_STORAGE_IMAGE);
	assert_int_equal(got.limits.cpu_max, 25);
	assert_int_equal(got.limits.disk, 1ULL << 30);
	assert_string_equal(got.model, "small");

	assert_int_equal(ctui_db_site_set_limits(f->db, "img", &changed, &err), 0);
	assert_int_equal(ctui_db_site_get(f->db, "img", &got, &err), 0);
	assert_int_equal(got.limits.cpu_shares, 300);
	assert_int_equal(got.limits.cpu_max, 50);
	assert_int_equal(got.limits.memory, 256 << 20);
	assert_int_equal(got.limits.pids, 90);
	assert_int_equal(got.limits.disk, 2ULL << 30);

	/* The schema rejects a cap above 100% even if the engine let one through. */
	const struct ctui_limits bad = { .cpu_shares = 300, .cpu_max = 150 };
	assert_int_equal(ctui_db_site_set_limits(f->db, "img", &bad, &err), -1);
	assert_int_equal(err.code, EINVAL);
	assert_int_equal(ctui_db_site_set_limits(f->db, "nosuch", &changed, &err), -1);
	assert_int_equal(err.code, ENOENT);
}

static void missing_directory(void **state)
{
	struct fixture *f = *state;
	struct ctui_error err = { 0 };
	struct ctui_db *db = NULL;
	char path[160], expected[512];

	snprintf(path, sizeof path, "%s/missing/sites.db", f->dir);
	assert_int_equal(ctui_db_open(&db, path, &err), -1);
	assert_null(db);
	assert_int_equal(err.code, ENOENT);
	snprintf(expected, sizeof expected,
		 "the directory %s/missing of the site database is missing; create it or set "
		 "[paths] state_dir: No such file or directory",
		 f->dir);
	assert_string_equal(err.message, expected);
}

static void site_round_trip(void **state)
{
	struct fixture *f = *state;
	struct ctui_error err = { 0 };
	struct ctui_site site = make_site("blog", "blog.example.org", IP(10, 77, 0, 2));
	struct ctui_site got;
	time_t before = time(NULL);

	site.limits.memory = 5ull << 40;
	site.state = CTUI_STATE_RUNNING;
	site.init_pid = 4242;
	site.init_start_time = 123456789012ull;
	insert_ok(f->db, &site);
	assert_true(site.id > 0);
	assert_true(site.created >= before);
	assert_int_equal(site.changed, site.created);

	if (ctui_db_site_get(f->db, "blog", &got, &err) < 0)
		fail_msg("get: %s", err.message);
	assert_int_equal(got.id, site.id);
	assert_string_equal(got.name, "blog");
	assert_string_equal(got.domain, "blog.example.org");
	assert_string_equal(got.template_name, "apache");
	assert_string_equal(got.template_version, "20240101-1");
	assert_int_equal(got.limits.cpu_shares, 1024);
	assert_int_equal(got.limits.memory, 5ull << 40);
	assert_int_equal(got.limits.pids, 200);
	assert_int_equal(got.storage, CTUI_STORAGE_OVERLAY);
	assert_int_equal(got.ipv4, IP(10, 77, 0, 2));
	assert_int_equal(got.state, CTUI_STATE_RUNNING);
	assert_int_equal(got.init_pid, 4242);
	assert_int_equal(got.init_start_time, 123456789012ull);
	assert_string_equal(got.owner, "alice");
	assert_int_equal(got.created, site.created);
	assert_int_equal(got.changed, site.changed);
	assert_int_equal(got.record, CTUI_RECORD_CNAME);
	assert_false(got.redirect);
	assert_false(got.hsts);
	assert_int_equal(got.tls, CTUI_TLS_OFF);
}

static void https_settings_round_trip(void **state)
{
	struct fixture *f = *state;
	struct ctui_error err = { 0 };
	struct ctui_site site = make_site("shop", "shop.example.org", IP(10, 77, 0, 3));
	struct ctui_site got;

	site.record = CTUI_RECORD_ADDRESS;
	site.redirect = true;
	site.tls = CTUI_TLS_PENDING;
	insert_ok(f->db, &site);

	assert_int_equal(ctui_db_site_set_https(f->db, "shop", false, true, &err), 0);
	assert_int_equal(ctui_db_site_set_tls(f->db, "shop", CTUI_TLS_ACTIVE, &err), 0);
	assert_int_equal(ctui_db_site_get(f->db, "shop", &got, &err), 0);
	assert_int_equal(got.record, CTUI_RECORD_ADDRESS);
	assert_false(got.redirect);
	assert_true(got.hsts);
	assert_int_equal(got.tls, CTUI_TLS_ACTIVE);

	assert_int_equal(ctui_db_site_set_https(f->db, "nosuch", true, true, &err), -1);
	assert_int_equal(err.code, ENOENT);
	assert_int_equal(ctui_db_site_set_tls(f->db, "nosuch", CTUI_TLS_ACTIVE, &err), -1);
	assert_int_equal(err.code, ENOENT);
}

/* The first schema as it shipped: a file written by that version must
 * migrate with its rows intact and the new columns at their defaults. */
static const char schema_v1[] =
	"CREATE TABLE sites (id INTEGER PRIMARY KEY, name TEXT UNIQUE NOT NULL,"
	" domain TEXT UNIQUE NOT NULL, template TEXT NOT NULL, template_version TEXT NOT NULL,"
	" cpu_shares INTEGER, memory INTEGER, pids INTEGER, storage TEXT,"
	" ipv4 INTEGER UNIQUE NOT NULL, state TEXT NOT NULL, init_pid INTEGER,"
	" init_start_time INTEGER, owner TEXT, created INTEGER, changed INTEGER);"
	"CREATE TABLE events (id INTEGER PRIMARY KEY, time INTEGER NOT NULL, actor TEXT NOT NULL,"
	" action TEXT NOT NULL, site TEXT, result TEXT NOT NULL);"
	"INSERT INTO sites VALUES (1, 'old', 'old.example.org', 'static', 'v1', 1024, 0, 0,"
	" 'overlay', 167772161, 'stopped', 0, 0, 'root', 1, 1);"
	"PRAGMA user_version = 1;";

static void migration_from_version_1(void **state)
{
	struct fixture *f = *state;
	struct ctui_error err = { 0 };
	struct ctui_site got;
	char path[160];
	sqlite3 *handle;

	snprintf(path, sizeof path, "%s/v1.db", f->dir);
	assert_int_equal(sqlite3_open(path, &handle), SQLITE_OK);
	assert_int_equal(sqlite3_exec(handle, schema_v1, NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(handle);

	ctui_db_close(f->db);
	f->db = NULL;
	if (ctui_db_open(&f->db, path, &err) < 0)
		fail_msg("open: %s", err.message);
	assert_int_equal(ctui_db_schema_version(f->db), SCHEMA_VERSION);
	assert_int_equal(ctui_db_site_get(f->db, "old", &got, &err), 0);
	assert_string_equal(got.domain, "old.example.org");
	assert_int_equal(got.record, CTUI_RECORD_CNAME);
	assert_true(got.redirect);
	assert_false(got.hsts);
	assert_int_equal(got.tls, CTUI_TLS_PENDING);
	assert_int_equal(got.storage, CTUI_STORAGE_OVERLAY);
	assert_int_equal(got.limits.cpu_max, 0);
	assert_int_equal(got.limits.disk, 0);
	assert_string_equal(got.model, "");

	ctui_db_close(f->db);
	f->db = NULL;
	unlink(path);
	snprintf(path, sizeof path, "%s/v1.db-wal", f->dir);
	unlink(path);
	snprintf(path, sizeof path, "%s/v1.db-shm", f->dir);
	unlink(path);
	assert_int_equal(ctui_db_open(&f->db, f->path, &err), 0);
}

static void address_above_2_31(void **state)
{
	struct fixture *f = *state;
	struct ctui_error err = { 0 };
	struct ctui_site site = make_site("high", "high.example.org", IP(250, 1, 2, 3));
	struct ctui_site got;
	uint32_t *addrs = NULL;
	size_t count = 0;

	insert_ok(f->db, &site);
	assert_int_equal(ctui_db_site_get(f->db, "high", &got, &err), 0);
	assert_int_equal(got.ipv4, IP(250, 1, 2, 3));
	assert_int_equal(ctui_db_used_addresses(f->db, &addrs, &count, &err), 0);
	assert_int_equal(count, 1);
	assert_int_equal(addrs[0], IP(250, 1, 2, 3));
	free(addrs);
}

static void list_ordered_by_name(void **state)
{
	struct fixture *f = *state;
	struct ctui_error err = { 0 };
	struct ctui_site a = make_site("zeta", "zeta.example.org", IP(10, 77, 0, 9));
	struct ctui_site b = make_site("alpha", "alpha.example.org", IP(10, 77, 0, 3));
	struct ctui_site c = make_site("mid", "mid.example.org", IP(10, 77, 0, 5));
	struct ctui_site *sites = NULL;
	uint32_t *addrs = NULL;
	size_t count = 0;

	assert_int_equal(ctui_db_site_list(f->db, &sites, &count, &err), 0);
	assert_int_equal(count, 0);
	free(sites);

	insert_ok(f->db, &a);
	insert_ok(f->db, &b);
	insert_ok(f->db, &c);
	assert_int_equal(ctui_db_site_list(f->db, &sites, &count, &err), 0);
	assert_int_equal(count, 3);
	assert_string_equal(sites[0].name, "alpha");
	assert_string_equal(sites[1].name, "mid");
	assert_string_equal(sites[2].name, "zeta");
	assert_string_equal(sites[2].domain, "zeta.example.org");
	free(sites);

	assert_int_equal(ctui_db_used_addresses(f->db, &addrs, &count, &err), 0);
	assert_int_equal(count, 3);
	assert_int_equal(addrs[0], IP(10, 77, 0, 3));
	assert_int_equal(addrs[1], IP(10, 77, 0, 5));
	assert_int_equal(addrs[2], IP(10, 77, 0, 9));
	free(addrs);
}

static void sftp_ports_round_trip(void **state)
{
	struct fixture *f = *state;
	struct ctui_error err = { 0 };
	unsigned *ports = NULL;
	size_t count = 0;
	unsigned port = 1;

	assert_int_equal(ctui_db_sftp_port_get(f->db, "web", &port, &err), 0);
	assert_int_equal(port, 0);

	assert_int_equal(ctui_db_sftp_port_set(f->db, "web", 2201, &err), 0);
	assert_int_equal(ctui_db_sftp_port_set(f->db, "shop", 2200, &err), 0);
	assert_int_equal(ctui_db_sftp_port_get(f->db, "web", &port, &err), 0);
	assert_int_equal(port, 2201);

	assert_int_equal(ctui_db_sftp_port_set(f->db, "blog", 2201, &err), -1);
	assert_int_equal(err.code, EEXIST);
	assert_non_null(strstr(err.message, "2201"));

	assert_int_equal(ctui_db_sftp_ports_used(f->db, &ports, &count, &err), 0);
	assert_int_equal(count, 2);
	assert_int_equal(ports[0], 2200);
	assert_int_equal(ports[1], 2201);
	free(ports);

	assert_int_equal(ctui_db_sftp_port_delete(f->db, "web", &err), 0);
	assert_int_equal(ctui_db_sftp_port_delete(f->db, "web", &err), 0);
	assert_int_equal(ctui_db_sftp_port_get(f->db, "web", &port, &err), 0);
	assert_int_equal(port, 0);
	assert_int_equal(ctui_db_sftp_port_set(f->db, "blog", 2201, &err), 0);
}

static void set_state_and_delete(void **state)
{
	struct fixture *f = *state;
	struct ctui_error err = { 0 };
	struct ctui_site site = make_site("web", "web.example.org", IP(10, 77, 0, 1));
	struct ctui_site got;

	site.created = site.changed = 1000;
	insert_ok(f->db, &site);

	if (ctui_db_site_set_state(f->db, "web", CTUI_STATE_STARTING, 777, 99, &err) < 0)
		fail_msg("%s", err.message);
	assert_int_equal(ctui_db_site_get(f->db, "web", &got, &err), 0);
	assert_int_equal(got.state, CTUI_STATE_STARTING);
	assert_int_equal(got.init_pid, 777);
	assert_int_equal(got.init_start_time, 99);
	assert_int_equal(got.created, 1000);
	assert_true(got.changed > 1000);

	for (enum ctui_site_state s = CTUI_STATE_STOPPED; s <= CTUI_STATE_CRASHED; s++) {
		assert_int_equal(ctui_db_site_set_state(f->db, "web", s, 0, 0, &err), 0);
		assert_int_equal(ctui_db_site_get(f->db, "web", &got, &err), 0);
		assert_int_equal(got.state, s);
	}

	assert_int_equal(ctui_db_site_delete(f->db, "web", &err), 0);
	assert_int_equal(count_sites(f->db), 0);
	assert_int_equal(ctui_db_site_get(f->db, "web", &got, &err), -1);
	assert_int_equal(err.code, ENOENT);
}

static void missing_site_is_enoent(void **state)
{
	struct fixture *f = *state;
	struct ctui_error err = { 0 };
	struct ctui_site got;

	assert_int_equal(ctui_db_site_get(f->db, "x", &got, &err), -1);
	assert_int_equal(err.code, ENOENT);
	assert_string_equal(err.message, "no site named \"x\"");

	ctui_error_clear(&err);
	assert_int_equal(ctui_db_site_set_state(f->db, "x", CTUI_STATE_RUNNING, 1, 1, &err), -1);
	assert_int_equal(err.code, ENOENT);
	assert_string_equal(err.message, "no site named \"x\"");

	ctui_error_clear(&err);
	assert_int_equal(ctui_db_site_delete(f->db, "x", &err), -1);
	assert_int_equal(err.code, ENOENT);
	assert_string_equal(err.message, "no site named \"x\"");

	assert_int_equal(ctui_db_site_get(f->db, "x\n\"y", &got, &err), -1);
	assert_string_equal(err.message, "no site named \"x\\x0a\\x22y\"");
}

static void assert_only_original(struct ctui_db *db)
{
	struct ctui_error err = { 0 };
	struct ctui_site got;

	assert_int_equal(count_sites(db), 1);
	assert_int_equal(ctui_db_site_get(db, "web", &got, &err), 0);
	assert_string_equal(got.domain, "web.example.org");
	assert_int_equal(got.ipv4, IP(10, 77, 0, 1));
}

static void duplicates_rejected(void **state)
{
	struct fixture *f = *state;
	struct ctui_error err = { 0 };
	struct ctui_site site = make_site("web", "web.example.org", IP(10, 77, 0, 1));
	struct ctui_site same_name = make_site("web", "other.example.org", IP(10, 77, 0, 2));
	struct ctui_site same_domain = make_site("other", "web.example.org", IP(10, 77, 0, 2));
	struct ctui_site same_address = make_site("other", "other.example.org", IP(10, 77, 0, 1));

	insert_ok(f->db, &site);

	assert_int_equal(ctui_db_site_insert(f->db, &same_name, &err), -1);
	assert_int_equal(err.code, EEXIST);
	assert_string_equal(err.message, "a site named \"web\" already exists");
	assert_int_equal(same_name.id, 0);
	assert_only_original(f->db);

	assert_int_equal(ctui_db_site_insert(f->db, &same_domain, &err), -1);
	assert_int_equal(err.code, EEXIST);
	assert_string_equal(err.message, "a site with the domain \"web.example.org\" already exists");
	assert_only_original(f->db);

	assert_int_equal(ctui_db_site_insert(f->db, &same_address, &err), -1);
	assert_int_equal(err.code, EEXIST);
	assert_string_equal(err.message, "the address 10.77.0.1 is already used by another site");
	assert_only_original(f->db);
}

static void invalid_row_rejected(void **state)
{
	struct fixture *f = *state;
	struct ctui_error err = { 0 };
	struct ctui_site upper = make_site("Web", "web.example.org", IP(10, 77, 0, 1));
	struct ctui_site dash = make_site("web-", "web.example.org", IP(10, 77, 0, 1));
	struct ctui_site huge = make_site("web", "web.example.org", IP(10, 77, 0, 1));

	assert_int_equal(ctui_db_site_insert(f->db, &upper, &err), -1);
	assert_int_equal(err.code, EINVAL);
	assert_non_null(strstr(err.message, "site \"Web\" has an invalid value: CHECK constraint failed"));
	assert_int_equal(ctui_db_site_insert(f->db, &dash, &err), -1);
	assert_int_equal(err.code, EINVAL);

	huge.limits.memory = UINT64_MAX;
	assert_int_equal(ctui_db_site_insert(f->db, &huge, &err), -1);
	assert_int_equal(err.code, ERANGE);
	assert_int_equal(count_sites(f->db), 0);
}

static void transaction_rollback_and_commit(void **state)
{
	struct fixture *f = *state;
	struct ctui_error err = { 0 };
	struct ctui_site one = make_site("one", "one.example.org", IP(10, 77, 0, 1));
	struct ctui_site two = make_site("two", "two.example.org", IP(10, 77, 0, 2));

	assert_int_equal(ctui_db_begin(f->db, &err), 0);
	insert_ok(f->db, &one);
	ctui_db_rollback(f->db);
	assert_int_equal(count_sites(f->db), 0);

	/* A failed statement inside a transaction leaves the earlier ones. */
	assert_int_equal(ctui_db_begin(f->db, &err), 0);
	insert_ok(f->db, &one);
	two.ipv4 = one.ipv4;
	assert_int_equal(ctui_db_site_insert(f->db, &two, &err), -1);
	assert_int_equal(err.code, EEXIST);
	assert_int_equal(ctui_db_commit(f->db, &err), 0);
	assert_int_equal(count_sites(f->db), 1);

	/* Rolling back with no transaction open does nothing. */
	ctui_db_rollback(f->db);
	assert_int_equal(count_sites(f->db), 1);
}

static void events_recorded(void **state)
{
	struct fixture *f = *state;
	struct ctui_error err = { 0 };
	struct ctui_event *events = NULL;
	size_t count = 0;
	time_t before = time(NULL);

	assert_int_equal(ctui_db_event_add(f->db, "alice", "create", "web", "ok", &err), 0);
	assert_int_equal(ctui_db_event_add(f->db, "bob", "template-build", NULL, "ok", &err), 0);
	assert_int_equal(ctui_db_event_add(f->db, "alice", "start", "web",
					   "start site \"web\": timed out", &err), 0);

	assert_int_equal(ctui_db_event_list(f->db, NULL, 10, &events, &count, &err), 0);
	assert_int_equal(count, 3);
	assert_string_equal(events[0].action, "start");
	assert_string_equal(events[0].result, "start site \"web\": timed out");
	assert_string_equal(events[1].actor, "bob");
	assert_string_equal(events[1].site, "");
	assert_string_equal(events[2].action, "create");
	assert_true(events[2].time >= before);
	assert_true(events[0].id > events[1].id);
	free(events);

	assert_int_equal(ctui_db_event_list(f->db, "web", 10, &events, &count, &err), 0);
	assert_int_equal(count, 2);
	assert_string_equal(events[0].action, "start");
	assert_string_equal(events[1].action, "create");
	free(events);

	assert_int_equal(ctui_db_event_list(f->db, NULL, 1, &events, &count, &err), 0);
	assert_int_equal(count, 1);
	assert_string_equal(events[0].action, "start");
	free(events);
}

/* Holds the write lock from a second connection for longer than the busy
 * timeout (10 s), so the insert must give up with EBUSY. */
static void locked_database_is_ebusy(void **state)
{
	struct fixture *f = *state;
	struct ctui_error err = { 0 };
	struct ctui_site site = make_site("web", "web.example.org", IP(10, 77, 0, 1));
	sqlite3 *other;
	time_t start;

	assert_int_equal(sqlite3_open(f->path, &other), SQLITE_OK);
	assert_int_equal(sqlite3_exec(other, "BEGIN IMMEDIATE", NULL, NULL, NULL), SQLITE_OK);

	start = time(NULL);
	assert_int_equal(ctui_db_site_insert(f->db, &site, &err), -1);
	assert_int_equal(err.code, EBUSY);
	assert_true(time(NULL) - start >= 9);
	assert_non_null(strstr(err.message, "is locked by another process for more than 10 s; try again later"));

	assert_int_equal(sqlite3_exec(other, "ROLLBACK", NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(other);
	insert_ok(f->db, &site);
}

/* One writer process: opens PATH on its own and inserts its share of sites.
 * Returns the exit status. */
static int writer(const char *path, int index, int start_fd)
{
	struct ctui_error err = { 0 };
	struct ctui_db *db;
	char byte;

	/* Wait until every writer exists, so that they start together. */
	if (read(start_fd, &byte, 1) < 0)
		return 2;

	if (ctui_db_open(&db, path, &err) < 0) {
		fprintf(stderr, "writer %d: open: %s\n", index, err.message);
		return 1;
	}
	for (int i = 0; i < SITES_PER_WRITER; i++) {
		char name[32], domain[64];
		struct ctui_site site;

		snprintf(name, sizeof name, "w%d-s%d", index, i);
		snprintf(domain, sizeof domain, "%s.example.org", name);
		site = make_site(name, domain, IP(10, 78, 0, 0) + (uint32_t)(index * 256 + i + 1));
		if (ctui_db_site_insert(db, &site, &err) < 0 ||
		    ctui_db_event_add(db, "test", "create", name, "ok", &err) < 0) {
			fprintf(stderr, "writer %d: %s: %s\n", index, name, err.message);
			ctui_db_close(db);
			return 1;
		}
	}
	ctui_db_close(db);
	return 0;
}

static void concurrent_writers(void **state)
{
	struct fixture *f = *state;
	struct ctui_error err = { 0 };
	struct ctui_site *sites = NULL;
	struct ctui_event *events = NULL;
	pid_t pids[WRITERS];
	int start[2];
	size_t count = 0;

	/* The fixture's file is left unused: the writers race to create and
	 * migrate a fresh one. */
	ctui_db_close(f->db);
	f->db = NULL;
	unlink(f->path);
	assert_int_equal(pipe(start), 0);

	for (int i = 0; i < WRITERS; i++) {
		pids[i] = fork();
		assert_true(pids[i] >= 0);
		if (pids[i] == 0) {
			close(start[1]);
			_exit(writer(f->path, i, start[0]));
		}
	}
	close(start[0]);
	close(start[1]);

	for (int i = 0; i < WRITERS; i++) {
		int status;

		assert_int_equal(waitpid(pids[i], &status, 0), pids[i]);
		assert_true(WIFEXITED(status));
		assert_int_equal(WEXITSTATUS(status), 0);
	}

	if (ctui_db_open(&f->db, f->path, &err) < 0)
		fail_msg("%s", err.message);
	assert_int_equal(ctui_db_schema_version(f->db), SCHEMA_VERSION);
	assert_int_equal(ctui_db_site_list(f->db, &sites, &count, &err), 0);
	assert_int_equal(count, WRITERS * SITES_PER_WRITER);
	for (size_t i = 1; i < count; i++)
		assert_true(strcmp(sites[i - 1].name, sites[i].name) < 0);
	free(sites);

	assert_int_equal(ctui_db_event_list(f->db, NULL, 1000, &events, &count, &err), 0);
	assert_int_equal(count, WRITERS * SITES_PER_WRITER);
	free(events);
}

#define TEST(name) cmocka_unit_test_setup_teardown(name, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		TEST(migrations_on_fresh_file),
		TEST(newer_schema_rejected),
		TEST(missing_directory),
		TEST(limits_and_storage_round_trip),
		TEST(site_round_trip),
		TEST(https_settings_round_trip),
		TEST(migration_from_version_1),
		TEST(address_above_2_31),
		TEST(list_ordered_by_name),
		TEST(set_state_and_delete),
		TEST(sftp_ports_round_trip),
		TEST(missing_site_is_enoent),
		TEST(duplicates_rejected),
		TEST(invalid_row_rejected),
		TEST(transaction_rollback_and_commit),
		TEST(events_recorded),
		TEST(locked_database_is_ebusy),
		TEST(concurrent_writers),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
