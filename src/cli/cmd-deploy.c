/* deploy SITE DIR|ARCHIVE and rollback SITE. */
#include <inttypes.h>
#include <stdio.h>

#include "cli/cli.h"
#include "ctui/deploy.h"
#include "util/util.h"

static void deploy_usage(void)
{
	printf(_("Usage: ctui deploy SITE DIR|ARCHIVE\n"
		 "Replace the site's document root (/var/www/html) with a directory or an archive\n"
		 "(tar, zip, cpio, 7z..., compressed or not). Every entry is checked first: an\n"
		 "absolute path, \"..\", a device node, a FIFO, a setuid file or a link out of the\n"
		 "document root rejects the deploy before anything is written. The new tree is\n"
		 "owned by the site's www-data user and switched in with one rename, on a running\n"
		 "or a stopped site. The old tree is kept for `ctui rollback SITE`.\n"
		 "\n"
		 "  -h, --help      show this help\n"));
}

static void rollback_usage(void)
{
	printf(_("Usage: ctui rollback SITE\n"
		 "Exchange the site's document root with the version that the last deploy\n"
		 "replaced. A second rollback brings the deployed version back.\n"
		 "\n"
		 "  -h, --help      show this help\n"));
}

int cmd_deploy(struct cli *cli, int argc, char **argv)
{
	struct ctui_deploy_result result = { 0 };
	struct ctui_error err = { 0 };
	struct ctui_engine *engine;
	int ret;

	if (cli_wants_help(argc, argv)) {
		deploy_usage();
		return CLI_OK;
	}
	if (argc != 3 || argv[1][0] == '-')
		return cli_usage_error("deploy", _("expected a site name and a directory or an "
						   "archive"));

	engine = cli_open_engine(cli);
	if (!engine)
		return CLI_FAILED;
	ret = ctui_site_deploy(engine, argv[1], argv[2], &result, &err);
	ctui_engine_close(engine);

	if (ret < 0)
		return cli_fail(&err);
	printf(ngettext("Deployed %s to site %s: %" PRIu64 " entry, %" PRIu64 " bytes (undo "
			"with `ctui rollback %s`)\n",
			"Deployed %s to site %s: %" PRIu64 " entries, %" PRIu64 " bytes (undo "
			"with `ctui rollback %s`)\n",
			result.entries == 1 ? 1 : 2),
	       argv[2], argv[1], result.entries, result.bytes, argv[1]);
	return CLI_OK;
}

int cmd_rollback(struct cli *cli, int argc, char **argv)
{
	struct ctui_error err = { 0 };
	struct ctui_engine *engine;
	int ret;

	if (cli_wants_help(argc, argv)) {
		rollback_usage();
		return CLI_OK;
	}
	if (argc != 2 || argv[1][0] == '-')
		return cli_usage_error("rollback", _("expected one site name"));

	engine = cli_open_engine(cli);
	if (!engine)
		return CLI_FAILED;
	ret = ctui_site_rollback(engine, argv[1], &err);
	ctui_engine_close(engine);

	if (ret < 0)
		return cli_fail(&err);
	printf(_("Rolled back site %s to its previous version (run it again to undo)\n"), argv[1]);
	return CLI_OK;
}
