/* A site's resource limits: chosen at creation from the template, a model
 * and the caller's values, and changed later, live when the site runs. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "ctui/limits.h"
#include "ctui/validate.h"
#include "engine/cgroup.h"
#include "engine/auth.h"
#include "engine/engine-internal.h"
#include "engine/log.h"
#include "engine/model.h"
#include "engine/rootfs.h"
#include "util/util.h"

int engine_site_limits(struct ctui_engine *engine, const struct ctui_create_params *params,
		       const struct ctui_limits *template_limits, struct ctui_site *site,
		       struct ctui_error *err)
{
	const struct ctui_config *cfg = &engine->cfg;
	const char *model_name = params->model ? params->model : cfg->default_model;
	const char *storage = params->storage ? params->storage : cfg->default_storage;
	struct ctui_model model;

	if (ctui_storage_parse(storage, &site->storage) < 0)
		return ctui_error_set(err, EINVAL, _("unknown storage \"%s\": expected overlay, "
						     "copy or image"),
				      storage);

	site->limits = *template_limits;
	if (model_name[0]) {
		if (ctui_model_load(cfg, model_name, &model, err) < 0)
			return -1;
		/* A model's disk size is its quota for image storage only. */
		if (site->storage != CTUI_STORAGE_IMAGE)
			model.limits.disk = 0;
		ctui_limits_merge(&site->limits, &model.limits);
		snprintf(site->model, sizeof site->model, "%s", model_name);
	}
	ctui_limits_merge(&site->limits, &params->limits);
	if (params->no_cpu_max)
		site->limits.cpu_max = 0;
	return ctui_limits_check(&site->limits, site->storage, err);
}

/* Applies CHANGES to OLD into NEW and checks the result against SITE. */
static int merge_changes(const struct ctui_site *site, const struct ctui_limit_changes *changes,
			 struct ctui_limits *limits, struct ctui_error *err)
{
	char old_size[32], new_size[32];

	*limits = site->limits;
	ctui_limits_merge(limits, &changes->limits);
	if (changes->no_cpu_max)
		limits->cpu_max = 0;

	if (changes->limits.disk && site->storage != CTUI_STORAGE_IMAGE)
		return ctui_error_set(err, EINVAL, _("only image storage has a disk quota, and site "
						     "%s has %s storage"),
				      site->name, ctui_storage_name(site->storage));
	if (limits->disk < site->limits.disk) {
		snprintf(old_size, sizeof old_size, "%llu", (unsigned long long)site->limits.disk);
		snprintf(new_size, sizeof new_size, "%llu", (unsigned long long)limits->disk);
		return ctui_error_set(err, EINVAL, _("cannot shrink the disk of site %s from %s to "
						     "%s bytes: an image only grows; back the site "
						     "up and restore it into a new site instead"),
				      site->name, old_size, new_size);
	}
	return ctui_limits_check(limits, site->storage, err);
}

/* Writes LIMITS to the running SITE: its cgroup first, then a larger image.
 * When the image cannot grow, the cgroup gets the old values back. */
static int apply_running(struct ctui_engine *engine, const struct ctui_site *site,
			 const struct ctui_limits *limits, struct ctui_error *err)
{
	const struct ctui_config *cfg = &engine->cfg;
	struct ctui_error undo = { 0 };

	if (ctui_cgroup_update(cfg->cgroup_parent, site->name, limits, err) < 0)
		goto fail;
	if (limits->disk > site->limits.disk &&
	    ctui_rootfs_grow(cfg, site, limits->disk, err) < 0)
		goto fail;
	return 0;

fail:
	if (ctui_cgroup_update(cfg->cgroup_parent, site->name, &site->limits, &undo) < 0)
		ctui_log(LOG_ERR, site->name, "undo: %s", undo.message);
	return -1;
}

static int set_limits_locked(struct ctui_engine *engine, const char *name,
			     const struct ctui_limit_changes *changes, struct ctui_error *err)
{
	const struct ctui_config *cfg = &engine->cfg;
	struct ctui_limits limits;
	struct ctui_site site;
	bool running;

	if (engine_site_load(engine, name, &site, err) < 0)
		return -1;
	if (merge_changes(&site, changes, &limits, err) < 0)
		return -1;

	running = site.state == CTUI_STATE_RUNNING || site.state == CTUI_STATE_STARTING;
	if (running && apply_running(engine, &site, &limits, err) < 0)
		return -1;
	if (!running && limits.disk > site.limits.disk &&
	    ctui_rootfs_grow(cfg, &site, limits.disk, err) < 0)
		return -1;
	return ctui_db_site_set_limits(engine->db, name, &limits, err);
}

int ctui_site_set_limits(struct ctui_engine *engine, const char *name,
			 const struct ctui_limit_changes *changes, struct ctui_error *err)
{
	int lock, ret = -1;

	if (ctui_validate_name(name, err) == 0) {
		if (engine_authorize(engine, "set-limits", name, err) < 0)
			return -1;
		lock = engine_lock(engine, name, err);
		if (lock >= 0) {
			ret = set_limits_locked(engine, name, changes, err);
			engine_unlock(lock);
		}
	}
	if (ret < 0)
		ctui_error_prefix(err, _("cannot change the limits of site %s"), name);
	return engine_finish(engine, "set-limits", name, ret, err);
}
