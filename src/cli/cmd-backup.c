/* backup SITE and backup verify ARCHIVE. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli/cli.h"
#include "ctui/backup.h"
#include "util/util.h"

#define MIB (1024.0 * 1024.0)

/* Shows the bytes copied on a terminal, at most five times a second. */
void cli_backup_progress(void *ctx, const struct ctui_backup_progress *progress)
{
	struct timespec *last = ctx;
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	if (now.tv_sec * 1000 + now.tv_nsec / 1000000 <
	    last->tv_sec * 1000 + last->tv_nsec / 1000000 + 200)
		return;
	*last = now;
	/* The carriage return stays out of the messages: gettext rejects it there. */
	fputc('\r', stderr);
	if (progress->bytes_total)
		fprintf(stderr, _("%.1f of %.1f MiB"), (double)progress->bytes_done / MIB,
			(double)progress->bytes_total / MIB);
	else
		fprintf(stderr, _("%.1f MiB"), (double)progress->bytes_done / MIB);
	fflush(stderr);
}

void cli_backup_progress_setup(ctui_backup_progress_fn *fn, void **ctx, struct timespec *last)
{
	*last = (struct timespec){ 0 };
	*fn = isatty(STDERR_FILENO) ? cli_backup_progress : NULL;
	*ctx = last;
}

void cli_backup_progress_end(ctui_backup_progress_fn fn)
{
	if (fn)
		fprintf(stderr, "\r\033[K");
}

static void usage(void)
{
	printf(_("Usage: ctui backup NAME [OPTIONS]\n"
		 "       ctui backup verify ARCHIVE\n"
		 "Write one archive of the site: its settings, its writable layer and a manifest\n"
		 "with the SHA-256 of every file. A running site is frozen during the copy of\n"
		 "its files, not stopped. `verify` checks an archive against its manifest.\n"
		 "\n"
		 "  -d, --dest DIR        directory for the archive (default: STATE_DIR/backups)\n"
		 "  -f, --full            the whole root filesystem, not only the writable layer\n"
		 "  -z, --compress ALGO   zstd (default), gzip, xz or none\n"
		 "  -h, --help            show this help\n"));
}

static int backup_verify(int argc, char **argv)
{
	struct ctui_backup_info info;
	struct ctui_error err = { 0 };
	ctui_backup_progress_fn progress;
	struct timespec last;
	void *ctx;
	int ret;

	if (argc != 2 || argv[1][0] == '-')
		return cli_usage_error("backup verify", _("expected one archive"));

	cli_backup_progress_setup(&progress, &ctx, &last);
	ret = ctui_backup_verify(argv[1], progress, ctx, &info, &err);
	cli_backup_progress_end(progress);
	if (ret < 0)
		return cli_fail(&err);
	printf(_("%s: OK, site %s, %llu files, %.1f MiB\n"), argv[1], info.site.name,
	       (unsigned long long)info.files, (double)info.bytes / MIB);
	return CLI_OK;
}

int cmd_backup(struct cli *cli, int argc, char **argv)
{
	static const struct option options[] = {
		{ "dest", required_argument, NULL, 'd' },
		{ "full", no_argument, NULL, 'f' },
		{ "compress", required_argument, NULL, 'z' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct ctui_backup_params params = { 0 };
	struct ctui_error err = { 0 };
	struct ctui_engine *engine;
	cleanup_free char *path = NULL;
	struct timespec last;
	int opt, ret;

	if (argc > 1 && !strcmp(argv[1], "verify"))
		return backup_verify(argc - 1, argv + 1);

	opterr = 0;
	while ((opt = getopt_long(argc, argv, ":d:fz:h", options, NULL)) != -1) {
		switch (opt) {
		case 'd':
			params.dest_dir = optarg;
			break;
		case 'f':
			params.full = true;
			break;
		case 'z':
			if (ctui_compression_parse(optarg, &params.compression, &err) < 0)
				return cli_usage_error("backup", "--compress: %s", err.message);
			break;
		case 'h':
			usage();
			return CLI_OK;
		default:
			return cli_option_error("backup", opt, argv);
		}
	}
	if (optind != argc - 1)
		return cli_usage_error("backup", _("expected one site name"));
	params.name = argv[optind];

	engine = cli_open_engine(cli);
	if (!engine)
		return CLI_FAILED;
	cli_backup_progress_setup(&params.progress, &params.ctx, &last);
	ret = ctui_site_backup(engine, &params, &path, &err);
	cli_backup_progress_end(params.progress);
	ctui_engine_close(engine);

	if (ret < 0)
		return cli_fail(&err);
	printf(_("Backed up site %s to %s\n"), params.name, path);
	return CLI_OK;
}
