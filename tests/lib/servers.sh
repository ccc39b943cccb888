# shellcheck shell=bash
# Private BIND and Apache servers for tests, on loopback ports.
# Source this file from bash; every function returns non-zero with a message
# on stderr when it fails. Each server keeps its config, pid file and logs in
# the directory given to it and stops by that pid only.
#
#   ctui_test_free_port
#   ctui_test_start_bind DIR PORT ZONE KEYNAME   (key file: DIR/KEYNAME.key)
#   ctui_test_stop_bind DIR
#   ctui_test_start_apache DIR PORT VHOST_DIR [HTTPS_PORT [md]]
#                                                (prints two lines: the
#                                                 configtest command line,
#                                                 then the reload one, which
#                                                 signals this Apache only; with
#                                                 HTTPS_PORT it loads mod_ssl
#                                                 and listens there too, with
#                                                 "md" it loads mod_md)
#   ctui_test_stop_apache DIR
#   ctui_test_start_pebble DIR HTTP_PORT DNS_PORT
#                                                (prints three lines: the ACME
#                                                 directory URL, the CA of
#                                                 pebble's own TLS, and the
#                                                 root that issues certificates)
#   ctui_test_stop_pebble DIR

# The proxy settings that ctui-setup-host installs, from this source tree.
CTUI_TEST_PROXY_CONF=$(cd "$(dirname "${BASH_SOURCE[0]}")/../../conf" && pwd)/apache-proxy.conf

# Prints a TCP and UDP port on which no socket exists, below the kernel's
# ephemeral range so that an outgoing connection cannot take it before the
# server binds. With CTUI_TEST_PORT_CLAIMS naming a file, ports listed there
# are skipped and the chosen one is appended: a test that picks several
# ports before starting its servers never gets the same one twice.
ctui_test_free_port() {
	local port low high
	read -r low _ </proc/sys/net/ipv4/ip_local_port_range 2>/dev/null || low=32768
	high=$((low - 1))
	[ "$high" -gt 20000 ] || high=32767
	for _ in $(seq 1 100); do
		port=$((20000 + RANDOM % (high - 20000 + 1)))
		ctui_test_port_in_use "$port" && continue
		if [ -n "${CTUI_TEST_PORT_CLAIMS:-}" ]; then
			grep -qx "$port" "$CTUI_TEST_PORT_CLAIMS" 2>/dev/null && continue
			echo "$port" >>"$CTUI_TEST_PORT_CLAIMS"
		fi
		echo "$port"
		return 0
	done
	echo "servers.sh: no free port found in 20000-$high" >&2
	return 1
}

# Whether any socket uses PORT (TCP in any state, or UDP, any address).
ctui_test_port_in_use() {
	[ -n "$(ss -Hatun "sport = :$1" 2>/dev/null)" ]
}

ctui_test_require_free_port() {
	if ctui_test_port_in_use "$1"; then
		echo "servers.sh: port $1 is already in use:" >&2
		ss -Hltunp "sport = :$1" >&2
		return 1
	fi
}

# Whether PID runs: a zombie left to a PID 1 that reaps late counts as gone.
ctui_test_alive() {
	local state
	state=$(sed -n 's/.*) \(.\).*/\1/p' "/proc/$1/stat" 2>/dev/null) || return 1
	[ -n "$state" ] && [ "$state" != Z ]
}

# Waits up to 10 s for COMMAND to succeed while PID runs.
ctui_test_wait_for() {
	local pid=$1
	shift
	for _ in $(seq 1 100); do
		"$@" >/dev/null 2>&1 && return 0
		ctui_test_alive "$pid" || return 1
		sleep 0.1
	done
	return 1
}

# Sends SIGTERM to the pid stored in PIDFILE and waits up to 10 s for it to
# exit, then SIGKILL. Removes PIDFILE.
ctui_test_kill_pidfile() {
	local pidfile=$1 pid
	[ -f "$pidfile" ] || return 0
	pid=$(cat "$pidfile")
	if [ -n "$pid" ] && kill -TERM "$pid" 2>/dev/null; then
		for _ in $(seq 1 100); do
			ctui_test_alive "$pid" || break
			sleep 0.1
		done
		if ctui_test_alive "$pid"; then
			echo "servers.sh: pid $pid ignored SIGTERM for 10 s, sending SIGKILL" >&2
			kill -KILL "$pid" 2>/dev/null
			sleep 0.2
		fi
	fi
	rm -f "$pidfile"
}

ctui_test_start_bind() {
	local dir=${1:?DIR} port=${2:?PORT} zone=${3:?ZONE} keyname=${4:?KEYNAME}
	local pid

	ctui_test_require_free_port "$port" || return 1
	mkdir -p "$dir" || return 1
	dir=$(cd "$dir" && pwd)

	tsig-keygen -a hmac-sha256 "$keyname" >"$dir/$keyname.key" || return 1
	cat >"$dir/db.$zone" <<EOF
\$TTL 300
@	IN SOA	ns.$zone. hostmaster.$zone. ( 1 3600 600 86400 300 )
	IN NS	ns.$zone.
	IN A	127.0.0.1
	IN AAAA	::1
ns	IN A	127.0.0.1
	IN AAAA	::1
EOF
	# "controls { };" keeps named off rndc's default port 953, which
	# another named on this host may hold.
	cat >"$dir/named.conf" <<EOF
options {
	directory "$dir";
	pid-file none;
	session-keyfile "$dir/session.key";
	listen-on port $port { 127.0.0.1; };
	listen-on-v6 port $port { ::1; };
	recursion no;
	dnssec-validation no;
	notify no;
};
controls { };
include "$dir/$keyname.key";
zone "$zone" {
	type primary;
	file "$dir/db.$zone";
	allow-update { key "$keyname"; };
};
EOF
	named-checkconf "$dir/named.conf" || return 1

	named -g -c "$dir/named.conf" >"$dir/named.log" 2>&1 &
	pid=$!
	echo "$pid" >"$dir/named.pid"
	if ! ctui_test_wait_for "$pid" dig @127.0.0.1 -p "$port" +time=1 +tries=1 +short \
		"$zone" SOA; then
		echo "servers.sh: named did not respond on 127.0.0.1 port $port; its log:" >&2
		tail -n 20 "$dir/named.log" >&2
		ctui_test_stop_bind "$dir"
		return 1
	fi
}

ctui_test_stop_bind() {
	local dir=${1:?DIR}
	ctui_test_kill_pidfile "$dir/named.pid"
}

ctui_test_start_apache() {
	local dir=${1:?DIR} port=${2:?PORT} vhost_dir=${3:?VHOST_DIR} https_port=${4:-} md=${5:-}
	local modules=/usr/lib/apache2/modules mod user="" pid builtin
	local mpm=${CTUI_TEST_APACHE_MPM:-worker}
	local wanted="mpm_$mpm authz_core proxy proxy_http headers log_config unixd dir mime alias"
	local listen="Listen 127.0.0.1:$port
Listen [::1]:$port"

	if [ -n "$https_port" ]; then
		ctui_test_require_free_port "$https_port" || return 1
		wanted="$wanted socache_shmcb ssl"
		listen="$listen
Listen 127.0.0.1:$https_port
Listen [::1]:$https_port"
	fi
	[ "$md" = md ] && wanted="$wanted watchdog md"

	ctui_test_require_free_port "$port" || return 1
	mkdir -p "$dir" "$vhost_dir" || return 1
	dir=$(cd "$dir" && pwd)
	vhost_dir=$(cd "$vhost_dir" && pwd)

	builtin=$(apache2 -l) || return 1
	if [ "$(id -u)" = 0 ]; then
		user="User www-data
Group www-data"
	fi
	{
		echo "ServerRoot /etc/apache2"
		# Debian builds some of these into apache2 itself (see apache2 -l).
		for mod in $wanted; do
			grep -qx "  mod_$mod.c" <<<"$builtin" && continue
			echo "LoadModule ${mod}_module $modules/mod_$mod.so"
		done
		cat <<EOF
$user
ServerName localhost
PidFile $dir/httpd.pid
DefaultRuntimeDir $dir
Mutex file:$dir default
ErrorLog $dir/error.log
LogLevel warn
LogFormat "%h %{Host}i \"%r\" %>s" ctui_test
CustomLog $dir/access.log ctui_test
TypesConfig /etc/mime.types
$listen

# What ctui-setup-host installs on a host: keep-alive, logs, MPM sizing.
Include $CTUI_TEST_PROXY_CONF

<Directory />
	AllowOverride None
	Require all denied
</Directory>

# The first vhost serves the requests for unknown hosts.
<VirtualHost *:$port>
	ServerName default.invalid
	Redirect 404 /
</VirtualHost>

IncludeOptional $vhost_dir/*.conf
EOF
	} >"$dir/httpd.conf"

	apache2 -f "$dir/httpd.conf" -t >"$dir/configtest.log" 2>&1 || {
		cat "$dir/configtest.log" >&2
		return 1
	}
	# In the foreground, so that $! is Apache's main process from the start:
	# with -k start the pid file appears only after the command returns.
	apache2 -f "$dir/httpd.conf" -DFOREGROUND >"$dir/apache2.log" 2>&1 &
	pid=$!
	echo "$pid" >"$dir/apache2.pid"
	if ! ctui_test_wait_for "$pid" curl -s -o /dev/null "http://127.0.0.1:$port/"; then
		echo "servers.sh: apache2 did not respond on 127.0.0.1 port $port; its logs:" >&2
		cat "$dir/apache2.log" >&2
		tail -n 20 "$dir/error.log" >&2
		ctui_test_stop_apache "$dir"
		return 1
	fi
	echo "apache2 -f $dir/httpd.conf -t"
	# SIGUSR1 is Apache's graceful restart. "apache2 -k graceful" would
	# start a new Apache when this one is gone, one that no teardown stops.
	echo "kill -USR1 $pid"
}

ctui_test_stop_apache() {
	local dir=${1:?DIR}
	ctui_test_kill_pidfile "$dir/apache2.pid"
}

# Pebble serves its ACME API over TLS and Debian ships no certificate for
# it: a CA of the test's own signs one for localhost, 127.0.0.1 and ::1.
ctui_test_pebble_tls() {
	local dir=$1
	openssl req -x509 -new -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
		-keyout "$dir/tls-ca.key" -out "$dir/tls-ca.pem" -days 2 \
		-subj "/CN=ctui test CA for pebble" 2>/dev/null || return 1
	openssl req -x509 -new -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
		-keyout "$dir/tls.key" -out "$dir/tls.pem" -days 2 -subj /CN=localhost \
		-addext "subjectAltName=DNS:localhost,IP:127.0.0.1,IP:::1" \
		-addext "basicConstraints=critical,CA:FALSE" \
		-CA "$dir/tls-ca.pem" -CAkey "$dir/tls-ca.key" 2>/dev/null
}

ctui_test_start_pebble() {
	local dir=${1:?DIR} http_port=${2:?HTTP_PORT} dns_port=${3:?DNS_PORT}
	local acme_port management_port tls_port pid

	mkdir -p "$dir" || return 1
	dir=$(cd "$dir" && pwd)
	acme_port=$(ctui_test_free_port) || return 1
	management_port=$(ctui_test_free_port) || return 1
	tls_port=$(ctui_test_free_port) || return 1
	ctui_test_pebble_tls "$dir" || return 1
	cat >"$dir/pebble.json" <<EOF
{
  "pebble": {
    "listenAddress": "127.0.0.1:$acme_port",
    "managementListenAddress": "127.0.0.1:$management_port",
    "certificate": "$dir/tls.pem",
    "privateKey": "$dir/tls.key",
    "httpPort": $http_port,
    "tlsPort": $tls_port,
    "ocspResponderURL": "",
    "externalAccountBindingRequired": false
  }
}
EOF
	# No sleep before validation, every nonce accepted and no reuse of
	# authorizations, so that every test run behaves the same and fast.
	PEBBLE_VA_NOSLEEP=1 PEBBLE_WFE_NONCEREJECT=0 PEBBLE_AUTHZREUSE=0 \
		pebble -config "$dir/pebble.json" -dnsserver "127.0.0.1:$dns_port" \
		>"$dir/pebble.log" 2>&1 &
	pid=$!
	echo "$pid" >"$dir/pebble.pid"
	# Pebble makes a new issuing root at each start.
	if ! ctui_test_wait_for "$pid" curl -fsS --cacert "$dir/tls-ca.pem" \
		-o "$dir/root.pem" "https://127.0.0.1:$management_port/roots/0"; then
		echo "servers.sh: pebble did not respond on 127.0.0.1 port $management_port; its log:" >&2
		tail -n 20 "$dir/pebble.log" >&2
		ctui_test_stop_pebble "$dir"
		return 1
	fi
	echo "https://127.0.0.1:$acme_port/dir"
	echo "$dir/tls-ca.pem"
	echo "$dir/root.pem"
}

ctui_test_stop_pebble() {
	local dir=${1:?DIR}
	ctui_test_kill_pidfile "$dir/pebble.pid"
}
