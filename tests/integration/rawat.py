#!/usr/bin/python3
"""Raw bytes on a serial port (a modemsim pty) for the integration tests.

    rawat.py PORT STEP...

Steps, run in order (TEXT takes Python escapes: \\r \\n \\x7f ...):
  send:TEXT       write TEXT
  sendfile:PATH   write the bytes of a file
  expect:TEXT     the next bytes received are exactly TEXT
  expectfile:PATH the next bytes received are exactly those of a file
  skip:N          receive N bytes, whatever they are
  until:TEXT      receive up to and including the first TEXT; what came
                  before it stays in the received record
  save:PATH       write every byte received so far to PATH
  savehead:PATH   write the bytes the steps so far consumed (up to the end
                  of the last expect/until), not what came after them
  kill:SIG:PID    send signal SIG (e.g. USR1) to process PID

Every wait is an event (bytes arriving) bounded by a generous timeout that
only turns a hang into a failure (RAWAT_TIMEOUT seconds, default 15). Exits 0
when every step passed, 1 with a message otherwise.
"""
import codecs
import os
import select
import signal
import sys
import termios
import time
import tty


def unescape(text):
    return codecs.decode(text.encode("latin-1"), "unicode_escape").encode("latin-1")


class Port:
    def __init__(self, path, timeout):
        self.fd = os.open(path, os.O_RDWR | os.O_NOCTTY)
        # TCSANOW: what the device sent since the open (a banner) is kept
        tty.setraw(self.fd, termios.TCSANOW)
        self.timeout = timeout
        self.pending = b""   # received, not yet consumed by a step
        self.record = b""    # everything received

    def send(self, data):
        while data:
            n = os.write(self.fd, data)
            data = data[n:]

    def receive(self, done, what):
        deadline = time.monotonic() + self.timeout
        while not done():
            left = deadline - time.monotonic()
            if left <= 0:
                raise AssertionError("no %s within %ss; received %r" %
                                     (what, self.timeout, self.pending))
            if select.select([self.fd], [], [], left)[0]:
                chunk = os.read(self.fd, 4096)
                self.pending += chunk
                self.record += chunk

    def expect(self, want):
        self.receive(lambda: len(self.pending) >= len(want), repr(want))
        got, self.pending = self.pending[:len(want)], self.pending[len(want):]
        if got != want:
            raise AssertionError("expected %r, received %r" % (want, got + self.pending))

    def until(self, want):
        self.receive(lambda: want in self.pending, repr(want))
        i = self.pending.index(want) + len(want)
        self.pending = self.pending[i:]


def main(argv):
    port = Port(argv[1], float(os.environ.get("RAWAT_TIMEOUT", "15")))
    for step in argv[2:]:
        kind, _, arg = step.partition(":")
        if kind == "send":
            port.send(unescape(arg))
        elif kind == "sendfile":
            with open(arg, "rb") as f:
                port.send(f.read())
        elif kind == "expect":
            port.expect(unescape(arg))
        elif kind == "expectfile":
            with open(arg, "rb") as f:
                port.expect(f.read())
        elif kind == "skip":
            n = int(arg)
            port.receive(lambda: len(port.pending) >= n, "%d bytes" % n)
            port.pending = port.pending[n:]
        elif kind == "kill":
            sig, _, pid = arg.partition(":")
            os.kill(int(pid), getattr(signal, "SIG" + sig))
        elif kind == "until":
            port.until(unescape(arg))
        elif kind == "save":
            with open(arg, "wb") as f:
                f.write(port.record)
        elif kind == "savehead":
            with open(arg, "wb") as f:
                f.write(port.record[:len(port.record) - len(port.pending)])
        else:
            raise SystemExit("rawat.py: unknown step %r" % step)


if __name__ == "__main__":
    try:
        main(sys.argv)
    except AssertionError as e:
        print("rawat.py: %s" % e, file=sys.stderr)
        sys.exit(1)
