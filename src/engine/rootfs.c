#include "engine/rootfs.h"

#include <arpa/inet.h>
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
		       struct ctui_rootfs_paths *paths)
{
	paths->dir = xasprintf("%s/sites/%s", cfg->state_dir, site);
	paths->upper = xasprintf("%s/upper", paths->dir);
	paths->work = xasprintf("%s/work", paths->dir);
	paths->root = xasprintf("%s/root", paths->dir);
}

void ctui_rootfs_paths_free(struct ctui_rootfs_paths *paths)
{
	free(paths->dir);
	free(paths->upper);
	free(paths->work);
	free(paths->root);
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

static int write_identity(const struct ctui_rootfs_paths *paths, const char *site,
			  const char *domain, uint32_t ipv4, uint32_t gateway, struct ctui_error *err)
{
	static const char *const dirs[] = {
		"etc", "etc/apache2", "var", "var/www", "var/www/html",
	};
	cleanup_free char *remoteip = remoteip_conf(gateway);
	cleanup_free char *hostname = xasprintf("%s\n", domain);
	cleanup_free char *hosts = hosts_text(site, domain, ipv4);
	cleanup_free char *page = index_html(site, domain);
	cleanup_free char *html = xasprintf("%s/var/www/html", paths->upper);

	for (size_t i = 0; i < sizeof dirs / sizeof dirs[0]; i++) {
		cleanup_free char *dir = xasprintf("%s/%s", paths->upper, dirs[i]);

		if (make_dir(dir, 0755, err) < 0)
			return -1;
	}
	/* An opaque document root hides the template's default page, and the
	 * overlay of a running site can then move it, which a deploy needs:
	 * without redirect_dir it moves no directory that merges two layers. */
	if (lsetxattr(html, "trusted.overlay.opaque", "y", 1, 0) < 0)
		return ctui_error_errno(err, errno, _("cannot mark %s opaque"), html);
	if (write_upper_file(paths->upper, "etc/hostname", hostname, err) < 0 ||
	    write_upper_file(paths->upper, "etc/hosts", hosts, err) < 0 ||
	    write_upper_file(paths->upper, "etc/resolv.conf", resolv_conf, err) < 0 ||
	    write_upper_file(paths->upper, "var/www/html/index.html", page, err) < 0 ||
	    write_upper_file(paths->upper, "etc/apache2/ctui-proxy.conf", remoteip, err) < 0)
		return -1;
	return 0;
}

int ctui_rootfs_create(const struct ctui_config *cfg, const char *site, const char *domain,
		       uint32_t ipv4, struct ctui_error *err)
{
	cleanup_free char *sites_dir = NULL;
	struct ctui_rootfs_paths paths;
	struct ctui_error cleanup_err;
	int ret = -1;

	/* The site name becomes a path component: anything but a DNS label could
	 * climb out of STATE_DIR/sites. */
	if (ctui_validate_name(site, err) < 0 || check_domain_text(domain, err) < 0)
		return -1;

	sites_dir = xasprintf("%s/sites", cfg->state_dir);
	if (ctui_mkdir_p(sites_dir, 0755, err) < 0)
		return ctui_error_prefix(err, _("create the files of site %s"), site);

	ctui_rootfs_paths(cfg, site, &paths);
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
	else if (make_dir(paths.upper, 0755, err) == 0 && make_dir(paths.work, 0700, err) == 0 &&
		 make_dir(paths.root, 0755, err) == 0 &&
		 write_identity(&paths, site, domain, ipv4, cfg->gateway, err) == 0)
		ret = 0;

	/* The cleanup's own error is logged: the caller sees the first one. */
	if (ret < 0 && ctui_rm_rf(paths.dir, &cleanup_err) < 0)
		ctui_log(LOG_ERR, site, _("cannot undo a failed creation: %s"), cleanup_err.message);
out:
	ctui_rootfs_paths_free(&paths);
	if (ret < 0)
		ctui_error_prefix(err, _("create the files of site %s"), site);
	return ret;
}

int ctui_rootfs_destroy(const struct ctui_config *cfg, const char *site, struct ctui_error *err)
{
	struct ctui_rootfs_paths paths;
	int ret;

	if (ctui_validate_name(site, err) < 0)
		return -1;

	ctui_rootfs_paths(cfg, site, &paths);
	ret = ctui_rm_rf(paths.dir, err);
	ctui_rootfs_paths_free(&paths);
	if (ret < 0)
		return ctui_error_prefix(err, _("remove the files of site %s"), site);
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

int ctui_rootfs_adopt(const struct ctui_config *cfg, const char *site, const char *domain,
		      uint32_t ipv4, const char *staging, struct ctui_error *err)
{
	struct ctui_rootfs_paths paths;
	struct ctui_error cleanup_err;
	int ret = -1;

	if (ctui_validate_name(site, err) < 0 || check_domain_text(domain, err) < 0)
		return -1;

	ctui_rootfs_paths(cfg, site, &paths);
	if (renameat2(AT_FDCWD, staging, AT_FDCWD, paths.dir, RENAME_NOREPLACE) < 0) {
		ctui_error_errno(err, errno, errno == EEXIST ?
				 _("the directory %s exists already: destroy the old site first, or remove it by hand if no site uses it") :
				 _("cannot move the restored files to %s"), paths.dir);
		goto out;
	}

	ret = write_network_identity(&paths, site, domain, ipv4, err);
	if (ret < 0 && ctui_rm_rf(paths.dir, &cleanup_err) < 0)
		ctui_log(LOG_ERR, site, _("cannot undo a failed restore: %s"), cleanup_err.message);
out:
	ctui_rootfs_paths_free(&paths);
	if (ret < 0)
		ctui_error_prefix(err, _("restore the files of site %s"), site);
	return ret;
}
