/* batch backup --all: for cron and systemd timers, no terminal needed. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "ctui/backup.h"
#include "ctui/validate.h"
#include "util/util.h"

static void usage(void)
{
	printf(_("Usage: ctui batch backup --all [OPTIONS]\n"
		 "Back up every site, one line per site on stdout; the exit status is 1 when\n"
		 "any site failed. Meant for cron or a systemd timer (see doc/backup.md).\n"
		 "\n"
		 "  -a, --all             every site (required)\n"
		 "  -d, --dest DIR        directory for the archives (default: STATE_DIR/backups)\n"
		 "  -k, --keep N          keep the N newest archives of each site, delete older\n"
		 "                        ones after a successful backup (default: keep all)\n"
		 "  -f, --full            the whole root filesystem of each site\n"
		 "  -z, --compress ALGO   zstd (default), gzip, xz or none\n"
		 "  -h, --help            show this help\n"));
}

/* Backs up one site and rotates its archives; prints its summary line. */
static int backup_one(struct ctui_engine *engine, struct ctui_backup_params *params,
		      unsigned keep)
{
	struct ctui_error err = { 0 };
	cleanup_free char *path = NULL;
	unsigned removed = 0;

	if (ctui_site_backup(engine, params, &path, &err) < 0) {
		printf(_("%s: FAILED: %s\n"), params->name, err.message);
		return -1;
	}
	if (keep && ctui_backup_rotate(engine, params->dest_dir, params->name, keep, &removed,
				       &err) < 0) {
		printf(_("%s: FAILED: backed up to %s, but rotation failed: %s\n"), params->name,
		       path, err.message);
		return -1;
	}
	printf(_("%s: ok %s (%u old removed)\n"), params->name, path, removed);
	return 0;
}

static int batch_backup(struct cli *cli, int argc, char **argv)
{
	static const struct option options[] = {
		{ "all", no_argument, NULL, 'a' },
		{ "dest", required_argument, NULL, 'd' },
		{ "keep", required_argument, NULL, 'k' },
		{ "full", no_argument, NULL, 'f' },
		{ "compress", required_argument, NULL, 'z' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct ctui_backup_params params = { 0 };
	cleanup_free struct ctui_site *sites = NULL;
	struct ctui_error err = { 0 };
	struct ctui_engine *engine;
	size_t count = 0, failed = 0;
	unsigned keep = 0;
	bool all = false;
	int opt;

	opterr = 0;
	while ((opt = getopt_long(argc, argv, ":ad:k:fz:h", options, NULL)) != -1) {
		switch (opt) {
		case 'a':
			all = true;
			break;
		case 'd':
			params.dest_dir = optarg;
			break;
		case 'k':
			if (ctui_parse_uint(optarg, 1, 100000, &keep, &err) < 0)
				return cli_usage_error("batch backup", "--keep: %s", err.message);
			break;
		case 'f':
			params.full = true;
			break;
		case 'z':
			if (ctui_compression_parse(optarg, &params.compression, &err) < 0)
				return cli_usage_error("batch backup", "--compress: %s", err.message);
			break;
		case 'h':
			usage();
			return CLI_OK;
		default:
			return cli_option_error("batch backup", opt, argv);
		}
	}
	if (!all || optind != argc)
		return cli_usage_error("batch backup", _("expected --all and no site name"));

	engine = cli_open_engine(cli);
	if (!engine)
		return CLI_FAILED;
	if (ctui_site_list(engine, &sites, &count, &err) < 0) {
		ctui_engine_close(engine);
		return cli_fail(&err);
	}
	for (size_t i = 0; i < count; i++) {
		params.name = sites[i].name;
		if (backup_one(engine, &params, keep) < 0)
			failed++;
		fflush(stdout);
	}
	ctui_engine_close(engine);

	if (failed)
		fprintf(stderr, _("ctui: %zu of %zu sites failed to back up\n"), failed, count);
	return failed ? CLI_FAILED : CLI_OK;
}

int cmd_batch(struct cli *cli, int argc, char **argv)
{
	if (argc > 1 && !strcmp(argv[1], "backup"))
		return batch_backup(cli, argc - 1, argv + 1);
	if (argc > 1 && (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help"))) {
		usage();
		return CLI_OK;
	}
	return cli_usage_error("batch", _("expected the action: backup"));
}
