# A private slapd for the tests, on a loopback port, with its configuration
# directory built from config.ldif and data.ldif by slapadd (no debconf).
# Source it after tests/lib/servers.sh.

LDAP_TEST_FILES=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

# Makes a test CA and a certificate for 127.0.0.1 and localhost in DIR/tls.
ldap_test_make_tls() {
	local dir=$1/tls
	mkdir -p "$dir"
	openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=ctui test LDAP CA" \
		-keyout "$dir/ca.key" -out "$dir/ca.crt" 2>/dev/null || return 1
	openssl req -newkey rsa:2048 -nodes -subj "/CN=127.0.0.1" \
		-keyout "$dir/server.key" -out "$dir/server.csr" 2>/dev/null || return 1
	printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\n' >"$dir/san.ext"
	openssl x509 -req -in "$dir/server.csr" -CA "$dir/ca.crt" -CAkey "$dir/ca.key" \
		-CAcreateserial -days 2 -extfile "$dir/san.ext" -out "$dir/server.crt" 2>/dev/null
}

# ldap_test_start DIR PORT: builds the directory in DIR and starts slapd on
# ldap://127.0.0.1:PORT (StartTLS available). Its pid goes to DIR/pid.
ldap_test_start() {
	local dir=$1 port=$2
	ctui_test_require_free_port "$port" || return 1
	mkdir -p "$dir/slapd.d" "$dir/data"
	ldap_test_make_tls "$dir" || { echo "slapd.sh: openssl failed" >&2; return 1; }
	sed -e "s|@DIR@|$dir|g" -e "s|@SCHEMA@|/etc/ldap/schema|g" \
		"$LDAP_TEST_FILES/config.ldif" >"$dir/config.ldif"
	slapadd -n 0 -F "$dir/slapd.d" -l "$dir/config.ldif" >"$dir/slapadd.log" 2>&1 &&
		slapadd -n 1 -F "$dir/slapd.d" -l "$LDAP_TEST_FILES/data.ldif" >>"$dir/slapadd.log" 2>&1 ||
		{ echo "slapd.sh: slapadd failed:" >&2; cat "$dir/slapadd.log" >&2; return 1; }
	# -d stats keeps slapd in the foreground, so that $! is its pid, and logs
	# each search filter to slapd.log.
	slapd -d stats -F "$dir/slapd.d" -h "ldap://127.0.0.1:$port/" >"$dir/slapd.log" 2>&1 &
	echo $! >"$dir/pid"
	local i
	for i in $(seq 100); do
		ldapsearch -x -H "ldap://127.0.0.1:$port" -b "" -s base >/dev/null 2>&1 && return 0
		ctui_test_alive "$(cat "$dir/pid")" || break
		sleep 0.1
	done
	echo "slapd.sh: slapd did not answer on port $port:" >&2
	cat "$dir/slapd.log" >&2
	return 1
}

# Stops the slapd of DIR by its pid (SIGTERM, SIGKILL after 10 s).
ldap_test_stop() {
	ctui_test_kill_pidfile "$1/pid"
}

# Starts the test slapd under $T/ldap, appends its [ldap] section to $CONF,
# and stops slapd at exit before the rest of the teardown. Call it after
# sysenv_setup or tui_setup, which write $CONF. Sets LDAP_PORT.
ldap_setup() {
	local tool
	for tool in slapd slapadd ldapsearch openssl; do
		command -v "$tool" >/dev/null || skip_all "$tool is not installed (make test-deps)"
	done
	LDAP_PORT=$(ctui_test_free_port) || exit 1
	LDAP_NEXT_TEARDOWN=$(trap -p EXIT | sed "s/^trap -- '\(.*\)' EXIT$/\1/")
	trap ldap_teardown EXIT
	ldap_test_start "$T/ldap" "$LDAP_PORT" || exit 1
	printf 'reader-secret\n' >"$T/ldap/reader.password"
	chmod 600 "$T/ldap/reader.password"
	ldap_write_section "$CONF" "$T/ldap/tls/ca.crt"
}

# ldap_write_section FILE CA_FILE: appends the [ldap] section to FILE.
ldap_write_section() {
	cat >>"$1" <<CONF

[ldap]
uri = ldap://127.0.0.1:$LDAP_PORT
base = ou=people,dc=ctui,dc=test
filter = (&(objectClass=posixAccount)(uid=%s))
admin_group = cn=ctui-admins,ou=groups,dc=ctui,dc=test
starttls = yes
ca_file = $2
network_timeout = 3
timeout = 5
bind_dn = cn=reader,dc=ctui,dc=test
bind_password_file = $T/ldap/reader.password
CONF
}

ldap_teardown() {
	local status=$?
	ldap_test_stop "$T/ldap"
	(exit "$status")
	${LDAP_NEXT_TEARDOWN:-true}
}
