#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Live test of the monitor's flight recorder (needs root, tracefs and
trace-cmd; exit 77 otherwise).

Usage: test_capture_live.py COMPACTRACE WORKLOADS_DIR [SEED]

A monitor runs with --capture-on 'stall>1us' --capture-before 20s
--capture-after 2s for more than 20 s, then the host is made to stall in
direct compaction for real (ct-fragment, ct-direct). Checks:
  - a capture appears under a name that says when and why;
  - `trace-cmd report` reads it (the oracle for the file format);
  - `compactrace report` on it (text and JSON) has the capture section
    with its keys; the stall that fired it is found in the file and is
    longer than 1 us (any stall that compacted: how long stalls take
    depends on the host's memory at that moment, so no larger threshold is
    sure to be crossed); the window starts at least
    20 s before the trigger; JSON valid against the schema;
  - captures by hand (SIGUSR1, POST /capture) and the retention limit
    (--capture-max 2: never more than 2 files);
  - SIGKILL around a capture's writing (delays drawn from SEED, printed)
    leaves no file under a final name that cannot be read, and the next
    start removes the instance and the partial file;
  - a full disk (a 2 MiB tmpfs as the directory) stops capturing with a
    message and a counter while the monitor goes on serving.
The host is restored on every exit path. Exit: 0 pass, 1 fail, 77 skip.
"""
import fcntl
import json
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from livelib import (TRACING, check, failures, free_port, read, save_host, restore_host, skip,  # noqa: E402
                     start, stop, wait_for, write)

NAME = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ-(stall|run|fail|fallback|manual|http)(-[0-9]+(ms|us))?(-\d+)?\.dat$")

mounts = []


















STALL_MIN_US = 1  # the capture condition: stall>1us


def captures(d):
    return sorted(n for n in os.listdir(d) if NAME.match(n))


def monitor(tool, port, capdir, errpath, extra=()):
    args = [tool, "monitor", "--listen", f"127.0.0.1:{port}", "--interval", "200", "--capture-dir", capdir,
            "--capture-on", f"stall>{STALL_MIN_US}us", "--capture-before", "20s", "--capture-after", "2s",
            "--capture-min-interval", "1s", "--capture-max", "2", *extra]
    p = start(args, stderr=open(errpath, "w"))
    ok = wait_for(lambda: "serving" in read(errpath) or p.poll() is not None, tries=600)
    check(ok and p.poll() is None, f"monitor serves: {read(errpath).strip()[-300:]}")
    return p


def scrape(port):
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=10) as r:
        return r.read().decode()


def metric(text, prefix):
    for line in text.splitlines():
        if line.startswith(prefix + " "):
            return float(line.split()[-1])
    return None


def main():
    if len(sys.argv) not in (3, 4):
        print(__doc__)
        return 2
    tool, wl = (os.path.abspath(a) for a in sys.argv[1:3])
    seed = int(sys.argv[3]) if len(sys.argv) == 4 else int(time.time()) % 100000
    print(f"seed {seed} (test_capture_live.py {tool} {wl} {seed} repeats it)")
    rnd = random.Random(seed)
    if os.geteuid() != 0:
        skip("needs root (tracefs, sysctls, mounts)")
    if not os.path.isdir(f"{TRACING}/instances"):
        skip(f"no tracefs at {TRACING}")
    if not shutil.which("trace-cmd"):
        skip("no trace-cmd (the file-format oracle)")
    for prog in ("ct-fragment", "ct-direct"):
        if not os.access(f"{wl}/{prog}", os.X_OK):
            skip(f"workload {wl}/{prog} not built")
    lock = open("/tmp/compactrace-live.lock", "w")
    fcntl.flock(lock, fcntl.LOCK_EX)
    saved = save_host()
    tmp = tempfile.mkdtemp(prefix="ct-capture-")
    try:
        run(tool, wl, tmp, rnd)
    finally:
        restore_host(saved, wl)
        for m in mounts:
            subprocess.run(["umount", m], stderr=subprocess.DEVNULL)
        shutil.rmtree(tmp, ignore_errors=True)
        lock.close()
    print(f"{len(failures)} failed")
    return 1 if failures else 0


def run(tool, wl, tmp, rnd):
    port = free_port()
    capdir = f"{tmp}/captures"
    mon = monitor(tool, port, capdir, f"{tmp}/monitor.err")
    if mon.poll() is not None:
        return
    t_start = time.monotonic()
    time.sleep(21)		# the monitor has run longer than --capture-before

    frag = start([f"{wl}/ct-fragment", "-H", "3072", "-k", "256", "-m", "2048", "-P", "0",
                  "-r", f"{tmp}/frag.ready"], stderr=open(f"{tmp}/fragment.err", "w"))
    wait_for(lambda: os.path.exists(f"{tmp}/frag.ready") or frag.poll() is not None, tries=6000)
    if not check(frag.poll() is None, f"ct-fragment holds fragmented memory (exit status {frag.poll()}): "
                 + open(f"{tmp}/fragment.err").read()[-300:]):
        return
    t_direct = time.monotonic()
    d = subprocess.run([f"{wl}/ct-direct", "-x", "50", "-T", "256", "-k", "128", "-d", "always", "-e", "madvise"],
                       capture_output=True, text=True, timeout=300)
    check(d.returncode == 0, f"ct-direct ran: {d.stderr.strip()[-300:]}")
    ok = wait_for(lambda: captures(capdir), tries=300)
    check(ok, f"a capture appeared in {capdir}: {os.listdir(capdir)}")
    stop(frag)
    if not ok:
        print(read(f"{tmp}/monitor.err"), file=sys.stderr)
        return
    first = captures(capdir)[0]
    cap = f"{capdir}/{first}"
    print(f"capture {first}, {os.path.getsize(cap)} bytes, monitor up {t_direct - t_start:.0f} s before the workload")
    check(re.match(r".*-(stall)-\d+ms\.dat$", first) is not None or "-stall-" in first, f"named for a stall: {first}")

    tc = subprocess.run(["trace-cmd", "report", cap], capture_output=True, text=True, timeout=300)
    check(tc.returncode == 0 and "mm_compaction_try_to_compact_pages" in tc.stdout,
          f"trace-cmd report reads {first} (rc {tc.returncode}, {len(tc.stdout.splitlines())} lines) {tc.stderr[-200:]}")

    rj = subprocess.run([tool, "report", "--format", "json", cap], capture_output=True, text=True, timeout=300)
    if check(rj.returncode == 0, f"compactrace report --format json {first}: {rj.stderr.strip()[-300:]}"):
        j = json.loads(rj.stdout)
        c = j.get("capture")
        check(c is not None and all(k in c for k in ("reason", "trigger_ts_ns", "window_start_ns", "window_end_ns",
                                                       "condition")), f"capture section with its keys: {c}")
        if c:
            check(c["reason"] == "stall" and c["condition"] == f"stall>{STALL_MIN_US}us",
                  f"reason {c['reason']} condition {c['condition']}")
            check(c["trigger_ts_ns"] - c["window_start_ns"] >= 20 * 10**9,
                  f"window starts {(c['trigger_ts_ns'] - c['window_start_ns']) / 1e9:.3f} s before the trigger (>= 20 s)")
            check(c["window_end_ns"] - c["trigger_ts_ns"] >= 2 * 10**9, "window ends >= 2 s after the trigger")
            fb = c.get("fired_by") or {}
            check(fb.get("found") and fb.get("stall", {}).get("latency_us", 0) > STALL_MIN_US,
                  f"the stall that fired it is in the file and longer than {STALL_MIN_US} us: "
                  f"{fb.get('stall', {}).get('latency_us')}")
            slow = j["stalls"]["slowest"]
            check(slow and slow[0]["latency_us"] > STALL_MIN_US,
                  f"the report holds a stall longer than {STALL_MIN_US} us ({slow[0]['latency_us'] if slow else None} us)")
            marked = [s for s in slow if s.get("fired_capture")]
            fired_lat = fb.get("stall", {}).get("latency_us", 0)
            if len(slow) < 10 or fired_lat >= slow[-1]["latency_us"]:
                check(len(marked) == 1, "the stall that fired it is marked among the slowest")
        try:
            import jsonschema
            schema = json.load(open(os.path.join(os.path.dirname(__file__), "../../reports/compactrace-report.schema.json")))
            jsonschema.validate(j, schema)
            check(True, "JSON valid against reports/compactrace-report.schema.json")
        except ImportError:
            print("note: python3-jsonschema missing, schema not checked")
        except jsonschema.ValidationError as e:
            check(False, f"JSON against the schema: {e.message}")
    rt = subprocess.run([tool, "report", cap], capture_output=True, text=True, timeout=300)
    check(rt.returncode == 0 and "Capture (flight recorder)" in rt.stdout and "fired by" in rt.stdout,
          "text report has the capture section")

    # by hand: SIGUSR1 and POST /capture, once the workload's captures are written (no new
    # file for 4 s: a capture armed meanwhile would take these in as extensions)
    def settled():
        before = sorted(os.listdir(capdir))
        time.sleep(4)
        return sorted(os.listdir(capdir)) == before
    wait_for(settled, tries=15, step=0)
    mon.send_signal(signal.SIGUSR1)
    check(wait_for(lambda: any("-manual" in n for n in captures(capdir)), tries=150),
          f"SIGUSR1 made a capture: {captures(capdir)}")
    time.sleep(1.2)		# --capture-min-interval does not hold captures by hand back; this keeps names apart
    req = urllib.request.Request(f"http://127.0.0.1:{port}/capture", method="POST", data=b"")
    with urllib.request.urlopen(req, timeout=10) as r:
        body = r.read().decode()
        check(r.status == 202 and "armed" in body, f"POST /capture accepted ({r.status}: {body.strip()})")
    check(wait_for(lambda: any("-http" in n for n in captures(capdir)), tries=150),
          f"POST /capture made a capture: {captures(capdir)}")
    names = captures(capdir)
    check(len(names) <= 2, f"--capture-max 2 holds: {names}")
    text = scrape(port)
    check((metric(text, 'compactrace_captures_total{reason="manual"}') or 0) >= 1, "captures_total{reason=manual} counted")
    check((metric(text, 'compactrace_captures_total{reason="http"}') or 0) >= 1, "captures_total{reason=http} counted")
    check((metric(text, 'compactrace_captures_total{reason="stall"}') or 0) >= 1, "captures_total{reason=stall} counted")
    size = sum(os.path.getsize(f"{capdir}/{n}") for n in captures(capdir))
    check(metric(text, "compactrace_capture_bytes") == size, f"compactrace_capture_bytes {metric(text, 'compactrace_capture_bytes')} == {size}")
    check(stop(mon) == 0, "SIGTERM: clean exit")

    # SIGKILL around the writing of a capture
    for attempt in range(3):
        delay = 1.8 + rnd.random() * 0.6
        err = f"{tmp}/kill{attempt}.err"
        k = monitor(tool, port, capdir, err)
        time.sleep(3)
        k.send_signal(signal.SIGUSR1)
        time.sleep(delay)
        k.kill()
        k.wait()
        print(f"SIGKILL {delay:.3f} s after SIGUSR1; directory: {sorted(os.listdir(capdir))}")
        for n in captures(capdir):
            r = subprocess.run([tool, "report", f"{capdir}/{n}"], capture_output=True, text=True, timeout=300)
            check(r.returncode == 0, f"{n} under its final name is complete (report reads it)")
        after = subprocess.run([tool, "monitor", "--listen", f"127.0.0.1:{port}", "--capture-dir", capdir,
                                "--duration", "0.5"], capture_output=True, text=True, timeout=60)
        check(after.returncode == 0, f"the next monitor starts: {after.stderr.strip()[-300:]}")
        check(not os.path.exists(f"{TRACING}/instances/compactrace-{k.pid}"),
              f"compactrace-{k.pid} removed by the next start")
        partial = [n for n in os.listdir(capdir) if n.startswith(".compactrace-")]
        check(not partial, f"no partial capture left after the next start: {partial}")

    # a full disk: capturing stops, the monitor does not
    full = f"{tmp}/full"
    os.mkdir(full)
    if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=2m", "ct-capture-test", full]).returncode == 0:
        mounts.append(full)
        with open(f"{full}/filler", "wb") as f:
            try:
                f.write(b"\0" * (2 << 20))
            except OSError:
                pass
        m = monitor(tool, port, full, f"{tmp}/full.err")
        time.sleep(2)
        m.send_signal(signal.SIGUSR1)
        wait_for(lambda: "capturing stopped" in read(f"{tmp}/full.err"), tries=100)
        check("capturing stopped" in read(f"{tmp}/full.err"), f"full disk said: {read(f'{tmp}/full.err').strip()[-300:]}")
        text = scrape(port)
        check(metric(text, "compactrace_capture_errors_total") == 1, "compactrace_capture_errors_total 1")
        check(m.poll() is None, "the monitor goes on after a full disk")
        check(not [n for n in os.listdir(full) if n != "filler"], f"nothing left in the full directory: {os.listdir(full)}")
        check(stop(m) == 0, "SIGTERM after a full disk: clean exit")
    else:
        print("note: cannot mount a tmpfs: full-disk case not run")


if __name__ == "__main__":
    sys.exit(main())
