/* ctui tls refresh | ca | dns01 ACTION DOMAIN TOKEN */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "util/util.h"

static void usage(void)
{
	printf(_("Usage: ctui tls refresh\n"
		 "       ctui tls dns01 setup|teardown DOMAIN TOKEN\n"
		 "\n"
		 "refresh  put newly issued certificates in service: rewrite the vhosts of the\n"
		 "         sites whose certificate arrived (redirect, HSTS) and reload Apache\n"
		 "         gracefully. Run it from root's crontab so that renewals are served.\n"
		 "dns01    the command mod_md runs (as Apache's user) for an ACME dns-01\n"
		 "         challenge: adds or removes the TXT value TOKEN at\n"
		 "         _acme-challenge.DOMAIN with a TSIG-signed update.\n"));
}

static int tls_refresh(struct cli *cli)
{
	struct ctui_error err = { 0 };
	struct ctui_engine *engine;
	unsigned changed = 0;
	int ret;

	engine = cli_open_engine(cli);
	if (!engine)
		return CLI_FAILED;
	ret = ctui_tls_refresh(engine, &changed, &err);
	ctui_engine_close(engine);
	if (ret < 0)
		return cli_fail(&err);
	printf(_("%u site(s) changed TLS state\n"), changed);
	return CLI_OK;
}

int cmd_tls(struct cli *cli, int argc, char **argv)
{
	struct ctui_error err = { 0 };

	if (cli_wants_help(argc, argv)) {
		usage();
		return CLI_OK;
	}
	if (argc == 2 && !strcmp(argv[1], "refresh"))
		return tls_refresh(cli);
	if (argc == 5 && !strcmp(argv[1], "dns01")) {
		if (ctui_acme_dns01(cli->config_path, argv[2], argv[3], argv[4], &err) < 0)
			return cli_fail(&err);
		return CLI_OK;
	}
	return cli_usage_error("tls", _("expected refresh, or dns01 ACTION DOMAIN TOKEN"));
}
