#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "cli/cli.h"
#include "cli/format.h"
#include "util/util.h"

/* Returns TEXT padded to the label column; valid until the next call. */
static const char *label(const char *text)
{
	static char padded[128];

	return cli_pad(text, 16, padded, sizeof padded);
}

static void print_time(const char *name, time_t when)
{
	char text[64];
	struct tm tm;

	localtime_r(&when, &tm);
	strftime(text, sizeof text, "%Y-%m-%d %H:%M:%S %z", &tm);
	printf("%s %s\n", label(name), text);
}

/* A CPU cap as "25%", or "none". */
static const char *format_cpu_max(unsigned percent, char *buf, size_t size)
{
	if (!percent)
		return _("none");
	snprintf(buf, size, "%u%%", percent);
	return buf;
}

static void print_usage(struct ctui_engine *engine, const struct ctui_site *site)
{
	struct ctui_site_usage usage;
	struct ctui_error err = { 0 };
	char size[16], cap[16];

	if (ctui_site_usage(engine, site->name, &usage, &err) < 0) {
		printf("%s %s\n", label(_("usage:")), err.message);
		return;
	}
	printf("%s %.2f s\n", label(_("cpu time:")), (double)usage.cpu_ns / 1e9);
	printf("%s %s\n", label(_("memory used:")), cli_format_size(usage.memory, size));
	printf("%s %u\n", label(_("tasks:")), usage.pids);
	printf("%s %u\n", label(_("cgroup shares:")), usage.limits.cpu_shares);
	printf("%s %s\n", label(_("cgroup cpu max:")),
	       format_cpu_max(usage.limits.cpu_max, cap, sizeof cap));
	printf("%s %s\n", label(_("cgroup memory:")), cli_format_size(usage.limits.memory, size));
	printf("%s %u\n", label(_("cgroup pids:")), usage.limits.pids);
}

static const char *on_off(bool value)
{
	return value ? _("on") : _("off");
}

/* The certificate's state and, while the site is not on HTTPS, why. */
static void print_tls(struct ctui_engine *engine, const struct ctui_site *site)
{
	cleanup_free char *records = ctui_site_owner_records(engine, site);
	struct ctui_tls_status tls;
	struct ctui_error err = { 0 };

	printf("%s %s\n", label(_("dns record:")), site->record == CTUI_RECORD_CNAME ?
						   "CNAME" : "A/AAAA");
	if (records)
		printf("%s %s\n", label(_("owner must add:")), records);
	printf("%s %s\n", label(_("redirect:")), on_off(site->redirect));
	printf("%s %s\n", label(_("hsts:")), on_off(site->hsts));

	if (ctui_site_tls_status(engine, site->name, &tls, &err) < 0) {
		printf("%s %s\n", label(_("certificate:")), err.message);
		return;
	}
	printf("%s %s\n", label(_("certificate:")), ctui_tls_state_label(tls.state));
	if (tls.md_name[0])
		printf("%s %s\n", label(_("managed domain:")), tls.md_name);
	if (tls.reason[0])
		printf("%s %s\n", label(_("https:")), tls.reason);
}

/* The health check that `ctui start` waits for and, when the site runs, the
 * status it returns now. */
static void print_health(struct ctui_engine *engine, const struct ctui_site *site)
{
	struct ctui_site_health health;
	struct ctui_error err = { 0 };

	if (ctui_site_health(engine, site, &health, &err) < 0) {
		printf("%s %s\n", label(_("health check:")), err.message);
		return;
	}
	printf("%s GET %s (%s)\n", label(_("health check:")), health.path,
	       health.strict ? _("2xx or 3xx passes") : _("any answer below 500 passes"));
	if (health.services[0])
		printf("%s %s\n", label(_("service checks:")), health.services);
	if (site->state != CTUI_STATE_RUNNING)
		return;
	if (health.http_status > 0)
		printf("%s HTTP %d, %s\n", label(_("health:")), health.http_status,
		       health.healthy ? _("passes") : _("fails"));
	else
		printf("%s %s\n", label(_("health:")), _("no answer, fails"));
}

static void print_site(struct ctui_engine *engine, const struct ctui_site *site)
{
	const struct ctui_config *cfg = ctui_engine_config(engine);
	cleanup_free char *sftp = ctui_site_sftp_command(engine, site);
	char addr[16], size[16], cap[16];

	printf("%s %s\n", label(_("name:")), site->name);
	printf("%s %s\n", label(_("domain:")), site->domain);
	printf("%s %s\n", label(_("state:")), ctui_state_label(site->state));
	printf("%s %s\n", label(_("ipv4:")), cli_format_ipv4(site->ipv4, addr));
	printf("%s %s (%s)\n", label(_("template:")), site->template_name, site->template_version);
	printf("%s %s\n", label(_("storage:")), ctui_storage_name(site->storage));
	if (site->storage == CTUI_STORAGE_IMAGE)
		printf("%s %s\n", label(_("disk size:")), cli_format_size(site->limits.disk, size));
	printf("%s %s\n", label(_("model:")), site->model[0] ? site->model : _("none"));
	printf("%s %u\n", label(_("cpu shares:")), site->limits.cpu_shares);
	printf("%s %s\n", label(_("cpu max:")),
	       format_cpu_max(site->limits.cpu_max, cap, sizeof cap));
	printf("%s %s\n", label(_("memory limit:")), cli_format_size(site->limits.memory, size));
	printf("%s %u\n", label(_("pids limit:")), site->limits.pids);
	printf("%s %s\n", label(_("owner:")), site->owner);
	printf("%s %s/ctui-%s.conf\n", label(_("vhost:")), cfg->vhost_dir, site->name);
	if (sftp)
		printf("%s %s\n", label(_("sftp:")), sftp);
	print_tls(engine, site);
	print_health(engine, site);
	print_time(_("created:"), site->created);
	print_time(_("changed:"), site->changed);

	if (site->state == CTUI_STATE_RUNNING || site->state == CTUI_STATE_STARTING) {
		printf("%s %d\n", label(_("init pid:")), (int)site->init_pid);
		print_usage(engine, site);
	} else if (site->state == CTUI_STATE_CRASHED) {
		printf(_("The site's init process (pid %d) is gone: run `ctui restart %s`.\n"),
		       (int)site->init_pid, site->name);
	}
}

int cmd_status(struct cli *cli, int argc, char **argv)
{
	struct ctui_error err = { 0 };
	struct ctui_engine *engine;
	struct ctui_site site;

	if (cli_wants_help(argc, argv)) {
		printf(_("Usage: ctui status NAME\n"
			 "Show a site's settings, its state checked against the kernel, and when it\n"
			 "runs, the CPU, memory and task figures of its cgroup. The certificate\n"
			 "line says whether the site is on HTTPS yet, and if not, why.\n"));
		return CLI_OK;
	}
	if (argc != 2)
		return cli_usage_error("status", _("expected one site name"));

	engine = cli_open_engine(cli);
	if (!engine)
		return CLI_FAILED;
	if (ctui_site_get(engine, argv[1], &site, &err) < 0) {
		ctui_engine_close(engine);
		return cli_fail(&err);
	}
	print_site(engine, &site);
	ctui_engine_close(engine);
	return CLI_OK;
}
