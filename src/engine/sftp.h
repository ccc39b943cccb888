/* Each site's SFTP-only OpenSSH server: its files inside the site, the
 * login's credentials, the host port forwarded to it, and the IPv6 relay.
 * doc/sftp.md describes the design. */
#ifndef CTUI_SFTP_H
#define CTUI_SFTP_H

#include <stdint.h>

#include "ctui/config.h"
#include "ctui/error.h"
#include "ctui/site.h"

struct ctui_engine;

/* The login of every site's SFTP server. Each site has its own server and
 * port, so the name need not differ between sites. It is fixed rather than
 * taken from the site's name, which could equal a system user of the
 * template such as "mail" or "backup". */
#define CTUI_SFTP_USER "web"
/* Its uid and gid inside the site: the owner of /var/www/html. */
#define CTUI_SFTP_UID 2000

/* Writes the SFTP server of SITE into its upper layer at creation: sshd's
 * configuration, a new ed25519 host key, an empty authorized_keys, and the
 * login. The login is added to copies of /etc/passwd, /etc/group and
 * /etc/shadow from LOWER, the site's template base, without a password. The
 * document root becomes the login's. An upper layer that already has the
 * configuration is left as it is. The paths are followed as they are, so
 * UPPER must be one that ctui has just created, never one from an archive. */
int ctui_sftp_prepare_site(const struct ctui_config *cfg, const struct ctui_site *site,
			   const char *lower, struct ctui_error *err);

/* Picks the lowest port of [sftp] ports that no site has, and records it for
 * SITE. Fails with ENOSPC when every port of the range is taken. */
int engine_sftp_assign_port(struct ctui_engine *engine, const char *site, unsigned *port,
			    struct ctui_error *err);

/* Opens SITE's forwards while it starts: its port (assigned now for a site
 * created before SFTP), the nftables table, and the IPv6 relay. */
int engine_sftp_open(struct ctui_engine *engine, const struct ctui_site *site,
		     struct ctui_error *err);

/* Closes the forwards of the stopped SITE: stops its IPv6 relay and rewrites
 * the nftables table without it. Closing closed forwards succeeds. */
int engine_sftp_close(struct ctui_engine *engine, const char *site, struct ctui_error *err);

/* The IPv6 relay: a process outside the site that accepts TCP on [::]:PORT
 * (IPv6 only) and copies each connection to IPV4:22. nftables cannot DNAT
 * from IPv6 to an IPv4-only site. PID_FILE records "PID START_TIME". */
int ctui_sftp_relay_start(const char *pid_file, unsigned port, uint32_t ipv4,
			  struct ctui_error *err);
/* Stops the relay recorded in PID_FILE with its open connections and
 * removes the file. A missing file or a relay already gone is fine. */
int ctui_sftp_relay_stop(const char *pid_file, struct ctui_error *err);

#endif
