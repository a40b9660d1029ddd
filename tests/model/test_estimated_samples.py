#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""The estimated model on every real sample that has start and end snapshots
and no page events: in each zone whose free blocks changed, the model beats
the start counts, or the report says it cannot, and why.

For each sample the test reads snapshot-start/buddyinfo and
snapshot-end/buddyinfo itself (its own parser, no code shared with
compactrace) and computes per zone, page-weighted (a block of order o
weighs 2^o pages):
  change   = Σ|start - end|·2^o            (what the zone's free blocks did)
  baseline = 1 - change / Σ(start + end)·2^o
Then it runs `compactrace report -f json` and, from the model's end counts
and its own end counts, error = Σ|model - end|·2^o, accuracy = 1 - error /
Σ(model + end)·2^o and skill = 1 - error / change. Checks:
  1. the report's start and end rows are the snapshots' (ground truth);
  2. its accuracy, baseline, skill, error_pages and change_pages are the
     test's (a second computation of the definitions in model.h);
  3. every zone whose free blocks changed: error < change (the model beats
     the start counts), or its verdict is no_better with a note that says
     by how much (the error and the change in pages), why, and that
     `record --pages` gives the exact model; a zone that did not change is
     "unchanged";
  4. the model is estimated and seeded from a snapshot in every zone.
It prints the per-zone table (accuracy, baseline, skill, verdict). The
model's end counts themselves come from compactrace: what the test checks
is the score and the verdict against an independent truth, not a golden.
Exit 0 pass, 1 fail, 77 skip.
"""
import json
import lzma
import os
import subprocess
import sys
import tempfile

SAMPLES = ("manual", "direct", "kcompactd", "extfrag", "direct-thp", "direct-hugetlb")
PAGE_EVENTS = {"mm_page_alloc", "mm_page_alloc_zone_locked", "mm_page_free", "mm_page_free_batched",
               "mm_page_pcpu_drain"}


def read_buddyinfo(path):
    """{(node, zone): [blocks per order]} from a /proc/buddyinfo copy."""
    out = {}
    with open(path) as f:
        for line in f:
            words = line.split()
            if len(words) < 5 or words[0] != "Node" or words[2] != "zone":
                continue
            out[(int(words[1].rstrip(",")), words[3])] = [int(w) for w in words[4:]]
    return out


def weighted(blocks):
    return sum(b << o for o, b in enumerate(blocks))


def distance(a, b):
    return sum(abs(x - y) << o for o, (x, y) in enumerate(zip(a, b)))


def close(x, y):
    return x is not None and abs(x - y) < 1e-9


def main():
    tool, root = sys.argv[1], sys.argv[2]
    failures = []
    rows = []

    def fail(msg):
        failures.append(msg)
        print("FAIL: " + msg, file=sys.stderr)

    found = 0
    with tempfile.TemporaryDirectory() as tmp:
        for name in SAMPLES:
            d = os.path.join(root, "samples", "traces", name)
            start_p, end_p = (os.path.join(d, s, "buddyinfo") for s in ("snapshot-start", "snapshot-end"))
            if not (os.path.exists(start_p) and os.path.exists(end_p)):
                print(f"{name}: no start and end buddyinfo, not checked")
                continue
            trace = os.path.join(d, "trace.dat")
            if not os.path.exists(trace):
                trace = os.path.join(tmp, name + ".dat")
                with lzma.open(os.path.join(d, "trace.dat.xz")) as src, open(trace, "wb") as dst:
                    dst.write(src.read())
            found += 1
            start, end = read_buddyinfo(start_p), read_buddyinfo(end_p)
            p = subprocess.run([tool, "report", "-f", "json", "--snapshot-start", os.path.dirname(start_p),
                                "--snapshot-end", os.path.dirname(end_p), trace],
                               capture_output=True, env=dict(os.environ, LC_ALL="C"))
            if p.returncode:
                fail(f"{name}: report exited {p.returncode}: {p.stderr.decode(errors='replace')}")
                continue
            model = json.loads(p.stdout).get("model") or {}
            if any(e.split(":")[-1] in PAGE_EVENTS for src in json.loads(p.stdout)["sources"]
                   for e in src["events_by_name"]):
                fail(f"{name}: has kmem page events; this test is for the estimated model")
            for z in model.get("zones", []):
                key = (z["node"], z["zone"])
                if key not in start or key not in end:
                    continue
                s, a = start[key], end[key]
                m = z["free_blocks"]["model_end"]
                what = f"{name} {z['zone']}"
                # 1. ground truth rows
                if z["free_blocks"]["start"] != s or z["free_blocks"]["actual_end"] != a:
                    fail(f"{what}: start/end rows are not the snapshots' buddyinfo")
                if z["mode"] != "estimated" or z["seeding"] not in ("counts", "kpageflags", "free-map"):
                    fail(f"{what}: {z['mode']} from {z['seeding']}, want estimated from a snapshot")
                # 2. the score, computed again
                change, error = distance(s, a), distance(m, a)
                base = 1 - change / (weighted(s) + weighted(a)) if weighted(s) + weighted(a) else 1.0
                acc = 1 - error / (weighted(m) + weighted(a)) if weighted(m) + weighted(a) else 1.0
                skill = 1 - error / change if change else None
                if not (close(z["accuracy"], acc) and close(z["baseline_accuracy"], base) and
                        z["error_pages"] == error and z["change_pages"] == change and
                        (skill is None and z["skill"] is None or close(z["skill"], skill or 0))):
                    fail(f"{what}: score {z['accuracy']}/{z['baseline_accuracy']}/{z['skill']}, "
                         f"{z['error_pages']}/{z['change_pages']}; the test computes "
                         f"{acc}/{base}/{skill}, {error}/{change}")
                # 3. beats the start counts, or says it cannot and why
                note = z["verdict_note"] or ""
                if not change:
                    ok = z["verdict"] == "unchanged"
                elif error < change:
                    ok = z["verdict"] == "better"
                else:
                    ok = (z["verdict"] == "no_better" and f"misses by {error} pages" in note and
                          f"changed by {change}" in note and "record --pages" in note and
                          any(why in note for why in ("no event of the trace changed",
                                                      "the trace carries too little",
                                                      "not which")))
                if not ok:
                    fail(f"{what}: error {error}, change {change}, verdict {z['verdict']}: {note!r}")
                rows.append((name, z["zone"], z["seeding"], acc, base, skill, z["verdict"]))
    if not found:
        print("SKIP: no sample with start and end snapshots")
        return 77
    print(f"{'sample':15s} {'zone':7s} {'seeding':10s} {'accuracy':>8s} {'baseline':>8s} {'skill':>8s}  verdict")
    for name, zone, seeding, acc, base, skill, verdict in rows:
        print(f"{name:15s} {zone:7s} {seeding:10s} {acc:8.4f} {base:8.4f} "
              f"{'-' if skill is None else format(skill, '.4f'):>8s}  {verdict}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
