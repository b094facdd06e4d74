# modemsim as strict as the real device (README.md, "Real devices: what the
# code relies on"): raw bytes on the pty through rawat.py, where the
# exact bytes matter, and the CLI where it is the user's view. No test waits
# for silence: "answers nothing" is shown by what arrives first afterwards.

RAWAT="$ROOT/tests/integration/rawat.py"

# raw STEP...: rawat.py on the current simulator's link; fails the test
raw() {
	"$PY" "$RAWAT" "$LINK" "$@" >"$T_DIR/raw.out" 2>&1 || {
		cat "$T_DIR/raw.out" >&2
		fail "raw exchange with modemsim: $*"
	}
}

# sha_text TEXT: upper-case SHA-256 of TEXT (no newline added)
sha_text() { printf '%s' "$1" | sha256sum | cut -c1-64 | tr a-f A-F; }

# x_times N: N letters x
x_times() { head -c "$1" /dev/zero | tr '\0' x; }

# ---- the AT host ----------------------------------------------------------------

test_framing_no_echo_no_leading_crlf() {
	start_sim
	raw 'send:AT+CGMM\r' 'expect:nRF9160-SICA\r\nOK\r\n' \
		'send:AT+NOSUCH\r' 'expect:ERROR\r\n' \
		'send:AT+CMEE=1\r' 'expect:OK\r\n' \
		'send:AT%CMNG=2,4242,0\r' 'expect:+CME ERROR: 513\r\n' \
		'send:AT+CGSN\r' 'expect:351358811234567\r\nOK\r\n'
}

test_crlf_sender_in_cr_mode() {
	# the default terminator is CR; the LF of a CRLF sender starts the next
	# command and the modem skips it, so every command is answered once
	start_sim
	raw 'send:AT+CGMM\r\n' 'expect:nRF9160-SICA\r\nOK\r\n' \
		'send:AT+CGSN\r\n' 'expect:351358811234567\r\nOK\r\n' \
		'send:\r\n\r\nAT\r\n' 'expect:OK\r\n'
}

test_terminator_modes() {
	# crlf: a CR alone does not end the command (it stays in it)
	start_sim --terminator crlf
	raw 'send:AT\r' 'send:AT+CGMM\r\n' 'expect:ERROR\r\n' \
		'send:AT+CGMM\r\n' 'expect:nRF9160-SICA\r\nOK\r\n'
	stop_sim
	# lf: the CR before it is part of the command, which the modem trims
	start_sim --terminator lf
	raw 'send:AT+CGMM\r' 'send:\n' 'expect:nRF9160-SICA\r\nOK\r\n'
	stop_sim
	# nul
	start_sim --terminator nul
	raw 'send:AT+CGMM\r' 'send:\x00' 'expect:nRF9160-SICA\r\nOK\r\n'
}

test_terminator_inside_quotes() {
	start_sim
	raw 'send:AT%CMNG=0,9,4,"line one\rline two"\r' 'expect:OK\r\n'
	mc --json list --tag 9
	expect_ok "list"
	expect_eq "$(json "j[0]['sha256']")" "$(sha_text "$(printf 'line one\rline two')")" \
		"the CR inside quotes was stored"
}

test_backspace_and_del() {
	start_sim
	raw 'send:AT+CGMX\x08M\r' 'expect:nRF9160-SICA\r\nOK\r\n' \
		'send:AT+CGSNN\x7f\r' 'expect:351358811234567\r\nOK\r\n' \
		'send:\x08\x08AT\r' 'expect:OK\r\n'
}

test_echo_only_when_asked() {
	start_sim
	raw 'send:AT\r' 'expect:OK\r\n' 'send:ATE1\r' 'expect:OK\r\n' \
		'send:AT+CGMM\r' 'expect:AT+CGMM\rnRF9160-SICA\r\nOK\r\n' \
		'send:ATE0\r' 'expect:ATE0\rOK\r\n' 'send:AT\r' 'expect:OK\r\n'
	stop_sim
	start_sim --echo
	raw 'send:AT\r' 'expect:AT\rOK\r\n'
}

test_answer_longer_than_buffer_is_cut() {
	# --max-cmd 200: the answer goes out as its first 199 bytes, no final result
	start_sim --max-cmd 200 --cmee 1
	id=$(x_times 150)
	raw "send:AT%CMNG=0,7,4,\"$id\"\r" 'expect:OK\r\n'
	sha=$(sha_text "$id")
	printf '%%CMNG: 7,4,"%s",\r\n"%s"\r\nOK\r\n' "$sha" "$id" >"$T_DIR/full"
	head -c 199 "$T_DIR/full" >"$T_DIR/cut"
	# the next answer follows the cut bytes directly
	raw 'send:AT%CMNG=2,7,4\r' "expectfile:$T_DIR/cut" 'send:AT\r' 'expect:OK\r\n'
	grep -q "CUT answer of $(wc -c <"$T_DIR/full") bytes to 199" "$LOG" ||
		fail "the simulator log does not show the cut"
	# an answer that fits to the byte goes out whole
	stop_sim
	start_sim --max-cmd "$(($(wc -c <"$T_DIR/full") + 1))" --cmee 1
	raw "send:AT%CMNG=0,7,4,\"$id\"\r" 'expect:OK\r\n' \
		'send:AT%CMNG=2,7,4\r' "expectfile:$T_DIR/full"
	# the CLI never reports success for a cut answer
	stop_sim
	start_sim --max-cmd 200
	printf '%s' "$id" >"$T_DIR/id.txt"
	mc write --tag 7 --type psk-id "$T_DIR/id.txt"
	expect_ok "write of a 150-byte identity (the command fits)"
	mc --timeout 3 read --tag 7 --type psk-id -o "$T_DIR/back"
	expect_nonzero "read of an answer the device's buffer cannot hold"
	[ ! -s "$T_DIR/back" ] || fail "a cut answer was written out as content"
}

test_long_list_is_cut() {
	# 48 entries and the modem's 3 make a list of 4158 bytes: on a device with
	# the default 4096-byte buffer it goes out as 4095 bytes, without OK
	start_sim --capacity 60
	set --
	i=100
	while [ "$i" -lt 148 ]; do
		set -- "$@" "send:AT%CMNG=0,$i,4,\"id$i\"\r" 'expect:OK\r\n'
		i=$((i + 1))
	done
	raw "$@"
	raw 'send:AT%CMNG=1\r' 'skip:4095' 'send:AT\r' 'expect:OK\r\n'
	grep -q "CUT answer of 4158 bytes to 4095" "$LOG" || fail "the list was not cut to 4095 bytes"
	mc --timeout 3 list
	expect_nonzero "list of more than the device's buffer holds"
	# one entry less: the list fits and ends with OK
	raw 'send:AT%CMNG=3,147,4\r' 'expect:OK\r\n'
	mc list
	expect_ok "list of 47 entries"
}

test_overlong_command_drops_bytes_and_deafens() {
	# --max-cmd 64 stores 62 bytes: the closing quote and the terminators
	# beyond them are dropped, the host stays inside quotes and answers
	# nothing; a DEL makes room for a quote, and the CR then ends the command
	start_sim --max-cmd 64
	raw "send:AT%CMNG=0,8,4,\"$(x_times 100)\"\r\n" 'send:AT\r\n' 'send:AT+CGMM\r\n' \
		'send:\x7f"\r' 'expect:OK\r\n' \
		'send:AT+CGMM\r' 'expect:nRF9160-SICA\r\nOK\r\n'
	# outside quotes the terminator still counts: a cut command is answered
	raw "send:AT+CGMM$(x_times 80)\r" 'expect:ERROR\r\n'
	grep -q 'DROPPED' "$LOG" || fail "the simulator log does not show the dropped bytes"
	# what got through: the 62 stored bytes, less one for the DEL, plus the
	# quote: AT%CMNG=0,8,4," (15 bytes) and 46 x (listed by the same device
	# with a buffer that holds the list's answer)
	stop_sim
	start_sim
	mc --json list --tag 8
	expect_ok "list"
	expect_eq "$(json "j[0]['sha256']")" "$(sha_text "$(x_times 46)")" "truncated content"
}

test_deaf_host_stays_deaf_for_the_next_client() {
	# a real device keeps its buffer whatever happens to the port
	start_sim --max-cmd 64
	raw "send:AT%CMNG=0,8,4,\"$(x_times 100)\"\r\n"
	raw 'send:AT\r' 'send:\x7f"\r' 'expect:OK\r\n' 'send:AT\r' 'expect:OK\r\n'
	# a command cut off by a client that went away is completed by the next
	raw 'send:AT+CG'
	raw 'send:MM\r' 'expect:nRF9160-SICA\r\nOK\r\n'
}

test_max_cmd_boundary_raw() {
	# 300-byte buffer: 298 stored bytes; the CR terminator is not stored
	start_sim --max-cmd 300
	raw "send:AT%CMNG=0,1,4,\"$(x_times 282)\"\r" 'expect:OK\r\n'
	raw "send:AT%CMNG=0,2,4,\"$(x_times 283)\"\r" "send:AT%CMNG=1,2\r" 'send:\x7f"\r' \
		'expect:OK\r\n'
	mc --json list --tag 2
	expect_eq "$(json "j[0]['sha256']")" "$(sha_text "$(x_times 282)")" \
		"one x too many: its closing quote was dropped; DEL, quote and CR end it"
}

# ---- modem facts ----------------------------------------------------------------

test_modem_owned_entries() {
	start_sim
	raw 'send:AT%CMNG=1\r' 'until:OK\r\n' "save:$T_DIR/list"
	grep -q '^%CMNG: 4294967292,11,"[0-9A-F]\{64\}"' "$T_DIR/list" || fail "4294967292 type 11"
	grep -q '^%CMNG: 4294967293,10,"[0-9A-F]\{64\}"' "$T_DIR/list" || fail "4294967293 type 10"
	grep -q '^%CMNG: 4294967294,6,"[0-9A-F]\{64\}"' "$T_DIR/list" || fail "4294967294 type 6"
	mc --json list
	expect_eq "$(json "sorted((int(c['tag']), int(c['type'])) for c in j)")" \
		"[(4294967292, 11), (4294967293, 10), (4294967294, 6)]" "modem-owned entries"
	mc delete --tag 4294967294 --type 6
	expect_nonzero "delete of a modem-owned entry"
}

# decode_attest FILE EXPR: evaluate EXPR with m = the attestation message of
# the %ATTESTTOKEN answer saved in FILE
decode_attest() {
	"$PY" -c '
import base64, cbor2, re, sys, uuid
blob = re.search(rb"%ATTESTTOKEN: \"([^\".]+)\.", open(sys.argv[1], "rb").read()).group(1)
m = cbor2.loads(base64.urlsafe_b64decode(blob + b"=" * (-len(blob) % 4)))
m = m.value if isinstance(m, cbor2.CBORTag) else m
print(eval(sys.argv[2]))
' "$1" "$2"
}

test_fw_uuid_distinct_from_device_uuid() {
	start_sim --uuid 50503041-3633-43b0-80c3-011a3496dac0 \
		--fw-uuid 0f6e2c4d-8a1b-4c3d-9e5f-a7b8c9d0e1f2
	raw 'send:AT%XMODEMUUID\r' 'expect:%XMODEMUUID: 0f6e2c4d-8a1b-4c3d-9e5f-a7b8c9d0e1f2\r\nOK\r\n' \
		'send:AT%ATTESTTOKEN\r' 'until:OK\r\n' "save:$T_DIR/token"
	expect_eq "$(decode_attest "$T_DIR/token" 'str(uuid.UUID(bytes=m[1]))')" \
		50503041-3633-43b0-80c3-011a3496dac0 "device UUID in the token"
	expect_eq "$(decode_attest "$T_DIR/token" 'str(uuid.UUID(bytes=m[3]))')" \
		0f6e2c4d-8a1b-4c3d-9e5f-a7b8c9d0e1f2 "firmware UUID in the token"
	mc --json keygen --tag 1001 --kind csr -o "$T_DIR/out.csr"
	expect_ok "keygen"
	expect_eq "$(json "j['device_uuid']")" 50503041-3633-43b0-80c3-011a3496dac0 \
		"%KEYGEN carries the device UUID"
}

test_device_type_follows_model() {
	for pair in nRF9160-SIAA:1 nRF9160-SIBA:2 nRF9160-SICA:3 nRF9161-LACA:4 \
		nRF9131-LACA:5 nRF9151-LACA:6; do
		start_sim --model "${pair%:*}"
		raw 'send:AT%ATTESTTOKEN\r' 'until:OK\r\n' "save:$T_DIR/token"
		expect_eq "$(decode_attest "$T_DIR/token" 'm[2]')" "${pair#*:}" \
			"device type of ${pair%:*}"
		stop_sim
	done
	RC=0
	"$SIM" --link "$T_DIR/bad.link" --model nRF9999 >"$OUT" 2>"$ERR" || RC=$?
	expect_rc 2 "an unknown --model"
	err_has "unknown model" "an unknown --model"
}

test_mfw2_refuses_invalid_certificates() {
	make_pem "$T_DIR/junk.pem" 300
	crlf_copy "$FIX/cert.pem" "$T_DIR/cert.crlf.pem"
	# 2.0.2: not a certificate, or CRLF line endings: 527; LF certificates pass
	start_sim --fw mfw_nrf91x1_2.0.2 --model nRF9151-LACA
	mc write --skip-content-check --tag 50 --type 0 "$T_DIR/junk.pem"
	expect_nonzero "junk as a root CA on 2.0.2"
	either_hasi 527 "junk as a root CA on 2.0.2"
	mc write --skip-content-check --tag 50 --type 1 "$T_DIR/junk.pem"
	either_hasi 527 "junk as a client certificate on 2.0.2"
	mc write --tag 50 --type 1 --keep-line-endings "$T_DIR/cert.crlf.pem"
	either_hasi 527 "a CRLF certificate on 2.0.2"
	mc write --tag 50 --type 0 --verify "$FIX/ca.pem"
	expect_ok "a certificate on 2.0.2"
	mc write --tag 50 --type 4 "$FIX/psk-id.txt"
	expect_ok "a PSK identity is no certificate and needs none"
	raw 'send:AT+CMEE=1\r' 'expect:OK\r\n' 'send:AT%CMNG=0,51,0,"hello"\r' \
		'expect:+CME ERROR: 527\r\n'
	stop_sim
	# other 2.x: CRLF is fine, junk is not
	start_sim --fw mfw_nrf91x1_2.1.0 --model nRF9151-LACA
	mc write --tag 50 --type 1 --keep-line-endings --verify "$T_DIR/cert.crlf.pem"
	expect_ok "a CRLF certificate on 2.1.0"
	mc write --skip-content-check --tag 50 --type 0 "$T_DIR/junk.pem"
	either_hasi 527 "junk as a root CA on 2.1.0"
	stop_sim
	# 1.3.x stores whatever it is given
	start_sim
	mc write --skip-content-check --tag 50 --type 0 "$T_DIR/junk.pem"
	expect_ok "junk as a root CA on 1.3.5"
}

test_test_firmware_and_ntn() {
	start_sim --fw mfw-pti_nrf91x1_2.3.3 --model nRF9151-LACA
	raw 'send:AT+CGSN\r' 'expect:ERROR\r\n' 'send:AT%XMODEMUUID\r' 'expect:ERROR\r\n' \
		'send:AT+CGMR\r' 'expect:mfw-pti_nrf91x1_2.3.3\r\nOK\r\n' \
		'send:AT+CGMM\r' 'expect:nRF9151-LACA\r\nOK\r\n'
	stop_sim
	# NTN firmware numbers itself 1.0.0 but is modern: %KEYGEN works
	start_sim --fw mfw_nrf9151-ntn_1.0.0-1.alpha --model nRF9151-LACA
	mc keygen --tag 1001 --kind csr -o "$T_DIR/ntn.csr"
	expect_ok "keygen on NTN firmware"
	stop_sim
	start_sim --fw mfw_nrf9160_1.2.7
	raw 'send:AT%KEYGEN=1001,2,0\r' 'expect:ERROR\r\n'
}

# ---- boot banner and resets ------------------------------------------------------

test_banner_and_sigusr1_reset() {
	start_sim --banner
	banner='*** Booting nRF Connect SDK v2.6.0 ***\r\nThe AT host sample started\r\nReady\r\n'
	# the first client sees the boot banner, then its answers
	raw "expect:$banner" 'send:AT+CMEE=1\r' 'expect:OK\r\n' 'send:AT+CFUN=4\r' 'expect:OK\r\n' \
		'send:ATE1\r' 'expect:OK\r\n' 'send:AT+CGM' \
		"kill:USR1:$SIMPID" "expect:$banner" \
		'send:M\r' 'expect:ERROR\r\n' \
		'send:AT+CFUN?\r' 'expect:+CFUN: 0\r\nOK\r\n' \
		'send:AT+CMEE?\r' 'expect:+CMEE: 0\r\nOK\r\n'
	grep -q '^RESET$' "$LOG" || fail "the log does not show the reset"
	# without --banner a reset is silent, and reset_sim waits for it
	stop_sim
	start_sim --cfun 4 --cmee 1
	reset_sim
	raw 'send:AT+CFUN?\r' 'expect:+CFUN: 0\r\nOK\r\n'
}

test_reset_after_cmd() {
	start_sim --banner --reset-after-cmd 'AT+CFUN=4'
	banner='*** Booting nRF Connect SDK v2.6.0 ***\r\nThe AT host sample started\r\nReady\r\n'
	# the first AT+CFUN=4 resets the device instead of being answered; the
	# next one is answered
	raw "expect:$banner" 'send:AT+CMEE=1\r' 'expect:OK\r\n' \
		'send:AT+CFUN=4\r' "expect:$banner" \
		'send:AT+CMEE?\r' 'expect:+CMEE: 0\r\nOK\r\n' \
		'send:AT+CFUN=4\r' 'expect:OK\r\n' 'send:AT+CFUN?\r' 'expect:+CFUN: 4\r\nOK\r\n'
}

test_silent_after_cmd() {
	start_sim --silent-after-cmd '+CGMM'
	mc --timeout 2 info
	expect_rc 3 "info from a modem that stops answering"
	grep -q 'SILENT' "$LOG" || fail "the log does not show the silence"
	# until a reset
	reset_sim
	mc info
	expect_ok "info after the reset"
}

test_keygen_processing_time() {
	start_sim --keygen-ms 400
	t0=$(now)
	mc keygen --tag 1001 --kind csr -o "$T_DIR/x.csr"
	expect_ok "keygen with --keygen-ms 400"
	lt "$(elapsed "$t0" "$(now)")" 0.4 && fail "keygen answered before its processing time"
	# a reset during the processing time loses the answer
	stop_sim
	start_sim --keygen-ms 60000 --banner
	banner='*** Booting nRF Connect SDK v2.6.0 ***\r\nThe AT host sample started\r\nReady\r\n'
	raw "expect:$banner" 'send:AT%KEYGEN=1002,2,0\r' "kill:USR1:$SIMPID" "expect:$banner" \
		'send:AT\r' 'expect:OK\r\n'
}

test_station_of_sixteen_modems() {
	# what a provisioning station needs: modems that tell apart by IMEI and UUID
	i=0
	while [ "$i" -lt 16 ]; do
		SIM_NAME="m$i" start_sim --imei "3513588100000$(printf %02d "$i")" \
			--uuid "50503041-3633-43b0-80c3-0000000000$(printf %02d "$i")"
		i=$((i + 1))
	done
	i=0
	while [ "$i" -lt 16 ]; do
		LINK="$T_DIR/m$i.link"
		mc --json keygen --tag 16842753 --kind csr -o "$T_DIR/m$i.csr"
		expect_ok "keygen on modem $i"
		expect_eq "$(json "j['device_uuid']")" \
			"50503041-3633-43b0-80c3-0000000000$(printf %02d "$i")" "device UUID of modem $i"
		i=$((i + 1))
	done
}

# ---- URCs -----------------------------------------------------------------------

# only_known_lines FILE: every line is a whole URC or a whole answer line
only_known_lines() {
	tr -d '\r' <"$1" | while IFS= read -r line; do
		case "$line" in
		'+CEREG: '[0125]* | '%XMODEMSLEEP: 1,0' | '%CESQ: '[0-9]*,[0-9]*,[0-9]*,[0-9]* | \
			'+CSCON: '[01] | nRF9160-SICA | OK) ;;
		*) echo "$line" ;;
		esac
	done >"$T_DIR/odd"
	[ ! -s "$T_DIR/odd" ] || fail "partial or unknown lines: $(head -n 3 "$T_DIR/odd")"
}

test_urc_never_split_across_clients() {
	# online: an offline modem sends no such URCs
	start_sim --urc-every 2 --fragment --seed 9 --cfun 1
	i=0
	while [ "$i" -lt 25 ]; do
		raw 'send:AT+CGMM\r' 'until:nRF9160-SICA\r\n' 'until:OK\r\n' "save:$T_DIR/rec$i"
		only_known_lines "$T_DIR/rec$i"
		i=$((i + 1))
	done
}

test_urc_never_inside_an_answer_line() {
	# a cut answer (199 bytes, ending in 118 x) leaves its line open: no URC,
	# periodic or inside the next answer, lands in it; the next answer's
	# bytes come first. Two answers per round: every third answer carries a
	# URC, so the one after the cut is such an answer in every third round.
	start_sim --max-cmd 200 --urc-every 5 --seed 2
	raw "send:AT%CMNG=0,7,4,\"$(x_times 150)\"\r" 'until:OK\r\n' 'send:AT+CFUN=1\r' 'until:OK\r\n'
	i=0
	while [ "$i" -lt 6 ]; do
		raw 'send:AT%CMNG=2,7,4\r' "until:$(x_times 118)" 'send:AT\r' 'expect:OK\r\n'
		i=$((i + 1))
	done
}
