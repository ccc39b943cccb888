/* Deploys: a site's document root (/var/www/html inside the site) replaced
 * whole from a directory or an archive, with the previous version kept for
 * a rollback. doc/deploy.md describes the rules. */
#ifndef CTUI_DEPLOY_H
#define CTUI_DEPLOY_H

#include <stdint.h>

#include "ctui/engine.h"
#include "ctui/error.h"

/* The counts of entries and bytes that a deploy wrote. */
struct ctui_deploy_result {
	uint64_t entries;           /* files, directories and links */
	uint64_t bytes;             /* content of the regular files */
};

/* Replaces NAME's document root with SOURCE: a directory, or an archive in
 * any format and compression that libarchive reads (tar, zip, cpio, 7z...).
 * Every entry is checked before anything is written. The first entry with
 * an absolute path, a ".." component, a device node, a FIFO, a socket, a
 * setuid or setgid bit, a symbolic link leading out of the document root or
 * a hard link to anything but an earlier file of the archive fails the
 * deploy (EPERM), and the message names it. The new tree is written beside the document
 * root, owned by the site's www-data user, and exchanged with it in one
 * renameat2(RENAME_EXCHANGE), on a running site through its overlay, so that
 * Apache serves either the whole old or the whole new tree. The old tree
 * becomes the previous version, replacing the one kept before. RESULT (may
 * be NULL) receives the counts. */
int ctui_site_deploy(struct ctui_engine *engine, const char *name, const char *source,
		     struct ctui_deploy_result *result, struct ctui_error *err);

/* Exchanges NAME's document root with its previous version in one rename,
 * so a second rollback brings the deployed version back. Fails with ENOENT
 * when no deploy has kept a previous version. */
int ctui_site_rollback(struct ctui_engine *engine, const char *name, struct ctui_error *err);

#endif
