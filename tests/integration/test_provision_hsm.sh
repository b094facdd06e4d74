# `modemcred provision` with the factory CA's key in a PKCS#11 token
# (SoftHSM2 through OpenSSL's pkcs11 engine and p11-kit's proxy), or in an
# encrypted PEM file: PINs and passphrases from files or the terminal,
# every CA check before any modem is touched.

. "$ROOT/tests/integration/provision_lib.sh"

PIN=factory-pin-4711
URI='pkcs11:token=factory;object=line-ca'

# make_token: a SoftHSM2 token "factory" in $T_DIR/tokens (SOFTHSM2_CONF,
# exported) holding the CA key of make_ca as object line-ca (and, as
# object other-ca, a key no certificate here belongs to); the PIN in
# $T_DIR/pin. The CA key file is deleted: from then on only the token has it.
make_token() {
	mkdir -p "$T_DIR/tokens"
	printf 'directories.tokendir = %s/tokens\nobjectstore.backend = file\nlog.level = ERROR\n' \
		"$T_DIR" >"$T_DIR/softhsm2.conf"
	SOFTHSM2_CONF="$T_DIR/softhsm2.conf"
	export SOFTHSM2_CONF
	softhsm2-util --init-token --free --label factory --pin "$PIN" --so-pin 12345678 \
		>"$T_DIR/hsm.out" 2>&1 || { cat "$T_DIR/hsm.out" >&2; fail "softhsm2-util --init-token"; }
	softhsm2-util --import "$T_DIR/ca.key" --token factory --label line-ca --id 01 --pin "$PIN" \
		>>"$T_DIR/hsm.out" 2>&1 || { cat "$T_DIR/hsm.out" >&2; fail "softhsm2-util --import"; }
	openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$T_DIR/other.key" 2>/dev/null
	softhsm2-util --import "$T_DIR/other.key" --token factory --label other-ca --id 02 \
		--pin "$PIN" >>"$T_DIR/hsm.out" 2>&1 || fail "softhsm2-util --import of the other key"
	rm -f "$T_DIR/ca.key" "$T_DIR/other.key"
	printf '%s\n' "$PIN" >"$T_DIR/pin"
}

# provh [args...]: provision with the CA key in the token; sets RC
provh() {
	RC=0
	timeout -k 3 "${PROV_TIMEOUT:-100}" "$CLI" --json provision --ca "$T_DIR/ca.pem" \
		--root-ca "$T_DIR/root.pem" --out "$T_DIR/arts" --ledger "$T_DIR/ledger.jsonl" \
		"$@" </dev/null >"$OUT" 2>"$ERR" || RC=$?
	cat "$ERR" >>"$T_DIR/stderr.all"
}

# no_secret_anywhere SECRET: not in any output, ledger, artifact or trace
no_secret_anywhere() {
	if grep -r -l -F -e "$1" "$T_DIR/arts" "$T_DIR/ledger.jsonl" "$T_DIR/stderr.all" "$OUT" \
		"$ERR" 2>/dev/null; then
		fail "the secret appears in the files above"
	fi
}

test_provision_hsm_signs_through_softhsm() {
	make_ca "$T_DIR"
	make_token
	mkdir "$T_DIR/arts"
	start_sims 4 --cfun 1
	# shellcheck disable=SC2086
	provh -v --ca-key "$URI" --ca-key-password-file "$T_DIR/pin" $PORTS
	expect_ok "provision with the CA key in SoftHSM2"
	[ ! -e "$T_DIR/ca.key" ] || fail "the CA key file still exists"
	expect_eq "$(summary provisioned)" 4 "provisioned"
	check_provisioned 4
	no_secret_anywhere "$PIN"
	# the same through the module itself instead of p11-kit's proxy
	rm -rf "$T_DIR/arts" && mkdir "$T_DIR/arts"
	module=$(ls /usr/lib/*/softhsm/libsofthsm2.so | head -n 1)
	SIM_NAME=m5 start_sim --uuid 4e5249d0-5349-4d00-8000-000000000005
	provh --ca-key "$URI" --pkcs11-module "$module" --ca-key-password-file "$T_DIR/pin" "$LINK"
	expect_ok "provision through --pkcs11-module $module"
	openssl verify -CAfile "$T_DIR/ca.pem" \
		"$T_DIR/arts/4e5249d0-5349-4d00-8000-000000000005_crt.pem" >/dev/null 2>&1 ||
		fail "the certificate signed through the module does not verify"
}

test_provision_hsm_checks_before_any_modem() {
	make_ca "$T_DIR"
	make_token
	mkdir "$T_DIR/arts"
	start_sims 1
	printf 'wrong-pin-0000\n' >"$T_DIR/wrong-pin"
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$T_DIR/x.key" \
		-out "$T_DIR/x.pem" -subj "/CN=Another CA" -days 30 >/dev/null 2>&1
	for case in "$URI|$T_DIR/wrong-pin|ca.pem|wrong PIN" \
		"$URI||ca.pem|--ca-key-password-file FILE (there is no terminal" \
		"pkcs11:token=factory;object=other-ca|$T_DIR/pin|ca.pem|not the certificate of the token's key" \
		"$URI|$T_DIR/pin|x.pem|not the certificate of the token's key" \
		"pkcs11:token=factory;object=line-ca;pin-value=$PIN|$T_DIR/pin|ca.pem|holds a PIN" \
		"pkcs11:token=factory;object=line-ca?pin-source=file:$T_DIR/pin|$T_DIR/pin|ca.pem|names a pin-source" \
		"pkcs11:token=nosuchtoken;object=line-ca|$T_DIR/pin|ca.pem|no private key for the PKCS#11 URI" \
		"pkcs11:token=factory;object=nosuchkey|$T_DIR/pin|ca.pem|no private key for the PKCS#11 URI" \
		"$URI|$T_DIR/nonexistent|ca.pem|--ca-key-password-file"; do
		key=${case%%|*} rest=${case#*|}
		pin=${rest%%|*} rest=${rest#*|}
		cert=${rest%%|*} why=${rest#*|}
		set -- --ca "$T_DIR/$cert" --ca-key "$key" --out "$T_DIR/arts"
		[ -z "$pin" ] || set -- "$@" --ca-key-password-file "$pin"
		RC=0
		timeout 30 "$CLI" provision "$@" $PORTS </dev/null >"$OUT" 2>"$ERR" || RC=$?
		cat "$ERR" >>"$T_DIR/stderr.all"
		expect_rc 2 "provision --ca $cert --ca-key $key ${pin:+--ca-key-password-file $pin}"
		err_has "$why"
	done
	# a module that does not load, one that is no PKCS#11 module: said so,
	# and nothing of libp11's own on stderr
	notp11=$(ldconfig -p | sed -n 's/.*libcbor\.so\.[0-9.]* .*=> //p' | head -n 1)
	[ -n "$notp11" ] || fail "libcbor not found for the no-module case"
	for case in "$T_DIR/no-such-module.so|cannot be loaded" "$notp11|is no PKCS#11 module"; do
		module=${case%%|*} why=${case#*|}
		RC=0
		timeout 30 "$CLI" provision --ca "$T_DIR/ca.pem" --ca-key "$URI" --pkcs11-module "$module" \
			--ca-key-password-file "$T_DIR/pin" --out "$T_DIR/arts" $PORTS </dev/null \
			>"$OUT" 2>"$ERR" || RC=$?
		expect_rc 2 "--pkcs11-module $module"
		err_has "$why"
		expect_eq "$(grep -c . "$ERR")" 1 "lines on stderr for --pkcs11-module $module"
	done
	# the wrong PIN is never repeated; the right one never shown
	grep -q -F wrong-pin-0000 "$T_DIR/stderr.all" && fail "a PIN was printed"
	grep -q -F "$PIN" "$T_DIR/stderr.all" && fail "the PIN was printed"
	[ ! -s "$T_DIR/m1.log" ] || fail "the modem received commands: $(cat "$T_DIR/m1.log")"
	# an expired CA certificate of the token's key: exit 2 as well
	# (openssl x509 -days cannot go backwards: the token signs a CSR for its own key instead)
	openssl req -new -engine pkcs11 -keyform engine -key "$URI" -passin "file:$T_DIR/pin" \
		-subj "/CN=Old Factory CA" -out "$T_DIR/old.csr" >/dev/null 2>&1 ||
		fail "openssl req through the engine"
	$PY - "$T_DIR" <<'EOF' || fail "could not make the expired certificate"
import datetime, sys
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
d = sys.argv[1]
csr = x509.load_pem_x509_csr(open(d + "/old.csr", "rb").read())
issuer = ec.generate_private_key(ec.SECP256R1())
now = datetime.datetime.now(datetime.timezone.utc)
cert = (x509.CertificateBuilder().subject_name(csr.subject)
        .issuer_name(x509.Name([x509.NameAttribute(x509.oid.NameOID.COMMON_NAME, "Old Root")]))
        .public_key(csr.public_key()).serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=30))
        .not_valid_after(now - datetime.timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(issuer, hashes.SHA256()))
open(d + "/old.pem", "wb").write(cert.public_bytes(serialization.Encoding.PEM))
EOF
	RC=0
	timeout 30 "$CLI" provision --ca "$T_DIR/old.pem" --ca-key "$URI" \
		--ca-key-password-file "$T_DIR/pin" --out "$T_DIR/arts" $PORTS </dev/null \
		>"$OUT" 2>"$ERR" || RC=$?
	expect_rc 2 "provision with an expired CA certificate of the token's key"
	err_has "expired"
	[ ! -s "$T_DIR/m1.log" ] || fail "the modem received commands: $(cat "$T_DIR/m1.log")"
}

# An encrypted CA key file: PKCS#8 and traditional PEM, the passphrase from a file.
test_provision_ca_key_passphrase() {
	make_ca "$T_DIR"
	mkdir "$T_DIR/arts"
	start_sims 2
	set -- $PORTS
	printf 'correct horse battery\n' >"$T_DIR/pass"
	printf 'not the passphrase\n' >"$T_DIR/wrong"
	openssl pkcs8 -topk8 -v2 aes-256-cbc -in "$T_DIR/ca.key" -out "$T_DIR/ca.p8.pem" \
		-passout "file:$T_DIR/pass" || fail "openssl pkcs8"
	openssl ec -in "$T_DIR/ca.key" -out "$T_DIR/ca.trad.pem" -aes256 \
		-passout "file:$T_DIR/pass" 2>/dev/null || fail "openssl ec -aes256"
	grep -q 'BEGIN ENCRYPTED PRIVATE KEY' "$T_DIR/ca.p8.pem" || fail "not PKCS#8"
	grep -q 'Proc-Type: 4,ENCRYPTED' "$T_DIR/ca.trad.pem" || fail "not a traditional encrypted key"
	n=1
	for key in ca.p8.pem ca.trad.pem; do
		for case in "wrong|wrong passphrase" "|--ca-key-password-file FILE (there is no terminal"; do
			pass=${case%%|*} why=${case#*|}
			set -- --ca "$T_DIR/ca.pem" --ca-key "$T_DIR/$key" --out "$T_DIR/arts"
			[ -z "$pass" ] || set -- "$@" --ca-key-password-file "$T_DIR/$pass"
			RC=0
			timeout 30 "$CLI" provision "$@" "$T_DIR/m$n.link" </dev/null >"$OUT" 2>"$ERR" ||
				RC=$?
			expect_rc 2 "$key with ${pass:-no} passphrase"
			err_has "$why"
		done
		[ ! -s "$T_DIR/m$n.log" ] || fail "m$n received commands before the CA was unlocked"
		provh --ca-key "$T_DIR/$key" --ca-key-password-file "$T_DIR/pass" "$T_DIR/m$n.link"
		expect_ok "provision with $key and its passphrase"
		n=$((n + 1))
	done
	check_provisioned 2
	grep -r -q -F 'horse battery' "$T_DIR/arts" "$T_DIR/ledger.jsonl" "$T_DIR/stderr.all" &&
		fail "the passphrase appears in an output"
	return 0
}

# On a terminal the PIN is asked for, without echo, and never shown.
test_provision_hsm_pin_asked_on_the_terminal() {
	make_ca "$T_DIR"
	make_token
	mkdir "$T_DIR/arts"
	start_sims 1
	$PY - "$CLI" "$PIN" "$T_DIR" "$LINK" "$URI" >"$T_DIR/pty.out" 2>&1 <<'EOF' ||
import os, pty, select, sys, time
cli, pin, d, link, uri = sys.argv[1:]
pid, fd = pty.fork()
if pid == 0:
    os.execv(cli, [cli, "provision", "--ca", d + "/ca.pem", "--ca-key", uri,
                   "--out", d + "/arts", link])
seen = b""
def read_until(pred, limit):
    global seen
    end = time.monotonic() + limit
    while not pred(seen) and time.monotonic() < end:
        r, _, _ = select.select([fd], [], [], 0.5)
        if r:
            try:
                chunk = os.read(fd, 4096)
            except OSError:
                return
            if not chunk:
                return
            seen += chunk
read_until(lambda s: b"PIN of the token" in s, 60)
assert b"PIN of the token" in seen, seen
os.write(fd, pin.encode() + b"\n")
read_until(lambda s: False, 60)
end = time.monotonic() + 30
while True:
    done, status = os.waitpid(pid, os.WNOHANG)
    if done or time.monotonic() > end:
        break
    time.sleep(0.1)
if not done:
    os.kill(pid, 9)
    sys.exit("provision did not end after the PIN was typed: %r" % seen)
assert pin.encode() not in seen, "the PIN was echoed: %r" % seen
assert os.WIFEXITED(status) and os.WEXITSTATUS(status) == 0, (status, seen)
print("ok")
EOF
		{ cat "$T_DIR/pty.out" >&2; fail "provision asking for the PIN on a terminal"; }
	openssl verify -CAfile "$T_DIR/ca.pem" \
		"$T_DIR/arts/4e5249d0-5349-4d00-8000-000000000001_crt.pem" >/dev/null 2>&1 ||
		fail "the certificate does not verify"
}

# The library does the same for a program of its own (examples/factory_one).
test_provision_hsm_library_example() {
	make_ca "$T_DIR"
	make_token
	start_sims 1 --cfun 1
	ex="$BUILD/examples/factory_one"
	[ -x "$ex" ] || fail "$ex is missing (make examples)"
	RC=0
	(cd "$T_DIR" && timeout 60 "$ex" "$LINK" ca.pem "$URI" root.pem "$T_DIR/no-such-pin-file") \
		>"$OUT" 2>"$ERR" </dev/null || RC=$?
	expect_rc 2 "examples/factory_one without a readable PIN file"
	err_has "needs a PIN"
	[ ! -s "$T_DIR/m1.log" ] || fail "the modem received commands before the CA was open"
	RC=0
	(cd "$T_DIR" && timeout 60 "$ex" "$LINK" ca.pem "$URI" root.pem "$T_DIR/pin") \
		>"$OUT" 2>"$ERR" </dev/null || RC=$?
	expect_ok "examples/factory_one with the CA key in the token"
	out_has ': provisioned, certificate serial ' "result of examples/factory_one"
	openssl verify -CAfile "$T_DIR/ca.pem" "$T_DIR/$(printf '4e5249d0-5349-4d00-8000-%012d' 1)_crt.pem" \
		>/dev/null 2>&1 || fail "the example's certificate does not verify against the CA"
}

# CA certificates and keys that cannot issue device certificates, refused
# before any modem is touched, each for its own reason.
test_provision_ca_that_cannot_issue_refused_first() {
	make_ca "$T_DIR"
	mkdir "$T_DIR/arts"
	start_sims 1
	mkca() { # NAME KEYALG EXTENSIONS...: a self-signed CA NAME.pem with key NAME.key
		_n=$1 _alg=$2
		shift 2
		openssl req -x509 -newkey "$_alg" -nodes -keyout "$T_DIR/$_n.key" -out "$T_DIR/$_n.pem" \
			-subj "/CN=$_n" -days 30 "$@" >/dev/null 2>&1 || fail "openssl req ($_n)"
	}
	mkca ed ed25519
	mkca nokcs ec -pkeyopt ec_paramgen_curve:P-256 \
		-addext "keyUsage=critical,digitalSignature" -addext "basicConstraints=critical,CA:TRUE"
	openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$T_DIR/v1.key" \
		-subj "/CN=v1" -out "$T_DIR/v1.csr" >/dev/null 2>&1 || fail "openssl req (v1)"
	openssl x509 -req -in "$T_DIR/v1.csr" -signkey "$T_DIR/v1.key" -days 30 \
		-out "$T_DIR/v1.pem" >/dev/null 2>&1 || fail "openssl x509 (v1)"
	openssl x509 -in "$T_DIR/v1.pem" -noout -text | grep -q "Version: 1" ||
		fail "not an X.509 v1 certificate"
	for case in "ed|an ED25519 key" "nokcs|lacks keyCertSign" "v1|no basicConstraints CA:TRUE"; do
		name=${case%%|*} why=${case#*|}
		RC=0
		timeout 30 "$CLI" provision --ca "$T_DIR/$name.pem" --ca-key "$T_DIR/$name.key" \
			--out "$T_DIR/arts" "$T_DIR/m1.link" </dev/null >"$OUT" 2>"$ERR" || RC=$?
		expect_rc 2 "a CA $name"
		err_has "$why"
		# off a terminal provision speaks JSON Lines: its failure too
		$PY -c 'import json, sys; j = json.load(open(sys.argv[1])); assert j["error"]["exit_code"] == 2, j' \
			"$OUT" || fail "no JSON error object on standard output: $(cat "$OUT")"
	done
	[ ! -s "$T_DIR/m1.log" ] || fail "the modem received commands: $(cat "$T_DIR/m1.log")"
	# a password file given for a key that needs none is still read
	RC=0
	timeout 30 "$CLI" provision --ca "$T_DIR/ca.pem" --ca-key "$T_DIR/ca.key" \
		--ca-key-password-file "$T_DIR/no-such-file" --out "$T_DIR/arts" "$T_DIR/m1.link" \
		</dev/null >"$OUT" 2>"$ERR" || RC=$?
	expect_rc 2 "a password file that does not exist"
	err_has "no-such-file"
	[ ! -s "$T_DIR/m1.log" ] || fail "the modem received commands: $(cat "$T_DIR/m1.log")"
}

# Passphrases as long as OpenSSL takes them; a longer one is named as such.
test_provision_long_passphrase() {
	make_ca "$T_DIR"
	mkdir "$T_DIR/arts"
	start_sims 1
	$PY -c 'print("p" * 1000)' >"$T_DIR/pass"
	$PY -c 'print("p" * 1100)' >"$T_DIR/toolong"
	openssl pkcs8 -topk8 -v2 aes-256-cbc -in "$T_DIR/ca.key" -out "$T_DIR/ca.p8.pem" \
		-passout "file:$T_DIR/pass" || fail "openssl pkcs8"
	RC=0
	timeout 30 "$CLI" provision --ca "$T_DIR/ca.pem" --ca-key "$T_DIR/ca.p8.pem" \
		--ca-key-password-file "$T_DIR/toolong" --out "$T_DIR/arts" "$T_DIR/m1.link" \
		</dev/null >"$OUT" 2>"$ERR" || RC=$?
	expect_rc 2 "a passphrase longer than OpenSSL takes"
	err_has "is longer than"
	provh --ca-key "$T_DIR/ca.p8.pem" --ca-key-password-file "$T_DIR/pass" "$T_DIR/m1.link"
	expect_ok "a 1000-character passphrase"
}

# Ctrl-\ (SIGQUIT) at the passphrase prompt stops everything, like Ctrl-C.
test_provision_quit_at_the_prompt_stops() {
	make_ca "$T_DIR"
	mkdir "$T_DIR/arts"
	start_sims 1
	printf 'correct horse battery\n' >"$T_DIR/pass"
	openssl pkcs8 -topk8 -v2 aes-256-cbc -in "$T_DIR/ca.key" -out "$T_DIR/ca.p8.pem" \
		-passout "file:$T_DIR/pass" || fail "openssl pkcs8"
	RC=0
	$PY "$ROOT/tests/tools/on_tty.py" --answer 'passphrase of the CA key' '\x1c' -- \
		"$CLI" provision --ca "$T_DIR/ca.pem" --ca-key "$T_DIR/ca.p8.pem" --out "$T_DIR/arts" \
		"$T_DIR/m1.link" >"$OUT" 2>&1 || RC=$?
	expect_rc 131 "Ctrl-\\ at the passphrase prompt"
	[ ! -s "$T_DIR/m1.log" ] || fail "the modem received commands: $(cat "$T_DIR/m1.log")"
}
