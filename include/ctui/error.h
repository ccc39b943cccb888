/* Errors as values: every fallible function takes a struct ctui_error * as its
 * last argument, returns a negative value on failure and fills the error.
 * Callers add their own context with ctui_error_prefix() and the message is
 * shown once, at the top (stderr, the TUI status line, and syslog). */
#ifndef CTUI_ERROR_H
#define CTUI_ERROR_H

#include <stddef.h>

#define CTUI_ERROR_MAX 1024

struct ctui_error {
	int code;                      /* an errno value; 0 when no error is set */
	char message[CTUI_ERROR_MAX];  /* translated, human readable */
};

/* Sets the error to CODE and the formatted message; returns -1. */
int ctui_error_set(struct ctui_error *err, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Like ctui_error_set(), followed by ": strerror(code)". Returns -1. */
int ctui_error_errno(struct ctui_error *err, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Prepends "CONTEXT: " to the current message, keeping the code. Returns -1. */
int ctui_error_prefix(struct ctui_error *err, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

void ctui_error_clear(struct ctui_error *err);

#endif
