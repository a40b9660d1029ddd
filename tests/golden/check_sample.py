#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Golden, ground-truth and cross-format checks on one real sample trace.

Every check says its kind, as a failure's prefix and in its "ok" line:
[golden] saved output, which only detects change; [independent] totals
recomputed here with regular expressions; [kernel] /proc/vmstat deltas and
buddyinfo; [consistency] compactrace against itself on another rendering
of the same capture; [schema] the JSON schema, through python3-jsonschema;
[sanity] a real trace parses without errors. (tests/world/check_world.py
holds the independent reference, the kernel's figures and the hand
analysis.)

For samples/traces/NAME/ this:
  1. runs `compactrace report -f json` on the ftrace text with the snapshots,
     validates the output against reports/compactrace-report.schema.json
     with a real validator (python3-jsonschema);
  2. recomputes the totals independently from the ftrace text with regular
     expressions (no code shared with compactrace) and requires equality;
  3. requires that no vmstat_check counter is "unexplained";
  4. runs the same capture in trace-cmd report text and perf script text
     (and trace.dat / perf.data when given) and requires the same totals,
     runs and stalls;
  5. compares the JSON and text reports with the golden files kept beside
     the trace (--update rewrites them).
A `compactrace record` sample (trace.dat only, snapshots inside; with or
without --pages) is checked as check_record_sample() says.
Exit 0 pass, 1 fail, 77 skip.

With CT_WRAPPER set (e.g. by `meson test --setup valgrind`), every run of
compactrace goes through that command: CT_WRAPPER="valgrind -q
--error-exitcode=99 --leak-check=full" runs the tool under memcheck, and any
error it reports fails the check.
"""
import argparse
import json
import lzma
import os
import re
import shlex
import shutil
import subprocess
import sys
import tempfile

import jsonschema

failures = []
WRAPPER = shlex.split(os.environ.get("CT_WRAPPER", ""))


def fail(kind, msg):
    failures.append(f"[{kind}] {msg}")
    print(f"FAIL: [{kind}] {msg}", file=sys.stderr)


def ok(kind, msg):
    print(f"  [{kind}] {msg}: ok")


def materialize(sample_dir, name, tmp):
    """Path of NAME in the sample, decompressing NAME.xz into tmp if needed."""
    plain = os.path.join(sample_dir, name)
    if os.path.exists(plain):
        return plain
    packed = plain + ".xz"
    if not os.path.exists(packed):
        return None
    out = os.path.join(tmp, name)
    with lzma.open(packed) as src, open(out, "wb") as dst:
        dst.write(src.read())
    return out


def run_report(tool, args):
    env = dict(os.environ, LC_ALL="C")
    p = subprocess.run(WRAPPER + [tool, "report"] + args, capture_output=True, env=env)
    if p.returncode != 0:
        fail("run", f"compactrace report {' '.join(args)} exited {p.returncode}: "
             f"{p.stderr.decode(errors='replace').strip()}")
        return None
    return p.stdout.decode()


def json_report(tool, args, schema):
    """(text, parsed) of a JSON report validated against the schema; (None, None) on failure."""
    out = run_report(tool, args)
    if out is None:
        return None, None
    report = json.loads(out)
    try:
        jsonschema.validate(report, schema)
    except jsonschema.ValidationError as e:
        fail("schema", f"{e.message} at {list(e.absolute_path)}")
    else:
        ok("schema", f"compactrace report {' '.join(os.path.basename(a) for a in args)} is valid")
    return out, report


EVENT_RE = re.compile(r"\s(mm_compaction_\w+|mm_page_alloc_extfrag):\s(.*)$")


def check_totals(report, text):
    """[independent] the report's totals against sums over the text, by regex."""
    want = independent_totals(text)
    for k, v in want.items():
        if report["totals"][k] != v:
            fail("independent", f"totals.{k} = {report['totals'][k]}, independent sum = {v}")
    if all(report["totals"][k] == v for k, v in want.items()):
        ok("independent", f"{len(want)} totals equal the regex sums over {os.path.basename(text)}")


def independent_totals(ftrace_path):
    """The vmstat-named totals, summed straight from the kernel's own text."""
    t = dict.fromkeys(["compact_migrate_scanned", "compact_free_scanned", "compact_isolated",
                       "compact_stall", "compact_daemon_wake",
                       "compact_daemon_migrate_scanned", "compact_daemon_free_scanned"], 0)
    with open(ftrace_path, errors="replace") as f:
        for line in f:
            if line.startswith("#"):
                continue
            m = EVENT_RE.search(line)
            if not m:
                continue
            event, payload = m.groups()
            daemon = line.lstrip().startswith("kcompactd")
            if event in ("mm_compaction_isolate_migratepages", "mm_compaction_isolate_freepages",
                         "mm_compaction_fast_isolate_freepages"):
                scanned = int(re.search(r"nr_scanned=(\d+)", payload).group(1))
                taken = int(re.search(r"nr_taken=(\d+)", payload).group(1))
                t["compact_isolated"] += taken
                kind = "migrate" if event.endswith("migratepages") else "free"
                t[f"compact_{kind}_scanned"] += scanned
                if daemon:
                    t[f"compact_daemon_{kind}_scanned"] += scanned
            elif event == "mm_compaction_try_to_compact_pages":
                t["compact_stall"] += 1
            elif event == "mm_compaction_kcompactd_wake":
                t["compact_daemon_wake"] += 1
    return t


DIST_KEYS = ("duration_us", "duration_us_by_trigger", "duration_us_by_status",
             "latency_us", "latency_us_by_order")


def distributions(report):
    """Every latency distribution of a report, by path."""
    out = {}
    for part in ("runs", "stalls"):
        for key in DIST_KEYS:
            d = report[part].get(key)
            if d is None:
                continue
            if "p50" in d:
                out[f"{part}.{key}"] = d
            else:
                for sub, dist in d.items():
                    out[f"{part}.{key}.{sub}"] = dist
    return out


def comparable(report, exact):
    """The parts of a report that must not depend on the input format.

    With exact (two renderings of one ring buffer at the same precision),
    everything. Otherwise timings are compared apart (timings_close): perf
    stamps each event a few µs away from ftrace, and binary formats keep ns
    where text keeps µs; counts must still be equal.
    """
    out = json.loads(json.dumps({k: report[k] for k in ("totals", "runs", "stalls", "zones", "kcompactd")}))
    if exact:
        return out
    for node in out["kcompactd"]:
        node.pop("awake_us")
    for part in ("runs", "stalls"):
        out[part].pop("slowest")
        for key in DIST_KEYS:
            d = out[part].pop(key, None)
            if d and "p50" not in d:
                out[part][key + ".count"] = {k: v["count"] for k, v in d.items()}
            elif d:
                out[part][key + ".count"] = d["count"]
    return out


def timings_close(a, b, tol_us):
    """Latency values within tol_us; kcompactd awake time within a few µs per wake."""
    if tol_us is not None:
        da, db = distributions(a), distributions(b)
        for path, x in da.items():
            y = db.get(path)
            for k in ("p50", "p90", "p99", "max", "mean"):
                if y is None or abs(x[k] - y[k]) > tol_us:
                    return f"{path}.{k}: {x[k]} vs {y and y[k]} (more than {tol_us} µs apart)"
    for x, y in zip(a["kcompactd"], b["kcompactd"]):
        slack = 10 * max(x["wakes"], 1)
        if abs(x["awake_us"] - y["awake_us"]) > slack:
            return f"node {x['node']} awake_us {x['awake_us']} vs {y['awake_us']} (more than {slack} µs apart)"
    return None


def first_difference(a, b, path="$"):
    if type(a) is not type(b):
        return f"{path}: {a!r} != {b!r}"
    if isinstance(a, dict):
        for k in sorted(set(a) | set(b)):
            if k not in a or k not in b:
                return f"{path}.{k}: only in one report"
            d = first_difference(a[k], b[k], f"{path}.{k}")
            if d:
                return d
        return None
    if isinstance(a, list):
        if len(a) != len(b):
            return f"{path}: length {len(a)} != {len(b)}"
        for i, (x, y) in enumerate(zip(a, b)):
            d = first_difference(x, y, f"{path}[{i}]")
            if d:
                return d
        return None
    return None if a == b else f"{path}: {a!r} != {b!r}"


def golden(path, text, update, rel_to):
    """Compare text with a golden file; paths inside are made relative first."""
    text = text.replace(rel_to, "SAMPLE")
    if update:
        with open(path, "w") as f:
            f.write(text)
        return
    if not os.path.exists(path):
        fail("golden", f"golden file {path} is missing (run with --update once and review it)")
        return
    with open(path) as f:
        want = f.read()
    if want != text:
        import difflib
        diff = "".join(list(difflib.unified_diff(want.splitlines(True), text.splitlines(True),
                                                 path, "now"))[:40])
        fail("golden", f"{path} differs:\n{diff}")
        return
    ok("golden", f"{os.path.basename(path)} unchanged")


MODEL_ACCURACY = 0.99	# free blocks per order at the end, every zone compaction touched
MODEL_SKILL = 0.95	# of the change from start to end, every zone whose free blocks changed
MODEL_AGREEMENT = 0.95	# compaction_suitable() decisions the model predicts as traced


def check_model(report, what):
    """The exact model of a record --pages trace: its accuracy and agreement."""
    m = report.get("model") or {}
    if m.get("mode") != "exact":
        fail("kernel", f"{what}: model mode {m.get('mode')}, want exact")
    for z in m.get("zones", []):
        touched = z["runs"]["count"] or z["suitable"]["events"]
        su = z["suitable"]
        print(f"  [kernel] {what} model {z['zone']}: {z['mode']} from {z['seeding']}, accuracy {z['accuracy']}, "
              f"skill {z['skill']}, suitable agreed {su['agreed']} of {su['predicted']}")
        if z["mode"] != "exact" or z["seeding"] != "free-map":
            fail("kernel", f"{what}: zone {z['zone']} is {z['mode']} from {z['seeding']}")
        if touched and (z["accuracy"] is None or z["accuracy"] < MODEL_ACCURACY):
            fail("kernel", f"{what}: zone {z['zone']} accuracy {z['accuracy']} < {MODEL_ACCURACY}")
        if touched and z["skill"] is not None and z["skill"] < MODEL_SKILL:
            fail("kernel", f"{what}: zone {z['zone']} skill {z['skill']} < {MODEL_SKILL}")
        if su["predicted"] and su["agreed"] < MODEL_AGREEMENT * su["predicted"]:
            fail("kernel", f"{what}: zone {z['zone']} agrees on {su['agreed']} of {su['predicted']} decisions")


def model_outcome(report):
    """What the text and the binary rendering of one capture must share of the model."""
    return [{k: z[k] for k in ("zone", "mode", "seeding", "free_blocks", "accuracy", "suitable")}
            for z in (report.get("model") or {}).get("zones", [])]


PAGE_EVENTS = {"mm_page_alloc", "mm_page_alloc_zone_locked", "mm_page_free", "mm_page_free_batched",
               "mm_page_pcpu_drain"}


def check_estimated(report, what):
    """A `compactrace record` sample without --pages: the estimated model, seeded per pageblock."""
    for z in (report.get("model") or {}).get("zones", []):
        print(f"  [sanity] {what} model {z['zone']}: {z['mode']} from {z['seeding']}, accuracy {z['accuracy']}, "
              f"skill {z['skill']}, {z['verdict']}")
        if z["mode"] != "estimated" or z["seeding"] != "kpageflags":
            fail("sanity", f"{what}: zone {z['zone']} is {z['mode']} from {z['seeding']}, want estimated from kpageflags")


def check_record_sample(args, sample, schema, tmp):
    """A `compactrace record` sample: trace.dat carries its snapshots (with --pages, a free map).

    The report of the trace.dat is validated, its totals recomputed from
    `trace-cmd report` text, its vmstat check checked, and with page events
    its exact model against the thresholds above (without them, that it is
    the estimated model; tests/model/test_estimated_samples.py checks its
    score); the same text, reported with the snapshots `report
    --extract-snapshots` writes, must reconstruct the same runs and model;
    goldens last.
    """
    dat = materialize(sample, "trace.dat", tmp)
    out, report = json_report(args.tool, ["-f", "json", dat], schema)
    if report is None:
        return 1
    pages = any(e.split(":")[-1] in PAGE_EVENTS for src in report["sources"] for e in src["events_by_name"])
    check = check_model if pages else check_estimated
    for k, c in (report["vmstat_check"] or {}).items():
        if c["verdict"] not in ("equal", "explained"):
            fail("kernel", f"vmstat_check.{k} is {c['verdict']}: {c['reason']}")
    if report["vmstat_check"] is None:
        fail("kernel", "the recording carries no vmstat snapshots")
    if report["quality"]["parse_errors"] or report["quality"]["lost_events"]:
        fail("sanity", f"quality: {report['quality']}")
    check(report, "trace.dat")

    text = os.path.join(tmp, "trace.trace-cmd.txt")
    try:
        with open(text, "w") as f:
            tc = subprocess.run(["trace-cmd", "report", dat], stdout=f, stderr=subprocess.DEVNULL)
    except FileNotFoundError:
        tc = None
    if tc is None:
        print("SKIP: trace-cmd is not installed (tests/install-deps.sh installs it): the text "
              "rendering this sample is checked against cannot be made")
        return 77
    if tc.returncode != 0:
        fail("run", f"trace-cmd report {dat} exited {tc.returncode}")
    else:
        check_totals(report, text)
        snaps = os.path.join(tmp, "snapshots")
        if run_report(args.tool, ["--extract-snapshots", snaps, dat]) is not None:
            out2 = run_report(args.tool, ["-f", "json", "--snapshot-start", os.path.join(snaps, "snapshot-start"),
                                          "--snapshot-end", os.path.join(snaps, "snapshot-end"), text])
            if out2 is not None:
                r2 = json.loads(out2)
                check(r2, "trace-cmd text")
                d = (first_difference(comparable(report, False), comparable(r2, False))
                     or timings_close(report, r2, 1.0)
                     or first_difference(model_outcome(report), model_outcome(r2)))
                if d:
                    fail("consistency", f"trace-cmd text reconstructs differently from trace.dat: {d}")
                else:
                    ok("consistency", "trace-cmd-text: same runs and model as trace.dat (timings within 1 µs)")

    golden(os.path.join(sample, "expected.json"), out, args.update, os.path.dirname(dat))
    text_report = run_report(args.tool, [dat])
    if text_report is not None:
        golden(os.path.join(sample, "expected.txt"), text_report, args.update, os.path.dirname(dat))
    return 1 if failures else 0


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--tool", required=True)
    ap.add_argument("--schema", required=True)
    ap.add_argument("--sample", required=True)
    ap.add_argument("--update", action="store_true")
    args = ap.parse_args()
    if WRAPPER and not shutil.which(WRAPPER[0]):
        print(f"SKIP: CT_WRAPPER wants {WRAPPER[0]}, which is not installed")
        return 77

    sample = os.path.abspath(args.sample)
    with open(args.schema) as f:
        schema = json.load(f)
    with tempfile.TemporaryDirectory() as tmp:
        ftrace = materialize(sample, "trace.ftrace.txt", tmp)
        if not ftrace and (materialize(sample, "trace.dat", tmp)):
            return check_record_sample(args, sample, schema, tmp)
        if not ftrace:
            print(f"no trace.ftrace.txt in {sample}", file=sys.stderr)
            return 1
        snaps = ["--snapshot-start", os.path.join(sample, "snapshot-start"),
                 "--snapshot-end", os.path.join(sample, "snapshot-end")]
        if not os.path.isdir(os.path.join(sample, "snapshot-start")):
            snaps = []

        out, report = json_report(args.tool, ["-f", "json"] + snaps + [ftrace], schema)
        if report is None:
            return 1

        # ground truth 1: totals equal independent sums over the events
        check_totals(report, ftrace)
        # ground truth 2: vmstat agrees as far as the kernel's accounting allows
        if snaps:
            for k, c in report["vmstat_check"].items():
                print(f"  [kernel] vmstat {k}: trace {c['trace']} delta {c['vmstat_delta']} "
                      f"{c['verdict']} {c['reason'] or ''}")
                if c["verdict"] not in ("equal", "explained"):
                    fail("kernel", f"vmstat_check.{k} is {c['verdict']}: {c['reason']}")
        if report["quality"]["parse_errors"]:
            fail("sanity", f"{report['quality']['parse_errors']} parse errors in a real trace")

        # cross-format: the same capture gives the same reconstruction.
        # trace-cmd text renders the ftrace ring buffer itself: identical.
        # trace.dat is that buffer at ns precision: timings within 1 µs.
        # perf recorded the same events into its own buffers with its own
        # timestamps: identical counts; its binary matches its text to 1 µs.
        reports = {"ftrace-text": report}
        for name, fmt, ref, exact, tol in (
                ("trace.trace-cmd.txt", "trace-cmd-text", "ftrace-text", True, None),
                ("trace.dat", "trace-dat", "ftrace-text", False, 1.0),
                ("trace.perf-script.txt", "perf-script", "ftrace-text", False, None),
                ("trace.perf.data", "perf-data", "perf-script", False, 1.0)):
            other = materialize(sample, name, tmp)
            if not other or ref not in reports:
                continue
            out2 = run_report(args.tool, ["-f", "json", other])
            if out2 is None:
                continue
            r2 = json.loads(out2)
            reports[fmt] = r2
            if r2["sources"][0]["format"] != fmt:
                fail("consistency", f"{name} detected as {r2['sources'][0]['format']}, want {fmt}")
                continue
            base = reports[ref]
            d = (first_difference(comparable(base, exact), comparable(r2, exact))
                 or timings_close(base, r2, tol))
            if d:
                fail("consistency", f"{name} ({fmt}) reconstructs differently from {ref}: {d}")
            else:
                ok("consistency", f"{fmt}: same as {ref}" + (" (exactly)" if exact else
                   f" (counts exactly, timings within {tol} µs)" if tol else " (counts exactly)"))

        # golden files: the whole JSON and text report
        golden(os.path.join(sample, "expected.json"), out, args.update, os.path.dirname(ftrace))
        text = run_report(args.tool, snaps + [ftrace])
        if text is not None:
            golden(os.path.join(sample, "expected.txt"), text, args.update, os.path.dirname(ftrace))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
