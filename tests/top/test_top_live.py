#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""`compactrace top` live, on this host: it shows a manual compaction, and
every way out (q, ^C, SIGTERM, a closed terminal) leaves the host's tracing
as it was: no instance of ours left, top-level events/enable and tracing_on
unchanged. No clock decides a check (waits have a generous limit against a
hang, nothing more); what top costs at idle and how soon an event reaches
the screen are measured by tests/bench/bench_top_live.py. Holds
/tmp/compactrace-live.lock. Needs root, tracefs and tmux; exit 77
otherwise. Exit 0 pass, 1 fail (also when a check cannot find top's pid)."""
import os
import re
import shutil
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "common"))
import livelock  # noqa: E402
import toplib  # noqa: E402

TOOL = os.path.abspath(sys.argv[1])
T = "/sys/kernel/tracing"
failures = []


def check(cond, msg):
    if not cond:
        failures.append(msg)
        print("FAIL: " + msg, file=sys.stderr)
    return cond


def skip(why):
    print("SKIP: " + why)
    sys.exit(77)


if os.geteuid() != 0:
    skip("needs root (tracefs instances)")
if not os.path.isdir(os.path.join(T, "events")):
    skip(f"tracefs is not mounted at {T}")
if not os.path.isdir(os.path.join(T, "events", "compaction")):
    skip("this kernel has no compaction events")
if not os.path.exists("/proc/sys/vm/compact_memory"):
    skip("no /proc/sys/vm/compact_memory")
if not shutil.which("tmux"):
    skip("tmux is not installed (tests/install-deps.sh installs it)")


def read(path):
    try:
        with open(os.path.join(T, path)) as f:
            return f.read().strip()
    except OSError as e:
        return f"<{e.strerror}>"


def state():
    """The host's tracing state that top must leave alone."""
    return {
        "tracing_on": read("tracing_on"),
        "events/enable": read("events/enable"),
        "events/compaction/enable": read("events/compaction/enable"),
        "events/kmem/mm_page_alloc_extfrag/enable": read("events/kmem/mm_page_alloc_extfrag/enable"),
        "current_tracer": read("current_tracer"),
        "trace_clock": read("trace_clock"),
    }


def ours():
    return sorted(n for n in os.listdir(os.path.join(T, "instances")) if n.startswith("compactrace-"))


top = toplib.LiveTop(TOOL, check)
tmux, capture, wait_for, gone, start = top.tmux, top.capture, top.wait_for, top.gone, top.start


def after(name, pid, before, how):
    check(pid is None or gone(pid), f"{how}: top did not exit")
    check(f"compactrace-{pid}" not in ours(), f"{how}: instance compactrace-{pid} left behind: {ours()}")
    now = state()
    for k, v in before.items():
        check(now[k] == v, f"{how}: {k} was {v!r}, now {now[k]!r}")


livelock.acquire("top-live")
before = state()
try:
    # ---- q: the full check ----
    pid = start("q")
    if pid:
        inst = f"compactrace-{pid}"
        check(inst in ours(), f"no instance {inst} while running: {ours()}")
        check("[mono]" in read(f"instances/{inst}/trace_clock"), "the instance's clock is not mono")
        check(read(f"instances/{inst}/events/compaction/enable") in ("1", "X"), "compaction events not enabled")
        check(state() == before, f"top changed the top-level state while running: {state()}")

        # a manual compaction shows up
        subprocess.run(["sh", "-c", "echo 1 > /proc/sys/vm/compact_memory"], check=False)

        def manual_runs(lines):
            s = toplib.parse_screen(lines)
            return (s.get("runs") or {}).get("manual", 0) or 0

        lines = wait_for("q", lambda l: manual_runs(l) > 0, "the manual runs")
        if lines:
            s = toplib.parse_screen(lines)
            check(s.get("events", 0) > 0, "no events counted")
            check(any(z["runs"] for z in s["zones"].values()), "no zone shows a run")
            check(any("[" in l and (">" in l or "X" in l) for l in lines), "no scanner gauge drawn")
            check(all(len(l) <= 100 for l in lines), "a line longer than the terminal")
        tmux("send-keys", "-t", "q", "q")
        wait_for("q", lambda l: any("EXIT=0" in x for x in l), "EXIT=0")
        after("q", pid, before, "q")

    # ---- ^C, SIGTERM, a closed terminal (SIGHUP) ----
    pid = start("int")
    if pid:
        tmux("send-keys", "-t", "int", "C-c")
        wait_for("int", lambda l: any("EXIT=" in x for x in l), "exit after ^C")
        after("int", pid, before, "^C")
    pid = start("term")
    if pid:
        os.kill(pid, 15)
        wait_for("term", lambda l: any("EXIT=" in x for x in l), "exit after SIGTERM")
        after("term", pid, before, "SIGTERM")
    pid = start("hup")
    if pid:
        tmux("kill-session", "-t", "hup")	# the terminal goes away: SIGHUP
        after("hup", pid, before, "closed terminal")

    # ---- batch mode live: N refreshes, then the same cleanup ----
    p = subprocess.Popen([TOOL, "top", "--batch", "2", "--interval", "300"], stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, text=True, env=toplib.ENV)
    out, err = p.communicate(timeout=120)
    check(p.returncode == 0, f"live batch: exit {p.returncode}: {err}")
    check(out.count(" compactrace top | live:") == 2, "live batch: not 2 refreshes")
    check(f"compactrace-{p.pid}" not in ours(), f"live batch: instance compactrace-{p.pid} left: {ours()}")
    check(state() == before, f"live batch: state changed: {state()}")
finally:
    top.stop()

if failures:
    print(f"{len(failures)} failures", file=sys.stderr)
    sys.exit(1)
print("top live: all checks passed")
