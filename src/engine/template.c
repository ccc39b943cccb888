#include "engine/template.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <ldns/sha2.h>
#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/capability.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "ctui/validate.h"
#include "util/fs.h"
#include "util/ini.h"
#include "util/util.h"

#define DEFAULT_VARIANT "minbase"
#define DEFAULT_CPU_SHARES 1024
#define MIN_MEMORY (1024 * 1024)
/* Maximum length of a description: ctui_template_info.description without its NUL. */
#define DESCRIPTION_MAX 255
/* PID_MAX_LIMIT on 64-bit Linux: no pids limit can usefully exceed it. */
#define MAX_PIDS 4194304
/* Maximum length of the health check path, which goes into a request line. */
#define HEALTH_PATH_MAX 255
/* Maximum length of a service's start, stop or health command. */
#define COMMAND_MAX 4096
/* ctui-init takes 1 to 3600 seconds for --stop-timeout. */
#define MAX_STOP_TIMEOUT 3600

enum section_kind {
	SECTION_NONE,
	SECTION_TEMPLATE,
	SECTION_LIMITS,
	SECTION_SERVICE,
};

struct parser;

struct key_def {
	enum section_kind section;
	const char *name;
	int (*set)(struct parser *p, const char *key, const char *value, struct ctui_error *err);
};

#define N_KEYS 10

/* State of one ctui_template_load_file(), shared by the callbacks of the INI
 * reader. */
struct parser {
	enum section_kind section;
	bool seen_template, seen_limits;
	unsigned key_line[N_KEYS];     /* where each [template]/[limits] key was set, 0 if not */
	size_t services_cap;
	struct ctui_template *tpl;
};

/* Template and service names become path components and log fields, so
 * they follow the rule of site names: one DNS label. */
static bool is_valid_name(const char *name)
{
	struct ctui_error ignored;

	return ctui_validate_name(name, &ignored) == 0;
}

static bool is_package_name(const char *s)
{
	if (!(islower((unsigned char)s[0]) || isdigit((unsigned char)s[0])) || !s[1])
		return false;
	for (const char *c = s + 1; *c; c++) {
		if (!islower((unsigned char)*c) && !isdigit((unsigned char)*c) && !strchr("+.-", *c))
			return false;
	}
	return true;
}

static bool is_capability_name(const char *s)
{
	cap_value_t cap;

	if (strncmp(s, "CAP_", 4) != 0)
		return false;
	for (const char *c = s; *c; c++) {
		if (!isupper((unsigned char)*c) && !isdigit((unsigned char)*c) && *c != '_')
			return false;
	}
	return cap_from_name(s, &cap) == 0;
}

static char **strv_push(char **strv, size_t *count, const char *s)
{
	strv = xrealloc(strv, (*count + 2) * sizeof *strv);
	strv[(*count)++] = xstrdup(s);
	strv[*count] = NULL;
	return strv;
}

static void strv_free(char **strv)
{
	for (char **s = strv; s && *s; s++)
		free(*s);
	free(strv);
}

/* Splits VALUE at spaces, tabs and commas into a NULL-terminated list, each
 * word checked by VALID. HINT describes a valid word for the error message. */
static int parse_word_list(const char *key, const char *value, bool (*valid)(const char *),
			   const char *hint, char ***out, struct ctui_error *err)
{
	cleanup_free char *copy = xstrdup(value);
	char **list = xcalloc(1, sizeof *list);
	size_t count = 0;
	char *save = NULL;

	for (char *word = strtok_r(copy, " \t,", &save); word; word = strtok_r(NULL, " \t,", &save)) {
		if (!valid(word)) {
			strv_free(list);
			return ctui_error_set(err, EINVAL, _("invalid value \"%s\" in key %s: %s"),
					      word, key, hint);
		}
		list = strv_push(list, &count, word);
	}
	*out = list;
	return 0;
}

/* A value of printable text, at most MAX bytes. */
static int set_text(const char *key, const char *value, size_t max, char **out,
		    struct ctui_error *err)
{
	if (!*value)
		return ctui_error_set(err, EINVAL, _("empty value for key %s"), key);
	if (strlen(value) > max)
		return ctui_error_set(err, EINVAL, _("value of key %s is longer than %zu bytes"), key,
				      max);
	for (const char *c = value; *c; c++) {
		if (iscntrl((unsigned char)*c))
			return ctui_error_set(err, EINVAL,
					      _("control character in the value of key %s"), key);
	}
	*out = xstrdup(value);
	return 0;
}

static int set_description(struct parser *p, const char *key, const char *value,
			   struct ctui_error *err)
{
	return set_text(key, value, DESCRIPTION_MAX, &p->tpl->description, err);
}

static int set_suite(struct parser *p, const char *key, const char *value, struct ctui_error *err)
{
	bool valid = *value && (islower((unsigned char)*value) || isdigit((unsigned char)*value));

	for (const char *c = value; valid && *c; c++)
		valid = islower((unsigned char)*c) || isdigit((unsigned char)*c) || *c == '-' || *c == '.';
	if (!valid || strlen(value) > 64)
		return ctui_error_set(err, EINVAL, _("invalid suite \"%s\" in key %s: expected a Debian suite such as bookworm"),
				      value, key);
	p->tpl->suite = xstrdup(value);
	return 0;
}

static int set_variant(struct parser *p, const char *key, const char *value, struct ctui_error *err)
{
	if (strcmp(value, "minbase") != 0 && strcmp(value, "buildd") != 0 &&
	    strcmp(value, "fakechroot") != 0)
		return ctui_error_set(err, EINVAL, _("invalid variant \"%s\" in key %s: expected minbase, buildd or fakechroot"),
				      value, key);
	p->tpl->variant = xstrdup(value);
	return 0;
}

static int set_packages(struct parser *p, const char *key, const char *value,
			struct ctui_error *err)
{
	return parse_word_list(key, value, is_package_name,
			       _("a Debian package name has 2 or more of a-z, 0-9, '+', '-' and '.', and starts with a letter or digit"),
			       &p->tpl->packages, err);
}

static int set_capabilities(struct parser *p, const char *key, const char *value,
			    struct ctui_error *err)
{
	return parse_word_list(key, value, is_capability_name,
			       _("expected a capability name such as CAP_SETUID, see capabilities(7)"),
			       &p->tpl->capabilities, err);
}

/* The path of the HTTP request that `ctui start` sends to the site until the
 * status is 2xx or 3xx. It becomes part of a request line, so it is printable
 * ASCII without spaces. */
static int set_health(struct parser *p, const char *key, const char *value,
		      struct ctui_error *err)
{
	bool valid = value[0] == '/' && strlen(value) <= HEALTH_PATH_MAX;

	for (const char *c = value; valid && *c; c++)
		valid = *c > ' ' && *c < 127;
	if (!valid)
		return ctui_error_set(err, EINVAL, _("invalid %s \"%s\": expected a URL path such as /health.php, starting with '/', without spaces, at most %d characters"),
				      key, value, HEALTH_PATH_MAX);
	p->tpl->health_path = xstrdup(value);
	return 0;
}

static int set_stop_timeout(struct parser *p, const char *key, const char *value,
			    struct ctui_error *err)
{
	struct ctui_error ignored;

	if (ctui_parse_uint(value, 1, MAX_STOP_TIMEOUT, &p->tpl->stop_timeout, &ignored) < 0)
		return ctui_error_set(err, EINVAL, _("invalid %s \"%s\": expected a whole number of seconds from 1 to %d"),
				      key, value, MAX_STOP_TIMEOUT);
	return 0;
}

/* The limits discard the validators' messages for their own, which name the
 * key, and report every invalid value as EINVAL. */
static int set_cpu_shares(struct parser *p, const char *key, const char *value,
			  struct ctui_error *err)
{
	struct ctui_error ignored;

	if (ctui_parse_uint(value, 2, 262144, &p->tpl->limits.cpu_shares, &ignored) < 0)
		return ctui_error_set(err, EINVAL, _("invalid %s \"%s\": expected a whole number from 2 to 262144"),
				      key, value);
	return 0;
}

static int set_memory(struct parser *p, const char *key, const char *value, struct ctui_error *err)
{
	struct ctui_error ignored;
	uint64_t bytes;

	if (ctui_parse_size(value, &bytes, &ignored) < 0)
		return ctui_error_set(err, EINVAL, _("invalid %s \"%s\": expected a size such as 64M or 1G"),
				      key, value);
	if (bytes < MIN_MEMORY)
		return ctui_error_set(err, EINVAL, _("invalid %s \"%s\": at least 1M is needed, remove the key for no limit"),
				      key, value);
	p->tpl->limits.memory = bytes;
	return 0;
}

static int set_pids(struct parser *p, const char *key, const char *value, struct ctui_error *err)
{
	struct ctui_error ignored;

	if (ctui_parse_uint(value, 1, MAX_PIDS, &p->tpl->limits.pids, &ignored) < 0)
		return ctui_error_set(err, EINVAL, _("invalid %s \"%s\": expected a whole number from 1 to %d, remove the key for no limit"),
				      key, value, MAX_PIDS);
	return 0;
}

static const struct key_def keys[N_KEYS] = {
	{ SECTION_TEMPLATE, "description", set_description },
	{ SECTION_TEMPLATE, "suite", set_suite },
	{ SECTION_TEMPLATE, "variant", set_variant },
	{ SECTION_TEMPLATE, "packages", set_packages },
	{ SECTION_TEMPLATE, "capabilities", set_capabilities },
	{ SECTION_TEMPLATE, "health", set_health },
	{ SECTION_TEMPLATE, "stop_timeout", set_stop_timeout },
	{ SECTION_LIMITS, "cpu_shares", set_cpu_shares },
	{ SECTION_LIMITS, "memory", set_memory },
	{ SECTION_LIMITS, "pids", set_pids },
};

static const struct key_def *find_key(enum section_kind section, const char *name)
{
	for (size_t i = 0; i < N_KEYS; i++) {
		if (keys[i].section == section && !strcmp(keys[i].name, name))
			return &keys[i];
	}
	return NULL;
}

/* The command keys of a [service NAME] section and where each is stored. */
static const char **service_command(struct ctui_service *service, const char *key)
{
	if (!strcmp(key, "start"))
		return &service->start;
	if (!strcmp(key, "stop"))
		return &service->stop;
	if (!strcmp(key, "health"))
		return &service->health;
	return NULL;
}

static int set_service_key(struct parser *p, const char *key, const char *value,
			   struct ctui_error *err)
{
	struct ctui_service *service = &p->tpl->services[p->tpl->n_services - 1];
	const char **slot = service_command(service, key);
	char *command = NULL;

	if (!slot)
		return ctui_error_set(err, EINVAL, _("unknown key \"%s\" in section [service %s]: expected start, stop or health"),
				      key, service->name);
	if (*slot)
		return ctui_error_set(err, EINVAL, _("duplicate key \"%s\" in section [service %s]"),
				      key, service->name);
	if (set_text(key, value, COMMAND_MAX, &command, err) < 0)
		return -1;
	*slot = command;
	return 0;
}

/* The INI reader's key callback. inih's SECTION is not used, because the
 * parser's own state also records which service a [service NAME] line
 * started. */
static int handle_key(void *user, const char *section, const char *key, const char *value,
		      int line, struct ctui_error *err)
{
	struct parser *p = user;
	const struct key_def *def;
	size_t index;

	(void)section;
	switch (p->section) {
	case SECTION_NONE:
		return ctui_error_set(err, EINVAL, _("key \"%s\" outside a section: put it under [template], [limits] or [service NAME]"),
				      key);
	case SECTION_SERVICE:
		return set_service_key(p, key, value, err);
	case SECTION_TEMPLATE:
	case SECTION_LIMITS:
		break;
	}

	def = find_key(p->section, key);
	if (!def)
		return ctui_error_set(err, EINVAL, p->section == SECTION_TEMPLATE ?
				      _("unknown key \"%s\" in section [template]: expected description, suite, variant, packages, capabilities, health or stop_timeout") :
				      _("unknown key \"%s\" in section [limits]: expected cpu_shares, memory or pids"),
				      key);

	index = (size_t)(def - keys);
	if (p->key_line[index])
		return ctui_error_set(err, EINVAL, _("duplicate key \"%s\" (first set on line %u)"), key,
				      p->key_line[index]);
	p->key_line[index] = (unsigned)line;
	return def->set(p, key, value, err);
}

static int begin_service(struct parser *p, const char *name, struct ctui_error *err)
{
	struct ctui_template *tpl = p->tpl;

	if (!is_valid_name(name))
		return ctui_error_set(err, EINVAL, _("invalid service name \"%s\": use a-z, 0-9 and '-'"),
				      name);
	for (size_t i = 0; i < tpl->n_services; i++) {
		if (!strcmp(tpl->services[i].name, name))
			return ctui_error_set(err, EINVAL, _("duplicate section [service %s]"), name);
	}

	if (tpl->n_services == p->services_cap) {
		p->services_cap = p->services_cap ? 2 * p->services_cap : 4;
		tpl->services = xrealloc(tpl->services, p->services_cap * sizeof *tpl->services);
	}
	tpl->services[tpl->n_services++] = (struct ctui_service){ .name = xstrdup(name) };
	return 0;
}

/* Enters [template] or [limits], which may appear once each. SEEN records
 * that the section was entered. */
static int begin_single_section(struct parser *p, enum section_kind kind, bool *seen,
				const char *name, struct ctui_error *err)
{
	if (*seen)
		return ctui_error_set(err, EINVAL, _("duplicate section [%s]"), name);
	*seen = true;
	p->section = kind;
	return 0;
}

/* The INI reader's section callback, called at each "[NAME]" line. */
static int begin_section(void *user, const char *name, int line, struct ctui_error *err)
{
	struct parser *p = user;

	(void)line;
	if (!strcmp(name, "template"))
		return begin_single_section(p, SECTION_TEMPLATE, &p->seen_template, name, err);
	if (!strcmp(name, "limits"))
		return begin_single_section(p, SECTION_LIMITS, &p->seen_limits, name, err);
	if (!strncmp(name, "service", 7) && (name[7] == ' ' || name[7] == '\t')) {
		p->section = SECTION_SERVICE;
		return begin_service(p, name + 7 + strspn(name + 7, " \t"), err);
	}
	return ctui_error_set(err, EINVAL, _("unknown section [%s]: expected [template], [limits] or [service NAME]"),
			      name);
}

/* The INI reader's section end callback: a service section needs its start
 * key, and the reader reports the error at the section's header line. */
static int end_section(void *user, const char *name, int line, struct ctui_error *err)
{
	struct parser *p = user;
	const struct ctui_service *service;

	(void)name;
	(void)line;
	if (p->section != SECTION_SERVICE)
		return 0;
	service = &p->tpl->services[p->tpl->n_services - 1];
	if (service->start)
		return 0;
	return ctui_error_set(err, EINVAL, _("section [service %s] has no start key: add start = COMMAND"),
			      service->name);
}

/* The message for a line over inih's limit, worded like the other template
 * errors. */
static int reject_long_line(int max, struct ctui_error *err)
{
	return ctui_error_set(err, EINVAL, _("line too long: at most %d characters fit on a line"),
			      max);
}

static const struct ctui_ini_handlers template_handlers = {
	.section = begin_section,
	.section_end = end_section,
	.key = handle_key,
	.line_too_long = reject_long_line,
};

static void sha256_hex(const char *data, size_t len, char hex[CTUI_SHA256_HEX_SIZE])
{
	unsigned char digest[LDNS_SHA256_DIGEST_LENGTH];

	ldns_sha256((const unsigned char *)data, (unsigned)len, digest);
	for (size_t i = 0; i < sizeof digest; i++)
		snprintf(hex + 2 * i, 3, "%02x", digest[i]);
}

/* Checks what must be present once the whole file is read, and fills in
 * the defaults. */
static int finish_template(struct ctui_template *tpl, const char *path, struct ctui_error *err)
{
	if (!tpl->description)
		return ctui_error_set(err, EINVAL, _("%s: missing key description in section [template]"),
				      path);
	if (!tpl->suite)
		return ctui_error_set(err, EINVAL, _("%s: missing key suite in section [template]"),
				      path);
	if (tpl->n_services == 0)
		return ctui_error_set(err, EINVAL, _("%s: no [service NAME] section: a template needs at least one service to start"),
				      path);

	if (!tpl->variant)
		tpl->variant = xstrdup(DEFAULT_VARIANT);
	if (!tpl->packages)
		tpl->packages = xcalloc(1, sizeof *tpl->packages);
	if (!tpl->capabilities)
		tpl->capabilities = xcalloc(1, sizeof *tpl->capabilities);
	if (!tpl->limits.cpu_shares)
		tpl->limits.cpu_shares = DEFAULT_CPU_SHARES;
	return 0;
}

int ctui_template_load_file(const char *path, const char *name, struct ctui_template *tpl,
			    struct ctui_error *err)
{
	struct parser p = { .tpl = tpl };
	cleanup_free char *data = NULL;
	size_t len;

	*tpl = (struct ctui_template){ .name = NULL };
	if (!is_valid_name(name))
		return ctui_error_set(err, EINVAL, _("invalid template name \"%s\": use 1 to 63 of a-z, 0-9 and '-', not starting or ending with '-'"),
				      name);
	if (ctui_read_file(path, &data, &len, err) < 0)
		return -1;

	tpl->name = xstrdup(name);
	tpl->conf_path = xstrdup(path);
	sha256_hex(data, len, tpl->conf_sha256);
	if (ctui_ini_parse(path, data, len, &template_handlers, &p, err) < 0 ||
	    finish_template(tpl, path, err) < 0) {
		ctui_template_free(tpl);
		return -1;
	}
	return 0;
}

static char *conf_path(const struct ctui_config *cfg, const char *name)
{
	return xasprintf("%s/%s.conf", cfg->template_conf_dir, name);
}

int ctui_template_load(const struct ctui_config *cfg, const char *name,
		       struct ctui_template *tpl, struct ctui_error *err)
{
	cleanup_free char *path = conf_path(cfg, name);

	/* The name is checked before PATH is opened. */
	if (ctui_template_load_file(path, name, tpl, err) < 0) {
		if (err->code == ENOENT)
			ctui_error_prefix(err, _("template %s is not defined"), name);
		return -1;
	}
	return 0;
}

/* struct ctui_service is shared with the container code, which only reads
 * it, so its strings are const there. The template owns them. */
static void free_const(const char *s)
{
	union {
		const char *c;
		char *m;
	} u = { .c = s };

	free(u.m);
}

void ctui_template_free(struct ctui_template *tpl)
{
	free(tpl->name);
	free(tpl->conf_path);
	free(tpl->description);
	free(tpl->suite);
	free(tpl->variant);
	free(tpl->health_path);
	strv_free(tpl->packages);
	strv_free(tpl->capabilities);
	for (size_t i = 0; i < tpl->n_services; i++) {
		free_const(tpl->services[i].name);
		free_const(tpl->services[i].start);
		free_const(tpl->services[i].stop);
		free_const(tpl->services[i].health);
	}
	free(tpl->services);
	*tpl = (struct ctui_template){ .name = NULL };
}

unsigned ctui_template_stop_seconds(const struct ctui_template *tpl, unsigned stop_timeout)
{
	unsigned step = tpl->stop_timeout ? tpl->stop_timeout : stop_timeout;
	unsigned total = 0;

	/* The 2 s after SIGKILL are KILL_WAIT in ctui-init. */
	for (size_t i = 0; i < tpl->n_services; i++)
		total += (tpl->services[i].stop ? 2 * step : step) + 2;
	return total;
}

char *ctui_template_base_dir(const struct ctui_config *cfg, const char *name, const char *version)
{
	return xasprintf("%s/%s/%s", cfg->template_dir, name, version);
}

/* Reads the target of TEMPLATE_DIR/NAME/current: a version name, never a path. */
static int read_current_link(const struct ctui_config *cfg, const char *name, char **version,
			     struct ctui_error *err)
{
	cleanup_free char *link = xasprintf("%s/%s/current", cfg->template_dir, name);
	char target[PATH_MAX];
	ssize_t len = readlink(link, target, sizeof target - 1);

	if (len < 0 && errno == ENOENT)
		return ctui_error_set(err, ENOENT, _("template %s has not been built yet: run `ctui template build %s`"),
				      name, name);
	if (len < 0)
		return ctui_error_errno(err, errno, _("cannot read the link %s"), link);

	target[len] = '\0';
	if (strchr(target, '/') || target[0] == '.' || target[0] == '\0')
		return ctui_error_set(err, EINVAL, _("%s points to \"%s\", not to a version in its own directory: rebuild with `ctui template build %s`"),
				      link, target, name);
	*version = xstrdup(target);
	return 0;
}

int ctui_template_current(const struct ctui_config *cfg, const char *name, char **version,
			  char **base_dir, struct ctui_error *err)
{
	cleanup_free char *found = NULL;
	cleanup_free char *dir = NULL;
	struct stat st;

	if (!is_valid_name(name))
		return ctui_error_set(err, EINVAL, _("invalid template name \"%s\""), name);
	if (read_current_link(cfg, name, &found, err) < 0)
		return -1;

	dir = ctui_template_base_dir(cfg, name, found);
	if (stat(dir, &st) < 0 || !S_ISDIR(st.st_mode))
		return ctui_error_set(err, ENOENT, _("the current base of template %s, %s, is missing: rebuild it with `ctui template build %s`"),
				      name, dir, name);

	*version = steal_pointer(&found);
	*base_dir = steal_pointer(&dir);
	return 0;
}

/* The build time encoded in a version name ("20261204T203000Z", maybe with a
 * "-N" suffix); 0 when the name does not start with one. */
static time_t version_time(const char *version)
{
	struct tm tm = { .tm_isdst = 0 };
	const char *end = strptime(version, "%Y%m%dT%H%M%SZ", &tm);

	if (!end || (*end && *end != '-'))
		return 0;
	return timegm(&tm);
}

static void describe_template(const struct ctui_config *cfg, const char *name,
			      struct ctui_template_info *info)
{
	cleanup_free char *path = conf_path(cfg, name);
	cleanup_free char *version = NULL;
	struct ctui_template tpl;
	struct ctui_error err;

	snprintf(info->name, sizeof info->name, "%s", name);
	if (ctui_template_load_file(path, name, &tpl, &err) < 0) {
		snprintf(info->description, sizeof info->description, _("invalid: %s"), err.message);
	} else {
		snprintf(info->description, sizeof info->description, "%s", tpl.description);
		ctui_template_free(&tpl);
	}

	if (is_valid_name(name) && read_current_link(cfg, name, &version, &err) == 0) {
		snprintf(info->version, sizeof info->version, "%s", version);
		info->built = version_time(version);
	}
}

static int compare_info(const void *a, const void *b)
{
	return strcmp(((const struct ctui_template_info *)a)->name,
		      ((const struct ctui_template_info *)b)->name);
}

int ctui_template_list_all(const struct ctui_config *cfg, struct ctui_template_info **list,
			   size_t *count, struct ctui_error *err)
{
	DIR *dir = opendir(cfg->template_conf_dir);
	struct ctui_template_info *infos = NULL;
	size_t n = 0;
	struct dirent *entry;

	if (!dir)
		return ctui_error_errno(err, errno, _("cannot read the template directory %s"),
					cfg->template_conf_dir);

	while ((entry = readdir(dir)) != NULL) {
		size_t len = strlen(entry->d_name);
		cleanup_free char *name = NULL;

		if (entry->d_name[0] == '.' || len <= 5 || strcmp(entry->d_name + len - 5, ".conf") != 0)
			continue;
		name = xasprintf("%.*s", (int)(len - 5), entry->d_name);
		infos = xrealloc(infos, (n + 1) * sizeof *infos);
		infos[n] = (struct ctui_template_info){ .built = 0 };
		describe_template(cfg, name, &infos[n]);
		n++;
	}
	closedir(dir);

	if (n > 0)
		qsort(infos, n, sizeof *infos, compare_info);
	*list = infos;
	*count = n;
	return 0;
}
