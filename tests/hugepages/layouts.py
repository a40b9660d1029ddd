#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Lay the issue's scenario out again and again, keep each layout as a recording, ask the kernel.

Usage: layouts.py collect COMPACTRACE CT_HPFRAG DIR N [EVEN]
       layouts.py compare COMPACTRACE DIR

collect (root): N times, the mlocked scenario of test_hugepages_live.py
(its settings, its workload; EVEN=1 frees the even pfns), then a
one-second `compactrace record` (DIR/HHMMSS.dat: the forecast's input, kept
in the recording's snapshots), /proc/buddyinfo, then nr_hugepages asked
as the live test asks it, and what the kernel held, zone by zone
(DIR/HHMMSS.json). The host is put back after each layout, also on
failure.

compare: for each kept layout, `COMPACTRACE report --hugepages` of its
recording (so a changed replay can be measured on the same layouts)
against what the kernel held: beyond the free order-9 blocks before the
ask, as the issue counts, and zone by zone. An experiment's tool (README
"How close it comes to the kernel"), not a test.
"""
import glob
import json
import os
import subprocess
import sys
import tempfile
import time

import test_hugepages_live as live


def collect(tool, hpfrag, out, n, even):
    live.tool, live.hpfrag = tool, hpfrag
    os.makedirs(out, exist_ok=True)
    for _ in range(n):
        name = os.path.join(out, time.strftime("%H%M%S"))
        host, wl = live.Host(), None
        try:
            host.set(f"{live.VM}/compaction_proactiveness", 0)
            host.set(f"{live.THP}/defrag", "never")
            host.set(f"{live.VM}/compact_unevictable_allowed", 0)
            ready = tempfile.mktemp(prefix="ct-hp-ready-")
            args = ["-m", "2048", "-l", "1024", "-F", str(live.FILL_KEEP_MIB)] + (["-e"] if even else [])
            wl, stats = live.start_workload(args, ready)
            os.unlink(ready)
            live.write(f"{live.VM}/drop_caches", 3)
            time.sleep(2)
            subprocess.run([tool, "record", "-o", name + ".dat", "-d", "1"], check=True,
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=300)
            zones = [z for z in json.loads(subprocess.run([tool, "hugepages", "-f", "json"], check=True,
                                                          capture_output=True, text=True).stdout)["zones"]]
            free = live.free_blocks_by_zone(9)
            hopeless = live.nodes_unreclaimable()
            got, writes, secs, progress = live.ask_kernel(10 ** 6)
            held = live.hugetlb_pages_by_zone(zones)
            rec = {"workload": stats, "free_before": sum(free.values()), "kernel": got, "writes": writes,
                   "node_unreclaimable": hopeless, "by_zone": {f"{k[0]}/{k[1]}": v for k, v in held.items()},
                   "progress": progress[-5:]}
            with open(name + ".json", "w") as f:
                json.dump(rec, f)
            print(f"{os.path.basename(name)}: kernel {got} after {writes} writes ({secs:.1f} s), "
                  f"free order>=9 blocks before {rec['free_before']}, by zone {rec['by_zone']}", flush=True)
        finally:
            try:
                live.write(f"{live.VM}/nr_hugepages", 0)
            except OSError:
                pass
            live.stop_workload(wl)
            host.restore()
        time.sleep(2)
    return 1 if live.failures else 0


def compare(tool, out):
    errors, within, runs = [], 0, 0
    for dat in sorted(glob.glob(os.path.join(out, "*.dat"))):
        base = dat[:-4]
        if not os.path.exists(base + ".json"):
            continue
        rec = json.load(open(base + ".json"))
        r = subprocess.run([tool, "report", "--hugepages", "-f", "json", dat], capture_output=True, text=True)
        if r.returncode != 0:
            print(f"{dat}: report --hugepages: {r.stderr.strip()}")
            continue
        fc = json.loads(r.stdout)
        extra_fc, extra_k = fc["hugepages_obtainable"] - rec["free_before"], rec["kernel"] - rec["free_before"]
        tolerance = max(20, extra_k // 10)
        ok = abs(extra_fc - extra_k) <= tolerance
        runs, within = runs + 1, within + ok
        errors.append(abs(extra_fc - extra_k))
        held = rec["by_zone"]
        zones = " ".join(f"{z['zone']} {z['hugepages_obtainable']}/{held.get(str(z['node']) + '/' + z['zone'], '?')}"
                         for z in fc["zones"] if z["hugepages_obtainable"] or z["zone"] != "DMA")
        print(f"{os.path.basename(base)}: beyond {rec['free_before']} free blocks, forecast {extra_fc} vs kernel "
              f"{extra_k} ({'within' if ok else 'NOT within'} {tolerance}); zones forecast/kernel: {zones}; "
              f"passed unseen {sum(z['free_pages_passed'] for z in fc['zones'])} free pages")
    if runs:
        print(f"{within} of {runs} within; mean error {sum(errors) / runs:.0f} pages")
    return 0


def main():
    if len(sys.argv) >= 6 and sys.argv[1] == "collect":
        return collect(sys.argv[2], sys.argv[3], sys.argv[4], int(sys.argv[5]),
                       len(sys.argv) > 6 and sys.argv[6] == "1")
    if len(sys.argv) == 4 and sys.argv[1] == "compare":
        return compare(sys.argv[2], sys.argv[3])
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main())
