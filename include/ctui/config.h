/* ctui.conf: one INI file holding every path, address, port and command the
 * engine uses. Loaded once per process; see conf/ctui.conf for the keys. */
#ifndef CTUI_CONFIG_H
#define CTUI_CONFIG_H

#include <netinet/in.h>
#include <stdint.h>

#include "ctui/error.h"

#define CTUI_DEFAULT_CONFIG CTUI_SYSCONFDIR "/ctui.conf"

/* Source of the sites' certificates. */
enum ctui_tls_mode {
	CTUI_TLS_MODE_ACME,         /* Apache's mod_md, from the ACME directory */
	CTUI_TLS_MODE_SELF_SIGNED,  /* a local CA that ctui keeps in STATE_DIR/ca */
	CTUI_TLS_MODE_NONE,         /* HTTP only */
};

struct ctui_config {
	char *path;               /* the file this was loaded from */

	/* [paths] */
	char *state_dir;          /* sites.db, lock file, sites/NAME/ */
	char *template_dir;       /* built template bases: TEMPLATE/VERSION/ */
	char *template_conf_dir;  /* template definitions: NAME.conf */
	char *model_dir;          /* resource models: NAME.conf */
	char *init_path;          /* the static ctui-init binary */
	char *debootstrap;        /* debootstrap command line */
	char *mirror;             /* Debian mirror for debootstrap */

	/* [network] */
	char *bridge;             /* host bridge name, at most 15 bytes */
	uint32_t subnet;          /* network address, host byte order */
	unsigned prefix;          /* prefix length, 1..30 */
	uint32_t gateway;         /* the bridge's address, host byte order */

	/* [dns] */
	char *zone;               /* e.g. "sites.example.org", no trailing dot */
	char *dns_server;         /* BIND's address for dynamic updates */
	unsigned dns_port;
	char *tsig_key_file;      /* BIND key file: key "NAME" { algorithm ...; secret "..."; }; */
	unsigned dns_ttl;

	/* [host] */
	char *public_ipv4;        /* may be empty */
	char *public_ipv6;        /* may be empty */

	/* [apache] */
	char *vhost_dir;          /* where ctui-NAME.conf files go */
	char *apache_configtest;  /* command line, e.g. "apache2ctl configtest" */
	char *apache_reload;      /* command line, e.g. "apache2ctl graceful" */
	unsigned http_port;
	unsigned https_port;

	/* [tls] */
	enum ctui_tls_mode tls_mode;
	char *acme_url;           /* the ACME directory */
	char *acme_contact;       /* an e-mail address, may be empty */
	char *acme_ca_file;       /* CA bundle of the ACME server's own TLS, may be empty */
	char *md_store_dir;       /* mod_md's MDStoreDir, empty for Apache's default */
	unsigned wildcard;        /* 1: one *.ZONE certificate through dns-01 */

	/* [cgroup] */
	char *cgroup_parent;      /* cgroup holding every site: PARENT/NAME */

	/* [container] */
	unsigned start_timeout;   /* seconds until the site must respond to HTTP */
	unsigned stop_timeout;    /* seconds per stop step: stop command, SIGTERM, SIGKILL */

	/* [tui] */
	char *theme;              /* a theme name or the absolute path of a theme file */

	/* [ldap]: logins and rights; everything below is unused when uri is empty. */
	char *ldap_uri;           /* ldap://HOST[:PORT] or ldaps://HOST[:PORT], empty: no LDAP */
	char *ldap_base;          /* the search base of the users */
	char *ldap_filter;        /* contains %s once, replaced by the escaped user id */
	char *ldap_admin_group;   /* DN of the group whose members are administrators */
	unsigned ldap_starttls;   /* 1: StartTLS on an ldap:// URI */
	char *ldap_ca_file;       /* CA certificates for the server's certificate, may be empty */
	unsigned ldap_network_timeout; /* seconds to connect */
	unsigned ldap_timeout;    /* seconds per LDAP operation */
	char *ldap_bind_dn;       /* the search identity, empty: anonymous searches */
	char *ldap_bind_password_file; /* its password, first line; empty with no bind_dn */
	/* [sites] */
	char *default_model;      /* the model of a new site; empty: the template's limits */
	char *default_storage;    /* "overlay", "copy" or "image" */
	/* [sftp] */
	unsigned sftp_port_first; /* the host ports forwarded to the sites' SFTP servers */
	unsigned sftp_port_last;
	char *nft_table;          /* the ctui-owned nftables table (family inet) */
};

/* Loads PATH (CTUI_DEFAULT_CONFIG when NULL) over the built-in defaults.
 * Unknown sections or keys and invalid values are errors naming the file,
 * the line and the key. On failure CFG contains nothing to free. */
int ctui_config_load(struct ctui_config *cfg, const char *path, struct ctui_error *err);

void ctui_config_free(struct ctui_config *cfg);

#endif
