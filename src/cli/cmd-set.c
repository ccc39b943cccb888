/* ctui set NAME OPTION...: changes an existing site. Each option is one row
 * of set_options; a new setting needs a row, a parser and a field in
 * struct ctui_site_settings. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "ctui/auth.h"
#include "util/util.h"

struct set_option {
	const char *name;
	const char *argument;     /* shown in the help, e.g. "on|off" */
	const char *help;         /* untranslated; shown through gettext */
	/* Stores ARG in SETTINGS; returns -1 with a message in ERROR when it is
	 * invalid. */
	int (*parse)(const char *arg, struct ctui_site_settings *settings, char *error,
		     size_t size);
};

static int parse_on_off(const char *arg, enum ctui_setting *setting, char *error, size_t size)
{
	if (cli_parse_setting(arg, setting) == 0)
		return 0;
	snprintf(error, size, _("expected on or off, not \"%s\""), arg);
	return -1;
}

static int parse_redirect(const char *arg, struct ctui_site_settings *settings, char *error,
			  size_t size)
{
	return parse_on_off(arg, &settings->redirect, error, size);
}

static int parse_hsts(const char *arg, struct ctui_site_settings *settings, char *error,
		      size_t size)
{
	return parse_on_off(arg, &settings->hsts, error, size);
}

static int parse_owner(const char *arg, struct ctui_site_settings *settings, char *error,
		       size_t size)
{
	if (!arg[0]) {
		snprintf(error, size, _("expected a user id"));
		return -1;
	}
	settings->owner = arg;
	return 0;
}

static const struct set_option set_options[] = {
	{ "redirect", "on|off", N_("redirect HTTP to HTTPS once the certificate is served"),
	  parse_redirect },
	{ "hsts", "on|off", N_("send Strict-Transport-Security over HTTPS"), parse_hsts },
	{ "owner", "UID", N_("give the site to this user id (administrators only)"), parse_owner },
};

#define SET_OPTION_COUNT (sizeof set_options / sizeof set_options[0])

static void usage(void)
{
	char left[64];

	printf(_("Usage: ctui set NAME OPTION...\n"
		 "Change a site's settings; Apache is reloaded when its vhost changes.\n"
		 "\n"));
	for (size_t i = 0; i < SET_OPTION_COUNT; i++) {
		snprintf(left, sizeof left, "--%s %s", set_options[i].name, set_options[i].argument);
		printf("  %-24s %s\n", left, _(set_options[i].help));
	}
	printf("  %-24s %s\n", "-h, --help", _("show this help"));
}

/* Fills SETTINGS from the options; returns the index of the first operand,
 * or -1 after printing a usage error. */
static int parse_options(int argc, char **argv, struct ctui_site_settings *settings)
{
	struct option options[SET_OPTION_COUNT + 2];
	char error[256];
	int opt, index;

	for (size_t i = 0; i < SET_OPTION_COUNT; i++)
		options[i] = (struct option){ set_options[i].name, required_argument, NULL, 0 };
	options[SET_OPTION_COUNT] = (struct option){ "help", no_argument, NULL, 'h' };
	options[SET_OPTION_COUNT + 1] = (struct option){ NULL, 0, NULL, 0 };

	while ((opt = getopt_long(argc, argv, "h", options, &index)) != -1) {
		if (opt == 'h') {
			usage();
			return 0;
		}
		if (opt != 0) {
			cli_usage_error("set", _("invalid option"));
			return -1;
		}
		if (set_options[index].parse(optarg, settings, error, sizeof error) < 0) {
			cli_usage_error("set", "--%s: %s", set_options[index].name, error);
			return -1;
		}
	}
	return optind;
}

int cmd_set(struct cli *cli, int argc, char **argv)
{
	struct ctui_site_settings settings = { 0 };
	struct ctui_error err = { 0 };
	struct ctui_engine *engine;
	int first, ret;

	first = parse_options(argc, argv, &settings);
	if (first <= 0)
		return first == 0 ? CLI_OK : CLI_USAGE;
	if (first != argc - 1)
		return cli_usage_error("set", _("expected one site name"));
	if (first == 1)
		return cli_usage_error("set", _("nothing to change: give at least one option"));

	engine = cli_open_engine(cli);
	if (!engine)
		return CLI_FAILED;
	ret = 0;
	if (settings.owner)
		ret = ctui_site_set_owner(engine, argv[first], settings.owner, &err);
	if (ret == 0 && (settings.redirect || settings.hsts))
		ret = ctui_site_set(engine, argv[first], &settings, &err);
	ctui_engine_close(engine);
	return ret < 0 ? cli_fail(&err) : CLI_OK;
}
