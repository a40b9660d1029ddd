#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Allocation failure at every allocation site of `compactrace report`.

Usage: test_failmalloc.py --tool COMPACTRACE --shim libfailmalloc.so --samples DIR
                          [--full | --stride K] [--case NAME ...] [--jobs J]

For each case (one input format and output, on samples/traces/manual):
  1. a clean run under the shim counts the allocations (T) and the caller of
     each one (the allocation site, MODULE+OFFSET); a second clean run must
     give the same T (the sweep is deterministic);
  2. for N in the chosen set, CT_FAIL_MALLOC_AT=N makes the N-th allocation
     return NULL, and the run must either
       - exit 1 with "out of memory" on stderr, no sanitizer report, or
       - exit 0 with the same output as the clean run (a failure the tool
         or a library absorbed completely, e.g. stdio falling back to an
         unbuffered stream);
     never a signal, never another exit status, never a silently different
     report. One exception is counted apart and printed, not failed
     (--strict fails it too): a crash, double free or leak inside
     libtraceevent after one of libtraceevent's own allocations failed
     (its parser's error paths; README.md). The shim logs the modules of a
     crashing stack, so a crash in compactrace, or in libtraceevent after an
     allocation of ours failed, is still a failure.
The default set is every N at which a site allocates for the first or the
last time (so every allocation site fails at least once) plus every 97th N
(every 499th in the ASan build);
--full tries every N from 1 to T; --stride K every K-th plus the sites.

In the ASan build (detected from the binary), LeakSanitizer runs on every
failing run: a leak on an error path is a failure. Prints per case: T, N
tried, sites covered (by module), outcomes. Exit 0 pass, 1 fail, 77 skip.
"""
import argparse
import concurrent.futures
import lzma
import os
import re
import subprocess
import sys
import tempfile

failures = []
SAN_MARKERS = ("ERROR: AddressSanitizer", "ERROR: LeakSanitizer", "runtime error:",
               "SUMMARY: AddressSanitizer", "SUMMARY: UndefinedBehaviorSanitizer")
SAN_EXIT = 86   # sanitizers exit with this; the tool never does


def fail(msg):
    failures.append(msg)
    print("FAIL: " + msg, file=sys.stderr)


def is_asan(tool):
    with open(tool, "rb") as f:
        return b"__asan_init" in f.read()


def base_env(args):
    # one thread: the sweep needs the same allocation order on every run (with the
    # decode thread the two threads' allocations interleave as they are scheduled)
    env = dict(os.environ, LC_ALL="C", LD_PRELOAD=args.shim, CT_THREADS="1")
    for k in ("CT_FAIL_MALLOC_AT", "CT_FAIL_MALLOC_LOG", "CT_FAIL_MALLOC_SITES",
              "CT_FAIL_MALLOC_PERSIST"):
        env.pop(k, None)
    if args.asan:
        supp = os.path.join(args.source_root, "tests", "fault", "lsan.supp")
        # handle_segv=0: the shim's handler names the crashing module
        env["ASAN_OPTIONS"] = (f"verify_asan_link_order=0:detect_leaks=1:exitcode={SAN_EXIT}:"
                               "allocator_may_return_null=1:handle_segv=0")
        env["LSAN_OPTIONS"] = f"suppressions={supp}:exitcode={SAN_EXIT}"
        env["UBSAN_OPTIONS"] = f"halt_on_error=1:print_stacktrace=1:exitcode={SAN_EXIT}"
    return env


def run(args, cmd, env, tmp, tag, at=None, sites=False):
    log = os.path.join(tmp, f"log.{tag}")
    if os.path.exists(log):
        os.unlink(log)
    env = dict(env, CT_FAIL_MALLOC_LOG=log)
    if at is not None:
        env["CT_FAIL_MALLOC_AT"] = str(at)
    if sites:
        env["CT_FAIL_MALLOC_SITES"] = "1"
    p = subprocess.run([args.tool] + cmd, capture_output=True, env=env, timeout=300)
    try:
        with open(log) as f:
            lines = f.read().splitlines()
    except FileNotFoundError:
        lines = []
    return p, lines


_symbols = {}


def where(args, site):
    """MODULE+OFF with the function and line of the tool's own sites (addr2line)."""
    if not site or not site.startswith(os.path.basename(args.tool) + "+"):
        return site
    if site not in _symbols:
        try:
            p = subprocess.run(["addr2line", "-f", "-s", "-e", args.tool, site.split("+")[1]],
                               capture_output=True, text=True, timeout=30)
            fn, line = (p.stdout.splitlines() + ["?", "?"])[:2]
            _symbols[site] = f"{site} {fn} {line}"
        except (OSError, subprocess.SubprocessError):
            _symbols[site] = site
    return _symbols[site]


LIBRARY = "libtraceevent.so"


RUNTIME = ("libfailmalloc", "libc.so", "libasan.so")   # the shim, libc (signals, strcmp, free), ASan
ASAN_FRAME = re.compile(r"^\s+#\d+ 0x[0-9a-f]+ in (\S+) (.*)$")


def library_defect(lines, err, site):
    """True when libtraceevent itself crashed, double-freed or leaked after one of
    its own allocations failed (site): its error paths, not ours.

    A crash: the shim's log names the modules of the crashing stack, innermost
    first; the first that is not the runtime must be libtraceevent. An ASan
    report (double free, SEGV under ASan): the same on its first stack. A
    LeakSanitizer report: every leaked block must have been allocated inside
    tep_parse_event() (an object we own and forgot, say the tep handle, is
    allocated elsewhere and still fails the test)."""
    if not site or not site.startswith(LIBRARY):
        return False
    for line in lines:
        if line.startswith("crash "):
            mods = line.split()[5:]
            inner = [m for m in mods if not m.startswith(RUNTIME)]
            return bool(inner) and inner[0].startswith(LIBRARY)
    if "ERROR: LeakSanitizer" in err:
        stacks = err.split("leak of ")[1:]
        return bool(stacks) and all("tep_parse_event" in s.split("\n\n")[0] for s in stacks)
    if "ERROR: AddressSanitizer" in err:
        for line in err.split("ERROR: AddressSanitizer", 1)[1].splitlines():
            m = ASAN_FRAME.match(line)
            if m and not any(r in m.group(2) for r in RUNTIME) and "asan_" not in m.group(2):
                return LIBRARY in m.group(2)
    return False


def summary_of(lines):
    """(total, failed, site) from the shim's last line."""
    for line in reversed(lines):
        if line.startswith("total "):
            w = line.split()
            return int(w[1]), int(w[3]), w[5]
    return None, None, None


def cases(samples, tmp):
    man = os.path.join(samples, "manual")

    def path(name):
        plain = os.path.join(man, name)
        if os.path.exists(plain):
            return plain
        out = os.path.join(tmp, name)
        with lzma.open(plain + ".xz") as src, open(out, "wb") as dst:
            dst.write(src.read())
        return out

    snaps = ["--snapshot-start", os.path.join(man, "snapshot-start"),
             "--snapshot-end", os.path.join(man, "snapshot-end")]
    return {
        # text formats with the snapshot directories (model seeded, vmstat check)
        "ftrace-json-snap": ["report", "-f", "json"] + snaps + [path("trace.ftrace.txt")],
        "ftrace-text-snap-map": ["report", "--map"] + snaps + [path("trace.ftrace.txt")],
        "trace-cmd-json": ["report", "-f", "json", path("trace.trace-cmd.txt")],
        "perf-script-ndjson": ["report", "-f", "ndjson", path("trace.perf-script.txt")],
        # binary: trace.dat carries its snapshots as attachments
        "trace-dat-json": ["report", "-f", "json", path("trace.dat")],
        "trace-dat-text": ["report", path("trace.dat")],
        "perf-data-json": ["report", "-f", "json", path("trace.perf.data")],
    }


def sweep_set(total, site_of, args):
    if args.full:
        return list(range(1, total + 1))
    chosen = set(range(1, total + 1, args.stride))
    first, last = {}, {}
    for n in range(1, total + 1):
        s = site_of.get(n)
        first.setdefault(s, n)
        last[s] = n
    chosen |= set(first.values()) | set(last.values())
    chosen.add(total)
    return sorted(chosen)


def check_case(args, name, cmd, tmp):
    env = base_env(args)
    clean, lines = run(args, cmd, env, tmp, name + ".clean", sites=True)
    if clean.returncode != 0:
        fail(f"{name}: clean run exited {clean.returncode}: {clean.stderr.decode(errors='replace')[:500]}")
        return None
    total, _, _ = summary_of(lines)
    site_of = {}
    for line in lines:
        if line.startswith("call "):
            _, n, site = line.split()
            site_of[int(n)] = site
    again, lines2 = run(args, cmd, env, tmp, name + ".clean2")
    total2, _, _ = summary_of(lines2)
    if total is None or total2 != total or again.stdout != clean.stdout:
        fail(f"{name}: not deterministic: {total} then {total2} allocations")
        return None
    todo = sweep_set(total, site_of, args)
    outcomes = {"oom-error": 0, "absorbed": 0, "library-crash": 0}
    library_n = []
    sites = set()
    bad = []

    def one(n):
        p, log = run(args, cmd, env, tmp, f"{name}.{n}", at=n)
        _, failed, site = summary_of(log)
        return n, p, failed, site, log

    with concurrent.futures.ThreadPoolExecutor(args.jobs) as ex:
        for n, p, failed, site, log in ex.map(one, todo):
            err = p.stderr.decode(errors="replace")
            sites.add(site_of.get(n, site))
            why = None
            if ((p.returncode < 0 or p.returncode == SAN_EXIT) and not args.strict
                    and library_defect(log, err, site_of.get(n, site))):
                outcomes["library-crash"] += 1
                library_n.append(n)
            elif p.returncode < 0:
                why = f"killed by signal {-p.returncode}"
            elif any(m in err for m in SAN_MARKERS) or p.returncode == SAN_EXIT:
                why = "sanitizer report"
            elif failed != 1:
                why = f"the shim failed {failed} allocations, want 1 (run did not get that far?)"
            elif p.returncode == 1:
                if "out of memory" not in err:
                    why = "exit 1 without 'out of memory'"
                else:
                    outcomes["oom-error"] += 1
            elif p.returncode == 0:
                if p.stdout != clean.stdout:
                    why = "exit 0 with a report different from the clean run"
                else:
                    outcomes["absorbed"] += 1
            else:
                why = f"exit {p.returncode}"
            if why:
                bad.append(n)
                if len(bad) <= args.show:
                    fail(f"{name}: N={n} (site {where(args, site_of.get(n, site))}): {why}\n    stderr: "
                         + err.strip().replace("\n", "\n    ")[:3000])
    if len(bad) > args.show:
        fail(f"{name}: {len(bad) - args.show} more failing N: {bad[args.show:args.show + 50]}")
    modules = {}
    for s in sites:
        mod = s.split("+")[0] if s else "?"
        modules[mod] = modules.get(mod, 0) + 1
    all_sites = set(site_of.values())
    print(f"{name}: {total} allocations, {len(todo)} N tried, sites {len(sites & all_sites)}/{len(all_sites)} "
          f"({', '.join(f'{m} {c}' for m, c in sorted(modules.items()))}); "
          f"{outcomes['oom-error']} clean 'out of memory' exits, {outcomes['absorbed']} absorbed, "
          f"{outcomes['library-crash']} libtraceevent defects (known, not ours), {len(bad)} bad")
    if library_n:
        print(f"  libtraceevent failed on its own at N = {library_n[:20]}"
              f"{' ...' if len(library_n) > 20 else ''}")
    return total, len(todo), len(sites & all_sites), len(all_sites), outcomes, len(bad)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--tool", required=True)
    ap.add_argument("--shim", required=True)
    ap.add_argument("--samples", required=True)
    ap.add_argument("--full", action="store_true", help="every N from 1 to T")
    ap.add_argument("--stride", type=int, default=None,
                    help="also every K-th N (default 97; 499 in an ASan build, where a run is slower)")
    ap.add_argument("--case", action="append")
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 2)
    ap.add_argument("--show", type=int, default=10, help="failing N shown in full per case")
    ap.add_argument("--strict", action="store_true",
                    help="libtraceevent's own crashes/leaks after its allocation failed fail too")
    args = ap.parse_args()
    args.tool = os.path.abspath(args.tool)
    args.shim = os.path.abspath(args.shim)
    args.source_root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    if not os.path.exists(args.shim):
        print(f"FAIL: no shim {args.shim} (meson builds it with this test)")
        return 1
    args.asan = is_asan(args.tool)
    if args.stride is None:
        args.stride = 499 if args.asan else 97
    grand = [0, 0, 0, 0, 0, 0, 0]
    with tempfile.TemporaryDirectory(prefix="ct-failmalloc-") as tmp:
        all_cases = cases(args.samples, tmp)
        for name in args.case or list(all_cases):
            r = check_case(args, name, all_cases[name], tmp)
            if r:
                total, tried, covered, nsites, outcomes, nbad = r
                for i, v in enumerate((total, tried, covered, nsites,
                                       outcomes["oom-error"] + outcomes["absorbed"], nbad,
                                       outcomes["library-crash"])):
                    grand[i] += v
    print(f"failmalloc{' (ASan)' if args.asan else ''}: {grand[0]} allocations in all cases, "
          f"{grand[1]} faults injected, {grand[4]} survived cleanly, {grand[6]} libtraceevent "
          f"defects (its own allocation failed; not counted as ours), {grand[5]} bad; "
          f"allocation sites covered {grand[2]} of {grand[3]} (per case, summed)")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
