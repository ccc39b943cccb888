#include "engine/cgroup.h"

#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/statfs.h>
#include <time.h>
#include <unistd.h>

#include <libcgroup.h>
#include <linux/magic.h>

#include "util/fs.h"
#include "util/util.h"

#define CGROUP_ROOT "/sys/fs/cgroup"
#define DESTROY_WAIT_MS 1000
#define FREEZE_WAIT_MS 5000
#define SHARES_DEFAULT 1024
#define SHARES_MIN 2
#define SHARES_MAX 262144
/* On cgroup v1 the kernel shows "no limit" as a huge page-aligned number. */
#define V1_UNLIMITED (UINT64_C(1) << 62)

/* Legacy covers pure v1 hosts and hybrid hosts, whose v2 mount has no
 * controllers. Unified is a pure v2 host with every controller at
 * CGROUP_ROOT.
 * NOTE: only the legacy path has run, on a hybrid host with cpu and cpuacct
 * mounted separately. The unified path and a co-mounted cpu,cpuacct
 * hierarchy are untested. */
enum cgroup_mode { MODE_LEGACY, MODE_UNIFIED };

/* freezer carries no limit: it lets a backup stop the site's tasks while it
 * copies their files. */
static const char *const v1_controllers[] = { "cpu", "cpuacct", "memory", "pids", "freezer",
					      NULL };
static const char *const v2_controllers[] = { "cpu", "memory", "pids", NULL };

static void cgroup_free_ptr(struct cgroup **cg)
{
	if (*cg)
		cgroup_free(cg);
}

#define cleanup_cgroup __attribute__((cleanup(cgroup_free_ptr)))

/* Sets ERR to "CONTEXT: libcgroup's message" for the libcgroup error RC. */
static int cg_fail(struct ctui_error *err, int rc, const char *context)
{
	if (rc == ECGOTHER)
		return ctui_error_errno(err, cgroup_get_last_errno(), "%s", context);
	return ctui_error_set(err, rc == ECGROUPNOTEXIST ? ENOENT : EIO, "%s: %s", context,
			      cgroup_strerror(rc));
}

/* Initialises libcgroup once per process and detects the mode. */
static int cg_init(enum cgroup_mode *mode, struct ctui_error *err)
{
	static bool initialised;
	static enum cgroup_mode detected;
	struct statfs fs;
	int rc;

	if (!initialised) {
		rc = cgroup_init();
		if (rc)
			return cg_fail(err, rc, _("cannot initialise libcgroup; is the cgroup "
						  "file system mounted?"));
		if (statfs(CGROUP_ROOT, &fs) < 0)
			return ctui_error_errno(err, errno, _("cannot examine %s"), CGROUP_ROOT);
		detected = fs.f_type == CGROUP2_SUPER_MAGIC ? MODE_UNIFIED : MODE_LEGACY;
		initialised = true;
	}
	*mode = detected;
	return 0;
}

static const char *const *controllers_of(enum cgroup_mode mode)
{
	return mode == MODE_UNIFIED ? v2_controllers : v1_controllers;
}

unsigned ctui_cgroup_shares_to_weight(unsigned shares)
{
	return 1 + (unsigned)(((uint64_t)(shares - 2) * 9999) / 262142);
}

/* Maps cpu.weight back to shares, rounded. v2 keeps only the weight, so a
 * value read back on v2 may differ from the one set by about 1%. */
static unsigned weight_to_shares(unsigned weight)
{
	return 2 + (unsigned)(((uint64_t)(weight - 1) * 262142 + 4999) / 9999);
}

static unsigned effective_shares(const struct ctui_limits *limits)
{
	unsigned shares = limits->cpu_shares ? limits->cpu_shares : SHARES_DEFAULT;

	if (shares < SHARES_MIN)
		return SHARES_MIN;
	return shares > SHARES_MAX ? SHARES_MAX : shares;
}

/* The file NAME of CONTROLLER in PATH, on the host. */
static char *cg_file(const char *controller, const char *path, const char *name)
{
	cleanup_free char *mount = NULL;

	if (cgroup_get_subsys_mount_point(controller, &mount) != 0 || !mount)
		return xasprintf("%s/%s/%s/%s", CGROUP_ROOT, controller, path, name);
	return xasprintf("%s/%s/%s", mount, path, name);
}

static bool cg_file_exists(const char *controller, const char *path, const char *name)
{
	cleanup_free char *file = cg_file(controller, path, name);

	return access(file, F_OK) == 0;
}

/* Adds CONTROLLER to CG (named PATH), failing with a message naming both. */
static struct cgroup_controller *cg_controller(struct cgroup *cg, const char *path,
					       const char *controller, struct ctui_error *err)
{
	struct cgroup_controller *c = cgroup_add_controller(cg, controller);

	if (!c)
		ctui_error_set(err, ENOMEM, _("cannot add controller %s to cgroup %s"), controller,
			       path);
	return c;
}

static int cg_value(struct cgroup_controller *c, const char *name, const char *value,
		    struct ctui_error *err)
{
	int rc = cgroup_add_value_string(c, name, value);

	return rc ? cg_fail(err, rc, name) : 0;
}

/* Writes one VALUE to NAME of CONTROLLER in PATH, through libcgroup. */
static int cg_write(const char *path, const char *controller, const char *name,
		    const char *value, struct ctui_error *err)
{
	cleanup_cgroup struct cgroup *cg = cgroup_new_cgroup(path);
	struct cgroup_controller *c;
	char context[256];
	int rc;

	if (!cg)
		return ctui_error_set(err, ENOMEM, _("cannot allocate cgroup %s"), path);
	c = cg_controller(cg, path, controller, err);
	if (!c || cg_value(c, name, value, err) < 0)
		return -1;

	rc = cgroup_modify_cgroup(cg);
	if (rc) {
		snprintf(context, sizeof context, _("cannot set %s to %s in cgroup %s"), name, value, path);
		return cg_fail(err, rc, context);
	}
	return 0;
}

static void format_limit(char *buf, size_t size, uint64_t value, const char *unlimited)
{
	if (value)
		snprintf(buf, size, "%" PRIu64, value);
	else
		snprintf(buf, size, "%s", unlimited);
}

static void plan_add(struct ctui_cgroup_setting *settings, size_t *n, const char *controller,
		     const char *file, const char *value)
{
	settings[*n].controller = controller;
	settings[*n].file = file;
	snprintf(settings[*n].value, sizeof settings[*n].value, "%s", value);
	(*n)++;
}

size_t ctui_cgroup_plan(bool unified, const struct ctui_limits *limits,
			struct ctui_cgroup_setting settings[CTUI_CGROUP_SETTINGS_MAX])
{
	unsigned shares = effective_shares(limits);
	unsigned cap = limits->cpu_max > CTUI_CPU_MAX_LIMIT ? CTUI_CPU_MAX_LIMIT : limits->cpu_max;
	unsigned long quota = (unsigned long)cap * (CTUI_CGROUP_CPU_PERIOD_US / 100);
	char value[32];
	size_t n = 0;

	if (unified) {
		snprintf(value, sizeof value, "%u", ctui_cgroup_shares_to_weight(shares));
		plan_add(settings, &n, "cpu", "cpu.weight", value);
		if (cap)
			snprintf(value, sizeof value, "%lu %d", quota, CTUI_CGROUP_CPU_PERIOD_US);
		else
			snprintf(value, sizeof value, "max %d", CTUI_CGROUP_CPU_PERIOD_US);
		plan_add(settings, &n, "cpu", "cpu.max", value);
		format_limit(value, sizeof value, limits->memory, "max");
		plan_add(settings, &n, "memory", "memory.max", value);
	} else {
		snprintf(value, sizeof value, "%u", shares);
		plan_add(settings, &n, "cpu", "cpu.shares", value);
		/* The period goes first: the kernel checks the quota against it. */
		snprintf(value, sizeof value, "%d", CTUI_CGROUP_CPU_PERIOD_US);
		plan_add(settings, &n, "cpu", "cpu.cfs_period_us", value);
		if (cap)
			snprintf(value, sizeof value, "%lu", quota);
		else
			snprintf(value, sizeof value, "-1");
		plan_add(settings, &n, "cpu", "cpu.cfs_quota_us", value);
		format_limit(value, sizeof value, limits->memory, "-1");
		plan_add(settings, &n, "memory", "memory.limit_in_bytes", value);
	}
	format_limit(value, sizeof value, limits->pids, "max");
	plan_add(settings, &n, "pids", "pids.max", value);
	return n;
}

/* Adds the controllers of MODE to CG, with the values that apply LIMITS. */
static int cg_add_limits(struct cgroup *cg, const char *path, enum cgroup_mode mode,
			 const struct ctui_limits *limits, struct ctui_error *err)
{
	struct ctui_cgroup_setting plan[CTUI_CGROUP_SETTINGS_MAX];
	size_t n = ctui_cgroup_plan(mode == MODE_UNIFIED, limits, plan);
	const char *const *names = controllers_of(mode);

	for (size_t i = 0; names[i]; i++) {
		struct cgroup_controller *c = cg_controller(cg, path, names[i], err);

		if (!c)
			return -1;
		for (size_t j = 0; j < n; j++) {
			if (strcmp(plan[j].controller, names[i]) == 0 &&
			    cg_value(c, plan[j].file, plan[j].value, err) < 0)
				return -1;
		}
	}
	return 0;
}

/* Turns swap off for the site when the kernel accounts it: memory+swap
 * equal to the memory limit on v1, no swap on v2. Hosts without swap
 * accounting lack the files, and then nothing is done. */
static int cg_limit_swap(const char *path, enum cgroup_mode mode, uint64_t memory,
			 struct ctui_error *err)
{
	char value[32];

	if (mode == MODE_UNIFIED) {
		if (!cg_file_exists("memory", path, "memory.swap.max"))
			return 0;
		return cg_write(path, "memory", "memory.swap.max", memory ? "0" : "max", err);
	}

	if (!cg_file_exists("memory", path, "memory.memsw.limit_in_bytes"))
		return 0;
	format_limit(value, sizeof value, memory, "-1");
	return cg_write(path, "memory", "memory.memsw.limit_in_bytes", value, err);
}

/* Writes LIMITS to PATH, creating it first when CREATE is set. */
static int cg_apply(const char *path, enum cgroup_mode mode, const struct ctui_limits *limits,
		    bool create, struct ctui_error *err)
{
	cleanup_cgroup struct cgroup *cg = NULL;
	char context[256];
	int rc;

	/* v1 rejects a memory limit above memory+swap, so memory+swap is lifted
	 * first in case an existing cgroup gets a higher limit. */
	if (mode == MODE_LEGACY &&
	    cg_file_exists("memory", path, "memory.memsw.limit_in_bytes") &&
	    cg_write(path, "memory", "memory.memsw.limit_in_bytes", "-1", err) < 0)
		return -1;

	cg = cgroup_new_cgroup(path);
	if (!cg)
		return ctui_error_set(err, ENOMEM, _("cannot allocate cgroup %s"), path);
	if (cg_add_limits(cg, path, mode, limits, err) < 0)
		return -1;

	/* An existing directory is reused, and then creation only writes the values. */
	rc = create ? cgroup_create_cgroup(cg, 0) : cgroup_modify_cgroup(cg);
	if (rc) {
		snprintf(context, sizeof context, create ? _("cannot create cgroup %s") :
			 _("cannot write the limits of cgroup %s"), path);
		return cg_fail(err, rc, context);
	}
	return cg_limit_swap(path, mode, limits->memory, err);
}

int ctui_cgroup_create(const char *parent, const char *site, const struct ctui_limits *limits,
		       struct ctui_error *err)
{
	cleanup_free char *path = xasprintf("%s/%s", parent, site);
	enum cgroup_mode mode;

	if (cg_init(&mode, err) < 0)
		return -1;
	return cg_apply(path, mode, limits, true, err);
}

int ctui_cgroup_update(const char *parent, const char *site, const struct ctui_limits *limits,
		       struct ctui_error *err)
{
	cleanup_free char *path = xasprintf("%s/%s", parent, site);
	enum cgroup_mode mode;

	if (cg_init(&mode, err) < 0)
		return -1;
	if (!cg_file_exists("pids", path, ""))
		return ctui_error_set(err, ENOENT, _("cgroup %s does not exist: is the site "
						     "running?"),
				      path);
	return cg_apply(path, mode, limits, false, err);
}

/* A cgroup holding the controllers of MODE, without values. With
 * ONLY_EXISTING, controllers where PATH has no directory are left out. */
static int cg_bare(const char *path, enum cgroup_mode mode, bool only_existing,
		   struct cgroup **out, struct ctui_error *err)
{
	cleanup_cgroup struct cgroup *cg = cgroup_new_cgroup(path);
	const char *const *names = controllers_of(mode);
	size_t added = 0;

	if (!cg)
		return ctui_error_set(err, ENOMEM, _("cannot allocate cgroup %s"), path);

	for (size_t i = 0; names[i]; i++) {
		if (only_existing && !cg_file_exists(names[i], path, ""))
			continue;
		if (!cg_controller(cg, path, names[i], err))
			return -1;
		added++;
	}
	*out = added ? steal_pointer(&cg) : NULL;
	return 0;
}

int ctui_cgroup_attach(const char *parent, const char *site, pid_t pid, struct ctui_error *err)
{
	cleanup_free char *path = xasprintf("%s/%s", parent, site);
	cleanup_cgroup struct cgroup *cg = NULL;
	enum cgroup_mode mode;
	char context[256];
	int rc;

	if (cg_init(&mode, err) < 0 || cg_bare(path, mode, false, &cg, err) < 0)
		return -1;

	rc = cgroup_attach_task_pid(cg, pid);
	if (rc) {
		snprintf(context, sizeof context, _("cannot move pid %d into cgroup %s"), (int)pid, path);
		return cg_fail(err, rc, context);
	}
	return 0;
}

/* Counts the processes in PATH in the pids controller, which every mode
 * has. Returns 0 when the cgroup does not exist. */
static int cg_count_procs(const char *path)
{
	pid_t *pids = NULL;
	int size = 0;
	int rc = cgroup_get_procs((char *)(uintptr_t)path, (char *)(uintptr_t)"pids", &pids, &size);

	free(pids);
	return rc ? 0 : size;
}

static void sleep_ms(long ms)
{
	struct timespec ts = { .tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

int ctui_cgroup_destroy(const char *parent, const char *site, struct ctui_error *err)
{
	cleanup_free char *path = xasprintf("%s/%s", parent, site);
	cleanup_cgroup struct cgroup *cg = NULL;
	enum cgroup_mode mode;
	char context[256];
	int waited, rc, left;

	if (cg_init(&mode, err) < 0 || cg_bare(path, mode, true, &cg, err) < 0)
		return -1;
	if (!cg)
		return 0;

	/* Killed tasks leave the cgroup only once the kernel has torn them down. */
	for (waited = 0; (left = cg_count_procs(path)) > 0 && waited < DESTROY_WAIT_MS; waited += 20)
		sleep_ms(20);
	if (left > 0)
		return ctui_error_set(err, EBUSY,
				      _("cannot remove cgroup %s: %d processes are still in it "
					"after %d ms; stop the site first"),
				      path, left, DESTROY_WAIT_MS);

	rc = cgroup_delete_cgroup_ext(cg, CGFLAG_DELETE_EMPTY_ONLY);
	if (rc && rc != ECGROUPNOTEXIST) {
		snprintf(context, sizeof context, _("cannot remove cgroup %s"), path);
		return cg_fail(err, rc, context);
	}
	return 0;
}

/* Reads the value NAME of controller C as an unsigned number. "max" and
 * v1's huge "no limit" value read as 0. */
static int read_number(struct cgroup_controller *c, const char *path, const char *name,
		       uint64_t *value, struct ctui_error *err)
{
	cleanup_free char *text = NULL;
	char context[256];
	char *end;
	int rc = c ? cgroup_get_value_string(c, name, &text) : ECGROUPVALUENOTEXIST;

	if (rc) {
		snprintf(context, sizeof context, _("cannot read %s of cgroup %s"), name, path);
		return cg_fail(err, rc, context);
	}

	if (strncmp(text, "max", 3) == 0) {
		*value = 0;
		return 0;
	}
	errno = 0;
	*value = strtoull(text, &end, 10);
	if (errno || end == text)
		return ctui_error_set(err, EINVAL, _("invalid %s in cgroup %s: %s"), name, path,
				      text);
	if (*value >= V1_UNLIMITED)
		*value = 0;
	return 0;
}

/* Reads usage_usec from v2's cpu.stat, in nanoseconds. */
static int read_cpu_stat(struct cgroup_controller *c, const char *path, uint64_t *ns,
			 struct ctui_error *err)
{
	cleanup_free char *text = NULL;
	char context[256];
	const char *line;
	int rc = c ? cgroup_get_value_string(c, "cpu.stat", &text) : ECGROUPVALUENOTEXIST;

	if (rc) {
		snprintf(context, sizeof context, _("cannot read cpu.stat of cgroup %s"), path);
		return cg_fail(err, rc, context);
	}

	line = strstr(text, "usage_usec ");
	if (!line)
		return ctui_error_set(err, EINVAL, _("no usage_usec in cpu.stat of cgroup %s"), path);
	*ns = strtoull(line + strlen("usage_usec "), NULL, 10) * 1000;
	return 0;
}

/* Reads the CPU cap in percent of one CPU, 0 for none: v1's
 * cpu.cfs_quota_us (-1 for none) over cpu.cfs_period_us, or v2's cpu.max
 * ("QUOTA PERIOD" or "max PERIOD"). */
static int read_cpu_max(struct cgroup_controller *c, const char *path, bool v2,
			unsigned *percent, struct ctui_error *err)
{
	cleanup_free char *text = NULL;
	unsigned long long quota, period;
	char context[256];
	int rc;

	if (!v2) {
		uint64_t q, p;

		if (read_number(c, path, "cpu.cfs_quota_us", &q, err) < 0 ||
		    read_number(c, path, "cpu.cfs_period_us", &p, err) < 0)
			return -1;
		*percent = p ? (unsigned)((q * 100 + p / 2) / p) : 0;
		return 0;
	}

	rc = c ? cgroup_get_value_string(c, "cpu.max", &text) : ECGROUPVALUENOTEXIST;
	if (rc) {
		snprintf(context, sizeof context, _("cannot read %s of cgroup %s"), "cpu.max", path);
		return cg_fail(err, rc, context);
	}
	if (strncmp(text, "max", 3) == 0) {
		*percent = 0;
		return 0;
	}
	if (sscanf(text, "%llu %llu", &quota, &period) != 2 || period == 0)
		return ctui_error_set(err, EINVAL, _("invalid %s in cgroup %s: %s"), "cpu.max", path,
				      text);
	*percent = (unsigned)((quota * 100 + period / 2) / period);
	return 0;
}

int ctui_cgroup_read(const char *parent, const char *site, struct ctui_limits *limits,
		     unsigned long long *cpu_ns, unsigned long long *memory, unsigned *pids,
		     struct ctui_error *err)
{
	cleanup_free char *path = xasprintf("%s/%s", parent, site);
	cleanup_cgroup struct cgroup *cg = NULL;
	struct cgroup_controller *cpu, *mem, *pid;
	uint64_t shares, mem_limit, pid_limit, mem_used, pid_count, cpu_used = 0;
	enum cgroup_mode mode;
	char context[256];
	bool v2;
	int rc;

	if (cg_init(&mode, err) < 0)
		return -1;
	v2 = mode == MODE_UNIFIED;

	cg = cgroup_new_cgroup(path);
	if (!cg)
		return ctui_error_set(err, ENOMEM, _("cannot allocate cgroup %s"), path);
	rc = cgroup_get_cgroup(cg);
	if (rc) {
		snprintf(context, sizeof context, _("cannot read cgroup %s"), path);
		return cg_fail(err, rc, context);
	}
	cpu = cgroup_get_controller(cg, "cpu");
	mem = cgroup_get_controller(cg, "memory");
	pid = cgroup_get_controller(cg, "pids");

	if (read_number(cpu, path, v2 ? "cpu.weight" : "cpu.shares", &shares, err) < 0 ||
	    read_number(mem, path, v2 ? "memory.max" : "memory.limit_in_bytes", &mem_limit, err) < 0 ||
	    read_number(pid, path, "pids.max", &pid_limit, err) < 0 ||
	    read_number(mem, path, v2 ? "memory.current" : "memory.usage_in_bytes", &mem_used,
			err) < 0 ||
	    read_number(pid, path, "pids.current", &pid_count, err) < 0)
		return -1;

	if (v2)
		rc = read_cpu_stat(cpu, path, &cpu_used, err);
	else
		rc = read_number(cgroup_get_controller(cg, "cpuacct"), path, "cpuacct.usage",
				 &cpu_used, err);
	if (rc < 0)
		return -1;

	if (read_cpu_max(cpu, path, v2, &limits->cpu_max, err) < 0)
		return -1;

	limits->cpu_shares = v2 ? weight_to_shares((unsigned)shares) : (unsigned)shares;
	limits->memory = mem_limit;
	limits->pids = (unsigned)pid_limit;
	*cpu_ns = cpu_used;
	*memory = mem_used;
	*pids = (unsigned)pid_count;
	return 0;
}

/* Reads the first line of NAME of CONTROLLER in PATH into BUF. */
static int read_line(const char *controller, const char *path, const char *name, char *buf,
		     size_t size, struct ctui_error *err)
{
	cleanup_free char *file = cg_file(controller, path, name);
	cleanup_fclose FILE *f = fopen(file, "re");

	if (!f)
		return ctui_error_errno(err, errno, _("cannot open %s"), file);
	if (!fgets(buf, (int)size, f))
		return ctui_error_set(err, EIO, _("cannot read %s"), file);
	buf[strcspn(buf, "\n")] = '\0';
	return 0;
}

/* Whether v2's cgroup.events of PATH contains "frozen 1". */
static int v2_frozen(const char *path, bool *frozen, struct ctui_error *err)
{
	cleanup_free char *file = cg_file("memory", path, "cgroup.events");
	cleanup_free char *text = NULL;
	size_t len;

	if (ctui_read_file(file, &text, &len, err) < 0)
		return -1;
	*frozen = strstr(text, "frozen 1") != NULL;
	return 0;
}

/* Whether PATH has reached the state that FREEZE requests. v1 passes through
 * FREEZING while tasks are still being stopped. */
static int freeze_reached(const char *path, enum cgroup_mode mode, bool freeze, bool *done,
			  struct ctui_error *err)
{
	char state[32];
	bool frozen;

	if (mode == MODE_UNIFIED) {
		if (v2_frozen(path, &frozen, err) < 0)
			return -1;
		*done = frozen == freeze;
		return 0;
	}
	if (read_line("freezer", path, "freezer.state", state, sizeof state, err) < 0)
		return -1;
	*done = strcmp(state, freeze ? "FROZEN" : "THAWED") == 0;
	return 0;
}

int ctui_cgroup_freeze(const char *parent, const char *site, bool freeze, struct ctui_error *err)
{
	cleanup_free char *path = xasprintf("%s/%s", parent, site);
	enum cgroup_mode mode;
	const char *controller, *name, *value;
	bool done = false;
	int waited;

	if (cg_init(&mode, err) < 0)
		return -1;
	controller = mode == MODE_UNIFIED ? "memory" : "freezer";
	name = mode == MODE_UNIFIED ? "cgroup.freeze" : "freezer.state";
	if (!cg_file_exists(controller, path, name))
		return ctui_error_set(err, ENOTSUP,
				      _("cgroup %s has no %s: restart the site so that it can be "
					"frozen, or stop it for the backup"),
				      path, name);

	if (mode == MODE_UNIFIED)
		value = freeze ? "1" : "0";
	else
		value = freeze ? "FROZEN" : "THAWED";
	if (cg_write(path, controller, name, value, err) < 0)
		return -1;

	for (waited = 0; waited <= FREEZE_WAIT_MS; waited += 5) {
		if (freeze_reached(path, mode, freeze, &done, err) < 0)
			return -1;
		if (done)
			return 0;
		sleep_ms(5);
	}
	return ctui_error_set(err, ETIMEDOUT, _("cgroup %s did not reach %s within %d ms"), path,
			      value, FREEZE_WAIT_MS);
}
