#include "engine/template.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <ini.h>
#include <ldns/sha2.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/capability.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "util/fs.h"
#include "util/util.h"

#define DEFAULT_VARIANT "minbase"
#define DEFAULT_CPU_SHARES 1024
#define MIN_MEMORY (1024 * 1024)
/* Maximum length of a description: ctui_template_info.description without its NUL. */
#define DESCRIPTION_MAX 255
/* PID_MAX_LIMIT on 64-bit Linux: no pids limit can usefully exceed it. */
#define MAX_PIDS 4194304

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
	int (*set)(struct parser *p, const char *key, const char *value);
};

#define N_KEYS 8

/* State of one ctui_template_load_file(): the file in memory, read line by
 * line by read_line() so that every error can name its line. */
struct parser {
	const char *path;
	const char *next;              /* first unread byte of the file */
	unsigned line;                 /* number of the line read last */
	enum section_kind section;
	bool seen_template, seen_limits;
	unsigned key_line[N_KEYS];     /* where each [template]/[limits] key was set, 0 if not */
	unsigned service_line;         /* the current [service NAME] header's line */
	size_t services_cap;
	struct ctui_template *tpl;
	bool failed;
	unsigned failed_line;          /* the line of the first error, 0 for none */
	char message[CTUI_ERROR_MAX];  /* the first error, without file and line */
	struct ctui_error *err;
};

static int parse_fail(struct parser *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Records the first error on the current line and returns 0, the value an
 * inih handler returns to report an error. */
static int parse_fail(struct parser *p, const char *fmt, ...)
{
	va_list ap;

	if (p->failed)
		return 0;

	va_start(ap, fmt);
	vsnprintf(p->message, sizeof p->message, fmt, ap);
	va_end(ap);
	p->failed = true;
	p->failed_line = p->line;
	return 0;
}

/* TODO: use ctui_validate_name() from engine/validate.h once validate.c is
 * merged. This copy only lets the template code link on its own. */
static bool is_dns_label(const char *s)
{
	size_t len = strlen(s);

	if (len == 0 || len > CTUI_NAME_MAX || s[0] == '-' || s[len - 1] == '-')
		return false;
	for (const char *c = s; *c; c++) {
		if (!(*c >= 'a' && *c <= 'z') && !(*c >= '0' && *c <= '9') && *c != '-')
			return false;
	}
	return true;
}

/* TODO: use ctui_parse_uint() from engine/validate.h once it is merged. */
static bool parse_uint(const char *text, unsigned min, unsigned max, unsigned *value)
{
	unsigned long long n = 0;

	if (!*text)
		return false;
	for (const char *c = text; *c; c++) {
		if (*c < '0' || *c > '9')
			return false;
		n = n * 10 + (unsigned)(*c - '0');
		if (n > max)
			return false;
	}
	if (n < min)
		return false;
	*value = (unsigned)n;
	return true;
}

/* TODO: use ctui_parse_size() from engine/validate.h once it is merged. This
 * copy reads a byte count with an optional k, M, G or T suffix (powers of 1024). */
static bool parse_size(const char *text, uint64_t *bytes)
{
	static const char suffixes[] = "kmgt";
	uint64_t n = 0, unit = 1;
	const char *c = text;

	if (*c < '0' || *c > '9')
		return false;
	for (; *c >= '0' && *c <= '9'; c++) {
		if (n > (UINT64_MAX - 9) / 10)
			return false;
		n = n * 10 + (uint64_t)(*c - '0');
	}
	if (*c) {
		const char *suffix = strchr(suffixes, tolower((unsigned char)*c));

		if (!suffix || c[1])
			return false;
		for (const char *s = suffixes; s <= suffix; s++)
			unit *= 1024;
	}
	if (n > UINT64_MAX / unit)
		return false;
	*bytes = n * unit;
	return true;
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
static int parse_word_list(struct parser *p, const char *key, const char *value,
			   bool (*valid)(const char *), const char *hint, char ***out)
{
	cleanup_free char *copy = xstrdup(value);
	char **list = xcalloc(1, sizeof *list);
	size_t count = 0;
	char *save = NULL;

	for (char *word = strtok_r(copy, " \t,", &save); word; word = strtok_r(NULL, " \t,", &save)) {
		if (!valid(word)) {
			strv_free(list);
			return parse_fail(p, _("invalid value \"%s\" in key %s: %s"), word, key, hint);
		}
		list = strv_push(list, &count, word);
	}
	*out = list;
	return 1;
}

/* A value of printable text, at most MAX bytes. */
static int set_text(struct parser *p, const char *key, const char *value, size_t max, char **out)
{
	if (!*value)
		return parse_fail(p, _("empty value for key %s"), key);
	if (strlen(value) > max)
		return parse_fail(p, _("value of key %s is longer than %zu bytes"), key, max);
	for (const char *c = value; *c; c++) {
		if (iscntrl((unsigned char)*c))
			return parse_fail(p, _("control character in the value of key %s"), key);
	}
	*out = xstrdup(value);
	return 1;
}

static int set_description(struct parser *p, const char *key, const char *value)
{
	return set_text(p, key, value, DESCRIPTION_MAX, &p->tpl->description);
}

static int set_suite(struct parser *p, const char *key, const char *value)
{
	bool valid = *value && (islower((unsigned char)*value) || isdigit((unsigned char)*value));

	for (const char *c = value; valid && *c; c++)
		valid = islower((unsigned char)*c) || isdigit((unsigned char)*c) || *c == '-' || *c == '.';
	if (!valid || strlen(value) > 64)
		return parse_fail(p, _("invalid suite \"%s\" in key %s: expected a Debian suite such as bookworm"),
				  value, key);
	p->tpl->suite = xstrdup(value);
	return 1;
}

static int set_variant(struct parser *p, const char *key, const char *value)
{
	if (strcmp(value, "minbase") != 0 && strcmp(value, "buildd") != 0 &&
	    strcmp(value, "fakechroot") != 0)
		return parse_fail(p, _("invalid variant \"%s\" in key %s: expected minbase, buildd or fakechroot"),
				  value, key);
	p->tpl->variant = xstrdup(value);
	return 1;
}

static int set_packages(struct parser *p, const char *key, const char *value)
{
	return parse_word_list(p, key, value, is_package_name,
			       _("a Debian package name has 2 or more of a-z, 0-9, '+', '-' and '.', and starts with a letter or digit"),
			       &p->tpl->packages);
}

static int set_capabilities(struct parser *p, const char *key, const char *value)
{
	return parse_word_list(p, key, value, is_capability_name,
			       _("expected a capability name such as CAP_SETUID, see capabilities(7)"),
			       &p->tpl->capabilities);
}

static int set_cpu_shares(struct parser *p, const char *key, const char *value)
{
	if (!parse_uint(value, 2, 262144, &p->tpl->limits.cpu_shares))
		return parse_fail(p, _("invalid %s \"%s\": expected a whole number from 2 to 262144"),
				  key, value);
	return 1;
}

static int set_memory(struct parser *p, const char *key, const char *value)
{
	uint64_t bytes;

	if (!parse_size(value, &bytes))
		return parse_fail(p, _("invalid %s \"%s\": expected a size such as 64M or 1G"), key, value);
	if (bytes < MIN_MEMORY)
		return parse_fail(p, _("invalid %s \"%s\": at least 1M is needed, remove the key for no limit"),
				  key, value);
	p->tpl->limits.memory = bytes;
	return 1;
}

static int set_pids(struct parser *p, const char *key, const char *value)
{
	if (!parse_uint(value, 1, MAX_PIDS, &p->tpl->limits.pids))
		return parse_fail(p, _("invalid %s \"%s\": expected a whole number from 1 to %d, remove the key for no limit"),
				  key, value, MAX_PIDS);
	return 1;
}

static const struct key_def keys[N_KEYS] = {
	{ SECTION_TEMPLATE, "description", set_description },
	{ SECTION_TEMPLATE, "suite", set_suite },
	{ SECTION_TEMPLATE, "variant", set_variant },
	{ SECTION_TEMPLATE, "packages", set_packages },
	{ SECTION_TEMPLATE, "capabilities", set_capabilities },
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

static int set_service_key(struct parser *p, const char *key, const char *value)
{
	struct ctui_service *service = &p->tpl->services[p->tpl->n_services - 1];
	char *start = NULL;

	if (strcmp(key, "start") != 0)
		return parse_fail(p, _("unknown key \"%s\" in section [service %s]: expected start"),
				  key, service->name);
	if (service->start)
		return parse_fail(p, _("duplicate key \"%s\" in section [service %s]"), key, service->name);
	if (!set_text(p, key, value, 4096, &start))
		return 0;
	service->start = start;
	return 1;
}

/* The inih handler, called for each "key = value" line. */
static int handle_key(void *user, const char *section, const char *key, const char *value)
{
	struct parser *p = user;
	const struct key_def *def;
	size_t index;

	(void)section;
	if (p->failed)
		return 0;

	switch (p->section) {
	case SECTION_NONE:
		return parse_fail(p, _("key \"%s\" outside a section: put it under [template], [limits] or [service NAME]"),
				  key);
	case SECTION_SERVICE:
		return set_service_key(p, key, value);
	case SECTION_TEMPLATE:
	case SECTION_LIMITS:
		break;
	}

	def = find_key(p->section, key);
	if (!def)
		return parse_fail(p, p->section == SECTION_TEMPLATE ?
				  _("unknown key \"%s\" in section [template]: expected description, suite, variant, packages or capabilities") :
				  _("unknown key \"%s\" in section [limits]: expected cpu_shares, memory or pids"),
				  key);

	index = (size_t)(def - keys);
	if (p->key_line[index])
		return parse_fail(p, _("duplicate key \"%s\" (first set on line %u)"), key,
				  p->key_line[index]);
	p->key_line[index] = p->line;
	return def->set(p, key, value);
}

static int begin_service(struct parser *p, const char *name)
{
	struct ctui_template *tpl = p->tpl;

	if (!is_dns_label(name))
		return parse_fail(p, _("invalid service name \"%s\": use a-z, 0-9 and '-'"), name);
	for (size_t i = 0; i < tpl->n_services; i++) {
		if (!strcmp(tpl->services[i].name, name))
			return parse_fail(p, _("duplicate section [service %s]"), name);
	}

	if (tpl->n_services == p->services_cap) {
		p->services_cap = p->services_cap ? 2 * p->services_cap : 4;
		tpl->services = xrealloc(tpl->services, p->services_cap * sizeof *tpl->services);
	}
	tpl->services[tpl->n_services++] = (struct ctui_service){ .name = xstrdup(name) };
	p->service_line = p->line;
	return 1;
}

/* A service section's start key is checked when the section ends, so that
 * the error names the header's line. */
static int end_section(struct parser *p)
{
	const struct ctui_service *service;

	if (p->section != SECTION_SERVICE)
		return 1;
	service = &p->tpl->services[p->tpl->n_services - 1];
	if (service->start)
		return 1;
	p->line = p->service_line;
	return parse_fail(p, _("section [service %s] has no start key: add start = COMMAND"),
			  service->name);
}

/* Sets the section named by a "[NAME]" header line. */
static int begin_section(struct parser *p, const char *name)
{
	if (!end_section(p))
		return 0;

	if (!strcmp(name, "template")) {
		if (p->seen_template)
			return parse_fail(p, _("duplicate section [%s]"), name);
		p->seen_template = true;
		p->section = SECTION_TEMPLATE;
		return 1;
	}
	if (!strcmp(name, "limits")) {
		if (p->seen_limits)
			return parse_fail(p, _("duplicate section [%s]"), name);
		p->seen_limits = true;
		p->section = SECTION_LIMITS;
		return 1;
	}
	if (!strncmp(name, "service", 7) && (name[7] == ' ' || name[7] == '\t')) {
		p->section = SECTION_SERVICE;
		return begin_service(p, name + 7 + strspn(name + 7, " \t"));
	}
	return parse_fail(p, _("unknown section [%s]: expected [template], [limits] or [service NAME]"),
			  name);
}

/* The inih reader: copies the next line into BUF and rejects what inih would
 * accept silently. inih splits a line longer than its buffer into several,
 * and reads an indented line after a key as the continuation of that key's
 * value. Section headers are handled here, because this inih build does not
 * call the handler for a section without keys. */
static char *read_line(char *buf, int size, void *stream)
{
	struct parser *p = stream;
	const char *end, *start;
	size_t len;

	if (p->failed || !*p->next)
		return NULL;

	end = strchr(p->next, '\n');
	len = end ? (size_t)(end - p->next) + 1 : strlen(p->next);
	p->line++;
	if (len + 1 > (size_t)size) {
		parse_fail(p, _("line too long: at most %d characters fit on a line"), size - 2);
		return NULL;
	}
	memcpy(buf, p->next, len);
	buf[len] = '\0';
	p->next += len;

	start = buf;
	if (p->line == 1 && !strncmp(start, "\xEF\xBB\xBF", 3))
		start += 3;
	if (start[0] == ' ' || start[0] == '\t') {
		if (start[strspn(start, " \t\r\n")] == '\0')
			return buf;
		parse_fail(p, _("indented line: start keys and sections in the first column, since an indented line continues the previous value"));
		return NULL;
	}
	if (start[0] == '[') {
		const char *close = strchr(start, ']');

		if (close) {
			cleanup_free char *name = xasprintf("%.*s", (int)(close - start - 1), start + 1);

			if (!begin_section(p, name))
				return NULL;
		}
	}
	return buf;
}

static void sha256_hex(const char *data, size_t len, char hex[CTUI_SHA256_HEX_SIZE])
{
	unsigned char digest[LDNS_SHA256_DIGEST_LENGTH];

	ldns_sha256((const unsigned char *)data, (unsigned)len, digest);
	for (size_t i = 0; i < sizeof digest; i++)
		snprintf(hex + 2 * i, 3, "%02x", digest[i]);
}

/* Checks what must be present once the whole file is read, and fills in
 * the defaults. */
static int finish_template(struct parser *p)
{
	struct ctui_template *tpl = p->tpl;

	if (!end_section(p))
		return ctui_error_set(p->err, EINVAL, "%s:%u: %s", p->path, p->failed_line, p->message);

	if (!tpl->description)
		return ctui_error_set(p->err, EINVAL, _("%s: missing key description in section [template]"),
				      p->path);
	if (!tpl->suite)
		return ctui_error_set(p->err, EINVAL, _("%s: missing key suite in section [template]"),
				      p->path);
	if (tpl->n_services == 0)
		return ctui_error_set(p->err, EINVAL, _("%s: no [service NAME] section: a template needs at least one service to start"),
				      p->path);

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

static int parse_template(struct parser *p, const char *data)
{
	int line;

	p->next = data;
	line = ini_parse_stream(read_line, p, handle_key, p);
	if (line < 0)
		return ctui_error_set(p->err, ENOMEM, _("%s: cannot parse: out of memory"), p->path);

	/* inih reads on after a line it cannot parse, so an error of ours may
	 * come from a later line: the earlier one is reported. */
	if (line > 0 && (!p->failed || (unsigned)line < p->failed_line)) {
		snprintf(p->message, sizeof p->message, "%s",
			 _("syntax error: expected \"key = value\", \"[section]\" or a comment"));
		p->failed = true;
		p->failed_line = (unsigned)line;
	}
	if (p->failed)
		return ctui_error_set(p->err, EINVAL, "%s:%u: %s", p->path, p->failed_line, p->message);
	return finish_template(p);
}

int ctui_template_load_file(const char *path, const char *name, struct ctui_template *tpl,
			    struct ctui_error *err)
{
	struct parser p = { .path = path, .tpl = tpl, .err = err };
	cleanup_free char *data = NULL;
	size_t len;

	*tpl = (struct ctui_template){ .name = NULL };
	if (!is_dns_label(name))
		return ctui_error_set(err, EINVAL, _("invalid template name \"%s\": use 1 to 63 of a-z, 0-9 and '-', not starting or ending with '-'"),
				      name);
	if (ctui_read_file(path, &data, &len, err) < 0)
		return -1;
	if (strlen(data) != len)
		return ctui_error_set(err, EINVAL, _("%s: contains a NUL byte: not a text file"), path);

	tpl->name = xstrdup(name);
	tpl->conf_path = xstrdup(path);
	sha256_hex(data, len, tpl->conf_sha256);
	if (parse_template(&p, data) < 0) {
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
	strv_free(tpl->packages);
	strv_free(tpl->capabilities);
	for (size_t i = 0; i < tpl->n_services; i++) {
		free_const(tpl->services[i].name);
		free_const(tpl->services[i].start);
	}
	free(tpl->services);
	*tpl = (struct ctui_template){ .name = NULL };
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

	if (!is_dns_label(name))
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

	if (is_dns_label(name) && read_current_link(cfg, name, &version, &err) == 0) {
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
