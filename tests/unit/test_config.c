/* ctui.conf: defaults, every key, derived values and each kind of error,
 * with real files in a private directory under /tmp. */
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
#include <unistd.h>

#include "ctui/config.h"
#include "engine/subnet.h"

#define IP(a, b, c, d) (((uint32_t)(a) << 24) | ((uint32_t)(b) << 16) | ((uint32_t)(c) << 8) | (uint32_t)(d))

struct fixture {
	char dir[64];
	char path[128];
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof *f);

	if (!f)
		return -1;
	strcpy(f->dir, "/tmp/ctui-test-config-XXXXXX");
	if (!mkdtemp(f->dir))
		return -1;
	snprintf(f->path, sizeof f->path, "%s/ctui.conf", f->dir);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	unlink(f->path);
	rmdir(f->dir);
	free(f);
	return 0;
}

static const char *write_config(void **state, const char *text)
{
	struct fixture *f = *state;
	FILE *file = fopen(f->path, "w");

	assert_non_null(file);
	assert_int_equal(fputs(text, file) >= 0, 1);
	assert_int_equal(fclose(file), 0);
	return f->path;
}

static void assert_all_null(const struct ctui_config *cfg)
{
	static const struct ctui_config zero;

	assert_memory_equal(cfg, &zero, sizeof zero);
}

/* Loads PATH, expects a failure, and checks the whole message: it must be
 * "PATH:LINE: REST". */
static void assert_path_fails(const char *path, int line, const char *rest)
{
	struct ctui_config cfg;
	struct ctui_error err = { 0 };
	char expected[CTUI_ERROR_MAX];

	if (ctui_config_load(&cfg, path, &err) == 0) {
		ctui_config_free(&cfg);
		fail_msg("%s loaded without error", path);
	}
	snprintf(expected, sizeof expected, "%s:%d: %s", path, line, rest);
	assert_string_equal(err.message, expected);
	assert_all_null(&cfg);
}

static void assert_load_fails(void **state, const char *text, int line, const char *rest)
{
	assert_path_fails(write_config(state, text), line, rest);
}

static void defaults_from_empty_file(void **state)
{
	struct ctui_config cfg;
	struct ctui_error err = { 0 };
	const char *path = write_config(state, "# nothing set\n\n; still nothing\n");

	if (ctui_config_load(&cfg, path, &err) < 0)
		fail_msg("%s", err.message);

	assert_string_equal(cfg.path, path);
	assert_string_equal(cfg.state_dir, CTUI_STATEDIR);
	assert_string_equal(cfg.template_dir, CTUI_STATEDIR "/templates");
	assert_string_equal(cfg.template_conf_dir, CTUI_SYSCONFDIR "/templates");
	assert_string_equal(cfg.model_dir, CTUI_SYSCONFDIR "/models");
	assert_string_equal(cfg.default_model, "");
	assert_string_equal(cfg.default_storage, "overlay");
	assert_string_equal(cfg.init_path, CTUI_LIBEXECDIR "/ctui-init");
	assert_string_equal(cfg.debootstrap, "debootstrap");
	assert_string_equal(cfg.mirror, "http://deb.debian.org/debian");
	assert_string_equal(cfg.bridge, "ctui0");
	assert_int_equal(cfg.subnet, IP(10, 1, 1, 0));
	assert_int_equal(cfg.prefix, 24);
	assert_int_equal(cfg.gateway, IP(10, 1, 1, 254));
	assert_string_equal(cfg.zone, "sites.internal");
	assert_string_equal(cfg.dns_server, "127.0.0.1");
	assert_int_equal(cfg.dns_port, 53);
	assert_string_equal(cfg.tsig_key_file, CTUI_SYSCONFDIR "/tsig.key");
	assert_int_equal(cfg.dns_ttl, 300);
	assert_string_equal(cfg.public_ipv4, "");
	assert_string_equal(cfg.public_ipv6, "");
	assert_string_equal(cfg.vhost_dir, "/etc/apache2/ctui-sites");
	assert_string_equal(cfg.apache_configtest, "apache2ctl configtest");
	assert_string_equal(cfg.apache_reload, "apache2ctl graceful");
	assert_int_equal(cfg.http_port, 80);
	assert_int_equal(cfg.https_port, 443);
	assert_int_equal(cfg.tls_mode, CTUI_TLS_MODE_ACME);
	assert_string_equal(cfg.acme_url, "https://acme-v02.api.letsencrypt.org/directory");
	assert_string_equal(cfg.acme_contact, "");
	assert_string_equal(cfg.acme_ca_file, "");
	assert_string_equal(cfg.md_store_dir, "");
	assert_int_equal(cfg.wildcard, 0);
	assert_string_equal(cfg.cgroup_parent, "ctui");
	assert_int_equal(cfg.start_timeout, 30);
	assert_int_equal(cfg.stop_timeout, 10);
	assert_string_equal(cfg.theme, "default");
	assert_int_equal(cfg.sftp_port_first, 2200);
	assert_int_equal(cfg.sftp_port_last, 2299);
	assert_string_equal(cfg.nft_table, "ctui");

	ctui_config_free(&cfg);
	assert_all_null(&cfg);
}

static void every_key_overrides(void **state)
{
	struct ctui_config cfg;
	struct ctui_error err = { 0 };
	const char *path = write_config(state,
		"# every key, with a few layout variants\n"
		"[paths]\n"
		"state_dir = /srv/ctui\n"
		"  template_dir = /srv/bases\n"
		"\ttemplate_conf_dir=/srv/templates\n"
		"init = /opt/ctui/ctui-init\n"
		"debootstrap = /usr/sbin/debootstrap --no-check-gpg ; a comment\n"
		"mirror = http://127.0.0.1:3142/debian\r\n"
		"\n"
		"[network]\n"
		"bridge = ctuitest0\n"
		"subnet = 172.20.0.0/16\n"
		"gateway = 172.20.0.1\n"
		"[dns]\n"
		"zone = sites.example.org\n"
		"server = ::1\n"
		"port = 5353\n"
		"tsig_key = /srv/keys/ctui.key\n"
		"ttl = 60\n"
		"[host]\n"
		"ipv4 = 192.0.2.10\n"
		"ipv6 = 2001:db8::10\n"
		"[apache]\n"
		"vhost_dir = /srv/apache/sites\n"
		"configtest = /usr/sbin/apache2ctl -t\n"
		"reload = /usr/sbin/apache2ctl -k graceful\n"
		"http_port = 8080\n"
		"https_port = 8443\n"
		"[tls]\n"
		"mode = self-signed\n"
		"acme_url = https://localhost:14000/dir\n"
		"acme_contact = admin@example.org\n"
		"acme_ca_file = /srv/pebble/ca.pem\n"
		"md_store_dir = /srv/md\n"
		"wildcard = yes\n"
		"[cgroup]\n"
		"parent = machine.slice/ctui_test-1\n"
		"[container]\n"
		"start_timeout = 120\n"
		"stop_timeout = 3\n"
		"[sftp]\n"
		"ports = 40000-40009\n"
		"table = ctui_test_1\n");

	if (ctui_config_load(&cfg, path, &err) < 0)
		fail_msg("%s", err.message);

	assert_string_equal(cfg.state_dir, "/srv/ctui");
	assert_string_equal(cfg.template_dir, "/srv/bases");
	assert_string_equal(cfg.template_conf_dir, "/srv/templates");
	assert_string_equal(cfg.init_path, "/opt/ctui/ctui-init");
	assert_string_equal(cfg.debootstrap, "/usr/sbin/debootstrap --no-check-gpg");
	assert_string_equal(cfg.mirror, "http://127.0.0.1:3142/debian");
	assert_string_equal(cfg.bridge, "ctuitest0");
	assert_int_equal(cfg.subnet, IP(172, 20, 0, 0));
	assert_int_equal(cfg.prefix, 16);
	assert_int_equal(cfg.gateway, IP(172, 20, 0, 1));
	assert_string_equal(cfg.zone, "sites.example.org");
	assert_string_equal(cfg.dns_server, "::1");
	assert_int_equal(cfg.dns_port, 5353);
	assert_string_equal(cfg.tsig_key_file, "/srv/keys/ctui.key");
	assert_int_equal(cfg.dns_ttl, 60);
	assert_string_equal(cfg.public_ipv4, "192.0.2.10");
	assert_string_equal(cfg.public_ipv6, "2001:db8::10");
	assert_string_equal(cfg.vhost_dir, "/srv/apache/sites");
	assert_string_equal(cfg.apache_configtest, "/usr/sbin/apache2ctl -t");
	assert_string_equal(cfg.apache_reload, "/usr/sbin/apache2ctl -k graceful");
	assert_int_equal(cfg.http_port, 8080);
	assert_int_equal(cfg.https_port, 8443);
	assert_int_equal(cfg.tls_mode, CTUI_TLS_MODE_SELF_SIGNED);
	assert_string_equal(cfg.acme_url, "https://localhost:14000/dir");
	assert_string_equal(cfg.acme_contact, "admin@example.org");
	assert_string_equal(cfg.acme_ca_file, "/srv/pebble/ca.pem");
	assert_string_equal(cfg.md_store_dir, "/srv/md");
	assert_int_equal(cfg.wildcard, 1);
	assert_string_equal(cfg.cgroup_parent, "machine.slice/ctui_test-1");
	assert_int_equal(cfg.start_timeout, 120);
	assert_int_equal(cfg.stop_timeout, 3);
	assert_int_equal(cfg.sftp_port_first, 40000);
	assert_int_equal(cfg.sftp_port_last, 40009);
	assert_string_equal(cfg.nft_table, "ctui_test_1");

	ctui_config_free(&cfg);
	assert_all_null(&cfg);
}

static void template_dir_follows_state_dir(void **state)
{
	struct ctui_config cfg;
	struct ctui_error err = { 0 };
	const char *path = write_config(state, "[paths]\nstate_dir = /srv/ctui\n");

	if (ctui_config_load(&cfg, path, &err) < 0)
		fail_msg("%s", err.message);
	assert_string_equal(cfg.template_dir, "/srv/ctui/templates");
	ctui_config_free(&cfg);
}

static void load_gateway(void **state, const char *text, uint32_t network, unsigned prefix,
			 uint32_t gateway)
{
	struct ctui_config cfg;
	struct ctui_error err = { 0 };

	if (ctui_config_load(&cfg, write_config(state, text), &err) < 0)
		fail_msg("%s: %s", text, err.message);
	assert_int_equal(cfg.subnet, network);
	assert_int_equal(cfg.prefix, prefix);
	assert_int_equal(cfg.gateway, gateway);
	ctui_config_free(&cfg);
}

static void gateway_derived_from_subnet(void **state)
{
	load_gateway(state, "[network]\nsubnet = 10.1.1.0/24\n", IP(10, 1, 1, 0), 24,
		     IP(10, 1, 1, 254));
	load_gateway(state, "[network]\nsubnet = 172.20.0.0/16\n", IP(172, 20, 0, 0), 16,
		     IP(172, 20, 255, 254));
	load_gateway(state, "[network]\nsubnet = 10.9.0.4/30\n", IP(10, 9, 0, 4), 30,
		     IP(10, 9, 0, 6));
	load_gateway(state, "[network]\nsubnet = 128.0.0.0/1\n", IP(128, 0, 0, 0), 1,
		     IP(255, 255, 255, 254));

	/* An explicit gateway wins, before or after the subnet. */
	load_gateway(state, "[network]\ngateway = 10.9.0.5\nsubnet = 10.9.0.4/30\n",
		     IP(10, 9, 0, 4), 30, IP(10, 9, 0, 5));
	load_gateway(state, "[network]\nsubnet = 172.20.0.0/16\ngateway = 172.20.3.0\n",
		     IP(172, 20, 0, 0), 16, IP(172, 20, 3, 0));

	/* A gateway alone is checked against the default subnet. */
	load_gateway(state, "[network]\ngateway = 10.1.1.1\n", IP(10, 1, 1, 0), 24,
		     IP(10, 1, 1, 1));
}

static void gateway_outside_subnet(void **state)
{
	assert_load_fails(state, "[network]\nsubnet = 10.9.0.0/24\ngateway = 10.1.1.254\n", 3,
			  "[network] gateway: 10.1.1.254 is not a host address of the subnet "
			  "10.9.0.0/24; choose an address inside it");
	assert_load_fails(state, "[network]\ngateway = 10.9.0.0\nsubnet = 10.9.0.0/24\n", 2,
			  "[network] gateway: 10.9.0.0 is not a host address of the subnet "
			  "10.9.0.0/24; choose an address inside it");
	assert_load_fails(state, "[network]\n\ngateway = 10.1.1.255\n", 3,
			  "[network] gateway: 10.1.1.255 is not a host address of the subnet "
			  "10.1.1.0/24; choose an address inside it");
	assert_load_fails(state, "[network]\ngateway = 10.1.1\n", 2,
			  "[network] gateway: invalid IPv4 address \"10.1.1\": expected four "
			  "numbers from 0 to 255 separated by dots, such as 10.1.1.10");
}

static void unknown_section(void **state)
{
	assert_load_fails(state, "[paths]\nstate_dir = /srv\n[netwrok]\nbridge = br1\n", 3,
			  "unknown section [netwrok]: the sections are [paths], [network], [dns], "
			  "[host], [apache], [tls], [cgroup], [container], [tui], [ldap], [sites] "
			  "and [sftp]");
	assert_load_fails(state, "[paths]\n[Network] ; empty\n", 2,
			  "unknown section [Network]: the sections are [paths], [network], [dns], "
			  "[host], [apache], [tls], [cgroup], [container], [tui], [ldap], [sites] "
			  "and [sftp]");
	assert_load_fails(state, "  [ paths ]\n", 1,
			  "unknown section [ paths ]: the sections are [paths], [network], [dns], "
			  "[host], [apache], [tls], [cgroup], [container], [tui], [ldap], [sites] "
			  "and [sftp]");
	assert_load_fails(state, "[pa\x01ths]\n", 1,
			  "unknown section [pa\\x01ths]: the sections are [paths], [network], [dns], "
			  "[host], [apache], [tls], [cgroup], [container], [tui], [ldap], [sites] "
			  "and [sftp]");
}

static void unknown_key(void **state)
{
	assert_load_fails(state, "[paths]\nstatedir = /srv\n", 2,
			  "[paths] statedir: unknown key; the keys of [paths] are state_dir, "
			  "template_dir, template_conf_dir, model_dir, init, debootstrap, mirror");
	assert_load_fails(state, "[container]\nstart_timeout = 5\n\nStop_Timeout = 5\n", 4,
			  "[container] Stop_Timeout: unknown key; the keys of [container] are "
			  "start_timeout, stop_timeout");
}

static void key_outside_section(void **state)
{
	assert_load_fails(state, "# comment\nbridge = br1\n[network]\n", 2,
			  "key \"bridge\" is outside any section: put it below its [section] line");
}

static void key_given_twice(void **state)
{
	assert_load_fails(state,
			  "[network]\nbridge = ctuitest0\n[dns]\nport = 53\n[network]\n"
			  "bridge = ctuitest1\n",
			  6, "[network] bridge: key given twice, first on line 2; remove one of them");
}

static void indented_line_is_not_continuation(void **state)
{
	/* inih would join an indented line to the previous value, but here it is a key. */
	assert_load_fails(state, "[network]\nbridge = ctuitest0\n    bridge = ctuitest1\n", 3,
			  "[network] bridge: key given twice, first on line 2; remove one of them");
}

static void indented_continuation_rejected(void **state)
{
	assert_load_fails(state, "[paths]\nmirror = http://x/\n  debian\n", 3,
			  "indented line that is neither \"key = value\" nor \"[section]\": a value "
			  "cannot continue on the next line; join the two lines");
	assert_load_fails(state, "[paths]\n\t[netwrok]\n", 2,
			  "unknown section [netwrok]: the sections are [paths], [network], [dns], "
			  "[host], [apache], [tls], [cgroup], [container], [tui], [ldap], [sites] "
			  "and [sftp]");
}

static void byte_order_mark_skipped(void **state)
{
	struct ctui_config cfg;
	struct ctui_error err = { 0 };

	if (ctui_config_load(&cfg, write_config(state, "\xEF\xBB\xBF[network]\nbridge = ctuitest0\n"),
			     &err) < 0)
		fail_msg("%s", err.message);
	assert_string_equal(cfg.bridge, "ctuitest0");
	ctui_config_free(&cfg);

	/* The mark does not hide the section line from the check. */
	assert_load_fails(state, "\xEF\xBB\xBF[netwrok]\n", 1,
			  "unknown section [netwrok]: the sections are [paths], [network], [dns], "
			  "[host], [apache], [tls], [cgroup], [container], [tui], [ldap], [sites] "
			  "and [sftp]");
}

static void syntax_errors(void **state)
{
	static const char *const expected =
		"syntax error: expected \"[section]\", \"key = value\" or a comment starting with "
		"'#' or ';'";

	assert_load_fails(state, "[paths]\nstate_dir = /srv\nmirror\n", 3, expected);
	assert_load_fails(state, "[paths\nstate_dir = /srv\n", 1, expected);
	/* The earliest error wins, whichever kind it is. */
	assert_load_fails(state, "[dns]\noops\nport = 0\n", 2, expected);
	assert_load_fails(state, "[dns]\nport = 0\noops\n", 2,
			  "[dns] port: number 0 is out of range: use a value from 1 to 65535");
}

/* Writes "[paths]\n" and a mirror line of LENGTH characters, indented by
 * INDENT blanks that do not count, followed by TAIL. */
static const char *write_long_line(void **state, size_t length, size_t indent, const char *tail)
{
	static const char head[] = "mirror = http://x/";
	char text[1024];
	size_t used;

	assert_true(length + indent + strlen(tail) + 10 < sizeof text);
	used = (size_t)snprintf(text, sizeof text, "[paths]\n%*s%s", (int)indent, "", head);
	memset(text + used, 'a', length - strlen(head));
	used += length - strlen(head);
	snprintf(text + used, sizeof text - used, "%s\n", tail);
	return write_config(state, text);
}

static void long_line_rejected(void **state)
{
	struct ctui_config cfg;
	struct ctui_error err = { 0 };

	/* inih's buffer has room for 198 characters, a newline and a NUL. */
	if (ctui_config_load(&cfg, write_long_line(state, 198, 4, ""), &err) < 0)
		fail_msg("%s", err.message);
	assert_int_equal(strlen("mirror = ") + strlen(cfg.mirror), 198);
	ctui_config_free(&cfg);

	assert_path_fails(write_long_line(state, 199, 0, ""), 2,
			  "the line is longer than 198 characters; shorten the value");

	/* What inih would read after its cut must not pass for a line of its own:
	 * here it would be a comment. */
	assert_path_fails(write_long_line(state, 400, 0, " ;#"), 2,
			  "the line is longer than 198 characters; shorten the value");
}

static void nul_byte_rejected(void **state)
{
	struct fixture *f = *state;
	static const char text[] = "[paths]\nmirror = http://x\0/y\n";
	struct ctui_config cfg;
	struct ctui_error err = { 0 };
	char expected[256];
	FILE *file = fopen(f->path, "w");

	assert_non_null(file);
	assert_int_equal(fwrite(text, 1, sizeof text - 1, file), sizeof text - 1);
	assert_int_equal(fclose(file), 0);

	assert_int_equal(ctui_config_load(&cfg, f->path, &err), -1);
	snprintf(expected, sizeof expected, "%s:2: the line contains a NUL byte", f->path);
	assert_string_equal(err.message, expected);
}

static void subnet_invalid_message(void **state)
{
	char text[512];

	snprintf(text, sizeof text, "%s", "# comment\n\n[paths]\nstate_dir = /var/lib/ctui\n\n"
					  "[network]\nbridge = ctui0\n; comment\n\n\n\n"
					  "subnet = 10.1.1.0/33\n");
	assert_load_fails(state, text, 12,
			  "[network] subnet: invalid IPv4 network \"10.1.1.0/33\": the prefix "
			  "length must be from 1 to 30, such as 10.1.1.0/24");
}

struct bad_value {
	const char *section;
	const char *key;
	const char *value;
	const char *rest;  /* the message after "[section] key: " */
};

static void invalid_values(void **state)
{
	static const struct bad_value cases[] = {
		{ "paths", "state_dir", "var/lib/ctui", "invalid value \"var/lib/ctui\": expected an absolute path" },
		{ "paths", "template_dir", "", "invalid value \"\": expected an absolute path" },
		{ "paths", "init", "./ctui-init", "invalid value \"./ctui-init\": expected an absolute path" },
		{ "paths", "debootstrap", "", "invalid value \"\": expected a command line" },
		{ "paths", "mirror", "ftp://deb.debian.org/debian", "invalid value \"ftp://deb.debian.org/debian\": expected an http://, https:// or file:/// URL of a Debian mirror" },
		{ "paths", "mirror", "http://a b", "invalid value \"http://a b\": expected an http://, https:// or file:/// URL of a Debian mirror" },
		{ "paths", "template_conf_dir", "/etc/ctui/\ttemplates", "invalid value \"/etc/ctui/\\x09templates\": control characters are not allowed" },
		{ "network", "bridge", "ctuibridge01234", NULL },
		{ "network", "bridge", "ctuibridge012345", "invalid value \"ctuibridge012345\": expected an interface name of 1 to 15 bytes without '/', ':' or spaces" },
		{ "network", "bridge", "br/0", "invalid value \"br/0\": expected an interface name of 1 to 15 bytes without '/', ':' or spaces" },
		{ "network", "bridge", "br:0", "invalid value \"br:0\": expected an interface name of 1 to 15 bytes without '/', ':' or spaces" },
		{ "network", "bridge", "br 0", "invalid value \"br 0\": expected an interface name of 1 to 15 bytes without '/', ':' or spaces" },
		{ "network", "bridge", "", "invalid value \"\": expected an interface name of 1 to 15 bytes without '/', ':' or spaces" },
		{ "network", "bridge", "..", "invalid value \"..\": expected an interface name of 1 to 15 bytes without '/', ':' or spaces" },
		{ "network", "subnet", "10.1.1.1/24", "invalid IPv4 network \"10.1.1.1/24\": host bits are set; the network address is 10.1.1.0/24" },
		{ "network", "subnet", "10.1.1.0", "invalid IPv4 network \"10.1.1.0\": expected an address and a prefix length, such as 10.1.1.0/24" },
		{ "dns", "zone", "Sites.Internal", "invalid domain \"Sites.Internal\": upper case letters are not allowed; write it in lower case" },
		{ "dns", "zone", "sites.internal.", "invalid domain \"sites.internal.\": remove the trailing dot" },
		{ "dns", "zone", "internal", "invalid domain \"internal\": it needs at least two labels, such as example.org" },
		{ "dns", "server", "localhost", "invalid value \"localhost\": expected an IPv4 or IPv6 address, such as 127.0.0.1 or ::1" },
		{ "dns", "server", "127.0.0.1:53", "invalid value \"127.0.0.1:53\": expected an IPv4 or IPv6 address, such as 127.0.0.1 or ::1" },
		{ "dns", "port", "0", "number 0 is out of range: use a value from 1 to 65535" },
		{ "dns", "port", "65536", "number 65536 is out of range: use a value from 1 to 65535" },
		{ "dns", "port", "53/udp", "invalid number \"53/udp\": use a whole number from 1 to 65535" },
		{ "dns", "ttl", "-1", "invalid number \"-1\": use a whole number from 0 to 2147483647" },
		{ "dns", "ttl", "2147483648", "number 2147483648 is out of range: use a value from 0 to 2147483647" },
		{ "dns", "tsig_key", "tsig.key", "invalid value \"tsig.key\": expected an absolute path" },
		{ "host", "ipv4", "2001:db8::1", "invalid value \"2001:db8::1\": expected an IPv4 address such as 192.0.2.10, or nothing" },
		{ "host", "ipv4", "192.0.2", "invalid value \"192.0.2\": expected an IPv4 address such as 192.0.2.10, or nothing" },
		{ "host", "ipv6", "192.0.2.1", "invalid value \"192.0.2.1\": expected an IPv6 address such as 2001:db8::10, or nothing" },
		{ "host", "ipv6", "", NULL },
		{ "apache", "vhost_dir", "sites", "invalid value \"sites\": expected an absolute path" },
		{ "apache", "configtest", "", "invalid value \"\": expected a command line" },
		{ "apache", "reload", "", "invalid value \"\": expected a command line" },
		{ "apache", "http_port", "http", "invalid number \"http\": use a whole number from 1 to 65535" },
		{ "apache", "https_port", "100000", "number 100000 is out of range: use a value from 1 to 65535" },
		{ "tls", "mode", "letsencrypt", "invalid value \"letsencrypt\": expected acme, self-signed or none" },
		{ "tls", "mode", "none", NULL },
		{ "paths", "model_dir", "models", "invalid value \"models\": expected an absolute path" },
		{ "sites", "model", "small", NULL },
		{ "sites", "model", "", NULL },
		{ "sites", "model", "../small", "invalid value \"../small\": expected the name of a file in the model directory without .conf, such as small, or nothing for the template's limits" },
		{ "sites", "model", "Small", "invalid value \"Small\": expected the name of a file in the model directory without .conf, such as small, or nothing for the template's limits" },
		{ "sites", "storage", "image", NULL },
		{ "sites", "storage", "disk", "invalid value \"disk\": expected overlay, copy or image" },
		{ "sites", "storage", "", "invalid value \"\": expected overlay, copy or image" },
		{ "tls", "acme_url", "http://localhost/dir", "invalid value \"http://localhost/dir\": expected an https:// URL without spaces, quotes or backslashes" },
		{ "tls", "acme_url", "https://x/\"dir", "invalid value \"https://x/\\x22dir\": expected an https:// URL without spaces, quotes or backslashes" },
		{ "tls", "acme_contact", "admin", "invalid value \"admin\": expected an e-mail address such as admin@example.org, or nothing" },
		{ "tls", "acme_contact", "a b@example.org", "invalid value \"a b@example.org\": expected an e-mail address such as admin@example.org, or nothing" },
		{ "tls", "acme_contact", "", NULL },
		{ "tls", "acme_ca_file", "ca.pem", "invalid value \"ca.pem\": expected an absolute path without spaces, quotes or backslashes, or nothing" },
		{ "tls", "md_store_dir", "/srv/m d", "invalid value \"/srv/m d\": expected an absolute path without spaces, quotes or backslashes, or nothing" },
		{ "tls", "wildcard", "1", "invalid value \"1\": expected yes or no" },
		{ "cgroup", "parent", "../escape", "invalid value \"../escape\": expected a relative cgroup path such as ctui or machine/ctui, made of a-z, A-Z, 0-9, '.', '_' and '-'" },
		{ "cgroup", "parent", "a/../b", "invalid value \"a/../b\": expected a relative cgroup path such as ctui or machine/ctui, made of a-z, A-Z, 0-9, '.', '_' and '-'" },
		{ "cgroup", "parent", "/ctui", "invalid value \"/ctui\": expected a relative cgroup path such as ctui or machine/ctui, made of a-z, A-Z, 0-9, '.', '_' and '-'" },
		{ "cgroup", "parent", "ctui/", "invalid value \"ctui/\": expected a relative cgroup path such as ctui or machine/ctui, made of a-z, A-Z, 0-9, '.', '_' and '-'" },
		{ "cgroup", "parent", "a//b", "invalid value \"a//b\": expected a relative cgroup path such as ctui or machine/ctui, made of a-z, A-Z, 0-9, '.', '_' and '-'" },
		{ "cgroup", "parent", ".", "invalid value \".\": expected a relative cgroup path such as ctui or machine/ctui, made of a-z, A-Z, 0-9, '.', '_' and '-'" },
		{ "cgroup", "parent", "my ctui", "invalid value \"my ctui\": expected a relative cgroup path such as ctui or machine/ctui, made of a-z, A-Z, 0-9, '.', '_' and '-'" },
		{ "cgroup", "parent", "", "invalid value \"\": expected a relative cgroup path such as ctui or machine/ctui, made of a-z, A-Z, 0-9, '.', '_' and '-'" },
		{ "cgroup", "parent", "a/..b/c.d", NULL },
		{ "container", "start_timeout", "0", "number 0 is out of range: use a value from 1 to 86400" },
		{ "container", "stop_timeout", "10s", "invalid number \"10s\": use a whole number from 1 to 86400" },
		{ "container", "stop_timeout", "86400", NULL },
		{ "tui", "theme", "dark", NULL },
		{ "tui", "theme", "/etc/ctui/my.theme", NULL },
		{ "tui", "theme", "Dark", "invalid value \"Dark\": expected a theme name such as default, dark or mono, or the absolute path of a theme file" },
		{ "tui", "theme", "themes/dark.theme", "invalid value \"themes/dark.theme\": expected a theme name such as default, dark or mono, or the absolute path of a theme file" },
		{ "tui", "theme", "", "invalid value \"\": expected a theme name such as default, dark or mono, or the absolute path of a theme file" },
		{ "sftp", "ports", "2200-2200", NULL },
		{ "sftp", "ports", "1-65535", NULL },
		{ "sftp", "ports", "2299-2200", "invalid value \"2299-2200\": expected a port range FIRST-LAST such as 2200-2299, with 1 <= FIRST <= LAST <= 65535" },
		{ "sftp", "ports", "0-10", "invalid value \"0-10\": expected a port range FIRST-LAST such as 2200-2299, with 1 <= FIRST <= LAST <= 65535" },
		{ "sftp", "ports", "2200-65536", "invalid value \"2200-65536\": expected a port range FIRST-LAST such as 2200-2299, with 1 <= FIRST <= LAST <= 65535" },
		{ "sftp", "ports", "2200", "invalid value \"2200\": expected a port range FIRST-LAST such as 2200-2299, with 1 <= FIRST <= LAST <= 65535" },
		{ "sftp", "ports", "2200-2299x", "invalid value \"2200-2299x\": expected a port range FIRST-LAST such as 2200-2299, with 1 <= FIRST <= LAST <= 65535" },
		{ "sftp", "ports", "-5-10", "invalid value \"-5-10\": expected a port range FIRST-LAST such as 2200-2299, with 1 <= FIRST <= LAST <= 65535" },
		{ "sftp", "table", "ctui_2", NULL },
		{ "sftp", "table", "2ctui", "invalid value \"2ctui\": expected an nftables table name: a letter, then letters, digits and '_', at most 32 bytes" },
		{ "sftp", "table", "ctui-test", "invalid value \"ctui-test\": expected an nftables table name: a letter, then letters, digits and '_', at most 32 bytes" },
		{ "sftp", "table", "", "invalid value \"\": expected an nftables table name: a letter, then letters, digits and '_', at most 32 bytes" },
		{ "sftp", "table", "a23456789012345678901234567890123", "invalid value \"a23456789012345678901234567890123\": expected an nftables table name: a letter, then letters, digits and '_', at most 32 bytes" },
	};
	char text[512], rest[512];

	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		const struct bad_value *c = &cases[i];

		snprintf(text, sizeof text, "[%s]\n\n%s = %s\n", c->section, c->key, c->value);
		if (!c->rest) {
			struct ctui_config cfg;
			struct ctui_error err = { 0 };

			if (ctui_config_load(&cfg, write_config(state, text), &err) < 0)
				fail_msg("[%s] %s = %s rejected: %s", c->section, c->key, c->value,
					 err.message);
			ctui_config_free(&cfg);
			continue;
		}
		snprintf(rest, sizeof rest, "[%s] %s: %s", c->section, c->key, c->rest);
		assert_load_fails(state, text, 3, rest);
	}
}

static void missing_file(void **state)
{
	struct fixture *f = *state;
	struct ctui_config cfg;
	struct ctui_error err = { 0 };
	char expected[256];

	unlink(f->path);
	assert_int_equal(ctui_config_load(&cfg, f->path, &err), -1);
	assert_int_equal(err.code, ENOENT);
	snprintf(expected, sizeof expected,
		 "cannot open the configuration file %s: No such file or directory", f->path);
	assert_string_equal(err.message, expected);
	assert_all_null(&cfg);
}

static void directory_instead_of_file(void **state)
{
	struct fixture *f = *state;
	struct ctui_config cfg;
	struct ctui_error err = { 0 };
	char expected[256];

	assert_int_equal(ctui_config_load(&cfg, f->dir, &err), -1);
	assert_int_equal(err.code, EISDIR);
	snprintf(expected, sizeof expected,
		 "cannot read the configuration file %s: Is a directory", f->dir);
	assert_string_equal(err.message, expected);
	assert_all_null(&cfg);
}

static void unreadable_file(void **state)
{
	struct fixture *f = *state;
	struct ctui_config cfg;
	struct ctui_error err = { 0 };

	if (geteuid() == 0)
		skip(); /* root reads a file of mode 000 anyway */
	write_config(state, "[paths]\n");
	assert_int_equal(chmod(f->path, 0), 0);
	assert_int_equal(ctui_config_load(&cfg, f->path, &err), -1);
	assert_int_equal(err.code, EACCES);
	assert_all_null(&cfg);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(defaults_from_empty_file, setup, teardown),
		cmocka_unit_test_setup_teardown(every_key_overrides, setup, teardown),
		cmocka_unit_test_setup_teardown(template_dir_follows_state_dir, setup, teardown),
		cmocka_unit_test_setup_teardown(gateway_derived_from_subnet, setup, teardown),
		cmocka_unit_test_setup_teardown(gateway_outside_subnet, setup, teardown),
		cmocka_unit_test_setup_teardown(unknown_section, setup, teardown),
		cmocka_unit_test_setup_teardown(unknown_key, setup, teardown),
		cmocka_unit_test_setup_teardown(key_outside_section, setup, teardown),
		cmocka_unit_test_setup_teardown(key_given_twice, setup, teardown),
		cmocka_unit_test_setup_teardown(indented_line_is_not_continuation, setup, teardown),
		cmocka_unit_test_setup_teardown(indented_continuation_rejected, setup, teardown),
		cmocka_unit_test_setup_teardown(byte_order_mark_skipped, setup, teardown),
		cmocka_unit_test_setup_teardown(syntax_errors, setup, teardown),
		cmocka_unit_test_setup_teardown(long_line_rejected, setup, teardown),
		cmocka_unit_test_setup_teardown(nul_byte_rejected, setup, teardown),
		cmocka_unit_test_setup_teardown(subnet_invalid_message, setup, teardown),
		cmocka_unit_test_setup_teardown(invalid_values, setup, teardown),
		cmocka_unit_test_setup_teardown(missing_file, setup, teardown),
		cmocka_unit_test_setup_teardown(directory_instead_of_file, setup, teardown),
		cmocka_unit_test_setup_teardown(unreadable_file, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
