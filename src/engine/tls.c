#include "engine/tls.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "engine/dns.h"
#include "util/fs.h"
#include "util/run.h"
#include "util/util.h"

/* mod_md's store when [tls] md_store_dir is empty. ctui names it in
 * MDStoreDir itself, so Apache and ctui look in the same place whatever
 * Apache's own default is. */
#define DEFAULT_MD_STORE "/var/lib/apache2/md"

#define CA_DAYS "3650"
/* The maximum validity browsers accept for a leaf certificate, in days. */
#define LEAF_DAYS "397"

bool ctui_tls_wildcard_covers(const struct ctui_config *cfg, const char *domain)
{
	return cfg->tls_mode == CTUI_TLS_MODE_ACME && cfg->wildcard &&
	       ctui_dns_in_zone(domain, cfg->zone);
}

char *ctui_tls_md_name(const struct ctui_config *cfg, const char *domain)
{
	return xstrdup(ctui_tls_wildcard_covers(cfg, domain) ? cfg->zone : domain);
}

static char *tls_dir(const struct ctui_config *cfg)
{
	return xasprintf("%s/tls", cfg->state_dir);
}

void ctui_tls_site_files(const struct ctui_config *cfg, const char *site, char **cert,
			 char **key)
{
	*cert = xasprintf("%s/tls/sites/%s.crt", cfg->state_dir, site);
	*key = xasprintf("%s/tls/sites/%s.key", cfg->state_dir, site);
}

char *ctui_tls_ca_file(const struct ctui_config *cfg)
{
	return xasprintf("%s/tls/ca.crt", cfg->state_dir);
}

/* Runs openssl with ARGS (NULL-terminated, without the program name). */
static int run_openssl(const char *const *args, struct ctui_error *err)
{
	size_t count = 0;
	char **argv;
	int ret;

	while (args[count])
		count++;
	argv = xcalloc(count + 2, sizeof *argv);
	argv[0] = xstrdup("openssl");
	for (size_t i = 0; i < count; i++)
		argv[i + 1] = xstrdup(args[i]);

	ret = ctui_run_argv(argv, NULL, NULL, err);
	for (size_t i = 0; argv[i]; i++)
		free(argv[i]);
	free(argv);
	if (ret < 0)
		return ctui_error_prefix(err, _("openssl"));
	return 0;
}

/* Creates the CA's key and self-signed certificate, valid for ten years. */
static int create_ca(const struct ctui_config *cfg, struct ctui_error *err)
{
	cleanup_free char *dir = tls_dir(cfg);
	cleanup_free char *key = xasprintf("%s/ca.key", dir);
	cleanup_free char *cert = ctui_tls_ca_file(cfg);
	cleanup_free char *subject = xasprintf("/CN=ctui local CA for %s", cfg->zone);
	const char *const args[] = {
		"req", "-x509", "-new", "-newkey", "ec",
		"-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
		"-keyout", key, "-out", cert, "-days", CA_DAYS, "-subj", subject,
		"-addext", "basicConstraints=critical,CA:TRUE",
		"-addext", "keyUsage=critical,keyCertSign,cRLSign", NULL,
	};

	if (ctui_path_exists(cert) && ctui_path_exists(key))
		return 0;
	if (run_openssl(args, err) < 0)
		return ctui_error_prefix(err, _("create the local CA in %s"), dir);
	return 0;
}

int ctui_tls_issue_self_signed(const struct ctui_config *cfg, const char *site,
			       const char *domain, struct ctui_error *err)
{
	cleanup_free char *dir = tls_dir(cfg);
	cleanup_free char *sites_dir = xasprintf("%s/sites", dir);
	cleanup_free char *ca_key = xasprintf("%s/ca.key", dir);
	cleanup_free char *ca_cert = ctui_tls_ca_file(cfg);
	cleanup_free char *cert = NULL;
	cleanup_free char *key = NULL;
	cleanup_free char *subject = xasprintf("/CN=%s", domain);
	cleanup_free char *san = xasprintf("subjectAltName=DNS:%s", domain);

	ctui_tls_site_files(cfg, site, &cert, &key);
	const char *const args[] = {
		"req", "-x509", "-new", "-newkey", "ec",
		"-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
		"-keyout", key, "-out", cert, "-days", LEAF_DAYS, "-subj", subject,
		"-addext", san, "-addext", "basicConstraints=critical,CA:FALSE",
		"-addext", "extendedKeyUsage=serverAuth",
		"-CA", ca_cert, "-CAkey", ca_key, NULL,
	};

	/* The keys are for root: Apache reads them before it drops privileges. */
	if (ctui_mkdir_p(sites_dir, 0700, err) < 0)
		return ctui_error_prefix(err, _("issue the certificate of %s"), domain);
	if (chmod(dir, 0700) < 0)
		return ctui_error_errno(err, errno, _("cannot set the mode of %s"), dir);

	if (create_ca(cfg, err) < 0 || run_openssl(args, err) < 0) {
		unlink(cert);
		unlink(key);
		return ctui_error_prefix(err, _("issue the certificate of %s"), domain);
	}
	return 0;
}

const char *ctui_tls_md_store(const struct ctui_config *cfg)
{
	return cfg->md_store_dir[0] ? cfg->md_store_dir : DEFAULT_MD_STORE;
}

int ctui_tls_remove_site(const struct ctui_config *cfg, const char *site, const char *domain,
			 struct ctui_error *err)
{
	cleanup_free char *cert = NULL;
	cleanup_free char *key = NULL;

	ctui_tls_site_files(cfg, site, &cert, &key);
	if ((unlink(cert) < 0 && errno != ENOENT) || (unlink(key) < 0 && errno != ENOENT))
		return ctui_error_errno(err, errno, _("cannot remove the certificate of %s"), site);

	if (cfg->tls_mode != CTUI_TLS_MODE_ACME || ctui_tls_wildcard_covers(cfg, domain))
		return 0;

	/* mod_md keeps a managed domain in its store after its MDomain line is
	 * gone; a destroyed site's key and certificate must not stay behind. */
	static const char *const areas[] = { "domains", "staging", "tmp", "archive" };
	for (size_t i = 0; i < sizeof areas / sizeof areas[0]; i++) {
		cleanup_free char *path = xasprintf("%s/%s/%s", ctui_tls_md_store(cfg), areas[i], domain);

		if (ctui_rm_rf(path, err) < 0)
			return ctui_error_prefix(err, _("remove the certificate of %s"), domain);
	}
	return 0;
}

/* Copies the JSON string value of the first KEY after START in TEXT into
 * OUT. It unescapes \" and \\ and copies other escapes as they are. */
static bool json_string_after(const char *text, const char *start, const char *key, char *out,
			      size_t size)
{
	cleanup_free char *needle = xasprintf("\"%s\"", key);
	const char *p = start ? strstr(text, start) : text;
	size_t used = 0;

	if (!p || !(p = strstr(p, needle)))
		return false;
	p += strlen(needle);
	while (*p == ' ' || *p == ':' || *p == '\n' || *p == '\t')
		p++;
	if (*p++ != '"')
		return false;
	for (; *p && *p != '"' && used + 1 < size; p++) {
		if (*p == '\\' && (p[1] == '"' || p[1] == '\\'))
			p++;
		out[used++] = (unsigned char)*p < 0x20 ? ' ' : *p;
	}
	out[used] = '\0';
	return used > 0;
}

/* Why mod_md has no certificate for MD yet, from its job file. */
static void acme_reason(const struct ctui_config *cfg, const char *md, char *reason,
			size_t size)
{
	cleanup_free char *path = xasprintf("%s/staging/%s/job.json", ctui_tls_md_store(cfg), md);
	cleanup_free char *job = NULL;
	struct ctui_error ignored;
	char detail[256];

	if (ctui_read_file(path, &job, NULL, &ignored) < 0) {
		snprintf(reason, size, _("no certificate yet: mod_md has not started an order for "
					 "%s; check that Apache loads mod_md and was reloaded"),
			 md);
		return;
	}
	if (json_string_after(job, "\"last\"", "detail", detail, sizeof detail) ||
	    json_string_after(job, NULL, "detail", detail, sizeof detail))
		snprintf(reason, size, _("no certificate yet: mod_md's last attempt for %s: %s"), md,
			 detail);
	else
		snprintf(reason, size, _("no certificate yet: mod_md is ordering one for %s"), md);
}

enum ctui_tls_state ctui_tls_probe(const struct ctui_config *cfg, const char *site,
				   const char *domain, bool *staged, char *reason, size_t size)
{
	cleanup_free char *md = ctui_tls_md_name(cfg, domain);
	cleanup_free char *served = NULL;
	cleanup_free char *staging = NULL;
	cleanup_free char *cert = NULL;
	cleanup_free char *key = NULL;

	*staged = false;
	reason[0] = '\0';
	switch (cfg->tls_mode) {
	case CTUI_TLS_MODE_NONE:
		snprintf(reason, size, _("HTTPS is off: [tls] mode is none"));
		return CTUI_TLS_OFF;
	case CTUI_TLS_MODE_SELF_SIGNED:
		ctui_tls_site_files(cfg, site, &cert, &key);
		if (ctui_path_exists(cert) && ctui_path_exists(key))
			return CTUI_TLS_ACTIVE;
		snprintf(reason, size, _("the certificate %s from ctui's CA is missing: run "
					 "`ctui tls refresh`"),
			 cert);
		return CTUI_TLS_PENDING;
	case CTUI_TLS_MODE_ACME:
		break;
	}

	served = xasprintf("%s/domains/%s/pubcert.pem", ctui_tls_md_store(cfg), md);
	staging = xasprintf("%s/staging/%s/pubcert.pem", ctui_tls_md_store(cfg), md);
	*staged = ctui_path_exists(staging);
	if (*staged || ctui_path_exists(served))
		return CTUI_TLS_ACTIVE;
	acme_reason(cfg, md, reason, size);
	return CTUI_TLS_PENDING;
}
