#include "ctui/config.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/log.h"
#include "engine/subnet.h"
#include "ctui/site.h"
#include "ctui/validate.h"
#include "util/ini.h"
#include "util/util.h"

#define SHOWN_MAX 160
#define BRIDGE_NAME_MAX 15 /* IFNAMSIZ minus the terminating NUL */
#define CGROUP_PARENT_MAX 255
#define TIMEOUT_MAX 86400  /* one day, in seconds */
#define DNS_TTL_MAX 2147483647u /* RFC 2181, section 8 */

#define DEFAULT_SUBNET "10.1.1.0/24"
#define DEFAULT_GATEWAY "10.1.1.254"

enum key_type {
	KEY_PATH,       /* an absolute path */
	KEY_COMMAND,    /* a command line, split into words when run */
	KEY_URL,        /* a debootstrap mirror */
	KEY_BRIDGE,     /* a network interface name */
	KEY_SUBNET,
	KEY_GATEWAY,
	KEY_DOMAIN,
	KEY_ADDRESS,    /* an IPv4 or IPv6 literal */
	KEY_IPV4,       /* an IPv4 literal or empty */
	KEY_IPV6,       /* an IPv6 literal or empty */
	KEY_PORT,
	KEY_TTL,
	KEY_TIMEOUT,
	KEY_CGROUP,     /* a relative cgroup path */
	KEY_TLS_MODE,   /* acme, self-signed or none */
	KEY_HTTPS_URL,  /* an https:// URL */
	KEY_EMAIL,      /* an e-mail address or empty */
	KEY_OPT_PATH,   /* an absolute path or empty */
	KEY_BOOL,       /* yes or no */
	KEY_THEME,      /* a theme name (a-z, 0-9, '-', '_') or an absolute path */
	KEY_LDAP_URI,   /* an ldap:// or ldaps:// URI, or empty */
	KEY_TEXT,       /* any text without control characters, may be empty */
	KEY_LDAP_FILTER, /* an LDAP filter containing %s once */
	KEY_MODEL,      /* a resource model's name or empty */
	KEY_STORAGE,    /* overlay, copy or image */
	KEY_PORT_RANGE, /* FIRST-LAST, two ports; sets sftp_port_first and sftp_port_last */
	KEY_NFT_TABLE,  /* an nftables table name */
};

struct config_key {
	const char *section;
	const char *name;
	enum key_type type;
	size_t offset; /* of the field in struct ctui_config */
};

#define FIELD(name) offsetof(struct ctui_config, name)

static const struct config_key config_keys[] = {
	{ "paths", "state_dir", KEY_PATH, FIELD(state_dir) },
	{ "paths", "template_dir", KEY_PATH, FIELD(template_dir) },
	{ "paths", "template_conf_dir", KEY_PATH, FIELD(template_conf_dir) },
	{ "paths", "model_dir", KEY_PATH, FIELD(model_dir) },
	{ "paths", "init", KEY_PATH, FIELD(init_path) },
	{ "paths", "debootstrap", KEY_COMMAND, FIELD(debootstrap) },
	{ "paths", "mirror", KEY_URL, FIELD(mirror) },
	{ "network", "bridge", KEY_BRIDGE, FIELD(bridge) },
	{ "network", "subnet", KEY_SUBNET, FIELD(subnet) },
	{ "network", "gateway", KEY_GATEWAY, FIELD(gateway) },
	{ "dns", "zone", KEY_DOMAIN, FIELD(zone) },
	{ "dns", "server", KEY_ADDRESS, FIELD(dns_server) },
	{ "dns", "port", KEY_PORT, FIELD(dns_port) },
	{ "dns", "tsig_key", KEY_PATH, FIELD(tsig_key_file) },
	{ "dns", "ttl", KEY_TTL, FIELD(dns_ttl) },
	{ "host", "ipv4", KEY_IPV4, FIELD(public_ipv4) },
	{ "host", "ipv6", KEY_IPV6, FIELD(public_ipv6) },
	{ "apache", "vhost_dir", KEY_PATH, FIELD(vhost_dir) },
	{ "apache", "configtest", KEY_COMMAND, FIELD(apache_configtest) },
	{ "apache", "reload", KEY_COMMAND, FIELD(apache_reload) },
	{ "apache", "http_port", KEY_PORT, FIELD(http_port) },
	{ "apache", "https_port", KEY_PORT, FIELD(https_port) },
	{ "tls", "mode", KEY_TLS_MODE, FIELD(tls_mode) },
	{ "tls", "acme_url", KEY_HTTPS_URL, FIELD(acme_url) },
	{ "tls", "acme_contact", KEY_EMAIL, FIELD(acme_contact) },
	{ "tls", "acme_ca_file", KEY_OPT_PATH, FIELD(acme_ca_file) },
	{ "tls", "md_store_dir", KEY_OPT_PATH, FIELD(md_store_dir) },
	{ "tls", "wildcard", KEY_BOOL, FIELD(wildcard) },
	{ "cgroup", "parent", KEY_CGROUP, FIELD(cgroup_parent) },
	{ "container", "start_timeout", KEY_TIMEOUT, FIELD(start_timeout) },
	{ "container", "stop_timeout", KEY_TIMEOUT, FIELD(stop_timeout) },
	{ "tui", "theme", KEY_THEME, FIELD(theme) },
	{ "ldap", "uri", KEY_LDAP_URI, FIELD(ldap_uri) },
	{ "ldap", "base", KEY_TEXT, FIELD(ldap_base) },
	{ "ldap", "filter", KEY_LDAP_FILTER, FIELD(ldap_filter) },
	{ "ldap", "admin_group", KEY_TEXT, FIELD(ldap_admin_group) },
	{ "ldap", "starttls", KEY_BOOL, FIELD(ldap_starttls) },
	{ "ldap", "ca_file", KEY_OPT_PATH, FIELD(ldap_ca_file) },
	{ "ldap", "network_timeout", KEY_TIMEOUT, FIELD(ldap_network_timeout) },
	{ "ldap", "timeout", KEY_TIMEOUT, FIELD(ldap_timeout) },
	{ "ldap", "bind_dn", KEY_TEXT, FIELD(ldap_bind_dn) },
	{ "ldap", "bind_password_file", KEY_OPT_PATH, FIELD(ldap_bind_password_file) },
	{ "sites", "model", KEY_MODEL, FIELD(default_model) },
	{ "sites", "storage", KEY_STORAGE, FIELD(default_storage) },
	{ "sftp", "ports", KEY_PORT_RANGE, FIELD(sftp_port_first) },
	{ "sftp", "table", KEY_NFT_TABLE, FIELD(nft_table) },
};

#define KEY_COUNT (sizeof config_keys / sizeof config_keys[0])

/* The state of one parse, shared by the section and key callbacks. */
struct parser {
	struct ctui_config *cfg;
	int set_on[KEY_COUNT];  /* the line that set each key, 0 when unset */
};

static char **string_field(struct ctui_config *cfg, const struct config_key *key)
{
	return (char **)((char *)cfg + key->offset);
}

static unsigned *uint_field(struct ctui_config *cfg, const struct config_key *key)
{
	return (unsigned *)((char *)cfg + key->offset);
}

static void set_string(char **field, const char *value)
{
	free(*field);
	*field = xstrdup(value);
}

static void set_defaults(struct ctui_config *cfg)
{
	struct ctui_error ignored;

	cfg->state_dir = xstrdup(CTUI_STATEDIR);
	cfg->template_conf_dir = xstrdup(CTUI_SYSCONFDIR "/templates");
	cfg->model_dir = xstrdup(CTUI_SYSCONFDIR "/models");
	cfg->init_path = xstrdup(CTUI_LIBEXECDIR "/ctui-init");
	cfg->debootstrap = xstrdup("debootstrap");
	cfg->mirror = xstrdup("http://deb.debian.org/debian");

	cfg->bridge = xstrdup("ctui0");
	ctui_subnet_parse(DEFAULT_SUBNET, &cfg->subnet, &cfg->prefix, &ignored);
	ctui_ipv4_parse(DEFAULT_GATEWAY, &cfg->gateway, &ignored);

	cfg->zone = xstrdup("sites.internal");
	cfg->dns_server = xstrdup("127.0.0.1");
	cfg->dns_port = 53;
	cfg->tsig_key_file = xstrdup(CTUI_SYSCONFDIR "/tsig.key");
	cfg->dns_ttl = 300;

	cfg->public_ipv4 = xstrdup("");
	cfg->public_ipv6 = xstrdup("");

	cfg->vhost_dir = xstrdup("/etc/apache2/ctui-sites");
	cfg->apache_configtest = xstrdup("apache2ctl configtest");
	cfg->apache_reload = xstrdup("apache2ctl graceful");
	cfg->http_port = 80;
	cfg->https_port = 443;

	cfg->tls_mode = CTUI_TLS_MODE_ACME;
	cfg->acme_url = xstrdup("https://acme-v02.api.letsencrypt.org/directory");
	cfg->acme_contact = xstrdup("");
	cfg->acme_ca_file = xstrdup("");
	cfg->md_store_dir = xstrdup("");
	cfg->wildcard = 0;

	cfg->cgroup_parent = xstrdup("ctui");

	cfg->start_timeout = 30;
	cfg->stop_timeout = 10;

	cfg->theme = xstrdup("default");

	cfg->ldap_uri = xstrdup("");
	cfg->ldap_base = xstrdup("");
	cfg->ldap_filter = xstrdup("(&(objectClass=posixAccount)(uid=%s))");
	cfg->ldap_admin_group = xstrdup("");
	cfg->ldap_starttls = 1;
	cfg->ldap_ca_file = xstrdup("");
	cfg->ldap_network_timeout = 5;
	cfg->ldap_timeout = 10;
	cfg->ldap_bind_dn = xstrdup("");
	cfg->ldap_bind_password_file = xstrdup("");
	cfg->default_model = xstrdup("");
	cfg->default_storage = xstrdup("overlay");
	cfg->sftp_port_first = 2200;
	cfg->sftp_port_last = 2299;
	cfg->nft_table = xstrdup("ctui");
}

static bool has_control_char(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return true;
	return false;
}

static bool has_space(const char *s)
{
	return strpbrk(s, " \t") != NULL;
}

static bool starts_with(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

static int invalid_value(const char *value, const char *expected, struct ctui_error *err)
{
	char shown[SHOWN_MAX];

	return ctui_error_set(err, EINVAL, _("invalid value \"%s\": %s"),
			      ctui_escape(value, shown, sizeof shown), expected);
}

static bool is_bridge_name(const char *s)
{
	size_t len = strlen(s);

	if (len == 0 || len > BRIDGE_NAME_MAX)
		return false;
	if (strcmp(s, ".") == 0 || strcmp(s, "..") == 0)
		return false;
	return strpbrk(s, "/: \t") == NULL;
}

static bool is_cgroup_component_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '-' || c == '_' || c == '.';
}

/* PARENT/NAME becomes a directory in every cgroup hierarchy: only plain
 * components, so it can neither escape the hierarchy nor need quoting. */
static bool is_cgroup_path(const char *s)
{
	size_t len = 0;

	if (!*s || strlen(s) > CGROUP_PARENT_MAX)
		return false;
	for (const char *c = s;; c++) {
		if (*c == '/' || !*c) {
			if (len == 0)
				return false;
			if ((len == 1 && c[-1] == '.') || (len == 2 && starts_with(c - 2, "..")))
				return false;
			if (!*c)
				return true;
			len = 0;
			continue;
		}
		if (!is_cgroup_component_char(*c))
			return false;
		len++;
	}
}

static bool is_theme_name(const char *value)
{
	if (!value[0])
		return false;
	for (const char *c = value; *c; c++)
		if (!(islower((unsigned char)*c) || isdigit((unsigned char)*c) || *c == '-' || *c == '_'))
			return false;
	return true;
}

/* A letter, then letters, digits and '_', which nft's parser takes as an
 * identifier. The kernel allows up to 255 bytes (NFT_TABLE_MAXNAMELEN in
 * linux/netfilter/nf_tables.h); ctui keeps names to 32. */
static bool is_nft_table_name(const char *value)
{
	if (!isalpha((unsigned char)value[0]) || strlen(value) > 32)
		return false;
	for (const char *c = value; *c; c++)
		if (!(isalnum((unsigned char)*c) || *c == '_'))
			return false;
	return true;
}

/* "FIRST-LAST": FIRST <= LAST, both ports. */
static int parse_port_range(const char *value, struct ctui_config *cfg, struct ctui_error *err)
{
	unsigned first, last;
	char tail;

	if (sscanf(value, "%5u-%5u%c", &first, &last, &tail) != 2 || first < 1 || last > 65535 ||
	    first > last)
		return invalid_value(value, _("expected a port range FIRST-LAST such as 2200-2299, "
					      "with 1 <= FIRST <= LAST <= 65535"),
				     err);
	cfg->sftp_port_first = first;
	cfg->sftp_port_last = last;
	return 0;
}

static bool is_address(const char *value, int family)
{
	unsigned char buf[sizeof(struct in6_addr)];

	return inet_pton(family, value, buf) == 1;
}

/* Values that go into Apache's configuration: no white space, quote,
 * backslash or angle bracket can close a directive or start another. */
static bool is_config_token(const char *s)
{
	return !strpbrk(s, " \t\"'\\<>");
}

static bool is_email(const char *s)
{
	const char *at = strchr(s, '@');
	struct ctui_error ignored;

	if (!at || at == s || strchr(at + 1, '@') || !is_config_token(s))
		return false;
	for (const char *c = s; c < at; c++) {
		if (!((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') ||
		      (*c >= '0' && *c <= '9') || strchr(".+-_", *c)))
			return false;
	}
	return ctui_validate_domain(at + 1, &ignored) == 0;
}

/* A filter in parentheses with exactly one %s, where the escaped user id
 * goes, and no other '%'. */
static bool is_ldap_filter(const char *value)
{
	const char *first = strstr(value, "%s");

	if (value[0] != '(' || value[strlen(value) - 1] != ')' || !first)
		return false;
	for (const char *c = value; *c; c++)
		if (*c == '%' && c != first)
			return false;
	return true;
}

static int parse_tls_mode(const char *value, enum ctui_tls_mode *mode, struct ctui_error *err)
{
	if (!strcmp(value, "acme"))
		*mode = CTUI_TLS_MODE_ACME;
	else if (!strcmp(value, "self-signed"))
		*mode = CTUI_TLS_MODE_SELF_SIGNED;
	else if (!strcmp(value, "none"))
		*mode = CTUI_TLS_MODE_NONE;
	else
		return invalid_value(value, _("expected acme, self-signed or none"), err);
	return 0;
}

static int parse_bool(const char *value, unsigned *flag, struct ctui_error *err)
{
	if (!strcmp(value, "yes"))
		*flag = 1;
	else if (!strcmp(value, "no"))
		*flag = 0;
	else
		return invalid_value(value, _("expected yes or no"), err);
	return 0;
}

static int parse_string_value(const struct config_key *key, const char *value,
			      struct ctui_error *err)
{
	struct ctui_error ignored;
	enum ctui_storage storage;

	switch (key->type) {
	case KEY_PATH:
		if (value[0] != '/')
			return invalid_value(value, _("expected an absolute path"), err);
		return 0;
	case KEY_COMMAND:
		if (!value[0])
			return invalid_value(value, _("expected a command line"), err);
		return 0;
	case KEY_URL:
		if (!(starts_with(value, "http://") || starts_with(value, "https://") ||
		      starts_with(value, "file:///")) ||
		    has_space(value))
			return invalid_value(value, _("expected an http://, https:// or file:/// "
						      "URL of a Debian mirror"),
					     err);
		return 0;
	case KEY_BRIDGE:
		if (!is_bridge_name(value))
			return invalid_value(value, _("expected an interface name of 1 to 15 "
						      "bytes without '/', ':' or spaces"),
					     err);
		return 0;
	case KEY_DOMAIN:
		return ctui_validate_domain(value, err);
	case KEY_ADDRESS:
		if (!is_address(value, AF_INET) && !is_address(value, AF_INET6))
			return invalid_value(value, _("expected an IPv4 or IPv6 address, such as "
						      "127.0.0.1 or ::1"),
					     err);
		return 0;
	case KEY_IPV4:
		if (value[0] && !is_address(value, AF_INET))
			return invalid_value(value, _("expected an IPv4 address such as "
						      "192.0.2.10, or nothing"),
					     err);
		return 0;
	case KEY_IPV6:
		if (value[0] && !is_address(value, AF_INET6))
			return invalid_value(value, _("expected an IPv6 address such as "
						      "2001:db8::10, or nothing"),
					     err);
		return 0;
	case KEY_CGROUP:
		if (!is_cgroup_path(value))
			return invalid_value(value, _("expected a relative cgroup path such as "
						      "ctui or machine/ctui, made of a-z, A-Z, "
						      "0-9, '.', '_' and '-'"),
					     err);
		return 0;
	case KEY_HTTPS_URL:
		if (!starts_with(value, "https://") || !value[8] || !is_config_token(value))
			return invalid_value(value, _("expected an https:// URL without spaces, quotes "
						      "or backslashes"),
					     err);
		return 0;
	case KEY_EMAIL:
		if (value[0] && !is_email(value))
			return invalid_value(value, _("expected an e-mail address such as "
						      "admin@example.org, or nothing"),
					     err);
		return 0;
	case KEY_OPT_PATH:
		if (value[0] && (value[0] != '/' || !is_config_token(value)))
			return invalid_value(value, _("expected an absolute path without spaces, "
						      "quotes or backslashes, or nothing"),
					     err);
		return 0;
	case KEY_THEME:
		if (value[0] != '/' && !is_theme_name(value))
			return invalid_value(value, _("expected a theme name such as default, dark "
						      "or mono, or the absolute path of a theme file"),
					     err);
		return 0;
	case KEY_LDAP_URI:
		if (value[0] && ((!starts_with(value, "ldap://") && !starts_with(value, "ldaps://")) ||
				 has_space(value)))
			return invalid_value(value, _("expected an ldap:// or ldaps:// URI such as "
						      "ldap://ldap.example.org, or nothing"),
					     err);
		return 0;
	case KEY_TEXT:
		return 0;
	case KEY_LDAP_FILTER:
		if (!is_ldap_filter(value))
			return invalid_value(value, _("expected an LDAP filter in parentheses that "
						      "contains %s once, where the user id goes, such "
						      "as (&(objectClass=posixAccount)(uid=%s))"),
					     err);
		return 0;
	case KEY_MODEL:
		if (value[0] && ctui_validate_name(value, &ignored) < 0)
			return invalid_value(value, _("expected the name of a file in the model "
						      "directory without .conf, such as small, or "
						      "nothing for the template's limits"),
					     err);
		return 0;
	case KEY_STORAGE:
		if (ctui_storage_parse(value, &storage) < 0)
			return invalid_value(value, _("expected overlay, copy or image"), err);
		return 0;
	case KEY_NFT_TABLE:
		if (!is_nft_table_name(value))
			return invalid_value(value, _("expected an nftables table name: a letter, "
						      "then letters, digits and '_', at most 32 bytes"),
					     err);
		return 0;
	case KEY_PORT_RANGE:
	case KEY_SUBNET:
	case KEY_GATEWAY:
	case KEY_PORT:
	case KEY_TTL:
	case KEY_TIMEOUT:
	case KEY_TLS_MODE:
	case KEY_BOOL:
		break;
	}
	return ctui_error_set(err, EINVAL, "key type %d is not a string", (int)key->type);
}

/* Parses VALUE into KEY's field of CFG. */
static int parse_value(struct ctui_config *cfg, const struct config_key *key, const char *value,
		       struct ctui_error *err)
{
	switch (key->type) {
	case KEY_SUBNET:
		return ctui_subnet_parse(value, &cfg->subnet, &cfg->prefix, err);
	case KEY_GATEWAY:
		return ctui_ipv4_parse(value, &cfg->gateway, err);
	case KEY_PORT:
		return ctui_parse_uint(value, 1, 65535, uint_field(cfg, key), err);
	case KEY_TTL:
		return ctui_parse_uint(value, 0, DNS_TTL_MAX, uint_field(cfg, key), err);
	case KEY_TIMEOUT:
		return ctui_parse_uint(value, 1, TIMEOUT_MAX, uint_field(cfg, key), err);
	case KEY_TLS_MODE:
		return parse_tls_mode(value, (enum ctui_tls_mode *)((char *)cfg + key->offset), err);
	case KEY_BOOL:
		return parse_bool(value, uint_field(cfg, key), err);
	case KEY_PORT_RANGE:
		return parse_port_range(value, cfg, err);
	case KEY_NFT_TABLE:
	case KEY_PATH:
	case KEY_COMMAND:
	case KEY_URL:
	case KEY_BRIDGE:
	case KEY_DOMAIN:
	case KEY_ADDRESS:
	case KEY_IPV4:
	case KEY_IPV6:
	case KEY_CGROUP:
	case KEY_HTTPS_URL:
	case KEY_EMAIL:
	case KEY_OPT_PATH:
	case KEY_THEME:
	case KEY_LDAP_URI:
	case KEY_TEXT:
	case KEY_LDAP_FILTER:
	case KEY_MODEL:
	case KEY_STORAGE:
		break;
	}

	if (has_control_char(value))
		return invalid_value(value, _("control characters are not allowed"), err);
	if (parse_string_value(key, value, err) < 0)
		return -1;
	set_string(string_field(cfg, key), value);
	return 0;
}

static bool is_known_section(const char *section)
{
	for (size_t i = 0; i < KEY_COUNT; i++)
		if (strcmp(config_keys[i].section, section) == 0)
			return true;
	return false;
}

static const struct config_key *find_key(const char *section, const char *name)
{
	for (size_t i = 0; i < KEY_COUNT; i++)
		if (strcmp(config_keys[i].section, section) == 0 &&
		    strcmp(config_keys[i].name, name) == 0)
			return &config_keys[i];
	return NULL;
}

/* Writes the keys of SECTION, separated by ", ", into OUT. */
static char *section_keys(const char *section, char *out, size_t size)
{
	size_t used = 0;

	out[0] = '\0';
	for (size_t i = 0; i < KEY_COUNT && used < size; i++) {
		if (strcmp(config_keys[i].section, section) != 0)
			continue;
		used += (size_t)snprintf(out + used, size - used, "%s%s", used ? ", " : "",
					 config_keys[i].name);
	}
	return out;
}

static int handle_key(void *user, const char *section, const char *name, const char *value,
		      int line, struct ctui_error *err)
{
	struct parser *p = user;
	const struct config_key *key;
	char shown_section[SHOWN_MAX], shown_name[SHOWN_MAX], known[256];
	size_t index;

	ctui_escape(section, shown_section, sizeof shown_section);
	ctui_escape(name, shown_name, sizeof shown_name);
	if (!*section)
		return ctui_error_set(err, EINVAL, _("key \"%s\" is outside any section: put it "
						     "below its [section] line"),
				      shown_name);
	key = find_key(section, name);
	if (!key)
		return ctui_error_set(err, EINVAL, _("[%s] %s: unknown key; the keys of [%s] are %s"),
				      shown_section, shown_name, shown_section,
				      section_keys(section, known, sizeof known));

	index = (size_t)(key - config_keys);
	if (p->set_on[index])
		return ctui_error_set(err, EINVAL, _("[%s] %s: key given twice, first on line %d; "
						     "remove one of them"),
				      key->section, key->name, p->set_on[index]);
	p->set_on[index] = line;

	if (parse_value(p->cfg, key, value, err) < 0)
		return ctui_error_prefix(err, "[%s] %s", key->section, key->name);
	return 0;
}

/* Checks a section's name at its "[section]" line, so that an unknown one is
 * reported even when no key follows it. */
static int check_section(void *user, const char *name, int line, struct ctui_error *err)
{
	char shown[SHOWN_MAX];

	(void)user;
	(void)line;
	if (is_known_section(name))
		return 0;
	return ctui_error_set(err, EINVAL,
			      _("unknown section [%s]: the sections are [paths], [network], [dns], "
				"[host], [apache], [tls], [cgroup], [container], [tui], [ldap], "
				"[sites] and [sftp]"),
			      ctui_escape(name, shown, sizeof shown));
}

static const struct ctui_ini_handlers config_handlers = {
	.section = check_section,
	.key = handle_key,
};

/* Reads the whole file at PATH into *TEXT, which the caller frees. */
static int read_file(const char *path, char **text, size_t *len, struct ctui_error *err)
{
	cleanup_fclose FILE *file = fopen(path, "re");
	cleanup_free char *buffer = NULL;
	size_t size = 0, used = 0;

	if (!file)
		return ctui_error_errno(err, errno, _("cannot open the configuration file %s"), path);

	do {
		if (size - used < 2) {
			size = size ? 2 * size : 4096;
			buffer = xrealloc(buffer, size);
		}
		errno = 0;
		used += fread(buffer + used, 1, size - used - 1, file);
	} while (!feof(file) && !ferror(file));
	if (ferror(file))
		return ctui_error_errno(err, errno ? errno : EIO,
					_("cannot read the configuration file %s"), path);

	buffer[used] = '\0';
	*text = steal_pointer(&buffer);
	*len = used;
	return 0;
}

/* With [ldap] uri set, the keys that a login needs must be set too. */
static int check_ldap(const struct ctui_config *cfg, struct ctui_error *err)
{
	if (!cfg->ldap_uri[0])
		return 0;
	if (!cfg->ldap_base[0] || !cfg->ldap_admin_group[0])
		return ctui_error_set(err, EINVAL, _("%s: [ldap] uri is set, so [ldap] base and "
						     "admin_group must be set too"),
				      cfg->path);
	if (cfg->ldap_starttls && starts_with(cfg->ldap_uri, "ldaps://"))
		return ctui_error_set(err, EINVAL, _("%s: [ldap] starttls = yes does not go with an "
						     "ldaps:// URI, which is TLS already; set "
						     "starttls = no or use ldap://"),
				      cfg->path);
	if (!cfg->ldap_starttls && starts_with(cfg->ldap_uri, "ldap://"))
		return ctui_error_set(err, EINVAL, _("%s: [ldap] starttls = no with an ldap:// URI "
						     "would send passwords in clear text; set "
						     "starttls = yes or use ldaps://"),
				      cfg->path);
	if (cfg->ldap_bind_dn[0] && !cfg->ldap_bind_password_file[0])
		return ctui_error_set(err, EINVAL, _("%s: [ldap] bind_dn is set, so "
						     "bind_password_file must name the file that "
						     "contains its password"),
				      cfg->path);
	return 0;
}

/* Fills in what depends on other keys, and checks what no single key can. */
static int derive_and_check(struct ctui_config *cfg, const struct parser *p,
			    struct ctui_error *err)
{
	const struct config_key *gateway_key = find_key("network", "gateway");
	const struct config_key *subnet_key = find_key("network", "subnet");
	int gateway_line = p->set_on[gateway_key - config_keys];
	int subnet_line = p->set_on[subnet_key - config_keys];
	char gateway[INET_ADDRSTRLEN], network[INET_ADDRSTRLEN];

	if (!cfg->template_dir)
		cfg->template_dir = xasprintf("%s/templates", cfg->state_dir);

	/* A subnet of its own gets its own gateway, the last host address. */
	if (subnet_line && !gateway_line)
		cfg->gateway = (cfg->subnet | (UINT32_MAX >> cfg->prefix)) - 1;

	if (check_ldap(cfg, err) < 0)
		return -1;

	if (!ctui_subnet_contains(cfg->subnet, cfg->prefix, cfg->gateway))
		return ctui_error_set(err, EINVAL,
				      _("%s:%d: [network] gateway: %s is not a host address of "
					"the subnet %s/%u; choose an address inside it"),
				      cfg->path, gateway_line ? gateway_line : subnet_line,
				      ctui_ipv4_format(cfg->gateway, gateway),
				      ctui_ipv4_format(cfg->subnet, network), cfg->prefix);
	return 0;
}

int ctui_config_load(struct ctui_config *cfg, const char *path, struct ctui_error *err)
{
	struct parser p = { .cfg = cfg };
	cleanup_free char *text = NULL;
	size_t len = 0;

	memset(cfg, 0, sizeof *cfg);
	cfg->path = xstrdup(path ? path : CTUI_DEFAULT_CONFIG);
	set_defaults(cfg);

	if (read_file(cfg->path, &text, &len, err) < 0 ||
	    ctui_ini_parse(cfg->path, text, len, &config_handlers, &p, err) < 0 ||
	    derive_and_check(cfg, &p, err) < 0) {
		ctui_config_free(cfg);
		return -1;
	}
	return 0;
}

void ctui_config_free(struct ctui_config *cfg)
{
	free(cfg->path);
	for (size_t i = 0; i < KEY_COUNT; i++) {
		switch (config_keys[i].type) {
		case KEY_PATH:
		case KEY_COMMAND:
		case KEY_URL:
		case KEY_BRIDGE:
		case KEY_DOMAIN:
		case KEY_ADDRESS:
		case KEY_IPV4:
		case KEY_IPV6:
		case KEY_CGROUP:
		case KEY_HTTPS_URL:
		case KEY_EMAIL:
		case KEY_OPT_PATH:
		case KEY_THEME:
		case KEY_LDAP_URI:
		case KEY_TEXT:
		case KEY_LDAP_FILTER:
		case KEY_MODEL:
		case KEY_STORAGE:
		case KEY_NFT_TABLE:
			free(*string_field(cfg, &config_keys[i]));
			break;
		case KEY_PORT_RANGE:
		case KEY_SUBNET:
		case KEY_GATEWAY:
		case KEY_PORT:
		case KEY_TTL:
		case KEY_TIMEOUT:
		case KEY_TLS_MODE:
		case KEY_BOOL:
			break;
		}
	}
	memset(cfg, 0, sizeof *cfg);
}
