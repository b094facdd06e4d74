#!/usr/bin/env python3
"""Type lines into a simulated Zephyr shell and print what it sends back.

usage: shell_type.py LINK PROMPT LINE...

Each LINE is sent with CR LF; the answer is read until it ends with PROMPT
(the prompt text without colours, e.g. "uart:~$ "), or 10 s pass (exit 1).
The answers are written to stdout as Python byte-string literals, one per
line, so control characters and escape sequences are visible to grep.
Independent of libmodemcred on purpose: it checks the simulator itself.
"""
import os
import select
import sys
import termios
import time
import tty


def read_until_prompt(fd, prompt):
    got = b""
    deadline = time.monotonic() + 10
    while not got.replace(b"\x1b[m", b"").endswith(prompt):
        left = deadline - time.monotonic()
        if left <= 0:
            sys.stderr.write("no prompt after %r\n" % got)
            sys.exit(1)
        ready, _, _ = select.select([fd], [], [], left)
        if ready:
            got += os.read(fd, 4096)
    return got


def main():
    link, prompt, lines = sys.argv[1], sys.argv[2].encode(), sys.argv[3:]
    fd = os.open(link, os.O_RDWR | os.O_NOCTTY)
    tty.setraw(fd)
    termios.tcflush(fd, termios.TCIOFLUSH)
    for line in lines:
        os.write(fd, line.encode("latin-1") + b"\r\n")
        print(repr(read_until_prompt(fd, prompt)))
    os.close(fd)


main()
