/* restore ARCHIVE [--as NAME]. */
#include <getopt.h>
#include <stdio.h>
#include <time.h>

#include "cli/cli.h"
#include "ctui/backup.h"
#include "util/util.h"

static void usage(void)
{
	printf(_("Usage: ctui restore ARCHIVE [--as NAME]\n"
		 "Recreate a stopped site from an archive of `ctui backup`: its files, limits,\n"
		 "Apache vhost and DNS record. The site keeps its address unless another site\n"
		 "uses it. The archive is checked against its manifest before the site exists.\n"
		 "\n"
		 "  -a, --as NAME   restore under this name, with the domain NAME.ZONE\n"
		 "  -h, --help      show this help\n"));
}

int cmd_restore(struct cli *cli, int argc, char **argv)
{
	static const struct option options[] = {
		{ "as", required_argument, NULL, 'a' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct ctui_restore_params params = { 0 };
	struct ctui_error err = { 0 };
	struct ctui_engine *engine;
	struct ctui_site site;
	struct timespec last;
	int opt, ret;

	opterr = 0;
	while ((opt = getopt_long(argc, argv, ":a:h", options, NULL)) != -1) {
		switch (opt) {
		case 'a':
			params.new_name = optarg;
			break;
		case 'h':
			usage();
			return CLI_OK;
		default:
			return cli_option_error("restore", opt, argv);
		}
	}
	if (optind != argc - 1)
		return cli_usage_error("restore", _("expected one archive"));
	params.archive = argv[optind];

	engine = cli_open_engine(cli);
	if (!engine)
		return CLI_FAILED;
	cli_backup_progress_setup(&params.progress, &params.ctx, &last);
	ret = ctui_site_restore(engine, &params, &site, &err);
	cli_backup_progress_end(params.progress);
	ctui_engine_close(engine);

	if (ret < 0)
		return cli_fail(&err);
	printf(_("Restored site %s: %s (stopped; start it with `ctui start %s`)\n"), site.name,
	       site.domain, site.name);
	return CLI_OK;
}
