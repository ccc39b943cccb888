/* Reading sites and templates for the command line and the TUI. */
#include <errno.h>
#include <stdlib.h>

#include "engine/auth.h"
#include "engine/cgroup.h"
#include "engine/engine-internal.h"
#include "engine/proc.h"
#include "engine/template.h"
#include "ctui/validate.h"
#include "util/util.h"

int ctui_site_get(struct ctui_engine *engine, const char *name, struct ctui_site *site,
		  struct ctui_error *err)
{
	if (ctui_validate_name(name, err) < 0)
		return -1;
	if (engine_authorize(engine, ENGINE_ACTION_READ, name, err) < 0)
		return -1;
	return engine_site_load(engine, name, site, err);
}

int ctui_site_list(struct ctui_engine *engine, struct ctui_site **sites, size_t *count,
		   struct ctui_error *err)
{
	size_t kept = 0;

	if (!engine->identity.authenticated)
		return ctui_error_set(err, EACCES, _("log in first"));
	if (ctui_db_site_list(engine->db, sites, count, err) < 0)
		return -1;

	for (size_t i = 0; i < *count; i++) {
		if (engine_may_see(engine, &(*sites)[i]))
			(*sites)[kept++] = (*sites)[i];
	}
	*count = kept;

	for (size_t i = 0; i < *count; i++) {
		struct ctui_site *site = &(*sites)[i];

		if (site->state != CTUI_STATE_STOPPED &&
		    !ctui_proc_alive(site->init_pid, site->init_start_time))
			site->state = CTUI_STATE_CRASHED;
	}
	return 0;
}

int ctui_site_usage(struct ctui_engine *engine, const char *name, struct ctui_site_usage *usage,
		    struct ctui_error *err)
{
	struct ctui_site site;

	if (ctui_site_get(engine, name, &site, err) < 0)
		return -1;
	if (site.state != CTUI_STATE_RUNNING && site.state != CTUI_STATE_STARTING)
		return ctui_error_set(err, ESRCH, _("site %s is not running"), name);

	return ctui_cgroup_read(engine->cfg.cgroup_parent, site.name, &usage->limits,
				&usage->cpu_ns, &usage->memory, &usage->pids, err);
}

int ctui_template_list(struct ctui_engine *engine, struct ctui_template_info **templates,
		       size_t *count, struct ctui_error *err)
{
	if (!engine->identity.authenticated)
		return ctui_error_set(err, EACCES, _("log in first"));
	return ctui_template_list_all(&engine->cfg, templates, count, err);
}

int ctui_template_build(struct ctui_engine *engine, const char *name, ctui_progress_fn progress,
			void *ctx, struct ctui_error *err)
{
	int ret;

	if (ctui_validate_name(name, err) < 0) {
		ctui_error_prefix(err, _("template"));
		return -1;
	}
	if (engine_authorize(engine, "template build", name, err) < 0)
		return -1;
	ret = ctui_template_build_base(&engine->cfg, name, progress, ctx, err);
	return engine_finish(engine, "template build", name, ret, err);
}
