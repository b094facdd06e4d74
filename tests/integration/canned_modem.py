#!/usr/bin/python3
"""A modem with canned answers on a pseudo-terminal, for CLI tests of answers
that modemsim never gives (a read whose content does not match its digest,
an answer about another credential, garbage %KEYGEN answers, ERROR to
AT+CGSN as test firmware gives).

    canned_modem.py --link PATH --log FILE [--answer PREFIX ANSWER]...

Each command (ended by CR or LF outside double quotes) is appended to the
log. A command that starts with PREFIX gets ANSWER (Python escapes such as
\\r\\n are decoded; the first matching --answer wins). Otherwise it answers
like an nRF91 with the at_client sample: AT+CMEE and AT+CFUN as state
(CFUN 1 and CMEE 0 at start), AT+CGSN, AT+CGMM, AT+CGMR, AT%XMODEMUUID, and
ERROR to anything else. The link appears once the pty is ready; SIGTERM
stops it. Standard library only.
"""
import argparse
import os
import pty
import re
import signal
import sys
import tty

DEFAULTS = {
    "AT+CGSN": "351358811234567",
    "AT+CGMM": "nRF9160-SICA",
    "AT+CGMR": "mfw_nrf9160_1.3.5",
    "AT%XMODEMUUID": "%XMODEMUUID: 7ac7e89f-2a6d-4d2f-8d3b-59c4a0b1ec11",
}


class Modem:
    def __init__(self, answers, log):
        self.answers = answers
        self.log = log
        self.cfun = 1
        self.cmee = 0

    def error(self):
        return "\r\n+CME ERROR: 0\r\n" if self.cmee else "\r\nERROR\r\n"

    def answer(self, cmd):
        with open(self.log, "a") as f:
            f.write(cmd + "\n")
        for prefix, text in self.answers:
            if cmd.startswith(prefix):
                return text
        m = re.fullmatch(r"AT\+(CMEE|CFUN)(\?|=(\d+))", cmd)
        if m:
            if m.group(2) == "?":
                value = self.cmee if m.group(1) == "CMEE" else self.cfun
                return "\r\n+%s: %d\r\n\r\nOK\r\n" % (m.group(1), value)
            setattr(self, m.group(1).lower(), int(m.group(3)))
            return "\r\nOK\r\n"
        if cmd in DEFAULTS:
            return "\r\n%s\r\n\r\nOK\r\n" % DEFAULTS[cmd]
        return self.error()


def serve(fd, modem):
    pending = b""
    quoted = False
    while True:
        # blocks until a client writes: the slave stays open here, so a
        # client closing the port is no end of file
        data = os.read(fd, 4096)
        for byte in data:
            ch = bytes([byte])
            if ch == b'"':
                quoted = not quoted
            if not quoted and ch in (b"\r", b"\n"):
                cmd = pending.decode("latin-1")
                pending = b""
                if cmd:
                    os.write(fd, modem.answer(cmd).encode("latin-1"))
                continue
            pending += ch


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--link", required=True)
    ap.add_argument("--log", required=True)
    ap.add_argument("--answer", nargs=2, action="append", default=[],
                    metavar=("PREFIX", "ANSWER"))
    args = ap.parse_args()
    answers = [(p, a.encode("latin-1").decode("unicode_escape")) for p, a in args.answer]

    master, slave = pty.openpty()
    tty.setraw(slave)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    tmp = args.link + ".tmp"
    if os.path.lexists(tmp):
        os.unlink(tmp)
    os.symlink(os.ttyname(slave), tmp)
    os.rename(tmp, args.link)
    try:
        serve(master, Modem(answers, args.log))
    finally:
        if os.path.lexists(args.link):
            os.unlink(args.link)


if __name__ == "__main__":
    main()
