#include "ctui/error.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "util/util.h"

int ctui_error_set(struct ctui_error *err, int code, const char *fmt, ...)
{
	va_list ap;

	err->code = code ? code : EINVAL;
	va_start(ap, fmt);
	vsnprintf(err->message, sizeof err->message, fmt, ap);
	va_end(ap);
	return -1;
}

int ctui_error_errno(struct ctui_error *err, int code, const char *fmt, ...)
{
	char what[CTUI_ERROR_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof what, fmt, ap);
	va_end(ap);
	/* TRANSLATORS: an action, then the system's reason (strerror). */
	return ctui_error_set(err, code, _("%s: %s"), what, strerror(code));
}

int ctui_error_prefix(struct ctui_error *err, const char *fmt, ...)
{
	char context[CTUI_ERROR_MAX];
	char old[CTUI_ERROR_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(context, sizeof context, fmt, ap);
	va_end(ap);
	memcpy(old, err->message, sizeof old);
	/* TRANSLATORS: the context, then the message it leads to. */
	snprintf(err->message, sizeof err->message, _("%s: %s"), context, old);
	return -1;
}

void ctui_error_clear(struct ctui_error *err)
{
	err->code = 0;
	err->message[0] = '\0';
}
