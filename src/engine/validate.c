#include "ctui/validate.h"

#include <ctype.h>
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "ctui/site.h"
#include "engine/log.h"
#include "util/util.h"

/* Room for a value shown in a message: long enough to recognise it, short
 * enough to leave the rest of the message intact. */
#define SHOWN_MAX 160

static bool is_label_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
}

/* Checks one label of LEN bytes at LABEL, part of VALUE. WHAT names the kind
 * of value ("site name", "domain") and ALLOWED lists the characters it may
 * contain, both for messages. */
static int check_label(const char *value, const char *label, size_t len, const char *what,
		       const char *allowed, struct ctui_error *err)
{
	char shown[SHOWN_MAX];
	char bad[2], bad_shown[8];

	ctui_escape(value, shown, sizeof shown);
	if (len == 0)
		return ctui_error_set(err, EINVAL,
				      _("invalid %s \"%s\": it contains an empty label; "
					"separate labels with single dots"),
				      what, shown);
	if (len > CTUI_NAME_MAX)
		return ctui_error_set(err, EINVAL,
				      _("invalid %s \"%s\": a label is %zu characters long, "
					"the maximum is %d"),
				      what, shown, len, CTUI_NAME_MAX);

	for (size_t i = 0; i < len; i++) {
		if (is_label_char(label[i]))
			continue;
		if (label[i] >= 'A' && label[i] <= 'Z')
			return ctui_error_set(err, EINVAL,
					      _("invalid %s \"%s\": upper case letters are not "
						"allowed; write it in lower case"),
					      what, shown);
		bad[0] = label[i];
		bad[1] = '\0';
		return ctui_error_set(err, EINVAL,
				      _("invalid %s \"%s\": the character \"%s\" is not allowed; %s"),
				      what, shown, ctui_escape(bad, bad_shown, sizeof bad_shown),
				      allowed);
	}

	if (label[0] == '-' || label[len - 1] == '-')
		return ctui_error_set(err, EINVAL,
				      _("invalid %s \"%s\": a label must not begin or end with '-'"),
				      what, shown);
	return 0;
}

int ctui_validate_name(const char *name, struct ctui_error *err)
{
	if (!name || !*name)
		return ctui_error_set(err, EINVAL,
				      _("the site name is empty: use 1 to %d characters of a-z, "
					"0-9 and '-'"),
				      CTUI_NAME_MAX);
	if (strchr(name, '.')) {
		char shown[SHOWN_MAX];

		return ctui_error_set(err, EINVAL,
				      _("invalid site name \"%s\": a site name is a single label "
					"without dots; use only a-z, 0-9 and '-'"),
				      ctui_escape(name, shown, sizeof shown));
	}

	return check_label(name, name, strlen(name), _("site name"),
			   _("use only a-z, 0-9 and '-'"), err);
}

static bool is_all_digits(const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (!isdigit((unsigned char)s[i]))
			return false;
	return true;
}

int ctui_validate_domain(const char *domain, struct ctui_error *err)
{
	char shown[SHOWN_MAX];
	const char *label, *dot;
	size_t len, labels = 0;

	if (!domain || !*domain)
		return ctui_error_set(err, EINVAL,
				      _("the domain is empty: use a name such as www.example.org"));

	ctui_escape(domain, shown, sizeof shown);
	len = strlen(domain);
	if (len > CTUI_DOMAIN_MAX)
		return ctui_error_set(err, EINVAL,
				      _("invalid domain \"%s\": it is %zu characters long, the "
					"maximum is %d"),
				      shown, len, CTUI_DOMAIN_MAX);
	if (domain[len - 1] == '.')
		return ctui_error_set(err, EINVAL,
				      _("invalid domain \"%s\": remove the trailing dot"), shown);

	for (label = domain;; label = dot + 1) {
		dot = strchr(label, '.');
		len = dot ? (size_t)(dot - label) : strlen(label);
		if (check_label(domain, label, len, _("domain"),
				_("use only a-z, 0-9 and '-', with dots between labels"), err) < 0)
			return -1;
		labels++;
		if (!dot)
			break;
	}

	if (labels < 2)
		return ctui_error_set(err, EINVAL,
				      _("invalid domain \"%s\": it needs at least two labels, "
					"such as example.org"),
				      shown);
	if (is_all_digits(label, len))
		return ctui_error_set(err, EINVAL,
				      _("invalid domain \"%s\": the last label is all digits; "
					"a top-level domain contains a letter"),
				      shown);
	return 0;
}

/* The power of 1024 that the size suffix C stands for, or -1. */
static int suffix_shift(char c)
{
	switch (c) {
	case 'k':
	case 'K':
		return 10;
	case 'm':
	case 'M':
		return 20;
	case 'g':
	case 'G':
		return 30;
	case 't':
	case 'T':
		return 40;
	default:
		return -1;
	}
}

int ctui_parse_size(const char *text, uint64_t *bytes, struct ctui_error *err)
{
	char shown[SHOWN_MAX];
	unsigned long long number;
	char *end;
	int shift = 0;

	ctui_escape(text ? text : "", shown, sizeof shown);
	if (!text || !isdigit((unsigned char)text[0]))
		goto invalid;

	errno = 0;
	number = strtoull(text, &end, 10);
	if (errno == ERANGE)
		goto too_large;
	if (*end) {
		shift = suffix_shift(*end);
		if (shift < 0 || end[1])
			goto invalid;
	}

	if (shift && number > (UINT64_MAX >> shift))
		goto too_large;
	*bytes = (uint64_t)number << shift;
	return 0;

invalid:
	return ctui_error_set(err, EINVAL,
			      _("invalid size \"%s\": use a number of bytes, or a number followed "
				"by K, M, G or T (powers of 1024), such as 512M"),
			      shown);
too_large:
	return ctui_error_set(err, ERANGE,
			      _("size \"%s\" is too large: it does not fit in 64 bits"),
			      shown);
}

int ctui_parse_uint(const char *text, unsigned min, unsigned max, unsigned *value,
		    struct ctui_error *err)
{
	char shown[SHOWN_MAX];
	unsigned long number;
	char *end;

	ctui_escape(text ? text : "", shown, sizeof shown);
	if (!text || !isdigit((unsigned char)text[0]))
		goto invalid;

	errno = 0;
	number = strtoul(text, &end, 10);
	if (*end)
		goto invalid;
	if (errno == ERANGE || number < min || number > max)
		return ctui_error_set(err, ERANGE,
				      _("number %s is out of range: use a value from %u to %u"),
				      shown, min, max);

	*value = (unsigned)number;
	return 0;

invalid:
	return ctui_error_set(err, EINVAL,
			      _("invalid number \"%s\": use a whole number from %u to %u"),
			      shown, min, max);
}
