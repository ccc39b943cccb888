/* Fills STATE_DIR/sites.db with COUNT stopped sites for bench/tui, through
 * the engine's database layer (no containers, vhosts or DNS records): the
 * interface only reads the rows. Usage: tui-fill STATE_DIR COUNT FIRST_ADDRESS */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/db.h"

int main(int argc, char **argv)
{
	struct ctui_error err = { 0 };
	struct ctui_db *db;
	struct in_addr first;
	char path[4096];
	long count;

	if (argc != 4 || inet_pton(AF_INET, argv[3], &first) != 1) {
		fprintf(stderr, "usage: tui-fill STATE_DIR COUNT FIRST_ADDRESS\n");
		return 2;
	}
	count = strtol(argv[2], NULL, 10);
	snprintf(path, sizeof path, "%s/sites.db", argv[1]);
	if (ctui_db_open(&db, path, &err) < 0 || ctui_db_begin(db, &err) < 0) {
		fprintf(stderr, "tui-fill: %s\n", err.message);
		return 1;
	}

	for (long i = 0; i < count; i++) {
		struct ctui_site site = { .storage = CTUI_STORAGE_OVERLAY, .state = CTUI_STATE_STOPPED };

		snprintf(site.name, sizeof site.name, "site%04ld", i);
		snprintf(site.domain, sizeof site.domain, "site%04ld.bench.test", i);
		snprintf(site.template_name, sizeof site.template_name, "static");
		snprintf(site.template_version, sizeof site.template_version, "bench");
		snprintf(site.owner, sizeof site.owner, "bench");
		site.limits = (struct ctui_limits){ .cpu_shares = 1024, .memory = 64 << 20, .pids = 64 };
		site.ipv4 = ntohl(first.s_addr) + (uint32_t)i;
		if (ctui_db_site_insert(db, &site, &err) < 0) {
			fprintf(stderr, "tui-fill: %s\n", err.message);
			ctui_db_rollback(db);
			return 1;
		}
	}
	if (ctui_db_commit(db, &err) < 0) {
		fprintf(stderr, "tui-fill: %s\n", err.message);
		return 1;
	}
	ctui_db_close(db);
	return 0;
}
