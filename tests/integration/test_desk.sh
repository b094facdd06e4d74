# At a real desk (issue 13): one program per port, the file is what --type
# says, clear asks before it deletes, and messages that say what to do.

ON_TTY="$ROOT/tests/tools/on_tty.py"

# ---- helpers ---------------------------------------------------------------------

# hold_port NAME [PORT]: a process that `ps` shows as NAME holds PORT ($LINK)
# open, as a terminal program left open (or ModemManager) does; its pid in
# HOLDER. Returns once the port is open. HOLD_EXCL=1: it also sets TIOCEXCL
# on the port, as ModemManager does.
hold_port() {
	rm -f "$T_DIR/held"
	"$PY" -c '
import ctypes, fcntl, os, sys, termios, time
ctypes.CDLL(None).prctl(15, sys.argv[3].encode(), 0, 0, 0)  # PR_SET_NAME
fd = os.open(sys.argv[1], os.O_RDWR | os.O_NOCTTY)
if sys.argv[4] == "1":
    fcntl.ioctl(fd, termios.TIOCEXCL)
open(sys.argv[2], "w").close()
time.sleep(110)
' "${2:-$LINK}" "$T_DIR/held" "$1" "${HOLD_EXCL:-0}" &
	HOLDER=$!
	_i=0
	while [ ! -e "$T_DIR/held" ]; do
		kill -0 "$HOLDER" 2>/dev/null || fail "the process meant to hold the port ended"
		_i=$((_i + 1))
		[ "$_i" -le 400 ] || fail "the holder did not open the port within 20 s"
		sleep 0.05
	done
}

# mc_as_nobody [args...]: the CLI run by root as the user nobody, as a desk
# user runs it (root opens past permissions and TIOCEXCL and reads every
# process's descriptors), from a copy the user nobody may run; sets RC
mc_as_nobody() {
	_bin=$(mktemp -d "${TMPDIR:-/tmp}/mcnobody.XXXXXX")
	chmod 755 "$_bin"
	cp "$CLI" "$_bin/modemcred"
	RC=0
	timeout -k 3 30 setpriv --reuid=65534 --regid=65534 --clear-groups \
		"$_bin/modemcred" "$@" </dev/null >"$OUT" 2>"$ERR" || RC=$?
	rm -rf "$_bin"
}

# finish_first: the modem answers the command it held for the first program
# (--hold-file); wait for that program, RC its exit status
finish_first() {
	rm -f "$(hold_file)"
	RC=0
	wait "$FIRST" || RC=$?
	FIRST=
}

release_port() {
	[ -n "${HOLDER:-}" ] || return 0
	kill "$HOLDER" 2>/dev/null || true
	wait "$HOLDER" 2>/dev/null || true
	HOLDER=
}

# Background processes of a test end with it, whatever happens to it.
cleanup() {
	release_port
	[ -z "${FIRST:-}" ] || kill "$FIRST" 2>/dev/null || true
	stop_all_sims
}

# sp [args...]: the CLI through libserialport (the preload shim maps the fake
# /dev/ttyMCDESK0 onto $LINK), as mc does through termios
sp() {
	RC=0
	FAKESERIAL_NAME=ttyMCDESK0 FAKESERIAL_TARGET="$LINK" LD_PRELOAD="$PRELOAD" \
		timeout -k 3 "$MC_TIMEOUT" "$CLI" --port /dev/ttyMCDESK0 --transport serialport "$@" \
		</dev/null >"$OUT" 2>"$ERR" || RC=$?
	cat "$ERR" >>"$T_DIR/stderr.all"
}

# on_tty ANSWER_REGEX ANSWER [args...]: the CLI on $LINK at a terminal of its
# own, typing ANSWER once REGEX shows ("" "" answers nothing); everything it
# wrote (stdout and stderr: one terminal) in $OUT
on_tty() {
	_re=$1 _text=$2
	shift 2
	RC=0
	if [ -n "$_re" ]; then
		"$PY" "$ON_TTY" --answer "$_re" "$_text" -- "$CLI" -p "$LINK" "$@" >"$OUT" 2>"$ERR" ||
			RC=$?
	else
		"$PY" "$ON_TTY" -- "$CLI" -p "$LINK" "$@" >"$OUT" 2>"$ERR" || RC=$?
	fi
	tr -d '\r' <"$OUT" >"$OUT.lf" && mv "$OUT.lf" "$OUT"
}

# rx_count: commands the simulator received
rx_count() { log_count '^RX '; }

# no_piece_of FILE: no 16 characters of FILE's base64 body in $OUT or $ERR
no_piece_of() {
	_piece=$(sed -n 3p "$1" | cut -c1-16)
	[ ${#_piece} -eq 16 ] || fail "no body line in $1"
	! grep -q -F -e "$_piece" "$OUT" "$ERR" || fail "output shows content of $1 ($2)"
}

# make_ca DIR: a factory CA for provision
make_ca() {
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$1/ca.key" \
		-out "$1/ca.pem" -subj "/O=modemcred test/CN=Factory CA" -days 30 >/dev/null 2>&1 ||
		fail "openssl could not make the test CA"
}

# ---- one program per port --------------------------------------------------------------

# The issue's first finding: a second modemcred on a port where a write runs
# printed [] and exit 0. Now it is refused at once, naming the first, and
# sends nothing; the first goes on undisturbed.
test_second_modemcred_refused_at_once() {
	trap cleanup EXIT
	# the modem holds the first one's write unanswered while the second tries
	start_sim --cfun 4 --hold-file "$(hold_file)"
	hold_next "AT%CMNG=0,20,0"
	"$CLI" -p "$LINK" --json write --tag 20 --type ca --verify "$FIX/ca.pem" </dev/null \
		>"$T_DIR/first.out" 2>"$T_DIR/first.err" &
	FIRST=$!
	wait_for_log HELD
	mc --json list
	expect_rc 3 "list while another modemcred writes"
	kill -0 "$FIRST" 2>/dev/null || fail "the first modemcred had ended: the second was not refused at once"
	err_has "is in use by modemcred (pid $FIRST)" "the message names the other modemcred"
	err_has "wait for it to finish" "the fix for another modemcred"
	err_lacks "modemcred ports" "no hint about listing ports"
	expect_eq "$(json "j['error']['kind']")" busy "--json error kind"
	expect_eq "$(json "j['error']['exit_code']")" 3 "--json exit code"
	[ "$(log_count '^RX AT%CMNG=1$')" -eq 0 ] || fail "the second modemcred's list reached the modem"
	finish_first
	expect_ok "the first modemcred's write --verify"
	expect_eq "$($PY -c 'import json,sys; print(json.load(open(sys.argv[1]))["verified"])' \
		"$T_DIR/first.out")" True "the first write verified"
	expect_eq "$(list_sha 20 0)" "$(sha_lf "$FIX/ca.pem")" "tag 20 holds what the first wrote"
}

# The lock is one for both transports: a termios modemcred keeps a
# libserialport one out and the other way round.
test_lock_shared_by_both_transports() {
	[ -f "$PRELOAD" ] || fail "$PRELOAD is missing"
	trap cleanup EXIT
	start_sim --cfun 4 --hold-file "$(hold_file)"
	hold_next "AT%CMNG=0,21,0"
	FAKESERIAL_NAME=ttyMCDESK0 FAKESERIAL_TARGET="$LINK" LD_PRELOAD="$PRELOAD" \
		"$CLI" --port /dev/ttyMCDESK0 --transport serialport write --tag 21 --type ca \
		"$FIX/ca.pem" </dev/null >"$T_DIR/first.out" 2>"$T_DIR/first.err" &
	FIRST=$!
	wait_for_log HELD
	mc list
	expect_rc 3 "termios while libserialport writes"
	err_has "is in use by modemcred (pid $FIRST)" "termios names the libserialport modemcred"
	sp list
	expect_rc 3 "libserialport while libserialport writes"
	err_has "/dev/ttyMCDESK0 is in use by modemcred (pid $FIRST)" "libserialport names it too"
	finish_first
	expect_ok "the write over libserialport"
	[ "$(rx_count)" -eq 1 ] || fail "only the write should have reached the modem"
	# free again: both transports work
	sp exists --tag 21 --type ca
	expect_ok "libserialport after the first ended"
	mc exists --tag 21 --type ca
	expect_ok "termios after the first ended"
}

# A program that holds the port without any lock (a terminal, a script,
# ModemManager): refused by name and pid, with its fix; nothing sent.
test_foreign_holder_named() {
	trap cleanup EXIT
	start_sim
	hold_port picocom
	mc info
	expect_rc 3 "info while picocom holds the port"
	err_has "$LINK is in use by picocom (pid $HOLDER)" "program and pid"
	err_has "close it" "the fix for a terminal program"
	err_has "\-\-ignore-busy" "the option to go on anyway"
	err_lacks "modemcred ports" "no hint about listing ports"
	sp info
	expect_rc 3 "libserialport while picocom holds the port"
	err_has "/dev/ttyMCDESK0 is in use by picocom (pid $HOLDER)" "libserialport names it"
	release_port
	hold_port ModemManager
	mc --json info
	expect_rc 3 "info while ModemManager holds the port"
	err_has "is in use by ModemManager (pid $HOLDER)" "ModemManager by name"
	err_has "ID_MM_DEVICE_IGNORE" "the udev rule"
	err_has "systemctl stop ModemManager" "or stopping it"
	expect_eq "$(json "j['error']['kind']")" busy "--json error kind"
	release_port
	[ "$(rx_count)" -eq 0 ] || fail "a command reached a port another program held"
	mc info
	expect_ok "info once the port is free"
}

# ModemManager runs as root and opens the ports it probes with TIOCEXCL
# (ModemManager src/mm-port-serial.c): a desk user cannot read its
# descriptors, and the open fails with EBUSY. The message names the
# ModemManager that runs, its pid and its fix; nothing is sent.
test_exclusive_modemmanager_of_another_user_named() {
	trap cleanup EXIT
	start_sim
	dev=$(readlink "$LINK")
	HOLD_EXCL=1 hold_port ModemManager "$dev"
	if [ "$(id -u)" = 0 ]; then
		# a desk user beside a root ModemManager
		chmod 666 "$dev"
		mc_as_nobody -p "$dev" info
		err_has "for itself alone (TIOCEXCL), probably ModemManager (pid $HOLDER)" \
			"the hidden ModemManager named"
		# the kernel refuses every open then: no use offering --ignore-busy
		err_lacks "\-\-ignore-busy" "no --ignore-busy against TIOCEXCL"
	else
		# the holder is this user's own process: seen by its descriptors
		mcx -p "$dev" info
		err_has "is in use by ModemManager (pid $HOLDER)" "ModemManager by name"
	fi
	expect_rc 3 "info while ModemManager holds the port exclusively"
	err_has "ID_MM_DEVICE_IGNORE" "the udev rule"
	err_has "systemctl stop ModemManager" "or stopping it"
	release_port
	[ "$(rx_count)" -eq 0 ] || fail "a command reached a port ModemManager held"
}

# --ignore-busy goes on anyway (its risk is documented).
test_ignore_busy_goes_on() {
	trap cleanup EXIT
	start_sim
	hold_port screen
	mc --ignore-busy info
	expect_ok "info --ignore-busy while screen holds the port"
	out_has "IMEI: *351358811234567" "info --ignore-busy"
	sp --ignore-busy info
	expect_ok "libserialport --ignore-busy"
	release_port
}

# provision: one device named twice, also under two names, is refused before
# anything is sent; a port another station holds fails for that port only.
test_provision_refuses_a_device_twice() {
	start_sim
	make_ca "$T_DIR"
	ln -s "$(readlink "$LINK")" "$T_DIR/alias.link"
	for ports in "$LINK $LINK" "$LINK $T_DIR/alias.link"; do
		RC=0
		# shellcheck disable=SC2086
		timeout -k 3 60 "$CLI" provision --quiet --ca "$T_DIR/ca.pem" --ca-key "$T_DIR/ca.key" \
			--out "$T_DIR" $ports </dev/null >"$OUT" 2>"$ERR" || RC=$?
		expect_rc 2 "provision $ports"
		err_has "named twice" "provision $ports"
	done
	err_has "one device" "two names of one device"
	[ "$(rx_count)" -eq 0 ] || fail "provision sent commands before refusing"
}

test_provision_port_held_by_another_station() {
	trap cleanup EXIT
	start_sim --hold-file "$(hold_file)"
	hold_next "AT%KEYGEN"
	make_ca "$T_DIR"
	mkdir "$T_DIR/a" "$T_DIR/b"
	"$CLI" provision --json --ca "$T_DIR/ca.pem" --ca-key "$T_DIR/ca.key" --out "$T_DIR/a" \
		"$LINK" </dev/null >"$T_DIR/first.out" 2>"$T_DIR/first.err" &
	FIRST=$!
	wait_for_log HELD
	RC=0
	timeout -k 3 60 "$CLI" provision --json --ca "$T_DIR/ca.pem" --ca-key "$T_DIR/ca.key" \
		--out "$T_DIR/b" --ledger "$T_DIR/ledger.jsonl" "$LINK" </dev/null >"$OUT" 2>"$ERR" ||
		RC=$?
	expect_rc 3 "a second station on a port the first holds"
	kill -0 "$FIRST" 2>/dev/null || fail "the first station had ended: the second was not refused at once"
	$PY -c '
import json, sys
r = json.loads(open(sys.argv[1]).readline())
assert r["result"] == "failed" and r["exit_code"] == 3, r
assert "is in use by modemcred (pid %s)" % sys.argv[2] in r["error"], r["error"]
' "$T_DIR/ledger.jsonl" "$FIRST" || fail "the second station's ledger line"
	[ "$(log_count 'AT%KEYGEN')" -eq 1 ] || fail "the second station reached the modem"
	finish_first
	expect_ok "the first station"
	ls "$T_DIR/a"/*_crt.pem >/dev/null 2>&1 || fail "the first station wrote no certificate"
}

# ---- the file is what --type says ----------------------------------------------------

# wrong_file TYPE FILE WORDS [write options...]: refused with exit 2 saying
# WORDS, nothing sent, nothing of a key printed (-v --json)
wrong_file() {
	_type=$1 _file=$2 _words=$3
	shift 3
	mc -v --json --offline write --tag 30 --type "$_type" "$@" "$_file"
	expect_rc 2 "$(basename "$_file") as $_type"
	err_has "$_words" "$(basename "$_file") as $_type"
	expect_eq "$(json "j['error']['kind']")" invalid_arg "$(basename "$_file") as $_type: --json"
	no_piece_of "$FIX/key.pem" "$(basename "$_file") as $_type"
	no_piece_of "$FIX/key.enc.pem" "$(basename "$_file") as $_type"
	[ "$(rx_count)" -eq 0 ] || fail "$(basename "$_file") as $_type: sent to the modem"
}

test_wrong_files_refused_nothing_sent() {
	start_sim --cfun 4
	d=$T_DIR
	openssl req -new -key "$FIX/key.pem" -subj /CN=device-1 -out "$d/csr.pem" 2>/dev/null
	openssl pkey -in "$FIX/key.pem" -pubout -out "$d/pub.pem" 2>/dev/null
	openssl ec -in "$FIX/key.pem" -aes256 -passout pass:secret-pass -out "$d/legacy.pem" 2>/dev/null
	openssl x509 -in "$FIX/cert.pem" -outform der -out "$d/cert.der"
	grep -q 'Proc-Type: 4,ENCRYPTED' "$d/legacy.pem" || fail "openssl made no legacy encrypted key"
	cat "$FIX/cert.pem" "$FIX/key.pem" >"$d/cert+key.pem"
	head -n 3 "$FIX/ca.pem" >"$d/cut.pem"
	printf 'wrong-pass' >"$d/wrong"
	wrong_file ca "$FIX/key.pem" "holds a private key"
	wrong_file ca "$FIX/key.pem" "not a certificate"
	wrong_file cert "$FIX/key.pem" "holds a private key"
	wrong_file ca "$FIX/key.enc.pem" "holds a private key"
	wrong_file ca "$d/cert+key.pem" "holds a private key"
	wrong_file cert "$d/csr.pem" "certificate request"
	wrong_file ca "$d/pub.pem" "a public key"
	wrong_file ca "$d/cut.pem" "cut off"
	wrong_file ca "$d/cert.der" "DER"
	wrong_file key "$FIX/ca.pem" "not a private key"
	wrong_file key "$FIX/key.enc.pem" "encrypted"
	err_has "\-\-password-file" "an encrypted key without a password: the option to give"
	wrong_file key "$FIX/key.enc.pem" "does not decrypt" --password-file "$d/wrong"
	wrong_file key "$FIX/key.pem" "not encrypted" --password-file "$FIX/password"
	wrong_file key "$d/legacy.pem" "old OpenSSL way" --password-file "$FIX/password"
	wrong_file key "$d/cert+key.pem" "a private key and a certificate"
	# what is right still goes: a chain, keys in their forms
	cat "$FIX/ca.pem" "$FIX/cert.pem" >"$d/chain.pem"
	mc --offline write --tag 30 --type ca --verify "$d/chain.pem"
	expect_ok "a chain of two certificates as ca"
	mc --offline write --tag 30 --type key "$FIX/key.enc.pem" --password-file "$FIX/password"
	expect_ok "an encrypted key with its password"
	openssl ecparam -name prime256v1 -genkey -out "$d/sec1.pem" 2>/dev/null
	mc --offline write --tag 31 --type key "$d/sec1.pem"
	expect_ok "an EC PARAMETERS + EC PRIVATE KEY file (openssl ecparam -genkey)"
}

# The escape hatch writes what the checks refuse; a key stays a secret
# whatever type it went in as, also when read back.
test_skip_content_check_keeps_the_key_secret() {
	start_sim --cfun 4
	mc -v --json write --skip-content-check --tag 32 --type ca "$FIX/key.pem"
	expect_ok "a key as ca with --skip-content-check"
	err_has "<secret: " "the trace shows a placeholder"
	no_piece_of "$FIX/key.pem" "write of a key as ca"
	mc -v --json read --tag 32 --type ca
	expect_ok "read back the key written as ca"
	expect_eq "$(json "j['content']")" null "--json leaves the key out"
	expect_eq "$(json "j['withheld']")" "the content holds a private key" "--json says why"
	err_has "holds a private key, which anyone with the port can read back" "a warning"
	err_has "private key material" "the trace withholds the answer"
	no_piece_of "$FIX/key.pem" "read of a key written as ca"
	mc read --tag 32 --type ca -o "$T_DIR/back.pem"
	expect_ok "read -o of the key written as ca"
	files_equal "$T_DIR/back.pem" "$FIX/key.pem" "-o gets what was asked for"
	expect_eq "$(stat -c %a "$T_DIR/back.pem")" 600 "the key's file is its owner's only"
	# also a file that was there, readable by all
	: >"$T_DIR/was.pem"
	chmod 644 "$T_DIR/was.pem"
	mc read --tag 32 --type ca -o "$T_DIR/was.pem"
	expect_ok "read -o into an existing file"
	expect_eq "$(stat -c %a "$T_DIR/was.pem")" 600 "the existing file made private"
	# what holds no key keeps the usual mode
	mc write --tag 33 --type ca "$FIX/ca.pem"
	mc read --tag 33 --type ca -o "$T_DIR/ca.back.pem"
	expect_eq "$(stat -c %a "$T_DIR/ca.back.pem")" "$(umask_mode 644)" "a certificate's file"
}

# umask_mode MODE: MODE (octal) as the umask leaves it for a new file
umask_mode() {
	printf '%o\n' $((0$1 & ~0$(umask)))
}

# ---- clear asks ---------------------------------------------------------------------------

fill_tag_12() {
	start_sim --cfun 4
	mc write --tag 12 --type ca "$FIX/ca.pem"; expect_ok "write 12/ca"
	mc write --tag 12 --type cert "$FIX/cert.pem"; expect_ok "write 12/cert"
	mc write --tag 12 --type key "$FIX/key.pem"; expect_ok "write 12/key"
	BEFORE=$(rx_count)
}

tag_12_count() {
	mc --json list --tag 12
	expect_ok "list --tag 12"
	json "len(j)"
}

test_clear_refused_without_a_terminal() {
	fill_tag_12
	mc clear --tag 12
	expect_rc 2 "clear with no terminal and no --yes"
	err_has "\-\-yes" "the message names --yes"
	err_has "\-\-dry-run" "and --dry-run"
	mc --json clear --all
	expect_rc 2 "clear --all with no terminal and no --yes"
	expect_eq "$(json "j['error']['kind']")" invalid_arg "--json error kind"
	expect_eq "$(rx_count)" "$BEFORE" "nothing sent before refusing"
	expect_eq "$(tag_12_count)" 3 "credentials in tag 12"
	mc clear --tag 12 --yes
	expect_ok "clear --yes"
	out_has "3 deleted" "clear --yes"
	expect_eq "$(tag_12_count)" 0 "credentials in tag 12 after --yes"
}

test_clear_dry_run_deletes_nothing() {
	fill_tag_12
	mc clear --tag 12 --dry-run
	expect_ok "clear --dry-run"
	out_has "clear would delete 3 credentials of tag 12" "the list"
	out_has "type 2 (key): a private key, which cannot be recovered" "the key named unrecoverable"
	mc --json --offline clear --all --dry-run
	expect_ok "clear --all --dry-run --json"
	expect_eq "$(json "j['dry_run']")" true "dry_run"
	expect_eq "$(json "j['deleted']")" 0 "deleted"
	expect_eq "$(json "sorted(c['type'] for c in j['credentials'])")" "[0, 1, 2]" "credentials"
	[ "$(log_count 'CMNG=3')" -eq 0 ] || fail "--dry-run sent a delete"
	[ "$(log_count 'CFUN=')" -eq 0 ] || fail "--dry-run took the modem offline"
	expect_eq "$(tag_12_count)" 3 "credentials in tag 12"
}

test_clear_asks_on_a_terminal() {
	fill_tag_12
	on_tty 'y/N\]' 'n\n' clear --tag 12
	expect_rc 1 "clear answered no"
	out_has "clear will delete 3 credentials of tag 12" "the list before the question"
	out_has "cannot be recovered" "the key named unrecoverable"
	out_has "not confirmed: nothing was deleted" "the answer no"
	[ "$(log_count 'CMNG=3')" -eq 0 ] || fail "a delete was sent though the answer was no"
	on_tty 'y/N\]' 'y\n' --offline clear --tag 12
	expect_ok "clear answered yes"
	out_has "cleared tag 12: 3 deleted" "the answer yes"
	expect_eq "$(tag_12_count)" 0 "credentials in tag 12 after yes"
	mc write --tag 13 --type ca "$FIX/ca.pem"; expect_ok "write 13/ca"
	on_tty 'y/N\]' 'yes\n' clear --all
	expect_ok "clear --all answered yes"
	out_has "clear will delete 1 credential of every user tag" "clear --all lists"
	out_has "belong to the modem and stay" "the modem's own stay"
	mc --json list
	expect_ok "list"
	expect_eq "$(json "len([c for c in j if c['tag'] <= 2147483647])")" 0 "user credentials left"
	[ "$(json "len(j)")" -ge 3 ] || fail "the modem's own credentials must stay"
}

# "-" with a person at the terminal: the content is waited for with a word
# saying so (not silence), and a password is asked for without being shown.
test_standard_input_at_a_terminal_is_asked_for() {
	start_sim
	on_tty 'Ctrl-D' "$(cat "$FIX/ca.pem")\n\x04" --offline write --tag 5 --type ca -
	expect_ok "a certificate pasted at the terminal"
	out_has "reading the credential file from the terminal" "what is waited for"
	out_has "wrote ca to tag 5" "the write"
	on_tty 'not shown' 'secret-pass\n' --offline write --tag 6 --type key --password-file - \
		"$FIX/key.enc.pem"
	expect_ok "a password typed at the terminal"
	out_has "wrote key to tag 6" "the write"
	out_lacks "secret-pass" "the password as typed"
}

# ---- messages that say what to do ---------------------------------------------------------

test_silence_told_once_on_a_terminal() {
	start_sim --silent-after-cmd CGSN
	on_tty "" "" --timeout 8 info
	expect_rc 3 "info from a modem that never answers"
	expect_eq "$(grep -c "nothing has come from $LINK (115200 baud) for 2 s" "$OUT")" 1 \
		"the notice, once"
	out_has "still waiting for the answer to AT+CGSN" "what the tool waits for"
	out_has "nothing at all came from $LINK at 115200 baud" "the timeout's likely causes"
	! grep -q "modemcred ports" "$OUT" || fail "no hint about listing ports"
	# not on a terminal: no notice, the timeout message alone
	SIM_NAME=quiet start_sim --silent-after-cmd CGSN
	mc --timeout 3 info
	expect_rc 3 "info without a terminal"
	err_lacks "nothing has come" "no notice without a terminal"
	err_has "nothing at all came from" "the timeout's likely causes"
}

test_unplugged_during_a_command() {
	trap cleanup EXIT
	start_sim --latency-ms 20000
	"$CLI" -p "$LINK" --timeout 60 info </dev/null >"$T_DIR/first.out" 2>"$ERR" &
	FIRST=$!
	wait_for_log "AT+CGSN"
	stop_sim
	RC=0
	wait "$FIRST" || RC=$?
	FIRST=
	expect_rc 3 "info when the port went away"
	err_has "unplugged" "the likely cause"
	err_has "run the command again" "the fix"
	err_lacks "modemcred ports" "no hint about listing ports"
}

test_permission_denied_names_the_group() {
	start_sim
	dev=$(readlink "$LINK")
	if [ "$(id -u)" = 0 ]; then
		# a desk user outside the port's group (dialout, as a kit's port
		# has on Debian and Fedora)
		group=dialout
		getent group "$group" >/dev/null || group=tty
		chgrp "$group" "$dev"
		chmod 660 "$dev"
		mc_as_nobody -p "$dev" info
		err_has "usermod -aG $group" "the fix: join the group"
	else
		group=$(stat -c %G "$dev")
		chmod 000 "$dev"
		mc info
	fi
	expect_rc 3 "info on a port without permission"
	err_has "permission denied" "the cause"
	err_has "group $group" "the group that may use the port"
	err_lacks "modemcred ports" "no hint about listing ports"
	[ "$(rx_count)" -eq 0 ] || fail "a command reached the modem"
}

test_not_a_serial_port() {
	mcx -p "$FIX/ca.pem" info
	expect_rc 2 "a regular file as the port"
	err_has "is a regular file, not a serial port" "the cause"
	err_has "/dev/ttyACM0" "what a port looks like"
	err_lacks "modemcred ports" "no hint about listing ports"
	mkfifo "$T_DIR/fifo"
	mcx -p "$T_DIR/fifo" info
	expect_rc 2 "a FIFO as the port"
	err_has "is a FIFO (named pipe), not a serial port" "the cause"
	mcx -p /dev/null info
	expect_rc 3 "a device that is no terminal"
	err_has "not a serial port" "/dev/null"
	mcx -p "$T_DIR/no-such-port" info
	expect_rc 3 "a port that does not exist"
	err_has "modemcred ports" "a missing port: where to find the right one"
}

test_518_names_offline() {
	start_sim --cfun 1
	mc --json write --tag 5 --type ca "$FIX/ca.pem"
	expect_rc 4 "write while online"
	err_has "give \-\-offline" "the CLI's option"
	json "'--offline' in j['error']['message'] and 'auto_offline' not in j['error']['message'] or exit(1)" >/dev/null
}

test_bare_modemcred_prints_usage() {
	RC=0
	timeout -k 3 10 "$CLI" </dev/null >"$OUT" 2>"$ERR" || RC=$?
	expect_rc 2 "modemcred without arguments"
	out_has "^Usage: modemcred" "the usage"
	out_has "^Commands" "the commands"
}

test_der_is_not_written_to_a_terminal() {
	start_sim
	on_tty "" "" --offline keygen --tag 11 --format der
	expect_rc 2 "keygen --format der to a terminal"
	out_has "binary" "the cause"
	out_has "\-o FILE" "the fix"
	[ "$(log_count KEYGEN)" -eq 0 ] || fail "a key was generated for output that cannot be written"
	mc --offline keygen --tag 11 --format der
	expect_ok "keygen --format der into a pipe or file"
	openssl req -inform der -in "$OUT" -noout 2>/dev/null || fail "stdout is no DER CSR"
}

# Started with standard output, error or input closed (">&-"), the program
# must not let the serial port take that descriptor: its own output would
# reach the modem as commands (a CSR, a trace line, the "wrote" line).
test_closed_standard_descriptors_never_reach_the_modem() {
	start_sim
	for args in "read --tag 10 --type ca" "--offline keygen --tag 21"; do
		# shellcheck disable=SC2086
		RC=0
		timeout -k 3 "$MC_TIMEOUT" "$CLI" -p "$LINK" $args </dev/null 2>"$ERR" >&- || RC=$?
		expect_rc 141 "$args with standard output closed"
		err_has "standard output is closed: nothing was done" "why"
	done
	[ "$(log_count '^RX')" -eq 0 ] || fail "the modem received: $(grep '^RX' "$LOG")"
	# standard error closed: the trace goes nowhere, the command still works
	RC=0
	timeout -k 3 "$MC_TIMEOUT" "$CLI" -p "$LINK" -v at AT+CGMR </dev/null >"$OUT" 2>&- || RC=$?
	expect_ok "-v at AT+CGMR with standard error closed"
	out_has "mfw_" "the answer"
	expect_eq "$(grep '^RX' "$LOG")" "RX AT+CGMR" "what the modem received"
	# standard input closed
	RC=0
	timeout -k 3 "$MC_TIMEOUT" "$CLI" -p "$LINK" at AT+CGMM <&- >"$OUT" 2>"$ERR" || RC=$?
	expect_ok "at AT+CGMM with standard input closed"
	mc at AT+CGMR
	expect_ok "the next run (nothing was left in the modem's buffer)"
}

# mfw 2.x refuses content it cannot parse as a certificate with 527, whose
# meaning names CRLF line endings (2.0.2 refused those). When only LF went
# out, the message says that the content itself was refused; with CR LF
# kept, that hint would be wrong and is not given.
test_527_names_the_content_when_no_crlf_went_out() {
	start_sim --fw mfw_nrf91x1_2.0.2
	mc --offline write --skip-content-check --tag 5 --type ca "$FIX/big2k.pem"
	expect_rc 4 "random base64 as a CA on mfw 2.0.2"
	err_has "527" "the modem's refusal"
	err_has "LF line endings only, so the modem refused the content itself" "the cause"
	mc --keep-line-endings --offline write --tag 5 --type ca "$FIX/ca.crlf.pem"
	expect_rc 4 "a CRLF certificate on mfw 2.0.2"
	err_has "CRLF" "the line endings named"
	err_lacks "LF line endings only" "no hint against the evidence"
}

# A timeout is the modem's time to answer. At 1200 baud the CA's write
# takes about 6 s just to cross the line, its read-back as long: with a 3 s
# timeout both still succeed.
test_a_slow_line_is_no_timeout() {
	start_sim --baud 1200
	mc --baud 1200 --timeout 3 --offline write --tag 5 --type ca "$FIX/ca.pem"
	expect_ok "a write that takes longer than the timeout on the line"
	mc --baud 1200 --timeout 3 read --tag 5 --type ca -o "$T_DIR/back.pem"
	expect_ok "a read whose answer takes longer than the timeout on the line"
	files_equal "$T_DIR/back.pem" "$FIX/ca.pem" "read back at 1200 baud"
}

# A raw command longer than the device's buffer is refused before it is
# sent; the message names the library's max_command_len, so the CLI names
# its own option for it.
test_at_over_the_buffer_names_the_cli_option() {
	start_sim
	mc at "AT%CMNG=0,5,0,\"$(head -c 5000 /dev/zero | tr '\0' A)\""
	expect_rc 2 "an AT command over the device's buffer"
	err_has "4095" "the limit"
	err_has "\-\-max-command BYTES" "the CLI's option for the buffer size"
	assert_nothing_sent "a command over the buffer"
}

# A rate the port cannot be set to is refused before anything is sent,
# with the rates that can.
test_unsettable_baud_rate_lists_the_rates() {
	start_sim
	mc --baud 300 info
	expect_rc 2 "--baud 300"
	err_has "baud rate 300 cannot be set" "the cause"
	err_has "9600, 19200" "the rates that can be set"
	err_has "or 4000000" "the end of the list"
	[ "$(log_count '^RX ')" -eq 0 ] || fail "a command reached the modem"
}
