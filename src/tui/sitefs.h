/* Changing a site's files from the host. The site controls everything below
 * its root and may have planted symbolic links there (a link through
 * /proc/PID/root would even resolve against the host's root), so no link is
 * ever followed; directories are opened with ctui_open_dir_nofollow(). */
#ifndef CTUI_TUI_SITEFS_H
#define CTUI_TUI_SITEFS_H

#include <stdbool.h>

#include "ctui/error.h"

/* Checks NAME as one entry of a directory: not empty, not "." or "..",
 * no '/', no control character, at most NAME_MAX bytes. */
int tui_check_file_name(const char *name, struct ctui_error *err);

/* The operations of the file browser, on NAME in the directory DIR_FD.
 * Names are checked first, links are never followed, and a new entry gets
 * the owner of DIR_FD. A rename never replaces an existing entry, and a
 * directory is deleted with everything in it. */
int tui_site_create(int dir_fd, const char *name, bool directory, struct ctui_error *err);
int tui_site_rename(int dir_fd, const char *from, const char *to, struct ctui_error *err);
int tui_site_delete(int dir_fd, const char *name, struct ctui_error *err);

#endif
