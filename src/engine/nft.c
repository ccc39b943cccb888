#include "engine/nft.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <nftables/libnftables.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/util.h"

/* Appends the DNAT rules of FORWARDS to *TEXT. */
static void append_rules(char **text, const struct ctui_nft_forward *forwards, size_t count)
{
	for (size_t i = 0; i < count; i++) {
		struct in_addr addr = { .s_addr = htonl(forwards[i].ipv4) };
		char address[INET_ADDRSTRLEN];
		char *longer;

		inet_ntop(AF_INET, &addr, address, sizeof address);
		longer = xasprintf("%s\t\tmeta nfproto ipv4 fib daddr type local tcp dport %u "
				   "dnat ip to %s:22 comment \"sftp %s\"\n",
				   *text, forwards[i].port, address, forwards[i].site);
		free(*text);
		*text = longer;
	}
}

/* The nft script that replaces TABLE. "table" before "delete table" makes
 * the deletion succeed when the table does not exist yet. */
static char *table_script(const char *table, const char *bridge,
			  const struct ctui_nft_forward *forwards, size_t count)
{
	cleanup_free char *rules = xstrdup("");

	if (count == 0)
		return xasprintf("table inet %s {}\ndelete table inet %s\n", table, table);

	append_rules(&rules, forwards, count);
	/* Connections from 127.0.0.1 reach the bridge only where the test or
	 * the administrator set net.ipv4.conf.BRIDGE.route_localnet. Their
	 * replies need the masquerade, because the site would otherwise send
	 * them to its own loopback. */
	return xasprintf("table inet %s {}\ndelete table inet %s\n"
			 "table inet %s {\n"
			 "\tchain prerouting {\n"
			 "\t\ttype nat hook prerouting priority -100; policy accept;\n%s"
			 "\t}\n"
			 "\tchain output {\n"
			 "\t\ttype nat hook output priority -100; policy accept;\n%s"
			 "\t}\n"
			 "\tchain postrouting {\n"
			 "\t\ttype nat hook postrouting priority 100; policy accept;\n"
			 "\t\tip saddr 127.0.0.0/8 oifname \"%s\" masquerade\n"
			 "\t}\n"
			 "}\n",
			 table, table, table, rules, rules, bridge);
}

int ctui_nft_apply(const char *table, const char *bridge, const struct ctui_nft_forward *forwards,
		   size_t count, struct ctui_error *err)
{
	cleanup_free char *script = table_script(table, bridge, forwards, count);
	struct nft_ctx *nft = nft_ctx_new(NFT_CTX_DEFAULT);
	const char *output;
	int ret = 0;

	if (!nft)
		return ctui_error_set(err, ENOMEM, _("cannot create an nftables context"));
	nft_ctx_buffer_output(nft);
	nft_ctx_buffer_error(nft);

	if (nft_run_cmd_from_buffer(nft, script) != 0) {
		output = nft_ctx_get_error_buffer(nft);
		ret = ctui_error_set(err, EIO, _("nftables rejected the table inet %s: %s"), table,
				     output && output[0] ? output : _("no message"));
		/* nft ends its message with newlines, which the caller's
		 * context would split. */
		for (char *end = err->message + strlen(err->message);
		     end > err->message && end[-1] == '\n'; end--)
			end[-1] = '\0';
	}
	nft_ctx_free(nft);
	return ret;
}
