/* start, stop, restart and destroy: one site name each, no options. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "util/util.h"

enum site_action { START, STOP, RESTART, DESTROY };

static int perform(struct ctui_engine *engine, enum site_action action, const char *name,
		   struct ctui_error *err)
{
	switch (action) {
	case START:
		return ctui_site_start(engine, name, err);
	case STOP:
		return ctui_site_stop(engine, name, err);
	case RESTART:
		return ctui_site_restart(engine, name, err);
	case DESTROY:
		return ctui_site_destroy(engine, name, err);
	}
	return -1;
}

static void print_done(enum site_action action, const char *name)
{
	switch (action) {
	case START:
		printf(_("Started site %s\n"), name);
		break;
	case STOP:
		printf(_("Stopped site %s\n"), name);
		break;
	case RESTART:
		printf(_("Restarted site %s\n"), name);
		break;
	case DESTROY:
		printf(_("Destroyed site %s\n"), name);
		break;
	}
}

static int run_site_action(struct cli *cli, int argc, char **argv, const char *help,
			   enum site_action action)
{
	struct ctui_error err = { 0 };
	struct ctui_engine *engine;
	int ret;

	if (cli_wants_help(argc, argv)) {
		fputs(help, stdout);
		return CLI_OK;
	}
	if (argc != 2 || argv[1][0] == '-')
		return cli_usage_error(argv[0], _("expected one site name"));

	engine = cli_open_engine(cli);
	if (!engine)
		return CLI_FAILED;
	ret = perform(engine, action, argv[1], &err);
	ctui_engine_close(engine);

	if (ret < 0)
		return cli_fail(&err);
	print_done(action, argv[1]);
	return CLI_OK;
}

int cmd_start(struct cli *cli, int argc, char **argv)
{
	return run_site_action(cli, argc, argv,
			       _("Usage: ctui start NAME\n"
				 "Start the site's container and wait until it answers HTTP.\n"),
			       START);
}

int cmd_stop(struct cli *cli, int argc, char **argv)
{
	return run_site_action(cli, argc, argv,
			       _("Usage: ctui stop NAME\n"
				 "Stop the site's container: SIGTERM to its services, SIGKILL after the\n"
				 "stop timeout of ctui.conf.\n"),
			       STOP);
}

int cmd_restart(struct cli *cli, int argc, char **argv)
{
	return run_site_action(cli, argc, argv,
			       _("Usage: ctui restart NAME\n"
				 "Stop the site if it runs, then start it.\n"),
			       RESTART);
}

int cmd_destroy(struct cli *cli, int argc, char **argv)
{
	return run_site_action(cli, argc, argv,
			       _("Usage: ctui destroy NAME\n"
				 "Stop the site if it runs, then delete its DNS record, Apache vhost,\n"
				 "files and database row. This cannot be undone.\n"),
			       DESTROY);
}
