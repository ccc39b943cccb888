/* The LDAP filter escape (RFC 4515) on every special character, the user
 * filter built from [ldap] filter, and the [ldap] keys of ctui.conf with
 * their checks. No server is needed: tests/system/ldap runs slapd. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ctui/config.h"
#include "engine/ldap.h"

static void assert_escaped(const char *value, size_t len, const char *expected)
{
	char *escaped = ctui_ldap_escape_filter_value(value, len);

	assert_string_equal(escaped, expected);
	free(escaped);
}

static void escape_special_chars(void **state)
{
	(void)state;
	assert_escaped("*", 1, "\\2A");
	assert_escaped("(", 1, "\\28");
	assert_escaped(")", 1, "\\29");
	assert_escaped("\\", 1, "\\5C");
	assert_escaped("a\0b", 3, "a\\00b");
}

static void escape_injections(void **state)
{
	(void)state;
	assert_escaped(")(uid=*", 7, "\\29\\28uid=\\2A");
	assert_escaped("alice)(|(uid=*", 14, "alice\\29\\28|\\28uid=\\2A");
	assert_escaped("\\2a", 3, "\\5C2a");
}

static void escape_keeps_plain_text(void **state)
{
	(void)state;
	assert_escaped("alice", 5, "alice");
	assert_escaped("jean-marie.dupont_2", 19, "jean-marie.dupont_2");
	assert_escaped("", 0, "");
}

static void user_filter_replaces_mark(void **state)
{
	char *filter;

	(void)state;
	filter = ctui_ldap_user_filter("(&(objectClass=posixAccount)(uid=%s))", "a*b");
	assert_string_equal(filter, "(&(objectClass=posixAccount)(uid=a\\2Ab))");
	free(filter);

	filter = ctui_ldap_user_filter("(uid=%s)", ")(uid=*");
	assert_string_equal(filter, "(uid=\\29\\28uid=\\2A)");
	free(filter);
}

/* Loads a configuration made of the [ldap] LINES; returns the result and
 * leaves the error message in ERR. */
static int load_ldap(const char *lines, struct ctui_config *cfg, struct ctui_error *err)
{
	char path[] = "/tmp/ctui-test-ldap-XXXXXX";
	int fd = mkstemp(path);
	FILE *file;
	int ret;

	assert_true(fd >= 0);
	file = fdopen(fd, "w");
	assert_non_null(file);
	fprintf(file, "[paths]\nstate_dir = /tmp\n\n[ldap]\n%s", lines);
	fclose(file);
	ret = ctui_config_load(cfg, path, err);
	unlink(path);
	return ret;
}

#define GOOD_LDAP                                                \
	"uri = ldap://127.0.0.1:3389\n"                          \
	"base = ou=people,dc=example,dc=org\n"                    \
	"admin_group = cn=admins,ou=groups,dc=example,dc=org\n"

static void config_reads_ldap_keys(void **state)
{
	struct ctui_config cfg;
	struct ctui_error err = { 0 };

	(void)state;
	assert_int_equal(load_ldap(GOOD_LDAP "ca_file = /etc/ssl/ca.pem\ntimeout = 7\n"
				   "network_timeout = 2\nbind_dn = cn=reader,dc=example,dc=org\n"
				   "bind_password_file = /etc/ctui/ldap.password\n",
				   &cfg, &err),
			 0);
	assert_string_equal(cfg.ldap_uri, "ldap://127.0.0.1:3389");
	assert_string_equal(cfg.ldap_filter, "(&(objectClass=posixAccount)(uid=%s))");
	assert_int_equal(cfg.ldap_starttls, 1);
	assert_int_equal(cfg.ldap_timeout, 7);
	assert_int_equal(cfg.ldap_network_timeout, 2);
	assert_string_equal(cfg.ldap_bind_dn, "cn=reader,dc=example,dc=org");
	ctui_config_free(&cfg);
}

static void config_without_ldap_is_off(void **state)
{
	struct ctui_config cfg;
	struct ctui_error err = { 0 };

	(void)state;
	assert_int_equal(load_ldap("", &cfg, &err), 0);
	assert_string_equal(cfg.ldap_uri, "");
	ctui_config_free(&cfg);
}

static void assert_rejected(const char *lines, const char *message)
{
	struct ctui_config cfg;
	struct ctui_error err = { 0 };

	assert_int_equal(load_ldap(lines, &cfg, &err), -1);
	if (!strstr(err.message, message))
		fail_msg("expected \"%s\" in: %s", message, err.message);
}

static void config_rejects_bad_ldap(void **state)
{
	(void)state;
	assert_rejected("uri = http://ldap.example.org\n", "expected an ldap:// or ldaps:// URI");
	assert_rejected(GOOD_LDAP "filter = (uid=alice)\n", "contains %s once");
	assert_rejected(GOOD_LDAP "filter = (uid=%s)(cn=%s)\n", "contains %s once");
	assert_rejected(GOOD_LDAP "filter = uid=%s\n", "contains %s once");
	assert_rejected(GOOD_LDAP "filter = (uid=%d)\n", "contains %s once");
	assert_rejected("uri = ldap://127.0.0.1\nbase = dc=example,dc=org\n",
			"base and admin_group must be set");
	assert_rejected(GOOD_LDAP "starttls = no\n", "clear text");
	assert_rejected("uri = ldaps://127.0.0.1\nbase = dc=x\nadmin_group = cn=a,dc=x\n",
			"starttls = yes does not go with an ldaps://");
	assert_rejected(GOOD_LDAP "bind_dn = cn=reader,dc=example,dc=org\n",
			"bind_password_file must name");
	assert_rejected(GOOD_LDAP "timeout = 0\n", "timeout");
	assert_rejected(GOOD_LDAP "ca_file = relative.pem\n", "absolute path");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(escape_special_chars),
		cmocka_unit_test(escape_injections),
		cmocka_unit_test(escape_keeps_plain_text),
		cmocka_unit_test(user_filter_replaces_mark),
		cmocka_unit_test(config_reads_ldap_keys),
		cmocka_unit_test(config_without_ldap_is_off),
		cmocka_unit_test(config_rejects_bad_ldap),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
