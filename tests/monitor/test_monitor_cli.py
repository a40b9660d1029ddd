#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""`compactrace monitor`'s command line, without tracing: bad options are
usage errors (exit 2) that name the option; a port already in use stops the
monitor (exit 1) with a clear message before it touches tracefs.

Usage: test_monitor_cli.py COMPACTRACE. Exit: 0 pass, 1 fail.
"""
import os
import socket
import subprocess
import sys

failures = []


def check(cond, what):
    print(("ok: " if cond else "FAIL: ") + what)
    if not cond:
        failures.append(what)


def run(tool, *args):
    return subprocess.run([tool, "monitor", *args], capture_output=True, text=True, timeout=30)


def main():
    tool = sys.argv[1]
    r = run(tool, "--help")
    check(r.returncode == 0 and "--capture-on" in r.stdout and "--by-cgroup" in r.stdout, "--help")
    for args, says in [
        (["--listen", "nonsense"], "ADDR:PORT"),
        (["--listen", "127.0.0.1:"], "ADDR:PORT"),
        (["--cgroup-limit", "5"], "--by-cgroup"),
        (["--by-cgroup", "--cgroup-limit", "0"], "--cgroup-limit"),
        (["--capture-before", "5s"], "--capture-dir"),
        (["--capture-dir", "/tmp/x", "--capture-on", "stall<2ms"], "stall<2ms"),
        (["--capture-dir", "/tmp/x", "--capture-after", "5"], "duration"),
        (["--capture-dir", "/tmp/x", "--capture-max-bytes", "12x"], "size"),
        (["--interval", "1"], "--interval"),
        (["extra"], "unexpected argument"),
    ]:
        r = run(tool, *args)
        check(r.returncode == 2 and says in r.stderr, f"{' '.join(args)}: exit {r.returncode}, {r.stderr.strip()!r}")
    # a port in use: refused before any tracing (no instance named after the process appears)
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    s.listen(1)
    port = s.getsockname()[1]
    p = subprocess.Popen([tool, "monitor", "--listen", f"127.0.0.1:{port}"], stderr=subprocess.PIPE, text=True)
    _, err = p.communicate(timeout=30)
    s.close()
    check(p.returncode == 1 and "already in use" in err, f"port in use: exit {p.returncode}, {err.strip()!r}")
    check(not os.path.exists(f"/sys/kernel/tracing/instances/compactrace-{p.pid}"),
          "no tracing instance was made for it")
    print(f"{len(failures)} failed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
