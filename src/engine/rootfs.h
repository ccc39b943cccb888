/* A site's own files: STATE_DIR/sites/NAME/{upper,work,root}. The overlay is
 * mounted only inside the container's mount namespace; at creation the site's
 * identity files are written straight into the upper directory. */
#ifndef CTUI_ROOTFS_H
#define CTUI_ROOTFS_H

#include <stdint.h>

#include "ctui/config.h"
#include "ctui/error.h"

struct ctui_rootfs_paths {
	char *dir, *upper, *work, *root;
};

void ctui_rootfs_paths(const struct ctui_config *cfg, const char *site,
		       struct ctui_rootfs_paths *paths);
void ctui_rootfs_paths_free(struct ctui_rootfs_paths *paths);

/* Creates the directories and writes /etc/hostname, /etc/hosts,
 * /etc/resolv.conf and /var/www/html/index.html (a page naming the site)
 * into the upper layer. An existing site directory is an error (EEXIST). */
int ctui_rootfs_create(const struct ctui_config *cfg, const char *site, const char *domain,
		       uint32_t ipv4, struct ctui_error *err);

/* Moves STAGING (holding upper, work and root, on the same file system) to
 * the site directory, then rewrites /etc/hostname and /etc/hosts in upper
 * for DOMAIN and IPV4. An existing site directory is an error (EEXIST); a
 * failure after the move removes the site directory. */
int ctui_rootfs_adopt(const struct ctui_config *cfg, const char *site, const char *domain,
		      uint32_t ipv4, const char *staging, struct ctui_error *err);

/* Removes the site directory, refusing to cross a mount point. */
int ctui_rootfs_destroy(const struct ctui_config *cfg, const char *site, struct ctui_error *err);

#endif
