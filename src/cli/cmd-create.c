#include <getopt.h>
#include <stdio.h>

#include "cli/cli.h"
#include "ctui/validate.h"
#include "util/util.h"

static void usage(void)
{
	printf(_("Usage: ctui create NAME --template TEMPLATE [OPTIONS]\n"
		 "Create a stopped site: its files, Apache vhost and DNS record.\n"
		 "\n"
		 "  -t, --template NAME   template to build the site from (see `ctui template list`)\n"
		 "  -d, --domain FQDN     domain the site answers to (default: NAME.ZONE)\n"
		 "      --cpu-shares N    relative CPU weight, 2 to 262144 (default: the template's)\n"
		 "      --memory SIZE     memory limit, e.g. 128M or 1G (default: the template's)\n"
		 "      --pids N          maximum number of tasks (default: the template's)\n"
		 "  -h, --help            show this help\n"));
}

int cmd_create(struct cli *cli, int argc, char **argv)
{
	static const struct option options[] = {
		{ "template", required_argument, NULL, 't' },
		{ "domain", required_argument, NULL, 'd' },
		{ "cpu-shares", required_argument, NULL, 'c' },
		{ "memory", required_argument, NULL, 'm' },
		{ "pids", required_argument, NULL, 'p' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct ctui_create_params params = { 0 };
	struct ctui_error err = { 0 };
	struct ctui_engine *engine;
	struct ctui_site site;
	int opt, ret;

	opterr = 0;
	while ((opt = getopt_long(argc, argv, ":t:d:h", options, NULL)) != -1) {
		switch (opt) {
		case 't':
			params.template_name = optarg;
			break;
		case 'd':
			params.domain = optarg;
			break;
		case 'c':
			if (ctui_parse_uint(optarg, 2, 262144, &params.limits.cpu_shares, &err) < 0)
				return cli_usage_error("create", "--cpu-shares: %s", err.message);
			break;
		case 'm':
			if (ctui_parse_size(optarg, &params.limits.memory, &err) < 0)
				return cli_usage_error("create", "--memory: %s", err.message);

			break;
		case 'p':
			if (ctui_parse_uint(optarg, 1, 4194304, &params.limits.pids, &err) < 0)
				return cli_usage_error("create", "--pids: %s", err.message);
			break;
		case 'h':
			usage();
			return CLI_OK;
		case ':':
			return cli_usage_error("create", _("option %s needs a value"), argv[optind - 1]);
		default:
			return cli_usage_error("create", _("unknown option %s"), argv[optind - 1]);
		}
	}
	if (optind != argc - 1)
		return cli_usage_error("create", _("expected one site name"));
	if (!params.template_name)
		return cli_usage_error("create", _("missing --template"));
	params.name = argv[optind];

	engine = cli_open_engine(cli);
	if (!engine)
		return CLI_FAILED;

	ret = ctui_site_create(engine, &params, &site, &err);
	if (ret == 0) {
		char addr[16];

		snprintf(addr, sizeof addr, "%u.%u.%u.%u", site.ipv4 >> 24, (site.ipv4 >> 16) & 255,
			 (site.ipv4 >> 8) & 255, site.ipv4 & 255);
		printf(_("Created site %s: %s at %s (stopped; start it with `ctui start %s`)\n"),
		       site.name, site.domain, addr, site.name);
	}
	ctui_engine_close(engine);
	return ret < 0 ? cli_fail(&err) : CLI_OK;
}
