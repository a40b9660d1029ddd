#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""The pictures of a large, busy trace stay bounded.

Writes an ftrace text trace (seeded: the seed is printed, the same seed
gives the same trace) of 8 nodes x 3 zones, 100 stalling tasks, 60,000
direct-compaction runs and 40,000 extfrag fallbacks, then:
  - `report -f html`: the page is under 5 MB although every series is past
    its bounds (more zones than it draws, more tasks than rows, more runs
    and points than it keeps), and every figure it marks (data-k) equals
    `report -f json`'s there; the runs per drawn zone and the stalls it
    counted itself equal what this script wrote (expected values from the
    generator, not from compactrace);
  - `report -f perfetto`: valid, properly nested, one stall slice per
    try_to_compact_pages written here and one run slice per run.
Exit 0 pass, 1 fail.
"""
import decimal
import json
import os
import random
import re
import subprocess
import sys
import tempfile

from common import fail, verdict
import check_html
import check_perfetto

TOOL = sys.argv[1]
SEED = int(os.environ.get("CT_SEED", "1606"))
NODES, TASKS, RUNS, FALLBACKS = 8, 100, 60000, 40000
ZONES = [("DMA", 0x1, 0x1000), ("DMA32", 0x1000, 0x100000), ("Normal", 0x100000, 0x440000)]


def line(comm, pid, ts_us, event, fields):
    return "%16s-%-7d [%03d] .....  %d.%06d: %s: %s\n" % (comm, pid, pid % 4, ts_us // 1000000,
                                                          ts_us % 1000000, event, fields)


def span(node, z):
    name, a, b = ZONES[z]
    off = node * 0x1000000
    return name, a + off, b + off


def generate(path, rnd):
    ts = 1000 * 1000000
    runs_per_zone = {}
    with open(path, "w") as f:
        f.write("# tracer: nop\n#\n")
        fb_every = RUNS // FALLBACKS + 1
        for i in range(RUNS):
            pid = 1000 + rnd.randrange(TASKS)
            comm = "task%d" % (pid - 1000)
            node, z = rnd.randrange(NODES), rnd.randrange(3)
            name, a, b = span(node, z)
            runs_per_zone[(node, name)] = runs_per_zone.get((node, name), 0) + 1
            mig = a + rnd.randrange(max(1, (b - a) // 2)) // 512 * 512
            fre = b - 512 - rnd.randrange(max(1, (b - a) // 2)) // 512 * 512
            w = lambda ev, fl: f.write(line(comm, pid, ts, ev, fl))  # noqa: E731
            w("mm_compaction_try_to_compact_pages", "order=9 gfp_mask=GFP_HIGHUSER_MOVABLE priority=2")
            ts += 1
            w("mm_compaction_suitable", "node=%d zone=%-8s order=9 ret=continue" % (node, name))
            ts += 1
            w("mm_compaction_begin", "zone_start=%#x migrate_pfn=%#x free_pfn=%#x zone_end=%#x, mode=async"
              % (a, mig, fre, b))
            ts += rnd.randrange(5, 50)
            w("mm_compaction_isolate_migratepages", "range=(%#x ~ %#x) nr_scanned=512 nr_taken=32"
              % (mig, mig + 512))
            ts += rnd.randrange(5, 50)
            w("mm_compaction_isolate_freepages", "range=(%#x ~ %#x) nr_scanned=512 nr_taken=32" % (fre, fre + 512))
            ts += rnd.randrange(5, 50)
            w("mm_compaction_migratepages", "nr_migrated=32 nr_failed=0")
            ts += rnd.randrange(5, 50)
            w("mm_compaction_end", "zone_start=%#x migrate_pfn=%#x free_pfn=%#x zone_end=%#x, mode=async "
              "status=%s" % (a, mig + 512, fre, b, rnd.choice(["success", "success", "complete", "partial_skipped"])))
            ts += rnd.randrange(1, 200)
            if i % fb_every == 0:
                f.write(line(comm, pid, ts, "mm_page_alloc_extfrag",
                             "page=000000001 pfn=%#x alloc_order=0 fallback_order=%d pageblock_order=9 "
                             "alloc_migratetype=0 fallback_migratetype=1 fragmenting=1 change_ownership=0"
                             % (mig + 1024, rnd.choice([0, 10]))))
                ts += 3
    return runs_per_zone


def main():
    print(f"seed {SEED} (CT_SEED=N to change it)")
    rnd = random.Random(SEED)
    with tempfile.TemporaryDirectory() as tmp:
        trace = os.path.join(tmp, "large.txt")
        written = generate(trace, rnd)
        env = dict(os.environ, LC_ALL="C")
        html = os.path.join(tmp, "r.html")
        for fmt, out in (("html", html), ("perfetto", os.path.join(tmp, "t.json")),
                         ("json", os.path.join(tmp, "r.json"))):
            p = subprocess.run([TOOL, "report", "-f", fmt, "-o", out, trace], capture_output=True, env=env)
            if p.returncode:
                fail(f"report -f {fmt}: exit {p.returncode}: {p.stderr.decode()}")
                return verdict()
        report = json.load(open(os.path.join(tmp, "r.json")))
        size = os.path.getsize(html)
        if size > check_html.MAX_BYTES:
            fail(f"the page is {size} bytes, over 5 MB")
        text = open(html, encoding="utf-8").read()
        figs = [{"k": k, "v": v, "text": re.sub(r"<[^>]*>", "", t)}
                for k, v, t in re.findall(r'data-k="([^"]*)" data-v="([^"]*)">([^<]*)<', text)]
        drawn = {(int(n), z): int(v) for n, z, v in re.findall(
            r'data-k="zones\[node=(\d+),zone=(\w+)\]\.runs" data-v="(\d+)"', text)}
        check_html.check_figures(figs, report, ["runs.count", "stalls.count", "runs.scanners_met",
                                                "extfrag.events", "extfrag.fragmenting"] +
                                 [f"zones[node={n},zone={z}].runs" for n, z in drawn])
        if len(drawn) < 16:
            fail(f"only {len(drawn)} zones drawn")
        for key, v in drawn.items():
            if written.get(key) != v:
                fail(f"zone {key}: the page counts {v} runs, the generator wrote {written.get(key)}")
        m = re.search(r'data-k="stalls.count" data-v="(\d+)"', text)
        if not m or int(m.group(1)) != RUNS:
            fail(f"the page counts {m and m.group(1)} stalls, the generator wrote {RUNS}")
        raw = open(os.path.join(tmp, "t.json"), "rb").read()
        events = check_perfetto.check_structure(raw, json.loads(raw, parse_float=decimal.Decimal))
        stalls = sum(1 for e in events if e["ph"] == "X" and e.get("cat") == "stall")
        runs = sum(1 for e in events if e["ph"] == "X" and e.get("cat") == "run")
        if stalls != RUNS or runs != RUNS:
            fail(f"perfetto: {stalls} stall and {runs} run slices, the generator wrote {RUNS} of each")
        print(f"{RUNS} runs, {len(written)} zones ({len(drawn)} drawn), {TASKS} tasks: page {size} bytes, "
              f"{len(figs)} figures, timeline {len(raw)} bytes")
    return verdict()


if __name__ == "__main__":
    sys.exit(main())
