/* One cgroup per running site, PARENT/SITE, through libcgroup. Works on cgroup
 * v1 (cpu, cpuacct, memory, pids controllers, possibly beside a v2 mount as
 * on hybrid hosts) and on pure v2 hosts, where cpu shares map to cpu.weight. */
#ifndef CTUI_CGROUP_H
#define CTUI_CGROUP_H

#include <stdbool.h>
#include <sys/types.h>

#include "ctui/error.h"
#include "ctui/site.h"

/* The CFS period ctui sets with a hard CPU cap, in microseconds. */
#define CTUI_CGROUP_CPU_PERIOD_US 100000

/* One value that a site's limits write to a cgroup file. */
struct ctui_cgroup_setting {
	const char *controller;   /* libcgroup's controller name: cpu, memory or pids */
	const char *file;         /* e.g. "cpu.shares" or "cpu.max" */
	char value[32];
};

#define CTUI_CGROUP_SETTINGS_MAX 5

/* Fills SETTINGS with the files and values that apply LIMITS on cgroup v2
 * (UNIFIED) or v1, in the order they must be written, and returns their
 * count. Shares become cpu.weight on v2 (see ctui_cgroup_shares_to_weight).
 * A CPU cap of P percent becomes a quota of P * 1000 us per 100000 us
 * period: v1 cpu.cfs_quota_us and cpu.cfs_period_us, v2 cpu.max. No cap
 * becomes -1 on v1 and "max" on v2. Swap is not part of the plan. */
size_t ctui_cgroup_plan(bool unified, const struct ctui_limits *limits,
			struct ctui_cgroup_setting settings[CTUI_CGROUP_SETTINGS_MAX]);

/* Maps v1 cpu.shares (2..262144, default 1024) to v2 cpu.weight (1..10000):
 * 1 + (shares - 2) * 9999 / 262142, rounded down, the conversion that the
 * OCI runtimes runc and crun use. 1024 maps to 39 and 2048 to 79. */
unsigned ctui_cgroup_shares_to_weight(unsigned shares);

/* Creates PARENT/SITE with LIMITS; an existing one is reused and updated. */
int ctui_cgroup_create(const char *parent, const char *site, const struct ctui_limits *limits,
		       struct ctui_error *err);

/* Writes LIMITS to the existing cgroup PARENT/SITE of a running site; the
 * kernel enforces them at once. Fails with ENOENT when the cgroup is
 * missing. A memory limit below the site's current use fails with the
 * kernel's EBUSY on v1 once reclaim cannot free enough. */
int ctui_cgroup_update(const char *parent, const char *site, const struct ctui_limits *limits,
		       struct ctui_error *err);

/* Moves PID into PARENT/SITE in every controller used. */
int ctui_cgroup_attach(const char *parent, const char *site, pid_t pid, struct ctui_error *err);

/* Removes PARENT/SITE once it contains no process, waiting up to a second for
 * exiting tasks. A missing cgroup is not an error. */
int ctui_cgroup_destroy(const char *parent, const char *site, struct ctui_error *err);

/* Reads the limits the kernel enforces (in the units of struct ctui_limits)
 * and the usage: CPU nanoseconds, memory bytes, task count. */
int ctui_cgroup_read(const char *parent, const char *site, struct ctui_limits *limits,
		     unsigned long long *cpu_ns, unsigned long long *memory, unsigned *pids,
		     struct ctui_error *err);

/* Freezes (FREEZE true) or thaws every task of PARENT/SITE and waits until
 * the kernel reports the new state: v1's freezer.state FROZEN or THAWED, or
 * v2's cgroup.freeze with "frozen" in cgroup.events. Fails with ENOTSUP when
 * the cgroup has no freezer, as for a site started before ctui joined it. */
int ctui_cgroup_freeze(const char *parent, const char *site, bool freeze,
		       struct ctui_error *err);

#endif
