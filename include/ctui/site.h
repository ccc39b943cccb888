/* A site: one website in its own container, as kept in the database. */
#ifndef CTUI_SITE_H
#define CTUI_SITE_H

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

enum ctui_storage {
	CTUI_STORAGE_OVERLAY,
};

struct ctui_limits {
	unsigned cpu_shares;      /* relative weight, cgroup v1 cpu.shares scale (2..262144) */
	uint64_t memory;          /* bytes; 0 means no limit */
	unsigned pids;            /* 0 means no limit */
};

struct ctui_site {
	int64_t id;
	char name[CTUI_NAME_MAX + 1];
	char domain[CTUI_DOMAIN_MAX + 1];
	char template_name[CTUI_NAME_MAX + 1];
	char template_version[64];  /* the base directory the site was built from */
	struct ctui_limits limits;
	enum ctui_storage storage;
	uint32_t ipv4;              /* host byte order */
	enum ctui_site_state state;
	pid_t init_pid;             /* 0 when not running */
	unsigned long long init_start_time; /* /proc/PID/stat field 22, in clock ticks */
	char owner[256];
	time_t created;
	time_t changed;
};

/* The untranslated state name stored in the database and printed by --json. */
const char *ctui_state_name(enum ctui_site_state state);
/* The state name for people (translated). */
const char *ctui_state_label(enum ctui_site_state state);
const char *ctui_storage_name(enum ctui_storage storage);

#endif
