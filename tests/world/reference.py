# SPDX-License-Identifier: GPL-2.0-or-later
"""A second, independent reconstruction of compaction traces, for the tests.

It reads only what other tools print: `trace-cmd report` text (with or
without -t, with or without an instance prefix), `perf script` text (with
or without --ns, --show-lost-events), the kernel's own `trace` file, and
the kernel's /proc files
(zoneinfo for zone spans, pagetypeinfo for the pageblock order). It shares
no code, no parser and no language with compactrace.

The rules are the kernel's, as the project documents them (README
"Triggers are told apart", DESIGN "Kernel facts", the JSON schema) and as
mm/compaction.c behaves; where a definition had to be read in compactrace
(the percentile rule of src/engine/latency.c), it is written again here:

- a run is one compact_zone() call: mm_compaction_begin .. mm_compaction_end
  on one task; its zone is the zoneinfo zone that starts at zone_start, its
  order is cc->order as every mm_compaction_finished inside it prints;
- trigger: a kcompactd* task runs "proactive" when the order is -1 and no
  kcompactd_wake came since its last kcompactd_sleep, "kcompactd" otherwise;
  any other task runs "direct" once it has called try_to_compact_pages,
  else "manual" for order -1 (compact_memory), else "unknown";
- a run whose begin was not traced but whose end was (issue 12) counts in
  the run counts, by status, by trigger (what the task is known to be:
  kcompactd, direct after a try_to_compact_pages, manual when the order its
  finished events print is -1 -- only compact_node() runs a user task at
  order -1 -- else unknown), by order when a finished event named it, in
  scanners_met (the end event prints both scanners' pfns) and in its zone,
  but not in any duration distribution;
- a stall is one try_to_compact_pages on a task, until the task's next one;
  it lasts until the last run end or deferral event of that task in it; its
  result is the highest enum compact_result over the zones it touched (a
  deferred zone, a zone compaction_suitable() refused, a run's end status),
  as try_to_compact_pages() computes rc = max(status, rc);
- percentiles are nearest-rank: the value at rank ceil(p/100 * n) of the
  sorted values (rank at least 1); means are the integer ns mean;
- kcompactd on node N (task kcompactdN) is awake from a kcompactd_wake, or
  from the begin of a run while asleep (proactive compaction has no wake),
  until its next kcompactd_sleep; an awake period still open at the end of
  the trace ends at the trace's last event.
"""
import collections
import lzma
import math
import re

# enum compact_result, include/linux/compaction.h (6.x): rc = max(status, rc)
STATUSES = ["not_suitable_zone", "skipped", "deferred", "no_suitable_page", "continue",
            "complete", "partial_skipped", "contended", "success"]
RANK = {s: i for i, s in enumerate(STATUSES)}
RANK["partial"] = RANK["success"]	# the name before 4.7
TRIGGERS = ["direct", "kcompactd", "proactive", "manual", "unknown"]
NS = 1_000_000_000

# perf script:  "  comm with spaces  1234 [001]  123.456789:   system:event: payload"
PERF_HEAD = re.compile(r"\s(\d+)\s+\[(\d+)\]\s+(\d+)\.(\d+):\s")
# trace-cmd report: "[instance: ]  comm-1234 [001]  123.456789: event: payload";
# the kernel's own trace file has a flags column: "comm-1234 [001] d..2. 123.456789:"
TC_HEAD = re.compile(r"-(\d+)\s+\[(\d+)\]\s+(?:\S{4,5}\s+)?(\d+)\.(\d+):\s")
# the trace file's header: B - A events were overwritten
ENTRIES = re.compile(r"^# entries-in-buffer/entries-written: (\d+)/(\d+)")
DROPPED = re.compile(r"CPU:(\d+) \[(?:(\d+) )?EVENTS DROPPED\]\s*$")
FIELD = re.compile(r"(\w+)=(\([^)]*\)|[^\s,]+)")
USED = ("mm_compaction_", "mm_page_alloc_extfrag")	# events whose fields are read


def open_text(path):
    return lzma.open(path, "rt", errors="replace") if path.endswith(".xz") else \
        open(path, errors="replace")


def _ns(sec, frac):
    return int(sec) * NS + int((frac + "000000000")[:9])


def events(path):
    """Yield (kind, dict) from a trace-cmd report, perf script or ftrace text.

    kind "event": {comm, pid, cpu, ts, name, f (fields; empty for events
    this reference does not use)}; kind "lost": {cpu, count (None: the tool
    printed no number)}. The first event line tells which tool printed it.
    """
    head = prefix = None
    with open_text(path) as f:
        for line in f:
            line = line.rstrip("\n")
            if not line or line.startswith("cpus=") or line.startswith("#"):
                m = ENTRIES.match(line)
                if m and int(m.group(2)) > int(m.group(1)):
                    yield "lost", {"cpu": None, "count": int(m.group(2)) - int(m.group(1))}
                continue
            m = DROPPED.search(line)
            if m:
                # "ctsample-1234: CPU:1 [N EVENTS DROPPED]": the instance's name
                if prefix is None and m.start() > 0 and line[:m.start()].endswith(": "):
                    prefix = line[:m.start()].strip() + " "
                yield "lost", {"cpu": int(m.group(1)),
                               "count": int(m.group(2)) if m.group(2) else None}
                continue
            if head is None:
                # perf puts a space before the pid, trace-cmd a dash
                pm, tm = PERF_HEAD.search(line), TC_HEAD.search(line)
                head = PERF_HEAD if pm and (not tm or pm.start() < tm.start()) else TC_HEAD
            m = head.search(line)
            if not m:
                raise ValueError(f"{path}: cannot read line {line[:120]!r}")
            pid, cpu, sec, frac = m.groups()
            comm = line[:m.start()].strip()
            name, _, payload = line[m.end():].strip().partition(" ")
            name = name.rstrip(":")
            if head is PERF_HEAD and name.startswith("PERF_RECORD_LOST"):
                lm = re.match(r"lost (\d+)", payload)	# --show-lost-events
                yield "lost", {"cpu": int(cpu), "count": int(lm.group(1)) if lm else None}
                continue
            if head is TC_HEAD:
                # a named instance prefixes the lines ("ctsample-29554:   sh"), all
                # but the line after a DROPPED line, which trace-cmd prints without it
                if prefix is None:
                    pm = re.match(r"(\S+): ", comm)
                    if pm and comm[pm.end():].strip():
                        prefix = pm.group(0)
                if prefix and comm.startswith(prefix):
                    comm = comm[len(prefix):].strip()
            name = name.split(":")[-1]
            fields = dict(FIELD.findall(payload)) if name.startswith(USED) else {}
            yield "event", {"comm": comm, "pid": int(pid), "cpu": int(cpu), "ts": _ns(sec, frac),
                            "name": name, "f": fields}


def num(v):
    return int(v, 0)


def pageblock_order(pagetypeinfo):
    with open(pagetypeinfo) as f:
        for line in f:
            m = re.match(r"Page block order:\s*(\d+)", line)
            if m:
                return int(m.group(1))
    raise ValueError(f"{pagetypeinfo}: no 'Page block order'")


def zone_starts(zoneinfo):
    """{start_pfn: (node, zone)} of every zone with pages, from /proc/zoneinfo."""
    out, cur, spanned = {}, None, 0
    with open(zoneinfo) as f:
        for line in f:
            m = re.match(r"Node (\d+), zone\s+(\S+)", line)
            if m:
                cur, spanned = (int(m.group(1)), m.group(2)), 0
                continue
            m = re.match(r"\s+spanned\s+(\d+)", line)
            if m:
                spanned = int(m.group(1))
            m = re.match(r"\s+start_pfn:\s+(\d+)", line)
            if m and cur and spanned:
                out[int(m.group(1))] = cur
    return out


def percentile(sorted_values, p):
    n = len(sorted_values)
    if not n:
        return 0
    rank = min(max(math.ceil(p / 100.0 * n), 1), n)
    return sorted_values[rank - 1]


def distribution(values):
    v = sorted(values)
    if not v:
        return None
    return {"count": len(v), "p50": percentile(v, 50), "p90": percentile(v, 90),
            "p99": percentile(v, 99), "max": v[-1], "mean": sum(v) // len(v)}


class Reference:
    """Replays one rendering; results() gives figures named as compactrace's JSON."""

    def __init__(self, pbo, zones):
        self.pbo = pbo
        self.zone_at = zones	# start_pfn -> (node, zone)
        self.events = 0
        self.by_name = collections.Counter()
        self.lost = 0
        self.lost_unknown = 0
        self.last_ts = None
        self.totals = collections.Counter()
        self.runs = []		# finished runs (dicts)
        self.orphans = []	# ends without a begin
        self.unmatched_begin = 0
        self.isolate_outside_run = 0
        self.stalls = []
        self.tasks = {}
        self.zone = collections.defaultdict(lambda: {
            "suitable": collections.Counter(), "finished": collections.Counter(),
            "deferred": collections.Counter(), "defer_compaction": collections.Counter(),
            "defer_reset": collections.Counter(), "max_limit": 0})
        self.nodes = collections.defaultdict(lambda: {
            "wakeup_requests": 0, "wakes": 0, "sleeps": 0, "awake_ns": 0, "awake_since": None})
        self.extfrag = []
        self.zone_conflicts = []	# runs whose span and finished events name different zones

    # ---- helpers --------------------------------------------------------
    def task(self, pid, comm):
        t = self.tasks.get(pid)
        if t is None:
            t = self.tasks[pid] = {"run": None, "stall": None, "tried": False, "woken": False,
                                   "since_end": [], "suitable_order": None}
        t["comm"] = comm
        return t

    @staticmethod
    def kcompactd_node(comm):
        m = re.match(r"kcompactd(\d+)", comm)
        return int(m.group(1)) if m else None

    def zone_of(self, zone_start, named):
        z = self.zone_at.get(zone_start)
        if z is None:
            return named
        if named and named != z:
            self.zone_conflicts.append((zone_start, z, named))
        return z

    def close_stall(self, t):
        st = t["stall"]
        if st is None:
            return
        t["stall"] = None
        st["latency"] = st["last"] - st["ts"]
        ranks = [RANK[s] for s in st["zones"].values() if s in RANK]
        st["result"] = STATUSES[max(ranks)] if ranks else "unknown"
        self.stalls.append(st)

    def trigger(self, t, comm, order):
        if self.kcompactd_node(comm) is not None:
            return "proactive" if order == -1 and not t["woken"] else "kcompactd"
        if t["tried"]:
            return "direct"
        return "manual" if order == -1 else "unknown"

    def awake(self, nid, ts):
        n = self.nodes[nid]
        if n["awake_since"] is None:
            n["awake_since"] = ts

    # ---- one event ------------------------------------------------------
    def feed(self, kind, e):
        if kind == "lost":
            if e["count"] is None:
                self.lost_unknown += 1
            else:
                self.lost += e["count"]
            return
        self.events += 1
        self.by_name[e["name"]] += 1
        ts, name, f = e["ts"], e["name"], e["f"]
        self.last_ts = ts if self.last_ts is None else max(self.last_ts, ts)
        if name == "mm_page_alloc_extfrag":
            self.extfrag.append({k: num(f[k]) for k in ("pfn", "alloc_order", "fallback_order",
                                                        "alloc_migratetype", "fallback_migratetype",
                                                        "change_ownership")})
            return
        if not name.startswith("mm_compaction_"):
            return
        ev = name[len("mm_compaction_"):]
        t = self.task(e["pid"], e["comm"])
        daemon = e["comm"].startswith("kcompactd")
        run = t["run"]

        if ev in ("isolate_migratepages", "isolate_freepages", "fast_isolate_freepages"):
            scanned, taken = num(f["nr_scanned"]), num(f["nr_taken"])
            kind_ = "migrate" if ev == "isolate_migratepages" else "free"
            self.totals["compact_isolated"] += taken
            self.totals[f"compact_{kind_}_scanned"] += scanned
            if daemon:
                self.totals[f"compact_daemon_{kind_}_scanned"] += scanned
            if run is None:
                self.isolate_outside_run += 1
                return
            run[f"{kind_}_scanned"] += scanned
            run[f"{kind_}_isolated"] += taken
        elif ev == "migratepages":
            if run is not None:
                run["migrated"] += num(f["nr_migrated"])
                run["migrate_failed"] += num(f["nr_failed"])
        elif ev == "begin":
            if run is not None:
                self.unmatched_begin += 1
            t["run"] = {"begin": ts, "pid": e["pid"], "comm": e["comm"],
                        "zone_start": num(f["zone_start"]), "zone_end": num(f["zone_end"]),
                        "mode": f.get("mode", "unknown"), "orders": [], "named": None,
                        "migrate_scanned": 0, "migrate_isolated": 0, "free_scanned": 0,
                        "free_isolated": 0, "migrated": 0, "migrate_failed": 0,
                        "suitable_order": t["suitable_order"],
                        "stall_order": t["stall"]["order"] if t["stall"] else None}
            t["suitable_order"] = None
            node = self.kcompactd_node(e["comm"])
            if node is not None:
                self.awake(node, ts)
        elif ev == "finished":
            z = (num(f["node"]), f["zone"])
            self.zone[z]["finished"][f["ret"]] += 1
            if run is not None:
                run["orders"].append(num(f["order"]))
                run["named"] = run["named"] or z
            else:
                t["since_end"].append((num(f["order"]), z))
        elif ev == "end":
            self.on_end(t, e, f, ts)
        elif ev == "suitable":
            z = (num(f["node"]), f["zone"])
            self.zone[z]["suitable"][f["ret"]] += 1
            if run is None:
                t["suitable_order"] = num(f["order"])
                if t["stall"] is not None and f["ret"] != "continue":
                    t["stall"]["zones"].setdefault(z, f["ret"])
        elif ev == "try_to_compact_pages":
            self.totals["compact_stall"] += 1
            self.close_stall(t)
            t["tried"] = True
            t["stall"] = {"ts": ts, "last": ts, "order": num(f["order"]), "pid": e["pid"],
                          "comm": e["comm"], "zones": {}}
        elif ev in ("deferred", "defer_compaction", "defer_reset"):
            z = (num(f["node"]), f["zone"])
            zs = self.zone[z]
            zs[ev][num(f["order"])] += 1
            zs["max_limit"] = max(zs["max_limit"], num(f["limit"]))
            if t["stall"] is not None:
                t["stall"]["last"] = ts
                if ev == "deferred":
                    t["stall"]["zones"][z] = "deferred"
        elif ev == "wakeup_kcompactd":
            self.nodes[num(f["nid"])]["wakeup_requests"] += 1
        elif ev == "kcompactd_wake":
            nid = num(f["nid"])
            self.nodes[nid]["wakes"] += 1
            self.totals["compact_daemon_wake"] += 1
            self.awake(nid, ts)
            t["woken"] = True
        elif ev == "kcompactd_sleep":
            n = self.nodes[num(f["nid"])]
            n["sleeps"] += 1
            if n["awake_since"] is not None:
                n["awake_ns"] += ts - n["awake_since"]
                n["awake_since"] = None
            t["woken"] = False

    def on_end(self, t, e, f, ts):
        run = t["run"]
        status = f.get("status", "unknown")
        if run is None:
            # issue 12: the begin was not traced; the end still counts as a run
            orders = [o for o, _ in t["since_end"]]
            named = t["since_end"][0][1] if t["since_end"] else None
            order = orders[0] if orders else None
            o = {"end": ts, "status": status, "mode": f.get("mode", "unknown"),
                 "zone": self.zone_of(num(f["zone_start"]), named), "order": order,
                 "trigger": self.trigger(t, e["comm"], order), "comm": e["comm"],
                 "met": (num(f["free_pfn"]) >> self.pbo) <= (num(f["migrate_pfn"]) >> self.pbo)}
            self.orphans.append(o)
            t["since_end"] = []
            if t["stall"] is not None:
                t["stall"]["last"] = ts
            return
        t["run"] = None
        t["since_end"] = []
        run["end"] = ts
        run["status"] = status
        run["migrate_end"] = num(f["migrate_pfn"])
        run["free_end"] = num(f["free_pfn"])
        if run["orders"]:
            run["order"] = run["orders"][0]
        elif run["suitable_order"] is not None:
            run["order"] = run["suitable_order"]
        else:
            run["order"] = run["stall_order"]
        run["zone"] = self.zone_of(run["zone_start"], run["named"])
        run["trigger"] = self.trigger(t, e["comm"], run["order"])
        # compact_scanners_met(): the scanners met in one pageblock or crossed
        run["met"] = (run["free_end"] >> self.pbo) <= (run["migrate_end"] >> self.pbo)
        self.runs.append(run)
        if t["stall"] is not None:
            st = t["stall"]
            st["last"] = ts
            if run["zone"]:
                st["zones"][run["zone"]] = status

    def finish(self):
        for t in self.tasks.values():
            if t["run"] is not None:
                self.unmatched_begin += 1
                t["run"] = None
            self.close_stall(t)
        for n in self.nodes.values():
            if n["awake_since"] is not None and self.last_ts is not None:
                n["awake_ns"] += self.last_ts - n["awake_since"]
                n["awake_since"] = None

    # ---- figures --------------------------------------------------------
    def results(self, orphans_counted=True):
        """The figures, shaped and named as compactrace's JSON report, but with
        every duration in integer ns (the JSON has µs).

        orphans_counted: whether runs without a traced begin count (issue 12).
        """
        runs, orphans = self.runs, (self.orphans if orphans_counted else [])
        counted = runs + orphans
        count = collections.Counter

        def durations(rs):
            return distribution([x["end"] - x["begin"] for x in rs])

        r = {"events": self.events, "sources": [{"events_by_name": dict(self.by_name)}],
             "totals": dict(self.totals)}
        r["runs"] = {
            "count": len(counted),
            "by_trigger": dict(count(x["trigger"] for x in counted)),
            "by_status": dict(count(x["status"] for x in counted)),
            "by_mode": dict(count(x["mode"] for x in counted)),
            "by_order": dict(count(str(x["order"]) for x in counted if x["order"] is not None)),
            "migrated": sum(x["migrated"] for x in runs),
            "migrate_failed": sum(x["migrate_failed"] for x in runs),
            "scanners_met": sum(x["met"] for x in counted),
            "duration_us": durations(runs),
            "duration_us_by_trigger": {k: durations([x for x in runs if x["trigger"] == k])
                                       for k in {x["trigger"] for x in runs}},
            "duration_us_by_status": {k: durations([x for x in runs if x["status"] == k])
                                      for k in {x["status"] for x in runs}},
            "slowest": [{"duration_us": d} for d in
                        sorted((x["end"] - x["begin"] for x in runs), reverse=True)[:10]],
        }
        st = self.stalls
        r["stalls"] = {
            "count": len(st),
            "by_order": dict(count(str(x["order"]) for x in st)),
            "by_result": dict(count(x["result"] for x in st)),
            "without_zone_events": sum(1 for x in st if not x["zones"]),
            "latency_us": distribution([x["latency"] for x in st]),
            "latency_us_by_order": {str(o): distribution([x["latency"] for x in st if x["order"] == o])
                                    for o in {x["order"] for x in st}},
            "slowest": [{"latency_us": d} for d in
                        sorted((x["latency"] for x in st), reverse=True)[:10]],
        }
        r["zones"] = []
        for key in set(self.zone) | {x["zone"] for x in counted if x["zone"]}:
            zs = self.zone[key]
            zr = [x for x in runs if x["zone"] == key]
            zc = [x for x in counted if x["zone"] == key]
            r["zones"].append({
                "node": key[0], "zone": key[1], "runs": len(zc),
                "by_status": dict(count(x["status"] for x in zc)),
                "migrate_scanned": sum(x["migrate_scanned"] for x in zr),
                "free_scanned": sum(x["free_scanned"] for x in zr),
                "isolated": sum(x["migrate_isolated"] + x["free_isolated"] for x in zr),
                "migrated": sum(x["migrated"] for x in zr),
                "migrate_failed": sum(x["migrate_failed"] for x in zr),
                "scanners_met": sum(x["met"] for x in zc),
                "deferrals": dict({k: {str(o): c for o, c in zs[k].items()}
                                   for k in ("deferred", "defer_compaction", "defer_reset")},
                                  max_limit=zs["max_limit"]),
                "suitable": dict(zs["suitable"]),
                "finished": dict(zs["finished"]),
            })
        r["kcompactd"] = []
        for nid, n in self.nodes.items():
            kr = [x for x in counted if x["trigger"] in ("kcompactd", "proactive") and
                  (x["zone"][0] if x["zone"] else 0) == nid]
            r["kcompactd"].append({
                "node": nid, "wakeup_requests": n["wakeup_requests"], "wakes": n["wakes"],
                "sleeps": n["sleeps"], "awake_us": n["awake_ns"], "runs": len(kr),
                "proactive_runs": sum(1 for x in kr if x["trigger"] == "proactive"),
                "runs_by_status": dict(count(x["status"] for x in kr))})
        x = self.extfrag
        frag = [e for e in x if e["fallback_order"] < self.pbo]
        pairs = count((e["alloc_migratetype"], e["fallback_migratetype"]) for e in x)
        r["extfrag"] = {
            "events": len(x),
            "fragmenting": len(frag),
            "change_ownership": sum(1 for e in x if e["change_ownership"]),
            "by_migratetype": [{"alloc": a, "fallback": b, "count": c} for (a, b), c in pairs.items()],
            "by_alloc_order": dict(count(str(e["alloc_order"]) for e in x)),
            "pageblocks_polluted": len({e["pfn"] >> self.pbo for e in frag}),
            "pageblock_order": self.pbo,
        }
        r["quality"] = {"lost_events": self.lost, "lost_unknown": self.lost_unknown,
                        "unmatched_begin": self.unmatched_begin,
                        "unmatched_end": len(self.orphans),
                        "isolate_outside_run": self.isolate_outside_run}
        return r


def reconstruct(path, pbo, zones):
    ref = Reference(pbo, zones)
    for kind, e in events(path):
        ref.feed(kind, e)
    ref.finish()
    return ref
