/* The LDAP directory that ctui's logins and rights come from (OpenLDAP's
 * libldap): users found by a search with the configured base and filter,
 * passwords checked by a simple bind over StartTLS or ldaps, administrators
 * found in one group. */
#ifndef CTUI_ENGINE_LDAP_H
#define CTUI_ENGINE_LDAP_H

#include <stdbool.h>
#include <stddef.h>

#include "ctui/config.h"
#include "ctui/error.h"

#define CTUI_LDAP_DN_MAX 1024

struct ctui_ldap_user {
	char dn[CTUI_LDAP_DN_MAX + 1];
	bool admin;                  /* a member of [ldap] admin_group */
};

/* Escapes LEN bytes of VALUE for an LDAP filter as RFC 4515 requires, with
 * libldap's ldap_bv2escaped_filter_value(): '*', '(', ')', '\' and NUL become
 * \2A, \28, \29, \5C and \00. The caller frees the result. */
char *ctui_ldap_escape_filter_value(const char *value, size_t len);

/* The configured filter FILTER with its %s replaced by the escaped UID. */
char *ctui_ldap_user_filter(const char *filter, const char *uid);

/* Finds UID in the directory: its DN and whether it is an administrator.
 * With PASSWORD (not NULL), also binds as the user with it. Fails with
 * ENOENT when no entry matches, EACCES when the password is wrong, and
 * EHOSTUNREACH or EIO when the server cannot be reached or used. */
int ctui_ldap_lookup(const struct ctui_config *cfg, const char *uid, const char *password,
		     struct ctui_ldap_user *user, struct ctui_error *err);

#endif
