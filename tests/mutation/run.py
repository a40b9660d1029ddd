#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Mutation runner: does the test suite fail when the program is wrong?

usage: tests/mutation/run.py [--commit REV] [--workdir DIR] [--all-suites]
                             [--jobs N] [MUTATION ...]

Each tests/mutation/NAME.patch is one deliberate bug: a header ("Mutation:"
what it breaks, "Suites:" the meson suites to run, or "Tests:" single
meson tests) and a unified diff. For the commit REV (default HEAD) this
clones the repository (git clone --shared) into a scratch directory, builds
it once (meson, normal build), runs the union of the suites on the clean
copy (the baseline: what fails there is not counted), then for each
mutation: applies the patch (patch -p1 -F3), rebuilds, runs its suites
(--all-suites: every suite), records which tests failed, and puts the copy
back (git checkout, git clean). It prints the table

    mutation -> tests that failed

and flags a mutation no test caught ("NOT CAUGHT"; with the tests that
skipped, e.g. a live test that could not get the live lock), one caught
only by golden tests (saved output: a change detector, not a check), one
whose patch no longer applies and one that does not build. Exit 0 when every
mutation is caught by a test other than a golden one, 1 otherwise.

A tool for the lead, not part of CI. The live suites (record, top) need
root and take /tmp/compactrace-live.lock themselves; run this without an
outer flock. The scratch directory (default: a new one under /var/tmp) is
removed at the end unless --workdir was given.
"""
import argparse
import glob
import json
import os
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ENV = dict(os.environ, LC_ALL="C")


def sh(cmd, **kw):
    return subprocess.run(cmd, capture_output=True, text=True, env=ENV, **kw)


def read_mutation(path):
    what, suites, tests = "", [], []
    with open(path) as f:
        for line in f:
            if line.startswith("---"):
                break
            if line.startswith("Mutation:"):
                what = line.split(":", 1)[1].strip()
            elif line.startswith("Suites:"):
                suites = line.split(":", 1)[1].split()
            elif line.startswith("Tests:"):
                tests = line.split(":", 1)[1].split()
    return {"name": os.path.basename(path)[:-len(".patch")], "path": path, "what": what,
            "suites": suites, "tests": tests}


def run_tests(build, suites, tests, jobs):
    """{test name: result} of one meson test run"""
    log = os.path.join(build, "meson-logs", "testlog.json")
    if os.path.exists(log):
        os.unlink(log)
    args = ["meson", "test", "-C", build, "--num-processes", str(jobs), "--print-errorlogs"]
    for s in suites:
        args += ["--suite", s]
    sh(args + tests)
    results = {}
    if os.path.exists(log):
        for line in open(log):
            r = json.loads(line)
            results[r["name"].split(" / ")[-1]] = r["result"]	# "compactrace:world / kernel-direct"
    return results


def failed(results):
    """the tests that failed (a timeout is no verdict: a live test may have waited for the lock)"""
    return sorted(n for n, r in results.items() if r not in ("OK", "SKIP", "EXPECTEDFAIL", "TIMEOUT"))


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--commit", default="HEAD")
    ap.add_argument("--workdir")
    ap.add_argument("--all-suites", action="store_true")
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("mutations", nargs="*")
    args = ap.parse_args()

    repo = sh(["git", "-C", HERE, "rev-parse", "--show-toplevel"]).stdout.strip()
    rev = sh(["git", "-C", repo, "rev-parse", args.commit]).stdout.strip()
    files = sorted(glob.glob(os.path.join(HERE, "*.patch")))
    muts = [read_mutation(p) for p in files
            if not args.mutations or os.path.basename(p)[:-6] in args.mutations]
    if not muts:
        print("no mutations", file=sys.stderr)
        return 2
    work = args.workdir or tempfile.mkdtemp(prefix="ct-mutation-", dir="/var/tmp")
    src, build = os.path.join(work, "src"), os.path.join(work, "build")
    try:
        if not os.path.isdir(src):
            r = sh(["git", "clone", "-q", "--shared", repo, src])
            if r.returncode:
                print(r.stderr, file=sys.stderr)
                return 2
        sh(["git", "-C", src, "checkout", "-q", "--force", rev])
        sh(["git", "-C", src, "clean", "-fdq"])
        print(f"commit {rev[:12]}, scratch copy {src}", flush=True)
        if not os.path.exists(os.path.join(build, "build.ninja")):
            r = sh(["meson", "setup", build, src])
            if r.returncode:
                print(r.stdout[-2000:], r.stderr[-2000:], file=sys.stderr)
                return 2
        r = sh(["ninja", "-C", build])
        if r.returncode:
            print("the clean copy does not build:\n" + r.stdout[-3000:], file=sys.stderr)
            return 2
        suites = sorted({s for m in muts for s in m["suites"]})
        tests = sorted({t for m in muts for t in m["tests"]})
        base = {}
        if not args.all_suites:
            if suites:
                base.update(run_tests(build, suites, [], args.jobs))
            if tests:
                base.update(run_tests(build, [], tests, args.jobs))
        else:
            base = run_tests(build, [], [], args.jobs)
        base_failed = set(failed(base))
        print(f"baseline: {len(base)} tests, failing on the clean copy: "
              f"{', '.join(sorted(base_failed)) or 'none'}", flush=True)

        rows, all_caught = [], True
        for m in muts:
            with open(m["path"]) as f:
                r = sh(["patch", "-p1", "-F3", "--no-backup-if-mismatch", "-d", src], input=f.read())
            if r.returncode:
                verdict, got = "PATCH DOES NOT APPLY", []
            elif sh(["ninja", "-C", build]).returncode:
                verdict, got = "DOES NOT BUILD", []
            else:
                res = {}
                if args.all_suites:
                    res = run_tests(build, [], [], args.jobs)
                else:
                    if m["suites"]:
                        res.update(run_tests(build, m["suites"], [], args.jobs))
                    if m["tests"]:
                        res.update(run_tests(build, [], m["tests"], args.jobs))
                got = [t for t in failed(res) if t not in base_failed]
                real = [t for t in got if not t.startswith("golden-")]
                skipped = sorted(t for t, r in res.items() if r in ("SKIP", "TIMEOUT"))
                verdict = "caught" if real else "caught by goldens only" if got else "NOT CAUGHT"
                if not real and skipped:
                    verdict += f" ({len(skipped)} tests skipped or timed out: {', '.join(skipped)})"
            all_caught &= verdict == "caught"
            rows.append((m, verdict, got))
            print(f"{m['name']}: {verdict}: {', '.join(got) or '-'}", flush=True)
            sh(["git", "-C", src, "checkout", "-q", "--", "."])
            sh(["git", "-C", src, "clean", "-fdq"])
        sh(["ninja", "-C", build])	# the clean copy again, for a next run with --workdir

        print("\n| mutation | what it breaks | verdict | tests that failed |")
        print("| --- | --- | --- | --- |")
        for m, verdict, got in rows:
            shown = ", ".join(t + (" (golden)" if t.startswith("golden-") else "") for t in got) or "-"
            print(f"| {m['name']} | {m['what']} | {verdict} | {shown} |")
        return 0 if all_caught else 1
    finally:
        if not args.workdir:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
