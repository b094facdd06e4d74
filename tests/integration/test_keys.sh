# %KEYGEN and %ATTESTTOKEN through the CLI, offline verification, and the
# independent COSE check (tests/tools/cose_check.py) of the simulator.

COSE_CHECK=tests/tools/cose_check.py

# at_blob NAME: the text between the quotes of "%NAME: "..."" in $OUT
at_blob() {
	tr -d '\r' <"$OUT" | tr '\n' ' ' | sed -n "s/.*%$1: *\"\\([^\"]*\\)\".*/\\1/p" | tr -d ' '
}

test_keygen_csr() {
	start_sim
	mc --json keygen --tag 1001 --kind csr -o "$T_DIR/out.csr" --identity-key "$IDKEY"
	expect_ok "keygen --kind csr"
	expect_eq "$(json "j['kind']")" csr "kind"
	expect_eq "$(json "j['digest']")" match "digest"
	expect_eq "$(json "j['csr_signature']")" valid "csr_signature"
	expect_eq "$(json "j['cose_signature']")" valid "cose_signature"
	expect_eq "$(json "j['sec_tag']")" 1001 "sec_tag"
	expect_eq "$(json "j['payload_id']")" 9 "payload_id"
	expect_eq "$(json "j['device_uuid']")" 4e5249d0-5349-4d00-8000-0123456789ab "device_uuid"
	subj=$(json "j['subject']")
	expect_eq "$subj" CN=4e5249d0-5349-4d00-8000-0123456789ab "default subject"
	expect_eq "$(json "j['subject_check']")" valid "subject_check"
	json "j['public_key_pem']" | grep -q 'BEGIN PUBLIC KEY' || fail "public_key_pem"
	openssl req -verify -in "$T_DIR/out.csr" -noout >"$T_DIR/ossl" 2>&1 ||
		{ cat "$T_DIR/ossl" >&2; fail "openssl req -verify on the CSR"; }
	# the key is in the store, as type 2
	mc --json list --tag 1001
	expect_ok "list --tag 1001"
	expect_eq "$(json "[c['type'] for c in j]")" "[2]" "types in tag 1001 after keygen"
	# again without --force: refused, nothing generated
	n0=$(log_count 'KEYGEN')
	mc keygen --tag 1001 --kind csr -o "$T_DIR/again.csr"
	expect_rc 1 "keygen into a tag that has a key, without --force"
	expect_eq "$(log_count 'KEYGEN')" "$n0" "KEYGEN commands after the refusal"
	either_hasi force "refusal message"
	mc keygen --tag 1001 --kind csr --force -o "$T_DIR/again.csr" --identity-key "$IDKEY"
	expect_ok "keygen --force"
	cmp -s "$T_DIR/out.csr" "$T_DIR/again.csr" && fail "--force should have made a new key"
	openssl req -verify -in "$T_DIR/again.csr" -noout >/dev/null 2>&1 || fail "openssl req -verify (second CSR)"
	# "-o -" is standard output, as without -o: the CSR there, the report on stderr
	mc keygen --tag 1001 --kind csr --force -o -
	expect_ok "keygen -o -"
	openssl req -verify -in "$OUT" -noout >/dev/null 2>&1 || fail "stdout holds only the CSR: $(cat "$OUT")"
	err_has "every performed check passed" "the report on stderr"
	true
}

test_keygen_csr_attributes_der() {
	start_sim
	mc --json keygen --tag 1002 --attributes 'CN=device-7,O=Example Oy,C=fi' --key-usage 101010000 \
		--format der -o "$T_DIR/out.der" --identity-key "$IDKEY"
	expect_ok "keygen with attributes, DER"
	expect_eq "$(json "j['cose_signature']")" valid "cose_signature"
	subj=$(json "j['subject']")
	for a in CN=device-7 'O=Example Oy' C=fi; do
		echo "$subj" | grep -q "$a" || fail "subject '$subj' lacks $a"
	done
	openssl req -inform DER -verify -in "$T_DIR/out.der" -noout >/dev/null 2>&1 ||
		fail "openssl req -verify on the DER CSR"
	openssl req -inform DER -in "$T_DIR/out.der" -noout -text >"$T_DIR/csr.txt" 2>&1
	grep -qi 'Key Encipherment' "$T_DIR/csr.txt" || fail "key usage keyEncipherment missing from the CSR"
	grep -qi 'Non Repudiation\|Content Commitment' "$T_DIR/csr.txt" && fail "key usage 101010000 should not have nonRepudiation"
	true
}

# A modem whose CSR names another subject than the one asked for: keygen
# fails the check (exit 5), writes nothing, names both subjects; verify
# checks the same when told what was asked.
test_keygen_wrong_subject() {
	start_sim --keygen-subject 'CN=device-7,O=Other Oy'
	mc --json keygen --tag 1010 --attributes 'CN=device-7,O=Example Oy' -o "$T_DIR/w.csr"
	expect_rc 5 "keygen, the CSR names another O"
	expect_eq "$(json "j['subject_check']")" invalid "subject_check"
	expect_eq "$(json "j['csr_signature']")" valid "csr_signature (the CSR itself is sound)"
	expect_eq "$(json "j['ok']")" false "ok"
	json "j['problem']" | grep -qF "the CSR is for 'CN=device-7,O=Other Oy', not 'CN=device-7,O=Example Oy'" ||
		fail "problem should name both subjects: $(json "j['problem']")"
	json "j['problem']" | grep -qF "its O is 'Other Oy', not 'Example Oy'" ||
		fail "problem should say what differs: $(json "j['problem']")"
	[ -e "$T_DIR/w.csr" ] && fail "a CSR with the wrong subject was written"
	err_has "subject mismatch" "the message on stderr"
	blob=$(sed -n 's/^nothing written; the modem answered: //p' "$ERR" | head -n 1)
	[ -n "$blob" ] || fail "the modem's answer is not on stderr: $(cat "$ERR")"
	# the same, in text, with an attribute the modem dropped and one it added
	mc --offline keygen --tag 1010 --force --attributes 'CN=device-7,O=Other Oy,OU=Line 2' \
		-o "$T_DIR/w.csr"
	expect_rc 5 "keygen, the CSR lacks an OU"
	out_has "subject check: INVALID" "the text report"
	out_has "(it lacks OU=Line 2)" "the text report"
	mc --offline keygen --tag 1010 --force --attributes 'CN=device-7' -o "$T_DIR/w.csr"
	expect_rc 5 "keygen, the CSR adds an O"
	out_has "(it adds O=Other Oy)" "the text report"
	# asked in another order than the modem made it
	mc --offline keygen --tag 1010 --force --attributes 'O=Other Oy,CN=device-7' -o "$T_DIR/w.csr"
	expect_rc 5 "keygen, the CSR in another order"
	out_has "another order" "the text report"
	# exactly what the modem makes: it passes
	mc --offline --json keygen --tag 1010 --force --attributes 'CN=device-7,O=Other Oy' \
		-o "$T_DIR/w.csr"
	expect_ok "keygen, the subject asked for"
	expect_eq "$(json "j['subject_check']")" valid "subject_check"
	# verify: not checked unless told what was asked; then checked the same way
	mcx verify --keygen "$blob"
	expect_ok "verify without --attributes"
	out_has "subject check: not checked (no --attributes given)" "verify report"
	mcx verify --keygen "$blob" --attributes 'CN=device-7,O=Other Oy'
	expect_ok "verify --attributes as the CSR has them"
	out_has "subject check: valid" "verify report"
	mcx --json verify --keygen "$blob" --attributes 'CN=device-7,O=Example Oy'
	expect_rc 5 "verify --attributes as they were asked"
	expect_eq "$(json "j['subject_check']")" invalid "verify subject_check"
	mcx verify --keygen "$blob" --attributes 'CN=device-7,XX=1'
	expect_rc 2 "verify --attributes with a name %KEYGEN does not take"
	err_has "--attributes: attribute name" "the usage error"
	# no attributes: the CSR must be CN=<device UUID> alone
	stop_sim
	SIM_NAME=sim2 start_sim --keygen-subject 'CN=4e5249d0-5349-4d00-8000-0123456789ab,O=Extra'
	mc --offline keygen --tag 1011 -o "$T_DIR/d.csr"
	expect_rc 5 "keygen without attributes, the CSR adds an O"
	out_has "not 'CN=4e5249d0-5349-4d00-8000-0123456789ab' as asked of %KEYGEN (it adds O=Extra)" \
		"the text report"
	[ -e "$T_DIR/d.csr" ] && fail "a CSR with the wrong subject was written"
	true
}

test_keygen_modern_encoding() {
	start_sim --modern-csr
	mc --json keygen --tag 1003 -o "$T_DIR/m.csr" --identity-key "$IDKEY"
	expect_ok "keygen (modern CSR encoding)"
	expect_eq "$(json "j['csr_signature']")" valid "csr_signature"
	openssl req -verify -in "$T_DIR/m.csr" -noout >/dev/null 2>&1 || fail "openssl req -verify (modern)"
}

test_keygen_pubkey() {
	start_sim
	mc --json keygen --tag 1004 --kind pubkey -o "$T_DIR/pub.pem" --identity-key "$IDKEY"
	expect_ok "keygen --kind pubkey"
	expect_eq "$(json "j['kind']")" pubkey "kind"
	expect_eq "$(json "j['payload_id']")" 8 "payload_id"
	expect_eq "$(json "j['digest']")" match "digest"
	expect_eq "$(json "j['cose_signature']")" valid "cose_signature"
	expect_eq "$(json "j['csr_signature']")" null "csr_signature of a public key"
	expect_eq "$(json "j['sec_tag']")" 1004 "sec_tag"
	openssl pkey -pubin -in "$T_DIR/pub.pem" -noout >/dev/null 2>&1 || fail "the public key PEM does not parse"
	mc --json list --tag 1004
	expect_eq "$(json "[c['type'] for c in j]")" "[2]" "types in tag 1004"
}

test_keygen_endorsement() {
	start_sim
	mc --json keygen --tag 1005 --kind endorsement -o "$T_DIR/end.pem" --identity-key "$IDKEY"
	expect_ok "keygen --kind endorsement"
	expect_eq "$(json "j['kind']")" pubkey "kind"
	expect_eq "$(json "j['digest']")" match "digest"
	expect_eq "$(json "j['cose_signature']")" valid "cose_signature"
	expect_eq "$(json "j['sec_tag']")" 1005 "sec_tag"
	openssl pkey -pubin -in "$T_DIR/end.pem" -noout >/dev/null 2>&1 || fail "endorsement public key PEM"
	mc --json list --tag 1005
	expect_eq "$(json "[c['type'] for c in j]")" "[8]" "types in tag 1005"
}

test_keygen_online_offline() {
	start_sim --cfun 1
	mc keygen --tag 1006 -o "$T_DIR/x.csr"
	expect_rc 4 "keygen while online"
	either_hasi 518 "keygen while online"
	mc --offline --json keygen --tag 1006 -o "$T_DIR/x.csr" --identity-key "$IDKEY"
	expect_ok "--offline keygen"
	expect_eq "$(json "j['cose_signature']")" valid "cose_signature"
	mc at 'AT+CFUN?'
	out_has '+CFUN: 1' "functional mode after --offline keygen"
}

test_keygen_fail_523() {
	start_sim --keygen-fail 523
	mc keygen --tag 1007 -o "$T_DIR/x.csr"
	expect_rc 4 "keygen with the modem failing (523)"
	either_hasi 523 "keygen failure message"
	[ ! -s "$T_DIR/x.csr" ] || fail "a failed keygen wrote an output file"
}

test_keygen_invalid_nothing_sent() {
	start_sim
	mc keygen --tag 0 -o "$T_DIR/x"
	expect_rc 2 "keygen --tag 0"
	mc keygen --tag 2147483648 -o "$T_DIR/x"
	expect_rc 2 "keygen --tag 2147483648"
	mc keygen --tag 5 --key-usage 101010001 -o "$T_DIR/x"
	expect_rc 2 "keygen with decipherOnly"
	mc keygen --tag 5 --key-usage 10101 -o "$T_DIR/x"
	expect_rc 2 "keygen with a short key usage"
	mc keygen --tag 5 --attributes 'XX=foo' -o "$T_DIR/x"
	expect_rc 2 "keygen with an unknown attribute"
	mc keygen --tag 5 --attributes 'CN=a"b' -o "$T_DIR/x"
	expect_rc 2 "keygen with a quote in an attribute"
	mc keygen --tag 5 --kind nonsense -o "$T_DIR/x"
	expect_rc 2 "keygen --kind nonsense"
	expect_eq "$(log_count 'KEYGEN')" 0 "KEYGEN commands sent for invalid requests"
}

# a KEYGEN blob straight from the modem, through `modemcred at`
raw_keygen() {
	mc at "AT%KEYGEN=$1"
	expect_ok "at AT%KEYGEN=$1"
	BLOB=$(at_blob KEYGEN)
	[ -n "$BLOB" ] || fail "no %KEYGEN blob in the at output"
	printf '%s' "$BLOB" >"$T_DIR/blob.txt"
}

test_verify_offline() {
	start_sim
	raw_keygen 21,2,0
	# no modem needed: stop it
	stop_sim
	mcx --json verify --keygen "$BLOB" --tag 21 --identity-key "$IDKEY"
	expect_ok "verify --keygen with tag and identity key"
	expect_eq "$(json "j['cose_signature']")" valid "cose_signature"
	expect_eq "$(json "j['digest']")" match "digest"
	expect_eq "$(json "j['csr_signature']")" valid "csr_signature"
	expect_eq "$(json "j['sec_tag']")" 21 "sec_tag"
	mcx verify --keygen "$BLOB" --tag 22 --identity-key "$IDKEY"
	expect_rc 5 "verify with the wrong --tag"
	mcx verify --keygen "$BLOB" --tag 21 --identity-key "$FIX/wrong-identity.pem"
	expect_rc 5 "verify with a wrong identity key"
	mcx --json verify --keygen "$BLOB" --identity-key "$FIX/wrong-identity.pem"
	expect_rc 5 "verify --json with a wrong identity key"
	expect_eq "$(json "j['cose_signature']")" invalid "cose_signature with a wrong key"
	mcx --json verify --keygen "$BLOB"
	expect_ok "verify without a key"
	expect_eq "$(json "j['cose_signature']")" not-checked "cose_signature without a key"
	mcx verify --keygen "$BLOB"
	expect_ok "verify without a key (text)"
	out_hasi "not.checked" "text output without a key"
	mcx --json verify "$T_DIR/blob.txt" --tag 21 --identity-key "$IDKEY"
	expect_ok "verify FILE"
	expect_eq "$(json "j['cose_signature']")" valid "cose_signature (FILE)"
	# the blob wrapped over lines, as the reference page prints it
	{ printf '%%KEYGEN: "'; fold -w 76 "$T_DIR/blob.txt"; printf '"\r\nOK\r\n'; } >"$T_DIR/wrapped.txt"
	mcx verify "$T_DIR/wrapped.txt" --tag 21 --identity-key "$IDKEY"
	expect_ok "verify of a wrapped blob"
	# a captured session: the echoed command, the answer, OK
	{ printf 'AT%%KEYGEN=21,2,0\r\n%%KEYGEN: "'; cat "$T_DIR/blob.txt"; printf '"\r\nOK\r\n'; } \
		>"$T_DIR/session.txt"
	mcx verify "$T_DIR/session.txt" --tag 21 --identity-key "$IDKEY"
	expect_ok "verify of a captured session with the echoed command"
	# and a bare blob wrapped over lines, without the %KEYGEN: "..." around it
	fold -w 76 "$T_DIR/blob.txt" >"$T_DIR/wrapped-bare.txt"
	mcx verify "$T_DIR/wrapped-bare.txt" --tag 21 --identity-key "$IDKEY"
	expect_ok "verify of a bare blob wrapped over lines"
	# tampering: one character of the body changed
	c=$(printf '%s' "$BLOB" | cut -c40)
	if [ "$c" = A ]; then r=B; else r=A; fi
	bad=$(printf '%s' "$BLOB" | sed "s/^\\(.\\{39\\}\\)./\\1$r/")
	mcx --json verify --keygen "$bad" --tag 21 --identity-key "$IDKEY"
	[ "$RC" = 5 ] || [ "$RC" = 1 ] || [ "$RC" = 2 ] || fail "verify of a tampered blob: expected 5, got $RC"
	[ "$RC" = 5 ] || note "tampered blob gave exit $RC (decode error) rather than 5"
	# tampering: one character of the COSE signature changed
	n=$(printf '%s' "$BLOB" | wc -c)
	pos=$((n - 10))
	c=$(printf '%s' "$BLOB" | cut -c"$pos")
	if [ "$c" = A ]; then r=B; else r=A; fi
	bad=$(printf '%s' "$BLOB" | sed "s/^\(.\{$((pos - 1))\}\)./\1$r/")
	[ "$bad" != "$BLOB" ] || fail "tampering did not change the blob"
	mcx --json verify --keygen "$bad" --tag 21 --identity-key "$IDKEY"
	expect_rc 5 "verify with a flipped signature byte"
	expect_eq "$(json "j['cose_signature']")" invalid "cose_signature after a flipped signature byte"
	expect_eq "$(json "j['digest']")" match "digest after a flipped signature byte"
	mcx verify --keygen "not-a-blob"
	expect_nonzero "verify of garbage"
}

test_attest() {
	start_sim
	mc --json attest --challenge 0123456789abcdef0123456789abcdef --identity-key "$IDKEY"
	expect_ok "attest --challenge"
	expect_eq "$(json "j['kind']")" attestation "kind"
	expect_eq "$(json "j['cose_signature']")" valid "cose_signature"
	expect_eq "$(json "j['device_uuid']")" 4e5249d0-5349-4d00-8000-0123456789ab "device_uuid"
	# the token answers the challenge: its nonce is the challenge
	expect_eq "$(json "j['nonce_check']")" valid "nonce_check"
	mc attest --challenge 0123456789abcdef0123456789abcdef
	expect_ok "attest --challenge (text)"
	out_has "^nonce: valid" "the nonce in the report"
	out_has "^message type: 1 (device identity message v1)" "the message type in the report"
	mc --json attest
	expect_ok "attest without challenge or key"
	expect_eq "$(json "j['nonce_check']")" not-checked "nonce_check without a challenge"
	expect_eq "$(json "j['cose_signature']")" not-checked "cose_signature without key"
	mc attest --challenge 0123
	expect_rc 2 "attest with a short challenge"
	mc attest --challenge 0123456789abcdef0123456789abcdeX
	expect_rc 2 "attest with a non-hex challenge"
	# offline verification of an attestation token
	mc at 'AT%ATTESTTOKEN="00112233445566778899aabbccddeeff"'
	expect_ok "at AT%ATTESTTOKEN"
	tok=$(at_blob ATTESTTOKEN)
	[ -n "$tok" ] || fail "no %ATTESTTOKEN blob"
	mcx --json verify --attest "$tok" --identity-key "$IDKEY"
	expect_ok "verify --attest"
	expect_eq "$(json "j['cose_signature']")" valid "cose_signature (verify --attest)"
	mcx verify --attest "$tok" --identity-key "$FIX/wrong-identity.pem"
	expect_rc 5 "verify --attest with a wrong key"
}

# ---- the independent check -----------------------------------------------------

test_independent_cose_check() {
	[ -f "$COSE_CHECK" ] || fail "$COSE_CHECK is missing"
	start_sim
	for req in 31,2,0 '32,2,0,"CN=indep,O=Check","101010000"' 33,2,1 34,8; do
		tag=${req%%,*}
		raw_keygen "$req"
		RC=0
		$PY "$COSE_CHECK" --identity-key "$IDKEY" --keygen "$BLOB" --tag "$tag" >"$OUT" 2>"$ERR" || RC=$?
		expect_ok "cose_check.py --keygen (AT%KEYGEN=$req)"
		RC=0
		$PY "$COSE_CHECK" --identity-key "$IDKEY" --file "$T_DIR/blob.txt" --tag "$tag" >"$OUT" 2>"$ERR" || RC=$?
		expect_ok "cose_check.py --file (AT%KEYGEN=$req)"
		RC=0
		$PY "$COSE_CHECK" --identity-key "$FIX/wrong-identity.pem" --keygen "$BLOB" --tag "$tag" >"$OUT" 2>"$ERR" || RC=$?
		expect_rc 1 "cose_check.py with a wrong identity key (AT%KEYGEN=$req)"
		RC=0
		$PY "$COSE_CHECK" --identity-key "$IDKEY" --keygen "$BLOB" --tag $((tag + 1)) >"$OUT" 2>"$ERR" || RC=$?
		expect_rc 1 "cose_check.py with a wrong tag (AT%KEYGEN=$req)"
	done
	mc at 'AT%ATTESTTOKEN="0123456789abcdef0123456789abcdef"'
	expect_ok "at AT%ATTESTTOKEN"
	tok=$(at_blob ATTESTTOKEN)
	RC=0
	$PY "$COSE_CHECK" --identity-key "$IDKEY" --attest "$tok" >"$OUT" 2>"$ERR" || RC=$?
	expect_ok "cose_check.py --attest"
	RC=0
	$PY "$COSE_CHECK" --identity-key "$IDKEY" --keygen "garbage.garbage" >"$OUT" 2>"$ERR" || RC=$?
	expect_rc 2 "cose_check.py on a malformed blob"
}

test_sim_keygen_518_and_types() {
	start_sim --cfun 1 --cmee 1
	mc at 'AT%KEYGEN=40,2,0'
	expect_rc 4 "raw AT%KEYGEN while online"
	either_hasi 518 "raw AT%KEYGEN while online"
}

# %KEYGEN unanswered within its 30 s: the modem may have made the key all
# the same, and the message says how to find out (the only test that waits
# a whole %KEYGEN timeout).
test_keygen_timeout_names_the_key_it_may_have_made() {
	start_sim --keygen-ms 40000
	mc --offline keygen --tag 1200 -o "$T_DIR/slow.csr"
	expect_rc 3 "keygen unanswered within 30 s"
	err_has "no answer to AT%KEYGEN" "the timeout"
	err_has "may still have generated a key in tag 1200" "the key it may have made"
	err_has "modemcred list --tag 1200" "how to find out"
	[ ! -e "$T_DIR/slow.csr" ] || fail "a CSR file without a CSR"
}
