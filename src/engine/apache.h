/* The host Apache as reverse proxy: one file per site, VHOST_DIR/ctui-NAME.conf,
 * checked with the configured configtest before a graceful reload. */
#ifndef CTUI_APACHE_H
#define CTUI_APACHE_H

#include <stdint.h>

#include "ctui/config.h"
#include "ctui/error.h"

/* The vhost file path for SITE; the caller frees it. */
char *ctui_apache_vhost_path(const struct ctui_config *cfg, const char *site);

/* The vhost text for SITE serving DOMAIN, proxying to http://IPV4:80/ with
 * the original Host header and X-Forwarded-For/Proto. The caller frees it.
 * SITE and DOMAIN must have passed validation. */
char *ctui_apache_vhost_text(const struct ctui_config *cfg, const char *site, const char *domain,
			     uint32_t ipv4);

/* Writes the vhost, runs configtest (removing the file again if it fails)
 * and reloads Apache gracefully. An existing file for SITE is an error. */
int ctui_apache_add_site(const struct ctui_config *cfg, const char *site, const char *domain,
			 uint32_t ipv4, struct ctui_error *err);

/* Removes SITE's vhost file (only that one) and reloads Apache. A missing
 * file is not an error. */
int ctui_apache_remove_site(const struct ctui_config *cfg, const char *site,
			    struct ctui_error *err);

#endif
