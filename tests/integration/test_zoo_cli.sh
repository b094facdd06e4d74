# The CLI's whole workflow (info, write, list, read, compare, exists, keygen,
# attest, delete, provision) against each application modemsim plays
# (tests/integration/zoo.sh), each printing on its own meanwhile
# (--async-ms): URCs and log lines of a raw AT host, modem_shell's events,
# a Zephyr shell's log lines drawn over the line being typed (issue 14).

. "$ROOT/tests/integration/zoo.sh"

ZOO_ASYNC_MS=${ZOO_ASYNC_MS:-25}

# zoo_file STEP: the verdict file of STEP, read
zoo_out() { cat "$ZOO_VERDICTS/$1.out"; }

# zoo_checks APP: what every step of zoo_workflow gave
zoo_checks() {
	for _s in info write list read compare exists keygen attest delete provision; do
		[ "$(cat "$ZOO_VERDICTS/$_s.rc")" = 0 ] ||
			fail "$1: $_s exited $(cat "$ZOO_VERDICTS/$_s.rc"): $(zoo_out "$_s")"
	done
	[ "$(cat "$ZOO_VERDICTS/gone.rc")" = 6 ] || fail "$1: exists after delete: not 6"
	zoo_out info | grep -q '"imei":"351358811234567"' || fail "$1: info: $(zoo_out info)"
	zoo_out write | grep -q "verified: modem digest matches" || fail "$1: write --verify"
	zoo_out list | grep -q "^20 .* ca " || fail "$1: list: $(zoo_out list)"
	# read gives what is stored: through a shell, the CR LF form (at_shell's \n)
	if [ -n "$(zoo_cli_options "$1")" ]; then
		crlf_copy "$FIX/ca.pem" "$T_DIR/want.pem"
	else
		cp "$FIX/ca.pem" "$T_DIR/want.pem"
	fi
	files_equal "$T_DIR/read.pem" "$T_DIR/want.pem" "$1: read back"
	zoo_out keygen | grep -q '"cose_signature": "valid"' || fail "$1: keygen: $(zoo_out keygen)"
	zoo_out keygen | grep -q '"subject": "CN=zoo-1,O=Acme"' || fail "$1: keygen subject"
	zoo_out attest | grep -q '"cose_signature": "valid"' || fail "$1: attest: $(zoo_out attest)"
	zoo_out provision | grep -q '_crt\.pem$' || fail "$1: provision made no certificate"
	# the test is void if the application printed nothing of its own
	grep -q -e '<inf>' -e '<wrn>' -e '<err>' -e 'Network registration' -e '+CEREG' \
		-e '%CESQ' -e 'LTE cell' -e 'RRC mode' -e 'PDN event' "$T_DIR/stderr.all" ||
		fail "$1: the trace shows nothing the application printed on its own"
}

test_zoo_at_client_workflow() {
	zoo_workflow at_client async --async-ms "$ZOO_ASYNC_MS" --seed 11
	zoo_checks at_client
}

test_zoo_slm_workflow() {
	zoo_workflow slm async --async-ms "$ZOO_ASYNC_MS" --seed 12
	zoo_checks slm
}

test_zoo_modem_shell_workflow() {
	zoo_workflow modem_shell async --async-ms "$ZOO_ASYNC_MS" --seed 13
	zoo_checks modem_shell
}

test_zoo_shell_workflow() {
	zoo_workflow shell async --async-ms "$ZOO_ASYNC_MS" --seed 14
	zoo_checks shell
}

# --shell auto tells each application apart: a shell for modem_shell and at_shell,
# the raw AT host for at_client and the Serial LTE Modem (the digest of an
# auto write shows which: through a shell the content is stored with CR LF)
test_zoo_shell_auto_finds_every_application() {
	crlf_copy "$FIX/ca.pem" "$T_DIR/ca.crlf"
	for app in $ZOO_APPS; do
		# shellcheck disable=SC2046
		SIM_NAME=$app start_sim $(zoo_sim_options "$app") --async-ms "$ZOO_ASYNC_MS" --seed 5
		mc --shell auto info
		expect_ok "--shell auto info against --app $app"
		out_has 351358811234567 "--shell auto info against --app $app"
		mc --shell auto --offline write --tag 41 --type 0 "$FIX/ca.pem"
		expect_ok "--shell auto write against --app $app"
		mc --shell auto --json list --tag 41
		expect_ok "--shell auto list against --app $app"
		if [ -n "$(zoo_cli_options "$app")" ]; then
			want=$(sha_of "$T_DIR/ca.crlf")
		else
			want=$(sha_lf "$FIX/ca.pem")
		fi
		expect_eq "$(json "j[0]['sha256']")" "$want" "stored form after an auto write ($app)"
		stop_sim
	done
}
