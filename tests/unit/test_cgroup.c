/* Site cgroups on the real kernel: limits written and read back from the
 * cgroup files, a process attached and accounted, and the removal in every
 * controller. Needs root; skipped otherwise. Only the v1 layout (pure or
 * hybrid) can run on a v1 host; the file names below follow the mode. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/wait.h>
#include <unistd.h>

#include <linux/magic.h>

#include "engine/cgroup.h"

#define ROOT "/sys/fs/cgroup"

static char parent[64];
static bool unified;
static pid_t child;   /* killed by the teardown if a test fails first */

/* The directory of the test cgroup (SITE may be NULL for the parent) in
 * CONTROLLER's hierarchy. */
static void cg_dir(char *buf, size_t size, const char *controller, const char *site)
{
	if (unified)
		snprintf(buf, size, ROOT "/%s%s%s", parent, site ? "/" : "", site ? site : "");
	else
		snprintf(buf, size, ROOT "/%s/%s%s%s", controller, parent, site ? "/" : "",
			 site ? site : "");
}

static bool cg_exists(const char *controller, const char *site)
{
	char dir[256];

	cg_dir(dir, sizeof dir, controller, site);
	return access(dir, F_OK) == 0;
}

static void cg_read(const char *controller, const char *site, const char *file, char *buf,
		    size_t size)
{
	char dir[256], path[320];
	FILE *f;

	cg_dir(dir, sizeof dir, controller, site);
	snprintf(path, sizeof path, "%s/%s", dir, file);
	f = fopen(path, "r");
	assert_non_null(f);
	assert_non_null(fgets(buf, (int)size, f));
	buf[strcspn(buf, "\n")] = '\0';
	fclose(f);
}

static const char *const controllers[] = { "cpu", "cpuacct", "memory", "pids", "freezer" };

static void remove_parent(void)
{
	char dir[256];

	for (size_t i = 0; i < sizeof controllers / sizeof controllers[0]; i++) {
		cg_dir(dir, sizeof dir, controllers[i], "site");
		rmdir(dir);
		cg_dir(dir, sizeof dir, controllers[i], NULL);
		rmdir(dir);
	}
}

static int group_setup(void **state)
{
	struct statfs fs;

	(void)state;
	snprintf(parent, sizeof parent, "ctui-test-%d", (int)getpid());
	assert_int_equal(statfs(ROOT, &fs), 0);
	unified = fs.f_type == CGROUP2_SUPER_MAGIC;
	return 0;
}

static int group_teardown(void **state)
{
	(void)state;
	if (child > 0) {
		kill(child, SIGKILL);
		waitpid(child, NULL, 0);
		usleep(100 * 1000);
	}
	remove_parent();
	return 0;
}

static void test_limits_written(void **state)
{
	const struct ctui_limits limits = { .cpu_shares = 512, .memory = 128 << 20, .pids = 64 };
	struct ctui_error err = { 0 };
	char value[128];

	(void)state;
	assert_int_equal(ctui_cgroup_create(parent, "site", &limits, &err), 0);

	if (unified) {
		cg_read("cpu", "site", "cpu.weight", value, sizeof value);
		assert_string_equal(value, "20");
		cg_read("memory", "site", "memory.max", value, sizeof value);
		assert_string_equal(value, "134217728");
	} else {
		assert_true(cg_exists("cpuacct", "site"));
		cg_read("cpu", "site", "cpu.shares", value, sizeof value);
		assert_string_equal(value, "512");
		cg_read("memory", "site", "memory.limit_in_bytes", value, sizeof value);
		assert_string_equal(value, "134217728");
		if (access(ROOT "/memory/memory.memsw.limit_in_bytes", F_OK) == 0) {
			cg_read("memory", "site", "memory.memsw.limit_in_bytes", value, sizeof value);
			assert_string_equal(value, "134217728");
		}
	}
	cg_read("pids", "site", "pids.max", value, sizeof value);
	assert_string_equal(value, "64");
}

static void test_limits_updated(void **state)
{
	const struct ctui_limits raised = { .cpu_shares = 2048, .memory = 512 << 20, .pids = 0 };
	const struct ctui_limits lowered = { .cpu_shares = 0, .memory = 64 << 20, .pids = 10 };
	struct ctui_limits got = { 0 };
	struct ctui_error err = { 0 };
	unsigned long long cpu, memory;
	unsigned pids;
	char value[128];

	(void)state;
	/* A higher memory limit than memory+swap must still be accepted. */
	assert_int_equal(ctui_cgroup_create(parent, "site", &raised, &err), 0);
	cg_read("pids", "site", "pids.max", value, sizeof value);
	assert_string_equal(value, "max");
	assert_int_equal(ctui_cgroup_read(parent, "site", &got, &cpu, &memory, &pids, &err), 0);
	assert_int_equal(got.memory, 512 << 20);
	assert_int_equal(got.pids, 0);
	if (unified)
		assert_true(got.cpu_shares >= 2028 && got.cpu_shares <= 2068);
	else
		assert_int_equal(got.cpu_shares, 2048);

	assert_int_equal(ctui_cgroup_create(parent, "site", &lowered, &err), 0);
	assert_int_equal(ctui_cgroup_read(parent, "site", &got, &cpu, &memory, &pids, &err), 0);
	assert_int_equal(got.memory, 64 << 20);
	assert_int_equal(got.pids, 10);
	if (!unified)
		assert_int_equal(got.cpu_shares, 1024);
}

static void test_no_memory_limit(void **state)
{
	const struct ctui_limits none = { .cpu_shares = 100, .memory = 0, .pids = 0 };
	struct ctui_limits got = { 0 };
	struct ctui_error err = { 0 };
	unsigned long long cpu, memory;
	unsigned pids;

	(void)state;
	assert_int_equal(ctui_cgroup_create(parent, "site", &none, &err), 0);
	assert_int_equal(ctui_cgroup_read(parent, "site", &got, &cpu, &memory, &pids, &err), 0);
	assert_int_equal(got.memory, 0);
	assert_int_equal(got.pids, 0);
}

static void test_attach_usage_destroy(void **state)
{
	const struct ctui_limits limits = { .cpu_shares = 512, .memory = 128 << 20, .pids = 64 };
	struct ctui_limits got = { 0 };
	struct ctui_error err = { 0 };
	unsigned long long cpu = 0, memory = 0;
	unsigned pids = 0;
	int go[2];
	char c;
	pid_t pid;

	(void)state;
	assert_int_equal(ctui_cgroup_create(parent, "site", &limits, &err), 0);

	/* Once in the cgroup, the child touches 8 MiB and burns some CPU, then
	 * sleeps. v1 charges memory where it is first touched, so the memory
	 * must be new. */
	assert_int_equal(pipe(go), 0);
	pid = child = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		volatile unsigned long spin = 0;
		volatile char *block;

		close(go[1]);
		if (read(go[0], &c, 1) != 1)
			_exit(1);
		block = malloc(8 << 20);
		if (!block)
			_exit(1);
		for (size_t i = 0; i < 8 << 20; i += 4096)
			block[i] = 1;
		for (unsigned long i = 0; i < 50000000UL; i++)
			spin += i;
		pause();
		_exit(0);
	}
	close(go[0]);

	assert_int_equal(ctui_cgroup_attach(parent, "site", pid, &err), 0);
	assert_int_equal(write(go[1], "g", 1), 1);
	close(go[1]);
	usleep(300 * 1000);

	assert_int_equal(ctui_cgroup_read(parent, "site", &got, &cpu, &memory, &pids, &err), 0);
	assert_int_equal(pids, 1);
	assert_true(cpu > 1000000);   /* more than 1 ms */
	assert_true(memory >= 8 << 20);
	assert_int_equal(got.pids, 64);

	/* Destroying with a live process is rejected after the wait. */
	assert_int_equal(ctui_cgroup_destroy(parent, "site", &err), -1);
	assert_int_equal(err.code, EBUSY);
	assert_true(cg_exists("pids", "site"));

	kill(pid, SIGKILL);
	assert_int_equal(waitpid(pid, NULL, 0), pid);
	child = 0;
	assert_int_equal(ctui_cgroup_destroy(parent, "site", &err), 0);
	for (size_t i = 0; i < sizeof controllers / sizeof controllers[0]; i++) {
		if (unified && strcmp(controllers[i], "cpuacct") == 0)
			continue;
		assert_false(cg_exists(controllers[i], "site"));
	}

	/* A missing cgroup is fine. */
	assert_int_equal(ctui_cgroup_destroy(parent, "site", &err), 0);
}

static void test_read_missing(void **state)
{
	struct ctui_limits got = { 0 };
	struct ctui_error err = { 0 };
	unsigned long long cpu, memory;
	unsigned pids;

	(void)state;
	assert_int_equal(ctui_cgroup_read(parent, "nosuchsite", &got, &cpu, &memory, &pids, &err),
			 -1);
	assert_non_null(strstr(err.message, "nosuchsite"));
}

static void test_cap_updated_live(void **state)
{
	const struct ctui_limits capped = { .cpu_shares = 700, .cpu_max = 20, .pids = 50 };
	const struct ctui_limits uncapped = { .cpu_shares = 700, .pids = 50 };
	struct ctui_limits got = { 0 };
	unsigned long long cpu_ns, memory;
	struct ctui_error err = { 0 };
	unsigned tasks;
	char value[128];

	(void)state;
	assert_int_equal(ctui_cgroup_create(parent, "live", &uncapped, &err), 0);
	assert_int_equal(ctui_cgroup_update(parent, "live", &capped, &err), 0);
	if (unified) {
		cg_read("cpu", "live", "cpu.max", value, sizeof value);
		assert_string_equal(value, "20000 100000");
	} else {
		cg_read("cpu", "live", "cpu.cfs_quota_us", value, sizeof value);
		assert_string_equal(value, "20000");
		cg_read("cpu", "live", "cpu.cfs_period_us", value, sizeof value);
		assert_string_equal(value, "100000");
	}
	assert_int_equal(ctui_cgroup_read(parent, "live", &got, &cpu_ns, &memory, &tasks, &err), 0);
	assert_int_equal(got.cpu_max, 20);

	assert_int_equal(ctui_cgroup_update(parent, "live", &uncapped, &err), 0);
	assert_int_equal(ctui_cgroup_read(parent, "live", &got, &cpu_ns, &memory, &tasks, &err), 0);
	assert_int_equal(got.cpu_max, 0);
	assert_int_equal(ctui_cgroup_destroy(parent, "live", &err), 0);
}

/* An update never creates the cgroup of a site that does not run. */
static void test_update_missing(void **state)
{
	const struct ctui_limits limits = { .cpu_shares = 700 };
	struct ctui_error err = { 0 };

	(void)state;
	assert_int_equal(ctui_cgroup_update(parent, "notrunning", &limits, &err), -1);
	assert_int_equal(err.code, ENOENT);
	assert_false(cg_exists("cpu", "notrunning"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_limits_written),
		cmocka_unit_test(test_limits_updated),
		cmocka_unit_test(test_no_memory_limit),
		cmocka_unit_test(test_attach_usage_destroy),
		cmocka_unit_test(test_read_missing),
		cmocka_unit_test(test_cap_updated_live),
		cmocka_unit_test(test_update_missing),
	};

	if (geteuid() != 0) {
		printf("skipped: needs root to create cgroups\n");
		return 77;
	}
	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
