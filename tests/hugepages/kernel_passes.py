#!/usr/bin/env python3
"""What the kernel's compaction did during one kept ask of the live hugepages test.

Usage: kernel_passes.py KEEP_DIR [SCENARIO]

KEEP_DIR holds what `CT_HP_KEEP=KEEP_DIR CT_HP_TRACE=KEEP_DIR/tr
test_hugepages_live.py ...` kept: SCENARIO.json (the forecast),
SCENARIO.blocks-before.json (each pageblock's pages by kind before the
ask), tr.SCENARIO.dat (compaction:* recorded while the kernel was
asked). The trace is decoded by `trace-cmd report`, not by compactrace.
An experiment's tool (README "How close it comes to the kernel"), not a test.

It prints, for the Normal zone:
  - the pages the kernel isolated for migration and migrated, against the
    forecast's pages_to_migrate, and where it isolated them: by the
    forecast's class of the pageblock and its side of the forecast's
    meeting point;
  - the linear free scanner's scans of whole pageblocks at a stride above
    1 (nr_scanned below 512; a stride-1 scan, or a THP, counts all 512),
    and how many of them took a page. The kernel doubles the stride after
    each pageblock that gave nothing, up to 32: such a scan samples every
    2nd..32nd pfn only.
"""
import os
import re
import subprocess
import sys
from collections import Counter, defaultdict

from kept import load_normal

RANGE = re.compile(r"mm_compaction_isolate_(migrate|free)pages: +range=\((\w+) ~ (\w+)\) "
                   r"nr_scanned=(\d+) nr_taken=(\d+)")


def trace_lines(dat):
    p = subprocess.Popen(["trace-cmd", "report", dat], stdout=subprocess.PIPE,
                         stderr=subprocess.DEVNULL, text=True)
    yield from p.stdout
    p.wait()


def main():
    k = load_normal(sys.argv, __doc__)
    keep, name, zone, per, first, b, cls, meet = k.keep, k.name, k.zone, k.per, k.first, k.before, k.cls, k.meet

    isolated, migrated, failed = defaultdict(lambda: [0, 0]), 0, 0
    scans, took, mode = Counter(), Counter(), "?"
    dat = os.path.join(keep, f"tr.{name}.dat")
    if not os.path.exists(dat):
        sys.exit(f"{dat}: no recording kept (CT_HP_TRACE={keep}/tr)")
    for line in trace_lines(dat):
        if "mm_compaction_begin" in line:
            mode = re.search(r"mode=(\w+)", line).group(1)
            continue
        if "mm_compaction_migratepages" in line:
            m = re.search(r"nr_migrated=(\d+) nr_failed=(\d+)", line)
            migrated += int(m.group(1))
            failed += int(m.group(2))
            continue
        m = RANGE.search(line)
        if not m:
            continue
        lo, hi = int(m.group(2), 16), int(m.group(3), 16)
        scanned, taken, i = int(m.group(4)), int(m.group(5)), (lo - first) // per
        if not 0 <= i < len(b):
            continue
        if m.group(1) == "migrate":
            if taken:
                row = isolated[(cls[i], "below" if i < meet else "above")]
                row[0] += taken
                row[1] += 1
            continue
        if hi - lo == per and scanned < per:     # a whole pageblock at a stride above 1
            scans[mode] += 1
            took[mode] += taken > 0

    total = sum(r[0] for r in isolated.values())
    print(f"{keep}: Normal, forecast {zone['by_compaction']} pageblocks by compaction, "
          f"pages_to_migrate {zone['pages_to_migrate']}, meeting at pageblock {meet} of {len(b)}")
    print(f"  kernel isolated {total} pages for migration, migrated {migrated}, failed {failed}")
    for (c, side), (n, blocks) in sorted(isolated.items(), key=lambda kv: -kv[1][0]):
        movable = sum(b[i][2] + b[i][3] for i in range(len(b))
                      if cls[i] == c and (i < meet) == (side == "below"))
        print(f"    class {c!r} {side:5} the meeting point: {n:7} isolated in {blocks:6} scans "
              f"(movable pages there before the ask: {movable})")
    print("  linear free scanner, pageblocks scanned at a stride above 1 (and how many gave a page):",
          ", ".join(f"{md} {n} ({took[md]})" for md, n in sorted(scans.items())))


if __name__ == "__main__":
    main()
