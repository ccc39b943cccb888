#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "ctui/limits.h"
#include "util/util.h"

static void usage(void)
{
	printf(_("Usage: ctui create NAME --template TEMPLATE [OPTIONS]\n"
		 "Create a stopped site: its files, Apache vhost and DNS record.\n"
		 "\n"
		 "  -t, --template NAME   template to build the site from (see `ctui template list`)\n"
		 "  -d, --domain FQDN     domain the site answers to (default: NAME.ZONE)\n"
		 "      --model NAME      resource model from the model directory, e.g. small\n"
		 "                        (default: [sites] model of ctui.conf, or none)\n"
		 "      --cpu-shares N    relative CPU weight, 2 to 262144 (default: the model's,\n"
		 "                        then the template's)\n"
		 "      --cpu-max PCT     hard CPU cap in percent of one CPU, 1 to 100, or none\n"
		 "      --memory SIZE     memory limit, e.g. 128M or 1G\n"
		 "      --pids N          maximum number of tasks\n"
		 "      --storage overlay|copy|image\n"
		 "                        where the site's files live: an overlay on the template,\n"
		 "                        a private copy of it, or an ext4 image of --disk bytes\n"
		 "                        (default: [sites] storage of ctui.conf, or overlay)\n"
		 "      --disk SIZE       size of the image, its hard disk quota, e.g. 1G\n"
		 "      --redirect on|off redirect HTTP to HTTPS once the certificate is served\n"
		 "                        (default: on)\n"
		 "      --hsts on|off     send Strict-Transport-Security over HTTPS (default: off)\n"
		 "      --record cname|address\n"
		 "                        DNS record in the zone: a CNAME to the zone apex, or A\n"
		 "                        and AAAA records with the host's addresses (default: cname)\n"
		 "  -h, --help            show this help\n"));
	printf(_("      --owner UID       the user id that owns the site (default: you; another\n"
		 "                        user's only for administrators)\n"));
}

/* A domain outside the zone gets no record from ctui: its owner must
 * point it here. */
static void print_owner_records(struct ctui_engine *engine, const struct ctui_site *site)
{
	cleanup_free char *records = ctui_site_owner_records(engine, site);

	if (records)
		printf(_("%s is outside the zone, so ctui wrote no DNS record for it. Its owner "
			 "must create:\n  %s\n"),
		       site->domain, records);
}

int cmd_create(struct cli *cli, int argc, char **argv)
{
	static const struct option options[] = {
		{ "template", required_argument, NULL, 't' },
		{ "domain", required_argument, NULL, 'd' },
		{ "cpu-shares", required_argument, NULL, 'c' },
		{ "memory", required_argument, NULL, 'm' },
		{ "pids", required_argument, NULL, 'p' },
		{ "model", required_argument, NULL, 'M' },
		{ "cpu-max", required_argument, NULL, 'C' },
		{ "storage", required_argument, NULL, 'S' },
		{ "disk", required_argument, NULL, 'D' },
		{ "redirect", required_argument, NULL, 'r' },
		{ "hsts", required_argument, NULL, 's' },
		{ "record", required_argument, NULL, 'k' },
		{ "owner", required_argument, NULL, 'o' },
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
			if (ctui_parse_cpu_shares(optarg, &params.limits.cpu_shares, &err) < 0)
				return cli_usage_error("create", "--cpu-shares: %s", err.message);
			break;
		case 'C':
			if (ctui_parse_cpu_max(optarg, &params.limits.cpu_max, &err) < 0)
				return cli_usage_error("create", "--cpu-max: %s", err.message);
			params.no_cpu_max = params.limits.cpu_max == 0;
			break;
		case 'm':
			if (ctui_parse_memory(optarg, &params.limits.memory, &err) < 0)
				return cli_usage_error("create", "--memory: %s", err.message);
			break;
		case 'p':
			if (ctui_parse_pids(optarg, &params.limits.pids, &err) < 0)
				return cli_usage_error("create", "--pids: %s", err.message);
			break;
		case 'D':
			if (ctui_parse_disk(optarg, &params.limits.disk, &err) < 0)
				return cli_usage_error("create", "--disk: %s", err.message);
			break;
		case 'M':
			params.model = optarg;
			break;
		case 'S':
			params.storage = optarg;
			break;
		case 'r':
			if (cli_parse_setting(optarg, &params.redirect) < 0)
				return cli_usage_error("create", _("--redirect: expected on or off, not \"%s\""),
						       optarg);
			break;
		case 's':
			if (cli_parse_setting(optarg, &params.hsts) < 0)
				return cli_usage_error("create", _("--hsts: expected on or off, not \"%s\""),
						       optarg);
			break;
		case 'o':
			params.owner = optarg;
			break;
		case 'k':
			if (!strcmp(optarg, "cname"))
				params.record = CTUI_RECORD_CNAME;
			else if (!strcmp(optarg, "address"))
				params.record = CTUI_RECORD_ADDRESS;
			else
				return cli_usage_error("create", _("--record: expected cname or address, "
								   "not \"%s\""),
						       optarg);
			break;
		case 'h':
			usage();
			return CLI_OK;
		default:
			return cli_option_error("create", opt, argv);
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
		print_owner_records(engine, &site);
	}
	ctui_engine_close(engine);
	return ret < 0 ? cli_fail(&err) : CLI_OK;
}
