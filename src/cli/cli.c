#include "cli/cli.h"

#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "ctui/auth.h"
#include "util/util.h"

struct ctui_engine *cli_open_engine(struct cli *cli)
{
	struct ctui_error err = { 0 };
	struct ctui_engine *engine;

	if (ctui_engine_open(&engine, cli->config_path, cli->actor, &err) < 0) {
		cli_fail(&err);
		return NULL;
	}
	if (cli->as_user && ctui_auth_act_as(engine, cli->as_user, &err) < 0) {
		cli_fail(&err);
		ctui_engine_close(engine);
		return NULL;
	}
	return engine;
}

int cli_fail(const struct ctui_error *err)
{
	fprintf(stderr, "ctui: %s\n", err->message);
	return CLI_FAILED;
}

int cli_option_error(const char *verb, int opt, char **argv)
{
	const char *arg = argv[optind - 1];
	const char *equals = strchr(arg, '=');
	char short_name[3] = { '-', (char)optopt, '\0' };
	bool is_long = !strncmp(arg, "--", 2);

	/* A short option may sit in a bundle such as -qd, where optind can
	 * already point past it or not yet: getopt names it in optopt. */
	if (!is_long && optopt > 0)
		arg = short_name;
	if (opt == ':')
		return cli_usage_error(verb, _("option %s needs a value"), arg);
	/* getopt names a known long option in optopt when it got a value
	 * that it does not take. */
	if (is_long && equals && optopt > 0)
		return cli_usage_error(verb, _("option %.*s takes no value"), (int)(equals - arg),
				       arg);
	return cli_usage_error(verb, _("unknown option %s"), arg);
}

int cli_usage_error(const char *verb, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "ctui %s: ", verb);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\n");
	fprintf(stderr, _("Run `ctui %s --help` for usage.\n"), verb);
	return CLI_USAGE;
}

int cli_wants_help(int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--"))
			break;
		if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help"))
			return 1;
	}
	return 0;
}

int cli_parse_setting(const char *text, enum ctui_setting *setting)
{
	if (!strcmp(text, "on"))
		*setting = CTUI_SETTING_ON;
	else if (!strcmp(text, "off"))
		*setting = CTUI_SETTING_OFF;
	else
		return -1;
	return 0;
}
