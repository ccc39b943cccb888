/* Site records in the zone, through TSIG-signed dynamic updates (RFC 2136)
 * sent to BIND with ldns. The zone file itself is never touched. */
#ifndef CTUI_DNS_H
#define CTUI_DNS_H

#include <stdbool.h>

#include "ctui/config.h"
#include "ctui/error.h"

struct ctui_tsig_key {
	char name[256];
	char algorithm[64];   /* e.g. "hmac-sha256" */
	char secret[256];     /* base64 */
};

/* Reads a BIND key file as written by tsig-keygen. */
int ctui_tsig_key_load(const char *path, struct ctui_tsig_key *key, struct ctui_error *err);

/* Whether DOMAIN is ZONE itself or a name below it (label-wise: "xzone.org"
 * is not below "zone.org"). */
bool ctui_dns_in_zone(const char *domain, const char *zone);

/* The update messages, built but not sent, in wire format (for tests and for
 * sending). ADD: prerequisite "DOMAIN has no records", then DOMAIN CNAME ZONE.
 * REMOVE: prerequisite none; deletes DOMAIN's CNAME RRset only. The caller
 * frees *WIRE. */
int ctui_dns_build_update(const char *zone, const char *domain, bool add, unsigned ttl,
			  const struct ctui_tsig_key *key, unsigned char **wire, size_t *len,
			  struct ctui_error *err);

/* Adds DOMAIN CNAME ZONE. when DOMAIN is below the configured zone. The
 * apex (it has the host's own A and AAAA) and domains outside the zone get
 * no update, and the call returns 0. A name that already has records fails
 * with EEXIST; BIND's other refusals and connection failures name the server
 * and port. */
int ctui_dns_add_site(const struct ctui_config *cfg, const char *domain, struct ctui_error *err);

/* Removes DOMAIN's CNAME when DOMAIN is below the zone, leaving its other
 * records alone. A CNAME that is already gone is not an error. */
int ctui_dns_remove_site(const struct ctui_config *cfg, const char *domain,
			 struct ctui_error *err);

#endif
