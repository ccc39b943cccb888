/* The container's first process between clone() and the exec of ctui-init.
 * Internal to container.c and container-child.c. */
#ifndef CTUI_CONTAINER_CHILD_H
#define CTUI_CONTAINER_CHILD_H

#include <stddef.h>
#include <sys/capability.h>

#include "engine/container.h"

struct ctui_child_ctx {
	const struct ctui_container_spec *spec;
	int init_fd;           /* ctui-init, opened on the host */
	int console_fd;        /* init's stdout and stderr */
	int sync_fd;           /* read end: one byte once cgroup and veth are ready */
	int error_fd;          /* write end, close-on-exec: why the setup failed */
	char **argv;           /* ctui-init's arguments */
	const cap_value_t *caps;   /* the capabilities kept */
	size_t n_caps;
};

/* clone() entry point. Waits for the parent, sets up the namespaces, the
 * root file system, the network and the capabilities, then executes
 * ctui-init. Returns only on failure, after writing the reason to
 * ctx->error_fd. */
int ctui_container_child(void *ctx);

#endif
