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

/* Names the sites of template NAME that are not on its current base. */
static void print_older_sites(struct ctui_engine *engine, const char *name)
{
	struct ctui_template_info *templates = NULL;
	struct ctui_site *sites = NULL;
	struct ctui_error err = { 0 };
	const char *current = NULL;
	size_t n_templates = 0, n_sites = 0;

	if (ctui_template_list(engine, &templates, &n_templates, &err) < 0 ||
	    ctui_site_list(engine, &sites, &n_sites, &err) < 0) {
		fprintf(stderr, _("ctui: cannot list the sites on older versions: %s\n"), err.message);
		free(templates);
		return;
	}
	for (size_t i = 0; i < n_templates; i++)
		if (!strcmp(templates[i].name, name))
			current = templates[i].version;

	for (size_t i = 0; current && i < n_sites; i++) {
		if (strcmp(sites[i].template_name, name) != 0 ||
		    !strcmp(sites[i].template_version, current))
			continue;
		printf(_("Site %s stays on version %s until `ctui upgrade %s`\n"), sites[i].name,
		       sites[i].template_version, sites[i].name);
	}
	free(sites);
	free(templates);
}

static int template_build(struct cli *cli, const char *name)
{
	struct ctui_error err = { 0 };
	struct ctui_engine *engine = cli_open_engine(cli);
	int ret;

	if (!engine)
		return CLI_FAILED;
	ret = ctui_template_build(engine, name, print_progress, NULL, &err);
	if (ret == 0)
		print_older_sites(engine, name);
	ctui_engine_close(engine);
	if (ret < 0)
		return cli_fail(&err);
	printf(_("Built template %s\n"), name);
	return CLI_OK;
}

static int template_prune(struct cli *cli, const char *name)
{
	struct ctui_error err = { 0 };
	struct ctui_engine *engine = cli_open_engine(cli);
	unsigned removed = 0;
	int ret;

	if (!engine)
		return CLI_FAILED;
	ret = ctui_template_prune(engine, name, print_progress, NULL, &removed, &err);
	ctui_engine_close(engine);
	if (ret < 0)
		return cli_fail(&err);
	printf(_("Removed %u unused version(s) of template %s\n"), removed, name);
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
			 "       ctui template rebuild NAME\n"
			 "       ctui template prune NAME\n"
			 "List the templates, or build NAME's root filesystem with debootstrap as a\n"
			 "new version (rebuild is the same). Existing sites keep the version they\n"
			 "use until `ctui upgrade SITE`. prune removes the versions that are not\n"
			 "current and that no site uses.\n"));
		return argc < 2 ? CLI_USAGE : CLI_OK;
	}
	if (!strcmp(argv[1], "list") && argc == 2)
		return template_list(cli);
	if ((!strcmp(argv[1], "build") || !strcmp(argv[1], "rebuild")) && argc == 3)
		return template_build(cli, argv[2]);
	if (!strcmp(argv[1], "prune") && argc == 3)
		return template_prune(cli, argv[2]);
	return cli_usage_error("template", _("expected `list`, `build NAME`, `rebuild NAME` or `prune NAME`"));
}
