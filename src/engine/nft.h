/* The host's port forwards to the sites' SFTP servers, as one nftables table
 * of family inet that ctui owns and rewrites as a whole through libnftables. */
#ifndef CTUI_NFT_H
#define CTUI_NFT_H

#include <stddef.h>
#include <stdint.h>

#include "ctui/error.h"

/* One forward: TCP to any local IPv4 address on PORT goes to IPV4:22. */
struct ctui_nft_forward {
	const char *site;   /* for the rule's comment */
	unsigned port;
	uint32_t ipv4;      /* host byte order */
};

/* Replaces the table TABLE with one DNAT rule per forward in two hooks.
 * The prerouting hook serves clients from outside, which also needs
 * forwarding from the uplink to BRIDGE. The output hook serves clients on
 * the host itself. A masquerade rule lets connections from 127.0.0.0/8 reach
 * BRIDGE. With no forward the table is deleted. The change is one nftables
 * transaction, so on failure the old table stays as it was. */
int ctui_nft_apply(const char *table, const char *bridge, const struct ctui_nft_forward *forwards,
		   size_t count, struct ctui_error *err);

#endif
