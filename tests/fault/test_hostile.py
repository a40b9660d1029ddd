#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Hostile content in text traces: task names and absurd values.

Usage: test_hostile.py COMPACTRACE SCHEMA [CASE...]

names   Direct stalls by tasks whose names hold quotes, backslashes, ESC
        sequences, CR, BEL, tab, DEL, C1 controls (U+009B is CSI to some
        terminals), invalid UTF-8 and 300 bytes; also a name with a newline
        in it, which splits its line. In ftrace text, trace-cmd report text
        and perf script text:
          - the JSON report parses as strict UTF-8 JSON and is valid against
            the schema; names keep what they can (quotes, backslashes,
            valid UTF-8) and invalid bytes become '?'
          - the text report and `top --batch` hold no control characters
            (C0 but newline, DEL, C1) and are valid UTF-8
          - the split line is counted as unparsable, nothing crashes
values  pfn beyond any zone, negative orders, 10^18 page counts (a sum that
        would wrap 64 bits), timestamps going backwards across CPUs: each is
        counted in the report's data quality, never a crash or a wrapped total.
CT_HOSTILE_KEEP=DIR keeps the generated traces in DIR. Exit 0 pass, 1 fail.
"""
import json
import os
import subprocess
import sys
import tempfile

import jsonschema

from faultlib import ENV, check, failures

tool = schema = None


HOSTILE = [
    b'quo"te',
    b'back\\slash',
    b'\x1b[31mRED\x1b[0m',
    b'\x1b]0;owned\x07',       # OSC: set the terminal title
    b'bell\x07bell',
    b'cr\rover',
    b'tab\there',
    b'del\x7fdel',
    b'c1\xc2\x9b31mcsi',       # U+009B, valid UTF-8, CSI to some terminals
    b'bad\xff\xfeutf',
    b'trunc\xc3',              # a cut sequence
    b'over\xc0\xaflong',       # overlong '/'
    b'sur\xed\xa0\x80rog',     # a UTF-16 surrogate
    'ünï€ødé'.encode(),        # valid UTF-8 stays
    b'L' * 300,
    b'{"json":1}',
    b'</script>',
]


def ftrace_line(comm, pid, cpu, ts, event, payload):
    return b"%16s-%-7d [%03d] ..... %.6f: %s: %s\n" % (comm, pid, cpu, ts, event.encode(),
                                                      payload.encode())


def stall(comm, pid, ts, order=9):
    """the events of one direct stall with one compaction run, as ftrace prints them"""
    ev = [
        ("mm_compaction_try_to_compact_pages",
         f"order={order} gfp_mask=GFP_HIGHUSER_MOVABLE|__GFP_COMP priority=2"),
        ("mm_compaction_suitable", f"node=0 zone=Normal   order={order} ret=continue"),
        ("mm_compaction_begin",
         "zone_start=0x100000 migrate_pfn=0x29a800 free_pfn=0x60da00 zone_end=0x640000, mode=async"),
        ("mm_compaction_isolate_migratepages", "range=(0x29a800 ~ 0x29a840) nr_scanned=64 nr_taken=32"),
        ("mm_compaction_isolate_freepages", "range=(0x60d800 ~ 0x60da00) nr_scanned=512 nr_taken=32"),
        ("mm_compaction_migratepages", "nr_migrated=32 nr_failed=0"),
        ("mm_compaction_end",
         "zone_start=0x100000 migrate_pfn=0x29a840 free_pfn=0x60d800 zone_end=0x640000, mode=async "
         "status=success"),
        ("mm_compaction_finished", f"node=0 zone=Normal   order={order} ret=success"),
    ]
    return [ftrace_line(comm, pid, 0, ts + i * 0.0001, e, p) for i, (e, p) in enumerate(ev)]


HEADER = (b"# tracer: nop\n#\n# entries-in-buffer/entries-written: 0/0   #P:2\n#\n"
          b"#           TASK-PID     CPU#  |||||  TIMESTAMP  FUNCTION\n"
          b"#              | |         |   |||||     |         |\n")


def as_trace_cmd(lines):
    """trace-cmd report text: no flags column, 'cpus=2' header"""
    out = [b"cpus=2\n"]
    for l in lines:
        comm_pid, rest = l.split(b" [", 1)
        cpu, rest = rest.split(b"] ", 1)
        rest = rest.split(b" ", 1)[1]         # drop the flags
        out.append(comm_pid + b" [" + cpu + b"] " + rest)
    return b"".join(out)


def as_perf_script(lines):
    """perf script text: 'comm pid [cpu] ts: compaction:event: payload'"""
    out = []
    for l in lines:
        comm_pid, rest = l.split(b" [", 1)
        comm, pid = comm_pid.strip().rsplit(b"-", 1)
        cpu, rest = rest.split(b"] ", 1)
        ts, rest = rest.split(b" ", 1)[1].split(b": ", 1)
        event, payload = rest.split(b": ", 1)
        out.append(b"%16s %6s [%s] %s: compaction:%s: %s" % (comm, pid, cpu, ts, event, payload))
    return b"".join(out)


def report(path, *extra):
    p = subprocess.run([tool, "report", *extra, path], capture_output=True, env=ENV, timeout=120)
    check(p.returncode >= 0, f"report {extra} {path}: killed by signal {-p.returncode}")
    return p


def terminal_safe(data, what):
    """valid UTF-8, no C0 control but newline, no DEL, no C1"""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as e:
        check(False, f"{what}: not valid UTF-8: {e}")
        return
    bad = sorted({f"U+{ord(c):04X}" for c in text
                  if (ord(c) < 0x20 and c != "\n") or 0x7f <= ord(c) <= 0x9f})
    check(not bad, f"{what}: control characters reach the terminal: {bad}")


def t_names(tmp):
    lines, pid, ts = [], 1000, 100.0
    for name in HOSTILE:
        lines += stall(name, pid, ts)
        pid += 1
        ts += 0.01
    ftrace = HEADER + b"".join(lines)
    # a newline inside a task name splits its line in two
    split = ftrace_line(b"new\nline", 4242, 1, ts + 0.5, "mm_compaction_kcompactd_sleep", "nid=0")
    inputs = {
        "ftrace": ftrace + split,
        "trace-cmd": as_trace_cmd(lines),
        "perf-script": as_perf_script(lines),
    }
    for fmt, data in inputs.items():
        path = os.path.join(tmp, f"hostile.{fmt}.txt")
        with open(path, "wb") as f:
            f.write(data)
        p = report(path, "-f", "json")
        if not check(p.returncode == 0, f"names/{fmt}: json exit {p.returncode}: {p.stderr[-500:]!r}"):
            continue
        try:
            r = json.loads(p.stdout.decode("utf-8"))
        except (UnicodeDecodeError, ValueError) as e:
            check(False, f"names/{fmt}: the JSON report does not parse: {e}")
            continue
        try:
            jsonschema.validate(r, schema)
        except jsonschema.ValidationError as e:
            check(False, f"names/{fmt}: schema: {e.message} at {list(e.absolute_path)}")
        check(r["stalls"]["count"] == len(HOSTILE),
              f"names/{fmt}: {r['stalls']['count']} stalls, want {len(HOSTILE)}")
        comms = {s["comm"] for s in r["stalls"]["slowest"]} | {s["comm"] for s in r["runs"]["slowest"]}
        for want in ('quo"te', "back\\slash", "ünï€ødé", '{"json":1}'):
            check(want in comms, f"names/{fmt}: {want!r} not kept: {sorted(comms)[:20]}")
        check(any(c.startswith("bad?") for c in comms), f"names/{fmt}: invalid UTF-8 not replaced")
        if fmt == "ftrace":
            check(r["quality"]["parse_errors"] >= 1,
                  f"names/{fmt}: the line split by a newline not counted: {r['quality']}")
        p = report(path)
        if check(p.returncode == 0, f"names/{fmt}: text exit {p.returncode}"):
            terminal_safe(p.stdout, f"names/{fmt}: text report")
            check(b"quo\"te" in p.stdout, f"names/{fmt}: text report lost a plain name")
        p = report(path, "-f", "ndjson")
        if check(p.returncode == 0, f"names/{fmt}: ndjson exit {p.returncode}"):
            for line in p.stdout.decode("utf-8", errors="strict").splitlines():
                json.loads(line)
        p = subprocess.run([tool, "top", "-i", path, "--batch", "1", "--speed", "0"],
                           capture_output=True, env=dict(ENV, COLUMNS="200"), timeout=120)
        if check(p.returncode == 0, f"names/{fmt}: top --batch exit {p.returncode}: {p.stderr[-300:]!r}"):
            terminal_safe(p.stdout, f"names/{fmt}: top --batch")


BEGIN = "zone_start=0x100000 migrate_pfn=0x29a800 free_pfn=0x60da00 zone_end=0x640000, mode=sync"
END = ("zone_start=0x100000 migrate_pfn=0x29a840 free_pfn=0x60d800 zone_end=0x640000, mode=sync "
       "status=complete")
TEN18 = 10**18

# name, events of task "absurd" (pid 20) inside one sync run, what the report must show
ABSURD = [
    ("pfn beyond any machine",
     [("mm_compaction_isolate_migratepages",
       "range=(0xfffffffffffff000 ~ 0xffffffffffffffff) nr_scanned=64 nr_taken=32")], {}),
    ("pfn outside the run's zone",
     [("mm_compaction_isolate_freepages", "range=(0x9000000 ~ 0x9000200) nr_scanned=512 nr_taken=32")], {}),
    ("10^18 pages scanned in one step",
     [("mm_compaction_isolate_freepages",
       f"range=(0x60d800 ~ 0x60da00) nr_scanned={TEN18} nr_taken={TEN18}")],
     {"compact_free_scanned": 0, "compact_isolated": 0}),
    ("10^18 pages migrated",
     [("mm_compaction_migratepages", f"nr_migrated={TEN18} nr_failed={TEN18}")], {}),
    ("a zone that ends before it starts",
     [("mm_compaction_end",
       "zone_start=0x640000 migrate_pfn=0x29a840 free_pfn=0x60d800 zone_end=0x100000, mode=sync "
       "status=complete")], {}),
    ("a zone beyond any machine",
     [("mm_compaction_begin",
       "zone_start=0x100000 migrate_pfn=0x29a800 free_pfn=0x60da00 zone_end=0xfffffffffffffff, mode=sync")],
     {}),
]
# name, lines outside any run, what the report must show
OUTSIDE = [
    ("negative order of a stall",
     [("neg", 30, "mm_compaction_try_to_compact_pages", "order=-5 gfp_mask=GFP_KERNEL priority=2")]),
    ("negative order of a deferral",
     [("neg", 31, "mm_compaction_deferred", "node=0 zone=Normal   order=-7 order_failed=-3 consider=1 limit=64")]),
    ("negative order of a kcompactd wakeup",
     [("kswapd0", 35, "mm_compaction_wakeup_kcompactd", "nid=0 order=-2 classzone_idx=Normal")]),
    ("extfrag: negative orders, pfn beyond any machine, migratetype 99",
     [("x", 40, "mm_page_alloc_extfrag",
       "page=0x0 pfn=0xffffffffffffff alloc_order=-1 fallback_order=-4 pageblock_order=9 "
       "alloc_migratetype=99 fallback_migratetype=-1 fragmenting=1 change_ownership=0")]),
    ("page event with a pfn beyond any machine",
     [("x", 41, "mm_page_free", "page=0x0 pfn=0xfffffffffffffff order=0")]),
]


def values_report(tmp, name, lines):
    path = os.path.join(tmp, "absurd-" + "".join(c if c.isalnum() else "_" for c in name) + ".txt")
    with open(path, "wb") as f:
        f.write(HEADER + b"".join(lines))
    p = report(path, "-f", "json")
    if not check(p.returncode == 0, f"values: {name}: exit {p.returncode}: {p.stderr[-500:]!r}"):
        return None, path
    r = json.loads(p.stdout)
    try:
        jsonschema.validate(r, schema)
    except jsonschema.ValidationError as e:
        check(False, f"values: {name}: schema: {e.message} at {list(e.absolute_path)}")
    return r, path


def t_values(tmp):
    base_lines = stall(b"ok", 10, 100.0)
    base, _ = values_report(tmp, "baseline", base_lines)
    if not base:
        return
    check(base["quality"]["bad_values"] == 0 and base["quality"]["out_of_order"] == 0,
          f"values: baseline not clean: {base['quality']}")
    for name, events, want in ABSURD:
        lines = list(base_lines)
        t = 101.0
        for e, pl in [("mm_compaction_begin", BEGIN)] + events + [("mm_compaction_end", END)]:
            lines.append(ftrace_line(b"absurd", 20, 0, t, e, pl))
            t += 0.0001
        r, _ = values_report(tmp, name, lines)
        if not r:
            continue
        check(r["quality"]["bad_values"] >= 1, f"values: {name}: not counted: {r['quality']}")
        for k, v in want.items():
            got = r["totals"][k] - base["totals"][k]
            check(got == v, f"values: {name}: totals.{k} took in {got}, want {v}")
    for name, events in OUTSIDE:
        lines = list(base_lines) + [ftrace_line(c.encode(), pid, 0, 101.0 + i * 0.001, e, pl)
                                    for i, (c, pid, e, pl) in enumerate(events)]
        r, _ = values_report(tmp, name, lines)
        # a text parser that does not read page events yet leaves it an unknown event
        unknown_ok = name.startswith("page event") and r and r["quality"]["unknown_events"] >= 1
        if r and not unknown_ok:
            check(r["quality"]["bad_values"] >= 1, f"values: {name}: not counted: {r['quality']}")
        if r and "extfrag" in name:
            check(r["extfrag"]["fragmenting"] == 0 and r["extfrag"]["pageblocks_polluted"] == 0,
                  f"values: {name}: taken as a fragmenting fallback: {r['extfrag']}")
    # 4200 steps of 2^52 - 1 pages each would wrap a 64-bit total: each step is
    # more than any pageblock holds, so each is counted and none is summed
    lines, t = list(base_lines), 101.0
    big = (1 << 52) - 1
    lines.append(ftrace_line(b"absurd", 20, 0, t, "mm_compaction_begin", BEGIN))
    for k in range(4200):
        t += 0.00001
        lines.append(ftrace_line(b"absurd", 20, 0, t, "mm_compaction_isolate_freepages",
                                 f"range=(0x60d800 ~ 0x60da00) nr_scanned={big} nr_taken=0"))
    lines.append(ftrace_line(b"absurd", 20, 0, t + 0.001, "mm_compaction_end", END))
    r, _ = values_report(tmp, "a total that would wrap", lines)
    if r:
        got = r["totals"]["compact_free_scanned"] - base["totals"]["compact_free_scanned"]
        check(got == 0 and r["quality"]["bad_values"] == 4200,
              f"values: wrapping total: took in {got}, {r['quality']}")
    # CPU 1 stamps earlier than CPU 0 did just before: backwards across CPUs
    lines = list(base_lines) + [
        ftrace_line(b"late", 50, 1, 99.0, "mm_compaction_kcompactd_sleep", "nid=0"),
        ftrace_line(b"late", 50, 1, 99.5, "mm_compaction_kcompactd_sleep", "nid=0")]
    r, path = values_report(tmp, "backwards", lines)
    if r:
        check(r["quality"]["out_of_order"] == 1, f"values: backwards timestamps: {r['quality']}")
        p = report(path)
        text = p.stdout.decode()
        check(p.returncode == 0 and "out-of-order timestamps 1," in text,
              "values: the text report does not show the out-of-order timestamp")
    r, path = values_report(tmp, "all", lines[:-2] + [
        ftrace_line(b"neg", 30, 0, 101.0, "mm_compaction_try_to_compact_pages",
                    "order=-5 gfp_mask=GFP_KERNEL priority=2")])
    if r:
        p = report(path)
        check(p.returncode == 0 and "out-of-range values 1" in p.stdout.decode(),
              "values: the text report does not show out-of-range values")


CASES = {"names": t_names, "values": t_values}


def main():
    global tool, schema
    if len(sys.argv) < 3:
        print(__doc__, file=sys.stderr)
        return 2
    tool = os.path.abspath(sys.argv[1])
    with open(sys.argv[2]) as f:
        schema = json.load(f)
    keep = os.environ.get("CT_HOSTILE_KEEP")   # a directory to keep the traces in
    with tempfile.TemporaryDirectory(prefix="ct-hostile-") as tmp:
        tmp = keep or tmp
        for name in sys.argv[3:] or list(CASES):
            nfail = len(failures)
            try:
                CASES[name](tmp)
            except Exception as e:  # a crash of a case is a failure of that case
                check(False, f"{name}: {type(e).__name__}: {e}")
            print(f"{name}: {'ok' if len(failures) == nfail else 'FAILED'}")
    print(f"test_hostile: {len(failures)} failed checks")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
