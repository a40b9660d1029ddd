# SPDX-License-Identifier: GPL-2.0-or-later
"""Shared by the `compactrace top` tests: find (and decompress) sample
traces, run `report -f json`, and read the numbers back off a rendered
screen or batch refresh, so that each test can compare them."""
import json
import lzma
import os
import re
import subprocess
import time

MT = {"Unmovable": 0, "Movable": 1, "Reclaimable": 2}
TRIGGERS = ("direct", "kcompactd", "proactive", "manual", "unknown")	# top's runs table columns
ENV = dict(os.environ, LC_ALL="C")


def sample_file(samples, name, fmt, tmp):
    """samples/traces/NAME/trace.FMT, decompressed into tmp when it is .xz."""
    base = os.path.join(samples, name, "trace." + fmt)
    if os.path.exists(base):
        return base
    if os.path.exists(base + ".xz"):
        out = os.path.join(tmp, name + "." + fmt)
        with lzma.open(base + ".xz") as src, open(out, "wb") as dst:
            dst.write(src.read())
        return out
    return None


def report_json(tool, path):
    p = subprocess.run([tool, "report", "-f", "json", path], capture_output=True, env=ENV)
    if p.returncode != 0:
        raise RuntimeError(f"report {path}: {p.stderr.decode()}")
    return json.loads(p.stdout)


def num(tok):
    """'1,234' -> 1234; None for '-' or an abbreviated '1.2M'."""
    tok = tok.strip()
    if re.fullmatch(r"[\d,]+", tok):
        return int(tok.replace(",", ""))
    return None


def dur_us(tok):
    """'485us' / '2.00ms' / '12.3ms' / '2.50s' -> (value in us, half its display unit)."""
    m = re.fullmatch(r"([\d.]+)(us|ms|s)", tok.strip())
    if not m:
        return None
    v, unit = m.group(1), m.group(2)
    decimals = len(v.split(".")[1]) if "." in v else 0
    scale = {"us": 1, "ms": 1000, "s": 1000000}[unit]
    return float(v) * scale, 0.5 * scale / (10 ** decimals) + 1e-6


def close_us(tok, want):
    d = dur_us(tok)
    return d is not None and abs(d[0] - want) <= d[1]


def find(lines, pred, start=0):
    for i in range(start, len(lines)):
        if pred(lines[i]):
            return i
    return -1


def parse_screen(lines):
    """Numbers of the overview, keyed like the JSON report; missing parts are absent."""
    s = {}
    i = find(lines, lambda l: re.search(r"events [\d,]+", l) is not None)
    if i >= 0:
        s["events"] = num(re.search(r"events ([\d,]+)", lines[i]).group(1))
        m = re.search(r"lost ([\d,]+)", lines[i])
        s["lost"] = num(m.group(1)) if m else None
        m = re.search(r"unparsable ([\d,]+)", lines[i])
        s["unparsable"] = num(m.group(1)) if m else None
        for key, label in (("unmatched_begin", "begin w/o end"), ("unmatched_end", "end w/o begin"),
                           ("out_of_order", "out-of-order"), ("unknown_events", "other events")):
            m = re.search(label + r" ([\d,]+)", lines[i])
            s[key] = num(m.group(1)) if m else 0
    # zones: rows under "nd zone" until the next title
    i = find(lines, lambda l: l.startswith("nd zone"))
    s["zones"] = {}
    if i >= 0:
        for l in lines[i + 1:]:
            m = re.match(r"\s*(-?\d+) (\S+)\s+([\d,]+)\s", l)
            if not m:
                break
            before = l.split("[")[0].split()
            s["zones"][(int(m.group(1)), m.group(2))] = {
                "runs": num(m.group(3)), "tail": [num(t) for t in before[-5:]]}
    # the runs table: header, "per s", "total"
    i = find(lines, lambda l: l.startswith("runs ") and "direct" in l)
    if i >= 0 and i + 2 < len(lines):
        names = [t for t in lines[i].split()[1:] if t != "|"]
        vals = [t for t in lines[i + 2].split()[1:] if t != "|"]
        s["runs"] = {n: num(v) for n, v in zip(names, vals)}
    i = find(lines, lambda l: l.startswith("pages ") and "migrate_scanned" in l)
    if i >= 0 and i + 2 < len(lines):
        names = lines[i].split()[1:]
        vals = lines[i + 2].split()[1:]
        s["pages"] = {n: num(v) for n, v in zip(names, vals)}
    i = find(lines, lambda l: l.startswith(" started"))
    if i >= 0:
        t = lines[i].split()
        s["stalls_started"] = num(t[2])
    i = find(lines, lambda l: re.search(r"(since start|since reset)\s+[\d,]+\s", l) is not None)
    if i >= 0:
        m = re.search(r"(since start|since reset)\s+([\d,]+)\s+(\S+)\s+(\S+)\s+(\S+)", lines[i])
        s["latency"] = {"count": num(m.group(2)), "p50": m.group(3), "p99": m.group(4), "max": m.group(5)}
    i = find(lines, lambda l: l.startswith("node state"))
    s["nodes"] = {}
    if i >= 0:
        for l in lines[i + 1:]:
            m = re.match(r"\s+(\d+) (awake|asleep)\s+(\S+)\s+(\S+)\s+([\d,]+)\s+\S+(?:\s+([\d,]+))?", l)
            if not m:
                break
            s["nodes"][int(m.group(1))] = {"state": m.group(2), "duty": m.group(3),
                                            "wakes": num(m.group(5)),
                                            "runs": num(m.group(6)) if m.group(6) else None}
    i = find(lines, lambda l: "fallbacks" in l and " of " in l and "fragmenting" in l)
    if i >= 0:
        m = re.search(r"([\d,]+) of ([\d,]+) fallbacks", lines[i])
        s["fragmenting"], s["extfrag"] = num(m.group(1)), num(m.group(2))
        s["pairs"] = {}
        for l in lines[i + 1:]:
            # a name is a word, or "type N" for a migratetype without one
            m = re.search(r"(type \d+|\w+)\s+<- (type \d+|\w+)\s+([\d,]+)", l)
            if not m:
                break
            def mt(name):
                return MT[name] if name in MT else int(name.split()[-1])
            s["pairs"][(mt(m.group(1)), mt(m.group(2)))] = num(m.group(3))
    i = find(lines, lambda l: "SLOWEST RECENT STALLS" in l)
    s["slowest"] = []
    if i >= 0 and i + 1 < len(lines):
        hdr = lines[i + 1]
        has_time = hdr.startswith("time")
        for l in lines[i + 2:]:
            t = l.split()
            if len(t) < 5 or not dur_us(t[1 if has_time else 0]):
                break
            if has_time:
                s["slowest"].append({"ts": t[0], "lat": t[1], "order": int(t[2]), "pid": int(t[4])})
            else:
                s["slowest"].append({"lat": t[0], "order": int(t[1]), "pid": int(t[3])})
    return s


def compare(screen, r, where, check, slowest=10):
    """Check every number on the overview against the JSON report @r."""
    check(screen.get("events") == r["events"], f"{where}: events {screen.get('events')} != {r['events']}")
    check(screen.get("lost") == r["quality"]["lost_events"], f"{where}: lost {screen.get('lost')}")
    check(screen.get("unparsable") == r["quality"]["parse_errors"], f"{where}: unparsable {screen.get('unparsable')}")
    for key in ("unmatched_begin", "unmatched_end", "out_of_order", "unknown_events"):
        check(screen.get(key) == r["quality"][key], f"{where}: {key} {screen.get(key)} != {r['quality'][key]}")
    zones = {(z["node"], z["zone"]): z for z in r["zones"]}
    check(set(screen["zones"]) == set(zones), f"{where}: zones {sorted(screen['zones'])} != {sorted(zones)}")
    for key, z in zones.items():
        got = screen["zones"].get(key)
        if not got:
            continue
        check(got["runs"] == z["runs"], f"{where}: zone {key} runs {got['runs']} != {z['runs']}")
        want = [z["migrate_scanned"], z["free_scanned"]]
        if None not in got["tail"][-5:] and len(got["tail"]) == 5:
            want += [z["isolated"], z["migrated"], sum(z["deferrals"]["deferred"].values())]
            check(got["tail"] == want, f"{where}: zone {key} {got['tail']} != {want}")
        else:
            check(got["tail"][-2:] == want or got["tail"][:2] == want, f"{where}: zone {key} {got['tail']} vs {want}")
    runs = screen.get("runs", {})
    check(bool(runs), f"{where}: no runs table")
    shown_status = []
    by_trigger = r["runs"]["by_trigger"]	# a count map: absent keys count 0
    for name, v in runs.items():
        if name in TRIGGERS:
            check(v == by_trigger.get(name, 0), f"{where}: runs {name} {v} != {by_trigger.get(name, 0)}")
        elif name == "other":
            want = sum(c for st, c in r["runs"]["by_status"].items() if st not in shown_status)
            check(v == want, f"{where}: runs other {v} != {want}")
        else:
            shown_status.append(name)
            want = r["runs"]["by_status"].get(name, 0)
            check(v == want, f"{where}: runs {name} {v} != {want}")
    check(sum(runs.get(t, 0) or 0 for t in TRIGGERS) == r["runs"]["count"],
          f"{where}: the triggers do not add up to {r['runs']['count']} runs")
    pages = screen.get("pages")
    if pages is not None:
        t = r["totals"]
        want = {"migrate_scanned": t["compact_migrate_scanned"], "free_scanned": t["compact_free_scanned"],
                "isolated": t["compact_isolated"], "migrated": r["runs"]["migrated"],
                "failed": r["runs"]["migrate_failed"], "daemon_wake": t["compact_daemon_wake"]}
        for k, v in pages.items():
            check(v == want[k], f"{where}: pages {k} {v} != {want[k]}")
    check(screen.get("stalls_started") == r["totals"]["compact_stall"],
          f"{where}: stalls started {screen.get('stalls_started')} != {r['totals']['compact_stall']}")
    lat, want = screen.get("latency"), r["stalls"]["latency_us"]
    check(lat is not None and lat["count"] == want["count"], f"{where}: stall count {lat} vs {want['count']}")
    if lat and want["count"]:
        for k in ("p50", "p99", "max"):
            check(close_us(lat[k], want[k]), f"{where}: stall latency {k} {lat[k]} != {want[k]} us")
    span_us = max(1, (r["sources"][0]["last_ts_ns"] - r["sources"][0]["first_ts_ns"]) / 1000)
    for k in r["kcompactd"]:
        got = screen["nodes"].get(k["node"])
        check(got is not None, f"{where}: kcompactd node {k['node']} missing")
        if not got:
            continue
        check(got["wakes"] == k["wakes"], f"{where}: node {k['node']} wakes {got['wakes']} != {k['wakes']}")
        if got["runs"] is not None:
            check(got["runs"] == k["runs"], f"{where}: node {k['node']} runs {got['runs']} != {k['runs']}")
        check(got["state"] == "asleep", f"{where}: node {k['node']} still awake at the end")
        duty = float(got["duty"].rstrip("%"))
        check(abs(duty - 100.0 * k["awake_us"] / span_us) <= 0.051 + 1e-9,
              f"{where}: node {k['node']} duty {duty}% vs {100.0 * k['awake_us'] / span_us:.3f}%")
    x = r["extfrag"]
    check(screen.get("extfrag") == x["events"], f"{where}: fallbacks {screen.get('extfrag')} != {x['events']}")
    check(screen.get("fragmenting") == x["fragmenting"], f"{where}: fragmenting {screen.get('fragmenting')}")
    pairs = {(p["alloc"], p["fallback"]): p["count"] for p in x["by_migratetype"]}
    for k, v in screen.get("pairs", {}).items():
        check(pairs.get(k) == v, f"{where}: pair {k} {v} != {pairs.get(k)}")
    check(len(screen.get("pairs", {})) == min(len(pairs), len(screen.get("pairs", {})) or len(pairs)),
          f"{where}: pairs missing")
    want_slow = r["stalls"]["slowest"][:slowest]
    got_slow = screen["slowest"]
    check(len(got_slow) == len(want_slow), f"{where}: {len(got_slow)} slowest stalls shown, want {len(want_slow)}")
    for g, w in zip(got_slow, want_slow):
        check(close_us(g["lat"], w["latency_us"]) and g["pid"] == w["pid"] and g["order"] == w["order"],
              f"{where}: slowest stall {g} vs {w['latency_us']} us pid {w['pid']}")


class LiveTop:
    """`compactrace top` in a private tmux server (test_top_live.py,
    test_top_tmux.py, tests/bench/bench_top.py). check(cond, msg) records
    failures."""

    def __init__(self, tool, check):
        self.tool, self.check = tool, check
        self.sock = f"ct-top-test-{os.getpid()}"

    def tmux(self, *args):
        return subprocess.run(["tmux", "-L", self.sock, "-f", "/dev/null"] + list(args),
                              capture_output=True, text=True)

    def capture(self, name, escapes=False):
        p = subprocess.run(["tmux", "-L", self.sock, "-f", "/dev/null", "capture-pane", "-p", "-t", name]
                           + (["-e"] if escapes else []), capture_output=True)
        lines = p.stdout.decode("utf-8", errors="replace").split("\n")
        while lines and lines[-1] == "":
            lines.pop()
        return lines

    def wait_for(self, name, pred, what, timeout=120):
        """the screen once pred(screen); the limit only ends a hang (a failed
        check, and the screen as it was)"""
        end = time.monotonic() + timeout
        lines = []
        while time.monotonic() < end:
            lines = self.capture(name)
            if pred(lines):
                return lines
            time.sleep(0.05)
        self.check(False, f"{name}: timed out waiting for {what}; screen:\n" + "\n".join(lines))
        return lines

    def settled(self, name, pred, what, timeout=120):
        """wait_for(), then the same screen twice in a row: tmux may show a
        frame half drawn (the title already new, the panels not yet) when
        the machine is busy"""
        lines = self.wait_for(name, pred, what, timeout)
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            time.sleep(0.2)
            again = self.capture(name)
            if again == lines and pred(again):
                return again
            lines = again
        self.check(False, f"{name}: the screen never settled after {what}")
        return lines

    def top_pid(self, name):
        sh = self.tmux("display-message", "-p", "-t", name, "#{pane_pid}").stdout.strip()
        try:
            with open(f"/proc/{sh}/task/{sh}/children") as f:
                kids = f.read().split()
        except OSError:
            return None
        return int(kids[0]) if kids else None

    @staticmethod
    def gone(pid, timeout=120):
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            if not os.path.exists(f"/proc/{pid}"):
                return True
            time.sleep(0.05)
        return False

    def start(self, name, args=""):
        """top in tmux session NAME; its pid (None, and a failed check, if not found)"""
        # the shell survives ^C (a trapped signal is default again in top)
        cmd = f"trap : INT; {self.tool} top {args}; echo \"EXIT=$?\"; exec sleep 600"
        self.tmux("new-session", "-d", "-s", name, "-x", "100", "-y", "30", "env", "LC_ALL=C", "sh", "-c", cmd)
        lines = self.wait_for(name, lambda l: any("live:" in x for x in l) or any("EXIT=" in x for x in l),
                              "live start")
        pid = self.top_pid(name)
        if lines and any("EXIT=" in x for x in lines):
            self.check(False, f"{name}: top exited at once: {lines}")
            return None
        # without the pid the checks of this way out cannot run: a failure, not a pass
        self.check(pid is not None, f"{name}: cannot find top's pid (the children of tmux's pane): "
                                    f"the checks of this way out were not made")
        return pid

    def stop(self):
        self.tmux("kill-server")
