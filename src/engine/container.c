#include "engine/container.h"

#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "engine/cgroup.h"
#include "engine/container-child.h"
#include "engine/log.h"
#include "engine/net.h"
#include "engine/proc.h"
#include "util/util.h"

#ifndef P_PIDFD
#define P_PIDFD 3
#endif

#define CHILD_STACK_SIZE (1024 * 1024)
#define CLONE_FLAGS (CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWNET)
#define KILL_WAIT_MS 5000

static bool overlay_safe(const char *path)
{
	/* The overlay options are a comma-separated list and lowerdir a
	 * colon-separated one: such characters in a path would be misread. */
	return path && *path == '/' && !strpbrk(path, ",:\\");
}

static int check_spec(const struct ctui_container_spec *spec, struct ctui_error *err)
{
	if (!spec->name || !spec->hostname || !spec->root || !spec->bridge ||
	    !spec->cgroup_parent || !spec->init_path || !spec->capabilities)
		return ctui_error_set(err, EINVAL, _("incomplete container description"));
	if (spec->n_services == 0)
		return ctui_error_set(err, EINVAL,
				      _("site %s has no services to start; check its template"),
				      spec->name);

	/* Without a lower layer the upper directory is bind-mounted, and WORK
	 * is unused. */
	const char *paths[] = { spec->upper, spec->root, spec->lower, spec->work };
	size_t checked = spec->lower ? 4 : 2;

	for (size_t i = 0; i < checked; i++)
		if (!overlay_safe(paths[i]))
			return ctui_error_set(err, EINVAL,
					      _("invalid root file system path %s: it must be "
						"absolute and contain no ',', ':' or '\\'"),
					      paths[i] ? paths[i] : "(none)");
	return 0;
}

/* Converts the capability names of SPEC; the caller frees *CAPS. */
static int parse_capabilities(const struct ctui_container_spec *spec, cap_value_t **caps,
			      size_t *n, struct ctui_error *err)
{
	size_t count = 0;

	while (spec->capabilities[count])
		count++;
	*caps = xcalloc(count, sizeof **caps);

	for (size_t i = 0; i < count; i++) {
		if (cap_from_name(spec->capabilities[i], &(*caps)[i]) < 0) {
			free(*caps);
			*caps = NULL;
			return ctui_error_set(err, EINVAL,
					      _("unknown capability %s; use names such as "
						"CAP_SETUID"),
					      spec->capabilities[i]);
		}
	}
	*n = count;
	return 0;
}

/* ctui-init's argument vector: the timeouts, then --service NAME COMMAND for
 * each service with its --stop and --health commands. TIMEOUTS receives the
 * text of the two timeouts and must live as long as the vector. */
static char **init_argv(const struct ctui_container_spec *spec, char timeouts[2][16])
{
	char **argv = xcalloc(6 + 7 * spec->n_services, sizeof *argv);
	size_t n = 0;

	argv[n++] = (char *)(uintptr_t)"ctui-init";
	if (spec->stop_timeout) {
		snprintf(timeouts[0], 16, "%u", spec->stop_timeout);
		argv[n++] = (char *)(uintptr_t)"--stop-timeout";
		argv[n++] = timeouts[0];
	}
	if (spec->start_timeout) {
		snprintf(timeouts[1], 16, "%u", spec->start_timeout);
		argv[n++] = (char *)(uintptr_t)"--start-timeout";
		argv[n++] = timeouts[1];
	}
	for (size_t i = 0; i < spec->n_services; i++) {
		const struct ctui_service *service = &spec->services[i];

		argv[n++] = (char *)(uintptr_t)"--service";
		argv[n++] = (char *)(uintptr_t)service->name;
		argv[n++] = (char *)(uintptr_t)service->start;
		if (service->stop) {
			argv[n++] = (char *)(uintptr_t)"--stop";
			argv[n++] = (char *)(uintptr_t)service->stop;
		}
		if (service->health) {
			argv[n++] = (char *)(uintptr_t)"--health";
			argv[n++] = (char *)(uintptr_t)service->health;
		}
	}
	argv[n] = NULL;
	return argv;
}

static int open_files(const struct ctui_container_spec *spec, int *init_fd, int *console_fd,
		      struct ctui_error *err)
{
	const char *console = spec->console_path ? spec->console_path : "/dev/null";

	/* fexecve needs a descriptor opened for reading; O_PATH is not enough. */
	*init_fd = open(spec->init_path, O_RDONLY | O_CLOEXEC);
	if (*init_fd < 0)
		return ctui_error_errno(err, errno, _("cannot open ctui-init %s; check init_path "
						      "in ctui.conf"),
					spec->init_path);

	*console_fd = open(console, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | O_NOCTTY, 0640);
	if (*console_fd < 0)
		return ctui_error_errno(err, errno, _("cannot open console log %s"), console);
	return 0;
}

/* Reads the child's setup error, if any, until the pipe closes: closed by
 * the exec of ctui-init (success) or by the child's exit. */
static void read_child_error(int fd, char *buf, size_t size)
{
	size_t len = 0;
	ssize_t n;

	while (len < size - 1) {
		n = read(fd, buf + len, size - 1 - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		len += (size_t)n;
	}
	buf[len] = '\0';
}

/* Clones the child into its new namespaces. Returns its pid or -1. */
static pid_t clone_child(struct ctui_child_ctx *ctx, struct ctui_error *err)
{
	void *stack = mmap(NULL, CHILD_STACK_SIZE, PROT_READ | PROT_WRITE,
			   MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
	pid_t pid;

	if (stack == MAP_FAILED)
		return ctui_error_errno(err, errno, _("cannot allocate the child's stack"));

	/* Without CLONE_VM the child runs on its own copy of the stack, so
	 * unmapping it here does not affect the child. */
	pid = clone(ctui_container_child, (char *)stack + CHILD_STACK_SIZE, CLONE_FLAGS | SIGCHLD,
		    ctx);
	if (pid < 0)
		ctui_error_errno(err, errno, _("cannot create the container's namespaces"));
	munmap(stack, CHILD_STACK_SIZE);
	return pid;
}

/* Moves the waiting child into its cgroup and network, lets it go on, and
 * waits for the outcome of its setup. Sets *VETH_CREATED once the veth is
 * there, so a failure never deletes a veth of the same name that belongs to
 * a running container. */
static int setup_child(const struct ctui_container_spec *spec, pid_t child, int sync_fd,
		       int error_fd, bool *veth_created, struct ctui_error *err)
{
	char ifname[IFNAMSIZ];
	char message[CTUI_ERROR_MAX];
	int status;

	if (ctui_cgroup_attach(spec->cgroup_parent, spec->name, child, err) < 0)
		return -1;

	ctui_net_host_ifname(spec->ipv4, ifname);
	if (ctui_net_veth_create(ifname, spec->bridge, child, spec->ipv4, err) < 0)
		return -1;
	*veth_created = true;

	if (write(sync_fd, "g", 1) != 1)
		return ctui_error_errno(err, errno, _("cannot signal the container's first process"));

	read_child_error(error_fd, message, sizeof message);
	if (*message)
		return ctui_error_set(err, EIO, "%s", message);

	/* No message but an exit: the child died before it could explain. */
	if (waitpid(child, &status, WNOHANG) == child)
		return ctui_error_set(err, ECHILD,
				      _("the container's first process exited during setup "
					"(status %d)"),
				      status);
	return 0;
}

/* Undoes a failed start: the process, the veth when this start created it,
 * the cgroup (which a running container's processes keep in place). Errors
 * of the undo are logged; they never replace the original error. */
static void undo_start(const struct ctui_container_spec *spec, pid_t child, bool veth_created)
{
	struct ctui_error undo = { 0 };
	char ifname[IFNAMSIZ];

	if (child > 0) {
		kill(child, SIGKILL);
		waitpid(child, NULL, 0);
	}

	ctui_net_host_ifname(spec->ipv4, ifname);
	if (veth_created && ctui_net_veth_delete(ifname, &undo) < 0)
		ctui_log(LOG_ERR, spec->name, "undo start: %s", undo.message);
	if (ctui_cgroup_destroy(spec->cgroup_parent, spec->name, &undo) < 0)
		ctui_log(LOG_ERR, spec->name, "undo start: %s", undo.message);
}

int ctui_container_start(const struct ctui_container_spec *spec, pid_t *pid,
			 unsigned long long *start_time, struct ctui_error *err)
{
	cleanup_close int init_fd = -1;
	cleanup_close int console_fd = -1;
	cleanup_free cap_value_t *caps = NULL;
	cleanup_free char **argv = NULL;
	char timeouts[2][16];
	int sync_pipe[2] = { -1, -1 }, error_pipe[2] = { -1, -1 };
	struct ctui_child_ctx ctx;
	bool veth_created = false;
	pid_t child = -1;
	size_t n_caps = 0;

	if (check_spec(spec, err) < 0 || parse_capabilities(spec, &caps, &n_caps, err) < 0 ||
	    open_files(spec, &init_fd, &console_fd, err) < 0)
		return -1;

	if (ctui_cgroup_create(spec->cgroup_parent, spec->name, &spec->limits, err) < 0)
		return -1;

	if (pipe2(sync_pipe, O_CLOEXEC) < 0 || pipe2(error_pipe, O_CLOEXEC) < 0) {
		ctui_error_errno(err, errno, _("cannot create a pipe"));
		goto fail;
	}

	argv = init_argv(spec, timeouts);
	ctx = (struct ctui_child_ctx){
		.spec = spec,
		.init_fd = init_fd,
		.console_fd = console_fd,
		.sync_fd = sync_pipe[0],
		.error_fd = error_pipe[1],
		.argv = argv,
		.caps = caps,
		.n_caps = n_caps,
	};
	child = clone_child(&ctx, err);
	close(sync_pipe[0]);
	close(error_pipe[1]);
	sync_pipe[0] = error_pipe[1] = -1;
	if (child < 0)
		goto fail;

	if (setup_child(spec, child, sync_pipe[1], error_pipe[0], &veth_created, err) < 0)
		goto fail;
	if (ctui_proc_start_time(child, start_time, err) < 0)
		goto fail;

	close(sync_pipe[1]);
	close(error_pipe[0]);
	*pid = child;
	return 0;

fail:
	/* Closing the sync pipe first lets a child still waiting on it exit. */
	for (int i = 0; i < 2; i++) {
		if (sync_pipe[i] >= 0)
			close(sync_pipe[i]);
		if (error_pipe[i] >= 0)
			close(error_pipe[i]);
	}
	undo_start(spec, child, veth_created);
	return -1;
}

static int pidfd_open(pid_t pid)
{
	return (int)syscall(SYS_pidfd_open, pid, 0);
}

static int pidfd_signal(int pidfd, int sig)
{
	return (int)syscall(SYS_pidfd_send_signal, pidfd, sig, NULL, 0);
}

/* Waits up to TIMEOUT_MS for the process behind PIDFD to exit. */
static bool wait_exit(int pidfd, unsigned timeout_ms)
{
	struct pollfd pfd = { .fd = pidfd, .events = POLLIN };
	int rc;

	do
		rc = poll(&pfd, 1, (int)timeout_ms);
	while (rc < 0 && errno == EINTR);
	return rc > 0;
}

/* Ends the init identified by PID and START_TIME: SIGTERM, then SIGKILL
 * after TIMEOUT_MS. The pidfd pins the process, so once its start time has
 * been checked no signal can reach a recycled pid. */
static int stop_init(const char *name, pid_t pid, unsigned long long start_time,
		     unsigned timeout_ms, struct ctui_error *err)
{
	cleanup_close int pidfd = pidfd_open(pid);
	siginfo_t info;

	if (pidfd < 0 && errno == ESRCH)
		return 0;
	if (pidfd < 0)
		return ctui_error_errno(err, errno, _("cannot open pid %d"), (int)pid);

	if (ctui_proc_alive(pid, start_time)) {
		if (pidfd_signal(pidfd, SIGTERM) < 0 && errno != ESRCH)
			return ctui_error_errno(err, errno, _("cannot send SIGTERM to pid %d"),
						(int)pid);

		if (!wait_exit(pidfd, timeout_ms)) {
			ctui_log(LOG_WARNING, name, "init (pid %d) still running %u ms after "
				 "SIGTERM, sending SIGKILL", (int)pid, timeout_ms);
			if (pidfd_signal(pidfd, SIGKILL) < 0 && errno != ESRCH)
				return ctui_error_errno(err, errno,
							_("cannot send SIGKILL to pid %d"), (int)pid);
			if (!wait_exit(pidfd, KILL_WAIT_MS))
				return ctui_error_set(err, ETIMEDOUT,
						      _("pid %d still exists %d ms after SIGKILL"),
						      (int)pid, KILL_WAIT_MS);
		}
	}

	/* When this process started the container, the exited init is its
	 * child and is reaped here; otherwise its own parent reaps it. */
	waitid((idtype_t)P_PIDFD, (id_t)pidfd, &info, WEXITED | WNOHANG);
	return 0;
}

int ctui_container_stop(const char *name, pid_t pid, unsigned long long start_time,
			uint32_t ipv4, const char *cgroup_parent, unsigned timeout_ms,
			struct ctui_error *err)
{
	char ifname[IFNAMSIZ];

	if (pid > 0 && stop_init(name, pid, start_time, timeout_ms, err) < 0)
		return ctui_error_prefix(err, _("cannot stop site %s"), name);

	/* The veth usually vanishes with the namespace; this covers the rest. */
	ctui_net_host_ifname(ipv4, ifname);
	if (ctui_net_veth_delete(ifname, err) < 0 ||
	    ctui_cgroup_destroy(cgroup_parent, name, err) < 0)
		return ctui_error_prefix(err, _("cannot stop site %s"), name);
	return 0;
}
