/* The host Apache vhosts: the file text and path, input guards, and add and
 * remove against a private apache2 started with tests/lib/servers.sh, which
 * proxies to a small backend on 127.0.0.2:80. */
#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "engine/apache.h"
#include "util/fs.h"
#include "util/run.h"
#include "util/util.h"

/* 127.0.0.2: the backend address every live vhost proxies to. */
#define BACKEND_IPV4 0x7f000002u
#define BACKEND_IPV4_TEXT "127.0.0.2"

static char scratch[] = "/tmp/ctui-test-apache.XXXXXX";

/* ---- Helpers ------------------------------------------------------------ */

struct output {
	char text[8192];
};

static void collect_line(void *ctx, const char *line)
{
	struct output *out = ctx;
	size_t used = strlen(out->text);

	snprintf(out->text + used, sizeof out->text - used, "%s\n", line);
}

/* Runs SCRIPT with bash after sourcing tests/lib/servers.sh; its stdout and
 * stderr go to OUT. */
static int run_shell(struct output *out, struct ctui_error *err, const char *fmt, ...)
{
	cleanup_free char *body = NULL;
	cleanup_free char *script = NULL;
	char bash[] = "bash", option[] = "-c";
	va_list ap;

	va_start(ap, fmt);
	body = xvasprintf(fmt, ap);
	va_end(ap);
	script = xasprintf("source tests/lib/servers.sh && %s", body);
	out->text[0] = '\0';

	char *argv[] = { bash, option, script, NULL };
	return ctui_run_argv(argv, collect_line, out, err);
}

static char *scratch_path(const char *name)
{
	return xasprintf("%s/%s", scratch, name);
}

static void write_text(const char *path, const char *text)
{
	struct ctui_error err = { 0 };

	assert_int_equal(ctui_write_file_atomic(path, text, strlen(text), 0644, &err), 0);
}

/* Adds an HTTP-only vhost for SITE, as ctui does with [tls] mode = none. */
static int add_site(const struct ctui_config *cfg, const char *site, const char *domain,
		    uint32_t ipv4, struct ctui_error *err)
{
	struct ctui_vhost vhost = { .site = site, .domain = domain, .ipv4 = ipv4 };

	return ctui_apache_write_site(cfg, &vhost, false, err);
}

/* ---- Offline ------------------------------------------------------------ */

static char offline_vhost_dir[] = "/etc/apache2/ctui-sites";

static void vhost_path_exact(void **state)
{
	struct ctui_config cfg = { .vhost_dir = offline_vhost_dir };
	cleanup_free char *path = ctui_apache_vhost_path(&cfg, "web");

	(void)state;
	assert_string_equal(path, "/etc/apache2/ctui-sites/ctui-web.conf");
}

static void vhost_text_exact(void **state)
{
	struct ctui_config cfg = { .vhost_dir = offline_vhost_dir, .http_port = 8080 };
	struct ctui_vhost vhost = { .site = "web", .domain = "web.example.org", .ipv4 = 0x0a010102u };
	struct ctui_error err = { 0 };
	cleanup_free char *text = ctui_apache_vhost_text(&cfg, &vhost, &err);

	(void)state;
	assert_string_equal(text,
			    "# Managed by ctui for site web: ctui rewrites or deletes this file.\n"
			    "<VirtualHost *:8080>\n"
			    "\tServerName web.example.org\n"
			    "\tProxyRequests Off\n"
			    "\tProxyPreserveHost On\n"
			    "\tRequestHeader set X-Forwarded-Proto \"http\"\n"
			    "\tProxyPass / http://10.1.1.2:80/ connectiontimeout=2 retry=0 max=16 ttl=30\n"
			    "\tProxyPassReverse / http://10.1.1.2:80/\n"
			    "</VirtualHost>\n");
}

static void vhost_text_https_acme(void **state)
{
	struct ctui_config cfg = { .http_port = 80, .https_port = 443 };
	struct ctui_vhost vhost = {
		.site = "web", .domain = "web.example.org", .ipv4 = 0x0a010102u,
		.https = true, .managed = true, .redirect = true, .hsts = true,
	};
	struct ctui_error err = { 0 };
	cleanup_free char *text = ctui_apache_vhost_text(&cfg, &vhost, &err);

	(void)state;
	assert_string_equal(text,
			    "# Managed by ctui for site web: ctui rewrites or deletes this file.\n"
			    "MDomain web.example.org\n"
			    "<VirtualHost *:80>\n"
			    "\tServerName web.example.org\n"
			    "\tRedirectMatch permanent \"^/(?!\\.well-known/acme-challenge/)(.*)\" "
			    "\"https://web.example.org/$1\"\n"
			    "</VirtualHost>\n"
			    "<VirtualHost *:443>\n"
			    "\tServerName web.example.org\n"
			    "\tSSLEngine on\n"
			    "\tHeader always set Strict-Transport-Security \"max-age=31536000\"\n"
			    "\tProxyRequests Off\n"
			    "\tProxyPreserveHost On\n"
			    "\tRequestHeader set X-Forwarded-Proto \"https\"\n"
			    "\tProxyPass / http://10.1.1.2:80/ connectiontimeout=2 retry=0 max=16 ttl=30\n"
			    "\tProxyPassReverse / http://10.1.1.2:80/\n"
			    "</VirtualHost>\n");
}

static void vhost_text_self_signed_port(void **state)
{
	struct ctui_config cfg = { .http_port = 8080, .https_port = 8443 };
	struct ctui_vhost vhost = {
		.site = "web", .domain = "web.example.org", .ipv4 = 0x0a010102u, .https = true,
		.redirect = true, .cert_file = "/var/lib/ctui/tls/sites/web.crt",
		.key_file = "/var/lib/ctui/tls/sites/web.key",
	};
	struct ctui_error err = { 0 };
	cleanup_free char *text = ctui_apache_vhost_text(&cfg, &vhost, &err);

	(void)state;
	assert_null(strstr(text, "MDomain"));
	assert_null(strstr(text, "Strict-Transport-Security"));
	assert_non_null(strstr(text, "\"https://web.example.org:8443/$1\"\n"));
	assert_non_null(strstr(text, "<VirtualHost *:8443>\n"));
	assert_non_null(strstr(text, "\tSSLCertificateFile \"/var/lib/ctui/tls/sites/web.crt\"\n"
				     "\tSSLCertificateKeyFile \"/var/lib/ctui/tls/sites/web.key\"\n"));

	vhost.cert_file = "/tmp/a\"b.crt";
	assert_null(ctui_apache_vhost_text(&cfg, &vhost, &err));
	assert_int_equal(err.code, EINVAL);
}

static void global_text_acme(void **state)
{
	char url[] = "https://localhost:14000/dir", contact[] = "admin@example.org",
	     ca[] = "/srv/pebble/ca.pem", store[] = "/srv/md", zone[] = "example.org";
	struct ctui_config cfg = {
		.http_port = 8080, .https_port = 8443, .acme_url = url, .acme_contact = contact,
		.acme_ca_file = ca, .md_store_dir = store, .zone = zone, .wildcard = 1,
	};
	struct ctui_error err = { 0 };
	cleanup_free char *text = ctui_apache_global_text(&cfg, "/var/lib/ctui/dns01-hook", &err);
	cleanup_free char *wildcard = ctui_apache_wildcard_text(&cfg);

	(void)state;
	assert_string_equal(text,
			    "# Managed by ctui: the TLS settings of every site. ctui rewrites this file.\n"
			    "SSLProtocol -all +TLSv1.2 +TLSv1.3\n"
			    "SSLCipherSuite ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:"
			    "ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:"
			    "ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305\n"
			    "SSLHonorCipherOrder off\n"
			    "SSLSessionTickets off\n"
			    "MDCertificateAuthority https://localhost:14000/dir\n"
			    "MDCertificateAgreement accepted\n"
			    "MDContactEmail admin@example.org\n"
			    "MDCACertificateFile \"/srv/pebble/ca.pem\"\n"
			    "MDStoreDir \"/srv/md\"\n"
			    "MDPortMap http:8080 https:8443\n"
			    "MDMatchNames servernames\n"
			    "MDChallengeDns01 \"/var/lib/ctui/dns01-hook\"\n"
			    "MDChallengeDns01Version 2\n");
	assert_string_equal(wildcard,
			    "# Managed by ctui: one certificate for example.org and *.example.org "
			    "through dns-01.\n"
			    "<MDomain example.org *.example.org>\n"
			    "\tMDCAChallenges dns-01\n"
			    "</MDomain>\n");
}

static void global_text_other_modes(void **state)
{
	char empty[] = "", zone[] = "example.org";
	struct ctui_config cfg = {
		.tls_mode = CTUI_TLS_MODE_SELF_SIGNED, .acme_ca_file = empty, .md_store_dir = empty,
		.zone = zone, .wildcard = 1,
	};
	struct ctui_error err = { 0 };
	char *text = ctui_apache_global_text(&cfg, NULL, &err);

	(void)state;
	assert_non_null(strstr(text, "SSLProtocol -all +TLSv1.2 +TLSv1.3\n"));
	assert_null(strstr(text, "MD"));
	assert_null(ctui_apache_wildcard_text(&cfg));
	free(text);

	cfg.tls_mode = CTUI_TLS_MODE_NONE;
	text = ctui_apache_global_text(&cfg, NULL, &err);
	assert_null(strstr(text, "SSL"));
	free(text);
}

/* The commands must never run: inputs are rejected before anything else. */
static char never_run[] = "/nonexistent/never-run";

static void add_rejects_unsafe_input(void **state)
{
	cleanup_free char *dir = scratch_path("guards");
	struct ctui_config cfg = {
		.vhost_dir = dir,
		.apache_configtest = never_run,
		.apache_reload = never_run,
		.tls_mode = CTUI_TLS_MODE_NONE,
		.http_port = 80,
	};
	static const char *const bad_names[] = { "", "a/b", "../x", "Web", "a b", "a\nb", "a.b" };
	static const char *const bad_domains[] = {
		"", "web.example.org\n\tProxyPass / http://evil/", "web example.org", "Web.org",
		"a\"b.org", "a/b.org",
	};
	struct ctui_error err = { 0 };

	(void)state;
	assert_int_equal(ctui_mkdir_p(dir, 0755, &err), 0);
	for (size_t i = 0; i < sizeof bad_names / sizeof bad_names[0]; i++) {
		assert_int_equal(add_site(&cfg, bad_names[i], "ok.org", 1, &err), -1);
		assert_int_equal(err.code, EINVAL);
		assert_int_equal(ctui_apache_remove_site(&cfg, bad_names[i], &err), -1);
		assert_int_equal(err.code, EINVAL);
	}
	for (size_t i = 0; i < sizeof bad_domains / sizeof bad_domains[0]; i++) {
		assert_int_equal(add_site(&cfg, "web", bad_domains[i], 1, &err), -1);
		assert_int_equal(err.code, EINVAL);
		assert_non_null(strstr(err.message, "invalid domain"));
	}
	assert_int_equal(rmdir(dir), 0);  /* still empty */
}

static void add_rejects_existing_file(void **state)
{
	cleanup_free char *dir = scratch_path("existing");
	cleanup_free char *path = NULL;
	struct ctui_config cfg = {
		.vhost_dir = dir,
		.apache_configtest = never_run,
		.apache_reload = never_run,
		.tls_mode = CTUI_TLS_MODE_NONE,
		.http_port = 80,
	};
	cleanup_free char *text = NULL;
	struct ctui_error err = { 0 };

	(void)state;
	assert_int_equal(ctui_mkdir_p(dir, 0755, &err), 0);
	path = ctui_apache_vhost_path(&cfg, "web");
	write_text(path, "# someone else's\n");

	assert_int_equal(add_site(&cfg, "web", "web.org", 1, &err), -1);
	assert_int_equal(err.code, EEXIST);
	assert_non_null(strstr(err.message, path));
	assert_int_equal(ctui_read_file(path, &text, NULL, &err), 0);
	assert_string_equal(text, "# someone else's\n");
}

static void remove_missing_is_fine(void **state)
{
	cleanup_free char *dir = scratch_path("missing");
	struct ctui_config cfg = {
		.vhost_dir = dir,
		.apache_configtest = never_run,
		.apache_reload = never_run,
		.tls_mode = CTUI_TLS_MODE_NONE,
	};
	struct ctui_error err = { 0 };

	(void)state;
	assert_int_equal(ctui_apache_remove_site(&cfg, "web", &err), 0);
}

/* ---- Against a real Apache ---------------------------------------------- */

/* Prints the Host, X-Forwarded-For and X-Forwarded-Proto headers it gets. */
static const char backend_py[] =
	"import http.server, sys\n"
	"class Echo(http.server.BaseHTTPRequestHandler):\n"
	"    def do_GET(self):\n"
	"        body = 'backend host=%s for=%s proto=%s\\n' % (self.headers.get('Host'),\n"
	"            self.headers.get('X-Forwarded-For'), self.headers.get('X-Forwarded-Proto'))\n"
	"        self.send_response(200)\n"
	"        self.send_header('Content-Length', str(len(body)))\n"
	"        self.end_headers()\n"
	"        self.wfile.write(body.encode())\n"
	"    def log_message(self, *args):\n"
	"        pass\n"
	"http.server.HTTPServer(('" BACKEND_IPV4_TEXT "', 80), Echo).serve_forever()\n";

struct live {
	bool ready;
	char dir[512];
	char *vhost_dir;
	unsigned port;
	pid_t backend;
	const char *no_backend;   /* why the proxied requests cannot be checked */
	struct ctui_config cfg;
};

static struct live live;

/* Line NUMBER (from 1) of TEXT, or NULL when TEXT is shorter. */
static char *output_line(const char *text, unsigned number)
{
	for (unsigned i = 1; i < number && text; i++) {
		text = strchr(text, '\n');
		if (text)
			text++;
	}
	if (!text || !*text)
		return NULL;
	return strndup(text, strcspn(text, "\n"));
}

static void start_backend(void)
{
	cleanup_free char *script = scratch_path("backend.py");
	struct ctui_error err = { 0 };
	struct output out;

	if (run_shell(&out, &err, "ss -Hltn 'sport = :80' | grep -E '(127\\.0\\.0\\.2|0\\.0\\.0\\.0|\\*|\\[::\\]):80 '") == 0) {
		live.no_backend = "port 80 of 127.0.0.2 is in use";
		return;
	}
	if (access("/usr/bin/python3", X_OK) != 0) {
		live.no_backend = "/usr/bin/python3 is missing";
		return;
	}
	write_text(script, backend_py);
	live.backend = fork();
	if (live.backend == 0) {
		execl("/usr/bin/python3", "python3", script, (char *)NULL);
		_exit(127);
	}
	if (run_shell(&out, &err, "for i in $(seq 50); do curl -fs http://%s/ && exit 0; "
				  "sleep 0.1; done; exit 1",
		      BACKEND_IPV4_TEXT) < 0)
		live.no_backend = "the backend on 127.0.0.2:80 did not start";
}

static void stop_backend(void)
{
	if (live.backend <= 0)
		return;
	kill(live.backend, SIGTERM);
	waitpid(live.backend, NULL, 0);
	live.backend = 0;
}

static int start_apache(void **state)
{
	struct ctui_error err = { 0 };
	struct output out;

	(void)state;
	if (geteuid() != 0 || access("/usr/sbin/apache2", X_OK) != 0 ||
	    access("/usr/bin/curl", X_OK) != 0) {
		print_message("live Apache tests need root, apache2 and curl\n");
		return 0;
	}
	snprintf(live.dir, sizeof live.dir, "%s/apache", scratch);
	live.vhost_dir = scratch_path("vhosts");

	if (run_shell(&out, &err, "ctui_test_free_port") < 0) {
		print_message("%s\n", err.message);
		return -1;
	}
	live.port = (unsigned)strtoul(out.text, NULL, 10);
	if (run_shell(&out, &err, "ctui_test_start_apache %s %u %s", live.dir, live.port,
		      live.vhost_dir) < 0) {
		print_message("cannot start apache2: %s\n%s", err.message, out.text);
		return -1;
	}

	live.cfg.vhost_dir = live.vhost_dir;
	/* ctui_test_start_apache prints the configtest, then the reload command. */
	live.cfg.apache_configtest = output_line(out.text, 1);
	live.cfg.apache_reload = output_line(out.text, 2);
	live.cfg.http_port = live.port;
	live.cfg.tls_mode = CTUI_TLS_MODE_NONE;
	if (!live.cfg.apache_configtest || !live.cfg.apache_reload) {
		print_message("ctui_test_start_apache printed no command lines: %s\n", out.text);
		run_shell(&out, &err, "ctui_test_stop_apache %s", live.dir);
		return -1;
	}

	start_backend();
	if (live.no_backend)
		print_message("the proxied requests are not checked: %s\n", live.no_backend);
	live.ready = true;
	return 0;
}

static int stop_apache(void **state)
{
	struct ctui_error err = { 0 };
	struct output out;

	(void)state;
	stop_backend();
	if (!live.ready)
		return 0;
	free(live.cfg.apache_configtest);
	free(live.cfg.apache_reload);
	free(live.vhost_dir);
	return run_shell(&out, &err, "ctui_test_stop_apache %s", live.dir) < 0 ? -1 : 0;
}

static void require_live(void)
{
	if (!live.ready)
		skip();
}

/* Fetches / for HOST through the private Apache until its output contains
 * EXPECTED, for up to 5 s: a graceful reload switches workers in the
 * background. OUT keeps the last output. */
static bool fetch_until(const char *host, const char *expected, struct output *out)
{
	struct ctui_error err = { 0 };

	for (int i = 0; i < 50; i++) {
		run_shell(out, &err, "curl -s -w ' status=%%{http_code}' -H 'Host: %s' http://127.0.0.1:%u/",
			  host, live.port);
		if (strstr(out->text, expected))
			return true;
		usleep(100 * 1000);
	}
	return false;
}

static bool vhost_exists(const char *site)
{
	cleanup_free char *path = ctui_apache_vhost_path(&live.cfg, site);

	return ctui_path_exists(path);
}

static void live_add_is_served(void **state)
{
	struct ctui_error err = { 0 };
	struct output out;

	(void)state;
	require_live();
	assert_int_equal(add_site(&live.cfg, "web", "web.test", BACKEND_IPV4, &err), 0);
	assert_true(vhost_exists("web"));

	if (live.no_backend) {
		print_message("proxy check skipped: %s\n", live.no_backend);
		return;
	}
	assert_true(fetch_until("web.test", "status=200", &out));
	assert_non_null(strstr(out.text, "backend host=web.test for=127.0.0.1 proto=http"));
}

static void live_unknown_host_gets_404(void **state)
{
	struct output out;

	(void)state;
	require_live();
	assert_true(fetch_until("nobody.test", "status=404", &out));
}

static void live_configtest_command_fails(void **state)
{
	struct ctui_config cfg = live.cfg;
	char failing[] = "false";
	struct ctui_error err = { 0 };
	struct output out;

	(void)state;
	require_live();
	cfg.apache_configtest = failing;
	assert_int_equal(add_site(&cfg, "web3", "web3.test", BACKEND_IPV4, &err), -1);
	assert_non_null(strstr(err.message, "Apache rejected the configuration"));
	assert_false(vhost_exists("web3"));

	if (!live.no_backend)
		assert_true(fetch_until("web.test", "status=200", &out));
}

static void live_broken_config_rolled_back(void **state)
{
	cleanup_free char *broken = xasprintf("%s/zz-broken.conf", live.vhost_dir);
	struct ctui_error err = { 0 };
	struct output out;

	(void)state;
	require_live();
	write_text(broken, "ThisIsNotADirective on\n");
	assert_int_equal(add_site(&live.cfg, "web3", "web3.test", BACKEND_IPV4, &err),
			 -1);
	unlink(broken);

	assert_non_null(strstr(err.message, "ThisIsNotADirective"));
	assert_false(vhost_exists("web3"));
	if (!live.no_backend)
		assert_true(fetch_until("web.test", "status=200", &out));
	assert_true(fetch_until("web3.test", "status=404", &out));
}

static void live_reload_failure_rolled_back(void **state)
{
	struct ctui_config cfg = live.cfg;
	char failing[] = "false";
	struct ctui_error err = { 0 };
	struct output out;

	(void)state;
	require_live();
	cfg.apache_reload = failing;
	assert_int_equal(add_site(&cfg, "web4", "web4.test", BACKEND_IPV4, &err), -1);
	assert_non_null(strstr(err.message, "reload Apache: false failed with exit status 1"));
	assert_false(vhost_exists("web4"));
	if (!live.no_backend)
		assert_true(fetch_until("web.test", "status=200", &out));
}

static void live_remove_keeps_prefix_sibling(void **state)
{
	struct ctui_error err = { 0 };
	struct output out;

	(void)state;
	require_live();
	assert_int_equal(add_site(&live.cfg, "web2", "web2.test", BACKEND_IPV4, &err), 0);
	assert_int_equal(ctui_apache_remove_site(&live.cfg, "web", &err), 0);

	assert_false(vhost_exists("web"));
	assert_true(vhost_exists("web2"));
	assert_true(fetch_until("web.test", "status=404", &out));
	if (!live.no_backend) {
		assert_true(fetch_until("web2.test", "status=200", &out));
		assert_non_null(strstr(out.text, "host=web2.test"));
	}
	assert_int_equal(ctui_apache_remove_site(&live.cfg, "web2", &err), 0);
}

int main(void)
{
	const struct CMUnitTest offline[] = {
		cmocka_unit_test(vhost_path_exact),
		cmocka_unit_test(vhost_text_exact),
		cmocka_unit_test(vhost_text_https_acme),
		cmocka_unit_test(vhost_text_self_signed_port),
		cmocka_unit_test(global_text_acme),
		cmocka_unit_test(global_text_other_modes),
		cmocka_unit_test(add_rejects_unsafe_input),
		cmocka_unit_test(add_rejects_existing_file),
		cmocka_unit_test(remove_missing_is_fine),
	};
	const struct CMUnitTest with_apache[] = {
		cmocka_unit_test(live_add_is_served),
		cmocka_unit_test(live_unknown_host_gets_404),
		cmocka_unit_test(live_configtest_command_fails),
		cmocka_unit_test(live_broken_config_rolled_back),
		cmocka_unit_test(live_reload_failure_rolled_back),
		cmocka_unit_test(live_remove_keeps_prefix_sibling),
	};
	struct ctui_error err = { 0 };
	int failed;

	if (!mkdtemp(scratch)) {
		perror("mkdtemp");
		return 1;
	}
	failed = cmocka_run_group_tests_name("apache offline", offline, NULL, NULL);
	failed += cmocka_run_group_tests_name("apache live", with_apache, start_apache, stop_apache);
	ctui_rm_rf(scratch, &err);
	return failed ? 1 : 0;
}
