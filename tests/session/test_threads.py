#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Decoding on a thread of its own changes no byte of any report (issue 18).

`report` decodes on a second thread (src/session/reader.c) unless
CT_THREADS=1; a text input is cut into chunks of lines that both threads
decode (the samples' texts are four to 160 chunks of 64 KB), and the
caller takes them in order. For every real sample (samples/traces/*) in every format it
has, through the file and through stdin, in text and JSON, with and
without the model, and for damaged inputs (a file cut in the middle of an
event, a line that does not parse, garbage after good events), the run
with CT_THREADS=1 (everything on one thread: the reference) and the
run with CT_THREADS=2 (two threads, which text and trace.dat use by default
when a CPU is spare) must give the same stdout, stderr and exit status. A second
comparison, of the same kind, holds the inputs to a reader that must cross
many batch boundaries (the samples are several batches long; a damaged
file ends in the middle of one). Golden outputs are the other half:
tests/golden runs the default (threaded) path against expected.*.

This is a change-detection check (two runs of the same program must
agree), not a correctness one. Usage: test_threads.py COMPACTRACE SAMPLES_DIR.
Exit 0 pass, 1 fail, 77 skip.
"""
import lzma
import os
import shutil
import subprocess
import sys
import tempfile

TOOL, SAMPLES = sys.argv[1], sys.argv[2]
failures = []
FORMATS = ["trace.dat", "trace.perf.data", "trace.ftrace.txt", "trace.trace-cmd.txt",
           "trace.perf-script.txt"]


def run(args, threads, stdin=None):
    env = dict(os.environ, LC_ALL="C")
    env["CT_THREADS"] = str(threads)	# 2: forced, also where one thread is the default
    with open(stdin, "rb") if stdin else open(os.devnull, "rb") as f:
        p = subprocess.run([TOOL] + args, stdin=f, capture_output=True, env=env, timeout=600)
    return p.returncode, p.stdout, p.stderr


def same(label, args, stdin=None):
    a = run(args, 1, stdin)
    b = run(args, 2, stdin)
    if a != b:
        what = [n for n, x, y in zip(("exit status", "stdout", "stderr"), a, b) if x != y]
        failures.append(label)
        print("FAIL: %s: one thread and two differ in %s" % (label, ", ".join(what)),
              file=sys.stderr)
        if a[0] != b[0] or a[2] != b[2]:
            print("  serial: %d %r\n  threaded: %d %r" % (a[0], a[2][-300:], b[0], b[2][-300:]),
                  file=sys.stderr)
    return a


def plain(tmp, path):
    """the sample file, decompressed into @tmp when it is .xz"""
    if os.path.exists(path):
        return path
    if not os.path.exists(path + ".xz"):
        return None
    out = os.path.join(tmp, os.path.basename(os.path.dirname(path)) + "." + os.path.basename(path))
    with lzma.open(path + ".xz") as f, open(out, "wb") as g:
        shutil.copyfileobj(f, g)
    return out


def main():
    if not os.path.isdir(SAMPLES):
        print("SKIP: no samples in " + SAMPLES)
        return 77
    checked = 0
    with tempfile.TemporaryDirectory() as tmp:
        for sample in sorted(os.listdir(SAMPLES)):
            d = os.path.join(SAMPLES, sample)
            snaps = ["--snapshot-start", os.path.join(d, "snapshot-start"),
                     "--snapshot-end", os.path.join(d, "snapshot-end")]
            for name in FORMATS:
                path = plain(tmp, os.path.join(d, name))
                if not path:
                    continue
                label = "%s/%s" % (sample, name)
                # the snapshots only for text: binary files may carry their own
                s = snaps if name.endswith(".txt") else []
                same(label + " json", ["report", "-f", "json"] + s + [path])
                same(label + " text --no-model", ["report", "--no-model"] + s + [path])
                same(label + " ndjson", ["report", "-f", "ndjson"] + s + [path])
                same(label + " stdin json", ["report", "-f", "json"] + s + ["-"], stdin=path)
                checked += 4
                with open(path, "rb") as f:
                    data = f.read()
                # cut in the middle of an event (the reader ends inside a batch)
                cut = os.path.join(tmp, "cut-" + os.path.basename(path))
                with open(cut, "wb") as f:
                    f.write(data[:len(data) * 2 // 3 + 7])
                same(label + " cut json", ["report", "-f", "json", cut])
                # good events, then bytes no parser understands
                junk = os.path.join(tmp, "junk-" + os.path.basename(path))
                with open(junk, "wb") as f:
                    f.write(data[:len(data) // 2] + bytes(range(256)) * 64 + data[len(data) // 2:])
                same(label + " garbage json", ["report", "-f", "json", junk])
                checked += 2
                for p in (cut, junk):
                    os.unlink(p)
                if path.startswith(tmp):
                    os.unlink(path)
        # several inputs in one report, and a filter
        manual = os.path.join(SAMPLES, "manual")
        if os.path.isdir(manual):
            files = [os.path.join(manual, n) for n in ("trace.dat", "trace.ftrace.txt", "trace.perf.data")]
            same("manual x3 json", ["report", "-f", "json"] + files)
            same("manual --comm json", ["report", "-f", "json", "--comm", "bash",
                                        os.path.join(manual, "trace.dat")])
            checked += 2
    if checked == 0:
        print("SKIP: no sample traces found in " + SAMPLES)
        return 77
    if failures:
        print("%d of %d comparisons differ" % (len(failures), checked))
        return 1
    print("ok: %d comparisons, one thread and two agree byte for byte" % checked)
    return 0


if __name__ == "__main__":
    sys.exit(main())
