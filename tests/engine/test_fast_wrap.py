#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""fast_isolate_freepages' search window wraps once the scanners have crossed.

tests/engine/fast-wrap/trace.trace-cmd.txt is one real compaction run
(6.18, `trace-cmd report` of a `compactrace record` made while the
hugepages live test asked for huge pages). Its last free-page event reads

  mm_compaction_fast_isolate_freepages: range=(0x800000000050be00 ~ 0x50be00) nr_scanned=13 nr_taken=0

The kernel computes the window's bottom as free_pfn - distance/2 with
distance = free_pfn - migrate_pfn unsigned; the run ends with
migrate_pfn=0x50be3f past free_pfn=0x50be00, so it wrapped. The 13 pages
are real: /proc/vmstat's compact_free_scanned counted them (in the whole
recording, the trace matched vmstat only with these events in). Dropping
such an event as an out-of-range value left compact_free_scanned 213
pages short, "unexplained", in that recording.

Expected values (hand analysis of the file, and a regular-expression sum
below that must agree): compact_free_scanned 1,248 (fast 20 + 13, linear
31 + 512 + 256 + 128 + 64 + 32 + 12 x 16), compact_migrate_scanned 63,
compact_isolated 50 (32 + 18). The test writes vmstat snapshots whose
deltas are the kernel's counts for this run and checks that the report
counts every event (no out-of-range value) and calls each counter equal.
Exit 0 pass, 1 fail.
"""
import json
import os
import re
import subprocess
import sys
import tempfile

TOOL, FIXTURE = sys.argv[1], sys.argv[2]
HAND = {"compact_free_scanned": 1248, "compact_migrate_scanned": 63, "compact_isolated": 50}
failures = []


def check(cond, what):
    if not cond:
        failures.append(what)
        print("FAIL:", what)


def regex_counts(path):
    """The same totals, summed here from the text without compactrace."""
    got = {"compact_free_scanned": 0, "compact_migrate_scanned": 0, "compact_isolated": 0}
    for line in open(path):
        m = re.search(r"mm_compaction_(fast_isolate_freepages|isolate_freepages|isolate_migratepages): "
                      r"range=\(0x[0-9a-f]+ ~ 0x[0-9a-f]+\) nr_scanned=(\d+) nr_taken=(\d+)", line)
        if not m:
            continue
        key = "compact_migrate_scanned" if m[1] == "isolate_migratepages" else "compact_free_scanned"
        got[key] += int(m[2])
        got["compact_isolated"] += int(m[3])
    return got


def vmstat(values):
    names = ["compact_migrate_scanned", "compact_free_scanned", "compact_isolated", "compact_stall",
             "compact_fail", "compact_success", "compact_daemon_wake", "compact_daemon_migrate_scanned",
             "compact_daemon_free_scanned"]
    return "nr_free_pages 100000\n" + "".join(f"{n} {values.get(n, 0)}\n" for n in names)


def main():
    trace = os.path.join(FIXTURE, "trace.trace-cmd.txt")
    text = open(trace).read()
    check("range=(0x800000000050be00 ~ 0x50be00) nr_scanned=13" in text, "the fixture lost its wrapped event")
    counted = regex_counts(trace)
    check(counted == HAND, f"hand analysis {HAND} vs regular expressions {counted}")
    base = {"compact_migrate_scanned": 1000, "compact_free_scanned": 2000, "compact_isolated": 300}
    with tempfile.TemporaryDirectory(prefix="ct-fastwrap-") as d:
        for name, values in (("start", base), ("end", {k: v + HAND.get(k, 0) for k, v in base.items()})):
            os.makedirs(os.path.join(d, name))
            with open(os.path.join(d, name, "vmstat"), "w") as f:
                f.write(vmstat(values))
            with open(os.path.join(d, name, "osrelease"), "w") as f:
                f.write("6.18.44-fc-v1272\n")
        r = subprocess.run([TOOL, "report", "-f", "json", "--no-model", "--snapshot-start", f"{d}/start",
                            "--snapshot-end", f"{d}/end", trace], capture_output=True, text=True, timeout=60)
    check(r.returncode == 0, f"report: exit {r.returncode}: {r.stderr.strip()}")
    if r.returncode:
        return 1
    out = json.loads(r.stdout)
    check(out["quality"]["bad_values"] == 0, f"out-of-range values {out['quality']['bad_values']}, want 0")
    for k, v in HAND.items():
        check(out["totals"][k] == v, f"totals.{k} {out['totals'][k]}, want {v}")
    verdicts = {k: c["verdict"] for k, c in (out.get("vmstat_check") or {}).items()}
    for k in HAND:
        check(verdicts.get(k) == "equal", f"vmstat check of {k}: {verdicts.get(k)}, want equal")
    print(f"{len(failures)} failure(s)")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
