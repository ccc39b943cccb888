/* The SFTP port forwards in a real nftables table of the test's own name:
 * the rules a set of forwards makes, their replacement, the deletion of the
 * table with the last forward, and an invalid script left without effect.
 * Skipped unless run as root. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "engine/nft.h"

#define IP(a, b, c, d) (((uint32_t)(a) << 24) | ((uint32_t)(b) << 16) | ((uint32_t)(c) << 8) | (uint32_t)(d))

static char table[64];

/* The output of `nft list table inet TABLE`, or "" when it fails. */
static char *list_table(void)
{
	static char text[8192];
	char command[128];
	size_t n;
	FILE *pipe;

	snprintf(command, sizeof command, "nft list table inet %s 2>/dev/null", table);
	pipe = popen(command, "r");
	assert_non_null(pipe);
	n = fread(text, 1, sizeof text - 1, pipe);
	text[n] = '\0';
	pclose(pipe);
	return text;
}

static int setup(void **state)
{
	(void)state;
	snprintf(table, sizeof table, "ctui_unit_%d", (int)getpid());
	return 0;
}

static int teardown(void **state)
{
	char command[128];

	(void)state;
	snprintf(command, sizeof command, "nft delete table inet %s 2>/dev/null", table);
	if (system(command) < 0)
		return -1;
	return 0;
}

static void forwards_become_rules(void **state)
{
	const struct ctui_nft_forward forwards[] = {
		{ "blog", 40001, IP(10, 250, 1, 2) },
		{ "shop", 40002, IP(10, 250, 1, 3) },
	};
	struct ctui_error err = { 0 };
	const char *text;

	(void)state;
	if (geteuid() != 0)
		skip();

	if (ctui_nft_apply(table, "cttunit0", forwards, 2, &err) < 0)
		fail_msg("%s", err.message);
	text = list_table();
	assert_non_null(strstr(text, "tcp dport 40001 dnat ip to 10.250.1.2:22 comment \"sftp blog\""));
	assert_non_null(strstr(text, "tcp dport 40002 dnat ip to 10.250.1.3:22 comment \"sftp shop\""));
	assert_non_null(strstr(text, "ip saddr 127.0.0.0/8 oifname \"cttunit0\" masquerade"));
	assert_non_null(strstr(text, "hook output"));
	assert_non_null(strstr(text, "hook prerouting"));

	/* The table is replaced, not appended to. */
	if (ctui_nft_apply(table, "cttunit0", forwards + 1, 1, &err) < 0)
		fail_msg("%s", err.message);
	text = list_table();
	assert_null(strstr(text, "dport 40001"));
	assert_non_null(strstr(text, "dport 40002"));

	if (ctui_nft_apply(table, "cttunit0", NULL, 0, &err) < 0)
		fail_msg("%s", err.message);
	assert_string_equal(list_table(), "");

	/* Deleting a table that does not exist is fine. */
	if (ctui_nft_apply(table, "cttunit0", NULL, 0, &err) < 0)
		fail_msg("%s", err.message);
}

static void rejected_script_keeps_table(void **state)
{
	const struct ctui_nft_forward good = { "blog", 40001, IP(10, 250, 1, 2) };
	struct ctui_error err = { 0 };

	(void)state;
	if (geteuid() != 0)
		skip();

	if (ctui_nft_apply(table, "cttunit0", &good, 1, &err) < 0)
		fail_msg("%s", err.message);
	/* A quote in the interface name ends nft's string early. */
	assert_int_equal(ctui_nft_apply(table, "bad\"name", &good, 1, &err), -1);
	assert_non_null(strstr(err.message, "nftables rejected the table inet"));
	assert_null(strchr(err.message + strlen(err.message) - 1, '\n'));
	assert_non_null(strstr(list_table(), "oifname \"cttunit0\""));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(forwards_become_rules, setup, teardown),
		cmocka_unit_test_setup_teardown(rejected_script_keeps_table, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
