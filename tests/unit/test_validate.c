/* Site names, domains, sizes and numbers as administrators type them. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "ctui/validate.h"

#define LABEL_63 "a23456789012345678901234567890123456789012345678901234567890123"
#define LABEL_64 LABEL_63 "4"

/* No control character may reach a message: it would break a terminal line
 * or a log record. */
static void assert_printable(const char *message)
{
	for (const char *c = message; *c; c++)
		assert_false((unsigned char)*c < 0x20 || *c == 0x7f);
}

static void assert_rejected(int (*check)(const char *, struct ctui_error *), const char *value,
			    const char *expected_part)
{
	struct ctui_error err = { 0 };

	if (check(value, &err) == 0)
		fail_msg("\"%s\" was accepted", value);
	assert_int_equal(err.code, EINVAL);
	assert_printable(err.message);
	if (!strstr(err.message, expected_part))
		fail_msg("message for \"%s\" is \"%s\", expected it to contain \"%s\"", value,
			 err.message, expected_part);
}

static void name_accepts_labels(void **state)
{
	static const char *const good[] = { "a", "web", "blog-2", "0", "123", "a-b-c", "x1", LABEL_63 };
	struct ctui_error err = { 0 };

	(void)state;
	for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
		if (ctui_validate_name(good[i], &err) != 0)
			fail_msg("\"%s\" rejected: %s", good[i], err.message);
	}
}

static void name_rejects_bad_values(void **state)
{
	(void)state;
	assert_rejected(ctui_validate_name, "", "empty");
	assert_rejected(ctui_validate_name, NULL, "empty");
	assert_rejected(ctui_validate_name, "Web", "upper case");
	assert_rejected(ctui_validate_name, "WEB", "write it in lower case");
	assert_rejected(ctui_validate_name, LABEL_64, "64 characters long, the maximum is 63");
	assert_rejected(ctui_validate_name, "-web", "must not begin or end with '-'");
	assert_rejected(ctui_validate_name, "web-", "must not begin or end with '-'");
	assert_rejected(ctui_validate_name, "-", "must not begin or end with '-'");
	assert_rejected(ctui_validate_name, "my site", "the character \" \" is not allowed");
	assert_rejected(ctui_validate_name, "web;rm", "the character \";\" is not allowed");
	assert_rejected(ctui_validate_name, "a$(id)", "the character \"$\" is not allowed");
	assert_rejected(ctui_validate_name, "a`id`", "the character \"`\" is not allowed");
	assert_rejected(ctui_validate_name, "a|b", "use only a-z, 0-9 and '-'");
	assert_rejected(ctui_validate_name, "a&b", "use only a-z, 0-9 and '-'");
	assert_rejected(ctui_validate_name, "a>b", "use only a-z, 0-9 and '-'");
	assert_rejected(ctui_validate_name, "a_b", "the character \"_\" is not allowed");
	assert_rejected(ctui_validate_name, "a/b", "the character \"/\" is not allowed");
	assert_rejected(ctui_validate_name, "..", "single label without dots");
	assert_rejected(ctui_validate_name, "web.example", "single label without dots");
	assert_rejected(ctui_validate_name, "caf\xc3\xa9", "is not allowed");
}

static void name_message_escapes_value(void **state)
{
	struct ctui_error err = { 0 };

	(void)state;
	assert_int_equal(ctui_validate_name("x\nProxyPass", &err), -1);
	assert_string_equal(err.message,
			    "invalid site name \"x\\x0aProxyPass\": the character \"\\x0a\" is not "
			    "allowed; use only a-z, 0-9 and '-'");

	assert_int_equal(ctui_validate_name("a\"b", &err), -1);
	assert_printable(err.message);
	assert_non_null(strstr(err.message, "\"a\\x22b\""));

	assert_int_equal(ctui_validate_name("a'b", &err), -1);
	assert_non_null(strstr(err.message, "the character \"'\" is not allowed"));

	assert_int_equal(ctui_validate_name("tab\there", &err), -1);
	assert_printable(err.message);
}

static void domain_accepts_names(void **state)
{
	static const char *const good[] = {
		"example.org", "www.example.org", "a.b", "3com.example", "x.y.z.example",
		"1.example", "sites.internal", "xn--bcher-kva.example", LABEL_63 ".example",
	};
	struct ctui_error err = { 0 };

	(void)state;
	for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
		if (ctui_validate_domain(good[i], &err) != 0)
			fail_msg("\"%s\" rejected: %s", good[i], err.message);
	}
}

static void domain_length_limit(void **state)
{
	char domain[300];
	struct ctui_error err = { 0 };

	(void)state;
	/* Four labels of 63 bytes and three dots: 255 bytes, cut to 253 and 254. */
	snprintf(domain, sizeof domain, "%s.%s.%s.%s", LABEL_63, LABEL_63, LABEL_63, LABEL_63);
	domain[253] = '\0';
	assert_int_equal(domain[252], '1');
	if (ctui_validate_domain(domain, &err) != 0)
		fail_msg("253 bytes rejected: %s", err.message);

	snprintf(domain, sizeof domain, "%s.%s.%s.%s", LABEL_63, LABEL_63, LABEL_63, LABEL_63);
	domain[254] = '\0';
	assert_rejected(ctui_validate_domain, domain, "254 characters long, the maximum is 253");
}

static void domain_rejects_bad_values(void **state)
{
	(void)state;
	assert_rejected(ctui_validate_domain, "", "empty");
	assert_rejected(ctui_validate_domain, NULL, "empty");
	assert_rejected(ctui_validate_domain, "example", "at least two labels");
	assert_rejected(ctui_validate_domain, "example.org.", "remove the trailing dot");
	assert_rejected(ctui_validate_domain, ".example.org", "empty label");
	assert_rejected(ctui_validate_domain, "www..example.org", "empty label");
	assert_rejected(ctui_validate_domain, "..", "invalid domain \"..\"");
	assert_rejected(ctui_validate_domain, "../etc.example", "empty label");
	assert_rejected(ctui_validate_domain, "Example.org", "upper case");
	assert_rejected(ctui_validate_domain, "www.Example.ORG", "write it in lower case");
	assert_rejected(ctui_validate_domain, "10.1.1.1", "last label is all digits");
	assert_rejected(ctui_validate_domain, "example.123", "last label is all digits");
	assert_rejected(ctui_validate_domain, LABEL_64 ".example", "64 characters long");
	assert_rejected(ctui_validate_domain, "-www.example.org", "must not begin or end with '-'");
	assert_rejected(ctui_validate_domain, "www-.example.org", "must not begin or end with '-'");
	assert_rejected(ctui_validate_domain, "a b.example", "the character \" \" is not allowed");
	assert_rejected(ctui_validate_domain, "a;b.example", "with dots between labels");
	assert_rejected(ctui_validate_domain, "*.example.org", "the character \"*\" is not allowed");
	assert_rejected(ctui_validate_domain, "a_b.example", "the character \"_\" is not allowed");
	assert_rejected(ctui_validate_domain, "x.example\nProxyPass", "\\x0a");
	assert_rejected(ctui_validate_domain, "x.example org", "is not allowed");
	assert_rejected(ctui_validate_domain, "'x'.example", "the character \"'\" is not allowed");
}

static void size_parses_suffixes(void **state)
{
	static const struct {
		const char *text;
		uint64_t bytes;
	} cases[] = {
		{ "0", 0 },
		{ "1", 1 },
		{ "4096", 4096 },
		{ "512K", 512ull << 10 },
		{ "512k", 512ull << 10 },
		{ "64M", 64ull << 20 },
		{ "64m", 64ull << 20 },
		{ "1G", 1ull << 30 },
		{ "2g", 2ull << 30 },
		{ "1T", 1ull << 40 },
		{ "16777215T", 16777215ull << 40 },
		{ "18446744073709551615", UINT64_MAX },
	};
	struct ctui_error err = { 0 };

	(void)state;
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		uint64_t bytes = 1234;

		if (ctui_parse_size(cases[i].text, &bytes, &err) != 0)
			fail_msg("\"%s\" rejected: %s", cases[i].text, err.message);
		assert_int_equal(bytes, cases[i].bytes);
	}
}

static void size_rejects_bad_values(void **state)
{
	static const char *const invalid[] = {
		"", "M", "-1", "+1", " 1", "1 ", "1.5G", "64MB", "64MiB", "1X", "0x10", "1e3", "12K3",
	};
	static const char *const too_large[] = {
		"16777216T", "18446744073709551616", "99999999999999999999999", "17179869184G",
	};
	struct ctui_error err = { 0 };
	uint64_t bytes = 1234;

	(void)state;
	for (size_t i = 0; i < sizeof invalid / sizeof invalid[0]; i++) {
		if (ctui_parse_size(invalid[i], &bytes, &err) == 0)
			fail_msg("\"%s\" accepted", invalid[i]);
		assert_int_equal(err.code, EINVAL);
		assert_non_null(strstr(err.message, "followed by K, M, G or T"));
	}
	for (size_t i = 0; i < sizeof too_large / sizeof too_large[0]; i++) {
		if (ctui_parse_size(too_large[i], &bytes, &err) == 0)
			fail_msg("\"%s\" accepted", too_large[i]);
		assert_int_equal(err.code, ERANGE);
		assert_non_null(strstr(err.message, "too large"));
	}
	assert_int_equal(bytes, 1234);

	assert_int_equal(ctui_parse_size(NULL, &bytes, &err), -1);
	assert_int_equal(ctui_parse_size("1\n", &bytes, &err), -1);
	assert_printable(err.message);
}

static void uint_parses_in_range(void **state)
{
	struct ctui_error err = { 0 };
	unsigned value = 7;

	(void)state;
	assert_int_equal(ctui_parse_uint("0", 0, 10, &value, &err), 0);
	assert_int_equal(value, 0);
	assert_int_equal(ctui_parse_uint("10", 0, 10, &value, &err), 0);
	assert_int_equal(value, 10);
	assert_int_equal(ctui_parse_uint("010", 0, 10, &value, &err), 0);
	assert_int_equal(value, 10);
	assert_int_equal(ctui_parse_uint("4294967295", 0, 4294967295u, &value, &err), 0);
	assert_int_equal(value, 4294967295u);
}

static void uint_rejects_bad_values(void **state)
{
	static const char *const invalid[] = { "", "-1", "+1", " 1", "1 ", "1a", "0x1", "1.0", "1e2" };
	struct ctui_error err = { 0 };
	unsigned value = 7;

	(void)state;
	for (size_t i = 0; i < sizeof invalid / sizeof invalid[0]; i++) {
		if (ctui_parse_uint(invalid[i], 0, 100, &value, &err) == 0)
			fail_msg("\"%s\" accepted", invalid[i]);
		assert_int_equal(err.code, EINVAL);
		assert_non_null(strstr(err.message, "use a whole number from 0 to 100"));
	}

	assert_int_equal(ctui_parse_uint("101", 0, 100, &value, &err), -1);
	assert_int_equal(err.code, ERANGE);
	assert_string_equal(err.message, "number 101 is out of range: use a value from 0 to 100");
	assert_int_equal(ctui_parse_uint("0", 1, 100, &value, &err), -1);
	assert_int_equal(err.code, ERANGE);
	assert_int_equal(ctui_parse_uint("4294967296", 0, 4294967295u, &value, &err), -1);
	assert_int_equal(err.code, ERANGE);
	assert_int_equal(ctui_parse_uint("99999999999999999999999", 0, 100, &value, &err), -1);
	assert_int_equal(err.code, ERANGE);
	assert_int_equal(value, 7);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(name_accepts_labels),
		cmocka_unit_test(name_rejects_bad_values),
		cmocka_unit_test(name_message_escapes_value),
		cmocka_unit_test(domain_accepts_names),
		cmocka_unit_test(domain_length_limit),
		cmocka_unit_test(domain_rejects_bad_values),
		cmocka_unit_test(size_parses_suffixes),
		cmocka_unit_test(size_rejects_bad_values),
		cmocka_unit_test(uint_parses_in_range),
		cmocka_unit_test(uint_rejects_bad_values),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
