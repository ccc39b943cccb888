/* Process identity: a pid plus its start time, so a recycled pid is never
 * taken for a site's init. */
#ifndef CTUI_PROC_H
#define CTUI_PROC_H

#include <stdbool.h>
#include <sys/types.h>

#include "ctui/error.h"

/* Reads field 22 of /proc/PID/stat (start time in clock ticks since boot). */
int ctui_proc_start_time(pid_t pid, unsigned long long *start_time, struct ctui_error *err);

/* Whether PID exists, is not a zombie, and started at START_TIME. */
bool ctui_proc_alive(pid_t pid, unsigned long long start_time);

#endif
