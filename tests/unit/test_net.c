/* The site network on the real kernel: a test bridge in a private subnet,
 * a veth pair into a child's new network namespace, the configuration inside
 * it, a TCP connection from the host to the child, and the cleanup.
 * Skipped unless run as root. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sched.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "engine/net.h"

#define TEST_PORT 8099

struct fixture {
	char bridge[IFNAMSIZ];
	char veth[IFNAMSIZ];
	uint32_t subnet, gateway, addr;
	pid_t child;
	int to_child, from_child;
};

/* Whether any host address or route lies in SUBNET/24. */
static bool subnet_in_use(uint32_t subnet)
{
	struct ifaddrs *list, *ifa;
	bool used = false;
	char line[256];
	FILE *f;

	if (getifaddrs(&list) == 0) {
		for (ifa = list; ifa; ifa = ifa->ifa_next) {
			const struct sockaddr_in *sin = (const void *)ifa->ifa_addr;

			if (sin && sin->sin_family == AF_INET &&
			    (ntohl(sin->sin_addr.s_addr) & 0xffffff00u) == subnet)
				used = true;
		}
		freeifaddrs(list);
	}

	f = fopen("/proc/net/route", "r");
	while (f && fgets(line, sizeof line, f)) {
		char ifname[IFNAMSIZ + 1];
		unsigned dest;

		if (sscanf(line, "%16s %x", ifname, &dest) == 2 &&
		    (ntohl(dest) & 0xffffff00u) == subnet && dest != 0)
			used = true;
	}
	if (f)
		fclose(f);
	return used;
}

static bool sys_exists(const char *ifname, const char *what)
{
	char path[128];

	snprintf(path, sizeof path, "/sys/class/net/%s%s%s", ifname, *what ? "/" : "", what);
	return access(path, F_OK) == 0;
}

/* The interface flags of IFNAME in the caller's network namespace (sysfs
 * would show the namespace it was mounted in). */
static unsigned if_flags(const char *ifname)
{
	struct ifreq ifr = { 0 };
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	unsigned flags = 0;

	snprintf(ifr.ifr_name, sizeof ifr.ifr_name, "%s", ifname);
	if (fd >= 0 && ioctl(fd, SIOCGIFFLAGS, &ifr) == 0)
		flags = (unsigned short)ifr.ifr_flags;
	if (fd >= 0)
		close(fd);
	return flags;
}

/* Whether IFNAME's MAC address is 02:63 followed by the bytes of ADDR. */
static bool has_mac_of(const char *ifname, uint32_t addr)
{
	const uint8_t expected[6] = { 0x02, 0x63, (uint8_t)(addr >> 24), (uint8_t)(addr >> 16),
				      (uint8_t)(addr >> 8), (uint8_t)addr };
	struct ifreq ifr = { 0 };
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	bool same = false;

	snprintf(ifr.ifr_name, sizeof ifr.ifr_name, "%s", ifname);
	if (fd >= 0 && ioctl(fd, SIOCGIFHWADDR, &ifr) == 0)
		same = memcmp(ifr.ifr_hwaddr.sa_data, expected, sizeof expected) == 0;
	if (fd >= 0)
		close(fd);
	return same;
}

/* Whether IFNAME has the IPv4 address ADDR (host byte order). */
static bool has_address(const char *ifname, uint32_t addr)
{
	struct ifaddrs *list, *ifa;
	bool found = false;

	if (getifaddrs(&list) < 0)
		return false;
	for (ifa = list; ifa; ifa = ifa->ifa_next) {
		const struct sockaddr_in *sin = (const void *)ifa->ifa_addr;

		if (sin && sin->sin_family == AF_INET && strcmp(ifa->ifa_name, ifname) == 0 &&
		    ntohl(sin->sin_addr.s_addr) == addr)
			found = true;
	}
	freeifaddrs(list);
	return found;
}

/* Whether the routing table has a default route through GATEWAY on IFNAME. */
static bool has_default_route(const char *ifname, uint32_t gateway)
{
	char line[256];
	bool found = false;
	FILE *f = fopen("/proc/net/route", "r");

	while (f && fgets(line, sizeof line, f)) {
		char name[IFNAMSIZ + 1];
		unsigned dest, gw;

		if (sscanf(line, "%16s %x %x", name, &dest, &gw) == 3 && strcmp(name, ifname) == 0 &&
		    dest == 0 && ntohl(gw) == gateway)
			found = true;
	}
	if (f)
		fclose(f);
	return found;
}

static void child_report(int fd, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	if (write(fd, msg, strlen(msg) + 1) < 0)
		_exit(3);
}

static int wait_byte(int fd)
{
	char c;

	return read(fd, &c, 1) == 1 ? 0 : -1;
}

/* The child: enters a new network namespace, waits for the veth, configures
 * it, checks the result, then accepts one TCP connection on its address. */
static void child_main(struct fixture *fx, int in, int out)
{
	struct sockaddr_in sin = { .sin_family = AF_INET, .sin_port = htons(TEST_PORT) };
	struct ctui_error err = { 0 };
	int reuse = 1, lsock, conn;

	if (unshare(CLONE_NEWNET) < 0) {
		child_report(out, "unshare: %s", strerror(errno));
		_exit(1);
	}
	child_report(out, "ready");
	if (wait_byte(in) < 0)
		_exit(1);

	if (ctui_net_configure_inside(fx->addr, 24, fx->gateway, &err) < 0) {
		child_report(out, "configure: %s", err.message);
		_exit(1);
	}
	if (!has_address("eth0", fx->addr) || !(if_flags("eth0") & IFF_UP) ||
	    !(if_flags("lo") & IFF_UP) || !has_default_route("eth0", fx->gateway) ||
	    !has_mac_of("eth0", fx->addr)) {
		child_report(out, "inside: address, flags, route or MAC address missing");
		_exit(1);
	}

	sin.sin_addr.s_addr = htonl(fx->addr);
	lsock = socket(AF_INET, SOCK_STREAM, 0);
	setsockopt(lsock, SOL_SOCKET, SO_REUSEADDR, &reuse, sizeof reuse);
	if (bind(lsock, (struct sockaddr *)&sin, sizeof sin) < 0 || listen(lsock, 1) < 0) {
		child_report(out, "listen: %s", strerror(errno));
		_exit(1);
	}
	child_report(out, "configured");

	conn = accept(lsock, NULL, NULL);
	if (conn < 0)
		_exit(1);
	if (write(conn, "hi", 2) != 2)
		_exit(1);
	close(conn);
	wait_byte(in);
	_exit(0);
}

static void read_report(struct fixture *fx, char *buf, size_t size)
{
	ssize_t n = read(fx->from_child, buf, size - 1);

	buf[n > 0 ? n : 0] = '\0';
}

static int setup(void **state)
{
	struct fixture *fx = calloc(1, sizeof *fx);
	int to[2], from[2];

	/* 10.253.X.0/24 with X from the pid, the first free one. */
	for (unsigned i = 0; i < 256; i++) {
		uint32_t subnet = (10u << 24) | (253u << 16) | (((unsigned)getpid() + i) % 256) << 8;

		if (!subnet_in_use(subnet)) {
			fx->subnet = subnet;
			break;
		}
	}
	assert_int_not_equal(fx->subnet, 0);
	fx->gateway = fx->subnet | 254;
	fx->addr = fx->subnet | 2;
	snprintf(fx->bridge, sizeof fx->bridge, "ctuit%d", (int)getpid() % 1000000);
	ctui_net_host_ifname(fx->addr, fx->veth);

	assert_int_equal(pipe2(to, O_CLOEXEC), 0);
	assert_int_equal(pipe2(from, O_CLOEXEC | O_DIRECT), 0);
	fx->child = fork();
	assert_true(fx->child >= 0);
	if (fx->child == 0)
		child_main(fx, to[0], from[1]);
	close(to[0]);
	close(from[1]);
	fx->to_child = to[1];
	fx->from_child = from[0];
	*state = fx;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *fx = *state;
	struct ctui_error err = { 0 };

	if (fx->child > 0) {
		kill(fx->child, SIGKILL);
		waitpid(fx->child, NULL, 0);
	}
	ctui_net_veth_delete(fx->veth, &err);
	ctui_net_bridge_delete(fx->bridge, &err);
	close(fx->to_child);
	close(fx->from_child);
	free(fx);
	return 0;
}

static void test_host_ifname(void **state)
{
	char name[IFNAMSIZ];

	(void)state;
	ctui_net_host_ifname(0x0a010102, name);
	assert_string_equal(name, "v0a010102");
	ctui_net_host_ifname(0xffffffff, name);
	assert_string_equal(name, "vffffffff");
}

static void test_bridge_veth_lifecycle(void **state)
{
	struct fixture *fx = *state;
	struct ctui_error err = { 0 };
	char report[512], master[IFNAMSIZ + 16], link[256];
	struct sockaddr_in sin = { .sin_family = AF_INET, .sin_port = htons(TEST_PORT) };
	char hello[3] = { 0 };
	ssize_t len;
	int sock;

	read_report(fx, report, sizeof report);
	assert_string_equal(report, "ready");

	/* The bridge is created with its address and set up. A second call
	 * changes nothing. */
	assert_int_equal(ctui_net_bridge_ensure(fx->bridge, fx->gateway, 24, &err), 0);
	assert_int_equal(ctui_net_bridge_ensure(fx->bridge, fx->gateway, 24, &err), 0);
	assert_true(sys_exists(fx->bridge, "bridge"));
	assert_true(if_flags(fx->bridge) & IFF_UP);
	assert_true(has_address(fx->bridge, fx->gateway));
	assert_true(has_mac_of(fx->bridge, fx->gateway));

	/* The veth: host end enslaved and up, no eth0 left on the host. */
	assert_int_equal(ctui_net_veth_create(fx->veth, fx->bridge, fx->child, fx->addr, &err), 0);
	assert_true(sys_exists(fx->veth, ""));
	assert_true(if_flags(fx->veth) & IFF_UP);
	snprintf(master, sizeof master, "/sys/class/net/%s/master", fx->veth);
	len = readlink(master, link, sizeof link - 1);
	assert_true(len > 0);
	link[len] = '\0';
	assert_string_equal(strrchr(link, '/') + 1, fx->bridge);

	/* A second veth of the same name is rejected with a clear message. */
	assert_int_equal(ctui_net_veth_create(fx->veth, fx->bridge, fx->child, fx->addr, &err), -1);
	assert_int_equal(err.code, EEXIST);
	assert_non_null(strstr(err.message, fx->veth));

	/* Inside: the child configures and checks, then listens on its address. */
	assert_int_equal(write(fx->to_child, "g", 1), 1);
	read_report(fx, report, sizeof report);
	assert_string_equal(report, "configured");

	sock = socket(AF_INET, SOCK_STREAM, 0);
	sin.sin_addr.s_addr = htonl(fx->addr);
	assert_int_equal(connect(sock, (struct sockaddr *)&sin, sizeof sin), 0);
	assert_int_equal(read(sock, hello, 2), 2);
	assert_string_equal(hello, "hi");
	close(sock);

	/* Deleting: the veth goes, a second delete is fine, then the bridge. */
	assert_int_equal(ctui_net_veth_delete(fx->veth, &err), 0);
	assert_false(sys_exists(fx->veth, ""));
	assert_int_equal(ctui_net_veth_delete(fx->veth, &err), 0);

	assert_int_equal(write(fx->to_child, "q", 1), 1);
	assert_int_equal(waitpid(fx->child, NULL, 0), fx->child);
	fx->child = 0;

	assert_int_equal(ctui_net_bridge_delete(fx->bridge, &err), 0);
	assert_false(sys_exists(fx->bridge, ""));
	assert_int_equal(ctui_net_bridge_delete(fx->bridge, &err), 0);
}

static void test_wrong_kinds_rejected(void **state)
{
	struct fixture *fx = *state;
	struct ctui_error err = { 0 };

	/* lo exists and is no bridge: ensure must not touch it. */
	assert_int_equal(ctui_net_bridge_ensure("lo", fx->gateway, 24, &err), -1);
	assert_int_equal(err.code, EEXIST);
	assert_non_null(strstr(err.message, "lo"));
	assert_false(has_address("lo", fx->gateway));

	assert_int_equal(ctui_net_bridge_delete("lo", &err), -1);
	assert_true(sys_exists("lo", ""));
	assert_int_equal(ctui_net_veth_delete("lo", &err), -1);

	/* A veth onto a missing bridge names the bridge. */
	assert_int_equal(ctui_net_veth_create(fx->veth, fx->bridge, fx->child, fx->addr, &err), -1);
	assert_int_equal(err.code, ENODEV);
	assert_non_null(strstr(err.message, fx->bridge));
	assert_false(sys_exists(fx->veth, ""));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_host_ifname),
		cmocka_unit_test_setup_teardown(test_bridge_veth_lifecycle, setup, teardown),
		cmocka_unit_test_setup_teardown(test_wrong_kinds_rejected, setup, teardown),
	};

	if (geteuid() != 0) {
		printf("skipped: needs root to create bridges and namespaces\n");
		return 77;
	}
	return cmocka_run_group_tests(tests, NULL, NULL);
}
