/* The host Apache as reverse proxy: one file per site, VHOST_DIR/ctui-NAME.conf,
 * and the TLS and mod_md settings every site shares, VHOST_DIR/00-ctui.conf
 * (read first) and VHOST_DIR/zz-ctui-wildcard.conf (read last). Every change
 * is checked with the configured configtest before a graceful reload. */
#ifndef CTUI_APACHE_H
#define CTUI_APACHE_H

#include <stdbool.h>
#include <stdint.h>

#include "ctui/config.h"
#include "ctui/error.h"

/* The content of one site's vhost file. */
struct ctui_vhost {
	const char *site;
	const char *domain;
	uint32_t ipv4;            /* the container's address, host byte order */
	bool https;               /* write the HTTPS vhost too */
	bool managed;             /* declare an MDomain of its own (http-01) */
	bool redirect;            /* HTTP to HTTPS; only with an active certificate */
	bool hsts;                /* Strict-Transport-Security; likewise */
	const char *cert_file;    /* a certificate of ctui's CA, or NULL with mod_md */
	const char *key_file;
};

/* The vhost file path for SITE; the caller frees it. */
char *ctui_apache_vhost_path(const struct ctui_config *cfg, const char *site);

/* The vhost text: an HTTP vhost proxying to http://IPV4:80/ with the
 * original Host header and X-Forwarded-For/Proto (or redirecting to HTTPS),
 * and with HTTPS an SSL vhost that proxies the same way. The caller frees
 * it. Returns NULL with ERR set when a value could break the file's syntax. */
char *ctui_apache_vhost_text(const struct ctui_config *cfg, const struct ctui_vhost *vhost,
			     struct ctui_error *err);

/* The shared settings: TLS 1.2 and 1.3 only with forward-secret AEAD
 * ciphers, and in ACME mode mod_md's CA, store, ports and the dns-01 hook
 * command HOOK (NULL when there is none). The caller frees the text. */
char *ctui_apache_global_text(const struct ctui_config *cfg, const char *hook,
			      struct ctui_error *err);

/* The wildcard certificate for ZONE and *.ZONE through dns-01, or NULL when
 * [tls] wildcard is off or the mode is not acme. */
char *ctui_apache_wildcard_text(const struct ctui_config *cfg);

/* Writes the shared files when their text changed, and removes them when
 * [tls] mode is none, without reloading Apache. */
int ctui_apache_write_global(const struct ctui_config *cfg, struct ctui_error *err);

/* Writes VHOST's file, runs configtest and reloads Apache gracefully. On
 * failure the previous file (or none, for a new site) is put back. With
 * REPLACE false, an existing file for the site is an error (EEXIST). */
int ctui_apache_write_site(const struct ctui_config *cfg, const struct ctui_vhost *vhost,
			   bool replace, struct ctui_error *err);

/* Removes SITE's vhost file (only that one) and reloads Apache. A missing
 * file is not an error. */
int ctui_apache_remove_site(const struct ctui_config *cfg, const char *site,
			    struct ctui_error *err);

/* Runs the configured graceful reload. */
int ctui_apache_reload(const struct ctui_config *cfg, struct ctui_error *err);

#endif
