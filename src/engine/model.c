/* Resource models and the checks on limit values. */
#include "engine/model.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctui/limits.h"
#include "ctui/validate.h"
#include "util/fs.h"
#include "util/ini.h"
#include "util/util.h"

int ctui_parse_cpu_shares(const char *text, unsigned *shares, struct ctui_error *err)
{
	struct ctui_error ignored;

	if (ctui_parse_uint(text, CTUI_CPU_SHARES_MIN, CTUI_CPU_SHARES_MAX, shares, &ignored) < 0)
		return ctui_error_set(err, EINVAL, _("invalid CPU shares \"%s\": expected a whole "
						     "number from %d to %d"),
				      text, CTUI_CPU_SHARES_MIN, CTUI_CPU_SHARES_MAX);
	return 0;
}

int ctui_parse_cpu_max(const char *text, unsigned *percent, struct ctui_error *err)
{
	struct ctui_error ignored;
	char number[16];
	size_t len = strlen(text);

	if (strcmp(text, "none") == 0) {
		*percent = 0;
		return 0;
	}
	if (len > 0 && text[len - 1] == '%')
		len--;
	if (len == 0 || len >= sizeof number)
		goto invalid;
	memcpy(number, text, len);
	number[len] = '\0';
	if (ctui_parse_uint(number, 1, CTUI_CPU_MAX_LIMIT, percent, &ignored) == 0)
		return 0;
invalid:
	return ctui_error_set(err, EINVAL, _("invalid CPU cap \"%s\": expected a percentage of "
					     "one CPU from 1 to %d, or none"),
			      text, CTUI_CPU_MAX_LIMIT);
}

int ctui_parse_memory(const char *text, uint64_t *bytes, struct ctui_error *err)
{
	struct ctui_error ignored;

	if (ctui_parse_size(text, bytes, &ignored) < 0 || *bytes < CTUI_MEMORY_MIN)
		return ctui_error_set(err, EINVAL, _("invalid memory limit \"%s\": expected a size "
						     "of at least 16M, such as 128M or 1G"),
				      text);
	return 0;
}

int ctui_parse_pids(const char *text, unsigned *pids, struct ctui_error *err)
{
	struct ctui_error ignored;

	if (ctui_parse_uint(text, 1, CTUI_PIDS_LIMIT, pids, &ignored) < 0)
		return ctui_error_set(err, EINVAL, _("invalid task limit \"%s\": expected a whole "
						     "number from 1 to %d"),
				      text, CTUI_PIDS_LIMIT);
	return 0;
}

int ctui_parse_disk(const char *text, uint64_t *bytes, struct ctui_error *err)
{
	struct ctui_error ignored;

	if (ctui_parse_size(text, bytes, &ignored) < 0 || *bytes < CTUI_DISK_MIN)
		return ctui_error_set(err, EINVAL, _("invalid disk size \"%s\": expected a size of "
						     "at least 16M, such as 512M or 2G"),
				      text);
	return 0;
}

int ctui_limits_check(const struct ctui_limits *limits, enum ctui_storage storage,
		      struct ctui_error *err)
{
	if (limits->cpu_shares < CTUI_CPU_SHARES_MIN || limits->cpu_shares > CTUI_CPU_SHARES_MAX)
		return ctui_error_set(err, EINVAL, _("CPU shares of %u are out of range: expected "
						     "%d to %d"),
				      limits->cpu_shares, CTUI_CPU_SHARES_MIN, CTUI_CPU_SHARES_MAX);
	if (limits->cpu_max > CTUI_CPU_MAX_LIMIT)
		return ctui_error_set(err, EINVAL, _("a CPU cap of %u%% is out of range: expected 1 "
						     "to %d, or none"),
				      limits->cpu_max, CTUI_CPU_MAX_LIMIT);
	if (limits->memory && limits->memory < CTUI_MEMORY_MIN)
		return ctui_error_set(err, EINVAL,
				      _("a memory limit of %llu bytes is too small: give at least 16M"),
				      (unsigned long long)limits->memory);
	if (limits->pids > CTUI_PIDS_LIMIT)
		return ctui_error_set(err, EINVAL, _("a task limit of %u is out of range: expected "
						     "1 to %d"),
				      limits->pids, CTUI_PIDS_LIMIT);
	if (storage == CTUI_STORAGE_IMAGE && limits->disk < CTUI_DISK_MIN)
		return ctui_error_set(err, EINVAL, _("image storage needs a disk size of at least "
						     "16M: give --disk SIZE or a model with disk"));
	if (storage != CTUI_STORAGE_IMAGE && limits->disk)
		return ctui_error_set(err, EINVAL, _("only image storage has a disk quota, and this "
						     "site has %s storage: use --storage image"),
				      ctui_storage_name(storage));
	return 0;
}

void ctui_limits_merge(struct ctui_limits *limits, const struct ctui_limits *override)
{
	if (override->cpu_shares)
		limits->cpu_shares = override->cpu_shares;
	if (override->cpu_max)
		limits->cpu_max = override->cpu_max;
	if (override->memory)
		limits->memory = override->memory;
	if (override->pids)
		limits->pids = override->pids;
	if (override->disk)
		limits->disk = override->disk;
}

enum model_key {
	KEY_DESCRIPTION,
	KEY_CPU_SHARES,
	KEY_CPU_MAX,
	KEY_MEMORY,
	KEY_PIDS,
	KEY_DISK,
	N_MODEL_KEYS,
};

static const char *const model_keys[N_MODEL_KEYS] = {
	"description", "cpu_shares", "cpu_max", "memory", "pids", "disk",
};

struct model_parser {
	struct ctui_model *model;
	int set_on[N_MODEL_KEYS];   /* the line that set each key, 0 when unset */
	bool seen_section;
};

static int parse_model_value(struct ctui_model *model, enum model_key key, const char *value,
			     struct ctui_error *err)
{
	switch (key) {
	case KEY_DESCRIPTION:
		snprintf(model->description, sizeof model->description, "%s", value);
		return 0;
	case KEY_CPU_SHARES:
		return ctui_parse_cpu_shares(value, &model->limits.cpu_shares, err);
	case KEY_CPU_MAX:
		return ctui_parse_cpu_max(value, &model->limits.cpu_max, err);
	case KEY_MEMORY:
		return ctui_parse_memory(value, &model->limits.memory, err);
	case KEY_PIDS:
		return ctui_parse_pids(value, &model->limits.pids, err);
	case KEY_DISK:
		return ctui_parse_disk(value, &model->limits.disk, err);
	case N_MODEL_KEYS:
		break;
	}
	return ctui_error_set(err, EINVAL, "model key %d is unknown", (int)key);
}

static int model_section(void *user, const char *name, int line, struct ctui_error *err)
{
	struct model_parser *p = user;

	(void)line;
	if (strcmp(name, "model") != 0)
		return ctui_error_set(err, EINVAL, _("unknown section [%s]: a model file has only "
						     "[model]"),
				      name);
	if (p->seen_section)
		return ctui_error_set(err, EINVAL, _("section [model] given twice"));
	p->seen_section = true;
	return 0;
}

static int model_key(void *user, const char *section, const char *name, const char *value,
		     int line, struct ctui_error *err)
{
	struct model_parser *p = user;

	if (strcmp(section, "model") != 0)
		return ctui_error_set(err, EINVAL, _("key \"%s\" outside [model]: put it below the "
						     "[model] line"),
				      name);
	for (int key = 0; key < N_MODEL_KEYS; key++) {
		if (strcmp(name, model_keys[key]) != 0)
			continue;
		if (p->set_on[key])
			return ctui_error_set(err, EINVAL, _("key \"%s\" given twice, first on line "
							     "%d"),
					      name, p->set_on[key]);
		p->set_on[key] = line;
		if (parse_model_value(p->model, (enum model_key)key, value, err) < 0)
			return ctui_error_prefix(err, "%s", name);
		return 0;
	}
	return ctui_error_set(err, EINVAL, _("unknown key \"%s\": expected description, "
					     "cpu_shares, cpu_max, memory, pids or disk"),
			      name);
}

static const struct ctui_ini_handlers model_handlers = {
	.section = model_section,
	.key = model_key,
};

int ctui_model_load(const struct ctui_config *cfg, const char *name, struct ctui_model *model,
		    struct ctui_error *err)
{
	struct model_parser p = { .model = model };
	cleanup_free char *path = NULL;
	cleanup_free char *text = NULL;
	size_t len = 0;

	memset(model, 0, sizeof *model);
	if (ctui_validate_name(name, err) < 0)
		return ctui_error_prefix(err, _("invalid model name"));
	path = xasprintf("%s/%s.conf", cfg->model_dir, name);

	if (ctui_read_file(path, &text, &len, err) < 0) {
		if (err->code == ENOENT)
			return ctui_error_set(err, ENOENT, _("unknown model %s: no file %s (the "
							     "models are the .conf files in %s)"),
					      name, path, cfg->model_dir);
		return -1;
	}
	if (ctui_ini_parse(path, text, len, &model_handlers, &p, err) < 0)
		return ctui_error_prefix(err, _("model %s"), name);
	if (!p.seen_section)
		return ctui_error_set(err, EINVAL, _("%s: no [model] section"), path);
	return 0;
}
