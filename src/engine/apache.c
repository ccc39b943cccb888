#include "engine/apache.h"

#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "engine/tls.h"
#include "util/fs.h"
#include "util/run.h"
#include "util/util.h"

#define GLOBAL_FILE "00-ctui.conf"
#define WILDCARD_FILE "zz-ctui-wildcard.conf"

/* TLS 1.2 suites with ECDHE and AEAD only; TLS 1.3 suites are all strong and
 * stay OpenSSL's default. */
#define TLS12_CIPHERS                                                                  \
	"ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:"                       \
	"ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:"                       \
	"ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305"

/* One year, the max-age that HSTS preload lists require. */
#define HSTS_MAX_AGE 31536000

/* Whether TEXT is non-empty and made only of a-z, 0-9, '-' and, when
 * ALLOW_DOT, '.'. Nothing else may reach the vhost file, so that no value can
 * close a directive or start a new one. */
static bool is_safe_token(const char *text, bool allow_dot)
{
	if (!*text)
		return false;
	for (const char *p = text; *p; p++) {
		bool ok = (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '-' ||
			  (allow_dot && *p == '.');

		if (!ok)
			return false;
	}
	return true;
}

/* A path or command written inside double quotes: no quote, backslash or
 * control character can end the quoted string early. */
static bool is_quotable(const char *text)
{
	for (const char *p = text; *p; p++) {
		if (*p == '"' || *p == '\\' || (unsigned char)*p < 0x20 || *p == 0x7f)
			return false;
	}
	return true;
}

static int check_inputs(const char *site, const char *domain, struct ctui_error *err)
{
	if (!is_safe_token(site, false))
		return ctui_error_set(err, EINVAL,
				      _("invalid site name \"%s\": only a-z, 0-9 and '-' are allowed"),
				      site);
	if (domain && !is_safe_token(domain, true))
		return ctui_error_set(err, EINVAL,
				      _("invalid domain \"%s\": only a-z, 0-9, '-' and '.' are allowed"),
				      domain);
	return 0;
}

static int check_quotable(const char *what, const char *text, struct ctui_error *err)
{
	if (text && !is_quotable(text))
		return ctui_error_set(err, EINVAL,
				      _("%s \"%s\" contains a quote, a backslash or a control "
					"character, which Apache's configuration cannot hold"),
				      what, text);
	return 0;
}

char *ctui_apache_vhost_path(const struct ctui_config *cfg, const char *site)
{
	return xasprintf("%s/ctui-%s.conf", cfg->vhost_dir, site);
}

/* The proxy directives shared by both vhosts of a site. In reverse-proxy
 * mode mod_proxy_http adds X-Forwarded-For, X-Forwarded-Host and
 * X-Forwarded-Server itself (ProxyAddHeaders is On by default in Apache 2.4),
 * but not the scheme. A stopped site has no host on the bridge, so connect()
 * would wait for ARP to give up: connectiontimeout turns that into a quick
 * 503, and retry=0 lets the first request after a start through instead of
 * the 60 s default back-off.
 *
 * The site's Apache (event MPM, 64 workers, see template_build.c) closes its
 * idle keep-alive connections whenever all its workers are busy, and a
 * request that the host sends on such a connection fails with "AH01102 error
 * reading status line": mod_proxy does not retry it. max=16 caps the pooled
 * connections of each host Apache process to the site, so that the at most 4
 * host processes of conf/apache-proxy.conf open no more connections than the
 * site has workers; a host thread waits for a free connection instead.
 * ttl=30 closes the idle ones before the site's KeepAliveTimeout of 60 s
 * does. */
static char *proxy_block(const char *backend, const char *scheme)
{
	return xasprintf("\tProxyRequests Off\n"
			 "\tProxyPreserveHost On\n"
			 "\tRequestHeader set X-Forwarded-Proto \"%s\"\n"
			 "\tProxyPass / http://%s:80/ connectiontimeout=2 retry=0 max=16 ttl=30\n"
			 "\tProxyPassReverse / http://%s:80/\n",
			 scheme, backend, backend);
}

/* The redirect leaves ACME http-01 challenges alone, so that renewals keep
 * working once the site is on HTTPS. */
static char *redirect_block(const struct ctui_config *cfg, const char *domain)
{
	char port[16] = "";

	if (cfg->https_port != 443)
		snprintf(port, sizeof port, ":%u", cfg->https_port);
	return xasprintf("\tRedirectMatch permanent \"^/(?!\\.well-known/acme-challenge/)(.*)\" "
			 "\"https://%s%s/$1\"\n",
			 domain, port);
}

static char *https_vhost(const struct ctui_config *cfg, const struct ctui_vhost *vhost,
			 const char *backend)
{
	cleanup_free char *proxy = proxy_block(backend, "https");
	cleanup_free char *certificate = NULL;
	cleanup_free char *hsts = NULL;

	if (vhost->cert_file)
		certificate = xasprintf("\tSSLCertificateFile \"%s\"\n"
					"\tSSLCertificateKeyFile \"%s\"\n",
					vhost->cert_file, vhost->key_file);
	if (vhost->hsts)
		hsts = xasprintf("\tHeader always set Strict-Transport-Security \"max-age=%d\"\n",
				 HSTS_MAX_AGE);

	return xasprintf("<VirtualHost *:%u>\n"
			 "\tServerName %s\n"
			 "\tSSLEngine on\n"
			 "%s%s%s"
			 "</VirtualHost>\n",
			 cfg->https_port, vhost->domain, certificate ? certificate : "",
			 hsts ? hsts : "", proxy);
}

char *ctui_apache_vhost_text(const struct ctui_config *cfg, const struct ctui_vhost *vhost,
			     struct ctui_error *err)
{
	struct in_addr addr = { .s_addr = htonl(vhost->ipv4) };
	char backend[INET_ADDRSTRLEN];
	cleanup_free char *md = NULL;
	cleanup_free char *http_body = NULL;
	cleanup_free char *https = NULL;

	if (check_inputs(vhost->site, vhost->domain, err) < 0 ||
	    check_quotable(_("certificate file"), vhost->cert_file, err) < 0 ||
	    check_quotable(_("key file"), vhost->key_file, err) < 0)
		return NULL;

	inet_ntop(AF_INET, &addr, backend, sizeof backend);
	if (vhost->https && vhost->managed)
		md = xasprintf("MDomain %s\n", vhost->domain);
	if (vhost->https && vhost->redirect)
		http_body = redirect_block(cfg, vhost->domain);
	else
		http_body = proxy_block(backend, "http");
	if (vhost->https)
		https = https_vhost(cfg, vhost, backend);

	return xasprintf("# Managed by ctui for site %s: ctui rewrites or deletes this file.\n"
			 "%s"
			 "<VirtualHost *:%u>\n"
			 "\tServerName %s\n"
			 "%s"
			 "</VirtualHost>\n"
			 "%s",
			 vhost->site, md ? md : "", cfg->http_port, vhost->domain, http_body,
			 https ? https : "");
}

static char *acme_text(const struct ctui_config *cfg, const char *hook)
{
	cleanup_free char *contact = NULL;
	cleanup_free char *ca_file = NULL;
	cleanup_free char *store = NULL;
	cleanup_free char *dns01 = NULL;

	/* mod_md creates no ACME account without a contact; the zone's
	 * hostmaster is the address its SOA record names. */
	if (cfg->acme_contact[0])
		contact = xasprintf("MDContactEmail %s\n", cfg->acme_contact);
	else
		contact = xasprintf("MDContactEmail hostmaster@%s\n", cfg->zone);
	if (cfg->acme_ca_file[0])
		ca_file = xasprintf("MDCACertificateFile \"%s\"\n", cfg->acme_ca_file);
	store = xasprintf("MDStoreDir \"%s\"\n", ctui_tls_md_store(cfg));
	if (hook)
		dns01 = xasprintf("MDChallengeDns01 \"%s\"\n"
				  "MDChallengeDns01Version 2\n",
				  hook);

	/* MDPortMap: without it mod_md drops http-01 when Apache is not on port
	 * 80. MDMatchNames servernames: a vhost matched by two MDs through its
	 * aliases stops the whole server at the next graceful restart. */
	return xasprintf("MDCertificateAuthority %s\n"
			 "MDCertificateAgreement accepted\n"
			 "%s%s%s"
			 "MDPortMap http:%u https:%u\n"
			 "MDMatchNames servernames\n"
			 "%s",
			 cfg->acme_url, contact ? contact : "", ca_file ? ca_file : "",
			 store ? store : "", cfg->http_port, cfg->https_port, dns01 ? dns01 : "");
}

char *ctui_apache_global_text(const struct ctui_config *cfg, const char *hook,
			      struct ctui_error *err)
{
	cleanup_free char *acme = NULL;

	if (check_quotable(_("[tls] acme_ca_file"), cfg->acme_ca_file, err) < 0 ||
	    check_quotable(_("[tls] md_store_dir"), cfg->md_store_dir, err) < 0 ||
	    check_quotable(_("the dns-01 hook command"), hook, err) < 0)
		return NULL;

	if (cfg->tls_mode == CTUI_TLS_MODE_NONE)
		return xstrdup("# Managed by ctui: [tls] mode is none, so nothing is shared.\n");
	if (cfg->tls_mode == CTUI_TLS_MODE_ACME)
		acme = acme_text(cfg, hook);

	return xasprintf("# Managed by ctui: the TLS settings of every site. ctui rewrites this "
			 "file.\n"
			 "SSLProtocol -all +TLSv1.2 +TLSv1.3\n"
			 "SSLCipherSuite " TLS12_CIPHERS "\n"
			 "SSLHonorCipherOrder off\n"
			 "SSLSessionTickets off\n"
			 "%s",
			 acme ? acme : "");
}

char *ctui_apache_wildcard_text(const struct ctui_config *cfg)
{
	if (cfg->tls_mode != CTUI_TLS_MODE_ACME || !cfg->wildcard)
		return NULL;

	/* Read after every site's file: a wildcard declared first would take
	 * the other domains' http-01 challenges. */
	return xasprintf("# Managed by ctui: one certificate for %s and *.%s through dns-01.\n"
			 "<MDomain %s *.%s>\n"
			 "\tMDCAChallenges dns-01\n"
			 "</MDomain>\n",
			 cfg->zone, cfg->zone, cfg->zone, cfg->zone);
}

/* Writes STATE_DIR/dns01-hook, the program mod_md runs for dns-01, and
 * returns its path. MDChallengeDns01 takes the path of one executable without
 * arguments, so this script calls this very ctui binary with the same
 * configuration file, both by absolute path because the hook runs from
 * Apache's working directory as Apache's user. */
static char *write_hook(const struct ctui_config *cfg, struct ctui_error *err)
{
	cleanup_free char *path = xasprintf("%s/dns01-hook", cfg->state_dir);
	cleanup_free char *script = NULL;
	char exe[PATH_MAX], config[PATH_MAX];
	ssize_t len;

	len = readlink("/proc/self/exe", exe, sizeof exe - 1);
	if (len < 0) {
		ctui_error_errno(err, errno, _("cannot find the path of the ctui binary"));
		return NULL;
	}
	exe[len] = '\0';
	if (!realpath(cfg->path, config)) {
		ctui_error_errno(err, errno, _("cannot resolve the path of %s"), cfg->path);
		return NULL;
	}
	if (strpbrk(exe, " \t'\"\\") || strpbrk(config, " \t'\"\\") || !is_quotable(path)) {
		ctui_error_set(err, EINVAL, _("the dns-01 hook needs paths without spaces, quotes "
					      "or backslashes: %s, %s, %s"),
			       exe, config, path);
		return NULL;
	}

	script = xasprintf("#!/bin/sh\n"
			   "# Written by ctui: mod_md's dns-01 hook (MDChallengeDns01).\n"
			   "exec '%s' --config '%s' tls dns01 \"$@\"\n",
			   exe, config);
	if (ctui_write_file_atomic(path, script, strlen(script), 0755, err) < 0)
		return NULL;
	return steal_pointer(&path);
}

/* Writes NAME in the vhost directory with TEXT, or removes it when TEXT is
 * NULL; a file that already has TEXT is left alone. */
static int sync_file(const struct ctui_config *cfg, const char *name, const char *text,
		     struct ctui_error *err)
{
	cleanup_free char *path = xasprintf("%s/%s", cfg->vhost_dir, name);
	cleanup_free char *old = NULL;
	struct ctui_error ignored;

	if (!text) {
		if (unlink(path) < 0 && errno != ENOENT)
			return ctui_error_errno(err, errno, _("cannot remove %s"), path);
		return 0;
	}
	if (ctui_read_file(path, &old, NULL, &ignored) == 0 && !strcmp(old, text))
		return 0;
	return ctui_write_file_atomic(path, text, strlen(text), 0644, err);
}

int ctui_apache_write_global(const struct ctui_config *cfg, struct ctui_error *err)
{
	cleanup_free char *hook = NULL;
	cleanup_free char *global = NULL;
	cleanup_free char *wildcard = ctui_apache_wildcard_text(cfg);

	if (wildcard) {
		hook = write_hook(cfg, err);
		if (!hook)
			return ctui_error_prefix(err, _("write the dns-01 hook"));
	}
	global = ctui_apache_global_text(cfg, hook, err);
	if (!global)
		return -1;
	/* With HTTPS off nothing is shared, and no file is left behind. */
	if (cfg->tls_mode == CTUI_TLS_MODE_NONE) {
		free(global);
		global = NULL;
	}

	if (sync_file(cfg, GLOBAL_FILE, global, err) < 0 ||
	    sync_file(cfg, WILDCARD_FILE, wildcard, err) < 0)
		return ctui_error_prefix(err, _("write the shared Apache settings"));
	return 0;
}

int ctui_apache_reload(const struct ctui_config *cfg, struct ctui_error *err)
{
	if (ctui_run(cfg->apache_reload, NULL, NULL, NULL, err) < 0)
		return ctui_error_prefix(err, _("reload Apache"));
	return 0;
}

/* Puts OLD back at PATH, or removes PATH when OLD is NULL, after a failed
 * change. Its own errors are ignored because the first one is reported. */
static void restore(const char *path, const char *old)
{
	struct ctui_error ignored;

	if (old)
		ctui_write_file_atomic(path, old, strlen(old), 0644, &ignored);
	else
		unlink(path);
}

int ctui_apache_write_site(const struct ctui_config *cfg, const struct ctui_vhost *vhost,
			   bool replace, struct ctui_error *err)
{
	cleanup_free char *path = NULL;
	cleanup_free char *text = NULL;
	cleanup_free char *old = NULL;
	struct ctui_error undo_err;

	text = ctui_apache_vhost_text(cfg, vhost, err);
	if (!text)
		return -1;

	path = ctui_apache_vhost_path(cfg, vhost->site);
	if (ctui_path_exists(path)) {
		if (!replace)
			return ctui_error_set(err, EEXIST,
					      _("vhost file %s already exists: remove it if no site "
						"uses it"),
					      path);
		if (ctui_read_file(path, &old, NULL, err) < 0)
			return -1;
	}

	if (ctui_apache_write_global(cfg, err) < 0 ||
	    ctui_write_file_atomic(path, text, strlen(text), 0644, err) < 0)
		return -1;

	if (ctui_run(cfg->apache_configtest, NULL, NULL, NULL, err) < 0) {
		restore(path, old);
		return ctui_error_prefix(err, _("Apache rejected the configuration with %s"),
					 path);
	}

	/* The reload may have failed after Apache read the new file, so reload
	 * again with the old one to keep the other sites served. */
	if (ctui_apache_reload(cfg, err) < 0) {
		restore(path, old);
		ctui_apache_reload(cfg, &undo_err);
		return -1;
	}
	return 0;
}

int ctui_apache_remove_site(const struct ctui_config *cfg, const char *site,
			    struct ctui_error *err)
{
	cleanup_free char *path = NULL;

	if (check_inputs(site, NULL, err) < 0)
		return -1;

	path = ctui_apache_vhost_path(cfg, site);
	if (unlink(path) < 0) {
		if (errno == ENOENT)
			return 0;
		return ctui_error_errno(err, errno, _("cannot remove %s"), path);
	}
	return ctui_apache_reload(cfg, err);
}
