# Replaying the real modem answers of tests/fixtures/transcripts/ to the CLI:
# the helpers that test_transcripts.sh (each transcript's own expectations)
# and tests/metamorphic/test_metamorphic.sh (the same verdicts with lines a
# device prints on its own put in) share. Sourced after lib.sh.

TRANSCRIPTS="$ROOT/tests/fixtures/transcripts"
REPLAY="$ROOT/tests/tools/ptymodem.py"

# header FILE KEY: the values of "# KEY: value" lines of FILE, one a line
header() {
	sed -n "s/^# $2:[ ]\{0,1\}//p" "$1"
}

# start_replay FILE [ptymodem options]: a replay modem on $LINK answering
# from FILE; its log of received commands in $LOG. The pid goes to a *.simpid
# file, so that run.sh and stop_all_sims stop it whatever happens to the test.
start_replay() {
	LOG="$T_DIR/replay.log"
	: >"$LOG"
	_file=$1
	shift
	set -- --replay "$_file" --log "$LOG" "$@"
	_cfun=$(header "$_file" cfun)
	[ -z "$_cfun" ] || set -- "$@" --cfun "$_cfun"
	_stale=$(header "$_file" stale)
	[ -z "$_stale" ] || set -- "$@" --stale "$_stale"
	start_pymodem replay "$REPLAY" "$@"
}

# each_header FILE KEY: the values of KEY into $T_DIR/values (read back with
# a redirect, not a pipe, so that fail ends the test process itself)
each_header() {
	header "$1" "$2" >"$T_DIR/values"
}

# check_output WHAT FILE FILE_KEY...: the expectations of one output stream
check_output() {
	_what="$1" _file="$2" _key="$3"
	each_header "$TRANSCRIPT" "$_key"
	while IFS= read -r _re; do
		grep -q -E -e "$_re" "$_file" || fail "$_what should match /$_re/"
	done <"$T_DIR/values"
	each_header "$TRANSCRIPT" "$_key-not"
	while IFS= read -r _re; do
		! grep -q -E -e "$_re" "$_file" || fail "$_what should not match /$_re/"
	done <"$T_DIR/values"
}

# check_json KEY: every "KEY: <python expression>" is true with j = the JSON
# on $OUT
check_json() {
	each_header "$TRANSCRIPT" "$1"
	while IFS= read -r _expr; do
		$PY -c '
import json, sys
j = json.load(open(sys.argv[1]))
sys.exit(0 if eval(sys.argv[2]) else 1)
' "$OUT" "$_expr" 2>"$T_DIR/json.err" || { cat "$T_DIR/json.err" >&2; fail "JSON: $_expr"; }
	done <"$T_DIR/values"
}

# check_sent: the commands the replay modem received (its log, one command a
# line, Python-escaped) hold every expect-sent line, match every
# expect-sent-re pattern and no expect-not-sent pattern
check_sent() {
	each_header "$TRANSCRIPT" expect-sent
	while IFS= read -r _cmd; do
		grep -q -F -x -e "$_cmd" "$LOG" || fail "the modem should have received: $_cmd"
	done <"$T_DIR/values"
	each_header "$TRANSCRIPT" expect-sent-re
	while IFS= read -r _re; do
		grep -q -E -e "$_re" "$LOG" || fail "the modem should have received a command matching /$_re/"
	done <"$T_DIR/values"
	each_header "$TRANSCRIPT" expect-not-sent
	while IFS= read -r _re; do
		! grep -q -E -e "$_re" "$LOG" || fail "the modem should not have received /$_re/"
	done <"$T_DIR/values"
}

# check_files_absent: no "expect-file-absent:" path exists (paths may use
# $T_DIR, expanded like the run: arguments)
check_files_absent() {
	each_header "$TRANSCRIPT" expect-file-absent
	while IFS= read -r _path; do
		eval "_path=$_path"
		[ ! -e "$_path" ] || fail "$_path should not have been written"
	done <"$T_DIR/values"
}

# answer_of FILE OUT: the %KEYGEN or %ATTESTTOKEN answer of a transcript as
# the modem sent it (for `modemcred verify`): from its "< %KEYGEN: " line up
# to the line that closes the quotes (the reference page wraps the blob)
answer_of() {
	awk '/^< %(KEYGEN|ATTESTTOKEN): "/ { on = 1 }
		on { line = substr($0, 3); print line
			if (line ~ /"$/ && line !~ /^%[A-Z]+: "$/) exit }' "$1" >"$2"
	[ -s "$2" ] || fail "no %KEYGEN or %ATTESTTOKEN answer in $1"
}

# run_transcript NAME: replay tests/fixtures/transcripts/NAME.txt to the CLI
# run with the "run:" arguments, check exit code, stdout, stderr, JSON and
# the commands sent; then, with a "verify:" line, `modemcred verify` on the
# saved answer.
run_transcript() {
	TRANSCRIPT="$TRANSCRIPTS/$1.txt"
	[ -f "$TRANSCRIPT" ] || fail "no transcript $TRANSCRIPT"
	[ -n "$(header "$TRANSCRIPT" source)" ] || fail "$1: no '# source:' line"
	_args=$(header "$TRANSCRIPT" run)
	[ "$(printf "%s\n" "$_args" | wc -l)" -eq 1 ] && [ -n "$_args" ] || fail "$1: needs exactly one '# run:' line"
	_rc=$(header "$TRANSCRIPT" expect-exit)
	[ -n "$_rc" ] || fail "$1: no '# expect-exit:' line"

	start_replay "$TRANSCRIPT"
	eval "set -- $_args"
	mc "$@"
	stop_sim "$SIMPID"
	echo "  ran: modemcred $_args (exit $RC)" >&2
	expect_rc "$_rc" "modemcred $_args"
	check_output stdout "$OUT" expect-stdout
	check_output stderr "$ERR" expect-stderr
	check_json expect-json
	check_sent
	check_files_absent

	_vargs=$(header "$TRANSCRIPT" verify)
	[ -n "$_vargs" ] || grep -q '^# verify:' "$TRANSCRIPT" || return 0
	_vrc=$(header "$TRANSCRIPT" verify-exit)
	[ -n "$_vrc" ] || fail "$1: a '# verify:' line needs a '# verify-exit:' line"
	answer_of "$TRANSCRIPT" "$T_DIR/answer.txt"
	eval "set -- $_vargs"
	mcx verify "$@" "$T_DIR/answer.txt"
	expect_rc "$_vrc" "modemcred verify $_vargs"
	check_output "verify stdout" "$OUT" verify-stdout
	each_header "$TRANSCRIPT" verify-json
	if [ -s "$T_DIR/values" ]; then
		mcx verify --json "$@" "$T_DIR/answer.txt"
		check_json verify-json
	fi
	true
}
