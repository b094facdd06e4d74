#!/usr/bin/python3
"""A modem with canned answers on a pseudo-terminal, for CLI tests of answers
that modemsim never gives (a read whose content does not match its digest,
an answer about another credential, garbage %KEYGEN answers, ERROR to
AT+CGSN as test firmware gives).

    canned_modem.py --link PATH --log FILE [--answer PREFIX ANSWER]...

Each command is appended to the log. A command that starts with PREFIX gets
ANSWER (Python escapes such as \\r\\n are decoded; the first matching
--answer wins). Otherwise it answers like an nRF91 with the at_client
sample: AT+CMEE and AT+CFUN as state (CFUN 1 and CMEE 0 at start), AT+CGSN,
AT+CGMM, AT+CGMR, AT%XMODEMUUID, and an error to anything else. The pty and
the command framing are tests/tools/ptymodem.py's. Standard library only.
"""
import argparse
import os
import signal
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tools"))
from ptymodem import PtyModem, SessionState, decode_answer  # noqa: E402

DEVICE = {
    b"AT+CGSN": b"351358811234567",
    b"AT+CGMM": b"nRF9160-SICA",
    b"AT+CGMR": b"mfw_nrf9160_1.3.5",
    b"AT%XMODEMUUID": b"%XMODEMUUID: 7ac7e89f-2a6d-4d2f-8d3b-59c4a0b1ec11",
}


def answer(command, canned, session):
    for prefix, text in canned:
        if command.startswith(prefix):
            return text
    if command.upper() in DEVICE:
        return DEVICE[command.upper()] + b"\r\nOK\r\n"
    return session.answer(command)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--link", required=True)
    ap.add_argument("--log", required=True)
    ap.add_argument("--answer", nargs=2, action="append", default=[],
                    metavar=("PREFIX", "ANSWER"))
    args = ap.parse_args()
    canned = [(p.encode("latin-1"), decode_answer(a)) for p, a in args.answer]

    modem = PtyModem(args.link, args.log)
    session = SessionState(cfun=1, cmee=0)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    try:
        while True:
            command = modem.read_command()
            if command is not None:
                modem.send(answer(command, canned, session))
    finally:
        modem.close()


if __name__ == "__main__":
    main()
