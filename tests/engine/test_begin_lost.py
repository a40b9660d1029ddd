#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""A trace that starts inside a compaction run, in all five formats.

samples/traces/midrun/ was recorded by samples/record-midrun.sh: flight-
recorder buffers too small for one `echo 1 > /proc/sys/vm/compact_memory`,
so each begins inside a run whose mm_compaction_begin was overwritten.

Expected values (hand analysis of the files, written down here):
  ftrace text, trace-cmd text, trace.dat (one tracefs buffer, 199 events,
  3,050 lost): two mm_compaction_end lines, one mm_compaction_begin.
    - end 1 (ftrace line 39): zone 0x1000-0x100000 (DMA32), status=complete,
      no begin before it; the finished events before it say order=-1;
    - begin/end 2 (lines 40, 211): zone 0x100000-0x1a8000 (Normal),
      status=contended, 326 us.
  perf.data, perf script text (perf's own buffer, 158 samples): one
  mm_compaction_end (perf script line 158, Normal, status=contended), no
  begin; the finished events before it say order=-1.
  Task sh (perf: taskset) pid 23165 throughout: a compact_memory writer, so
  every run is `manual`.
Check kinds: the hand-written values are ground truth; for the text files a
second, independent count (regular expressions, below) must agree with them.
Exit 0 pass, 1 fail.
"""
import json
import os
import re
import subprocess
import sys

TOOL, SAMPLE = sys.argv[1], sys.argv[2]

BUFFER = {"runs": 2, "by_status": {"complete": 1, "contended": 1}, "manual": 2,
          "with_duration": 1, "max_us": 326, "unmatched_end": 1,
          "zones": {"DMA32": (1, {"complete": 1}), "Normal": (1, {"contended": 1})}}
PERF = {"runs": 1, "by_status": {"contended": 1}, "manual": 1, "with_duration": 0, "max_us": 0,
        "unmatched_end": 1, "zones": {"Normal": (1, {"contended": 1})}}
FILES = [("trace.ftrace.txt", BUFFER), ("trace.trace-cmd.txt", BUFFER), ("trace.dat", BUFFER),
         ("trace.perf-script.txt", PERF), ("trace.perf.data", PERF)]

failures = 0


def check(what, got, want):
    global failures
    if got != want:
        failures += 1
        print(f"FAIL: {what}: got {got!r}, want {want!r}", file=sys.stderr)


def count_text(path):
    """Independent count: ends, ends without a begin on the same pid, statuses."""
    ev = re.compile(r"[ -](\d+)\s+\[\d+\].*?mm_compaction_(begin|end):.*?(?:status=(\w+))?\s*$")
    open_pid, ends, lost, status = set(), 0, 0, {}
    for line in open(path, errors="replace"):
        m = ev.search(line)
        if not m:
            continue
        pid, kind, st = m.groups()
        if kind == "begin":
            open_pid.add(pid)
            continue
        ends += 1
        status[st] = status.get(st, 0) + 1
        if pid in open_pid:
            open_pid.discard(pid)
        else:
            lost += 1
    return ends, lost, status


def report(fmt, path):
    p = subprocess.run([TOOL, "report", "-f", fmt, path], capture_output=True, text=True,
                       env=dict(os.environ, LC_ALL="C"))
    if p.returncode != 0:
        check(f"compactrace report -f {fmt} {path} exit status", p.returncode, 0)
        print(p.stderr, file=sys.stderr)
        return None
    return p.stdout


for name, want in FILES:
    path = os.path.join(SAMPLE, name)
    if name.endswith(".txt"):
        ends, lost, status = count_text(path)
        check(f"{name}: end lines (regex)", ends, want["runs"])
        check(f"{name}: ends without a begin (regex)", lost, want["unmatched_end"])
        check(f"{name}: statuses (regex)", status, want["by_status"])
    out = report("json", path)
    if out is None:
        continue
    r = json.loads(out)
    runs = r["runs"]
    check(f"{name}: runs.count", runs["count"], want["runs"])
    check(f"{name}: runs.by_status", {k: v for k, v in runs["by_status"].items() if v},
          want["by_status"])
    check(f"{name}: runs.by_trigger.manual", runs["by_trigger"].get("manual", 0), want["manual"])
    check(f"{name}: runs.by_trigger total", sum(runs["by_trigger"].values()), want["runs"])
    check(f"{name}: runs.duration_us.count", runs["duration_us"]["count"], want["with_duration"])
    # text formats print whole microseconds, the binary ones nanoseconds
    check(f"{name}: runs.duration_us.max (whole us)", int(runs["duration_us"]["max"]), want["max_us"])
    check(f"{name}: quality.unmatched_end", r["quality"]["unmatched_end"], want["unmatched_end"])
    check(f"{name}: quality.unmatched_begin", r["quality"]["unmatched_begin"], 0)
    zones = {z["zone"]: (z["runs"], {k: v for k, v in z["by_status"].items() if v})
             for z in r["zones"] if z["runs"]}
    check(f"{name}: zones", zones, want["zones"])
    text = report("text", path)
    if text is not None:
        n = want["runs"] - want["with_duration"]
        check(f"{name}: text says how many runs ran without a known start",
              f"; {n} ran without a known start" in text, True)
    nd = report("ndjson", path)
    if nd is not None:
        lines = [json.loads(x) for x in nd.splitlines() if x]
        runs_nd = [x for x in lines if x.get("type") == "run"]
        check(f"{name}: ndjson run lines", len(runs_nd), want["runs"])
        check(f"{name}: ndjson runs without a begin",
              sum(1 for x in runs_nd if x["begin_ns"] is None and x["duration_us"] is None),
              want["unmatched_end"])

print(f"{'FAIL' if failures else 'ok'}: {failures} failed checks over {len(FILES)} formats")
sys.exit(1 if failures else 0)
