#include "engine/net.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include <linux/rtnetlink.h>
#include <netlink/errno.h>
#include <netlink/netlink.h>
#include <netlink/route/addr.h>
#include <netlink/route/link.h>
#include <netlink/route/link/bridge.h>
#include <netlink/route/link/veth.h>
#include <netlink/route/route.h>

#include "util/util.h"

#define CONTAINER_IFNAME "eth0"

static void nl_socket_free_ptr(struct nl_sock **sock)
{
	if (*sock)
		nl_socket_free(*sock);
}

static void rtnl_link_put_ptr(struct rtnl_link **link)
{
	if (*link)
		rtnl_link_put(*link);
}

#define cleanup_nlsock __attribute__((cleanup(nl_socket_free_ptr)))
#define cleanup_link __attribute__((cleanup(rtnl_link_put_ptr)))

/* The errno closest to the libnl error NLERR (negative), for callers that
 * test err->code. */
static int nl_errno(int nlerr)
{
	switch (-nlerr) {
	case NLE_EXIST:
		return EEXIST;
	case NLE_OBJ_NOTFOUND:
	case NLE_NODEV:
		return ENODEV;
	case NLE_PERM:
	case NLE_NOACCESS:
		return EPERM;
	case NLE_NOMEM:
		return ENOMEM;
	case NLE_BUSY:
		return EBUSY;
	case NLE_INVAL:
	case NLE_RANGE:
		return EINVAL;
	case NLE_OPNOTSUPP:
		return EOPNOTSUPP;
	default:
		return EIO;
	}
}

/* Sets ERR to "CONTEXT: libnl's message" and returns -1. */
static int nl_fail(struct ctui_error *err, int nlerr, const char *context)
{
	return ctui_error_set(err, nl_errno(nlerr), "%s: %s", context, nl_geterror(nlerr));
}

static int net_connect(struct nl_sock **sock, struct ctui_error *err)
{
	struct nl_sock *s = nl_socket_alloc();
	int rc;

	if (!s)
		return ctui_error_set(err, ENOMEM, _("cannot allocate a netlink socket"));

	rc = nl_connect(s, NETLINK_ROUTE);
	if (rc < 0) {
		nl_socket_free(s);
		return nl_fail(err, rc, _("cannot connect to rtnetlink"));
	}
	*sock = s;
	return 0;
}

static bool link_is(struct rtnl_link *link, const char *type)
{
	const char *kind = rtnl_link_get_type(link);

	return kind && strcmp(kind, type) == 0;
}

/* Fetches the link NAME. Returns 1 when found, 0 when missing, -1 on error. */
static int link_lookup(struct nl_sock *sock, const char *name, struct rtnl_link **link,
		       struct ctui_error *err)
{
	int rc = rtnl_link_get_kernel(sock, 0, name, link);
	char context[128];

	if (rc == -NLE_OBJ_NOTFOUND || rc == -NLE_NODEV)
		return 0;
	if (rc < 0) {
		snprintf(context, sizeof context, _("cannot look up interface %s"), name);
		return nl_fail(err, rc, context);
	}
	return 1;
}

static int link_set_up(struct nl_sock *sock, struct rtnl_link *link, struct ctui_error *err)
{
	cleanup_link struct rtnl_link *change = rtnl_link_alloc();
	char context[128];
	int rc;

	if (!change)
		return ctui_error_set(err, ENOMEM, _("cannot allocate a netlink link"));

	rtnl_link_set_flags(change, IFF_UP);
	rc = rtnl_link_change(sock, link, change, 0);
	if (rc < 0) {
		snprintf(context, sizeof context, _("cannot set interface %s up"), rtnl_link_get_name(link));
		return nl_fail(err, rc, context);
	}
	return 0;
}

/* Builds an nl_addr for the IPv4 address ADDR (host byte order) / PREFIX. */
static struct nl_addr *ipv4_addr(uint32_t addr, unsigned prefix)
{
	uint32_t be = htonl(addr);
	struct nl_addr *a = nl_addr_build(AF_INET, &be, sizeof be);

	if (a)
		nl_addr_set_prefixlen(a, (int)prefix);
	return a;
}

/* Gives the interface IFINDEX the address ADDR/PREFIX; an address that is
 * already there is fine. */
static int address_add(struct nl_sock *sock, int ifindex, const char *ifname, uint32_t addr,
		       unsigned prefix, struct ctui_error *err)
{
	struct rtnl_addr *a = rtnl_addr_alloc();
	struct nl_addr *local = ipv4_addr(addr, prefix);
	char text[INET_ADDRSTRLEN], context[160];
	uint32_t be = htonl(addr);
	int rc = -NLE_NOMEM;

	if (a && local) {
		rtnl_addr_set_ifindex(a, ifindex);
		rtnl_addr_set_family(a, AF_INET);
		rtnl_addr_set_prefixlen(a, (int)prefix);
		rc = rtnl_addr_set_local(a, local);
		if (rc == 0)
			rc = rtnl_addr_add(sock, a, NLM_F_EXCL);
	}
	if (local)
		nl_addr_put(local);
	if (a)
		rtnl_addr_put(a);

	if (rc < 0 && rc != -NLE_EXIST) {
		inet_ntop(AF_INET, &be, text, sizeof text);
		snprintf(context, sizeof context, _("cannot add address %s/%u to %s"), text, prefix, ifname);
		return nl_fail(err, rc, context);
	}
	return 0;
}

/* The MAC address 02:63:A:B:C:D for the IPv4 address A.B.C.D: locally
 * administered, and the same each time a site starts, so the neighbour
 * entries of the host and of the other sites stay valid across restarts. */
static struct nl_addr *mac_for(uint32_t addr)
{
	uint8_t mac[6] = { 0x02, 0x63, (uint8_t)(addr >> 24), (uint8_t)(addr >> 16),
			   (uint8_t)(addr >> 8), (uint8_t)addr };

	return nl_addr_build(AF_LLC, mac, sizeof mac);
}

static int bridge_create(struct nl_sock *sock, const char *bridge, uint32_t gateway,
			 struct ctui_error *err)
{
	cleanup_link struct rtnl_link *link = rtnl_link_bridge_alloc();
	struct nl_addr *mac = mac_for(gateway);
	char context[128];
	int rc;

	if (!link || !mac) {
		if (mac)
			nl_addr_put(mac);
		return ctui_error_set(err, ENOMEM, _("cannot allocate a netlink link"));
	}

	/* A bridge without an address of its own takes the lowest one of its
	 * ports, so it would change whenever a site starts or stops. */
	rtnl_link_set_name(link, bridge);
	rtnl_link_set_addr(link, mac);
	nl_addr_put(mac);
	rc = rtnl_link_add(sock, link, NLM_F_CREATE | NLM_F_EXCL);
	/* Another ctui may have created it in the meantime. */
	if (rc < 0 && rc != -NLE_EXIST) {
		snprintf(context, sizeof context, _("cannot create bridge %s"), bridge);
		return nl_fail(err, rc, context);
	}
	return 0;
}

int ctui_net_bridge_ensure(const char *bridge, uint32_t gateway, unsigned prefix,
			   struct ctui_error *err)
{
	cleanup_nlsock struct nl_sock *sock = NULL;
	cleanup_link struct rtnl_link *link = NULL;
	int found;

	if (net_connect(&sock, err) < 0)
		return -1;

	found = link_lookup(sock, bridge, &link, err);
	if (found < 0)
		return -1;
	if (!found) {
		if (bridge_create(sock, bridge, gateway, err) < 0)
			return -1;
		found = link_lookup(sock, bridge, &link, err);
		if (found <= 0)
			return found < 0 ? -1
					 : ctui_error_set(err, ENODEV,
							  _("bridge %s vanished right after it was created"),
							  bridge);
	}

	if (!link_is(link, "bridge"))
		return ctui_error_set(err, EEXIST,
				      _("interface %s exists and is not a bridge; choose another "
					"bridge name in ctui.conf"),
				      bridge);

	if (address_add(sock, rtnl_link_get_ifindex(link), bridge, gateway, prefix, err) < 0)
		return -1;
	return link_set_up(sock, link, err);
}

/* Deletes the interface NAME when it exists and is of kind TYPE. */
static int link_delete(const char *name, const char *type, struct ctui_error *err)
{
	cleanup_nlsock struct nl_sock *sock = NULL;
	cleanup_link struct rtnl_link *link = NULL;
	char context[128];
	int found, rc;

	if (net_connect(&sock, err) < 0)
		return -1;

	found = link_lookup(sock, name, &link, err);
	if (found <= 0)
		return found;

	if (!link_is(link, type))
		return ctui_error_set(err, EINVAL, _("interface %s is not a %s; not deleting it"),
				      name, type);

	rc = rtnl_link_delete(sock, link);
	if (rc < 0 && rc != -NLE_OBJ_NOTFOUND && rc != -NLE_NODEV) {
		snprintf(context, sizeof context, _("cannot delete interface %s"), name);
		return nl_fail(err, rc, context);
	}
	return 0;
}

int ctui_net_bridge_delete(const char *bridge, struct ctui_error *err)
{
	return link_delete(bridge, "bridge", err);
}

void ctui_net_host_ifname(uint32_t addr, char name[IFNAMSIZ])
{
	snprintf(name, IFNAMSIZ, "v%08x", (unsigned)addr);
}

int ctui_net_veth_create(const char *host_ifname, const char *bridge, pid_t netns_pid,
			 uint32_t addr, struct ctui_error *err)
{
	cleanup_nlsock struct nl_sock *sock = NULL;
	cleanup_link struct rtnl_link *br = NULL;
	struct rtnl_link *veth, *peer;
	struct nl_addr *mac;
	char context[160];
	int found, rc;

	if (net_connect(&sock, err) < 0)
		return -1;

	found = link_lookup(sock, bridge, &br, err);
	if (found < 0)
		return -1;
	if (!found || !link_is(br, "bridge"))
		return ctui_error_set(err, ENODEV,
				      _("bridge %s not found; run ctui-setup-host or check the "
					"bridge name in ctui.conf"),
				      bridge);

	veth = rtnl_link_veth_alloc();
	mac = mac_for(addr);
	if (!veth || !mac) {
		if (veth)
			rtnl_link_veth_release(veth);
		if (mac)
			nl_addr_put(mac);
		return ctui_error_set(err, ENOMEM, _("cannot allocate a netlink link"));
	}

	/* One request creates both ends: the host end enslaved and up, the peer
	 * created directly inside the target namespace, so no interface named
	 * eth0 ever appears on the host. */
	rtnl_link_set_name(veth, host_ifname);
	rtnl_link_set_master(veth, rtnl_link_get_ifindex(br));
	rtnl_link_set_flags(veth, IFF_UP);
	peer = rtnl_link_veth_get_peer(veth);
	rtnl_link_set_name(peer, CONTAINER_IFNAME);
	rtnl_link_set_addr(peer, mac);
	rtnl_link_set_ns_pid(peer, netns_pid);
	rtnl_link_put(peer);
	nl_addr_put(mac);

	rc = rtnl_link_add(sock, veth, NLM_F_CREATE | NLM_F_EXCL);
	rtnl_link_veth_release(veth);
	if (rc == -NLE_EXIST)
		return ctui_error_set(err, EEXIST,
				      _("cannot create veth %s: it already exists; is the site "
					"already running?"),
				      host_ifname);
	if (rc < 0) {
		snprintf(context, sizeof context, _("cannot create veth %s into the namespace of pid %d"),
			 host_ifname, (int)netns_pid);
		return nl_fail(err, rc, context);
	}
	return 0;
}

int ctui_net_veth_delete(const char *host_ifname, struct ctui_error *err)
{
	return link_delete(host_ifname, "veth", err);
}

static int default_route_add(struct nl_sock *sock, int ifindex, uint32_t gateway,
			     struct ctui_error *err)
{
	struct rtnl_route *route = rtnl_route_alloc();
	struct rtnl_nexthop *nh = rtnl_route_nh_alloc();
	struct nl_addr *dst = ipv4_addr(0, 0);
	struct nl_addr *gw = ipv4_addr(gateway, 32);
	char text[INET_ADDRSTRLEN], context[128];
	uint32_t be = htonl(gateway);
	int rc = -NLE_NOMEM;

	if (route && nh && dst && gw) {
		rtnl_route_set_family(route, AF_INET);
		rtnl_route_set_scope(route, RT_SCOPE_UNIVERSE);
		rtnl_route_set_protocol(route, RTPROT_BOOT);
		rtnl_route_set_type(route, RTN_UNICAST);
		rc = rtnl_route_set_dst(route, dst);
		rtnl_route_nh_set_ifindex(nh, ifindex);
		rtnl_route_nh_set_gateway(nh, gw);
		/* The route owns the next hop from here on. */
		rtnl_route_add_nexthop(route, nh);
		nh = NULL;
		if (rc == 0)
			rc = rtnl_route_add(sock, route, NLM_F_EXCL);
	}
	if (nh)
		rtnl_route_nh_free(nh);
	if (dst)
		nl_addr_put(dst);
	if (gw)
		nl_addr_put(gw);
	if (route)
		rtnl_route_put(route);

	if (rc < 0 && rc != -NLE_EXIST) {
		inet_ntop(AF_INET, &be, text, sizeof text);
		snprintf(context, sizeof context, _("cannot add the default route through %s"), text);
		return nl_fail(err, rc, context);
	}
	return 0;
}

/* Fetches NAME and sets it up. */
static int link_up_by_name(struct nl_sock *sock, const char *name, struct rtnl_link **link,
			   struct ctui_error *err)
{
	int found = link_lookup(sock, name, link, err);

	if (found < 0)
		return -1;
	if (!found)
		return ctui_error_set(err, ENODEV, _("interface %s not found"), name);
	return link_set_up(sock, *link, err);
}

int ctui_net_configure_inside(uint32_t addr, unsigned prefix, uint32_t gateway,
			      struct ctui_error *err)
{
	cleanup_nlsock struct nl_sock *sock = NULL;
	cleanup_link struct rtnl_link *lo = NULL;
	cleanup_link struct rtnl_link *eth = NULL;
	int found, ifindex;

	if (net_connect(&sock, err) < 0)
		return -1;

	if (link_up_by_name(sock, "lo", &lo, err) < 0)
		return -1;

	found = link_lookup(sock, CONTAINER_IFNAME, &eth, err);
	if (found < 0)
		return -1;
	if (!found)
		return ctui_error_set(err, ENODEV, _("interface %s not found"), CONTAINER_IFNAME);
	ifindex = rtnl_link_get_ifindex(eth);

	if (address_add(sock, ifindex, CONTAINER_IFNAME, addr, prefix, err) < 0)
		return -1;
	/* The route through the gateway needs the prefix route, which only
	 * exists once the interface is up. */
	if (link_set_up(sock, eth, err) < 0)
		return -1;
	return default_route_add(sock, ifindex, gateway, err);
}
