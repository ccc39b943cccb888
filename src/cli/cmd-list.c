#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/format.h"
#include "util/util.h"

static void print_json(const struct ctui_site *sites, size_t count)
{
	char addr[16];

	printf("[");
	for (size_t i = 0; i < count; i++) {
		const struct ctui_site *s = &sites[i];

		printf("%s\n  {\"name\": ", i ? "," : "");
		cli_json_string(stdout, s->name);
		printf(", \"domain\": ");
		cli_json_string(stdout, s->domain);
		printf(", \"state\": \"%s\", \"ipv4\": \"%s\", \"template\": ",
		       ctui_state_name(s->state), cli_format_ipv4(s->ipv4, addr));
		cli_json_string(stdout, s->template_name);
		printf(", \"cpu_shares\": %u, \"memory\": %llu, \"pids\": %u, \"init_pid\": %d, "
		       "\"cpu_max\": %u, \"disk\": %llu, \"storage\": \"%s\"}",
		       s->limits.cpu_shares, (unsigned long long)s->limits.memory, s->limits.pids,
		       (int)s->init_pid, s->limits.cpu_max, (unsigned long long)s->limits.disk,
		       ctui_storage_name(s->storage));
	}
	printf("%s]\n", count ? "\n" : "");
}

static void print_table(const struct ctui_site *sites, size_t count)
{
	char addr[16], memory[16], name[64], domain[64], state[64], ipv4[64], template[64];

	/* The translated headers and states may hold accented letters, which
	 * printf's field widths count as two columns. */
	printf("%s %s %s %s %s %6s %7s\n", cli_pad(_("NAME"), 20, name, sizeof name),
	       cli_pad(_("DOMAIN"), 32, domain, sizeof domain),
	       cli_pad(_("STATE"), 9, state, sizeof state), cli_pad(_("IPV4"), 15, ipv4, sizeof ipv4),
	       cli_pad(_("TEMPLATE"), 10, template, sizeof template), _("CPU"), _("MEMORY"));
	for (size_t i = 0; i < count; i++) {
		const struct ctui_site *s = &sites[i];

		printf("%-20s %-32s %s %-15s %-10s %6u %7s\n", s->name, s->domain,
		       cli_pad(ctui_state_label(s->state), 9, state, sizeof state),
		       cli_format_ipv4(s->ipv4, addr), s->template_name, s->limits.cpu_shares,
		       cli_format_size(s->limits.memory, memory));
	}
}

int cmd_list(struct cli *cli, int argc, char **argv)
{
	struct ctui_error err = { 0 };
	struct ctui_site *sites = NULL;
	struct ctui_engine *engine;
	size_t count = 0;
	int json = 0;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--json")) {
			json = 1;
		} else if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
			printf(_("Usage: ctui list [--json]\n"
				 "List every site with its state checked against the kernel.\n"
				 "  --json   print a JSON array (name, domain, state, ipv4, template,\n"
				 "           cpu_shares, memory in bytes, pids, init_pid)\n"));
			return CLI_OK;
		} else {
			return cli_usage_error("list", _("unexpected argument \"%s\""), argv[i]);
		}
	}

	engine = cli_open_engine(cli);
	if (!engine)
		return CLI_FAILED;
	if (ctui_site_list(engine, &sites, &count, &err) < 0) {
		ctui_engine_close(engine);
		return cli_fail(&err);
	}

	if (json)
		print_json(sites, count);
	else
		print_table(sites, count);

	free(sites);
	ctui_engine_close(engine);
	return CLI_OK;
}
