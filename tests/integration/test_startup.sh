# Start-up of the CLI: what it does before the first byte goes to the modem.
# The preload shim's spy (FAKESERIAL_SPY_LOG, tests/preload/fakeserial.c)
# logs the calls that tell: sp_get_port_by_name() and fopen().

# spied CMD...: run CMD with the spy, stdout/stderr to OUT/ERR, exit code in RC
spied() {
	RC=0
	FAKESERIAL_SPY_LOG="$T_DIR/spy.log" LD_PRELOAD="$PRELOAD" timeout -k 3 "$MC_TIMEOUT" "$@" \
		>"$OUT" 2>"$ERR" || RC=$?
}

# libserialport refuses a pty (no /sys/class/tty entry): auto goes to termios
# without asking it, which spares start-up time. The shim's spy logs every
# sp_get_port_by_name() call.
test_auto_takes_a_pty_to_termios_without_libserialport() {
	[ -f "$PRELOAD" ] || fail "$PRELOAD is missing"
	start_sim
	for port in "$LINK" "$(readlink -f "$LINK")"; do
		rm -f "$T_DIR/spy.log"
		spied "$CLI" --port "$port" info
		expect_ok "info with --transport auto on $port"
		out_has 351358811234567 "info on $port"
		! grep -q '^sp_get_port_by_name ' "$T_DIR/spy.log" ||
			fail "libserialport was asked about $port"
	done
	# the spy sees a port libserialport accepts (a /dev name the shim fakes)
	FAKESERIAL_NAME=ttyMCSIM0 FAKESERIAL_TARGET="$LINK" spied "$CLI" --port /dev/ttyMCSIM0 info
	expect_ok "info with --transport auto on the fake port"
	grep -qx 'sp_get_port_by_name /dev/ttyMCSIM0' "$T_DIR/spy.log" ||
		fail "the spy did not see libserialport asked about /dev/ttyMCSIM0"
}

# The CLI starts OpenSSL without reading openssl.cnf (about 1.5 ms of every
# run; it only hashes and checks signatures with the default provider),
# unless OPENSSL_CONF asks for a file. The library itself leaves OpenSSL's
# start-up to its host program: OpenSSL reads its configuration once per
# process, so a library that skipped it would take the host's TLS settings away.
test_cli_starts_openssl_without_its_config_file() {
	[ -f "$PRELOAD" ] || fail "$PRELOAD is missing"
	start_sim
	rm -f "$T_DIR/spy.log"
	spied "$CLI" -p "$LINK" write --tag 5 --type ca --verify "$FIX/ca.pem"
	expect_ok "write --verify"
	out_has "verified" "write --verify"
	! grep -q '^fopen .*\.cnf$' "$T_DIR/spy.log" || fail "the CLI read OpenSSL's configuration"
	# a file OPENSSL_CONF names is read (and shows the spy sees OpenSSL's fopen)
	printf 'openssl_conf = modemcred_test\n[modemcred_test]\n' >"$T_DIR/test-openssl.cnf"
	rm -f "$T_DIR/spy.log"
	OPENSSL_CONF="$T_DIR/test-openssl.cnf" spied "$CLI" -p "$LINK" compare --tag 5 --type ca "$FIX/ca.pem"
	expect_ok "compare with OPENSSL_CONF"
	grep -qx "fopen $T_DIR/test-openssl.cnf" "$T_DIR/spy.log" || fail "OPENSSL_CONF was not honoured"
	# a program that embeds the library keeps OpenSSL's default start-up
	ex="$BUILD/examples/provision"
	[ -x "$ex" ] || fail "$ex is missing"
	rm -f "$T_DIR/spy.log"
	spied "$ex" "$LINK" 42 "$FIX/ca.pem"
	expect_ok "examples/provision"
	grep -q '^fopen .*/openssl\.cnf$' "$T_DIR/spy.log" ||
		fail "the library kept OpenSSL from reading its configuration in its host program"
}
