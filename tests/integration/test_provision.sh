# `modemcred provision`: the factory station against several simulated modems.

. "$ROOT/tests/integration/provision_lib.sh"

test_provision_sixteen_modems() {
	make_ca "$T_DIR"
	mkdir "$T_DIR/arts"
	start_sims 16 --cfun 1
	# shellcheck disable=SC2086
	prov $PORTS
	expect_ok "provision 16 modems"
	expect_eq "$(summary provisioned)" 16 "provisioned"
	expect_eq "$(wc -l <"$T_DIR/ledger.jsonl")" 16 "ledger lines"
	check_provisioned 16
	# the certificate profile asked for
	openssl x509 -in "$T_DIR/arts/4e5249d0-5349-4d00-8000-000000000003_crt.pem" -noout -text >"$T_DIR/x509.txt"
	grep -q 'CA:FALSE' "$T_DIR/x509.txt" || fail "basicConstraints CA:FALSE"
	grep -q 'TLS Web Client Authentication' "$T_DIR/x509.txt" || fail "extendedKeyUsage clientAuth"
	grep -q 'Digital Signature' "$T_DIR/x509.txt" || fail "keyUsage digitalSignature"
	grep -q 'Subject Key Identifier' "$T_DIR/x509.txt" || fail "subject key identifier"
	grep -q 'Authority Key Identifier' "$T_DIR/x509.txt" || fail "authority key identifier"
	# the ledger: every field, one object per line
	$PY - "$T_DIR/ledger.jsonl" <<'EOF' || fail "ledger content"
import json, sys
want = ["time", "port", "device_id", "imei", "device_uuid", "model", "firmware", "tag", "result",
        "error", "exit_code", "cert_serial", "cert_sha256", "credentials", "attest_token",
        "attest_uuid", "steps_s", "duration_s"]
steps = ["offline", "facts", "keygen", "key_listed", "signing", "token_wait", "write_ca",
         "write_cert", "verify", "attest", "restore"]
ids = set()
for line in open(sys.argv[1]):
    j = json.loads(line)
    assert list(j) == want, list(j)
    assert j["result"] == "provisioned" and j["error"] is None and j["exit_code"] == 0, j
    assert j["time"].endswith("Z") and len(j["time"]) == 20, j["time"]
    assert len(j["cert_serial"]) == 32, j["cert_serial"]
    assert sorted(c["type"] for c in j["credentials"]) == [0, 1, 2], j["credentials"]
    assert j["device_id"] == j["device_uuid"], j
    assert j["attest_token"] is False and j["attest_uuid"] is None, j
    # every step of a fresh modem ran and took its time (a file key: no token to wait for)
    assert list(j["steps_s"]) == steps, j["steps_s"]
    assert j["steps_s"]["attest"] is None, j  # no --attest
    for k in [s for s in steps if s != "attest"]:
        assert isinstance(j["steps_s"][k], float) and 0 <= j["steps_s"][k] < j["duration_s"], (k, j)
    assert j["steps_s"]["token_wait"] == 0, j
    ids.add(j["device_id"])
assert len(ids) == 16
EOF
	# the onboarding CSV, read back with Python's csv module
	$PY - "$T_DIR/onboard.csv" "$T_DIR/arts" <<'EOF' || fail "onboarding CSV"
import csv, sys
rows = list(csv.reader(open(sys.argv[1], newline="")))
assert len(rows) == 16, len(rows)
for r in rows:
    assert len(r) == 5, r
    assert r[1] == "" and r[2] == "" and r[3] == "APP|MODEM", r
    assert r[4] == open(sys.argv[2] + "/" + r[0] + "_crt.pem").read(), r[0]
assert len({r[0] for r in rows}) == 16
EOF
	# the modes found (CFUN=1) are restored
	timeout 20 "$CLI" -p "$T_DIR/m7.link" at 'AT+CFUN?' >"$T_DIR/cfun" 2>&1
	grep -q '+CFUN: 1' "$T_DIR/cfun" || fail "m7's mode was not restored: $(cat "$T_DIR/cfun")"
	# a second run changes nothing
	k0=$(count_in_logs KEYGEN) w0=$(count_in_logs 'CMNG=0')
	# shellcheck disable=SC2086
	prov $PORTS
	expect_ok "second run"
	expect_eq "$(summary unchanged)" 16 "unchanged on the second run"
	expect_eq "$(count_in_logs KEYGEN)" "$k0" "KEYGEN commands in the second run"
	expect_eq "$(count_in_logs 'CMNG=0')" "$w0" "writes in the second run"
	$PY -c 'import csv,sys; assert len(list(csv.reader(open(sys.argv[1], newline="")))) == 16' \
		"$T_DIR/onboard.csv" || fail "the second run added CSV rows"
	expect_eq "$(wc -l <"$T_DIR/ledger.jsonl")" 32 "ledger lines after two runs"
}

# Reading (the tag's listing, the device facts, the attestation token) needs
# no offline modem; %KEYGEN and writes do. A rerun over a provisioned fleet
# (a factory rerun, a field rework) leaves every modem that holds what it
# should online: no AT+CFUN=N at all, and its ledger line has no offline or
# restore time (null, not 0). The first run goes offline just before
# %KEYGEN and restores the mode found.
test_provision_rerun_leaves_provisioned_modems_online() {
	make_ca "$T_DIR"
	mkdir "$T_DIR/arts"
	start_sims 1 --cfun 1 --model nRF9161-LACA --fw mfw_nrf91x1_2.0.2
	l="$T_DIR/m1.link"
	prov "$l"
	expect_ok "the first run"
	cp "$OUT" "$T_DIR/first.out"
	expect_eq "$(cfun_sets "$T_DIR/m1.log")" "4 1" "the first run's mode changes"
	# the tag is listed again once offline, before %KEYGEN
	sed -n '/^RX AT+CFUN=4/,/KEYGEN/p' "$T_DIR/m1.log" | grep -q '^RX AT%CMNG=1,16842753$' ||
		fail "no listing between going offline and %KEYGEN: $(cat "$T_DIR/m1.log")"
	expect_eq "$(cfun_of "$l")" 1 "the mode after the first run"
	for args in "" "--attest" "--attest --attest-csv $T_DIR/claims.csv" \
		"--attest --attest-csv $T_DIR/claims.csv --replace" "--renew-within 5" "--force"; do
		n=$(wc -l <"$T_DIR/m1.log")
		# shellcheck disable=SC2086
		prov $args "$l"
		expect_ok "the rerun with '$args'"
		expect_eq "$(results)" "m1.link unchanged 0" "the rerun with '$args'"
		expect_eq "$(tail -n +$((n + 1)) "$T_DIR/m1.log" | grep -c 'CFUN=')" 0 \
			"mode changes by the rerun with '$args'"
		expect_eq "$(cfun_of "$l")" 1 "the mode after the rerun with '$args'"
		cp "$OUT" "$T_DIR/rerun.out"
	done
	$PY -c 'import csv, sys; assert len(list(csv.reader(open(sys.argv[1], newline="")))) == 1' \
		"$T_DIR/claims.csv" || fail "claim rows: $(cat "$T_DIR/claims.csv")"
	# offline and restore seconds: the first run's, none for the reruns
	expect_eq "$(ledger_steps offline restore facts | tr '\n' ',')" \
		"s s s,null null s,null null s,null null s,null null s,null null s,null null s," \
		"the ledger's offline and restore seconds"
	mcx --json provision --summary "$T_DIR/ledger.jsonl"
	expect_ok "provision --summary"
	$PY -c 'import json, sys
s = json.load(open(sys.argv[1]))
assert s["results"]["unchanged"] == 6, s["results"]
assert s["steps"]["offline"]["runs"] == 1 and s["steps"]["restore"]["runs"] == 1, s["steps"]
assert s["steps"]["facts"]["runs"] == 7, s["steps"]' "$OUT" || fail "the summary: $(cat "$OUT")"
	# the live view's steps: offline just before %KEYGEN; no offline nor restore in a rerun
	cp "$T_DIR/rerun.out" "$OUT"
	expect_eq "$(steps)" "info inspect identify keygen write-ca sign write-cert" \
		"the steps of a rerun"
	cp "$T_DIR/first.out" "$OUT"
	expect_eq "$(steps)" "info inspect identify offline keygen write-ca sign write-cert restore" \
		"the first run's steps"
}

# A modem found offline (CFUN 4) is provisioned without a mode change and
# stays offline; a change on a provisioned online modem (a new root CA)
# still takes it offline, just before the write, and back.
test_provision_goes_offline_only_to_change() {
	make_ca "$T_DIR"
	mkdir "$T_DIR/arts"
	start_sims 2 --cfun 4
	prov "$T_DIR/m1.link"
	expect_ok "a modem found offline"
	expect_eq "$(results)" "m1.link provisioned 0" "the result"
	expect_eq "$(cfun_sets "$T_DIR/m1.log")" "" "mode changes of a modem found offline"
	expect_eq "$(cfun_of "$T_DIR/m1.link")" 4 "the mode found offline"
	prov "$T_DIR/m1.link"
	expect_eq "$(results)" "m1.link unchanged 0" "the rerun"
	expect_eq "$(cfun_sets "$T_DIR/m1.log")" "" "mode changes of the rerun"
	expect_eq "$(cfun_of "$T_DIR/m1.link")" 4 "the mode after the rerun"
	# m2 provisioned, brought online, then the server's root CA changes
	prov "$T_DIR/m2.link"
	expect_ok "m2"
	timeout 20 "$CLI" -p "$T_DIR/m2.link" at 'AT+CFUN=1' >/dev/null 2>&1 || fail "m2 online"
	cp "$T_DIR/ca.pem" "$T_DIR/root.pem"
	n=$(wc -l <"$T_DIR/m2.log")
	prov "$T_DIR/m2.link"
	expect_ok "a new root CA"
	expect_eq "$(results)" "m2.link provisioned 0" "the result with a new root CA"
	tail -n +$((n + 1)) "$T_DIR/m2.log" >"$T_DIR/m2.rerun.log"
	expect_eq "$(cfun_sets "$T_DIR/m2.rerun.log")" "4 1" "mode changes for a new root CA"
	expect_eq "$(grep -c KEYGEN "$T_DIR/m2.rerun.log")" 0 "KEYGEN for a new root CA"
	# offline, the tag listed again, then the write
	expect_eq "$(sed -n '/^RX AT+CFUN=4/,$p' "$T_DIR/m2.rerun.log" | sed -n 2,3p | cut -c1-24 | tr '\n' '|')" \
		"RX AT%CMNG=1,16842753|RX AT%CMNG=0,16842753,0,|" "the commands after going offline"
	expect_eq "$(cfun_of "$T_DIR/m2.link")" 1 "m2's mode restored"
	sim_list_json "$T_DIR/m2.link"
	expect_eq "$(listed_sha 0)" "$(sha_of "$T_DIR/root.pem")" "m2's root CA"
	expect_eq "$(steps)" "info inspect identify keygen offline write-ca sign write-cert restore" \
		"the steps with a new root CA"
}

# The certificate is signed while the modem stores the root CA: the sign step
# starts once the root CA's write went out. A root CA write that never gets its
# answer still leaves the key's and the certificate's artifacts saved.
test_provision_signs_while_root_ca_is_written() {
	make_ca "$T_DIR"
	mkdir "$T_DIR/arts"
	start_sims 1
	prov $PORTS
	expect_ok "provision"
	expect_eq "$(steps)" "info inspect identify offline keygen write-ca sign write-cert restore" \
		"step order"
	check_provisioned 1
	# nothing failed: no command spent on numeric errors, nor on the firmware's UUID
	expect_eq "$(count_in_logs 'CMEE')" 0 "CMEE commands of a run without errors"
	expect_eq "$(count_in_logs 'XMODEMUUID')" 0 "firmware UUID queries"

	rm -rf "$T_DIR/arts" "$T_DIR/ledger.jsonl" "$T_DIR/onboard.csv"
	mkdir "$T_DIR/arts"
	start_sim --silent-after-cmd 'AT%CMNG=0,16842753,0,'
	prov --timeout 2 "$LINK"
	expect_rc 3 "a root CA write without an answer"
	expect_eq "$(steps)" "info inspect identify offline keygen write-ca sign restore" \
		"step order when the root CA's write is not answered"
	id=4e5249d0-5349-4d00-8000-0123456789ab
	for f in csr.pem pub.pem key.sha256 crt.pem; do
		[ -s "$T_DIR/arts/${id}_$f" ] || fail "${id}_$f not saved"
	done
	openssl verify -CAfile "$T_DIR/ca.pem" "$T_DIR/arts/${id}_crt.pem" >/dev/null 2>&1 ||
		fail "the saved certificate does not verify"
	$PY -c '
import json, sys
l = json.loads(open(sys.argv[1]).readline())
assert l["result"] == "failed" and l["exit_code"] == 3, l
' "$T_DIR/ledger.jsonl" || fail "ledger line of the failed run"
}

test_provision_interrupt_and_resume() {
	make_ca "$T_DIR"
	mkdir "$T_DIR/arts"
	start_sims 8 --cfun 1 --latency-ms 60
	# shellcheck disable=SC2086
	timeout --foreground -k 30 100 "$CLI" --json provision --ca "$T_DIR/ca.pem" \
		--ca-key "$T_DIR/ca.key" --root-ca "$T_DIR/root.pem" --out "$T_DIR/arts" \
		--ledger "$T_DIR/ledger.jsonl" $PORTS >"$T_DIR/events" 2>"$ERR" &
	pid=$!
	# (timeout -k 30: timeout sends SIGKILL that long after forwarding a SIGINT;
	# --foreground: forwarded to the CLI alone, once. Without it GNU timeout
	# also sends it to its process group, and now and then the CLI sees two
	# Ctrl-C, whose second cancels a %KEYGEN in flight.)
	# Ctrl-C when the first modem has its key signed: the others are half-way
	wait_for '"step":"sign"' "$T_DIR/events" "no modem reached the sign step"
	kill -INT "$pid"
	RC=0; wait "$pid" || RC=$?
	expect_rc 130 "provision after Ctrl-C"
	$PY - "$T_DIR/ledger.jsonl" <<'EOF' || fail "ledger after Ctrl-C"
import json, sys
lines = [json.loads(l) for l in open(sys.argv[1])]
assert len(lines) == 8, len(lines)
stopped = [l for l in lines if l["exit_code"] == 130]
assert stopped, "no modem was stopped half-way"
for l in stopped:
    assert l["result"] == "failed" and l["error"], l
EOF
	# every mode is restored
	for l in $PORTS; do
		timeout 20 "$CLI" -p "$l" at 'AT+CFUN?' >"$T_DIR/cfun" 2>&1
		grep -q '+CFUN: 1' "$T_DIR/cfun" || fail "$l: mode not restored after Ctrl-C"
	done
	# resume: finishes the rest, never a second key
	PROV_TIMEOUT=100
	# shellcheck disable=SC2086
	prov $PORTS
	expect_ok "resumed run"
	expect_eq "$(( $(summary provisioned) + $(summary unchanged) ))" 8 "provisioned + unchanged"
	i=1
	while [ "$i" -le 8 ]; do
		expect_eq "$(grep -c KEYGEN "$T_DIR/m$i.log")" 1 "KEYGEN commands at m$i"
		i=$((i + 1))
	done
	check_provisioned 8
	# a third run changes nothing
	w0=$(count_in_logs 'CMNG=0')
	# shellcheck disable=SC2086
	prov $PORTS
	expect_ok "third run"
	expect_eq "$(summary unchanged)" 8 "unchanged on the third run"
	expect_eq "$(count_in_logs 'CMNG=0')" "$w0" "writes in the third run"
	expect_eq "$(count_in_logs KEYGEN)" 8 "KEYGEN commands after three runs"
}

test_provision_failing_modems_among_healthy() {
	make_ca "$T_DIR"
	mkdir "$T_DIR/arts"
	start_sims 2 --cfun 1
	SIM_NAME=m3 start_sim --keygen-fail 523 --cfun 1 --uuid 4e5249d0-5349-4d00-8000-000000000003 \
		--imei 351358811200003
	bad_keygen="$LINK"
	# stops answering half-way, from its first %CMNG on (after the device facts)
	SIM_NAME=m4 start_sim --uuid 4e5249d0-5349-4d00-8000-000000000004 --silent-after-cmd CMNG \
		--imei 351358811200004
	silent="$LINK"
	# a process that stops altogether
	SIM_NAME=m5 start_sim --uuid 4e5249d0-5349-4d00-8000-000000000005 --imei 351358811200005
	stopped="$LINK" stopped_pid=$SIMPID
	kill -STOP "$stopped_pid"
	# shellcheck disable=SC2086
	RC=0
	timeout -k 3 100 "$CLI" --json --timeout 1 provision --ca "$T_DIR/ca.pem" \
		--ca-key "$T_DIR/ca.key" --root-ca "$T_DIR/root.pem" --out "$T_DIR/arts" \
		--ledger "$T_DIR/ledger.jsonl" $PORTS "$bad_keygen" "$silent" "$stopped" \
		>"$OUT" 2>"$ERR" || RC=$?
	kill -CONT "$stopped_pid"
	expect_rc 4 "the worst exit code (4: the modem refused) of the run"
	results >"$T_DIR/results"
	grep -q '^m1.link provisioned 0$' "$T_DIR/results" || fail "m1: $(cat "$T_DIR/results")"
	grep -q '^m2.link provisioned 0$' "$T_DIR/results" || fail "m2: $(cat "$T_DIR/results")"
	grep -q '^m3.link failed 4$' "$T_DIR/results" || fail "m3 (CME 523): $(cat "$T_DIR/results")"
	grep -q '^m4.link failed 3$' "$T_DIR/results" || fail "m4 (silent from %CMNG): $(cat "$T_DIR/results")"
	grep -q '^m5.link failed 3$' "$T_DIR/results" || fail "m5 (stopped): $(cat "$T_DIR/results")"
	grep '"port":"[^"]*m3.link"' "$T_DIR/ledger.jsonl" | grep -q '523' ||
		fail "m3's ledger line should name CME 523"
	expect_eq "$(wc -l <"$T_DIR/ledger.jsonl")" 5 "ledger lines"
	check_provisioned 2
	timeout 20 "$CLI" -p "$bad_keygen" at 'AT+CFUN?' >"$T_DIR/cfun" 2>&1
	grep -q '+CFUN: 1' "$T_DIR/cfun" || fail "m3's mode not restored after the failure"
}

test_provision_ca_checks_before_any_modem() {
	make_ca "$T_DIR"
	mkdir "$T_DIR/arts"
	start_sims 1
	expired_ca "$T_DIR" || fail "could not make the expired CA"
	echo "not a key" >"$T_DIR/bad.key"
	openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$T_DIR/other.key" 2>/dev/null
	for case in "bad.key:ca.pem:not a PEM private key" "other.key:ca.pem:not the certificate of the CA key" \
		"ca-old.key:ca-old.pem:expired"; do
		key=${case%%:*} rest=${case#*:}
		cert=${rest%%:*} why=${rest#*:}
		RC=0
		timeout 20 "$CLI" provision --ca "$T_DIR/$cert" --ca-key "$T_DIR/$key" --out "$T_DIR/arts" \
			$PORTS >"$OUT" 2>"$ERR" || RC=$?
		expect_rc 2 "provision with --ca $cert --ca-key $key"
		err_has "$why"
	done
	[ ! -s "$T_DIR/m1.log" ] || fail "the modem received commands: $(cat "$T_DIR/m1.log")"
}

# --root-ca is checked as write --type ca checks its file: a private key in
# it (which the modem would store where anyone reads it back) or a CSR is
# refused before any modem is touched, and the key is never printed
test_provision_root_ca_content_checked() {
	make_ca "$T_DIR"
	mkdir "$T_DIR/arts"
	start_sims 1
	cat "$T_DIR/root.pem" "$T_DIR/ca.key" >"$T_DIR/root-and-key.pem"
	openssl req -new -key "$T_DIR/ca.key" -subj /CN=x -out "$T_DIR/req.pem" 2>/dev/null ||
		fail "openssl req"
	for case in "root-and-key.pem:private key" "ca.key:private key" "req.pem:not a certificate"; do
		file=${case%%:*} why=${case#*:}
		RC=0
		timeout 20 "$CLI" provision --ca "$T_DIR/ca.pem" --ca-key "$T_DIR/ca.key" \
			--root-ca "$T_DIR/$file" --out "$T_DIR/arts" $PORTS >"$OUT" 2>"$ERR" || RC=$?
		expect_rc 2 "provision --root-ca $file"
		err_has "$why" "--root-ca $file"
		err_has "--root-ca" "--root-ca $file names the option"
		! grep -q 'PRIVATE KEY-----' "$OUT" "$ERR" || fail "key text printed for $file"
	done
	[ ! -s "$T_DIR/m1.log" ] || fail "the modem received commands: $(cat "$T_DIR/m1.log")"
}

test_provision_csr_only_then_cert_dir() {
	make_ca "$T_DIR"
	mkdir "$T_DIR/arts" "$T_DIR/issued"
	start_sims 1
	RC=0
	timeout 40 "$CLI" --json provision --root-ca "$T_DIR/root.pem" --out "$T_DIR/arts" \
		--id nrf-imei --id-prefix lab- $PORTS >"$OUT" 2>"$ERR" || RC=$?
	expect_rc 8 "provision without a CA: CSR saved, the device is not done"
	id=lab-nrf-351358811200001
	expect_eq "$(summary csr_saved)" 1 "csr-saved"
	openssl req -in "$T_DIR/arts/${id}_csr.pem" -noout -verify -subject >"$T_DIR/req" 2>&1 ||
		fail "the saved CSR does not verify"
	grep -q "CN *= *$id" "$T_DIR/req" || fail "CSR subject: $(cat "$T_DIR/req")"
	sim_list_json "$LINK"
	expect_eq "$(listed_sha 1)" "" "a certificate written without a CA"
	# an external CA issues it; the next run installs it
	openssl x509 -req -in "$T_DIR/arts/${id}_csr.pem" -CA "$T_DIR/ca.pem" -CAkey "$T_DIR/ca.key" \
		-CAcreateserial -days 10 -out "$T_DIR/issued/${id}_crt.pem" >/dev/null 2>&1 ||
		fail "openssl x509 -req"
	k0=$(grep -c KEYGEN "$LOG")
	RC=0
	timeout 40 "$CLI" --json provision --root-ca "$T_DIR/root.pem" --out "$T_DIR/arts" \
		--id nrf-imei --id-prefix lab- --cert-dir "$T_DIR/issued" $PORTS >"$OUT" 2>"$ERR" || RC=$?
	expect_ok "provision --cert-dir"
	expect_eq "$(summary provisioned)" 1 "provisioned with the issued certificate"
	expect_eq "$(grep -c KEYGEN "$LOG")" "$k0" "KEYGEN commands (the key is reused)"
	sim_list_json "$LINK"
	expect_eq "$(listed_sha 1)" "$(sha_of "$T_DIR/issued/${id}_crt.pem")" "type 1 digest"
}

# A certificate in --cert-dir that the run cannot use (another device's, or
# no certificate) is named with the reason: the modem is not reported as
# one merely waiting for its certificate, and nothing is written to it.
test_provision_cert_dir_certificate_not_used_is_named() {
	make_ca "$T_DIR"
	mkdir "$T_DIR/arts" "$T_DIR/issued"
	start_sims 2
	RC=0
	# shellcheck disable=SC2086
	timeout 40 "$CLI" provision --quiet --out "$T_DIR/arts" $PORTS >"$OUT" 2>"$ERR" || RC=$?
	expect_rc 8 "CSRs saved"
	u1=4e5249d0-5349-4d00-8000-000000000001
	u2=4e5249d0-5349-4d00-8000-000000000002
	# m1's certificate issued for m2's CSR
	openssl x509 -req -in "$T_DIR/arts/${u2}_csr.pem" -CA "$T_DIR/ca.pem" -CAkey "$T_DIR/ca.key" \
		-days 10 -out "$T_DIR/issued/${u1}_crt.pem" >/dev/null 2>&1 || fail "openssl x509 -req"
	RC=0
	timeout 40 "$CLI" --json provision --out "$T_DIR/arts" --cert-dir "$T_DIR/issued" \
		--ledger "$T_DIR/ledger.jsonl" "$T_DIR/m1.link" >"$OUT" 2>"$ERR" || RC=$?
	expect_rc 5 "a certificate for another key in --cert-dir"
	expect_eq "$(results)" "m1.link failed 5" "result"
	out_has "${u1}_crt.pem, but it was not used: the certificate's public key is not"
	out_has "${u1}_csr.pem is what this modem needs"
	expect_eq "$(grep -c 'CMNG=0' "$T_DIR/m1.log")" 0 "writes to m1"
	echo "not a certificate" >"$T_DIR/issued/${u1}_crt.pem"
	RC=0
	timeout 40 "$CLI" --json provision --out "$T_DIR/arts" --cert-dir "$T_DIR/issued" \
		"$T_DIR/m1.link" >"$OUT" 2>"$ERR" || RC=$?
	expect_rc 5 "no certificate in --cert-dir's file"
	out_has "not a PEM certificate"
}

# Through a shell (modem_shell), which stores each line break of a
# certificate as CR LF: the ledger's digests are those the modem lists, and
# a second run finds everything in place and writes nothing.
test_provision_through_a_shell_twice() {
	make_ca "$T_DIR"
	mkdir "$T_DIR/arts"
	start_sims 1 --app modem_shell
	prov --shell on "$LINK"
	expect_ok "provision through modem_shell"
	expect_eq "$(summary provisioned)" 1 "provisioned"
	timeout -k 3 20 "$CLI" --shell on -p "$LINK" --json list --tag 16842753 >"$T_DIR/list.json" ||
		fail "list through modem_shell"
	$PY -c '
import json, sys
listed = {int(c["type"]): c["sha256"] for c in json.load(open(sys.argv[1]))}
rec = json.loads(open(sys.argv[2]).read().splitlines()[-1])
said = {c["type"]: c["sha256"] for c in rec["credentials"]}
assert said == listed, (said, listed)
assert rec["cert_sha256"] == listed[1], (rec["cert_sha256"], listed[1])
' "$T_DIR/list.json" "$T_DIR/ledger.jsonl" || fail "the ledger's digests are not those the modem lists"
	writes=$(log_count 'CMNG=0')
	prov --shell on "$LINK"
	expect_ok "provision through modem_shell again"
	expect_eq "$(summary unchanged)" 1 "unchanged the second time"
	expect_eq "$(log_count 'CMNG=0')" "$writes" "writes of the second run"
}

# Firmware that lists no digests (modemsim --no-sha): the key just made
# cannot be identified, so the run stops there, saying so; not a port or
# transport problem (exit 3), and nothing is written after the key.
test_provision_firmware_without_digests() {
	make_ca "$T_DIR"
	mkdir "$T_DIR/arts"
	start_sims 1 --no-sha
	prov "$LINK"
	expect_rc 1 "provision on firmware that lists no digests"
	out_has "lists no digest for the key in tag 16842753: provisioning identifies keys"
	out_has "update the modem firmware"
	expect_eq "$(log_count 'CMNG=0')" 0 "writes after the key"
}

test_provision_refusals() {
	make_ca "$T_DIR"
	mkdir "$T_DIR/arts"
	# firmware without %KEYGEN: refused with the reason, no KEYGEN sent
	SIM_NAME=old start_sim --fw mfw_nrf9160_1.2.3
	provq "$LINK"
	expect_rc 1 "provision on firmware 1.2.3"
	err_has "older than 1.3.0"
	expect_eq "$(log_count KEYGEN)" 0 "KEYGEN commands on old firmware"
	# a key nobody saved: refused, then replaced with --force
	SIM_NAME=m1 start_sim
	mc --offline keygen --tag 16842753 -o "$T_DIR/foreign.csr"
	expect_ok "keygen of a foreign key"
	provq "$LINK"
	expect_rc 5 "provision over a key no artifact identifies"
	err_has "force"
	expect_eq "$(log_count KEYGEN)" 1 "KEYGEN commands after the refusal"
	provq --force "$LINK"
	expect_ok "provision --force"
	# bad input: exit 2, nothing sent
	n0=$(wc -l <"$LOG")
	RC=0
	timeout 20 "$CLI" provision --id-prefix "$(printf 'x%.0s' $(seq 1 40))" --out "$T_DIR/arts" \
		"$LINK" >"$OUT" 2>"$ERR" || RC=$?
	expect_rc 2 "a prefix that makes the id longer than 64"
	err_has "64"
	RC=0
	timeout 20 "$CLI" provision --id serial "$LINK" >"$OUT" 2>"$ERR" || RC=$?
	expect_rc 2 "--id serial"
	expect_eq "$(wc -l <"$LOG")" "$n0" "commands sent for bad input"
}

# The ledger and the CSVs are files of their own, whatever names lead to
# them: a symbolic link (to a file not made yet), a hard link, or a file the
# run reads (the CA's key) are refused before any modem is touched, as is a
# CSV in a directory that does not exist.
test_provision_outputs_are_files_of_their_own() {
	make_ca "$T_DIR"
	mkdir "$T_DIR/arts"
	start_sims 1
	ln -s ledger.jsonl "$T_DIR/records.csv"
	records --ledger "$T_DIR/ledger.jsonl" --onboard-csv "$T_DIR/records.csv"
	expect_rc 2 "--onboard-csv a symbolic link to the ledger to be"
	err_has "--ledger and --onboard-csv name the same file"
	: >"$T_DIR/ledger.jsonl"
	ln "$T_DIR/ledger.jsonl" "$T_DIR/hard.csv"
	records --ledger "$T_DIR/ledger.jsonl" --onboard-csv "$T_DIR/hard.csv"
	expect_rc 2 "--onboard-csv a hard link of the ledger"
	err_has "name the same file"
	cp "$T_DIR/ca.key" "$T_DIR/ca.key.before"
	records --onboard-csv "$T_DIR/ca.key"
	expect_rc 2 "--onboard-csv naming the CA key"
	err_has "--onboard-csv and --ca-key name the same file"
	files_equal "$T_DIR/ca.key" "$T_DIR/ca.key.before" "the CA key after the refusal"
	records --onboard-csv "$T_DIR/no-such-dir/onboard.csv"
	expect_rc 2 "--onboard-csv in a directory that does not exist"
	err_has "no-such-dir"
	# "-" is no file: standard output carries the events (each test runs in
	# its own shell, so it may change directory)
	cd "$T_DIR" || fail "cd $T_DIR"
	for opt in --ledger --onboard-csv --attest-csv; do
		records --attest $opt -
		expect_rc 2 "$opt -"
		err_has "$opt -: the records go to a file"
		[ ! -e ./- ] || fail "$opt - made a file named '-' in $PWD"
	done
	expect_eq "$(log_count .)" 0 "commands sent to the modem"
	[ -s "$T_DIR/ledger.jsonl" ] && fail "a refused run wrote the ledger"
	return 0
}

# records [options]: provision $LINK with the test CA and the records the options name; sets RC
records() {
	RC=0
	timeout -k 3 40 "$CLI" provision --ca "$T_DIR/ca.pem" --ca-key "$T_DIR/ca.key" \
		--out "$T_DIR/arts" "$@" "$LINK" >"$OUT" 2>"$ERR" || RC=$?
}

# Two ports whose modems give one IMEI (one modem reached through two
# ports), or one device id (two modems with one UUID): the first to say so
# is provisioned, the other fails without sharing its journal or artifacts,
# and the artifacts are those of the modem the ledger calls provisioned.
test_provision_one_device_on_two_ports() {
	make_ca "$T_DIR"
	mkdir "$T_DIR/arts"
	u=4e5249d0-5349-4d00-8000-000000000001
	SIM_NAME=a start_sim --imei 351358811200001 --uuid "$u"
	SIM_NAME=b start_sim --imei 351358811200001 --uuid "$u"
	prov "$T_DIR/a.link" "$T_DIR/b.link"
	expect_rc 3 "two ports, one IMEI"
	expect_eq "$(results | cut -d' ' -f2- | sort | tr '\n' ' ')" "failed 3 provisioned 0 " "results"
	out_has "gives IMEI 351358811200001, as does the one on"
	loser=$(results | sed -n 's/^\(.\)\.link failed.*/\1/p')
	expect_eq "$(grep -c 'KEYGEN\|CFUN=' "$T_DIR/$loser.log")" 0 "changes sent to the refused modem"
	winner=$( [ "$loser" = a ] && echo b || echo a)
	sim_list_json "$T_DIR/$winner.link"
	expect_eq "$(listed_sha 2)" "$(cat "$T_DIR/arts/${u}_key.sha256")" "winner's key digest vs the artifact"
	# another IMEI, the same device UUID: refused at the id, the files stay the winner's
	SIM_NAME=c start_sim --imei 351358811200003 --uuid "$u"
	rm -f "$T_DIR/ledger.jsonl" "$T_DIR/onboard.csv"
	prov --force "$T_DIR/$winner.link" "$T_DIR/c.link"
	expect_rc 3 "two modems, one device id"
	out_has "gives device id $u, as does the one on"
	if grep -q '"port":"[^"]*c.link".*"result":"provisioned"' "$T_DIR/ledger.jsonl"; then
		sim_list_json "$T_DIR/c.link"
	else
		sim_list_json "$T_DIR/$winner.link"
	fi
	expect_eq "$(listed_sha 2)" "$(cat "$T_DIR/arts/${u}_key.sha256")" "key digest of the modem provisioned vs the artifact"
	expect_eq "$(grep -c '"result":"provisioned"\|"result":"unchanged"' "$T_DIR/ledger.jsonl")" 1 "records of a done device"
}

test_provision_csv_limit() {
	make_ca "$T_DIR"
	mkdir "$T_DIR/arts"
	start_sims 2
	$PY -c '
import csv, sys
w = csv.writer(open(sys.argv[1], "w", newline=""))
for i in range(999):
    w.writerow(["dev-%d" % i, "", "", "APP|MODEM", "-----BEGIN CERTIFICATE-----\nx\n-----END CERTIFICATE-----\n"])
' "$T_DIR/onboard.csv"
	# shellcheck disable=SC2086
	prov $PORTS
	expect_rc 2 "two more rows into a CSV of 999"
	err_has "split"
	# shellcheck disable=SC2086
	prov --split $PORTS
	expect_ok "provision --split"
	$PY -c '
import csv, sys
a = list(csv.reader(open(sys.argv[1], newline="")))
b = list(csv.reader(open(sys.argv[2], newline="")))
assert len(a) == 1000 and len(b) == 1, (len(a), len(b))
assert all(len(r) == 5 for r in a + b)
' "$T_DIR/onboard.csv" "$T_DIR/onboard-2.csv" || fail "the rows after 1000 go to onboard-2.csv"
}

# station_held_at_keygen: one modem at mode 1 that holds %KEYGEN unanswered,
# and a station on it in the background, its pid in $pid, once the modem
# holds the command. Not under timeout(1), which would not forward a second
# SIGINT (run.sh bounds the test).
station_held_at_keygen() {
	make_ca "$T_DIR"
	mkdir "$T_DIR/arts"
	start_sims 1 --cfun 1 --hold-file "$(hold_file)"
	hold_next KEYGEN
	"$CLI" --json provision --ca "$T_DIR/ca.pem" --ca-key "$T_DIR/ca.key" \
		--out "$T_DIR/arts" --ledger "$T_DIR/ledger.jsonl" $PORTS >"$T_DIR/events" 2>"$ERR" &
	pid=$!
	wait_for '"step":"keygen"' "$T_DIR/events" "the modem never reached the keygen step"
	wait_for HELD "$LOG" "%KEYGEN never reached the modem"
}

test_provision_second_ctrl_c_cancels_the_command_in_flight() {
	station_held_at_keygen
	# the modem holds %KEYGEN unanswered: both signals land while it is in
	# flight; the second only once the first was seen (pending signals
	# merge); the modem answers once the station is cancelling
	kill -INT "$pid"
	wait_for interrupted "$ERR" "the first Ctrl-C was not reported"
	kill -INT "$pid"
	wait_for cancelling "$ERR" "the second Ctrl-C was not reported"
	rm -f "$(hold_file)"
	RC=0; wait "$pid" || RC=$?
	expect_rc 130 "provision after two Ctrl-C"
	grep -q 'cancelled' "$T_DIR/ledger.jsonl" || fail "the ledger line should say the command was cancelled: $(cat "$T_DIR/ledger.jsonl")"
	ls "$T_DIR/arts" | grep -q '_key.sha256' && fail "a cancelled %KEYGEN left a key digest artifact"
	# the restore after a cancel is bounded (a few seconds): the mode is back,
	# or the ledger says it could not be
	timeout 20 "$CLI" -p "$LINK" at 'AT+CFUN?' >"$T_DIR/cfun" 2>&1
	grep -q '+CFUN: 1' "$T_DIR/cfun" || grep -q 'could not be restored\|got no answer in time' "$T_DIR/ledger.jsonl" ||
		fail "mode neither restored nor reported after two Ctrl-C: $(cat "$T_DIR/cfun")"
}

# Two Ctrl-C while the modem is still busy with %KEYGEN: the restore goes
# out but cannot be answered in time. The ledger says that it was sent and
# how to check, not that the mode could not be restored: the modem sets it
# once it has finished.
test_provision_restore_unanswered_after_a_cancel_is_told_as_such() {
	station_held_at_keygen
	kill -INT "$pid"
	wait_for interrupted "$ERR" "the first Ctrl-C was not reported"
	kill -INT "$pid"
	RC=0; wait "$pid" || RC=$?
	expect_rc 130 "provision after two Ctrl-C"
	grep -q 'AT+CFUN=1, which restores the functional mode, got no answer in time' \
		"$T_DIR/ledger.jsonl" || fail "the ledger: $(cat "$T_DIR/ledger.jsonl")"
	grep -q 'could not be restored' "$T_DIR/ledger.jsonl" && fail "told as not restored"
	# the modem finishes %KEYGEN, then takes the restore it received
	rm -f "$(hold_file)"
	wait_for 'RX AT+CFUN=1' "$LOG" "the restore never reached the modem"
	expect_eq "$(timeout 20 "$CLI" -p "$LINK" at 'AT+CFUN?' 2>&1 | tr -d '\r' | head -n 1)" "+CFUN: 1" \
		"the mode once the modem was free"
}

test_provision_identity_key_attest_subject() {
	make_ca "$T_DIR"
	mkdir "$T_DIR/arts"
	start_sims 1
	prov --identity-key "$IDKEY" --attest --subject-extra 'O=Acme Oy,OU=Line 2' $PORTS
	expect_ok "provision with --identity-key --attest --subject-extra"
	id=4e5249d0-5349-4d00-8000-000000000001
	openssl x509 -in "$T_DIR/arts/${id}_crt.pem" -noout -subject >"$T_DIR/subj"
	for a in "CN *= *$id" "O *= *Acme Oy" "OU *= *Line 2"; do
		grep -q "$a" "$T_DIR/subj" || fail "certificate subject lacks $a: $(cat "$T_DIR/subj")"
	done
	[ -s "$T_DIR/arts/${id}_attest.txt" ] || fail "no attestation token saved"
	mcx --json verify --identity-key "$IDKEY" --attest "$(cat "$T_DIR/arts/${id}_attest.txt")"
	expect_ok "verify of the saved attestation token"
	expect_eq "$(json "j['cose_signature']")" valid "token COSE signature"
	expect_eq "$(json "j['device_uuid']")" "$id" "token device UUID"
	# a wrong identity key: the COSE check fails (exit 5), nothing is written
	SIM_NAME=m2 start_sim --uuid 4e5249d0-5349-4d00-8000-000000000002
	n0=$(log_count 'CMNG=0')
	prov --identity-key "$FIX/wrong-identity.pem" "$LINK"
	expect_rc 5 "provision with the wrong identity key"
	expect_eq "$(log_count 'CMNG=0')" "$n0" "writes after a failed COSE check"
}

# A modem that adds or drops attributes: the CSR is not for the subject
# provision asked for (CN=<id> plus --subject-extra), so no certificate is
# made and nothing is written.
test_provision_wrong_subject() {
	make_ca "$T_DIR"
	mkdir "$T_DIR/arts"
	id=4e5249d0-5349-4d00-8000-000000000001
	# the modem drops OU: "CN=<id>" then anything used to pass
	start_sims 1 --keygen-subject "CN=$id,O=Acme Oy"
	n0=$(log_count 'CMNG=0')
	prov --attest --subject-extra 'O=Acme Oy,OU=Line 2' $PORTS
	expect_rc 5 "provision, the modem dropped OU"
	grep -qF "the CSR is for 'CN=$id,O=Acme Oy', not 'CN=$id,O=Acme Oy,OU=Line 2'" "$OUT" ||
		fail "the result should name both subjects: $(cat "$OUT")"
	grep -qF "(it lacks OU=Line 2)" "$OUT" || fail "the result should say what differs: $(cat "$OUT")"
	expect_eq "$(log_count 'CMNG=0')" "$n0" "writes after a wrong subject"
	[ -e "$T_DIR/arts/${id}_crt.pem" ] && fail "a certificate was made for the wrong subject"
	stop_sim
	# the modem adds an O to the CN=<device UUID> it was asked for (no extra: the default)
	SIM_NAME=m2 start_sim --uuid 4e5249d0-5349-4d00-8000-000000000002 \
		--keygen-subject 'CN=4e5249d0-5349-4d00-8000-000000000002,O=Extra'
	n0=$(log_count 'CMNG=0')
	prov "$LINK"
	expect_rc 5 "provision, the modem added O"
	grep -qF "(it adds O=Extra)" "$OUT" || fail "the result should say what differs: $(cat "$OUT")"
	expect_eq "$(log_count 'CMNG=0')" "$n0" "writes after a wrong subject"
	true
}

test_provision_two_stations_share_ledger_and_csv() {
	make_ca "$T_DIR"
	mkdir "$T_DIR/arts"
	start_sims 8
	set -- $PORTS
	# two processes at once, four modems each, the same ledger and CSV
	prov_bg() {
		timeout -k 30 100 "$CLI" --json provision --ca "$T_DIR/ca.pem" --ca-key "$T_DIR/ca.key" \
			--root-ca "$T_DIR/root.pem" --out "$T_DIR/arts" --ledger "$T_DIR/ledger.jsonl" \
			--onboard-csv "$T_DIR/onboard.csv" "$@"
	}
	prov_bg "$1" "$2" "$3" "$4" >"$T_DIR/a.out" 2>"$T_DIR/a.err" &
	a=$!
	prov_bg "$5" "$6" "$7" "$8" >"$T_DIR/b.out" 2>"$T_DIR/b.err" &
	b=$!
	RC=0; wait "$a" || RC=$?
	expect_ok "first station"
	RC=0; wait "$b" || RC=$?
	expect_ok "second station"
	$PY - "$T_DIR/ledger.jsonl" "$T_DIR/onboard.csv" <<'PYEOF' || fail "shared ledger and CSV"
import csv, json, sys
lines = open(sys.argv[1]).read().splitlines()
assert len(lines) == 8, len(lines)
ids = {json.loads(l)["device_id"] for l in lines}
assert len(ids) == 8, ids
rows = list(csv.reader(open(sys.argv[2], newline="")))
assert len(rows) == 8 and all(len(r) == 5 for r in rows), rows
assert {r[0] for r in rows} == ids
PYEOF
}

test_provision_library_example() {
	make_ca "$T_DIR"
	start_sims 1 --cfun 1
	ex="$BUILD/examples/factory_one"
	[ -x "$ex" ] || fail "$ex is missing (make examples)"
	RC=0
	(cd "$T_DIR" && timeout 60 "$ex" "$LINK" ca.pem ca.key root.pem) >"$OUT" 2>"$ERR" || RC=$?
	expect_ok "examples/factory_one"
	out_has 'write-cert' "progress of examples/factory_one"
	out_has ': provisioned, certificate serial ' "result of examples/factory_one"
	id=4e5249d0-5349-4d00-8000-000000000001
	openssl verify -CAfile "$T_DIR/ca.pem" "$T_DIR/${id}_crt.pem" >/dev/null 2>&1 ||
		fail "the example's certificate does not verify against the CA"
	sim_list_json "$LINK"
	expect_eq "$(listed_sha 1)" "$(sha_of "$T_DIR/${id}_crt.pem")" "type 1 digest"
	timeout 20 "$CLI" -p "$LINK" at 'AT+CFUN?' >"$T_DIR/cfun" 2>&1
	grep -q '+CFUN: 1' "$T_DIR/cfun" || fail "mode not restored by the example"
}

test_provision_new_ca_reissues_keeps_key() {
	make_ca "$T_DIR"
	mkdir "$T_DIR/arts" "$T_DIR/ca2"
	make_ca "$T_DIR/ca2"
	start_sims 1
	prov $PORTS
	expect_ok "first provisioning"
	id=4e5249d0-5349-4d00-8000-000000000001
	key0=$(cat "$T_DIR/arts/${id}_key.sha256")
	RC=0
	timeout 60 "$CLI" --json provision --ca "$T_DIR/ca2/ca.pem" --ca-key "$T_DIR/ca2/ca.key" \
		--root-ca "$T_DIR/root.pem" --out "$T_DIR/arts" $PORTS >"$OUT" 2>"$ERR" || RC=$?
	expect_ok "provisioning with another CA"
	expect_eq "$(summary provisioned)" 1 "provisioned again (new certificate)"
	expect_eq "$(grep -c KEYGEN "$LOG")" 1 "KEYGEN commands (the key is kept)"
	expect_eq "$(cat "$T_DIR/arts/${id}_key.sha256")" "$key0" "key digest"
	openssl verify -CAfile "$T_DIR/ca2/ca.pem" "$T_DIR/arts/${id}_crt.pem" >/dev/null 2>&1 ||
		fail "the new certificate is not from the new CA"
	sim_list_json "$LINK"
	expect_eq "$(listed_sha 1)" "$(sha_of "$T_DIR/arts/${id}_crt.pem")" "type 1 digest"
}

test_provision_usage_errors() {
	start_sims 1
	# "args|what stderr says": exit 2 and not a byte to the modem
	for case in "--nonsense $LINK|unknown option" "--kind csr $LINK|does not take" \
		"--force=1 $LINK|takes no value" "--ca a --ca b $LINK|given twice" \
		"$LINK --tag|needs a value" "--days 0 $LINK|days" "--ca $FIX/ca.pem $LINK|go together" \
		"--subtype x $LINK|onboard-csv" "$LINK $LINK|named twice" \
		"--out /nonexistent-dir $LINK|not a directory" "--ledger /nonexistent-dir/l $LINK|ledger" \
		"--id-prefix a/b $LINK|id prefix" "--tag 0 $LINK|tag" "|needs ports"; do
		args=${case%|*} why=${case#*|}
		RC=0
		# shellcheck disable=SC2086
		timeout 20 "$CLI" provision $args >"$OUT" 2>"$ERR" || RC=$?
		expect_rc 2 "provision $args"
		err_has "$why"
	done
	# a kit that is not attached, named before or after the command: exit 3
	for args in "--serial-number 000960099999 provision" "provision --serial-number 000960099999"; do
		RC=0
		# shellcheck disable=SC2086
		timeout 20 "$CLI" $args >"$OUT" 2>"$ERR" || RC=$?
		expect_rc 3 "$args"
		err_has "serial number 000960099999"
	done
	[ ! -s "$LOG" ] || fail "the modem received commands: $(cat "$LOG")"
	mcx provision --help
	expect_ok "provision --help"
	out_has '^      --onboard-csv FILE$' "provision --help"
	out_has '^  -p, --port PORT  *a port to provision' "provision --help"
	mcx help provision
	expect_ok "help provision"
	out_has '--cert-dir' "help provision"
}
