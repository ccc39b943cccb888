/* Read-only figures and paths that the TUI shows beside the site table. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "engine/auth.h"
#include "engine/apache.h"
#include "engine/cgroup.h"
#include "engine/dns.h"
#include "engine/engine-internal.h"
#include "engine/proc.h"
#include "engine/rootfs.h"
#include "engine/subnet.h"
#include "util/util.h"

/* Sums the first line of /proc/stat: "cpu user nice system idle iowait irq
 * softirq steal ...". Guest time is already counted in user and nice. */
static int read_cpu_jiffies(unsigned long long *busy, unsigned long long *total,
			    struct ctui_error *err)
{
	cleanup_fclose FILE *file = fopen("/proc/stat", "re");
	unsigned long long v[8] = { 0 };

	if (!file)
		return ctui_error_errno(err, errno, _("cannot open %s"), "/proc/stat");
	if (fscanf(file, "cpu %llu %llu %llu %llu %llu %llu %llu %llu", &v[0], &v[1], &v[2], &v[3],
		   &v[4], &v[5], &v[6], &v[7]) < 4)
		return ctui_error_set(err, EINVAL, _("cannot parse the cpu line of %s"), "/proc/stat");

	*total = 0;
	for (size_t i = 0; i < 8; i++)
		*total += v[i];
	*busy = *total - v[3] - v[4];
	return 0;
}

static int read_memory(unsigned long long *total, unsigned long long *used, struct ctui_error *err)
{
	cleanup_fclose FILE *file = fopen("/proc/meminfo", "re");
	unsigned long long mem_total = 0, mem_available = 0, kib;
	char line[256];

	if (!file)
		return ctui_error_errno(err, errno, _("cannot open %s"), "/proc/meminfo");
	while (fgets(line, sizeof line, file)) {
		if (sscanf(line, "MemTotal: %llu kB", &kib) == 1)
			mem_total = kib * 1024;
		else if (sscanf(line, "MemAvailable: %llu kB", &kib) == 1)
			mem_available = kib * 1024;
	}
	if (!mem_total)
		return ctui_error_set(err, EINVAL, _("no MemTotal line in %s"), "/proc/meminfo");

	*total = mem_total;
	*used = mem_available < mem_total ? mem_total - mem_available : 0;
	return 0;
}

int ctui_host_usage(struct ctui_engine *engine, struct ctui_host_usage *usage,
		    struct ctui_error *err)
{
	const struct ctui_config *cfg = &engine->cfg;
	cleanup_free uint32_t *used = NULL;
	uint32_t none = 0;
	size_t n_used = 0;

	if (read_cpu_jiffies(&usage->cpu_busy, &usage->cpu_total, err) < 0)
		return -1;
	if (read_memory(&usage->memory_total, &usage->memory_used, err) < 0)
		return -1;

	if (ctui_db_used_addresses(engine->db, &used, &n_used, err) < 0)
		return -1;
	usage->addresses_free = ctui_subnet_free_count(cfg->subnet, cfg->prefix, cfg->gateway,
						       used ? used : &none, n_used);
	return 0;
}

int ctui_site_usage_of(struct ctui_engine *engine, const struct ctui_site *site,
		       struct ctui_site_usage *usage, struct ctui_error *err)
{
	if (site->state != CTUI_STATE_RUNNING && site->state != CTUI_STATE_STARTING)
		return ctui_error_set(err, ESRCH, _("site %s is not running"), site->name);

	return ctui_cgroup_read(engine->cfg.cgroup_parent, site->name, &usage->limits,
				&usage->cpu_ns, &usage->memory, &usage->pids, err);
}

static bool is_running(const struct ctui_site *site)
{
	return (site->state == CTUI_STATE_RUNNING || site->state == CTUI_STATE_STARTING) &&
	       ctui_proc_alive(site->init_pid, site->init_start_time);
}

int ctui_site_paths(struct ctui_engine *engine, const struct ctui_site *site,
		    struct ctui_site_paths *paths, struct ctui_error *err)
{
	const struct ctui_config *cfg = &engine->cfg;
	struct ctui_rootfs_paths rootfs;

	if (engine_authorize(engine, ENGINE_ACTION_READ, site->name, err) < 0)
		return -1;
	if (is_running(site)) {
		paths->root = xasprintf("/proc/%d/root", (int)site->init_pid);
	} else {
		/* NOTE: a stopped image site's upper directory is inside its
		 * unmounted image, so ROOT does not exist until it starts. */
		ctui_rootfs_paths(cfg, site->name, site->storage, &rootfs);
		paths->root = xstrdup(rootfs.upper);
		ctui_rootfs_paths_free(&rootfs);
	}
	paths->document_root = "var/www/html";
	paths->log_dir = "var/log/apache2";
	paths->vhost = ctui_apache_vhost_path(cfg, site->name);
	if (ctui_dns_in_zone(site->domain, cfg->zone))
		paths->dns_record = xasprintf("%s. %u IN CNAME %s.", site->domain, cfg->dns_ttl,
					      cfg->zone);
	else
		paths->dns_record = xstrdup("");
	return 0;
}

void ctui_site_paths_free(struct ctui_site_paths *paths)
{
	free(paths->root);
	free(paths->vhost);
	free(paths->dns_record);
	memset(paths, 0, sizeof *paths);
}

/* The seconds since boot, from the first field of /proc/uptime. */
static double boot_uptime(void)
{
	cleanup_fclose FILE *file = fopen("/proc/uptime", "re");
	double seconds = 0;

	if (!file || fscanf(file, "%lf", &seconds) != 1)
		return 0;
	return seconds;
}

unsigned long long ctui_site_uptime(const struct ctui_site *site)
{
	long ticks = sysconf(_SC_CLK_TCK);
	double started, now;

	if (!is_running(site) || ticks <= 0)
		return 0;
	started = (double)site->init_start_time / (double)ticks;
	now = boot_uptime();
	return now > started ? (unsigned long long)(now - started) : 0;
}
