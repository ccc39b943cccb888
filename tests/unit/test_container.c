/* Containers on the real kernel. The root file system is the static
 * busybox, the network a test bridge in a private subnet, and the service
 * busybox httpd. The checks are those a user would make: HTTP from the
 * host, the container's hostname, PID 1, capabilities, descriptors and
 * cgroup, then stop and cleanup. Skipped unless run as root with
 * build/ctui-init (make) and /bin/busybox (busybox-static). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ifaddrs.h>
#include <limits.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "engine/container.h"
#include "engine/net.h"
#include "engine/proc.h"
#include "util/fs.h"
#include "util/util.h"

#define INIT_PATH "build/ctui-init"
#define BUSYBOX "/bin/busybox"

static const char *const applets[] = { "sh", "cat", "sleep", "httpd", "hostname", NULL };
static const char *const caps[] = { "CAP_SETUID", "CAP_SETGID", "CAP_NET_BIND_SERVICE",
				    "CAP_KILL", NULL };

struct fixture {
	char dir[64];
	char lower[96], upper[96], work[96], root[96], console[96];
	char bridge[IFNAMSIZ], veth[IFNAMSIZ], parent[64];
	uint32_t subnet;
	struct ctui_service services[1];
	struct ctui_container_spec spec;
	pid_t pid;                  /* a running container, stopped by the teardown */
	unsigned long long start_time;
};

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

static bool subnet_in_use(uint32_t subnet)
{
	struct ifaddrs *list, *ifa;
	bool used = false;

	if (getifaddrs(&list) < 0)
		return true;
	for (ifa = list; ifa; ifa = ifa->ifa_next) {
		const struct sockaddr_in *sin = (const void *)ifa->ifa_addr;

		if (sin && sin->sin_family == AF_INET &&
		    (ntohl(sin->sin_addr.s_addr) & 0xffffff00u) == subnet)
			used = true;
	}
	freeifaddrs(list);
	return used;
}

/* The lower layer: busybox, its applets as links, and the mount points. */
static void make_lower(const char *lower)
{
	const char *dirs[] = { "bin", "proc", "dev", "sys", "run", "tmp", "www", NULL };
	char path[PATH_MAX];
	struct ctui_error err = { 0 };
	char *data = NULL;
	size_t len;

	for (size_t i = 0; dirs[i]; i++) {
		snprintf(path, sizeof path, "%s/%s", lower, dirs[i]);
		assert_int_equal(mkdir(path, 0755), 0);
	}

	assert_int_equal(ctui_read_file(BUSYBOX, &data, &len, &err), 0);
	snprintf(path, sizeof path, "%s/bin/busybox", lower);
	assert_int_equal(ctui_write_file_atomic(path, data, len, 0755, &err), 0);
	free(data);

	for (size_t i = 0; applets[i]; i++) {
		snprintf(path, sizeof path, "%s/bin/%s", lower, applets[i]);
		assert_int_equal(symlink("busybox", path), 0);
	}

	snprintf(path, sizeof path, "%s/www/index.html", lower);
	assert_int_equal(ctui_write_file_atomic(path, "hello\n", 6, 0644, &err), 0);
}

static int setup(void **state)
{
	struct fixture *fx = xcalloc(1, sizeof *fx);
	const char *sub[] = { "lower", "upper", "work", "root" };
	char *paths[] = { fx->lower, fx->upper, fx->work, fx->root };

	snprintf(fx->dir, sizeof fx->dir, "/var/tmp/ctui-test-XXXXXX");
	assert_non_null(mkdtemp(fx->dir));
	for (size_t i = 0; i < 4; i++) {
		snprintf(paths[i], sizeof fx->lower, "%s/%s", fx->dir, sub[i]);
		assert_int_equal(mkdir(paths[i], 0755), 0);
	}
	snprintf(fx->console, sizeof fx->console, "%s/console.log", fx->dir);
	make_lower(fx->lower);

	for (unsigned i = 0; i < 256 && !fx->subnet; i++) {
		uint32_t subnet = (10u << 24) | (252u << 16) | (((unsigned)getpid() + i) % 256) << 8;

		if (!subnet_in_use(subnet))
			fx->subnet = subnet;
	}
	assert_int_not_equal(fx->subnet, 0);
	snprintf(fx->bridge, sizeof fx->bridge, "ctuic%d", (int)getpid() % 1000000);
	snprintf(fx->parent, sizeof fx->parent, "ctui-test-%d", (int)getpid());
	ctui_net_host_ifname(fx->subnet | 2, fx->veth);

	fx->services[0] = (struct ctui_service){
		.name = "web",
		.start = "hostname > /www/hostname && cat /proc/1/cmdline > /www/init && "
			 "exec httpd -f -p 80 -h /www",
	};
	fx->spec = (struct ctui_container_spec){
		.name = "site",
		.hostname = "site.test",
		.lower = fx->lower, .upper = fx->upper, .work = fx->work, .root = fx->root,
		.ipv4 = fx->subnet | 2,
		.prefix = 24,
		.gateway = fx->subnet | 254,
		.bridge = fx->bridge,
		.cgroup_parent = fx->parent,
		.limits = { .cpu_shares = 512, .memory = 64 << 20, .pids = 50 },
		.init_path = INIT_PATH,
		.console_path = fx->console,
		.services = fx->services,
		.n_services = 1,
		.capabilities = caps,
	};

	struct ctui_error err = { 0 };

	assert_int_equal(ctui_net_bridge_ensure(fx->bridge, fx->subnet | 254, 24, &err), 0);
	*state = fx;
	return 0;
}

static bool cgroup_exists(const struct fixture *fx, const char *controller, const char *site)
{
	char path[256];

	snprintf(path, sizeof path, "/sys/fs/cgroup/%s/%s%s%s", controller, fx->parent,
		 site ? "/" : "", site ? site : "");
	return access(path, F_OK) == 0;
}

static bool veth_exists(const struct fixture *fx)
{
	char path[64];

	snprintf(path, sizeof path, "/sys/class/net/%s", fx->veth);
	return access(path, F_OK) == 0;
}

static int teardown(void **state)
{
	struct fixture *fx = *state;
	const char *controllers[] = { "cpu", "cpuacct", "memory", "pids", "freezer" };
	struct ctui_error err = { 0 };
	char path[256];

	if (fx->pid > 0)
		ctui_container_stop("site", fx->pid, fx->start_time, fx->spec.ipv4, fx->parent,
				    1000, &err);
	ctui_net_veth_delete(fx->veth, &err);
	ctui_net_bridge_delete(fx->bridge, &err);
	for (size_t i = 0; i < sizeof controllers / sizeof controllers[0]; i++) {
		snprintf(path, sizeof path, "/sys/fs/cgroup/%s/%s/site", controllers[i], fx->parent);
		rmdir(path);
		snprintf(path, sizeof path, "/sys/fs/cgroup/%s/%s", controllers[i], fx->parent);
		rmdir(path);
	}
	ctui_rm_rf(fx->dir, &err);
	free(fx);
	return 0;
}

/* GETs PATH from the site; returns the status and copies the body to BODY. */
static int http_get(uint32_t addr, const char *path, char *body, size_t size)
{
	struct sockaddr_in sin = { .sin_family = AF_INET, .sin_port = htons(80),
				   .sin_addr.s_addr = htonl(addr) };
	char request[256], reply[4096];
	struct pollfd pfd;
	size_t got = 0;
	int status = -1;
	ssize_t n;
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	snprintf(request, sizeof request, "GET %s HTTP/1.0\r\nHost: site.test\r\n\r\n", path);
	if (connect(fd, (struct sockaddr *)&sin, sizeof sin) < 0 ||
	    write(fd, request, strlen(request)) < 0) {
		close(fd);
		return -1;
	}
	pfd = (struct pollfd){ .fd = fd, .events = POLLIN };
	while (got < sizeof reply - 1 && poll(&pfd, 1, 2000) > 0 &&
	       (n = read(fd, reply + got, sizeof reply - 1 - got)) > 0)
		got += (size_t)n;
	reply[got] = '\0';
	close(fd);

	if (sscanf(reply, "HTTP/%*d.%*d %d", &status) == 1 && body) {
		const char *start = strstr(reply, "\r\n\r\n");

		snprintf(body, size, "%s", start ? start + 4 : "");
	}
	return status;
}

static int wait_http(uint32_t addr, const char *path, char *body, size_t size)
{
	long long deadline = now_ms() + 5000;
	int status = -1;

	while (now_ms() < deadline && (status = http_get(addr, path, body, size)) != 200)
		usleep(10000);
	return status;
}

/* The bounding set expected: exactly the capabilities in CAPS. */
static unsigned long long expected_caps(void)
{
	return (1ULL << 6) | (1ULL << 7) | (1ULL << 10) | (1ULL << 5);
}

static unsigned long long status_field(pid_t pid, const char *field)
{
	char path[64], line[256];
	unsigned long long value = ~0ULL;
	FILE *f;

	snprintf(path, sizeof path, "/proc/%d/status", (int)pid);
	f = fopen(path, "r");
	assert_non_null(f);
	while (fgets(line, sizeof line, f))
		if (strncmp(line, field, strlen(field)) == 0)
			value = strtoull(line + strlen(field) + 1, NULL, 16);
	fclose(f);
	return value;
}

static int count_fds(pid_t pid)
{
	char path[64];
	struct dirent *entry;
	int count = 0;
	DIR *dir;

	snprintf(path, sizeof path, "/proc/%d/fd", (int)pid);
	dir = opendir(path);
	assert_non_null(dir);
	while ((entry = readdir(dir)))
		if (entry->d_name[0] != '.')
			count++;
	closedir(dir);
	return count;
}

static bool file_contains(const char *path, const char *text)
{
	struct ctui_error err = { 0 };
	char *data = NULL;
	size_t len;
	bool found;

	if (ctui_read_file(path, &data, &len, &err) < 0)
		return false;
	found = strstr(data, text) != NULL;
	free(data);
	return found;
}

static void test_start_serve_stop(void **state)
{
	struct fixture *fx = *state;
	struct ctui_error err = { 0 };
	unsigned long long start_time = 0;
	char body[256], link[64], own[64], theirs[64];
	long long stop_began;
	pid_t pid = 0;
	/* Stands for ctui's own descriptors (database, lock) that the
	 * container must not keep: opened without O_CLOEXEC on purpose. */
	int leak = open("/dev/null", O_RDONLY);

	assert_true(leak >= 0);
	assert_int_equal(ctui_container_start(&fx->spec, &pid, &start_time, &err), 0);
	fx->pid = pid;
	fx->start_time = start_time;
	close(leak);
	assert_true(ctui_proc_alive(pid, start_time));

	/* The service serves the site's files from the site's address. */
	assert_int_equal(wait_http(fx->spec.ipv4, "/index.html", body, sizeof body), 200);
	assert_string_equal(body, "hello\n");
	assert_int_equal(wait_http(fx->spec.ipv4, "/hostname", body, sizeof body), 200);
	assert_string_equal(body, "site.test\n");
	assert_int_equal(wait_http(fx->spec.ipv4, "/init", body, sizeof body), 200);
	assert_string_equal(body, "ctui-init");   /* up to the NUL after argv[0] */

	/* Seen from the host: own namespaces, reduced capabilities, no
	 * descriptor of ctui beyond the standard ones, its cgroup, its veth. */
	snprintf(link, sizeof link, "/proc/%d/ns/net", (int)pid);
	assert_true(readlink(link, theirs, sizeof theirs) > 0);
	assert_true(readlink("/proc/self/ns/net", own, sizeof own) > 0);
	assert_string_not_equal(own, theirs);
	assert_int_equal(status_field(pid, "CapBnd:"), expected_caps());
	assert_int_equal(status_field(pid, "CapEff:"), expected_caps());
	assert_int_equal(status_field(pid, "CapAmb:"), 0);
	assert_int_equal(count_fds(pid), 3);
	assert_true(cgroup_exists(fx, "pids", "site"));
	assert_true(veth_exists(fx));
	assert_true(file_contains(fx->console, "service web started"));

	stop_began = now_ms();
	assert_int_equal(ctui_container_stop("site", pid, start_time, fx->spec.ipv4, fx->parent,
					     5000, &err), 0);
	assert_true(now_ms() - stop_began < 5000);
	assert_false(ctui_proc_alive(pid, start_time));
	fx->pid = 0;
	assert_int_equal(kill(pid, 0), -1);   /* reaped, not a zombie */
	assert_false(veth_exists(fx));
	assert_false(cgroup_exists(fx, "pids", "site"));
	assert_false(cgroup_exists(fx, "memory", "site"));
	assert_true(file_contains(fx->console, "all services stopped"));

	/* Stopping a stopped site succeeds. */
	assert_int_equal(ctui_container_stop("site", pid, start_time, fx->spec.ipv4, fx->parent,
					     5000, &err), 0);
}

static void test_stop_escalates_to_sigkill(void **state)
{
	struct fixture *fx = *state;
	struct ctui_error err = { 0 };
	unsigned long long start_time = 0;
	long long began, took;
	pid_t pid = 0;

	fx->services[0].start = "trap '' TERM; while :; do sleep 1; done";
	assert_int_equal(ctui_container_start(&fx->spec, &pid, &start_time, &err), 0);
	fx->pid = pid;
	fx->start_time = start_time;
	usleep(200 * 1000);

	began = now_ms();
	assert_int_equal(ctui_container_stop("site", pid, start_time, fx->spec.ipv4, fx->parent,
					     300, &err), 0);
	took = now_ms() - began;
	assert_true(took >= 300);
	assert_true(took < 3000);
	assert_false(ctui_proc_alive(pid, start_time));
	fx->pid = 0;
	assert_false(veth_exists(fx));
	assert_false(cgroup_exists(fx, "pids", "site"));
}

static void test_setup_failure_undone(void **state)
{
	struct fixture *fx = *state;
	struct ctui_error err = { 0 };
	unsigned long long start_time = 0;
	char missing[128];
	pid_t pid = 0;

	/* The overlay fails inside the child: the message names the step. */
	snprintf(missing, sizeof missing, "%s/missing", fx->dir);
	fx->spec.lower = missing;
	assert_int_equal(ctui_container_start(&fx->spec, &pid, &start_time, &err), -1);
	assert_non_null(strstr(err.message, "overlay"));
	assert_non_null(strstr(err.message, fx->root));
	assert_false(veth_exists(fx));
	assert_false(cgroup_exists(fx, "pids", "site"));
	assert_int_equal(waitpid(-1, NULL, WNOHANG), -1);
	assert_int_equal(errno, ECHILD);
}

static void test_bad_input_rejected(void **state)
{
	struct fixture *fx = *state;
	struct ctui_error err = { 0 };
	unsigned long long start_time = 0;
	const char *bogus[] = { "CAP_SETUID", "CAP_BOGUS", NULL };
	pid_t pid = 0;

	fx->spec.capabilities = bogus;
	assert_int_equal(ctui_container_start(&fx->spec, &pid, &start_time, &err), -1);
	assert_non_null(strstr(err.message, "CAP_BOGUS"));
	assert_false(cgroup_exists(fx, "pids", "site"));

	fx->spec.capabilities = caps;
	fx->spec.upper = "/var/tmp/a,b";
	assert_int_equal(ctui_container_start(&fx->spec, &pid, &start_time, &err), -1);
	assert_non_null(strstr(err.message, "/var/tmp/a,b"));

	fx->spec.upper = fx->upper;
	fx->spec.init_path = "/nonexistent/ctui-init";
	assert_int_equal(ctui_container_start(&fx->spec, &pid, &start_time, &err), -1);
	assert_int_equal(err.code, ENOENT);
	assert_non_null(strstr(err.message, "/nonexistent/ctui-init"));
	assert_false(cgroup_exists(fx, "pids", "site"));
}

static void test_second_start_keeps_first(void **state)
{
	struct fixture *fx = *state;
	struct ctui_error err = { 0 };
	unsigned long long start_time = 0, other_time = 0;
	pid_t pid = 0, other = 0;

	assert_int_equal(ctui_container_start(&fx->spec, &pid, &start_time, &err), 0);
	fx->pid = pid;
	fx->start_time = start_time;
	assert_int_equal(wait_http(fx->spec.ipv4, "/index.html", NULL, 0), 200);

	/* Same site again: rejected, and the running one keeps its network. */
	assert_int_equal(ctui_container_start(&fx->spec, &other, &other_time, &err), -1);
	assert_int_equal(err.code, EEXIST);
	assert_true(veth_exists(fx));
	assert_int_equal(http_get(fx->spec.ipv4, "/index.html", NULL, 0), 200);

	assert_int_equal(ctui_container_stop("site", pid, start_time, fx->spec.ipv4, fx->parent,
					     5000, &err), 0);
	fx->pid = 0;
	assert_false(cgroup_exists(fx, "pids", "site"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_start_serve_stop, setup, teardown),
		cmocka_unit_test_setup_teardown(test_stop_escalates_to_sigkill, setup, teardown),
		cmocka_unit_test_setup_teardown(test_setup_failure_undone, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_input_rejected, setup, teardown),
		cmocka_unit_test_setup_teardown(test_second_start_keeps_first, setup, teardown),
	};

	if (geteuid() != 0) {
		printf("skipped: needs root for namespaces, cgroups and bridges\n");
		return 77;
	}
	if (access(INIT_PATH, X_OK) < 0 || access(BUSYBOX, X_OK) < 0) {
		printf("skipped: needs %s (make) and %s (busybox-static)\n", INIT_PATH, BUSYBOX);
		return 77;
	}
	if (access("/sys/fs/cgroup/pids/cgroup.procs", F_OK) < 0) {
		printf("skipped: the checks read cgroup v1 paths; this host has none\n");
		return 77;
	}
	return cmocka_run_group_tests(tests, NULL, NULL);
}
