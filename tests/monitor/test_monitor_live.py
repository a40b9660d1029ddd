#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Live test of `compactrace monitor` against a real Prometheus (needs root,
tracefs, prometheus and promtool; exit 77 otherwise).

Usage: test_monitor_live.py COMPACTRACE WORKLOADS_DIR ASSETS_DIR

One monitor (--by-cgroup) on 127.0.0.1 runs the whole time, scraped every
second by a Prometheus the test starts on 127.0.0.1, while `compactrace
record` records the same window. The host is made to compact for real:
memory fragmented (ct-fragment), then direct compaction (ct-direct) and
fallbacks (ct-extfrag) inside a memory cgroup the test creates, then a
manual compaction. Checks, and where each expected value comes from:

  - PromQL deltas over a quiet-bounded window == the /proc/vmstat deltas of
    the same window (the kernel's counters) for compact_stall,
    compact_isolated and compact_free_scanned;
  - the same deltas == `compactrace report` on the simultaneous recording
    (an independent path: trace.dat file, the file parser, a new session);
  - the cgroup label names the test's cgroup, and its stall count equals
    the stalls the recording attributes to the workload's pids (report
    --by cgroup: the map record keeps);
  - `promtool check metrics` finds nothing on a scrape; `promtool check
    rules` passes; every PromQL expression of the shipped rules and
    dashboard returns data (those of fallbacks, and of fragmenting ones,
    when `trace-cmd report` of the recording shows one: whether the
    workload's allocations fall back, and whether a fallback fragments,
    depends on what is free at that moment);
  - a second monitor on the same port fails with a clear error; SIGTERM
    leaves no instance and no events; an instance left by SIGKILL is gone
    after the next start.

The host is restored (processes stopped, cgroup removed, sysctls as found,
no instance) on every exit path. Exit: 0 pass, 1 fail, 77 skip.
"""
import fcntl
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from livelib import (TRACING, check, failures, free_port, read, save_host, restore_host, skip,  # noqa: E402
                     start, stop, wait_for, write)

MEMCG = "/sys/fs/cgroup/memory"
COUNTERS = ("compact_stall", "compact_isolated", "compact_free_scanned", "compact_migrate_scanned")













def vmstat():
    out = {}
    for line in read("/proc/vmstat").splitlines():
        k, v = line.split()
        if k.startswith("compact_"):
            out[k] = int(v)
    return out




def http_get(url, headers=None, timeout=10):
    req = urllib.request.Request(url, headers=headers or {})
    with urllib.request.urlopen(req, timeout=timeout) as r:
        return r.read().decode(), r.headers.get("Content-Type", "")


def wait_check(pred, what, tries=300, step=0.1):
    for _ in range(tries):
        if pred():
            return True
        time.sleep(step)
    return check(False, f"waited for {what}")


def quiet(seconds=2.0, limit=120):
    """Wait until the compact_* counters have not moved for @seconds (runs in progress end)."""
    last, since, t0 = vmstat(), time.monotonic(), time.monotonic()
    while time.monotonic() - since < seconds:
        if time.monotonic() - t0 > limit:
            return last
        time.sleep(0.25)
        now = vmstat()
        if now != last:
            last, since = now, time.monotonic()
    return last


class Prom:
    def __init__(self, url):
        self.url = url

    def query(self, expr, at=None):
        q = {"query": expr}
        if at is not None:
            q["time"] = f"{at:.3f}"
        body, _ = http_get(f"{self.url}/api/v1/query?" + urllib.parse.urlencode(q))
        d = json.loads(body)
        if d.get("status") != "success":
            raise RuntimeError(f"{expr}: {d}")
        return d["data"]["result"]

    def scalar(self, expr, at):
        r = self.query(expr, at)
        return float(r[0]["value"][1]) if r else None






def window_mark(prom, label):
    """A point where compaction is quiet, the monitor has fed everything and Prometheus has scraped it."""
    for _ in range(5):
        v0 = quiet()
        time.sleep(2.5)		# the monitor reads every 200 ms; Prometheus scrapes every 1 s
        t = time.time()
        time.sleep(1.2)		# that scrape is in
        if vmstat() == v0:
            return v0, t
    check(False, f"{label}: compaction never went quiet")
    return vmstat(), time.time()


def fragmenting_fallbacks(dat):
    """Fallbacks in @dat that fragment, by the kernel's rule (fallback_order <
    pageblock_order), counted from `trace-cmd report`'s text: the oracle, not
    compactrace (trace-cmd's own fragmenting= field is wrong, DESIGN.md).
    Returns (fallbacks, fragmenting), or None when trace-cmd cannot read it."""
    r = subprocess.run(["trace-cmd", "report", dat], capture_output=True, text=True, timeout=300)
    if r.returncode != 0:
        return None
    total = frag = 0
    for line in r.stdout.splitlines():
        if "mm_page_alloc_extfrag:" not in line:
            continue
        m = re.search(r"fallback_order=(\d+) pageblock_order=(\d+)", line)
        if m:
            total += 1
            frag += int(m.group(1)) < int(m.group(2))
    return total, frag


def trace_lines(dat, what):
    """How many lines of `trace-cmd report @dat` hold @what (0 when it cannot read it)."""
    r = subprocess.run(["trace-cmd", "report", dat], capture_output=True, text=True, timeout=300)
    return sum(what in line for line in r.stdout.splitlines()) if r.returncode == 0 else 0


def exprs_of_rules(path):
    out = []
    for line in read(path).splitlines():
        m = re.match(r"\s*expr:\s*(.*)$", line)
        if m:
            out.append(m.group(1).strip())
    return out


def exprs_of_dashboard(path):
    d = json.loads(read(path))
    return [t["expr"] for p in d["panels"] for t in p.get("targets", [])]


def runnable(expr):
    """An alert's condition without its threshold: the quantity it watches must return data."""
    expr = expr.replace("$__rate_interval", "1m").replace('instance=~"$instance"', 'instance=~".*"')
    return re.sub(r"\s*(>|<|==|!=|>=|<=)\s*[0-9.e+-]+\s*$", "", expr)


def rmdir_ok(path):
    try:
        os.rmdir(path)
        return True
    except OSError:
        return False


def main():
    if len(sys.argv) != 4:
        print(__doc__)
        return 2
    tool, wl, assets = (os.path.abspath(a) for a in sys.argv[1:])
    if os.geteuid() != 0:
        skip("needs root (tracefs, cgroups, sysctls)")
    if not os.path.isdir(f"{TRACING}/instances"):
        skip(f"no tracefs at {TRACING}")
    for prog in ("prometheus", "promtool"):
        if not shutil.which(prog):
            skip(f"no {prog} (Debian package prometheus; tests/install-deps.sh installs it)")
    if not os.path.isdir(MEMCG):
        skip(f"no cgroup v1 memory hierarchy at {MEMCG}")
    for prog in ("ct-fragment", "ct-direct", "ct-extfrag"):
        if not os.access(f"{wl}/{prog}", os.X_OK):
            skip(f"workload {wl}/{prog} not built")

    lock = open("/tmp/compactrace-live.lock", "w")
    fcntl.flock(lock, fcntl.LOCK_EX)
    saved = save_host()
    tmp = tempfile.mkdtemp(prefix="ct-monitor-")
    cg_name = f"ct-monitor-test-{os.getpid()}"
    cg = f"{MEMCG}/{cg_name}"
    try:
        run(tool, wl, assets, tmp, cg, cg_name)
    finally:
        if os.path.isdir(cg):
            for pid in read(f"{cg}/cgroup.procs").split():
                try:
                    os.kill(int(pid), signal.SIGKILL)
                except ProcessLookupError:
                    pass
            wait_for(lambda: not os.path.exists(cg) or rmdir_ok(cg), tries=50)
        restore_host(saved, wl)
        check(not os.path.exists(cg), f"test cgroup {cg} removed")
        shutil.rmtree(tmp, ignore_errors=True)
        lock.close()
    print(f"{len(failures)} failed")
    return 1 if failures else 0


def run(tool, wl, assets, tmp, cg, cg_name):
    port = free_port()
    mon_err = open(f"{tmp}/monitor.err", "w+")
    mon = start([tool, "monitor", "--listen", f"127.0.0.1:{port}", "--by-cgroup", "--interval", "200"],
                stderr=mon_err)
    base = f"http://127.0.0.1:{port}"
    wait_check(lambda: "serving" in read(f"{tmp}/monitor.err") or mon.poll() is not None, "the monitor to serve")
    if not check(mon.poll() is None, "monitor runs: " + read(f"{tmp}/monitor.err").strip()):
        return
    inst = re.search(r"instance (compactrace-\d+)", read(f"{tmp}/monitor.err")).group(1)
    check(os.path.isdir(f"{TRACING}/instances/{inst}"), f"instance {inst} exists while monitoring")

    # a second monitor on the same port: refused, clearly, without touching tracing
    r = subprocess.run([tool, "monitor", "--listen", f"127.0.0.1:{port}", "--duration", "1"],
                       capture_output=True, text=True, timeout=30)
    check(r.returncode != 0 and "already in use" in r.stderr,
          f"second monitor on the same port refused: rc {r.returncode}, {r.stderr.strip()!r}")

    # promtool: the exposition is clean, the rules are valid
    text, ctype = http_get(f"{base}/metrics")
    check(ctype.startswith("text/plain; version=0.0.4"), f"text format by default ({ctype})")
    pc = subprocess.run(["promtool", "check", "metrics"], input=text, capture_output=True, text=True)
    check(pc.returncode == 0 and not pc.stdout.strip() and not pc.stderr.strip(),
          f"promtool check metrics clean: rc {pc.returncode} {pc.stdout.strip()} {pc.stderr.strip()}")
    om, ctype = http_get(f"{base}/metrics", {"Accept": "application/openmetrics-text;version=1.0.0"})
    check(ctype.startswith("application/openmetrics-text") and om.endswith("# EOF\n"),
          f"OpenMetrics when asked ({ctype})")
    rules = f"{assets}/compactrace-rules.yml"
    pr = subprocess.run(["promtool", "check", "rules", rules], capture_output=True, text=True)
    check(pr.returncode == 0, f"promtool check rules: {pr.stdout.strip()} {pr.stderr.strip()}")

    # Prometheus on loopback, scraping every second
    pport = free_port()
    shutil.copy(rules, f"{tmp}/compactrace-rules.yml")
    write(f"{tmp}/prometheus.yml",
          "global:\n  scrape_interval: 1s\n  evaluation_interval: 1s\n"
          "rule_files:\n  - compactrace-rules.yml\n"
          "scrape_configs:\n  - job_name: compactrace\n    static_configs:\n"
          f"      - targets: ['127.0.0.1:{port}']\n")
    pc = subprocess.run(["promtool", "check", "config", f"{tmp}/prometheus.yml"], capture_output=True, text=True)
    check(pc.returncode == 0, f"promtool check config: {pc.stdout.strip()} {pc.stderr.strip()}")
    prom_log = open(f"{tmp}/prometheus.log", "w")
    prom_p = start(["prometheus", f"--config.file={tmp}/prometheus.yml", f"--storage.tsdb.path={tmp}/data",
                    f"--web.listen-address=127.0.0.1:{pport}"], stdout=prom_log, stderr=subprocess.STDOUT)
    prom = Prom(f"http://127.0.0.1:{pport}")

    def ready():
        try:
            return http_get(f"{prom.url}/-/ready", timeout=2)[0] != ""
        except OSError:
            return prom_p.poll() is not None
    wait_check(ready, "Prometheus to be ready", tries=600)
    if not check(prom_p.poll() is None, "prometheus runs"):
        return
    wait_check(lambda: prom.query('up{job="compactrace"} == 1'), "the first scrape", tries=300)

    # fragment memory (outside the test cgroup)
    frag = start([f"{wl}/ct-fragment", "-H", "3072", "-k", "256", "-m", "2048", "-P", "0",
                  "-r", f"{tmp}/frag.ready"], stderr=open(f"{tmp}/fragment.err", "w"))
    wait_check(lambda: os.path.exists(f"{tmp}/frag.ready") or frag.poll() is not None, "fragmentation",
             tries=3000)
    if not check(frag.poll() is None, f"ct-fragment holds fragmented memory (exit status {frag.poll()}): "
                 + read(f"{tmp}/fragment.err")[-300:]):
        return

    # the window opens when compaction is quiet; a recording of the same window starts
    # in the quiet, for `report` (and its cgroup map)
    v_a, t_a = window_mark(prom, "window start")
    rec_path = f"{tmp}/window.dat"
    rec = start([tool, "record", "-o", rec_path], stderr=open(f"{tmp}/record.err", "w"))

    def rec_tracing():
        return read(f"{TRACING}/instances/compactrace-{rec.pid}/tracing_on").strip() == "1" \
            if os.path.exists(f"{TRACING}/instances/compactrace-{rec.pid}") else rec.poll() is not None
    wait_check(rec_tracing, "record to start tracing", tries=600)
    check(vmstat() == v_a, "no compaction between the window's start and the recording's")

    # the workload inside the test cgroup: direct compaction, then fallbacks
    os.mkdir(cg)
    enter = f"echo $$ > {cg}/cgroup.procs && exec \"$@\""
    # ct-direct holds its hugetlb pages and THP while ct-extfrag runs: the fallbacks then
    # find no free pageblock and fragment (fallback order < pageblock order)
    direct = start(["sh", "-c", enter, "sh", f"{wl}/ct-direct", "-x", "50", "-T", "256", "-k", "128",
                    "-d", "always", "-e", "madvise", "-t", "8", "-r", f"{tmp}/direct.ready"],
                   stderr=open(f"{tmp}/direct.err", "w"))
    wait_check(lambda: os.path.exists(f"{tmp}/direct.ready") or direct.poll() is not None, "ct-direct", tries=3000)
    xf = subprocess.run(["sh", "-c", enter, "sh", f"{wl}/ct-extfrag", "-t", "3", "-d", tmp],
                        capture_output=True, text=True, timeout=120)
    check(xf.returncode == 0, f"ct-extfrag in the cgroup ran (rc {xf.returncode}) {xf.stderr.strip()[-200:]}")
    direct.wait(300)
    print(read(f"{tmp}/direct.err").strip()[-600:])
    check(direct.returncode == 0, f"ct-direct in the cgroup ran (rc {direct.returncode})")
    write("/proc/sys/vm/compact_memory", "1")	# manual compaction, outside the cgroup
    v_b, t_b = window_mark(prom, "window end")
    stop(rec, signal.SIGINT, timeout=300)
    check(vmstat() == v_b, "no compaction between the window's end and the recording's")
    check(rec.returncode == 0, f"record ended cleanly: {read(f'{tmp}/record.err')[-300:]}")

    dv = {k: v_b[k] - v_a[k] for k in COUNTERS}
    print(f"vmstat deltas over the window: {dv}")
    check(dv["compact_stall"] > 0, "the workload made direct compaction stall")

    def delta(expr):
        a, b = prom.scalar(expr, t_a), prom.scalar(expr, t_b)
        return None if b is None else round(b - (a or 0))
    got = {
        "compact_stall": delta("sum(compactrace_direct_stalls_total)"),
        "compact_isolated": delta("sum(compactrace_isolated_pages_total)"),
        "compact_free_scanned": delta("sum(compactrace_free_scanned_pages_total)"),
    }
    print(f"PromQL deltas over the window: {got}")
    # the recording of the same window: its trace sums and the project's vmstat check on them
    rep = subprocess.run([tool, "report", "--format", "json", "--by", "cgroup", rec_path],
                         capture_output=True, text=True, timeout=300)
    j = json.loads(rep.stdout) if rep.returncode == 0 else None
    check(j is not None, f"report on the recording: {rep.stderr.strip()[-300:]}")
    vc = (j or {}).get("vmstat_check") or {}
    for k, v in got.items():
        verdict = vc.get(k, {}).get("verdict")
        if verdict == "equal" or verdict is None:
            # the kernel's counter and the trace agree: so must Prometheus
            check(v == dv[k], f"PromQL {k} delta {v} == /proc/vmstat delta {dv[k]} (vmstat check: {verdict})")
        else:
            # the kernel counted something no tracepoint reported (the vmstat check says which):
            # Prometheus must then show exactly what the trace holds
            print(f"NOTE: {k}: vmstat check on the recording says {verdict}: {vc[k].get('reason')}")
            check(v == vc[k]["trace"] and v <= dv[k],
                  f"PromQL {k} delta {v} == the recording's trace sum {vc[k]['trace']} <= vmstat {dv[k]}")
    mig = delta("sum(compactrace_migrate_scanned_pages_total)")
    untraced = delta('sum(compactrace_untraced_pages_total{counter="compact_migrate_scanned"})')
    check(mig is not None and mig <= dv["compact_migrate_scanned"],
          f"migrate scanned traced {mig} <= vmstat {dv['compact_migrate_scanned']} (fast_find_migrateblock is untraced)")
    # fast_find_migrateblock's scanning: what vmstat counted and no event reported, over the same window
    check(untraced is not None and mig is not None and untraced == dv["compact_migrate_scanned"] - mig,
          f"untraced migrate-scanned pages {untraced} == vmstat {dv['compact_migrate_scanned']} - traced {mig}")
    manual = delta('sum(compactrace_runs_total{trigger="manual"})')
    check(manual is not None and manual > 0, f"the manual compaction's runs counted ({manual})")

    # the recording, through `report`: the same numbers by an independent path
    if j is not None:
        check(j["totals"]["compact_stall"] == got["compact_stall"],
              f"report's stalls {j['totals']['compact_stall']} == PromQL {got['compact_stall']}")
        check(j["totals"]["compact_isolated"] == got["compact_isolated"],
              f"report's isolated {j['totals']['compact_isolated']} == PromQL {got['compact_isolated']}")
        check(j["totals"]["compact_free_scanned"] == got["compact_free_scanned"],
              f"report's free scanned {j['totals']['compact_free_scanned']} == PromQL {got['compact_free_scanned']}")
        check(j["runs"]["by_trigger"]["manual"] == manual,
              f"report's manual runs {j['runs']['by_trigger']['manual']} == PromQL {manual}")
        by_cg = {e["cgroup"]: e for e in j["stalls"].get("by_cgroup", [])}
        ours = f"/{cg_name}"
        prom_cg = delta(f'sum(compactrace_direct_stalls_total{{cgroup="{ours}"}})')
        check(ours in by_cg and by_cg[ours]["count"] == prom_cg,
              f"cgroup {ours}: report by_cgroup {by_cg.get(ours, {}).get('count')} == PromQL {prom_cg}")

    cg_series = prom.query(f'compactrace_direct_stalls_total{{cgroup="/{cg_name}"}}', t_b)
    check(len(cg_series) > 0, f"stalls labelled with the test's cgroup /{cg_name}")
    fb_series = prom.query(f'compactrace_extfrag_fallbacks_total{{cgroup="/{cg_name}"}}', t_b)
    print(f"fallback series of the test cgroup: {len(fb_series)}")

    frag_counts = fragmenting_fallbacks(rec_path)
    check(frag_counts is not None, f"trace-cmd report reads the recording {rec_path}")
    # every expression of the shipped rules and dashboard returns data
    for expr in exprs_of_rules(rules) + exprs_of_dashboard(f"{assets}/grafana-dashboard.json"):
        q = runnable(expr)
        try:
            res = prom.query(q, t_b)
        except (RuntimeError, OSError) as e:
            res, q = [], f"{q} ({e})"
        if "extfrag_fallbacks_total" in q:
            # whether the workload's unmovable allocations fall back at all, and whether a
            # fallback fragments, depends on what is free at that moment: without one in the
            # recorded window (trace-cmd's count) the panel may rightly be empty
            fragmenting_only = 'fragmenting="true"' in q
            seen = (frag_counts or (0, 0))[1 if fragmenting_only else 0]
            if not seen:
                print(f"not checked (no {'fragmenting ' if fragmenting_only else ''}fallback in the "
                      f"recorded window: (fallbacks, fragmenting) = {frag_counts}): {q}")
                continue
        if "deferrals_total" in q:
            # the kernel defers compaction only after failures at an order, so the series may
            # appear late in the window or not at all; rate() needs two samples of a series in
            # its range: with fewer the panel is rightly empty
            rng = (re.search(r"\[(\w+)\]", q) or [None, "1m"])[1]
            n = prom.scalar(f"max(count_over_time(compactrace_deferrals_total[{rng}]))", t_b) or 0
            deferred = trace_lines(rec_path, "mm_compaction_deferred:")
            if deferred:
                check(prom.query("compactrace_deferrals_total", t_b),
                      f"the recording holds {deferred} deferrals: so does the monitor's series")
            if n < 2:
                print(f"not checked (deferral series sampled {int(n)} times in [{rng}], "
                      f"{deferred} deferrals recorded): {q}")
                continue
        check(len(res) > 0, f"PromQL returns data: {q}")

    # SIGTERM: clean stop
    rc = stop(mon, signal.SIGTERM)
    err = read(f"{tmp}/monitor.err")
    check(rc == 0 and "instance removed" in err, f"SIGTERM: exit {rc}, {err.strip().splitlines()[-1]!r}")
    check(not os.path.exists(f"{TRACING}/instances/{inst}"), f"{inst} removed after SIGTERM")

    # SIGKILL: the next start removes what was left
    k = start([tool, "monitor", "--listen", f"127.0.0.1:{port}"], stderr=subprocess.PIPE, text=True)
    kinst = None
    for _ in range(300):
        kinst = [i for i in os.listdir(f"{TRACING}/instances") if i == f"compactrace-{k.pid}"]
        if kinst:
            break
        time.sleep(0.1)
    time.sleep(0.5)
    k.kill()
    k.wait()
    check(os.path.isdir(f"{TRACING}/instances/compactrace-{k.pid}"), "SIGKILL leaves the instance behind")
    r = subprocess.run([tool, "monitor", "--listen", f"127.0.0.1:{port}", "--duration", "0.5"],
                       capture_output=True, text=True, timeout=60)
    check(r.returncode == 0 and f"compactrace-{k.pid}" in r.stderr,
          f"the next monitor removes compactrace-{k.pid}: {r.stderr.strip()!r}")
    check(not os.path.exists(f"{TRACING}/instances/compactrace-{k.pid}"), "no instance left after SIGKILL + restart")


if __name__ == "__main__":
    sys.exit(main())
