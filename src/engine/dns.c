#include "engine/dns.h"

#include <errno.h>
#include <netdb.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <ldns/ldns.h>

#include "util/fs.h"
#include "util/util.h"

/* Seconds to wait for BIND to accept the connection and send its response. */
#define DNS_TIMEOUT 5
/* The TTL of dns-01 TXT records: short, because each one lives only until
 * the ACME server has checked it. */
#define ACME_TXT_TTL 60
/* Allowed clock difference between ctui and BIND for the TSIG time check. */
#define TSIG_FUDGE 300

/* ---- Key files ---------------------------------------------------------- */

enum token_kind {
	TOKEN_END,
	TOKEN_WORD,
	TOKEN_STRING,
	TOKEN_PUNCT,   /* one of { } ; */
};

struct key_parser {
	const char *path;
	const char *pos;
	unsigned line;
	enum token_kind kind;
	char text[512];
};

static void skip_blanks_and_comments(struct key_parser *p)
{
	for (;;) {
		if (*p->pos == '\n')
			p->line++;
		if (*p->pos == ' ' || *p->pos == '\t' || *p->pos == '\r' || *p->pos == '\n') {
			p->pos++;
		} else if (*p->pos == '#' || (p->pos[0] == '/' && p->pos[1] == '/')) {
			while (*p->pos && *p->pos != '\n')
				p->pos++;
		} else if (p->pos[0] == '/' && p->pos[1] == '*') {
			p->pos += 2;
			while (*p->pos && !(p->pos[0] == '*' && p->pos[1] == '/')) {
				if (*p->pos == '\n')
					p->line++;
				p->pos++;
			}
			if (*p->pos)
				p->pos += 2;
		} else {
			return;
		}
	}
}

static int parse_error(struct key_parser *p, struct ctui_error *err, const char *expected)
{
	const char *found = p->kind == TOKEN_END ? _("the end of the file") : p->text;

	return ctui_error_set(err, EINVAL,
			      _("%s, line %u: expected %s, found \"%s\": write the file with "
				"tsig-keygen -a hmac-sha256 NAME"),
			      p->path, p->line, expected, found);
}

/* Reads the next token of named.conf syntax into P->kind and P->text. */
static int next_token(struct key_parser *p, struct ctui_error *err)
{
	size_t len = 0;

	skip_blanks_and_comments(p);
	if (!*p->pos) {
		p->kind = TOKEN_END;
		p->text[0] = '\0';
		return 0;
	}

	if (strchr("{};", *p->pos)) {
		p->kind = TOKEN_PUNCT;
		p->text[0] = *p->pos++;
		p->text[1] = '\0';
		return 0;
	}

	if (*p->pos == '"') {
		p->kind = TOKEN_STRING;
		p->pos++;
		while (*p->pos && *p->pos != '"' && *p->pos != '\n' && len < sizeof p->text - 1)
			p->text[len++] = *p->pos++;
		p->text[len] = '\0';
		if (*p->pos != '"')
			return ctui_error_set(err, EINVAL, _("%s, line %u: unterminated or too long string"),
					      p->path, p->line);
		p->pos++;
		return 0;
	}

	p->kind = TOKEN_WORD;
	while (*p->pos && !strchr(" \t\r\n{};\"", *p->pos) && len < sizeof p->text - 1)
		p->text[len++] = *p->pos++;
	p->text[len] = '\0';
	return 0;
}

static int expect_punct(struct key_parser *p, char punct, struct ctui_error *err)
{
	char expected[8];

	if (next_token(p, err) < 0)
		return -1;
	if (p->kind != TOKEN_PUNCT || p->text[0] != punct) {
		snprintf(expected, sizeof expected, "\"%c\"", punct);
		return parse_error(p, err, expected);
	}
	return 0;
}

/* Reads the value of a statement such as `secret "..." ;` into OUT. */
static int read_value(struct key_parser *p, char *out, size_t size, struct ctui_error *err)
{
	if (next_token(p, err) < 0)
		return -1;
	if (p->kind != TOKEN_WORD && p->kind != TOKEN_STRING)
		return parse_error(p, err, _("a value"));
	if (strlen(p->text) >= size)
		return ctui_error_set(err, EINVAL, _("%s, line %u: value \"%.40s...\" is too long"),
				      p->path, p->line, p->text);
	strcpy(out, p->text);
	return expect_punct(p, ';', err);
}

static bool is_base64(const char *text)
{
	size_t len = strlen(text), padding = 0;

	if (len == 0 || len % 4 != 0)
		return false;
	while (padding < 2 && text[len - 1 - padding] == '=')
		padding++;
	for (size_t i = 0; i < len - padding; i++) {
		char c = text[i];

		if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		      c == '+' || c == '/'))
			return false;
	}
	return true;
}

/* The TSIG algorithms ldns 1.8.3 signs with: it lacks hmac-sha224 and
 * hmac-sha384, which BIND also offers. */
static const char *const tsig_algorithms[] = {
	"hmac-md5", "hmac-sha1", "hmac-sha256", "hmac-sha512",
};

static bool is_known_algorithm(const char *name)
{
	for (size_t i = 0; i < sizeof tsig_algorithms / sizeof tsig_algorithms[0]; i++) {
		if (!strcasecmp(name, tsig_algorithms[i]))
			return true;
	}
	return false;
}

static int check_key(const char *path, const struct ctui_tsig_key *key, struct ctui_error *err)
{
	if (!key->algorithm[0])
		return ctui_error_set(err, EINVAL, _("%s: key \"%s\" has no algorithm statement"),
				      path, key->name);
	if (!is_known_algorithm(key->algorithm))
		return ctui_error_set(err, EINVAL,
				      _("%s: unsupported algorithm \"%s\": use hmac-sha256"), path,
				      key->algorithm);
	if (!key->secret[0])
		return ctui_error_set(err, EINVAL, _("%s: key \"%s\" has no secret statement"),
				      path, key->name);
	if (!is_base64(key->secret))
		return ctui_error_set(err, EINVAL, _("%s: the secret of key \"%s\" is not valid base64"),
				      path, key->name);
	return 0;
}

static int parse_key_body(struct key_parser *p, struct ctui_tsig_key *key, struct ctui_error *err)
{
	for (;;) {
		if (next_token(p, err) < 0)
			return -1;
		if (p->kind == TOKEN_PUNCT && p->text[0] == '}')
			return expect_punct(p, ';', err);

		if (p->kind == TOKEN_WORD && !strcmp(p->text, "algorithm")) {
			if (read_value(p, key->algorithm, sizeof key->algorithm, err) < 0)
				return -1;
		} else if (p->kind == TOKEN_WORD && !strcmp(p->text, "secret")) {
			if (read_value(p, key->secret, sizeof key->secret, err) < 0)
				return -1;
		} else {
			return parse_error(p, err, _("\"algorithm\", \"secret\" or \"}\""));
		}
	}
}

static int parse_key(struct key_parser *p, struct ctui_tsig_key *key, struct ctui_error *err)
{
	if (next_token(p, err) < 0)
		return -1;
	if (p->kind != TOKEN_WORD || strcmp(p->text, "key") != 0)
		return parse_error(p, err, _("\"key\""));

	if (next_token(p, err) < 0)
		return -1;
	if ((p->kind != TOKEN_WORD && p->kind != TOKEN_STRING) || !p->text[0])
		return parse_error(p, err, _("the key name"));
	if (strlen(p->text) >= sizeof key->name)
		return ctui_error_set(err, EINVAL, _("%s, line %u: the key name is too long"),
				      p->path, p->line);
	strcpy(key->name, p->text);

	if (expect_punct(p, '{', err) < 0 || parse_key_body(p, key, err) < 0)
		return -1;

	if (next_token(p, err) < 0)
		return -1;
	if (p->kind != TOKEN_END)
		return parse_error(p, err, _("the end of the file after the first key"));
	return 0;
}

int ctui_tsig_key_load(const char *path, struct ctui_tsig_key *key, struct ctui_error *err)
{
	cleanup_free char *text = NULL;
	struct key_parser parser = { .path = path, .line = 1 };

	memset(key, 0, sizeof *key);
	if (ctui_read_file(path, &text, NULL, err) < 0)
		return ctui_error_prefix(err, _("read TSIG key"));

	parser.pos = text;
	if (parse_key(&parser, key, err) < 0 || check_key(path, key, err) < 0) {
		memset(key, 0, sizeof *key);
		return -1;
	}
	return 0;
}

/* ---- Zones -------------------------------------------------------------- */

bool ctui_dns_in_zone(const char *domain, const char *zone)
{
	size_t domain_len = strlen(domain), zone_len = strlen(zone);

	if (zone_len == 0 || domain_len < zone_len)
		return false;
	if (strcasecmp(domain + domain_len - zone_len, zone) != 0)
		return false;
	return domain_len == zone_len || domain[domain_len - zone_len - 1] == '.';
}

/* The apex already has the host's A and AAAA records and cannot take a
 * CNAME, so only names strictly below the zone get a record. */
static bool needs_record(const char *domain, const char *zone)
{
	return ctui_dns_in_zone(domain, zone) && strcasecmp(domain, zone) != 0;
}

/* ---- Update messages ---------------------------------------------------- */

/* The name of ALGORITHM as ldns's TSIG code looks it up. */
static const char *ldns_algorithm_name(const char *algorithm)
{
	return strcasecmp(algorithm, "hmac-md5") == 0 ? "hmac-md5.sig-alg.reg.int." : NULL;
}

static ldns_rr *new_rr(ldns_rdf *owner, ldns_rr_type type, ldns_rr_class rr_class, uint32_t ttl)
{
	ldns_rr *rr = ldns_rr_new();

	ldns_rr_set_owner(rr, owner);
	ldns_rr_set_type(rr, type);
	ldns_rr_set_class(rr, rr_class);
	ldns_rr_set_ttl(rr, ttl);
	return rr;
}

static int push_rdata_rr(ldns_rr_list *list, const char *owner_name, ldns_rr_type type,
			 ldns_rr_class rr_class, uint32_t ttl, ldns_rdf_type rdf_type,
			 const char *data, struct ctui_error *err)
{
	ldns_rdf *owner = ldns_dname_new_frm_str(owner_name);
	ldns_rdf *rdf = rdf_type == LDNS_RDF_TYPE_DNAME ? ldns_dname_new_frm_str(data) :
			ldns_rdf_new_frm_str(rdf_type, data);
	ldns_rr *rr;

	if (!owner || !rdf) {
		ldns_rdf_deep_free(owner);
		ldns_rdf_deep_free(rdf);
		return ctui_error_set(err, EINVAL, _("invalid record data \"%s\" for \"%s\""), data,
				      owner_name);
	}
	rr = new_rr(owner, type, rr_class, ttl);
	ldns_rr_push_rdf(rr, rdf);
	ldns_rr_list_push_rr(list, rr);
	return 0;
}

/* RFC 2136 2.5.2: class ANY, type TYPE, no data deletes that RRset and
 * leaves the name's other records alone. */
static void push_delete_rrset(ldns_rr_list *updates, ldns_rdf *owner, ldns_rr_type type)
{
	ldns_rr_list_push_rr(updates, new_rr(ldns_rdf_clone(owner), type, LDNS_RR_CLASS_ANY, 0));
}

static int fill_add_site(const struct ctui_dns_change *change, ldns_rdf *owner,
			 ldns_rr_list *prerequisites, ldns_rr_list *updates,
			 struct ctui_error *err)
{
	/* RFC 2136 2.4.5 "Name Is Not In Use": class NONE, type ANY. */
	ldns_rr_list_push_rr(prerequisites, new_rr(ldns_rdf_clone(owner), LDNS_RR_TYPE_ANY,
						   LDNS_RR_CLASS_NONE, 0));

	if (change->kind == CTUI_RECORD_CNAME)
		return push_rdata_rr(updates, change->name, LDNS_RR_TYPE_CNAME, LDNS_RR_CLASS_IN,
				     change->ttl, LDNS_RDF_TYPE_DNAME, change->target, err);

	if (!change->ipv4[0] && !change->ipv6[0])
		return ctui_error_set(err, EINVAL, _("no address for the A and AAAA records of %s: "
						     "set [host] ipv4 or ipv6 in the configuration"),
				      change->name);
	if (change->ipv4[0] &&
	    push_rdata_rr(updates, change->name, LDNS_RR_TYPE_A, LDNS_RR_CLASS_IN, change->ttl,
			  LDNS_RDF_TYPE_A, change->ipv4, err) < 0)
		return -1;
	if (change->ipv6[0] &&
	    push_rdata_rr(updates, change->name, LDNS_RR_TYPE_AAAA, LDNS_RR_CLASS_IN, change->ttl,
			  LDNS_RDF_TYPE_AAAA, change->ipv6, err) < 0)
		return -1;
	return 0;
}

/* Fills PREREQUISITES and UPDATES for CHANGE. */
static int fill_sections(const struct ctui_dns_change *change, ldns_rr_list *prerequisites,
			 ldns_rr_list *updates, struct ctui_error *err)
{
	ldns_rdf *owner = ldns_dname_new_frm_str(change->name);
	int ret = 0;

	if (!owner)
		return ctui_error_set(err, EINVAL, _("invalid domain name \"%s\""), change->name);

	switch (change->op) {
	case CTUI_DNS_ADD_SITE:
		ret = fill_add_site(change, owner, prerequisites, updates, err);
		break;
	case CTUI_DNS_REMOVE_SITE:
		push_delete_rrset(updates, owner, LDNS_RR_TYPE_CNAME);
		push_delete_rrset(updates, owner, LDNS_RR_TYPE_A);
		push_delete_rrset(updates, owner, LDNS_RR_TYPE_AAAA);
		break;
	case CTUI_DNS_ADD_TXT:
		ret = push_rdata_rr(updates, change->name, LDNS_RR_TYPE_TXT, LDNS_RR_CLASS_IN,
				    change->ttl, LDNS_RDF_TYPE_STR, change->text, err);
		break;
	case CTUI_DNS_REMOVE_TXT:
		/* RFC 2136 2.5.4: class NONE deletes this one RR, so the other
		 * TXT values of the same name (the apex and the wildcard share
		 * one) stay. */
		ret = push_rdata_rr(updates, change->name, LDNS_RR_TYPE_TXT, LDNS_RR_CLASS_NONE, 0,
				    LDNS_RDF_TYPE_STR, change->text, err);
		break;
	}
	ldns_rdf_deep_free(owner);
	return ret;
}

static int sign_update(ldns_pkt *pkt, const struct ctui_tsig_key *key, struct ctui_error *err)
{
	const char *algorithm = ldns_algorithm_name(key->algorithm);
	cleanup_free char *dotted = NULL;
	ldns_status status;

	if (!algorithm)
		algorithm = dotted = xasprintf("%s.", key->algorithm);

	status = ldns_pkt_tsig_sign(pkt, key->name, key->secret, TSIG_FUDGE, algorithm, NULL);
	if (status != LDNS_STATUS_OK)
		return ctui_error_set(err, EINVAL, _("cannot sign the update with TSIG key \"%s\": %s"),
				      key->name, ldns_get_errorstr_by_id(status));
	return 0;
}

/* Builds and signs the update message into *PKT. */
static int build_update_pkt(const char *zone, const struct ctui_dns_change *change,
			    const struct ctui_tsig_key *key, ldns_pkt **pkt, struct ctui_error *err)
{
	ldns_rr_list *prerequisites = ldns_rr_list_new();
	ldns_rr_list *updates = ldns_rr_list_new();
	ldns_rdf *zone_rdf = ldns_dname_new_frm_str(zone);
	ldns_pkt *update = NULL;
	int ret = -1;

	if (!zone_rdf) {
		ctui_error_set(err, EINVAL, _("invalid zone name \"%s\""), zone);
		goto out;
	}
	if (fill_sections(change, prerequisites, updates, err) < 0) {
		ldns_rdf_deep_free(zone_rdf);
		goto out;
	}

	/* ldns_update_pkt_new takes ZONE_RDF and copies the lists. */
	update = ldns_update_pkt_new(zone_rdf, LDNS_RR_CLASS_IN, prerequisites, updates, NULL);
	if (!update) {
		ctui_error_set(err, ENOMEM, _("cannot build the DNS update for \"%s\""), change->name);
		goto out;
	}
	/* RFC 2136 has no RD bit in updates (those header bits must be zero),
	 * but ldns builds the message with its query constructor, which sets it. */
	ldns_pkt_set_rd(update, false);
	ldns_pkt_set_random_id(update);

	if (sign_update(update, key, err) < 0) {
		ldns_pkt_free(update);
		goto out;
	}
	*pkt = update;
	ret = 0;
out:
	ldns_rr_list_deep_free(prerequisites);
	ldns_rr_list_deep_free(updates);
	return ret;
}

int ctui_dns_build_update(const char *zone, const struct ctui_dns_change *change,
			  const struct ctui_tsig_key *key, unsigned char **wire, size_t *len,
			  struct ctui_error *err)
{
	ldns_pkt *pkt = NULL;
	ldns_status status;
	uint8_t *data = NULL;

	if (build_update_pkt(zone, change, key, &pkt, err) < 0)
		return -1;

	status = ldns_pkt2wire(&data, pkt, len);
	ldns_pkt_free(pkt);
	if (status != LDNS_STATUS_OK)
		return ctui_error_set(err, EINVAL, _("cannot encode the DNS update for \"%s\": %s"),
				      change->name, ldns_get_errorstr_by_id(status));

	/* ldns allocates with malloc (LDNS_XMALLOC), so free() releases it. */
	*wire = data;
	return 0;
}

/* ---- Sending ------------------------------------------------------------ */

/* The exchange is done here rather than with ldns_send(), which reports
 * every socket failure as "General LDNS error", because a refused connection
 * and a silent server need different advice. It uses TCP so that a server
 * that is down refuses the connection at once, where UDP would wait for the
 * timeout. */

struct exchange {
	const struct ctui_config *cfg;
	int fd;
	struct timespec deadline;
};

static int server_address(const struct ctui_config *cfg, struct sockaddr_storage *addr,
			  socklen_t *len, struct ctui_error *err)
{
	struct addrinfo hints = {
		.ai_flags = AI_NUMERICHOST | AI_NUMERICSERV,
		.ai_socktype = SOCK_STREAM,
	};
	struct addrinfo *found;
	char port[16];

	snprintf(port, sizeof port, "%u", cfg->dns_port);
	if (getaddrinfo(cfg->dns_server, port, &hints, &found) != 0)
		return ctui_error_set(err, EINVAL,
				      _("invalid DNS server \"%s\": [dns] server must be an IPv4 or "
					"IPv6 address"),
				      cfg->dns_server);
	memcpy(addr, found->ai_addr, found->ai_addrlen);
	*len = found->ai_addrlen;
	freeaddrinfo(found);
	return 0;
}

/* Waits until the socket is ready for EVENTS; fails with ETIMEDOUT at the
 * deadline. */
static int wait_ready(struct exchange *x, short events, struct ctui_error *err)
{
	struct pollfd pfd = { .fd = x->fd, .events = events };
	struct timespec now;
	long remaining_ms;
	int ready;

	do {
		clock_gettime(CLOCK_MONOTONIC, &now);
		remaining_ms = (x->deadline.tv_sec - now.tv_sec) * 1000 +
			       (x->deadline.tv_nsec - now.tv_nsec) / 1000000;
		if (remaining_ms <= 0)
			return ctui_error_set(err, ETIMEDOUT,
					      _("timed out after %d s waiting for BIND at %s port %u: "
						"check that named runs and is not overloaded"),
					      DNS_TIMEOUT, x->cfg->dns_server, x->cfg->dns_port);
		ready = poll(&pfd, 1, (int)remaining_ms);
	} while (ready == 0 || (ready < 0 && errno == EINTR));

	if (ready < 0)
		return ctui_error_errno(err, errno, _("cannot wait for BIND at %s port %u"),
					x->cfg->dns_server, x->cfg->dns_port);
	return 0;
}

static int connect_server(struct exchange *x, struct ctui_error *err)
{
	struct sockaddr_storage addr;
	socklen_t addr_len = 0, opt_len = sizeof(int);
	int so_error = 0;

	if (server_address(x->cfg, &addr, &addr_len, err) < 0)
		return -1;

	x->fd = socket(addr.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (x->fd < 0)
		return ctui_error_errno(err, errno, _("cannot create a socket"));

	if (connect(x->fd, (struct sockaddr *)&addr, addr_len) < 0) {
		if (errno != EINPROGRESS)
			so_error = errno;
		else if (wait_ready(x, POLLOUT, err) < 0)
			return -1;
		else
			getsockopt(x->fd, SOL_SOCKET, SO_ERROR, &so_error, &opt_len);
	}
	if (so_error)
		return ctui_error_errno(err, so_error,
					_("cannot connect to BIND at %s port %u (check that named "
					  "runs and listens there)"),
					x->cfg->dns_server, x->cfg->dns_port);
	return 0;
}

static int send_all(struct exchange *x, const uint8_t *data, size_t len, struct ctui_error *err)
{
	while (len > 0) {
		ssize_t n = send(x->fd, data, len, MSG_NOSIGNAL);

		if (n < 0 && (errno == EAGAIN || errno == EINTR)) {
			if (wait_ready(x, POLLOUT, err) < 0)
				return -1;
			continue;
		}
		if (n < 0)
			return ctui_error_errno(err, errno, _("cannot send the update to BIND at %s port %u"),
						x->cfg->dns_server, x->cfg->dns_port);
		data += n;
		len -= (size_t)n;
	}
	return 0;
}

static int receive_all(struct exchange *x, uint8_t *data, size_t len, struct ctui_error *err)
{
	while (len > 0) {
		ssize_t n;

		if (wait_ready(x, POLLIN, err) < 0)
			return -1;
		n = recv(x->fd, data, len, 0);
		if (n < 0 && (errno == EAGAIN || errno == EINTR))
			continue;
		if (n < 0)
			return ctui_error_errno(err, errno, _("cannot read the response of BIND at %s port %u"),
						x->cfg->dns_server, x->cfg->dns_port);
		if (n == 0)
			return ctui_error_set(err, ECONNRESET,
					      _("BIND at %s port %u closed the connection without a "
						"response: see its log"),
					      x->cfg->dns_server, x->cfg->dns_port);
		data += n;
		len -= (size_t)n;
	}
	return 0;
}

/* Sends QUERY over TCP (RFC 1035 4.2.2: a two-byte length, then the message)
 * and reads one response into *ANSWER, which the caller frees. */
static int tcp_exchange(const struct ctui_config *cfg, const uint8_t *query, size_t query_len,
			uint8_t **answer, size_t *answer_len, struct ctui_error *err)
{
	struct exchange x = { .cfg = cfg, .fd = -1 };
	uint8_t prefix[2] = { (uint8_t)(query_len >> 8), (uint8_t)query_len };
	cleanup_free uint8_t *data = NULL;
	size_t len;
	int ret = -1;

	clock_gettime(CLOCK_MONOTONIC, &x.deadline);
	x.deadline.tv_sec += DNS_TIMEOUT;

	if (connect_server(&x, err) < 0 || send_all(&x, prefix, 2, err) < 0 ||
	    send_all(&x, query, query_len, err) < 0 || receive_all(&x, prefix, 2, err) < 0)
		goto out;

	len = (size_t)prefix[0] << 8 | prefix[1];
	data = xmalloc(len ? len : 1);
	if (receive_all(&x, data, len, err) < 0)
		goto out;

	*answer = steal_pointer(&data);
	*answer_len = len;
	ret = 0;
out:
	if (x.fd >= 0)
		close(x.fd);
	return ret;
}

/* The TSIG error code BIND put in the response (RFC 8945), 0 when none. */
static unsigned tsig_error(const ldns_pkt *reply)
{
	const ldns_rr *tsig = ldns_pkt_tsig(reply);
	const ldns_rdf *error;

	if (!tsig || ldns_rr_rd_count(tsig) < 6)
		return 0;
	error = ldns_rr_rdf(tsig, 5);
	if (ldns_rdf_get_type(error) != LDNS_RDF_TYPE_INT16)
		return 0;
	return ldns_rdf2native_int16(error);
}

static const char *tsig_error_name(unsigned code)
{
	switch (code) {
	case 16: return "BADSIG";
	case 17: return "BADKEY";
	case 18: return "BADTIME";
	case 22: return "BADTRUNC";
	default: return "unknown TSIG error";
	}
}

static const char *rcode_name(ldns_pkt_rcode rcode)
{
	const ldns_lookup_table *entry = ldns_lookup_by_id(ldns_rcodes, (int)rcode);

	return entry ? entry->name : "unknown";
}

/* Converts an unsuccessful RCODE into an error that names the next step. */
static int rcode_error(const struct ctui_config *cfg, const struct ctui_tsig_key *key,
		       const char *domain, bool add, const ldns_pkt *reply, struct ctui_error *err)
{
	ldns_pkt_rcode rcode = ldns_pkt_get_rcode(reply);
	unsigned tsig = tsig_error(reply);

	if (rcode == LDNS_RCODE_NOTAUTH && tsig)
		return ctui_error_set(err, EACCES,
				      _("BIND at %s port %u rejected TSIG key \"%s\" (%s): check "
					"that %s holds the key named in BIND's allow-update"),
				      cfg->dns_server, cfg->dns_port, key->name,
				      tsig_error_name(tsig), cfg->tsig_key_file);

	switch (rcode) {
	case LDNS_RCODE_YXDOMAIN:
		if (add)
			return ctui_error_set(err, EEXIST,
					      _("the name \"%s\" already has records in the zone"),
					      domain);
		break;
	case LDNS_RCODE_REFUSED:
		return ctui_error_set(err, EACCES,
				      _("BIND at %s port %u refused the update of zone \"%s\" "
					"(REFUSED): check that the zone has allow-update { key "
					"\"%s\"; }"),
				      cfg->dns_server, cfg->dns_port, cfg->zone, key->name);
	case LDNS_RCODE_NOTAUTH:
		return ctui_error_set(err, EACCES,
				      _("BIND at %s port %u is not authoritative for zone \"%s\" "
					"(NOTAUTH): check [dns] zone and server"),
				      cfg->dns_server, cfg->dns_port, cfg->zone);
	case LDNS_RCODE_NOTZONE:
		return ctui_error_set(err, EINVAL,
				      _("\"%s\" is not inside zone \"%s\" as BIND has it (NOTZONE)"),
				      domain, cfg->zone);
	case LDNS_RCODE_SERVFAIL:
		return ctui_error_set(err, EIO,
				      _("BIND at %s port %u failed to apply the update (SERVFAIL): "
					"see its log"),
				      cfg->dns_server, cfg->dns_port);
	case LDNS_RCODE_NOERROR:
	case LDNS_RCODE_FORMERR:
	case LDNS_RCODE_NXDOMAIN:
	case LDNS_RCODE_NOTIMPL:
	case LDNS_RCODE_YXRRSET:
	case LDNS_RCODE_NXRRSET:
		break;
	}
	return ctui_error_set(err, EIO, _("BIND at %s port %u rejected the update for \"%s\": %s"),
			      cfg->dns_server, cfg->dns_port, domain, rcode_name(rcode));
}

/* Parses the response to UPDATE and checks its ID and its TSIG. A response
 * whose TSIG does not verify is still returned, because BIND cannot sign an
 * error response with a key it rejected. */
static int parse_answer(const struct ctui_config *cfg, const struct ctui_tsig_key *key,
			const ldns_pkt *update, uint8_t *wire, size_t len, ldns_pkt **reply,
			bool *verified, struct ctui_error *err)
{
	ldns_rdf *query_mac = ldns_rr_rdf(ldns_pkt_tsig(update), 3);
	ldns_status status = ldns_wire2pkt(reply, wire, len);

	if (status != LDNS_STATUS_OK)
		return ctui_error_set(err, EPROTO, _("invalid response from BIND at %s port %u: %s"),
				      cfg->dns_server, cfg->dns_port, ldns_get_errorstr_by_id(status));
	if (ldns_pkt_id(*reply) != ldns_pkt_id(update)) {
		ldns_pkt_free(*reply);
		*reply = NULL;
		return ctui_error_set(err, EPROTO,
				      _("BIND at %s port %u sent a response with the ID of another "
					"message"),
				      cfg->dns_server, cfg->dns_port);
	}
	*verified = ldns_pkt_tsig_verify(*reply, wire, len, key->name, key->secret, query_mac);
	return 0;
}

static int send_update(const struct ctui_config *cfg, const struct ctui_tsig_key *key,
		       const char *domain, bool add, const ldns_pkt *update, struct ctui_error *err)
{
	cleanup_free uint8_t *query = NULL;
	cleanup_free uint8_t *answer = NULL;
	size_t query_len = 0, answer_len = 0;
	ldns_pkt *reply = NULL;
	bool verified = false;
	int ret = 0;

	if (ldns_pkt2wire(&query, update, &query_len) != LDNS_STATUS_OK)
		return ctui_error_set(err, EINVAL, _("cannot encode the DNS update for \"%s\""),
				      domain);
	if (tcp_exchange(cfg, query, query_len, &answer, &answer_len, err) < 0)
		return -1;
	if (parse_answer(cfg, key, update, answer, answer_len, &reply, &verified, err) < 0)
		return -1;

	if (ldns_pkt_get_rcode(reply) != LDNS_RCODE_NOERROR)
		ret = rcode_error(cfg, key, domain, add, reply, err);
	else if (!verified)
		ret = ctui_error_set(err, EACCES,
				     _("the response of BIND at %s port %u failed TSIG verification: "
				       "the update may or may not have been applied"),
				     cfg->dns_server, cfg->dns_port);
	ldns_pkt_free(reply);
	return ret;
}

static int send_change(const struct ctui_config *cfg, const struct ctui_dns_change *change,
		       struct ctui_error *err)
{
	struct ctui_tsig_key key;
	ldns_pkt *update = NULL;
	int ret;

	if (ctui_tsig_key_load(cfg->tsig_key_file, &key, err) < 0)
		return -1;

	ret = build_update_pkt(cfg->zone, change, &key, &update, err);
	if (ret == 0) {
		ret = send_update(cfg, &key, change->name, change->op == CTUI_DNS_ADD_SITE, update,
				  err);
		ldns_pkt_free(update);
	}
	explicit_bzero(&key, sizeof key);
	return ret;
}

int ctui_dns_add_site(const struct ctui_config *cfg, const char *domain,
		      enum ctui_record_kind kind, struct ctui_error *err)
{
	struct ctui_dns_change change = {
		.op = CTUI_DNS_ADD_SITE,
		.name = domain,
		.kind = kind,
		.target = cfg->zone,
		.ipv4 = cfg->public_ipv4,
		.ipv6 = cfg->public_ipv6,
		.ttl = cfg->dns_ttl,
	};

	if (!needs_record(domain, cfg->zone))
		return 0;
	if (send_change(cfg, &change, err) < 0)
		return ctui_error_prefix(err, _("add DNS record for %s"), domain);
	return 0;
}

int ctui_dns_remove_site(const struct ctui_config *cfg, const char *domain,
			 struct ctui_error *err)
{
	struct ctui_dns_change change = { .op = CTUI_DNS_REMOVE_SITE, .name = domain };

	if (!needs_record(domain, cfg->zone))
		return 0;
	if (send_change(cfg, &change, err) < 0)
		return ctui_error_prefix(err, _("remove DNS record for %s"), domain);
	return 0;
}

/* An ACME dns-01 token is a base64url SHA-256 digest (RFC 8555 8.4): 43
 * characters of A-Z, a-z, 0-9, '-' and '_'. */
static bool is_acme_token(const char *token)
{
	size_t len = strlen(token);

	if (len == 0 || len > 255)
		return false;
	for (const char *c = token; *c; c++) {
		if (!((*c >= 'A' && *c <= 'Z') || (*c >= 'a' && *c <= 'z') ||
		      (*c >= '0' && *c <= '9') || *c == '-' || *c == '_'))
			return false;
	}
	return true;
}

int ctui_dns_acme_challenge(const struct ctui_config *cfg, const char *domain, const char *token,
			    bool add, struct ctui_error *err)
{
	cleanup_free char *name = NULL;
	struct ctui_dns_change change = {
		.op = add ? CTUI_DNS_ADD_TXT : CTUI_DNS_REMOVE_TXT,
		.text = token,
		.ttl = ACME_TXT_TTL,
	};

	if (!ctui_dns_in_zone(domain, cfg->zone))
		return ctui_error_set(err, EINVAL,
				      _("%s is outside zone %s: its dns-01 challenge cannot be "
					"answered here"),
				      domain, cfg->zone);
	if (!is_acme_token(token))
		return ctui_error_set(err, EINVAL,
				      _("invalid dns-01 token \"%.60s\": expected 1 to 255 of "
					"A-Z, a-z, 0-9, '-' and '_'"),
				      token);

	name = xasprintf("_acme-challenge.%s", domain);
	change.name = name;
	if (send_change(cfg, &change, err) < 0)
		return ctui_error_prefix(err, add ? _("add the dns-01 TXT record for %s") :
						    _("remove the dns-01 TXT record for %s"),
					 domain);
	return 0;
}

char *ctui_dns_owner_records(const struct ctui_config *cfg, const char *domain,
			     enum ctui_record_kind kind)
{
	if (ctui_dns_in_zone(domain, cfg->zone))
		return NULL;

	if (kind == CTUI_RECORD_CNAME)
		return xasprintf("%s. CNAME %s.", domain, cfg->zone);
	if (cfg->public_ipv4[0] && cfg->public_ipv6[0])
		return xasprintf("%s. A %s and %s. AAAA %s", domain, cfg->public_ipv4, domain,
				 cfg->public_ipv6);
	if (cfg->public_ipv4[0])
		return xasprintf("%s. A %s", domain, cfg->public_ipv4);
	if (cfg->public_ipv6[0])
		return xasprintf("%s. AAAA %s", domain, cfg->public_ipv6);
	return xasprintf("%s. CNAME %s.", domain, cfg->zone);
}
