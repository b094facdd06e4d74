# Signals and lost output (issue 13), the restore after Ctrl-C (issue 16):
# the real CLI against modemsim (and the hostile modem), every signal sent on
# an event (a line of the modem's log, a line of the CLI's stderr), never
# after a sleep.

# start_cli ARGS...: the CLI in the background on the current modem, stdout
# in $OUT, stderr in $ERR, its pid in CLI_PID, bounded by a watchdog
start_cli() {
	"$CLI" -p "$LINK" "$@" >"$OUT" 2>"$ERR" &
	CLI_PID=$!
	( sleep 90; kill -KILL "$CLI_PID" 2>/dev/null ) >/dev/null 2>&1 &
	CLI_WATCHDOG=$!
}

# finish_cli: wait for it; RC is its exit status
finish_cli() {
	RC=0; wait "$CLI_PID" || RC=$?
	kill "$CLI_WATCHDOG" 2>/dev/null || true
	cat "$ERR" >>"$T_DIR/stderr.all"
}

# start_held_sim [modemsim options...]: a modem whose answers signal_at can
# hold back
start_held_sim() {
	start_sim --hold-file "$(hold_file)" "$@"
}

# signal_at SIGNAL TEXT ARGS...: run the CLI with ARGS; when the modem holds
# the next command with TEXT unanswered, send SIGNAL, and let the modem
# answer only once the CLI has said it got the signal: the signal lands
# while the modem works on that command, however loaded the machine. Sets RC
signal_at() {
	_sig=$1 _text=$2
	shift 2
	hold_next "${_text#RX }"
	start_cli "$@"
	signal_held "$CLI_PID" "$_sig"
	finish_cli
}

# cfun_is MODE WHAT: the modem's functional mode, asked of the modem itself
cfun_is() {
	mc at 'AT+CFUN?'
	expect_ok "AT+CFUN? $2"
	out_has "+CFUN: $1" "functional mode $2"
}

# stored TAG: "true" when the modem lists anything in TAG, else "false"
stored() {
	mc --json list --tag "$1"
	expect_ok "list --tag $1"
	json "len(j) > 0"
}

test_ctrl_c_at_every_moment_of_a_write_reports_the_store() {
	# the signal lands while the modem works on the command named: the
	# report must say what the modem's store holds, whichever it was
	start_held_sim --cfun 1
	tag=20 made=0 not_made=0
	for moment in 'RX AT+CFUN?' 'RX AT+CFUN=4' 'RX AT%CMNG=0' 'RX AT%CMNG=1' 'RX AT+CFUN=1'; do
		tag=$((tag + 1))
		signal_at INT "$moment" --json --offline write --tag "$tag" --type ca --verify \
			"$FIX/ca.pem"
		expect_rc 130 "write interrupted at $moment"
		expect_eq "$(json "j['error']['kind']")" cancelled "kind at $moment"
		completed=$(json "j['error']['completed']")
		case "$completed" in
		true) err_has "the modem stored the credential" "words at $moment"
			made=$((made + 1)) ;;
		false) err_has "nothing was written" "words at $moment"
			not_made=$((not_made + 1)) ;;
		*) fail "completed is $completed at $moment: the modem answered every command" ;;
		esac
		cp "$ERR" "$T_DIR/err.$tag"
		expect_eq "$(stored "$tag")" "$completed" "the store against the report at $moment"
		cfun_is 1 "after Ctrl-C at $moment"
	done
	note "Ctrl-C at 5 moments: $made written, $not_made not"
}

test_ctrl_c_sends_only_the_restore() {
	# issue 16: the write's answer comes after the Ctrl-C; it is used, so the
	# link recovery (its bytes, a query) is not sent: after the write the
	# modem receives the restoring AT+CFUN=1 and nothing else
	start_held_sim --cfun 1
	signal_at INT 'RX AT%CMNG=0' --offline write --tag 7 --type ca "$FIX/ca.pem"
	expect_rc 130 "write interrupted by SIGINT"
	after=$(sed -n '/^RX AT%CMNG=0/,$p' "$LOG" | grep '^RX' | tail -n +2)
	expect_eq "$after" "RX AT+CFUN=1" "commands sent after the interrupted write"
	err_has "the modem stored the credential" "what the modem did"
}

test_keygen_ctrl_c_while_generating_saves_the_csr() {
	start_held_sim --cfun 1
	signal_at INT 'KEYGEN' --offline keygen --tag 40 -o "$T_DIR/dev.csr"
	expect_rc 130 "keygen interrupted while the modem generates the key"
	grep -q 'BEGIN CERTIFICATE REQUEST' "$T_DIR/dev.csr" || fail "no CSR in -o"
	openssl req -in "$T_DIR/dev.csr" -verify -noout >/dev/null 2>&1 ||
		fail "the CSR saved does not verify"
	err_has "the modem generated the key, and its CSR was verified and saved to" "words"
	out_has "result: every performed check passed" "the report as usual"
	expect_eq "$(stored 40)" true "the key in the store"
	cfun_is 1 "after Ctrl-C during keygen"
	# --json without -o: the CSR is in the error object's result
	signal_at TERM 'KEYGEN' --json --offline keygen --tag 41
	expect_rc 143 "keygen --json terminated while the modem generates the key"
	expect_eq "$(json "j['error']['completed']")" true "completed"
	json "j['result']['csr_pem']" >"$T_DIR/dev2.csr"
	openssl req -in "$T_DIR/dev2.csr" -verify -noout >/dev/null 2>&1 ||
		fail "the CSR in the result does not verify"
	expect_eq "$(json "j['result']['sec_tag']")" 41 "result sec_tag"
	cfun_is 1 "after SIGTERM during keygen"
}

test_sighup_and_sigquit_restore_the_mode() {
	start_held_sim --cfun 1
	signal_at HUP 'RX AT%CMNG=0' --json --offline write --tag 8 --type ca "$FIX/ca.pem"
	expect_rc 129 "write hung up (SIGHUP) during %CMNG=0"
	expect_eq "$(json "j['error']['completed']")" true "completed after SIGHUP"
	expect_eq "$(stored 8)" true "written after SIGHUP"
	cfun_is 1 "after SIGHUP"
	signal_at QUIT 'RX AT+CFUN=4' --json --offline delete --tag 8 --type ca
	expect_rc 131 "delete quit (SIGQUIT) while going offline"
	expect_eq "$(json "j['error']['completed']")" false "completed after SIGQUIT"
	err_has "nothing was deleted" "words after SIGQUIT"
	expect_eq "$(stored 8)" true "not deleted after SIGQUIT"
	cfun_is 1 "after SIGQUIT"
}

# closed_pipe ARGS...: the CLI with stdout and stderr on a pipe nobody reads
# any more (its reader has exited, as `| head` does); RC is its exit status
closed_pipe() {
	RC=$("$PY" -c '
import os, subprocess, sys
r, w = os.pipe()
os.close(r)  # every write gets EPIPE (and SIGPIPE, unless ignored)
print(subprocess.run(sys.argv[1:], stdout=w, stderr=w).returncode)
' "$CLI" -p "$LINK" "$@")
}

test_closed_pipe_loses_only_the_output() {
	start_sim --latency-ms 200 --cfun 1
	closed_pipe -v --offline write --tag 9 --type ca "$FIX/ca.pem"
	expect_rc 141 "write with its output on a closed pipe"
	expect_eq "$(stored 9)" true "written all the same"
	cfun_is 1 "after the closed pipe"
	closed_pipe --json list
	expect_rc 141 "list with its output on a closed pipe"
}

test_second_ctrl_c_abandons_a_silent_modem() {
	# the modem falls silent at the write: the first Ctrl-C would wait for
	# the answer up to the 30 s timeout; the second, sent once the CLI said
	# it got the first, abandons it, and the restore gets its few seconds
	start_sim --silent-after-cmd 'CMNG=0' --cfun 1
	start_cli --timeout 30 --json --offline write --tag 10 --type ca "$FIX/ca.pem"
	wait_for_log 'SILENT'
	kill -INT "$CLI_PID"
	wait_for "interrupted: letting the modem finish" "$ERR" "the CLI never said it got the first Ctrl-C"
	t0=$(now)
	kill -INT "$CLI_PID"
	finish_cli
	t=$(elapsed "$t0" "$(now)")
	expect_rc 130 "write abandoned by a second Ctrl-C"
	lt "$t" 10 || fail "exit took ${t}s after the second Ctrl-C (timeout 30 s)"
	expect_eq "$(json "j['error']['completed']")" null "completed of an unanswered write"
	err_has "whether the modem stored the credential is unknown" "words"
	err_has "modemcred at AT+CFUN=1" "how to restore a silent modem by hand"
}

test_late_answer_after_timeout_restores_the_mode() {
	# the write's answer comes after the timeout and after the first link
	# recovery; the modem answers the second: the mode found is restored
	# (before: exit 3, the manual-restore hint, the modem left at CFUN 4)
	LOG="$T_DIR/hostile.log"
	start_pymodem hostile "$ROOT/tests/hostile/hostile.py" --scenario busy_past_recovery \
		--target 'AT%CMNG=0' --cfun 1 --log "$LOG"
	mc --timeout 1 --offline write --tag 11 --type ca "$FIX/ca.pem"
	expect_rc 3 "write answered after the timeout"
	err_lacks "restore it with" "no manual restore for a modem that answers again"
	grep -q '^AT+CFUN=1$' "$LOG" || fail "the mode was never restored (no AT+CFUN=1)"
	cfun_is 1 "after the late answer"
}

test_station_sighup_and_sigquit_restore_every_mode() {
	# provision's station counts SIGHUP and SIGQUIT as Ctrl-C: the command
	# in flight on each port finishes, every mode is restored, every modem
	# gets its ledger line, exit 128 + the signal (before: killed by SIGHUP
	# with the modems offline, SIGQUIT dumped core)
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
		-keyout "$T_DIR/ca.key" -out "$T_DIR/ca.pem" -subj "/CN=Factory CA" -days 30 \
		>/dev/null 2>&1 || fail "openssl could not make the test CA"
	for sig in HUP QUIT; do
		rm -rf "$T_DIR/arts" "$T_DIR/ledger.jsonl" "$T_DIR"/m*.log
		mkdir "$T_DIR/arts"
		ports=""
		for i in 1 2; do
			SIM_NAME="m$i$sig" start_sim --cfun 1 --latency-ms 300 \
				--uuid "$(printf '4e5249d0-5349-4d00-8000-%012d' "$i")"
			ports="$ports $LINK"
		done
		# shellcheck disable=SC2086
		"$CLI" --json provision --ca "$T_DIR/ca.pem" --ca-key "$T_DIR/ca.key" \
			--out "$T_DIR/arts" --ledger "$T_DIR/ledger.jsonl" $ports \
			>"$OUT" 2>"$ERR" &
		pid=$!
		( sleep 90; kill -KILL "$pid" 2>/dev/null ) >/dev/null 2>&1 &
		wd=$!
		wait_for '"step":"keygen"' "$OUT" "no modem reached the keygen step"
		kill "-$sig" "$pid"
		RC=0; wait "$pid" || RC=$?
		kill "$wd" 2>/dev/null || true
		case $sig in HUP) want=129 ;; QUIT) want=131 ;; esac
		expect_rc "$want" "provision after SIG$sig"
		expect_eq "$(wc -l <"$T_DIR/ledger.jsonl")" 2 "ledger lines after SIG$sig"
		for l in $ports; do
			timeout 20 "$CLI" -p "$l" at 'AT+CFUN?' >"$T_DIR/cfun" 2>&1
			grep -q '+CFUN: 1' "$T_DIR/cfun" || fail "$l: mode not restored after SIG$sig"
		done
	done
}
