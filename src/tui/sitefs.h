/* Opening a site's files from the host. The site controls everything below
 * its root and may have planted symbolic links there (a link through
 * /proc/PID/root would even resolve against the host's root), so every
 * component is opened without following links. */
#ifndef CTUI_TUI_SITEFS_H
#define CTUI_TUI_SITEFS_H

#include "ctui/error.h"

/* Opens the directory RELATIVE ("var/www/html") below ROOT, one component
 * at a time with O_NOFOLLOW. Returns the directory's descriptor. */
int tui_open_site_dir(const char *root, const char *relative, struct ctui_error *err);

#endif
