# Nordic kits found by USB details (--all-kits, --serial-number, no port at
# all) end to end: port enumeration through libserialport, kit recognition,
# the choice of each kit's modem port, and what reaches which modem.
#
# No kit needs to be attached: the LD_PRELOAD shim tests/preload/fakeserial.c
# makes libserialport list exactly the ports of FAKEKITS (USB ports with the
# VID, PID and serial number given) and makes /dev/NAME open the simulator
# behind each name.

# provision's helpers: start_sims, make_ca, prov, results, summary,
# check_provisioned, count_in_logs
. "$ROOT/tests/integration/test_provision.sh"

# The fake machine: three kits and two ports that are no kit.
#   kit A  nRF9160 DK (SEGGER)   ttyACM10 (decoy a2), ttyACM2 (m1): the modem
#          port is ttyACM2, first in natural order though listed second and
#          after ttyACM10 in plain string order
#   kit B  Thingy:91 X (Nordic)  ttyACM4 (m2) alone
#   kit C  nRF9151 DK (SEGGER)   ttyACM7 (decoy c3), ttyACM5 (m3), ttyACM6 (decoy c2)
#   ttyUSB0 an FTDI adapter (decoy ftdi), ttyS0 a native port (no simulator)
SERIAL_A=000960012345
SERIAL_B=001055000042
SERIAL_C=001051200007

# start_kits: the simulators m1..m3 (the kits' modem ports, with the IMEIs and
# UUIDs of start_sims) and the decoys; sets FAKEKITS.
start_kits() {
	start_sims 3
	for d in a2 c2 c3 ftdi; do
		SIM_NAME=$d start_sim
	done
	FAKEKITS="ttyACM10=$T_DIR/a2.link:1366:1015:$SERIAL_A
		ttyACM2=$T_DIR/m1.link:1366:1015:$SERIAL_A
		ttyACM4=$T_DIR/m2.link:1915:910a:$SERIAL_B
		ttyACM7=$T_DIR/c3.link:1366:1051:$SERIAL_C
		ttyACM5=$T_DIR/m3.link:1366:1051:$SERIAL_C
		ttyACM6=$T_DIR/c2.link:1366:1051:$SERIAL_C
		ttyUSB0=$T_DIR/ftdi.link:0403:6001:FT1234
		ttyS0=$T_DIR/no-such-port:::"
	export FAKEKITS
}

# kits_env CMD...: CMD with the shim preloaded and no MODEMCRED_PORT
kits_env() {
	env -u MODEMCRED_PORT LD_PRELOAD="$PRELOAD" "$@"
}

# kmc [args...]: the CLI on the fake machine, no port given; sets RC, $OUT, $ERR
kmc() {
	RC=0
	kits_env timeout -k 3 "$MC_TIMEOUT" "$CLI" "$@" >"$OUT" 2>"$ERR" || RC=$?
	cat "$ERR" >>"$T_DIR/stderr.all"
}

# kprov [args...]: prov (the test CA, ledger, CSV, --json) on the fake machine
kprov() {
	LD_PRELOAD="$PRELOAD" prov "$@"
}

# received NAME: the commands simulator NAME received (0 when it never wrote its log)
received() {
	if [ -f "$T_DIR/$1.log" ]; then wc -l <"$T_DIR/$1.log"; else echo 0; fi
}

# keygens NAME: the %KEYGEN commands simulator NAME received
keygens() {
	if [ -f "$T_DIR/$1.log" ]; then grep -c KEYGEN "$T_DIR/$1.log" || true; else echo 0; fi
}

# only_these_talked NAME...: exactly the simulators named received commands
only_these_talked() {
	for s in m1 m2 m3 a2 c2 c3 ftdi; do
		case " $* " in
		*" $s "*) [ "$(received "$s")" -gt 0 ] || fail "$s received nothing" ;;
		*) [ "$(received "$s")" -eq 0 ] || fail "$s received: $(head -n 5 "$T_DIR/$s.log")" ;;
		esac
	done
}

# ports_of_results: the ports (without /dev/) of the result events, one line, sorted
ports_of_results() {
	results | cut -d' ' -f1 | sort -V | paste -sd' '
}

test_kits_ports_lists_kits_and_other_ports() {
	[ -f "$PRELOAD" ] || fail "$PRELOAD is missing"
	start_kits
	kmc --json ports
	expect_ok "ports --json"
	# every port of the machine, kit or not, in natural order of names
	expect_eq "$(json "' '.join(p['name'].replace('/dev/', '') for p in j)")" \
		"ttyACM2 ttyACM4 ttyACM5 ttyACM6 ttyACM7 ttyACM10 ttyS0 ttyUSB0" "ports listed"
	port() { json "next([p['kit'], p['usb_vid'], p['usb_pid'], p['serial']] for p in j if p['name'] == '/dev/$1')"; }
	expect_eq "$(port ttyACM2)" "['nRF9160 DK', 4966, 4117, '$SERIAL_A']" "ttyACM2"
	expect_eq "$(port ttyACM10)" "['nRF9160 DK', 4966, 4117, '$SERIAL_A']" "ttyACM10"
	expect_eq "$(port ttyACM4)" "['Thingy:91 X', 6421, 37130, '$SERIAL_B']" "ttyACM4"
	expect_eq "$(port ttyACM6)" "['nRF9151 DK', 4966, 4177, '$SERIAL_C']" "ttyACM6"
	# an FTDI adapter is a USB port but no kit; a native port has no USB details
	expect_eq "$(port ttyUSB0)" "[None, 1027, 24577, 'FT1234']" "ttyUSB0"
	expect_eq "$(port ttyS0)" "[None, None, None, None]" "ttyS0"
	# the table for people
	kmc ports
	expect_ok "ports"
	out_has '^/dev/ttyACM2  *1366:1015  *000960012345  *nRF9160 DK' "ports table"
	out_has '^/dev/ttyUSB0  *0403:6001  *FT1234  *- ' "ports table"
	# listing opens no port
	only_these_talked
}

test_kits_provision_all_kits() {
	make_ca "$T_DIR"
	mkdir "$T_DIR/arts"
	start_kits
	kprov --all-kits
	expect_ok "provision --all-kits"
	# each kit's modem port once; no other port of a kit, nothing that is no kit
	expect_eq "$(ports_of_results)" "ttyACM2 ttyACM4 ttyACM5" "ports provisioned"
	expect_eq "$(summary provisioned)" 3 "provisioned"
	expect_eq "$(wc -l <"$T_DIR/ledger.jsonl")" 3 "ledger lines"
	check_provisioned 3
	for m in m1 m2 m3; do
		expect_eq "$(keygens $m)" 1 "KEYGEN commands at $m"
	done
	# check_provisioned listed m1..m3 without the shim; the decoys heard nothing
	only_these_talked m1 m2 m3
	# the ledger names the ports by their /dev names
	expect_eq "$($PY -c '
import json, sys
print(" ".join(sorted(json.loads(l)["port"] for l in open(sys.argv[1]))))
' "$T_DIR/ledger.jsonl")" "/dev/ttyACM2 /dev/ttyACM4 /dev/ttyACM5" "ledger ports"
}

test_kits_provision_by_serial_number() {
	make_ca "$T_DIR"
	mkdir "$T_DIR/arts"
	start_kits
	kprov --serial-number "$SERIAL_C"
	expect_ok "provision --serial-number C"
	expect_eq "$(ports_of_results)" "ttyACM5" "port of kit C"
	only_these_talked m3
	expect_eq "$(keygens m3)" 1 "KEYGEN commands at m3"
	# two kits: the option twice, before and after the command
	RC=0
	LD_PRELOAD="$PRELOAD" timeout -k 3 100 "$CLI" --serial-number "$SERIAL_A" --json provision \
		--serial-number "$SERIAL_B" --ca "$T_DIR/ca.pem" --ca-key "$T_DIR/ca.key" \
		--root-ca "$T_DIR/root.pem" --out "$T_DIR/arts" --ledger "$T_DIR/ledger.jsonl" \
		>"$OUT" 2>"$ERR" || RC=$?
	expect_ok "provision with kits A and B by serial number"
	expect_eq "$(ports_of_results)" "ttyACM2 ttyACM4" "ports of kits A and B"
	only_these_talked m1 m2 m3
	expect_eq "$(keygens m3)" 1 "KEYGEN commands at m3 after the second run"
	expect_eq "$(wc -l <"$T_DIR/ledger.jsonl")" 3 "ledger lines"
	check_provisioned 3
	# a kit by serial number and a port by name together
	kprov --serial-number "$SERIAL_A" /dev/ttyACM4
	expect_ok "provision a kit by serial number and a port by name"
	expect_eq "$(ports_of_results)" "ttyACM2 ttyACM4" "ports of the mixed run"
	expect_eq "$(summary unchanged)" 2 "unchanged in the mixed run"
	only_these_talked m1 m2 m3
}

# kits_untouched WHAT: no simulator received anything
kits_untouched() {
	for s in m1 m2 m3 a2 c2 c3 ftdi; do
		[ "$(received "$s")" -eq 0 ] || fail "$1: $s received: $(head -n 5 "$T_DIR/$s.log")"
	done
}

test_kits_unknown_serial_number_touches_nothing() {
	make_ca "$T_DIR"
	mkdir "$T_DIR/arts"
	start_kits
	# no such kit, alone or with one that is attached; the serial of a port
	# that is no kit (FTDI) is no kit either: exit 3 before any modem is opened
	for args in "--serial-number 000960099999" \
		"--serial-number $SERIAL_A --serial-number 000960099999" \
		"--serial-number FT1234"; do
		# shellcheck disable=SC2086
		kprov $args
		expect_rc 3 "provision $args"
		missing=${args##* }
		err_has "no Nordic kit with serial number $missing" "provision $args"
		err_has "modemcred ports" "provision $args"
		[ ! -s "$T_DIR/ledger.jsonl" ] || fail "provision $args wrote a ledger line"
		kits_untouched "provision $args"
	done
	# single-modem commands: the message names the kits that are attached
	kmc --serial-number 000960099999 info
	expect_rc 3 "info --serial-number of no kit"
	err_has "no Nordic kit with USB serial number 000960099999" "info of no kit"
	err_has "$SERIAL_A" "info of no kit lists kit A"
	err_has "Thingy:91 X /dev/ttyACM4 ($SERIAL_B)" "info of no kit lists kit B"
	err_lacks "FT1234" "info of no kit: the FTDI adapter is no kit"
	kmc --serial-number FT1234 list
	expect_rc 3 "list --serial-number of the FTDI adapter"
	kits_untouched "info and list with an unknown serial number"
}

# IMEI of simulator mN (start_sims)
imei_of() { printf '3513588112%05d' "$1"; }

test_kits_serial_number_picks_the_kit_for_one_modem() {
	start_kits
	# info answers with the IMEI of the kit's modem, over both transports
	# (auto takes libserialport for a port it accepts)
	for case in auto:libserialport serialport:libserialport termios:termios; do
		transport=${case%:*} used=${case#*:}
		kmc -v --transport "$transport" --serial-number "$SERIAL_C" info
		expect_ok "info --serial-number C --transport $transport"
		out_has "$(imei_of 3)" "info of kit C over $transport"
		err_has "using /dev/ttyACM5 (the Nordic kit with serial number $SERIAL_C)" \
			"-v names the modem port of kit C"
		err_has "opened /dev/ttyACM5 ($used)" "--transport $transport"
	done
	only_these_talked m3
	kmc --json --serial-number "$SERIAL_A" list
	expect_ok "list --serial-number A"
	kmc --serial-number "$SERIAL_A" info
	expect_ok "info --serial-number A"
	out_has "$(imei_of 1)" "info of kit A (its modem port is ttyACM2, not ttyACM10)"
	grep -q 'CMNG=1' "$T_DIR/m1.log" || fail "list did not reach kit A's modem port"
	only_these_talked m1 m3
}

test_kits_no_port_takes_the_only_kit() {
	start_kits
	# three kits attached: no guess, the message lists them
	kmc info
	expect_rc 3 "info without a port among three kits"
	err_has "3 Nordic kits found" "three kits"
	err_has "nRF9160 DK /dev/ttyACM2 ($SERIAL_A)" "kit A by its modem port"
	err_has "nRF9151 DK /dev/ttyACM5 ($SERIAL_C)" "kit C by its modem port"
	err_has "--serial-number" "the message says how to pick one"
	kits_untouched "info among three kits"
	# one kit (with two ports) among ports that are no kit: that kit's modem port
	FAKEKITS="ttyACM10=$T_DIR/a2.link:1366:1015:$SERIAL_A ttyACM2=$T_DIR/m1.link:1366:1015:$SERIAL_A
		ttyUSB0=$T_DIR/ftdi.link:0403:6001:FT1234"
	kmc -v info
	expect_ok "info with one kit attached"
	out_has "$(imei_of 1)" "info of the only kit"
	err_has "using /dev/ttyACM2 (the only Nordic kit attached)" "-v names the kit's modem port"
	only_these_talked m1
	# no port at all
	FAKEKITS="ttyUSB0=$T_DIR/ftdi.link:0403:6001:FT1234"
	kmc info
	expect_rc 3 "info without any kit"
	err_has "no Nordic kit found" "no kit"
	kprov --all-kits
	expect_rc 3 "provision --all-kits without any kit"
	err_has "no Nordic kit is attached" "provision --all-kits without any kit"
	only_these_talked m1
}

# Nordic ports without a USB serial number are each a device of their own
# (lib/ports.c: nothing says two of them are one kit), as `ports` and the
# choice of the only kit count them: --all-kits provisions each.
test_kits_all_kits_without_serial_numbers() {
	make_ca "$T_DIR"
	mkdir "$T_DIR/arts"
	start_sims 2
	FAKEKITS="ttyACM0=$T_DIR/m1.link:1915:520f: ttyACM1=$T_DIR/m2.link:1915:520f:"
	export FAKEKITS
	kmc --json ports
	expect_ok "ports"
	expect_eq "$(json "[p['kit'] for p in j]")" "['Nordic device', 'Nordic device']" "kits"
	kmc info
	expect_rc 3 "info without a port"
	err_has "2 Nordic kits found" "two devices without serial numbers"
	kprov --all-kits
	expect_ok "provision --all-kits"
	expect_eq "$(ports_of_results)" "ttyACM0 ttyACM1" "ports provisioned"
	check_provisioned 2
}

# An nRF5340 DK (no modem; nrfcloud-utils names its second port the main
# one) beside an nRF9160 DK: the nRF9160 DK is the only kit with a modem, so
# it is taken without a port, and --all-kits provisions it alone.
test_kits_kit_without_modem_left_alone() {
	make_ca "$T_DIR"
	mkdir "$T_DIR/arts"
	start_sims 1
	for d in a2 c2 c3; do
		SIM_NAME=$d start_sim
	done
	FAKEKITS="ttyACM0=$T_DIR/c2.link:1366:1051:001050012345
		ttyACM1=$T_DIR/c3.link:1366:1051:001050012345
		ttyACM2=$T_DIR/m1.link:1366:1015:$SERIAL_A ttyACM3=$T_DIR/a2.link:1366:1015:$SERIAL_A"
	export FAKEKITS
	kmc --json ports
	expect_ok "ports"
	expect_eq "$(json "[p['kit'] for p in j]")" "[None, None, 'nRF9160 DK', 'nRF9160 DK']" "kits"
	kmc info
	expect_ok "info with an nRF5340 DK beside the nRF9160 DK"
	out_has "$(imei_of 1)" "info of the nRF9160 DK"
	kprov --all-kits
	expect_ok "provision --all-kits"
	expect_eq "$(ports_of_results)" "ttyACM2" "ports provisioned"
	only_these_talked m1
}
