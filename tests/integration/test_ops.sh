# The %CMNG operations, key generation and device info against answers that
# must not be believed (tests/integration/canned_modem.py gives them) and
# against modemsim's older firmware. Sourced by run.sh (see lib.sh).

CANNED="$ROOT/tests/integration/canned_modem.py"

# start_canned [--answer PREFIX ANSWER]...: a canned-answer modem on $LINK,
# its commands in $LOG.
start_canned() {
	LOG="$T_DIR/canned.log"
	: >"$LOG"
	start_pymodem canned "$CANNED" --log "$LOG" "$@"
}

HELLO_SHA=2CF24DBA5FB0A30E26E83B2AC5B9E29E1B161E5C1FA7425E73043362938B9824

test_read_content_not_matching_its_digest() {
	start_canned --answer 'AT%CMNG=2,12,0' "\r\n%CMNG: 12,0,\"$HELLO_SHA\",\"hellO\"\r\nOK\r\n"
	mc read --tag 12 --type ca -o "$T_DIR/got.pem"
	expect_rc 5 "read whose content does not hash to the modem's digest"
	[ ! -e "$T_DIR/got.pem" ] || fail "-o written although the content did not match"
	err_has "hashes to"
	mc read --tag 12 --type ca
	expect_rc 5 "the same to stdout"
	out_lacks "hellO" "stdout of a read that failed"
	mc --json read --tag 12 --type ca
	expect_rc 5 "the same with --json"
	# the one object on stdout is the error, never a result with content
	[ "$(json "sorted(j)")" = "['error']" ] || fail "--json printed a result for a read that failed"
	[ "$(json "j['error']['kind']")" = mismatch ] || fail "--json error kind of a digest mismatch"
	out_lacks "hellO" "--json output of a read that failed"
}

test_read_about_another_credential() {
	start_canned --answer 'AT%CMNG=2,12,0' "\r\n%CMNG: 13,0,\"$HELLO_SHA\",\"hello\"\r\nOK\r\n"
	mc read --tag 12 --type ca -o "$T_DIR/got.pem"
	expect_rc 3 "read answered about tag 13"
	[ ! -e "$T_DIR/got.pem" ] || fail "-o written for an answer about another tag"
	err_has "answered about tag 13"
}

test_read_lower_case_digest_accepted() {
	lower=$(echo "$HELLO_SHA" | tr A-F a-f)
	start_canned --answer 'AT%CMNG=2,12,0' "\r\n%CMNG: 12,0,\"$lower\",\"hello\"\r\nOK\r\n"
	mc --json read --tag 12 --type ca
	expect_ok "read with a lower-case digest"
	expect_eq "$(json 'j["sha256"]')" "$HELLO_SHA" "digest normalised to upper case"
	expect_eq "$(json 'j["content"]')" "hello" "content"
}

test_read_unterminated_quote_fails() {
	start_canned --answer 'AT%CMNG=2,12,0' "\r\n%CMNG: 12,0,\"$HELLO_SHA\",\"hello\r\nOK\r\n"
	mc --timeout 1 read --tag 12 --type ca -o "$T_DIR/got.pem"
	expect_nonzero "read with an unterminated quote"
	[ ! -e "$T_DIR/got.pem" ] || fail "-o written for an unterminated read"
}

test_list_about_another_tag() {
	start_canned --answer 'AT%CMNG=1,12' "\r\n%CMNG: 13,0,\"$HELLO_SHA\"\r\nOK\r\n"
	mc list --tag 12
	expect_rc 3 "list --tag 12 answered about tag 13"
	out_lacks "$HELLO_SHA" "list output"
	mc exists --tag 12 --type ca
	expect_rc 3 "exists on the same answer"
}

test_list_about_another_type() {
	start_canned --answer 'AT%CMNG=1,12,0' "\r\n%CMNG: 12,1,\"$HELLO_SHA\"\r\nOK\r\n"
	mc list --tag 12 --type ca
	expect_rc 3 "list --tag 12 --type ca answered about type 1"
}

# --identity-key is parsed before anything is sent: a bad key is exit 2 and
# the modem sees nothing (with --force an existing key would be replaced).
test_keygen_bad_identity_key_sends_nothing() {
	start_sim --cfun 4
	head -c 100 "$IDKEY" >"$T_DIR/cut.pem"
	sed 's/A/B/g' "$IDKEY" >"$T_DIR/corrupt.pem"
	head -c 64 /dev/urandom >"$T_DIR/random.bin"
	for key in "$FIX/ca.pem" "$FIX/key.pem" "$T_DIR/cut.pem" "$T_DIR/corrupt.pem" \
		"$T_DIR/random.bin"; do
		mc --offline keygen --tag 1101 --force -o "$T_DIR/x.csr" --identity-key "$key"
		expect_rc 2 "keygen --identity-key $(basename "$key")"
		err_has "identity key"
		mc attest --identity-key "$key"
		expect_rc 2 "attest --identity-key $(basename "$key")"
		mcx verify --keygen "a.b" --identity-key "$key"
		expect_rc 2 "verify --identity-key $(basename "$key")"
	done
	err_lacks "$(sed -n 2p "$FIX/key.pem")"
	stop_sim
	[ ! -s "$LOG" ] || fail "the modem received commands for a bad identity key: $(cat "$LOG")"
	[ ! -e "$T_DIR/x.csr" ] || fail "output written"
	# the right key still works
	start_sim --cfun 4
	mc --offline keygen --tag 1101 -o "$T_DIR/x.csr" --identity-key "$IDKEY"
	expect_ok "keygen with the simulator's identity key"
}

# keygen_canned ANSWER: keygen against a modem answering %KEYGEN with ANSWER
keygen_canned() {
	start_canned --answer 'AT%KEYGEN' "$1"
	mc keygen --tag 11 --force -o "$T_DIR/k.csr"
	stop_sim
	[ ! -e "$T_DIR/k.csr" ] || fail "output written for an undecodable answer"
}

test_keygen_undecodable_answer_is_protocol_error() {
	blob=$(cat "$ROOT/tests/fixtures/keygen_csr.txt")
	cut=$(printf '%s' "$blob" | head -c 150)
	for a in '%KEYGEN: ""' '%KEYGEN: "garbage"' "%KEYGEN: \"$cut\"" '%KEYGEN: "..."'; do
		keygen_canned "\r\n$a\r\nOK\r\n"
		expect_rc 3 "keygen answered '$(printf '%s' "$a" | head -c 30)'"
		err_has "cannot be decoded"
		err_has "the modem answered: \"$(printf '%s' "$a" | sed 's/^%KEYGEN: "//; s/"$//')\""
	done
	keygen_canned "\r\n%KEYGEN: garbage\r\nOK\r\n"
	expect_rc 3 "keygen answered without quotes"
	err_has "garbage"
	keygen_canned "\r\nOK\r\n"
	expect_rc 3 "keygen answered only OK"
	# a line that is not the answer's may be anything: it is counted, not quoted
	keygen_canned "\r\n0011223344556677\r\nOK\r\n"
	expect_rc 3 "keygen answered a stray line"
	err_has "1 other line"
	err_lacks "0011223344556677"
}

test_attest_undecodable_answer_is_protocol_error() {
	for a in '""' '"garbage"' '"abc.def"'; do
		start_canned --answer 'AT%ATTESTTOKEN' "\r\n%ATTESTTOKEN: $a\r\nOK\r\n"
		mc attest
		expect_rc 3 "attest answered $a"
		err_has "cannot be decoded"
		err_has "the modem answered: $a"
		stop_sim
	done
}

# ---- info --------------------------------------------------------------------------

test_info_on_test_firmware_reports_what_it_read() {
	start_canned --answer 'AT+CGSN' '\r\nERROR\r\n' --answer 'AT%XMODEMUUID' '\r\nERROR\r\n' \
		--answer 'AT+CGMR' '\r\nmfw-pti_nrf91x1_2.3.3\r\n\r\nOK\r\n'
	mc info
	expect_ok "info on mfw-pti_nrf91x1_2.3.3"
	out_has 'IMEI: *unknown (the modem answered ERROR)'
	out_has 'Firmware: *mfw-pti_nrf91x1_2.3.3'
	out_has 'Firmware UUID: *unknown'
	out_has 'Model: *nRF9160-SICA'
	out_has 'Functional mode: *1'
	mc --json info
	expect_ok "info --json on mfw-pti_nrf91x1_2.3.3"
	expect_eq "$(json 'j["imei"]')" null "imei"
	expect_eq "$(json 'j["firmware_uuid"]')" null "firmware_uuid"
	expect_eq "$(json 'j["uuid"]')" null "uuid"
	expect_eq "$(json 'j["firmware"]')" mfw-pti_nrf91x1_2.3.3 "firmware"
	expect_eq "$(json '"imei" in j["unknown"] and "firmware_uuid" in j["unknown"]')" true "unknown"
}

test_info_firmware_uuid_labelled() {
	start_sim
	mc info
	expect_ok "info"
	out_has 'Firmware UUID: '
	out_lacks 'Modem UUID'
	mc --json info
	expect_ok "info --json"
	expect_eq "$(json 'j["firmware_uuid"] == j["uuid"] and j["firmware_uuid"] is not None')" true \
		"firmware_uuid and its old name uuid"
	expect_eq "$(json 'j["unknown"]')" "{}" "nothing unknown"
}

test_info_imei_must_look_like_one() {
	start_canned --answer 'AT+CGSN' '\r\nXMODEMSLEEP: 1,0\r\n\r\nOK\r\n'
	mc info
	expect_ok "info with a URC tail for an IMEI"
	out_lacks 'XMODEMSLEEP' "info output"
	out_has "IMEI: *unknown (the modem.s answer is not an IMEI"
	mc --json info
	expect_eq "$(json 'j["imei"]')" null "imei"
}

test_info_fails_without_firmware() {
	start_canned --answer 'AT+CGMR' '\r\nERROR\r\n'
	mc info
	expect_rc 4 "info when AT+CGMR answers ERROR"
}

# ---- digests on old firmware ----------------------------------------------------------

test_old_firmware_compare_not_checked() {
	start_sim --fw mfw_nrf9160_1.3.1 --cfun 4
	mc write --tag 12 --type ca --verify "$FIX/ca.pem"
	expect_ok "write --verify whose digest matches on 1.3.1"
	mc compare --tag 12 --type ca "$FIX/cert.pem"
	expect_rc 7 "compare of different content on 1.3.1"
	err_has "not checked"
	err_has "1.3.2"
	mc --json compare --tag 12 --type ca "$FIX/cert.pem"
	expect_rc 7 "compare --json on 1.3.1"
	expect_eq "$(json 'j["equal"]')" null "equal"
	expect_eq "$(json '"1.3.2" in j["not_checked"]')" true "not_checked"
	mc compare --tag 12 --type ca "$FIX/ca.pem"
	expect_ok "compare of the same content on 1.3.1"
	stop_sim
	start_sim --fw mfw_nrf9160_1.3.2 --cfun 4
	mc write --tag 12 --type ca "$FIX/ca.pem"
	mc compare --tag 12 --type ca "$FIX/cert.pem"
	expect_rc 5 "compare of different content on 1.3.2"
}

test_old_firmware_write_verify_not_checked() {
	wrong=0000000000000000000000000000000000000000000000000000000000000000
	start_canned --answer 'AT%CMNG=0,12,0' '\r\nOK\r\n' \
		--answer 'AT%CMNG=1,12,0' "\r\n%CMNG: 12,0,\"$wrong\"\r\nOK\r\n" \
		--answer 'AT+CGMR' '\r\nmfw_nrf9160_1.3.1\r\n\r\nOK\r\n'
	mc --offline write --tag 12 --type ca --verify "$FIX/ca.pem"
	expect_rc 7 "write --verify with a differing digest on 1.3.1"
	out_has "wrote"
	err_has "not checked"
	mc --offline --json write --tag 12 --type ca --verify "$FIX/ca.pem"
	expect_rc 7 "write --verify --json on 1.3.1"
	expect_eq "$(json 'j["verified"]')" null "verified"
	expect_eq "$(json '"1.3.2" in j["not_checked"]')" true "not_checked"
	stop_sim
	start_canned --answer 'AT%CMNG=0,12,0' '\r\nOK\r\n' \
		--answer 'AT%CMNG=1,12,0' "\r\n%CMNG: 12,0,\"$wrong\"\r\nOK\r\n" \
		--answer 'AT+CGMR' '\r\nmfw_nrf9160_1.3.2\r\n\r\nOK\r\n'
	mc --offline write --tag 12 --type ca --verify "$FIX/ca.pem"
	expect_rc 5 "write --verify with a differing digest on 1.3.2"
}

# ---- content written by nrfcredstore ------------------------------------------------------

test_compare_content_without_final_newline() {
	start_sim --cfun 4
	printf '%s' "$(cat "$FIX/ca.pem")" >"$T_DIR/stripped.pem"
	mc write --tag 12 --type ca "$T_DIR/stripped.pem"
	expect_ok "write as nrfcredstore does (rstrip)"
	mc compare --tag 12 --type ca "$FIX/ca.pem"
	expect_ok "compare the file with its final line break"
	out_has "without its final line break"
	mc --json compare --tag 12 --type ca "$FIX/ca.pem"
	expect_ok "compare --json"
	expect_eq "$(json 'j["equal"]')" true "equal"
	expect_eq "$(json 'j["match"]')" without-final-newline "match"
	mc --json compare --tag 12 --type ca "$T_DIR/stripped.pem"
	expect_eq "$(json 'j["match"]')" exact "match of the stripped file"
	head -n -1 "$FIX/ca.pem" >"$T_DIR/cut.pem"
	mc compare --tag 12 --type ca "$T_DIR/cut.pem"
	expect_rc 5 "a file missing its last line"
}

# ---- options -----------------------------------------------------------------------------

test_repeated_options_refused() {
	start_sim --cfun 4
	mc write --tag 1 --tag 2 --type ca "$FIX/ca.pem"
	expect_rc 2 "--tag twice"
	err_has "tag is given twice"
	mc --timeout 1 --timeout 2 list
	expect_rc 2 "--timeout twice"
	err_has "timeout is given twice"
	RC=0
	timeout 20 "$CLI" -p "$LINK" -p "$LINK" list >"$OUT" 2>"$ERR" || RC=$?
	expect_rc 2 "-p twice"
	err_has "port is given twice"
	stop_sim
	[ ! -s "$LOG" ] || fail "the modem received commands: $(cat "$LOG")"
}

test_no_digest_firmware_compare_not_checked() {
	start_sim --no-sha --cfun 4
	mc write --tag 12 --type ca "$FIX/ca.pem"
	expect_ok "write on firmware without digests"
	mc compare --tag 12 --type ca "$FIX/ca.pem"
	expect_rc 7 "compare on firmware without digests"
	mc --json compare --tag 12 --type ca "$FIX/ca.pem"
	expect_rc 7 "compare --json on firmware without digests"
	expect_eq "$(json 'j["equal"]')" null "equal"
	expect_eq "$(json '"no digests" in j["not_checked"]')" true "not_checked"
}
