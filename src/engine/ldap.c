#include "engine/ldap.h"

#include <errno.h>
#include <ldap.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>

#include "util/util.h"

#define PASSWORD_MAX 1024

static void unbind_ptr(LDAP **ld)
{
	if (*ld)
		ldap_unbind_ext_s(*ld, NULL, NULL);
}

static void msgfree_ptr(LDAPMessage **msg)
{
	if (*msg)
		ldap_msgfree(*msg);
}

#define cleanup_ldap __attribute__((cleanup(unbind_ptr)))
#define cleanup_ldap_msg __attribute__((cleanup(msgfree_ptr)))

char *ctui_ldap_escape_filter_value(const char *value, size_t len)
{
	struct berval in = { .bv_len = len, .bv_val = (char *)(uintptr_t)value };
	struct berval out = { 0 };
	char *copy;

	if (len == 0)
		return xstrdup("");
	/* libldap allocates with its own allocator: copy into ours. */
	/* NOTE: a failure is taken for an allocation failure and handled as
	 * xmalloc() does; the empty value, returned above, needs no call. */
	if (ldap_bv2escaped_filter_value(&in, &out) != 0 || !out.bv_val) {
		if (ctui_oom_hook)
			ctui_oom_hook();
		fputs("ctui: out of memory\n", stderr);
		abort();
	}
	copy = xstrdup(out.bv_val);
	ber_memfree(out.bv_val);
	return copy;
}

char *ctui_ldap_user_filter(const char *filter, const char *uid)
{
	cleanup_free char *escaped = ctui_ldap_escape_filter_value(uid, strlen(uid));
	const char *mark = strstr(filter, "%s");

	if (!mark)
		return xstrdup(filter);
	return xasprintf("%.*s%s%s", (int)(mark - filter), filter, escaped, mark + 2);
}

/* Sets ERR from libldap's result code RC for the step WHAT, with the server's
 * diagnostic message when it sent one. */
static int ldap_fail(LDAP *ld, int rc, const char *uri, const char *what, struct ctui_error *err)
{
	char *diagnostic = NULL;
	int code = EIO;

	if (ld)
		ldap_get_option(ld, LDAP_OPT_DIAGNOSTIC_MESSAGE, &diagnostic);
	if (rc == LDAP_SERVER_DOWN || rc == LDAP_CONNECT_ERROR || rc == LDAP_TIMEOUT)
		code = EHOSTUNREACH;

	if (diagnostic && *diagnostic)
		ctui_error_set(err, code, _("LDAP server %s: %s failed: %s (%s); check that the "
					    "server runs and the [ldap] keys of ctui.conf"),
			       uri, what, ldap_err2string(rc), diagnostic);
	else
		ctui_error_set(err, code, _("LDAP server %s: %s failed: %s; check that the server "
					    "runs and the [ldap] keys of ctui.conf"),
			       uri, what, ldap_err2string(rc));
	ldap_memfree(diagnostic);
	return -1;
}

static int set_timeouts(LDAP *ld, const struct ctui_config *cfg)
{
	struct timeval network = { .tv_sec = cfg->ldap_network_timeout };
	struct timeval operation = { .tv_sec = cfg->ldap_timeout };
	int rc = LDAP_SUCCESS;

	rc |= ldap_set_option(ld, LDAP_OPT_NETWORK_TIMEOUT, &network);
	rc |= ldap_set_option(ld, LDAP_OPT_TIMEOUT, &operation);
	return rc;
}

/* Certificates are always verified: against [ldap] ca_file when it is set,
 * otherwise against libldap's default CA list (ldap.conf). */
static int set_tls(LDAP *ld, const struct ctui_config *cfg)
{
	int demand = LDAP_OPT_X_TLS_DEMAND;
	int new_context = 0;
	int rc = LDAP_SUCCESS;

	rc |= ldap_set_option(ld, LDAP_OPT_X_TLS_REQUIRE_CERT, &demand);
	if (cfg->ldap_ca_file[0])
		rc |= ldap_set_option(ld, LDAP_OPT_X_TLS_CACERTFILE, cfg->ldap_ca_file);
	rc |= ldap_set_option(ld, LDAP_OPT_X_TLS_NEWCTX, &new_context);
	return rc;
}

/* Opens a connection to [ldap] uri with TLS (StartTLS or ldaps). */
static int connect_server(const struct ctui_config *cfg, LDAP **out, struct ctui_error *err)
{
	cleanup_ldap LDAP *ld = NULL;
	int version = LDAP_VERSION3;
	int rc;

	rc = ldap_initialize(&ld, cfg->ldap_uri);
	if (rc != LDAP_SUCCESS)
		return ldap_fail(NULL, rc, cfg->ldap_uri, _("parse the URI"), err);

	if (ldap_set_option(ld, LDAP_OPT_PROTOCOL_VERSION, &version) != LDAP_SUCCESS ||
	    ldap_set_option(ld, LDAP_OPT_REFERRALS, LDAP_OPT_OFF) != LDAP_SUCCESS ||
	    set_timeouts(ld, cfg) != LDAP_SUCCESS || set_tls(ld, cfg) != LDAP_SUCCESS)
		return ctui_error_set(err, EIO, _("LDAP server %s: cannot set the connection "
						  "options; check [ldap] ca_file"),
				      cfg->ldap_uri);

	if (cfg->ldap_starttls) {
		rc = ldap_start_tls_s(ld, NULL, NULL);
		if (rc != LDAP_SUCCESS)
			return ldap_fail(ld, rc, cfg->ldap_uri, _("StartTLS"), err);
	}
	*out = steal_pointer(&ld);
	return 0;
}

/* Reads the first line of PATH into PASSWORD (SIZE bytes). */
static int read_password_file(const char *path, char *password, size_t size,
			      struct ctui_error *err)
{
	cleanup_fclose FILE *file = fopen(path, "re");

	if (!file)
		return ctui_error_errno(err, errno, _("cannot open [ldap] bind_password_file %s"),
					path);
	if (!fgets(password, (int)size, file))
		return ctui_error_set(err, EINVAL, _("[ldap] bind_password_file %s is empty"), path);
	password[strcspn(password, "\r\n")] = '\0';
	return 0;
}

static int simple_bind(LDAP *ld, const char *dn, const char *password)
{
	struct berval credentials = { .bv_len = strlen(password),
				      .bv_val = (char *)(uintptr_t)password };

	return ldap_sasl_bind_s(ld, dn, LDAP_SASL_SIMPLE, &credentials, NULL, NULL, NULL);
}

/* Binds with [ldap] bind_dn, or stays anonymous when it is empty. */
static int bind_service(LDAP *ld, const struct ctui_config *cfg, struct ctui_error *err)
{
	char password[PASSWORD_MAX];
	int rc;

	if (!cfg->ldap_bind_dn[0])
		return 0;
	if (read_password_file(cfg->ldap_bind_password_file, password, sizeof password, err) < 0)
		return -1;
	rc = simple_bind(ld, cfg->ldap_bind_dn, password);
	explicit_bzero(password, sizeof password);
	if (rc != LDAP_SUCCESS)
		return ldap_fail(ld, rc, cfg->ldap_uri, _("bind as [ldap] bind_dn"), err);
	return 0;
}

/* Searches BASE with FILTER and SCOPE for entries, no attributes; *COUNT
 * gets how many matched (at most 2) and DN the first one's DN. A missing
 * base gives 0 entries with NO_SUCH_OBJECT returned. */
static int search(LDAP *ld, const struct ctui_config *cfg, const char *base, int scope,
		  const char *filter, char *dn, size_t dn_size, int *count)
{
	char no_attribute[] = LDAP_NO_ATTRS;
	char *no_attributes[] = { no_attribute, NULL };
	struct timeval timeout = { .tv_sec = cfg->ldap_timeout };
	cleanup_ldap_msg LDAPMessage *result = NULL;
	LDAPMessage *entry;
	int rc;

	*count = 0;
	rc = ldap_search_ext_s(ld, base, scope, filter, no_attributes, 0, NULL, NULL, &timeout, 2,
			       &result);
	if (rc != LDAP_SUCCESS && rc != LDAP_SIZELIMIT_EXCEEDED)
		return rc;

	*count = ldap_count_entries(ld, result);
	entry = ldap_first_entry(ld, result);
	if (entry && dn) {
		char *found = ldap_get_dn(ld, entry);

		snprintf(dn, dn_size, "%s", found ? found : "");
		ldap_memfree(found);
	}
	return LDAP_SUCCESS;
}

static int find_entry(LDAP *ld, const struct ctui_config *cfg, const char *uid,
		      struct ctui_ldap_user *user, struct ctui_error *err)
{
	cleanup_free char *filter = ctui_ldap_user_filter(cfg->ldap_filter, uid);
	int count, rc;

	rc = search(ld, cfg, cfg->ldap_base, LDAP_SCOPE_SUBTREE, filter, user->dn,
		    sizeof user->dn, &count);
	if (rc != LDAP_SUCCESS)
		return ldap_fail(ld, rc, cfg->ldap_uri, _("search the users"), err);
	if (count == 0)
		return ctui_error_set(err, ENOENT, _("no user matches the filter %s below %s"), filter,
				      cfg->ldap_base);
	if (count > 1)
		return ctui_error_set(err, ENOENT, _("several users match the filter %s below %s; "
						     "make [ldap] filter match one entry"),
				      filter, cfg->ldap_base);
	return 0;
}

/* A groupOfNames or groupOfUniqueNames lists members by DN, a posixGroup by
 * user id: either makes the user an administrator. */
static int check_admin(LDAP *ld, const struct ctui_config *cfg, const char *uid,
		       struct ctui_ldap_user *user, struct ctui_error *err)
{
	cleanup_free char *dn = ctui_ldap_escape_filter_value(user->dn, strlen(user->dn));
	cleanup_free char *id = ctui_ldap_escape_filter_value(uid, strlen(uid));
	cleanup_free char *filter =
		xasprintf("(|(member=%s)(uniqueMember=%s)(memberUid=%s))", dn, dn, id);
	int count, rc;

	rc = search(ld, cfg, cfg->ldap_admin_group, LDAP_SCOPE_BASE, filter, NULL, 0, &count);
	if (rc == LDAP_NO_SUCH_OBJECT)
		return ctui_error_set(err, EINVAL, _("LDAP server %s: the group %s of [ldap] "
						     "admin_group does not exist"),
				      cfg->ldap_uri, cfg->ldap_admin_group);
	if (rc != LDAP_SUCCESS)
		return ldap_fail(ld, rc, cfg->ldap_uri, _("read the administrators' group"), err);
	user->admin = count > 0;
	return 0;
}

int ctui_ldap_lookup(const struct ctui_config *cfg, const char *uid, const char *password,
		     struct ctui_ldap_user *user, struct ctui_error *err)
{
	cleanup_ldap LDAP *ld = NULL;
	int rc;

	memset(user, 0, sizeof *user);
	if (connect_server(cfg, &ld, err) < 0 || bind_service(ld, cfg, err) < 0 ||
	    find_entry(ld, cfg, uid, user, err) < 0 || check_admin(ld, cfg, uid, user, err) < 0)
		return -1;
	if (!password)
		return 0;

	/* An empty password would make a simple bind "unauthenticated", which
	 * servers accept as anonymous (RFC 4513, section 5.1.2). */
	if (!password[0])
		return ctui_error_set(err, EACCES, _("the password is empty"));
	rc = simple_bind(ld, user->dn, password);
	if (rc == LDAP_INVALID_CREDENTIALS)
		return ctui_error_set(err, EACCES, _("wrong password"));
	if (rc != LDAP_SUCCESS)
		return ldap_fail(ld, rc, cfg->ldap_uri, _("bind as the user"), err);
	return 0;
}
