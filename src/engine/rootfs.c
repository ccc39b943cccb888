#include "engine/rootfs.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "ctui/site.h"
#include "ctui/validate.h"
#include "engine/log.h"
#include "util/fs.h"
#include "util/util.h"

/* No DNS server listens on the container's loopback, so a lookup fails at
 * once instead of stalling Apache for the resolver's timeouts. The names a
 * site needs are in its /etc/hosts. */
static const char resolv_conf[] =
	"# Written by ctui. Nothing answers here: lookups fail fast, and this\n"
	"# site's own names are in /etc/hosts.\n"
	"nameserver 127.0.0.1\n"
	"options timeout:1 attempts:1\n";

void ctui_rootfs_paths(const struct ctui_config *cfg, const char *site,
		       enum ctui_storage storage, struct ctui_rootfs_paths *paths)
{
	const char *layers;

	paths->dir = xasprintf("%s/sites/%s", cfg->state_dir, site);
	paths->image = xasprintf("%s/disk.img", paths->dir);
	paths->mount = xasprintf("%s/image", paths->dir);
	layers = storage == CTUI_STORAGE_IMAGE ? paths->mount : paths->dir;
	paths->upper = xasprintf("%s/upper", layers);
	paths->work = xasprintf("%s/work", layers);
	paths->root = xasprintf("%s/root", paths->dir);
}

void ctui_rootfs_paths_free(struct ctui_rootfs_paths *paths)
{
	free(paths->dir);
	free(paths->upper);
	free(paths->work);
	free(paths->root);
	free(paths->image);
	free(paths->mount);
	*paths = (struct ctui_rootfs_paths){ .dir = NULL };
}

/* The domain goes into /etc/hosts and /etc/hostname, where white space or a
 * line break would change the file's meaning. */
static int check_domain_text(const char *domain, struct ctui_error *err)
{
	size_t len = strlen(domain);

	if (len == 0 || len > CTUI_DOMAIN_MAX)
		return ctui_error_set(err, EINVAL, _("invalid domain \"%s\": expected 1 to %d bytes"),
				      domain, CTUI_DOMAIN_MAX);
	for (const char *c = domain; *c; c++) {
		if ((unsigned char)*c <= ' ' || *c == 0x7f)
			return ctui_error_set(err, EINVAL, _("invalid domain \"%s\": it contains white space or a control character"),
					      domain);
	}
	return 0;
}

/* Creates DIR with exactly MODE (mkdir() would apply the umask), owned by root. */
static int make_dir(const char *dir, mode_t mode, struct ctui_error *err)
{
	if (mkdir(dir, mode) < 0)
		return ctui_error_errno(err, errno, _("cannot create directory %s"), dir);
	if (chmod(dir, mode) < 0 || chown(dir, 0, 0) < 0)
		return ctui_error_errno(err, errno, _("cannot set the owner and mode of %s"), dir);
	return 0;
}

/* Like make_dir, but a directory that exists (as in a copy of the base)
 * is kept as it is. */
static int ensure_dir(const char *dir, mode_t mode, struct ctui_error *err)
{
	struct stat st;

	if (lstat(dir, &st) == 0) {
		if (!S_ISDIR(st.st_mode))
			return ctui_error_set(err, EEXIST, _("%s exists and is not a directory"), dir);
		return 0;
	}
	return make_dir(dir, mode, err);
}

static int write_upper_file(const char *upper, const char *relative, const char *content,
			    struct ctui_error *err)
{
	cleanup_free char *path = xasprintf("%s/%s", upper, relative);

	if (ctui_write_file_atomic(path, content, strlen(content), 0644, err) < 0)
		return -1;
	if (chown(path, 0, 0) < 0)
		return ctui_error_errno(err, errno, _("cannot set the owner of %s"), path);
	return 0;
}

/* Copies TEXT with &, <, >, " and ' replaced by character references. */
static char *html_escape(const char *text)
{
	char *out = xmalloc(6 * strlen(text) + 1);
	char *o = out;

	for (const char *c = text; *c; c++) {
		const char *ref = NULL;

		switch (*c) {
		case '&': ref = "&amp;"; break;
		case '<': ref = "&lt;"; break;
		case '>': ref = "&gt;"; break;
		case '"': ref = "&quot;"; break;
		case '\'': ref = "&#39;"; break;
		default: *o++ = *c; continue;
		}
		o = stpcpy(o, ref);
	}
	*o = '\0';
	return out;
}

/* The page a new site serves until its owner replaces it. It is in English,
 * matching its lang attribute, whatever the administrator's locale. */
static char *index_html(const char *site, const char *domain)
{
	cleanup_free char *name = html_escape(site);
	cleanup_free char *host = html_escape(domain);

	return xasprintf("<!DOCTYPE html>\n"
			 "<html lang=\"en\">\n"
			 "<head>\n"
			 "<meta charset=\"utf-8\">\n"
			 "<title>%s</title>\n"
			 "</head>\n"
			 "<body>\n"
			 "<h1>%s</h1>\n"
			 "<p>This is the site %s at %s, served from its own container.</p>\n"
			 "<p>Replace this page with the site's content in /var/www/html.</p>\n"
			 "</body>\n"
			 "</html>\n",
			 host, host, name, host);
}

/* mod_remoteip in the site's Apache (see template_build.c): the client
 * address comes from X-Forwarded-For only on requests from the bridge
 * gateway, where the host's Apache connects from. */
static char *remoteip_conf(uint32_t gateway)
{
	struct in_addr addr = { .s_addr = htonl(gateway) };
	char address[INET_ADDRSTRLEN];

	inet_ntop(AF_INET, &addr, address, sizeof address);
	return xasprintf("# Written by ctui: trust X-Forwarded-For from the host's reverse "
			 "proxy only.\n"
			 "<IfModule remoteip_module>\n"
			 "\tRemoteIPHeader X-Forwarded-For\n"
			 "\tRemoteIPInternalProxy %s\n"
			 "</IfModule>\n",
			 address);
}

/* Writes the site's identity into its upper layer. The directories get the
 * base's owner and mode (root, 0755): in the overlay an upper directory hides
 * the attributes of the lower one. */
static char *hosts_text(const char *site, const char *domain, uint32_t ipv4)
{
	struct in_addr addr = { .s_addr = htonl(ipv4) };
	char address[INET_ADDRSTRLEN];

	inet_ntop(AF_INET, &addr, address, sizeof address);
	return xasprintf("127.0.0.1\tlocalhost\n"
			 "::1\tlocalhost ip6-localhost ip6-loopback\n"
			 "%s\t%s %s\n",
			 address, domain, site);
}

static int write_identity(const struct ctui_rootfs_paths *paths, const struct ctui_site *site,
			  uint32_t gateway, struct ctui_error *err)
{
	static const char *const dirs[] = {
		"etc", "etc/apache2", "var", "var/www", "var/www/html",
	};
	cleanup_free char *remoteip = remoteip_conf(gateway);
	cleanup_free char *hostname = xasprintf("%s\n", site->domain);
	cleanup_free char *hosts = hosts_text(site->name, site->domain, site->ipv4);
	cleanup_free char *page = index_html(site->name, site->domain);
	cleanup_free char *html = xasprintf("%s/var/www/html", paths->upper);

	for (size_t i = 0; i < sizeof dirs / sizeof dirs[0]; i++) {
		cleanup_free char *dir = xasprintf("%s/%s", paths->upper, dirs[i]);

		if (ensure_dir(dir, 0755, err) < 0)
			return -1;
	}
	/* An opaque document root hides the template's default page, and the
	 * overlay of a running site can then move it, which a deploy needs:
	 * without redirect_dir it moves no directory that merges two layers.
	 * A copy site has no overlay. */
	if (site->storage != CTUI_STORAGE_COPY &&
	    lsetxattr(html, "trusted.overlay.opaque", "y", 1, 0) < 0)
		return ctui_error_errno(err, errno, _("cannot mark %s opaque"), html);
	if (write_upper_file(paths->upper, "etc/hostname", hostname, err) < 0 ||
	    write_upper_file(paths->upper, "etc/hosts", hosts, err) < 0 ||
	    write_upper_file(paths->upper, "etc/resolv.conf", resolv_conf, err) < 0 ||
	    write_upper_file(paths->upper, "var/www/html/index.html", page, err) < 0 ||
	    write_upper_file(paths->upper, "etc/apache2/ctui-proxy.conf", remoteip, err) < 0)
		return -1;
	return 0;
}

/* Removes the device nodes that debootstrap leaves in DEV: the container
 * mounts its own /dev over them, and backups reject device nodes. */
static int empty_dev(const char *dev, struct ctui_error *err)
{
	DIR *dir = opendir(dev);
	struct dirent *de;
	int ret = 0;

	if (!dir)
		return errno == ENOENT ? 0 : ctui_error_errno(err, errno, _("cannot read %s"), dev);
	while (ret == 0 && (de = readdir(dir))) {
		cleanup_free char *path = NULL;

		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		path = xasprintf("%s/%s", dev, de->d_name);
		ret = ctui_rm_rf(path, err);
	}
	closedir(dir);
	return ret;
}

/* Copies BASE into UPPER with cp -a: owners, modes, times, links and
 * extended attributes (file capabilities among them). */
static int copy_base(const char *base, const char *upper, struct ctui_error *err)
{
	cleanup_free char *source = xasprintf("%s/.", base);
	cleanup_free char *dev = xasprintf("%s/dev", upper);
	const char *const cp[] = { "cp", "-a", "--reflink=auto", source, upper, NULL };

	if (rootfs_run(cp, err) < 0)
		return ctui_error_prefix(err, _("cannot copy the template base %s"), base);
	return empty_dev(dev, err);
}

/* Creates an image of SIZE bytes and mounts it with empty upper and work
 * directories; the caller unmounts it. */
static int make_image(const struct ctui_config *cfg, const struct ctui_site *site,
		      const struct ctui_rootfs_paths *paths, bool with_upper, struct ctui_error *err)
{
	bool mounted;

	if (make_dir(paths->mount, 0755, err) < 0 ||
	    rootfs_image_create(paths->image, site->limits.disk, err) < 0 ||
	    ctui_rootfs_mount(cfg, site, &mounted, err) < 0)
		return -1;
	if (with_upper && make_dir(paths->upper, 0755, err) < 0)
		return -1;
	return make_dir(paths->work, 0700, err);
}

/* Creates the layers of SITE's storage in PATHS->dir. */
static int make_layers(const struct ctui_config *cfg, const struct ctui_site *site,
		       const char *base, const struct ctui_rootfs_paths *paths,
		       struct ctui_error *err)
{
	if (make_dir(paths->root, 0755, err) < 0)
		return -1;

	switch (site->storage) {
	case CTUI_STORAGE_OVERLAY:
		if (make_dir(paths->upper, 0755, err) < 0)
			return -1;
		return make_dir(paths->work, 0700, err);
	case CTUI_STORAGE_COPY:
		if (make_dir(paths->upper, 0755, err) < 0)
			return -1;
		return copy_base(base, paths->upper, err);
	case CTUI_STORAGE_IMAGE:
		return make_image(cfg, site, paths, true, err);
	}
	return ctui_error_set(err, EINVAL, _("unknown storage %d"), (int)site->storage);
}

int ctui_rootfs_create(const struct ctui_config *cfg, const struct ctui_site *site,
		       const char *base, struct ctui_error *err)
{
	cleanup_free char *sites_dir = NULL;
	struct ctui_rootfs_paths paths;
	struct ctui_error cleanup_err;
	int ret = -1;

	/* The site name becomes a path component: anything but a DNS label could
	 * climb out of STATE_DIR/sites. */
	if (ctui_validate_name(site->name, err) < 0 || check_domain_text(site->domain, err) < 0)
		return -1;

	sites_dir = xasprintf("%s/sites", cfg->state_dir);
	if (ctui_mkdir_p(sites_dir, 0755, err) < 0)
		return ctui_error_prefix(err, _("create the files of site %s"), site->name);

	ctui_rootfs_paths(cfg, site->name, site->storage, &paths);
	if (mkdir(paths.dir, 0700) < 0) {
		ctui_error_errno(err, errno, errno == EEXIST ?
				 _("the directory %s exists already: destroy the old site first, or remove it by hand if no site uses it") :
				 _("cannot create directory %s"), paths.dir);
		goto out;
	}

	/* The upper directory becomes the container's "/", so it needs the mode
	 * of a root directory. Only the site's own directory is closed to others. */
	if (chmod(paths.dir, 0700) < 0 || chown(paths.dir, 0, 0) < 0)
		ctui_error_errno(err, errno, _("cannot set the owner and mode of %s"), paths.dir);
	else if (make_layers(cfg, site, base, &paths, err) == 0 &&
		 write_identity(&paths, site, cfg->gateway, err) == 0)
		ret = 0;

	/* The image is mounted only while ctui works on it or the site runs.
	 * The cleanup's own errors are logged: the caller sees the first one. */
	if (ctui_rootfs_unmount(cfg, site, &cleanup_err) < 0) {
		ctui_log(LOG_ERR, site->name, "%s", cleanup_err.message);
		ret = -1;
		*err = cleanup_err;
	}
	if (ret < 0 && ctui_rm_rf(paths.dir, &cleanup_err) < 0)
		ctui_log(LOG_ERR, site->name, _("cannot undo a failed creation: %s"), cleanup_err.message);
out:
	ctui_rootfs_paths_free(&paths);
	if (ret < 0)
		ctui_error_prefix(err, _("create the files of site %s"), site->name);
	return ret;
}

int ctui_rootfs_destroy(const struct ctui_config *cfg, const struct ctui_site *site,
			struct ctui_error *err)
{
	struct ctui_rootfs_paths paths;
	int ret;

	if (ctui_validate_name(site->name, err) < 0)
		return -1;

	ctui_rootfs_paths(cfg, site->name, site->storage, &paths);
	ret = ctui_rootfs_unmount(cfg, site, err);
	if (ret == 0)
		ret = ctui_rm_rf(paths.dir, err);
	ctui_rootfs_paths_free(&paths);
	if (ret < 0)
		return ctui_error_prefix(err, _("remove the files of site %s"), site->name);
	return 0;
}

/* Rewrites /etc/hostname and /etc/hosts of an upper layer that came from
 * elsewhere. The upper layer's etc must be a real directory: a symbolic
 * link there would make ctui write outside the site. */
static int write_network_identity(const struct ctui_rootfs_paths *paths, const char *site,
				  const char *domain, uint32_t ipv4, struct ctui_error *err)
{
	cleanup_free char *etc = xasprintf("%s/etc", paths->upper);
	cleanup_free char *hostname = xasprintf("%s\n", domain);
	cleanup_free char *hosts = hosts_text(site, domain, ipv4);
	struct stat st;

	if (lstat(etc, &st) < 0) {
		if (errno != ENOENT)
			return ctui_error_errno(err, errno, _("cannot examine %s"), etc);
		if (make_dir(etc, 0755, err) < 0)
			return -1;
	} else if (!S_ISDIR(st.st_mode)) {
		return ctui_error_set(err, EPERM, _("%s is not a directory: the site's files are "
						    "not a root filesystem"), etc);
	}
	if (write_upper_file(paths->upper, "etc/hostname", hostname, err) < 0 ||
	    write_upper_file(paths->upper, "etc/hosts", hosts, err) < 0)
		return -1;
	return 0;
}

/* Moves the restored layers DIR/upper and DIR/work of an image site into
 * a new image, where PATHS expects them. */
static int move_into_image(const struct ctui_config *cfg, const struct ctui_site *site,
			   const struct ctui_rootfs_paths *paths, struct ctui_error *err)
{
	cleanup_free char *upper = xasprintf("%s/upper", paths->dir);
	cleanup_free char *work = xasprintf("%s/work", paths->dir);
	const char *const cp[] = { "cp", "-a", upper, paths->upper, NULL };
	struct ctui_error undo;
	int ret;

	ret = make_image(cfg, site, paths, false, err);
	if (ret == 0 && rootfs_run(cp, err) < 0)
		ret = ctui_error_prefix(err, _("cannot copy the restored files into %s"),
					paths->image);
	if (ctui_rootfs_unmount(cfg, site, ret < 0 ? &undo : err) < 0)
		ret = -1;
	if (ret == 0 && (ctui_rm_rf(upper, err) < 0 || ctui_rm_rf(work, err) < 0))
		ret = -1;
	return ret;
}

int ctui_rootfs_adopt(const struct ctui_config *cfg, const struct ctui_site *site,
		      const char *staging, struct ctui_error *err)
{
	struct ctui_rootfs_paths paths, staged;
	struct ctui_error cleanup_err;
	int ret = -1;

	if (ctui_validate_name(site->name, err) < 0 || check_domain_text(site->domain, err) < 0)
		return -1;

	ctui_rootfs_paths(cfg, site->name, site->storage, &paths);
	ctui_rootfs_paths(cfg, site->name, CTUI_STORAGE_OVERLAY, &staged);
	if (renameat2(AT_FDCWD, staging, AT_FDCWD, paths.dir, RENAME_NOREPLACE) < 0) {
		ctui_error_errno(err, errno, errno == EEXIST ?
				 _("the directory %s exists already: destroy the old site first, or remove it by hand if no site uses it") :
				 _("cannot move the restored files to %s"), paths.dir);
		goto out;
	}

	ret = write_network_identity(&staged, site->name, site->domain, site->ipv4, err);
	if (ret == 0 && site->storage == CTUI_STORAGE_IMAGE)
		ret = move_into_image(cfg, site, &paths, err);
	if (ret < 0 && ctui_rm_rf(paths.dir, &cleanup_err) < 0)
		ctui_log(LOG_ERR, site->name, _("cannot undo a failed restore: %s"), cleanup_err.message);
out:
	ctui_rootfs_paths_free(&paths);
	ctui_rootfs_paths_free(&staged);
	if (ret < 0)
		ctui_error_prefix(err, _("restore the files of site %s"), site->name);
	return ret;
}
