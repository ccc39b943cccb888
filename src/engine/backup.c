/* Backing up a site: the site's lock is held, a running site is frozen
 * while its writable layer is copied, and the archive gets its final name
 * only once it is complete. Also the archive names, listing and rotation. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "ctui/backup.h"
#include "ctui/validate.h"
#include "engine/auth.h"
#include "engine/backup-internal.h"
#include "engine/cgroup.h"
#include "engine/engine-internal.h"
#include "engine/log.h"
#include "engine/rootfs.h"
#include "engine/template.h"
#include "util/fs.h"
#include "util/util.h"

#define STAMP_LEN 16           /* YYYYMMDDTHHMMSSZ */
#define SAME_SECOND_MAX 100

static const char *const extensions[] = {
	[CTUI_COMPRESSION_ZSTD] = ".tar.zst",
	[CTUI_COMPRESSION_GZIP] = ".tar.gz",
	[CTUI_COMPRESSION_XZ] = ".tar.xz",
	[CTUI_COMPRESSION_NONE] = ".tar",
};

int ctui_compression_parse(const char *text, enum ctui_compression *compression,
			   struct ctui_error *err)
{
	static const char *const names[] = { "zstd", "gzip", "xz", "none" };

	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
		if (!strcmp(text, names[i])) {
			*compression = (enum ctui_compression)i;
			return 0;
		}
	}
	return ctui_error_set(err, EINVAL, _("invalid compression \"%s\": expected zstd, gzip, "
					     "xz or none"), text);
}

static char *backup_dir(struct ctui_engine *engine, const char *dest_dir)
{
	return dest_dir ? xstrdup(dest_dir) : xasprintf("%s/backups", engine->cfg.state_dir);
}

/* The first free name DIR/SITE-STAMP[-N]EXT. The site's lock keeps two
 * backups of one site from picking the same name. */
static char *archive_name(const char *dir, const char *site, const char *ext,
			  struct ctui_error *err)
{
	char stamp[STAMP_LEN + 1];
	time_t now = time(NULL);
	struct tm tm;

	gmtime_r(&now, &tm);
	strftime(stamp, sizeof stamp, "%Y%m%dT%H%M%SZ", &tm);

	for (int n = 1; n <= SAME_SECOND_MAX; n++) {
		char *path = n == 1 ? xasprintf("%s/%s-%s%s", dir, site, stamp, ext) :
				      xasprintf("%s/%s-%s-%d%s", dir, site, stamp, n, ext);

		if (!ctui_path_exists(path))
			return path;
		free(path);
	}
	ctui_error_set(err, EEXIST, _("%d backups of %s in %s within one second: wait a second"),
		       SAME_SECOND_MAX, site, dir);
	return NULL;
}

/* Copies the writable layer, with the site frozen when it runs. */
static int copy_upper(struct ctui_engine *engine, const struct ctui_site *site,
		      struct backup_writer *writer, const char *upper, bool full,
		      struct ctui_error *err)
{
	const struct ctui_config *cfg = &engine->cfg;
	bool running = site->state == CTUI_STATE_RUNNING || site->state == CTUI_STATE_STARTING;
	struct ctui_error thaw_err = { 0 };
	int ret;

	if (running && ctui_cgroup_freeze(cfg->cgroup_parent, site->name, true, err) < 0)
		return ctui_error_prefix(err, _("cannot freeze the site"));

	ret = backup_writer_add_upper(writer, upper, full, err);

	/* NOTE: a ctui killed here leaves the site frozen; `ctui restart`
	 * recreates its cgroup. */
	if (running && ctui_cgroup_freeze(cfg->cgroup_parent, site->name, false, &thaw_err) < 0) {
		ctui_log(LOG_ERR, site->name, "cannot thaw: %s", thaw_err.message);
		if (ret == 0)
			*err = thaw_err;
		ret = -1;
	}
	return ret;
}

static int write_archive(struct ctui_engine *engine, const struct ctui_backup_params *params,
			 const struct ctui_site *site, const char *tmp, struct ctui_error *err)
{
	const struct ctui_config *cfg = &engine->cfg;
	struct backup_writer *writer = NULL;
	struct ctui_error unmount_err = { 0 };
	struct ctui_rootfs_paths paths;
	cleanup_free char *lower = NULL;
	int ret = -1;

	bool full = params->full && site->storage != CTUI_STORAGE_COPY;
	bool mounted = false;

	/* A copy site's upper directory is its whole tree: a full backup of it
	 * is its upper directory. */
	ctui_rootfs_paths(cfg, site->name, site->storage, &paths);
	lower = ctui_template_base_dir(cfg, site->template_name, site->template_version);
	if (full && !ctui_path_exists(lower)) {
		ctui_error_set(err, ENOENT, _("the template base %s is missing"), lower);
		goto out;
	}

	if (backup_writer_open(&writer, tmp, params->compression, site, params->full,
			       params->progress, params->ctx, err) < 0)
		goto out;
	if (ctui_rootfs_mount(cfg, site, &mounted, err) < 0)
		goto out;
	backup_writer_add_total(writer, paths.upper);
	if (full)
		backup_writer_add_total(writer, lower);

	if (copy_upper(engine, site, writer, paths.upper, full, err) < 0)
		goto out;
	if (full && backup_writer_add_lower(writer, lower, err) < 0)
		goto out;
	ret = backup_writer_finish(writer, err);
out:
	if (mounted && ctui_rootfs_unmount(cfg, site, ret < 0 ? &unmount_err : err) < 0)
		ret = -1;
	backup_writer_free(writer);
	ctui_rootfs_paths_free(&paths);
	return ret;
}

static int backup_locked(struct ctui_engine *engine, const struct ctui_backup_params *params,
			 char **path, struct ctui_error *err)
{
	cleanup_free char *dir = backup_dir(engine, params->dest_dir);
	cleanup_free char *final = NULL;
	cleanup_free char *tmp = NULL;
	struct ctui_site site;
	int dir_fd;

	if (engine_site_load(engine, params->name, &site, err) < 0)
		return -1;
	if (ctui_mkdir_p(dir, 0700, err) < 0)
		return -1;
	final = archive_name(dir, site.name, extensions[params->compression], err);
	if (!final)
		return -1;
	tmp = xasprintf("%s/.%s.tmp", dir, strrchr(final, '/') + 1);

	if (write_archive(engine, params, &site, tmp, err) < 0) {
		unlink(tmp);
		return -1;
	}
	if (rename(tmp, final) < 0) {
		ctui_error_errno(err, errno, _("cannot rename %s to %s"), tmp, final);
		unlink(tmp);
		return -1;
	}
	dir_fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dir_fd >= 0) {
		fsync(dir_fd);
		close(dir_fd);
	}
	if (path)
		*path = steal_pointer(&final);
	return 0;
}

int ctui_site_backup(struct ctui_engine *engine, const struct ctui_backup_params *params,
		     char **path, struct ctui_error *err)
{
	int lock, ret = -1;

	if (ctui_validate_name(params->name, err) < 0)
		return ctui_error_prefix(err, _("cannot back up site"));
	if (engine_authorize(engine, "backup", params->name, err) < 0)
		return -1;
	if (params->dest_dir &&
	    engine_authorize(engine, ENGINE_ACTION_BACKUP_TO, params->name, err) < 0)
		return -1;

	lock = engine_lock(engine, params->name, err);
	if (lock >= 0) {
		ret = backup_locked(engine, params, path, err);
		engine_unlock(lock);
	}
	if (ret < 0)
		ctui_error_prefix(err, _("cannot back up site %s"), params->name);
	return engine_finish(engine, "backup", params->name, ret, err);
}

/* Splits NAME ("SITE-STAMP[-N].tar[.EXT]") into SITE and STAMP[-N]; false
 * for any other name. */
static bool parse_archive_name(const char *name, struct ctui_backup_file *file)
{
	const char *tar = strstr(name, ".tar");
	const char *dash, *stamp;
	size_t stamp_len;
	bool known = false;

	if (!tar || name[0] == '.')
		return false;
	for (size_t i = 0; i < sizeof extensions / sizeof extensions[0]; i++)
		known |= !strcmp(tar, extensions[i]);
	if (!known)
		return false;

	/* The stamp is the first "-YYYYMMDDTHHMMSSZ" after the site name,
	 * which may contain dashes itself. */
	for (dash = strchr(name, '-'); dash && dash < tar; dash = strchr(dash + 1, '-')) {
		stamp = dash + 1;
		if (tar - stamp < STAMP_LEN || stamp[8] != 'T' || stamp[STAMP_LEN - 1] != 'Z' ||
		    strspn(stamp, "0123456789") != 8 || strspn(stamp + 9, "0123456789") != 6)
			continue;
		stamp_len = (size_t)(tar - stamp);
		if (stamp_len > STAMP_LEN && (stamp[STAMP_LEN] != '-' ||
					      strspn(stamp + STAMP_LEN + 1, "0123456789") !=
						      stamp_len - STAMP_LEN - 1))
			continue;
		if ((size_t)(dash - name) > CTUI_NAME_MAX || stamp_len >= sizeof file->stamp)
			return false;
		snprintf(file->site, sizeof file->site, "%.*s", (int)(dash - name), name);
		snprintf(file->stamp, sizeof file->stamp, "%.*s", (int)stamp_len, stamp);
		return true;
	}
	return false;
}

/* Orders by site, then by time; "-N" counts up within one second. */
static int compare_files(const void *a, const void *b)
{
	const struct ctui_backup_file *x = a, *y = b;
	int c = strcmp(x->site, y->site);

	if (c)
		return c;
	c = strncmp(x->stamp, y->stamp, STAMP_LEN);
	if (c)
		return c;
	return atoi(x->stamp[STAMP_LEN] ? x->stamp + STAMP_LEN + 1 : "1") -
	       atoi(y->stamp[STAMP_LEN] ? y->stamp + STAMP_LEN + 1 : "1");
}

int ctui_backup_list(struct ctui_engine *engine, const char *dest_dir, const char *site,
		     struct ctui_backup_file **files, size_t *count, struct ctui_error *err)
{
	cleanup_free char *dir_path = backup_dir(engine, dest_dir);
	struct ctui_backup_file *list = NULL;
	size_t n = 0, cap = 0;
	struct dirent *de;
	DIR *dir;

	*files = NULL;
	*count = 0;
	if (engine_authorize(engine, site ? ENGINE_ACTION_READ : ENGINE_ACTION_LIST_BACKUPS, site,
			     err) < 0)
		return -1;
	dir = opendir(dir_path);
	if (!dir)
		return errno == ENOENT ? 0 : ctui_error_errno(err, errno, _("cannot read %s"),
							       dir_path);
	while ((de = readdir(dir))) {
		struct ctui_backup_file file = { 0 };
		struct stat st;

		if (!parse_archive_name(de->d_name, &file) || (site && strcmp(site, file.site)))
			continue;
		snprintf(file.path, sizeof file.path, "%s/%s", dir_path, de->d_name);
		if (lstat(file.path, &st) < 0 || !S_ISREG(st.st_mode))
			continue;
		file.size = (uint64_t)st.st_size;
		if (n == cap) {
			cap = cap ? 2 * cap : 16;
			list = xrealloc(list, cap * sizeof *list);
		}
		list[n++] = file;
	}
	closedir(dir);

	if (n)
		qsort(list, n, sizeof *list, compare_files);
	*files = list;
	*count = n;
	return 0;
}

int ctui_backup_rotate(struct ctui_engine *engine, const char *dest_dir, const char *site,
		       unsigned keep, unsigned *removed, struct ctui_error *err)
{
	cleanup_free struct ctui_backup_file *files = NULL;
	size_t count = 0;
	unsigned done = 0;

	if (ctui_validate_name(site, err) < 0)
		return -1;
	if (engine_authorize(engine, "backup", site, err) < 0)
		return -1;
	if (ctui_backup_list(engine, dest_dir, site, &files, &count, err) < 0)
		return -1;

	for (size_t i = 0; i + keep < count; i++) {
		if (unlink(files[i].path) < 0 && errno != ENOENT)
			return ctui_error_errno(err, errno, _("cannot remove old backup %s"),
						files[i].path);
		done++;
	}
	if (removed)
		*removed = done;
	return 0;
}
