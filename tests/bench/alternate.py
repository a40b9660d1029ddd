#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Two or more builds (or settings) of `compactrace report` run in turn on
one input, RUNS rounds, each round one run of every spec: on this
project's VM the machine's speed moves by tens of percent between minutes,
so only runs made side by side compare. Prints per spec the min, p25,
median and mean wall time (s) and the median CPU time (user + system, s),
every run's time, and in how many rounds each spec beat the first.

Usage: alternate.py FILE RUNS SPEC [SPEC...]
  SPEC: BINARY[:VAR=VALUE[,VAR=VALUE...]][:model]
  e.g.  alternate.py perf.data 12 old/compactrace:CT_THREADS=1 build/compactrace:CT_THREADS=2
  `report -f json -o /dev/null --no-model FILE`, or with the model for :model."""
import os
import resource
import statistics
import subprocess
import sys
import time


def parse(spec):
    parts = spec.split(":")
    env = dict(os.environ)
    for p in parts[1:]:
        if "=" in p:
            for kv in p.split(","):
                k, v = kv.split("=", 1)
                env[k] = v
    return parts[0], env, "model" in parts[1:]


def main():
    if len(sys.argv) < 4:
        sys.exit(__doc__)
    path, runs, specs = sys.argv[1], int(sys.argv[2]), sys.argv[3:]
    wall = {s: [] for s in specs}
    cpu = {s: [] for s in specs}
    for _ in range(runs):
        for s in specs:
            binary, env, model = parse(s)
            cmd = [binary, "report", "-f", "json", "-o", "/dev/null"] + ([] if model else ["--no-model"]) + [path]
            r0 = resource.getrusage(resource.RUSAGE_CHILDREN)
            t0 = time.perf_counter()
            r = subprocess.run(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
            t = time.perf_counter() - t0
            r1 = resource.getrusage(resource.RUSAGE_CHILDREN)
            if r.returncode:
                sys.exit(f"{s}: exit status {r.returncode}: {r.stderr.decode(errors='replace')[-300:]}")
            wall[s].append(t)
            cpu[s].append(r1.ru_utime + r1.ru_stime - r0.ru_utime - r0.ru_stime)
    for s in specs:
        v = sorted(wall[s])
        print(f"{s:45s} min {v[0]:.4f} p25 {v[len(v) // 4]:.4f} med {statistics.median(v):.4f} "
              f"mean {statistics.mean(v):.4f} cpu {statistics.median(cpu[s]):.3f}")
        print("   ", " ".join(f"{x:.3f}" for x in wall[s]))
    for s in specs[1:]:
        won = sum(1 for a, b in zip(wall[specs[0]], wall[s]) if b < a)
        print(f"{s} faster than {specs[0]} in {won} of {runs}")


if __name__ == "__main__":
    main()
