/* ctui set NAME OPTION...: changes an existing site. Each option is one row
 * of set_options; a new setting needs a row, a parser and a field in
 * struct ctui_site_settings or struct ctui_limit_changes. */
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "ctui/auth.h"
#include "ctui/limits.h"
#include "util/util.h"

/* The changes the options request. HTTPS settings and limits go to two
 * engine calls. */
struct set_request {
	struct ctui_site_settings settings;
	struct ctui_limit_changes limits;
	bool settings_given, limits_given;
};

struct set_option {
	const char *name;
	const char *argument;     /* shown in the help, e.g. "on|off" */
	const char *help;         /* untranslated; shown through gettext */
	/* Stores ARG in REQUEST; returns -1 with a message in ERROR when it is
	 * invalid. */
	int (*parse)(const char *arg, struct set_request *request, char *error, size_t size);
};

static int parse_on_off(const char *arg, enum ctui_setting *setting, char *error, size_t size)
{
	if (cli_parse_setting(arg, setting) == 0)
		return 0;
	snprintf(error, size, _("expected on or off, not \"%s\""), arg);
	return -1;
}

static int parse_redirect(const char *arg, struct set_request *request, char *error, size_t size)
{
	request->settings_given = true;
	return parse_on_off(arg, &request->settings.redirect, error, size);
}

static int parse_hsts(const char *arg, struct set_request *request, char *error, size_t size)
{
	request->settings_given = true;
	return parse_on_off(arg, &request->settings.hsts, error, size);
}

/* Copies a limit parser's message into ERROR when RET is negative. */
static int limit_result(int ret, const struct ctui_error *err, struct set_request *request,
			char *error, size_t size)
{
	if (ret < 0) {
		snprintf(error, size, "%s", err->message);
		return -1;
	}
	request->limits_given = true;
	return 0;
}

static int parse_cpu_shares(const char *arg, struct set_request *request, char *error,
			    size_t size)
{
	struct ctui_error err = { 0 };
	int ret = ctui_parse_cpu_shares(arg, &request->limits.limits.cpu_shares, &err);

	return limit_result(ret, &err, request, error, size);
}

static int parse_cpu_max(const char *arg, struct set_request *request, char *error, size_t size)
{
	struct ctui_error err = { 0 };
	int ret = ctui_parse_cpu_max(arg, &request->limits.limits.cpu_max, &err);

	request->limits.no_cpu_max = ret == 0 && request->limits.limits.cpu_max == 0;
	return limit_result(ret, &err, request, error, size);
}

static int parse_memory(const char *arg, struct set_request *request, char *error, size_t size)
{
	struct ctui_error err = { 0 };
	int ret = ctui_parse_memory(arg, &request->limits.limits.memory, &err);

	return limit_result(ret, &err, request, error, size);
}

static int parse_pids(const char *arg, struct set_request *request, char *error, size_t size)
{
	struct ctui_error err = { 0 };
	int ret = ctui_parse_pids(arg, &request->limits.limits.pids, &err);

	return limit_result(ret, &err, request, error, size);
}

static int parse_disk(const char *arg, struct set_request *request, char *error, size_t size)
{
	struct ctui_error err = { 0 };
	int ret = ctui_parse_disk(arg, &request->limits.limits.disk, &err);

	return limit_result(ret, &err, request, error, size);
}

static int parse_owner(const char *arg, struct set_request *request, char *error, size_t size)
{
	if (!arg[0]) {
		snprintf(error, size, _("expected a user id"));
		return -1;
	}
	request->settings.owner = arg;
	return 0;
}

static const struct set_option set_options[] = {
	{ "redirect", "on|off", N_("redirect HTTP to HTTPS once the certificate is served"),
	  parse_redirect },
	{ "hsts", "on|off", N_("send Strict-Transport-Security over HTTPS"), parse_hsts },
	{ "owner", "UID", N_("give the site to this user id (administrators only)"), parse_owner },
	{ "cpu-shares", "N", N_("relative CPU weight, 2 to 262144"), parse_cpu_shares },
	{ "cpu-max", "PCT", N_("hard CPU cap in percent of one CPU, 1 to 100, or none"),
	  parse_cpu_max },
	{ "memory", "SIZE", N_("memory limit, at least 16M, e.g. 256M"), parse_memory },
	{ "pids", "N", N_("maximum number of tasks"), parse_pids },
	{ "disk", "SIZE", N_("grow the disk image of an image site to SIZE"), parse_disk },
};

#define SET_OPTION_COUNT (sizeof set_options / sizeof set_options[0])

static void usage(void)
{
	char left[64];

	printf(_("Usage: ctui set NAME OPTION...\n"
		 "Change a site's settings; Apache is reloaded when its vhost changes.\n"
		 "A running site gets new limits at once, a stopped one at its next start.\n"
		 "\n"));
	for (size_t i = 0; i < SET_OPTION_COUNT; i++) {
		snprintf(left, sizeof left, "--%s %s", set_options[i].name, set_options[i].argument);
		printf("  %-24s %s\n", left, _(set_options[i].help));
	}
	printf("  %-24s %s\n", "-h, --help", _("show this help"));
}

/* Fills SETTINGS from the options; returns the index of the first operand,
 * or -1 after printing a usage error. */
static int parse_options(int argc, char **argv, struct set_request *request)
{
	struct option options[SET_OPTION_COUNT + 2];
	char error[256];
	int opt, index;

	for (size_t i = 0; i < SET_OPTION_COUNT; i++)
		options[i] = (struct option){ set_options[i].name, required_argument, NULL, 0 };
	options[SET_OPTION_COUNT] = (struct option){ "help", no_argument, NULL, 'h' };
	options[SET_OPTION_COUNT + 1] = (struct option){ NULL, 0, NULL, 0 };

	opterr = 0;
	while ((opt = getopt_long(argc, argv, ":h", options, &index)) != -1) {
		if (opt == 'h') {
			usage();
			return 0;
		}
		if (opt != 0) {
			cli_option_error("set", opt, argv);
			return -1;
		}
		if (set_options[index].parse(optarg, request, error, sizeof error) < 0) {
			cli_usage_error("set", "--%s: %s", set_options[index].name, error);
			return -1;
		}
	}
	return optind;
}

int cmd_set(struct cli *cli, int argc, char **argv)
{
	struct set_request request = { 0 };
	struct ctui_error err = { 0 };
	struct ctui_engine *engine;
	int first, ret = 0;

	first = parse_options(argc, argv, &request);
	if (first <= 0)
		return first == 0 ? CLI_OK : CLI_USAGE;
	if (first != argc - 1)
		return cli_usage_error("set", _("expected one site name"));
	if (first == 1)
		return cli_usage_error("set", _("nothing to change: give at least one option"));

	engine = cli_open_engine(cli);
	if (!engine)
		return CLI_FAILED;
	/* Limits go first: the engine checks them against the site, and a
	 * rejected value must leave the owner and HTTPS settings unchanged too. */
	if (request.limits_given)
		ret = ctui_site_set_limits(engine, argv[first], &request.limits, &err);
	if (ret == 0 && request.settings.owner)
		ret = ctui_site_set_owner(engine, argv[first], request.settings.owner, &err);
	if (ret == 0 && request.settings_given)
		ret = ctui_site_set(engine, argv[first], &request.settings, &err);
	ctui_engine_close(engine);
	if (ret < 0)
		return cli_fail(&err);
	printf(_("Changed site %s; `ctui status %s` shows its settings\n"), argv[first],
	       argv[first]);
	return CLI_OK;
}
