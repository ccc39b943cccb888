/* ctui: host websites in containers. `ctui VERB ...` runs one action;
 * the interactive interface comes with no verb on a terminal. */
#include <locale.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "tui/tui-main.h"
#include "util/proctitle.h"
#include "util/util.h"

static const struct cli_verb verbs[] = {
	{ "create", N_("create a site from a template"), cmd_create },
	{ "start", N_("start a site and wait until it answers HTTP"), cmd_start },
	{ "stop", N_("stop a site"), cmd_stop },
	{ "restart", N_("stop then start a site"), cmd_restart },
	{ "destroy", N_("stop a site and delete it with its vhost and DNS record"), cmd_destroy },
	{ "list", N_("list the sites"), cmd_list },
	{ "status", N_("show one site in detail"), cmd_status },
	{ "logs", N_("print the end of a site's access or error log"), cmd_logs },
	{ "set", N_("change a site's settings"), cmd_set },
	{ "template", N_("list, build or prune templates"), cmd_template },
	{ "upgrade", N_("move a site onto its template's current base"), cmd_upgrade },
	{ "backup", N_("back up a site to an archive, or verify an archive"), cmd_backup },
	{ "restore", N_("recreate a site from a backup archive"), cmd_restore },
	{ "deploy", N_("replace a site's document root from a directory or an archive"), cmd_deploy },
	{ "rollback", N_("bring back a site's document root from before the last deploy"),
	  cmd_rollback },
	{ "batch", N_("run an action on every site, for cron (batch backup --all)"), cmd_batch },
	{ "tls", N_("refresh certificates; the dns-01 hook of mod_md"), cmd_tls },
	{ "sftp", N_("set the key or password of a site's SFTP login"), cmd_sftp },
};

static void usage(FILE *out)
{
	fprintf(out, _("Usage: ctui [--config FILE] [--theme THEME] [VERB [ARGS...]]\n"
		       "Host websites in containers behind Apache, named in BIND.\n"
		       "With no verb, on a terminal, ctui opens its interactive interface.\n"
		       "\n"
		       "Verbs:\n"));
	for (size_t i = 0; i < sizeof verbs / sizeof verbs[0]; i++)
		fprintf(out, "  %-10s %s\n", verbs[i].name, _(verbs[i].summary));
	fprintf(out, _("\n"
		       "Options:\n"
		       "  -c, --config FILE   configuration file (default: %s)\n"
		       "      --theme THEME   colours of the interactive interface: a theme name\n"
		       "                      (default, dark, mono) or a theme file\n"
		       "  -h, --help          show this help; `ctui VERB --help` shows a verb's own\n"),
		CTUI_DEFAULT_CONFIG);
	fprintf(out, _("      --as UID        act on behalf of this LDAP user id, with its rights\n"
		       "                      (needs [ldap] in the configuration)\n"));
}

/* Returns the user running ctui, for the event log: the user behind sudo
 * when there is one. */
static const char *find_actor(void)
{
	const char *sudo_user = getenv("SUDO_USER");
	struct passwd *pw;

	if (sudo_user && *sudo_user)
		return sudo_user;
	pw = getpwuid(getuid());
	return pw ? pw->pw_name : "unknown";
}

static void setup_locale(void)
{
	const char *localedir = getenv("CTUI_LOCALEDIR");

	setlocale(LC_ALL, "");
	bindtextdomain("ctui", localedir && *localedir ? localedir : CTUI_LOCALEDIR);
	textdomain("ctui");
}

int main(int argc, char **argv)
{
	struct cli cli = { .config_path = NULL, .actor = find_actor() };
	const char *theme = NULL;
	int i = 1;

	ctui_proctitle_init(argc, argv);
	setup_locale();

	for (; i < argc && argv[i][0] == '-'; i++) {
		if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
			usage(stdout);
			return CLI_OK;
		} else if (!strcmp(argv[i], "-c") || !strcmp(argv[i], "--config")) {
			if (++i == argc) {
				fprintf(stderr, _("ctui: %s needs a file name\n"), argv[i - 1]);
				return CLI_USAGE;
			}
			cli.config_path = argv[i];
		} else if (!strncmp(argv[i], "--config=", 9)) {
			cli.config_path = argv[i] + 9;
		} else if (!strcmp(argv[i], "--theme")) {
			if (++i == argc) {
				fprintf(stderr, _("ctui: %s needs a theme name or file\n"), argv[i - 1]);
				return CLI_USAGE;
			}
			theme = argv[i];
		} else if (!strncmp(argv[i], "--theme=", 8)) {
			theme = argv[i] + 8;
		} else if (!strcmp(argv[i], "--as")) {
			if (++i == argc) {
				fprintf(stderr, _("ctui: %s needs a user id\n"), argv[i - 1]);
				return CLI_USAGE;
			}
			cli.as_user = argv[i];
		} else if (!strncmp(argv[i], "--as=", 5)) {
			cli.as_user = argv[i] + 5;
		} else {
			fprintf(stderr, _("ctui: unknown option %s\n"), argv[i]);
			usage(stderr);
			return CLI_USAGE;
		}
	}
	if (i == argc && cli.as_user) {
		fprintf(stderr, _("ctui: --as is for verbs; the interactive interface asks for a "
				  "login instead\n"));
		return CLI_USAGE;
	}
	if (i == argc && isatty(STDIN_FILENO) && isatty(STDOUT_FILENO))
		return tui_main(cli.config_path, cli.actor, theme);
	if (i == argc) {
		usage(stderr);
		return CLI_USAGE;
	}

	for (size_t v = 0; v < sizeof verbs / sizeof verbs[0]; v++) {
		if (!strcmp(argv[i], verbs[v].name))
			return verbs[v].run(&cli, argc - i, argv + i);
	}
	fprintf(stderr, _("ctui: unknown verb \"%s\"\n"), argv[i]);
	usage(stderr);
	return CLI_USAGE;
}
