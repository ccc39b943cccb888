/* Template versions and the sites on them: moving a site onto its
 * template's current base, and removing the bases no site uses. */
#include <dirent.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctui/validate.h"
#include "engine/auth.h"
#include "engine/engine-internal.h"
#include "engine/log.h"
#include "engine/template.h"
#include "util/fs.h"
#include "util/util.h"

static bool is_running(const struct ctui_site *site)
{
	return site->state == CTUI_STATE_RUNNING || site->state == CTUI_STATE_STARTING;
}

/* Points SITE at VERSION and, when it ran, starts it on that base. A site
 * that does not start on the new base goes back to its old version, and
 * is started there again. */
static int switch_version(struct ctui_engine *engine, struct ctui_site *site, const char *version,
			  bool was_running, struct ctui_error *err)
{
	char old[sizeof site->template_version];
	struct ctui_error undo = { 0 };

	snprintf(old, sizeof old, "%s", site->template_version);
	if (ctui_db_site_set_template_version(engine->db, site->name, version, err) < 0)
		return -1;
	if (!was_running || engine_start_locked(engine, site->name, err) == 0)
		return 0;

	ctui_error_prefix(err, _("the site did not start on version %s, so it stays on %s"),
			  version, old);
	if (ctui_db_site_set_template_version(engine->db, site->name, old, &undo) < 0 ||
	    engine_start_locked(engine, site->name, &undo) < 0)
		ctui_log(LOG_ERR, site->name, "undo of upgrade: %s", undo.message);
	return -1;
}

static int upgrade_locked(struct ctui_engine *engine, const char *name, char *old_version,
			  char *new_version, struct ctui_error *err)
{
	cleanup_free char *version = NULL;
	cleanup_free char *base = NULL;
	struct ctui_site site;
	bool was_running;

	if (engine_site_load(engine, name, &site, err) < 0)
		return -1;
	if (site.storage == CTUI_STORAGE_COPY)
		return ctui_error_set(err, EINVAL, _("site %s has copy storage: its root is a full copy of the base, not a layer on it, so it has no base to move"),
				      name);
	snprintf(old_version, CTUI_VERSION_MAX, "%s", site.template_version);
	if (ctui_template_current(&engine->cfg, site.template_name, &version, &base, err) < 0)
		return -1;
	snprintf(new_version, CTUI_VERSION_MAX, "%s", version);
	if (!strcmp(version, site.template_version))
		return 0;

	/* The overlay's lower layer is fixed while the container runs. */
	was_running = is_running(&site);
	if (engine_stop_locked(engine, &site, err) < 0)
		return -1;
	return switch_version(engine, &site, version, was_running, err);
}

int ctui_site_upgrade(struct ctui_engine *engine, const char *name, char *old_version,
		      char *new_version, struct ctui_error *err)
{
	int lock, ret;

	old_version[0] = new_version[0] = '\0';
	if (ctui_validate_name(name, err) < 0 || engine_authorize(engine, "upgrade", name, err) < 0)
		return -1;

	lock = engine_lock(engine, name, err);
	if (lock < 0)
		return ctui_error_prefix(err, _("cannot upgrade site %s"), name);
	ret = upgrade_locked(engine, name, old_version, new_version, err);
	engine_unlock(lock);

	if (ret < 0)
		ctui_error_prefix(err, _("cannot upgrade site %s"), name);
	return engine_finish(engine, "upgrade", name, ret, err);
}

/* Whether a site of template NAME uses VERSION. */
static bool version_in_use(const struct ctui_site *sites, size_t count, const char *name,
			   const char *version)
{
	for (size_t i = 0; i < count; i++) {
		if (!strcmp(sites[i].template_name, name) &&
		    !strcmp(sites[i].template_version, version))
			return true;
	}
	return false;
}

/* Whether ENTRY of TEMPLATE_DIR/NAME is a finished version that prune may
 * consider. The link `current`, its temporary twin and the .build-*
 * directories of builds that run or failed are never touched. */
static bool is_version_entry(const char *entry)
{
	return entry[0] != '.' && strcmp(entry, "current") != 0 && strcmp(entry, "current.tmp") != 0;
}

struct prune {
	const char *name;
	const char *current;
	const struct ctui_site *sites;
	size_t count;
	ctui_progress_fn progress;
	void *ctx;
	unsigned removed;
};

static void prune_report(struct prune *p, const char *line)
{
	if (p->progress)
		p->progress(p->ctx, line);
}

static int prune_entry(struct prune *p, const char *dir, const char *entry,
		       struct ctui_error *err)
{
	cleanup_free char *path = NULL;
	cleanup_free char *line = NULL;

	if (!is_version_entry(entry))
		return 0;
	if (!strcmp(entry, p->current)) {
		line = xasprintf(_("keep %s: it is the current version"), entry);
		prune_report(p, line);
		return 0;
	}
	if (version_in_use(p->sites, p->count, p->name, entry)) {
		line = xasprintf(_("keep %s: a site uses it (see `ctui list`)"), entry);
		prune_report(p, line);
		return 0;
	}

	path = xasprintf("%s/%s", dir, entry);
	line = xasprintf(_("remove %s"), path);
	prune_report(p, line);
	if (ctui_rm_rf(path, err) < 0)
		return -1;
	p->removed++;
	return 0;
}

static int prune_locked(struct ctui_engine *engine, struct prune *p, struct ctui_error *err)
{
	cleanup_free struct ctui_site *sites = NULL;
	cleanup_free char *version = NULL;
	cleanup_free char *base = NULL;
	cleanup_free char *dir = xasprintf("%s/%s", engine->cfg.template_dir, p->name);
	struct dirent *entry;
	DIR *d;
	int ret = 0;

	if (ctui_template_current(&engine->cfg, p->name, &version, &base, err) < 0 ||
	    ctui_db_site_list(engine->db, &sites, &p->count, err) < 0)
		return -1;
	p->current = version;
	p->sites = sites;

	d = opendir(dir);
	if (!d)
		return ctui_error_errno(err, errno, _("cannot read %s"), dir);
	while (ret == 0 && (entry = readdir(d)) != NULL)
		ret = prune_entry(p, dir, entry->d_name, err);
	closedir(d);
	return ret;
}

int ctui_template_prune(struct ctui_engine *engine, const char *name, ctui_progress_fn progress,
			void *ctx, unsigned *removed, struct ctui_error *err)
{
	struct prune p = { .name = name, .progress = progress, .ctx = ctx };
	int lock, ret;

	*removed = 0;
	if (ctui_validate_name(name, err) < 0)
		return ctui_error_prefix(err, _("template"));
	if (engine_authorize(engine, "template prune", name, err) < 0)
		return -1;

	/* The global lock orders prune with the insert of new sites.
	 * NOTE: `ctui create` reads the current version before it takes this
	 * lock, so a rebuild and a prune in that short window could remove the
	 * version a new site is about to record. */
	lock = engine_lock(engine, "", err);
	if (lock < 0)
		return ctui_error_prefix(err, _("cannot prune template %s"), name);
	ret = prune_locked(engine, &p, err);
	engine_unlock(lock);

	*removed = p.removed;
	if (ret < 0)
		ctui_error_prefix(err, _("cannot prune template %s"), name);
	return engine_finish(engine, "template prune", name, ret, err);
}
