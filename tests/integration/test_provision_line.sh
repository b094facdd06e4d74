# `modemcred provision` on a production line: a station killed during
# %KEYGEN and run again, records on a full disk, the claim CSV of nRF
# Cloud's claim flow, renewing certificates, the ledger's summary, the live
# view on a terminal.

. "$ROOT/tests/integration/provision_lib.sh"

imei_of() { printf '3513588112%05d' "$1"; }
uuid_of() { printf '4e5249d0-5349-4d00-8000-%012d' "$1"; }

# A station killed (SIGKILL) while three modems generate their keys: the
# journal in --out says so, and the same command run again, without
# --force, replaces those keys (its own) and restores the mode each modem
# had before the crash. A modem whose journal is gone is refused as before.
test_provision_sigkill_during_keygen_then_rerun() {
	make_ca "$T_DIR"
	mkdir "$T_DIR/arts"
	# each modem holds its %KEYGEN unanswered until the station is dead
	start_sims 3 --cfun 1 --hold-file "$(hold_file)"
	hold_next KEYGEN
	# shellcheck disable=SC2086
	"$CLI" --json provision --ca "$T_DIR/ca.pem" --ca-key "$T_DIR/ca.key" \
		--root-ca "$T_DIR/root.pem" --out "$T_DIR/arts" --ledger "$T_DIR/ledger.jsonl" \
		$PORTS >"$T_DIR/killed.out" 2>"$T_DIR/killed.err" &
	pid=$!
	for i in 1 2 3; do
		wait_for HELD "$T_DIR/m$i.log" "m$i never got its %KEYGEN"
	done
	kill -KILL "$pid"
	wait "$pid" || true
	rm -f "$(hold_file)"
	for i in 1 2 3; do
		j="$T_DIR/arts/$(imei_of "$i").journal"
		[ -s "$j" ] || fail "no journal for m$i after the crash"
		tail -n 1 "$j" | grep -q '^step=keygen mode_found=1 imei=[0-9]* keygen=1 ' ||
			fail "m$i's journal does not say it was generating a key: $(cat "$j")"
	done
	[ ! -s "$T_DIR/ledger.jsonl" ] || fail "the killed station wrote ledger lines"
	# each modem finishes its key for nobody, and stays offline as the dead station left it
	for i in 1 2 3; do
		wait_for '^cred 16842753 2 ' "$T_DIR/m$i.store" "m$i never stored its key"
		expect_eq "$(cfun_of "$T_DIR/m$i.link")" 4 "m$i's mode after the crash"
	done
	# m3 lost its journal: it is treated as before journals existed
	mv "$T_DIR/arts/$(imei_of 3).journal" "$T_DIR/m3.journal.saved"
	# shellcheck disable=SC2086
	prov $PORTS
	expect_rc 5 "the rerun (m3's key is unknown without its journal)"
	results >"$T_DIR/results"
	grep -q '^m1.link provisioned 0$' "$T_DIR/results" || fail "m1: $(cat "$T_DIR/results")"
	grep -q '^m2.link provisioned 0$' "$T_DIR/results" || fail "m2: $(cat "$T_DIR/results")"
	grep -q '^m3.link failed 5$' "$T_DIR/results" || fail "m3: $(cat "$T_DIR/results")"
	for i in 1 2; do
		expect_eq "$(grep -c KEYGEN "$T_DIR/m$i.log")" 2 "KEYGEN commands at m$i"
		expect_eq "$(cfun_of "$T_DIR/m$i.link")" 1 "m$i's mode restored to the one before the crash"
		[ ! -e "$T_DIR/arts/$(imei_of "$i").journal" ] || fail "m$i's journal is left over"
	done
	check_provisioned 2
	expect_eq "$(grep -c KEYGEN "$T_DIR/m3.log")" 1 "KEYGEN commands at m3 (refused)"
	expect_eq "$(cfun_of "$T_DIR/m3.link")" 4 "m3's mode (the one found, as before journals)"
	# with its journal back, m3 is finished too, and brought back to mode 1
	mv "$T_DIR/m3.journal.saved" "$T_DIR/arts/$(imei_of 3).journal"
	prov "$T_DIR/m3.link"
	expect_ok "the rerun of m3 with its journal"
	expect_eq "$(cfun_of "$T_DIR/m3.link")" 1 "m3's mode restored to the one before the crash"
	check_provisioned 3
	ls "$T_DIR/arts" | grep -q '\.journal$' && fail "journals left: $(ls "$T_DIR/arts")"
	return 0
}

# One modem (online), a station killed (SIGKILL) while the modem stores the
# certificate, which the modem then finishes for nobody.
kill_station_during_the_certificate_write() {
	make_ca "$T_DIR"
	mkdir "$T_DIR/arts"
	start_sims 1 --cfun 1 --hold-file "$(hold_file)"
	hold_next 'CMNG=0,16842753,1,'
	"$CLI" --json provision --ca "$T_DIR/ca.pem" --ca-key "$T_DIR/ca.key" \
		--root-ca "$T_DIR/root.pem" --out "$T_DIR/arts" --ledger "$T_DIR/ledger.jsonl" \
		"$T_DIR/m1.link" >"$T_DIR/killed.out" 2>"$T_DIR/killed.err" &
	pid=$!
	wait_for HELD "$T_DIR/m1.log" "m1 never got its certificate"
	kill -KILL "$pid"
	wait "$pid" || true
	rm -f "$(hold_file)"
	wait_for '^cred 16842753 1 ' "$T_DIR/m1.store" "m1 never stored its certificate"
}

# Killed while the modem stores the certificate: the modem finishes the
# write for nobody; the rerun writes nothing and still records the device
# as provisioned, so every device has such a record in the ledger.
test_provision_killed_during_the_last_write_is_provisioned_by_the_rerun() {
	kill_station_during_the_certificate_write
	writes=$(grep -c 'CMNG=0' "$T_DIR/m1.log")
	prov "$T_DIR/m1.link"
	expect_ok "the rerun"
	expect_eq "$(results)" "m1.link provisioned 0" "the rerun's result"
	expect_eq "$(grep -c 'CMNG=0' "$T_DIR/m1.log")" "$writes" "writes by the rerun"
	expect_eq "$(cfun_of "$T_DIR/m1.link")" 1 "the mode found before the crash"
	prov "$T_DIR/m1.link"
	expect_eq "$(results)" "m1.link unchanged 0" "a run after that"
}

# Killed while the modem stores the certificate, and the modem brought back
# online by hand before the rerun: nothing is left to change, so the rerun
# never takes it offline, still records the device as provisioned (the
# journal says a write was under way) and removes the journal.
test_provision_rerun_after_a_crash_on_a_modem_back_online() {
	kill_station_during_the_certificate_write
	j="$T_DIR/arts/$(imei_of 1).journal"
	[ -s "$j" ] || fail "no journal after the crash"
	timeout 20 "$CLI" -p "$T_DIR/m1.link" at 'AT+CFUN=1' >/dev/null 2>&1 || fail "m1 back online"
	n=$(wc -l <"$T_DIR/m1.log")
	prov "$T_DIR/m1.link"
	expect_ok "the rerun"
	expect_eq "$(results)" "m1.link provisioned 0" "the rerun's result"
	expect_eq "$(tail -n +$((n + 1)) "$T_DIR/m1.log" | grep -c 'CFUN=')" 0 "mode changes by the rerun"
	expect_eq "$(cfun_of "$T_DIR/m1.link")" 1 "the mode after the rerun"
	[ ! -e "$j" ] || fail "the journal is left over: $(cat "$j")"
}

# Ctrl-C while the certificate is written, with --attest: the write
# finishes, the run stops before the token, the mode is restored. The modem
# has all its credentials, so the rerun writes nothing, and it still records
# the device as provisioned (the first record says failed): every device
# that was provisioned has such a record in the ledger.
test_provision_stopped_after_the_last_write_is_provisioned_by_the_rerun() {
	make_ca "$T_DIR"
	mkdir "$T_DIR/arts"
	start_sims 1 --cfun 1 --hold-file "$(hold_file)" --model nRF9151-LACA --fw mfw_nrf91x1_2.0.2
	hold_next 'CMNG=0,16842753,1,'
	"$CLI" --json provision --ca "$T_DIR/ca.pem" --ca-key "$T_DIR/ca.key" --attest \
		--root-ca "$T_DIR/root.pem" --out "$T_DIR/arts" --ledger "$T_DIR/ledger.jsonl" \
		"$T_DIR/m1.link" >"$OUT" 2>"$ERR" &
	pid=$!
	signal_held "$pid" INT
	RC=0
	wait "$pid" || RC=$?
	expect_rc 130 "the station stopped by Ctrl-C"
	expect_eq "$(results)" "m1.link failed 130" "the stopped run's result"
	out_has "stopped before the attest step"
	expect_eq "$(cfun_of "$T_DIR/m1.link")" 1 "the mode after the stop"
	# the mode was restored: a mode set since (a power cycle's 0) stays
	timeout 20 "$CLI" -p "$T_DIR/m1.link" at 'AT+CFUN=0' >/dev/null 2>&1 || fail "AT+CFUN=0"
	writes=$(grep -c 'CMNG=0' "$T_DIR/m1.log")
	prov --attest "$T_DIR/m1.link"
	expect_ok "the rerun"
	expect_eq "$(results)" "m1.link provisioned 0" "the rerun's result"
	expect_eq "$(grep -c 'CMNG=0' "$T_DIR/m1.log")" "$writes" "writes by the rerun"
	expect_eq "$(cfun_of "$T_DIR/m1.link")" 0 "the mode the rerun found"
	prov --attest "$T_DIR/m1.link"
	expect_eq "$(results)" "m1.link unchanged 0" "a run after that"
	ls "$T_DIR/arts" | grep -q '\.journal$' && fail "journals left: $(ls "$T_DIR/arts")"
	return 0
}

# The modem provisioned, its record failed by the station (the onboarding
# CSV has another row for the device): the run that finishes the records
# (--replace), with nothing to write to the modem, records the device as
# provisioned, also after a rerun that failed the same way.
test_provision_records_failed_after_the_modem_then_finished() {
	make_ca "$T_DIR"
	mkdir "$T_DIR/arts"
	start_sims 1 --cfun 1
	printf '%s,,,APP|MODEM,"-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n"\n' \
		"$(uuid_of 1)" >"$T_DIR/onboard.csv"
	prov "$T_DIR/m1.link"
	expect_rc 1 "another row for the device in the CSV"
	out_has "already has another row"
	prov "$T_DIR/m1.link"
	expect_eq "$(results)" "m1.link failed 1" "the rerun without --replace"
	expect_eq "$(cfun_of "$T_DIR/m1.link")" 1 "the mode after the failed records"
	timeout 20 "$CLI" -p "$T_DIR/m1.link" at 'AT+CFUN=0' >/dev/null 2>&1 || fail "AT+CFUN=0"
	writes=$(grep -c 'CMNG=0' "$T_DIR/m1.log")
	prov --replace "$T_DIR/m1.link"
	expect_ok "the run with --replace"
	expect_eq "$(results)" "m1.link provisioned 0" "its result"
	expect_eq "$(grep -c 'CMNG=0' "$T_DIR/m1.log")" "$writes" "writes by that run"
	expect_eq "$(cfun_of "$T_DIR/m1.link")" 0 "the mode that run found"
	prov "$T_DIR/m1.link"
	expect_eq "$(results)" "m1.link unchanged 0" "a run after that"
	ls "$T_DIR/arts" | grep -q '\.journal$' && fail "journals left: $(ls "$T_DIR/arts")"
	return 0
}

# A journal left by a station killed during %KEYGEN makes the key it finds
# its own only while nobody else finished the tag: here another station
# (its own --out, --force) provisions the modem before the dead one reruns.
test_provision_dead_stations_journal_after_another_station() {
	make_ca "$T_DIR"
	mkdir "$T_DIR/arts" "$T_DIR/arts-b"
	start_sims 1 --cfun 1 --hold-file "$(hold_file)"
	hold_next KEYGEN
	"$CLI" --json provision --ca "$T_DIR/ca.pem" --ca-key "$T_DIR/ca.key" \
		--root-ca "$T_DIR/root.pem" --out "$T_DIR/arts" "$T_DIR/m1.link" \
		>"$T_DIR/killed.out" 2>"$T_DIR/killed.err" &
	pid=$!
	wait_for HELD "$T_DIR/m1.log" "m1 never got its %KEYGEN"
	kill -KILL "$pid"
	wait "$pid" || true
	rm -f "$(hold_file)"
	wait_for '^cred 16842753 2 ' "$T_DIR/m1.store" "m1 never stored its key"
	[ -s "$T_DIR/arts/$(imei_of 1).journal" ] || fail "no journal after the crash"
	# station B: refused without --force (the key is unknown to it), then forced
	rc=0
	timeout 60 "$CLI" provision --ca "$T_DIR/ca.pem" --ca-key "$T_DIR/ca.key" \
		--root-ca "$T_DIR/root.pem" --out "$T_DIR/arts-b" --quiet "$T_DIR/m1.link" \
		2>/dev/null || rc=$?
	expect_eq "$rc" 5 "station B without --force"
	timeout 60 "$CLI" provision --ca "$T_DIR/ca.pem" --ca-key "$T_DIR/ca.key" \
		--root-ca "$T_DIR/root.pem" --out "$T_DIR/arts-b" --quiet --force "$T_DIR/m1.link" ||
		fail "station B with --force"
	key_b=$(tr -d '\n' <"$T_DIR/arts-b/$(uuid_of 1)_key.sha256")
	# the dead station's rerun: B's key is not its orphan
	prov "$T_DIR/m1.link"
	expect_rc 5 "the dead station's rerun after station B finished the modem"
	grep -q "no saved artifact" "$T_DIR/ledger.jsonl" || fail "the ledger should say why"
	expect_eq "$(grep -c KEYGEN "$T_DIR/m1.log")" 2 "KEYGEN commands (the dead station's and B's)"
	timeout 20 "$CLI" -p "$T_DIR/m1.link" --json list >"$T_DIR/list.json" ||
		fail "list after the rerun"
	grep -qi "$key_b" "$T_DIR/list.json" || fail "station B's key was replaced: $(cat "$T_DIR/list.json")"
	expect_eq "$(cfun_of "$T_DIR/m1.link")" 1 "the mode found before the crash"
}

# run_in_full_tmpfs SCRIPT: SCRIPT (sh) in a private mount namespace with a
# 2-page tmpfs on $T_DIR/full, whose one-page ledger.jsonl has about 200
# bytes free and no page beyond it. Whatever the script leaves in
# $T_DIR/full is copied to $T_DIR/after-full before the namespace ends.
run_in_full_tmpfs() {
	mkdir -p "$T_DIR/full" "$T_DIR/after-full"
	cat >"$T_DIR/ns.sh" <<EOF
set -e
mount -t tmpfs -o size=8k,mode=0755 modemcred-test "$T_DIR/full"
# one page of whole ledger lines, about 200 bytes short of full
$PY -c '
import json, sys
lines = []
while sum(map(len, lines)) < 4096 - 200 - 120:
    lines.append(json.dumps({"time": "2026-01-01T00:00:00Z", "port": "old", "n": len(lines)}) + "\\n")
open(sys.argv[1], "w").write("".join(lines))
' "$T_DIR/full/ledger.jsonl"
# and no page more
head -c 4096 /dev/zero >"$T_DIR/full/filler" 2>/dev/null || true
head -c 1 /dev/zero >>"$T_DIR/full/filler" 2>/dev/null && exit 97
cp "$T_DIR/full/ledger.jsonl" "$T_DIR/ledger.before"
$1
cp -r "$T_DIR/full/." "$T_DIR/after-full/"
EOF
	RC=0
	unshare -m --propagation private sh "$T_DIR/ns.sh" >"$T_DIR/ns.out" 2>&1 || RC=$?
	[ "$RC" -ne 97 ] || fail "the tmpfs had room beyond its two pages"
	[ "$RC" -eq 0 ] || { cat "$T_DIR/ns.out" >&2; fail "the run in a tmpfs (exit $RC)"; }
}

# The ledger on a nearly full tmpfs: the line that does not fit is taken
# back whole, the station stops with a clear message and every mode
# restored; with room again, the same command finishes and every line of
# the ledger is whole.
test_provision_ledger_on_a_full_disk() {
	make_ca "$T_DIR"
	mkdir "$T_DIR/arts"
	start_sims 2 --cfun 1
	# the third modem is slow: the full disk stops it half-way
	SIM_NAME=m3 start_sim --cfun 1 --latency-ms 400 --imei "$(imei_of 3)" --uuid "$(uuid_of 3)"
	PORTS="$PORTS $LINK"
	run_in_full_tmpfs "
		rc=0
		timeout -k 3 100 '$CLI' --json provision --ca '$T_DIR/ca.pem' --ca-key '$T_DIR/ca.key' \
			--root-ca '$T_DIR/root.pem' --out '$T_DIR/arts' --ledger '$T_DIR/full/ledger.jsonl' \
			$PORTS >'$T_DIR/first.out' 2>'$T_DIR/first.err' || rc=\$?
		echo \$rc >'$T_DIR/first.rc'
		cp '$T_DIR/full/ledger.jsonl' '$T_DIR/ledger.after-first'
		rm '$T_DIR/full/filler'
		rc=0
		timeout -k 3 100 '$CLI' --json provision --ca '$T_DIR/ca.pem' --ca-key '$T_DIR/ca.key' \
			--root-ca '$T_DIR/root.pem' --out '$T_DIR/arts' --ledger '$T_DIR/full/ledger.jsonl' \
			$PORTS >'$T_DIR/second.out' 2>'$T_DIR/second.err' || rc=\$?
		echo \$rc >'$T_DIR/second.rc'"
	OUT="$T_DIR/first.out" ERR="$T_DIR/first.err"
	expect_eq "$(cat "$T_DIR/first.rc")" 1 "exit code of the station stopped by a full disk"
	err_has "disk is full"
	err_has "ledger"
	# nothing of the line that did not fit: the ledger is as it was
	files_equal "$T_DIR/ledger.before" "$T_DIR/ledger.after-first" "the ledger after ENOSPC"
	# the slow modem was stopped half-way, and every mode is back
	grep -q '"port":"[^"]*m3.link","device_id"' "$T_DIR/first.out" ||
		fail "no result for m3"
	for i in 1 2 3; do
		expect_eq "$(cfun_of "$T_DIR/m$i.link")" 1 "m$i's mode after the station stopped"
	done
	$PY - "$T_DIR/first.out" <<'EOF' || fail "m3 should have been stopped before it was done"
import json, sys
for line in open(sys.argv[1]):
    j = json.loads(line)
    if j["event"] == "result" and j["record"]["port"].endswith("m3.link"):
        assert j["record"]["result"] == "failed", j
        assert "stopped" in j["record"]["error"], j
EOF
	# room again: the same command finishes; every line whole, the old ones kept
	OUT="$T_DIR/second.out" ERR="$T_DIR/second.err"
	expect_eq "$(cat "$T_DIR/second.rc")" 0 "exit code once there is room"
	check_provisioned 3
	$PY - "$T_DIR/ledger.before" "$T_DIR/after-full/ledger.jsonl" <<'EOF' || fail "the ledger"
import json, sys
before = open(sys.argv[1]).read()
after = open(sys.argv[2]).read()
assert after.startswith(before), "the old lines changed"
new = [json.loads(l) for l in after[len(before):].splitlines()]
assert len(new) == 3, len(new)
assert {l["device_id"] for l in new} == {"4e5249d0-5349-4d00-8000-%012d" % i for i in (1, 2, 3)}
EOF
}

# A file's data survive a power loss once it is synced, its name only once
# its directory is: the station syncs --out after renaming each modem's
# files into it, before it trusts them (the key's digest after the files it
# vouches for, the journal removed after all of them), and the directory of
# a new ledger or CSV. No crash of a process can show a missing directory
# sync, so a preloaded library (tests/preload/synclog.c) logs the order of
# renames, removals and syncs.
test_provision_names_are_durable_before_they_are_trusted() {
	make_ca "$T_DIR"
	mkdir "$T_DIR/arts" "$T_DIR/records"
	start_sims 2 --cfun 1
	RC=0
	# shellcheck disable=SC2086
	SYNCLOG="$T_DIR/sync.log" LD_PRELOAD="$BUILD/tests/libsynclog.so" timeout -k 3 100 \
		"$CLI" --json provision --ca "$T_DIR/ca.pem" --ca-key "$T_DIR/ca.key" \
		--root-ca "$T_DIR/root.pem" --out "$T_DIR/arts" \
		--ledger "$T_DIR/records/ledger.jsonl" --onboard-csv "$T_DIR/records/onboard.csv" \
		$PORTS >"$OUT" 2>"$ERR" || RC=$?
	expect_rc 0
	check_provisioned 2
	$PY - "$T_DIR/sync.log" "$T_DIR/arts" "$T_DIR/records" <<'EOF' || fail "the order of syncs"
import os, sys
log = [l.rstrip("\n").split(" ") for l in open(sys.argv[1])]
arts, records = sys.argv[2], sys.argv[3]
assert log, "nothing logged: the preloaded library did not work"

def dir_synced(d, after, before=len(log)):
    return ["fsync", d + "/"] in log[after + 1:before]

artifacts = [(i, e[2]) for i, e in enumerate(log) if e[0] == "rename" and os.path.dirname(e[2]) == arts]
journals = [i for i, e in enumerate(log) if e[0] == "unlink" and e[1].endswith(".journal")]
assert len(artifacts) == 8, artifacts  # CSR, public key, digest, certificate of 2 modems
assert len(journals) == 2, log
for i, target in artifacts:
    # where the file is relied on: the digest vouches for the CSR and the
    # public key; the journal's removal (the run is done) for all of them
    device = os.path.basename(target).rsplit("_", 1)[0]
    digest = [j for j, t in artifacts if t.endswith(device + "_key.sha256")][0]
    trusted = digest if target.endswith(("_csr.pem", "_pub.pem")) else max(journals)
    assert dir_synced(arts, i, trusted), "%s: %s not synced before it was relied on" % (target, arts)
for name in ("ledger.jsonl", "onboard.csv"):
    assert ["fsync", records + "/" + name] in log, "%s never synced" % name
assert ["fsync", records + "/"] in log, "the directory of the new ledger and CSV never synced"
EOF
	# the desk's -o FILE: the new name is synced before the command is done
	RC=0
	# shellcheck disable=SC2086
	set -- $PORTS
	SYNCLOG="$T_DIR/desk.log" LD_PRELOAD="$BUILD/tests/libsynclog.so" timeout 20 \
		"$CLI" -p "$1" read --tag 16842753 --type 0 -o "$T_DIR/records/root.pem" \
		>"$OUT" 2>"$ERR" || RC=$?
	expect_rc 0
	$PY - "$T_DIR/desk.log" "$T_DIR/records" <<'EOF' || fail "read -o: the order of syncs"
import sys
log = [l.rstrip("\n").split(" ") for l in open(sys.argv[1])]
at = [i for i, e in enumerate(log) if e[0] == "rename" and e[2] == sys.argv[2] + "/root.pem"]
assert at, log
assert ["fsync", sys.argv[2] + "/"] in log[at[0] + 1:], log
EOF
}

# --out on a full disk: the journal cannot be written, so no modem is changed.
test_provision_journal_on_a_full_disk_changes_nothing() {
	make_ca "$T_DIR"
	start_sims 2 --cfun 1
	run_in_full_tmpfs "
		rc=0
		timeout -k 3 60 '$CLI' --json provision --ca '$T_DIR/ca.pem' --ca-key '$T_DIR/ca.key' \
			--out '$T_DIR/full' $PORTS >'$T_DIR/out' 2>'$T_DIR/err' || rc=\$?
		echo \$rc >'$T_DIR/rc'"
	expect_eq "$(cat "$T_DIR/rc")" 1 "exit code when the journal cannot be written"
	err_has "disk is full"
	for i in 1 2; do
		grep -q 'CFUN=4\|KEYGEN\|CMNG=0' "$T_DIR/m$i.log" &&
			fail "m$i was changed without a journal: $(cat "$T_DIR/m$i.log")"
		expect_eq "$(cfun_of "$T_DIR/m$i.link")" 1 "m$i's mode"
	done
	return 0
}

# claim_reader CSV LEDGER: the claim CSV read as nrfcloud-utils'
# claim_devices reads it (csv.reader, the first four fields of each row,
# the token alone in the bulk claim's QUOTE_ALL CSV), each token decoded
# independently (base64url, CBOR tag 55799) to check it names the row's
# device UUID, which the ledger's record of that IMEI names too.
claim_reader() {
	$PY - "$1" "$2" <<'EOF'
import base64, csv, datetime, io, json, sys, uuid
import cbor2
ledger = {}
for line in open(sys.argv[2]):
    j = json.loads(line)
    ledger[j["imei"]] = j
rows = []
with open(sys.argv[1]) as csvfile:
    for row in csv.reader(csvfile, delimiter=','):
        imei, dev_uuid, attest_tok, date_time = row[:4]   # as claim_devices
        rows.append((imei, dev_uuid, attest_tok, date_time))
claims = io.StringIO()
csv.writer(claims, lineterminator='\n', quoting=csv.QUOTE_ALL).writerows([[r[2]] for r in rows])
for (imei, dev_uuid, tok, when), line in zip(rows, claims.getvalue().splitlines()):
    assert line == '"%s"' % tok, line
    body = tok.split(".")[0]
    msg = cbor2.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
    # cbor2 drops the self-describe tag 55799 itself; older versions keep it
    msg = msg.value if isinstance(msg, cbor2.CBORTag) and msg.tag == 55799 else msg
    assert msg[0] == 1, msg  # device identity message v1
    assert str(uuid.UUID(bytes=msg[1])) == dev_uuid, (dev_uuid, msg[1])
    t = datetime.datetime.fromisoformat(when)
    assert t.utcoffset() == datetime.timedelta(0) and when.endswith("+00:00"), when
    rec = ledger[imei]
    assert rec["device_uuid"] == dev_uuid and rec["attest_uuid"] == dev_uuid, rec
    assert rec["attest_token"] is True, rec
for r in rows:
    print(r[0], r[1], r[2])
EOF
}

test_provision_claim_csv_for_claim_devices() {
	make_ca "$T_DIR"
	mkdir "$T_DIR/arts"
	start_sims 3 --model nRF9161-LACA --fw mfw_nrf91x1_2.0.2
	# shellcheck disable=SC2086
	prov --attest --attest-csv "$T_DIR/claims.csv" $PORTS
	expect_ok "provision --attest --attest-csv"
	claim_reader "$T_DIR/claims.csv" "$T_DIR/ledger.jsonl" >"$T_DIR/claims.1" ||
		fail "the claim CSV as claim_devices reads it"
	expect_eq "$(wc -l <"$T_DIR/claims.1")" 3 "claim rows"
	# %ATTESTTOKEN's seconds are planning data like any step's
	$PY -c 'import json, sys
for line in open(sys.argv[1]):
    t = json.loads(line)["steps_s"]["attest"]
    assert isinstance(t, float) and t >= 0, t' "$T_DIR/ledger.jsonl" || fail "the ledger's attest seconds"
	for i in 1 2 3; do
		grep -q "^$(imei_of "$i") $(uuid_of "$i") " "$T_DIR/claims.1" || fail "no row for m$i"
	done
	# resumable: run again, the rows stay (their tokens still claim the devices)
	# shellcheck disable=SC2086
	prov --attest --attest-csv "$T_DIR/claims.csv" $PORTS
	expect_ok "second run"
	cp "$T_DIR/claims.csv" "$T_DIR/claims.2.csv"
	claim_reader "$T_DIR/claims.csv" "$T_DIR/ledger.jsonl" >"$T_DIR/claims.2" ||
		fail "the claim CSV after a second run"
	files_equal "$T_DIR/claims.1" "$T_DIR/claims.2" "claim rows after the second run"
	# --replace puts the new tokens in their places
	# shellcheck disable=SC2086
	prov --attest --attest-csv "$T_DIR/claims.csv" --replace $PORTS
	expect_ok "--replace"
	claim_reader "$T_DIR/claims.csv" "$T_DIR/ledger.jsonl" >"$T_DIR/claims.3" ||
		fail "the claim CSV after --replace"
	expect_eq "$(wc -l <"$T_DIR/claims.3")" 3 "claim rows after --replace"
	cut -d' ' -f1,2 "$T_DIR/claims.1" >"$T_DIR/ids.1"
	cut -d' ' -f1,2 "$T_DIR/claims.3" >"$T_DIR/ids.3"
	files_equal "$T_DIR/ids.1" "$T_DIR/ids.3" "devices after --replace"
	cmp -s "$T_DIR/claims.1" "$T_DIR/claims.3" && fail "--replace kept the old tokens"
	# a row of that UUID with another IMEI is not overwritten without --replace
	sed "s/^$(imei_of 2),/999999999999999,/" "$T_DIR/claims.csv" >"$T_DIR/claims.x" &&
		mv "$T_DIR/claims.x" "$T_DIR/claims.csv"
	prov --attest --attest-csv "$T_DIR/claims.csv" "$T_DIR/m2.link"
	expect_rc 1 "a claim row of the device's UUID with another IMEI"
	grep -q "another IMEI" "$T_DIR/ledger.jsonl" || fail "the ledger should say why"
	grep -q "^999999999999999,$(uuid_of 2)," "$T_DIR/claims.csv" || fail "the row was changed"
	# --attest-csv needs --attest
	prov --attest-csv "$T_DIR/claims.csv" "$T_DIR/m1.link"
	expect_rc 2 "--attest-csv without --attest"
	err_has "--attest"
}

# csv_rows FILE: the rows Python's csv module reads (a certificate spans lines)
csv_rows() {
	$PY -c 'import csv, sys; print(len(list(csv.reader(open(sys.argv[1], newline="")))))' "$1"
}

# The two CSVs agree with each other, with the token files and with rows
# written by other hands (quoted fields, another case, duplicates, a row
# cut by a crash).
test_provision_csv_rows_other_hands_wrote() {
	make_ca "$T_DIR"
	mkdir "$T_DIR/arts"
	start_sims 3 --model nRF9161-LACA --fw mfw_nrf91x1_2.0.2
	u1=$(uuid_of 1)
	u2=$(uuid_of 2)
	u3=$(uuid_of 3)
	# rows left by others: m1's with its IMEI quoted, m2's UUID in upper case
	U2=$(echo "$u2" | tr a-f A-F)
	printf '"%s",%s,old1.tok,2026-01-01T00:00:00+00:00\n%s,%s,old2.tok,2026-01-01T00:00:00+00:00\n' \
		"$(imei_of 1)" "$u1" "$(imei_of 2)" "$U2" >"$T_DIR/claims.csv"
	# shellcheck disable=SC2086
	prov --attest --attest-csv "$T_DIR/claims.csv" $PORTS
	expect_ok "rows of the same devices written by others"
	expect_eq "$(wc -l <"$T_DIR/claims.csv")" 3 "claim rows (one per device)"
	grep -q ",old1.tok," "$T_DIR/claims.csv" || fail "m1's row (its IMEI quoted) was not kept"
	grep -q ",old2.tok," "$T_DIR/claims.csv" || fail "m2's row (its UUID in upper case) was not kept"
	# each token file holds the token of its device's row: the one that claims it
	expect_eq "$(cat "$T_DIR/arts/${u1}_attest.txt")" old1.tok "m1's token file"
	expect_eq "$(cat "$T_DIR/arts/${u2}_attest.txt")" old2.tok "m2's token file"
	expect_eq "$(cat "$T_DIR/arts/${u3}_attest.txt")" \
		"$(grep ",$u3," "$T_DIR/claims.csv" | cut -d, -f3)" "m3's token file"
	# --replace leaves one row per device, also where there were two
	printf '%s,%s,dup.tok,2026-01-01T00:00:00+00:00\n' "$(imei_of 3)" "$u3" >>"$T_DIR/claims.csv"
	# shellcheck disable=SC2086
	prov --attest --attest-csv "$T_DIR/claims.csv" --replace $PORTS
	expect_ok "--replace"
	expect_eq "$(wc -l <"$T_DIR/claims.csv")" 3 "claim rows after --replace"
	grep -q "old1.tok\|old2.tok\|dup.tok" "$T_DIR/claims.csv" && fail "--replace kept an old token"
	claim_reader "$T_DIR/claims.csv" "$T_DIR/ledger.jsonl" >/dev/null ||
		fail "the claim CSV after --replace"
	# a device failed by one CSV gets a row in neither
	sed "s/^$(imei_of 2),/999999999999999,/" "$T_DIR/claims.csv" >"$T_DIR/claims.x" &&
		mv "$T_DIR/claims.x" "$T_DIR/claims.csv"
	rm -f "$T_DIR/onboard.csv"
	# shellcheck disable=SC2086
	prov --attest --attest-csv "$T_DIR/claims.csv" $PORTS
	expect_rc 1 "m2's claim row names another IMEI"
	grep -q "$u2" "$T_DIR/onboard.csv" && fail "the failed m2 got an onboarding row"
	expect_eq "$(csv_rows "$T_DIR/onboard.csv")" 2 "onboarding rows (m1 and m3)"
	# the ledger and the CSVs are three files
	prov --attest --attest-csv "$T_DIR/ledger.jsonl" "$T_DIR/m1.link"
	expect_rc 2 "--attest-csv naming the ledger"
	err_has "name the same file"
	prov --attest --attest-csv "$T_DIR/./onboard.csv" "$T_DIR/m1.link"
	expect_rc 2 "--attest-csv naming the onboarding CSV"
	# an onboarding CSV whose last row a crash cut inside its certificate:
	# the cut row goes, the file stays one Python's csv module reads
	n=$(($(sed -n '/END CERTIFICATE/{=;q}' "$T_DIR/onboard.csv") + 8))
	head -n "$n" "$T_DIR/onboard.csv" >"$T_DIR/cut.csv"
	mv "$T_DIR/cut.csv" "$T_DIR/onboard.csv"
	# shellcheck disable=SC2086
	prov $PORTS
	expect_ok "an onboarding CSV with a cut last row"
	# shellcheck disable=SC2086
	prov $PORTS
	expect_ok "the same again"
	$PY - "$T_DIR/onboard.csv" "$u1" "$u2" "$u3" <<'EOF' || fail "the onboarding CSV after a cut row"
import csv, sys
rows = list(csv.reader(open(sys.argv[1], newline="")))
assert sorted(r[0] for r in rows) == sorted(sys.argv[2:]), rows
assert all(r[4].startswith("-----BEGIN CERTIFICATE-----") and
           r[4].rstrip().endswith("-----END CERTIFICATE-----") for r in rows), rows
EOF
}

# A saved digest that names the tag's key, its CSR lost: say so, not "unknown key".
test_provision_missing_csr_is_named() {
	make_ca "$T_DIR"
	mkdir "$T_DIR/arts"
	start_sims 1
	prov "$T_DIR/m1.link"
	expect_ok "provision"
	rm "$T_DIR/arts/$(uuid_of 1)_csr.pem"
	prov "$T_DIR/m1.link"
	expect_rc 5 "a rerun without the CSR"
	grep -q "lack its CSR: restore them from a backup" "$T_DIR/ledger.jsonl" ||
		fail "the ledger should name the missing CSR: $(tail -n 1 "$T_DIR/ledger.jsonl")"
	expect_eq "$(grep -c KEYGEN "$T_DIR/m1.log")" 1 "KEYGEN commands (the key is kept)"
}

# -v traces every port's AT commands and answers, each line after its port.
test_provision_verbose_traces_each_port() {
	make_ca "$T_DIR"
	mkdir "$T_DIR/arts"
	start_sims 2
	# shellcheck disable=SC2086
	prov -v $PORTS
	expect_ok "provision -v"
	for i in 1 2; do
		grep -q "^$T_DIR/m$i.link: > AT+CGSN$" "$ERR" || fail "no trace of m$i's AT+CGSN: $(head "$ERR")"
		grep -q "^$T_DIR/m$i.link: < $(imei_of "$i")$" "$ERR" || fail "no trace of m$i's IMEI"
		grep -q "^$T_DIR/m$i.link: > AT%KEYGEN=" "$ERR" || fail "no trace of m$i's %KEYGEN"
	done
	# every trace line names its port (the threads' lines never mix)
	grep -v -e "^$T_DIR/m[12].link: [<>] " "$ERR" | grep -q . &&
		fail "a line that is no port's trace: $(grep -v -e "^$T_DIR/m[12].link: [<>] " "$ERR" | head -3)"
	return 0
}

# provision takes $MODEMCRED_PORT when no port is named, as every command does.
test_provision_takes_modemcred_port() {
	make_ca "$T_DIR"
	mkdir "$T_DIR/arts"
	start_sims 1
	MODEMCRED_PORT="$T_DIR/m1.link" prov
	expect_ok "provision with MODEMCRED_PORT"
	expect_eq "$(results)" "m1.link provisioned 0" "the result"
	MODEMCRED_PORT="$T_DIR/m1.link" mcx provision --summary "$T_DIR/ledger.jsonl"
	expect_ok "--summary is no port's"
}

# nRF Cloud claims nRF91x1 devices by token, not the nRF9160: no claim row.
test_provision_claim_csv_refuses_nrf9160() {
	make_ca "$T_DIR"
	mkdir "$T_DIR/arts"
	start_sims 1 --model nRF9160-SICA --fw mfw_nrf9160_1.3.5
	prov --attest --attest-csv "$T_DIR/claims.csv" "$T_DIR/m1.link"
	expect_rc 1 "an nRF9160 with --attest-csv"
	grep -q "nRF9160-SICA: nRF Cloud claims only nRF91x1" "$T_DIR/ledger.jsonl" ||
		fail "the ledger should say why: $(cat "$T_DIR/ledger.jsonl")"
	[ ! -s "$T_DIR/claims.csv" ] || fail "a claim row for an nRF9160: $(cat "$T_DIR/claims.csv")"
	[ ! -s "$T_DIR/onboard.csv" ] || fail "an onboarding row for the failed device"
	# its credentials are in place: onboarded without --attest-csv
	prov "$T_DIR/m1.link"
	expect_ok "the same modem onboarded instead"
	expect_eq "$(csv_rows "$T_DIR/onboard.csv")" 1 "onboarding rows"
}

# A CA that expires before --days would end: the certificate ends with it
# (no chain verifies past its CA), not years later.
test_provision_certificate_ends_with_its_ca() {
	make_ca "$T_DIR" # 30 days
	mkdir "$T_DIR/arts"
	start_sims 1
	prov "$T_DIR/m1.link" # --days 3650 by default
	expect_ok "provision"
	cert="$T_DIR/arts/$(uuid_of 1)_crt.pem"
	expect_eq "$(openssl x509 -in "$cert" -noout -enddate)" \
		"$(openssl x509 -in "$T_DIR/ca.pem" -noout -enddate)" "the certificate's end"
	openssl verify -CAfile "$T_DIR/ca.pem" -attime $(($(date +%s) + 29 * 86400)) "$cert" \
		>/dev/null || fail "the certificate does not verify while its CA is valid"
}

test_provision_renew_within() {
	make_ca "$T_DIR" 4000 # a renewal gets the full default 3650 days
	mkdir "$T_DIR/arts"
	start_sims 2
	id=$(uuid_of 1)
	# shellcheck disable=SC2086
	prov --days 10 $PORTS
	expect_ok "provision with 10-day certificates"
	serial0=$(openssl x509 -in "$T_DIR/arts/${id}_crt.pem" -noout -serial)
	# m2's key is replaced behind the station's back: its saved CSR names another key
	LINK="$T_DIR/m2.link"
	mc --offline keygen --tag 16842753 --force -o "$T_DIR/other.csr"
	expect_ok "another key in m2's tag"
	w0=$(count_in_logs 'CMNG=0')
	# not due yet
	prov --renew-within 5 "$T_DIR/m1.link"
	expect_ok "--renew-within 5"
	expect_eq "$(summary unchanged)" 1 "unchanged when the certificate has 10 days left"
	expect_eq "$(count_in_logs 'CMNG=0')" "$w0" "writes when nothing is due"
	# due: a new certificate for the same key, written and verified; no %KEYGEN
	cp "$T_DIR/onboard.csv" "$T_DIR/onboard.before-renewal"
	prov --renew-within 30 "$T_DIR/m1.link"
	expect_ok "--renew-within 30"
	expect_eq "$(summary renewed)" 1 "renewed"
	expect_eq "$(tail -n 1 "$T_DIR/ledger.jsonl" | $PY -c 'import json,sys; print(json.load(sys.stdin)["result"])')" \
		renewed "the ledger's result"
	expect_eq "$(grep -c KEYGEN "$T_DIR/m1.log")" 1 "KEYGEN commands at m1 (the key is kept)"
	expect_eq "$(grep -c 'CMNG=0,16842753,1,' "$T_DIR/m1.log")" 2 "certificate writes"
	expect_eq "$(grep -c 'CMNG=0,16842753,0,' "$T_DIR/m1.log")" 1 "root CA writes (unchanged)"
	[ "$(openssl x509 -in "$T_DIR/arts/${id}_crt.pem" -noout -serial)" != "$serial0" ] ||
		fail "the certificate was not renewed"
	openssl x509 -in "$T_DIR/arts/${id}_crt.pem" -noout -checkend $((3000 * 86400)) >/dev/null ||
		fail "the renewed certificate is not valid for the default 3650 days"
	openssl x509 -in "$T_DIR/arts/${id}_crt.pem" -noout -checkend $((3651 * 86400)) >/dev/null &&
		fail "the renewed certificate is valid for more than 3650 days"
	check_provisioned 1
	# a renewal whose CSV row a crash lost: the rerun finds the modem up to
	# date, and the row of the earlier certificate of the same key takes the
	# new one (no --replace: the old certificate is no longer on the modem)
	cp "$T_DIR/onboard.csv" "$T_DIR/onboard.renewed"
	grep -q "$id" "$T_DIR/onboard.before-renewal" || fail "m1 had no row before its renewal"
	cp "$T_DIR/onboard.before-renewal" "$T_DIR/onboard.csv"
	prov "$T_DIR/m1.link"
	expect_ok "the rerun after a renewal whose row was lost"
	expect_eq "$(summary unchanged)" 1 "unchanged (the modem has the renewed certificate)"
	files_equal "$T_DIR/onboard.renewed" "$T_DIR/onboard.csv" "the row of the renewed certificate"
	# m2's certificate is due, but the key in its tag is not the saved CSR's: no renewal
	w1=$(grep -c 'CMNG=0' "$T_DIR/m2.log")
	prov --renew-within 30 "$T_DIR/m2.link"
	expect_rc 5 "--renew-within when the tag's key is not the saved CSR's"
	out_has "no saved artifact of device .* identifies" "the refusal"
	expect_eq "$(grep -c 'CMNG=0' "$T_DIR/m2.log")" "$w1" "writes at m2 when its key changed"
	# renewing needs the CA
	RC=0
	timeout 20 "$CLI" provision --renew-within 30 --out "$T_DIR/arts" "$T_DIR/m1.link" \
		>"$OUT" 2>"$ERR" || RC=$?
	expect_rc 2 "--renew-within without --ca"
	err_has "--ca"
}

test_provision_summary_of_a_ledger() {
	make_ca "$T_DIR"
	mkdir "$T_DIR/arts"
	start_sims 3 --keygen-ms 100
	# shellcheck disable=SC2086
	prov $PORTS
	expect_ok "provision"
	SIM_NAME=bad start_sim --keygen-fail 523
	prov "$LINK"
	expect_rc 4 "a modem that refuses %KEYGEN"
	mcx --json provision --summary "$T_DIR/ledger.jsonl"
	expect_ok "provision --summary --json"
	cp "$OUT" "$T_DIR/summary.json"
	$PY - "$T_DIR/ledger.jsonl" "$T_DIR/summary.json" <<'EOF' || fail "the summary's figures"
import json, math, statistics, sys
recs = [json.loads(l) for l in open(sys.argv[1])]
s = json.load(open(sys.argv[2]))
assert s["records"] == 4 and s["unreadable"] == 0, s
assert s["results"] == {"provisioned": 3, "renewed": 0, "unchanged": 0, "csr_saved": 0,
                        "failed": 1}, s["results"]
for step, st in s["steps"].items():
    v = sorted(r["steps_s"][step] for r in recs if r["steps_s"][step] is not None)
    assert st["runs"] == len(v), (step, st, v)
    if v:
        assert abs(st["median_s"] - statistics.median(v)) < 0.0015, (step, st, v)
        assert abs(st["p95_s"] - v[math.ceil(0.95 * len(v)) - 1]) < 0.0015, (step, st, v)
    else:  # nothing measured is no time of 0
        assert st["median_s"] is None and st["p95_s"] is None, (step, st)
# %KEYGEN takes the simulator's 100 ms at least
assert s["steps"]["keygen"]["median_s"] >= 0.1, s["steps"]["keygen"]
done = [r["duration_s"] for r in recs if r["result"] == "provisioned"]
assert s["every_port"]["provisioned"] == 3, s["every_port"]
m = statistics.median(done)
assert abs(s["every_port"]["devices_per_hour"] - 3600 / m) <= 0.02 * 3600 / m + 1, (s, m)
assert len(s["ports"]) == 4 and sum(p["provisioned"] for p in s["ports"]) == 3, s["ports"]
bad = [p for p in s["ports"] if p["provisioned"] == 0]
assert len(bad) == 1 and bad[0]["median_s"] is None and bad[0]["devices_per_hour"] is None, bad
EOF
	mcx provision --summary "$T_DIR/ledger.jsonl"
	expect_ok "provision --summary"
	out_has "^$T_DIR/m3.link  *1 " "the table's port names, whole"
	out_has "^$T_DIR/bad.link  *0  *-  *-$" "a port without a provisioned device"
	out_has "^key generation  *4 " "the table's keygen row (the refused one too)"
	out_has "devices/hour" "the table's ports"
	out_has "3 provisioned, 0 renewed, 0 unchanged, 0 csr-saved, 1 failed" "the results"
	# a torn line is left out and said so
	printf '{"time":"2026-' >>"$T_DIR/ledger.jsonl"
	mcx provision --summary "$T_DIR/ledger.jsonl"
	expect_ok "--summary with a torn last line"
	out_has "1 lines are no ledger record" "the torn line"
	# a production line's year of records (hundreds of megabytes) is read a
	# line at a time: here 6000 records, about 6 MB, more than any file the
	# CLI reads whole
	$PY - "$T_DIR/ledger.jsonl" "$T_DIR/big.jsonl" <<'EOF'
import sys
lines = [l for l in open(sys.argv[1]) if l.endswith("}\n")]
assert len(lines) == 4, lines
with open(sys.argv[2], "w") as f:
    for _ in range(1500):
        f.writelines(lines)
EOF
	mcx --json provision --summary "$T_DIR/big.jsonl"
	expect_ok "--summary of 6000 records"
	$PY -c 'import json,sys; s=json.load(open(sys.argv[1])); assert s["records"] == 6000 and s["results"]["provisioned"] == 4500, s' "$OUT" ||
		fail "the summary of 6000 records"
	mcx provision --summary "$T_DIR"
	expect_rc 2 "--summary of a directory"
	# it reads a ledger, nothing else
	mcx provision --summary "$T_DIR/ledger.jsonl" "$T_DIR/m1.link"
	expect_rc 2 "--summary with a port"
	mcx provision --summary "$T_DIR/nonexistent.jsonl"
	expect_rc 2 "--summary of a missing ledger"
}

# On a terminal: one live line per port with its step, then the table.
test_provision_live_view_and_table() {
	make_ca "$T_DIR"
	mkdir "$T_DIR/arts"
	start_sims 2 --keygen-ms 300
	SIM_NAME=bad start_sim --keygen-fail 523 --uuid "$(uuid_of 9)"
	$PY - "$CLI" "$T_DIR" "$T_DIR/m1.link" "$T_DIR/m2.link" "$LINK" >"$T_DIR/pty.out" 2>&1 <<'EOF' ||
import os, pty, select, sys, time
cli, d = sys.argv[1:3]
pid, fd = pty.fork()
if pid == 0:
    os.execv(cli, [cli, "provision", "--ca", d + "/ca.pem", "--ca-key", d + "/ca.key",
                   "--out", d + "/arts"] + sys.argv[3:])
seen = b""
end = time.monotonic() + 60
while time.monotonic() < end:
    r, _, _ = select.select([fd], [], [], 0.5)
    if r:
        try:
            chunk = os.read(fd, 4096)
        except OSError:
            break
        if not chunk:
            break
        seen += chunk
done, status = os.waitpid(pid, os.WNOHANG)
while not done and time.monotonic() < end:
    time.sleep(0.1)
    done, status = os.waitpid(pid, os.WNOHANG)
text = seen.decode(errors="replace")
sys.stdout.write(text)
assert done and os.WEXITSTATUS(status) == 4, (done, status)
assert "keygen" in text, "the keygen step was never shown"
assert "\x1b[" in text, "no live redraw"
lines = text.replace("\r", "").split("\n")
i = next(k for k, l in enumerate(lines) if l.startswith("result") and "count" in l)
table = lines[i:i + 8]
assert table[1].split() == ["provisioned", "2"], table
assert table[5].split() == ["failed", "1"], table
assert "bad.link (exit 4)" in table[6] and "523" in table[6], table
EOF
		{ cat "$T_DIR/pty.out" >&2; fail "the live view and the table on a terminal"; }
}
