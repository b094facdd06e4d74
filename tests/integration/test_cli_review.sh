# Behaviours fixed in the CLI review: output files checked before the modem
# is asked, bundled short flags, messages that name the user's range and the
# way out, --tag on attestation tokens, stdin used twice, the JSON contract.

# cmng_sent: how many %CMNG commands the simulator has received so far
cmng_sent() { log_count 'CMNG'; }

test_read_output_unwritable() {
	start_sim
	mc write --tag 12 --type ca "$FIX/ca.pem"
	expect_ok "write ca"
	# a file that cannot be created: exit 2 and nothing sent (the promise of exit 2)
	n0=$(cmng_sent)
	mc read --tag 12 --type ca -o "$T_DIR/no-such-dir/back.pem"
	expect_rc 2 "read -o into a missing directory"
	expect_eq "$(cmng_sent)" "$n0" "%CMNG commands sent for read -o into a missing directory"
	err_has "no-such-dir" "read -o into a missing directory"
	mkdir "$T_DIR/adir"
	mc read --tag 12 --type ca -o "$T_DIR/adir"
	expect_rc 2 "read -o DIRECTORY"
	expect_eq "$(cmng_sent)" "$n0" "%CMNG commands sent for read -o DIRECTORY"
	# a write that fails after the modem answered is not a usage error
	if [ -w /dev/full ]; then
		mc read --tag 12 --type ca -o /dev/full
		expect_rc 1 "read -o /dev/full (disk full after the read)"
		err_has "cannot write /dev/full" "read -o /dev/full"
	else
		note "/dev/full is not writable here; skipped the disk-full case"
	fi
	mc read --tag 12 --type ca -o "$T_DIR/back.pem"
	expect_ok "read -o FILE"
	files_equal "$T_DIR/back.pem" "$FIX/ca.pem" "read -o FILE"
}

test_keygen_output_unwritable() {
	start_sim
	mc keygen --tag 60 -o "$T_DIR/no-such-dir/dev.csr"
	expect_rc 2 "keygen -o into a missing directory"
	[ "$(log_count 'KEYGEN')" -eq 0 ] || fail "keygen -o into a missing directory sent %KEYGEN"
	mc --json list --tag 60
	expect_ok "list --tag 60"
	expect_eq "$(json "len(j)")" 0 "credentials in tag 60 after a refused keygen"
	if [ -w /dev/full ]; then
		mc keygen --tag 61 -o /dev/full
		expect_rc 1 "keygen -o /dev/full (the key exists, the CSR could not be saved)"
		err_has "generated in tag 61" "keygen -o /dev/full"
		# the answer on stderr is enough to get the CSR back
		sed -n 's/^the key was generated.*: \([^ ]*\)$/\1/p' "$ERR" >"$T_DIR/answer.txt"
		[ -s "$T_DIR/answer.txt" ] || fail "keygen -o /dev/full did not print the modem's answer"
		mcx --json verify --tag 61 "$T_DIR/answer.txt"
		expect_ok "verify of the answer printed by keygen -o /dev/full"
		json "j['csr_pem']" >"$T_DIR/dev.csr"
		openssl req -in "$T_DIR/dev.csr" -verify -noout >/dev/null 2>&1 ||
			fail "the recovered CSR does not verify"
	else
		note "/dev/full is not writable here; skipped the disk-full case"
	fi
}

test_bundled_short_flags() {
	start_sim
	mc -vq list
	expect_ok "-vq list"
	err_has '> AT%CMNG=1' "-vq list (the trace of -v)"
	mc -vx list
	expect_rc 2 "-vx list"
	err_has "'-x'" "-vx list names the unknown flag"
	mc write --tag 12 --type ca "$FIX/ca.pem"
	expect_ok "write ca"
	mc -qo "$T_DIR/back.pem" read --tag 12 --type ca
	expect_ok "-qo FILE read (a bundle ending in an option with a value)"
	files_equal "$T_DIR/back.pem" "$FIX/ca.pem" "-qo FILE read"
}

test_tag_messages_name_user_range() {
	start_sim
	for bad in +12 12x; do
		mc write --tag "$bad" --type ca "$FIX/ca.pem"
		expect_rc 2 "write --tag $bad"
		err_has "0 to 2147483647" "write --tag $bad"
		err_lacks "18446744073709551615" "write --tag $bad"
	done
	mc write --tag= --type ca "$FIX/ca.pem"
	expect_rc 2 "write --tag="
	err_has "empty" "write --tag="
	err_lacks "18446744073709551615" "write --tag="
	assert_nothing_sent "writes with bad tags"
}

test_verify_tag_on_attestation_not_silent() {
	start_sim
	mc --json attest
	expect_ok "attest"
	tok=$(json "j['blob']")
	mcx verify --tag 5 --attest "$tok"
	expect_ok "verify --tag 5 --attest (nothing failed)"
	out_has "sec_tag check: not checked" "verify --tag on an attestation token"
	mcx verify --attest "$tok"
	expect_ok "verify --attest"
	out_lacks "sec_tag check" "verify --attest without --tag"
}

test_stdin_used_twice_refused() {
	start_sim
	printf 'secret-pass\n' >"$T_DIR/in"
	mc_in "$T_DIR/in" write --tag 12 --type key --password-file - -
	expect_rc 2 "write --password-file - -"
	err_has "both name standard input" "write --password-file - -"
	assert_nothing_sent "write --password-file - -"
	mc --json attest
	json "j['blob']" >"$T_DIR/tok"
	RC=0
	timeout -k 3 "$MC_TIMEOUT" "$CLI" verify --identity-key - - <"$T_DIR/tok" >"$OUT" 2>"$ERR" || RC=$?
	expect_rc 2 "verify --identity-key - -"
	err_has "both name standard input" "verify --identity-key - -"
}

test_exists_json_has_type_name() {
	start_sim
	mc write --tag 12 --type ca "$FIX/ca.pem"
	expect_ok "write ca"
	mc --json exists --tag 12 --type ca
	expect_ok "exists --json"
	expect_eq "$(json "j['type_name']")" ca "exists --json type_name"
	expect_eq "$(json "j['exists']")" true "exists --json exists"
	mc --json exists --tag 12 --type cert
	expect_rc 6 "exists --json of a missing credential"
	expect_eq "$(json "j['type_name']")" cert "exists --json type_name (missing)"
	expect_eq "$(json "j['sha256']")" null "exists --json sha256 (missing)"
}

test_interrupt_message_truthful() {
	start_sim --hold-file "$(hold_file)"
	hold_next 'CMNG=1'
	sig=""
	env --default-signal=INT true 2>/dev/null && sig="--default-signal=INT"
	env $sig "$CLI" -p "$LINK" --timeout 30 list >"$OUT" 2>"$ERR" &
	pid=$!
	( sleep 90; kill -KILL "$pid" 2>/dev/null ) >/dev/null 2>&1 &
	wd=$!
	signal_held "$pid" INT
	RC=0; wait "$pid" || RC=$?
	kill "$wd" 2>/dev/null || true
	expect_rc 130 "list interrupted by SIGINT"
	err_has "interrupted" "list interrupted"
	# list without --offline never touched the functional mode
	err_lacks "restored" "list interrupted (without --offline)"
}

test_no_port_no_kit_message() {
	RC=0
	env -u MODEMCRED_PORT timeout -k 3 "$MC_TIMEOUT" "$CLI" --json ports >"$OUT" 2>"$ERR" || RC=$?
	expect_ok "ports"
	if [ "$(json "sum(1 for p in j if p['kit'])")" != 0 ]; then
		note "a Nordic kit is attached; skipped"
		return 0
	fi
	RC=0
	env -u MODEMCRED_PORT timeout -k 3 "$MC_TIMEOUT" "$CLI" info >"$OUT" 2>"$ERR" || RC=$?
	expect_rc 3 "info without a port and without a kit"
	err_has "MODEMCRED_PORT" "no kit: the message names both ways to give the port"
	err_has "--port" "no kit: the message names --port"
	err_has "modemcred ports" "no kit: the message says how to list the ports"
	err_lacks ") (" "no kit: one sentence, not two parentheses in a row"
}

# The JSON keys and types the issues promise (guards the json_field_* helpers).
test_json_contract() {
	start_sim
	mc --json write --tag 12 --type ca --verify "$FIX/ca.pem"
	expect_ok "write --json"
	json "all([type(j['tag']) is int, j['type'] == 0, j['type_name'] == 'ca', len(j['sha256']) == 64, j['verified'] is True]) or exit(1)" >/dev/null
	mc --json list
	expect_ok "list --json"
	json "all(set(c) == {'tag', 'type', 'type_name', 'sha256'} and type(c['tag']) is int and type(c['type']) is int and (c['sha256'] is None or len(c['sha256']) == 64) for c in j) or exit(1)" >/dev/null
	mc --json read --tag 12 --type ca
	expect_ok "read --json"
	json "(j['content'] == open('$FIX/ca.pem').read() and j['tag'] == 12) or exit(1)" >/dev/null
	mc --json compare --tag 12 --type ca "$FIX/ca.pem"
	expect_ok "compare --json"
	expect_eq "$(json "j['equal']")" true "compare --json equal"
	mc --json info
	expect_ok "info --json"
	json "(type(j['cfun']) is int and j['imei'] and j['uuid']) or exit(1)" >/dev/null
	mc --json keygen --tag 13 --identity-key "$IDKEY"
	expect_ok "keygen --json"
	json "all(k in j for k in ['kind', 'device_uuid', 'sec_tag', 'payload_id', 'digest', 'csr_signature', 'cose_signature', 'subject', 'public_key_pem']) or exit(1)" >/dev/null
	json "(j['kind'] == 'csr' and j['sec_tag'] == 13 and type(j['payload_id']) is int and j['digest'] == 'match' and j['csr_signature'] == 'valid' and j['cose_signature'] == 'valid' and j['public_key_pem'].startswith('-----BEGIN PUBLIC KEY')) or exit(1)" >/dev/null
	mc --json delete --tag 12 --type ca
	expect_ok "delete --json"
	expect_eq "$(json "j['deleted']")" true "delete --json deleted"
	mc --json clear --yes --tag 13
	expect_ok "clear --json"
	json "(j['tag'] == 13 and j['deleted'] == 1 and j['skipped'] == 0) or exit(1)" >/dev/null
	mc --json at 'AT+CFUN?'
	expect_ok "at --json"
	expect_eq "$(json "j['lines']")" "['+CFUN: 0']" "at --json lines"
}

# A port that is not there: the library's reason, then where to look.
test_missing_port_message() {
	RC=0
	timeout -k 3 "$MC_TIMEOUT" "$CLI" -p /dev/ttyMCNOSUCH7 info >"$OUT" 2>"$ERR" || RC=$?
	expect_rc 3 "info on a missing port"
	err_has "/dev/ttyMCNOSUCH7" "the message names the port"
	err_has "modemcred ports" "the message says how to list the ports"
}
