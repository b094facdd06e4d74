# The line: fragmented output, URCs, echo, spaces, terminators, Zephyr shell,
# the verbose trace, and the libserialport path through the preload shim.

# roundtrip TAG: write --verify the CA, check list digest, read back byte-exact
# (extra CLI options in $CLIOPTS)
roundtrip() {
	mc $CLIOPTS write --tag "$1" --type 0 --verify "$FIX/ca.pem"
	expect_ok "write --verify ($CLIOPTS; sim $SIMOPTS)"
	mc $CLIOPTS --json list
	expect_ok "list --json ($CLIOPTS; sim $SIMOPTS)"
	got=$(json "next((c['sha256'] for c in j if int(c['tag']) == $1 and int(c['type']) == 0), 'absent')")
	expect_eq "$got" "$(sha_lf "$FIX/ca.pem")" "digest ($CLIOPTS; sim $SIMOPTS)"
	n=$(json "len([c for c in j if int(c['tag']) >= 4294967292])")
	[ "$n" -ge 3 ] || fail "modem tags missing from the list ($CLIOPTS; sim $SIMOPTS)"
	mc $CLIOPTS read --tag "$1" --type 0 -o "$T_DIR/back.$1"
	expect_ok "read ($CLIOPTS; sim $SIMOPTS)"
	files_equal "$T_DIR/back.$1" "$FIX/ca.pem" "read back ($CLIOPTS; sim $SIMOPTS)"
	mc $CLIOPTS info
	expect_ok "info ($CLIOPTS; sim $SIMOPTS)"
	out_has 351358811234567 "info ($CLIOPTS; sim $SIMOPTS)"
}

with_sim() {
	SIMOPTS="$*"
	start_sim "$@"
}

test_fragment() {
	CLIOPTS=""
	with_sim --fragment --seed 7
	roundtrip 11
	mc read --tag 4242 --type 0
	expect_rc 6 "read missing under --fragment"
}

test_urc_every_50ms() {
	CLIOPTS=""
	with_sim --urc-every 50 --seed 3
	roundtrip 12
	mc --json list
	expect_ok "list"
	# URCs never end up in answers
	! grep -q 'CEREG\|CESQ\|XMODEMSLEEP' "$OUT" || fail "a URC leaked into the list output"
	# a read that is slow enough to be interrupted by several URCs
	stop_sim
	with_sim --urc-every 20 --fragment --latency-ms 200 --seed 4
	roundtrip 13
}

test_echo() {
	CLIOPTS=""
	with_sim --echo
	roundtrip 14
}

test_spaces() {
	CLIOPTS=""
	with_sim --spaces
	roundtrip 15
}

test_everything_at_once() {
	CLIOPTS=""
	with_sim --echo --spaces --fragment --urc-every 30 --seed 11
	roundtrip 16
}

test_terminator_cr() {
	CLIOPTS="--terminator cr"
	with_sim --terminator cr
	roundtrip 21
}

test_terminator_lf() {
	CLIOPTS="--terminator lf"
	with_sim --terminator lf
	roundtrip 22
}

test_terminator_nul() {
	CLIOPTS="--terminator nul"
	with_sim --terminator nul
	roundtrip 23
}

test_terminator_crlf_explicit() {
	CLIOPTS="--terminator crlf"
	with_sim --terminator crlf
	roundtrip 24
}

test_shell_mismatch_fails_cleanly() {
	# the CLI in raw mode against a shell device: it must fail, quickly, not hang
	start_sim --shell
	mc --timeout 2 info
	expect_nonzero "raw AT against a Zephyr shell"
}

test_verbose_trace_redacts_secrets() {
	start_sim
	mc -v write --tag 40 --type key --verify "$FIX/key.pem"
	expect_ok "-v write of a private key"
	err_has 'CMNG=0' "-v trace of the write command"
	err_has 'CMNG=1' "-v trace of the verify list"
	# no line of the key's base64 in the trace
	sed -n '2,$p' "$FIX/key.pem" | grep -v -e '-----' | while IFS= read -r line; do
		[ ${#line} -ge 16 ] || continue
		if grep -q -F -e "$line" "$ERR"; then echo leaked; fi
	done >"$T_DIR/leaks"
	[ ! -s "$T_DIR/leaks" ] || fail "-v trace shows the private key's base64"
	err_lacks "PRIVATE KEY-----" "-v trace"
	# the PSK is a secret too; the password as well
	mc -v write --tag 40 --type psk "$FIX/psk.hex"
	expect_ok "-v write of a PSK"
	err_lacks "$(cat "$FIX/psk.hex")" "-v trace of a PSK write"
	mc -v write --tag 41 --type key --password-file "$FIX/password" "$FIX/key.enc.pem"
	expect_ok "-v write of an encrypted key"
	err_lacks "$(cat "$FIX/password")" "-v trace of a write with a password"
	# the trace shows answers too, and nothing of it on stdout
	mc -v info
	expect_ok "-v info"
	err_has 'CGSN' "-v trace of info"
}

# ---- libserialport through the preload shim --------------------------------

sp() {
	RC=0
	FAKESERIAL_NAME=ttyMCSIM0 FAKESERIAL_TARGET="$LINK" LD_PRELOAD="$PRELOAD" \
		timeout -k 3 "$MC_TIMEOUT" "$CLI" --port /dev/ttyMCSIM0 --transport serialport "$@" \
		>"$OUT" 2>"$ERR" || RC=$?
	cat "$ERR" >>"$T_DIR/stderr.all"
}

test_libserialport_path() {
	[ -f "$PRELOAD" ] || fail "$PRELOAD is missing"
	start_sim
	sp -v info
	expect_ok "info over libserialport"
	out_has 351358811234567 "info over libserialport"
	sp write --tag 77 --type 0 --verify "$FIX/ca.pem"
	expect_ok "write --verify over libserialport"
	sp read --tag 77 --type 0 -o "$T_DIR/back.pem"
	expect_ok "read over libserialport"
	files_equal "$T_DIR/back.pem" "$FIX/ca.pem" "read back over libserialport"
	sp --json list
	expect_ok "list over libserialport"
	got=$(json "next((c['sha256'] for c in j if int(c['tag']) == 77 and int(c['type']) == 0), 'absent')")
	expect_eq "$got" "$(sha_lf "$FIX/ca.pem")" "digest over libserialport"
	sp --flow rtscts --baud 115200 exists --tag 77 --type 0
	expect_ok "exists with RTS/CTS over libserialport"
	# auto picks libserialport for a /dev name it accepts
	sp_auto_rc=0
	FAKESERIAL_NAME=ttyMCSIM0 FAKESERIAL_TARGET="$LINK" LD_PRELOAD="$PRELOAD" \
		timeout -k 3 "$MC_TIMEOUT" "$CLI" --port /dev/ttyMCSIM0 info >"$OUT" 2>"$ERR" || sp_auto_rc=$?
	RC=$sp_auto_rc; expect_ok "info with --transport auto on the fake port"
}

test_serialport_refuses_pty() {
	# without the shim, libserialport cannot open a pty: exit 3 with a message
	start_sim
	mc --transport serialport info
	expect_rc 3 "--transport serialport on a pty"
	[ -s "$ERR" ] || fail "no message when libserialport refuses the pty"
	mc --transport termios info
	expect_ok "--transport termios on a pty"
	mc --transport auto info
	expect_ok "--transport auto on a pty (falls back to termios)"
}

test_ports_command() {
	mcx ports
	expect_ok "ports (none may be attached)"
	mcx --json ports
	expect_ok "ports --json"
	json "len(j)" >/dev/null
	# an absent value is null, never "" (this machine's ports have no USB serial)
	[ "$(json "[k for p in j for k, v in p.items() if v == '']")" = "[]" ] ||
		fail "ports --json has empty strings for absent values"
}

test_error_message_redacts_key() {
	# the modem's refusal quotes the command: never the private key in it
	start_sim --cfun 1
	mc write --tag 44 --type key "$FIX/key.pem"
	expect_rc 4 "write of a key while online"
	either_hasi 518 "write of a key while online"
	sed -n '2,$p' "$FIX/key.pem" | grep -v -e '-----' | while IFS= read -r line; do
		[ ${#line} -ge 16 ] || continue
		if cat "$OUT" "$ERR" | grep -q -F -e "$line"; then echo leaked; fi
	done >"$T_DIR/leaks"
	[ ! -s "$T_DIR/leaks" ] || fail "the error message shows the private key's base64"
	mc write --tag 44 --type psk "$FIX/psk.hex"
	expect_rc 4 "write of a PSK while online"
	err_lacks "$(cat "$FIX/psk.hex")" "error message of a PSK write"
}
