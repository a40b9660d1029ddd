#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Benchmark (not a test) of `compactrace top`'s timing, the figures the tests
must not depend on:

  tests/bench/bench_top.py [COMPACTRACE] [IDLE_SECONDS]

live (root, tracefs, tmux; under /tmp/compactrace-live.lock):
  - CPU time of an idle top over IDLE_SECONDS (default 30), in % of one core
    (the README says about 0.1%);
  - how long after `echo 1 > compact_memory` returns the manual runs are on
    the screen (at most one refresh interval, 1 s, is the goal);
replay (any user), on samples/traces/direct/trace.ftrace.txt:
  - a paced replay (--speed 1, --interval 100) against the trace's own span,
    and --speed 2 against --speed 1.
Prints one line per figure; exits 77 when live cannot run (the replay
figures are printed first).
"""
import json
import lzma
import os
import shutil
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "top"))
sys.path.insert(0, os.path.join(HERE, "..", "common"))
import livelock  # noqa: E402
import toplib  # noqa: E402

TOOL = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else "build/compactrace")
IDLE = float(sys.argv[2]) if len(sys.argv) > 2 else 30.0
SAMPLE = os.path.join(HERE, "..", "..", "samples", "traces", "direct", "trace.ftrace.txt.xz")


def replay(path, speed):
    t0 = time.monotonic()
    p = subprocess.run([TOOL, "top", "-i", path, "--speed", str(speed), "--interval", "100",
                        "--batch", "1000"], capture_output=True, env=dict(toplib.ENV, COLUMNS="160"))
    took = time.monotonic() - t0
    refreshes = p.stdout.decode(errors="replace").count(" compactrace top |")
    return took, refreshes, p.returncode


def cpu_ticks(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12])	# utime + stime


def live():
    def note(cond, msg):
        if not cond:
            print("problem: " + msg, file=sys.stderr)

    livelock.acquire("bench_top")
    top = toplib.LiveTop(TOOL, note)
    try:
        pid = top.start("bench")
        if not pid:
            return 1
        time.sleep(1)
        hz = os.sysconf("SC_CLK_TCK")
        t0, c0 = time.monotonic(), cpu_ticks(pid)
        time.sleep(IDLE)
        pct = 100.0 * (cpu_ticks(pid) - c0) / hz / (time.monotonic() - t0)
        print(f"live idle CPU over {IDLE:.0f} s: {pct:.2f}% of one core")

        def manual_runs(lines):
            return (toplib.parse_screen(lines).get("runs") or {}).get("manual", 0) or 0

        before = manual_runs(top.capture("bench"))
        t0 = time.monotonic()
        subprocess.run(["sh", "-c", "echo 1 > /proc/sys/vm/compact_memory"], check=False)
        t1 = time.monotonic()
        top.wait_for("bench", lambda l: manual_runs(l) > before, "the manual runs", timeout=60)
        shown = time.monotonic()
        print(f"live compact_memory took {t1 - t0:.2f} s; its runs on the screen {shown - t1:.2f} s "
              f"after it returned (refresh interval 1 s)")
        top.tmux("send-keys", "-t", "bench", "q")
        top.gone(pid)
    finally:
        top.stop()
    return 0


def main():
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "direct.txt")
        with lzma.open(SAMPLE) as src, open(path, "wb") as dst:
            shutil.copyfileobj(src, dst)
        r = json.loads(subprocess.run([TOOL, "report", "-f", "json", path], capture_output=True).stdout)
        span = (r["sources"][0]["last_ts_ns"] - r["sources"][0]["first_ts_ns"]) / 1e9
        t1, n1, rc1 = replay(path, 1)
        t2, n2, rc2 = replay(path, 2)
        print(f"replay speed 1: {t1:.2f} s for a {span:.2f} s trace ({t1 / span:.2f}x), {n1} refreshes"
              f"{'' if rc1 == 0 else f', exit {rc1}'}")
        print(f"replay speed 2: {t2:.2f} s ({t2 / t1:.2f} of speed 1), {n2} refreshes"
              f"{'' if rc2 == 0 else f', exit {rc2}'}")
    if os.geteuid() != 0 or not shutil.which("tmux") or not os.path.isdir("/sys/kernel/tracing/instances"):
        print("live: skipped (needs root, tracefs and tmux)")
        return 77
    return live()


if __name__ == "__main__":
    sys.exit(main())
