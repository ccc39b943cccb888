/* Reading what a deploy installs: a directory or an archive, checked entry
 * by entry in a first pass and extracted in a second one. */
#ifndef CTUI_ENGINE_DEPLOY_H
#define CTUI_ENGINE_DEPLOY_H

#include <sys/types.h>

#include "ctui/deploy.h"

/* Reads every entry of SOURCE and checks it (see ctui_site_deploy()), without
 * writing anything. Fails with ENOENT for a missing SOURCE and with ENODATA
 * when SOURCE contains no file, directory or link. */
int deploy_scan(const char *source, struct ctui_deploy_result *result, struct ctui_error *err);

/* Extracts SOURCE, which deploy_scan() accepted, into the empty directory
 * DIR_FD, with every entry owned by UID:GID and only the permission bits
 * kept from the source. Extended attributes and ACLs are not extracted: in
 * a stopped site's upper layer, a trusted.overlay.* attribute would change
 * what the overlay shows. */
int deploy_extract(const char *source, int dir_fd, uid_t uid, gid_t gid,
		   struct ctui_deploy_result *result, struct ctui_error *err);

#endif
