# The CLI's whole workflow against one of modemsim's applications (issue 14):
# the helpers that test_zoo_cli.sh (each step's result) and
# tests/metamorphic/test_metamorphic.sh (the same verdicts with and without
# the applications' asynchronous output) share. Sourced after lib.sh.
#
# The applications (modemsim --app, each from its nRF Connect SDK source):
# at_client (lib/at_host), the Serial LTE Modem, modem_shell and a Zephyr
# shell with at_shell and the log backend on its UART.

ZOO_APPS="at_client slm modem_shell shell"

# zoo_sim_options APP: the application online, printing what it prints on
# its own when asked to (--async-ms): the raw AT hosts run LTE link control
# (URCs) and log to their UART, the shells print events and log lines
zoo_sim_options() {
	case $1 in
	at_client | slm) echo "--app $1 --cfun 1 --lte-lc --uart-log" ;;
	modem_shell | shell) echo "--app $1 --cfun 1" ;;
	*) fail "no application $1" ;;
	esac
}

# zoo_cli_options APP: how the CLI talks to it
zoo_cli_options() {
	case $1 in
	modem_shell | shell) echo "--shell" ;;
	esac
}

# zoo_step NAME [CLI arguments]: one step with the application's CLI
# options, traced (-v, on stderr: what the device printed on its own shows
# there); its verdict (exit code, stdout) in $ZOO_VERDICTS/NAME.rc and .out
zoo_step() {
	_step=$1
	shift
	# shellcheck disable=SC2086
	mc -v $ZOO_CLI "$@"
	echo "$RC" >"$ZOO_VERDICTS/$_step.rc"
	cp "$OUT" "$ZOO_VERDICTS/$_step.out"
}

# zoo_stable_json NAME KEY...: keep only KEY... of the JSON of step NAME
# (a key's fresh public key, a token's nonce differ on every run)
zoo_stable_json() {
	_step=$1
	shift
	$PY -c '
import json, sys
j = json.load(open(sys.argv[1]))
print(json.dumps({k: j.get(k) for k in sys.argv[2:]}, sort_keys=True))
' "$ZOO_VERDICTS/$_step.out" "$@" >"$ZOO_VERDICTS/$_step.stable" ||
		fail "step $_step: stdout is not JSON"
	mv "$ZOO_VERDICTS/$_step.stable" "$ZOO_VERDICTS/$_step.out"
}

# zoo_workflow APP NAME [modemsim options]: a fresh simulator NAME running
# APP and every step of the CLI against it: info, write, list, read,
# compare, exists, keygen, attest, delete, exists, provision. Verdicts in
# $T_DIR/NAME.verdicts; ZOO_VERDICTS names that directory.
zoo_workflow() {
	_app=$1 _name=$2
	shift 2
	ZOO_VERDICTS="$T_DIR/$_name.verdicts"
	ZOO_CLI=$(zoo_cli_options "$_app")
	rm -rf "$ZOO_VERDICTS" "$T_DIR/arts"
	mkdir -p "$ZOO_VERDICTS" "$T_DIR/arts"
	[ -f "$T_DIR/ca.key" ] || make_factory_ca "$T_DIR"
	# shellcheck disable=SC2046
	SIM_NAME=$_name start_sim $(zoo_sim_options "$_app") "$@"
	zoo_step info --json info
	zoo_step write --offline write --tag 20 --type ca --verify "$FIX/ca.pem"
	zoo_step list list
	zoo_step read read --tag 20 --type ca -o "$T_DIR/read.pem"
	cat "$T_DIR/read.pem" >>"$ZOO_VERDICTS/read.out" 2>/dev/null || true
	zoo_step compare compare --tag 20 --type ca "$FIX/ca.pem"
	zoo_step exists exists --tag 20 --type ca
	zoo_step keygen --offline --json keygen --tag 21 --attributes 'CN=zoo-1,O=Acme' \
		-o "$T_DIR/zoo.csr" --identity-key "$IDKEY"
	zoo_stable_json keygen kind device_uuid sec_tag payload_id digest csr_signature \
		cose_signature subject sec_tag_check payload_id_check key_usage kid ok problem
	zoo_step attest --json attest --identity-key "$IDKEY"
	zoo_stable_json attest kind device_uuid payload_id cose_signature kid device_type \
		fw_uuid ok problem
	zoo_step delete --offline delete --tag 20 --type ca
	zoo_step gone exists --tag 20 --type ca
	# the factory station, one modem: offline, facts, key, certificate, root CA
	RC=0
	# shellcheck disable=SC2086
	timeout -k 3 "$MC_TIMEOUT" "$CLI" $ZOO_CLI provision --ca "$T_DIR/ca.pem" \
		--ca-key "$T_DIR/ca.key" --root-ca "$FIX/ca.pem" --out "$T_DIR/arts" --quiet \
		"$LINK" >"$OUT" 2>"$ERR" || RC=$?
	cat "$ERR" >>"$T_DIR/stderr.all"
	echo "$RC" >"$ZOO_VERDICTS/provision.rc"
	(cd "$T_DIR/arts" && ls) >"$ZOO_VERDICTS/provision.out"
	stop_sim
}

# make_factory_ca DIR: a factory CA (ca.pem, ca.key) for provision
make_factory_ca() {
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$1/ca.key" \
		-out "$1/ca.pem" -subj "/O=modemcred zoo/CN=Factory CA" -days 30 >/dev/null 2>&1 ||
		fail "openssl could not make the test CA"
}

# zoo_verdict STEP: "exit N" and the step's stdout
zoo_verdict() {
	echo "exit $(cat "$ZOO_VERDICTS/$1.rc")"
	cat "$ZOO_VERDICTS/$1.out"
}
