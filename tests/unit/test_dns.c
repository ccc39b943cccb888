/* DNS records through dynamic updates: key files, zone membership, the
 * update messages parsed back with ldns, and live updates against a private
 * named started with tests/lib/servers.sh on a loopback port. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#include <ldns/ldns.h>

#include "engine/dns.h"
#include "util/fs.h"
#include "util/run.h"
#include "util/util.h"

#define ZONE "zone.test"
#define KEYNAME "ctui-test"

static const char good_key[] =
	"# written by tsig-keygen\n"
	"key \"ctui-test\" {\n"
	"\talgorithm hmac-sha256;\n"
	"\tsecret \"kR4mH0FS9ZyKq3t5Gy3dG9sMjnBwJ3jQ5m0tUO2xv0Y=\";\n"
	"};\n";

static char scratch[] = "/tmp/ctui-test-dns.XXXXXX";

/* Writable copies for struct ctui_config, whose fields are not const. */
static char live_zone[] = ZONE;
static char server_ipv4[] = "127.0.0.1";
static char server_ipv6[] = "::1";
static char missing_key[] = "/nonexistent/ctui.key";

/* ---- Helpers ------------------------------------------------------------ */

struct output {
	char text[4096];
};

static void collect_line(void *ctx, const char *line)
{
	struct output *out = ctx;
	size_t used = strlen(out->text);

	snprintf(out->text + used, sizeof out->text - used, "%s\n", line);
}

/* Runs SCRIPT with bash after sourcing tests/lib/servers.sh; its stdout and
 * stderr go to OUT. Returns ctui_run_argv's result. */
static int run_shell(struct output *out, struct ctui_error *err, const char *fmt, ...)
{
	cleanup_free char *body = NULL;
	cleanup_free char *script = NULL;
	va_list ap;

	va_start(ap, fmt);
	body = xvasprintf(fmt, ap);
	va_end(ap);
	script = xasprintf("source tests/lib/servers.sh && %s", body);
	out->text[0] = '\0';

	char bash[] = "bash", option[] = "-c";
	char *argv[] = { bash, option, script, NULL };

	return ctui_run_argv(argv, collect_line, out, err);
}

static char *write_scratch(const char *name, const char *text)
{
	char *path = xasprintf("%s/%s", scratch, name);
	struct ctui_error err = { 0 };

	assert_int_equal(ctui_write_file_atomic(path, text, strlen(text), 0600, &err), 0);
	return path;
}

static int make_scratch(void **state)
{
	(void)state;
	return mkdtemp(scratch) ? 0 : -1;
}

static int remove_scratch(void **state)
{
	struct ctui_error err = { 0 };

	(void)state;
	return ctui_rm_rf(scratch, &err);
}

/* ---- Key files ---------------------------------------------------------- */

static void key_load_good(void **state)
{
	cleanup_free char *path = write_scratch("good.key", good_key);
	struct ctui_tsig_key key;
	struct ctui_error err = { 0 };

	(void)state;
	assert_int_equal(ctui_tsig_key_load(path, &key, &err), 0);
	assert_string_equal(key.name, "ctui-test");
	assert_string_equal(key.algorithm, "hmac-sha256");
	assert_string_equal(key.secret, "kR4mH0FS9ZyKq3t5Gy3dG9sMjnBwJ3jQ5m0tUO2xv0Y=");
}

static void key_load_tsig_keygen_output(void **state)
{
	cleanup_free char *path = xasprintf("%s/keygen.key", scratch);
	struct ctui_tsig_key key;
	struct ctui_error err = { 0 };
	struct output out;

	(void)state;
	if (access("/usr/sbin/tsig-keygen", X_OK) != 0) {
		print_message("tsig-keygen is not installed (package bind9-utils)\n");
		skip();
	}
	assert_int_equal(run_shell(&out, &err, "tsig-keygen -a hmac-sha256 sites.key > %s", path),
			 0);
	assert_int_equal(ctui_tsig_key_load(path, &key, &err), 0);
	assert_string_equal(key.name, "sites.key");
	assert_string_equal(key.algorithm, "hmac-sha256");
	assert_int_equal(strlen(key.secret), 44);
}

static void key_load_missing_secret(void **state)
{
	cleanup_free char *path = write_scratch("nosecret.key",
						"key \"k\" {\n\talgorithm hmac-sha256;\n};\n");
	struct ctui_tsig_key key;
	struct ctui_error err = { 0 };

	(void)state;
	assert_int_equal(ctui_tsig_key_load(path, &key, &err), -1);
	assert_int_equal(err.code, EINVAL);
	assert_non_null(strstr(err.message, "has no secret statement"));
	assert_non_null(strstr(err.message, path));
}

static void key_load_garbage(void **state)
{
	cleanup_free char *path = write_scratch("garbage.key", "\n\nthis is not a key file\n");
	struct ctui_tsig_key key;
	struct ctui_error err = { 0 };

	(void)state;
	assert_int_equal(ctui_tsig_key_load(path, &key, &err), -1);
	assert_int_equal(err.code, EINVAL);
	assert_non_null(strstr(err.message, "line 3: expected \"key\", found \"this\""));
}

static void key_load_truncated(void **state)
{
	cleanup_free char *path = write_scratch("truncated.key",
						"key \"k\" {\n\talgorithm hmac-sha256;\n"
						"\tsecret \"abcd\";\n");
	struct ctui_tsig_key key;
	struct ctui_error err = { 0 };

	(void)state;
	assert_int_equal(ctui_tsig_key_load(path, &key, &err), -1);
	assert_non_null(strstr(err.message, "found \"the end of the file\""));
}

static void key_load_bad_values(void **state)
{
	cleanup_free char *bad_b64 = write_scratch("b64.key",
						   "key k { algorithm hmac-sha256; secret \"a*b=\"; };");
	cleanup_free char *bad_alg = write_scratch("alg.key",
						   "key k { algorithm rot13; secret \"abcd\"; };");
	cleanup_free char *sha384 = write_scratch("sha384.key",
						  "key k { algorithm hmac-sha384; secret \"abcd\"; };");
	cleanup_free char *two = write_scratch("two.key",
					       "key a { algorithm hmac-sha256; secret \"abcd\"; };\n"
					       "key b { algorithm hmac-sha256; secret \"abcd\"; };\n");
	cleanup_free char *missing = xasprintf("%s/missing.key", scratch);
	struct ctui_tsig_key key;
	struct ctui_error err = { 0 };

	(void)state;
	assert_int_equal(ctui_tsig_key_load(bad_b64, &key, &err), -1);
	assert_non_null(strstr(err.message, "is not valid base64"));

	assert_int_equal(ctui_tsig_key_load(bad_alg, &key, &err), -1);
	assert_non_null(strstr(err.message, "unsupported algorithm \"rot13\""));

	assert_int_equal(ctui_tsig_key_load(sha384, &key, &err), -1);
	assert_non_null(strstr(err.message, "unsupported algorithm \"hmac-sha384\": use hmac-sha256"));

	assert_int_equal(ctui_tsig_key_load(two, &key, &err), -1);
	assert_non_null(strstr(err.message, "line 2: expected the end of the file after the first key"));

	assert_int_equal(ctui_tsig_key_load(missing, &key, &err), -1);
	assert_int_equal(err.code, ENOENT);
	assert_non_null(strstr(err.message, missing));
}

/* ---- Zones -------------------------------------------------------------- */

static void in_zone_labelwise(void **state)
{
	(void)state;
	assert_true(ctui_dns_in_zone("a.zone.org", "zone.org"));
	assert_true(ctui_dns_in_zone("b.a.zone.org", "zone.org"));
	assert_true(ctui_dns_in_zone("zone.org", "zone.org"));
	assert_true(ctui_dns_in_zone("A.Zone.ORG", "zone.org"));
	assert_false(ctui_dns_in_zone("xzone.org", "zone.org"));
	assert_false(ctui_dns_in_zone("a.xzone.org", "zone.org"));
	assert_false(ctui_dns_in_zone("zone.org.evil", "zone.org"));
	assert_false(ctui_dns_in_zone("org", "zone.org"));
	assert_false(ctui_dns_in_zone("a.zone.org", ""));
}

/* ---- Update messages ---------------------------------------------------- */

static void load_good_key(struct ctui_tsig_key *key)
{
	cleanup_free char *path = write_scratch("build.key", good_key);
	struct ctui_error err = { 0 };

	assert_int_equal(ctui_tsig_key_load(path, key, &err), 0);
}

/* Builds the update for CHANGE, checks its TSIG with ldns and returns it
 * parsed. */
static ldns_pkt *build_change(const struct ctui_dns_change *change)
{
	struct ctui_tsig_key key;
	struct ctui_error err = { 0 };
	cleanup_free unsigned char *wire = NULL;
	size_t len = 0;
	ldns_pkt *pkt = NULL;

	load_good_key(&key);
	if (ctui_dns_build_update("zone.org", change, &key, &wire, &len, &err) < 0)
		fail_msg("%s", err.message);
	assert_int_equal(ldns_wire2pkt(&pkt, wire, len), LDNS_STATUS_OK);

	assert_non_null(ldns_pkt_tsig(pkt));
	assert_true(ldns_pkt_tsig_verify(pkt, wire, len, key.name, key.secret, NULL));
	return pkt;
}

static ldns_pkt *build_and_parse(bool add)
{
	struct ctui_dns_change change = {
		.op = add ? CTUI_DNS_ADD_SITE : CTUI_DNS_REMOVE_SITE,
		.name = "web.zone.org",
		.kind = CTUI_RECORD_CNAME,
		.target = "zone.org",
		.ttl = 600,
	};

	return build_change(&change);
}

static void assert_rr_text(const ldns_rr *rr, const char *expected)
{
	cleanup_free char *text = ldns_rr2str(rr);

	assert_string_equal(text, expected);
}

static void assert_zone_section(const ldns_pkt *pkt)
{
	const ldns_rr_list *zone = ldns_pkt_question(pkt);
	ldns_rdf *zone_name = ldns_dname_new_frm_str("zone.org");
	const ldns_rr *soa;

	assert_int_equal(ldns_pkt_get_opcode(pkt), LDNS_PACKET_UPDATE);
	assert_false(ldns_pkt_rd(pkt));
	assert_int_equal(ldns_rr_list_rr_count(zone), 1);
	soa = ldns_rr_list_rr(zone, 0);
	assert_int_equal(ldns_rr_get_type(soa), LDNS_RR_TYPE_SOA);
	assert_int_equal(ldns_rr_get_class(soa), LDNS_RR_CLASS_IN);
	assert_int_equal(ldns_dname_compare(ldns_rr_owner(soa), zone_name), 0);
	ldns_rdf_deep_free(zone_name);
}

static void build_add_update(void **state)
{
	ldns_pkt *pkt = build_and_parse(true);
	const ldns_rr_list *prerequisites = ldns_pkt_answer(pkt);
	const ldns_rr_list *updates = ldns_pkt_authority(pkt);
	const ldns_rr *tsig = ldns_pkt_tsig(pkt);
	cleanup_free char *key_name = ldns_rdf2str(ldns_rr_owner(tsig));
	cleanup_free char *algorithm = ldns_rdf2str(ldns_rr_rdf(tsig, 0));

	(void)state;
	assert_zone_section(pkt);

	/* "Name is not in use": NONE ANY, TTL 0, no data. */
	assert_int_equal(ldns_rr_list_rr_count(prerequisites), 1);
	assert_rr_text(ldns_rr_list_rr(prerequisites, 0), "web.zone.org.\t0\tNONE\tANY\t\\# 0\n");
	assert_int_equal(ldns_rr_rd_count(ldns_rr_list_rr(prerequisites, 0)), 0);

	assert_int_equal(ldns_rr_list_rr_count(updates), 1);
	assert_rr_text(ldns_rr_list_rr(updates, 0), "web.zone.org.\t600\tIN\tCNAME\tzone.org.\n");

	assert_int_equal(ldns_rr_list_rr_count(ldns_pkt_additional(pkt)), 0);
	assert_string_equal(key_name, "ctui-test.");
	assert_string_equal(algorithm, "hmac-sha256.");
	ldns_pkt_free(pkt);
}

static void build_remove_update(void **state)
{
	ldns_pkt *pkt = build_and_parse(false);
	const ldns_rr_list *updates = ldns_pkt_authority(pkt);

	(void)state;
	assert_zone_section(pkt);
	assert_int_equal(ldns_rr_list_rr_count(ldns_pkt_answer(pkt)), 0);

	/* "Delete an RRset": ANY TYPE, TTL 0, no data, for each kind of site record. */
	assert_int_equal(ldns_rr_list_rr_count(updates), 3);
	assert_rr_text(ldns_rr_list_rr(updates, 0), "web.zone.org.\t0\tANY\tCNAME\t\\# 0\n");
	assert_rr_text(ldns_rr_list_rr(updates, 1), "web.zone.org.\t0\tANY\tA\t\\# 0\n");
	assert_rr_text(ldns_rr_list_rr(updates, 2), "web.zone.org.\t0\tANY\tAAAA\t\\# 0\n");
	assert_int_equal(ldns_rr_rd_count(ldns_rr_list_rr(updates, 0)), 0);
	ldns_pkt_free(pkt);
}

static void build_address_update(void **state)
{
	struct ctui_dns_change change = {
		.op = CTUI_DNS_ADD_SITE, .name = "web.zone.org", .kind = CTUI_RECORD_ADDRESS,
		.ipv4 = "192.0.2.10", .ipv6 = "2001:db8::10", .ttl = 300,
	};
	ldns_pkt *pkt;
	const ldns_rr_list *updates;

	(void)state;
	pkt = build_change(&change);
	updates = ldns_pkt_authority(pkt);
	assert_int_equal(ldns_rr_list_rr_count(ldns_pkt_answer(pkt)), 1);
	assert_int_equal(ldns_rr_list_rr_count(updates), 2);
	assert_rr_text(ldns_rr_list_rr(updates, 0), "web.zone.org.\t300\tIN\tA\t192.0.2.10\n");
	assert_rr_text(ldns_rr_list_rr(updates, 1), "web.zone.org.\t300\tIN\tAAAA\t2001:db8::10\n");
	ldns_pkt_free(pkt);

	change.ipv4 = "";
	pkt = build_change(&change);
	updates = ldns_pkt_authority(pkt);
	assert_int_equal(ldns_rr_list_rr_count(updates), 1);
	assert_rr_text(ldns_rr_list_rr(updates, 0), "web.zone.org.\t300\tIN\tAAAA\t2001:db8::10\n");
	ldns_pkt_free(pkt);
}

static void build_address_needs_one(void **state)
{
	struct ctui_dns_change change = {
		.op = CTUI_DNS_ADD_SITE, .name = "web.zone.org", .kind = CTUI_RECORD_ADDRESS,
		.ipv4 = "", .ipv6 = "", .ttl = 300,
	};
	struct ctui_tsig_key key;
	struct ctui_error err = { 0 };
	unsigned char *wire = NULL;
	size_t len = 0;

	(void)state;
	load_good_key(&key);
	assert_int_equal(ctui_dns_build_update("zone.org", &change, &key, &wire, &len, &err), -1);
	assert_string_equal(err.message, "no address for the A and AAAA records of web.zone.org: "
					 "set [host] ipv4 or ipv6 in the configuration");
	assert_null(wire);
}

static void build_txt_updates(void **state)
{
	struct ctui_dns_change change = {
		.op = CTUI_DNS_ADD_TXT, .name = "_acme-challenge.zone.org", .text = "tok-en_1",
		.ttl = 60,
	};
	ldns_pkt *pkt;

	(void)state;
	pkt = build_change(&change);
	assert_int_equal(ldns_rr_list_rr_count(ldns_pkt_answer(pkt)), 0);
	assert_int_equal(ldns_rr_list_rr_count(ldns_pkt_authority(pkt)), 1);
	assert_rr_text(ldns_rr_list_rr(ldns_pkt_authority(pkt), 0),
		       "_acme-challenge.zone.org.\t60\tIN\tTXT\t\"tok-en_1\"\n");
	ldns_pkt_free(pkt);

	/* "Delete an RR from an RRset": class NONE, TTL 0, with the data. */
	change.op = CTUI_DNS_REMOVE_TXT;
	pkt = build_change(&change);
	assert_int_equal(ldns_rr_list_rr_count(ldns_pkt_authority(pkt)), 1);
	assert_rr_text(ldns_rr_list_rr(ldns_pkt_authority(pkt), 0),
		       "_acme-challenge.zone.org.\t0\tNONE\tTXT\t\"tok-en_1\"\n");
	ldns_pkt_free(pkt);
}

static void owner_records_text(void **state)
{
	char zone[] = "sites.example.net", v4[] = "192.0.2.10", v6[] = "2001:db8::10", none[] = "";
	struct ctui_config cfg = { .zone = zone, .public_ipv4 = v4, .public_ipv6 = v6 };
	char *text;

	(void)state;
	assert_null(ctui_dns_owner_records(&cfg, "web.sites.example.net", CTUI_RECORD_CNAME));
	assert_null(ctui_dns_owner_records(&cfg, "sites.example.net", CTUI_RECORD_ADDRESS));

	text = ctui_dns_owner_records(&cfg, "www.example.org", CTUI_RECORD_CNAME);
	assert_string_equal(text, "www.example.org. CNAME sites.example.net.");
	free(text);
	text = ctui_dns_owner_records(&cfg, "example.org", CTUI_RECORD_ADDRESS);
	assert_string_equal(text, "example.org. A 192.0.2.10 and example.org. AAAA 2001:db8::10");
	free(text);
	cfg.public_ipv4 = none;
	text = ctui_dns_owner_records(&cfg, "example.org", CTUI_RECORD_ADDRESS);
	assert_string_equal(text, "example.org. AAAA 2001:db8::10");
	free(text);
}

static void build_signs_every_algorithm(void **state)
{
	static const char *const algorithms[] = {
		"hmac-md5", "hmac-sha1", "hmac-sha256", "hmac-sha512",
	};

	(void)state;
	for (size_t i = 0; i < sizeof algorithms / sizeof algorithms[0]; i++) {
		struct ctui_tsig_key key;
		struct ctui_error err = { 0 };
		cleanup_free unsigned char *wire = NULL;
		size_t len = 0;
		ldns_pkt *pkt = NULL;

		load_good_key(&key);
		strcpy(key.algorithm, algorithms[i]);
		/* cmocka prints no loop index: name the case that fails. */
		print_message("signing with %s\n", algorithms[i]);
		struct ctui_dns_change change = {
			.op = CTUI_DNS_ADD_SITE, .name = "web.zone.org", .target = "zone.org",
			.ttl = 60,
		};

		assert_int_equal(ctui_dns_build_update("zone.org", &change, &key, &wire, &len, &err),
				 0);
		assert_int_equal(ldns_wire2pkt(&pkt, wire, len), LDNS_STATUS_OK);
		assert_true(ldns_pkt_tsig_verify(pkt, wire, len, key.name, key.secret, NULL));
		ldns_pkt_free(pkt);
	}
}

static void build_rejects_bad_domain(void **state)
{
	struct ctui_tsig_key key;
	struct ctui_error err = { 0 };
	unsigned char *wire = NULL;
	size_t len = 0;

	(void)state;
	load_good_key(&key);
	struct ctui_dns_change change = {
		.op = CTUI_DNS_ADD_SITE, .name = "a..zone.org", .target = "zone.org", .ttl = 60,
	};

	assert_int_equal(ctui_dns_build_update("zone.org", &change, &key, &wire, &len, &err), -1);
	assert_non_null(strstr(err.message, "invalid domain name \"a..zone.org\""));
	assert_null(wire);
}

/* ---- Against a real named ----------------------------------------------- */

struct live {
	bool ready;
	char dir[512];
	unsigned port;
	struct ctui_config cfg;
};

static struct live live;

static bool have_program(const char *path)
{
	return access(path, X_OK) == 0;
}

static int start_named(void **state)
{
	struct ctui_error err = { 0 };
	struct output out;

	(void)state;
	if (geteuid() != 0 || !have_program("/usr/sbin/named") || !have_program("/usr/bin/dig")) {
		print_message("live DNS tests need root, named and dig (bind9, bind9-dnsutils)\n");
		return 0;
	}
	snprintf(live.dir, sizeof live.dir, "%s/named", scratch);

	if (run_shell(&out, &err, "ctui_test_free_port") < 0) {
		print_message("%s\n", err.message);
		return -1;
	}
	live.port = (unsigned)strtoul(out.text, NULL, 10);
	if (run_shell(&out, &err, "ctui_test_start_bind %s %u %s %s", live.dir, live.port, ZONE,
		      KEYNAME) < 0) {
		print_message("cannot start named: %s\n%s", err.message, out.text);
		return -1;
	}

	live.cfg.zone = live_zone;
	live.cfg.dns_server = server_ipv4;
	live.cfg.dns_port = live.port;
	live.cfg.tsig_key_file = xasprintf("%s/%s.key", live.dir, KEYNAME);
	live.cfg.dns_ttl = 300;
	live.ready = true;
	return 0;
}

static int stop_named(void **state)
{
	struct ctui_error err = { 0 };
	struct output out;

	(void)state;
	if (!live.ready)
		return 0;
	free(live.cfg.tsig_key_file);
	return run_shell(&out, &err, "ctui_test_stop_bind %s", live.dir) < 0 ? -1 : 0;
}

static void require_live(void)
{
	if (!live.ready)
		skip();
}

/* The CNAME target of NAME as the test named serves it, "" when none. */
static void dig_cname(const char *name, struct output *out)
{
	struct ctui_error err = { 0 };

	assert_int_equal(run_shell(out, &err, "dig @127.0.0.1 -p %u +short +time=2 +tries=1 %s CNAME",
				   live.port, name),
			 0);
}

static void live_add_serves_cname(void **state)
{
	struct ctui_error err = { 0 };
	struct output out;

	(void)state;
	require_live();
	assert_int_equal(ctui_dns_add_site(&live.cfg, "web." ZONE, CTUI_RECORD_CNAME, &err), 0);
	dig_cname("web." ZONE, &out);
	assert_string_equal(out.text, ZONE ".\n");
}

static void live_add_twice_is_eexist(void **state)
{
	struct ctui_error err = { 0 };

	(void)state;
	require_live();
	assert_int_equal(ctui_dns_add_site(&live.cfg, "twice." ZONE, CTUI_RECORD_CNAME, &err), 0);
	assert_int_equal(ctui_dns_add_site(&live.cfg, "twice." ZONE, CTUI_RECORD_CNAME, &err), -1);
	assert_int_equal(err.code, EEXIST);
	assert_string_equal(err.message, "add DNS record for twice." ZONE ": the name \"twice." ZONE
			    "\" already has records in the zone");
}

static void live_add_over_apex_records(void **state)
{
	struct ctui_error err = { 0 };

	(void)state;
	require_live();
	/* ns.ZONE has A and AAAA records in the zone file. */
	assert_int_equal(ctui_dns_add_site(&live.cfg, "ns." ZONE, CTUI_RECORD_CNAME, &err), -1);
	assert_int_equal(err.code, EEXIST);
}

static void live_remove_keeps_other(void **state)
{
	struct ctui_error err = { 0 };
	struct output out;

	(void)state;
	require_live();
	assert_int_equal(ctui_dns_add_site(&live.cfg, "keep." ZONE, CTUI_RECORD_CNAME, &err), 0);
	assert_int_equal(ctui_dns_add_site(&live.cfg, "gone." ZONE, CTUI_RECORD_CNAME, &err), 0);

	assert_int_equal(ctui_dns_remove_site(&live.cfg, "gone." ZONE, &err), 0);
	dig_cname("gone." ZONE, &out);
	assert_string_equal(out.text, "");
	dig_cname("keep." ZONE, &out);
	assert_string_equal(out.text, ZONE ".\n");

	/* Removing a record that is gone is not an error. */
	assert_int_equal(ctui_dns_remove_site(&live.cfg, "gone." ZONE, &err), 0);
}

/* The records of NAME and TYPE as the test named serves them. */
static void dig_records(const char *name, const char *type, struct output *out)
{
	struct ctui_error err = { 0 };

	assert_int_equal(run_shell(out, &err, "dig @127.0.0.1 -p %u +short +time=2 +tries=1 %s %s | sort",
				   live.port, name, type),
			 0);
}

static void live_address_records(void **state)
{
	char v4[] = "192.0.2.10", v6[] = "2001:db8::10";
	struct ctui_config cfg = live.cfg;
	struct ctui_error err = { 0 };
	struct output out;

	(void)state;
	require_live();
	cfg.public_ipv4 = v4;
	cfg.public_ipv6 = v6;
	if (ctui_dns_add_site(&cfg, "addr." ZONE, CTUI_RECORD_ADDRESS, &err) < 0)
		fail_msg("%s", err.message);
	dig_records("addr." ZONE, "A", &out);
	assert_string_equal(out.text, "192.0.2.10\n");
	dig_records("addr." ZONE, "AAAA", &out);
	assert_string_equal(out.text, "2001:db8::10\n");

	assert_int_equal(ctui_dns_remove_site(&cfg, "addr." ZONE, &err), 0);
	dig_records("addr." ZONE, "A", &out);
	assert_string_equal(out.text, "");
	dig_records("addr." ZONE, "AAAA", &out);
	assert_string_equal(out.text, "");
}

static void live_acme_txt_values_independent(void **state)
{
	struct ctui_error err = { 0 };
	struct output out;

	(void)state;
	require_live();
	assert_int_equal(ctui_dns_acme_challenge(&live.cfg, ZONE, "first", true, &err), 0);
	assert_int_equal(ctui_dns_acme_challenge(&live.cfg, ZONE, "second", true, &err), 0);
	dig_records("_acme-challenge." ZONE, "TXT", &out);
	assert_string_equal(out.text, "\"first\"\n\"second\"\n");

	assert_int_equal(ctui_dns_acme_challenge(&live.cfg, ZONE, "first", false, &err), 0);
	dig_records("_acme-challenge." ZONE, "TXT", &out);
	assert_string_equal(out.text, "\"second\"\n");
	assert_int_equal(ctui_dns_acme_challenge(&live.cfg, ZONE, "second", false, &err), 0);
	dig_records("_acme-challenge." ZONE, "TXT", &out);
	assert_string_equal(out.text, "");
}

static void acme_challenge_guards(void **state)
{
	struct ctui_config cfg = { .zone = live_zone };
	struct ctui_error err = { 0 };

	(void)state;
	assert_int_equal(ctui_dns_acme_challenge(&cfg, "example.org", "tok", true, &err), -1);
	assert_string_equal(err.message, "example.org is outside zone " ZONE ": its dns-01 "
					 "challenge cannot be answered here");
	assert_int_equal(ctui_dns_acme_challenge(&cfg, ZONE, "a\"b", true, &err), -1);
	assert_string_equal(err.message, "invalid dns-01 token \"a\"b\": expected 1 to 255 of "
					 "A-Z, a-z, 0-9, '-' and '_'");
	assert_int_equal(ctui_dns_acme_challenge(&cfg, ZONE, "", true, &err), -1);
}

static void live_apex_and_outside_untouched(void **state)
{
	struct ctui_config cfg = live.cfg;
	struct ctui_error err = { 0 };
	struct output out;

	(void)state;
	require_live();
	/* No key file: any attempt to send an update would fail. */
	cfg.tsig_key_file = missing_key;
	assert_int_equal(ctui_dns_add_site(&cfg, "web.other.test", CTUI_RECORD_CNAME, &err), 0);
	assert_int_equal(ctui_dns_add_site(&cfg, "web.x" ZONE, CTUI_RECORD_CNAME, &err), 0);
	assert_int_equal(ctui_dns_add_site(&cfg, ZONE, CTUI_RECORD_CNAME, &err), 0);
	assert_int_equal(ctui_dns_remove_site(&cfg, ZONE, &err), 0);

	assert_int_equal(run_shell(&out, &err, "dig @127.0.0.1 -p %u +short %s A", live.port, ZONE),
			 0);
	assert_string_equal(out.text, "127.0.0.1\n");
}

static void live_wrong_secret_rejected(void **state)
{
	struct ctui_config cfg = live.cfg;
	cleanup_free char *path = xasprintf("%s/wrong-secret.key", scratch);
	struct ctui_error err = { 0 };
	struct output out;

	(void)state;
	require_live();
	assert_int_equal(run_shell(&out, &err, "tsig-keygen -a hmac-sha256 %s > %s", KEYNAME, path),
			 0);
	cfg.tsig_key_file = path;
	assert_int_equal(ctui_dns_add_site(&cfg, "intruder." ZONE, CTUI_RECORD_CNAME, &err), -1);
	assert_int_equal(err.code, EACCES);
	assert_non_null(strstr(err.message, "rejected TSIG key \"" KEYNAME "\" (BADSIG)"));
	assert_non_null(strstr(err.message, path));

	dig_cname("intruder." ZONE, &out);
	assert_string_equal(out.text, "");
}

static void live_unknown_key_rejected(void **state)
{
	struct ctui_config cfg = live.cfg;
	cleanup_free char *path = xasprintf("%s/unknown.key", scratch);
	struct ctui_error err = { 0 };
	struct output out;

	(void)state;
	require_live();
	assert_int_equal(run_shell(&out, &err, "tsig-keygen -a hmac-sha256 other-key > %s", path),
			 0);
	cfg.tsig_key_file = path;
	assert_int_equal(ctui_dns_add_site(&cfg, "intruder." ZONE, CTUI_RECORD_CNAME, &err), -1);
	assert_int_equal(err.code, EACCES);
	assert_non_null(strstr(err.message, "rejected TSIG key \"other-key\" (BADKEY)"));
}

static void live_ipv6_server(void **state)
{
	struct ctui_config cfg = live.cfg;
	struct ctui_error err = { 0 };
	struct output out;

	(void)state;
	require_live();
	cfg.dns_server = server_ipv6;
	assert_int_equal(ctui_dns_add_site(&cfg, "six." ZONE, CTUI_RECORD_CNAME, &err), 0);
	dig_cname("six." ZONE, &out);
	assert_string_equal(out.text, ZONE ".\n");
}

static void live_zone_file_still_valid(void **state)
{
	struct ctui_error err = { 0 };
	struct output out;

	(void)state;
	require_live();
	/* -j applies the journal named wrote for the updates. */
	assert_int_equal(run_shell(&out, &err, "named-checkzone -j %s %s/db.%s", ZONE, live.dir,
				   ZONE),
			 0);
	assert_non_null(strstr(out.text, "OK"));
}

static void live_stopped_server_fails_fast(void **state)
{
	struct ctui_config cfg = live.cfg;
	struct ctui_error err = { 0 };
	struct output out;
	struct timespec start, end;
	cleanup_free char *where = NULL;

	(void)state;
	require_live();
	assert_int_equal(run_shell(&out, &err, "ctui_test_free_port"), 0);
	cfg.dns_port = (unsigned)strtoul(out.text, NULL, 10);
	where = xasprintf("cannot connect to BIND at 127.0.0.1 port %u", cfg.dns_port);

	clock_gettime(CLOCK_MONOTONIC, &start);
	assert_int_equal(ctui_dns_add_site(&cfg, "web." ZONE, CTUI_RECORD_CNAME, &err), -1);
	clock_gettime(CLOCK_MONOTONIC, &end);

	assert_int_equal(err.code, ECONNREFUSED);
	assert_non_null(strstr(err.message, where));
	assert_non_null(strstr(err.message, "Connection refused"));
	assert_true(end.tv_sec - start.tv_sec < 3);
}

/* A listening socket on a free loopback port; *PORT receives its number. */
static int listen_loopback(unsigned *port)
{
	struct sockaddr_in addr = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t len = sizeof addr;
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	assert_true(fd >= 0);
	assert_int_equal(bind(fd, (struct sockaddr *)&addr, sizeof addr), 0);
	assert_int_equal(listen(fd, 4), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&addr, &len), 0);
	*port = ntohs(addr.sin_port);
	return fd;
}

static void live_silent_server_times_out(void **state)
{
	struct ctui_config cfg = live.cfg;
	struct ctui_error err = { 0 };
	struct timespec start, end;
	int fd;

	(void)state;
	require_live();
	/* The kernel completes the handshake, but nothing ever reads the query. */
	fd = listen_loopback(&cfg.dns_port);

	clock_gettime(CLOCK_MONOTONIC, &start);
	assert_int_equal(ctui_dns_add_site(&cfg, "web." ZONE, CTUI_RECORD_CNAME, &err), -1);
	clock_gettime(CLOCK_MONOTONIC, &end);
	close(fd);

	assert_int_equal(err.code, ETIMEDOUT);
	assert_non_null(strstr(err.message, "timed out after 5 s waiting for BIND"));
	assert_true(end.tv_sec - start.tv_sec >= 4 && end.tv_sec - start.tv_sec < 8);
}

/* Responds to one update with NOERROR and no TSIG. BIND signs its responses
 * to correctly signed updates, so this fault needs a stand-in server. */
static void answer_unsigned(int listen_fd)
{
	uint8_t prefix[2], wire[4096], *answer = NULL;
	size_t len, answer_len = 0;
	ldns_pkt *pkt = NULL;
	int fd = accept(listen_fd, NULL, NULL);

	if (fd < 0 || recv(fd, prefix, 2, MSG_WAITALL) != 2)
		_exit(1);
	len = (size_t)prefix[0] << 8 | prefix[1];
	if (len > sizeof wire || recv(fd, wire, len, MSG_WAITALL) != (ssize_t)len)
		_exit(1);
	if (ldns_wire2pkt(&pkt, wire, len) != LDNS_STATUS_OK)
		_exit(1);

	ldns_pkt_set_qr(pkt, true);
	ldns_rr_free(ldns_pkt_tsig(pkt));
	ldns_pkt_set_tsig(pkt, NULL);
	if (ldns_pkt2wire(&answer, pkt, &answer_len) != LDNS_STATUS_OK)
		_exit(1);
	prefix[0] = (uint8_t)(answer_len >> 8);
	prefix[1] = (uint8_t)answer_len;
	if (send(fd, prefix, 2, 0) != 2 || send(fd, answer, answer_len, 0) != (ssize_t)answer_len)
		_exit(1);
	_exit(0);
}

static void live_unsigned_answer_rejected(void **state)
{
	struct ctui_config cfg = live.cfg;
	struct ctui_error err = { 0 };
	int fd, status;
	pid_t pid;

	(void)state;
	require_live();
	fd = listen_loopback(&cfg.dns_port);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0)
		answer_unsigned(fd);
	close(fd);

	assert_int_equal(ctui_dns_add_site(&cfg, "web." ZONE, CTUI_RECORD_CNAME, &err), -1);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	assert_int_equal(err.code, EACCES);
	assert_non_null(strstr(err.message, "failed TSIG verification"));
}

int main(void)
{
	const struct CMUnitTest offline[] = {
		cmocka_unit_test(key_load_good),
		cmocka_unit_test(key_load_tsig_keygen_output),
		cmocka_unit_test(key_load_missing_secret),
		cmocka_unit_test(key_load_garbage),
		cmocka_unit_test(key_load_truncated),
		cmocka_unit_test(key_load_bad_values),
		cmocka_unit_test(in_zone_labelwise),
		cmocka_unit_test(build_add_update),
		cmocka_unit_test(build_remove_update),
		cmocka_unit_test(build_address_update),
		cmocka_unit_test(build_address_needs_one),
		cmocka_unit_test(build_txt_updates),
		cmocka_unit_test(owner_records_text),
		cmocka_unit_test(build_signs_every_algorithm),
		cmocka_unit_test(build_rejects_bad_domain),
	};
	const struct CMUnitTest with_named[] = {
		cmocka_unit_test(live_add_serves_cname),
		cmocka_unit_test(live_add_twice_is_eexist),
		cmocka_unit_test(live_add_over_apex_records),
		cmocka_unit_test(live_remove_keeps_other),
		cmocka_unit_test(live_address_records),
		cmocka_unit_test(live_acme_txt_values_independent),
		cmocka_unit_test(acme_challenge_guards),
		cmocka_unit_test(live_apex_and_outside_untouched),
		cmocka_unit_test(live_wrong_secret_rejected),
		cmocka_unit_test(live_unknown_key_rejected),
		cmocka_unit_test(live_ipv6_server),
		cmocka_unit_test(live_zone_file_still_valid),
		cmocka_unit_test(live_stopped_server_fails_fast),
		cmocka_unit_test(live_silent_server_times_out),
		cmocka_unit_test(live_unsigned_answer_rejected),
	};
	int failed;

	if (make_scratch(NULL) < 0) {
		perror("mkdtemp");
		return 1;
	}
	failed = cmocka_run_group_tests_name("dns offline", offline, NULL, NULL);
	failed += cmocka_run_group_tests_name("dns with named", with_named, start_named, stop_named);
	remove_scratch(NULL);
	return failed ? 1 : 0;
}
