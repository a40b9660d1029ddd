#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""`compactrace hugepages` and `report --hugepages` end to end, without root.

Usage: test_hugepages_cli.py COMPACTRACE SCHEMA TRACE_DAT

A synthetic /proc tree (CT_PROC_ROOT) holds one zone of eight pageblocks
of 512 pages whose forecast is worked out by hand below; the same zone as
a recording's snapshot items (the pageblock-classes text written here by
hand from its documented format, appended to a copy of TRACE_DAT in the
attachment container) must give the same answer. Also: usage errors and
a missing /proc file. Exit status: 0 pass, 1 fail.
"""
import json
import os
import shutil
import struct
import subprocess
import sys
import tempfile

failures = []


def check(cond, what):
    if not cond:
        failures.append(what)
        print(f"FAIL: {what}", file=sys.stderr)
    return cond


B = lambda n: 1 << n
FREE, ANON, SLAB, MLOCKED = B(10), B(3) | B(5) | B(11) | B(12) | B(14), B(7), B(3) | B(5) | B(11) | B(12) | B(14) | B(18) | B(33)

# Eight pageblocks of 512 pages (pfns 0-4095), as (class word, count) runs:
#   b0, b1, b5: 256 anon at even pfns, 256 free at odd ones
#   b2: all free;  b3: 10 slab, 246 anon, 256 free;  b4: 256 mlocked, 256 free
#   b6: 300 anon, 212 free;  b7: 100 anon, 412 free
LAYOUT = ["half", "half", "free", "slab", "mlocked", "half", (300, 212), (100, 412)]


def block_words(kind):
    if kind == "free":
        return [FREE] * 512
    if isinstance(kind, tuple):
        return [ANON] * kind[0] + [FREE] * kind[1]
    used = {"half": ANON, "mlocked": MLOCKED, "slab": ANON}[kind]
    words = [used if pfn % 2 == 0 else FREE for pfn in range(512)]
    if kind == "slab":
        for pfn in range(0, 20, 2):
            words[pfn] = SLAB
    return words


ZONEINFO = """Node 0, zone    DMA32
  pages free     0
        min      0
        low      0
        high     0
        spanned  0
        present  0
        managed  0
        protection: (0, 0, 0, 0)
Node 0, zone   Normal
  pages free     10000
        min      10
        low      12
        high     14
        spanned  4096
        present  4096
        managed  4096
        protection: (0, 0, 0, 0)
  pagesets
    cpu: 0
              count: 0
              high:  10
              batch: 1
  start_pfn:           0
Node 0, zone  Movable
  pages free     0
        min      0
        low      0
        high     0
        spanned  0
        present  0
        managed  0
        protection: (0, 0, 0, 0)
"""
BUDDYINFO = "Node 0, zone   Normal   1344      0      0      0      0      0      0      0      0      1      0\n"
PAGETYPEINFO = """Page block order: 9
Pages per block:  512

Free pages count per migrate type at order       0      1      2      3      4      5      6      7      8      9     10
Node    0, zone   Normal, type    Unmovable      0      0      0      0      0      0      0      0      0      0      0
Node    0, zone   Normal, type      Movable   1344      0      0      0      0      0      0      0      0      1      0

Number of blocks type     Unmovable      Movable
Node 0, zone   Normal            1            7
"""

# The hand analysis (pageblock order 9, one pageblock per huge page).
# Free scanner targets: every pageblock but b3 (pagetypeinfo: 1 unmovable,
# b3 has the most slab pages) and b2 (free already). Each call of 32 pages
# first searches the free lists, replayed for the zone's top quarter (b6,
# b7) at any pfn; then the linear scan from the top, at stride 1, doubled
# after each pageblock that gave nothing. From the bottom:
#   b0 needs 256: the search takes 256 of b7's 412 -> 156 left    freed
#   b1 needs 256: b7's 156, then 100 of b6's 212                    freed
#   b2 free already
#   b3 slab: not freed, but its 246 anonymous pages are migrated all the
#      same (as the kernel's migrate scanner does): the search takes b6's
#      last 112; then the linear scan finds b7 and b6 empty (stride 2,
#      then 4), b5's free pages all at odd offsets (unseen at stride 4),
#      b4's too (stride 8), and meets the migrate scanner at b3
# 1 free + 2 freed = 3; 256 + 256 + 112 pages moved; b4 and b5 keep their
# free pages unseen (2 x 256 passed).
# With vm.compact_unevictable_allowed = 1 the same: met at b3, still 3.
WANT = {"hugepages_obtainable": 3, "free_already": 1, "by_compaction": 2, "map": "++.SLccc",
        "pages_to_migrate": 624, "scanners_meet_pfn": 3 * 512, "free_pages_passed": 512}
WANT_ALLOWED = {"hugepages_obtainable": 3, "map": "++.Scccc"}


def make_root(d, allowed, zoneinfo=ZONEINFO):
    os.makedirs(f"{d}/proc/sys/vm", exist_ok=True)
    words = [w for kind in LAYOUT for w in block_words(kind)]
    with open(f"{d}/proc/kpageflags", "wb") as f:
        f.write(struct.pack(f"<{len(words)}Q", *words))
    with open(f"{d}/proc/kpagecount", "wb") as f:
        f.write(struct.pack(f"<{len(words)}Q", *[0 if w == FREE else 1 for w in words]))
    for name, text in (("zoneinfo", zoneinfo), ("buddyinfo", BUDDYINFO), ("pagetypeinfo", PAGETYPEINFO),
                       ("sys/vm/compact_unevictable_allowed", f"{allowed}\n"),
                       ("sys/vm/extfrag_threshold", "500\n")):
        with open(f"{d}/proc/{name}", "w") as f:
            f.write(text)


def classes_item():
    """The pageblock-classes item of the same layout, by hand (compactrace/pbclass.h)."""
    cols = ["free", "noflags", "movable", "reclaimable", "unevictable", "slab", "unmovable", "pinned",
            "reserved", "isolated", "other", "huge", "nopage"]
    per = {"half": {"movable": 256, "free": 256}, "free": {"free": 512},
           "slab": {"slab": 10, "movable": 246, "free": 256}, "mlocked": {"unevictable": 256, "free": 256}}
    # free pages a scan at stride 2, 4, 8, 16, 32 meets: none where they sit at odd
    # offsets; b2 is one free block of 512; b6's free run 300-511 is the buddy
    # blocks 300-303, 304-319, 320-383, 384-511, b7's 100-511 the blocks
    # 100-103, 104-111, 112-127, 128-255, 256-511 (each seen at its first page)
    seen = {"free": [512] * 5, (300, 212): [212, 212, 208, 208, 192], (100, 412): [412, 412, 408, 400, 384]}
    lines = ["# compactrace pageblock classes 1", "# pageblock_order 9", "# order 9",
             "# columns start_pfn " + " ".join(cols), "# strides 2 4 8 16 32"]
    for i, kind in enumerate(LAYOUT):
        c = per[kind] if not isinstance(kind, tuple) else {"movable": kind[0], "free": kind[1]}
        lines.append(f"{i * 512:#x} " + " ".join(str(c.get(k, 0)) for k in cols) + " " +
                     " ".join(str(n) for n in seen.get(kind, [0] * 5)))
    lines.append("owner unevictable 256 1 42 /mlocked-here")
    return "\n".join(lines) + "\n"


VMSTAT = "nr_free_pages 1000\ncompact_stall 0\ncompact_fail 0\ncompact_success 0\n"


def append_attachments(path, items):
    """The attachment container (compactrace/attach.h) at the end of @path."""
    with open(path, "rb") as f:
        off = len(f.read())
    area = b""
    for name, data in items.items():
        n, d = name.encode(), data.encode()
        area += struct.pack("<I", len(n)) + n + struct.pack("<Q", len(d)) + d
    with open(path, "ab") as f:
        f.write(area + struct.pack("<QQII", off, len(area), len(items), 1) + b"CTATTACH")


def run(tool, args, root=None):
    env = dict(os.environ, LC_ALL="C")
    if root:
        env["CT_PROC_ROOT"] = root
    return subprocess.run([tool] + args, capture_output=True, text=True, timeout=120, env=env)


def expect(out, want, what):
    z = [z for z in out["zones"] if z["zone"] == "Normal"]
    if not check(len(z) == 1, f"{what}: no Normal zone"):
        return
    for k, v in want.items():
        got = out.get(k, z[0].get(k))
        check(got == v, f"{what}: {k} = {got!r}, want {v!r}")
    check(out["blocked_by"]["slab"] == 1 and z[0]["free_blocks"] == 1 and z[0]["pageblocks"] == 8,
          f"{what}: blocked_by {out['blocked_by']}, free {z[0]['free_blocks']}")


def main():
    tool, schema_path, trace = sys.argv[1:4]
    schema = json.load(open(schema_path))
    try:
        import jsonschema
    except ImportError:
        jsonschema = None
        print("note: python3-jsonschema missing: the schema is not checked")
    with tempfile.TemporaryDirectory(prefix="ct-hp-cli-") as d:
        make_root(f"{d}/root", 0)
        r = run(tool, ["hugepages", "-f", "json"], f"{d}/root")
        if check(r.returncode == 0, f"hugepages: exit {r.returncode}: {r.stderr}"):
            out = json.loads(r.stdout)
            if jsonschema:
                jsonschema.validate(out, schema)
            expect(out, WANT, "live")
            check(out["source"] == "live" and out["compact_unevictable_allowed"] == 0, "live: source/sysctl")
            check(any("kpagecgroup" in n for n in out["notes"]), f"live: no note of the missing kpagecgroup: "
                  f"{out['notes']}")
            check(not any("kswapd" in n for n in out["notes"]), f"live: a kswapd note without "
                  f"node_unreclaimable: {out['notes']}")
        r = run(tool, ["hugepages"], f"{d}/root")
        check(r.returncode == 0 and r.stdout.splitlines()[1].startswith(
            "About 2 more 2 MiB pages (order 9) can be made by compaction, with 1 free already: 3 in all."),
            f"text: {r.stdout[:300]!r}")
        check("1 pageblocks are blocked by" in r.stdout and "  0x000000000 ++.SLccc" in r.stdout,
              f"text: the blocked sentence or the map: {r.stdout!r}")

        # kswapd has given up on node 0 (as zoneinfo prints it, after the pagesets): a note, the same numbers
        hopeless = ZONEINFO.replace("  start_pfn:           0\n",
                                    "  node_unreclaimable:  1\n  start_pfn:           0\n")
        check(hopeless != ZONEINFO, "the test's zoneinfo has no start_pfn line to put node_unreclaimable before")
        make_root(f"{d}/root2", 0, hopeless)
        r = run(tool, ["hugepages", "-f", "json"], f"{d}/root2")
        if check(r.returncode == 0, f"node_unreclaimable: exit {r.returncode}: {r.stderr}"):
            out = json.loads(r.stdout)
            expect(out, WANT, "node_unreclaimable")
            check(sum("node 0: kswapd has given up" in n for n in out["notes"]) == 1,
                  f"node_unreclaimable: not one note of it: {out['notes']}")

        make_root(f"{d}/root1", 1)
        r = run(tool, ["hugepages", "-f", "json"], f"{d}/root1")
        if check(r.returncode == 0, f"allowed: exit {r.returncode}: {r.stderr}"):
            expect(json.loads(r.stdout), WANT_ALLOWED, "unevictable allowed")

        # the same zone as a recording's end snapshot
        rec = f"{d}/rec.dat"
        shutil.copyfile(trace, rec)
        # as `record` writes it: every snapshot has its vmstat (the forecast does not read it)
        append_attachments(rec, {"snapshot-end/vmstat": VMSTAT, "snapshot-end/zoneinfo": ZONEINFO, "snapshot-end/buddyinfo": BUDDYINFO,
                                 "snapshot-end/pagetypeinfo": PAGETYPEINFO,
                                 "snapshot-end/compact_unevictable_allowed": "0\n",
                                 "snapshot-end/pageblock-classes": classes_item()})
        r = run(tool, ["report", "--hugepages", "-f", "json", rec])
        if check(r.returncode == 0, f"report --hugepages: exit {r.returncode}: {r.stderr}"):
            out = json.loads(r.stdout)
            if jsonschema:
                jsonschema.validate(out, schema)
            expect(out, WANT, "recording")
            check(out["source"] == rec + "#snapshot-end", f"recording: source {out['source']}")
            check(out["owners"] and out["owners"][0]["cgroup"] == "/mlocked-here", f"recording: owners "
                  f"{out['owners']}")
            check(out["page_owner"]["enabled"] is None, "recording: page_owner is not known")

        # errors: each names what is wrong
        r = run(tool, ["report", "--hugepages", trace])
        check(r.returncode == 1 and "carries no snapshot-end snapshot" in r.stderr, f"no snapshots: {r.stderr}")
        bad = f"{d}/bad.dat"
        shutil.copyfile(trace, bad)
        append_attachments(bad, {"snapshot-end/vmstat": VMSTAT, "snapshot-end/zoneinfo": ZONEINFO,
                                 "snapshot-end/pageblock-classes": classes_item().replace("0x600 ", "0x601 ")})
        r = run(tool, ["report", "--hugepages", bad])
        check(r.returncode == 1 and "pageblock-classes line 9: a pageblock that does not start on a pageblock"
              in r.stderr, f"damaged item: {r.stderr}")
        os.unlink(f"{d}/root/proc/zoneinfo")
        r = run(tool, ["hugepages"], f"{d}/root")
        check(r.returncode == 1 and "root/proc/zoneinfo: No such file or directory" in r.stderr,
              f"missing zoneinfo: {r.returncode} {r.stderr}")
        for args in (["--order", "0"], ["-f", "yaml"], ["stray"]):
            r = run(tool, ["hugepages"] + args, f"{d}/root1")
            check(r.returncode == 2, f"hugepages {args}: exit {r.returncode}")
        r = run(tool, ["hugepages", "--order", "11"], f"{d}/root1")
        check(r.returncode == 1 and "largest free block is order 10" in r.stderr, f"--order 11: {r.stderr}")
    print(f"{len(failures)} failure(s)")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
