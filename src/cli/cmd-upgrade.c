/* upgrade: move a site onto its template's current base. */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "util/util.h"

int cmd_upgrade(struct cli *cli, int argc, char **argv)
{
	char old_version[CTUI_VERSION_MAX], new_version[CTUI_VERSION_MAX];
	struct ctui_error err = { 0 };
	struct ctui_engine *engine;
	int ret;

	if (cli_wants_help(argc, argv)) {
		printf(_("Usage: ctui upgrade NAME\n"
			 "Move site NAME onto the current base of its template (after `ctui template\n"
			 "rebuild`). The site's own files stay: a file it changed keeps the site's\n"
			 "copy, every other file comes from the new base. A running site is stopped\n"
			 "and started again, and goes back to its old base if it does not start.\n"));
		return CLI_OK;
	}
	if (argc != 2)
		return cli_usage_error("upgrade", _("expected one site name"));

	engine = cli_open_engine(cli);
	if (!engine)
		return CLI_FAILED;
	ret = ctui_site_upgrade(engine, argv[1], old_version, new_version, &err);
	ctui_engine_close(engine);
	if (ret < 0)
		return cli_fail(&err);

	if (!strcmp(old_version, new_version))
		printf(_("Site %s is already on the current base %s\n"), argv[1], new_version);
	else
		printf(_("Upgraded site %s from %s to %s\n"), argv[1], old_version, new_version);
	return CLI_OK;
}
