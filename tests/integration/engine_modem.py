#!/usr/bin/python3
"""A small scripted nRF91 modem on a pty for tests/integration/test_engine.sh.

It answers like the at_client sample (CMEE, CFUN, device facts, a %CMNG store
with digests) and misbehaves on request, once per run:

  --echo on|late         echo each command, or each command one command late
  --echo-noise           a 0xFF byte before every echo
  --echo-split           echo without quotes, CRLF where quotes and LFs were
  --reset-on PREFIX      restart on the first command starting with PREFIX
                         (boot banner, CFUN 0, CMEE 0); its answer is lost...
  --reset-after-answer   ...unless this is given: answer it, then restart
  --silent-on PREFIX     never answer commands starting with PREFIX
  --silent-over N        never answer commands longer than N bytes
  --noise                Zephyr log lines before every answer
  --partial-urc          "%XMODEMSL" waiting before the tool opens the port,
                         "EEP: 1,0" right after the first command arrives

It writes "cfun=N cmee=N" to --state after every command and logs each
command (secrets included: the log is the modem's side) to --log.
The pty and the command framing are tests/tools/ptymodem.py's. Python 3
standard library only.
"""
import argparse
import hashlib
import os
import signal
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tools"))
from ptymodem import PtyModem  # noqa: E402

BANNER = b"*** Booting nRF Connect SDK v2.6.0 ***\r\nThe AT host sample started\r\nReady\r\n"
NOISE = b"[00:00:01.254,882] <inf> at_host: command received\r\n*** Using Zephyr OS v3.5.99 ***\r\n"


class Modem:
    def __init__(self, args, fd):
        self.a = args
        self.fd = fd
        self.cfun = args.cfun
        self.cmee = 0
        self.store = {}
        self.prev = None
        self.reset_done = False
        self.tail_pending = args.partial_urc

    def out(self, data):
        os.write(self.fd, data)

    def state(self):
        with open(self.a.state + ".tmp", "w") as f:
            f.write("cfun=%d cmee=%d\n" % (self.cfun, self.cmee))
        os.replace(self.a.state + ".tmp", self.a.state)

    def fail(self, code):
        self.out(b"+CME ERROR: %d\r\n" % code if self.cmee else b"ERROR\r\n")

    def echo_bytes(self, cmd):
        data = b"\xff" if self.a.echo_noise else b""
        if self.a.echo_split:
            cmd = cmd.replace(b'"', b"\r\n").replace(b"\n", b"\r\n").replace(b"\r\r", b"\r")
        return data + cmd + b"\r\n"

    def echo(self, cmd):
        if self.a.echo == "on":
            self.out(self.echo_bytes(cmd))
        elif self.a.echo == "late":
            if self.prev is not None:
                self.out(self.echo_bytes(self.prev))
            self.prev = cmd

    def cmng(self, args):
        op, _, rest = args.partition(b",")
        if op == b"0":
            tag, typ, content = rest.split(b",", 2)
            if self.cfun == 1:
                return self.fail(518)
            self.store[(int(tag), int(typ))] = content.split(b'"')[1]
            return self.out(b"OK\r\n")
        if op == b"1":
            want = [int(x) for x in rest.split(b",")] if rest else []
            for (tag, typ), content in sorted(self.store.items()):
                if want and (tag != want[0] or (len(want) > 1 and typ != want[1])):
                    continue
                sha = hashlib.sha256(content).hexdigest().upper().encode()
                self.out(b'%%CMNG: %d,%d,"%s"\r\n' % (tag, typ, sha))
            return self.out(b"OK\r\n")
        if op == b"3":
            tag, typ = (int(x) for x in rest.split(b","))
            if self.cfun == 1:
                return self.fail(518)
            if (tag, typ) not in self.store:
                return self.fail(513)
            del self.store[(tag, typ)]
            return self.out(b"OK\r\n")
        return self.fail(50)

    def respond(self, cmd):
        if self.a.noise:
            self.out(NOISE)
        if cmd == b"AT+CMEE?":
            return self.out(b"+CMEE: %d\r\nOK\r\n" % self.cmee)
        if cmd.startswith(b"AT+CMEE="):
            self.cmee = int(cmd[8:])
            return self.out(b"OK\r\n")
        if cmd == b"AT+CFUN?":
            return self.out(b"+CFUN: %d\r\nOK\r\n" % self.cfun)
        if cmd.startswith(b"AT+CFUN="):
            self.cfun = int(cmd[8:])
            return self.out(b"OK\r\n")
        if cmd == b"AT+CGSN":
            return self.out(b"351358811234567\r\nOK\r\n")
        if cmd == b"AT+CGMM":
            return self.out(b"nRF9160-SICA\r\nOK\r\n")
        if cmd == b"AT+CGMR":
            return self.out(b"mfw_nrf9160_1.3.5\r\nOK\r\n")
        if cmd == b"AT%XMODEMUUID":
            return self.out(b"%XMODEMUUID: 50503041-3633-43b0-80c3-011a3496dac0\r\nOK\r\n")
        if cmd.startswith(b"AT%CMNG="):
            return self.cmng(cmd[8:])
        return self.out(b"ERROR\r\n")

    def restart(self):
        self.out(BANNER)
        self.cfun = 0
        self.cmee = 0

    def command(self, cmd):
        with open(self.a.log, "ab") as f:
            f.write(cmd + b"\n")
        if self.tail_pending:
            self.tail_pending = False
            self.out(b"EEP: 1,0\r\n")
        self.echo(cmd)
        silent = (self.a.silent_on and cmd.startswith(self.a.silent_on.encode())) or (
            self.a.silent_over and len(cmd) > self.a.silent_over)
        resets = (self.a.reset_on and not self.reset_done and
                  cmd.startswith(self.a.reset_on.encode()))
        if resets:
            self.reset_done = True
            if self.a.reset_after_answer:
                self.respond(cmd)
            self.restart()
        elif not silent:
            self.respond(cmd)
        self.state()


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--link", required=True)
    p.add_argument("--log", required=True)
    p.add_argument("--state", required=True)
    p.add_argument("--cfun", type=int, default=1)
    p.add_argument("--echo", choices=["off", "on", "late"], default="off")
    p.add_argument("--echo-noise", action="store_true")
    p.add_argument("--echo-split", action="store_true")
    p.add_argument("--reset-on")
    p.add_argument("--reset-after-answer", action="store_true")
    p.add_argument("--silent-on")
    p.add_argument("--silent-over", type=int, default=0)
    p.add_argument("--noise", action="store_true")
    p.add_argument("--partial-urc", action="store_true")
    a = p.parse_args()

    pty_modem = PtyModem(a.link)
    modem = Modem(a, pty_modem.master)
    modem.state()
    if a.partial_urc:
        pty_modem.send(b"%XMODEMSL")
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    try:
        while True:
            cmd = pty_modem.read_command()
            if cmd is not None:
                modem.command(cmd)
    finally:
        pty_modem.close()


if __name__ == "__main__":
    main()
