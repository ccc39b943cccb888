/* Site templates: TEMPLATE_CONF_DIR/NAME.conf (INI) describes a Debian root
 * filesystem; TEMPLATE_DIR/NAME/VERSION/ contains each built base and
 * TEMPLATE_DIR/NAME/current is a symbolic link to the newest one. */
#ifndef CTUI_TEMPLATE_H
#define CTUI_TEMPLATE_H

#include <stddef.h>

#include "ctui/config.h"
#include "ctui/engine.h"
#include "ctui/error.h"
#include "ctui/site.h"
#include "engine/container.h"

/* Length of a SHA-256 digest in hexadecimal, with its NUL. */
#define CTUI_SHA256_HEX_SIZE 65

struct ctui_template {
	char *name;
	char *conf_path;           /* the NAME.conf it was loaded from */
	char conf_sha256[CTUI_SHA256_HEX_SIZE];  /* of the file's content */
	char *description;
	char *suite;               /* e.g. "bookworm" */
	char *variant;             /* debootstrap --variant, e.g. "minbase" */
	char **packages;           /* NULL-terminated */
	struct ctui_service *services;  /* in start order */
	size_t n_services;
	char **capabilities;       /* NULL-terminated, e.g. "CAP_SETUID" */
	struct ctui_limits limits; /* defaults for new sites */
	char *health_path;         /* HTTP path that start waits for; NULL: "/" */
	unsigned stop_timeout;     /* seconds per stop step; 0: ctui.conf's stop_timeout */
};

/* Loads TEMPLATE_CONF_DIR/NAME.conf, in the format doc/templates.md
 * describes. Errors name the file, line and key ("PATH:LINE: message"). On
 * failure TPL contains nothing to free. */
int ctui_template_load(const struct ctui_config *cfg, const char *name,
		       struct ctui_template *tpl, struct ctui_error *err);

/* Same as ctui_template_load() with the path of the file given directly.
 * NAME is the template's name (the file's base name without ".conf"). */
int ctui_template_load_file(const char *path, const char *name, struct ctui_template *tpl,
			    struct ctui_error *err);

void ctui_template_free(struct ctui_template *tpl);

/* The longest ctui-init can take to stop a site of TPL, in seconds, when
 * each of its stop steps lasts STOP_TIMEOUT seconds (the template's own
 * stop_timeout wins over it): per service, the stop command and the wait
 * after it, the wait after SIGTERM, and 2 s after SIGKILL. */
unsigned ctui_template_stop_seconds(const struct ctui_template *tpl, unsigned stop_timeout);

/* The current built version of NAME and its base directory. Fails with ENOENT
 * and a message suggesting `ctui template build NAME` when never built. The
 * caller frees both strings. */
int ctui_template_current(const struct ctui_config *cfg, const char *name, char **version,
			  char **base_dir, struct ctui_error *err);

/* The base directory of NAME at VERSION; the caller frees it. */
char *ctui_template_base_dir(const struct ctui_config *cfg, const char *name, const char *version);

/* Runs debootstrap into TEMPLATE_DIR/NAME/.build-VERSION, configures Apache
 * inside for one small site, removes the package caches and the files each
 * site writes itself, renames the directory to VERSION and then switches
 * `current` to it with an atomic rename. VERSION is the UTC time of the build
 * (20261204T203000Z, with "-2", "-3"... when taken). A failed build removes
 * its directory and leaves `current` as it was. Older versions are kept,
 * because sites created from them still use them as their lower layer.
 * PROGRESS (may be NULL) gets one line per step and each debootstrap line. */
int ctui_template_build_base(const struct ctui_config *cfg, const char *name,
			     ctui_progress_fn progress, void *ctx, struct ctui_error *err);

/* Describes every NAME.conf in TEMPLATE_CONF_DIR, sorted by name. The caller
 * frees *LIST. A file that does not load is still listed: its description is
 * the error, so one broken file does not hide the others. Fails only when
 * the directory cannot be read. */
int ctui_template_list_all(const struct ctui_config *cfg, struct ctui_template_info **list,
			   size_t *count, struct ctui_error *err);

#endif
