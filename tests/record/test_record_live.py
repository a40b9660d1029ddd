#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Live tests of `compactrace record` (need root and tracefs; exit 77 otherwise).

Usage: test_record_live.py COMPACTRACE KILLAT_SO [CASE...]

Every case checks that the host's tracing state (top-level events/enable,
tracing_on, current_tracer and the list of instances) is the same after it
as before it. A case that cannot run here says SKIP and why. No clock
decides anything: recordings that must contain compaction record while a
command compacts (`record -- sh -c 'echo 1 > compact_memory'`), and
SIGKILLs come at chosen points of the recorder's progress (the killat
shim: the N-th write, link, rename... on a given file), chosen by a
seeded random generator (CT_KILL_SEED, printed) in sigkill_points.
Holds /tmp/compactrace-live.lock (tests/common/livelock.py) throughout.
Exit status: 0 pass, 1 fail, 77 skip (every case asked for was skipped,
or some were and none failed).
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

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "common"))
import livelock  # noqa: E402

TRACING = "/sys/kernel/tracing"
EVENT_LINE = re.compile(r"\[\d+\]\s+\d+\.\d+: ")
# page churn by amount, not by time: N rounds of 32 MiB faulted in and released
CHURN = "import sys\nfor _ in range(int(sys.argv[1])):\n    x = b'\\1' * (32 << 20)\n"
COMPACT = ["sh", "-c", "echo 1 > /proc/sys/vm/compact_memory"]

failures = []
tool = None
killat = None
tmp = None


class Skip(Exception):
    """This case cannot run here; the message says why."""


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


def churn_command(rounds):
    """a command for record: page churn of a fixed amount (rounds x 32 MiB)"""
    return ["/usr/bin/python3", "-c", CHURN, str(rounds)]


def no_leftovers(out, case):
    left = [f for f in os.listdir(os.path.dirname(out)) if f.startswith(os.path.basename(out) + ".partial")]
    check(not left, f"{case}: leftover files {left}")


# ---- cases ----

def t_basic():
    out = f"{tmp}/basic.dat"
    # the recording lasts as long as a manual compaction: no clock decides what is in it
    r = record(["-o", out, "--"] + COMPACT)
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
    # compact_memory returns once compaction is done: its events are in the
    # buffer, and the recorder drains everything when it stops
    subprocess.run(COMPACT)
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


def killed_record(out, point, args=None):
    """record -o OUT, SIGKILLed by the killat shim at POINT (CALL:TEXT:N) while a
    manual compaction runs; (returncode, stderr, pid)."""
    env = dict(os.environ, LD_PRELOAD=killat, CT_KILL_AT=point,
               ASAN_OPTIONS=os.environ.get("ASAN_OPTIONS", "") + ":verify_asan_link_order=0")
    p = subprocess.Popen([tool, "record", "-o", out] + (args or ["--"] + COMPACT),
                         stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, env=env)
    err = p.communicate(timeout=300)[1]
    return p.returncode, err, p.pid


def t_sigkill():
    """Killed once the recording stopped and every CPU's pages are in
    FILE.partial.cpuN, before FILE.partial is completed (its first truncation):
    the leftovers are what the docs say, and restore rebuilds them."""
    out = f"{tmp}/kill.dat"
    rc, err, pid = killed_record(out, "ftruncate:kill.dat.partial$:1")
    check(rc == -signal.SIGKILL, f"sigkill: not killed before completing the file: exit {rc}: {err[-300:]}")
    inst = f"compactrace-{pid}"
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
            check(d["sources"][0]["events_by_name"].get("mm_compaction_begin", 0) > 0,
                  "sigkill: the compaction is not in the restored file")
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


def t_sigkill_header():
    """Killed at the first write of the header (the defect behind "dat.partial:
    unclear message 'file is empty'"): FILE.partial used to exist, empty, with
    empty per-CPU files, which trace-cmd restore cannot read and which the next
    record refused with advice to restore them. Now it appears only once its
    header is whole: nothing is left but the instance."""
    out = f"{tmp}/khead.dat"
    rc, err, pid = killed_record(out, f"write:{tmp}/:1")
    check(rc == -signal.SIGKILL, f"sigkill_header: not killed at the first write: exit {rc}: {err[-300:]}")
    left = sorted(f for f in os.listdir(tmp) if f.startswith("khead.dat"))
    check(not left, f"sigkill_header: killed before the header was whole, it left {left}")
    if os.path.exists(out + ".partial"):
        r = subprocess.run([tool, "report", out + ".partial"], capture_output=True, text=True)
        check(False, f"sigkill_header: FILE.partial of {os.path.getsize(out + '.partial')} bytes; "
                     f"report says {r.stderr.strip()!r}")
    r = record(["-o", out, "-d", "0.1"])
    check(r.returncode == 0, f"sigkill_header: the next record was refused: {r.stderr}")
    check(not os.path.isdir(f"{TRACING}/instances/compactrace-{pid}"), "sigkill_header: instance left")
    for f in os.listdir(tmp):
        if f.startswith("khead.dat"):
            os.unlink(f"{tmp}/{f}")


# Points of the recorder's progress a SIGKILL can come at (killat: CALL:TEXT:N,
# TEXT ending in $ matches the path's end), with the range N is drawn from:
# each deterministic, given the same build on the same host.
KILL_POINTS = [
    ("create the header file", "open", "{tmp}/", (1, 1)),
    ("write the header", "write", "{tmp}/", (1, 12)),
    ("name it FILE.partial", "link", ".partial$", (1, 1)),
    ("create FILE.partial.cpuN", "open", ".partial.cpu", (1, 2)),
    ("move CPU pages to FILE.partial.cpuN", "write", ".partial.cpu", (1, 2)),
    ("begin completing FILE.partial", "ftruncate", ".partial$", (1, 1)),
    ("complete FILE.partial", "write", ".partial$", (1, 4)),
    ("rename FILE.partial to FILE", "rename", ".partial$", (1, 1)),
]


def sigkill_point(i, what, point, counts):
    """One recorder killed with SIGKILL at @point; what it leaves must read or be
    rejected clearly, or be restorable, and the next record must remove its instance."""
    case = f"sigkill_points[{i}] before the recorder's '{point}' ({what})"
    out = f"{tmp}/rk{i}.dat"
    rc, err, pid = killed_record(out, point)
    killed = rc == -signal.SIGKILL
    inst = f"compactrace-{pid}"
    inst_left = os.path.isdir(f"{TRACING}/instances/{inst}")
    if not killed:
        check(rc == 0, f"{case}: finished without the kill, exit {rc}: {err[-300:]}")
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
        else:
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
    check(not os.path.isdir(f"{TRACING}/instances/{inst}"), f"{case}: {inst} still there")
    for f in os.listdir(tmp):
        if f.startswith(f"rk{i}"):
            os.unlink(f"{tmp}/{f}")


def t_sigkill_points():
    """SIGKILL at randomly chosen points of the recorder's progress (KILL_POINTS,
    and which N-th call); CT_KILL_SEED=N reproduces a run (default 1, so every
    run of the suite is the same), CT_KILL_MOMENTS=K sets how many (default 10)."""
    seed = int(os.environ.get("CT_KILL_SEED", "1"))
    n = int(os.environ.get("CT_KILL_MOMENTS", "10"))
    rng = random.Random(seed)
    print(f"sigkill_points: seed {seed} (CT_KILL_SEED={seed} reproduces it), {n} kills", file=sys.stderr)
    counts = {}
    for i in range(n):
        what, call, text, (lo, hi) = KILL_POINTS[i] if i < len(KILL_POINTS) else rng.choice(KILL_POINTS)
        point = f"{call}:{text.format(tmp=tmp)}:{rng.randint(lo, hi)}"
        sigkill_point(i, what, point, counts)
    print(f"sigkill_points: seed {seed}: " + ", ".join(f"{v} {k}" for k, v in sorted(counts.items())),
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
    # -d 3600: a recorder that did not stop when the command exited hits record()'s timeout
    r = record(["-o", out, "-d", "3600", "--", "sh", "-c",
                "echo 1 > /proc/sys/vm/compact_memory; exit 3"])
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
        raise Skip("setpriv (util-linux) is not installed: cannot run record as another user")
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
    # 4 x 32 MiB faulted in and released: at least 32,768 mm_page_alloc
    r = record(["-o", out, "--pages", "--reclaim", "--"] + churn_command(4))
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
        check(d["sources"][0]["events_by_name"].get("mm_page_alloc", 0) >= 4 * 8192,
              f"pages: {d['sources'][0]['events_by_name'].get('mm_page_alloc')} mm_page_alloc for "
              f"4 x 32 MiB of page churn")
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
    # here) and the map is read once tracing is on: the trace's first event comes before
    # the read ends (the recorder's own map array is faulted in during the read, and its
    # page allocations are traced), and the window ends before tracing stops. No bound on
    # how soon after the window's start the first event comes: that is up to the host.
    check(first < ts1 and ts0 < ts1 <= last, f"{case}: free map window {ts0}..{ts1}, trace {first}..{last}")
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
    # 40 x 32 MiB (over 300,000 page events) through 16 KiB per CPU
    r = record(["-o", out, "--pages", "--buffer-kb", "16", "--"] + churn_command(40))
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
    m = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", mnt], capture_output=True, text=True)
    if m.returncode != 0:
        os.rmdir(mnt)
        raise Skip(f"cannot mount a 2 MiB tmpfs for a full disk: {m.stderr.strip()}")
    try:
        out = f"{mnt}/full.dat"
        # 20 x 32 MiB of page churn: far more than 2 MiB of events
        r = record(["-o", out, "--pages", "--"] + churn_command(20))
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
    global killat
    if len(sys.argv) < 3:
        print(__doc__, file=sys.stderr)
        return 2
    tool = os.path.abspath(sys.argv[1])
    killat = os.path.abspath(sys.argv[2])
    if os.geteuid() != 0:
        skip("needs root")
    if not os.path.isdir(f"{TRACING}/instances"):
        skip(f"no tracefs at {TRACING}")
    if not os.path.isdir(f"{TRACING}/events/compaction"):
        skip("this kernel has no compaction events")
    names = sys.argv[3:] or list(CASES)
    unknown = [n for n in names if n not in CASES]
    if unknown:
        print(f"no such case: {unknown}; cases: {sorted(CASES)}", file=sys.stderr)
        return 2
    livelock.acquire("record-live")
    tmp = tempfile.mkdtemp(prefix="ct-record-")
    skipped = []
    try:
        for name in names:
            before = host_state()
            nfail = len(failures)
            try:
                CASES[name]()
            except Skip as e:
                skipped.append(name)
                print(f"{name}: SKIP: {e}")
            except Exception as e:  # a crash in a case is a failure of that case
                check(False, f"{name}: {type(e).__name__}: {e}")
            check_host(before, name)
            if name not in skipped:
                print(f"{name}: {'ok' if len(failures) == nfail else 'FAILED'}")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print(f"{len(names)} cases, {len(skipped)} skipped, {len(failures)} failed checks")
    if failures:
        return 1
    return 77 if skipped else 0


if __name__ == "__main__":
    sys.exit(main())
