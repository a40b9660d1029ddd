#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""The command line on bad and awkward input: clear errors, never a crash,
never a silently wrong total. Exit 0 pass, 1 fail."""
import json
import os
import random
import subprocess
import sys
import tempfile

TOOL = sys.argv[1]
SAMPLE = sys.argv[2]  # a small real ftrace text trace
failures = []


def check(cond, msg):
    if not cond:
        failures.append(msg)
        print("FAIL: " + msg, file=sys.stderr)


def run(args, stdin=None):
    p = subprocess.run([TOOL] + args, input=stdin, capture_output=True,
                       env=dict(os.environ, LC_ALL="C"))
    # a signal (crash) shows as a negative return code
    check(p.returncode >= 0, f"{args}: killed by signal {-p.returncode}")
    return p.returncode, p.stdout.decode(errors="replace"), p.stderr.decode(errors="replace")


def report_json(args, stdin=None):
    rc, out, err = run(["report", "-f", "json"] + args, stdin)
    check(rc == 0, f"{args}: exit {rc}: {err.strip()}")
    return json.loads(out) if rc == 0 else None


with tempfile.TemporaryDirectory() as tmp:
    def write(name, data):
        path = os.path.join(tmp, name)
        with open(path, "wb") as f:
            f.write(data)
        return path

    with open(SAMPLE, "rb") as f:
        sample = f.read()
    base = report_json([SAMPLE])
    check(base is not None and base["runs"]["count"] > 0, "the sample has runs")

    # empty file
    path = write("empty.txt", b"")
    rc, out, err = run(["report", path])
    check(rc == 1 and path in err and "empty" in err, f"empty file: rc={rc} err={err!r}")

    # binary garbage
    rnd = random.Random(7)
    path = write("garbage.bin", bytes(rnd.randrange(256) for _ in range(65536)))
    rc, out, err = run(["report", path])
    check(rc == 1 and path in err and "binary" in err, f"garbage: rc={rc} err={err!r}")

    # text that is no trace at all
    path = write("prose.txt", b"hello world\nthis is not a trace\n" * 50)
    rc, out, err = run(["report", path])
    check(rc == 1 and path in err, f"prose: rc={rc} err={err!r}")

    # missing file and a directory
    rc, out, err = run(["report", os.path.join(tmp, "nope.txt")])
    check(rc == 1 and "nope.txt" in err, f"missing file: rc={rc} err={err!r}")
    rc, out, err = run(["report", tmp])
    check(rc == 1 and tmp in err, f"directory: rc={rc} err={err!r}")

    # a truncated last line: counted as a parse error at that line, the rest stands
    lines = sample.rstrip(b"\n").split(b"\n")
    last = lines[-1]
    cut = b"\n".join(lines[:-1]) + b"\n" + last[: last.index(b":") + 1]
    path = write("truncated.txt", cut)
    r = report_json([path])
    if r:
        check(r["quality"]["parse_errors"] == 1, f"truncated: parse_errors={r['quality']['parse_errors']}")
        locs = r["quality"]["parse_error_locations"]
        check(locs and locs[0]["where"] == len(lines), f"truncated: location {locs}, want line {len(lines)}")

    # a file of unrelated events: an honest empty report
    unrelated = b"".join(
        b"          <idle>-0       [001] d..2. %d.%06d: sched_switch: prev_comm=swapper/1 prev_pid=0 "
        b"prev_prio=120 prev_state=R ==> next_comm=bash next_pid=5 next_prio=120\n" % (100 + i, i)
        for i in range(200))
    path = write("sched.txt", b"# tracer: nop\n#\n" + unrelated)
    r = report_json([path])
    if r:
        check(r["runs"]["count"] == 0 and r["events"] == 200 and r["quality"]["unknown_events"] == 200,
              f"unrelated events: runs={r['runs']['count']} events={r['events']}")
        check(r["sources"][0]["events_by_name"] == {"sched_switch": 200},
              f"unrelated events_by_name {r['sources'][0]['events_by_name']}")

    # stdin streams and gives the same answer as the file
    r = report_json(["-"], stdin=sample)
    if r and base:
        check(r["totals"] == base["totals"] and r["runs"] == base["runs"], "stdin differs from file")
        check(r["sources"][0]["path"] == "-", "stdin source path")

    # two files: one report, two sources, twice the totals
    r = report_json([SAMPLE, SAMPLE])
    if r and base:
        check(len(r["sources"]) == 2, "two sources")
        check(r["runs"]["count"] == 2 * base["runs"]["count"], "two files: twice the runs")
        check(r["totals"]["compact_migrate_scanned"] == 2 * base["totals"]["compact_migrate_scanned"],
              "two files: twice the totals")

    # usage errors
    rc, out, err = run(["report"])
    check(rc == 2 and "no input file" in err, f"no args: rc={rc}")
    rc, out, err = run(["report", "-f", "xml", SAMPLE])
    check(rc == 2, f"bad -f: rc={rc}")
    rc, out, err = run(["report", "-F", "nonsense", SAMPLE])
    check(rc == 1 and "nonsense" in err, f"bad -F: rc={rc} err={err!r}")
    rc, out, err = run(["frobnicate"])
    check(rc == 2, f"unknown command: rc={rc}")
    rc, out, err = run(["report", "--snapshot-start", tmp, SAMPLE])
    check(rc == 2, f"snapshot-start alone: rc={rc}")
    rc, out, err = run(["report", "--snapshot-start", tmp, "--snapshot-end", tmp, SAMPLE])
    check(rc == 1 and "vmstat" in err, f"snapshot without vmstat: rc={rc} err={err!r}")

    # --extract-snapshots: one input, no --snapshot-*, and only a recording carries snapshots
    snapdir = os.path.join(tmp, "snaps")
    rc, out, err = run(["report", "--extract-snapshots", snapdir, SAMPLE, SAMPLE])
    check(rc == 2 and "one input" in err, f"extract from two files: rc={rc} err={err!r}")
    rc, out, err = run(["report", "--extract-snapshots", snapdir, "--snapshot-start", tmp,
                        "--snapshot-end", tmp, SAMPLE])
    check(rc == 2, f"extract with --snapshot-*: rc={rc}")
    rc, out, err = run(["report", "--extract-snapshots", snapdir, SAMPLE])
    check(rc == 1 and "no snapshots" in err and out == "", f"extract from text: rc={rc} err={err!r}")
    check(not os.listdir(snapdir) if os.path.isdir(snapdir) else True, "extract from text wrote files")

    # NDJSON: one line per run and stall, then the report
    rc, out, err = run(["report", "-f", "ndjson", SAMPLE])
    check(rc == 0, f"ndjson rc={rc}")
    if rc == 0 and base:
        lines = out.splitlines()
        runs = [json.loads(l) for l in lines if l.startswith('{"type":"run"')]
        check(len(runs) == base["runs"]["count"], f"ndjson runs {len(runs)} != {base['runs']['count']}")
        check(sum(x["migrate_scanned"] for x in runs) <= base["totals"]["compact_migrate_scanned"],
              "ndjson run scans within totals")

    # filters
    if base and base["runs"]["slowest"]:
        pid = base["runs"]["slowest"][0]["pid"]
        r = report_json(["--pid", str(pid), SAMPLE])
        if r:
            check(r["filter"] == f"pid {pid}", f"filter text {r['filter']}")
            check(all(x["pid"] == pid for x in r["runs"]["slowest"]), "pid filter")
            check(r["vmstat_check"] is None, "no vmstat check when filtered")
        r = report_json(["--comm", "no-such-task", SAMPLE])
        if r:
            check(r["runs"]["count"] == 0 and r["quality"]["filtered_out"] > 0, "comm filter")

    # the pictures: -f html (one page, nothing fetched) and -f perfetto (Trace Event Format)
    rc, out, err = run(["report", "-f", "html", SAMPLE])
    check(rc == 0 and out.startswith("<!DOCTYPE html>") and out.rstrip().endswith("</html>"),
          f"html to stdout: rc={rc} err={err!r}")
    check("default-src 'none'" in out and len(out.encode()) < 5 * 1024 * 1024, "html: CSP, size")
    rc, out, err = run(["report", "-f", "perfetto", SAMPLE])
    check(rc == 0, f"perfetto rc={rc} err={err!r}")
    if rc == 0 and base:
        ev = json.loads(out)["traceEvents"]
        runs = [e for e in ev if e["ph"] == "X" and e.get("cat") == "run"]
        check(len(runs) == base["runs"]["count"], f"perfetto runs {len(runs)} != {base['runs']['count']}")
    # the same capture twice: the second input's tasks get pids of their own, so slices cannot interleave
    rc, out, err = run(["report", "-f", "perfetto", SAMPLE, SAMPLE])
    if rc == 0 and base:
        ev = json.loads(out)["traceEvents"]
        runs = [e for e in ev if e["ph"] == "X" and e.get("cat") == "run"]
        check(len(runs) == 2 * base["runs"]["count"], "perfetto, two inputs: twice the runs")
        check(len({e["tid"] for e in runs}) == 2 * len({e["tid"] for e in runs[:len(runs) // 2]}),
              "perfetto, two overlapping inputs: the second's tasks on tracks of their own")
    else:
        check(False, f"perfetto, two inputs: rc={rc} err={err!r}")
    # a hostile task name: escaped in both
    hostile = b'e"v\\il</title><b>x'
    path = write("hostile.txt", sample.replace(b"              sh-29699", hostile + b"-29699")
                 .replace(b"     compactrace-29780", hostile + b"-29780"))  # runs and fallbacks
    rc, out, err = run(["report", "-f", "perfetto", path])
    if rc == 0:
        names = {e["args"]["name"] for e in json.loads(out)["traceEvents"] if e["ph"] == "M"}
        check(hostile.decode() in names, f"perfetto: the hostile name is not a thread name: {names}")
    else:
        check(False, f"perfetto, hostile name: rc={rc} err={err!r}")
    rc, out, err = run(["report", "-f", "html", path])
    check(rc == 0 and "<b>x" not in out and "e&quot;v\\il&lt;/title&gt;&lt;b&gt;x" in out,
          f"html, hostile name: rc={rc}, unescaped: {'<b>x' in out}")
    # a full disk: an error naming the file, and no partial file left
    for fmt in ("html", "perfetto"):
        if os.path.exists("/dev/full"):
            rc, out, err = run(["report", "-f", fmt, "-o", "/dev/full", SAMPLE])
            check(rc == 1 and "/dev/full" in err, f"{fmt} to /dev/full: rc={rc} err={err!r}")

    # a closed pipe: a clear error, not a crash
    p = subprocess.Popen([TOOL, "report", SAMPLE, SAMPLE, SAMPLE], stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE)
    p.stdout.read(10)
    p.stdout.close()
    err = p.stderr.read().decode()
    rc = p.wait()
    # 141 = 128 + SIGPIPE, quietly (report --help); 0 if it all fit in the pipe
    check(rc in (0, 141), f"closed pipe: rc={rc}")
    check(err == "", f"closed pipe message {err!r}")

print(f"test_cli: {len(failures)} failed", file=sys.stderr)
sys.exit(1 if failures else 0)
