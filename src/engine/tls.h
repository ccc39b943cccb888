/* The source of each site's certificate and whether it exists yet: a
 * certificate from ctui's own CA in self-signed mode, or mod_md's store in
 * ACME mode. */
#ifndef CTUI_TLS_H
#define CTUI_TLS_H

#include <stdbool.h>
#include <stddef.h>

#include "ctui/config.h"
#include "ctui/error.h"
#include "ctui/site.h"

/* Whether DOMAIN is served with the zone's wildcard certificate. */
bool ctui_tls_wildcard_covers(const struct ctui_config *cfg, const char *domain);

/* The name of DOMAIN's managed domain in mod_md's store: the zone when the
 * wildcard covers DOMAIN, else DOMAIN. The caller frees it. */
char *ctui_tls_md_name(const struct ctui_config *cfg, const char *domain);

/* mod_md's store: [tls] md_store_dir, or /var/lib/apache2/md. */
const char *ctui_tls_md_store(const struct ctui_config *cfg);

/* The certificate and key of SITE in self-signed mode:
 * STATE_DIR/tls/sites/SITE.crt and .key. The caller frees both. */
void ctui_tls_site_files(const struct ctui_config *cfg, const char *site, char **cert,
			 char **key);

/* The local CA's certificate, STATE_DIR/tls/ca.crt, which clients trust in
 * self-signed mode. The caller frees it. */
char *ctui_tls_ca_file(const struct ctui_config *cfg);

/* Issues SITE's certificate for DOMAIN from the local CA with openssl,
 * creating the CA first when it does not exist. */
int ctui_tls_issue_self_signed(const struct ctui_config *cfg, const char *site,
			       const char *domain, struct ctui_error *err);

/* Removes SITE's certificate: its files in self-signed mode, or DOMAIN's
 * managed domain in mod_md's store (unless the wildcard covers it). Call it
 * after the vhost is gone. Missing files are not an error. */
int ctui_tls_remove_site(const struct ctui_config *cfg, const char *site, const char *domain,
			 struct ctui_error *err);

/* The TLS state of SITE serving DOMAIN as the files show it; for a site
 * that is not active yet, REASON explains why (at most SIZE bytes). *STAGED is
 * set when mod_md has a new certificate that a reload puts in service. */
enum ctui_tls_state ctui_tls_probe(const struct ctui_config *cfg, const char *site,
				   const char *domain, bool *staged, char *reason, size_t size);

#endif
