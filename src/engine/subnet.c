#include "engine/subnet.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "engine/log.h"
#include "ctui/validate.h"
#include "util/util.h"

#define SHOWN_MAX 160

static uint32_t prefix_mask(unsigned prefix)
{
	return prefix ? UINT32_MAX << (32 - prefix) : 0;
}

static uint32_t broadcast_of(uint32_t network, unsigned prefix)
{
	return network | ~prefix_mask(prefix);
}

int ctui_subnet_parse(const char *cidr, uint32_t *network, unsigned *prefix,
		      struct ctui_error *err)
{
	char shown[SHOWN_MAX], net_text[INET_ADDRSTRLEN];
	const char *slash = strchr(cidr, '/');
	struct ctui_error ignored;
	uint32_t addr;
	unsigned len;
	char text[INET_ADDRSTRLEN];

	ctui_escape(cidr, shown, sizeof shown);
	if (!slash || (size_t)(slash - cidr) >= sizeof text)
		goto invalid;
	memcpy(text, cidr, (size_t)(slash - cidr));
	text[slash - cidr] = '\0';
	if (ctui_ipv4_parse(text, &addr, &ignored) < 0)
		goto invalid;
	if (ctui_parse_uint(slash + 1, 1, 30, &len, &ignored) < 0)
		return ctui_error_set(err, EINVAL,
				      _("invalid IPv4 network \"%s\": the prefix length must be "
					"from 1 to 30, such as 10.1.1.0/24"),
				      shown);

	if (addr & ~prefix_mask(len))
		return ctui_error_set(err, EINVAL,
				      _("invalid IPv4 network \"%s\": host bits are set; the "
					"network address is %s/%u"),
				      shown, ctui_ipv4_format(addr & prefix_mask(len), net_text), len);

	*network = addr;
	*prefix = len;
	return 0;

invalid:
	return ctui_error_set(err, EINVAL,
			      _("invalid IPv4 network \"%s\": expected an address and a prefix "
				"length, such as 10.1.1.0/24"),
			      shown);
}

int ctui_ipv4_parse(const char *text, uint32_t *addr, struct ctui_error *err)
{
	struct in_addr in;
	char shown[SHOWN_MAX];

	if (inet_pton(AF_INET, text, &in) != 1)
		return ctui_error_set(err, EINVAL,
				      _("invalid IPv4 address \"%s\": expected four numbers from 0 "
					"to 255 separated by dots, such as 10.1.1.10"),
				      ctui_escape(text, shown, sizeof shown));

	*addr = ntohl(in.s_addr);
	return 0;
}

char *ctui_ipv4_format(uint32_t addr, char *out)
{
	struct in_addr in = { .s_addr = htonl(addr) };

	inet_ntop(AF_INET, &in, out, INET_ADDRSTRLEN);
	return out;
}

int ctui_subnet_contains(uint32_t network, unsigned prefix, uint32_t addr)
{
	if ((addr & prefix_mask(prefix)) != network)
		return 0;
	return addr != network && addr != broadcast_of(network, prefix);
}

static int compare_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a;
	uint32_t y = *(const uint32_t *)b;

	return (x > y) - (x < y);
}

/* A sorted copy of USED with GATEWAY added, so both are skipped alike. */
static uint32_t *sorted_in_use(const uint32_t *used, size_t n, uint32_t gateway)
{
	uint32_t *in_use = xmalloc((n + 1) * sizeof *in_use);

	if (n)
		memcpy(in_use, used, n * sizeof *in_use);
	in_use[n] = gateway;
	qsort(in_use, n + 1, sizeof *in_use, compare_u32);
	return in_use;
}

int ctui_subnet_allocate(uint32_t network, unsigned prefix, uint32_t gateway,
			 const uint32_t *used, size_t n, uint32_t *addr, struct ctui_error *err)
{
	cleanup_free uint32_t *in_use = sorted_in_use(used, n, gateway);
	uint32_t last = broadcast_of(network, prefix) - 1;
	uint32_t candidate = network + 1;
	char text[INET_ADDRSTRLEN];

	/* Both lists ascend, so one pass finds the lowest gap. */
	for (size_t i = 0; i <= n && candidate <= last; i++) {
		if (in_use[i] < candidate)
			continue;
		if (in_use[i] > candidate)
			break;
		candidate++;
	}

	if (candidate > last)
		return ctui_error_set(err, ENOSPC,
				      _("the site network %s/%u is full: every address is in use; "
					"remove a site or configure a larger [network] subnet"),
				      ctui_ipv4_format(network, text), prefix);
	*addr = candidate;
	return 0;
}

size_t ctui_subnet_free_count(uint32_t network, unsigned prefix, uint32_t gateway,
			      const uint32_t *used, size_t n)
{
	cleanup_free uint32_t *in_use = sorted_in_use(used, n, gateway);
	size_t hosts = ((size_t)1 << (32 - prefix)) - 2;

	for (size_t i = 0; i <= n; i++) {
		if (i > 0 && in_use[i] == in_use[i - 1])
			continue;
		if (ctui_subnet_contains(network, prefix, in_use[i]))
			hosts--;
	}
	return hosts;
}
