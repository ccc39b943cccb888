/* Checks on what administrators type: site names, domains, sizes. */
#ifndef CTUI_VALIDATE_H
#define CTUI_VALIDATE_H

#include <stdint.h>

#include "ctui/error.h"

/* A site name is one DNS label: 1 to 63 of a-z, 0-9 and '-', neither first nor
 * last a '-'. Upper case is rejected, not folded. */
int ctui_validate_name(const char *name, struct ctui_error *err);

/* A domain is 2 or more such labels separated by dots, at most 253 bytes, no
 * trailing dot, and not all-numeric in its last label. */
int ctui_validate_domain(const char *domain, struct ctui_error *err);

/* Parses "64M", "1G", "512k" or a byte count (powers of 1024). */
int ctui_parse_size(const char *text, uint64_t *bytes, struct ctui_error *err);

/* Parses a decimal unsigned integer within [MIN, MAX]. */
int ctui_parse_uint(const char *text, unsigned min, unsigned max, unsigned *value,
		    struct ctui_error *err);

#endif
