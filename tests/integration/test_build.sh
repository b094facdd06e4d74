# The artefacts themselves: the shared library's exports, the examples run
# against the simulator, MODEMCRED_PORT, an emulated baud rate.

test_shared_library_exports_only_public_api() {
	so="$BUILD/libmodemcred.so.0"
	[ -f "$so" ] || fail "$so is missing"
	readelf -d "$so" | grep -q 'SONAME.*libmodemcred.so.0' || fail "SONAME is not libmodemcred.so.0"
	nm -D --defined-only "$so" | awk '$2 ~ /^[TDBRVW]$/ { print $3 }' | sort >"$T_DIR/exported"
	grep -v '^mcred_' "$T_DIR/exported" >"$T_DIR/extra" || true
	[ ! -s "$T_DIR/extra" ] || fail "non-API symbols exported: $(tr '\n' ' ' <"$T_DIR/extra")"
	# every function the header declares is exported
	sed -n 's/^MCRED_API.*[ *]\(mcred_[a-z0-9_]*\)(.*/\1/p' include/modemcred.h | sort -u >"$T_DIR/declared"
	comm -23 "$T_DIR/declared" "$T_DIR/exported" >"$T_DIR/missing"
	[ ! -s "$T_DIR/missing" ] || fail "declared but not exported: $(tr '\n' ' ' <"$T_DIR/missing")"
	[ "$(wc -l <"$T_DIR/declared")" -gt 40 ] || fail "could not read the declarations from the header"
}

test_example_provision() {
	ex="$BUILD/examples/provision"
	[ -x "$ex" ] || fail "$ex is missing"
	start_sim --cfun 1
	RC=0; timeout -k 3 30 "$ex" "$LINK" 42 "$FIX/ca.pem" >"$OUT" 2>"$ERR" || RC=$?
	expect_ok "examples/provision"
	got=$(list_sha 42 0)
	expect_eq "$got" "$(sha_lf "$FIX/ca.pem")" "digest after examples/provision"
	mc at 'AT+CFUN?'
	out_has '+CFUN: 1' "functional mode after examples/provision"
}

test_example_keygen_csr() {
	ex="$BUILD/examples/keygen_csr"
	[ -x "$ex" ] || fail "$ex is missing"
	start_sim
	RC=0; timeout -k 3 30 "$ex" "$LINK" 7 "$IDKEY" >"$T_DIR/ex.csr" 2>"$ERR" || RC=$?
	expect_ok "examples/keygen_csr"
	openssl req -verify -in "$T_DIR/ex.csr" -noout >/dev/null 2>&1 || fail "openssl req -verify on the example's CSR"
}

test_port_from_environment() {
	start_sim
	RC=0
	MODEMCRED_PORT="$LINK" timeout -k 3 30 "$CLI" info >"$OUT" 2>"$ERR" || RC=$?
	expect_ok "info with MODEMCRED_PORT"
	out_has 351358811234567 "info with MODEMCRED_PORT"
}

test_emulated_baud() {
	start_sim --baud 115200
	mc --baud 115200 write --tag 3 --type 0 --verify "$FIX/big2k.pem"
	expect_ok "write --verify of 2 KB at 115200 baud"
	mc --baud 115200 read --tag 3 --type 0 -o "$T_DIR/back"
	expect_ok "read at 115200 baud"
	files_equal "$T_DIR/back" "$FIX/big2k.pem" "read back at 115200 baud"
	stop_sim
	rx=$(sim_stat rx_bytes); tx=$(sim_stat tx_bytes); n=$(sim_stat commands)
	[ -n "$rx" ] && [ -n "$tx" ] && [ -n "$n" ] || fail "--stats file incomplete: $(cat "$STATS")"
	[ "$rx" -gt 2000 ] && [ "$tx" -gt 2000 ] || fail "stats rx $rx tx $tx: expected > 2000 each"
}
