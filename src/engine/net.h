/* The site network through rtnetlink (libnl-route-3): the host bridge, one
 * veth pair per running site, and the addresses and routes inside it. */
#ifndef CTUI_NET_H
#define CTUI_NET_H

#include <net/if.h>
#include <stdint.h>
#include <sys/types.h>

#include "ctui/error.h"

/* Creates BRIDGE if missing, gives it GATEWAY/PREFIX if it lacks that address,
 * and sets it up. An existing interface of another kind is an error. A bridge
 * created here gets a fixed MAC address derived from GATEWAY. */
int ctui_net_bridge_ensure(const char *bridge, uint32_t gateway, unsigned prefix,
			   struct ctui_error *err);

/* Deletes BRIDGE; a missing bridge is not an error. */
int ctui_net_bridge_delete(const char *bridge, struct ctui_error *err);

/* The host-side interface name of the site at ADDR: "v" and the address in
 * hex, so two sites never share one and a site keeps it across restarts. */
void ctui_net_host_ifname(uint32_t addr, char name[IFNAMSIZ]);

/* Creates a veth pair. HOST_IFNAME stays on the host, enslaved to BRIDGE
 * and up. Its peer is created in the network namespace of NETNS_PID as eth0.
 * The peer's MAC address is 02:63 and the four bytes of the site's address
 * ADDR, so it is the same at every start. */
int ctui_net_veth_create(const char *host_ifname, const char *bridge, pid_t netns_pid,
			 uint32_t addr, struct ctui_error *err);

/* Deletes HOST_IFNAME; a missing interface is not an error. */
int ctui_net_veth_delete(const char *host_ifname, struct ctui_error *err);

/* Run inside the site's network namespace: brings lo and eth0 up, gives eth0
 * ADDR/PREFIX and adds the default route through GATEWAY. */
int ctui_net_configure_inside(uint32_t addr, unsigned prefix, uint32_t gateway,
			      struct ctui_error *err);

#endif
