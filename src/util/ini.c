#include "util/ini.h"

#include <errno.h>
#include <ini.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "util/util.h"

#define UTF8_BOM "\xEF\xBB\xBF"

/* The state of one ctui_ini_parse(), shared by the line reader and the key
 * handler that inih calls. */
struct ini_state {
	const char *path;
	const char *next;        /* the first byte not yet read */
	const char *end;         /* the end of the text */
	int line;                /* the number of the line last handed to inih */
	char *section;           /* the current section's name, NULL above the first */
	int section_line;        /* the line of its "[NAME]" header */
	int error_line;          /* the line of the first error, 0 while none */
	const struct ctui_ini_handlers *handlers;
	void *user;
	struct ctui_error *err;
};

/* Records CAUSE as the error of LINE unless an error is recorded already:
 * the reader stops at the first one. Returns 0, the value by which an inih
 * handler reports a failure. */
static int record_error(struct ini_state *s, int line, const struct ctui_error *cause)
{
	if (s->error_line)
		return 0;
	s->error_line = line;
	ctui_error_set(s->err, cause->code, "%s:%d: %s", s->path, line, cause->message);
	return 0;
}

/* Records CAUSE as the error of the current line and returns NULL, which
 * ends inih's reading. */
static char *reject_line(struct ini_state *s, const struct ctui_error *cause)
{
	record_error(s, s->line, cause);
	return NULL;
}

static int end_section(struct ini_state *s)
{
	struct ctui_error cause;

	if (!s->handlers->section_end ||
	    s->handlers->section_end(s->user, s->section, s->section_line, &cause) == 0)
		return 0;
	record_error(s, s->section_line, &cause);
	return -1;
}

/* Reports the "[NAME]" line LINE to the callbacks: inih calls its handler for
 * keys only, so an empty or unknown section would otherwise pass unnoticed.
 * A line without ']' is left to inih, which rejects it. */
static int begin_section(struct ini_state *s, const char *line)
{
	const char *close = strchr(line, ']');
	struct ctui_error cause;

	if (!close)
		return 0;
	if (s->section && end_section(s) < 0)
		return -1;

	free(s->section);
	s->section = xasprintf("%.*s", (int)(close - line - 1), line + 1);
	s->section_line = s->line;
	if (!s->handlers->section || s->handlers->section(s->user, s->section, s->line, &cause) == 0)
		return 0;
	record_error(s, s->line, &cause);
	return -1;
}

/* An indented line that inih would join to the value above: no comment, no
 * section, and neither '=' nor ':' that would make it a key. */
static bool is_continuation(const char *line)
{
	if (line[0] == '\n' || line[0] == '#' || line[0] == ';' || line[0] == '[')
		return false;
	return strpbrk(line, "=:") == NULL;
}

static int line_too_long(const struct ini_state *s, int max, struct ctui_error *cause)
{
	if (s->handlers->line_too_long)
		return s->handlers->line_too_long(max, cause);
	return ctui_error_set(cause, EINVAL, _("the line is longer than %d characters; shorten the value"),
			      max);
}

/* The inih reader: copies the next line of the text into STR, which has
 * room for NUM bytes, without its indentation and with a single '\n'. */
static char *read_line(char *str, int num, void *stream)
{
	struct ini_state *s = stream;
	const char *start = s->next, *newline;
	struct ctui_error cause;
	size_t len, indent = 0;

	if (s->error_line || s->next == s->end)
		return NULL;

	newline = memchr(start, '\n', (size_t)(s->end - start));
	len = newline ? (size_t)(newline - start) : (size_t)(s->end - start);
	s->next = newline ? newline + 1 : s->end;
	s->line++;

	if (memchr(start, '\0', len)) {
		ctui_error_set(&cause, EINVAL, _("the line contains a NUL byte"));
		return reject_line(s, &cause);
	}
	if (s->line == 1 && len >= 3 && memcmp(start, UTF8_BOM, 3) == 0) {
		start += 3;
		len -= 3;
	}
	while (len > 0 && start[len - 1] == '\r')
		len--;
	while (indent < len && (start[indent] == ' ' || start[indent] == '\t'))
		indent++;
	start += indent;
	len -= indent;

	/* The copy needs room for a newline and the terminating NUL. */
	if (len + 2 > (size_t)num) {
		line_too_long(s, num - 2, &cause);
		return reject_line(s, &cause);
	}
	memcpy(str, start, len);
	str[len] = '\n';
	str[len + 1] = '\0';

	if (str[0] == '[')
		return begin_section(s, str) < 0 ? NULL : str;
	if (indent > 0 && is_continuation(str)) {
		ctui_error_set(&cause, EINVAL,
			       _("indented line that is neither \"key = value\" nor \"[section]\": a "
				 "value cannot continue on the next line; join the two lines"));
		return reject_line(s, &cause);
	}
	return str;
}

static int handle_key(void *user, const char *section, const char *name, const char *value)
{
	struct ini_state *s = user;
	struct ctui_error cause;

	if (s->handlers->key(s->user, section, name, value, s->line, &cause) < 0)
		return record_error(s, s->line, &cause);
	return 1;
}

int ctui_ini_parse(const char *path, const char *text, size_t len,
		   const struct ctui_ini_handlers *handlers, void *user, struct ctui_error *err)
{
	struct ini_state s = {
		.path = path,
		.next = text,
		.end = text + len,
		.handlers = handlers,
		.user = user,
		.err = err,
	};
	/* inih reports a syntax error (a line that is neither "[section]" nor
	 * "key = value") only through its result, the first failing line. */
	int first_error = ini_parse_stream(read_line, &s, handle_key, &s);

	if (first_error < 0) {
		free(s.section);
		return ctui_error_set(err, ENOMEM, _("%s: cannot parse: out of memory"), path);
	}
	if (first_error > 0 && (!s.error_line || first_error < s.error_line)) {
		s.error_line = first_error;
		ctui_error_set(err, EINVAL,
			       _("%s:%d: syntax error: expected \"[section]\", \"key = value\" or a "
				 "comment starting with '#' or ';'"),
			       path, first_error);
	}
	if (!s.error_line && s.section)
		end_section(&s);

	free(s.section);
	return s.error_line ? -1 : 0;
}
