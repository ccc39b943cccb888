/* A site: one website in its own container, as kept in the database. */
#ifndef CTUI_SITE_H
#define CTUI_SITE_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
#include <time.h>

#define CTUI_NAME_MAX 63      /* a DNS label */
#define CTUI_DOMAIN_MAX 253
#define CTUI_MEMORY_MIN (16ULL << 20) /* below this a site's services cannot start */

enum ctui_site_state {
	CTUI_STATE_STOPPED,
	CTUI_STATE_STARTING,
	CTUI_STATE_RUNNING,
	CTUI_STATE_STOPPING,
	CTUI_STATE_CRASHED,       /* recorded as running, but its init is gone */
};

/* Where a site's files live. */
enum ctui_storage {
	CTUI_STORAGE_OVERLAY,     /* an overlay upper layer on the template base */
	CTUI_STORAGE_COPY,        /* a private copy of the whole base */
	CTUI_STORAGE_IMAGE,       /* an overlay whose upper layer is in an ext4 image file */
};

/* The DNS record a site in the zone gets. */
enum ctui_record_kind {
	CTUI_RECORD_CNAME,        /* NAME CNAME ZONE. */
	CTUI_RECORD_ADDRESS,      /* NAME A and AAAA: the host's public addresses */
};

/* How far a site is on its way to HTTPS, as `ctui tls refresh` last saw it. */
enum ctui_tls_state {
	CTUI_TLS_OFF,             /* [tls] mode = off: HTTP only */
	CTUI_TLS_PENDING,         /* no certificate yet: served over HTTP only */
	CTUI_TLS_ACTIVE,          /* Apache serves the site's certificate */
};

#define CTUI_CPU_MAX_LIMIT 100    /* percent of one CPU */
#define CTUI_PIDS_LIMIT 4194304   /* the kernel's PID_MAX_LIMIT on 64-bit hosts */
#define CTUI_DISK_MIN (16ULL << 20) /* the smallest ext4 image a site gets */

struct ctui_limits {
	unsigned cpu_shares;      /* relative weight, cgroup v1 cpu.shares scale (2..262144) */
	unsigned cpu_max;         /* hard cap in percent of one CPU (1..100); 0 means none */
	uint64_t memory;          /* bytes; 0 means no limit */
	unsigned pids;            /* 0 means no limit */
	uint64_t disk;            /* bytes of the ext4 image of image storage; 0 otherwise */
};

struct ctui_site {
	int64_t id;
	char name[CTUI_NAME_MAX + 1];
	char domain[CTUI_DOMAIN_MAX + 1];
	char template_name[CTUI_NAME_MAX + 1];
	char template_version[64];  /* the base directory the site was built from */
	char model[CTUI_NAME_MAX + 1]; /* the resource model, empty when none was used */
	struct ctui_limits limits;
	enum ctui_storage storage;
	uint32_t ipv4;              /* host byte order */
	enum ctui_site_state state;
	pid_t init_pid;             /* 0 when not running */
	unsigned long long init_start_time; /* /proc/PID/stat field 22, in clock ticks */
	enum ctui_record_kind record;
	bool redirect;              /* HTTP to HTTPS, once the certificate is active */
	bool hsts;                  /* Strict-Transport-Security on HTTPS responses */
	enum ctui_tls_state tls;
	char owner[256];
	time_t created;
	time_t changed;
};

/* The untranslated state name stored in the database and printed by --json. */
const char *ctui_state_name(enum ctui_site_state state);
/* The state name for people (translated). */
const char *ctui_state_label(enum ctui_site_state state);
/* The untranslated names stored in the database: "overlay", "copy", "image". */
const char *ctui_storage_name(enum ctui_storage storage);
/* Parses a storage name; returns -1 for an unknown one. */
int ctui_storage_parse(const char *name, enum ctui_storage *storage);
/* The untranslated names stored in the database: "cname" or "address". */
const char *ctui_record_name(enum ctui_record_kind kind);
/* The untranslated names stored in the database: "off", "pending", "active". */
const char *ctui_tls_state_name(enum ctui_tls_state state);
/* The TLS state for people (translated). */
const char *ctui_tls_state_label(enum ctui_tls_state state);

#endif
