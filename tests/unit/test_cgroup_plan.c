/* The cgroup files and values that a site's limits turn into, for cgroup v1
 * and v2. The v2 path cannot run on a v1 or hybrid host, so these checks
 * cover its file choice and its mapping of shares and caps. No cgroup is
 * touched. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdbool.h>
#include <string.h>

#include "engine/cgroup.h"

/* The value that PLAN writes to FILE, or NULL when it writes none. */
static const char *planned(const struct ctui_cgroup_setting *plan, size_t n, const char *file)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(plan[i].file, file) == 0)
			return plan[i].value;
	return NULL;
}

/* The position of FILE in PLAN, or N when it is missing. */
static size_t position(const struct ctui_cgroup_setting *plan, size_t n, const char *file)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(plan[i].file, file) == 0)
			return i;
	return n;
}

static void v1_plan_with_cap(void **state)
{
	const struct ctui_limits limits = { .cpu_shares = 2048, .cpu_max = 20,
					    .memory = 64 << 20, .pids = 160 };
	struct ctui_cgroup_setting plan[CTUI_CGROUP_SETTINGS_MAX];
	size_t n = ctui_cgroup_plan(false, &limits, plan);

	(void)state;
	assert_string_equal(planned(plan, n, "cpu.shares"), "2048");
	assert_string_equal(planned(plan, n, "cpu.cfs_period_us"), "100000");
	assert_string_equal(planned(plan, n, "cpu.cfs_quota_us"), "20000");
	assert_string_equal(planned(plan, n, "memory.limit_in_bytes"), "67108864");
	assert_string_equal(planned(plan, n, "pids.max"), "160");
	assert_null(planned(plan, n, "cpu.weight"));
	assert_null(planned(plan, n, "cpu.max"));
	assert_true(position(plan, n, "cpu.cfs_period_us") < position(plan, n, "cpu.cfs_quota_us"));
}

static void v1_plan_without_limits(void **state)
{
	const struct ctui_limits limits = { 0 };
	struct ctui_cgroup_setting plan[CTUI_CGROUP_SETTINGS_MAX];
	size_t n = ctui_cgroup_plan(false, &limits, plan);

	(void)state;
	assert_string_equal(planned(plan, n, "cpu.shares"), "1024");
	assert_string_equal(planned(plan, n, "cpu.cfs_quota_us"), "-1");
	assert_string_equal(planned(plan, n, "memory.limit_in_bytes"), "-1");
	assert_string_equal(planned(plan, n, "pids.max"), "max");
}

static void v2_plan_with_cap(void **state)
{
	const struct ctui_limits limits = { .cpu_shares = 2048, .cpu_max = 20,
					    .memory = 64 << 20, .pids = 160 };
	struct ctui_cgroup_setting plan[CTUI_CGROUP_SETTINGS_MAX];
	size_t n = ctui_cgroup_plan(true, &limits, plan);

	(void)state;
	assert_string_equal(planned(plan, n, "cpu.weight"), "79");
	assert_string_equal(planned(plan, n, "cpu.max"), "20000 100000");
	assert_string_equal(planned(plan, n, "memory.max"), "67108864");
	assert_string_equal(planned(plan, n, "pids.max"), "160");
	assert_null(planned(plan, n, "cpu.shares"));
	assert_null(planned(plan, n, "cpu.cfs_quota_us"));
	assert_null(planned(plan, n, "memory.limit_in_bytes"));
}

static void v2_plan_without_limits(void **state)
{
	const struct ctui_limits limits = { 0 };
	struct ctui_cgroup_setting plan[CTUI_CGROUP_SETTINGS_MAX];
	size_t n = ctui_cgroup_plan(true, &limits, plan);

	(void)state;
	assert_string_equal(planned(plan, n, "cpu.weight"), "39");
	assert_string_equal(planned(plan, n, "cpu.max"), "max 100000");
	assert_string_equal(planned(plan, n, "memory.max"), "max");
	assert_string_equal(planned(plan, n, "pids.max"), "max");
}

static void plan_controllers_match_files(void **state)
{
	const struct ctui_limits limits = { .cpu_shares = 512, .cpu_max = 50 };
	struct ctui_cgroup_setting plan[CTUI_CGROUP_SETTINGS_MAX];

	(void)state;
	for (int unified = 0; unified <= 1; unified++) {
		size_t n = ctui_cgroup_plan(unified, &limits, plan);

		assert_true(n <= CTUI_CGROUP_SETTINGS_MAX);
		for (size_t i = 0; i < n; i++) {
			size_t len = strlen(plan[i].controller);

			assert_memory_equal(plan[i].file, plan[i].controller, len);
			assert_int_equal(plan[i].file[len], '.');
		}
	}
}

/* The ends and the default of the range, and the values the ratio test
 * uses: the weights keep the 2:1 ratio of the shares within rounding. */
static void weight_mapping(void **state)
{
	(void)state;
	assert_int_equal(ctui_cgroup_shares_to_weight(2), 1);
	assert_int_equal(ctui_cgroup_shares_to_weight(262144), 10000);
	assert_int_equal(ctui_cgroup_shares_to_weight(1024), 39);
	assert_int_equal(ctui_cgroup_shares_to_weight(2048), 79);
	assert_int_equal(ctui_cgroup_shares_to_weight(512), 20);
	for (unsigned shares = 2; shares < 262144; shares += 997)
		assert_true(ctui_cgroup_shares_to_weight(shares) <=
			    ctui_cgroup_shares_to_weight(shares + 997));
}

static void cap_is_clamped(void **state)
{
	const struct ctui_limits limits = { .cpu_max = 150 };
	struct ctui_cgroup_setting plan[CTUI_CGROUP_SETTINGS_MAX];
	size_t n = ctui_cgroup_plan(true, &limits, plan);

	(void)state;
	assert_string_equal(planned(plan, n, "cpu.max"), "100000 100000");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(v1_plan_with_cap),
		cmocka_unit_test(v1_plan_without_limits),
		cmocka_unit_test(v2_plan_with_cap),
		cmocka_unit_test(v2_plan_without_limits),
		cmocka_unit_test(plan_controllers_match_files),
		cmocka_unit_test(weight_mapping),
		cmocka_unit_test(cap_is_clamped),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
