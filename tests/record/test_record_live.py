#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Live tests of `compactrace record` (need root and tracefs; exit 77 otherwise).

Usage: test_record_live.py COMPACTRACE [CASE...]

Every case checks that the host's tracing state (top-level events/enable,
tracing_on, current_tracer and the list of instances) is the same after it
as before it. Exit status: 0 pass, 1 fail, 77 skip.
"""
import hashlib
import json
import os
import random
import re
import shutil
import signal
import struct
import subprocess
import sys
import tempfile
import time

TRACING = "/sys/kernel/tracing"
EVENT_LINE = re.compile(r"\[\d+\]\s+\d+\.\d+: ")
CHURN = ("import time, sys\nend = time.time() + float(sys.argv[1])\n"
         "while time.time() < end:\n    x = b'\\1' * (32 << 20)\n")

failures = []
tool = None
tmp = None


def check(cond, what):
    if not cond:
        failures.append(what)
        print(f"FAIL: {what}", file=sys.stderr)
    return cond


def skip(why):
    print(f"SKIP: {why}")
    sys.exit(77)


def read(path):
    with open(path) as f:
        return f.read()


def host_state():
    inst = sorted(os.listdir(f"{TRACING}/instances"))
    return {
        "events/enable": read(f"{TRACING}/events/enable"),
        "tracing_on": read(f"{TRACING}/tracing_on"),
        "current_tracer": read(f"{TRACING}/current_tracer"),
        "instances": inst,
    }


def check_host(before, case):
    after = host_state()
    for key in ("events/enable", "tracing_on", "current_tracer"):
        check(before[key] == after[key], f"{case}: host {key} changed: {before[key]!r} -> {after[key]!r}")
    # a compactrace instance whose process still runs belongs to a recorder or top
    # running meanwhile (another test, another worktree); one whose process is gone
    # and that was not there before is left behind
    def stale(insts):
        return [i for i in insts if i.startswith("compactrace-")
                and not os.path.exists(f"/proc/{i.split('-', 1)[1]}")]
    ours_before, ours_after = stale(before["instances"]), stale(after["instances"])
    check(set(ours_after) <= set(ours_before),
          f"{case}: stale compactrace instances {ours_before} -> {ours_after}")
    others = set(before["instances"]) ^ set(after["instances"])
    others = sorted(i for i in others if not i.startswith("compactrace-"))
    if others:
        # other programs on this host create and remove their own instances meanwhile
        print(f"note: {case}: instances of other programs came or went: {others}", file=sys.stderr)


def record(args, **kw):
    return subprocess.run([tool, "record"] + args, capture_output=True, text=True, timeout=120, **kw)


def start_record(args):
    """A recorder in the background, returned once it says it is recording."""
    p = subprocess.Popen([tool, "record"] + args, stderr=subprocess.PIPE, text=True)
    first = p.stderr.readline()
    while first and "recording" not in first:
        first = p.stderr.readline()
    return p, first


def report_json(path, *extra):
    r = subprocess.run([tool, "report", "-f", "json", *extra, path], capture_output=True, text=True,
                       timeout=300)
    if not check(r.returncode == 0, f"report {path}: exit {r.returncode}: {r.stderr.strip()}"):
        return None
    return json.loads(r.stdout)


def trace_cmd_events(path):
    """(event lines, dropped-event lines, stderr) of `trace-cmd report`, or None without trace-cmd."""
    if not shutil.which("trace-cmd"):
        return None
    r = subprocess.run(["trace-cmd", "report", path], capture_output=True, text=True, timeout=600)
    check(r.returncode == 0, f"trace-cmd report {path}: exit {r.returncode}: {r.stderr.strip()[:300]}")
    lines = r.stdout.splitlines()
    return (sum(1 for l in lines if EVENT_LINE.search(l)),
            sum(1 for l in lines if "EVENTS DROPPED" in l), r.stderr)


def attachments(path):
    """name -> bytes from the container at the end of a recorded file."""
    with open(path, "rb") as f:
        data = f.read()
    if len(data) < 32 or data[-8:] != b"CTATTACH":
        return {}
    off, alen, count, ver = struct.unpack_from("<QQII", data, len(data) - 32)
    out, p = {}, off
    for _ in range(count):
        nl, = struct.unpack_from("<I", data, p)
        name = data[p + 4:p + 4 + nl].decode()
        dl, = struct.unpack_from("<Q", data, p + 4 + nl)
        out[name] = data[p + 12 + nl:p + 12 + nl + dl]
        p += 12 + nl + dl
    return out


def churn(seconds, n=2):
    return [subprocess.Popen(["/usr/bin/python3", "-c", CHURN, str(seconds)]) for _ in range(n)]


def no_leftovers(out, case):
    left = [f for f in os.listdir(os.path.dirname(out)) if f.startswith(os.path.basename(out) + ".partial")]
    check(not left, f"{case}: leftover files {left}")


def compact_soon(delay):
    return subprocess.Popen(["sh", "-c", f"sleep {delay}; echo 1 > /proc/sys/vm/compact_memory"])


# ---- cases ----

def t_basic():
    out = f"{tmp}/basic.dat"
    # compact once the recorder says it records (its start-up snapshots take a
    # while on a loaded host; a fixed delay could compact before it records)
    p, first = start_record(["-o", out, "-d", "3"])
    c = compact_soon(0.2)
    r = subprocess.CompletedProcess(p.args, 0, None, first + p.stderr.read())
    r.returncode = p.wait(timeout=120)
    c.wait()
    check(r.returncode == 0, f"basic: exit {r.returncode}: {r.stderr}")
    check(os.path.exists(out), "basic: no output file")
    no_leftovers(out, "basic")
    check(re.search(r"\n  lost     0 ", r.stderr) is not None, f"basic: summary lost != 0: {r.stderr}")
    check("vmstat   compact_" in r.stderr, f"basic: the summary has no vmstat check:\n{r.stderr}")
    d = report_json(out)
    if not d:
        return
    check(d["sources"][0]["format"] == "trace-dat", f"basic: format {d['sources'][0]['format']}")
    names = d["sources"][0]["events_by_name"]
    check(names.get("mm_compaction_begin", 0) > 0, f"basic: no compaction runs recorded: {names}")
    check(d["quality"]["lost_events"] == 0, f"basic: lost {d['quality']['lost_events']}")
    tc = trace_cmd_events(out)
    if tc:
        check(tc[0] == d["events"], f"basic: trace-cmd shows {tc[0]} events, compactrace {d['events']}")
        check(tc[1] == 0, "basic: trace-cmd shows dropped events")
        check(tc[2].strip() == "", f"basic: trace-cmd complained: {tc[2][:300]}")
    vc = d.get("vmstat_check")
    if check(vc is not None, "basic: report of the recorded file has no vmstat_check "
                             "(parsers/trace_dat.c must implement the attachment op)"):
        bad = {k: v for k, v in vc.items() if v["verdict"] == "unexplained"}
        check(not bad, f"basic: unexplained vmstat counters: {bad}")
        check(d["extfrag"]["pageblock_order"] > 0, "basic: no pageblock order")
    att = attachments(out)
    for name in ("snapshot-start/vmstat", "snapshot-end/vmstat", "snapshot-start/buddyinfo",
                 "snapshot-end/pagetypeinfo", "snapshot-start/zoneinfo", "snapshot-end/osrelease",
                 "snapshot-start/extfrag_threshold", "snapshot-end/compaction_proactiveness",
                 "snapshot-start/thp-enabled", "snapshot-end/thp-defrag", "snapshot-start/page-size",
                 "snapshot-start/kpageflags-summary", "snapshot-end/kpageflags-summary", "record/info"):
        check(name in att, f"basic: attachment {name} missing (have {sorted(att)})")
    if "snapshot-start/osrelease" in att:
        check(att["snapshot-start/osrelease"].decode().strip() == os.uname().release, "basic: osrelease")
    if "snapshot-end/kpageflags-summary" in att:
        check(b"\ntotal free " in att["snapshot-end/kpageflags-summary"], "basic: kpageflags summary")


def t_force():
    out = f"{tmp}/force.dat"
    r = record(["-o", out, "-d", "0.3"])
    check(r.returncode == 0, f"force: first record failed: {r.stderr}")
    before = hashlib.sha256(open(out, "rb").read()).hexdigest() if os.path.exists(out) else None
    r = record(["-o", out, "-d", "0.3"])
    check(r.returncode != 0 and "exists" in r.stderr and "--force" in r.stderr,
          f"force: overwrote without --force: {r.returncode} {r.stderr}")
    check(len(r.stderr.strip().splitlines()) == 1, f"force: not a one-line error: {r.stderr}")
    after = hashlib.sha256(open(out, "rb").read()).hexdigest()
    check(before == after, "force: the existing file changed")
    r = record(["-o", out, "-d", "0.3", "--force"])
    check(r.returncode == 0, f"force: --force failed: {r.stderr}")
    check(hashlib.sha256(open(out, "rb").read()).hexdigest() != before, "force: --force kept the old file")
    no_leftovers(out, "force")


def t_leftover_spools():
    out = f"{tmp}/left.dat"
    spool = out + ".partial.cpu0"
    with open(spool, "w") as f:
        f.write("not ours to delete")
    r = record(["-o", out, "-d", "0.2"])
    check(r.returncode != 0 and "--force" in r.stderr, f"leftover_spools: not refused: {r.stderr}")
    check(os.path.exists(spool), "leftover_spools: deleted a file of an earlier record without --force")
    r = record(["-o", out, "-d", "0.2", "--force"])
    check(r.returncode == 0, f"leftover_spools: --force failed: {r.stderr}")
    no_leftovers(out, "leftover_spools")


def stop_with(sig, name):
    out = f"{tmp}/{name}.dat"
    p, first = start_record(["-o", out])
    check("recording" in first, f"{name}: did not start: {first}")
    subprocess.run(["sh", "-c", "echo 1 > /proc/sys/vm/compact_memory"])
    time.sleep(0.5)
    p.send_signal(sig)
    err = p.stderr.read()
    rc = p.wait(timeout=60)
    check(rc == 0, f"{name}: exit {rc}: {err}")
    check(f"({signal.Signals(sig).name})" in err, f"{name}: stop reason not shown: {err}")
    check(os.path.exists(out), f"{name}: no output file")
    no_leftovers(out, name)
    d = report_json(out)
    tc = trace_cmd_events(out)
    if d and tc:
        check(tc[0] == d["events"], f"{name}: trace-cmd {tc[0]} events, compactrace {d['events']}")
    if d:
        check(d["events"] > 0, f"{name}: no events")


def t_sigint():
    stop_with(signal.SIGINT, "sigint")


def t_sigterm():
    stop_with(signal.SIGTERM, "sigterm")


def t_sighup():
    stop_with(signal.SIGHUP, "sighup")


def t_sigkill():
    out = f"{tmp}/kill.dat"
    p, first = start_record(["-o", out])
    check("recording" in first, f"sigkill: did not start: {first}")
    subprocess.run(["sh", "-c", "echo 1 > /proc/sys/vm/compact_memory"])
    time.sleep(0.5)
    p.kill()
    p.wait()
    inst = f"compactrace-{p.pid}"
    check(not os.path.exists(out), "sigkill: the final file exists")
    check(os.path.exists(out + ".partial"), "sigkill: no FILE.partial")
    check(os.path.isdir(f"{TRACING}/instances/{inst}"), f"sigkill: instance {inst} is gone already?")
    spools = sorted(f"{tmp}/{f}" for f in os.listdir(tmp) if f.startswith("kill.dat.partial.cpu"))
    check(len(spools) >= 1, "sigkill: no per-CPU files")
    if shutil.which("trace-cmd") and spools:
        # the leftovers are recoverable, as the help and the docs say
        rec = f"{tmp}/kill-restored.dat"
        r = subprocess.run(["trace-cmd", "restore", "-i", out + ".partial", "-o", rec] + spools,
                           capture_output=True, text=True, timeout=120)
        check(r.returncode == 0, f"sigkill: trace-cmd restore failed: {r.stderr}")
        tc = trace_cmd_events(rec)
        d = report_json(rec)
        if tc and d:
            check(tc[0] == d["events"] and d["events"] > 0,
                  f"sigkill: restored file: trace-cmd {tc[0]}, compactrace {d['events']}")
    # the next record removes the stale instance (and refuses the leftover without --force)
    r = record(["-o", out, "-d", "0.2"])
    check(r.returncode != 0 and ".partial or " in r.stderr and "--force" in r.stderr,
          f"sigkill: leftover not refused: {r.stderr}")
    check(f"removed stale tracing instance {inst}" not in r.stderr, "sigkill: cleaned before refusing")
    r = record(["-o", out, "-d", "0.2", "--force"])
    check(r.returncode == 0, f"sigkill: record after kill failed: {r.stderr}")
    check(f"removed stale tracing instance {inst}" in r.stderr, f"sigkill: stale instance not removed: {r.stderr}")
    check(not os.path.isdir(f"{TRACING}/instances/{inst}"), f"sigkill: {inst} still there")
    no_leftovers(out, "sigkill")


def timed_record(out):
    """A recorder in the background, and when (s after its start) it said "recording"."""
    t0 = time.time()
    p = subprocess.Popen([tool, "record", "-o", out, "-d", KILL_DURATION], stdout=subprocess.DEVNULL,
                         stderr=subprocess.PIPE, text=True)
    line = p.stderr.readline()
    while line and "recording" not in line:
        line = p.stderr.readline()
    return p, t0, time.time() - t0 if line else None


def wait_completing(p, partial):
    """until FILE.partial grows past its header: the recorder is completing the file"""
    size = os.path.getsize(partial) if os.path.exists(partial) else 0
    while p.poll() is None:
        if os.path.exists(partial) and os.path.getsize(partial) > size:
            return
        time.sleep(0.0005)


def sigkill_moment(i, delay, since, counts):
    """One recorder killed with SIGKILL @delay s after @since ("start", "recording": it
    said so, "completing": FILE.partial began to grow); what it leaves must read or be
    rejected clearly, and the next record must remove its instance."""
    case = f"sigkill_random[{i}] at {delay:.3f} s after {since}"
    out = f"{tmp}/rk{i}.dat"
    c = compact_soon(0.2)
    if since == "start":
        p = subprocess.Popen([tool, "record", "-o", out, "-d", KILL_DURATION],
                             stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    else:
        p, _, _ = timed_record(out)
        if since == "completing":
            wait_completing(p, out + ".partial")
    time.sleep(delay)
    killed = p.poll() is None
    if killed:
        p.kill()
    err = p.communicate(timeout=60)[1]
    c.wait()
    inst = f"compactrace-{p.pid}"
    inst_left = os.path.isdir(f"{TRACING}/instances/{inst}")
    if not killed:
        check(p.returncode == 0, f"{case}: finished before the kill with exit {p.returncode}: {err}")
    spools = sorted(f"{tmp}/{f}" for f in os.listdir(tmp) if f.startswith(f"rk{i}.dat.partial.cpu"))
    if os.path.exists(out):
        # killed after the rename (or not at all): a whole file, as trace-cmd reads it
        kind = "whole file"
        d = report_json(out)
        tc = trace_cmd_events(out)
        if d and tc:
            check(tc[0] == d["events"], f"{case}: {out}: trace-cmd {tc[0]} events, compactrace {d['events']}")
    elif os.path.exists(out + ".partial"):
        part = out + ".partial"
        r = subprocess.run([tool, "report", "-f", "json", part], capture_output=True, text=True, timeout=120)
        check(r.returncode in (0, 1), f"{case}: report {part}: exit {r.returncode} {r.stderr[-300:]}")
        if r.returncode == 1:
            kind = "partial file rejected"
            check(part in r.stderr and re.search(r"byte \d+", r.stderr) is not None,
                  f"{case}: report {part}: unclear message {r.stderr!r}")
        elif r.returncode == 0:
            # read: it must agree with trace-cmd on the same bytes (no silent wrong numbers)
            kind = "partial file read"
            tc = trace_cmd_events(part)
            d = json.loads(r.stdout)
            if tc:
                check(tc[0] == d["events"], f"{case}: {part}: trace-cmd {tc[0]} events, "
                                            f"compactrace {d['events']}")
        if spools and shutil.which("trace-cmd"):
            rec = f"{tmp}/rk{i}-restored.dat"
            rr = subprocess.run(["trace-cmd", "restore", "-i", part, "-o", rec] + spools,
                                capture_output=True, text=True, timeout=120)
            if rr.returncode == 0:
                kind += ", restored"
                d = report_json(rec)
                tc = trace_cmd_events(rec)
                if d and tc:
                    check(tc[0] == d["events"],
                          f"{case}: restored: trace-cmd {tc[0]} events, compactrace {d['events']}")
            else:
                # documented for a recorder killed while recording; not once it began completing
                kind += ", not restorable"
                check(r.returncode == 1, f"{case}: trace-cmd cannot restore {part} but report read it")
    else:
        kind = "killed before any file"
        check(not spools, f"{case}: per-CPU files without FILE.partial: {spools}")
    counts[kind] = counts.get(kind, 0) + 1
    print(f"  {case}: {'killed' if killed else 'finished'}; {kind}"
          f"{'; instance left' if inst_left else ''}", file=sys.stderr)
    # the next record removes the stale instance
    r = record(["-o", f"{tmp}/rk{i}-next.dat", "-d", "0.1"])
    check(r.returncode == 0, f"{case}: the next record failed: {r.stderr}")
    if inst_left and f"removed stale tracing instance {inst}" not in r.stderr:
        # any compactrace record or top cleans stale instances: another one running
        # on this host (another test) may have been first
        print(f"  note: {case}: {inst} was removed by another compactrace meanwhile", file=sys.stderr)
    check(not os.path.isdir(f"{TRACING}/instances/{inst}"), f"{case}: {inst} still there")
    for f in os.listdir(tmp):
        if f.startswith(f"rk{i}"):
            os.unlink(f"{tmp}/{f}")


KILL_DURATION = "0.3"


def t_sigkill_random():
    """SIGKILL at random moments of a short recording. Half the moments are spread
    over a whole `record -d 0.3` (snapshots, setup, recording, completing, exit;
    measured first, about 2.5 s on the test VM); half over the time after it
    says "recording" (the end: the last snapshots, completing and renaming the file).

    One moment in four waits until the recorder begins completing the file
    (FILE.partial grows) and kills it within 5 ms.

    CT_KILL_SEED=N reproduces a run; CT_KILL_MOMENTS=K sets how many (default 20)."""
    seed = int(os.environ.get("CT_KILL_SEED", str(int(time.time()) % 100000)))
    n = int(os.environ.get("CT_KILL_MOMENTS", "20"))
    clean = f"{tmp}/rk-clean.dat"
    p, t0, said = timed_record(clean)
    p.communicate(timeout=120)
    span = time.time() - t0
    check(p.returncode == 0 and said is not None, f"sigkill_random: clean record failed ({p.returncode})")
    if os.path.exists(clean):
        os.unlink(clean)
    tail = span - (said or 0)
    rng = random.Random(seed)
    print(f"sigkill_random: seed {seed} (CT_KILL_SEED={seed} reproduces), {n} moments: a whole "
          f"record -d {KILL_DURATION} took {span:.2f} s, {tail:.2f} s of it after 'recording'",
          file=sys.stderr)
    counts = {}
    for i in range(n):
        if i % 2 == 0:
            sigkill_moment(i, rng.uniform(0.0, span * 1.05), "start", counts)
        elif i % 4 == 1:
            sigkill_moment(i, rng.uniform(0.0, tail * 1.05), "recording", counts)
        else:
            sigkill_moment(i, rng.uniform(0.0, 0.005), "completing", counts)
    print(f"sigkill_random: seed {seed}: " + ", ".join(f"{v} {k}" for k, v in sorted(counts.items())),
          file=sys.stderr)


def t_stale():
    p = subprocess.Popen(["true"])
    p.wait()
    inst = f"{TRACING}/instances/compactrace-{p.pid}"
    os.mkdir(inst)
    try:
        with open(f"{inst}/events/kmem/mm_page_alloc_extfrag/enable", "w") as f:
            f.write("1")
        r = record(["-o", f"{tmp}/stale.dat", "-d", "0.2"])
        check(r.returncode == 0, f"stale: exit {r.returncode}: {r.stderr}")
        check(f"removed stale tracing instance compactrace-{p.pid}" in r.stderr,
              f"stale: not reported: {r.stderr}")
        check(not os.path.isdir(inst), f"stale: {inst} still there")
    finally:
        if os.path.isdir(inst):
            os.rmdir(inst)


def t_command():
    out = f"{tmp}/cmd.dat"
    t0 = time.time()
    r = record(["-o", out, "-d", "60", "--", "sh", "-c",
                "sleep 0.3; echo 1 > /proc/sys/vm/compact_memory; exit 3"])
    check(time.time() - t0 < 30, "command: did not stop when the command exited")
    check(r.returncode == 0, f"command: exit {r.returncode}: {r.stderr}")
    check("exited with status 3" in r.stderr, f"command: status not reported: {r.stderr}")
    d = report_json(out)
    if d:
        check(d["sources"][0]["events_by_name"].get("mm_compaction_begin", 0) > 0,
              "command: the command's compaction was not recorded")
        slow = d["runs"]["slowest"]
        check(any(s["comm"] == "sh" for s in slow), f"command: the runs are not the command's: {slow[:2]}")


def t_command_missing():
    out = f"{tmp}/nocmd.dat"
    r = record(["-o", out, "--", "/nonexistent/command"])
    check(r.returncode != 0 and "cannot run '/nonexistent/command'" in r.stderr,
          f"command_missing: {r.returncode} {r.stderr}")
    check(not os.path.exists(out), "command_missing: output written")
    no_leftovers(out, "command_missing")


def t_not_root():
    out = f"{tmp}/noroot.dat"
    if not shutil.which("setpriv"):
        print("note: no setpriv; not_root not run", file=sys.stderr)
        return
    r = subprocess.run(["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", tool, "record",
                        "-o", out, "-d", "0.2"], capture_output=True, text=True, timeout=60)
    check(r.returncode != 0, "not_root: succeeded")
    lines = r.stderr.strip().splitlines()
    check(len(lines) == 1 and "root" in lines[0], f"not_root: want one line about root: {r.stderr}")
    check(not os.path.exists(out) and not os.path.exists(out + ".partial"), "not_root: files written")


def t_missing_event():
    out = f"{tmp}/noevent.dat"
    r = record(["-o", out, "-d", "0.2", "-e", "nosuchsystem:nosuch_event"])
    check(r.returncode == 0, f"missing_event: exit {r.returncode}: {r.stderr}")
    check("skipping nosuchsystem:nosuch_event: this kernel has no such event" in r.stderr,
          f"missing_event: not said: {r.stderr}")
    info = attachments(out).get("record/info", b"").decode()
    check("skipped nosuchsystem:nosuch_event" in info, f"missing_event: not in record/info: {info}")


def t_pages_reclaim():
    out = f"{tmp}/pages.dat"
    load = churn(1.5, 1)
    r = record(["-o", out, "-d", "1", "--pages", "--reclaim"])
    for p in load:
        p.wait()
    check(r.returncode == 0, f"pages: exit {r.returncode}: {r.stderr}")
    info = attachments(out).get("record/info", b"").decode()
    for ev in ("kmem:mm_page_alloc ", "kmem:mm_page_free ", "kmem:mm_page_free_batched",
               "kmem:mm_page_alloc_zone_locked", "kmem:mm_page_pcpu_drain", "migrate:mm_migrate_pages",
               "vmscan:mm_vmscan_direct_reclaim_begin", "vmscan:mm_vmscan_direct_reclaim_end",
               "vmscan:mm_vmscan_kswapd_wake", "vmscan:mm_vmscan_kswapd_sleep",
               "compaction:mm_compaction_begin", "kmem:mm_page_alloc_extfrag"):
        check(ev in info + " ", f"pages: {ev.strip()} not enabled: {info}")
    d = report_json(out)
    tc = trace_cmd_events(out)
    if d and tc:
        check(tc[0] == d["events"], f"pages: trace-cmd {tc[0]} events, compactrace {d['events']}")
    if d:
        check(d["events"] > 10000, f"pages: only {d['events']} events with page churn")
    check_free_map(out, d, "pages")


def check_free_map(out, d, case):
    """The free map of a --pages file: read once tracing was on, and the exact model it seeds."""
    fm = attachments(out).get("snapshot-start/free-map", b"")
    if not check(fm[:11] == b"CTFREEMAP1\n" and len(fm) > 43, f"{case}: no free map attachment"):
        return
    start, npfns, ts0, ts1 = struct.unpack_from("<4Q", fm, 11)
    check(start == 0 and npfns > 0 and len(fm) == 43 + (npfns + 3) // 4, f"{case}: free map header {npfns}")
    if not d:
        return
    first, last = d["sources"][0]["first_ts_ns"], d["sources"][0]["last_ts_ns"]
    # the window is in the trace's clock ("mono", not "local", which is off by tens of ms
    # here): it starts as tracing does (page events follow within microseconds, but the
    # first may come after it) and ends before tracing stops
    check(first - 5 * 10**6 < ts0 < ts1 <= last, f"{case}: free map window {ts0}..{ts1}, trace {first}..{last}")
    m = d.get("model") or {}
    check(m.get("mode") == "exact", f"{case}: model mode {m.get('mode')}")
    for z in m.get("zones", []):
        check(z["mode"] == "exact" and z["seeding"] == "free-map", f"{case}: zone {z['zone']} {z['mode']}")
        check(z["accuracy"] is not None and z["accuracy"] >= 0.99,
              f"{case}: zone {z['zone']} accuracy {z['accuracy']} (free blocks {z['free_blocks']})")


def t_pages_compact():
    """--pages during manual compaction: exact model, as report and as trace-cmd's text say."""
    out = f"{tmp}/pages-compact.dat"
    r = record(["-o", out, "--pages", "--", "sh", "-c", "echo 1 > /proc/sys/vm/compact_memory"])
    check(r.returncode == 0, f"pages_compact: exit {r.returncode}: {r.stderr}")
    d = report_json(out)
    check_free_map(out, d, "pages_compact")
    if not d or not shutil.which("trace-cmd"):
        return
    x = subprocess.run([tool, "report", "--extract-snapshots", f"{tmp}/pc-snap", out], capture_output=True,
                       text=True)
    check(x.returncode == 0 and os.path.exists(f"{tmp}/pc-snap/snapshot-start/free-map"),
          f"pages_compact: --extract-snapshots: {x.stderr}")
    txt = f"{tmp}/pages-compact.txt"
    with open(txt, "w") as f:
        subprocess.run(["trace-cmd", "report", out], stdout=f, stderr=subprocess.DEVNULL, timeout=600)
    t = report_json(txt, "--snapshot-start", f"{tmp}/pc-snap/snapshot-start", "--snapshot-end",
                    f"{tmp}/pc-snap/snapshot-end")
    if t:
        check(t["events"] == d["events"], f"pages_compact: text {t['events']} events, trace.dat {d['events']}")
        check(t["model"]["zones"] == d["model"]["zones"], "pages_compact: the text's model differs")
    shutil.rmtree(f"{tmp}/pc-snap", ignore_errors=True)


def t_lost():
    out = f"{tmp}/lost.dat"
    load = churn(3)
    r = record(["-o", out, "-d", "2", "--pages", "--buffer-kb", "16"])
    for p in load:
        p.wait()
    check(r.returncode == 0, f"lost: exit {r.returncode}: {r.stderr}")
    m = re.search(r"\n  lost     (\d+) ", r.stderr)
    check(m and int(m.group(1)) > 0, f"lost: a 16 KiB buffer under churn lost nothing? {r.stderr}")
    d = report_json(out)
    tc = trace_cmd_events(out)
    if tc:
        check(tc[1] > 0, "lost: trace-cmd shows no dropped events")
    if d and tc:
        check(tc[0] == d["events"], f"lost: trace-cmd {tc[0]} events, compactrace {d['events']}")
    if d:
        check(d["quality"]["lost_events"] > 0, f"lost: report says no lost events: {d['quality']}")
    stats = attachments(out).get("record/cpustats", b"").decode()
    check("overrun: " in stats, "lost: no per-CPU stats in the file")


def t_disk_full():
    mnt = f"{tmp}/full"
    os.mkdir(mnt)
    if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", mnt]).returncode != 0:
        print("note: cannot mount a tmpfs; disk_full not run", file=sys.stderr)
        return
    try:
        out = f"{mnt}/full.dat"
        load = churn(3)
        r = record(["-o", out, "-d", "2", "--pages"])
        for p in load:
            p.wait()
        check(r.returncode != 0, "disk_full: claimed success on a full disk")
        check("disk is full" in r.stderr and "kept" in r.stderr, f"disk_full: not said: {r.stderr}")
        check(os.path.exists(out + ".partial"), "disk_full: FILE.partial not kept")
        spools = sorted(f"{mnt}/{f}" for f in os.listdir(mnt) if ".partial.cpu" in f)
        if shutil.which("trace-cmd") and spools:
            rec = f"{tmp}/full-restored.dat"
            r2 = subprocess.run(["trace-cmd", "restore", "-i", out + ".partial", "-o", rec] + spools,
                                capture_output=True, text=True, timeout=120)
            check(r2.returncode == 0, f"disk_full: trace-cmd restore failed: {r2.stderr}")
            tc = trace_cmd_events(rec)
            d = report_json(rec)
            if tc and d:
                check(tc[0] == d["events"] and d["events"] > 0,
                      f"disk_full: kept data: trace-cmd {tc[0]}, compactrace {d['events']}")
    finally:
        subprocess.run(["umount", mnt])
        os.rmdir(mnt)


def t_usage():
    r = subprocess.run([tool, "record", "--help"], capture_output=True, text=True)
    check(r.returncode == 0 and "trace-cmd restore" in r.stdout, "usage: --help")
    r = subprocess.run([tool, "record", "-d", "-1"], capture_output=True, text=True)
    check(r.returncode == 2, f"usage: bad duration accepted ({r.returncode})")
    r = subprocess.run([tool, "record", "stray"], capture_output=True, text=True)
    check(r.returncode == 2 and "after '--'" in r.stderr, f"usage: stray argument: {r.stderr}")


CASES = {name[2:]: fn for name, fn in globals().items() if name.startswith("t_")}


def main():
    global tool, tmp
    if len(sys.argv) < 2:
        print(__doc__, file=sys.stderr)
        return 2
    tool = os.path.abspath(sys.argv[1])
    if os.geteuid() != 0:
        skip("needs root")
    if not os.path.isdir(f"{TRACING}/instances"):
        skip(f"no tracefs at {TRACING}")
    if not os.path.isdir(f"{TRACING}/events/compaction"):
        skip("this kernel has no compaction events")
    names = sys.argv[2:] or list(CASES)
    tmp = tempfile.mkdtemp(prefix="ct-record-")
    try:
        for name in names:
            before = host_state()
            t, nfail = time.time(), len(failures)
            try:
                CASES[name]()
            except Exception as e:  # a crash in a case is a failure of that case
                check(False, f"{name}: {type(e).__name__}: {e}")
            check_host(before, name)
            print(f"{name}: {'ok' if len(failures) == nfail else 'FAILED'} ({time.time() - t:.1f} s)")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print(f"{len(names)} cases, {len(failures)} failed checks")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
