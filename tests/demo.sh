#!/bin/sh
# `make demo`: a realistic session with the modemcred CLI against the bundled
# simulated nRF91 modem. Every command is shown before it runs; the demo stops
# with a non-zero exit at the first step that does not do what it should.
#
#   sh tests/demo.sh BUILD
set -u

. "$(dirname "$0")/simctl.sh"
resolve_build "$(dirname "$0")/.." "${1:-}"
MC="$BUILD/modemcred"
SIM="$BUILD/modemsim"

DIR=$(mktemp -d "${TMPDIR:-/tmp}/modemcred-demo.XXXXXX") || exit 1
sim_cleanup_trap "$DIR"

if [ -t 1 ]; then B=$(printf '\033[1m'); D=$(printf '\033[2m'); R=$(printf '\033[0m'); G=$(printf '\033[32m'); E=$(printf '\033[31m')
else B="" D="" R="" G="" E=""; fi

step=0
say() {
	step=$((step + 1))
	echo
	echo "${B}$step. $*${R}"
}
explain() { echo "${D}   $*${R}"; }
die() { echo "${E}demo: $*${R}" >&2; exit 1; }

# show CMDLINE (as displayed) then run it: run EXPECTED_EXIT DISPLAY -- args
# The output is indented under the command.
run() {
	want="$1"; shift
	shown="$1"; shift
	echo "   ${G}\$ $shown${R}"
	rc=0
	timeout -k 3 60 "$@" >"$DIR/out" 2>&1 || rc=$?
	sed 's/^/     /' "$DIR/out"
	[ "$rc" = "$want" ] || die "step $step: '$shown' exited with $rc, expected $want"
}

[ -x "$MC" ] && [ -x "$SIM" ] || die "build first: make"
cd "$DIR" || exit 1

echo "${B}modemcred demo${R}: credentials of an nRF91 modem, here a simulated one."
echo "Working directory: $DIR (removed at the end)"

say "Start the simulated modem on a pseudo-terminal"
explain "It behaves like an nRF9160 running the at_client sample. We start it online"
explain "(CFUN=1), like a deployed device, so you can see how modemcred takes it offline."
echo "   ${G}\$ modemsim --link $DIR/modem --store $DIR/modem.nvm --cfun 1 --identity-key-out identity.pem &${R}"
sim_start "$DIR/modem" "$DIR/sim.log" --store "$DIR/modem.nvm" --cfun 1 \
	--identity-key-out "$DIR/identity.pem" || { cat "$DIR/sim.log" >&2; die "modemsim did not start"; }
sim_wait_file "$DIR/identity.pem" 40
PORT="$DIR/modem"
export MODEMCRED_PORT="$PORT"
echo "   ${G}\$ export MODEMCRED_PORT=$PORT${R}"
explain "modemcred takes its port from -p/--port or from MODEMCRED_PORT."

say "Make a throwaway CA certificate to install"
run 0 "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout ca.key -out ca.pem -subj '/CN=Demo Root CA' -days 30" \
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout ca.key \
	-out ca.pem -subj "/CN=Demo Root CA" -days 30
run 0 "head -n 3 ca.pem" head -n 3 ca.pem

say "Serial ports on this machine"
explain "Nordic kits are recognised by their USB IDs; the simulator is a pty, so it may not be listed."
run 0 "modemcred ports" "$MC" ports

say "What is on the other end"
run 0 "modemcred info" "$MC" info

say "The credentials stored now"
explain "Tags above 2147483647 belong to the modem itself; modemcred never writes or deletes them."
run 0 "modemcred list" "$MC" list

say "Write the CA certificate to security tag 42, and verify it"
explain "Writes need the modem offline. --offline sets CFUN=4 for the write and restores the"
explain "mode it found afterwards (also on failure or Ctrl-C). --verify compares the modem's"
explain "SHA-256 of the stored content with the digest of the bytes that were sent."
run 0 "modemcred --offline write --tag 42 --type ca --verify ca.pem" \
	"$MC" --offline write --tag 42 --type ca --verify ca.pem
run 0 "modemcred at 'AT+CFUN?'" "$MC" at 'AT+CFUN?'
grep -q '+CFUN: 1' "$DIR/out" || die "the modem should be back online"
explain "Back online, as it was before."

say "Without --offline the modem refuses, and modemcred says why"
run 4 "modemcred write --tag 43 --type ca ca.pem    # exit code 4: the modem refused" \
	"$MC" write --tag 43 --type ca ca.pem

say "List with digests"
run 0 "modemcred list --tag 42" "$MC" list --tag 42
run 0 "sha256sum ca.pem" sha256sum ca.pem
want=$(sha256sum ca.pem | cut -c1-64 | tr a-f A-F)
"$MC" list --tag 42 2>/dev/null | grep -q "$want" || die "the listed digest differs from sha256sum ca.pem"
explain "The modem's digest is the SHA-256 of the file (upper-case hex)."
run 0 "modemcred --json list --tag 42" "$MC" --json list --tag 42

say "Does it exist? (exit code 0 yes, 6 no)"
run 0 "modemcred exists --tag 42 --type ca" "$MC" exists --tag 42 --type ca
run 6 "modemcred exists --tag 42 --type cert" "$MC" exists --tag 42 --type cert

say "Read it back and compare byte for byte"
run 0 "modemcred read --tag 42 --type ca -o back.pem" "$MC" read --tag 42 --type ca -o back.pem
run 0 "cmp ca.pem back.pem && echo identical" sh -c 'cmp ca.pem back.pem && echo identical'

say "Compare by digest, without reading the content"
run 0 "modemcred compare --tag 42 --type ca ca.pem" "$MC" compare --tag 42 --type ca ca.pem
run 5 "modemcred compare --tag 42 --type ca ca.key    # exit code 5: differs" \
	"$MC" compare --tag 42 --type ca ca.key

say "Let the modem generate a private key in tag 43 and return a CSR"
explain "The private key never leaves the modem. The CSR comes with a COSE signature made"
explain "with the modem's identity key; modemcred checks the CSR self-signature, the digest,"
explain "the security tag and, given the identity public key, the COSE signature."
run 0 "modemcred --offline keygen --tag 43 --kind csr --attributes 'CN=demo-device,O=Example' -o device.csr --identity-key identity.pem" \
	"$MC" --offline keygen --tag 43 --kind csr --attributes 'CN=demo-device,O=Example' \
	-o device.csr --identity-key identity.pem
run 0 "openssl req -verify -in device.csr -noout -subject" openssl req -verify -in device.csr -noout -subject

say "Delete the CA certificate"
run 0 "modemcred --offline delete --tag 42 --type ca" "$MC" --offline delete --tag 42 --type ca
run 6 "modemcred read --tag 42 --type ca    # exit code 6: not found" "$MC" read --tag 42 --type ca

say "The credentials stored now"
run 0 "modemcred list" "$MC" list

say "A factory station: provision three modems in one command"
explain "Three more simulated modems stand for a batch on the line. For each, in its"
explain "own thread: offline, IMEI and firmware, a key made on the modem with a CSR for"
explain "CN=nrf-<IMEI>, signed by the factory CA, the root CA and the certificate"
explain "written and verified, the mode restored, a ledger line and an onboarding row."
for n in 1 2 3; do
	sim_start "$DIR/line$n" "$DIR/line$n.log" --store "$DIR/line$n.nvm" --cfun 1 \
		--imei "35135881100000$n" --uuid "4e5249d0-5349-4d00-8000-00000000000$n" ||
		{ cat "$DIR/line$n.log" >&2; die "modemsim $n did not start"; }
done
run 0 "mkdir certs" mkdir certs
explain "On a terminal it shows one live line per port; here (no terminal) -q keeps it short."
run 0 "modemcred -q provision --ca ca.pem --ca-key ca.key --root-ca ca.pem --id nrf-imei --out certs --ledger ledger.jsonl --onboard-csv onboard.csv line1 line2 line3" \
	"$MC" -q provision --ca ca.pem --ca-key ca.key --root-ca ca.pem --id nrf-imei --out certs \
	--ledger ledger.jsonl --onboard-csv onboard.csv "$DIR/line1" "$DIR/line2" "$DIR/line3"
run 0 "ls certs" ls certs
run 0 "openssl verify -CAfile ca.pem certs/nrf-351358811000001_crt.pem" \
	openssl verify -CAfile ca.pem certs/nrf-351358811000001_crt.pem
explain "Run it again: every modem is already provisioned as asked, nothing is written."
run 0 "modemcred -q provision ... (the same command again)" \
	"$MC" -q provision --ca ca.pem --ca-key ca.key --root-ca ca.pem --id nrf-imei --out certs \
	--ledger ledger.jsonl --onboard-csv onboard.csv "$DIR/line1" "$DIR/line2" "$DIR/line3"
explain "The ledger: one JSON line per modem and run (here: device id, result, serial)."
run 0 "cat ledger.jsonl    # shown: device_id, result, cert_serial of each line" \
	sed -E 's/.*"device_id":"([^"]*)".*"result":"([^"]*)".*"cert_serial":"([^"]*)".*/\1 \2 \3/' ledger.jsonl

echo
echo "${B}Done.${R} Every step did what it should. Try 'modemcred --help' and 'man man/modemcred.1'."
