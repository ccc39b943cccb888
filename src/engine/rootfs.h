/* A site's own files in STATE_DIR/sites/NAME, by storage:
 * - overlay: upper and work, the overlay's writable layer on the template
 *   base, and root, the mount point inside the container;
 * - copy: upper contains a private copy of the whole base (cp -a), which
 *   the container bind-mounts on root;
 * - image: disk.img, an ext4 image mounted on image/ while the site runs or
 *   ctui works on its files, holding image/upper and image/work.
 * The overlay (or bind mount) is mounted only inside the container's mount
 * namespace; at creation the site's identity files are written straight
 * into the upper directory. */
#ifndef CTUI_ROOTFS_H
#define CTUI_ROOTFS_H

#include <stdbool.h>
#include <stdint.h>

#include "ctui/config.h"
#include "ctui/error.h"
#include "ctui/site.h"

struct ctui_rootfs_paths {
	char *dir, *upper, *work, *root;
	char *image;              /* DIR/disk.img */
	char *mount;              /* DIR/image, where the image is mounted */
};

void ctui_rootfs_paths(const struct ctui_config *cfg, const char *site,
		       enum ctui_storage storage, struct ctui_rootfs_paths *paths);
void ctui_rootfs_paths_free(struct ctui_rootfs_paths *paths);

/* Creates SITE's files for its storage: the directories, a copy of BASE
 * (copy storage) or an ext4 image of SITE->limits.disk bytes (image
 * storage, left unmounted), and /etc/hostname, /etc/hosts,
 * /etc/resolv.conf and /var/www/html/index.html (a page naming the site)
 * in the upper directory. An existing site directory is an error (EEXIST);
 * on failure nothing is left. */
int ctui_rootfs_create(const struct ctui_config *cfg, const struct ctui_site *site,
		       const char *base, struct ctui_error *err);

/* Moves STAGING (holding upper, work and root, on the same file system) to
 * the site directory, then rewrites /etc/hostname and /etc/hosts in upper
 * for SITE's domain and address. For image storage, upper and work then
 * move into a new image of SITE->limits.disk bytes. An existing site
 * directory is an error (EEXIST); a failure after the move removes the
 * site directory. */
int ctui_rootfs_adopt(const struct ctui_config *cfg, const struct ctui_site *site,
		      const char *staging, struct ctui_error *err);

/* Unmounts an image that is still mounted, then removes the site directory,
 * refusing to cross a mount point. */
int ctui_rootfs_destroy(const struct ctui_config *cfg, const struct ctui_site *site,
			struct ctui_error *err);

/* Whether a file system other than its parent's is mounted on DIR. */
bool ctui_rootfs_is_mounted(const char *dir);

/* Mounts an image site's disk on its image directory unless it is mounted
 * already. *MOUNTED is set when this call mounted it. Other storage needs
 * no mount, and then nothing is done. */
int ctui_rootfs_mount(const struct ctui_config *cfg, const struct ctui_site *site,
		      bool *mounted, struct ctui_error *err);

/* Unmounts an image site's disk when it is mounted on the host; the loop
 * device goes with the last mount. Does nothing for other storage. */
int ctui_rootfs_unmount(const struct ctui_config *cfg, const struct ctui_site *site,
			struct ctui_error *err);

/* Grows the image of SITE to SIZE bytes and its ext4 file system with it.
 * While the site runs, resize2fs resizes it online, which ext4 allows only
 * with CAP_SYS_RESOURCE: without it this fails with EPERM before any
 * change. While the site is stopped, e2fsck and resize2fs work offline.
 * The caller checks that SIZE is larger. */
int ctui_rootfs_grow(const struct ctui_config *cfg, const struct ctui_site *site, uint64_t size,
		     struct ctui_error *err);

/* Creates IMAGE (it must not exist) with SIZE bytes and an empty ext4 file
 * system owned by root. For rootfs.c. */
int rootfs_image_create(const char *image, uint64_t size, struct ctui_error *err);

/* Runs the command ARGV (NULL-terminated, no shell), failing with its exit
 * status and last output lines. For rootfs.c. */
int rootfs_run(const char *const argv[], struct ctui_error *err);

#endif
