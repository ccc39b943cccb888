#include <string.h>

#include "ctui/site.h"
#include "util/util.h"

const char *ctui_state_name(enum ctui_site_state state)
{
	switch (state) {
	case CTUI_STATE_STOPPED:
		return "stopped";
	case CTUI_STATE_STARTING:
		return "starting";
	case CTUI_STATE_RUNNING:
		return "running";
	case CTUI_STATE_STOPPING:
		return "stopping";
	case CTUI_STATE_CRASHED:
		return "crashed";
	}
	return "unknown";
}

const char *ctui_state_label(enum ctui_site_state state)
{
	switch (state) {
	case CTUI_STATE_STOPPED:
		return _("stopped");
	case CTUI_STATE_STARTING:
		return _("starting");
	case CTUI_STATE_RUNNING:
		return _("running");
	case CTUI_STATE_STOPPING:
		return _("stopping");
	case CTUI_STATE_CRASHED:
		return _("crashed");
	}
	return _("unknown");
}

const char *ctui_storage_name(enum ctui_storage storage)
{
	switch (storage) {
	case CTUI_STORAGE_OVERLAY:
		return "overlay";
	case CTUI_STORAGE_COPY:
		return "copy";
	case CTUI_STORAGE_IMAGE:
		return "image";
	}
	return "unknown";
}

int ctui_storage_parse(const char *name, enum ctui_storage *storage)
{
	static const enum ctui_storage kinds[] = {
		CTUI_STORAGE_OVERLAY, CTUI_STORAGE_COPY, CTUI_STORAGE_IMAGE,
	};

	for (size_t i = 0; name && i < sizeof kinds / sizeof kinds[0]; i++) {
		if (strcmp(name, ctui_storage_name(kinds[i])) == 0) {
			*storage = kinds[i];
			return 0;
		}
	}
	return -1;
}

const char *ctui_record_name(enum ctui_record_kind kind)
{
	switch (kind) {
	case CTUI_RECORD_CNAME:
		return "cname";
	case CTUI_RECORD_ADDRESS:
		return "address";
	}
	return "unknown";
}

const char *ctui_tls_state_name(enum ctui_tls_state state)
{
	switch (state) {
	case CTUI_TLS_OFF:
		return "off";
	case CTUI_TLS_PENDING:
		return "pending";
	case CTUI_TLS_ACTIVE:
		return "active";
	}
	return "unknown";
}

const char *ctui_tls_state_label(enum ctui_tls_state state)
{
	switch (state) {
	case CTUI_TLS_OFF:
		return _("off");
	case CTUI_TLS_PENDING:
		return _("pending");
	case CTUI_TLS_ACTIVE:
		return _("active");
	}
	return _("unknown");
}
