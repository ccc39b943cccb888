/* Restoring a site: the archive is extracted and checked in a staging
 * directory first, then the site is created through the same steps as a new
 * one, with the staged files moved into place. */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "ctui/backup.h"
#include "ctui/validate.h"
#include "engine/auth.h"
#include "engine/backup-internal.h"
#include "engine/engine-internal.h"
#include "engine/log.h"
#include "engine/template.h"
#include "util/fs.h"
#include "util/util.h"

/* Makes STAGING/upper/NAME hide the lower layer's NAME: a whiteout when the
 * backup has no NAME, the opaque attribute when both are directories. */
static int hide_lower_entry(const char *upper, const char *name, bool lower_is_dir,
			    struct ctui_error *err)
{
	cleanup_free char *path = xasprintf("%s/%s", upper, name);
	struct stat st;

	if (lstat(path, &st) < 0) {
		if (errno != ENOENT)
			return ctui_error_errno(err, errno, _("cannot examine %s"), path);
		if (mknod(path, S_IFCHR | 0000, makedev(0, 0)) < 0)
			return ctui_error_errno(err, errno, _("cannot create whiteout %s"), path);
		return 0;
	}
	if (S_ISDIR(st.st_mode) && lower_is_dir &&
	    lsetxattr(path, "trusted.overlay.opaque", "y", 1, 0) < 0)
		return ctui_error_errno(err, errno, _("cannot mark %s opaque"), path);
	return 0;
}

/* A full backup is the whole tree: every top-level entry of the template
 * base that it replaces or lacks is hidden, so the site sees exactly the
 * backup. */
static int hide_lower(const char *upper, const char *lower, struct ctui_error *err)
{
	DIR *dir = opendir(lower);
	struct dirent *de;
	int ret = 0;

	if (!dir)
		return ctui_error_errno(err, errno, _("cannot read %s"), lower);
	while (ret == 0 && (de = readdir(dir))) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		ret = hide_lower_entry(upper, de->d_name, de->d_type == DT_DIR, err);
	}
	closedir(dir);
	return ret;
}

/* Picks the template version the restored site runs on: the archive's own
 * one, or for a full backup the current one when that is gone. */
static int choose_base(struct ctui_engine *engine, struct ctui_backup_info *info, char **base,
		       struct ctui_error *err)
{
	const struct ctui_config *cfg = &engine->cfg;
	struct ctui_site *site = &info->site;
	cleanup_free char *version = NULL;

	*base = ctui_template_base_dir(cfg, site->template_name, site->template_version);
	if (ctui_path_exists(*base))
		return 0;
	free(*base);
	*base = NULL;

	if (!info->full)
		return ctui_error_set(err, ENOENT, _("template %s version %s, which the site's "
						     "writable layer needs, is not on this host; "
						     "restore a backup made with --full"),
				      site->template_name, site->template_version);
	if (ctui_template_current(cfg, site->template_name, &version, base, err) < 0)
		return -1;
	snprintf(site->template_version, sizeof site->template_version, "%s", version);
	return 0;
}

static int make_dirs(const char *staging, struct ctui_error *err)
{
	static const struct { const char *name; mode_t mode; } dirs[] = {
		{ "upper", 0755 }, { "work", 0700 }, { "root", 0755 },
	};

	for (size_t i = 0; i < sizeof dirs / sizeof dirs[0]; i++) {
		cleanup_free char *path = xasprintf("%s/%s", staging, dirs[i].name);

		if (mkdir(path, dirs[i].mode) < 0 || chmod(path, dirs[i].mode) < 0)
			return ctui_error_errno(err, errno, _("cannot create directory %s"), path);
	}
	return 0;
}

/* Extracts ARCHIVE into STAGING/upper and checks it against its manifest. */
static int stage(struct ctui_engine *engine, const struct ctui_restore_params *params,
		 const char *staging, struct ctui_backup_info *info, struct ctui_error *err)
{
	cleanup_free char *upper = xasprintf("%s/upper", staging);
	cleanup_free char *base = NULL;

	if (make_dirs(staging, err) < 0)
		return -1;
	if (backup_read_archive(params->archive, upper, params->progress, params->ctx, info,
				err) < 0)
		return -1;
	if (choose_base(engine, info, &base, err) < 0)
		return -1;
	/* A copy site's files are the whole tree already, with no layer below. */
	if (info->full && info->site.storage != CTUI_STORAGE_COPY &&
	    hide_lower(upper, base, err) < 0)
		return -1;
	return 0;
}

/* The row of the restored site: the archive's, renamed to NEW_NAME. */
static int prepare_row(struct ctui_engine *engine, const char *new_name,
		       const struct ctui_backup_info *info, struct ctui_site *site,
		       struct ctui_error *err)
{
	const struct ctui_config *cfg = &engine->cfg;

	*site = info->site;
	if (new_name) {
		if (ctui_validate_name(new_name, err) < 0)
			return -1;
		if (strlen(new_name) + 1 + strlen(cfg->zone) > CTUI_DOMAIN_MAX)
			return ctui_error_set(err, EINVAL, _("the domain %s.%s would be longer than "
							     "%d characters: choose a shorter name"),
					      new_name, cfg->zone, CTUI_DOMAIN_MAX);
		snprintf(site->name, sizeof site->name, "%s", new_name);
		snprintf(site->domain, sizeof site->domain, "%s.%s", new_name, cfg->zone);
	}
	/* An image needs its size, which an edited or damaged archive may lack. */
	if (site->storage == CTUI_STORAGE_IMAGE && site->limits.disk < CTUI_DISK_MIN)
		return ctui_error_set(err, EINVAL, _("the archive's site has image storage but "
						     "no valid disk size"));
	site->id = 0;
	site->state = CTUI_STATE_STOPPED;
	site->created = 0;
	snprintf(site->owner, sizeof site->owner, "%s", engine->identity.user);
	return 0;
}

static int restore_staged(struct ctui_engine *engine, const struct ctui_restore_params *params,
			  const char *staging, struct ctui_site *site, struct ctui_error *err)
{
	struct ctui_backup_info info = { 0 };
	int lock, ret;

	if (stage(engine, params, staging, &info, err) < 0)
		return -1;
	if (prepare_row(engine, params->new_name, &info, site, err) < 0)
		return -1;

	lock = engine_lock(engine, "", err);
	if (lock < 0)
		return -1;
	ret = engine_create_locked(engine, site, staging, err);
	engine_unlock(lock);
	return ret;
}

int ctui_site_restore(struct ctui_engine *engine, const struct ctui_restore_params *params,
		      struct ctui_site *restored, struct ctui_error *err)
{
	cleanup_free char *sites = xasprintf("%s/sites", engine->cfg.state_dir);
	cleanup_free char *staging = xasprintf("%s/.restore-XXXXXX", sites);
	const char *name = params->new_name ? params->new_name : "";
	struct ctui_error undo = { 0 };
	struct ctui_site site = { 0 };
	int ret = -1;

	if (engine_authorize(engine, "restore", params->new_name, err) < 0)
		return -1;
	if (ctui_mkdir_p(sites, 0755, err) == 0) {
		if (!mkdtemp(staging))
			ctui_error_errno(err, errno, _("cannot create a directory in %s"), sites);
		else
			ret = restore_staged(engine, params, staging, &site, err);
	}

	/* After a successful restore the staging directory has become the
	 * site's; after a failure it is removed whole. */
	if (ret < 0 && ctui_rm_rf(staging, &undo) < 0)
		ctui_log(LOG_ERR, NULL, "undo: %s", undo.message);
	if (ret < 0)
		ctui_error_prefix(err, _("cannot restore %s"), params->archive);
	else if (restored)
		*restored = site;
	return engine_finish(engine, "restore", site.name[0] ? site.name : name, ret, err);
}
