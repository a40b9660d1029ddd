#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Validate `compactrace report -f perfetto` on one real sample.

Structure (the Trace Event Format rules Perfetto's importer relies on):
the file parses as JSON; every event has ph/name/pid/tid; every timestamp
is µs with at most three decimals (ns kept exactly); X slices on one
thread nest properly (no partial overlap); B/E (if any) balance per thread;
counter samples are in time order per track; every flow_in has one
flow_out that comes no later; every thread used by a slice is named.

Counts against `report -f json` (the program's own report): stall slices
= stalls.count, run slices = runs.count (each run has a begin and an end).

Against an independent reading of the same capture (`trace-cmd report -t`,
parsed here with regular expressions, no code shared with compactrace):
the stall slices are exactly the try_to_compact_pages events (pid, ns);
the run slices are exactly the begin/end pairs per pid (pid, begin ns,
end ns); every direct run lies inside a stall slice of its task and every
kcompactd run inside an awake slice; wakeup_kcompactd slices = the
wakeup_kcompactd events; fragmenting-fallback instants = extfrag events
with fallback_order < the pageblock order; deferral instants = deferred
+ defer_compaction events.

Exit 0 pass, 1 fail, 77 skip (trace-cmd missing).
"""
import argparse
import collections
import decimal
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

from common import fail, failures, materialize, verdict  # noqa: F401

def report_args(sample, dat):
    args = [dat]
    if os.path.isdir(os.path.join(sample, "snapshot-start")) and not dat.endswith(".xz"):
        args = ["--snapshot-start", os.path.join(sample, "snapshot-start"),
                "--snapshot-end", os.path.join(sample, "snapshot-end"), dat]
    return args


def run_tool(tool, args):
    p = subprocess.run([tool, "report"] + args, capture_output=True, env=dict(os.environ, LC_ALL="C"))
    if p.returncode != 0:
        fail(f"compactrace report {' '.join(args)}: exit {p.returncode}: {p.stderr.decode(errors='replace')}")
        return None
    return p.stdout


TS_RE = re.compile(rb'"(ts|dur)":(-?[0-9.eE+]+)[,}]')


def check_structure(raw, trace):
    # timestamps: µs with at most three decimals, never negative, never exponent notation
    for m in TS_RE.finditer(raw):
        v = m.group(2).decode()
        if not re.fullmatch(r"[0-9]+(\.[0-9]{1,3})?", v):
            fail(f'"{m.group(1).decode()}":{v} is not µs with ns as three decimals')
            break
    events = trace.get("traceEvents")
    if not isinstance(events, list) or not events:
        fail("no traceEvents array")
        return []
    named = set()
    for e in events:
        for key in ("ph", "name", "pid", "tid"):
            if key not in e:
                fail(f"event without {key}: {e}")
                return []
        if e["ph"] != "M" and "ts" not in e:
            fail(f"event without ts: {e}")
        if e["ph"] == "M":
            if e["name"] not in ("process_name", "thread_name") or not e["args"].get("name"):
                fail(f"bad metadata event {e}")
            if e["name"] == "thread_name":
                named.add((e["pid"], e["tid"]))
        if e["ph"] == "X" and ("dur" not in e or e["dur"] < 0):
            fail(f"X without a duration: {e}")
    # X nesting and B/E balance per thread
    by_thread = collections.defaultdict(list)
    be = collections.defaultdict(list)
    for e in events:
        if e["ph"] == "X":
            by_thread[(e["pid"], e["tid"])].append(e)
        elif e["ph"] in "BE":
            be[(e["pid"], e["tid"])].append(e)
    for thread, slices in by_thread.items():
        if thread not in named:
            fail(f"thread {thread} has slices but no thread_name")
        slices.sort(key=lambda e: (e["ts"], -e["dur"]))
        stack = []
        for e in slices:
            start, end = e["ts"], e["ts"] + e["dur"]
            while stack and stack[-1] <= start:
                stack.pop()
            if stack and end > stack[-1]:
                fail(f"thread {thread}: slice {e['name']} at {start} ends at {end}, after its parent's end "
                     f"{stack[-1]} (not nested)")
                break
            stack.append(end)
    for thread, evs in be.items():
        depth = 0
        for e in sorted(evs, key=lambda e: e["ts"]):
            depth += 1 if e["ph"] == "B" else -1
            if depth < 0:
                fail(f"thread {thread}: E without B")
                break
        if depth > 0:
            fail(f"thread {thread}: {depth} B without E")
    # counters: in time order per track (name + series)
    last = {}
    for e in events:
        if e["ph"] != "C":
            continue
        for k, v in e["args"].items():
            key = (e["pid"], e["name"], k)
            if not isinstance(v, (int, decimal.Decimal)) or v < 0:
                fail(f"counter {key} value {v!r}")
            if key in last and e["ts"] < last[key]:
                fail(f"counter {key} goes back in time: {e['ts']} after {last[key]}")
            last[key] = e["ts"]
    # flows: each flow_in has one earlier flow_out
    outs, ins = {}, collections.Counter()
    for e in events:
        if e.get("flow_out"):
            if e["bind_id"] in outs:
                fail(f"flow id {e['bind_id']} started twice")
            outs[e["bind_id"]] = e["ts"]
    for e in events:
        if e.get("flow_in"):
            ins[e["bind_id"]] += 1
            if e["bind_id"] not in outs:
                fail(f"flow_in {e['bind_id']} without a flow_out")
            elif outs[e["bind_id"]] > e["ts"]:
                fail(f"flow {e['bind_id']} ends before it starts")
    for k, n in ins.items():
        if n > 1:
            fail(f"flow {k} ends {n} times")
    return events


LINE_RE = re.compile(r"-(\d+)\s+\[\d+\]\s+(\d+)\.(\d{9}): (\w+):\s*(.*)$")


def oracle(dat):
    """What trace-cmd reads in the capture: [(pid, ns, event, fields)]."""
    p = subprocess.run(["trace-cmd", "report", "-t", dat], capture_output=True)
    if p.returncode != 0:
        fail(f"trace-cmd report -t {dat}: exit {p.returncode}")
        return []
    out = []
    for line in p.stdout.decode(errors="replace").splitlines():
        m = LINE_RE.search(line)
        if m:
            out.append((int(m.group(1)), int(m.group(2)) * 10**9 + int(m.group(3)), m.group(4), m.group(5)))
    return out


def pageblock_order(sample, tmp, dat):
    for d in (os.path.join(sample, "snapshot-start"),):
        path = os.path.join(d, "pagetypeinfo")
        if os.path.exists(path):
            m = re.search(r"Page block order:\s*(\d+)", open(path).read())
            if m:
                return int(m.group(1))
    return 9  # x86-64 (what the record --pages sample's host had: its README)


def ns(v):
    return int(decimal.Decimal(v) * 1000)


def check_against_oracle(events, lines, pbo):
    stalls = sorted((e["tid"], ns(e["ts"])) for e in events if e["ph"] == "X" and e["cat"] == "stall")
    tries = sorted((pid, t) for pid, t, name, _ in lines if name == "mm_compaction_try_to_compact_pages")
    if stalls != tries:
        fail(f"stall slices ({len(stalls)}) are not the try_to_compact_pages events ({len(tries)})")
    open_runs, pairs = {}, []
    for pid, t, name, _ in lines:
        if name == "mm_compaction_begin":
            open_runs[pid] = t
        elif name == "mm_compaction_end" and pid in open_runs:
            pairs.append((pid, open_runs.pop(pid), t))
    runs = sorted((e["tid"], ns(e["ts"]), ns(e["ts"]) + ns(e["dur"]))
                  for e in events if e["ph"] == "X" and e["cat"] == "run")
    if runs != sorted(pairs):
        fail(f"run slices ({len(runs)}) are not the begin/end pairs ({len(pairs)})")
    n = sum(1 for _, _, name, _ in lines if name == "mm_compaction_wakeup_kcompactd")
    got = sum(1 for e in events if e["ph"] == "X" and e["name"] == "wakeup_kcompactd")
    if got != n:
        fail(f"{got} wakeup_kcompactd slices, {n} events")
    frag = 0
    for _, _, name, fields in lines:
        if name == "mm_page_alloc_extfrag":
            m = re.search(r"fallback_order=(\d+)", fields)
            frag += bool(m and int(m.group(1)) < pbo)
    got = sum(1 for e in events if e["ph"] == "i" and e["name"] == "fragmenting fallback")
    if got != frag:
        fail(f"{got} fragmenting-fallback instants, {frag} extfrag events with fallback_order < {pbo}")
    n = sum(1 for _, _, name, _ in lines
            if name in ("mm_compaction_deferred", "mm_compaction_defer_compaction"))
    got = sum(1 for e in events if e["ph"] == "i" and e["cat"] == "deferral")
    if got != n:
        fail(f"{got} deferral instants, {n} deferred/defer_compaction events")
    return len(stalls), len(runs)


def check_containment(events):
    """Direct runs inside a stall of their task, kcompactd runs inside an awake period."""
    parents = collections.defaultdict(list)
    for e in events:
        if e["ph"] == "X" and e["cat"] in ("stall", "kcompactd") and e["name"] != "wakeup_kcompactd":
            parents[(e["tid"], e["cat"])].append((e["ts"], e["ts"] + e["dur"]))
    for e in events:
        if e["ph"] != "X" or e["cat"] != "run":
            continue
        want = {"direct": "stall", "kcompactd": "kcompactd"}.get(e["args"]["trigger"])
        if not want:
            continue
        a, b = e["ts"], e["ts"] + e["dur"]
        if not any(s <= a and b <= t for s, t in parents[(e["tid"], want)]):
            fail(f"{e['args']['trigger']} run of tid {e['tid']} at {a} is in no {want} slice")
            return


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--tool", required=True)
    ap.add_argument("--sample", required=True)
    a = ap.parse_args()
    if not shutil.which("trace-cmd"):
        print("SKIP: trace-cmd (the independent reader of the capture) is not installed "
              "(tests/install-deps.sh installs it)")
        return 77
    with tempfile.TemporaryDirectory() as tmp:
        dat = materialize(a.sample, "trace.dat", tmp)
        if not dat:
            print(f"SKIP: {a.sample} has no trace.dat")
            return 77
        args = report_args(a.sample, dat)
        raw = run_tool(a.tool, ["-f", "perfetto"] + args)
        rep = run_tool(a.tool, ["-f", "json"] + args)
        if raw is None or rep is None:
            return 1
        report = json.loads(rep)
        try:
            trace = json.loads(raw, parse_float=decimal.Decimal)
        except ValueError as e:
            fail(f"the timeline is not JSON: {e}")
            return 1
        events = check_structure(raw, trace)
        stalls = sum(1 for e in events if e["ph"] == "X" and e.get("cat") == "stall")
        runs = sum(1 for e in events if e["ph"] == "X" and e.get("cat") == "run")
        if stalls != report["stalls"]["count"]:
            fail(f"{stalls} stall slices, report -f json says {report['stalls']['count']} stalls")
        if runs != report["runs"]["count"]:
            fail(f"{runs} run slices, report -f json says {report['runs']['count']} runs")
        frag = sum(1 for e in events if e["ph"] == "i" and e["name"] == "fragmenting fallback")
        if frag != report["extfrag"]["fragmenting"]:
            fail(f"{frag} fragmenting instants, report says {report['extfrag']['fragmenting']}")
        meta = trace.get("metadata", {})
        for k in ("lost_events", "unmatched_begin", "unmatched_end", "parse_errors"):
            if meta.get(k) != str(report["quality"][k]):
                fail(f"metadata {k}={meta.get(k)!r}, report says {report['quality'][k]}")
        check_containment(events)
        lines = oracle(dat)
        if not lines:
            fail("trace-cmd read no event")
        else:
            check_against_oracle(events, lines, pageblock_order(a.sample, tmp, dat))
        kinds = collections.Counter((e["ph"], e.get("cat")) for e in events)
        print(f"{os.path.basename(a.sample)}: {len(events)} events, {stalls} stall slices, {runs} run slices, "
              f"{kinds[('C', None)]} counter samples, {kinds[('i', 'extfrag')]} fragmenting, "
              f"{sum(1 for e in events if e.get('flow_in'))} flows, {len(raw)} bytes")
    return verdict()


if __name__ == "__main__":
    sys.exit(main())
