/* IPv4 networks: parsing, membership, allocation and exhaustion. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "engine/subnet.h"

#define IP(a, b, c, d) (((uint32_t)(a) << 24) | ((uint32_t)(b) << 16) | ((uint32_t)(c) << 8) | (uint32_t)(d))

static void parse_accepts_networks(void **state)
{
	static const struct {
		const char *cidr;
		uint32_t network;
		unsigned prefix;
	} cases[] = {
		{ "10.1.1.0/24", IP(10, 1, 1, 0), 24 },
		{ "10.1.1.4/30", IP(10, 1, 1, 4), 30 },
		{ "172.16.0.0/16", IP(172, 16, 0, 0), 16 },
		{ "128.0.0.0/1", IP(128, 0, 0, 0), 1 },
		{ "0.0.0.0/1", 0, 1 },
		{ "192.168.7.0/24", IP(192, 168, 7, 0), 24 },
	};
	struct ctui_error err = { 0 };

	(void)state;
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		uint32_t network = 1;
		unsigned prefix = 0;

		if (ctui_subnet_parse(cases[i].cidr, &network, &prefix, &err) != 0)
			fail_msg("\"%s\" rejected: %s", cases[i].cidr, err.message);
		assert_int_equal(network, cases[i].network);
		assert_int_equal(prefix, cases[i].prefix);
	}
}

static void parse_rejects_bad_networks(void **state)
{
	static const struct {
		const char *cidr;
		const char *expected_part;
	} cases[] = {
		{ "10.1.1.0/33", "the prefix length must be from 1 to 30" },
		{ "10.1.1.0/31", "the prefix length must be from 1 to 30" },
		{ "10.1.1.0/32", "the prefix length must be from 1 to 30" },
		{ "0.0.0.0/0", "the prefix length must be from 1 to 30" },
		{ "10.1.1.0/", "the prefix length must be from 1 to 30" },
		{ "10.1.1.0/24x", "the prefix length must be from 1 to 30" },
		{ "10.1.1.0/-8", "the prefix length must be from 1 to 30" },
		{ "10.1.1.0/ 24", "the prefix length must be from 1 to 30" },
		{ "10.1.1.0", "expected an address and a prefix length" },
		{ "10.1.1/24", "expected an address and a prefix length" },
		{ "10.1.1.256/24", "expected an address and a prefix length" },
		{ "fd00::/64", "expected an address and a prefix length" },
		{ "", "expected an address and a prefix length" },
		{ "/24", "expected an address and a prefix length" },
		{ "10.1.1.1/24", "host bits are set; the network address is 10.1.1.0/24" },
		{ "10.1.255.0/16", "host bits are set; the network address is 10.1.0.0/16" },
		{ "10.1.1.2/30", "host bits are set; the network address is 10.1.1.0/30" },
	};
	struct ctui_error err = { 0 };

	(void)state;
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		uint32_t network = 1;
		unsigned prefix = 7;

		if (ctui_subnet_parse(cases[i].cidr, &network, &prefix, &err) == 0)
			fail_msg("\"%s\" accepted", cases[i].cidr);
		assert_int_equal(err.code, EINVAL);
		if (!strstr(err.message, cases[i].expected_part))
			fail_msg("message for \"%s\" is \"%s\"", cases[i].cidr, err.message);
		assert_int_equal(network, 1);
		assert_int_equal(prefix, 7);
	}
}

static void ipv4_parse_and_format(void **state)
{
	struct ctui_error err = { 0 };
	char text[16];
	uint32_t addr = 0;

	(void)state;
	assert_int_equal(ctui_ipv4_parse("10.1.1.254", &addr, &err), 0);
	assert_int_equal(addr, IP(10, 1, 1, 254));
	assert_string_equal(ctui_ipv4_format(addr, text), "10.1.1.254");
	assert_string_equal(ctui_ipv4_format(UINT32_MAX, text), "255.255.255.255");
	assert_string_equal(ctui_ipv4_format(0, text), "0.0.0.0");

	assert_int_equal(ctui_ipv4_parse("10.1.1", &addr, &err), -1);
	assert_non_null(strstr(err.message, "invalid IPv4 address \"10.1.1\""));
	assert_int_equal(ctui_ipv4_parse("10.1.1.1 ", &addr, &err), -1);
	assert_int_equal(ctui_ipv4_parse("::1", &addr, &err), -1);
	assert_int_equal(ctui_ipv4_parse("10.1.1.1\n", &addr, &err), -1);
	assert_null(strchr(err.message, '\n'));
	assert_int_equal(addr, IP(10, 1, 1, 254));
}

static void contains_excludes_network_and_broadcast(void **state)
{
	(void)state;
	assert_false(ctui_subnet_contains(IP(10, 1, 1, 0), 24, IP(10, 1, 1, 0)));
	assert_true(ctui_subnet_contains(IP(10, 1, 1, 0), 24, IP(10, 1, 1, 1)));
	assert_true(ctui_subnet_contains(IP(10, 1, 1, 0), 24, IP(10, 1, 1, 254)));
	assert_false(ctui_subnet_contains(IP(10, 1, 1, 0), 24, IP(10, 1, 1, 255)));
	assert_false(ctui_subnet_contains(IP(10, 1, 1, 0), 24, IP(10, 1, 2, 1)));
	assert_false(ctui_subnet_contains(IP(10, 1, 1, 0), 24, IP(10, 1, 0, 255)));

	assert_false(ctui_subnet_contains(IP(10, 1, 1, 4), 30, IP(10, 1, 1, 4)));
	assert_true(ctui_subnet_contains(IP(10, 1, 1, 4), 30, IP(10, 1, 1, 5)));
	assert_true(ctui_subnet_contains(IP(10, 1, 1, 4), 30, IP(10, 1, 1, 6)));
	assert_false(ctui_subnet_contains(IP(10, 1, 1, 4), 30, IP(10, 1, 1, 7)));
	assert_false(ctui_subnet_contains(IP(10, 1, 1, 4), 30, IP(10, 1, 1, 8)));

	assert_true(ctui_subnet_contains(IP(172, 16, 0, 0), 16, IP(172, 16, 0, 255)));
	assert_true(ctui_subnet_contains(IP(172, 16, 0, 0), 16, IP(172, 16, 1, 0)));
	assert_false(ctui_subnet_contains(IP(172, 16, 0, 0), 16, IP(172, 16, 255, 255)));

	assert_true(ctui_subnet_contains(IP(128, 0, 0, 0), 1, IP(200, 1, 2, 3)));
	assert_false(ctui_subnet_contains(IP(128, 0, 0, 0), 1, IP(255, 255, 255, 255)));
	assert_false(ctui_subnet_contains(IP(128, 0, 0, 0), 1, IP(127, 0, 0, 1)));
}

static void allocate_slash24(void **state)
{
	const uint32_t net = IP(10, 1, 1, 0), gateway = IP(10, 1, 1, 254);
	uint32_t used[3] = { IP(10, 1, 1, 3), IP(10, 1, 1, 1), IP(10, 9, 9, 9) };
	struct ctui_error err = { 0 };
	uint32_t addr = 0;

	(void)state;
	assert_int_equal(ctui_subnet_allocate(net, 24, gateway, NULL, 0, &addr, &err), 0);
	assert_int_equal(addr, IP(10, 1, 1, 1));
	assert_int_equal(ctui_subnet_free_count(net, 24, gateway, NULL, 0), 253);

	/* Unsorted, with an address from elsewhere that must not count. */
	assert_int_equal(ctui_subnet_allocate(net, 24, gateway, used, 3, &addr, &err), 0);
	assert_int_equal(addr, IP(10, 1, 1, 2));
	assert_int_equal(ctui_subnet_free_count(net, 24, gateway, used, 3), 251);

	/* A gateway at the first host address is skipped as well. */
	assert_int_equal(ctui_subnet_allocate(net, 24, IP(10, 1, 1, 1), NULL, 0, &addr, &err), 0);
	assert_int_equal(addr, IP(10, 1, 1, 2));
}

static void allocate_fills_slash24(void **state)
{
	const uint32_t net = IP(10, 1, 1, 0), gateway = IP(10, 1, 1, 254);
	uint32_t used[256];
	struct ctui_error err = { 0 };
	size_t n = 0;
	uint32_t addr;

	(void)state;
	while (ctui_subnet_allocate(net, 24, gateway, used, n, &addr, &err) == 0) {
		assert_true(ctui_subnet_contains(net, 24, addr));
		assert_int_not_equal(addr, gateway);
		for (size_t i = 0; i < n; i++)
			assert_int_not_equal(used[i], addr);
		assert_true(n < 256);
		used[n++] = addr;
	}
	assert_int_equal(n, 253);
	assert_int_equal(used[252], IP(10, 1, 1, 253));
	assert_int_equal(ctui_subnet_free_count(net, 24, gateway, used, n), 0);
	assert_int_equal(err.code, ENOSPC);
	assert_string_equal(err.message,
			    "the site network 10.1.1.0/24 is full: every address is in use; remove a "
			    "site or configure a larger [network] subnet");

	/* Freeing one address in the middle makes exactly that one available. */
	used[99] = used[--n];
	assert_int_equal(ctui_subnet_allocate(net, 24, gateway, used, n, &addr, &err), 0);
	assert_int_equal(addr, IP(10, 1, 1, 100));
}

static void allocate_slash30(void **state)
{
	const uint32_t net = IP(10, 1, 1, 4);
	uint32_t used[1];
	struct ctui_error err = { 0 };
	uint32_t addr = 0;

	(void)state;
	/* Two hosts, .5 and .6, and the gateway takes .6. */
	assert_int_equal(ctui_subnet_free_count(net, 30, IP(10, 1, 1, 6), NULL, 0), 1);
	assert_int_equal(ctui_subnet_allocate(net, 30, IP(10, 1, 1, 6), NULL, 0, &addr, &err), 0);
	assert_int_equal(addr, IP(10, 1, 1, 5));

	used[0] = addr;
	assert_int_equal(ctui_subnet_free_count(net, 30, IP(10, 1, 1, 6), used, 1), 0);
	assert_int_equal(ctui_subnet_allocate(net, 30, IP(10, 1, 1, 6), used, 1, &addr, &err), -1);
	assert_int_equal(err.code, ENOSPC);
	assert_non_null(strstr(err.message, "10.1.1.4/30 is full"));

	/* The gateway at .5 leaves .6. */
	assert_int_equal(ctui_subnet_allocate(net, 30, IP(10, 1, 1, 5), NULL, 0, &addr, &err), 0);
	assert_int_equal(addr, IP(10, 1, 1, 6));
}

static void allocate_slash16_crosses_octets(void **state)
{
	const uint32_t net = IP(172, 16, 0, 0), gateway = IP(172, 16, 255, 254);
	const size_t n = 300;
	uint32_t *used = calloc(n, sizeof *used);
	struct ctui_error err = { 0 };
	uint32_t addr = 0;

	(void)state;
	assert_non_null(used);
	assert_int_equal(ctui_subnet_free_count(net, 16, gateway, NULL, 0), 65533);

	/* .0.255 and .1.0 are host addresses in a /16, unlike in a /24. */
	for (size_t i = 0; i < n; i++)
		used[i] = net + 1 + (uint32_t)(n - 1 - i);
	assert_int_equal(ctui_subnet_allocate(net, 16, gateway, used, 254, &addr, &err), 0);
	assert_int_equal(addr, IP(172, 16, 0, 1));
	assert_int_equal(ctui_subnet_allocate(net, 16, gateway, used, n, &addr, &err), 0);
	assert_int_equal(addr, IP(172, 16, 1, 45));
	assert_int_equal(ctui_subnet_free_count(net, 16, gateway, used, n), 65533 - n);

	/* Duplicates in USED count once. */
	used[1] = used[0];
	assert_int_equal(ctui_subnet_free_count(net, 16, gateway, used, n), 65533 - n + 1);
	free(used);
}

static void allocate_slash16_last_address(void **state)
{
	const uint32_t net = IP(172, 16, 0, 0), gateway = IP(172, 16, 0, 1);
	const size_t n = 65532;
	uint32_t *used = calloc(n, sizeof *used);
	struct ctui_error err = { 0 };
	uint32_t addr = 0;

	(void)state;
	assert_non_null(used);
	/* Every host address but the gateway and the last one. */
	for (size_t i = 0; i < n; i++)
		used[i] = net + 2 + (uint32_t)i;
	assert_int_equal(used[n - 1], IP(172, 16, 255, 253));
	assert_int_equal(ctui_subnet_free_count(net, 16, gateway, used, n), 1);
	assert_int_equal(ctui_subnet_allocate(net, 16, gateway, used, n, &addr, &err), 0);
	assert_int_equal(addr, IP(172, 16, 255, 254));

	used[0] = addr;
	assert_int_equal(ctui_subnet_free_count(net, 16, gateway, used, n), 1);
	assert_int_equal(ctui_subnet_allocate(net, 16, gateway, used, n, &addr, &err), 0);
	assert_int_equal(addr, IP(172, 16, 0, 2));
	free(used);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(parse_accepts_networks),
		cmocka_unit_test(parse_rejects_bad_networks),
		cmocka_unit_test(ipv4_parse_and_format),
		cmocka_unit_test(contains_excludes_network_and_broadcast),
		cmocka_unit_test(allocate_slash24),
		cmocka_unit_test(allocate_fills_slash24),
		cmocka_unit_test(allocate_slash30),
		cmocka_unit_test(allocate_slash16_crosses_octets),
		cmocka_unit_test(allocate_slash16_last_address),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
