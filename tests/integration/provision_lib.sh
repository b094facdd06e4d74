# Helpers of the `modemcred provision` tests (test_provision*.sh source this
# file): simulated modems, a test CA, running the station, reading its events.

# start_sims N [modemsim options]: N simulators named m1..mN with their own
# IMEI and device UUID; their links are in $PORTS.
start_sims() {
	_n="$1"; shift
	PORTS=""
	_i=1
	while [ "$_i" -le "$_n" ]; do
		SIM_NAME="m$_i" start_sim --imei "$(printf '3513588112%05d' "$_i")" \
			--uuid "$(printf '4e5249d0-5349-4d00-8000-%012d' "$_i")" "$@"
		PORTS="$PORTS $LINK"
		_i=$((_i + 1))
	done
}

# make_ca DIR [DAYS]: a factory CA (ca.pem, ca.key) valid for DAYS days (30)
# and a server root (root.pem). A device certificate ends with its CA.
make_ca() {
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$1/ca.key" \
		-out "$1/ca.pem" -subj "/O=modemcred test/CN=Factory CA" -days "${2:-30}" \
		>/dev/null 2>&1 ||
		fail "openssl could not make the test CA"
	cp "$FIX/ca.pem" "$1/root.pem"
}

# prov [args...]: provision with the test CA, artifacts in $T_DIR/arts,
# ledger and CSV in $T_DIR; JSON events in $OUT
prov() {
	RC=0
	timeout -k 3 "${PROV_TIMEOUT:-100}" "$CLI" --json provision --ca "$T_DIR/ca.pem" \
		--ca-key "$T_DIR/ca.key" --root-ca "$T_DIR/root.pem" --out "$T_DIR/arts" \
		--ledger "$T_DIR/ledger.jsonl" --onboard-csv "$T_DIR/onboard.csv" "$@" \
		>"$OUT" 2>"$ERR" || RC=$?
	cat "$ERR" >>"$T_DIR/stderr.all"
}

# provq [args...]: provision --quiet with the test CA, no records; sets RC
provq() {
	RC=0
	timeout 40 "$CLI" provision --ca "$T_DIR/ca.pem" --ca-key "$T_DIR/ca.key" --out "$T_DIR/arts" \
		--quiet "$@" >"$OUT" 2>"$ERR" || RC=$?
}

# summary KEY: a number of the summary event
summary() {
	$PY -c '
import json, sys
for line in open(sys.argv[1]):
    j = json.loads(line)
    if j["event"] == "summary":
        print(j[sys.argv[2]])
' "$OUT" "$1"
}

# results: "port result exit_code" per result event
results() {
	$PY -c '
import json, sys
for line in open(sys.argv[1]):
    j = json.loads(line)
    if j["event"] == "result":
        r = j["record"]
        print(r["port"].rsplit("/", 1)[-1], r["result"], r["exit_code"])
' "$OUT" | sort
}

# sim_list_json LINK: `list --json` of the tag on one simulator into $T_DIR/list.json
sim_list_json() {
	timeout -k 3 20 "$CLI" -p "$1" --json list --tag 16842753 >"$T_DIR/list.json" 2>"$T_DIR/list.err" ||
		{ cat "$T_DIR/list.err" >&2; fail "list on $1"; }
}

listed_sha() {
	$PY -c '
import json, sys
print(next((c["sha256"] for c in json.load(open(sys.argv[1])) if int(c["type"]) == int(sys.argv[2])), ""))
' "$T_DIR/list.json" "$1"
}

# check_provisioned N: every modem m1..mN holds what the artifacts say
check_provisioned() {
	_i=1
	while [ "$_i" -le "$1" ]; do
		id=$(printf '4e5249d0-5349-4d00-8000-%012d' "$_i")
		crt="$T_DIR/arts/${id}_crt.pem"
		[ -s "$crt" ] || fail "no certificate artifact for $id"
		openssl verify -CAfile "$T_DIR/ca.pem" "$crt" >"$T_DIR/verify.out" 2>&1 ||
			{ cat "$T_DIR/verify.out" >&2; fail "openssl verify of $crt against the CA"; }
		openssl x509 -in "$crt" -noout -subject | grep -q "CN *= *$id" ||
			fail "certificate of $id does not have CN=$id"
		sim_list_json "$T_DIR/m$_i.link"
		expect_eq "$(listed_sha 1)" "$(sha_of "$crt")" "m$_i type 1 digest vs ${id}_crt.pem"
		expect_eq "$(listed_sha 0)" "$(sha_of "$T_DIR/root.pem")" "m$_i type 0 digest vs root.pem"
		expect_eq "$(listed_sha 2)" "$(cat "$T_DIR/arts/${id}_key.sha256")" "m$_i key digest vs ${id}_key.sha256"
		# the certificate is for the on-device key (the CSR's key)
		openssl x509 -in "$crt" -noout -pubkey >"$T_DIR/crt.pub"
		files_equal "$T_DIR/crt.pub" "$T_DIR/arts/${id}_pub.pem" "public keys of $id"
		_i=$((_i + 1))
	done
}

# cfun_of LINK: the modem's functional mode
cfun_of() {
	timeout 20 "$CLI" -p "$1" at 'AT+CFUN?' 2>&1 | sed -n 's/^+CFUN: *\([0-9]*\).*/\1/p'
}

# cfun_sets LOG: the modes the modem was set to (its AT+CFUN=N), one line
cfun_sets() {
	sed -n 's/^RX AT+CFUN=\([0-9]*\).*/\1/p' "$1" | tr '\n' ' ' | sed 's/ $//'
}

# ledger_steps KEY...: per ledger line, those steps_s seconds ("null" when absent)
ledger_steps() {
	$PY -c '
import json, sys
for line in open(sys.argv[1]):
    s = json.loads(line)["steps_s"]
    print(" ".join("null" if s[k] is None else "s" for k in sys.argv[2:]))
' "$T_DIR/ledger.jsonl" "$@"
}

# count_in_logs PATTERN: commands matching PATTERN over every simulator log
count_in_logs() {
	cat "$T_DIR"/m*.log 2>/dev/null | grep -c "$1" || true
}

# steps: the "step" events of the run in $OUT, one line
steps() {
	$PY -c '
import json, sys
print(" ".join(j["step"] for j in map(json.loads, open(sys.argv[1])) if j["event"] == "step"))
' "$OUT"
}

# expired_ca DIR: an EC CA certificate that expired yesterday (ca-old.pem, ca-old.key)
expired_ca() {
	$PY - "$1" <<'EOF'
import datetime, sys
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
key = ec.generate_private_key(ec.SECP256R1())
name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Old CA")])
now = datetime.datetime.now(datetime.timezone.utc)
cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=30)).not_valid_after(now - datetime.timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256()))
open(sys.argv[1] + "/ca-old.pem", "wb").write(cert.public_bytes(serialization.Encoding.PEM))
open(sys.argv[1] + "/ca-old.key", "wb").write(key.private_bytes(serialization.Encoding.PEM,
     serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
EOF
}

