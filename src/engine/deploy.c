/* Deploying into a site's document root and rolling back. Everything
 * happens in /var/www of the site, opened without following links: the new
 * tree is extracted into a staging directory there, then exchanged with
 * html in one renameat2(RENAME_EXCHANGE), and the old tree is kept as
 * .html-previous. A running site is reached through /proc/PID/root, so the
 * rename goes through its overlay; a stopped site's upper layer is changed
 * directly. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "ctui/deploy.h"
#include "ctui/validate.h"
#include "engine/deploy.h"
#include "engine/auth.h"
#include "engine/engine-internal.h"
#include "engine/sftp.h"
#include "engine/log.h"
#include "engine/rootfs.h"
#include "engine/template.h"
#include "util/fs.h"
#include "util/util.h"

#define WWW_DIR "var/www"
#define HTML_NAME "html"
#define PREVIOUS_NAME ".html-previous"
#define WEB_USER "www-data"
#define PASSWD_MAX (1024 * 1024)

/* A site's /var/www, opened for a deploy or a rollback. */
struct site_www {
	struct ctui_site site;
	bool running;
	bool mounted;               /* a stopped image site's image, mounted here */
	const struct ctui_config *cfg;
	char *root;                 /* /proc/PID/root, or the upper layer */
	int fd;                     /* ROOT/var/www */
};

static void site_www_close(struct site_www *www)
{
	struct ctui_error ignored;

	if (www->fd >= 0)
		close(www->fd);
	free(www->root);
	if (www->mounted)
		ctui_rootfs_unmount(www->cfg, &www->site, &ignored);
}

/* Opens RELATIVE below the directory ROOT_FD one component at a time,
 * without following links: the site may have planted them. */
static int open_below(int root_fd, const char *relative, int flags)
{
	cleanup_free char *copy = xstrdup(relative);
	char *save = NULL, *part = strtok_r(copy, "/", &save);
	int fd = dup(root_fd);

	while (fd >= 0 && part) {
		char *next_part = strtok_r(NULL, "/", &save);
		int next = openat(fd, part, (next_part ? O_RDONLY | O_DIRECTORY : flags) |
						    O_NOFOLLOW | O_CLOEXEC);
		int saved = errno;

		close(fd);
		fd = next;
		errno = saved;
		part = next_part;
	}
	return fd;
}

static int site_www_open(struct ctui_engine *engine, const char *name, struct site_www *www,
			 struct ctui_error *err)
{
	struct ctui_rootfs_paths paths;
	cleanup_close int root_fd = -1;

	if (engine_site_load(engine, name, &www->site, err) < 0)
		return -1;
	www->running = www->site.state == CTUI_STATE_RUNNING ||
		       www->site.state == CTUI_STATE_STARTING;
	if (www->running) {
		www->root = xasprintf("/proc/%d/root", (int)www->site.init_pid);
	} else {
		/* A copy site's upper layer contains its whole tree, and an
		 * image site's upper layer is inside its image. */
		www->cfg = &engine->cfg;
		if (ctui_rootfs_mount(&engine->cfg, &www->site, &www->mounted, err) < 0)
			return -1;
		ctui_rootfs_paths(&engine->cfg, name, www->site.storage, &paths);
		www->root = xstrdup(paths.upper);
		ctui_rootfs_paths_free(&paths);
	}

	root_fd = open(www->root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (root_fd < 0)
		return ctui_error_errno(err, errno, _("cannot open the files of site %s at %s"), name,
					www->root);
	www->fd = open_below(root_fd, WWW_DIR, O_RDONLY | O_DIRECTORY);
	if (www->fd < 0)
		return ctui_error_errno(err, errno, _("cannot open %s/%s (a symbolic link there is "
						      "not followed)"), www->root, WWW_DIR);
	return 0;
}

/* Reads the uid and gid fields that follow the password field of a passwd
 * line, FIELDS being the text after "NAME:". */
static int parse_ids(const char *fields, uid_t *uid, gid_t *gid)
{
	const char *start = strchr(fields, ':');
	unsigned long user, group;
	char *end;

	if (!start || start[1] < '0' || start[1] > '9')
		return -1;
	user = strtoul(start + 1, &end, 10);
	if (end == start + 1 || *end != ':')
		return -1;
	start = end + 1;
	if (start[0] < '0' || start[0] > '9')
		return -1;
	group = strtoul(start, &end, 10);
	if (end == start || *end != ':')
		return -1;
	*uid = (uid_t)user;
	*gid = (gid_t)group;
	return 0;
}

/* Finds USER's uid and gid in the passwd file TEXT. */
static int parse_user(const char *text, const char *user, uid_t *uid, gid_t *gid)
{
	size_t name_len = strlen(user);
	const char *line = text;

	while (line) {
		if (!strncmp(line, user, name_len) && line[name_len] == ':')
			return parse_ids(line + name_len + 1, uid, gid);
		line = strchr(line, '\n');
		if (line)
			line++;
	}
	return -1;
}

/* Finds the owner of the deployed files in the passwd file TEXT: the SFTP
 * login, which owns the document root so that the site's owner can change
 * the files, else WEB_USER. The group is WEB_USER's, through which Apache
 * reads the files. */
static int parse_web_user(const char *text, uid_t *uid, gid_t *gid)
{
	uid_t web_uid;
	gid_t web_gid;

	if (parse_user(text, WEB_USER, &web_uid, &web_gid) < 0)
		return parse_user(text, CTUI_SFTP_USER, uid, gid);
	if (parse_user(text, CTUI_SFTP_USER, uid, gid) < 0)
		*uid = web_uid;
	*gid = web_gid;
	return 0;
}

static int read_passwd_at(int root_fd, char **text)
{
	cleanup_close int fd = open_below(root_fd, "etc/passwd", O_RDONLY | O_NONBLOCK);
	struct stat st;
	size_t done = 0;
	ssize_t n;

	if (fd < 0 || fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_size > PASSWD_MAX)
		return -1;
	*text = xmalloc((size_t)st.st_size + 1);
	while (done < (size_t)st.st_size &&
	       (n = read(fd, *text + done, (size_t)st.st_size - done)) > 0)
		done += (size_t)n;
	(*text)[done] = '\0';
	return 0;
}

/* Reads the uid and gid of the files' owner from the site's /etc/passwd:
 * the one its overlay shows while it runs, else the upper layer's or the
 * template base's. */
static int read_web_user(struct ctui_engine *engine, const struct site_www *www, uid_t *uid,
			 gid_t *gid, struct ctui_error *err)
{
	cleanup_free char *text = NULL, *base = NULL;
	cleanup_close int root_fd = open(www->root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	cleanup_close int base_fd = -1;

	if (root_fd >= 0 && read_passwd_at(root_fd, &text) == 0 &&
	    parse_web_user(text, uid, gid) == 0)
		return 0;
	if (!www->running && !text) {
		base = ctui_template_base_dir(&engine->cfg, www->site.template_name,
					      www->site.template_version);
		base_fd = open(base, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (base_fd >= 0 && read_passwd_at(base_fd, &text) == 0 &&
		    parse_web_user(text, uid, gid) == 0)
			return 0;
	}
	return ctui_error_set(err, ENOENT, _("site %s has neither user %s nor %s in its "
					     "/etc/passwd: the deployed files need an owner"),
			      www->site.name, CTUI_SFTP_USER, WEB_USER);
}

/* Creates an empty staging directory with a random name beside html. */
static int make_staging(int www_fd, char *name, size_t size, struct ctui_error *err)
{
	for (int attempt = 0; attempt < 16; attempt++) {
		unsigned int random = 0;

		if (getrandom(&random, sizeof random, 0) != sizeof random)
			random = (unsigned int)getpid() * 2654435761u + (unsigned int)attempt;
		snprintf(name, size, ".html-deploy-%08x", random);
		if (mkdirat(www_fd, name, 0700) == 0)
			return 0;
		if (errno != EEXIST)
			break;
	}
	return ctui_error_errno(err, errno, _("cannot create a staging directory in /%s"), WWW_DIR);
}

/* Fills the staging directory NAME. On a stopped site the directory is
 * marked opaque in the upper layer, so that once it is html it hides the
 * template's /var/www/html, as a directory made through the overlay would. */
static int fill_staging(struct ctui_engine *engine, const struct site_www *www, const char *name,
			const char *source, struct ctui_deploy_result *result,
			struct ctui_error *err)
{
	cleanup_close int fd = openat(www->fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
						     O_CLOEXEC);
	uid_t uid;
	gid_t gid;

	if (fd < 0)
		return ctui_error_errno(err, errno, _("cannot open the staging directory %s"), name);
	if (read_web_user(engine, www, &uid, &gid, err) < 0)
		return -1;
	if (!www->running && fsetxattr(fd, "trusted.overlay.opaque", "y", 1, 0) < 0)
		return ctui_error_errno(err, errno, _("cannot mark the staging directory opaque"));
	if (deploy_extract(source, fd, uid, gid, result, err) < 0)
		return -1;
	if (fchown(fd, uid, gid) < 0 || fchmod(fd, 0755) < 0)
		return ctui_error_errno(err, errno, _("cannot set the owner and mode of the new "
						      "document root"));
	return 0;
}

/* The message for EXDEV from the overlay: without redirect_dir, it moves no
 * directory that merges an upper and a lower one. */
static int fail_merged(const struct site_www *www, struct ctui_error *err)
{
	return ctui_error_set(err, EXDEV, _("the document root of site %s still merges files of "
					    "its template, and the overlay of a running site "
					    "cannot move it: stop the site, deploy, then start it "
					    "(needed once)"), www->site.name);
}

/* Exchanges STAGING with html, then keeps the old html as the previous
 * version, replacing the one kept before. */
static int switch_in(const struct site_www *www, const char *staging, struct ctui_error *err)
{
	struct ctui_error undo = { 0 };

	if (renameat2(www->fd, staging, www->fd, HTML_NAME, RENAME_EXCHANGE) < 0) {
		if (errno == EXDEV)
			return fail_merged(www, err);
		if (errno != ENOENT)
			return ctui_error_errno(err, errno, _("cannot exchange /%s/%s with the new "
							      "tree"), WWW_DIR, HTML_NAME);
		if (renameat2(www->fd, staging, www->fd, HTML_NAME, RENAME_NOREPLACE) < 0)
			return ctui_error_errno(err, errno, _("cannot move the new tree to /%s/%s"),
						WWW_DIR, HTML_NAME);
		return 0;
	}

	/* The new version is live: a failure from here on leaves the old one
	 * under the staging name, and the deploy still succeeded. */
	if (ctui_rm_rf_at(www->fd, PREVIOUS_NAME, PREVIOUS_NAME, &undo) < 0 ||
	    renameat(www->fd, staging, www->fd, PREVIOUS_NAME) < 0)
		ctui_log(LOG_ERR, www->site.name, "cannot keep the previous version as %s: %s",
			 PREVIOUS_NAME, undo.code ? undo.message : strerror(errno));
	return 0;
}

/* SOURCE made absolute: the extraction runs in the staging directory, where
 * a relative name would no longer find it. */
static char *absolute_path(const char *source)
{
	cleanup_free char *cwd = NULL;

	if (source[0] == '/')
		return xstrdup(source);
	cwd = get_current_dir_name();
	return cwd ? xasprintf("%s/%s", cwd, source) : xstrdup(source);
}

static int deploy_locked(struct ctui_engine *engine, const char *name, const char *given,
			 struct ctui_deploy_result *result, struct ctui_error *err)
{
	cleanup_free char *source = absolute_path(given);
	struct site_www www = { .fd = -1 };
	struct ctui_error undo = { 0 };
	char staging[64];
	int ret = -1;

	if (deploy_scan(source, NULL, err) < 0)
		goto out;
	if (site_www_open(engine, name, &www, err) < 0 ||
	    make_staging(www.fd, staging, sizeof staging, err) < 0)
		goto out;

	ret = fill_staging(engine, &www, staging, source, result, err);
	if (ret == 0)
		ret = switch_in(&www, staging, err);
	if (ret < 0 && ctui_rm_rf_at(www.fd, staging, staging, &undo) < 0)
		ctui_log(LOG_ERR, name, "undo: %s", undo.message);
out:
	site_www_close(&www);
	return ret;
}

int ctui_site_deploy(struct ctui_engine *engine, const char *name, const char *source,
		     struct ctui_deploy_result *result, struct ctui_error *err)
{
	int lock, ret = -1;

	if (ctui_validate_name(name, err) < 0)
		return ctui_error_prefix(err, _("cannot deploy"));
	if (engine_authorize(engine, "deploy", name, err) < 0)
		return -1;

	/* The site lock keeps it from starting or stopping meanwhile, so the
	 * root chosen at the start stays the one that Apache serves from. */
	lock = engine_lock(engine, name, err);
	if (lock >= 0) {
		ret = deploy_locked(engine, name, source, result, err);
		engine_unlock(lock);
	}
	if (ret < 0)
		ctui_error_prefix(err, _("cannot deploy %s to site %s"), source, name);
	return engine_finish(engine, "deploy", name, ret, err);
}

static int rollback_locked(struct ctui_engine *engine, const char *name, struct ctui_error *err)
{
	struct site_www www = { .fd = -1 };
	struct stat st;
	int ret = -1;

	if (site_www_open(engine, name, &www, err) < 0)
		goto out;
	if (fstatat(www.fd, PREVIOUS_NAME, &st, AT_SYMLINK_NOFOLLOW) < 0 || !S_ISDIR(st.st_mode)) {
		ctui_error_set(err, ENOENT, _("site %s has no previous version: only a deploy keeps "
					      "one"), name);
		goto out;
	}

	if (renameat2(www.fd, PREVIOUS_NAME, www.fd, HTML_NAME, RENAME_EXCHANGE) == 0)
		ret = 0;
	else if (errno == EXDEV)
		fail_merged(&www, err);
	else
		ctui_error_errno(err, errno, _("cannot exchange /%s/%s with /%s/%s"), WWW_DIR,
				 HTML_NAME, WWW_DIR, PREVIOUS_NAME);
out:
	site_www_close(&www);
	return ret;
}

int ctui_site_rollback(struct ctui_engine *engine, const char *name, struct ctui_error *err)
{
	int lock, ret = -1;

	if (ctui_validate_name(name, err) < 0)
		return ctui_error_prefix(err, _("cannot roll back"));
	if (engine_authorize(engine, "rollback", name, err) < 0)
		return -1;

	lock = engine_lock(engine, name, err);
	if (lock >= 0) {
		ret = rollback_locked(engine, name, err);
		engine_unlock(lock);
	}
	if (ret < 0)
		ctui_error_prefix(err, _("cannot roll back site %s"), name);
	return engine_finish(engine, "rollback", name, ret, err);
}
