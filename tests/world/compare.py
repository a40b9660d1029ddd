# SPDX-License-Identifier: GPL-2.0-or-later
"""compactrace's JSON report against the independent reference (reference.py).

flatten() turns a report, or the reference's results in the same shape,
into {path: value}; compare() lists the paths that differ. Durations
compare in integer ns: the JSON prints them in µs with up to three
decimals, which is exact; the reference keeps ns.
"""
DIST = ("count", "p50", "p90", "p99", "max", "mean")


def us_to_ns(v):
    return int(round(v * 1000))


def same(v):
    return v


def _counts(d):
    """A count map without its zero entries (one JSON rule or the other)."""
    return {str(k): v for k, v in (d or {}).items() if v}


def _dist(out, path, d, ns):
    if not d or not d["count"]:
        out[path + ".count"] = 0
        return
    for k in DIST:
        out[f"{path}.{k}"] = d[k] if k == "count" else ns(d[k])


def flatten(r, ns):
    """The figures the reference computes, by path; ns converts a duration."""
    out = {"events": r["events"], "events_by_name": _counts(r["sources"][0]["events_by_name"])}
    for k in ("compact_migrate_scanned", "compact_free_scanned", "compact_isolated", "compact_stall",
              "compact_daemon_wake", "compact_daemon_migrate_scanned", "compact_daemon_free_scanned"):
        out["totals." + k] = r["totals"].get(k, 0)
    ru = r["runs"]
    out["runs.count"] = ru["count"]
    for k in ("by_trigger", "by_status", "by_mode", "by_order"):
        out["runs." + k] = _counts(ru[k])
    for k in ("migrated", "migrate_failed", "scanners_met"):
        out["runs." + k] = ru[k]
    _dist(out, "runs.duration", ru["duration_us"], ns)
    for group in ("trigger", "status"):
        for k, d in ru["duration_us_by_" + group].items():
            if d and d["count"]:
                _dist(out, f"runs.duration_by_{group}.{k}", d, ns)
    out["runs.slowest"] = [ns(x["duration_us"]) for x in ru["slowest"]]
    st = r["stalls"]
    for k in ("count", "without_zone_events"):
        out["stalls." + k] = st[k]
    for k in ("by_order", "by_result"):
        out["stalls." + k] = _counts(st[k])
    _dist(out, "stalls.latency", st["latency_us"], ns)
    for k, d in st["latency_us_by_order"].items():
        if d and d["count"]:
            _dist(out, f"stalls.latency_by_order.{k}", d, ns)
    out["stalls.slowest"] = [ns(x["latency_us"]) for x in st["slowest"]]
    for z in r["zones"]:
        p = f"zones.{z['node']}/{z['zone']}."
        for k in ("runs", "migrate_scanned", "free_scanned", "isolated", "migrated", "migrate_failed",
                  "scanners_met"):
            out[p + k] = z[k]
        for k in ("by_status", "suitable", "finished"):
            out[p + k] = _counts(z[k])
        for k in ("deferred", "defer_compaction", "defer_reset"):
            out[p + k] = _counts(z["deferrals"][k])
        out[p + "max_limit"] = z["deferrals"]["max_limit"]
    for n in r["kcompactd"]:
        p = f"kcompactd.{n['node']}."
        for k in ("wakeup_requests", "wakes", "sleeps", "runs", "proactive_runs"):
            out[p + k] = n[k]
        out[p + "awake_ns"] = ns(n["awake_us"])
        out[p + "runs_by_status"] = _counts(n["runs_by_status"])
    x = r["extfrag"]
    for k in ("events", "fragmenting", "change_ownership", "pageblocks_polluted", "pageblock_order"):
        out["extfrag." + k] = x[k]
    out["extfrag.by_migratetype"] = {f"{e['alloc']}>{e['fallback']}": e["count"]
                                     for e in x["by_migratetype"] if e["count"]}
    out["extfrag.by_alloc_order"] = _counts(x["by_alloc_order"])
    for k in ("lost_events", "lost_unknown", "unmatched_begin", "unmatched_end", "isolate_outside_run"):
        out["quality." + k] = r["quality"][k]
    return out


def compare(report, reference):
    """[(path, report value, reference value)] where they differ, and how many figures."""
    a, b = flatten(report, us_to_ns), flatten(reference, same)
    diffs = []
    for path in sorted(set(a) | set(b)):
        va, vb = a.get(path), b.get(path)
        # a zone or node only one side lists, with nothing in it, is no difference
        if va is None and vb in (0, {}, []) or vb is None and va in (0, {}, []):
            continue
        if va != vb:
            diffs.append((path, va, vb))
    return diffs, len(b)
