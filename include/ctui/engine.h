/* The engine: everything ctui does to the host. The command line and the TUI
 * use only this header (with config.h, site.h and error.h); they never call
 * libnl, libcgroup, sqlite or BIND directly. */
#ifndef CTUI_ENGINE_H
#define CTUI_ENGINE_H

#include <stdbool.h>
#include <stddef.h>

#include "ctui/config.h"
#include "ctui/error.h"
#include "ctui/site.h"

struct ctui_engine;

/* Called with each line of progress of a long operation (template builds). */
typedef void (*ctui_progress_fn)(void *ctx, const char *line);

/* Loads the configuration (CONFIG_PATH, or the default when NULL), opens the
 * database and syslog. ACTOR names who acts, for the event log. */
int ctui_engine_open(struct ctui_engine **engine, const char *config_path, const char *actor,
		     struct ctui_error *err);
void ctui_engine_close(struct ctui_engine *engine);
const struct ctui_config *ctui_engine_config(const struct ctui_engine *engine);

/* An on/off setting that a caller may leave alone. */
enum ctui_setting {
	CTUI_SETTING_DEFAULT,       /* create: the default; set: unchanged */
	CTUI_SETTING_ON,
	CTUI_SETTING_OFF,
};

struct ctui_create_params {
	const char *name;           /* a DNS label: a-z, 0-9 and '-' */
	const char *domain;         /* NULL: NAME.ZONE */
	const char *template_name;
	const char *model;          /* NULL: [sites] model of ctui.conf, or none */
	const char *storage;        /* "overlay", "copy", "image"; NULL: [sites] storage */
	/* Zero fields take the model's values, then the template's. */
	struct ctui_limits limits;
	bool no_cpu_max;            /* no hard CPU cap, even when the model sets one */
	enum ctui_record_kind record;  /* CNAME by default */
	enum ctui_setting redirect;    /* default on */
	enum ctui_setting hsts;        /* default off */
	const char *owner;             /* a user id; NULL: the creating user */
};

/* Creates a stopped site: address, root filesystem, vhost, DNS record and
 * finally the database row. On failure nothing of it is left behind. */
int ctui_site_create(struct ctui_engine *engine, const struct ctui_create_params *params,
		     struct ctui_site *created, struct ctui_error *err);

/* Starts the container and returns once the site responds to HTTP. */
int ctui_site_start(struct ctui_engine *engine, const char *name, struct ctui_error *err);

/* SIGTERM to the site's init, then SIGKILL after the stop timeout; removes
 * its cgroup and veth. Stopping a stopped site succeeds. */
int ctui_site_stop(struct ctui_engine *engine, const char *name, struct ctui_error *err);

int ctui_site_restart(struct ctui_engine *engine, const char *name, struct ctui_error *err);

/* Stops the site if needed, then removes its vhost, DNS record, files and row. */
int ctui_site_destroy(struct ctui_engine *engine, const char *name, struct ctui_error *err);

/* Settings that `ctui set` changes on an existing site; DEFAULT fields stay as they
 * are. */
struct ctui_site_settings {
	enum ctui_setting redirect;
	enum ctui_setting hsts;
	const char *owner;          /* NULL: unchanged; applied with ctui_site_set_owner() */
};

/* Records SETTINGS and rewrites the site's vhost (with a graceful reload)
 * when they change what Apache does. */
int ctui_site_set(struct ctui_engine *engine, const char *name,
		  const struct ctui_site_settings *settings, struct ctui_error *err);

/* Changes of a site's limits for ctui_site_set_limits(). */
struct ctui_limit_changes {
	struct ctui_limits limits;  /* zero fields stay as they are */
	bool no_cpu_max;            /* remove the hard CPU cap */
};

/* Records CHANGES in SITE's row. A running site gets them at once in its
 * cgroup (and a larger image, grown while mounted); a stopped one at its
 * next start. Values out of range, a disk size for storage other than
 * image, and a smaller disk fail with EINVAL and change nothing. When the
 * cgroup accepts the values but growing the image fails, the old cgroup
 * values are written back. */
int ctui_site_set_limits(struct ctui_engine *engine, const char *name,
			 const struct ctui_limit_changes *changes, struct ctui_error *err);

/* The certificate of a site as the files show it now. */
struct ctui_tls_status {
	enum ctui_tls_state state;
	char reason[512];           /* why the site is not on HTTPS yet; empty when it is */
	char md_name[CTUI_DOMAIN_MAX + 1]; /* mod_md's name for the certificate, ACME only */
};
int ctui_site_tls_status(struct ctui_engine *engine, const char *name,
			 struct ctui_tls_status *status, struct ctui_error *err);

/* For a site whose domain is outside the zone: the DNS record its owner must
 * create, such as "www.example.org. CNAME sites.example.net."; NULL for a
 * domain in the zone. The caller frees the text. */
char *ctui_site_owner_records(struct ctui_engine *engine, const struct ctui_site *site);

/* Brings every site's vhost in line with its certificate: a site whose
 * certificate was issued gets its redirect and HSTS, and Apache is reloaded
 * when mod_md has a new certificate (a new one is served only after a
 * graceful restart). Run it as root after issuance and from cron for
 * renewals. *CHANGED counts the sites whose state changed (may be NULL). */
int ctui_tls_refresh(struct ctui_engine *engine, unsigned *changed, struct ctui_error *err);

/* The dns-01 hook of mod_md: ACTION "setup" adds the TXT value TOKEN at
 * _acme-challenge.DOMAIN, "teardown" removes it. It runs as Apache's user,
 * so it reads only the configuration and the TSIG key, never the site
 * database. */
int ctui_acme_dns01(const char *config_path, const char *action, const char *domain,
		    const char *token, struct ctui_error *err);

/* Reads one site, its state checked against the kernel. */
int ctui_site_get(struct ctui_engine *engine, const char *name, struct ctui_site *site,
		  struct ctui_error *err);

/* Reads every site ordered by name, states checked against the kernel. The
 * caller frees *SITES. */
int ctui_site_list(struct ctui_engine *engine, struct ctui_site **sites, size_t *count,
		   struct ctui_error *err);

/* Live figures read from a running site's cgroup. */
struct ctui_site_usage {
	unsigned long long cpu_ns;   /* CPU time used since start */
	unsigned long long memory;   /* bytes in use */
	unsigned pids;               /* tasks */
	struct ctui_limits limits;   /* as the kernel has them */
};
int ctui_site_usage(struct ctui_engine *engine, const char *name, struct ctui_site_usage *usage,
		    struct ctui_error *err);

struct ctui_template_info {
	char name[CTUI_NAME_MAX + 1];
	char description[256];
	char version[64];            /* the current base, empty when never built */
	time_t built;                /* 0 when never built */
};

/* Lists the templates defined in the template configuration directory. */
int ctui_template_list(struct ctui_engine *engine, struct ctui_template_info **templates,
		       size_t *count, struct ctui_error *err);

/* Builds (or rebuilds) NAME's base with debootstrap, reporting progress. */
int ctui_template_build(struct ctui_engine *engine, const char *name, ctui_progress_fn progress,
			void *ctx, struct ctui_error *err);

/* Size of a template version buffer, such as "20261204T203000Z-2", with its NUL. */
#define CTUI_VERSION_MAX 64

/* Moves NAME onto its template's current base and keeps the site's own files
 * (the overlay's upper layer). A running site is stopped, switched and
 * started again. When it does not start on the new base, it goes back to the
 * old one. OLD_VERSION and NEW_VERSION (CTUI_VERSION_MAX bytes each) get the
 * versions before and after; they are equal when the site was already on the
 * current base. */
int ctui_site_upgrade(struct ctui_engine *engine, const char *name, char *old_version,
		      char *new_version, struct ctui_error *err);

/* Removes the built versions of template NAME that are not current and that
 * no site uses, reporting one line per version through PROGRESS (may be
 * NULL). *REMOVED gets the number of versions removed. */
int ctui_template_prune(struct ctui_engine *engine, const char *name, ctui_progress_fn progress,
			void *ctx, unsigned *removed, struct ctui_error *err);

/* A site's health check: what `ctui start` waits for, and the status the
 * site returns now. */
struct ctui_site_health {
	char path[256];          /* the HTTP path: the template's health key, or "/" */
	bool strict;             /* true: 2xx or 3xx passes; false: any status below 500 */
	int http_status;         /* the status returned now; 0 when the site does not
				  * run, -1 without a response */
	bool healthy;
	char services[512];      /* the services that have a health command, space-separated */
};

/* Fills HEALTH for SITE from its template and, when it runs, one request to
 * it (up to 2 s). */
int ctui_site_health(struct ctui_engine *engine, const struct ctui_site *site,
		     struct ctui_site_health *health, struct ctui_error *err);

/* What the TUI shows beside the site table; implemented in tui-support.c. */

/* Host-wide figures: cumulative CPU jiffies from /proc/stat (the caller takes
 * the difference of two readings), memory from /proc/meminfo, and the host
 * addresses of the configured subnet that no site holds. */
struct ctui_host_usage {
	unsigned long long cpu_busy;      /* jiffies spent neither idle nor in iowait */
	unsigned long long cpu_total;     /* every jiffy of every CPU */
	unsigned long long memory_total;  /* bytes */
	unsigned long long memory_used;   /* bytes: MemTotal minus MemAvailable */
	size_t addresses_free;
};
int ctui_host_usage(struct ctui_engine *engine, struct ctui_host_usage *usage,
		    struct ctui_error *err);

/* Like ctui_site_usage() for a SITE already read with ctui_site_list() or
 * ctui_site_get(), without reading its row again. */
int ctui_site_usage_of(struct ctui_engine *engine, const struct ctui_site *site,
		       struct ctui_site_usage *usage, struct ctui_error *err);

/* Paths of a site's own files on the host. ROOT is the site's file
 * system: /proc/PID/root while it runs, so that reads and writes go through
 * its overlay, and its upper layer while it is stopped. Everything below
 * ROOT belongs to the site, which may have planted symbolic links there:
 * open DOCUMENT_ROOT and LOG_DIR relative to ROOT without following links.
 * Free the strings with ctui_site_paths_free(). */
struct ctui_site_paths {
	char *root;
	const char *document_root;  /* "var/www/html", relative to ROOT */
	const char *log_dir;        /* "var/log/apache2", relative to ROOT */
	char *vhost;                /* the host Apache's vhost file for the site */
	char *dns_record;           /* "DOMAIN. TTL IN CNAME ZONE.", or "" outside the zone */
};
int ctui_site_paths(struct ctui_engine *engine, const struct ctui_site *site,
		    struct ctui_site_paths *paths, struct ctui_error *err);
void ctui_site_paths_free(struct ctui_site_paths *paths);

/* Replaces the public keys that log in to SITE's SFTP server with KEYS, the
 * text of an OpenSSH .pub or authorized_keys file without options. Works on
 * running and stopped sites alike; sshd reads the keys at each login. */
int ctui_site_sftp_set_keys(struct ctui_engine *engine, const char *name, const char *keys,
			    struct ctui_error *err);

/* Sets the password of SITE's SFTP login. Only its yescrypt hash is stored,
 * in the site's /etc/shadow. */
int ctui_site_sftp_set_password(struct ctui_engine *engine, const char *name,
				const char *password, struct ctui_error *err);

/* The command that opens SITE's SFTP server, "sftp -P PORT web@DOMAIN", or
 * NULL when the site has no port. The caller frees it. */
char *ctui_site_sftp_command(struct ctui_engine *engine, const struct ctui_site *site);

/* Seconds since a running SITE's init started; 0 when it does not run. */
unsigned long long ctui_site_uptime(const struct ctui_site *site);

#endif
