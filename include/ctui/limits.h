/* Resource limits of a site: checks on the values that administrators type
 * and on whole sets of limits, shared by models, `ctui create`, `ctui set`
 * and the TUI. */
#ifndef CTUI_LIMITS_H
#define CTUI_LIMITS_H

#include <stdint.h>

#include "ctui/error.h"
#include "ctui/site.h"

#define CTUI_CPU_SHARES_MIN 2
#define CTUI_CPU_SHARES_MAX 262144

/* Parses a CPU weight from 2 to 262144. */
int ctui_parse_cpu_shares(const char *text, unsigned *shares, struct ctui_error *err);

/* Parses a hard CPU cap: a whole number from 1 to 100, in percent of one
 * CPU, with or without a trailing '%'. "none" parses as 0, no cap. */
int ctui_parse_cpu_max(const char *text, unsigned *percent, struct ctui_error *err);

/* Parses a memory limit of at least 16M, such as 128M or 1G. */
int ctui_parse_memory(const char *text, uint64_t *bytes, struct ctui_error *err);

/* Parses a task limit from 1 to 4194304. */
int ctui_parse_pids(const char *text, unsigned *pids, struct ctui_error *err);

/* Parses the size of an image file, at least 16M, such as 512M or 2G. */
int ctui_parse_disk(const char *text, uint64_t *bytes, struct ctui_error *err);

/* Checks that LIMITS fit STORAGE: every value in range, and a disk size
 * exactly when STORAGE is image. */
int ctui_limits_check(const struct ctui_limits *limits, enum ctui_storage storage,
		      struct ctui_error *err);

#endif
