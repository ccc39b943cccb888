#include "engine/log.h"

#include <stdarg.h>
#include <stdio.h>

void ctui_log_open(void)
{
	openlog("ctui", LOG_PID, LOG_DAEMON);
}

char *ctui_escape(const char *s, char *out, size_t size)
{
	size_t used = 0;

	for (; *s && used + 5 < size; s++) {
		unsigned char c = (unsigned char)*s;

		if (c < 0x20 || c == 0x7f || c == '"' || c == '\\')
			used += (size_t)snprintf(out + used, size - used, "\\x%02x", c);
		else
			out[used++] = (char)c;
	}
	out[used] = '\0';
	return out;
}

void ctui_log(int priority, const char *site, const char *fmt, ...)
{
	char message[2048];
	char name[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(message, sizeof message, fmt, ap);
	va_end(ap);

	if (site)
		syslog(priority, "site %s: %s", ctui_escape(site, name, sizeof name), message);
	else
		syslog(priority, "%s", message);
}

void ctui_log_audit(int priority, const char *user, const char *login, const char *action,
		    const char *site, const char *result)
{
	char shown_user[256], shown_login[256];

	ctui_escape(user, shown_user, sizeof shown_user);
	ctui_escape(login, shown_login, sizeof shown_login);
	ctui_log(priority, site, "%s by %s via %s: %s", action, shown_user, shown_login, result);
}
