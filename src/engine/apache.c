#include "engine/apache.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdbool.h>
#include <string.h>
#include <unistd.h>

#include "util/fs.h"
#include "util/run.h"
#include "util/util.h"

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

char *ctui_apache_vhost_path(const struct ctui_config *cfg, const char *site)
{
	return xasprintf("%s/ctui-%s.conf", cfg->vhost_dir, site);
}

char *ctui_apache_vhost_text(const struct ctui_config *cfg, const char *site, const char *domain,
			     uint32_t ipv4)
{
	struct in_addr addr = { .s_addr = htonl(ipv4) };
	char backend[INET_ADDRSTRLEN];

	inet_ntop(AF_INET, &addr, backend, sizeof backend);

	/* In reverse-proxy mode mod_proxy_http adds X-Forwarded-For,
	 * X-Forwarded-Host and X-Forwarded-Server itself (ProxyAddHeaders is On
	 * by default in Apache 2.4), but not the scheme. A stopped site has no
	 * host on the bridge, so connect() would wait for ARP to give up:
	 * connectiontimeout turns that into a quick 503, and retry=0 lets the
	 * first request after a start through instead of the 60 s default
	 * back-off. */
	return xasprintf("# Managed by ctui for site %s: ctui rewrites or deletes this file.\n"
			 "<VirtualHost *:%u>\n"
			 "\tServerName %s\n"
			 "\tProxyRequests Off\n"
			 "\tProxyPreserveHost On\n"
			 "\tRequestHeader set X-Forwarded-Proto \"http\"\n"
			 "\tProxyPass / http://%s:80/ connectiontimeout=2 retry=0\n"
			 "\tProxyPassReverse / http://%s:80/\n"
			 "</VirtualHost>\n",
			 site, cfg->http_port, domain, backend, backend);
}

static int reload(const struct ctui_config *cfg, struct ctui_error *err)
{
	if (ctui_run(cfg->apache_reload, NULL, NULL, NULL, err) < 0)
		return ctui_error_prefix(err, _("reload Apache"));
	return 0;
}

int ctui_apache_add_site(const struct ctui_config *cfg, const char *site, const char *domain,
			 uint32_t ipv4, struct ctui_error *err)
{
	cleanup_free char *path = NULL;
	cleanup_free char *text = NULL;
	struct ctui_error undo_err;

	if (check_inputs(site, domain, err) < 0)
		return -1;

	path = ctui_apache_vhost_path(cfg, site);
	if (ctui_path_exists(path))
		return ctui_error_set(err, EEXIST,
				      _("vhost file %s already exists: remove it if no site uses it"),
				      path);

	text = ctui_apache_vhost_text(cfg, site, domain, ipv4);
	if (ctui_write_file_atomic(path, text, strlen(text), 0644, err) < 0)
		return -1;

	if (ctui_run(cfg->apache_configtest, NULL, NULL, NULL, err) < 0) {
		unlink(path);
		return ctui_error_prefix(err, _("Apache rejected the configuration with %s"),
					 path);
	}

	/* The reload may have failed after Apache read the new file, so reload
	 * again without it to keep the other sites served. */
	if (reload(cfg, err) < 0) {
		unlink(path);
		reload(cfg, &undo_err);
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
	return reload(cfg, err);
}
