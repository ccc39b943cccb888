/* The host side of each site's SFTP server: the port taken from [sftp] ports,
 * the nftables DNAT for IPv4, and the relay process for IPv6. They exist
 * only while the site runs. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "engine/engine-internal.h"
#include "engine/nft.h"
#include "engine/proc.h"
#include "engine/sftp.h"
#include "util/util.h"

int engine_sftp_assign_port(struct ctui_engine *engine, const char *site, unsigned *port,
			    struct ctui_error *err)
{
	const struct ctui_config *cfg = &engine->cfg;
	cleanup_free unsigned *used = NULL;
	size_t count = 0, next = 0;

	if (ctui_db_sftp_ports_used(engine->db, &used, &count, err) < 0)
		return -1;

	/* USED is sorted: walk it beside the candidates. */
	for (unsigned candidate = cfg->sftp_port_first; candidate <= cfg->sftp_port_last;
	     candidate++) {
		while (next < count && used[next] < candidate)
			next++;
		if (next < count && used[next] == candidate)
			continue;
		if (ctui_db_sftp_port_set(engine->db, site, candidate, err) < 0)
			return -1;
		*port = candidate;
		return 0;
	}
	return ctui_error_set(err, ENOSPC, _("every SFTP port of %u-%u is taken: widen [sftp] "
					     "ports in %s or destroy a site"),
			      cfg->sftp_port_first, cfg->sftp_port_last, cfg->path);
}

static char *relay_pid_file(const struct ctui_config *cfg, const char *site)
{
	return xasprintf("%s/sites/%s/sftp-relay.pid", cfg->state_dir, site);
}

static bool runs(const struct ctui_site *site)
{
	return (site->state == CTUI_STATE_RUNNING || site->state == CTUI_STATE_STARTING ||
		site->state == CTUI_STATE_STOPPING) &&
	       ctui_proc_alive(site->init_pid, site->init_start_time);
}

/* Rewrites the nftables table from the database: one forward per site whose
 * init runs and that has a port. The global lock keeps two ctui processes
 * from writing the table from two different readings. */
static int sync_table(struct ctui_engine *engine, struct ctui_error *err)
{
	cleanup_free struct ctui_site *sites = NULL;
	cleanup_free struct ctui_nft_forward *forwards = NULL;
	size_t count = 0, n = 0;
	int lock, ret = -1;

	lock = engine_lock(engine, "", err);
	if (lock < 0)
		return -1;
	if (ctui_db_site_list(engine->db, &sites, &count, err) < 0)
		goto out;

	forwards = xcalloc(count + 1, sizeof *forwards);
	for (size_t i = 0; i < count; i++) {
		unsigned port = 0;

		if (!runs(&sites[i]))
			continue;
		if (ctui_db_sftp_port_get(engine->db, sites[i].name, &port, err) < 0)
			goto out;
		if (port)
			forwards[n++] = (struct ctui_nft_forward){ sites[i].name, port, sites[i].ipv4 };
	}
	ret = ctui_nft_apply(engine->cfg.nft_table, engine->cfg.bridge, forwards, n, err);
out:
	engine_unlock(lock);
	return ret;
}

int engine_sftp_open(struct ctui_engine *engine, const struct ctui_site *site,
		     struct ctui_error *err)
{
	cleanup_free char *pid_file = relay_pid_file(&engine->cfg, site->name);
	unsigned port = 0;
	int lock, ret;

	/* A site created before SFTP gets its port now. */
	lock = engine_lock(engine, "", err);
	if (lock < 0)
		return -1;
	ret = ctui_db_sftp_port_get(engine->db, site->name, &port, err);
	if (ret == 0 && port == 0)
		ret = engine_sftp_assign_port(engine, site->name, &port, err);
	engine_unlock(lock);
	if (ret < 0)
		return -1;

	if (sync_table(engine, err) < 0)
		return ctui_error_prefix(err, _("forward SFTP port %u"), port);
	/* A relay left by a killed ctui may still listen on the port. */
	if (ctui_sftp_relay_stop(pid_file, err) < 0 ||
	    ctui_sftp_relay_start(pid_file, port, site->ipv4, err) < 0)
		return ctui_error_prefix(err, _("forward SFTP port %u over IPv6"), port);
	return 0;
}

int engine_sftp_close(struct ctui_engine *engine, const char *site, struct ctui_error *err)
{
	cleanup_free char *pid_file = relay_pid_file(&engine->cfg, site);

	if (ctui_sftp_relay_stop(pid_file, err) < 0)
		return -1;
	if (sync_table(engine, err) < 0)
		return ctui_error_prefix(err, _("remove the SFTP forward"));
	return 0;
}
