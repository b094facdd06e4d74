# Invalid input (exit 2, nothing sent), the modem refusing (exit 4), online
# and --offline, Ctrl-C, timeouts, capacity, firmware without digests.

# bad_write DESCRIPTION [write args...]: expect exit 2 and no %CMNG at the modem
bad_write() {
	d="$1"; shift
	mc write "$@"
	expect_rc 2 "$d"
	assert_nothing_sent "$d"
	[ -s "$ERR" ] || fail "$d: no message on stderr"
}

test_invalid_input_nothing_sent() {
	start_sim
	printf '%s\n' '-----BEGIN CERTIFICATE-----' 'MIIB"quote' '-----END CERTIFICATE-----' >"$T_DIR/quote.pem"
	printf 'abc' >"$T_DIR/odd.hex"
	printf '0123456789abcdeg' >"$T_DIR/nonhex.hex"
	: >"$T_DIR/empty.pem"
	printf 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa' >"$T_DIR/longpass"   # 33 characters
	printf 'x\001y\n' >"$T_DIR/ctrl.pem"
	bad_write "tag 2147483648" --tag 2147483648 --type 0 "$FIX/ca.pem"
	bad_write "tag 4294967294" --tag 4294967294 --type 0 "$FIX/ca.pem"
	bad_write "tag -1" --tag -1 --type 0 "$FIX/ca.pem"
	bad_write "tag 12abc" --tag 12abc --type 0 "$FIX/ca.pem"
	bad_write "type 9 write" --tag 1 --type 9 "$FIX/ca.pem"
	bad_write "type 13" --tag 1 --type 13 "$FIX/ca.pem"
	bad_write "type name bogus" --tag 1 --type bogus "$FIX/ca.pem"
	bad_write "content with a quote" --tag 1 --type 0 "$T_DIR/quote.pem"
	bad_write "content with a control character" --tag 1 --type 0 "$T_DIR/ctrl.pem"
	bad_write "odd-length PSK" --tag 1 --type psk "$T_DIR/odd.hex"
	bad_write "non-hex PSK" --tag 1 --type 3 "$T_DIR/nonhex.hex"
	bad_write "empty file" --tag 1 --type 0 "$T_DIR/empty.pem"
	bad_write "5000-byte PEM" --tag 1 --type 0 "$FIX/big5k.pem"
	bad_write "password of 33 characters" --tag 1 --type 2 --password-file "$T_DIR/longpass" "$FIX/key.enc.pem"
	bad_write "missing file" --tag 1 --type 0 "$T_DIR/does-not-exist.pem"
	bad_write "missing --tag" --type 0 "$FIX/ca.pem"
	mc delete --tag 4294967293 --type 0
	expect_rc 2 "delete of a modem-owned tag"
	assert_nothing_sent "delete of a modem-owned tag"
	mc read --tag 4294967296 --type 0
	expect_rc 2 "read of tag 4294967296 (beyond 32 bits)"
	mc list --type nonsense
	expect_rc 2 "list --type nonsense"
	assert_nothing_sent "all invalid commands"
	# the 5000-byte message says why
	mc write --tag 1 --type 0 "$FIX/big5k.pem"
	either_hasi "long\|large\|size\|length\|4096" "5000-byte PEM message"
}

test_online_write_refused_518() {
	start_sim --cfun 1
	mc write --tag 5 --type 0 "$FIX/ca.pem"
	expect_rc 4 "write while online"
	either_hasi 518 "write while online"
	err_has "give --offline" "write while online: the fix in the CLI's words"
	err_has "AT+CFUN=4" "write while online: what --offline does"
	err_lacks "auto_offline" "write while online: no library option name"
	mc delete --tag 5 --type 0
	expect_rc 4 "delete while online"
	either_hasi 518 "delete while online"
}

test_offline_write_restores_cfun() {
	start_sim --cfun 1
	mc --offline write --tag 5 --type 0 --verify "$FIX/ca.pem"
	expect_ok "--offline write --verify"
	grep -q 'CFUN=4' "$LOG" || fail "--offline should have sent AT+CFUN=4"
	mc at 'AT+CFUN?'
	expect_ok "AT+CFUN?"
	out_has '+CFUN: 1' "functional mode after --offline write"
	mc --offline delete --tag 5 --type 0
	expect_ok "--offline delete"
	mc at 'AT+CFUN?'
	out_has '+CFUN: 1' "functional mode after --offline delete"
	# a failing operation restores the mode as well
	mc --offline delete --tag 5 --type 0
	expect_rc 6 "--offline delete of a missing credential"
	mc at 'AT+CFUN?'
	out_has '+CFUN: 1' "functional mode after a failed --offline delete"
	# offline already: left as it was
	mc at 'AT+CFUN=4'
	expect_ok "AT+CFUN=4"
	mc --offline write --tag 6 --type 0 "$FIX/ca.pem"
	expect_ok "--offline write while already offline"
	mc at 'AT+CFUN?'
	out_has '+CFUN: 4' "functional mode kept at 4"
}

test_ctrl_c_restores_cfun() {
	# SIGINT while the modem holds the AT+CFUN=4: it goes offline after the
	# CLI asked for it, so the CLI must put it back
	start_sim --hold-file "$(hold_file)" --cfun 1
	t0=$(now)
	signal_during_write INT 'CFUN=4'
	t=$(elapsed "$t0" "$(now)")
	expect_rc 130 "write interrupted by SIGINT"
	note "write and SIGINT took ${t}s"
	mc --timeout 20 at 'AT+CFUN?'
	expect_ok "AT+CFUN? after the interrupt"
	out_has '+CFUN: 1' "functional mode after Ctrl-C"
}

# signal_during_write SIGNAL COMMAND: start an --offline write against an
# online modem started with --hold-file, send SIGNAL while the modem holds
# COMMAND unanswered (lib.sh's signal_held), and collect RC.
signal_during_write() {
	hold_next "$2"
	sig=""
	[ "$1" = INT ] && env --default-signal=INT true 2>/dev/null && sig="--default-signal=INT"
	env $sig "$CLI" -p "$LINK" --timeout 30 --offline write --tag 7 --type 0 "$FIX/ca.pem" \
		>"$OUT" 2>"$ERR" &
	pid=$!
	( sleep 90; kill -KILL "$pid" 2>/dev/null ) >/dev/null 2>&1 &
	wd=$!
	signal_held "$pid" "$1"
	RC=0; wait "$pid" || RC=$?
	kill "$wd" 2>/dev/null || true
	cat "$ERR" >>"$T_DIR/stderr.all"
}

test_ctrl_c_while_offline_restores_cfun() {
	# SIGINT while the write itself is in progress (the modem is at CFUN=4).
	# The modem finishes the write (its answer is awaited within the write's
	# timeout), then the restore, which has 3 s after a Ctrl-C, sends
	# AT+CFUN=1 alone
	start_sim --hold-file "$(hold_file)" --cfun 1
	signal_during_write INT 'CMNG=0'
	expect_rc 130 "write interrupted by SIGINT during %CMNG=0"
	err_has "the modem stored the credential" "what the modem did"
	mc --timeout 20 at 'AT+CFUN?'
	expect_ok "AT+CFUN? after the interrupt"
	out_has '+CFUN: 1' "functional mode after Ctrl-C during the write"
}

test_sigterm_restores_cfun() {
	# SIGTERM while AT+CFUN=4 is in flight: the modem goes offline after the
	# CLI asked for it, so the CLI must still put it back
	start_sim --hold-file "$(hold_file)" --cfun 1
	signal_during_write TERM 'CFUN=4'
	expect_rc 143 "write terminated by SIGTERM"
	mc --timeout 20 at 'AT+CFUN?'
	expect_ok "AT+CFUN? after SIGTERM"
	out_has '+CFUN: 1' "functional mode after SIGTERM"
}

test_timeout_exit_3() {
	# the modem's 30 s latency is far from the 0.5 s timeout, so a loaded
	# machine cannot make the bound below fail while the timeout works
	start_sim --latency-ms 30000
	t0=$(now)
	mc --timeout 0.5 info
	t=$(elapsed "$t0" "$(now)")
	expect_rc 3 "info with --timeout 0.5 against a 30 s modem"
	lt "$t" 15 || fail "timeout took ${t}s (expected about 0.5 s, the modem needs 30 s)"
	either_hasi "time\|within\|no answer" "timeout message"
}

test_bad_port_exit_3() {
	LINK="$T_DIR/no-such-port"
	mc info
	expect_rc 3 "info on a missing port"
	[ -s "$ERR" ] || fail "no message for a missing port"
}

test_capacity_515() {
	start_sim --capacity 2
	mc write --tag 1 --type 0 "$FIX/ca.pem";  expect_ok "first write"
	mc write --tag 2 --type 0 "$FIX/ca.pem";  expect_ok "second write"
	mc write --tag 3 --type 0 "$FIX/ca.pem"
	expect_rc 4 "third write with capacity 2"
	either_hasi 515 "memory full message"
}

test_no_sha_firmware() {
	start_sim --no-sha
	mc write --tag 9 --type 0 "$FIX/ca.pem"
	expect_ok "write without --verify"
	got=$(list_sha 9 0)
	expect_eq "$got" null "sha256 in list --json on firmware without digests"
	mc list
	expect_ok "list"
	out_lacks "$(sha_lf "$FIX/ca.pem")" "list without digests"
	mc write --tag 10 --type 0 --verify "$FIX/ca.pem"
	expect_rc 7 "write --verify on firmware without digests (written, not checked)"
	either_hasi "digest\|sha" "write --verify without digests"
}

test_max_command_refused_locally() {
	start_sim --max-cmd 1000
	mc --max-command 1000 write --tag 1 --type 0 "$FIX/big2k.pem"
	expect_rc 2 "2 KB PEM with --max-command 1000"
	assert_nothing_sent "2 KB PEM with --max-command 1000"
	either_hasi "long\|large\|length\|size\|max" "too-long message"
	# a small one still fits
	mc --max-command 1000 write --tag 1 --type 4 "$FIX/psk-id.txt"
	expect_ok "short write with --max-command 1000"
}

test_max_command_boundary() {
	# A 300-byte AT host buffer stores 298 bytes. The CLI sends CRLF: the CR
	# ends a command, the LF is the first stored byte of the next one, so
	# AT%CMNG=0,1,4," (15) + identity + " (1) + the LF before it = 298 for
	# 281 bytes: 299 on the wire with the CRLF.
	start_sim --max-cmd 300
	head -c 281 /dev/zero | tr '\0' x >"$T_DIR/id281.txt"
	head -c 282 /dev/zero | tr '\0' x >"$T_DIR/id282.txt"
	mc --offline --max-command 300 write --tag 1 --type psk-id --verify "$T_DIR/id281.txt"
	expect_ok "the longest identity that fits the device's buffer"
	mc --offline --max-command 300 write --tag 1 --type psk-id "$T_DIR/id282.txt"
	expect_rc 2 "one byte more is refused before sending"
	err_has "299" "the message names what fits"
	# told a larger buffer than the device has: the device drops the
	# closing quote and, inside quotes, every terminator: it never answers
	mc --timeout 3 --offline --max-command 301 write --tag 2 --type psk-id "$T_DIR/id282.txt"
	expect_rc 3 "a command that does not fit the device's buffer goes unanswered"
	reset_sim
	mc exists --tag 2 --type psk-id
	expect_rc 6 "nothing was stored from the cut command"
}

test_sim_refuses_overlong_command() {
	# The host's limit is higher than the device's: the device drops what
	# does not fit, the closing quote with it, and goes deaf inside quotes
	# (lib/at_host: only a backspace or DEL makes room for a quote again).
	# The CLI must fail, and must leave the link usable: a library that
	# only sends a quote and a terminator after the timeout cannot (they
	# are dropped too).
	start_sim --max-cmd 1000
	mc --timeout 3 write --skip-content-check --tag 1 --type 0 "$FIX/big2k.pem"
	expect_nonzero "2 KB PEM to a device with a 1000-byte limit"
	[ "$RC" -ne 0 ] && [ "$RC" -ne 2 ] || fail "expected the modem's refusal (not 0/2), got $RC"
	mc --timeout 3 info
	expect_ok "info after an overlong command (the link recovers)"
}

test_sim_overlong_command_recovers_with_each_terminator() {
	# The same with the CLI and the device on one terminator each: CR+LF is
	# the hard case (the CR must be stored before the LF ends the command),
	# NUL the odd one. The cut write reaches the modem malformed: nothing
	# is stored.
	for t in crlf lf nul; do
		SIM_NAME="sim_$t" start_sim --max-cmd 1000 --terminator "$t"
		mc --terminator "$t" --timeout 3 write --skip-content-check --tag 1 --type 0 \
			"$FIX/big2k.pem"
		expect_rc 3 "2 KB PEM to a device with a 1000-byte limit ($t)"
		mc --terminator "$t" --timeout 3 read --tag 1 --type 0
		expect_rc 6 "read after the cut write ($t): the link works, nothing stored"
		stop_sim
	done
}

test_cmee_restored() {
	start_sim --cmee 0
	mc read --tag 4444 --type 0
	expect_rc 6 "read missing with CMEE 0 at start"
	mc at 'AT+CMEE?'
	expect_ok "AT+CMEE?"
	out_has '+CMEE: 0' "CMEE restored to 0"
}

# ---- --json errors: one object on stdout, the documented exit code ----------

# json_error EXIT KIND CME: stdout is exactly one line, the error object.
json_error() {
	expect_rc "$1" "--json failure"
	[ "$(wc -l <"$OUT")" -eq 1 ] || fail "--json failure: expected exactly one line on stdout"
	expect_eq "$(json "sorted(j.keys())")" "['error']" "top-level keys"
	expect_eq "$(json "sorted(j['error'].keys())")" \
		"['cme', 'exit_code', 'hints', 'kind', 'message']" "error keys"
	expect_eq "$(json "j['error']['exit_code']")" "$1" "error.exit_code"
	expect_eq "$(json "j['error']['kind']")" "$2" "error.kind"
	expect_eq "$(json "j['error']['cme']")" "$3" "error.cme"
	[ -n "$(json "j['error']['message']")" ] || fail "error.message is empty"
	[ -s "$ERR" ] || fail "the human message should still go to stderr"
}

test_json_error_timeout() {
	start_sim --latency-ms 3000
	mc --json --timeout 0.5 info
	json_error 3 timeout null
	# the advice standard error gives after the message is in the object too
	expect_eq "$(json "len(j['error']['hints'])")" "$(($(wc -l <"$ERR") - 1))" \
		"hints: the lines after the message"
	$PY - "$OUT" "$ERR" <<'EOF' || fail "the hints are not the lines of standard error"
import json, sys
hints = json.load(open(sys.argv[1]))["error"]["hints"]
err = open(sys.argv[2]).read().splitlines()
assert hints and ["modemcred: " + h for h in hints] == err[1:], (hints, err)
EOF
}

test_json_error_cme() {
	start_sim --cfun 1
	mc --json write --tag 5 --type 0 "$FIX/ca.pem"
	json_error 4 cme 518
	mc --json at 'AT%CMNG=2,5,0'
	expect_rc 4 "raw AT error"
	expect_eq "$(json "j['error']['exit_code']")" 4 "raw AT error exit_code"
}

test_json_error_usage() {
	start_sim
	mc --json write --tag 2147483648 --type 0 "$FIX/ca.pem"
	json_error 2 invalid_arg null
	assert_nothing_sent "write of a modem tag"
	out_has "2147483647" "the message says the range"
	# from the parser, also when --json comes after the mistake
	mcx list --bogus --json
	json_error 2 invalid_arg null
	out_has "unknown option '--bogus'" "parser message"
	mcx -p x --serial-number 123 --json info
	json_error 2 invalid_arg null
	mcx --json clear
	json_error 2 invalid_arg null
	# after "--" it is an argument, not the option: no JSON
	mcx verify -- --json
	expect_nonzero "verify of a file named --json"
	[ ! -s "$OUT" ] || fail "without --json nothing goes to stdout"
}

test_json_error_not_found() {
	start_sim
	mc --json delete --tag 77 --type 0
	json_error 6 not_found 513
	mc --json read --tag 77 --type 0
	json_error 6 not_found 513
	# a result that says "no" is the one object: exists, compare
	mc --json exists --tag 77 --type 0
	expect_rc 6 "exists of a missing credential"
	expect_eq "$(json "j['exists']")" false "exists --json"
	[ "$(wc -l <"$OUT")" -eq 1 ] || fail "exists --json: one object only"
}

test_json_error_serial_number() {
	LINK=unused
	MODEMCRED_PORT="$T_DIR/nothing-here" mcx --json --serial-number NO-SUCH-KIT-0001 info
	json_error 3 port null
	out_has "NO-SUCH-KIT-0001" "the serial asked for"
	err_has "no Nordic kit with USB serial number NO-SUCH-KIT-0001" "stderr"
}
