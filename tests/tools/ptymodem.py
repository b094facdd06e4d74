#!/usr/bin/python3
"""A scripted modem on a pseudo-terminal, for tests that need exact bytes.

modemsim (tests/modemsim/) is the faithful simulated nRF91. This module is
its opposite: a small base that answers exactly what a test script says, so
tests can replay real modem answers byte for byte (--replay) or misbehave on
purpose (tests/hostile/ builds its scenarios on PtyModem).

    python3 tests/tools/ptymodem.py --link PATH --replay FILE [--log FILE]
        [--cfun N] [--stale TEXT] [--inject-seed N]

Ready means: PATH exists. SIGTERM or SIGINT stop it and remove PATH.

--stale TEXT: bytes (Python escapes) already waiting in the line when a
client opens it, as a prompt or a half line printed before the run waits
in a USB or tty buffer.

--inject-seed N: the metamorphic mode. Every answer gets lines that a real
device prints on its own inserted at each of its line boundaries outside
quoted content (a %CMNG=2 answer's break after "<sha>", is one), the start
of the answer included; the seed picks which line goes where. What is inserted follows the device's kind (see Injector): a raw AT
host (asset_tracker and similar applications) interleaves URCs and Zephyr
log lines; a Zephyr shell (a command typed as "at ...") prints modem_shell
events and log lines, before the echo by erasing the prompt's row and
drawing the prompt again (Zephyr shell_vfprintf()), after it as plain lines.
A client must come to the same verdict as without them.

Replay files (tests/fixtures/transcripts/*.txt) are plain text:

    # source: where the answer was published (required, free text)
    # any other "# key: value" header lines are free for the tests
    > AT%CMNG=1                       a command the modem expects
    < %CMNG: 12,0,"978C..."           an answer line, sent with CR LF appended
    <~ -----BEGIN CERTIFICATE-----    an answer line, sent with LF appended
    <| OK\\r\\n                        raw bytes, nothing appended

Answer text may hold Python escapes (\\r \\n \\x1b \\\\), decoded as Latin-1.
A received command is answered by the first unused exchange whose "> "
command equals it (after the terminator and surrounding blanks are removed);
once all matching exchanges were used, the last one is used again. Commands
no exchange names get the answers of a plain modem for session handling
(AT, ATE0/1, AT+CMEE, AT+CFUN) and ERROR for everything else.

The log (--log) gets one line per received command, Python-escaped, so a
test can check from the modem's side what was (or was not) sent.
"""

import argparse
import codecs
import os
import random
import re
import select
import signal
import sys
import termios
import tty


# Typed by modemcred before each line in shell mode (lib/at_shell.h)
CTRL_U = 0x15


class PtyModem:
    """A pseudo-terminal published as a symlink, read as AT commands.

    The slave side stays open here too, so the master never sees a hangup
    while no client has the port open.
    """

    def __init__(self, link, log=None, stale=b""):
        self.master, self.slave = os.openpty()
        tty.setraw(self.slave)
        attrs = termios.tcgetattr(self.slave)
        attrs[3] &= ~termios.ECHO
        termios.tcsetattr(self.slave, termios.TCSANOW, attrs)
        self.link = link
        self.log = open(log, "a", buffering=1) if log else None
        self.pending = b""
        # written before the link exists: it waits in the line for the first client
        if stale:
            self.send(stale)
        # publish atomically: a client never sees a half-made link
        tmp = link + ".tmp"
        if os.path.lexists(tmp):
            os.unlink(tmp)
        os.symlink(os.ttyname(self.slave), tmp)
        os.rename(tmp, link)

    def close(self):
        self.hangup()
        if self.log:
            self.log.close()
            self.log = None

    def read_some(self, timeout=None):
        """Bytes the client wrote, b"" on timeout."""
        ready, _, _ = select.select([self.master], [], [], timeout)
        if not ready:
            return b""
        return os.read(self.master, 4096)

    def read_command(self, timeout=None):
        """The next command: bytes up to CR, LF or NUL outside double quotes.

        Leading blanks and line ends are skipped (a CR LF sender's LF). Returns
        None on timeout.
        """
        while True:
            command = self._take_command()
            if command is not None:
                if self.log:
                    self.log.write(repr(command)[2:-1] + "\n")
                return command
            data = self.read_some(timeout)
            if not data:
                return None
            self.pending += data

    def _take_command(self):
        in_quotes = False
        for i, byte in enumerate(self.pending):
            if byte == CTRL_U:
                # a Zephyr shell's Ctrl-U: what was typed so far is gone
                self.pending = self.pending[i + 1:]
                return self._take_command()
            if byte == ord('"'):
                in_quotes = not in_quotes
            elif not in_quotes and byte in (0x0D, 0x0A, 0x00):
                command = self.pending[:i].strip(b" \t\r\n\x00")
                self.pending = self.pending[i + 1:]
                if command:
                    return command
                return self._take_command()
        return None

    def send(self, data):
        """Write bytes to the client, all of them."""
        view = memoryview(data)
        while view:
            written = os.write(self.master, view)
            view = view[written:]

    def hangup(self):
        """Drop the line: close both sides of the pty and remove the link.

        The client's next read() of its slave returns EOF or EIO and its
        writes fail, as when a USB modem is unplugged. Nothing can be sent
        or received afterwards; close() is then a no-op for the pty.
        """
        if os.path.lexists(self.link):
            os.unlink(self.link)
        for fd in (self.master, self.slave):
            if fd >= 0:
                os.close(fd)
        self.master = self.slave = -1

    @property
    def alive(self):
        return self.master >= 0


def decode_answer(text):
    return codecs.decode(text, "unicode_escape").encode("latin-1")


def load_transcript(path):
    """[(command bytes, answer bytes)] of a replay file."""
    exchanges = []
    with open(path, encoding="utf-8") as f:
        for number, raw in enumerate(f, 1):
            line = raw.rstrip("\n")
            if line.startswith("> "):
                exchanges.append([line[2:].strip().encode("latin-1"), b""])
                continue
            for prefix, ending in (("<| ", b""), ("<~ ", b"\n"), ("< ", b"\r\n")):
                if line.startswith(prefix) or line == prefix.rstrip():
                    if not exchanges:
                        raise ValueError(f"{path}:{number}: an answer before any command")
                    exchanges[-1][1] += decode_answer(line[len(prefix):]) + ending
                    break
            else:
                if line.strip() and not line.startswith("#"):
                    raise ValueError(f"{path}:{number}: not a header, > or < line")
    return [(command, answer) for command, answer in exchanges]


class SessionState:
    """The answers of a plain modem to the commands every session sends.

    Anything else is refused, with a bare ERROR or, after AT+CMEE=1, with
    +CME ERROR: 0 as the modem does for an unknown command.
    """

    def __init__(self, cfun=4, cmee=0):
        self.cfun = cfun
        self.cmee = cmee

    def error(self, code=0):
        return b"+CME ERROR: %d\r\n" % code if self.cmee else b"ERROR\r\n"

    def answer(self, command):
        upper = command.upper()
        if upper in (b"AT", b"ATE0", b"ATE1"):
            return b"OK\r\n"
        if upper == b"AT+CMEE?":
            return b"+CMEE: %d\r\nOK\r\n" % self.cmee
        if upper.startswith(b"AT+CMEE=") and upper[8:] in (b"0", b"1"):
            self.cmee = int(upper[8:])
            return b"OK\r\n"
        if upper == b"AT+CFUN?":
            return b"+CFUN: %d\r\nOK\r\n" % self.cfun
        if upper.startswith(b"AT+CFUN=") and upper[8:].isdigit():
            self.cfun = int(upper[8:])
            return b"OK\r\n"
        return self.error(0)


class Injector:
    """Lines a device prints on its own, put into answers (--inject-seed).

    Their shapes are those of real firmware: URCs as the modem sends them
    (NOTES.md, the AT command reference), Zephyr log lines as log_output
    formats them (subsys/logging/log_output.c: timestamp, colour, level,
    module), modem_shell's event lines (sdk-nrf samples/cellular/modem_shell
    link/link.c, link/link_shell_print.c, link/link_shell_pdn.c).
    """

    URCS = [
        b'+CEREG: 2,"76C1","0102DA04",7',
        b"%CESQ: 54,2,16,2",
        b"+CSCON: 0",
        b"%XMODEMSLEEP: 1,0",
    ]
    LOG_LINES = [
        b"[00:00:05.123,456] <inf> app: sensor sample taken",
        b"[00:01:12.000,030] \x1b[1;33m<wrn> app: battery low\x1b[0m",
        # CONFIG_LOG_MODE_MINIMAL (include/zephyr/logging/log_core.h)
        b"I: Connected to LTE network",
    ]
    EVENTS = [
        b"Network registration status: searching",
        b"Modem domain event: No IMEI",
        b"LTE cell changed: ID: 17031947, Tracking area: 33902",
        b"Currently active system mode: LTE-M",
        b"PDN event: PDP context 0 activated",
        b"RRC mode: Connected",
        # the modem information modem_shell prints after registering
        # (link/link_api.c link_api_modem_info_get_for_shell(); makerdiary
        # nrf9151-connectkit docs/guides/ncs/applications/modem_shell.md)
        b"Modem config for system mode: LTE-M - NB-IoT - GNSS",
        b"Battery voltage:       4520 mV",
        b"Operator PLMN:        \"46000\"",
        b"PDP context info 1:",
        b"  PDP context active: yes",
        b"  IPv4 DNS address:   120.196.165.7, 221.179.38.7",
    ]
    PROMPT = re.compile(rb"(?:\x1b\[1;32m)?[a-z0-9_.-]+:~\$ (?:\x1b\[m)?")

    def __init__(self, seed):
        self.rng = random.Random(seed)

    @staticmethod
    def boundaries(answer):
        """Offsets where a line may be put: the start, and after each LF
        outside quotes."""
        points = [0]
        in_quotes = False
        for i, byte in enumerate(answer):
            if byte == ord('"'):
                in_quotes = not in_quotes
            elif byte == 0x0A and not in_quotes:
                points.append(i + 1)
        return points

    def line_for(self, command, shell):
        if shell:
            return self.rng.choice(self.EVENTS + self.LOG_LINES)
        own = re.match(rb"(?i)AT([+%][A-Z0-9]+)", command)
        urcs = [u for u in self.URCS if not own or not u.upper().startswith(own.group(1).upper() + b":")]
        return self.rng.choice(urcs + self.LOG_LINES)

    def inject(self, command, answer):
        shell = command[:3].lower() == b"at "
        prompt = self.PROMPT.search(answer)
        prompt = prompt.group(0) if prompt else b"uart:~$ "
        out = b""
        start = 0
        for point in self.boundaries(answer):
            out += answer[start:point]
            line = self.line_for(command, shell)
            if shell and point == 0:
                # at the idle prompt: erase its row, the line, the prompt again
                out += b"\x1b[8D\x1b[J" + line + b"\r\n" + prompt
            else:
                out += line + b"\r\n"
            start = point
        return out + answer[start:]


def replay(modem, exchanges, session, injector=None):
    used = [False] * len(exchanges)
    while True:
        command = modem.read_command()
        if command is None:
            return
        matches = [i for i, (expected, _) in enumerate(exchanges) if expected == command]
        unused = [i for i in matches if not used[i]]
        if unused or matches:
            i = unused[0] if unused else matches[-1]
            used[i] = True
            answer = exchanges[i][1]
        else:
            answer = session.answer(command)
        if injector:
            answer = injector.inject(command, answer)
        modem.send(answer)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--link", required=True, help="symlink to the pty")
    parser.add_argument("--replay", required=True, help="transcript to answer from")
    parser.add_argument("--log", help="append each received command here")
    parser.add_argument("--cfun", type=int, default=4, help="AT+CFUN? answer at start")
    parser.add_argument("--stale", default="", help="bytes waiting in the line at open")
    parser.add_argument("--inject-seed", type=int, help="insert lines of a device's own")
    args = parser.parse_args()

    exchanges = load_transcript(args.replay)
    modem = PtyModem(args.link, args.log, decode_answer(args.stale))
    injector = Injector(args.inject_seed) if args.inject_seed is not None else None

    def stop(signum, frame):
        raise SystemExit(0)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    try:
        replay(modem, exchanges, SessionState(cfun=args.cfun), injector)
    finally:
        modem.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
