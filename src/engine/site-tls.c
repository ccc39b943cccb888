/* HTTPS of each site: its vhost as the certificate allows, `ctui set`,
 * the certificate's state, and the dns-01 hook that mod_md runs. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/auth.h"
#include "engine/apache.h"
#include "engine/dns.h"
#include "engine/engine-internal.h"
#include "engine/log.h"
#include "engine/tls.h"
#include "ctui/validate.h"
#include "util/util.h"

void engine_site_vhost(const struct ctui_config *cfg, const struct ctui_site *site,
		       struct ctui_vhost *vhost, char **cert, char **key)
{
	bool active = site->tls == CTUI_TLS_ACTIVE;

	*cert = *key = NULL;
	*vhost = (struct ctui_vhost){
		.site = site->name,
		.domain = site->domain,
		.ipv4 = site->ipv4,
		.https = cfg->tls_mode != CTUI_TLS_MODE_NONE,
		.managed = cfg->tls_mode == CTUI_TLS_MODE_ACME &&
			   !ctui_tls_wildcard_covers(cfg, site->domain),
		/* Until the certificate is served, mod_md's fallback certificate
		 * is on HTTPS, so sending visitors there would break the site. */
		.redirect = site->redirect && active,
		.hsts = site->hsts && active,
	};
	if (cfg->tls_mode == CTUI_TLS_MODE_SELF_SIGNED) {
		ctui_tls_site_files(cfg, site->name, cert, key);
		vhost->cert_file = *cert;
		vhost->key_file = *key;
	}
}

int engine_write_vhost(struct ctui_engine *engine, const struct ctui_site *site, bool replace,
		       struct ctui_error *err)
{
	cleanup_free char *cert = NULL;
	cleanup_free char *key = NULL;
	struct ctui_vhost vhost;

	engine_site_vhost(&engine->cfg, site, &vhost, &cert, &key);
	return ctui_apache_write_site(&engine->cfg, &vhost, replace, err);
}

static bool apply_setting(enum ctui_setting setting, bool *value)
{
	bool old = *value;

	if (setting == CTUI_SETTING_ON)
		*value = true;
	else if (setting == CTUI_SETTING_OFF)
		*value = false;
	return old != *value;
}

static int set_locked(struct ctui_engine *engine, const char *name,
		      const struct ctui_site_settings *settings, struct ctui_error *err)
{
	struct ctui_site site;
	bool changed = false;

	if (engine_site_load(engine, name, &site, err) < 0)
		return -1;

	changed |= apply_setting(settings->redirect, &site.redirect);
	changed |= apply_setting(settings->hsts, &site.hsts);
	if (!changed)
		return 0;

	if (engine_write_vhost(engine, &site, true, err) < 0)
		return -1;
	return ctui_db_site_set_https(engine->db, name, site.redirect, site.hsts, err);
}

int ctui_site_set(struct ctui_engine *engine, const char *name,
		  const struct ctui_site_settings *settings, struct ctui_error *err)
{
	int lock, ret;

	if (ctui_validate_name(name, err) < 0)
		return ctui_error_prefix(err, _("cannot change site"));
	if (engine_authorize(engine, "set", name, err) < 0)
		return -1;
	lock = engine_lock(engine, name, err);
	if (lock < 0)
		return ctui_error_prefix(err, _("cannot change site %s"), name);

	ret = set_locked(engine, name, settings, err);
	engine_unlock(lock);

	if (ret < 0)
		ctui_error_prefix(err, _("cannot change site %s"), name);
	return engine_finish(engine, "set", name, ret, err);
}

int ctui_site_tls_status(struct ctui_engine *engine, const char *name,
			 struct ctui_tls_status *status, struct ctui_error *err)
{
	cleanup_free char *md = NULL;
	struct ctui_site site;
	bool staged;

	if (ctui_site_get(engine, name, &site, err) < 0)
		return -1;

	memset(status, 0, sizeof *status);
	status->state = ctui_tls_probe(&engine->cfg, site.name, site.domain, &staged,
				       status->reason, sizeof status->reason);
	if (engine->cfg.tls_mode == CTUI_TLS_MODE_ACME) {
		md = ctui_tls_md_name(&engine->cfg, site.domain);
		snprintf(status->md_name, sizeof status->md_name, "%s", md);
	}

	/* The certificate exists in the files, but Apache serves it only after
	 * the reload that `ctui tls refresh` does. */
	if (status->state == CTUI_TLS_ACTIVE && (staged || site.tls != CTUI_TLS_ACTIVE)) {
		status->state = CTUI_TLS_PENDING;
		snprintf(status->reason, sizeof status->reason,
			 _("the certificate is issued but not served yet: run `ctui tls refresh`"));
	}
	return 0;
}

char *ctui_site_owner_records(struct ctui_engine *engine, const struct ctui_site *site)
{
	return ctui_dns_owner_records(&engine->cfg, site->domain, site->record);
}

/* Brings one site's row and vhost in line with its certificate. Sets
 * *RELOAD when a staged certificate waits for a reload that no vhost write
 * did. */
static int refresh_site(struct ctui_engine *engine, struct ctui_site *site, unsigned *changed,
			bool *reload, struct ctui_error *err)
{
	enum ctui_tls_state state;
	char reason[512];
	bool staged;

	state = ctui_tls_probe(&engine->cfg, site->name, site->domain, &staged, reason,
			       sizeof reason);
	if (state == site->tls) {
		*reload |= staged;
		return 0;
	}

	ctui_log(LOG_INFO, site->name, "TLS state %s -> %s", ctui_tls_state_name(site->tls),
		 ctui_tls_state_name(state));
	site->tls = state;
	if (engine_write_vhost(engine, site, true, err) < 0 ||
	    ctui_db_site_set_tls(engine->db, site->name, state, err) < 0)
		return ctui_error_prefix(err, _("site %s"), site->name);
	(*changed)++;
	return 0;
}

static int refresh_locked(struct ctui_engine *engine, unsigned *changed, struct ctui_error *err)
{
	cleanup_free struct ctui_site *sites = NULL;
	size_t count = 0;
	bool reload = false;
	unsigned before;

	if (ctui_apache_write_global(&engine->cfg, err) < 0 ||
	    ctui_db_site_list(engine->db, &sites, &count, err) < 0)
		return -1;

	for (size_t i = 0; i < count; i++) {
		if (refresh_site(engine, &sites[i], changed, &reload, err) < 0)
			return -1;
	}

	/* A vhost write reloads Apache already, which serves staged
	 * certificates too. */
	before = *changed;
	if (reload && before == 0)
		return ctui_apache_reload(&engine->cfg, err);
	return 0;
}

int ctui_tls_refresh(struct ctui_engine *engine, unsigned *changed, struct ctui_error *err)
{
	unsigned count = 0;
	int lock, ret;

	if (engine_authorize(engine, "tls refresh", NULL, err) < 0)
		return -1;
	lock = engine_lock(engine, "", err);
	if (lock < 0)
		return ctui_error_prefix(err, _("cannot refresh the certificates"));
	ret = refresh_locked(engine, &count, err);
	engine_unlock(lock);

	if (changed)
		*changed = count;
	if (ret < 0)
		ctui_error_prefix(err, _("cannot refresh the certificates"));
	return engine_finish(engine, "tls refresh", NULL, ret, err);
}

int ctui_acme_dns01(const char *config_path, const char *action, const char *domain,
		    const char *token, struct ctui_error *err)
{
	struct ctui_config cfg;
	bool add;
	int ret;

	if (!strcmp(action, "setup"))
		add = true;
	else if (!strcmp(action, "teardown"))
		add = false;
	else
		return ctui_error_set(err, EINVAL, _("invalid dns-01 action \"%.40s\": expected "
						     "setup or teardown"),
				      action);
	if (ctui_validate_domain(domain, err) < 0)
		return ctui_error_prefix(err, _("dns-01"));

	if (ctui_config_load(&cfg, config_path, err) < 0)
		return -1;
	ret = ctui_dns_acme_challenge(&cfg, domain, token, add, err);
	ctui_log(ret < 0 ? LOG_ERR : LOG_INFO, NULL, "dns-01 %s for %s: %s", action, domain,
		 ret < 0 ? err->message : "ok");
	ctui_config_free(&cfg);
	return ret;
}
