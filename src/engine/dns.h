/* Site records in the zone, through TSIG-signed dynamic updates (RFC 2136)
 * sent to BIND with ldns. The zone file itself is never touched. */
#ifndef CTUI_DNS_H
#define CTUI_DNS_H

#include <stdbool.h>

#include "ctui/config.h"
#include "ctui/error.h"
#include "ctui/site.h"

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

enum ctui_dns_op {
	CTUI_DNS_ADD_SITE,     /* prerequisite "NAME has no records", then the site's records */
	CTUI_DNS_REMOVE_SITE,  /* deletes NAME's CNAME, A and AAAA RRsets, nothing else */
	CTUI_DNS_ADD_TXT,      /* adds one TXT value, keeping the others */
	CTUI_DNS_REMOVE_TXT,   /* removes one TXT value, keeping the others */
};

/* One change of the zone. */
struct ctui_dns_change {
	enum ctui_dns_op op;
	const char *name;              /* the owner name, without trailing dot */
	enum ctui_record_kind kind;    /* ADD_SITE: CNAME to TARGET, or A/AAAA */
	const char *target;            /* ADD_SITE with a CNAME: the zone apex */
	const char *ipv4, *ipv6;       /* ADD_SITE with addresses: empty strings are skipped */
	const char *text;              /* the TXT value */
	unsigned ttl;
};

/* Builds and signs the update message for CHANGE in ZONE, in wire format
 * (for tests and for sending). The caller frees *WIRE. */
int ctui_dns_build_update(const char *zone, const struct ctui_dns_change *change,
			  const struct ctui_tsig_key *key, unsigned char **wire, size_t *len,
			  struct ctui_error *err);

/* Adds DOMAIN's record when DOMAIN is below the configured zone: a CNAME to
 * the apex, or A and AAAA records with [host] ipv4 and ipv6. The apex (it
 * has the host's own A and AAAA) and domains outside the zone get no
 * update, and the call returns 0. A name that already has records fails
 * with EEXIST; BIND's other refusals and connection failures name the server
 * and port. */
int ctui_dns_add_site(const struct ctui_config *cfg, const char *domain,
		      enum ctui_record_kind kind, struct ctui_error *err);

/* Removes DOMAIN's CNAME, A and AAAA records when DOMAIN is below the zone,
 * leaving its other records alone. Records that are already gone are not an
 * error. */
int ctui_dns_remove_site(const struct ctui_config *cfg, const char *domain,
			 struct ctui_error *err);

/* Adds (ADD) or removes one TXT value TOKEN at _acme-challenge.DOMAIN for an
 * ACME dns-01 challenge. DOMAIN must be the zone or a name below it. Other
 * values at that name stay, because the apex and the wildcard certificate
 * are validated at the same name at once. */
int ctui_dns_acme_challenge(const struct ctui_config *cfg, const char *domain, const char *token,
			    bool add, struct ctui_error *err);

/* For DOMAIN outside the zone: the record its owner must create so that it
 * reaches this host, such as "www.example.org. CNAME sites.example.net.".
 * NULL for a domain in the zone, whose record ctui writes itself. The
 * caller frees the text. */
char *ctui_dns_owner_records(const struct ctui_config *cfg, const char *domain,
			     enum ctui_record_kind kind);

#endif
