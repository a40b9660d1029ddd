#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""`compactrace top --batch`: the last refresh of a replay shows the same
numbers as `compactrace report -f json` of the same file, for every sample
and format, also when paced; bad input gives a clear message and never a
screen. No clock decides a check (tests/bench/bench_top.py measures the
pacing). Exit 0 pass, 1 fail, 77 skip."""
import os
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import toplib  # noqa: E402

TOOL, SAMPLES = sys.argv[1], sys.argv[2]
failures = []


def check(cond, msg):
    if not cond:
        failures.append(msg)
        print("FAIL: " + msg, file=sys.stderr)


def top(args, cols=160, stdin=subprocess.DEVNULL):
    env = dict(toplib.ENV, COLUMNS=str(cols))
    p = subprocess.run([TOOL, "top"] + args, capture_output=True, env=env, stdin=stdin, timeout=120)
    check(p.returncode >= 0, f"top {args}: killed by signal {-p.returncode}")
    return p.returncode, p.stdout.decode(errors="replace"), p.stderr.decode(errors="replace")


def refreshes(out):
    """Split batch output into refreshes (each starts with the title bar)."""
    parts, cur = [], []
    for line in out.splitlines():
        if line.startswith(" compactrace top |") and cur:
            parts.append(cur)
            cur = []
        cur.append(line)
    if cur:
        parts.append(cur)
    return parts


with tempfile.TemporaryDirectory() as tmp:
    files = []
    for name in ("manual", "direct", "kcompactd", "extfrag"):
        fmts = ["ftrace.txt", "dat"] if name != "manual" else \
            ["ftrace.txt", "dat", "perf.data", "perf-script.txt", "trace-cmd.txt"]
        for fmt in fmts:
            path = toplib.sample_file(SAMPLES, name, fmt, tmp)
            if path:
                files.append((name, fmt, path))
    # every sample of the project is there: a missing one is a failure, not a skip
    missing = sorted({n for n in ("manual", "direct", "kcompactd", "extfrag")} -
                     {f[0] for f in files if f[1] == "ftrace.txt"})
    check(not missing, f"samples missing under {SAMPLES}: {missing}")

    for name, fmt, path in files:
        where = f"{name}/{fmt}"
        r = toplib.report_json(TOOL, path)
        rc, out, err = top(["-i", path, "--speed", "0", "--batch", "5"])
        check(rc == 0, f"{where}: exit {rc}: {err.strip()}")
        check("\x1b" not in out, f"{where}: escape sequences in batch output")
        parts = refreshes(out)
        check(1 <= len(parts) <= 5, f"{where}: {len(parts)} refreshes")
        if not parts:
            continue
        last = parts[-1]
        check("END OF INPUT" in last[0], f"{where}: the last refresh is not the end of the input")
        check(all(len(l) <= 160 for l in out.splitlines()), f"{where}: a line longer than 160")
        toplib.compare(toplib.parse_screen(last), r, where, check)

    # the same at 80 columns: abbreviated columns, the same totals where shown
    path = toplib.sample_file(SAMPLES, "direct", "ftrace.txt", tmp)
    if path:
        r = toplib.report_json(TOOL, path)
        rc, out, err = top(["-i", path, "--speed", "0", "-b", "1"], cols=80)
        check(rc == 0 and all(len(l) <= 80 for l in out.splitlines()), f"80 columns: rc {rc} or a long line")
        s = toplib.parse_screen(refreshes(out)[-1])
        check(s.get("stalls_started") == r["totals"]["compact_stall"], "80 columns: stalls started")
        check(s.get("events") == r["events"], "80 columns: events")

        # paced replays (speed 1 and 2, refreshes every 100 ms): whatever the
        # machine's speed, the last refresh waits for the end of the file and
        # equals the report; how long a paced replay takes is measured by
        # tests/bench/bench_top.py, not checked here
        for speed in ("1", "2"):
            rc, out, err = top(["-i", path, "--speed", speed, "--interval", "100", "--batch", "1000"])
            parts = refreshes(out)
            check(rc == 0 and parts and "END OF INPUT" in parts[-1][0], f"speed {speed}: exit {rc}: {err}")
            if parts:
                toplib.compare(toplib.parse_screen(parts[-1]), r, f"speed {speed}", check)
        # fewer refreshes than the replay needs: the last one still waits for the end
        rc, out, err = top(["-i", path, "--speed", "4", "--interval", "50", "--batch", "2"])
        parts = refreshes(out)
        check(rc == 0 and 1 <= len(parts) <= 2 and "END OF INPUT" in parts[-1][0],
              f"batch 2: {len(parts)} refreshes")
        # stdin, batch only
        with open(path, "rb") as f:
            rc, out, err = top(["-i", "-", "--speed", "0", "-b", "1"], stdin=f)
        check(rc == 0 and toplib.parse_screen(refreshes(out)[-1]).get("events") == r["events"], "stdin replay")

    # bad input: clear messages, exit 1 (or 2 for usage), nothing on stdout
    rc, out, err = top(["-i", os.path.join(tmp, "nope.txt"), "-b", "1"])
    check(rc == 1 and "nope.txt" in err and out == "", f"missing file: rc={rc} err={err!r}")
    garbage = os.path.join(tmp, "garbage.bin")
    with open(garbage, "wb") as f:
        f.write(os.urandom(65536))
    rc, out, err = top(["-i", garbage, "-b", "1"])
    check(rc == 1 and "garbage.bin" in err and out == "", f"garbage: rc={rc} err={err!r}")
    prose = os.path.join(tmp, "prose.txt")
    with open(prose, "w") as f:
        f.write("    tail-1 [000] .... 1.0: hello\n" + "no trace here at all\n" * 50)
    rc, out, err = top(["-i", prose, "-b", "1", "--speed", "0"])
    check(rc == 1 and "prose.txt" in err, f"unparsable text: rc={rc} err={err!r}")
    rc, out, err = top(["-i", garbage])   # no --batch, stdout is a pipe
    check(rc == 1 and "not a terminal" in err and "--batch" in err and out == "",
          f"not a terminal: rc={rc} err={err!r} out={out[:80]!r}")
    for bad in (["--speed", "-1", "-i", prose], ["--interval", "0"], ["--batch", "x"],
                ["--speed", "2"], ["extra"]):
        rc, out, err = top(bad)
        check(rc == 2 and "usage" in err, f"{bad}: rc={rc} err={err!r}")
    rc, out, err = top(["--help"])
    check(rc == 0 and "usage: compactrace top" in out, "--help")

if failures:
    print(f"{len(failures)} failures", file=sys.stderr)
    sys.exit(1)
print("top batch: all checks passed")
