# Zephyr shell mode end to end: the CLI against modemsim --shell (coloured and
# plain prompts, another prompt name, with and without at_shell's \n
# unescaping), what is refused before anything is sent, --shell auto against
# every kind of device modemsim plays, and answers too long for the device's
# buffers (the shell's and, in raw mode, the AT host's).

# shell_roundtrip TAG [CLI options]: write --verify, list, read, compare,
# exists, info through the shell; the modem stores CR LF line endings.
shell_roundtrip() {
	_tag=$1; shift
	crlf_copy "$FIX/ca.pem" "$T_DIR/ca.crlf"
	mc "$@" write --tag "$_tag" --type 0 --verify "$FIX/ca.pem"
	expect_ok "shell write --verify ($*)"
	mc "$@" --json list
	expect_ok "shell list --json ($*)"
	got=$(json "next((c['sha256'] for c in j if int(c['tag']) == $_tag and int(c['type']) == 0), 'absent')")
	expect_eq "$got" "$(sha_of "$T_DIR/ca.crlf")" "stored digest: the CR LF form ($*)"
	mc "$@" read --tag "$_tag" --type 0 -o "$T_DIR/back.$_tag"
	expect_ok "shell read ($*)"
	files_equal "$T_DIR/back.$_tag" "$T_DIR/ca.crlf" "read back through the shell ($*)"
	mc "$@" compare --tag "$_tag" --type 0 "$FIX/ca.pem"
	expect_ok "shell compare with the LF file ($*)"
	mc "$@" exists --tag "$_tag" --type 0
	expect_ok "shell exists ($*)"
	mc "$@" info
	expect_ok "shell info ($*)"
	out_has 351358811234567 "shell info ($*)"
	# the modem got the certificate, not "at '...'": the shell unwrapped it
	grep -q "^RX AT%CMNG=0,$_tag,0,<" "$LOG" || fail "the sim log shows no write of tag $_tag"
}

test_shell_coloured_prompt() {
	# a UART shell prints the stored CR LF as CR CR LF (SHELL_FLAG_OLF_CRLF):
	# the read gives the stored bytes all the same
	start_sim --shell
	shell_roundtrip 31 --shell
	# PSK, PSK identity, an encrypted key with its password: one-line content
	mc --shell write --tag 32 --type psk "$FIX/psk.hex"
	expect_ok "shell write psk"
	mc --shell write --tag 32 --type psk-id --verify "$FIX/psk-id.txt"
	expect_ok "shell write psk-id --verify"
	mc --shell write --tag 32 --type key --verify --password-file "$FIX/password" \
		"$FIX/key.enc.pem"
	expect_ok "shell write of an encrypted key with its password"
	mc --shell at 'AT+CGMM'
	expect_ok "shell at AT+CGMM"
	out_has nRF9160-SICA "shell at AT+CGMM"
	mc --shell delete --tag 31 --type 0
	expect_ok "shell delete"
	mc --shell exists --tag 31 --type 0
	expect_rc 6 "shell exists after delete"
}

test_shell_plain_prompt_other_name() {
	start_sim --shell --shell-plain-prompt --shell-prompt mosh --fragment --seed 5
	shell_roundtrip 33 --shell=on
	mc --shell --json keygen --tag 34 --attributes 'CN=dev-1,O=Example Oy' -o "$T_DIR/k.csr" \
		--identity-key "$IDKEY"
	expect_ok "shell keygen"
	expect_eq "$(json "j['cose_signature']")" valid "shell keygen cose_signature"
	expect_eq "$(json "j['digest']")" match "shell keygen digest"
	json "j['subject']" | grep -q 'CN=dev-1' || fail "shell keygen subject"
	openssl req -verify -in "$T_DIR/k.csr" -noout >/dev/null 2>&1 || fail "shell keygen CSR"
}

# A backend that prints the answer's bytes as they are (SHELL_FLAG_CRLF_DEFAULT):
# nothing to take out
test_shell_without_olf() {
	start_sim --shell --shell-no-olf
	shell_roundtrip 30 --shell
}

test_shell_without_unescape_lf() {
	start_sim --shell --shell-no-unescape-lf
	# a multi-line credential cannot go through such a shell: refused, nothing sent
	mc --shell --shell-no-unescape-lf write --tag 35 --type 0 "$FIX/ca.pem"
	expect_rc 2 "multi-line write without CONFIG_AT_SHELL_UNESCAPE_LF"
	err_has CONFIG_AT_SHELL_UNESCAPE_LF "refusal message"
	assert_nothing_sent "multi-line write without unescaping"
	# one-line credentials do, with the digest of the bytes sent
	mc --shell --shell-no-unescape-lf write --tag 35 --type psk-id --verify "$FIX/psk-id.txt"
	expect_ok "psk-id through a shell without unescaping"
	# a host that wrongly assumes unescaping finds out by the digest
	mc --shell write --tag 36 --type 0 --verify "$FIX/ca.pem"
	expect_rc 5 "write --verify assuming unescaping on a shell without it"
	err_hasi mismatch "digest mismatch message"
	err_has "CONFIG_AT_SHELL_UNESCAPE_LF" "the likely cause"
	err_has "\-\-shell-no-unescape-lf" "the CLI's option"
}

test_shell_refuses_single_quote() {
	start_sim --shell
	printf "o'brien@example.com\n" >"$T_DIR/id.txt"
	mc --shell write --tag 37 --type psk-id "$T_DIR/id.txt"
	expect_rc 2 "psk-id with a ' in shell mode"
	err_has "single quote" "refusal message"
	err_has "line 1, column 2" "refusal message"
	mc --shell keygen --tag 37 --attributes "CN=o'brien" -o "$T_DIR/x.csr"
	expect_rc 2 "keygen attributes with a ' in shell mode"
	err_has "single quote" "keygen refusal message"
	mc --shell at "AT+CGMI='x'"
	expect_rc 2 "raw command with a ' in shell mode"
	# nothing at all reached the modem: not even AT+CMEE or AT+CFUN
	[ ! -s "$LOG" ] || fail "the modem received commands: $(cat "$LOG")"
	# the same content goes without the shell
	stop_sim
	start_sim
	mc write --tag 37 --type psk-id --verify "$T_DIR/id.txt"
	expect_ok "psk-id with a ' over the raw AT host"
}

test_shell_line_buffer() {
	# a device built with a 512-byte CONFIG_SHELL_CMD_BUFF_SIZE
	start_sim --shell --shell-cmd-buff 512
	mc --shell write --tag 38 --type 0 "$FIX/ca.pem"
	expect_rc 4 "write longer than the shell's buffer (limit not given)"
	err_has CONFIG_SHELL_CMD_BUFF_SIZE "cut line message"
	grep -q 'CUT shell line' "$LOG" || fail "the sim did not cut the line"
	grep -q '^RX AT%CMNG=0' "$LOG" && fail "a cut line reached the modem"
	mc --shell --max-command 512 write --tag 38 --type 0 "$FIX/ca.pem"
	expect_rc 2 "write longer than --max-command in shell mode"
	err_has CONFIG_SHELL_CMD_BUFF_SIZE "refusal message"
	# the default shell limit is 2048: a ~2 KB PEM fits raw, not in the shell
	stop_sim
	start_sim --shell
	mc --shell write --tag 38 --type 0 "$FIX/big2k.pem"
	expect_rc 2 "2 KB PEM over the default 2048-byte shell line"
	assert_nothing_sent "2 KB PEM over the shell"
	stop_sim
	start_sim
	mc write --skip-content-check --tag 38 --type 0 "$FIX/big2k.pem"
	expect_ok "2 KB PEM over the raw AT host"
}

test_shell_answer_buffer() {
	# at_shell's answer buffer (CONFIG_AT_SHELL_CMD_RESPONSE_MAX_LEN) of 300
	# bytes: a list of the modem's three entries and one more does not fit
	start_sim --shell --shell-response-max 300
	mc --shell write --tag 39 --type psk-id "$FIX/psk-id.txt"
	expect_ok "short write"
	t0=$(now)
	mc --shell --timeout 20 list
	t1=$(now)
	expect_rc 3 "list longer than the shell's answer buffer"
	err_has CONFIG_AT_SHELL_CMD_RESPONSE_MAX_LEN "message"
	err_has "error code -7" "message"
	err_hasi compare "what to do instead"
	lt "$(elapsed "$t0" "$t1")" 10 || fail "the overflow took the timeout to report"
	# one tag's list fits
	mc --shell list --tag 39
	expect_ok "short list"
}

test_shell_modem_unreachable() {
	start_sim --shell --shell-at-fail 108
	t0=$(now)
	mc --shell --timeout 20 at AT+CGMM
	t1=$(now)
	expect_rc 4 "a command when at_shell cannot reach the modem"
	err_has "error -108" "message"
	lt "$(elapsed "$t0" "$t1")" 10 || fail "the failure took the timeout to report"
}

# auto_case "SIM OPTIONS" "CLI OPTIONS" on|off: --shell auto finds the mode
auto_case() {
	# shellcheck disable=SC2086
	start_sim $1
	# shellcheck disable=SC2086
	mc --shell auto $2 -v info
	expect_ok "--shell auto against modemsim $1"
	out_has 351358811234567 "--shell auto info against modemsim $1"
	grep -q "^RX AT+CGSN" "$LOG" || fail "the modem did not get AT+CGSN ($1)"
	mc --shell=auto $2 write --tag 41 --type 0 --verify "$FIX/ca.pem"
	expect_ok "--shell=auto write --verify against modemsim $1"
	if [ "$3" = on ]; then want=$(sha_of "$T_DIR/ca.crlf"); else want=$(sha_lf "$FIX/ca.pem"); fi
	mc --shell auto $2 --json list --tag 41
	expect_ok "--shell auto list against modemsim $1"
	expect_eq "$(json "j[0]['sha256']")" "$want" "digest after an auto write ($1)"
	stop_sim
}

test_shell_auto_detection() {
	crlf_copy "$FIX/ca.pem" "$T_DIR/ca.crlf"
	auto_case "" "" off
	auto_case "--echo" "" off
	auto_case "--terminator cr" "--terminator cr" off
	auto_case "--terminator lf" "--terminator lf" off
	auto_case "--terminator crlf --echo --urc-every 20 --fragment --seed 3" "" off
	auto_case "--shell" "" on
	auto_case "--shell --shell-plain-prompt" "" on
	auto_case "--shell --shell-prompt mosh --urc-every 20 --fragment --seed 4" "" on
}

test_shell_half_line_left_in_the_shell() {
	# A Zephyr shell keeps a half typed line whoever opens or closes the
	# port (a terminal program's, or a run stopped mid-command): it must not
	# become the start of the next command, and the shell is still a shell.
	for mode in on auto; do
		start_sim --app modem_shell
		printf 'at AT+CG' >"$LINK"
		mc --shell "$mode" info
		expect_ok "info after a half line (--shell $mode)"
		out_has 'IMEI: *351358811234567' "IMEI after a half line (--shell $mode)"
		grep -q '^RX AT+CGSN$' "$LOG" || fail "the modem did not get AT+CGSN (--shell $mode)"
		! grep -q '^RX AT+CGat' "$LOG" || fail "the half line became part of a command (--shell $mode)"
		stop_sim
	done
}

test_shell_wildcards_named_at_once() {
	# CONFIG_SHELL_WILDCARD=y (Zephyr's default): the shell drops an argument
	# holding '?', so `at 'AT+CFUN?'` prints the at command's usage (at_shell)
	# or help (modem_shell) and no result; say so at once, not after a timeout
	for app in shell modem_shell; do
		start_sim --app "$app" --shell-wildcard
		t0=$(now)
		mc --shell on --offline write --tag 44 --type 0 "$FIX/ca.pem"
		t1=$(now)
		expect_rc 4 "write through a shell with wildcards ($app)"
		err_has "CONFIG_SHELL_WILDCARD=n" "the message names the build option ($app)"
		err_has "AT+CFUN?" "the message names the command ($app)"
		lt "$(elapsed "$t0" "$t1")" 5 || fail "the usage took the timeout to report ($app)"
		! grep -q '^RX AT%CMNG=0' "$LOG" || fail "a write went out after the failure ($app)"
		# info shows the mode as unknown, and why, not a bare "answered ERROR"
		mc --shell on info
		expect_ok "info through a shell with wildcards ($app)"
		out_has "Functional mode: *unknown (.*CONFIG_SHELL_WILDCARD=n"
		mc --shell on --json info
		expect_eq "$(json "j['unknown']['cfun'].count('CONFIG_SHELL_WILDCARD=n')")" 1 \
			"info --json names the cause ($app)"
		stop_sim
	done
}

test_modem_shell_with_timestamps() {
	# `print timestamps enable`: modem_shell puts "[2025-02-12 14:49:28.123] "
	# before each mosh_print(), the answer's first line (an OK alone too) and
	# its event lines
	start_sim --app modem_shell --mosh-timestamps --async-ms 30
	crlf_copy "$FIX/ca.pem" "$T_DIR/ca.crlf"
	mc --shell on --offline write --tag 45 --type 0 --verify "$FIX/ca.pem"
	expect_ok "write --verify through modem_shell with timestamps"
	mc --shell on --json list
	expect_ok "list through modem_shell with timestamps"
	got=$(json "next((c['sha256'] for c in j if int(c['tag']) == 45), 'absent')")
	expect_eq "$got" "$(sha_of "$T_DIR/ca.crlf")" "digest listed with timestamps"
	mc --shell on info
	expect_ok "info through modem_shell with timestamps"
	out_has 'IMEI: *351358811234567' "IMEI with timestamps"
}

test_raw_answer_longer_than_the_at_host_buffer() {
	# a 1024-byte CONFIG_AT_HOST_CMD_MAX_LEN: a ~900-byte certificate can be
	# written, but its read answer (digest and framing added) does not fit
	start_sim --max-cmd 1024
	make_pem "$T_DIR/c.pem" 600
	mc --max-command 1024 write --skip-content-check --tag 42 --type 0 "$T_DIR/c.pem"
	expect_ok "write that fits the 1024-byte buffer"
	t0=$(now)
	mc --max-command 1024 --timeout 20 read --tag 42 --type 0 -o "$T_DIR/c.back"
	t1=$(now)
	if grep -q 'CUT answer' "$LOG"; then
		# the AT host sent max-cmd - 1 bytes and no final result
		expect_rc 3 "read longer than the AT host's buffer"
		err_has CONFIG_AT_HOST_CMD_MAX_LEN "message"
		err_hasi compare "what to do instead"
		lt "$(elapsed "$t0" "$t1")" 10 || fail "the cut answer took the timeout to report"
		# the next command is not disturbed by the cut line
		mc --max-command 1024 compare --tag 42 --type 0 "$T_DIR/c.pem"
		expect_ok "compare by digest instead"
	else
		# a simulator without the AT host's answer limit sends it whole
		expect_ok "read (whole answer)"
		files_equal "$T_DIR/c.back" "$T_DIR/c.pem" "read back"
	fi
}

# The simulator itself, typed into by an independent Python client
# (tests/tools/shell_type.py): Zephyr's shell and at_shell as they are.
SHELL_TYPE=tests/tools/shell_type.py

# type_into PROMPT LINE...: answers, one Python bytes literal per line, in $OUT
type_into() {
	_p=$1; shift
	RC=0
	$PY "$SHELL_TYPE" "$LINK" "$_p" "$@" >"$OUT" 2>"$ERR" || RC=$?
	expect_ok "typing into the shell: $*"
}

# sha_text TEXT: upper-case SHA-256 of TEXT as printf %b gives it
sha_text() { printf '%b' "$1" | sha256sum | cut -c1-64 | tr a-f A-F; }

test_shell_sim_is_zephyr() {
	start_sim --shell
	# echo, the modem's text, the coloured prompt
	type_into 'uart:~$ ' 'at AT+CGSN'
	# the UART backend sends each "\n" it prints as "\r\n", the modem's too
	out_has "^b'at AT+CGSN.r.n351358811234567.r.r.nOK.r.r.n.r.n" "answer framing"
	grep -q -F '\x1b[1;32muart:~$ \x1b[m' "$OUT" || fail "no coloured prompt"
	# unquoted double quotes are removed: the modem gets no string
	type_into 'uart:~$ ' 'at AT%CMNG=0,50,4,"dev"'
	grep -q '^RX AT%CMNG=0,50,4,dev$' "$LOG" || fail "the shell kept unquoted double quotes"
	# inside single quotes: \' and \xHH unescaped, double quotes kept
	type_into 'uart:~$ ' "at 'AT%CMNG=0,51,4,\"it\\'s\"'" "at 'AT%CMNG=0,52,4,\"\\x41B\"'" \
		"at 'AT%CMNG=1,51'" "at 'AT%CMNG=1,52'"
	grep -q "$(sha_text "it's")" "$OUT" || fail "\\' inside single quotes"
	grep -q "$(sha_text AB)" "$OUT" || fail "\\x41 inside single quotes"
	# at_shell: \n becomes CR LF in AT%CMNG=0 only; the first argument only
	type_into 'uart:~$ ' "at 'AT%CMNG=0,53,4,\"a\\nb\"'" "at 'AT%CMNG=1,53'" \
		'at AT+CGMM AT+CGSN'
	grep -q "$(sha_text 'a\r\nb')" "$OUT" || fail "\\n should be stored as CR LF"
	expect_eq "$(grep -c '^RX AT+CGSN$' "$LOG")" 1 "AT+CGSN at the modem (the first typed only)"
	# the shell's own complaints
	type_into 'uart:~$ ' 'at "AT+CGMM' 'foo bar'
	out_has 'not terminated: "' "open quote"
	out_has 'foo: command not found' "unknown command"
}

test_shell_sim_options() {
	# plain prompt with another name; no \n unescaping; a small line buffer
	start_sim --shell --shell-plain-prompt --shell-prompt mosh --shell-no-unescape-lf \
		--shell-cmd-buff 64
	type_into 'mosh:~$ ' "at 'AT%CMNG=0,54,4,\"a\\nb\"'" "at 'AT%CMNG=1,54'"
	grep -q -F '\x1b' "$OUT" && fail "colours with --shell-plain-prompt"
	out_has "mosh:~\\$ '$" "plain mosh prompt"
	grep -q "$(sha_text 'a\\nb')" "$OUT" || fail "without unescaping \\n stays two characters"
	# 63 characters kept of a longer line: echo and command both cut
	type_into 'mosh:~$ ' "at 'AT%CMNG=0,55,4,\"$(printf '%060d' 5)\"'"
	out_has 'not terminated' "a line cut by the buffer"
	grep -q 'CUT shell line' "$LOG" || fail "the sim did not log the cut"
	grep -q '^RX AT%CMNG=0,55' "$LOG" && fail "a cut line reached the modem"
	true
}

# modem_shell prints an answer longer than its 1024-byte print buffer as
# "Cutting too long string while printing..." and the answer's beginning,
# with no final result: said at once, not after the timeout, with the way
# around it; the next command is not disturbed by the cut answer.
test_modem_shell_cut_answer_said_at_once() {
	start_sim --app modem_shell --cfun 4
	for tag in 1 2 3 4 5 6 7 8 9 10; do
		mc --shell write --tag "$tag" --type ca "$FIX/ca.pem"
		expect_ok "write $tag"
	done
	mc --shell --timeout 20 list
	expect_rc 3 "a listing longer than modem_shell's print buffer"
	err_has "CONFIG_MOSH_PRINT_BUFFER_SIZE" "the device's setting named"
	err_has "list --tag N" "the way around it"
	err_lacks "wrong port" "the port is not blamed"
	mc --shell list --tag 7
	expect_ok "one tag's listing"
	out_has "^7 " "tag 7 listed"
}

# --shell given for a raw AT host: it answers ERROR to the typed line, and
# echoes nothing. Bytes came: the message must not say that nothing did.
test_shell_mode_on_a_raw_host_says_what_it_missed() {
	start_sim
	mc --shell --timeout 2 list
	expect_rc 3 "--shell against the raw AT host"
	err_lacks "nothing at all came" "bytes did come"
	err_has "shell" "the way out names the shell mode"
}

# mfw 2.0.2 refuses a certificate whose lines end in CR LF (527). Through a
# shell every line break arrives so, whatever the file: the message says
# that, not to check the file's line endings.
test_shell_crlf_refused_by_mfw_202_names_the_shell() {
	start_sim --shell --fw mfw_nrf91x1_2.0.2 --model nRF9161-LACA --cfun 4
	mc --shell write --tag 41 --type ca "$FIX/ca.pem"
	expect_rc 4 "a certificate through a shell on mfw 2.0.2"
	err_has "527" "the modem's refusal"
	err_has "through a shell each line break reaches the modem as CR LF" "the shell as the cause"
	stop_sim
	start_sim --fw mfw_nrf91x1_2.0.2 --model nRF9161-LACA --cfun 4
	mc write --tag 41 --type ca "$FIX/ca.pem"
	expect_ok "the same over the raw AT host"
}
