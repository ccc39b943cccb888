/* Starting and stopping a site's container with plain system calls: clone
 * into new mount, PID, UTS, IPC and network namespaces, an overlay root,
 * pivot_root, minimal /dev, /proc and read-only /sys, reduced capabilities,
 * and ctui-init as PID 1. */
#ifndef CTUI_CONTAINER_H
#define CTUI_CONTAINER_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "ctui/error.h"
#include "ctui/site.h"

struct ctui_service {
	const char *name;
	const char *start;   /* run with /bin/sh -c inside the container */
	const char *stop;    /* command that stops it, or NULL for SIGTERM only */
	const char *health;  /* command that succeeds once it is ready, or NULL */
};

struct ctui_container_spec {
	const char *name;             /* the site's name, for messages and the cgroup */
	const char *hostname;         /* the site's domain */

	/* Overlay: LOWER is the template base (read-only), UPPER and WORK are the
	 * site's own; ROOT is an empty directory used as the mount point inside
	 * the container's mount namespace (nothing is mounted on the host).
	 * With LOWER NULL, UPPER is a whole root file system, bind-mounted on
	 * ROOT, and WORK is unused. */
	const char *lower, *upper, *work, *root;

	uint32_t ipv4;                /* host byte order */
	unsigned prefix;
	uint32_t gateway;
	const char *bridge;

	const char *cgroup_parent;
	struct ctui_limits limits;

	const char *init_path;        /* host path of the static ctui-init */
	const char *console_path;     /* host file that receives init's stdout and
	                               * stderr (appended); NULL discards them */
	const struct ctui_service *services;  /* started in order, stopped in reverse */
	size_t n_services;
	unsigned stop_timeout;        /* seconds per stop step in ctui-init; 0: its default */
	unsigned start_timeout;       /* seconds for each health check; 0: its default */
	const char *const *capabilities;      /* names kept, e.g. "CAP_SETUID"; NULL-terminated */
};

/* Starts the container. On success the container runs on its own (ctui may
 * exit) and *PID / *START_TIME identify its init. On failure everything set
 * up so far (cgroup, veth, process) is removed, and ERR names the step that
 * failed, also for steps run inside the new namespaces. The caller creates
 * the bridge first (ctui_net_bridge_ensure). */
int ctui_container_start(const struct ctui_container_spec *spec, pid_t *pid,
			 unsigned long long *start_time, struct ctui_error *err);

/* Sends SIGTERM to the init identified by PID and START_TIME and waits up
 * to TIMEOUT_MS for it to exit, then SIGKILLs it and waits. Then removes the
 * veth of IPV4 and the site's cgroup. A process that is already gone is not
 * signalled, nor is a pid now used by another process (START_TIME differs).
 * The cleanup runs in both cases. PID 0 means there is no process to stop. */
int ctui_container_stop(const char *name, pid_t pid, unsigned long long start_time,
			uint32_t ipv4, const char *cgroup_parent, unsigned timeout_ms,
			struct ctui_error *err);

#endif
