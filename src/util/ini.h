/* A strict INI reader on top of inih (libinih 55). On its own, inih joins an
 * indented line to the value above and cuts a line longer than its buffer in
 * two. It also ends a line at a NUL byte, and reports a section only through
 * the keys below it. This reader hands inih one line at a time, rejects
 * those cases, and gives every section and key its line number.
 *
 * The rules, for every file read through it:
 * - Leading spaces and tabs are removed from each line, so an indented
 *   "key = value" or "[section]" line reads as if it started in the first
 *   column. An indented line that is no comment, no "[section]" and has
 *   neither '=' nor ':' is an error: inih would join it to the value above
 *   as a continuation line, which no ctui file supports.
 * - A line has at most 198 characters after its indentation and trailing
 *   carriage returns are removed. inih's buffer decides the limit, and a
 *   longer line is an error instead of two lines.
 * - A NUL byte is an error. A UTF-8 byte order mark at the start of the text
 *   is skipped.
 * - inih reads on after a line it cannot parse, so the earliest error of the
 *   file is reported, whether inih's or a callback's. */
#ifndef CTUI_INI_H
#define CTUI_INI_H

#include <stddef.h>

#include "ctui/error.h"

/* The callbacks of ctui_ini_parse(). Each returns 0 to go on, or fills ERR
 * with a message that names neither the file nor the line and returns -1:
 * the parse stops, and the error is reported as "PATH:LINE: message" at the
 * LINE the callback was given. */
struct ctui_ini_handlers {
	/* A "[NAME]" line. NAME is the text between '[' and the first ']', as
	 * written. May be NULL. */
	int (*section)(void *user, const char *name, int line, struct ctui_error *err);

	/* The end of the section NAME, whose "[NAME]" line is LINE: another
	 * section starts, or the text ends without an error. May be NULL. */
	int (*section_end)(void *user, const char *name, int line, struct ctui_error *err);

	/* A "key = value" or "key: value" line, split and trimmed by inih.
	 * SECTION is "" above the first "[section]" line. Required. */
	int (*key)(void *user, const char *section, const char *name, const char *value, int line,
		   struct ctui_error *err);

	/* Fills ERR for a line longer than MAX characters and returns -1. NULL
	 * selects the message "the line is longer than MAX characters; shorten
	 * the value". */
	int (*line_too_long)(int max, struct ctui_error *err);
};

/* Parses the LEN bytes at TEXT, the content of the file PATH (named in
 * messages only), calling HANDLERS with USER for each section and key.
 * Returns 0, or -1 with the earliest error of the file in ERR. */
int ctui_ini_parse(const char *path, const char *text, size_t len,
		   const struct ctui_ini_handlers *handlers, void *user, struct ctui_error *err);

#endif
