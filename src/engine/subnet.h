/* IPv4 arithmetic for the site network. Addresses are in host byte order. */
#ifndef CTUI_SUBNET_H
#define CTUI_SUBNET_H

#include <stddef.h>
#include <stdint.h>

#include "ctui/error.h"

/* Parses "10.1.1.0/24" into network and prefix (1..30); host bits must be 0. */
int ctui_subnet_parse(const char *cidr, uint32_t *network, unsigned *prefix,
		      struct ctui_error *err);

/* Parses a dotted IPv4 address. */
int ctui_ipv4_parse(const char *text, uint32_t *addr, struct ctui_error *err);

/* Formats ADDR into OUT (at least 16 bytes). Returns OUT. */
char *ctui_ipv4_format(uint32_t addr, char *out);

/* Whether ADDR is a usable host address of the subnet (not the network or
 * broadcast address). */
int ctui_subnet_contains(uint32_t network, unsigned prefix, uint32_t addr);

/* Picks the lowest host address of the subnet that is neither GATEWAY nor in
 * USED (N entries, any order). Fails with ENOSPC when none is left. */
int ctui_subnet_allocate(uint32_t network, unsigned prefix, uint32_t gateway,
			 const uint32_t *used, size_t n, uint32_t *addr, struct ctui_error *err);

/* How many host addresses remain free. */
size_t ctui_subnet_free_count(uint32_t network, unsigned prefix, uint32_t gateway,
			      const uint32_t *used, size_t n);

#endif
