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
	# -d 0 keeps slapd in the foreground, so that $! is its pid.
	slapd -d 0 -F "$dir/slapd.d" -h "ldap://127.0.0.1:$port/" >"$dir/slapd.log" 2>&1 &
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
