# What else a device prints, and what its buffers do (issue 14): the CLI
# against a device whose port still holds its prompt from before the run,
# against modem_shell's event lines before the echo and between answer
# lines, a read longer than the raw AT host's buffer in the %CMNG reference
# layout, a write longer than the device's buffer.
#
# The shell devices are scripted exchanges of tests/tools/ptymodem.py with
# the bytes Zephyr sends (subsys/shell: the echo, the prompt "uart:~$ " in
# VT100 bold green, every LF printed as CR LF (SHELL_FLAG_OLF_CRLF) and so
# the modem's CR LF as CR CR LF; an event at the idle prompt erases the
# prompt's row, prints, and draws the prompt again), written here, apart
# from the engine and from modemsim.

PYMODEM="$ROOT/tests/tools/ptymodem.py"
PROMPT_VT='\x1b[1;32muart:~$ \x1b[m'
MOSH_VT='\x1b[1;32mmosh:~$ \x1b[m'
PSK_ID_SHA=E9BE9B286204914D51EDB3ADD266BF352B78BB8D5127D908756243F581521431

# shell_answer COMMAND ANSWER PROMPT: a "> " line and the shell's bytes for
# it (echo, the answer with its CR LFs doubled, an empty line, the prompt)
shell_answer() {
	printf '> at %s\n' "'$1'"
	printf '<| at %s\\r\\n%s\\r\\r\\n\\r\\n%s\n' "'$1'" "$2" "$3"
}

# start_shell_script FILE [ptymodem options]: a scripted device answering from FILE
start_shell_script() {
	LOG="$T_DIR/script.log"
	: >"$LOG"
	_file=$1
	shift
	start_pymodem script "$PYMODEM" --replay "$_file" --log "$LOG" "$@"
}

# The write of test_stale_prompt_*: offline first, the write, the mode back.
write_script() {
	{
		echo "# source: scenario of issue 14 (bytes as Zephyr's shell sends them)"
		shell_answer 'AT+CFUN?' '+CFUN: 1\r\r\nOK' "$1"
		shell_answer 'AT+CFUN=4' 'OK' "$1"
		shell_answer 'AT%CMNG=0,12,4,"my-identity"' 'OK' "$1"
		shell_answer 'AT+CFUN=1' 'OK' "$1"
		shell_answer 'AT%CMNG=1' "%CMNG: 12,4,\"$PSK_ID_SHA\"\\r\\r\\nOK" "$1"
	} >"$T_DIR/script.txt"
	printf 'my-identity\n' >"$T_DIR/id.txt"
}

# stale_prompt_case STALE: the prompt waits in the port when the tool opens
# it; the shell's echo then comes on the prompt's row
stale_prompt_case() {
	write_script "$PROMPT_VT"
	start_shell_script "$T_DIR/script.txt" --stale "$1"
	mc --shell list
	expect_ok "list after a stale prompt ($1)"
	out_lacks "no credentials" "list (a false answer)"
	out_has "^12 .*psk-id.*$PSK_ID_SHA" "list"
	stop_sim
	start_shell_script "$T_DIR/script.txt" --stale "$1"
	mc --shell --offline write --tag 12 --type psk-id "$T_DIR/id.txt"
	expect_ok "write after a stale prompt ($1)"
	out_has "wrote psk-id to tag 12" "write"
	grep -q -F 'AT%CMNG=0,12,4' "$LOG" || fail "the write did not reach the device"
	stop_sim
}

test_stale_plain_prompt_at_open() {
	stale_prompt_case 'uart:~$ '
}

test_stale_coloured_prompt_at_open() {
	stale_prompt_case "$PROMPT_VT"
}

# modem_shell prints its events (sdk-nrf samples/cellular/modem_shell,
# link/link.c, link/link_shell_print.c, link/link_shell_pdn.c) at the idle
# prompt (erasing its row) and while a command runs (between answer lines).
test_modem_shell_events_are_no_answer() {
	cat >"$T_DIR/script.txt" <<'SCRIPT'
# source: scenario of issue 14 (modem_shell's events, as in DevZone case 112106)
> at 'AT%CMNG=1'
<| \x1b[8D\x1b[JModem domain event: No IMEI\r\n\x1b[1;32mmosh:~$ \x1b[mat 'AT%CMNG=1'\r\n
<| %CMNG: 12,4,"E9BE9B286204914D51EDB3ADD266BF352B78BB8D5127D908756243F581521431"\r\r\n
<| Network registration status: searching\r\n
<| %CMNG: 4294967292,11,"066CAA621BAF1E4DCB5CAC73C5D9AD08801B782D051B08BD8C71D0BB24F05354"\r\r\n
<| LTE cell changed: ID: 17031947, Tracking area: 33902\r\nOK\r\r\n\r\n\x1b[1;32mmosh:~$ \x1b[m
> at 'AT+CGMR'
<| \x1b[8D\x1b[JNetwork registration status: searching\r\n\x1b[1;32mmosh:~$ \x1b[m
<| at 'AT+CGMR'\r\nCurrently active system mode: LTE-M\r\nmfw_nrf91x1_2.0.1\r\r\n
<| PDN event: PDP context 0 activated\r\nOK\r\r\n\r\n\x1b[1;32mmosh:~$ \x1b[m
SCRIPT
	start_shell_script "$T_DIR/script.txt" --stale "$MOSH_VT"
	mc --shell list
	expect_ok "list between modem_shell events"
	out_has "^12 .*psk-id.*$PSK_ID_SHA" "list"
	out_has "^4294967292 " "list"
	stop_sim
	start_shell_script "$T_DIR/script.txt" --stale "$MOSH_VT"
	mc --shell at 'AT+CGMR'
	expect_ok "at AT+CGMR between modem_shell events"
	out_has "^mfw_nrf91x1_2\.0\.1" "the answer"
	out_lacks "event\|status\|mode\|PDN" "the answer"
	stop_sim
}

# make_bundle OUT BYTES: a CA bundle of exactly BYTES bytes (PEM blocks of
# random base64, LF line endings: no certificates, so it is written with
# --skip-content-check; the simulated mfw 1.3.5 takes any PEM)
make_bundle() {
	: >"$1.part"
	while [ "$(wc -c <"$1.part")" -lt $(($2 - 900)) ]; do
		make_pem "$1.one" 600
		cat "$1.one" >>"$1.part"
	done
	_left=$(($2 - $(wc -c <"$1.part")))
	# the last block: header, base64 lines and footer making up the rest
	_body=$((_left - 28 - 26))
	{
		cat "$1.part"
		echo "-----BEGIN CERTIFICATE-----"
		head -c $((_body * 3)) /dev/urandom | base64 -w 0 | head -c "$_body" |
			fold -w 64 | head -c $((_body - 1))
		echo
		echo "-----END CERTIFICATE-----"
	} >"$1"
	rm -f "$1.part" "$1.one"
}

# The read answer of a 4033-byte CA bundle in the reference layout does not
# fit the raw AT host's 4096-byte buffer (modemsim is lib/at_host): it comes
# cut at 4095 bytes with no final result, and the CLI says so at once.
test_read_longer_than_the_at_host_buffer() {
	start_sim
	make_bundle "$T_DIR/bundle.pem" 4033
	expect_eq "$(wc -c <"$T_DIR/bundle.pem" | tr -d ' ')" 4033 "bundle size"
	mc write --skip-content-check --tag 12 --type ca "$T_DIR/bundle.pem"
	expect_ok "write of a 4033-byte bundle (the command fits the buffer)"
	t0=$(now)
	mc --timeout 30 read --tag 12 --type ca -o "$T_DIR/back.pem"
	t1=$(now)
	grep -q 'CUT answer' "$LOG" || fail "the simulator did not cut the answer"
	expect_rc 3 "read longer than the AT host's buffer"
	err_has "4096-byte AT buffer" "the buffer named"
	err_has CONFIG_AT_HOST_CMD_MAX_LEN "the device's setting named"
	err_lacks "wrong port" "the port is not blamed"
	lt "$(elapsed "$t0" "$t1")" 15 || fail "the cut answer took the timeout (30 s) to report"
	[ ! -e "$T_DIR/back.pem" ] || fail "a cut read wrote its output file"
	mc compare --tag 12 --type ca "$T_DIR/bundle.pem"
	expect_ok "compare by digest instead"
}

# A listing of every tag outgrows the AT host's buffer long before one
# tag's does: the advice is to list a tag at a time, not to compare.
test_list_longer_than_the_at_host_buffer() {
	start_sim --cfun 4 --capacity 100
	printf 'identity-%s' 0123456789 >"$T_DIR/id"
	for tag in $(seq 1 60); do
		mc write --tag "$tag" --type psk-id "$T_DIR/id"
		expect_ok "write of psk-id $tag"
	done
	mc list
	expect_rc 3 "a listing longer than the AT host's buffer"
	err_has "List one security tag at a time instead (the CLI's list --tag N)" "the advice for a listing"
	err_has "the CLI's --max-command" "the CLI's option, not only the library's field"
	err_lacks "Compare by digest" "no advice for reads"
	mc list --tag 7
	expect_ok "one tag's listing"
}

# A 1206-byte write to a device whose AT buffer is 1024 bytes, with the
# default --max-command: the device keeps the start, drops the rest with the
# closing quote and stops listening; the link recovery proves it.
test_write_longer_than_the_device_buffer() {
	start_sim --max-cmd 1024
	make_pem "$T_DIR/c.pem" 850
	n=$(($(wc -c <"$T_DIR/c.pem") + 17))
	[ "$n" -gt 1100 ] && [ "$n" -lt 1300 ] || fail "the write is $n bytes, not about 1206"
	mc --timeout 3 write --skip-content-check --tag 13 --type ca "$T_DIR/c.pem"
	expect_rc 3 "a write the device's buffer cut"
	err_has "stopped listening in the middle of the command" "what happened"
	err_has CONFIG_AT_HOST_CMD_MAX_LEN "the device's buffer"
	err_has "\-\-max-command" "the tool's option"
	err_has "nothing was stored" "the outcome"
	err_lacks "wrong port" "the port is not blamed"
	mc list --tag 13
	expect_ok "the device listens again"
	out_lacks "^13 " "nothing stored"
}

# A half line left in a raw AT host's port (no line end will ever come):
# the first line of the first answer is no part of it. (The at_client
# answers without an echo, so that line follows the junk directly.)
test_half_line_left_in_a_raw_port_swallows_no_answer_line() {
	start_sim --cfun 4
	mc write --tag 3 --type ca "$FIX/ca.pem"
	expect_ok "write tag 3"
	stop_sim
	start_sim --cfun 4 --stale 'junk'
	mc exists --tag 3 --type ca
	expect_ok "exists --tag 3 after a half line"
	stop_sim
	start_sim --cfun 4 --stale 'junk'
	mc list
	expect_ok "list after a half line"
	out_has "^3 " "tag 3, the first line of the answer"
	stop_sim
	start_sim --cfun 4 --stale 'junk'
	mc at AT+CGMR
	expect_ok "at AT+CGMR after a half line"
	out_has "^mfw_" "the firmware line"
}

# Half a command typed into a raw AT host by an earlier program (a terminal
# program closed before Enter) waits in the device's buffer: the first
# command completes it into a line the modem refuses. That ERROR is no
# answer about the device: info still shows the IMEI it asked for first.
test_half_command_left_in_the_device_is_no_missing_imei() {
	start_sim --cfun 4
	printf 'AT+CF' >"$LINK"
	mc info
	expect_ok "info after a half command left in the device"
	[ "$(log_count '^RX AT+CFAT+CGSN$')" -eq 1 ] || fail "the half command never reached the modem"
	out_has "^IMEI: *351358811234567$" "the IMEI, asked first"
	out_lacks "unknown" "no fact lost"
}
