# Helpers for the integration tests (POSIX sh). Sourced by run.sh and by
# every tests/integration/test_*.sh file.
#
# A test file defines functions named test_<something>; those are the
# registry (tests_in FILE lists them). run.sh runs each test function in its
# own shell process, in its own directory T_DIR, under `timeout`, with `set
# -e`; an assertion that fails prints why and exits that process non-zero.
#
# Environment given to a test by run.sh:
#   BUILD  build directory (modemcred, modemsim, tests/libfakeserial.so)
#   T_DIR  an empty temporary directory for this test only
#   FIX    shared fixtures made once per run (see make_fixtures)
#
# Simulator helpers: start_sim [modemsim options] starts one simulated modem
# with its link, store, log, stats and identity key in T_DIR (names below);
# stop_sim stops it (SIGTERM, bounded wait, then SIGKILL). A second modem can
# be started with SIM_NAME=other start_sim ...; the variables then refer to
# the last one started. Every simulator pid is recorded in T_DIR/*.simpid so
# that run.sh can stop leftovers even if the test process was killed.

# ROOT: exported by run.sh (the test processes source this file from sh -c)
. "$ROOT/tests/simctl.sh"

CLI="$BUILD/modemcred"
SIM="$BUILD/modemsim"
PRELOAD="$BUILD/tests/libfakeserial.so"
PY=/usr/bin/python3
# libFuzzer/ASan builds: harmless when not under ASan
# Sanitizer builds: a report must never pass for an expected exit code (1),
# so reports exit with 86/87; run.sh also scans every output for them.
ASAN_OPTIONS="${ASAN_OPTIONS:-exitcode=86}:verify_asan_link_order=0"
UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:exitcode=87}"
export ASAN_OPTIONS UBSAN_OPTIONS

# ---- registry ---------------------------------------------------------------

# tests_in FILE: names of the test functions a file defines, in file order.
tests_in() {
	sed -n 's/^\(test_[A-Za-z0-9_]*\) *() *{*.*$/\1/p' "$1"
}

# ---- failure ----------------------------------------------------------------

fail() {
	echo "  ASSERTION FAILED: $*" >&2
	if [ -n "${OUT:-}" ] && [ -f "$OUT" ]; then
		echo "  --- last stdout:" >&2; head -c 3000 "$OUT" | sed 's/^/  | /' >&2; echo >&2
	fi
	if [ -n "${ERR:-}" ] && [ -f "$ERR" ]; then
		echo "  --- last stderr:" >&2; head -c 3000 "$ERR" | sed 's/^/  | /' >&2; echo >&2
	fi
	if [ -n "${LOG:-}" ] && [ -f "$LOG" ]; then
		echo "  --- simulator log (tail):" >&2; tail -n 15 "$LOG" | sed 's/^/  | /' >&2
	fi
	exit 1
}

note() { echo "  note: $*" >&2; }

# ---- simulator --------------------------------------------------------------

# start_sim [modemsim options...]
# Sets LINK STORE LOG STATS IDKEY SIMPID. Fails the test if the link does not
# appear within 20 s.
start_sim() {
	n="${SIM_NAME:-sim}"
	LINK="$T_DIR/$n.link"
	STORE="${SIM_STORE:-$T_DIR/$n.store}"
	LOG="$T_DIR/$n.log"
	STATS="$T_DIR/$n.stats"
	IDKEY="$T_DIR/$n.identity.pem"
	rm -f "$STATS"
	SIM_PIDFILE="$T_DIR/$n.simpid"
	_rc=0
	sim_start "$LINK" "$T_DIR/$n.out" --store "$STORE" --log "$LOG" --stats "$STATS" \
		--identity-key-out "$IDKEY" "$@" || _rc=$?
	if [ "$_rc" -eq 1 ]; then
		echo "  modemsim output:" >&2; sed 's/^/  | /' "$T_DIR/$n.out" >&2
		fail "modemsim $* exited before creating its link"
	fi
	[ "$_rc" -eq 0 ] || fail "modemsim $* did not create $LINK within 20 s"
	# the identity key file is written at start; give it a moment if needed
	sim_wait_file "$IDKEY" 20
}

# stop_sim [pid]: SIGTERM, wait up to 5 s for the exit (stats written, link
# removed), then SIGKILL.
stop_sim() {
	p="${1:-${SIMPID:-}}"
	[ -n "$p" ] || return 0
	sim_stop "$p" || note "modemsim $p ignored SIGTERM for 5 s; killing it"
	for f in "$T_DIR"/*.simpid; do
		[ -f "$f" ] && [ "$(cat "$f")" = "$p" ] && rm -f "$f"
	done
	return 0
}

# kill every simulator this test started (EXIT trap of each test process)
stop_all_sims() {
	for f in "$T_DIR"/*.simpid; do
		[ -f "$f" ] || continue
		stop_sim "$(cat "$f")"
	done
}

# reset_sim: reset the simulated device (SIGUSR1: banner with --banner, CFUN 0,
# CMEE 0, echo off, unanswered input dropped) and wait until it has happened
# (its RESET line in the log).
reset_sim() {
	_resets=$(log_count '^RESET$')
	kill -USR1 "$SIMPID"
	_i=0
	while [ "$(log_count '^RESET$')" -le "$_resets" ]; do
		_i=$((_i + 1))
		[ "$_i" -le 200 ] || fail "modemsim did not reset within 10 s of SIGUSR1"
		sleep 0.05
	done
}

# sim_stat NAME: a value from the --stats file (after stop_sim)
sim_stat() {
	sed -n "s/^$1 \([0-9]*\)$/\1/p" "$STATS"
}

# log_count REGEX: lines of the simulator's log that match REGEX
log_count() {
	if [ -f "$LOG" ]; then grep -c "$1" "$LOG" || true; else echo 0; fi
}

# start_pymodem NAME SCRIPT [options...]: one of the scripted Python modems
# (tests/tools/ptymodem.py and those built on it) on LINK=$T_DIR/NAME.link,
# its output in $T_DIR/NAME.out, its pid in SIMPID and in NAME.simpid (so
# run.sh and stop_all_sims stop it whatever happens to the test). Fails the
# test if it exits or has made no link within 20 s.
start_pymodem() {
	_name=$1 _script=$2
	shift 2
	LINK="$T_DIR/$_name.link"
	rm -f "$LINK"
	"$PY" "$_script" --link "$LINK" "$@" >>"$T_DIR/$_name.out" 2>&1 &
	SIMPID=$!
	echo "$SIMPID" >"$T_DIR/$_name.simpid"
	_i=0
	while [ ! -e "$LINK" ]; do
		sim_alive "$SIMPID" ||
			{ cat "$T_DIR/$_name.out" >&2; fail "$(basename "$_script") $* exited"; }
		_i=$((_i + 1))
		[ "$_i" -le 400 ] || fail "$(basename "$_script") $* made no link within 20 s"
		sleep 0.05
	done
}

# wait_for PATTERN FILE WHAT: wait until FILE has a line matching PATTERN
# (an event: a command reached the modem, the CLI said something), polling
# every 50 ms; fails the test with WHAT only if it never comes within 60 s,
# so a loaded machine just waits longer.
wait_for() {
	_w=0
	until grep -q -e "$1" "$2" 2>/dev/null; do
		_w=$((_w + 1))
		[ "$_w" -lt 1200 ] || fail "$3"
		sleep 0.05
	done
}

# Holding an answer back (modemsim --hold-file): a test that must make
# something happen while the modem works on a command, a signal to the CLI
# say, starts the modem with --hold-file "$(hold_file)", names the command
# with hold_next TEXT before starting the CLI, and then signal_held: events
# all the way, never a race against --latency-ms on a loaded machine.
hold_file() { echo "$T_DIR/hold"; }

# hold_next TEXT: the modem holds the next command that contains TEXT
hold_next() {
	_held=$(log_count '^HELD$')
	printf '%s\n' "$1" >"$(hold_file)"
}

# signal_held PID SIGNAL: once the modem holds that command, send SIGNAL to
# PID; the modem answers once the CLI's stderr ($ERR) says it got the signal
signal_held() {
	_w=0
	while [ "$(log_count '^HELD$')" -le "$_held" ]; do
		_w=$((_w + 1))
		[ "$_w" -lt 1200 ] || fail "the modem never got the command to hold"
		sleep 0.05
	done
	kill "-$2" "$1"
	wait_for "interrupted" "$ERR" "the CLI never said it got SIG$2"
	rm -f "$(hold_file)"
}

# wait_for_log TEXT: wait until the modem's log shows TEXT (a fixed string)
wait_for_log() {
	_w=0
	while ! grep -q -F -e "$1" "$LOG" 2>/dev/null; do
		_w=$((_w + 1))
		[ "$_w" -lt 1200 ] || fail "'$1' never reached the modem"
		sleep 0.05
	done
}

assert_nothing_sent() {
	c=$(log_count 'CMNG')
	[ "$c" -eq 0 ] || fail "$1: expected no %CMNG command at the modem, log has $c"
}

# ---- running the CLI ----------------------------------------------------------

T_DIR="${T_DIR:-${TMPDIR:-/tmp}}"
OUT="$T_DIR/out"
ERR="$T_DIR/err"
MC_TIMEOUT="${MC_TIMEOUT:-40}"

# mc [args...]: run the CLI on the current simulator's link. Sets RC; stdout
# in $OUT, stderr in $ERR. Never fails by itself; never hangs. Standard input
# is no terminal (/dev/null), also when the suite runs at one: a command that
# would ask (clear) behaves as in a script.
mc() {
	RC=0
	timeout -k 3 "$MC_TIMEOUT" "$CLI" -p "$LINK" "$@" </dev/null >"$OUT" 2>"$ERR" || RC=$?
	cat "$ERR" >>"$T_DIR/stderr.all"
	return 0
}

# mcx [args...]: the CLI without a port (verify, --help, ...)
mcx() {
	RC=0
	timeout -k 3 "$MC_TIMEOUT" "$CLI" "$@" </dev/null >"$OUT" 2>"$ERR" || RC=$?
	cat "$ERR" >>"$T_DIR/stderr.all"
	return 0
}

# mc_in FILE [args...]: as mc with stdin from FILE
mc_in() {
	_in="$1"; shift
	RC=0
	timeout -k 3 "$MC_TIMEOUT" "$CLI" -p "$LINK" "$@" <"$_in" >"$OUT" 2>"$ERR" || RC=$?
	cat "$ERR" >>"$T_DIR/stderr.all"
	return 0
}

# ---- assertions ---------------------------------------------------------------

expect_rc() {
	[ "$RC" = "$1" ] || fail "${2:-command}: expected exit $1, got $RC"
}

expect_ok() { expect_rc 0 "$1"; }

expect_nonzero() {
	[ "$RC" != 0 ] || fail "${1:-command}: expected a failure, got exit 0"
}

out_has() {
	grep -q -e "$1" "$OUT" || fail "${2:-stdout} should contain '$1'"
}

out_hasi() {
	grep -qi -e "$1" "$OUT" || fail "${2:-stdout} should contain '$1' (any case)"
}

out_lacks() {
	! grep -q -e "$1" "$OUT" || fail "${2:-stdout} should not contain '$1'"
}

err_has() {
	grep -q -e "$1" "$ERR" || fail "${2:-stderr} should contain '$1'"
}

err_hasi() {
	grep -qi -e "$1" "$ERR" || fail "${2:-stderr} should contain '$1' (any case)"
}

err_lacks() {
	! grep -q -F -e "$1" "$ERR" || fail "${2:-stderr} should not contain '$1'"
}

either_hasi() {
	cat "$OUT" "$ERR" | grep -qi -e "$1" || fail "${2:-output} should mention '$1'"
}

files_equal() {
	cmp -s "$1" "$2" || fail "${3:-files} differ: $1 vs $2 ($(wc -c <"$1") vs $(wc -c <"$2") bytes)"
}

expect_eq() {
	[ "$1" = "$2" ] || fail "${3:-value}: expected '$2', got '$1'"
}

# ---- data helpers ---------------------------------------------------------------

# header_version: "major.minor.patch" from MCRED_VERSION_* of include/modemcred.h
header_version() {
	for _part in MAJOR MINOR PATCH; do
		sed -n "s/^#define MCRED_VERSION_$_part \([0-9]*\)$/\1/p" "$ROOT/include/modemcred.h"
	done | paste -sd .
}

# sha256 (upper-case) of a file as is
sha_of() { sha256sum "$1" | cut -c1-64 | tr a-f A-F; }

# sha256 (upper-case) of a file with CRLF turned into LF
sha_lf() { sed 's/\r$//' "$1" | sha256sum | cut -c1-64 | tr a-f A-F; }

# lf_copy IN OUT: IN with CRLF turned into LF
lf_copy() { sed 's/\r$//' "$1" >"$2"; }

# crlf_copy IN OUT: IN with every LF turned into CRLF
crlf_copy() { sed 's/$/\r/' "$1" >"$2"; }

# json EXPR: evaluate a Python expression with j = the JSON on $OUT; prints it
json() {
	$PY -c '
import json, sys
j = json.load(open(sys.argv[1]))
r = eval(sys.argv[2])
print("null" if r is None else (str(r).lower() if isinstance(r, bool) else r))
' "$OUT" "$1" 2>"$T_DIR/json.err" || { cat "$T_DIR/json.err" >&2; fail "stdout is not the JSON expected ($1)"; }
}

# list_sha TAG TYPE: digest of TAG/TYPE in `list --json` ("" when absent, null when none)
list_sha() {
	mc --json list
	expect_ok "list --json"
	json "next((('null' if c.get('sha256') is None else c['sha256']) for c in j if int(c['tag']) == $1 and int(c['type']) == $2), '')"
}

# make_pem OUT NBYTES_RANDOM [LABEL]: a syntactically plausible PEM of
# random base64 (not parsed by anything), LF line endings
make_pem() {
	{
		echo "-----BEGIN ${3:-CERTIFICATE}-----"
		head -c "$2" /dev/urandom | base64 -w 64
		echo "-----END ${3:-CERTIFICATE}-----"
	} >"$1"
}

now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", b - a }'; }
# lt A B: true when A < B (decimals)
lt() { awk -v a="$1" -v b="$2" 'BEGIN { exit !(a < b) }'; }

# make_fixtures DIR: shared inputs, made once per run
make_fixtures() {
	d="$1"
	mkdir -p "$d"
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
		-keyout "$d/ca.key" -out "$d/ca.pem" -subj "/O=modemcred test/CN=Test Root CA" \
		-days 2 >/dev/null 2>&1 || return 1
	openssl req -new -x509 -key "$d/ca.key" -out "$d/cert.pem" \
		-subj "/CN=device-1" -days 2 >/dev/null 2>&1 || return 1
	openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$d/key.pem" \
		>/dev/null 2>&1 || return 1
	printf 'secret-pass' >"$d/password"
	openssl pkcs8 -topk8 -v2 aes-256-cbc -in "$d/key.pem" -out "$d/key.enc.pem" \
		-passout pass:secret-pass >/dev/null 2>&1 || return 1
	printf '0123456789abcdef0123456789ABCDEF' >"$d/psk.hex"
	printf 'device-1@example.com' >"$d/psk-id.txt"
	openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 2>/dev/null |
		openssl pkey -pubout -out "$d/wrong-identity.pem" >/dev/null 2>&1 || return 1
	crlf_copy "$d/ca.pem" "$d/ca.crlf.pem"
	make_pem "$d/big2k.pem" 1500
	make_pem "$d/big5k.pem" 3700
	return 0
}

# exported_symbols SO: "name VERSION" of each mcred_ function SO exports,
# in the order and form of tests/fixtures/abi/symbols.txt
exported_symbols() {
	objdump -T "$1" | awk '$NF ~ /^mcred_/ { v = $(NF-1); gsub(/[()]/, "", v); print $NF, v }' |
		LC_ALL=C sort
}
