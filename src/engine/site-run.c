/* Starting and stopping sites: the container, then the wait for the site's first HTTP
 * response, with the state recorded at each step. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "engine/auth.h"
#include "engine/cgroup.h"
#include "engine/container.h"
#include "engine/engine-internal.h"
#include "engine/log.h"
#include "engine/net.h"
#include "engine/proc.h"
#include "engine/rootfs.h"
#include "engine/sftp.h"
#include "engine/template.h"
#include "ctui/validate.h"
#include "util/util.h"

#define CONNECT_TIMEOUT_MS 100

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Sends one GET PATH to ADDR:80 with DOMAIN as Host and returns the status
 * code, or -1 when no response came before DEADLINE_MS. */
static int http_status(uint32_t addr, const char *domain, const char *path, long long deadline_ms)
{
	struct sockaddr_in sin = { .sin_family = AF_INET, .sin_port = htons(80) };
	char request[512], reply[64];
	struct pollfd pfd;
	size_t got = 0;
	int fd, status = -1;

	sin.sin_addr.s_addr = htonl(addr);
	fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return -1;

	/* A SYN sent while the new veth is still settling can be lost, and TCP
	 * would resend it only after a second: give up on a connection after
	 * CONNECT_TIMEOUT_MS and let the caller open a new one. */
	if (connect(fd, (struct sockaddr *)&sin, sizeof sin) < 0) {
		int error = 0;
		socklen_t len = sizeof error;

		pfd = (struct pollfd){ .fd = fd, .events = POLLOUT };
		if (errno != EINPROGRESS || poll(&pfd, 1, CONNECT_TIMEOUT_MS) <= 0)
			goto out;
		if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &len) < 0 || error != 0)
			goto out;
	}

	snprintf(request, sizeof request, "GET %s HTTP/1.0\r\nHost: %s\r\nUser-Agent: ctui\r\n\r\n",
		 path, domain);
	if (write(fd, request, strlen(request)) < 0)
		goto out;

	pfd = (struct pollfd){ .fd = fd, .events = POLLIN };
	while (got < sizeof reply - 1) {
		long long left = deadline_ms - now_ms();
		ssize_t n;

		if (left <= 0 || poll(&pfd, 1, (int)left) <= 0)
			goto out;
		n = read(fd, reply + got, sizeof reply - 1 - got);
		if (n <= 0)
			break;
		got += (size_t)n;
	}
	reply[got] = '\0';
	if (sscanf(reply, "HTTP/%*d.%*d %d", &status) != 1)
		status = -1;
out:
	close(fd);
	return status;
}

/* Whether STATUS passes the health check: any status below 500 for "/" when
 * the template names no path, 2xx or 3xx for the template's HEALTH_PATH. */
static bool status_is_healthy(int status, const char *health_path)
{
	if (health_path)
		return status >= 200 && status < 400;
	return status > 0 && status < 500;
}

/* Waits until the site passes its health check (status_is_healthy). */
static int wait_for_http(const struct ctui_site *site, const char *health_path, unsigned timeout_s,
			 struct ctui_error *err)
{
	const char *path = health_path ? health_path : "/";
	long long deadline = now_ms() + (long long)timeout_s * 1000;
	/* A refused connection costs a few microseconds: poll often, since
	 * the wait adds to every start. */
	const unsigned delay_us = 2000;
	int status = -1;

	while (now_ms() < deadline) {
		status = http_status(site->ipv4, site->domain, path, deadline);
		if (status_is_healthy(status, health_path))
			return 0;
		if (!ctui_proc_alive(site->init_pid, site->init_start_time))
			return ctui_error_set(err, ESRCH, _("the container's init exited"));
		usleep(delay_us);
	}
	if (status > 0)
		return ctui_error_set(err, ETIMEDOUT, _("the site answered HTTP %d to GET %s for %u s"),
				      status, path, timeout_s);
	return ctui_error_set(err, ETIMEDOUT, _("the site did not answer HTTP within %u s"),
			      timeout_s);
}

/* ctui-init takes at most 3600 s for each of its timeouts. */
static unsigned init_timeout(unsigned seconds)
{
	return seconds < 3600 ? seconds : 3600;
}

/* How long ctui waits for the init of a site of TPL to stop, in
 * milliseconds: ctui-init's worst case (ctui_template_stop_seconds()) and
 * 5 s to spare. Without a template, the stop_timeout of ctui.conf. */
static unsigned stop_wait_ms(const struct ctui_config *cfg, const struct ctui_template *tpl)
{
	if (!tpl)
		return cfg->stop_timeout * 1000;
	return (ctui_template_stop_seconds(tpl, init_timeout(cfg->stop_timeout)) + 5) * 1000;
}

/* Starts SITE's container. *HEALTH_PATH gets the template's health check
 * path or NULL; the caller frees it. */
static int start_container(struct ctui_engine *engine, struct ctui_site *site,
			   char **health_path, struct ctui_error *err)
{
	const struct ctui_config *cfg = &engine->cfg;
	struct ctui_template tpl = { 0 };
	struct ctui_rootfs_paths paths;
	cleanup_free char *lower = NULL;
	cleanup_free char *console = NULL;
	struct ctui_error undo = { 0 };
	bool mounted = false;
	int ret;

	if (ctui_template_load(cfg, site->template_name, &tpl, err) < 0)
		return -1;
	ctui_rootfs_paths(cfg, site->name, site->storage, &paths);
	/* A copy is the whole root: it has no lower layer. */
	if (site->storage != CTUI_STORAGE_COPY)
		lower = ctui_template_base_dir(cfg, site->template_name, site->template_version);
	console = xasprintf("%s/console.log", paths.dir);

	struct ctui_container_spec spec = {
		.name = site->name,
		.hostname = site->domain,
		.lower = lower,
		.upper = paths.upper,
		.work = paths.work,
		.root = paths.root,
		.ipv4 = site->ipv4,
		.prefix = cfg->prefix,
		.gateway = cfg->gateway,
		.bridge = cfg->bridge,
		.cgroup_parent = cfg->cgroup_parent,
		.limits = site->limits,
		.init_path = cfg->init_path,
		.services = tpl.services,
		.n_services = tpl.n_services,
		.stop_timeout = init_timeout(tpl.stop_timeout ? tpl.stop_timeout : cfg->stop_timeout),
		.start_timeout = init_timeout(cfg->start_timeout),
		.capabilities = (const char *const *)tpl.capabilities,
		.console_path = console,
	};

	ret = ctui_net_bridge_ensure(cfg->bridge, cfg->gateway, cfg->prefix, err);
	if (ret == 0)
		ret = ctui_rootfs_mount(cfg, site, &mounted, err);
	if (ret == 0)
		ret = ctui_container_start(&spec, &site->init_pid, &site->init_start_time, err);
	if (ret < 0 && mounted && ctui_rootfs_unmount(cfg, site, &undo) < 0)
		ctui_log(LOG_ERR, site->name, "undo: %s", undo.message);

	*health_path = ret == 0 ? steal_pointer(&tpl.health_path) : NULL;
	ctui_rootfs_paths_free(&paths);
	ctui_template_free(&tpl);
	return ret;
}

int engine_stop_locked(struct ctui_engine *engine, struct ctui_site *site, struct ctui_error *err)
{
	const struct ctui_config *cfg = &engine->cfg;
	struct ctui_template tpl;
	struct ctui_error ignored;
	unsigned wait_ms;

	if (site->state == CTUI_STATE_STOPPED)
		return 0;

	/* A site whose template file was removed or broken must still stop. */
	if (ctui_template_load(cfg, site->template_name, &tpl, &ignored) == 0) {
		wait_ms = stop_wait_ms(cfg, &tpl);
		ctui_template_free(&tpl);
	} else {
		wait_ms = stop_wait_ms(cfg, NULL);
	}

	if (site->state != CTUI_STATE_CRASHED &&
	    ctui_db_site_set_state(engine->db, site->name, CTUI_STATE_STOPPING, site->init_pid,
				   site->init_start_time, err) < 0)
		return -1;

	if (ctui_container_stop(site->name, site->init_pid, site->init_start_time, site->ipv4,
				cfg->cgroup_parent, wait_ms, err) < 0)
		return -1;
	if (ctui_rootfs_unmount(cfg, site, err) < 0)
		return -1;

	site->state = CTUI_STATE_STOPPED;
	site->init_pid = 0;
	site->init_start_time = 0;
	if (ctui_db_site_set_state(engine->db, site->name, CTUI_STATE_STOPPED, 0, 0, err) < 0)
		return -1;
	return engine_sftp_close(engine, site->name, err);
}

int engine_start_locked(struct ctui_engine *engine, const char *name, struct ctui_error *err)
{
	const struct ctui_config *cfg = &engine->cfg;
	struct ctui_error undo = { 0 };
	cleanup_free char *health_path = NULL;
	struct ctui_site site;

	if (engine_site_load(engine, name, &site, err) < 0)
		return -1;
	if (site.state == CTUI_STATE_RUNNING)
		return 0;

	/* A crashed site, or one left half-started by a killed ctui, is
	 * cleaned up first: its veth and cgroup may still exist. */
	if (engine_stop_locked(engine, &site, err) < 0)
		return -1;

	if (start_container(engine, &site, &health_path, err) < 0)
		return -1;
	if (ctui_db_site_set_state(engine->db, name, CTUI_STATE_STARTING, site.init_pid,
				   site.init_start_time, err) < 0)
		goto fail;

	if (wait_for_http(&site, health_path, cfg->start_timeout, err) < 0) {
		cleanup_free char *console = xasprintf("%s/sites/%s/console.log", cfg->state_dir,
						       name);

		ctui_error_prefix(err, _("the site did not come up (see %s)"), console);
		goto fail;
	}
	if (engine_sftp_open(engine, &site, err) < 0)
		goto fail;
	return ctui_db_site_set_state(engine->db, name, CTUI_STATE_RUNNING, site.init_pid,
				      site.init_start_time, err);

fail:
	site.state = CTUI_STATE_STARTING;
	if (engine_stop_locked(engine, &site, &undo) < 0)
		ctui_log(LOG_ERR, name, "undo: %s", undo.message);
	return -1;
}

/* Runs LOCKED on NAME while holding the site's lock. */
static int run_locked(struct ctui_engine *engine, const char *name,
		      int (*locked)(struct ctui_engine *, const char *, struct ctui_error *),
		      struct ctui_error *err)
{
	int lock, ret;

	if (ctui_validate_name(name, err) < 0)
		return -1;

	lock = engine_lock(engine, name, err);
	if (lock < 0)
		return -1;
	ret = locked(engine, name, err);
	engine_unlock(lock);
	return ret;
}

static int stop_by_name(struct ctui_engine *engine, const char *name, struct ctui_error *err)
{
	struct ctui_site site;

	if (engine_site_load(engine, name, &site, err) < 0)
		return -1;
	return engine_stop_locked(engine, &site, err);
}

static int restart_by_name(struct ctui_engine *engine, const char *name, struct ctui_error *err)
{
	if (stop_by_name(engine, name, err) < 0)
		return -1;
	return engine_start_locked(engine, name, err);
}

int ctui_site_start(struct ctui_engine *engine, const char *name, struct ctui_error *err)
{
	int ret;

	if (ctui_validate_name(name, err) == 0 && engine_authorize(engine, "start", name, err) < 0)
		return -1;
	ret = run_locked(engine, name, engine_start_locked, err);

	if (ret < 0)
		ctui_error_prefix(err, _("cannot start site %s"), name);
	return engine_finish(engine, "start", name, ret, err);
}

int ctui_site_stop(struct ctui_engine *engine, const char *name, struct ctui_error *err)
{
	int ret;

	if (ctui_validate_name(name, err) == 0 && engine_authorize(engine, "stop", name, err) < 0)
		return -1;
	ret = run_locked(engine, name, stop_by_name, err);

	if (ret < 0)
		ctui_error_prefix(err, _("cannot stop site %s"), name);
	return engine_finish(engine, "stop", name, ret, err);
}

int ctui_site_restart(struct ctui_engine *engine, const char *name, struct ctui_error *err)
{
	int ret;

	if (ctui_validate_name(name, err) == 0 && engine_authorize(engine, "restart", name, err) < 0)
		return -1;
	ret = run_locked(engine, name, restart_by_name, err);

	if (ret < 0)
		ctui_error_prefix(err, _("cannot restart site %s"), name);
	return engine_finish(engine, "restart", name, ret, err);
}

/* Lists the services of TPL that have a health command into BUF. */
static void list_health_services(const struct ctui_template *tpl, char *buf, size_t size)
{
	size_t len = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < tpl->n_services && len < size; i++) {
		if (!tpl->services[i].health)
			continue;
		len += (size_t)snprintf(buf + len, size - len, "%s%s", len ? " " : "",
					tpl->services[i].name);
	}
}

int ctui_site_health(struct ctui_engine *engine, const struct ctui_site *site,
		     struct ctui_site_health *health, struct ctui_error *err)
{
	struct ctui_template tpl;

	*health = (struct ctui_site_health){ .http_status = 0 };
	if (ctui_template_load(&engine->cfg, site->template_name, &tpl, err) < 0)
		return ctui_error_prefix(err, _("health check of site %s"), site->name);

	snprintf(health->path, sizeof health->path, "%s", tpl.health_path ? tpl.health_path : "/");
	health->strict = tpl.health_path != NULL;
	list_health_services(&tpl, health->services, sizeof health->services);

	if (site->state == CTUI_STATE_RUNNING) {
		health->http_status = http_status(site->ipv4, site->domain, health->path,
						  now_ms() + 2000);
		health->healthy = status_is_healthy(health->http_status, tpl.health_path);
	}
	ctui_template_free(&tpl);
	return 0;
}
