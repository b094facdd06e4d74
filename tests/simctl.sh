# Shared helpers for the shell scripts that drive the simulated modem
# (POSIX sh): tests/demo.sh, tests/bench.sh, tests/valgrind.sh and
# tests/integration/lib.sh. Sourced, never run; it only defines functions.
# Safe under `set -e` (the integration tests use it): nothing here fails
# except through the documented return codes.
#
#   resolve_build TOP [BUILD]   ROOT=TOP made absolute, cd there; BUILD
#                               (default build) made absolute under ROOT
#   sim_start LINK OUT [opts]   start BUILD/modemsim on LINK, wait for it
#   sim_wait_file FILE [N]      wait for FILE to be written
#   sim_alive PID               the simulator PID is still running
#   sim_stop [PID]              SIGTERM, bounded wait, SIGKILL, reap
#   sim_cleanup_trap DIR        at exit: stop every simulator sim_start
#                               started and sim_stop did not, remove DIR

# resolve_build TOP [BUILD]: sets ROOT and BUILD and changes to ROOT. The
# scripts run from anywhere (make, by hand), so paths are made absolute
# before anything changes directory.
resolve_build() {
	ROOT=$(cd "$1" && pwd) || exit 1
	cd "$ROOT" || exit 1
	BUILD="${2:-build}"
	case "$BUILD" in /*) ;; *) BUILD="$ROOT/$BUILD" ;; esac
}

# sim_alive PID: true while PID runs. A zombie (exited, not yet reaped)
# counts as dead: kill -0 would still succeed on it.
sim_alive() {
	[ -r "/proc/$1/stat" ] || return 1
	_sim_st=$(sed 's/^.*) \(.\).*$/\1/' "/proc/$1/stat" 2>/dev/null) || return 1
	[ "$_sim_st" != Z ] && [ -n "$_sim_st" ]
}

# sim_start LINK OUT [modemsim options...]: start $BUILD/modemsim on the
# pseudo-terminal link LINK in the background, its stdout and stderr
# appended to OUT; sets SIMPID, and writes it to the file SIM_PIDFILE if
# that is set (before waiting, so that a supervisor can kill a leftover
# even if this shell is killed meanwhile). Waits up to 20 s for LINK to
# appear (generous for a loaded machine: it returns as soon as LINK is
# there). Returns 0 once it has, 1 if modemsim exited first, 2 after 20 s.
sim_start() {
	_sim_link="$1" _sim_out="$2"
	shift 2
	rm -f "$_sim_link"
	"$BUILD/modemsim" --link "$_sim_link" "$@" >>"$_sim_out" 2>&1 &
	SIMPID=$!
	SIM_PIDS="${SIM_PIDS:-} $SIMPID" # for the cleanup trap: every one started
	[ -z "${SIM_PIDFILE:-}" ] || echo "$SIMPID" >"$SIM_PIDFILE"
	_sim_i=0
	while [ ! -e "$_sim_link" ]; do
		if ! sim_alive "$SIMPID"; then
			wait "$SIMPID" 2>/dev/null || true
			return 1
		fi
		_sim_i=$((_sim_i + 1))
		[ "$_sim_i" -le 400 ] || return 2
		sleep 0.05
	done
	return 0
}

# sim_wait_file FILE [N]: wait up to N x 50 ms (default 20) until FILE is
# not empty. The identity key file is written at start, but not
# necessarily before the link appears.
sim_wait_file() {
	_sim_i=0
	while [ ! -s "$1" ] && [ "$_sim_i" -lt "${2:-20}" ]; do
		_sim_i=$((_sim_i + 1))
		sleep 0.05
	done
}

# sim_stop [PID]: stop PID (default $SIMPID): SIGTERM, wait up to 5 s for
# the exit (stats written, link removed), then SIGKILL; reaps it and
# clears SIMPID if it was that one. Returns 1 if it had to be killed.
sim_stop() {
	_sim_p="${1:-${SIMPID:-}}"
	[ -n "$_sim_p" ] || return 0
	kill -TERM "$_sim_p" 2>/dev/null || true
	_sim_i=0
	while sim_alive "$_sim_p" && [ "$_sim_i" -lt 100 ]; do
		_sim_i=$((_sim_i + 1))
		sleep 0.05
	done
	_sim_rc=0
	if sim_alive "$_sim_p"; then
		kill -KILL "$_sim_p" 2>/dev/null || true
		_sim_rc=1
	fi
	wait "$_sim_p" 2>/dev/null || true
	[ "$_sim_p" != "${SIMPID:-}" ] || SIMPID=""
	SIM_PIDS=$(echo " ${SIM_PIDS:-} " | sed "s/ $_sim_p / /")
	return "$_sim_rc"
}

# sim_cleanup_trap DIR: on exit stop the simulator in SIMPID and remove
# DIR. INT and TERM exit with 130 and 143 so that the EXIT trap runs.
sim_cleanup_trap() {
	_sim_tmpdir="$1"
	SIMPID="${SIMPID:-}"
	trap '_sim_cleanup' EXIT
	trap 'exit 130' INT
	trap 'exit 143' TERM
}
_sim_cleanup() {
	for _sim_left in ${SIM_PIDS:-}; do
		sim_stop "$_sim_left"
	done
	rm -rf "$_sim_tmpdir"
}
