/* Resource models read from files in a temporary model directory, the
 * shipped models in conf/models, and the checks on limit values. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ctui/limits.h"
#include "engine/model.h"
#include "util/fs.h"
#include "util/util.h"

struct fixture {
	char dir[64];
	struct ctui_config cfg;
};

static int setup(void **state)
{
	struct fixture *f = xcalloc(1, sizeof *f);

	snprintf(f->dir, sizeof f->dir, "/tmp/ctui-test-model-XXXXXX");
	if (!mkdtemp(f->dir))
		return -1;
	f->cfg.model_dir = f->dir;
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	struct ctui_error err;

	ctui_rm_rf(f->dir, &err);
	free(f);
	return 0;
}

static void write_model(struct fixture *f, const char *name, const char *text)
{
	cleanup_free char *path = xasprintf("%s/%s.conf", f->dir, name);
	struct ctui_error err = { 0 };

	if (ctui_write_file_atomic(path, text, strlen(text), 0644, &err) < 0)
		fail_msg("%s", err.message);
}

/* Loading NAME fails with EINVAL and exactly "DIR/NAME.conf:LINE: MESSAGE". */
static void assert_load_error(struct fixture *f, const char *name, int line, const char *message)
{
	struct ctui_model model;
	struct ctui_error err = { 0 };
	char expected[512];

	assert_int_equal(ctui_model_load(&f->cfg, name, &model, &err), -1);
	assert_int_equal(err.code, EINVAL);
	snprintf(expected, sizeof expected, "model %s: %s/%s.conf:%d: %s", name, f->dir, name,
		 line, message);
	assert_string_equal(err.message, expected);
}

static void full_model_loads(void **state)
{
	struct fixture *f = *state;
	struct ctui_model model;
	struct ctui_error err = { 0 };

	write_model(f, "full", "# every key\n"
			       "[model]\n"
			       "description = Everything set\n"
			       "cpu_shares = 300\n"
			       "cpu_max = 40%\n"
			       "memory = 96M\n"
			       "pids = 90\n"
			       "disk = 2G\n");
	if (ctui_model_load(&f->cfg, "full", &model, &err) < 0)
		fail_msg("%s", err.message);
	assert_string_equal(model.description, "Everything set");
	assert_int_equal(model.limits.cpu_shares, 300);
	assert_int_equal(model.limits.cpu_max, 40);
	assert_int_equal(model.limits.memory, 96 << 20);
	assert_int_equal(model.limits.pids, 90);
	assert_int_equal(model.limits.disk, 2ULL << 30);
}

static void missing_keys_are_zero(void **state)
{
	struct fixture *f = *state;
	struct ctui_model model;
	struct ctui_error err = { 0 };

	write_model(f, "part", "[model]\nmemory = 64M\ncpu_max = none\n");
	assert_int_equal(ctui_model_load(&f->cfg, "part", &model, &err), 0);
	assert_int_equal(model.limits.memory, 64 << 20);
	assert_int_equal(model.limits.cpu_shares, 0);
	assert_int_equal(model.limits.cpu_max, 0);
	assert_int_equal(model.limits.pids, 0);
	assert_int_equal(model.limits.disk, 0);
}

static void errors_name_file_line_and_key(void **state)
{
	struct fixture *f = *state;

	write_model(f, "k", "[model]\ncpu_shares = 512\ncpu_quota = 20\n");
	assert_load_error(f, "k", 3, "unknown key \"cpu_quota\": expected description, "
				     "cpu_shares, cpu_max, memory, pids or disk");
	write_model(f, "s", "[model]\n[limits]\n");
	assert_load_error(f, "s", 2, "unknown section [limits]: a model file has only [model]");
	write_model(f, "c", "[model]\ncpu_max = 150\n");
	assert_load_error(f, "c", 2, "cpu_max: invalid CPU cap \"150\": expected a percentage "
				     "of one CPU from 1 to 100, or none");
	write_model(f, "z", "[model]\n\ncpu_max = 0\n");
	assert_load_error(f, "z", 3, "cpu_max: invalid CPU cap \"0\": expected a percentage "
				     "of one CPU from 1 to 100, or none");
	write_model(f, "m", "[model]\nmemory = -1\n");
	assert_load_error(f, "m", 2, "memory: invalid memory limit \"-1\": expected a size of at "
				     "least 16M, such as 128M or 1G");
	write_model(f, "t", "[model]\npids = 5\npids = 6\n");
	assert_load_error(f, "t", 3, "key \"pids\" given twice, first on line 2");
	write_model(f, "o", "pids = 5\n[model]\n");
	assert_load_error(f, "o", 1, "key \"pids\" outside [model]: put it below the [model] line");
}

static void unknown_model_is_enoent(void **state)
{
	struct fixture *f = *state;
	struct ctui_model model;
	struct ctui_error err = { 0 };

	assert_int_equal(ctui_model_load(&f->cfg, "nosuch", &model, &err), -1);
	assert_int_equal(err.code, ENOENT);
	assert_non_null(strstr(err.message, "unknown model nosuch"));
	assert_int_equal(ctui_model_load(&f->cfg, "../etc/passwd", &model, &err), -1);
	assert_int_equal(err.code, EINVAL);
}

/* The models shipped in conf/models (the tests run from the source tree) load and fit every storage kind once
 * their disk size is dropped for overlay and copy. */
static void shipped_models_load(void **state)
{
	static const char *const names[] = { "small", "medium", "large" };
	struct ctui_config cfg = { .model_dir = (char[]){ "conf/models" } };
	struct ctui_model model;
	struct ctui_error err = { 0 };

	(void)state;
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
		if (ctui_model_load(&cfg, names[i], &model, &err) < 0)
			fail_msg("%s", err.message);
		assert_true(model.limits.cpu_shares > 0);
		assert_true(model.limits.disk > 0);
		assert_int_equal(ctui_limits_check(&model.limits, CTUI_STORAGE_IMAGE, &err), 0);
		model.limits.disk = 0;
		assert_int_equal(ctui_limits_check(&model.limits, CTUI_STORAGE_OVERLAY, &err), 0);
	}
}

static void value_parsers(void **state)
{
	struct ctui_error err = { 0 };
	unsigned n = 7;
	uint64_t bytes;

	(void)state;
	assert_int_equal(ctui_parse_cpu_max("20", &n, &err), 0);
	assert_int_equal(n, 20);
	assert_int_equal(ctui_parse_cpu_max("100%", &n, &err), 0);
	assert_int_equal(n, 100);
	assert_int_equal(ctui_parse_cpu_max("none", &n, &err), 0);
	assert_int_equal(n, 0);
	assert_int_equal(ctui_parse_cpu_max("0", &n, &err), -1);
	assert_int_equal(ctui_parse_cpu_max("0%", &n, &err), -1);
	assert_int_equal(ctui_parse_cpu_max("101", &n, &err), -1);
	assert_int_equal(ctui_parse_cpu_max("-5", &n, &err), -1);
	assert_int_equal(ctui_parse_cpu_max("%", &n, &err), -1);
	assert_int_equal(ctui_parse_cpu_max("", &n, &err), -1);
	assert_int_equal(ctui_parse_cpu_shares("1", &n, &err), -1);
	assert_int_equal(ctui_parse_cpu_shares("262145", &n, &err), -1);
	assert_int_equal(ctui_parse_cpu_shares("2", &n, &err), 0);
	assert_int_equal(ctui_parse_pids("0", &n, &err), -1);
	assert_int_equal(ctui_parse_memory("15M", &bytes, &err), -1);
	assert_int_equal(ctui_parse_memory("16M", &bytes, &err), 0);
	assert_int_equal(ctui_parse_disk("1M", &bytes, &err), -1);
	assert_int_equal(ctui_parse_disk("1G", &bytes, &err), 0);
	assert_int_equal(bytes, 1ULL << 30);
}

static void limits_fit_storage(void **state)
{
	struct ctui_limits limits = { .cpu_shares = 1024 };
	struct ctui_error err = { 0 };

	(void)state;
	assert_int_equal(ctui_limits_check(&limits, CTUI_STORAGE_OVERLAY, &err), 0);
	assert_int_equal(ctui_limits_check(&limits, CTUI_STORAGE_IMAGE, &err), -1);
	assert_non_null(strstr(err.message, "needs a disk size"));
	limits.disk = 64 << 20;
	assert_int_equal(ctui_limits_check(&limits, CTUI_STORAGE_IMAGE, &err), 0);
	assert_int_equal(ctui_limits_check(&limits, CTUI_STORAGE_COPY, &err), -1);
	assert_non_null(strstr(err.message, "only image storage"));
	limits.disk = 0;
	limits.cpu_max = 101;
	assert_int_equal(ctui_limits_check(&limits, CTUI_STORAGE_OVERLAY, &err), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(full_model_loads, setup, teardown),
		cmocka_unit_test_setup_teardown(missing_keys_are_zero, setup, teardown),
		cmocka_unit_test_setup_teardown(errors_name_file_line_and_key, setup, teardown),
		cmocka_unit_test_setup_teardown(unknown_model_is_enoent, setup, teardown),
		cmocka_unit_test(shipped_models_load),
		cmocka_unit_test(value_parsers),
		cmocka_unit_test(limits_fit_storage),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
