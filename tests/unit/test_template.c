/* Template files as administrators write them, and the layout of built bases
 * as ctui_template_build_base() leaves it. Runs from the repository root. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "engine/template.h"
#include "util/fs.h"
#include "util/util.h"

/* A valid file; the error cases change one line of it. */
#define VALID_HEAD                           \
	"[template]\n"                       \
	"description = Test site\n"          \
	"suite = bookworm\n"                 \
	"packages = apache2, libapache2-mod-php8.2 g++\n"

#define VALID_SERVICE                        \
	"[service web]\n"                    \
	"start = exec /usr/sbin/apache2 -DFOREGROUND\n"

struct fixture {
	char dir[64];               /* the temporary directory */
	struct ctui_config cfg;     /* template_conf_dir and template_dir inside it */
};

static int setup(void **state)
{
	struct fixture *f = xcalloc(1, sizeof *f);

	snprintf(f->dir, sizeof f->dir, "/tmp/ctui-test-template.XXXXXX");
	if (!mkdtemp(f->dir))
		return -1;
	f->cfg.template_conf_dir = xasprintf("%s/conf", f->dir);
	f->cfg.template_dir = xasprintf("%s/built", f->dir);
	mkdir(f->cfg.template_conf_dir, 0755);
	mkdir(f->cfg.template_dir, 0755);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	struct ctui_error err;

	ctui_rm_rf(f->dir, &err);
	free(f->cfg.template_conf_dir);
	free(f->cfg.template_dir);
	free(f);
	return 0;
}

static void write_conf(const struct fixture *f, const char *name, const char *content)
{
	cleanup_free char *path = xasprintf("%s/%s.conf", f->cfg.template_conf_dir, name);
	FILE *file = fopen(path, "w");

	assert_non_null(file);
	assert_int_equal(fputs(content, file) >= 0, 1);
	assert_int_equal(fclose(file), 0);
}

/* Creates TEMPLATE_DIR/NAME/VERSION and points `current` at it. */
static void fake_built_version(const struct fixture *f, const char *name, const char *version)
{
	cleanup_free char *dir = xasprintf("%s/%s/%s", f->cfg.template_dir, name, version);
	cleanup_free char *link = xasprintf("%s/%s/current", f->cfg.template_dir, name);
	struct ctui_error err;

	assert_int_equal(ctui_mkdir_p(dir, 0755, &err), 0);
	unlink(link);
	assert_int_equal(symlink(version, link), 0);
}

static void shipped_static_conf_loads(void **state)
{
	struct ctui_config cfg = { .template_conf_dir = (char[]){ "conf/templates" } };
	struct ctui_template tpl;
	struct ctui_error err = { 0 };

	(void)state;
	if (ctui_template_load(&cfg, "static", &tpl, &err) < 0)
		fail_msg("%s", err.message);

	assert_string_equal(tpl.name, "static");
	assert_string_equal(tpl.conf_path, "conf/templates/static.conf");
	assert_string_equal(tpl.suite, "bookworm");
	assert_string_equal(tpl.variant, "minbase");
	assert_string_equal(tpl.packages[0], "apache2");
	assert_string_equal(tpl.packages[1], "openssh-server");
	assert_null(tpl.packages[2]);

	assert_string_equal(tpl.capabilities[0], "CAP_CHOWN");
	assert_string_equal(tpl.capabilities[5], "CAP_NET_BIND_SERVICE");
	assert_string_equal(tpl.capabilities[6], "CAP_KILL");
	assert_string_equal(tpl.capabilities[7], "CAP_SYS_CHROOT");
	assert_null(tpl.capabilities[8]);

	assert_int_equal(tpl.limits.cpu_shares, 1024);
	assert_int_equal(tpl.limits.memory, 64 * 1024 * 1024);
	assert_int_equal(tpl.limits.pids, 160);

	assert_int_equal(tpl.n_services, 2);
	assert_string_equal(tpl.services[0].name, "apache2");
	assert_non_null(strstr(tpl.services[0].start, ". /etc/apache2/envvars && mkdir -p "));
	assert_non_null(strstr(tpl.services[0].start, "&& exec /usr/sbin/apache2 -DFOREGROUND"));
	assert_string_equal(tpl.services[1].name, "sshd");
	assert_non_null(strstr(tpl.services[1].start, "exec /usr/sbin/sshd -D -e -f /etc/ssh/ctui-sftp.conf"));
	assert_int_equal(strlen(tpl.conf_sha256), 64);
	ctui_template_free(&tpl);
}

static void valid_file_fills_defaults(void **state)
{
	struct fixture *f = *state;
	struct ctui_template tpl;
	struct ctui_error err = { 0 };

	write_conf(f, "web", VALID_HEAD VALID_SERVICE
		   "[service cron]\n"
		   "start = exec cron -f ; comment after white space\n");
	if (ctui_template_load(&f->cfg, "web", &tpl, &err) < 0)
		fail_msg("%s", err.message);

	assert_string_equal(tpl.description, "Test site");
	assert_string_equal(tpl.variant, "minbase");
	assert_string_equal(tpl.packages[0], "apache2");
	assert_string_equal(tpl.packages[1], "libapache2-mod-php8.2");
	assert_string_equal(tpl.packages[2], "g++");
	assert_null(tpl.packages[3]);
	assert_null(tpl.capabilities[0]);
	assert_int_equal(tpl.limits.cpu_shares, 1024);
	assert_int_equal(tpl.limits.memory, 0);
	assert_int_equal(tpl.limits.pids, 0);

	assert_int_equal(tpl.n_services, 2);
	assert_string_equal(tpl.services[0].name, "web");
	assert_string_equal(tpl.services[1].name, "cron");
	assert_string_equal(tpl.services[1].start, "exec cron -f");
	ctui_template_free(&tpl);
}

static void hash_is_sha256_of_file(void **state)
{
	struct fixture *f = *state;
	struct ctui_template tpl;
	struct ctui_error err = { 0 };

	/* Digest from `sha256sum` of the same bytes. */
	write_conf(f, "web", VALID_HEAD VALID_SERVICE);
	if (ctui_template_load(&f->cfg, "web", &tpl, &err) < 0)
		fail_msg("%s", err.message);
	assert_string_equal(tpl.conf_sha256,
			    "f043bd0c10690990c9e5b49f37a35dcee8d7b79af3067d7f699a0300884d746a");
	ctui_template_free(&tpl);
}

/* The stop, health and stop_timeout keys, and the stop budget they give. */
static void service_commands_load(void **state)
{
	struct fixture *f = *state;
	struct ctui_template tpl;
	struct ctui_error err = { 0 };

	write_conf(f, "web", VALID_HEAD "health = /ping.php?x=1\nstop_timeout = 20\n"
		   "[service db]\nstart = exec mariadbd\nstop = mariadb-admin shutdown\n"
		   "health = mariadb-admin ping\n" VALID_SERVICE);
	if (ctui_template_load(&f->cfg, "web", &tpl, &err) < 0)
		fail_msg("%s", err.message);

	assert_string_equal(tpl.health_path, "/ping.php?x=1");
	assert_int_equal(tpl.stop_timeout, 20);
	assert_int_equal(tpl.n_services, 2);
	assert_string_equal(tpl.services[0].stop, "mariadb-admin shutdown");
	assert_string_equal(tpl.services[0].health, "mariadb-admin ping");
	assert_null(tpl.services[1].stop);
	assert_null(tpl.services[1].health);
	/* db: 2 steps of 20 s and 2 s after SIGKILL; web: 1 step and 2 s. */
	assert_int_equal(ctui_template_stop_seconds(&tpl, 10), 42 + 22);
	tpl.stop_timeout = 0;
	assert_int_equal(ctui_template_stop_seconds(&tpl, 10), 22 + 12);
	ctui_template_free(&tpl);
}

/* The shipped PHP templates: the database starts first with its stop and
 * health commands, Apache stops through apache2ctl, and sshd comes last. */
static void shipped_php_confs_load(void **state)
{
	struct ctui_config cfg = { .template_conf_dir = (char[]){ "conf/templates" } };
	struct ctui_template tpl;
	struct ctui_error err = { 0 };

	(void)state;
	if (ctui_template_load(&cfg, "php", &tpl, &err) < 0)
		fail_msg("%s", err.message);
	assert_string_equal(tpl.packages[1], "libapache2-mod-php");
	assert_string_equal(tpl.packages[2], "php-sqlite3");
	assert_string_equal(tpl.packages[3], "openssh-server");
	assert_int_equal(tpl.n_services, 2);
	assert_string_equal(tpl.services[0].stop, "apache2ctl graceful-stop");
	assert_string_equal(tpl.services[1].name, "sshd");
	ctui_template_free(&tpl);

	if (ctui_template_load(&cfg, "php-mariadb", &tpl, &err) < 0)
		fail_msg("%s", err.message);
	assert_string_equal(tpl.packages[4], "mariadb-server");
	assert_string_equal(tpl.packages[5], "openssh-server");
	assert_int_equal(tpl.n_services, 3);
	assert_string_equal(tpl.services[0].name, "mariadb");
	assert_string_equal(tpl.services[0].stop, "mariadb-admin shutdown");
	assert_non_null(strstr(tpl.services[0].health, "CREATE DATABASE IF NOT EXISTS site;"));
	assert_string_equal(tpl.services[1].name, "apache2");
	assert_string_equal(tpl.services[2].name, "sshd");
	assert_int_equal(tpl.stop_timeout, 30);
	ctui_template_free(&tpl);
}

struct bad_case {
	const char *content;
	unsigned line;              /* 0: the message names no line */
	const char *expected;       /* part of the message after "PATH:LINE: " */
};

static const struct bad_case bad_cases[] = {
	{ VALID_HEAD "colour = red\n" VALID_SERVICE, 5,
	  "unknown key \"colour\" in section [template]" },
	{ VALID_HEAD "suite = trixie\n" VALID_SERVICE, 5,
	  "duplicate key \"suite\" (first set on line 3)" },
	{ VALID_HEAD "[limits]\npids = 10\npids = 20\n" VALID_SERVICE, 7,
	  "duplicate key \"pids\" (first set on line 6)" },
	{ VALID_HEAD "[template]\n" VALID_SERVICE, 5, "duplicate section [template]" },
	{ VALID_HEAD VALID_SERVICE "[service web]\nstart = true\n", 7,
	  "duplicate section [service web]" },
	{ VALID_HEAD VALID_SERVICE "start = false\n", 7,
	  "duplicate key \"start\" in section [service web]" },
	{ "[template]\ndescription = x\nsuite = bookworm\npackages = apache2 Apache2\n" VALID_SERVICE, 4,
	  "invalid value \"Apache2\" in key packages" },
	{ VALID_HEAD "capabilities = CAP_CHOWN CAP_FLY\n" VALID_SERVICE, 5,
	  "invalid value \"CAP_FLY\" in key capabilities" },
	{ VALID_HEAD "capabilities = cap_chown\n" VALID_SERVICE, 5,
	  "invalid value \"cap_chown\" in key capabilities" },
	{ VALID_HEAD "[limits]\nmemory = 64Q\n" VALID_SERVICE, 6, "invalid memory \"64Q\"" },
	{ VALID_HEAD "[limits]\nmemory = 512k\n" VALID_SERVICE, 6, "at least 1M is needed" },
	{ VALID_HEAD "[limits]\ncpu_shares = 1\n" VALID_SERVICE, 6,
	  "invalid cpu_shares \"1\": expected a whole number from 2 to 262144" },
	{ VALID_HEAD "[limits]\npids = 0\n" VALID_SERVICE, 6, "invalid pids \"0\"" },
	{ VALID_HEAD "variant = standard\n" VALID_SERVICE, 5, "invalid variant \"standard\"" },
	{ "[template]\ndescription = x\nsuite = Bookworm\n" VALID_SERVICE, 3,
	  "invalid suite \"Bookworm\"" },
	{ VALID_HEAD "[network]\naddress = 1\n" VALID_SERVICE, 5,
	  "unknown section [network]: expected [template], [limits] or [service NAME]" },
	{ VALID_HEAD "[service Web]\nstart = x\n", 5, "invalid service name \"Web\"" },
	{ VALID_HEAD "[service web]\n[service other]\nstart = x\n", 5,
	  "section [service web] has no start key" },
	{ VALID_HEAD "[service web]\n", 5, "section [service web] has no start key" },
	{ VALID_HEAD "[service web]\noops\n[service cron]\nstart = x\n", 5,
	  "section [service web] has no start key" },
	{ VALID_HEAD "[service web]\nrestart = kill 1\nstart = x\n", 6,
	  "unknown key \"restart\" in section [service web]: expected start, stop or health" },
	{ VALID_HEAD VALID_SERVICE "stop = a\nstop = b\n", 8,
	  "duplicate key \"stop\" in section [service web]" },
	{ VALID_HEAD VALID_SERVICE "health =\n", 7, "empty value for key health" },
	{ VALID_HEAD "health = index.html\n" VALID_SERVICE, 5, "invalid health \"index.html\"" },
	{ VALID_HEAD "health = /a b\n" VALID_SERVICE, 5, "invalid health \"/a b\"" },
	{ VALID_HEAD "stop_timeout = 0\n" VALID_SERVICE, 5,
	  "invalid stop_timeout \"0\": expected a whole number of seconds from 1 to 3600" },
	{ VALID_HEAD "stop_timeout = 3601\n" VALID_SERVICE, 5, "invalid stop_timeout \"3601\"" },
	{ VALID_HEAD "stop_timeout = 5s\n" VALID_SERVICE, 5, "invalid stop_timeout \"5s\"" },
	{ VALID_HEAD VALID_SERVICE "  --with-more\n", 7, "indented line" },
	{ VALID_HEAD VALID_SERVICE "\tstart = false\n", 7,
	  "duplicate key \"start\" in section [service web]" },
	{ "suite = bookworm\n" VALID_HEAD VALID_SERVICE, 1, "key \"suite\" outside a section" },
	{ VALID_HEAD "just some words\n" VALID_SERVICE, 5, "syntax error" },
	{ VALID_HEAD "[limits\n" VALID_SERVICE, 5, "syntax error" },
	{ VALID_HEAD "oops\ncolour = red\n" VALID_SERVICE, 5, "syntax error" },
	{ VALID_HEAD, 0, "no [service NAME] section" },
	{ "[template]\nsuite = bookworm\n" VALID_SERVICE, 0, "missing key description" },
	{ "[template]\ndescription = x\n" VALID_SERVICE, 0, "missing key suite" },
	{ "[template]\ndescription =\n" VALID_SERVICE, 2, "empty value for key description" },
};

static void check_bad_case(const struct fixture *f, const struct bad_case *c)
{
	cleanup_free char *path = xasprintf("%s/bad.conf", f->cfg.template_conf_dir);
	cleanup_free char *prefix = c->line ? xasprintf("%s:%u: ", path, c->line) : xasprintf("%s: ", path);
	struct ctui_template tpl;
	struct ctui_error err = { 0 };

	write_conf(f, "bad", c->content);
	if (ctui_template_load(&f->cfg, "bad", &tpl, &err) == 0)
		fail_msg("accepted:\n%s", c->content);

	assert_int_equal(err.code, EINVAL);
	if (strncmp(err.message, prefix, strlen(prefix)) != 0)
		fail_msg("message \"%s\" does not start with \"%s\"", err.message, prefix);
	if (!strstr(err.message, c->expected))
		fail_msg("message \"%s\" does not contain \"%s\"", err.message, c->expected);
	assert_null(tpl.name);
}

static void errors_name_file_line_key(void **state)
{
	for (size_t i = 0; i < sizeof bad_cases / sizeof bad_cases[0]; i++)
		check_bad_case(*state, &bad_cases[i]);
}

static void long_line_rejected(void **state)
{
	struct fixture *f = *state;
	char start[400];
	cleanup_free char *content = NULL;
	struct bad_case c = { .line = 6, .expected = "line too long" };

	memset(start, 'x', sizeof start - 1);
	start[sizeof start - 1] = '\0';
	content = xasprintf(VALID_HEAD "[service web]\nstart = %s\n", start);
	c.content = content;
	check_bad_case(f, &c);
}

static void indented_lines_read_as_keys(void **state)
{
	struct fixture *f = *state;
	struct ctui_template tpl;
	struct ctui_error err = { 0 };

	write_conf(f, "web", VALID_HEAD "  [limits]\n\tpids = 10\n   memory = 64M\n"
		   VALID_SERVICE "    ; an indented comment\n  \n");
	if (ctui_template_load(&f->cfg, "web", &tpl, &err) < 0)
		fail_msg("%s", err.message);
	assert_int_equal(tpl.limits.pids, 10);
	assert_int_equal(tpl.limits.memory, 64 * 1024 * 1024);
	assert_string_equal(tpl.services[0].start, "exec /usr/sbin/apache2 -DFOREGROUND");
	ctui_template_free(&tpl);
}

static void nul_byte_names_line(void **state)
{
	struct fixture *f = *state;
	static const char text[] = "[template]\ndescription = Test\nsuite = book\0worm\n" VALID_SERVICE;
	cleanup_free char *path = xasprintf("%s/web.conf", f->cfg.template_conf_dir);
	cleanup_free char *expected = xasprintf("%s:3: the line contains a NUL byte", path);
	struct ctui_template tpl;
	struct ctui_error err = { 0 };

	assert_int_equal(ctui_write_file_atomic(path, text, sizeof text - 1, 0644, &err), 0);
	assert_int_equal(ctui_template_load(&f->cfg, "web", &tpl, &err), -1);
	assert_int_equal(err.code, EINVAL);
	assert_string_equal(err.message, expected);
	assert_null(tpl.name);
}

static void bad_name_and_missing_file(void **state)
{
	struct fixture *f = *state;
	struct ctui_template tpl;
	struct ctui_error err = { 0 };

	assert_int_equal(ctui_template_load(&f->cfg, "../conf/x", &tpl, &err), -1);
	assert_int_equal(err.code, EINVAL);
	assert_non_null(strstr(err.message, "invalid template name \"../conf/x\""));

	assert_int_equal(ctui_template_load(&f->cfg, "nosuch", &tpl, &err), -1);
	assert_int_equal(err.code, ENOENT);
	assert_non_null(strstr(err.message, "template nosuch is not defined"));
	assert_non_null(strstr(err.message, "/conf/nosuch.conf"));
}

static void current_before_build_fails(void **state)
{
	struct fixture *f = *state;
	char *version = NULL, *dir = NULL;
	struct ctui_error err = { 0 };

	write_conf(f, "web", VALID_HEAD VALID_SERVICE);
	assert_int_equal(ctui_template_current(&f->cfg, "web", &version, &dir, &err), -1);
	assert_int_equal(err.code, ENOENT);
	assert_non_null(strstr(err.message, "template web has not been built yet"));
	assert_non_null(strstr(err.message, "run `ctui template build web`"));
	assert_null(version);
	assert_null(dir);
}

static void current_follows_link(void **state)
{
	struct fixture *f = *state;
	cleanup_free char *expected = xasprintf("%s/web/20261204T203000Z-2", f->cfg.template_dir);
	cleanup_free char *version = NULL, *dir = NULL;
	struct ctui_error err = { 0 };

	fake_built_version(f, "web", "20261204T203000Z");
	fake_built_version(f, "web", "20261204T203000Z-2");
	if (ctui_template_current(&f->cfg, "web", &version, &dir, &err) < 0)
		fail_msg("%s", err.message);
	assert_string_equal(version, "20261204T203000Z-2");
	assert_string_equal(dir, expected);
}

static void current_rejects_broken_links(void **state)
{
	struct fixture *f = *state;
	cleanup_free char *link = xasprintf("%s/web/current", f->cfg.template_dir);
	char *version = NULL, *dir = NULL;
	struct ctui_error err = { 0 };

	fake_built_version(f, "web", "20261204T203000Z");
	unlink(link);
	assert_int_equal(symlink("20261205T000000Z", link), 0);
	assert_int_equal(ctui_template_current(&f->cfg, "web", &version, &dir, &err), -1);
	assert_int_equal(err.code, ENOENT);
	assert_non_null(strstr(err.message, "is missing: rebuild it"));

	unlink(link);
	assert_int_equal(symlink("/etc", link), 0);
	assert_int_equal(ctui_template_current(&f->cfg, "web", &version, &dir, &err), -1);
	assert_int_equal(err.code, EINVAL);
	assert_non_null(strstr(err.message, "points to \"/etc\""));
	assert_null(version);
	assert_null(dir);
}

static void base_dir_joins_parts(void **state)
{
	struct fixture *f = *state;
	cleanup_free char *dir = ctui_template_base_dir(&f->cfg, "web", "20261204T203000Z");
	cleanup_free char *expected = xasprintf("%s/web/20261204T203000Z", f->cfg.template_dir);

	assert_string_equal(dir, expected);
}

static void list_shows_broken_files_too(void **state)
{
	struct fixture *f = *state;
	cleanup_free char *notes = xasprintf("%s/notes.txt", f->cfg.template_conf_dir);
	cleanup_free struct ctui_template_info *list = NULL;
	struct ctui_error err = { 0 };
	size_t count = 0;

	write_conf(f, "beta", VALID_HEAD VALID_SERVICE);
	write_conf(f, "alpha", "[template]\ndescription = First\nsuite = bookworm\n" VALID_SERVICE);
	write_conf(f, "broken", "[template]\nsize = 3\n");
	write_conf(f, ".hidden", VALID_HEAD VALID_SERVICE);
	assert_int_equal(ctui_write_file_atomic(notes, "x", 1, 0644, &err), 0);
	fake_built_version(f, "beta", "20260101T120000Z");

	if (ctui_template_list_all(&f->cfg, &list, &count, &err) < 0)
		fail_msg("%s", err.message);
	assert_int_equal(count, 3);

	assert_string_equal(list[0].name, "alpha");
	assert_string_equal(list[0].description, "First");
	assert_string_equal(list[0].version, "");
	assert_int_equal(list[0].built, 0);

	assert_string_equal(list[1].name, "beta");
	assert_string_equal(list[1].description, "Test site");
	assert_string_equal(list[1].version, "20260101T120000Z");
	assert_int_equal(list[1].built, 1767268800);  /* date -u -d 2026-01-01T12:00:00Z +%s */

	assert_string_equal(list[2].name, "broken");
	assert_non_null(strstr(list[2].description, "invalid: "));
	assert_non_null(strstr(list[2].description, "/broken.conf:2: unknown key \"size\""));
	assert_string_equal(list[2].version, "");
}

static void list_missing_dir_fails(void **state)
{
	struct fixture *f = *state;
	struct ctui_config cfg = f->cfg;
	struct ctui_template_info *list = NULL;
	struct ctui_error err = { 0 };
	size_t count = 0;

	cfg.template_conf_dir = xasprintf("%s/none", f->dir);
	assert_int_equal(ctui_template_list_all(&cfg, &list, &count, &err), -1);
	assert_int_equal(err.code, ENOENT);
	assert_non_null(strstr(err.message, "cannot read the template directory"));
	free(cfg.template_conf_dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(shipped_static_conf_loads),
		cmocka_unit_test_setup_teardown(valid_file_fills_defaults, setup, teardown),
		cmocka_unit_test_setup_teardown(hash_is_sha256_of_file, setup, teardown),
		cmocka_unit_test_setup_teardown(service_commands_load, setup, teardown),
		cmocka_unit_test(shipped_php_confs_load),
		cmocka_unit_test_setup_teardown(errors_name_file_line_key, setup, teardown),
		cmocka_unit_test_setup_teardown(long_line_rejected, setup, teardown),
		cmocka_unit_test_setup_teardown(indented_lines_read_as_keys, setup, teardown),
		cmocka_unit_test_setup_teardown(nul_byte_names_line, setup, teardown),
		cmocka_unit_test_setup_teardown(bad_name_and_missing_file, setup, teardown),
		cmocka_unit_test_setup_teardown(current_before_build_fails, setup, teardown),
		cmocka_unit_test_setup_teardown(current_follows_link, setup, teardown),
		cmocka_unit_test_setup_teardown(current_rejects_broken_links, setup, teardown),
		cmocka_unit_test_setup_teardown(base_dir_joins_parts, setup, teardown),
		cmocka_unit_test_setup_teardown(list_shows_broken_files_too, setup, teardown),
		cmocka_unit_test_setup_teardown(list_missing_dir_fails, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
