# Screen tests of the interactive interface: ctui runs inside tmux on a
# private socket, the test sends keys and compares what the pane shows with
# golden files in tests/tui/golden/ (GENERATE=1 writes them anew). Source it
# after sysenv.sh; call tui_setup, then tui_start.

TUI_SOCKET=ctui-test-$$
TUI_GOLDEN=$CTUI_SRC/tests/tui/golden

tui_tmux() {
	tmux -L "$TUI_SOCKET" -f /dev/null "$@"
}

# Skips the test without tmux, sets up the servers with a subnet whose
# addresses always have the same width (10.2XX.1YY.Z, so that the table's
# columns do not move between runs), and stops tmux at exit.
tui_setup() {
	command -v tmux >/dev/null || skip_all "skipped: tmux is not installed (make test-deps)"
	sysenv_setup
	trap tui_teardown EXIT

	local i second third
	for i in $(seq 0 99); do
		second=$((200 + ($$ + i) % 50)); third=$((100 + ($$ / 50 + i) % 100))
		if subnet_is_free "10.$second.$third"; then
			NET=10.$second.$third
			sysenv_write_config "$CONF" "$NET.0/24" "$NET.254"
			echo "# the screen tests use the subnet $NET.0/24 instead"
			return 0
		fi
	done
	echo "no free test subnet of the form 10.2XX.1YY.0/24" >&2
	exit 1
}

tui_teardown() {
	local status=$?
	tui_tmux kill-server 2>/dev/null
	(exit "$status")
	sysenv_teardown
}

# tui_start COLUMNS LINES [VAR=VALUE...] [-- CTUI ARGUMENTS...]: starts
# ctui in a new pane of that size. The pane stays after ctui exits and then
# shows "ctui exited with status N".
tui_start() {
	local columns=$1 lines=$2
	shift 2
	local env=(LANG=C.UTF-8 TERM=screen CTUI_THEME_DIR="$CTUI_SRC/themes")
	while [ $# -gt 0 ] && [ "$1" != -- ]; do env+=("$1"); shift; done
	[ "${1:-}" = -- ] && shift
	local command
	command=$(printf '%q ' env -u NO_COLOR -u VISUAL -u EDITOR "${env[@]}" "$CTUI" --config "$CONF" "$@")
	tui_tmux kill-server 2>/dev/null
	sleep 0.2
	tui_tmux new-session -d -s tui -x "$columns" -y "$lines" \
		"$command; echo \"ctui exited with status \$?\"; sleep 3600"
	# Until the footer is drawn, or ctui has exited (a refused theme).
	local i
	for ((i = 0; i < 100; i++)); do
		tui_capture | grep -qE '^F1|ctui exited with status' && return 0
		sleep 0.1
	done
	not_ok "ctui starts within 10 s" "$(tui_capture)"
}

tui_keys() {
	tui_tmux send-keys -t tui "$@"
	sleep 0.3
}

tui_resize() {
	tui_tmux resize-window -t tui -x "$1" -y "$2"
	sleep 0.5
}

# The pane as text, without trailing blanks.
tui_capture() {
	tui_tmux capture-pane -p -t tui | sed 's/ *$//'
}

# The pane with its colours and attributes as escape sequences.
tui_capture_escapes() {
	tui_tmux capture-pane -p -e -t tui
}

# Replaces what changes from run to run with fixed text of the same width
# where the layout depends on it: host figures, the test's prefix and
# subnet, times, template versions, live CPU and memory, graphs. In French
# the host figures do not fit in 80 columns and are cut where their widths
# decide, so that whole line after the site count is replaced.
tui_normalize() {
	sed -E \
		-e "s|$T|/tmp/ctui-systest.XXXXXX|g" \
		-e 's/CPU: [0-9]+%/CPU: N%/' \
		-e 's/Memory: [0-9.]+[BKMGT] of [0-9.]+[BKMGT]/Memory: M of M/' \
		-e 's/10\.2[0-9]{2}\.1[0-9]{2}\./10.2XX.1YY./g' \
		-e 's/[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2}/YYYY-MM-DD hh:mm:ss/g' \
		-e 's/[0-9]{8}T[0-9]{6}Z/YYYYMMDDThhmmssZ/g' \
		-e 's/\(([0-9]+) s\)/(N s)/g' \
		-e '/ running /s/ +([0-9]+\.[0-9]|-) +([0-9.]+[BKMGT]|-)$/ <cpu> <memory>/' \
		-e 's/^ (CPU|Memory)( +)[^ a-z].*$/ \1\2<graph>/' \
		-e 's/^( Sites : [0-9]+ sur [0-9]+ en marche ).*$/\1  <host figures>/' \
		-e 's/^ (CPU|Mém\.)( +)[^ a-z].*$/ \1\2<graph>/'
}

# tui_wait_for TEXT [SECONDS]: waits until the pane shows TEXT; a failed
# check with the screen when it does not in time (10 s by default).
tui_wait_for() {
	local text=$1 limit=$(( ${2:-10} * 10 )) i
	for ((i = 0; i < limit; i++)); do
		tui_capture | grep -qF -- "$text" && return 0
		sleep 0.1
	done
	not_ok "screen shows \"$text\" within $((limit / 10)) s" "$(tui_capture)"
	return 1
}

# check_screen NAME: compares the normalized pane with tests/tui/golden/NAME.txt.
check_screen() {
	local name=$1 golden=$TUI_GOLDEN/$1.txt screen
	screen=$(tui_capture | tui_normalize)
	if [ "${GENERATE:-0}" = 1 ]; then
		mkdir -p "$TUI_GOLDEN"
		printf '%s\n' "$screen" >"$golden"
		ok "screen $name (golden file written)"
		return
	fi
	if [ ! -f "$golden" ]; then
		not_ok "screen $name" "no golden file $golden: run the test with GENERATE=1"
		return
	fi
	local difference
	if difference=$(diff -u "$golden" <(printf '%s\n' "$screen")); then
		ok "screen $name"
	else
		not_ok "screen $name" "$difference"
	fi
}

# check_screen_contains DESCRIPTION TEXT: the pane shows TEXT now.
check_screen_contains() {
	check_contains "$1" "$2" "$(tui_capture)"
}

# A mouse click at column X, row Y (0-based), as xterm's X10 encoding that
# ncurses reads with TERM=screen: a press of button 1, then its release.
tui_click() {
	local x=$1 y=$2
	local cx cy
	cx=$(printf "\\$(printf '%03o' $((33 + x)))")
	cy=$(printf "\\$(printf '%03o' $((33 + y)))")
	tui_tmux send-keys -t tui -l $'\e[M '"$cx$cy"$'\e[M#'"$cx$cy"
	sleep 0.3
}

# The site's field from `ctui list --json`, e.g. site_field web state.
site_field() {
	ctui list --json | tr -d '\n' | sed 's/},/}\n/g' | grep "\"name\": \"$1\"" |
		sed -n "s/.*\"$2\": \"\\{0,1\\}\\([^\",}]*\\).*/\\1/p"
}
