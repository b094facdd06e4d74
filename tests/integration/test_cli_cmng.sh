# %CMNG through the CLI: info, list, write, read, verify, delete, clear,
# exists, compare, line endings, every writable type, persistence.

test_info() {
	start_sim
	mc info
	expect_ok "info"
	out_has 351358811234567 "info"
	out_has nRF9160-SICA "info"
	out_has mfw_nrf9160_1.3.5 "info"
	# %XMODEMUUID is the firmware build's UUID (modemsim's default --fw-uuid)
	out_has 7c1f3b2a-95d4-4e8b-a6f0-2d9e81c4b357 "info"
	mc --json info
	expect_ok "info --json"
	v=$(json "j['imei']"); expect_eq "$v" 351358811234567 "info --json imei"
}

test_info_custom_device() {
	start_sim --imei 351358810000001 --model nRF9151-LACA --fw mfw_nrf91x1_2.0.2 \
		--uuid 50503041-3633-43b0-80c3-011a3496dac0 \
		--fw-uuid 0f6e2c4d-8a1b-4c3d-9e5f-a7b8c9d0e1f2
	mc info
	expect_ok "info"
	out_has 351358810000001 "info"
	out_has nRF9151-LACA "info"
	out_has mfw_nrf91x1_2.0.2 "info"
	out_has 0f6e2c4d-8a1b-4c3d-9e5f-a7b8c9d0e1f2 "info"
}

test_version_help() {
	mcx --version
	expect_ok "--version"
	out_has "modemcred $(header_version) (libmodemcred $(header_version))" "--version"
	mcx --help
	expect_ok "--help"
	out_has write "--help"
	mcx frobnicate
	expect_rc 2 "unknown command"
}

test_list_empty_has_modem_tags() {
	start_sim
	mc list
	expect_ok "list"
	out_has 4294967292 "list"
	mc --json list
	expect_ok "list --json"
	n=$(json "len([c for c in j if int(c['tag']) >= 4294967292])")
	[ "$n" -ge 3 ] || fail "list --json should show the modem's tags 4294967292..4 (got $n)"
	json "[(c['tag'], c['type'], c['type_name'], c['sha256']) for c in j]" >/dev/null
}

# --type without --tag: the library filters the full list (AT%CMNG=1 takes a
# type only after a tag); the CLI shows what it gets.
test_list_type_across_tags() {
	start_sim
	mc write --tag 42 --type ca "$FIX/ca.pem"
	expect_ok "write ca to 42"
	mc write --tag 43 --type psk "$FIX/psk.hex"
	expect_ok "write psk to 43"
	mc --json list --type ca
	expect_ok "list --type ca"
	expect_eq "$(json "sorted(set(c['type'] for c in j))")" "[0]" "types listed for --type ca"
	expect_eq "$(json "[c['tag'] for c in j if c['tag'] in (42, 43)]")" "[42]" "tags of --type ca"
	mc list --type psk
	expect_ok "list --type psk"
	out_has "^43 " "list --type psk"
	out_lacks "^42 " "list --type psk"
}

test_write_ca_read_back_digest() {
	start_sim
	mc write --tag 42 --type 0 "$FIX/ca.pem"
	expect_ok "write --tag 42 --type 0"
	mc read --tag 42 --type 0 -o "$T_DIR/back.pem"
	expect_ok "read -o"
	files_equal "$T_DIR/back.pem" "$FIX/ca.pem" "read back vs written"
	want=$(sha_lf "$FIX/ca.pem")
	got=$(list_sha 42 0)
	expect_eq "$got" "$want" "digest of 42/0 in list --json"
	# the human list shows the digest too
	mc list
	expect_ok "list"
	out_has "$want" "list (human)"
	out_has 42 "list (human)"
	# list filtered by tag and by tag+type
	mc --json list --tag 42
	expect_ok "list --tag 42"
	n=$(json "len(j)"); expect_eq "$n" 1 "entries of list --tag 42"
	t=$(json "j[0]['type_name']"); expect_eq "$t" ca "type_name"
	mc --json list --tag 42 --type ca
	expect_ok "list --tag 42 --type ca"
	n=$(json "len(j)"); expect_eq "$n" 1 "entries of list --tag 42 --type ca"
	# read to stdout carries the content
	mc read --tag 42 --type ca
	expect_ok "read to stdout"
	out_has "BEGIN CERTIFICATE" "read to stdout"
}

test_write_verify() {
	start_sim
	mc write --tag 43 --type ca --verify "$FIX/ca.pem"
	expect_ok "write --verify"
	got=$(list_sha 43 0)
	expect_eq "$got" "$(sha_lf "$FIX/ca.pem")" "digest after write --verify"
	# stdin as input
	mc_in "$FIX/ca.pem" write --tag 44 --type 0 --verify -
	expect_ok "write --verify - (stdin)"
	got=$(list_sha 44 0)
	expect_eq "$got" "$(sha_lf "$FIX/ca.pem")" "digest after write from stdin"
}

test_write_crlf_stored_lf() {
	start_sim
	mc write --tag 50 --type 0 --verify "$FIX/ca.crlf.pem"
	expect_ok "write CRLF PEM --verify"
	mc read --tag 50 --type 0 -o "$T_DIR/back.pem"
	expect_ok "read"
	files_equal "$T_DIR/back.pem" "$FIX/ca.pem" "CRLF PEM should be stored with LF"
	! grep -q "$(printf '\r')" "$T_DIR/back.pem" || fail "stored content has CR"
	got=$(list_sha 50 0)
	expect_eq "$got" "$(sha_of "$FIX/ca.pem")" "digest of LF bytes"
}

test_keep_line_endings() {
	start_sim
	mc --keep-line-endings write --tag 51 --type 0 --verify "$FIX/ca.crlf.pem"
	expect_ok "--keep-line-endings write --verify"
	mc read --tag 51 --type 0 -o "$T_DIR/back.pem"
	expect_ok "read"
	files_equal "$T_DIR/back.pem" "$FIX/ca.crlf.pem" "--keep-line-endings should store CRLF"
	got=$(list_sha 51 0)
	expect_eq "$got" "$(sha_of "$FIX/ca.crlf.pem")" "digest of CRLF bytes"
}

test_all_writable_types() {
	start_sim
	mc write --tag 60 --type 0 --verify "$FIX/ca.pem";       expect_ok "write type 0"
	mc write --tag 60 --type cert --verify "$FIX/cert.pem";  expect_ok "write type 1 (cert)"
	mc write --tag 60 --type 2 --verify "$FIX/key.pem";      expect_ok "write type 2 (key)"
	mc write --tag 61 --type psk --verify "$FIX/psk.hex";    expect_ok "write type 3 (psk hex)"
	mc write --tag 61 --type psk-id --verify "$FIX/psk-id.txt"; expect_ok "write type 4 (psk-id)"
	mc write --tag 62 --type key --password-file "$FIX/password" "$FIX/key.enc.pem"
	expect_ok "write type 2 with --password-file"
	# the password reached the modem as a second parameter, the content did not leak into the log
	grep -q 'CMNG=0,62,2' "$LOG" || fail "log should show the write of 62/2"
	mc --json list
	expect_ok "list --json"
	for tt in "60 0 ca.pem" "60 1 cert.pem" "60 2 key.pem" "61 3 psk.hex" "61 4 psk-id.txt" "62 2 key.enc.pem"; do
		set -- $tt
		got=$(json "next((c['sha256'] for c in j if int(c['tag']) == $1 and int(c['type']) == $2), 'absent')")
		expect_eq "$got" "$(sha_lf "$FIX/$3")" "digest of $1/$2"
	done
	n=$(json "[c['type_name'] for c in j if int(c['tag']) == 61]")
	expect_eq "$n" "['psk', 'psk-id']" "type names of tag 61"
	# psk-id reads back; types 1, 2, 3 cannot be read (514 from the modem)
	mc read --tag 61 --type psk-id -o "$T_DIR/id"
	expect_ok "read psk-id"
	files_equal "$T_DIR/id" "$FIX/psk-id.txt" "psk-id read back"
	# refused: by the modem (514, exit 4) or up front (exit 2)
	mc read --tag 60 --type key -o "$T_DIR/k"
	[ "$RC" = 4 ] || [ "$RC" = 2 ] || fail "read of a private key: expected exit 4 or 2, got $RC"
	[ "$RC" = 2 ] || either_hasi 514 "read key"
	[ ! -s "$T_DIR/k" ] || fail "a refused read wrote an output file"
}

test_delete_exists() {
	start_sim
	mc write --tag 70 --type 0 "$FIX/ca.pem"
	expect_ok "write"
	mc exists --tag 70 --type 0
	expect_ok "exists (present)"
	mc delete --tag 70 --type 0
	expect_ok "delete"
	mc exists --tag 70 --type 0
	expect_rc 6 "exists after delete"
	mc read --tag 70 --type 0
	expect_rc 6 "read after delete"
	mc delete --tag 70 --type 0
	expect_rc 6 "delete of a missing credential"
	got=$(list_sha 70 0)
	expect_eq "$got" "" "list after delete"
}

test_read_missing() {
	start_sim
	mc read --tag 12345 --type 0 -o "$T_DIR/x"
	expect_rc 6 "read of a missing credential"
	[ ! -s "$T_DIR/x" ] || fail "read of a missing credential wrote a file"
}

test_clear_tag() {
	start_sim
	mc write --tag 80 --type 0 "$FIX/ca.pem";      expect_ok "write 80/0"
	mc write --tag 80 --type 1 "$FIX/cert.pem";    expect_ok "write 80/1"
	mc write --tag 80 --type 2 "$FIX/key.pem";     expect_ok "write 80/2"
	mc write --tag 81 --type 0 "$FIX/ca.pem";      expect_ok "write 81/0"
	mc clear --yes --tag 80
	expect_ok "clear --tag 80"
	mc --json list
	expect_ok "list"
	n=$(json "len([c for c in j if int(c['tag']) == 80])"); expect_eq "$n" 0 "entries left in tag 80"
	n=$(json "len([c for c in j if int(c['tag']) == 81])"); expect_eq "$n" 1 "entries in tag 81"
	n=$(json "len([c for c in j if int(c['tag']) >= 4294967292])")
	[ "$n" -ge 3 ] || fail "modem tags must survive a clear"
	# clearing a modem tag is refused before anything is sent
	mc clear --tag 4294967292
	expect_rc 2 "clear of a modem-owned tag"
}

# clear --all: every user credential of every tag goes, the modem's own stay.
test_clear_all() {
	start_sim --cfun 1
	mc --json list
	expect_ok "list before"
	$PY -c 'import json,sys; print(sorted((c["tag"], c["type"], c["sha256"]) for c in json.load(open(sys.argv[1])) if c["tag"] > 2147483647))' "$OUT" >"$T_DIR/modem.before"
	[ "$(json "len(j)")" -ge 3 ] || fail "the simulator should start with modem-owned entries"
	mc --offline write --tag 80 --type 0 "$FIX/ca.pem";   expect_ok "write 80/0"
	mc --offline write --tag 80 --type 2 "$FIX/key.pem";  expect_ok "write 80/2"
	mc --offline write --tag 81 --type 1 "$FIX/cert.pem"; expect_ok "write 81/1"
	mc --offline write --tag 0 --type 0 "$FIX/ca.pem";    expect_ok "write 0/0"
	mc --offline write --tag 2147483647 --type 0 "$FIX/ca.pem"; expect_ok "write max/0"
	# like clear, it needs the modem offline
	mc clear --yes --all
	expect_rc 4 "clear --all while online"
	either_hasi 518 "clear --all while online"
	mc --offline --json clear --yes --all
	expect_ok "clear --all"
	expect_eq "$(json "j['tag']")" null "clear --all --json tag"
	expect_eq "$(json "j['deleted']")" 5 "clear --all --json deleted"
	skipped=$(json "j['skipped']")
	mc --json list
	expect_ok "list after"
	expect_eq "$(json "len([c for c in j if c['tag'] <= 2147483647])")" 0 "user entries left"
	expect_eq "$(json "len(j)")" "$skipped" "skipped = the modem-owned entries left"
	$PY -c 'import json,sys; print(sorted((c["tag"], c["type"], c["sha256"]) for c in json.load(open(sys.argv[1])) if c["tag"] > 2147483647))' "$OUT" >"$T_DIR/modem.after"
	files_equal "$T_DIR/modem.after" "$T_DIR/modem.before" "modem-owned entries"
	[ "$(log_count 'CMNG=3,429496729')" -eq 0 ] || fail "a delete of a modem-owned tag was sent"
	mc at 'AT+CFUN?'
	out_has '+CFUN: 1' "functional mode after clear --all"
	# the human output says the counts; nothing left to delete now
	mc --offline clear --yes --all
	expect_ok "clear --all again"
	out_has "cleared every user tag: 0 deleted, $skipped skipped" "clear --all output"
}

# --tag and --all together, or neither: a usage error, nothing sent.
test_clear_tag_or_all() {
	start_sim
	mc clear --all --tag 80
	expect_rc 2 "clear --all --tag"
	err_has "either --tag N" "clear --all --tag"
	mc clear
	expect_rc 2 "clear without --tag or --all"
	err_has "not neither" "clear alone"
	mc clear --all extra
	expect_rc 2 "clear --all with an argument"
	assert_nothing_sent "clear usage errors"
}

test_compare() {
	start_sim
	mc write --tag 90 --type 0 "$FIX/ca.pem"
	expect_ok "write"
	mc compare --tag 90 --type 0 "$FIX/ca.pem"
	expect_ok "compare with the same file"
	mc compare --tag 90 --type 0 "$FIX/ca.crlf.pem"
	expect_ok "compare with the CRLF variant (normalised like a write)"
	mc compare --tag 90 --type 0 "$FIX/cert.pem"
	expect_rc 5 "compare with a different file"
	mc compare --tag 91 --type 0 "$FIX/ca.pem"
	expect_rc 6 "compare with a missing credential"
}

test_overwrite() {
	start_sim
	mc write --tag 95 --type 0 "$FIX/ca.pem";   expect_ok "write"
	mc write --tag 95 --type 0 --verify "$FIX/cert.pem"; expect_ok "overwrite"
	got=$(list_sha 95 0)
	expect_eq "$got" "$(sha_lf "$FIX/cert.pem")" "digest after overwrite"
	mc --json list --tag 95
	n=$(json "len(j)"); expect_eq "$n" 1 "one entry per tag+type"
}

test_store_persists_restart() {
	start_sim
	mc write --tag 100 --type 0 "$FIX/ca.pem"; expect_ok "write"
	mc write --tag 100 --type 4 "$FIX/psk-id.txt"; expect_ok "write psk-id"
	stop_sim
	[ ! -e "$LINK" ] || fail "modemsim did not remove its link on SIGTERM"
	start_sim
	mc read --tag 100 --type 0 -o "$T_DIR/back.pem"
	expect_ok "read after restart"
	files_equal "$T_DIR/back.pem" "$FIX/ca.pem" "content after restart"
	got=$(list_sha 100 4)
	expect_eq "$got" "$(sha_of "$FIX/psk-id.txt")" "psk-id digest after restart"
}

test_at_command() {
	start_sim
	mc at 'AT+CGMM'
	expect_ok "at AT+CGMM"
	out_has nRF9160-SICA "at AT+CGMM"
	mc at 'AT+CFUN?'
	expect_ok "at AT+CFUN?"
	out_has '+CFUN: 0' "at AT+CFUN?"
	mc at 'AT%CMNG=2,1,0'
	expect_rc 4 "at: the modem answers an error"
	mc at 'AT+CMEE=1'
	expect_ok "AT+CMEE=1"
	mc at 'AT%CMNG=2,1,0'
	expect_rc 4 "at: the modem answers +CME ERROR"
	either_hasi 513 "at AT%CMNG=2,1,0 with CMEE 1"
}

test_tag_zero_and_max() {
	start_sim
	mc write --tag 0 --type 0 "$FIX/ca.pem"
	expect_ok "write tag 0"
	mc write --tag 2147483647 --type 0 "$FIX/ca.pem"
	expect_ok "write tag 2147483647"
	got=$(list_sha 2147483647 0)
	expect_eq "$got" "$(sha_lf "$FIX/ca.pem")" "digest at tag 2147483647"
}
