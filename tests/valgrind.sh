#!/bin/sh
# The CLI under valgrind against the simulated modem: no memory errors and
# no definite or indirect leaks.
#
#   sh tests/valgrind.sh BUILD
#
# Prints one line "valgrind: N passed, N failed" at the end; exits 1 on any
# valgrind error (exit 99), any unexpected CLI exit code, or a missing tool.
set -u

. "$(dirname "$0")/simctl.sh"
resolve_build "$(dirname "$0")/.." "${1:-}"
CLI="$BUILD/modemcred"

command -v valgrind >/dev/null 2>&1 || { echo "valgrind: not installed (apt-get install valgrind)" >&2
	echo "valgrind: 0 passed, 1 failed"; exit 1; }

TMP=$(mktemp -d "${TMPDIR:-/tmp}/mcvalgrind.XXXXXX") || exit 1
sim_cleanup_trap "$TMP"

LINK="$TMP/sim.link"
if ! sim_start "$LINK" "$TMP/sim.out" --store "$TMP/store" --identity-key-out "$TMP/id.pem" --cfun 1; then
	echo "valgrind: modemsim did not start" >&2; cat "$TMP/sim.out" >&2
	echo "valgrind: 0 passed, 1 failed"; exit 1
fi
sim_wait_file "$TMP/id.pem" 40

openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$TMP/ca.key" \
	-out "$TMP/ca.pem" -subj "/CN=valgrind CA" -days 1 >/dev/null 2>&1 ||
	{ echo "valgrind: openssl failed" >&2; echo "valgrind: 0 passed, 1 failed"; exit 1; }

passed=0 failed=0
# vg NAME EXPECTED_EXIT args...: run the CLI under valgrind (EXPECTED_EXIT
# may list alternatives: '1|5')
vg() {
	name="$1" want="$2"; shift 2
	rc=0
	timeout -k 5 240 valgrind -q --leak-check=full --errors-for-leak-kinds=definite,indirect \
		--show-leak-kinds=definite,indirect --error-exitcode=99 --log-file="$TMP/vg.$name.log" \
		"$CLI" "$@" >"$TMP/out.$name" 2>"$TMP/err.$name" || rc=$?
	ok=0
	case "|$want|" in *"|$rc|"*) ok=1 ;; esac
	if [ "$ok" = 1 ] && [ ! -s "$TMP/vg.$name.log" ]; then
		passed=$((passed + 1))
		echo "PASS  valgrind $name"
	else
		failed=$((failed + 1))
		if [ "$rc" = 99 ] || [ -s "$TMP/vg.$name.log" ]; then
			echo "FAIL  valgrind $name: valgrind reported errors (exit $rc)"
		else
			echo "FAIL  valgrind $name: exit $rc, expected $want"
		fi
		sed 's/^/    /' "$TMP/vg.$name.log" | head -n 60
		sed 's/^/    stderr: /' "$TMP/err.$name" | head -n 10
	fi
}

P="-p $LINK --timeout 60"
vg info 0 $P info
vg info-json 0 $P --json info
vg write-verify 0 $P --offline write --tag 42 --type ca --verify "$TMP/ca.pem"
vg write-verbose 0 $P --offline -v write --tag 43 --type key "$TMP/ca.key"
openssl pkcs8 -topk8 -v2 aes-256-cbc -in "$TMP/ca.key" -out "$TMP/ca.key.enc" -passout pass:vgpass >/dev/null 2>&1
printf 'vgpass\n' >"$TMP/pass"
vg write-password 0 $P --offline write --tag 45 --type key --password-file "$TMP/pass" "$TMP/ca.key.enc"
vg list-json 0 $P --json list
vg list 0 $P list
vg read 0 $P read --tag 42 --type ca -o "$TMP/back.pem"
vg read-missing 6 $P read --tag 4711 --type ca
vg compare 0 $P compare --tag 42 --type ca "$TMP/ca.pem"
vg exists 0 $P exists --tag 42 --type ca
vg invalid 2 $P write --tag 2147483648 --type ca "$TMP/ca.pem"
vg online-refused 4 $P write --tag 44 --type ca "$TMP/ca.pem"
vg keygen 0 $P --offline --json keygen --tag 50 --kind csr -o "$TMP/k.csr" --identity-key "$TMP/id.pem"
vg keygen-pubkey 0 $P --offline keygen --tag 51 --kind pubkey -o "$TMP/k.pub" --identity-key "$TMP/id.pem"
vg attest 0 $P --json attest --challenge 00112233445566778899aabbccddeeff --identity-key "$TMP/id.pem"
vg at-cfun4 0 $P at 'AT+CFUN=4'
vg at-keygen 0 $P at 'AT%KEYGEN=52,2,0'
vg at-cfun1 0 $P at 'AT+CFUN=1'
blob=$(tr -d '\r\n' <"$TMP/out.at-keygen" | sed -n 's/.*%KEYGEN: *"\([^"]*\)".*/\1/p')
if [ -n "$blob" ]; then
	vg verify 0 --json verify --keygen "$blob" --tag 52 --identity-key "$TMP/id.pem"
	vg verify-wrong-tag 5 verify --keygen "$blob" --tag 53 --identity-key "$TMP/id.pem"
	vg verify-nokey 0 verify --keygen "$blob"
else
	failed=$((failed + 1)); echo "FAIL  valgrind verify: no KEYGEN blob from 'at'"
fi
# undecodable input: a clean failure (which one is the CLI's business), no leak
vg verify-garbage '1|2|5' verify --keygen "AAAA.BBBB"
# the libserialport transport, through the test-only preload shim
if [ -f "$BUILD/tests/libfakeserial.so" ]; then
	export FAKESERIAL_NAME=ttyMCSIM0 FAKESERIAL_TARGET="$LINK" LD_PRELOAD="$BUILD/tests/libfakeserial.so"
	vg serialport-list 0 --port /dev/ttyMCSIM0 --transport serialport --json list
	# port discovery: a fake kit with two ports, found by its USB serial number
	export FAKEKITS="ttyACM3=$LINK:1915:910a:001055000001 ttyACM4=$LINK:1915:910a:001055000001"
	vg kits-ports 0 --json ports
	vg kits-serial-number 0 --serial-number 001055000001 --timeout 60 --json list
	unset FAKESERIAL_NAME FAKESERIAL_TARGET FAKEKITS LD_PRELOAD
fi
# the station (threads, OpenSSL signing, records): a fresh run, then one that changes nothing
mkdir -p "$TMP/prov"
PROV="--json --timeout 60 provision --tag 60 --ca $TMP/ca.pem --ca-key $TMP/ca.key --root-ca $TMP/ca.pem"
PROV="$PROV --out $TMP/prov --ledger $TMP/prov/ledger.jsonl --onboard-csv $TMP/prov/onboard.csv"
vg provision 0 $PROV "$LINK"
vg provision-unchanged 0 $PROV "$LINK"
vg delete 0 $P --offline delete --tag 42 --type ca
vg help 0 --help

cmp -s "$TMP/back.pem" "$TMP/ca.pem" || { failed=$((failed + 1)); echo "FAIL  valgrind: read back differs"; }
echo "valgrind: $passed passed, $failed failed"
[ -n "${MCRED_RESULTS:-}" ] && echo "$passed $failed" >>"$MCRED_RESULTS"
[ "$failed" -eq 0 ]
