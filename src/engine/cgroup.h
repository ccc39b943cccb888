/* One cgroup per running site, PARENT/SITE, through libcgroup. Works on cgroup
 * v1 (cpu, cpuacct, memory, pids controllers, possibly beside a v2 mount as
 * on hybrid hosts) and on pure v2 hosts, where cpu shares map to cpu.weight. */
#ifndef CTUI_CGROUP_H
#define CTUI_CGROUP_H

#include <stdbool.h>
#include <sys/types.h>

#include "ctui/error.h"
#include "ctui/site.h"

/* Creates PARENT/SITE with LIMITS; an existing one is reused and updated. */
int ctui_cgroup_create(const char *parent, const char *site, const struct ctui_limits *limits,
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
