#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Live tests of `compactrace hugepages` against the kernel's own answer.

Usage: test_hugepages_live.py COMPACTRACE CT_HPFRAG SCHEMA [SCENARIO...]

Each scenario lays memory out with ct_hpfrag (THP fills most of memory;
2 GiB of 4K pages, every odd pfn freed; then an mlocked GiB fragmented the
same way, or tens of thousands of tmpfs files whose inodes and dentries
are slab pages among the fragments), runs `compactrace hugepages -f json`,
then asks the kernel: nr_hugepages is written far above the forecast again
and again until it has not grown for PATIENCE writes (compaction defers
itself after failures, for up to 64 attempts, then retries), read back,
and set back. Checks, with the expected values from the kernel and from
the workload's own counts, not from compactrace:

  - with CT_HUGEPAGES_ACCEPTANCE=1 (issue 17's goal: met in 16 of 20
    runs on a machine up for hours, in 6 of 20 layouts after a reboot,
    where the regions lie below THP pageblocks and the kernel's free-list
    search decides: without it the figures are printed, not checked): the forecast's huge pages are within 10% (or
    20 pages) of what the kernel obtained beyond the free blocks of order
    >= 9 that /proc/buddyinfo showed just before it was asked;
  - mlocked: blocked_by.unevictable holds at least 90% of the pageblocks
    the workload's mlocked pages fill (it counts them through
    /proc/self/pagemap: 256 kept per pageblock), and the workload's memory
    cgroup is among the owners with at least 90% of those pages;
  - mlocked, then: `report --hugepages` of a three-second `record` says
    what `hugepages` said during it (5%; 2% for the blocked counts);
  - slab: the workload adds at least SLAB_BLOCKS_MIN slab pageblocks
    (against a forecast made just before it; which reason grows most
    varies with the host: unmovable pages may pollute more pageblocks), and
    blocked_by.slab is within 10% of a count of the same pageblocks
    this script makes itself from /proc/kpageflags and /proc/kpagecount
    right after the forecast, from the definitions in the JSON schema.

CT_HP_EVEN=1 frees the even pfns instead of the odd ones (README: the
kernel's scanners look at even pfns only in some of their passes);
CT_HP_PATIENCE and CT_HP_MAX_WRITES bound the asking; CT_HP_KEEP=DIR keeps
the forecast's JSON and text, and each pageblock's pages by kind before and
after the ask (SCENARIO.blocks-before.json, SCENARIO.blocks-after.json);
CT_HP_TRACE=PREFIX records compaction:* while the kernel is asked
(PREFIX.SCENARIO.dat; with CT_HP_TRACE_PAGES=1 the page events too, record
--pages). CT_HP_COMPACT_MEMORY=1, once the kernel stops growing,
writes /proc/sys/vm/compact_memory (a whole-zone compaction that ignores the
scanners' skip hints) and asks again: how much of what direct compaction left
was room its heuristics did not reach (printed, not checked). Each run also
prints, zone by zone, the forecast against the hugetlb pages the kernel
holds there in the end (their head pages in /proc/kpageflags; printed,
not checked).

The output is validated against the JSON schema. The host is left as found
(nr_hugepages, compact_unevictable_allowed, compaction_proactiveness, THP
defrag and enabled, the workload and its files), also on failure and on SIGTERM,
SIGINT and SIGHUP. Needs root, /proc/kpageflags and 12 GiB of memory;
exit 77 (SKIP) otherwise. In the sanitizer build (ASAN_OPTIONS set, as
tests/run-all.sh does) only a live read of the host as it is is checked:
the scenarios take ten minutes and run in the normal build. Takes /tmp/compactrace-live.lock for the whole
run so no other live test overlaps. Exit status: 0 pass, 1 fail, 77 skip.
"""
import array
import fcntl
import json
import os
import signal
import subprocess
import sys
import tempfile
import time

LOCK = "/tmp/compactrace-live.lock"
VM = "/proc/sys/vm"
THP = "/sys/kernel/mm/transparent_hugepage"
# writes of nr_hugepages without growth before the kernel's answer is taken: it
# grows in steps 63 writes apart for thousands of writes, with pauses of up to
# 24,000 writes between them (150 stopped 15-124% short in the slab scenario,
# 2,000 up to 24% short in the mlocked one); a write that finds compaction
# deferred returns at once (about 5,000 writes a second)
PATIENCE = int(os.environ.get("CT_HP_PATIENCE", "30000"))
# the bound on the asking: 30 s in the mlocked scenario; up to 12 minutes in a
# slab run whose writes each reclaim (4.9-5.9 ms a write in three runs, 0.3 in a fourth)
MAX_WRITES = int(os.environ.get("CT_HP_MAX_WRITES", "120000"))
SLAB_BLOCKS_MIN = 50    # slab pageblocks 400,000 empty tmpfs files add at least (measured: 127-134)
FILL_KEEP_MIB = 1024    # MemAvailable left after the THP fill, besides the regions
READY_TIMEOUT = 1200
# The forecast against the kernel's answer is a check only when this is set:
# within issue 17's 10% in 16 of 20 runs of the mlocked scenario on a machine
# up for hours, in 6 of 20 layouts after a reboot (README "How close it comes
# to the kernel"); otherwise the figures are printed.
ACCEPTANCE = os.environ.get("CT_HUGEPAGES_ACCEPTANCE") == "1"

failures = []
tool = hpfrag = schema_path = None


def check(cond, what):
    if not cond:
        failures.append(what)
        print(f"FAIL: {what}", file=sys.stderr)
    return cond


def skip(why):
    print(f"SKIP: {why}")
    sys.exit(77)


def read(path):
    with open(path) as f:
        return f.read()


def write(path, value):
    with open(path, "w") as f:
        f.write(str(value))


def choice(path):
    """THP files print 'always [madvise] never': the bracketed word."""
    text = read(path)
    return text.split("[", 1)[1].split("]", 1)[0] if "[" in text else text.strip()


class Interrupted(Exception):
    pass


def on_signal(sig, frame):
    raise Interrupted(f"signal {sig}")


class Host:
    """The settings a scenario changes, put back whatever happens."""

    def __init__(self):
        self.saved = []

    def set(self, path, value):
        if not any(p == path for p, _ in self.saved):
            self.saved.append((path, choice(path)))
        write(path, value)

    def restore(self):
        for path, value in reversed(self.saved):
            for _ in range(50):     # nr_hugepages may refuse while pages are busy
                try:
                    write(path, value)
                    break
                except OSError:
                    time.sleep(0.1)
            now = choice(path)
            check(now == value, f"restore {path}: {now!r}, want {value!r}")
        self.saved = []


# what the rest of the kernel did while it was asked (printed, not checked): kswapd
# clears compaction's skip hints each time it goes to sleep and wakes kcompactd
ASK_VMSTAT = ("compact_stall", "compact_success", "compact_daemon_wake", "pageoutrun",
              "kswapd_high_wmark_hit_quickly", "pgsteal_kswapd", "pgsteal_direct", "allocstall_normal")


def vmstat(names):
    values = dict(line.split() for line in read("/proc/vmstat").splitlines())
    return {n: int(values.get(n, 0)) for n in names}


def zoneinfo_state():
    """/proc/zoneinfo per (node, zone): free pages, watermark boost, min/low/high (boost
    included) and node_unreclaimable (1 when kswapd has given up on the node: it then
    neither reclaims nor goes to sleep, so it clears no skip hints; zoneinfo prints it
    once per node). Zones without memory are left out."""
    out, key = {}, None
    for line in read("/proc/zoneinfo").splitlines():
        f = line.split()
        if line.startswith("Node "):
            key = (int(f[1].rstrip(",")), f[3])
            out[key] = {}
        elif f[:1] == ["node_unreclaimable:"]:
            out[key]["node_unreclaimable"] = int(f[1])
        elif key and len(f) >= 2 and f[0] in ("boost", "min", "low", "high") and f[1].isdigit():
            out[key][f[0]] = int(f[1])
        elif key and f[:2] == ["pages", "free"]:
            out[key]["free"] = int(f[2])
    return {k: v for k, v in out.items() if v.get("free", 0) or v.get("high", 0)}


def nodes_unreclaimable(state=None):
    """node_unreclaimable per node, from zoneinfo_state()."""
    return {node: v["node_unreclaimable"] for (node, _), v in (state or zoneinfo_state()).items()
            if "node_unreclaimable" in v}


def meminfo(field):
    for line in read("/proc/meminfo").splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    return None


def free_blocks_by_zone(order):
    """Free blocks of at least @order per (node, zone) in /proc/buddyinfo, in blocks of @order."""
    n = {}
    for line in read("/proc/buddyinfo").splitlines():
        f = line.split()
        counts = [int(x) for x in f[4:]]
        n[(int(f[1].rstrip(",")), f[3])] = sum(c << (o - order) for o, c in enumerate(counts) if o >= order)
    return n


def pfn_words(f, pfn, n):
    """@n 64-bit words from /proc/kpageflags or /proc/kpagecount (open as @f), from @pfn on."""
    f.seek(pfn * 8)
    words = array.array("Q")
    words.frombytes(f.read(n * 8))
    return words


def hugetlb_pages_by_zone(zones):
    """The kernel's hugetlb pages per (node, zone): their head pages' pfns (KPF_COMPOUND_HEAD and
    KPF_HUGE in /proc/kpageflags) in each zone's span, as the forecast gives the spans."""
    n = {}
    with open("/proc/kpageflags", "rb") as f:
        for z in zones:
            heads, pfn, end = 0, z["start_pfn"], z["end_pfn"]
            while pfn < end:
                k = min(1 << 18, end - pfn)
                heads += sum(1 for w in pfn_words(f, pfn, k) if w & (1 << 15) and w & (1 << 17))
                pfn += k
            n[(z["node"], z["zone"])] = heads
    return n


def block_summary(zones, pageblock_order):
    """Per pageblock of each zone, its pages by what /proc/kpageflags says of them: free (buddy),
    hugetlb, thp, lru (on an LRU, evictable), mlocked (unevictable LRU), slab, other. For
    CT_HP_KEEP: the layout before the ask and after it, block by block."""
    per = 1 << pageblock_order
    out = {}
    with open("/proc/kpageflags", "rb") as f:
        for z in zones:
            rows, pfn, end = [], z["start_pfn"] & ~(per - 1), z["end_pfn"]
            while pfn < end:
                c = [0] * 7
                for w in pfn_words(f, pfn, min(per, end - pfn)):
                    if w & (1 << 10):
                        c[0] += 1
                    elif w & (1 << 17):
                        c[1] += 1
                    elif w & (1 << 22):
                        c[2] += 1
                    elif w & (1 << 5):
                        c[4 if w & (1 << 18) else 3] += 1
                    elif w & (1 << 7):
                        c[5] += 1
                    else:
                        c[6] += 1
                rows.append(c)
                pfn += per
            out[f"{z['node']}/{z['zone']}"] = {"start_pfn": z["start_pfn"] & ~(per - 1), "blocks": rows}
    return out


def memory_cgroup(pid):
    """The memory cgroup of @pid as /proc/PID/cgroup says (v1 'memory' line, else the v2 line)."""
    v2 = None
    for line in read(f"/proc/{pid}/cgroup").splitlines():
        _, ctrl, path = line.split(":", 2)
        if "memory" in ctrl.split(","):
            return path
        if ctrl == "":
            v2 = path
    return v2


# reasons in the order ties go to, as the forecast breaks them
REASONS = ["slab", "unmovable", "pinned", "unevictable", "reserved", "isolated", "other", "huge"]


def page_reason(w, count, folio_order, unevictable_allowed):
    """What blocks compaction in one page, from its kpageflags word and kpagecount, written from
    the definitions in the JSON schema; "noflag" for a page without any flag (a per-CPU list
    page or an unflagged kernel page: which, no file says)."""
    bit = lambda b: (w >> b) & 1
    if bit(20):                                 # no page: a hole
        return "reserved"
    if bit(10):                                 # buddy
        return None
    if w == 0:
        return "noflag"
    if bit(19) or bit(23):                      # hwpoison, offline
        return "other"
    if bit(17):                                 # hugetlb
        return "huge"
    unmapped_file = bit(5) and not (bit(12) or bit(14) or bit(11) or bit(18))
    if bit(22) and folio_order >= 9:            # THP of a pageblock or more
        return None if unmapped_file else "huge"
    if bit(7):
        return "slab"
    if bit(26):                                 # page table
        return "unmovable"
    if bit(32):                                 # reserved
        return "reserved"
    if bit(5):                                  # on an LRU
        if bit(18) and not unevictable_allowed:
            return "unevictable"
        if bit(12) and not bit(11) and not bit(13) and count == 0:
            return "pinned"                     # anonymous, its folio mapped nowhere, not in the swap cache
        return None
    if bit(12) or bit(11) or bit(14):           # a process's page off the LRU
        return "isolated"
    return "unmovable"


def mostly_slab_blocks(zones, pageblock_order, unevictable_allowed):
    """How many pageblocks of the zones are blocked mostly by slab, counted from /proc/kpageflags
    and /proc/kpagecount: slab pages at least as many as those of any other blocking reason
    (slab comes first on a tie; pages without any flag never outvote the others)."""
    per = 1 << pageblock_order
    count = 0
    with open("/proc/kpageflags", "rb") as f, open("/proc/kpagecount", "rb") as c:
        for z in zones:
            pfn, end = z["start_pfn"] & ~(per - 1), z["end_pfn"]
            while pfn < end:
                n = min(per, end - pfn)
                words, counts = pfn_words(f, pfn, n), pfn_words(c, pfn, n)
                by = dict.fromkeys(REASONS + ["noflag"], 0)
                folio = 0
                for i, w in enumerate(words):
                    if w & (1 << 15):           # a compound head: its order from the tails after it
                        j = i + 1
                        while j < len(words) and words[j] & (1 << 16):
                            j += 1
                        folio = (j - i).bit_length() - 1
                    elif not w & (1 << 16):
                        folio = 0
                    r = page_reason(w, counts[i] if i < len(counts) else 1, folio, unevictable_allowed)
                    if r:
                        by[r] += 1
                count += by["slab"] > 0 and by["slab"] >= max(by[r] for r in REASONS if r != "slab")
                pfn += per
    return count


def ask_kernel(target):
    """nr_hugepages = target until it stops growing; returns (pages, writes, seconds, progress)."""
    t0 = time.monotonic()
    best = int(read(f"{VM}/nr_hugepages"))
    progress, still, writes = [best], 0, 0
    while still < PATIENCE and writes < MAX_WRITES:
        write(f"{VM}/nr_hugepages", target)
        writes += 1
        now = int(read(f"{VM}/nr_hugepages"))
        if now > best:
            best, still = now, 0
            progress.append((writes, now))
        else:
            still += 1
    return best, writes, time.monotonic() - t0, progress


def start_workload(args, ready):
    p = subprocess.Popen([hpfrag, "-r", ready] + args, stdout=subprocess.DEVNULL)
    deadline = time.monotonic() + READY_TIMEOUT
    while not os.path.exists(ready):
        if p.poll() is not None:
            raise RuntimeError(f"ct_hpfrag {args} exited with {p.returncode} before it was ready")
        if time.monotonic() > deadline:
            raise RuntimeError(f"ct_hpfrag {args} not ready after {READY_TIMEOUT} s")
        time.sleep(0.5)
    stats = dict(line.split() for line in read(ready).splitlines())
    return p, {k: int(v) for k, v in stats.items()}


def stop_workload(p):
    if p and p.poll() is None:
        p.terminate()
        try:
            p.wait(timeout=120)
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait()


def forecast(schema):
    r = subprocess.run([tool, "hugepages", "-f", "json"], capture_output=True, text=True, timeout=300)
    if not check(r.returncode == 0, f"compactrace hugepages: exit {r.returncode}: {r.stderr.strip()}"):
        return None
    out = json.loads(r.stdout)
    if schema:
        import jsonschema
        try:
            jsonschema.validate(out, schema)
        except jsonschema.ValidationError as e:
            check(False, f"schema: {e.message} at {list(e.absolute_path)}")
    return out


def recording_agrees(schema):
    """`report --hugepages` of a short recording says what `hugepages` said during it.

    The live read is made while the recorder runs: its ring buffers are
    unmovable pages, and where they land changes what can be compacted (a
    CI run read first, then recorded: 1,066 huge pages live, 1,005 from the
    recording, with 64 more pageblocks blocked by unmovable pages)."""
    if not os.path.exists("/sys/kernel/tracing/events/compaction"):
        print("note: no tracefs at /sys/kernel/tracing: the recording check is left out")
        return
    with tempfile.TemporaryDirectory(prefix="ct-hp-rec-") as d:
        dat = os.path.join(d, "r.dat")
        p = subprocess.Popen([tool, "record", "-o", dat, "-d", "3"], stdout=subprocess.DEVNULL,
                             stderr=subprocess.PIPE, text=True)
        inst = f"/sys/kernel/tracing/instances/compactrace-{p.pid}"
        deadline = time.monotonic() + 60
        while not os.path.exists(inst) and p.poll() is None and time.monotonic() < deadline:
            time.sleep(0.05)
        time.sleep(0.5)     # its buffers allocated and tracing on
        live = forecast(schema)
        try:
            err = p.communicate(timeout=300)[1]
        except subprocess.TimeoutExpired:
            p.kill()
            err = p.communicate()[1]
        if not check(p.returncode == 0, f"record: exit {p.returncode}: {err.strip()[-300:]}"):
            return
        r = subprocess.run([tool, "report", "--hugepages", "-f", "json", dat], capture_output=True, text=True,
                           timeout=300)
        if not check(r.returncode == 0, f"report --hugepages: exit {r.returncode}: {r.stderr.strip()}"):
            return
        rec = json.loads(r.stdout)
    if not live:
        return
    import jsonschema
    try:
        jsonschema.validate(rec, schema)
    except jsonschema.ValidationError as e:
        check(False, f"recording: schema: {e.message} at {list(e.absolute_path)}")
    print(f"recording: report --hugepages {rec['hugepages_obtainable']} ({rec['blocked_by']}), "
          f"live during it {live['hugepages_obtainable']} ({live['blocked_by']})", flush=True)
    check(rec["source"].endswith("#snapshot-end"), f"recording: source {rec['source']}")
    # The two reads are seconds apart and the kernel's own pages move meanwhile (per-CPU
    # lists drained and refilled, the recorder's buffers): each pageblock that changed its
    # blocker between them can change the count by one huge page, so that much more is
    # allowed (a CI run: 1,080 from the recording, 1,137 live, unmovable 115 against 61).
    moved = sum(abs(rec["blocked_by"][r] - live["blocked_by"][r]) for r in rec["blocked_by"] if r != "huge")
    check(abs(rec["hugepages_obtainable"] - live["hugepages_obtainable"]) <=
          max(10, live["hugepages_obtainable"] // 20) + moved,
          f"recording: {rec['hugepages_obtainable']} huge pages, live {live['hugepages_obtainable']}, "
          f"{moved} pageblocks blocked otherwise between the two reads")
    for r in ("unevictable", "huge"):
        check(abs(rec["blocked_by"][r] - live["blocked_by"][r]) <= max(5, live["blocked_by"][r] // 50),
              f"recording: blocked_by.{r} {rec['blocked_by'][r]}, live {live['blocked_by'][r]}")


def scenario(name, schema):
    host = Host()
    wl = None
    tmpdir = None
    try:
        check(int(read(f"{VM}/nr_hugepages")) == 0, "nr_hugepages is not 0 before the test")
        host.set(f"{VM}/compaction_proactiveness", 0)      # no background compaction meanwhile
        host.set(f"{THP}/defrag", "never")                  # the fill must not compact
        if choice(f"{THP}/enabled") == "never":
            host.set(f"{THP}/enabled", "madvise")           # the fill is THP (MADV_HUGEPAGE)
        host.set(f"{VM}/compact_unevictable_allowed", 0 if name == "mlocked" else 1)
        ready = tempfile.mktemp(prefix="ct-hp-ready-")
        if name == "mlocked":
            args = ["-m", "2048", "-l", "1024", "-F", str(FILL_KEEP_MIB)]
        else:
            tmpdir = tempfile.mkdtemp(prefix="ct-hp-slab-", dir="/dev/shm")
            args = ["-m", "2048", "-F", str(FILL_KEEP_MIB), "-s", "400000", "-d", tmpdir]
        if os.environ.get("CT_HP_EVEN") == "1":    # experiment: free even pfns instead
            args.append("-e")
        if name == "slab":
            # what blocks pageblocks before the workload: the host's own (earlier tests, the kernel)
            before = forecast(schema)
            if not before:
                return
        wl, stats = start_workload(args, ready)
        os.unlink(ready)
        print(f"{name}: workload {stats}", flush=True)
        write(f"{VM}/drop_caches", 3)   # page cache reclaim is not what this checks
        time.sleep(2)

        fc = forecast(schema)
        if not fc:
            return
        keep = os.environ.get("CT_HP_KEEP")     # a directory: keep the outputs (README figures)
        if keep:
            os.makedirs(keep, exist_ok=True)
            with open(os.path.join(keep, f"{name}.json"), "w") as f:
                json.dump(fc, f, indent=1)
            with open(os.path.join(keep, f"{name}.txt"), "w") as f:
                subprocess.run([tool, "hugepages"], stdout=f, timeout=300)
            with open(os.path.join(keep, f"{name}.blocks-before.json"), "w") as f:
                json.dump(block_summary(fc["zones"], fc["pageblock_order"]), f)
        if name == "slab":      # counted now, before the kernel moves pages and drains per-CPU lists
            zones = [{"start_pfn": z["start_pfn"], "end_pfn": z["end_pfn"]} for z in fc["zones"]]
            slab_mine = mostly_slab_blocks(zones, fc["pageblock_order"], 1)
        free_zone_before = free_blocks_by_zone(9)
        free_before = sum(free_zone_before.values())
        target = fc["hugepages_obtainable"] + free_before + (meminfo("MemFree") or 0) // 2048 + 1000
        rec = None
        trace_to = os.environ.get("CT_HP_TRACE")    # a file: record compaction:* while the kernel is asked
        if trace_to:
            pages = ["--pages"] if os.environ.get("CT_HP_TRACE_PAGES") == "1" else []
            rec = subprocess.Popen([tool, "record", "--force", "-o", f"{trace_to}.{name}.dat"] + pages,
                                   stdout=subprocess.DEVNULL)
            time.sleep(2)
        counted, zones_before = vmstat(ASK_VMSTAT), zoneinfo_state()
        try:
            got, writes, secs, progress = ask_kernel(target)
        finally:
            if rec:
                rec.send_signal(signal.SIGINT)
                rec.wait(timeout=300)
        after = vmstat(ASK_VMSTAT)
        print(f"{name}: while asked, /proc/vmstat grew by "
              f"{ {n: after[n] - counted[n] for n in ASK_VMSTAT} }; node_unreclaimable before "
              f"{nodes_unreclaimable(zones_before)}, after {nodes_unreclaimable()}; zones before "
              f"{zones_before}, after {zoneinfo_state()}", flush=True)
        if os.environ.get("CT_HP_COMPACT_MEMORY") == "1":    # experiment, see the docstring
            write(f"{VM}/compact_memory", 1)
            again, writes2, secs2, _ = ask_kernel(target)
            print(f"{name}: after compact_memory the kernel holds {again} (direct compaction "
                  f"had reached {got}; {writes2} more writes, {secs2:.1f} s)", flush=True)
        if keep:
            with open(os.path.join(keep, f"{name}.blocks-after.json"), "w") as f:
                json.dump(block_summary(fc["zones"], fc["pageblock_order"]), f)
        # where the kernel's pages came from, zone by zone, against the forecast's zones
        # (measured, not checked: README "How close it comes to the kernel")
        held = hugetlb_pages_by_zone(fc["zones"])
        for z in fc["zones"]:
            key = (z["node"], z["zone"])
            print(f"{name}: zone {z['node']}/{z['zone']}: free order>=9 blocks before "
                  f"{free_zone_before.get(key, 0)}, forecast {z['hugepages_obtainable']} (free "
                  f"{z['free_already']} + compaction {z['by_compaction']}, {z['by_compaction_all_seen']} with every free "
                  f"page seen; limit: {z['limit']}), kernel {held[key]}",
                  flush=True)
        extra = got - free_before
        tolerance = max(20, extra // 10)
        print(f"{name}: forecast {fc['hugepages_obtainable']} (free {fc['free_already']} + compaction "
              f"{fc['by_compaction']}), kernel {got} after {writes} writes in {secs:.1f} s {progress}, "
              f"free order>=9 blocks before {free_before}: forecast {fc['hugepages_obtainable'] - free_before} "
              f"vs kernel {extra} beyond them (tolerance {tolerance}); blocked_by {fc['blocked_by']}",
              flush=True)
        within = abs(fc["hugepages_obtainable"] - got) <= tolerance
        if ACCEPTANCE:
            check(within, f"{name}: forecast {fc['hugepages_obtainable']} vs kernel {got}: "
                  f"{fc['hugepages_obtainable'] - free_before} vs {extra} beyond {free_before} free, "
                  f"more than {tolerance} apart")
        else:
            # measured and shown, checked with CT_HUGEPAGES_ACCEPTANCE=1 (see ACCEPTANCE)
            print(f"measured, not checked: {name}: forecast {fc['hugepages_obtainable'] - free_before} vs "
                  f"kernel {extra} beyond {free_before} free blocks: "
                  f"{'within' if within else 'NOT within'} the goal's {tolerance}", flush=True)

        if name == "mlocked":
            blocks = stats["mlocked_kept"] // 256
            check(fc["blocked_by"]["unevictable"] >= blocks * 9 // 10,
                  f"mlocked: blocked_by.unevictable {fc['blocked_by']['unevictable']} < 90% of the "
                  f"{blocks} pageblocks {stats['mlocked_kept']} mlocked pages fill")
            cg = memory_cgroup(wl.pid)
            own = [o for o in fc["owners"] if o["reason"] == "unevictable" and o["cgroup"] == cg]
            check(own and own[0]["pages"] >= stats["mlocked_kept"] * 9 // 10,
                  f"mlocked: the workload's cgroup {cg} is not an unevictable owner with "
                  f">= 90% of {stats['mlocked_kept']} pages: {fc['owners']}")
            write(f"{VM}/nr_hugepages", 0)
            recording_agrees(schema)
        else:
            by = fc["blocked_by"]
            # What the workload added. Not "slab first": how many pageblocks unmovable kernel
            # pages pollute varies with what ran before (in a full CI run they grew by 148
            # during the workload, slab by 127; here, run alone, unmovable shrank)
            grew = {r: by[r] - before["blocked_by"][r] for r in by if r != "huge"}
            print(f"slab: pageblocks mostly slab by this script's count {slab_mine}, "
                  f"by the forecast {by['slab']}; blocked_by before the workload {before['blocked_by']}, "
                  f"added by it {grew}", flush=True)
            check(stats["files"] > 0, "slab: the workload made no file")
            check(grew["slab"] >= SLAB_BLOCKS_MIN,
                  f"slab: the workload's {stats['files']} files added {grew['slab']} slab pageblocks, "
                  f"fewer than {SLAB_BLOCKS_MIN}: {grew}")
            check(abs(by["slab"] - slab_mine) <= max(2, slab_mine // 10),
                  f"slab: blocked_by.slab {by['slab']} vs {slab_mine} counted here (10% for what "
                  f"moved between the two reads)")
    finally:
        try:
            write(f"{VM}/nr_hugepages", 0)
        except OSError:
            pass
        stop_workload(wl)
        if tmpdir:
            for f in os.listdir(tmpdir):
                os.unlink(os.path.join(tmpdir, f))
            os.rmdir(tmpdir)
        host.restore()
        check(int(read(f"{VM}/nr_hugepages")) == 0, "nr_hugepages not back to 0")


def main():
    global tool, hpfrag, schema_path
    if len(sys.argv) < 4:
        print(__doc__, file=sys.stderr)
        return 2
    tool, hpfrag, schema_path = sys.argv[1:4]
    names = sys.argv[4:] or ["mlocked", "slab"]
    if os.geteuid() != 0:
        skip("needs root (/proc/kpageflags, nr_hugepages, sysctls)")
    if not os.access("/proc/kpageflags", os.R_OK):
        skip("/proc/kpageflags is not readable")
    if not os.path.exists(f"{VM}/compact_memory") or not os.path.exists(f"{THP}/defrag"):
        skip("no compaction or no THP on this kernel")
    if meminfo("Hugepagesize") != 2048 or "Page block order: 9" not in read("/proc/pagetypeinfo"):
        skip("the scenarios are sized for 2 MiB huge pages and pageblocks of order 9")
    if (meminfo("MemTotal") or 0) < 12 << 20:
        skip("needs 12 GiB of memory (3 GiB of fragmented regions and a THP fill around them)")
    try:
        import jsonschema  # noqa: F401
        with open(schema_path) as f:
            schema = json.load(f)
    except ImportError:
        skip("python3-jsonschema is not installed (tests/install-deps.sh)")
    if os.environ.get("ASAN_OPTIONS"):
        # the sanitizer build (tests/run-all.sh): the scenarios take ten minutes and run in the
        # normal build; here the live read and the output are checked on the host as it is
        fc = forecast(schema)
        check(fc is not None and fc["hugepages_obtainable"] == fc["free_already"] + fc["by_compaction"],
              f"quick: {fc and (fc['hugepages_obtainable'], fc['free_already'], fc['by_compaction'])}")
        print(f"quick (sanitizer build): the host now: {fc and fc['hugepages_obtainable']} huge pages; "
              f"the scenarios run in the normal build")
        return 1 if failures else 0
    for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        signal.signal(sig, on_signal)
    with open(LOCK, "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)   # no other live test meanwhile
        try:
            for name in names:
                scenario(name, schema)
        except Interrupted as e:
            check(False, f"interrupted: {e}")
    print(f"{len(failures)} failure(s)")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
