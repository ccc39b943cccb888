/* Creating and destroying sites. Creation runs in steps that are undone in
 * reverse order on failure. The database row is committed last, so a site
 * that is listed is a site that is complete. */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/auth.h"
#include "engine/apache.h"
#include "engine/dns.h"
#include "engine/engine-internal.h"
#include "engine/log.h"
#include "engine/rootfs.h"
#include "engine/sftp.h"
#include "engine/subnet.h"
#include "engine/template.h"
#include "engine/tls.h"
#include "ctui/validate.h"
#include "util/util.h"

/* Everything a new site needs, checked before anything is written. */
static int prepare_site(struct ctui_engine *engine, const struct ctui_create_params *params,
			struct ctui_site *site, struct ctui_error *err)
{
	const struct ctui_config *cfg = &engine->cfg;
	struct ctui_template tpl = { 0 };
	cleanup_free char *version = NULL;
	cleanup_free char *base = NULL;
	int ret;

	if (ctui_validate_name(params->name, err) < 0)
		return -1;
	if (params->domain) {
		if (ctui_validate_domain(params->domain, err) < 0)
			return -1;
		snprintf(site->domain, sizeof site->domain, "%s", params->domain);
	} else {
		if (strlen(params->name) + 1 + strlen(cfg->zone) > CTUI_DOMAIN_MAX)
			return ctui_error_set(err, EINVAL,
					      _("the domain %s.%s would be longer than %d characters: "
						"choose a shorter name or give --domain"),
					      params->name, cfg->zone, CTUI_DOMAIN_MAX);
		snprintf(site->domain, sizeof site->domain, "%s.%s", params->name, cfg->zone);
	}
	if (params->record != CTUI_RECORD_CNAME && params->record != CTUI_RECORD_ADDRESS)
		return ctui_error_set(err, EINVAL, _("invalid record kind %d: expected a CNAME or "
						     "an address record"),
				      (int)params->record);
	if (!params->template_name)
		return ctui_error_set(err, EINVAL, _("no template given: use --template NAME "
						     "(see `ctui template list`)"));
	if (ctui_validate_name(params->template_name, err) < 0)
		return ctui_error_prefix(err, _("template"));

	if (ctui_template_load(cfg, params->template_name, &tpl, err) < 0)
		return -1;
	ret = engine_site_limits(engine, params, &tpl.limits, site, err);
	ctui_template_free(&tpl);
	if (ret < 0)
		return -1;

	if (ctui_template_current(cfg, params->template_name, &version, &base, err) < 0)
		return -1;

	snprintf(site->name, sizeof site->name, "%s", params->name);
	snprintf(site->template_name, sizeof site->template_name, "%s", params->template_name);
	snprintf(site->template_version, sizeof site->template_version, "%s", version);
	site->state = CTUI_STATE_STOPPED;
	site->record = params->record;
	site->redirect = params->redirect != CTUI_SETTING_OFF;
	site->hsts = params->hsts == CTUI_SETTING_ON;
	site->tls = cfg->tls_mode == CTUI_TLS_MODE_NONE ? CTUI_TLS_OFF : CTUI_TLS_PENDING;
	snprintf(site->owner, sizeof site->owner, "%s",
		 params->owner ? params->owner : engine->identity.user);
	return 0;
}

/* Fails with EEXIST when the name or the domain is taken, before any work. */
static int check_unused(struct ctui_engine *engine, const struct ctui_site *site,
			struct ctui_error *err)
{
	cleanup_free struct ctui_site *sites = NULL;
	size_t count = 0;

	if (ctui_db_site_list(engine->db, &sites, &count, err) < 0)
		return -1;

	for (size_t i = 0; i < count; i++) {
		if (!strcmp(sites[i].name, site->name))
			return ctui_error_set(err, EEXIST, _("a site named %s already exists"),
					      site->name);
		if (!strcmp(sites[i].domain, site->domain))
			return ctui_error_set(err, EEXIST,
					      _("the domain %s is already used by site %s"),
					      site->domain, sites[i].name);
	}
	return 0;
}

/* Keeps the address SITE has when it is in the subnet and free (a restored
 * site), otherwise picks the lowest free one. */
static int allocate_address(struct ctui_engine *engine, struct ctui_site *site,
			    struct ctui_error *err)
{
	const struct ctui_config *cfg = &engine->cfg;
	cleanup_free uint32_t *used = NULL;
	size_t count = 0;
	bool taken = site->ipv4 == 0 || site->ipv4 == cfg->gateway ||
		     !ctui_subnet_contains(cfg->subnet, cfg->prefix, site->ipv4);

	if (ctui_db_used_addresses(engine->db, &used, &count, err) < 0)
		return -1;
	for (size_t i = 0; i < count && !taken; i++)
		taken = used[i] == site->ipv4;
	if (!taken)
		return 0;
	return ctui_subnet_allocate(cfg->subnet, cfg->prefix, cfg->gateway, used, count,
				    &site->ipv4, err);
}

int engine_create_locked(struct ctui_engine *engine, struct ctui_site *site,
			 const char *staging_dir, struct ctui_error *err)
{
	const struct ctui_config *cfg = &engine->cfg;
	cleanup_free char *base = ctui_template_base_dir(cfg, site->template_name,
							 site->template_version);
	struct ctui_error undo = { 0 };
	unsigned sftp_port;
	int ret;

	if (check_unused(engine, site, err) < 0 || allocate_address(engine, site, err) < 0)
		return -1;
	/* First, so that an exhausted range fails before anything is made. */
	if (engine_sftp_assign_port(engine, site->name, &sftp_port, err) < 0)
		return -1;

	if (staging_dir)
		ret = ctui_rootfs_adopt(cfg, site, staging_dir, err);
	else
		ret = ctui_rootfs_create(cfg, site, base, err);
	if (ret < 0)
		goto fail_port;
	/* A restored site keeps the SFTP files of its archive. Its upper layer
	 * came from the archive and may contain symbolic links, which the
	 * plain paths of the setup would follow out of the site. */
	if (!staging_dir && ctui_sftp_prepare_site(cfg, site, base, err) < 0)
		goto fail_rootfs;

	if (cfg->tls_mode == CTUI_TLS_MODE_SELF_SIGNED) {
		if (ctui_tls_issue_self_signed(cfg, site->name, site->domain, err) < 0)
			goto fail_rootfs;
		site->tls = CTUI_TLS_ACTIVE;
	}

	if (engine_write_vhost(engine, site, false, err) < 0)
		goto fail_tls;

	if (ctui_dns_add_site(cfg, site->domain, site->record, err) < 0)
		goto fail_apache;

	if (ctui_db_site_insert(engine->db, site, err) < 0)
		goto fail_dns;
	return 0;

	/* The undo steps' own errors are logged; the caller sees the first one. */
fail_dns:
	if (ctui_dns_remove_site(cfg, site->domain, &undo) < 0)
		ctui_log(LOG_ERR, site->name, "undo: %s", undo.message);
fail_apache:
	if (ctui_apache_remove_site(cfg, site->name, &undo) < 0)
		ctui_log(LOG_ERR, site->name, "undo: %s", undo.message);
fail_tls:
	if (ctui_tls_remove_site(cfg, site->name, site->domain, &undo) < 0)
		ctui_log(LOG_ERR, site->name, "undo: %s", undo.message);
fail_rootfs:
	if (ctui_rootfs_destroy(cfg, site, &undo) < 0)
		ctui_log(LOG_ERR, site->name, "undo: %s", undo.message);
fail_port:
	if (ctui_db_sftp_port_delete(engine->db, site->name, &undo) < 0)
		ctui_log(LOG_ERR, site->name, "undo: %s", undo.message);
	return -1;
}

/* Any user may create a site of their own; only an administrator may create
 * one for another user, who must exist. */
static int authorize_create(struct ctui_engine *engine, const struct ctui_create_params *params,
			    struct ctui_error *err)
{
	const char *name = params->name ? params->name : "";

	if (engine_authorize(engine, ENGINE_ACTION_CREATE, NULL, err) < 0)
		return -1;
	if (!params->owner || !strcmp(params->owner, engine->identity.user))
		return 0;
	if (engine_authorize(engine, ENGINE_ACTION_CREATE_FOR, name, err) < 0)
		return -1;
	if (engine_check_user(engine, params->owner, err) < 0) {
		ctui_error_prefix(err, _("cannot create site %s"), name);
		return engine_finish(engine, ENGINE_ACTION_CREATE, name, -1, err);
	}
	return 0;
}

int ctui_site_create(struct ctui_engine *engine, const struct ctui_create_params *params,
		     struct ctui_site *created, struct ctui_error *err)
{
	struct ctui_site site = { 0 };
	const char *name = params->name ? params->name : "";
	int lock, ret;

	if (authorize_create(engine, params, err) < 0)
		return -1;
	ret = prepare_site(engine, params, &site, err);
	if (ret == 0) {
		lock = engine_lock(engine, "", err);
		if (lock < 0)
			ret = -1;
		else {
			ret = engine_create_locked(engine, &site, NULL, err);
			engine_unlock(lock);
		}
	}

	if (ret < 0 && name[0])
		ctui_error_prefix(err, _("cannot create site %s"), name);
	else if (ret < 0)
		ctui_error_prefix(err, _("cannot create site"));
	else if (created)
		*created = site;
	return engine_finish(engine, "create", name, ret, err);
}

static int destroy_locked(struct ctui_engine *engine, const char *name, struct ctui_error *err)
{
	const struct ctui_config *cfg = &engine->cfg;
	struct ctui_site site;

	if (engine_site_load(engine, name, &site, err) < 0)
		return -1;

	if (engine_stop_locked(engine, &site, err) < 0)
		return -1;

	/* The record goes first: a DNS server that is down is the likeliest
	 * failure, and then nothing else has been removed yet. */
	if (ctui_dns_remove_site(cfg, site.domain, err) < 0)
		return -1;
	if (ctui_apache_remove_site(cfg, site.name, err) < 0)
		return -1;
	if (ctui_tls_remove_site(cfg, site.name, site.domain, err) < 0)
		return -1;
	if (ctui_rootfs_destroy(cfg, &site, err) < 0)
		return -1;
	if (ctui_db_sftp_port_delete(engine->db, site.name, err) < 0)
		return -1;
	return ctui_db_site_delete(engine->db, site.name, err);
}

int ctui_site_destroy(struct ctui_engine *engine, const char *name, struct ctui_error *err)
{
	int lock, ret;

	if (ctui_validate_name(name, err) < 0)
		return ctui_error_prefix(err, _("cannot destroy site"));
	if (engine_authorize(engine, "destroy", name, err) < 0)
		return -1;
	lock = engine_lock(engine, name, err);
	if (lock < 0)
		return ctui_error_prefix(err, _("cannot destroy site %s"), name);

	ret = destroy_locked(engine, name, err);
	engine_unlock(lock);

	if (ret < 0)
		ctui_error_prefix(err, _("cannot destroy site %s"), name);
	return engine_finish(engine, "destroy", name, ret, err);
}
