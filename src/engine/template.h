/* Site templates: TEMPLATE_CONF_DIR/NAME.conf (INI) describes a Debian root
 * filesystem; TEMPLATE_DIR/NAME/VERSION/ holds each built base and
 * TEMPLATE_DIR/NAME/current is a symbolic link to the newest one. */
#ifndef CTUI_TEMPLATE_H
#define CTUI_TEMPLATE_H

#include <stddef.h>

#include "ctui/config.h"
#include "ctui/engine.h"
#include "ctui/error.h"
#include "ctui/site.h"
#include "engine/container.h"

struct ctui_template {
	char *name;
	char *description;
	char *suite;               /* e.g. "bookworm" */
	char *variant;             /* debootstrap --variant, e.g. "minbase" */
	char **packages;           /* NULL-terminated */
	struct ctui_service *services;  /* in start order */
	size_t n_services;
	char **capabilities;       /* NULL-terminated, e.g. "CAP_SETUID" */
	struct ctui_limits limits; /* defaults for new sites */
};

/* Loads TEMPLATE_CONF_DIR/NAME.conf. Errors name the file, line and key. */
int ctui_template_load(const struct ctui_config *cfg, const char *name,
		       struct ctui_template *tpl, struct ctui_error *err);
void ctui_template_free(struct ctui_template *tpl);

/* The current built version of NAME and its base directory. Fails with ENOENT
 * and a message suggesting `ctui template build NAME` when never built. The
 * caller frees both strings. */
int ctui_template_current(const struct ctui_config *cfg, const char *name, char **version,
			  char **base_dir, struct ctui_error *err);

/* The base directory of NAME at VERSION; the caller frees it. */
char *ctui_template_base_dir(const struct ctui_config *cfg, const char *name, const char *version);

/* Runs debootstrap into a new version directory, configures Apache inside for
 * one small site, cleans package caches, then switches `current` to it with an
 * atomic rename. A failed build leaves the previous base in place. */
int ctui_template_build_base(const struct ctui_config *cfg, const char *name,
			     ctui_progress_fn progress, void *ctx, struct ctui_error *err);

/* Fills the public description of every NAME.conf; the caller frees *LIST. */
int ctui_template_list_all(const struct ctui_config *cfg, struct ctui_template_info **list,
			   size_t *count, struct ctui_error *err);

#endif
