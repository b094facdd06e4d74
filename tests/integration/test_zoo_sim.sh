# The simulator's zoo of applications (modemsim --app) and its asynchronous
# output (--async-ms), checked on the raw bytes through rawat.py: each
# application's framing, prompt, event and log lines, the erase and redraw
# of the typed line, the Serial LTE Modem's own commands, URCs that follow
# the functional mode, output repeatable under a seed, storage-order lists,
# the attestation nonce, stale bytes at open. Every wait is for bytes.

RAWAT="$ROOT/tests/integration/rawat.py"

# raw STEP...: rawat.py on the current simulator's link; fails the test
raw() {
	"$PY" "$RAWAT" "$LINK" "$@" >"$T_DIR/raw.out" 2>&1 || {
		cat "$T_DIR/raw.out" >&2
		fail "raw exchange with modemsim: $*"
	}
}

# has FILE PYTHON-REGEX [what]: the bytes of FILE match (re.S)
has() {
	"$PY" -c '
import re, sys
data = open(sys.argv[1], "rb").read()
sys.exit(0 if re.search(sys.argv[2].encode("latin-1"), data, re.S) else 1)
' "$1" "$2" || { echo "  bytes: $("$PY" -c 'import sys; print(repr(open(sys.argv[1], "rb").read()[-1500:]))' "$1")" >&2
		fail "${3:-output} should match $2"; }
}

# lacks FILE PYTHON-REGEX [what]
lacks() {
	if "$PY" -c '
import re, sys
data = open(sys.argv[1], "rb").read()
sys.exit(0 if re.search(sys.argv[2].encode("latin-1"), data, re.S) else 1)
' "$1" "$2"; then
		fail "${3:-output} should not match $2"
	fi
}

PROMPT_MOSH='\x1b[1;32mmosh:~$ \x1b[m'
PROMPT_UART='\x1b[1;32muart:~$ \x1b[m'

# ---- the applications -------------------------------------------------------------

test_zoo_at_client_is_the_default() {
	start_sim --app at_client
	raw 'send:AT+CGMM\r' 'expect:nRF9160-SICA\r\nOK\r\n' \
		'send:at AT\r' 'expect:ERROR\r\n'
	stop_sim
	"$SIM" --link "$T_DIR/x" --app nosuch >"$OUT" 2>"$ERR" && fail "--app nosuch accepted"
	err_has "at_client, modem_shell, shell or slm" "unknown --app"
}

test_zoo_slm_framing() {
	start_sim --app slm --cmee 1
	# Ready at start; CR LF ends a command; answers framed TS 27.007 verbose
	raw 'expect:Ready\r\n' \
		'send:AT#XSLMVER\r\n' 'expect:\r\n#XSLMVER: "2.6.0","2.6.0"\r\n\r\nOK\r\n' \
		'send:AT+CGMM\r\n' 'expect:\r\nnRF9160-SICA\r\n\r\nOK\r\n' \
		'send:AT\r\n' 'expect:\r\nOK\r\n' \
		'send:AT%CMNG=2,4242,0\r\n' 'expect:\r\n+CME ERROR: 513\r\n' \
		'send:ATE1\r\n' 'expect:\r\nERROR\r\n' \
		'send:AT#XSLMVER?\r\n' 'expect:\r\nERROR\r\n' \
		'send:AT#XUUID\r\n' 'expect:\r\n#XUUID: 4e5249d0-5349-4d00-8000-0123456789ab\r\n\r\nOK\r\n' \
		'send:AT+CGSN\r' 'send:\n' 'expect:\r\n351358811234567\r\n\r\nOK\r\n' \
		'send:junk AT+CGMM\r\n' 'expect:\r\nnRF9160-SICA\r\n\r\nOK\r\n'
	# a CR alone does not end a command in CR LF mode: it stays in it
	raw 'send:AT+CGMM\r' 'send:AT\r\n' 'expect:\r\nERROR\r\n'
	# #XRESET: OK, then it restarts: Ready, CMEE 0
	raw 'send:AT#XRESET\r\n' 'expect:\r\nOK\r\nReady\r\n' \
		'send:AT+CMEE?\r\n' 'expect:\r\n+CMEE: 0\r\n\r\nOK\r\n'
	grep -q '^RX AT#XSLMVER$' "$LOG" || fail "the log shows no #XSLMVER"
	grep -q '^RX AT+CGMM$' "$LOG" || fail "the modem got AT+CGMM without what came before AT"
}

test_zoo_slm_buffer_never_deafens() {
	# 200-byte SLM_AT_MAX_CMD_LEN: a longer command is counted to its end
	# (the closing quote too) and answered ERROR; an answer longer than 198
	# bytes fails with -E2BIG: ERROR, never a cut answer
	start_sim --app slm --max-cmd 200
	id=$(head -c 250 /dev/zero | tr '\0' x)
	raw 'expect:Ready\r\n' "send:AT%CMNG=0,7,4,\"$id\"\r\n" 'expect:\r\nERROR\r\n' \
		'send:AT\r\n' 'expect:\r\nOK\r\n'
	grep -q 'DROPPED' "$LOG" || fail "the log shows no overflow"
	grep -q '^RX AT%CMNG=0,7' "$LOG" && fail "an overflowed command reached the modem"
	raw 'send:AT%CMNG=1\r\n' 'expect:\r\nERROR\r\n' 'send:AT+CGMM\r\n' \
		'expect:\r\nnRF9160-SICA\r\n\r\nOK\r\n'
	grep -q 'E2BIG' "$LOG" || fail "the log shows no -E2BIG"
	# the terminator can be set; NUL is not one of the SLM's
	stop_sim
	start_sim --app slm --terminator cr
	raw 'expect:Ready\r\n' 'send:AT+CGMM\r' 'expect:\r\nnRF9160-SICA\r\n\r\nOK\r\n'
	stop_sim
	"$SIM" --link "$T_DIR/x" --app slm --terminator nul >"$OUT" 2>"$ERR" &&
		fail "--app slm --terminator nul accepted"
	err_has "not nul" "slm with a NUL terminator"
}

test_zoo_modem_shell_at_and_events() {
	start_sim --app modem_shell --cmee 1
	# the at command: the answer printed with SHELL_FLAG_OLF_CRLF, a new
	# prompt; an error answer in red; an empty line: a new prompt
	raw 'send:at AT+CGMM\r\n' "expect:at AT+CGMM\\r\\nnRF9160-SICA\\r\\r\\nOK\\r\\r\\n\\r\\n$PROMPT_MOSH" \
		'send:\r\n' "expect:\\r\\n$PROMPT_MOSH" \
		"send:at 'AT%CMNG=2,4242,0'\\r\\n" \
		"expect:at 'AT%CMNG=2,4242,0'\\r\\n\\x1b[1;31m+CME ERROR: 513\\r\\r\\n\\r\\n\\x1b[m$PROMPT_MOSH" \
		'send:at AT+CFUN=1\r\n' "until:$PROMPT_MOSH" "save:$T_DIR/on" \
		'send:at AT+CFUN=4\r\n' "until:$PROMPT_MOSH" "savehead:$T_DIR/off"
	# link/event lines as modem_shell prints them, when CFUN changes
	has "$T_DIR/on" 'at AT\+CFUN=1\r\nNetwork registration status: searching\r\n.*Currently active system mode: LTE-M\r\n.*LTE cell changed: ID: 16964100, Tracking area: 30401\r\n.*RRC mode: Connected\r\n.*Network registration status: Connected - home network\r\n.*PDN event: PDP context 0 activated\r\n.*Modem domain event: Search done\r\nOK\r\r\n' "CFUN=1"
	has "$T_DIR/off" 'at AT\+CFUN=4\r\nNetwork registration status: not registered\r\n.*LTE cell changed: ID: -1, Tracking area: -1\r\n.*RRC mode: Idle\r\n.*PDN event: PDP context 0 network detach\r\nOK\r\r\n' "CFUN=4"
	# test firmware: no IMEI
	stop_sim
	start_sim --app modem_shell --fw mfw-pti_nrf91x1_2.3.3 --model nRF9151-LACA
	raw 'send:at AT+CFUN=1\r\n' "until:$PROMPT_MOSH" "save:$T_DIR/pti"
	has "$T_DIR/pti" 'Modem domain event: No IMEI\r\n' "pti firmware"
	lacks "$T_DIR/pti" 'Connected - home' "pti firmware"
}

test_zoo_modem_shell_print_buffer() {
	# mosh_print() formats into 1024 bytes: a longer answer is announced
	# in red and cut to 1023 characters
	start_sim --app modem_shell --capacity 60
	set --
	i=100
	while [ "$i" -lt 120 ]; do
		set -- "$@" "send:at 'AT%CMNG=0,$i,4,\"id$i\"'\\r\\n" "until:$PROMPT_MOSH"
		i=$((i + 1))
	done
	raw "$@" "send:at AT%CMNG=1\\r\\n" "until:$PROMPT_MOSH" "savehead:$T_DIR/list"
	has "$T_DIR/list" 'at AT%CMNG=1\r\n\x1b\[1;31mCutting too long string while printing\.\.\.\r\n\x1b\[m%CMNG: 100,4,' "cut print"
	lacks "$T_DIR/list" '4294967292,11' "the list's end (cut away)"
}

test_zoo_shell_log_lines_and_redraw() {
	# the shell application's log lines: timestamp, level, colours, after an
	# erase of the prompt (and of the typed text), with a redraw after each
	start_sim --app shell --cfun 1 --async-ms 2 --seed 11
	set --
	i=0
	while [ "$i" -lt 30 ]; do
		set -- "$@" "send:at 'AT+CGMR'\\r\\n" 'until:OK\r\r\n\r\n'
		i=$((i + 1))
	done
	raw "$@" "savehead:$T_DIR/rec"
	has "$T_DIR/rec" '\x1b\[8D\x1b\[J\[\d\d:\d\d:\d\d\.\d\d\d,\d\d\d\] \x1b\[0m<inf> cloud_connection: [^\x1b\r\n]+\x1b\[0m\r\n\x1b\[1;32muart:~\$ \x1b\[m' "log line after the prompt"
	has "$T_DIR/rec" '\x1b\[1;31m<err> cloud_connection: Could not connect to nRF Cloud\x1b\[0m\r\n' "an error line in red"
	has "$T_DIR/rec" '\x1b\[1;33m<wrn> cloud_connection: Already connected to nRF Cloud\x1b\[0m\r\n' "a warning in yellow"
	# inside a typed line: erase prompt and typed text, log, prompt, typed text again
	has "$T_DIR/rec" '\x1b\[1;32muart:~\$ \x1b\[mat[^\r\x1b]*\x1b\[(9|1\d|2[01])D\x1b\[J\[[^\r]+\r\n\x1b\[1;32muart:~\$ \x1b\[mat' "log line inside a typed line"
	# never while the command runs (between the echo and the answer)
	lacks "$T_DIR/rec" "at 'AT\\+CGMR'\\r\\n\\[" "a log line inside a command"
	# plain prompt: no colours in the log lines either
	stop_sim
	start_sim --app shell --cfun 1 --async-ms 2 --seed 11 --shell-plain-prompt
	raw "$@" "savehead:$T_DIR/plain"
	has "$T_DIR/plain" '\] <inf> cloud_connection: [^\r]+\r\nuart:~\$ ' "plain log line"
	lacks "$T_DIR/plain" '\x1b\[[0-9;]*m' "colours with --shell-plain-prompt"
}

test_zoo_modem_shell_events_before_echo_and_while_typing() {
	start_sim --app modem_shell --cfun 1 --async-ms 1 --seed 5
	set --
	i=0
	while [ "$i" -lt 20 ]; do
		set -- "$@" "send:at 'AT+CGMR'\\r\\n" 'until:OK\r\r\n\r\n'
		i=$((i + 1))
	done
	raw "$@" "savehead:$T_DIR/rec"
	# an event with the prompt erased before the echo begins
	has "$T_DIR/rec" '\x1b\[8D\x1b\[J(RRC mode: (Connected|Idle)|LTE cell changed: [^\r]+)\r\n\x1b\[1;32mmosh:~\$ \x1b\[m' "an event at the prompt"
	# one inside the typed line, which is drawn again
	has "$T_DIR/rec" '\x1b\[1;32mmosh:~\$ \x1b\[mat[^\r\x1b]*\x1b\[(9|1\d|2[01])D\x1b\[J[^\x1b]+\r\n\x1b\[1;32mmosh:~\$ \x1b\[mat' "an event inside the typed line"
	# and while the command runs, as it is, after the echo
	has "$T_DIR/rec" "at 'AT\\+CGMR'\\r\\n(RRC mode|LTE cell changed)" "an event inside a command"
}

# ---- asynchronous output: repeatable, and as the functional mode allows ----------------

# session_steps: an at_client session that subscribes and goes on and offline
session_steps() {
	_save=$1
	set -- 'send:AT+CEREG=2\r' 'until:OK\r\n' 'send:AT+CSCON=1\r' 'until:OK\r\n' \
		'send:AT%CESQ=1\r' 'until:OK\r\n' 'send:AT+CFUN=1\r' 'until:OK\r\n'
	i=0
	while [ "$i" -lt 25 ]; do
		set -- "$@" 'send:AT+CGMM\r' 'until:nRF9160-SICA\r\n' 'until:OK\r\n'
		i=$((i + 1))
	done
	set -- "$@" 'send:AT+CFUN=4\r' 'until:OK\r\n'
	i=0
	while [ "$i" -lt 40 ]; do
		set -- "$@" 'send:AT+CGMM\r' 'until:nRF9160-SICA\r\n' 'until:OK\r\n'
		i=$((i + 1))
	done
	raw "$@" "savehead:$_save"
}

test_zoo_async_repeatable_under_a_seed() {
	start_sim --async-ms 2 --seed 42
	session_steps "$T_DIR/a"
	stop_sim
	start_sim --async-ms 2 --seed 43
	session_steps "$T_DIR/c"
	stop_sim
	start_sim --async-ms 2 --seed 42
	session_steps "$T_DIR/a2"
	files_equal "$T_DIR/a" "$T_DIR/a2" "the same session under the same seed"
	cmp -s "$T_DIR/a" "$T_DIR/c" && fail "another seed gave the same output"
	has "$T_DIR/a" '\+CEREG: 1,"[0-9A-F]+","[0-9A-F]+",7\r\n' "registration"
	true
}

test_zoo_urcs_follow_cfun() {
	start_sim --async-ms 2 --seed 7
	session_steps "$T_DIR/rec"
	"$PY" - "$T_DIR/rec" <<'EOF' || fail "URCs against the functional mode"
import sys
data = open(sys.argv[1], "rb").read().decode("latin-1")
on, off = data.split("AT+CFUN=4", 1) if "AT+CFUN=4" in data else (data, "")
lines = data.replace("\r", "").split("\n")
# online: searching, then registered, signal and RRC reports
assert '+CEREG: 2,"76C1","0102DA04",7' in lines, "no searching +CEREG"
assert '+CEREG: 1,"76C1","0102DA04",7' in lines, "no registration"
assert any(l.startswith("%CESQ: ") for l in lines), "no %CESQ"
# after AT+CFUN=4 (no echo: find the answer to it by position): +CEREG: 0
# and +CSCON: 0 (when connected), then no registration or signal URC
i = lines.index("+CEREG: 0")
after = lines[i + 1:]
bad = [l for l in after if l.startswith(("+CEREG", "%CESQ")) or l == "+CSCON: 1"]
assert not bad, "after going offline: %r" % bad[:3]
assert lines.count("+CEREG: 0") == 1
EOF
}

test_zoo_urc_every_follows_cfun() {
	# --urc-every: none offline; online the subscribed set
	start_sim --urc-every 5 --seed 3
	i=0
	while [ "$i" -lt 10 ]; do
		raw 'send:AT+CGMM\r' 'until:nRF9160-SICA\r\n' 'until:OK\r\n' "save:$T_DIR/off$i"
		lacks "$T_DIR/off$i" 'CEREG|CESQ|CSCON|XMODEMSLEEP' "URCs of an offline modem"
		i=$((i + 1))
	done
	raw 'send:AT+CFUN=1\r' 'until:+CEREG: 1,' 'until:\r\n' 'send:AT+CFUN=4\r' \
		'until:+CEREG: 0\r\n' 'send:AT+CGMM\r' 'until:nRF9160-SICA\r\n' 'until:OK\r\n'
}

# ---- the smaller fidelity points -----------------------------------------------------

test_zoo_list_in_storage_order() {
	start_sim
	raw 'send:AT%CMNG=0,30,4,"c"\r' 'expect:OK\r\n' 'send:AT%CMNG=0,10,4,"a"\r' 'expect:OK\r\n' \
		'send:AT%CMNG=0,20,3,"0011"\r' 'expect:OK\r\n' \
		'send:AT%CMNG=0,30,4,"c2"\r' 'expect:OK\r\n' \
		'send:AT%CMNG=0,10,3,"0022"\r' 'expect:OK\r\n' \
		'send:AT%CMNG=1\r' 'until:OK\r\n' "save:$T_DIR/list"
	got=$(sed -n 's/^%CMNG: \([0-9]*\),\([0-9]*\),.*/\1\/\2/p' "$T_DIR/list" | tr -d '\r' | paste -sd ' ')
	expect_eq "$got" "30/4 10/4 20/3 10/3 4294967293/10 4294967294/6 4294967292/11" \
		"stored order, a replaced entry in its place, the modem's own last"
	# the order survives a restart (the store file)
	stop_sim
	SIM_STORE="$STORE" start_sim
	raw 'send:AT%CMNG=3,10,4\r' 'expect:OK\r\n' 'send:AT%CMNG=0,10,4,"a"\r' 'expect:OK\r\n' \
		'send:AT%CMNG=1\r' 'until:OK\r\n' "save:$T_DIR/list2"
	got=$(sed -n 's/^%CMNG: \([0-9]*\),\([0-9]*\),.*/\1\/\2/p' "$T_DIR/list2" | tr -d '\r' | paste -sd ' ')
	expect_eq "$got" "30/4 20/3 10/3 10/4 4294967293/10 4294967294/6 4294967292/11" \
		"a deleted entry stored again comes last of the user's"
}

# token_elements FILE: the attestation message of the %ATTESTTOKEN answer in FILE
token_elements() {
	"$PY" -c '
import base64, cbor2, re, sys
blob = re.search(rb"%ATTESTTOKEN: \"([^\".]+)\.", open(sys.argv[1], "rb").read()).group(1)
m = cbor2.loads(base64.urlsafe_b64decode(blob + b"=" * (-len(blob) % 4)))
m = m.value if isinstance(m, cbor2.CBORTag) else m
print(len(m), " ".join(x.hex() if isinstance(x, bytes) else str(x) for x in m))
' "$1"
}

test_zoo_attest_token_nonce() {
	start_sim
	raw 'send:AT%ATTESTTOKEN\r' 'until:OK\r\n' "save:$T_DIR/t1" \
		'send:AT%ATTESTTOKEN\r' 'until:OK\r\n' "savehead:$T_DIR/t2" \
		'send:AT%ATTESTTOKEN="00112233445566778899aabbccddeeff"\r' 'until:OK\r\n' "savehead:$T_DIR/t3"
	tail -c +"$(($(wc -c <"$T_DIR/t1") + 1))" "$T_DIR/t2" >"$T_DIR/t2only"
	tail -c +"$(($(wc -c <"$T_DIR/t2") + 1))" "$T_DIR/t3" >"$T_DIR/t3only"
	set -- $(token_elements "$T_DIR/t1")
	expect_eq "$1" 5 "elements of a token without a challenge"
	expect_eq "${#6}" 32 "a 16-byte nonce"
	n1=$6
	set -- $(token_elements "$T_DIR/t2only")
	[ "$6" != "$n1" ] || fail "two tokens with the same nonce"
	set -- $(token_elements "$T_DIR/t3only")
	expect_eq "$1 $6" "5 00112233445566778899aabbccddeeff" "the challenge as the nonce"
}

test_zoo_stale_bytes_at_open() {
	start_sim --app shell --stale '\e[1;32muart:~$ \e[m'
	# what waits is there before anything is sent, and again for the next client
	raw "expect:$PROMPT_UART" 'send:at AT+CGMM\r\n' "until:$PROMPT_UART"
	raw "expect:$PROMPT_UART"
	stop_sim
	start_sim --stale 'half a li\r\nOK\r\n+CEREG: 5\r\n'
	raw 'expect:half a li\r\nOK\r\n+CEREG: 5\r\n' 'send:AT\r' 'expect:OK\r\n'
	stop_sim
	"$SIM" --link "$T_DIR/x" --stale 'bad\q' >"$OUT" 2>"$ERR" && fail "--stale with an unknown escape accepted"
	err_has "unknown escape" "--stale"
}

test_zoo_shell_is_app_shell() {
	start_sim --shell --shell-plain-prompt
	raw 'send:foo\r\n' 'expect:foo\r\nfoo: command not found\r\nuart:~$ ' \
		'send:\r\n\r\n' 'expect:\r\nuart:~$ \r\nuart:~$ ' \
		'send:at AT+CGMM\x03' 'expect:at AT+CGMM\r\nuart:~$ ' \
		'send:\x1b[Aat AT\r\n' 'expect:at AT\r\nOK\r\r\n\r\nuart:~$ '
	grep -q 'AT+CGMM' "$LOG" && fail "a line ended with Ctrl-C ran"
	true
}

test_zoo_shell_events_enable() {
	start_sim --app shell --shell-plain-prompt
	raw 'send:at events_enable\r\n' 'expect:at events_enable\r\nAT command event handler enabled\r\nuart:~$ ' \
		'send:at AT+CEREG=1\r\n' 'until:uart:~$ ' 'send:at AT+CFUN=1\r\n' 'until:uart:~$ ' "savehead:$T_DIR/ev"
	has "$T_DIR/ev" 'AT event handler:\r\n\+CEREG: 2\r\r\n\r\n' "a notification printed by at_shell"
}
