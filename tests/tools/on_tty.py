#!/usr/bin/python3
"""Run a command on a terminal of its own (a pseudo-terminal), for tests of
what a program does when a person sits at it: questions it asks, notices it
gives only on a terminal, output it keeps off one.

    on_tty.py [--answer REGEX TEXT]... [--timeout S] -- COMMAND [ARGS...]

The command gets the pty as standard input, output and error. Each
--answer waits (in order) until the output so far matches REGEX (Python re,
searched in the text with CR removed), then types TEXT (Python escapes:
\\n). Everything the command wrote is copied to this program's standard
output; its exit status is this program's (128 + N when killed by signal N).
Every wait is an event (output arriving, the command ending) bounded by
--timeout (default 30 s), which only turns a hang into a failure: exit 124
with a message on standard error.
"""
import argparse
import codecs
import os
import pty
import re
import select
import sys
import time


def read_some(fd, until):
    """Bytes from fd, or b"" at end of file; None when until has passed."""
    left = until - time.monotonic()
    if left <= 0:
        return None
    ready, _, _ = select.select([fd], [], [], left)
    if not ready:
        return None
    try:
        return os.read(fd, 4096)
    except OSError:  # EIO: the command's side is closed
        return b""


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--answer", nargs=2, action="append", default=[],
                        metavar=("REGEX", "TEXT"))
    parser.add_argument("--timeout", type=float, default=30.0)
    parser.add_argument("command", nargs=argparse.REMAINDER)
    args = parser.parse_args()
    command = args.command[1:] if args.command[:1] == ["--"] else args.command
    if not command:
        parser.error("no command given")

    pid, fd = pty.fork()
    if pid == 0:
        try:
            os.execvp(command[0], command)
        finally:
            os._exit(127)

    until = time.monotonic() + args.timeout
    output = b""
    answers = [(re.compile(r), codecs.decode(t, "unicode_escape")) for r, t in args.answer]
    ended = False
    while not ended:
        while answers and answers[0][0].search(output.decode("latin-1").replace("\r", "")):
            os.write(fd, answers.pop(0)[1].encode("latin-1"))
        chunk = read_some(fd, until)
        if chunk is None:
            sys.stdout.buffer.write(output)
            sys.stderr.write("on_tty.py: %s did not end within %g s%s\n" % (
                command[0], args.timeout,
                " (still waiting for %r)" % answers[0][0].pattern if answers else ""))
            os.kill(pid, 9)
            os.waitpid(pid, 0)
            return 124
        output += chunk
        ended = chunk == b""
    _, status = os.waitpid(pid, 0)
    sys.stdout.buffer.write(output)
    if answers:
        sys.stderr.write("on_tty.py: never saw %r\n" % answers[0][0].pattern)
    if os.WIFSIGNALED(status):
        return 128 + os.WTERMSIG(status)
    return os.WEXITSTATUS(status)


if __name__ == "__main__":
    sys.exit(main())
