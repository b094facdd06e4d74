#!/usr/bin/python3
"""A misbehaving nRF91 on a pseudo-terminal, with named scenarios.

Without a scenario ("plain") it answers like an nRF91 running the at_client
sample: AT, ATE, AT+CMEE, AT+CFUN, AT+CGSN/CGMM/CGMR, AT%XMODEMUUID, %CMNG
(write, list, read, delete; a small store with SHA-256 digests), %KEYGEN (a
recorded answer, tests/fixtures/keygen_csr.txt, sec_tag 42) and
%ATTESTTOKEN (tests/fixtures/attest.txt). Writes, deletes and %KEYGEN need
CFUN 0 or 4 (else CME 518), as on the real modem.

A scenario misbehaves on the "target": the first command matching a
regular expression (the operation under test, e.g. AT%CMNG=0 for a write;
for bare_error every one: a modem that refuses a command refuses it again),
on the commands it names (AT+CFUN=4, the restoring AT+CFUN, AT+CMEE), or on
every command (echoes, NUL bytes). SCENARIOS lists them with one line each;
tests/hostile/run.py drives the CLI against them.

Standalone, for trying a scenario by hand:

    /usr/bin/python3 tests/hostile/hostile.py --link /tmp/bad --scenario echo_late \\
        [--target 'AT%CMNG=0'] [--k 5] [--log FILE] [--cfun 1]
"""

import argparse
import hashlib
import os
import re
import select
import signal
import sys
import threading

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(ROOT, "tests", "tools"))

from ptymodem import PtyModem, SessionState  # noqa: E402

BANNER = (b"*** Booting nRF Connect SDK v2.6.0 ***\r\n"
          b"The AT host sample started\r\nReady\r\n")
IMEI = b"351358811234567"
KEYGEN_TAG = 42  # the sec_tag inside tests/fixtures/keygen_csr.txt
# the subject of its CSR (made for this project with tests/tools/make_fixtures.py)
KEYGEN_ATTRIBUTES = "O=Test Org,CN=device-1"
URC = b"%XMODEMSLEEP: 1,0\r\n"  # a URC without quotes: safe anywhere
TAIL = b"MODEMSLEEP: 1,0\r\n"  # its tail, as a port opened mid-line receives it
GARBAGE_BEFORE = b"\xff\xfe\x01junk\x7f\r\n\x00\x1b[0m\x00\r\n"
GARBAGE_AFTER = b"\x03\xffgarbage\r\n"


# Scenarios that misbehave on every command matching the target, not only
# the first: a refusal is the modem's answer to that command in that state.
EVERY_MATCH = {"bare_error"}


def fixture(name):
    with open(os.path.join(ROOT, "tests", "fixtures", name), "rb") as f:
        return f.read().strip()


def sha(content):
    return hashlib.sha256(content).hexdigest().upper().encode()


def split_params(text):
    """Parameters of a set command, split at commas outside quotes."""
    params, cur, quoted = [], b"", False
    for i in range(len(text)):
        c = text[i:i + 1]
        if c == b'"':
            quoted = not quoted
        if c == b"," and not quoted:
            params.append(cur.strip())
            cur = b""
        else:
            cur += c
    params.append(cur.strip())
    return params


def unquote(p):
    return p[1:-1] if len(p) >= 2 and p[:1] == b'"' and p[-1:] == b'"' else p


class Nrf91(SessionState):
    """The plain modem: session state, device facts and a credential store."""

    UNREADABLE = (1, 2, 3, 10)
    MODEM_OWNED = {(4294967292, 11): b"nordic base", (4294967293, 10): b"nordic ca",
                   (4294967294, 6): b"identity"}

    def __init__(self, cfun=1, cmee=0, store=None):
        super().__init__(cfun=cfun, cmee=cmee)
        self.store = dict(self.MODEM_OWNED)
        self.store.update(store or {})

    def error(self, code):
        return b"+CME ERROR: %d\r\n" % code if self.cmee else b"ERROR\r\n"

    def reboot(self):
        self.cfun, self.cmee = 0, 0

    def answer(self, command):
        upper = command.upper()
        simple = {b"AT+CGSN": IMEI, b"AT+CGSN=1": b'+CGSN: "' + IMEI + b'"',
                  b"AT+CGMM": b"nRF9160-SICA", b"AT+CGMR": b"mfw_nrf9160_1.3.5",
                  b"AT%XMODEMUUID": b"%XMODEMUUID: 4e5249d0-5349-4d00-8000-0123456789ab"}
        if upper in simple:
            return simple[upper] + b"\r\nOK\r\n"
        if upper.startswith(b"AT+CFUN=") and upper[8:] not in (b"0", b"1", b"4"):
            return self.error(50)
        if upper.startswith(b"AT%CMNG="):
            return self.cmng(split_params(command[8:]))
        if upper.startswith(b"AT%KEYGEN="):
            return self.keygen(split_params(command[10:]))
        if upper.startswith(b"AT%ATTESTTOKEN"):
            return b'%ATTESTTOKEN: "' + fixture("attest.txt") + b'"\r\nOK\r\n'
        return super().answer(command)

    def cmng(self, p):
        try:
            op = int(p[0])
            tag = int(p[1]) if len(p) > 1 else None
            kind = int(p[2]) if len(p) > 2 else None
        except ValueError:
            return self.error(50)
        if op == 1:
            lines = b"".join(b'%%CMNG: %d,%d,"%s"\r\n' % (t, k, sha(c))
                             for (t, k), c in sorted(self.store.items())
                             if tag in (None, t) and kind in (None, k))
            return lines + b"OK\r\n"
        if tag is None or kind is None:
            return self.error(50)
        if op == 2:
            if (tag, kind) not in self.store:
                return self.error(513)
            if kind in self.UNREADABLE:
                return self.error(514)
            content = self.store[(tag, kind)]
            return b'%%CMNG: %d,%d,"%s","%s"\r\nOK\r\n' % (tag, kind, sha(content), content)
        if self.cfun == 1 and op in (0, 3):
            return self.error(518)
        if op == 0 and len(p) >= 4:
            self.store[(tag, kind)] = unquote(p[3])
            return b"OK\r\n"
        if op == 3:
            if (tag, kind) not in self.store:
                return self.error(513)
            del self.store[(tag, kind)]
            return b"OK\r\n"
        return self.error(50)

    def keygen(self, p):
        if self.cfun == 1:
            return self.error(518)
        try:
            tag = int(p[0])
        except ValueError:
            return self.error(50)
        self.store[(tag, 2)] = b"generated in the modem"
        return b'%KEYGEN: "' + fixture("keygen_csr.txt") + b'"\r\nOK\r\n'


def info_and_final(answer):
    """(information lines, final result line) of a whole answer."""
    body = answer[:-2] if answer.endswith(b"\r\n") else answer
    cut = body.rfind(b"\r\n")
    if cut < 0:
        return b"", answer
    return answer[:cut + 2], answer[cut + 2:]


def is_error(answer):
    return not answer.endswith(b"OK\r\n")


def noise_in_info_lines(answer):
    """A 0xFF byte in the middle of each information line; the final result intact."""
    info, final = info_and_final(answer)
    lines = info.split(b"\r\n")[:-1]
    return b"".join(line[:len(line) // 2] + b"\xff" + line[len(line) // 2:] + b"\r\n"
                    for line in lines) + final


def flooded(answer):
    """300 URCs before the answer, one between each two of its lines, 50 after."""
    lines = answer.split(b"\r\n")
    return URC * 300 + (b"\r\n" + URC).join(lines[:-1]) + b"\r\n" + URC * 50


def urcs_in_content(answer):
    """URCs after the first and before the last line of a quoted PEM."""
    answer = answer.replace(b"\n-----END", b"\n" + URC + b"-----END")
    return answer.replace(b"-----\n", b"-----\n" + URC, 1)


def digest_rewrite(answer, change):
    """The answer with each 64-hex digest passed through change(digest)."""
    return re.sub(rb'"([0-9A-F]{64})"', lambda m: change(m.group(1)), answer)


class Hostile:
    """Serves one client on a PtyModem, misbehaving as the scenario says."""

    def __init__(self, link, scenario, target=None, k=0, log=None, cfun=1, cmee=0,
                 store=None):
        if scenario not in SCENARIOS:
            raise ValueError("unknown scenario " + scenario)
        self.pty = PtyModem(link, log)
        os.set_blocking(self.pty.master, False)  # see send()
        self.modem = Nrf91(cfun=cfun, cmee=cmee, store=store)
        self.scenario = scenario
        self.target = re.compile(target.encode() if isinstance(target, str) else target) \
            if target else None
        self.k = k
        self.hits = 0             # target commands seen
        self.silent = False       # stall_from: no answers any more
        self.held = None          # late_answer: an answer waiting for the next command
        self.reboot_pending = False
        self.prev_echo = b""
        self.went_offline = False
        self.mute = False         # drain(): execute what is left, answer nothing
        self.target_seen = threading.Event()  # for drivers that act on it (signals)
        # hold_target: the driver has acted (a signal sent, the pipes closed)
        self.released = threading.Event()
        self.busy_left = 0        # busy_past_recovery: commands still to hold back,
        self.busy_held = b""      # and their answers
        self.stop = threading.Event()
        self.tail_sent = False
        if scenario == "tail_before_open":
            # a URC cut by the port being opened: its tail is the first thing read
            self.send(TAIL)

    # ---- serving ----------------------------------------------------------

    def serve(self):
        """Answer commands until stop is set or the line was hung up."""
        try:
            while not self.stop.is_set() and self.pty.alive:
                command = self.pty.read_command(timeout=0.05)
                if command is not None:
                    self.handle(command)
        except OSError:
            pass  # the client side went away mid-write: nothing left to do

    def drain(self):
        """After the client has gone: carry out the commands it already sent.

        A busy modem (trickling, say) reads the next command only when it has
        finished the answer in hand; the client may have given up and left
        meanwhile. The modem's final state is the one after those commands,
        so they are executed here, with nothing sent.
        """
        self.mute = True
        try:
            while self.pty.alive:
                command = self.pty.read_command(timeout=0)
                if command is None:
                    return
                self.handle(command)
        except OSError:
            pass

    def close(self):
        self.stop.set()
        self.pty.close()

    def send(self, data, pace=0.0):
        """Send data, paced one byte per pace seconds if pace > 0.

        Never blocks for good: a client that stopped reading (it gave up on a
        1 MB line, say) would otherwise hold this thread in write() once the
        pty's buffer is full. Gives up when the modem is stopped.
        """
        if self.mute or not data:
            return
        step = 1 if pace > 0 else len(data)
        for i in range(0, len(data), step):
            if pace > 0 and self.stop.wait(pace):
                return
            view = memoryview(data[i:i + step])
            while view:
                if not self.pty.alive or self.stop.is_set():
                    return
                _, writable, _ = select.select([], [self.pty.master], [], 0.05)
                try:
                    if writable:
                        view = view[os.write(self.pty.master, view):]
                except BlockingIOError:
                    pass  # the master is non-blocking: wait for room again

    def is_target(self, command):
        if self.target is None or not self.target.search(command):
            return False
        self.hits += 1
        if self.hits == 1:
            self.target_seen.set()
        return self.hits == 1 or self.scenario in EVERY_MATCH

    def handle(self, command):
        target = self.is_target(command)
        if self.silent:
            return
        if self.reboot_pending:
            self.reboot_pending = False
            self.send(BANNER)
            self.modem.reboot()
        if self.held is not None:
            held, self.held = self.held, None
            self.send(held)
        getattr(self, "sc_" + self.scenario)(command, target)

    def plain(self, command):
        answer = self.modem.answer(command)
        if command.upper() == b"AT+CFUN=4" and not is_error(answer):
            self.went_offline = True
        return answer

    def send_changed(self, command, target, change):
        """The plain answer, passed through change() for the target."""
        answer = self.plain(command)
        self.send(change(answer) if target else answer)

    # ---- scenarios (each: self, command, is this the target) ----------------

    def sc_plain(self, command, target):
        self.send(self.plain(command))

    def sc_tail_before_open(self, command, target):
        self.send(self.plain(command))  # the tail itself was sent at the start

    def sc_tail_first(self, command, target):
        answer = self.plain(command)
        if not self.tail_sent:
            self.tail_sent = True
            answer = TAIL + answer
        self.send(answer)

    def sc_imei_shape(self, command, target):
        self.send(TAIL + b"OK\r\n" if target else self.plain(command))

    def sc_echo_on(self, command, target):
        self.send(command + b"\r\n" + self.plain(command))

    def sc_echo_late(self, command, target):
        self.send(self.prev_echo + self.plain(command))
        self.prev_echo = command + b"\r\n"

    def sc_echo_noise(self, command, target):
        self.send(b"\xff" + command + b"\r\n" + self.plain(command))

    def sc_echo_crlf(self, command, target):
        echo = command.replace(b"\n", b"\r\n")
        middle = len(echo) // 2
        self.send(echo[:middle] + b"\r\n" + echo[middle:] + b"\r\n" + self.plain(command))

    def sc_nul_bytes(self, command, target):
        out = b"\x00"
        for line in self.plain(command).split(b"\r\n")[:-1]:
            out += line[:len(line) // 2] + b"\x00" + line[len(line) // 2:] + b"\r\n\x00\x00"
        self.send(out)

    def sc_garbage_lines(self, command, target):
        self.send_changed(command, target, lambda a: GARBAGE_BEFORE + a + GARBAGE_AFTER)

    def sc_garbage_inside(self, command, target):
        self.send_changed(command, target, noise_in_info_lines)

    def sc_long_line(self, command, target):
        self.send_changed(command, target, lambda a: b"+CEREG: " + b"A" * (1 << 20) + b"\r\n" + a)

    def sc_urc_flood(self, command, target):
        self.send_changed(command, target, flooded)

    def sc_urc_in_read(self, command, target):
        self.send_changed(command, target, urcs_in_content)

    def sc_urc_unbalanced(self, command, target):
        self.send_changed(command, target, lambda a: b'+CEREG: 5,"1234\r\n' + a)

    def sc_trickle(self, command, target):
        self.send(self.plain(command), pace=0.05 if target else 0.0)

    def sc_stall_one(self, command, target):
        if not target:
            self.send(self.plain(command))

    def sc_stall_from(self, command, target):
        if target:
            self.silent = True
        else:
            self.send(self.plain(command))

    def sc_disconnect(self, command, target):
        answer = self.plain(command)
        if target:
            self.send(answer[:self.k])
            self.pty.hangup()
        else:
            self.send(answer)

    def sc_ok_first(self, command, target):
        answer = self.plain(command)
        if target and not is_error(answer):
            info, final = info_and_final(answer)
            answer = final + info
        self.send(answer)

    def sc_bare_error(self, command, target):
        self.send(b"ERROR\r\n" if target else self.plain(command))

    def sc_cme(self, command, target):
        self.send(b"+CME ERROR: 514\r\n" if target else self.plain(command))

    def sc_cms(self, command, target):
        self.send(b"+CMS ERROR: 500\r\n" if target else self.plain(command))

    def sc_no_final(self, command, target):
        answer = self.plain(command)
        self.send(info_and_final(answer)[0] if target else answer)

    def sc_dup_ok(self, command, target):
        answer = self.plain(command)
        self.send(answer + b"OK\r\n" if target and not is_error(answer) else answer)

    def sc_late_answer(self, command, target):
        answer = self.plain(command)
        if target:
            self.held = answer  # sent before the answer of the next command
        else:
            self.send(answer)

    def sc_reboot_on(self, command, target):
        if target:
            self.send(BANNER)
            self.modem.reboot()
        else:
            self.send(self.plain(command))

    def sc_reboot_after(self, command, target):
        self.send(self.plain(command))
        if target:
            self.reboot_pending = True  # the banner comes before the next answer

    def sc_cfun4_refused(self, command, target):
        self.send(b"ERROR\r\n" if command.upper() == b"AT+CFUN=4" else self.plain(command))

    def sc_cfun4_silent(self, command, target):
        if command.upper() != b"AT+CFUN=4":
            self.send(self.plain(command))

    def restoring(self, command):
        upper = command.upper()
        return self.went_offline and upper.startswith(b"AT+CFUN=") and upper != b"AT+CFUN=4"

    def sc_restore_refused(self, command, target):
        self.send(b"ERROR\r\n" if self.restoring(command) else self.plain(command))

    def sc_restore_silent(self, command, target):
        if not self.restoring(command):
            self.send(self.plain(command))

    def sc_hold_target(self, command, target):
        # the driver acts while the client waits for this answer: an event,
        # not a guess how long the client takes to get there
        if target:
            self.released.wait(60)
        self.send(self.plain(command))

    def sc_busy_past_recovery(self, command, target):
        # A modem busy with the target past the client's timeout and past its
        # first link recovery (the recovery bytes and a query): what it is
        # sent meanwhile waits in its buffer, and it answers all of it, in
        # order, once a fourth command (the client's next try) has come.
        if target:
            self.busy_left = 4
        if self.busy_left:
            self.busy_held += self.plain(command)
            self.busy_left -= 1
            if self.busy_left == 0:
                held, self.busy_held = self.busy_held, b""
                self.send(held)
            return
        self.send(self.plain(command))

    def sc_stall_restore_silent(self, command, target):
        if not target and not self.restoring(command):
            self.send(self.plain(command))

    def sc_cfun_malformed(self, command, target):
        if command.upper() == b"AT+CFUN?":
            self.send(b"+CFUN: one\r\nOK\r\n")
        else:
            self.send(self.plain(command))

    def sc_cmee_unsupported(self, command, target):
        if command.upper().startswith(b"AT+CMEE"):
            self.send(b"ERROR\r\n")
        else:
            self.send(self.plain(command))

    def sc_other_tag(self, command, target):
        self.send_changed(command, target, lambda a: re.sub(rb"%CMNG: \d+,", b"%CMNG: 99,", a))

    def sc_wrong_digest(self, command, target):
        self.send_changed(command, target,
                          lambda a: digest_rewrite(a, lambda d: b'"' + sha(d) + b'"'))

    def sc_lower_digest(self, command, target):
        self.send_changed(command, target,
                          lambda a: digest_rewrite(a, lambda d: b'"' + d.lower() + b'"'))

    def sc_no_digest(self, command, target):
        self.send_changed(command, target,
                          lambda a: re.sub(rb'(%CMNG: \d+,\d+),"[0-9A-F]{64}"', rb"\1", a))

    def sc_content_mismatch(self, command, target):
        self.send_changed(command, target, lambda a: a.replace(b"-----\nMII", b"-----\nMIJ", 1))

    def sc_unterminated_read(self, command, target):
        self.send_changed(command, target, lambda a: a.replace(b'-----\n"\r\n', b"-----\n\r\n", 1))

    def sc_blob_empty(self, command, target):
        self.send_changed(command, target, lambda a: re.sub(rb'"[^"]*"', b'""', a, count=1))

    def sc_blob_garbage(self, command, target):
        self.send_changed(command, target,
                          lambda a: re.sub(rb'"[^"]*"', b'"not*base64.@@@"', a, count=1))


# name: what it does; Hostile.sc_<name> does it
SCENARIOS = {
    "plain": "a well-behaved nRF91",
    "tail_before_open": "the tail of a URC waits in the port before the client opens it",
    "tail_first": "the tail of a URC arrives just before the first answer",
    "imei_shape": "AT+CGSN answers a line that is not an IMEI",
    "echo_on": "every command echoed (ATE1)",
    "echo_late": "the echo of each command arrives one command late",
    "echo_noise": "each echo after a noise byte 0xFF",
    "echo_crlf": "each echo with CRLF inside",
    "nul_bytes": "NUL bytes around and inside every answer line",
    "garbage_lines": "garbage lines before and after the answer",
    "garbage_inside": "a 0xFF byte inside each information line of the answer",
    "long_line": "a 1 MB line before the answer",
    "urc_flood": "300 URCs before, one between each answer line",
    "urc_in_read": "URCs inside the quoted content of a read",
    "urc_unbalanced": "a URC with an unbalanced quote first",
    "trickle": "the answer one byte per 50 ms",
    "stall_one": "no answer to the target, the rest answered",
    "stall_from": "no answer from the target on",
    "disconnect": "hang up after byte k of the answer",
    "ok_first": "OK before the information lines",
    "bare_error": "ERROR",
    "cme": "+CME ERROR: 514",
    "cms": "+CMS ERROR: 500",
    "no_final": "the information lines without a final result",
    "dup_ok": "OK twice",
    "late_answer": "the answer arrives with the next command's",
    "reboot_on": "boot banner instead of the answer, CFUN/CMEE 0",
    "reboot_after": "answered, then a reset before the next",
    "cfun4_refused": "AT+CFUN=4 answered ERROR",
    "cfun4_silent": "AT+CFUN=4 never answered",
    "restore_refused": "the restoring AT+CFUN answered ERROR",
    "restore_silent": "the restoring AT+CFUN never answered",
    "stall_restore_silent": "no answer to the target nor to the restoring AT+CFUN",
    "hold_target": "the answer to the target waits until the driver acted (signal, closed pipe)",
    "busy_past_recovery": "busy with the target past the timeout and the first link recovery, "
                          "then all answered in order",
    "cfun_malformed": "+CFUN: one",
    "cmee_unsupported": "AT+CMEE? and AT+CMEE= answer ERROR",
    "other_tag": "the list/read answer names tag 99",
    "wrong_digest": "the digests are those of something else",
    "lower_digest": "the digests in lower case",
    "no_digest": "no digests (old firmware)",
    "content_mismatch": "read content differs from its digest",
    "unterminated_read": "the read's closing quote missing",
    "blob_empty": 'an empty %KEYGEN / %ATTESTTOKEN ""',
    "blob_garbage": "a %KEYGEN / %ATTESTTOKEN that is not base64url",
}


def main():
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog="scenarios:\n" + "\n".join("  %-21s %s" % item for item in SCENARIOS.items()))
    parser.add_argument("--link", required=True)
    parser.add_argument("--scenario", default="plain", choices=sorted(SCENARIOS))
    parser.add_argument("--target", help="regex of the command to misbehave on")
    parser.add_argument("--k", type=int, default=0, help="disconnect after byte k")
    parser.add_argument("--log", help="append each received command here")
    parser.add_argument("--cfun", type=int, default=1)
    args = parser.parse_args()

    hostile = Hostile(args.link, args.scenario, args.target, args.k, args.log, args.cfun)

    def stop(signum, frame):
        hostile.stop.set()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    try:
        hostile.serve()
    finally:
        hostile.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
