#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Checks of compactrace against the world, not against itself.

usage: check_world.py --tool COMPACTRACE --sample DIR --kind KIND

Every check prints its kind in brackets, and where its expected value comes
from:
  independent  reference.py, a second reconstruction in Python over the
               text that trace-cmd and perf print (no code shared)
  kernel       the kernel's own counters: the /proc/vmstat deltas and the
               buddyinfo snapshots around the capture window
  hand         the hand analysis in samples/traces/README.md, as assertions
  tool         what trace-cmd and perf themselves say about lost events
(golden, the fourth kind, lives in tests/golden/check_sample.py: saved
output that only detects change.)

KIND independent: for each rendering of the sample (trace.dat through
`trace-cmd report -t`, perf.data through `perf script --ns`, and the saved
text files), compactrace's JSON report of that input must equal the
reference's reconstruction of the rendering: events, totals, runs by
trigger/status/mode/order/zone, duration percentiles, stalls by order and
result, latency percentiles, zones, deferrals, kcompactd, extfrag, quality.
KIND kernel: vmstat deltas and verdicts; the model's end free blocks and
accuracy against buddyinfo, computed here.
KIND hand: samples/traces/README.md's figures (HAND below).
KIND lost: a lossy sample: lost counts as perf/trace-cmd report them, the
vmstat verdicts, the text report's warning.
Exit 0 pass, 1 fail, 77 skip (a tool this needs is missing).
"""
import argparse
import json
import lzma
import os
import re
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import compare  # noqa: E402
import reference  # noqa: E402

# Issue 12 (another branch) makes the engine count a run whose begin was not
# traced but whose end was in runs.count, by_status, by_trigger and its
# zone. The reference implements that rule; until issue 12 is merged the
# engine on this branch leaves such runs out, and the comparison expects
# that. Set True when merging issue 12. Of the samples, lossy/lost-ftrace
# (the Normal zone's run) and lossy/lost-dat-unknown (DMA32's) have one.
ENGINE_COUNTS_RUNS_WITHOUT_BEGIN = True

failures = []
WRAPPER = os.environ.get("CT_WRAPPER", "").split()


def check(kind, what, ok, detail=""):
    print(f"[{kind}] {what}: {'ok' if ok else 'FAIL'}{(' - ' + detail) if detail and not ok else ''}")
    if not ok:
        failures.append(f"[{kind}] {what}: {detail}")
    return ok


def skip(why):
    print(f"SKIP: {why}")
    sys.exit(77)


def run(cmd, **kw):
    return subprocess.run(cmd, capture_output=True, env=dict(os.environ, LC_ALL="C"), **kw)


def report(tool, args, fmt="json"):
    p = run(WRAPPER + [tool, "report"] + (["-f", fmt] if fmt != "text" else []) + args)
    if p.returncode != 0:
        raise RuntimeError(f"compactrace report {' '.join(args)}: exit {p.returncode}: "
                           f"{p.stderr.decode(errors='replace')[-400:]}")
    out = p.stdout.decode()
    return json.loads(out) if fmt == "json" else out


def plain(sample, name, tmp):
    """NAME in the sample, decompressed into tmp if it is kept as NAME.xz; None if absent."""
    path = os.path.join(sample, name)
    if os.path.exists(path):
        return path
    if not os.path.exists(path + ".xz"):
        return None
    out = os.path.join(tmp, name)
    with lzma.open(path + ".xz") as src, open(out, "wb") as dst:
        shutil.copyfileobj(src, dst)
    return out


def snapshot_args(sample):
    s, e = os.path.join(sample, "snapshot-start"), os.path.join(sample, "snapshot-end")
    return ["--snapshot-start", s, "--snapshot-end", e] if os.path.isdir(s) else []


def render(cmd, out):
    with open(out, "w") as f:
        p = subprocess.run(cmd, stdout=f, stderr=subprocess.PIPE, env=dict(os.environ, LC_ALL="C"))
    if p.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)}: exit {p.returncode}: {p.stderr.decode()[-300:]}")
    return out


def renderings(sample, tmp):
    """[(label, text for the reference, input for compactrace)] of one sample."""
    out = []
    dat = plain(sample, "trace.dat", tmp)
    if dat:
        out.append(("trace.dat via trace-cmd report -t",
                    render(["trace-cmd", "report", "-t", dat], os.path.join(tmp, "dat.txt")), dat))
    pdata = plain(sample, "trace.perf.data", tmp)
    if pdata:
        out.append(("trace.perf.data via perf script --ns",
                    render(["perf", "script", "--ns", "--show-lost-events", "-i", pdata],
                           os.path.join(tmp, "perf.txt")), pdata))
    for name in ("trace.trace-cmd.txt", "trace.perf-script.txt", "trace.ftrace.txt"):
        path = plain(sample, name, tmp)
        if path:
            out.append((name, path, path))
    return out


def host_facts(sample):
    start = os.path.join(sample, "snapshot-start")
    return (reference.pageblock_order(os.path.join(start, "pagetypeinfo")),
            reference.zone_starts(os.path.join(start, "zoneinfo")))


# ---- independent ---------------------------------------------------------

def kind_independent(tool, sample, tmp):
    pbo, zones = host_facts(sample)
    for label, text, inp in renderings(sample, tmp):
        ref = reference.reconstruct(text, pbo, zones)
        rep = report(tool, ["--no-model"] + snapshot_args(sample) + [inp])
        counted = ENGINE_COUNTS_RUNS_WITHOUT_BEGIN
        if ref.orphans and not counted:
            print(f"  note: {label}: {len(ref.orphans)} run(s) without a traced begin; the engine "
                  "before issue 12 leaves them out of the run counts, and so does this comparison")
        diffs, n = compare.compare(rep, ref.results(orphans_counted=counted))
        check("independent", f"{label}: {n} figures equal to the reference", not diffs,
              "; ".join(f"{p}: compactrace {a!r}, reference {b!r}" for p, a, b in diffs[:12]))
        check("independent", f"{label}: every run's zone by span agrees with its events",
              not ref.zone_conflicts, str(ref.zone_conflicts[:3]))


# ---- kernel ----------------------------------------------------------------

def read_vmstat(path):
    with open(path) as f:
        return {k: int(v) for k, v in (line.split() for line in f if line.strip())}


def read_buddyinfo(path):
    """{(node, zone): [free blocks per order]}"""
    out = {}
    with open(path) as f:
        for line in f:
            m = re.match(r"Node (\d+), zone\s+(\S+)\s+(.*)$", line)
            if m:
                out[(int(m.group(1)), m.group(2))] = [int(x) for x in m.group(3).split()]
    return out


def model_accuracy(predicted, actual):
    """The model's accuracy as include/compactrace/model.h defines it, always in
    [0, 1]: one minus the page-weighted L1 distance to the actual free blocks
    over the free pages of both sides: 1 - sum |p_o - a_o| 2^o /
    sum (p_o + a_o) 2^o (1 when both sides have no free page).
    """
    err = sum(abs(p - a) << o for o, (p, a) in enumerate(zip(predicted, actual)))
    total = sum((p + a) << o for o, (p, a) in enumerate(zip(predicted, actual)))
    return 1.0 - err / total if total else 1.0


# counters whose vmstat value may exceed the trace's sum on a 6.5+ kernel:
# untraced work the kernel counts (DESIGN.md "Ground truth")
TRACE_MAY_BE_LOWER = {"compact_migrate_scanned", "compact_daemon_migrate_scanned", "compact_stall"}


def expected_verdict(name, trace, delta, lost, straddling):
    """equal / explained (and why) / unexplained, from the documented rules."""
    if trace == delta:
        return "equal", None
    if trace < delta and name in TRACE_MAY_BE_LOWER:
        return "explained", "untraced"
    if lost:
        return "explained", "events were lost"
    if straddling:
        return "explained", "a run straddles"
    return "unexplained", None


def check_vmstat(sample, rep, ref, label):
    """vmstat deltas, trace sums and verdicts against the kernel's snapshots."""
    v0 = read_vmstat(os.path.join(sample, "snapshot-start", "vmstat"))
    v1 = read_vmstat(os.path.join(sample, "snapshot-end", "vmstat"))
    res = ref.results()
    lost = res["quality"]["lost_events"] or res["quality"]["lost_unknown"]
    straddling = res["quality"]["unmatched_begin"] or res["quality"]["unmatched_end"]
    vc = rep.get("vmstat_check") or {}
    check("kernel", f"{label}: a vmstat check of all 7 counters", len(vc) == 7, str(sorted(vc)))
    for name, c in vc.items():
        delta = v1[name] - v0[name]
        trace = res["totals"].get(name, 0)
        want, why = expected_verdict(name, trace, delta, lost, straddling)
        ok = (c["vmstat_delta"] == delta and c["trace"] == trace and c["verdict"] == want and
              (why is None or why == "untraced" or why in (c["reason"] or "")))
        check("kernel", f"{label}: {name} trace {trace} vs vmstat delta {delta}: {want}"
              + (f" ({why})" if why else ""), ok,
              f"report says trace {c['trace']} delta {c['vmstat_delta']} {c['verdict']}: {c['reason']}")
    return res


def check_model(sample, rep, label, want_below_one):
    """The model's end and its accuracy, worked out here from buddyinfo."""
    b0 = read_buddyinfo(os.path.join(sample, "snapshot-start", "buddyinfo"))
    b1 = read_buddyinfo(os.path.join(sample, "snapshot-end", "buddyinfo"))
    zones = (rep.get("model") or {}).get("zones", [])
    check("kernel", f"{label}: the model covers every zone of buddyinfo with pages",
          {(z["node"], z["zone"]) for z in zones} >= {k for k, v in b1.items() if any(v)},
          f"model {[(z['node'], z['zone']) for z in zones]}, buddyinfo {sorted(b1)}")
    below = 0
    for z in zones:
        key = (z["node"], z["zone"])
        if key not in b1:
            continue
        fb = z["free_blocks"]
        n = len(fb["model_end"])
        actual, start = b1[key][:n], b0[key][:n]
        check("kernel", f"{label}: {z['zone']} end free blocks are the end buddyinfo",
              fb["actual_end"] == actual, f"report {fb['actual_end']}, buddyinfo {actual}")
        if z["seeding"] in ("counts", "free-map"):
            check("kernel", f"{label}: {z['zone']} start free blocks are the start buddyinfo",
                  fb["start"] == start, f"report {fb['start']}, buddyinfo {start}")
        acc = model_accuracy(fb["model_end"], actual)
        base = model_accuracy(start, actual)
        below += acc < 1.0
        check("kernel", f"{label}: {z['zone']} accuracy {z['accuracy']} = {acc:.6f} "
              f"(model end vs end buddyinfo)",
              z["accuracy"] is not None and abs(z["accuracy"] - acc) < 1e-9,
              f"report {z['accuracy']}, computed {acc!r} from model_end {fb['model_end']}")
        check("kernel", f"{label}: {z['zone']} baseline accuracy {z['baseline_accuracy']} = {base:.6f} "
              f"(start vs end buddyinfo, no model involved)",
              z["baseline_accuracy"] is not None and abs(z["baseline_accuracy"] - base) < 1e-9,
              f"report {z['baseline_accuracy']}, computed {base!r}")
    if want_below_one:
        check("kernel", f"{label}: the model is below 1.0 in at least one zone (so a model stuck "
              "at 1.0 fails the checks above)", below > 0, "every zone computed 1.0")


def kind_kernel(tool, sample, tmp):
    pbo, zones = host_facts(sample)
    inputs = renderings(sample, tmp)
    label, text, inp = inputs[0]
    ref = reference.reconstruct(text, pbo, zones)
    rep = report(tool, snapshot_args(sample) + [inp])
    check("kernel", f"{label}: pageblock order {rep['extfrag']['pageblock_order']} is "
          f"/proc/pagetypeinfo's {pbo}", rep["extfrag"]["pageblock_order"] == pbo)
    res = check_vmstat(sample, rep, ref, label)
    # these captures lost nothing and cut no run: the kernel counted exactly
    # what was traced, except the untraced work DESIGN.md lists
    q = res["quality"]
    check("kernel", f"{label}: nothing lost, no run straddles the window",
          not (q["lost_events"] or q["lost_unknown"] or q["unmatched_begin"] or q["unmatched_end"]), str(q))
    for name, c in (rep.get("vmstat_check") or {}).items():
        if name not in TRACE_MAY_BE_LOWER:
            check("kernel", f"{label}: {name}: the trace's sum is the kernel's count",
                  c["verdict"] == "equal", f"{c['trace']} vs {c['vmstat_delta']}")
    check_model(sample, rep, label, want_below_one=True)


# ---- hand --------------------------------------------------------------------

class Approx:
    """A figure the README gives rounded: equal within tol."""

    def __init__(self, value, tol):
        self.value, self.tol = value, tol

    def __eq__(self, other):
        return isinstance(other, (int, float)) and abs(other - self.value) <= self.tol

    def __repr__(self):
        return f"{self.value} (within {self.tol})"


# samples/traces/README.md, "Event counts" (ground_truth.sh tallies) and the
# per-scenario paragraphs, as numbers; each key is a path in the JSON report.
HAND = {
    "manual": {
        "events": 4249, "runs.count": 3, "runs.by_trigger.manual": 3, "stalls.count": 0,
        "runs.by_status.complete": 2, "runs.by_status.contended": 1,
        "zone.Normal.status": "contended", "zone.Normal.migrate_pfn_end": 0x154a38,
        "zone.Normal.migrated": 51, "zone.DMA.status": "complete", "zone.DMA32.status": "complete",
        "ev.mm_compaction_finished": 1909, "ev.mm_compaction_isolate_migratepages": 1907,
        "ev.mm_compaction_isolate_freepages": 401, "ev.mm_compaction_migratepages": 12,
        "ev.mm_page_alloc_extfrag": 2,
        "totals.compact_migrate_scanned": 1342039, "totals.compact_free_scanned": 8489,
        "totals.compact_isolated": 207,
    },
    "direct": {
        "events": 76523, "runs.count": 1125, "stalls.count": 1101,
        "runs.by_status.success": 1089 + 1 + 25, "runs.by_status.complete": 3 + 2,
        "runs.by_status.partial_skipped": 3 + 1 + 1, "runs.by_trigger.kcompactd": 26,
        "runs.by_trigger.direct": 1099, "stalls.priority.2": 1099, "stalls.priority.1": 2,
        "zone.DMA32.runs": 2 + 1, "zone.DMA32.by_status.partial_skipped": 2,
        "defer_compaction": 3, "deferred": 69, "defer_reset": 2207,
        "kcompactd.wakes": 57, "kcompactd.sleeps": 57,
        "ev.mm_compaction_fast_isolate_freepages": 48997, "ev.mm_compaction_suitable": 1809,
        "ev.mm_compaction_wakeup_kcompactd": 57,
        "totals.compact_free_scanned": 825995, "totals.compact_isolated": 655840,
        "totals.compact_migrate_scanned": 663005, "totals.compact_daemon_migrate_scanned": 15360,
        "totals.compact_daemon_free_scanned": 19140,
    },
    "kcompactd": {
        "events": 22549, "runs.count": 5, "runs.by_trigger.kcompactd": 2,
        "runs.by_trigger.proactive": 3, "kcompactd.wakes": 49, "kcompactd.wakeup_requests": 50,
        "kcompactd.sleeps": 58, "kcompactd.proactive_runs": 3, "deferred": 108,
        "defer_compaction": 2, "stalls.count": 6, "stalls.comm.khugepaged": 2,
        "stalls.comm.ct-direct": 4, "proactive.status": "success", "proactive.mode": "sync",
        "proactive.zones": 3, "proactive.seconds": Approx(1.47, 0.006),
        "kcompactd_runs.status": "partial_skipped", "kcompactd_runs.zones": ["DMA32", "Normal"],
        "totals.compact_migrate_scanned": 1064960, "totals.compact_free_scanned": 950302,
        "totals.compact_isolated": 1034000,
    },
    "extfrag": {
        "events": 1767, "extfrag.events": 1721, "extfrag.fragmenting": 1682,
        "runs.count": 2, "runs.by_trigger.kcompactd": 2,
        "runs.by_status.success": 2, "kcompactd.wakes": 2,
        "totals.compact_free_scanned": 1375, "totals.compact_isolated": 1024,
    },
    "pages": {
        "events": 331338, "runs.count": 308, "stalls.comm.ct-direct": 303,
        "stalls.comm.khugepaged": 3, "runs.by_trigger.kcompactd": 5,
        "ev.mm_compaction_fast_isolate_freepages": 9158, "ev.mm_compaction_isolate_freepages": 1466,
        "ev.mm_compaction_suitable": 421, "ev.mm_page_alloc": 20731,
        "ev.mm_page_alloc_zone_locked": 27253, "ev.mm_page_free": 109879,
        "ev.mm_page_free_batched": 22347, "ev.mm_page_pcpu_drain": 134603,
        # Baselines: the start buddyinfo against the end's, in the [0, 1]
        # accuracy of issue 19 (sum|s-e|2^o over sum(s+e)2^o). The model's
        # own figures were worked out under the earlier definition (error
        # over the end's free pages: DMA32 0.9998, Normal 0.9981); predicted
        # and actual free pages differ by at most that error, so in the new
        # one they are 1 - (1 - old)/2 to within (1 - old)^2.
        "model.accuracy.DMA": 1.0, "model.accuracy.DMA32": Approx(0.9999, 0.00003),
        "model.accuracy.Normal": Approx(0.99905, 0.00003),
        "model.baseline.DMA32": Approx(0.99095, 0.00003), "model.baseline.Normal": Approx(0.93937, 0.00003),
        "model.suitable.DMA": 52, "model.suitable.DMA32": 58, "model.suitable.Normal": 311,
    },
}


def hand_value(key, r, runs, stalls):
    """The report's value for one HAND key (runs/stalls: every run and stall, via ndjson)."""
    part, _, rest = key.partition(".")
    if key == "events":
        return r["events"]
    if part in ("runs", "stalls", "totals", "extfrag") and rest.count(".") <= 1 and \
            not rest.startswith(("priority", "comm", "pair")):
        v = r[part]
        for k in rest.split("."):
            v = v.get(k, 0) if isinstance(v, dict) else v
        return v
    if part == "ev":
        return r["sources"][0]["events_by_name"].get(rest, 0)
    if part == "stalls" and rest.startswith("priority."):
        return sum(1 for s in stalls if s["priority"] == int(rest.split(".")[1]))
    if part == "stalls" and rest.startswith("comm."):
        return sum(1 for s in stalls if s["comm"] == rest[5:])
    if part == "extfrag" and rest.startswith("pair."):
        a, b = rest[5:].split(">")
        return sum(e["count"] for e in r["extfrag"]["by_migratetype"]
                   if e["alloc"] == int(a) and e["fallback"] == int(b))
    if part == "zone":
        zname, field = rest.split(".", 1)
        zr = [x for x in runs if x["zone"] == zname]
        if field == "status":
            return zr[0]["status"] if len(zr) == 1 else [x["status"] for x in zr]
        if field == "migrate_pfn_end":
            return zr[0]["migrate_pfn_end"] if len(zr) == 1 else None
        if field == "migrated":
            return sum(x["migrated"] for x in zr)
        z = [x for x in r["zones"] if x["zone"] == zname][0]
        return z[field] if "." not in field else z[field.split(".")[0]].get(field.split(".")[1], 0)
    if part in ("deferred", "defer_compaction", "defer_reset"):
        return sum(sum(z["deferrals"][part].values()) for z in r["zones"])
    if part == "kcompactd":
        return sum(n[rest] for n in r["kcompactd"])
    pro = [x for x in runs if x["trigger"] == "proactive"]
    kc = [x for x in runs if x["trigger"] == "kcompactd"]
    if part == "proactive":
        if rest == "zones":
            return len({x["zone"] for x in pro})
        if rest == "seconds":	# one proactive run: begin of the first zone to end of the last
            return (max(x["begin_ns"] + x["duration_us"] * 1000 for x in pro) -
                    min(x["begin_ns"] for x in pro)) / 1e9
        return sorted({x[rest] for x in pro})[0] if len({x[rest] for x in pro}) == 1 else None
    if part == "kcompactd_runs":
        return sorted(x["zone"] for x in kc) if rest == "zones" else \
            (kc[0][rest] if len({x[rest] for x in kc}) == 1 else None)
    if part == "model":
        what, zname = rest.split(".")
        z = [x for x in r["model"]["zones"] if x["zone"] == zname][0]
        if what == "suitable":
            return z["suitable"]["agreed"]
        return z["accuracy" if what == "accuracy" else "baseline_accuracy"]
    raise KeyError(key)


def ndjson(tool, args):
    """Every run and stall as the report streams them (-f ndjson)."""
    p = run(WRAPPER + [tool, "report", "-f", "ndjson"] + args)
    if p.returncode != 0:
        raise RuntimeError(f"compactrace report -f ndjson: exit {p.returncode}")
    runs, stalls = [], []
    for line in p.stdout.decode().splitlines():
        o = json.loads(line)
        if o.get("type") == "run":
            runs.append(o)
        elif o.get("type") == "stall":
            stalls.append(o)
    return runs, stalls


def kind_hand(tool, sample, tmp):
    name = os.path.basename(os.path.normpath(sample))
    if name not in HAND:
        raise RuntimeError(f"no hand analysis for {name}")
    inp = plain(sample, "trace.ftrace.txt", tmp) or plain(sample, "trace.dat", tmp)
    args = (snapshot_args(sample) if inp.endswith(".txt") else []) + [inp]
    r = report(tool, args)
    runs, stalls = ndjson(tool, ["--no-model"] + args)
    check("hand", f"{name}: every run and stall streamed", len(runs) == r["runs"]["count"] and
          len(stalls) == r["stalls"]["count"], f"{len(runs)} runs, {len(stalls)} stalls streamed")
    for key, want in HAND[name].items():
        got = hand_value(key, r, runs, stalls)
        check("hand", f"{name}: {key} = {want!r}", want == got, f"report gives {got!r}")


# ---- lost ----------------------------------------------------------------------

def perf_lost(pdata):
    """(sum of PERF_RECORD_LOST, sum of LOST_SAMPLES), as perf itself reads the file."""
    p = run(["perf", "script", "--show-lost-events", "-i", pdata])
    records = sum(int(m.group(1)) for m in re.finditer(rb"PERF_RECORD_LOST lost (\d+)", p.stdout))
    p = run(["perf", "report", "--stats", "-i", pdata])
    # per event ("compaction:mm_compaction_finished stats:"), after the aggregated
    # block, whose LOST_SAMPLES line counts records, not samples
    m = re.search(rb"\n\S+:\S+ stats:\n", p.stdout)
    per_event = p.stdout[m.start():] if m else b""
    samples = sum(int(m.group(1)) for m in re.finditer(rb"LOST_SAMPLES events:\s+(\d+)", per_event))
    return records, samples


def neutralize_lost_samples(src, dst):
    """A copy of a perf.data whose PERF_RECORD_LOST_SAMPLES records are turned
    into FINISHED_ROUND (no payload meaning): the file a perf before 6.0, or a
    kernel without PERF_FORMAT_LOST, writes. Returns how many were changed."""
    data = bytearray(open(src, "rb").read())
    if data[:8] != b"PERFILE2":
        raise RuntimeError(f"{src}: not a little-endian perf.data")
    off, size = int.from_bytes(data[40:48], "little"), int.from_bytes(data[48:56], "little")
    pos, n = off, 0
    while pos + 8 <= off + size:
        rtype, rsize = int.from_bytes(data[pos:pos + 4], "little"), int.from_bytes(data[pos + 6:pos + 8], "little")
        if rsize < 8:
            raise RuntimeError(f"{src}: record of size {rsize} at {pos}")
        if rtype == 13:		# PERF_RECORD_LOST_SAMPLES
            data[pos:pos + 4] = (68).to_bytes(4, "little")	# PERF_RECORD_FINISHED_ROUND
            n += 1
        pos += rsize
    open(dst, "wb").write(data)
    return n


def trace_cmd_dropped(dat):
    """(sum of K in "CPU:N [K EVENTS DROPPED]", lines without K), as trace-cmd reads the file."""
    p = run(["trace-cmd", "report", dat])
    known = unknown = 0
    for m in re.finditer(rb"CPU:\d+ \[(?:(\d+) )?EVENTS DROPPED\]", p.stdout):
        if m.group(1):
            known += int(m.group(1))
        else:
            unknown += 1
    return known, unknown


def trace_cmd_overrun(dat):
    """per-CPU overrun of the instance at extract time (trace-cmd report --stat)"""
    p = run(["trace-cmd", "report", "--stat", dat])
    text = p.stdout.decode(errors="replace")
    part = text[text.find("Buffer:"):] if "Buffer:" in text else text
    return [int(x) for x in re.findall(r"\noverrun: (\d+)", part)]


def ftrace_header_lost(path):
    with open(path) as f:
        for line in f:
            m = re.match(r"# entries-in-buffer/entries-written: (\d+)/(\d+)", line)
            if m:
                return int(m.group(2)) - int(m.group(1))
    return None


def check_lost_report(tool, sample, inp, label, want_lost, want_unknown, tmp):
    """compactrace's lost count, its verdicts and its text warning for one input."""
    args = snapshot_args(sample) + [inp]
    r = report(tool, ["--no-model"] + args)
    q = r["quality"]
    check("tool", f"{label}: lost events {q['lost_events']} (+{q['lost_unknown']} unknown) = "
          f"{want_lost} (+{want_unknown})", (q["lost_events"], q["lost_unknown"]) == (want_lost, want_unknown))
    pbo, zones = host_facts(sample)
    ref = reference.reconstruct(inp if inp.endswith(".txt") else render(
        ["trace-cmd", "report", "-t", inp] if inp.endswith(".dat") else
        ["perf", "script", "--ns", "--show-lost-events", "-i", inp], os.path.join(tmp, "lost.txt")), pbo, zones)
    res = check_vmstat(sample, r, ref, label)
    text = report(tool, args, fmt="text")
    lossy = want_lost or want_unknown
    check("tool", f"{label}: the text report {'warns' if lossy else 'does not warn'} that events were lost",
          ("WARNING: events were lost" in text) == bool(lossy), "warning line missing" if lossy else "")
    return r, res


def kind_lost(tool, sample, tmp):
    name = os.path.basename(os.path.normpath(sample))
    checked = 0
    pdata = plain(sample, "trace.perf.data", tmp)
    if pdata:
        records, samples = perf_lost(pdata)
        check("tool", f"{name}: perf itself reports lost events ({records} in LOST records, "
              f"{samples} in LOST_SAMPLES)", records > 0)
        # the kernel's per-event lost counter includes losses no LOST record told
        check("tool", f"{name}: LOST records ({records}) do not exceed LOST_SAMPLES ({samples})",
              samples == 0 or records <= samples)
        check_lost_report(tool, sample, pdata, "trace.perf.data", max(records, samples), 0, tmp)
        old = os.path.join(tmp, "no-lost-samples.perf.data")
        n = neutralize_lost_samples(pdata, old)
        r2, s2 = perf_lost(old)
        check("tool", f"{name}: without its {n} LOST_SAMPLES records perf sees only the LOST "
              f"records ({r2}, {s2})", n > 0 and r2 == records and s2 == 0)
        check_lost_report(tool, sample, old, "perf.data without LOST_SAMPLES", records, 0, tmp)
        ps = plain(sample, "trace.perf-script.txt", tmp)
        if ps:
            check_lost_report(tool, sample, ps, "trace.perf-script.txt", records, 0, tmp)
        checked += 1
    dat = plain(sample, "trace.dat", tmp)
    if dat:
        known, unknown = trace_cmd_dropped(dat)
        overrun = trace_cmd_overrun(dat)
        check("tool", f"{name}: trace-cmd reports dropped events ({known} counted, {unknown} "
              f"without a count; overrun per CPU {overrun})", known + unknown > 0)
        check("tool", f"{name}: dropped counts ({known}) do not exceed the buffer's overrun "
              f"({sum(overrun)})", known <= sum(overrun))
        check_lost_report(tool, sample, dat, "trace.dat", known, unknown, tmp)
        tc = plain(sample, "trace.trace-cmd.txt", tmp)
        if tc:
            check_lost_report(tool, sample, tc, "trace.trace-cmd.txt", known, unknown, tmp)
        checked += 1
    ft = plain(sample, "trace.ftrace.txt", tmp)
    if ft:
        lost = ftrace_header_lost(ft)
        check("tool", f"{name}: the trace file's header says {lost} events were lost", lost is not None)
        if dat and lost is not None:
            check("kernel", f"{name}: the header's loss ({lost}) is the instance's overrun "
                  f"({sum(trace_cmd_overrun(dat))})", lost == sum(trace_cmd_overrun(dat)))
        r, res = check_lost_report(tool, sample, ft, "trace.ftrace.txt", lost or 0, 0, tmp)
        if not lost:
            q = res["quality"]
            check("kernel", f"{name}: a run straddles the window ({q['unmatched_begin']} begin "
                  f"without end, {q['unmatched_end']} end without begin, by the reference)",
                  q["unmatched_begin"] + q["unmatched_end"] > 0)
            check("kernel", f"{name}: some counter is explained by the straddling run",
                  any("straddles" in (c["reason"] or "") for c in r["vmstat_check"].values()))
        checked += 1
    if not checked:
        raise RuntimeError(f"{sample}: no perf.data, trace.dat or ftrace text")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--tool", required=True)
    ap.add_argument("--sample", required=True)
    ap.add_argument("--kind", required=True, choices=["independent", "kernel", "hand", "lost"])
    args = ap.parse_args()
    sample = os.path.abspath(args.sample)
    if not os.path.isdir(sample):
        print(f"{sample}: no such sample", file=sys.stderr)
        return 1
    for prog in ("trace-cmd", "perf") if args.kind != "hand" else ():
        if not shutil.which(prog):
            skip(f"{prog} is not installed (tests/install-deps.sh installs it): it renders the "
                 "files the reference reads")
    if WRAPPER and not shutil.which(WRAPPER[0]):
        skip(f"CT_WRAPPER wants {WRAPPER[0]}, which is not installed")
    with tempfile.TemporaryDirectory() as tmp:
        globals()["kind_" + args.kind](os.path.abspath(args.tool), sample, tmp)
    print(f"{len(failures)} failed checks")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
