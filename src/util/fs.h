/* File-system helpers used by the engine. All report through struct ctui_error. */
#ifndef CTUI_FS_H
#define CTUI_FS_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "ctui/error.h"

/* Creates PATH and its missing parents with MODE; an existing directory is fine. */
int ctui_mkdir_p(const char *path, mode_t mode, struct ctui_error *err);

/* Writes LEN bytes to PATH through a temporary file in the same directory,
 * fsync and rename, so readers see the old or the new content, never a mix. */
int ctui_write_file_atomic(const char *path, const void *data, size_t len, mode_t mode,
			   struct ctui_error *err);

/* Reads the whole of PATH into a NUL-terminated buffer the caller frees. */
int ctui_read_file(const char *path, char **data, size_t *len, struct ctui_error *err);

/* Removes PATH recursively without following symbolic links and without
 * crossing into another mounted file system. A missing PATH is not an error. */
int ctui_rm_rf(const char *path, struct ctui_error *err);

/* Like ctui_rm_rf() for NAME in the directory PARENT; SHOWN names it in
 * messages. */
int ctui_rm_rf_at(int parent, const char *name, const char *shown, struct ctui_error *err);

bool ctui_path_exists(const char *path);

/* Whether PATH (relative, '/'-separated) has no empty, "." or ".."
 * component. One trailing '/' is allowed, as tar writes directories. */
bool ctui_path_is_clean(const char *path);

/* Opens the directory RELATIVE ("var/www/html") below ROOT, one component
 * at a time with O_NOFOLLOW, and returns its descriptor. For a site's files,
 * where the site may have planted symbolic links (a link through
 * /proc/PID/root would resolve against the host's root). */
int ctui_open_dir_nofollow(const char *root, const char *relative, struct ctui_error *err);

#endif
