#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Run a command RUNS times pinned to CPUS; print the best wall time (s) and
the command's peak RSS (KB). The clock covers the command's own start, exec
and exit only: this process pins itself and the command inherits it, so no
taskset or /usr/bin/time process is timed with it (on this project's VM
those two added 6-7 ms to every run, a tenth of a 70 ms one), and the
command is started the way subprocess does (vfork), not by a fork() of
this process, which copied Python's page tables and added 6 ms to each
run (/bin/true: 8.2 ms against 1.8). The peak RSS comes from one more run
under /usr/bin/time, untimed: a child started from Python can carry
Python's own peak (about 10 MB) across its exec.
stdout goes to /dev/null; a failing run prints its stderr and exits 1.

Usage: run_best.py RUNS CPUS CMD [ARG...]     (CPUS: "0" or "0,1")"""
import os
import subprocess
import sys
import tempfile
import time


def run(cmd, err):
    """one run of @cmd on the CPUs this process is pinned to, stderr to @err: (wall seconds, exit code)"""
    t0 = time.perf_counter()
    code = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=err).returncode
    return time.perf_counter() - t0, code


def fail(cmd, code, err):
    err.seek(0)
    sys.stderr.write(err.read().decode(errors="replace"))
    sys.exit(f"{cmd[0]}: exit status {code}")


def main():
    if len(sys.argv) < 4:
        sys.exit(__doc__)
    runs, cpus, cmd = int(sys.argv[1]), {int(c) for c in sys.argv[2].split(",")}, sys.argv[3:]
    os.sched_setaffinity(0, cpus)	# inherited by the command
    best = None
    with tempfile.TemporaryFile() as err, tempfile.NamedTemporaryFile() as rss:
        for _ in range(runs):
            err.seek(0)
            err.truncate()
            wall, code = run(cmd, err)
            if code != 0:
                fail(cmd, code, err)
            best = wall if best is None else min(best, wall)
        _, code = run(["/usr/bin/time", "-f", "%M", "-o", rss.name] + cmd, err)
        if code != 0:
            fail(cmd, code, err)
        peak = open(rss.name).read().split()[-1]
    print(f"{best:.6f} {peak}")

if __name__ == "__main__":
    main()
