#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli/cli.h"
#include "util/util.h"

static void print_progress(void *ctx, const char *line)
{
	(void)ctx;
	printf("%s\n", line);
	fflush(stdout);
}

static int template_build(struct cli *cli, const char *name)
{
	struct ctui_error err = { 0 };
	struct ctui_engine *engine = cli_open_engine(cli);
	int ret;

	if (!engine)
		return CLI_FAILED;
	ret = ctui_template_build(engine, name, print_progress, NULL, &err);
	ctui_engine_close(engine);
	if (ret < 0)
		return cli_fail(&err);
	printf(_("Built template %s\n"), name);
	return CLI_OK;
}

static int template_list(struct cli *cli)
{
	struct ctui_template_info *templates = NULL;
	struct ctui_error err = { 0 };
	struct ctui_engine *engine = cli_open_engine(cli);
	size_t count = 0;

	if (!engine)
		return CLI_FAILED;
	if (ctui_template_list(engine, &templates, &count, &err) < 0) {
		ctui_engine_close(engine);
		return cli_fail(&err);
	}

	printf("%-16s %-20s %-20s %s\n", _("NAME"), _("VERSION"), _("BUILT"), _("DESCRIPTION"));
	for (size_t i = 0; i < count; i++) {
		char built[32] = "-";
		struct tm tm;

		if (templates[i].built) {
			localtime_r(&templates[i].built, &tm);
			strftime(built, sizeof built, "%Y-%m-%d %H:%M", &tm);
		}
		printf("%-16s %-20s %-20s %s\n", templates[i].name,
		       templates[i].version[0] ? templates[i].version : _("(not built)"), built,
		       templates[i].description);
	}
	free(templates);
	ctui_engine_close(engine);
	return CLI_OK;
}

int cmd_template(struct cli *cli, int argc, char **argv)
{
	if (argc < 2 || cli_wants_help(argc, argv)) {
		printf(_("Usage: ctui template list\n"
			 "       ctui template build NAME\n"
			 "List the templates, or build NAME's root filesystem with debootstrap\n"
			 "(a rebuild replaces the base atomically; sites keep the base they use).\n"));
		return argc < 2 ? CLI_USAGE : CLI_OK;
	}
	if (!strcmp(argv[1], "list") && argc == 2)
		return template_list(cli);
	if (!strcmp(argv[1], "build") && argc == 3)
		return template_build(cli, argv[2]);
	return cli_usage_error("template", _("expected `list` or `build NAME`"));
}
