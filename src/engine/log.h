/* Syslog (ident "ctui") for every action and every error, with the site's
 * name. Names come from users: they are escaped before they are logged. */
#ifndef CTUI_LOG_H
#define CTUI_LOG_H

#include <stddef.h>
#include <syslog.h>

void ctui_log_open(void);

/* Logs at PRIORITY (LOG_INFO, LOG_ERR, ...) as "site NAME: MESSAGE", or just
 * MESSAGE when SITE is NULL. */
void ctui_log(int priority, const char *site, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Copies S into OUT (SIZE bytes) with control characters, quotes and
 * backslashes escaped as \xHH, truncating when needed. Returns OUT. */
char *ctui_escape(const char *s, char *out, size_t size);

/* Logs one audit line: "site SITE: ACTION by USER via LOGIN: RESULT", or
 * "ACTION by USER via LOGIN: RESULT" when SITE is NULL. USER is on whose
 * behalf ctui acted, LOGIN the Unix user that ran it; both are escaped. */
void ctui_log_audit(int priority, const char *user, const char *login, const char *action,
		    const char *site, const char *result);

#endif
