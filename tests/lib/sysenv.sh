# Shared set-up for the root system tests: a private Apache and BIND on
# loopback ports, a test subnet and bridge that nothing else uses, a state
# directory under a temporary prefix, and checks that nothing is left behind.
# Source it from a test script; call sysenv_setup, then the assertions.

: "${CTUI_SRC:=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}"
CTUI="$CTUI_SRC/build/ctui"
source "$CTUI_SRC/tests/lib/servers.sh"

tests_run=0
tests_failed=0

# TAP-style assertions: each prints one line and counts failures; the test
# script ends with sysenv_finish, which sets the exit status.
ok() {
	tests_run=$((tests_run + 1))
	echo "ok $tests_run - $1"
}

not_ok() {
	tests_run=$((tests_run + 1))
	tests_failed=$((tests_failed + 1))
	echo "not ok $tests_run - $1"
	[ $# -gt 1 ] && printf '#   %s\n' "${@:2}"
	return 0
}

# check DESCRIPTION COMMAND...: passes when COMMAND exits 0.
check() {
	local description=$1; shift
	local output
	if output=$("$@" 2>&1); then ok "$description"; else not_ok "$description" "command: $*" "$output"; fi
}

# check_eq DESCRIPTION EXPECTED ACTUAL
check_eq() {
	if [ "$2" = "$3" ]; then ok "$1"; else not_ok "$1" "expected: $2" "actual:   $3"; fi
}

# check_contains DESCRIPTION NEEDLE HAYSTACK
check_contains() {
	case "$3" in
	*"$2"*) ok "$1" ;;
	*) not_ok "$1" "expected to contain: $2" "actual: $3" ;;
	esac
}

skip_all() {
	echo "$1"
	exit 77
}

require_root_and_tools() {
	[ "$(id -u)" -eq 0 ] || skip_all "needs root (namespaces, cgroups, bridges)"
	local tool
	for tool in apache2 named dig curl debootstrap sqlite3 ip; do
		command -v "$tool" >/dev/null || skip_all "$tool is not installed (make test-deps)"
	done
	[ -x "$CTUI" ] && [ -x "$CTUI_SRC/build/ctui-init" ] || skip_all "build ctui first (make)"
}

# Fails when any interface address or route of the host falls in 10.X.Y.0/24.
subnet_is_free() {
	local prefix=$1
	! ip -4 -o addr show | grep -q " inet ${prefix}\." &&
	! ip -4 route show | grep -q "^${prefix}\."
}

# Picks a /24 in 10.200-249.x.0 derived from the pid that nothing on the host
# uses, or fails the test clearly.
pick_subnet() {
	local i second third
	for i in 0 1 2 3 4 5 6 7; do
		second=$((200 + ($$ + i) % 50)); third=$((($$ / 50 + i) % 250 + 1))
		if subnet_is_free "10.$second.$third"; then
			echo "10.$second.$third"
			return 0
		fi
	done
	echo "no free test subnet in 10.200.0.0/16-10.249.0.0/16: every candidate is in use" >&2
	return 1
}

# The template cache survives between runs, keyed on everything that goes
# into a built base; CTUI_TEST_CACHE moves it.
template_cache_dir() {
	local key
	key=$(cat "$CTUI_SRC"/conf/templates/*.conf "$CTUI_SRC/src/engine/template.c" \
		"$CTUI_SRC/src/engine/template_build.c" |
		sha256sum | cut -c1-16)
	echo "${CTUI_TEST_CACHE:-/var/cache/ctui-test}/$key"
}

# Prints the first of COUNT consecutive free ports and claims them all.
sysenv_free_port_range() {
	local count=$1 first port busy
	for _ in $(seq 1 50); do
		first=$(ctui_test_free_port) || return 1
		busy=no
		for ((port = first + 1; port < first + count; port++)); do
			if ctui_test_port_in_use "$port" || grep -qx "$port" "$CTUI_TEST_PORT_CLAIMS"; then
				busy=yes
				break
			fi
		done
		[ "$busy" = no ] || continue
		seq "$((first + 1))" "$((first + count - 1))" >>"$CTUI_TEST_PORT_CLAIMS"
		echo "$first"
		return 0
	done
	echo "sysenv: no $count consecutive free ports found" >&2
	return 1
}

# Sets up everything a system test needs and arranges its removal at exit.
# Exports: T (the temporary prefix), CONF, ZONE, NET (first three octets),
# BRIDGE, CGROUP_PARENT, HTTP_PORT, HTTPS_PORT, DNS_PORT, VHOST_DIR, STATE_DIR,
# SFTP_TABLE, SFTP_PORT_FIRST and SFTP_PORT_LAST (SFTP_PORT_COUNT ports, 16
# unless set).
# TLS_MODE (default none) and TLS_EXTRA (more [tls] lines) shape the
# [tls] section; with TLS_MODE=acme, Apache loads mod_md.
sysenv_setup() {
	require_root_and_tools

	T=$(mktemp -d /tmp/ctui-systest.XXXXXX)
	trap sysenv_teardown EXIT
	ZONE=ctui.test
	NET=$(pick_subnet) || exit 1
	BRIDGE=ctt$$
	BRIDGE=${BRIDGE:0:15}
	CGROUP_PARENT=ctui-test-$$
	# Random ports: two test runs at once must not pick the same one.
	export CTUI_TEST_PORT_CLAIMS=$T/ports
	HTTP_PORT=$(ctui_test_free_port) || exit 1
	HTTPS_PORT=$(ctui_test_free_port) || exit 1
	DNS_PORT=$(ctui_test_free_port) || exit 1
	# SFTP: a private nftables table and port range, so that two tests never
	# forward the same port.
	SFTP_TABLE=ctui_test_$$
	SFTP_PORT_FIRST=$(sysenv_free_port_range "${SFTP_PORT_COUNT:-16}") || exit 1
	SFTP_PORT_LAST=$((SFTP_PORT_FIRST + ${SFTP_PORT_COUNT:-16} - 1))
	TLS_MODE=${TLS_MODE:-none}
	TLS_EXTRA=${TLS_EXTRA:-}
	VHOST_DIR=$T/apache/sites
	STATE_DIR=$T/state
	TEMPLATE_DIR=$(template_cache_dir)
	mkdir -p "$VHOST_DIR" "$STATE_DIR" "$TEMPLATE_DIR"

	ctui_test_start_bind "$T/bind" "$DNS_PORT" "$ZONE" ctui-test-key || exit 1
	TLS_ACME=
	if [ "$TLS_MODE" = acme ]; then
		sysenv_start_pebble || exit 1
	fi
	APACHE_COMMANDS=$(ctui_test_start_apache "$T/apache" "$HTTP_PORT" "$VHOST_DIR" "$HTTPS_PORT" \
		"$([ "$TLS_MODE" = acme ] && echo md)") || exit 1
	APACHE_CONFIGTEST=$(sed -n 1p <<<"$APACHE_COMMANDS")
	APACHE_RELOAD=$(sed -n 2p <<<"$APACHE_COMMANDS")

	CONF=$T/ctui.conf
	sysenv_write_config "$CONF" "$NET.0/24" "$NET.254"
	echo "# test prefix $T, subnet $NET.0/24, bridge $BRIDGE, http $HTTP_PORT, https $HTTPS_PORT, dns $DNS_PORT"
}

# Starts pebble against the test BIND and Apache's HTTP port. mod_md's
# http-01 responder and dns-01 hook run as www-data, which must reach the
# store and the configuration below $T. Sets TLS_ACME (the [tls] lines
# naming pebble) and PEBBLE_ROOT (the root that issues certificates).
sysenv_start_pebble() {
	local lines
	command -v pebble >/dev/null || skip_all "pebble is not installed (make test-deps)"
	chmod 755 "$T"
	lines=$(ctui_test_start_pebble "$T/pebble" "$HTTP_PORT" "$DNS_PORT") || return 1
	PEBBLE_ROOT=$(sed -n 3p <<<"$lines")
	TLS_ACME="acme_url = $(sed -n 1p <<<"$lines")
acme_ca_file = $(sed -n 2p <<<"$lines")
md_store_dir = $T/apache/md"
}

# sysenv_write_config FILE SUBNET GATEWAY
sysenv_write_config() {
	cat >"$1" <<CONF
[paths]
state_dir = $STATE_DIR
template_dir = $TEMPLATE_DIR
template_conf_dir = $CTUI_SRC/conf/templates
model_dir = $CTUI_SRC/conf/models
init = $CTUI_SRC/build/ctui-init

[network]
bridge = $BRIDGE
subnet = $2
gateway = $3

[dns]
zone = $ZONE
server = 127.0.0.1
port = $DNS_PORT
tsig_key = $T/bind/ctui-test-key.key

[host]
ipv4 = 127.0.0.1
ipv6 = ::1

[apache]
vhost_dir = $VHOST_DIR
configtest = $APACHE_CONFIGTEST
reload = $APACHE_RELOAD
http_port = $HTTP_PORT
https_port = $HTTPS_PORT

[tls]
mode = $TLS_MODE
${TLS_ACME:-}
$TLS_EXTRA

[cgroup]
parent = $CGROUP_PARENT

[container]
start_timeout = 30
stop_timeout = 5

[sftp]
ports = $SFTP_PORT_FIRST-$SFTP_PORT_LAST
table = $SFTP_TABLE
CONF
}

ctui() {
	"$CTUI" --config "$CONF" "$@"
}

# Fetches http://127.0.0.1:HTTP_PORT/ through the host Apache as HOST;
# prints the status code, a space, and the body.
fetch() {
	local body status
	body=$(curl -s -o - -w '\n%{http_code}' --max-time 10 -H "Host: $1" "http://127.0.0.1:$HTTP_PORT/")
	status=${body##*$'\n'}
	echo "$status ${body%$'\n'*}"
}

# Queries the test BIND for NAME and TYPE and prints the records.
resolve() {
	dig +short +time=2 +tries=1 -p "$DNS_PORT" @127.0.0.1 "$1" "${2:-A}"
}

# Everything of the test's that could outlive it, one line each; empty when
# nothing is left.
leftovers() {
	ip -o link show 2>/dev/null | awk -F': ' '{print $2}' | sed 's/@.*//' |
		grep -E "^($BRIDGE|v[0-9a-f]{8})$" | while read -r ifname; do
		case $ifname in
		"$BRIDGE") echo "bridge $ifname" ;;
		*) ip -o link show "$ifname" | grep -q "master $BRIDGE" && echo "veth $ifname" ;;
		esac
	done
	find /sys/fs/cgroup -maxdepth 2 -name "$CGROUP_PARENT" -type d 2>/dev/null | while read -r dir; do
		find "$dir" -mindepth 1 -type d | sed 's/^/cgroup /'
	done
	grep -F "$T" /proc/mounts | awk '{print "mount " $2}'
	losetup -l -n -O NAME,BACK-FILE 2>/dev/null | grep -F "$T" | sed 's/^/loop /'
	[ -n "${SFTP_TABLE:-}" ] && nft list table inet "$SFTP_TABLE" >/dev/null 2>&1 &&
		echo "nftables table inet $SFTP_TABLE"
	for pid in $(ls /proc | grep -E '^[0-9]+$'); do
		[ -r "/proc/$pid/cgroup" ] && grep -q "/$CGROUP_PARENT/" "/proc/$pid/cgroup" 2>/dev/null &&
			echo "process $pid"
	done
	return 0
}

# Receives syslog messages in $T/syslog when the host has no syslog daemon
# (no /dev/log): a datagram socket at /dev/log, removed at teardown. Returns
# 1 when a daemon owns /dev/log, so the caller can skip its syslog checks.
sysenv_capture_syslog() {
	[ -e /dev/log ] && return 1
	command -v socat >/dev/null || return 1
	socat -u UNIX-RECV:/dev/log,mode=666 "OPEN:$T/syslog,creat,append" &
	SYSLOG_PID=$!
	for _ in $(seq 50); do [ -S /dev/log ] && return 0; sleep 0.02; done
	return 1
}

sysenv_teardown() {
	local status=$?
	set +e
	if [ -n "${SYSLOG_PID:-}" ]; then
		kill "$SYSLOG_PID" 2>/dev/null
		wait "$SYSLOG_PID" 2>/dev/null
		rm -f /dev/log
	fi
	# Stop every site of this test so that no container outlives it.
	if [ -n "${CONF:-}" ] && [ -x "$CTUI" ]; then
		for name in $("$CTUI" --config "$CONF" list --json 2>/dev/null |
			sed -n 's/.*"name": "\([a-z0-9-]*\)".*/\1/p'); do
			"$CTUI" --config "$CONF" destroy "$name" >/dev/null 2>&1
		done
	fi
	# Apache goes before the bridge: with the bridge gone, a vhost left by a
	# failed destroy would proxy to the test subnet through the default route.
	ctui_test_stop_apache "$T/apache" 2>/dev/null
	ctui_test_stop_bind "$T/bind" 2>/dev/null
	ctui_test_stop_pebble "$T/pebble" 2>/dev/null
	[ -n "${BRIDGE:-}" ] && ip link del "$BRIDGE" 2>/dev/null
	[ -n "${SFTP_TABLE:-}" ] && nft delete table inet "$SFTP_TABLE" 2>/dev/null
	[ -n "${CGROUP_PARENT:-}" ] && find /sys/fs/cgroup -maxdepth 2 -name "$CGROUP_PARENT" -type d \
		-exec rmdir {} + 2>/dev/null
	if [ "${KEEP:-0}" = 1 ]; then
		echo "# kept $T"
	else
		rm -rf --one-file-system "$T"
	fi
	exit "$status"
}

# Ends the test: prints the plan and exits non-zero when any check failed.
sysenv_finish() {
	echo "1..$tests_run"
	[ "$tests_failed" -eq 0 ] || { echo "# $tests_failed of $tests_run checks failed"; exit 1; }
	exit 0
}
