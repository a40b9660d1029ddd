#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Write errors: a full device, a full small filesystem, a closed pipe.

Usage: test_write_errors.py COMPACTRACE SAMPLE_DIR [CASE...]
  SAMPLE_DIR: samples/traces/manual (trace.dat, trace.ftrace.txt)

Cases (all by default):
  full    report (text, JSON, NDJSON; stdout and -o), top --batch and every
          --help/--version to /dev/full: exit 1, one message naming the
          output and the reason
  pipe    report and top --batch writing into a pipe whose reader is gone:
          exit 141 (128 + SIGPIPE, as documented in `report --help`), quietly,
          and `report | head -1` in a shell the same
  tmpfs   report -o FILE on a 64 KiB tmpfs (needs root): exit 1, the message
          names FILE and says the disk is full, and the incomplete FILE is
          removed (never a partial JSON left behind)
The tmpfs case alone exits 77 (skip) without root or when the mount fails.
Exit 0 pass, 1 fail, 77 skip.
"""
import json
import os
import subprocess
import sys
import tempfile

from faultlib import ENV, check, failures

tool = sample = None


def run(args, stdout, **kw):
    p = subprocess.run([tool] + args, stdout=stdout, stderr=subprocess.PIPE, env=ENV,
                       timeout=120, **kw)
    return p.returncode, p.stderr.decode(errors="replace")


def dat():
    return os.path.join(sample, "trace.dat")


def text():
    return os.path.join(sample, "trace.ftrace.txt")


# a report far bigger than a pipe's buffer or the small tmpfs
BIG = ["report", "-f", "json", "--pageblocks"]


def t_full():
    with open("/dev/full", "wb") as full:
        for args, what in ((["report", text()], "text"),
                           (["report", "-f", "json", text()], "json"),
                           (["report", "-f", "ndjson", text()], "ndjson"),
                           (BIG + [dat()], "big json")):
            rc, err = run(args, full)
            check(rc == 1, f"full: {what} to /dev/full: exit {rc}")
            check("writing the report to standard output: No space left on device" in err,
                  f"full: {what}: message {err!r}")
        rc, err = run(["report", "-o", "/dev/full", text()], subprocess.DEVNULL)
        check(rc == 1 and "writing the report to /dev/full: No space left on device" in err,
              f"full: -o /dev/full: exit {rc}, {err!r}")
        check(os.path.exists("/dev/full"), "full: -o /dev/full removed /dev/full")
        rc, err = run(["top", "-i", text(), "--batch", "2", "--speed", "0", "--interval", "50"], full)
        check(rc == 1 and "writing to standard output: No space left on device" in err,
              f"full: top --batch to /dev/full: exit {rc}, {err!r}")
        check(err.count("No space left") == 1, f"full: top --batch: said more than once: {err!r}")
        for args in (["--help"], ["--version"], ["report", "--help"], ["top", "--help"],
                     ["record", "--help"]):
            rc, err = run(args, full)
            check(rc == 1 and "writing to standard output: No space left on device" in err,
                  f"full: {' '.join(args)} to /dev/full: exit {rc}, {err!r}")


def closed_pipe():
    """The write end of a pipe whose read end is already closed."""
    r, w = os.pipe()
    os.close(r)
    return w


def t_pipe():
    for args, what in ((["report", text()], "text"),
                       (["report", "-f", "json", text()], "json"),
                       (["report", "-f", "ndjson", text()], "ndjson")):
        w = closed_pipe()
        try:
            rc, err = run(args, w)
        finally:
            os.close(w)
        check(rc == 141, f"pipe: {what} into a closed pipe: exit {rc} (want 141)")
        check(err == "", f"pipe: {what}: not quiet: {err!r}")
    w = closed_pipe()
    try:
        rc, err = run(["top", "-i", text(), "--batch", "2", "--speed", "0", "--interval", "50"], w)
    finally:
        os.close(w)
    check(rc == 141 and err == "", f"pipe: top --batch into a closed pipe: exit {rc}, {err!r}")
    w = closed_pipe()
    try:
        rc, err = run(["report", "--help"], w)
    finally:
        os.close(w)
    check(rc == 141 and err == "", f"pipe: report --help into a closed pipe: exit {rc}, {err!r}")
    # the everyday form: the reader leaves after the first line of a big report
    p = subprocess.run(["bash", "-c", 'set -o pipefail; "$0" "$@" | head -1 >/dev/null',
                        tool] + BIG + [dat()], capture_output=True, env=ENV, timeout=120)
    check(p.returncode == 141 and p.stderr == b"",
          f"pipe: report | head -1: exit {p.returncode}, {p.stderr!r}")
    # and a reader that takes everything still gets a whole report, exit 0
    p = subprocess.run([tool, "report", "-f", "json", text()], capture_output=True, env=ENV, timeout=120)
    check(p.returncode == 0 and json.loads(p.stdout)["events"] > 0, "pipe: whole report")


def t_tmpfs():
    if os.geteuid() != 0:
        return "needs root to mount a tmpfs"
    with tempfile.TemporaryDirectory(prefix="ct-write-") as tmp:
        mnt = os.path.join(tmp, "small")
        os.mkdir(mnt)
        if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", mnt]).returncode != 0:
            return "cannot mount a tmpfs"
        try:
            out = os.path.join(mnt, "report.json")
            rc, err = run(BIG + ["-o", out, dat()], subprocess.DEVNULL)
            check(rc == 1, f"tmpfs: exit {rc} on a full disk")
            check(f"writing the report to {out}: No space left on device" in err,
                  f"tmpfs: message {err!r}")
            check(not os.path.exists(out), "tmpfs: the incomplete report was left behind")
            check(f"removed the incomplete {out}" in err, f"tmpfs: removal not said: {err!r}")
            # a small report fits and is whole
            small = os.path.join(mnt, "small.json")
            rc, err = run(["report", "-f", "json", "-o", small, text()], subprocess.DEVNULL)
            if check(rc == 0, f"tmpfs: small report: exit {rc} {err!r}"):
                with open(small) as f:
                    check(json.load(f)["events"] > 0, "tmpfs: small report incomplete")
            # the disk fills up while the text report is being written
            filler = os.path.join(mnt, "filler")
            with open(filler, "wb") as f:
                try:
                    f.write(b"x" * (64 << 10))
                except OSError:
                    pass
            os.truncate(filler, max(os.path.getsize(filler) - 2048, 0))
            txt = os.path.join(mnt, "report.txt")
            rc, err = run(["report", "--map", "-o", txt, dat()], subprocess.DEVNULL)
            check(rc == 1 and "No space left on device" in err and txt in err,
                  f"tmpfs: nearly full: exit {rc}, {err!r}")
            check(not os.path.exists(txt), "tmpfs: nearly full: partial text report left")
        finally:
            subprocess.run(["umount", mnt])
    return None


CASES = {"full": t_full, "pipe": t_pipe, "tmpfs": t_tmpfs}


def main():
    global tool, sample
    if len(sys.argv) < 3:
        print(__doc__, file=sys.stderr)
        return 2
    tool, sample = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])
    names = sys.argv[3:] or list(CASES)
    skipped = []
    for name in names:
        nfail, why = len(failures), None
        try:
            why = CASES[name]()
        except Exception as e:  # a crash of a case is a failure of that case
            check(False, f"{name}: {type(e).__name__}: {e}")
        if why:
            skipped.append(name)
            print(f"{name}: SKIP ({why})")
        else:
            print(f"{name}: {'ok' if len(failures) == nfail else 'FAILED'}")
    print(f"test_write_errors: {len(failures)} failed checks")
    if failures:
        return 1
    return 77 if skipped and len(skipped) == len(names) else 0


if __name__ == "__main__":
    sys.exit(main())
