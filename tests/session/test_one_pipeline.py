#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Every command assembles the same pipeline: one session for report, record's summary and top.

  facts  (hand analysis, no root): a one-line trace from a kernel whose
         pageblock order is 10, rendered as ftrace text, trace-cmd text and
         perf script text. The line says fallback_order=9 and
         pageblock_order=10: 9 < 10, so the fallback fragments and pollutes
         one pageblock. `report -f json` must say pageblock order 10 in
         extfrag and model, fragmenting 1 and 1 pageblock polluted in both
         the engine's and the model's sections; `top -i --batch` must show
         pageblock order 10.
  live   (root, tracefs): one `record` of a manual compaction; its closing
         summary, `report -f json` and `top -i --batch` of the file must give
         the same runs, stalls and vmstat-check figures (each against the
         others: the three commands share one session).

Usage: test_one_pipeline.py COMPACTRACE facts|live. Exit 0 pass, 1 fail, 77 skip.
"""
import fcntl
import json
import os
import re
import subprocess
import sys
import tempfile

TOOL = sys.argv[1]
failures = []
ENV = dict(os.environ, LC_ALL="C", COLUMNS="160")

PAYLOAD = ("page=0000000098022af1 pfn=0x57d600 alloc_order=0 fallback_order=9 pageblock_order=10 "
           "alloc_migratetype=0 fallback_migratetype=1 fragmenting=0 change_ownership=0")
RENDERINGS = {
    "ftrace-text": "# tracer: nop\n            bash-16860   [000] d..3.   986.757654: "
                   "mm_page_alloc_extfrag: " + PAYLOAD + "\n",
    "trace-cmd-text": "cpus=2\n            bash-16860 [000]   986.757654: mm_page_alloc_extfrag: "
                      + PAYLOAD + "\n",
    "perf-script": "            bash 16860 [000]   986.757654:                      "
                   "kmem:mm_page_alloc_extfrag: " + PAYLOAD + "\n",
}


def check(cond, msg):
    if not cond:
        failures.append(msg)
        print("FAIL: " + msg, file=sys.stderr)
    return cond


def run(args, **kw):
    return subprocess.run([TOOL] + args, capture_output=True, text=True, env=ENV, timeout=300, **kw)


def test_facts(tmp):
    for fmt, text in RENDERINGS.items():
        path = os.path.join(tmp, fmt + ".txt")
        with open(path, "w") as f:
            f.write(text)
        p = run(["report", "-f", "json", path])
        if not check(p.returncode == 0, f"{fmt}: report failed: {p.stderr}"):
            continue
        d = json.loads(p.stdout)
        check(d["sources"][0]["format"] == fmt, f"{fmt}: detected as {d['sources'][0]['format']}")
        x, m = d["extfrag"], d["model"]
        check(x["pageblock_order"] == 10, f"{fmt}: extfrag.pageblock_order {x['pageblock_order']}")
        check(x["pageblock_order_source"] == "trace", f"{fmt}: source {x['pageblock_order_source']}")
        check(m["pageblock_order"] == 10, f"{fmt}: model.pageblock_order {m['pageblock_order']}")
        check(x["fragmenting"] == 1, f"{fmt}: extfrag.fragmenting {x['fragmenting']}")
        check(x["pageblocks_polluted"] == 1, f"{fmt}: extfrag.pageblocks_polluted {x['pageblocks_polluted']}")
        pol = m["polluters"]
        if check(len(pol) == 1, f"{fmt}: model.polluters {pol}"):
            check(pol[0]["fragmenting"] == 1, f"{fmt}: model.polluters[0].fragmenting {pol[0]['fragmenting']}")
            check(pol[0]["pageblocks_polluted"] == 1,
                  f"{fmt}: model.polluters[0].pageblocks_polluted {pol[0]['pageblocks_polluted']}")
        t = run(["top", "-i", path, "--speed", "0", "--batch", "1"])
        check(t.returncode == 0, f"{fmt}: top failed: {t.stderr}")
        check("pageblock order 10)" in t.stdout, f"{fmt}: top does not show pageblock order 10")
        check("pageblock order 9)" not in t.stdout, f"{fmt}: top shows pageblock order 9")


VM_LINE = re.compile(r"^\s+(?:vmstat)?\s+(compact_\w+)\s+trace (\d+)\s+vmstat ([+-]?\d+)\s+(\w+)")


def vmstat_lines(text):
    return {m.group(1): (int(m.group(2)), int(m.group(3)), m.group(4))
            for m in map(VM_LINE.match, text.splitlines()) if m}


def test_live(tmp):
    if os.geteuid() != 0:
        print("SKIP: live: needs root")
        sys.exit(77)
    if not os.path.isdir("/sys/kernel/tracing/events/compaction"):
        subprocess.run(["mount", "-t", "tracefs", "nodev", "/sys/kernel/tracing"], capture_output=True)
    if not os.path.isdir("/sys/kernel/tracing/events/compaction"):
        print("SKIP: live: no tracefs with compaction events")
        sys.exit(77)
    out = os.path.join(tmp, "c.dat")
    # one live user of the kernel's tracing and compaction at a time on this host
    with open("/tmp/compactrace-live.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        rec = run(["record", "-o", out, "--", "sh", "-c", "echo 1 > /proc/sys/vm/compact_memory"])
    if not check(rec.returncode == 0, f"record failed: {rec.stderr}"):
        return
    m = re.search(r"read\s+(\d+) events back from the file \((\d+) compaction runs, (\d+) stalls\)", rec.stderr)
    if not check(m is not None, f"no 'read' line in record's summary: {rec.stderr}"):
        return
    rec_events, rec_runs, rec_stalls = map(int, m.groups())
    rec_vm = vmstat_lines(rec.stderr)
    check(len(rec_vm) == 7, f"record's summary has {len(rec_vm)} vmstat lines: {rec.stderr}")

    p = run(["report", "-f", "json", out])
    if not check(p.returncode == 0, f"report failed: {p.stderr}"):
        return
    d = json.loads(p.stdout)
    check(d["runs"]["count"] == rec_runs, f"runs: report {d['runs']['count']}, record {rec_runs}")
    check(d["stalls"]["count"] == rec_stalls, f"stalls: report {d['stalls']['count']}, record {rec_stalls}")
    check(d["sources"][0]["events"] == rec_events, f"events: report {d['sources'][0]['events']}, record {rec_events}")
    check(rec_runs > 0, "the manual compaction made no run")
    rep_vm = {name: (c["trace"], c["vmstat_delta"], c["verdict"]) for name, c in d["vmstat_check"].items()
              if isinstance(c, dict)}
    check(rep_vm == rec_vm, f"vmstat check: report {rep_vm}, record {rec_vm}")

    t = run(["top", "-i", out, "--speed", "0", "--batch", "1"])
    if not check(t.returncode == 0, f"top failed: {t.stderr}"):
        return
    top_vm = vmstat_lines(t.stdout)
    check(top_vm == rec_vm, f"vmstat check: top {top_vm}, record {rec_vm}")
    runs = re.search(r"runs (\d[\d,]*) ", t.stdout)
    stalls = re.search(r"^\s*started\s+\S+\s+(\d[\d,]*)", t.stdout, re.M)
    check(runs is not None and int(runs.group(1).replace(",", "")) == rec_runs,
          f"top's runs {runs.group(1) if runs else None}, record {rec_runs}")
    check(stalls is not None and int(stalls.group(1).replace(",", "")) == rec_stalls,
          f"top's stalls {stalls.group(1) if stalls else None}, record {rec_stalls}")


with tempfile.TemporaryDirectory() as tmp:
    {"facts": test_facts, "live": test_live}[sys.argv[2]](tmp)
if failures:
    print(f"{len(failures)} failures", file=sys.stderr)
    sys.exit(1)
print("ok")
